// SPDX-License-Identifier: GPL-2.0
/*
 * sigfwd-supervise: a reference supervisor. It runs a command with its
 * writes to stdout trapped, emulates each write slowly (one byte every
 * DELAY ms, as a slow device would), and when the module forwards a signal
 * for the write in progress, answers with the bytes written so far: the
 * partial result a real write() would return.
 *
 *   sigfwd-supervise [-d DELAY_MS] COMMAND [ARG...]
 *
 * Needs the seccomp_sigfwd module; a how-to for libsigfwd.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "sigfwd.h"

#define POLICY (SECCOMP_SIGFWD_FORWARD | SECCOMP_SIGFWD_KILLABLE_BEFORE_RECV)

static int delay_ms = 10;

/* In the child: trap write(1, ...) with the FORWARD policy; the listener. */
static int trap_stdout_writes(void)
{
	struct sock_filter insns[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_write, 0, 3),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[0])),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 1, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, sigfwd_ret_notif(POLICY)),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { .len = 6, .filter = insns };

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		return -1;
	return syscall(__NR_seccomp, SECCOMP_SET_MODE_FILTER,
		       SECCOMP_FILTER_FLAG_NEW_LISTENER, &prog);
}

static int pass_fd(int sock, int fd, int sending)
{
	char c = 0, buf[CMSG_SPACE(sizeof(int))] = { 0 };
	struct iovec iov = { &c, 1 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
			      .msg_control = buf, .msg_controllen = sizeof(buf) };
	struct cmsghdr *cm;

	if (sending) {
		cm = CMSG_FIRSTHDR(&msg);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cm), &fd, sizeof(int));
		return sendmsg(sock, &msg, 0) == 1 ? 0 : -1;
	}
	if (recvmsg(sock, &msg, 0) != 1 || !(cm = CMSG_FIRSTHDR(&msg)))
		return -1;
	memcpy(&fd, CMSG_DATA(cm), sizeof(int));
	return fd;
}

/* Did the module forward a signal (or a kill) for notification @id? */
static int signalled(int dev, __u64 id, int *killed)
{
	struct seccomp_sigfwd_signal s;
	int hit = 0;

	while (sigfwd_recv_signal(dev, &s) == 0) {
		if (s.id != id)
			continue;
		hit = 1;
		*killed |= !!(s.flags & SECCOMP_SIGFWD_SIG_KILLED);
		fprintf(stderr, "sigfwd-supervise: signal %u for write %llx%s\n",
			s.signo, (unsigned long long)id,
			s.flags & SECCOMP_SIGFWD_SIG_KILLED ? " (killed)" : "");
	}
	return hit;
}

/* Emulate write(1, buf, count) of @n byte by byte; reply with what was done. */
static void emulate_write(int listener, int dev, const struct seccomp_notif *n)
{
	size_t count = n->data.args[2], done = 0;
	struct timespec ts = { 0, delay_ms * 1000000L };
	char *buf = malloc(count ? count : 1);
	struct iovec local = { buf, count };
	struct iovec remote = { (void *)(unsigned long)n->data.args[1], count };
	int killed = 0;

	if (!buf || process_vm_readv(n->pid, &local, 1, &remote, 1, 0) != (ssize_t)count ||
	    ioctl(listener, SECCOMP_IOCTL_NOTIF_ID_VALID, &n->id)) {
		sigfwd_reply(listener, n->id, 0, -EFAULT);
		free(buf);
		return;
	}
	while (done < count && !signalled(dev, n->id, &killed)) {
		if (write(STDOUT_FILENO, buf + done, 1) != 1)
			break;
		done++;
		nanosleep(&ts, NULL);
	}
	free(buf);
	if (killed)
		return;
	/* Nothing written yet: interrupt as the kernel would. */
	if (!done && count)
		sigfwd_reply_interrupt(listener, n->id);
	else
		sigfwd_reply(listener, n->id, done, 0);
}

int main(int argc, char **argv)
{
	struct pollfd pfd[2];
	int sv[2], listener, dev, opt, status;
	pid_t child;

	while ((opt = getopt(argc, argv, "+d:")) != -1) {
		if (opt != 'd')
			goto usage;
		delay_ms = atoi(optarg);
	}
	if (optind >= argc)
		goto usage;
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
		return 1;
	child = fork();
	if (child == 0) {
		char go;

		close(sv[0]);
		listener = trap_stdout_writes();
		if (listener < 0 || pass_fd(sv[1], listener, 1))
			_exit(126);
		close(listener);
		/*
		 * Not one trapped call before the device is bound: a wait
		 * takes its listener's binding when it begins, and one begun
		 * before BIND would never have its signals forwarded.
		 */
		if (read(sv[1], &go, 1) != 1)
			_exit(126);
		close(sv[1]);
		execvp(argv[optind], argv + optind);
		_exit(127);
	}
	close(sv[1]);
	listener = pass_fd(sv[0], -1, 0);
	if (listener < 0) {
		fprintf(stderr, "sigfwd-supervise: no listener from the child\n");
		return 1;
	}
	dev = sigfwd_open_bound(listener, O_NONBLOCK);
	if (dev < 0) {
		fprintf(stderr, "sigfwd-supervise: %s: %s\n", SECCOMP_SIGFWD_DEVICE,
			strerror(-dev));
		return 1;
	}
	/* Bound: the command may run. */
	if (write(sv[0], "g", 1) != 1)
		return 1;
	close(sv[0]);
	/*
	 * The listener reports POLLHUP only once the command is reaped, so
	 * watch the command itself too (pidfd, 5.3+).
	 */
	pfd[0].fd = listener;
	pfd[0].events = POLLIN;
	pfd[1].fd = syscall(SYS_pidfd_open, child, 0);
	pfd[1].events = POLLIN;
	for (;;) {
		struct seccomp_notif n = { 0 };

		if (poll(pfd, 2, -1) < 0 && errno != EINTR)
			break;
		if (pfd[0].revents & POLLIN) {
			if (!ioctl(listener, SECCOMP_IOCTL_NOTIF_RECV, &n))
				emulate_write(listener, dev, &n);
		} else if ((pfd[0].revents & (POLLHUP | POLLERR)) ||
			   (pfd[1].revents & POLLIN)) {
			break;	/* the command is gone */
		}
	}
	waitpid(child, &status, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
usage:
	fprintf(stderr, "usage: sigfwd-supervise [-d DELAY_MS] COMMAND [ARG...]\n");
	return 2;
}
