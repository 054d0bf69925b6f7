/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* kzt_mont_exp on AVX-512 IFMA. See ifma.h.
 *
 * Numbers are held in radix 2^52, four limbs to a 256-bit register, in L = 4 V
 * limbs with 52 L >= bits(m) + 2, so that R = 2^(52 L) > 4m. The multiplication is
 * "almost Montgomery" (word by word, no final subtraction): for a, b < 2m it
 * returns a b / R mod m, again below 2m. Each step adds the low and high halves of
 * a[i] * b and y * m (y chosen to clear the lowest limb) into 64-bit lanes that
 * are only carried through at the end; a lane gains less than 2^54 a step, so
 * none overflows. Two independent multiplications (the CRT halves) run
 * interleaved, one filling the other's latency.
 *
 * The exponentiation is the portable one's: a table of a^0..a^31, five squarings
 * and one multiplication per window, every table entry read for each pick and the
 * wanted one kept by mask. No branch and no memory index depends on a, e or m. */
#include "ifma.h"

#include <stdlib.h>
#include <string.h>

#if KZT_BN_HAVE_IFMA

#include <immintrin.h>

#define IFMA __attribute__((target("avx512f,avx512vl,avx512ifma")))
#define UNROLL _Pragma("GCC unroll 32")
#define M52 ((((uint64_t)1) << 52) - 1)
#define WINDOW KZT_BN_WINDOW
#define ENTRIES (1u << WINDOW)
#define MAX_V 20 /* vectors of four 52-bit limbs: 80 limbs, 4160 bits >= 4096 + 2 */
#define LANES (MAX_V * 4)

int
kzt_bn_ifma_active(void)
{
	const char *env = getenv("KAZTOKEN_BN_PORTABLE");

	if (env != NULL && env[0] != '\0' && strcmp(env, "0") != 0)
		return 0;
	__builtin_cpu_init();
	return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") &&
	       __builtin_cpu_supports("avx512ifma");
}

/* One problem: modulus, its R^2 mod m, -m^-1 mod 2^52, all in radix 2^52. */
typedef struct prob52 {
	uint64_t m[LANES], rr[LANES];
	uint64_t k0;
} prob52;

typedef void amm_fn(uint64_t *const r[2], const uint64_t *const a[2], const uint64_t *const b[2],
		    const prob52 *const p[2]);

/* r[s] = a[s] b[s] / R mod m[s], below 2m, for s < S; r may be a or b. S and V are
 * constants in each instance below, so the loops over them unroll and the
 * accumulators stay in registers. 256-bit vectors: the 52-bit multiply-adds run at
 * twice the 512-bit rate on the processors that have them, for the same work. */
