/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* The applet's objects, on-card keys and private-key operations (protocol 5.9-5.12),
 * driven with raw APDUs; results checked with OpenSSL's public-key arithmetic. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#if !defined(KZT_TEST_NO_OPENSSL)
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#else
#include "rsa.h"
#endif

#include "apdu.h"
#include "card_fixture.h"
#include "ec.h"
#include "kzt_err.h"
#include "thread.h"
#include "tlv.h"

#define USER_PIN "12345678"

static uint16_t
create(fixture *f, uint8_t cls, uint8_t flags, const char *blob, const void *value, size_t vlen,
       uint16_t *handle)
{
	static uint8_t data[KZT_CARD_MAX_DATA + 64];
	kzt_buf b;
	kzt_tlv t;
	uint16_t sw;

	kzt_buf_init(&b, data, sizeof(data));
	kzt_tlv_put_u8(&b, KZT_TAG_OBJ_CLASS, cls);
	kzt_tlv_put_u8(&b, KZT_TAG_OBJ_FLAGS, flags);
	kzt_tlv_put(&b, KZT_TAG_OBJ_BLOB, blob, strlen(blob));
	if (value != NULL)
		kzt_tlv_put(&b, KZT_TAG_OBJ_VALUE, value, vlen);
	assert_int_equal(b.err, KZT_OK);
	sw = cmd(f, 0x80, KZT_INS_CREATE_OBJECT, 0, 0, data, b.len, 256);
	if (sw == KZT_SW_OK && handle != NULL) {
		assert_int_equal(kzt_tlv_find(f->resp, f->len, KZT_TAG_OBJ_HANDLE, &t), KZT_OK);
		*handle = (uint16_t)(t.val[0] << 8 | t.val[1]);
	}
	return sw;
}

/* Number of directory entries, after reading the whole directory with Le = le;
 * also the APDUs that took and the directory's size in bytes. */
static size_t
list_count_bytes(fixture *f, uint32_t le, size_t *apdus, size_t *bytes)
{
	static uint8_t dir[65536];
	size_t off = 0, n = 0;
	const uint8_t *p;
	uint16_t sw;
	kzt_tlv t;

	*apdus = 0;
	do {
		sw = cmd(f, 0x80, KZT_INS_LIST_OBJECTS, (uint8_t)(off >> 8), (uint8_t)off, NULL, 0, le);
		(*apdus)++;
		assert_true(sw == KZT_SW_OK || sw == KZT_SW_MORE_DATA);
		memcpy(dir + off, f->resp, f->len);
		off += f->len;
	} while (sw == KZT_SW_MORE_DATA);
	*bytes = off;
	p = dir;
	while (off > 0) {
		assert_int_equal(kzt_tlv_next(&p, &off, &t), KZT_OK);
		assert_int_equal(t.tag, KZT_TAG_DIR_ENTRY);
		n++;
	}
	return n;
}

static size_t
list_count(fixture *f, uint32_t le, size_t *apdus)
{
	size_t bytes;

	return list_count_bytes(f, le, apdus, &bytes);
}

static void
test_objects_need_the_user_and_round_trip(void **state)
{
	fixture *f = *state;
	uint8_t cert[3000], offset[4] = {0};
	uint16_t h;
	size_t apdus, i;

	for (i = 0; i < sizeof(cert); i++)
		cert[i] = (uint8_t)(i * 7);
	assert_int_equal(create(f, KZT_CLASS_DATA, 0, "d", "x", 1, &h), KZT_SW_SECURITY_STATUS);
	assert_int_equal(verify(f, KZT_PIN_USER, USER_PIN), KZT_SW_OK);
	assert_int_equal(create(f, KZT_CLASS_CERTIFICATE, KZT_OBJF_MODIFIABLE, "cert-attrs", cert,
				sizeof(cert), &h),
			 KZT_SW_OK);
	/* read it back in one extended read */
	assert_int_equal(cmd(f, 0x80, KZT_INS_READ_OBJECT, h >> 8, h & 0xFF, offset, 4, 65536),
			 KZT_SW_OK);
	assert_int_equal(f->len, sizeof(cert));
	assert_memory_equal(f->resp, cert, sizeof(cert));
	/* and in 1000-byte pieces: 6310 until the last */
	assert_int_equal(cmd(f, 0x80, KZT_INS_READ_OBJECT, h >> 8, h & 0xFF, offset, 4, 1000),
			 KZT_SW_MORE_DATA);
	offset[2] = 0x0B;
	offset[3] = 0xB8; /* 3000 */
	assert_int_equal(cmd(f, 0x80, KZT_INS_READ_OBJECT, h >> 8, h & 0xFF, offset, 4, 1000),
			 KZT_SW_OK);
	assert_int_equal(f->len, 0);
	assert_int_equal(list_count(f, 256, &apdus), 1);
	/* a missing handle */
	assert_int_equal(cmd(f, 0x80, KZT_INS_READ_OBJECT, 0x12, 0x34, offset, 4, 16),
			 KZT_SW_NOT_FOUND);
}

static void
test_private_objects_are_hidden_until_verify(void **state)
{
	fixture *f = *state;
	static const uint8_t off[4];
	uint16_t h;
	size_t apdus;

	assert_int_equal(verify(f, KZT_PIN_USER, USER_PIN), KZT_SW_OK);
	assert_int_equal(create(f, KZT_CLASS_DATA, KZT_OBJF_PRIVATE, "secret", "s", 1, &h), KZT_SW_OK);
	assert_int_equal(create(f, KZT_CLASS_DATA, 0, "public", "p", 1, NULL), KZT_SW_OK);
	assert_int_equal(list_count(f, 256, &apdus), 2);
	assert_int_equal(cmd(f, 0, KZT_INS_VERIFY, 0xFF, KZT_PIN_USER, NULL, 0, 0), KZT_SW_OK);
	assert_int_equal(list_count(f, 256, &apdus), 1);
	assert_int_equal(cmd(f, 0x80, KZT_INS_READ_OBJECT, h >> 8, h & 0xFF, off, 4, 16),
			 KZT_SW_SECURITY_STATUS);
}

/* The READ VALUES image of f's last response: handle i's value or status. */
static void
expect_entry(const uint8_t **p, size_t *n, uint16_t handle, const void *value, size_t len, uint16_t sw)
{
	kzt_tlv entry, t;

	assert_int_equal(kzt_tlv_next(p, n, &entry), KZT_OK);
	assert_int_equal(entry.tag, KZT_TAG_DIR_ENTRY);
	assert_int_equal(kzt_tlv_find(entry.val, entry.len, KZT_TAG_OBJ_HANDLE, &t), KZT_OK);
	assert_int_equal(t.len, 2);
	assert_int_equal(t.val[0] << 8 | t.val[1], handle);
	if (value != NULL) {
		assert_int_equal(kzt_tlv_find(entry.val, entry.len, KZT_TAG_OBJ_VALUE, &t), KZT_OK);
		assert_int_equal(t.len, len);
		assert_memory_equal(t.val, value, len);
	} else {
		assert_int_equal(kzt_tlv_find(entry.val, entry.len, KZT_TAG_OBJ_STATUS, &t), KZT_OK);
		assert_int_equal(t.len, 2);
		assert_int_equal(t.val[0] << 8 | t.val[1], sw);
	}
}

