/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* Which process this is, in a form another process can check later: so an object
 * one process leaves on a token (a session key) can be told from one whose owner
 * still runs. One interface; the platform's file implements it (proc_posix.c). */
#ifndef KZT_PROC_H
#define KZT_PROC_H

#include <stdint.h>

/* machine (8 bytes, from its machine ID or host name), process ID (4), the
 * process's start time (8; 0 where the platform cannot tell) */
#define KZT_PROCESS_ID_LEN 20

/* This process's identity. */
void kzt_process_identity(uint8_t id[KZT_PROCESS_ID_LEN]);
/* Is the process id names running now: 1, or 0 when it ended, or ran on another
 * machine (then it cannot be using a token that is here). */
int kzt_process_alive(const uint8_t id[KZT_PROCESS_ID_LEN]);

#endif
