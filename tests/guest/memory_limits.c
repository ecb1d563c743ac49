// SPDX-License-Identifier: GPL-2.0
/*
 * What a user can make the module hold: unread killed records outlive their
 * tasks, so they are charged to the killed task's memory cgroup and capped
 * per user (max_user_orphans); how many objects it holds is root's to know.
 */
#include <grp.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include "harness.h"
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

/* A cgroup with the memory controller; 0, or 77 (skip) with a message. */
static int memcg_setup(int *mounted)
{
	char buf[256] = "";
	int fd;

	*mounted = 0;
	if (access(CG_ROOT "/cgroup.controllers", F_OK)) {
		mkdir(CG_ROOT, 0755);
		if (mount("none", CG_ROOT, "cgroup2", 0, NULL)) {
			printf("cannot mount cgroup2: %s\n", strerror(errno));
			return 77;
		}
		*mounted = 1;
	}
	fd = open(CG_ROOT "/cgroup.controllers", O_RDONLY);
	if (fd >= 0) {
		if (read(fd, buf, sizeof(buf) - 1) < 0)
			buf[0] = 0;
		close(fd);
	}
	if (!strstr(buf, "memory")) {
		printf("no memory controller (controllers: %s)\n", buf);
		return 77;
	}
	write_file(CG_ROOT "/cgroup.subtree_control", "+memory");
	rmdir(CG);
	if (mkdir(CG, 0755) || access(CG "/memory.current", F_OK)) {
		printf("no memory cgroup: %s\n", strerror(errno));
		return 77;
	}
	return 0;
}

static void memcg_teardown(int mounted)
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
	char buf[32] = "";
	int i, fd;

	for (i = 0; i < 2; i++) {
		write_file(CG "/memory.high", "0");
		write_file(CG "/memory.high", "max");
		sleep_ms(100);
	}
	fd = open(CG "/memory.current", O_RDONLY);
	if (fd < 0)
		return -1;
	if (read(fd, buf, sizeof(buf) - 1) <= 0)
		buf[0] = 0;
	close(fd);
	return buf[0] ? atol(buf) : -1;
}

/*
 * Tasks of a memory cgroup, trapped under FORWARD and killed while their
 * supervisor (outside the cgroup) reads nothing: their killed records stay
 * charged to that cgroup until read, so its memory.max bounds them. The
 * tasks' struct pid are charged where they were forked, outside: the
 * difference is the records alone.
 */
CASE(killed_records_are_charged_to_the_killed_tasks_memory_cgroup)
{
	struct tgroup g = { .forker = 0, .listener = -1, .dev = -1, .gate = -1 };
	long held, after;
	int mounted, ret = 1, nr;

	ret = memcg_setup(&mounted);
	if (ret) {
		memcg_teardown(mounted);
		return ret;
	}
	ret = 1;
	ENSURE(!group_start(&g, 0, MAX_TASKS, CG), "group");
	ENSURE(!group_trap(&g), "trap");
	ENSURE(!group_kill(&g), "kill");
	held = memcg_settled();
	nr = group_records(&g);
	after = memcg_settled();
	printf("%d killed records; memory.current %ld bytes with them, %ld after reading them: %ld bytes each\n",
	       nr, held, after, nr > 0 ? (held - after) / nr : 0);
	ENSURE(nr == MAX_TASKS, "%d killed records, expected %d", nr, MAX_TASKS);
	ENSURE(held >= 0 && after >= 0, "memory.current unreadable");
	/* A record is 96 bytes; half of that survives any page rounding. */
	ENSURE(held - after >= MAX_TASKS * 48,
	       "the records are not charged to the killed tasks' cgroup");
	ret = 0;
out:
	group_end(&g);
	memcg_teardown(mounted);
	return ret;
}

/* @n tasks of @uid killed under a new listener; its group, records unread. */
static int killed_group(struct tgroup *g, uid_t uid, int n)
{
	if (group_start(g, uid, n, NULL) || group_trap(g) || group_kill(g))
		return -1;
	return 0;
}

/*
 * max_user_orphans caps one user's unread killed records across listeners;
 * another user's are counted apart, and reading them gives the budget back.
 */
CASE(killed_records_are_capped_per_user)
{
	struct tgroup a = { .forker = 0, .listener = -1, .dev = -1, .gate = -1 };
	struct tgroup b = a, c = a;
	int old = -1, nr, ret = 1;

	CHECK(!module_load(NULL), "load");
	old = read_int_file(MAX_USER_ORPHANS);
	CHECK(old > 0, "no max_user_orphans parameter");
	CHECK(!write_file(MAX_USER_ORPHANS, "3"), "set max_user_orphans");
	ENSURE(!killed_group(&a, 1000, 5), "uid 1000's tasks");
	ENSURE(!killed_group(&b, 1001, 2), "uid 1001's tasks");
	nr = group_records(&b);
	ENSURE(nr == 2, "uid 1001: %d killed records, expected 2", nr);
	nr = group_records(&a);
	ENSURE(nr == 3, "uid 1000: %d killed records, expected 3 (the cap)", nr);
	ENSURE(!killed_group(&c, 1000, 3), "uid 1000's tasks again");
	nr = group_records(&c);
	ENSURE(nr == 3, "uid 1000 after reading: %d killed records, expected 3",
	       nr);
	ret = 0;
out:
	group_end(&a);
	group_end(&b);
	group_end(&c);
	if (old > 0) {
		char v[16];

		snprintf(v, sizeof(v), "%d", old);
		write_file(MAX_USER_ORPHANS, v);
	}
	return ret;
}

/* How many objects the module holds is other users' business: root only. */
CASE(live_objects_is_readable_by_root_only)
{
	const char *path = "/sys/module/seccomp_sigfwd/parameters/live_objects";
	struct stat st;
	int status;
	pid_t pid;

	CHECK(!module_load(NULL), "load");
	CHECK(!stat(path, &st), "no live_objects: %s", strerror(errno));
	CHECK((st.st_mode & 07777) == 0400, "mode %o", st.st_mode & 07777);
	CHECK(read_int_file(path) >= 0, "root cannot read it");
	pid = fork();
	if (!pid) {
		if (setresgid(65534, 65534, 65534) ||
		    setresuid(65534, 65534, 65534))
			_exit(2);
		_exit(open(path, O_RDONLY) < 0 && errno == EACCES ? 0 : 1);
	}
	CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
	      !WEXITSTATUS(status), "another user can read it (status %#x)",
	      status);
	return 0;
}
