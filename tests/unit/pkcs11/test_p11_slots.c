/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* Slots and tokens in-process: slot and token information, C_InitToken, the
 * token's random numbers, the vendor interface: label, format with policies,
 * unblock keeping the PIN. */
#include "kaztoken/vendor.h"
#include "p11_fixture.h"

static void
test_slot_and_token_info(void **state)
{
	fixture *f = *state;
	CK_SLOT_ID slots[4];
	CK_ULONG n = 0;
	CK_SLOT_INFO si;
	CK_TOKEN_INFO ti;
	CK_INFO info;

	assert_int_equal(f->p->C_Initialize(NULL), CKR_OK);
	assert_int_equal(f->p->C_GetInfo(&info), CKR_OK);
	assert_int_equal(info.cryptokiVersion.major, 3);
	assert_int_equal(f->p->C_GetSlotList(CK_TRUE, NULL, &n), CKR_OK);
	assert_int_equal(n, 1);
	n = 0;
	assert_int_equal(f->p->C_GetSlotList(CK_TRUE, slots, &n), CKR_BUFFER_TOO_SMALL);
	assert_int_equal(n, 1);
	assert_int_equal(f->p->C_GetSlotList(CK_TRUE, slots, &n), CKR_OK);
	assert_int_equal(f->p->C_GetSlotList(CK_TRUE, slots, NULL), CKR_ARGUMENTS_BAD);
	assert_int_equal(f->p->C_GetSlotInfo(slots[0], &si), CKR_OK);
	assert_true(si.flags & CKF_TOKEN_PRESENT);
	assert_true(si.flags & CKF_REMOVABLE_DEVICE);
	assert_int_equal(f->p->C_GetSlotInfo(5, &si), CKR_SLOT_ID_INVALID);
	assert_int_equal(f->p->C_GetTokenInfo(slots[0], &ti), CKR_OK);
	assert_memory_equal(ti.label, "                                ", 32); /* never named */
	assert_memory_equal(ti.manufacturerID, "KAZTOKEN ", 9);
	assert_true(ti.flags & CKF_USER_PIN_TO_BE_CHANGED);
	assert_true(ti.flags & CKF_SO_PIN_TO_BE_CHANGED);
	assert_true(ti.flags & CKF_TOKEN_INITIALIZED);
	assert_false(ti.flags & CKF_USER_PIN_COUNT_LOW);
	assert_int_equal(ti.ulMinPinLen, 6);
	assert_int_equal(ti.ulTotalPublicMemory, 65536);
	assert_int_equal(f->p->C_GetTokenInfo(slots[0], NULL), CKR_ARGUMENTS_BAD);
	assert_int_equal(f->p->C_GetMechanismList(slots[0], NULL, &n), CKR_OK);
	assert_int_equal(n, 35); /* RSA 15, ECDSA 7, GOST 6, SHA 5, Streebog 2 */
}

static void
test_init_token_needs_no_open_sessions_and_the_so_pin(void **state)
{
	fixture *f = *state;
	CK_UTF8CHAR label[32];
	CK_SESSION_HANDLE h;
	CK_TOKEN_INFO ti;

	memset(label, ' ', sizeof(label));
	memcpy(label, "Treasury", 8);
	assert_int_equal(f->p->C_Initialize(NULL), CKR_OK);
	h = open_session(f, CKF_RW_SESSION);
	assert_int_equal(f->p->C_InitToken(0, PIN("87654321"), label), CKR_SESSION_EXISTS);
	assert_int_equal(f->p->C_CloseSession(h), CKR_OK);
	assert_int_equal(f->p->C_InitToken(0, PIN("87654321"), NULL), CKR_ARGUMENTS_BAD);
	assert_int_equal(f->p->C_InitToken(0, PIN("11111111"), label), CKR_PIN_INCORRECT);
	assert_int_equal(f->p->C_GetTokenInfo(0, &ti), CKR_OK);
	assert_true(ti.flags & CKF_SO_PIN_COUNT_LOW);
	assert_int_equal(f->p->C_InitToken(0, PIN("87654321"), label), CKR_OK);
	assert_int_equal(f->p->C_GetTokenInfo(0, &ti), CKR_OK);
	assert_memory_equal(ti.label, "Treasury ", 9);
	assert_false(ti.flags & CKF_SO_PIN_COUNT_LOW);
	assert_int_equal(f->p->C_InitToken(9, PIN("87654321"), label), CKR_SLOT_ID_INVALID);
}

