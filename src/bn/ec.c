/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* Elliptic curves: the field and point arithmetic, the scalar multiplication,
 * and ECDSA and GOST R 34.10-2012 over them (ec.h says which and how). */
#include <stdlib.h>
#include <string.h>

#include "ec.h"
#include "kzt_err.h"
#include "mont.h"

#define L KZT_EC_LIMBS
#define WINDOW 4
#define ENTRIES (1u << WINDOW)
#define AGAIN 1 /* (sign: r or s came out 0, draw another nonce) */

/* The parameters as their standards print them: FIPS 186-4 (D.1.2.3, D.1.2.4),
 * RFC 4357 (10.1: the CryptoPro sets and the 256-bit test set), RFC 7836 (A.2:
 * the TC26 sets; for 256-A and 512-C their Weierstrass form) and RFC 7091 (7.2:
 * the 512-bit test set). Hex, big-endian. */
static const struct {
	const char *name, *p, *a, *b, *q, *x, *y;
	unsigned cofactor;
} curves[KZT_EC_CURVES] = {
    [KZT_EC_P256] = {"P-256", "ffffffff00000001000000000000000000000000ffffffffffffffffffffffff",
		     "ffffffff00000001000000000000000000000000fffffffffffffffffffffffc",
		     "5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604b",
		     "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551",
		     "6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296",
		     "4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5", 1},
    [KZT_EC_P384] = {"P-384",
		     "fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffeffffffff0000000000000000ffffffff",
		     "fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffeffffffff0000000000000000fffffffc",
		     "b3312fa7e23ee7e4988e056be3f82d19181d9c6efe8141120314088f5013875ac656398d8a2ed19d2a85c8edd3ec2aef",
		     "ffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973",
		     "aa87ca22be8b05378eb1c71ef320ad746e1d3b628ba79b9859f741e082542a385502f25dbf55296c3a545e3872760ab7",
		     "3617de4a96262c6f5d9e98bf9292dc29f8f41dbd289a147ce9da3113b5f0b8c00a60b1ce1d7e819d7a431d7c90ea0e5f", 1},
    [KZT_EC_GOST_CP_A] = {"GOST CryptoPro A", "fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffd97",
			  "fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffd94", "a6",
			  "ffffffffffffffffffffffffffffffff6c611070995ad10045841b09b761b893", "1",
			  "8d91e471e0989cda27df505a453f2b7635294f2ddf23e3b122acc99c9e9f1e14", 1},
    [KZT_EC_GOST_CP_B] = {"GOST CryptoPro B", "8000000000000000000000000000000000000000000000000000000000000c99",
			  "8000000000000000000000000000000000000000000000000000000000000c96",
			  "3e1af419a269a5f866a7d3c25c3df80ae979259373ff2b182f49d4ce7e1bbc8b",
			  "800000000000000000000000000000015f700cfff1a624e5e497161bcc8a198f", "1",
			  "3fa8124359f96680b83d1c3eb2c070e5c545c9858d03ecfb744bf8d717717efc", 1},
    [KZT_EC_GOST_CP_C] = {"GOST CryptoPro C", "9b9f605f5a858107ab1ec85e6b41c8aacf846e86789051d37998f7b9022d759b",
			  "9b9f605f5a858107ab1ec85e6b41c8aacf846e86789051d37998f7b9022d7598", "805a",
			  "9b9f605f5a858107ab1ec85e6b41c8aa582ca3511eddfb74f02f3a6598980bb9", "0",
			  "41ece55743711a8c3cbf3783cd08c0ee4d4dc440d4641a8f366e550dfdb3bb67", 1},
    [KZT_EC_GOST_256_A] = {"GOST TC26 256-A", "fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffd97",
			   "c2173f1513981673af4892c23035a27ce25e2013bf95aa33b22c656f277e7335",
			   "295f9bae7428ed9ccc20e7c359a9d41a22fccd9108e17bf7ba9337a6f8ae9513",
			   "400000000000000000000000000000000fd8cddfc87b6635c115af556c360c67",
			   "91e38443a5e82c0d880923425712b2bb658b9196932e02c78b2582fe742daa28",
			   "32879423ab1a0375895786c4bb46e9565fde0b5344766740af268adb32322e5c", 4},
    [KZT_EC_GOST_512_A] = {"GOST TC26 512-A",
			   "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"
			   "fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffdc7",
			   "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"
			   "fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffdc4",
			   "e8c2505dedfc86ddc1bd0b2b6667f1da34b82574761cb0e879bd081cfd0b6265"
			   "ee3cb090f30d27614cb4574010da90dd862ef9d4ebee4761503190785a71c760",
			   "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"
			   "27e69532f48d89116ff22b8d4e0560609b4b38abfad2b85dcacdb1411f10b275",
			   "3",
			   "7503cfe87a836ae3a61b8816e25450e6ce5e1c93acf1abc1778064fdcbefa921df16"
			   "26be4fd036e93d75e6a50e3a41e98028fe5fc235f5b889a589cb5215f2a4", 1},
    [KZT_EC_GOST_512_B] = {"GOST TC26 512-B",
			   "8000000000000000000000000000000000000000000000000000000000000000"
			   "000000000000000000000000000000000000000000000000000000000000006f",
			   "8000000000000000000000000000000000000000000000000000000000000000"
			   "000000000000000000000000000000000000000000000000000000000000006c",
			   "687d1b459dc841457e3e06cf6f5e2517b97c7d614af138bcbf85dc806c4b289f"
			   "3e965d2db1416d217f8b276fad1ab69c50f78bee1fa3106efb8ccbc7c5140116",
			   "8000000000000000000000000000000000000000000000000000000000000001"
			   "49a1ec142565a545acfdb77bd9d40cfa8b996712101bea0ec6346c54374f25bd",
			   "2",
			   "1a8f7eda389b094c2c071e3647a8940f3c123b697578c213be6dd9e6c8ec7335"
			   "dcb228fd1edf4a39152cbcaaf8c0398828041055f94ceeec7e21340780fe41bd", 1},
    [KZT_EC_GOST_512_C] = {"GOST TC26 512-C",
			   "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"
			   "fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffdc7",
			   "dc9203e514a721875485a529d2c722fb187bc8980eb866644de41c68e1430645"
			   "46e861c0e2c9edd92ade71f46fcf50ff2ad97f951fda9f2a2eb6546f39689bd3",
			   "b4c4ee28cebc6c2c8ac12952cf37f16ac7efb6a9f69f4b57ffda2e4f0de5ade0"
			   "38cbc2fff719d2c18de0284b8bfef3b52b8cc7a5f5bf0a3c8d2319a5312557e1",
			   "3fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"
			   "c98cdba46506ab004c33a9ff5147502cc8eda9e7a769a12694623cef47f023ed",
			   "e2e31edfc23de7bdebe241ce593ef5de2295b7a9cbaef021d385f7074cea043a"
			   "a27272a7ae602bf2a7b9033db9ed3610c6fb85487eae97aac5bc7928c1950148",
			   "f5ce40d95b5eb899abbccff5911cb8577939804d6527378b8c108c3d2090ff9b"
			   "e18e2d33e3021ed2ef32d85822423b6304f726aa854bae07d0396e9a9addc40f", 4},
    [KZT_EC_GOST_TEST_256] = {"GOST test 256", "8000000000000000000000000000000000000000000000000000000000000431",
			      "7", "5fbff498aa938ce739b8e022fbafef40563f6e6a3472fc2a514c0ce9dae23b7e",
			      "8000000000000000000000000000000150fe8a1892976154c59cfc193accf5b3", "2",
			      "08e2a8a0e65147d4bd6316030e16d19c85c97f0a9ca267122b96abbcea7e8fc8", 1},
    [KZT_EC_GOST_TEST_512] = {"GOST test 512",
			      "4531acd1fe0023c7550d267b6b2fee80922b14b2ffb90f04d4eb7c09b5d2d15d"
			      "f1d852741af4704a0458047e80e4546d35b8336fac224dd81664bbf528be6373",
			      "7",
			      "1cff0806a31116da29d8cfa54e57eb748bc5f377e49400fdd788b649eca1ac43"
			      "61834013b2ad7322480a89ca58e0cf74bc9e540c2add6897fad0a3084f302adc",
			      "4531acd1fe0023c7550d267b6b2fee80922b14b2ffb90f04d4eb7c09b5d2d15d"
			      "a82f2d7ecb1dbac719905c5eecc423f1d86e25edbe23c595d644aaf187e6e6df",
			      "24d19cc64572ee30f396bf6ebbfd7a6c5213b3b3d7057cc825f91093a68cd762"
			      "fd60611262cd838dc6b60aa7eee804e28bc849977fac33b4b530f1b120248a9a",
			      "2bb312a43bd2ce6e0d020613c857acddcfbf061e91e5f2c3f32447c259f39b2c"
			      "83ab156d77f1496bf7eb3351e1ee4e43dc1a18b91b24640b6dbb92cb1add371e", 1},
};

