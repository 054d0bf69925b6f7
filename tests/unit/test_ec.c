/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* src/bn/ec.c against OpenSSL's own elliptic-curve arithmetic: every curve's
 * parameters checked (primes, the equation, the generator's order, the cofactor
 * within Hasse's bound; the NIST ones equal to OpenSSL's), scalar multiples equal
 * to OpenSSL's, ECDSA signatures verified both ways, GOST R 34.10-2012 signatures
 * checked by the standard's equation computed with OpenSSL and by OpenSSL's gost
 * engine both ways, the published examples (RFC 6979 A.2.5; RFC 7091 7.1 and
 * 7.2), and bad keys, points and signatures refused. The gost engine must be
 * there (Debian libengine-gost-openssl): without it the test fails. */
#define OPENSSL_SUPPRESS_DEPRECATED /* (EC_KEY and ECDSA_do_*: the plainest reference) */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/engine.h>
#include <openssl/evp.h>
#include <openssl/ecdsa.h>
#include <openssl/obj_mac.h>
#include <openssl/rand.h>

#include "ec.h"
#include "kzt_err.h"

static int
rng(uint8_t *out, size_t n)
{
	return RAND_bytes(out, (int)n) == 1 ? KZT_OK : KZT_ERR_IO;
}

static BIGNUM *
bn_of(const kzt_limb *a, size_t n)
{
	uint8_t buf[KZT_EC_MAX_BYTES * 2];

	assert_int_equal(kzt_bn_to_bytes(a, n, buf, n * sizeof(kzt_limb)), KZT_OK);
	return BN_bin2bn(buf, (int)(n * sizeof(kzt_limb)), NULL);
}

/* a plain field element out of the curve's Montgomery form */
static BIGNUM *
bn_of_mont(const kzt_ec_curve *c, const kzt_limb *am)
{
	kzt_limb one[KZT_EC_LIMBS] = {1}, t[KZT_EC_LIMBS];

	kzt_mont_mul(&c->p, t, am, one);
	return bn_of(t, c->n);
}

static void
put(const BIGNUM *b, uint8_t *out, size_t len)
{
	assert_int_equal(BN_bn2binpad(b, out, (int)len), (int)len);
}

static void
unhex(const char *hx, uint8_t *out, size_t n)
{
	size_t i;

	assert_int_equal(strlen(hx), 2 * n);
	for (i = 0; i < n; i++) {
		unsigned v = 0;

		assert_int_equal(sscanf(hx + 2 * i, "%2x", &v), 1);
		out[i] = (uint8_t)v;
	}
}

/* OpenSSL's group with our parameters (so its arithmetic checks ours) */
static EC_GROUP *
group_of(const kzt_ec_curve *c, BN_CTX *ctx)
{
	BIGNUM *p = bn_of(c->p.m, c->n), *a = bn_of_mont(c, c->a_m), *b = bn_of_mont(c, c->b_m);
	BIGNUM *q = bn_of(c->q.m, c->n), *x = bn_of(c->gx, c->n), *y = bn_of(c->gy, c->n);
	BIGNUM *h = BN_new();
	EC_GROUP *g = EC_GROUP_new_curve_GFp(p, a, b, ctx);
	EC_POINT *gen;

	assert_non_null(g);
	gen = EC_POINT_new(g);
	assert_int_equal(EC_POINT_set_affine_coordinates(g, gen, x, y, ctx), 1);
	assert_int_equal(BN_set_word(h, c->cofactor), 1);
	assert_int_equal(EC_GROUP_set_generator(g, gen, q, h), 1);
	EC_POINT_free(gen);
	BN_free(p), BN_free(a), BN_free(b), BN_free(q), BN_free(x), BN_free(y), BN_free(h);
	return g;
}

static void
point_bytes(const EC_GROUP *g, const EC_POINT *pt, size_t bytes, uint8_t *xy, BN_CTX *ctx)
{
	BIGNUM *x = BN_new(), *y = BN_new();

	assert_int_equal(EC_POINT_get_affine_coordinates(g, pt, x, y, ctx), 1);
	put(x, xy, bytes);
	put(y, xy + bytes, bytes);
	BN_free(x), BN_free(y);
}

