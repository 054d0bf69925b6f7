/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* The built module under the load browsers and Java put on it, against a running
 * kaztoken-sim, for a bounded time (KZT_CONCURRENCY_SECONDS, default 20):
 * - a thread that keeps opening a session, logging in and closing it (its last);
 * - a thread never logged in that searches and reads values in sessions of its
 *   own: whenever no login was in force during its look (its session public
 *   when it began, and nobody logging in meanwhile), it must see no private
 *   object;
 * - a thread that logs in and signs in a session of its own: while that session
 *   is open the login is the application's, so it must never hear
 *   CKR_USER_NOT_LOGGED_IN;
 * - a second process doing the first thread's loop on the same token.
 * When the watcher's looks keep overlapping a login (under valgrind the login
 * thread can win every time), it asks this process's login threads for a quiet
 * window; the second process goes on logging in, so such a look still races
 * another application's verification of the card. The run lasts its time and
 * then until each kind of event has happened, for at most a minute more.
 * At the end a fresh, unauthenticated session must see no private object. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <pthread.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "simctl.h"

#define PIN(s) (CK_UTF8CHAR_PTR)(s), (CK_ULONG)strlen(s)

static CK_FUNCTION_LIST_3_0 *p;
static int stop;
static pthread_mutex_t stop_lock = PTHREAD_MUTEX_INITIALIZER;

static pthread_cond_t quiet_over = PTHREAD_COND_INITIALIZER;
static int quiet; /* the watcher asked for a window with no login of this process */

static int
stopped(void)
{
	int v;

	pthread_mutex_lock(&stop_lock);
	v = stop;
	pthread_mutex_unlock(&stop_lock);
	return v;
}

/* (the login threads, holding no login, wait out a quiet window) */
static void
wait_quiet(void)
{
	pthread_mutex_lock(&stop_lock);
	while (quiet && !stop)
		pthread_cond_wait(&quiet_over, &stop_lock);
	pthread_mutex_unlock(&stop_lock);
}

static void
set_quiet(int v)
{
	pthread_mutex_lock(&stop_lock);
	quiet = v;
	pthread_cond_broadcast(&quiet_over);
	pthread_mutex_unlock(&stop_lock);
}
/* Threads of this process that may hold a login now (from just before their
 * C_Login to just after their C_CloseSession returned), and how often that
 * number changed. */
static unsigned long holders, events;
static CK_OBJECT_HANDLE priv_key;
static simctl sim;

static void
hold(long d)
{
	__atomic_add_fetch(&holders, d, __ATOMIC_SEQ_CST);
	__atomic_add_fetch(&events, 1, __ATOMIC_SEQ_CST);
}

