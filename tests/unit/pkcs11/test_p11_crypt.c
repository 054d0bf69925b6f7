/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* Encryption on the host and decryption on the card, in-process: every
 * padding, and the rules of each. */
#include "p11_fixture.h"

static void
test_decryption_rules(void **state)
{
	fixture *f = *state;
	CK_OBJECT_HANDLE pub, priv;
	CK_MECHANISM pkcs = {CKM_RSA_PKCS, NULL, 0}, raw = {CKM_RSA_X_509, NULL, 0};
	CK_RSA_PKCS_OAEP_PARAMS bad = {CKM_MD5, CKG_MGF1_SHA1, CKZ_DATA_SPECIFIED, NULL, 0};
	CK_MECHANISM oaep = {CKM_RSA_PKCS_OAEP, &bad, sizeof(bad)};
	CK_BYTE ct[256], out[256];
	CK_ULONG len = sizeof(out);
	CK_SESSION_HANDLE h;

	h = user_session(f);
	generate(f, h, 2048, CK_TRUE, &pub, &priv, CKR_OK);
	assert_int_equal(f->p->C_DecryptInit(h, &oaep, priv), CKR_MECHANISM_PARAM_INVALID);
	assert_int_equal(f->p->C_DecryptInit(h, &pkcs, pub), CKR_KEY_TYPE_INCONSISTENT);
	/* a ciphertext of the wrong length ends the operation */
	assert_int_equal(f->p->C_DecryptInit(h, &pkcs, priv), CKR_OK);
	assert_int_equal(f->p->C_Decrypt(h, ct, 255, out, &len), CKR_ENCRYPTED_DATA_LEN_RANGE);
	assert_int_equal(f->p->C_Decrypt(h, ct, 256, out, &len), CKR_OPERATION_NOT_INITIALIZED);
	/* random bytes below n are no PKCS#1 block: the one padding error */
	memset(ct, 0x11, sizeof(ct));
	assert_int_equal(f->p->C_DecryptInit(h, &pkcs, priv), CKR_OK);
	assert_int_equal(f->p->C_Decrypt(h, ct, 256, out, &len), CKR_ENCRYPTED_DATA_INVALID);
	/* raw decryption gives a block; a short buffer keeps the result for the retry */
	assert_int_equal(f->p->C_DecryptInit(h, &raw, priv), CKR_OK);
	len = 10;
	assert_int_equal(f->p->C_Decrypt(h, ct, 256, out, &len), CKR_BUFFER_TOO_SMALL);
	assert_int_equal(len, 256);
	assert_int_equal(f->p->C_Decrypt(h, ct, 256, out, &len), CKR_OK);
	assert_int_equal(len, 256);
	assert_int_equal(f->p->C_Logout(h), CKR_OK);
	assert_int_equal(f->p->C_DecryptInit(h, &pkcs, priv), CKR_USER_NOT_LOGGED_IN);
}

/* Encrypt on the host with the token's public key, decrypt on the token. */
static void
encrypt_then_decrypt(fixture *f, CK_SESSION_HANDLE h, CK_MECHANISM *m, CK_OBJECT_HANDLE pub,
		     CK_OBJECT_HANDLE priv, const CK_BYTE *msg, CK_ULONG msg_len)
{
	CK_BYTE ct[512], out[512];
	CK_ULONG ct_len = 0, out_len = sizeof(out);

	assert_int_equal(f->p->C_EncryptInit(h, m, pub), CKR_OK);
	assert_int_equal(f->p->C_Encrypt(h, (CK_BYTE_PTR)msg, msg_len, NULL, &ct_len), CKR_OK);
	assert_int_equal(ct_len, 256);
	ct_len = 100;
	assert_int_equal(f->p->C_Encrypt(h, (CK_BYTE_PTR)msg, msg_len, ct, &ct_len), CKR_BUFFER_TOO_SMALL);
	ct_len = sizeof(ct);
	assert_int_equal(f->p->C_Encrypt(h, (CK_BYTE_PTR)msg, msg_len, ct, &ct_len), CKR_OK);
	assert_int_equal(ct_len, 256);
	assert_int_equal(f->p->C_DecryptInit(h, m, priv), CKR_OK);
	assert_int_equal(f->p->C_Decrypt(h, ct, ct_len, out, &out_len), CKR_OK);
	if (m->mechanism == CKM_RSA_X_509) { /* raw: the message comes back left-padded */
		assert_int_equal(out_len, 256);
		assert_memory_equal(out + 256 - msg_len, msg, msg_len);
	} else {
		assert_int_equal(out_len, msg_len);
		assert_memory_equal(out, msg, msg_len);
	}
}

