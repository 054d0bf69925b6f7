/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* Time: pausing a thread, and a clock that only goes forward (clock_posix.c,
 * clock_win.c). */
#ifndef KZT_OS_CLOCK_H
#define KZT_OS_CLOCK_H

#include <stdint.h>

/* Pause this thread for about ms milliseconds. */
void kzt_os_sleep_ms(unsigned ms);
/* Milliseconds since some fixed moment, never going back (not the time of day). */
uint64_t kzt_os_now_ms(void);

#endif
