/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* Sessions in-process: their states as the login changes, and the rules of
 * opening and closing them. */
#include "p11_fixture.h"

static void
test_session_states_follow_login(void **state)
{
	fixture *f = *state;
	CK_SESSION_HANDLE ro, rw;
	CK_SESSION_INFO si;

	assert_int_equal(f->p->C_Initialize(NULL), CKR_OK);
	assert_int_equal(f->p->C_OpenSession(0, 0, NULL, NULL, &ro), CKR_SESSION_PARALLEL_NOT_SUPPORTED);
	assert_int_equal(f->p->C_OpenSession(0, CKF_SERIAL_SESSION, NULL, NULL, NULL),
			 CKR_ARGUMENTS_BAD);
	ro = open_session(f, 0);
	rw = open_session(f, CKF_RW_SESSION);
	assert_int_equal(f->p->C_GetSessionInfo(ro, &si), CKR_OK);
	assert_int_equal(si.state, CKS_RO_PUBLIC_SESSION);
	assert_int_equal(f->p->C_GetSessionInfo(rw, &si), CKR_OK);
	assert_int_equal(si.state, CKS_RW_PUBLIC_SESSION);
	/* SO may not log in while a read-only session exists */
	assert_int_equal(f->p->C_Login(rw, CKU_SO, PIN("87654321")), CKR_SESSION_READ_ONLY_EXISTS);
	assert_int_equal(f->p->C_Login(ro, CKU_CONTEXT_SPECIFIC, PIN("12345678")),
			 CKR_OPERATION_NOT_INITIALIZED);
	assert_int_equal(f->p->C_Login(ro, 7, PIN("12345678")), CKR_USER_TYPE_INVALID);
	assert_int_equal(f->p->C_Login(ro, CKU_USER, NULL, 8), CKR_ARGUMENTS_BAD);
	assert_int_equal(f->p->C_Login(ro, CKU_USER, PIN("12345678")), CKR_OK);
	/* the login is the application's: every session sees it */
	assert_int_equal(f->p->C_GetSessionInfo(ro, &si), CKR_OK);
	assert_int_equal(si.state, CKS_RO_USER_FUNCTIONS);
	assert_int_equal(f->p->C_GetSessionInfo(rw, &si), CKR_OK);
	assert_int_equal(si.state, CKS_RW_USER_FUNCTIONS);
	assert_int_equal(f->p->C_Login(rw, CKU_USER, PIN("12345678")), CKR_USER_ALREADY_LOGGED_IN);
	assert_int_equal(f->p->C_Login(rw, CKU_SO, PIN("87654321")),
			 CKR_USER_ANOTHER_ALREADY_LOGGED_IN);
	assert_int_equal(f->p->C_Logout(ro), CKR_OK);
	assert_int_equal(f->p->C_Logout(ro), CKR_USER_NOT_LOGGED_IN);
	assert_int_equal(f->p->C_CloseSession(ro), CKR_OK);
	assert_int_equal(f->p->C_CloseSession(ro), CKR_SESSION_HANDLE_INVALID);
	assert_int_equal(f->p->C_Login(rw, CKU_SO, PIN("87654321")), CKR_OK);
	assert_int_equal(f->p->C_GetSessionInfo(rw, &si), CKR_OK);
	assert_int_equal(si.state, CKS_RW_SO_FUNCTIONS);
	assert_int_equal(f->p->C_OpenSession(0, CKF_SERIAL_SESSION, NULL, NULL, &ro),
			 CKR_SESSION_READ_WRITE_SO_EXISTS);
	/* closing every session ends the login */
	assert_int_equal(f->p->C_CloseAllSessions(0), CKR_OK);
	rw = open_session(f, CKF_RW_SESSION);
	assert_int_equal(f->p->C_GetSessionInfo(rw, &si), CKR_OK);
	assert_int_equal(si.state, CKS_RW_PUBLIC_SESSION);
	assert_int_equal(f->p->C_GetSessionInfo(9999, &si), CKR_SESSION_HANDLE_INVALID);
	assert_int_equal(f->p->C_CloseAllSessions(3), CKR_SLOT_ID_INVALID);
}

static void
test_functions_never_run_in_parallel(void **state)
{
	fixture *f = *state;
	CK_SESSION_HANDLE h;

	assert_int_equal(f->p->C_Initialize(NULL), CKR_OK);
	h = open_session(f, 0);
	assert_int_equal(f->p->C_GetFunctionStatus(h), CKR_FUNCTION_NOT_PARALLEL);
	assert_int_equal(f->p->C_CancelFunction(h), CKR_FUNCTION_NOT_PARALLEL);
	assert_int_equal(f->p->C_GetFunctionStatus(h + 99), CKR_SESSION_HANDLE_INVALID);
}

static void
test_session_cancel_ends_the_operations_its_flags_name(void **state)
{
	fixture *f = *state;
	CK_MECHANISM sha = {CKM_SHA256, NULL, 0};
	CK_BYTE d[32];
	CK_ULONG len = sizeof(d), n;
	CK_OBJECT_HANDLE o;
	CK_SESSION_HANDLE h;

	assert_int_equal(f->p->C_Initialize(NULL), CKR_OK);
	h = open_session(f, 0);
	assert_int_equal(f->p->C_DigestInit(h, &sha), CKR_OK);
	assert_int_equal(f->p->C_FindObjectsInit(h, NULL, 0), CKR_OK);
	assert_int_equal(f->p->C_SessionCancel(h, CKF_DIGEST | CKF_SIGN), CKR_OK);
	assert_int_equal(f->p->C_DigestFinal(h, d, &len), CKR_OPERATION_NOT_INITIALIZED);
	assert_int_equal(f->p->C_FindObjects(h, &o, 1, &n), CKR_OK); /* not named: still running */
	assert_int_equal(f->p->C_SessionCancel(h, CKF_FIND_OBJECTS), CKR_OK);
	assert_int_equal(f->p->C_FindObjects(h, &o, 1, &n), CKR_OPERATION_NOT_INITIALIZED);
	/* and a new one may begin */
	assert_int_equal(f->p->C_DigestInit(h, &sha), CKR_OK);
	assert_int_equal(f->p->C_SessionCancel(h + 99, CKF_DIGEST), CKR_SESSION_HANDLE_INVALID);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_session_states_follow_login, setup, teardown),
		cmocka_unit_test_setup_teardown(test_functions_never_run_in_parallel, setup, teardown),
		cmocka_unit_test_setup_teardown(test_session_cancel_ends_the_operations_its_flags_name, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
