/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* Random bytes from the operating system's generator. */
#include <errno.h>
#include <sys/random.h>

#include "kzt_err.h"
#include "secmem.h"

int
kzt_os_random(uint8_t *out, size_t n)
{
	ssize_t r;

	while (n > 0) {
		r = getrandom(out, n, 0);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return KZT_ERR_IO;
		}
		out += r;
		n -= (size_t)r;
	}
	return KZT_OK;
}
