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

#if defined(KZT_BN_FAULT_FOR_TEST)
/* The faults the signing check must catch, injected by a test build (ec.h) */
kzt_ec_fault_kind kzt_ec_fault;
#define FAULT(kind) (kzt_ec_fault == (kind))
#else
#define FAULT(kind) 0
#endif

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
 * kzt_mont_mul's algorithm. With 64-bit limbs a 256-bit prime has its own code,
 * the words of a product in registers, and P-256's prime its own reduction
 * (FIELD_4, FIELD_P256, and FIELD_P256X where the processor has BMI2 and ADX:
 * kzt_ec_curve_load picks the kind); the point code is
 * instantiated for each kind, so that none of it is a call. */

#define INLINE KZT_BN_INLINE
#define UNROLL KZT_BN_UNROLL
#define W KZT_BN_LIMB_BITS

enum { FIELD_N, FIELD_4, FIELD_P256, FIELD_4X, FIELD_P256X };
#define IS_P256(kind) ((kind) == FIELD_P256 || (kind) == FIELD_P256X)

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

/* each operation for the limb count (kzt_ec_curve_load admits no other) */
#define BY_SIZE(n, op, ...)                                                                        \
	do {                                                                                       \
		if ((n) == N256)                                                                   \
			op(N256, __VA_ARGS__);                                                     \
		else if ((n) == N384)                                                              \
			op(N384, __VA_ARGS__);                                                     \
		else                                                                               \
			op(N512, __VA_ARGS__);                                                     \
	} while (0)

#if KZT_BN_LIMB_BITS == 64
static const kzt_limb p256_p[4] = {0xffffffffffffffffu, 0xffffffffu, 0, 0xffffffff00000001u};

/* t += a b + c, c the carry out: (2^64 - 1)^2 + 2 (2^64 - 1) < 2^128 */
#define MAC(t, a, b, c)                                                                            \
	do {                                                                                       \
		kzt_dlimb mac_ = (kzt_dlimb)(a) * (b) + (t) + (c);                                 \
                                                                                                   \
		(t) = (kzt_limb)mac_;                                                              \
		(c) = (kzt_limb)(mac_ >> 64);                                                      \
	} while (0)

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
/* The carry chains in the processor's carry flag (its add-with-carry and
 * subtract-with-borrow), which the double-limb sums above do not get. */
#include <immintrin.h>

typedef unsigned long long ull;
#define ADC(cf, a, b, r) _addcarry_u64((cf), (a), (b), (r))
#define SBB(bf, a, b, r) _subborrow_u64((bf), (a), (b), (r))

/* r = t - m, unless that borrows past hi: then t itself */
INLINE void
sub_once4(kzt_limb *r, ull t0, ull t1, ull t2, ull t3, ull hi, const kzt_limb *m)
{
	ull u0, u1, u2, u3, keep;
	unsigned char bf;

	bf = SBB(0, t0, m[0], &u0);
	bf = SBB(bf, t1, m[1], &u1);
	bf = SBB(bf, t2, m[2], &u2);
	bf = SBB(bf, t3, m[3], &u3);
	keep = 0 - (ull)(bf & (hi ^ 1));
	r[0] = (t0 & keep) | (u0 & ~keep);
	r[1] = (t1 & keep) | (u1 & ~keep);
	r[2] = (t2 & keep) | (u2 & ~keep);
	r[3] = (t3 & keep) | (u3 & ~keep);
}

INLINE void
add4(const kzt_limb *m, kzt_limb *r, const kzt_limb *a, const kzt_limb *b)
{
	ull t0, t1, t2, t3;
	unsigned char cf;

	cf = ADC(0, a[0], b[0], &t0);
	cf = ADC(cf, a[1], b[1], &t1);
	cf = ADC(cf, a[2], b[2], &t2);
	cf = ADC(cf, a[3], b[3], &t3);
	sub_once4(r, t0, t1, t2, t3, cf, m);
}

INLINE void
sub4(const kzt_limb *m, kzt_limb *r, const kzt_limb *a, const kzt_limb *b)
{
	ull t0, t1, t2, t3, mask, o0, o1, o2, o3;
	unsigned char bf, cf;

	bf = SBB(0, a[0], b[0], &t0);
	bf = SBB(bf, a[1], b[1], &t1);
	bf = SBB(bf, a[2], b[2], &t2);
	bf = SBB(bf, a[3], b[3], &t3);
	mask = 0 - (ull)bf; /* add m back when it borrowed */
	cf = ADC(0, t0, m[0] & mask, &o0);
	cf = ADC(cf, t1, m[1] & mask, &o1);
	cf = ADC(cf, t2, m[2] & mask, &o2);
	(void)ADC(cf, t3, m[3] & mask, &o3);
	r[0] = o0, r[1] = o1, r[2] = o2, r[3] = o3;
}

#define MULW(hi, lo, a, b)                                                                         \
	do {                                                                                       \
		kzt_dlimb p_ = (kzt_dlimb)(a) * (b);                                               \
                                                                                                   \
		(lo) = (ull)p_;                                                                    \
		(hi) = (ull)(p_ >> 64);                                                            \
	} while (0)

/* r = a b / 2^256 mod m, 4 limbs of 64 bits, the words in registers: word by
 * word as kzt_mont_product, each a[i] b and q m added as two carry chains (the
 * low halves of the products, then the high). For P-256's prime (p256, a
 * constant where this is inlined), 2^256 - 2^224 + 2^192 + 2^96 - 1, -m^-1 is 1
 * mod 2^64: q is the low word itself, q m0 + q is q 2^64, and m2 is 0, which
 * leaves two products of four. CT. */
INLINE void
mul4(const int p256, const kzt_mont *mc, kzt_limb *r, const kzt_limb *a, const kzt_limb *b)
{
	const kzt_limb *m = p256 ? p256_p : mc->m;
	ull t0 = 0, t1 = 0, t2 = 0, t3 = 0, t4 = 0, t5, q, l0, l1, l2, l3, h0, h1, h2, h3, z;
	unsigned char cf;
	int i;

	UNROLL for (i = 0; i < 4; i++) {
		ull ai = a[i];

		MULW(h0, l0, ai, b[0]);
		MULW(h1, l1, ai, b[1]);
		MULW(h2, l2, ai, b[2]);
		MULW(h3, l3, ai, b[3]);
		cf = ADC(0, t0, l0, &t0);
		cf = ADC(cf, t1, l1, &t1);
		cf = ADC(cf, t2, l2, &t2);
		cf = ADC(cf, t3, l3, &t3);
		cf = ADC(cf, t4, 0, &t4);
		t5 = cf;
		cf = ADC(0, t1, h0, &t1);
		cf = ADC(cf, t2, h1, &t2);
		cf = ADC(cf, t3, h2, &t3);
		cf = ADC(cf, t4, h3, &t4);
		t5 += cf;
		if (p256) {
			q = t0;
			MULW(h1, l1, q, m[1]);
			MULW(h3, l3, q, m[3]);
			cf = ADC(0, t1, q, &t1);
			cf = ADC(cf, t2, 0, &t2);
			cf = ADC(cf, t3, l3, &t3);
			cf = ADC(cf, t4, h3, &t4);
			t5 += cf;
			cf = ADC(0, t1, l1, &t1);
			cf = ADC(cf, t2, h1, &t2);
			cf = ADC(cf, t3, 0, &t3);
			cf = ADC(cf, t4, 0, &t4);
			t5 += cf;
		} else {
			q = t0 * mc->m0inv;
			MULW(h0, l0, q, m[0]);
			MULW(h1, l1, q, m[1]);
			MULW(h2, l2, q, m[2]);
			MULW(h3, l3, q, m[3]);
			cf = ADC(0, t0, l0, &z); /* (z is 0) */
			cf = ADC(cf, t1, l1, &t1);
			cf = ADC(cf, t2, l2, &t2);
			cf = ADC(cf, t3, l3, &t3);
			cf = ADC(cf, t4, 0, &t4);
			t5 += cf;
			cf = ADC(0, t1, h0, &t1);
			cf = ADC(cf, t2, h1, &t2);
			cf = ADC(cf, t3, h2, &t3);
			cf = ADC(cf, t4, h3, &t4);
			t5 += cf;
		}
		t0 = t1, t1 = t2, t2 = t3, t3 = t4, t4 = t5;
	}
	sub_once4(r, t0, t1, t2, t3, t4, m);
}

/* The P-256 product on processors with BMI2 and ADX (FIELD_P256X): mulx leaves
 * the flags alone, so each row a[i] b goes in as two carry chains at once, the low
 * halves in CF (adcx) and the high in OF (adox). Word by word as mul4: t0..t5 the
 * accumulator, renamed each step instead of moved (T0 is the word the step
 * retires, T5 the one it starts), q = T0, and q p added as q (2^96 - 1) + q p3
 * 2^192: t0 + q (2^96 - 1) is q 2^96, two shifts. Then the subtraction of p. */
