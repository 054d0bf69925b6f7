/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* Eight threads in each of two processes, on one token, for a bounded time
 * (KZT_MIX_SECONDS, default 10), each in a session of its own doing at random:
 * log in, log out, find the private keys, read the public key's modulus, sign.
 * Every call must answer what PKCS#11 allows at that moment, and nothing else: a
 * login or logout that another thread made moot (CKR_USER_ALREADY_LOGGED_IN,
 * CKR_USER_NOT_LOGGED_IN), a private key that is not visible or usable while
 * nobody is logged in (CKR_USER_NOT_LOGGED_IN, CKR_KEY_HANDLE_INVALID); every
 * signature made must verify with OpenSSL. Against kaztoken-sim's socket, or with
 * KZT_MIX_PCSC=1 through a real pcscd, the simulator in vpcd's reader (pcscd is
 * started when none runs, and only that one stopped). */
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
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include "simctl.h"

#define THREADS 8
#define PIN(s) (CK_UTF8CHAR_PTR)(s), (CK_ULONG)strlen(s)

static CK_FUNCTION_LIST_3_0 *p;
static CK_SLOT_ID slot;
static CK_OBJECT_HANDLE pub_key, priv_key;
static EVP_PKEY *verifier;
static simctl sim;
static pid_t pcscd;

typedef struct tally {
	unsigned long calls, signatures, unexpected, bad_signatures;
	char first[160]; /* the first unexpected answer */
} tally;

static double
seconds(void)
{
	const char *s = getenv("KZT_MIX_SECONDS");
	return s != NULL ? atof(s) : 10;
}

static void
unexpected(tally *t, const char *what, CK_RV rv)
{
	if (t->unexpected++ == 0)
		snprintf(t->first, sizeof(t->first), "%s answered 0x%lX", what, (unsigned long)rv);
}

/* rv must be CKR_OK or one of the n others. */
static int
allowed(tally *t, const char *what, CK_RV rv, int n, ...)
{
	va_list ap;
	int i, ok = rv == CKR_OK;

	va_start(ap, n);
	for (i = 0; i < n && !ok; i++)
		ok = rv == va_arg(ap, CK_RV);
	va_end(ap);
	if (!ok)
		unexpected(t, what, rv);
	return rv == CKR_OK;
}

static int
verifies(const CK_BYTE *msg, size_t len, const CK_BYTE *sig, size_t sig_len)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int ok = ctx != NULL && EVP_DigestVerifyInit(ctx, NULL, EVP_sha256(), NULL, verifier) == 1 &&
		 EVP_DigestVerify(ctx, sig, sig_len, msg, len) == 1;

	EVP_MD_CTX_free(ctx);
	return ok;
}

static void
one_call(tally *t, CK_SESSION_HANDLE h, unsigned r)
{
	CK_MECHANISM mech = {CKM_SHA256_RSA_PKCS, NULL, 0};
	CK_OBJECT_CLASS cls = CKO_PRIVATE_KEY;
	CK_ATTRIBUTE find[] = {{CKA_CLASS, &cls, sizeof(cls)}};
	CK_BYTE msg[32], sig[512], modulus[512];
	CK_ATTRIBUTE get[] = {{CKA_MODULUS, modulus, sizeof(modulus)}};
	CK_OBJECT_HANDLE found[4];
	CK_ULONG n, len;
	CK_RV rv;

	t->calls++;
	switch (r % 5) {
	case 0: allowed(t, "C_Login", p->C_Login(h, CKU_USER, PIN("12345678")), 1, CKR_USER_ALREADY_LOGGED_IN); break;
	case 1: allowed(t, "C_Logout", p->C_Logout(h), 1, CKR_USER_NOT_LOGGED_IN); break;
	case 2:
		if (allowed(t, "C_FindObjectsInit", p->C_FindObjectsInit(h, find, 1), 0)) {
			if (allowed(t, "C_FindObjects", p->C_FindObjects(h, found, 4, &n), 0) && n > 1)
				unexpected(t, "C_FindObjects (more than one private key)", n);
			allowed(t, "C_FindObjectsFinal", p->C_FindObjectsFinal(h), 0);
		}
		break;
	case 3:
		if (allowed(t, "C_GetAttributeValue", p->C_GetAttributeValue(h, pub_key, get, 1), 0) &&
		    get[0].ulValueLen != 256)
			unexpected(t, "C_GetAttributeValue (the modulus' length)", get[0].ulValueLen);
		break;
	default:
		snprintf((char *)msg, sizeof(msg), "mix %u %lu", r, t->calls);
		rv = p->C_SignInit(h, &mech, priv_key);
		if (!allowed(t, "C_SignInit", rv, 2, CKR_USER_NOT_LOGGED_IN, CKR_KEY_HANDLE_INVALID))
			break;
		len = sizeof(sig);
		rv = p->C_Sign(h, msg, sizeof(msg), sig, &len);
		/* (a logout between the two ends the operation: the key is no longer usable) */
		if (!allowed(t, "C_Sign", rv, 2, CKR_USER_NOT_LOGGED_IN, CKR_KEY_HANDLE_INVALID))
			break;
		t->signatures++;
		if (!verifies(msg, sizeof(msg), sig, len))
			t->bad_signatures++;
	}
}

