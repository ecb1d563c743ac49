// SPDX-License-Identifier: GPL-2.0
/*
 * btf_blob MODE IN OUT: write a changed copy of a BTF file (the guest's
 * /sys/kernel/btf/vmlinux), for the module's test_btf_path parameter.
 *   truncate: the type section ends inside the data of the last type with
 *             several entries (members, variables, values)
 *   foreign:  struct task_struct is 64 bytes bigger (the BTF of another build)
 *   decoy:    an earlier struct is renamed "notification", with a list_head
 *             member renamed "notifications" at another offset than the one
 *             in the struct seccomp_filter.notif points to
 *   nokillable: struct seccomp_filter's member wait_killable_recv renamed
 *             (a kernel without SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV)
 * Prints what it changed; exits 1 if the input has no such thing.
 */
#include <linux/btf.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static unsigned char *data;
static size_t size;
static struct btf_header *hdr;
static unsigned char *types, *strs;
static struct btf_type **by_id;
static uint32_t nr;

static long extra_of(const struct btf_type *t)
{
	uint32_t vlen = BTF_INFO_VLEN(t->info);

	switch (BTF_INFO_KIND(t->info)) {
	case 1:				/* INT */
	case 17:			/* DECL_TAG */
		return 4;
	case 2: case 7: case 8: case 9: case 10: case 11: case 12:
	case 16: case 18:		/* no data after the type */
		return 0;
	case 3:				/* ARRAY */
		return 12;
	case 4: case 5:			/* STRUCT, UNION */
		return vlen * 12L;
	case 6:				/* ENUM */
		return vlen * 8L;
	case 13:			/* FUNC_PROTO */
		return vlen * 8L;
	case 14:			/* VAR */
		return 4;
	case 15:			/* DATASEC */
		return vlen * 12L;
	case 19:			/* ENUM64 */
		return vlen * 12L;
	}
	fprintf(stderr, "unknown BTF kind %u\n", BTF_INFO_KIND(t->info));
	exit(2);
}

static void load(const char *path)
{
	FILE *f = fopen(path, "rb");
	size_t cap = 1 << 20, n;
	unsigned char *p;

	if (!f) {
		perror(path);
		exit(2);
	}
	data = malloc(cap);
	while (data && (n = fread(data + size, 1, cap - size, f)) > 0) {
		size += n;
		if (size == cap)
			data = realloc(data, cap *= 2);
	}
	fclose(f);
	if (!data || size < sizeof(*hdr)) {
		fprintf(stderr, "%s: too small\n", path);
		exit(2);
	}
	hdr = (void *)data;
	types = data + hdr->hdr_len + hdr->type_off;
	strs = data + hdr->hdr_len + hdr->str_off;
	for (p = types; p < types + hdr->type_len; nr++)
		p += sizeof(struct btf_type) + extra_of((void *)p);
	by_id = calloc(nr + 1, sizeof(*by_id));
	nr = 0;
	for (p = types; p < types + hdr->type_len;) {
		by_id[++nr] = (void *)p;
		p += sizeof(struct btf_type) + extra_of((void *)p);
	}
}

static const char *name(uint32_t off)
{
	return (const char *)strs + off;
}

/* The first complete struct named @n; its id in *id. */
static struct btf_type *find_struct(const char *n, uint32_t *id)
{
	uint32_t i;

	for (i = 1; i <= nr; i++)
		if (BTF_INFO_KIND(by_id[i]->info) == BTF_KIND_STRUCT &&
		    BTF_INFO_VLEN(by_id[i]->info) && !strcmp(name(by_id[i]->name_off), n)) {
			if (id)
				*id = i;
			return by_id[i];
		}
	fprintf(stderr, "no struct %s\n", n);
	exit(1);
}

static struct btf_member *member(struct btf_type *s, const char *n)
{
	struct btf_member *m = (void *)(s + 1);
	uint32_t i;

	for (i = 0; i < BTF_INFO_VLEN(s->info); i++, m++)
		if (!strcmp(name(m->name_off), n))
			return m;
	fprintf(stderr, "no member %s\n", n);
	exit(1);
}

