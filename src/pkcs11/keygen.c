/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* C_GenerateKeyPair: RSA and elliptic-curve keys (ECDSA, GOST R 34.10-2012) made
 * on the card. The private key never leaves it; both objects are created by the
 * one card command, so there is never a private key without its public half. */
#include <string.h>

#include "internal.h"
#include "kaztoken/vendor.h"
#include "kzt_err.h"
#include "mech.h"
#include "schema.h"

/* One template into l, every attribute known for cls and well-formed. */
static CK_RV
take_template(CK_OBJECT_CLASS cls, const CK_ATTRIBUTE *t, CK_ULONG n, kzt_attrs *l)
{
	CK_ULONG i;
	CK_RV rv;

	if (t == NULL && n > 0)
		return CKR_ARGUMENTS_BAD;
	if ((rv = kzt_schema_no_repeats(t, n)) != CKR_OK)
		return rv;
	for (i = 0; i < n; i++) {
		if ((rv = kzt_schema_check(cls, &t[i], KZT_USE_GENERATE)) != CKR_OK)
			return rv;
		if (kzt_attrs_set(l, t[i].type, t[i].pValue, t[i].ulValueLen) != KZT_OK)
			return CKR_HOST_MEMORY;
	}
	return CKR_OK;
}

/* A value the template may give only as the one the token can honour. */
static CK_RV
require(const kzt_attrs *l, CK_ATTRIBUTE_TYPE type, CK_ULONG want)
{
	const CK_ATTRIBUTE *a = kzt_attrs_get(l, type);

	if (a == NULL)
		return CKR_OK;
	if (a->ulValueLen == sizeof(CK_BBOOL))
		return *(const CK_BBOOL *)a->pValue == want ? CKR_OK : CKR_TEMPLATE_INCONSISTENT;
	return kzt_ulong_of(a->pValue) == want ? CKR_OK : CKR_TEMPLATE_INCONSISTENT;
}

int
kzt_key_defaults(kzt_attrs *l, CK_OBJECT_CLASS cls, CK_KEY_TYPE type, CK_MECHANISM_TYPE made_by)
{
	int r = KZT_OK, generated = made_by != CK_UNAVAILABLE_INFORMATION;
	CK_BBOOL priv = cls == CKO_PRIVATE_KEY, rsa = type == CKK_RSA;
#define DEFAULT_BOOL(t, v)                                                                           \
	if (r == KZT_OK)                                                                             \
	r = kzt_attrs_set_bool(l, t, kzt_attrs_bool(l, t, v))
#define SET_EMPTY(t)                                                                                 \
	if (r == KZT_OK && kzt_attrs_get(l, t) == NULL)                                              \
	r = kzt_attrs_set(l, t, NULL, 0)

	r = kzt_attrs_set_ulong(l, CKA_CLASS, cls);
	if (r == KZT_OK)
		r = kzt_attrs_set_ulong(l, CKA_KEY_TYPE, type);
	if (r == KZT_OK) /* an imported key's origin is unknown */
		r = kzt_attrs_set_ulong(l, CKA_KEY_GEN_MECHANISM, made_by);
	if (r == KZT_OK)
		r = kzt_attrs_set_bool(l, CKA_LOCAL, generated ? CK_TRUE : CK_FALSE);
	DEFAULT_BOOL(CKA_TOKEN, CK_FALSE); /* PKCS#11: a session object unless asked */
	DEFAULT_BOOL(CKA_PRIVATE, priv);
	DEFAULT_BOOL(CKA_MODIFIABLE, CK_TRUE);
	DEFAULT_BOOL(CKA_COPYABLE, !priv); /* a private key cannot leave the card, even as a copy */
	DEFAULT_BOOL(CKA_DESTROYABLE, CK_TRUE);
	DEFAULT_BOOL(CKA_DERIVE, CK_FALSE);
	SET_EMPTY(CKA_LABEL);
	SET_EMPTY(CKA_ID);
	SET_EMPTY(CKA_SUBJECT);
	if (priv) {
		DEFAULT_BOOL(CKA_SIGN, CK_TRUE);
		DEFAULT_BOOL(CKA_DECRYPT, rsa); /* an EC key only signs */
		DEFAULT_BOOL(CKA_SIGN_RECOVER, CK_FALSE);
		DEFAULT_BOOL(CKA_UNWRAP, CK_FALSE);
		DEFAULT_BOOL(CKA_ALWAYS_AUTHENTICATE, CK_FALSE);
		DEFAULT_BOOL(CKA_WRAP_WITH_TRUSTED, CK_FALSE);
		/* on the card it stays: sensitive, never extractable from now on; always
		 * so only when it was made there */
		DEFAULT_BOOL(CKA_SENSITIVE, CK_TRUE);
		DEFAULT_BOOL(CKA_EXTRACTABLE, CK_FALSE);
		if (r == KZT_OK)
			r = kzt_attrs_set_bool(l, CKA_ALWAYS_SENSITIVE, generated ? CK_TRUE : CK_FALSE);
		if (r == KZT_OK)
			r = kzt_attrs_set_bool(l, CKA_NEVER_EXTRACTABLE, generated ? CK_TRUE : CK_FALSE);
	} else {
		DEFAULT_BOOL(CKA_VERIFY, CK_TRUE);
		DEFAULT_BOOL(CKA_ENCRYPT, rsa);
		DEFAULT_BOOL(CKA_VERIFY_RECOVER, rsa);
		DEFAULT_BOOL(CKA_WRAP, CK_FALSE);
		DEFAULT_BOOL(CKA_TRUSTED, CK_FALSE);
		if (generated) { /* the card's answer will say */
			kzt_attrs_remove(l, CKA_MODULUS_BITS);
			kzt_attrs_remove(l, CKA_PUBLIC_EXPONENT);
		}
	}
#undef DEFAULT_BOOL
#undef SET_EMPTY
	return r;
}