static inline __attribute__((always_inline)) IFMA void
amm(const unsigned S, const unsigned V, uint64_t *const r[2], const uint64_t *const a[2],
    const uint64_t *const b[2], const prob52 *const p[2])
{
	__m256i acc[2][MAX_V], hi[2][MAX_V];
	const __m256i zero = _mm256_setzero_si256();
	unsigned s, k, i;

	UNROLL for (s = 0; s < S; s++)
		UNROLL for (k = 0; k < V; k++)
			acc[s][k] = zero;
	for (i = 0; i < 4 * V; i++) {
		__m256i ai[2], yv[2];
		uint64_t y[2], x0[2];

		/* acc += lo(a[i] b); hi = hi(a[i] b), which weighs one limb more. The
		 * lowest limb of the sum is known without waiting for the vectors. */
		UNROLL for (s = 0; s < S; s++) {
			const uint64_t *B = b[s];

			ai[s] = _mm256_set1_epi64x((long long)a[s][i]);
			x0[s] = (uint64_t)_mm_cvtsi128_si64(_mm256_castsi256_si128(acc[s][0])) +
				((a[s][i] * B[0]) & M52);
			y[s] = (x0[s] * p[s]->k0) & M52;
			yv[s] = _mm256_set1_epi64x((long long)y[s]);
			UNROLL for (k = 0; k < V; k++) {
				__m256i bk = _mm256_loadu_si256((const void *)(B + 4 * k));

				acc[s][k] = _mm256_madd52lo_epu64(acc[s][k], ai[s], bk);
				hi[s][k] = _mm256_madd52hi_epu64(zero, ai[s], bk);
			}
		}
		/* + y m, y making the lowest limb a multiple of 2^52 */
		UNROLL for (s = 0; s < S; s++) {
			const uint64_t *M = p[s]->m;
			uint64_t carry = (x0[s] + ((y[s] * M[0]) & M52)) >> 52;

			UNROLL for (k = 0; k < V; k++) {
				__m256i mk = _mm256_loadu_si256((const void *)(M + 4 * k));

				acc[s][k] = _mm256_madd52lo_epu64(acc[s][k], yv[s], mk);
				hi[s][k] = _mm256_madd52hi_epu64(hi[s][k], yv[s], mk);
			}
			hi[s][0] = _mm256_add_epi64(hi[s][0], _mm256_maskz_set1_epi64(1, (long long)carry));
		}
		/* divide by 2^52: every lane moves down one; the high halves land */
		UNROLL for (s = 0; s < S; s++) {
			UNROLL for (k = 0; k + 1 < V; k++)
				acc[s][k] = _mm256_add_epi64(_mm256_alignr_epi64(acc[s][k + 1], acc[s][k], 1), hi[s][k]);
			acc[s][V - 1] = _mm256_add_epi64(_mm256_alignr_epi64(zero, acc[s][V - 1], 1), hi[s][V - 1]);
		}
	}
	/* Limbs of 52 bits again, in the registers: each lane's bits past 52 go up one
	 * lane, and then any 1 they leave at 2^52 ripples on through the lanes that are
	 * all ones, found for every lane at once by one integer addition of masks
	 * (generate: above 2^52 - 1; propagate: equal to it). The result is below 2m,
	 * so nothing leaves the top. */
	UNROLL for (s = 0; s < S; s++) {
		const __m256i m52 = _mm256_set1_epi64x((long long)M52);
		const __m256i one = _mm256_set1_epi64x(1);
		__m256i carry[MAX_V];
		unsigned __int128 gen = 0, prop = 0, hit;

		UNROLL for (k = 0; k < V; k++) {
			carry[k] = _mm256_srli_epi64(acc[s][k], 52);
			acc[s][k] = _mm256_and_si256(acc[s][k], m52);
		}
		UNROLL for (k = 0; k < V; k++) {
			acc[s][k] = _mm256_add_epi64(
			    acc[s][k], _mm256_alignr_epi64(carry[k], k == 0 ? zero : carry[k - 1], 3));
			gen |= (unsigned __int128)_mm256_cmpgt_epu64_mask(acc[s][k], m52) << (4 * k);
			prop |= (unsigned __int128)_mm256_cmpeq_epu64_mask(acc[s][k], m52) << (4 * k);
		}
		hit = ((gen << 1) + prop) ^ prop;
		UNROLL for (k = 0; k < V; k++) {
			__m256i v = _mm256_mask_add_epi64(acc[s][k], (__mmask8)((hit >> (4 * k)) & 15), acc[s][k], one);

			_mm256_storeu_si256((void *)(r[s] + 4 * k), _mm256_and_si256(v, m52));
		}
	}
}

#define AMM(S, V)                                                                                  \
	static IFMA __attribute__((noinline)) void amm_##S##_##V(                                  \
	    uint64_t *const r[2], const uint64_t *const a[2], const uint64_t *const b[2],        \
	    const prob52 *const p[2])                                                              \
	{                                                                                          \
		amm(S, V, r, a, b, p);                                                             \
	}
/* The sizes that occur: 1024, 1536 and 2048-bit CRT halves and primes (5, 8 and 10
 * vectors), 3072 and 4096-bit moduli (15, 20). Any other size takes the next one
 * up, which only adds limbs of zeros. */
AMM(1, 5)
AMM(1, 8)
AMM(1, 10)
AMM(1, 15)
AMM(1, 20)
AMM(2, 5)
AMM(2, 8)

static const struct {
	unsigned v;
	amm_fn *one, *two; /* (two at once past eight vectors would not fit the registers) */
} sizes[] = {{5, amm_1_5, amm_2_5}, {8, amm_1_8, amm_2_8}, {10, amm_1_10, NULL},
	     {15, amm_1_15, NULL},  {20, amm_1_20, NULL}};

