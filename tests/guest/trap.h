/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A trapped task and its supervisor, for the guest tests. trap_start() forks
 * a child that installs a USER_NOTIF filter on one syscall, hands the
 * listener to the parent (the supervisor) and makes that syscall; the child
 * reports what the syscall returned and when its signal handler ran.
 */
#ifndef SIGFWD_TRAP_H
#define SIGFWD_TRAP_H

#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <linux/seccomp_sigfwd.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
#define SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (1UL << 5)
#endif
#ifndef SECCOMP_IOCTL_NOTIF_ADDFD
#define SECCOMP_IOCTL_NOTIF_ADDFD SECCOMP_IOW(3, struct seccomp_notif_addfd)
#endif

#define MODULE_PATH "/sigfwd/seccomp_sigfwd.ko"
#define DEFAULT_POLICY "/sys/module/seccomp_sigfwd/parameters/default_policy"

struct trap_opts {
	int nr;			/* trapped syscall, default getppid */
	unsigned int data;	/* USER_NOTIF data bits of the filter */
	unsigned long flags;	/* extra seccomp filter flags */
	int sa_flags;		/* SIGUSR1 handler flags (SA_RESTART) */
	int sig_ignore;		/* SIGUSR1 ignored instead of handled */
	int calls;		/* trapped calls to make, default 1 */
	int hold;		/* wait for trap_go() before the first call */
	int ignore_thread;	/* a thread that sets SIGUSR1 to SIG_IGN on ->ignore */
};

/* Shared between supervisor and child. */
struct trap_shared {
	volatile int replied;		/* set by the supervisor before SEND */
	volatile int handled;		/* handler runs */
	volatile int handled_early;	/* handler runs before the reply */
	volatile int done;
	volatile int go;
	volatile int ignore;	/* ask the ignore thread to act */
	volatile int ignored;	/* it did */
	long ret;
	int err;
};

struct trap {
	pid_t pid;
	int listener;
	struct trap_shared *sh;
};

static struct trap_shared *child_sh;

