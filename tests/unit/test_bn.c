/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* src/bn against OpenSSL's BIGNUM: thousands of random cases of every operation,
 * sizes from one limb to the largest, and the edge values (0, 1, m - 1, limbs of
 * all ones, carries through every limb); then primes and RSA keys checked both
 * ways. Runs with either limb size, and (where the processor has it) once with the
 * IFMA accelerator and once with KAZTOKEN_BN_PORTABLE=1. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#if !defined(KZT_TEST_NO_OPENSSL) /* (a Windows build: the identities alone) */
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>

#include "osslkey.h"
#endif

#include "bn.h"
#include "ifma.h"
#include "kzt_err.h"
#include "random.h"
#include "rsa.h"

#define CASES 2000

static int
rng(uint8_t *out, size_t n)
{
#if defined(KZT_TEST_NO_OPENSSL)
	return kzt_os_random(out, n);
#else
	return RAND_bytes(out, (int)n) == 1 ? KZT_OK : KZT_ERR_IO;
#endif
}

static uint32_t
rnd32(void)
{
	uint32_t v;

	assert_int_equal(rng((uint8_t *)&v, sizeof(v)), KZT_OK);
	return v;
}

#if !defined(KZT_TEST_NO_OPENSSL)
/* limbs <-> BIGNUM through bytes */
static BIGNUM *
to_bn(const kzt_limb *a, size_t n)
{
	uint8_t buf[KZT_BN_LIMBS * 2 * sizeof(kzt_limb) + 8];
	size_t len = n * sizeof(kzt_limb);

	assert_int_equal(kzt_bn_to_bytes(a, n, buf, len), KZT_OK);
	return BN_bin2bn(buf, (int)len, NULL);
}

static void
assert_equal_bn(const kzt_limb *a, size_t n, const BIGNUM *want)
{
	BIGNUM *got = to_bn(a, n);

	if (BN_cmp(got, want) != 0) {
		char *g = BN_bn2hex(got), *w = BN_bn2hex(want);
		print_error("got  %s\nwant %s\n", g, w);
		OPENSSL_free(g);
		OPENSSL_free(w);
		fail();
	}
	BN_free(got);
}
#endif

/* A value of n limbs: random, or one of the edge shapes. */
static void
value(kzt_limb *a, size_t n)
{
	size_t i;

	switch (rnd32() % 8) {
	case 0: memset(a, 0, n * sizeof(*a)); break;                  /* 0 */
	case 1: memset(a, 0, n * sizeof(*a)); a[0] = 1; break;         /* 1 */
	case 2: memset(a, 0xFF, n * sizeof(*a)); break;               /* all ones */
	case 3: /* alternate limbs of all ones and zeros */
		for (i = 0; i < n; i++)
			a[i] = (i & 1) ? 0 : (kzt_limb)-1;
		break;
	default: assert_int_equal(rng((uint8_t *)a, n * sizeof(*a)), KZT_OK);
	}
}

/* An odd modulus of n limbs above 1: random, all ones, or 2^(nW-1) + 1. */
static void
modulus(kzt_limb *m, size_t n)
{
	switch (rnd32() % 6) {
	case 0: memset(m, 0xFF, n * sizeof(*m)); break;
	case 1: memset(m, 0, n * sizeof(*m)); m[n - 1] = (kzt_limb)1 << (KZT_BN_LIMB_BITS - 1); m[0] |= 1; break;
	default: assert_int_equal(rng((uint8_t *)m, n * sizeof(*m)), KZT_OK);
	}
	m[0] |= 1;
	if (n == 1 && m[0] == 1)
		m[0] = 3;
}

