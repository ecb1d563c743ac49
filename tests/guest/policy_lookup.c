// SPDX-License-Identifier: GPL-2.0
/*
 * The policy a wait gets comes from the filter that notified, whatever the
 * module caches or skips to find it faster (issue 14): each new program
 * gets its own answer, one program's different tagged returns each apply
 * to their own syscall, and an explicit "no policy" tag overrides the
 * default. (A chain has one live listener at most: seccomp refuses a second
 * with EBUSY, so the module finds the notifying filter without a lock.)
 *
 * Each scenario traps one syscall, RECVs it, sends the task a handled
 * SIGUSR1 (SA_RESTART) and replies: a KILLABLE wait holds the signal and the
 * reply lands; without a policy the stock wait is interrupted, the reply
 * gets ENOENT and the call comes back as a new notification.
 */
#include "harness.h"
#include "trap.h"

#define KILLABLE SECCOMP_SIGFWD_RET_DATA(SECCOMP_SIGFWD_KILLABLE)
#define NO_POLICY SECCOMP_SIGFWD_RET_DATA(0)

/* One listener filter: trap @nr with USER_NOTIF|@data, and @nr2 with @data2. */
static int listener_filter(int nr, unsigned int data, int nr2, unsigned int data2)
{
	struct sock_filter insns[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, nr, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF | data),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, nr2, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF | data2),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { .len = 6, .filter = insns };

	return syscall(__NR_seccomp, SECCOMP_SET_MODE_FILTER,
		       SECCOMP_FILTER_FLAG_NEW_LISTENER, &prog);
}

struct filt {
	int nr, nr2;
	unsigned int data, data2;
};

static void on_sig(int sig)
{
	(void)sig;
}

/*
 * A child under @f[0..n-1] (installed in that order) calls @call once; its
 * notification arrives on listener @which. 1 when the wait held the signal,
 * 0 when the stock wait was interrupted, -1 on error. @expect_held only sets
 * how long to give the signal: an interrupted call comes back as a new
 * notification, a held one never does, so waiting long for that is only
 * worth it when it is expected.
 */
static int held(const struct filt *f, int n, int which, int call, int expect_held)
{
	struct sigaction sa = { .sa_handler = on_sig, .sa_flags = SA_RESTART };
	struct seccomp_notif_resp resp;
	struct seccomp_notif nt, nt2;
	int sv[2], l[2] = { -1, -1 }, i, ret = -1, status;
	pid_t pid;
	char go;

	if (module_load(NULL) || socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
		return -1;
	pid = fork();
	if (!pid) {
		sigaction(SIGUSR1, &sa, NULL);
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
			_exit(3);
		for (i = 0; i < n; i++) {
			int fd = listener_filter(f[i].nr, f[i].data, f[i].nr2, f[i].data2);

			if (fd < 0 || send_fd(sv[1], fd))
				_exit(3);
			close(fd);
		}
		if (read(sv[1], &go, 1) != 1)
			_exit(3);
		_exit(syscall(call) == 42 || errno == 0 ? 0 : 4);
	}
	close(sv[1]);
	sv[1] = -1;
	for (i = 0; i < n; i++)
		l[i] = recv_fd(sv[0]);
	if (l[n - 1] < 0 || write(sv[0], "g", 1) != 1)
		goto out;
	if (!poll_fd(l[which], POLLIN, slow_ms(5000))) {
		printf("no notification\n");
		goto out;
	}
	memset(&nt, 0, sizeof(nt));
	if (ioctl(l[which], SECCOMP_IOCTL_NOTIF_RECV, &nt) || wait_asleep(pid))
		goto out;
	kill(pid, SIGUSR1);
	poll_fd(l[which], POLLIN, slow_ms(expect_held ? 300 : 5000));
	memset(&resp, 0, sizeof(resp));
	resp.id = nt.id;
	resp.val = 42;
	if (!ioctl(l[which], SECCOMP_IOCTL_NOTIF_SEND, &resp)) {
		ret = 1;
	} else if (errno == ENOENT) {
		/* Interrupted: serve the restarted call. */
		memset(&nt2, 0, sizeof(nt2));
		if (!poll_fd(l[which], POLLIN, slow_ms(5000)) ||
		    ioctl(l[which], SECCOMP_IOCTL_NOTIF_RECV, &nt2))
			goto out;
		resp.id = nt2.id;
		if (ioctl(l[which], SECCOMP_IOCTL_NOTIF_SEND, &resp))
			goto out;
		ret = 0;
	}
out:
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	for (i = 0; i < n; i++)
		if (l[i] >= 0)
			close(l[i]);
	close(sv[0]);
	return ret;
}

/*
 * New programs one after the other, tagged KILLABLE or not: each gets its
 * own answer (the module caches one per program until it is destroyed).
 */
CASE(each_new_program_gets_its_own_policy)
{
	int i, h;

	for (i = 0; i < 12; i++) {
		struct filt f = { __NR_getppid, __NR_gettid, i & 1 ? KILLABLE : 0, 0 };

		h = held(&f, 1, 0, __NR_getppid, i & 1);
		printf("program %d (%s): %s\n", i, i & 1 ? "KILLABLE" : "untagged",
		       h < 0 ? "error" : h ? "held" : "interrupted");
		CHECK(h == (i & 1), "program %d got the wrong policy", i);
	}
	return 0;
}

/* One program, two tagged returns: each syscall gets its own. */
CASE(one_program_each_tagged_return_its_own_policy)
{
	struct filt f = { __NR_getppid, __NR_gettid, KILLABLE, NO_POLICY };

	CHECK(held(&f, 1, 0, __NR_getppid, 1) == 1, "getppid (KILLABLE) not held");
	CHECK(held(&f, 1, 0, __NR_gettid, 0) == 0, "gettid (no policy) held");
	return 0;
}

/* A "no policy" tag wins over default_policy, the program's only return. */
CASE(no_policy_tag_overrides_default)
{
	struct filt f = { __NR_getppid, __NR_gettid, NO_POLICY, NO_POLICY };
	struct filt u = { __NR_getppid, __NR_gettid, 0, 0 };
	char v[16];
	int h, hu;

	if (module_load(NULL))
		FAIL("module not loaded");
	snprintf(v, sizeof(v), "%u", SECCOMP_SIGFWD_KILLABLE);
	CHECK(!write_file(DEFAULT_POLICY, v), "cannot set default_policy");
	h = held(&f, 1, 0, __NR_getppid, 0);
	hu = held(&u, 1, 0, __NR_getppid, 1);
	write_file(DEFAULT_POLICY, "0");
	CHECK(h == 0, "tagged 'no policy' wait held (%d)", h);
	CHECK(hu == 1, "untagged wait did not get default_policy (%d)", hu);
	return 0;
}