static void
test_read_values_gives_many_values_in_pages_and_says_why_one_is_missing(void **state)
{
	fixture *f = *state;
	uint8_t cert[3000], img[16384], ask[2 * (KZT_READ_VALUES_MAX_HANDLES + 1)];
	uint16_t a, b, secret;
	size_t n = 0, i;
	const uint8_t *p;
	uint16_t sw;

	for (i = 0; i < sizeof(cert); i++)
		cert[i] = (uint8_t)(i * 7);
	assert_int_equal(verify(f, KZT_PIN_USER, USER_PIN), KZT_SW_OK);
	assert_int_equal(create(f, KZT_CLASS_CERTIFICATE, 0, "a", cert, sizeof(cert), &a), KZT_SW_OK);
	assert_int_equal(create(f, KZT_CLASS_CERTIFICATE, 0, "b", cert + 1, 2000, &b), KZT_SW_OK);
	assert_int_equal(create(f, KZT_CLASS_DATA, KZT_OBJF_PRIVATE, "s", "hush", 4, &secret), KZT_SW_OK);
	assert_int_equal(cmd(f, 0, KZT_INS_VERIFY, 0xFF, KZT_PIN_USER, NULL, 0, 0), KZT_SW_OK);
	/* a, a missing handle, the private object (no user now), b: in 1000-byte pages */
	ask[0] = (uint8_t)(a >> 8), ask[1] = (uint8_t)a, ask[2] = 0x12, ask[3] = 0x34;
	ask[4] = (uint8_t)(secret >> 8), ask[5] = (uint8_t)secret, ask[6] = (uint8_t)(b >> 8), ask[7] = (uint8_t)b;
	do {
		sw = cmd(f, 0x80, KZT_INS_READ_VALUES, (uint8_t)(n >> 8), (uint8_t)n, ask, 8, 1000);
		assert_true(sw == KZT_SW_OK || sw == KZT_SW_MORE_DATA);
		assert_true(n + f->len <= sizeof(img));
		memcpy(img + n, f->resp, f->len);
		n += f->len;
	} while (sw == KZT_SW_MORE_DATA);
	assert_int_equal((n + 999) / 1000, 6); /* 5000 bytes of values and the framing */
	p = img;
	expect_entry(&p, &n, a, cert, sizeof(cert), 0);
	expect_entry(&p, &n, 0x1234, NULL, 0, KZT_SW_NOT_FOUND);
	expect_entry(&p, &n, secret, NULL, 0, KZT_SW_SECURITY_STATUS);
	expect_entry(&p, &n, b, cert + 1, 2000, 0);
	assert_int_equal(n, 0);
	/* malformed requests: nothing, an odd length, too many handles, an offset past the end */
	assert_int_equal(cmd(f, 0x80, KZT_INS_READ_VALUES, 0, 0, NULL, 0, 256), KZT_SW_WRONG_LENGTH);
	assert_int_equal(cmd(f, 0x80, KZT_INS_READ_VALUES, 0, 0, ask, 3, 256), KZT_SW_WRONG_LENGTH);
	memset(ask, 0, sizeof(ask));
	assert_int_equal(cmd(f, 0x80, KZT_INS_READ_VALUES, 0, 0, ask, sizeof(ask), 256), KZT_SW_WRONG_LENGTH);
	ask[0] = (uint8_t)(a >> 8), ask[1] = (uint8_t)a;
	assert_int_equal(cmd(f, 0x80, KZT_INS_READ_VALUES, 0x40, 0x00, ask, 2, 256), KZT_SW_WRONG_P1P2);
	/* more than one image holds: refused, to be asked in parts */
	assert_int_equal(verify(f, KZT_PIN_USER, USER_PIN), KZT_SW_OK);
	f->card.st.capacity = 1024 * 1024;
	for (i = 0; i < 22; i++) {
		assert_int_equal(create(f, KZT_CLASS_DATA, 0, "big", cert, sizeof(cert), &b), KZT_SW_OK);
		ask[2 * i] = (uint8_t)(b >> 8), ask[2 * i + 1] = (uint8_t)b;
	}
	assert_int_equal(cmd(f, 0x80, KZT_INS_READ_VALUES, 0, 0, ask, 44, 256), KZT_SW_WRONG_DATA);
	assert_int_equal(cmd(f, 0x80, KZT_INS_READ_VALUES, 0, 0, ask, 40, 65536), KZT_SW_MORE_DATA);
}

static void
test_directory_is_read_in_pages(void **state)
{
	fixture *f = *state;
	char blob[200];
	size_t apdus, bytes, i;

	assert_int_equal(verify(f, KZT_PIN_USER, USER_PIN), KZT_SW_OK);
	memset(blob, 'b', sizeof(blob) - 1);
	blob[sizeof(blob) - 1] = '\0';
	for (i = 0; i < 20; i++)
		assert_int_equal(create(f, KZT_CLASS_DATA, 0, blob, NULL, 0, NULL), KZT_SW_OK);
	/* the budget: one extended page, or ceil(directory bytes / 256) short pages */
	assert_int_equal(list_count_bytes(f, 65536, &apdus, &bytes), 20);
	assert_int_equal(apdus, 1);
	assert_true(bytes > 20 * 200);
	assert_int_equal(list_count(f, 256, &apdus), 20);
	assert_int_equal(apdus, (bytes + 255) / 256);
}

static void
test_update_and_delete_change_the_counter(void **state)
{
	fixture *f = *state;
	uint8_t data[32];
	uint32_t c0 = f->card.st.change_counter;
	uint16_t h, ro;
	kzt_buf b;

	assert_int_equal(verify(f, KZT_PIN_USER, USER_PIN), KZT_SW_OK);
	assert_int_equal(create(f, KZT_CLASS_DATA, KZT_OBJF_MODIFIABLE, "a", "v", 1, &h), KZT_SW_OK);
	assert_int_equal(create(f, KZT_CLASS_DATA, 0, "ro", "v", 1, &ro), KZT_SW_OK);
	assert_int_equal(f->card.st.change_counter, c0 + 2);
	kzt_buf_init(&b, data, sizeof(data));
	kzt_tlv_put(&b, KZT_TAG_OBJ_BLOB, "renamed", 7);
	assert_int_equal(cmd(f, 0x80, KZT_INS_UPDATE_OBJECT, h >> 8, h & 0xFF, data, b.len, 0),
			 KZT_SW_OK);
	assert_int_equal(f->card.st.objects[0].blob_len, 7);
	assert_int_equal(cmd(f, 0x80, KZT_INS_UPDATE_OBJECT, ro >> 8, ro & 0xFF, data, b.len, 0),
			 KZT_SW_CONDITIONS); /* not modifiable */
	/* a failed commit leaves the old blob */
	f->card.fail_commits = 1;
	kzt_buf_init(&b, data, sizeof(data));
	kzt_tlv_put(&b, KZT_TAG_OBJ_BLOB, "lost", 4);
	assert_int_equal(cmd(f, 0x80, KZT_INS_UPDATE_OBJECT, h >> 8, h & 0xFF, data, b.len, 0),
			 KZT_SW_MEMORY_FAILURE);
	assert_memory_equal(f->card.st.objects[0].blob, "renamed", 7);
	f->card.fail_commits = 1;
	assert_int_equal(cmd(f, 0x80, KZT_INS_DELETE_OBJECT, h >> 8, h & 0xFF, NULL, 0, 0),
			 KZT_SW_MEMORY_FAILURE);
	assert_int_equal(f->card.st.nobjects, 2);
	assert_int_equal(f->card.st.objects[0].handle, h);
	assert_int_equal(cmd(f, 0x80, KZT_INS_DELETE_OBJECT, h >> 8, h & 0xFF, NULL, 0, 0), KZT_SW_OK);
	assert_int_equal(f->card.st.nobjects, 1);
	assert_int_equal(f->card.st.change_counter, c0 + 4);
	assert_int_equal(cmd(f, 0x80, KZT_INS_DELETE_OBJECT, h >> 8, h & 0xFF, NULL, 0, 0),
			 KZT_SW_NOT_FOUND);
}

