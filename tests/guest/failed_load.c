// SPDX-License-Identifier: GPL-2.0
/*
 * A load that fails leaves nothing behind. Above all no hook that redirected
 * waits into module code the kernel frees: the failed init returns without
 * waiting for module references, and a task woken in freed code oopses.
 */
#include <sys/klog.h>
#include "harness.h"
#include "trap.h"

#define TAKEN_KO "/sigfwd/sigfwd_test_misc_taken.ko"
#define TAKEN_HOLDING "/sys/module/sigfwd_test_misc_taken/parameters/holding"
#define PRINTK "/proc/sys/kernel/printk"
#define AFTER SECCOMP_SIGFWD_KILLABLE_AFTER_RECV
#define NR_HELD 4

/* What the host's console scan rejects (scripts/qemu-run). */
static const char *const bad[] = {
	"BUG:", "WARNING:", "Call Trace", "Oops", "general protection",
	"possible circular locking", "possible recursive locking",
	"inconsistent lock state", "blocked for more than", "Kernel panic",
	"UBSAN:", "KASAN:", "ODEBUG:", "suspected memory leaks",
	"unreferenced object", "possible irq lock inversion", "soft lockup",
	"hard LOCKUP", "rcu_sched detected stalls", "rcu: INFO",
};

static int kmod_load(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), ret;

	if (fd < 0)
		return -1;
	ret = syscall(__NR_finit_module, fd, "", 0);
	close(fd);
	return ret;
}

/* Does /proc/PID/stack show @fn? -1 when the kernel does not say. */
static int in_stack(pid_t pid, const char *fn)
{
	char path[64], buf[4096];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stack", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = 0;
	return !!strstr(buf, fn);
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

/*
 * The kernel's own report of the taken name (sysfs_warn_dup()'s stack dump
 * and kobject_add_internal()'s line) is expected; the console shows it only
 * at a lowered level, so check the case's log here exactly as the host
 * checks the console: nothing else may complain.
 */
static int log_clean(int *refusals, int *reason)
{
	static char buf[1 << 20];
	int n = klogctl(3, buf, sizeof(buf) - 1), in_dup = 0, ok = 1;
	char *line, *save;
	unsigned int i;

	if (n < 0)
		return 0;
	buf[n] = 0;
	*refusals = *reason = 0;
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (strstr(line, "cannot create duplicate filename") &&
		    strstr(line, "/misc/seccomp-sigfwd'"))
			in_dup = 1;
		if (strstr(line, "kobject_add_internal failed for seccomp-sigfwd"))
			in_dup = 0;
		if (strstr(line, "seccomp_sigfwd: refusing to load on")) {
			(*refusals)++;
			*reason += !!strstr(line, "cannot register the device (-17)");
		}
		for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
			if (strstr(line, bad[i]) &&
			    !(in_dup && !strcmp(bad[i], "Call Trace"))) {
				printf("kernel complaint: %s\n", line);
				ok = 0;
			}
	}
	return ok;
}

/*
 * seccomp_sigfwd's misc device name is taken. Its load is held inside
 * misc_register() (the taken device's open() sleeps under misc_mtx) while
 * tagged-policy tasks trap, one in a loop and NR_HELD received but not
 * answered, then refused. Had the hook gone live before the device, the
 * held tasks would sleep in module code the failed load frees, and oops
 * when answered. The load fails with misc_register()'s own errno and one
 * line; every answer lands afterwards.
 */
