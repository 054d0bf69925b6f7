/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* The mechanism table and C_GetMechanismList / C_GetMechanismInfo. */
#include <stddef.h>

#include "internal.h"
#include "kaztoken/vendor.h"
#include "mech.h"

/* What raw RSA with PKCS#1 v1.5 or no padding offers. */
#define RSA_ALL (CKF_SIGN | CKF_VERIFY | CKF_VERIFY_RECOVER | CKF_ENCRYPT | CKF_DECRYPT)
/* ECDSA: prime fields, named curves, uncompressed points */
#define EC_CURVES (CKF_EC_F_P | CKF_EC_NAMEDCURVE | CKF_EC_UNCOMPRESS)
#define EC_SIGN (CKF_SIGN | CKF_VERIFY | EC_CURVES)

static const kzt_mech mechs[] = {
	{CKM_RSA_PKCS_KEY_PAIR_GEN, CKF_GENERATE_KEY_PAIR, KZT_ENC_NONE, 0, KZT_SHA1, KZT_PAD_NONE, CKK_RSA},
	{CKM_RSA_PKCS, RSA_ALL, KZT_ENC_PKCS1, 0, KZT_SHA1, KZT_PAD_PKCS1, CKK_RSA},
	{CKM_RSA_X_509, RSA_ALL, KZT_ENC_X509, 0, KZT_SHA1, KZT_PAD_RAW, CKK_RSA},
	{CKM_RSA_PKCS_OAEP, CKF_ENCRYPT | CKF_DECRYPT, KZT_ENC_NONE, 0, KZT_SHA1, KZT_PAD_OAEP, CKK_RSA},
	{CKM_RSA_PKCS_PSS, CKF_SIGN | CKF_VERIFY, KZT_ENC_PSS, 0, KZT_SHA1, KZT_PAD_NONE, CKK_RSA},
	{CKM_SHA1_RSA_PKCS, CKF_SIGN | CKF_VERIFY, KZT_ENC_PKCS1, 1, KZT_SHA1, KZT_PAD_NONE, CKK_RSA},
	{CKM_SHA224_RSA_PKCS, CKF_SIGN | CKF_VERIFY, KZT_ENC_PKCS1, 1, KZT_SHA224, KZT_PAD_NONE, CKK_RSA},
	{CKM_SHA256_RSA_PKCS, CKF_SIGN | CKF_VERIFY, KZT_ENC_PKCS1, 1, KZT_SHA256, KZT_PAD_NONE, CKK_RSA},
	{CKM_SHA384_RSA_PKCS, CKF_SIGN | CKF_VERIFY, KZT_ENC_PKCS1, 1, KZT_SHA384, KZT_PAD_NONE, CKK_RSA},
	{CKM_SHA512_RSA_PKCS, CKF_SIGN | CKF_VERIFY, KZT_ENC_PKCS1, 1, KZT_SHA512, KZT_PAD_NONE, CKK_RSA},
	{CKM_SHA1_RSA_PKCS_PSS, CKF_SIGN | CKF_VERIFY, KZT_ENC_PSS, 1, KZT_SHA1, KZT_PAD_NONE, CKK_RSA},
	{CKM_SHA224_RSA_PKCS_PSS, CKF_SIGN | CKF_VERIFY, KZT_ENC_PSS, 1, KZT_SHA224, KZT_PAD_NONE, CKK_RSA},
	{CKM_SHA256_RSA_PKCS_PSS, CKF_SIGN | CKF_VERIFY, KZT_ENC_PSS, 1, KZT_SHA256, KZT_PAD_NONE, CKK_RSA},
	{CKM_SHA384_RSA_PKCS_PSS, CKF_SIGN | CKF_VERIFY, KZT_ENC_PSS, 1, KZT_SHA384, KZT_PAD_NONE, CKK_RSA},
	{CKM_SHA512_RSA_PKCS_PSS, CKF_SIGN | CKF_VERIFY, KZT_ENC_PSS, 1, KZT_SHA512, KZT_PAD_NONE, CKK_RSA},
	{CKM_EC_KEY_PAIR_GEN, CKF_GENERATE_KEY_PAIR | EC_CURVES, KZT_ENC_NONE, 0, KZT_SHA1, KZT_PAD_NONE, CKK_EC},
	{CKM_ECDSA, EC_SIGN, KZT_ENC_ECDSA, 0, KZT_SHA1, KZT_PAD_NONE, CKK_EC},
	{CKM_ECDSA_SHA1, EC_SIGN, KZT_ENC_ECDSA, 1, KZT_SHA1, KZT_PAD_NONE, CKK_EC},
	{CKM_ECDSA_SHA224, EC_SIGN, KZT_ENC_ECDSA, 1, KZT_SHA224, KZT_PAD_NONE, CKK_EC},
	{CKM_ECDSA_SHA256, EC_SIGN, KZT_ENC_ECDSA, 1, KZT_SHA256, KZT_PAD_NONE, CKK_EC},
	{CKM_ECDSA_SHA384, EC_SIGN, KZT_ENC_ECDSA, 1, KZT_SHA384, KZT_PAD_NONE, CKK_EC},
	{CKM_ECDSA_SHA512, EC_SIGN, KZT_ENC_ECDSA, 1, KZT_SHA512, KZT_PAD_NONE, CKK_EC},
	{CKM_GOSTR3410_KEY_PAIR_GEN, CKF_GENERATE_KEY_PAIR, KZT_ENC_NONE, 0, KZT_STREEBOG256, KZT_PAD_NONE,
	 CKK_GOSTR3410},
	{CKM_GOSTR3410_512_KEY_PAIR_GEN, CKF_GENERATE_KEY_PAIR, KZT_ENC_NONE, 0, KZT_STREEBOG512, KZT_PAD_NONE,
	 CKK_GOSTR3410_512},
	{CKM_GOSTR3410, CKF_SIGN | CKF_VERIFY, KZT_ENC_GOST, 0, KZT_STREEBOG256, KZT_PAD_NONE, CKK_GOSTR3410},
	{CKM_GOSTR3410_512, CKF_SIGN | CKF_VERIFY, KZT_ENC_GOST, 0, KZT_STREEBOG512, KZT_PAD_NONE,
	 CKK_GOSTR3410_512},
	{CKM_GOSTR3410_WITH_GOSTR3411_12_256, CKF_SIGN | CKF_VERIFY, KZT_ENC_GOST, 1, KZT_STREEBOG256,
	 KZT_PAD_NONE, CKK_GOSTR3410},
	{CKM_GOSTR3410_WITH_GOSTR3411_12_512, CKF_SIGN | CKF_VERIFY, KZT_ENC_GOST, 1, KZT_STREEBOG512,
	 KZT_PAD_NONE, CKK_GOSTR3410_512},
	{CKM_SHA_1, CKF_DIGEST, KZT_ENC_NONE, 1, KZT_SHA1, KZT_PAD_NONE, CKK_RSA},
	{CKM_SHA224, CKF_DIGEST, KZT_ENC_NONE, 1, KZT_SHA224, KZT_PAD_NONE, CKK_RSA},
	{CKM_SHA256, CKF_DIGEST, KZT_ENC_NONE, 1, KZT_SHA256, KZT_PAD_NONE, CKK_RSA},
	{CKM_SHA384, CKF_DIGEST, KZT_ENC_NONE, 1, KZT_SHA384, KZT_PAD_NONE, CKK_RSA},
	{CKM_SHA512, CKF_DIGEST, KZT_ENC_NONE, 1, KZT_SHA512, KZT_PAD_NONE, CKK_RSA},
	{CKM_GOSTR3411_12_256, CKF_DIGEST, KZT_ENC_NONE, 1, KZT_STREEBOG256, KZT_PAD_NONE, CKK_RSA},
	{CKM_GOSTR3411_12_512, CKF_DIGEST, KZT_ENC_NONE, 1, KZT_STREEBOG512, KZT_PAD_NONE, CKK_RSA},
};
#define N_MECHS (sizeof(mechs) / sizeof(mechs[0]))