#define MULROWX(P, T0, T1, T2, T3, T4, T5) /* T += rdx P[0..3], the flags clear */                  \
	"mulxq 0(%[" #P "]), %[lo], %[hi]\n\t"                                                     \
	"adcxq %[lo], %[" #T0 "]\n\t"                                                              \
	"adoxq %[hi], %[" #T1 "]\n\t"                                                              \
	"mulxq 8(%[" #P "]), %[lo], %[hi]\n\t"                                                     \
	"adcxq %[lo], %[" #T1 "]\n\t"                                                              \
	"adoxq %[hi], %[" #T2 "]\n\t"                                                              \
	"mulxq 16(%[" #P "]), %[lo], %[hi]\n\t"                                                    \
	"adcxq %[lo], %[" #T2 "]\n\t"                                                              \
	"adoxq %[hi], %[" #T3 "]\n\t"                                                              \
	"mulxq 24(%[" #P "]), %[lo], %[hi]\n\t"                                                    \
	"adcxq %[lo], %[" #T3 "]\n\t"                                                              \
	"adoxq %[hi], %[" #T4 "]\n\t"                                                              \
	"movl $0, %k[hi]\n\t"                                                                      \
	"adcxq %[hi], %[" #T4 "]\n\t"                                                              \
	"adoxq %[hi], %[" #T5 "]\n\t"                                                              \
	"adcxq %[hi], %[" #T5 "]\n\t"
#define ROWX(OFF, T0, T1, T2, T3, T4, T5)                                                          \
	"movq " #OFF "(%[a]), %%rdx\n\t"                                                           \
	"xorl %k[" #T5 "], %k[" #T5 "]\n\t" /* T5 = 0, CF = OF = 0 */                               \
	MULROWX(b, T0, T1, T2, T3, T4, T5)
#define P256X_STEP(OFF, T0, T1, T2, T3, T4, T5)                                                    \
	ROWX(OFF, T0, T1, T2, T3, T4, T5)                                                          \
	"movq %[" #T0 "], %%rdx\n\t"                                                               \
	"mulxq %[p3], %[lo], %[hi]\n\t"                                                            \
	"movq %%rdx, %[" #T0 "]\n\t"                                                               \
	"shlq $32, %[" #T0 "]\n\t"                                                                 \
	"shrq $32, %%rdx\n\t"                                                                      \
	"addq %[" #T0 "], %[" #T1 "]\n\t"                                                          \
	"adcq %%rdx, %[" #T2 "]\n\t"                                                               \
	"adcq %[lo], %[" #T3 "]\n\t"                                                               \
	"adcq %[hi], %[" #T4 "]\n\t"                                                               \
	"adcq $0, %[" #T5 "]\n\t"

#define HAVE_P256X 1

INLINE void
mul4x(kzt_limb *r, const kzt_limb *a, const kzt_limb *b)
{
	ull t0 = 0, t1 = 0, t2 = 0, t3 = 0, t4 = 0, t5 = 0, lo, hi;

	__asm__(P256X_STEP(0, t0, t1, t2, t3, t4, t5) P256X_STEP(8, t1, t2, t3, t4, t5, t0)
			P256X_STEP(16, t2, t3, t4, t5, t0, t1) P256X_STEP(24, t3, t4, t5, t0, t1, t2)
		: [t0] "+&r"(t0), [t1] "+&r"(t1), [t2] "+&r"(t2), [t3] "+&r"(t3), [t4] "+&r"(t4),
		  [t5] "+&r"(t5), [lo] "=&r"(lo), [hi] "=&r"(hi)
		: [a] "r"(a), [b] "r"(b), [p3] "m"(p256_p[3])
		: "rdx", "cc", "memory");
	sub_once4(r, t4, t5, t0, t1, t2, p256_p);
}

/* r = a^2 / 2^256 mod P-256's prime, with mulx, adcx and adox: the 6 products
 * of different words (two chains), doubled, the 4 squares added, then the low
 * half reduced word by word in its own 4 registers (each step's new top word
 * taking the place of the one it retires) and the high half added. */
#define SQRX_RED(T0, T1, T2, T3)                                                                   \
	"movq %[" #T0 "], %%rdx\n\t"                                                               \
	"mulxq %[p3], %[lo], %[hi]\n\t"                                                            \
	"shlq $32, %[" #T0 "]\n\t"                                                                 \
	"shrq $32, %%rdx\n\t"                                                                      \
	"addq %[" #T0 "], %[" #T1 "]\n\t"                                                          \
	"adcq %%rdx, %[" #T2 "]\n\t"                                                               \
	"adcq %[lo], %[" #T3 "]\n\t"                                                               \
	"adcq $0, %[hi]\n\t"                                                                       \
	"movq %[hi], %[" #T0 "]\n\t"

INLINE void
sqr4x(kzt_limb *r, const kzt_limb *a)
{
	ull t0, t1, t2, t3, t4, t5, t6, t7, lo, hi, u0, u1, u2, u3;
	unsigned char cf;

	__asm__("movq 0(%[a]), %%rdx\n\t"
		"xorl %k[t7], %k[t7]\n\t"
		"mulxq 8(%[a]), %[t1], %[t2]\n\t"  /* a0 a1 */
		"mulxq 16(%[a]), %[lo], %[t3]\n\t" /* a0 a2 */
		"adcxq %[lo], %[t2]\n\t"
		"mulxq 24(%[a]), %[lo], %[t4]\n\t" /* a0 a3 */
		"adcxq %[lo], %[t3]\n\t"
		"movq 8(%[a]), %%rdx\n\t"
		"mulxq 16(%[a]), %[lo], %[hi]\n\t" /* a1 a2 */
		"adoxq %[lo], %[t3]\n\t"
		"adcxq %[hi], %[t4]\n\t"
		"mulxq 24(%[a]), %[lo], %[t5]\n\t" /* a1 a3 */
		"adoxq %[lo], %[t4]\n\t"
		"adcxq %[t7], %[t5]\n\t"
		"movq 16(%[a]), %%rdx\n\t"
		"mulxq 24(%[a]), %[lo], %[t6]\n\t" /* a2 a3 */
		"adoxq %[lo], %[t5]\n\t"
		"adoxq %[t7], %[t6]\n\t"
		"adcxq %[t7], %[t6]\n\t"
		"xorl %k[t7], %k[t7]\n\t" /* doubled */
		"adcxq %[t1], %[t1]\n\t"
		"adcxq %[t2], %[t2]\n\t"
		"adcxq %[t3], %[t3]\n\t"
		"adcxq %[t4], %[t4]\n\t"
		"adcxq %[t5], %[t5]\n\t"
		"adcxq %[t6], %[t6]\n\t"
		"adcxq %[t7], %[t7]\n\t"
		"movq 0(%[a]), %%rdx\n\t" /* the squares */
		"mulxq %%rdx, %[t0], %[hi]\n\t"
		"addq %[hi], %[t1]\n\t"
		"movq 8(%[a]), %%rdx\n\t"
		"mulxq %%rdx, %[lo], %[hi]\n\t"
		"adcq %[lo], %[t2]\n\t"
		"adcq %[hi], %[t3]\n\t"
		"movq 16(%[a]), %%rdx\n\t"
		"mulxq %%rdx, %[lo], %[hi]\n\t"
		"adcq %[lo], %[t4]\n\t"
		"adcq %[hi], %[t5]\n\t"
		"movq 24(%[a]), %%rdx\n\t"
		"mulxq %%rdx, %[lo], %[hi]\n\t"
		"adcq %[lo], %[t6]\n\t"
		"adcq %[hi], %[t7]\n\t" SQRX_RED(t0, t1, t2, t3) SQRX_RED(t1, t2, t3, t0)
			SQRX_RED(t2, t3, t0, t1) SQRX_RED(t3, t0, t1, t2)
		: [t0] "=&r"(t0), [t1] "=&r"(t1), [t2] "=&r"(t2), [t3] "=&r"(t3), [t4] "=&r"(t4),
		  [t5] "=&r"(t5), [t6] "=&r"(t6), [t7] "=&r"(t7), [lo] "=&r"(lo), [hi] "=&r"(hi)
		: [a] "r"(a), [p3] "m"(p256_p[3])
		: "rdx", "cc", "memory");
	/* the reduced low half (at most p) and the high half (below p) */
	cf = ADC(0, t0, t4, &u0);
	cf = ADC(cf, t1, t5, &u1);
	cf = ADC(cf, t2, t6, &u2);
	cf = ADC(cf, t3, t7, &u3);
	sub_once4(r, u0, u1, u2, u3, cf, p256_p);
}

/* The same for any 256-bit odd m (FIELD_4X, the order's arithmetic and the other
 * 256-bit fields): q = T0 (-m^-1) mod 2^64, and q m added as two chains again. */
#define MONTX_STEP(OFF, T0, T1, T2, T3, T4, T5)                                                    \
	ROWX(OFF, T0, T1, T2, T3, T4, T5)                                                          \
	"movq %[" #T0 "], %%rdx\n\t"                                                               \
	"imulq %c[oi](%[m]), %%rdx\n\t" /* (m0inv, at its offset from m) */                        \
	"xorl %k[lo], %k[lo]\n\t"       /* CF = OF = 0 */                                          \
	MULROWX(m, T0, T1, T2, T3, T4, T5)

