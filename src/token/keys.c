/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* Token driver: on-card key generation, the private-key operations, the card's
 * random numbers (protocol 5.7, 5.11, 5.12). */
#include <string.h>

#include "kzt_err.h"
#include "secmem.h"
#include "tlv.h"
#include "token_int.h"

/* GENERATE with data (its algorithm's part in already): the answer's public key
 * template into pk and the two handles. */
static int
generate(kzt_token *t, const kzt_keygen *g, kzt_buf *b, kzt_tlv *pk, uint16_t *priv, uint16_t *pub)
{
	kzt_apdu a = {.cla = KZT_CLA_ISO, .ins = KZT_INS_GENERATE_KEY_PAIR, .p1 = 0x80,
		      .data = b->ptr, .le = KZT_APDU_EXT_MAX_LE};
	kzt_tlv h;
	uint32_t v;
	size_t rlen;
	int r;

	if (!t->link.extended)
		a.le = KZT_APDU_SHORT_MAX_LE; /* the rest comes by GET RESPONSE */
	kzt_tlv_put(b, KZT_TAG_GEN_PRIV_BLOB, g->priv_blob, g->priv_blob_len);
	kzt_tlv_put_u8(b, KZT_TAG_GEN_PRIV_FLAGS, g->priv_flags);
	kzt_tlv_put(b, KZT_TAG_GEN_PUB_BLOB, g->pub_blob, g->pub_blob_len);
	kzt_tlv_put_u8(b, KZT_TAG_GEN_PUB_FLAGS, g->pub_flags);
	if (b->err != KZT_OK)
		return KZT_ERR_ARGS;
	a.lc = b->len;
	if ((r = kzt_token_command(t, &a, &rlen)) != KZT_OK)
		return r;
	if (kzt_tlv_find(t->resp, rlen, KZT_TAG_PUBLIC_KEY, pk) != KZT_OK ||
	    kzt_tlv_find(t->resp, rlen, KZT_TAG_GEN_PRIV_HANDLE, &h) != KZT_OK ||
	    kzt_tlv_get_uint(&h, 2, &v) != KZT_OK || v == 0)
		return KZT_ERR_CARD;
	*priv = (uint16_t)v;
	if (kzt_tlv_find(t->resp, rlen, KZT_TAG_GEN_PUB_HANDLE, &h) != KZT_OK ||
	    kzt_tlv_get_uint(&h, 2, &v) != KZT_OK || v == 0 || v == *priv)
		return KZT_ERR_CARD;
	*pub = (uint16_t)v;
	return KZT_OK;
}

int
kzt_token_generate_rsa(kzt_token *t, const kzt_keygen *g, uint8_t *n, size_t n_cap,
		       size_t *n_len, uint16_t *priv, uint16_t *pub)
{
	uint8_t data[2 * 1024 + 64];
	kzt_tlv pk, m;
	kzt_buf b;
	int r;

	kzt_buf_init(&b, data, sizeof(data));
	kzt_tlv_put_u8(&b, KZT_TAG_GEN_ALGORITHM, KZT_ALG_RSA);
	kzt_tlv_put_u16(&b, KZT_TAG_GEN_BITS, (uint16_t)g->bits);
	kzt_tlv_put(&b, KZT_TAG_GEN_EXPONENT, g->exponent, g->exponent_len);
	if ((r = generate(t, g, &b, &pk, priv, pub)) != KZT_OK)
		return r;
	if (kzt_tlv_find(pk.val, pk.len, KZT_TAG_PUB_MODULUS, &m) != KZT_OK || m.len != g->bits / 8 ||
	    m.len > n_cap || m.val[0] == 0)
		return KZT_ERR_CARD;
	memcpy(n, m.val, m.len);
	*n_len = m.len;
	return KZT_OK;
}

