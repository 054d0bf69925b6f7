/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* The card's elliptic-curve keys, on src/bn/ec.c (no OpenSSL on the card): the
 * curves the protocol names (KZT_CURVE_*), key generation, and signing by a key's
 * material (the TLV 99 9A 86 the card keeps). */
#ifndef KZT_CARD_EC_H
#define KZT_CARD_EC_H

#include <stddef.h>
#include <stdint.h>

#include "ec.h"

/* The largest public point: 04 || x || y for 512-bit curves. */
#define KZT_CARD_EC_POINT_MAX (1 + 2 * KZT_EC_MAX_BYTES)

/* KZT_OK and the curve made ready, or KZT_ERR_DATA for a curve id the card has not. */
int kzt_card_ec_curve(uint8_t curve, kzt_ec_curve *c);
/* 1 when the card has the curve (KZT_CURVE_*), without making it ready. */
int kzt_card_ec_known(uint8_t curve);
/* 1 for the GOST R 34.10 curves (signed with KZT_ALG_GOST), 0 for the others (ECDSA). */
int kzt_card_ec_is_gost(uint8_t curve);
/* A new key on curve: its material (out, for the card to keep) and public point;
 * KZT_ERR_DATA for an unknown curve. */
int kzt_card_ec_generate(uint8_t curve, uint8_t *material, size_t cap, size_t *material_len, uint8_t *point,
			 size_t *point_len);
/* The curve of a key's material, and its public value (99 curve 86 point) into
 * out: KZT_ERR_PARSE for material that is no EC key. */
int kzt_card_ec_public_value(const uint8_t *material, size_t len, uint8_t *curve, uint8_t *out, size_t cap,
			     size_t *out_len);
/* sig = the signature (KZT_ALG_ECDSA or KZT_ALG_GOST) of hash by the key whose
 * material this is. KZT_ERR_DATA for a hash of 0 or more than 64 bytes, or an
 * algorithm that is not its curve's; KZT_ERR_CARD when the check of the result
 * fails. */
int kzt_card_ec_sign(const uint8_t *material, size_t len, uint8_t alg, const uint8_t *hash, size_t hash_len,
		     uint8_t *sig, size_t *sig_len);

#endif
