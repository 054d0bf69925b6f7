/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* Elliptic-curve keys in PKCS#11's terms: the card's curves as named curves, the
 * key types (CKK_EC; CKK_GOSTR3410 and CKK_GOSTR3410_512), and the attributes a
 * key's curve and public point give it:
 *  - ECDSA: CKA_EC_PARAMS, the named curve's OID (DER); a public key's
 *    CKA_EC_POINT, the point 04 || x || y in a DER OCTET STRING (as PKCS#11 3.0
 *    and NSS read it);
 *  - GOST: CKA_GOSTR3410_PARAMS (the TC 26 / RFC 4357 OID, whatever alias made the
 *    key) and CKA_GOSTR3411_PARAMS (Streebog of the key's size); a public key's
 *    CKA_VALUE, x || y each little-endian (PKCS#11 2.40, 2.53.2).
 * No card I/O. */
#include <string.h>

#include "internal.h"
#include "kaztoken/vendor.h"
#include "kzt_err.h"

static const struct {
	uint8_t card; /* KZT_CURVE_* */
	kzt_ecurve c;
} card_curves[] = {
	{KZT_CURVE_P256, KZT_ECURVE_P256},
	{KZT_CURVE_P384, KZT_ECURVE_P384},
	{KZT_CURVE_GOST_CP_A, KZT_ECURVE_GOST_CP_A},
	{KZT_CURVE_GOST_CP_B, KZT_ECURVE_GOST_CP_B},
	{KZT_CURVE_GOST_CP_C, KZT_ECURVE_GOST_CP_C},
	{KZT_CURVE_GOST_256_A, KZT_ECURVE_GOST_256_A},
	{KZT_CURVE_GOST_512_A, KZT_ECURVE_GOST_512_A},
	{KZT_CURVE_GOST_512_B, KZT_ECURVE_GOST_512_B},
	{KZT_CURVE_GOST_512_C, KZT_ECURVE_GOST_512_C},
};
#define N_CURVES (sizeof(card_curves) / sizeof(card_curves[0]))

int
kzt_eckey_from_card(uint8_t card, kzt_ecurve *c)
{
	size_t i;

	for (i = 0; i < N_CURVES; i++)
		if (card_curves[i].card == card) {
			*c = card_curves[i].c;
			return KZT_OK;
		}
	return KZT_ERR_NOT_FOUND;
}

uint8_t
kzt_eckey_card_curve(kzt_ecurve c)
{
	size_t i;

	for (i = 0; i < N_CURVES; i++)
		if (card_curves[i].c == c)
			return card_curves[i].card;
	return 0;
}

CK_KEY_TYPE
kzt_eckey_type(kzt_ecurve c)
{
	const kzt_ecurve_info *i = kzt_ecurve_get(c);

	if (!i->gost)
		return CKK_EC;
	return i->bytes == 64 ? CKK_GOSTR3410_512 : CKK_GOSTR3410;
}

int
kzt_eckey_is_ec_type(CK_KEY_TYPE t)
{
	return t == CKK_EC || t == CKK_GOSTR3410 || t == CKK_GOSTR3410_512;
}

CK_ATTRIBUTE_TYPE
kzt_eckey_params_attr(CK_KEY_TYPE t)
{
	return t == CKK_EC ? CKA_EC_PARAMS : CKA_GOSTR3410_PARAMS;
}

kzt_hash
kzt_eckey_gost_hash(kzt_ecurve c)
{
	return kzt_ecurve_get(c)->bytes == 64 ? KZT_STREEBOG512 : KZT_STREEBOG256;
}

/* x || y (n bytes each) as GOST's CKA_VALUE lays it out, each coordinate
 * little-endian; the same turns it back. */
static void
swap_halves(const uint8_t *in, size_t n, uint8_t *out)
{
	size_t i;

	for (i = 0; i < n; i++) {
		out[i] = in[n - 1 - i];
		out[n + i] = in[2 * n - 1 - i];
	}
}

CK_RV
kzt_object_ec_key(kzt_object *o, uint8_t card_curve, const uint8_t *point, size_t point_len)
{
	const CK_ATTRIBUTE *cls = kzt_attrs_get(&o->attrs, CKA_CLASS), *h;
	int pub = cls != NULL && kzt_ulong_of(cls->pValue) == CKO_PUBLIC_KEY;
	const kzt_ecurve_info *info;
	uint8_t buf[3 + 1 + 2 * KZT_HASH_MAX];
	const uint8_t *hash_oid;
	size_t hash_oid_len;
	kzt_hash want, have;
	CK_KEY_TYPE type;
	kzt_ecurve c;
	int r;

	if (kzt_eckey_from_card(card_curve, &c) != KZT_OK)
		return CKR_DEVICE_ERROR; /* (the driver checked it is one it knows) */
	info = kzt_ecurve_get(c);
	if (point_len != 1 + 2 * info->bytes || point[0] != 0x04)
		return CKR_DEVICE_ERROR;
	type = kzt_eckey_type(c);
	r = kzt_attrs_set_ulong(&o->attrs, CKA_KEY_TYPE, type);
	if (r == KZT_OK)
		r = kzt_attrs_set(&o->attrs, kzt_eckey_params_attr(type), info->oid, info->oid_len);
	if (r == KZT_OK && !info->gost && pub) {
		buf[0] = 0x04; /* OCTET STRING, short form: at most 97 bytes */
		buf[1] = (uint8_t)point_len;
		memcpy(buf + 2, point, point_len);
		r = kzt_attrs_set(&o->attrs, CKA_EC_POINT, buf, 2 + point_len);
	}
	if (r == KZT_OK && info->gost) {
		/* the hash the key was made for, when it names Streebog of its size (a
		 * Kazakh OID stays as given); else Streebog's own */
		want = kzt_eckey_gost_hash(c);
		h = kzt_attrs_get(&o->attrs, CKA_GOSTR3411_PARAMS);
		if ((h == NULL || kzt_hash_by_oid(h->pValue, h->ulValueLen, &have) != KZT_OK || have != want) &&
		    kzt_hash_oid(want, &hash_oid, &hash_oid_len) == KZT_OK)
			r = kzt_attrs_set(&o->attrs, CKA_GOSTR3411_PARAMS, hash_oid, hash_oid_len);
		if (r == KZT_OK && pub) {
			swap_halves(point + 1, info->bytes, buf);
			r = kzt_attrs_set(&o->attrs, CKA_VALUE, buf, 2 * info->bytes);
		}
	}
	if (r != KZT_OK)
		return CKR_HOST_MEMORY;
	o->value_loaded = 1;
	return CKR_OK;
}

CK_RV
kzt_object_ec_curve(const kzt_object *o, kzt_ecurve *c)
{
	const CK_ATTRIBUTE *kt = kzt_attrs_get(&o->attrs, CKA_KEY_TYPE), *p;
	CK_KEY_TYPE type;

	if (kt == NULL || !kzt_eckey_is_ec_type(type = kzt_ulong_of(kt->pValue)))
		return CKR_KEY_TYPE_INCONSISTENT;
	if ((p = kzt_attrs_get(&o->attrs, kzt_eckey_params_attr(type))) == NULL ||
	    kzt_ecurve_by_oid(p->pValue, p->ulValueLen, c) != KZT_OK || kzt_eckey_type(*c) != type)
		return CKR_DEVICE_ERROR; /* (set from the card's own answer) */
	return CKR_OK;
}

CK_RV
kzt_object_ec_public(const kzt_object *o, kzt_ecurve *c, uint8_t *xy)
{
	const CK_ATTRIBUTE *a;
	size_t n;
	CK_RV rv;

	if ((rv = kzt_object_ec_curve(o, c)) != CKR_OK)
		return rv;
	n = kzt_ecurve_get(*c)->bytes;
	if (!kzt_ecurve_get(*c)->gost) {
		a = kzt_attrs_get(&o->attrs, CKA_EC_POINT);
		if (a == NULL || a->ulValueLen != 3 + 2 * n)
			return CKR_DEVICE_ERROR;
		memcpy(xy, (const uint8_t *)a->pValue + 3, 2 * n);
		return CKR_OK;
	}
	a = kzt_attrs_get(&o->attrs, CKA_VALUE);
	if (a == NULL || a->ulValueLen != 2 * n)
		return CKR_DEVICE_ERROR;
	swap_halves(a->pValue, n, xy);
	return CKR_OK;
}

CK_RV
kzt_eckey_card_value(const kzt_attrs *l, uint8_t *out, size_t cap, size_t *len)
{
	const CK_ATTRIBUTE *kt = kzt_attrs_get(l, CKA_KEY_TYPE), *p, *v;
	uint8_t point[1 + 2 * KZT_HASH_MAX];
	const kzt_ecurve_info *info;
	CK_KEY_TYPE type;
	kzt_ecurve c;

	if (kt == NULL || !kzt_eckey_is_ec_type(type = kzt_ulong_of(kt->pValue)))
		return CKR_TEMPLATE_INCONSISTENT;
	if ((p = kzt_attrs_get(l, kzt_eckey_params_attr(type))) == NULL ||
	    (v = kzt_attrs_get(l, type == CKK_EC ? CKA_EC_POINT : CKA_VALUE)) == NULL)
		return CKR_TEMPLATE_INCOMPLETE;
	if (kzt_ecurve_by_oid(p->pValue, p->ulValueLen, &c) != KZT_OK || kzt_eckey_type(c) != type)
		return CKR_CURVE_NOT_SUPPORTED;
	info = kzt_ecurve_get(c);
	point[0] = 0x04;
	if (type == CKK_EC) { /* 04 len 04 || x || y */
		if (v->ulValueLen != 3 + 2 * info->bytes || ((const uint8_t *)v->pValue)[1] != 1 + 2 * info->bytes)
			return CKR_ATTRIBUTE_VALUE_INVALID;
		memcpy(point + 1, (const uint8_t *)v->pValue + 3, 2 * info->bytes);
	} else {
		if (v->ulValueLen != 2 * info->bytes)
			return CKR_ATTRIBUTE_VALUE_INVALID;
		swap_halves(v->pValue, info->bytes, point + 1);
	}
	if (kzt_ecurve_check_point(c, point + 1) != KZT_OK)
		return CKR_ATTRIBUTE_VALUE_INVALID;
	return kzt_ec_value_build(kzt_eckey_card_curve(c), point, 1 + 2 * info->bytes, out, cap, len) == KZT_OK
		       ? CKR_OK
		       : CKR_DEVICE_MEMORY;
}
