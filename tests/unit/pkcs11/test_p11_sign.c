/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* Keys, signatures and their verification in-process: key generation and import,
 * PKCS#1 v1.5 and PSS, verification with recovery, APDUs per signature. */
#include "p11_fixture.h"

static void
test_generated_key_attributes_follow_the_specification(void **state)
{
	fixture *f = *state;
	CK_OBJECT_HANDLE pub, priv;
	CK_BBOOL local = 0, asens = 0, nextr = 0, sens = 0, extr = 1;
	CK_ULONG bits = 0;
	CK_BYTE mod[512];
	CK_ATTRIBUTE get[] = {{CKA_LOCAL, &local, 1},          {CKA_ALWAYS_SENSITIVE, &asens, 1},
			      {CKA_NEVER_EXTRACTABLE, &nextr, 1}, {CKA_SENSITIVE, &sens, 1},
			      {CKA_EXTRACTABLE, &extr, 1},      {CKA_MODULUS, mod, sizeof(mod)}};
	CK_ATTRIBUTE secret[] = {{CKA_PRIVATE_EXPONENT, NULL, 0}, {CKA_PRIME_1, NULL, 0},
				 {CKA_MODULUS_BITS, &bits, sizeof(bits)}};
	CK_BBOOL no = CK_FALSE, yes = CK_TRUE;
	CK_ULONG small = 1024;
	CK_ATTRIBUTE extractable[] = {{CKA_EXTRACTABLE, &yes, 1}};
	CK_ATTRIBUTE tiny[] = {{CKA_MODULUS_BITS, &small, sizeof(small)}};
	CK_MECHANISM m = {CKM_RSA_PKCS_KEY_PAIR_GEN, NULL, 0}, bad = {CKM_SHA256_RSA_PKCS, NULL, 0};
	CK_SESSION_HANDLE h;

	assert_int_equal(f->p->C_Initialize(NULL), CKR_OK);
	h = open_session(f, CKF_RW_SESSION);
	generate(f, h, 2048, CK_TRUE, &pub, &priv, CKR_USER_NOT_LOGGED_IN);
	assert_int_equal(f->p->C_Login(h, CKU_USER, PIN("12345678")), CKR_OK);
	generate(f, h, 2048, CK_TRUE, &pub, &priv, CKR_OK);
	assert_int_equal(f->p->C_GetAttributeValue(h, priv, get, 6), CKR_OK);
	assert_true(local && asens && nextr && sens);
	assert_false(extr);
	assert_int_equal(get[5].ulValueLen, 256);
	/* the secret parts answer CKR_ATTRIBUTE_SENSITIVE, the rest still answered */
	assert_int_equal(f->p->C_GetAttributeValue(h, priv, secret, 3), CKR_ATTRIBUTE_SENSITIVE);
	assert_int_equal(secret[0].ulValueLen, CK_UNAVAILABLE_INFORMATION);
	assert_int_equal(secret[1].ulValueLen, CK_UNAVAILABLE_INFORMATION);
	assert_int_equal(bits, 2048);
	/* templates the token cannot honour */
	assert_int_equal(f->p->C_GenerateKeyPair(h, &m, NULL, 0, extractable, 1, &pub, &priv),
			 CKR_TEMPLATE_INCONSISTENT);
	assert_int_equal(f->p->C_GenerateKeyPair(h, &m, tiny, 1, NULL, 0, &pub, &priv),
			 CKR_KEY_SIZE_RANGE);
	assert_int_equal(f->p->C_GenerateKeyPair(h, &bad, NULL, 0, NULL, 0, &pub, &priv),
			 CKR_MECHANISM_INVALID);
	(void)no;
}