/* A point, projective, each coordinate in the field's Montgomery form. */
typedef struct point {
	kzt_limb x[L], y[L], z[L];
} point;

static int
nibble(char h)
{
	return h >= '0' && h <= '9' ? h - '0' : h >= 'a' && h <= 'f' ? h - 'a' + 10 : -1;
}

/* n limbs of a hex number (it fits: the table above) */
static void
from_hex(kzt_limb *r, size_t n, const char *hx)
{
	size_t len = strlen(hx), i;

	memset(r, 0, n * sizeof(*r));
	for (i = 0; i < len; i++) {
		size_t bit = 4 * (len - 1 - i);

		r[bit / KZT_BN_LIMB_BITS] |= (kzt_limb)nibble(hx[i]) << (bit % KZT_BN_LIMB_BITS);
	}
}

/* ---- the field: values below p, in Montgomery form where they are points' ----
 * The products and sums of a point operation dominate everything here, so they
 * are written out for each limb count a curve has (the loops then unroll), with
 * kzt_mont_mul's algorithm; any other count takes kzt_mont_mul itself. */

#define INLINE KZT_BN_INLINE
#define UNROLL KZT_BN_UNROLL
#define W KZT_BN_LIMB_BITS

/* r = t - m when that does not borrow past hi, else t (t of n limbs, hi its carry) */
INLINE void
sub_once(const size_t n, kzt_limb *r, const kzt_limb *t, kzt_limb hi, const kzt_limb *m)
{
	kzt_limb u[L], borrow = 0, keep;
	size_t j;

	UNROLL for (j = 0; j < n; j++) {
		kzt_dlimb d = (kzt_dlimb)t[j] - m[j] - borrow;

		u[j] = (kzt_limb)d;
		borrow = (kzt_limb)(d >> W) & 1;
	}
	keep = (kzt_limb)0 - (borrow & (hi ^ 1)); /* all ones: t itself */
	UNROLL for (j = 0; j < n; j++)
		r[j] = (t[j] & keep) | (u[j] & ~keep);
}

INLINE void
mul_n(const size_t n, const kzt_mont *c, kzt_limb *r, const kzt_limb *a, const kzt_limb *b)
{
	kzt_limb t[L + 1];

	kzt_mont_product(n, c, t, a, b);
	sub_once(n, r, t, t[n], c->m);
}

INLINE void
add_n(const size_t n, const kzt_limb *m, kzt_limb *r, const kzt_limb *a, const kzt_limb *b)
{
	kzt_limb t[L], carry = 0;
	size_t j;

	UNROLL for (j = 0; j < n; j++) {
		kzt_dlimb s = (kzt_dlimb)a[j] + b[j] + carry;

		t[j] = (kzt_limb)s;
		carry = (kzt_limb)(s >> W);
	}
	sub_once(n, r, t, carry, m);
}

INLINE void
sub_n(const size_t n, const kzt_limb *m, kzt_limb *r, const kzt_limb *a, const kzt_limb *b)
{
	kzt_limb t[L], borrow = 0, carry = 0, mask;
	size_t j;

	UNROLL for (j = 0; j < n; j++) {
		kzt_dlimb d = (kzt_dlimb)a[j] - b[j] - borrow;

		t[j] = (kzt_limb)d;
		borrow = (kzt_limb)(d >> W) & 1;
	}
	mask = (kzt_limb)0 - borrow; /* add m back when it borrowed */
	UNROLL for (j = 0; j < n; j++) {
		kzt_dlimb s = (kzt_dlimb)t[j] + (m[j] & mask) + carry;

		r[j] = (kzt_limb)s;
		carry = (kzt_limb)(s >> W);
	}
}

