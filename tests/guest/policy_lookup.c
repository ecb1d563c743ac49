// SPDX-License-Identifier: GPL-2.0
/*
 * The policy a wait gets comes from the program that notified, whatever the
 * module caches to find it faster (issue 14): each new program gets its own
 * answer, also when it reuses a destroyed program's address, one program's
 * different tagged returns each apply to their own call, and an explicit
 * "no policy" tag overrides the default.
 *
 * Each scenario's child installs a new program (trap.h's own_filter, so the
 * program is destroyed with the child) and makes the trapped call; the test
 * RECVs it, sends the child a handled SIGUSR1 (SA_RESTART) and replies: a
 * KILLABLE wait holds the signal and the reply lands; without a policy the
 * stock wait is interrupted, the reply gets ENOENT and the call comes back
 * as a new notification.
 */
#include "sigfwd_test.h"
#include "trap.h"

#define KILLABLE SECCOMP_SIGFWD_RET_DATA(SECCOMP_SIGFWD_KILLABLE)
#define NO_POLICY SECCOMP_SIGFWD_RET_DATA(0)
/* Listeners bound at once: most of the module's 64 hash buckets hold one. */
#define NR_BOUND 64
#define NR_UNBOUND 16

FIXTURE(lookup) {
	struct trap t;
	struct sup bound[NR_BOUND];
};

FIXTURE_SETUP(lookup)
{
	int i;

	self->t.listener = -1;
	for (i = 0; i < NR_BOUND; i++)
		self->bound[i].t.listener = self->bound[i].dev = -1;
	ASSERT_EQ(0, module_load(NULL));
	ASSERT_EQ(0, write_file(DEFAULT_POLICY, "0"));
}

FIXTURE_TEARDOWN(lookup)
{
	int i;

	trap_end(&self->t);
	for (i = 0; i < NR_BOUND; i++)
		sup_end(&self->bound[i]);
	write_file(DEFAULT_POLICY, "0");
}

/*
 * Trap one call under @o's new program, with a device bound to its listener
 * when @dev_policy is not 0 (that policy set), signal it after RECV, reply
 * 42. 1 when the wait held the signal, 0 when the stock wait was interrupted.
 * @expect_held only sets how long to give the signal: an interrupted call
 * comes back as a new notification, a held one never does, so waiting long
 * for that is only worth it when it is expected.
 */
static int held_bound(struct __test_metadata *_metadata, struct trap *t,
		      struct trap_opts o, int expect_held, unsigned int dev_policy)
{
	struct seccomp_notif n, n2;
	int ret = 1, dev = -1;

	o.own_filter = 1;
	o.sa_flags = SA_RESTART;
	/* A policy applies from the next wait: bind before the call. */
	o.hold = !!dev_policy;
	ASSERT_EQ(0, trap_start(t, &o));
	if (dev_policy) {
		dev = sigfwd_open_bound(t->listener, 0);
		ASSERT_LE(0, dev) TH_LOG("BIND: %s", strerror(errno));
		ASSERT_EQ(0, sigfwd_set_policy(dev, dev_policy));
		trap_go(t);
	}
	ASSERT_EQ(0, trap_recv(t, &n, slow_ms(5000)))
		TH_LOG("no notification: %s", strerror(errno));
	ASSERT_EQ(0, wait_asleep(t->pid));
	kill(t->pid, SIGUSR1);
	poll_fd(t->listener, POLLIN, slow_ms(expect_held ? 300 : 5000));
	if (trap_send(t, n.id, 42, 0)) {
		/* Interrupted: serve the restarted call. */
		ASSERT_EQ(ENOENT, errno);
		ASSERT_EQ(0, trap_recv(t, &n2, slow_ms(5000)))
			TH_LOG("the interrupted call did not come back");
		ASSERT_EQ(0, trap_send(t, n2.id, 42, 0));
		ret = 0;
	}
	ASSERT_EQ(0, trap_wait(t, slow_ms(5000)));
	t->pid = 0;
	ASSERT_EQ(42, t->sh->ret);
	trap_end(t);
	if (dev >= 0)
		close(dev);
	return ret;
}

static int held(struct __test_metadata *_metadata, struct trap *t,
		struct trap_opts o, int expect_held)
{
	return held_bound(_metadata, t, o, expect_held, 0);
}

/*
 * A new program is vmalloc()ed, and vfree() makes a destroyed program's
 * address free for reuse lazily, when the lazily freed areas are purged:
 * at a threshold of tens of MB, or when the kernel changes page
 * permissions (set_memory_*() calls vm_unmap_aliases() on x86 and arm64),
 * as loading a module does. Load and unload one (sigfwd_bench.ko, which
 * does nothing at load) so that the next program is likely made where a
 * destroyed one was.
 */
