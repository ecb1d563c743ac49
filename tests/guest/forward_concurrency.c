// SPDX-License-Identifier: GPL-2.0
/*
 * FORWARD under concurrency: many trapped threads, several supervisors, a
 * listener or device closed while records are pending, a supervisor killed,
 * and a signal storm of the kind the Go runtime makes.
 *
 * The trapped children here are trap.h's, made by mt_start(): the test
 * installs the filter (trapping getppid) and forks the child, which creates
 * its threads under it and waits for mt_go() before they (or its main
 * thread) make their trapped calls, so that the supervisor can bind its
 * device fd first: a forwarding wait finds its supervisor when it begins.
 */
#include "sigfwd_test.h"
#include "trap.h"

#define FWD_DATA	SECCOMP_SIGFWD_RET_DATA(SECCOMP_SIGFWD_FORWARD)
#define MAX_SLOTS	64
#define SIG_BAD_FLAGS	(SECCOMP_SIGFWD_SIG_BEFORE_RECV | SECCOMP_SIGFWD_SIG_KILLED)
#define SIGUSR1_BIT	(1ULL << (SIGUSR1 - 1))

/* One trapped thread (or process, in chain mode). */
struct mt_slot {
	volatile pid_t tid;
	volatile long ret;		/* of the last trapped call */
	volatile int err;
	volatile int handled;		/* SIGUSR1 handler runs */
	volatile int handled_early;	/* ... before the supervisor replied */
	volatile int calls_done;	/* trapped calls that returned >= 0 */
	volatile int chain_ok;		/* chain mode: the stacked filters act */
};

/* Next to the trap's struct trap_shared (go, done, replied). */
struct mt_shared {
	volatile int ready;		/* slots that know their tid */
	volatile int completed;		/* successful trapped calls, all slots */
	volatile int second_listener;	/* chain mode: errno of the attempt */
	/* Supervisor process of killed_supervisor_leaves_stock_enosys. */
	volatile int sup_stage;
	volatile __u64 sup_id;
	struct mt_slot slot[MAX_SLOTS];
};

struct mt_opts {
	int threads;		/* trapping threads; 0: the main thread calls */
	int calls;		/* trapped calls per slot, default 1 */
	unsigned int data;	/* USER_NOTIF data bits of the filter */
	/*
	 * Chain mode: a filter below the listener's (getuid: EPERM) and one
	 * above it (getgid: EACCES), after a second NEW_LISTENER filter was
	 * attempted; then the child forks a grandchild that inherits the
	 * chain, and both make the trapped call (slots 0 and 1).
	 */
	int chain;
	int own_filter;		/* trap.h's: the child installs the filter */
};

struct mt {
	struct trap t;
	struct mt_shared *sh;
};

static struct mt_shared *mt_sh;
static const struct mt_opts *mt_o;
static __u32 mt_cookie;
static __thread int mt_idx = -1;

static void mt_handler(int sig)
{
	(void)sig;
	if (mt_idx < 0)
		return;
	mt_sh->slot[mt_idx].handled++;
	if (!child_sh->replied)
		mt_sh->slot[mt_idx].handled_early++;
}

/* Add "nr: ret, allow the rest"; the listener fd, 0, or -1 (errno). */
static int add_filter(int nr, __u32 ret, unsigned long flags)
{
	struct sock_filter insns[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, nr, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, ret),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { .len = 4, .filter = insns };

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		return -1;
	return syscall(__NR_seccomp, SECCOMP_SET_MODE_FILTER, flags, &prog);
}

static void mt_calls(int idx)
{
	struct mt_slot *s = &mt_sh->slot[idx];
	int i;

	mt_idx = idx;
	s->tid = syscall(__NR_gettid);
	if (mt_o->chain) {
		errno = 0;
		s->chain_ok = syscall(__NR_getuid) == -1 && errno == EPERM;
		errno = 0;
		s->chain_ok &= syscall(__NR_getgid) == -1 && errno == EACCES;
	}
	__sync_fetch_and_add(&mt_sh->ready, 1);
	while (!child_sh->go)
		usleep(1000);
	for (i = 0; i < (mt_o->calls ? mt_o->calls : 1); i++) {
		errno = 0;
		s->ret = syscall(__NR_getppid, mt_cookie);
		s->err = errno;
		if (s->ret >= 0) {
			s->calls_done++;
			__sync_fetch_and_add(&mt_sh->completed, 1);
		}
	}
}

static void *mt_thread(void *arg)
{
	mt_calls((int)(long)arg);
	return NULL;
}

