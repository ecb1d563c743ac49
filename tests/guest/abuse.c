// SPDX-License-Identifier: GPL-2.0
/*
 * Abuse: random ioctls on device fds while trapped children come and go, a
 * 64-thread notification storm with exact accounting of every reply, and the
 * module unloaded and reloaded 100 times while notifications flow.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include "harness.h"
#include "trap.h"

#define LIVE_OBJECTS "/sys/module/seccomp_sigfwd/parameters/live_objects"
#define AFTER SECCOMP_SIGFWD_KILLABLE_AFTER_RECV
#define BEFORE SECCOMP_SIGFWD_KILLABLE_BEFORE_RECV
#define FWD SECCOMP_SIGFWD_FORWARD
#define DATA(p) SECCOMP_SIGFWD_RET_DATA(p)

/* A failed check inside a case that has threads or children to clean up. */

#define atomic_inc(p) __atomic_fetch_add((p), 1, __ATOMIC_SEQ_CST)
#define atomic_add(p, v) __atomic_fetch_add((p), (v), __ATOMIC_SEQ_CST)

static int live_objects(void)
{
	return read_int_file(LIVE_OBJECTS);
}

/* Wait up to 2 s (kfree_rcu) for live_objects to return to @base. */
static int live_settle(int base)
{
	long end = now_ms() + 2000;
	int v;

	while ((v = live_objects()) != base && now_ms() < end)
		sleep_ms(20);
	return v;
}

/* Open device fds of this process (from /proc/self/fd). */
static int open_device_fds(void)
{
	char path[300], target[256];
	struct dirent *d;
	DIR *dir = opendir("/proc/self/fd");
	int n = 0;
	ssize_t len;

	if (!dir)
		return -1;
	while ((d = readdir(dir))) {
		snprintf(path, sizeof(path), "/proc/self/fd/%s", d->d_name);
		len = readlink(path, target, sizeof(target) - 1);
		if (len <= 0)
			continue;
		target[len] = 0;
		if (!strcmp(target, SECCOMP_SIGFWD_DEVICE))
			n++;
	}
	closedir(dir);
	return n;
}

static unsigned int env_seed(unsigned int def)
{
	const char *s = getenv("SIGFWD_SEED");

	return s ? (unsigned int)strtoul(s, NULL, 0) : def;
}

/* A normal trap and reply: the module still works. */
static int trap_reply_works(unsigned int data)
{
	struct trap_opts o = { .data = data };
	struct seccomp_notif n;
	struct trap t;
	int ok;

	if (trap_start(&t, &o))
		return 0;
	ok = !trap_recv(&t, &n, 5000) && !trap_send(&t, n.id, 42, 0) &&
	     !trap_wait(&t, 5000);
	if (ok)
		t.pid = 0;
	ok = ok && t.sh->ret == 42;
	trap_end(&t);
	return ok;
}

/*
 * 1. Random ioctls. Four threads issue ioctls with random commands,
 * arguments and fds, and open, close and bind device fds; a manager thread
 * starts trapped children, binds a device fd to each listener, signals,
 * answers and kills them. Nothing may crash, leak or stop working.
 * The run stops after 200,000 calls once 50 children have come and gone
 * (plain ioctls are fast: 200,000 take about a second under TCG), or 90 s.
 */
#define FZ_THREADS	4
#define FZ_OWN		4
#define FZ_CALLS	200000
#define FZ_MAX_MS	90000
#define FZ_MIN_CHILDREN	50	/* calls are fast: let children come and go */
#define FZ_NERR		256
#define FZ_CLOSED	16

struct fz_thread {
	int idx;
	unsigned int seed;
	char *rw;		/* 3 pages: rw, PROT_NONE, read-only */
	char *none;
	char *ro;
	pthread_t th;
};

static struct {
	volatile int stop;
	long calls;
	long binds;
	long opens;
	long closes;
	long errs[FZ_NERR];
	volatile int own[FZ_THREADS][FZ_OWN];
	volatile int closed[FZ_CLOSED];
	volatile int mgr_listener;
	volatile int mgr_dev;
	int pipes[4];
	/* Manager figures. */
	long children;
	long replies;
	long enoent;
	long kills;
	long signals;
	long records;
	long mgr_binds;
	int mgr_failed;
	unsigned int seed;
} fz;

static unsigned int rand32(unsigned int *s)
{
	return ((unsigned int)rand_r(s) << 16) ^ (unsigned int)rand_r(s);
}

/* ioctl types of generic VFS, tty and socket commands: never fuzzed. */
static int fz_excluded_type(unsigned int type)
{
	static const unsigned char bad[] = {
		0x00, 0x15, '!', 'T', 'X', 'f', 0x89, 0x8b, 0x94,
	};
	unsigned int i;

	for (i = 0; i < sizeof(bad); i++)
		if (type == bad[i])
			return 1;
	return 0;
}

