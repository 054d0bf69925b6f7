/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* The step hook of kzt_os_file_replace (see file.h), one for every platform. */
#include <stddef.h>

#include "file.h"

static void (*on_step)(kzt_os_file_step step);

void
kzt_os_file_on_step(void (*fn)(kzt_os_file_step step))
{
	on_step = fn;
}

void
kzt_os_file_step_next(kzt_os_file_step step)
{
	if (on_step != NULL)
		on_step(step);
}
