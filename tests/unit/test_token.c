/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* The token driver against the in-process applet, and against malformed cards. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "card.h"
#include "kzt_err.h"
#include "loopback.h"
#include "token.h"

typedef struct fixture {
	kzt_card card;
	loopback lb;
	kzt_transport *tr;
	kzt_token *tok;
} fixture;

static int
setup(void **state)
{
	fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	assert_int_equal(kzt_card_open(&f->card, NULL, NULL, 0), KZT_OK);
	f->lb.card = &f->card;
	f->lb.present = 1;
	f->tr = loopback_transport(&f->lb);
	assert_int_equal(kzt_token_open(f->tr, &f->tok), KZT_OK);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	fixture *f = *state;

	kzt_token_free(&f->tok);
	assert_null(f->tok);
	kzt_transport_free(&f->tr);
	kzt_card_close(&f->card);
	free(f);
	return 0;
}

#define PIN(s) (const uint8_t *)(s), strlen(s)

static void
test_open_reads_the_card_info(void **state)
{
	fixture *f = *state;
	const kzt_card_info *ci = kzt_token_card_info(f->tok);

	assert_memory_equal(ci->serial, f->card.st.serial, KZT_SERIAL_LEN);
	assert_int_equal(ci->version_major, 1);
	assert_true(ci->capabilities & KZT_CAP_EXTENDED_LENGTH);
	assert_int_equal(ci->max_command, KZT_CARD_MAX_DATA);
}

static void
test_state_shows_defaults_and_counters(void **state)
{
	fixture *f = *state;
	kzt_token_state st;

	assert_int_equal(kzt_token_verify(f->tok, KZT_ROLE_USER, PIN("11111111")),
			 KZT_ERR_PIN_INCORRECT);
	assert_int_equal(kzt_token_read_state(f->tok, &st), KZT_OK);
	assert_int_equal(st.label_len, 0);
	assert_int_equal(st.user.tries_left, 9);
	assert_int_equal(st.user.max_tries, 10);
	assert_int_equal(st.user.min_len, 6);
	assert_true(st.user.is_default);
	assert_true(st.admin.is_default);
	assert_int_equal(st.policy, KZT_POLICY_BOTH);
	assert_int_equal(st.mem_total, KZT_DEFAULT_CAPACITY);
}

static void
test_one_apdu_per_login(void **state)
{
	fixture *f = *state;
	unsigned before = f->lb.apdus;

	assert_int_equal(kzt_token_verify(f->tok, KZT_ROLE_USER, PIN("12345678")), KZT_OK);
	assert_int_equal(f->lb.apdus - before, 1);
}

static void
test_pin_lifecycle_through_the_driver(void **state)
{
	fixture *f = *state;
	kzt_token_state st;
	int i;

	assert_int_equal(kzt_token_change_pin(f->tok, KZT_ROLE_USER, PIN("12345678"), PIN("123")),
			 KZT_ERR_PIN_LEN);
	assert_int_equal(kzt_token_change_pin(f->tok, KZT_ROLE_USER, PIN("12345678"), PIN("qwerty12")),
			 KZT_OK);
	assert_int_equal(kzt_token_read_state(f->tok, &st), KZT_OK);
	assert_false(st.user.is_default);
	for (i = 0; i < 9; i++)
		assert_int_equal(kzt_token_verify(f->tok, KZT_ROLE_USER, PIN("00000000")),
				 KZT_ERR_PIN_INCORRECT);
	assert_int_equal(kzt_token_verify(f->tok, KZT_ROLE_USER, PIN("00000000")),
			 KZT_ERR_PIN_LOCKED);
	assert_int_equal(kzt_token_reset_user_pin(f->tok, NULL, 0), KZT_ERR_NOT_AUTH);
	assert_int_equal(kzt_token_verify(f->tok, KZT_ROLE_ADMIN, PIN("87654321")), KZT_OK);
	assert_int_equal(kzt_token_reset_user_pin(f->tok, NULL, 0), KZT_OK);
	assert_int_equal(kzt_token_verify(f->tok, KZT_ROLE_USER, PIN("qwerty12")), KZT_OK);
	assert_int_equal(kzt_token_reset_user_pin(f->tok, PIN("55555555")), KZT_OK);
	assert_int_equal(kzt_token_verify(f->tok, KZT_ROLE_USER, PIN("55555555")), KZT_OK);
	assert_int_equal(kzt_token_logout(f->tok, KZT_ROLE_ADMIN), KZT_OK);
	assert_int_equal(kzt_token_reset_user_pin(f->tok, NULL, 0), KZT_ERR_NOT_AUTH);
}

static void
test_policy_refusal_is_its_own_status(void **state)
{
	fixture *f = *state;

	f->card.st.policy = KZT_POLICY_ADMIN;
	assert_int_equal(kzt_token_change_pin(f->tok, KZT_ROLE_USER, PIN("12345678"), PIN("24682468")),
			 KZT_ERR_POLICY);
}

static void
test_format_sets_label_and_restores_default_user_pin(void **state)
{
	fixture *f = *state;
	kzt_format_params p;
	kzt_token_state st;

	assert_int_equal(kzt_token_change_pin(f->tok, KZT_ROLE_USER, PIN("12345678"), PIN("qwerty12")),
			 KZT_OK);
	memset(&p, 0, sizeof(p));
	p.label = (const uint8_t *)"NCA keys";
	p.label_len = 8;
	assert_int_equal(kzt_token_format(f->tok, &p), KZT_ERR_NOT_AUTH);
	assert_int_equal(kzt_token_verify(f->tok, KZT_ROLE_ADMIN, PIN("87654321")), KZT_OK);
	assert_int_equal(kzt_token_format(f->tok, &p), KZT_OK);
	assert_int_equal(kzt_token_read_state(f->tok, &st), KZT_OK);
	assert_int_equal(st.label_len, 8);
	assert_memory_equal(st.label, "NCA keys", 8);
	assert_true(st.user.is_default);
	assert_int_equal(kzt_token_verify(f->tok, KZT_ROLE_USER, PIN("12345678")), KZT_OK);
}

