/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* PKCS#1 signature encodings (RFC 8017): EMSA-PKCS1-v1_5 and EMSA-PSS with MGF1; and the
 * one-shot digest they and OAEP use. */
#include <string.h>

#include "crypto.h"
#include "kzt_err.h"
#include "secmem.h"

/* DER prefixes of DigestInfo: SEQUENCE { AlgorithmIdentifier, OCTET STRING }. */
static const struct {
	uint8_t len;
	uint8_t bytes[19];
} digest_info_prefix[] = {
	[KZT_SHA1] = {15, {0x30, 0x21, 0x30, 0x09, 0x06, 0x05, 0x2b, 0x0e, 0x03, 0x02, 0x1a, 0x05, 0x00,
			   0x04, 0x14}},
	[KZT_SHA224] = {19, {0x30, 0x2d, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04,
			     0x02, 0x04, 0x05, 0x00, 0x04, 0x1c}},
	[KZT_SHA256] = {19, {0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04,
			     0x02, 0x01, 0x05, 0x00, 0x04, 0x20}},
	[KZT_SHA384] = {19, {0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04,
			     0x02, 0x02, 0x05, 0x00, 0x04, 0x30}},
	[KZT_SHA512] = {19, {0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04,
			     0x02, 0x03, 0x05, 0x00, 0x04, 0x40}},
};

int
kzt_digest_info(kzt_hash h, const uint8_t *digest, uint8_t *out, size_t *out_len)
{
	size_t dlen = kzt_hash_len(h);

	if (dlen == 0 || (unsigned)h >= sizeof(digest_info_prefix) / sizeof(digest_info_prefix[0]))
		return KZT_ERR_ARGS; /* (no DigestInfo for a GOST hash: it signs with GOST R 34.10) */
	memcpy(out, digest_info_prefix[h].bytes, digest_info_prefix[h].len);
	memcpy(out + digest_info_prefix[h].len, digest, dlen);
	*out_len = digest_info_prefix[h].len + dlen;
	return KZT_OK;
}

int
kzt_pkcs1_sign_pad(const uint8_t *data, size_t len, uint8_t *em, size_t k)
{
	if (k < 11 || len > k - 11)
		return KZT_ERR_DATA; /* at least 8 bytes of FF padding */
	em[0] = 0x00;
	em[1] = 0x01;
	memset(em + 2, 0xFF, k - 3 - len);
	em[k - len - 1] = 0x00;
	if (len > 0)
		memcpy(em + k - len, data, len);
	return KZT_OK;
}

int
kzt_pkcs1_sign_unpad(const uint8_t *em, size_t k, size_t *off)
{
	size_t i;

	if (k < 11 || em[0] != 0x00 || em[1] != 0x01)
		return KZT_ERR_DATA;
	for (i = 2; i < k && em[i] == 0xFF; i++)
		;
	if (i == k || em[i] != 0x00 || i < 10)
		return KZT_ERR_DATA; /* no separator, a stray byte, or under 8 bytes of FF */
	*off = i + 1;
	return KZT_OK;
}

/* MGF1 (RFC 8017 B.2.1): XOR mask of len bytes from seed into out. */
static int
mgf1_xor(kzt_hash h, const uint8_t *seed, size_t seed_len, uint8_t *out, size_t len)
{
	uint8_t block[KZT_HASH_MAX], c[4];
	size_t hlen = kzt_hash_len(h), done, i;
	kzt_hash_ctx *ctx;
	uint32_t counter;
	int r = KZT_OK;

	for (counter = 0, done = 0; done < len && r == KZT_OK; counter++) {
		c[0] = (uint8_t)(counter >> 24);
		c[1] = (uint8_t)(counter >> 16);
		c[2] = (uint8_t)(counter >> 8);
		c[3] = (uint8_t)counter;
		if ((r = kzt_hash_new(h, &ctx)) != KZT_OK)
			break;
		if ((r = kzt_hash_update(ctx, seed, seed_len)) != KZT_OK ||
		    (r = kzt_hash_update(ctx, c, 4)) != KZT_OK) {
			kzt_hash_free(&ctx);
			break;
		}
		if ((r = kzt_hash_final(&ctx, block)) != KZT_OK)
			break;
		for (i = 0; i < hlen && done < len; i++)
			out[done++] ^= block[i];
	}
	kzt_secure_zero(block, sizeof(block));
	return r;
}

