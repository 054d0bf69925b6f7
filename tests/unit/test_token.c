/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* The token driver against the in-process applet, and against malformed cards. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#if !defined(KZT_TEST_NO_OPENSSL)
#include <openssl/bn.h>
#else
#include "rsa.h"
#endif

#include "card.h"
#include "ec.h"
#include "kzt_err.h"
#include "loopback.h"
#include "token.h"

typedef struct fixture {
	kzt_card card;
	loopback lb;
	kzt_transport *tr;
	kzt_token *tok;
} fixture;

static int
setup(void **state)
{
	fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	assert_int_equal(kzt_card_open(&f->card, NULL, NULL, 0), KZT_OK);
	f->lb.card = &f->card;
	f->lb.present = 1;
	f->tr = loopback_transport(&f->lb);
	assert_int_equal(kzt_token_open(f->tr, &f->tok), KZT_OK);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	fixture *f = *state;

	kzt_token_free(&f->tok);
	assert_null(f->tok);
	kzt_transport_free(&f->tr);
	kzt_card_close(&f->card);
	free(f);
	return 0;
}

#define PIN(s) (const uint8_t *)(s), strlen(s)

static void
test_open_reads_the_card_info(void **state)
{
	fixture *f = *state;
	const kzt_card_info *ci = kzt_token_card_info(f->tok);

	assert_memory_equal(ci->serial, f->card.st.serial, KZT_SERIAL_LEN);
	assert_int_equal(ci->version_major, 1);
	assert_true(ci->capabilities & KZT_CAP_EXTENDED_LENGTH);
	assert_int_equal(ci->max_command, KZT_CARD_MAX_DATA);
}

static void
test_state_shows_defaults_and_counters(void **state)
{
	fixture *f = *state;
	kzt_token_state st;

	assert_int_equal(kzt_token_verify(f->tok, KZT_ROLE_USER, PIN("11111111")),
			 KZT_ERR_PIN_INCORRECT);
	assert_int_equal(kzt_token_read_state(f->tok, &st), KZT_OK);
	assert_int_equal(st.label_len, 0);
	assert_int_equal(st.user.tries_left, 9);
	assert_int_equal(st.user.max_tries, 10);
	assert_int_equal(st.user.min_len, 6);
	assert_true(st.user.is_default);
	assert_true(st.admin.is_default);
	assert_int_equal(st.policy, KZT_POLICY_BOTH);
	assert_int_equal(st.mem_total, KZT_DEFAULT_CAPACITY);
}

static void
test_one_apdu_per_login(void **state)
{
	fixture *f = *state;
	unsigned before = f->lb.apdus;

	assert_int_equal(kzt_token_verify(f->tok, KZT_ROLE_USER, PIN("12345678")), KZT_OK);
	assert_int_equal(f->lb.apdus - before, 1);
}

static void
test_pin_lifecycle_through_the_driver(void **state)
{
	fixture *f = *state;
	kzt_token_state st;
	int i;

	assert_int_equal(kzt_token_change_pin(f->tok, KZT_ROLE_USER, PIN("12345678"), PIN("123")),
			 KZT_ERR_PIN_LEN);
	assert_int_equal(kzt_token_change_pin(f->tok, KZT_ROLE_USER, PIN("12345678"), PIN("qwerty12")),
			 KZT_OK);
	assert_int_equal(kzt_token_read_state(f->tok, &st), KZT_OK);
	assert_false(st.user.is_default);
	for (i = 0; i < 9; i++)
		assert_int_equal(kzt_token_verify(f->tok, KZT_ROLE_USER, PIN("00000000")),
				 KZT_ERR_PIN_INCORRECT);
	assert_int_equal(kzt_token_verify(f->tok, KZT_ROLE_USER, PIN("00000000")),
			 KZT_ERR_PIN_LOCKED);
	assert_int_equal(kzt_token_reset_user_pin(f->tok, NULL, 0), KZT_ERR_NOT_AUTH);
	assert_int_equal(kzt_token_verify(f->tok, KZT_ROLE_ADMIN, PIN("87654321")), KZT_OK);
	assert_int_equal(kzt_token_reset_user_pin(f->tok, NULL, 0), KZT_OK);
	assert_int_equal(kzt_token_verify(f->tok, KZT_ROLE_USER, PIN("qwerty12")), KZT_OK);
	assert_int_equal(kzt_token_reset_user_pin(f->tok, PIN("55555555")), KZT_OK);
	assert_int_equal(kzt_token_verify(f->tok, KZT_ROLE_USER, PIN("55555555")), KZT_OK);
	assert_int_equal(kzt_token_logout(f->tok, KZT_ROLE_ADMIN), KZT_OK);
	assert_int_equal(kzt_token_reset_user_pin(f->tok, NULL, 0), KZT_ERR_NOT_AUTH);
}