/* The trapped child's calls, under its filter (trap.h's body). */
static void mt_child(__u32 cookie)
{
	struct sigaction sa = { .sa_handler = mt_handler, .sa_flags = SA_RESTART };
	const struct mt_opts *o = mt_o;
	pthread_t th[MAX_SLOTS];
	pthread_attr_t attr;
	int i, status;
	pid_t gc;

	mt_cookie = cookie;
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	sigaction(SIGUSR1, &sa, NULL);
	if (o->chain) {
		gc = fork();
		if (gc == 0) {
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			mt_calls(1);
			_exit(0);
		}
		mt_calls(0);
		if (gc < 0 || waitpid(gc, &status, 0) != gc)
			_exit(4);
		child_sh->done = 1;
		_exit(WIFEXITED(status) ? WEXITSTATUS(status) : 5);
	}
	if (!o->threads) {
		mt_calls(0);
		return;
	}
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 256 * 1024);
	for (i = 0; i < o->threads; i++)
		if (pthread_create(&th[i], &attr, mt_thread, (void *)(long)i))
			_exit(6);
	for (i = 0; i < o->threads; i++)
		pthread_join(th[i], NULL);
}

/* Module loaded, default_policy 0. */
static int setup(void)
{
	if (module_load(NULL)) {
		printf("module_load: %s\n", strerror(errno));
		return -1;
	}
	if (write_file(DEFAULT_POLICY, "0")) {
		printf("resetting default_policy: %s\n", strerror(errno));
		return -1;
	}
	return 0;
}

static void mt_init(struct mt *m)
{
	m->t.pid = 0;
	m->t.listener = -1;
	m->t.sh = NULL;
	m->sh = MAP_FAILED;
}

/*
 * Chain mode's filters, stacked by the test around the trap's: the one
 * below (@above 0), or the one above, after a second listener was tried in
 * the chain that holds the trap's. 0, or -1 with a message printed.
 */
static int mt_stack(struct mt *m, int above)
{
	int l;

	if (!above) {
		l = add_filter(__NR_getuid, SECCOMP_RET_ERRNO | EPERM, 0);
	} else {
		l = add_filter(__NR_getgid, SECCOMP_RET_USER_NOTIF | FWD_DATA,
			       SECCOMP_FILTER_FLAG_NEW_LISTENER);
		m->sh->second_listener = l < 0 ? errno : 0;
		if (l >= 0)
			close(l);
		l = add_filter(__NR_getgid, SECCOMP_RET_ERRNO | EACCES, 0);
	}
	if (l)
		printf("stacking a filter: %s\n", strerror(errno));
	return l ? -1 : 0;
}