INLINE void
montx(const kzt_mont *mc, kzt_limb *r, const kzt_limb *a, const kzt_limb *b)
{
	ull t0 = 0, t1 = 0, t2 = 0, t3 = 0, t4 = 0, t5 = 0, lo, hi;

	__asm__(MONTX_STEP(0, t0, t1, t2, t3, t4, t5) MONTX_STEP(8, t1, t2, t3, t4, t5, t0)
			MONTX_STEP(16, t2, t3, t4, t5, t0, t1) MONTX_STEP(24, t3, t4, t5, t0, t1, t2)
		: [t0] "+&r"(t0), [t1] "+&r"(t1), [t2] "+&r"(t2), [t3] "+&r"(t3), [t4] "+&r"(t4),
		  [t5] "+&r"(t5), [lo] "=&r"(lo), [hi] "=&r"(hi)
		: [a] "r"(a), [b] "r"(b), [m] "r"(mc->m),
		  [oi] "i"(offsetof(kzt_mont, m0inv) - offsetof(kzt_mont, m))
		: "rdx", "cc", "memory");
	sub_once4(r, t4, t5, t0, t1, t2, mc->m);
}

/* r = a^2 / 2^256 mod m: the square's 8 words from 10 products (the 6 of
 * different words once, doubled), then reduced as mul4 reduces, 4 words at a
 * time, and the high half added at the end. CT. */
INLINE void
sqr4(const int p256, const kzt_mont *mc, kzt_limb *r, const kzt_limb *a)
{
	const kzt_limb *m = p256 ? p256_p : mc->m;
	ull a0 = a[0], a1 = a[1], a2 = a[2], a3 = a[3];
	ull t1, t2, t3, t4, t5, t6, t7, l, h, l2, h2, l3, h3, q, u0, u1, u2, u3, u4, z;
	unsigned char cf;
	int i;

	/* the products of different words: t1..t6 */
	MULW(h, t1, a0, a1);
	MULW(h2, l2, a0, a2);
	MULW(h3, l3, a0, a3);
	cf = ADC(0, h, l2, &t2);
	cf = ADC(cf, h2, l3, &t3);
	(void)ADC(cf, h3, 0, &t4);
	MULW(h, l, a1, a2);
	MULW(h2, l2, a1, a3);
	cf = ADC(0, t3, l, &t3);
	cf = ADC(cf, t4, h, &t4);
	(void)ADC(cf, h2, 0, &t5);
	cf = ADC(0, t4, l2, &t4);
	(void)ADC(cf, t5, 0, &t5);
	MULW(h, l, a2, a3);
	cf = ADC(0, t5, l, &t5);
	(void)ADC(cf, h, 0, &t6);
	/* doubled */
	t7 = t6 >> 63;
	t6 = (t6 << 1) | (t5 >> 63);
	t5 = (t5 << 1) | (t4 >> 63);
	t4 = (t4 << 1) | (t3 >> 63);
	t3 = (t3 << 1) | (t2 >> 63);
	t2 = (t2 << 1) | (t1 >> 63);
	t1 <<= 1;
	/* and the squares of the words */
	MULW(h, u0, a0, a0);
	cf = ADC(0, t1, h, &t1);
	MULW(h, l, a1, a1);
	cf = ADC(cf, t2, l, &t2);
	cf = ADC(cf, t3, h, &t3);
	MULW(h, l, a2, a2);
	cf = ADC(cf, t4, l, &t4);
	cf = ADC(cf, t5, h, &t5);
	MULW(h, l, a3, a3);
	cf = ADC(cf, t6, l, &t6);
	(void)ADC(cf, t7, h, &t7);
	/* (u + Q m) / 2^256 for the low half u, word by word */
	u1 = t1, u2 = t2, u3 = t3, u4 = 0;
	UNROLL for (i = 0; i < 4; i++) {
		ull v1, v2, v3, v4;

		if (p256) {
			q = u0;
			MULW(h, l, q, m[1]);
			MULW(h3, l3, q, m[3]);
			cf = ADC(0, u1, q, &v1);
			cf = ADC(cf, u2, 0, &v2);
			cf = ADC(cf, u3, l3, &v3);
			(void)ADC(cf, u4, h3, &v4);
			cf = ADC(0, v1, l, &v1);
			cf = ADC(cf, v2, h, &v2);
			cf = ADC(cf, v3, 0, &v3);
			(void)ADC(cf, v4, 0, &v4);
		} else {
			ull l0, h0, l1, h1;

			q = u0 * mc->m0inv;
			MULW(h0, l0, q, m[0]);
			MULW(h1, l1, q, m[1]);
			MULW(h2, l2, q, m[2]);
			MULW(h3, l3, q, m[3]);
			cf = ADC(0, u0, l0, &z); /* (z is 0) */
			cf = ADC(cf, u1, l1, &v1);
			cf = ADC(cf, u2, l2, &v2);
			cf = ADC(cf, u3, l3, &v3);
			(void)ADC(cf, u4, 0, &v4);
			cf = ADC(0, v1, h0, &v1);
			cf = ADC(cf, v2, h1, &v2);
			cf = ADC(cf, v3, h2, &v3);
			(void)ADC(cf, v4, h3, &v4);
		}
		u0 = v1, u1 = v2, u2 = v3, u3 = v4, u4 = 0;
	}
	/* below 2m: the high half (below m) and the reduced low (at most m) */
	cf = ADC(0, u0, t4, &u0);
	cf = ADC(cf, u1, t5, &u1);
	cf = ADC(cf, u2, t6, &u2);
	cf = ADC(cf, u3, t7, &u3);
	sub_once4(r, u0, u1, u2, u3, cf, m);
}
#else
/* r = a b / 2^256 mod m, 4 limbs of 64 bits, the words of the product in
 * registers. For P-256's prime (p256, a constant where this is inlined),
 * 2^256 - 2^224 + 2^192 + 2^96 - 1, -m^-1 is 1 mod 2^64: q is the low word
 * itself, q m0 + q is q 2^64, and m2 is 0, which leaves two products of four. CT. */
INLINE void
mul4(const int p256, const kzt_mont *mc, kzt_limb *r, const kzt_limb *a, const kzt_limb *b)
{
	const kzt_limb *m = p256 ? p256_p : mc->m;
	kzt_limb t0 = 0, t1 = 0, t2 = 0, t3 = 0, t4 = 0, t5, c, q;
	int i;

	UNROLL for (i = 0; i < 4; i++) {
		kzt_limb ai = a[i];

		c = 0;
		MAC(t0, ai, b[0], c);
		MAC(t1, ai, b[1], c);
		MAC(t2, ai, b[2], c);
		MAC(t3, ai, b[3], c);
		t4 += c;
		t5 = t4 < c;
		if (p256) {
			q = t0;
			c = q;
			MAC(t1, q, m[1], c);
			t2 += c;
			c = t2 < c;
			MAC(t3, q, m[3], c);
		} else {
			q = t0 * mc->m0inv;
			c = 0;
			MAC(t0, q, m[0], c);
			MAC(t1, q, m[1], c);
			MAC(t2, q, m[2], c);
			MAC(t3, q, m[3], c);
		}
		t4 += c;
		t5 += t4 < c;
		t0 = t1, t1 = t2, t2 = t3, t3 = t4, t4 = t5;
	}
	{
		kzt_limb t[4] = {t0, t1, t2, t3};

		sub_once(4, r, t, t4, m);
	}
}

INLINE void
sqr4(const int p256, const kzt_mont *mc, kzt_limb *r, const kzt_limb *a)
{
	mul4(p256, mc, r, a, a);
}

INLINE void
add4(const kzt_limb *m, kzt_limb *r, const kzt_limb *a, const kzt_limb *b)
{
	add_n(4, m, r, a, b);
}

INLINE void
sub4(const kzt_limb *m, kzt_limb *r, const kzt_limb *a, const kzt_limb *b)
{
	sub_n(4, m, r, a, b);
}
#endif
#endif

/* r = a b / R mod mc's modulus: the field's kind of product (kind a constant). */
INLINE void
mont_mul_k(const int kind, const kzt_mont *mc, kzt_limb *r, const kzt_limb *a, const kzt_limb *b)
{
	(void)kind; /* (with 32-bit limbs there is one kind) */
#if defined(HAVE_P256X)
	if (kind == FIELD_P256X) {
		mul4x(r, a, b);
		return;
	}
	if (kind == FIELD_4X) {
		montx(mc, r, a, b);
		return;
	}
#endif
#if KZT_BN_LIMB_BITS == 64
	if (kind == FIELD_P256) {
		mul4(1, mc, r, a, b);
		return;
	}
	if (kind == FIELD_4) {
		mul4(0, mc, r, a, b);
		return;
	}
#endif
	BY_SIZE(mc->n, mul_n, mc, r, a, b);
}

/* the same for a kind known when running: for the order's arithmetic, and where
 * the field's is not in a point operation */
static void
mont_mul(int kind, const kzt_mont *mc, kzt_limb *r, const kzt_limb *a, const kzt_limb *b)
{
	if (kind == FIELD_P256X)
		mont_mul_k(FIELD_P256X, mc, r, a, b);
	else if (kind == FIELD_4X)
		mont_mul_k(FIELD_4X, mc, r, a, b);
	else if (kind == FIELD_P256)
		mont_mul_k(FIELD_P256, mc, r, a, b);
	else if (kind == FIELD_4)
		mont_mul_k(FIELD_4, mc, r, a, b);
	else
		mont_mul_k(FIELD_N, mc, r, a, b);
}