static int fz_pick_fd(unsigned int *s, int self)
{
	int r = rand_r(s) % 100, fd;

	if (r < 40)
		fd = fz.own[self][rand_r(s) % FZ_OWN];
	else if (r < 55)
		fd = fz.own[rand_r(s) % FZ_THREADS][rand_r(s) % FZ_OWN];
	else if (r < 65)
		fd = fz.mgr_dev;
	else if (r < 75)
		fd = fz.mgr_listener;
	else if (r < 85)
		fd = fz.pipes[rand_r(s) % 4];
	else if (r < 93)
		fd = fz.closed[rand_r(s) % FZ_CLOSED];
	else
		fd = 900 + rand_r(s) % 100;	/* never opened */
	/* Never stdin/stdout/stderr (the console). */
	return fd >= 0 && fd < 3 ? 999 : fd;
}

static unsigned int fz_pick_cmd(unsigned int *s)
{
	static const unsigned int real[] = {
		SECCOMP_SIGFWD_IOC_VERSION, SECCOMP_SIGFWD_IOC_BIND,
		SECCOMP_SIGFWD_IOC_SET_POLICY, SECCOMP_SIGFWD_IOC_GET_POLICY,
		SECCOMP_SIGFWD_IOC_RECV_SIGNAL,
	};
	static const unsigned int sizes[] = { 0, 4, 8, 16, 32, 48, 64 };
	int r = rand_r(s) % 100;
	unsigned int cmd, nr, size;

	if (r < 50) {
		nr = rand_r(s) % 4 ? rand_r(s) % 8 : rand_r(s) & 0xff;
		size = rand_r(s) % 3 ? sizes[rand_r(s) % 7] :
				       rand_r(s) & _IOC_SIZEMASK;
		return _IOC(rand_r(s) & 3, SECCOMP_SIGFWD_IOC_MAGIC, nr, size);
	}
	if (r < 85)
		return real[rand_r(s) % 5];
	do
		cmd = rand32(s);
	while (fz_excluded_type(_IOC_TYPE(cmd)));
	return cmd;
}

static unsigned long fz_pick_arg(unsigned int *s, struct fz_thread *t,
				 unsigned int cmd)
{
	int r = rand_r(s) % 100, i;

	if (r < 12)
		return 0;
	if (r < 20)
		return rand_r(s) % 4096;
	if (r < 32) {
		switch (rand_r(s) % 3) {
		case 0:
			return 0xffffffff81000000UL + (rand32(s) & 0xffffff);
		case 1:
			return 0xffff888000000000UL + ((unsigned long)rand32(s) << 4);
		default:
			return -1UL - rand_r(s) % 64;
		}
	}
	if (r < 70) {
		for (i = 0; i < 64; i += 4)
			*(unsigned int *)(t->rw + i) = rand32(s);
		if (cmd == SECCOMP_SIGFWD_IOC_BIND) {
			struct seccomp_sigfwd_bind *b = (void *)t->rw;

			b->listener_fd = rand_r(s) % 3 ? fz.mgr_listener :
							 fz_pick_fd(s, t->idx);
			b->flags = rand_r(s) % 8 ? 0 : rand32(s);
		} else if (cmd == SECCOMP_SIGFWD_IOC_SET_POLICY) {
			struct seccomp_sigfwd_policy *p = (void *)t->rw;

			p->policy = rand_r(s) % 4 ? (unsigned int)rand_r(s) % 16 :
						    rand32(s);
			p->flags = rand_r(s) % 8 ? 0 : rand32(s);
		}
		return (unsigned long)t->rw + (rand_r(s) % 16 ? 0 : rand_r(s) % 64);
	}
	if (r < 80)
		return (unsigned long)t->none + rand_r(s) % 4096;
	if (r < 92)
		return (unsigned long)t->ro + rand_r(s) % 64;
	/* Straddles the end of the rw page into the PROT_NONE one. */
	return (unsigned long)t->none - 1 - rand_r(s) % 40;
}

static void fz_count(long ret)
{
	int e = ret ? errno : 0;

	atomic_inc(&fz.errs[e >= 0 && e < FZ_NERR ? e : FZ_NERR - 1]);
}

/* Open, close or bind one of this thread's device fds. */
static void fz_fd_op(unsigned int *s, int self)
{
	int i = rand_r(s) % FZ_OWN, fd = fz.own[self][i], r;
	struct seccomp_sigfwd_bind b = { 0 };

	if (fd < 0) {
		fd = open(SECCOMP_SIGFWD_DEVICE, O_RDWR | O_CLOEXEC | O_NONBLOCK);
		if (fd >= 0) {
			fz.own[self][i] = fd;
			atomic_inc(&fz.opens);
		}
		return;
	}
	if (rand_r(s) % 2) {
		fz.own[self][i] = -1;
		close(fd);
		fz.closed[rand_r(s) % FZ_CLOSED] = fd;
		atomic_inc(&fz.closes);
		return;
	}
	b.listener_fd = rand_r(s) % 2 ? fz.mgr_listener : fz_pick_fd(s, self);
	r = ioctl(fd, SECCOMP_SIGFWD_IOC_BIND, &b);
	atomic_inc(&fz.calls);
	fz_count(r);
	if (!r)
		atomic_inc(&fz.binds);
}

