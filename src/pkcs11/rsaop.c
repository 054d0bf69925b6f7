/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* What every RSA operation shares: its state, and the one Init behind C_SignInit
 * and C_DecryptInit (a private key, used on the card) and C_VerifyInit,
 * C_EncryptInit and C_VerifyRecoverInit (a public key, used on the host). */
#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "internal.h"
#include "mech.h"
#include "secmem.h"

static CK_RV
oaep_params(const CK_MECHANISM *m, kzt_rsa_state *st)
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

/* Token lock held: the key object hKey of class cls whose usage attribute is
 * true and whose type is the mechanism's, its value read. */
static CK_RV
key_object(kzt_op *op, CK_OBJECT_HANDLE hKey, CK_OBJECT_CLASS cls, CK_ATTRIBUTE_TYPE usage,
	   const kzt_mech *mech, kzt_object **key)
{
	const CK_ATTRIBUTE *c, *kt;
	kzt_object *o;
	CK_RV rv;

	/* A key the cache knows costs no round trip: should it have gone from the card
	 * meanwhile, or lost its usage there, the card refuses the operation itself. */
	if ((o = kzt_token_object_cached(op, hKey)) == NULL) {
		if ((rv = kzt_objects_recent(op)) != CKR_OK)
			return rv;
		if ((o = kzt_token_object(op, hKey)) == NULL)
			return CKR_KEY_HANDLE_INVALID;
	}
	c = kzt_attrs_get(&o->attrs, CKA_CLASS);
	if (c == NULL || kzt_ulong_of(c->pValue) != cls)
		return CKR_KEY_TYPE_INCONSISTENT;
	if ((rv = kzt_object_load(op, o)) != CKR_OK)
		return rv;
	/* (the value, read from the card, set the type) */
	if ((kt = kzt_attrs_get(&o->attrs, CKA_KEY_TYPE)) == NULL || kzt_ulong_of(kt->pValue) != mech->key)
		return CKR_KEY_TYPE_INCONSISTENT;
	if (!kzt_attrs_bool(&o->attrs, usage, CK_FALSE))
		return CKR_KEY_FUNCTION_NOT_PERMITTED;
	*key = o;
	return CKR_OK;
}

/* An RSA key's modulus: its length in bytes and in bits. */
static CK_RV
modulus(const kzt_object *o, size_t *k, size_t *bits)
{
	const CK_ATTRIBUTE *n = kzt_attrs_get(&o->attrs, CKA_MODULUS);
	unsigned top, mask;

	if (n == NULL || n->ulValueLen == 0 || n->ulValueLen > 512)
		return CKR_DEVICE_ERROR;
	*k = n->ulValueLen;
	*bits = n->ulValueLen * 8; /* less the leading zero bits of the top byte */
	for (top = ((const uint8_t *)n->pValue)[0], mask = 0x80; mask != 0 && !(top & mask); mask >>= 1)
		(*bits)--;
	return CKR_OK;
}

/* An EC key's curve into st: the signature's length and the order's bits. */
static void
ec_sizes(kzt_rsa_state *st, kzt_ecurve c)
{
	st->ec = 1;
	st->curve = c;
	st->k = 2 * kzt_ecurve_get(c)->bytes;
	st->bits = 8 * kzt_ecurve_get(c)->bytes;
}

/* The private key hKey: its card handle and sizes. */
static CK_RV
private_key(kzt_op *op, CK_OBJECT_HANDLE hKey, CK_ATTRIBUTE_TYPE usage, kzt_rsa_state *st)
{
	kzt_object *o;
	kzt_ecurve c;
	CK_RV rv = key_object(op, hKey, CKO_PRIVATE_KEY, usage, st->mech, &o);

	if (rv != CKR_OK)
		return rv;
	st->card_key = o->card_handle;
	if (st->mech->key == CKK_RSA)
		return modulus(o, &st->k, &st->bits);
	if ((rv = kzt_object_ec_curve(o, &c)) == CKR_OK)
		ec_sizes(st, c);
	return rv;
}