/* r = a^2 / R mod mc's modulus, the square's own code where there is one */
static void
mont_sqr(int kind, const kzt_mont *mc, kzt_limb *r, const kzt_limb *a)
{
#if defined(HAVE_P256X)
	if (kind == FIELD_P256X) {
		sqr4x(r, a);
		return;
	}
#endif
#if KZT_BN_LIMB_BITS == 64
	if (kind == FIELD_P256) {
		sqr4(1, mc, r, a);
		return;
	}
	if (kind == FIELD_4) {
		sqr4(0, mc, r, a);
		return;
	}
#endif
	mont_mul(kind, mc, r, a, a);
}

/* One inversion, for mont_inv_in_step: Fermat, a^(m-2), in fixed windows of 4
 * bits of the public exponent. */
struct inversion {
	int kind;
	const kzt_mont *mc;
	kzt_limb *r;
	const kzt_limb *a;
	kzt_limb e[L], tab[16][L], acc[L];
	size_t bits;
};

/* r = a^-1 for a in Montgomery form (0 for 0), in Montgomery form, for count
 * (1 or 2) inversions at once: their exponentiations in step, each window of one
 * then of the other, so that the processor overlaps their chains of dependent
 * products (an inversion is nothing but such a chain). CT in each a. */
static void
mont_inv_in_step(struct inversion *inv, size_t count)
{
	kzt_limb two[L] = {2};
	size_t i, j, win, windows = 0;

	for (i = 0; i < count; i++) {
		struct inversion *v = &inv[i];
		size_t n = v->mc->n;

		v->bits = kzt_bn_bits(v->mc->m, n);
		kzt_bn_sub(v->e, v->mc->m, two, n);
		memcpy(v->tab[0], v->mc->one, sizeof(v->tab[0]));
		memcpy(v->tab[1], v->a, n * sizeof(kzt_limb));
		for (j = 2; j < 16; j++)
			mont_mul(v->kind, v->mc, v->tab[j], v->tab[j - 1], v->a);
		memcpy(v->acc, v->mc->one, sizeof(v->acc));
		if ((v->bits + 3) / 4 > windows)
			windows = (v->bits + 3) / 4;
	}
	for (win = windows; win-- > 0;)
		for (i = 0; i < count; i++) {
			struct inversion *v = &inv[i];

			if (4 * win >= v->bits)
				continue; /* (its exponent is shorter: acc is still 1) */
			for (j = 0; j < 4; j++)
				mont_sqr(v->kind, v->mc, v->acc, v->acc);
			mont_mul(v->kind, v->mc, v->acc, v->acc, v->tab[kzt_bn_window(v->e, v->mc->n, 4 * win, 4)]);
		}
	for (i = 0; i < count; i++) {
		memcpy(inv[i].r, inv[i].acc, inv[i].mc->n * sizeof(kzt_limb));
		kzt_bn_wipe((kzt_limb *)(void *)inv[i].tab, sizeof(inv[i].tab) / sizeof(kzt_limb));
		kzt_bn_wipe(inv[i].acc, L);
	}
}

static void
mont_inv(int kind, const kzt_mont *mc, kzt_limb *r, const kzt_limb *a)
{
	struct inversion inv;

	inv.kind = kind, inv.mc = mc, inv.r = r, inv.a = a;
	mont_inv_in_step(&inv, 1);
}

#if KZT_BN_LIMB_BITS == 64
#define FIELD_CASES(op, ...)                                                                       \
	do {                                                                                       \
		if (c->field == FIELD_P256X)                                                       \
			op(FIELD_P256X, __VA_ARGS__);                                              \
		else if (c->field == FIELD_4X)                                                     \
			op(FIELD_4X, __VA_ARGS__);                                                 \
		else if (c->field == FIELD_P256)                                                   \
			op(FIELD_P256, __VA_ARGS__);                                               \
		else if (c->field == FIELD_4)                                                      \
			op(FIELD_4, __VA_ARGS__);                                                  \
		else                                                                               \
			op(FIELD_N, __VA_ARGS__);                                                  \
	} while (0)
#else
#define FIELD_CASES(op, ...) op(FIELD_N, __VA_ARGS__)
#endif

/* r = a + b, or a - b with sub, in the field: kind and sub constants where this
 * is inlined */
INLINE void
f_add_k(const int kind, const kzt_ec_curve *c, const int sub, kzt_limb *r, const kzt_limb *a, const kzt_limb *b)
{
	(void)kind;
#if KZT_BN_LIMB_BITS == 64
	if (kind != FIELD_N) {
		const kzt_limb *m = IS_P256(kind) ? p256_p : c->p.m;

		if (sub)
			sub4(m, r, a, b);
		else
			add4(m, r, a, b);
		return;
	}
#endif
	if (sub)
		BY_SIZE(c->n, sub_n, c->p.m, r, a, b);
	else
		BY_SIZE(c->n, add_n, c->p.m, r, a, b);
}

static void
f_add(const kzt_ec_curve *c, kzt_limb *r, const kzt_limb *a, const kzt_limb *b)
{
	FIELD_CASES(f_add_k, c, 0, r, a, b);
}

static void
f_sub(const kzt_ec_curve *c, kzt_limb *r, const kzt_limb *a, const kzt_limb *b)
{
	FIELD_CASES(f_add_k, c, 1, r, a, b);
}

static void
f_mul(const kzt_ec_curve *c, kzt_limb *r, const kzt_limb *a, const kzt_limb *b)
{
	mont_mul(c->field, &c->p, r, a, b);
}

/* The operations of the point code: written out for the 256-bit kinds; calls for
 * the others, whose loops are long enough that the call costs little. */
#define FMUL(r, a, b)                                                                              \
	do {                                                                                       \
		if (kind == FIELD_N)                                                               \
			f_mul(c, r, a, b);                                                         \
		else                                                                               \
			mont_mul_k(kind, &c->p, r, a, b);                                          \
	} while (0)
#if defined(HAVE_P256X)
#define FSQR(r, a)                                                                                 \
	do {                                                                                       \
		if (kind == FIELD_P256X)                                                           \
			sqr4x(r, a);                                                               \
		else                                                                               \
			FMUL(r, a, a);                                                             \
	} while (0)
#else
#define FSQR(r, a) FMUL(r, a, a)
#endif
#define FADD(r, a, b)                                                                              \
	do {                                                                                       \
		if (kind == FIELD_N)                                                               \
			f_add(c, r, a, b);                                                         \
		else                                                                               \
			f_add_k(kind, c, 0, r, a, b);                                              \
	} while (0)
#define FSUB(r, a, b)                                                                              \
	do {                                                                                       \
		if (kind == FIELD_N)                                                               \
			f_sub(c, r, a, b);                                                         \
		else                                                                               \
			f_add_k(kind, c, 1, r, a, b);                                              \
	} while (0)

/* ---- points ---- */

static void
set_infinity(const kzt_ec_curve *c, point *r)
{
	memset(r, 0, sizeof(*r));
	memcpy(r->y, c->p.one, c->n * sizeof(kzt_limb));
}

/* r = a + b, any a and b (r may be either): RCB16 algorithm 1, 12M + 3 m_a +
 * 2 m_3b + 23 additions, the steps numbered as there. */
INLINE void
add_k(const int kind, const kzt_ec_curve *c, point *r, const point *p, const point *q)
{
	kzt_limb t0[L], t1[L], t2[L], t3[L], t4[L], t5[L], x3[L] = {0}, y3[L] = {0}, z3[L] = {0};

	FMUL(t0, p->x, q->x);  /* 1 */
	FMUL(t1, p->y, q->y);  /* 2 */
	FMUL(t2, p->z, q->z);  /* 3 */
	FADD(t3, p->x, p->y);  /* 4 */
	FADD(t4, q->x, q->y);  /* 5 */
	FMUL(t3, t3, t4);      /* 6 */
	FADD(t4, t0, t1);      /* 7 */
	FSUB(t3, t3, t4);      /* 8 */
	FADD(t4, p->x, p->z);  /* 9 */
	FADD(t5, q->x, q->z);  /* 10 */
	FMUL(t4, t4, t5);      /* 11 */
	FADD(t5, t0, t2);      /* 12 */
	FSUB(t4, t4, t5);      /* 13 */
	FADD(t5, p->y, p->z);  /* 14 */
	FADD(x3, q->y, q->z);  /* 15 */
	FMUL(t5, t5, x3);      /* 16 */
	FADD(x3, t1, t2);      /* 17 */
	FSUB(t5, t5, x3);      /* 18 */
	FMUL(z3, c->a_m, t4);  /* 19 */
	FMUL(x3, c->b3_m, t2); /* 20 */
	FADD(z3, x3, z3);      /* 21 */
	FSUB(x3, t1, z3);      /* 22 */
	FADD(z3, t1, z3);      /* 23 */
	FMUL(y3, x3, z3);      /* 24 */
	FADD(t1, t0, t0);      /* 25 */
	FADD(t1, t1, t0);      /* 26 */
	FMUL(t2, c->a_m, t2);  /* 27 */
	FMUL(t4, c->b3_m, t4); /* 28 */
	FADD(t1, t1, t2);      /* 29 */
	FSUB(t2, t0, t2);      /* 30 */
	FMUL(t2, c->a_m, t2);  /* 31 */
	FADD(t4, t4, t2);      /* 32 */
	FMUL(t0, t1, t4);      /* 33 */
	FADD(y3, y3, t0);      /* 34 */
	FMUL(t0, t5, t4);      /* 35 */
	FMUL(x3, t3, x3);      /* 36 */
	FSUB(x3, x3, t0);      /* 37 */
	FMUL(t0, t3, t1);      /* 38 */
	FMUL(z3, t5, z3);      /* 39 */
	FADD(z3, z3, t0);      /* 40 */
	memcpy(r->x, x3, sizeof(x3));
	memcpy(r->y, y3, sizeof(y3));
	memcpy(r->z, z3, sizeof(z3));
	kzt_bn_wipe(t0, L), kzt_bn_wipe(t1, L), kzt_bn_wipe(t2, L), kzt_bn_wipe(t3, L);
	kzt_bn_wipe(t4, L), kzt_bn_wipe(t5, L), kzt_bn_wipe(x3, L), kzt_bn_wipe(y3, L), kzt_bn_wipe(z3, L);
}