static void *fz_thread(void *arg)
{
	struct fz_thread *t = arg;
	unsigned int *s = &t->seed, cmd;
	unsigned long a;
	long r;
	int fd;

	while (!fz.stop) {
		if (rand_r(s) % 100 < 5) {
			fz_fd_op(s, t->idx);
			continue;
		}
		cmd = fz_pick_cmd(s);
		a = fz_pick_arg(s, t, cmd);
		fd = fz_pick_fd(s, t->idx);
		r = ioctl(fd, cmd, a);
		fz_count(r);
		if (!r && cmd == SECCOMP_SIGFWD_IOC_BIND)
			atomic_inc(&fz.binds);
		if (atomic_inc(&fz.calls) + 1 >= FZ_CALLS &&
		    fz.children >= FZ_MIN_CHILDREN)
			fz.stop = 1;
	}
	return NULL;
}

/* Trapped children come and go; each is answered, signalled or killed. */
static void *fz_manager(void *arg)
{
	static const unsigned int data[] = {
		0, DATA(AFTER), DATA(FWD | BEFORE), DATA(FWD), DATA(BEFORE | AFTER),
		0x1234,
	};
	unsigned int s = fz.seed ^ 0x9e3779b9U, i;
	struct seccomp_sigfwd_signal rec;
	struct seccomp_sigfwd_bind b;
	struct seccomp_notif n;
	struct trap_opts o;
	struct trap t;
	int dev, kill_it;

	(void)arg;
	while (!fz.stop) {
		memset(&o, 0, sizeof(o));
		o.sa_flags = SA_RESTART;
		o.calls = 1 + rand_r(&s) % 3;
		o.data = data[rand_r(&s) % 6];
		if (trap_start(&t, &o)) {
			fz.mgr_failed = 1;
			break;
		}
		dev = open(SECCOMP_SIGFWD_DEVICE, O_RDWR | O_CLOEXEC | O_NONBLOCK);
		b.listener_fd = t.listener;
		b.flags = 0;
		/* Half the time leave the listener to the fuzzers' BINDs. */
		if (dev >= 0 && rand_r(&s) % 2 &&
		    !ioctl(dev, SECCOMP_SIGFWD_IOC_BIND, &b)) {
			fz.mgr_binds++;
			if (rand_r(&s) % 2)
				dev_set_policy(dev, FWD | (rand_r(&s) % 2 ? BEFORE : 0));
		}
		fz.mgr_listener = t.listener;
		fz.mgr_dev = dev;
		fz.children++;
		kill_it = rand_r(&s) % 4 == 0;
		for (i = 0; i < (unsigned int)o.calls && !fz.stop; i++) {
			if (trap_recv(&t, &n, 500))
				break;
			if (rand_r(&s) % 2) {
				kill(t.pid, SIGUSR1);
				fz.signals++;
				if (rand_r(&s) % 2)
					sleep_ms(1);
			}
			if (kill_it && i == (unsigned int)o.calls - 1) {
				kill(t.pid, SIGKILL);
				fz.kills++;
				break;
			}
			if (!trap_send(&t, n.id, 7, 0))
				fz.replies++;
			else if (errno == ENOENT)
				fz.enoent++;
		}
		while (dev >= 0 && !dev_recv_signal(dev, &rec))
			fz.records++;
		fz.mgr_listener = -1;
		fz.mgr_dev = -1;
		trap_end(&t);
		if (dev >= 0)
			close(dev);
	}
	return NULL;
}

