/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* Our PKCS#1 encodings, proven against OpenSSL: the encoded block goes through a
 * raw RSA private operation and OpenSSL's own verifier must accept the result. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include "crypto.h"
#include "kzt_err.h"

static size_t
raw_sign(EVP_PKEY *pk, const uint8_t *em, size_t k, uint8_t *sig)
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(pk, NULL);
	size_t len = k;

	assert_int_equal(EVP_PKEY_sign_init(ctx), 1);
	assert_int_equal(EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_NO_PADDING), 1);
	assert_int_equal(EVP_PKEY_sign(ctx, sig, &len, em, k), 1);
	EVP_PKEY_CTX_free(ctx);
	return len;
}

static int
openssl_verifies(EVP_PKEY *pk, int pss, const EVP_MD *md, int salt, const uint8_t *msg,
		 size_t msg_len, const uint8_t *sig, size_t sig_len)
{
	EVP_MD_CTX *mctx = EVP_MD_CTX_new();
	EVP_PKEY_CTX *pctx = NULL;
	int ok;

	assert_int_equal(EVP_DigestVerifyInit(mctx, &pctx, md, NULL, pk), 1);
	if (pss) {
		EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING);
		EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, salt);
		EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, md);
	}
	ok = EVP_DigestVerify(mctx, sig, sig_len, msg, msg_len) == 1;
	EVP_MD_CTX_free(mctx);
	return ok;
}

static void
test_pkcs1_v15_signature_verifies_in_openssl(void **state)
{
	static const struct {
		kzt_hash h;
		const EVP_MD *(*md)(void);
	} cases[] = {{KZT_SHA1, EVP_sha1},     {KZT_SHA224, EVP_sha224}, {KZT_SHA256, EVP_sha256},
		     {KZT_SHA384, EVP_sha384}, {KZT_SHA512, EVP_sha512}};
	EVP_PKEY *pk = EVP_RSA_gen(2048);
	uint8_t digest[64], di[100], em[256], sig[256];
	static const uint8_t msg[] = "Қазақстан: электрондық цифрлық қолтаңба";
	size_t di_len, i;

	(void)state;
	for (i = 0; i < 5; i++) {
		assert_int_equal(kzt_hash_once(cases[i].h, msg, sizeof(msg), digest), KZT_OK);
		assert_int_equal(kzt_digest_info(cases[i].h, digest, di, &di_len), KZT_OK);
		assert_int_equal(kzt_pkcs1_sign_pad(di, di_len, em, 256), KZT_OK);
		raw_sign(pk, em, 256, sig);
		assert_true(openssl_verifies(pk, 0, cases[i].md(), 0, msg, sizeof(msg), sig, 256));
	}
	/* too long for the padding */
	assert_int_equal(kzt_pkcs1_sign_pad(em, 256 - 10, sig, 256), KZT_ERR_DATA);
	EVP_PKEY_free(pk);
}

/* Block type 1 read back (C_VerifyRecover): what the padding wraps, or an error for
 * every malformed block. */
static void
test_pkcs1_signature_block_unpads_and_rejects_malformed(void **state)
{
	uint8_t em[256], bad[256];
	size_t off;

	(void)state;
	assert_int_equal(kzt_pkcs1_sign_pad((const uint8_t *)"data", 4, em, sizeof(em)), KZT_OK);
	assert_int_equal(kzt_pkcs1_sign_unpad(em, sizeof(em), &off), KZT_OK);
	assert_int_equal(off, sizeof(em) - 4);
	assert_memory_equal(em + off, "data", 4);
	/* empty data: the separator is the last byte */
	assert_int_equal(kzt_pkcs1_sign_pad(NULL, 0, em, sizeof(em)), KZT_OK);
	assert_int_equal(kzt_pkcs1_sign_unpad(em, sizeof(em), &off), KZT_OK);
	assert_int_equal(off, sizeof(em));
	/* the longest data: exactly 8 bytes of FF */
	memset(bad, 0x33, sizeof(bad));
	assert_int_equal(kzt_pkcs1_sign_pad(bad, sizeof(em) - 11, em, sizeof(em)), KZT_OK);
	assert_int_equal(kzt_pkcs1_sign_unpad(em, sizeof(em), &off), KZT_OK);
	assert_int_equal(off, 11);
	/* malformed: leading byte, block type, short padding, a non-FF byte, no separator */
	memcpy(bad, em, sizeof(em));
	bad[0] = 0x01;
	assert_int_equal(kzt_pkcs1_sign_unpad(bad, sizeof(bad), &off), KZT_ERR_DATA);
	memcpy(bad, em, sizeof(em));
	bad[1] = 0x02;
	assert_int_equal(kzt_pkcs1_sign_unpad(bad, sizeof(bad), &off), KZT_ERR_DATA);
	memcpy(bad, em, sizeof(em));
	bad[9] = 0x00; /* separator after 7 bytes of FF */
	assert_int_equal(kzt_pkcs1_sign_unpad(bad, sizeof(bad), &off), KZT_ERR_DATA);
	memcpy(bad, em, sizeof(em));
	bad[5] = 0xFE;
	assert_int_equal(kzt_pkcs1_sign_unpad(bad, sizeof(bad), &off), KZT_ERR_DATA);
	memset(bad, 0xFF, sizeof(bad));
	bad[0] = 0x00;
	bad[1] = 0x01;
	assert_int_equal(kzt_pkcs1_sign_unpad(bad, sizeof(bad), &off), KZT_ERR_DATA);
	assert_int_equal(kzt_pkcs1_sign_unpad(bad, 10, &off), KZT_ERR_DATA); /* too short a block */
}

