/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* Process identity on POSIX systems (see proc_os.h). The start time comes from
 * Linux's /proc/PID/stat (field 22); elsewhere it is unknown. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "proc.h"
#include "proc_os.h"

size_t
kzt_proc_machine(char *buf, size_t cap)
{
	size_t n = 0;
	FILE *f = fopen("/etc/machine-id", "r");

	if (f != NULL) {
		n = fread(buf, 1, cap, f);
		fclose(f);
	}
	if (n == 0 && gethostname(buf, cap - 1) == 0) {
		buf[cap - 1] = '\0';
		n = strlen(buf);
	}
	return n;
}

/* Linux: the inode of /proc/self/ns/pid */
uint64_t
kzt_proc_namespace(void)
{
#if defined(__linux__)
	struct stat st;

	if (stat("/proc/self/ns/pid", &st) == 0)
		return (uint64_t)st.st_ino;
#endif
	return 0;
}

/* clock ticks since boot */
uint64_t
kzt_proc_start_time(uint32_t pid)
{
#if defined(__linux__)
	char path[64], buf[1024], *p;
	unsigned long long t = 0;
	size_t n;
	int field;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%lu/stat", (unsigned long)pid);
	if ((f = fopen(path, "r")) == NULL)
		return 0;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	/* the command name (field 2) may hold spaces and parentheses: count from the
	 * last ')' on, where field 3 begins */
	if ((p = strrchr(buf, ')')) == NULL)
		return 0;
	for (field = 2; field < 22 && p != NULL; field++)
		p = strchr(p + 1, ' ');
	if (p == NULL || sscanf(p + 1, "%llu", &t) != 1)
		return 0;
	return t;
#else
	(void)pid;
	return 0;
#endif
}

int
kzt_proc_exists(uint32_t pid)
{
	if (pid > (uint32_t)0x7fffffff)
		return 0;
	return !(kill((pid_t)pid, 0) != 0 && errno == ESRCH);
}

static void (*stop_fn)(void);

static void
on_signal(int sig)
{
	(void)sig;
	stop_fn();
}

void
kzt_process_on_stop(void (*fn)(void))
{
	struct sigaction sa;

	stop_fn = fn;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal; /* (no SA_RESTART: a wait returns, interrupted) */
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

uint32_t
kzt_process_pid(void)
{
	return (uint32_t)getpid();
}
