/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* The termination rules of every operation family (PKCS#11 3.0, 5.2 and the
 * function descriptions): a NULL output buffer or one too small leaves the
 * operation active; every other answer of a final call, and every error of an
 * update, ends it. Checked call sequence by call sequence, against the
 * in-process card. */
#include "p11_fixture.h"

static const CK_BYTE msg[] = "the message";

typedef struct keys {
	CK_SESSION_HANDLE h;
	CK_OBJECT_HANDLE pub, priv;
} keys;

static keys
setup_keys(fixture *f)
{
	keys k;

	k.h = p11_user(f);
	p11_keypair(f, k.h, "ops", &k.pub, &k.priv);
	return k;
}

/* ---- signing ---- */

static void
sign_init(fixture *f, keys *k)
{
	CK_MECHANISM m = {CKM_SHA256_RSA_PKCS, NULL, 0};

	assert_int_equal(f->p->C_SignInit(k->h, &m, k->priv), CKR_OK);
}

static void
test_sign_size_queries_keep_the_operation_and_the_real_call_ends_it(void **state)
{
	fixture *f = *state;
	keys k = setup_keys(f);
	CK_BYTE sig[512];
	CK_ULONG len = 0;

	sign_init(f, &k);
	assert_int_equal(f->p->C_Sign(k.h, (CK_BYTE_PTR)msg, sizeof(msg), NULL, &len), CKR_OK);
	assert_int_equal(len, 256);
	len = 10;
	assert_int_equal(f->p->C_Sign(k.h, (CK_BYTE_PTR)msg, sizeof(msg), sig, &len), CKR_BUFFER_TOO_SMALL);
	assert_int_equal(len, 256);
	assert_int_equal(f->p->C_Sign(k.h, (CK_BYTE_PTR)msg, sizeof(msg), sig, &len), CKR_OK);
	assert_int_equal(f->p->C_Sign(k.h, (CK_BYTE_PTR)msg, sizeof(msg), sig, &len),
			 CKR_OPERATION_NOT_INITIALIZED);
}

static void
test_sign_errors_end_the_operation(void **state)
{
	fixture *f = *state;
	keys k = setup_keys(f);
	CK_BYTE sig[512];
	CK_ULONG len = sizeof(sig);

	/* in C_Sign: no length pointer */
	sign_init(f, &k);
	assert_int_equal(f->p->C_Sign(k.h, (CK_BYTE_PTR)msg, sizeof(msg), sig, NULL), CKR_ARGUMENTS_BAD);
	assert_int_equal(f->p->C_SignFinal(k.h, sig, &len), CKR_OPERATION_NOT_INITIALIZED);
	/* in C_Sign: no data */
	sign_init(f, &k);
	assert_int_equal(f->p->C_Sign(k.h, NULL, 5, sig, &len), CKR_ARGUMENTS_BAD);
	assert_int_equal(f->p->C_SignFinal(k.h, sig, &len), CKR_OPERATION_NOT_INITIALIZED);
	/* in C_SignUpdate */
	sign_init(f, &k);
	assert_int_equal(f->p->C_SignUpdate(k.h, NULL, 5), CKR_ARGUMENTS_BAD);
	assert_int_equal(f->p->C_SignFinal(k.h, sig, &len), CKR_OPERATION_NOT_INITIALIZED);
	/* in C_SignFinal */
	sign_init(f, &k);
	assert_int_equal(f->p->C_SignUpdate(k.h, (CK_BYTE_PTR)msg, sizeof(msg)), CKR_OK);
	assert_int_equal(f->p->C_SignFinal(k.h, sig, NULL), CKR_ARGUMENTS_BAD);
	assert_int_equal(f->p->C_SignFinal(k.h, sig, &len), CKR_OPERATION_NOT_INITIALIZED);
	/* a raw RSA input longer than the modulus */
	{
		CK_MECHANISM raw = {CKM_RSA_PKCS, NULL, 0};
		CK_BYTE big[300] = {0};

		assert_int_equal(f->p->C_SignInit(k.h, &raw, k.priv), CKR_OK);
		assert_int_equal(f->p->C_Sign(k.h, big, sizeof(big), sig, &len), CKR_DATA_LEN_RANGE);
		assert_int_equal(f->p->C_Sign(k.h, big, 10, sig, &len), CKR_OPERATION_NOT_INITIALIZED);
	}
}