static void
test_full_store_refuses_and_keeps_everything(void **state)
{
	fixture *f = *state;
	static uint8_t big[KZT_CARD_MAX_DATA - 64];
	uint16_t h;
	size_t n = 0;

	assert_int_equal(verify(f, KZT_PIN_USER, USER_PIN), KZT_SW_OK);
	while (create(f, KZT_CLASS_DATA, 0, "", big, sizeof(big), &h) == KZT_SW_OK)
		n++;
	assert_int_equal(n, KZT_DEFAULT_CAPACITY / (sizeof(big) + KZT_CARD_OBJECT_COST));
	assert_int_equal(create(f, KZT_CLASS_DATA, 0, "", big, sizeof(big), &h), KZT_SW_NO_SPACE);
	assert_int_equal(f->card.st.nobjects, n);
	assert_true(kzt_card_used(&f->card.st) <= f->card.st.capacity);
	/* a failed commit on create adds nothing */
	assert_int_equal(cmd(f, 0x80, KZT_INS_DELETE_OBJECT, h >> 8, h & 0xFF, NULL, 0, 0), KZT_SW_OK);
	f->card.fail_commits = 1;
	assert_int_equal(create(f, KZT_CLASS_DATA, 0, "", "x", 1, NULL), KZT_SW_MEMORY_FAILURE);
	assert_int_equal(f->card.st.nobjects, n - 1);
}

/* Generate a key on the card; return its handles and (n, e). */
static void
generate(fixture *f, unsigned bits, uint8_t priv_flags, uint16_t *priv, uint16_t *pub,
	 uint8_t *n, size_t *n_len)
{
	uint8_t data[64];
	kzt_tlv pk, t;
	kzt_buf b;

	kzt_buf_init(&b, data, sizeof(data));
	kzt_tlv_put_u8(&b, KZT_TAG_GEN_ALGORITHM, KZT_ALG_RSA);
	kzt_tlv_put_u16(&b, KZT_TAG_GEN_BITS, (uint16_t)bits);
	kzt_tlv_put(&b, KZT_TAG_GEN_EXPONENT, "\x01\x00\x01", 3);
	kzt_tlv_put(&b, KZT_TAG_GEN_PRIV_BLOB, "priv", 4);
	kzt_tlv_put_u8(&b, KZT_TAG_GEN_PRIV_FLAGS, priv_flags);
	kzt_tlv_put(&b, KZT_TAG_GEN_PUB_BLOB, "pub", 3);
	kzt_tlv_put_u8(&b, KZT_TAG_GEN_PUB_FLAGS, 0);
	assert_int_equal(cmd(f, 0x00, KZT_INS_GENERATE_KEY_PAIR, 0x80, 0x00, data, b.len, 65536),
			 KZT_SW_OK);
	assert_int_equal(kzt_tlv_find(f->resp, f->len, KZT_TAG_PUBLIC_KEY, &pk), KZT_OK);
	assert_int_equal(kzt_tlv_find(pk.val, pk.len, KZT_TAG_PUB_MODULUS, &t), KZT_OK);
	assert_int_equal(t.len, bits / 8);
	memcpy(n, t.val, t.len);
	*n_len = t.len;
	assert_int_equal(kzt_tlv_find(pk.val, pk.len, KZT_TAG_PUB_EXPONENT, &t), KZT_OK);
	assert_memory_equal(t.val, "\x01\x00\x01", 3);
	assert_int_equal(kzt_tlv_find(f->resp, f->len, KZT_TAG_GEN_PRIV_HANDLE, &t), KZT_OK);
	*priv = (uint16_t)(t.val[0] << 8 | t.val[1]);
	assert_int_equal(kzt_tlv_find(f->resp, f->len, KZT_TAG_GEN_PUB_HANDLE, &t), KZT_OK);
	*pub = (uint16_t)(t.val[0] << 8 | t.val[1]);
}

/* out = in^65537 mod n: with OpenSSL; in a build without it (Windows), with src/bn. */
static void
public_op(const uint8_t *n, size_t n_len, const uint8_t *in, uint8_t *out)
{
#if defined(KZT_TEST_NO_OPENSSL)
	assert_int_equal(kzt_bn_rsa_public(n, n_len, (const uint8_t *)"\x01\x00\x01", 3, in, out), KZT_OK);
#else
	BIGNUM *bn = BN_bin2bn(n, (int)n_len, NULL), *x = BN_bin2bn(in, (int)n_len, NULL);
	BIGNUM *e = BN_new(), *r = BN_new();
	BN_CTX *ctx = BN_CTX_new();

	assert_int_equal(BN_set_word(e, 65537), 1);
	assert_int_equal(BN_mod_exp(r, x, e, bn, ctx), 1);
	assert_int_equal(BN_bn2binpad(r, out, (int)n_len), (int)n_len);
	BN_free(bn), BN_free(x), BN_free(e), BN_free(r);
	BN_CTX_free(ctx);
#endif
}

static uint16_t
mse(fixture *f, uint8_t p2, uint16_t key)
{
	uint8_t data[8] = {KZT_TAG_MSE_KEY, 2, (uint8_t)(key >> 8), (uint8_t)key,
			   KZT_TAG_MSE_ALGORITHM, 1, KZT_ALG_RSA_RAW};
	return cmd(f, 0x00, KZT_INS_MSE, KZT_P1_MSE_SET_COMPUTE, p2, data, 7, 0);
}