size_t
kzt_curve_bytes(uint8_t curve)
{
	switch (curve) {
	case KZT_CURVE_P256: case KZT_CURVE_GOST_CP_A: case KZT_CURVE_GOST_CP_B: case KZT_CURVE_GOST_CP_C:
	case KZT_CURVE_GOST_256_A: return 32;
	case KZT_CURVE_P384: return 48;
	case KZT_CURVE_GOST_512_A: case KZT_CURVE_GOST_512_B: case KZT_CURVE_GOST_512_C: return 64;
	default: return 0;
	}
}

int
kzt_ec_value_parse(const uint8_t *v, size_t len, uint8_t *curve, const uint8_t **point,
		   size_t *point_len)
{
	kzt_tlv tc, tp;
	uint32_t c;
	int r = kzt_tlv_find(v, len, KZT_TAG_EC_CURVE, &tc);

	if (r != KZT_OK)
		return r == KZT_ERR_NOT_FOUND ? r : KZT_ERR_CARD; /* (no TLVs at all: malformed) */
	if (kzt_tlv_get_uint(&tc, 1, &c) != KZT_OK || tc.len != 1 || kzt_curve_bytes((uint8_t)c) == 0 ||
	    kzt_tlv_find(v, len, KZT_TAG_EC_POINT, &tp) != KZT_OK ||
	    tp.len != 1 + 2 * kzt_curve_bytes((uint8_t)c) || tp.val[0] != 0x04)
		return KZT_ERR_CARD;
	*curve = (uint8_t)c;
	*point = tp.val;
	*point_len = tp.len;
	return KZT_OK;
}

int
kzt_ec_value_build(uint8_t curve, const uint8_t *point, size_t point_len, uint8_t *out, size_t cap,
		   size_t *len)
{
	kzt_buf b;

	if (kzt_curve_bytes(curve) == 0 || point_len != 1 + 2 * kzt_curve_bytes(curve) || point[0] != 0x04)
		return KZT_ERR_ARGS;
	kzt_buf_init(&b, out, cap);
	kzt_tlv_put(&b, KZT_TAG_EC_CURVE, &curve, 1);
	kzt_tlv_put(&b, KZT_TAG_EC_POINT, point, point_len);
	*len = b.len;
	return b.err;
}

int
kzt_token_generate_ec(kzt_token *t, const kzt_keygen *g, uint8_t *point, size_t cap, size_t *point_len,
		      uint16_t *priv, uint16_t *pub)
{
	uint8_t data[2 * 1024 + 64];
	kzt_tlv pk, q;
	kzt_buf b;
	int r;

	if (!(t->info.capabilities & KZT_CAP_EC))
		return KZT_ERR_NOT_SUPPORTED;
	kzt_buf_init(&b, data, sizeof(data));
	kzt_tlv_put_u8(&b, KZT_TAG_GEN_ALGORITHM, KZT_ALG_EC);
	kzt_tlv_put_u8(&b, KZT_TAG_GEN_CURVE, g->curve);
	if ((r = generate(t, g, &b, &pk, priv, pub)) != KZT_OK)
		return r;
	/* an uncompressed point, of two coordinates of the curve's size */
	if (kzt_tlv_find(pk.val, pk.len, KZT_TAG_EC_POINT, &q) != KZT_OK || q.len != 1 + 2 * kzt_curve_bytes(g->curve) ||
	    q.val[0] != 0x04 || q.len > cap)
		return KZT_ERR_CARD;
	memcpy(point, q.val, q.len);
	*point_len = q.len;
	return KZT_OK;
}

/* MSE SET (algorithm alg) + PSO with key handle on in; the answer's length must be
 * want. */
