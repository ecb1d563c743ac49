/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every difference between the supported kernels (5.10 .. 7.x) that the
 * module's C code has to know about lives here, nowhere else.
 */
#ifndef SIGFWD_COMPAT_H
#define SIGFWD_COMPAT_H

#include <linux/version.h>
#include <linux/ftrace.h>

/*
 * 5.11 replaced the pt_regs argument of ftrace callbacks with ftrace_regs and
 * turned FTRACE_OPS_FL_RECURSION_SAFE (a promise) into the default, with
 * FTRACE_OPS_FL_RECURSION asking for ftrace's own protection: an extra
 * call for every caller of the hooked function. The callback cannot recurse
 * (its ops traces one function, which it never calls), so it asks for none.
 */
#if LINUX_VERSION_CODE < KERNEL_VERSION(5, 11, 0)
typedef struct pt_regs sigfwd_fregs_t;
#define SIGFWD_FTRACE_RECURSION FTRACE_OPS_FL_RECURSION_SAFE
static inline struct pt_regs *sigfwd_get_regs(sigfwd_fregs_t *fregs)
{
	return fregs;
}
#else
typedef struct ftrace_regs sigfwd_fregs_t;
#define SIGFWD_FTRACE_RECURSION 0
static inline struct pt_regs *sigfwd_get_regs(sigfwd_fregs_t *fregs)
{
	return ftrace_get_regs(fregs);
}
#endif

/* ftrace_free_filter() is exported from 5.11; resetting frees the same hashes. */
#if LINUX_VERSION_CODE < KERNEL_VERSION(5, 11, 0)
#define sigfwd_ftrace_free_filter(ops) ftrace_set_filter(ops, NULL, 0, 1)
#else
#define sigfwd_ftrace_free_filter(ops) ftrace_free_filter(ops)
#endif

/* 6.12 made struct fd opaque; older kernels have no fd_file(). */
#include <linux/file.h>
#ifndef fd_file
#define fd_file(f) ((f).file)
#endif

/* The kernel the module was built for, which modversions makes the running one. */
#define SIGFWD_KERNEL_VERSION LINUX_VERSION_CODE

/* 5.19 added SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV. */
#define SIGFWD_NATIVE_KILLABLE_RECV \
	(LINUX_VERSION_CODE >= KERNEL_VERSION(5, 19, 0))

#endif /* SIGFWD_COMPAT_H */
