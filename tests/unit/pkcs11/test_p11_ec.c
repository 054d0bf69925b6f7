/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* Elliptic-curve keys in-process: ECDSA (P-256, P-384) and GOST R 34.10-2012 keys
 * made on the card, their attributes, signing and verifying with every mechanism
 * (ECDSA signatures checked by OpenSSL too), the templates refused, Kazakhstan's
 * OIDs, and a key the card holds without the module's attributes. */
#define OPENSSL_SUPPRESS_DEPRECATED /* (EC_KEY: the shortest way to check one signature) */
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/ecdsa.h>
#include <openssl/obj_mac.h>
#include <openssl/sha.h>
#include <stdlib.h>

#include "kaztoken/vendor.h"
#include "p11_fixture.h"

typedef struct oid {
	const CK_BYTE *der;
	CK_ULONG len;
} oid;
#define OID(...) ((oid){(const CK_BYTE[]){__VA_ARGS__}, sizeof((const CK_BYTE[]){__VA_ARGS__})})
#define P256 OID(0x06, 0x08, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07)
#define P384 OID(0x06, 0x05, 0x2B, 0x81, 0x04, 0x00, 0x22)
#define SECP256K1 OID(0x06, 0x05, 0x2B, 0x81, 0x04, 0x00, 0x0A)
#define CP_A OID(0x06, 0x07, 0x2A, 0x85, 0x03, 0x02, 0x02, 0x23, 0x01)
#define CP_B OID(0x06, 0x07, 0x2A, 0x85, 0x03, 0x02, 0x02, 0x23, 0x02)
#define CP_C OID(0x06, 0x07, 0x2A, 0x85, 0x03, 0x02, 0x02, 0x23, 0x03)
#define TC26_256_A OID(0x06, 0x09, 0x2A, 0x85, 0x03, 0x07, 0x01, 0x02, 0x01, 0x01, 0x01)
#define TC26_256_B OID(0x06, 0x09, 0x2A, 0x85, 0x03, 0x07, 0x01, 0x02, 0x01, 0x01, 0x02)
#define TC26_512_A OID(0x06, 0x09, 0x2A, 0x85, 0x03, 0x07, 0x01, 0x02, 0x01, 0x02, 0x01)
#define TC26_512_B OID(0x06, 0x09, 0x2A, 0x85, 0x03, 0x07, 0x01, 0x02, 0x01, 0x02, 0x02)
#define TC26_512_C OID(0x06, 0x09, 0x2A, 0x85, 0x03, 0x07, 0x01, 0x02, 0x01, 0x02, 0x03)
#define STREEBOG256 OID(0x06, 0x08, 0x2A, 0x85, 0x03, 0x07, 0x01, 0x01, 0x02, 0x02)
#define STREEBOG512 OID(0x06, 0x08, 0x2A, 0x85, 0x03, 0x07, 0x01, 0x01, 0x02, 0x03)
#define GOST94_HASH OID(0x06, 0x07, 0x2A, 0x85, 0x03, 0x02, 0x02, 0x1E, 0x01)
/* Kazakhstan's (docs/gost.md) */
#define KZ_2015_512_A OID(0x06, 0x0A, 0x2A, 0x83, 0x0E, 0x03, 0x0A, 0x01, 0x01, 0x02, 0x02, 0x01)
#define KZ_2015_512_B OID(0x06, 0x0A, 0x2A, 0x83, 0x0E, 0x03, 0x0A, 0x01, 0x01, 0x02, 0x02, 0x02)
#define KZ_2015_256_A OID(0x06, 0x0A, 0x2A, 0x83, 0x0E, 0x03, 0x0A, 0x01, 0x01, 0x02, 0x01, 0x01)
#define KZ_2004_A OID(0x06, 0x0A, 0x2A, 0x83, 0x0E, 0x03, 0x0A, 0x01, 0x01, 0x01, 0x01, 0x01)
#define KZ_STREEBOG512 OID(0x06, 0x08, 0x2A, 0x83, 0x0E, 0x03, 0x0A, 0x01, 0x03, 0x03)

static CK_BBOOL yes = CK_TRUE;

/* A key pair: mech with the curve (and hash, if given) in the templates, the
 * generation answering want. */
static CK_RV
make_pair(fixture *f, CK_SESSION_HANDLE h, CK_MECHANISM_TYPE mech, oid curve, const oid *hash,
	  const oid *priv_curve, CK_OBJECT_HANDLE *pub, CK_OBJECT_HANDLE *priv)
{
	CK_MECHANISM m = {mech, NULL, 0};
	CK_ATTRIBUTE_TYPE pt = mech == CKM_EC_KEY_PAIR_GEN ? CKA_EC_PARAMS : CKA_GOSTR3410_PARAMS;
	CK_BYTE id[] = {0x42};
	CK_ATTRIBUTE pubt[] = {{CKA_TOKEN, &yes, 1}, {CKA_ID, id, 1}, {pt, (void *)curve.der, curve.len},
			       {CKA_GOSTR3411_PARAMS, NULL, 0}};
	CK_ATTRIBUTE privt[] = {{CKA_TOKEN, &yes, 1}, {CKA_ID, id, 1}, {CKA_SIGN, &yes, 1},
				{pt, NULL, 0}, {CKA_GOSTR3411_PARAMS, NULL, 0}};
	CK_ULONG pn = 3, sn = 3;

	if (curve.len == 0)
		pn = 2; /* no curve named */
	if (priv_curve != NULL)
		privt[sn++] = (CK_ATTRIBUTE){pt, (void *)priv_curve->der, priv_curve->len};
	if (hash != NULL) {
		pubt[pn++] = (CK_ATTRIBUTE){CKA_GOSTR3411_PARAMS, (void *)hash->der, hash->len};
		privt[sn++] = (CK_ATTRIBUTE){CKA_GOSTR3411_PARAMS, (void *)hash->der, hash->len};
	}
	return f->p->C_GenerateKeyPair(h, &m, pubt, pn, privt, sn, pub, priv);
}