CK_RV
kzt_key_exponent_normalise(kzt_attrs *l)
{
	const CK_ATTRIBUTE *a = kzt_attrs_get(l, CKA_PUBLIC_EXPONENT);
	uint8_t e[8];
	CK_ULONG skip = 0;

	if (a == NULL)
		return CKR_OK;
	while (skip < a->ulValueLen && ((const uint8_t *)a->pValue)[skip] == 0)
		skip++;
	if (skip == a->ulValueLen || a->ulValueLen - skip > sizeof(e))
		return CKR_ATTRIBUTE_VALUE_INVALID; /* zero, or more than 64 bits */
	if (skip == 0)
		return CKR_OK;
	/* (copied out first: the list's own value is replaced) */
	memcpy(e, (const uint8_t *)a->pValue + skip, a->ulValueLen - skip);
	return kzt_attrs_set(l, CKA_PUBLIC_EXPONENT, e, a->ulValueLen - skip) == KZT_OK ? CKR_OK
											   : CKR_HOST_MEMORY;
}

int
kzt_key_blob_keeps(CK_ATTRIBUTE_TYPE t)
{
	switch (t) {
	case CKA_CLASS: case CKA_TOKEN: case CKA_PRIVATE: case CKA_MODIFIABLE: /* the card's own */
	case CKA_MODULUS: case CKA_PUBLIC_EXPONENT: case CKA_MODULUS_BITS:    /* in the value */
	case CKA_PRIVATE_EXPONENT: case CKA_PRIME_1: case CKA_PRIME_2:        /* never */
	case CKA_EXPONENT_1: case CKA_EXPONENT_2: case CKA_COEFFICIENT: case CKA_VALUE:
	case CKA_EC_PARAMS: case CKA_EC_POINT: case CKA_GOSTR3410_PARAMS: /* the card's curve says */
		return 0;
	default:
		return 1;
	}
}

uint8_t
kzt_key_card_flags(const kzt_attrs *l)
{
	uint8_t f = 0;

	if (kzt_attrs_bool(l, CKA_PRIVATE, CK_FALSE))
		f |= KZT_OBJF_PRIVATE;
	if (kzt_attrs_bool(l, CKA_MODIFIABLE, CK_TRUE))
		f |= KZT_OBJF_MODIFIABLE;
	if (kzt_attrs_bool(l, CKA_SIGN, CK_FALSE))
		f |= KZT_OBJF_SIGN;
	if (kzt_attrs_bool(l, CKA_DECRYPT, CK_FALSE))
		f |= KZT_OBJF_DECRYPT;
	return f;
}

/* What a key pair is to be: RSA's size and exponent, or a curve. */
typedef struct pair_spec {
	const kzt_mech *mech; /* the generation mechanism (its key type) */
	CK_ULONG bits;
	uint8_t exponent[8];
	size_t exponent_len;
	kzt_ecurve curve;
} pair_spec;