static void
test_random_comes_from_the_token(void **state)
{
	fixture *f = *state;
	CK_BYTE a[600], b[600];
	CK_SESSION_HANDLE h;
	CK_TOKEN_INFO ti;

	assert_int_equal(f->p->C_Initialize(NULL), CKR_OK);
	assert_int_equal(f->p->C_GetTokenInfo(0, &ti), CKR_OK);
	assert_true(ti.flags & CKF_RNG);
	h = open_session(f, 0);
	assert_int_equal(f->p->C_GenerateRandom(h, a, sizeof(a)), CKR_OK);
	assert_int_equal(f->p->C_GenerateRandom(h, b, sizeof(b)), CKR_OK);
	assert_memory_not_equal(a, b, sizeof(a));
	assert_int_equal(f->p->C_GenerateRandom(h, NULL, 4), CKR_ARGUMENTS_BAD);
	assert_int_equal(f->p->C_GenerateRandom(h, a, 0), CKR_OK);
	assert_int_equal(f->p->C_GenerateRandom(h + 100, a, 4), CKR_SESSION_HANDLE_INVALID);
	assert_int_equal(f->p->C_SeedRandom(h, a, 4), CKR_RANDOM_SEED_NOT_SUPPORTED);
}

static void
test_vendor_sets_the_token_label(void **state)
{
	fixture *f = *state;
	CK_KAZTOKEN_FUNCTION_LIST *vendor;
	CK_INTERFACE *iface;
	CK_SESSION_HANDLE h;
	CK_TOKEN_INFO ti;

	assert_int_equal(f->p->C_Initialize(NULL), CKR_OK);
	assert_int_equal(f->p->C_GetInterface(NAME(KZT_VENDOR_INTERFACE_NAME), NULL, &iface, 0), CKR_OK);
	vendor = iface->pFunctionList;
	assert_int_equal(vendor->version.minor, 3);
	h = open_session(f, CKF_RW_SESSION);
	assert_int_equal(vendor->C_KZT_SetTokenLabel(h, PIN("Treasury")), CKR_USER_NOT_LOGGED_IN);
	assert_int_equal(f->p->C_Login(h, CKU_USER, PIN("12345678")), CKR_OK);
	assert_int_equal(vendor->C_KZT_SetTokenLabel(h, PIN("Treasury")), CKR_OK);
	assert_int_equal(f->p->C_GetTokenInfo(0, &ti), CKR_OK);
	assert_memory_equal(ti.label, "Treasury                        ", 32);
	assert_int_equal(vendor->C_KZT_SetTokenLabel(h, PIN("012345678901234567890123456789012")),
			 CKR_ARGUMENTS_BAD);
	/* the SO may name it too */
	assert_int_equal(f->p->C_Logout(h), CKR_OK);
	assert_int_equal(f->p->C_Login(h, CKU_SO, PIN("87654321")), CKR_OK);
	assert_int_equal(vendor->C_KZT_SetTokenLabel(h, NAME(""), 0), CKR_OK);
	assert_int_equal(f->p->C_GetTokenInfo(0, &ti), CKR_OK);
	assert_memory_equal(ti.label, "                                ", 32);
}

static CK_KAZTOKEN_FUNCTION_LIST *
vendor_list(fixture *f)
{
	CK_INTERFACE *iface;

	assert_int_equal(f->p->C_GetInterface(NAME(KZT_VENDOR_INTERFACE_NAME), NULL, &iface, 0), CKR_OK);
	return iface->pFunctionList;
}