static void
add(const kzt_ec_curve *c, point *r, const point *p, const point *q)
{
	FIELD_CASES(add_k, c, r, p, q);
}

/* r = p + (x2, y2), the second point affine (Montgomery form) and not infinity, p
 * any point, on a curve with a = -3: RCB16 algorithm 5, 11M + 2 m_b + 23
 * additions, the steps numbered as there. */
INLINE void
add_affine_m3_k(const int kind, const kzt_ec_curve *c, point *r, const point *p, const kzt_limb *x2,
		const kzt_limb *y2)
{
	kzt_limb t0[L], t1[L], t2[L], t3[L], t4[L], x3[L] = {0}, y3[L] = {0}, z3[L] = {0};

	FMUL(t0, p->x, x2);    /* 1 */
	FMUL(t1, p->y, y2);    /* 2 */
	FADD(t3, x2, y2);      /* 3 */
	FADD(t4, p->x, p->y);  /* 4 */
	FMUL(t3, t3, t4);      /* 5 */
	FADD(t4, t0, t1);      /* 6 */
	FSUB(t3, t3, t4);      /* 7 */
	FMUL(t4, y2, p->z);    /* 8 */
	FADD(t4, t4, p->y);    /* 9 */
	FMUL(y3, x2, p->z);    /* 10 */
	FADD(y3, y3, p->x);    /* 11 */
	FMUL(z3, c->b_m, p->z); /* 12 */
	FSUB(x3, y3, z3);      /* 13 */
	FADD(z3, x3, x3);      /* 14 */
	FADD(x3, x3, z3);      /* 15 */
	FSUB(z3, t1, x3);      /* 16 */
	FADD(x3, t1, x3);      /* 17 */
	FMUL(y3, c->b_m, y3);  /* 18 */
	FADD(t1, p->z, p->z);  /* 19 */
	FADD(t2, t1, p->z);    /* 20 */
	FSUB(y3, y3, t2);      /* 21 */
	FSUB(y3, y3, t0);      /* 22 */
	FADD(t1, y3, y3);      /* 23 */
	FADD(y3, t1, y3);      /* 24 */
	FADD(t1, t0, t0);      /* 25 */
	FADD(t0, t1, t0);      /* 26 */
	FSUB(t0, t0, t2);      /* 27 */
	FMUL(t1, t4, y3);      /* 28 */
	FMUL(t2, t0, y3);      /* 29 */
	FMUL(y3, x3, z3);      /* 30 */
	FADD(y3, y3, t2);      /* 31 */
	FMUL(x3, t3, x3);      /* 32 */
	FSUB(x3, x3, t1);      /* 33 */
	FMUL(z3, t4, z3);      /* 34 */
	FMUL(t1, t3, t0);      /* 35 */
	FADD(z3, z3, t1);      /* 36 */
	memcpy(r->x, x3, sizeof(x3));
	memcpy(r->y, y3, sizeof(y3));
	memcpy(r->z, z3, sizeof(z3));
	kzt_bn_wipe(t0, L), kzt_bn_wipe(t1, L), kzt_bn_wipe(t2, L), kzt_bn_wipe(t3, L);
	kzt_bn_wipe(t4, L), kzt_bn_wipe(x3, L), kzt_bn_wipe(y3, L), kzt_bn_wipe(z3, L);
}

/* r = p + (x2, y2), the second point affine (Montgomery form) and not infinity:
 * algorithm 5 where a = -3, else algorithm 1 with Z2 = 1. */
static void
add_affine(const kzt_ec_curve *c, point *r, const point *p, const kzt_limb *x2, const kzt_limb *y2)
{
	if (c->a_minus_3) {
		FIELD_CASES(add_affine_m3_k, c, r, p, x2, y2);
	} else {
		point q;

		memset(&q, 0, sizeof(q));
		memcpy(q.x, x2, c->n * sizeof(kzt_limb));
		memcpy(q.y, y2, c->n * sizeof(kzt_limb));
		memcpy(q.z, c->p.one, c->n * sizeof(kzt_limb));
		add(c, r, p, &q);
		kzt_bn_wipe((kzt_limb *)(void *)&q, sizeof(q) / sizeof(kzt_limb));
	}
}

/* The walk of one scalar through the comb (mul_g), one lane of it: the sum, the
 * entry picked for the window, and the temporaries of the addition, which mul_g
 * wipes once at the end. */
struct lane {
	point acc, sum;
	kzt_limb x[L], y[L];
	kzt_limb zz[L], u2[L], s2[L], h[L], rr[L], hh[L], hhh[L], v[L];
};

/* r = a where mask is all ones (n limbs), inline. CT. */
INLINE void
select_n(const size_t n, kzt_limb *r, const kzt_limb *a, kzt_limb mask)
{
	size_t j;

	for (j = 0; j < n; j++)
		r[j] = (r[j] & ~mask) | (a[j] & mask);
}

/* For each lane, sum = acc + (x, y) in Jacobian coordinates (x = X / Z^2,
 * y = Y / Z^3), the entry affine (Montgomery form): the classical mixed
 * addition, 8M + 3S + 7 additions, for any a. Not complete: acc must not be the
 * entry or its negative (mul_g's windows below the top ones cannot be, see
 * there); acc the point at infinity (Z = 0) gives (x, y, 1), selected. The lanes
 * (a constant where this is inlined) go step by step together, so that the
 * processor overlaps their chains of dependent products. CT. */
INLINE void
add_jacobian_affine_k(const int kind, const kzt_ec_curve *c, const size_t lanes, struct lane *ln)
{
	size_t l;

#define LANES(stmt)                                                                                \
	do {                                                                                       \
		UNROLL for (l = 0; l < lanes; l++) {                                               \
			struct lane *o = &ln[l];                                                   \
                                                                                                   \
			stmt;                                                                      \
		}                                                                                  \
	} while (0)
	LANES(FSQR(o->zz, o->acc.z));              /* Z1^2 */
	LANES(FMUL(o->u2, o->x, o->zz));           /* U2 = x2 Z1^2 */
	LANES(FMUL(o->s2, o->acc.z, o->zz));       /* Z1^3 */
	LANES(FMUL(o->s2, o->y, o->s2));           /* S2 = y2 Z1^3 */
	LANES(FSUB(o->h, o->u2, o->acc.x));        /* H = U2 - X1 */
	LANES(FSUB(o->rr, o->s2, o->acc.y));       /* r = S2 - Y1 */
	LANES(FSQR(o->hh, o->h));                  /* H^2 */
	LANES(FMUL(o->hhh, o->h, o->hh));          /* H^3 */
	LANES(FMUL(o->v, o->acc.x, o->hh));        /* V = X1 H^2 */
	LANES(FSQR(o->sum.x, o->rr));              /* X3 = r^2 - H^3 - 2 V */
	LANES(FSUB(o->sum.x, o->sum.x, o->hhh));
	LANES(FSUB(o->sum.x, o->sum.x, o->v));
	LANES(FSUB(o->sum.x, o->sum.x, o->v));
	LANES(FSUB(o->sum.y, o->v, o->sum.x));     /* Y3 = r (V - X3) - Y1 H^3 */
	LANES(FMUL(o->sum.y, o->rr, o->sum.y));
	LANES(FMUL(o->hhh, o->acc.y, o->hhh));
	LANES(FSUB(o->sum.y, o->sum.y, o->hhh));
	LANES(FMUL(o->sum.z, o->acc.z, o->h));     /* Z3 = Z1 H */
	LANES({
		kzt_limb inf = kzt_bn_zero_mask(o->acc.z, c->n);

		select_n(c->n, o->sum.x, o->x, inf);
		select_n(c->n, o->sum.y, o->y, inf);
		select_n(c->n, o->sum.z, c->p.one, inf);
	});
#undef LANES
}

