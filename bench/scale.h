/* SPDX-License-Identifier: GPL-2.0 */
/*
 * How the module's cost grows with the work (issue 14), for sigfwd-bench:
 *
 *   chain      round trip under 1, 4, 16, 32 stacked filters, the listener's
 *              filter the deepest (installed first) or the shallowest
 *   bigfilter  round trip under one large allow-list filter (about 650 cBPF
 *              instructions, the shape of a container runtime's default
 *              profile) that sends a few syscalls to the listener
 *   herd       1, 100, 1000 tasks trapped on one listener: time from the
 *              supervisor's SEND to its task running while the others wait
 *   throughput 1 and 8 trapped threads, one supervisor: calls/s
 *
 * Every figure is measured in one boot, the variants interleaved in rounds,
 * and given as a ratio to the stock kernel at the same parameter: the median
 * over rounds of the round's median over stock's in that round. The parameter is in
 * the benchmark's name (as storm_rate_sig10ms_svc0ms): chain_roundtrip_ratio
 * _depth16_deepest, herd_reply_ratio_waiters1000, throughput_ratio_threads8.
 *
 * Self-contained but for the fd passing, module and device helpers that
 * sigfwd-bench already uses (send_fd, recv_fd, module_load, module_unload,
 * poll_fd, percentile) and libsigfwd.
 */
#ifndef SIGFWD_BENCH_SCALE_H
#define SIGFWD_BENCH_SCALE_H

#include <pthread.h>
#include <stdatomic.h>
#include <sys/stat.h>

/* A policy, and which build of the module it runs on (NULL: the one built). */
struct sc_variant {
	const char *name;
	const char *ko;		/* "before" (scripts/bench BENCH_BEFORE=REV) or NULL */
	struct storm_variant v;
};

#define SC_DATA(p) SECCOMP_SIGFWD_RET_DATA(SECCOMP_SIGFWD_##p)

/* Policies compared at every parameter (native WAIT_KILLABLE_RECV left out). */
static const struct sc_variant scale_variants[] = {
	{ "stock", NULL, { "stock", 0, 0, 0, 0 } },
	{ "module_empty", NULL, { "module_empty", 1, 0, 0, 0 } },
	{ "KILLABLE_AFTER_RECV", NULL, { "KILLABLE_AFTER_RECV", 1, SC_DATA(KILLABLE_AFTER_RECV), 0, 0 } },
	{ "KILLABLE", NULL, { "KILLABLE", 1, SC_DATA(KILLABLE), 0, 0 } },
	{ "FORWARD", NULL, { "FORWARD", 1, 0, 0, SECCOMP_SIGFWD_FORWARD } },
};

#define SC_NV (sizeof(scale_variants) / sizeof(scale_variants[0]))

/*
 * Before/after: the module as built and as at an earlier commit, in one
 * boot, interleaved with stock (bench "ab").
 */
static const struct sc_variant ab_variants[] = {
	{ "stock", NULL, { "stock", 0, 0, 0, 0 } },
	{ "before:module_empty", "before", { "module_empty", 1, 0, 0, 0 } },
	{ "after:module_empty", NULL, { "module_empty", 1, 0, 0, 0 } },
	{ "before:KILLABLE", "before", { "KILLABLE", 1, SC_DATA(KILLABLE), 0, 0 } },
	{ "after:KILLABLE", NULL, { "KILLABLE", 1, SC_DATA(KILLABLE), 0, 0 } },
	{ "before:FORWARD", "before", { "FORWARD", 1, 0, 0, SECCOMP_SIGFWD_FORWARD } },
	{ "after:FORWARD", NULL, { "FORWARD", 1, 0, 0, SECCOMP_SIGFWD_FORWARD } },
	{ "before:KILLABLE_bound", "before", { "KILLABLE_bound", 1, 0, 0, SECCOMP_SIGFWD_KILLABLE } },
	{ "after:KILLABLE_bound", NULL, { "KILLABLE_bound", 1, 0, 0, SECCOMP_SIGFWD_KILLABLE } },
};

#define AB_NV (sizeof(ab_variants) / sizeof(ab_variants[0]))
#define SC_MAXV (AB_NV > SC_NV ? AB_NV : SC_NV)
#define SC_BEFORE_KO "/sigfwd/before/seccomp_sigfwd.ko"
#define SC_AFTER_KO "/sigfwd/after/seccomp_sigfwd.ko"

