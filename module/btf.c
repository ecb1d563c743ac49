// SPDX-License-Identifier: GPL-2.0
/*
 * A reader of the kernel's BTF (/sys/kernel/btf/vmlinux): the types by id,
 * structs by name, and a check of a struct's members against what the code
 * expects (kind, type name, size). Bounds-checked throughout: a truncated or
 * foreign file refuses the load, it never oopses. What the module reads
 * with it is in layout.c.
 */
#include <uapi/linux/btf.h>
#include <linux/err.h>
#include <linux/fs.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/stddef.h>
#include <linux/string.h>
#include <linux/vmalloc.h>
#include "btf.h"
#include "sigfwd.h"

/* BTF kinds newer than some of the supported kernels' headers. */
enum {
	SIGFWD_BTF_FLOAT = 16,
	SIGFWD_BTF_DECL_TAG = 17,
	SIGFWD_BTF_TYPE_TAG = 18,
	SIGFWD_BTF_ENUM64 = 19,
};

#define BTF_MIN_HDR offsetofend(struct btf_header, str_len)

const char *sigfwd_btf_name(const struct sigfwd_btf *b, u32 off)
{
	return off < b->strs_len ? b->strs + off : "";
}

/* Size of the data following a btf_type; -1 for a kind this code does not know. */
static long type_extra(const struct btf_type *t)
{
	u32 vlen = BTF_INFO_VLEN(t->info);

	switch (BTF_INFO_KIND(t->info)) {
	case BTF_KIND_INT:
		return sizeof(u32);
	case BTF_KIND_PTR:
	case BTF_KIND_FWD:
	case BTF_KIND_TYPEDEF:
	case BTF_KIND_VOLATILE:
	case BTF_KIND_CONST:
	case BTF_KIND_RESTRICT:
	case BTF_KIND_FUNC:
	case SIGFWD_BTF_FLOAT:
	case SIGFWD_BTF_TYPE_TAG:
		return 0;
	case BTF_KIND_ARRAY:
		return sizeof(struct btf_array);
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
		return vlen * sizeof(struct btf_member);
	case BTF_KIND_ENUM:
		return vlen * sizeof(struct btf_enum);
	case BTF_KIND_FUNC_PROTO:
		return vlen * sizeof(struct btf_param);
	case BTF_KIND_VAR:
		return sizeof(struct btf_var);
	case BTF_KIND_DATASEC:
		return vlen * sizeof(struct btf_var_secinfo);
	case SIGFWD_BTF_DECL_TAG:	/* struct btf_decl_tag */
		return sizeof(u32);
	case SIGFWD_BTF_ENUM64:	/* struct btf_enum64 */
		return vlen * 3 * sizeof(u32);
	default:
		return -1;
	}
}

static int index_types(struct sigfwd_btf *b, const void *data, size_t size)
{
	const struct btf_header *h = data;
	const char *p, *end;
	u32 n = 0;
	long extra;
	int pass;

	/*
	 * The fields up to str_len are read; later kernels' headers grow
	 * (7.x: the layout section), older BTF has the 24-byte header.
	 */
	if (size < BTF_MIN_HDR || h->magic != BTF_MAGIC || h->version != 1 ||
	    h->hdr_len < BTF_MIN_HDR || h->hdr_len > size ||
	    (u64)h->hdr_len + h->type_off + h->type_len > size ||
	    (u64)h->hdr_len + h->str_off + h->str_len > size)
		return sigfwd_refuse(-EINVAL, "BTF has an unknown format");
	b->hdr = h;
	b->types = (const char *)data + h->hdr_len + h->type_off;
	b->types_len = h->type_len;
	b->strs = (const char *)data + h->hdr_len + h->str_off;
	b->strs_len = h->str_len;
	/* Every name then ends inside the string section. */
	if (!b->strs_len || b->strs[b->strs_len - 1])
		return sigfwd_refuse(-EINVAL, "BTF string section not terminated");

	/* Two passes: count, then index (type ids start at 1). */
	for (pass = 0; pass < 2; pass++) {
		p = b->types;
		end = b->types + b->types_len;
		n = 0;
		while (p < end) {
			const struct btf_type *t = (const void *)p;

			/* A type and the data after it must end in the section. */
			if (end - p < sizeof(*t))
				return sigfwd_refuse(-EINVAL, "BTF type %u truncated",
							  n + 1);
			extra = type_extra(t);
			if (extra < 0)
				return sigfwd_refuse(-EOPNOTSUPP, "BTF kind %u unknown",
							  BTF_INFO_KIND(t->info));
			if (extra > end - p - sizeof(*t))
				return sigfwd_refuse(-EINVAL, "BTF type %u truncated",
							  n + 1);
			if (pass)
				b->by_id[n + 1] = t;
			n++;
			p += sizeof(*t) + extra;
		}
		if (!pass) {
			b->by_id = kvcalloc(n + 1, sizeof(*b->by_id), GFP_KERNEL);
			if (!b->by_id)
				return sigfwd_refuse(-ENOMEM, "no memory for %u BTF types",
							  n);
			b->nr_types = n;
		}
	}
	return 0;
}

