/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* Decryption: the card deciphers (PSO DECIPHER, raw RSA), the host removes the
 * PKCS#1 v1.5 or OAEP padding in constant time with one error for every kind of
 * bad padding, so the module is no padding oracle. Single-part, as PKCS#11
 * defines RSA decryption. */
#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "internal.h"
#include "kzt_err.h"
#include "mech.h"
#include "secmem.h"

CK_DEFINE_FUNCTION(CK_RV, C_DecryptInit)(CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism,
					 CK_OBJECT_HANDLE hKey)
{
	return kzt_rsa_init(hSession, pMechanism, hKey, CKF_DECRYPT);
}

/* The card's raw result, unpadded into st->out. */
static CK_RV
recover(kzt_session *s, kzt_rsa_state *st, const CK_BYTE *ct, CK_ULONG ct_len)
{
	uint8_t em[KZT_RSA_MAX_BYTES];
	size_t em_len = 0;
	CK_RV rv;
	int r;

	if (ct_len != st->k)
		return CKR_ENCRYPTED_DATA_LEN_RANGE;
	if ((rv = kzt_card_private(s, st, 1, ct, ct_len, em, sizeof(em), &em_len)) != CKR_OK) {
		kzt_secure_zero(em, sizeof(em));
		return rv == CKR_DATA_INVALID ? CKR_ENCRYPTED_DATA_INVALID : rv;
	}
	switch (st->mech->padding) {
	case KZT_PAD_RAW:
		memcpy(st->out, em, em_len);
		st->out_len = em_len;
		r = KZT_OK;
		break;
	case KZT_PAD_PKCS1:
		r = kzt_pkcs1_decrypt_unpad(em, em_len, st->out, &st->out_len);
		break;
	default:
		r = kzt_oaep_decode((kzt_hash)st->oaep_hash, (kzt_hash)st->oaep_mgf, st->label,
				    st->label_len, em, em_len, st->out, &st->out_len);
	}
	kzt_secure_zero(em, sizeof(em));
	if (r != KZT_OK)
		return CKR_ENCRYPTED_DATA_INVALID; /* one answer for every bad padding */
	st->have_out = 1;
	return CKR_OK;
}

/* Single-part, with the length-query convention. A NULL buffer is answered with
 * the modulus length (no more can come out) without the card; a buffer too small
 * for the result gets its exact length, the result kept for the next call. Any
 * other answer ends the operation. */
CK_DEFINE_FUNCTION(CK_RV, C_Decrypt)(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pEncryptedData,
				     CK_ULONG ulEncryptedDataLen, CK_BYTE_PTR pData,
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
	if ((rv = kzt_run_take(s, KZT_RUN_DECRYPT, (void **)&st)) != CKR_OK)
		goto out;
	if (pulDataLen == NULL || (pEncryptedData == NULL && ulEncryptedDataLen > 0))
		rv = CKR_ARGUMENTS_BAD;
	else if (pData == NULL && !st->have_out)
		keep = !kzt_output_room(NULL, pulDataLen, st->k, &rv);
	else if (!st->have_out && (rv = recover(s, st, pEncryptedData, ulEncryptedDataLen)) != CKR_OK)
		;
	else if (!kzt_output_room(pData, pulDataLen, st->out_len, &rv))
		keep = 1;
	else {
		memcpy(pData, st->out, st->out_len);
		*pulDataLen = st->out_len;
	}
	kzt_run_put(s, KZT_RUN_DECRYPT, st, keep);
out:
	kzt_session_release(s);
	return rv;
}