/*
 * module_load() loads MODULE_PATH: for the "before" build, move the build
 * aside and make MODULE_PATH a link to the one asked for. 0, or -1 when that
 * build is not there.
 */
static int sc_use_ko(const char *ko)
{
	static const char *cur;
	static int switched;
	const char *want = ko ? SC_BEFORE_KO : SC_AFTER_KO;

	if (!switched) {
		if (!ko)
			return 0;
		if (access(SC_BEFORE_KO, R_OK) || module_unload())
			return -1;
		if ((mkdir("/sigfwd/after", 0755) && errno != EEXIST) ||
		    rename(MODULE_PATH, SC_AFTER_KO))
			return -1;
		switched = 1;
	}
	if (cur == want)
		return 0;
	if (module_unload())
		return -1;
	unlink(MODULE_PATH);
	if (symlink(want, MODULE_PATH))
		return -1;
	cur = want;
	return 0;
}

/* Load or unload the module for @v. */
static int sc_module(const struct sc_variant *v)
{
	if (!v->v.module)
		return module_unload();
	if (sc_use_ko(v->ko))
		return -1;
	return module_load(NULL);
}

#if defined(__x86_64__)
#define SC_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define SC_ARCH AUDIT_ARCH_AARCH64
#endif

/* The shape of the trapped process's filters. */
struct sc_shape {
	int depth;		/* filters in the chain, the listener's among them */
	int shallowest;		/* the listener's filter installed last */
	int big;		/* the listener's filter is the large profile */
};

static int sc_seccomp(struct sock_filter *insns, unsigned int len, unsigned long flags)
{
	struct sock_fprog prog = { .len = len, .filter = insns };

	return syscall(__NR_seccomp, SECCOMP_SET_MODE_FILTER, flags, &prog);
}

/* A small filter as a sandbox adds one: refuse one syscall, allow the rest. */
static int sc_pad_filter(void)
{
	struct sock_filter insns[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SC_ARCH, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_kexec_load, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};

	return sc_seccomp(insns, sizeof(insns) / sizeof(insns[0]), 0);
}

/* The plain listener filter: trap getppid with @data, allow the rest. */
static int sc_small_listener(unsigned int data, unsigned long flags)
{
	struct sock_filter insns[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_getppid, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF | (data & SECCOMP_RET_DATA)),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};

	return sc_seccomp(insns, 4, SECCOMP_FILTER_FLAG_NEW_LISTENER | flags);
}

/* Syscalls a container runtime's profile refuses (EPERM by default). */
static int sc_refused(int nr)
{
	static const int refused[] = {
#ifdef __NR_kexec_load
		__NR_kexec_load,
#endif
		__NR_reboot, __NR_init_module, __NR_delete_module, __NR_mount,
		__NR_umount2, __NR_swapon, __NR_swapoff, __NR_pivot_root,
		__NR_acct, __NR_settimeofday, __NR_sethostname, __NR_setdomainname,
		__NR_unshare, __NR_setns, __NR_bpf, __NR_perf_event_open,
		__NR_open_by_handle_at, __NR_finit_module, __NR_quotactl,
	};
	unsigned int i;

	for (i = 0; i < sizeof(refused) / sizeof(refused[0]); i++)
		if (refused[i] == nr)
			return 1;
	return 0;
}

/* Syscalls the profile sends to its supervisor. */
static const int sc_notified[] = {
	__NR_getppid,
#ifdef __NR_mknod
	__NR_mknod,
#endif
	__NR_mknodat, __NR_setxattr, __NR_fsetxattr,
};

#define SC_NNOTIFIED (int)(sizeof(sc_notified) / sizeof(sc_notified[0]))
#define SC_BIG_MAX 1024
#define SC_BIG_NR 330	/* syscall numbers 0..SC_BIG_NR-1 in the allow list */

static int sc_is_notified(int nr)
{
	int i;

	for (i = 0; i < SC_NNOTIFIED; i++)
		if (sc_notified[i] == nr)
			return 1;
	return 0;
}

/*
 * The large profile, as libseccomp lays out an allow list: check the arch,
 * one JEQ + RET per allowed syscall, the notified ones last, EPERM for the
 * rest. Returns the instruction count.
 */
