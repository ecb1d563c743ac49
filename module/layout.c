// SPDX-License-Identifier: GPL-2.0
/*
 * Read the private seccomp struct layouts from /sys/kernel/btf/vmlinux.
 *
 * The offsets differ between releases (5.19 added a member to seccomp_filter,
 * 6.6 changed struct notification, the action cache size depends on config),
 * so none is written down: each member is looked up by name and its type is
 * checked by kind, name and size before the module trusts it.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <uapi/linux/btf.h>
#include <linux/completion.h>
#include <linux/fs.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/vmalloc.h>
#include <linux/wait.h>
#include "layout.h"
#include "symbols.h"

struct sigfwd_layout sigfwd_layout;

/* BTF kinds newer than some of the supported kernels' headers. */
enum {
	SIGFWD_BTF_FLOAT = 16,
	SIGFWD_BTF_DECL_TAG = 17,
	SIGFWD_BTF_TYPE_TAG = 18,
	SIGFWD_BTF_ENUM64 = 19,
};

struct btf_file {
	const struct btf_header *hdr;
	const char *types, *strs;
	u32 types_len, strs_len;
	const struct btf_type **by_id;
	u32 nr_types;
};

static const char *name_of(const struct btf_file *b, u32 off)
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

static int index_types(struct btf_file *b, const void *data, size_t size)
{
	const struct btf_header *h = data;
	const char *p, *end;
	u32 n = 0;
	long extra;
	int pass;

	if (size < sizeof(*h) || h->magic != BTF_MAGIC || h->version != 1 ||
	    h->hdr_len > size ||
	    (u64)h->hdr_len + h->type_off + h->type_len > size ||
	    (u64)h->hdr_len + h->str_off + h->str_len > size)
		return sigfwd_refuse("/sys/kernel/btf/vmlinux has an unknown format");
	b->hdr = h;
	b->types = (const char *)data + h->hdr_len + h->type_off;
	b->types_len = h->type_len;
	b->strs = (const char *)data + h->hdr_len + h->str_off;
	b->strs_len = h->str_len;

	/* Two passes: count, then index (type ids start at 1). */
	for (pass = 0; pass < 2; pass++) {
		p = b->types;
		end = b->types + b->types_len;
		n = 0;
		while (p + sizeof(struct btf_type) <= end) {
			const struct btf_type *t = (const void *)p;

			extra = type_extra(t);
			if (extra < 0)
				return sigfwd_refuse("BTF kind %u unknown",
						     BTF_INFO_KIND(t->info));
			if (pass)
				b->by_id[n + 1] = t;
			n++;
			p += sizeof(*t) + extra;
		}
		if (!pass) {
			b->by_id = kvcalloc(n + 1, sizeof(*b->by_id), GFP_KERNEL);
			if (!b->by_id)
				return -ENOMEM;
			b->nr_types = n;
		}
	}
	return 0;
}

static const struct btf_type *type_by_id(const struct btf_file *b, u32 id)
{
	return id && id <= b->nr_types ? b->by_id[id] : NULL;
}

/* Skip typedefs and qualifiers. */
static const struct btf_type *resolve_type(const struct btf_file *b, u32 id)
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

static const struct btf_type *find_named(const struct btf_file *b, int kind,
					 const char *name)
{
	u32 id;

	for (id = 1; id <= b->nr_types; id++) {
		const struct btf_type *t = b->by_id[id];

		if (BTF_INFO_KIND(t->info) == kind && BTF_INFO_VLEN(t->info) &&
		    !strcmp(name_of(b, t->name_off), name))
			return t;
	}
	return NULL;
}

/* What a member must be: a kind, the name of that type (or of the pointee). */
struct member_spec {
	const char *name;
	size_t *offset;
	int kind;		/* BTF_KIND_STRUCT, _PTR, _ENUM, _INT, ... */
	const char *type;	/* struct/enum name; for _PTR the pointee's */
	size_t size;		/* expected size, 0: do not check */
};

static int check_member(const struct btf_file *b, const char *sname,
			const struct btf_type *s, const struct member_spec *m)
{
	const struct btf_member *mem = (const void *)(s + 1);
	const struct btf_type *t;
	u32 i, bits;

	for (i = 0; i < BTF_INFO_VLEN(s->info); i++, mem++) {
		if (strcmp(name_of(b, mem->name_off), m->name))
			continue;
		bits = BTF_INFO_KFLAG(s->info) ? BTF_MEMBER_BIT_OFFSET(mem->offset) :
						 mem->offset;
		t = resolve_type(b, mem->type);
		if (m->kind == BTF_KIND_PTR && t &&
		    BTF_INFO_KIND(t->info) == BTF_KIND_PTR) {
			t = resolve_type(b, t->type);
			if (!t && !m->type)	/* void * */
				goto ok;
		} else if (m->kind == BTF_KIND_PTR) {
			t = NULL;
		}
		if (!t || bits % 8 ||
		    (m->kind != BTF_KIND_PTR &&
		     BTF_INFO_KIND(t->info) != m->kind) ||
		    (m->type && strcmp(name_of(b, t->name_off), m->type)) ||
		    (m->size && m->kind != BTF_KIND_PTR && t->size != m->size))
			break;
ok:
		*m->offset = bits / 8;
		return 0;
	}
	return sigfwd_refuse("struct %s.%s missing or not as expected", sname,
			     m->name);
}