static void
test_signing_rules_and_apdu_count(void **state)
{
	fixture *f = *state;
	CK_OBJECT_HANDLE pub, priv, nosign_pub, nosign;
	CK_MECHANISM sha = {CKM_SHA256_RSA_PKCS, NULL, 0};
	CK_BYTE sig[512], sig2[512], msg[] = "Платёж";
	CK_ULONG len = 0, len2;
	CK_SESSION_HANDLE h;
	unsigned long before;

	h = user_session(f);
	generate(f, h, 2048, CK_TRUE, &pub, &priv, CKR_OK);
	generate(f, h, 2048, CK_FALSE, &nosign_pub, &nosign, CKR_OK);
	assert_int_equal(f->p->C_SignInit(h, &sha, nosign), CKR_KEY_FUNCTION_NOT_PERMITTED);
	assert_int_equal(f->p->C_SignInit(h, &sha, pub), CKR_KEY_TYPE_INCONSISTENT);
	assert_int_equal(f->p->C_Sign(h, msg, sizeof(msg), sig, &len), CKR_OPERATION_NOT_INITIALIZED);
	before = card_apdus(f);
	assert_int_equal(f->p->C_SignInit(h, &sha, priv), CKR_OK);
	assert_int_equal(card_apdus(f) - before, 0); /* a key already known */
	assert_int_equal(f->p->C_SignInit(h, &sha, priv), CKR_OPERATION_ACTIVE);
	/* the length query and a short buffer leave the operation active */
	assert_int_equal(f->p->C_Sign(h, msg, sizeof(msg), NULL, &len), CKR_OK);
	assert_int_equal(len, 256);
	len = 10;
	assert_int_equal(f->p->C_Sign(h, msg, sizeof(msg), sig, &len), CKR_BUFFER_TOO_SMALL);
	assert_int_equal(len, 256);
	before = card_apdus(f);
	assert_int_equal(f->p->C_Sign(h, msg, sizeof(msg), sig, &len), CKR_OK);
	assert_int_equal(card_apdus(f) - before, 2); /* MSE SET + PSO */
	assert_int_equal(f->p->C_Sign(h, msg, sizeof(msg), sig, &len), CKR_OPERATION_NOT_INITIALIZED);
	/* multi-part gives the same PKCS#1 v1.5 signature */
	assert_int_equal(f->p->C_SignInit(h, &sha, priv), CKR_OK);
	assert_int_equal(f->p->C_SignUpdate(h, msg, 4), CKR_OK);
	assert_int_equal(f->p->C_SignUpdate(h, msg + 4, sizeof(msg) - 4), CKR_OK);
	assert_int_equal(f->p->C_Sign(h, msg, sizeof(msg), sig2, &len2), CKR_OPERATION_ACTIVE);
	len2 = sizeof(sig2);
	assert_int_equal(f->p->C_SignFinal(h, sig2, &len2), CKR_OK);
	assert_int_equal(len2, 256);
	assert_memory_equal(sig, sig2, 256);
	/* the public key verifies it, single- and multi-part, and refuses a changed one */
	assert_int_equal(f->p->C_VerifyInit(h, &sha, priv), CKR_KEY_TYPE_INCONSISTENT);
	assert_int_equal(f->p->C_VerifyInit(h, &sha, pub), CKR_OK);
	assert_int_equal(f->p->C_Verify(h, msg, sizeof(msg), sig, 256), CKR_OK);
	assert_int_equal(f->p->C_VerifyInit(h, &sha, pub), CKR_OK);
	assert_int_equal(f->p->C_VerifyUpdate(h, msg, 3), CKR_OK);
	assert_int_equal(f->p->C_VerifyUpdate(h, msg + 3, sizeof(msg) - 3), CKR_OK);
	assert_int_equal(f->p->C_VerifyFinal(h, sig, 256), CKR_OK);
	sig[100] ^= 1;
	assert_int_equal(f->p->C_VerifyInit(h, &sha, pub), CKR_OK);
	assert_int_equal(f->p->C_Verify(h, msg, sizeof(msg), sig, 256), CKR_SIGNATURE_INVALID);
	assert_int_equal(f->p->C_VerifyInit(h, &sha, pub), CKR_OK);
	assert_int_equal(f->p->C_Verify(h, msg, sizeof(msg), sig, 255), CKR_SIGNATURE_LEN_RANGE);
	/* logged out: no signing */
	assert_int_equal(f->p->C_Logout(h), CKR_OK);
	assert_int_equal(f->p->C_SignInit(h, &sha, priv), CKR_USER_NOT_LOGGED_IN);
}