static void
test_sign_final_after_updates_gives_the_single_part_signature(void **state)
{
	fixture *f = *state;
	keys k = setup_keys(f);
	CK_BYTE one[512], two[512];
	CK_ULONG len1 = sizeof(one), len2 = 0;

	sign_init(f, &k);
	assert_int_equal(f->p->C_Sign(k.h, (CK_BYTE_PTR)msg, sizeof(msg), one, &len1), CKR_OK);
	sign_init(f, &k);
	assert_int_equal(f->p->C_SignUpdate(k.h, (CK_BYTE_PTR)msg, 3), CKR_OK);
	assert_int_equal(f->p->C_SignUpdate(k.h, (CK_BYTE_PTR)msg + 3, sizeof(msg) - 3), CKR_OK);
	/* C_Sign is not the end of a multi-part operation; it stays as it was */
	assert_int_equal(f->p->C_Sign(k.h, (CK_BYTE_PTR)msg, sizeof(msg), two, &len2),
			 CKR_OPERATION_ACTIVE);
	assert_int_equal(f->p->C_SignFinal(k.h, NULL, &len2), CKR_OK);
	assert_int_equal(len2, 256);
	assert_int_equal(f->p->C_SignFinal(k.h, two, &len2), CKR_OK);
	assert_memory_equal(one, two, 256);
	assert_int_equal(f->p->C_SignFinal(k.h, two, &len2), CKR_OPERATION_NOT_INITIALIZED);
}

/* ---- verifying ---- */

static void
test_verify_ends_with_every_answer(void **state)
{
	fixture *f = *state;
	keys k = setup_keys(f);
	CK_MECHANISM m = {CKM_SHA256_RSA_PKCS, NULL, 0};
	CK_BYTE sig[512];
	CK_ULONG len = sizeof(sig);

	sign_init(f, &k);
	assert_int_equal(f->p->C_Sign(k.h, (CK_BYTE_PTR)msg, sizeof(msg), sig, &len), CKR_OK);
	/* a good signature */
	assert_int_equal(f->p->C_VerifyInit(k.h, &m, k.pub), CKR_OK);
	assert_int_equal(f->p->C_Verify(k.h, (CK_BYTE_PTR)msg, sizeof(msg), sig, len), CKR_OK);
	assert_int_equal(f->p->C_VerifyFinal(k.h, sig, len), CKR_OPERATION_NOT_INITIALIZED);
	/* a wrong length */
	assert_int_equal(f->p->C_VerifyInit(k.h, &m, k.pub), CKR_OK);
	assert_int_equal(f->p->C_Verify(k.h, (CK_BYTE_PTR)msg, sizeof(msg), sig, 5), CKR_SIGNATURE_LEN_RANGE);
	assert_int_equal(f->p->C_VerifyFinal(k.h, sig, len), CKR_OPERATION_NOT_INITIALIZED);
	/* an error in C_VerifyUpdate, and one in C_VerifyFinal */
	assert_int_equal(f->p->C_VerifyInit(k.h, &m, k.pub), CKR_OK);
	assert_int_equal(f->p->C_VerifyUpdate(k.h, NULL, 3), CKR_ARGUMENTS_BAD);
	assert_int_equal(f->p->C_VerifyFinal(k.h, sig, len), CKR_OPERATION_NOT_INITIALIZED);
	assert_int_equal(f->p->C_VerifyInit(k.h, &m, k.pub), CKR_OK);
	assert_int_equal(f->p->C_VerifyUpdate(k.h, (CK_BYTE_PTR)msg, sizeof(msg)), CKR_OK);
	assert_int_equal(f->p->C_VerifyFinal(k.h, NULL, len), CKR_ARGUMENTS_BAD);
	assert_int_equal(f->p->C_VerifyFinal(k.h, sig, len), CKR_OPERATION_NOT_INITIALIZED);
	/* multi-part, a changed message */
	assert_int_equal(f->p->C_VerifyInit(k.h, &m, k.pub), CKR_OK);
	assert_int_equal(f->p->C_VerifyUpdate(k.h, (CK_BYTE_PTR)msg, 4), CKR_OK);
	assert_int_equal(f->p->C_VerifyFinal(k.h, sig, len), CKR_SIGNATURE_INVALID);
	assert_int_equal(f->p->C_VerifyFinal(k.h, sig, len), CKR_OPERATION_NOT_INITIALIZED);
}

/* ---- encrypting and decrypting ---- */

