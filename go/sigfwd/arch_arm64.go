// SPDX-License-Identifier: LGPL-2.1-or-later

package sigfwd

const (
	auditArch  = 0xc00000b7 // AUDIT_ARCH_AARCH64
	sysSeccomp = 277
)