#define N256 KZT_BN_LIMBS_FOR(256)
#define N384 KZT_BN_LIMBS_FOR(384)
#define N512 KZT_BN_LIMBS_FOR(512)

/* each operation for the curve's limb count (kzt_ec_curve_load admits no other) */
#define BY_SIZE(c, op, ...)                                                                        \
	do {                                                                                       \
		if ((c)->n == N256)                                                                \
			op(N256, __VA_ARGS__);                                                     \
		else if ((c)->n == N384)                                                           \
			op(N384, __VA_ARGS__);                                                     \
		else                                                                               \
			op(N512, __VA_ARGS__);                                                     \
	} while (0)

static void
f_add(const kzt_ec_curve *c, kzt_limb *r, const kzt_limb *a, const kzt_limb *b)
{
	BY_SIZE(c, add_n, c->p.m, r, a, b);
}

static void
f_sub(const kzt_ec_curve *c, kzt_limb *r, const kzt_limb *a, const kzt_limb *b)
{
	BY_SIZE(c, sub_n, c->p.m, r, a, b);
}

static void
f_mul(const kzt_ec_curve *c, kzt_limb *r, const kzt_limb *a, const kzt_limb *b)
{
	BY_SIZE(c, mul_n, &c->p, r, a, b);
}

/* r = a^-1 for a plain a (0 for 0): Fermat, a^(p-2), CT. */
static void
f_inv(const kzt_mont *m, kzt_limb *r, const kzt_limb *a)
{
	kzt_limb e[L], two[L] = {2};

	kzt_bn_sub(e, m->m, two, m->n);
	kzt_mont_exp(m, r, a, e, kzt_bn_bits(m->m, m->n));
}

/* ---- points ---- */

static void
set_infinity(const kzt_ec_curve *c, point *r)
{
	memset(r, 0, sizeof(*r));
	memcpy(r->y, c->p.one, c->n * sizeof(kzt_limb));
}

/* r = a + b, any a and b (r may be either): RCB16 algorithm 1, 12M + 3 m_a +
 * 2 m_3b + 23 additions, the steps numbered as there. */
static void
add(const kzt_ec_curve *c, point *r, const point *p, const point *q)
{
	kzt_limb t0[L], t1[L], t2[L], t3[L], t4[L], t5[L], x3[L] = {0}, y3[L] = {0}, z3[L] = {0};

	f_mul(c, t0, p->x, q->x);  /* 1 */
	f_mul(c, t1, p->y, q->y);  /* 2 */
	f_mul(c, t2, p->z, q->z);  /* 3 */
	f_add(c, t3, p->x, p->y);  /* 4 */
	f_add(c, t4, q->x, q->y);  /* 5 */
	f_mul(c, t3, t3, t4);      /* 6 */
	f_add(c, t4, t0, t1);      /* 7 */
	f_sub(c, t3, t3, t4);      /* 8 */
	f_add(c, t4, p->x, p->z);  /* 9 */
	f_add(c, t5, q->x, q->z);  /* 10 */
	f_mul(c, t4, t4, t5);      /* 11 */
	f_add(c, t5, t0, t2);      /* 12 */
	f_sub(c, t4, t4, t5);      /* 13 */
	f_add(c, t5, p->y, p->z);  /* 14 */
	f_add(c, x3, q->y, q->z);  /* 15 */
	f_mul(c, t5, t5, x3);      /* 16 */
	f_add(c, x3, t1, t2);      /* 17 */
	f_sub(c, t5, t5, x3);      /* 18 */
	f_mul(c, z3, c->a_m, t4);  /* 19 */
	f_mul(c, x3, c->b3_m, t2); /* 20 */
	f_add(c, z3, x3, z3);      /* 21 */
	f_sub(c, x3, t1, z3);      /* 22 */
	f_add(c, z3, t1, z3);      /* 23 */
	f_mul(c, y3, x3, z3);      /* 24 */
	f_add(c, t1, t0, t0);      /* 25 */
	f_add(c, t1, t1, t0);      /* 26 */
	f_mul(c, t2, c->a_m, t2);  /* 27 */
	f_mul(c, t4, c->b3_m, t4); /* 28 */
	f_add(c, t1, t1, t2);      /* 29 */
	f_sub(c, t2, t0, t2);      /* 30 */
	f_mul(c, t2, c->a_m, t2);  /* 31 */
	f_add(c, t4, t4, t2);      /* 32 */
	f_mul(c, t0, t1, t4);      /* 33 */
	f_add(c, y3, y3, t0);      /* 34 */
	f_mul(c, t0, t5, t4);      /* 35 */
	f_mul(c, x3, t3, x3);      /* 36 */
	f_sub(c, x3, x3, t0);      /* 37 */
	f_mul(c, t0, t3, t1);      /* 38 */
	f_mul(c, z3, t5, z3);      /* 39 */
	f_add(c, z3, z3, t0);      /* 40 */
	memcpy(r->x, x3, sizeof(x3));
	memcpy(r->y, y3, sizeof(y3));
	memcpy(r->z, z3, sizeof(z3));
	kzt_bn_wipe(t0, L), kzt_bn_wipe(t1, L), kzt_bn_wipe(t2, L), kzt_bn_wipe(t3, L);
	kzt_bn_wipe(t4, L), kzt_bn_wipe(t5, L);
}

/* r = a where mask is all ones, r as it is where it is 0: the curve's limbs of
 * each coordinate only. CT. */
static void
select_point(const kzt_ec_curve *c, point *r, const point *a, kzt_limb mask)
{
	size_t j;

	for (j = 0; j < c->n; j++) {
		r->x[j] = (r->x[j] & ~mask) | (a->x[j] & mask);
		r->y[j] = (r->y[j] & ~mask) | (a->y[j] & mask);
		r->z[j] = (r->z[j] & ~mask) | (a->z[j] & mask);
	}
}

/* *pick = tab[idx] for a secret idx: every entry read, the wanted one kept by
 * mask. CT in idx. */