static void
test_policy_refusal_is_its_own_status(void **state)
{
	fixture *f = *state;

	f->card.st.policy = KZT_POLICY_ADMIN;
	assert_int_equal(kzt_token_change_pin(f->tok, KZT_ROLE_USER, PIN("12345678"), PIN("24682468")),
			 KZT_ERR_POLICY);
}

static void
test_format_sets_label_and_restores_default_user_pin(void **state)
{
	fixture *f = *state;
	kzt_format_params p;
	kzt_token_state st;

	assert_int_equal(kzt_token_change_pin(f->tok, KZT_ROLE_USER, PIN("12345678"), PIN("qwerty12")),
			 KZT_OK);
	memset(&p, 0, sizeof(p));
	p.label = (const uint8_t *)"NCA keys";
	p.label_len = 8;
	assert_int_equal(kzt_token_format(f->tok, &p), KZT_ERR_NOT_AUTH);
	assert_int_equal(kzt_token_verify(f->tok, KZT_ROLE_ADMIN, PIN("87654321")), KZT_OK);
	assert_int_equal(kzt_token_format(f->tok, &p), KZT_OK);
	assert_int_equal(kzt_token_read_state(f->tok, &st), KZT_OK);
	assert_int_equal(st.label_len, 8);
	assert_memory_equal(st.label, "NCA keys", 8);
	assert_true(st.user.is_default);
	assert_int_equal(kzt_token_verify(f->tok, KZT_ROLE_USER, PIN("12345678")), KZT_OK);
}

static void
test_removed_card_is_reported_as_such(void **state)
{
	fixture *f = *state;
	kzt_token_state st;

	f->lb.present = 0;
	assert_int_equal(kzt_token_read_state(f->tok, &st), KZT_ERR_NO_CARD);
	assert_int_equal(kzt_token_verify(f->tok, KZT_ROLE_USER, PIN("12345678")), KZT_ERR_NO_CARD);
}

static void
test_malformed_card_answers_are_errors_not_crashes(void **state)
{
	fixture *f = *state;
	static const uint8_t junk_state[] = {0xE1, 0x05, 0x81, 0x40, 0x00, 0x90, 0x00, 0x90, 0x00};
	static const uint8_t too_short[] = {0x90};
	static const uint8_t empty_ok[] = {0x90, 0x00};
	static const uint8_t weird_sw[] = {0x6F, 0x12};
	static const uint8_t bad_tries[] = {0xE1, 0x03, 0xA1, 0x01, 0x00, 0x90, 0x00};
	kzt_token_state st;
	kzt_token *t2;

	f->lb.canned = junk_state;
	f->lb.canned_len = sizeof(junk_state);
	assert_int_equal(kzt_token_read_state(f->tok, &st), KZT_ERR_CARD);
	f->lb.canned = too_short;
	f->lb.canned_len = sizeof(too_short);
	assert_int_equal(kzt_token_read_state(f->tok, &st), KZT_ERR_PARSE);
	f->lb.canned = empty_ok;
	f->lb.canned_len = sizeof(empty_ok);
	assert_int_equal(kzt_token_read_state(f->tok, &st), KZT_ERR_CARD);
	f->lb.canned = bad_tries;
	f->lb.canned_len = sizeof(bad_tries);
	assert_int_equal(kzt_token_read_state(f->tok, &st), KZT_ERR_CARD);
	f->lb.canned = weird_sw;
	f->lb.canned_len = sizeof(weird_sw);
	assert_int_equal(kzt_token_verify(f->tok, KZT_ROLE_USER, PIN("12345678")), KZT_ERR_CARD);
	/* A card whose SELECT answer is not our FCI is no KAZTOKEN we can use. */
	f->lb.canned = empty_ok;
	f->lb.canned_len = sizeof(empty_ok);
	assert_int_equal(kzt_token_open(f->tr, &t2), KZT_ERR_CARD);
	assert_null(t2);
}