/* An RSA key's size and exponent (copied out: the public template's own copy is
 * dropped when the list is completed). */
static CK_RV
rsa_spec(kzt_attrs *pub, pair_spec *p)
{
	const CK_ATTRIBUTE *a;
	CK_RV rv;

	if ((rv = kzt_key_exponent_normalise(pub)) != CKR_OK)
		return rv;
	p->bits = 2048;
	if ((a = kzt_attrs_get(pub, CKA_MODULUS_BITS)) != NULL)
		p->bits = kzt_ulong_of(a->pValue);
	if (p->bits != 2048 && p->bits != 3072 && p->bits != 4096)
		return CKR_KEY_SIZE_RANGE;
	if ((a = kzt_attrs_get(pub, CKA_PUBLIC_EXPONENT)) == NULL) {
		memcpy(p->exponent, "\x01\x00\x01", 3); /* F4, 65537 */
		p->exponent_len = 3;
	} else if (a->ulValueLen == 0 || a->ulValueLen > 8) {
		return CKR_ATTRIBUTE_VALUE_INVALID;
	} else {
		memcpy(p->exponent, a->pValue, a->ulValueLen);
		p->exponent_len = a->ulValueLen;
	}
	return CKR_OK;
}

/* The curve a parameters attribute names: CKR_CURVE_NOT_SUPPORTED for an OID
 * that names none we have (explicit parameters too), CKR_ATTRIBUTE_VALUE_INVALID
 * for anything that is not one DER OID. */
static CK_RV
curve_of(const CK_ATTRIBUTE *a, kzt_ecurve *c)
{
	const uint8_t *v = a->pValue;

	if (a->ulValueLen < 3 || a->ulValueLen > 129 || (v[0] != 0x06 && v[0] != 0x30))
		return CKR_ATTRIBUTE_VALUE_INVALID;
	if (v[1] != a->ulValueLen - 2)
		return v[0] == 0x30 ? CKR_CURVE_NOT_SUPPORTED : CKR_ATTRIBUTE_VALUE_INVALID;
	return kzt_ecurve_by_oid(v, a->ulValueLen, c) == KZT_OK ? CKR_OK : CKR_CURVE_NOT_SUPPORTED;
}

/* An EC key's curve: named in the public template (and, if at all, the same in
 * the private one), of the mechanism's key type; a GOST key's hash, if named, is
 * Streebog of its size. */
static CK_RV
ec_spec(const kzt_attrs *pub, const kzt_attrs *priv, pair_spec *p)
{
	CK_ATTRIBUTE_TYPE t = kzt_eckey_params_attr(p->mech->key);
	const CK_ATTRIBUTE *a = kzt_attrs_get(pub, t), *b = kzt_attrs_get(priv, t), *h;
	const kzt_attrs *both[2] = {pub, priv};
	kzt_ecurve other;
	kzt_hash hash;
	CK_RV rv;
	size_t i;

	if (a == NULL)
		return CKR_TEMPLATE_INCOMPLETE;
	if ((rv = curve_of(a, &p->curve)) != CKR_OK)
		return rv;
	if (b != NULL && ((rv = curve_of(b, &other)) != CKR_OK || other != p->curve))
		return rv != CKR_OK ? rv : CKR_TEMPLATE_INCONSISTENT;
	if (kzt_eckey_type(p->curve) != p->mech->key || /* a 512-bit curve for a 256-bit key... */
	    kzt_attrs_bool(priv, CKA_DECRYPT, CK_FALSE))   /* ...or an EC key that deciphers */
		return CKR_TEMPLATE_INCONSISTENT;
	a = kzt_attrs_get(pub, CKA_GOSTR3411_PARAMS);
	b = kzt_attrs_get(priv, CKA_GOSTR3411_PARAMS);
	if (a != NULL && b != NULL &&
	    (a->ulValueLen != b->ulValueLen ||
	     (a->ulValueLen > 0 && memcmp(a->pValue, b->pValue, a->ulValueLen) != 0)))
		return CKR_TEMPLATE_INCONSISTENT; /* (both halves report one hash) */
	for (i = 0; i < 2; i++)
		if ((h = kzt_attrs_get(both[i], CKA_GOSTR3411_PARAMS)) != NULL &&
		    (p->mech->key == CKK_EC || kzt_hash_by_oid(h->pValue, h->ulValueLen, &hash) != KZT_OK ||
		     hash != kzt_eckey_gost_hash(p->curve)))
			return CKR_ATTRIBUTE_VALUE_INVALID;
	return CKR_OK;
}

