/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* Known answers for RSA: the 2048-bit examples published with PKCS #1 v2.1
 * (RFC 8017), read from vectors/rsa-2048.txt. For each signature: s^e mod n is an
 * encoded message that EMSA-PSS-VERIFY accepts for the message (and refuses for a
 * changed one), and src/bn's private operation on it gives back exactly s. For each
 * ciphertext: the private operation and OAEP decoding give the message, and the
 * public operation on the encoded message gives the ciphertext back. Every key
 * passes kzt_rsa_check. These hold with either backend and either limb size. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#if !defined(KZT_TEST_NO_OPENSSL)
#include <openssl/rand.h>
#endif

#include "crypto.h"
#include "kzt_err.h"
#include "random.h"
#include "rsa.h"

#ifndef KZT_VECTORS
#error KZT_VECTORS must name the vectors folder
#endif

#define FIELD_MAX KZT_RSA_MAX_BYTES

static int
rng(uint8_t *out, size_t n)
{
#if defined(KZT_TEST_NO_OPENSSL)
	return kzt_os_random(out, n);
#else
	return RAND_bytes(out, (int)n) == 1 ? KZT_OK : KZT_ERR_IO;
#endif
}

/* The next space-separated hex field of the line into out: its length, or fail. */
static size_t
field(char **cursor, uint8_t *out, size_t cap)
{
	char *tok = strtok_r(NULL, " \n", cursor);
	size_t len, i;

	assert_non_null(tok);
	len = strlen(tok);
	assert_true(len % 2 == 0 && len / 2 <= cap);
	for (i = 0; i < len / 2; i++) {
		unsigned v;
		assert_int_equal(sscanf(tok + 2 * i, "%2x", &v), 1);
		out[i] = (uint8_t)v;
	}
	return len / 2;
}

typedef struct kat_counts {
	unsigned keys, pss, oaep;
} kat_counts;

static void
check_pss(kzt_rsa_private *priv, const kzt_rsa_key *key, char **cur)
{
	uint8_t msg[FIELD_MAX], salt[64], sig[FIELD_MAX], em[FIELD_MAX], out[FIELD_MAX];
	uint8_t mhash[20];
	size_t msg_len = field(cur, msg, sizeof(msg));
	size_t k = key->n_len;

	assert_int_equal(field(cur, salt, sizeof(salt)), 20);
	assert_int_equal(field(cur, sig, sizeof(sig)), k);
	assert_int_equal(kzt_bn_rsa_public(key->n, k, key->e, key->e_len, sig, em), KZT_OK);
	assert_int_equal(kzt_hash_once(KZT_SHA1, msg, msg_len, mhash), KZT_OK);
	assert_int_equal(kzt_pss_verify(KZT_SHA1, KZT_SHA1, 20, mhash, em, k * 8, k), KZT_OK);
	/* the salt in the vector is the one the encoded message carries: a changed
	 * message or a wrong salt length is refused */
	mhash[0] ^= 1;
	assert_int_equal(kzt_pss_verify(KZT_SHA1, KZT_SHA1, 20, mhash, em, k * 8, k), KZT_ERR_DATA);
	mhash[0] ^= 1;
	assert_int_equal(kzt_pss_verify(KZT_SHA1, KZT_SHA1, 19, mhash, em, k * 8, k), KZT_ERR_DATA);
	/* the private operation reproduces the published signature */
	assert_int_equal(kzt_rsa_private_op(priv, em, out), KZT_OK);
	assert_memory_equal(out, sig, k);
}

static void
check_oaep(kzt_rsa_private *priv, const kzt_rsa_key *key, char **cur)
{
	uint8_t msg[FIELD_MAX], seed[64], ct[FIELD_MAX], em[FIELD_MAX], back[FIELD_MAX];
	uint8_t out[FIELD_MAX];
	size_t msg_len = field(cur, msg, sizeof(msg)), out_len = 0;
	size_t k = key->n_len;

	assert_int_equal(field(cur, seed, sizeof(seed)), 20);
	assert_int_equal(field(cur, ct, sizeof(ct)), k);
	assert_int_equal(kzt_rsa_private_op(priv, ct, em), KZT_OK);
	assert_int_equal(kzt_bn_rsa_public(key->n, k, key->e, key->e_len, em, back), KZT_OK);
	assert_memory_equal(back, ct, k);
	assert_int_equal(kzt_oaep_decode(KZT_SHA1, KZT_SHA1, NULL, 0, em, k, out, &out_len), KZT_OK);
	assert_int_equal(out_len, msg_len);
	assert_memory_equal(out, msg, msg_len);
}

