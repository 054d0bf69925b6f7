/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* Signing: the module hashes and encodes (PKCS#1 v1.5, PSS) on the host; the
 * card performs only the raw private operation, or for an EC key signs the hash
 * (MSE SET + PSO, two APDUs). */
#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "internal.h"
#include "kzt_err.h"
#include "mech.h"
#include "secmem.h"

CK_DEFINE_FUNCTION(CK_RV, C_SignInit)(CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism,
				      CK_OBJECT_HANDLE hKey)
{
	return kzt_rsa_init(hSession, pMechanism, hKey, CKF_SIGN);
}

/* The private operation on the card: RSA's for the block encoded from the data,
 * or an EC key's signature of its hash. */
static CK_RV
sign_on_card(kzt_session *s, kzt_rsa_state *st, uint8_t *em, uint8_t *sig, size_t *sig_len)
{
	size_t len = st->k;
	CK_RV rv;

	if ((rv = st->ec ? kzt_sig_ec_hash(st, em, &len) : kzt_sig_encode(st, em)) != CKR_OK)
		return rv;
	rv = kzt_card_private(s, st, 0, em, len, sig, KZT_RSA_MAX_BYTES, sig_len);
	return rv == CKR_DATA_INVALID ? CKR_DATA_LEN_RANGE : rv; /* raw input not below the modulus */
}

/* The end of a signing operation (C_Sign or C_SignFinal), its arguments checked
 * already (bad: an error that ends it), with the length-query convention: a NULL
 * buffer or one too small leaves the operation active and touches no card;
 * anything else ends it. */
static CK_RV
finish(CK_SESSION_HANDLE h, CK_RV bad, const CK_BYTE *data, CK_ULONG data_len, int single,
       CK_BYTE_PTR pSignature, CK_ULONG_PTR pulSignatureLen)
{
	uint8_t em[KZT_RSA_MAX_BYTES], sig[KZT_RSA_MAX_BYTES];
	kzt_rsa_state *st;
	kzt_session *s;
	size_t sig_len = 0;
	CK_RV rv;
	int keep = 0;

	if ((rv = kzt_session_acquire(h, &s)) != CKR_OK)
		return rv;
	if ((rv = kzt_run_take(s, KZT_RUN_SIGN, (void **)&st)) != CKR_OK)
		goto out;
	if ((rv = bad) != CKR_OK)
		;
	else if (single && st->multipart) /* C_Sign cannot end a multi-part operation */
		keep = (rv = CKR_OPERATION_ACTIVE) != CKR_OK;
	else if (!kzt_output_room(pSignature, pulSignatureLen, st->k, &rv))
		keep = 1;
	else if ((!single || (rv = kzt_sig_absorb(st, data, data_len)) == CKR_OK) &&
		 (rv = sign_on_card(s, st, em, sig, &sig_len)) == CKR_OK) {
		memcpy(pSignature, sig, sig_len);
		*pulSignatureLen = sig_len;
	}
	kzt_secure_zero(em, sizeof(em));
	kzt_run_put(s, KZT_RUN_SIGN, st, keep);
out:
	kzt_session_release(s);
	return rv;
}

CK_DEFINE_FUNCTION(CK_RV, C_Sign)(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pData, CK_ULONG ulDataLen,
				  CK_BYTE_PTR pSignature, CK_ULONG_PTR pulSignatureLen)
{
	CK_RV rv = kzt_initialized();

	if (rv != CKR_OK)
		return rv;
	return finish(hSession, kzt_sig_args(pData, ulDataLen, 1, pulSignatureLen), pData, ulDataLen, 1,
		      pSignature, pulSignatureLen);
}

CK_RV
kzt_sig_update(CK_SESSION_HANDLE h, int verify, const CK_BYTE *p, CK_ULONG n)
{
	kzt_run_kind k = verify ? KZT_RUN_VERIFY : KZT_RUN_SIGN;
	kzt_rsa_state *st;
	kzt_session *s;
	CK_RV rv;

	if ((rv = kzt_session_acquire(h, &s)) != CKR_OK)
		return rv;
	if ((rv = kzt_run_take(s, k, (void **)&st)) == CKR_OK) {
		st->multipart = 1;
		rv = p == NULL && n > 0 ? CKR_ARGUMENTS_BAD : kzt_sig_absorb(st, p, n);
		kzt_run_put(s, k, st, rv == CKR_OK); /* an error ends the operation */
	}
	kzt_session_release(s);
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
	CK_RV rv = kzt_initialized();

	if (rv != CKR_OK)
		return rv;
	return finish(hSession, kzt_sig_args(NULL, 0, 0, pulSignatureLen), NULL, 0, 0, pSignature,
		      pulSignatureLen);
}
