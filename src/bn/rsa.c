/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* RSA on src/bn: key generation (FIPS 186-5 sized primes), the public operation,
 * and the private operation with the Chinese remainder theorem, base blinding
 * renewed by squaring, and the result checked with the public exponent before it
 * leaves (a fault during the computation must not reveal a factor). */
#include <string.h>

#include "kzt_err.h"
#include "rsa.h"

#define BLIND_RENEW 32 /* uses of one blinding pair (squared each time) before a fresh one */

/* Bytes to a limb count that holds them. */
#define LIMBS_OF(len) KZT_BN_LIMBS_FOR(8 * (len))

static uint32_t
exponent_word(const uint8_t *e, size_t e_len, int *ok)
{
	uint32_t v = 0;
	size_t i;

	*ok = e_len > 0 && e_len <= 4;
	for (i = 0; *ok && i < e_len; i++)
		v = v << 8 | e[i];
	*ok = *ok && (v & 1) && v >= 3;
	return v;
}

/* Write a (n limbs) as big-endian bytes without leading zeros. */
static void
put(const kzt_limb *a, size_t n, uint8_t *out, size_t cap, size_t *len)
{
	size_t bytes = (kzt_bn_bits(a, n) + 7) / 8;

	if (bytes > cap)
		bytes = cap; /* cannot happen for the sizes used here */
	kzt_bn_to_bytes(a, n, out, bytes);
	*len = bytes;
}

int
kzt_rsa_generate(unsigned bits, const uint8_t *e_bytes, size_t e_len, kzt_bn_rng rng,
		 kzt_rsa_key *key)
{
	kzt_limb p[KZT_BN_LIMBS / 2], q[KZT_BN_LIMBS / 2], n[KZT_BN_LIMBS], t[KZT_BN_LIMBS];
	kzt_limb pm1[KZT_BN_LIMBS / 2], qm1[KZT_BN_LIMBS / 2], phi[KZT_BN_LIMBS], d[KZT_BN_LIMBS];
	kzt_limb dp[KZT_BN_LIMBS / 2], dq[KZT_BN_LIMBS / 2], qinv[KZT_BN_LIMBS / 2], one[KZT_BN_LIMBS / 2];
	kzt_limb pminus2[KZT_BN_LIMBS / 2];
	size_t nh = KZT_BN_LIMBS_FOR(bits / 2), nn = 2 * nh;
	kzt_mont mp;
	uint32_t e;
	int ok, r;

	e = exponent_word(e_bytes, e_len, &ok);
	if (!ok || (bits != 2048 && bits != 3072 && bits != 4096))
		return KZT_ERR_DATA;
	memset(key, 0, sizeof(*key));
	memset(one, 0, sizeof(one));
	one[0] = 1;
	if ((r = kzt_bn_generate_prime(p, bits / 2, e, rng)) != KZT_OK)
		goto out;
	do { /* FIPS 186-5 A.1.3: |p - q| > 2^(bits/2 - 100) */
		if ((r = kzt_bn_generate_prime(q, bits / 2, e, rng)) != KZT_OK)
			goto out;
		if (kzt_bn_lt_mask(p, q, nh))
			kzt_bn_sub(t, q, p, nh);
		else
			kzt_bn_sub(t, p, q, nh);
	} while (kzt_bn_bits(t, nh) <= bits / 2 - 100);
	kzt_bn_mul(n, p, nh, q, nh);
	kzt_bn_sub(pm1, p, one, nh);
	kzt_bn_sub(qm1, q, one, nh);
	kzt_bn_mul(phi, pm1, nh, qm1, nh);
	/* d = e^-1 mod phi; dp, dq the same modulo p - 1 and q - 1 */
	if ((r = kzt_bn_inv_small(d, e, phi, nn)) != KZT_OK ||
	    (r = kzt_bn_inv_small(dp, e, pm1, nh)) != KZT_OK ||
	    (r = kzt_bn_inv_small(dq, e, qm1, nh)) != KZT_OK)
		goto out;
	/* qinv = q^(p-2) mod p (Fermat), q first brought below p */
	if ((r = kzt_mont_init(&mp, p, nh)) != KZT_OK)
		goto out;
	kzt_bn_sub(t, q, p, nh);
	kzt_bn_select(t, q, kzt_bn_lt_mask(q, p, nh), nh);
	kzt_bn_sub(pminus2, pm1, one, nh);
	kzt_mont_exp(&mp, qinv, t, pminus2, bits / 2);
	put(n, nn, key->n, sizeof(key->n), &key->n_len);
	memcpy(key->e, e_bytes, e_len);
	key->e_len = e_len;
	put(d, nn, key->d, sizeof(key->d), &key->d_len);
	put(p, nh, key->p, sizeof(key->p), &key->p_len);
	put(q, nh, key->q, sizeof(key->q), &key->q_len);
	put(dp, nh, key->dp, sizeof(key->dp), &key->dp_len);
	put(dq, nh, key->dq, sizeof(key->dq), &key->dq_len);
	put(qinv, nh, key->qinv, sizeof(key->qinv), &key->qinv_len);
	r = key->n_len == bits / 8 ? KZT_OK : KZT_ERR_CARD;
out:
	kzt_bn_wipe(p, nh);
	kzt_bn_wipe(q, nh);
	kzt_bn_wipe(t, nn);
	kzt_bn_wipe(pm1, nh);
	kzt_bn_wipe(qm1, nh);
	kzt_bn_wipe(phi, nn);
	kzt_bn_wipe(d, nn);
	kzt_bn_wipe(dp, nh);
	kzt_bn_wipe(dq, nh);
	kzt_bn_wipe(qinv, nh);
	kzt_bn_wipe(pminus2, nh);
	kzt_bn_wipe(mp.m, nh);
	if (r != KZT_OK)
		memset(key, 0, sizeof(*key));
	return r;
}