static void
test_every_curve_is_what_its_standard_says(void **state)
{
	static const int nist[KZT_EC_CURVES] = {[KZT_EC_P256] = NID_X9_62_prime256v1,
						[KZT_EC_P384] = NID_secp384r1};
	static kzt_ec_curve c;
	BN_CTX *ctx = BN_CTX_new();
	uint8_t g[2 * KZT_EC_MAX_BYTES];
	int id;

	(void)state;
	for (id = 0; id < KZT_EC_CURVES; id++) {
		BIGNUM *p, *q, *hq, *bound;
		EC_GROUP *grp;

		assert_int_equal(kzt_ec_curve_load(&c, (kzt_ec_id)id), KZT_OK);
		print_message("%s: %zu bits, cofactor %u\n", c.name, 8 * c.bytes, c.cofactor);
		p = bn_of(c.p.m, c.n);
		q = bn_of(c.q.m, c.n);
		assert_int_equal(BN_check_prime(p, ctx, NULL), 1);
		assert_int_equal(BN_check_prime(q, ctx, NULL), 1);
		/* Hasse: |p + 1 - h q| <= 2 sqrt(p), i.e. (p + 1 - h q)^2 <= 4 p */
		hq = BN_new(), bound = BN_new();
		BN_mul_word(BN_copy(hq, q), c.cofactor);
		BN_add_word(BN_copy(bound, p), 1);
		BN_sub(hq, bound, hq);
		BN_sqr(hq, hq, ctx);
		BN_lshift(bound, p, 2);
		assert_true(BN_cmp(hq, bound) <= 0);
		/* the generator: on the curve, of order q (OpenSSL's check too) */
		kzt_bn_to_bytes(c.gx, c.n, g, c.bytes);
		kzt_bn_to_bytes(c.gy, c.n, g + c.bytes, c.bytes);
		assert_int_equal(kzt_ec_check_point(&c, g), KZT_OK);
		grp = group_of(&c, ctx);
		assert_int_equal(EC_GROUP_check(grp, ctx), 1);
		if (nist[id] != 0) {
			EC_GROUP *named = EC_GROUP_new_by_curve_name(nist[id]);
			BIGNUM *v[2][6];
			int side, k;

			for (side = 0; side < 2; side++) {
				const EC_GROUP *gr = side ? named : grp;

				for (k = 0; k < 6; k++)
					v[side][k] = BN_new();
				assert_int_equal(EC_GROUP_get_curve(gr, v[side][0], v[side][1], v[side][2], ctx), 1);
				assert_int_equal(EC_POINT_get_affine_coordinates(gr, EC_GROUP_get0_generator(gr), v[side][3],
										 v[side][4], ctx), 1);
				assert_int_equal(BN_copy(v[side][5], EC_GROUP_get0_order(gr)) != NULL, 1);
			}
			for (k = 0; k < 6; k++) { /* p, a, b, the generator, the order */
				assert_int_equal(BN_cmp(v[0][k], v[1][k]), 0);
				BN_free(v[0][k]), BN_free(v[1][k]);
			}
			EC_GROUP_free(named);
		}
		EC_GROUP_free(grp);
		BN_free(p), BN_free(q), BN_free(hq), BN_free(bound);
	}
	assert_int_equal(kzt_ec_curve_load(&c, KZT_EC_CURVES), KZT_ERR_DATA);
	assert_int_equal(kzt_ec_curve_load(&c, (kzt_ec_id)-1), KZT_ERR_DATA);
	BN_CTX_free(ctx);
}

/* The scalars the comb's signed 6-bit digits (ec.c, mul_g) find hardest, for
 * i = 0..EDGES-1: 1, 2, q - 1, q - 2, (q -+ 1) / 2, windows all 32 (digit 32), all
 * 33 (digit -31 with a carry in every window), all 63 (-1, carried), a power of 2
 * at each end of the windows and at the top, that less 1, and q less one. All
 * reduced mod q, 0 taken as 1. */
#define EDGES 16
static void
edge_scalar(BIGNUM *k, const BIGNUM *q, int i, BN_CTX *ctx)
{
	int bits = BN_num_bits(q), w;

	BN_zero(k);
	switch (i) {
	case 0:
		BN_one(k);
		break;
	case 1:
		BN_set_word(k, 2);
		break;
	case 2:
		BN_sub(k, q, BN_value_one());
		break;
	case 3:
		BN_sub(k, q, BN_value_one()), BN_sub_word(k, 1);
		break;
	case 4:
		BN_rshift1(k, q);
		break;
	case 5:
		BN_rshift1(k, q), BN_add_word(k, 1);
		break;
	case 6:
	case 7:
	case 8: /* every window 32, 33, 63 */
		for (w = 0; 6 * w < bits; w++) {
			BIGNUM *t = BN_new();

			BN_set_word(t, i == 6 ? 32 : i == 7 ? 33 : 63);
			BN_lshift(t, t, 6 * w);
			BN_add(k, k, t);
			BN_free(t);
		}
		break;
	case 9:
		BN_set_bit(k, 6);
		break;
	case 10: /* the last window of the Jacobian sum */
		BN_set_bit(k, 6 * ((bits - 7) / 6));
		break;
	case 11: /* the first of the complete additions */
		BN_set_bit(k, 6 * ((bits - 7) / 6 + 1));
		break;
	case 12:
		BN_set_bit(k, bits - 1);
		break;
	case 13:
		BN_set_bit(k, bits - 1), BN_sub_word(k, 1);
		break;
	case 14:
		BN_set_bit(k, 6 * ((bits - 7) / 6 + 1)), BN_sub(k, q, k);
		break;
	default:
		BN_set_bit(k, 6 * 20), BN_sub(k, q, k);
		break;
	}
	BN_nnmod(k, k, q, ctx);
	if (BN_is_zero(k))
		BN_one(k);
}

