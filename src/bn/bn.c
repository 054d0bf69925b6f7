/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* Limb arithmetic, Montgomery multiplication (CIOS, one pass per limb of a), the
 * fixed-window exponentiation, and constant-time inverses. See bn.h. */
#include <string.h>

#include "bn.h"
#include "kzt_err.h"
#include "mont.h"

#define W KZT_BN_LIMB_BITS
#define WINDOW KZT_BN_WINDOW

/* All ones when x is 0, else 0. */
static kzt_limb
zero_mask(kzt_limb x)
{
	return (kzt_limb)0 - (kzt_limb)((~x & (x - 1)) >> (W - 1));
}

void
kzt_bn_wipe(kzt_limb *a, size_t n)
{
	volatile kzt_limb *p = a;
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = 0;
}

int
kzt_bn_from_bytes(kzt_limb *r, size_t n, const uint8_t *in, size_t len)
{
	size_t i;

	memset(r, 0, n * sizeof(*r));
	for (i = 0; i < len; i++) {
		size_t bit = 8 * (len - 1 - i); /* of byte in[i] */
		if (bit / W >= n) {
			if (in[i] != 0)
				return KZT_ERR_DATA;
			continue;
		}
		r[bit / W] |= (kzt_limb)in[i] << (bit % W);
	}
	return KZT_OK;
}

int
kzt_bn_to_bytes(const kzt_limb *a, size_t n, uint8_t *out, size_t len)
{
	kzt_limb spill = 0;
	size_t i;

	for (i = 0; i < len; i++) {
		size_t bit = 8 * i; /* of out[len - 1 - i] */
		out[len - 1 - i] = bit / W < n ? (uint8_t)(a[bit / W] >> (bit % W)) : 0;
	}
	for (i = 0; i < n; i++) /* limbs (or their parts) beyond len bytes must be 0 */
		if (8 * len < (i + 1) * W)
			spill |= 8 * len <= i * W ? a[i] : a[i] >> (8 * len - i * W);
	return spill == 0 ? KZT_OK : KZT_ERR_DATA;
}

size_t
kzt_bn_bits(const kzt_limb *a, size_t n)
{
	size_t i = n, b;

	while (i > 0 && a[i - 1] == 0)
		i--;
	if (i == 0)
		return 0;
	for (b = W; !((a[i - 1] >> (b - 1)) & 1); b--)
		;
	return (i - 1) * W + b;
}

kzt_limb
kzt_bn_add(kzt_limb *r, const kzt_limb *a, const kzt_limb *b, size_t n)
{
	kzt_dlimb acc = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		acc += (kzt_dlimb)a[i] + b[i];
		r[i] = (kzt_limb)acc;
		acc >>= W;
	}
	return (kzt_limb)acc;
}

kzt_limb
kzt_bn_sub(kzt_limb *r, const kzt_limb *a, const kzt_limb *b, size_t n)
{
	kzt_dlimb acc = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		acc = (kzt_dlimb)a[i] - b[i] - acc;
		r[i] = (kzt_limb)acc;
		acc = (acc >> W) & 1; /* the borrow */
	}
	return (kzt_limb)acc;
}

void
kzt_bn_mul(kzt_limb *r, const kzt_limb *a, size_t na, const kzt_limb *b, size_t nb)
{
	size_t i, j;

	memset(r, 0, (na + nb) * sizeof(*r));
	for (i = 0; i < na; i++) {
		kzt_dlimb acc = 0;
		for (j = 0; j < nb; j++) {
			acc += (kzt_dlimb)a[i] * b[j] + r[i + j];
			r[i + j] = (kzt_limb)acc;
			acc >>= W;
		}
		r[i + nb] = (kzt_limb)acc;
	}
}

kzt_limb
kzt_bn_lt_mask(const kzt_limb *a, const kzt_limb *b, size_t n)
{
	kzt_dlimb acc = 0;
	size_t i;

	for (i = 0; i < n; i++)
		acc = (((kzt_dlimb)a[i] - b[i] - acc) >> W) & 1;
	return (kzt_limb)0 - (kzt_limb)acc;
}

kzt_limb
kzt_bn_zero_mask(const kzt_limb *a, size_t n)
{
	kzt_limb any = 0;
	size_t i;

	for (i = 0; i < n; i++)
		any |= a[i];
	return zero_mask(any);
}

void
kzt_bn_select(kzt_limb *r, const kzt_limb *a, kzt_limb mask, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		r[i] ^= (r[i] ^ a[i]) & mask;
}

int
kzt_bn_cmp(const kzt_limb *a, const kzt_limb *b, size_t n)
{
	while (n-- > 0)
		if (a[n] != b[n])
			return a[n] < b[n] ? -1 : 1;
	return 0;
}