int
kzt_bn_rsa_public(const uint8_t *n_bytes, size_t n_len, const uint8_t *e_bytes, size_t e_len,
	       const uint8_t *in, uint8_t *out)
{
	kzt_limb n[KZT_BN_LIMBS], e[KZT_BN_LIMBS_FOR(64)], x[KZT_BN_LIMBS];
	size_t nl = LIMBS_OF(n_len);
	kzt_mont c;

	if (n_len == 0 || n_len > KZT_RSA_MAX_BYTES || e_len == 0 || e_len > 8 ||
	    kzt_bn_from_bytes(n, nl, n_bytes, n_len) != KZT_OK ||
	    kzt_bn_from_bytes(e, KZT_BN_LIMBS_FOR(64), e_bytes, e_len) != KZT_OK ||
	    kzt_bn_from_bytes(x, nl, in, n_len) != KZT_OK)
		return KZT_ERR_DATA;
	if (kzt_bn_cmp(x, n, nl) >= 0 || kzt_mont_init(&c, n, nl) != KZT_OK)
		return KZT_ERR_DATA;
	kzt_mont_exp_public(&c, x, x, e, kzt_bn_bits(e, KZT_BN_LIMBS_FOR(64)));
	return kzt_bn_to_bytes(x, nl, out, n_len);
}

int
kzt_rsa_private_init(kzt_rsa_private *k, const kzt_rsa_key *key, kzt_bn_rng rng)
{
	kzt_limb n[KZT_BN_LIMBS], p[KZT_BN_LIMBS / 2], qinv[KZT_BN_LIMBS / 2];
	size_t nh;
	int r = KZT_ERR_DATA;

	memset(k, 0, sizeof(*k));
	if (key->n_len < 128 || key->n_len > KZT_RSA_MAX_BYTES || key->p_len == 0 || key->q_len == 0 ||
	    key->p_len > key->n_len / 2 + 1 || key->q_len > key->n_len / 2 + 1)
		return KZT_ERR_DATA;
	nh = LIMBS_OF(key->p_len > key->q_len ? key->p_len : key->q_len);
	if (2 * nh > KZT_BN_LIMBS || LIMBS_OF(key->n_len) > 2 * nh)
		return KZT_ERR_DATA;
	k->k = key->n_len;
	k->nh = nh;
	k->rng = rng;
	if (kzt_bn_from_bytes(n, 2 * nh, key->n, key->n_len) != KZT_OK ||
	    kzt_bn_from_bytes(p, nh, key->p, key->p_len) != KZT_OK ||
	    kzt_bn_from_bytes(k->q, nh, key->q, key->q_len) != KZT_OK ||
	    kzt_bn_from_bytes(k->dp, nh, key->dp, key->dp_len) != KZT_OK ||
	    kzt_bn_from_bytes(k->dq, nh, key->dq, key->dq_len) != KZT_OK ||
	    kzt_bn_from_bytes(qinv, nh, key->qinv, key->qinv_len) != KZT_OK ||
	    kzt_bn_from_bytes(k->e, KZT_BN_LIMBS_FOR(64), key->e, key->e_len) != KZT_OK)
		goto out;
	if (kzt_mont_init(&k->mn, n, 2 * nh) != KZT_OK || kzt_mont_init(&k->mp, p, nh) != KZT_OK ||
	    kzt_mont_init(&k->mq, k->q, nh) != KZT_OK || kzt_bn_cmp(qinv, p, nh) >= 0)
		goto out;
	k->p_bits = kzt_bn_bits(p, nh);
	k->q_bits = kzt_bn_bits(k->q, nh);
	k->e_bits = kzt_bn_bits(k->e, KZT_BN_LIMBS_FOR(64));
	kzt_bn_ifma_mod_prepare(&k->mn, &k->n52);
	kzt_bn_ifma_mod_prepare(&k->mp, &k->p52);
	kzt_bn_ifma_mod_prepare(&k->mq, &k->q52);
	kzt_mont_mul(&k->mp, k->qinv_m, qinv, k->mp.rr);
	r = KZT_OK;
out:
	kzt_bn_wipe(p, nh);
	kzt_bn_wipe(qinv, nh);
	if (r != KZT_OK)
		kzt_rsa_private_wipe(k);
	return r;
}

