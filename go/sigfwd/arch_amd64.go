// SPDX-License-Identifier: LGPL-2.1-or-later

package sigfwd

const (
	auditArch  = 0xc000003e // AUDIT_ARCH_X86_64
	sysSeccomp = 317
)