static void purge_freed_addresses(struct __test_metadata *_metadata)
{
	int fd = open("/sigfwd/sigfwd_bench.ko", O_RDONLY | O_CLOEXEC);

	ASSERT_LE(0, fd) TH_LOG("no sigfwd_bench.ko: %s", strerror(errno));
	ASSERT_EQ(0, syscall(__NR_finit_module, fd, "", 0))
		TH_LOG("loading sigfwd_bench.ko: %s", strerror(errno));
	close(fd);
	ASSERT_EQ(0, syscall(__NR_delete_module, "sigfwd_bench", O_NONBLOCK));
}

/*
 * New programs one after the other, tagged KILLABLE or not: each gets its
 * own answer. The module caches one per program until it is destroyed, and
 * new programs are made where destroyed ones were (purge_freed_addresses()). The
 * tags follow the Thue-Morse sequence, so that a program reusing the address
 * of one made 1, 2, 3 ... programs earlier gets the other tag somewhere.
 */
TEST_F_TIMEOUT(lookup, each_new_program_gets_its_own_policy, 120)
{
	int i, tagged;

	for (i = 0; i < 32; i++) {
		struct trap_opts o = { 0 };

		tagged = __builtin_popcount(i) & 1;
		o.data = tagged ? KILLABLE : 0;
		purge_freed_addresses(_metadata);
		ASSERT_EQ(tagged, held(_metadata, &self->t, o, tagged))
			TH_LOG("program %d (%s) got the wrong policy", i,
			       tagged ? "KILLABLE" : "untagged");
	}
}

/* One program, two tagged returns: each call gets its own. */
TEST_F(lookup, one_program_each_tagged_return_its_own_policy)
{
	struct trap_opts first = { .data = KILLABLE, .data2 = NO_POLICY };
	struct trap_opts second = { .data = KILLABLE, .data2 = NO_POLICY,
				    .call_second = 1 };

	ASSERT_EQ(1, held(_metadata, &self->t, first, 1))
		TH_LOG("the KILLABLE return not held");
	ASSERT_EQ(0, held(_metadata, &self->t, second, 0))
		TH_LOG("the no-policy return held");
}

/* A "no policy" tag wins over default_policy, the program's only return. */
TEST_F(lookup, no_policy_tag_overrides_default)
{
	struct trap_opts tagged = { .data = NO_POLICY };
	struct trap_opts untagged = { .data = 0 };
	char v[16];

	snprintf(v, sizeof(v), "%u", SECCOMP_SIGFWD_KILLABLE);
	ASSERT_EQ(0, write_file(DEFAULT_POLICY, v));
	ASSERT_EQ(0, held(_metadata, &self->t, tagged, 0))
		TH_LOG("tagged 'no policy' wait held");
	ASSERT_EQ(1, held(_metadata, &self->t, untagged, 1))
		TH_LOG("untagged wait did not get default_policy");
}

/* A held child that never makes its call: it only keeps its listener. */
static void keep_listener(__u32 cookie)
{
	(void)cookie;
	pause();
}

/*
 * Bindings are hashed by filter, and the wait's intercept redirects a wait
 * when its filter's bucket holds any binding (one load, no lookup); the
 * redirected wait's one lookup decides. With 64 listeners bound KILLABLE,
 * about two buckets in three hold a binding: each unbound listener, most of
 * them sharing a bucket with a bound one, keeps the stock wait (a signal
 * withdraws its call), and a bound one holds the signal.
 */
TEST_F_TIMEOUT(lookup, unbound_listeners_beside_bound_ones_keep_the_stock_wait, 180)
{
	struct trap_opts keep = { .body = keep_listener, .own_filter = 1 };
	struct trap_opts o = { 0 };
	struct sup *b;
	int i;

	for (i = 0; i < NR_BOUND; i++) {
		b = &self->bound[i];
		ASSERT_EQ(0, trap_start(&b->t, &keep));
		b->dev = sigfwd_open_bound(b->t.listener, 0);
		ASSERT_LE(0, b->dev) TH_LOG("BIND %d: %s", i, strerror(errno));
		ASSERT_EQ(0, sigfwd_set_policy(b->dev, SECCOMP_SIGFWD_KILLABLE));
	}
	for (i = 0; i < NR_UNBOUND; i++)
		ASSERT_EQ(0, held(_metadata, &self->t, o, 0))
			TH_LOG("unbound listener %d: its wait held the signal", i);
	ASSERT_EQ(1, held_bound(_metadata, &self->t, o, 1, SECCOMP_SIGFWD_KILLABLE))
		TH_LOG("a bound KILLABLE listener's wait did not hold the signal");
}
