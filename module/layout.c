// SPDX-License-Identifier: GPL-2.0
/*
 * Read the private seccomp struct layouts from /sys/kernel/btf/vmlinux.
 *
 * The offsets differ between releases (5.19 added a member to seccomp_filter,
 * 6.6 changed struct notification, the action cache size depends on config),
 * so none is written down: each member is looked up by name and its type is
 * checked by kind, name and size before the module trusts it.
 */

#include <uapi/linux/btf.h>
#include <linux/completion.h>
#include <linux/fs.h>
#include <linux/list.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/sched.h>
#include <linux/seccomp.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/stddef.h>
#include <linux/string.h>
#include <linux/vmalloc.h>
#include <linux/wait.h>
#include "layout.h"
#include "sigfwd.h"

struct sigfwd_layout sigfwd_layout;

static char *test_btf_path;
module_param(test_btf_path, charp, 0400);
MODULE_PARM_DESC(test_btf_path,
		 "Testing only: read the kernel's BTF from this file");

/* BTF kinds newer than some of the supported kernels' headers. */
enum {
	SIGFWD_BTF_FLOAT = 16,
	SIGFWD_BTF_DECL_TAG = 17,
	SIGFWD_BTF_TYPE_TAG = 18,
	SIGFWD_BTF_ENUM64 = 19,
};

#define BTF_MIN_HDR offsetofend(struct btf_header, str_len)

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

/*
 * The complete type of @kind named @name; NULL if none, ERR_PTR(-ENOTUNIQ)
 * if there are two (the name alone would not say which one is meant).
 */
static const struct btf_type *find_named(const struct btf_file *b, int kind,
					 const char *name)
{
	const struct btf_type *found = NULL;
	u32 id;

	for (id = 1; id <= b->nr_types; id++) {
		const struct btf_type *t = b->by_id[id];

		if (BTF_INFO_KIND(t->info) != kind || !BTF_INFO_VLEN(t->info) ||
		    strcmp(name_of(b, t->name_off), name))
			continue;
		if (found)
			return ERR_PTR(-ENOTUNIQ);
		found = t;
	}
	return found;
}

/* What a member must be: a kind, the name of that type (or of the pointee). */
struct member_spec {
	const char *name;
	size_t *offset;
	int kind;		/* BTF_KIND_STRUCT, _PTR, _ENUM, _INT, ... */
	const char *type;	/* struct/enum name; for _PTR the pointee's */
	size_t size;		/* expected size, 0: do not check */
	const struct btf_type **out;	/* the type (for _PTR the pointee) */
};

static const struct btf_member *find_member(const struct btf_file *b,
					    const struct btf_type *s,
					    const char *name)
{
	const struct btf_member *mem = (const void *)(s + 1);
	u32 i;

	for (i = 0; i < BTF_INFO_VLEN(s->info); i++, mem++)
		if (!strcmp(name_of(b, mem->name_off), name))
			return mem;
	return NULL;
}