static void
test_card_with_foreign_atr_is_not_a_kaztoken(void **state)
{
	fixture *f = *state;
	static const uint8_t other_atr[] = {0x3B, 0x8F, 0x80, 0x01, 0x80, 0x4F, 0x0C};
	kzt_token *t2;

	f->lb.atr = other_atr;
	f->lb.atr_len = sizeof(other_atr);
	assert_int_equal(kzt_token_open(f->tr, &t2), KZT_ERR_NOT_FOUND);
	f->lb.atr = NULL;
	f->lb.present = 0;
	assert_int_equal(kzt_token_open(f->tr, &t2), KZT_ERR_NO_CARD);
}

static void
test_objects_through_the_driver(void **state)
{
	fixture *f = *state;
	uint8_t cert[3000], *dir, *val;
	size_t len, n, i;
	const uint8_t *p;
	kzt_dir_entry e;
	uint32_t c0, c1;
	uint16_t h;

	for (i = 0; i < sizeof(cert); i++)
		cert[i] = (uint8_t)(i ^ 0x5A);
	assert_int_equal(kzt_token_change_counter(f->tok, &c0), KZT_OK);
	assert_int_equal(kzt_token_create_object(f->tok, KZT_CLASS_CERTIFICATE, 0, (const uint8_t *)"b", 1,
						 cert, sizeof(cert), NULL, &h),
			 KZT_ERR_NOT_AUTH);
	assert_int_equal(kzt_token_verify(f->tok, KZT_ROLE_USER, PIN("12345678")), KZT_OK);
	assert_int_equal(kzt_token_create_object(f->tok, KZT_CLASS_CERTIFICATE, KZT_OBJF_MODIFIABLE,
						 (const uint8_t *)"attrs", 5, cert, sizeof(cert), NULL, &h),
			 KZT_OK);
	assert_int_equal(kzt_token_list_objects(f->tok, &dir, &len), KZT_OK);
	p = dir;
	n = len;
	assert_int_equal(kzt_dir_next(&p, &n, &e), KZT_OK);
	assert_int_equal(e.handle, h);
	assert_int_equal(e.cls, KZT_CLASS_CERTIFICATE);
	assert_int_equal(e.value_len, sizeof(cert));
	assert_int_equal(e.blob_len, 5);
	assert_memory_equal(e.blob, "attrs", 5);
	assert_int_equal(kzt_dir_next(&p, &n, &e), KZT_ERR_NOT_FOUND);
	free(dir);
	assert_int_equal(kzt_token_read_object(f->tok, h, &val, &len), KZT_OK);
	assert_int_equal(len, sizeof(cert));
	assert_memory_equal(val, cert, len);
	free(val);
	assert_int_equal(kzt_token_update_object(f->tok, h, KZT_OBJF_MODIFIABLE, (const uint8_t *)"new", 3), KZT_OK);
	assert_int_equal(kzt_token_set_label(f->tok, (const uint8_t *)"Bank", 4), KZT_OK);
	assert_int_equal(kzt_token_delete_object(f->tok, h), KZT_OK);
	assert_int_equal(kzt_token_delete_object(f->tok, h), KZT_ERR_NOT_FOUND);
	assert_int_equal(kzt_token_read_object(f->tok, h, &val, &len), KZT_ERR_NOT_FOUND);
	assert_null(val);
	assert_int_equal(kzt_token_change_counter(f->tok, &c1), KZT_OK);
	assert_int_equal(c1, c0 + 4);
}

/* What READ VALUES gave, in order. */
typedef struct got_values {
	uint16_t handle[8];
	size_t len[8];
	int status[8];
	uint8_t first_byte; /* the first value's */
	size_t n;
} got_values;

static int
got_one(void *ctx, uint16_t handle, const uint8_t *value, size_t len, int status)
{
	got_values *g = ctx;

	assert_true(g->n < 8);
	if (g->n == 0 && len > 0)
		g->first_byte = value[0];
	g->handle[g->n] = handle;
	g->len[g->n] = len;
	g->status[g->n++] = status;
	return KZT_OK;
}

