/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* Host-side cryptography behind one small interface: hashes and random bytes from
 * a backend (openssl.c, or builtin.c with no OpenSSL; Streebog is ours in both,
 * hash.c), and the PKCS#1 encodings (pkcs1.c, our own) that turn a message into
 * the block the card raises to d. */
#ifndef KZT_CRYPTO_H
#define KZT_CRYPTO_H

#include <stddef.h>
#include <stdint.h>

typedef enum kzt_hash {
	KZT_SHA1,
	KZT_SHA224,
	KZT_SHA256,
	KZT_SHA384,
	KZT_SHA512,
	KZT_STREEBOG256, /* GOST R 34.11-2012 (streebog.c, ours in both backends) */
	KZT_STREEBOG512,
} kzt_hash;

#define KZT_HASH_MAX 64
/* The largest RSA modulus the module and the card handle, in bytes (4096 bits). */
#define KZT_RSA_MAX_BYTES 512

/* Digest length in bytes. */
size_t kzt_hash_len(kzt_hash h);

typedef struct kzt_hash_ctx kzt_hash_ctx;
int kzt_hash_new(kzt_hash h, kzt_hash_ctx **ctx);
int kzt_hash_update(kzt_hash_ctx *ctx, const uint8_t *p, size_t n);
/* Write the digest (kzt_hash_len bytes) and free the context. */
int kzt_hash_final(kzt_hash_ctx **ctx, uint8_t *out);
void kzt_hash_free(kzt_hash_ctx **ctx);
/* One-shot digest. */
int kzt_hash_once(kzt_hash h, const uint8_t *p, size_t n, uint8_t *out);

/* The named elliptic curves (curves.c): as PKCS#11 and certificates name them, by
 * the DER of an OID, and signature verification on them (src/bn, both backends). */
typedef enum kzt_ecurve {
	KZT_ECURVE_P256,
	KZT_ECURVE_P384,
	KZT_ECURVE_GOST_CP_A, /* CryptoPro A = TC26 256-B */
	KZT_ECURVE_GOST_CP_B, /* CryptoPro B = TC26 256-C */
	KZT_ECURVE_GOST_CP_C, /* CryptoPro C = TC26 256-D */
	KZT_ECURVE_GOST_256_A,
	KZT_ECURVE_GOST_512_A,
	KZT_ECURVE_GOST_512_B,
	KZT_ECURVE_GOST_512_C,
	KZT_ECURVES
} kzt_ecurve;

typedef struct kzt_ecurve_info {
	kzt_ecurve id;
	int gost;              /* GOST R 34.10-2012 (else ECDSA) */
	size_t bytes;          /* of a coordinate and of a scalar */
	const uint8_t *oid;    /* its canonical name, DER (06 len ...) */
	size_t oid_len;
} kzt_ecurve_info;

/* NULL for a value that names no curve. */
const kzt_ecurve_info *kzt_ecurve_get(kzt_ecurve c);
/* The curve an OID (DER) names: its own, or an alias its standard or docs/gost.md
 * documents (TC26 256-B..D, CryptoPro XchA/B, Kazakhstan's three). KZT_ERR_NOT_FOUND
 * otherwise. */
int kzt_ecurve_by_oid(const uint8_t *der, size_t len, kzt_ecurve *c);
/* KZT_OK when x || y (2 bytes each) is a point of the curve's prime-order
 * subgroup other than infinity; else KZT_ERR_DATA. */
int kzt_ecurve_check_point(kzt_ecurve c, const uint8_t *xy);
/* KZT_OK when sig is the curve's signature (ECDSA: r || s; GOST: s || r; 2 bytes
 * each) of hash under the public point x || y; else KZT_ERR_DATA. Public data
 * only: not constant time. */
int kzt_ecurve_verify(kzt_ecurve c, const uint8_t *xy, const uint8_t *hash, size_t hash_len,
		      const uint8_t *sig);
