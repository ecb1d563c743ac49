// SPDX-License-Identifier: GPL-2.0
/*
 * sigfwd-status: what the seccomp_sigfwd module is doing on this machine.
 * Module loaded and its version (/sys/module/seccomp_sigfwd), the interface
 * version, policies and features (the device's VERSION ioctl), the default
 * policy, and (as root) the objects it holds and the open device fds.
 *
 *   sigfwd-status
 *
 * Exit status 0 when the module is loaded and the device answers, 1 if not.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "sigfwd.h"

#define SYSMOD "/sys/module/seccomp_sigfwd"

/* First line of a sysfs file, or NULL. */
static char *read_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	char *r;

	if (!f)
		return NULL;
	r = fgets(buf, (int)len, f);
	fclose(f);
	if (r)
		buf[strcspn(buf, "\n")] = '\0';
	return r;
}

static void print_policy(unsigned int p)
{
	printf("%#x", p);
	if (!p)
		printf(" (none: stock kernel behaviour)");
	if (p & SECCOMP_SIGFWD_KILLABLE_AFTER_RECV)
		printf(" KILLABLE_AFTER_RECV");
	if (p & SECCOMP_SIGFWD_KILLABLE_BEFORE_RECV)
		printf(" KILLABLE_BEFORE_RECV");
	if (p & SECCOMP_SIGFWD_FORWARD)
		printf(" FORWARD");
	printf("\n");
}

/* Open device fds over all processes (root: others' fds are not ours to see). */
static int count_device_fds(int *procs)
{
	DIR *proc = opendir("/proc");
	struct dirent *p;
	int fds = 0;

	*procs = 0;
	if (!proc)
		return -1;
	while ((p = readdir(proc))) {
		char dir[64], link[96], target[PATH_MAX];
		struct dirent *f;
		DIR *fdd;
		int mine = 0;

		if (p->d_name[0] < '1' || p->d_name[0] > '9')
			continue;
		snprintf(dir, sizeof(dir), "/proc/%d/fd", atoi(p->d_name));
		fdd = opendir(dir);
		if (!fdd)
			continue;
		while ((f = readdir(fdd))) {
			ssize_t n;

			if (f->d_name[0] == '.')
				continue;
			snprintf(link, sizeof(link), "%s/%d", dir, atoi(f->d_name));
			n = readlink(link, target, sizeof(target) - 1);
			if (n < 0)
				continue;
			target[n] = '\0';
			if (!strcmp(target, SECCOMP_SIGFWD_DEVICE))
				mine++;
		}
		closedir(fdd);
		fds += mine;
		*procs += mine > 0;
	}
	closedir(proc);
	return fds;
}

int main(int argc, char **argv)
{
	struct seccomp_sigfwd_version v;
	char buf[256];
	int dev, ret, fds, procs;

	(void)argv;
	if (argc > 1) {
		fprintf(stderr, "usage: sigfwd-status\n");
		return 2;
	}
	if (!read_line(SYSMOD "/version", buf, sizeof(buf))) {
		printf("module:          not loaded (modprobe seccomp_sigfwd)\n");
		return 1;
	}
	printf("module:          loaded, version %s\n", buf);
	if (read_line(SYSMOD "/parameters/default_policy", buf, sizeof(buf))) {
		printf("default policy:  ");
		print_policy((unsigned int)strtoul(buf, NULL, 0));
	}
	dev = sigfwd_open(0);
	if (dev < 0) {
		printf("device:          %s: %s\n", SECCOMP_SIGFWD_DEVICE, strerror(-dev));
		return 1;
	}
	ret = sigfwd_version(dev, &v);
	close(dev);
	if (ret < 0) {
		printf("device:          VERSION ioctl: %s\n", strerror(-ret));
		return 1;
	}
	printf("interface:       %u.%u\n", v.version >> 16, v.version & 0xffff);
	printf("policies:        ");
	print_policy(v.policies);
	printf("features:        %#x%s%s\n", v.features,
	       v.features & SECCOMP_SIGFWD_FEAT_NATIVE_KILLABLE_RECV ?
	       " NATIVE_KILLABLE_RECV" : "",
	       v.features & SECCOMP_SIGFWD_FEAT_FILTER_DATA ? " FILTER_DATA" : "");
	printf("kernel:          %u.%u.%u\n", v.kernel_version >> 16,
	       (v.kernel_version >> 8) & 0xff, v.kernel_version & 0xff);
	if (read_line(SYSMOD "/parameters/live_objects", buf, sizeof(buf)))
		printf("live objects:    %s (device fds, bindings, records)\n", buf);
	else
		printf("live objects:    (root only)\n");
	fds = count_device_fds(&procs);
	if (fds >= 0)
		printf("device fds open: %d in %d process%s%s\n", fds, procs,
		       procs == 1 ? "" : "es",
		       geteuid() ? " (yours only: run as root for all)" : "");
	return 0;
}
