/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* Process identity on POSIX systems (see proc.h). A process ID alone is reused;
 * with the process's start time (Linux: /proc/PID/stat, field 22) it names one
 * process for the life of the machine. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "proc.h"

/* FNV-1a, 64 bits: a machine's name folded into 8 bytes. */
static uint64_t
fold(const char *s, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ull;
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= (uint8_t)s[i];
		h *= 0x100000001b3ull;
	}
	return h;
}

static uint64_t
machine(void)
{
	char buf[256];
	size_t n = 0;
	FILE *f = fopen("/etc/machine-id", "r");

	if (f != NULL) {
		n = fread(buf, 1, sizeof(buf), f);
		fclose(f);
	}
	if (n == 0 && gethostname(buf, sizeof(buf) - 1) == 0) {
		buf[sizeof(buf) - 1] = '\0';
		n = strlen(buf);
	}
	return fold(buf, n);
}

/* This process's PID namespace (Linux: the inode of /proc/self/ns/pid), 0 elsewhere. */
static uint64_t
pid_namespace(void)
{
#if defined(__linux__)
	struct stat st;

	if (stat("/proc/self/ns/pid", &st) == 0)
		return (uint64_t)st.st_ino;
#endif
	return 0;
}

/* The start time of process pid (clock ticks since boot), 0 when unknown. */
static uint64_t
start_time(pid_t pid)
{
#if defined(__linux__)
	char path[64], buf[1024], *p;
	unsigned long long t = 0;
	size_t n;
	int field;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%ld/stat", (long)pid);
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

static void
put(uint8_t *p, uint64_t v, int n)
{
	while (n-- > 0) {
		p[n] = (uint8_t)v;
		v >>= 8;
	}
}

static uint64_t
get(const uint8_t *p, int n)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < n; i++)
		v = v << 8 | p[i];
	return v;
}

void
kzt_process_identity(uint8_t id[KZT_PROCESS_ID_LEN])
{
	pid_t pid = getpid();

	put(id, machine(), 8);
	put(id + 8, pid_namespace(), 8);
	put(id + 16, (uint64_t)pid, 4);
	put(id + 20, start_time(pid), 8);
}

int
kzt_process_alive(const uint8_t id[KZT_PROCESS_ID_LEN])
{
	pid_t pid = (pid_t)get(id + 16, 4);
	uint64_t started = get(id + 20, 8), now;

	if (get(id, 8) != machine() || get(id + 8, 8) != pid_namespace())
		return 1; /* its processes are not ours to see */
	if (pid <= 0)
		return 0;
	if (kill(pid, 0) != 0 && errno == ESRCH)
		return 0; /* no such process */
	/* the ID is taken: by another process only if it started at another time */
	now = start_time(pid);
	return started == 0 || now == 0 || now == started;
}
