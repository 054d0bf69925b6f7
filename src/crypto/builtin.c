/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* The builtin backend of crypto.h, for a module with no OpenSSL at all: our own
 * SHA-1 / SHA-2 (sha.c), the kernel's random bytes, and src/bn's RSA. */
#include <stdlib.h>

#include "backend.h"
#include "crypto.h"
#include "kzt_err.h"
#include "rsa.h"
#include "random.h"
#include "secmem.h"
#include "sha.h"

struct kzt_sha_ctx {
	kzt_sha s;
};

int
kzt_backend_sha_new(kzt_hash h, kzt_sha_ctx **ctx)
{
	*ctx = NULL;
	if ((unsigned)h > KZT_SHA512)
		return KZT_ERR_ARGS;
	if ((*ctx = calloc(1, sizeof(**ctx))) == NULL)
		return KZT_ERR_NOMEM;
	kzt_sha_init(&(*ctx)->s, (int)h);
	return KZT_OK;
}

int
kzt_backend_sha_update(kzt_sha_ctx *ctx, const uint8_t *p, size_t n)
{
	kzt_sha_update(&ctx->s, p, n);
	return KZT_OK;
}

int
kzt_backend_sha_final(kzt_sha_ctx **ctx, uint8_t *out)
{
	kzt_sha_final(&(*ctx)->s, out);
	kzt_backend_sha_free(ctx);
	return KZT_OK;
}

void
kzt_backend_sha_free(kzt_sha_ctx **ctx)
{
	if (ctx == NULL || *ctx == NULL)
		return;
	kzt_secure_zero(*ctx, sizeof(**ctx));
	free(*ctx);
	*ctx = NULL;
}

int
kzt_rsa_public(const uint8_t *n, size_t n_len, const uint8_t *e, size_t e_len, const uint8_t *in,
	       uint8_t *out)
{
	return kzt_bn_rsa_public(n, n_len, e, e_len, in, out);
}

int
kzt_random(uint8_t *out, size_t n)
{
	return kzt_os_random(out, n);
}