/* out = tab[idx], reading every entry. CT in idx. One vector of the result at a
 * time, so it stays in a register whatever V is; the entry's mask is a compare of
 * vectors, never a value in memory. */
static IFMA void
pick(unsigned V, uint64_t *out, uint64_t (*tab)[LANES], unsigned idx)
{
	const __m256i want = _mm256_set1_epi64x((long long)idx);
	unsigned k, v;

	for (v = 0; v < V; v++) {
		__m256i o = _mm256_setzero_si256();

		UNROLL for (k = 0; k < ENTRIES; k++) {
			__m256i hit = _mm256_cmpeq_epi64(_mm256_set1_epi64x((long long)k), want);

			o = _mm256_or_si256(o, _mm256_and_si256(hit, _mm256_loadu_si256((const void *)(tab[k] + 4 * v))));
		}
		_mm256_storeu_si256((void *)(out + 4 * v), o);
	}
}

/* n limbs of 64 bits into L limbs of 52 bits (the value must fit) */
static void
to52(uint64_t *r, size_t L, const kzt_limb *a, size_t n)
{
	size_t j;

	for (j = 0; j < L; j++) {
		size_t bit = 52 * j, i = bit / 64, s = bit % 64;
		uint64_t v = i < n ? a[i] >> s : 0;

		if (s > 12 && i + 1 < n)
			v |= a[i + 1] << (64 - s);
		r[j] = v & M52;
	}
}

/* L limbs of 52 bits into n limbs of 64 bits (the value must fit) */
static void
from52(kzt_limb *r, size_t n, const uint64_t *a, size_t L)
{
	size_t j;

	memset(r, 0, n * sizeof(*r));
	for (j = 0; j < L; j++) {
		size_t bit = 52 * j, i = bit / 64, s = bit % 64;

		if (i < n)
			r[i] |= a[j] << s;
		if (s > 12 && i + 1 < n)
			r[i + 1] |= a[j] >> (64 - s);
	}
}

/* Everything the exponentiation keeps, in one block to wipe. */
typedef struct work52 {
	prob52 prob[2];
	uint64_t tab[2][ENTRIES][LANES];
	uint64_t acc[2][LANES], sel[2][LANES], base[2][LANES], one[LANES];
	kzt_limb e[2][KZT_BN_LIMBS + 1], t[KZT_BN_LIMBS];
} work52;

/* The problem's modulus in radix 2^52, and R^2 mod m = 2^(104 L) mod m, computed
 * with the portable code (the exponent is public, the base 2). */
static void
prepare(prob52 *p, const kzt_mont *c, size_t L, kzt_limb *t)
{
	kzt_limb two[KZT_BN_LIMBS], e = (kzt_limb)(104 * L);

	to52(p->m, L, c->m, c->n);
	p->k0 = c->m0inv & M52;
	memset(two, 0, c->n * sizeof(*two));
	two[0] = 2;
	kzt_mont_exp_public(c, t, two, &e, kzt_bn_bits(&e, 1));
	to52(p->rr, L, t, c->n);
}

