/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* The named elliptic curves as PKCS#11 and certificates name them (the DER of an
 * OID), the GOST hashes' OIDs, and signature verification on the curves, over
 * src/bn in both backends. The aliases are the ones their standards document
 * (RFC 4357, RFC 7836) and the Kazakh parameter sets docs/gost.md shows to be the
 * same curves; nothing else is mapped. */
#include <string.h>

#include "crypto.h"
#include "ec.h"
#include "kzt_err.h"

#define OID(...) (const uint8_t[]){__VA_ARGS__}, sizeof((const uint8_t[]){__VA_ARGS__})

/* (in kzt_ecurve's order; the OID is the canonical name) */
static const struct curve {
	kzt_ecurve_info info;
	kzt_ec_id ec;
} curves[KZT_ECURVES] = {
	{{KZT_ECURVE_P256, 0, 32, OID(0x06, 0x08, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07)}, KZT_EC_P256},
	{{KZT_ECURVE_P384, 0, 48, OID(0x06, 0x05, 0x2B, 0x81, 0x04, 0x00, 0x22)}, KZT_EC_P384},
	{{KZT_ECURVE_GOST_CP_A, 1, 32, OID(0x06, 0x07, 0x2A, 0x85, 0x03, 0x02, 0x02, 0x23, 0x01)}, KZT_EC_GOST_CP_A},
	{{KZT_ECURVE_GOST_CP_B, 1, 32, OID(0x06, 0x07, 0x2A, 0x85, 0x03, 0x02, 0x02, 0x23, 0x02)}, KZT_EC_GOST_CP_B},
	{{KZT_ECURVE_GOST_CP_C, 1, 32, OID(0x06, 0x07, 0x2A, 0x85, 0x03, 0x02, 0x02, 0x23, 0x03)}, KZT_EC_GOST_CP_C},
	{{KZT_ECURVE_GOST_256_A, 1, 32, OID(0x06, 0x09, 0x2A, 0x85, 0x03, 0x07, 0x01, 0x02, 0x01, 0x01, 0x01)},
	 KZT_EC_GOST_256_A},
	{{KZT_ECURVE_GOST_512_A, 1, 64, OID(0x06, 0x09, 0x2A, 0x85, 0x03, 0x07, 0x01, 0x02, 0x01, 0x02, 0x01)},
	 KZT_EC_GOST_512_A},
	{{KZT_ECURVE_GOST_512_B, 1, 64, OID(0x06, 0x09, 0x2A, 0x85, 0x03, 0x07, 0x01, 0x02, 0x01, 0x02, 0x02)},
	 KZT_EC_GOST_512_B},
	{{KZT_ECURVE_GOST_512_C, 1, 64, OID(0x06, 0x09, 0x2A, 0x85, 0x03, 0x07, 0x01, 0x02, 0x01, 0x02, 0x03)},
	 KZT_EC_GOST_512_C},
};

/* Other names of the same curves. */
static const struct alias {
	const uint8_t *oid;
	size_t oid_len;
	kzt_ecurve is;
} aliases[] = {
	/* TC26 256-B, -C, -D (RFC 7836) are CryptoPro A, B, C */
	{OID(0x06, 0x09, 0x2A, 0x85, 0x03, 0x07, 0x01, 0x02, 0x01, 0x01, 0x02), KZT_ECURVE_GOST_CP_A},
	{OID(0x06, 0x09, 0x2A, 0x85, 0x03, 0x07, 0x01, 0x02, 0x01, 0x01, 0x03), KZT_ECURVE_GOST_CP_B},
	{OID(0x06, 0x09, 0x2A, 0x85, 0x03, 0x07, 0x01, 0x02, 0x01, 0x01, 0x04), KZT_ECURVE_GOST_CP_C},
	/* CryptoPro XchA, XchB (RFC 4357) are CryptoPro A, C */
	{OID(0x06, 0x07, 0x2A, 0x85, 0x03, 0x02, 0x02, 0x24, 0x00), KZT_ECURVE_GOST_CP_A},
	{OID(0x06, 0x07, 0x2A, 0x85, 0x03, 0x02, 0x02, 0x24, 0x01), KZT_ECURVE_GOST_CP_C},
	/* Kazakhstan (docs/gost.md): ST RK GOST R 34.10-2015 512 and 256 set A, GOST
	 * 34.310-2004 set A */
	{OID(0x06, 0x0A, 0x2A, 0x83, 0x0E, 0x03, 0x0A, 0x01, 0x01, 0x02, 0x02, 0x01), KZT_ECURVE_GOST_512_A},
	{OID(0x06, 0x0A, 0x2A, 0x83, 0x0E, 0x03, 0x0A, 0x01, 0x01, 0x02, 0x01, 0x01), KZT_ECURVE_GOST_256_A},
	{OID(0x06, 0x0A, 0x2A, 0x83, 0x0E, 0x03, 0x0A, 0x01, 0x01, 0x01, 0x01, 0x01), KZT_ECURVE_GOST_CP_A},
};

