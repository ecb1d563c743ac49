/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The guest programs on the kernel's own kselftest_harness.h (from the
 * unpacked linux-source, see scripts/build-guest), with the interface the
 * guest plan uses: `prog --list` prints one case a line (a TEST() by its
 * name, a fixture's test as fixture[.variant].test), `prog CASE` runs that
 * case alone and prints KTAP. Anything else goes to the harness (-l, -r...).
 *
 * Test timeouts are scaled by SIGFWD_SLOW, as slow_ms() scales deadlines.
 */
#ifndef SIGFWD_TEST_H
#define SIGFWD_TEST_H

#include "progs.h"
#include "kselftest_harness.h"

/* A call that must fail with errno @e. */
#define ASSERT_ERRNO(e, call) do {					\
		errno = 0;						\
		ASSERT_EQ(-1, (long)(call)) TH_LOG("%s succeeded", #call); \
		ASSERT_EQ(e, errno) TH_LOG("%s: %s", #call, strerror(errno)); \
	} while (0)

static void sigfwd_case_name(char *buf, size_t len,
			     const struct __fixture_metadata *f,
			     const struct __fixture_variant_metadata *v,
			     const struct __test_metadata *t)
{
	if (!strcmp(f->name, "global"))
		snprintf(buf, len, "%s", t->name);
	else
		snprintf(buf, len, "%s%s%s.%s", f->name, v && v->name[0] ? "." : "",
			 v ? v->name : "", t->name);
}

int main(int argc, char **argv)
{
	struct __fixture_variant_metadata no_variant = { .name = "" };
	const struct __fixture_variant_metadata *v;
	int list = argc == 2 && !strcmp(argv[1], "--list");
	struct __fixture_metadata *f;
	struct __test_metadata *t;
	char name[256], full[256];
	char *run[] = { argv[0], "-r", full, NULL };
	long slow = slow_ms(1);

	for (f = __fixture_list; f; f = f->next)
		for (t = f->tests; t; t = t->next)
			t->timeout *= slow;
	if (argc != 2 || (argv[1][0] == '-' && !list))
		return test_harness_run(argc, argv);
	for (f = __fixture_list; f; f = f->next)
		for (v = f->variant ?: &no_variant; v; v = v->next)
			for (t = f->tests; t; t = t->next) {
				sigfwd_case_name(name, sizeof(name), f, v, t);
				if (list) {
					printf("%s\n", name);
					continue;
				}
				if (strcmp(name, argv[1]))
					continue;
				snprintf(full, sizeof(full), "%s.%s%s%s", f->name,
					 v->name, v->name[0] ? "." : "", t->name);
				return test_harness_run(3, run);
			}
	if (list)
		return 0;
	fprintf(stderr, "%s: no case %s\n", argv[0], argv[1]);
	return KSFT_FAIL;
}

#endif
