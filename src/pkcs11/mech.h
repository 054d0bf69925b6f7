/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* The mechanisms the module offers, in one table: what C_GetMechanismList and
 * C_GetMechanismInfo report, and how each signature mechanism makes its block. */
#ifndef KZT_MECH_H
#define KZT_MECH_H

#include "crypto.h"
#include "kaztoken/pkcs11.h"

typedef enum kzt_encoding {
	KZT_ENC_NONE,    /* key generation */
	KZT_ENC_X509,    /* raw: the data, left-padded with zeros to the modulus */
	KZT_ENC_PKCS1,   /* EMSA-PKCS1-v1_5 around the caller's DigestInfo */
	KZT_ENC_PSS,     /* EMSA-PSS of the caller's hash */
	KZT_ENC_ECDSA,   /* ECDSA of the hash (the caller's: its leftmost bytes, the order's size) */
	KZT_ENC_GOST,    /* GOST R 34.10-2012 of the hash (the caller's: the key's size exactly) */
} kzt_encoding;

/* The padding of an encryption (decryption, verification with recovery). */
typedef enum kzt_padding {
	KZT_PAD_NONE,  /* not such a mechanism */
	KZT_PAD_RAW,   /* CKM_RSA_X_509: the whole block */
	KZT_PAD_PKCS1, /* RSAES-PKCS1-v1_5 (block type 2); recovery: block type 1 */
	KZT_PAD_OAEP,
} kzt_padding;

typedef struct kzt_mech {
	CK_MECHANISM_TYPE type;
	CK_FLAGS flags;       /* CKF_SIGN, CKF_DECRYPT, ... (CKF_HW added for key mechanisms) */
	kzt_encoding encoding;
	int hashes;           /* the module hashes the data first with hash */
	kzt_hash hash;
	kzt_padding padding;
	CK_KEY_TYPE key;      /* the key type it works with (digests: none, CKK_RSA) */
} kzt_mech;

/* The entry for type, or NULL. */
const kzt_mech *kzt_mech_find(CK_MECHANISM_TYPE type);
/* CKM_SHA_1 ... CKM_SHA512 to a hash; 0 when it is none of them. */
int kzt_mech_hash(CK_MECHANISM_TYPE type, kzt_hash *h);
/* CKG_MGF1_SHA1 ... to a hash; 0 when unknown. */
int kzt_mech_mgf(CK_RSA_PKCS_MGF_TYPE mgf, kzt_hash *h);

#define KZT_RSA_MIN_BITS 2048
#define KZT_RSA_MAX_BITS 4096

#endif
