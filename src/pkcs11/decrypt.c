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

void
kzt_decrypt_end(kzt_session *s)
{
	if (s->decrypt == NULL)
		return;
	kzt_secure_zero(s->decrypt, sizeof(*s->decrypt));
	free(s->decrypt);
	s->decrypt = NULL;
}

static CK_RV
oaep_params(const CK_MECHANISM *m, kzt_decrypt_state *st)
{
	const CK_RSA_PKCS_OAEP_PARAMS *p = m->pParameter;
	kzt_hash h, mgf;

	if (p == NULL || m->ulParameterLen != sizeof(*p) || !kzt_mech_hash(p->hashAlg, &h) ||
	    !kzt_mech_mgf(p->mgf, &mgf))
		return CKR_MECHANISM_PARAM_INVALID;
	if (p->source != 0 && p->source != CKZ_DATA_SPECIFIED)
		return CKR_MECHANISM_PARAM_INVALID;
	if (p->ulSourceDataLen > sizeof(st->label) || (p->pSourceData == NULL && p->ulSourceDataLen > 0))
		return CKR_MECHANISM_PARAM_INVALID;
	if (st->k < 2 * kzt_hash_len(h) + 2)
		return CKR_KEY_SIZE_RANGE;
	st->oaep_hash = (int)h;
	st->oaep_mgf = (int)mgf;
	st->label_len = p->ulSourceDataLen;
	if (st->label_len > 0)
		memcpy(st->label, p->pSourceData, st->label_len);
	return CKR_OK;
}

CK_DEFINE_FUNCTION(CK_RV, C_DecryptInit)(CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism,
					 CK_OBJECT_HANDLE hKey)
{
	kzt_decrypt_state *st = NULL;
	const kzt_mech *mech;
	kzt_session *s;
	size_t bits;
	kzt_op op;
	CK_RV rv;

	if ((rv = kzt_mech_begin(hSession, pMechanism, CKF_DECRYPT, 1, &op, &mech)) != CKR_OK)
		return rv;
	if ((st = calloc(1, sizeof(*st))) == NULL) {
		rv = CKR_HOST_MEMORY;
		goto out;
	}
	st->mech = mech;
	if ((rv = kzt_private_key(&op, hKey, CKA_DECRYPT, &st->card_key, &st->k, &bits)) != CKR_OK)
		goto out;
	if (mech->unpad == KZT_UNPAD_OAEP)
		rv = oaep_params(pMechanism, st);
	else if (pMechanism->pParameter != NULL || pMechanism->ulParameterLen != 0)
		rv = CKR_MECHANISM_PARAM_INVALID;
	if (rv != CKR_OK || (rv = kzt_enter_session(hSession, &s)) != CKR_OK)
		goto out;
	if (s->decrypt != NULL) {
		rv = CKR_OPERATION_ACTIVE;
	} else {
		s->decrypt = st;
		st = NULL;
	}
	kzt_leave();
out:
	free(st);
	kzt_card_end(&op);
	return rv;
}

/* The card's raw result, unpadded into st->plain. */
static CK_RV
recover(kzt_op *op, kzt_decrypt_state *st, const CK_BYTE *ct, CK_ULONG ct_len)
{
	uint8_t em[512];
	size_t em_len = 0;
	CK_RV rv;
	int r;

	if (ct_len != st->k)
		return CKR_ENCRYPTED_DATA_LEN_RANGE;
	r = kzt_token_rsa_private(op->token, st->card_key, 1, ct, ct_len, em, sizeof(em), &em_len);
	if ((rv = kzt_card_status(op, r)) != CKR_OK) {
		kzt_secure_zero(em, sizeof(em));
		return rv == CKR_DATA_INVALID ? CKR_ENCRYPTED_DATA_INVALID : rv;
	}
	switch (st->mech->unpad) {
	case KZT_UNPAD_RAW:
		memcpy(st->plain, em, em_len);
		st->plain_len = em_len;
		r = KZT_OK;
		break;
	case KZT_UNPAD_PKCS1:
		r = kzt_pkcs1_decrypt_unpad(em, em_len, st->plain, &st->plain_len);
		break;
	default:
		r = kzt_oaep_decode((kzt_hash)st->oaep_hash, (kzt_hash)st->oaep_mgf, st->label,
				    st->label_len, em, em_len, st->plain, &st->plain_len);
	}
	kzt_secure_zero(em, sizeof(em));
	if (r != KZT_OK)
		return CKR_ENCRYPTED_DATA_INVALID; /* one answer for every bad padding */
	st->have_plain = 1;
	return CKR_OK;
}

CK_DEFINE_FUNCTION(CK_RV, C_Decrypt)(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pEncryptedData,
				     CK_ULONG ulEncryptedDataLen, CK_BYTE_PTR pData,
				     CK_ULONG_PTR pulDataLen)
{
	kzt_decrypt_state *st;
	kzt_session *s;
	kzt_op op;
	CK_RV rv;

	if ((rv = kzt_card_begin_session(hSession, &op)) != CKR_OK)
		return rv;
	if ((rv = kzt_enter_session(hSession, &s)) != CKR_OK)
		goto out;
	st = s->decrypt;
	kzt_leave();
	if (st == NULL) {
		rv = CKR_OPERATION_NOT_INITIALIZED;
		goto out;
	}
	if (pulDataLen == NULL || (pEncryptedData == NULL && ulEncryptedDataLen > 0)) {
		rv = CKR_ARGUMENTS_BAD;
		goto out;
	}
	if (pData == NULL && !st->have_plain) {
		*pulDataLen = st->k; /* no more than the modulus; the exact length needs the card */
		goto out;
	}
	if (!st->have_plain && (rv = recover(&op, st, pEncryptedData, ulEncryptedDataLen)) != CKR_OK)
		goto end;
	if (pData == NULL || *pulDataLen < st->plain_len) {
		rv = pData == NULL ? CKR_OK : CKR_BUFFER_TOO_SMALL;
		*pulDataLen = st->plain_len; /* the operation goes on, the result kept */
		goto out;
	}
	memcpy(pData, st->plain, st->plain_len);
	*pulDataLen = st->plain_len;
end:
	if (kzt_enter_session(hSession, &s) == CKR_OK) {
		kzt_decrypt_end(s);
		kzt_leave();
	}
out:
	kzt_card_end(&op);
	return rv;
}