static void
test_public_points_match_openssl_and_bad_keys_are_refused(void **state)
{
	static kzt_ec_curve c;
	BN_CTX *ctx = BN_CTX_new();
	uint8_t d[KZT_EC_MAX_BYTES], ours[2 * KZT_EC_MAX_BYTES], theirs[2 * KZT_EC_MAX_BYTES];
	int id, i;

	(void)state;
	for (id = 0; id < KZT_EC_CURVES; id++) {
		EC_GROUP *grp;
		EC_POINT *pt;
		BIGNUM *q, *k = BN_new();

		assert_int_equal(kzt_ec_curve_load(&c, (kzt_ec_id)id), KZT_OK);
		grp = group_of(&c, ctx);
		pt = EC_POINT_new(grp);
		q = bn_of(c.q.m, c.n);
		for (i = 0; i < EDGES + 10; i++) {
			if (i < EDGES)
				edge_scalar(k, q, i, ctx);
			else
				BN_rand_range(k, q);
			if (BN_is_zero(k))
				BN_one(k);
			put(k, d, c.bytes);
			assert_int_equal(kzt_ec_public(&c, d, ours), KZT_OK);
			assert_int_equal(EC_POINT_mul(grp, pt, k, NULL, NULL, ctx), 1);
			point_bytes(grp, pt, c.bytes, theirs, ctx);
			assert_memory_equal(ours, theirs, 2 * c.bytes);
			assert_int_equal(kzt_ec_check_point(&c, ours), KZT_OK);
		}
		/* 0, q, q + 1 and all ones are no keys */
		memset(d, 0, c.bytes);
		assert_int_equal(kzt_ec_public(&c, d, ours), KZT_ERR_DATA);
		put(q, d, c.bytes);
		assert_int_equal(kzt_ec_public(&c, d, ours), KZT_ERR_DATA);
		BN_add(k, q, BN_value_one());
		if (BN_num_bytes(k) <= (int)c.bytes) {
			put(k, d, c.bytes);
			assert_int_equal(kzt_ec_public(&c, d, ours), KZT_ERR_DATA);
		}
		memset(d, 0xFF, c.bytes);
		assert_int_equal(kzt_ec_public(&c, d, ours), KZT_ERR_DATA);
		/* a generated pair is a pair */
		assert_int_equal(kzt_ec_generate(&c, rng, d, ours), KZT_OK);
		assert_int_equal(kzt_ec_public(&c, d, theirs), KZT_OK);
		assert_memory_equal(ours, theirs, 2 * c.bytes);
		EC_POINT_free(pt);
		EC_GROUP_free(grp);
		BN_free(q), BN_free(k);
	}
	BN_CTX_free(ctx);
}

/* Points that are no public keys: off the curve, coordinates at or past p,
 * infinity's (0, 0), and on a curve of cofactor 4, points outside the subgroup. */
static void
test_points_off_the_curve_or_the_subgroup_are_refused(void **state)
{
	static kzt_ec_curve c;
	BN_CTX *ctx = BN_CTX_new();
	uint8_t xy[2 * KZT_EC_MAX_BYTES], d[KZT_EC_MAX_BYTES];
	int id, found = 0, tries;

	(void)state;
	for (id = 0; id < KZT_EC_CURVES; id++) {
		BIGNUM *p;

		assert_int_equal(kzt_ec_curve_load(&c, (kzt_ec_id)id), KZT_OK);
		assert_int_equal(kzt_ec_generate(&c, rng, d, xy), KZT_OK);
		xy[2 * c.bytes - 1] ^= 1; /* y changed: off the curve */
		assert_int_equal(kzt_ec_check_point(&c, xy), KZT_ERR_DATA);
		memset(xy, 0, 2 * c.bytes);
		assert_int_equal(kzt_ec_check_point(&c, xy), KZT_ERR_DATA);
		p = bn_of(c.p.m, c.n);
		put(p, xy, c.bytes); /* x = p */
		assert_int_equal(kzt_ec_check_point(&c, xy), KZT_ERR_DATA);
		memset(xy, 0xFF, 2 * c.bytes);
		assert_int_equal(kzt_ec_check_point(&c, xy), KZT_ERR_DATA);
		if (c.cofactor > 1) { /* a point of the curve whose order is not q */
			EC_GROUP *grp = group_of(&c, ctx);
			EC_POINT *pt = EC_POINT_new(grp), *t = EC_POINT_new(grp);
			BIGNUM *x = BN_new(), *q = bn_of(c.q.m, c.n);

			for (tries = 0; tries < 100; tries++) {
				BN_rand_range(x, p);
				if (EC_POINT_set_compressed_coordinates(grp, pt, x, 0, ctx) != 1)
					continue;
				EC_POINT_mul(grp, t, NULL, pt, q, ctx);
				if (!EC_POINT_is_at_infinity(grp, t))
					break;
			}
			assert_true(tries < 100);
			point_bytes(grp, pt, c.bytes, xy, ctx);
			assert_int_equal(kzt_ec_check_point(&c, xy), KZT_ERR_DATA);
			/* q P is of order 4 (or 2), 2 q P of order 2: points the formulas are not
			 * complete for, refused all the same */
			EC_POINT_mul(grp, t, NULL, pt, q, ctx);
			if (!EC_POINT_is_at_infinity(grp, t)) {
				point_bytes(grp, t, c.bytes, xy, ctx);
				assert_int_equal(kzt_ec_check_point(&c, xy), KZT_ERR_DATA);
				EC_POINT_dbl(grp, t, t, ctx);
				if (!EC_POINT_is_at_infinity(grp, t)) {
					point_bytes(grp, t, c.bytes, xy, ctx);
					assert_int_equal(kzt_ec_check_point(&c, xy), KZT_ERR_DATA);
				}
			}
			found++;
			EC_POINT_free(pt), EC_POINT_free(t);
			BN_free(x), BN_free(q);
			EC_GROUP_free(grp);
		}
		BN_free(p);
	}
	assert_int_equal(found, 2); /* TC26 256-A and 512-C */
	BN_CTX_free(ctx);
}

