// SPDX-License-Identifier: GPL-2.0
/*
 * A supervisor written on libseccomp's notify API (Debian's libseccomp),
 * whose NOTIFY action carries no data bits, gets the module's semantics
 * through the per-listener policy, set with libsigfwd.
 */
#include <seccomp.h>
#include "harness.h"
#include "sigfwd.h"
#include "trap.h"

static volatile int handled;

static void on_usr1(int sig)
{
	(void)sig;
	handled++;
}

/* Child: libseccomp filter, NOTIFY on getppid; result to the shared page. */
static void child(int sock, struct trap_shared *sh)
{
	struct sigaction sa = { .sa_handler = on_usr1, .sa_flags = SA_RESTART };
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
	int fd;

	sigaction(SIGUSR1, &sa, NULL);
	if (!ctx || seccomp_rule_add(ctx, SCMP_ACT_NOTIFY, SCMP_SYS(getppid), 0) ||
	    seccomp_load(ctx))
		_exit(3);
	fd = seccomp_notify_fd(ctx);
	if (fd < 0 || send_fd(sock, fd))
		_exit(3);
	close(fd);
	while (!sh->go)
		usleep(1000);
	sh->ret = syscall(__NR_getppid);
	sh->err = errno;
	sh->handled = handled;
	sh->done = 1;
	_exit(0);
}

/* RECV, SIGUSR1, reply 42: does libseccomp's respond still land? */
static int scenario(unsigned int policy, int *landed, long *ret)
{
	struct seccomp_notif *req;
	struct seccomp_notif_resp *resp;
	struct trap_shared *sh = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
				      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	int sv[2], fd, dev = -1, r = -1;
	pid_t pid;

	if (module_load(NULL) || socketpair(AF_UNIX, SOCK_STREAM, 0, sv) ||
	    seccomp_notify_alloc(&req, &resp))
		return -1;
	pid = fork();
	if (!pid)
		child(sv[1], sh);
	fd = recv_fd(sv[0]);
	if (fd < 0)
		goto out;
	if (policy) {
		dev = sigfwd_open_bound(fd, 0);
		if (dev < 0 || sigfwd_set_policy(dev, policy))
			goto out;
	}
	sh->go = 1;
	if (!poll_fd(fd, POLLIN, 5000) || seccomp_notify_receive(fd, req)) {
		printf("no notification\n");
		goto out;
	}
	wait_asleep(pid);
	sleep_ms(20);
	kill(pid, SIGUSR1);
	sleep_ms(150);
	resp->id = req->id;
	resp->val = 42;
	resp->error = 0;
	resp->flags = 0;
	r = seccomp_notify_respond(fd, resp);
	*landed = r == 0;
	printf("first respond: %d (%s)\n", r, r ? strerror(-r) : "ok");
	r = -1;
	if (!*landed) {
		int p = poll_fd(fd, POLLIN, 5000), rr = 0;

		/* RECV wants a zeroed buffer; libseccomp 2.5 does not clear it. */
		memset(req, 0, sizeof(*req));
		if (p)
			rr = seccomp_notify_receive(fd, req);

		if (!p || rr) {
			printf("no restarted notification: poll %d receive %d; child done %d ret %ld err %d handled %d\n",
			       p, rr, sh->done, sh->ret, sh->err, sh->handled);
			goto out;
		}
		resp->id = req->id;
		resp->val = 43;
		printf("second respond: %d\n", seccomp_notify_respond(fd, resp));
	}
	for (int i = 0; i < 500 && waitpid(pid, NULL, WNOHANG) != pid; i++)
		sleep_ms(10);
	if (!sh->done && sh->ret == 0) {
		printf("child did not finish\n");
		goto out;
	}
	waitpid(pid, NULL, 0);
	pid = 0;
	*ret = sh->ret;
	r = sh->handled == 1 ? 0 : -1;
out:
	if (pid > 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
	if (dev >= 0)
		close(dev);
	seccomp_notify_free(req, resp);
	return r;
}

CASE(libseccomp_supervisor_gets_killable_wait_via_listener_policy)
{
	int landed = 0;
	long ret = 0;

	CHECK(!scenario(SECCOMP_SIGFWD_KILLABLE_AFTER_RECV, &landed, &ret),
	      "scenario failed");
	CHECK(landed && ret == 42, "respond landed %d, child got %ld", landed, ret);
	return 0;
}

CASE(libseccomp_supervisor_without_policy_sees_stock_enoent)
{
	int landed = 1;
	long ret = 0;

	CHECK(!scenario(0, &landed, &ret), "scenario failed");
	CHECK(!landed && ret == 43, "respond landed %d, child got %ld", landed, ret);
	return 0;
}

CASE(libsigfwd_reports_version_and_policies)
{
	struct seccomp_sigfwd_version v;
	int dev;

	CHECK(!module_load(NULL), "load");
	dev = sigfwd_open(0);
	CHECK(dev >= 0, "open: %s", strerror(-dev));
	CHECK(!sigfwd_version(dev, &v) && v.version == SECCOMP_SIGFWD_VERSION &&
	      v.policies == SECCOMP_SIGFWD_POLICY_MASK, "version");
	CHECK(sigfwd_set_policy(dev, 1) == -ENOTCONN, "unbound SET_POLICY");
	CHECK(sigfwd_bind(dev, -1) == -EBADF, "bind -1");
	close(dev);
	return 0;
}
