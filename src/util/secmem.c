/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* Secret wiping and constant-time comparison (see secmem.h). */
#include <string.h>

#include "secmem.h"

/* A volatile function pointer: the compiler cannot prove the call is memset, so
 * it cannot drop the store as dead. */
static void *(*const volatile memset_v)(void *, int, size_t) = memset;

void
kzt_secure_zero(void *p, size_t n)
{
	if (p != NULL && n > 0)
		memset_v(p, 0, n);
}

int
kzt_ct_memcmp(const void *a, const void *b, size_t n)
{
	const volatile unsigned char *x = a, *y = b;
	unsigned char d = 0;
	size_t i;

	for (i = 0; i < n; i++)
		d |= x[i] ^ y[i];
	return d != 0;
}
