// SPDX-License-Identifier: GPL-2.0
/*
 * What a user can make the module hold: unread killed records outlive their
 * tasks, so they are charged to the killed task's memory cgroup and capped
 * per user (max_user_orphans); how many objects it holds is root's to know.
 */
#include <grp.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include "sigfwd_test.h"
#include "trap.h"

#define FWD SECCOMP_SIGFWD_FORWARD
#define CG_ROOT "/sys/fs/cgroup"
#define CG CG_ROOT "/sigfwd-memcg"
#define MAX_USER_ORPHANS "/sys/module/seccomp_sigfwd/parameters/max_user_orphans"
#define MAX_TASKS 256

/*
 * A group of tasks under one FORWARD filter with a bound device: a forker
 * (its own process group) installs the filter as @uid and forks the tasks,
 * which wait for the gate, join @cg if given, and make the trapped call.
 */
struct tgroup {
	pid_t forker;
	int listener, dev, gate, n;
	pid_t pids[MAX_TASKS];
	__u64 ids[MAX_TASKS];
};

static void task_main(int gate, const char *cg)
{
	char c, path[128];

	if (read(gate, &c, 1) != 0)
		_exit(3);
	if (cg) {
		snprintf(path, sizeof(path), "%s/cgroup.procs", cg);
		if (write_file(path, "0"))
			_exit(4);
	}
	syscall(__NR_getppid);
	_exit(0);
}

static void forker_main(uid_t uid, int n, const char *cg, int gate, int sock)
{
	int listener, i;

	setpgid(0, 0);
	if (uid && (setgroups(0, NULL) || setresgid(uid, uid, uid) ||
		    setresuid(uid, uid, uid)))
		_exit(3);
	listener = install_filter(__NR_getppid, SECCOMP_SIGFWD_RET_DATA(FWD), 0);
	if (listener < 0 || send_fd(sock, listener))
		_exit(3);
	close(listener);
	close(sock);
	for (i = 0; i < n; i++)
		if (!fork())
			task_main(gate, cg);
	close(gate);
	while (wait(NULL) > 0)
		;
	_exit(0);
}

static int group_start(struct tgroup *g, uid_t uid, int n, const char *cg)
{
	int gate[2], sv[2];

	memset(g, 0, sizeof(*g));
	g->listener = g->dev = g->gate = -1;
	g->n = n;
	if (module_load(NULL) || write_file(DEFAULT_POLICY, "0") || pipe(gate) ||
	    socketpair(AF_UNIX, SOCK_STREAM, 0, sv)) {
		perror("group_start");
		return -1;
	}
	g->forker = fork();
	if (!g->forker) {
		close(gate[1]);
		close(sv[0]);
		forker_main(uid, n, cg, gate[0], sv[1]);
	}
	setpgid(g->forker, g->forker);
	close(gate[0]);
	close(sv[1]);
	g->gate = gate[1];
	g->listener = recv_fd(sv[0]);
	close(sv[0]);
	if (g->listener < 0) {
		printf("the forker could not install its filter\n");
		return -1;
	}
	g->dev = sigfwd_open_bound(g->listener, 0);
	if (g->dev < 0) {
		perror("bind");
		return -1;
	}
	return 0;
}

/* Open the gate and receive every task's notification: all are trapped. */
static int group_trap(struct tgroup *g)
{
	long end = now_ms() + slow_ms(30000);
	struct seccomp_notif n;
	int i;

	close(g->gate);
	g->gate = -1;
	for (i = 0; i < g->n; i++) {
		if (!poll_fd(g->listener, POLLIN, end > now_ms() ? end - now_ms() : 0) ||
		    ioctl(g->listener, SECCOMP_IOCTL_NOTIF_RECV,
			  memset(&n, 0, sizeof(n)))) {
			printf("%d of %d tasks trapped\n", i, g->n);
			return -1;
		}
		g->pids[i] = n.pid;
		g->ids[i] = n.id;
	}
	return 0;
}

/* SIGKILL every trapped task; wait until all are reaped (the forker exits). */
static int group_kill(struct tgroup *g)
{
	long end = now_ms() + slow_ms(30000);
	int i, status;

	for (i = 0; i < g->n; i++)
		kill(g->pids[i], SIGKILL);
	while (now_ms() < end) {
		if (waitpid(g->forker, &status, WNOHANG) == g->forker) {
			g->forker = 0;
			return 0;
		}
		sleep_ms(10);
	}
	printf("the killed tasks were not reaped\n");
	return -1;
}