/* Start a trapped child, held before its calls; 0 or -1 (message printed). */
static int mt_start(struct mt *m, const struct mt_opts *o)
{
	struct trap_opts to = { .own_filter = o->own_filter, .body = mt_child,
				.data = o->data };

	mt_init(m);
	m->sh = mmap(NULL, sizeof(*m->sh), PROT_READ | PROT_WRITE,
		     MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (m->sh == MAP_FAILED) {
		perror("mt_start");
		return -1;
	}
	mt_sh = m->sh;
	mt_o = o;
	if (o->own_filter)
		return trap_start(&m->t, &to);
	if ((o->chain && mt_stack(m, 0)) || trap_filter(&m->t, &to) ||
	    (o->chain && mt_stack(m, 1)))
		return -1;
	return trap_fork(&m->t, &to);
}

/* Let the held child make its calls once all its slots are ready. */
static int mt_go(struct mt *m, int slots)
{
	long end = now_ms() + slow_ms(5000);

	while (m->sh->ready < slots && now_ms() < end)
		sleep_ms(1);
	if (m->sh->ready < slots) {
		printf("only %d of %d trapped slots started\n", m->sh->ready, slots);
		return -1;
	}
	trap_go(&m->t);
	return 0;
}

/* Wait for the child to exit 0 (up to timeout_ms); 0 or -1. */
static int mt_wait(struct mt *m, int timeout_ms)
{
	long end = now_ms() + timeout_ms;
	int status;

	while (now_ms() < end) {
		pid_t r = waitpid(m->t.pid, &status, WNOHANG);

		if (r == m->t.pid) {
			m->t.pid = 0;
			if (WIFEXITED(status) && !WEXITSTATUS(status))
				return 0;
			printf("trapped child: status %#x\n", status);
			return -1;
		}
		sleep_ms(2);
	}
	printf("trapped child still running after %d ms\n", timeout_ms);
	return -1;
}

static void mt_end(struct mt *m)
{
	trap_end(&m->t);
	if (m->sh != MAP_FAILED)
		munmap(m->sh, sizeof(*m->sh));
	m->sh = MAP_FAILED;
}

/* A device fd bound to @listener, O_NONBLOCK; -1 with a message. */
static int dev_open(int listener)
{
	int dev = sigfwd_open_bound(listener, 0);

	if (dev < 0 || fcntl(dev, F_SETFL, fcntl(dev, F_GETFL) | O_NONBLOCK)) {
		printf("binding a device fd: %s\n", strerror(errno));
		if (dev >= 0)
			close(dev);
		return -1;
	}
	return dev;
}

/*
 * Module ready, a trapped child started and a device fd bound to its
 * listener; then, unless @slots < 0, the child's @slots released.
 */
static int start_bound(struct mt *m, const struct mt_opts *o, int *dev,
		       int slots)
{
	if (setup() || mt_start(m, o))
		return -1;
	*dev = dev_open(m->t.listener);
	if (*dev < 0)
		return -1;
	return slots < 0 ? 0 : mt_go(m, slots);
}

/*
 * Up to two trapped children, their devices and a supervisor process, all
 * ended by the teardown, also after a failed assertion. In the parent
 * (after a timeout) self is as before the setup, zeroed: nothing to end.
 */
FIXTURE(fwd) {
	struct mt m[2];
	int dev[2];
	pid_t sup;
	int ready;
};

FIXTURE_SETUP(fwd)
{
	mt_init(&self->m[0]);
	mt_init(&self->m[1]);
	self->dev[0] = self->dev[1] = -1;
	self->sup = -1;
	self->ready = 1;
	ASSERT_EQ(0, setup());
}

FIXTURE_TEARDOWN(fwd)
{
	int i;

	if (!self->ready)
		return;
	if (self->sup > 0) {
		kill(self->sup, SIGKILL);
		waitpid(self->sup, NULL, 0);
	}
	for (i = 0; i < 2; i++) {
		mt_end(&self->m[i]);
		if (self->dev[i] >= 0)
			close(self->dev[i]);
	}
}

/* RECV_SIGNAL once on a non-blocking device fd; 0 or -1 (errno). */
static int rec_try(int dev, struct seccomp_sigfwd_signal *s)
{
	memset(s, 0, sizeof(*s));
	return ioctl(dev, SECCOMP_SIGFWD_IOC_RECV_SIGNAL, s);
}

/* The next record within timeout_ms; 0 or -1 (errno, ETIMEDOUT). */
static int rec_next(int dev, struct seccomp_sigfwd_signal *s, int timeout_ms)
{
	long end = now_ms() + timeout_ms, left;

	for (;;) {
		if (!rec_try(dev, s))
			return 0;
		if (errno != EAGAIN)
			return -1;
		left = end - now_ms();
		if (left <= 0) {
			errno = ETIMEDOUT;
			return -1;
		}
		poll_fd(dev, POLLPRI, left);
	}
}

/* Nothing more to read, even after a while for late records. */
static int rec_none(int dev)
{
	struct seccomp_sigfwd_signal s;

	sleep_ms(200);
	if (!rec_try(dev, &s)) {
		printf("unexpected record: id %#llx tid %u signo %u flags %#x\n",
		       (unsigned long long)s.id, s.tid, s.signo, s.flags);
		return -1;
	}
	if (errno != EAGAIN) {
		printf("RECV_SIGNAL: expected EAGAIN, got %s\n", strerror(errno));
		return -1;
	}
	return 0;
}

/* A forwarded SIGUSR1 record of a received notification, as documented. */
static int rec_check(const struct seccomp_sigfwd_signal *s, __u64 id,
		     pid_t pid, pid_t tid)
{
	if (s->id != id || s->pid != (__u32)pid || s->tid != (__u32)tid ||
	    s->signo != SIGUSR1 || !(s->flags & SECCOMP_SIGFWD_SIG_RESTART) ||
	    (s->flags & SIG_BAD_FLAGS) || !(s->pending & SIGUSR1_BIT) ||
	    s->reserved[0] || s->reserved[1]) {
		printf("record id %#llx pid %u tid %u signo %u flags %#x pending %#llx;"
		       " expected id %#llx pid %d tid %d SIGUSR1 RESTART\n",
		       (unsigned long long)s->id, s->pid, s->tid, s->signo,
		       s->flags, (unsigned long long)s->pending,
		       (unsigned long long)id, pid, tid);
		return -1;
	}
	return 0;
}

/* The slot of a trapped thread, by tid; -1 if none. */
static int slot_of(const struct mt *m, int slots, pid_t tid)
{
	int i;

	for (i = 0; i < slots; i++)
		if (m->sh->slot[i].tid == tid)
			return i;
	return -1;
}

/* RECV one notification per slot; each from a distinct slot. */
static int recv_all(struct mt *m, int slots, struct seccomp_notif *n)
{
	int i, j;

	for (i = 0; i < slots; i++) {
		if (trap_recv(&m->t, &n[i], 5000)) {
			printf("notification %d of %d: %s\n", i + 1, slots,
			       strerror(errno));
			return -1;
		}
		if (slot_of(m, slots, n[i].pid) < 0) {
			printf("notification from unknown tid %u\n", n[i].pid);
			return -1;
		}
		for (j = 0; j < i; j++)
			if (n[j].pid == n[i].pid) {
				printf("two notifications from tid %u\n", n[i].pid);
				return -1;
			}
	}
	return 0;
}

/* Every slot's call returned its tid, its handler ran @handled times after the reply. */
static int slots_replied(const struct mt *m, int slots, int handled)
{
	const struct mt_slot *s;
	int i, bad = 0;

	for (i = 0; i < slots; i++) {
		s = &m->sh->slot[i];
		if (s->ret != s->tid || s->handled != handled || s->handled_early) {
			printf("slot %d tid %d: ret %ld errno %d handled %d (early %d)\n",
			       i, s->tid, s->ret, s->err, s->handled,
			       s->handled_early);
			bad = 1;
		}
	}
	return bad ? -1 : 0;
}

/*
 * 64 threads of one process wait on a forwarding listener at once; each gets
 * a thread-directed SIGUSR1. The device hands out exactly one record per
 * notification, each naming its own notification and thread, and every
 * thread gets its own reply and runs its handler once, after it.
 */
TEST_F_TIMEOUT(fwd, records_match_ids_across_64_waiting_threads, 90)
{
	struct mt_opts o = { .threads = MAX_SLOTS, .data = FWD_DATA };
	struct seccomp_notif n[MAX_SLOTS];
	struct seccomp_sigfwd_signal s;
	int seen[MAX_SLOTS] = { 0 };
	struct mt *m = &self->m[0];
	int *dev = &self->dev[0];
	int i, k;

	ASSERT_EQ(0, start_bound(m, &o, dev, MAX_SLOTS));
	ASSERT_EQ(0, recv_all(m, MAX_SLOTS, n));
	for (i = 0; i < MAX_SLOTS; i++) {
		ASSERT_EQ(0, syscall(__NR_tgkill, m->t.pid, n[i].pid, SIGUSR1))
			TH_LOG("tgkill %u: %s", n[i].pid, strerror(errno));
	}
	for (k = 0; k < MAX_SLOTS; k++) {
		ASSERT_EQ(0, rec_next(*dev, &s, 5000))
			TH_LOG("record %d of %d: %s", k + 1, MAX_SLOTS, strerror(errno));
		for (i = 0; i < MAX_SLOTS && n[i].id != s.id; i++)
			;
		ASSERT_LT(i, MAX_SLOTS) TH_LOG("record %d: id %#llx was never received",
					       k + 1, (unsigned long long)s.id);
		ASSERT_EQ(0, seen[i]++) TH_LOG("second record for id %#llx (tid %u)",
					       (unsigned long long)s.id, s.tid);
		ASSERT_EQ(0, rec_check(&s, n[i].id, m->t.pid, n[i].pid))
			TH_LOG("record %d", k + 1);
	}
	ASSERT_EQ(0, rec_none(*dev)) TH_LOG("more than %d records", MAX_SLOTS);
	for (i = 0; i < MAX_SLOTS; i++) {
		ASSERT_EQ(0, m->sh->slot[i].handled) TH_LOG("a handler ran before the reply");
	}
	for (i = 0; i < MAX_SLOTS; i++) {
		ASSERT_EQ(0, trap_send(&m->t, n[i].id, n[i].pid, 0))
			TH_LOG("SEND to %u: %s", n[i].pid, strerror(errno));
	}
	ASSERT_EQ(0, mt_wait(m, 10000)) TH_LOG("threads did not finish");
	ASSERT_EQ(0, slots_replied(m, MAX_SLOTS, 1)) TH_LOG("threads' results");
	printf("%d threads: %d records, one each, all replies delivered\n",
	       MAX_SLOTS, MAX_SLOTS);
}

/*
 * Four threads wait; one of them gets a flood of SIGUSR1 (before and after
 * its record is read). Only its notification gets a record, and only one;
 * the other threads' handlers never run.
 */
TEST_F_TIMEOUT(fwd, signals_to_one_thread_reach_only_its_record, 60)
{
	enum { N = 4, VICTIM = 2 };
	struct mt_opts o = { .threads = N, .data = FWD_DATA };
	struct seccomp_notif n[N];
	struct seccomp_sigfwd_signal s;
	struct mt *m = &self->m[0];
	int *dev = &self->dev[0];
	int i, v;

	ASSERT_EQ(0, start_bound(m, &o, dev, N));
	ASSERT_EQ(0, recv_all(m, N, n));
	for (i = 0; i < 10; i++) {
		syscall(__NR_tgkill, m->t.pid, n[VICTIM].pid, SIGUSR1);
		sleep_ms(5);
	}
	ASSERT_EQ(0, rec_next(*dev, &s, 5000)) TH_LOG("no record: %s", strerror(errno));
	ASSERT_EQ(0, rec_check(&s, n[VICTIM].id, m->t.pid, n[VICTIM].pid))
		TH_LOG("record of the signalled thread");
	for (i = 0; i < 10; i++) {
		syscall(__NR_tgkill, m->t.pid, n[VICTIM].pid, SIGUSR1);
		sleep_ms(5);
	}
	ASSERT_EQ(0, rec_none(*dev)) TH_LOG("a flood gave more than one record");
	for (i = 0; i < N; i++) {
		ASSERT_EQ(0, trap_send(&m->t, n[i].id, n[i].pid, 0))
			TH_LOG("SEND to %u: %s", n[i].pid, strerror(errno));
	}
	ASSERT_EQ(0, mt_wait(m, 5000)) TH_LOG("threads did not finish");
	v = slot_of(m, N, n[VICTIM].pid);
	for (i = 0; i < N; i++) {
		const struct mt_slot *sl = &m->sh->slot[i];

		ASSERT_TRUE(sl->ret == sl->tid && sl->handled == (i == v) &&
			    !sl->handled_early)
			TH_LOG("slot %d tid %d: ret %ld handled %d (early %d), signalled slot %d",
			       i, sl->tid, sl->ret, sl->handled, sl->handled_early, v);
	}
}

/*
 * A task's filter chain holds at most one listener: every kernel from 5.0 on
 * (kernel/seccomp.c, has_duplicate_listener()) refuses a second NEW_LISTENER
 * filter anywhere in the chain with EBUSY, inherited parts included. So two
 * listeners never serve one chain; what a chain can have is filters without
 * a listener stacked below and above the listener's, and processes that
 * inherit it. Records must reach the one listener's device all the same,
 * each naming its own process.
 */
TEST_F_TIMEOUT(fwd, second_listener_in_chain_is_ebusy_and_records_route_through_stacked_filters, 60)
{
	struct mt_opts o = { .chain = 1, .data = FWD_DATA };
	struct seccomp_sigfwd_signal s;
	struct seccomp_notif n[2];
	struct mt *m = &self->m[0];
	int *dev = &self->dev[0];
	int i, k, seen[2] = { 0 };

	ASSERT_EQ(0, start_bound(m, &o, dev, 2));
	ASSERT_EQ(EBUSY, m->sh->second_listener)
		TH_LOG("second NEW_LISTENER filter in the chain: %s, expected EBUSY",
		       m->sh->second_listener ? strerror(m->sh->second_listener) : "accepted");
	ASSERT_TRUE(m->sh->slot[0].chain_ok && m->sh->slot[1].chain_ok)
		TH_LOG("stacked filters not in force (child %d, grandchild %d)",
		       m->sh->slot[0].chain_ok, m->sh->slot[1].chain_ok);
	ASSERT_EQ(0, recv_all(m, 2, n));
	for (i = 0; i < 2; i++)
		kill(n[i].pid, SIGUSR1);
	for (k = 0; k < 2; k++) {
		ASSERT_EQ(0, rec_next(*dev, &s, 5000))
			TH_LOG("record %d: %s", k + 1, strerror(errno));
		i = s.id == n[0].id ? 0 : s.id == n[1].id ? 1 : -1;
		ASSERT_TRUE(i >= 0 && !seen[i]++)
			TH_LOG("record for id %#llx: unknown or twice",
			       (unsigned long long)s.id);
		ASSERT_EQ(0, rec_check(&s, n[i].id, n[i].pid, n[i].pid))
			TH_LOG("record %d", k + 1);
	}
	ASSERT_EQ(0, rec_none(*dev)) TH_LOG("more than two records");
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(0, trap_send(&m->t, n[i].id, n[i].pid, 0))
			TH_LOG("SEND to %u: %s", n[i].pid, strerror(errno));
	}
	ASSERT_EQ(0, mt_wait(m, 5000)) TH_LOG("child or grandchild did not finish");
	ASSERT_EQ(0, slots_replied(m, 2, 1)) TH_LOG("results");
}

