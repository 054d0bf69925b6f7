/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* The module's login against the in-process card: it is logged in exactly when
 * the card has verified the user, whatever changed the card's mind. */
#include "p11_fixture.h"

static const CK_BYTE msg[] = "a document to sign";

static CK_RV
sign(p11 *t, CK_SESSION_HANDLE h, CK_OBJECT_HANDLE priv)
{
	CK_MECHANISM m = {CKM_SHA256_RSA_PKCS, NULL, 0};
	CK_BYTE sig[512];
	CK_ULONG len = sizeof(sig);
	CK_RV rv = t->f->C_SignInit(h, &m, priv);

	return rv != CKR_OK ? rv : t->f->C_Sign(h, (CK_BYTE_PTR)msg, sizeof(msg), sig, &len);
}

static void
test_a_card_that_dropped_the_login_lets_the_user_log_in_again(void **state)
{
	p11 *t = *state;
	CK_SESSION_HANDLE h = p11_user(t);
	CK_OBJECT_HANDLE pub, priv;

	p11_keypair(t, h, "k", &pub, &priv);
	assert_int_equal(sign(t, h, priv), CKR_OK);
	/* another application logs the shared card out (VERIFY P1=FF) */
	t->lb.session.user_verified = 0;
	assert_int_equal(sign(t, h, priv), CKR_USER_NOT_LOGGED_IN);
	/* the module saw the card say so: it is logged out too, not stuck */
	assert_int_equal(p11_state(t, h), CKS_RW_PUBLIC_SESSION);
	assert_int_equal(t->f->C_Login(h, CKU_USER, PIN(USER_PIN)), CKR_OK);
	assert_int_equal(p11_state(t, h), CKS_RW_USER_FUNCTIONS);
	assert_int_equal(sign(t, h, priv), CKR_OK);
}

static void
test_a_wrong_old_pin_in_set_pin_logs_the_module_out_with_the_card(void **state)
{
	p11 *t = *state;
	CK_SESSION_HANDLE h = p11_user(t);

	assert_int_equal(t->f->C_SetPIN(h, PIN("00000000"), PIN("87878787")), CKR_PIN_INCORRECT);
	assert_int_equal(t->lb.session.user_verified, 0); /* the card dropped it */
	assert_int_equal(p11_state(t, h), CKS_RW_PUBLIC_SESSION);
	assert_int_equal(t->f->C_Logout(h), CKR_USER_NOT_LOGGED_IN);
	assert_int_equal(t->f->C_Login(h, CKU_USER, PIN(USER_PIN)), CKR_OK);
	assert_int_equal(p11_state(t, h), CKS_RW_USER_FUNCTIONS);
}

static void
test_closing_the_last_session_logs_the_card_out(void **state)
{
	p11 *t = *state;
	CK_SESSION_HANDLE a = p11_user(t), b = p11_open(t, 0);

	assert_int_equal(p11_state(t, b), CKS_RO_USER_FUNCTIONS); /* the login is the application's */
	assert_int_equal(t->f->C_CloseSession(a), CKR_OK);
	assert_int_equal(t->lb.session.user_verified, 1); /* b still holds it */
	assert_int_equal(t->f->C_CloseSession(b), CKR_OK);
	assert_int_equal(t->lb.session.user_verified, 0);
	b = p11_open(t, 0);
	assert_int_equal(p11_state(t, b), CKS_RO_PUBLIC_SESSION);
}

static void
test_close_all_sessions_logs_the_card_out(void **state)
{
	p11 *t = *state;
	CK_SESSION_HANDLE a = p11_user(t), b = p11_open(t, 0);

	assert_int_equal(t->f->C_CloseAllSessions(0), CKR_OK);
	assert_int_equal(t->f->C_GetSessionInfo(a, &(CK_SESSION_INFO){0}), CKR_SESSION_HANDLE_INVALID);
	assert_int_equal(t->f->C_GetSessionInfo(b, &(CK_SESSION_INFO){0}), CKR_SESSION_HANDLE_INVALID);
	assert_int_equal(t->lb.session.user_verified, 0);
}

static void
test_a_wrong_pin_leaves_the_module_logged_out(void **state)
{
	p11 *t = *state;
	CK_SESSION_HANDLE h = p11_open(t, CKF_RW_SESSION);

	assert_int_equal(t->f->C_Login(h, CKU_USER, PIN("11111111")), CKR_PIN_INCORRECT);
	assert_int_equal(p11_state(t, h), CKS_RW_PUBLIC_SESSION);
	assert_int_equal(t->f->C_Login(h, CKU_USER, PIN(USER_PIN)), CKR_OK);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_a_card_that_dropped_the_login_lets_the_user_log_in_again,
						p11_setup, p11_teardown),
		cmocka_unit_test_setup_teardown(test_a_wrong_old_pin_in_set_pin_logs_the_module_out_with_the_card,
						p11_setup, p11_teardown),
		cmocka_unit_test_setup_teardown(test_closing_the_last_session_logs_the_card_out, p11_setup,
						p11_teardown),
		cmocka_unit_test_setup_teardown(test_close_all_sessions_logs_the_card_out, p11_setup,
						p11_teardown),
		cmocka_unit_test_setup_teardown(test_a_wrong_pin_leaves_the_module_logged_out, p11_setup,
						p11_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
