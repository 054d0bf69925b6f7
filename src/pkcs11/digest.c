/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* Message digests (SHA-1, SHA-2, Streebog) on the host: no card involved. */
#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "internal.h"
#include "kzt_err.h"
#include "mech.h"

/* A digest's parameter: none; or, for Streebog, as the TC 26 extensions (and
 * Rutoken's modules) allow, the DER of the hash's OID (1.2.643.7.1.1.2.2 / .3,
 * or Kazakhstan's 1.2.398.3.10.1.3.2 / .3). */
static int
param_ok(const kzt_mech *m, const CK_MECHANISM *mech)
{
	kzt_hash h;

	if (mech->pParameter == NULL && mech->ulParameterLen == 0)
		return 1;
	return kzt_hash_by_oid(mech->pParameter, mech->ulParameterLen, &h) == KZT_OK && h == m->hash;
}

CK_DEFINE_FUNCTION(CK_RV, C_DigestInit)(CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism)
{
	const kzt_mech *m;
	kzt_digest_state *d;
	kzt_session *s;
	CK_RV rv;

	if ((rv = kzt_initialized()) != CKR_OK)
		return rv;
	if (pMechanism == NULL)
		return CKR_ARGUMENTS_BAD;
	if ((rv = kzt_session_acquire(hSession, &s)) != CKR_OK)
		return rv;
	if ((m = kzt_mech_find(pMechanism->mechanism)) == NULL || !(m->flags & CKF_DIGEST))
		rv = CKR_MECHANISM_INVALID;
	else if (!param_ok(m, pMechanism))
		rv = CKR_MECHANISM_PARAM_INVALID;
	else if ((d = calloc(1, sizeof(*d))) == NULL || kzt_hash_new(m->hash, &d->hash) != KZT_OK) {
		free(d);
		rv = CKR_HOST_MEMORY;
	} else {
		d->alg = (int)m->hash;
		if ((rv = kzt_run_install(s, KZT_RUN_DIGEST, d)) != CKR_OK)
			kzt_run_free(KZT_RUN_DIGEST, d);
	}
	kzt_session_release(s);
	return rv;
}

/* The end of a digest (C_Digest or C_DigestFinal), its arguments checked already
 * (bad: an error that ends it): a NULL or short buffer only reports the length and
 * leaves the operation active; anything else ends it. */
static CK_RV
finish(CK_SESSION_HANDLE h, CK_RV bad, const CK_BYTE *data, CK_ULONG len, int single,
       CK_BYTE_PTR pDigest, CK_ULONG_PTR pulDigestLen)
{
	kzt_digest_state *d;
	kzt_session *s;
	CK_RV rv;
	int keep = 0;

	if ((rv = kzt_session_acquire(h, &s)) != CKR_OK)
		return rv;
	if ((rv = kzt_run_take(s, KZT_RUN_DIGEST, (void **)&d)) != CKR_OK)
		goto out;
	if ((rv = bad) != CKR_OK)
		;
	else if (single && d->multipart) /* C_Digest cannot end a multi-part digest */
		keep = (rv = CKR_OPERATION_ACTIVE) != CKR_OK;
	else if (!kzt_output_room(pDigest, pulDigestLen, kzt_hash_len((kzt_hash)d->alg), &rv))
		keep = 1;
	else if ((single && kzt_hash_update(d->hash, data, len) != KZT_OK) ||
		 kzt_hash_final(&d->hash, pDigest) != KZT_OK)
		rv = CKR_GENERAL_ERROR;
	else
		*pulDigestLen = kzt_hash_len((kzt_hash)d->alg);
	kzt_run_put(s, KZT_RUN_DIGEST, d, keep);
out:
	kzt_session_release(s);
	return rv;
}

CK_DEFINE_FUNCTION(CK_RV, C_Digest)(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pData, CK_ULONG ulDataLen,
				    CK_BYTE_PTR pDigest, CK_ULONG_PTR pulDigestLen)
{
	CK_RV rv = kzt_initialized();

	if (rv != CKR_OK)
		return rv;
	return finish(hSession,
		      pulDigestLen == NULL || (pData == NULL && ulDataLen > 0) ? CKR_ARGUMENTS_BAD : CKR_OK,
		      pData, ulDataLen, 1, pDigest, pulDigestLen);
}

CK_DEFINE_FUNCTION(CK_RV, C_DigestUpdate)(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pPart,
					  CK_ULONG ulPartLen)
{
	kzt_digest_state *d;
	kzt_session *s;
	CK_RV rv;

	if ((rv = kzt_session_acquire(hSession, &s)) != CKR_OK)
		return rv;
	if ((rv = kzt_run_take(s, KZT_RUN_DIGEST, (void **)&d)) == CKR_OK) {
		d->multipart = 1;
		if (pPart == NULL && ulPartLen > 0)
			rv = CKR_ARGUMENTS_BAD;
		else if (kzt_hash_update(d->hash, pPart, ulPartLen) != KZT_OK)
			rv = CKR_GENERAL_ERROR;
		kzt_run_put(s, KZT_RUN_DIGEST, d, rv == CKR_OK); /* an error ends it */
	}
	kzt_session_release(s);
	return rv;
}

CK_DEFINE_FUNCTION(CK_RV, C_DigestFinal)(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pDigest,
					 CK_ULONG_PTR pulDigestLen)
{
	CK_RV rv = kzt_initialized();

	if (rv != CKR_OK)
		return rv;
	return finish(hSession, pulDigestLen == NULL ? CKR_ARGUMENTS_BAD : CKR_OK, NULL, 0, 0, pDigest,
		      pulDigestLen);
}
