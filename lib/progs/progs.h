/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the programs built on libsigfwd: the guest tests, the
 * demo and the benchmark. Loading the module, installing a trapping filter,
 * passing a listener, waiting on a task's state, scaled deadlines.
 */
#ifndef SIGFWD_PROGS_H
#define SIGFWD_PROGS_H

#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <linux/seccomp_sigfwd.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "sigfwd.h"

#ifndef SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
#define SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (1UL << 5)
#endif
#ifndef SECCOMP_IOCTL_NOTIF_ADDFD
#define SECCOMP_IOCTL_NOTIF_ADDFD SECCOMP_IOW(3, struct seccomp_notif_addfd)
#endif

#define MODULE_PATH "/sigfwd/seccomp_sigfwd.ko"
#define DEFAULT_POLICY "/sys/module/seccomp_sigfwd/parameters/default_policy"

/*
 * A deadline that only bounds progress (never a timing claim), stretched on
 * slow guests: the guest init sets SIGFWD_SLOW from the measured slowdown.
 */
static inline long slow_ms(long ms)
{
	const char *f = getenv("SIGFWD_SLOW");

	return f && atol(f) > 1 ? ms * atol(f) : ms;
}

static inline long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static inline long now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000L + ts.tv_nsec / 1000;
}

static inline int cmp_long(const void *a, const void *b)
{
	long x = *(const long *)a, y = *(const long *)b;

	return x < y ? -1 : x > y;
}

/* Sort @v in place; its @pct percentile (0..100). */
static inline long percentile(long *v, long n, int pct)
{
	if (!n)
		return -1;
	qsort(v, n, sizeof(*v), cmp_long);
	return v[n * pct / 100 < n ? n * pct / 100 : n - 1];
}

static inline void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static inline int send_fd(int sock, int fd)
{
	char c = 0, buf[CMSG_SPACE(sizeof(int))] = { 0 };
	struct iovec iov = { &c, 1 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
			      .msg_control = buf, .msg_controllen = sizeof(buf) };
	struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);

	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	return sendmsg(sock, &msg, 0) == 1 ? 0 : -1;
}

static inline int recv_fd(int sock)
{
	char c, buf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { &c, 1 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
			      .msg_control = buf, .msg_controllen = sizeof(buf) };
	struct cmsghdr *cm;
	int fd;

	if (recvmsg(sock, &msg, 0) != 1)
		return -1;
	cm = CMSG_FIRSTHDR(&msg);
	if (!cm || cm->cmsg_type != SCM_RIGHTS)
		return -1;
	memcpy(&fd, CMSG_DATA(cm), sizeof(int));
	return fd;
}

static inline int load_filter(struct sock_filter *insns, unsigned short len,
			      unsigned long flags)
{
	struct sock_fprog prog = { .len = len, .filter = insns };

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		return -1;
	return syscall(__NR_seccomp, SECCOMP_SET_MODE_FILTER,
		       SECCOMP_FILTER_FLAG_NEW_LISTENER | flags, &prog);
}

/* Install "trap @nr with USER_NOTIF|@data, allow the rest"; the listener. */
static inline int install_filter(int nr, unsigned int data, unsigned long flags)
{
	struct sock_filter insns[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, nr, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF | (data & SECCOMP_RET_DATA)),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};

	return load_filter(insns, 4, flags);
}

/*
 * The same, trapping @nr only when the low word of its first argument is
 * @arg0: a supervisor under its own filter (the upstream selftests' way) can
 * still make that call, and so can the programs it starts (a shell calls
 * getppid()). With @data2, the program has a second USER_NOTIF return: @nr
 * called with @arg0 + 1 gets @data2.
 */
static inline int install_filter_arg0_two(int nr, __u32 arg0, unsigned int data,
					  unsigned int data2, unsigned long flags)
{
	struct sock_filter insns[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, nr, 0, 5),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[0])),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, arg0, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF | (data & SECCOMP_RET_DATA)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, arg0 + 1, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF | (data2 & SECCOMP_RET_DATA)),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};

	if (data2)
		return load_filter(insns, 8, flags);
	/* One USER_NOTIF return: drop the second, ALLOW follows the first. */
	insns[1].jf = 3;
	insns[5] = insns[7];
	return load_filter(insns, 6, flags);
}