/*
 * Two trapped children, two listeners, two devices: no record crosses over.
 * One listener per chain: each child installs its own filter.
 */
TEST_F_TIMEOUT(fwd, two_supervisors_get_only_their_own_records, 60)
{
	struct mt_opts o = { .data = FWD_DATA, .own_filter = 1 };
	struct seccomp_sigfwd_signal s;
	struct seccomp_notif n[2];
	struct mt *m = self->m;
	int *dev = self->dev;
	int i;

	for (i = 0; i < 2; i++) {
		ASSERT_EQ(0, start_bound(&m[i], &o, &dev[i], 1));
	}
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(0, trap_recv(&m[i].t, &n[i], 5000))
			TH_LOG("child %d: no notification: %s", i, strerror(errno));
	}
	for (i = 0; i < 2; i++)
		kill(m[i].t.pid, SIGUSR1);
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(0, rec_next(dev[i], &s, 5000))
			TH_LOG("device %d: no record: %s", i, strerror(errno));
		ASSERT_EQ(0, rec_check(&s, n[i].id, m[i].t.pid, m[i].t.pid))
			TH_LOG("device %d got another supervisor's record", i);
	}
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(0, rec_none(dev[i])) TH_LOG("device %d: a second record", i);
	}
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(0, trap_send(&m[i].t, n[i].id, m[i].t.pid, 0))
			TH_LOG("SEND %d: %s", i, strerror(errno));
		ASSERT_EQ(0, mt_wait(&m[i], 5000)) TH_LOG("child %d did not finish", i);
		ASSERT_EQ(0, slots_replied(&m[i], 1, 1)) TH_LOG("child %d", i);
	}
}