static void
test_bytes_round_trip_and_refuse_what_does_not_fit(void **state)
{
	enum { N = KZT_BN_LIMBS_FOR(256) };
	kzt_limb a[N];
	uint8_t in[40], out[40];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(in); i++)
		in[i] = (uint8_t)(i + 1);
	assert_int_equal(kzt_bn_from_bytes(a, N, in + 8, 32), KZT_OK);
	assert_int_equal(kzt_bn_to_bytes(a, N, out, 32), KZT_OK);
	assert_memory_equal(out, in + 8, 32);
	assert_int_equal(kzt_bn_to_bytes(a, N, out, 40), KZT_OK); /* left-padded */
	assert_memory_equal(out + 8, in + 8, 32);
	assert_int_equal(out[0] | out[7], 0);
	assert_int_equal(kzt_bn_to_bytes(a, N, out, 31), KZT_ERR_DATA); /* too big for 31 */
	assert_int_equal(kzt_bn_from_bytes(a, N, in, 40), KZT_ERR_DATA);
	memset(in, 0, 8);
	assert_int_equal(kzt_bn_from_bytes(a, N, in, 40), KZT_OK); /* leading zeros are fine */
	assert_int_equal(kzt_bn_bits(a, N), 8 * 31 + 4);            /* 0x09... */
}

#if !defined(KZT_TEST_NO_OPENSSL)
static void
test_add_sub_mul_match_openssl(void **state)
{
	kzt_limb a[KZT_BN_LIMBS], b[KZT_BN_LIMBS], r[2 * KZT_BN_LIMBS];
	BN_CTX *ctx = BN_CTX_new();
	size_t i, na, nb;

	(void)state;
	for (i = 0; i < CASES; i++) {
		BIGNUM *x, *y, *want = BN_new();
		kzt_limb c;

		na = 1 + rnd32() % KZT_BN_LIMBS;
		nb = 1 + rnd32() % KZT_BN_LIMBS;
		value(a, na);
		value(b, nb);
		x = to_bn(a, na);
		y = to_bn(b, nb);
		kzt_bn_mul(r, a, na, b, nb);
		BN_mul(want, x, y, ctx);
		assert_equal_bn(r, na + nb, want);
		/* add and sub on na limbs (b widened or cut to na) */
		if (nb < na)
			memset(b + nb, 0, (na - nb) * sizeof(*b));
		BN_free(y);
		y = to_bn(b, na);
		c = kzt_bn_add(r, a, b, na);
		r[na] = c;
		BN_add(want, x, y);
		assert_equal_bn(r, na + 1, want);
		c = kzt_bn_sub(r, a, b, na);
		assert_int_equal(c, BN_cmp(x, y) < 0);
		assert_int_equal(kzt_bn_lt_mask(a, b, na) != 0, BN_cmp(x, y) < 0);
		if (!c) {
			BN_sub(want, x, y);
			assert_equal_bn(r, na, want);
		}
		assert_int_equal(kzt_bn_zero_mask(a, na) != 0, BN_is_zero(x));
		BN_free(x);
		BN_free(y);
		BN_free(want);
	}
	BN_CTX_free(ctx);
}