static void
test_generated_key_signs_and_deciphers(void **state)
{
	fixture *f = *state;
	uint8_t n[512], block[512], sig[512], back[512], ct[513];
	uint16_t priv, pub;
	size_t n_len, i;

	assert_int_equal(verify(f, KZT_PIN_USER, USER_PIN), KZT_SW_OK);
	generate(f, 2048, KZT_OBJF_PRIVATE | KZT_OBJF_SIGN | KZT_OBJF_DECRYPT, &priv, &pub, n, &n_len);
	assert_int_equal(f->card.st.nobjects, 2);
	assert_int_not_equal(priv, pub);

	/* sign: MSE SET + PSO CDS, two APDUs; check s^e mod n == block */
	for (i = 0; i < n_len; i++)
		block[i] = (uint8_t)(i + 1);
	block[0] = 0x00; /* below n */
	assert_int_equal(mse(f, KZT_P2_MSE_DST, priv), KZT_SW_OK);
	assert_int_equal(cmd(f, 0x00, KZT_INS_PSO, 0x9E, 0x9A, block, n_len, 65536), KZT_SW_OK);
	assert_int_equal(f->len, n_len);
	memcpy(sig, f->resp, n_len);
	public_op(n, n_len, sig, back);
	assert_memory_equal(back, block, n_len);

	/* decipher: c = m^e; the card gives m back */
	public_op(n, n_len, block, ct + 1);
	ct[0] = 0x00;
	assert_int_equal(mse(f, KZT_P2_MSE_CT, priv), KZT_SW_OK);
	assert_int_equal(cmd(f, 0x00, KZT_INS_PSO, 0x80, 0x86, ct, n_len + 1, 65536), KZT_SW_OK);
	assert_memory_equal(f->resp, block, n_len);

	/* bad inputs: wrong length, not below n, missing padding indicator */
	assert_int_equal(cmd(f, 0x00, KZT_INS_PSO, 0x9E, 0x9A, block, n_len - 1, 65536),
			 KZT_SW_WRONG_DATA);
	memset(block, 0xFF, n_len);
	assert_int_equal(cmd(f, 0x00, KZT_INS_PSO, 0x9E, 0x9A, block, n_len, 65536), KZT_SW_WRONG_DATA);
	ct[0] = 0x02;
	assert_int_equal(cmd(f, 0x00, KZT_INS_PSO, 0x80, 0x86, ct, n_len + 1, 65536), KZT_SW_WRONG_DATA);
	/* the public key is not a signing key; a missing key is not found */
	assert_int_equal(mse(f, KZT_P2_MSE_DST, pub), KZT_SW_REF_NOT_FOUND);
	assert_int_equal(mse(f, KZT_P2_MSE_DST, 0x4242), KZT_SW_REF_NOT_FOUND);
	/* without the user, no private operation */
	assert_int_equal(cmd(f, 0, KZT_INS_VERIFY, 0xFF, KZT_PIN_USER, NULL, 0, 0), KZT_SW_OK);
	memset(block, 0x11, n_len);
	assert_int_equal(cmd(f, 0x00, KZT_INS_PSO, 0x9E, 0x9A, block, n_len, 65536),
			 KZT_SW_SECURITY_STATUS);
	assert_int_equal(cmd(f, 0x00, KZT_INS_GENERATE_KEY_PAIR, 0x80, 0, "\x80\x01\x01", 3, 0),
			 KZT_SW_SECURITY_STATUS);
}

/* The card's curves, with src/bn's for checking what it signs. */
static const struct {
	uint8_t curve;
	kzt_ec_id id;
	uint8_t alg;
} ec_curves[] = {
	{KZT_CURVE_P256, KZT_EC_P256, KZT_ALG_ECDSA},
	{KZT_CURVE_P384, KZT_EC_P384, KZT_ALG_ECDSA},
	{KZT_CURVE_GOST_CP_A, KZT_EC_GOST_CP_A, KZT_ALG_GOST},
	{KZT_CURVE_GOST_CP_B, KZT_EC_GOST_CP_B, KZT_ALG_GOST},
	{KZT_CURVE_GOST_CP_C, KZT_EC_GOST_CP_C, KZT_ALG_GOST},
	{KZT_CURVE_GOST_256_A, KZT_EC_GOST_256_A, KZT_ALG_GOST},
	{KZT_CURVE_GOST_512_A, KZT_EC_GOST_512_A, KZT_ALG_GOST},
	{KZT_CURVE_GOST_512_B, KZT_EC_GOST_512_B, KZT_ALG_GOST},
	{KZT_CURVE_GOST_512_C, KZT_EC_GOST_512_C, KZT_ALG_GOST},
};

/* GENERATE for an EC key on curve: its SW; on success the handles and the point
 * (04 || x || y). */
static uint16_t
generate_ec(fixture *f, uint8_t curve, uint8_t priv_flags, uint16_t *priv, uint16_t *pub, uint8_t *point,
	    size_t *point_len)
{
	uint8_t data[64];
	kzt_tlv pk, t;
	kzt_buf b;
	uint16_t sw;

	kzt_buf_init(&b, data, sizeof(data));
	kzt_tlv_put_u8(&b, KZT_TAG_GEN_ALGORITHM, KZT_ALG_EC);
	kzt_tlv_put_u8(&b, KZT_TAG_GEN_CURVE, curve);
	kzt_tlv_put(&b, KZT_TAG_GEN_PRIV_BLOB, "priv", 4);
	kzt_tlv_put_u8(&b, KZT_TAG_GEN_PRIV_FLAGS, priv_flags);
	kzt_tlv_put(&b, KZT_TAG_GEN_PUB_BLOB, "pub", 3);
	kzt_tlv_put_u8(&b, KZT_TAG_GEN_PUB_FLAGS, 0);
	sw = cmd(f, 0x00, KZT_INS_GENERATE_KEY_PAIR, 0x80, 0x00, data, b.len, 65536);
	if (sw != KZT_SW_OK)
		return sw;
	assert_int_equal(kzt_tlv_find(f->resp, f->len, KZT_TAG_PUBLIC_KEY, &pk), KZT_OK);
	assert_int_equal(kzt_tlv_find(pk.val, pk.len, KZT_TAG_EC_POINT, &t), KZT_OK);
	memcpy(point, t.val, t.len);
	*point_len = t.len;
	assert_int_equal(kzt_tlv_find(f->resp, f->len, KZT_TAG_GEN_PRIV_HANDLE, &t), KZT_OK);
	*priv = (uint16_t)(t.val[0] << 8 | t.val[1]);
	assert_int_equal(kzt_tlv_find(f->resp, f->len, KZT_TAG_GEN_PUB_HANDLE, &t), KZT_OK);
	*pub = (uint16_t)(t.val[0] << 8 | t.val[1]);
	return sw;
}

static uint16_t
mse_alg(fixture *f, uint8_t p2, uint16_t key, uint8_t alg)
{
	uint8_t data[8] = {KZT_TAG_MSE_KEY, 2, (uint8_t)(key >> 8), (uint8_t)key, KZT_TAG_MSE_ALGORITHM, 1, alg};

	return cmd(f, 0x00, KZT_INS_MSE, KZT_P1_MSE_SET_COMPUTE, p2, data, 7, 0);
}

/* Sign hash with the EC key selected and check the signature with src/bn. */
static void
ec_sign_checked(fixture *f, size_t i, const uint8_t *point, const uint8_t *hash, size_t hash_len)
{
	static kzt_ec_curve c;

	assert_int_equal(kzt_ec_curve_load(&c, ec_curves[i].id), KZT_OK);
	assert_int_equal(cmd(f, 0x00, KZT_INS_PSO, 0x9E, 0x9A, hash, hash_len, 65536), KZT_SW_OK);
	assert_int_equal(f->len, 2 * c.bytes);
	assert_int_equal(kzt_ec_verify(&c, ec_curves[i].alg == KZT_ALG_GOST ? KZT_EC_GOST : KZT_EC_ECDSA,
				       point + 1, hash, hash_len, f->resp),
			 KZT_OK);
}

/* Every curve: the key made on the card, its point in the answer and its type in
 * the directory, and what it signs verifies. */
