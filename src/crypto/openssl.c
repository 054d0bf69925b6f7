/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* The OpenSSL backend of crypto.h: hashes, random bytes, the RSA public operation. */
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <stdlib.h>

#include "backend.h"
#include "crypto.h"
#include "kzt_err.h"

struct kzt_sha_ctx {
	EVP_MD_CTX *md;
};

static const EVP_MD *
md_of(kzt_hash h)
{
	switch (h) {
	case KZT_SHA1: return EVP_sha1();
	case KZT_SHA224: return EVP_sha224();
	case KZT_SHA256: return EVP_sha256();
	case KZT_SHA384: return EVP_sha384();
	case KZT_SHA512: return EVP_sha512();
	case KZT_STREEBOG256: case KZT_STREEBOG512: break; /* (hash.c's own) */
	}
	return NULL;
}

int
kzt_backend_sha_new(kzt_hash h, kzt_sha_ctx **ctx)
{
	const EVP_MD *md = md_of(h);

	*ctx = NULL;
	if (md == NULL)
		return KZT_ERR_ARGS;
	if ((*ctx = calloc(1, sizeof(**ctx))) == NULL)
		return KZT_ERR_NOMEM;
	if (((*ctx)->md = EVP_MD_CTX_new()) == NULL || EVP_DigestInit_ex((*ctx)->md, md, NULL) != 1) {
		kzt_backend_sha_free(ctx);
		return KZT_ERR_NOMEM;
	}
	return KZT_OK;
}

int
kzt_backend_sha_update(kzt_sha_ctx *ctx, const uint8_t *p, size_t n)
{
	return n == 0 || EVP_DigestUpdate(ctx->md, p, n) == 1 ? KZT_OK : KZT_ERR_ARGS;
}

int
kzt_backend_sha_final(kzt_sha_ctx **ctx, uint8_t *out)
{
	int r = EVP_DigestFinal_ex((*ctx)->md, out, NULL) == 1 ? KZT_OK : KZT_ERR_ARGS;

	kzt_backend_sha_free(ctx);
	return r;
}

void
kzt_backend_sha_free(kzt_sha_ctx **ctx)
{
	if (ctx == NULL || *ctx == NULL)
		return;
	EVP_MD_CTX_free((*ctx)->md);
	free(*ctx);
	*ctx = NULL;
}

int
kzt_rsa_public(const uint8_t *n, size_t n_len, const uint8_t *e, size_t e_len, const uint8_t *in,
	       uint8_t *out)
{
	BIGNUM *bn = BN_bin2bn(n, (int)n_len, NULL), *be = BN_bin2bn(e, (int)e_len, NULL);
	BIGNUM *x = BN_bin2bn(in, (int)n_len, NULL), *r = BN_new();
	BN_CTX *ctx = BN_CTX_new();
	int rc = KZT_ERR_NOMEM;

	if (bn != NULL && be != NULL && x != NULL && r != NULL && ctx != NULL) {
		if (BN_cmp(x, bn) >= 0 || BN_is_zero(bn))
			rc = KZT_ERR_DATA;
		else if (BN_mod_exp(r, x, be, bn, ctx) == 1 && BN_bn2binpad(r, out, (int)n_len) == (int)n_len)
			rc = KZT_OK;
	}
	BN_free(bn);
	BN_free(be);
	BN_free(x);
	BN_free(r);
	BN_CTX_free(ctx);
	return rc;
}

int
kzt_random(uint8_t *out, size_t n)
{
	return n == 0 || RAND_bytes(out, (int)n) == 1 ? KZT_OK : KZT_ERR_IO;
}