static void
test_pss_signatures_verify_through_the_module(void **state)
{
	fixture *f = *state;
	CK_OBJECT_HANDLE pub, priv;
	CK_RSA_PKCS_PSS_PARAMS pp = {CKM_SHA256, CKG_MGF1_SHA256, 32}, wrong = {CKM_SHA_1, CKG_MGF1_SHA1, 20};
	CK_MECHANISM pss = {CKM_SHA256_RSA_PKCS_PSS, &pp, sizeof(pp)}, bad = {CKM_SHA256_RSA_PKCS_PSS, &wrong, sizeof(wrong)};
	CK_BYTE sig[256], msg[] = "TLS 1.3 handshake";
	CK_ULONG len = sizeof(sig);
	CK_SESSION_HANDLE h;

	h = user_session(f);
	generate(f, h, 2048, CK_TRUE, &pub, &priv, CKR_OK);
	assert_int_equal(f->p->C_SignInit(h, &bad, priv), CKR_MECHANISM_PARAM_INVALID);
	assert_int_equal(f->p->C_SignInit(h, &pss, priv), CKR_OK);
	assert_int_equal(f->p->C_Sign(h, msg, sizeof(msg), sig, &len), CKR_OK);
	assert_int_equal(f->p->C_VerifyInit(h, &pss, pub), CKR_OK);
	assert_int_equal(f->p->C_Verify(h, msg, sizeof(msg), sig, len), CKR_OK);
	msg[0] ^= 1;
	assert_int_equal(f->p->C_VerifyInit(h, &pss, pub), CKR_OK);
	assert_int_equal(f->p->C_Verify(h, msg, sizeof(msg), sig, len), CKR_SIGNATURE_INVALID);
}

static void
test_imported_keys(void **state)
{
	fixture *f = *state;
	CK_OBJECT_HANDLE pub, priv, imported;
	CK_OBJECT_CLASS pubc = CKO_PUBLIC_KEY, privc = CKO_PRIVATE_KEY;
	CK_KEY_TYPE rsa = CKK_RSA;
	CK_BBOOL yes = CK_TRUE;
	CK_BYTE n[256], e[8], junk[128], sig[256], msg[] = "imported";
	CK_ATTRIBUTE get[] = {{CKA_MODULUS, n, sizeof(n)}, {CKA_PUBLIC_EXPONENT, e, sizeof(e)}};
	CK_MECHANISM sha = {CKM_SHA256_RSA_PKCS, NULL, 0};
	CK_ULONG len = sizeof(sig);
	CK_SESSION_HANDLE h;

	h = user_session(f);
	generate(f, h, 2048, CK_TRUE, &pub, &priv, CKR_OK);
	assert_int_equal(f->p->C_GetAttributeValue(h, pub, get, 2), CKR_OK);
	{
		/* a public key imported from those numbers verifies the token key's signatures */
		CK_ATTRIBUTE t[] = {{CKA_CLASS, &pubc, sizeof(pubc)}, {CKA_KEY_TYPE, &rsa, sizeof(rsa)},
				    {CKA_TOKEN, &yes, sizeof(yes)},    {CKA_MODULUS, n, get[0].ulValueLen},
				    {CKA_PUBLIC_EXPONENT, e, get[1].ulValueLen}};
		assert_int_equal(f->p->C_CreateObject(h, t, 5, &imported), CKR_OK);
	}
	assert_int_equal(f->p->C_SignInit(h, &sha, priv), CKR_OK);
	assert_int_equal(f->p->C_Sign(h, msg, sizeof(msg), sig, &len), CKR_OK);
	assert_int_equal(f->p->C_VerifyInit(h, &sha, imported), CKR_OK);
	assert_int_equal(f->p->C_Verify(h, msg, sizeof(msg), sig, len), CKR_OK);
	memset(junk, 0x5A, sizeof(junk));
	{
		/* numbers that are no RSA key: the card refuses them, nothing is stored */
		CK_ATTRIBUTE t[] = {{CKA_CLASS, &privc, sizeof(privc)}, {CKA_KEY_TYPE, &rsa, sizeof(rsa)},
				    {CKA_TOKEN, &yes, sizeof(yes)},      {CKA_MODULUS, n, 256},
				    {CKA_PUBLIC_EXPONENT, e, 3},         {CKA_PRIVATE_EXPONENT, n, 256},
				    {CKA_PRIME_1, junk, 128},            {CKA_PRIME_2, junk, 128},
				    {CKA_EXPONENT_1, junk, 128},         {CKA_EXPONENT_2, junk, 128},
				    {CKA_COEFFICIENT, junk, 128}};
		assert_int_equal(f->p->C_CreateObject(h, t, 11, &imported), CKR_ATTRIBUTE_VALUE_INVALID);
		assert_int_equal(f->p->C_CreateObject(h, t, 8, &imported), CKR_TEMPLATE_INCOMPLETE);
	}
}

