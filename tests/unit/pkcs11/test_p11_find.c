/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* Object search and reading against the in-process card: what a session may see
 * follows this module's login, never what the card happens to list. */
#include "p11_fixture.h"

static CK_BBOOL yes = CK_TRUE;
static CK_ATTRIBUTE private_only[] = {{CKA_PRIVATE, &yes, sizeof(yes)}};

static void
test_private_objects_stay_hidden_when_another_application_verified_the_card(void **state)
{
	p11 *t = *state;
	CK_SESSION_HANDLE h = p11_user(t), pub;
	CK_OBJECT_HANDLE secret = p11_data(t, h, 1, "secret");
	CK_BYTE buf[16];
	CK_ATTRIBUTE value = {CKA_VALUE, buf, sizeof(buf)};

	p11_data(t, h, 0, "public");
	assert_int_equal(t->f->C_CloseSession(h), CKR_OK);
	/* the card is verified for the user by someone else (one card shared through
	 * PC/SC): it lists its private objects, yet this module never logged in */
	t->lb.session.user_verified = 1;
	pub = p11_open(t, 0);
	assert_int_equal(p11_state(t, pub), CKS_RO_PUBLIC_SESSION);
	assert_int_equal(p11_count(t, pub, private_only, 1), 0);
	assert_int_equal(p11_count(t, pub, NULL, 0), 1);
	assert_int_equal(t->f->C_GetAttributeValue(pub, secret, &value, 1), CKR_OBJECT_HANDLE_INVALID);
}

static void
test_private_objects_seen_while_logged_in_are_gone_after_the_last_session_closes(void **state)
{
	p11 *t = *state;
	CK_SESSION_HANDLE h = p11_user(t);
	CK_OBJECT_HANDLE secret = p11_data(t, h, 1, "secret");
	CK_BYTE buf[16];
	CK_ATTRIBUTE value = {CKA_VALUE, buf, sizeof(buf)};

	assert_int_equal(p11_count(t, h, private_only, 1), 1);
	assert_int_equal(t->f->C_GetAttributeValue(h, secret, &value, 1), CKR_OK);
	assert_int_equal(t->f->C_CloseSession(h), CKR_OK);
	h = p11_open(t, 0);
	assert_int_equal(p11_count(t, h, private_only, 1), 0);
	value.ulValueLen = sizeof(buf);
	assert_int_equal(t->f->C_GetAttributeValue(h, secret, &value, 1), CKR_OBJECT_HANDLE_INVALID);
	/* and back with the login, under the same handle */
	assert_int_equal(t->f->C_Login(h, CKU_USER, PIN(USER_PIN)), CKR_OK);
	value.ulValueLen = sizeof(buf);
	assert_int_equal(t->f->C_GetAttributeValue(h, secret, &value, 1), CKR_OK);
	assert_memory_equal(buf, "secret", 6);
}

static void
test_a_template_value_that_is_null_with_a_length_is_refused(void **state)
{
	p11 *t = *state;
	CK_SESSION_HANDLE h = p11_user(t);
	CK_OBJECT_HANDLE o = p11_data(t, h, 0, "x"), copy;
	CK_ATTRIBUTE bad[] = {{CKA_CLASS, NULL, sizeof(CK_ULONG)}};
	CK_MECHANISM gen = {CKM_RSA_PKCS_KEY_PAIR_GEN, NULL, 0};
	CK_OBJECT_HANDLE a, b;

	assert_int_equal(t->f->C_FindObjectsInit(h, bad, 1), CKR_ARGUMENTS_BAD);
	assert_int_equal(t->f->C_CreateObject(h, bad, 1, &copy), CKR_ARGUMENTS_BAD);
	assert_int_equal(t->f->C_SetAttributeValue(h, o, bad, 1), CKR_ARGUMENTS_BAD);
	assert_int_equal(t->f->C_CopyObject(h, o, bad, 1, &copy), CKR_ARGUMENTS_BAD);
	assert_int_equal(t->f->C_GenerateKeyPair(h, &gen, bad, 1, NULL, 0, &a, &b), CKR_ARGUMENTS_BAD);
	/* the search was never started: a new one may begin */
	assert_int_equal(p11_count(t, h, NULL, 0), 1);
}

static void
test_a_search_keeps_its_snapshot_until_it_ends(void **state)
{
	p11 *t = *state;
	CK_SESSION_HANDLE h = p11_user(t);
	CK_OBJECT_HANDLE found[4];
	CK_ULONG n = 0;

	p11_data(t, h, 0, "one");
	p11_data(t, h, 0, "two");
	assert_int_equal(t->f->C_FindObjectsInit(h, NULL, 0), CKR_OK);
	assert_int_equal(t->f->C_FindObjectsInit(h, NULL, 0), CKR_OPERATION_ACTIVE);
	assert_int_equal(t->f->C_FindObjects(h, found, 1, &n), CKR_OK);
	assert_int_equal(n, 1);
	p11_data(t, h, 0, "three");
	assert_int_equal(t->f->C_FindObjects(h, found, 4, &n), CKR_OK);
	assert_int_equal(n, 1);
	assert_int_equal(t->f->C_FindObjectsFinal(h), CKR_OK);
	assert_int_equal(t->f->C_FindObjects(h, found, 4, &n), CKR_OPERATION_NOT_INITIALIZED);
	assert_int_equal(t->f->C_FindObjectsFinal(h), CKR_OPERATION_NOT_INITIALIZED);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
			test_private_objects_stay_hidden_when_another_application_verified_the_card, p11_setup,
			p11_teardown),
		cmocka_unit_test_setup_teardown(
			test_private_objects_seen_while_logged_in_are_gone_after_the_last_session_closes,
			p11_setup, p11_teardown),
		cmocka_unit_test_setup_teardown(test_a_template_value_that_is_null_with_a_length_is_refused,
						p11_setup, p11_teardown),
		cmocka_unit_test_setup_teardown(test_a_search_keeps_its_snapshot_until_it_ends, p11_setup,
						p11_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