static void
test_montgomery_multiply_reduce_and_exponentiate_match_openssl(void **state)
{
	kzt_limb m[KZT_BN_LIMBS], a[KZT_BN_LIMBS], b[KZT_BN_LIMBS], r[KZT_BN_LIMBS];
	kzt_limb wide[2 * KZT_BN_LIMBS], e[KZT_BN_LIMBS];
	BN_CTX *ctx = BN_CTX_new();
	static kzt_mont c;
	size_t i, n, e_bits;

	(void)state;
	for (i = 0; i < CASES; i++) {
		BIGNUM *bm, *x, *y, *want = BN_new(), *be;

		/* mostly small, sometimes the largest, so the run stays short */
		n = i % 50 == 0 ? KZT_BN_LIMBS : 1 + rnd32() % (KZT_BN_LIMBS / 4);
		modulus(m, n);
		assert_int_equal(kzt_mont_init(&c, m, n), KZT_OK);
		bm = to_bn(m, n);
		/* operands below m: reduce random ones with OpenSSL, or take m - 1 */
		value(a, n);
		x = to_bn(a, n);
		BN_mod(x, x, bm, ctx);
		if (i % 7 == 0)
			BN_sub(x, bm, BN_value_one());
		memset(a, 0, sizeof(a));
		BN_bn2lebinpad(x, (uint8_t *)a, (int)(n * sizeof(kzt_limb)));
		value(b, n);
		y = to_bn(b, n);
		BN_mod(y, y, bm, ctx);
		memset(b, 0, sizeof(b));
		BN_bn2lebinpad(y, (uint8_t *)b, (int)(n * sizeof(kzt_limb)));
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "the test builds limbs from little-endian bytes"
#endif
		/* a b: into the domain, multiply, out */
		kzt_mont_mul(&c, r, a, c.rr);
		kzt_mont_mul(&c, r, r, b); /* aR * b / R = a b */
		BN_mod_mul(want, x, y, bm, ctx);
		assert_equal_bn(r, n, want);
		/* reduction of a 2n-limb value below m R */
		kzt_bn_mul(wide, a, n, b, n);
		kzt_mont_reduce(&c, r, wide);
		assert_equal_bn(r, n, want);
		/* a^e, constant-time and public */
		e_bits = rnd32() % (n * KZT_BN_LIMB_BITS + 1);
		value(e, KZT_BN_LIMBS_FOR(e_bits) ? KZT_BN_LIMBS_FOR(e_bits) : 1);
		if (e_bits % KZT_BN_LIMB_BITS)
			e[e_bits / KZT_BN_LIMB_BITS] &= ((kzt_limb)1 << (e_bits % KZT_BN_LIMB_BITS)) - 1;
		be = to_bn(e, KZT_BN_LIMBS_FOR(e_bits) ? KZT_BN_LIMBS_FOR(e_bits) : 1);
		if (e_bits == 0)
			BN_zero(be);
		BN_mod_exp(want, x, be, bm, ctx);
		kzt_mont_exp(&c, r, a, e, e_bits);
		assert_equal_bn(r, n, want);
		kzt_mont_exp_public(&c, r, a, e, e_bits);
		assert_equal_bn(r, n, want);
		BN_free(bm);
		BN_free(x);
		BN_free(y);
		BN_free(be);
		BN_free(want);
	}
	/* moduli refused: even, 1 */
	m[0] = 4;
	assert_int_equal(kzt_mont_init(&c, m, 1), KZT_ERR_DATA);
	m[0] = 1;
	assert_int_equal(kzt_mont_init(&c, m, 1), KZT_ERR_DATA);
	BN_CTX_free(ctx);
}

/* The accelerator's public exponentiation on a modulus prepared once, against
 * OpenSSL: public exponents as RSA keys have them (3, 65537, up to 2^32 - 1) and
 * any other, bases 0, 1, m - 1 and random. Where the accelerator does not run it
 * must say so and write nothing. */
