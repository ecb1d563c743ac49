// SPDX-License-Identifier: GPL-2.0
/*
 * Bad input to /dev/seccomp-sigfwd: every malformed or ill-timed request gets
 * a clear errno, never an oops, a leaked binding or a lost reply.
 */
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/utsname.h>
#include "sigfwd_test.h"
#include "trap.h"

#define KERNEL_ADDR	((void *)0xffffffff81000000UL)
#define NONCANON_ADDR	((void *)0x8000000000000000UL)
#define REFCNT		"/sys/module/seccomp_sigfwd/refcnt"

static int dev_open(void)
{
	return open(SECCOMP_SIGFWD_DEVICE, O_RDWR | O_CLOEXEC);
}

static int bind_fd(int dev, int listener, unsigned int flags)
{
	struct seccomp_sigfwd_bind b = { .listener_fd = listener, .flags = flags };

	return ioctl(dev, SECCOMP_SIGFWD_IOC_BIND, &b);
}

static int set_policy(int dev, unsigned int policy, unsigned int flags)
{
	struct seccomp_sigfwd_policy p = { .policy = policy, .flags = flags };

	return ioctl(dev, SECCOMP_SIGFWD_IOC_SET_POLICY, &p);
}

/* The listener's policy, or -1 (errno). */
static long get_policy(int dev)
{
	struct seccomp_sigfwd_policy p = { .policy = ~0U, .flags = ~0U };

	if (ioctl(dev, SECCOMP_SIGFWD_IOC_GET_POLICY, &p))
		return -1;
	if (p.flags) {
		printf("GET_POLICY returned flags %#x\n", p.flags);
		errno = EPROTO;
		return -1;
	}
	return p.policy;
}

/* The policy bits the module implements (VERSION), or 0. */
static unsigned int module_policies(void)
{
	struct seccomp_sigfwd_version v = { 0 };
	int dev = dev_open();

	if (dev < 0 || ioctl(dev, SECCOMP_SIGFWD_IOC_VERSION, &v))
		v.policies = 0;
	if (dev >= 0)
		close(dev);
	return v.policies;
}

/* What SET_POLICY must answer for @policy (flags 0): 0 or an errno. */
static int policy_errno(unsigned int policy)
{
	return policy & ~SECCOMP_SIGFWD_POLICY_MASK ? EINVAL : 0;
}

/* The module's reference count, or -1. */
static int module_refcnt(void)
{
	return read_int_file(REFCNT);
}

/* Start a trap child and wait until it is trapped (so it closed its copy). */
static int trap_trapped(struct trap *t, unsigned int data)
{
	struct trap_opts o = { .data = data, .own_filter = 1 };

	if (trap_start(t, &o))
		return -1;
	if (!poll_fd(t->listener, POLLIN, 5000)) {
		printf("trap child never trapped\n");
		return -1;
	}
	return 0;
}

/* RECV the child's notification, reply val and check the child got it. */
static int reply_and_check(struct trap *t, long val)
{
	struct seccomp_notif n;
	int st;

	if (trap_recv(t, &n, 5000)) {
		printf("RECV: %s\n", strerror(errno));
		return -1;
	}
	if (n.pid != (__u32)t->pid || n.data.nr != __NR_getppid) {
		printf("RECV: pid %u nr %d, expected %d %d\n", n.pid, n.data.nr,
		       t->pid, __NR_getppid);
		return -1;
	}
	if (trap_send(t, n.id, val, 0)) {
		printf("SEND: %s\n", strerror(errno));
		return -1;
	}
	st = trap_wait(t, 5000);
	t->pid = 0;
	if (st) {
		printf("trap child: status %d\n", st);
		return -1;
	}
	if (t->sh->ret != val) {
		printf("reply lost: child got %ld (%s), expected %ld\n",
		       t->sh->ret, strerror(t->sh->err), val);
		return -1;
	}
	return 0;
}

TEST(bind_rejects_bad_fds_with_ebadf)
{
	int bad[] = { -1, -2, INT_MIN, 1000000, INT_MAX, 0 /* closed */,
		      0 /* O_PATH */ };
	int dev, i, refcnt;

	ASSERT_TRUE(module_load(NULL) == 0)
		TH_LOG("module_load: %s", strerror(errno));
	refcnt = module_refcnt();
	bad[5] = open("/dev/null", O_RDONLY);
	ASSERT_TRUE(bad[5] >= 0 && !close(bad[5])) TH_LOG("closed fd");
	bad[6] = open("/dev/null", O_PATH | O_CLOEXEC);
	ASSERT_TRUE(bad[6] >= 0) TH_LOG("O_PATH open: %s", strerror(errno));
	dev = dev_open();
	ASSERT_TRUE(dev >= 0)
		TH_LOG("open %s: %s", SECCOMP_SIGFWD_DEVICE, strerror(errno));
	for (i = 0; i < (int)ARRAY_SIZE(bad); i++) {
		errno = 0;
		ASSERT_TRUE(bind_fd(dev, bad[i], 0) == -1 && errno == EBADF)
			TH_LOG("BIND fd %d (index %d): expected EBADF, got %s",
			       bad[i], i, strerror(errno));
	}
	/* Nothing got bound. */
	ASSERT_ERRNO(ENOTCONN, get_policy(dev));
	close(dev);
	close(bad[6]);
	ASSERT_TRUE(module_refcnt() == refcnt)
		TH_LOG("module refcnt %d, was %d", module_refcnt(), refcnt);
}