static EC_KEY *
openssl_key(const kzt_ec_curve *c, EC_GROUP *grp, const uint8_t *d, BN_CTX *ctx)
{
	EC_KEY *k = EC_KEY_new();
	BIGNUM *bd = BN_bin2bn(d, (int)c->bytes, NULL);
	EC_POINT *pub = EC_POINT_new(grp);

	assert_int_equal(EC_KEY_set_group(k, grp), 1);
	assert_int_equal(EC_KEY_set_private_key(k, bd), 1);
	assert_int_equal(EC_POINT_mul(grp, pub, bd, NULL, NULL, ctx), 1);
	assert_int_equal(EC_KEY_set_public_key(k, pub), 1);
	EC_POINT_free(pub);
	BN_free(bd);
	return k;
}

static void
test_ecdsa_signatures_verify_both_ways(void **state)
{
	static const kzt_ec_id ids[] = {KZT_EC_P256, KZT_EC_P384};
	static const size_t hash_lens[] = {20, 32, 48, 64};
	static kzt_ec_curve c;
	BN_CTX *ctx = BN_CTX_new();
	uint8_t d[KZT_EC_MAX_BYTES], xy[2 * KZT_EC_MAX_BYTES], hash[64], sig[2 * KZT_EC_MAX_BYTES];
	size_t i, h;
	int round;

	(void)state;
	for (i = 0; i < 2; i++) {
		EC_GROUP *grp;
		EC_KEY *key;

		assert_int_equal(kzt_ec_curve_load(&c, ids[i]), KZT_OK);
		grp = group_of(&c, ctx);
		for (round = 0; round < 4; round++) {
			assert_int_equal(kzt_ec_generate(&c, rng, d, xy), KZT_OK);
			key = openssl_key(&c, grp, d, ctx);
			for (h = 0; h < 4; h++) {
				ECDSA_SIG *es;
				BIGNUM *r, *s;
				const BIGNUM *er, *es_s;

				RAND_bytes(hash, (int)hash_lens[h]);
				/* ours, verified by OpenSSL */
				assert_int_equal(kzt_ec_sign(&c, KZT_EC_ECDSA, rng, d, round % 2 ? xy : NULL, hash, hash_lens[h], sig), KZT_OK);
				r = BN_bin2bn(sig, (int)c.bytes, NULL);
				s = BN_bin2bn(sig + c.bytes, (int)c.bytes, NULL);
				es = ECDSA_SIG_new();
				ECDSA_SIG_set0(es, r, s);
				assert_int_equal(ECDSA_do_verify(hash, (int)hash_lens[h], es, key), 1);
				assert_int_equal(kzt_ec_verify(&c, KZT_EC_ECDSA, xy, hash, hash_lens[h], sig), KZT_OK);
				ECDSA_SIG_free(es);
				/* OpenSSL's, verified by ours */
				es = ECDSA_do_sign(hash, (int)hash_lens[h], key);
				assert_non_null(es);
				ECDSA_SIG_get0(es, &er, &es_s);
				put(er, sig, c.bytes);
				put(es_s, sig + c.bytes, c.bytes);
				ECDSA_SIG_free(es);
				assert_int_equal(kzt_ec_verify(&c, KZT_EC_ECDSA, xy, hash, hash_lens[h], sig), KZT_OK);
				/* changed, it fails */
				hash[0] ^= 0x80;
				assert_int_equal(kzt_ec_verify(&c, KZT_EC_ECDSA, xy, hash, hash_lens[h], sig), KZT_ERR_DATA);
				hash[0] ^= 0x80;
				sig[c.bytes + 3] ^= 1;
				assert_int_equal(kzt_ec_verify(&c, KZT_EC_ECDSA, xy, hash, hash_lens[h], sig), KZT_ERR_DATA);
				/* r or s out of [1, q - 1] */
				memset(sig, 0, c.bytes);
				assert_int_equal(kzt_ec_verify(&c, KZT_EC_ECDSA, xy, hash, hash_lens[h], sig), KZT_ERR_DATA);
				memset(sig, 0xFF, 2 * c.bytes);
				assert_int_equal(kzt_ec_verify(&c, KZT_EC_ECDSA, xy, hash, hash_lens[h], sig), KZT_ERR_DATA);
			}
			EC_KEY_free(key);
		}
		EC_GROUP_free(grp);
	}
	BN_CTX_free(ctx);
}