static void
read_key(kzt_rsa_key *key, char **cur)
{
	memset(key, 0, sizeof(*key));
	key->n_len = field(cur, key->n, sizeof(key->n));
	key->e_len = field(cur, key->e, sizeof(key->e));
	key->d_len = field(cur, key->d, sizeof(key->d));
	key->p_len = field(cur, key->p, sizeof(key->p));
	key->q_len = field(cur, key->q, sizeof(key->q));
	key->dp_len = field(cur, key->dp, sizeof(key->dp));
	key->dq_len = field(cur, key->dq, sizeof(key->dq));
	key->qinv_len = field(cur, key->qinv, sizeof(key->qinv));
}

static void
test_rfc8017_examples(void **state)
{
	FILE *f = fopen(KZT_VECTORS "/rsa-2048.txt", "r");
	static char line[8192];
	static kzt_rsa_key key;
	kzt_rsa_private *priv = calloc(1, sizeof(*priv));
	kat_counts n = {0, 0, 0};
	int have_key = 0;

	(void)state;
	assert_non_null(f);
	assert_non_null(priv);
	while (fgets(line, sizeof(line), f) != NULL) {
		char *cur = NULL, *kind = strtok_r(line, " \n", &cur);

		assert_true(strlen(line) < sizeof(line) - 1);
		if (kind == NULL || kind[0] == '#')
			continue;
		if (strcmp(kind, "key") == 0) {
			if (have_key)
				kzt_rsa_private_wipe(priv);
			read_key(&key, &cur);
			assert_int_equal(kzt_rsa_check(&key, rng), KZT_OK);
			assert_int_equal(kzt_rsa_private_init(priv, &key, rng), KZT_OK);
			have_key = 1;
			n.keys++;
		} else if (strcmp(kind, "pss") == 0) {
			assert_true(have_key);
			check_pss(priv, &key, &cur);
			n.pss++;
		} else if (strcmp(kind, "oaep") == 0) {
			assert_true(have_key);
			check_oaep(priv, &key, &cur);
			n.oaep++;
		} else {
			fail_msg("unknown line kind '%s'", kind);
		}
	}
	fclose(f);
	if (have_key)
		kzt_rsa_private_wipe(priv);
	free(priv);
	print_message("%u keys, %u PSS signatures, %u OAEP ciphertexts\n", n.keys, n.pss, n.oaep);
	assert_true(n.keys >= 2 && n.pss >= 2 && n.oaep >= 2);
}

/* Example 10.1's signature with one bit changed no longer verifies. */
static void
test_a_changed_signature_is_refused(void **state)
{
	FILE *f = fopen(KZT_VECTORS "/rsa-2048.txt", "r");
	static char line[8192];
	static kzt_rsa_key key;
	uint8_t msg[FIELD_MAX], salt[64], sig[FIELD_MAX], em[FIELD_MAX], mhash[20];
	size_t msg_len;
	char *cur = NULL;

	(void)state;
	assert_non_null(f);
	while (fgets(line, sizeof(line), f) != NULL && strncmp(line, "key ", 4) != 0)
		;
	strtok_r(line, " \n", &cur);
	read_key(&key, &cur);
	assert_non_null(fgets(line, sizeof(line), f));
	fclose(f);
	assert_string_equal(strtok_r(line, " \n", &cur), "pss");
	msg_len = field(&cur, msg, sizeof(msg));
	field(&cur, salt, sizeof(salt));
	field(&cur, sig, sizeof(sig));
	sig[key.n_len / 2] ^= 0x10;
	assert_int_equal(kzt_bn_rsa_public(key.n, key.n_len, key.e, key.e_len, sig, em), KZT_OK);
	assert_int_equal(kzt_hash_once(KZT_SHA1, msg, msg_len, mhash), KZT_OK);
	assert_int_equal(kzt_pss_verify(KZT_SHA1, KZT_SHA1, 20, mhash, em, key.n_len * 8, key.n_len),
			 KZT_ERR_DATA);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_rfc8017_examples),
	    cmocka_unit_test(test_a_changed_signature_is_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