static int check_member(const struct btf_file *b, const char *sname,
			const struct btf_type *s, const struct member_spec *m)
{
	const struct btf_member *mem = find_member(b, s, m->name);
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
		if (!t || (m->type && strcmp(name_of(b, t->name_off), m->type)))
			goto bad;
		goto ok;
	}
	if (!t || BTF_INFO_KIND(t->info) != m->kind ||
	    (m->type && strcmp(name_of(b, t->name_off), m->type)) ||
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

static int check_members(const struct btf_file *b, const char *name,
			 const struct btf_type *s,
			 const struct member_spec *specs, int n)
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

static const struct btf_type *find_struct(const struct btf_file *b,
					  const char *name)
{
	const struct btf_type *s = find_named(b, BTF_KIND_STRUCT, name);

	if (!s)
		sigfwd_refuse(-ENOENT, "struct %s not found in BTF", name);
	else if (IS_ERR(s))
		sigfwd_refuse(-EINVAL, "struct %s defined twice in BTF", name);
	return IS_ERR(s) ? NULL : s;
}

/* Reached through knotif.state: the enum the member really has. */
static int read_notify_state(const struct btf_file *b,
			     const struct btf_type *e)
{
	const struct btf_enum *v;
	int i, found = 0;

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
	/* The state is read as a u32 (wait.c). */
	if (found != 7 || BTF_INFO_VLEN(e->info) != 3 || e->size != sizeof(u32))
		return sigfwd_refuse(-EINVAL, "enum notify_state not as expected");
	return 0;
}

/*
 * Public structs whose layout the module's own headers know: if the BTF
 * disagrees, it does not describe the kernel the module was built for (a
 * BTF file of another build), and none of its private offsets can be trusted.
 */
struct public_spec {
	const char *sname, *member;	/* member NULL: the struct's size */
	size_t value;
};

#define P_SIZE(s) { #s, NULL, sizeof(struct s) }
#define P_OFF(s, m) { #s, #m, offsetof(struct s, m) }

static int check_public(const struct btf_file *b)
{
	static const struct public_spec specs[] = {
		P_SIZE(list_head),
		P_SIZE(completion),
		P_OFF(completion, wait),
		P_SIZE(wait_queue_head),
		P_OFF(wait_queue_head, head),
		P_SIZE(seccomp_data),
		P_OFF(seccomp_data, arch),
		P_OFF(seccomp_data, instruction_pointer),
		P_OFF(seccomp_data, args),
		P_SIZE(task_struct),
		P_OFF(task_struct, seccomp),
		P_OFF(task_struct, sighand),
		P_OFF(task_struct, pending),
	};
	const struct btf_member *mem;
	const struct btf_type *s;
	size_t value;
	int i;

	for (i = 0; i < ARRAY_SIZE(specs); i++) {
		s = find_struct(b, specs[i].sname);
		if (!s)
			return -ENOENT;
		if (!specs[i].member) {
			value = s->size;
		} else {
			mem = find_member(b, s, specs[i].member);
			if (!mem)
				return sigfwd_refuse(-EINVAL, "struct %s.%s missing in BTF",
							  specs[i].sname,
							  specs[i].member);
			value = (BTF_INFO_KFLAG(s->info) ?
				 BTF_MEMBER_BIT_OFFSET(mem->offset) :
				 mem->offset) / 8;
		}
		if (value != specs[i].value)
			return sigfwd_refuse(-EINVAL,
				"BTF is not the running kernel's (%s of struct %s: %zu, built with %zu)",
						  specs[i].member ?: "size",
						  specs[i].sname, value,
						  specs[i].value);
	}
	return 0;
}

#define M(n, f, k, t, s) { #n, &sigfwd_layout.f, BTF_KIND_##k, t, s }

static int read_layouts(const struct btf_file *b)
{
	const struct btf_type *notif_type = NULL, *state_type = NULL;
	const struct member_spec knotif[] = {
		M(task, knotif_task, PTR, "task_struct", 0),
		M(id, knotif_id, INT, NULL, sizeof(u64)),
		M(data, knotif_data, PTR, "seccomp_data", 0),
		{ "state", &sigfwd_layout.knotif_state, BTF_KIND_ENUM,
		  "notify_state", sizeof(u32), &state_type },
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
		{ "notif", &sigfwd_layout.filter_notif, BTF_KIND_PTR,
		  "notification", 0, &notif_type },
		M(notify_lock, filter_notify_lock, STRUCT, "mutex",
		  sizeof(struct mutex)),
		M(wqh, filter_wqh, STRUCT, "wait_queue_head",
		  sizeof(wait_queue_head_t)),
	};
	const struct member_spec notif[] = {
		M(notifications, notif_list, STRUCT, "list_head",
		  sizeof(struct list_head)),
	};
	const struct btf_type *s;
	int ret;

	ret = check_public(b);
	if (ret)
		return ret;
	s = find_struct(b, "seccomp_knotif");
	if (!s)
		return -ENOENT;
	ret = check_members(b, "seccomp_knotif", s, knotif, ARRAY_SIZE(knotif));
	if (ret)
		return ret;
	ret = read_notify_state(b, state_type);
	if (ret)
		return ret;
	s = find_struct(b, "seccomp_filter");
	if (!s)
		return -ENOENT;
	ret = check_members(b, "seccomp_filter", s, filter, ARRAY_SIZE(filter));
	if (ret)
		return ret;
	/* 5.19's SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV, or a backport of it. */
	sigfwd_layout.native_killable_recv =
		!!find_member(b, s, "wait_killable_recv");
	/* The struct seccomp_filter.notif points to, not any of that name. */
	return check_members(b, "notification", notif_type, notif,
			     ARRAY_SIZE(notif));
}

/*
 * A plain read: kernel_read_file() would ask the LSMs about a file kind they
 * have no rule for (IPE warns on 6.12).
 */
static void *read_vmlinux_btf(size_t *size, int *err)
{
	const char *path = test_btf_path ?: "/sys/kernel/btf/vmlinux";
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

int sigfwd_read_layout(void)
{
	struct btf_file b = {};
	size_t size = 0;
	void *data;
	int ret = 0;

	data = read_vmlinux_btf(&size, &ret);
	if (!data)
		return ret;
	ret = index_types(&b, data, size);
	if (!ret)
		ret = read_layouts(&b);
	kvfree(b.by_id);
	vfree(data);
	return ret;
}

/* What the layout check found; logged once the whole load has succeeded. */
void sigfwd_log_layout(void)
{
	pr_info("layout from BTF: knotif.ready@%zu list@%zu state@%zu, filter.prev@%zu prog@%zu notif@%zu notify_lock@%zu wqh@%zu, notification.notifications@%zu%s\n",
		sigfwd_layout.knotif_ready, sigfwd_layout.knotif_list,
		sigfwd_layout.knotif_state, sigfwd_layout.filter_prev,
		sigfwd_layout.filter_prog, sigfwd_layout.filter_notif,
		sigfwd_layout.filter_notify_lock,
		sigfwd_layout.filter_wqh, sigfwd_layout.notif_list,
		sigfwd_layout.native_killable_recv ?
		", wait_killable_recv" : "");
}
