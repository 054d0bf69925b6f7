/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* Object search and reading against the in-process card: what a session may see
 * follows this module's login, never what the card happens to list. */
#include "clock.h"
#include "internal.h"
#include "p11_fixture.h"

static CK_BBOOL yes = CK_TRUE;
static CK_ATTRIBUTE private_only[] = {{CKA_PRIVATE, &yes, sizeof(yes)}};

static void
test_private_objects_stay_hidden_when_another_application_verified_the_card(void **state)
{
	fixture *f = *state;
	CK_SESSION_HANDLE h = p11_user(f), pub;
	CK_OBJECT_HANDLE secret = p11_data(f, h, 1, "secret");
	CK_BYTE buf[16];
	CK_ATTRIBUTE value = {CKA_VALUE, buf, sizeof(buf)};

	p11_data(f, h, 0, "public");
	assert_int_equal(f->p->C_CloseSession(h), CKR_OK);
	/* the card is verified for the user by someone else (one card shared through
	 * PC/SC): it lists its private objects, yet this module never logged in */
	f->lb.session.user_verified = 1;
	pub = open_session(f, 0);
	assert_int_equal(p11_state(f, pub), CKS_RO_PUBLIC_SESSION);
	assert_int_equal(p11_count(f, pub, private_only, 1), 0);
	assert_int_equal(p11_count(f, pub, NULL, 0), 1);
	assert_int_equal(f->p->C_GetAttributeValue(pub, secret, &value, 1), CKR_OBJECT_HANDLE_INVALID);
}

static void
test_private_objects_seen_while_logged_in_are_gone_after_the_last_session_closes(void **state)
{
	fixture *f = *state;
	CK_SESSION_HANDLE h = p11_user(f);
	CK_OBJECT_HANDLE secret = p11_data(f, h, 1, "secret");
	CK_BYTE buf[16];
	CK_ATTRIBUTE value = {CKA_VALUE, buf, sizeof(buf)};

	assert_int_equal(p11_count(f, h, private_only, 1), 1);
	assert_int_equal(f->p->C_GetAttributeValue(h, secret, &value, 1), CKR_OK);
	assert_int_equal(f->p->C_CloseSession(h), CKR_OK);
	h = open_session(f, 0);
	assert_int_equal(p11_count(f, h, private_only, 1), 0);
	value.ulValueLen = sizeof(buf);
	assert_int_equal(f->p->C_GetAttributeValue(h, secret, &value, 1), CKR_OBJECT_HANDLE_INVALID);
	/* and back with the login, under the same handle */
	assert_int_equal(f->p->C_Login(h, CKU_USER, PIN(USER_PIN)), CKR_OK);
	value.ulValueLen = sizeof(buf);
	assert_int_equal(f->p->C_GetAttributeValue(h, secret, &value, 1), CKR_OK);
	assert_memory_equal(buf, "secret", 6);
}

static void
test_a_template_value_that_is_null_with_a_length_is_refused(void **state)
{
	fixture *f = *state;
	CK_SESSION_HANDLE h = p11_user(f);
	CK_OBJECT_HANDLE o = p11_data(f, h, 0, "x"), copy;
	CK_ATTRIBUTE bad[] = {{CKA_CLASS, NULL, sizeof(CK_ULONG)}};
	CK_MECHANISM gen = {CKM_RSA_PKCS_KEY_PAIR_GEN, NULL, 0};
	CK_OBJECT_HANDLE a, b;

	assert_int_equal(f->p->C_FindObjectsInit(h, bad, 1), CKR_ARGUMENTS_BAD);
	assert_int_equal(f->p->C_CreateObject(h, bad, 1, &copy), CKR_ARGUMENTS_BAD);
	assert_int_equal(f->p->C_SetAttributeValue(h, o, bad, 1), CKR_ARGUMENTS_BAD);
	assert_int_equal(f->p->C_CopyObject(h, o, bad, 1, &copy), CKR_ARGUMENTS_BAD);
	assert_int_equal(f->p->C_GenerateKeyPair(h, &gen, bad, 1, NULL, 0, &a, &b), CKR_ARGUMENTS_BAD);
	/* the search was never started: a new one may begin */
	assert_int_equal(p11_count(f, h, NULL, 0), 1);
}

