/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* An optional accelerator for kzt_mont_exp on x86-64 processors with AVX-512 IFMA
 * (52-bit multiply-add): the same fixed-window exponentiation, in radix 2^52 with
 * four limbs per instruction, and two exponentiations interleaved for the two
 * halves of an RSA-CRT operation. Chosen at run time; everywhere else, and when
 * KAZTOKEN_BN_PORTABLE=1 is set in the environment, the portable code runs. */
#ifndef KZT_BN_IFMA_H
#define KZT_BN_IFMA_H

#include "bn.h"

#if KZT_BN_LIMB_BITS == 64 && defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__)) && \
    !defined(KZT_BN_NO_IFMA)
#define KZT_BN_HAVE_IFMA 1
#else
#define KZT_BN_HAVE_IFMA 0
#endif

/* 1 when the accelerator will run here: built in, the processor has it, and
 * KAZTOKEN_BN_PORTABLE is not set. */
int kzt_bn_ifma_active(void);

/* A modulus made ready once for repeated exponentiations (its radix-2^52 form and
 * R^2 mod m): v is 0 where the accelerator does not apply. */
typedef struct kzt_ifma_mod {
	unsigned v; /* vectors of four 52-bit limbs (0: not prepared) */
	size_t n;   /* 64-bit limbs of m */
	uint64_t m[80], rr[80], k0;
} kzt_ifma_mod;
void kzt_bn_ifma_mod_prepare(const kzt_mont *c, kzt_ifma_mod *p);
/* r = a^e mod p's modulus (c, the same modulus, for the last reduction), a < m, by
 * square and multiply: the steps depend on e alone, which is public. 1 when done, 0
 * when p is not prepared (then nothing was written). */
int kzt_bn_ifma_exp_public(const kzt_ifma_mod *p, const kzt_mont *c, kzt_limb *r, const kzt_limb *a,
			   const kzt_limb *e, size_t e_bits);

/* r[s] = a[s]^e[s] mod c[s]->m for s < count (1 or 2), each e[s] of e_bits bits,
 * a[s] < c[s]->m; with count 2 both moduli have the same limb count. prep, when not
 * NULL, holds each modulus made ready (kzt_bn_ifma_mod_prepare on c[s]), which saves
 * doing it here. Returns 1 when done, 0 when the accelerator does not apply (then
 * nothing was written). CT in a, e and m, as kzt_mont_exp. */
int kzt_bn_ifma_exp(const kzt_ifma_mod *const prep[], const kzt_mont *const c[], kzt_limb *const r[],
		    const kzt_limb *const a[], const kzt_limb *const e[], size_t e_bits, unsigned count);
/* Two secret exponentiations at once, r1 = a1^e1 mod c1->m and r2 = a2^e2 mod c2->m,
 * both exponents of e_bits bits (the two halves of an RSA-CRT operation); prep as
 * above, or NULL. On the accelerator where it applies, else portably. CT. */
void kzt_mont_exp2(const kzt_ifma_mod *const prep[], const kzt_mont *c1, kzt_limb *r1, const kzt_limb *a1,
		   const kzt_limb *e1, const kzt_mont *c2, kzt_limb *r2, const kzt_limb *a2,
		   const kzt_limb *e2, size_t e_bits);

#endif