static void
test_encrypt_and_decrypt_keep_the_operation_only_for_size_queries(void **state)
{
	fixture *f = *state;
	keys k = setup_keys(f);
	CK_MECHANISM m = {CKM_RSA_PKCS, NULL, 0};
	CK_BYTE ct[512], pt[512], big[300] = {0};
	CK_ULONG ct_len = 0, pt_len = 0;

	assert_int_equal(f->p->C_EncryptInit(k.h, &m, k.pub), CKR_OK);
	assert_int_equal(f->p->C_Encrypt(k.h, (CK_BYTE_PTR)msg, sizeof(msg), NULL, &ct_len), CKR_OK);
	assert_int_equal(ct_len, 256);
	ct_len = 1;
	assert_int_equal(f->p->C_Encrypt(k.h, (CK_BYTE_PTR)msg, sizeof(msg), ct, &ct_len),
			 CKR_BUFFER_TOO_SMALL);
	assert_int_equal(f->p->C_Encrypt(k.h, (CK_BYTE_PTR)msg, sizeof(msg), ct, &ct_len), CKR_OK);
	assert_int_equal(f->p->C_Encrypt(k.h, (CK_BYTE_PTR)msg, sizeof(msg), ct, &ct_len),
			 CKR_OPERATION_NOT_INITIALIZED);
	/* errors end it */
	assert_int_equal(f->p->C_EncryptInit(k.h, &m, k.pub), CKR_OK);
	assert_int_equal(f->p->C_Encrypt(k.h, big, sizeof(big), ct, &ct_len), CKR_DATA_LEN_RANGE);
	assert_int_equal(f->p->C_Encrypt(k.h, big, 1, ct, &ct_len), CKR_OPERATION_NOT_INITIALIZED);
	assert_int_equal(f->p->C_EncryptInit(k.h, &m, k.pub), CKR_OK);
	assert_int_equal(f->p->C_Encrypt(k.h, NULL, 4, ct, &ct_len), CKR_ARGUMENTS_BAD);
	assert_int_equal(f->p->C_Encrypt(k.h, big, 1, ct, &ct_len), CKR_OPERATION_NOT_INITIALIZED);
	/* decryption: a size query, a short buffer (the exact length), the answer */
	ct_len = sizeof(ct);
	assert_int_equal(f->p->C_EncryptInit(k.h, &m, k.pub), CKR_OK);
	assert_int_equal(f->p->C_Encrypt(k.h, (CK_BYTE_PTR)msg, sizeof(msg), ct, &ct_len), CKR_OK);
	assert_int_equal(f->p->C_DecryptInit(k.h, &m, k.priv), CKR_OK);
	assert_int_equal(f->p->C_Decrypt(k.h, ct, ct_len, NULL, &pt_len), CKR_OK);
	assert_int_equal(pt_len, 256);
	pt_len = 2;
	assert_int_equal(f->p->C_Decrypt(k.h, ct, ct_len, pt, &pt_len), CKR_BUFFER_TOO_SMALL);
	assert_int_equal(pt_len, sizeof(msg));
	assert_int_equal(f->p->C_Decrypt(k.h, ct, ct_len, pt, &pt_len), CKR_OK);
	assert_memory_equal(pt, msg, sizeof(msg));
	assert_int_equal(f->p->C_Decrypt(k.h, ct, ct_len, pt, &pt_len), CKR_OPERATION_NOT_INITIALIZED);
	/* errors end it */
	assert_int_equal(f->p->C_DecryptInit(k.h, &m, k.priv), CKR_OK);
	assert_int_equal(f->p->C_Decrypt(k.h, ct, 7, pt, &pt_len), CKR_ENCRYPTED_DATA_LEN_RANGE);
	assert_int_equal(f->p->C_Decrypt(k.h, ct, ct_len, pt, &pt_len), CKR_OPERATION_NOT_INITIALIZED);
	assert_int_equal(f->p->C_DecryptInit(k.h, &m, k.priv), CKR_OK);
	assert_int_equal(f->p->C_Decrypt(k.h, ct, ct_len, pt, NULL), CKR_ARGUMENTS_BAD);
	assert_int_equal(f->p->C_Decrypt(k.h, ct, ct_len, pt, &pt_len), CKR_OPERATION_NOT_INITIALIZED);
}

/* ---- verification with recovery ---- */

static void
test_verify_recover_keeps_its_result_for_a_short_buffer_and_ends_on_errors(void **state)
{
	fixture *f = *state;
	keys k = setup_keys(f);
	CK_MECHANISM m = {CKM_RSA_PKCS, NULL, 0};
	CK_BYTE sig[512], out[512];
	CK_ULONG len = sizeof(sig), out_len = 1;

	assert_int_equal(f->p->C_SignInit(k.h, &m, k.priv), CKR_OK);
	assert_int_equal(f->p->C_Sign(k.h, (CK_BYTE_PTR)msg, sizeof(msg), sig, &len), CKR_OK);
	assert_int_equal(f->p->C_VerifyRecoverInit(k.h, &m, k.pub), CKR_OK);
	assert_int_equal(f->p->C_VerifyRecover(k.h, sig, len, out, &out_len), CKR_BUFFER_TOO_SMALL);
	assert_int_equal(out_len, sizeof(msg));
	assert_int_equal(f->p->C_VerifyRecover(k.h, sig, len, out, &out_len), CKR_OK);
	assert_memory_equal(out, msg, sizeof(msg));
	assert_int_equal(f->p->C_VerifyRecover(k.h, sig, len, out, &out_len), CKR_OPERATION_NOT_INITIALIZED);
	assert_int_equal(f->p->C_VerifyRecoverInit(k.h, &m, k.pub), CKR_OK);
	assert_int_equal(f->p->C_VerifyRecover(k.h, sig, 3, out, &out_len), CKR_SIGNATURE_LEN_RANGE);
	assert_int_equal(f->p->C_VerifyRecover(k.h, sig, len, out, &out_len), CKR_OPERATION_NOT_INITIALIZED);
}

