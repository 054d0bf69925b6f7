/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* Which process this is, in a form another process can check later: so an object
 * one process leaves on a token (a session key) can be told from one whose owner
 * still runs. The encoding and the verdict are portable (proc.c); what only the
 * platform can tell is behind proc_os.h (proc_posix.c, proc_win.c). */
#ifndef KZT_PROC_H
#define KZT_PROC_H

#include <stdint.h>

/* machine (8 bytes, from its machine ID or host / computer name), PID namespace (8; 0 where
 * there is none to tell), process ID (4), the process's start time (8; 0 where the
 * platform cannot tell) */
#define KZT_PROCESS_ID_LEN 28

/* This process's identity. */
void kzt_process_identity(uint8_t id[KZT_PROCESS_ID_LEN]);
/* Is the process id names still running? 0 only when its end is proven: the same
 * machine and PID namespace, and no process with its ID, or one that started at
 * another time. 1 otherwise, whenever it cannot be told (another machine, which a
 * card reader shared over the network may serve; another container; a /proc that
 * hides other users' processes): what may belong to a running application is
 * never taken for a dead one's. */
int kzt_process_alive(const uint8_t id[KZT_PROCESS_ID_LEN]);
/* This process's ID: a forked child's differs from its parent's. */
uint32_t kzt_process_pid(void);
/* For a server (kaztoken-sim): call fn when the process is asked to stop (SIGTERM
 * or SIGINT, which then interrupt a wait; Ctrl-C or Ctrl-Break, or the console
 * closing, on Windows), and never die of a closed peer (SIGPIPE). fn must only set
 * a flag. */
void kzt_process_on_stop(void (*fn)(void));

#endif