static void
assert_attr(fixture *f, CK_SESSION_HANDLE h, CK_OBJECT_HANDLE o, CK_ATTRIBUTE_TYPE type, oid want)
{
	CK_BYTE v[256];
	CK_ATTRIBUTE t = {type, v, sizeof(v)};

	assert_int_equal(f->p->C_GetAttributeValue(h, o, &t, 1), CKR_OK);
	assert_int_equal(t.ulValueLen, want.len);
	assert_memory_equal(v, want.der, want.len);
}

static CK_ULONG
get_ulong(fixture *f, CK_SESSION_HANDLE h, CK_OBJECT_HANDLE o, CK_ATTRIBUTE_TYPE type)
{
	CK_ULONG v = 0;
	CK_ATTRIBUTE t = {type, &v, sizeof(v)};

	assert_int_equal(f->p->C_GetAttributeValue(h, o, &t, 1), CKR_OK);
	return v;
}

/* The signature of data with mech (its length into *len), checked by C_Verify
 * with pub: the first answer that is not CKR_OK. */
static CK_RV
sign_verify(fixture *f, CK_SESSION_HANDLE h, CK_MECHANISM_TYPE mech, CK_OBJECT_HANDLE priv,
	    CK_OBJECT_HANDLE pub, const CK_BYTE *data, CK_ULONG len, CK_BYTE *sig, CK_ULONG *sig_len)
{
	CK_MECHANISM m = {mech, NULL, 0};
	CK_RV rv;

	*sig_len = 256;
	if ((rv = f->p->C_SignInit(h, &m, priv)) != CKR_OK ||
	    (rv = f->p->C_Sign(h, (CK_BYTE_PTR)data, len, sig, sig_len)) != CKR_OK)
		return rv;
	if ((rv = f->p->C_VerifyInit(h, &m, pub)) != CKR_OK)
		return rv;
	return f->p->C_Verify(h, (CK_BYTE_PTR)data, len, sig, *sig_len);
}

/* OpenSSL's verdict on an ECDSA signature r || s of hash under CKA_EC_POINT. */
static int
openssl_verifies(int nid, const CK_BYTE *ec_point, CK_ULONG point_len, const CK_BYTE *hash,
		 size_t hash_len, const CK_BYTE *sig, size_t sig_len)
{
	EC_KEY *k = EC_KEY_new_by_curve_name(nid);
	EC_POINT *q = EC_POINT_new(EC_KEY_get0_group(k));
	ECDSA_SIG *s = ECDSA_SIG_new();
	int ok;

	assert_int_equal(ec_point[0], 0x04); /* a DER OCTET STRING... */
	assert_int_equal(ec_point[1], point_len - 2);
	assert_int_equal(EC_POINT_oct2point(EC_KEY_get0_group(k), q, ec_point + 2, point_len - 2, NULL), 1);
	assert_int_equal(EC_KEY_set_public_key(k, q), 1);
	assert_int_equal(ECDSA_SIG_set0(s, BN_bin2bn(sig, (int)sig_len / 2, NULL),
					BN_bin2bn(sig + sig_len / 2, (int)sig_len / 2, NULL)),
			 1);
	ok = ECDSA_do_verify(hash, (int)hash_len, s, k);
	ECDSA_SIG_free(s);
	EC_POINT_free(q);
	EC_KEY_free(k);
	return ok;
}

