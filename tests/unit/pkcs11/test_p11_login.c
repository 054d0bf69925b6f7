/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* The module's login against the in-process card: it is logged in exactly when
 * the card has verified the user, whatever changed the card's mind. */
#include "p11_fixture.h"

static void
test_a_card_that_dropped_the_login_lets_the_user_log_in_again(void **state)
{
	fixture *f = *state;
	CK_SESSION_HANDLE h = p11_user(f);
	CK_OBJECT_HANDLE pub, priv;

	p11_keypair(f, h, "k", &pub, &priv);
	assert_int_equal(sign(f, h, priv), CKR_OK);
	/* another application logs the shared card out (VERIFY P1=FF) */
	f->lb.session.user_verified = 0;
	assert_int_equal(sign(f, h, priv), CKR_USER_NOT_LOGGED_IN);
	/* the module saw the card say so: it is logged out too, not stuck */
	assert_int_equal(p11_state(f, h), CKS_RW_PUBLIC_SESSION);
	assert_int_equal(f->p->C_Login(h, CKU_USER, PIN(USER_PIN)), CKR_OK);
	assert_int_equal(p11_state(f, h), CKS_RW_USER_FUNCTIONS);
	assert_int_equal(sign(f, h, priv), CKR_OK);
}

static void
test_a_wrong_old_pin_in_set_pin_logs_the_module_out_with_the_card(void **state)
{
	fixture *f = *state;
	CK_SESSION_HANDLE h = p11_user(f);

	assert_int_equal(f->p->C_SetPIN(h, PIN("00000000"), PIN("87878787")), CKR_PIN_INCORRECT);
	assert_int_equal(f->lb.session.user_verified, 0); /* the card dropped it */
	assert_int_equal(p11_state(f, h), CKS_RW_PUBLIC_SESSION);
	assert_int_equal(f->p->C_Logout(h), CKR_USER_NOT_LOGGED_IN);
	assert_int_equal(f->p->C_Login(h, CKU_USER, PIN(USER_PIN)), CKR_OK);
	assert_int_equal(p11_state(f, h), CKS_RW_USER_FUNCTIONS);
}

static void
test_closing_the_last_session_logs_the_card_out(void **state)
{
	fixture *f = *state;
	CK_SESSION_HANDLE a = p11_user(f), b = open_session(f, 0);

	assert_int_equal(p11_state(f, b), CKS_RO_USER_FUNCTIONS); /* the login is the application's */
	assert_int_equal(f->p->C_CloseSession(a), CKR_OK);
	assert_int_equal(f->lb.session.user_verified, 1); /* b still holds it */
	assert_int_equal(f->p->C_CloseSession(b), CKR_OK);
	assert_int_equal(f->lb.session.user_verified, 0);
	b = open_session(f, 0);
	assert_int_equal(p11_state(f, b), CKS_RO_PUBLIC_SESSION);
}

static void
test_close_all_sessions_logs_the_card_out(void **state)
{
	fixture *f = *state;
	CK_SESSION_HANDLE a = p11_user(f), b = open_session(f, 0);

	assert_int_equal(f->p->C_CloseAllSessions(0), CKR_OK);
	assert_int_equal(f->p->C_GetSessionInfo(a, &(CK_SESSION_INFO){0}), CKR_SESSION_HANDLE_INVALID);
	assert_int_equal(f->p->C_GetSessionInfo(b, &(CK_SESSION_INFO){0}), CKR_SESSION_HANDLE_INVALID);
	assert_int_equal(f->lb.session.user_verified, 0);
}

static void
test_a_wrong_pin_leaves_the_module_logged_out(void **state)
{
	fixture *f = *state;
	CK_SESSION_HANDLE h = open_session(f, CKF_RW_SESSION);

	assert_int_equal(f->p->C_Login(h, CKU_USER, PIN("11111111")), CKR_PIN_INCORRECT);
	assert_int_equal(p11_state(f, h), CKS_RW_PUBLIC_SESSION);
	assert_int_equal(f->p->C_Login(h, CKU_USER, PIN(USER_PIN)), CKR_OK);
}

