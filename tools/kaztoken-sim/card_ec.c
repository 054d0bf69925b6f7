/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* The card's elliptic-curve keys (card_ec.h). */
#include <string.h>

#include "buf.h"
#include "card_ec.h"
#include "kzt_err.h"
#include "kzt_proto.h"
#include "random.h"
#include "secmem.h"
#include "tlv.h"

static const struct {
	uint8_t curve;
	kzt_ec_id id;
	int gost;
} curves[] = {
	{KZT_CURVE_P256, KZT_EC_P256, 0},
	{KZT_CURVE_P384, KZT_EC_P384, 0},
	{KZT_CURVE_GOST_CP_A, KZT_EC_GOST_CP_A, 1},
	{KZT_CURVE_GOST_CP_B, KZT_EC_GOST_CP_B, 1},
	{KZT_CURVE_GOST_CP_C, KZT_EC_GOST_CP_C, 1},
	{KZT_CURVE_GOST_256_A, KZT_EC_GOST_256_A, 1},
	{KZT_CURVE_GOST_512_A, KZT_EC_GOST_512_A, 1},
	{KZT_CURVE_GOST_512_B, KZT_EC_GOST_512_B, 1},
	{KZT_CURVE_GOST_512_C, KZT_EC_GOST_512_C, 1},
};

static int
find(uint8_t curve)
{
	size_t i;

	for (i = 0; i < sizeof(curves) / sizeof(curves[0]); i++)
		if (curves[i].curve == curve)
			return (int)i;
	return -1;
}

int
kzt_card_ec_curve(uint8_t curve, kzt_ec_curve *c)
{
	int i = find(curve);

	return i < 0 ? KZT_ERR_DATA : kzt_ec_curve_load(c, curves[i].id);
}

int
kzt_card_ec_known(uint8_t curve)
{
	return find(curve) >= 0;
}

int
kzt_card_ec_is_gost(uint8_t curve)
{
	int i = find(curve);

	return i >= 0 && curves[i].gost;
}

int
kzt_card_ec_generate(uint8_t curve, uint8_t *material, size_t cap, size_t *material_len, uint8_t *point,
		     size_t *point_len)
{
	kzt_ec_curve c;
	uint8_t d[KZT_EC_MAX_BYTES];
	kzt_buf b;
	int r;

	if ((r = kzt_card_ec_curve(curve, &c)) != KZT_OK)
		return r;
	point[0] = 0x04; /* uncompressed */
	if ((r = kzt_ec_generate(&c, kzt_os_random, d, point + 1)) != KZT_OK) {
		kzt_secure_zero(d, sizeof(d));
		return r;
	}
	*point_len = 1 + 2 * c.bytes;
	kzt_buf_init(&b, material, cap);
	kzt_tlv_put_u8(&b, KZT_TAG_EC_CURVE, curve);
	kzt_tlv_put(&b, KZT_TAG_EC_PRIVATE, d, c.bytes);
	kzt_tlv_put(&b, KZT_TAG_EC_POINT, point, *point_len);
	kzt_secure_zero(d, sizeof(d));
	*material_len = b.len;
	return b.err;
}

/* The parts of a key's material, each checked against its curve. */
static int
parse(const uint8_t *material, size_t len, kzt_ec_curve *c, uint8_t *curve, kzt_tlv *d, kzt_tlv *point)
{
	kzt_tlv t;

	if (kzt_tlv_find(material, len, KZT_TAG_EC_CURVE, &t) != KZT_OK || t.len != 1 ||
	    kzt_card_ec_curve(t.val[0], c) != KZT_OK ||
	    kzt_tlv_find(material, len, KZT_TAG_EC_PRIVATE, d) != KZT_OK || d->len != c->bytes ||
	    kzt_tlv_find(material, len, KZT_TAG_EC_POINT, point) != KZT_OK || point->len != 1 + 2 * c->bytes ||
	    point->val[0] != 0x04)
		return KZT_ERR_PARSE;
	*curve = t.val[0];
	return KZT_OK;
}

int
kzt_card_ec_public_value(const uint8_t *material, size_t len, uint8_t *curve, uint8_t *out, size_t cap,
			 size_t *out_len)
{
	kzt_ec_curve c;
	kzt_tlv d, point;
	kzt_buf b;

	if (parse(material, len, &c, curve, &d, &point) != KZT_OK)
		return KZT_ERR_PARSE;
	kzt_buf_init(&b, out, cap);
	kzt_tlv_put_u8(&b, KZT_TAG_EC_CURVE, *curve);
	kzt_tlv_put(&b, KZT_TAG_EC_POINT, point.val, point.len);
	*out_len = b.len;
	return b.err;
}

int
kzt_card_ec_sign(const uint8_t *material, size_t len, uint8_t alg, const uint8_t *hash, size_t hash_len,
		 uint8_t *sig, size_t *sig_len)
{
	kzt_ec_curve c; /* (on the stack: this runs with the card's lock let go) */
	kzt_tlv d, point;
	uint8_t curve;
	int gost, r;

	if (parse(material, len, &c, &curve, &d, &point) != KZT_OK)
		return KZT_ERR_CARD;
	gost = kzt_card_ec_is_gost(curve);
	if (hash_len == 0 || hash_len > 64 || alg != (gost ? KZT_ALG_GOST : KZT_ALG_ECDSA))
		return KZT_ERR_DATA;
	r = kzt_ec_sign(&c, gost ? KZT_EC_GOST : KZT_EC_ECDSA, kzt_os_random, d.val, point.val + 1, hash, hash_len,
			sig);
	*sig_len = r == KZT_OK ? 2 * c.bytes : 0;
	return r;
}
