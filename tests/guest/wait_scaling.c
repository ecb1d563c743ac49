// SPDX-License-Identifier: GPL-2.0
/*
 * Measurement only (prints figures, passes unless the setup fails): 1,000
 * threads trapped on one listener under KILLABLE_AFTER_RECV. How long one
 * RECV and reply take to reach their thread while the others keep waiting,
 * and how often the waiting threads are woken meanwhile (their context
 * switches): a wait that sits on the filter's wait queue is woken by every
 * new notification and every RECV.
 */
#include <dirent.h>
#include <linux/futex.h>
#include <stdatomic.h>
#include "sigfwd_test.h"
#include "trap.h"

#define NTHREADS 1000
#define AFTER SECCOMP_SIGFWD_KILLABLE_AFTER_RECV
#define COOKIE 0x4e4d

struct herd {
	atomic_int started;
	atomic_int returned;
	int go;
};

static struct herd *herd;

static void *herd_thread(void *arg)
{
	(void)arg;
	atomic_fetch_add(&herd->started, 1);
	syscall(__NR_getppid, COOKIE);
	atomic_fetch_add(&herd->returned, 1);
	syscall(__NR_futex, &herd->returned, FUTEX_WAKE, 1, NULL, NULL, 0);
	/* Stay, so that the context switches of all threads can be summed. */
	for (;;)
		pause();
	return NULL;
}

static void herd_child(void)
{
	pthread_attr_t attr;
	pthread_t th;
	int i;

	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 64 * 1024);
	for (i = 0; i < NTHREADS; i++)
		if (pthread_create(&th, &attr, herd_thread, NULL))
			_exit(4);
	for (;;)
		pause();
}

static long thread_awake(pid_t tid)
{
	return task_asleep(tid) == 0;
}

/* The sum of @fn over the threads of @pid (failures left out), or -1. */
static long threads_sum(pid_t pid, long (*fn)(pid_t tid))
{
	char path[64];
	struct dirent *d;
	long sum = 0, v;
	DIR *dir;

	snprintf(path, sizeof(path), "/proc/%d/task", pid);
	dir = opendir(path);
	if (!dir)
		return -1;
	while ((d = readdir(dir))) {
		v = atoi(d->d_name) > 0 ? fn(atoi(d->d_name)) : 0;
		if (v > 0)
			sum += v;
	}
	closedir(dir);
	return sum;
}

/* Wait for herd->returned to exceed @n (a thread's call returned). */
static int wait_returned(int n, long deadline)
{
	int v;

	while ((v = atomic_load(&herd->returned)) <= n) {
		struct timespec ts = { 0, 50 * 1000000L };

		if (now_ms() > deadline)
			return -1;
		syscall(__NR_futex, &herd->returned, FUTEX_WAIT, v, &ts, NULL, 0);
	}
	return 0;
}

/* The test traps getppid(COOKIE) and forks the child whose threads call it. */
FIXTURE(herd) {
	int listener;
	pid_t pid;
};

FIXTURE_SETUP(herd)
{
	self->pid = -1;
	ASSERT_EQ(0, module_load(NULL));
	ASSERT_EQ(0, write_file(DEFAULT_POLICY, "0"));
	herd = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, herd);
	self->listener = install_filter_arg0(__NR_getppid, COOKIE,
					     SECCOMP_SIGFWD_RET_DATA(AFTER), 0);
	ASSERT_GE(self->listener, 0) TH_LOG("filter: %s", strerror(errno));
	self->pid = fork();
	ASSERT_GE(self->pid, 0);
	if (!self->pid) {
		close(self->listener);
		herd_child();
	}
}

FIXTURE_TEARDOWN(herd)
{
	if (self->pid > 0) {
		kill(self->pid, SIGKILL);
		waitpid(self->pid, NULL, 0);
	}
	close(self->listener);
}

/* Setup up to 2 minutes, the rounds as long: past the default 30 s. */
TEST_F_TIMEOUT(herd, one_reply_among_1000_waiters_prints_figures, 300)
{
	static long lat[NTHREADS];
	struct trap t = { .listener = self->listener };
	long t0, cs0, cs1, setup_cs, deadline;
	struct seccomp_notif n;
	pid_t pid = self->pid;
	int i, queued;

	/* All queued: each new notification woke the waiters before it. */
	t0 = now_ms();
	deadline = t0 + slow_ms(120000);
	cs0 = threads_sum(pid, vol_switches);
	queued = 0;
	while (now_ms() < deadline) {
		queued = atomic_load(&herd->started);
		if (queued == NTHREADS && !threads_sum(pid, thread_awake))
			break;
		sleep_ms(20);
	}
	ASSERT_EQ(NTHREADS, queued) TH_LOG("only %d threads started", queued);
	setup_cs = threads_sum(pid, vol_switches) - cs0;
	printf("%d threads trapped in %ld ms, %ld context switches meanwhile\n",
	       NTHREADS, now_ms() - t0, setup_cs);

	/* One at a time: RECV, reply, until that thread's call returned. */
	cs0 = threads_sum(pid, vol_switches);
	t0 = now_ms();
	for (i = 0; i < NTHREADS; i++) {
		long s = now_us();

		ASSERT_EQ(0, trap_recv(&t, &n, slow_ms(5000)))
			TH_LOG("RECV %d: %s", i, strerror(errno));
		ASSERT_EQ(0, sigfwd_reply(t.listener, n.id, 1, 0))
			TH_LOG("SEND %d: %s", i, strerror(errno));
		ASSERT_EQ(0, wait_returned(i, deadline)) TH_LOG("reply %d never returned", i);
		lat[i] = now_us() - s;
	}
	cs1 = threads_sum(pid, vol_switches) - cs0;
	/* Each replied thread adds one (its pause()). */
	printf("1000 RECV+reply rounds in %ld ms; context switches %ld (%.1f per round, 1 is the replied thread's)\n",
	       now_ms() - t0, cs1, cs1 / (double)NTHREADS);
	/* The first 100 rounds: 900 or more threads still waiting. */
	printf("RECV to return, >= 900 waiting: median %ld us, p90 %ld us, max %ld us\n",
	       percentile(lat, 100, 50), percentile(lat, 100, 90),
	       percentile(lat, 100, 99));
	printf("RECV to return, < 100 waiting: median %ld us, p90 %ld us, max %ld us\n",
	       percentile(lat + 900, 100, 50), percentile(lat + 900, 100, 90),
	       percentile(lat + 900, 100, 99));
}
