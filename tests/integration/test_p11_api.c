/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* The built module, loaded like an application loads it, against a running
 * kaztoken-sim: the PKCS#11 rules for initialisation, interfaces, sessions,
 * logins and PINs that a command-line tool cannot reach. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "kaztoken/vendor.h"
#include "simctl.h"

#define PIN(s) (CK_UTF8CHAR_PTR)(s), (CK_ULONG)strlen(s)
#define NAME(s) (CK_UTF8CHAR_PTR)(s)

typedef struct fixture {
	simctl sim;
	void *handle;
	CK_FUNCTION_LIST_3_0 *p;
} fixture;

static int
setup(void **state)
{
	fixture *f = calloc(1, sizeof(*f));

	simctl_init(&f->sim);
	simctl_start(&f->sim);
	f->p = module_load(&f->handle);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	fixture *f = *state;

	f->p->C_Finalize(NULL); /* may say "not initialised"; that is fine here */
	simctl_cleanup(&f->sim);
	free(f);
	return 0;
}

static CK_SESSION_HANDLE
open_session(fixture *f, CK_FLAGS flags)
{
	CK_SESSION_HANDLE h = CK_INVALID_HANDLE;

	assert_int_equal(f->p->C_OpenSession(0, CKF_SERIAL_SESSION | flags, NULL, NULL, &h), CKR_OK);
	return h;
}

/* Initialise, open a R/W session and log the user in with the default PIN. */
static CK_SESSION_HANDLE
user_session(fixture *f)
{
	CK_SESSION_HANDLE h;

	assert_int_equal(f->p->C_Initialize(NULL), CKR_OK);
	h = open_session(f, CKF_RW_SESSION);
	assert_int_equal(f->p->C_Login(h, CKU_USER, PIN("12345678")), CKR_OK);
	return h;
}

static void
test_functions_refuse_before_initialize(void **state)
{
	fixture *f = *state;
	CK_ULONG n;
	CK_INFO info;

	assert_int_equal(f->p->C_GetInfo(&info), CKR_CRYPTOKI_NOT_INITIALIZED);
	assert_int_equal(f->p->C_GetSlotList(CK_FALSE, NULL, &n), CKR_CRYPTOKI_NOT_INITIALIZED);
	assert_int_equal(f->p->C_Finalize(NULL), CKR_CRYPTOKI_NOT_INITIALIZED);
	assert_int_equal(f->p->C_Sign(1, NULL, 0, NULL, &n), CKR_CRYPTOKI_NOT_INITIALIZED);
	assert_int_equal(f->p->C_GenerateRandom(1, NULL, 0), CKR_CRYPTOKI_NOT_INITIALIZED);
}

static CK_RV count_create(CK_VOID_PTR_PTR m);
static CK_RV count_destroy(CK_VOID_PTR m);
static CK_RV count_lock(CK_VOID_PTR m);
static CK_RV count_unlock(CK_VOID_PTR m);
static int created, destroyed, locks, unlocks;
static CK_RV count_create(CK_VOID_PTR_PTR m) { created++; *m = malloc(1); return CKR_OK; }
static CK_RV count_destroy(CK_VOID_PTR m) { destroyed++; free(m); return CKR_OK; }
static CK_RV count_lock(CK_VOID_PTR m) { (void)m; locks++; return CKR_OK; }
static CK_RV count_unlock(CK_VOID_PTR m) { (void)m; unlocks++; return CKR_OK; }

static void
test_initialize_checks_its_arguments(void **state)
{
	fixture *f = *state;
	CK_C_INITIALIZE_ARGS args;
	CK_ULONG n;

	memset(&args, 0, sizeof(args));
	args.pReserved = &args;
	assert_int_equal(f->p->C_Initialize(&args), CKR_ARGUMENTS_BAD);
	memset(&args, 0, sizeof(args));
	args.CreateMutex = count_create; /* some callbacks but not all */
	assert_int_equal(f->p->C_Initialize(&args), CKR_ARGUMENTS_BAD);
	assert_int_equal(f->p->C_GetSlotList(CK_FALSE, NULL, &n), CKR_CRYPTOKI_NOT_INITIALIZED);
	assert_int_equal(f->p->C_Finalize(NULL), CKR_CRYPTOKI_NOT_INITIALIZED);
	args.CreateMutex = NULL;
	args.flags = CKF_OS_LOCKING_OK;
	assert_int_equal(f->p->C_Initialize(&args), CKR_OK);
	assert_int_equal(f->p->C_Initialize(&args), CKR_CRYPTOKI_ALREADY_INITIALIZED);
	assert_int_equal(f->p->C_Finalize(&args), CKR_ARGUMENTS_BAD); /* pReserved must be NULL */
	assert_int_equal(f->p->C_Finalize(NULL), CKR_OK);
}

static void
test_caller_supplied_mutexes_are_used(void **state)
{
	fixture *f = *state;
	CK_C_INITIALIZE_ARGS args = {count_create, count_destroy, count_lock, count_unlock, 0, NULL};
	CK_TOKEN_INFO ti;

	created = destroyed = locks = unlocks = 0;
	assert_int_equal(f->p->C_Initialize(&args), CKR_OK);
	assert_int_equal(f->p->C_GetTokenInfo(0, &ti), CKR_OK);
	assert_int_equal(f->p->C_Finalize(NULL), CKR_OK);
	assert_true(created >= 2); /* the global lock and the slot's */
	assert_int_equal(destroyed, created);
	assert_true(locks > 0);
	assert_int_equal(locks, unlocks);
}