const kzt_mech *
kzt_mech_find(CK_MECHANISM_TYPE type)
{
	size_t i;

	for (i = 0; i < N_MECHS; i++)
		if (mechs[i].type == type)
			return &mechs[i];
	return NULL;
}

int
kzt_mech_hash(CK_MECHANISM_TYPE type, kzt_hash *h)
{
	switch (type) {
	case CKM_SHA_1: *h = KZT_SHA1; return 1;
	case CKM_SHA224: *h = KZT_SHA224; return 1;
	case CKM_SHA256: *h = KZT_SHA256; return 1;
	case CKM_SHA384: *h = KZT_SHA384; return 1;
	case CKM_SHA512: *h = KZT_SHA512; return 1;
	default: return 0;
	}
}

int
kzt_mech_mgf(CK_RSA_PKCS_MGF_TYPE mgf, kzt_hash *h)
{
	switch (mgf) {
	case CKG_MGF1_SHA1: *h = KZT_SHA1; return 1;
	case CKG_MGF1_SHA224: *h = KZT_SHA224; return 1;
	case CKG_MGF1_SHA256: *h = KZT_SHA256; return 1;
	case CKG_MGF1_SHA384: *h = KZT_SHA384; return 1;
	case CKG_MGF1_SHA512: *h = KZT_SHA512; return 1;
	default: return 0;
	}
}

