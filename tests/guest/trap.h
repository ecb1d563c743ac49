/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A trapped task and its supervisor, in the upstream selftests' style: the
 * test installs a USER_NOTIF filter on one syscall (keeping the listener)
 * and forks the child that makes that call. The child reports in shared
 * memory what the syscall returned and when its signal handler ran.
 *
 * Each trap matches its own cookie in the call's first argument, so the
 * test, itself under the filters, and the programs it runs can make the
 * same syscall, and a test may start several traps one after the other.
 *
 * seccomp allows one listener in a task's filters: a test that keeps several
 * traps at once, or needs the filter to end with its child, asks for
 * .own_filter. The child then installs the filter itself, in an fd table it
 * shares with the test (CLONE_FILES, as upstream's filter_empty test does),
 * and unshares that table once the test has the listener.
 */
#ifndef SIGFWD_TRAP_H
#define SIGFWD_TRAP_H

#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include "progs.h"

struct trap_opts {
	int nr;			/* trapped syscall, default getppid */
	unsigned int data;	/* USER_NOTIF data bits of the filter */
	unsigned long flags;	/* extra seccomp filter flags */
	int sa_flags;		/* SIGUSR1 handler flags (SA_RESTART) */
	int sig_ignore;		/* SIGUSR1 ignored instead of handled */
	int calls;		/* trapped calls to make, default 1 */
	int hold;		/* wait for trap_go() before the first call */
	int ignore_thread;	/* a thread that sets SIGUSR1 to SIG_IGN on ->ignore */
	int own_filter;		/* the child installs the filter, the test stays free */
	unsigned int data2;	/* own_filter, non-zero: the program also traps */
	int call_second;	/*   cookie + 1 with data2; the child calls that */
	/* The child's calls, instead of making ->calls calls itself. */
	void (*body)(__u32 cookie);
	/*
	 * own_filter: run by the child before its filter, so that what it
	 * forks (a grandchild) holds neither the filter nor the listener; may
	 * set the trapped first argument (close() traps an fd). 0, or -1 with
	 * errno set.
	 */
	int (*before_filter)(__u32 *arg0);
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
	volatile int listener;	/* own_filter: the child's listener, in the shared table */
	long ret;
	int err;
};

struct trap {
	pid_t pid;
	int listener;
	struct trap_shared *sh;
	__u32 cookie;		/* first argument of the trapped call */
};

static struct trap_shared *child_sh;

static inline void trap_handler(int sig)
{
	(void)sig;
	child_sh->handled++;
	if (!child_sh->replied)
		child_sh->handled_early++;
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

static inline void trap_child(const struct trap_opts *o, __u32 cookie)
{
	struct sigaction sa = { .sa_handler = trap_handler };
	int i, l, nr = o->nr ? o->nr : __NR_getppid;
	pthread_t th;

	/* First: the test may signal the child once it has the listener. */
	sa.sa_flags = o->sa_flags;
	if (o->sig_ignore)
		sa.sa_handler = SIG_IGN;
	sigaction(SIGUSR1, &sa, NULL);
	if (o->own_filter) {
		l = o->before_filter && o->before_filter(&cookie) ? -1 :
		    install_filter_arg0_two(nr, cookie, o->data, o->data2, o->flags);
		cookie += o->call_second;
		child_sh->listener = l < 0 ? -errno : l;
		while (l >= 0 && child_sh->listener >= 0)
			usleep(1000);
		if (l < 0 || unshare(CLONE_FILES))
			_exit(3);
		close(l);
	}
	if (o->ignore_thread)
		pthread_create(&th, NULL, ignore_thread, NULL);
	while (o->hold && !child_sh->go)
		usleep(1000);
	if (o->body)
		o->body(cookie);
	for (i = 0; !o->body && i < (o->calls ? o->calls : 1); i++) {
		errno = 0;
		child_sh->ret = syscall(nr, cookie);
		child_sh->err = errno;
	}
	child_sh->done = 1;
	_exit(0);
}

/* The shared page and a fresh cookie; 0 or -1. */
static inline int trap_init(struct trap *t)
{
	static __u32 cookie = 0x51f0d000;

	t->pid = 0;
	t->listener = -1;
	t->cookie = ++cookie;
	t->sh = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		     MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (t->sh == MAP_FAILED) {
		perror("trap_start");
		return -1;
	}
	child_sh = t->sh;
	return 0;
}

/*
 * The trap without its child: the shared page and the filter, trapping
 * @opts->nr called with t->cookie. Returns 0, or -1 with a message printed.
 */
static inline int trap_filter(struct trap *t, const struct trap_opts *opts)
{
	if (trap_init(t))
		return -1;
	t->listener = install_filter_arg0(opts->nr ? opts->nr : __NR_getppid,
					  t->cookie, opts->data, opts->flags);
	if (t->listener < 0) {
		printf("cannot install the trap filter: %s\n", strerror(errno));
		return -1;
	}
	return 0;
}

/* A child that installs its own filter: see own_filter above. */
static inline int trap_own_filter(struct trap *t, const struct trap_opts *o)
{
	long end = now_ms() + slow_ms(5000);

	if (trap_init(t))
		return -1;
	t->sh->listener = INT_MAX;
	/* fork() with a shared fd table; the zero arguments read alike on all arches. */
	t->pid = syscall(__NR_clone, CLONE_FILES | SIGCHLD, 0, 0, 0, 0);
	if (t->pid < 0) {
		perror("clone");
		return -1;
	}
	if (t->pid == 0)
		trap_child(o, t->cookie);
	while (t->sh->listener == INT_MAX && now_ms() < end)
		sleep_ms(1);
	if (t->sh->listener < 0 || t->sh->listener == INT_MAX) {
		printf("the trap child could not install its filter: %s\n",
		       t->sh->listener < 0 ? strerror(-t->sh->listener) : "timeout");
		return -1;
	}
	/* Our copy: the child unshares its table once this is set. */
	t->listener = t->sh->listener;
	t->sh->listener = -1;
	return 0;
}

/*
 * The child of a trap_filter() trap; 0, or -1 with a message printed. A
 * test may stack filters of its own around the trap's in between.
 */
static inline int trap_fork(struct trap *t, const struct trap_opts *opts)
{
	t->pid = fork();
	if (t->pid < 0) {
		perror("fork");
		return -1;
	}
	if (t->pid == 0) {
		close(t->listener);
		trap_child(opts, t->cookie);
	}
	return 0;
}

/* The filter and the trapped child; 0, or -1 with a message printed. */
static inline int trap_start(struct trap *t, const struct trap_opts *opts)
{
	if (opts->own_filter)
		return trap_own_filter(t, opts);
	return trap_filter(t, opts) ? -1 : trap_fork(t, opts);
}

/* Let a held child make its trapped call. */
static inline void trap_go(struct trap *t)
{
	t->sh->go = 1;
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
	waitpid(t->pid, NULL, 0);
	errno = ETIMEDOUT;
	return -1;
}

static inline void trap_end(struct trap *t)
{
	if (t->pid > 0) {
		kill(t->pid, SIGKILL);
		waitpid(t->pid, NULL, 0);
	}
	t->pid = 0;
	if (t->listener >= 0)
		close(t->listener);
	t->listener = -1;
	if (t->sh && t->sh != MAP_FAILED)
		munmap(t->sh, 4096);
	t->sh = NULL;
}

/* Answer each restarted call with @val until the child is done; how many. */
static inline int trap_answer_restarts(struct trap *t, long val)
{
	struct seccomp_notif n;
	int k = 0;

	while (!t->sh->done && !trap_recv(t, &n, 500)) {
		k++;
		trap_send(t, n.id, val, 0);
	}
	return k;
}

/* A supervisor's side: the trap and, once bound, a device fd. */
struct sup {
	struct trap t;
	int dev;
};

static inline void sup_end(struct sup *s)
{
	trap_end(&s->t);
	if (s->dev >= 0)
		close(s->dev);
	s->dev = -1;
}

#ifdef FIXTURE
/*
 * A kselftest fixture with one supervisor; the module loaded, no default
 * policy. The teardown ends the trap and closes the device, also after a
 * failed assertion.
 */
#define SUP_FIXTURE(name)						\
	FIXTURE(name) {							\
		struct sup sup;						\
	};								\
	FIXTURE_SETUP(name)						\
	{								\
		self->sup.t.listener = self->sup.dev = -1;		\
		ASSERT_EQ(0, module_load(NULL));			\
		ASSERT_EQ(0, write_file(DEFAULT_POLICY, "0"));		\
	}								\
	FIXTURE_TEARDOWN(name)						\
	{								\
		sup_end(&self->sup);					\
	}
#endif

#endif