/* Read every record: the number of killed records for the group's calls. */
static int group_records(struct tgroup *g)
{
	struct seccomp_sigfwd_signal s;
	int killed = 0, i;

	fcntl(g->dev, F_SETFL, fcntl(g->dev, F_GETFL) | O_NONBLOCK);
	while (!sigfwd_recv_signal(g->dev, &s)) {
		for (i = 0; i < g->n && g->ids[i] != s.id; i++)
			;
		if (i == g->n || !(s.flags & SECCOMP_SIGFWD_SIG_KILLED)) {
			printf("unexpected record id %llx flags %#x\n",
			       (unsigned long long)s.id, s.flags);
			return -1;
		}
		killed++;
	}
	return errno == EAGAIN ? killed : -1;
}

static void group_end(struct tgroup *g)
{
	if (g->forker > 0) {
		kill(-g->forker, SIGKILL);
		waitpid(g->forker, NULL, 0);
	}
	if (g->gate >= 0)
		close(g->gate);
	if (g->dev >= 0)
		close(g->dev);
	if (g->listener >= 0)
		close(g->listener);
}

/*
 * A cgroup with the memory controller; NULL, or why not (a skip). Sets
 * *mounted when it mounted cgroup2.
 */
static const char *memcg_make(int *mounted)
{
	static char why[320];
	char buf[256] = "";

	if (access(CG_ROOT "/cgroup.controllers", F_OK)) {
		mkdir(CG_ROOT, 0755);
		if (mount("none", CG_ROOT, "cgroup2", 0, NULL)) {
			snprintf(why, sizeof(why), "cannot mount cgroup2: %s",
				 strerror(errno));
			return why;
		}
		*mounted = 1;
	}
	read_text(CG_ROOT "/cgroup.controllers", buf, sizeof(buf));
	if (!strstr(buf, "memory")) {
		snprintf(why, sizeof(why), "no memory controller (controllers: %s)",
			 buf);
		return why;
	}
	write_file(CG_ROOT "/cgroup.subtree_control", "+memory");
	rmdir(CG);
	if (mkdir(CG, 0755) || access(CG "/memory.current", F_OK)) {
		snprintf(why, sizeof(why), "no memory cgroup: %s", strerror(errno));
		return why;
	}
	return NULL;
}

static void memcg_remove(int mounted)
{
	rmdir(CG);
	if (mounted)
		umount2(CG_ROOT, MNT_DETACH);
}

/*
 * memory.current of the (empty) cgroup without the per-CPU charge caches:
 * lowering memory.high drains them (no OOM, unlike memory.max), twice, as
 * other CPUs drain asynchronously.
 */
static long memcg_settled(void)
{
	char buf[32];
	int i;

	for (i = 0; i < 2; i++) {
		write_file(CG "/memory.high", "0");
		write_file(CG "/memory.high", "max");
		sleep_ms(100);
	}
	read_text(CG "/memory.current", buf, sizeof(buf));
	return buf[0] ? atol(buf) : -1;
}

/*
 * The fixtures' teardown runs in the test's process (self->ready): after a
 * timeout the parent's copy of self is as before the setup.
 */
#define GROUP_INIT { .forker = 0, .listener = -1, .dev = -1, .gate = -1 }

FIXTURE(memcg) {
	struct tgroup g;
	int mounted, ready;
};

FIXTURE_SETUP(memcg)
{
	const char *why;

	self->g = (struct tgroup)GROUP_INIT;
	self->ready = 1;
	why = memcg_make(&self->mounted);
	if (why) {
		/* A skipped setup gets no teardown. */
		memcg_remove(self->mounted);
		SKIP(return, "%s", why);
	}
}

FIXTURE_TEARDOWN(memcg)
{
	if (!self->ready)
		return;
	group_end(&self->g);
	memcg_remove(self->mounted);
}

/*
 * Tasks of a memory cgroup, trapped under FORWARD and killed while their
 * supervisor (outside the cgroup) reads nothing: their killed records stay
 * charged to that cgroup until read, so its memory.max bounds them. The
 * tasks' struct pid are charged where they were forked, outside: the
 * difference is the records alone.
 */