/* Does the slot's token have elliptic-curve keys? Asked of the card's own word
 * (its SELECT answer); with no token to ask, yes: the list is then the module's. */
static int
token_has_ec(CK_SLOT_ID id)
{
	kzt_op op;
	int ec;

	if (kzt_card_begin_slot(id, &op) != CKR_OK)
		return 1;
	ec = (kzt_token_card_info(op.token)->capabilities & KZT_CAP_EC) != 0;
	kzt_card_end(&op);
	return ec;
}

/* Is m offered by a token that has (or not) EC keys? */
static int
offered(const kzt_mech *m, int ec)
{
	return ec || (m->flags & CKF_DIGEST) || m->key == CKK_RSA;
}

CK_DEFINE_FUNCTION(CK_RV, C_GetMechanismList)(CK_SLOT_ID slotID,
					      CK_MECHANISM_TYPE_PTR pMechanismList,
					      CK_ULONG_PTR pulCount)
{
	kzt_slot *slot;
	CK_ULONG have, i, n = 0;
	CK_RV rv;
	int ec;

	if ((rv = kzt_slot_get(slotID, &slot)) != CKR_OK)
		return rv;
	if (pulCount == NULL)
		return CKR_ARGUMENTS_BAD;
	ec = token_has_ec(slotID);
	for (i = 0; i < N_MECHS; i++)
		n += offered(&mechs[i], ec) != 0;
	have = *pulCount;
	*pulCount = n;
	if (pMechanismList == NULL)
		return CKR_OK;
	if (have < n)
		return CKR_BUFFER_TOO_SMALL;
	for (n = 0, i = 0; i < N_MECHS; i++)
		if (offered(&mechs[i], ec))
			pMechanismList[n++] = mechs[i].type;
	return CKR_OK;
}

CK_DEFINE_FUNCTION(CK_RV, C_GetMechanismInfo)(CK_SLOT_ID slotID, CK_MECHANISM_TYPE type,
					      CK_MECHANISM_INFO_PTR pInfo)
{
	const kzt_mech *m;
	kzt_slot *slot;
	CK_RV rv;

	if ((rv = kzt_slot_get(slotID, &slot)) != CKR_OK)
		return rv;
	if (pInfo == NULL)
		return CKR_ARGUMENTS_BAD;
	if ((m = kzt_mech_find(type)) == NULL || !offered(m, m->key == CKK_RSA || token_has_ec(slotID)))
		return CKR_MECHANISM_INVALID;
	if (m->flags & CKF_DIGEST) { /* hashing is the host's, and keyless */
		pInfo->ulMinKeySize = pInfo->ulMaxKeySize = 0;
		pInfo->flags = m->flags;
		return CKR_OK;
	}
	switch (m->key) {
	case CKK_EC: /* P-256, P-384 */
		pInfo->ulMinKeySize = 256;
		pInfo->ulMaxKeySize = 384;
		break;
	case CKK_GOSTR3410:
		pInfo->ulMinKeySize = pInfo->ulMaxKeySize = 256;
		break;
	case CKK_GOSTR3410_512:
		pInfo->ulMinKeySize = pInfo->ulMaxKeySize = 512;
		break;
	default:
		pInfo->ulMinKeySize = KZT_RSA_MIN_BITS;
		pInfo->ulMaxKeySize = KZT_RSA_MAX_BITS;
	}
	/* every private-key operation happens on the token */
	pInfo->flags = m->flags | CKF_HW;
	return CKR_OK;
}