/* RFC 6979 A.2.5: P-256, SHA-256 of "sample", with the nonce the RFC derives. */
static void
test_the_rfc6979_p256_example_gives_its_signature(void **state)
{
	static kzt_ec_curve c;
	/* SHA-256("sample") */
	static const char hash_hex[] = "af2bdbe1aa9b6ec1e2ade1d694f41fc71a831d0268e9891562113d8a62add1bf";
	uint8_t d[32], k[32], want_xy[64], xy[64], want[64], sig[64], hash[32];

	(void)state;
	unhex("c9afa9d845ba75166b5c215767b1d6934e50c3db36e89b127b8a622b120f6721", d, 32);
	unhex("60fed4ba255a9d31c961eb74c6356d68c049b8923b61fa6ce669622e60f29fb6"
	      "7903fe1008b8bc99a41ae9e95628bc64f2f1b20c2d7e9f5177a3c294d4462299",
	      want_xy, 64);
	unhex("a6e3c57dd01abe90086538398355dd4c3b17aa873382b0f24d6129493d8aad60", k, 32);
	unhex("efd48b2aacb6a8fd1140dd9cd45e81d69d2c877b56aaf991c34d0ea84eaf3716"
	      "f7cb1c942d657c41d436c7a1b6e29f65f3e900dbb9aff4064dc4ab2f843acda8",
	      want, 64);
	unhex(hash_hex, hash, 32);
	assert_int_equal(kzt_ec_curve_load(&c, KZT_EC_P256), KZT_OK);
	assert_int_equal(kzt_ec_public(&c, d, xy), KZT_OK);
	assert_memory_equal(xy, want_xy, 64);
	assert_int_equal(kzt_ec_sign_with_nonce(&c, KZT_EC_ECDSA, k, d, NULL, hash, 32, sig), KZT_OK);
	assert_memory_equal(sig, want, 64);
	assert_int_equal(kzt_ec_verify(&c, KZT_EC_ECDSA, xy, hash, 32, want), KZT_OK);
}

/* The GOST R 34.10-2012 verification equation, computed with OpenSSL alone:
 * R = (s e^-1) G - (r e^-1) Q, and r = x(R) mod q. */
static int
gost_verify_openssl(EC_GROUP *grp, const EC_POINT *pub, const uint8_t *hash, size_t hash_len, const uint8_t *sig,
		    size_t bytes, BN_CTX *ctx)
{
	BIGNUM *q = BN_new(), *e, *r, *s, *v = BN_new(), *z1 = BN_new(), *z2 = BN_new(), *x = BN_new();
	EC_POINT *pt = EC_POINT_new(grp);
	int ok;

	EC_GROUP_get_order(grp, q, ctx);
	e = BN_lebin2bn(hash, (int)hash_len, NULL);
	BN_mod(e, e, q, ctx);
	if (BN_is_zero(e))
		BN_one(e);
	s = BN_bin2bn(sig, (int)bytes, NULL);
	r = BN_bin2bn(sig + bytes, (int)bytes, NULL);
	BN_mod_inverse(v, e, q, ctx);
	BN_mod_mul(z1, s, v, q, ctx);
	BN_mod_mul(z2, r, v, q, ctx);
	BN_sub(z2, q, z2);
	EC_POINT_mul(grp, pt, z1, pub, z2, ctx);
	EC_POINT_get_affine_coordinates(grp, pt, x, NULL, ctx);
	BN_mod(x, x, q, ctx);
	ok = BN_cmp(x, r) == 0;
	BN_free(q), BN_free(e), BN_free(r), BN_free(s), BN_free(v), BN_free(z1), BN_free(z2), BN_free(x);
	EC_POINT_free(pt);
	return ok;
}

