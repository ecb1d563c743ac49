/* SPDX-License-Identifier: GPL-2.0 */
/* Interfaces between the module's files. */
#ifndef SIGFWD_H
#define SIGFWD_H

#include <linux/types.h>
#include <uapi/linux/seccomp_sigfwd.h>

/* Policy bits implemented so far. */
#define SIGFWD_POLICIES SECCOMP_SIGFWD_KILLABLE

int sigfwd_device_init(void);
void sigfwd_device_exit(void);

#endif
