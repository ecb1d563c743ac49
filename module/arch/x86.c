// SPDX-License-Identifier: GPL-2.0
/* x86-64: direct calls are `call rel32` (0xe8 and a 32-bit displacement). */
#include <linux/string.h>
#include <linux/uaccess.h>
#include "../arch.h"

#define CALL_REL32 0xe8

/*
 * Every byte offset is tried: x86 code cannot be split into instructions
 * without decoding it, and a stray 0xe8 only reports a call nobody makes.
 */
int sigfwd_arch_scan_calls(unsigned long start, unsigned long size,
			   sigfwd_call_fn fn, void *arg)
{
	struct sigfwd_call call;
	unsigned long p;
	u8 insn[5];
	s32 rel;
	int ret;

	for (p = start; p + sizeof(insn) <= start + size; p++) {
		if (copy_from_kernel_nofault(insn, (void *)p, sizeof(insn)))
			return -EFAULT;
		if (insn[0] != CALL_REL32)
			continue;
		memcpy(&rel, &insn[1], sizeof(rel));
		call.ret_addr = p + sizeof(insn);
		call.target = call.ret_addr + (long)rel;
		ret = fn(&call, arg);
		if (ret)
			return ret;
	}
	return 0;
}

bool sigfwd_arch_helper_callee(const char *name)
{
	/* Retpoline and return thunks; 7.x names them by their __pi_ alias. */
	return str_has_prefix(name, "__x86_") ||
	       str_has_prefix(name, "__pi___x86_");
}
