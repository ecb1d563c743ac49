// SPDX-License-Identifier: GPL-2.0
/*
 * A supervisor written on libseccomp's notify API (Debian's libseccomp),
 * whose NOTIFY action carries no data bits, gets the module's semantics
 * through the per-listener policy, set with libsigfwd.
 */
#include <seccomp.h>
#include "sigfwd_test.h"
#include "trap.h"

#define COOKIE 0x5ecc0de

static volatile int handled;

static void on_usr1(int sig)
{
	(void)sig;
	handled++;
}

/*
 * The test loads a libseccomp filter (NOTIFY on getppid(COOKIE)) and forks
 * the child that makes the call; the variant's policy is set on the
 * listener through libsigfwd.
 */
FIXTURE(libseccomp_supervisor) {
	struct seccomp_notif *req;
	struct seccomp_notif_resp *resp;
	struct trap_shared *sh;
	int fd, dev;
	pid_t pid;
};

FIXTURE_VARIANT(libseccomp_supervisor) {
	unsigned int policy;
	int landed;		/* the first respond lands */
	long ret;		/* what the child's call returns */
};

FIXTURE_VARIANT_ADD(libseccomp_supervisor, gets_killable_wait_via_listener_policy) {
	.policy = SECCOMP_SIGFWD_KILLABLE_AFTER_RECV, .landed = 1, .ret = 42,
};

FIXTURE_VARIANT_ADD(libseccomp_supervisor, without_policy_sees_stock_enoent) {
	.policy = 0, .landed = 0, .ret = 43,
};

FIXTURE_SETUP(libseccomp_supervisor)
{
	struct sigaction sa = { .sa_handler = on_usr1, .sa_flags = SA_RESTART };
	scmp_filter_ctx ctx;

	self->fd = self->dev = -1;
	ASSERT_EQ(0, module_load(NULL));
	ASSERT_EQ(0, seccomp_notify_alloc(&self->req, &self->resp));
	self->sh = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
			MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->sh);
	ctx = seccomp_init(SCMP_ACT_ALLOW);
	ASSERT_NE(NULL, ctx);
	ASSERT_EQ(0, seccomp_rule_add(ctx, SCMP_ACT_NOTIFY, SCMP_SYS(getppid), 1,
				      SCMP_A0(SCMP_CMP_EQ, COOKIE)));
	ASSERT_EQ(0, seccomp_load(ctx));
	self->fd = seccomp_notify_fd(ctx);
	ASSERT_GE(self->fd, 0);
	seccomp_release(ctx);
	self->pid = fork();
	ASSERT_GE(self->pid, 0);
	if (!self->pid) {
		close(self->fd);
		sigaction(SIGUSR1, &sa, NULL);
		while (!self->sh->go)
			usleep(1000);
		self->sh->ret = syscall(__NR_getppid, COOKIE);
		self->sh->err = errno;
		self->sh->handled = handled;
		self->sh->done = 1;
		_exit(0);
	}
	if (variant->policy) {
		self->dev = sigfwd_open_bound(self->fd, 0);
		ASSERT_GE(self->dev, 0) TH_LOG("bind: %s", strerror(-self->dev));
		ASSERT_EQ(0, sigfwd_set_policy(self->dev, variant->policy));
	}
}

FIXTURE_TEARDOWN(libseccomp_supervisor)
{
	if (self->pid > 0) {
		kill(self->pid, SIGKILL);
		waitpid(self->pid, NULL, 0);
	}
	if (self->dev >= 0)
		close(self->dev);
	if (self->fd >= 0)
		close(self->fd);
	seccomp_notify_free(self->req, self->resp);
}

/* RECV, SIGUSR1, reply 42: does libseccomp's respond still land? */
TEST_F(libseccomp_supervisor, signal_after_recv)
{
	struct seccomp_notif_resp *resp = self->resp;
	struct seccomp_notif *req = self->req;
	struct trap_shared *sh = self->sh;
	int r, landed, i;

	sh->go = 1;
	ASSERT_TRUE(poll_fd(self->fd, POLLIN, 5000) && !seccomp_notify_receive(self->fd, req))
		TH_LOG("no notification");
	wait_asleep(self->pid);
	sleep_ms(20);
	kill(self->pid, SIGUSR1);
	sleep_ms(150);
	resp->id = req->id;
	resp->val = 42;
	resp->error = 0;
	resp->flags = 0;
	r = seccomp_notify_respond(self->fd, resp);
	landed = r == 0;
	TH_LOG("first respond: %d (%s)", r, r ? strerror(-r) : "ok");
	if (!landed) {
		int p = poll_fd(self->fd, POLLIN, 5000), rr = 0;

		/* RECV wants a zeroed buffer; libseccomp 2.5 does not clear it. */
		memset(req, 0, sizeof(*req));
		if (p)
			rr = seccomp_notify_receive(self->fd, req);
		ASSERT_TRUE(p && !rr)
			TH_LOG("no restarted notification: poll %d receive %d; child done %d ret %ld err %d handled %d",
			       p, rr, sh->done, sh->ret, sh->err, sh->handled);
		resp->id = req->id;
		resp->val = 43;
		TH_LOG("second respond: %d", seccomp_notify_respond(self->fd, resp));
	}
	for (i = 0; i < 500 && waitpid(self->pid, NULL, WNOHANG) != self->pid; i++)
		sleep_ms(10);
	ASSERT_TRUE(sh->done || sh->ret != 0) TH_LOG("child did not finish");
	waitpid(self->pid, NULL, 0);
	self->pid = 0;
	ASSERT_EQ(1, sh->handled);
	ASSERT_EQ(variant->landed, landed);
	ASSERT_EQ(variant->ret, sh->ret);
}

TEST(libsigfwd_reports_version_and_policies)
{
	struct seccomp_sigfwd_version v;
	int dev;

	ASSERT_EQ(0, module_load(NULL));
	dev = sigfwd_open(0);
	ASSERT_GE(dev, 0) TH_LOG("open: %s", strerror(-dev));
	ASSERT_EQ(0, sigfwd_version(dev, &v));
	ASSERT_EQ(SECCOMP_SIGFWD_VERSION, v.version);
	ASSERT_EQ(SECCOMP_SIGFWD_POLICY_MASK, v.policies);
	ASSERT_EQ(-ENOTCONN, sigfwd_set_policy(dev, 1)) TH_LOG("unbound SET_POLICY");
	ASSERT_EQ(-EBADF, sigfwd_bind(dev, -1));
	close(dev);
}