static void *
mixer(void *arg)
{
	tally *t = arg;
	double until = simctl_now() + seconds();
	unsigned seed = (unsigned)(uintptr_t)arg ^ (unsigned)getpid();
	CK_SESSION_HANDLE h;
	CK_RV rv;

	if ((rv = p->C_OpenSession(slot, CKF_SERIAL_SESSION, NULL, NULL, &h)) != CKR_OK) {
		unexpected(t, "C_OpenSession", rv);
		return NULL;
	}
	while (simctl_now() < until) {
		seed = seed * 1103515245u + 12345u;
		one_call(t, h, seed >> 16);
	}
	allowed(t, "C_CloseSession", p->C_CloseSession(h), 0);
	return NULL;
}

/* THREADS mixers in this process: their tallies summed into *all. */
static void
mix(tally *all)
{
	pthread_t th[THREADS];
	tally t[THREADS];
	int i;

	memset(t, 0, sizeof(t));
	memset(all, 0, sizeof(*all));
	for (i = 0; i < THREADS; i++)
		if (pthread_create(&th[i], NULL, mixer, &t[i]) != 0)
			abort();
	for (i = 0; i < THREADS; i++) {
		pthread_join(th[i], NULL);
		all->calls += t[i].calls;
		all->signatures += t[i].signatures;
		all->bad_signatures += t[i].bad_signatures;
		if (t[i].unexpected > 0 && all->unexpected == 0)
			memcpy(all->first, t[i].first, sizeof(all->first));
		all->unexpected += t[i].unexpected;
	}
}

/* The module, initialised, and the slot of its token (through pcscd, once vpcd
 * has the card in its reader: within ten seconds). */
static void
load_and_find(void)
{
	void *handle;
	CK_SLOT_ID slots[4];
	CK_ULONG n = 0;
	int i;

	p = module_load(&handle);
	assert_int_equal(p->C_Initialize(&(CK_C_INITIALIZE_ARGS){.flags = CKF_OS_LOCKING_OK}), CKR_OK);
	for (i = 0; i < 100 && n == 0; i++) {
		n = 4;
		assert_int_equal(p->C_GetSlotList(CK_TRUE, slots, &n), CKR_OK);
		if (n == 0)
			usleep(100 * 1000);
	}
	assert_true(n >= 1);
	slot = slots[0];
}

/* Log in, find the key pair labelled "mix" (making it when make is set and there
 * is none), log out: its handles in this module instance, and its modulus and
 * exponent. */
static void
find_keys(int make, CK_BYTE *mod, CK_ULONG *mod_len, CK_BYTE *exp, CK_ULONG *exp_len)
{
	CK_BBOOL yes = CK_TRUE;
	CK_ULONG bits = 2048, n;
	CK_OBJECT_CLASS cls = CKO_PRIVATE_KEY, pcls = CKO_PUBLIC_KEY;
	CK_ATTRIBUTE pt[] = {{CKA_TOKEN, &yes, sizeof(yes)}, {CKA_MODULUS_BITS, &bits, sizeof(bits)},
			     {CKA_LABEL, "mix", 3}};
	CK_ATTRIBUTE st[] = {{CKA_TOKEN, &yes, sizeof(yes)}, {CKA_SIGN, &yes, sizeof(yes)}, {CKA_LABEL, "mix", 3}};
	CK_ATTRIBUTE fpriv[] = {{CKA_CLASS, &cls, sizeof(cls)}, {CKA_LABEL, "mix", 3}};
	CK_ATTRIBUTE fpub[] = {{CKA_CLASS, &pcls, sizeof(pcls)}, {CKA_LABEL, "mix", 3}};
	CK_MECHANISM gen = {CKM_RSA_PKCS_KEY_PAIR_GEN, NULL, 0};
	CK_ATTRIBUTE get[] = {{CKA_MODULUS, mod, 512}, {CKA_PUBLIC_EXPONENT, exp, 8}};
	CK_SESSION_HANDLE h;

	assert_int_equal(p->C_OpenSession(slot, CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL, NULL, &h), CKR_OK);
	assert_int_equal(p->C_Login(h, CKU_USER, PIN("12345678")), CKR_OK);
	assert_int_equal(p->C_FindObjectsInit(h, fpriv, 2), CKR_OK);
	assert_int_equal(p->C_FindObjects(h, &priv_key, 1, &n), CKR_OK);
	assert_int_equal(p->C_FindObjectsFinal(h), CKR_OK);
	if (n == 0 && make)
		assert_int_equal(p->C_GenerateKeyPair(h, &gen, pt, 3, st, 3, &pub_key, &priv_key), CKR_OK);
	else
		assert_int_equal(n, 1);
	assert_int_equal(p->C_FindObjectsInit(h, fpub, 2), CKR_OK);
	assert_int_equal(p->C_FindObjects(h, &pub_key, 1, &n), CKR_OK);
	assert_int_equal(p->C_FindObjectsFinal(h), CKR_OK);
	assert_int_equal(n, 1);
	assert_int_equal(p->C_GetAttributeValue(h, pub_key, get, 2), CKR_OK);
	*mod_len = get[0].ulValueLen;
	*exp_len = get[1].ulValueLen;
	assert_int_equal(p->C_Logout(h), CKR_OK);
	assert_int_equal(p->C_CloseSession(h), CKR_OK);
}

