/* SPDX-License-Identifier: GPL-2.0 */
/* btf.c: a bounds-checked reader of the kernel's BTF. */
#ifndef SIGFWD_BTF_H
#define SIGFWD_BTF_H

#include <linux/types.h>
#include <uapi/linux/btf.h>

struct sigfwd_btf {
	void *data;
	size_t size;
	const struct btf_header *hdr;
	const char *types, *strs;
	u32 types_len, strs_len;
	const struct btf_type **by_id;
	u32 nr_types;
};

/* What a member must be: a kind, the name of that type (or of the pointee). */
struct sigfwd_btf_spec {
	const char *name;
	size_t *offset;
	int kind;		/* BTF_KIND_STRUCT, _PTR, _ENUM, _INT, ... */
	const char *type;	/* struct/enum name; for _PTR the pointee's */
	size_t size;		/* expected size, 0: do not check */
	const struct btf_type **out;	/* the type (for _PTR the pointee) */
};

/* Each returns 0 or the errno after the refusal line (sigfwd_refuse()). */
int sigfwd_btf_read(struct sigfwd_btf *b, const char *path);
void sigfwd_btf_free(struct sigfwd_btf *b);
const struct btf_type *sigfwd_btf_struct(const struct sigfwd_btf *b,
					 const char *name);
int sigfwd_btf_check_members(const struct sigfwd_btf *b, const char *name,
			     const struct btf_type *s,
			     const struct sigfwd_btf_spec *specs, int n);

const char *sigfwd_btf_name(const struct sigfwd_btf *b, u32 off);
const struct btf_member *sigfwd_btf_member(const struct sigfwd_btf *b,
					   const struct btf_type *s,
					   const char *name);
size_t sigfwd_btf_member_offset(const struct btf_type *s,
				const struct btf_member *mem);

#endif
