/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* The Montgomery product itself, inline, for kzt_mont_mul (any limb count) and for
 * the elliptic-curve field code (ec.c), which instantiates it for the fixed limb
 * counts of its curves so that the loops unroll. Private to src/bn. */
#ifndef KZT_BN_MONT_H
#define KZT_BN_MONT_H

#include "bn.h"

#if defined(__GNUC__) || defined(__clang__)
#define KZT_BN_INLINE static inline __attribute__((always_inline))
#define KZT_BN_UNROLL _Pragma("GCC unroll 16")
#else
#define KZT_BN_INLINE static inline
#define KZT_BN_UNROLL
#endif

/* t (n + 1 limbs) = a b / R, below 2m: word by word, t = (t + a[i] b + q m) / 2^W
 * with q making the low limb vanish. a, b < m. CT. */
KZT_BN_INLINE void
kzt_mont_product(const size_t n, const kzt_mont *c, kzt_limb *t, const kzt_limb *a, const kzt_limb *b)
{
	size_t i, j;

	KZT_BN_UNROLL for (j = 0; j <= n; j++)
		t[j] = 0;
	KZT_BN_UNROLL for (i = 0; i < n; i++) {
		kzt_limb ai = a[i], q;
		kzt_dlimb c1, c2;

		c1 = (kzt_dlimb)ai * b[0] + t[0];
		q = (kzt_limb)c1 * c->m0inv;
		c2 = (kzt_dlimb)q * c->m[0] + (kzt_limb)c1;
		c1 >>= KZT_BN_LIMB_BITS;
		c2 >>= KZT_BN_LIMB_BITS;
		KZT_BN_UNROLL for (j = 1; j < n; j++) {
			c1 += (kzt_dlimb)ai * b[j] + t[j];
			c2 += (kzt_dlimb)q * c->m[j] + (kzt_limb)c1;
			t[j - 1] = (kzt_limb)c2;
			c1 >>= KZT_BN_LIMB_BITS;
			c2 >>= KZT_BN_LIMB_BITS;
		}
		c1 += (kzt_dlimb)t[n] + c2;
		t[n - 1] = (kzt_limb)c1;
		t[n] = (kzt_limb)(c1 >> KZT_BN_LIMB_BITS);
	}
}

#endif
