// SPDX-License-Identifier: GPL-2.0
/*
 * Loading with a misc device in the way. A taken device name refuses the
 * load cleanly; a load held inside misc_register() redirects no wait before
 * it has succeeded: the hook goes live last, so a load that fails never
 * leaves a task sleeping in module code the kernel frees.
 */
#include <sys/klog.h>
#include <sys/utsname.h>
#include "sigfwd_test.h"
#include "trap.h"

#define MISC_KO "/sigfwd/sigfwd_test_misc.ko"
#define MISC_HOLDING "/sys/module/sigfwd_test_misc/parameters/holding"
#define INITSTATE "/sys/module/seccomp_sigfwd/initstate"
#define AFTER SECCOMP_SIGFWD_KILLABLE_AFTER_RECV
#define NR_HELD 4
#define NR_PROBES 5

static int kmod_load(const char *path, const char *params)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), ret;

	if (fd < 0)
		return -1;
	ret = syscall(__NR_finit_module, fd, params, 0);
	close(fd);
	return ret;
}

static int kmod_unload(void)
{
	if (syscall(__NR_delete_module, "sigfwd_test_misc", O_NONBLOCK) &&
	    errno != ENOENT) {
		printf("rmmod sigfwd_test_misc: %s\n", strerror(errno));
		return -1;
	}
	return 0;
}

/* Does /proc/PID/stack show @fn? -1 when the kernel does not say. */
static int in_stack(pid_t pid, const char *fn)
{
	char path[64], buf[4096];

	snprintf(path, sizeof(path), "/proc/%d/stack", pid);
	if (read_text(path, buf, sizeof(buf)) < 0)
		return -1;
	return !!strstr(buf, fn);
}

/* Is seccomp_sigfwd's init still running ("coming")? */
static int load_in_progress(void)
{
	char buf[16];

	read_text(INITSTATE, buf, sizeof(buf));
	return !strncmp(buf, "coming", 6);
}

/* A task trapping getppid() in a loop, and its supervisor replying 42. */
static struct {
	struct trap t;
	volatile int stop;
	volatile long replies;
} busy;

static void *busy_supervisor(void *arg)
{
	struct seccomp_notif n;

	(void)arg;
	while (!busy.stop) {
		if (trap_recv(&busy.t, &n, 10))
			continue;
		if (!trap_send(&busy.t, n.id, 42, 0))
			busy.replies++;
	}
	return NULL;
}

static int busy_progresses(void)
{
	long before = busy.replies, end = now_ms() + slow_ms(2000);

	while (busy.replies < before + 20 && now_ms() < end)
		sleep_ms(5);
	return busy.replies >= before + 20;
}

/*
 * Both cases load the test misc module and may leave traps, a busy
 * supervisor thread, a holder and a loader behind on a failed assertion:
 * the teardown ends them, removes the test module and loads seccomp_sigfwd
 * again, and fails the case if either step fails (as before). In the
 * parent (after a timeout) self is as before the setup: zeroed.
 */
FIXTURE(misc) {
	struct trap held[NR_HELD], t;
	int nheld, th_started, ready;
	pthread_t th;
	pid_t holder, loader;
};

FIXTURE_SETUP(misc)
{
	memset(&busy, 0, sizeof(busy));
	busy.t.pid = -1;
	self->t.pid = -1;
	self->t.listener = -1;
	self->holder = self->loader = -1;
	self->ready = 1;
}

FIXTURE_TEARDOWN(misc)
{
	int i;

	if (!self->ready)
		return;
	busy.stop = 1;
	if (self->th_started)
		pthread_join(self->th, NULL);
	if (busy.t.pid > 0)
		trap_end(&busy.t);
	for (i = 0; i < self->nheld; i++)
		trap_end(&self->held[i]);
	if (self->holder > 0) {
		kill(self->holder, SIGKILL);
		waitpid(self->holder, NULL, 0);
	}
	if (self->loader > 0)
		waitpid(self->loader, NULL, 0);
	trap_end(&self->t);
	EXPECT_EQ(0, kmod_unload());
	EXPECT_EQ(0, module_load(NULL)) TH_LOG("reload: %s", strerror(errno));
}

/*
 * The name seccomp_sigfwd's device needs is taken by another misc device.
 * The load is refused with EBUSY and exactly one line naming the reason,
 * before misc_register() could dump a stack from sysfs (the console stays
 * clean); tagged-policy tasks trapping during the refused load, in a loop
 * and received but unanswered, get their replies afterwards.
 */
