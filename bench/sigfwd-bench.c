// SPDX-License-Identifier: GPL-2.0
/*
 * sigfwd-bench: what the module costs and what it buys, measured in one boot
 * with the variants interleaved. Prints a readable report and, for
 * scripts/bench, one "TSV<tab>benchmark<tab>variant<tab>value<tab>unit" line
 * per figure. Benchmarks print figures; they never fail on a slow machine.
 *
 * Usage (in the guest):
 *   sigfwd-bench [roundtrip|othercaller|poll|storm|latency|chain|bigfilter|herd|throughput|ab]...
 */
/* sched_setaffinity() */
#define _GNU_SOURCE
#include <sched.h>
#include <stdio.h>
#include "storm.h"
#include "scale.h"

#define BENCH_KO "/sigfwd/sigfwd_bench.ko"
#define BENCH_RUN "/sys/module/sigfwd_bench/parameters/run"
#define BENCH_RUN_WOKEN "/sys/module/sigfwd_bench/parameters/run_woken"
#define BENCH_NS "/sys/module/sigfwd_bench/parameters/ns"

static int native_ok;	/* the kernel has SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV */

static void tsv(const char *bench, const char *variant, double v, const char *unit)
{
	printf("TSV\t%s\t%s\t%.3f\t%s\n", bench, variant, v, unit);
}

/* Median and p99 of @n samples as TSV rows, and the median returned. */
static double report(const char *bench, const char *variant, long *v, long n,
		     double scale, const char *unit)
{
	char name[96];
	double p50 = percentile(v, n, 50) / scale;

	snprintf(name, sizeof(name), "%s_p50", bench);
	tsv(name, variant, p50, unit);
	snprintf(name, sizeof(name), "%s_p99", bench);
	tsv(name, variant, percentile(v, n, 99) / scale, unit);
	return p50;
}

static const struct storm_variant variants[] = {
	{ "stock", 0, 0, 0, 0 },
	{ "native_WAIT_KILLABLE_RECV", 0, 0, SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV, 0 },
	{ "module_empty", 1, 0, 0, 0 },
	{ "KILLABLE_AFTER_RECV", 1,
	  SECCOMP_SIGFWD_RET_DATA(SECCOMP_SIGFWD_KILLABLE_AFTER_RECV), 0, 0 },
	{ "KILLABLE", 1, SECCOMP_SIGFWD_RET_DATA(SECCOMP_SIGFWD_KILLABLE), 0, 0 },
	{ "FORWARD", 1, 0, 0, SECCOMP_SIGFWD_FORWARD },
};

#define NVARIANTS (sizeof(variants) / sizeof(variants[0]))

static int variant_runs(const struct storm_variant *v)
{
	return native_ok || !v->flags;
}

/*
 * The states a per-call figure is measured in, in alternating blocks: the
 * stock kernel, seccomp_sigfwd loaded, and neither but sigfwd_bench's empty
 * ftrace callback on the same functions (what ftrace itself costs a call).
 */
enum { ST_STOCK, ST_MODULE, ST_FTRACE, NSTATES };

static const char *const state_name[NSTATES] = { "stock", "module_loaded",
						 "ftrace_empty" };

#define BENCH_FTRACE_EMPTY "/sys/module/sigfwd_bench/parameters/ftrace_empty"

/* Put the kernel in state @st for block @b (the states in turn); -1 if not. */
static int enter_state(int st)
{
	if (write_file(BENCH_FTRACE_EMPTY, "0"))
		return -1;
	if (st == ST_MODULE)
		return module_load(NULL);
	if (module_unload())
		return -1;
	return st == ST_FTRACE ? write_file(BENCH_FTRACE_EMPTY, "1") : 0;
}

