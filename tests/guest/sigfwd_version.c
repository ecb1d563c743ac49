// SPDX-License-Identifier: GPL-2.0
/*
 * sigfwd_version: print the module's VERSION answer ("features 0x..") and
 * whether the running kernel accepts SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
 * ("kernel_killable_recv 0|1"), tried in a child that is then discarded.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <linux/seccomp_sigfwd.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
#define SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (1UL << 5)
#endif

static int kernel_killable_recv(void)
{
	struct sock_filter allow = BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	struct sock_fprog prog = { .len = 1, .filter = &allow };
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
			_exit(2);
		_exit(syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
			      SECCOMP_FILTER_FLAG_NEW_LISTENER |
			      SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV,
			      &prog) >= 0 ? 1 : errno == EINVAL ? 0 : 2);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return 2;
	return WEXITSTATUS(status);
}

int main(void)
{
	struct seccomp_sigfwd_version v;
	int fd = open(SECCOMP_SIGFWD_DEVICE, O_RDWR | O_CLOEXEC);

	if (fd < 0 || ioctl(fd, SECCOMP_SIGFWD_IOC_VERSION, &v)) {
		perror(SECCOMP_SIGFWD_DEVICE);
		return 1;
	}
	printf("features %#x\nkernel_killable_recv %d\n", v.features,
	       kernel_killable_recv());
	return 0;
}
