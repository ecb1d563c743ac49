// SPDX-License-Identifier: GPL-2.0
/*
 * sigfwd-demo: the same workload without the module and under each policy,
 * side by side. A task makes trapped syscalls while it receives a handled
 * signal (SA_RESTART, as Go's SIGURG preemption) every few milliseconds; its
 * supervisor needs longer than that to emulate each call (storm.h).
 *
 * Usage (in the guest): sigfwd-demo [seconds-per-variant] [signal-ms] [service-ms]
 */
#include <stdio.h>
#include "storm.h"

static void row(const struct storm_variant *v, const struct storm_result *r)
{
	printf("%-26s %9ld %8ld ", v->name, r->completed, r->notifications);
	if (r->completed)
		printf("%10.2f", (double)r->notifications / r->completed);
	else
		printf("%10s", "-");
	printf(" %7ld %6ld %9ld ", r->enoent, r->eintr, r->forwarded);
	if (r->completed)
		printf("%7.1f %7.1f\n", r->p50_us / 1000.0, r->p99_us / 1000.0);
	else
		printf("%7s %7s\n", "-", "-");
}

int main(int argc, char **argv)
{
	static const struct storm_variant variants[] = {
		{ "stock (module not loaded)", 0, 0, 0, 0 },
		{ "module, empty policy", 1, 0, 0, 0 },
		{ "KILLABLE_AFTER_RECV", 1,
		  SECCOMP_SIGFWD_RET_DATA(SECCOMP_SIGFWD_KILLABLE_AFTER_RECV), 0, 0 },
		{ "KILLABLE (both phases)", 1,
		  SECCOMP_SIGFWD_RET_DATA(SECCOMP_SIGFWD_KILLABLE), 0, 0 },
		{ "FORWARD (listener policy)", 1, 0, 0, SECCOMP_SIGFWD_FORWARD },
	};
	int secs = argc > 1 ? atoi(argv[1]) : 3;
	int sig_ms = argc > 2 ? atoi(argv[2]) : 2;
	int svc_ms = argc > 3 ? atoi(argv[3]) : 20;
	struct storm_result r;
	unsigned int i;

	setvbuf(stdout, NULL, _IONBF, 0);
	printf("A trapped getppid() loop, SIGUSR1 (SA_RESTART) every %d ms, supervisor needs %d ms per call, %d s per variant\n\n",
	       sig_ms, svc_ms, secs);
	printf("%-26s %9s %8s %10s %7s %6s %9s %7s %7s\n", "variant",
	       "completed", "notifs", "notif/call", "ENOENT", "EINTR",
	       "forwarded", "p50 ms", "p99 ms");
	for (i = 0; i < sizeof(variants) / sizeof(variants[0]); i++) {
		if (storm_run(&variants[i], secs * 1000, sig_ms, svc_ms, &r))
			printf("%-26s cannot run here\n", variants[i].name);
		else
			row(&variants[i], &r);
	}
	module_load(NULL);
	return 0;
}