CASE(load_refused_on_taken_device_name_leaves_no_hook)
{
	struct trap_opts o = { .data = SECCOMP_SIGFWD_RET_DATA(AFTER) };
	struct trap_opts bo = o;
	struct trap held[NR_HELD];
	struct seccomp_notif n[NR_HELD];
	int nheld = 0, ret = 1, status, e, i, refusals, reason, was_held = 0;
	char level[64] = "";
	pthread_t th;
	int th_started = 0, fd;
	pid_t holder = -1, loader = -1;
	long end, before;

	memset(&busy, 0, sizeof(busy));
	busy.t.pid = -1;
	CHECK(!module_unload(), "unload: %s", strerror(errno));
	CHECK(!kmod_load(TAKEN_KO), "load %s: %s", TAKEN_KO, strerror(errno));
	fd = open(PRINTK, O_RDWR | O_CLOEXEC);
	ENSURE(fd >= 0 && read(fd, level, sizeof(level) - 1) > 0, "read " PRINTK);
	close(fd);
	ENSURE(!write_file(PRINTK, "4"), "lower the console level");

	bo.calls = 1 << 30;
	ENSURE(!trap_start(&busy.t, &bo), "busy trap");
	ENSURE(!pthread_create(&th, NULL, busy_supervisor, NULL), "thread");
	th_started = 1;

	holder = fork();
	if (!holder) {
		open(SECCOMP_SIGFWD_DEVICE, O_RDONLY);
		_exit(0);
	}
	end = now_ms() + slow_ms(5000);
	while (read_int_file(TAKEN_HOLDING) < 1 && now_ms() < end)
		sleep_ms(2);
	ENSURE(read_int_file(TAKEN_HOLDING) == 1, "the taken device's open does not sleep");

	loader = fork();
	if (!loader)
		_exit(module_load(NULL) ? errno : 0);
	/* Held inside misc_register() where misc_open() holds misc_mtx. */
	end = now_ms() + slow_ms(5000);
	while (now_ms() < end && !was_held &&
	       waitpid(loader, &status, WNOHANG) == 0) {
		was_held = in_stack(loader, "misc_register") == 1;
		sleep_ms(2);
	}
	printf("load held in misc_register(): %s\n", was_held ? "yes" : "no");

	for (i = 0; i < NR_HELD; i++) {
		ENSURE(!trap_start(&held[i], &o), "trap %d", i);
		nheld++;
		ENSURE(!trap_recv(&held[i], &n[i], slow_ms(5000)),
		       "no notification %d", i);
		wait_asleep(held[i].pid);
	}
	before = busy.replies;
	end = now_ms() + slow_ms(2000);
	while (busy.replies < before + 20 && now_ms() < end)
		sleep_ms(5);
	ENSURE(busy.replies >= before + 20, "busy trap stalled during the load");

	/* Let the load go on: misc_register() fails, the init unwinds. */
	kill(holder, SIGKILL);
	waitpid(holder, NULL, 0);
	holder = -1;
	ENSURE(waitpid(loader, &status, 0) == loader && WIFEXITED(status),
	       "loader died");
	loader = -1;
	e = WEXITSTATUS(status);
	printf("load: %s\n", e ? strerror(e) : "succeeded");
	ENSURE(e == EEXIST, "load did not fail with misc_register()'s EEXIST");
	ENSURE(!module_loaded(), "module listed after a failed load");

	for (i = 0; i < NR_HELD; i++) {
		ENSURE(!trap_send(&held[i], n[i].id, 42, 0), "SEND %d: %s", i,
		       strerror(errno));
		ENSURE(!trap_wait(&held[i], slow_ms(5000)) &&
		       held[i].sh->ret == 42, "reply %d lost", i);
		held[i].pid = 0;
	}
	before = busy.replies;
	end = now_ms() + slow_ms(2000);
	while (busy.replies < before + 20 && now_ms() < end)
		sleep_ms(5);
	ENSURE(busy.replies >= before + 20, "busy trap stalled after the load");
	ENSURE(busy.t.sh->ret == 42, "busy trap got %ld", busy.t.sh->ret);
	printf("busy trap: %ld replies\n", busy.replies);

	ENSURE(log_clean(&refusals, &reason), "kernel complaints");
	ENSURE(refusals == 1 && reason == 1,
	       "%d refusal lines, %d naming the device (-17)", refusals, reason);
	ret = 0;
out:
	if (holder > 0) {
		kill(holder, SIGKILL);
		waitpid(holder, NULL, 0);
	}
	if (loader > 0)
		waitpid(loader, NULL, 0);
	busy.stop = 1;
	if (th_started)
		pthread_join(th, NULL);
	if (busy.t.pid > 0)
		trap_end(&busy.t);
	for (i = 0; i < nheld; i++)
		trap_end(&held[i]);
	if (level[0])
		write_file(PRINTK, level);
	if (syscall(__NR_delete_module, "sigfwd_test_misc_taken", O_NONBLOCK) &&
	    errno != ENOENT) {
		printf("rmmod sigfwd_test_misc_taken: %s\n", strerror(errno));
		ret = 1;
	}
	if (module_load(NULL)) {
		printf("reload: %s\n", strerror(errno));
		ret = 1;
	}
	return ret;
}
