/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* Starting and stopping a kaztoken-sim from a C test, and loading the module. */
#ifndef KZT_TEST_SIMCTL_H
#define KZT_TEST_SIMCTL_H

#include <sys/types.h>

#include "kaztoken/pkcs11.h"

typedef struct simctl {
	char dir[64];     /* scratch directory holding the store and the socket */
	char socket[128];
	char store[128];
	pid_t pid;        /* 0 when not running */
	char capacity[16]; /* --capacity for the next start ("" for the default) */
	char vpcd[32];     /* --vpcd [HOST:]PORT besides the socket ("" for none) */
} simctl;

/* Make a scratch directory and point KAZTOKEN_SIM_SOCKET (and an empty
 * KAZTOKEN_CONF) at it. */
void simctl_init(simctl *s);
/* Start kaztoken-sim ($KZT_SIM) and wait until its socket answers (with vpcd set,
 * it also connects to vpcd, to show up as a card in pcscd's reader). */
void simctl_start(simctl *s);
/* SIGTERM and reap; returns the exit status. */
int simctl_stop(simctl *s);
/* Stop if running and remove the scratch directory. */
void simctl_cleanup(simctl *s);

/* vpcd's first reader: where a simulator started with vpcd = VPCD_PORT shows up. */
#define VPCD_PORT "35963"
#define VPCD_READER "Virtual PCD 00 00"
/* pcscd -f when none runs (one pcscd a machine): its pid, 0 when one ran already,
 * -1 when it could not be started (no pcscd, or no vpcd driver for it). Stop stops
 * only one this started. */
pid_t simctl_pcscd_start(void);
void simctl_pcscd_stop(pid_t pid);

/* Seconds on a clock that only goes forward, for timing a run. */
double simctl_now(void);

/* APDUs the simulator's card has processed so far (its STATS message). */
unsigned long simctl_apdus(simctl *s);

/* dlopen $KZT_MODULE and return its 3.0 function list (C_GetInterface). */
CK_FUNCTION_LIST_3_0 *module_load(void **handle);

#endif