static const struct btf_type *type_by_id(const struct sigfwd_btf *b, u32 id)
{
	return id && id <= b->nr_types ? b->by_id[id] : NULL;
}

/* Skip typedefs and qualifiers. */
static const struct btf_type *resolve_type(const struct sigfwd_btf *b, u32 id)
{
	const struct btf_type *t = type_by_id(b, id);
	int depth = 0;

	while (t && depth++ < 16) {
		switch (BTF_INFO_KIND(t->info)) {
		case BTF_KIND_TYPEDEF:
		case BTF_KIND_VOLATILE:
		case BTF_KIND_CONST:
		case BTF_KIND_RESTRICT:
		case SIGFWD_BTF_TYPE_TAG:
			t = type_by_id(b, t->type);
			continue;
		}
		return t;
	}
	return NULL;
}

/*
 * The complete type of @kind named @name; NULL if none, ERR_PTR(-ENOTUNIQ)
 * if there are two (the name alone would not say which one is meant).
 */
static const struct btf_type *find_named(const struct sigfwd_btf *b, int kind,
					 const char *name)
{
	const struct btf_type *found = NULL;
	u32 id;

	for (id = 1; id <= b->nr_types; id++) {
		const struct btf_type *t = b->by_id[id];

		if (BTF_INFO_KIND(t->info) != kind || !BTF_INFO_VLEN(t->info) ||
		    strcmp(sigfwd_btf_name(b, t->name_off), name))
			continue;
		if (found)
			return ERR_PTR(-ENOTUNIQ);
		found = t;
	}
	return found;
}

const struct btf_member *sigfwd_btf_member(const struct sigfwd_btf *b,
					   const struct btf_type *s,
					   const char *name)
{
	const struct btf_member *mem = (const void *)(s + 1);
	u32 i;

	for (i = 0; i < BTF_INFO_VLEN(s->info); i++, mem++)
		if (!strcmp(sigfwd_btf_name(b, mem->name_off), name))
			return mem;
	return NULL;
}

size_t sigfwd_btf_member_offset(const struct btf_type *s,
				const struct btf_member *mem)
{
	return (BTF_INFO_KFLAG(s->info) ? BTF_MEMBER_BIT_OFFSET(mem->offset) :
					  mem->offset) / 8;
}

