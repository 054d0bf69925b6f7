/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* What every crypto backend shares, below each: the digest lengths. */
#include "crypto.h"

size_t
kzt_hash_len(kzt_hash h)
{
	static const size_t len[] = {20, 28, 32, 48, 64};
	return (unsigned)h < 5 ? len[h] : 0;
}