static void
test_public_exponentiation_on_a_prepared_modulus_matches_openssl(void **state)
{
	static kzt_mont c;
	static kzt_ifma_mod p;
	kzt_limb m[KZT_BN_LIMBS], a[KZT_BN_LIMBS], r[KZT_BN_LIMBS], e[KZT_BN_LIMBS_FOR(64)];
	BN_CTX *ctx = BN_CTX_new();
	size_t i, n, e_bits, done = 0;

	(void)state;
	for (i = 0; i < CASES / 10; i++) {
		BIGNUM *bm, *x, *be, *want = BN_new();

		n = 8 + rnd32() % (KZT_BN_LIMBS - 7); /* (the accelerator's sizes: 8 limbs and up) */
		modulus(m, n);
		assert_int_equal(kzt_mont_init(&c, m, n), KZT_OK);
		kzt_bn_ifma_mod_prepare(&c, &p);
		bm = to_bn(m, n);
		value(a, n);
		x = to_bn(a, n);
		BN_mod(x, x, bm, ctx);
		if (i % 4 == 1)
			BN_zero(x);
		if (i % 4 == 2)
			BN_one(x);
		if (i % 4 == 3)
			BN_sub(x, bm, BN_value_one());
		memset(a, 0, sizeof(a));
		BN_bn2lebinpad(x, (uint8_t *)a, (int)(n * sizeof(kzt_limb)));
		memset(e, 0, sizeof(e));
		e[0] = i % 3 == 0 ? 65537 : i % 3 == 1 ? 3 : (kzt_limb)(rnd32() | 1);
		e_bits = kzt_bn_bits(e, KZT_BN_LIMBS_FOR(64));
		be = to_bn(e, KZT_BN_LIMBS_FOR(64));
		memset(r, 0x5A, sizeof(r));
		if (kzt_bn_ifma_exp_public(&p, &c, r, a, e, e_bits)) {
			assert_true(kzt_bn_ifma_active());
			BN_mod_exp(want, x, be, bm, ctx);
			assert_equal_bn(r, n, want);
			done++;
		} else {
			assert_int_equal(p.v, 0);
			assert_int_equal(r[0], (kzt_limb)0x5A5A5A5A5A5A5A5AULL);
		}
		BN_free(bm);
		BN_free(x);
		BN_free(be);
		BN_free(want);
	}
	print_message("%zu on the accelerator\n", done);
	assert_true(done == 0 || kzt_bn_ifma_active());
	BN_CTX_free(ctx);
}

/* kzt_mont_exp2, which runs the two CRT halves together (interleaved on the IFMA
 * path), against OpenSSL: moduli of equal limb counts, edge values included; every
 * other case with the moduli made ready beforehand, as an RSA key keeps them. */
static void
test_two_exponentiations_at_once_match_openssl(void **state)
{
	static kzt_mont c[2];
	static kzt_ifma_mod pm[2];
	const kzt_ifma_mod *const prep[2] = {&pm[0], &pm[1]};
	kzt_limb m[2][KZT_BN_LIMBS], a[2][KZT_BN_LIMBS], r[2][KZT_BN_LIMBS], e[2][KZT_BN_LIMBS];
	BN_CTX *ctx = BN_CTX_new();
	size_t i, s, n, e_bits;

	(void)state;
	print_message("IFMA accelerator %s\n", kzt_bn_ifma_active() ? "active" : "not active");
	for (i = 0; i < CASES / 10; i++) {
		n = 1 + rnd32() % (KZT_BN_LIMBS / 2);
		e_bits = 1 + rnd32() % (n * KZT_BN_LIMB_BITS);
		for (s = 0; s < 2; s++) {
			BIGNUM *bm, *x;

			modulus(m[s], n);
			assert_int_equal(kzt_mont_init(&c[s], m[s], n), KZT_OK);
			bm = to_bn(m[s], n);
			value(a[s], n);
			x = to_bn(a[s], n);
			BN_mod(x, x, bm, ctx);
			if (i % 5 == s)
				BN_sub(x, bm, BN_value_one());
			memset(a[s], 0, sizeof(a[s]));
			BN_bn2lebinpad(x, (uint8_t *)a[s], (int)(n * sizeof(kzt_limb)));
			memset(e[s], i % 7 == 0 ? 0xFF : 0, sizeof(e[s]));
			if (i % 7 != 0)
				value(e[s], KZT_BN_LIMBS_FOR(e_bits));
			if (e_bits % KZT_BN_LIMB_BITS)
				e[s][e_bits / KZT_BN_LIMB_BITS] &= ((kzt_limb)1 << (e_bits % KZT_BN_LIMB_BITS)) - 1;
			memset(e[s] + KZT_BN_LIMBS_FOR(e_bits), 0,
			       (KZT_BN_LIMBS - KZT_BN_LIMBS_FOR(e_bits)) * sizeof(kzt_limb));
			BN_free(bm);
			BN_free(x);
		}
		if (i % 2) {
			kzt_bn_ifma_mod_prepare(&c[0], &pm[0]);
			kzt_bn_ifma_mod_prepare(&c[1], &pm[1]);
		}
		kzt_mont_exp2(i % 2 ? prep : NULL, &c[0], r[0], a[0], e[0], &c[1], r[1], a[1], e[1], e_bits);
		for (s = 0; s < 2; s++) {
			BIGNUM *bm = to_bn(m[s], n), *x = to_bn(a[s], n), *be = to_bn(e[s], KZT_BN_LIMBS);
			BIGNUM *want = BN_new();

			BN_mod_exp(want, x, be, bm, ctx);
			assert_equal_bn(r[s], n, want);
			BN_free(bm);
			BN_free(x);
			BN_free(be);
			BN_free(want);
		}
	}
	BN_CTX_free(ctx);
}