static unsigned int sc_big_program(struct sock_filter *p, unsigned int data)
{
	unsigned int n = 0;
	int nr, i;

	p[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
					      offsetof(struct seccomp_data, arch));
	p[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SC_ARCH, 1, 0);
	p[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS);
	p[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
					      offsetof(struct seccomp_data, nr));
	for (nr = 0; nr < SC_BIG_NR; nr++) {
		if (sc_refused(nr) || sc_is_notified(nr))
			continue;
		p[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, nr, 0, 1);
		p[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	}
	for (i = 0; i < SC_NNOTIFIED; i++) {
		p[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K,
						      sc_notified[i], 0, 1);
		p[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF |
						      (data & SECCOMP_RET_DATA));
	}
	p[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM);
	return n;
}

static unsigned int sc_big_len(void)
{
	static struct sock_filter p[SC_BIG_MAX];

	return sc_big_program(p, 0);
}

/* Install @s's chain in the calling process; the listener fd or -1. */
static int sc_install(const struct sc_shape *s, const struct storm_variant *v)
{
	static struct sock_filter big[SC_BIG_MAX];
	int i, listener = -1, depth = s->depth ? s->depth : 1;

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		return -1;
	for (i = 0; i < depth; i++) {
		int mine = s->shallowest ? i == depth - 1 : i == 0;

		if (!mine) {
			if (sc_pad_filter())
				return -1;
			continue;
		}
		if (s->big)
			listener = sc_seccomp(big, sc_big_program(big, v->data),
					      SECCOMP_FILTER_FLAG_NEW_LISTENER | v->flags);
		else
			listener = sc_small_listener(v->data, v->flags);
		if (listener < 0)
			return -1;
	}
	return listener;
}

static long sc_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000L + ts.tv_nsec;
}

/* Under the filters: the process that makes the trapped calls. */
struct sc_child {
	pid_t pid;
	int listener;
	int dev;
};

/*
 * Fork a child that installs @s for @v, hands its listener over and runs
 * @fn(@arg) once told to go; bind the device for listener policies.
 */
static int sc_start(struct sc_child *c, const struct sc_shape *s,
		    const struct sc_variant *sv_, void (*fn)(void *), void *arg)
{
	const struct storm_variant *v = &sv_->v;
	int sv[2];
	char go;

	c->listener = c->dev = -1;
	if (sc_module(sv_))
		return -1;
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
		return -1;
	c->pid = fork();
	if (!c->pid) {
		int l = sc_install(s, v);

		close(sv[0]);
		if (l < 0 || send_fd(sv[1], l))
			_exit(3);
		close(l);
		if (read(sv[1], &go, 1) != 1)
			_exit(3);
		close(sv[1]);
		fn(arg);
		_exit(0);
	}
	close(sv[1]);
	c->listener = recv_fd(sv[0]);
	if (c->listener >= 0 && v->listener) {
		c->dev = sigfwd_open_bound(c->listener, O_NONBLOCK);
		sigfwd_set_policy(c->dev, v->listener);
	}
	if (c->listener < 0 || write(sv[0], "g", 1) != 1) {
		close(sv[0]);
		return -1;
	}
	close(sv[0]);
	return 0;
}

static void sc_stop(struct sc_child *c)
{
	if (c->pid > 0) {
		kill(c->pid, SIGKILL);
		waitpid(c->pid, NULL, 0);
	}
	if (c->dev >= 0)
		close(c->dev);
	if (c->listener >= 0)
		close(c->listener);
}

/* RECV one notification and reply 0 at once; 0 or -1. */
static int sc_serve_one(int listener, int timeout_ms)
{
	struct seccomp_notif_resp resp;
	struct seccomp_notif notif;

	if (!poll_fd(listener, POLLIN, timeout_ms))
		return -1;
	memset(&notif, 0, sizeof(notif));
	if (ioctl(listener, SECCOMP_IOCTL_NOTIF_RECV, &notif))
		return -1;
	memset(&resp, 0, sizeof(resp));
	resp.id = notif.id;
	return ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, &resp);
}

static void sc_tsv(const char *bench, const char *param, const char *variant,
		   double v, const char *unit)
{
	printf("TSV\t%s%s%s\t%s\t%.3f\t%s\n", bench, *param ? "_" : "", param,
	       variant, v, unit);
}

static int sc_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/*
 * The ratio to stock: the median over rounds of each round's figure over the
 * stock figure of the same round (measured next to it), so that the host's
 * load, which drifts over seconds, cancels out. Rounds missing either are
 * skipped; 0 when none is left.
 */
