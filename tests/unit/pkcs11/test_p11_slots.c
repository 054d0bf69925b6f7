/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* Slots and tokens in-process: slot and token information, C_InitToken, the
 * token's random numbers, the vendor interface's label. */
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
	assert_int_equal(n, 20);
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
	assert_int_equal(vendor->version.minor, 2);
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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_slot_and_token_info, setup, teardown),
		cmocka_unit_test_setup_teardown(test_init_token_needs_no_open_sessions_and_the_so_pin, setup, teardown),
		cmocka_unit_test_setup_teardown(test_random_comes_from_the_token, setup, teardown),
		cmocka_unit_test_setup_teardown(test_vendor_sets_the_token_label, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
