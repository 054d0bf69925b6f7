/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* Time on Windows (see clock.h). */
#include <windows.h>

#include "clock.h"

void
kzt_os_sleep_ms(unsigned ms)
{
	Sleep(ms);
}

uint64_t
kzt_os_now_ms(void)
{
	return (uint64_t)GetTickCount64();
}
