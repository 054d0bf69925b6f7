/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* What every crypto backend shares: digest lengths and the one-shot digest. */
#include "crypto.h"
#include "kzt_err.h"

size_t
kzt_hash_len(kzt_hash h)
{
	static const size_t len[] = {20, 28, 32, 48, 64};
	return (unsigned)h < 5 ? len[h] : 0;
}

int
kzt_hash_once(kzt_hash h, const uint8_t *p, size_t n, uint8_t *out)
{
	kzt_hash_ctx *ctx;
	int r;

	if ((r = kzt_hash_new(h, &ctx)) != KZT_OK)
		return r;
	if ((r = kzt_hash_update(ctx, p, n)) != KZT_OK) {
		kzt_hash_free(&ctx);
		return r;
	}
	return kzt_hash_final(&ctx, out);
}