static void
test_interfaces_offer_3_0_2_40_and_vendor(void **state)
{
	fixture *f = *state;
	CK_INTERFACE list[3], *iface;
	CK_VERSION v240 = {2, 40}, v99 = {9, 9};
	CK_ULONG n = 0;
	CK_KAZTOKEN_FUNCTION_LIST *vendor;
	CK_KAZTOKEN_PIN_POLICY pol;

	assert_int_equal(f->p->C_GetInterfaceList(NULL, &n), CKR_OK);
	assert_int_equal(n, 3);
	n = 2;
	assert_int_equal(f->p->C_GetInterfaceList(list, &n), CKR_BUFFER_TOO_SMALL);
	assert_int_equal(n, 3);
	assert_int_equal(f->p->C_GetInterfaceList(list, &n), CKR_OK);
	assert_string_equal((char *)list[0].pInterfaceName, "PKCS 11");
	assert_int_equal(((CK_VERSION *)list[0].pFunctionList)->major, 3);
	assert_int_equal(f->p->C_GetInterface(NAME("PKCS 11"), &v240, &iface, 0), CKR_OK);
	assert_int_equal(((CK_FUNCTION_LIST *)iface->pFunctionList)->version.minor, 40);
	assert_int_equal(f->p->C_GetInterface(NAME("PKCS 11"), &v99, &iface, 0), CKR_ARGUMENTS_BAD);
	assert_int_equal(f->p->C_GetInterface(NAME("PKCS 11"), NULL, &iface, CKF_INTERFACE_FORK_SAFE),
			 CKR_ARGUMENTS_BAD);
	assert_int_equal(f->p->C_GetInterface(NAME("nope"), NULL, &iface, 0), CKR_ARGUMENTS_BAD);
	assert_int_equal(f->p->C_GetInterface(NULL, NULL, NULL, 0), CKR_ARGUMENTS_BAD);

	assert_int_equal(f->p->C_GetInterface(NAME(KZT_VENDOR_INTERFACE_NAME), NULL, &iface, 0),
			 CKR_OK);
	vendor = iface->pFunctionList;
	assert_int_equal(f->p->C_Initialize(NULL), CKR_OK);
	assert_int_equal(vendor->C_KZT_GetPinPolicy(0, &pol), CKR_OK);
	assert_int_equal(pol.ulUserMinLen, 6);
	assert_int_equal(pol.ulUserMaxTries, 10);
	assert_int_equal(pol.ulSoTriesLeft, 10);
	assert_int_equal(pol.flags, CKF_KZT_USER_MAY_CHANGE_USER_PIN | CKF_KZT_SO_MAY_CHANGE_USER_PIN);
	assert_int_equal(vendor->C_KZT_GetPinPolicy(7, &pol), CKR_SLOT_ID_INVALID);
	assert_int_equal(vendor->C_KZT_GetPinPolicy(0, NULL), CKR_ARGUMENTS_BAD);
}

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
test_find_objects_keeps_its_operation_state(void **state)
{
	fixture *f = *state;
	CK_OBJECT_HANDLE objs[4];
	CK_ULONG n = 99;
	CK_SESSION_HANDLE h;

	assert_int_equal(f->p->C_Initialize(NULL), CKR_OK);
	h = open_session(f, 0);
	assert_int_equal(f->p->C_FindObjects(h, objs, 4, &n), CKR_OPERATION_NOT_INITIALIZED);
	assert_int_equal(f->p->C_FindObjectsInit(h, NULL, 0), CKR_OK);
	assert_int_equal(f->p->C_FindObjectsInit(h, NULL, 0), CKR_OPERATION_ACTIVE);
	assert_int_equal(f->p->C_FindObjects(h, objs, 4, &n), CKR_OK);
	assert_int_equal(n, 0);
	assert_int_equal(f->p->C_FindObjectsFinal(h), CKR_OK);
	assert_int_equal(f->p->C_FindObjectsFinal(h), CKR_OPERATION_NOT_INITIALIZED);
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

static CK_OBJECT_HANDLE
create_data(fixture *f, CK_SESSION_HANDLE h, const char *label, const char *value, CK_BBOOL token,
	    CK_BBOOL priv, CK_RV want)
{
	CK_OBJECT_CLASS cls = CKO_DATA;
	CK_ATTRIBUTE t[] = {{CKA_CLASS, &cls, sizeof(cls)},
			    {CKA_TOKEN, &token, sizeof(token)},
			    {CKA_PRIVATE, &priv, sizeof(priv)},
			    {CKA_LABEL, (void *)label, strlen(label)},
			    {CKA_VALUE, (void *)value, strlen(value)}};
	CK_OBJECT_HANDLE o = CK_INVALID_HANDLE;

	assert_int_equal(f->p->C_CreateObject(h, t, 5, &o), want);
	return o;
}

/* How many objects a search by label finds. */
static CK_ULONG
find_by_label(fixture *f, CK_SESSION_HANDLE h, const char *label, CK_OBJECT_HANDLE *first)
{
	CK_ATTRIBUTE t[] = {{CKA_LABEL, (void *)label, strlen(label)}};
	CK_OBJECT_HANDLE found[8];
	CK_ULONG n = 0;

	assert_int_equal(f->p->C_FindObjectsInit(h, t, 1), CKR_OK);
	assert_int_equal(f->p->C_FindObjects(h, found, 8, &n), CKR_OK);
	assert_int_equal(f->p->C_FindObjectsFinal(h), CKR_OK);
	if (n > 0 && first != NULL)
		*first = found[0];
	return n;
}

static void
test_token_data_object_lifecycle(void **state)
{
	fixture *f = *state;
	CK_OBJECT_HANDLE o, again = 0;
	CK_OBJECT_CLASS cls = 0;
	CK_BBOOL tok = CK_FALSE;
	CK_BYTE value[16], tiny[2];
	CK_ATTRIBUTE get[] = {{CKA_CLASS, &cls, sizeof(cls)},
			      {CKA_VALUE, NULL, 0},
			      {CKA_TOKEN, &tok, sizeof(tok)}};
	CK_ATTRIBUTE bad[] = {{CKA_LABEL, tiny, sizeof(tiny)},
			      {CKA_MODULUS, NULL, 0},
			      {CKA_CLASS, &cls, sizeof(cls)}};
	CK_SESSION_HANDLE h;

	h = user_session(f);
	o = create_data(f, h, "notes", "hello token", CK_TRUE, CK_FALSE, CKR_OK);
	assert_int_equal(find_by_label(f, h, "notes", &again), 1);
	assert_int_equal(again, o);
	/* size query, then the value */
	assert_int_equal(f->p->C_GetAttributeValue(h, o, get, 3), CKR_OK);
	assert_int_equal(cls, CKO_DATA);
	assert_true(tok);
	assert_int_equal(get[1].ulValueLen, 11);
	get[1].pValue = value;
	get[1].ulValueLen = sizeof(value);
	assert_int_equal(f->p->C_GetAttributeValue(h, o, get, 3), CKR_OK);
	assert_memory_equal(value, "hello token", 11);
	/* each attribute answered on its own; the last problem is returned */
	cls = 0;
	assert_int_equal(f->p->C_GetAttributeValue(h, o, bad, 3), CKR_ATTRIBUTE_TYPE_INVALID);
	assert_int_equal(bad[0].ulValueLen, CK_UNAVAILABLE_INFORMATION);
	assert_int_equal(bad[1].ulValueLen, CK_UNAVAILABLE_INFORMATION);
	assert_int_equal(cls, CKO_DATA);
	assert_int_equal(f->p->C_GetAttributeValue(h, 4242, get, 1), CKR_OBJECT_HANDLE_INVALID);

	/* it is on the token: a new module instance sees it */
	assert_int_equal(f->p->C_Finalize(NULL), CKR_OK);
	assert_int_equal(f->p->C_Initialize(NULL), CKR_OK);
	h = open_session(f, CKF_RW_SESSION);
	assert_int_equal(find_by_label(f, h, "notes", &o), 1);
	assert_int_equal(f->p->C_DestroyObject(h, o), CKR_USER_NOT_LOGGED_IN);
	assert_int_equal(f->p->C_Login(h, CKU_USER, PIN("12345678")), CKR_OK);
	assert_int_equal(f->p->C_DestroyObject(h, o), CKR_OK);
	assert_int_equal(find_by_label(f, h, "notes", NULL), 0);
	assert_int_equal(f->p->C_DestroyObject(h, o), CKR_OBJECT_HANDLE_INVALID);
}

static void
test_private_objects_need_the_user(void **state)
{
	fixture *f = *state;
	CK_OBJECT_HANDLE o, seen = 0;
	CK_ATTRIBUTE label = {CKA_LABEL, NULL, 0};
	CK_SESSION_HANDLE h;

	assert_int_equal(f->p->C_Initialize(NULL), CKR_OK);
	h = open_session(f, CKF_RW_SESSION);
	create_data(f, h, "secret", "s", CK_TRUE, CK_TRUE, CKR_USER_NOT_LOGGED_IN);
	assert_int_equal(f->p->C_Login(h, CKU_USER, PIN("12345678")), CKR_OK);
	o = create_data(f, h, "secret", "s", CK_TRUE, CK_TRUE, CKR_OK);
	assert_int_equal(f->p->C_Logout(h), CKR_OK);
	assert_int_equal(find_by_label(f, h, "secret", NULL), 0);
	assert_int_equal(f->p->C_GetAttributeValue(h, o, &label, 1), CKR_OBJECT_HANDLE_INVALID);
	assert_int_equal(f->p->C_Login(h, CKU_USER, PIN("12345678")), CKR_OK);
	assert_int_equal(find_by_label(f, h, "secret", &seen), 1);
	assert_int_equal(seen, o); /* the same handle as before */
}

static void
test_session_objects_vanish_with_their_session(void **state)
{
	fixture *f = *state;
	CK_SESSION_HANDLE a, b;
	CK_OBJECT_HANDLE o;

	assert_int_equal(f->p->C_Initialize(NULL), CKR_OK);
	a = open_session(f, 0);
	b = open_session(f, 0);
	o = create_data(f, a, "scratch", "temp", CK_FALSE, CK_FALSE, CKR_OK);
	assert_int_equal(find_by_label(f, b, "scratch", NULL), 1); /* the application's */
	create_data(f, a, "on-token", "x", CK_TRUE, CK_FALSE, CKR_SESSION_READ_ONLY);
	assert_int_equal(f->p->C_CloseSession(a), CKR_OK);
	assert_int_equal(find_by_label(f, b, "scratch", NULL), 0);
	assert_int_equal(f->p->C_DestroyObject(b, o), CKR_OBJECT_HANDLE_INVALID);
}

static void
test_create_object_checks_its_template(void **state)
{
	fixture *f = *state;
	CK_OBJECT_CLASS data = CKO_DATA, cert = CKO_CERTIFICATE, key = CKO_PRIVATE_KEY;
	CK_CERTIFICATE_TYPE x509 = CKC_X_509;
	CK_BBOOL yes = CK_TRUE;
	CK_ULONG wide = 1;
	CK_OBJECT_HANDLE o;
	CK_SESSION_HANDLE h;
	CK_ATTRIBUTE no_class[] = {{CKA_LABEL, "x", 1}};
	CK_ATTRIBUTE unknown[] = {{CKA_CLASS, &data, sizeof(data)}, {CKA_MODULUS, "x", 1}};
	CK_ATTRIBUTE bad_bool[] = {{CKA_CLASS, &data, sizeof(data)}, {CKA_TOKEN, &wide, sizeof(wide)}};
	CK_ATTRIBUTE twice[] = {{CKA_CLASS, &data, sizeof(data)}, {CKA_LABEL, "a", 1}, {CKA_LABEL, "b", 1}};
	CK_ATTRIBUTE cert_no_value[] = {{CKA_CLASS, &cert, sizeof(cert)},
					{CKA_CERTIFICATE_TYPE, &x509, sizeof(x509)}};
	CK_ATTRIBUTE cert_junk[] = {{CKA_CLASS, &cert, sizeof(cert)},
				    {CKA_CERTIFICATE_TYPE, &x509, sizeof(x509)},
				    {CKA_VALUE, "\x30\x03\x02\x01\x01", 5}};
	CK_ATTRIBUTE trusted[] = {{CKA_CLASS, &cert, sizeof(cert)}, {CKA_TRUSTED, &yes, sizeof(yes)}};
	CK_ATTRIBUTE a_key[] = {{CKA_CLASS, &key, sizeof(key)}};

	assert_int_equal(f->p->C_Initialize(NULL), CKR_OK);
	h = open_session(f, CKF_RW_SESSION);
	assert_int_equal(f->p->C_CreateObject(h, no_class, 1, &o), CKR_TEMPLATE_INCOMPLETE);
	assert_int_equal(f->p->C_CreateObject(h, unknown, 2, &o), CKR_ATTRIBUTE_TYPE_INVALID);
	assert_int_equal(f->p->C_CreateObject(h, bad_bool, 2, &o), CKR_ATTRIBUTE_VALUE_INVALID);
	assert_int_equal(f->p->C_CreateObject(h, twice, 3, &o), CKR_TEMPLATE_INCONSISTENT);
	assert_int_equal(f->p->C_CreateObject(h, cert_no_value, 2, &o), CKR_TEMPLATE_INCOMPLETE);
	assert_int_equal(f->p->C_CreateObject(h, cert_junk, 3, &o), CKR_ATTRIBUTE_VALUE_INVALID);
	assert_int_equal(f->p->C_CreateObject(h, trusted, 2, &o), CKR_TEMPLATE_INCOMPLETE);
	assert_int_equal(f->p->C_CreateObject(h, a_key, 1, &o), CKR_TEMPLATE_INCOMPLETE);
	assert_int_equal(f->p->C_CreateObject(h, NULL, 0, &o), CKR_ARGUMENTS_BAD);
	/* nothing of it reached the token */
	assert_int_equal(f->p->C_FindObjectsInit(h, NULL, 0), CKR_OK);
	{
		CK_OBJECT_HANDLE found[4];
		CK_ULONG n = 9;
		assert_int_equal(f->p->C_FindObjects(h, found, 4, &n), CKR_OK);
		assert_int_equal(n, 0);
	}
	assert_int_equal(f->p->C_FindObjectsFinal(h), CKR_OK);
}

static void
test_repeated_search_costs_one_apdu(void **state)
{
	fixture *f = *state;
	CK_SESSION_HANDLE h;
	unsigned long before;
	int i;

	h = user_session(f);
	for (i = 0; i < 5; i++) {
		char label[8] = "obj-0";
		label[4] = (char)('0' + i);
		create_data(f, h, label, "v", CK_TRUE, CK_FALSE, CKR_OK);
	}
	assert_int_equal(find_by_label(f, h, "obj-3", NULL), 1);
	before = simctl_apdus(&f->sim);
	assert_int_equal(find_by_label(f, h, "obj-4", NULL), 1);
	assert_int_equal(simctl_apdus(&f->sim) - before, 1); /* the change counter, nothing more */
	/* a change by someone else is seen */
	before = simctl_apdus(&f->sim);
	create_data(f, h, "obj-9", "v", CK_TRUE, CK_FALSE, CKR_OK);
	assert_int_equal(find_by_label(f, h, "obj-9", NULL), 1);
	/* a value once read is not read again after an unrelated change */
	{
		CK_OBJECT_HANDLE o;
		CK_BYTE v[8];
		CK_ATTRIBUTE t[] = {{CKA_VALUE, v, sizeof(v)}};

		assert_int_equal(find_by_label(f, h, "obj-2", &o), 1);
		assert_int_equal(f->p->C_GetAttributeValue(h, o, t, 1), CKR_OK);
		create_data(f, h, "obj-8", "v", CK_TRUE, CK_FALSE, CKR_OK);
		before = simctl_apdus(&f->sim);
		t[0].ulValueLen = sizeof(v);
		assert_int_equal(f->p->C_GetAttributeValue(h, o, t, 1), CKR_OK);
		assert_int_equal(simctl_apdus(&f->sim) - before, 1); /* the counter; no READ again */
	}
}

static void
generate(fixture *f, CK_SESSION_HANDLE h, CK_ULONG bits, CK_BBOOL sign, CK_OBJECT_HANDLE *pub,
	 CK_OBJECT_HANDLE *priv, CK_RV want)
{
	CK_BBOOL yes = CK_TRUE;
	CK_BYTE id[] = {0x42};
	CK_ATTRIBUTE pt[] = {{CKA_TOKEN, &yes, sizeof(yes)},
			     {CKA_MODULUS_BITS, &bits, sizeof(bits)},
			     {CKA_ID, id, sizeof(id)}};
	CK_ATTRIBUTE st[] = {{CKA_TOKEN, &yes, sizeof(yes)},
			     {CKA_SIGN, &sign, sizeof(sign)},
			     {CKA_ID, id, sizeof(id)}};
	CK_MECHANISM m = {CKM_RSA_PKCS_KEY_PAIR_GEN, NULL, 0};

	assert_int_equal(f->p->C_GenerateKeyPair(h, &m, pt, 3, st, 3, pub, priv), want);
}

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
	before = simctl_apdus(&f->sim);
	assert_int_equal(f->p->C_SignInit(h, &sha, priv), CKR_OK);
	assert_int_equal(simctl_apdus(&f->sim) - before, 0); /* a key already known */
	assert_int_equal(f->p->C_SignInit(h, &sha, priv), CKR_OPERATION_ACTIVE);
	/* the length query and a short buffer leave the operation active */
	assert_int_equal(f->p->C_Sign(h, msg, sizeof(msg), NULL, &len), CKR_OK);
	assert_int_equal(len, 256);
	len = 10;
	assert_int_equal(f->p->C_Sign(h, msg, sizeof(msg), sig, &len), CKR_BUFFER_TOO_SMALL);
	assert_int_equal(len, 256);
	before = simctl_apdus(&f->sim);
	assert_int_equal(f->p->C_Sign(h, msg, sizeof(msg), sig, &len), CKR_OK);
	assert_int_equal(simctl_apdus(&f->sim) - before, 2); /* MSE SET + PSO */
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

/* A label read back. */
static void
assert_label(fixture *f, CK_SESSION_HANDLE h, CK_OBJECT_HANDLE o, const char *want)
{
	char label[64];
	CK_ATTRIBUTE t[] = {{CKA_LABEL, label, sizeof(label)}};

	assert_int_equal(f->p->C_GetAttributeValue(h, o, t, 1), CKR_OK);
	assert_int_equal(t[0].ulValueLen, strlen(want));
	assert_memory_equal(label, want, strlen(want));
}

static void
test_set_attribute_value_rules(void **state)
{
	fixture *f = *state;
	CK_OBJECT_HANDLE pub, priv, data, sess, ro_obj;
	CK_BBOOL no = CK_FALSE, yes = CK_TRUE;
	CK_BYTE id[] = {1, 2, 3}, got_id[8], sig[256], msg[] = "m";
	CK_OBJECT_CLASS cls = CKO_CERTIFICATE;
	CK_ULONG len = sizeof(sig);
	CK_MECHANISM sha = {CKM_SHA256_RSA_PKCS, NULL, 0};
	CK_ATTRIBUTE rename[] = {{CKA_LABEL, "Подпись", strlen("Подпись")}, {CKA_ID, id, sizeof(id)}};
	CK_ATTRIBUTE get_id[] = {{CKA_ID, got_id, sizeof(got_id)}};
	CK_ATTRIBUTE relabel[] = {{CKA_LABEL, "renamed", 7}};
	CK_ATTRIBUTE nosign[] = {{CKA_SIGN, &no, sizeof(no)}};
	CK_ATTRIBUTE resign[] = {{CKA_SIGN, &yes, sizeof(yes)}};
	CK_ATTRIBUTE unsens[] = {{CKA_SENSITIVE, &no, sizeof(no)}};
	CK_ATTRIBUTE sens[] = {{CKA_SENSITIVE, &yes, sizeof(yes)}};
	CK_ATTRIBUTE extract[] = {{CKA_EXTRACTABLE, &yes, sizeof(yes)}};
	CK_ATTRIBUTE reclass[] = {{CKA_CLASS, &cls, sizeof(cls)}};
	CK_ATTRIBUTE value[] = {{CKA_VALUE, "new", 3}};
	CK_ATTRIBUTE unknown[] = {{CKA_MODULUS_BITS, &len, sizeof(len)}};
	CK_ATTRIBUTE badbool[] = {{CKA_SIGN, &len, sizeof(len)}};
	CK_ATTRIBUTE twice[] = {{CKA_LABEL, "a", 1}, {CKA_LABEL, "b", 1}};
	CK_SESSION_HANDLE h, ro;

	h = user_session(f);
	generate(f, h, 2048, CK_TRUE, &pub, &priv, CKR_OK);
	/* label and ID, on both halves of the key, on the card at once */
	assert_int_equal(f->p->C_SetAttributeValue(h, priv, rename, 2), CKR_OK);
	assert_int_equal(f->p->C_SetAttributeValue(h, pub, rename, 2), CKR_OK);
	assert_label(f, h, priv, "Подпись");
	assert_int_equal(f->p->C_GetAttributeValue(h, pub, get_id, 1), CKR_OK);
	assert_int_equal(get_id[0].ulValueLen, 3);
	assert_memory_equal(got_id, id, 3);
	/* what the specification keeps read-only, or one-way */
	assert_int_equal(f->p->C_SetAttributeValue(h, priv, reclass, 1), CKR_ATTRIBUTE_READ_ONLY);
	assert_int_equal(f->p->C_SetAttributeValue(h, priv, unsens, 1), CKR_ATTRIBUTE_READ_ONLY);
	assert_int_equal(f->p->C_SetAttributeValue(h, priv, sens, 1), CKR_OK);
	assert_int_equal(f->p->C_SetAttributeValue(h, priv, extract, 1), CKR_ATTRIBUTE_READ_ONLY);
	assert_int_equal(f->p->C_SetAttributeValue(h, priv, unknown, 1), CKR_ATTRIBUTE_TYPE_INVALID);
	assert_int_equal(f->p->C_SetAttributeValue(h, priv, badbool, 1), CKR_ATTRIBUTE_VALUE_INVALID);
	assert_int_equal(f->p->C_SetAttributeValue(h, priv, twice, 2), CKR_TEMPLATE_INCONSISTENT);
	/* a refused template changed nothing, not even its acceptable part */
	{
		CK_ATTRIBUTE mixed[] = {{CKA_LABEL, "lost", 4}, {CKA_CLASS, &cls, sizeof(cls)}};
		assert_int_equal(f->p->C_SetAttributeValue(h, priv, mixed, 2), CKR_ATTRIBUTE_READ_ONLY);
		assert_label(f, h, priv, "Подпись");
	}
	/* usage goes to the card: a key made unable to sign cannot, until set back */
	assert_int_equal(f->p->C_SetAttributeValue(h, priv, nosign, 1), CKR_OK);
	assert_int_equal(f->p->C_SignInit(h, &sha, priv), CKR_KEY_FUNCTION_NOT_PERMITTED);
	assert_int_equal(f->p->C_SetAttributeValue(h, priv, resign, 1), CKR_OK);
	assert_int_equal(f->p->C_SignInit(h, &sha, priv), CKR_OK);
	assert_int_equal(f->p->C_Sign(h, msg, sizeof(msg), sig, &len), CKR_OK);
	/* a data object's value is the card's: read-only; its label is not */
	data = create_data(f, h, "d", "v", CK_TRUE, CK_FALSE, CKR_OK);
	assert_int_equal(f->p->C_SetAttributeValue(h, data, value, 1), CKR_ATTRIBUTE_READ_ONLY);
	assert_int_equal(f->p->C_SetAttributeValue(h, data, relabel, 1), CKR_OK);
	assert_int_equal(find_by_label(f, h, "renamed", NULL), 1);
	/* session objects change in the module */
	sess = create_data(f, h, "s", "v", CK_FALSE, CK_FALSE, CKR_OK);
	assert_int_equal(f->p->C_SetAttributeValue(h, sess, relabel, 1), CKR_OK);
	assert_label(f, h, sess, "renamed");
	/* CKA_MODIFIABLE false: nothing changes */
	{
		CK_OBJECT_CLASS dc = CKO_DATA;
		CK_ATTRIBUTE t[] = {{CKA_CLASS, &dc, sizeof(dc)}, {CKA_TOKEN, &yes, 1}, {CKA_MODIFIABLE, &no, 1}};
		assert_int_equal(f->p->C_CreateObject(h, t, 3, &ro_obj), CKR_OK);
		assert_int_equal(f->p->C_SetAttributeValue(h, ro_obj, relabel, 1), CKR_ACTION_PROHIBITED);
	}
	/* a read-only session changes no token object */
	ro = open_session(f, 0);
	assert_int_equal(f->p->C_SetAttributeValue(ro, data, relabel, 1), CKR_SESSION_READ_ONLY);
	assert_int_equal(f->p->C_SetAttributeValue(h, 0x7777, relabel, 1), CKR_OBJECT_HANDLE_INVALID);
	assert_int_equal(f->p->C_SetAttributeValue(h, data, NULL, 1), CKR_ARGUMENTS_BAD);
}

static void
test_copy_object_rules(void **state)
{
	fixture *f = *state;
	CK_OBJECT_HANDLE pub, priv, data, copy, copy2, nocopy;
	CK_BBOOL no = CK_FALSE, yes = CK_TRUE, tok = CK_TRUE;
	CK_OBJECT_CLASS cls = CKO_DATA;
	CK_BYTE n1[256], n2[256], value[8];
	CK_ATTRIBUTE to_session[] = {{CKA_TOKEN, &no, sizeof(no)}, {CKA_LABEL, "copy", 4}};
	CK_ATTRIBUTE to_token[] = {{CKA_TOKEN, &yes, sizeof(yes)}, {CKA_LABEL, "copy2", 5}};
	CK_ATTRIBUTE reclass[] = {{CKA_CLASS, &cls, sizeof(cls)}};
	CK_ATTRIBUTE get_tok[] = {{CKA_TOKEN, &tok, sizeof(tok)}, {CKA_VALUE, value, sizeof(value)}};
	CK_ATTRIBUTE mod1[] = {{CKA_MODULUS, n1, sizeof(n1)}}, mod2[] = {{CKA_MODULUS, n2, sizeof(n2)}};
	CK_SESSION_HANDLE h;

	h = user_session(f);
	data = create_data(f, h, "orig", "value", CK_TRUE, CK_FALSE, CKR_OK);
	/* a token object copied into the session, value and all, under a new label */
	assert_int_equal(f->p->C_CopyObject(h, data, to_session, 2, &copy), CKR_OK);
	assert_int_equal(f->p->C_GetAttributeValue(h, copy, get_tok, 2), CKR_OK);
	assert_false(tok);
	assert_int_equal(get_tok[1].ulValueLen, 5);
	assert_memory_equal(value, "value", 5);
	assert_label(f, h, copy, "copy");
	/* ...and that session object copied back onto the token */
	assert_int_equal(f->p->C_CopyObject(h, copy, to_token, 2, &copy2), CKR_OK);
	assert_int_equal(find_by_label(f, h, "copy2", NULL), 1);
	assert_int_equal(f->p->C_CopyObject(h, data, reclass, 1, &copy2), CKR_ATTRIBUTE_READ_ONLY);
	/* a public key copies on the token; a private key never leaves the card */
	generate(f, h, 2048, CK_TRUE, &pub, &priv, CKR_OK);
	assert_int_equal(f->p->C_CopyObject(h, pub, to_token, 2, &copy), CKR_OK);
	assert_int_equal(f->p->C_GetAttributeValue(h, pub, mod1, 1), CKR_OK);
	assert_int_equal(f->p->C_GetAttributeValue(h, copy, mod2, 1), CKR_OK);
	assert_int_equal(mod1[0].ulValueLen, mod2[0].ulValueLen);
	assert_memory_equal(n1, n2, mod1[0].ulValueLen);
	assert_int_equal(f->p->C_CopyObject(h, pub, to_session, 2, &copy), CKR_TEMPLATE_INCONSISTENT);
	assert_int_equal(f->p->C_CopyObject(h, priv, to_token, 2, &copy), CKR_ACTION_PROHIBITED);
	/* CKA_COPYABLE false: no copy, and only a copy may make it false */
	{
		CK_ATTRIBUTE t[] = {{CKA_CLASS, &cls, sizeof(cls)}, {CKA_COPYABLE, &no, 1}};
		CK_ATTRIBUTE again[] = {{CKA_COPYABLE, &yes, 1}};
		assert_int_equal(f->p->C_CreateObject(h, t, 2, &nocopy), CKR_OK);
		assert_int_equal(f->p->C_CopyObject(h, nocopy, NULL, 0, &copy), CKR_ACTION_PROHIBITED);
		assert_int_equal(f->p->C_SetAttributeValue(h, nocopy, again, 1), CKR_ATTRIBUTE_READ_ONLY);
	}
	assert_int_equal(f->p->C_CopyObject(h, 0x7777, NULL, 0, &copy), CKR_OBJECT_HANDLE_INVALID);
	assert_int_equal(f->p->C_CopyObject(h, data, NULL, 0, NULL), CKR_ARGUMENTS_BAD);
}

/* A token with a small store: CKR_DEVICE_MEMORY when full, nothing half-written,
 * the memory fields of C_GetTokenInfo tell the truth, a deletion frees space. */
static void
test_full_token_answers_device_memory(void **state)
{
	fixture *f = *state;
	CK_OBJECT_CLASS cls = CKO_DATA;
	CK_BBOOL yes = CK_TRUE;
	CK_BYTE value[1000];
	CK_ATTRIBUTE t[] = {{CKA_CLASS, &cls, sizeof(cls)}, {CKA_TOKEN, &yes, 1},
			    {CKA_LABEL, "filler", 6}, {CKA_VALUE, value, sizeof(value)}};
	CK_OBJECT_HANDLE o, first = CK_INVALID_HANDLE, pub, priv;
	CK_TOKEN_INFO before, full, freed;
	CK_SESSION_HANDLE h;
	CK_ULONG n = 0;
	CK_RV rv;

	simctl_stop(&f->sim);
	strcpy(f->sim.capacity, "8192");
	simctl_start(&f->sim);
	memset(value, 0xAB, sizeof(value));
	assert_int_equal(f->p->C_Initialize(NULL), CKR_OK);
	assert_int_equal(f->p->C_GetTokenInfo(0, &before), CKR_OK);
	assert_int_equal(before.ulTotalPublicMemory, 8192);
	assert_int_equal(before.ulFreePublicMemory, 8192);
	h = open_session(f, CKF_RW_SESSION);
	assert_int_equal(f->p->C_Login(h, CKU_USER, PIN("12345678")), CKR_OK);
	while ((rv = f->p->C_CreateObject(h, t, 4, &o)) == CKR_OK) {
		if (first == CK_INVALID_HANDLE)
			first = o;
		n++;
		assert_true(n < 10);
	}
	assert_int_equal(rv, CKR_DEVICE_MEMORY);
	assert_int_equal(n, 7); /* 8192 bytes hold seven objects of a kilobyte and more */
	assert_int_equal(find_by_label(f, h, "filler", NULL), n);
	assert_int_equal(f->p->C_GetTokenInfo(0, &full), CKR_OK);
	assert_true(full.ulFreePublicMemory < sizeof(value));
	/* a key pair does not fit either, and leaves no half behind */
	generate(f, h, 2048, CK_TRUE, &pub, &priv, CKR_DEVICE_MEMORY);
	assert_int_equal(find_by_label(f, h, "filler", NULL), n);
	/* a store that refused stays readable: restart and see the same objects */
	assert_int_equal(f->p->C_Finalize(NULL), CKR_OK);
	simctl_stop(&f->sim);
	simctl_start(&f->sim);
	h = user_session(f);
	assert_int_equal(find_by_label(f, h, "filler", &first), n);
	assert_int_equal(f->p->C_DestroyObject(h, first), CKR_OK);
	assert_int_equal(f->p->C_GetTokenInfo(0, &freed), CKR_OK);
	assert_true(freed.ulFreePublicMemory >= full.ulFreePublicMemory + sizeof(value));
	assert_int_equal(f->p->C_CreateObject(h, t, 4, &o), CKR_OK);
}

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

static void
test_forked_child_must_initialize_again(void **state)
{
	fixture *f = *state;
	CK_TOKEN_INFO ti;
	CK_ULONG n;
	pid_t pid;
	int status;

	assert_int_equal(f->p->C_Initialize(NULL), CKR_OK);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int ok = f->p->C_GetSlotList(CK_FALSE, NULL, &n) == CKR_CRYPTOKI_NOT_INITIALIZED &&
			 f->p->C_Initialize(NULL) == CKR_OK &&
			 f->p->C_GetTokenInfo(0, &ti) == CKR_OK && f->p->C_Finalize(NULL) == CKR_OK;
		_exit(ok ? 0 : 1);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	/* the parent is unaffected */
	assert_int_equal(f->p->C_GetTokenInfo(0, &ti), CKR_OK);
}

static void
test_absent_and_removed_token(void **state)
{
	fixture *f = *state;
	CK_SESSION_HANDLE h;
	CK_SESSION_INFO si;
	CK_SLOT_INFO sl;
	CK_TOKEN_INFO ti;
	CK_ULONG n = 5;

	assert_int_equal(f->p->C_Initialize(NULL), CKR_OK);
	h = open_session(f, 0);
	assert_int_equal(f->p->C_Login(h, CKU_USER, PIN("12345678")), CKR_OK);
	assert_int_equal(simctl_stop(&f->sim), 0); /* the token is pulled */
	assert_int_equal(f->p->C_GetTokenInfo(0, &ti), CKR_DEVICE_REMOVED);
	/* the session learns of it once, then is gone */
	assert_int_equal(f->p->C_GetSessionInfo(h, &si), CKR_DEVICE_REMOVED);
	assert_int_equal(f->p->C_GetSessionInfo(h, &si), CKR_SESSION_HANDLE_INVALID);
	assert_int_equal(f->p->C_GetSlotList(CK_TRUE, NULL, &n), CKR_OK);
	assert_int_equal(n, 0);
	assert_int_equal(f->p->C_GetSlotList(CK_FALSE, NULL, &n), CKR_OK);
	assert_int_equal(n, 1);
	assert_int_equal(f->p->C_GetSlotInfo(0, &sl), CKR_OK);
	assert_false(sl.flags & CKF_TOKEN_PRESENT);
	assert_int_equal(f->p->C_GetTokenInfo(0, &ti), CKR_TOKEN_NOT_PRESENT);
	assert_int_equal(f->p->C_OpenSession(0, CKF_SERIAL_SESSION, NULL, NULL, &h),
			 CKR_TOKEN_NOT_PRESENT);
	/* inserted again: usable in the same process, and not logged in */
	simctl_start(&f->sim);
	h = open_session(f, 0);
	assert_int_equal(f->p->C_GetSessionInfo(h, &si), CKR_OK);
	assert_int_equal(si.state, CKS_RO_PUBLIC_SESSION);
	assert_int_equal(f->p->C_Login(h, CKU_USER, PIN("12345678")), CKR_OK);
}

/* Threads sharing one token: opening and closing sessions, logging in and reading
 * the token info interleave. Every call must give one of its legal answers, and
 * afterwards no session may be left counted nor a PIN try spent. */
#define THREADS 4
#define ROUNDS 40
static CK_FUNCTION_LIST_3_0 *shared_p;

static void *
worker(void *arg)
{
	CK_SESSION_HANDLE h;
	CK_TOKEN_INFO ti;
	CK_RV rv;
	long bad = 0, i;

	(void)arg;
	for (i = 0; i < ROUNDS; i++) {
		if (shared_p->C_OpenSession(0, CKF_SERIAL_SESSION, NULL, NULL, &h) != CKR_OK) {
			bad++;
			continue;
		}
		rv = shared_p->C_Login(h, CKU_USER, PIN("12345678"));
		if (rv != CKR_OK && rv != CKR_USER_ALREADY_LOGGED_IN)
			bad++;
		if (shared_p->C_GetTokenInfo(0, &ti) != CKR_OK)
			bad++;
		rv = shared_p->C_CloseSession(h);
		if (rv != CKR_OK)
			bad++;
	}
	return (void *)bad;
}

static void
test_concurrent_threads_share_one_token_safely(void **state)
{
	fixture *f = *state;
	CK_C_INITIALIZE_ARGS args = {NULL, NULL, NULL, NULL, CKF_OS_LOCKING_OK, NULL};
	pthread_t t[THREADS];
	CK_TOKEN_INFO ti;
	void *bad;
	int i;

	assert_int_equal(f->p->C_Initialize(&args), CKR_OK);
	shared_p = f->p;
	for (i = 0; i < THREADS; i++)
		assert_int_equal(pthread_create(&t[i], NULL, worker, NULL), 0);
	for (i = 0; i < THREADS; i++) {
		assert_int_equal(pthread_join(t[i], &bad), 0);
		assert_int_equal((long)bad, 0);
	}
	assert_int_equal(f->p->C_GetTokenInfo(0, &ti), CKR_OK);
	assert_int_equal(ti.ulSessionCount, 0);
	assert_false(ti.flags & CKF_USER_PIN_COUNT_LOW);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_functions_refuse_before_initialize, setup, teardown),
		cmocka_unit_test_setup_teardown(test_initialize_checks_its_arguments, setup, teardown),
		cmocka_unit_test_setup_teardown(test_caller_supplied_mutexes_are_used, setup, teardown),
		cmocka_unit_test_setup_teardown(test_interfaces_offer_3_0_2_40_and_vendor, setup, teardown),
		cmocka_unit_test_setup_teardown(test_slot_and_token_info, setup, teardown),
		cmocka_unit_test_setup_teardown(test_session_states_follow_login, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pin_functions_check_session_and_role, setup, teardown),
		cmocka_unit_test_setup_teardown(test_init_token_needs_no_open_sessions_and_the_so_pin, setup, teardown),
		cmocka_unit_test_setup_teardown(test_find_objects_keeps_its_operation_state, setup, teardown),
		cmocka_unit_test_setup_teardown(test_random_comes_from_the_token, setup, teardown),
		cmocka_unit_test_setup_teardown(test_vendor_sets_the_token_label, setup, teardown),
		cmocka_unit_test_setup_teardown(test_token_data_object_lifecycle, setup, teardown),
		cmocka_unit_test_setup_teardown(test_private_objects_need_the_user, setup, teardown),
		cmocka_unit_test_setup_teardown(test_session_objects_vanish_with_their_session, setup, teardown),
		cmocka_unit_test_setup_teardown(test_create_object_checks_its_template, setup, teardown),
		cmocka_unit_test_setup_teardown(test_repeated_search_costs_one_apdu, setup, teardown),
		cmocka_unit_test_setup_teardown(test_generated_key_attributes_follow_the_specification, setup, teardown),
		cmocka_unit_test_setup_teardown(test_signing_rules_and_apdu_count, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pss_signatures_verify_through_the_module, setup, teardown),
		cmocka_unit_test_setup_teardown(test_imported_keys, setup, teardown),
		cmocka_unit_test_setup_teardown(test_decryption_rules, setup, teardown),
		cmocka_unit_test_setup_teardown(test_encryption_round_trips_through_the_token, setup, teardown),
		cmocka_unit_test_setup_teardown(test_verify_recover_returns_the_signed_data, setup, teardown),
		cmocka_unit_test_setup_teardown(test_set_attribute_value_rules, setup, teardown),
		cmocka_unit_test_setup_teardown(test_copy_object_rules, setup, teardown),
		cmocka_unit_test_setup_teardown(test_full_token_answers_device_memory, setup, teardown),
		cmocka_unit_test_setup_teardown(test_digests_match_known_answers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_forked_child_must_initialize_again, setup, teardown),
		cmocka_unit_test_setup_teardown(test_absent_and_removed_token, setup, teardown),
		cmocka_unit_test_setup_teardown(test_concurrent_threads_share_one_token_safely, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