static IFMA void
run(work52 *w, unsigned S, unsigned V, amm_fn *mul, size_t e_bits)
{
	const prob52 *P[2] = {&w->prob[0], &w->prob[1]};
	uint64_t *R[2] = {NULL, NULL};
	const uint64_t *A[2] = {NULL, NULL}, *B[2] = {NULL, NULL};
	size_t win;
	unsigned s, k, j;

	/* tab[0] = R mod m, tab[1] = a R mod m, tab[k] = a^k R mod m */
	for (s = 0; s < S; s++) {
		R[s] = w->tab[s][1], A[s] = w->base[s], B[s] = w->prob[s].rr;
	}
	mul(R, A, B, P);
	for (s = 0; s < S; s++) {
		R[s] = w->tab[s][0], A[s] = w->one;
	}
	mul(R, A, B, P);
	for (k = 2; k < ENTRIES; k++) {
		for (s = 0; s < S; s++) {
			R[s] = w->tab[s][k], A[s] = w->tab[s][k - 1], B[s] = w->tab[s][1];
		}
		mul(R, A, B, P);
	}
	for (s = 0; s < S; s++)
		memcpy(w->acc[s], w->tab[s][0], sizeof(w->acc[s]));
	for (win = (e_bits + WINDOW - 1) / WINDOW; win-- > 0;) {
		for (s = 0; s < S; s++) {
			R[s] = w->acc[s], A[s] = w->acc[s], B[s] = w->acc[s];
		}
		for (j = 0; j < WINDOW; j++)
			mul(R, A, B, P);
		for (s = 0; s < S; s++) {
			pick(V, w->sel[s], w->tab[s], kzt_bn_window(w->e[s], KZT_BN_LIMBS + 1, win * WINDOW, WINDOW));
			B[s] = w->sel[s];
		}
		mul(R, A, B, P);
	}
	/* out of the Montgomery domain: acc * 1 / R, at most m */
	for (s = 0; s < S; s++) {
		R[s] = w->acc[s], A[s] = w->acc[s], B[s] = w->one;
	}
	mul(R, A, B, P);
}

int
kzt_bn_ifma_exp(const kzt_ifma_mod *const prep[], const kzt_mont *const c[], kzt_limb *const r[],
		const kzt_limb *const a[], const kzt_limb *const e[], size_t e_bits, unsigned count)
{
	size_t n = c[0]->n, L, V, i, el = KZT_BN_LIMBS_FOR(e_bits);
	work52 *w;
	amm_fn *mul;
	unsigned s;

	if (count < 1 || count > 2 || (count == 2 && c[1]->n != n) || n < 8 || e_bits == 0 ||
	    el > KZT_BN_LIMBS || !kzt_bn_ifma_active())
		return 0;
	L = (64 * n + 2 + 51) / 52;
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]) && 4 * sizes[i].v < L; i++)
		;
	if (i == sizeof(sizes) / sizeof(sizes[0]))
		return 0;
	V = sizes[i].v;
	if (count == 2 && sizes[i].two == NULL) /* too wide to interleave: one after the other */
		return kzt_bn_ifma_exp(prep, c, r, a, e, e_bits, 1) &&
		       kzt_bn_ifma_exp(prep != NULL ? prep + 1 : NULL, c + 1, r + 1, a + 1, e + 1, e_bits, 1);
	mul = count == 1 ? sizes[i].one : sizes[i].two;
	if ((w = calloc(1, sizeof(*w))) == NULL)
		return 0;
	L = 4 * V;
	w->one[0] = 1;
	for (s = 0; s < count; s++) {
		if (prep != NULL && prep[s]->v == V && prep[s]->n == n) {
			memcpy(w->prob[s].m, prep[s]->m, sizeof(w->prob[s].m));
			memcpy(w->prob[s].rr, prep[s]->rr, sizeof(w->prob[s].rr));
			w->prob[s].k0 = prep[s]->k0;
		} else {
			prepare(&w->prob[s], c[s], L, w->t);
		}
		to52(w->base[s], L, a[s], n);
		memcpy(w->e[s], e[s], el * sizeof(kzt_limb));
	}
	run(w, count, (unsigned)V, mul, e_bits);
	for (s = 0; s < count; s++) {
		/* acc <= m: subtract m once when it is m itself */
		from52(r[s], n, w->acc[s], L);
		kzt_bn_select(r[s], w->t, kzt_bn_sub(w->t, r[s], c[s]->m, n) - 1, n);
	}
	kzt_bn_wipe((kzt_limb *)w, sizeof(*w) / sizeof(kzt_limb));
	free(w);
	return 1;
}

