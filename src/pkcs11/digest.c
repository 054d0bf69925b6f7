/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* Message digests (SHA-1, SHA-2) on the host: no card involved. */
#include "crypto.h"
#include "internal.h"
#include "kzt_err.h"
#include "mech.h"

CK_DEFINE_FUNCTION(CK_RV, C_DigestInit)(CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism)
{
	const kzt_mech *m;
	kzt_session *s;
	CK_RV rv;

	if ((rv = kzt_enter_session(hSession, &s)) != CKR_OK)
		return rv;
	if (pMechanism == NULL)
		rv = CKR_ARGUMENTS_BAD;
	else if ((m = kzt_mech_find(pMechanism->mechanism)) == NULL || !(m->flags & CKF_DIGEST))
		rv = CKR_MECHANISM_INVALID;
	else if (pMechanism->pParameter != NULL || pMechanism->ulParameterLen != 0)
		rv = CKR_MECHANISM_PARAM_INVALID;
	else if (s->digest != NULL)
		rv = CKR_OPERATION_ACTIVE;
	else if (kzt_hash_new(m->hash, &s->digest) != KZT_OK)
		rv = CKR_HOST_MEMORY;
	else {
		s->digest_alg = (int)m->hash;
		s->digest_multipart = 0;
	}
	kzt_leave();
	return rv;
}

/* The end of a digest (C_Digest or C_DigestFinal): a NULL or short buffer only
 * reports the length and leaves the operation active. */
static CK_RV
finish(kzt_session *s, const CK_BYTE *data, CK_ULONG len, int single, CK_BYTE_PTR pDigest,
       CK_ULONG_PTR pulDigestLen)
{
	size_t dlen;
	CK_RV rv = CKR_OK;

	if (s->digest == NULL)
		return CKR_OPERATION_NOT_INITIALIZED;
	if (pulDigestLen == NULL || (single && data == NULL && len > 0))
		return CKR_ARGUMENTS_BAD;
	if (single && s->digest_multipart)
		return CKR_OPERATION_ACTIVE;
	dlen = kzt_hash_len((kzt_hash)s->digest_alg);
	if (pDigest == NULL || *pulDigestLen < dlen) {
		*pulDigestLen = dlen;
		return pDigest == NULL ? CKR_OK : CKR_BUFFER_TOO_SMALL;
	}
	if (single && kzt_hash_update(s->digest, data, len) != KZT_OK)
		rv = CKR_GENERAL_ERROR;
	if (rv == CKR_OK && kzt_hash_final(&s->digest, pDigest) != KZT_OK)
		rv = CKR_GENERAL_ERROR;
	kzt_hash_free(&s->digest); /* ended, whatever happened */
	*pulDigestLen = dlen;
	return rv;
}

CK_DEFINE_FUNCTION(CK_RV, C_Digest)(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pData, CK_ULONG ulDataLen,
				    CK_BYTE_PTR pDigest, CK_ULONG_PTR pulDigestLen)
{
	kzt_session *s;
	CK_RV rv;

	if ((rv = kzt_enter_session(hSession, &s)) != CKR_OK)
		return rv;
	rv = finish(s, pData, ulDataLen, 1, pDigest, pulDigestLen);
	kzt_leave();
	return rv;
}

CK_DEFINE_FUNCTION(CK_RV, C_DigestUpdate)(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pPart,
					  CK_ULONG ulPartLen)
{
	kzt_session *s;
	CK_RV rv;

	if ((rv = kzt_enter_session(hSession, &s)) != CKR_OK)
		return rv;
	if (s->digest == NULL) {
		rv = CKR_OPERATION_NOT_INITIALIZED;
	} else if (pPart == NULL && ulPartLen > 0) {
		rv = CKR_ARGUMENTS_BAD;
	} else {
		s->digest_multipart = 1;
		if (kzt_hash_update(s->digest, pPart, ulPartLen) != KZT_OK) {
			kzt_hash_free(&s->digest);
			rv = CKR_GENERAL_ERROR;
		}
	}
	kzt_leave();
	return rv;
}

CK_DEFINE_FUNCTION(CK_RV, C_DigestFinal)(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pDigest,
					 CK_ULONG_PTR pulDigestLen)
{
	kzt_session *s;
	CK_RV rv;

	if ((rv = kzt_enter_session(hSession, &s)) != CKR_OK)
		return rv;
	rv = finish(s, NULL, 0, 0, pDigest, pulDigestLen);
	kzt_leave();
	return rv;
}
