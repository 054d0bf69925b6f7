/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* What every crypto backend shares, above each: the running hashes, SHA-1 / SHA-2
 * from the backend and Streebog (ours) beside them. */
#include <stdlib.h>

#include "backend.h"
#include "crypto.h"
#include "kzt_err.h"
#include "secmem.h"
#include "streebog.h"

struct kzt_hash_ctx {
	kzt_hash h;
	kzt_sha_ctx *sha;   /* the SHAs */
	kzt_streebog sb;    /* Streebog */
};

static int
is_streebog(kzt_hash h)
{
	return h == KZT_STREEBOG256 || h == KZT_STREEBOG512;
}

int
kzt_hash_new(kzt_hash h, kzt_hash_ctx **ctx)
{
	int r = KZT_OK;

	*ctx = NULL;
	if (kzt_hash_len(h) == 0)
		return KZT_ERR_ARGS;
	if ((*ctx = calloc(1, sizeof(**ctx))) == NULL)
		return KZT_ERR_NOMEM;
	(*ctx)->h = h;
	if (is_streebog(h))
		kzt_streebog_init(&(*ctx)->sb, h == KZT_STREEBOG256 ? 256 : 512);
	else
		r = kzt_backend_sha_new(h, &(*ctx)->sha);
	if (r != KZT_OK)
		kzt_hash_free(ctx);
	return r;
}

int
kzt_hash_update(kzt_hash_ctx *ctx, const uint8_t *p, size_t n)
{
	if (!is_streebog(ctx->h))
		return kzt_backend_sha_update(ctx->sha, p, n);
	kzt_streebog_update(&ctx->sb, p, n);
	return KZT_OK;
}

int
kzt_hash_final(kzt_hash_ctx **ctx, uint8_t *out)
{
	int r = KZT_OK;

	if (is_streebog((*ctx)->h))
		kzt_streebog_final(&(*ctx)->sb, out);
	else
		r = kzt_backend_sha_final(&(*ctx)->sha, out);
	kzt_hash_free(ctx);
	return r;
}

void
kzt_hash_free(kzt_hash_ctx **ctx)
{
	if (ctx == NULL || *ctx == NULL)
		return;
	kzt_backend_sha_free(&(*ctx)->sha);
	kzt_secure_zero(*ctx, sizeof(**ctx));
	free(*ctx);
	*ctx = NULL;
}
