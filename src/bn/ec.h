/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* Elliptic curves over prime fields, on the Montgomery core: NIST P-256 and P-384
 * (ECDSA), and the GOST R 34.10 curves (GOST R 34.10-2012 signatures; in
 * Kazakhstan ST RK GOST R 34.10-2015). All in short Weierstrass form
 * y^2 = x^3 + a x + b, the twisted Edwards sets (TC26 256-A, 512-C) through
 * their Weierstrass form, as their standard also gives them.
 *
 * Points are projective (X : Y : Z) and added with the complete formulas of
 * Renes, Costello and Batina (2016, algorithms 1 and 5): one sequence of field
 * operations for every pair of points, doubling and the point at infinity
 * included, so nothing branches on a point. They are complete on a group of odd
 * order; on the curves of cofactor 4 every point we add lies in the subgroup of
 * prime order, where that holds too. A secret scalar is multiplied in fixed
 * windows of 4 bits, every table entry read for each window; the generator's
 * multiples come from a comb of signed 6-bit digits made once (no doubling), its
 * sum Jacobian while it provably cannot meet the mixed addition's exceptions
 * (ec.c, mul_g_lanes). The field code has kinds (ec.c): portable C for any size,
 * 4-limb C for 256 bits and P-256's prime, and BMI2/ADX assembly on x86-64.
 *
 * Byte strings: scalars and coordinates big-endian, of the curve's size; the
 * signatures as each scheme lays them out (see kzt_ec_sign). */
#ifndef KZT_BN_EC_H
#define KZT_BN_EC_H

#include <stddef.h>
#include <stdint.h>

#include "bn.h"

#define KZT_EC_MAX_BITS 512
#define KZT_EC_LIMBS KZT_BN_LIMBS_FOR(KZT_EC_MAX_BITS)
#define KZT_EC_MAX_BYTES (KZT_EC_MAX_BITS / 8)

typedef enum kzt_ec_id {
	KZT_EC_P256,
	KZT_EC_P384,
	KZT_EC_GOST_CP_A, /* CryptoPro A (1.2.643.2.2.35.1), also TC26 256-B */
	KZT_EC_GOST_CP_B, /* CryptoPro B (1.2.643.2.2.35.2), also TC26 256-C */
	KZT_EC_GOST_CP_C, /* CryptoPro C (1.2.643.2.2.35.3), also TC26 256-D */
	KZT_EC_GOST_256_A, /* TC26 256-A (1.2.643.7.1.2.1.1.1), twisted Edwards, cofactor 4 */
	KZT_EC_GOST_512_A, /* TC26 512-A (1.2.643.7.1.2.1.2.1) */
	KZT_EC_GOST_512_B, /* TC26 512-B (1.2.643.7.1.2.1.2.2) */
	KZT_EC_GOST_512_C, /* TC26 512-C (1.2.643.7.1.2.1.2.3), twisted Edwards, cofactor 4 */
	/* the test sets of the standard's examples (RFC 7091, 7.1 and 7.2): for
	 * known-answer tests, no key is made on them */
	KZT_EC_GOST_TEST_256, /* 1.2.643.2.2.35.0 */
	KZT_EC_GOST_TEST_512, /* 1.2.643.7.1.2.1.2.0 */
	KZT_EC_CURVES
} kzt_ec_id;

/* A curve made ready: its field and order as Montgomery problems, a and 3b in
 * the field's Montgomery form, the generator. */
typedef struct kzt_ec_curve {
	kzt_ec_id id;
	const char *name;
	size_t n;     /* limbs of p and q */
	size_t bytes; /* of a coordinate and of a scalar */
	size_t q_bits;
	unsigned cofactor;
	int field;     /* which code its field's arithmetic takes (ec.c) */
	int a_minus_3; /* 1 when a = -3, which has addition formulas of its own */
	kzt_mont p, q;
	kzt_limb a_m[KZT_EC_LIMBS], b_m[KZT_EC_LIMBS], b3_m[KZT_EC_LIMBS];
	kzt_limb gx[KZT_EC_LIMBS], gy[KZT_EC_LIMBS]; /* affine, plain */
} kzt_ec_curve;