TEST_F_TIMEOUT(misc, load_refused_with_ebusy_and_one_line_when_device_name_is_taken, 90)
{
	struct trap_opts o = { .data = SECCOMP_SIGFWD_RET_DATA(AFTER),
			       .own_filter = 1 };
	static char log[1 << 16];
	struct trap_opts bo = o;
	struct trap *held = self->held;
	struct seccomp_notif n[NR_HELD];
	int i, len, e;
	char want[256];
	struct utsname u;

	/* Loaded once first: the first load's taint lines are not ours. */
	ASSERT_EQ(0, module_load(NULL)) TH_LOG("load: %s", strerror(errno));
	ASSERT_EQ(0, module_unload()) TH_LOG("unload: %s", strerror(errno));
	ASSERT_EQ(0, kmod_load(MISC_KO, "name=seccomp-sigfwd"))
		TH_LOG("load %s: %s", MISC_KO, strerror(errno));
	bo.calls = 1 << 30;
	ASSERT_EQ(0, trap_start(&busy.t, &bo)) TH_LOG("busy trap");
	ASSERT_EQ(0, pthread_create(&self->th, NULL, busy_supervisor, NULL)) TH_LOG("thread");
	self->th_started = 1;
	for (i = 0; i < NR_HELD; i++) {
		self->nheld++;
		ASSERT_EQ(0, trap_start(&held[i], &o)) TH_LOG("trap %d", i);
		ASSERT_EQ(0, trap_recv(&held[i], &n[i], slow_ms(5000)))
			TH_LOG("no notification %d", i);
		wait_asleep(held[i].pid);
	}
	klogctl(5, NULL, 0);
	errno = 0;
	e = module_load(NULL) ? errno : 0;
	len = klogctl(3, log, sizeof(log) - 1);
	log[len > 0 ? len : 0] = 0;
	printf("load: %s\nlog:\n%s", e ? strerror(e) : "succeeded", log);
	ASSERT_EQ(EBUSY, e) TH_LOG("the load did not fail with EBUSY");
	ASSERT_FALSE(module_loaded()) TH_LOG("module listed after a refused load");
	uname(&u);
	snprintf(want, sizeof(want),
		 "seccomp_sigfwd: refusing to load on %s: the device name seccomp-sigfwd is taken",
		 u.release);
	/* Exactly one line (each starts with "<level>"): the refusal. */
	ASSERT_TRUE(len > 0 && strstr(log, want) && strchr(log, '\n') == log + len - 1)
		TH_LOG("the log is not exactly one refusal line naming the taken name");
	ASSERT_TRUE(busy_progresses()) TH_LOG("busy trap stalled during the refused load");
	for (i = 0; i < NR_HELD; i++) {
		ASSERT_EQ(0, trap_send(&held[i], n[i].id, 42, 0))
			TH_LOG("SEND %d: %s", i, strerror(errno));
		ASSERT_TRUE(!trap_wait(&held[i], slow_ms(5000)) &&
			    held[i].sh->ret == 42)
			TH_LOG("reply %d lost", i);
		held[i].pid = 0;
	}
	ASSERT_TRUE(busy_progresses()) TH_LOG("busy trap stalled after the refused load");
	ASSERT_EQ(42, busy.t.sh->ret) TH_LOG("busy trap got %ld", busy.t.sh->ret);
}

enum outcome { STOCK, HELD, UNCLEAR };

/*
 * One tagged KILLABLE_AFTER_RECV wait of @t, signalled after RECV. Stock:
 * the handler runs while the supervisor waits (up to @wait_ms), the call is
 * withdrawn (the reply gets ENOENT) and restarts as a new notification.
 * Held by the policy: no handler before the reply, which lands. -1 on error.
 */
static int probe(struct trap *t, long wait_ms)
{
	struct seccomp_notif n;
	int h, handled;
	long end;

	if (trap_recv(t, &n, slow_ms(5000))) {
		printf("no notification: %s\n", strerror(errno));
		return -1;
	}
	wait_asleep(t->pid);
	h = t->sh->handled;
	kill(t->pid, SIGUSR1);
	end = now_ms() + wait_ms;
	while (t->sh->handled == h && now_ms() < end)
		sleep_ms(2);
	handled = t->sh->handled != h;
	if (!trap_send(t, n.id, 42, 0))
		return handled ? UNCLEAR : HELD;
	if (errno != ENOENT) {
		printf("SEND: %s\n", strerror(errno));
		return -1;
	}
	return handled ? STOCK : UNCLEAR;
}