static void
test_verify_recover_returns_the_signed_data(void **state)
{
	fixture *f = *state;
	CK_OBJECT_HANDLE pub, priv;
	CK_MECHANISM pkcs = {CKM_RSA_PKCS, NULL, 0}, raw = {CKM_RSA_X_509, NULL, 0};
	CK_MECHANISM sha = {CKM_SHA256_RSA_PKCS, NULL, 0};
	CK_BYTE data[] = "recoverable", sig[256], out[256], block[256];
	CK_ULONG sig_len = sizeof(sig), out_len = 0;
	CK_SESSION_HANDLE h;

	h = user_session(f);
	generate(f, h, 2048, CK_TRUE, &pub, &priv, CKR_OK);
	assert_int_equal(f->p->C_SignInit(h, &pkcs, priv), CKR_OK);
	assert_int_equal(f->p->C_Sign(h, data, sizeof(data), sig, &sig_len), CKR_OK);
	assert_int_equal(f->p->C_VerifyRecoverInit(h, &sha, pub), CKR_MECHANISM_INVALID);
	assert_int_equal(f->p->C_VerifyRecoverInit(h, &pkcs, priv), CKR_KEY_TYPE_INCONSISTENT);
	assert_int_equal(f->p->C_VerifyRecoverInit(h, &pkcs, pub), CKR_OK);
	/* the length query and a short buffer leave the operation active */
	assert_int_equal(f->p->C_VerifyRecover(h, sig, sig_len, NULL, &out_len), CKR_OK);
	assert_int_equal(out_len, sizeof(data));
	out_len = 2;
	assert_int_equal(f->p->C_VerifyRecover(h, sig, sig_len, out, &out_len), CKR_BUFFER_TOO_SMALL);
	out_len = sizeof(out);
	assert_int_equal(f->p->C_VerifyRecover(h, sig, sig_len, out, &out_len), CKR_OK);
	assert_int_equal(out_len, sizeof(data));
	assert_memory_equal(out, data, sizeof(data));
	assert_int_equal(f->p->C_VerifyRecover(h, sig, sig_len, out, &out_len), CKR_OPERATION_NOT_INITIALIZED);
	/* raw: the whole block comes back */
	memset(block, 0x42, sizeof(block));
	block[0] = 0x00;
	assert_int_equal(f->p->C_SignInit(h, &raw, priv), CKR_OK);
	assert_int_equal(f->p->C_Sign(h, block, sizeof(block), sig, &sig_len), CKR_OK);
	assert_int_equal(f->p->C_VerifyRecoverInit(h, &raw, pub), CKR_OK);
	out_len = sizeof(out);
	assert_int_equal(f->p->C_VerifyRecover(h, sig, sig_len, out, &out_len), CKR_OK);
	assert_int_equal(out_len, 256);
	assert_memory_equal(out, block, 256);
	/* a changed signature, or one of the wrong length, is refused and ends it */
	assert_int_equal(f->p->C_VerifyRecoverInit(h, &pkcs, pub), CKR_OK);
	assert_int_equal(f->p->C_VerifyRecover(h, sig, sig_len, out, &out_len), CKR_SIGNATURE_INVALID);
	assert_int_equal(f->p->C_VerifyRecover(h, sig, sig_len, out, &out_len), CKR_OPERATION_NOT_INITIALIZED);
	assert_int_equal(f->p->C_VerifyRecoverInit(h, &pkcs, pub), CKR_OK);
	assert_int_equal(f->p->C_VerifyRecover(h, sig, 100, out, &out_len), CKR_SIGNATURE_LEN_RANGE);
}