TEST_F_TIMEOUT(memcg, killed_records_are_charged_to_the_killed_tasks_memory_cgroup, 120)
{
	struct tgroup *g = &self->g;
	long held, after;
	int nr;

	ASSERT_EQ(0, group_start(g, 0, MAX_TASKS, CG)) TH_LOG("group");
	ASSERT_EQ(0, group_trap(g)) TH_LOG("trap");
	ASSERT_EQ(0, group_kill(g)) TH_LOG("kill");
	held = memcg_settled();
	nr = group_records(g);
	after = memcg_settled();
	printf("%d killed records; memory.current %ld bytes with them, %ld after reading them: %ld bytes each\n",
	       nr, held, after, nr > 0 ? (held - after) / nr : 0);
	ASSERT_EQ(MAX_TASKS, nr) TH_LOG("%d killed records, expected %d", nr, MAX_TASKS);
	ASSERT_TRUE(held >= 0 && after >= 0) TH_LOG("memory.current unreadable");
	/* A record is 96 bytes; half of that survives any page rounding. */
	ASSERT_GE(held - after, MAX_TASKS * 48)
		TH_LOG("the records are not charged to the killed tasks' cgroup");
}

/* @n tasks of @uid killed under a new listener; its group, records unread. */
static int killed_group(struct tgroup *g, uid_t uid, int n)
{
	if (group_start(g, uid, n, NULL) || group_trap(g) || group_kill(g))
		return -1;
	return 0;
}

/* Three groups of killed tasks; the teardown restores max_user_orphans. */
FIXTURE(orphans) {
	struct tgroup a, b, c;
	int old, ready;
};

FIXTURE_SETUP(orphans)
{
	self->a = self->b = self->c = (struct tgroup)GROUP_INIT;
	self->old = -1;
	self->ready = 1;
	ASSERT_EQ(0, module_load(NULL)) TH_LOG("load");
	self->old = read_int_file(MAX_USER_ORPHANS);
	ASSERT_GT(self->old, 0) TH_LOG("no max_user_orphans parameter");
}

FIXTURE_TEARDOWN(orphans)
{
	char v[16];

	if (!self->ready)
		return;
	group_end(&self->a);
	group_end(&self->b);
	group_end(&self->c);
	if (self->old > 0) {
		snprintf(v, sizeof(v), "%d", self->old);
		write_file(MAX_USER_ORPHANS, v);
	}
}

/*
 * max_user_orphans caps one user's unread killed records across listeners;
 * another user's are counted apart, and reading them gives the budget back.
 */
TEST_F_TIMEOUT(orphans, killed_records_are_capped_per_user, 120)
{
	int nr;

	ASSERT_EQ(0, write_file(MAX_USER_ORPHANS, "3")) TH_LOG("set max_user_orphans");
	ASSERT_EQ(0, killed_group(&self->a, 1000, 5)) TH_LOG("uid 1000's tasks");
	ASSERT_EQ(0, killed_group(&self->b, 1001, 2)) TH_LOG("uid 1001's tasks");
	nr = group_records(&self->b);
	ASSERT_EQ(2, nr) TH_LOG("uid 1001: %d killed records, expected 2", nr);
	nr = group_records(&self->a);
	ASSERT_EQ(3, nr) TH_LOG("uid 1000: %d killed records, expected 3 (the cap)", nr);
	ASSERT_EQ(0, killed_group(&self->c, 1000, 3)) TH_LOG("uid 1000's tasks again");
	nr = group_records(&self->c);
	ASSERT_EQ(3, nr)
		TH_LOG("uid 1000 after reading: %d killed records, expected 3", nr);
}

/* How many objects the module holds is other users' business: root only. */
TEST(live_objects_is_readable_by_root_only)
{
	const char *path = "/sys/module/seccomp_sigfwd/parameters/live_objects";
	struct stat st;
	int status = 0;
	pid_t pid;

	ASSERT_EQ(0, module_load(NULL)) TH_LOG("load");
	ASSERT_EQ(0, stat(path, &st)) TH_LOG("no live_objects: %s", strerror(errno));
	ASSERT_EQ(0400, st.st_mode & 07777) TH_LOG("mode %o", st.st_mode & 07777);
	ASSERT_GE(read_int_file(path), 0) TH_LOG("root cannot read it");
	pid = fork();
	if (!pid) {
		if (setresgid(65534, 65534, 65534) ||
		    setresuid(65534, 65534, 65534))
			_exit(2);
		_exit(open(path, O_RDONLY) < 0 && errno == EACCES ? 0 : 1);
	}
	ASSERT_TRUE(waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
		    !WEXITSTATUS(status))
		TH_LOG("another user can read it (status %#x)", status);
}