static void
test_inverses_match_openssl(void **state)
{
	kzt_limb m[KZT_BN_LIMBS], a[KZT_BN_LIMBS], r[KZT_BN_LIMBS];
	BN_CTX *ctx = BN_CTX_new();
	size_t i, n;
	int invertible;

	(void)state;
	for (i = 0; i < CASES / 2; i++) {
		BIGNUM *bm, *x, *want = BN_new();
		uint32_t e = (rnd32() | 1) % 100000 + 3;

		n = 1 + rnd32() % (KZT_BN_LIMBS / 4);
		modulus(m, n);
		bm = to_bn(m, n);
		value(a, n);
		x = to_bn(a, n);
		BN_mod(x, x, bm, ctx);
		memset(a, 0, sizeof(a));
		BN_bn2lebinpad(x, (uint8_t *)a, (int)(n * sizeof(kzt_limb)));
		invertible = BN_mod_inverse(want, x, bm, ctx) != NULL;
		assert_int_equal(kzt_bn_modinv_odd(r, a, m, n) == KZT_OK, invertible);
		if (invertible)
			assert_equal_bn(r, n, want);
		/* a small e modulo any m, even ones too */
		value(m, n);
		if (kzt_bn_zero_mask(m, n))
			m[0] = 2;
		BN_free(bm);
		bm = to_bn(m, n);
		e |= 1;
		BN_set_word(x, e);
		invertible = BN_mod_inverse(want, x, bm, ctx) != NULL && !BN_is_one(bm);
		if (kzt_bn_inv_small(r, e, m, n) == KZT_OK) {
			if (!invertible) {
				char *h = BN_bn2hex(bm);
				print_error("e=%u m=%s\n", e, h);
				OPENSSL_free(h);
			}
			assert_true(invertible);
			assert_equal_bn(r, n, want);
		} else {
			assert_false(invertible);
		}
		BN_free(bm);
		BN_free(x);
		BN_free(want);
	}
	BN_CTX_free(ctx);
}