void
kzt_bn_ifma_mod_prepare(const kzt_mont *c, kzt_ifma_mod *p)
{
	size_t L = (64 * c->n + 2 + 51) / 52, i;
	kzt_limb t[KZT_BN_LIMBS];
	prob52 q;

	memset(p, 0, sizeof(*p));
	if (c->n < 8 || !kzt_bn_ifma_active())
		return;
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]) && 4 * sizes[i].v < L; i++)
		;
	if (i == sizeof(sizes) / sizeof(sizes[0]))
		return;
	prepare(&q, c, 4 * sizes[i].v, t);
	memcpy(p->m, q.m, sizeof(p->m));
	memcpy(p->rr, q.rr, sizeof(p->rr));
	p->k0 = q.k0;
	p->n = c->n;
	p->v = sizes[i].v;
	/* (the modulus may be a secret prime: nothing of it stays on the stack) */
	kzt_bn_wipe((kzt_limb *)(void *)&q, sizeof(q) / sizeof(kzt_limb));
	kzt_bn_wipe(t, sizeof(t) / sizeof(kzt_limb));
}

static IFMA void
exp_public(const prob52 *prob, amm_fn *mul, size_t L, uint64_t *acc, uint64_t *base, const kzt_limb *e,
	   size_t e_bits)
{
	static const uint64_t one[LANES] = {1};
	const prob52 *P[2] = {prob, NULL};
	uint64_t *R[2] = {NULL, NULL};
	const uint64_t *A[2] = {NULL, NULL}, *B[2] = {NULL, NULL};
	size_t i;

	(void)L;
	R[0] = base, A[0] = base, B[0] = prob->rr; /* a R: Montgomery form */
	mul(R, A, B, P);
	memcpy(acc, base, LANES * sizeof(*acc));
	for (i = e_bits - 1; i-- > 0;) {
		R[0] = acc, A[0] = acc, B[0] = acc;
		mul(R, A, B, P);
		if ((e[i / KZT_BN_LIMB_BITS] >> (i % KZT_BN_LIMB_BITS)) & 1) {
			B[0] = base;
			mul(R, A, B, P);
		}
	}
	R[0] = acc, A[0] = acc, B[0] = one; /* out of the Montgomery domain, at most m */
	mul(R, A, B, P);
}

int
kzt_bn_ifma_exp_public(const kzt_ifma_mod *p, const kzt_mont *c, kzt_limb *r, const kzt_limb *a,
		       const kzt_limb *e, size_t e_bits)
{
	uint64_t acc[LANES], base[LANES];
	kzt_limb t[KZT_BN_LIMBS];
	prob52 prob;
	size_t L, i;

	if (p->v == 0 || p->n != c->n || e_bits == 0)
		return 0;
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]) && sizes[i].v != p->v; i++)
		;
	L = 4 * (size_t)p->v;
	memcpy(prob.m, p->m, sizeof(prob.m));
	memcpy(prob.rr, p->rr, sizeof(prob.rr));
	prob.k0 = p->k0;
	memset(acc, 0, sizeof(acc));
	memset(base, 0, sizeof(base));
	to52(base, L, a, c->n);
	exp_public(&prob, sizes[i].one, L, acc, base, e, e_bits);
	from52(r, c->n, acc, L);
	kzt_bn_select(r, t, kzt_bn_sub(t, r, c->m, c->n) - 1, c->n); /* m itself: 0 */
	kzt_bn_wipe((kzt_limb *)acc, sizeof(acc) / sizeof(kzt_limb));
	kzt_bn_wipe((kzt_limb *)base, sizeof(base) / sizeof(kzt_limb));
	kzt_bn_wipe(t, c->n);
	return 1;
}

#else

int
kzt_bn_ifma_active(void)
{
	return 0;
}

int
kzt_bn_ifma_exp(const kzt_ifma_mod *const prep[], const kzt_mont *const c[], kzt_limb *const r[],
		const kzt_limb *const a[], const kzt_limb *const e[], size_t e_bits, unsigned count)
{
	(void)prep, (void)c, (void)r, (void)a, (void)e, (void)e_bits, (void)count;
	return 0;
}

void
kzt_bn_ifma_mod_prepare(const kzt_mont *c, kzt_ifma_mod *p)
{
	(void)c;
	memset(p, 0, sizeof(*p));
}

int
kzt_bn_ifma_exp_public(const kzt_ifma_mod *p, const kzt_mont *c, kzt_limb *r, const kzt_limb *a,
		       const kzt_limb *e, size_t e_bits)
{
	(void)p, (void)c, (void)r, (void)a, (void)e, (void)e_bits;
	return 0;
}

#endif