static void
test_a_search_keeps_its_snapshot_until_it_ends(void **state)
{
	fixture *f = *state;
	CK_SESSION_HANDLE h = p11_user(f);
	CK_OBJECT_HANDLE found[4];
	CK_ULONG n = 0;

	p11_data(f, h, 0, "one");
	p11_data(f, h, 0, "two");
	assert_int_equal(f->p->C_FindObjectsInit(h, NULL, 0), CKR_OK);
	assert_int_equal(f->p->C_FindObjectsInit(h, NULL, 0), CKR_OPERATION_ACTIVE);
	assert_int_equal(f->p->C_FindObjects(h, found, 1, &n), CKR_OK);
	assert_int_equal(n, 1);
	p11_data(f, h, 0, "three");
	assert_int_equal(f->p->C_FindObjects(h, found, 4, &n), CKR_OK);
	assert_int_equal(n, 1);
	assert_int_equal(f->p->C_FindObjectsFinal(h), CKR_OK);
	assert_int_equal(f->p->C_FindObjects(h, found, 4, &n), CKR_OPERATION_NOT_INITIALIZED);
	assert_int_equal(f->p->C_FindObjectsFinal(h), CKR_OPERATION_NOT_INITIALIZED);
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
	before = card_apdus(f);
	assert_int_equal(find_by_label(f, h, "obj-4", NULL), 1);
	assert_int_equal(card_apdus(f) - before, 1); /* the change counter, nothing more */
	/* a change by someone else is seen */
	before = card_apdus(f);
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
		before = card_apdus(f);
		t[0].ulValueLen = sizeof(v);
		assert_int_equal(f->p->C_GetAttributeValue(h, o, t, 1), CKR_OK);
		/* no READ again, and no counter: the card confirmed the listing just now */
		assert_int_equal(card_apdus(f) - before, 0);
	}
}

/* Another application deletes the card's newest object (its change counter moves). */
static void
delete_behind_the_modules_back(fixture *f)
{
	kzt_card_state *st = &f->card.st;

	assert_true(st->nobjects >= 1);
	kzt_card_object_clear(&st->objects[st->nobjects - 1]);
	st->nobjects--;
	st->change_counter++;
}

static void
test_a_burst_of_calls_after_a_search_asks_the_card_once_and_a_later_one_sees_changes(void **state)
{
	fixture *f = *state;
	CK_SESSION_HANDLE h = p11_user(f);
	CK_OBJECT_HANDLE first = p11_data(f, h, 0, "a1"), last, found[4];
	CK_BYTE v[8];
	CK_ATTRIBUTE t[] = {{CKA_VALUE, v, sizeof(v)}};
	CK_ULONG n;
	unsigned long before;
	int i;

	last = p11_data(f, h, 0, "b2");
	/* the search asks once; of the reads of what it found, the first reads the
	 * value and the nine after it ask nothing */
	before = card_apdus(f);
	assert_int_equal(p11_count(f, h, NULL, 0), 2);
	assert_int_equal(card_apdus(f) - before, 1);
	for (i = 0; i < 10; i++) {
		t[0].ulValueLen = sizeof(v);
		assert_int_equal(f->p->C_GetAttributeValue(h, first, t, 1), CKR_OK);
	}
	assert_int_equal(card_apdus(f) - before, 2);
	/* another application deletes the last object: the next search sees it at once */
	delete_behind_the_modules_back(f); /* last */
	assert_int_equal(p11_count(f, h, NULL, 0), 1);
	t[0].ulValueLen = sizeof(v);
	assert_int_equal(f->p->C_GetAttributeValue(h, last, t, 1), CKR_OBJECT_HANDLE_INVALID);
	/* ...and so does any call once the burst is over */
	assert_int_equal(f->p->C_FindObjectsInit(h, NULL, 0), CKR_OK);
	assert_int_equal(f->p->C_FindObjects(h, found, 4, &n), CKR_OK);
	assert_int_equal(f->p->C_FindObjectsFinal(h), CKR_OK);
	assert_int_equal(n, 1);
	delete_behind_the_modules_back(f); /* first */
	kzt_os_sleep_ms(KZT_OBJECTS_BURST_MS + 50);
	t[0].ulValueLen = sizeof(v);
	assert_int_equal(f->p->C_GetAttributeValue(h, first, t, 1), CKR_OBJECT_HANDLE_INVALID);
}