int
kzt_pss_encode(kzt_hash h, kzt_hash mgf, size_t salt_len, const uint8_t *mhash, size_t mod_bits,
	       uint8_t *em_out, size_t k)
{
	static const uint8_t zeros[8];
	size_t hlen = kzt_hash_len(h), em_bits = mod_bits - 1, em_len = (em_bits + 7) / 8, db_len;
	/* (a salt may take all the room the encoding leaves: up to emLen - hLen - 2) */
	uint8_t salt[KZT_RSA_MAX_BYTES], H[KZT_HASH_MAX], *em, *db;
	kzt_hash_ctx *ctx;
	int r;

	if (hlen == 0 || kzt_hash_len(mgf) == 0 || mod_bits < 512 || em_len > k ||
	    salt_len > sizeof(salt) || salt_len > em_len || em_len - salt_len < hlen + 2)
		return KZT_ERR_DATA;
	/* em_len is k, or k - 1 when mod_bits is 1 more than a multiple of 8 */
	memset(em_out, 0, k);
	em = em_out + (k - em_len);
	if ((r = kzt_random(salt, salt_len)) != KZT_OK)
		return r;
	/* H = Hash(00 x8 || mHash || salt) */
	if ((r = kzt_hash_new(h, &ctx)) != KZT_OK)
		return r;
	if ((r = kzt_hash_update(ctx, zeros, 8)) != KZT_OK ||
	    (r = kzt_hash_update(ctx, mhash, hlen)) != KZT_OK ||
	    (r = kzt_hash_update(ctx, salt, salt_len)) != KZT_OK) {
		kzt_hash_free(&ctx);
		return r;
	}
	if ((r = kzt_hash_final(&ctx, H)) != KZT_OK)
		return r;
	/* DB = PS || 01 || salt, masked with MGF1(H) */
	db_len = em_len - hlen - 1;
	db = em;
	memset(db, 0, db_len - salt_len - 1);
	db[db_len - salt_len - 1] = 0x01;
	memcpy(db + db_len - salt_len, salt, salt_len);
	if ((r = mgf1_xor(mgf, H, hlen, db, db_len)) != KZT_OK)
		return r;
	db[0] &= (uint8_t)(0xFF >> (8 * em_len - em_bits)); /* clear the bits above em_bits */
	memcpy(em + db_len, H, hlen);
	em[em_len - 1] = 0xBC;
	kzt_secure_zero(salt, sizeof(salt));
	return KZT_OK;
}

/* Constant-time helpers: all-ones when the condition holds, else zero. */
static unsigned
ct_is_zero(unsigned x)
{
	return 0u - ((x | (0u - x)) >> (sizeof(unsigned) * 8 - 1) ^ 1u);
}

static unsigned
ct_eq(unsigned a, unsigned b)
{
	return ct_is_zero(a ^ b);
}

static size_t
ct_select(unsigned mask, size_t a, size_t b)
{
	return (size_t)((mask & a) | (~mask & b));
}

/* Copy src[from..k) to the start of out in time that depends on k only: a shift
 * by every power of two (the way BoringSSL and others move a secret offset). */
static void
ct_copy_from(uint8_t *out, const uint8_t *src, size_t k, size_t from)
{
	size_t shift, i;

	memcpy(out, src, k);
	for (shift = 1; shift < k; shift <<= 1) {
		unsigned take = ct_is_zero((unsigned)(from & shift) ^ (unsigned)shift);
		for (i = 0; i < k; i++) {
			uint8_t moved = i + shift < k ? out[i + shift] : 0;
			out[i] = (uint8_t)((take & moved) | (~take & out[i]));
		}
	}
}