static void
test_primes_agree_with_openssl(void **state)
{
	static const uint32_t carmichael[] = {561, 1105, 1729, 2465, 2821, 6601, 8911, 41041, 825265};
	kzt_limb p[KZT_BN_LIMBS], q[KZT_BN_LIMBS], pq[2 * KZT_BN_LIMBS];
	BN_CTX *ctx = BN_CTX_new();
	BIGNUM *bp = BN_new();
	size_t i, n;

	(void)state;
	for (i = 0; i < sizeof(carmichael) / sizeof(carmichael[0]); i++) {
		memset(p, 0, sizeof(p));
		p[0] = carmichael[i];
		assert_int_equal(kzt_bn_probable_prime(p, 1, 5, rng), KZT_ERR_DATA);
	}
	p[0] = 65537;
	assert_int_equal(kzt_bn_probable_prime(p, 1, 5, rng), KZT_OK);
	p[0] = 17863; /* the last small prime the sieve knows */
	assert_int_equal(kzt_bn_probable_prime(p, 1, 5, rng), KZT_OK);
	for (i = 0; i < 10; i++) {
		/* primes from OpenSSL pass; their products do not */
		assert_int_equal(BN_generate_prime_ex2(bp, 256, 0, NULL, NULL, NULL, ctx), 1);
		n = KZT_BN_LIMBS_FOR(256);
		memset(p, 0, sizeof(p));
		BN_bn2lebinpad(bp, (uint8_t *)p, (int)(n * sizeof(kzt_limb)));
		assert_int_equal(kzt_bn_probable_prime(p, n, 5, rng), KZT_OK);
		memcpy(q, p, sizeof(q));
		kzt_bn_mul(pq, p, n, q, n);
		assert_int_equal(kzt_bn_probable_prime(pq, 2 * n, 5, rng), KZT_ERR_DATA);
		/* our primes pass OpenSSL's test, with the size and top bits asked */
		assert_int_equal(kzt_bn_generate_prime(p, 512, 65537, rng), KZT_OK);
		BN_free(bp);
		bp = to_bn(p, KZT_BN_LIMBS_FOR(512));
		assert_int_equal(BN_num_bits(bp), 512);
		assert_true(BN_is_bit_set(bp, 510));
		assert_int_equal(BN_check_prime(bp, ctx, NULL), 1);
	}
	assert_int_equal(kzt_bn_mr_rounds(1024), 5);
	assert_int_equal(kzt_bn_mr_rounds(1536), 4);
	assert_int_equal(kzt_bn_mr_rounds(2048), 4);
	BN_free(bp);
	BN_CTX_free(ctx);
}

static EVP_PKEY *
to_pkey(const kzt_rsa_key *k)
{
	EVP_PKEY *pk = kzt_osslkey_from_parts(k);

	assert_non_null(pk);
	return pk;
}

static void
from_pkey(EVP_PKEY *pk, kzt_rsa_key *k)
{
	assert_int_equal(kzt_osslkey_to_parts(pk, k), 0);
}

/* OpenSSL's raw RSA with this key: out = in^d (private) or in^e (public). */
static void
openssl_raw(EVP_PKEY *pk, int private, const uint8_t *in, size_t len, uint8_t *out)
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, pk, NULL);
	size_t out_len = len;

	if (private) {
		assert_int_equal(EVP_PKEY_decrypt_init(ctx), 1);
		assert_int_equal(EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_NO_PADDING), 1);
		assert_int_equal(EVP_PKEY_decrypt(ctx, out, &out_len, in, len), 1);
	} else {
		assert_int_equal(EVP_PKEY_encrypt_init(ctx), 1);
		assert_int_equal(EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_NO_PADDING), 1);
		assert_int_equal(EVP_PKEY_encrypt(ctx, out, &out_len, in, len), 1);
	}
	assert_int_equal(out_len, len);
	EVP_PKEY_CTX_free(ctx);
}

/* Both private operations and both public ones agree on random blocks. */
static void
cross_check(const kzt_rsa_key *key, EVP_PKEY *pk, int rounds)
{
	static kzt_rsa_private priv;
	uint8_t in[512], ours[512], theirs[512];
	size_t k = key->n_len;
	int i;

	assert_int_equal(kzt_rsa_private_init(&priv, key, rng), KZT_OK);
	for (i = 0; i < rounds; i++) { /* more than one blinding renewal */
		assert_int_equal(rng(in, k), KZT_OK);
		in[0] &= 0x7F;
		assert_int_equal(kzt_rsa_private_op(&priv, in, ours), KZT_OK);
		openssl_raw(pk, 1, in, k, theirs);
		assert_memory_equal(ours, theirs, k);
		assert_int_equal(kzt_bn_rsa_public(key->n, k, key->e, key->e_len, in, ours), KZT_OK);
		openssl_raw(pk, 0, in, k, theirs);
		assert_memory_equal(ours, theirs, k);
	}
	/* n itself is no block */
	assert_int_equal(kzt_rsa_private_op(&priv, key->n, ours), KZT_ERR_DATA);
	assert_int_equal(kzt_bn_rsa_public(key->n, k, key->e, key->e_len, key->n, ours), KZT_ERR_DATA);
	/* a fault (here: a changed exponent half) is caught before the result leaves */
	priv.dp[0] ^= 4;
	assert_int_equal(kzt_rsa_private_op(&priv, in, ours), KZT_ERR_CARD);
	for (i = 0; i < (int)k; i++)
		assert_int_equal(ours[i], 0);
	kzt_rsa_private_wipe(&priv);
}