static void
test_gost_signatures_satisfy_the_standards_equation(void **state)
{
	static kzt_ec_curve c;
	BN_CTX *ctx = BN_CTX_new();
	uint8_t d[KZT_EC_MAX_BYTES], xy[2 * KZT_EC_MAX_BYTES], hash[64], sig[2 * KZT_EC_MAX_BYTES];
	int id, round;

	(void)state;
	for (id = KZT_EC_GOST_CP_A; id <= KZT_EC_GOST_512_C; id++) {
		EC_GROUP *grp;
		EC_POINT *pub;
		BIGNUM *x, *y;

		assert_int_equal(kzt_ec_curve_load(&c, (kzt_ec_id)id), KZT_OK);
		grp = group_of(&c, ctx);
		for (round = 0; round < 3; round++) {
			size_t hl = c.bytes; /* Streebog-256 for the 256-bit sets, -512 for the others */

			assert_int_equal(kzt_ec_generate(&c, rng, d, xy), KZT_OK);
			RAND_bytes(hash, (int)hl);
			assert_int_equal(kzt_ec_sign(&c, KZT_EC_GOST, rng, d, round % 2 ? xy : NULL, hash, hl, sig), KZT_OK);
			pub = EC_POINT_new(grp);
			x = BN_bin2bn(xy, (int)c.bytes, NULL);
			y = BN_bin2bn(xy + c.bytes, (int)c.bytes, NULL);
			assert_int_equal(EC_POINT_set_affine_coordinates(grp, pub, x, y, ctx), 1);
			assert_true(gost_verify_openssl(grp, pub, hash, hl, sig, c.bytes, ctx));
			assert_int_equal(kzt_ec_verify(&c, KZT_EC_GOST, xy, hash, hl, sig), KZT_OK);
			/* a GOST hash is one integer: longer than twice the curve's size, or
			 * empty, it is refused rather than cut */
			{
				uint8_t long_hash[129];

				memset(long_hash, 0x11, sizeof(long_hash));
				assert_int_equal(kzt_ec_sign(&c, KZT_EC_GOST, rng, d, xy, long_hash, 2 * c.bytes + 1, sig),
						 KZT_ERR_DATA);
				assert_int_equal(kzt_ec_verify(&c, KZT_EC_GOST, xy, long_hash, 2 * c.bytes + 1, sig),
						 KZT_ERR_DATA);
				assert_int_equal(kzt_ec_verify(&c, KZT_EC_GOST, xy, hash, 0, sig), KZT_ERR_DATA);
				assert_int_equal(kzt_ec_sign(&c, KZT_EC_GOST, rng, d, xy, hash, hl, sig), KZT_OK);
			}
			/* the same bytes are no ECDSA signature, nor one of another hash */
			assert_int_equal(kzt_ec_verify(&c, KZT_EC_ECDSA, xy, hash, hl, sig), KZT_ERR_DATA);
			hash[hl - 1] ^= 1;
			assert_int_equal(kzt_ec_verify(&c, KZT_EC_GOST, xy, hash, hl, sig), KZT_ERR_DATA);
			EC_POINT_free(pub);
			BN_free(x), BN_free(y);
		}
		EC_GROUP_free(grp);
	}
	BN_CTX_free(ctx);
}

/* RFC 7091 7.1 and 7.2 (GOST R 34.10-2012's own examples, on its test sets):
 * the key's public point and, with the example's nonce, its signature. The
 * examples give e itself; the hash whose little-endian value is e is its bytes
 * reversed. */
static void
test_the_rfc7091_examples_give_their_signatures(void **state)
{
	static const struct {
		kzt_ec_id id;
		const char *d, *qx, *qy, *e, *k, *r, *s;
	} kat[] = {
	    {KZT_EC_GOST_TEST_256, "7a929ade789bb9be10ed359dd39a72c11b60961f49397eee1d19ce9891ec3b28",
	     "7f2b49e270db6d90d8595bec458b50c58585ba1d4e9b788f6689dbd8e56fd80b",
	     "26f1b489d6701dd185c8413a977b3cbbaf64d1c593d26627dffb101a87ff77da",
	     "2dfbc1b372d89a1188c09c52e0eec61fce52032ab1022e8e67ece6672b043ee5",
	     "77105c9b20bcd3122823c8cf6fcc7b956de33814e95b7fe64fed924594dceab3",
	     "41aa28d2f1ab148280cd9ed56feda41974053554a42767b83ad043fd39dc0493",
	     "01456c64ba4642a1653c235a98a60249bcd6d3f746b631df928014f6c5bf9c40"},
	    {KZT_EC_GOST_TEST_512,
	     "0ba6048aadae241ba40936d47756d7c93091a0e8514669700ee7508e508b102072e8123b2200a0563322dad2827e2714"
	     "a2636b7bfd18aadfc62967821fa18dd4",
	     "115dc5bc96760c7b48598d8ab9e740d4c4a85a65be33c1815b5c320c854621dd5a515856d13314af69bc5b924c8b4ddf"
	     "f75c45415c1d9dd9dd33612cd530efe1",
	     "37c7c90cd40b0f5621dc3ac1b751cfa0e2634fa0503b3d52639f5d7fb72afd61ea199441d943ffe7f0c70a2759a3cdb8"
	     "4c114e1f9339fdf27f35eca93677beec",
	     "3754f3cfacc9e0615c4f4a7c4d8dab531b09b6f9c170c533a71d147035b0c5917184ee536593f4414339976c647c5d5a"
	     "407adedb1d560c4fc6777d2972075b8c",
	     "0359e7f4b1410feacc570456c6801496946312120b39d019d455986e364f365886748ed7a44b3e794434006011842286"
	     "212273a6d14cf70ea3af71bb1ae679f1",
	     "2f86fa60a081091a23dd795e1e3c689ee512a3c82ee0dcc2643c78eea8fcacd35492558486b20f1c9ec197c906998502"
	     "60c93bcbcd9c5c3317e19344e173ae36",
	     "1081b394696ffe8e6585e7a9362d26b6325f56778aadbc081c0bfbe933d52ff5823ce288e8c4f362526080df7f70ce40"
	     "6a6eeb1f56919cb92a9853bde73e5b4a"},
	};
	static kzt_ec_curve c;
	uint8_t d[64], k[64], e[64], hash[64], xy[128], want_xy[128], sig[128], want[128];
	size_t i, j, b;

	(void)state;
	for (i = 0; i < 2; i++) {
		assert_int_equal(kzt_ec_curve_load(&c, kat[i].id), KZT_OK);
		b = c.bytes;
		unhex(kat[i].d, d, b);
		unhex(kat[i].qx, want_xy, b);
		unhex(kat[i].qy, want_xy + b, b);
		unhex(kat[i].e, e, b);
		unhex(kat[i].k, k, b);
		unhex(kat[i].s, want, b); /* s || r */
		unhex(kat[i].r, want + b, b);
		for (j = 0; j < b; j++)
			hash[j] = e[b - 1 - j];
		assert_int_equal(kzt_ec_public(&c, d, xy), KZT_OK);
		assert_memory_equal(xy, want_xy, 2 * b);
		assert_int_equal(kzt_ec_sign_with_nonce(&c, KZT_EC_GOST, k, d, want_xy, hash, b, sig), KZT_OK);
		assert_memory_equal(sig, want, 2 * b);
		assert_int_equal(kzt_ec_verify(&c, KZT_EC_GOST, xy, hash, b, want), KZT_OK);
	}
}