/* One trapped call, received and signalled: its record is pending. */
static int pending_record(struct mt *m, int *dev, struct seccomp_notif *n)
{
	struct mt_opts o = { .data = FWD_DATA };

	if (start_bound(m, &o, dev, 1))
		return -1;
	if (trap_recv(&m->t, n, 5000)) {
		printf("no notification: %s\n", strerror(errno));
		return -1;
	}
	kill(m->t.pid, SIGUSR1);
	if (!poll_fd(*dev, POLLPRI, 5000)) {
		printf("no EPOLLPRI on the device fd\n");
		return -1;
	}
	if (!poll_fd(m->t.listener, POLLPRI, 0)) {
		printf("no EPOLLPRI on the listener fd\n");
		return -1;
	}
	return 0;
}

/*
 * The listener is closed while a record is pending: the trapped call ends
 * with the stock ENOSYS, the pending record goes with the listener
 * (RECV_SIGNAL: ESRCH) and the device fd reports the hang-up.
 */
TEST_F_TIMEOUT(fwd, closing_listener_with_pending_records_gives_enosys, 60)
{
	struct seccomp_sigfwd_signal s;
	struct mt *m = &self->m[0];
	int *dev = &self->dev[0];
	struct seccomp_notif n;
	struct pollfd p;

	ASSERT_EQ(0, pending_record(m, dev, &n));
	close(m->t.listener);
	m->t.listener = -1;
	ASSERT_EQ(0, mt_wait(m, 5000)) TH_LOG("trapped child did not finish");
	ASSERT_TRUE(m->sh->slot[0].ret == -1 && m->sh->slot[0].err == ENOSYS &&
		    m->sh->slot[0].handled == 1)
		TH_LOG("child: ret %ld errno %d handled %d, expected ENOSYS and 1",
		       m->sh->slot[0].ret, m->sh->slot[0].err, m->sh->slot[0].handled);
	errno = 0;
	ASSERT_TRUE(rec_try(*dev, &s) == -1 && errno == ESRCH)
		TH_LOG("RECV_SIGNAL after the listener closed: %s, expected ESRCH",
		       errno ? strerror(errno) : "a record");
	p = (struct pollfd){ .fd = *dev, .events = POLLIN | POLLPRI };
	ASSERT_TRUE(poll(&p, 1, 0) == 1 && (p.revents & POLLHUP) &&
		    !(p.revents & POLLPRI))
		TH_LOG("poll on the device: revents %#x", p.revents);
}