static void
test_read_values_gives_each_value_or_its_reason_and_refuses_a_malformed_answer(void **state)
{
	fixture *f = *state;
	uint8_t cert[3000];
	uint16_t h[3], ask[3];
	got_values g;
	size_t i;
	/* one entry for handle 0001 whose value TLV runs past the end; the wrong
	 * handle; an entry with neither value nor status; one entry too many */
	static const uint8_t overrun[] = {0x61, 0x08, 0x80, 0x02, 0x00, 0x01, 0x84, 0x09, 0x00, 0x00, 0x90, 0x00};
	static const uint8_t wrong[] = {0x61, 0x06, 0x80, 0x02, 0x00, 0x02, 0x84, 0x00, 0x90, 0x00};
	static const uint8_t neither[] = {0x61, 0x04, 0x80, 0x02, 0x00, 0x01, 0x90, 0x00};
	static const uint8_t extra[] = {0x61, 0x06, 0x80, 0x02, 0x00, 0x01, 0x84, 0x00,
					0x61, 0x06, 0x80, 0x02, 0x00, 0x01, 0x84, 0x00, 0x90, 0x00};
	static const uint8_t ok_status[] = {0x61, 0x08, 0x80, 0x02, 0x00, 0x01, 0x86, 0x02, 0x90, 0x00, 0x90, 0x00};
	static const struct {
		const uint8_t *p;
		size_t n;
	} bad[] = {{overrun, sizeof(overrun)}, {wrong, sizeof(wrong)}, {neither, sizeof(neither)},
		   {extra, sizeof(extra)}, {ok_status, sizeof(ok_status)}};

	for (i = 0; i < sizeof(cert); i++)
		cert[i] = (uint8_t)(i ^ 0x5A);
	assert_int_equal(kzt_token_verify(f->tok, KZT_ROLE_USER, PIN("12345678")), KZT_OK);
	assert_int_equal(kzt_token_create_object(f->tok, KZT_CLASS_CERTIFICATE, 0, (const uint8_t *)"a", 1,
						 cert, sizeof(cert), NULL, &h[0]),
			 KZT_OK);
	assert_int_equal(kzt_token_create_object(f->tok, KZT_CLASS_DATA, KZT_OBJF_PRIVATE, (const uint8_t *)"s", 1,
						 cert, 10, NULL, &h[1]),
			 KZT_OK);
	assert_int_equal(kzt_token_logout(f->tok, KZT_ROLE_USER), KZT_OK);
	ask[0] = h[0], ask[1] = 0x4242, ask[2] = h[1];
	memset(&g, 0, sizeof(g));
	assert_int_equal(kzt_token_read_values(f->tok, ask, 3, got_one, &g), KZT_OK);
	assert_int_equal(g.n, 3);
	assert_int_equal(g.handle[0], h[0]);
	assert_int_equal(g.status[0], KZT_OK);
	assert_int_equal(g.len[0], sizeof(cert));
	assert_int_equal(g.first_byte, cert[0]);
	assert_int_equal(g.status[1], KZT_ERR_NOT_FOUND);
	assert_int_equal(g.status[2], KZT_ERR_NOT_AUTH);
	/* nothing to ask, or too much */
	assert_int_equal(kzt_token_read_values(f->tok, ask, 0, got_one, &g), KZT_ERR_ARGS);
	assert_int_equal(kzt_token_read_values(f->tok, ask, KZT_READ_VALUES_MAX_HANDLES + 1, got_one, &g),
			 KZT_ERR_ARGS);
	/* a malformed answer: an error, and not one call made */
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		f->lb.canned = bad[i].p;
		f->lb.canned_len = bad[i].n;
		memset(&g, 0, sizeof(g));
		ask[0] = 0x0001;
		assert_int_equal(kzt_token_read_values(f->tok, ask, 1, got_one, &g), KZT_ERR_CARD);
		assert_int_equal(g.n, 0);
	}
	f->lb.canned = NULL;
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

	BN_set_word(e, 65537);
	assert_int_equal(BN_mod_exp(r, x, e, bn, ctx), 1);
	assert_int_equal(BN_bn2binpad(r, out, (int)n_len), (int)n_len);
	BN_free(bn), BN_free(x), BN_free(e), BN_free(r);
	BN_CTX_free(ctx);
#endif
}