#define SC_MAX_ROUNDS 8

static double sc_paired_ratio(const double *v, const double *stock, int rounds)
{
	double r[SC_MAX_ROUNDS];
	int i, n = 0;

	for (i = 0; i < rounds; i++)
		if (v[i] > 0 && stock[i] > 0)
			r[n++] = v[i] / stock[i];
	if (!n)
		return 0;
	qsort(r, n, sizeof(r[0]), sc_cmp_double);
	return n & 1 ? r[n / 2] : (r[n / 2 - 1] + r[n / 2]) / 2;
}

/*
 * The ratio of the fastest rounds: the lowest per-round figure (a time) over
 * stock's lowest. Under TCG a whole block sometimes runs 1.5-1.9x slower for
 * reasons outside the guest (README, "Two modes"), and a round whose stock
 * and variant blocks ran in different modes gives a paired ratio of 0.6 or
 * 1.8; the best block of each, out of every round, is in the fast mode as
 * long as one of its blocks was. Printed next to the paired ratio, not
 * instead of it. 0 when either has no round.
 */
static double sc_best_ratio(const double *v, const double *stock, int rounds)
{
	double best = 0, best_stock = 0;
	int i;

	for (i = 0; i < rounds; i++) {
		if (v[i] > 0 && (!best || v[i] < best))
			best = v[i];
		if (stock[i] > 0 && (!best_stock || stock[i] < best_stock))
			best_stock = stock[i];
	}
	return best && best_stock ? best / best_stock : 0;
}

/* Round trips (chain, bigfilter) ------------------------------------------ */

#define SC_RT_ROUNDS 6
#define SC_RT_CALLS 100

struct sc_rt_shared {
	volatile long lat_ns[SC_RT_CALLS];
};

static struct sc_rt_shared *sc_rt_sh;

static void sc_rt_child(void *arg)
{
	long t0;
	int i;

	(void)arg;
	for (i = 0; i < SC_RT_CALLS; i++) {
		t0 = sc_now_ns();
		syscall(__NR_getppid);
		sc_rt_sh->lat_ns[i] = sc_now_ns() - t0;
	}
}

static int sc_rt_once(const struct sc_shape *s, const struct sc_variant *v)
{
	struct sc_child c;
	int i = 0;

	if (!sc_start(&c, s, v, sc_rt_child, NULL))
		for (i = 0; i < SC_RT_CALLS; i++)
			if (sc_serve_one(c.listener, 5000))
				break;
	sc_stop(&c);
	return i == SC_RT_CALLS ? 0 : -1;
}

/*
 * Round trips of every variant under @s, interleaved over rounds; prints one
 * row per variant and the TSV rows @bench_{p50,p99,ratio}[_@param].
 */
