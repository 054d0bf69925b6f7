/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* Test helpers: a simulator process per test, a pcscd when none runs, and the
 * module by dlopen. */
#include <dlfcn.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "simctl.h"

static void
die(const char *what)
{
	fprintf(stderr, "simctl: %s\n", what);
	exit(2);
}

void
simctl_init(simctl *s)
{
	memset(s, 0, sizeof(*s));
	strcpy(s->dir, "/tmp/kzt-api-XXXXXX");
	if (mkdtemp(s->dir) == NULL)
		die("mkdtemp");
	snprintf(s->socket, sizeof(s->socket), "%s/sim.sock", s->dir);
	snprintf(s->store, sizeof(s->store), "%s/token.kzt", s->dir);
	setenv("KAZTOKEN_SIM_SOCKET", s->socket, 1);
	setenv("KAZTOKEN_CONF", "/dev/null", 1);
	setenv("KAZTOKEN_READERS", "none", 1); /* the virtual token's slot alone, whatever readers there are */
}

static int
socket_answers(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_STREAM, 0), ok;

	strcpy(sa.sun_path, path);
	ok = connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0;
	close(fd);
	return ok;
}

/* The simulators this process started and has not stopped: stopped at its exit
 * too, so that a program that gives up half-way (exit(1)) leaves none running. */
#define STARTED_MAX 8
static pid_t started[STARTED_MAX];
static pid_t started_by;

static void
stop_started(void)
{
	int i, status;

	if (getpid() != started_by)
		return; /* (a forked child's exit: the simulators are its parent's) */
	for (i = 0; i < STARTED_MAX; i++)
		if (started[i] > 0) {
			kill(started[i], SIGTERM);
			waitpid(started[i], &status, 0);
			started[i] = 0;
		}
}

static void
remember_started(pid_t pid, int add)
{
	int i;

	if (started_by == 0) {
		started_by = getpid();
		atexit(stop_started);
	}
	for (i = 0; i < STARTED_MAX; i++)
		if (add ? started[i] == 0 : started[i] == pid) {
			started[i] = add ? pid : 0;
			return;
		}
}

void
simctl_start(simctl *s)
{
	const char *sim = getenv("KZT_SIM"), *argv[11];
	struct timespec ts = {0, 10 * 1000 * 1000};
	int i, n = 0;

	if (sim == NULL)
		die("KZT_SIM is not set");
	argv[n++] = sim;
	argv[n++] = "--store";
	argv[n++] = s->store;
	argv[n++] = "--socket"; /* (with vpcd too: the STATS message comes this way) */
	argv[n++] = s->socket;
	if (s->vpcd[0] != '\0') {
		argv[n++] = "--vpcd";
		argv[n++] = s->vpcd;
	}
	if (s->capacity[0] != '\0') {
		argv[n++] = "--capacity";
		argv[n++] = s->capacity;
	}
	argv[n] = NULL;
	fflush(stdout); /* (nothing buffered is written twice) */
	if ((s->pid = fork()) < 0)
		die("fork");
	if (s->pid == 0) {
		execv(sim, (char *const *)argv);
		_exit(127);
	}
	remember_started(s->pid, 1);
	for (i = 0; i < 500 && !socket_answers(s->socket); i++)
		nanosleep(&ts, NULL);
	if (i == 500)
		die("kaztoken-sim did not come up");
}

int
simctl_stop(simctl *s)
{
	int status = 0;

	if (s->pid <= 0)
		return -1;
	kill(s->pid, SIGTERM);
	waitpid(s->pid, &status, 0);
	remember_started(s->pid, 0);
	s->pid = 0;
	return status;
}

void
simctl_cleanup(simctl *s)
{
	char path[192];

	simctl_stop(s);
	unlink(s->store);
	snprintf(path, sizeof(path), "%s.tmp", s->store);
	unlink(path);
	unlink(s->socket);
	rmdir(s->dir);
}

unsigned long
simctl_apdus(simctl *s)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	uint8_t msg[5] = {0x04, 0, 0, 0, 0}, reply[9];
	size_t got = 0;
	ssize_t r;
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	strcpy(sa.sun_path, s->socket);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
	    write(fd, msg, sizeof(msg)) != (ssize_t)sizeof(msg))
		die("cannot ask the simulator for its counters");
	while (got < sizeof(reply) && (r = read(fd, reply + got, sizeof(reply) - got)) > 0)
		got += (size_t)r;
	close(fd);
	if (got != sizeof(reply) || reply[0] != 0x04)
		die("malformed STATS reply");
	return (unsigned long)reply[5] << 24 | (unsigned long)reply[6] << 16 |
	       (unsigned long)reply[7] << 8 | reply[8];
}

CK_FUNCTION_LIST_3_0 *
module_load(void **handle)
{
	const char *path = getenv("KZT_MODULE");
	CK_C_GetInterface get;
	CK_INTERFACE *iface = NULL;

	if (path == NULL)
		die("KZT_MODULE is not set");
	if ((*handle = dlopen(path, RTLD_NOW | RTLD_LOCAL)) == NULL)
		die(dlerror());
	*(void **)&get = dlsym(*handle, "C_GetInterface");
	if (get == NULL || get(NULL, NULL, &iface, 0) != CKR_OK)
		die("C_GetInterface failed");
	return iface->pFunctionList;
}

/* ---- pcscd (see simctl.h) ---- */

pid_t
simctl_pcscd_start(void)
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
simctl_pcscd_stop(pid_t pid)
{
	if (pid > 0) {
		kill(pid, SIGTERM);
		waitpid(pid, NULL, 0);
	}
}

double
simctl_now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}