/* Skip typedefs and qualifiers. */
static struct btf_type *resolve(uint32_t id)
{
	while (id && id <= nr) {
		switch (BTF_INFO_KIND(by_id[id]->info)) {
		case 8: case 9: case 10: case 11: case 18:
			id = by_id[id]->type;
			continue;
		}
		return by_id[id];
	}
	return NULL;
}

static uint32_t bit_offset(struct btf_type *s, struct btf_member *m)
{
	return BTF_INFO_KFLAG(s->info) ? m->offset & 0xffffff : m->offset;
}

static void truncate_last(void)
{
	uint32_t i;

	for (i = nr; i; i--) {
		struct btf_type *t = by_id[i];
		long extra = extra_of(t);

		if (BTF_INFO_VLEN(t->info) >= 2 && extra >= 16) {
			/* Keep the type and a part of the data following it. */
			hdr->type_len = (unsigned char *)t - types + sizeof(*t) +
					extra / BTF_INFO_VLEN(t->info);
			printf("type section cut inside type %u of %u (kind %u, %u entries)\n",
			       i, nr, BTF_INFO_KIND(t->info), BTF_INFO_VLEN(t->info));
			return;
		}
	}
	fprintf(stderr, "no type to cut\n");
	exit(1);
}

static void foreign(void)
{
	struct btf_type *t = find_struct("task_struct", NULL);

	printf("struct task_struct: size %u -> %u\n", t->size, t->size + 64);
	t->size += 64;
}

static void decoy(void)
{
	struct btf_type *f = find_struct("seccomp_filter", NULL);
	struct btf_type *p = resolve(member(f, "notif")->type);
	struct btf_type *n = p ? resolve(p->type) : NULL;
	struct btf_member *real, *m;
	uint32_t i, j, nid = 0;

	if (!n || BTF_INFO_KIND(n->info) != BTF_KIND_STRUCT) {
		fprintf(stderr, "seccomp_filter.notif is not a struct pointer\n");
		exit(1);
	}
	for (i = 1; i <= nr; i++)
		if (by_id[i] == n)
			nid = i;
	real = member(n, "notifications");
	/* An earlier struct with a list_head member at another offset. */
	for (i = 1; i < nid; i++) {
		struct btf_type *s = by_id[i];

		if (BTF_INFO_KIND(s->info) != BTF_KIND_STRUCT ||
		    BTF_INFO_KFLAG(s->info))
			continue;
		m = (void *)(s + 1);
		for (j = 0; j < BTF_INFO_VLEN(s->info); j++, m++) {
			struct btf_type *mt = resolve(m->type);

			if (!mt || BTF_INFO_KIND(mt->info) != BTF_KIND_STRUCT ||
			    strcmp(name(mt->name_off), "list_head") ||
			    m->offset == real->offset)
				continue;
			printf("struct %s (id %u) renamed notification, its %s@%u renamed notifications; the real one is id %u, notifications@%u\n",
			       name(s->name_off), i, name(m->name_off),
			       m->offset / 8, nid, bit_offset(n, real) / 8);
			s->name_off = n->name_off;
			m->name_off = real->name_off;
			return;
		}
	}
	fprintf(stderr, "no struct to rename\n");
	exit(1);
}

static void nokillable(void)
{
	struct btf_type *f = find_struct("seccomp_filter", NULL);
	struct btf_member *m = member(f, "wait_killable_recv");

	/* A name no other member has, whose string exists. */
	m->name_off = f->name_off;
	printf("seccomp_filter.wait_killable_recv renamed seccomp_filter\n");
}

int main(int argc, char **argv)
{
	FILE *f;

	if (argc != 4) {
		fprintf(stderr, "usage: btf_blob truncate|foreign|decoy|nokillable IN OUT\n");
		return 2;
	}
	load(argv[2]);
	if (!strcmp(argv[1], "truncate"))
		truncate_last();
	else if (!strcmp(argv[1], "foreign"))
		foreign();
	else if (!strcmp(argv[1], "decoy"))
		decoy();
	else if (!strcmp(argv[1], "nokillable"))
		nokillable();
	else
		return 2;
	f = fopen(argv[3], "wb");
	if (!f || fwrite(data, 1, size, f) != size || fclose(f)) {
		perror(argv[3]);
		return 2;
	}
	return 0;
}