static void
test_ec_keys_are_made_on_every_curve_and_sign(void **state)
{
	static const size_t hash_lens[] = {1, 20, 32, 48, 64};
	fixture *f = *state;
	uint8_t point[KZT_EC_MAX_BYTES * 2 + 1], hash[64];
	uint16_t priv, pub;
	size_t i, j, point_len, apdus;

	assert_int_equal(verify(f, KZT_PIN_USER, USER_PIN), KZT_SW_OK);
	for (i = 0; i < sizeof(ec_curves) / sizeof(ec_curves[0]); i++) {
		static kzt_ec_curve c;

		assert_int_equal(kzt_ec_curve_load(&c, ec_curves[i].id), KZT_OK);
		assert_int_equal(generate_ec(f, ec_curves[i].curve, KZT_OBJF_PRIVATE | KZT_OBJF_SIGN, &priv, &pub,
					     point, &point_len),
				 KZT_SW_OK);
		assert_int_equal(point_len, 1 + 2 * c.bytes);
		assert_int_equal(point[0], 0x04);
		assert_int_equal(kzt_ec_check_point(&c, point + 1), KZT_OK);
		assert_int_equal(mse_alg(f, KZT_P2_MSE_DST, priv, ec_curves[i].alg), KZT_SW_OK);
		for (j = 0; j < sizeof(hash_lens) / sizeof(hash_lens[0]); j++) {
			memset(hash, (int)(i + j), sizeof(hash));
			ec_sign_checked(f, i, point, hash, hash_lens[j]);
		}
	}
	/* each key pair's entries carry 87: EC and the curve */
	assert_int_equal(list_count(f, 65536, &apdus), 2 * i);
	{
		kzt_tlv e, t;
		const uint8_t *p = f->resp;
		size_t left = f->len;

		assert_int_equal(kzt_tlv_next(&p, &left, &e), KZT_OK);
		assert_int_equal(kzt_tlv_find(e.val, e.len, KZT_TAG_DIR_KEY_TYPE, &t), KZT_OK);
		assert_int_equal(t.len, 2);
		assert_int_equal(t.val[0], KZT_ALG_EC);
		assert_int_equal(t.val[1], KZT_CURVE_P256);
	}
}

/* Bad EC requests get precise status words and change nothing. */
static void
test_malformed_ec_requests_are_refused(void **state)
{
	static const uint8_t bad_curves[] = {0x00, 0x03, 0x10, 0x15, 0x20, 0x24, 0xFF};
	fixture *f = *state;
	uint8_t point[KZT_EC_MAX_BYTES * 2 + 1], hash[65], n[512];
	uint16_t priv, pub, gpriv, gpub, rpriv, rpub;
	size_t i, point_len, n_len;

	assert_int_equal(verify(f, KZT_PIN_USER, USER_PIN), KZT_SW_OK);
	for (i = 0; i < sizeof(bad_curves); i++)
		assert_int_equal(generate_ec(f, bad_curves[i], KZT_OBJF_SIGN, &priv, &pub, point, &point_len),
				 KZT_SW_WRONG_DATA);
	/* no curve at all; an EC key that would decipher */
	assert_int_equal(cmd(f, 0x00, KZT_INS_GENERATE_KEY_PAIR, 0x80, 0, "\x80\x01\x02\x84\x01\x20\x86\x01\x00", 9,
			     0),
			 KZT_SW_WRONG_DATA);
	assert_int_equal(generate_ec(f, KZT_CURVE_P256, KZT_OBJF_SIGN | KZT_OBJF_DECRYPT, &priv, &pub, point,
				     &point_len),
			 KZT_SW_WRONG_DATA);
	assert_int_equal(f->card.st.nobjects, 0);
	assert_int_equal(generate_ec(f, KZT_CURVE_P256, KZT_OBJF_SIGN, &priv, &pub, point, &point_len), KZT_SW_OK);
	assert_int_equal(generate_ec(f, KZT_CURVE_GOST_256_A, KZT_OBJF_SIGN, &gpriv, &gpub, point, &point_len),
			 KZT_SW_OK);
	generate(f, 2048, KZT_OBJF_SIGN | KZT_OBJF_DECRYPT, &rpriv, &rpub, n, &n_len);
	/* each key with its own algorithm only; an EC key deciphers nothing */
	assert_int_equal(mse_alg(f, KZT_P2_MSE_DST, priv, KZT_ALG_RSA_RAW), KZT_SW_CONDITIONS);
	assert_int_equal(mse_alg(f, KZT_P2_MSE_DST, priv, KZT_ALG_GOST), KZT_SW_CONDITIONS);
	assert_int_equal(mse_alg(f, KZT_P2_MSE_DST, gpriv, KZT_ALG_ECDSA), KZT_SW_CONDITIONS);
	assert_int_equal(mse_alg(f, KZT_P2_MSE_DST, rpriv, KZT_ALG_ECDSA), KZT_SW_CONDITIONS);
	assert_int_equal(mse_alg(f, KZT_P2_MSE_CT, priv, KZT_ALG_ECDSA), KZT_SW_CONDITIONS);
	assert_int_equal(mse_alg(f, KZT_P2_MSE_DST, priv, 0x04), KZT_SW_FUNC_UNSUPPORTED);
	assert_int_equal(mse_alg(f, KZT_P2_MSE_DST, pub, KZT_ALG_ECDSA), KZT_SW_REF_NOT_FOUND);
	/* a hash of no bytes or of more than 64 */
	assert_int_equal(mse_alg(f, KZT_P2_MSE_DST, priv, KZT_ALG_ECDSA), KZT_SW_OK);
	memset(hash, 0x5A, sizeof(hash));
	assert_int_equal(cmd(f, 0x00, KZT_INS_PSO, 0x9E, 0x9A, hash, 65, 65536), KZT_SW_WRONG_DATA);
	assert_int_equal(cmd(f, 0x00, KZT_INS_PSO, 0x9E, 0x9A, NULL, 0, 65536), KZT_SW_WRONG_DATA);
	assert_int_equal(cmd(f, 0x00, KZT_INS_PSO, 0x9E, 0x9A, hash, 32, 65536), KZT_SW_OK);
	assert_int_equal(f->card.st.nobjects, 6);
}

/* A connection of its own to the shared card, signing with one key. */
typedef struct signer {
	fixture f; /* f.on: the shared card */
	uint16_t key;
	const uint8_t *n;
	size_t n_len;
	int signatures, good;
} signer;

static void
sign_many(void *arg)
{
	signer *w = arg;
	uint8_t block[512], back[512];
	int i;

	if (select_applet(&w->f) != KZT_SW_OK || verify(&w->f, KZT_PIN_USER, USER_PIN) != KZT_SW_OK ||
	    mse(&w->f, KZT_P2_MSE_DST, w->key) != KZT_SW_OK)
		return;
	for (i = 0; i < w->signatures; i++) {
		memset(block, i + 1, w->n_len);
		block[0] = 0x00;
		if (cmd(&w->f, 0x00, KZT_INS_PSO, 0x9E, 0x9A, block, w->n_len, 65536) != KZT_SW_OK ||
		    w->f.len != w->n_len)
			return;
		public_op(w->n, w->n_len, w->f.resp, back);
		if (memcmp(back, block, w->n_len) != 0)
			return;
		w->good++;
	}
}