TEST(bind_rejects_non_listener_fds_with_einval)
{
	static const char * const what[] = {
		"pipe read end", "pipe write end", "/dev/null", "regular file",
		"eventfd", "epoll fd", "unix socket", "other device fd",
		"device fd itself",
	};
	char path[] = "/tmp/sigfwd-bad-input-XXXXXX";
	int p[2], fds[9], dev, dev2, i, n = 0, sv[2];

	ASSERT_TRUE(module_load(NULL) == 0)
		TH_LOG("module_load: %s", strerror(errno));
	ASSERT_TRUE(!pipe(p)) TH_LOG("pipe: %s", strerror(errno));
	ASSERT_TRUE(!socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
		TH_LOG("socketpair");
	fds[n++] = p[0];
	fds[n++] = p[1];
	fds[n++] = open("/dev/null", O_RDWR);
	fds[n++] = mkstemp(path);
	fds[n++] = eventfd(0, 0);
	fds[n++] = epoll_create1(0);
	fds[n++] = sv[0];
	dev2 = dev_open();
	fds[n++] = dev2;
	dev = dev_open();
	ASSERT_TRUE(dev >= 0)
		TH_LOG("open %s: %s", SECCOMP_SIGFWD_DEVICE, strerror(errno));
	fds[n++] = dev;
	for (i = 0; i < n; i++) {
		ASSERT_TRUE(fds[i] >= 0) TH_LOG("could not create %s", what[i]);
		errno = 0;
		ASSERT_TRUE(bind_fd(dev, fds[i], 0) == -1 && errno == EINVAL)
			TH_LOG("BIND %s: expected EINVAL, got %s", what[i],
			       strerror(errno));
	}
	/* The failures left no binding: the device is still unbound. */
	ASSERT_ERRNO(ENOTCONN, get_policy(dev));
	ASSERT_ERRNO(ENOTCONN, get_policy(dev2));
	unlink(path);
	for (i = 0; i < n; i++)
		close(fds[i]);
	close(sv[1]);
}

TEST(bind_rejects_listener_of_exited_filter_with_esrch)
{
	struct trap t;
	int dev;

	ASSERT_TRUE(module_load(NULL) == 0)
		TH_LOG("module_load: %s", strerror(errno));

	/* Killed while trapped, and reaped. */
	ASSERT_TRUE(!trap_trapped(&t, 0)) TH_LOG("trap");
	kill(t.pid, SIGKILL);
	ASSERT_TRUE(waitpid(t.pid, NULL, 0) == t.pid) TH_LOG("waitpid");
	t.pid = 0;
	dev = dev_open();
	ASSERT_TRUE(dev >= 0)
		TH_LOG("open %s: %s", SECCOMP_SIGFWD_DEVICE, strerror(errno));
	errno = 0;
	ASSERT_TRUE(bind_fd(dev, t.listener, 0) == -1 && errno == ESRCH)
		TH_LOG("BIND listener of a killed child: expected ESRCH, got %s",
		       strerror(errno));
	ASSERT_ERRNO(ENOTCONN, get_policy(dev));
	close(dev);
	trap_end(&t);

	/* Replied, exited normally, reaped. */
	ASSERT_TRUE(!trap_trapped(&t, 0)) TH_LOG("trap");
	ASSERT_TRUE(!reply_and_check(&t, 7)) TH_LOG("reply");
	ASSERT_EQ(-ESRCH, sigfwd_open_bound(t.listener, 0));
	trap_end(&t);
}

TEST(bind_twice_gets_ebusy)
{
	struct trap t1, t2;
	int dev, dev2, dup1;

	ASSERT_TRUE(module_load(NULL) == 0)
		TH_LOG("module_load: %s", strerror(errno));
	ASSERT_TRUE(!trap_trapped(&t1, 0)) TH_LOG("trap 1");
	ASSERT_TRUE(!trap_trapped(&t2, 0)) TH_LOG("trap 2");
	dev = sigfwd_open_bound(t1.listener, 0);
	ASSERT_TRUE(dev >= 0) TH_LOG("BIND: %s", strerror(errno));

	/* The same device fd again, to the same or another listener. */
	ASSERT_ERRNO(EBUSY, bind_fd(dev, t1.listener, 0));
	ASSERT_ERRNO(EBUSY, bind_fd(dev, t2.listener, 0));

	/* A second device fd to the bound listener, also through a dup. */
	dev2 = dev_open();
	ASSERT_TRUE(dev2 >= 0) TH_LOG("open: %s", strerror(errno));
	dup1 = dup(t1.listener);
	ASSERT_TRUE(dup1 >= 0) TH_LOG("dup");
	ASSERT_ERRNO(EBUSY, bind_fd(dev2, t1.listener, 0));
	ASSERT_ERRNO(EBUSY, bind_fd(dev2, dup1, 0));
	close(dup1);

	/* The failed attempts did not bind dev2; it can take t2. */
	ASSERT_ERRNO(ENOTCONN, get_policy(dev2));
	ASSERT_TRUE(!bind_fd(dev2, t2.listener, 0))
		TH_LOG("BIND dev2 to t2: %s", strerror(errno));
	ASSERT_TRUE(!set_policy(dev, SECCOMP_SIGFWD_KILLABLE_AFTER_RECV, 0))
		TH_LOG("SET 1");
	ASSERT_TRUE(!set_policy(dev2, SECCOMP_SIGFWD_KILLABLE_BEFORE_RECV, 0))
		TH_LOG("SET 2");
	ASSERT_TRUE(get_policy(dev) == SECCOMP_SIGFWD_KILLABLE_AFTER_RECV)
		TH_LOG("GET 1");
	ASSERT_TRUE(get_policy(dev2) == SECCOMP_SIGFWD_KILLABLE_BEFORE_RECV)
		TH_LOG("GET 2");

	ASSERT_TRUE(!reply_and_check(&t1, 11)) TH_LOG("reply 1");
	ASSERT_TRUE(!reply_and_check(&t2, 12)) TH_LOG("reply 2");
	close(dev);
	close(dev2);
	trap_end(&t1);
	trap_end(&t2);
}

TEST(bind_again_after_device_close)
{
	struct trap t;
	int dev, i;

	ASSERT_TRUE(module_load(NULL) == 0)
		TH_LOG("module_load: %s", strerror(errno));
	ASSERT_TRUE(!trap_trapped(&t, 0)) TH_LOG("trap");
	for (i = 0; i < 20; i++) {
		dev = sigfwd_open_bound(t.listener, 0);
		ASSERT_TRUE(dev >= 0)
			TH_LOG("BIND round %d: %s", i, strerror(errno));
		/* A new binding starts from policy 0, not the last one set. */
		ASSERT_TRUE(get_policy(dev) == 0)
			TH_LOG("GET round %d: %ld", i, get_policy(dev));
		ASSERT_TRUE(!set_policy(dev, SECCOMP_SIGFWD_KILLABLE, 0))
			TH_LOG("SET");
		close(dev);
	}
	ASSERT_TRUE(!reply_and_check(&t, 99)) TH_LOG("reply");
	trap_end(&t);
}

TEST(bind_keeps_recv_and_send_working)
{
	static const int policies[] = { -1, 0, SECCOMP_SIGFWD_KILLABLE_AFTER_RECV,
					SECCOMP_SIGFWD_KILLABLE_BEFORE_RECV,
					SECCOMP_SIGFWD_KILLABLE };
	struct seccomp_notif n;
	struct trap t;
	unsigned int i;
	int dev, st;

	ASSERT_TRUE(module_load(NULL) == 0)
		TH_LOG("module_load: %s", strerror(errno));
	for (i = 0; i < ARRAY_SIZE(policies); i++) {
		ASSERT_TRUE(!trap_trapped(&t, 0)) TH_LOG("trap");
		dev = sigfwd_open_bound(t.listener, 0);
		ASSERT_TRUE(dev >= 0) TH_LOG("BIND: %s", strerror(errno));
		if (policies[i] >= 0) {
			ASSERT_TRUE(!set_policy(dev, policies[i], 0))
				TH_LOG("SET %d: %s", policies[i],
				       strerror(errno));
		}
		ASSERT_TRUE(!reply_and_check(&t, 1000 + i))
			TH_LOG("policy %d", policies[i]);
		close(dev);
		trap_end(&t);
	}

	/* An error reply, with the device closed between RECV and SEND. */
	ASSERT_TRUE(!trap_trapped(&t, 0)) TH_LOG("trap");
	dev = sigfwd_open_bound(t.listener, 0);
	ASSERT_TRUE(dev >= 0) TH_LOG("BIND: %s", strerror(errno));
	ASSERT_TRUE(!set_policy(dev, SECCOMP_SIGFWD_KILLABLE, 0)) TH_LOG("SET");
	ASSERT_TRUE(!trap_recv(&t, &n, 5000))
		TH_LOG("RECV: %s", strerror(errno));
	close(dev);
	ASSERT_TRUE(!trap_send(&t, n.id, 0, -EPERM))
		TH_LOG("SEND: %s", strerror(errno));
	st = trap_wait(&t, 5000);
	t.pid = 0;
	ASSERT_TRUE(!st) TH_LOG("trap child status %d", st);
	ASSERT_TRUE(t.sh->ret == -1 && t.sh->err == EPERM)
		TH_LOG("child got %ld (%s), expected -1 EPERM", t.sh->ret,
		       strerror(t.sh->err));
	trap_end(&t);
}

TEST(ioctls_reject_unknown_flags_and_bits)
{
	unsigned int bit, sup, fwd = SECCOMP_SIGFWD_FORWARD;
	struct trap t;
	int dev;

	ASSERT_TRUE(module_load(NULL) == 0)
		TH_LOG("module_load: %s", strerror(errno));
	sup = module_policies();
	ASSERT_TRUE(sup == SECCOMP_SIGFWD_POLICY_MASK)
		TH_LOG("VERSION policies %#x", sup);
	ASSERT_TRUE(!trap_trapped(&t, 0)) TH_LOG("trap");
	dev = dev_open();
	ASSERT_TRUE(dev >= 0) TH_LOG("open: %s", strerror(errno));

	/* BIND with flags: refused, and nothing bound. */
	ASSERT_ERRNO(EINVAL, bind_fd(dev, t.listener, 1));
	ASSERT_ERRNO(EINVAL, bind_fd(dev, t.listener, 0x80000000U));
	ASSERT_ERRNO(ENOTCONN, get_policy(dev));
	ASSERT_TRUE(!bind_fd(dev, t.listener, 0))
		TH_LOG("BIND: %s", strerror(errno));
	ASSERT_TRUE(!set_policy(dev, SECCOMP_SIGFWD_KILLABLE_AFTER_RECV, 0))
		TH_LOG("SET");

	/* SET_POLICY with flags or unknown bits: refused, unchanged. */
	ASSERT_ERRNO(EINVAL, set_policy(dev, 0, 1));
	ASSERT_ERRNO(EINVAL, set_policy(dev, SECCOMP_SIGFWD_KILLABLE, 0x100));
	ASSERT_ERRNO(EINVAL, set_policy(dev, SECCOMP_SIGFWD_KILLABLE, 0x80000000U));
	for (bit = 0; bit < 32; bit++) {
		if ((1U << bit) & SECCOMP_SIGFWD_POLICY_MASK)
			continue;
		ASSERT_ERRNO(EINVAL, set_policy(dev, 1U << bit, 0));
	}
	ASSERT_ERRNO(EINVAL, set_policy(dev, SECCOMP_SIGFWD_KILLABLE | (1U << 8), 0));
	ASSERT_ERRNO(EINVAL, set_policy(dev, fwd, 1));
	ASSERT_ERRNO(EINVAL, set_policy(dev, fwd | (1U << 8), 0));
	ASSERT_TRUE(get_policy(dev) == SECCOMP_SIGFWD_KILLABLE_AFTER_RECV)
		TH_LOG("policy changed by a refused SET_POLICY: %ld",
		       get_policy(dev));

	/* Unbound devices check the arguments first, too. */
	close(dev);
	dev = dev_open();
	ASSERT_TRUE(dev >= 0) TH_LOG("open: %s", strerror(errno));
	ASSERT_ERRNO(EINVAL, set_policy(dev, 0, 1));
	ASSERT_ERRNO(EINVAL, set_policy(dev, 1U << 8, 0));
	close(dev);

	ASSERT_TRUE(!reply_and_check(&t, 5)) TH_LOG("reply");
	trap_end(&t);
}

TEST(policy_ioctls_need_a_bound_listener)
{
	int dev;

	ASSERT_TRUE(module_load(NULL) == 0)
		TH_LOG("module_load: %s", strerror(errno));
	dev = dev_open();
	ASSERT_TRUE(dev >= 0) TH_LOG("open: %s", strerror(errno));
	ASSERT_ERRNO(ENOTCONN, set_policy(dev, 0, 0));
	ASSERT_ERRNO(ENOTCONN, set_policy(dev, SECCOMP_SIGFWD_KILLABLE, 0));
	ASSERT_ERRNO(ENOTCONN, get_policy(dev));
	/* Still unbound after failed binds. */
	ASSERT_ERRNO(EBADF, bind_fd(dev, -1, 0));
	ASSERT_ERRNO(EINVAL, bind_fd(dev, dev, 0));
	ASSERT_ERRNO(ENOTCONN, set_policy(dev, SECCOMP_SIGFWD_KILLABLE, 0));
	ASSERT_ERRNO(ENOTCONN, get_policy(dev));
	close(dev);
}

TEST(policy_ioctls_after_listener_close_get_esrch)
{
	struct trap t;
	int dev, st;

	ASSERT_TRUE(module_load(NULL) == 0)
		TH_LOG("module_load: %s", strerror(errno));
	/* Trapped: the child has closed its copy of the listener. */
	ASSERT_TRUE(!trap_trapped(&t, 0)) TH_LOG("trap");
	dev = sigfwd_open_bound(t.listener, 0);
	ASSERT_TRUE(dev >= 0) TH_LOG("BIND: %s", strerror(errno));
	ASSERT_TRUE(!set_policy(dev, SECCOMP_SIGFWD_KILLABLE, 0)) TH_LOG("SET");
	close(t.listener);
	t.listener = -1;
	ASSERT_ERRNO(ESRCH, set_policy(dev, SECCOMP_SIGFWD_KILLABLE_AFTER_RECV, 0));
	ASSERT_ERRNO(ESRCH, set_policy(dev, 0, 0));
	ASSERT_ERRNO(ESRCH, get_policy(dev));
	/* Bad arguments are still reported as such. */
	ASSERT_ERRNO(EINVAL, set_policy(dev, 0, 1));
	ASSERT_ERRNO(EINVAL, set_policy(dev, 1U << 8, 0));

	/* The stock kernel answers the orphaned notification with ENOSYS. */
	st = trap_wait(&t, 5000);
	t.pid = 0;
	ASSERT_TRUE(!st) TH_LOG("trap child status %d", st);
	ASSERT_TRUE(t.sh->ret == -1 && t.sh->err == ENOSYS)
		TH_LOG("child got %ld (%s), expected ENOSYS", t.sh->ret,
		       strerror(t.sh->err));
	ASSERT_ERRNO(ESRCH, get_policy(dev));
	close(dev);
	trap_end(&t);
}

TEST(policy_ioctls_work_after_trapped_child_exits)
{
	struct trap t;
	int dev;

	ASSERT_TRUE(module_load(NULL) == 0)
		TH_LOG("module_load: %s", strerror(errno));
	ASSERT_TRUE(!trap_trapped(&t, 0)) TH_LOG("trap");
	dev = sigfwd_open_bound(t.listener, 0);
	ASSERT_TRUE(dev >= 0) TH_LOG("BIND: %s", strerror(errno));
	kill(t.pid, SIGKILL);
	ASSERT_TRUE(waitpid(t.pid, NULL, 0) == t.pid) TH_LOG("waitpid");
	t.pid = 0;
	/* The listener is still open: the binding is alive. */
	ASSERT_TRUE(!set_policy(dev, SECCOMP_SIGFWD_KILLABLE_BEFORE_RECV, 0))
		TH_LOG("SET: %s", strerror(errno));
	ASSERT_TRUE(get_policy(dev) == SECCOMP_SIGFWD_KILLABLE_BEFORE_RECV)
		TH_LOG("GET");
	close(dev);
	trap_end(&t);
}

TEST(unknown_ioctl_gets_enotty)
{
	static const unsigned long cmds[] = {
		0, 1, 0xdeadbeef, 0xffffffff, 0x5401 /* TCGETS */,
		_IO(SECCOMP_SIGFWD_IOC_MAGIC, 0x7f),
		_IOWR(SECCOMP_SIGFWD_IOC_MAGIC, 0x7f, __u64),
		_IO(SECCOMP_SIGFWD_IOC_MAGIC, 4),
		_IOWR(SECCOMP_SIGFWD_IOC_MAGIC, 4, struct seccomp_sigfwd_policy),
		/* Known numbers with the wrong direction or size. */
		_IO(SECCOMP_SIGFWD_IOC_MAGIC, 0),
		_IOR(SECCOMP_SIGFWD_IOC_MAGIC, 0, __u64),
		_IOW(SECCOMP_SIGFWD_IOC_MAGIC, 1, __u32),
		_IOW(SECCOMP_SIGFWD_IOC_MAGIC, 2, __u32),
		_IOR(SECCOMP_SIGFWD_IOC_MAGIC, 3, __u64[2]),
		_IOR(SECCOMP_SIGFWD_IOC_MAGIC, 1, struct seccomp_sigfwd_bind),
		_IOR(SECCOMP_SIGFWD_IOC_MAGIC, 2, struct seccomp_sigfwd_policy),
		_IOW(SECCOMP_SIGFWD_IOC_MAGIC, 3, struct seccomp_sigfwd_policy),
		/* A listener's ioctls. */
		SECCOMP_IOCTL_NOTIF_RECV, SECCOMP_IOCTL_NOTIF_SEND,
		SECCOMP_IOCTL_NOTIF_ID_VALID,
	};
	char buf[64] = "";
	struct trap t;
	unsigned int i;
	int dev;

	ASSERT_TRUE(module_load(NULL) == 0)
		TH_LOG("module_load: %s", strerror(errno));
	ASSERT_TRUE(!trap_trapped(&t, 0)) TH_LOG("trap");
	dev = dev_open();
	ASSERT_TRUE(dev >= 0) TH_LOG("open: %s", strerror(errno));
	for (i = 0; i < ARRAY_SIZE(cmds); i++) {
		errno = 0;
		ASSERT_TRUE(ioctl(dev, cmds[i], buf) == -1 && errno == ENOTTY)
			TH_LOG("unbound, cmd %#lx: expected ENOTTY, got %s",
			       cmds[i], strerror(errno));
	}
	ASSERT_TRUE(!bind_fd(dev, t.listener, 0))
		TH_LOG("BIND: %s", strerror(errno));
	for (i = 0; i < ARRAY_SIZE(cmds); i++) {
		errno = 0;
		ASSERT_TRUE(ioctl(dev, cmds[i], buf) == -1 && errno == ENOTTY)
			TH_LOG("bound, cmd %#lx: expected ENOTTY, got %s",
			       cmds[i], strerror(errno));
	}
	ASSERT_TRUE(get_policy(dev) == 0) TH_LOG("GET");
	ASSERT_TRUE(!reply_and_check(&t, 3)) TH_LOG("reply");
	close(dev);
	trap_end(&t);
}

TEST(bad_pointers_get_efault)
{
	static const unsigned long cmds[] = {
		SECCOMP_SIGFWD_IOC_VERSION, SECCOMP_SIGFWD_IOC_BIND,
		SECCOMP_SIGFWD_IOC_SET_POLICY, SECCOMP_SIGFWD_IOC_GET_POLICY,
	};
	static const char * const names[] = {
		"VERSION", "BIND", "SET_POLICY", "GET_POLICY",
	};
	void *bad[7];
	char *none, *two, *ro;
	struct trap t;
	unsigned int i, j;
	int dev;

	ASSERT_TRUE(module_load(NULL) == 0)
		TH_LOG("module_load: %s", strerror(errno));
	none = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	two = mmap(NULL, 8192, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ro = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_TRUE(none != MAP_FAILED && two != MAP_FAILED && ro != MAP_FAILED &&
	            !mprotect(two + 4096, 4096, PROT_NONE))
		TH_LOG("mmap");
	bad[0] = NULL;
	bad[1] = (void *)1;
	bad[2] = none;
	bad[3] = KERNEL_ADDR;
	bad[4] = NONCANON_ADDR;
	bad[5] = (void *)-1L;
	bad[6] = two + 4096 - 4;	/* straddles into PROT_NONE */

	ASSERT_TRUE(!trap_trapped(&t, 0)) TH_LOG("trap");
	dev = sigfwd_open_bound(t.listener, 0);
	ASSERT_TRUE(dev >= 0) TH_LOG("BIND: %s", strerror(errno));
	ASSERT_TRUE(!set_policy(dev, SECCOMP_SIGFWD_KILLABLE_AFTER_RECV, 0))
		TH_LOG("SET");

	/* Bound, so that GET_POLICY reaches its copy_to_user. */
	for (i = 0; i < ARRAY_SIZE(cmds); i++) {
		for (j = 0; j < ARRAY_SIZE(bad); j++) {
			errno = 0;
			ASSERT_TRUE(ioctl(dev, cmds[i], bad[j]) == -1 && errno == EFAULT)
				TH_LOG("%s with pointer %p: expected EFAULT, got %s",
				       names[i], bad[j], strerror(errno));
		}
	}
	/* Results go nowhere read-only. */
	ASSERT_ERRNO(EFAULT, ioctl(dev, SECCOMP_SIGFWD_IOC_VERSION, ro));
	ASSERT_ERRNO(EFAULT, ioctl(dev, SECCOMP_SIGFWD_IOC_GET_POLICY, ro));
	ASSERT_TRUE(get_policy(dev) == SECCOMP_SIGFWD_KILLABLE_AFTER_RECV)
		TH_LOG("policy changed by a faulting SET_POLICY: %ld",
		       get_policy(dev));
	/* Arguments may come from read-only memory (zeroes: policy 0). */
	ASSERT_TRUE(!ioctl(dev, SECCOMP_SIGFWD_IOC_SET_POLICY, ro))
		TH_LOG("SET_POLICY from read-only memory: %s", strerror(errno));
	ASSERT_TRUE(get_policy(dev) == 0) TH_LOG("GET after SET 0");

	/* Unbound: BIND and SET_POLICY read their argument first. */
	close(dev);
	dev = dev_open();
	ASSERT_TRUE(dev >= 0) TH_LOG("open: %s", strerror(errno));
	for (j = 0; j < ARRAY_SIZE(bad); j++) {
		ASSERT_ERRNO(EFAULT, ioctl(dev, SECCOMP_SIGFWD_IOC_VERSION, bad[j]));
		ASSERT_ERRNO(EFAULT, ioctl(dev, SECCOMP_SIGFWD_IOC_BIND, bad[j]));
		ASSERT_ERRNO(EFAULT, ioctl(dev, SECCOMP_SIGFWD_IOC_SET_POLICY, bad[j]));
	}
	ASSERT_ERRNO(ENOTCONN, get_policy(dev));
	close(dev);
	ASSERT_TRUE(!reply_and_check(&t, 77)) TH_LOG("reply");
	trap_end(&t);
	munmap(none, 4096);
	munmap(two, 8192);
	munmap(ro, 4096);
}

TEST(get_policy_returns_what_was_set)
{
	unsigned int p, sup, last = 0;
	struct trap t1, t2;
	int dev1, dev2;

	ASSERT_TRUE(module_load(NULL) == 0)
		TH_LOG("module_load: %s", strerror(errno));
	sup = module_policies();
	ASSERT_TRUE(sup) TH_LOG("VERSION: %s", strerror(errno));
	ASSERT_TRUE(!trap_trapped(&t1, 0)) TH_LOG("trap 1");
	ASSERT_TRUE(!trap_trapped(&t2, 0)) TH_LOG("trap 2");
	dev1 = sigfwd_open_bound(t1.listener, 0);
	dev2 = sigfwd_open_bound(t2.listener, 0);
	ASSERT_TRUE(dev1 >= 0 && dev2 >= 0) TH_LOG("BIND: %s", strerror(errno));
	ASSERT_TRUE(get_policy(dev1) == 0)
		TH_LOG("initial policy %ld", get_policy(dev1));
	for (p = 0; p <= SECCOMP_SIGFWD_POLICY_MASK; p++) {
		int r = set_policy(dev1, p, 0), e = policy_errno(p);

		if (e) {
			ASSERT_TRUE(r == -1 && errno == e)
				TH_LOG("SET %u: expected %s, got %s", p,
				       strerror(e),
				       r ? strerror(errno) : "success");
			ASSERT_TRUE(get_policy(dev1) == last)
				TH_LOG("refused SET %u changed it", p);
			continue;
		}
		ASSERT_TRUE(!r) TH_LOG("SET %u: %s", p, strerror(errno));
		last = p;
		ASSERT_TRUE(get_policy(dev1) == p)
			TH_LOG("GET after SET %u: %ld", p, get_policy(dev1));
		/* Set twice, read twice: no drift. */
		ASSERT_TRUE(!set_policy(dev1, p, 0)) TH_LOG("SET %u again", p);
		ASSERT_TRUE(get_policy(dev1) == p && get_policy(dev1) == p)
			TH_LOG("GET");
		/* Each listener has its own. */
		ASSERT_TRUE(!set_policy(dev2, SECCOMP_SIGFWD_KILLABLE & ~p, 0))
			TH_LOG("SET 2");
		ASSERT_TRUE(get_policy(dev2) == (SECCOMP_SIGFWD_KILLABLE & ~p))
			TH_LOG("GET 2");
		ASSERT_TRUE(get_policy(dev1) == p)
			TH_LOG("dev1 changed by dev2");
	}
	ASSERT_TRUE(!reply_and_check(&t1, 21)) TH_LOG("reply 1");
	ASSERT_TRUE(!reply_and_check(&t2, 22)) TH_LOG("reply 2");
	close(dev1);
	close(dev2);
	trap_end(&t1);
	trap_end(&t2);
}

TEST(version_reports_module_and_kernel)
{
	struct seccomp_sigfwd_version v;
	unsigned int major, minor, i;
	struct utsname u;
	struct trap t;
	int dev, native;

	ASSERT_TRUE(module_load(NULL) == 0)
		TH_LOG("module_load: %s", strerror(errno));
	ASSERT_TRUE(!uname(&u)) TH_LOG("uname");
	ASSERT_TRUE(sscanf(u.release, "%u.%u", &major, &minor) == 2)
		TH_LOG("release %s", u.release);
	native = major > 5 || (major == 5 && minor >= 19);
	dev = dev_open();
	ASSERT_TRUE(dev >= 0) TH_LOG("open: %s", strerror(errno));
	memset(&v, 0xff, sizeof(v));
	ASSERT_TRUE(!ioctl(dev, SECCOMP_SIGFWD_IOC_VERSION, &v))
		TH_LOG("VERSION: %s", strerror(errno));
	ASSERT_TRUE(v.version == SECCOMP_SIGFWD_VERSION)
		TH_LOG("version %#x, expected %#x", v.version,
		       SECCOMP_SIGFWD_VERSION);
	ASSERT_EQ(SECCOMP_SIGFWD_POLICY_MASK, v.policies);
	for (i = 0; i < 4; i++) {
		ASSERT_TRUE(!v.reserved[i])
			TH_LOG("reserved[%u] = %#x", i, v.reserved[i]);
	}
	ASSERT_TRUE(v.kernel_version >> 16 == major &&
	            ((v.kernel_version >> 8) & 0xff) == minor)
		TH_LOG("kernel_version %#x, uname %s", v.kernel_version,
		       u.release);
	ASSERT_TRUE(!!(v.features & SECCOMP_SIGFWD_FEAT_NATIVE_KILLABLE_RECV) == native)
		TH_LOG("features %#x on %s", v.features, u.release);
	ASSERT_TRUE(v.features & SECCOMP_SIGFWD_FEAT_FILTER_DATA)
		TH_LOG("features %#x", v.features);
	ASSERT_TRUE(!(v.features & ~(SECCOMP_SIGFWD_FEAT_NATIVE_KILLABLE_RECV |
			             SECCOMP_SIGFWD_FEAT_FILTER_DATA)))
		TH_LOG("unknown features %#x", v.features);

	/* Same answer once bound. */
	ASSERT_TRUE(!trap_trapped(&t, 0)) TH_LOG("trap");
	ASSERT_TRUE(!bind_fd(dev, t.listener, 0))
		TH_LOG("BIND: %s", strerror(errno));
	{
		struct seccomp_sigfwd_version w;

		memset(&w, 0xff, sizeof(w));
		ASSERT_TRUE(!ioctl(dev, SECCOMP_SIGFWD_IOC_VERSION, &w))
			TH_LOG("VERSION");
		ASSERT_TRUE(!memcmp(&v, &w, sizeof(v)))
			TH_LOG("VERSION changed when bound");
	}
	ASSERT_TRUE(!reply_and_check(&t, 1)) TH_LOG("reply");
	close(dev);
	trap_end(&t);
}

/* Write @val to the default_policy parameter: 0 or an errno. */
static int write_default_policy(const char *val)
{
	int fd = open(DEFAULT_POLICY, O_WRONLY | O_CLOEXEC), e;
	ssize_t r;

	if (fd < 0)
		return errno;
	errno = 0;
	r = write(fd, val, strlen(val));
	e = r == (ssize_t)strlen(val) ? 0 : errno ? errno : EIO;
	close(fd);
	return e;
}

static int read_default_policy(char *buf, size_t size)
{
	int fd = open(DEFAULT_POLICY, O_RDONLY | O_CLOEXEC);
	ssize_t r;

	if (fd < 0)
		return -1;
	r = read(fd, buf, size - 1);
	close(fd);
	if (r <= 0)
		return -1;
	buf[r] = 0;
	return 0;
}

TEST(default_policy_param_rejects_bad_values)
{
	static const char * const bad[] = {
		"8", "16", "256", "0x100", "0x80000000", "-1", "abc",
		"1 2", "0x", "99999999999",
	};
	char old[32] = "", now[32] = "";
	unsigned int i, sup;
	int e, fails = 0;

	ASSERT_TRUE(module_load(NULL) == 0)
		TH_LOG("module_load: %s", strerror(errno));
	sup = module_policies();
	ASSERT_TRUE(sup) TH_LOG("VERSION: %s", strerror(errno));
	ASSERT_TRUE(!read_default_policy(old, sizeof(old)))
		TH_LOG("read %s", DEFAULT_POLICY);
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		e = write_default_policy(bad[i]);
		if (e != EINVAL && e != ERANGE) {
			printf("default_policy=\"%s\": got %s, expected EINVAL or ERANGE\n",
			       bad[i], e ? strerror(e) : "success");
			fails++;
		}
	}
	ASSERT_TRUE(!read_default_policy(now, sizeof(now)))
		TH_LOG("read %s", DEFAULT_POLICY);
	/* Put the old value back whatever happened. */
	e = write_default_policy(old);
	ASSERT_TRUE(!fails) TH_LOG("%d bad values accepted", fails);
	ASSERT_TRUE(!strcmp(old, now))
		TH_LOG("default_policy changed from %s to %s", old, now);
	ASSERT_TRUE(!e) TH_LOG("restoring default_policy: %s", strerror(e));
}

/*
 * Binding races with the listener's release: binder threads bind fresh
 * device fds to whatever RACE_FD is while the churner replaces the listener
 * behind it, closing it before or after its trapped child dies.
 */
#define RACE_FD		500
#define RACE_MS		2000
#define RACE_TRAPS	300

static atomic_int race_stop, race_bad, race_bad_errno, race_bad_op;
static atomic_int race_ok, race_binds;

static void *race_binder(void *arg)
{
	unsigned int policy = (unsigned int)(long)arg;

	while (!atomic_load(&race_stop)) {
		int dev = open(SECCOMP_SIGFWD_DEVICE, O_RDWR | O_CLOEXEC), e;
		long r;

		if (dev < 0) {
			atomic_store(&race_bad_errno, errno);
			atomic_store(&race_bad_op, 1);
			atomic_fetch_add(&race_bad, 1);
			break;
		}
		atomic_fetch_add(&race_binds, 1);
		errno = 0;
		if (!bind_fd(dev, RACE_FD, 0)) {
			atomic_fetch_add(&race_ok, 1);
			if (set_policy(dev, policy, 0) && errno != ESRCH) {
				e = errno;
				atomic_store(&race_bad_errno, e);
				atomic_store(&race_bad_op, 2);
				atomic_fetch_add(&race_bad, 1);
			}
			r = get_policy(dev);
			if (r < 0 && errno != ESRCH) {
				atomic_store(&race_bad_errno, errno);
				atomic_store(&race_bad_op, 3);
				atomic_fetch_add(&race_bad, 1);
			}
		} else {
			e = errno;
			if (e != EBADF && e != EINVAL && e != ESRCH && e != EBUSY) {
				atomic_store(&race_bad_errno, e);
				atomic_store(&race_bad_op, 4);
				atomic_fetch_add(&race_bad, 1);
			}
		}
		close(dev);
	}
	return NULL;
}

TEST(bind_racing_listener_close_is_safe)
{
	struct trap_opts o = { .own_filter = 1 };
	pthread_t th[2];
	struct trap t;
	long end;
	int i, n, refcnt, st, lost = 0, replied = 0;

	ASSERT_TRUE(module_load(NULL) == 0)
		TH_LOG("module_load: %s", strerror(errno));
	refcnt = module_refcnt();
	ASSERT_TRUE(fcntl(RACE_FD, F_GETFD) == -1 && errno == EBADF)
		TH_LOG("fd %d in use", RACE_FD);
	for (i = 0; i < 2; i++) {
		ASSERT_TRUE(!pthread_create(&th[i], NULL, race_binder,
				            (void *)(long)(i + 1)))
			TH_LOG("pthread_create");
	}
	end = now_ms() + slow_ms(RACE_MS);
	for (n = 0; n < RACE_TRAPS && now_ms() < end; n++) {
		if (trap_start(&t, &o))
			break;
		if (t.listener != RACE_FD) {
			if (dup2(t.listener, RACE_FD) != RACE_FD)
				break;
			close(t.listener);
			t.listener = RACE_FD;
		}
		switch (n % 3) {
		case 0:	/* close the listener under a live child */
			if (n % 2)
				poll_fd(RACE_FD, POLLIN, 100);
			close(RACE_FD);
			t.listener = -1;
			kill(t.pid, SIGKILL);
			waitpid(t.pid, NULL, 0);
			break;
		case 1:	/* child gone first: ESRCH window, then close */
			if (n % 2)
				poll_fd(RACE_FD, POLLIN, 100);
			kill(t.pid, SIGKILL);
			waitpid(t.pid, NULL, 0);
			sleep_ms(n % 4);
			close(RACE_FD);
			t.listener = -1;
			break;
		default: /* a normal reply, which must arrive */
			if (reply_and_check(&t, 500 + n))
				lost++;
			else
				replied++;
			close(RACE_FD);
			t.listener = -1;
			break;
		}
		t.pid = 0;
		trap_end(&t);
	}
	atomic_store(&race_stop, 1);
	for (i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	/* Every trap child was reaped. */
	while ((st = waitpid(-1, NULL, WNOHANG)) > 0)
		printf("unreaped child %d\n", st);
	ASSERT_TRUE(st == -1 && errno == ECHILD) TH_LOG("children left behind");
	ASSERT_TRUE(n > 10) TH_LOG("only %d listeners churned", n);
	ASSERT_TRUE(!atomic_load(&race_bad))
		TH_LOG("%d unexpected results, last op %d errno %s",
		       atomic_load(&race_bad), atomic_load(&race_bad_op),
		       strerror(atomic_load(&race_bad_errno)));
	ASSERT_TRUE(!lost)
		TH_LOG("%d of %d replies lost", lost, lost + replied);
	ASSERT_TRUE(atomic_load(&race_ok) > 0)
		TH_LOG("no bind succeeded in %d attempts",
		       atomic_load(&race_binds));
	ASSERT_TRUE(module_refcnt() == refcnt)
		TH_LOG("module refcnt %d, was %d", module_refcnt(), refcnt);

	/* The module still works. */
	ASSERT_TRUE(!trap_trapped(&t, 0)) TH_LOG("trap");
	i = sigfwd_open_bound(t.listener, 0);
	ASSERT_TRUE(i >= 0) TH_LOG("BIND after the race: %s", strerror(errno));
	ASSERT_TRUE(!set_policy(i, SECCOMP_SIGFWD_KILLABLE, 0)) TH_LOG("SET");
	ASSERT_TRUE(!reply_and_check(&t, 4321)) TH_LOG("reply after the race");
	close(i);
	trap_end(&t);
}