static void
test_vendor_format_sets_the_dialogs_policies_and_the_card_keeps_them(void **state)
{
	fixture *f = *state;
	CK_KAZTOKEN_FUNCTION_LIST *v;
	CK_KAZTOKEN_PIN_POLICY pol;
	CK_KAZTOKEN_FORMAT fmt;
	CK_SESSION_HANDLE h;
	CK_TOKEN_INFO ti;
	int i;

	assert_int_equal(f->p->C_Initialize(NULL), CKR_OK);
	v = vendor_list(f);
	memset(&fmt, 0, sizeof(fmt));
	fmt.pLabel = (CK_UTF8CHAR_PTR)"Bank-1";
	fmt.ulLabelLen = 6;
	fmt.pUserPin = (CK_UTF8CHAR_PTR)"Qw7rT9zx";
	fmt.ulUserPinLen = 8;
	fmt.ulUserMinLen = 8;
	fmt.ulUserMaxTries = 3;
	fmt.ulSoMaxTries = 5;
	fmt.flags = CKF_KZT_SO_MAY_CHANGE_USER_PIN;
	/* arguments out of range: nothing sent */
	assert_int_equal(v->C_KZT_FormatToken(0, PIN("87654321"), NULL), CKR_ARGUMENTS_BAD);
	fmt.ulUserMaxTries = 16;
	assert_int_equal(v->C_KZT_FormatToken(0, PIN("87654321"), &fmt), CKR_ARGUMENTS_BAD);
	fmt.ulUserMaxTries = 3;
	fmt.ulUserMinLen = 3;
	assert_int_equal(v->C_KZT_FormatToken(0, PIN("87654321"), &fmt), CKR_ARGUMENTS_BAD);
	fmt.ulUserMinLen = 9; /* the new PIN is shorter than its own new minimum */
	assert_int_equal(v->C_KZT_FormatToken(0, PIN("87654321"), &fmt), CKR_PIN_LEN_RANGE);
	fmt.ulUserMinLen = 8;
	fmt.ulSoMinLen = 9; /* the factory admin PIN, kept, would be shorter than that */
	assert_int_equal(v->C_KZT_FormatToken(0, PIN("87654321"), &fmt), CKR_PIN_LEN_RANGE);
	fmt.ulSoMinLen = 0;
	fmt.flags = 0x80;
	assert_int_equal(v->C_KZT_FormatToken(0, PIN("87654321"), &fmt), CKR_ARGUMENTS_BAD);
	fmt.flags = CKF_KZT_SO_MAY_CHANGE_USER_PIN;
	assert_int_equal(f->p->C_GetTokenInfo(0, &ti), CKR_OK);
	assert_false(ti.flags & CKF_SO_PIN_COUNT_LOW);
	/* a wrong admin PIN spends a try and formats nothing; a session blocks it */
	assert_int_equal(v->C_KZT_FormatToken(0, PIN("00000000"), &fmt), CKR_PIN_INCORRECT);
	h = open_session(f, 0);
	assert_int_equal(v->C_KZT_FormatToken(0, PIN("87654321"), &fmt), CKR_SESSION_EXISTS);
	assert_int_equal(f->p->C_CloseSession(h), CKR_OK);
	assert_int_equal(v->C_KZT_FormatToken(0, PIN("87654321"), &fmt), CKR_OK);
	assert_int_equal(f->p->C_GetTokenInfo(0, &ti), CKR_OK);
	assert_memory_equal(ti.label, "Bank-1 ", 7);
	assert_false(ti.flags & CKF_USER_PIN_TO_BE_CHANGED); /* a PIN of the user's own */
	assert_true(ti.flags & CKF_SO_PIN_TO_BE_CHANGED);    /* the default admin PIN */
	assert_int_equal(ti.ulMinPinLen, 8);
	assert_int_equal(v->C_KZT_GetPinPolicy(0, &pol), CKR_OK);
	assert_int_equal(pol.ulUserMinLen, 8);
	assert_int_equal(pol.ulUserMaxTries, 3);
	assert_int_equal(pol.ulUserTriesLeft, 3);
	assert_int_equal(pol.ulSoMaxTries, 5);
	assert_int_equal(pol.ulSoMinLen, 6);
	assert_int_equal(pol.flags, CKF_KZT_SO_MAY_CHANGE_USER_PIN);
	/* the policy, violated: the user may not change the user PIN, and 3 tries lock it */
	h = open_session(f, CKF_RW_SESSION);
	assert_int_equal(f->p->C_Login(h, CKU_USER, PIN("12345678")), CKR_PIN_INCORRECT);
	assert_int_equal(f->p->C_Login(h, CKU_USER, PIN("Qw7rT9zx")), CKR_OK);
	assert_int_equal(f->p->C_SetPIN(h, PIN("Qw7rT9zx"), PIN("Zx9cV8bn")), CKR_ACTION_PROHIBITED);
	assert_int_equal(f->p->C_Logout(h), CKR_OK);
	for (i = 0; i < 3; i++)
		assert_int_equal(f->p->C_Login(h, CKU_USER, PIN("00000000")), i < 2 ? CKR_PIN_INCORRECT : CKR_PIN_LOCKED);
	/* the SO sets one shorter than the new minimum: refused */
	assert_int_equal(f->p->C_Login(h, CKU_SO, PIN("87654321")), CKR_OK);
	assert_int_equal(f->p->C_InitPIN(h, PIN("1a2b3c4")), CKR_PIN_LEN_RANGE);
	assert_int_equal(f->p->C_CloseSession(h), CKR_OK);
}