static void
test_our_keys_pass_openssl_and_operations_agree(void **state)
{
	static const unsigned sizes[] = {2048, 3072, 4096};
	static kzt_rsa_key key;
	EVP_PKEY_CTX *ctx;
	EVP_PKEY *pk;
	size_t i;

	(void)state;
	for (i = 0; i < 3; i++) {
		assert_int_equal(kzt_rsa_generate(sizes[i], (const uint8_t *)"\x01\x00\x01", 3, rng, &key),
				 KZT_OK);
		assert_int_equal(key.n_len, sizes[i] / 8);
		pk = to_pkey(&key);
		ctx = EVP_PKEY_CTX_new_from_pkey(NULL, pk, NULL);
		assert_int_equal(EVP_PKEY_check(ctx), 1); /* OpenSSL's RSA key check */
		EVP_PKEY_CTX_free(ctx);
		assert_int_equal(kzt_rsa_check(&key, rng), KZT_OK);
		cross_check(&key, pk, i == 0 ? 70 : 5);
		EVP_PKEY_free(pk);
	}
	assert_int_equal(kzt_rsa_generate(1024, (const uint8_t *)"\x01\x00\x01", 3, rng, &key), KZT_ERR_DATA);
	assert_int_equal(kzt_rsa_generate(2048, (const uint8_t *)"\x01\x00\x00", 3, rng, &key), KZT_ERR_DATA);
}

static void
test_openssl_keys_work_and_bad_keys_are_refused(void **state)
{
	static kzt_rsa_key key, bad;
	EVP_PKEY *pk = EVP_RSA_gen(2048);

	(void)state;
	from_pkey(pk, &key);
	assert_int_equal(kzt_rsa_check(&key, rng), KZT_OK);
	cross_check(&key, pk, 40);
	/* each part changed in turn: the check refuses them all */
	{
		uint8_t *parts[] = {bad.n + 100, bad.d + 100, bad.dp + 10, bad.dq + 10, bad.qinv + 10, bad.e + 2};
		size_t i;

		for (i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
			bad = key;
			*parts[i] ^= 2;
			assert_int_equal(kzt_rsa_check(&bad, rng), KZT_ERR_DATA);
		}
	}
	bad = key;
	bad.p_len = 0;
	assert_int_equal(kzt_rsa_check(&bad, rng), KZT_ERR_DATA);
	EVP_PKEY_free(pk);
}

#endif

/* What must hold whatever the reference: sums undo, products commute, the
 * Montgomery steps and every exponentiation agree with one another, inverses
 * invert, and a generated key's private operation is undone by its public one. */