static void
pick_entry(const kzt_ec_curve *c, point *pick, const point *tab, unsigned idx)
{
	unsigned e;

#if defined(KZT_BN_LEAKY_FOR_TEST)
	/* the mistake the constant-time check must catch: a secret table index */
	*pick = tab[idx];
	e = ENTRIES;
#else
	memset(pick, 0, sizeof(*pick));
	e = 0;
#endif
	for (; e < ENTRIES; e++) {
		kzt_limb hit = (kzt_limb)0 - (kzt_limb)(((((kzt_limb)(e ^ idx)) - 1) >> (KZT_BN_LIMB_BITS - 1)) & 1);

		select_point(c, pick, &tab[e], hit);
	}
}

/* r = k p for a scalar k of c->n limbs below 2^q_bits: fixed 4-bit windows from
 * the top, every entry of the table read for each. CT in k and p. */
static void
mul(const kzt_ec_curve *c, point *r, const kzt_limb *k, const point *p)
{
	static const size_t words = sizeof(point) / sizeof(kzt_limb);
	point tab[ENTRIES], acc, pick;
	size_t win, j;
	unsigned e;

	set_infinity(c, &tab[0]);
	tab[1] = *p;
	for (e = 2; e < ENTRIES; e++)
		add(c, &tab[e], &tab[e - 1], p);
	set_infinity(c, &acc);
	for (win = (c->q_bits + WINDOW - 1) / WINDOW; win-- > 0;) {
		unsigned idx = kzt_bn_window(k, c->n, win * WINDOW, WINDOW);

		for (j = 0; j < WINDOW; j++)
			add(c, &acc, &acc, &acc);
		pick_entry(c, &pick, tab, idx);
		add(c, &acc, &acc, &pick);
	}
	*r = acc;
	kzt_bn_wipe((kzt_limb *)(void *)tab, sizeof(tab) / (sizeof(kzt_limb)));
	kzt_bn_wipe((kzt_limb *)(void *)&acc, words);
	kzt_bn_wipe((kzt_limb *)(void *)&pick, words);
}

/* r = k1 p1 + k2 p2, the two walks sharing their doublings (for verification,
 * where everything is public; the same table reads as mul all the same). */
static void
mul2(const kzt_ec_curve *c, point *r, const kzt_limb *k1, const point *p1, const kzt_limb *k2, const point *p2)
{
	point tab[2][ENTRIES], acc;
	size_t win, j;
	unsigned e, s;
	const point *p[2] = {p1, p2};
	const kzt_limb *k[2] = {k1, k2};

	for (s = 0; s < 2; s++) {
		set_infinity(c, &tab[s][0]);
		tab[s][1] = *p[s];
		for (e = 2; e < ENTRIES; e++)
			add(c, &tab[s][e], &tab[s][e - 1], p[s]);
	}
	set_infinity(c, &acc);
	for (win = (c->q_bits + WINDOW - 1) / WINDOW; win-- > 0;) {
		for (j = 0; j < WINDOW; j++)
			add(c, &acc, &acc, &acc);
		for (s = 0; s < 2; s++)
			add(c, &acc, &acc, &tab[s][kzt_bn_window(k[s], c->n, win * WINDOW, WINDOW)]);
	}
	*r = acc;
}

/* An affine point (plain coordinates below p) into the projective, Montgomery form. */
static void
from_affine(const kzt_ec_curve *c, point *r, const kzt_limb *x, const kzt_limb *y)
{
	memset(r, 0, sizeof(*r));
	kzt_mont_mul(&c->p, r->x, x, c->p.rr);
	kzt_mont_mul(&c->p, r->y, y, c->p.rr);
	memcpy(r->z, c->p.one, c->n * sizeof(kzt_limb));
}

/* The plain affine coordinates of p; all ones when p is infinity (then x and y
 * are 0), else 0. CT. */
static kzt_limb
to_affine(const kzt_ec_curve *c, kzt_limb *x, kzt_limb *y, const point *p)
{
	kzt_limb z[L], zi[L], one[L] = {1}, inf;

	kzt_mont_mul(&c->p, z, p->z, one); /* out of the Montgomery form */
	inf = kzt_bn_zero_mask(z, c->n);
	f_inv(&c->p, zi, z);
	/* (X R) zi / R = X / Z, plain */
	kzt_mont_mul(&c->p, x, p->x, zi);
	kzt_mont_mul(&c->p, y, p->y, zi);
	kzt_bn_wipe(z, L), kzt_bn_wipe(zi, L);
	return inf;
}

static void
generator(const kzt_ec_curve *c, point *g)
{
	from_affine(c, g, c->gx, c->gy);
}

/* ---- the generator's comb ----
 * For each window i of WINDOW bits, the multiples j 16^i G (j = 0..15; 0 the point
 * at infinity): k G is then one addition a window and no doubling. Made once a
 * curve and process, by its first caller (any other caller meanwhile takes mul's
 * way), published with a release store that readers acquire; freed when the
 * library is unloaded. The table is public; a secret k still reads every entry of
 * each window. */
static struct comb {
	int state; /* 0: none, 1: being made, 2: ready */
	point *tab;
} combs[KZT_EC_CURVES];

enum { COMB_NONE, COMB_MAKING, COMB_READY };

/* The combs go with the code that made them: when the library is unloaded (an
 * application may load and unload the module many times) or the process ends. */
__attribute__((destructor)) static void
combs_free(void)
{
	size_t i;

	for (i = 0; i < KZT_EC_CURVES; i++)
		if (__atomic_load_n(&combs[i].state, __ATOMIC_ACQUIRE) == COMB_READY) {
			free(combs[i].tab);
			combs[i].tab = NULL;
			__atomic_store_n(&combs[i].state, COMB_NONE, __ATOMIC_RELEASE);
		}
}

