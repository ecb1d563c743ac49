// SPDX-License-Identifier: GPL-2.0
/*
 * arm64: direct calls are `bl imm26` (0b100101 and a signed word offset),
 * returning to the BL + 4. A BL reaches +-128 MB only: a callee farther away
 * is called through a veneer, whose address is no function's start, so its
 * calls never match a target by name and the caller refuses to load.
 */
#include <linux/bits.h>
#include <linux/uaccess.h>
#include <asm/insn.h>
#include "../arch.h"

#define BL_MASK		0xfc000000
#define BL_OPCODE	0x94000000
#define BL_IMM26	GENMASK(25, 0)

int sigfwd_arch_scan_calls(unsigned long start, unsigned long size,
			   sigfwd_call_fn fn, void *arg)
{
	struct sigfwd_call call;
	unsigned long p;
	__le32 raw;
	u32 insn;
	int ret;

	/* Instructions are 4 bytes, aligned; data in text is never a BL here. */
	for (p = ALIGN(start, AARCH64_INSN_SIZE);
	     p + AARCH64_INSN_SIZE <= start + size; p += AARCH64_INSN_SIZE) {
		if (copy_from_kernel_nofault(&raw, (void *)p, sizeof(raw)))
			return -EFAULT;
		insn = le32_to_cpu(raw);
		if ((insn & BL_MASK) != BL_OPCODE)
			continue;
		call.ret_addr = p + AARCH64_INSN_SIZE;
		/* imm26 counts words, sign-extended from bit 25. */
		call.target = p + ((long)sign_extend32(insn & BL_IMM26, 25) << 2);
		ret = fn(&call, arg);
		if (ret)
			return ret;
	}
	return 0;
}

bool sigfwd_arch_helper_callee(const char *name)
{
	/* No thunks: arm64 kernels call functions directly. */
	return false;
}