/* (hi:r) - m when that is not negative, for (hi:r) < 2m and hi 0 or 1. CT. */
static void
reduce_once(kzt_limb *r, kzt_limb hi, const kzt_limb *m, size_t n)
{
	kzt_limb t[KZT_BN_LIMBS];
	kzt_limb borrow = kzt_bn_sub(t, r, m, n);

	kzt_bn_select(r, t, (kzt_limb)0 - (hi | (borrow ^ 1)), n);
}

/* r = 2r mod m for r < m. CT. */
static void
double_mod(kzt_limb *r, const kzt_limb *m, size_t n)
{
	kzt_limb hi = kzt_bn_add(r, r, r, n);

	reduce_once(r, hi, m, n);
}

int
kzt_mont_init(kzt_mont *c, const kzt_limb *m, size_t n)
{
	kzt_limb inv, above_one = 0;
	size_t i;

	if (n == 0 || n > KZT_BN_LIMBS || !(m[0] & 1))
		return KZT_ERR_DATA;
	for (i = 0; i < n; i++)
		above_one |= i == 0 ? m[0] ^ 1 : m[i];
	if (above_one == 0)
		return KZT_ERR_DATA;
	memset(c, 0, sizeof(*c));
	c->n = n;
	memcpy(c->m, m, n * sizeof(*m));
	inv = m[0]; /* right to 3 bits for an odd m; each Newton step doubles that */
	for (i = 0; i < 5; i++)
		inv *= 2 - m[0] * inv;
	c->m0inv = (kzt_limb)0 - inv;
	/* one = R mod m: 1 doubled n * W times; then 2^(n * W + n) by n more doublings,
	 * and log2(W) Montgomery squarings take that to 2^(2 n W) = R^2 */
	c->one[0] = 1;
	for (i = 0; i < n * W; i++)
		double_mod(c->one, c->m, n);
	memcpy(c->rr, c->one, n * sizeof(*m));
	for (i = 0; i < n; i++)
		double_mod(c->rr, c->m, n);
	for (i = 1; i < W; i <<= 1)
		kzt_mont_mul(c, c->rr, c->rr, c->rr);
	return KZT_OK;
}

void
kzt_mont_mul(const kzt_mont *c, kzt_limb *r, const kzt_limb *a, const kzt_limb *b)
{
	kzt_limb t[KZT_BN_LIMBS + 1];
	size_t n = c->n;

	kzt_mont_product(n, c, t, a, b);
	reduce_once(t, t[n], c->m, n); /* t < 2m */
	memcpy(r, t, n * sizeof(*r));
	kzt_bn_wipe(t, n + 1);
}

void
kzt_mont_redc(const kzt_mont *c, kzt_limb *r, const kzt_limb *tin)
{
	kzt_limb t[2 * KZT_BN_LIMBS + 1];
	size_t n = c->n, i, j;
	kzt_limb hi = 0;

	memcpy(t, tin, 2 * n * sizeof(*t));
	for (i = 0; i < n; i++) {
		kzt_limb q = t[i] * c->m0inv;
		kzt_dlimb acc = 0;
		for (j = 0; j < n; j++) {
			acc += (kzt_dlimb)q * c->m[j] + t[i + j];
			t[i + j] = (kzt_limb)acc;
			acc >>= W;
		}
		/* carry into the upper half; what spills past it is hi */
		acc += (kzt_dlimb)t[i + n] + hi;
		t[i + n] = (kzt_limb)acc;
		hi = (kzt_limb)(acc >> W);
	}
	reduce_once(t + n, hi, c->m, n); /* below 2m */
	memcpy(r, t + n, n * sizeof(*r));
	kzt_bn_wipe(t, 2 * n);
}

void
kzt_mont_reduce(const kzt_mont *c, kzt_limb *r, const kzt_limb *a)
{
	kzt_mont_redc(c, r, a);           /* a / R */
	kzt_mont_mul(c, r, r, c->rr);     /* a / R * R^2 / R = a */
}

unsigned
kzt_bn_window(const kzt_limb *e, size_t e_limbs, size_t pos, unsigned w)
{
	size_t i = pos / W, s = pos % W;
	kzt_limb v = e[i] >> s;

	if (s + w > W && i + 1 < e_limbs)
		v |= e[i + 1] << (W - s);
	return (unsigned)(v & (((kzt_limb)1 << w) - 1));
}