CASE(fuzz_device_ioctls_survive_random_input)
{
	struct fz_thread th[FZ_THREADS];
	int i, j, base, started = 0, mgr = 0, ret = 1, idx[5], v;
	pthread_t manager;
	long t0, ms;

	if (module_load(NULL))
		SKIP("module not loadable: %s", strerror(errno));
	fz.seed = env_seed(0x5ecf00d5);
	printf("seed %#x (SIGFWD_SEED=... to repeat another)\n", fz.seed);
	base = live_objects();
	CHECK(base >= 0, "cannot read %s", LIVE_OBJECTS);
	fz.mgr_listener = fz.mgr_dev = -1;
	for (i = 0; i < FZ_THREADS; i++)
		for (j = 0; j < FZ_OWN; j++)
			fz.own[i][j] = -1;
	for (i = 0; i < FZ_CLOSED; i++)
		fz.closed[i] = 990 + i % 10;
	CHECK(!pipe(fz.pipes) && !pipe(fz.pipes + 2), "pipe");
	for (i = 0; i < FZ_THREADS; i++) {
		th[i].idx = i;
		th[i].seed = fz.seed + 7919 * (i + 1);
		th[i].rw = mmap(NULL, 3 * 4096, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		CHECK(th[i].rw != MAP_FAILED, "mmap");
		th[i].none = th[i].rw + 4096;
		th[i].ro = th[i].rw + 2 * 4096;
		for (j = 0; j < 4096; j += 4)
			*(unsigned int *)(th[i].ro + j) = rand32(&th[i].seed);
		CHECK(!mprotect(th[i].none, 4096, PROT_NONE) &&
		      !mprotect(th[i].ro, 4096, PROT_READ), "mprotect");
	}
	t0 = now_ms();
	ENSURE(!pthread_create(&manager, NULL, fz_manager, NULL), "manager");
	mgr = 1;
	for (; started < FZ_THREADS; started++)
		ENSURE(!pthread_create(&th[started].th, NULL, fz_thread,
				       &th[started]), "thread");
	while (!fz.stop && now_ms() - t0 < FZ_MAX_MS)
		sleep_ms(100);
	ret = 0;
out:
	fz.stop = 1;
	for (i = 0; i < started; i++)
		pthread_join(th[i].th, NULL);
	if (mgr)
		pthread_join(manager, NULL);
	ms = now_ms() - t0;
	for (i = 0; i < FZ_THREADS; i++)
		for (j = 0; j < FZ_OWN; j++)
			if (fz.own[i][j] >= 0)
				close(fz.own[i][j]);
	for (i = 0; i < 4; i++)
		close(fz.pipes[i]);
	if (ret)
		return ret;
	printf("%ld ioctl calls in %ld ms (%ld/s); device fds: %ld opened, %ld closed, %ld binds\n",
	       fz.calls, ms, ms ? fz.calls * 1000 / ms : 0, fz.opens,
	       fz.closes, fz.binds);
	printf("trapped children %ld: %ld replies, %ld ENOENT, %ld killed, %ld signals, %ld records, %ld binds\n",
	       fz.children, fz.replies, fz.enoent, fz.kills, fz.signals,
	       fz.records, fz.mgr_binds);
	/* Top 5 results. */
	for (i = 0; i < 5; i++) {
		idx[i] = -1;
		for (j = 0; j < FZ_NERR; j++) {
			int k, taken = 0;

			for (k = 0; k < i; k++)
				taken |= idx[k] == j;
			if (!taken && fz.errs[j] &&
			    (idx[i] < 0 || fz.errs[j] > fz.errs[idx[i]]))
				idx[i] = j;
		}
		if (idx[i] >= 0)
			printf("  errno %3d %-32s %ld\n", idx[i],
			       idx[i] ? strerror(idx[i]) : "(success)",
			       fz.errs[idx[i]]);
	}
	CHECK(!fz.mgr_failed, "the manager could not start a trapped child");
	CHECK(fz.calls >= FZ_CALLS, "only %ld calls in %d ms (need %d)",
	      fz.calls, FZ_MAX_MS, FZ_CALLS);
	CHECK(fz.children >= FZ_MIN_CHILDREN, "only %ld trapped children",
	      fz.children);
	errno = 0;
	CHECK(waitpid(-1, NULL, WNOHANG) == -1 && errno == ECHILD,
	      "children left unreaped");
	v = open_device_fds();
	CHECK(v == 0, "%d device fds still open", v);
	v = live_settle(base);
	CHECK(v == base, "live_objects %d, expected %d", v, base);
	CHECK(trap_reply_works(DATA(FWD | BEFORE)), "a normal trap and reply failed");
	return 0;
}

/*
 * 2. 64 threads, at least 20,000 notifications, SIGUSR1 to a random thread
 * every millisecond, two supervisor threads: every notification is answered
 * exactly once, every token the supervisors issue is returned once.
 * Even threads trap getppid (FORWARD | KILLABLE_BEFORE_RECV), odd ones
 * getpgid (KILLABLE; arm64 has no getpgrp): no signal ever withdraws a notification.
 */
#define ST_THREADS	64
#define ST_CALLS	320	/* per thread: 20,480 calls */
#define ST_TOKEN_BASE	0x10000000L
#define ST_MAX_TOKENS	(1 << 17)
#define ST_SUPS		2
#define ST_MAX_MS	90000	/* stock needs ~12 s, the debug tier ~5 min */

struct st_shared {
	volatile int go;
	volatile int ready;
	volatile int done;
	volatile int stop_signals;
	volatile pid_t tids[ST_THREADS];
	long completed;
	long eintr;
	long bad;
	long handled;
	long signals;
	long bad_example;
	int bad_errno;
	unsigned char issued[ST_MAX_TOKENS];
	unsigned char seen[ST_MAX_TOKENS];
};

static struct st_shared *st;
static pid_t st_pid;

static int notif_send(int listener, __u64 id, long val, int error)
{
	struct seccomp_notif_resp r = { .id = id, .val = val, .error = error };

	return ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, &r);
}

static void st_handler(int sig)
{
	(void)sig;
	atomic_inc(&st->handled);
}