/* A key whose modulus has exactly the given bit length (OpenSSL's generator
 * sometimes lands one bit short). */
static EVP_PKEY *
key_of_bits(unsigned bits)
{
	EVP_PKEY *pk;

	for (;;) {
		pk = EVP_RSA_gen(bits);
		assert_non_null(pk);
		if ((unsigned)EVP_PKEY_get_bits(pk) == bits)
			return pk;
		EVP_PKEY_free(pk);
	}
}

static void
test_pss_signature_verifies_in_openssl_at_odd_sizes(void **state)
{
	/* 1025 bits: the encoded message is one byte shorter than the modulus */
	static const unsigned bits[] = {2048, 1025, 3072};
	uint8_t mhash[32], em[384], sig[384];
	static const uint8_t msg[] = "TLS 1.3 CertificateVerify";
	size_t i, k;

	(void)state;
	assert_int_equal(kzt_hash_once(KZT_SHA256, msg, sizeof(msg), mhash), KZT_OK);
	for (i = 0; i < 3; i++) {
		EVP_PKEY *pk = key_of_bits(bits[i]);
		k = (size_t)EVP_PKEY_get_size(pk);
		assert_int_equal(kzt_pss_encode(KZT_SHA256, KZT_SHA256, 32, mhash, bits[i], em, k), KZT_OK);
		raw_sign(pk, em, k, sig);
		assert_true(openssl_verifies(pk, 1, EVP_sha256(), 32, msg, sizeof(msg), sig, k));
		/* salt 0 is legal too */
		assert_int_equal(kzt_pss_encode(KZT_SHA256, KZT_SHA256, 0, mhash, bits[i], em, k), KZT_OK);
		raw_sign(pk, em, k, sig);
		assert_true(openssl_verifies(pk, 1, EVP_sha256(), 0, msg, sizeof(msg), sig, k));
		EVP_PKEY_free(pk);
	}
	/* a salt that does not fit */
	assert_int_equal(kzt_pss_encode(KZT_SHA512, KZT_SHA512, 128, mhash, 1024, em, 128),
			 KZT_ERR_DATA);
}

/* OpenSSL encrypts; the raw private operation undoes RSA; our decoder unpads. */
static size_t
encrypt_then_raw_decrypt(EVP_PKEY *pk, int padding, const EVP_MD *md, const char *label,
			 const uint8_t *msg, size_t msg_len, uint8_t *em)
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(pk, NULL);
	uint8_t ct[512];
	size_t ct_len = sizeof(ct), em_len = 512;

	assert_int_equal(EVP_PKEY_encrypt_init(ctx), 1);
	assert_int_equal(EVP_PKEY_CTX_set_rsa_padding(ctx, padding), 1);
	if (md != NULL) {
		assert_int_equal(EVP_PKEY_CTX_set_rsa_oaep_md(ctx, md), 1);
		assert_int_equal(EVP_PKEY_CTX_set_rsa_mgf1_md(ctx, md), 1);
		if (label != NULL)
			assert_int_equal(EVP_PKEY_CTX_set0_rsa_oaep_label(ctx, OPENSSL_strdup(label),
									   (int)strlen(label)), 1);
	}
	assert_int_equal(EVP_PKEY_encrypt(ctx, ct, &ct_len, msg, msg_len), 1);
	EVP_PKEY_CTX_free(ctx);
	ctx = EVP_PKEY_CTX_new(pk, NULL);
	assert_int_equal(EVP_PKEY_decrypt_init(ctx), 1);
	assert_int_equal(EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_NO_PADDING), 1);
	assert_int_equal(EVP_PKEY_decrypt(ctx, em, &em_len, ct, ct_len), 1);
	EVP_PKEY_CTX_free(ctx);
	return em_len;
}