static void
test_the_values_of_what_a_search_found_come_in_one_read_values(void **state)
{
	fixture *f = *state;
	CK_SESSION_HANDLE h = p11_user(f);
	CK_OBJECT_HANDLE o[10], big[2];
	char value[700];
	static char huge[KZT_LOAD_TOGETHER_MAX_VALUE + 1000];
	CK_BYTE back[sizeof(huge)];
	CK_ATTRIBUTE t[] = {{CKA_VALUE, back, sizeof(back)}};
	unsigned long before;
	int i;

	for (i = 0; i < 10; i++) {
		memset(value, 'a' + i, sizeof(value) - 1);
		value[sizeof(value) - 1] = '\0';
		o[i] = p11_data(f, h, 0, value);
	}
	assert_int_equal(p11_count(f, h, NULL, 0), 10);
	/* the first value read brings the other nine along: one APDU for ten */
	before = card_apdus(f);
	for (i = 0; i < 10; i++) {
		t[0].ulValueLen = sizeof(back);
		assert_int_equal(f->p->C_GetAttributeValue(h, o[i], t, 1), CKR_OK);
		assert_int_equal(t[0].ulValueLen, sizeof(value) - 1);
		assert_int_equal(back[0], 'a' + i);
	}
	assert_int_equal(card_apdus(f) - before, 1);
	/* values above KZT_LOAD_TOGETHER_MAX_VALUE are read when asked for, each alone */
	memset(huge, 'y', sizeof(huge) - 1);
	big[0] = p11_data(f, h, 0, huge);
	memset(huge, 'z', sizeof(huge) - 1);
	big[1] = p11_data(f, h, 0, huge);
	assert_int_equal(p11_count(f, h, NULL, 0), 12);
	for (i = 0; i < 2; i++) {
		before = card_apdus(f);
		t[0].ulValueLen = sizeof(back);
		assert_int_equal(f->p->C_GetAttributeValue(h, big[i], t, 1), CKR_OK);
		assert_int_equal(t[0].ulValueLen, sizeof(huge) - 1);
		assert_int_equal(back[sizeof(huge) - 2], 'y' + i);
		assert_int_equal(card_apdus(f) - before, 1);
	}
}

/* The token state C_GetTokenInfo reads stands for the card's word on the objects
 * only for a search right after it, never for a call that writes from what it
 * holds: a copy asks the card for its change counter first. */
static void
test_a_copy_right_after_the_token_info_still_asks_the_card(void **state)
{
	fixture *f = *state;
	CK_SESSION_HANDLE h = p11_user(f);
	CK_OBJECT_HANDLE o = p11_data(f, h, 0, "v"), copy;
	CK_BYTE v[8];
	CK_ATTRIBUTE value = {CKA_VALUE, v, sizeof(v)};
	CK_TOKEN_INFO ti;
	unsigned long before;

	assert_int_equal(p11_count(f, h, NULL, 0), 1);
	assert_int_equal(f->p->C_GetAttributeValue(h, o, &value, 1), CKR_OK); /* (its value in hand) */
	assert_int_equal(f->p->C_GetTokenInfo(0, &ti), CKR_OK);
	delete_behind_the_modules_back(f); /* o, by another application, just after */
	assert_int_equal(f->p->C_CopyObject(h, o, NULL, 0, &copy), CKR_OBJECT_HANDLE_INVALID);
	assert_int_equal(f->card.st.nobjects, 0); /* nothing made from what the card no longer has */
	/* a search right after the token info does take its counter */
	p11_data(f, h, 0, "w");
	assert_int_equal(p11_count(f, h, NULL, 0), 1);
	assert_int_equal(f->p->C_GetTokenInfo(0, &ti), CKR_OK);
	before = card_apdus(f);
	assert_int_equal(p11_count(f, h, NULL, 0), 1);
	assert_int_equal(card_apdus(f) - before, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_a_copy_right_after_the_token_info_still_asks_the_card, p11_setup,
						teardown),
		cmocka_unit_test_setup_teardown(
			test_private_objects_stay_hidden_when_another_application_verified_the_card, p11_setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_private_objects_seen_while_logged_in_are_gone_after_the_last_session_closes,
			p11_setup, teardown),
		cmocka_unit_test_setup_teardown(test_a_template_value_that_is_null_with_a_length_is_refused,
						p11_setup, teardown),
		cmocka_unit_test_setup_teardown(test_a_search_keeps_its_snapshot_until_it_ends, p11_setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_find_objects_keeps_its_operation_state, setup, teardown),
		cmocka_unit_test_setup_teardown(test_repeated_search_costs_one_apdu, setup, teardown),
		cmocka_unit_test_setup_teardown(test_the_values_of_what_a_search_found_come_in_one_read_values,
						p11_setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_a_burst_of_calls_after_a_search_asks_the_card_once_and_a_later_one_sees_changes,
			p11_setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
