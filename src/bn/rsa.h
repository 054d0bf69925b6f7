/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* RSA on the project's own bignum core: primes, key generation, the public
 * operation, and the private operation (CRT, blinded, checked before its result
 * leaves). Keys travel as big-endian byte strings. */
#ifndef KZT_BN_RSA_H
#define KZT_BN_RSA_H

#include <stddef.h>
#include <stdint.h>

#include "bn.h"
#include "ifma.h"

#define KZT_RSA_MAX_BYTES 512 /* 4096-bit modulus */

/* A private key's components, big-endian without leading zeros. */
typedef struct kzt_rsa_key {
	uint8_t n[KZT_RSA_MAX_BYTES], e[8], d[KZT_RSA_MAX_BYTES];
	uint8_t p[KZT_RSA_MAX_BYTES / 2], q[KZT_RSA_MAX_BYTES / 2];
	uint8_t dp[KZT_RSA_MAX_BYTES / 2], dq[KZT_RSA_MAX_BYTES / 2], qinv[KZT_RSA_MAX_BYTES / 2];
	size_t n_len, e_len, d_len, p_len, q_len, dp_len, dq_len, qinv_len;
} kzt_rsa_key;

/* ---- primes (prime.c) ---- */
/* Miller-Rabin rounds for a prime of bits bits in an RSA key (FIPS 186-5, table
 * B.1, error probability 2^-112 and below). */
unsigned kzt_bn_mr_rounds(size_t bits);
/* KZT_OK when p (n limbs, odd, above 3) passes trial division and rounds of
 * Miller-Rabin with random bases; KZT_ERR_DATA when composite. */
int kzt_bn_probable_prime(const kzt_limb *p, size_t n, unsigned rounds, kzt_bn_rng rng);
/* A random prime of exactly bits bits (a multiple of 8, the top two set, so a
 * product of two has 2 * bits bits) with gcd(p - 1, e) = 1. */
int kzt_bn_generate_prime(kzt_limb *p, size_t bits, uint32_t e, kzt_bn_rng rng);

/* ---- RSA (rsa.c) ---- */
/* A key of bits bits (2048, 3072 or 4096) with public exponent e (odd, 3 to 2^32-1). */
int kzt_rsa_generate(unsigned bits, const uint8_t *e, size_t e_len, kzt_bn_rng rng,
		     kzt_rsa_key *key);
/* out = in^e mod n (in and out n_len bytes): KZT_ERR_DATA when in >= n or the key is
 * malformed. Nothing here is secret. */
int kzt_bn_rsa_public(const uint8_t *n, size_t n_len, const uint8_t *e, size_t e_len,
		   const uint8_t *in, uint8_t *out);

/* A private key made ready for repeated use: its Montgomery contexts and a blinding
 * pair, renewed as it is used. Large: allocate it, and wipe it with
 * kzt_rsa_private_wipe. */
typedef struct kzt_rsa_private {
	size_t k;            /* modulus bytes */
	size_t nh;           /* limbs of p and q */
	size_t p_bits, q_bits, e_bits;
	kzt_mont mn, mp, mq;
	kzt_limb e[KZT_BN_LIMBS_FOR(64)];
	kzt_limb dp[KZT_BN_LIMBS / 2], dq[KZT_BN_LIMBS / 2];
	kzt_limb q[KZT_BN_LIMBS / 2], qinv_m[KZT_BN_LIMBS / 2]; /* qinv in Montgomery form mod p */
	kzt_limb blind_m[KZT_BN_LIMBS], unblind_m[KZT_BN_LIMBS]; /* r^e and r^-1, Montgomery mod n */
	unsigned blind_uses;
	kzt_bn_rng rng;
	kzt_ifma_mod n52;      /* n for the accelerator's public exponentiations (v 0: none) */
	kzt_ifma_mod p52, q52; /* p and q for its secret ones, made ready with the key */
} kzt_rsa_private;

/* KZT_ERR_DATA when the parts do not make a key of 1024..4096 bits this code can use. */
int kzt_rsa_private_init(kzt_rsa_private *k, const kzt_rsa_key *key, kzt_bn_rng rng);
/* out = in^d mod n (in and out k bytes). KZT_ERR_DATA when in >= n; KZT_ERR_CARD when
 * the result fails its check (a fault): then out is left zero. */
int kzt_rsa_private_op(kzt_rsa_private *k, const uint8_t *in, uint8_t *out);
void kzt_rsa_private_wipe(kzt_rsa_private *k);
/* KZT_OK when the components form a consistent RSA key of 2048..4096 bits: n = p q,
 * p and q probable primes, dp, dq and qinv what they must be, and d inverting e. */
int kzt_rsa_check(const kzt_rsa_key *key, kzt_bn_rng rng);

#endif