/* KZT_OK, or KZT_ERR_DATA for an id that names no curve. */
int kzt_ec_curve_load(kzt_ec_curve *c, kzt_ec_id id);
/* 1 when the 256-bit curves' field code is the BMI2/ADX assembly (x86-64 with
 * both, and KAZTOKEN_BN_PORTABLE not set), 0 when it is the portable C. */
int kzt_ec_adx_active(void);

/* A new key pair: d (c->bytes) random in [1, q - 1], and its public point
 * x || y (2 c->bytes). */
int kzt_ec_generate(const kzt_ec_curve *c, kzt_bn_rng rng, uint8_t *d, uint8_t *xy);
/* The public point of d (KZT_ERR_DATA unless 0 < d < q). */
int kzt_ec_public(const kzt_ec_curve *c, const uint8_t *d, uint8_t *xy);
/* KZT_OK when x || y is a point of the curve in the subgroup of order q other
 * than infinity (coordinates below p, the equation, and on a curve of cofactor 4
 * q P = infinity: with cofactor 1 the whole group is that subgroup); else
 * KZT_ERR_DATA. */
int kzt_ec_check_point(const kzt_ec_curve *c, const uint8_t *xy);

typedef enum kzt_ec_scheme {
	/* ECDSA (FIPS 186-4 / SEC 1): the hash's leftmost bits as the integer e, a
	 * signature r || s */
	KZT_EC_ECDSA,
	/* GOST R 34.10-2012: the hash read little-endian as e (as gost-engine and the
	 * TC 26 PKCS#11 mechanisms read it), a signature s || r */
	KZT_EC_GOST
} kzt_ec_scheme;

/* sig (2 c->bytes) = the signature of hash under d, with a fresh secret nonce
 * from rng for each signature (neither RFC 6979 nor a hedge: the card's random
 * generator, as GOST R 34.10 specifies it). Before it leaves, the signature is
 * checked by what amounts to the verification equation under the public point
 * xy stored with the key (NULL: under d G), so that a fault cannot give the key
 * away: then KZT_ERR_CARD and sig zero. Two multiplications of the generator in
 * all (k G, and (k - d) G for the check), with its comb (made once a curve and
 * process, on first use). */
int kzt_ec_sign(const kzt_ec_curve *c, kzt_ec_scheme scheme, kzt_bn_rng rng, const uint8_t *d,
		const uint8_t *xy, const uint8_t *hash, size_t hash_len, uint8_t *sig);
/* The same with the nonce given (0 < k < q): for known-answer tests only. */
int kzt_ec_sign_with_nonce(const kzt_ec_curve *c, kzt_ec_scheme scheme, const uint8_t *k,
			   const uint8_t *d, const uint8_t *xy, const uint8_t *hash, size_t hash_len,
			   uint8_t *sig);
#if defined(KZT_BN_FAULT_FOR_TEST)
/* A test build's fault, injected into every signature while set: after the two
 * multiplications a bit of the key or the nonce's top limb changed, the message's
 * integer zeroed; or a step of the comb's loop skipped. The check must refuse
 * each (tests/unit/test_ec_faults.c). */
typedef enum kzt_ec_fault_kind {
	KZT_EC_FAULT_NONE,
	KZT_EC_FAULT_KEY_BIT,
	KZT_EC_FAULT_NONCE_LIMB,
	KZT_EC_FAULT_MESSAGE,
	KZT_EC_FAULT_SKIP_STEP
} kzt_ec_fault_kind;
extern kzt_ec_fault_kind kzt_ec_fault;
#endif

/* KZT_OK when sig is a valid signature of hash under the public point xy; else
 * KZT_ERR_DATA (a bad point too). Not CT: everything in it is public. Both, and
 * signing, take a hash of 1 byte or more, for GOST of at most 2 c->bytes. */
int kzt_ec_verify(const kzt_ec_curve *c, kzt_ec_scheme scheme, const uint8_t *xy, const uint8_t *hash,
		  size_t hash_len, const uint8_t *sig);

#endif