static void *st_caller(void *arg)
{
	int idx = (int)(long)arg, i, nr;
	long r, k;

	nr = idx & 1 ? __NR_getpgid : __NR_getppid;
	st->tids[idx] = syscall(__NR_gettid);
	atomic_inc(&st->ready);
	while (!st->go)
		usleep(1000);
	for (i = 0; i < ST_CALLS; i++) {
		errno = 0;
		r = syscall(nr);
		if (r == -1 && errno == EINTR) {
			atomic_inc(&st->eintr);
			continue;
		}
		k = r - ST_TOKEN_BASE;
		if (k >= 0 && k < ST_MAX_TOKENS && st->issued[k] &&
		    !atomic_inc(&st->seen[k])) {
			atomic_inc(&st->completed);
			continue;
		}
		st->bad_example = r;
		st->bad_errno = errno;
		atomic_inc(&st->bad);
	}
	return NULL;
}

static void *st_signaller(void *arg)
{
	unsigned int s = (unsigned int)(long)arg;
	pid_t pid = getpid();

	while (!st->stop_signals) {
		usleep(1000);
		if (!syscall(__NR_tgkill, pid, st->tids[rand_r(&s) % ST_THREADS],
			     SIGUSR1))
			st->signals++;
	}
	return NULL;
}

static int st_add_filter(void)
{
	struct sock_filter insns[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_getppid, 0, 1),
		BPF_STMT(BPF_RET | BPF_K,
			 SECCOMP_RET_USER_NOTIF | DATA(FWD | BEFORE)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_getpgid, 0, 1),
		BPF_STMT(BPF_RET | BPF_K,
			 SECCOMP_RET_USER_NOTIF | DATA(AFTER | BEFORE)),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { .len = 6, .filter = insns };

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		return -1;
	return syscall(__NR_seccomp, SECCOMP_SET_MODE_FILTER,
		       SECCOMP_FILTER_FLAG_NEW_LISTENER, &prog);
}

static void __attribute__((noreturn)) st_child(int sock, unsigned int seed)
{
	struct sigaction sa = { .sa_handler = st_handler, .sa_flags = SA_RESTART };
	pthread_t th[ST_THREADS], sig;
	pthread_attr_t attr;
	int listener, i;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	sigaction(SIGUSR1, &sa, NULL);
	listener = st_add_filter();
	if (listener < 0 || send_fd(sock, listener))
		_exit(3);
	close(listener);
	close(sock);
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 128 * 1024);
	for (i = 0; i < ST_THREADS; i++)
		if (pthread_create(&th[i], &attr, st_caller, (void *)(long)i))
			_exit(4);
	while (st->ready < ST_THREADS)
		usleep(1000);
	if (pthread_create(&sig, &attr, st_signaller, (void *)(long)seed))
		_exit(4);
	for (i = 0; i < ST_THREADS; i++)
		pthread_join(th[i], NULL);
	st->stop_signals = 1;
	pthread_join(sig, NULL);
	st->done = 1;
	_exit(0);
}

static struct {
	int listener;
	int dev;
	volatile int stop;
	long next_token;
	long recvd;
	long recv_err;
	int recv_errno;
	long sent_token;
	long sent_eintr;
	long sent_restart;
	long enoent;
	long send_err;
	long records;
	long rec_before;
	long rec_restart;
	long rec_killed;
	long rec_bad;
	long rec_matched;
} sup;

static void st_noop(int sig)
{
	(void)sig;
}

static int st_tid_known(__u32 tid)
{
	int i;

	for (i = 0; i < ST_THREADS; i++)
		if (st->tids[i] == (pid_t)tid)
			return 1;
	return 0;
}

#define ST_BATCH 8

static pthread_mutex_t st_recv_lock = PTHREAD_MUTEX_INITIALIZER;