static void
test_encryption_round_trips_through_the_token(void **state)
{
	fixture *f = *state;
	CK_OBJECT_HANDLE pub, priv;
	CK_RSA_PKCS_OAEP_PARAMS o256 = {CKM_SHA256, CKG_MGF1_SHA256, CKZ_DATA_SPECIFIED, "KZ", 2};
	CK_RSA_PKCS_OAEP_PARAMS o1 = {CKM_SHA_1, CKG_MGF1_SHA1, CKZ_DATA_SPECIFIED, NULL, 0};
	CK_MECHANISM pkcs = {CKM_RSA_PKCS, NULL, 0}, raw = {CKM_RSA_X_509, NULL, 0};
	CK_MECHANISM oaep = {CKM_RSA_PKCS_OAEP, &o256, sizeof(o256)}, oaep1 = {CKM_RSA_PKCS_OAEP, &o1, sizeof(o1)};
	CK_MECHANISM pss = {CKM_RSA_PKCS_PSS, NULL, 0};
	CK_BYTE msg[] = "Сессионный ключ", big[256], ct[256];
	CK_ULONG len = sizeof(ct);
	CK_BBOOL no = CK_FALSE;
	CK_ATTRIBUTE noenc[] = {{CKA_ENCRYPT, &no, sizeof(no)}};
	CK_SESSION_HANDLE h;

	h = user_session(f);
	generate(f, h, 2048, CK_TRUE, &pub, &priv, CKR_OK);
	encrypt_then_decrypt(f, h, &pkcs, pub, priv, msg, sizeof(msg));
	encrypt_then_decrypt(f, h, &oaep, pub, priv, msg, sizeof(msg));
	encrypt_then_decrypt(f, h, &oaep1, pub, priv, msg, sizeof(msg));
	encrypt_then_decrypt(f, h, &raw, pub, priv, msg, sizeof(msg));
	encrypt_then_decrypt(f, h, &pkcs, pub, priv, msg, 0);
	/* wrong keys, mechanisms and sizes */
	assert_int_equal(f->p->C_EncryptInit(h, &pkcs, priv), CKR_KEY_TYPE_INCONSISTENT);
	assert_int_equal(f->p->C_EncryptInit(h, &pss, pub), CKR_MECHANISM_INVALID);
	assert_int_equal(f->p->C_Encrypt(h, msg, sizeof(msg), ct, &len), CKR_OPERATION_NOT_INITIALIZED);
	memset(big, 0xFF, sizeof(big));
	assert_int_equal(f->p->C_EncryptInit(h, &pkcs, pub), CKR_OK);
	assert_int_equal(f->p->C_EncryptInit(h, &pkcs, pub), CKR_OPERATION_ACTIVE);
	assert_int_equal(f->p->C_Encrypt(h, big, 246, ct, &len), CKR_DATA_LEN_RANGE); /* over k - 11 */
	assert_int_equal(f->p->C_Encrypt(h, big, 10, ct, &len), CKR_OPERATION_NOT_INITIALIZED);
	assert_int_equal(f->p->C_EncryptInit(h, &raw, pub), CKR_OK);
	assert_int_equal(f->p->C_Encrypt(h, big, 256, ct, &len), CKR_DATA_LEN_RANGE); /* not below n */
	/* a public key may be encrypted with without login, unless CKA_ENCRYPT is false */
	assert_int_equal(f->p->C_Logout(h), CKR_OK);
	assert_int_equal(f->p->C_EncryptInit(h, &oaep, pub), CKR_OK);
	len = sizeof(ct);
	assert_int_equal(f->p->C_Encrypt(h, msg, sizeof(msg), ct, &len), CKR_OK);
	assert_int_equal(f->p->C_Login(h, CKU_USER, PIN("12345678")), CKR_OK);
	assert_int_equal(f->p->C_SetAttributeValue(h, pub, noenc, 1), CKR_OK);
	assert_int_equal(f->p->C_EncryptInit(h, &pkcs, pub), CKR_KEY_FUNCTION_NOT_PERMITTED);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_decryption_rules, setup, teardown),
		cmocka_unit_test_setup_teardown(test_encryption_round_trips_through_the_token, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
