/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Minimal case harness for the guest programs. A program lists its cases
 * with CASE(name) functions; `prog --list` prints them, `prog NAME` runs one
 * and exits 0 (pass), 1 (fail) or 77 (skip). The guest init runs one process
 * per case, so a case may leave children or fds behind only on failure.
 */
#ifndef SIGFWD_HARNESS_H
#define SIGFWD_HARNESS_H

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "progs.h"

struct tcase {
	const char *name;
	int (*fn)(void);
};

#define CASE(n)								\
	static int n(void);						\
	static const struct tcase __tc_##n				\
		__attribute__((used, section("tcases"), aligned(8))) =	\
		{ #n, n };						\
	static int n(void)

extern const struct tcase __start_tcases[], __stop_tcases[];

#define SKIP(...) do { printf(__VA_ARGS__); printf("\n"); return 77; } while (0)
#define FAIL(...) do {							\
		printf("FAIL %s:%d: ", __FILE__, __LINE__);		\
		printf(__VA_ARGS__);					\
		printf("\n");						\
		return 1;						\
	} while (0)
/* Check a condition; print what was expected on failure. */
#define CHECK(cond, ...) do { if (!(cond)) FAIL(__VA_ARGS__); } while (0)
/* Like FAIL/CHECK, for cases that must clean up at a label "out". */
#define BAIL(...) do {							\
		printf("FAIL %s:%d: ", __FILE__, __LINE__);		\
		printf(__VA_ARGS__);					\
		printf("\n");						\
		goto out;						\
	} while (0)
#define ENSURE(cond, ...) do { if (!(cond)) BAIL(__VA_ARGS__); } while (0)
int main(int argc, char **argv)
{
	const struct tcase *c;

	setvbuf(stdout, NULL, _IONBF, 0);
	if (argc == 2 && !strcmp(argv[1], "--list")) {
		for (c = __start_tcases; c < __stop_tcases; c++)
			printf("%s\n", c->name);
		return 0;
	}
	for (c = __start_tcases; argc == 2 && c < __stop_tcases; c++)
		if (!strcmp(argv[1], c->name))
			return c->fn();
	fprintf(stderr, "usage: %s --list | CASE\n", argv[0]);
	return 2;
}

#endif
