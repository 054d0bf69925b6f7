/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* What a crypto backend (openssl.c, builtin.c) gives hash.c: SHA-1 and SHA-2.
 * hash.c puts Streebog, which is ours whatever the backend, beside them behind
 * crypto.h's kzt_hash_*. Private to src/crypto. */
#ifndef KZT_CRYPTO_BACKEND_H
#define KZT_CRYPTO_BACKEND_H

#include "crypto.h"

typedef struct kzt_sha_ctx kzt_sha_ctx;
/* h is KZT_SHA1 .. KZT_SHA512: KZT_ERR_ARGS for any other. */
int kzt_backend_sha_new(kzt_hash h, kzt_sha_ctx **ctx);
int kzt_backend_sha_update(kzt_sha_ctx *ctx, const uint8_t *p, size_t n);
/* Write the digest and free the context. */
int kzt_backend_sha_final(kzt_sha_ctx **ctx, uint8_t *out);
void kzt_backend_sha_free(kzt_sha_ctx **ctx);

#endif