void
kzt_mont_exp_portable(const kzt_mont *c, kzt_limb *r, const kzt_limb *a, const kzt_limb *e,
		      size_t e_bits)
{
	kzt_limb tab[1 << WINDOW][KZT_BN_LIMBS], acc[KZT_BN_LIMBS], pick[KZT_BN_LIMBS];
	size_t n = c->n, e_limbs = KZT_BN_LIMBS_FOR(e_bits), k, i, j;
	unsigned idx;

	/* tab[k] = a^k in Montgomery form */
	memcpy(tab[0], c->one, n * sizeof(*r));
	kzt_mont_mul(c, tab[1], a, c->rr);
	for (k = 2; k < (1u << WINDOW); k++)
		kzt_mont_mul(c, tab[k], tab[k - 1], tab[1]);
	memcpy(acc, c->one, n * sizeof(*r));
	for (i = (e_bits + WINDOW - 1) / WINDOW; i-- > 0;) {
		for (j = 0; j < WINDOW; j++)
			kzt_mont_mul(c, acc, acc, acc);
		idx = kzt_bn_window(e, e_limbs, i * WINDOW, WINDOW);
#if defined(KZT_BN_LEAKY_FOR_TEST)
		/* the mistake the constant-time check must catch: a secret table index */
		memcpy(pick, tab[idx], n * sizeof(*r));
#else
		/* read every entry, keep the one wanted: no secret index into memory */
		memset(pick, 0, n * sizeof(*r));
		for (k = 0; k < (1u << WINDOW); k++)
			kzt_bn_select(pick, tab[k], zero_mask((kzt_limb)(k ^ idx)), n);
#endif
		kzt_mont_mul(c, acc, acc, pick);
	}
	/* out of the Montgomery domain: acc * 1 / R */
	memset(pick, 0, n * sizeof(*r));
	pick[0] = 1;
	kzt_mont_mul(c, r, acc, pick);
	kzt_bn_wipe(&tab[0][0], sizeof(tab) / sizeof(kzt_limb));
	kzt_bn_wipe(acc, n);
}

void
kzt_mont_exp_public(const kzt_mont *c, kzt_limb *r, const kzt_limb *a, const kzt_limb *e,
		    size_t e_bits)
{
	kzt_limb acc[KZT_BN_LIMBS], base[KZT_BN_LIMBS];
	size_t n = c->n, i;

	kzt_mont_mul(c, base, a, c->rr);
	memcpy(acc, c->one, n * sizeof(*r));
	for (i = e_bits; i-- > 0;) {
		kzt_mont_mul(c, acc, acc, acc);
		if ((e[i / W] >> (i % W)) & 1)
			kzt_mont_mul(c, acc, acc, base);
	}
	memset(base, 0, n * sizeof(*r));
	base[0] = 1;
	kzt_mont_mul(c, r, acc, base);
}

/* (a, b) = mask ? (b, a) : (a, b). CT. */
static void
cswap(kzt_limb *a, kzt_limb *b, kzt_limb mask, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		kzt_limb x = (a[i] ^ b[i]) & mask;
		a[i] ^= x;
		b[i] ^= x;
	}
}

/* a = a / 2 mod m (m odd, a < m). CT. */
static void
half_mod(kzt_limb *a, const kzt_limb *m, size_t n)
{
	kzt_limb t[KZT_BN_LIMBS], odd = (kzt_limb)0 - (a[0] & 1), hi;
	size_t i;

	for (i = 0; i < n; i++)
		t[i] = m[i] & odd;
	hi = kzt_bn_add(a, a, t, n);
	for (i = 0; i + 1 < n; i++)
		a[i] = (a[i] >> 1) | (a[i + 1] << (W - 1));
	a[n - 1] = (a[n - 1] >> 1) | (hi << (W - 1));
}