int
kzt_pkcs1_decrypt_unpad(const uint8_t *em, size_t k, uint8_t *out, size_t *len)
{
	unsigned good, looking = ~0u, zero;
	size_t i, sep = 0;

	if (k < 11)
		return KZT_ERR_DATA;
	good = ct_eq(em[0], 0) & ct_eq(em[1], 2);
	/* the first 00 after the padding ends it; remember where, without branching */
	for (i = 2; i < k; i++) {
		zero = ct_is_zero(em[i]);
		sep = ct_select(looking & zero, i, sep);
		looking &= ~zero;
	}
	good &= ~looking;                             /* a separator was found */
	good &= ~ct_is_zero((unsigned)(sep >= 10));   /* at least 8 padding bytes */
	ct_copy_from(out, em, k, sep + 1);
	*len = ct_select(good, k - sep - 1, 0);
	/* one answer for every way the padding can be wrong */
	return (good & 1u) ? KZT_OK : KZT_ERR_DATA;
}

int
kzt_oaep_decode(kzt_hash h, kzt_hash mgf, const uint8_t *label, size_t label_len, uint8_t *em,
		size_t k, uint8_t *out, size_t *len)
{
	uint8_t lhash[KZT_HASH_MAX];
	size_t hlen = kzt_hash_len(h), i, one = 0;
	unsigned good, looking = ~0u, is_one, is_zero;
	uint8_t *seed = em + 1, *db = em + 1 + hlen;
	size_t db_len;

	if (hlen == 0 || k < 2 * hlen + 2)
		return KZT_ERR_DATA;
	db_len = k - hlen - 1;
	if (kzt_hash_once(h, label, label_len, lhash) != KZT_OK ||
	    mgf1_xor(mgf, db, db_len, seed, hlen) != KZT_OK || /* seed ^= MGF(maskedDB) */
	    mgf1_xor(mgf, seed, hlen, db, db_len) != KZT_OK)   /* DB ^= MGF(seed) */
		return KZT_ERR_CARD;
	good = ct_eq(em[0], 0);
	for (i = 0; i < hlen; i++)
		good &= ct_eq(db[i], lhash[i]);
	/* PS of zeros, then 01: find the 01 without branching on the data */
	for (i = hlen; i < db_len; i++) {
		is_one = ct_eq(db[i], 1);
		is_zero = ct_is_zero(db[i]);
		one = ct_select(looking & is_one, i, one);
		good &= ~(looking & ~is_one & ~is_zero); /* anything else before the 01 */
		looking &= ~is_one;
	}
	good &= ~looking;
	ct_copy_from(out, db, db_len, one + 1);
	*len = ct_select(good, db_len - one - 1, 0);
	kzt_secure_zero(lhash, sizeof(lhash));
	return (good & 1u) ? KZT_OK : KZT_ERR_DATA;
}

