// SPDX-License-Identifier: GPL-2.0
/*
 * partial_writer: the supervised command of the reference supervisor test.
 * Writes 40 bytes to stdout (a regular file) in one write() while a thread
 * sends the main thread SIGUSR1 once the supervisor has received that write:
 * when the supervisor's first emulated byte shows in the file. A signal
 * before that would withdraw the queued call the stock way, and the write
 * would restart and complete whole. Reports on stderr what write() returned
 * and how often the handler ran.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static volatile int handled;
static pid_t main_tid;

static void on_usr1(int sig)
{
	(void)sig;
	handled++;
}

/* Stdout has grown, or 30 s went by (the test then fails on what it sees). */
static void wait_first_byte(void)
{
	struct timespec ts = { 0, 1000000L };
	struct stat st;
	int ms;

	for (ms = 0; ms < 30000; ms++) {
		if (fstat(1, &st) || !S_ISREG(st.st_mode) || st.st_size > 0)
			return;
		nanosleep(&ts, NULL);
	}
}

static void *poke(void *arg)
{
	(void)arg;
	wait_first_byte();
	syscall(SYS_tgkill, getpid(), main_tid, SIGUSR1);
	return NULL;
}

int main(void)
{
	static const char msg[] = "0123456789abcdefghijklmnopqrstuvwxyzABCD";
	struct sigaction sa = { .sa_handler = on_usr1, .sa_flags = SA_RESTART };
	pthread_t th;
	ssize_t n;

	sigaction(SIGUSR1, &sa, NULL);
	main_tid = syscall(SYS_gettid);
	pthread_create(&th, NULL, poke, NULL);
	n = write(1, msg, 40);
	fprintf(stderr, "wrote %zd handled %d errno %d\n", n, handled,
		n < 0 ? errno : 0);
	pthread_join(th, NULL);
	return 0;
}
