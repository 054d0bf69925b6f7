/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* Probable primes: a sieve over the small primes, then Miller-Rabin with random
 * bases and FIPS 186-5's round counts. */
#include <string.h>

#include "kzt_err.h"
#include "rsa.h"

#define SIEVE_LIMIT 17864 /* the 2048 primes below it divide candidates out cheaply */
#define MAX_SMALL 2048

unsigned
kzt_bn_mr_rounds(size_t bits)
{
	/* FIPS 186-5 table B.1, error probability 2^-112 (1024), 2^-128 (1536), 2^-144 (2048) */
	if (bits >= 2048)
		return 4;
	if (bits >= 1536)
		return 4;
	return 5;
}

/* The odd primes below SIEVE_LIMIT, into primes; their count. */
static size_t
small_primes(uint16_t *primes)
{
	uint8_t composite[SIEVE_LIMIT];
	size_t i, j, n = 0;

	memset(composite, 0, sizeof(composite));
	for (i = 3; i < SIEVE_LIMIT && n < MAX_SMALL; i += 2) {
		if (composite[i])
			continue;
		primes[n++] = (uint16_t)i;
		for (j = i * i; j < SIEVE_LIMIT; j += 2 * i)
			composite[j] = 1;
	}
	return n;
}

/* a mod s for a small s (not CT: used on candidates before they are chosen). */
static uint32_t
mod_small(const kzt_limb *a, size_t n, uint32_t s)
{
	kzt_dlimb r = 0;
	size_t i;

	for (i = n; i-- > 0;)
		r = ((r << KZT_BN_LIMB_BITS) | a[i]) % s;
	return (uint32_t)r;
}

/* A random value in [2, p - 2] (n limbs). */
static int
random_base(kzt_limb *a, const kzt_limb *p, size_t n, size_t bits, kzt_bn_rng rng)
{
	kzt_limb two[KZT_BN_LIMBS] = {0}, lim[KZT_BN_LIMBS];
	int r;

	two[0] = 2;
	kzt_bn_sub(lim, p, two, n); /* p - 2 */
	do {
		if ((r = rng((uint8_t *)a, n * sizeof(*a))) != KZT_OK)
			return r;
		if (bits % KZT_BN_LIMB_BITS != 0) /* below 2^(bits - 1) < p */
			a[n - 1] &= ((kzt_limb)1 << ((bits - 1) % KZT_BN_LIMB_BITS)) - 1;
		else
			a[n - 1] >>= 1;
	} while (kzt_bn_lt_mask(a, two, n) != 0 || kzt_bn_lt_mask(lim, a, n) != 0);
	return KZT_OK;
}

int
kzt_bn_probable_prime(const kzt_limb *p, size_t n, unsigned rounds, kzt_bn_rng rng)
{
	uint16_t primes[MAX_SMALL];
	kzt_limb d[KZT_BN_LIMBS], a[KZT_BN_LIMBS], x[KZT_BN_LIMBS], minus1[KZT_BN_LIMBS];
	kzt_limb one[KZT_BN_LIMBS] = {0};
	size_t np = small_primes(primes), bits = kzt_bn_bits(p, n), s, i, j;
	kzt_mont c;
	unsigned round;
	int r = KZT_ERR_DATA;

	if (bits < 3 || !(p[0] & 1))
		return KZT_ERR_DATA;
	for (i = 0; i < np; i++) {
		if (n == 1 && p[0] <= primes[i])
			break; /* a small p: nothing below it left to divide by */
		if (mod_small(p, n, primes[i]) == 0)
			return KZT_ERR_DATA;
	}
	if (kzt_mont_init(&c, p, n) != KZT_OK)
		return KZT_ERR_DATA;
	/* p - 1 = 2^s d with d odd */
	one[0] = 1;
	kzt_bn_sub(d, p, one, n);
	for (s = 0; !((d[s / KZT_BN_LIMB_BITS] >> (s % KZT_BN_LIMB_BITS)) & 1); s++)
		;
	for (i = 0; i + s / KZT_BN_LIMB_BITS < n; i++) { /* d >>= s */
		size_t src = i + s / KZT_BN_LIMB_BITS, sh = s % KZT_BN_LIMB_BITS;
		d[i] = d[src] >> sh;
		if (sh != 0 && src + 1 < n)
			d[i] |= d[src + 1] << (KZT_BN_LIMB_BITS - sh);
	}
	for (; i < n; i++)
		d[i] = 0;
	kzt_bn_sub(minus1, c.m, c.one, n); /* p - 1 in Montgomery form: -R mod p */
	for (round = 0; round < rounds; round++) {
		if ((r = random_base(a, p, n, bits, rng)) != KZT_OK)
			goto out;
		kzt_mont_exp(&c, x, a, d, bits);
		kzt_mont_mul(&c, x, x, c.rr); /* into Montgomery form */
		if (kzt_bn_cmp(x, c.one, n) == 0 || kzt_bn_cmp(x, minus1, n) == 0)
			continue;
		for (j = 1; j < s; j++) {
			kzt_mont_mul(&c, x, x, x);
			if (kzt_bn_cmp(x, minus1, n) == 0)
				break;
		}
		if (j >= s) {
			r = KZT_ERR_DATA; /* a witness: composite */
			goto out;
		}
	}
	r = KZT_OK;
out:
	kzt_bn_wipe(x, n);
	kzt_bn_wipe(d, n);
	kzt_bn_wipe(a, n);
	kzt_bn_wipe(c.m, n);
	return r;
}

static uint32_t
gcd_word(uint32_t a, uint32_t b)
{
	while (b != 0) {
		uint32_t t = a % b;
		a = b;
		b = t;
	}
	return a;
}

int
kzt_bn_generate_prime(kzt_limb *p, size_t bits, uint32_t e, kzt_bn_rng rng)
{
	uint16_t primes[MAX_SMALL];
	uint32_t residue[MAX_SMALL], e_res;
	size_t n = KZT_BN_LIMBS_FOR(bits), np = small_primes(primes), i;
	uint8_t buf[KZT_BN_MAX_BITS / 8];
	kzt_limb step[KZT_BN_LIMBS] = {0};
	uint32_t delta;
	int r;

	if (bits < 64 || bits % 8 != 0 || bits > KZT_BN_MAX_BITS || e < 3)
		return KZT_ERR_ARGS;
	for (;;) {
		/* a random odd start with the top two bits set */
		if ((r = rng(buf, bits / 8)) != KZT_OK)
			return r;
		buf[0] |= 0xC0;
		buf[bits / 8 - 1] |= 1;
		kzt_bn_from_bytes(p, n, buf, bits / 8);
		for (i = 0; i < np; i++)
			residue[i] = mod_small(p, n, primes[i]);
		e_res = mod_small(p, n, e);
		/* walk up by 2 while the top bits stay; what a small prime divides is skipped */
		for (delta = 0; delta < (1u << 20); delta += 2) {
			for (i = 0; i < np && (residue[i] + delta) % primes[i] != 0; i++)
				;
			if (i < np || gcd_word((uint32_t)((e_res + delta + e - 1) % e), e) != 1)
				continue;
			step[0] = delta;
			kzt_bn_add(p, p, step, n); /* p += delta, then back for the next try */
			if (kzt_bn_bits(p, n) == bits &&
			    kzt_bn_probable_prime(p, n, kzt_bn_mr_rounds(bits), rng) == KZT_OK) {
				memset(buf, 0, sizeof(buf));
				return KZT_OK;
			}
			kzt_bn_sub(p, p, step, n);
		}
	}
}