static void *st_supervisor(void *arg)
{
	unsigned int s = (unsigned int)(long)arg;
	struct seccomp_notif batch[ST_BATCH];
	int flagged[ST_BATCH], nb, i, r, fwd, error;
	struct pollfd p[2] = {
		{ .fd = sup.listener, .events = POLLIN },
		{ .fd = sup.dev, .events = POLLPRI },
	};
	struct seccomp_sigfwd_signal rec;
	long val, k;

	while (!sup.stop) {
		if (poll(p, 2, 20) <= 0)
			continue;
		nb = 0;
		/*
		 * One RECVer at a time: a RECV that blocks (the other thread
		 * took the notification poll saw) while this one holds a
		 * batch would leave the batch unanswered. Replies overlap.
		 */
		pthread_mutex_lock(&st_recv_lock);
		while (nb < ST_BATCH && poll_fd(sup.listener, POLLIN, 0)) {
			memset(&batch[nb], 0, sizeof(batch[nb]));
			if (ioctl(sup.listener, SECCOMP_IOCTL_NOTIF_RECV,
				  &batch[nb])) {
				if (errno != EINTR) {
					sup.recv_errno = errno;
					atomic_inc(&sup.recv_err);
				}
				break;
			}
			flagged[nb++] = 0;
			atomic_inc(&sup.recvd);
		}
		pthread_mutex_unlock(&st_recv_lock);
		/* Records: count, check, and mark the ones for this batch. */
		while (!dev_recv_signal(sup.dev, &rec)) {
			atomic_inc(&sup.records);
			if (rec.flags & SECCOMP_SIGFWD_SIG_BEFORE_RECV)
				atomic_inc(&sup.rec_before);
			if (rec.flags & SECCOMP_SIGFWD_SIG_RESTART)
				atomic_inc(&sup.rec_restart);
			if (rec.flags & SECCOMP_SIGFWD_SIG_KILLED)
				atomic_inc(&sup.rec_killed);
			if (!rec.id || rec.signo != SIGUSR1 ||
			    !(rec.pending & (1ULL << (SIGUSR1 - 1))) ||
			    !st_tid_known(rec.tid) || rec.pid != (__u32)st_pid)
				atomic_inc(&sup.rec_bad);
			for (i = 0; i < nb; i++)
				if (batch[i].id == rec.id) {
					flagged[i] = 1;
					atomic_inc(&sup.rec_matched);
				}
		}
		for (i = 0; i < nb; i++) {
			fwd = batch[i].data.nr == __NR_getppid;
			r = rand_r(&s) % 100;
			error = 0;
			if (flagged[i] ? r < 50 : r < 2)
				error = fwd && rand_r(&s) % 2 ?
					-SECCOMP_SIGFWD_ERESTART : -EINTR;
			val = 0;
			if (!error) {
				k = atomic_inc(&sup.next_token);
				val = ST_TOKEN_BASE + k;
				if (k < ST_MAX_TOKENS)
					st->issued[k] = 1;
			}
			if (notif_send(sup.listener, batch[i].id, val, error)) {
				atomic_inc(errno == ENOENT ? &sup.enoent :
							     &sup.send_err);
				continue;
			}
			if (!error)
				atomic_inc(&sup.sent_token);
			else if (error == -EINTR)
				atomic_inc(&sup.sent_eintr);
			else
				atomic_inc(&sup.sent_restart);
		}
	}
	return NULL;
}

/* A device fd bound to @listener, non-blocking; -1 on failure. */
/* Join a thread that may sleep in RECV: SIGUSR2 (no SA_RESTART) ends it. */
static void join_kicking(pthread_t th)
{
	while (pthread_tryjoin_np(th, NULL) == EBUSY) {
		pthread_kill(th, SIGUSR2);
		sleep_ms(10);
	}
}

