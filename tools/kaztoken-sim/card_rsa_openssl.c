/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* The card's RSA engine on OpenSSL 3 (see card_rsa.h). */
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/params.h>
#include <openssl/rsa.h>
#include <string.h>

#include "card_rsa.h"
#include "kzt_err.h"
#include "secmem.h"

/* Export one BIGNUM parameter of pkey into (buf, cap). */
static int
get_param(const EVP_PKEY *pkey, const char *name, uint8_t *buf, size_t cap, size_t *len)
{
	BIGNUM *bn = NULL;
	int n, r = KZT_ERR_CARD;

	if (EVP_PKEY_get_bn_param(pkey, name, &bn) != 1)
		return KZT_ERR_CARD;
	n = BN_num_bytes(bn);
	if (n > 0 && (size_t)n <= cap && BN_bn2bin(bn, buf) == n) {
		*len = (size_t)n;
		r = KZT_OK;
	}
	BN_clear_free(bn);
	return r;
}

int
kzt_card_rsa_generate(unsigned bits, const uint8_t *e, size_t e_len, kzt_rsa_key *key)
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
	EVP_PKEY *pkey = NULL;
	BIGNUM *bne = BN_bin2bn(e, (int)e_len, NULL);
	int r = KZT_ERR_CARD;

	memset(key, 0, sizeof(*key));
	if (ctx == NULL || bne == NULL || EVP_PKEY_keygen_init(ctx) != 1 ||
	    EVP_PKEY_CTX_set_rsa_keygen_bits(ctx, (int)bits) != 1 ||
	    EVP_PKEY_CTX_set1_rsa_keygen_pubexp(ctx, bne) != 1 || EVP_PKEY_keygen(ctx, &pkey) != 1)
		goto out;
	if (get_param(pkey, OSSL_PKEY_PARAM_RSA_N, key->n, sizeof(key->n), &key->n_len) ||
	    get_param(pkey, OSSL_PKEY_PARAM_RSA_E, key->e, sizeof(key->e), &key->e_len) ||
	    get_param(pkey, OSSL_PKEY_PARAM_RSA_D, key->d, sizeof(key->d), &key->d_len) ||
	    get_param(pkey, OSSL_PKEY_PARAM_RSA_FACTOR1, key->p, sizeof(key->p), &key->p_len) ||
	    get_param(pkey, OSSL_PKEY_PARAM_RSA_FACTOR2, key->q, sizeof(key->q), &key->q_len) ||
	    get_param(pkey, OSSL_PKEY_PARAM_RSA_EXPONENT1, key->dp, sizeof(key->dp), &key->dp_len) ||
	    get_param(pkey, OSSL_PKEY_PARAM_RSA_EXPONENT2, key->dq, sizeof(key->dq), &key->dq_len) ||
	    get_param(pkey, OSSL_PKEY_PARAM_RSA_COEFFICIENT1, key->qinv, sizeof(key->qinv),
		      &key->qinv_len))
		goto out;
	r = KZT_OK;
out:
	if (r != KZT_OK)
		kzt_secure_zero(key, sizeof(*key));
	EVP_PKEY_free(pkey);
	EVP_PKEY_CTX_free(ctx);
	BN_free(bne);
	return r;
}

/* Free a parameter array after wiping the private values it copied (OpenSSL 3.0
 * has no OSSL_PARAM_clear_free). */
static void
params_clear_free(OSSL_PARAM *params)
{
	OSSL_PARAM *p;

	for (p = params; p != NULL && p->key != NULL; p++)
		if (p->data != NULL)
			OPENSSL_cleanse(p->data, p->data_size);
	OSSL_PARAM_free(params);
}

/* Build an OpenSSL key from the components (NULL on failure). */
static EVP_PKEY *
to_pkey(const kzt_rsa_key *key)
{
	const struct {
		const char *name;
		const uint8_t *v;
		size_t len;
	} parts[] = {
		{OSSL_PKEY_PARAM_RSA_N, key->n, key->n_len},
		{OSSL_PKEY_PARAM_RSA_E, key->e, key->e_len},
		{OSSL_PKEY_PARAM_RSA_D, key->d, key->d_len},
		{OSSL_PKEY_PARAM_RSA_FACTOR1, key->p, key->p_len},
		{OSSL_PKEY_PARAM_RSA_FACTOR2, key->q, key->q_len},
		{OSSL_PKEY_PARAM_RSA_EXPONENT1, key->dp, key->dp_len},
		{OSSL_PKEY_PARAM_RSA_EXPONENT2, key->dq, key->dq_len},
		{OSSL_PKEY_PARAM_RSA_COEFFICIENT1, key->qinv, key->qinv_len},
	};
	BIGNUM *bn[8] = {0};
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
	EVP_PKEY *pkey = NULL;
	size_t i;
	int ok = bld != NULL && ctx != NULL;

	for (i = 0; ok && i < 8; i++) {
		ok = parts[i].len > 0 && (bn[i] = BN_bin2bn(parts[i].v, (int)parts[i].len, NULL)) != NULL &&
		     OSSL_PARAM_BLD_push_BN(bld, parts[i].name, bn[i]) == 1;
	}
	if (ok && (params = OSSL_PARAM_BLD_to_param(bld)) != NULL &&
	    EVP_PKEY_fromdata_init(ctx) == 1)
		EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_KEYPAIR, params);
	params_clear_free(params);
	OSSL_PARAM_BLD_free(bld);
	EVP_PKEY_CTX_free(ctx);
	for (i = 0; i < 8; i++)
		BN_clear_free(bn[i]);
	return pkey;
}

int
kzt_card_rsa_private(const kzt_rsa_key *key, const uint8_t *in, size_t in_len, uint8_t *out)
{
	EVP_PKEY *pkey;
	EVP_PKEY_CTX *ctx = NULL;
	size_t out_len = key->n_len;
	int r = KZT_ERR_CARD;

	if (in_len != key->n_len || memcmp(in, key->n, in_len) >= 0)
		return KZT_ERR_DATA; /* the block must be an integer below n */
	if ((pkey = to_pkey(key)) == NULL)
		return KZT_ERR_CARD;
	if ((ctx = EVP_PKEY_CTX_new_from_pkey(NULL, pkey, NULL)) != NULL &&
	    EVP_PKEY_decrypt_init(ctx) == 1 && EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_NO_PADDING) == 1 &&
	    EVP_PKEY_decrypt(ctx, out, &out_len, in, in_len) == 1 && out_len == key->n_len)
		r = KZT_OK;
	EVP_PKEY_CTX_free(ctx);
	EVP_PKEY_free(pkey);
	return r;
}

int
kzt_card_rsa_check(const kzt_rsa_key *key)
{
	EVP_PKEY *pkey;
	EVP_PKEY_CTX *ctx;
	int r = KZT_ERR_DATA;

	if (key->n_len < 256 || key->n_len > KZT_RSA_MAX_BYTES || (pkey = to_pkey(key)) == NULL)
		return KZT_ERR_DATA;
	if ((ctx = EVP_PKEY_CTX_new_from_pkey(NULL, pkey, NULL)) != NULL && EVP_PKEY_check(ctx) == 1)
		r = KZT_OK;
	EVP_PKEY_CTX_free(ctx);
	EVP_PKEY_free(pkey);
	return r;
}