/* Load sigfwd_bench.ko (the timed calls, the empty ftrace callback). */
static int bench_ko_load(void)
{
	int fd = open(BENCH_KO, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || syscall(__NR_finit_module, fd, "", 0)) {
		printf("cannot load %s: %s\n", BENCH_KO, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

static void bench_ko_unload(void)
{
	write_file(BENCH_FTRACE_EMPTY, "0");
	syscall(__NR_delete_module, "sigfwd_bench", O_NONBLOCK);
}

/*
 * Round trip: the task's trapped getppid() -> supervisor RECV -> SEND -> the
 * task resumes, timed by the task, no signals. ROUNDS rounds, each running
 * every variant for CALLS calls, in alternating order. Three more variants
 * than the storms have, to cost FORWARD's steps: RT_FTRACE, the stock kernel
 * with sigfwd_bench's empty ftrace callback on the hooked functions (what
 * ftrace alone adds to a notification: the module's own cost is module_empty
 * minus that); KILLABLE_bound, KILLABLE from a bound device (what the bound
 * device's poll() redirect and lookup add to KILLABLE); FORWARD_unbound,
 * FORWARD from the filter with no device bound (FORWARD's wait without
 * records: FORWARD minus that is the records and the device).
 */
#define RT_ROUNDS 8
#define RT_CALLS 400
#define RT_FTRACE NVARIANTS
_Static_assert(RT_ROUNDS <= SC_MAX_ROUNDS, "sc_paired_ratio() takes the rounds");

static const struct storm_variant rt_steps[] = {
	{ "KILLABLE_bound", 1, 0, 0, SECCOMP_SIGFWD_KILLABLE },
	{ "FORWARD_unbound", 1, SECCOMP_SIGFWD_RET_DATA(SECCOMP_SIGFWD_FORWARD), 0, 0 },
};

#define RT_NVARIANTS (NVARIANTS + 1 + sizeof(rt_steps) / sizeof(rt_steps[0]))

/* Round-trip variant @i: the storms' ones, RT_FTRACE (stock's), rt_steps. */
static const struct storm_variant *rt_variant(unsigned int i)
{
	if (i < NVARIANTS)
		return &variants[i];
	return i == RT_FTRACE ? &variants[0] : &rt_steps[i - RT_FTRACE - 1];
}

static const char *rt_name(unsigned int i)
{
	return i == RT_FTRACE ? state_name[ST_FTRACE] : rt_variant(i)->name;
}

struct rt_shared {
	volatile long lat_ns[RT_CALLS];
};

static long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000L + ts.tv_nsec;
}

static int rt_once(const struct storm_variant *v, struct rt_shared *sh)
{
	struct seccomp_notif_resp resp;
	struct seccomp_notif notif;
	int sv[2], listener, dev = -1, i;
	pid_t child;

	if (v->module ? module_load(NULL) : module_unload())
		return -1;
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
		return -1;
	child = fork();
	if (!child) {
		long t0;

		listener = install_filter(__NR_getppid, v->data, v->flags);
		if (listener < 0 || send_fd(sv[1], listener))
			_exit(3);
		close(listener);
		if (read(sv[1], &t0, 1) != 1)	/* the supervisor is ready */
			_exit(3);
		for (i = 0; i < RT_CALLS; i++) {
			t0 = now_ns();
			syscall(__NR_getppid);
			sh->lat_ns[i] = now_ns() - t0;
		}
		_exit(0);
	}
	listener = recv_fd(sv[0]);
	if (listener >= 0 && v->listener) {
		dev = sigfwd_open_bound(listener, 0);
		sigfwd_set_policy(dev, v->listener);
	}
	if (write(sv[0], "g", 1) != 1)
		listener = -1;
	for (i = 0; listener >= 0 && i < RT_CALLS; i++) {
		if (!poll_fd(listener, POLLIN, 5000))
			break;
		memset(&notif, 0, sizeof(notif));
		if (ioctl(listener, SECCOMP_IOCTL_NOTIF_RECV, &notif))
			break;
		memset(&resp, 0, sizeof(resp));
		resp.id = notif.id;
		if (ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, &resp))
			break;
	}
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	close(sv[0]);
	close(sv[1]);
	if (dev >= 0)
		close(dev);
	if (listener >= 0)
		close(listener);
	return i == RT_CALLS ? 0 : -1;
}

/* The empty callback for RT_FTRACE only; 0 when variant @i can run now. */
static int rt_enter(unsigned int i, int kmod)
{
	if (i == RT_FTRACE)
		return !kmod || enter_state(ST_FTRACE);
	if (!variant_runs(rt_variant(i)))
		return -1;
	return kmod ? write_file(BENCH_FTRACE_EMPTY, "0") : 0;
}

static void bench_roundtrip(void)
{
	static long lat[RT_NVARIANTS][RT_ROUNDS * RT_CALLS];
	static double round_p50[RT_NVARIANTS][RT_ROUNDS];
	struct rt_shared *sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
				    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	long n[RT_NVARIANTS] = { 0 }, tmp[RT_CALLS];
	double p50, ratio, best, lo, hi, r;
	unsigned int round, k, i, j;
	int kmod = !bench_ko_load();

	printf("\n== Notification round trip (trapped getppid, supervisor replies at once), %d rounds x %d calls\n",
	       RT_ROUNDS, RT_CALLS);
	for (round = 0; round < RT_ROUNDS; round++) {
		for (k = 0; k < RT_NVARIANTS; k++) {
			/* Odd rounds run the variants backwards. */
			i = round & 1 ? RT_NVARIANTS - 1 - k : k;
			if (rt_enter(i, kmod))
				continue;
			if (rt_once(rt_variant(i), sh)) {
				printf("%s: round %u did not complete\n", rt_name(i), round);
				continue;
			}
			for (j = 0; j < RT_CALLS; j++) {
				lat[i][n[i]++] = sh->lat_ns[j];
				tmp[j] = sh->lat_ns[j];
			}
			round_p50[i][round] = percentile(tmp, RT_CALLS, 50);
		}
	}
	if (kmod)
		bench_ko_unload();
	printf("ratio: the median of the per-round ratios to stock; best: the fastest round's p50 over stock's\n");
	printf("%-26s %9s %9s %8s %8s %s\n", "variant", "p50 us", "p99 us", "ratio",
	       "best", "per-round ratio min..max");
	for (i = 0; i < RT_NVARIANTS; i++) {
		if (!n[i])
			continue;
		p50 = report("roundtrip", rt_name(i), lat[i], n[i], 1000.0, "us");
		lo = 1e9;
		hi = 0;
		for (round = 0; round < RT_ROUNDS; round++) {
			r = round_p50[i][round] / round_p50[0][round];
			lo = r < lo ? r : lo;
			hi = r > hi ? r : hi;
		}
		/* The median of per-round ratios, as the scale figures. */
		ratio = sc_paired_ratio(round_p50[i], round_p50[0], RT_ROUNDS);
		best = sc_best_ratio(round_p50[i], round_p50[0], RT_ROUNDS);
		tsv("roundtrip_ratio", rt_name(i), ratio, "x");
		tsv("roundtrip_best_ratio", rt_name(i), best, "x");
		printf("%-26s %9.1f %9.1f %8.3f %8.3f %.3f..%.3f\n", rt_name(i), p50,
		       percentile(lat[i], n[i], 99) / 1000.0, ratio, best, lo, hi);
	}
	munmap(sh, sizeof(*sh));
}

/*
 * The hooked function's other callers: sigfwd_bench.ko times batches of
 * wait_for_completion_interruptible() calls that return at once ("call"), and
 * of waits a work item completes ("woken", as real callers wait), with
 * seccomp_sigfwd loaded and not, alternating blocks of batches. The module
 * hooks that function for every caller and lets all but seccomp's through.
 */
#define OC_BLOCKS 12
#define OC_BATCHES 30

static int oc_batch(const char *param, int calls, long *ns_per_call_x1000)
{
	char buf[32];
	int fd;

	snprintf(buf, sizeof(buf), "%d", calls);
	if (write_file(param, buf))
		return -1;
	fd = open(BENCH_NS, O_RDONLY);
	if (fd < 0)
		return -1;
	memset(buf, 0, sizeof(buf));
	if (read(fd, buf, sizeof(buf) - 1) <= 0) {
		close(fd);
		return -1;
	}
	close(fd);
	*ns_per_call_x1000 = atol(buf) * 1000 / calls;
	return 0;
}

/* Spread of @v (sorted by percentile()): (p90 - p10) / p50. */
static double spread(long *v, long n)
{
	long p50 = percentile(v, n, 50);

	return p50 ? (double)(percentile(v, n, 90) - percentile(v, n, 10)) / p50 : 0;
}

static void print_pair_header(void)
{
	printf("%-18s %-14s %9s %9s %8s %s\n", "what", "variant", "p50 ns",
	       "p99 ns", "ratio", "spread (p90-p10)/p50");
}

/* @nr rows of benchmark @bench, named @name, ratios to the first (stock). */
static void report_rows(const char *bench, const char *const name[], long *ns[],
			const long n[], int nr)
{
	double p50[nr];
	char row[96];
	int b;

	for (b = 0; b < nr; b++) {
		if (!n[b])
			continue;
		p50[b] = report(bench, name[b], ns[b], n[b], 1000.0, "ns");
		snprintf(row, sizeof(row), "%s_spread", bench);
		tsv(row, name[b], spread(ns[b], n[b]), "x");
		snprintf(row, sizeof(row), "%s_ratio", bench);
		tsv(row, name[b], p50[b] / p50[0], "x");
	}
	for (b = 0; b < nr; b++)
		if (n[b])
			printf("%-18s %-14s %9.1f %9.1f %8.3f %.3f\n", bench, name[b],
			       p50[b], percentile(ns[b], n[b], 99) / 1000.0,
			       p50[b] / p50[0], spread(ns[b], n[b]));
}

/* Rows for each state of benchmark @bench, ratios to stock (ns[ST_STOCK]). */
static void report_states(const char *bench, long *ns[NSTATES], const long n[NSTATES])
{
	report_rows(bench, state_name, ns, n, NSTATES);
}

static void bench_othercaller(void)
{
	static long call[NSTATES][OC_BLOCKS * OC_BATCHES];
	static long woken[NSTATES][OC_BLOCKS * OC_BATCHES];
	long nc[NSTATES] = { 0 }, nw[NSTATES] = { 0 };
	int b, k, st;

	printf("\n== Cost to other callers of wait_for_completion_interruptible(), %d blocks x %d batches\n",
	       OC_BLOCKS, OC_BATCHES);
	if (bench_ko_load())
		return;
	for (b = 0; b < OC_BLOCKS; b++) {
		st = b % NSTATES;
		if (enter_state(st))
			continue;
		for (k = 0; k < OC_BATCHES; k++) {
			if (!oc_batch(BENCH_RUN, 2000, &call[st][nc[st]]))
				nc[st]++;
			if (!oc_batch(BENCH_RUN_WOKEN, 100, &woken[st][nw[st]]))
				nw[st]++;
		}
	}
	bench_ko_unload();
	if (!nc[ST_STOCK] || !nc[ST_MODULE] || !nw[ST_STOCK] || !nw[ST_MODULE]) {
		printf("batches failed\n");
		return;
	}
	print_pair_header();
	report_states("othercaller_call", (long *[NSTATES]){ call[0], call[1], call[2] }, nc);
	report_states("othercaller_woken", (long *[NSTATES]){ woken[0], woken[1], woken[2] }, nw);
}

/*
 * poll() on a listener with nothing queued. With nothing bound the module
 * registers nothing on seccomp_notify_poll(); module_bound is the same
 * listener bound to a device, its poll() redirected to the module's (what
 * a forwarding supervisor pays per poll()), measured at the end of each
 * module_loaded block.
 */
#define POLL_BLOCKS 12
#define POLL_BATCHES 40
#define POLL_CALLS 500

/* A child paused under a getppid filter: its listener, or -1. */
static int idle_listener(pid_t *child)
{
	int sv[2], listener = -1;

	*child = -1;
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
		return -1;
	*child = fork();
	if (!*child) {
		listener = install_filter(__NR_getppid, 0, 0);
		send_fd(sv[1], listener);
		pause();
		_exit(0);
	}
	if (*child > 0)
		listener = recv_fd(sv[0]);
	close(sv[0]);
	close(sv[1]);
	return listener;
}

static void idle_listener_end(pid_t child, int listener)
{
	if (child > 0) {
		kill(child, SIGKILL);
		waitpid(child, NULL, 0);
	}
	if (listener >= 0)
		close(listener);
}

/* One batch of POLL_CALLS poll()s of an idle @listener: the time of one. */
static long poll_batch(int listener)
{
	struct pollfd p = { .fd = listener, .events = POLLIN | POLLPRI };
	long t0 = now_ns();
	int i;

	for (i = 0; i < POLL_CALLS; i++)
		poll(&p, 1, 0);
	return (now_ns() - t0) * 1000 / POLL_CALLS;
}

/*
 * poll_batch()es of @listener bound to a device: each its time of one. Run
 * last in a block: an unbound poll stays hooked a while after a binding.
 */
static long poll_batches_bound(int listener, long *ns, int batches)
{
	int dev = sigfwd_open_bound(listener, 0), k;

	if (dev < 0)
		return 0;
	for (k = 0; k < batches; k++)
		ns[k] = poll_batch(listener);
	close(dev);
	return batches;
}

static void bench_poll(void)
{
	static const char *const name[] = { "stock", "module_loaded", "ftrace_empty",
					    "module_bound" };
	static long ns[NSTATES + 1][POLL_BLOCKS * POLL_BATCHES];
	long n[NSTATES + 1] = { 0 };
	int listener, b, k, st;
	pid_t child;

	printf("\n== poll() on an idle listener, %d blocks x %d batches x %d calls\n",
	       POLL_BLOCKS, POLL_BATCHES, POLL_CALLS);
	if (bench_ko_load())
		return;
	listener = idle_listener(&child);
	for (b = 0; listener >= 0 && b < POLL_BLOCKS; b++) {
		st = b % NSTATES;
		if (enter_state(st))
			continue;
		for (k = 0; k < POLL_BATCHES; k++)
			ns[st][n[st]++] = poll_batch(listener);
		if (st == ST_MODULE)
			n[NSTATES] += poll_batches_bound(listener, &ns[NSTATES][n[NSTATES]],
							 POLL_BATCHES);
	}
	idle_listener_end(child, listener);
	bench_ko_unload();
	if (!n[ST_STOCK] || !n[ST_MODULE])
		return;
	print_pair_header();
	report_rows("poll", name, (long *[]){ ns[0], ns[1], ns[2], ns[3] }, n, NSTATES + 1);
}

/* Signal storm goodput: {10, 1} ms signals x {0, 5, 50} ms service. */
#define STORM_MS 2500

static void bench_storm(void)
{
	static const int sig_ms[] = { 10, 1 }, svc_ms[] = { 0, 5, 50 };
	struct storm_result r;
	char rate_name[64], notifs_name[64];
	unsigned int s, t, i;
	double rate;

	printf("\n== Signal storm goodput, %d ms per cell\n", STORM_MS);
	printf("%-8s %-8s %-26s %9s %10s %8s\n", "signal", "service", "variant",
	       "calls/s", "notif/call", "ENOENT");
	for (s = 0; s < 2; s++) {
		for (t = 0; t < 3; t++) {
			snprintf(rate_name, sizeof(rate_name), "storm_rate_sig%dms_svc%dms",
				 sig_ms[s], svc_ms[t]);
			snprintf(notifs_name, sizeof(notifs_name),
				 "storm_notifs_sig%dms_svc%dms", sig_ms[s], svc_ms[t]);
			for (i = 0; i < NVARIANTS; i++) {
				if (!variant_runs(&variants[i]))
					continue;
				if (storm_run(&variants[i], STORM_MS, sig_ms[s],
					      svc_ms[t], &r))
					continue;
				rate = r.completed * 1000.0 / STORM_MS;
				printf("%5d ms %5d ms %-26s %9.1f ", sig_ms[s],
				       svc_ms[t], variants[i].name, rate);
				if (r.completed)
					printf("%10.2f", (double)r.notifications / r.completed);
				else
					printf("%10s", "-");
				printf(" %8ld\n", r.enoent);
				tsv(rate_name, variants[i].name, rate, "calls/s");
				if (r.completed)
					tsv(notifs_name, variants[i].name,
					    (double)r.notifications / r.completed,
					    "notifications/call");
			}
		}
	}
}

/*
 * Forwarding latency: with FORWARD, the time from kill() to the supervisor's
 * poll() returning EPOLLPRI, next to the time from the task's trapped call to
 * the supervisor's poll() returning POLLIN (the plain notification wake-up)
 * with and without the module. FORWARD also runs without the kill(): the
 * same loop then shows whether the slower plain wake-up under FORWARD is the
 * module's notification path or the signal's handling between two calls.
 */
#define LAT_SAMPLES 300

struct lat_shared {
	volatile long t_call;
};

static void lat_child(const struct storm_variant *v, int sock, struct lat_shared *sh)
{
	storm_child_trap(v, sock);
	for (;;) {
		sh->t_call = now_ns();
		syscall(__NR_getppid);
	}
}

static int lat_run(const struct storm_variant *v, int signal, long *wake,
		   long *fwd, long *n)
{
	struct lat_shared *sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
				     MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	struct seccomp_sigfwd_signal s;
	struct seccomp_notif_resp resp;
	struct seccomp_notif notif;
	int sv[2], listener, dev = -1;
	const char *what = "setup";
	long t0;
	pid_t child;

	*n = 0;
	if (v->module ? module_load(NULL) : module_unload())
		return -1;
	if (sh == MAP_FAILED || socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
		return -1;
	child = fork();
	if (!child)
		lat_child(v, sv[1], sh);
	listener = recv_fd(sv[0]);
	if (listener >= 0 && v->listener) {
		dev = sigfwd_open_bound(listener, O_NONBLOCK);
		sigfwd_set_policy(dev, v->listener);
	}
	if (write(sv[0], "g", 1) != 1)
		what = "child gone";
	close(sv[0]);
	close(sv[1]);
	for (*n = 0; listener >= 0 && *n < LAT_SAMPLES; (*n)++) {
		what = "no notification";
		if (!poll_fd(listener, POLLIN, 5000))
			break;
		wake[*n] = now_ns() - sh->t_call;
		memset(&notif, 0, sizeof(notif));
		what = "RECV";
		if (ioctl(listener, SECCOMP_IOCTL_NOTIF_RECV, &notif))
			break;
		if (signal) {
			what = "no EPOLLPRI";
			t0 = now_ns();
			kill(child, SIGUSR1);
			if (!poll_fd(listener, POLLPRI, 5000))
				break;
			fwd[*n] = now_ns() - t0;
			while (!sigfwd_recv_signal(dev, &s))
				;
		}
		memset(&resp, 0, sizeof(resp));
		resp.id = notif.id;
		what = "SEND";
		if (ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, &resp))
			break;
	}
	if (*n < LAT_SAMPLES)
		printf("%s: stopped at sample %ld: %s (%s)\n", v->name, *n, what,
		       strerror(errno));
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	if (dev >= 0)
		close(dev);
	if (listener >= 0)
		close(listener);
	munmap(sh, sizeof(*sh));
	return *n == LAT_SAMPLES ? 0 : -1;
}

static const struct {
	struct storm_variant v;
	int signal;	/* kill() it once per call, time EPOLLPRI */
} lat_variants[] = {
	{ { "stock", 0, 0, 0, 0 }, 0 },
	{ { "module_empty", 1, 0, 0, 0 }, 0 },
	{ { "FORWARD", 1, 0, 0, SECCOMP_SIGFWD_FORWARD }, 1 },
	{ { "FORWARD_unsignalled", 1, 0, 0, SECCOMP_SIGFWD_FORWARD }, 0 },
};

#define LAT_NV (sizeof(lat_variants) / sizeof(lat_variants[0]))

static void bench_latency(void)
{
	static long wake[LAT_NV][LAT_SAMPLES], fwd[LAT_SAMPLES];
	long n[LAT_NV] = { 0 };
	unsigned int i;

	printf("\n== Wake-up latency, %d samples per variant\n", LAT_SAMPLES);
	for (i = 0; i < LAT_NV; i++)
		lat_run(&lat_variants[i].v, lat_variants[i].signal, wake[i], fwd, &n[i]);
	printf("%-20s %-24s %9s %9s\n", "variant", "what", "p50 us", "p99 us");
	for (i = 0; i < LAT_NV; i++) {
		if (n[i] < LAT_SAMPLES)
			continue;
		report("notify_wake", lat_variants[i].v.name, wake[i], n[i], 1000.0, "us");
		printf("%-20s %-24s %9.1f %9.1f\n", lat_variants[i].v.name,
		       "trapped call -> POLLIN", percentile(wake[i], n[i], 50) / 1000.0,
		       percentile(wake[i], n[i], 99) / 1000.0);
	}
	if (n[2] < LAT_SAMPLES)
		return;
	report("forward_wake", "FORWARD", fwd, n[2], 1000.0, "us");
	printf("%-20s %-24s %9.1f %9.1f\n", "FORWARD", "kill() -> EPOLLPRI",
	       percentile(fwd, n[2], 50) / 1000.0, percentile(fwd, n[2], 99) / 1000.0);
}

/*
 * Before/after (scripts/bench BENCH_BEFORE=REV puts the module built at REV
 * in /sigfwd/before): the round trips, poll() on an idle listener and the
 * bare call of the hooked function, under stock, the earlier build and this
 * one, interleaved in one boot.
 */
static const struct sc_variant ab_pair[3] = {
	{ "stock", NULL, { "stock", 0, 0, 0, 0 } },
	{ "before", "before", { "before", 1, 0, 0, 0 } },
	{ "after", NULL, { "after", 1, 0, 0, 0 } },
};

#define AB_BLOCKS 12

static void ab_report(const char *bench, long *ns[3], const long n[3])
{
	char row[96];
	double p50[3];
	int b;

	for (b = 0; b < 3; b++) {
		if (!n[b] || !n[0])
			return;
		p50[b] = report(bench, ab_pair[b].name, ns[b], n[b], 1000.0, "ns");
		snprintf(row, sizeof(row), "%s_ratio", bench);
		tsv(row, ab_pair[b].name, p50[b] / p50[0], "x");
		printf("%-18s %-20s %9.1f %9.1f %8.3f\n", bench, ab_pair[b].name, p50[b],
		       percentile(ns[b], n[b], 99) / 1000.0, p50[b] / p50[0]);
	}
}

static void ab_poll_and_call(void)
{
	static long poll_ns[3][AB_BLOCKS * POLL_BATCHES], call_ns[3][AB_BLOCKS * OC_BATCHES];
	static long bound_ns[3][AB_BLOCKS * POLL_BATCHES];
	long np[3] = { 0 }, nc[3] = { 0 }, nb[3] = { 0 };
	int listener, b, k, which, kmod;
	pid_t child;

	kmod = !bench_ko_load();
	listener = idle_listener(&child);
	for (b = 0; listener >= 0 && b < AB_BLOCKS; b++) {
		which = (b + b / 3) % 3;
		if (sc_module(&ab_pair[which]))
			continue;
		for (k = 0; k < POLL_BATCHES; k++)
			poll_ns[which][np[which]++] = poll_batch(listener);
		for (k = 0; kmod && k < OC_BATCHES; k++)
			if (!oc_batch(BENCH_RUN, 2000, &call_ns[which][nc[which]]))
				nc[which]++;
		if (which)
			nb[which] += poll_batches_bound(listener, &bound_ns[which][nb[which]],
							POLL_BATCHES);
	}
	idle_listener_end(child, listener);
	if (kmod)
		bench_ko_unload();
	ab_report("ab_poll", (long *[3]){ poll_ns[0], poll_ns[1], poll_ns[2] }, np);
	ab_report("ab_othercaller_call", (long *[3]){ call_ns[0], call_ns[1], call_ns[2] }, nc);
	/* Bound: the redirected poll(), against stock's unbound one. */
	nb[0] = np[0];
	ab_report("ab_poll_bound", (long *[3]){ poll_ns[0], bound_ns[1], bound_ns[2] }, nb);
}

static void bench_ab(void)
{
	struct sc_shape small = { .depth = 1 }, big = { .depth = 1, .big = 1 };
	struct sc_shape chain = { .depth = 32 };

	printf("\n== Before/after: the module at an earlier commit and as built, interleaved with stock\n");
	if (access(SC_BEFORE_KO, R_OK)) {
		printf("no earlier build in %s (scripts/bench with BENCH_BEFORE=REV)\n",
		       SC_BEFORE_KO);
		return;
	}
	printf("%-18s %-20s %9s %9s %8s %8s\n", "what", "variant", "p50", "p99", "ratio",
	       "best");
	sc_roundtrips("ab_roundtrip", "", &small, ab_variants, AB_NV);
	sc_roundtrips("ab_bigfilter_roundtrip", "", &big, ab_variants, AB_NV);
	sc_roundtrips("ab_chain_roundtrip", "depth32_deepest", &chain, ab_variants, AB_NV);
	ab_poll_and_call();
	sc_use_ko(NULL);
}

static const struct {
	const char *name;
	void (*fn)(void);
} benches[] = {
	{ "roundtrip", bench_roundtrip },
	{ "othercaller", bench_othercaller },
	{ "poll", bench_poll },
	{ "storm", bench_storm },
	{ "latency", bench_latency },
	{ "chain", bench_chain },
	{ "bigfilter", bench_bigfilter },
	{ "herd", bench_herd },
	{ "throughput", bench_throughput },
	{ "ab", bench_ab },
};

/*
 * Every task of the run on CPU 0 (children inherit it). Under single-threaded
 * TCG a wake-up that crosses vCPUs waits for the other vCPU's turn: a round
 * trip took 35 us or 60-70 us by where the scheduler had put the two tasks,
 * a choice that changed between blocks (the same variant's ratio to stock
 * went from 0.6 to 1.8 within one run), far above a few percent of module
 * cost. One CPU keeps the placement the same for every variant.
 */
static void pin_to_cpu0(void)
{
	cpu_set_t cpu0;

	CPU_ZERO(&cpu0);
	CPU_SET(0, &cpu0);
	if (sched_setaffinity(0, sizeof(cpu0), &cpu0))
		printf("cannot pin to CPU 0: %s; tasks float\n", strerror(errno));
	else
		printf("all tasks on CPU 0 (wake-ups never cross vCPUs)\n");
}

int main(int argc, char **argv)
{
	unsigned int i;
	int a;

	setvbuf(stdout, NULL, _IONBF, 0);
	pin_to_cpu0();
	native_ok = kernel_has_wait_killable_recv();
	printf("native SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV: %s\n",
	       native_ok ? "yes" : "no (kernel < 5.19)");
	for (i = 0; i < sizeof(benches) / sizeof(benches[0]); i++) {
		for (a = 1; a < argc; a++)
			if (!strcmp(argv[a], benches[i].name))
				break;
		if (argc == 1 || a < argc)
			benches[i].fn();
	}
	module_load(NULL);
	return 0;
}
