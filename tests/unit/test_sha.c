/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* Our SHA-1 / SHA-2 (the builtin backend): the known answers of FIPS 180-4's
 * examples, then OpenSSL's digests of random messages of every length around the
 * block boundaries, fed in random pieces. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#if !defined(KZT_TEST_NO_OPENSSL) /* (a Windows build: no OpenSSL to compare with) */
#include <openssl/evp.h>
#include <openssl/rand.h>
#endif

#include "crypto.h"
#include "sha.h"

static void
hex(const char *s, uint8_t *out)
{
	size_t i;

	for (i = 0; s[2 * i] != '\0'; i++) {
		unsigned v;
		sscanf(s + 2 * i, "%2x", &v);
		out[i] = (uint8_t)v;
	}
}

static void
digest(kzt_hash h, const void *msg, size_t len, uint8_t *out)
{
	kzt_sha s;

	assert_int_equal(kzt_sha_init(&s, (int)h), 0);
	kzt_sha_update(&s, msg, len);
	kzt_sha_final(&s, out);
}

static void
test_known_answers(void **state)
{
	static const struct {
		kzt_hash h;
		const char *msg, *want;
	} kat[] = {
		{KZT_SHA1, "abc", "a9993e364706816aba3e25717850c26c9cd0d89d"},
		{KZT_SHA1, "", "da39a3ee5e6b4b0d3255bfef95601890afd80709"},
		{KZT_SHA1, "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
		 "84983e441c3bd26ebaae4aa1f95129e5e54670f1"},
		{KZT_SHA224, "abc", "23097d223405d8228642a477bda255b32aadbce4bda0b3f7e36c9da7"},
		{KZT_SHA256, "abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
		{KZT_SHA256, "", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
		{KZT_SHA256, "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
		 "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
		{KZT_SHA384, "abc",
		 "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7"},
		{KZT_SHA512, "abc",
		 "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd"
		 "454d4423643ce80e2a9ac94fa54ca49f"},
		{KZT_SHA512, "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqr"
			     "lmnopqrsmnopqrstnopqrstu",
		 "8e959b75dae313da8cf4f72814fc143f8f7779c6eb9f7fa17299aeadb6889018501d289e4900f7e4331b99dec4b5433a"
		 "c7d329eeb6dd26545e96e55b874be909"},
	};
	uint8_t got[64], want[64];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(kat) / sizeof(kat[0]); i++) {
		digest(kat[i].h, kat[i].msg, strlen(kat[i].msg), got);
		hex(kat[i].want, want);
		assert_memory_equal(got, want, kzt_hash_len(kat[i].h));
	}
	{ /* a million times "a" */
		static uint8_t million[1000000];
		memset(million, 'a', sizeof(million));
		digest(KZT_SHA1, million, sizeof(million), got);
		hex("34aa973cd4c4daa4f61eeb2bdbad27316534016f", want);
		assert_memory_equal(got, want, 20);
		digest(KZT_SHA256, million, sizeof(million), got);
		hex("cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0", want);
		assert_memory_equal(got, want, 32);
	}
	assert_int_equal(kzt_sha_init(&(kzt_sha){0}, 99), -1);
}

#if !defined(KZT_TEST_NO_OPENSSL)
static void
test_matches_openssl_at_every_length_and_split(void **state)
{
	const EVP_MD *(*mds[5])(void) = {EVP_sha1, EVP_sha224, EVP_sha256, EVP_sha384, EVP_sha512};
	uint8_t msg[300], got[64], want[64];
	size_t len, cut;
	int h;

	(void)state;
	for (h = 0; h < 5; h++) {
		for (len = 0; len < sizeof(msg); len++) {
			kzt_sha s;
			assert_int_equal(RAND_bytes(msg, (int)sizeof(msg)), 1);
			cut = len == 0 ? 0 : (size_t)msg[0] % len;
			kzt_sha_init(&s, h);
			kzt_sha_update(&s, msg, cut);
			kzt_sha_update(&s, msg + cut, len - cut);
			kzt_sha_final(&s, got);
			assert_int_equal(EVP_Digest(msg, len, want, NULL, mds[h](), NULL), 1);
			assert_memory_equal(got, want, kzt_hash_len((kzt_hash)h));
		}
	}
}
#endif

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_known_answers),
#if !defined(KZT_TEST_NO_OPENSSL)
		cmocka_unit_test(test_matches_openssl_at_every_length_and_split),
#endif
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
