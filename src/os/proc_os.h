/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* What proc.c asks of the platform (proc_posix.c, proc_win.c). */
#ifndef KZT_PROC_OS_H
#define KZT_PROC_OS_H

#include <stddef.h>
#include <stdint.h>

/* This machine's name or ID, as bytes (at most cap); 0 when none is known. */
size_t kzt_proc_machine(char *buf, size_t cap);
/* This process's PID namespace, 0 where there is none to tell. */
uint64_t kzt_proc_namespace(void);
/* When process pid started, in the platform's units; 0 when unknown. */
uint64_t kzt_proc_start_time(uint32_t pid);
/* 0 when no process pid runs (proven), 1 when one does or it cannot be told. */
int kzt_proc_exists(uint32_t pid);

#endif
