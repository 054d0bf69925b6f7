/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* Time on POSIX systems (see clock.h). */
#include <errno.h>
#include <time.h>

#include "clock.h"

void
kzt_os_sleep_ms(unsigned ms)
{
	struct timespec t = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};

	while (nanosleep(&t, &t) != 0 && errno == EINTR)
		;
}