void
kzt_rsa_private_wipe(kzt_rsa_private *k)
{
	kzt_bn_wipe((kzt_limb *)(void *)k, sizeof(*k) / sizeof(kzt_limb));
}

/* n limbs of random below 2^(bits - 1), not zero. */
static int
random_below(kzt_rsa_private *k, kzt_limb *x, size_t n, size_t bits)
{
	kzt_limb zero;
	int r;

	do {
		if ((r = k->rng((uint8_t *)x, n * sizeof(kzt_limb))) != KZT_OK)
			return r;
		for (size_t i = (bits - 1) / KZT_BN_LIMB_BITS + 1; i < n; i++)
			x[i] = 0;
		x[(bits - 1) / KZT_BN_LIMB_BITS] &= ((kzt_limb)1 << ((bits - 1) % KZT_BN_LIMB_BITS)) - 1;
		zero = kzt_bn_zero_mask(x, n);
		KZT_CT_PUBLIC(&zero, sizeof(zero)); /* only whether it was 0 */
	} while (zero != 0);
	return KZT_OK;
}

/* r = a^e mod n (a < n): on the accelerator when it runs here, else portably. */
static void
exp_e(const kzt_rsa_private *k, kzt_limb *r, const kzt_limb *a)
{
	if (!kzt_bn_ifma_exp_public(&k->n52, &k->mn, r, a, k->e, k->e_bits))
		kzt_mont_exp_public(&k->mn, r, a, k->e, k->e_bits);
}

/* m1 = a1^e1 mod p and m2 = a2^e2 mod q at once, e1 and e2 of nh limbs. */
static void
exp_pq(const kzt_rsa_private *k, kzt_limb *m1, const kzt_limb *a1, const kzt_limb *e1, kzt_limb *m2,
       const kzt_limb *a2, const kzt_limb *e2)
{
	const kzt_ifma_mod *const prep[2] = {&k->p52, &k->q52};

	kzt_mont_exp2(prep, &k->mp, m1, a1, e1, &k->mq, m2, a2, e2,
		      k->p_bits > k->q_bits ? k->p_bits : k->q_bits);
}

/* m = the value below n that is m1 mod p and m2 mod q (Garner: m2 + q ((m1 - m2)
 * qinv mod p)); m1 and m2 of nh limbs, m of 2 nh. CT. */
static void
crt_join(const kzt_rsa_private *k, kzt_limb *m, const kzt_limb *m1, const kzt_limb *m2)
{
	size_t nh = k->nh, nn = 2 * nh, i;
	kzt_limb t[KZT_BN_LIMBS], h[KZT_BN_LIMBS / 2], back[KZT_BN_LIMBS / 2], borrow;

	memcpy(t, m2, nh * sizeof(kzt_limb));
	memset(t + nh, 0, nh * sizeof(kzt_limb));
	kzt_mont_reduce(&k->mp, h, t); /* m2 mod p */
	borrow = kzt_bn_sub(h, m1, h, nh);
	for (i = 0; i < nh; i++)
		back[i] = k->mp.m[i] & ((kzt_limb)0 - borrow);
	kzt_bn_add(h, h, back, nh);
	kzt_mont_mul(&k->mp, h, h, k->qinv_m);
	kzt_bn_mul(m, h, nh, k->q, nh);
	kzt_bn_add(m, m, t, nn);
	kzt_bn_wipe(t, nn);
	kzt_bn_wipe(h, nh);
	kzt_bn_wipe(back, nh);
}