/* gost-engine's keys and signatures against ours: it signs, we verify; we sign
 * with its private key, it verifies. On a set of each size and kind. */
static void
test_gost_engine_and_we_accept_each_others_signatures(void **state)
{
	static const struct {
		kzt_ec_id id;
		int nid;
		const char *paramset;
	} sets[] = {{KZT_EC_GOST_CP_A, NID_id_GostR3410_2012_256, "A"},
		    {KZT_EC_GOST_256_A, NID_id_GostR3410_2012_256, "TCA"},
		    {KZT_EC_GOST_512_A, NID_id_GostR3410_2012_512, "A"},
		    {KZT_EC_GOST_512_C, NID_id_GostR3410_2012_512, "C"}};
	static kzt_ec_curve c;
	BN_CTX *ctx = BN_CTX_new();
	uint8_t d[KZT_EC_MAX_BYTES], xy[2 * KZT_EC_MAX_BYTES], hash[64], sig[2 * KZT_EC_MAX_BYTES];
	ENGINE *e;
	size_t i, sig_len;
	int round;

	(void)state;
	if ((e = ENGINE_by_id("gost")) == NULL)
		fail_msg("OpenSSL's gost engine is not installed (Debian libengine-gost-openssl)");
	assert_int_equal(ENGINE_init(e), 1);
	assert_int_equal(ENGINE_register_pkey_asn1_meths(e), 1);
	assert_int_equal(ENGINE_register_pkey_meths(e), 1);
	for (i = 0; i < sizeof(sets) / sizeof(sets[0]); i++) {
		EVP_PKEY_CTX *kc = EVP_PKEY_CTX_new_id(sets[i].nid, e), *sc;
		EVP_PKEY *pk = NULL;
		const EC_KEY *k;
		BIGNUM *x = BN_new(), *y = BN_new();

		assert_int_equal(kzt_ec_curve_load(&c, sets[i].id), KZT_OK);
		assert_non_null(kc);
		assert_int_equal(EVP_PKEY_keygen_init(kc), 1);
		assert_true(EVP_PKEY_CTX_ctrl_str(kc, "paramset", sets[i].paramset) > 0);
		assert_int_equal(EVP_PKEY_keygen(kc, &pk), 1);
		assert_non_null(k = EVP_PKEY_get0(pk));
		assert_int_equal(EC_POINT_get_affine_coordinates(EC_KEY_get0_group(k), EC_KEY_get0_public_key(k), x, y,
								 ctx),
				 1);
		put(x, xy, c.bytes);
		put(y, xy + c.bytes, c.bytes);
		put(EC_KEY_get0_private_key(k), d, c.bytes);
		/* its key is ours too: the same point for the same scalar */
		{
			uint8_t ours[2 * KZT_EC_MAX_BYTES];

			assert_int_equal(kzt_ec_public(&c, d, ours), KZT_OK);
			assert_memory_equal(ours, xy, 2 * c.bytes);
		}
		sc = EVP_PKEY_CTX_new(pk, e);
		for (round = 0; round < 3; round++) {
			RAND_bytes(hash, (int)c.bytes);
			/* it signs, we verify */
			assert_int_equal(EVP_PKEY_sign_init(sc), 1);
			sig_len = sizeof(sig);
			assert_int_equal(EVP_PKEY_sign(sc, sig, &sig_len, hash, c.bytes), 1);
			assert_int_equal(sig_len, 2 * c.bytes);
			assert_int_equal(kzt_ec_verify(&c, KZT_EC_GOST, xy, hash, c.bytes, sig), KZT_OK);
			/* we sign, it verifies; and not another hash */
			assert_int_equal(kzt_ec_sign(&c, KZT_EC_GOST, rng, d, xy, hash, c.bytes, sig), KZT_OK);
			assert_int_equal(EVP_PKEY_verify_init(sc), 1);
			assert_int_equal(EVP_PKEY_verify(sc, sig, 2 * c.bytes, hash, c.bytes), 1);
			hash[0] ^= 1;
			assert_int_not_equal(EVP_PKEY_verify(sc, sig, 2 * c.bytes, hash, c.bytes), 1);
		}
		memset(d, 0, sizeof(d));
		EVP_PKEY_CTX_free(sc);
		EVP_PKEY_CTX_free(kc);
		EVP_PKEY_free(pk);
		BN_free(x), BN_free(y);
	}
	ENGINE_finish(e);
	ENGINE_free(e);
	BN_CTX_free(ctx);
}

