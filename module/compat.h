/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every difference between the supported kernels (5.10 .. 7.x) that the
 * module's C code has to know about lives here, nowhere else. Kbuild
 * force-includes this header into every file (as wireguard-linux-compat
 * does), so the code is written against the newest kernel API and older
 * kernels get that API's names here.
 *
 * The SIGFWD_HAVE_* macros come from probes of the target kernel's build tree
 * in module/Kbuild: features, not version numbers, since distributions
 * backport them (RHEL 9's 5.14 has many of 6.x's).
 */
#ifndef SIGFWD_COMPAT_H
#define SIGFWD_COMPAT_H

/* Before any kernel header: every log line names the module. */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/file.h>
#include <linux/ftrace.h>
#include <linux/ptrace.h>

/* 5.11 replaced the pt_regs argument of ftrace callbacks with ftrace_regs. */
#ifndef SIGFWD_HAVE_FTRACE_REGS
#define ftrace_regs pt_regs
static inline struct pt_regs *ftrace_get_regs(struct pt_regs *regs)
{
	return regs;
}
#endif

/*
 * 5.11 turned FTRACE_OPS_FL_RECURSION_SAFE (a promise) into the default, with
 * FTRACE_OPS_FL_RECURSION asking for ftrace's own protection: an extra call
 * for every caller of the hooked function. The callbacks cannot recurse (each
 * ops traces one function, which its callback never calls), so they ask for
 * none; on newer kernels the flag is that default.
 */
#ifndef SIGFWD_HAVE_FTRACE_RECURSION_SAFE
#define FTRACE_OPS_FL_RECURSION_SAFE 0
#endif

/*
 * ftrace_free_filter() is exported from 6.2 (and by backports); without it,
 * resetting the filter to nothing frees the same hash.
 */
#ifndef SIGFWD_HAVE_FTRACE_FREE_FILTER
#define ftrace_free_filter(ops) ftrace_set_filter(ops, NULL, 0, 1)
#endif

/*
 * How a callback reads its function's arguments and redirects the call. Where
 * the kernel has DYNAMIC_FTRACE_WITH_ARGS and the ftrace_regs accessors
 * (6.7+, or a backport), ftrace_regs carries the arguments and the
 * instruction pointer, and the ops do not ask for SAVE_REGS: arm64 6.12+
 * refuses it (-EINVAL), and x86 then skips saving a full pt_regs. Elsewhere
 * the ops ask for SAVE_REGS (without _IF_SUPPORTED: registration fails
 * rather than call back without regs) and use pt_regs.
 */
#if defined(CONFIG_DYNAMIC_FTRACE_WITH_ARGS) && \
	defined(SIGFWD_HAVE_FTRACE_REGS_SET_INSTRUCTION_POINTER)
#define SIGFWD_FTRACE_FLAVOUR "ftrace_regs (WITH_ARGS)"
#define SIGFWD_FTRACE_OPS_FL_REGS 0
#elif defined(CONFIG_X86_64) && \
	defined(CONFIG_HAVE_DYNAMIC_FTRACE_WITH_ARGS) && \
	defined(ftrace_instruction_pointer_set)
/*
 * x86 5.11 .. 6.6: WITH_ARGS without the accessors. Its ftrace_regs is a
 * pt_regs where ftrace_caller saves the argument registers and from which it
 * takes the ip to return to, which a callback may change: livepatch's
 * klp_ftrace_handler() relies on both, without SAVE_REGS.
 */
#define SIGFWD_FTRACE_FLAVOUR "ftrace_regs (WITH_ARGS, x86 pt_regs)"
#define SIGFWD_FTRACE_OPS_FL_REGS 0
#undef ftrace_regs_get_argument
#undef ftrace_regs_set_instruction_pointer
#define ftrace_regs_get_argument(fregs, n) \
	regs_get_kernel_argument(&(fregs)->regs, n)
#define ftrace_regs_set_instruction_pointer(fregs, ip) \
	ftrace_instruction_pointer_set(fregs, ip)
#else
#define SIGFWD_FTRACE_FLAVOUR "pt_regs (SAVE_REGS)"
#define SIGFWD_FTRACE_OPS_FL_REGS FTRACE_OPS_FL_SAVE_REGS
/* Headers without WITH_ARGS may define these as stubs that do nothing. */
#undef ftrace_regs_get_argument
#undef ftrace_regs_set_instruction_pointer
#define ftrace_regs_get_argument(fregs, n) \
	regs_get_kernel_argument(ftrace_get_regs(fregs), n)
#define ftrace_regs_set_instruction_pointer(fregs, ip) \
	instruction_pointer_set(ftrace_get_regs(fregs), ip)
#endif

/* 6.12 made struct fd opaque; older kernels have no fd_file(). */
#ifndef fd_file
#define fd_file(f) ((f).file)
#endif

/*
 * SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (5.19, backported to some older
 * kernels) is read from the running kernel's BTF: sigfwd_layout.
 */

#endif /* SIGFWD_COMPAT_H */
