// SPDX-License-Identifier: GPL-2.0
/*
 * sigfwd-demo: the same workload without the module and under each policy,
 * side by side. A task makes trapped syscalls while it receives a handled
 * signal (SA_RESTART, as Go's SIGURG preemption) every few milliseconds; its
 * supervisor needs longer than that to emulate each call.
 *
 * Usage (in the guest): sigfwd-demo [seconds-per-variant] [signal-ms] [service-ms]
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "trap.h"

#define MAX_LAT 100000

struct stats {
	/* child side, in shared memory */
	volatile long completed, eintr, lat_us[MAX_LAT];
	/* supervisor side */
	long notifications, enoent, forwarded;
};

static struct stats *st;
static volatile int handled;

static void on_sig(int sig)
{
	(void)sig;
	handled++;
}

static long now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000L + ts.tv_nsec / 1000;
}

/* The trapped task: getppid() in a loop until killed. */
static void workload(unsigned int data, int sock)
{
	struct sigaction sa = { .sa_handler = on_sig, .sa_flags = SA_RESTART };
	int listener;
	long t0, r;

	sigaction(SIGUSR1, &sa, NULL);
	listener = install_filter(__NR_getppid, data, 0);
	if (listener < 0 || send_fd(sock, listener))
		_exit(3);
	close(listener);
	for (;;) {
		t0 = now_us();
		r = syscall(__NR_getppid);
		if (r == -1 && errno == EINTR) {
			st->eintr++;
			continue;
		}
		if (st->completed < MAX_LAT)
			st->lat_us[st->completed] = now_us() - t0;
		st->completed++;
	}
}

static int cmp_long(const void *a, const void *b)
{
	long x = *(const long *)a, y = *(const long *)b;

	return x < y ? -1 : x > y;
}

struct variant {
	const char *name;
	int module;		/* load the module */
	unsigned int data;	/* filter data */
	unsigned int listener;	/* listener policy */
};

static void run(const struct variant *v, int secs, int sig_ms, int svc_ms)
{
	long end, p50 = -1, p99 = -1, n;
	struct seccomp_sigfwd_signal s;
	struct seccomp_notif notif;
	struct seccomp_notif_resp resp;
	pid_t child, pest;
	int sv[2], listener, dev = -1;

	if (v->module)
		module_load(NULL);
	else
		module_unload();
	memset(st, 0, sizeof(*st));
	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	child = fork();
	if (!child)
		workload(v->data, sv[1]);
	listener = recv_fd(sv[0]);
	close(sv[0]);
	close(sv[1]);
	if (v->module) {
		dev = dev_bind(listener);
		if (v->listener)
			dev_set_policy(dev, v->listener);
		fcntl(dev, F_SETFL, O_NONBLOCK);
	}
	pest = fork();
	if (!pest) {
		for (;;) {
			sleep_ms(sig_ms);
			kill(child, SIGUSR1);
		}
	}
	end = now_ms() + secs * 1000L;
	while (now_ms() < end) {
		if (!poll_fd(listener, POLLIN, 100))
			continue;
		memset(&notif, 0, sizeof(notif));
		if (ioctl(listener, SECCOMP_IOCTL_NOTIF_RECV, &notif))
			continue;
		st->notifications++;
		sleep_ms(svc_ms);	/* the emulated work */
		while (dev >= 0 && !dev_recv_signal(dev, &s))
			st->forwarded++;
		memset(&resp, 0, sizeof(resp));
		resp.id = notif.id;
		resp.val = 1;
		if (ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, &resp) && errno == ENOENT)
			st->enoent++;
	}
	kill(pest, SIGKILL);
	kill(child, SIGKILL);
	waitpid(pest, NULL, 0);
	waitpid(child, NULL, 0);
	close(listener);
	if (dev >= 0)
		close(dev);
	n = st->completed < MAX_LAT ? st->completed : MAX_LAT;
	if (n) {
		qsort((void *)st->lat_us, n, sizeof(long), cmp_long);
		p50 = st->lat_us[n / 2];
		p99 = st->lat_us[(n * 99) / 100];
	}
	printf("%-26s %9ld %8ld ", v->name, st->completed, st->notifications);
	if (n)
		printf("%10.2f", (double)st->notifications / st->completed);
	else
		printf("%10s", "-");
	printf(" %7ld %6ld %9ld ", st->enoent, st->eintr, st->forwarded);
	if (n)
		printf("%7.1f %7.1f\n", p50 / 1000.0, p99 / 1000.0);
	else
		printf("%7s %7s\n", "-", "-");
}

int main(int argc, char **argv)
{
	static const struct variant variants[] = {
		{ "stock (module not loaded)", 0, 0, 0 },
		{ "module, empty policy", 1, 0, 0 },
		{ "KILLABLE_AFTER_RECV", 1,
		  SECCOMP_SIGFWD_RET_DATA(SECCOMP_SIGFWD_KILLABLE_AFTER_RECV), 0 },
		{ "KILLABLE (both phases)", 1,
		  SECCOMP_SIGFWD_RET_DATA(SECCOMP_SIGFWD_KILLABLE), 0 },
		{ "FORWARD (listener policy)", 1, 0, SECCOMP_SIGFWD_FORWARD },
	};
	int secs = argc > 1 ? atoi(argv[1]) : 3;
	int sig_ms = argc > 2 ? atoi(argv[2]) : 2;
	int svc_ms = argc > 3 ? atoi(argv[3]) : 20;
	unsigned int i;

	setvbuf(stdout, NULL, _IONBF, 0);
	st = mmap(NULL, sizeof(*st), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	printf("A trapped getppid() loop, SIGUSR1 (SA_RESTART) every %d ms, supervisor needs %d ms per call, %d s per variant\n\n",
	       sig_ms, svc_ms, secs);
	printf("%-26s %9s %8s %10s %7s %6s %9s %7s %7s\n", "variant",
	       "completed", "notifs", "notif/call", "ENOENT", "EINTR",
	       "forwarded", "p50 ms", "p99 ms");
	for (i = 0; i < sizeof(variants) / sizeof(variants[0]); i++)
		run(&variants[i], secs, sig_ms, svc_ms);
	module_load(NULL);
	return 0;
}