static void
test_pkcs1_v15_decryption_unpads_and_rejects_one_way(void **state)
{
	EVP_PKEY *pk = EVP_RSA_gen(2048);
	static const uint8_t msg[] = "session key 0123456789abcdef";
	uint8_t em[512], bad[512], out[512];
	size_t k, len, i;

	(void)state;
	k = encrypt_then_raw_decrypt(pk, RSA_PKCS1_PADDING, NULL, NULL, msg, sizeof(msg), em);
	assert_int_equal(k, 256);
	assert_int_equal(kzt_pkcs1_decrypt_unpad(em, k, out, &len), KZT_OK);
	assert_int_equal(len, sizeof(msg));
	assert_memory_equal(out, msg, sizeof(msg));
	/* wrong type byte, no separator, short padding: the same single error */
	memcpy(bad, em, k);
	bad[1] = 1;
	assert_int_equal(kzt_pkcs1_decrypt_unpad(bad, k, out, &len), KZT_ERR_DATA);
	assert_int_equal(len, 0);
	memcpy(bad, em, k);
	for (i = 2; i < k; i++)
		bad[i] |= 1;
	assert_int_equal(kzt_pkcs1_decrypt_unpad(bad, k, out, &len), KZT_ERR_DATA);
	memcpy(bad, em, k);
	bad[5] = 0; /* separator after only 3 padding bytes */
	assert_int_equal(kzt_pkcs1_decrypt_unpad(bad, k, out, &len), KZT_ERR_DATA);
	/* an empty message is legal */
	k = encrypt_then_raw_decrypt(pk, RSA_PKCS1_PADDING, NULL, NULL, msg, 0, em);
	assert_int_equal(kzt_pkcs1_decrypt_unpad(em, k, out, &len), KZT_OK);
	assert_int_equal(len, 0);
	EVP_PKEY_free(pk);
}

static void
test_oaep_decoding_with_sha1_sha256_and_label(void **state)
{
	EVP_PKEY *pk = EVP_RSA_gen(2048);
	static const uint8_t msg[] = "AES-256 key for the document";
	uint8_t em[512], out[512];
	size_t k, len;

	(void)state;
	k = encrypt_then_raw_decrypt(pk, RSA_PKCS1_OAEP_PADDING, EVP_sha1(), NULL, msg, sizeof(msg), em);
	assert_int_equal(kzt_oaep_decode(KZT_SHA1, KZT_SHA1, NULL, 0, em, k, out, &len), KZT_OK);
	assert_int_equal(len, sizeof(msg));
	assert_memory_equal(out, msg, sizeof(msg));
	k = encrypt_then_raw_decrypt(pk, RSA_PKCS1_OAEP_PADDING, EVP_sha256(), "KZ", msg, sizeof(msg), em);
	assert_int_equal(kzt_oaep_decode(KZT_SHA256, KZT_SHA256, (const uint8_t *)"KZ", 2, em, k, out, &len),
			 KZT_OK);
	assert_memory_equal(out, msg, sizeof(msg));
	/* the wrong label, or a tampered block: the one error */
	k = encrypt_then_raw_decrypt(pk, RSA_PKCS1_OAEP_PADDING, EVP_sha256(), "KZ", msg, sizeof(msg), em);
	assert_int_equal(kzt_oaep_decode(KZT_SHA256, KZT_SHA256, (const uint8_t *)"RU", 2, em, k, out, &len),
			 KZT_ERR_DATA);
	k = encrypt_then_raw_decrypt(pk, RSA_PKCS1_OAEP_PADDING, EVP_sha256(), NULL, msg, sizeof(msg), em);
	em[100] ^= 0x40;
	assert_int_equal(kzt_oaep_decode(KZT_SHA256, KZT_SHA256, NULL, 0, em, k, out, &len), KZT_ERR_DATA);
	assert_int_equal(len, 0);
	EVP_PKEY_free(pk);
}

/* n and e of an OpenSSL key, big-endian. */
static void
public_parts(EVP_PKEY *pk, uint8_t *n, size_t *n_len, uint8_t *e, size_t *e_len)
{
	BIGNUM *bn = NULL, *be = NULL;

	assert_int_equal(EVP_PKEY_get_bn_param(pk, "n", &bn), 1);
	assert_int_equal(EVP_PKEY_get_bn_param(pk, "e", &be), 1);
	*n_len = (size_t)BN_bn2bin(bn, n);
	*e_len = (size_t)BN_bn2bin(be, e);
	BN_free(bn);
	BN_free(be);
}