static void
test_keys_through_the_driver(void **state)
{
	fixture *f = *state;
	kzt_keygen g = {2048, (const uint8_t *)"\x01\x00\x01", 3, (const uint8_t *)"pv", (const uint8_t *)"pb",
			2, 2, KZT_OBJF_PRIVATE | KZT_OBJF_SIGN | KZT_OBJF_DECRYPT, 0, 0};
	uint8_t n[512], block[256], out[256], check[256], ct[256];
	size_t n_len, len;
	uint16_t priv, pub;
	unsigned before;

	assert_int_equal(kzt_token_verify(f->tok, KZT_ROLE_USER, PIN("12345678")), KZT_OK);
	assert_int_equal(kzt_token_generate_rsa(f->tok, &g, n, sizeof(n), &n_len, &priv, &pub), KZT_OK);
	assert_int_equal(n_len, 256);
	memset(block, 0x42, sizeof(block));
	block[0] = 0x00; /* below n */

	/* sign: s = block^d, so s^e == block; two APDUs (MSE SET + PSO) */
	before = f->lb.apdus;
	assert_int_equal(kzt_token_rsa_private(f->tok, priv, 0, block, 256, out, sizeof(out), &len), KZT_OK);
	assert_int_equal(f->lb.apdus - before, 2);
	assert_int_equal(len, 256);
	public_op(n, n_len, out, check);
	assert_memory_equal(check, block, 256);

	/* decipher: c = block^e, and the card gives block back */
	public_op(n, n_len, block, ct);
	assert_int_equal(kzt_token_rsa_private(f->tok, priv, 1, ct, 256, out, sizeof(out), &len), KZT_OK);
	assert_memory_equal(out, block, 256);

	/* the public key object is no private key; a short block is refused */
	assert_int_equal(kzt_token_rsa_private(f->tok, pub, 0, block, 256, out, sizeof(out), &len),
			 KZT_ERR_NOT_FOUND);
	assert_int_equal(kzt_token_rsa_private(f->tok, priv, 0, block, 255, out, sizeof(out), &len),
			 KZT_ERR_DATA);
	g.bits = 1024; /* below the card's minimum */
	assert_int_equal(kzt_token_generate_rsa(f->tok, &g, n, sizeof(n), &n_len, &priv, &pub),
			 KZT_ERR_DATA);
}

/* Elliptic-curve keys through the driver: made on the card, their point given,
 * and their signatures good under it; each key with its own algorithm only. */
static void
test_ec_keys_through_the_driver(void **state)
{
	static const struct {
		uint8_t curve, alg;
		kzt_ec_id id;
	} kinds[] = {{KZT_CURVE_P256, KZT_ALG_ECDSA, KZT_EC_P256}, {KZT_CURVE_GOST_512_A, KZT_ALG_GOST, KZT_EC_GOST_512_A}};
	fixture *f = *state;
	kzt_keygen g = {0, NULL, 0, (const uint8_t *)"pv", (const uint8_t *)"pb", 2, 2, KZT_OBJF_PRIVATE | KZT_OBJF_SIGN,
			0, 0};
	static kzt_ec_curve c;
	uint8_t point[129], hash[64], sig[128];
	size_t point_len, len, i;
	uint16_t priv, pub;

	assert_int_equal(kzt_token_verify(f->tok, KZT_ROLE_USER, PIN("12345678")), KZT_OK);
	for (i = 0; i < 2; i++) {
		assert_int_equal(kzt_ec_curve_load(&c, kinds[i].id), KZT_OK);
		g.curve = kinds[i].curve;
		assert_int_equal(kzt_token_generate_ec(f->tok, &g, point, sizeof(point), &point_len, &priv, &pub), KZT_OK);
		assert_int_equal(point_len, 1 + 2 * c.bytes);
		memset(hash, (int)i + 1, sizeof(hash));
		assert_int_equal(kzt_token_ec_sign(f->tok, priv, kinds[i].alg, 2 * c.bytes, hash, c.bytes, sig, sizeof(sig),
						   &len),
				 KZT_OK);
		assert_int_equal(len, 2 * c.bytes);
		assert_int_equal(kzt_ec_verify(&c, kinds[i].alg == KZT_ALG_GOST ? KZT_EC_GOST : KZT_EC_ECDSA, point + 1,
					       hash, c.bytes, sig),
				 KZT_OK);
		/* the other algorithm, and a hash too long, are refused; so is the other
		 * algorithm right after the key's own on a card session of our own, where
		 * the key stays selected */
		f->tr->session_ours = 1;
		assert_int_equal(kzt_token_ec_sign(f->tok, priv, kinds[i].alg, 2 * c.bytes, hash, c.bytes, sig, sizeof(sig),
						   &len),
				 KZT_OK);
		assert_int_equal(kzt_token_ec_sign(f->tok, priv, kinds[i].alg == KZT_ALG_GOST ? KZT_ALG_ECDSA : KZT_ALG_GOST,
						   2 * c.bytes, hash, c.bytes, sig, sizeof(sig), &len),
				 KZT_ERR_POLICY);
		f->tr->session_ours = 0;
		assert_int_equal(kzt_token_ec_sign(f->tok, priv, kinds[i].alg == KZT_ALG_GOST ? KZT_ALG_ECDSA : KZT_ALG_GOST,
						   2 * c.bytes, hash, c.bytes, sig, sizeof(sig), &len),
				 KZT_ERR_POLICY);
		assert_int_equal(kzt_token_ec_sign(f->tok, priv, kinds[i].alg, 2 * c.bytes, hash, 65, sig, sizeof(sig), &len),
				 KZT_ERR_ARGS);
	}
	g.curve = 0x7F; /* no curve the card has */
	assert_int_equal(kzt_token_generate_ec(f->tok, &g, point, sizeof(point), &point_len, &priv, &pub), KZT_ERR_DATA);
}

