# SPDX-License-Identifier: GPL-2.0
# Kernel API differences are detected in the target's build tree, not from
# its version: distributions backport them (RHEL 9's 5.14 has many of 6.x's).
# An export is read from Module.symvers, a declaration from the headers.
sigfwd_exports = $(shell grep -qsE '^0x[0-9a-f]+[[:space:]]+$(1)[[:space:]]' \
	$(objtree)/Module.symvers && echo y)
sigfwd_header_has = $(shell grep -qsw '$(2)' $(addprefix $(srctree)/,$(1)) \
	&& echo y)
sigfwd_ftrace_headers := include/linux/ftrace.h include/linux/ftrace_regs.h \
	arch/$(SRCARCH)/include/asm/ftrace.h

# ftrace_free_filter(): exported in 6.2 (and by backports).
ifeq ($(call sigfwd_exports,ftrace_free_filter),y)
ccflags-y += -DSIGFWD_HAVE_FTRACE_FREE_FILTER
endif
# 5.11: ftrace callbacks get struct ftrace_regs instead of struct pt_regs.
ifeq ($(call sigfwd_header_has,include/linux/ftrace.h,ftrace_regs),y)
ccflags-y += -DSIGFWD_HAVE_FTRACE_REGS
endif
# 5.11 inverted the recursion flag: FTRACE_OPS_FL_RECURSION_SAFE went away.
ifeq ($(call sigfwd_header_has,include/linux/ftrace.h,FTRACE_OPS_FL_RECURSION_SAFE),y)
ccflags-y += -DSIGFWD_HAVE_FTRACE_RECURSION_SAFE
endif
# The ftrace_regs accessors (6.12 has them, 6.1 not): with
# DYNAMIC_FTRACE_WITH_ARGS, callbacks need no SAVE_REGS (compat.h).
ifeq ($(call sigfwd_header_has,$(sigfwd_ftrace_headers),ftrace_regs_set_instruction_pointer),y)
ifeq ($(call sigfwd_header_has,$(sigfwd_ftrace_headers),ftrace_regs_get_argument),y)
ccflags-y += -DSIGFWD_HAVE_FTRACE_REGS_SET_INSTRUCTION_POINTER
endif
endif