static inline int install_filter_arg0(int nr, __u32 arg0, unsigned int data,
				      unsigned long flags)
{
	return install_filter_arg0_two(nr, arg0, data, 0, flags);
}

/* Does the kernel know SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (5.19+)? */
static inline int kernel_has_wait_killable_recv(void)
{
	pid_t pid = fork();
	int status;

	if (!pid)
		_exit(install_filter(__NR_getppid, 0,
				     SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV) < 0);
	waitpid(pid, &status, 0);
	return WIFEXITED(status) && !WEXITSTATUS(status);
}

/*
 * A small file's text (procfs, sysfs) in @buf of @size, NUL-terminated: its
 * length, or -1 (and "" in @buf) when it cannot be read.
 */
static inline ssize_t read_text(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n = -1;

	if (fd >= 0) {
		n = read(fd, buf, size - 1);
		close(fd);
	}
	buf[n > 0 ? n : 0] = 0;
	return n;
}

/* The state letter of task (or thread) @pid in /proc/PID/stat; 0 if gone. */
static inline char task_state(pid_t pid)
{
	char path[64], buf[256], *p;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	if (read_text(path, buf, sizeof(buf)) < 0)
		return 0;
	p = strrchr(buf, ')');
	return p ? p[2] : 0;
}

/* Is task (or thread) @pid asleep, S or D in /proc/PID/stat? -1 if gone. */
static inline int task_asleep(pid_t pid)
{
	char state = task_state(pid);

	return state ? state == 'S' || state == 'D' : -1;
}

/* Wait until a pid is asleep; 0, or -1 when it is gone or after 5 s. */
static inline int wait_asleep(pid_t pid)
{
	long end = now_ms() + 5000;
	int r;

	while (now_ms() < end) {
		r = task_asleep(pid);
		if (r)
			return r > 0 ? 0 : -1;
		sleep_ms(2);
	}
	return -1;
}

/* Voluntary context switches of a thread; -1 on error. */
static inline long vol_switches(pid_t pid)
{
	char path[64], line[128];
	long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "voluntary_ctxt_switches: %ld", &v) == 1)
			break;
	fclose(f);
	return v;
}

/*
 * Signal a task asleep in an interruptible wait that holds the signal, and
 * wait until that wait has seen it: asleep again, now killable (D), which a
 * wait with a signal pending can only be once it decided to hold it. Not the
 * next voluntary switch: /proc shows S from prepare_to_swait() on, before the
 * task is off the CPU, and its switch out then counts as that one, before it
 * looked at the signal. 0, or -1 after 5 s.
 */
static inline int signal_seen(pid_t pid, int sig)
{
	long end;

	if (wait_asleep(pid))
		return -1;
	kill(pid, sig);
	end = now_ms() + 5000;
	while (now_ms() < end) {
		if (task_state(pid) == 'D')
			return 0;
		sleep_ms(2);
	}
	return -1;
}

/* Poll @fd for @events; 1 when ready, 0 on timeout. */
static inline int poll_fd(int fd, short events, int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = events };

	return poll(&p, 1, timeout_ms) == 1 && (p.revents & events);
}

/* The module, loaded (with @params) if it is not. */
static inline int module_loaded(void)
{
	return access("/sys/module/seccomp_sigfwd", F_OK) == 0;
}

static inline int module_load(const char *params)
{
	int fd, ret;

	if (module_loaded())
		return 0;
	fd = open(MODULE_PATH, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ret = syscall(__NR_finit_module, fd, params ? params : "", 0);
	close(fd);
	return ret;
}

static inline int module_unload(void)
{
	if (!module_loaded())
		return 0;
	return syscall(__NR_delete_module, "seccomp_sigfwd", O_NONBLOCK);
}

/* A number from a sysfs file (module parameters, refcnt); -1 on error. */
static inline int read_int_file(const char *path)
{
	char buf[32];

	return read_text(path, buf, sizeof(buf)) > 0 ? atoi(buf) : -1;
}

static inline int write_file(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), ret;

	if (fd < 0)
		return -1;
	ret = write(fd, val, strlen(val)) == (ssize_t)strlen(val) ? 0 : -1;
	close(fd);
	return ret;
}

#endif