static void
test_ecdsa_keys_are_made_on_both_curves_with_the_attributes_pkcs11_names(void **state)
{
	fixture *f = *state;
	static const struct {
		int nid;
		size_t bytes;
	} want[2] = {{NID_X9_62_prime256v1, 32}, {NID_secp384r1, 48}};
	oid curves[2] = {P256, P384};
	CK_BYTE point[128], sig[256], msg[] = "Төлем тапсырмасы № 17", hash[SHA384_DIGEST_LENGTH];
	CK_ATTRIBUTE t = {CKA_EC_POINT, point, sizeof(point)};
	CK_ATTRIBUTE secret[] = {{CKA_EC_POINT, NULL, 0}, {CKA_VALUE, NULL, 0}};
	CK_OBJECT_HANDLE pub, priv;
	CK_SESSION_HANDLE h;
	CK_ULONG sig_len;
	CK_BBOOL b;
	CK_ATTRIBUTE decrypt = {CKA_DECRYPT, &b, 1};
	CK_ULONG ec = CKK_EC;
	CK_ATTRIBUTE by_type[] = {{CKA_KEY_TYPE, &ec, sizeof(ec)}};
	CK_ATTRIBUTE by_curve[] = {{CKA_EC_PARAMS, (void *)P384.der, P384.len}};
	int i;

	h = user_session(f);
	for (i = 0; i < 2; i++) {
		assert_int_equal(make_pair(f, h, CKM_EC_KEY_PAIR_GEN, curves[i], NULL, NULL, &pub, &priv), CKR_OK);
		assert_int_equal(get_ulong(f, h, pub, CKA_KEY_TYPE), CKK_EC);
		assert_int_equal(get_ulong(f, h, priv, CKA_KEY_TYPE), CKK_EC);
		assert_int_equal(get_ulong(f, h, priv, CKA_KEY_GEN_MECHANISM), CKM_EC_KEY_PAIR_GEN);
		assert_attr(f, h, pub, CKA_EC_PARAMS, curves[i]);
		assert_attr(f, h, priv, CKA_EC_PARAMS, curves[i]);
		t.ulValueLen = sizeof(point);
		assert_int_equal(f->p->C_GetAttributeValue(h, pub, &t, 1), CKR_OK);
		/* 04 len 04 || x || y: the point in a DER OCTET STRING */
		assert_int_equal(t.ulValueLen, 3 + 2 * want[i].bytes);
		assert_int_equal(point[0], 0x04);
		assert_int_equal(point[2], 0x04);
		/* the private key: no point, its secret sensitive; it only signs */
		assert_int_equal(f->p->C_GetAttributeValue(h, priv, secret, 2), CKR_ATTRIBUTE_SENSITIVE);
		assert_int_equal(secret[0].ulValueLen, CK_UNAVAILABLE_INFORMATION);
		assert_int_equal(secret[1].ulValueLen, CK_UNAVAILABLE_INFORMATION);
		assert_int_equal(f->p->C_GetAttributeValue(h, priv, &decrypt, 1), CKR_OK);
		assert_false(b);
		/* signed on the card, verified by the module and by OpenSSL */
		assert_int_equal(sign_verify(f, h, CKM_ECDSA_SHA256, priv, pub, msg, sizeof(msg), sig, &sig_len),
				 CKR_OK);
		assert_int_equal(sig_len, 2 * want[i].bytes);
		SHA256(msg, sizeof(msg), hash);
		assert_int_equal(openssl_verifies(want[i].nid, point, t.ulValueLen, hash, 32, sig, sig_len), 1);
		assert_int_equal(sign_verify(f, h, CKM_ECDSA_SHA384, priv, pub, msg, sizeof(msg), sig, &sig_len),
				 CKR_OK);
		SHA384(msg, sizeof(msg), hash);
		/* (OpenSSL truncates the hash to the order's size as the module does) */
		assert_int_equal(openssl_verifies(want[i].nid, point, t.ulValueLen, hash, 48, sig, sig_len), 1);
	}
	/* a new module instance reads the same keys back from the card */
	assert_int_equal(f->p->C_Finalize(NULL), CKR_OK);
	h = user_session(f);
	assert_int_equal(p11_count(f, h, by_type, 1), 4);
	assert_int_equal(p11_count(f, h, by_curve, 1), 2);
}