static void
test_pin_functions_check_session_and_role(void **state)
{
	fixture *f = *state;
	CK_SESSION_HANDLE ro, rw;
	CK_TOKEN_INFO ti;

	assert_int_equal(f->p->C_Initialize(NULL), CKR_OK);
	ro = open_session(f, 0);
	assert_int_equal(f->p->C_SetPIN(ro, PIN("12345678"), PIN("24681357")), CKR_SESSION_READ_ONLY);
	assert_int_equal(f->p->C_InitPIN(ro, PIN("24681357")), CKR_SESSION_READ_ONLY);
	assert_int_equal(f->p->C_CloseSession(ro), CKR_OK);
	rw = open_session(f, CKF_RW_SESSION);
	assert_int_equal(f->p->C_InitPIN(rw, PIN("24681357")), CKR_USER_NOT_LOGGED_IN);
	assert_int_equal(f->p->C_SetPIN(rw, PIN("12345678"), PIN("12")), CKR_PIN_LEN_RANGE);
	assert_int_equal(f->p->C_SetPIN(rw, PIN("12345678"), NULL, 4), CKR_ARGUMENTS_BAD);
	assert_int_equal(f->p->C_SetPIN(rw, PIN("00000000"), PIN("24681357")), CKR_PIN_INCORRECT);
	/* a public R/W session changes the user PIN */
	assert_int_equal(f->p->C_SetPIN(rw, PIN("12345678"), PIN("24681357")), CKR_OK);
	assert_int_equal(f->p->C_GetTokenInfo(0, &ti), CKR_OK);
	assert_false(ti.flags & CKF_USER_PIN_TO_BE_CHANGED);
	/* the SO's C_SetPIN changes the SO PIN */
	assert_int_equal(f->p->C_Login(rw, CKU_SO, PIN("87654321")), CKR_OK);
	assert_int_equal(f->p->C_SetPIN(rw, PIN("87654321"), PIN("so-secret-1")), CKR_OK);
	assert_int_equal(f->p->C_InitPIN(rw, PIN("12")), CKR_PIN_LEN_RANGE);
	assert_int_equal(f->p->C_InitPIN(rw, PIN("13572468")), CKR_OK);
	assert_int_equal(f->p->C_Logout(rw), CKR_OK);
	assert_int_equal(f->p->C_GetTokenInfo(0, &ti), CKR_OK);
	assert_false(ti.flags & CKF_SO_PIN_TO_BE_CHANGED);
	assert_int_equal(f->p->C_Login(rw, CKU_SO, PIN("87654321")), CKR_PIN_INCORRECT);
	assert_int_equal(f->p->C_Login(rw, CKU_USER, PIN("13572468")), CKR_OK);
}

/* A failed exchange leaves the card's verification unknown: the module must still
 * log the card out when the last session closes, not leave it logged in for the
 * next application. */
static void
test_a_failed_exchange_still_ends_with_the_card_logged_out(void **state)
{
	fixture *f = *state;
	CK_SESSION_HANDLE h = user_session(f);
	CK_BYTE r[8];

	f->lb.fail_next = 1;
	assert_int_equal(f->p->C_GenerateRandom(h, r, sizeof(r)), CKR_DEVICE_ERROR);
	assert_int_equal(f->lb.session.user_verified, 1);
	assert_int_equal(f->p->C_CloseSession(h), CKR_OK);
	assert_int_equal(f->lb.session.user_verified, 0);
	/* and C_Logout after one sends the log-out too */
	h = p11_user(f);
	f->lb.fail_next = 1;
	assert_int_equal(f->p->C_GenerateRandom(h, r, sizeof(r)), CKR_DEVICE_ERROR);
	assert_int_equal(f->p->C_Logout(h), CKR_OK);
	assert_int_equal(f->lb.session.user_verified, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_a_card_that_dropped_the_login_lets_the_user_log_in_again,
						p11_setup, teardown),
		cmocka_unit_test_setup_teardown(test_a_wrong_old_pin_in_set_pin_logs_the_module_out_with_the_card,
						p11_setup, teardown),
		cmocka_unit_test_setup_teardown(test_closing_the_last_session_logs_the_card_out, p11_setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_close_all_sessions_logs_the_card_out, p11_setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_a_wrong_pin_leaves_the_module_logged_out, p11_setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_pin_functions_check_session_and_role, setup, teardown),
		cmocka_unit_test_setup_teardown(test_a_failed_exchange_still_ends_with_the_card_logged_out, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
