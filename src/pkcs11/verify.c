/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* Signature verification on the host with a public key from the token: the RSA
 * public operation, then the same encoding as signing (PKCS#1 v1.5, raw), or
 * EMSA-PSS-VERIFY for PSS. */
#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "internal.h"
#include "kzt_err.h"
#include "mech.h"

void
kzt_verify_end(kzt_session *s)
{
	kzt_sig_free(&s->verify);
}

/* The public key hKey (CKA_VERIFY true): its modulus and exponent into st. */
CK_RV
kzt_verify_key(kzt_op *op, CK_OBJECT_HANDLE hKey, kzt_sign_state *st)
{
	const CK_ATTRIBUTE *n, *e;
	kzt_object *o;
	CK_RV rv;

	if ((rv = kzt_rsa_key(op, hKey, CKO_PUBLIC_KEY, CKA_VERIFY, &o, &st->bits)) != CKR_OK)
		return rv;
	n = kzt_attrs_get(&o->attrs, CKA_MODULUS);
	e = kzt_attrs_get(&o->attrs, CKA_PUBLIC_EXPONENT);
	if (e == NULL || e->ulValueLen > sizeof(st->e))
		return CKR_DEVICE_ERROR;
	memcpy(st->n, n->pValue, n->ulValueLen);
	memcpy(st->e, e->pValue, e->ulValueLen);
	st->e_len = e->ulValueLen;
	st->k = n->ulValueLen;
	return CKR_OK;
}

CK_DEFINE_FUNCTION(CK_RV, C_VerifyInit)(CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism,
					CK_OBJECT_HANDLE hKey)
{
	return kzt_sig_init(hSession, pMechanism, hKey, 1);
}

/* Compare the signature with what the absorbed data should give. */
static CK_RV
check(kzt_sign_state *st, const CK_BYTE *sig, CK_ULONG sig_len)
{
	uint8_t em[512], want[512], mhash[512];
	size_t mlen;
	CK_RV rv;
	int r;

	if (sig_len != st->k)
		return CKR_SIGNATURE_LEN_RANGE;
	r = kzt_rsa_public(st->n, st->k, st->e, st->e_len, sig, em);
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

/* C_Verify / C_VerifyFinal: the operation ends whatever the answer. */
static CK_RV
finish(CK_SESSION_HANDLE hSession, const CK_BYTE *data, CK_ULONG data_len, int single,
       const CK_BYTE *sig, CK_ULONG sig_len)
{
	kzt_sign_state *st;
	kzt_session *s;
	CK_RV rv;

	if ((rv = kzt_enter_session(hSession, &s)) != CKR_OK)
		return rv;
	st = s->verify;
	if (st == NULL)
		rv = CKR_OPERATION_NOT_INITIALIZED;
	else if (sig == NULL || (single && data == NULL && data_len > 0))
		rv = CKR_ARGUMENTS_BAD;
	else if (single && st->multipart)
		rv = CKR_OPERATION_ACTIVE;
	else
		s->verify = NULL;
	kzt_leave();
	if (rv != CKR_OK)
		return rv;
	if (single)
		rv = kzt_sig_absorb(st, data, data_len);
	if (rv == CKR_OK)
		rv = check(st, sig, sig_len);
	kzt_sig_free(&st);
	return rv;
}

CK_DEFINE_FUNCTION(CK_RV, C_Verify)(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pData, CK_ULONG ulDataLen,
				    CK_BYTE_PTR pSignature, CK_ULONG ulSignatureLen)
{
	return finish(hSession, pData, ulDataLen, 1, pSignature, ulSignatureLen);
}

CK_DEFINE_FUNCTION(CK_RV, C_VerifyUpdate)(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pPart,
					  CK_ULONG ulPartLen)
{
	return kzt_sig_update(hSession, 1, pPart, ulPartLen);
}

CK_DEFINE_FUNCTION(CK_RV, C_VerifyFinal)(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pSignature,
					 CK_ULONG ulSignatureLen)
{
	return finish(hSession, NULL, 0, 0, pSignature, ulSignatureLen);
}