/* A fresh blinding pair: r random below n, blind = r^e and unblind = r^-1, both kept
 * in Montgomery form. The inverse is Fermat's, r^(p-2) mod p and r^(q-2) mod q
 * joined: two exponentiations at once, a fraction of what a constant-time binary
 * inverse of n's size costs. It is checked (r r^-1 = 1), which also turns away an r
 * that shares a factor with n. */
static int
new_blinding(kzt_rsa_private *k)
{
	size_t nh = k->nh, nn = 2 * nh, bits = kzt_bn_bits(k->mn.m, nn);
	kzt_limb rnd[KZT_BN_LIMBS], t[KZT_BN_LIMBS], inv[KZT_BN_LIMBS], prod[2 * KZT_BN_LIMBS];
	kzt_limb rp[KZT_BN_LIMBS / 2], rq[KZT_BN_LIMBS / 2], ep[KZT_BN_LIMBS / 2], eq[KZT_BN_LIMBS / 2];
	kzt_limb ip[KZT_BN_LIMBS / 2], iq[KZT_BN_LIMBS / 2], two[KZT_BN_LIMBS / 2] = {2}, bad;
	int r;

	kzt_bn_sub(ep, k->mp.m, two, nh);
	kzt_bn_sub(eq, k->mq.m, two, nh);
	do {
		if ((r = random_below(k, rnd, nn, bits)) != KZT_OK)
			goto out;
		kzt_mont_reduce(&k->mp, rp, rnd);
		kzt_mont_reduce(&k->mq, rq, rnd);
		exp_pq(k, ip, rp, ep, iq, rq, eq);
		crt_join(k, inv, ip, iq);
		kzt_bn_mul(prod, rnd, nn, inv, nn);
		kzt_mont_reduce(&k->mn, t, prod);
		t[0] ^= 1;
		bad = ~kzt_bn_zero_mask(t, nn);
		KZT_CT_PUBLIC(&bad, sizeof(bad)); /* only whether r had an inverse */
	} while (bad != 0);
	kzt_mont_mul(&k->mn, k->unblind_m, inv, k->mn.rr);
	exp_e(k, t, rnd);
	kzt_mont_mul(&k->mn, k->blind_m, t, k->mn.rr);
	k->blind_uses = 0;
	r = KZT_OK;
out:
	kzt_bn_wipe(rnd, nn);
	kzt_bn_wipe(t, nn);
	kzt_bn_wipe(inv, nn);
	kzt_bn_wipe(prod, 2 * nn);
	kzt_bn_wipe(rp, nh);
	kzt_bn_wipe(rq, nh);
	kzt_bn_wipe(ip, nh);
	kzt_bn_wipe(iq, nh);
	kzt_bn_wipe(ep, nh);
	kzt_bn_wipe(eq, nh);
	return r;
}

int
kzt_rsa_private_op(kzt_rsa_private *k, const uint8_t *in, uint8_t *out)
{
	size_t nh = k->nh, nn = 2 * nh;
	kzt_limb c[KZT_BN_LIMBS], cb[KZT_BN_LIMBS], t[KZT_BN_LIMBS], m[KZT_BN_LIMBS];
	kzt_limb m1[KZT_BN_LIMBS / 2], m2[KZT_BN_LIMBS / 2], h2[KZT_BN_LIMBS / 2];
	kzt_limb bad;
	int r;

	memset(out, 0, k->k);
	if (kzt_bn_from_bytes(c, nn, in, k->k) != KZT_OK || kzt_bn_cmp(c, k->mn.m, nn) >= 0)
		return KZT_ERR_DATA; /* the block must be an integer below n */
	if (k->blind_uses == 0 || k->blind_uses >= BLIND_RENEW) {
		if ((r = new_blinding(k)) != KZT_OK)
			return r;
	} else { /* (r^2)^e and r^-2: still a matching pair */
		kzt_mont_mul(&k->mn, k->blind_m, k->blind_m, k->blind_m);
		kzt_mont_mul(&k->mn, k->unblind_m, k->unblind_m, k->unblind_m);
	}
	k->blind_uses++;
	kzt_mont_mul(&k->mn, cb, c, k->blind_m); /* c r^e */
	/* m1 = cb^dp mod p, m2 = cb^dq mod q, joined below n; then unblinded */
	kzt_mont_reduce(&k->mp, t, cb);
	kzt_mont_reduce(&k->mq, h2, cb);
	exp_pq(k, m1, t, k->dp, m2, h2, k->dq);
	crt_join(k, m, m1, m2);
	kzt_mont_mul(&k->mn, m, m, k->unblind_m);
	/* a fault anywhere above shows here: m^e must give c back */
	exp_e(k, t, m);
	/* what leaves: whether the check held, and then the result itself */
	kzt_bn_sub(t, t, c, nn);
	bad = ~kzt_bn_zero_mask(t, nn);
	KZT_CT_PUBLIC(&bad, sizeof(bad));
	KZT_CT_PUBLIC(m, nn * sizeof(kzt_limb));
	r = bad == 0 ? kzt_bn_to_bytes(m, nn, out, k->k) : KZT_ERR_CARD;
	kzt_bn_wipe(cb, nn);
	kzt_bn_wipe(t, nn);
	kzt_bn_wipe(m, nn);
	kzt_bn_wipe(m1, nh);
	kzt_bn_wipe(m2, nh);
	kzt_bn_wipe(h2, nh);
	return r;
}

