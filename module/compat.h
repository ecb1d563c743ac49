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
 * The SIGFWD_HAVE_* macros come from probes of the target kernel's build tree
 * in module/Kbuild: features, not version numbers, since distributions
 * backport them.
 *
 * 5.11 replaced the pt_regs argument of ftrace callbacks with ftrace_regs and
 * turned FTRACE_OPS_FL_RECURSION_SAFE (a promise) into the default, with
 * FTRACE_OPS_FL_RECURSION asking for ftrace's own protection: an extra
 * call for every caller of the hooked function. The callback cannot recurse
 * (its ops traces one function, which it never calls), so it asks for none.
 */
#ifdef SIGFWD_HAVE_FTRACE_REGS
typedef struct ftrace_regs sigfwd_fregs_t;
static inline struct pt_regs *sigfwd_get_regs(sigfwd_fregs_t *fregs)
{
	return ftrace_get_regs(fregs);
}
#else
typedef struct pt_regs sigfwd_fregs_t;
static inline struct pt_regs *sigfwd_get_regs(sigfwd_fregs_t *fregs)
{
	return fregs;
}
#endif

#ifdef SIGFWD_HAVE_FTRACE_RECURSION_SAFE
#define SIGFWD_FTRACE_RECURSION FTRACE_OPS_FL_RECURSION_SAFE
#else
#define SIGFWD_FTRACE_RECURSION 0
#endif

/*
 * ftrace_free_filter() is exported from 6.2 (and by backports); without it,
 * resetting the filter to nothing frees the same hash.
 */
#ifdef SIGFWD_HAVE_FTRACE_FREE_FILTER
#define sigfwd_ftrace_free_filter(ops) ftrace_free_filter(ops)
#else
#define sigfwd_ftrace_free_filter(ops) ftrace_set_filter(ops, NULL, 0, 1)
#endif

/* 6.12 made struct fd opaque; older kernels have no fd_file(). */
#include <linux/file.h>
#ifndef fd_file
#define fd_file(f) ((f).file)
#endif

/* The kernel the module was built for, which modversions makes the running one. */
#define SIGFWD_KERNEL_VERSION LINUX_VERSION_CODE

/*
 * SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (5.19, backported to some older
 * kernels) is read from the running kernel's BTF: sigfwd_layout.
 */

#endif /* SIGFWD_COMPAT_H */