static void
test_pss_verify_accepts_openssl_signatures_only(void **state)
{
	EVP_PKEY *pk = EVP_RSA_gen(2048);
	EVP_MD_CTX *mctx = EVP_MD_CTX_new();
	EVP_PKEY_CTX *pctx = NULL;
	static const uint8_t msg[] = "verify me";
	uint8_t sig[256], em[256], n[256], e[8], mhash[32];
	size_t sig_len = sizeof(sig), n_len, e_len;

	(void)state;
	assert_int_equal(EVP_DigestSignInit(mctx, &pctx, EVP_sha256(), NULL, pk), 1);
	EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING);
	EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, 32);
	assert_int_equal(EVP_DigestSign(mctx, sig, &sig_len, msg, sizeof(msg)), 1);
	EVP_MD_CTX_free(mctx);
	public_parts(pk, n, &n_len, e, &e_len);
	assert_int_equal(kzt_rsa_public(n, n_len, e, e_len, sig, em), KZT_OK);
	assert_int_equal(kzt_hash_once(KZT_SHA256, msg, sizeof(msg), mhash), KZT_OK);
	assert_int_equal(kzt_pss_verify(KZT_SHA256, KZT_SHA256, 32, mhash, em, 2048, 256), KZT_OK);
	assert_int_equal(kzt_pss_verify(KZT_SHA256, KZT_SHA256, 20, mhash, em, 2048, 256), KZT_ERR_DATA);
	mhash[0] ^= 1;
	assert_int_equal(kzt_pss_verify(KZT_SHA256, KZT_SHA256, 32, mhash, em, 2048, 256), KZT_ERR_DATA);
	/* a value not below n is no signature */
	memset(sig, 0xFF, sizeof(sig));
	assert_int_equal(kzt_rsa_public(n, n_len, e, e_len, sig, em), KZT_ERR_DATA);
	EVP_PKEY_free(pk);
}

static void
test_our_encryption_decrypts_in_openssl(void **state)
{
	EVP_PKEY *pk = EVP_RSA_gen(2048);
	static const uint8_t msg[] = "a session key for OpenSSL";
	uint8_t em[256], ct[256], out[256], n[256], e[8];
	size_t n_len, e_len, out_len;
	EVP_PKEY_CTX *ctx;
	int pass;

	(void)state;
	public_parts(pk, n, &n_len, e, &e_len);
	for (pass = 0; pass < 2; pass++) {
		if (pass == 0)
			assert_int_equal(kzt_pkcs1_encrypt_pad(msg, sizeof(msg), em, 256), KZT_OK);
		else
			assert_int_equal(kzt_oaep_encode(KZT_SHA256, KZT_SHA256, NULL, 0, msg, sizeof(msg), em, 256),
					 KZT_OK);
		assert_int_equal(kzt_rsa_public(n, n_len, e, e_len, em, ct), KZT_OK);
		ctx = EVP_PKEY_CTX_new(pk, NULL);
		assert_int_equal(EVP_PKEY_decrypt_init(ctx), 1);
		if (pass == 0) {
			EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING);
		} else {
			EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_OAEP_PADDING);
			EVP_PKEY_CTX_set_rsa_oaep_md(ctx, EVP_sha256());
			EVP_PKEY_CTX_set_rsa_mgf1_md(ctx, EVP_sha256());
		}
		out_len = sizeof(out);
		assert_int_equal(EVP_PKEY_decrypt(ctx, out, &out_len, ct, 256), 1);
		assert_int_equal(out_len, sizeof(msg));
		assert_memory_equal(out, msg, sizeof(msg));
		EVP_PKEY_CTX_free(ctx);
	}
	assert_int_equal(kzt_pkcs1_encrypt_pad(em, 246, ct, 256), KZT_ERR_DATA); /* too long */
	EVP_PKEY_free(pk);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pkcs1_v15_signature_verifies_in_openssl),
		cmocka_unit_test(test_pkcs1_signature_block_unpads_and_rejects_malformed),
		cmocka_unit_test(test_pss_signature_verifies_in_openssl_at_odd_sizes),
		cmocka_unit_test(test_pkcs1_v15_decryption_unpads_and_rejects_one_way),
		cmocka_unit_test(test_oaep_decoding_with_sha1_sha256_and_label),
		cmocka_unit_test(test_pss_verify_accepts_openssl_signatures_only),
		cmocka_unit_test(test_our_encryption_decrypts_in_openssl),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