static void
test_ecdsa_signs_a_hash_or_hashes_itself_and_a_bad_signature_is_refused(void **state)
{
	fixture *f = *state;
	CK_MECHANISM ecdsa = {CKM_ECDSA, NULL, 0}, sha = {CKM_ECDSA_SHA512, NULL, 0},
		     rsa = {CKM_SHA256_RSA_PKCS, NULL, 0}, oaep = {CKM_RSA_PKCS, NULL, 0};
	CK_BYTE hash[64], sig[256], sig2[256], msg[300];
	CK_OBJECT_HANDLE pub, priv, rpub, rpriv;
	CK_ULONG len, len2;
	CK_SESSION_HANDLE h;
	unsigned long before;

	memset(msg, 'k', sizeof(msg));
	h = user_session(f);
	assert_int_equal(make_pair(f, h, CKM_EC_KEY_PAIR_GEN, P256, NULL, NULL, &pub, &priv), CKR_OK);
	generate(f, h, 2048, CK_TRUE, &rpub, &rpriv, CKR_OK);
	/* CKM_ECDSA signs the caller's hash: two APDUs */
	SHA512(msg, sizeof(msg), hash);
	before = card_apdus(f);
	assert_int_equal(sign_verify(f, h, CKM_ECDSA, priv, pub, hash, 32, sig, &len), CKR_OK);
	assert_int_equal(card_apdus(f) - before, 2);
	assert_int_equal(len, 64);
	/* a longer hash counts by its leftmost bytes, as ECDSA says: a SHA-512 hash
	 * signed raw is CKM_ECDSA_SHA512's signature */
	assert_int_equal(sign_verify(f, h, CKM_ECDSA, priv, pub, hash, 64, sig, &len), CKR_OK);
	assert_int_equal(f->p->C_VerifyInit(h, &sha, pub), CKR_OK);
	assert_int_equal(f->p->C_VerifyUpdate(h, msg, 100), CKR_OK);
	assert_int_equal(f->p->C_VerifyUpdate(h, msg + 100, sizeof(msg) - 100), CKR_OK);
	assert_int_equal(f->p->C_VerifyFinal(h, sig, len), CKR_OK);
	/* ...and in parts too */
	assert_int_equal(f->p->C_SignInit(h, &sha, priv), CKR_OK);
	assert_int_equal(f->p->C_SignUpdate(h, msg, 7), CKR_OK);
	assert_int_equal(f->p->C_SignUpdate(h, msg + 7, sizeof(msg) - 7), CKR_OK);
	len2 = 0;
	assert_int_equal(f->p->C_SignFinal(h, NULL, &len2), CKR_OK);
	assert_int_equal(len2, 64);
	assert_int_equal(f->p->C_SignFinal(h, sig2, &len2), CKR_OK);
	assert_memory_not_equal(sig, sig2, 64); /* a fresh nonce each time */
	assert_int_equal(f->p->C_VerifyInit(h, &ecdsa, pub), CKR_OK);
	assert_int_equal(f->p->C_Verify(h, hash, 64, sig2, len2), CKR_OK);
	/* a changed signature, a changed hash, a short signature */
	sig[5] ^= 1;
	assert_int_equal(f->p->C_VerifyInit(h, &ecdsa, pub), CKR_OK);
	assert_int_equal(f->p->C_Verify(h, hash, 64, sig, 64), CKR_SIGNATURE_INVALID);
	sig[5] ^= 1;
	hash[0] ^= 1;
	assert_int_equal(f->p->C_VerifyInit(h, &ecdsa, pub), CKR_OK);
	assert_int_equal(f->p->C_Verify(h, hash, 64, sig, 64), CKR_SIGNATURE_INVALID);
	assert_int_equal(f->p->C_VerifyInit(h, &ecdsa, pub), CKR_OK);
	assert_int_equal(f->p->C_Verify(h, hash, 64, sig, 63), CKR_SIGNATURE_LEN_RANGE);
	/* an empty hash */
	assert_int_equal(f->p->C_SignInit(h, &ecdsa, priv), CKR_OK);
	len = sizeof(sig);
	assert_int_equal(f->p->C_Sign(h, hash, 0, sig, &len), CKR_DATA_LEN_RANGE);
	/* mechanisms and keys of the other kind */
	assert_int_equal(f->p->C_SignInit(h, &rsa, priv), CKR_KEY_TYPE_INCONSISTENT);
	assert_int_equal(f->p->C_SignInit(h, &ecdsa, rpriv), CKR_KEY_TYPE_INCONSISTENT);
	assert_int_equal(f->p->C_VerifyInit(h, &ecdsa, rpub), CKR_KEY_TYPE_INCONSISTENT);
	assert_int_equal(f->p->C_EncryptInit(h, &oaep, pub), CKR_KEY_TYPE_INCONSISTENT);
	assert_int_equal(f->p->C_EncryptInit(h, &ecdsa, pub), CKR_MECHANISM_INVALID);
	assert_int_equal(f->p->C_DecryptInit(h, &ecdsa, priv), CKR_MECHANISM_INVALID);
	assert_int_equal(f->p->C_SignInit(h, &(CK_MECHANISM){CKM_ECDSA, hash, 4}, priv),
			 CKR_MECHANISM_PARAM_INVALID);
	/* the RSA key still signs */
	assert_int_equal(sign(f, h, rpriv), CKR_OK);
}