/* RSA-PSS takes every salt length the specification allows for the key:
 * emLen - hLen - 2 bytes at most (222 for a 2048-bit key and SHA-256). */
static void
test_pss_signs_with_the_longest_salt_the_key_allows(void **state)
{
	fixture *f = *state;
	CK_SESSION_HANDLE h = user_session(f);
	CK_OBJECT_HANDLE pub, priv;
	CK_RSA_PKCS_PSS_PARAMS pp = {CKM_SHA256, CKG_MGF1_SHA256, 222};
	CK_MECHANISM pss = {CKM_SHA256_RSA_PKCS_PSS, &pp, sizeof(pp)};
	CK_BYTE sig[256], msg[] = "a long salt";
	CK_ULONG len = sizeof(sig);
	CK_ULONG salts[] = {0, 20, 129, 200, 222};
	size_t i;

	generate(f, h, 2048, CK_TRUE, &pub, &priv, CKR_OK);
	for (i = 0; i < sizeof(salts) / sizeof(salts[0]); i++) {
		pp.sLen = salts[i];
		len = sizeof(sig);
		assert_int_equal(f->p->C_SignInit(h, &pss, priv), CKR_OK);
		assert_int_equal(f->p->C_Sign(h, msg, sizeof(msg), sig, &len), CKR_OK);
		assert_int_equal(f->p->C_VerifyInit(h, &pss, pub), CKR_OK);
		assert_int_equal(f->p->C_Verify(h, msg, sizeof(msg), sig, len), CKR_OK);
	}
	pp.sLen = 223;
	assert_int_equal(f->p->C_SignInit(h, &pss, priv), CKR_MECHANISM_PARAM_INVALID);
}

/* 00 01 00 01 is the number 65537: generation and import take it as 01 00 01. */
static void
test_a_public_exponent_with_leading_zeros_is_the_same_exponent(void **state)
{
	fixture *f = *state;
	CK_SESSION_HANDLE h = user_session(f);
	CK_BYTE padded[] = {0, 1, 0, 1}, e[8], n[256], sig[256], msg[] = "m";
	CK_ULONG bits = 2048, len = sizeof(sig);
	CK_BBOOL yes = CK_TRUE;
	CK_OBJECT_CLASS pubc = CKO_PUBLIC_KEY;
	CK_KEY_TYPE rsa = CKK_RSA;
	CK_ATTRIBUTE pt[] = {{CKA_TOKEN, &yes, 1}, {CKA_MODULUS_BITS, &bits, sizeof(bits)},
			     {CKA_PUBLIC_EXPONENT, padded, sizeof(padded)}};
	CK_ATTRIBUTE st[] = {{CKA_TOKEN, &yes, 1}};
	CK_ATTRIBUTE get[] = {{CKA_PUBLIC_EXPONENT, e, sizeof(e)}, {CKA_MODULUS, n, sizeof(n)}};
	CK_MECHANISM gen = {CKM_RSA_PKCS_KEY_PAIR_GEN, NULL, 0}, sha = {CKM_SHA256_RSA_PKCS, NULL, 0};
	CK_OBJECT_HANDLE pub, priv, imported;
	CK_BYTE zero[] = {0, 0};
	CK_ATTRIBUTE zero_e[] = {{CKA_TOKEN, &yes, 1}, {CKA_PUBLIC_EXPONENT, zero, sizeof(zero)}};

	assert_int_equal(f->p->C_GenerateKeyPair(h, &gen, pt, 3, st, 1, &pub, &priv), CKR_OK);
	assert_int_equal(f->p->C_GetAttributeValue(h, pub, get, 2), CKR_OK);
	assert_int_equal(get[0].ulValueLen, 3);
	assert_memory_equal(e, "\x01\x00\x01", 3);
	assert_int_equal(f->p->C_GenerateKeyPair(h, &gen, zero_e, 2, st, 1, &imported, &imported),
			 CKR_ATTRIBUTE_VALUE_INVALID);
	{
		CK_ATTRIBUTE t[] = {{CKA_CLASS, &pubc, sizeof(pubc)}, {CKA_KEY_TYPE, &rsa, sizeof(rsa)},
				    {CKA_TOKEN, &yes, 1},              {CKA_MODULUS, n, get[1].ulValueLen},
				    {CKA_PUBLIC_EXPONENT, padded, sizeof(padded)}};
		assert_int_equal(f->p->C_CreateObject(h, t, 5, &imported), CKR_OK);
	}
	get[0].ulValueLen = sizeof(e);
	assert_int_equal(f->p->C_GetAttributeValue(h, imported, get, 1), CKR_OK);
	assert_int_equal(get[0].ulValueLen, 3);
	/* the imported public key verifies what the generated private key signs */
	assert_int_equal(f->p->C_SignInit(h, &sha, priv), CKR_OK);
	assert_int_equal(f->p->C_Sign(h, msg, sizeof(msg), sig, &len), CKR_OK);
	assert_int_equal(f->p->C_VerifyInit(h, &sha, imported), CKR_OK);
	assert_int_equal(f->p->C_Verify(h, msg, sizeof(msg), sig, len), CKR_OK);
}