static void
test_connections_sign_at_once_and_a_gone_key_keeps_no_state(void **state)
{
	fixture *f = *state;
	uint8_t n[512], block[512];
	uint16_t priv, pub, priv2, pub2;
	size_t n_len, n2_len;
	kzt_os_thread *t[3];
	signer *w[3];
	int i;

	/* the card as kaztoken-sim serves it: a lock, commands from several threads */
	assert_int_equal(kzt_os_mutex_new(&f->card.lock), KZT_OK);
	assert_int_equal(verify(f, KZT_PIN_USER, USER_PIN), KZT_SW_OK);
	generate(f, 2048, KZT_OBJF_PRIVATE | KZT_OBJF_SIGN, &priv, &pub, n, &n_len);
	generate(f, 2048, KZT_OBJF_PRIVATE | KZT_OBJF_SIGN, &priv2, &pub2, block, &n2_len);
	for (i = 0; i < 3; i++) {
		assert_non_null(w[i] = calloc(1, sizeof(*w[i])));
		w[i]->f.on = &f->card;
		w[i]->key = priv;
		w[i]->n = n;
		w[i]->n_len = n_len;
		w[i]->signatures = 12;
		assert_int_equal(kzt_os_thread_start(&t[i], sign_many, w[i]), KZT_OK);
	}
	/* meanwhile the other key is made ready, used and deleted, under their feet */
	assert_int_equal(mse(f, KZT_P2_MSE_DST, priv2), KZT_SW_OK);
	block[0] = 0x00;
	assert_int_equal(cmd(f, 0x00, KZT_INS_PSO, 0x9E, 0x9A, block, n2_len, 65536), KZT_SW_OK);
	assert_int_equal(cmd(f, 0x80, KZT_INS_DELETE_OBJECT, (uint8_t)(priv2 >> 8), (uint8_t)priv2, NULL, 0, 0),
			 KZT_SW_OK);
	for (i = 0; i < 3; i++) {
		kzt_os_thread_join(t[i]);
		assert_int_equal(w[i]->good, w[i]->signatures);
	}
	/* the deleted key signs no more; the kept state of the other goes with it too
	 * (a leak of either would fail this test under the sanitizers and memcheck) */
	assert_int_equal(cmd(f, 0x00, KZT_INS_PSO, 0x9E, 0x9A, block, n2_len, 65536), KZT_SW_CONDITIONS);
	assert_int_equal(cmd(f, 0x80, KZT_INS_DELETE_OBJECT, (uint8_t)(priv >> 8), (uint8_t)priv, NULL, 0, 0),
			 KZT_SW_OK);
	assert_int_equal(mse(f, KZT_P2_MSE_DST, priv), KZT_SW_REF_NOT_FOUND);
	for (i = 0; i < 3; i++) {
		kzt_card_session_reset(&w[i]->f.s);
		free(w[i]);
	}
	kzt_os_mutex_free(f->card.lock);
	f->card.lock = NULL;
}

static void
test_key_usage_flags_are_enforced(void **state)
{
	fixture *f = *state;
	uint8_t n[512], block[512];
	uint16_t priv, pub;
	size_t n_len;

	assert_int_equal(verify(f, KZT_PIN_USER, USER_PIN), KZT_SW_OK);
	generate(f, 2048, KZT_OBJF_PRIVATE | KZT_OBJF_DECRYPT, &priv, &pub, n, &n_len);
	assert_int_equal(mse(f, KZT_P2_MSE_DST, priv), KZT_SW_CONDITIONS);
	memset(block, 0x11, n_len);
	assert_int_equal(cmd(f, 0x00, KZT_INS_PSO, 0x9E, 0x9A, block, n_len, 65536),
			 KZT_SW_CONDITIONS); /* no signing key selected */
	assert_int_equal(mse(f, KZT_P2_MSE_CT, priv), KZT_SW_OK);
}

/* UPDATE OBJECT with flags (5.10): a private key's usage changes; nothing else does. */
static uint16_t
update(fixture *f, uint16_t h, const uint8_t *flags, size_t flags_len, const char *blob)
{
	uint8_t data[64];
	kzt_buf b;

	kzt_buf_init(&b, data, sizeof(data));
	if (flags != NULL)
		kzt_tlv_put(&b, KZT_TAG_OBJ_FLAGS, flags, flags_len);
	kzt_tlv_put(&b, KZT_TAG_OBJ_BLOB, blob, strlen(blob));
	assert_int_equal(b.err, KZT_OK);
	return cmd(f, 0x80, KZT_INS_UPDATE_OBJECT, h >> 8, h & 0xFF, data, b.len, 0);
}

static void
test_update_changes_only_a_private_keys_usage(void **state)
{
	fixture *f = *state;
	const uint8_t base = KZT_OBJF_PRIVATE | KZT_OBJF_MODIFIABLE;
	uint8_t n[512], fl;
	uint16_t priv, pub, data;
	size_t n_len;

	assert_int_equal(verify(f, KZT_PIN_USER, USER_PIN), KZT_SW_OK);
	generate(f, 2048, base | KZT_OBJF_DECRYPT, &priv, &pub, n, &n_len);
	assert_int_equal(mse(f, KZT_P2_MSE_DST, priv), KZT_SW_CONDITIONS);
	fl = base | KZT_OBJF_SIGN;
	assert_int_equal(update(f, priv, &fl, 1, "k"), KZT_SW_OK);
	assert_int_equal(mse(f, KZT_P2_MSE_DST, priv), KZT_SW_OK);
	assert_int_equal(mse(f, KZT_P2_MSE_CT, priv), KZT_SW_CONDITIONS);
	/* the private and modifiable flags are the card's to keep */
	fl = KZT_OBJF_MODIFIABLE | KZT_OBJF_SIGN;
	assert_int_equal(update(f, priv, &fl, 1, "k"), KZT_SW_WRONG_DATA);
	assert_int_equal(update(f, priv, (const uint8_t *)"\x06\x00", 2, "k"), KZT_SW_WRONG_DATA);
	/* a failed commit keeps the old flags */
	f->card.fail_commits = 1;
	fl = base | KZT_OBJF_DECRYPT;
	assert_int_equal(update(f, priv, &fl, 1, "k"), KZT_SW_MEMORY_FAILURE);
	assert_int_equal(mse(f, KZT_P2_MSE_DST, priv), KZT_SW_OK);
	/* on other objects the usage flags mean nothing and stay clear */
	assert_int_equal(create(f, KZT_CLASS_DATA, KZT_OBJF_MODIFIABLE, "d", "v", 1, &data), KZT_SW_OK);
	fl = KZT_OBJF_MODIFIABLE | KZT_OBJF_SIGN;
	assert_int_equal(update(f, data, &fl, 1, "e"), KZT_SW_OK);
	assert_int_equal(f->card.st.objects[f->card.st.nobjects - 1].flags, KZT_OBJF_MODIFIABLE);
	/* without flags, the blob alone changes */
	assert_int_equal(update(f, priv, NULL, 0, "blob"), KZT_SW_OK);
	assert_int_equal(mse(f, KZT_P2_MSE_DST, priv), KZT_SW_OK);
}