static void
add_jacobian_affine(const kzt_ec_curve *c, size_t lanes, struct lane *ln)
{
	if (lanes == 2)
		FIELD_CASES(add_jacobian_affine_k, c, 2, ln);
	else
		FIELD_CASES(add_jacobian_affine_k, c, 1, ln);
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

/* all ones when a == b, else 0 (small values). CT. */
static kzt_limb
equal_mask(unsigned a, unsigned b)
{
	return (kzt_limb)0 - (kzt_limb)(((((kzt_limb)(a ^ b)) - 1) >> (KZT_BN_LIMB_BITS - 1)) & 1);
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
	for (; e < ENTRIES; e++)
		select_point(c, pick, &tab[e], equal_mask(e, idx));
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
	f_mul(c, r->x, x, c->p.rr);
	f_mul(c, r->y, y, c->p.rr);
	memcpy(r->z, c->p.one, c->n * sizeof(kzt_limb));
}

/* The affine coordinates of p in Montgomery form; all ones when p is infinity
 * (then x and y are 0), else 0. CT. */
static kzt_limb
to_affine_mont(const kzt_ec_curve *c, kzt_limb *x, kzt_limb *y, const point *p)
{
	kzt_limb zi[L];
	kzt_limb inf = kzt_bn_zero_mask(p->z, c->n);

	mont_inv(c->field, &c->p, zi, p->z);
	f_mul(c, x, p->x, zi);
	f_mul(c, y, p->y, zi);
	kzt_bn_wipe(zi, L);
	return inf;
}

/* The same, plain. */
static kzt_limb
to_affine(const kzt_ec_curve *c, kzt_limb *x, kzt_limb *y, const point *p)
{
	kzt_limb one[L] = {1}, inf = to_affine_mont(c, x, y, p);

	f_mul(c, x, x, one);
	f_mul(c, y, y, one);
	return inf;
}

static void
generator(const kzt_ec_curve *c, point *g)
{
	from_affine(c, g, c->gx, c->gy);
}

/* ---- the generator's comb ----
 * For each window i of COMB_W bits, the affine multiples j 2^(COMB_W i) G for
 * j = 1..COMB_HALF: with the scalar's windows recoded into signed digits of at
 * most COMB_HALF, k G is one mixed addition a window, no doubling, a negative
 * digit taking the entry's negative. Made once a curve and process, by its first
 * caller (any other caller meanwhile takes mul's way), published with a release
 * store that readers acquire; freed when the library is unloaded. The table is
 * public; a secret k still reads every entry of each window. */
#define COMB_W 6
#define COMB_HALF (1u << (COMB_W - 1))

static struct comb {
	int state; /* 0: none, 1: being made, 2: ready */
	kzt_limb *tab; /* windows x COMB_HALF entries of x, y (c->n limbs each) */
} combs[KZT_EC_CURVES];

enum { COMB_NONE, COMB_MAKING, COMB_READY };

/* enough windows for any scalar below q: recoding adds a carry at the top */
static size_t
comb_windows(const kzt_ec_curve *c)
{
	return c->q_bits / COMB_W + 1;
}

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

/* One window's multiples j B (j = 1..COMB_HALF) of its base B, affine, into row;
 * B becomes the next window's base, 2^COMB_W B. The inversions of the z are
 * one, by Montgomery's trick. Public. */
static void
comb_row(const kzt_ec_curve *c, kzt_limb *row, point *base)
{
	point pts[COMB_HALF];
	kzt_limb pre[COMB_HALF][L], inv[L], zi[L];
	size_t n = c->n, j;

	pts[0] = *base;
	for (j = 1; j < COMB_HALF; j++)
		add(c, &pts[j], &pts[j - 1], base);
	add(c, base, &pts[COMB_HALF - 1], &pts[COMB_HALF - 1]);
	memcpy(pre[0], pts[0].z, sizeof(pre[0])); /* pre[j] = z0 z1 .. zj */
	for (j = 1; j < COMB_HALF; j++)
		f_mul(c, pre[j], pre[j - 1], pts[j].z);
	mont_inv(c->field, &c->p, inv, pre[COMB_HALF - 1]);
	for (j = COMB_HALF; j-- > 0;) {
		if (j > 0) {
			f_mul(c, zi, inv, pre[j - 1]); /* 1 / zj */
			f_mul(c, inv, inv, pts[j].z);  /* 1 / (z0 .. z(j-1)) */
		} else {
			memcpy(zi, inv, sizeof(zi));
		}
		f_mul(c, row + 2 * n * j, pts[j].x, zi);
		f_mul(c, row + 2 * n * j + n, pts[j].y, zi);
	}
}

static const kzt_limb *
comb_of(const kzt_ec_curve *c)
{
	struct comb *cb = &combs[c->id];
	size_t windows = comb_windows(c), row = COMB_HALF * 2 * c->n, i;
	int none = COMB_NONE;
	kzt_limb *t;
	point base;

	if (__atomic_load_n(&cb->state, __ATOMIC_ACQUIRE) == COMB_READY)
		return cb->tab;
	if (!__atomic_compare_exchange_n(&cb->state, &none, COMB_MAKING, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
		return NULL;
	if ((t = malloc(windows * row * sizeof(kzt_limb))) == NULL) {
		__atomic_store_n(&cb->state, COMB_NONE, __ATOMIC_RELEASE);
		return NULL;
	}
	generator(c, &base);
	for (i = 0; i < windows; i++)
		comb_row(c, t + i * row, &base);
	cb->tab = t;
	__atomic_store_n(&cb->state, COMB_READY, __ATOMIC_RELEASE);
	return t;
}

/* COMB_W bits of k from bit pos (0 past its n limbs) */
static unsigned
comb_bits(const kzt_limb *k, size_t n, size_t pos)
{
	return pos / W < n ? kzt_bn_window(k, n, pos, COMB_W) : 0;
}

#if !defined(KZT_BN_LEAKY_FOR_TEST)
/* x, y |= the entry of row for mag (1..COMB_HALF; none for 0), every entry read:
 * for each limb count, so that the loops unroll; for 4 limbs in vectors of 2
 * (the compiler's vector extension: SSE2 on x86-64, NEON on ARM). CT in mag. */
INLINE void
pick_n(const size_t n, const kzt_limb *row, unsigned mag, kzt_limb *x, kzt_limb *y)
{
	size_t e, j;

#if (defined(__GNUC__) || defined(__clang__)) && KZT_BN_LIMB_BITS == 64
	if (n == 4) {
		typedef kzt_limb v2 __attribute__((vector_size(16)));
		v2 a0 = {0, 0}, a1 = {0, 0}, a2 = {0, 0}, a3 = {0, 0}, e0, e1, e2, e3;

		for (e = 0; e < COMB_HALF; e++) {
			kzt_limb hit = equal_mask((unsigned)e + 1, mag);
			v2 h = {hit, hit};
			const kzt_limb *ent = row + 8 * e;

			memcpy(&e0, ent, 16), memcpy(&e1, ent + 2, 16), memcpy(&e2, ent + 4, 16), memcpy(&e3, ent + 6, 16);
			a0 |= e0 & h, a1 |= e1 & h, a2 |= e2 & h, a3 |= e3 & h;
		}
		memcpy(x, &a0, 16), memcpy(x + 2, &a1, 16), memcpy(y, &a2, 16), memcpy(y + 2, &a3, 16);
		return;
	}
#endif
	for (e = 0; e < COMB_HALF; e++) {
		kzt_limb hit = equal_mask((unsigned)e + 1, mag);
		const kzt_limb *ent = row + 2 * n * e;

		UNROLL for (j = 0; j < n; j++) {
			x[j] |= ent[j] & hit;
			y[j] |= ent[n + j] & hit;
		}
	}
}
#endif

/* The affine x, y (Montgomery form) of the comb entry for a signed digit: every
 * entry of the row read, the one of |digit| kept, y negated for a negative one;
 * x, y stay 0 for the digit 0. CT in the digit. */
static void
comb_pick(const kzt_ec_curve *c, const kzt_limb *row, unsigned mag, kzt_limb neg, kzt_limb *x, kzt_limb *y)
{
	size_t n = c->n;
	kzt_limb ny[L];

	memset(x, 0, L * sizeof(kzt_limb));
	memset(y, 0, L * sizeof(kzt_limb));
#if defined(KZT_BN_LEAKY_FOR_TEST)
	if (mag > 0) { /* the mistake the constant-time check must catch: a secret index */
		memcpy(x, row + 2 * n * (mag - 1), n * sizeof(kzt_limb));
		memcpy(y, row + 2 * n * (mag - 1) + n, n * sizeof(kzt_limb));
	}
#else
	BY_SIZE(n, pick_n, row, mag, x, y);
#endif
	memset(ny, 0, sizeof(ny));
	f_sub(c, ny, ny, y);
	kzt_bn_select(y, ny, neg, n);
	kzt_bn_wipe(ny, L);
}

/* r[l] = k[l] G for lanes (1 or 2) scalars below q, with the comb (CT in each k:
 * every entry of each window read, every window added), the lanes' additions in
 * step, the second lane a window behind (so that a fault skipping a step of the
 * loop changes the two results by different multiples of G: the signing check
 * sees it); or with mul when the comb is not ready.
 * The windows are recoded on the way into signed digits: a window's bits plus
 * the carry, v in 0..2^COMB_W, is the digit v when v <= COMB_HALF, else
 * v - 2^COMB_W with a carry of 1 into the next window.
 *
 * The sum is kept in Jacobian coordinates, with the cheaper mixed addition, while
 * that cannot meet its exceptions. Before window i the sum is s G for
 * s = sum of d_j 2^(COMB_W j), j < i, |s| < 2^(COMB_W i) / 1.9, and the entry is
 * d_i 2^(COMB_W i) G with 1 <= |d_i| <= COMB_HALF: their difference or sum is not
 * 0, and below 33 2^(COMB_W i) <= q when COMB_W i + 7 <= q_bits, so the two points
 * are neither equal nor opposite; s = 0 only while every digit so far was 0
 * (then the sum is infinity, Z = 0, which the addition selects). The windows
 * above take the complete formulas (add_affine), after the sum is made
 * projective: (X Z : Y : Z^3). */
static void
mul_g_lanes(const kzt_ec_curve *c, size_t lanes, point *const *r, const kzt_limb *const *k)
{
	const kzt_limb *tab = comb_of(c);
	size_t windows = comb_windows(c), row = COMB_HALF * 2 * c->n, step, l;
	size_t jacobian = (c->q_bits - 7) / COMB_W + 1; /* the windows i with COMB_W i + 7 <= q_bits */
	kzt_limb carry[2] = {0, 0}, mag[2] = {0, 0};
	struct lane ln[2];

	if (tab == NULL) {
		for (l = 0; l < lanes; l++) {
			generator(c, &ln[0].acc);
			mul(c, r[l], k[l], &ln[0].acc);
		}
		return;
	}
	memset(ln, 0, sizeof(ln));
	for (l = 0; l < lanes; l++)
		set_infinity(c, &ln[l].acc); /* (0, 1, 0): infinity both ways */
	/* lane l takes window step - l: the second a window behind the first, so that
	 * a fault that skips a step cannot take the same window from both */
	for (step = 0; step < windows + lanes - 1; step++) {
		int active[2] = {0, 0}, jac[2] = {0, 0};

		if (FAULT(KZT_EC_FAULT_SKIP_STEP) && lanes == 2 && step == 20)
			continue;

		for (l = 0; l < lanes; l++) {
			size_t win = step - l;
			unsigned v;
			kzt_limb neg;

			if (step < l || win >= windows)
				continue;
			active[l] = 1, jac[l] = win < jacobian;
			v = comb_bits(k[l], c->n, win * COMB_W) + (unsigned)carry[l];
			neg = (kzt_limb)0 - (kzt_limb)((COMB_HALF - v) >> (8 * sizeof(unsigned) - 1));
			mag[l] = (v & ~neg) | (((1u << COMB_W) - v) & neg);
			carry[l] = neg & 1;
			comb_pick(c, tab + win * row, (unsigned)mag[l], neg, ln[l].x, ln[l].y);
			if (win == jacobian) { /* (X, Y, Z) -> (X Z, Y, Z^3) */
				f_mul(c, ln[l].acc.x, ln[l].acc.x, ln[l].acc.z);
				f_mul(c, ln[l].zz, ln[l].acc.z, ln[l].acc.z);
				f_mul(c, ln[l].acc.z, ln[l].acc.z, ln[l].zz);
			}
		}
		if (lanes == 2 && jac[0] && jac[1]) {
			add_jacobian_affine(c, 2, ln);
		} else {
			for (l = 0; l < lanes; l++)
				if (jac[l])
					add_jacobian_affine(c, 1, &ln[l]);
				else if (active[l])
					add_affine(c, &ln[l].sum, &ln[l].acc, ln[l].x, ln[l].y);
		}
		for (l = 0; l < lanes; l++)
			if (active[l])
				select_point(c, &ln[l].acc, &ln[l].sum, ~equal_mask((unsigned)mag[l], 0));
	}
	for (l = 0; l < lanes; l++)
		*r[l] = ln[l].acc;
	kzt_bn_wipe((kzt_limb *)(void *)ln, sizeof(ln) / (sizeof(kzt_limb)));
	kzt_bn_wipe(carry, 2), kzt_bn_wipe(mag, 2);
}

/* r = k G, as mul_g_lanes */
static void
mul_g(const kzt_ec_curve *c, point *r, const kzt_limb *k)
{
	point *rs[1] = {r};
	const kzt_limb *ks[1] = {k};

	mul_g_lanes(c, 1, rs, ks);
}

/* r = k1 G + k2 p for public k1, k2 (verification): the comb for G and 4-bit
 * windows for p, entries read directly. */
static void
mul2_g(const kzt_ec_curve *c, point *r, const kzt_limb *k1, const kzt_limb *k2, const point *p)
{
	size_t win, windows = (c->q_bits + WINDOW - 1) / WINDOW, j;
	point ptab[ENTRIES], acc, g;
	unsigned e;

	if (comb_of(c) == NULL) {
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
	mul_g(c, &g, k1);
	add(c, r, &acc, &g);
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

#if KZT_BN_LIMB_BITS == 64
/* The field code for a 256-bit prime: with mulx, adcx and adox where the
 * processor has BMI2 and ADX, unless KAZTOKEN_BN_PORTABLE asks for the portable
 * code, as for src/bn's other accelerator (ifma.c). */
static int
kind_256(int p256)
{
#if defined(HAVE_P256X)
	const char *env = getenv("KAZTOKEN_BN_PORTABLE");
	unsigned eax, ebx, ecx, edx;

#if defined(KZT_CT_CHECK)
	/* the constant-time check's build: memcheck runs the assembly, but its CPUID
	 * does not announce BMI2 and ADX, so the check asks for it (tests/ct, on a
	 * machine that has both) */
	const char *force = getenv("KZT_CT_ADX");

	if (force != NULL && strcmp(force, "1") == 0)
		return p256 ? FIELD_P256X : FIELD_4X;
#endif
	/* CPUID: leaf 0 the highest leaf; leaf 7, EBX bit 8 BMI2 (mulx), bit 19 ADX
	 * (adcx, adox) */
	__asm__("cpuid" : "=a"(eax), "=b"(ebx), "=c"(ecx), "=d"(edx) : "a"(0), "c"(0));
	if (eax >= 7 && (env == NULL || env[0] == '\0' || strcmp(env, "0") == 0)) {
		__asm__("cpuid" : "=a"(eax), "=b"(ebx), "=c"(ecx), "=d"(edx) : "a"(7), "c"(0));
		if ((ebx >> 8 & 1) && (ebx >> 19 & 1))
			return p256 ? FIELD_P256X : FIELD_4X;
	}
#endif
	return p256 ? FIELD_P256 : FIELD_4;
}
#endif

int
kzt_ec_adx_active(void)
{
#if KZT_BN_LIMB_BITS == 64
	return kind_256(1) == FIELD_P256X;
#else
	return 0;
#endif
}

int
kzt_ec_curve_load(kzt_ec_curve *c, kzt_ec_id id)
{
	kzt_limb p[L], q[L], a[L], b[L], a3[L], three[L] = {3};
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
#if KZT_BN_LIMB_BITS == 64
	c->field = c->n == 4 ? kind_256(id == KZT_EC_P256) : FIELD_N;
#else
	c->field = FIELD_N;
#endif
	kzt_bn_add(a3, a, three, c->n);
	c->a_minus_3 = kzt_bn_cmp(a3, p, c->n) == 0;
	f_mul(c, c->a_m, a, c->p.rr);
	f_mul(c, c->b_m, b, c->p.rr);
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

/* the kind of product for q: its size's (P-256's own reduction is for p) */
static int
q_kind(const kzt_ec_curve *c)
{
	return c->field == FIELD_N ? FIELD_N : c->field == FIELD_P256X || c->field == FIELD_4X ? FIELD_4X : FIELD_4;
}

/* r = a b mod q, plain values below q */
static void
q_mul(const kzt_ec_curve *c, kzt_limb *r, const kzt_limb *a, const kzt_limb *b)
{
	kzt_limb t[L];

	mont_mul(q_kind(c), &c->q, t, a, b);        /* a b / R */
	mont_mul(q_kind(c), &c->q, r, t, c->q.rr); /* a b */
	kzt_bn_wipe(t, L);
}

/* r = a^-1 mod q, plain values below q (0 for 0). CT. */
static void
q_inv(const kzt_ec_curve *c, kzt_limb *r, const kzt_limb *a)
{
	kzt_limb t[L], one[L] = {1};

	mont_mul(q_kind(c), &c->q, t, a, c->q.rr);
	mont_inv(q_kind(c), &c->q, t, t);
	mont_mul(q_kind(c), &c->q, r, t, one);
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

/* e for the scheme: the hash's integer mod q; for GOST 1 where that is 0, as its
 * standard says. */
static void
message(const kzt_ec_curve *c, kzt_ec_scheme scheme, const uint8_t *hash, size_t len, kzt_limb *e)
{
	kzt_limb one[L] = {1};

	hash_value(c, scheme, hash, len, e);
	if (scheme == KZT_EC_GOST)
		kzt_bn_select(e, one, kzt_bn_zero_mask(e, c->n), c->n);
}

/* r = a - b mod q, plain values below q */
static void
q_sub(const kzt_ec_curve *c, kzt_limb *r, const kzt_limb *a, const kzt_limb *b)
{
	kzt_limb t[L], borrow = kzt_bn_sub(r, a, b, c->n);

	kzt_bn_add(t, r, c->q.m, c->n);
	kzt_bn_select(r, t, (kzt_limb)0 - borrow, c->n);
}

/* The signature r, s (plain, below q) of e under d with the nonce k, given
 * k G (projective): ECDSA s = k^-1 (e + r d), GOST s = r d + k e, r the x of k G
 * mod q. AGAIN when r or s is 0. */
static int
sign(const kzt_ec_curve *c, kzt_ec_scheme scheme, const kzt_limb *k, const kzt_limb *d, const kzt_limb *e,
     const point *kg, kzt_limb *r, kzt_limb *s)
{
	kzt_limb zi[L], km[L], ki[L], rx[L], t[L], one[L] = {1}, bad;
	struct inversion inv[2];

	/* 1 / Z mod p, and for ECDSA 1 / k mod q in step with it */
	inv[0].kind = c->field, inv[0].mc = &c->p, inv[0].r = zi, inv[0].a = kg->z;
	inv[1].kind = q_kind(c), inv[1].mc = &c->q, inv[1].r = ki, inv[1].a = km;
	mont_mul(q_kind(c), &c->q, km, k, c->q.rr);
	mont_inv_in_step(inv, scheme == KZT_EC_GOST ? 1 : 2);
	f_mul(c, rx, kg->x, zi);
	f_mul(c, rx, rx, one); /* plain */
	q_reduce(c, r, rx);
	q_mul(c, s, r, d);
	if (scheme == KZT_EC_GOST) {
		q_mul(c, t, k, e);
		q_add(c, s, s, t);
	} else {
		q_add(c, s, s, e);
		mont_mul(q_kind(c), &c->q, ki, ki, one); /* plain */
		q_mul(c, s, s, ki);
	}
	bad = kzt_bn_zero_mask(r, c->n) | kzt_bn_zero_mask(s, c->n);
	KZT_CT_PUBLIC(&bad, sizeof(bad));
	KZT_CT_PUBLIC(r, L * sizeof(kzt_limb)); /* (the signature: what leaves) */
	KZT_CT_PUBLIC(s, L * sizeof(kzt_limb));
	kzt_bn_wipe(t, L), kzt_bn_wipe(rx, L), kzt_bn_wipe(zi, L), kzt_bn_wipe(km, L), kzt_bn_wipe(ki, L);
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

/* All ones unless the projective a and b are the same point, neither infinity:
 * X1 Z2 = X2 Z1 and Y1 Z2 = Y2 Z1, Z1 and Z2 not 0. CT. */
static kzt_limb
points_differ(const kzt_ec_curve *c, const point *a, const point *b)
{
	kzt_limb u[L], v[L], bad;

	f_mul(c, u, a->x, b->z);
	f_mul(c, v, b->x, a->z);
	bad = differ(c, u, v);
	f_mul(c, u, a->y, b->z);
	f_mul(c, v, b->y, a->z);
	bad |= differ(c, u, v) | kzt_bn_zero_mask(a->z, c->n) | kzt_bn_zero_mask(b->z, c->n);
	kzt_bn_wipe(u, L), kzt_bn_wipe(v, L);
	return bad;
}

/* The check of a signature r, s made with the nonce k, before it leaves: all
 * ones when it fails. k G and (k - d) G (kdg) are what the two lanes of the
 * comb made from k and kd = k - d (sign_checked). Together the three parts are
 * the verification equation under the public point Q (qx, qy: affine,
 * Montgomery form), computed with what the signer knows:
 * - the signing equation again, without an inversion: s k = e + r d (ECDSA),
 *   s - r d = k e (GOST), so that u1 G + u2 Q is s^-1 (e + r d) G = k G (ECDSA;
 *   GOST e^-1 (s - r d) G), once Q = d G. Here d is k - kd, the key that went
 *   into the lanes, and e is made from the hash again: so a k, d or e that
 *   changed after the multiplications, and signed, does not pass;
 * - the x of k G (projective, as signing made it) gives r: X = t Z for a t of
 *   r + j q, which catches a fault in the inversion of Z;
 * - (k - d) G + Q = k G: Q is d G, and k G is what k makes, by a second
 *   multiplication with other digits.
 * Two multiplications of the generator in all, both CT (k is secret). */
static kzt_limb
check_signature(const kzt_ec_curve *c, kzt_ec_scheme scheme, const kzt_limb *k, const kzt_limb *kd,
		const uint8_t *hash, size_t hash_len, const point *kg, const point *kdg, const kzt_limb *qx,
		const kzt_limb *qy, const kzt_limb *r, const kzt_limb *s)
{
	kzt_limb d[L], e[L], t[L], u[L], v[L], bad;
	point a;

	q_sub(c, d, k, kd);
	message(c, scheme, hash, hash_len, e);
	q_mul(c, t, r, d);
	if (scheme == KZT_EC_GOST) {
		q_sub(c, u, s, t);
		q_mul(c, v, k, e);
	} else {
		q_add(c, u, t, e);
		q_mul(c, v, s, k);
	}
	bad = differ(c, u, v) | x_is_not(c, kg, r);
	add_affine(c, &a, kdg, qx, qy);
	bad |= points_differ(c, &a, kg);
	KZT_CT_PUBLIC(&bad, sizeof(bad));
	kzt_bn_wipe(d, L), kzt_bn_wipe(e, L), kzt_bn_wipe(t, L), kzt_bn_wipe(u, L), kzt_bn_wipe(v, L);
	kzt_bn_wipe((kzt_limb *)(void *)&a, sizeof(a) / sizeof(kzt_limb));
	return bad;
}

/* Sign, then check the signature before it leaves, so that a fault cannot give
 * the key away (then KZT_ERR_CARD, and sig zero): against the key's public point
 * pub, or when that is NULL d G. */
static int
sign_checked(const kzt_ec_curve *c, kzt_ec_scheme scheme, const kzt_limb *k, const uint8_t *d_bytes,
	     const uint8_t *pub, const uint8_t *hash, size_t hash_len, uint8_t *sig)
{
	kzt_limb d[L], e[L], qx[L], qy[L], r[L], s[L], kd[L], bad = 0;
	point kg, kdg, *pts[2] = {&kg, &kdg};
	const kzt_limb *ks[2] = {k, kd};
	int rc;

	memset(sig, 0, 2 * c->bytes);
	if (!hash_ok(c, scheme, hash_len))
		return KZT_ERR_DATA;
	if ((rc = scalar(c, d, d_bytes)) != KZT_OK)
		return rc;
	memset(qx, 0, sizeof(qx)), memset(qy, 0, sizeof(qy));
	if (pub == NULL) {
		mul_g(c, &kg, d);
		to_affine_mont(c, qx, qy, &kg);
	} else if (read_point(c, pub, qx, qy) == KZT_OK) {
		f_mul(c, qx, qx, c->p.rr);
		f_mul(c, qy, qy, c->p.rr);
	} else {
		bad = ~(kzt_limb)0;
	}
	message(c, scheme, hash, hash_len, e);
	q_sub(c, kd, k, d);
	mul_g_lanes(c, 2, pts, ks); /* k G and, for the check, (k - d) G */
	if (FAULT(KZT_EC_FAULT_KEY_BIT))
		d[0] ^= 1;
	if (FAULT(KZT_EC_FAULT_NONCE_LIMB))
		((kzt_limb *)(uintptr_t)k)[c->n - 1] = 0;
	if (FAULT(KZT_EC_FAULT_MESSAGE))
		memset(e, 0, sizeof(e));
	if ((rc = sign(c, scheme, k, d, e, &kg, r, s)) == KZT_OK) {
		if (bad == 0)
			bad = check_signature(c, scheme, k, kd, hash, hash_len, &kg, &kdg, qx, qy, r, s);
		if (bad != 0) {
			rc = KZT_ERR_CARD;
		} else {
			kzt_bn_to_bytes(r, c->n, scheme == KZT_EC_GOST ? sig + c->bytes : sig, c->bytes);
			kzt_bn_to_bytes(s, c->n, scheme == KZT_EC_GOST ? sig : sig + c->bytes, c->bytes);
		}
	}
	kzt_bn_wipe(d, L), kzt_bn_wipe(e, L), kzt_bn_wipe(r, L), kzt_bn_wipe(s, L), kzt_bn_wipe(kd, L);
	kzt_bn_wipe((kzt_limb *)(void *)&kg, sizeof(kg) / sizeof(kzt_limb));
	kzt_bn_wipe((kzt_limb *)(void *)&kdg, sizeof(kdg) / sizeof(kzt_limb));
	return rc;
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
	message(c, scheme, hash, hash_len, e);
	if (scheme == KZT_EC_GOST) {
		/* v = e^-1; u1 = s v, u2 = -r v */
		q_inv(c, v, e);
		q_mul(c, u1, s, v);
		q_mul(c, w, r, v);
		kzt_bn_sub(u2, c->q.m, w, c->n); /* q - r v (r v is not 0: r, v are units) */
	} else {
		/* w = s^-1; u1 = e w, u2 = r w */
		q_inv(c, w, s);
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
