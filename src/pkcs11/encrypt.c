/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* Encryption with a public key from the token, on the host: RSAES-PKCS1-v1_5,
 * OAEP, or raw RSA. Single-part, as PKCS#11 defines RSA encryption. */
#include <string.h>

#include "crypto.h"
#include "internal.h"
#include "kzt_err.h"
#include "mech.h"
#include "secmem.h"

CK_DEFINE_FUNCTION(CK_RV, C_EncryptInit)(CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism,
					 CK_OBJECT_HANDLE hKey)
{
	return kzt_rsa_init(hSession, pMechanism, hKey, CKF_ENCRYPT);
}

/* The message padded into the block (k bytes) the public key raises. */
static CK_RV
pad(const kzt_rsa_state *st, const CK_BYTE *msg, CK_ULONG len, uint8_t *em)
{
	int r;

	switch (st->mech->padding) {
	case KZT_PAD_RAW:
		if (len > st->k)
			return CKR_DATA_LEN_RANGE;
		memset(em, 0, st->k - len);
		if (len > 0)
			memcpy(em + st->k - len, msg, len);
		return CKR_OK;
	case KZT_PAD_PKCS1:
		r = kzt_pkcs1_encrypt_pad(msg, len, em, st->k);
		break;
	case KZT_PAD_OAEP:
		r = kzt_oaep_encode((kzt_hash)st->oaep_hash, (kzt_hash)st->oaep_mgf, st->label,
				    st->label_len, msg, len, em, st->k);
		break;
	default:
		return CKR_GENERAL_ERROR;
	}
	return r == KZT_OK ? CKR_OK : r == KZT_ERR_DATA ? CKR_DATA_LEN_RANGE : CKR_GENERAL_ERROR;
}

/* The ciphertext is always the modulus long: a NULL buffer or one too small
 * leaves the operation active; anything else ends it. Host arithmetic only. */
CK_DEFINE_FUNCTION(CK_RV, C_Encrypt)(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pData, CK_ULONG ulDataLen,
				     CK_BYTE_PTR pEncryptedData, CK_ULONG_PTR pulEncryptedDataLen)
{
	uint8_t em[KZT_RSA_MAX_BYTES];
	kzt_rsa_state *st;
	kzt_session *s;
	CK_RV rv;
	int keep = 0, r;

	if ((rv = kzt_initialized()) != CKR_OK)
		return rv;
	if ((rv = kzt_session_acquire(hSession, &s)) != CKR_OK)
		return rv;
	if ((rv = kzt_run_take(s, KZT_RUN_ENCRYPT, (void **)&st)) != CKR_OK)
		goto out;
	if (pulEncryptedDataLen == NULL || (pData == NULL && ulDataLen > 0)) {
		rv = CKR_ARGUMENTS_BAD;
	} else if (!kzt_output_room(pEncryptedData, pulEncryptedDataLen, st->k, &rv)) {
		keep = 1;
	} else if ((rv = pad(st, pData, ulDataLen, em)) == CKR_OK) {
		r = kzt_pubkey_raise(&st->pub, em, pEncryptedData);
		rv = r == KZT_OK ? CKR_OK : r == KZT_ERR_DATA ? CKR_DATA_LEN_RANGE : CKR_GENERAL_ERROR;
		if (rv == CKR_OK)
			*pulEncryptedDataLen = st->k;
	}
	kzt_secure_zero(em, sizeof(em));
	kzt_run_put(s, KZT_RUN_ENCRYPT, st, keep);
out:
	kzt_session_release(s);
	return rv;
}
