/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* The entry frame against the in-process card: arguments are checked before any
 * lock or card I/O, length queries never reach the card, and a session closed
 * by one thread never frees what another thread's call is using. */
#include <pthread.h>
#include <sched.h>

#include "p11_fixture.h"

static void
test_bad_arguments_are_answered_without_a_word_to_the_card(void **state)
{
	fixture *f = *state;
	CK_SESSION_HANDLE h = open_session(f, CKF_RW_SESSION);
	unsigned before = f->lb.apdus;
	CK_ULONG n;

	assert_int_equal(f->p->C_GetTokenInfo(0, NULL), CKR_ARGUMENTS_BAD);
	assert_int_equal(f->p->C_GetSlotInfo(0, NULL), CKR_ARGUMENTS_BAD);
	assert_int_equal(f->p->C_OpenSession(0, CKF_SERIAL_SESSION, NULL, NULL, NULL), CKR_ARGUMENTS_BAD);
	assert_int_equal(f->p->C_Login(h, CKU_USER, NULL, 8), CKR_ARGUMENTS_BAD);
	assert_int_equal(f->p->C_InitToken(0, NULL, 0, NULL), CKR_ARGUMENTS_BAD);
	assert_int_equal(f->p->C_SetPIN(h, NULL, 0, NULL, 0), CKR_ARGUMENTS_BAD);
	assert_int_equal(f->p->C_InitPIN(h, NULL, 0), CKR_ARGUMENTS_BAD);
	assert_int_equal(f->p->C_GenerateRandom(h, NULL, 8), CKR_ARGUMENTS_BAD);
	assert_int_equal(f->p->C_SignInit(h, NULL, 1), CKR_ARGUMENTS_BAD);
	assert_int_equal(f->p->C_FindObjectsInit(h, NULL, 2), CKR_ARGUMENTS_BAD);
	assert_int_equal(f->p->C_GetSlotList(CK_FALSE, NULL, NULL), CKR_ARGUMENTS_BAD);
	assert_int_equal(f->p->C_GetSessionInfo(h, NULL), CKR_ARGUMENTS_BAD);
	assert_int_equal(f->p->C_FindObjects(h, NULL, 1, &n), CKR_ARGUMENTS_BAD);
	assert_int_equal(f->lb.apdus, before);
}

static void
test_a_signature_size_query_never_reaches_the_card(void **state)
{
	fixture *f = *state;
	CK_SESSION_HANDLE h = p11_user(f);
	CK_MECHANISM m = {CKM_SHA256_RSA_PKCS, NULL, 0};
	CK_OBJECT_HANDLE pub, priv;
	CK_BYTE sig[512];
	CK_ULONG len = 0;
	unsigned before;

	p11_keypair(f, h, "k", &pub, &priv);
	assert_int_equal(f->p->C_SignInit(h, &m, priv), CKR_OK);
	before = f->lb.apdus;
	assert_int_equal(f->p->C_Sign(h, (CK_BYTE_PTR)"x", 1, NULL, &len), CKR_OK);
	len = 3;
	assert_int_equal(f->p->C_Sign(h, (CK_BYTE_PTR)"x", 1, sig, &len), CKR_BUFFER_TOO_SMALL);
	assert_int_equal(f->lb.apdus, before);
	assert_int_equal(f->p->C_Sign(h, (CK_BYTE_PTR)"x", 1, sig, &len), CKR_OK);
	assert_int_equal(f->lb.apdus - before, 2); /* MSE SET + PSO */
}

typedef struct decryptor {
	fixture *f;
	CK_SESSION_HANDLE h;
	CK_OBJECT_HANDLE priv;
	const CK_BYTE *ct;
	CK_ULONG ct_len;
	int rounds, odd; /* decryptions done; answers other than OK / handle invalid */
	pthread_mutex_t lock; /* guards rounds and odd */
} decryptor;

static int
rounds_done(decryptor *d)
{
	int n;

	pthread_mutex_lock(&d->lock);
	n = d->rounds;
	pthread_mutex_unlock(&d->lock);
	return n;
}

static void *
decrypt_until_closed(void *arg)
{
	decryptor *d = arg;
	CK_MECHANISM m = {CKM_RSA_PKCS, NULL, 0};
	CK_BYTE pt[512];
	CK_ULONG len;
	CK_RV rv;

	for (;;) {
		len = sizeof(pt);
		if ((rv = d->f->p->C_DecryptInit(d->h, &m, d->priv)) == CKR_OK)
			rv = d->f->p->C_Decrypt(d->h, (CK_BYTE_PTR)d->ct, d->ct_len, pt, &len);
		if (rv == CKR_SESSION_HANDLE_INVALID)
			return NULL;
		pthread_mutex_lock(&d->lock);
		if (rv != CKR_OK)
			d->odd++;
		d->rounds++;
		pthread_mutex_unlock(&d->lock);
	}
}

static void
test_closing_a_session_waits_for_no_one_and_frees_nothing_in_use(void **state)
{
	fixture *f = *state;
	CK_SESSION_HANDLE keeper = p11_user(f);
	CK_MECHANISM m = {CKM_RSA_PKCS, NULL, 0};
	CK_OBJECT_HANDLE pub;
	CK_BYTE ct[512];
	CK_ULONG ct_len = sizeof(ct);
	decryptor d = {.f = f, .lock = PTHREAD_MUTEX_INITIALIZER};
	pthread_t th;
	int i;

	p11_keypair(f, keeper, "k", &pub, &d.priv);
	assert_int_equal(f->p->C_EncryptInit(keeper, &m, pub), CKR_OK);
	assert_int_equal(f->p->C_Encrypt(keeper, (CK_BYTE_PTR)"hello", 5, ct, &ct_len), CKR_OK);
	d.ct = ct;
	d.ct_len = ct_len;
	/* each round: a session decrypting in one thread, closed under it by another
	 * (ASan and helgrind see any use of what the close freed) */
	for (i = 0; i < 20; i++) {
		d.h = open_session(f, 0);
		d.rounds = 0;
		assert_int_equal(pthread_create(&th, NULL, decrypt_until_closed, &d), 0);
		while (rounds_done(&d) < 1 + i % 3)
			sched_yield();
		assert_int_equal(f->p->C_CloseSession(d.h), CKR_OK);
		assert_int_equal(pthread_join(th, NULL), 0);
	}
	assert_int_equal(d.odd, 0);
	assert_int_equal(p11_state(f, keeper), CKS_RW_USER_FUNCTIONS);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_bad_arguments_are_answered_without_a_word_to_the_card,
						p11_setup, teardown),
		cmocka_unit_test_setup_teardown(test_a_signature_size_query_never_reaches_the_card, p11_setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_closing_a_session_waits_for_no_one_and_frees_nothing_in_use,
						p11_setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