static void sc_roundtrips(const char *bench, const char *param,
			  const struct sc_shape *s, const struct sc_variant *vs,
			  unsigned int nv)
{
	static long lat[SC_MAXV][SC_RT_ROUNDS * SC_RT_CALLS];
	double p50[SC_MAXV], rp50[SC_MAXV][SC_RT_ROUNDS] = { { 0 } }, ratio, best;
	long n[SC_MAXV] = { 0 };
	unsigned int round, k, i, j;
	char name[64];

	if (!sc_rt_sh)
		sc_rt_sh = mmap(NULL, sizeof(*sc_rt_sh), PROT_READ | PROT_WRITE,
				MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	for (round = 0; round < SC_RT_ROUNDS; round++) {
		for (k = 0; k < nv; k++) {
			i = round & 1 ? nv - 1 - k : k;
			if (sc_rt_once(s, &vs[i])) {
				printf("%s %s %s: round %u did not complete\n", bench,
				       param, vs[i].name, round);
				continue;
			}
			for (j = 0; j < SC_RT_CALLS; j++)
				lat[i][n[i]++] = sc_rt_sh->lat_ns[j];
			rp50[i][round] = percentile(lat[i] + n[i] - SC_RT_CALLS,
						    SC_RT_CALLS, 50);
		}
	}
	for (i = 0; i < nv; i++) {
		if (!n[i] || !n[0])
			continue;
		ratio = sc_paired_ratio(rp50[i], rp50[0], SC_RT_ROUNDS);
		best = sc_best_ratio(rp50[i], rp50[0], SC_RT_ROUNDS);
		p50[i] = percentile(lat[i], n[i], 50) / 1000.0;
		snprintf(name, sizeof(name), "%s_p50", bench);
		sc_tsv(name, param, vs[i].name, p50[i], "us");
		snprintf(name, sizeof(name), "%s_p99", bench);
		sc_tsv(name, param, vs[i].name,
		       percentile(lat[i], n[i], 99) / 1000.0, "us");
		snprintf(name, sizeof(name), "%s_ratio", bench);
		sc_tsv(name, param, vs[i].name, ratio, "x");
		snprintf(name, sizeof(name), "%s_best_ratio", bench);
		sc_tsv(name, param, vs[i].name, best, "x");
		printf("%-18s %-20s %9.1f %9.1f %8.3f %8.3f\n", param, vs[i].name,
		       p50[i], percentile(lat[i], n[i], 99) / 1000.0, ratio, best);
	}
}

static void bench_chain(void)
{
	static const int depths[] = { 1, 4, 16, 32 };
	struct sc_shape s = { 0 };
	char param[32];
	unsigned int d;

	printf("\n== Round trip under stacked filters (the listener's deepest or shallowest), %d rounds x %d calls\n",
	       SC_RT_ROUNDS, SC_RT_CALLS);
	printf("%-18s %-20s %9s %9s %8s %8s\n", "chain", "variant", "p50 us", "p99 us",
	       "ratio", "best");
	for (d = 0; d < sizeof(depths) / sizeof(depths[0]); d++) {
		for (s.shallowest = 0; s.shallowest < 2; s.shallowest++) {
			/* At depth 1 the listener's filter is both. */
			if (depths[d] == 1 && s.shallowest)
				continue;
			s.depth = depths[d];
			snprintf(param, sizeof(param), "depth%d_%s", s.depth,
				 s.shallowest ? "shallowest" : "deepest");
			sc_roundtrips("chain_roundtrip", param, &s, scale_variants, SC_NV);
		}
	}
}

static void bench_bigfilter(void)
{
	struct sc_shape s = { .depth = 1, .big = 1 };

	printf("\n== Round trip under a container-runtime-like profile (%u cBPF instructions, %d syscalls notified, getppid last), %d rounds x %d calls\n",
	       sc_big_len(), SC_NNOTIFIED, SC_RT_ROUNDS, SC_RT_CALLS);
	printf("%-18s %-20s %9s %9s %8s %8s\n", "filter", "variant", "p50 us", "p99 us",
	       "ratio", "best");
	sc_roundtrips("bigfilter_roundtrip", "", &s, scale_variants, SC_NV);
}

/* Herd: many waiters on one listener --------------------------------------- */

#define SC_HERD_SAMPLES 80
#define SC_HERD_ROUNDS 3
#define SC_HERD_MAX 1000

struct sc_herd_shared {
	atomic_int started;
	atomic_int acks;
	volatile long t_send;
	volatile long lat_ns[SC_HERD_SAMPLES + 1];
};

static struct sc_herd_shared *sc_herd_sh;
static int sc_herd_n;
/* The woken waiter reports here: the supervisor sleeps, not spins (TCG). */
static int sc_herd_pipe[2] = { -1, -1 };

static void *sc_herd_thread(void *arg)
{
	long t;
	int k;

	(void)arg;
	atomic_fetch_add(&sc_herd_sh->started, 1);
	for (;;) {
		syscall(__NR_getppid);
		t = sc_now_ns();
		k = atomic_load(&sc_herd_sh->acks);
		if (k < SC_HERD_SAMPLES + 1)
			sc_herd_sh->lat_ns[k] = t - sc_herd_sh->t_send;
		atomic_fetch_add(&sc_herd_sh->acks, 1);
		if (write(sc_herd_pipe[1], "r", 1) != 1)
			return NULL;
	}
	return NULL;
}

static void sc_herd_child(void *arg)
{
	pthread_attr_t attr;
	pthread_t th;
	int i;

	(void)arg;
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 64 * 1024);
	for (i = 0; i < sc_herd_n; i++)
		if (pthread_create(&th, &attr, sc_herd_thread, NULL))
			break;
	for (;;)
		pause();
}