/* A key object's value as the card writes it: an EC key's curve and point, or an
 * RSA key's numbers (not an EC key's); anything malformed is refused. */
static void
test_an_ec_key_value_parses_and_a_malformed_one_is_refused(void **state)
{
	uint8_t v[2 + 1 + 2 + 1 + 96], curve = 0;
	const uint8_t *point, *n, *e;
	size_t len, n_len, e_len;

	(void)state;
	/* 99 01 01  86 41 04 || x || y: P-256 */
	v[0] = 0x99, v[1] = 1, v[2] = KZT_CURVE_P256, v[3] = 0x86, v[4] = 65, v[5] = 0x04;
	memset(v + 6, 0x5A, 64);
	assert_int_equal(kzt_ec_value_parse(v, 6 + 64, &curve, &point, &len), KZT_OK);
	assert_int_equal(curve, KZT_CURVE_P256);
	assert_ptr_equal(point, v + 5);
	assert_int_equal(len, 65);
	assert_int_equal(kzt_key_value_parse(v, 6 + 64, &n, &n_len, &e, &e_len), KZT_ERR_CARD);
	/* a point one byte short, or with the length of another curve's */
	assert_int_equal(kzt_ec_value_parse(v, 6 + 63, &curve, &point, &len), KZT_ERR_CARD);
	v[2] = KZT_CURVE_P384;
	assert_int_equal(kzt_ec_value_parse(v, 6 + 64, &curve, &point, &len), KZT_ERR_CARD);
	/* a curve the driver does not know; a compressed point; a two-byte curve */
	v[2] = 0x7F;
	assert_int_equal(kzt_ec_value_parse(v, 6 + 64, &curve, &point, &len), KZT_ERR_CARD);
	v[4] = 1; /* ...whose "point" is the 04 alone */
	assert_int_equal(kzt_ec_value_parse(v, 6, &curve, &point, &len), KZT_ERR_CARD);
	v[4] = 65;
	v[2] = KZT_CURVE_P256, v[5] = 0x02;
	assert_int_equal(kzt_ec_value_parse(v, 6 + 64, &curve, &point, &len), KZT_ERR_CARD);
	v[5] = 0x04, v[1] = 2;
	assert_int_equal(kzt_ec_value_parse(v, 6 + 64, &curve, &point, &len), KZT_ERR_CARD);
	v[1] = 1;
	/* no point at all; a truncated TLV; nothing */
	assert_int_equal(kzt_ec_value_parse(v, 3, &curve, &point, &len), KZT_ERR_CARD);
	assert_int_equal(kzt_ec_value_parse(v, 2, &curve, &point, &len), KZT_ERR_CARD);
	assert_int_equal(kzt_ec_value_parse(v, 0, &curve, &point, &len), KZT_ERR_NOT_FOUND);
	/* an RSA key's value is not an EC key's */
	v[0] = 0x81, v[1] = 1, v[2] = 0xC5, v[3] = 0x82, v[4] = 1, v[5] = 3;
	assert_int_equal(kzt_ec_value_parse(v, 6, &curve, &point, &len), KZT_ERR_NOT_FOUND);
	assert_int_equal(kzt_key_value_parse(v, 6, &n, &n_len, &e, &e_len), KZT_OK);
}