static void
test_removed_card_is_reported_as_such(void **state)
{
	fixture *f = *state;
	kzt_token_state st;

	f->lb.present = 0;
	assert_int_equal(kzt_token_read_state(f->tok, &st), KZT_ERR_NO_CARD);
	assert_int_equal(kzt_token_verify(f->tok, KZT_ROLE_USER, PIN("12345678")), KZT_ERR_NO_CARD);
}

static void
test_malformed_card_answers_are_errors_not_crashes(void **state)
{
	fixture *f = *state;
	static const uint8_t junk_state[] = {0xE1, 0x05, 0x81, 0x40, 0x00, 0x90, 0x00, 0x90, 0x00};
	static const uint8_t too_short[] = {0x90};
	static const uint8_t empty_ok[] = {0x90, 0x00};
	static const uint8_t weird_sw[] = {0x6F, 0x12};
	static const uint8_t bad_tries[] = {0xE1, 0x03, 0xA1, 0x01, 0x00, 0x90, 0x00};
	kzt_token_state st;
	kzt_token *t2;

	f->lb.canned = junk_state;
	f->lb.canned_len = sizeof(junk_state);
	assert_int_equal(kzt_token_read_state(f->tok, &st), KZT_ERR_CARD);
	f->lb.canned = too_short;
	f->lb.canned_len = sizeof(too_short);
	assert_int_equal(kzt_token_read_state(f->tok, &st), KZT_ERR_PARSE);
	f->lb.canned = empty_ok;
	f->lb.canned_len = sizeof(empty_ok);
	assert_int_equal(kzt_token_read_state(f->tok, &st), KZT_ERR_CARD);
	f->lb.canned = bad_tries;
	f->lb.canned_len = sizeof(bad_tries);
	assert_int_equal(kzt_token_read_state(f->tok, &st), KZT_ERR_CARD);
	f->lb.canned = weird_sw;
	f->lb.canned_len = sizeof(weird_sw);
	assert_int_equal(kzt_token_verify(f->tok, KZT_ROLE_USER, PIN("12345678")), KZT_ERR_CARD);
	/* A card whose SELECT answer is not our FCI is no KAZTOKEN we can use. */
	f->lb.canned = empty_ok;
	f->lb.canned_len = sizeof(empty_ok);
	assert_int_equal(kzt_token_open(f->tr, &t2), KZT_ERR_CARD);
	assert_null(t2);
}

static void
test_card_with_foreign_atr_is_not_a_kaztoken(void **state)
{
	fixture *f = *state;
	static const uint8_t other_atr[] = {0x3B, 0x8F, 0x80, 0x01, 0x80, 0x4F, 0x0C};
	kzt_token *t2;

	f->lb.atr = other_atr;
	f->lb.atr_len = sizeof(other_atr);
	assert_int_equal(kzt_token_open(f->tr, &t2), KZT_ERR_NOT_FOUND);
	f->lb.atr = NULL;
	f->lb.present = 0;
	assert_int_equal(kzt_token_open(f->tr, &t2), KZT_ERR_NO_CARD);
}

static void
test_every_status_word_maps_somewhere(void **state)
{
	(void)state;
	assert_int_equal(kzt_token_status_from_sw(0x9000), KZT_OK);
	assert_int_equal(kzt_token_status_from_sw(0x63C3), KZT_ERR_PIN_INCORRECT);
	assert_int_equal(kzt_token_status_from_sw(0x63C0), KZT_ERR_PIN_LOCKED);
	assert_int_equal(kzt_token_status_from_sw(0x6983), KZT_ERR_PIN_LOCKED);
	assert_int_equal(kzt_token_status_from_sw(0x6982), KZT_ERR_NOT_AUTH);
	assert_int_equal(kzt_token_status_from_sw(0x6986), KZT_ERR_POLICY);
	assert_int_equal(kzt_token_status_from_sw(0x6A84), KZT_ERR_NO_SPACE);
	assert_int_equal(kzt_token_status_from_sw(0x6D00), KZT_ERR_NOT_SUPPORTED);
	assert_int_equal(kzt_token_status_from_sw(0x1234), KZT_ERR_CARD);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_open_reads_the_card_info, setup, teardown),
		cmocka_unit_test_setup_teardown(test_state_shows_defaults_and_counters, setup, teardown),
		cmocka_unit_test_setup_teardown(test_one_apdu_per_login, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pin_lifecycle_through_the_driver, setup, teardown),
		cmocka_unit_test_setup_teardown(test_policy_refusal_is_its_own_status, setup, teardown),
		cmocka_unit_test_setup_teardown(test_format_sets_label_and_restores_default_user_pin, setup, teardown),
		cmocka_unit_test_setup_teardown(test_removed_card_is_reported_as_such, setup, teardown),
		cmocka_unit_test_setup_teardown(test_malformed_card_answers_are_errors_not_crashes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_card_with_foreign_atr_is_not_a_kaztoken, setup, teardown),
		cmocka_unit_test(test_every_status_word_maps_somewhere),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