/*
 * The device fd is closed while a record is pending: the forwarding wait
 * goes on, and the reply still lands, the handler running once after it.
 */
TEST_F_TIMEOUT(fwd, closing_device_first_keeps_the_reply, 60)
{
	struct mt *m = &self->m[0];
	int *dev = &self->dev[0];
	struct seccomp_notif n;

	ASSERT_EQ(0, pending_record(m, dev, &n));
	close(*dev);
	*dev = -1;
	sleep_ms(100);
	ASSERT_TRUE(!m->t.sh->done && !m->sh->slot[0].handled)
		TH_LOG("closing the device ended the wait (handled %d)",
		       m->sh->slot[0].handled);
	ASSERT_EQ(0, trap_send(&m->t, n.id, 42, 0))
		TH_LOG("SEND after closing the device: %s", strerror(errno));
	ASSERT_EQ(0, mt_wait(m, 5000)) TH_LOG("trapped child did not finish");
	ASSERT_TRUE(m->sh->slot[0].ret == 42 && m->sh->slot[0].handled == 1 &&
		    !m->sh->slot[0].handled_early)
		TH_LOG("child: ret %ld errno %d handled %d (early %d)",
		       m->sh->slot[0].ret, m->sh->slot[0].err,
		       m->sh->slot[0].handled, m->sh->slot[0].handled_early);
}

/* Supervisor process: bind, RECV, wait for the record, then hang on. */
static void __attribute__((__noreturn__)) supervisor(struct mt *m)
{
	struct seccomp_notif n;
	int dev;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	dev = dev_open(m->t.listener);
	if (dev < 0)
		_exit(3);
	m->sh->sup_stage = 1;
	trap_go(&m->t);
	if (trap_recv(&m->t, &n, 5000))
		_exit(4);
	m->sh->sup_id = n.id;
	m->sh->sup_stage = 2;
	if (!poll_fd(dev, POLLPRI, 5000))
		_exit(5);
	m->sh->sup_stage = 3;
	for (;;)
		pause();
}

static int wait_stage(struct mt *m, int stage)
{
	long end = now_ms() + 5000;

	while (m->sh->sup_stage < stage && now_ms() < end)
		sleep_ms(2);
	if (m->sh->sup_stage >= stage)
		return 0;
	printf("supervisor stuck at stage %d of %d\n", m->sh->sup_stage, stage);
	return -1;
}

/*
 * The supervisor (holding the listener and a bound device, FORWARD from the
 * filter) is SIGKILLed with a record pending: its files close, and the
 * trapped call ends as on a stock kernel, with ENOSYS.
 */