/* Reply to one waiter at a time, @samples times; the samples taken. */
static int sc_herd_once(const struct sc_variant *v, int waiters, long *lat)
{
	struct sc_shape s = { .depth = 1 };
	struct sc_child c;
	long end;
	int i = 0, k;
	char go;

	memset(sc_herd_sh, 0, sizeof(*sc_herd_sh));
	sc_herd_n = waiters;
	if (pipe(sc_herd_pipe))
		return 0;
	if (sc_start(&c, &s, v, sc_herd_child, NULL))
		goto out;
	/* Every thread started; give the last ones time to queue. */
	end = now_ms() + 20000;
	while (atomic_load(&sc_herd_sh->started) < waiters && now_ms() < end)
		sleep_ms(10);
	sleep_ms(100 + waiters / 5);
	for (i = 0; i < SC_HERD_SAMPLES; i++) {
		struct seccomp_notif_resp resp;
		struct seccomp_notif notif;

		if (!poll_fd(c.listener, POLLIN, 5000))
			break;
		memset(&notif, 0, sizeof(notif));
		if (ioctl(c.listener, SECCOMP_IOCTL_NOTIF_RECV, &notif))
			break;
		memset(&resp, 0, sizeof(resp));
		resp.id = notif.id;
		k = atomic_load(&sc_herd_sh->acks);
		sc_herd_sh->t_send = sc_now_ns();
		if (ioctl(c.listener, SECCOMP_IOCTL_NOTIF_SEND, &resp))
			break;
		if (!poll_fd(sc_herd_pipe[0], POLLIN, 5000) ||
		    read(sc_herd_pipe[0], &go, 1) != 1 ||
		    atomic_load(&sc_herd_sh->acks) == k)
			break;
		lat[i] = sc_herd_sh->lat_ns[k];
	}
out:
	sc_stop(&c);
	close(sc_herd_pipe[0]);
	close(sc_herd_pipe[1]);
	return i;
}