static void
test_private_key_material_is_never_read(void **state)
{
	fixture *f = *state;
	static const uint8_t off[4];
	uint8_t n[512];
	uint16_t priv, pub;
	size_t n_len;
	kzt_tlv t;

	assert_int_equal(verify(f, KZT_PIN_USER, USER_PIN), KZT_SW_OK);
	generate(f, 2048, KZT_OBJF_PRIVATE | KZT_OBJF_SIGN, &priv, &pub, n, &n_len);
	/* the private key object's value is its public part and nothing more */
	assert_int_equal(cmd(f, 0x80, KZT_INS_READ_OBJECT, priv >> 8, priv & 0xFF, off, 4, 65536),
			 KZT_SW_OK);
	assert_int_equal(kzt_tlv_find(f->resp, f->len, KZT_TAG_PUB_MODULUS, &t), KZT_OK);
	assert_memory_equal(t.val, n, n_len);
	assert_int_equal(kzt_tlv_find(f->resp, f->len, KZT_TAG_RSA_D, &t), KZT_ERR_NOT_FOUND);
	assert_int_equal(kzt_tlv_find(f->resp, f->len, KZT_TAG_RSA_P, &t), KZT_ERR_NOT_FOUND);
}

#if !defined(KZT_TEST_NO_OPENSSL)
/* Components of an OpenSSL-generated key as the CREATE OBJECT A5 element. */
static size_t
import_data(EVP_PKEY *pk, uint8_t *out, size_t cap, int corrupt)
{
	static const struct {
		const char *name;
		uint32_t tag;
	} parts[] = {{OSSL_PKEY_PARAM_RSA_N, KZT_TAG_RSA_N},         {OSSL_PKEY_PARAM_RSA_E, KZT_TAG_RSA_E},
		     {OSSL_PKEY_PARAM_RSA_D, KZT_TAG_RSA_D},         {OSSL_PKEY_PARAM_RSA_FACTOR1, KZT_TAG_RSA_P},
		     {OSSL_PKEY_PARAM_RSA_FACTOR2, KZT_TAG_RSA_Q},   {OSSL_PKEY_PARAM_RSA_EXPONENT1, KZT_TAG_RSA_DP},
		     {OSSL_PKEY_PARAM_RSA_EXPONENT2, KZT_TAG_RSA_DQ}, {OSSL_PKEY_PARAM_RSA_COEFFICIENT1, KZT_TAG_RSA_QINV}};
	uint8_t v[512];
	size_t mark, i;
	kzt_buf b;

	kzt_buf_init(&b, out, cap);
	kzt_tlv_put_u8(&b, KZT_TAG_OBJ_CLASS, KZT_CLASS_PRIVATE_KEY);
	kzt_tlv_put_u8(&b, KZT_TAG_OBJ_FLAGS, KZT_OBJF_PRIVATE | KZT_OBJF_SIGN);
	kzt_tlv_put(&b, KZT_TAG_OBJ_BLOB, "imported", 8);
	kzt_tlv_begin(&b, KZT_TAG_RSA_COMPONENTS, &mark);
	for (i = 0; i < 8; i++) {
		BIGNUM *bn = NULL;
		int len;
		assert_int_equal(EVP_PKEY_get_bn_param(pk, parts[i].name, &bn), 1);
		len = BN_bn2bin(bn, v);
		if (corrupt && parts[i].tag == KZT_TAG_RSA_D)
			v[len - 1] ^= 1;
		kzt_tlv_put(&b, parts[i].tag, v, (size_t)len);
		BN_clear_free(bn);
	}
	kzt_tlv_end(&b, mark);
	assert_int_equal(b.err, KZT_OK);
	return b.len;
}

static void
test_imported_key_signs_and_bad_keys_are_refused(void **state)
{
	fixture *f = *state;
	uint8_t data[4096], block[256], n[256], back[256];
	EVP_PKEY *pk = EVP_RSA_gen(2048);
	BIGNUM *bn = NULL;
	size_t len;
	kzt_tlv t;
	uint16_t h;

	assert_non_null(pk);
	assert_int_equal(verify(f, KZT_PIN_USER, USER_PIN), KZT_SW_OK);
	len = import_data(pk, data, sizeof(data), 1);
	assert_int_equal(cmd(f, 0x80, KZT_INS_CREATE_OBJECT, 0, 0, data, len, 16), KZT_SW_WRONG_DATA);
	assert_int_equal(f->card.st.nobjects, 0);
	len = import_data(pk, data, sizeof(data), 0);
	assert_int_equal(cmd(f, 0x80, KZT_INS_CREATE_OBJECT, 0, 0, data, len, 16), KZT_SW_OK);
	assert_int_equal(kzt_tlv_find(f->resp, f->len, KZT_TAG_OBJ_HANDLE, &t), KZT_OK);
	h = (uint16_t)(t.val[0] << 8 | t.val[1]);
	assert_int_equal(EVP_PKEY_get_bn_param(pk, OSSL_PKEY_PARAM_RSA_N, &bn), 1);
	assert_int_equal(BN_bn2binpad(bn, n, 256), 256);
	BN_free(bn);
	memset(block, 0x5A, sizeof(block));
	block[0] = 0;
	assert_int_equal(mse(f, KZT_P2_MSE_DST, h), KZT_SW_OK);
	assert_int_equal(cmd(f, 0x00, KZT_INS_PSO, 0x9E, 0x9A, block, 256, 65536), KZT_SW_OK);
	public_op(n, 256, f->resp, back);
	assert_memory_equal(back, block, 256);
	/* a private key without components, or a data object with them, is malformed */
	assert_int_equal(create(f, KZT_CLASS_PRIVATE_KEY, 0, "k", NULL, 0, NULL), KZT_SW_WRONG_DATA);
	EVP_PKEY_free(pk);
}

#endif

static void
test_objects_and_keys_survive_a_restart(void **state)
{
	fixture *f = *state;
	char dir[] = "/tmp/kzt-obj-XXXXXX", path[64];
	uint8_t n[512], block[512], back[512], point[KZT_EC_MAX_BYTES * 2 + 1];
	uint16_t priv, pub, ec_priv, ec_pub;
	size_t n_len, point_len;
	kzt_card again;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/t.kzt", dir);
	kzt_card_close(&f->card);
	assert_int_equal(kzt_card_open(&f->card, path, NULL, 0), KZT_OK);
	assert_int_equal(select_applet(f), KZT_SW_OK);
	assert_int_equal(verify(f, KZT_PIN_USER, USER_PIN), KZT_SW_OK);
	generate(f, 2048, KZT_OBJF_PRIVATE | KZT_OBJF_SIGN, &priv, &pub, n, &n_len);
	assert_int_equal(create(f, KZT_CLASS_DATA, 0, "note", "hello", 5, NULL), KZT_SW_OK);
	assert_int_equal(generate_ec(f, KZT_CURVE_GOST_512_A, KZT_OBJF_PRIVATE | KZT_OBJF_SIGN, &ec_priv, &ec_pub,
				     point, &point_len),
			 KZT_SW_OK);

	/* a second card from the same store: everything is there and the key works */
	kzt_card_close(&f->card);
	assert_int_equal(kzt_card_open(&again, path, NULL, 0), KZT_OK);
	f->card = again;
	kzt_card_session_reset(&f->s);
	assert_int_equal(select_applet(f), KZT_SW_OK);
	assert_int_equal(f->card.st.nobjects, 5);
	assert_int_equal(verify(f, KZT_PIN_USER, USER_PIN), KZT_SW_OK);
	memset(block, 0x33, n_len);
	block[0] = 0;
	assert_int_equal(mse(f, KZT_P2_MSE_DST, priv), KZT_SW_OK);
	assert_int_equal(cmd(f, 0x00, KZT_INS_PSO, 0x9E, 0x9A, block, n_len, 65536), KZT_SW_OK);
	public_op(n, n_len, f->resp, back);
	assert_memory_equal(back, block, n_len);
	assert_int_equal(mse_alg(f, KZT_P2_MSE_DST, ec_priv, KZT_ALG_GOST), KZT_SW_OK);
	ec_sign_checked(f, 6, point, block, 64); /* (ec_curves[6]: TC26 512-A) */
	unlink(path);
	rmdir(dir);
}