static void
test_key_generation_refuses_what_the_token_cannot_make(void **state)
{
	fixture *f = *state;
	CK_OBJECT_HANDLE pub = 0, priv = 0;
	CK_SESSION_HANDLE h;
	oid none = {NULL, 0}, truncated = {P256.der, P256.len - 1},
	    explicit_params = OID(0x30, 0x03, 0x02, 0x01, 0x01), not_der = OID(0x04, 0x01, 0x00);
	CK_ULONG rsa = CKK_RSA;
	CK_MECHANISM m = {CKM_EC_KEY_PAIR_GEN, NULL, 0};
	CK_ATTRIBUTE wrong_type[] = {{CKA_EC_PARAMS, (void *)P256.der, P256.len},
				     {CKA_KEY_TYPE, &rsa, sizeof(rsa)}};

	h = user_session(f);
	assert_int_equal(make_pair(f, h, CKM_EC_KEY_PAIR_GEN, none, NULL, NULL, &pub, &priv),
			 CKR_TEMPLATE_INCOMPLETE);
	assert_int_equal(make_pair(f, h, CKM_EC_KEY_PAIR_GEN, SECP256K1, NULL, NULL, &pub, &priv),
			 CKR_CURVE_NOT_SUPPORTED);
	assert_int_equal(make_pair(f, h, CKM_EC_KEY_PAIR_GEN, explicit_params, NULL, NULL, &pub, &priv),
			 CKR_CURVE_NOT_SUPPORTED);
	assert_int_equal(make_pair(f, h, CKM_EC_KEY_PAIR_GEN, truncated, NULL, NULL, &pub, &priv),
			 CKR_ATTRIBUTE_VALUE_INVALID);
	assert_int_equal(make_pair(f, h, CKM_EC_KEY_PAIR_GEN, not_der, NULL, NULL, &pub, &priv),
			 CKR_ATTRIBUTE_VALUE_INVALID);
	/* a GOST curve is not an ECDSA key's, nor a 512-bit one a 256-bit GOST key's */
	assert_int_equal(make_pair(f, h, CKM_EC_KEY_PAIR_GEN, CP_A, NULL, NULL, &pub, &priv),
			 CKR_TEMPLATE_INCONSISTENT);
	assert_int_equal(make_pair(f, h, CKM_GOSTR3410_KEY_PAIR_GEN, TC26_512_A, NULL, NULL, &pub, &priv),
			 CKR_TEMPLATE_INCONSISTENT);
	assert_int_equal(make_pair(f, h, CKM_GOSTR3410_512_KEY_PAIR_GEN, P256, NULL, NULL, &pub, &priv),
			 CKR_TEMPLATE_INCONSISTENT);
	/* the two halves on different curves */
	assert_int_equal(make_pair(f, h, CKM_EC_KEY_PAIR_GEN, P256, NULL, &P384, &pub, &priv),
			 CKR_TEMPLATE_INCONSISTENT);
	/* GOST R 34.11-94 is not a hash this token has; Streebog-512 not a 256-bit key's */
	assert_int_equal(make_pair(f, h, CKM_GOSTR3410_KEY_PAIR_GEN, CP_A, &GOST94_HASH, NULL, &pub, &priv),
			 CKR_ATTRIBUTE_VALUE_INVALID);
	assert_int_equal(make_pair(f, h, CKM_GOSTR3410_KEY_PAIR_GEN, CP_A, &STREEBOG512, NULL, &pub, &priv),
			 CKR_ATTRIBUTE_VALUE_INVALID);
	{ /* the two halves naming the hash differently */
		CK_MECHANISM g = {CKM_GOSTR3410_512_KEY_PAIR_GEN, NULL, 0};
		CK_ATTRIBUTE pt[] = {{CKA_GOSTR3410_PARAMS, (void *)TC26_512_A.der, TC26_512_A.len},
				     {CKA_GOSTR3411_PARAMS, (void *)STREEBOG512.der, STREEBOG512.len}};
		CK_ATTRIBUTE st[] = {{CKA_GOSTR3411_PARAMS, (void *)KZ_STREEBOG512.der, KZ_STREEBOG512.len}};

		assert_int_equal(f->p->C_GenerateKeyPair(h, &g, pt, 2, st, 1, &pub, &priv), CKR_TEMPLATE_INCONSISTENT);
	}
	assert_int_equal(f->p->C_GenerateKeyPair(h, &m, wrong_type, 2, NULL, 0, &pub, &priv),
			 CKR_TEMPLATE_INCONSISTENT);
	/* an EC key only signs: one to decipher is not made (the card would refuse it) */
	assert_int_equal(f->p->C_GenerateKeyPair(h, &m, wrong_type, 1, (CK_ATTRIBUTE[]){{CKA_DECRYPT, &yes, 1}}, 1,
						 &pub, &priv),
			 CKR_TEMPLATE_INCONSISTENT);
	assert_int_equal(f->p->C_GenerateKeyPair(h, &(CK_MECHANISM){CKM_EC_KEY_PAIR_GEN, &rsa, sizeof(rsa)},
						 wrong_type, 1, NULL, 0, &pub, &priv),
			 CKR_MECHANISM_PARAM_INVALID);
	/* nothing was left on the card by any of it */
	assert_int_equal(f->card.st.nobjects, 0);
}