/* Check the templates against the mechanism and work out the key pair. */
static CK_RV
prepare(const CK_ATTRIBUTE *pt, CK_ULONG pn, const CK_ATTRIBUTE *st, CK_ULONG sn, kzt_attrs *pub,
	kzt_attrs *priv, pair_spec *p)
{
	CK_KEY_TYPE type = p->mech->key;
	CK_RV rv;

	if ((rv = take_template(CKO_PUBLIC_KEY, pt, pn, pub)) != CKR_OK ||
	    (rv = take_template(CKO_PRIVATE_KEY, st, sn, priv)) != CKR_OK)
		return rv;
	if ((rv = require(pub, CKA_CLASS, CKO_PUBLIC_KEY)) != CKR_OK ||
	    (rv = require(priv, CKA_CLASS, CKO_PRIVATE_KEY)) != CKR_OK ||
	    (rv = require(pub, CKA_KEY_TYPE, type)) != CKR_OK ||
	    (rv = require(priv, CKA_KEY_TYPE, type)) != CKR_OK ||
	    /* the token keeps keys secret */
	    (rv = require(priv, CKA_SENSITIVE, CK_TRUE)) != CKR_OK ||
	    (rv = require(priv, CKA_EXTRACTABLE, CK_FALSE)) != CKR_OK ||
	    (rv = require(priv, CKA_COPYABLE, CK_FALSE)) != CKR_OK ||
	    (rv = require(priv, CKA_ALWAYS_AUTHENTICATE, CK_FALSE)) != CKR_OK)
		return rv;
	if ((rv = type == CKK_RSA ? rsa_spec(pub, p) : ec_spec(pub, priv, p)) != CKR_OK)
		return rv;
	if (kzt_key_defaults(pub, CKO_PUBLIC_KEY, type, p->mech->type) != KZT_OK ||
	    kzt_key_defaults(priv, CKO_PRIVATE_KEY, type, p->mech->type) != KZT_OK)
		return CKR_HOST_MEMORY;
	return CKR_OK;
}

/* The module handle of the cached key object with this card handle, its public
 * part taken from the card's answer (so its first use reads nothing): an RSA
 * key's numbers, or (curve set) an EC key's point. */
static CK_OBJECT_HANDLE
cached_handle(kzt_op *op, uint16_t card, const pair_spec *p, const uint8_t *n, size_t n_len)
{
	kzt_object *o = kzt_token_object_by_card(op, card);
	CK_RV rv;

	if (o == NULL)
		return CK_INVALID_HANDLE;
	if (p->mech->key == CKK_RSA)
		rv = kzt_object_key_numbers(o, n, n_len, p->exponent, p->exponent_len);
	else
		rv = kzt_object_ec_key(o, kzt_eckey_card_curve(p->curve), n, n_len);
	return rv == CKR_OK ? o->handle : CK_INVALID_HANDLE;
}