int
kzt_pss_verify(kzt_hash h, kzt_hash mgf, size_t salt_len, const uint8_t *mhash, const uint8_t *em_in,
	       size_t mod_bits, size_t k)
{
	static const uint8_t zeros[8];
	size_t hlen = kzt_hash_len(h), em_bits = mod_bits - 1, em_len = (em_bits + 7) / 8, db_len, i;
	uint8_t db[KZT_RSA_MAX_BYTES], H2[KZT_HASH_MAX];
	const uint8_t *em, *H;
	kzt_hash_ctx *ctx;
	int r = KZT_ERR_DATA;

	if (hlen == 0 || em_len > k || em_len > sizeof(db) || salt_len > em_len ||
	    em_len - salt_len < hlen + 2)
		return KZT_ERR_DATA;
	for (i = 0; i < k - em_len; i++) /* the byte above em_bits, if any, is zero */
		if (em_in[i] != 0)
			return KZT_ERR_DATA;
	em = em_in + (k - em_len);
	if (em[em_len - 1] != 0xBC || (em[0] & (uint8_t)~(0xFF >> (8 * em_len - em_bits))) != 0)
		return KZT_ERR_DATA;
	db_len = em_len - hlen - 1;
	H = em + db_len;
	memcpy(db, em, db_len);
	if (mgf1_xor(mgf, H, hlen, db, db_len) != KZT_OK)
		return KZT_ERR_CARD;
	db[0] &= (uint8_t)(0xFF >> (8 * em_len - em_bits));
	for (i = 0; i < db_len - salt_len - 1; i++)
		if (db[i] != 0)
			goto out;
	if (db[db_len - salt_len - 1] != 0x01)
		goto out;
	if (kzt_hash_new(h, &ctx) != KZT_OK)
		goto out;
	if (kzt_hash_update(ctx, zeros, 8) != KZT_OK || kzt_hash_update(ctx, mhash, hlen) != KZT_OK ||
	    kzt_hash_update(ctx, db + db_len - salt_len, salt_len) != KZT_OK) {
		kzt_hash_free(&ctx);
		goto out;
	}
	if (kzt_hash_final(&ctx, H2) == KZT_OK && memcmp(H, H2, hlen) == 0)
		r = KZT_OK;
out:
	kzt_secure_zero(db, sizeof(db));
	return r;
}

int
kzt_pkcs1_encrypt_pad(const uint8_t *msg, size_t len, uint8_t *em, size_t k)
{
	size_t i, ps;
	int r;

	if (k < 11 || len > k - 11)
		return KZT_ERR_DATA;
	ps = k - len - 3;
	em[0] = 0x00;
	em[1] = 0x02;
	if ((r = kzt_random(em + 2, ps)) != KZT_OK)
		return r;
	for (i = 2; i < 2 + ps; i++) /* padding bytes must not be zero */
		while (em[i] == 0)
			if ((r = kzt_random(em + i, 1)) != KZT_OK)
				return r;
	em[2 + ps] = 0x00;
	memcpy(em + 3 + ps, msg, len);
	return KZT_OK;
}

int
kzt_oaep_encode(kzt_hash h, kzt_hash mgf, const uint8_t *label, size_t label_len, const uint8_t *msg,
		size_t len, uint8_t *em, size_t k)
{
	size_t hlen = kzt_hash_len(h), db_len;
	uint8_t *seed = em + 1, *db;
	int r;

	if (hlen == 0 || k < 2 * hlen + 2 || len > k - 2 * hlen - 2)
		return KZT_ERR_DATA;
	db_len = k - hlen - 1;
	db = em + 1 + hlen;
	em[0] = 0x00;
	if ((r = kzt_hash_once(h, label, label_len, db)) != KZT_OK) /* lHash */
		return r;
	memset(db + hlen, 0, db_len - hlen - len - 1);
	db[db_len - len - 1] = 0x01;
	memcpy(db + db_len - len, msg, len);
	if ((r = kzt_random(seed, hlen)) != KZT_OK || (r = mgf1_xor(mgf, seed, hlen, db, db_len)) != KZT_OK ||
	    (r = mgf1_xor(mgf, db, db_len, seed, hlen)) != KZT_OK)
		return r;
	return KZT_OK;
}

/* (the one-shot digest, on whichever backend is built) */
int
kzt_hash_once(kzt_hash h, const uint8_t *p, size_t n, uint8_t *out)
{
	kzt_hash_ctx *ctx;
	int r;

	if ((r = kzt_hash_new(h, &ctx)) != KZT_OK)
		return r;
	if ((r = kzt_hash_update(ctx, p, n)) != KZT_OK) {
		kzt_hash_free(&ctx);
		return r;
	}
	return kzt_hash_final(&ctx, out);
}