static inline void trap_handler(int sig)
{
	(void)sig;
	child_sh->handled++;
	if (!child_sh->replied)
		child_sh->handled_early++;
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

/* Install "trap nr with USER_NOTIF|data, allow the rest"; returns the listener. */
static inline int install_filter(int nr, unsigned int data, unsigned long flags)
{
	struct sock_filter insns[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, nr, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF | (data & SECCOMP_RET_DATA)),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { .len = 4, .filter = insns };

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		return -1;
	return syscall(__NR_seccomp, SECCOMP_SET_MODE_FILTER,
		       SECCOMP_FILTER_FLAG_NEW_LISTENER | flags, &prog);
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

static void *ignore_thread(void *arg)
{
	(void)arg;
	while (!child_sh->ignore)
		usleep(1000);
	signal(SIGUSR1, SIG_IGN);
	child_sh->ignored = 1;
	return NULL;
}

static inline void trap_child(const struct trap_opts *o, int sock)
{
	pthread_t th;

	struct sigaction sa = { .sa_handler = trap_handler };
	int listener, i;

	sa.sa_flags = o->sa_flags;
	if (o->sig_ignore)
		sa.sa_handler = SIG_IGN;
	sigaction(SIGUSR1, &sa, NULL);
	listener = install_filter(o->nr, o->data, o->flags);
	if (listener < 0 || send_fd(sock, listener))
		_exit(3);
	close(listener);
	close(sock);
	if (o->ignore_thread)
		pthread_create(&th, NULL, ignore_thread, NULL);
	while (o->hold && !child_sh->go)
		usleep(1000);
	for (i = 0; i < (o->calls ? o->calls : 1); i++) {
		errno = 0;
		child_sh->ret = syscall(o->nr);
		child_sh->err = errno;
	}
	child_sh->done = 1;
	_exit(0);
}

/* Returns 0, or -1 with a message printed. */
static inline int trap_start(struct trap *t, const struct trap_opts *opts)
{
	struct trap_opts o = *opts;
	int sv[2];

	if (!o.nr)
		o.nr = __NR_getppid;
	t->sh = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		     MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (t->sh == MAP_FAILED || socketpair(AF_UNIX, SOCK_STREAM, 0, sv)) {
		perror("trap_start");
		return -1;
	}
	child_sh = t->sh;
	t->pid = fork();
	if (t->pid == 0) {
		close(sv[0]);
		trap_child(&o, sv[1]);
	}
	close(sv[1]);
	t->listener = recv_fd(sv[0]);
	close(sv[0]);
	if (t->listener < 0) {
		printf("trap child could not install its filter\n");
		return -1;
	}
	return 0;
}

/* Let a held child make its trapped call. */
static inline void trap_go(struct trap *t)
{
	t->sh->go = 1;
}

static inline long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static inline void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* Wait until a pid is asleep (S or D in /proc/PID/stat). */
static inline int wait_asleep(pid_t pid)
{
	char path[64], buf[256], *p;
	long end = now_ms() + 5000;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	while (now_ms() < end) {
		fd = open(path, O_RDONLY);
		if (fd < 0)
			return -1;
		buf[read(fd, buf, sizeof(buf) - 1) > 0 ? sizeof(buf) - 1 : 0] = 0;
		close(fd);
		p = strrchr(buf, ')');
		if (p && (p[2] == 'S' || p[2] == 'D'))
			return 0;
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
 * Signal a task asleep in an interruptible wait, and wait until it has woken
 * and slept again: its wait has seen the signal. 0, or -1 after 5 s.
 */
static inline int signal_seen(pid_t pid, int sig)
{
	long c, end;

	if (wait_asleep(pid))
		return -1;
	c = vol_switches(pid);
	kill(pid, sig);
	end = now_ms() + 5000;
	while (now_ms() < end) {
		if (vol_switches(pid) > c)
			return 0;
		sleep_ms(2);
	}
	return -1;
}

/* Poll the listener for @events; 1 when ready, 0 on timeout. */
static inline int poll_fd(int fd, short events, int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = events };

	return poll(&p, 1, timeout_ms) == 1 && (p.revents & events);
}

/* RECV one notification, waiting up to timeout_ms; 0 or -1 (errno). */
static inline int trap_recv(struct trap *t, struct seccomp_notif *n, int timeout_ms)
{
	if (!poll_fd(t->listener, POLLIN, timeout_ms)) {
		errno = ETIMEDOUT;
		return -1;
	}
	memset(n, 0, sizeof(*n));
	return ioctl(t->listener, SECCOMP_IOCTL_NOTIF_RECV, n);
}

/* SEND a reply; 0 or -1 (errno, ENOENT when the notification is gone). */
static inline int trap_send(struct trap *t, __u64 id, long val, int error)
{
	struct seccomp_notif_resp r = { .id = id, .val = val, .error = error };

	t->sh->replied = 1;
	return ioctl(t->listener, SECCOMP_IOCTL_NOTIF_SEND, &r);
}

/* Wait for the child to finish (up to timeout_ms); 0 when it exited normally. */
static inline int trap_wait(struct trap *t, int timeout_ms)
{
	long end = now_ms() + timeout_ms;
	int status;

	while (now_ms() < end) {
		pid_t r = waitpid(t->pid, &status, WNOHANG);

		if (r == t->pid)
			return WIFEXITED(status) && !WEXITSTATUS(status) ? 0 : status;
		sleep_ms(2);
	}
	kill(t->pid, SIGKILL);
	waitpid(t->pid, &status, 0);
	errno = ETIMEDOUT;
	return -1;
}

static inline void trap_end(struct trap *t)
{
	if (t->pid > 0) {
		kill(t->pid, SIGKILL);
		waitpid(t->pid, NULL, 0);
	}
	if (t->listener >= 0)
		close(t->listener);
	munmap(t->sh, 4096);
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

/* Open the device (with @flags) and bind it to @listener; the fd or -1. */
static inline int dev_bind_flags(int listener, int flags)
{
	struct seccomp_sigfwd_bind b = { .listener_fd = listener };
	int dev = open(SECCOMP_SIGFWD_DEVICE, O_RDWR | O_CLOEXEC | flags);

	if (dev < 0)
		return -1;
	if (ioctl(dev, SECCOMP_SIGFWD_IOC_BIND, &b)) {
		int e = errno;

		close(dev);
		errno = e;
		return -1;
	}
	return dev;
}

static inline int dev_bind(int listener)
{
	return dev_bind_flags(listener, 0);
}

static inline int dev_set_policy(int dev, unsigned int policy)
{
	struct seccomp_sigfwd_policy p = { .policy = policy };

	return ioctl(dev, SECCOMP_SIGFWD_IOC_SET_POLICY, &p);
}

/* RECV_SIGNAL; 0 or -1 (errno). */
static inline int dev_recv_signal(int dev, struct seccomp_sigfwd_signal *s)
{
	memset(s, 0, sizeof(*s));
	return ioctl(dev, SECCOMP_SIGFWD_IOC_RECV_SIGNAL, s);
}

/* A number from a sysfs file (module parameters, refcnt); -1 on error. */
static inline int read_int_file(const char *path)
{
	char buf[32] = "";
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	return n > 0 ? atoi(buf) : -1;
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