/* The public key hKey: its numbers (or point) and sizes. */
static CK_RV
public_key(kzt_op *op, CK_OBJECT_HANDLE hKey, CK_ATTRIBUTE_TYPE usage, kzt_rsa_state *st)
{
	kzt_pubkey *pk = &st->pub;
	const CK_ATTRIBUTE *n, *e;
	kzt_object *o;
	kzt_ecurve c;
	CK_RV rv;

	if ((rv = key_object(op, hKey, CKO_PUBLIC_KEY, usage, st->mech, &o)) != CKR_OK)
		return rv;
	if (st->mech->key != CKK_RSA) {
		if ((rv = kzt_object_ec_public(o, &c, st->ec_pub)) == CKR_OK)
			ec_sizes(st, c);
		return rv;
	}
	if ((rv = modulus(o, &pk->k, &pk->bits)) != CKR_OK)
		return rv;
	n = kzt_attrs_get(&o->attrs, CKA_MODULUS);
	e = kzt_attrs_get(&o->attrs, CKA_PUBLIC_EXPONENT);
	if (e == NULL || e->ulValueLen > sizeof(pk->e))
		return CKR_DEVICE_ERROR;
	memcpy(pk->n, n->pValue, n->ulValueLen);
	memcpy(pk->e, e->pValue, e->ulValueLen);
	pk->e_len = e->ulValueLen;
	st->k = pk->k;
	st->bits = pk->bits;
	return CKR_OK;
}

/* raw = in ^ e mod n with the public key (in: k bytes). KZT_ERR_DATA: in >= n. */
int
kzt_pubkey_raise(const kzt_pubkey *pk, const uint8_t *in, uint8_t *raw)
{
	return kzt_rsa_public(pk->n, pk->k, pk->e, pk->e_len, in, raw);
}

kzt_run_kind
kzt_rsa_kind(CK_FLAGS flag)
{
	switch (flag) {
	case CKF_SIGN: return KZT_RUN_SIGN;
	case CKF_VERIFY: return KZT_RUN_VERIFY;
	case CKF_DECRYPT: return KZT_RUN_DECRYPT;
	case CKF_ENCRYPT: return KZT_RUN_ENCRYPT;
	default: return KZT_RUN_RECOVER;
	}
}

/* Token lock held: the operation's key (the usage attribute flag needs true), its
 * size into st. */
static CK_RV
key_for(kzt_op *op, CK_OBJECT_HANDLE key, CK_FLAGS flag, kzt_rsa_state *st)
{
	if (flag == CKF_SIGN || flag == CKF_DECRYPT)
		return private_key(op, key, flag == CKF_SIGN ? CKA_SIGN : CKA_DECRYPT, st);
	return public_key(op, key,
			  flag == CKF_VERIFY ? CKA_VERIFY : flag == CKF_ENCRYPT ? CKA_ENCRYPT : CKA_VERIFY_RECOVER,
			  st);
}

/* The mechanism's parameters: PSS's or OAEP's, or none. */
static CK_RV
params(const CK_MECHANISM *m, CK_FLAGS flag, kzt_rsa_state *st)
{
	if (flag == CKF_SIGN || flag == CKF_VERIFY)
		return kzt_sig_setup(m, st);
	if (st->mech->padding == KZT_PAD_OAEP)
		return oaep_params(m, st);
	return m->pParameter != NULL || m->ulParameterLen != 0 ? CKR_MECHANISM_PARAM_INVALID : CKR_OK;
}

CK_RV
kzt_rsa_init(CK_SESSION_HANDLE h, const CK_MECHANISM *m, CK_OBJECT_HANDLE key, CK_FLAGS flag)
{
	kzt_rsa_state *st = NULL;
	const kzt_mech *mech;
	kzt_session *s;
	kzt_op op;
	CK_RV rv;

	if ((rv = kzt_initialized()) != CKR_OK)
		return rv;
	if (m == NULL)
		return CKR_ARGUMENTS_BAD;
	if ((rv = kzt_session_acquire(h, &s)) != CKR_OK)
		return rv;
	if ((rv = kzt_card_begin_held(s, &op)) != CKR_OK) {
		kzt_session_release(s);
		return rv;
	}
	if ((mech = kzt_mech_find(m->mechanism)) == NULL || !(mech->flags & flag))
		rv = CKR_MECHANISM_INVALID;
	/* a private key needs the user; a public key does not */
	else if ((flag == CKF_SIGN || flag == CKF_DECRYPT) && kzt_card_login(&op) != KZT_LOGIN_USER)
		rv = CKR_USER_NOT_LOGGED_IN;
	else if ((st = calloc(1, sizeof(*st))) == NULL)
		rv = CKR_HOST_MEMORY;
	if (rv != CKR_OK)
		goto out;
	st->mech = mech;
	rv = key_for(&op, key, flag, st);
out:
	kzt_card_end(&op);
	/* (installed under the global lock, the token lock let go) */
	if (rv == CKR_OK && (rv = params(m, flag, st)) == CKR_OK &&
	    (rv = kzt_run_install(s, kzt_rsa_kind(flag), st)) == CKR_OK)
		st = NULL;
	kzt_rsa_free(&st);
	kzt_session_release(s);
	return rv;
}
