/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* The digest lengths, which the hashes themselves need too (sha.c): below hash.c
 * and the backends, so that none of them depends on another in a circle. */
#include "crypto.h"

size_t
kzt_hash_len(kzt_hash h)
{
	static const size_t len[] = {20, 28, 32, 48, 64, 32, 64};
	return (unsigned)h < sizeof(len) / sizeof(len[0]) ? len[h] : 0;
}