static int check_member(const struct sigfwd_btf *b, const char *sname,
			const struct btf_type *s, const struct sigfwd_btf_spec *m)
{
	const struct btf_member *mem = sigfwd_btf_member(b, s, m->name);
	const struct btf_type *t;
	u32 bits;

	if (!mem)
		goto bad;
	bits = BTF_INFO_KFLAG(s->info) ? BTF_MEMBER_BIT_OFFSET(mem->offset) :
					 mem->offset;
	/* A bitfield is never what the code expects. */
	if (bits % 8 ||
	    (BTF_INFO_KFLAG(s->info) && BTF_MEMBER_BITFIELD_SIZE(mem->offset)))
		goto bad;
	t = resolve_type(b, mem->type);
	if (m->kind == BTF_KIND_PTR) {
		if (!t || BTF_INFO_KIND(t->info) != BTF_KIND_PTR)
			goto bad;
		t = resolve_type(b, t->type);
		if (!t && !m->type)	/* void * */
			goto ok;
		if (!t || (m->type && strcmp(sigfwd_btf_name(b, t->name_off), m->type)))
			goto bad;
		goto ok;
	}
	if (!t || BTF_INFO_KIND(t->info) != m->kind ||
	    (m->type && strcmp(sigfwd_btf_name(b, t->name_off), m->type)) ||
	    (m->size && t->size != m->size))
		goto bad;
ok:
	*m->offset = bits / 8;
	if (m->out)
		*m->out = t;
	return 0;
bad:
	return sigfwd_refuse(-EINVAL, "struct %s.%s missing or not as expected",
			     sname, m->name);
}

int sigfwd_btf_check_members(const struct sigfwd_btf *b, const char *name,
			     const struct btf_type *s,
			     const struct sigfwd_btf_spec *specs, int n)
{
	int i, ret;

	if (!s || BTF_INFO_KIND(s->info) != BTF_KIND_STRUCT ||
	    !BTF_INFO_VLEN(s->info))
		return sigfwd_refuse(-EINVAL, "struct %s not as expected", name);
	for (i = 0; i < n; i++) {
		ret = check_member(b, name, s, &specs[i]);
		if (ret)
			return ret;
	}
	return 0;
}

/* The struct named @name; ERR_PTR() after the refusal if not exactly one. */
const struct btf_type *sigfwd_btf_struct(const struct sigfwd_btf *b,
					 const char *name)
{
	const struct btf_type *s = find_named(b, BTF_KIND_STRUCT, name);

	if (!s)
		return ERR_PTR(sigfwd_refuse(-ENOENT, "struct %s not found in BTF",
					     name));
	if (IS_ERR(s))
		return ERR_PTR(sigfwd_refuse(-EINVAL, "struct %s defined twice in BTF",
					     name));
	return s;
}

/*
 * A plain read: kernel_read_file() would ask the LSMs about a file kind they
 * have no rule for (IPE warns on 6.12).
 */
static void *read_file(const char *path, size_t *size, int *err)
{
	struct file *f = filp_open(path, O_RDONLY, 0);
	loff_t pos = 0, len;
	void *data;
	ssize_t n;

	if (IS_ERR(f)) {
		*err = sigfwd_refuse(PTR_ERR(f), "cannot open %s (%ld)", path,
				     PTR_ERR(f));
		return NULL;
	}
	len = i_size_read(file_inode(f));
	data = len > 0 && len < SZ_256M ? vmalloc(len) : NULL;
	if (!data) {
		*err = sigfwd_refuse(len > 0 ? -ENOMEM : -EINVAL,
				     "cannot read %s (size %lld)", path, len);
		goto out;
	}
	/* sysfs hands out a binary attribute a page at a time. */
	do {
		n = kernel_read(f, data + pos, len - pos, &pos);
	} while (n > 0 && pos < len);
	if (pos != len) {
		*err = sigfwd_refuse(n < 0 ? n : -EIO,
				     "short read of %s (%lld of %lld)", path,
				     pos, len);
		vfree(data);
		data = NULL;
	}
	*size = len;
out:
	filp_close(f, NULL);
	return data;
}

int sigfwd_btf_read(struct sigfwd_btf *b, const char *path)
{
	int ret = 0;

	memset(b, 0, sizeof(*b));
	b->data = read_file(path, &b->size, &ret);
	if (!b->data)
		return ret;
	ret = index_types(b, b->data, b->size);
	if (ret)
		sigfwd_btf_free(b);
	return ret;
}

void sigfwd_btf_free(struct sigfwd_btf *b)
{
	kvfree(b->by_id);
	vfree(b->data);
	b->by_id = NULL;
	b->data = NULL;
}