static void
test_a_key_stays_selected_on_a_card_session_of_our_own_and_only_there(void **state)
{
	fixture *f = *state;
	kzt_keygen g = {2048, (const uint8_t *)"\x01\x00\x01", 3, (const uint8_t *)"pv", (const uint8_t *)"pb",
			2, 2, KZT_OBJF_PRIVATE | KZT_OBJF_SIGN | KZT_OBJF_MODIFIABLE, 0, 0};
	uint8_t n[512], block[256], out[256], check[256];
	size_t n_len, len;
	uint16_t a, b, pub;
	unsigned before;

	assert_int_equal(kzt_token_verify(f->tok, KZT_ROLE_USER, PIN("12345678")), KZT_OK);
	assert_int_equal(kzt_token_generate_rsa(f->tok, &g, n, sizeof(n), &n_len, &b, &pub), KZT_OK);
	assert_int_equal(kzt_token_generate_rsa(f->tok, &g, n, sizeof(n), &n_len, &a, &pub), KZT_OK);
	memset(block, 0x42, sizeof(block));
	block[0] = 0x00;
	/* shared (as through PC/SC): MSE SET every time */
	f->tr->session_ours = 0;
	before = f->lb.apdus;
	assert_int_equal(kzt_token_rsa_private(f->tok, a, 0, block, 256, out, sizeof(out), &len), KZT_OK);
	assert_int_equal(kzt_token_rsa_private(f->tok, a, 0, block, 256, out, sizeof(out), &len), KZT_OK);
	assert_int_equal(f->lb.apdus - before, 4);
	/* ours: the second signature with the same key is the PSO alone */
	f->tr->session_ours = 1;
	before = f->lb.apdus;
	assert_int_equal(kzt_token_rsa_private(f->tok, a, 0, block, 256, out, sizeof(out), &len), KZT_OK);
	assert_int_equal(kzt_token_rsa_private(f->tok, a, 0, block, 256, out, sizeof(out), &len), KZT_OK);
	assert_int_equal(f->lb.apdus - before, 3);
	public_op(n, n_len, out, check);
	assert_memory_equal(check, block, 256);
	/* another key is selected anew */
	before = f->lb.apdus;
	assert_int_equal(kzt_token_rsa_private(f->tok, b, 0, block, 256, out, sizeof(out), &len), KZT_OK);
	assert_int_equal(f->lb.apdus - before, 2);
	/* the key's usage taken away behind the selection: the card refuses the PSO,
	 * the driver selects again, and the card refuses the selection */
	assert_int_equal(kzt_token_update_object(f->tok, b, KZT_OBJF_PRIVATE | KZT_OBJF_MODIFIABLE,
						 (const uint8_t *)"pv", 2),
			 KZT_OK);
	before = f->lb.apdus;
	assert_int_equal(kzt_token_rsa_private(f->tok, b, 0, block, 256, out, sizeof(out), &len),
			 KZT_ERR_POLICY);
	assert_int_equal(f->lb.apdus - before, 2);
	/* a deleted key is forgotten: the next use of the other selects it again */
	assert_int_equal(kzt_token_rsa_private(f->tok, a, 0, block, 256, out, sizeof(out), &len), KZT_OK);
	assert_int_equal(kzt_token_delete_object(f->tok, b), KZT_OK);
	before = f->lb.apdus;
	assert_int_equal(kzt_token_rsa_private(f->tok, a, 0, block, 256, out, sizeof(out), &len), KZT_OK);
	assert_int_equal(f->lb.apdus - before, 2);
}

static void
test_random_comes_in_chunks(void **state)
{
	fixture *f = *state;
	uint8_t a[600], b[600];
	unsigned before = f->lb.apdus;

	assert_int_equal(kzt_token_random(f->tok, a, sizeof(a)), KZT_OK);
	assert_int_equal(f->lb.apdus - before, 3);
	assert_int_equal(kzt_token_random(f->tok, b, sizeof(b)), KZT_OK);
	assert_memory_not_equal(a, b, sizeof(a));
}

