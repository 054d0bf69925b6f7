/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* C_GenerateKeyPair: RSA keys made on the card. The private key never leaves it;
 * both objects are created by the one card command, so there is never a private
 * key without its public half. */
#include <string.h>

#include "internal.h"
#include "kzt_err.h"
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
kzt_key_defaults(kzt_attrs *l, CK_OBJECT_CLASS cls, int generated)
{
	int r = KZT_OK;
	CK_BBOOL priv = cls == CKO_PRIVATE_KEY;
#define DEFAULT_BOOL(t, v)                                                                           \
	if (r == KZT_OK)                                                                             \
	r = kzt_attrs_set_bool(l, t, kzt_attrs_bool(l, t, v))
#define SET_EMPTY(t)                                                                                 \
	if (r == KZT_OK && kzt_attrs_get(l, t) == NULL)                                              \
	r = kzt_attrs_set(l, t, NULL, 0)

	r = kzt_attrs_set_ulong(l, CKA_CLASS, cls);
	if (r == KZT_OK)
		r = kzt_attrs_set_ulong(l, CKA_KEY_TYPE, CKK_RSA);
	if (r == KZT_OK) /* an imported key's origin is unknown */
		r = kzt_attrs_set_ulong(l, CKA_KEY_GEN_MECHANISM,
					generated ? CKM_RSA_PKCS_KEY_PAIR_GEN : CK_UNAVAILABLE_INFORMATION);
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
		DEFAULT_BOOL(CKA_DECRYPT, CK_TRUE);
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
		DEFAULT_BOOL(CKA_ENCRYPT, CK_TRUE);
		DEFAULT_BOOL(CKA_VERIFY_RECOVER, CK_TRUE);
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

/* Check the templates and work out the size and the exponent (copied out: the
 * public template's own copy is dropped when the list is completed). */
static CK_RV
prepare(const CK_ATTRIBUTE *pt, CK_ULONG pn, const CK_ATTRIBUTE *st, CK_ULONG sn, kzt_attrs *pub,
	kzt_attrs *priv, CK_ULONG *bits, uint8_t exponent[8], size_t *exponent_len)
{
	const CK_ATTRIBUTE *a;
	CK_RV rv;

	if ((rv = take_template(CKO_PUBLIC_KEY, pt, pn, pub)) != CKR_OK ||
	    (rv = take_template(CKO_PRIVATE_KEY, st, sn, priv)) != CKR_OK)
		return rv;
	if ((rv = require(pub, CKA_CLASS, CKO_PUBLIC_KEY)) != CKR_OK ||
	    (rv = require(priv, CKA_CLASS, CKO_PRIVATE_KEY)) != CKR_OK ||
	    (rv = require(pub, CKA_KEY_TYPE, CKK_RSA)) != CKR_OK ||
	    (rv = require(priv, CKA_KEY_TYPE, CKK_RSA)) != CKR_OK ||
	    /* the token keeps keys secret */
	    (rv = require(priv, CKA_SENSITIVE, CK_TRUE)) != CKR_OK ||
	    (rv = require(priv, CKA_EXTRACTABLE, CK_FALSE)) != CKR_OK ||
	    (rv = require(priv, CKA_COPYABLE, CK_FALSE)) != CKR_OK ||
	    (rv = require(priv, CKA_ALWAYS_AUTHENTICATE, CK_FALSE)) != CKR_OK)
		return rv;
	if ((rv = kzt_key_exponent_normalise(pub)) != CKR_OK)
		return rv;
	*bits = 2048;
	if ((a = kzt_attrs_get(pub, CKA_MODULUS_BITS)) != NULL)
		*bits = kzt_ulong_of(a->pValue);
	if (*bits != 2048 && *bits != 3072 && *bits != 4096)
		return CKR_KEY_SIZE_RANGE;
	if ((a = kzt_attrs_get(pub, CKA_PUBLIC_EXPONENT)) == NULL) {
		memcpy(exponent, "\x01\x00\x01", 3); /* F4, 65537 */
		*exponent_len = 3;
	} else if (a->ulValueLen == 0 || a->ulValueLen > 8) {
		return CKR_ATTRIBUTE_VALUE_INVALID;
	} else {
		memcpy(exponent, a->pValue, a->ulValueLen);
		*exponent_len = a->ulValueLen;
	}
	if (kzt_key_defaults(pub, CKO_PUBLIC_KEY, 1) != KZT_OK ||
	    kzt_key_defaults(priv, CKO_PRIVATE_KEY, 1) != KZT_OK)
		return CKR_HOST_MEMORY;
	return CKR_OK;
}

/* The module handle of the cached key object with this card handle, its numbers
 * taken from the card's answer (so its first use reads nothing). */
static CK_OBJECT_HANDLE
cached_handle(kzt_op *op, uint16_t card, const uint8_t *n, size_t n_len, const uint8_t *e,
	      size_t e_len)
{
	kzt_object *o = kzt_token_object_by_card(op, card);

	if (o == NULL || kzt_object_key_numbers(o, n, n_len, e, e_len) != CKR_OK)
		return CK_INVALID_HANDLE;
	return o->handle;
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
	uint8_t exponent[8];
	size_t exponent_len = 0;
	uint8_t pub_blob[KZT_BLOB_MAX], priv_blob[KZT_BLOB_MAX], n[512];
	size_t pub_len, priv_len, n_len;
	uint16_t card_priv, card_pub;
	kzt_keygen g;
	CK_ULONG bits = 0;
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
	if (pMechanism->mechanism != CKM_RSA_PKCS_KEY_PAIR_GEN) {
		rv = CKR_MECHANISM_INVALID;
		goto out;
	}
	if (pMechanism->pParameter != NULL || pMechanism->ulParameterLen != 0) {
		rv = CKR_MECHANISM_PARAM_INVALID;
		goto out;
	}
	if ((rv = prepare(pPublicKeyTemplate, ulPublicKeyAttributeCount, pPrivateKeyTemplate,
			  ulPrivateKeyAttributeCount, &pub, &priv, &bits, exponent, &exponent_len)) != CKR_OK)
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
	g.bits = (unsigned)bits;
	g.exponent = exponent;
	g.exponent_len = exponent_len;
	g.priv_blob = priv_blob;
	g.priv_blob_len = priv_len;
	g.priv_flags = kzt_key_card_flags(&priv);
	g.pub_blob = pub_blob;
	g.pub_blob_len = pub_len;
	g.pub_flags = kzt_key_card_flags(&pub);
	rv = kzt_card_status(&op, kzt_token_generate_rsa(op.token, &g, n, sizeof(n), &n_len,
							 &card_priv, &card_pub));
	if (rv == CKR_DATA_INVALID)
		rv = CKR_ATTRIBUTE_VALUE_INVALID; /* the card refused the exponent */
	if (rv != CKR_OK || (rv = kzt_objects_sync(&op)) != CKR_OK)
		goto out;
	*phPublicKey = cached_handle(&op, card_pub, n, n_len, exponent, exponent_len);
	*phPrivateKey = cached_handle(&op, card_priv, n, n_len, exponent, exponent_len);
	if (*phPublicKey == CK_INVALID_HANDLE || *phPrivateKey == CK_INVALID_HANDLE)
		rv = CKR_DEVICE_ERROR; /* generated, yet not listed */
out:
	kzt_attrs_free(&pub);
	kzt_attrs_free(&priv);
	kzt_card_end(&op);
	return rv;
}
