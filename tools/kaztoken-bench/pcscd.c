/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* A pcscd for the benchmarks that go through PC/SC: one only when none runs (one
 * pcscd a machine), stopped by its pid (see bench.h). */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"

pid_t
kzt_bench_pcscd_start(void)
{
	struct timespec ts = {0, 50 * 1000 * 1000};
	pid_t pid;
	int i;

	if (system("pgrep -x pcscd >/dev/null") == 0)
		return 0;
	if (access("/etc/reader.conf.d/vpcd", F_OK) != 0)
		return -1; /* no vpcd driver for it to load */
	fflush(stdout);
	if ((pid = fork()) < 0)
		return -1;
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);

		dup2(null, 1);
		dup2(null, 2);
		execlp("pcscd", "pcscd", "-f", (char *)NULL);
		_exit(127);
	}
	for (i = 0; i < 100 && access("/run/pcscd/pcscd.comm", F_OK) != 0; i++)
		nanosleep(&ts, NULL);
	return pid;
}

void
kzt_bench_pcscd_stop(pid_t pid)
{
	if (pid > 0) {
		kill(pid, SIGTERM);
		waitpid(pid, NULL, 0);
	}
}