static void
test_gost_keys_sign_and_verify_on_every_curve(void **state)
{
	fixture *f = *state;
	static const struct {
		CK_MECHANISM_TYPE gen, raw, hashed, digest;
		CK_KEY_TYPE type;
		size_t bytes;
	} kinds[2] = {
		{CKM_GOSTR3410_KEY_PAIR_GEN, CKM_GOSTR3410, CKM_GOSTR3410_WITH_GOSTR3411_12_256,
		 CKM_GOSTR3411_12_256, CKK_GOSTR3410, 32},
		{CKM_GOSTR3410_512_KEY_PAIR_GEN, CKM_GOSTR3410_512, CKM_GOSTR3410_WITH_GOSTR3411_12_512,
		 CKM_GOSTR3411_12_512, CKK_GOSTR3410_512, 64},
	};
	const struct {
		int kind;
		oid curve;
	} sets[] = {{0, CP_A}, {0, CP_B}, {0, CP_C}, {0, TC26_256_A}, {1, TC26_512_A}, {1, TC26_512_B},
		    {1, TC26_512_C}};
	CK_BYTE msg[] = "Қазынашылық төлемі", hash[64], sig[256], value[256];
	CK_ATTRIBUTE v = {CKA_VALUE, value, sizeof(value)};
	CK_OBJECT_HANDLE pub, priv;
	CK_SESSION_HANDLE h;
	CK_ULONG len, hl;
	size_t i;

	h = user_session(f);
	for (i = 0; i < sizeof(sets) / sizeof(sets[0]); i++) {
		int k = sets[i].kind;
		CK_MECHANISM raw = {kinds[k].raw, NULL, 0}, dig = {kinds[k].digest, NULL, 0};
		oid hash_oid = k ? STREEBOG512 : STREEBOG256;

		assert_int_equal(make_pair(f, h, kinds[k].gen, sets[i].curve, NULL, NULL, &pub, &priv), CKR_OK);
		assert_int_equal(get_ulong(f, h, pub, CKA_KEY_TYPE), kinds[k].type);
		assert_int_equal(get_ulong(f, h, priv, CKA_KEY_GEN_MECHANISM), kinds[k].gen);
		assert_attr(f, h, pub, CKA_GOSTR3410_PARAMS, sets[i].curve);
		assert_attr(f, h, priv, CKA_GOSTR3410_PARAMS, sets[i].curve);
		assert_attr(f, h, pub, CKA_GOSTR3411_PARAMS, hash_oid);
		v.ulValueLen = sizeof(value);
		assert_int_equal(f->p->C_GetAttributeValue(h, pub, &v, 1), CKR_OK);
		assert_int_equal(v.ulValueLen, 2 * kinds[k].bytes); /* x || y, little-endian */
		/* hash and sign, in one */
		assert_int_equal(sign_verify(f, h, kinds[k].hashed, priv, pub, msg, sizeof(msg), sig, &len), CKR_OK);
		assert_int_equal(len, 2 * kinds[k].bytes);
		/* the hash signed raw is the same signature's hash */
		hl = sizeof(hash);
		assert_int_equal(f->p->C_DigestInit(h, &dig), CKR_OK);
		assert_int_equal(f->p->C_Digest(h, msg, sizeof(msg), hash, &hl), CKR_OK);
		assert_int_equal(f->p->C_VerifyInit(h, &raw, pub), CKR_OK);
		assert_int_equal(f->p->C_Verify(h, hash, hl, sig, len), CKR_OK);
		assert_int_equal(sign_verify(f, h, kinds[k].raw, priv, pub, hash, hl, sig, &len), CKR_OK);
		/* a raw hash must be the key's size */
		assert_int_equal(f->p->C_SignInit(h, &raw, priv), CKR_OK);
		len = sizeof(sig);
		assert_int_equal(f->p->C_Sign(h, hash, hl - 1, sig, &len), CKR_DATA_LEN_RANGE);
		sig[0] ^= 0x80;
		assert_int_equal(f->p->C_VerifyInit(h, &raw, pub), CKR_OK);
		assert_int_equal(f->p->C_Verify(h, hash, hl, sig, 2 * kinds[k].bytes), CKR_SIGNATURE_INVALID);
		/* the mechanisms of the other size and of ECDSA are not this key's */
		assert_int_equal(f->p->C_SignInit(h, &(CK_MECHANISM){kinds[!k].raw, NULL, 0}, priv),
				 CKR_KEY_TYPE_INCONSISTENT);
		assert_int_equal(f->p->C_SignInit(h, &(CK_MECHANISM){CKM_ECDSA, NULL, 0}, priv),
				 CKR_KEY_TYPE_INCONSISTENT);
	}
	/* the hash-and-sign mechanism may name its hash, and only its own */
	assert_int_equal(f->p->C_SignInit(h,
					  &(CK_MECHANISM){CKM_GOSTR3410_WITH_GOSTR3411_12_512,
							  (void *)STREEBOG512.der, STREEBOG512.len},
					  priv),
			 CKR_OK);
	len = sizeof(sig);
	assert_int_equal(f->p->C_Sign(h, msg, sizeof(msg), sig, &len), CKR_OK);
	assert_int_equal(f->p->C_SignInit(h,
					  &(CK_MECHANISM){CKM_GOSTR3410_WITH_GOSTR3411_12_512,
							  (void *)STREEBOG256.der, STREEBOG256.len},
					  priv),
			 CKR_MECHANISM_PARAM_INVALID);
}

static void
test_kazakh_oids_make_the_curves_they_are_documented_to_be(void **state)
{
	fixture *f = *state;
	CK_OBJECT_HANDLE pub, priv;
	CK_SESSION_HANDLE h;
	CK_BYTE sig[256], msg[] = "ЭЦП";
	CK_ULONG len;

	h = user_session(f);
	/* ST RK GOST R 34.10-2015 512 set A is TC26 512-A; the key says so by the TC 26
	 * OID; the Kazakh hash OID it was made with stays */
	assert_int_equal(make_pair(f, h, CKM_GOSTR3410_512_KEY_PAIR_GEN, KZ_2015_512_A, &KZ_STREEBOG512, NULL,
				   &pub, &priv),
			 CKR_OK);
	assert_attr(f, h, pub, CKA_GOSTR3410_PARAMS, TC26_512_A);
	assert_attr(f, h, priv, CKA_GOSTR3410_PARAMS, TC26_512_A);
	assert_attr(f, h, pub, CKA_GOSTR3411_PARAMS, KZ_STREEBOG512);
	assert_int_equal(sign_verify(f, h, CKM_GOSTR3410_WITH_GOSTR3411_12_512, priv, pub, msg, sizeof(msg),
				     sig, &len),
			 CKR_OK);
	assert_int_equal(f->p->C_SignInit(h,
					  &(CK_MECHANISM){CKM_GOSTR3410_WITH_GOSTR3411_12_512,
							  (void *)KZ_STREEBOG512.der, KZ_STREEBOG512.len},
					  priv),
			 CKR_OK);
	len = sizeof(sig);
	assert_int_equal(f->p->C_Sign(h, msg, sizeof(msg), sig, &len), CKR_OK);
	/* 2015 256 set A is TC26 256-A; 34.310-2004 set A is CryptoPro A; TC26 256-B
	 * is CryptoPro A by RFC 7836 */
	assert_int_equal(make_pair(f, h, CKM_GOSTR3410_KEY_PAIR_GEN, KZ_2015_256_A, NULL, NULL, &pub, &priv),
			 CKR_OK);
	assert_attr(f, h, pub, CKA_GOSTR3410_PARAMS, TC26_256_A);
	assert_int_equal(make_pair(f, h, CKM_GOSTR3410_KEY_PAIR_GEN, KZ_2004_A, NULL, NULL, &pub, &priv), CKR_OK);
	assert_attr(f, h, pub, CKA_GOSTR3410_PARAMS, CP_A);
	assert_int_equal(make_pair(f, h, CKM_GOSTR3410_KEY_PAIR_GEN, TC26_256_B, NULL, NULL, &pub, &priv), CKR_OK);
	assert_attr(f, h, pub, CKA_GOSTR3410_PARAMS, CP_A);
	/* a Kazakh set nobody documents is not guessed at */
	assert_int_equal(make_pair(f, h, CKM_GOSTR3410_512_KEY_PAIR_GEN, KZ_2015_512_B, NULL, NULL, &pub, &priv),
			 CKR_CURVE_NOT_SUPPORTED);
}