/* The key pair, made once, and OpenSSL's copy of its public key. */
static void
personalise(void)
{
	CK_BYTE mod[512], exp[8];
	CK_ULONG mod_len, exp_len;
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	OSSL_PARAM *params;
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
	BIGNUM *bn_n, *bn_e;

	find_keys(1, mod, &mod_len, exp, &exp_len);
	bn_n = BN_bin2bn(mod, (int)mod_len, NULL);
	bn_e = BN_bin2bn(exp, (int)exp_len, NULL);
	assert_non_null(bld);
	assert_int_equal(OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn_n), 1);
	assert_int_equal(OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, bn_e), 1);
	assert_non_null(params = OSSL_PARAM_BLD_to_param(bld));
	assert_int_equal(EVP_PKEY_fromdata_init(ctx), 1);
	assert_int_equal(EVP_PKEY_fromdata(ctx, &verifier, EVP_PKEY_PUBLIC_KEY, params), 1);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	EVP_PKEY_CTX_free(ctx);
	BN_free(bn_n);
	BN_free(bn_e);
}

/* This module instance's handles for the key pair (they are per instance). */
static void
handles(void)
{
	CK_BYTE mod[512], exp[8];
	CK_ULONG mod_len, exp_len;

	find_keys(0, mod, &mod_len, exp, &exp_len);
}

static void
test_eight_threads_in_two_processes_mix_calls_with_no_unexpected_answer(void **state)
{
	int fds[2], status;
	tally mine, theirs;
	pid_t child;

	(void)state;
	simctl_init(&sim);
	if (getenv("KZT_MIX_PCSC") != NULL) {
		pcscd = simctl_pcscd_start();
		if (pcscd < 0)
			fail_msg("no pcscd with vpcd to run this through (pcscd, vsmartcard-vpcd)");
		snprintf(sim.vpcd, sizeof(sim.vpcd), "%s", VPCD_PORT);
		setenv("KAZTOKEN_READERS", "pcsc", 1);
	}
	simctl_start(&sim);
	if (sim.vpcd[0] != '\0')
		unsetenv("KAZTOKEN_SIM_SOCKET"); /* the module reaches the card through pcscd alone */
	load_and_find();
	personalise();
	assert_int_equal(p->C_Finalize(NULL), CKR_OK);
	/* the second process: its own module instance, the same token */
	assert_int_equal(pipe(fds), 0);
	fflush(stdout);
	if ((child = fork()) == 0) {
		close(fds[0]);
		load_and_find();
		handles();
		mix(&theirs);
		p->C_Finalize(NULL);
		_exit(write(fds[1], &theirs, sizeof(theirs)) == (ssize_t)sizeof(theirs) ? 0 : 1);
	}
	assert_true(child > 0);
	close(fds[1]);
	load_and_find();
	handles();
	mix(&mine);
	assert_int_equal(p->C_Finalize(NULL), CKR_OK);
	assert_int_equal(read(fds[0], &theirs, sizeof(theirs)), (ssize_t)sizeof(theirs));
	assert_int_equal(waitpid(child, &status, 0), child);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	printf("mix%s: %d threads x 2 processes, %.0f s: %lu + %lu calls, %lu + %lu signatures verified by OpenSSL\n",
	       sim.vpcd[0] != '\0' ? " through pcscd" : "", THREADS, seconds(), mine.calls, theirs.calls, mine.signatures - mine.bad_signatures,
	       theirs.signatures - theirs.bad_signatures);
	if (mine.unexpected > 0)
		fail_msg("this process: %lu unexpected answers, the first: %s", mine.unexpected, mine.first);
	if (theirs.unexpected > 0)
		fail_msg("the other process: %lu unexpected answers, the first: %s", theirs.unexpected, theirs.first);
	assert_int_equal(mine.bad_signatures + theirs.bad_signatures, 0);
	assert_true(mine.signatures > 0 && theirs.signatures > 0); /* the mix was really run */
	EVP_PKEY_free(verifier);
}

static int
stop_sim(void **state)
{
	(void)state;
	simctl_cleanup(&sim);
	simctl_pcscd_stop(pcscd);
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_eight_threads_in_two_processes_mix_calls_with_no_unexpected_answer,
					  stop_sim),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