static void
test_hostile_directory_answers_are_refused(void **state)
{
	fixture *f = *state;
	static const uint8_t bad_entry[] = {0x61, 0x03, 0x80, 0x01, 0x01, 0x90, 0x00};
	static const uint8_t endless[] = {0x63, 0x10}; /* "more data" with none: never ends */
	uint8_t *dir = (uint8_t *)1;
	size_t len;

	f->lb.canned = bad_entry;
	f->lb.canned_len = sizeof(bad_entry);
	assert_int_equal(kzt_token_list_objects(f->tok, &dir, &len), KZT_ERR_CARD);
	assert_null(dir);
	f->lb.canned = endless;
	f->lb.canned_len = sizeof(endless);
	assert_int_equal(kzt_token_list_objects(f->tok, &dir, &len), KZT_ERR_CARD);
	assert_int_equal(kzt_token_read_object(f->tok, 1, &dir, &len), KZT_ERR_CARD);
}

static void
test_trace_knows_which_responses_are_secret(void **state)
{
	static const uint8_t decipher[] = {0x00, 0x2A, 0x80, 0x86, 0x01, 0x00};
	static const uint8_t sign[] = {0x00, 0x2A, 0x9E, 0x9A, 0x01, 0x00};
	static const uint8_t challenge[] = {0x00, 0x84, 0x00, 0x00, 0x08};

	(void)state;
	assert_true(kzt_proto_response_is_secret(decipher, sizeof(decipher)));
	assert_true(kzt_proto_response_is_secret(challenge, sizeof(challenge)));
	assert_false(kzt_proto_response_is_secret(sign, sizeof(sign)));
	assert_true(kzt_proto_ins_data_is_secret(0x00, KZT_INS_VERIFY));
	assert_true(kzt_proto_ins_data_is_secret(0x80, KZT_INS_CREATE_OBJECT));
	assert_false(kzt_proto_ins_data_is_secret(0x00, KZT_INS_GET_DATA));
}

static void
test_every_status_word_maps_somewhere(void **state)
{
	(void)state;
	assert_int_equal(kzt_token_status_from_sw(0x9000), KZT_OK);
	assert_int_equal(kzt_token_status_from_sw(0x63C3), KZT_ERR_PIN_INCORRECT);
	assert_int_equal(kzt_token_status_from_sw(0x63C0), KZT_ERR_PIN_LOCKED);
	assert_int_equal(kzt_token_status_from_sw(0x6983), KZT_ERR_PIN_LOCKED);
	assert_int_equal(kzt_token_status_from_sw(0x6982), KZT_ERR_NOT_AUTH);
	assert_int_equal(kzt_token_status_from_sw(0x6986), KZT_ERR_POLICY);
	assert_int_equal(kzt_token_status_from_sw(0x6A84), KZT_ERR_NO_SPACE);
	assert_int_equal(kzt_token_status_from_sw(0x6D00), KZT_ERR_NOT_SUPPORTED);
	assert_int_equal(kzt_token_status_from_sw(0x1234), KZT_ERR_CARD);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_open_reads_the_card_info, setup, teardown),
		cmocka_unit_test_setup_teardown(test_state_shows_defaults_and_counters, setup, teardown),
		cmocka_unit_test_setup_teardown(test_one_apdu_per_login, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pin_lifecycle_through_the_driver, setup, teardown),
		cmocka_unit_test_setup_teardown(test_policy_refusal_is_its_own_status, setup, teardown),
		cmocka_unit_test_setup_teardown(test_format_sets_label_and_restores_default_user_pin, setup, teardown),
		cmocka_unit_test_setup_teardown(test_removed_card_is_reported_as_such, setup, teardown),
		cmocka_unit_test_setup_teardown(test_malformed_card_answers_are_errors_not_crashes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_card_with_foreign_atr_is_not_a_kaztoken, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_read_values_gives_each_value_or_its_reason_and_refuses_a_malformed_answer, setup,
			teardown),
		cmocka_unit_test_setup_teardown(test_a_key_stays_selected_on_a_card_session_of_our_own_and_only_there,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_objects_through_the_driver, setup, teardown),
		cmocka_unit_test_setup_teardown(test_keys_through_the_driver, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ec_keys_through_the_driver, setup, teardown),
		cmocka_unit_test(test_an_ec_key_value_parses_and_a_malformed_one_is_refused),
		cmocka_unit_test_setup_teardown(test_random_comes_in_chunks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hostile_directory_answers_are_refused, setup, teardown),
		cmocka_unit_test(test_trace_knows_which_responses_are_secret),
		cmocka_unit_test(test_every_status_word_maps_somewhere),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