/* A key too small for the hash and PSS's overhead takes no PSS at all; a salt
 * length near SIZE_MAX does not wrap any bound. */
static void
test_pss_refuses_a_key_too_small_for_its_hash_and_absurd_salts(void **state)
{
	fixture *f = *state;
	CK_SESSION_HANDLE h = user_session(f);
	CK_OBJECT_CLASS pubc = CKO_PUBLIC_KEY;
	CK_KEY_TYPE rsa = CKK_RSA;
	CK_BBOOL yes = CK_TRUE;
	CK_BYTE n[64], e[] = {1, 0, 1}, sig[64];
	CK_ATTRIBUTE t[] = {{CKA_CLASS, &pubc, sizeof(pubc)}, {CKA_KEY_TYPE, &rsa, sizeof(rsa)},
			    {CKA_TOKEN, &yes, 1}, {CKA_MODULUS, n, sizeof(n)},
			    {CKA_PUBLIC_EXPONENT, e, sizeof(e)}};
	CK_RSA_PKCS_PSS_PARAMS pp = {CKM_SHA512, CKG_MGF1_SHA512, 0};
	CK_MECHANISM pss = {CKM_SHA512_RSA_PKCS_PSS, &pp, sizeof(pp)};
	CK_OBJECT_HANDLE pub, big_pub, big_priv;
	CK_RSA_PKCS_PSS_PARAMS pp256 = {CKM_SHA256, CKG_MGF1_SHA256, (CK_ULONG)-66};
	CK_MECHANISM pss256 = {CKM_SHA256_RSA_PKCS_PSS, &pp256, sizeof(pp256)};

	memset(n, 0xC3, sizeof(n)); /* 512 bits, odd */
	memset(sig, 0x11, sizeof(sig));
	sig[63] = 0xBC;
	assert_int_equal(f->p->C_CreateObject(h, t, 5, &pub), CKR_OK);
	assert_int_equal(f->p->C_VerifyInit(h, &pss, pub), CKR_MECHANISM_PARAM_INVALID);
	pp.sLen = (CK_ULONG)-66;
	assert_int_equal(f->p->C_VerifyInit(h, &pss, pub), CKR_MECHANISM_PARAM_INVALID);
	generate(f, h, 2048, CK_TRUE, &big_pub, &big_priv, CKR_OK);
	assert_int_equal(f->p->C_SignInit(h, &pss256, big_priv), CKR_MECHANISM_PARAM_INVALID);
	assert_int_equal(f->p->C_VerifyInit(h, &pss256, big_pub), CKR_MECHANISM_PARAM_INVALID);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_generated_key_attributes_follow_the_specification, setup, teardown),
		cmocka_unit_test_setup_teardown(test_signing_rules_and_apdu_count, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pss_signatures_verify_through_the_module, setup, teardown),
		cmocka_unit_test_setup_teardown(test_imported_keys, setup, teardown),
		cmocka_unit_test_setup_teardown(test_verify_recover_returns_the_signed_data, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pss_signs_with_the_longest_salt_the_key_allows, setup, teardown),
		cmocka_unit_test_setup_teardown(test_a_public_exponent_with_leading_zeros_is_the_same_exponent, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pss_refuses_a_key_too_small_for_its_hash_and_absurd_salts, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
