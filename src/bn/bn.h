/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* The project's multi-precision core, portable C99: numbers are little-endian
 * arrays of limbs with an explicit length (the length is public, the value may be
 * secret). 64-bit limbs with 128-bit products where the compiler has them, 32-bit
 * limbs otherwise or when KZT_BN_LIMB_BITS is 32.
 *
 * Constant time: every function marked CT takes the same path and touches the same
 * memory whatever the values of its secret operands; only lengths may differ. */
#ifndef KZT_BN_H
#define KZT_BN_H

#include <stddef.h>
#include <stdint.h>

#if !defined(KZT_BN_LIMB_BITS)
#if defined(__SIZEOF_INT128__)
#define KZT_BN_LIMB_BITS 64
#else
#define KZT_BN_LIMB_BITS 32
#endif
#endif

#if KZT_BN_LIMB_BITS == 64
typedef uint64_t kzt_limb;
typedef unsigned __int128 kzt_dlimb;
#elif KZT_BN_LIMB_BITS == 32
typedef uint32_t kzt_limb;
typedef uint64_t kzt_dlimb;
#else
#error "KZT_BN_LIMB_BITS must be 32 or 64"
#endif

/* The constant-time check (tests/ct): built with KZT_CT_CHECK, secrets are marked
 * undefined for valgrind's memcheck, which then reports any branch or memory index
 * that depends on them; what is meant to become public is declared so here. */
#if defined(KZT_CT_CHECK)
#include <valgrind/memcheck.h>
#define KZT_CT_SECRET(p, len) VALGRIND_MAKE_MEM_UNDEFINED((p), (len))
#define KZT_CT_PUBLIC(p, len) VALGRIND_MAKE_MEM_DEFINED((p), (len))
#else
#define KZT_CT_SECRET(p, len) ((void)(p), (void)(len))
#define KZT_CT_PUBLIC(p, len) ((void)(p), (void)(len))
#endif

#define KZT_BN_MAX_BITS 4096
#define KZT_BN_LIMBS (KZT_BN_MAX_BITS / KZT_BN_LIMB_BITS) /* a modulus at most */
/* Limbs holding bits. */
#define KZT_BN_LIMBS_FOR(bits) (((bits) + KZT_BN_LIMB_BITS - 1) / KZT_BN_LIMB_BITS)

/* Cryptographically strong random bytes: KZT_OK or an error. */
typedef int (*kzt_bn_rng)(uint8_t *out, size_t n);

/* ---- conversions ---- */
/* Big-endian bytes into n limbs: KZT_ERR_DATA when the value does not fit. */
int kzt_bn_from_bytes(kzt_limb *r, size_t n, const uint8_t *in, size_t len);
/* n limbs to exactly len big-endian bytes: KZT_ERR_DATA when the value does not fit. CT. */
int kzt_bn_to_bytes(const kzt_limb *a, size_t n, uint8_t *out, size_t len);
/* The bit length of a (public values only: not CT). */
size_t kzt_bn_bits(const kzt_limb *a, size_t n);

/* ---- arithmetic on n limbs (CT) ---- */
kzt_limb kzt_bn_add(kzt_limb *r, const kzt_limb *a, const kzt_limb *b, size_t n);   /* carry */
kzt_limb kzt_bn_sub(kzt_limb *r, const kzt_limb *a, const kzt_limb *b, size_t n);   /* borrow */
/* r (na + nb limbs) = a * b; r must not overlap a or b. */
void kzt_bn_mul(kzt_limb *r, const kzt_limb *a, size_t na, const kzt_limb *b, size_t nb);
/* All ones when a < b, else 0. */
kzt_limb kzt_bn_lt_mask(const kzt_limb *a, const kzt_limb *b, size_t n);
/* All ones when a == 0, else 0. */
kzt_limb kzt_bn_zero_mask(const kzt_limb *a, size_t n);
/* r = mask ? a : r (mask all ones or 0). */
void kzt_bn_select(kzt_limb *r, const kzt_limb *a, kzt_limb mask, size_t n);
/* Compare public values: -1, 0 or 1 (not CT). */
int kzt_bn_cmp(const kzt_limb *a, const kzt_limb *b, size_t n);

/* ---- Montgomery arithmetic modulo an odd m ---- */
typedef struct kzt_mont {
	size_t n;                   /* limbs of m */
	kzt_limb m[KZT_BN_LIMBS];
	kzt_limb rr[KZT_BN_LIMBS];  /* R^2 mod m, R = 2^(n * limb bits) */
	kzt_limb one[KZT_BN_LIMBS]; /* R mod m: 1 in Montgomery form */
	kzt_limb m0inv;             /* -m^-1 mod 2^(limb bits) */
} kzt_mont;

/* KZT_ERR_DATA unless m is odd and above 1 and n <= KZT_BN_LIMBS. CT in m. */
int kzt_mont_init(kzt_mont *c, const kzt_limb *m, size_t n);
/* r = a * b / R mod m, for a, b < m; r may be a or b. CT. */
void kzt_mont_mul(const kzt_mont *c, kzt_limb *r, const kzt_limb *a, const kzt_limb *b);
/* r = t / R mod m for a t of 2n limbs below m * R (t is not changed). CT. */
void kzt_mont_redc(const kzt_mont *c, kzt_limb *r, const kzt_limb *t);
/* r = a mod m for any a of 2n limbs (a < R^2): through the Montgomery domain. CT. */
void kzt_mont_reduce(const kzt_mont *c, kzt_limb *r, const kzt_limb *a);
/* r = a^e mod m for a < m, e of e_bits bits (e_limbs limbs), with a fixed window:
 * the same squarings, multiplications and table reads whatever a and e are. CT. */
void kzt_mont_exp(const kzt_mont *c, kzt_limb *r, const kzt_limb *a, const kzt_limb *e,
		  size_t e_bits);
/* Bits per window of a secret exponent in kzt_mont_exp: a table of 32 entries. */
#define KZT_BN_WINDOW 5
/* Bits [pos, pos + w) of e (e_limbs limbs, w < limb bits); pos is public. */
unsigned kzt_bn_window(const kzt_limb *e, size_t e_limbs, size_t pos, unsigned w);
/* kzt_mont_exp with no accelerator, whatever the processor (exp.c chooses). */
void kzt_mont_exp_portable(const kzt_mont *c, kzt_limb *r, const kzt_limb *a, const kzt_limb *e,
			   size_t e_bits);
/* (two at once, for RSA-CRT: kzt_mont_exp2 in ifma.h) */
/* The same for a public exponent, faster and not CT in e (still CT in a). */
void kzt_mont_exp_public(const kzt_mont *c, kzt_limb *r, const kzt_limb *a, const kzt_limb *e,
			 size_t e_bits);

/* ---- inverses ---- */
/* r = a^-1 mod m for an odd m of n limbs and a < m: KZT_OK, or KZT_ERR_DATA when
 * they share a factor. CT in a and m (a fixed count of binary steps). */
int kzt_bn_modinv_odd(kzt_limb *r, const kzt_limb *a, const kzt_limb *m, size_t n);
/* r = e^-1 mod m for any m of n limbs (even ones too) and a small odd public e
 * coprime to m: r = (1 + m * (e - (m mod e)^-1 mod e)) / e. CT in m. KZT_ERR_DATA when
 * gcd(e, m) != 1. */
int kzt_bn_inv_small(kzt_limb *r, uint32_t e, const kzt_limb *m, size_t n);

/* Wipe n limbs. */
void kzt_bn_wipe(kzt_limb *a, size_t n);

#endif
