/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* See osslkey.h. */
#include "osslkey.h"

#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/param_build.h>

static const char *const names[8] = {
	OSSL_PKEY_PARAM_RSA_N,         OSSL_PKEY_PARAM_RSA_E,         OSSL_PKEY_PARAM_RSA_D,
	OSSL_PKEY_PARAM_RSA_FACTOR1,   OSSL_PKEY_PARAM_RSA_FACTOR2,   OSSL_PKEY_PARAM_RSA_EXPONENT1,
	OSSL_PKEY_PARAM_RSA_EXPONENT2, OSSL_PKEY_PARAM_RSA_COEFFICIENT1,
};

EVP_PKEY *
kzt_osslkey_from_parts(const kzt_rsa_key *k)
{
	const uint8_t *v[8] = {k->n, k->e, k->d, k->p, k->q, k->dp, k->dq, k->qinv};
	const size_t l[8] = {k->n_len, k->e_len, k->d_len, k->p_len, k->q_len, k->dp_len, k->dq_len, k->qinv_len};
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
	BIGNUM *bn[8] = {0};
	OSSL_PARAM *params = NULL;
	EVP_PKEY *pk = NULL;
	int ok = bld != NULL && ctx != NULL;
	size_t i;

	for (i = 0; ok && i < 8; i++)
		ok = (bn[i] = BN_bin2bn(v[i], (int)l[i], NULL)) != NULL &&
		     OSSL_PARAM_BLD_push_BN(bld, names[i], bn[i]) == 1;
	if (ok && (params = OSSL_PARAM_BLD_to_param(bld)) != NULL && EVP_PKEY_fromdata_init(ctx) == 1)
		EVP_PKEY_fromdata(ctx, &pk, EVP_PKEY_KEYPAIR, params);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	EVP_PKEY_CTX_free(ctx);
	for (i = 0; i < 8; i++)
		BN_clear_free(bn[i]);
	return pk;
}

int
kzt_osslkey_to_parts(EVP_PKEY *pk, kzt_rsa_key *k)
{
	uint8_t *v[8] = {k->n, k->e, k->d, k->p, k->q, k->dp, k->dq, k->qinv};
	size_t *l[8] = {&k->n_len, &k->e_len, &k->d_len, &k->p_len, &k->q_len, &k->dp_len, &k->dq_len, &k->qinv_len};
	size_t i;

	memset(k, 0, sizeof(*k));
	for (i = 0; i < 8; i++) {
		BIGNUM *b = NULL;
		if (EVP_PKEY_get_bn_param(pk, names[i], &b) != 1)
			return -1;
		*l[i] = (size_t)BN_bn2bin(b, v[i]);
		BN_clear_free(b);
	}
	return 0;
}