CK_DEFINE_FUNCTION(CK_RV, C_GenerateKeyPair)(CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism,
					     CK_ATTRIBUTE_PTR pPublicKeyTemplate,
					     CK_ULONG ulPublicKeyAttributeCount,
					     CK_ATTRIBUTE_PTR pPrivateKeyTemplate,
					     CK_ULONG ulPrivateKeyAttributeCount,
					     CK_OBJECT_HANDLE_PTR phPublicKey,
					     CK_OBJECT_HANDLE_PTR phPrivateKey)
{
	kzt_attrs pub = {0}, priv = {0};
	uint8_t pub_blob[KZT_BLOB_MAX], priv_blob[KZT_BLOB_MAX], n[512];
	size_t pub_len, priv_len, n_len;
	uint16_t card_priv, card_pub;
	pair_spec spec;
	kzt_keygen g;
	kzt_op op;
	CK_RV rv;

	if ((rv = kzt_initialized()) != CKR_OK)
		return rv;
	if (pMechanism == NULL || phPublicKey == NULL || phPrivateKey == NULL)
		return CKR_ARGUMENTS_BAD;
	if ((rv = kzt_template_check(pPublicKeyTemplate, ulPublicKeyAttributeCount)) != CKR_OK ||
	    (rv = kzt_template_check(pPrivateKeyTemplate, ulPrivateKeyAttributeCount)) != CKR_OK)
		return rv;
	if ((rv = kzt_card_begin_session(hSession, &op)) != CKR_OK)
		return rv;
	memset(&spec, 0, sizeof(spec));
	spec.mech = kzt_mech_find(pMechanism->mechanism);
	if (spec.mech == NULL || !(spec.mech->flags & CKF_GENERATE_KEY_PAIR)) {
		rv = CKR_MECHANISM_INVALID;
		goto out;
	}
	if (pMechanism->pParameter != NULL || pMechanism->ulParameterLen != 0) {
		rv = CKR_MECHANISM_PARAM_INVALID;
		goto out;
	}
	if ((rv = prepare(pPublicKeyTemplate, ulPublicKeyAttributeCount, pPrivateKeyTemplate,
			  ulPrivateKeyAttributeCount, &pub, &priv, &spec)) != CKR_OK)
		goto out;
	/* token objects need a read/write session; session keys any session */
	if (!(op.session_flags & CKF_RW_SESSION) &&
	    (kzt_attrs_bool(&pub, CKA_TOKEN, CK_FALSE) || kzt_attrs_bool(&priv, CKA_TOKEN, CK_FALSE))) {
		rv = CKR_SESSION_READ_ONLY;
		goto out;
	}
	if (kzt_card_login(&op) != KZT_LOGIN_USER) {
		rv = CKR_USER_NOT_LOGGED_IN;
		goto out;
	}
	/* the card keeps both halves; a session key's are marked its session's */
	if ((!kzt_attrs_bool(&pub, CKA_TOKEN, CK_FALSE) && (rv = kzt_card_session_mark(&op, &pub)) != CKR_OK) ||
	    (!kzt_attrs_bool(&priv, CKA_TOKEN, CK_FALSE) && (rv = kzt_card_session_mark(&op, &priv)) != CKR_OK))
		goto out;
	if (kzt_attrs_encode(&pub, kzt_key_blob_keeps, pub_blob, sizeof(pub_blob), &pub_len) != KZT_OK ||
	    kzt_attrs_encode(&priv, kzt_key_blob_keeps, priv_blob, sizeof(priv_blob), &priv_len) != KZT_OK) {
		rv = CKR_DEVICE_MEMORY; /* more attributes than a card object holds */
		goto out;
	}
	memset(&g, 0, sizeof(g));
	g.bits = (unsigned)spec.bits;
	g.exponent = spec.exponent;
	g.exponent_len = spec.exponent_len;
	g.curve = kzt_eckey_card_curve(spec.curve);
	g.priv_blob = priv_blob;
	g.priv_blob_len = priv_len;
	g.priv_flags = kzt_key_card_flags(&priv);
	g.pub_blob = pub_blob;
	g.pub_blob_len = pub_len;
	g.pub_flags = kzt_key_card_flags(&pub);
	if (spec.mech->key == CKK_RSA)
		rv = kzt_token_generate_rsa(op.token, &g, n, sizeof(n), &n_len, &card_priv, &card_pub);
	else
		rv = kzt_token_generate_ec(op.token, &g, n, sizeof(n), &n_len, &card_priv, &card_pub);
	rv = kzt_card_status(&op, rv);
	if (rv == CKR_DATA_INVALID)
		rv = spec.mech->key == CKK_RSA ? CKR_ATTRIBUTE_VALUE_INVALID /* the card refused the exponent */
					       : CKR_CURVE_NOT_SUPPORTED;
	else if (rv == CKR_FUNCTION_NOT_SUPPORTED && spec.mech->key != CKK_RSA) /* a card without EC keys */
		rv = CKR_MECHANISM_INVALID;
	if (rv != CKR_OK || (rv = kzt_objects_sync(&op)) != CKR_OK)
		goto out;
	*phPublicKey = cached_handle(&op, card_pub, &spec, n, n_len);
	*phPrivateKey = cached_handle(&op, card_priv, &spec, n, n_len);
	if (*phPublicKey == CK_INVALID_HANDLE || *phPrivateKey == CK_INVALID_HANDLE)
		rv = CKR_DEVICE_ERROR; /* generated, yet not listed */
out:
	kzt_attrs_free(&pub);
	kzt_attrs_free(&priv);
	kzt_card_end(&op);
	return rv;
}
