/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* The cache of public objects on disk (`cache = public`) against the in-process
 * card: a second start reads the public objects and their values from it and
 * asks the card only whether its change counter moved; nothing private is ever
 * written; a moved counter or a damaged file is never believed. And its file
 * format, malformed every way. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crypto.h"
#include "file.h"
#include "internal.h"
#include "kzt_err.h"
#include "p11_fixture.h"

static char dir[64];
static char file[256];

static int
cache_setup(void **state)
{
	fixture *f;

	snprintf(dir, sizeof(dir), "/tmp/kzt-diskcache-XXXXXX");
	assert_non_null(mkdtemp(dir));
	setup(state);
	f = *state;
	setenv("XDG_CACHE_HOME", dir, 1);
	setenv("KAZTOKEN_CACHE", "public", 1);
	snprintf(file, sizeof(file), "%s/kaztoken/", dir);
	{
		size_t n = strlen(file);
		int i;

		for (i = 0; i < KZT_SERIAL_LEN; i++)
			n += (size_t)snprintf(file + n, sizeof(file) - n, "%02X", f->card.st.serial[i]);
		snprintf(file + n, sizeof(file) - n, ".objects");
	}
	return 0;
}

static int
cache_teardown(void **state)
{
	char cmd[128];

	teardown(state);
	unsetenv("KAZTOKEN_CACHE");
	unsetenv("XDG_CACHE_HOME");
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
	return 0;
}

/* The value of o, as a string. */
static void
assert_value(fixture *f, CK_SESSION_HANDLE h, CK_OBJECT_HANDLE o, const char *want)
{
	char v[64];
	CK_ATTRIBUTE t = {CKA_VALUE, v, sizeof(v)};

	assert_int_equal(f->p->C_GetAttributeValue(h, o, &t, 1), CKR_OK);
	assert_int_equal(t.ulValueLen, strlen(want));
	assert_memory_equal(v, want, strlen(want));
}

/* The first start: three public objects and a private one, every value read,
 * then C_Finalize (which writes the cache). */
static void
first_start(fixture *f)
{
	CK_OBJECT_HANDLE found[8];
	CK_SESSION_HANDLE h;
	CK_ULONG n, i;
	char v[64];

	assert_int_equal(f->p->C_Initialize(NULL), CKR_OK);
	h = p11_user(f);
	p11_data(f, h, 0, "public-one");
	p11_data(f, h, 0, "public-two");
	p11_data(f, h, 1, "SECRET-VALUE");
	p11_data(f, h, 0, "public-three");
	assert_int_equal(f->p->C_FindObjectsInit(h, NULL, 0), CKR_OK);
	assert_int_equal(f->p->C_FindObjects(h, found, 8, &n), CKR_OK);
	assert_int_equal(f->p->C_FindObjectsFinal(h), CKR_OK);
	assert_int_equal(n, 4);
	for (i = 0; i < n; i++) {
		CK_ATTRIBUTE t = {CKA_VALUE, v, sizeof(v)};
		assert_int_equal(f->p->C_GetAttributeValue(h, found[i], &t, 1), CKR_OK);
	}
	assert_int_equal(f->p->C_Finalize(NULL), CKR_OK);
}

static CK_ULONG
find_public(fixture *f, CK_SESSION_HANDLE h, CK_OBJECT_HANDLE *found)
{
	CK_BBOOL no = CK_FALSE;
	CK_ATTRIBUTE t = {CKA_PRIVATE, &no, sizeof(no)};
	CK_ULONG n;

	assert_int_equal(f->p->C_FindObjectsInit(h, &t, 1), CKR_OK);
	assert_int_equal(f->p->C_FindObjects(h, found, 8, &n), CKR_OK);
	assert_int_equal(f->p->C_FindObjectsFinal(h), CKR_OK);
	return n;
}

/* Where text stands in (data, len): its offset, or len when it is not there. */
static size_t
find_in(const uint8_t *data, size_t len, const char *text)
{
	size_t i, n = strlen(text);

	for (i = 0; i + n <= len; i++)
		if (memcmp(data + i, text, n) == 0)
			return i;
	return len;
}

/* In the cache file, the value "public-two" becomes "public-TWO"; reseal: the
 * file's digest is made good again (anyone can: it is no seal). */