static int check_struct(const struct btf_file *b, const char *name,
			const struct member_spec *specs, int n)
{
	const struct btf_type *s = find_named(b, BTF_KIND_STRUCT, name);
	int i, ret;

	if (!s)
		return sigfwd_refuse("struct %s not found in BTF", name);
	for (i = 0; i < n; i++) {
		ret = check_member(b, name, s, &specs[i]);
		if (ret)
			return ret;
	}
	return 0;
}

static int read_notify_state(const struct btf_file *b)
{
	const struct btf_type *e = find_named(b, BTF_KIND_ENUM, "notify_state");
	const struct btf_enum *v;
	int i, found = 0;

	if (!e)
		return sigfwd_refuse("enum notify_state not found in BTF");
	v = (const void *)(e + 1);
	for (i = 0; i < BTF_INFO_VLEN(e->info); i++, v++) {
		const char *n = name_of(b, v->name_off);

		if (!strcmp(n, "SECCOMP_NOTIFY_INIT"))
			sigfwd_layout.state_init = v->val, found |= 1;
		else if (!strcmp(n, "SECCOMP_NOTIFY_SENT"))
			sigfwd_layout.state_sent = v->val, found |= 2;
		else if (!strcmp(n, "SECCOMP_NOTIFY_REPLIED"))
			sigfwd_layout.state_replied = v->val, found |= 4;
	}
	if (found != 7 || BTF_INFO_VLEN(e->info) != 3)
		return sigfwd_refuse("enum notify_state not as expected");
	return 0;
}

#define M(n, f, k, t, s) { #n, &sigfwd_layout.f, BTF_KIND_##k, t, s }

static int read_layouts(const struct btf_file *b)
{
	const struct member_spec knotif[] = {
		M(task, knotif_task, PTR, "task_struct", 0),
		M(id, knotif_id, INT, NULL, sizeof(u64)),
		M(data, knotif_data, PTR, "seccomp_data", 0),
		M(state, knotif_state, ENUM, "notify_state", 0),
		M(error, knotif_error, INT, NULL, sizeof(int)),
		M(ready, knotif_ready, STRUCT, "completion",
		  sizeof(struct completion)),
		M(list, knotif_list, STRUCT, "list_head",
		  sizeof(struct list_head)),
	};
	const struct member_spec filter[] = {
		M(users, filter_users, STRUCT, "refcount_struct",
		  sizeof(refcount_t)),
		M(prev, filter_prev, PTR, "seccomp_filter", 0),
		M(prog, filter_prog, PTR, "bpf_prog", 0),
		M(notif, filter_notif, PTR, "notification", 0),
		M(notify_lock, filter_notify_lock, STRUCT, "mutex",
		  sizeof(struct mutex)),
		M(wqh, filter_wqh, STRUCT, "wait_queue_head",
		  sizeof(wait_queue_head_t)),
	};
	const struct member_spec notif[] = {
		M(notifications, notif_list, STRUCT, "list_head",
		  sizeof(struct list_head)),
	};
	int ret;

	ret = check_struct(b, "seccomp_knotif", knotif, ARRAY_SIZE(knotif));
	if (!ret)
		ret = check_struct(b, "seccomp_filter", filter,
				   ARRAY_SIZE(filter));
	if (!ret)
		ret = check_struct(b, "notification", notif, ARRAY_SIZE(notif));
	if (!ret)
		ret = read_notify_state(b);
	return ret;
}

/*
 * A plain read: kernel_read_file() would ask the LSMs about a file kind they
 * have no rule for (IPE warns on 6.12).
 */
static void *read_vmlinux_btf(size_t *size)
{
	static const char path[] = "/sys/kernel/btf/vmlinux";
	struct file *f = filp_open(path, O_RDONLY, 0);
	loff_t pos = 0, len;
	void *data;
	ssize_t n;

	if (IS_ERR(f)) {
		sigfwd_refuse("cannot open %s (%ld)", path, PTR_ERR(f));
		return NULL;
	}
	len = i_size_read(file_inode(f));
	data = len > 0 && len < SZ_256M ? vmalloc(len) : NULL;
	if (!data) {
		sigfwd_refuse("cannot read %s (size %lld)", path, len);
		goto out;
	}
	/* sysfs hands out a binary attribute a page at a time. */
	do {
		n = kernel_read(f, data + pos, len - pos, &pos);
	} while (n > 0 && pos < len);
	if (pos != len) {
		sigfwd_refuse("short read of %s (%lld of %lld)", path, pos, len);
		vfree(data);
		data = NULL;
	}
	*size = len;
out:
	filp_close(f, NULL);
	return data;
}

int sigfwd_read_layout(void)
{
	struct btf_file b = {};
	size_t size = 0;
	void *data;
	int ret;

	data = read_vmlinux_btf(&size);
	if (!data)
		return -ENOENT;
	ret = index_types(&b, data, size);
	if (!ret)
		ret = read_layouts(&b);
	kvfree(b.by_id);
	vfree(data);
	if (!ret)
		pr_info("layout from BTF: knotif.ready@%zu list@%zu state@%zu, filter.prev@%zu prog@%zu notif@%zu notify_lock@%zu wqh@%zu\n",
			sigfwd_layout.knotif_ready, sigfwd_layout.knotif_list,
			sigfwd_layout.knotif_state, sigfwd_layout.filter_prev,
			sigfwd_layout.filter_prog, sigfwd_layout.filter_notif,
			sigfwd_layout.filter_notify_lock,
			sigfwd_layout.filter_wqh);
	return ret;
}
