/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* Random bytes on Windows (see random.h): the system-preferred generator. */
#include <windows.h>
#include <bcrypt.h>

#include "kzt_err.h"
#include "random.h"

int
kzt_os_random(uint8_t *out, size_t n)
{
	ULONG k;

	for (; n > 0; out += k, n -= k) {
		k = n > 0x10000000u ? 0x10000000u : (ULONG)n;
		if (!BCRYPT_SUCCESS(BCryptGenRandom(NULL, out, k, BCRYPT_USE_SYSTEM_PREFERRED_RNG)))
			return KZT_ERR_IO;
	}
	return KZT_OK;
}