static void bench_herd(void)
{
	static const int waiters[] = { 1, 100, SC_HERD_MAX };
	static long lat[SC_NV][SC_HERD_ROUNDS * SC_HERD_SAMPLES];
	double p50[SC_NV], rp50[SC_NV][SC_HERD_ROUNDS], ratio, best;
	unsigned int w, round, k, i;
	long n[SC_NV], got;
	char param[32];

	printf("\n== One reply among many waiters on one listener (SEND -> its task runs), %d rounds x %d replies\n",
	       SC_HERD_ROUNDS, SC_HERD_SAMPLES);
	printf("%-18s %-20s %9s %9s %8s %8s\n", "waiters", "variant", "p50 us", "p99 us",
	       "ratio", "best");
	if (!sc_herd_sh)
		sc_herd_sh = mmap(NULL, sizeof(*sc_herd_sh), PROT_READ | PROT_WRITE,
				  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	for (w = 0; w < sizeof(waiters) / sizeof(waiters[0]); w++) {
		memset(n, 0, sizeof(n));
		memset(rp50, 0, sizeof(rp50));
		for (round = 0; round < SC_HERD_ROUNDS; round++) {
			for (k = 0; k < SC_NV; k++) {
				i = round & 1 ? SC_NV - 1 - k : k;
				got = sc_herd_once(&scale_variants[i], waiters[w],
						   lat[i] + n[i]);
				if (got)
					rp50[i][round] = percentile(lat[i] + n[i], got, 50);
				n[i] += got;
			}
		}
		snprintf(param, sizeof(param), "waiters%d", waiters[w]);
		for (i = 0; i < SC_NV; i++) {
			if (n[i] < SC_HERD_SAMPLES || n[0] < SC_HERD_SAMPLES) {
				printf("%-18s %-20s only %ld of %d replies\n", param,
				       scale_variants[i].name, n[i],
				       SC_HERD_ROUNDS * SC_HERD_SAMPLES);
				continue;
			}
			ratio = sc_paired_ratio(rp50[i], rp50[0], SC_HERD_ROUNDS);
			best = sc_best_ratio(rp50[i], rp50[0], SC_HERD_ROUNDS);
			p50[i] = percentile(lat[i], n[i], 50) / 1000.0;
			sc_tsv("herd_reply_p50", param, scale_variants[i].name, p50[i], "us");
			sc_tsv("herd_reply_p99", param, scale_variants[i].name,
			       percentile(lat[i], n[i], 99) / 1000.0, "us");
			sc_tsv("herd_reply_ratio", param, scale_variants[i].name, ratio, "x");
			sc_tsv("herd_reply_best_ratio", param, scale_variants[i].name, best, "x");
			printf("%-18s %-20s %9.1f %9.1f %8.3f %8.3f\n", param,
			       scale_variants[i].name, p50[i],
			       percentile(lat[i], n[i], 99) / 1000.0, ratio, best);
		}
	}
}

/* Throughput: threads trapped in a loop, one supervisor --------------------- */

#define SC_TP_MS 1000
#define SC_TP_WINDOW_MS 50
#define SC_TP_ROUNDS 3
#define SC_TP_WINDOWS (SC_TP_ROUNDS * SC_TP_MS / SC_TP_WINDOW_MS)

static int sc_tp_threads;

static void *sc_tp_thread(void *arg)
{
	(void)arg;
	for (;;)
		syscall(__NR_getppid);
	return NULL;
}

static void sc_tp_child(void *arg)
{
	pthread_t th;
	int i;

	(void)arg;
	for (i = 1; i < sc_tp_threads; i++)
		pthread_create(&th, NULL, sc_tp_thread, NULL);
	sc_tp_thread(NULL);
}

/* Serve for SC_TP_MS; calls/s of each window into @rate, their count. */
static int sc_tp_once(const struct sc_variant *v, int threads, long *rate)
{
	struct sc_shape s = { .depth = 1 };
	struct sc_child c;
	long t0, end, calls = 0;
	int w = 0;

	sc_tp_threads = threads;
	if (sc_start(&c, &s, v, sc_tp_child, NULL))
		goto out;
	/* Warm up: every thread trapped once. */
	while (calls < 2 * threads && !sc_serve_one(c.listener, 5000))
		calls++;
	calls = 0;
	t0 = now_ms();
	end = t0 + SC_TP_MS;
	while (w < SC_TP_MS / SC_TP_WINDOW_MS) {
		if (sc_serve_one(c.listener, 5000))
			break;
		calls++;
		if (now_ms() >= t0 + SC_TP_WINDOW_MS) {
			rate[w++] = calls * 1000 / (now_ms() - t0);
			calls = 0;
			t0 = now_ms();
		}
		if (now_ms() > end + 2000)
			break;
	}
out:
	sc_stop(&c);
	return w;
}

static void bench_throughput(void)
{
	static const int threads[] = { 1, 8 };
	static long rate[SC_NV][SC_TP_WINDOWS];
	double p50[SC_NV], rp50[SC_NV][SC_TP_ROUNDS], ratio;
	unsigned int t, round, k, i;
	long n[SC_NV], got;
	char param[32];

	printf("\n== Throughput, trapped threads in a loop, one supervisor, %d rounds x %d ms (rates of %d ms windows)\n",
	       SC_TP_ROUNDS, SC_TP_MS, SC_TP_WINDOW_MS);
	printf("%-18s %-20s %9s %9s %8s\n", "threads", "variant", "calls/s", "p1 c/s", "ratio");
	for (t = 0; t < sizeof(threads) / sizeof(threads[0]); t++) {
		memset(n, 0, sizeof(n));
		memset(rp50, 0, sizeof(rp50));
		for (round = 0; round < SC_TP_ROUNDS; round++) {
			for (k = 0; k < SC_NV; k++) {
				i = round & 1 ? SC_NV - 1 - k : k;
				got = sc_tp_once(&scale_variants[i], threads[t],
						 rate[i] + n[i]);
				if (got)
					rp50[i][round] = percentile(rate[i] + n[i], got, 50);
				n[i] += got;
			}
		}
		snprintf(param, sizeof(param), "threads%d", threads[t]);
		for (i = 0; i < SC_NV; i++) {
			if (!n[i] || !n[0]) {
				printf("%-18s %-20s did not run\n", param, scale_variants[i].name);
				continue;
			}
			ratio = sc_paired_ratio(rp50[i], rp50[0], SC_TP_ROUNDS);
			p50[i] = percentile(rate[i], n[i], 50);
			sc_tsv("throughput_p50", param, scale_variants[i].name, p50[i], "calls/s");
			/* The slow tail of a rate is its low end. */
			sc_tsv("throughput_p01", param, scale_variants[i].name,
			       percentile(rate[i], n[i], 1), "calls/s");
			sc_tsv("throughput_ratio", param, scale_variants[i].name, ratio, "x");
			printf("%-18s %-20s %9.0f %9ld %8.3f\n", param, scale_variants[i].name,
			       p50[i], percentile(rate[i], n[i], 1), ratio);
		}
	}
}

#endif