/* The GOST hash an OID (DER) names: Streebog's own, or Kazakhstan's
 * (1.2.398.3.10.1.3.2 / .3). KZT_ERR_NOT_FOUND otherwise. */
int kzt_hash_by_oid(const uint8_t *der, size_t len, kzt_hash *h);
/* The canonical OID of a GOST hash; KZT_ERR_NOT_FOUND for another hash. */
int kzt_hash_oid(kzt_hash h, const uint8_t **der, size_t *len);

/* Cryptographically strong random bytes from the host. */
int kzt_random(uint8_t *out, size_t n);

/* The RSA public operation out = in^e mod n (all big-endian; in and out k = n_len
 * bytes). KZT_ERR_DATA when in is not below n. Nothing here is secret. */
int kzt_rsa_public(const uint8_t *n, size_t n_len, const uint8_t *e, size_t e_len,
		   const uint8_t *in, uint8_t *out);

/* EMSA-PKCS1-v1_5 (RFC 8017 9.2) around an already built DigestInfo (or any
 * data of at most k - 11 bytes): em = 00 01 FF..FF 00 || data, k bytes. */
int kzt_pkcs1_sign_pad(const uint8_t *data, size_t len, uint8_t *em, size_t k);
/* The reverse, for a block recovered from a signature with the public key (not
 * secret, so not constant time): the data starts at em + *off. KZT_ERR_DATA when em
 * is not 00 01 FF..FF (8 at least) 00 data. */
int kzt_pkcs1_sign_unpad(const uint8_t *em, size_t k, size_t *off);
/* DigestInfo (RFC 8017 9.2 note 1) for a digest: out gets up to 19 + 64 bytes. */
int kzt_digest_info(kzt_hash h, const uint8_t *digest, uint8_t *out, size_t *out_len);
/* EMSA-PSS-ENCODE (RFC 8017 9.1.1) of mhash (the message's hash, hash h) with MGF1
 * over mgf and a random salt of salt_len bytes, for a modulus of mod_bits: em is
 * ceil((mod_bits - 1) / 8) bytes, left-padded with one 00 when that is less than k. */
int kzt_pss_encode(kzt_hash h, kzt_hash mgf, size_t salt_len, const uint8_t *mhash,
		   size_t mod_bits, uint8_t *em, size_t k);

/* EMSA-PSS-VERIFY (RFC 8017 9.1.2) of em (k bytes, mod_bits) against mhash:
 * KZT_OK or KZT_ERR_DATA. */
int kzt_pss_verify(kzt_hash h, kzt_hash mgf, size_t salt_len, const uint8_t *mhash,
		   const uint8_t *em, size_t mod_bits, size_t k);
/* RSAES-PKCS1-v1_5 encoding (RFC 8017 7.2.1): em = 00 02 PS(random non-zero) 00 msg. */
int kzt_pkcs1_encrypt_pad(const uint8_t *msg, size_t len, uint8_t *em, size_t k);
/* RSAES-OAEP encoding (RFC 8017 7.1.1). */
int kzt_oaep_encode(kzt_hash h, kzt_hash mgf, const uint8_t *label, size_t label_len,
		    const uint8_t *msg, size_t len, uint8_t *em, size_t k);

/* RSAES-PKCS1-v1_5 decoding (RFC 8017 7.2.2) of em (k bytes): the message is
 * written to out (out_cap bytes at least k) and its length to *len. The time taken
 * and the memory touched depend on k only, never on em; any malformed padding is
 * the one error KZT_ERR_DATA, so the caller cannot become a padding oracle. */
int kzt_pkcs1_decrypt_unpad(const uint8_t *em, size_t k, uint8_t *out, size_t *len);
/* RSAES-OAEP decoding (RFC 8017 7.1.2) with hash h, MGF1 over mgf and the label;
 * same constant-time contract and single error. em is modified (unmasked). */
int kzt_oaep_decode(kzt_hash h, kzt_hash mgf, const uint8_t *label, size_t label_len, uint8_t *em,
		    size_t k, uint8_t *out, size_t *len);

#endif