TEST_F_TIMEOUT(fwd, killed_supervisor_leaves_stock_enosys, 60)
{
	struct mt_opts o = { .data = FWD_DATA };
	struct mt *m = &self->m[0];
	int status;
	long t0;

	ASSERT_EQ(0, mt_start(m, &o));
	self->sup = fork();
	ASSERT_GE(self->sup, 0) TH_LOG("fork: %s", strerror(errno));
	if (self->sup == 0)
		supervisor(m);
	close(m->t.listener);
	m->t.listener = -1;
	ASSERT_EQ(0, wait_stage(m, 2));
	kill(m->t.pid, SIGUSR1);
	ASSERT_EQ(0, wait_stage(m, 3));
	sleep_ms(50);
	ASSERT_TRUE(!m->t.sh->done && !m->sh->slot[0].handled)
		TH_LOG("the signal ended the wait");
	t0 = now_ms();
	kill(self->sup, SIGKILL);
	ASSERT_EQ(self->sup, waitpid(self->sup, &status, 0)) TH_LOG("waitpid supervisor");
	self->sup = -1;
	ASSERT_EQ(0, mt_wait(m, 5000)) TH_LOG("trapped child did not finish");
	printf("supervisor killed: trapped call returned after %ld ms\n",
	       now_ms() - t0);
	ASSERT_TRUE(m->sh->slot[0].ret == -1 && m->sh->slot[0].err == ENOSYS &&
		    m->sh->slot[0].handled == 1)
		TH_LOG("child: ret %ld errno %d handled %d, expected ENOSYS and 1",
		       m->sh->slot[0].ret, m->sh->slot[0].err, m->sh->slot[0].handled);
}

/* The Go-style storm: SIGUSR1 every millisecond, a slow supervisor. */
struct storm {
	pid_t pid;
	int gap_us;		/* between signals */
	volatile int stop;
	int sent;
};

static void *storm_sender(void *arg)
{
	struct storm *st = arg;

	while (!st->stop) {
		struct timespec ts = { 0, st->gap_us * 1000L };

		kill(st->pid, SIGUSR1);
		st->sent++;
		nanosleep(&ts, NULL);
	}
	return NULL;
}

struct storm_result {
	int notifs, replied, lost, records, completed, sent;
	int killed, before;	/* records flagged KILLED, BEFORE_RECV */
	long ms;
};

/*
 * @calls trapped calls under a storm of SIGUSR1 every @gap_us (plus the
 * sleep's overhead); each notification answered after
 * @delay_ms of reading and discarding records. Runs until the calls are done
 * or @bound_ms after the first notification; 0 or -1. The child installs its
 * own filter: a test may make several runs, and a chain has one listener.
 */
static int storm_run(unsigned int data, int calls, int gap_us, int delay_ms,
		     int bound_ms, struct storm_result *r)
{
	struct mt_opts o = { .calls = calls, .data = data, .own_filter = 1 };
	struct seccomp_sigfwd_signal s;
	struct storm st = { 0 };
	struct seccomp_notif n;
	long t0, end, until;
	int dev = -1, ret = -1, started = 0;
	pthread_t th;
	struct mt m;

	memset(r, 0, sizeof(*r));
	mt_init(&m);
	if (start_bound(&m, &o, &dev, -1))
		goto out;
	st.pid = m.t.pid;
	st.gap_us = gap_us;
	if (pthread_create(&th, NULL, storm_sender, &st)) {
		printf("pthread_create failed\n");
		goto out;
	}
	started = 1;
	if (mt_go(&m, 1))
		goto out;
	t0 = now_ms();
	end = t0 + 5000;
	while (!m.t.sh->done && now_ms() < end) {
		if (trap_recv(&m.t, &n, 100))
			continue;	/* none yet, or withdrawn (ENOENT) */
		if (!r->notifs++)
			end = now_ms() + bound_ms;
		until = now_ms() + delay_ms;
		do {
			while (!rec_try(dev, &s)) {
				r->records++;
				if (s.flags & SECCOMP_SIGFWD_SIG_BEFORE_RECV)
					r->before++;
				if (!(s.flags & SECCOMP_SIGFWD_SIG_KILLED))
					continue;
				r->killed++;
				printf("KILLED record: id %#llx (replying to %#llx) tid %u signo %u flags %#x pending %#llx\n",
				       (unsigned long long)s.id,
				       (unsigned long long)n.id, s.tid, s.signo,
				       s.flags, (unsigned long long)s.pending);
			}
			sleep_ms(delay_ms < 5 ? delay_ms : 5);
		} while (now_ms() < until);
		if (!trap_send(&m.t, n.id, r->notifs, 0)) {
			r->replied++;
			continue;
		}
		if (data && r->lost < 10)
			printf("reply to id %#llx: %s\n",
			       (unsigned long long)n.id, strerror(errno));
		r->lost++;
	}
	r->ms = now_ms() - t0;
	st.stop = 1;
	pthread_join(th, NULL);
	started = 0;
	r->sent = st.sent;
	if (m.t.sh->done && mt_wait(&m, 5000))
		goto out;
	r->completed = m.sh->completed;
	ret = 0;
out:
	if (started) {
		st.stop = 1;
		pthread_join(th, NULL);
	}
	mt_end(&m);
	if (dev >= 0)
		close(dev);
	return ret;
}