static void
test_mechanism_info_gives_each_key_kinds_sizes(void **state)
{
	fixture *f = *state;
	static const struct {
		CK_MECHANISM_TYPE m;
		CK_ULONG min, max;
		CK_FLAGS flags;
	} want[] = {
		{CKM_EC_KEY_PAIR_GEN, 256, 384, CKF_GENERATE_KEY_PAIR | CKF_EC_F_P | CKF_EC_NAMEDCURVE},
		{CKM_ECDSA, 256, 384, CKF_SIGN | CKF_VERIFY | CKF_EC_UNCOMPRESS},
		{CKM_ECDSA_SHA256, 256, 384, CKF_SIGN | CKF_VERIFY},
		{CKM_GOSTR3410_KEY_PAIR_GEN, 256, 256, CKF_GENERATE_KEY_PAIR},
		{CKM_GOSTR3410_512, 512, 512, CKF_SIGN | CKF_VERIFY},
		{CKM_GOSTR3410_WITH_GOSTR3411_12_256, 256, 256, CKF_SIGN | CKF_VERIFY},
		{CKM_SHA256_RSA_PKCS, 2048, 4096, CKF_SIGN | CKF_VERIFY},
	};
	CK_MECHANISM_INFO mi;
	size_t i;

	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		assert_int_equal(f->p->C_GetMechanismInfo(0, want[i].m, &mi), CKR_OK);
		assert_int_equal(mi.ulMinKeySize, want[i].min);
		assert_int_equal(mi.ulMaxKeySize, want[i].max);
		assert_true((mi.flags & (want[i].flags | CKF_HW)) == (want[i].flags | CKF_HW));
		assert_false(mi.flags & (CKF_ENCRYPT | CKF_DECRYPT));
	}
}

static void
test_a_key_the_card_holds_without_our_attributes_shows_its_curve(void **state)
{
	fixture *f = *state;
	CK_OBJECT_HANDLE pub, priv, found;
	CK_SESSION_HANDLE h;
	CK_BYTE point[128];
	CK_ULONG type = 0, cls = CKO_PUBLIC_KEY;
	CK_ATTRIBUTE t[] = {{CKA_EC_POINT, point, sizeof(point)}, {CKA_KEY_TYPE, &type, sizeof(type)}};
	CK_ATTRIBUTE public_keys[] = {{CKA_CLASS, &cls, sizeof(cls)}};
	size_t i;

	h = user_session(f);
	assert_int_equal(make_pair(f, h, CKM_EC_KEY_PAIR_GEN, P384, NULL, NULL, &pub, &priv), CKR_OK);
	/* another application's key: the card's own facts and nothing else */
	for (i = 0; i < f->card.st.nobjects; i++) {
		free(f->card.st.objects[i].blob);
		f->card.st.objects[i].blob = NULL;
		f->card.st.objects[i].blob_len = 0;
	}
	f->card.st.change_counter++;
	assert_int_equal(f->p->C_Finalize(NULL), CKR_OK);
	h = user_session(f);
	assert_int_equal(p11c_count(f->p, h, public_keys, 1, &found), 1);
	/* its type alone reads the value that says it */
	assert_int_equal(get_ulong(f, h, found, CKA_KEY_TYPE), CKK_EC);
	assert_int_equal(f->p->C_GetAttributeValue(h, found, t, 2), CKR_OK);
	assert_int_equal(t[0].ulValueLen, 3 + 96);
	assert_int_equal(type, CKK_EC);
	assert_attr(f, h, found, CKA_EC_PARAMS, P384);
	/* ...and a search by type finds both halves, read for it */
	assert_int_equal(f->p->C_Finalize(NULL), CKR_OK);
	h = user_session(f);
	type = CKK_EC;
	assert_int_equal(p11_count(f, h, &t[1], 1), 2);
}

