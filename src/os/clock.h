/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* Time: pausing a thread (clock_posix.c, clock_win.c). */
#ifndef KZT_OS_CLOCK_H
#define KZT_OS_CLOCK_H

/* Pause this thread for about ms milliseconds. */
void kzt_os_sleep_ms(unsigned ms);

#endif
