/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* Random bytes on POSIX systems (see random.h). */
#include <errno.h>
#if defined(__linux__)
#include <sys/random.h>
#else
#include <unistd.h> /* getentropy: macOS, the BSDs */
#endif

#include "kzt_err.h"
#include "random.h"

int
kzt_os_random(uint8_t *out, size_t n)
{
#if defined(__linux__)
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
#else
	size_t k;

	for (; n > 0; out += k, n -= k) {
		k = n < 256 ? n : 256; /* getentropy's most per call */
		if (getentropy(out, k) != 0)
			return KZT_ERR_IO;
	}
#endif
	return KZT_OK;
}