/* The fault check: a signature is checked against the key's public point and by
 * the verification equation before it leaves. With another key's point, or one
 * off the curve, nothing leaves (KZT_ERR_CARD, the signature zero); with the
 * key's own, or none, it verifies. */
static void
test_a_signature_that_fails_its_check_never_leaves(void **state)
{
	static const kzt_ec_id ids[] = {KZT_EC_P256, KZT_EC_P384, KZT_EC_GOST_CP_A, KZT_EC_GOST_256_A,
					KZT_EC_GOST_512_A, KZT_EC_GOST_512_C};
	static const uint8_t zero[2 * KZT_EC_MAX_BYTES];
	static kzt_ec_curve c;
	uint8_t d[KZT_EC_MAX_BYTES], xy[2 * KZT_EC_MAX_BYTES], d2[KZT_EC_MAX_BYTES], xy2[2 * KZT_EC_MAX_BYTES];
	uint8_t hash[64], sig[2 * KZT_EC_MAX_BYTES];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		kzt_ec_scheme scheme = ids[i] == KZT_EC_P256 || ids[i] == KZT_EC_P384 ? KZT_EC_ECDSA : KZT_EC_GOST;

		assert_int_equal(kzt_ec_curve_load(&c, ids[i]), KZT_OK);
		assert_int_equal(kzt_ec_generate(&c, rng, d, xy), KZT_OK);
		assert_int_equal(kzt_ec_generate(&c, rng, d2, xy2), KZT_OK);
		rng(hash, c.bytes);
		memset(sig, 0xEE, sizeof(sig));
		assert_int_equal(kzt_ec_sign(&c, scheme, rng, d, xy2, hash, c.bytes, sig), KZT_ERR_CARD);
		assert_memory_equal(sig, zero, 2 * c.bytes);
		xy[2 * c.bytes - 1] ^= 1; /* off the curve */
		assert_int_equal(kzt_ec_sign(&c, scheme, rng, d, xy, hash, c.bytes, sig), KZT_ERR_CARD);
		assert_memory_equal(sig, zero, 2 * c.bytes);
		xy[2 * c.bytes - 1] ^= 1;
		assert_int_equal(kzt_ec_sign(&c, scheme, rng, d, xy, hash, c.bytes, sig), KZT_OK);
		assert_int_equal(kzt_ec_verify(&c, scheme, xy, hash, c.bytes, sig), KZT_OK);
		assert_int_equal(kzt_ec_sign(&c, scheme, rng, d, NULL, hash, c.bytes, sig), KZT_OK);
		assert_int_equal(kzt_ec_verify(&c, scheme, xy, hash, c.bytes, sig), KZT_OK);
		assert_int_equal(kzt_ec_verify(&c, scheme, xy2, hash, c.bytes, sig), KZT_ERR_DATA);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_curve_is_what_its_standard_says),
		cmocka_unit_test(test_public_points_match_openssl_and_bad_keys_are_refused),
		cmocka_unit_test(test_points_off_the_curve_or_the_subgroup_are_refused),
		cmocka_unit_test(test_ecdsa_signatures_verify_both_ways),
		cmocka_unit_test(test_the_rfc6979_p256_example_gives_its_signature),
		cmocka_unit_test(test_gost_signatures_satisfy_the_standards_equation),
		cmocka_unit_test(test_the_rfc7091_examples_give_their_signatures),
		cmocka_unit_test(test_gost_engine_and_we_accept_each_others_signatures),
		cmocka_unit_test(test_a_signature_that_fails_its_check_never_leaves),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