static void
test_the_arithmetic_identities_hold(void **state)
{
	enum { N = KZT_BN_LIMBS_FOR(1024) };
	static kzt_rsa_key key;
	static kzt_rsa_private priv;
	kzt_limb m[N], a[N], b[N], t[N], u[N], x[N], y[N], ab[2 * N], ba[2 * N], e1[1], e2[1], e12[1];
	uint8_t in[256], sig[256], back[256];
	kzt_limb carry;
	kzt_mont c;
	int i;

	(void)state;
	for (i = 0; i < 200; i++) {
		size_t n = 1 + rnd32() % N;

		modulus(m, n);
		assert_int_equal(kzt_mont_init(&c, m, n), KZT_OK);
		value(a, n);
		value(b, n);
		memset(ab, 0, sizeof(ab));
		memcpy(ab, a, n * sizeof(*a));
		kzt_mont_reduce(&c, a, ab); /* a, b < m from here */
		memcpy(ab, b, n * sizeof(*b));
		kzt_mont_reduce(&c, b, ab);
		/* (a + b) - b = a, carry and borrow together */
		carry = kzt_bn_add(t, a, b, n);
		assert_int_equal(kzt_bn_sub(u, t, b, n), carry);
		assert_memory_equal(u, a, n * sizeof(*a));
		/* ab = ba, and ab mod m two ways: reduced, and a * b / R * R^2 / R */
		kzt_bn_mul(ab, a, n, b, n);
		kzt_bn_mul(ba, b, n, a, n);
		assert_memory_equal(ab, ba, 2 * n * sizeof(*ab));
		kzt_mont_reduce(&c, x, ab);
		kzt_mont_mul(&c, y, a, b);
		kzt_mont_mul(&c, y, y, c.rr);
		assert_memory_equal(x, y, n * sizeof(*x));
		/* a^(e1 + e2) = a^e1 * a^e2, with the fixed window, the public and the portable code */
		e1[0] = rnd32() % 100000, e2[0] = rnd32() % 100000, e12[0] = e1[0] + e2[0];
		kzt_mont_exp(&c, t, a, e1, 17);
		kzt_mont_exp_public(&c, u, a, e2, 17);
		memset(ab, 0, sizeof(ab));
		kzt_bn_mul(ab, t, n, u, n);
		kzt_mont_reduce(&c, x, ab);
		kzt_mont_exp_portable(&c, y, a, e12, 18);
		assert_memory_equal(x, y, n * sizeof(*x));
		/* a * a^-1 = 1 */
		if (kzt_bn_modinv_odd(t, a, m, n) == KZT_OK) {
			kzt_bn_mul(ab, a, n, t, n);
			kzt_mont_reduce(&c, x, ab);
			memset(y, 0, sizeof(y));
			y[0] = 1;
			assert_memory_equal(x, y, n * sizeof(*x));
		}
	}
	assert_int_equal(kzt_rsa_generate(2048, (const uint8_t *)"\x01\x00\x01", 3, rng, &key), KZT_OK);
	assert_int_equal(kzt_rsa_check(&key, rng), KZT_OK);
	assert_int_equal(kzt_rsa_private_init(&priv, &key, rng), KZT_OK);
	for (i = 0; i < 10; i++) {
		assert_int_equal(rng(in, sizeof(in)), KZT_OK);
		in[0] &= 0x7f; /* below n */
		assert_int_equal(kzt_rsa_private_op(&priv, in, sig), KZT_OK);
		assert_int_equal(kzt_bn_rsa_public(key.n, key.n_len, key.e, key.e_len, sig, back), KZT_OK);
		assert_memory_equal(back, in, sizeof(in));
	}
	kzt_rsa_private_wipe(&priv);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bytes_round_trip_and_refuse_what_does_not_fit),
		cmocka_unit_test(test_the_arithmetic_identities_hold),
#if !defined(KZT_TEST_NO_OPENSSL)
		cmocka_unit_test(test_add_sub_mul_match_openssl),
		cmocka_unit_test(test_montgomery_multiply_reduce_and_exponentiate_match_openssl),
		cmocka_unit_test(test_two_exponentiations_at_once_match_openssl),
		cmocka_unit_test(test_public_exponentiation_on_a_prepared_modulus_matches_openssl),
		cmocka_unit_test(test_inverses_match_openssl),
		cmocka_unit_test(test_primes_agree_with_openssl),
		cmocka_unit_test(test_our_keys_pass_openssl_and_operations_agree),
		cmocka_unit_test(test_openssl_keys_work_and_bad_keys_are_refused),
#endif
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
