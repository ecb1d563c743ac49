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
#include "harness.h"
#include "trap.h"

#define NTHREADS 1000
#define AFTER SECCOMP_SIGFWD_KILLABLE_AFTER_RECV

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
	syscall(__NR_getppid);
	atomic_fetch_add(&herd->returned, 1);
	syscall(__NR_futex, &herd->returned, FUTEX_WAKE, 1, NULL, NULL, 0);
	/* Stay, so that the context switches of all threads can be summed. */
	for (;;)
		pause();
	return NULL;
}

static void herd_child(int sock)
{
	pthread_attr_t attr;
	pthread_t th;
	int listener, i;

	listener = install_filter(__NR_getppid, SECCOMP_SIGFWD_RET_DATA(AFTER), 0);
	if (listener < 0 || send_fd(sock, listener))
		_exit(3);
	close(listener);
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 64 * 1024);
	for (i = 0; i < NTHREADS; i++)
		if (pthread_create(&th, &attr, herd_thread, NULL))
			_exit(4);
	for (;;)
		pause();
}

/* Voluntary context switches of all threads of @pid. */
static long ctxt_switches(pid_t pid)
{
	char path[300], line[128];
	struct dirent *d;
	long sum = 0, v;
	DIR *dir;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/task", pid);
	dir = opendir(path);
	if (!dir)
		return -1;
	while ((d = readdir(dir))) {
		if (d->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/%d/task/%s/status", pid,
			 d->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		while (fgets(line, sizeof(line), f))
			if (sscanf(line, "voluntary_ctxt_switches: %ld", &v) == 1)
				sum += v;
		fclose(f);
	}
	closedir(dir);
	return sum;
}

/* Threads of @pid not asleep (S or D), or -1. */
static int threads_awake(pid_t pid)
{
	char path[300], buf[256], *p;
	struct dirent *d;
	int awake = 0, fd;
	DIR *dir;

	snprintf(path, sizeof(path), "/proc/%d/task", pid);
	dir = opendir(path);
	if (!dir)
		return -1;
	while ((d = readdir(dir))) {
		if (d->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/%d/task/%s/stat", pid,
			 d->d_name);
		fd = open(path, O_RDONLY);
		if (fd < 0)
			continue;
		buf[read(fd, buf, sizeof(buf) - 1) > 0 ? sizeof(buf) - 1 : 0] = 0;
		close(fd);
		p = strrchr(buf, ')');
		if (!p || (p[2] != 'S' && p[2] != 'D'))
			awake++;
	}
	closedir(dir);
	return awake;
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

static int cmp_long(const void *a, const void *b)
{
	long x = *(const long *)a, y = *(const long *)b;

	return x < y ? -1 : x > y;
}

CASE(one_reply_among_1000_waiters_prints_figures)
{
	static long lat[NTHREADS];
	struct seccomp_notif n;
	int sv[2], listener = -1, ret = 1, i, queued;
	long t0, cs0, cs1, setup_cs, deadline;
	pid_t pid = -1;

	CHECK(!module_load(NULL) && !write_file(DEFAULT_POLICY, "0"), "load");
	herd = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	CHECK(herd != MAP_FAILED && !socketpair(AF_UNIX, SOCK_STREAM, 0, sv),
	      "setup");
	pid = fork();
	if (!pid) {
		close(sv[0]);
		herd_child(sv[1]);
	}
	close(sv[1]);
	listener = recv_fd(sv[0]);
	close(sv[0]);
	ENSURE(listener >= 0, "no listener");

	/* All queued: each new notification woke the waiters before it. */
	t0 = now_ms();
	deadline = t0 + slow_ms(120000);
	cs0 = ctxt_switches(pid);
	queued = 0;
	while (now_ms() < deadline) {
		queued = atomic_load(&herd->started);
		if (queued == NTHREADS && !threads_awake(pid))
			break;
		sleep_ms(20);
	}
	ENSURE(queued == NTHREADS, "only %d threads started", queued);
	setup_cs = ctxt_switches(pid) - cs0;
	printf("%d threads trapped in %ld ms, %ld context switches meanwhile\n",
	       NTHREADS, now_ms() - t0, setup_cs);

	/* One at a time: RECV, reply, until that thread's call returned. */
	cs0 = ctxt_switches(pid);
	t0 = now_ms();
	for (i = 0; i < NTHREADS; i++) {
		long s = now_us();

		ENSURE(!trap_recv(&(struct trap){ .listener = listener }, &n,
				  slow_ms(5000)), "RECV %d: %s", i, strerror(errno));
		ENSURE(!ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND,
			      &(struct seccomp_notif_resp){ .id = n.id, .val = 1 }),
		       "SEND %d: %s", i, strerror(errno));
		ENSURE(!wait_returned(i, deadline), "reply %d never returned", i);
		lat[i] = now_us() - s;
	}
	cs1 = ctxt_switches(pid) - cs0;
	/* Each replied thread adds one (its pause()). */
	printf("1000 RECV+reply rounds in %ld ms; context switches %ld (%.1f per round, 1 is the replied thread's)\n",
	       now_ms() - t0, cs1, cs1 / (double)NTHREADS);
	/* The first 100 rounds: 900 or more threads still waiting. */
	qsort(lat, 100, sizeof(lat[0]), cmp_long);
	printf("RECV to return, >= 900 waiting: median %ld us, p90 %ld us, max %ld us\n",
	       lat[50], lat[90], lat[99]);
	qsort(lat + 900, 100, sizeof(lat[0]), cmp_long);
	printf("RECV to return, < 100 waiting: median %ld us, p90 %ld us, max %ld us\n",
	       lat[950], lat[990], lat[999]);
	ret = 0;
out:
	if (pid > 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
	if (listener >= 0)
		close(listener);
	return ret;
}
