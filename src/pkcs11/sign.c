/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* Signing: the module hashes and encodes (PKCS#1 v1.5, PSS) on the host; the
 * card performs only the raw private operation (MSE SET + PSO, two APDUs). */
#include <stdlib.h>
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
	if (p->sLen > (st->bits + 6) / 8 - kzt_hash_len(h) - 2)
		return CKR_MECHANISM_PARAM_INVALID;
	st->pss_hash = (int)h;
	st->pss_mgf = (int)mgf;
	st->salt_len = p->sLen;
	return CKR_OK;
}

CK_DEFINE_FUNCTION(CK_RV, C_SignInit)(CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism,
				      CK_OBJECT_HANDLE hKey)
{
	return kzt_rsa_init(hSession, pMechanism, hKey, CKF_SIGN);
}

CK_RV
kzt_sig_setup(const CK_MECHANISM *m, kzt_rsa_state *st)
{
	CK_RV rv = CKR_OK;

	if (st->mech->encoding == KZT_ENC_PSS)
		rv = pss_params(m, st->mech, st);
	else if (m->pParameter != NULL || m->ulParameterLen != 0)
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

/* The end of a signing operation (C_Sign or C_SignFinal), with the length-query
 * convention: a NULL buffer or one too small leaves the operation active. */
static CK_RV
finish(CK_SESSION_HANDLE hSession, const CK_BYTE *data, CK_ULONG data_len, int single,
       CK_BYTE_PTR pSignature, CK_ULONG_PTR pulSignatureLen)
{
	uint8_t em[512], sig[512];
	kzt_rsa_state *st;
	kzt_session *s;
	size_t sig_len = 0;
	kzt_op op;
	CK_RV rv;
	int r;

	if ((rv = kzt_card_begin_session(hSession, &op)) != CKR_OK)
		return rv;
	if ((rv = kzt_enter_session(hSession, &s)) != CKR_OK)
		goto out;
	st = s->sign;
	if (st == NULL)
		rv = CKR_OPERATION_NOT_INITIALIZED;
	else if (pulSignatureLen == NULL || (single && data == NULL && data_len > 0))
		rv = CKR_ARGUMENTS_BAD;
	else if (single && st->multipart)
		rv = CKR_OPERATION_ACTIVE; /* C_Sign cannot end a multi-part operation */
	else if (pSignature == NULL || *pulSignatureLen < st->k) {
		rv = pSignature == NULL ? CKR_OK : CKR_BUFFER_TOO_SMALL;
		*pulSignatureLen = st->k;
		kzt_leave();
		goto out; /* the operation goes on */
	}
	if (rv != CKR_OK) {
		kzt_leave();
		goto out;
	}
	s->sign = NULL; /* from here on, the operation ends whatever happens */
	kzt_leave();
	if (single)
		rv = kzt_sig_absorb(st, data, data_len);
	if (rv == CKR_OK)
		rv = kzt_sig_encode(st, em);
	if (rv == CKR_OK) {
		r = kzt_token_rsa_private(op.token, st->card_key, 0, em, st->k, sig, sizeof(sig), &sig_len);
		if ((rv = kzt_card_status(&op, r)) == CKR_DATA_INVALID)
			rv = CKR_DATA_LEN_RANGE; /* raw input not below the modulus */
	}
	if (rv == CKR_OK) {
		memcpy(pSignature, sig, sig_len);
		*pulSignatureLen = sig_len;
	}
	kzt_secure_zero(em, sizeof(em));
	kzt_rsa_free(&st);
out:
	kzt_card_end(&op);
	return rv;
}

CK_DEFINE_FUNCTION(CK_RV, C_Sign)(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pData, CK_ULONG ulDataLen,
				  CK_BYTE_PTR pSignature, CK_ULONG_PTR pulSignatureLen)
{
	return finish(hSession, pData, ulDataLen, 1, pSignature, pulSignatureLen);
}

CK_RV
kzt_sig_update(CK_SESSION_HANDLE h, int verify, const CK_BYTE *p, CK_ULONG n)
{
	kzt_rsa_state **st;
	kzt_session *s;
	CK_RV rv;

	if ((rv = kzt_enter_session(h, &s)) != CKR_OK)
		return rv;
	st = kzt_rsa_slot(s, verify ? CKF_VERIFY : CKF_SIGN);
	if (*st == NULL) {
		rv = CKR_OPERATION_NOT_INITIALIZED;
	} else if (p == NULL && n > 0) {
		rv = CKR_ARGUMENTS_BAD;
	} else {
		(*st)->multipart = 1;
		if ((rv = kzt_sig_absorb(*st, p, n)) != CKR_OK)
			kzt_rsa_free(st); /* an error ends the operation */
	}
	kzt_leave();
	return rv;
}

CK_DEFINE_FUNCTION(CK_RV, C_SignUpdate)(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pPart,
					CK_ULONG ulPartLen)
{
	return kzt_sig_update(hSession, 0, pPart, ulPartLen);
}

CK_DEFINE_FUNCTION(CK_RV, C_SignFinal)(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pSignature,
				       CK_ULONG_PTR pulSignatureLen)
{
	return finish(hSession, NULL, 0, 0, pSignature, pulSignatureLen);
}