int
kzt_bn_modinv_odd(kzt_limb *r, const kzt_limb *a, const kzt_limb *m, size_t n)
{
	kzt_limb u[KZT_BN_LIMBS], v[KZT_BN_LIMBS], x1[KZT_BN_LIMBS], x2[KZT_BN_LIMBS];
	kzt_limb t[KZT_BN_LIMBS], one[KZT_BN_LIMBS];
	size_t i, k;
	int ok;

	if (n == 0 || n > KZT_BN_LIMBS || !(m[0] & 1))
		return KZT_ERR_DATA;
	memcpy(u, a, n * sizeof(*a));
	memcpy(v, m, n * sizeof(*m));
	memset(x1, 0, n * sizeof(*x1));
	memset(x2, 0, n * sizeof(*x2));
	x1[0] = 1;
	/* u = x1 * a and v = x2 * a (mod m) throughout; v stays odd; each step takes
	 * at least one bit off u or v, so 2 n W steps bring u to 0 and v to gcd(a, m) */
	for (i = 0; i < 2 * n * W; i++) {
		kzt_limb odd = (kzt_limb)0 - (u[0] & 1), swap = odd & kzt_bn_lt_mask(u, v, n), borrow;

		cswap(u, v, swap, n);
		cswap(x1, x2, swap, n);
		/* odd: u -= v, x1 -= x2 (mod m) */
		kzt_bn_sub(t, u, v, n);
		kzt_bn_select(u, t, odd, n);
		borrow = kzt_bn_sub(t, x1, x2, n);
		{
			kzt_limb back[KZT_BN_LIMBS];
			for (k = 0; k < n; k++)
				back[k] = m[k] & ((kzt_limb)0 - borrow);
			kzt_bn_add(t, t, back, n);
		}
		kzt_bn_select(x1, t, odd, n);
		/* u /= 2, x1 /= 2 (mod m) */
		for (k = 0; k + 1 < n; k++)
			u[k] = (u[k] >> 1) | (u[k + 1] << (W - 1));
		u[n - 1] >>= 1;
		half_mod(x1, m, n);
	}
	memset(one, 0, n * sizeof(*one));
	one[0] = 1;
	{ /* whether the gcd is 1: all that becomes public */
		kzt_limb differ;
		kzt_bn_sub(t, v, one, n);
		differ = ~kzt_bn_zero_mask(t, n);
		KZT_CT_PUBLIC(&differ, sizeof(differ));
		ok = differ == 0;
	}
	memcpy(r, x2, n * sizeof(*r));
	kzt_bn_wipe(u, n);
	kzt_bn_wipe(v, n);
	kzt_bn_wipe(x1, n);
	kzt_bn_wipe(x2, n);
	kzt_bn_wipe(t, n);
	return ok ? KZT_OK : KZT_ERR_DATA;
}

/* (a^-1 mod e) for a < e, e odd and below 2^32: the same binary steps on words. */
static uint64_t
inv_word(uint64_t a, uint64_t e, int *ok)
{
	uint64_t u = a, v = e, x1 = 1, x2 = 0, t;
	int i;

	for (i = 0; i < 64; i++) {
		uint64_t odd = 0 - (u & 1), swap = odd & (0 - (uint64_t)(u < v));

		t = (u ^ v) & swap;
		u ^= t;
		v ^= t;
		t = (x1 ^ x2) & swap;
		x1 ^= t;
		x2 ^= t;
		u -= v & odd;
		x1 += (e - x2) & odd; /* x1 - x2 mod e */
		x1 -= e & (0 - (uint64_t)(x1 >= e));
		u >>= 1;
		x1 = (x1 + (e & (0 - (x1 & 1)))) >> 1;
	}
	*ok = v == 1;
	return x2;
}

int
kzt_bn_inv_small(kzt_limb *r, uint32_t e, const kzt_limb *m, size_t n)
{
	kzt_limb t[KZT_BN_LIMBS + 1], einv, borrow, x, q;
	uint64_t rem = 0, y;
	size_t i;
	int ok;

	kzt_limb above_one = 0;

	if (n == 0 || n > KZT_BN_LIMBS || !(e & 1) || e < 3)
		return KZT_ERR_DATA;
	for (i = 0; i < n; i++)
		above_one |= i == 0 ? m[0] & ~(kzt_limb)1 : m[i];
	if (above_one == 0)
		return KZT_ERR_DATA; /* modulo 0 or 1 there is no inverse to speak of */
	/* m mod e, a bit at a time from the top */
	for (i = n * W; i-- > 0;) {
		rem = 2 * rem + ((m[i / W] >> (i % W)) & 1);
		rem -= e & (0 - (uint64_t)(rem >= e));
	}
	y = inv_word(rem, e, &ok);
	if (!ok)
		return KZT_ERR_DATA;
	/* t = m * (e - y) + 1, exactly divisible by e */
	{
		kzt_limb k = (kzt_limb)(e - y);
		kzt_dlimb acc = 1;
		for (i = 0; i < n; i++) {
			acc += (kzt_dlimb)m[i] * k;
			t[i] = (kzt_limb)acc;
			acc >>= W;
		}
		t[n] = (kzt_limb)acc;
	}
	/* exact division by e: multiply by e^-1 mod 2^W limb by limb, carrying what
	 * q * e puts above each limb */
	einv = e;
	for (i = 0; i < 5; i++)
		einv *= 2 - (kzt_limb)e * einv;
	borrow = 0;
	for (i = 0; i <= n; i++) {
		x = t[i] - borrow;
		borrow = (kzt_limb)(x > t[i]);
		q = x * einv;
		t[i] = q;
		borrow += (kzt_limb)(((kzt_dlimb)q * e) >> W);
	}
	memcpy(r, t, n * sizeof(*r)); /* t[n] is 0: the quotient is below m */
	kzt_bn_wipe(t, n + 1);
	return KZT_OK;
}
