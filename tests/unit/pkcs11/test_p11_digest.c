/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* Digests on the host, in-process: SHA-2 and Streebog. */
#include "p11_fixture.h"
#include "kaztoken/vendor.h"

/* The module initialised and a session open, having checked that it lists type as
 * a digest, and a keyless one. */
static CK_SESSION_HANDLE
session_for_digest(fixture *f, CK_MECHANISM_TYPE type)
{
	CK_MECHANISM_INFO mi;

	assert_int_equal(f->p->C_Initialize(NULL), CKR_OK);
	assert_int_equal(f->p->C_GetMechanismInfo(0, type, &mi), CKR_OK);
	assert_int_equal(mi.flags, CKF_DIGEST);
	assert_int_equal(mi.ulMinKeySize, 0);
	return open_session(f, 0);
}

static void
test_digests_match_known_answers(void **state)
{
	fixture *f = *state;
	/* FIPS 180-4 example: SHA-256("abc") */
	static const CK_BYTE want[32] = {0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea, 0x41, 0x41, 0x40,
					 0xde, 0x5d, 0xae, 0x22, 0x23, 0xb0, 0x03, 0x61, 0xa3, 0x96, 0x17,
					 0x7a, 0x9c, 0xb4, 0x10, 0xff, 0x61, 0xf2, 0x00, 0x15, 0xad};
	CK_MECHANISM sha256 = {CKM_SHA256, NULL, 0}, md5 = {CKM_MD5, NULL, 0};
	CK_BYTE out[64];
	CK_ULONG len = 0;
	CK_SESSION_HANDLE h = session_for_digest(f, CKM_SHA256);

	assert_int_equal(f->p->C_DigestInit(h, &md5), CKR_MECHANISM_INVALID);
	assert_int_equal(f->p->C_DigestInit(h, &sha256), CKR_OK);
	assert_int_equal(f->p->C_DigestInit(h, &sha256), CKR_OPERATION_ACTIVE);
	assert_int_equal(f->p->C_Digest(h, (CK_BYTE_PTR) "abc", 3, NULL, &len), CKR_OK);
	assert_int_equal(len, 32);
	len = 4;
	assert_int_equal(f->p->C_Digest(h, (CK_BYTE_PTR) "abc", 3, out, &len), CKR_BUFFER_TOO_SMALL);
	len = sizeof(out);
	assert_int_equal(f->p->C_Digest(h, (CK_BYTE_PTR) "abc", 3, out, &len), CKR_OK);
	assert_memory_equal(out, want, 32);
	/* multi-part gives the same */
	assert_int_equal(f->p->C_DigestInit(h, &sha256), CKR_OK);
	assert_int_equal(f->p->C_DigestUpdate(h, (CK_BYTE_PTR) "a", 1), CKR_OK);
	assert_int_equal(f->p->C_DigestUpdate(h, (CK_BYTE_PTR) "bc", 2), CKR_OK);
	len = sizeof(out);
	assert_int_equal(f->p->C_DigestFinal(h, out, &len), CKR_OK);
	assert_memory_equal(out, want, 32);
	assert_int_equal(f->p->C_DigestFinal(h, out, &len), CKR_OPERATION_NOT_INITIALIZED);
}

/* Streebog (GOST R 34.11-2012) through CKM_GOSTR3411_12_256 / _512, of RFC 6986's
 * M1; with no parameter or the hash's own OID as the parameter, nothing else. */
static void
test_streebog_digests_match_the_rfc_and_take_only_their_own_oid(void **state)
{
	static const CK_BYTE m1[] = "012345678901234567890123456789012345678901234567890123456789012";
	static const CK_BYTE want256[32] = {0x9d, 0x15, 0x1e, 0xef, 0xd8, 0x59, 0x0b, 0x89, 0xda, 0xa6, 0xba,
					    0x6c, 0xb7, 0x4a, 0xf9, 0x27, 0x5d, 0xd0, 0x51, 0x02, 0x6b, 0xb1,
					    0x49, 0xa4, 0x52, 0xfd, 0x84, 0xe5, 0xe5, 0x7b, 0x55, 0x00};
	static const CK_BYTE want512_head[8] = {0x1b, 0x54, 0xd0, 0x1a, 0x4a, 0xf5, 0xb9, 0xd5};
	static const CK_BYTE oid256[] = {0x06, 0x08, 0x2A, 0x85, 0x03, 0x07, 0x01, 0x01, 0x02, 0x02};
	static const CK_BYTE oid512[] = {0x06, 0x08, 0x2A, 0x85, 0x03, 0x07, 0x01, 0x01, 0x02, 0x03};
	fixture *f = *state;
	CK_MECHANISM s256 = {CKM_GOSTR3411_12_256, NULL, 0}, s512 = {CKM_GOSTR3411_12_512, NULL, 0};
	CK_MECHANISM with_oid = {CKM_GOSTR3411_12_256, (CK_VOID_PTR)oid256, sizeof(oid256)};
	CK_MECHANISM wrong_oid = {CKM_GOSTR3411_12_256, (CK_VOID_PTR)oid512, sizeof(oid512)};
	CK_MECHANISM sha_oid = {CKM_SHA256, (CK_VOID_PTR)oid256, sizeof(oid256)};
	CK_BYTE out[64];
	CK_ULONG len;
	CK_SESSION_HANDLE h = session_for_digest(f, CKM_GOSTR3411_12_512);

	assert_int_equal(f->p->C_DigestInit(h, &s256), CKR_OK);
	len = sizeof(out);
	assert_int_equal(f->p->C_Digest(h, (CK_BYTE_PTR)m1, sizeof(m1) - 1, out, &len), CKR_OK);
	assert_int_equal(len, 32);
	assert_memory_equal(out, want256, 32);
	assert_int_equal(f->p->C_DigestInit(h, &with_oid), CKR_OK);
	assert_int_equal(f->p->C_DigestUpdate(h, NULL, 0), CKR_OK); /* (nothing, and no pointer) */
	assert_int_equal(f->p->C_DigestUpdate(h, (CK_BYTE_PTR)m1, 10), CKR_OK);
	assert_int_equal(f->p->C_DigestUpdate(h, (CK_BYTE_PTR)m1 + 10, sizeof(m1) - 11), CKR_OK);
	len = sizeof(out);
	assert_int_equal(f->p->C_DigestFinal(h, out, &len), CKR_OK);
	assert_memory_equal(out, want256, 32);
	assert_int_equal(f->p->C_DigestInit(h, &s512), CKR_OK);
	len = sizeof(out);
	assert_int_equal(f->p->C_Digest(h, (CK_BYTE_PTR)m1, sizeof(m1) - 1, out, &len), CKR_OK);
	assert_int_equal(len, 64);
	assert_memory_equal(out, want512_head, 8);
	assert_int_equal(f->p->C_DigestInit(h, &wrong_oid), CKR_MECHANISM_PARAM_INVALID);
	assert_int_equal(f->p->C_DigestInit(h, &sha_oid), CKR_MECHANISM_PARAM_INVALID);
	with_oid.ulParameterLen = 9;
	assert_int_equal(f->p->C_DigestInit(h, &with_oid), CKR_MECHANISM_PARAM_INVALID);
	with_oid.pParameter = NULL;
	assert_int_equal(f->p->C_DigestInit(h, &with_oid), CKR_MECHANISM_PARAM_INVALID);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_digests_match_known_answers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_streebog_digests_match_the_rfc_and_take_only_their_own_oid, setup,
						teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
