/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* Channels on the virtual token (src/pkcs11/channel.c): two threads signing from
 * sessions of their own make the module open extra connections that share the
 * slot's login, and the signatures are computed at once and verify; a log-out
 * through the slot's card session is a log-out for every channel at once (an
 * operation already started then fails with CKR_USER_NOT_LOGGED_IN); a login
 * again serves them all. Through kaztoken-sim's socket. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <unistd.h>

#include <cmocka.h>

#include "simctl.h"

#define THREADS 2
#define PIN(s) (CK_UTF8CHAR_PTR)(s), (CK_ULONG)strlen(s)

static CK_FUNCTION_LIST_3_0 *p;
static CK_OBJECT_HANDLE pub_key, priv_key;
static pthread_barrier_t step;
static char log_path[64];

typedef struct worker {
	CK_SESSION_HANDLE h;
	unsigned long signed_ok, bad;
	CK_RV after_logout;
} worker;

static CK_RV
sign_once(CK_SESSION_HANDLE h, CK_BYTE *sig, CK_ULONG *len)
{
	CK_MECHANISM mech = {CKM_SHA256_RSA_PKCS, NULL, 0};
	static const CK_BYTE msg[] = "signed on a channel";
	CK_RV rv;

	*len = 512;
	if ((rv = p->C_SignInit(h, &mech, priv_key)) != CKR_OK)
		return rv;
	return p->C_Sign(h, (CK_BYTE_PTR)msg, sizeof(msg), sig, len);
}

static int
verifies(CK_SESSION_HANDLE h, const CK_BYTE *sig, CK_ULONG len)
{
	CK_MECHANISM mech = {CKM_SHA256_RSA_PKCS, NULL, 0};
	static const CK_BYTE msg[] = "signed on a channel";

	return p->C_VerifyInit(h, &mech, pub_key) == CKR_OK &&
	       p->C_Verify(h, (CK_BYTE_PTR)msg, sizeof(msg), (CK_BYTE_PTR)sig, len) == CKR_OK;
}

/* Sign for a while (phase 1); start an operation, wait while the main thread logs
 * out, and finish it (phase 2); after the login again, sign once more (phase 3). */
static void *
work(void *arg)
{
	worker *w = arg;
	CK_MECHANISM mech = {CKM_SHA256_RSA_PKCS, NULL, 0};
	static const CK_BYTE msg[] = "signed on a channel";
	CK_BYTE sig[512];
	CK_ULONG len;
	int i;

	for (i = 0; i < 300; i++) {
		if (sign_once(w->h, sig, &len) == CKR_OK && verifies(w->h, sig, len))
			w->signed_ok++;
		else
			w->bad++;
	}
	len = sizeof(sig);
	if (p->C_SignInit(w->h, &mech, priv_key) != CKR_OK)
		w->bad++;
	pthread_barrier_wait(&step); /* operation started */
	pthread_barrier_wait(&step); /* logged out */
	w->after_logout = p->C_Sign(w->h, (CK_BYTE_PTR)msg, sizeof(msg), sig, &len);
	pthread_barrier_wait(&step); /* finished */
	pthread_barrier_wait(&step); /* logged in again */
	if (sign_once(w->h, sig, &len) == CKR_OK && verifies(w->h, sig, len))
		w->signed_ok++;
	else
		w->bad++;
	return NULL;
}

/* Does the module's log say it opened a channel? */
static int
log_says_channel(void)
{
	char line[512];
	FILE *f = fopen(log_path, "r");
	int found = 0;

	assert_non_null(f);
	while (!found && fgets(line, sizeof(line), f) != NULL)
		found = strstr(line, "channel 1 opened") != NULL;
	fclose(f);
	return found;
}

static void
test_two_threads_sign_on_channels_that_share_the_login_and_its_end(void **state)
{
	CK_BBOOL yes = CK_TRUE;
	CK_ULONG bits = 2048, n = 1;
	CK_ATTRIBUTE pt[] = {{CKA_TOKEN, &yes, sizeof(yes)}, {CKA_MODULUS_BITS, &bits, sizeof(bits)}};
	CK_ATTRIBUTE st[] = {{CKA_TOKEN, &yes, sizeof(yes)}, {CKA_SIGN, &yes, sizeof(yes)}};
	CK_MECHANISM gen = {CKM_RSA_PKCS_KEY_PAIR_GEN, NULL, 0};
	CK_SESSION_HANDLE h;
	CK_SLOT_ID slot;
	pthread_t t[THREADS];
	worker w[THREADS];
	simctl sim;
	void *handle;
	int fd, i;

	(void)state;
	snprintf(log_path, sizeof(log_path), "/tmp/kzt-channels-XXXXXX");
	assert_true((fd = mkstemp(log_path)) >= 0);
	close(fd);
	setenv("KAZTOKEN_LOG", log_path, 1);
	setenv("KAZTOKEN_DEBUG", "2", 1);
	simctl_init(&sim);
	simctl_start(&sim);
	p = module_load(&handle);
	assert_int_equal(p->C_Initialize(&(CK_C_INITIALIZE_ARGS){.flags = CKF_OS_LOCKING_OK}), CKR_OK);
	assert_int_equal(p->C_GetSlotList(CK_TRUE, &slot, &n), CKR_OK);
	assert_int_equal(n, 1);
	assert_int_equal(p->C_OpenSession(slot, CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL, NULL, &h), CKR_OK);
	assert_int_equal(p->C_Login(h, CKU_USER, PIN("12345678")), CKR_OK);
	assert_int_equal(p->C_GenerateKeyPair(h, &gen, pt, 2, st, 2, &pub_key, &priv_key), CKR_OK);
	memset(w, 0, sizeof(w));
	pthread_barrier_init(&step, NULL, THREADS + 1);
	for (i = 0; i < THREADS; i++) {
		assert_int_equal(p->C_OpenSession(slot, CKF_SERIAL_SESSION, NULL, NULL, &w[i].h), CKR_OK);
		assert_int_equal(pthread_create(&t[i], NULL, work, &w[i]), 0);
	}
	pthread_barrier_wait(&step); /* both have an operation under way */
	assert_int_equal(p->C_Logout(h), CKR_OK);
	pthread_barrier_wait(&step);
	pthread_barrier_wait(&step);
	for (i = 0; i < THREADS; i++)
		assert_int_equal(w[i].after_logout, CKR_USER_NOT_LOGGED_IN);
	assert_int_equal(p->C_Login(h, CKU_USER, PIN("12345678")), CKR_OK);
	pthread_barrier_wait(&step);
	for (i = 0; i < THREADS; i++) {
		assert_int_equal(pthread_join(t[i], NULL), 0);
		assert_int_equal(w[i].bad, 0);
		assert_int_equal(w[i].signed_ok, 301);
	}
	/* the signatures went through channels: the module opened one */
	assert_true(log_says_channel());
	assert_int_equal(p->C_Finalize(NULL), CKR_OK);
	pthread_barrier_destroy(&step);
	simctl_cleanup(&sim);
	unlink(log_path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_two_threads_sign_on_channels_that_share_the_login_and_its_end),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
