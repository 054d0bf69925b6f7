/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* Digests on the host, in-process. */
#include "p11_fixture.h"

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
	CK_MECHANISM_INFO mi;
	CK_SESSION_HANDLE h;

	assert_int_equal(f->p->C_Initialize(NULL), CKR_OK);
	h = open_session(f, 0);
	assert_int_equal(f->p->C_GetMechanismInfo(0, CKM_SHA256, &mi), CKR_OK);
	assert_int_equal(mi.flags, CKF_DIGEST);
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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_digests_match_known_answers, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