/* a == b for values of n limbs (0 or 1). */
static int
equal(const kzt_limb *a, const kzt_limb *b, size_t n)
{
	return kzt_bn_cmp(a, b, n) == 0;
}

int
kzt_rsa_check(const kzt_rsa_key *key, kzt_bn_rng rng)
{
	kzt_rsa_private k;
	kzt_limb p[KZT_BN_LIMBS / 2], q[KZT_BN_LIMBS / 2], n[KZT_BN_LIMBS], pq[KZT_BN_LIMBS];
	kzt_limb d[KZT_BN_LIMBS], x[KZT_BN_LIMBS], y[KZT_BN_LIMBS], t[KZT_BN_LIMBS];
	kzt_limb pm1[KZT_BN_LIMBS / 2], one[KZT_BN_LIMBS] = {0};
	size_t nh, nn, bits;
	uint32_t e;
	int ok, r = KZT_ERR_DATA;

	e = exponent_word(key->e, key->e_len, &ok);
	if (!ok || key->n_len < 256 || key->n_len > KZT_RSA_MAX_BYTES ||
	    kzt_rsa_private_init(&k, key, rng) != KZT_OK)
		return KZT_ERR_DATA;
	nh = k.nh;
	nn = 2 * nh;
	one[0] = 1;
	bits = kzt_bn_bits(k.mn.m, nn);
	if (kzt_bn_from_bytes(p, nh, key->p, key->p_len) != KZT_OK ||
	    kzt_bn_from_bytes(q, nh, key->q, key->q_len) != KZT_OK ||
	    kzt_bn_from_bytes(n, nn, key->n, key->n_len) != KZT_OK ||
	    kzt_bn_from_bytes(d, nn, key->d, key->d_len) != KZT_OK || bits != 8 * key->n_len)
		goto out;
	/* n = p q, both prime */
	kzt_bn_mul(pq, p, nh, q, nh);
	if (!equal(pq, n, nn) || kzt_bn_probable_prime(p, nh, kzt_bn_mr_rounds(bits / 2), rng) != KZT_OK ||
	    kzt_bn_probable_prime(q, nh, kzt_bn_mr_rounds(bits / 2), rng) != KZT_OK)
		goto out;
	/* dp, dq: the inverses of e modulo p - 1 and q - 1 */
	kzt_bn_sub(pm1, p, one, nh);
	if (kzt_bn_inv_small(t, e, pm1, nh) != KZT_OK || !equal(t, k.dp, nh))
		goto out;
	kzt_bn_sub(pm1, q, one, nh);
	if (kzt_bn_inv_small(t, e, pm1, nh) != KZT_OK || !equal(t, k.dq, nh))
		goto out;
	/* qinv q = 1 mod p */
	kzt_bn_sub(t, q, p, nh);
	kzt_bn_select(t, q, kzt_bn_lt_mask(q, p, nh), nh);
	kzt_mont_mul(&k.mp, t, t, k.qinv_m);
	if (!equal(t, one, nh))
		goto out;
	/* d inverts e: (x^d)^e = x for a random x */
	if (kzt_bn_cmp(d, n, nn) >= 0 || random_below(&k, x, nn, bits) != KZT_OK)
		goto out;
	kzt_mont_exp(&k.mn, y, x, d, bits);
	kzt_mont_exp_public(&k.mn, y, y, k.e, k.e_bits);
	if (!equal(x, y, nn))
		goto out;
	r = KZT_OK;
out:
	kzt_rsa_private_wipe(&k);
	kzt_bn_wipe(p, nh);
	kzt_bn_wipe(q, nh);
	kzt_bn_wipe(d, nn);
	kzt_bn_wipe(pm1, nh);
	kzt_bn_wipe(t, nn);
	kzt_bn_wipe(y, nn);
	return r;
}