static const char *const outcome_name[] = { "stock", "held", "unclear" };

/*
 * No wait is redirected before the load has succeeded. The load is held
 * inside misc_register() (another misc device's open() sleeps under
 * misc_mtx) while a task traps under a tagged KILLABLE_AFTER_RECV policy in
 * a loop: each signalled wait is the stock one (withdrawn, the reply gets
 * ENOENT, the call restarts). Released, the load succeeds, and from then on
 * the same task's waits are held by the policy.
 */
TEST_F_TIMEOUT(misc, tagged_waits_stay_stock_until_a_load_held_in_misc_register_succeeds, 120)
{
	struct trap_opts o = { .data = SECCOMP_SIGFWD_RET_DATA(AFTER),
			       .sa_flags = SA_RESTART, .calls = 1 << 30 };
	struct trap *t = &self->t;
	int i, r, status, was_held = 0;
	struct seccomp_notif n;
	long end;

	ASSERT_EQ(0, module_unload()) TH_LOG("unload: %s", strerror(errno));
	ASSERT_EQ(0, kmod_load(MISC_KO, "")) TH_LOG("load %s: %s", MISC_KO, strerror(errno));
	ASSERT_EQ(0, trap_start(t, &o)) TH_LOG("trap");
	self->holder = fork();
	if (!self->holder) {
		open("/dev/sigfwd-test-hold", O_RDONLY);
		_exit(0);
	}
	end = now_ms() + slow_ms(5000);
	while (read_int_file(MISC_HOLDING) < 1 && now_ms() < end)
		sleep_ms(2);
	ASSERT_EQ(1, read_int_file(MISC_HOLDING))
		TH_LOG("the test device's open does not sleep");
	self->loader = fork();
	if (!self->loader)
		_exit(module_load(NULL) ? errno : 0);
	end = now_ms() + slow_ms(5000);
	while (now_ms() < end && !was_held &&
	       waitpid(self->loader, &status, WNOHANG) == 0) {
		was_held = in_stack(self->loader, "misc_register") == 1 &&
			   load_in_progress();
		if (!was_held)
			sleep_ms(2);
	}
	ASSERT_TRUE(was_held) TH_LOG("the load is not held inside misc_register()");
	for (i = 0; i < NR_PROBES; i++) {
		r = probe(t, slow_ms(5000));
		ASSERT_GE(r, 0) TH_LOG("probe %d during the held load", i);
		ASSERT_EQ(STOCK, r)
			TH_LOG("probe %d while the load is held: %s, not stock",
			       i, outcome_name[r]);
	}
	ASSERT_TRUE(in_stack(self->loader, "misc_register") == 1 && load_in_progress())
		TH_LOG("the load was no longer held at the end of the probes");
	printf("%d waits stock while the load was held\n", NR_PROBES);
	/* Let the load go on: misc_register() completes, then the hook. */
	kill(self->holder, SIGKILL);
	waitpid(self->holder, NULL, 0);
	self->holder = -1;
	ASSERT_TRUE(waitpid(self->loader, &status, 0) == self->loader &&
		    WIFEXITED(status))
		TH_LOG("loader died");
	self->loader = -1;
	ASSERT_EQ(0, WEXITSTATUS(status))
		TH_LOG("the released load failed: %s", strerror(WEXITSTATUS(status)));
	ASSERT_TRUE(module_loaded() && !load_in_progress()) TH_LOG("module not live");
	/* The wait in progress may have begun before the hook: answer it. */
	ASSERT_EQ(0, trap_recv(t, &n, slow_ms(5000))) TH_LOG("no notification after the load");
	ASSERT_EQ(0, trap_send(t, n.id, 42, 0)) TH_LOG("SEND: %s", strerror(errno));
	for (i = 0; i < NR_PROBES; i++) {
		r = probe(t, 300);
		ASSERT_GE(r, 0) TH_LOG("probe %d after the load", i);
		ASSERT_EQ(HELD, r)
			TH_LOG("probe %d after the load: %s, not held by the policy",
			       i, outcome_name[r]);
	}
	printf("%d waits held after the load\n", NR_PROBES);
}