CASE(stress_64_threads_20000_notifications_exact_accounting)
{
	struct sigaction sa = { .sa_handler = st_noop };
	int sv[2], started = 0, ret = 1, base, v, i, status;
	long t0, ms = 0, calls, dup = 0, lost = 0, k, next_progress;
	unsigned int seed = env_seed(0x5eed64);
	pthread_t sups[ST_SUPS];
	pid_t pid = -1;

	if (module_load(NULL))
		SKIP("module not loadable: %s", strerror(errno));
	base = live_objects();
	CHECK(base >= 0, "cannot read %s", LIVE_OBJECTS);
	st = mmap(NULL, sizeof(*st), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	CHECK(st != MAP_FAILED, "mmap");
	sigaction(SIGUSR2, &sa, NULL);
	sup.listener = sup.dev = -1;
	CHECK(!socketpair(AF_UNIX, SOCK_STREAM, 0, sv), "socketpair");
	printf("seed %#x; %d threads x %d calls, SIGUSR1 every 1 ms\n", seed,
	       ST_THREADS, ST_CALLS);
	pid = fork();
	if (pid == 0) {
		close(sv[0]);
		st_child(sv[1], seed);
	}
	st_pid = pid;
	close(sv[1]);
	sup.listener = recv_fd(sv[0]);
	close(sv[0]);
	ENSURE(sup.listener >= 0, "no listener from the child");
	sup.dev = dev_bind_flags(sup.listener, O_NONBLOCK);
	ENSURE(sup.dev >= 0, "bind: %s", strerror(errno));
	t0 = now_ms();
	while (st->ready < ST_THREADS && now_ms() - t0 < slow_ms(30000))
		sleep_ms(10);
	ENSURE(st->ready == ST_THREADS, "only %d threads ready", st->ready);
	for (; started < ST_SUPS; started++)
		ENSURE(!pthread_create(&sups[started], NULL, st_supervisor,
				       (void *)(long)(seed + started)),
		       "supervisor thread");
	t0 = now_ms();
	next_progress = t0 + 20000;
	st->go = 1;
	while (!st->done && now_ms() - t0 < slow_ms(ST_MAX_MS)) {
		sleep_ms(100);
		if (now_ms() >= next_progress) {
			printf("  %ld s: %ld notifications, %ld calls done\n",
			       (now_ms() - t0) / 1000, sup.recvd,
			       st->completed + st->eintr);
			next_progress += 20000;
		}
	}
	ms = now_ms() - t0;
	ENSURE(st->done, "not done after %ld ms: %ld notifications, %ld calls",
	       slow_ms(ST_MAX_MS), sup.recvd, st->completed + st->eintr);
	ret = 0;
out:
	sup.stop = 1;
	for (i = 0; i < started; i++)
		join_kicking(sups[i]);
	if (pid > 0) {
		if (!st->done)
			kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		if (!ret && !(WIFEXITED(status) && !WEXITSTATUS(status)))
			FAIL("child exited with status %#x", status);
	}
	if (sup.dev >= 0)
		close(sup.dev);
	if (sup.listener >= 0)
		close(sup.listener);
	calls = st->completed + st->eintr;
	for (k = 0; k < sup.next_token && k < ST_MAX_TOKENS; k++) {
		dup += st->seen[k] > 1;
		lost += st->issued[k] && !st->seen[k];
	}
	printf("%ld ms (%ld notifications/s)\n", ms,
	       ms ? sup.recvd * 1000 / ms : 0);
	printf("notifications %ld = %ld token replies + %ld -EINTR + %ld -ERESTART; %ld ENOENT, %ld other SEND errors, %ld RECV errors (%s)\n",
	       sup.recvd, sup.sent_token, sup.sent_eintr, sup.sent_restart,
	       sup.enoent, sup.send_err, sup.recv_err,
	       sup.recv_err ? strerror(sup.recv_errno) : "-");
	printf("child: %ld calls = %ld tokens + %ld EINTR, %ld bad (last %ld errno %d); tokens issued %ld, duplicated %ld, lost %ld\n",
	       calls, st->completed, st->eintr, st->bad, st->bad_example,
	       st->bad_errno, sup.next_token, dup, lost);
	printf("signals %ld sent, %ld handled; records %ld (%ld BEFORE_RECV, %ld RESTART, %ld KILLED, %ld bad, %ld matched a held batch)\n",
	       st->signals, st->handled, sup.records, sup.rec_before,
	       sup.rec_restart, sup.rec_killed, sup.rec_bad, sup.rec_matched);
	if (ret)
		return ret;
	CHECK(sup.recvd >= 20000, "only %ld notifications", sup.recvd);
	CHECK(calls == ST_THREADS * ST_CALLS && !st->bad,
	      "calls %ld, expected %d, bad %ld", calls, ST_THREADS * ST_CALLS,
	      st->bad);
	CHECK(!sup.enoent && !sup.send_err && !sup.recv_err,
	      "replies failed: %ld ENOENT, %ld other; %ld RECV errors",
	      sup.enoent, sup.send_err, sup.recv_err);
	CHECK(sup.recvd == sup.sent_token + sup.sent_eintr + sup.sent_restart,
	      "notifications not answered exactly once");
	CHECK(sup.sent_token == st->completed && sup.next_token == st->completed,
	      "tokens: %ld sent, %ld issued, %ld returned", sup.sent_token,
	      sup.next_token, st->completed);
	CHECK(sup.sent_eintr == st->eintr, "-EINTR replies %ld, EINTR seen %ld",
	      sup.sent_eintr, st->eintr);
	CHECK(!dup && !lost, "%ld tokens duplicated, %ld lost", dup, lost);
	CHECK(!sup.rec_killed && !sup.rec_bad, "unexpected records");
	v = live_settle(base);
	CHECK(v == base, "live_objects %d, expected %d", v, base);
	return 0;
}

/*
 * 3. delete_module(O_NONBLOCK) and finit_module, 100 rounds, while a child
 * keeps making trapped calls (KILLABLE_AFTER_RECV from the filter) that a
 * supervisor thread answers. Every third round the supervisor holds a
 * received notification whose wait began with the module loaded: unload
 * must be refused. Every third round the child pauses between calls: unload
 * must succeed. The other rounds race freely.
 */
#define MR_ROUNDS 100

struct mr_shared {
	volatile int stop;
	volatile int pause;
	volatile int paused;
	volatile int done;
	long completed;
	long bad;
	long last;
};

static struct mr_shared *mr;

static struct {
	int listener;
	volatile int stop;
	volatile int hold_req;	/* 1: asked, 2: armed (next one is held) */
	volatile int held;
	__u64 held_id;
	long token;
	long recvd;
	long sent;
	long enoent;
	long send_err;
} ms_;

static void __attribute__((noreturn)) mr_child(int sock)
{
	int listener, p;
	long r;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	listener = install_filter(__NR_getppid, DATA(AFTER), 0);
	if (listener < 0 || send_fd(sock, listener))
		_exit(3);
	close(listener);
	close(sock);
	while (!mr->stop) {
		p = mr->pause;
		if (p) {
			/* Acknowledge this request (a round number) once. */
			mr->paused = p;
			while (mr->pause == p && !mr->stop)
				usleep(500);
			continue;
		}
		r = syscall(__NR_getppid);
		if (r > mr->last) {
			mr->last = r;
			mr->completed++;
		} else {
			mr->bad++;
		}
	}
	mr->done = 1;
	_exit(0);
}

static void mr_reply(__u64 id)
{
	if (!notif_send(ms_.listener, id, 1000 + ++ms_.token, 0))
		ms_.sent++;
	else if (errno == ENOENT)
		ms_.enoent++;
	else
		ms_.send_err++;
}

static void *mr_supervisor(void *arg)
{
	struct seccomp_notif n;

	(void)arg;
	while (!ms_.stop) {
		if (ms_.held && !ms_.hold_req) {
			mr_reply(ms_.held_id);
			ms_.held = 0;
		}
		if (ms_.held) {
			sleep_ms(1);
			continue;
		}
		if (!poll_fd(ms_.listener, POLLIN, 10))
			continue;
		memset(&n, 0, sizeof(n));
		if (ioctl(ms_.listener, SECCOMP_IOCTL_NOTIF_RECV, &n))
			continue;
		ms_.recvd++;
		if (ms_.hold_req == 2) {
			ms_.held_id = n.id;
			ms_.held = 1;
			continue;
		}
		if (ms_.hold_req == 1)
			ms_.hold_req = 2;
		mr_reply(n.id);
	}
	return NULL;
}

static int wait_flag(volatile int *flag, int ms)
{
	long end = now_ms() + ms;

	while (!*flag && now_ms() < end)
		sleep_ms(1);
	return *flag;
}

CASE(insmod_rmmod_100_times_while_notifications_flow)
{
	struct sigaction sa = { .sa_handler = st_noop };
	int sv[2], ret = 1, round = 0, mode, r, e, status, sup_started = 0;
	long unloaded = 0, refused = 0, loads = 0, t0 = now_ms(), load_ms = 0;
	pid_t pid = -1;
	pthread_t th;

	if (module_load(NULL))
		SKIP("module not loadable: %s", strerror(errno));
	mr = mmap(NULL, sizeof(*mr), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	CHECK(mr != MAP_FAILED, "mmap");
	sigaction(SIGUSR2, &sa, NULL);
	ms_.listener = -1;
	CHECK(!socketpair(AF_UNIX, SOCK_STREAM, 0, sv), "socketpair");
	pid = fork();
	if (pid == 0) {
		close(sv[0]);
		mr_child(sv[1]);
	}
	close(sv[1]);
	ms_.listener = recv_fd(sv[0]);
	close(sv[0]);
	ENSURE(ms_.listener >= 0, "no listener from the child");
	ENSURE(!pthread_create(&th, NULL, mr_supervisor, NULL), "thread");
	sup_started = 1;
	for (round = 0; round < MR_ROUNDS; round++) {
		mode = round % 3;
		if (mode == 1) {
			ms_.hold_req = 1;
			ENSURE(wait_flag(&ms_.held, 5000),
			       "round %d: no notification to hold", round);
		} else if (mode == 2) {
			long end = now_ms() + 5000;

			mr->pause = round + 1;
			while (mr->paused != round + 1 && now_ms() < end)
				sleep_ms(1);
			ENSURE(mr->paused == round + 1,
			       "round %d: child did not pause", round);
		}
		errno = 0;
		r = module_unload();
		e = errno;
		if (!r)
			unloaded++;
		else if (e == EAGAIN || e == EBUSY)
			refused++;
		else
			BAIL("round %d: delete_module: %s", round, strerror(e));
		if (mode == 1) {
			ms_.hold_req = 0;
			ENSURE(r, "round %d: unloaded while a wait was in module code",
			       round);
		}
		if (mode == 2)
			ENSURE(!r, "round %d: unload refused with no wait: %s",
			       round, strerror(e));
		if (!r) {
			long l0;

			mr->pause = 0;
			sleep_ms(5 + round % 20);	/* stock waits meanwhile */
			l0 = now_ms();
			ENSURE(!module_load(NULL), "round %d: load: %s", round,
			       strerror(errno));
			load_ms += now_ms() - l0;
			loads++;
		}
		mr->pause = 0;
	}
	ret = 0;
out:
	ms_.hold_req = 0;
	mr->pause = 0;
	mr->stop = 1;
	if (pid > 0) {
		wait_flag(&mr->done, 5000);
		if (!mr->done)
			kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
	}
	ms_.stop = 1;
	if (sup_started)
		join_kicking(th);
	if (ms_.listener >= 0)
		close(ms_.listener);
	printf("%d rounds in %ld ms: %ld unloads, %ld refused (EAGAIN/EBUSY), %ld loads (avg %ld ms)\n",
	       round, now_ms() - t0, unloaded, refused, loads,
	       loads ? load_ms / loads : 0);
	printf("notifications %ld: %ld replies, %ld ENOENT, %ld other errors; child %ld calls, %ld bad\n",
	       ms_.recvd, ms_.sent, ms_.enoent, ms_.send_err, mr->completed,
	       mr->bad);
	if (!module_loaded() && module_load(NULL))
		FAIL("module not loaded at the end");
	if (ret)
		return ret;
	CHECK(mr->done, "child did not finish");
	CHECK(ms_.recvd == ms_.sent && !ms_.enoent && !ms_.send_err,
	      "not every notification answered once");
	CHECK(mr->completed == ms_.sent && !mr->bad,
	      "child completed %ld calls for %ld replies", mr->completed,
	      ms_.sent);
	CHECK(unloaded && refused, "expected both outcomes");
	return 0;
}