static int
private_op(kzt_token *t, uint16_t handle, uint8_t alg, int decipher, const uint8_t *in, size_t in_len,
	   size_t want, uint8_t *out, size_t out_cap, size_t *out_len)
{
	uint8_t mse_data[7] = {KZT_TAG_MSE_KEY, 2, (uint8_t)(handle >> 8), (uint8_t)handle,
			       KZT_TAG_MSE_ALGORITHM, 1, alg};
	uint8_t block[1 + 512];
	kzt_apdu mse = {.cla = KZT_CLA_ISO, .ins = KZT_INS_MSE, .p1 = KZT_P1_MSE_SET_COMPUTE,
			.p2 = decipher ? KZT_P2_MSE_CT : KZT_P2_MSE_DST, .data = mse_data, .lc = 7};
	kzt_apdu pso = {.cla = KZT_CLA_ISO, .ins = KZT_INS_PSO,
			.p1 = (uint8_t)((decipher ? KZT_P1P2_PSO_DECIPHER : KZT_P1P2_PSO_CDS) >> 8),
			.p2 = (uint8_t)(decipher ? KZT_P1P2_PSO_DECIPHER : KZT_P1P2_PSO_CDS),
			.data = block, .le = (uint32_t)want};
	size_t n;
	int r;

	if (in_len == 0 || in_len > 512 || want == 0 || want > 512 || out_cap < want)
		return KZT_ERR_ARGS;
	/* PSO DECIPHER data: padding indicator 00, then the ciphertext. */
	block[0] = 0x00;
	memcpy(block + (decipher ? 1 : 0), in, in_len);
	pso.lc = in_len + (decipher ? 1 : 0);
	if (!t->link.extended && pso.le > KZT_APDU_SHORT_MAX_LE)
		pso.le = KZT_APDU_SHORT_MAX_LE; /* the rest comes by GET RESPONSE */
	/* On a card session of our own the key MSE SET chose stays chosen: one APDU
	 * a signature. Any failure forgets it (kzt_token_command), and the PSO is
	 * tried once more after a fresh MSE SET. */
	r = KZT_OK;
	if (!t->tr->session_ours || t->selected[decipher] != handle || t->selected_alg[decipher] != alg ||
	    kzt_token_command(t, &pso, &n) != KZT_OK) {
		if ((r = kzt_token_command(t, &mse, NULL)) != KZT_OK)
			goto out;
		if (t->tr->session_ours) {
			t->selected[decipher] = handle;
			t->selected_alg[decipher] = alg;
		}
		if ((r = kzt_token_command(t, &pso, &n)) != KZT_OK)
			goto out;
	}
	if (n != want) {
		r = KZT_ERR_CARD;
		goto out;
	}
	memcpy(out, t->resp, n);
	*out_len = n;
out:
	kzt_secure_zero(block, sizeof(block));
	if (decipher) /* the plaintext passed through the response buffer */
		kzt_secure_zero(t->resp, want + 2);
	return r;
}

int
kzt_token_rsa_private(kzt_token *t, uint16_t handle, int decipher, const uint8_t *in,
		      size_t in_len, uint8_t *out, size_t out_cap, size_t *out_len)
{
	return private_op(t, handle, KZT_ALG_RSA_RAW, decipher, in, in_len, in_len, out, out_cap, out_len);
}

int
kzt_token_ec_sign(kzt_token *t, uint16_t handle, uint8_t alg, size_t sig_len, const uint8_t *hash,
		  size_t hash_len, uint8_t *sig, size_t sig_cap, size_t *out_len)
{
	if ((alg != KZT_ALG_ECDSA && alg != KZT_ALG_GOST) || hash_len > 64)
		return KZT_ERR_ARGS;
	return private_op(t, handle, alg, 0, hash, hash_len, sig_len, sig, sig_cap, out_len);
}

int
kzt_token_random(kzt_token *t, uint8_t *out, size_t n)
{
	kzt_apdu a = {.cla = KZT_CLA_ISO, .ins = KZT_INS_GET_CHALLENGE};
	size_t got;
	int r;

	while (n > 0) {
		a.le = n < KZT_APDU_SHORT_MAX_LE ? (uint32_t)n : KZT_APDU_SHORT_MAX_LE;
		if ((r = kzt_token_command(t, &a, &got)) != KZT_OK)
			return r;
		if (got != a.le)
			return KZT_ERR_CARD;
		memcpy(out, t->resp, got);
		kzt_secure_zero(t->resp, got);
		out += got;
		n -= got;
	}
	return KZT_OK;
}
