/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* The built module, loaded like an application loads it, against a running
 * kaztoken-sim process: what needs the process (its store and capacity, a
 * token pulled and put back, fork, threads on the shared library, another
 * application's session keys). Everything
 * else of the PKCS#11 rules is tested in-process in tests/unit/pkcs11. */
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <sys/wait.h>
#include <unistd.h>

#include "p11_calls.h"
#include "simctl.h"

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

/* Session keys of another application on the same token: hidden from this one
 * while it runs, and removed once it is gone (it crashed: no C_Finalize), at the
 * next start of a module that logs in. */
static void
test_another_applications_session_keys_are_hidden_then_removed_once_it_is_gone(void **state)
{
	fixture *f = *state;
	CK_MECHANISM gen = {CKM_RSA_PKCS_KEY_PAIR_GEN, NULL, 0};
	CK_ULONG bits = 2048;
	CK_ATTRIBUTE pt[] = {{CKA_MODULUS_BITS, &bits, sizeof(bits)}};
	CK_TOKEN_INFO before, during, after;
	CK_SESSION_HANDLE h;
	int made[2], done[2], status;
	char c = 0;
	pid_t pid;

	h = user_session(f);
	assert_int_equal(f->p->C_GetTokenInfo(0, &before), CKR_OK);
	assert_int_equal(pipe(made), 0);
	assert_int_equal(pipe(done), 0);
	if ((pid = fork()) == 0) {
		CK_OBJECT_HANDLE pub, priv;
		CK_SESSION_HANDLE ch;
		int ok = f->p->C_Initialize(NULL) == CKR_OK &&
			 f->p->C_OpenSession(0, CKF_SERIAL_SESSION, NULL, NULL, &ch) == CKR_OK &&
			 f->p->C_Login(ch, CKU_USER, PIN(USER_PIN)) == CKR_OK &&
			 f->p->C_GenerateKeyPair(ch, &gen, pt, 1, NULL, 0, &pub, &priv) == CKR_OK;

		c = ok ? 'y' : 'n';
		if (write(made[1], &c, 1) != 1 || read(done[0], &c, 1) != 1)
			_exit(2);
		_exit(0); /* as a crash: no C_CloseSession, no C_Finalize */
	}
	assert_true(pid > 0);
	assert_int_equal(read(made[0], &c, 1), 1);
	assert_int_equal(c, 'y');
	/* on the card, but not this application's to see, nor to remove */
	assert_int_equal(p11c_count(f->p, h, NULL, 0, NULL), 0);
	assert_int_equal(f->p->C_GetTokenInfo(0, &during), CKR_OK);
	assert_true(during.ulFreePublicMemory < before.ulFreePublicMemory);
	assert_int_equal(write(done[1], "x", 1), 1);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	/* its owner gone: the next start that logs in removes them */
	assert_int_equal(f->p->C_Finalize(NULL), CKR_OK);
	h = user_session(f);
	assert_int_equal(p11c_count(f->p, h, NULL, 0, NULL), 0);
	assert_int_equal(f->p->C_GetTokenInfo(0, &after), CKR_OK);
	assert_int_equal(after.ulFreePublicMemory, before.ulFreePublicMemory);
	close(made[0]);
	close(made[1]);
	close(done[0]);
	close(done[1]);
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
		cmocka_unit_test_setup_teardown(test_full_token_answers_device_memory, setup, teardown),
		cmocka_unit_test_setup_teardown(test_forked_child_must_initialize_again, setup, teardown),
		cmocka_unit_test_setup_teardown(test_absent_and_removed_token, setup, teardown),
		cmocka_unit_test_setup_teardown(test_concurrent_threads_share_one_token_safely, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_another_applications_session_keys_are_hidden_then_removed_once_it_is_gone, setup,
			teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