static void storm_print(const char *what, const struct storm_result *r)
{
	printf("%s: %d calls completed, %d notifications, %d replied, %d replies lost (ENOENT), %d records (%d KILLED, %d BEFORE_RECV), %d signals sent, %ld ms\n",
	       what, r->completed, r->notifs, r->replied, r->lost, r->records,
	       r->killed, r->before, r->sent, r->ms);
}

/*
 * The Go-style storm (SIGUSR1 every millisecond, 50 ms per reply): with
 * FORWARD | KILLABLE_BEFORE_RECV every call completes with exactly one
 * notification. Stock (no policy) for comparison: the calls keep restarting
 * as new notifications whose replies get ENOENT. Only the per-notification
 * completion rates are compared; timing is printed, not asserted.
 *
 * FORWARD alone leaves a still-queued notification stock: a signal then
 * withdraws it, and the supervisor's RECV can race with the withdrawal (the
 * reply gets ENOENT, the call restarts as a new notification), so "one
 * notification per call" needs KILLABLE_BEFORE_RECV too; see the next case.
 */
TEST_F_TIMEOUT(fwd, forward_completes_go_style_storm_with_one_notification_each, 90)
{
	struct storm_result f, s;

	ASSERT_EQ(0, storm_run(SECCOMP_SIGFWD_RET_DATA(SECCOMP_SIGFWD_FORWARD |
						       SECCOMP_SIGFWD_KILLABLE_BEFORE_RECV),
			       20, 1000, 50, 15000, &f))
		TH_LOG("FORWARD storm run");
	storm_print("FORWARD|KILLABLE_BEFORE_RECV", &f);
	ASSERT_EQ(0, storm_run(0, 20, 1000, 50, 2000, &s)) TH_LOG("stock storm run");
	storm_print("stock", &s);
	ASSERT_TRUE(f.completed == 20 && f.notifs == 20 && f.replied == 20 && !f.lost)
		TH_LOG("FORWARD: expected 20 calls with one notification and reply each");
	ASSERT_EQ(0, f.killed) TH_LOG("KILLED records, but no task was killed");
	ASSERT_EQ(0, s.records) TH_LOG("stock notifications gave records");
	ASSERT_GT(s.notifs, 0) TH_LOG("stock: no notification at all");
	ASSERT_LT(s.completed * f.notifs, f.completed * s.notifs)
		TH_LOG("stock completed as many calls per notification as FORWARD");
}

/*
 * FORWARD alone under the storm, a fast supervisor (2 ms per reply) and 200
 * calls: every call completes, and no record claims a kill, as no task was
 * killed. Extra notifications are allowed: a still-queued notification is
 * stock under FORWARD alone, so a signal withdraws it, and a RECV (even a
 * SEND) racing the withdrawal sees it anyway; the reply gets ENOENT, or
 * succeeds and is dropped as on a stock kernel, and the call restarts.
 */
TEST_F_TIMEOUT(fwd, forward_only_storm_completes_every_call_without_killed_records, 90)
{
	struct storm_result f;

	ASSERT_EQ(0, storm_run(FWD_DATA, 200, 1000, 2, 15000, &f))
		TH_LOG("FORWARD storm run");
	storm_print("FORWARD", &f);
	ASSERT_TRUE(f.completed == 200 && f.notifs >= 200 && f.replied >= 200)
		TH_LOG("expected 200 completed calls");
	ASSERT_EQ(0, f.before) TH_LOG("BEFORE_RECV records without KILLABLE_BEFORE_RECV");
	ASSERT_EQ(0, f.killed) TH_LOG("%d KILLED records, but no task was killed", f.killed);
}

/*
 * The race behind the previous case, made frequent: signals as fast as the
 * sender can make them and a supervisor that RECVs and replies at once, for
 * three seconds. Signals keep withdrawing still-queued notifications (FORWARD
 * alone leaves that phase stock) while RECV races with the withdrawal; a
 * notification lost that way was not killed, so no KILLED record may appear.
 */
TEST_F_TIMEOUT(fwd, recv_racing_a_withdrawal_gives_no_killed_record, 60)
{
	struct storm_result f;

	ASSERT_EQ(0, storm_run(FWD_DATA, 1000000, 20, 0, 3000, &f)) TH_LOG("storm run");
	storm_print("FORWARD, tight storm", &f);
	ASSERT_GT(f.notifs, 0) TH_LOG("no notification at all");
	ASSERT_EQ(0, f.before) TH_LOG("BEFORE_RECV records without KILLABLE_BEFORE_RECV");
	ASSERT_EQ(0, f.killed) TH_LOG("%d KILLED records, but no task was killed", f.killed);
}