static void
rewrite_value_on_disk(int reseal)
{
	uint8_t *data = NULL;
	size_t len = 0, at;
	char why[64];

	assert_int_equal(kzt_os_file_read(file, 1u << 20, &data, &len, why, sizeof(why)), KZT_OK);
	assert_true((at = find_in(data, len, "public-two")) < len);
	memcpy(data + at, "public-TWO", 10);
	if (reseal)
		assert_int_equal(kzt_hash_once(KZT_SHA256, data, len - 32, data + len - 32), KZT_OK);
	assert_int_equal(kzt_os_file_replace(file, data, len), KZT_OK);
	free(data);
}

static void
test_a_second_start_takes_public_objects_and_values_from_the_cache_and_asks_the_card_twice(void **state)
{
	fixture *f = *state;
	CK_OBJECT_HANDLE found[8];
	CK_SLOT_ID slot;
	CK_ULONG n = 1;
	CK_TOKEN_INFO ti;
	CK_SESSION_HANDLE h;
	unsigned long before;
	struct stat st;

	first_start(f);
	assert_int_equal(stat(file, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	/* a browser's start: token info, a session, every public object's value */
	before = card_apdus(f);
	assert_int_equal(f->p->C_Initialize(NULL), CKR_OK);
	assert_int_equal(f->p->C_GetSlotList(CK_TRUE, &slot, &n), CKR_OK);
	assert_int_equal(f->p->C_GetTokenInfo(slot, &ti), CKR_OK);
	h = open_session(f, 0);
	assert_int_equal(find_public(f, h, found), 3);
	assert_value(f, h, found[0], "public-one");
	assert_value(f, h, found[1], "public-two");
	assert_value(f, h, found[2], "public-three");
	/* SELECT and the token state: the state's change counter confirmed the cache */
	assert_int_equal(card_apdus(f) - before, 2);
	/* the login lists the private objects alone */
	assert_int_equal(f->p->C_Login(h, CKU_USER, PIN(USER_PIN)), CKR_OK);
	assert_int_equal(p11_count(f, h, NULL, 0), 4);
	assert_int_equal(card_apdus(f) - before, 4);
	/* a search that follows no token state asks the card, as always */
	assert_int_equal(find_public(f, h, found), 3);
	assert_int_equal(card_apdus(f) - before, 5);
}

/* An EC public key's value (its curve and point) is kept like an RSA key's: a
 * second start shows its CKA_EC_POINT with no read of the card, and it verifies. */
static void
test_an_ec_public_keys_point_comes_from_the_cache(void **state)
{
	static const CK_BYTE p256[] = {0x06, 0x08, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07};
	fixture *f = *state;
	CK_BBOOL yes = CK_TRUE;
	CK_ULONG pub_class = CKO_PUBLIC_KEY, n = 1;
	CK_MECHANISM gen = {CKM_EC_KEY_PAIR_GEN, NULL, 0}, ecdsa = {CKM_ECDSA, NULL, 0};
	CK_ATTRIBUTE pt[] = {{CKA_TOKEN, &yes, 1}, {CKA_EC_PARAMS, (void *)p256, sizeof(p256)}};
	CK_ATTRIBUTE st[] = {{CKA_TOKEN, &yes, 1}, {CKA_SIGN, &yes, 1}};
	CK_ATTRIBUTE by_class[] = {{CKA_CLASS, &pub_class, sizeof(pub_class)}};
	CK_BYTE point[80], again[80], hash[32], sig[64];
	CK_ATTRIBUTE a = {CKA_EC_POINT, point, sizeof(point)}, b = {CKA_EC_POINT, again, sizeof(again)};
	CK_OBJECT_HANDLE pub, priv, found;
	CK_SESSION_HANDLE h;
	CK_SLOT_ID slot;
	CK_TOKEN_INFO ti;
	unsigned long before;
	CK_ULONG len = sizeof(sig);

	assert_int_equal(f->p->C_Initialize(NULL), CKR_OK);
	h = p11_user(f);
	assert_int_equal(f->p->C_GenerateKeyPair(h, &gen, pt, 2, st, 2, &pub, &priv), CKR_OK);
	assert_int_equal(f->p->C_GetAttributeValue(h, pub, &a, 1), CKR_OK);
	memset(hash, 7, sizeof(hash));
	assert_int_equal(f->p->C_SignInit(h, &ecdsa, priv), CKR_OK);
	assert_int_equal(f->p->C_Sign(h, hash, sizeof(hash), sig, &len), CKR_OK);
	assert_int_equal(f->p->C_Finalize(NULL), CKR_OK);
	/* a start that reads the point from the card (a key made in this process has
	 * its numbers from the generation's answer, which the file does not keep) */
	assert_int_equal(f->p->C_Initialize(NULL), CKR_OK);
	h = open_session(f, 0);
	assert_int_equal(p11c_count(f->p, h, by_class, 1, &found), 1);
	assert_int_equal(f->p->C_GetAttributeValue(h, found, &b, 1), CKR_OK);
	assert_int_equal(f->p->C_Finalize(NULL), CKR_OK);
	b.ulValueLen = sizeof(again);
	/* the next start */
	before = card_apdus(f);
	assert_int_equal(f->p->C_Initialize(NULL), CKR_OK);
	assert_int_equal(f->p->C_GetSlotList(CK_TRUE, &slot, &n), CKR_OK);
	assert_int_equal(f->p->C_GetTokenInfo(slot, &ti), CKR_OK);
	h = open_session(f, 0);
	assert_int_equal(p11c_count(f->p, h, by_class, 1, &found), 1);
	assert_int_equal(f->p->C_GetAttributeValue(h, found, &b, 1), CKR_OK);
	assert_int_equal(card_apdus(f) - before, 2); /* SELECT and the token state */
	assert_int_equal(b.ulValueLen, a.ulValueLen);
	assert_memory_equal(again, point, a.ulValueLen);
	assert_int_equal(f->p->C_VerifyInit(h, &ecdsa, found), CKR_OK);
	assert_int_equal(f->p->C_Verify(h, hash, sizeof(hash), sig, len), CKR_OK);
	assert_int_equal(card_apdus(f) - before, 2); /* (verification is the host's) */
}

static void
test_the_cache_file_holds_nothing_private(void **state)
{
	fixture *f = *state;
	uint8_t *data = NULL;
	size_t len = 0;
	char why[64];

	first_start(f);
	assert_int_equal(kzt_os_file_read(file, 1u << 20, &data, &len, why, sizeof(why)), KZT_OK);
	assert_int_equal(find_in(data, len, "SECRET-VALUE"), len);
	assert_true(find_in(data, len, "public-two") < len); /* and the public values are there */
	free(data);
}

static void
test_a_change_by_another_application_drops_the_cache(void **state)
{
	fixture *f = *state;
	kzt_card_state *cs = &f->card.st;
	CK_OBJECT_HANDLE found[8];
	CK_SESSION_HANDLE h;
	CK_TOKEN_INFO ti;

	first_start(f);
	/* someone else deletes the newest public object ("public-three") */
	kzt_card_object_clear(&cs->objects[cs->nobjects - 1]);
	cs->nobjects--;
	cs->change_counter++;
	assert_int_equal(f->p->C_Initialize(NULL), CKR_OK);
	assert_int_equal(f->p->C_GetTokenInfo(0, &ti), CKR_OK);
	h = open_session(f, 0);
	assert_int_equal(find_public(f, h, found), 2);
	assert_value(f, h, found[0], "public-one");
	assert_value(f, h, found[1], "public-two");
}

static void
test_a_damaged_cache_file_is_not_believed(void **state)
{
	fixture *f = *state;
	CK_OBJECT_HANDLE found[8];
	CK_SESSION_HANDLE h;
	CK_TOKEN_INFO ti;
	unsigned long before;

	first_start(f);
	rewrite_value_on_disk(0); /* a value changed on disk: the file's digest no longer holds */
	before = card_apdus(f);
	assert_int_equal(f->p->C_Initialize(NULL), CKR_OK);
	assert_int_equal(f->p->C_GetTokenInfo(0, &ti), CKR_OK);
	h = open_session(f, 0);
	assert_int_equal(find_public(f, h, found), 3);
	assert_value(f, h, found[1], "public-two");
	assert_true(card_apdus(f) - before > 2); /* the card listed and read */
}

/* A file whose digest holds (it is no seal: anyone may write one) but whose counter
 * the card no longer has: nothing of it is taken for the card's, not even the
 * value of an object the card still lists the same way. */
static void
test_a_file_the_card_does_not_confirm_gives_no_value(void **state)
{
	fixture *f = *state;
	CK_OBJECT_HANDLE found[8];
	CK_SESSION_HANDLE h;
	CK_TOKEN_INFO ti;

	first_start(f);
	rewrite_value_on_disk(1);
	f->card.st.change_counter++; /* the card moved on (whatever it changed) */
	assert_int_equal(f->p->C_Initialize(NULL), CKR_OK);
	assert_int_equal(f->p->C_GetTokenInfo(0, &ti), CKR_OK);
	h = open_session(f, 0);
	assert_int_equal(find_public(f, h, found), 3);
	assert_value(f, h, found[1], "public-two");
}

/* ---- the file format ---- */

static const uint8_t serial[KZT_SERIAL_LEN] = {1, 2, 3, 4, 5, 6, 7, 8};

/* A file: header, entries as given, the digest (when good) of what came before. */
static size_t
build(uint8_t *b, const uint8_t *entries, size_t entries_len, uint32_t count, int good_digest)
{
	size_t n = 0;

	memcpy(b, "KZTPUB\x01", 7);
	n = 7;
	memcpy(b + n, serial, 8);
	n += 8;
	memcpy(b + n, "\x00\x00\x00\x05", 4); /* counter 5 */
	n += 4;
	b[n++] = (uint8_t)(count >> 24);
	b[n++] = (uint8_t)(count >> 16);
	b[n++] = (uint8_t)(count >> 8);
	b[n++] = (uint8_t)count;
	memcpy(b + n, entries, entries_len);
	n += entries_len;
	assert_int_equal(kzt_hash_once(KZT_SHA256, b, n, b + n), KZT_OK);
	if (!good_digest)
		b[n] ^= 1;
	return n + 32;
}

/* One data object entry: handle 0x0010, no attributes (an empty blob), value "abc". */
static const uint8_t entry[] = {0x00, 0x10, KZT_CLASS_DATA, KZT_OBJF_MODIFIABLE, 0, 0, 0, 3, 0, 0, 1, 'a', 'b', 'c'};

static void
test_a_well_formed_file_decodes_to_its_listing(void **state)
{
	fixture *f = *state;
	kzt_objcache c;
	uint8_t b[256], *again;
	size_t n = build(b, entry, sizeof(entry), 1, 1), len;

	assert_int_equal(f->p->C_Initialize(NULL), CKR_OK);
	kzt_objcache_init(&c, kzt_mod.slots[0]->cache.number_new, NULL);
	assert_int_equal(kzt_slot_hold(kzt_mod.slots[0]), KZT_OK);
	assert_int_equal(kzt_diskcache_decode(b, n, serial, kzt_mod.slots[0]->token, &c), KZT_OK);
	assert_non_null(c.list);
	assert_int_equal(c.list->card, 0x10);
	assert_int_equal(c.counter, 5);
	assert_true(c.list->has_value);
	assert_memory_equal(c.list->value, "abc", 3);
	/* and it encodes back to the same bytes */
	assert_int_equal(kzt_diskcache_encode(&c, serial, &again, &len), KZT_OK);
	assert_int_equal(len, n);
	assert_memory_equal(again, b, n);
	free(again);
	kzt_slot_release(kzt_mod.slots[0]);
	kzt_objcache_forget(&c);
}

static void
test_a_malformed_file_is_refused_whole(void **state)
{
	fixture *f = *state;
	kzt_token *t;
	kzt_objcache c;
	uint8_t b[512], e[64];
	size_t n, cut;
	static const uint8_t other[KZT_SERIAL_LEN] = {8, 7, 6, 5, 4, 3, 2, 1};

	assert_int_equal(f->p->C_Initialize(NULL), CKR_OK);
	assert_int_equal(kzt_slot_hold(kzt_mod.slots[0]), KZT_OK);
	t = kzt_mod.slots[0]->token;
	kzt_objcache_init(&c, kzt_mod.slots[0]->cache.number_new, NULL);
	/* cut anywhere, the digest is off or missing */
	n = build(b, entry, sizeof(entry), 1, 1);
	for (cut = 0; cut < n; cut++)
		assert_int_equal(kzt_diskcache_decode(b, cut, serial, t, &c), KZT_ERR_PARSE);
	/* every single bit flipped */
	for (cut = 0; cut < n * 8; cut++) {
		b[cut / 8] ^= (uint8_t)(1u << (cut % 8));
		assert_int_equal(kzt_diskcache_decode(b, n, serial, t, &c), KZT_ERR_PARSE);
		b[cut / 8] ^= (uint8_t)(1u << (cut % 8));
	}
	assert_null(c.list);
	/* a bad digest; another token's file */
	n = build(b, entry, sizeof(entry), 1, 0);
	assert_int_equal(kzt_diskcache_decode(b, n, serial, t, &c), KZT_ERR_PARSE);
	n = build(b, entry, sizeof(entry), 1, 1);
	assert_int_equal(kzt_diskcache_decode(b, n, other, t, &c), KZT_ERR_PARSE);
	/* well digested, but: more entries said than there are; fewer; a private
	 * object; a private key; handle 0; a class unknown; one object twice; a
	 * value longer than the file; a has-value flag of 2; a malformed blob */
	assert_int_equal(kzt_diskcache_decode(b, build(b, entry, sizeof(entry), 2, 1), serial, t, &c), KZT_ERR_PARSE);
	assert_int_equal(kzt_diskcache_decode(b, build(b, entry, sizeof(entry), 0, 1), serial, t, &c), KZT_ERR_PARSE);
#define WITH(i, v)                                                                                            \
	do {                                                                                                  \
		memcpy(e, entry, sizeof(entry));                                                              \
		e[i] = (v);                                                                                   \
		assert_int_equal(kzt_diskcache_decode(b, build(b, e, sizeof(entry), 1, 1), serial, t, &c),   \
				 KZT_ERR_PARSE);                                                              \
	} while (0)
	WITH(3, KZT_OBJF_PRIVATE);
	WITH(2, KZT_CLASS_PRIVATE_KEY);
	WITH(1, 0);
	WITH(2, 9);
	WITH(7, 200);
	WITH(10, 2);
#undef WITH
	memcpy(e, entry, sizeof(entry));
	memcpy(e + sizeof(entry), entry, sizeof(entry));
	assert_int_equal(kzt_diskcache_decode(b, build(b, e, 2 * sizeof(entry), 2, 1), serial, t, &c), KZT_ERR_PARSE);
	{
		/* a blob of 2 bytes that is no attribute list */
		static const uint8_t bad_blob[] = {0x00, 0x10, KZT_CLASS_DATA, 0, 0, 0, 0, 0, 0, 2, 0, 0xFF, 0xFF};
		assert_int_equal(kzt_diskcache_decode(b, build(b, bad_blob, sizeof(bad_blob), 1, 1), serial, t, &c),
				 KZT_ERR_PARSE);
	}
	assert_null(c.list);
	assert_int_equal(c.valid, 0);
	kzt_slot_release(kzt_mod.slots[0]);
	kzt_objcache_forget(&c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
			test_a_second_start_takes_public_objects_and_values_from_the_cache_and_asks_the_card_twice,
			cache_setup, cache_teardown),
		cmocka_unit_test_setup_teardown(test_the_cache_file_holds_nothing_private, cache_setup,
						cache_teardown),
		cmocka_unit_test_setup_teardown(test_an_ec_public_keys_point_comes_from_the_cache, cache_setup,
						cache_teardown),
		cmocka_unit_test_setup_teardown(test_a_change_by_another_application_drops_the_cache, cache_setup,
						cache_teardown),
		cmocka_unit_test_setup_teardown(test_a_damaged_cache_file_is_not_believed, cache_setup,
						cache_teardown),
		cmocka_unit_test_setup_teardown(test_a_file_the_card_does_not_confirm_gives_no_value, cache_setup,
						cache_teardown),
		cmocka_unit_test_setup_teardown(test_a_well_formed_file_decodes_to_its_listing, cache_setup,
						cache_teardown),
		cmocka_unit_test_setup_teardown(test_a_malformed_file_is_refused_whole, cache_setup, cache_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
