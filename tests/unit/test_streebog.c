/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* Streebog-256 and -512 (src/crypto/streebog.c): RFC 6986's two examples, then
 * OpenSSL's gost-engine on random messages of every length around the block
 * boundaries, fed in random pieces. The engine must be there (Debian
 * libengine-gost-openssl, which tools/install-deps installs): without it the test
 * fails. */
#define OPENSSL_SUPPRESS_DEPRECATED /* (the ENGINE interface is how gost-engine loads) */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#if !defined(KZT_TEST_NO_OPENSSL) /* (a Windows build: no OpenSSL to compare with) */
#include <openssl/engine.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/rand.h>
#endif

#include "streebog.h"

/* n bytes from 2n hex digits */
static void
bytes_of(const char *hx, uint8_t *out, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned v = 0;

		assert_int_equal(sscanf(hx + 2 * i, "%2x", &v), 1);
		out[i] = (uint8_t)v;
	}
}

static void
streebog(unsigned bits, const uint8_t *msg, size_t len, uint8_t *out)
{
	kzt_streebog s;

	assert_int_equal(kzt_streebog_init(&s, bits), 0);
	kzt_streebog_update(&s, msg, len);
	kzt_streebog_final(&s, out);
}

/* RFC 6986 section 10. The RFC writes messages and digests as numbers, the byte
 * stream reversed; here they are in stream order, as hashed and as output. M1 is
 * 63 ASCII digits, M2 72 bytes of a line of the Igor Tale in CP1251. */
static void
test_the_rfc_examples_hash_to_the_published_digests(void **state)
{
	static const char m2_hex[] = "d1e520e2e5f2f0e82c20d1f2f0e8e1eee6e820e2edf3f6e82c20e2e5fef2fa20f120eceef0ff20f1f2"
				     "f0e5ebe0ece820ede020f5f0e0e1f0fbff20efebfaeafb20c8e3eef0e5e2fb";
	static const struct {
		unsigned bits;
		int m2;
		const char *want;
	} kat[] = {
		{512, 0,
		 "1b54d01a4af5b9d5cc3d86d68d285462b19abc2475222f35c085122be4ba1ffa00ad30f8767b3a82384c6574f024c311e2"
		 "a481332b08ef7f41797891c1646f48"},
		{256, 0, "9d151eefd8590b89daa6ba6cb74af9275dd051026bb149a452fd84e5e57b5500"},
		{512, 1,
		 "1e88e62226bfca6f9994f1f2d51569e0daf8475a3b0fe61a5300eee46d961376035fe83549ada2b8620fcd7c496ce5b33f"
		 "0cb9dddc2b6460143b03dabac9fb28"},
		{256, 1, "9dd2fe4e90409e5da87f53976d7405b0c0cac628fc669a741d50063c557e8f50"},
	};
	const char *m1 = "012345678901234567890123456789012345678901234567890123456789012";
	uint8_t m2[72], got[64], want[64];
	size_t i;

	(void)state;
	bytes_of(m2_hex, m2, sizeof(m2));
	for (i = 0; i < sizeof(kat) / sizeof(kat[0]); i++) {
		if (kat[i].m2)
			streebog(kat[i].bits, m2, sizeof(m2), got);
		else
			streebog(kat[i].bits, (const uint8_t *)m1, strlen(m1), got);
		bytes_of(kat[i].want, want, kat[i].bits / 8);
		assert_memory_equal(got, want, kat[i].bits / 8);
	}
}

static void
test_only_256_and_512_bits_are_streebog(void **state)
{
	static const unsigned bad[] = {0, 1, 128, 255, 257, 384, 511, 513, 1024};
	kzt_streebog s;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(kzt_streebog_init(&s, bad[i]), -1);
}

/* The final state is wiped: nothing of the message stays in the context. */
static void
test_the_context_holds_nothing_after_the_digest(void **state)
{
	static const kzt_streebog zero;
	uint8_t msg[100], out[64];
	kzt_streebog s;

	(void)state;
	memset(msg, 0xA5, sizeof(msg));
	assert_int_equal(kzt_streebog_init(&s, 512), 0);
	kzt_streebog_update(&s, msg, sizeof(msg));
	kzt_streebog_final(&s, out);
	assert_memory_equal(&s, &zero, sizeof(s));
}

#if !defined(KZT_TEST_NO_OPENSSL)
static void
test_matches_gost_engine_at_every_length_and_split(void **state)
{
	static const unsigned sizes[2] = {256, 512};
	static const int nids[2] = {NID_id_GostR3411_2012_256, NID_id_GostR3411_2012_512};
	uint8_t msg[300], got[64], want[64];
	ENGINE *e;
	size_t len, cut, cut2;
	int k;

	(void)state;
	e = ENGINE_by_id("gost");
	if (e == NULL)
		fail_msg("OpenSSL's gost engine is not installed (Debian libengine-gost-openssl)");
	assert_int_equal(ENGINE_init(e), 1);
	for (k = 0; k < 2; k++) {
		const EVP_MD *md = ENGINE_get_digest(e, nids[k]);

		assert_non_null(md);
		for (len = 0; len < sizeof(msg); len++) {
			kzt_streebog s;

			assert_int_equal(RAND_bytes(msg, (int)sizeof(msg)), 1);
			cut = len == 0 ? 0 : (size_t)msg[0] % (len + 1);
			cut2 = cut + (len == cut ? 0 : (size_t)msg[1] % (len - cut + 1));
			assert_int_equal(kzt_streebog_init(&s, sizes[k]), 0);
			kzt_streebog_update(&s, msg, cut);
			kzt_streebog_update(&s, msg + cut, cut2 - cut);
			kzt_streebog_update(&s, msg + cut2, len - cut2);
			kzt_streebog_final(&s, got);
			assert_int_equal(EVP_Digest(msg, len, want, NULL, md, e), 1);
			assert_memory_equal(got, want, sizes[k] / 8);
		}
	}
	{ /* a long message in one piece: many blocks, and a sum of blocks that carries */
		static uint8_t big[100000];
		memset(big, 0x5A, sizeof(big));
		streebog(512, big, sizeof(big), got);
		assert_int_equal(EVP_Digest(big, sizeof(big), want, NULL, ENGINE_get_digest(e, nids[1]), e), 1);
		assert_memory_equal(got, want, 64);
	}
	ENGINE_finish(e);
	ENGINE_free(e);
}
#endif

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_the_rfc_examples_hash_to_the_published_digests),
		cmocka_unit_test(test_only_256_and_512_bits_are_streebog),
		cmocka_unit_test(test_the_context_holds_nothing_after_the_digest),
#if !defined(KZT_TEST_NO_OPENSSL)
		cmocka_unit_test(test_matches_gost_engine_at_every_length_and_split),
#endif
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
