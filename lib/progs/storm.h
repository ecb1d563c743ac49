/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The signal-storm workload shared by the demo and the benchmarks: a task
 * makes trapped getppid() calls in a loop while it receives a handled signal
 * (SA_RESTART, as Go's SIGURG preemption) every sig_ms; its supervisor needs
 * svc_ms to emulate each call. storm_run() runs one variant for a while and
 * counts what both sides saw.
 */
#ifndef SIGFWD_STORM_H
#define SIGFWD_STORM_H

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "progs.h"

#define STORM_MAX_LAT 100000

struct storm_variant {
	const char *name;
	int module;		/* load the module (else unload it) */
	unsigned int data;	/* filter data: the filter's policy */
	unsigned long flags;	/* extra filter flags (native WAIT_KILLABLE_RECV) */
	unsigned int listener;	/* listener policy set through the device */
};

struct storm_result {
	long completed, notifications, enoent, eintr, forwarded;
	long p50_us, p99_us;	/* per completed call, -1 when none */
};

/* The trapped task's side, in shared memory. */
struct storm_child {
	volatile long completed, eintr, lat_us[STORM_MAX_LAT];
};

static struct storm_child *storm_sh;

static void storm_on_sig(int sig)
{
	(void)sig;
}

/*
 * The trapped task's set-up: SIGUSR1 handled with SA_RESTART, the filter of
 * @v on getppid() installed and its listener sent over @sock. Returns once
 * the supervisor has bound and set its policy (it writes one byte back).
 */
static inline void storm_child_trap(const struct storm_variant *v, int sock)
{
	struct sigaction sa = { .sa_handler = storm_on_sig, .sa_flags = SA_RESTART };
	int listener;
	char go;

	sigaction(SIGUSR1, &sa, NULL);
	listener = install_filter(__NR_getppid, v->data, v->flags);
	if (listener < 0 || send_fd(sock, listener))
		_exit(3);
	close(listener);
	if (read(sock, &go, 1) != 1)
		_exit(3);
}

/* The trapped task: getppid() in a loop until killed. */
static inline void storm_child_run(const struct storm_variant *v, int sock)
{
	long t0, r;

	storm_child_trap(v, sock);
	for (;;) {
		t0 = now_us();
		r = syscall(__NR_getppid);
		if (r == -1 && errno == EINTR) {
			storm_sh->eintr++;
			continue;
		}
		if (storm_sh->completed < STORM_MAX_LAT)
			storm_sh->lat_us[storm_sh->completed] = now_us() - t0;
		storm_sh->completed++;
	}
}

/* Run variant @v for @ms; 0, or -1 when the variant cannot run here. */
static inline int storm_run(const struct storm_variant *v, int ms, int sig_ms,
			    int svc_ms, struct storm_result *res)
{
	struct seccomp_sigfwd_signal s;
	struct seccomp_notif notif;
	struct seccomp_notif_resp resp;
	pid_t child, pest;
	int sv[2], listener, dev = -1;
	long end, n;

	if (!storm_sh)
		storm_sh = mmap(NULL, sizeof(*storm_sh), PROT_READ | PROT_WRITE,
				MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (storm_sh == MAP_FAILED)
		return -1;
	if (v->module ? module_load(NULL) : module_unload())
		return -1;
	memset((void *)storm_sh, 0, sizeof(*storm_sh));
	memset(res, 0, sizeof(*res));
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
		return -1;
	child = fork();
	if (!child)
		storm_child_run(v, sv[1]);
	listener = recv_fd(sv[0]);
	/* Filter-data policies need no device: bind for listener policies only. */
	if (listener >= 0 && v->listener) {
		dev = sigfwd_open_bound(listener, O_NONBLOCK);
		sigfwd_set_policy(dev, v->listener);
	}
	if (listener < 0 || write(sv[0], "g", 1) != 1) {
		close(sv[0]);
		close(sv[1]);
		kill(child, SIGKILL);
		waitpid(child, NULL, 0);
		return -1;
	}
	close(sv[0]);
	close(sv[1]);
	pest = fork();
	if (!pest) {
		for (;;) {
			sleep_ms(sig_ms);
			kill(child, SIGUSR1);
		}
	}
	end = now_ms() + ms;
	while (now_ms() < end) {
		if (!poll_fd(listener, POLLIN, 100))
			continue;
		memset(&notif, 0, sizeof(notif));
		if (ioctl(listener, SECCOMP_IOCTL_NOTIF_RECV, &notif))
			continue;
		res->notifications++;
		if (svc_ms)
			sleep_ms(svc_ms);	/* the emulated work */
		while (dev >= 0 && !sigfwd_recv_signal(dev, &s))
			res->forwarded++;
		memset(&resp, 0, sizeof(resp));
		resp.id = notif.id;
		resp.val = 1;
		if (ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, &resp) && errno == ENOENT)
			res->enoent++;
	}
	kill(pest, SIGKILL);
	kill(child, SIGKILL);
	waitpid(pest, NULL, 0);
	waitpid(child, NULL, 0);
	close(listener);
	if (dev >= 0)
		close(dev);
	res->completed = storm_sh->completed;
	res->eintr = storm_sh->eintr;
	n = res->completed < STORM_MAX_LAT ? res->completed : STORM_MAX_LAT;
	res->p50_us = percentile((long *)storm_sh->lat_us, n, 50);
	res->p99_us = percentile((long *)storm_sh->lat_us, n, 99);
	return 0;
}

#endif