static const point *
comb_of(const kzt_ec_curve *c)
{
	struct comb *cb = &combs[c->id];
	size_t windows = (c->q_bits + WINDOW - 1) / WINDOW, i, j;
	int none = COMB_NONE;
	point *t, base;

	if (__atomic_load_n(&cb->state, __ATOMIC_ACQUIRE) == COMB_READY)
		return cb->tab;
	if (!__atomic_compare_exchange_n(&cb->state, &none, COMB_MAKING, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
		return NULL;
	if ((t = malloc(windows * ENTRIES * sizeof(point))) == NULL) {
		__atomic_store_n(&cb->state, COMB_NONE, __ATOMIC_RELEASE);
		return NULL;
	}
	generator(c, &base);
	for (i = 0; i < windows; i++) {
		point *row = t + i * ENTRIES;

		set_infinity(c, &row[0]);
		row[1] = base;
		for (j = 2; j < ENTRIES; j++)
			add(c, &row[j], &row[j - 1], &base);
		add(c, &base, &row[ENTRIES - 1], &base); /* the next window's: 16 times this one's */
	}
	cb->tab = t;
	__atomic_store_n(&cb->state, COMB_READY, __ATOMIC_RELEASE);
	return t;
}

/* r = k G for a scalar k below 2^q_bits, with the comb (CT in k: every entry of
 * each window read), or with mul when the comb is not ready. */
static void
mul_g(const kzt_ec_curve *c, point *r, const kzt_limb *k)
{
	static const size_t words = sizeof(point) / sizeof(kzt_limb);
	const point *tab = comb_of(c);
	size_t win, windows = (c->q_bits + WINDOW - 1) / WINDOW;
	point acc, pick;

	if (tab == NULL) {
		generator(c, &acc);
		mul(c, r, k, &acc);
		return;
	}
	set_infinity(c, &acc);
	for (win = 0; win < windows; win++) {
		pick_entry(c, &pick, tab + win * ENTRIES, kzt_bn_window(k, c->n, win * WINDOW, WINDOW));
		add(c, &acc, &acc, &pick);
	}
	*r = acc;
	kzt_bn_wipe((kzt_limb *)(void *)&acc, words);
	kzt_bn_wipe((kzt_limb *)(void *)&pick, words);
}

/* r = k1 G + k2 p for public k1, k2 (verification): the comb for G, when ready,
 * and 4-bit windows for p, entries read directly. */
static void
mul2_g(const kzt_ec_curve *c, point *r, const kzt_limb *k1, const kzt_limb *k2, const point *p)
{
	const point *tab = comb_of(c);
	size_t win, windows = (c->q_bits + WINDOW - 1) / WINDOW, j;
	point g, ptab[ENTRIES], acc;
	unsigned e;

	if (tab == NULL) {
		generator(c, &g);
		mul2(c, r, k1, &g, k2, p);
		return;
	}
	set_infinity(c, &ptab[0]);
	ptab[1] = *p;
	for (e = 2; e < ENTRIES; e++)
		add(c, &ptab[e], &ptab[e - 1], p);
	set_infinity(c, &acc);
	for (win = windows; win-- > 0;) {
		for (j = 0; j < WINDOW; j++)
			add(c, &acc, &acc, &acc);
		add(c, &acc, &acc, &ptab[kzt_bn_window(k2, c->n, win * WINDOW, WINDOW)]);
	}
	for (win = 0; win < windows; win++)
		add(c, &acc, &acc, &tab[win * ENTRIES + kzt_bn_window(k1, c->n, win * WINDOW, WINDOW)]);
	*r = acc;
}

/* 1 when plain x, y (below p) satisfy the curve's equation. */
static int
on_curve(const kzt_ec_curve *c, const kzt_limb *x, const kzt_limb *y)
{
	kzt_limb xm[L], ym[L], lhs[L], rhs[L], t[L];

	kzt_mont_mul(&c->p, xm, x, c->p.rr);
	kzt_mont_mul(&c->p, ym, y, c->p.rr);
	f_mul(c, lhs, ym, ym);
	f_mul(c, t, xm, xm);
	f_add(c, t, t, c->a_m);
	f_mul(c, rhs, t, xm);
	f_add(c, rhs, rhs, c->b_m);
	return memcmp(lhs, rhs, c->n * sizeof(kzt_limb)) == 0;
}

int
kzt_ec_curve_load(kzt_ec_curve *c, kzt_ec_id id)
{
	kzt_limb p[L], q[L], a[L], b[L];
	size_t bits;

	memset(c, 0, sizeof(*c));
	if ((unsigned)id >= KZT_EC_CURVES)
		return KZT_ERR_DATA;
	bits = 4 * strlen(curves[id].p);
	if (bits != 256 && bits != 384 && bits != 512) /* the sizes the field code is written out for */
		return KZT_ERR_DATA;
	c->id = id;
	c->name = curves[id].name;
	c->n = KZT_BN_LIMBS_FOR(bits);
	c->bytes = bits / 8;
	c->cofactor = curves[id].cofactor;
	from_hex(p, c->n, curves[id].p);
	from_hex(q, c->n, curves[id].q);
	from_hex(a, c->n, curves[id].a);
	from_hex(b, c->n, curves[id].b);
	from_hex(c->gx, c->n, curves[id].x);
	from_hex(c->gy, c->n, curves[id].y);
	if (kzt_mont_init(&c->p, p, c->n) != KZT_OK || kzt_mont_init(&c->q, q, c->n) != KZT_OK)
		return KZT_ERR_DATA;
	c->q_bits = kzt_bn_bits(q, c->n);
	kzt_mont_mul(&c->p, c->a_m, a, c->p.rr);
	kzt_mont_mul(&c->p, c->b_m, b, c->p.rr);
	f_add(c, c->b3_m, c->b_m, c->b_m);
	f_add(c, c->b3_m, c->b3_m, c->b_m);
	return KZT_OK;
}

/* ---- scalars: below q ---- */

/* d from c->bytes big-endian bytes: KZT_ERR_DATA unless 0 < d < q. */
static int
scalar(const kzt_ec_curve *c, kzt_limb *d, const uint8_t *in)
{
	kzt_limb bad;

	if (kzt_bn_from_bytes(d, c->n, in, c->bytes) != KZT_OK)
		return KZT_ERR_DATA;
	bad = kzt_bn_zero_mask(d, c->n) | ~kzt_bn_lt_mask(d, c->q.m, c->n);
	KZT_CT_PUBLIC(&bad, sizeof(bad)); /* only whether it is a key */
	return bad ? KZT_ERR_DATA : KZT_OK;
}

/* r = a b mod q, plain values below q */
static void
q_mul(const kzt_ec_curve *c, kzt_limb *r, const kzt_limb *a, const kzt_limb *b)
{
	kzt_limb t[L];

	kzt_mont_mul(&c->q, t, a, b);        /* a b / R */
	kzt_mont_mul(&c->q, r, t, c->q.rr); /* a b */
	kzt_bn_wipe(t, L);
}

static void
q_add(const kzt_ec_curve *c, kzt_limb *r, const kzt_limb *a, const kzt_limb *b)
{
	kzt_limb t[L], carry = kzt_bn_add(r, a, b, c->n);
	kzt_limb borrow = kzt_bn_sub(t, r, c->q.m, c->n);

	kzt_bn_select(r, t, (kzt_limb)0 - (carry | (borrow ^ 1)), c->n);
}

/* r = a mod q for a value of c->n limbs (an x coordinate, below p) */
static void
q_reduce(const kzt_ec_curve *c, kzt_limb *r, const kzt_limb *a)
{
	kzt_limb wide[2 * L];

	memset(wide, 0, sizeof(wide));
	memcpy(wide, a, c->n * sizeof(kzt_limb));
	kzt_mont_reduce(&c->q, r, wide);
	kzt_bn_wipe(wide, 2 * L);
}

/* A random scalar in [1, q - 1]: twice its size of random bits reduced (a bias
 * below 2^-q_bits), a zero drawn again. */
static int
random_scalar(const kzt_ec_curve *c, kzt_bn_rng rng, kzt_limb *k)
{
	kzt_limb wide[2 * L], zero;
	int r;

	do {
		memset(wide, 0, sizeof(wide));
		if ((r = rng((uint8_t *)wide, 2 * c->n * sizeof(kzt_limb))) != KZT_OK) {
			kzt_bn_wipe(wide, 2 * L);
			return r;
		}
		kzt_mont_reduce(&c->q, k, wide);
		zero = kzt_bn_zero_mask(k, c->n);
		KZT_CT_PUBLIC(&zero, sizeof(zero));
	} while (zero != 0);
	kzt_bn_wipe(wide, 2 * L);
	return KZT_OK;
}

/* Whether a hash of len bytes can be signed: any length but 0 for ECDSA (its
 * leftmost bits count), at most twice the curve's size for GOST (all of it counts,
 * as one integer). */
static int
hash_ok(const kzt_ec_curve *c, kzt_ec_scheme scheme, size_t len)
{
	return len > 0 && (scheme == KZT_EC_ECDSA || len <= 2 * c->bytes);
}

/* The integer e of a hash (hash_ok), reduced mod q, for the scheme. */
static void
hash_value(const kzt_ec_curve *c, kzt_ec_scheme scheme, const uint8_t *hash, size_t len, kzt_limb *e)
{
	uint8_t buf[2 * KZT_EC_MAX_BYTES];
	kzt_limb wide[2 * L];
	size_t i, bits;

	memset(wide, 0, sizeof(wide));
	if (len > sizeof(buf))
		len = sizeof(buf);
	if (scheme == KZT_EC_GOST) { /* little-endian, all of it */
		for (i = 0; i < len; i++)
			buf[i] = hash[len - 1 - i];
		kzt_bn_from_bytes(wide, 2 * c->n, buf, len);
	} else { /* big-endian, its leftmost q_bits bits */
		bits = 8 * len;
		if (bits > c->q_bits)
			len = (c->q_bits + 7) / 8;
		kzt_bn_from_bytes(wide, 2 * c->n, hash, len);
		if (8 * len > c->q_bits) { /* drop the extra low bits of the last byte */
			unsigned s = (unsigned)(8 * len - c->q_bits);

			for (i = 0; i < 2 * c->n; i++)
				wide[i] = (wide[i] >> s) | (i + 1 < 2 * c->n ? wide[i + 1] << (KZT_BN_LIMB_BITS - s) : 0);
		}
	}
	kzt_mont_reduce(&c->q, e, wide);
	memset(buf, 0, sizeof(buf));
}

/* ---- the public operations ---- */

int
kzt_ec_public(const kzt_ec_curve *c, const uint8_t *d_bytes, uint8_t *xy)
{
	kzt_limb d[L], x[L], y[L];
	point q;
	int r;

	if ((r = scalar(c, d, d_bytes)) != KZT_OK)
		return r;
	mul_g(c, &q, d);
	to_affine(c, x, y, &q);
	KZT_CT_PUBLIC(x, sizeof(x));
	KZT_CT_PUBLIC(y, sizeof(y));
	kzt_bn_to_bytes(x, c->n, xy, c->bytes);
	kzt_bn_to_bytes(y, c->n, xy + c->bytes, c->bytes);
	kzt_bn_wipe(d, L);
	kzt_bn_wipe((kzt_limb *)(void *)&q, sizeof(q) / sizeof(kzt_limb));
	return KZT_OK;
}

int
kzt_ec_generate(const kzt_ec_curve *c, kzt_bn_rng rng, uint8_t *d_bytes, uint8_t *xy)
{
	kzt_limb d[L];
	int r;

	if ((r = random_scalar(c, rng, d)) != KZT_OK)
		return r;
	kzt_bn_to_bytes(d, c->n, d_bytes, c->bytes);
	kzt_bn_wipe(d, L);
	return kzt_ec_public(c, d_bytes, xy);
}

/* The plain coordinates of xy, below p: KZT_ERR_DATA otherwise. */
static int
read_point(const kzt_ec_curve *c, const uint8_t *xy, kzt_limb *x, kzt_limb *y)
{
	if (kzt_bn_from_bytes(x, c->n, xy, c->bytes) != KZT_OK ||
	    kzt_bn_from_bytes(y, c->n, xy + c->bytes, c->bytes) != KZT_OK ||
	    kzt_bn_cmp(x, c->p.m, c->n) >= 0 || kzt_bn_cmp(y, c->p.m, c->n) >= 0)
		return KZT_ERR_DATA;
	return KZT_OK;
}

/* 1 when p is the point at infinity, (0 : Y : 0) with Y not 0. Not (0 : 0 : 0),
 * which the formulas give for a sum they are not complete for: one with a point
 * of order 2, which only the curves of cofactor 4 have, outside their subgroup.
 * For public points only (it branches). */
static int
is_infinity(const kzt_ec_curve *c, const point *p)
{
	kzt_limb zero[L] = {0};

	return memcmp(p->z, zero, c->n * sizeof(kzt_limb)) == 0 && memcmp(p->y, zero, c->n * sizeof(kzt_limb)) != 0;
}

int
kzt_ec_check_point(const kzt_ec_curve *c, const uint8_t *xy)
{
	kzt_limb x[L], y[L];
	point p, r;

	if (read_point(c, xy, x, y) != KZT_OK || !on_curve(c, x, y))
		return KZT_ERR_DATA; /* ((0, 0) is on no curve here: b is never 0) */
	if (c->cofactor == 1)
		return KZT_OK; /* the group has prime order q: every point of it is in it */
	from_affine(c, &p, x, y);
	mul(c, &r, c->q.m, &p); /* q P: the window walk covers q's q_bits bits */
	return is_infinity(c, &r) ? KZT_OK : KZT_ERR_DATA;
}

static int
sign(const kzt_ec_curve *c, kzt_ec_scheme scheme, const kzt_limb *k, const kzt_limb *d,
     const uint8_t *hash, size_t hash_len, uint8_t *sig)
{
	kzt_limb e[L], rx[L], ry[L], r[L], s[L], t[L], bad;
	point kg;

	mul_g(c, &kg, k);
	to_affine(c, rx, ry, &kg);
	q_reduce(c, r, rx);
	hash_value(c, scheme, hash, hash_len, e);
	if (scheme == KZT_EC_GOST) {
		/* s = r d + k e, with e = 1 where it is 0 mod q */
		kzt_limb one[L] = {1};

		kzt_bn_select(e, one, kzt_bn_zero_mask(e, c->n), c->n);
		q_mul(c, s, r, d);
		q_mul(c, t, k, e);
		q_add(c, s, s, t);
	} else {
		/* s = k^-1 (e + r d) */
		kzt_limb ki[L];

		q_mul(c, s, r, d);
		q_add(c, s, s, e);
		f_inv(&c->q, ki, k);
		q_mul(c, s, s, ki);
		kzt_bn_wipe(ki, L);
	}
	bad = kzt_bn_zero_mask(r, c->n) | kzt_bn_zero_mask(s, c->n);
	KZT_CT_PUBLIC(&bad, sizeof(bad));
	KZT_CT_PUBLIC(r, sizeof(r));
	KZT_CT_PUBLIC(s, sizeof(s));
	if (bad == 0) {
		uint8_t *first = scheme == KZT_EC_GOST ? sig + c->bytes : sig;

		kzt_bn_to_bytes(r, c->n, first, c->bytes);
		kzt_bn_to_bytes(s, c->n, scheme == KZT_EC_GOST ? sig : sig + c->bytes, c->bytes);
	}
	kzt_bn_wipe(t, L), kzt_bn_wipe(e, L), kzt_bn_wipe(rx, L), kzt_bn_wipe(ry, L);
	kzt_bn_wipe((kzt_limb *)(void *)&kg, sizeof(kg) / sizeof(kzt_limb));
	return bad == 0 ? KZT_OK : AGAIN;
}

/* All ones unless a and b (c->n limbs) are equal. CT. */
static kzt_limb
differ(const kzt_ec_curve *c, const kzt_limb *a, const kzt_limb *b)
{
	kzt_limb t[L];
	size_t j;

	for (j = 0; j < c->n; j++)
		t[j] = a[j] ^ b[j];
	return ~kzt_bn_zero_mask(t, c->n);
}

/* All ones unless the projective p (not infinity) has the plain affine x: X = x Z
 * in the field. CT. */
static kzt_limb
x_differs(const kzt_ec_curve *c, const point *p, const kzt_limb *x)
{
	kzt_limb xm[L], t[L];

	kzt_mont_mul(&c->p, xm, x, c->p.rr); /* (x below p) */
	f_mul(c, t, xm, p->z);
	return differ(c, t, p->x) | kzt_bn_zero_mask(p->z, c->n);
}

/* All ones unless the affine x of p (not infinity), reduced mod q, is r: X = t Z
 * for one of t = r, r + q, r + 2q, ... below p (more than one on a curve of
 * cofactor 4). No inversion. CT in p. */
static kzt_limb
x_is_not(const kzt_ec_curve *c, const point *p, const kzt_limb *r)
{
	kzt_limb t[L], hit = 0;

	memcpy(t, r, sizeof(t));
	while (kzt_bn_cmp(t, c->p.m, c->n) < 0) { /* (public: r, p and q) */
		hit |= ~x_differs(c, p, t);
		if (kzt_bn_add(t, t, c->q.m, c->n) != 0)
			break;
	}
	return ~hit;
}

/* The check of a signature made with d, before it leaves: the verification
 * equation, computed with what the signer knows. With Q = d G (the caller checks
 * that), u1 G + u2 Q is w G for w = u1 + u2 d, that is s^-1 (e + r d) for ECDSA
 * and e^-1 (s - r d) for GOST; its x must give r. When all is well w is the nonce,
 * so w G is computed as k G is: CT. All ones when it fails. */
static kzt_limb
check_signature(const kzt_ec_curve *c, kzt_ec_scheme scheme, const kzt_limb *d, const uint8_t *hash,
		size_t hash_len, const uint8_t *sig)
{
	kzt_limb r[L], s[L], e[L], w[L], t[L], bad;
	point wg;

	if (scalar(c, r, scheme == KZT_EC_GOST ? sig + c->bytes : sig) != KZT_OK ||
	    scalar(c, s, scheme == KZT_EC_GOST ? sig : sig + c->bytes) != KZT_OK)
		return ~(kzt_limb)0;
	hash_value(c, scheme, hash, hash_len, e);
	q_mul(c, t, r, d);
	if (scheme == KZT_EC_GOST) {
		kzt_limb one[L] = {1}, v[L];

		kzt_bn_select(e, one, kzt_bn_zero_mask(e, c->n), c->n);
		kzt_bn_sub(w, c->q.m, t, c->n); /* -r d (q itself when r d is 0: q_add reduces it) */
		q_add(c, w, s, w);
		f_inv(&c->q, v, e);
		q_mul(c, w, w, v);
	} else {
		kzt_limb si[L];

		q_add(c, t, t, e);
		f_inv(&c->q, si, s);
		q_mul(c, w, t, si);
	}
	mul_g(c, &wg, w);
	bad = x_is_not(c, &wg, r);
	KZT_CT_PUBLIC(&bad, sizeof(bad));
	kzt_bn_wipe(w, L), kzt_bn_wipe(t, L), kzt_bn_wipe(e, L);
	kzt_bn_wipe((kzt_limb *)(void *)&wg, sizeof(wg) / sizeof(kzt_limb));
	return bad;
}

/* Sign, then check the signature before it leaves, so that a fault cannot give
 * the key away (then KZT_ERR_CARD, and sig zero): d G must be the key's public
 * point (pub; when NULL there is none to compare with), and the signature must
 * satisfy the verification equation for it (check_signature). Three fixed-base
 * multiplications in all, no multiplication of another point. */
static int
sign_checked(const kzt_ec_curve *c, kzt_ec_scheme scheme, const kzt_limb *k, const uint8_t *d_bytes,
	     const uint8_t *pub, const uint8_t *hash, size_t hash_len, uint8_t *sig)
{
	kzt_limb d[L], px[L], py[L], bad = 0;
	point q;
	int r;

	memset(sig, 0, 2 * c->bytes);
	if (!hash_ok(c, scheme, hash_len))
		return KZT_ERR_DATA;
	if ((r = scalar(c, d, d_bytes)) != KZT_OK)
		return r;
	if ((r = sign(c, scheme, k, d, hash, hash_len, sig)) == KZT_OK) {
		if (pub != NULL) {
			if (read_point(c, pub, px, py) != KZT_OK) {
				bad = ~(kzt_limb)0;
			} else {
				point yx; /* (y in x's place, to compare it the same way) */

				mul_g(c, &q, d);
				memcpy(yx.x, q.y, sizeof(yx.x));
				memcpy(yx.z, q.z, sizeof(yx.z));
				bad = x_differs(c, &q, px) | x_differs(c, &yx, py);
				KZT_CT_PUBLIC(&bad, sizeof(bad));
				kzt_bn_wipe((kzt_limb *)(void *)&yx, sizeof(yx) / sizeof(kzt_limb));
			}
		}
		if (bad == 0)
			bad = check_signature(c, scheme, d, hash, hash_len, sig);
		if (bad != 0) {
			memset(sig, 0, 2 * c->bytes);
			r = KZT_ERR_CARD;
		}
	}
	kzt_bn_wipe(d, L);
	kzt_bn_wipe((kzt_limb *)(void *)&q, sizeof(q) / sizeof(kzt_limb));
	return r;
}

int
kzt_ec_sign_with_nonce(const kzt_ec_curve *c, kzt_ec_scheme scheme, const uint8_t *k_bytes,
		       const uint8_t *d, const uint8_t *xy, const uint8_t *hash, size_t hash_len, uint8_t *sig)
{
	kzt_limb k[L];
	int r;

	if ((r = scalar(c, k, k_bytes)) != KZT_OK)
		return r;
	r = sign_checked(c, scheme, k, d, xy, hash, hash_len, sig);
	kzt_bn_wipe(k, L);
	return r == AGAIN ? KZT_ERR_DATA : r;
}

int
kzt_ec_sign(const kzt_ec_curve *c, kzt_ec_scheme scheme, kzt_bn_rng rng, const uint8_t *d,
	    const uint8_t *xy, const uint8_t *hash, size_t hash_len, uint8_t *sig)
{
	kzt_limb k[L];
	int r;

	do {
		if ((r = random_scalar(c, rng, k)) != KZT_OK)
			break;
		r = sign_checked(c, scheme, k, d, xy, hash, hash_len, sig);
	} while (r == AGAIN);
	kzt_bn_wipe(k, L);
	return r;
}

/* The check of a signature against a point already known good (x, y plain). */
static int
verify_at(const kzt_ec_curve *c, kzt_ec_scheme scheme, const kzt_limb *x, const kzt_limb *y,
	  const uint8_t *hash, size_t hash_len, const uint8_t *sig)
{
	kzt_limb r[L], s[L], e[L], w[L], u1[L], u2[L], rx[L], ry[L], v[L];
	point q, a;

	if (scalar(c, r, scheme == KZT_EC_GOST ? sig + c->bytes : sig) != KZT_OK ||
	    scalar(c, s, scheme == KZT_EC_GOST ? sig : sig + c->bytes) != KZT_OK)
		return KZT_ERR_DATA;
	hash_value(c, scheme, hash, hash_len, e);
	if (scheme == KZT_EC_GOST) {
		/* v = e^-1; u1 = s v, u2 = -r v */
		kzt_limb one[L] = {1};

		kzt_bn_select(e, one, kzt_bn_zero_mask(e, c->n), c->n);
		f_inv(&c->q, v, e);
		q_mul(c, u1, s, v);
		q_mul(c, w, r, v);
		kzt_bn_sub(u2, c->q.m, w, c->n); /* q - r v (r v is not 0: r, v are units) */
	} else {
		/* w = s^-1; u1 = e w, u2 = r w */
		f_inv(&c->q, w, s);
		q_mul(c, u1, e, w);
		q_mul(c, u2, r, w);
	}
	from_affine(c, &q, x, y);
	mul2_g(c, &a, u1, u2, &q);
	if (to_affine(c, rx, ry, &a) != 0)
		return KZT_ERR_DATA;
	q_reduce(c, v, rx);
	return memcmp(v, r, c->n * sizeof(kzt_limb)) == 0 ? KZT_OK : KZT_ERR_DATA;
}

int
kzt_ec_verify(const kzt_ec_curve *c, kzt_ec_scheme scheme, const uint8_t *xy, const uint8_t *hash,
	      size_t hash_len, const uint8_t *sig)
{
	kzt_limb x[L], y[L];

	if (!hash_ok(c, scheme, hash_len) || kzt_ec_check_point(c, xy) != KZT_OK ||
	    read_point(c, xy, x, y) != KZT_OK)
		return KZT_ERR_DATA;
	return verify_at(c, scheme, x, y, hash, hash_len, sig);
}