static void
test_format_erases_objects_and_put_data_sets_the_label(void **state)
{
	fixture *f = *state;
	uint32_t c0;

	assert_int_equal(cmd(f, 0, KZT_INS_PUT_DATA, 0x00, 0xC3, "Bank", 4, 0), KZT_SW_SECURITY_STATUS);
	assert_int_equal(verify(f, KZT_PIN_USER, USER_PIN), KZT_SW_OK);
	c0 = f->card.st.change_counter;
	assert_int_equal(cmd(f, 0, KZT_INS_PUT_DATA, 0x00, 0xC3, "Bank", 4, 0), KZT_SW_OK);
	assert_int_equal(f->card.st.label_len, 4);
	assert_int_equal(f->card.st.change_counter, c0 + 1);
	assert_int_equal(cmd(f, 0, KZT_INS_PUT_DATA, 0x00, 0xC3, "0123456789012345678901234567890123", 34, 0),
			 KZT_SW_WRONG_DATA);
	assert_int_equal(create(f, KZT_CLASS_DATA, 0, "x", "y", 1, NULL), KZT_SW_OK);
	assert_int_equal(verify(f, KZT_PIN_ADMIN, "87654321"), KZT_SW_OK);
	assert_int_equal(cmd(f, 0x80, KZT_INS_FORMAT, 0, 0, NULL, 0, 0), KZT_SW_OK);
	assert_int_equal(f->card.st.nobjects, 0);
	assert_int_equal(kzt_card_used(&f->card.st), 0);
}

static void
test_a_private_listing_holds_the_counter_and_the_private_objects_alone(void **state)
{
	fixture *f = *state;
	static const uint8_t private_only = KZT_LIST_PRIVATE, two[2] = {KZT_LIST_PRIVATE, 0}, other = 2;
	const uint8_t *p;
	size_t n, entries = 0;
	uint16_t h;
	kzt_tlv t, e;

	assert_int_equal(verify(f, KZT_PIN_USER, USER_PIN), KZT_SW_OK);
	assert_int_equal(create(f, KZT_CLASS_DATA, 0, "public", "p", 1, &h), KZT_SW_OK);
	assert_int_equal(create(f, KZT_CLASS_DATA, KZT_OBJF_PRIVATE, "secret", "s", 1, &h), KZT_SW_OK);
	assert_int_equal(cmd(f, 0x80, KZT_INS_LIST_OBJECTS, 0, 0, &private_only, 1, 256), KZT_SW_OK);
	p = f->resp;
	n = f->len;
	assert_int_equal(kzt_tlv_next(&p, &n, &t), KZT_OK);
	assert_int_equal(t.tag, KZT_TAG_CHANGE_COUNTER);
	assert_int_equal(t.len, 4);
	assert_int_equal(kzt_get_u32(t.val), f->card.st.change_counter);
	while (n > 0) {
		assert_int_equal(kzt_tlv_next(&p, &n, &e), KZT_OK);
		assert_int_equal(e.tag, KZT_TAG_DIR_ENTRY);
		assert_int_equal(kzt_tlv_find(e.val, e.len, KZT_TAG_OBJ_FLAGS, &t), KZT_OK);
		assert_true(t.val[0] & KZT_OBJF_PRIVATE);
		entries++;
	}
	assert_int_equal(entries, 1);
	/* another selector, a longer field; and without the user, nothing */
	assert_int_equal(cmd(f, 0x80, KZT_INS_LIST_OBJECTS, 0, 0, &other, 1, 256), KZT_SW_WRONG_DATA);
	assert_int_equal(cmd(f, 0x80, KZT_INS_LIST_OBJECTS, 0, 0, two, 2, 256), KZT_SW_WRONG_LENGTH);
	assert_int_equal(cmd(f, 0x00, KZT_INS_VERIFY, KZT_P1_LOGOUT, KZT_PIN_USER, NULL, 0, 0), KZT_SW_OK);
	assert_int_equal(cmd(f, 0x80, KZT_INS_LIST_OBJECTS, 0, 0, &private_only, 1, 256), KZT_SW_SECURITY_STATUS);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_a_private_listing_holds_the_counter_and_the_private_objects_alone,
						card_setup, card_teardown),
		cmocka_unit_test_setup_teardown(test_objects_need_the_user_and_round_trip, card_setup, card_teardown),
		cmocka_unit_test_setup_teardown(test_private_objects_are_hidden_until_verify, card_setup, card_teardown),
		cmocka_unit_test_setup_teardown(test_directory_is_read_in_pages, card_setup, card_teardown),
		cmocka_unit_test_setup_teardown(test_update_and_delete_change_the_counter, card_setup, card_teardown),
		cmocka_unit_test_setup_teardown(test_full_store_refuses_and_keeps_everything, card_setup, card_teardown),
		cmocka_unit_test_setup_teardown(test_generated_key_signs_and_deciphers, card_setup, card_teardown),
		cmocka_unit_test_setup_teardown(test_ec_keys_are_made_on_every_curve_and_sign, card_setup, card_teardown),
		cmocka_unit_test_setup_teardown(test_malformed_ec_requests_are_refused, card_setup, card_teardown),
		cmocka_unit_test_setup_teardown(test_key_usage_flags_are_enforced, card_setup, card_teardown),
		cmocka_unit_test_setup_teardown(test_update_changes_only_a_private_keys_usage, card_setup, card_teardown),
		cmocka_unit_test_setup_teardown(test_private_key_material_is_never_read, card_setup, card_teardown),
		cmocka_unit_test_setup_teardown(test_read_values_gives_many_values_in_pages_and_says_why_one_is_missing,
						card_setup, card_teardown),
		cmocka_unit_test_setup_teardown(test_connections_sign_at_once_and_a_gone_key_keeps_no_state, card_setup,
						card_teardown),
#if !defined(KZT_TEST_NO_OPENSSL)
		cmocka_unit_test_setup_teardown(test_imported_key_signs_and_bad_keys_are_refused, card_setup, card_teardown),
#endif
		cmocka_unit_test_setup_teardown(test_objects_and_keys_survive_a_restart, card_setup, card_teardown),
		cmocka_unit_test_setup_teardown(test_format_erases_objects_and_put_data_sets_the_label, card_setup, card_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
