/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* After C_Login, C_SetPIN and a private key's import, the module's heap holds no
 * copy of the PIN or the key, and no block it freed did either: this program's
 * own malloc family (glibc's, through __libc_malloc) fills every new block with a
 * pattern, keeps a table of the blocks, and looks for the secrets in each block
 * as it is freed and, after each call, in every block still held. The card is a
 * kaztoken-sim in its own process (its memory is the card's, not the module's).
 * Linux with glibc. */
/* (malloc_usable_size: _GNU_SOURCE, which the tests are built with) */
#include <malloc.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "rsa.h"
#include "simctl.h"

extern void *__libc_malloc(size_t n);
extern void *__libc_calloc(size_t n, size_t size);
extern void *__libc_realloc(void *p, size_t n);
extern void *__libc_memalign(size_t align, size_t n);
extern void __libc_free(void *p);

/* ---- the watching allocator ---- */

#define TABLE (1u << 16)
static struct block {
	void *p;
	size_t n;
} table[TABLE];
static int armed, busy_lock;
static unsigned long tracked; /* blocks watched: the module's, while armed */
static const uint8_t *secrets[16];
static size_t secret_len[16], nsecrets;
static char finding[256];

static void
lock(void)
{
	while (__atomic_exchange_n(&busy_lock, 1, __ATOMIC_ACQUIRE))
		;
}

static void
unlock(void)
{
	__atomic_store_n(&busy_lock, 0, __ATOMIC_RELEASE);
}

static size_t
slot_of(const void *p)
{
	return (size_t)(((uintptr_t)p >> 4) * 2654435761u) % TABLE;
}

/* Does (p, n) hold a secret? Its name, or NULL. */
static const char *
holds_secret(const uint8_t *p, size_t n)
{
	static const char *const names[] = {"the user PIN", "the new user PIN", "d", "p", "q", "dp", "dq", "qinv"};
	size_t i, k;

	for (i = 0; i < nsecrets; i++)
		for (k = 0; k + secret_len[i] <= n; k++)
			if (p[k] == secrets[i][0] && memcmp(p + k, secrets[i], secret_len[i]) == 0)
				return names[i];
	return NULL;
}

static void
note(const char *when, const void *p, size_t n, const char *what)
{
	if (finding[0] == '\0')
		snprintf(finding, sizeof(finding), "%s: a %zu-byte block at %p holds %s", when, n, p, what);
}

static void
track(void *p, size_t n)
{
	size_t i;

	if (p == NULL || !armed)
		return;
	memset(p, 0xA5, n); /* (whatever it held before is not the module's doing) */
	lock();
	for (i = slot_of(p); table[i].p != NULL; i = (i + 1) % TABLE)
		;
	table[i].p = p;
	table[i].n = n;
	tracked++;
	unlock();
}

/* Forget p, looking into it first if it was tracked. */
static void
untrack(void *p, const char *when)
{
	const char *what;
	size_t i, j, k;

	if (p == NULL)
		return;
	lock();
	for (i = slot_of(p); table[i].p != NULL && table[i].p != p; i = (i + 1) % TABLE)
		;
	if (table[i].p == NULL) {
		unlock();
		return;
	}
	if ((what = holds_secret(p, table[i].n)) != NULL)
		note(when, p, table[i].n, what);
	/* remove, then put back the run after it (open addressing) */
	table[i].p = NULL;
	for (j = (i + 1) % TABLE; table[j].p != NULL; j = (j + 1) % TABLE) {
		struct block b = table[j];

		table[j].p = NULL;
		for (k = slot_of(b.p); table[k].p != NULL; k = (k + 1) % TABLE)
			;
		table[k] = b;
	}
	unlock();
}

void *
malloc(size_t n)
{
	void *p = __libc_malloc(n);

	track(p, n);
	return p;
}

void *
calloc(size_t n, size_t size)
{
	void *p = __libc_calloc(n, size);

	if (p != NULL && armed) {
		track(p, n * size);
		memset(p, 0, n * size);
	}
	return p;
}

void
free(void *p)
{
	untrack(p, "freed");
	__libc_free(p);
}

void *
realloc(void *p, size_t n)
{
	void *q;
	size_t old;

	if (p == NULL)
		return malloc(n);
	if (n == 0) {
		free(p);
		return NULL;
	}
	if ((q = malloc(n)) == NULL)
		return NULL;
	old = malloc_usable_size(p);
	memcpy(q, p, old < n ? old : n);
	free(p);
	return q;
}

int
posix_memalign(void **out, size_t align, size_t n)
{
	void *p = __libc_memalign(align, n);

	if (p == NULL)
		return 12; /* ENOMEM */
	track(p, n);
	*out = p;
	return 0;
}

void *
aligned_alloc(size_t align, size_t n)
{
	void *p = __libc_memalign(align, n);

	track(p, n);
	return p;
}

/* Every block still held, looked into. */
static void
scan_held(const char *after)
{
	const char *what;
	size_t i;

	lock();
	for (i = 0; i < TABLE; i++)
		if (table[i].p != NULL && (what = holds_secret(table[i].p, table[i].n)) != NULL)
			note(after, table[i].p, table[i].n, what);
	unlock();
}

/* ---- the test ---- */

#define USER_PIN "12345678"
#define NEW_PIN "Kz7#Qp9!xW"
#define PIN(s) (CK_UTF8CHAR_PTR)(s), (CK_ULONG)strlen(s)

static kzt_rsa_key key; /* (static: not on the watched heap) */

static int
rng(uint8_t *p, size_t n)
{
	FILE *f = fopen("/dev/urandom", "rb");
	size_t got = f != NULL ? fread(p, 1, n, f) : 0;

	if (f != NULL)
		fclose(f);
	return got == n ? 0 : -1;
}

static void
watch(const void *p, size_t n)
{
	secrets[nsecrets] = p;
	secret_len[nsecrets++] = n;
}

static void
checked(const char *after)
{
	scan_held(after);
	if (finding[0] != '\0')
		fail_msg("%s", finding);
}

static void
test_no_copy_of_a_pin_or_an_imported_key_stays_on_the_heap(void **state)
{
	CK_OBJECT_CLASS cls = CKO_PRIVATE_KEY;
	CK_KEY_TYPE kt = CKK_RSA;
	CK_BBOOL yes = CK_TRUE;
	CK_ATTRIBUTE t[] = {{CKA_CLASS, &cls, sizeof(cls)},	 {CKA_KEY_TYPE, &kt, sizeof(kt)},
			    {CKA_TOKEN, &yes, sizeof(yes)},	 {CKA_SIGN, &yes, sizeof(yes)},
			    {CKA_MODULUS, key.n, 0},		 {CKA_PUBLIC_EXPONENT, key.e, 0},
			    {CKA_PRIVATE_EXPONENT, key.d, 0},	 {CKA_PRIME_1, key.p, 0},
			    {CKA_PRIME_2, key.q, 0},		 {CKA_EXPONENT_1, key.dp, 0},
			    {CKA_EXPONENT_2, key.dq, 0},	 {CKA_COEFFICIENT, key.qinv, 0}};
	CK_FUNCTION_LIST_3_0 *p;
	CK_SESSION_HANDLE h;
	CK_OBJECT_HANDLE o;
	simctl sim;
	void *dl;

	(void)state;
	assert_int_equal(kzt_rsa_generate(2048, (const uint8_t *)"\x01\x00\x01", 3, rng, &key), 0);
	t[4].ulValueLen = key.n_len, t[5].ulValueLen = key.e_len, t[6].ulValueLen = key.d_len;
	t[7].ulValueLen = key.p_len, t[8].ulValueLen = key.q_len, t[9].ulValueLen = key.dp_len;
	t[10].ulValueLen = key.dq_len, t[11].ulValueLen = key.qinv_len;
	watch(USER_PIN, 8);
	watch(NEW_PIN, 10);
	watch(key.d, 16), watch(key.p, 16), watch(key.q, 16);
	watch(key.dp, 16), watch(key.dq, 16), watch(key.qinv, 16);
	simctl_init(&sim);
	simctl_start(&sim);
	p = module_load(&dl);
	armed = 1;
	/* the watch itself: a PIN left in a freed block is seen */
	{
		void *(*volatile get)(size_t) = malloc; /* (not optimised away) */
		void (*volatile put)(void *) = free;
		char *leak = get(32);

		memcpy(leak + 5, USER_PIN, 8);
		put(leak);
		assert_non_null(strstr(finding, "the user PIN"));
		finding[0] = '\0';
		tracked = 0;
	}
	assert_int_equal(p->C_Initialize(NULL), CKR_OK);
	assert_int_equal(p->C_OpenSession(0, CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL, NULL, &h), CKR_OK);
	assert_int_equal(p->C_Login(h, CKU_USER, PIN(USER_PIN)), CKR_OK);
	checked("after C_Login");
	assert_int_equal(p->C_SetPIN(h, PIN(USER_PIN), PIN(NEW_PIN)), CKR_OK);
	checked("after C_SetPIN");
	assert_int_equal(p->C_Logout(h), CKR_OK);
	assert_int_equal(p->C_Login(h, CKU_USER, PIN(NEW_PIN)), CKR_OK);
	checked("after C_Login with the new PIN");
	assert_int_equal(p->C_CreateObject(h, t, sizeof(t) / sizeof(t[0]), &o), CKR_OK);
	checked("after the key's import");
	assert_int_equal(p->C_Finalize(NULL), CKR_OK);
	checked("after C_Finalize");
	armed = 0;
	print_message("%lu blocks of the module watched\n", tracked);
	assert_true(tracked > 20); /* (its allocations did come here) */
	simctl_cleanup(&sim);
	memset(&key, 0, sizeof(key));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_copy_of_a_pin_or_an_imported_key_stays_on_the_heap),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
