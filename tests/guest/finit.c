// SPDX-License-Identifier: GPL-2.0
/*
 * finit MODULE [PARAMS]: load a module with exactly one finit_module() call
 * (busybox insmod retries with init_module, which doubles every log line).
 * Prints the errno name on failure and exits 1.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	int fd;

	if (argc < 2) {
		fprintf(stderr, "usage: finit MODULE [PARAMS]\n");
		return 2;
	}
	fd = open(argv[1], O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		perror(argv[1]);
		return 2;
	}
	if (syscall(SYS_finit_module, fd, argc > 2 ? argv[2] : "", 0)) {
		printf("finit_module: %s (errno %d)\n", strerror(errno), errno);
		return 1;
	}
	return 0;
}
