/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* The module's general functions in-process: what it does before C_Initialize,
 * C_Initialize's arguments and the caller's mutexes, the interfaces it offers. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "kaztoken/vendor.h"
#include "p11_fixture.h"

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
	assert_string_equal((char *)list[1].pInterfaceName, "PKCS 11");
	assert_int_equal(((CK_VERSION *)list[1].pFunctionList)->major, 2);
	assert_int_equal(((CK_VERSION *)list[1].pFunctionList)->minor, 40);
	assert_string_equal((char *)list[2].pInterfaceName, KZT_VENDOR_INTERFACE_NAME);
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

/* C_Initialize with this configuration file; what the module wrote to stderr
 * meanwhile into err. */
static CK_RV
initialize_with(fixture *f, const char *conf, char *err, size_t cap)
{
	char path[] = "/tmp/kzt-conf-XXXXXX", log[] = "/tmp/kzt-err-XXXXXX";
	int fd = mkstemp(path), lfd = mkstemp(log), saved = dup(2);
	ssize_t n;
	CK_RV rv;

	assert_true(fd >= 0 && lfd >= 0 && saved >= 0);
	assert_int_equal(write(fd, conf, strlen(conf)), (ssize_t)strlen(conf));
	close(fd);
	setenv("KAZTOKEN_CONF", path, 1);
	fflush(stderr);
	dup2(lfd, 2);
	rv = f->p->C_Initialize(NULL);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	n = pread(lfd, err, cap - 1, 0);
	err[n > 0 ? n : 0] = '\0';
	close(lfd);
	unlink(log);
	unlink(path);
	setenv("KAZTOKEN_CONF", "/dev/null", 1);
	return rv;
}

static void
test_a_malformed_configuration_line_is_reported_with_its_number(void **state)
{
	fixture *f = *state;
	char err[1024];

	assert_int_equal(initialize_with(f, "# KAZTOKEN\ndebug = 1\nreaders = usb\n", err, sizeof(err)),
			 CKR_GENERAL_ERROR);
	assert_non_null(strstr(err, "line 3 is malformed"));
	assert_int_equal(f->p->C_Finalize(NULL), CKR_CRYPTOKI_NOT_INITIALIZED);
	/* an unknown key is no error: at log level 2 it is named, with its line */
	assert_int_equal(initialize_with(f, "debug = 2\nreaders = none\nfuture = 1\n", err, sizeof(err)),
			 CKR_OK);
	assert_non_null(strstr(err, "unknown key 'future' on line 3 ignored"));
	assert_non_null(strstr(err, "configuration: /tmp/kzt-conf-")); /* which file was read */
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_functions_refuse_before_initialize, setup, teardown),
		cmocka_unit_test_setup_teardown(test_initialize_checks_its_arguments, setup, teardown),
		cmocka_unit_test_setup_teardown(test_caller_supplied_mutexes_are_used, setup, teardown),
		cmocka_unit_test_setup_teardown(test_interfaces_offer_3_0_2_40_and_vendor, setup, teardown),
		cmocka_unit_test_setup_teardown(test_a_malformed_configuration_line_is_reported_with_its_number, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