static void
test_a_copy_of_an_ec_public_key_is_the_same_key(void **state)
{
	fixture *f = *state;
	CK_OBJECT_HANDLE pub, priv, copy, gpub, gpriv, gcopy;
	CK_BYTE msg[] = "көшірме", sig[256], a[256], b[256];
	CK_ATTRIBUTE ta = {CKA_EC_POINT, a, sizeof(a)}, tb = {CKA_EC_POINT, b, sizeof(b)};
	CK_ATTRIBUTE secret = {CKA_VALUE, NULL, 0};
	CK_MECHANISM ecdsa = {CKM_ECDSA_SHA256, NULL, 0}, gost = {CKM_GOSTR3410_WITH_GOSTR3411_12_512, NULL, 0};
	CK_SESSION_HANDLE h;
	CK_ULONG len;

	h = user_session(f);
	assert_int_equal(make_pair(f, h, CKM_EC_KEY_PAIR_GEN, P256, NULL, NULL, &pub, &priv), CKR_OK);
	assert_int_equal(f->p->C_CopyObject(h, pub, NULL, 0, &copy), CKR_OK);
	assert_int_equal(f->p->C_GetAttributeValue(h, pub, &ta, 1), CKR_OK);
	assert_int_equal(f->p->C_GetAttributeValue(h, copy, &tb, 1), CKR_OK);
	assert_int_equal(ta.ulValueLen, tb.ulValueLen);
	assert_memory_equal(a, b, ta.ulValueLen);
	assert_attr(f, h, copy, CKA_EC_PARAMS, P256);
	len = sizeof(sig);
	assert_int_equal(f->p->C_SignInit(h, &ecdsa, priv), CKR_OK);
	assert_int_equal(f->p->C_Sign(h, msg, sizeof(msg), sig, &len), CKR_OK);
	assert_int_equal(f->p->C_VerifyInit(h, &ecdsa, copy), CKR_OK);
	assert_int_equal(f->p->C_Verify(h, msg, sizeof(msg), sig, len), CKR_OK);
	/* a GOST key's copy too; and its private half's CKA_VALUE is a secret */
	assert_int_equal(make_pair(f, h, CKM_GOSTR3410_512_KEY_PAIR_GEN, TC26_512_B, NULL, NULL, &gpub, &gpriv),
			 CKR_OK);
	assert_int_equal(f->p->C_CopyObject(h, gpub, NULL, 0, &gcopy), CKR_OK);
	assert_attr(f, h, gcopy, CKA_GOSTR3410_PARAMS, TC26_512_B);
	len = sizeof(sig);
	assert_int_equal(f->p->C_SignInit(h, &gost, gpriv), CKR_OK);
	assert_int_equal(f->p->C_Sign(h, msg, sizeof(msg), sig, &len), CKR_OK);
	assert_int_equal(f->p->C_VerifyInit(h, &gost, gcopy), CKR_OK);
	assert_int_equal(f->p->C_Verify(h, msg, sizeof(msg), sig, len), CKR_OK);
	assert_int_equal(f->p->C_GetAttributeValue(h, gpriv, &secret, 1), CKR_ATTRIBUTE_SENSITIVE);
	/* a private key is not copied */
	assert_int_equal(f->p->C_CopyObject(h, priv, NULL, 0, &copy), CKR_ACTION_PROHIBITED);
}

/* A token whose applet predates EC keys (its SELECT does not announce them): the
 * slot offers none of their mechanisms, and making such a key is refused as one. */
static void
test_a_token_without_ec_keys_offers_no_ec_mechanism(void **state)
{
	fixture *f = *state;
	CK_MECHANISM_TYPE list[64];
	CK_MECHANISM_INFO mi;
	CK_OBJECT_HANDLE pub, priv;
	CK_SESSION_HANDLE h;
	CK_ULONG n = 64, i;

	f->card.caps_hidden = KZT_CAP_EC;
	assert_int_equal(f->p->C_Initialize(NULL), CKR_OK);
	assert_int_equal(f->p->C_GetMechanismList(0, list, &n), CKR_OK);
	assert_int_equal(n, 22); /* RSA 15, SHA 5, Streebog 2 */
	for (i = 0; i < n; i++)
		assert_true(list[i] != CKM_ECDSA && list[i] != CKM_GOSTR3410 && list[i] != CKM_EC_KEY_PAIR_GEN);
	assert_int_equal(f->p->C_GetMechanismInfo(0, CKM_ECDSA_SHA256, &mi), CKR_MECHANISM_INVALID);
	assert_int_equal(f->p->C_GetMechanismInfo(0, CKM_GOSTR3410_KEY_PAIR_GEN, &mi), CKR_MECHANISM_INVALID);
	assert_int_equal(f->p->C_GetMechanismInfo(0, CKM_GOSTR3411_12_256, &mi), CKR_OK); /* (the host's) */
	assert_int_equal(f->p->C_GetMechanismInfo(0, CKM_SHA256_RSA_PKCS, &mi), CKR_OK);
	h = p11_user(f);
	assert_int_equal(make_pair(f, h, CKM_EC_KEY_PAIR_GEN, P256, NULL, NULL, &pub, &priv), CKR_MECHANISM_INVALID);
	assert_int_equal(f->card.st.nobjects, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_ecdsa_keys_are_made_on_both_curves_with_the_attributes_pkcs11_names,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_ecdsa_signs_a_hash_or_hashes_itself_and_a_bad_signature_is_refused,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_key_generation_refuses_what_the_token_cannot_make, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_gost_keys_sign_and_verify_on_every_curve, setup, teardown),
		cmocka_unit_test_setup_teardown(test_kazakh_oids_make_the_curves_they_are_documented_to_be, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_mechanism_info_gives_each_key_kinds_sizes, p11_setup, teardown),
		cmocka_unit_test_setup_teardown(test_a_key_the_card_holds_without_our_attributes_shows_its_curve,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_a_copy_of_an_ec_public_key_is_the_same_key, setup, teardown),
		cmocka_unit_test_setup_teardown(test_a_token_without_ec_keys_offers_no_ec_mechanism, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
