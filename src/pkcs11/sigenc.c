/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* What signing and verifying share: the mechanism's parameters (PSS), the running
 * hash or the collected data, and the block the signature encodes (PKCS#1 v1.5,
 * raw), the message hash PSS encodes, or the hash an EC signature signs.
 * Host-side only. */
#include <string.h>

#include "crypto.h"
#include "internal.h"
#include "kzt_err.h"
#include "mech.h"
#include "secmem.h"

/* The PSS parameters of the mechanism, checked against the key size. */
static CK_RV
pss_params(const CK_MECHANISM *m, const kzt_mech *mech, kzt_rsa_state *st)
{
	const CK_RSA_PKCS_PSS_PARAMS *p = m->pParameter;
	kzt_hash h, mgf;

	if (p == NULL || m->ulParameterLen != sizeof(*p) || !kzt_mech_hash(p->hashAlg, &h) ||
	    !kzt_mech_mgf(p->mgf, &mgf))
		return CKR_MECHANISM_PARAM_INVALID;
	if (mech->hashes && h != mech->hash)
		return CKR_MECHANISM_PARAM_INVALID; /* SHAx_RSA_PKCS_PSS hashes with SHAx */
	/* (emLen = ceil((bits - 1) / 8); written so that no term can wrap) */
	if ((st->bits + 6) / 8 < kzt_hash_len(h) + 2 || p->sLen > (st->bits + 6) / 8 - kzt_hash_len(h) - 2)
		return CKR_MECHANISM_PARAM_INVALID;
	st->pss_hash = (int)h;
	st->pss_mgf = (int)mgf;
	st->salt_len = p->sLen;
	return CKR_OK;
}

CK_RV
kzt_sig_setup(const CK_MECHANISM *m, kzt_rsa_state *st)
{
	CK_RV rv = CKR_OK;

	kzt_hash h;

	if (st->mech->encoding == KZT_ENC_PSS)
		rv = pss_params(m, st->mech, st);
	else if (m->pParameter == NULL && m->ulParameterLen == 0)
		;
	/* GOST hash-and-sign may name its hash, as the TC 26 extensions allow */
	else if (st->mech->encoding != KZT_ENC_GOST || !st->mech->hashes ||
		 kzt_hash_by_oid(m->pParameter, m->ulParameterLen, &h) != KZT_OK || h != st->mech->hash)
		rv = CKR_MECHANISM_PARAM_INVALID;
	if (rv == CKR_OK && st->mech->hashes && kzt_hash_new(st->mech->hash, &st->hash) != KZT_OK)
		rv = CKR_HOST_MEMORY;
	return rv;
}

CK_RV
kzt_sig_absorb(kzt_rsa_state *st, const CK_BYTE *p, CK_ULONG n)
{
	if (st->hash != NULL)
		return kzt_hash_update(st->hash, p, n) == KZT_OK ? CKR_OK : CKR_GENERAL_ERROR;
	if (n > sizeof(st->data) - st->data_len)
		return CKR_DATA_LEN_RANGE;
	if (n > 0)
		memcpy(st->data + st->data_len, p, n);
	st->data_len += n;
	return CKR_OK;
}

CK_RV
kzt_sig_message_hash(kzt_rsa_state *st, uint8_t *out, size_t *len)
{
	if (st->hash != NULL) {
		if (kzt_hash_final(&st->hash, out) != KZT_OK)
			return CKR_GENERAL_ERROR;
		*len = kzt_hash_len(st->mech->hash);
		return CKR_OK;
	}
	memcpy(out, st->data, st->data_len); /* the caller's own hash or data */
	*len = st->data_len;
	return CKR_OK;
}

CK_RV
kzt_sig_encode(kzt_rsa_state *st, uint8_t *em)
{
	uint8_t digest[512], di[KZT_HASH_MAX + 32];
	const uint8_t *in = digest;
	size_t in_len, di_len;
	int r = KZT_OK;

	if (kzt_sig_message_hash(st, digest, &in_len) != CKR_OK)
		return CKR_GENERAL_ERROR;
	switch (st->mech->encoding) {
	case KZT_ENC_X509:
		if (in_len > st->k)
			return CKR_DATA_LEN_RANGE;
		memset(em, 0, st->k - in_len);
		memcpy(em + st->k - in_len, in, in_len);
		break;
	case KZT_ENC_PKCS1:
		if (st->mech->hashes) {
			kzt_digest_info(st->mech->hash, digest, di, &di_len);
			in = di;
			in_len = di_len;
		}
		r = kzt_pkcs1_sign_pad(in, in_len, em, st->k);
		break;
	case KZT_ENC_PSS:
		if (in_len != kzt_hash_len((kzt_hash)st->pss_hash))
			return CKR_DATA_LEN_RANGE; /* CKM_RSA_PKCS_PSS signs a hash */
		r = kzt_pss_encode((kzt_hash)st->pss_hash, (kzt_hash)st->pss_mgf, st->salt_len, in,
				   st->bits, em, st->k);
		break;
	default:
		return CKR_GENERAL_ERROR;
	}
	kzt_secure_zero(digest, sizeof(digest));
	return r == KZT_OK ? CKR_OK : CKR_DATA_LEN_RANGE;
}

CK_RV
kzt_sig_ec_hash(kzt_rsa_state *st, uint8_t *out, size_t *len)
{
	size_t n = st->k / 2;

	if (kzt_sig_message_hash(st, out, len) != CKR_OK)
		return CKR_GENERAL_ERROR;
	if (st->mech->encoding == KZT_ENC_GOST) {
		/* CKM_GOSTR3410 signs a hash of the key's size, and nothing else */
		return *len == n ? CKR_OK : CKR_DATA_LEN_RANGE;
	}
	if (*len == 0)
		return CKR_DATA_LEN_RANGE;
	if (*len > n) /* ECDSA takes the hash's leftmost bits, as many as the order has */
		*len = n;
	return CKR_OK;
}

/* The arguments of C_Sign / C_Verify and their Final forms, checked with no lock. */
CK_RV
kzt_sig_args(const CK_BYTE *data, CK_ULONG data_len, int single, const void *out)
{
	return out == NULL || (single && data == NULL && data_len > 0) ? CKR_ARGUMENTS_BAD : CKR_OK;
}