static void
test_vendor_unblock_restores_the_tries_and_keeps_the_pin(void **state)
{
	fixture *f = *state;
	CK_KAZTOKEN_FUNCTION_LIST *v;
	CK_KAZTOKEN_PIN_POLICY pol;
	CK_SESSION_HANDLE h;
	int i;

	assert_int_equal(f->p->C_Initialize(NULL), CKR_OK);
	v = vendor_list(f);
	h = open_session(f, CKF_RW_SESSION);
	for (i = 0; i < 10; i++)
		f->p->C_Login(h, CKU_USER, PIN("00000000"));
	assert_int_equal(f->p->C_Login(h, CKU_USER, PIN("12345678")), CKR_PIN_LOCKED);
	assert_int_equal(v->C_KZT_UnblockUserPin(h), CKR_USER_NOT_LOGGED_IN);
	assert_int_equal(v->C_KZT_UnblockUserPin(h + 100), CKR_SESSION_HANDLE_INVALID);
	assert_int_equal(f->p->C_Login(h, CKU_SO, PIN("87654321")), CKR_OK);
	assert_int_equal(v->C_KZT_UnblockUserPin(h), CKR_OK);
	assert_int_equal(f->p->C_Logout(h), CKR_OK);
	assert_int_equal(v->C_KZT_GetPinPolicy(0, &pol), CKR_OK);
	assert_int_equal(pol.ulUserTriesLeft, 10);
	assert_int_equal(f->p->C_Login(h, CKU_USER, PIN("12345678")), CKR_OK); /* the same PIN */
	assert_int_equal(f->p->C_CloseSession(h), CKR_OK);
	/* read-only sessions cannot */
	h = open_session(f, 0);
	assert_int_equal(f->p->C_Login(h, CKU_SO, PIN("87654321")), CKR_SESSION_READ_ONLY_EXISTS);
	assert_int_equal(v->C_KZT_UnblockUserPin(h), CKR_SESSION_READ_ONLY);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_slot_and_token_info, setup, teardown),
		cmocka_unit_test_setup_teardown(test_init_token_needs_no_open_sessions_and_the_so_pin, setup, teardown),
		cmocka_unit_test_setup_teardown(test_random_comes_from_the_token, setup, teardown),
		cmocka_unit_test_setup_teardown(test_vendor_sets_the_token_label, setup, teardown),
		cmocka_unit_test_setup_teardown(test_vendor_format_sets_the_dialogs_policies_and_the_card_keeps_them,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_vendor_unblock_restores_the_tries_and_keeps_the_pin, setup,
						teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