static double
seconds(void)
{
	const char *v = getenv("KZT_CONCURRENCY_SECONDS");

	return v != NULL && atof(v) > 0 ? atof(v) : 20.0;
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* open, log in, close: the login ends with its last session. Unexpected answers. */
static unsigned long
login_cycles(int counted, double until)
{
	unsigned long odd = 0;
	CK_SESSION_HANDLE h;
	CK_RV rv;

	while (!stopped() && now() < until) {
		if (counted)
			wait_quiet();
		if (p->C_OpenSession(0, CKF_SERIAL_SESSION, NULL, NULL, &h) != CKR_OK) {
			odd++;
			continue;
		}
		if (counted)
			hold(1);
		rv = p->C_Login(h, CKU_USER, PIN("12345678"));
		if (rv != CKR_OK && rv != CKR_USER_ALREADY_LOGGED_IN)
			odd++;
		if (p->C_CloseSession(h) != CKR_OK)
			odd++;
		if (counted)
			hold(-1);
	}
	return odd;
}

static CK_RV signer_first_odd; /* (what the first odd signature answered) */
static unsigned long login_odd, watcher_leaks, watcher_looks, quiet_looks, signer_lost, signer_odd, signs;

static void *
login_thread(void *arg)
{
	(void)arg;
	login_odd = login_cycles(1, 1e18);
	return NULL;
}

/* Private objects among the first n found, read as the search found them. */
static unsigned long
private_seen(CK_SESSION_HANDLE h)
{
	CK_OBJECT_HANDLE found[32];
	CK_ULONG n = 0, i;
	CK_BBOOL is_private;
	CK_BYTE value[64];
	unsigned long seen = 0;

	if (p->C_FindObjectsInit(h, NULL, 0) != CKR_OK)
		return 0;
	p->C_FindObjects(h, found, 32, &n);
	p->C_FindObjectsFinal(h);
	for (i = 0; i < n; i++) {
		CK_ATTRIBUTE a[] = {{CKA_PRIVATE, &is_private, sizeof(is_private)},
				    {CKA_VALUE, value, sizeof(value)}};

		is_private = CK_FALSE;
		p->C_GetAttributeValue(h, found[i], a, 2);
		if (is_private)
			seen++;
	}
	return seen;
}

static void *
watcher_thread(void *arg)
{
	CK_SESSION_HANDLE h;
	CK_SESSION_INFO si;
	unsigned long before, seen, contended = 0;
	int nobody, asked;

	(void)arg;
	while (!stopped()) {
		if ((asked = contended >= 20)) {
			set_quiet(1);
			while (__atomic_load_n(&holders, __ATOMIC_SEQ_CST) != 0 && !stopped())
				usleep(1000);
		}
		if (p->C_OpenSession(0, CKF_SERIAL_SESSION, NULL, NULL, &h) != CKR_OK) {
			if (asked)
				set_quiet(0);
			continue;
		}
		before = __atomic_load_n(&events, __ATOMIC_SEQ_CST);
		nobody = __atomic_load_n(&holders, __ATOMIC_SEQ_CST) == 0 &&
			 p->C_GetSessionInfo(h, &si) == CKR_OK && si.state == CKS_RO_PUBLIC_SESSION;
		seen = private_seen(h);
		/* no login of this process was in force during the look: the session was
		 * public when it began (a login outlives its thread's session while this
		 * one is open: it is the application's), and nobody logged in meanwhile */
		if (nobody && __atomic_load_n(&events, __ATOMIC_SEQ_CST) == before) {
			__atomic_add_fetch(&watcher_looks, 1, __ATOMIC_SEQ_CST);
			quiet_looks += asked;
			watcher_leaks += seen;
			contended = 0;
		} else {
			contended++;
		}
		p->C_CloseSession(h);
		if (asked)
			set_quiet(0);
	}
	return NULL;
}

static void *
signer_thread(void *arg)
{
	CK_MECHANISM m = {CKM_SHA256_RSA_PKCS, NULL, 0};
	CK_BYTE sig[512];
	CK_ULONG len;
	CK_SESSION_HANDLE h;
	CK_RV rv;
	int i;

	(void)arg;
	while (!stopped()) {
		wait_quiet();
		if (p->C_OpenSession(0, CKF_SERIAL_SESSION, NULL, NULL, &h) != CKR_OK) {
			signer_odd++;
			continue;
		}
		hold(1);
		rv = p->C_Login(h, CKU_USER, PIN("12345678"));
		if (rv != CKR_OK && rv != CKR_USER_ALREADY_LOGGED_IN)
			signer_odd++;
		for (i = 0; i < 3; i++) {
			len = sizeof(sig);
			if ((rv = p->C_SignInit(h, &m, priv_key)) == CKR_OK)
				rv = p->C_Sign(h, (CK_BYTE_PTR)"doc", 3, sig, &len);
			if (rv == CKR_USER_NOT_LOGGED_IN)
				signer_lost++;
			else if (rv != CKR_OK && signer_odd++ == 0)
				signer_first_odd = rv;
			else
				__atomic_add_fetch(&signs, 1, __ATOMIC_SEQ_CST);
		}
		p->C_CloseSession(h);
		hold(-1);
		usleep(2000);
	}
	return NULL;
}

/* A private data object and a key pair, made once. */
static void
personalise(void)
{
	CK_OBJECT_CLASS data = CKO_DATA;
	CK_BBOOL yes = CK_TRUE;
	CK_ATTRIBUTE secret[] = {{CKA_CLASS, &data, sizeof(data)},
				 {CKA_TOKEN, &yes, sizeof(yes)},
				 {CKA_PRIVATE, &yes, sizeof(yes)},
				 {CKA_VALUE, "the secret", 10}};
	CK_MECHANISM gen = {CKM_RSA_PKCS_KEY_PAIR_GEN, NULL, 0};
	CK_ULONG bits = 2048;
	CK_ATTRIBUTE pt[] = {{CKA_MODULUS_BITS, &bits, sizeof(bits)}, {CKA_TOKEN, &yes, sizeof(yes)}};
	CK_ATTRIBUTE st[] = {{CKA_TOKEN, &yes, sizeof(yes)}};
	CK_OBJECT_HANDLE o, pub;
	CK_SESSION_HANDLE h;

	assert_int_equal(p->C_OpenSession(0, CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL, NULL, &h), CKR_OK);
	assert_int_equal(p->C_Login(h, CKU_USER, PIN("12345678")), CKR_OK);
	assert_int_equal(p->C_CreateObject(h, secret, 4, &o), CKR_OK);
	assert_int_equal(p->C_GenerateKeyPair(h, &gen, pt, 2, st, 1, &pub, &priv_key), CKR_OK);
	assert_int_equal(p->C_CloseSession(h), CKR_OK);
}

static void
test_no_private_object_leaks_and_no_login_is_lost_under_concurrent_threads(void **state)
{
	pthread_t login, watcher, signer;
	double start = now(), until = start + seconds();
	void *handle;
	CK_SESSION_HANDLE h;
	pid_t child;
	int status;

	(void)state;
	simctl_init(&sim);
	simctl_start(&sim);
	p = module_load(&handle);
	assert_int_equal(p->C_Initialize(&(CK_C_INITIALIZE_ARGS){.flags = CKF_OS_LOCKING_OK}), CKR_OK);
	personalise();
	/* the second process: its own module instance, the same token */
	if ((child = fork()) == 0) {
		CK_FUNCTION_LIST_3_0 *cp;
		void *ch;

		cp = module_load(&ch);
		if (cp->C_Initialize(NULL) != CKR_OK)
			_exit(2);
		p = cp;
		_exit(login_cycles(0, until) == 0 ? 0 : 1);
	}
	assert_true(child > 0);
	assert_int_equal(pthread_create(&login, NULL, login_thread, NULL), 0);
	assert_int_equal(pthread_create(&watcher, NULL, watcher_thread, NULL), 0);
	assert_int_equal(pthread_create(&signer, NULL, signer_thread, NULL), 0);
	/* its time, then until the race was really run (each event seen), within a minute */
	while (now() < until ||
	       (now() < until + 60 && (__atomic_load_n(&watcher_looks, __ATOMIC_SEQ_CST) == 0 ||
				       __atomic_load_n(&signs, __ATOMIC_SEQ_CST) == 0)))
		usleep(100 * 1000);
	pthread_mutex_lock(&stop_lock);
	stop = 1;
	pthread_cond_broadcast(&quiet_over);
	pthread_mutex_unlock(&stop_lock);
	pthread_join(login, NULL);
	pthread_join(watcher, NULL);
	pthread_join(signer, NULL);
	assert_int_equal(waitpid(child, &status, 0), child);
	printf("concurrency: %.0f s, %lu login changes, %lu looks with no login (%lu in quiet windows), "
	       "%lu signatures\n",
	       now() - start, events, watcher_looks, quiet_looks, signs);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	assert_int_equal(watcher_leaks, 0);
	assert_int_equal(signer_lost, 0);
	assert_int_equal(login_odd, 0);
	if (signer_odd != 0)
		fail_msg("%lu signatures answered what they may not, the first 0x%lX", signer_odd,
			 (unsigned long)signer_first_odd);
	assert_true(watcher_looks > 0 && signs > 0); /* the race was really run */
	/* what the race may have left behind: nothing private for a new public session */
	assert_int_equal(p->C_OpenSession(0, CKF_SERIAL_SESSION, NULL, NULL, &h), CKR_OK);
	assert_int_equal(private_seen(h), 0);
	assert_int_equal(p->C_Finalize(NULL), CKR_OK);
}

/* (the simulator is stopped even when an assertion failed) */
static int
stop_sim(void **state)
{
	(void)state;
	simctl_cleanup(&sim);
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_no_private_object_leaks_and_no_login_is_lost_under_concurrent_threads,
					  stop_sim),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