/* ---- digesting ---- */

static void
test_digest_follows_the_same_rules(void **state)
{
	fixture *f = *state;
	CK_SESSION_HANDLE h = open_session(f, 0);
	CK_MECHANISM m = {CKM_SHA256, NULL, 0};
	CK_BYTE d[64];
	CK_ULONG len = 0;

	assert_int_equal(f->p->C_DigestInit(h, &m), CKR_OK);
	assert_int_equal(f->p->C_Digest(h, (CK_BYTE_PTR)msg, sizeof(msg), NULL, &len), CKR_OK);
	assert_int_equal(len, 32);
	len = 4;
	assert_int_equal(f->p->C_Digest(h, (CK_BYTE_PTR)msg, sizeof(msg), d, &len), CKR_BUFFER_TOO_SMALL);
	assert_int_equal(f->p->C_Digest(h, (CK_BYTE_PTR)msg, sizeof(msg), d, &len), CKR_OK);
	assert_int_equal(f->p->C_DigestFinal(h, d, &len), CKR_OPERATION_NOT_INITIALIZED);
	/* errors in C_Digest, C_DigestUpdate and C_DigestFinal end it */
	assert_int_equal(f->p->C_DigestInit(h, &m), CKR_OK);
	assert_int_equal(f->p->C_Digest(h, NULL, 3, d, &len), CKR_ARGUMENTS_BAD);
	assert_int_equal(f->p->C_DigestFinal(h, d, &len), CKR_OPERATION_NOT_INITIALIZED);
	assert_int_equal(f->p->C_DigestInit(h, &m), CKR_OK);
	assert_int_equal(f->p->C_DigestUpdate(h, NULL, 3), CKR_ARGUMENTS_BAD);
	assert_int_equal(f->p->C_DigestFinal(h, d, &len), CKR_OPERATION_NOT_INITIALIZED);
	assert_int_equal(f->p->C_DigestInit(h, &m), CKR_OK);
	assert_int_equal(f->p->C_DigestUpdate(h, (CK_BYTE_PTR)msg, 2), CKR_OK);
	assert_int_equal(f->p->C_DigestFinal(h, d, NULL), CKR_ARGUMENTS_BAD);
	assert_int_equal(f->p->C_DigestFinal(h, d, &len), CKR_OPERATION_NOT_INITIALIZED);
	/* C_DigestFinal after updates, with a size query first */
	assert_int_equal(f->p->C_DigestInit(h, &m), CKR_OK);
	assert_int_equal(f->p->C_DigestUpdate(h, (CK_BYTE_PTR)msg, sizeof(msg)), CKR_OK);
	assert_int_equal(f->p->C_Digest(h, (CK_BYTE_PTR)msg, sizeof(msg), d, &len), CKR_OPERATION_ACTIVE);
	assert_int_equal(f->p->C_DigestFinal(h, NULL, &len), CKR_OK);
	assert_int_equal(f->p->C_DigestFinal(h, d, &len), CKR_OK);
	assert_int_equal(f->p->C_DigestFinal(h, d, &len), CKR_OPERATION_NOT_INITIALIZED);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_sign_size_queries_keep_the_operation_and_the_real_call_ends_it,
						p11_setup, teardown),
		cmocka_unit_test_setup_teardown(test_sign_errors_end_the_operation, p11_setup, teardown),
		cmocka_unit_test_setup_teardown(test_sign_final_after_updates_gives_the_single_part_signature,
						p11_setup, teardown),
		cmocka_unit_test_setup_teardown(test_verify_ends_with_every_answer, p11_setup, teardown),
		cmocka_unit_test_setup_teardown(test_encrypt_and_decrypt_keep_the_operation_only_for_size_queries,
						p11_setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_verify_recover_keeps_its_result_for_a_short_buffer_and_ends_on_errors, p11_setup,
			teardown),
		cmocka_unit_test_setup_teardown(test_digest_follows_the_same_rules, p11_setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
