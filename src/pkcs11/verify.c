/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* Signature verification on the host with a public key from the token: the RSA
 * public operation, then the same encoding as signing (PKCS#1 v1.5, raw), or
 * EMSA-PSS-VERIFY for PSS; ECDSA and GOST R 34.10-2012 on the key's curve
 * (src/crypto, over src/bn in both backends). */
#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "internal.h"
#include "kzt_err.h"
#include "mech.h"

CK_DEFINE_FUNCTION(CK_RV, C_VerifyInit)(CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism,
					CK_OBJECT_HANDLE hKey)
{
	return kzt_rsa_init(hSession, pMechanism, hKey, CKF_VERIFY);
}

/* Compare the signature with what the absorbed data should give. */
static CK_RV
check(kzt_rsa_state *st, const CK_BYTE *sig, CK_ULONG sig_len)
{
	uint8_t em[512], want[512], mhash[512];
	size_t mlen;
	CK_RV rv;
	int r;

	if (sig_len != st->k)
		return CKR_SIGNATURE_LEN_RANGE;
	if (st->ec) {
		if ((rv = kzt_sig_ec_hash(st, mhash, &mlen)) != CKR_OK)
			return rv;
		return kzt_ecurve_verify(st->curve, st->ec_pub, mhash, mlen, sig) == KZT_OK ? CKR_OK
											 : CKR_SIGNATURE_INVALID;
	}
	r = kzt_pubkey_raise(&st->pub, sig, em);
	if (r != KZT_OK)
		return r == KZT_ERR_DATA ? CKR_SIGNATURE_INVALID : CKR_GENERAL_ERROR;
	if (st->mech->encoding == KZT_ENC_PSS) {
		if ((rv = kzt_sig_message_hash(st, mhash, &mlen)) != CKR_OK)
			return rv;
		if (mlen != kzt_hash_len((kzt_hash)st->pss_hash))
			return CKR_DATA_LEN_RANGE;
		return kzt_pss_verify((kzt_hash)st->pss_hash, (kzt_hash)st->pss_mgf, st->salt_len, mhash, em,
				      st->bits, st->k) == KZT_OK
			       ? CKR_OK
			       : CKR_SIGNATURE_INVALID;
	}
	if ((rv = kzt_sig_encode(st, want)) != CKR_OK)
		return rv;
	return memcmp(em, want, st->k) == 0 ? CKR_OK : CKR_SIGNATURE_INVALID;
}

/* C_Verify / C_VerifyFinal, their arguments checked already (bad): the operation
 * ends whatever the answer (C_Verify on a multi-part one aside, which is not its
 * to end). */
static CK_RV
finish(CK_SESSION_HANDLE h, CK_RV bad, const CK_BYTE *data, CK_ULONG data_len, int single,
       const CK_BYTE *sig, CK_ULONG sig_len)
{
	kzt_rsa_state *st;
	kzt_session *s;
	CK_RV rv;
	int keep = 0;

	if ((rv = kzt_session_acquire(h, &s)) != CKR_OK)
		return rv;
	if ((rv = kzt_run_take(s, KZT_RUN_VERIFY, (void **)&st)) != CKR_OK)
		goto out;
	if ((rv = bad) != CKR_OK)
		;
	else if (single && st->multipart)
		keep = (rv = CKR_OPERATION_ACTIVE) != CKR_OK;
	else if (!single || (rv = kzt_sig_absorb(st, data, data_len)) == CKR_OK)
		rv = check(st, sig, sig_len);
	kzt_run_put(s, KZT_RUN_VERIFY, st, keep);
out:
	kzt_session_release(s);
	return rv;
}

CK_DEFINE_FUNCTION(CK_RV, C_Verify)(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pData, CK_ULONG ulDataLen,
				    CK_BYTE_PTR pSignature, CK_ULONG ulSignatureLen)
{
	CK_RV rv = kzt_initialized();

	if (rv != CKR_OK)
		return rv;
	return finish(hSession, kzt_sig_args(pData, ulDataLen, 1, pSignature), pData, ulDataLen, 1,
		      pSignature, ulSignatureLen);
}

CK_DEFINE_FUNCTION(CK_RV, C_VerifyUpdate)(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pPart,
					  CK_ULONG ulPartLen)
{
	return kzt_sig_update(hSession, 1, pPart, ulPartLen);
}

CK_DEFINE_FUNCTION(CK_RV, C_VerifyFinal)(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pSignature,
					 CK_ULONG ulSignatureLen)
{
	CK_RV rv = kzt_initialized();

	if (rv != CKR_OK)
		return rv;
	return finish(hSession, kzt_sig_args(NULL, 0, 0, pSignature), NULL, 0, 0, pSignature,
		      ulSignatureLen);
}

CK_DEFINE_FUNCTION(CK_RV, C_VerifyRecoverInit)(CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism,
					       CK_OBJECT_HANDLE hKey)
{
	return kzt_rsa_init(hSession, pMechanism, hKey, CKF_VERIFY_RECOVER);
}

/* The data a signature carries, into st->out: the whole block (CKM_RSA_X_509), or
 * what the PKCS#1 type 1 padding wraps (CKM_RSA_PKCS). */
static CK_RV
recover(kzt_rsa_state *st, const CK_BYTE *sig, CK_ULONG sig_len)
{
	uint8_t em[512];
	size_t off = 0;
	int r;

	if (sig_len != st->k)
		return CKR_SIGNATURE_LEN_RANGE;
	if ((r = kzt_pubkey_raise(&st->pub, sig, em)) != KZT_OK)
		return r == KZT_ERR_DATA ? CKR_SIGNATURE_INVALID : CKR_GENERAL_ERROR;
	if (st->mech->padding == KZT_PAD_PKCS1 && kzt_pkcs1_sign_unpad(em, st->k, &off) != KZT_OK)
		return CKR_SIGNATURE_INVALID;
	st->out_len = st->k - off;
	memcpy(st->out, em + off, st->out_len);
	st->have_out = 1;
	return CKR_OK;
}

/* Single-part, with the length-query convention: the operation goes on after a
 * NULL buffer or one too small (the result kept), and ends with the answer or an
 * error. Public arithmetic only: no card. */
CK_DEFINE_FUNCTION(CK_RV, C_VerifyRecover)(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pSignature,
					   CK_ULONG ulSignatureLen, CK_BYTE_PTR pData,
					   CK_ULONG_PTR pulDataLen)
{
	kzt_rsa_state *st;
	kzt_session *s;
	CK_RV rv;
	int keep = 0;

	if ((rv = kzt_initialized()) != CKR_OK)
		return rv;
	if ((rv = kzt_session_acquire(hSession, &s)) != CKR_OK)
		return rv;
	if ((rv = kzt_run_take(s, KZT_RUN_RECOVER, (void **)&st)) != CKR_OK)
		goto out;
	if (pSignature == NULL || pulDataLen == NULL)
		rv = CKR_ARGUMENTS_BAD;
	else if (!st->have_out && (rv = recover(st, pSignature, ulSignatureLen)) != CKR_OK)
		;
	else if (!kzt_output_room(pData, pulDataLen, st->out_len, &rv))
		keep = 1;
	else {
		memcpy(pData, st->out, st->out_len);
		*pulDataLen = st->out_len;
	}
	kzt_run_put(s, KZT_RUN_RECOVER, st, keep);
out:
	kzt_session_release(s);
	return rv;
}