/* The hashes' OIDs: Streebog's own (canonical), then Kazakhstan's. */
static const struct hash_oid {
	const uint8_t *oid;
	size_t oid_len;
	kzt_hash h;
} hash_oids[] = {
	{OID(0x06, 0x08, 0x2A, 0x85, 0x03, 0x07, 0x01, 0x01, 0x02, 0x02), KZT_STREEBOG256},
	{OID(0x06, 0x08, 0x2A, 0x85, 0x03, 0x07, 0x01, 0x01, 0x02, 0x03), KZT_STREEBOG512},
	{OID(0x06, 0x08, 0x2A, 0x83, 0x0E, 0x03, 0x0A, 0x01, 0x03, 0x02), KZT_STREEBOG256},
	{OID(0x06, 0x08, 0x2A, 0x83, 0x0E, 0x03, 0x0A, 0x01, 0x03, 0x03), KZT_STREEBOG512},
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static int
same(const uint8_t *oid, size_t oid_len, const uint8_t *der, size_t len)
{
	return oid_len == len && memcmp(oid, der, len) == 0;
}

const kzt_ecurve_info *
kzt_ecurve_get(kzt_ecurve c)
{
	return (unsigned)c < KZT_ECURVES ? &curves[c].info : NULL;
}

int
kzt_ecurve_by_oid(const uint8_t *der, size_t len, kzt_ecurve *c)
{
	size_t i;

	if (der == NULL)
		return KZT_ERR_NOT_FOUND;
	for (i = 0; i < KZT_ECURVES; i++)
		if (same(curves[i].info.oid, curves[i].info.oid_len, der, len)) {
			*c = curves[i].info.id;
			return KZT_OK;
		}
	for (i = 0; i < COUNT(aliases); i++)
		if (same(aliases[i].oid, aliases[i].oid_len, der, len)) {
			*c = aliases[i].is;
			return KZT_OK;
		}
	return KZT_ERR_NOT_FOUND;
}

int
kzt_hash_by_oid(const uint8_t *der, size_t len, kzt_hash *h)
{
	size_t i;

	for (i = 0; der != NULL && i < COUNT(hash_oids); i++)
		if (same(hash_oids[i].oid, hash_oids[i].oid_len, der, len)) {
			*h = hash_oids[i].h;
			return KZT_OK;
		}
	return KZT_ERR_NOT_FOUND;
}

int
kzt_hash_oid(kzt_hash h, const uint8_t **der, size_t *len)
{
	size_t i;

	for (i = 0; i < COUNT(hash_oids); i++)
		if (hash_oids[i].h == h) { /* (the first is the canonical) */
			*der = hash_oids[i].oid;
			*len = hash_oids[i].oid_len;
			return KZT_OK;
		}
	return KZT_ERR_NOT_FOUND;
}

int
kzt_ecurve_check_point(kzt_ecurve c, const uint8_t *xy)
{
	kzt_ec_curve ec;

	if ((unsigned)c >= KZT_ECURVES || kzt_ec_curve_load(&ec, curves[c].ec) != KZT_OK)
		return KZT_ERR_DATA;
	return kzt_ec_check_point(&ec, xy);
}

int
kzt_ecurve_verify(kzt_ecurve c, const uint8_t *xy, const uint8_t *hash, size_t hash_len,
		  const uint8_t *sig)
{
	kzt_ec_curve ec;

	if ((unsigned)c >= KZT_ECURVES || kzt_ec_curve_load(&ec, curves[c].ec) != KZT_OK)
		return KZT_ERR_DATA;
	return kzt_ec_verify(&ec, curves[c].info.gost ? KZT_EC_GOST : KZT_EC_ECDSA, xy, hash, hash_len,
			     sig);
}
