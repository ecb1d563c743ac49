/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the module needs to know about one architecture's machine code: the
 * direct calls a function makes. Each supported architecture implements this
 * in arch/$(SRCARCH).c, which Kbuild picks; a new architecture is one more
 * file. Redirecting a hooked call needs nothing per architecture: the kernel's
 * ftrace API sets the instruction pointer (intercept.h).
 */
#ifndef SIGFWD_ARCH_H
#define SIGFWD_ARCH_H

#include <linux/types.h>

/* One direct call in a function's code. */
struct sigfwd_call {
	unsigned long ret_addr;	/* where the callee returns to */
	unsigned long target;	/* where the call goes (a function, a thunk) */
};

/*
 * Called for each call found; a non-zero return stops the scan and is
 * returned by sigfwd_arch_scan_calls().
 */
typedef int (*sigfwd_call_fn)(const struct sigfwd_call *call, void *arg);

/*
 * Find every direct call in the code at [@start, @start + @size) and its
 * target (x86-64: call rel32; arm64: bl imm26, returning to the BL + 4). The
 * scan may also report a call that is not one (an x86 operand that happens to
 * look like a call): callers match targets by name and return addresses
 * exactly, so such a report can only add an address nothing returns to.
 * Returns 0, -EFAULT if the code cannot be read, or what @fn returned.
 */
int sigfwd_arch_scan_calls(unsigned long start, unsigned long size,
			   sigfwd_call_fn fn, void *arg);

/*
 * Is @name a compiler or architecture helper that a function may call
 * without that being part of its logic (x86 retpoline and return thunks)?
 */
bool sigfwd_arch_helper_callee(const char *name);

#endif
