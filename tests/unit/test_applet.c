/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* The virtual card's applet, driven with raw APDUs in-process. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "apdu.h"
#include "card_fixture.h"
#include "kzt_err.h"
#include "tlv.h"

static void
test_select_returns_fci_with_serial_and_limits(void **state)
{
	fixture *f = *state;
	kzt_tlv fci, prop, t;

	assert_int_equal(select_applet(f), KZT_SW_OK);
	assert_int_equal(kzt_tlv_find(f->resp, f->len, KZT_TAG_FCI, &fci), KZT_OK);
	assert_int_equal(kzt_tlv_find(fci.val, fci.len, KZT_TAG_FCI_PROP, &prop), KZT_OK);
	assert_int_equal(kzt_tlv_find(prop.val, prop.len, KZT_TAG_SERIAL, &t), KZT_OK);
	assert_memory_equal(t.val, f->card.st.serial, KZT_SERIAL_LEN);
	assert_int_equal(kzt_tlv_find(prop.val, prop.len, KZT_TAG_MAX_COMMAND, &t), KZT_OK);
}

static void
test_select_again_keeps_the_verification(void **state)
{
	fixture *f = *state;

	assert_int_equal(verify(f, KZT_PIN_USER, "12345678"), KZT_SW_OK);
	assert_int_equal(select_applet(f), KZT_SW_OK); /* another application opens the token */
	assert_int_equal(verify(f, KZT_PIN_USER, NULL), KZT_SW_OK);
	kzt_card_session_reset(&f->s); /* a reset does end it */
	assert_int_equal(select_applet(f), KZT_SW_OK);
	assert_int_not_equal(verify(f, KZT_PIN_USER, NULL), KZT_SW_OK);
}

static void
test_commands_before_select_are_refused(void **state)
{
	fixture *f = *state;
	static const uint8_t wrong_aid[] = {0xA0, 0, 0, 0, 0x03, 0x08};

	kzt_card_session_reset(&f->s);
	assert_int_equal(verify(f, KZT_PIN_USER, "12345678"), KZT_SW_CONDITIONS);
	assert_int_equal(cmd(f, 0, KZT_INS_SELECT, 4, 0, wrong_aid, sizeof(wrong_aid), 0),
			 KZT_SW_NOT_FOUND);
	assert_int_equal(verify(f, KZT_PIN_USER, "12345678"), KZT_SW_CONDITIONS);
}

static void
test_malformed_and_unknown_commands_get_status_words(void **state)
{
	fixture *f = *state;
	static const uint8_t truncated[] = {0x00, 0x20, 0x00, 0x81, 0x08, '1', '2'};

	assert_int_equal(xfer(f, truncated, sizeof(truncated)), KZT_SW_WRONG_LENGTH);
	assert_int_equal(xfer(f, truncated, 2), KZT_SW_WRONG_LENGTH);
	assert_int_equal(cmd(f, 0x00, 0x99, 0, 0, NULL, 0, 0), KZT_SW_INS_UNSUPPORTED);
	assert_int_equal(cmd(f, 0x40, KZT_INS_VERIFY, 0, 0x81, NULL, 0, 0), KZT_SW_CLA_UNSUPPORTED);
	assert_int_equal(verify(f, 0x85, "12345678"), KZT_SW_REF_NOT_FOUND);
	assert_int_equal(cmd(f, 0x00, KZT_INS_GET_DATA, 0x01, 0x02, NULL, 0, 256),
			 KZT_SW_REF_NOT_FOUND);
	/* GET RESPONSE with nothing pending */
	assert_int_equal(cmd(f, 0x00, KZT_INS_GET_RESPONSE, 0, 0, NULL, 0, 16), KZT_SW_CONDITIONS);
}

static void
test_pin_verifies_and_wrong_pin_counts_down(void **state)
{
	fixture *f = *state;

	assert_int_equal(verify(f, KZT_PIN_USER, NULL), 0x63CA); /* status: 10 tries */
	assert_int_equal(verify(f, KZT_PIN_USER, "11111111"), 0x63C9);
	assert_int_equal(verify(f, KZT_PIN_USER, NULL), 0x63C9); /* the query costs nothing */
	assert_int_equal(verify(f, KZT_PIN_USER, "1234567"), 0x63C8); /* a prefix is wrong */
	assert_int_equal(verify(f, KZT_PIN_USER, "123456789"), 0x63C7); /* so is an extension */
	assert_int_equal(verify(f, KZT_PIN_USER, "12345678"), KZT_SW_OK);
	assert_int_equal(f->card.st.user.tries_left, 10);
	assert_int_equal(verify(f, KZT_PIN_USER, NULL), KZT_SW_OK); /* verified */
	assert_int_equal(cmd(f, 0, KZT_INS_VERIFY, 0xFF, KZT_PIN_USER, NULL, 0, 0), KZT_SW_OK);
	assert_int_equal(verify(f, KZT_PIN_USER, NULL), 0x63CA); /* logged out */
}

static void
test_pin_locks_after_ten_wrong_tries(void **state)
{
	fixture *f = *state;
	int i;

	for (i = 9; i >= 1; i--)
		assert_int_equal(verify(f, KZT_PIN_USER, "00000000"), 0x63C0 | i);
	assert_int_equal(verify(f, KZT_PIN_USER, "00000000"), KZT_SW_PIN_BLOCKED);
	assert_int_equal(verify(f, KZT_PIN_USER, "12345678"), KZT_SW_PIN_BLOCKED);
	assert_int_equal(verify(f, KZT_PIN_USER, NULL), KZT_SW_PIN_BLOCKED);
	/* The admin PIN is a separate counter. */
	assert_int_equal(verify(f, KZT_PIN_ADMIN, "87654321"), KZT_SW_OK);
}

static void
test_try_is_persisted_before_the_pin_is_compared(void **state)
{
	fixture *f = *state;

	/* If the decrement cannot be committed, the PIN must not even be looked at:
	 * the right PIN then still fails and no try is lost. */
	f->card.fail_commits = 1;
	assert_int_equal(verify(f, KZT_PIN_USER, "12345678"), KZT_SW_MEMORY_FAILURE);
	assert_int_equal(f->card.st.user.tries_left, 10);
	assert_int_equal(verify(f, KZT_PIN_USER, NULL), 0x63CA); /* not verified */
	/* If the restore after a match cannot be committed, the try stays spent and
	 * the login is refused: the card never claims a state it could not store. */
	f->card.pass_commits = 1;
	f->card.fail_commits = 1;
	assert_int_equal(verify(f, KZT_PIN_USER, "12345678"), KZT_SW_MEMORY_FAILURE);
	assert_int_equal(f->card.st.user.tries_left, 9);
	assert_int_equal(verify(f, KZT_PIN_USER, NULL), 0x63C9);
}

static void
test_change_pin_needs_old_pin_and_respects_length(void **state)
{
	fixture *f = *state;
	uint8_t data[64];
	kzt_buf b;

	kzt_buf_init(&b, data, sizeof(data));
	kzt_tlv_put(&b, KZT_TAG_OLD_PIN, "12345678", 8);
	kzt_tlv_put(&b, KZT_TAG_NEW_PIN, "123", 3);
	/* A new PIN below the minimum is refused before any try is spent. */
	assert_int_equal(cmd(f, 0, KZT_INS_CHANGE_REFERENCE_DATA, 0, KZT_PIN_USER, data, b.len, 0),
			 KZT_SW_WRONG_DATA);
	assert_int_equal(f->card.st.user.tries_left, 10);

	kzt_buf_init(&b, data, sizeof(data));
	kzt_tlv_put(&b, KZT_TAG_OLD_PIN, "99999999", 8);
	kzt_tlv_put(&b, KZT_TAG_NEW_PIN, "246810", 6);
	assert_int_equal(cmd(f, 0, KZT_INS_CHANGE_REFERENCE_DATA, 0, KZT_PIN_USER, data, b.len, 0),
			 0x63C9);

	kzt_buf_init(&b, data, sizeof(data));
	kzt_tlv_put(&b, KZT_TAG_OLD_PIN, "12345678", 8);
	kzt_tlv_put(&b, KZT_TAG_NEW_PIN, "246810", 6);
	assert_int_equal(cmd(f, 0, KZT_INS_CHANGE_REFERENCE_DATA, 0, KZT_PIN_USER, data, b.len, 0),
			 KZT_SW_OK);
	assert_int_equal(verify(f, KZT_PIN_USER, "12345678"), 0x63C9);
	assert_int_equal(verify(f, KZT_PIN_USER, "246810"), KZT_SW_OK);
	/* Malformed data field */
	assert_int_equal(cmd(f, 0, KZT_INS_CHANGE_REFERENCE_DATA, 0, KZT_PIN_USER, "\x81\x05", 2, 0),
			 KZT_SW_WRONG_DATA);
}

static void
test_user_cannot_change_pin_when_policy_says_admin_only(void **state)
{
	fixture *f = *state;
	uint8_t data[64];
	kzt_buf b;

	f->card.st.policy = KZT_POLICY_ADMIN;
	kzt_buf_init(&b, data, sizeof(data));
	kzt_tlv_put(&b, KZT_TAG_OLD_PIN, "12345678", 8);
	kzt_tlv_put(&b, KZT_TAG_NEW_PIN, "24681012", 8);
	assert_int_equal(cmd(f, 0, KZT_INS_CHANGE_REFERENCE_DATA, 0, KZT_PIN_USER, data, b.len, 0),
			 KZT_SW_NOT_ALLOWED);
	/* ...but the admin may set it */
	assert_int_equal(verify(f, KZT_PIN_ADMIN, "87654321"), KZT_SW_OK);
	assert_int_equal(cmd(f, 0, KZT_INS_RESET_RETRY_COUNTER, KZT_P1_RESET_NEW_PIN, KZT_PIN_USER,
			     "24681012", 8, 0),
			 KZT_SW_OK);
	/* and with policy "user only", the admin may not */
	f->card.st.policy = KZT_POLICY_USER;
	assert_int_equal(cmd(f, 0, KZT_INS_RESET_RETRY_COUNTER, KZT_P1_RESET_NEW_PIN, KZT_PIN_USER,
			     "13579111", 8, 0),
			 KZT_SW_NOT_ALLOWED);
	assert_int_equal(verify(f, KZT_PIN_USER, "24681012"), KZT_SW_OK);
}

static void
test_admin_unblocks_user_pin_keeping_it(void **state)
{
	fixture *f = *state;
	int i;

	for (i = 0; i < 10; i++)
		verify(f, KZT_PIN_USER, "00000000");
	assert_int_equal(verify(f, KZT_PIN_USER, NULL), KZT_SW_PIN_BLOCKED);
	assert_int_equal(cmd(f, 0, KZT_INS_RESET_RETRY_COUNTER, KZT_P1_RESET_ONLY, KZT_PIN_USER,
			     NULL, 0, 0),
			 KZT_SW_SECURITY_STATUS); /* admin not verified */
	assert_int_equal(verify(f, KZT_PIN_ADMIN, "87654321"), KZT_SW_OK);
	assert_int_equal(cmd(f, 0, KZT_INS_RESET_RETRY_COUNTER, KZT_P1_RESET_ONLY, KZT_PIN_USER,
			     NULL, 0, 0),
			 KZT_SW_OK);
	assert_int_equal(verify(f, KZT_PIN_USER, "12345678"), KZT_SW_OK);
	/* a new PIN shorter than the minimum is refused */
	assert_int_equal(cmd(f, 0, KZT_INS_RESET_RETRY_COUNTER, KZT_P1_RESET_NEW_PIN, KZT_PIN_USER,
			     "123", 3, 0),
			 KZT_SW_WRONG_DATA);
	/* the admin PIN cannot be reset */
	assert_int_equal(cmd(f, 0, KZT_INS_RESET_RETRY_COUNTER, KZT_P1_RESET_ONLY, KZT_PIN_ADMIN,
			     NULL, 0, 0),
			 KZT_SW_REF_NOT_FOUND);
}

static void
test_format_resets_state_and_logs_everyone_out(void **state)
{
	fixture *f = *state;
	kzt_card_session other;
	uint8_t data[64], resp[KZT_CARD_MAX_DATA + 2];
	uint32_t counter = f->card.st.change_counter;
	static const uint8_t aid[] = KZT_AID;
	uint8_t sel[5 + sizeof(aid)] = {0x00, 0xA4, 0x04, 0x00, sizeof(aid)};
	uint8_t query[] = {0x00, 0x20, 0x00, 0x81};
	kzt_buf b;
	size_t rlen;

	/* a second connection, logged in as user */
	memcpy(sel + 5, aid, sizeof(aid));
	kzt_card_session_reset(&other);
	kzt_applet_process(&f->card, &other, sel, sizeof(sel), resp, sizeof(resp), &rlen);
	assert_int_equal(verify(f, KZT_PIN_USER, "11111111"), 0x63C9);

	assert_int_equal(cmd(f, 0x80, KZT_INS_FORMAT, 0, 0, NULL, 0, 0), KZT_SW_SECURITY_STATUS);
	assert_int_equal(verify(f, KZT_PIN_ADMIN, "87654321"), KZT_SW_OK);
	kzt_buf_init(&b, data, sizeof(data));
	kzt_tlv_put(&b, KZT_TAG_FMT_LABEL, "Bank", 4);
	kzt_tlv_put_u8(&b, KZT_TAG_FMT_USER_TRIES, 5);
	kzt_tlv_put_u8(&b, KZT_TAG_FMT_POLICY, KZT_POLICY_USER);
	assert_int_equal(cmd(f, 0x80, KZT_INS_FORMAT, 0, 0, data, b.len, 0), KZT_SW_OK);
	assert_int_equal(f->card.st.label_len, 4);
	assert_int_equal(f->card.st.user.max_tries, 5);
	assert_int_equal(f->card.st.user.tries_left, 5);
	assert_int_equal(f->card.st.policy, KZT_POLICY_USER);
	assert_int_equal(f->card.st.change_counter, counter + 1);
	assert_int_equal(verify(f, KZT_PIN_ADMIN, NULL), 0x63CA); /* logged out */
	kzt_applet_process(&f->card, &other, query, sizeof(query), resp, sizeof(resp), &rlen);
	assert_int_equal(resp[0], 0x63); /* the other connection is logged out too */

	/* Invalid elements are refused and change nothing. */
	assert_int_equal(verify(f, KZT_PIN_ADMIN, "87654321"), KZT_SW_OK);
	kzt_buf_init(&b, data, sizeof(data));
	kzt_tlv_put(&b, KZT_TAG_FMT_LABEL, "x", 1);
	kzt_tlv_put_u8(&b, KZT_TAG_FMT_USER_TRIES, 16);
	assert_int_equal(cmd(f, 0x80, KZT_INS_FORMAT, 0, 0, data, b.len, 0), KZT_SW_WRONG_DATA);
	kzt_buf_init(&b, data, sizeof(data));
	kzt_tlv_put(&b, KZT_TAG_FMT_USER_PIN, "12345", 5); /* below the default minimum 6 */
	assert_int_equal(cmd(f, 0x80, KZT_INS_FORMAT, 0, 0, data, b.len, 0), KZT_SW_WRONG_DATA);
	assert_int_equal(cmd(f, 0x80, KZT_INS_FORMAT, 0, 0, "\x99\x01\x00", 3, 0), KZT_SW_WRONG_DATA);
	assert_int_equal(f->card.st.label_len, 4);
	/* A failed commit leaves the old state in force. */
	f->card.fail_commits = 1;
	assert_int_equal(cmd(f, 0x80, KZT_INS_FORMAT, 0, 0, NULL, 0, 0), KZT_SW_MEMORY_FAILURE);
	assert_int_equal(f->card.st.label_len, 4);
}

static void
test_token_state_reports_pins_and_label(void **state)
{
	fixture *f = *state;
	kzt_tlv outer, pin, t;

	assert_int_equal(verify(f, KZT_PIN_ADMIN, "00000000"), 0x63C9);
	assert_int_equal(cmd(f, 0, KZT_INS_GET_DATA, 0x00, 0xC1, NULL, 0, 256), KZT_SW_OK);
	assert_int_equal(kzt_tlv_find(f->resp, f->len, KZT_TAG_TOKEN_STATE, &outer), KZT_OK);
	assert_int_equal(kzt_tlv_find(outer.val, outer.len, KZT_TAG_LABEL, &t), KZT_OK);
	assert_int_equal(t.len, 0); /* never named */
	assert_int_equal(kzt_tlv_find(outer.val, outer.len, KZT_TAG_PIN_STATUS_ADMIN, &pin), KZT_OK);
	assert_int_equal(kzt_tlv_find(pin.val, pin.len, KZT_TAG_PIN_TRIES_LEFT, &t), KZT_OK);
	assert_int_equal(t.val[0], 9);
	assert_int_equal(kzt_tlv_find(pin.val, pin.len, KZT_TAG_PIN_FLAGS, &t), KZT_OK);
	assert_int_equal(t.val[0], KZT_PINF_DEFAULT);
}

static void
test_long_responses_come_in_parts_through_get_response(void **state)
{
	fixture *f = *state;
	uint8_t first[8];

	/* 200 random bytes asked with Le 200 come whole; a shorter Le yields 61xx. */
	assert_int_equal(cmd(f, 0, KZT_INS_GET_CHALLENGE, 0, 0, NULL, 0, 200), KZT_SW_OK);
	assert_int_equal(f->len, 200);
	assert_int_equal(cmd(f, 0, KZT_INS_GET_DATA, 0x00, 0xC1, NULL, 0, 8) & 0xFF00, 0x6100);
	memcpy(first, f->resp, 8);
	assert_int_equal(f->len, 8);
	assert_int_equal(first[0], KZT_TAG_TOKEN_STATE);
	{
		uint16_t sw = 0x6100;
		size_t total = 8;
		while ((sw & 0xFF00) == 0x6100) {
			sw = cmd(f, 0, KZT_INS_GET_RESPONSE, 0, 0, NULL, 0, 16);
			total += f->len;
		}
		assert_int_equal(sw, KZT_SW_OK);
		assert_true(total > 40);
	}
}

static void
test_chained_verify_is_assembled(void **state)
{
	fixture *f = *state;

	assert_int_equal(cmd(f, 0x10, KZT_INS_VERIFY, 0, KZT_PIN_USER, "1234", 4, 0), KZT_SW_OK);
	assert_int_equal(cmd(f, 0x00, KZT_INS_VERIFY, 0, KZT_PIN_USER, "5678", 4, 0), KZT_SW_OK);
	assert_int_equal(verify(f, KZT_PIN_USER, NULL), KZT_SW_OK);
	/* A chain broken off by another command is refused. */
	assert_int_equal(cmd(f, 0x10, KZT_INS_VERIFY, 0, KZT_PIN_USER, "1234", 4, 0), KZT_SW_OK);
	assert_int_equal(cmd(f, 0x00, KZT_INS_GET_DATA, 0, 0xC2, NULL, 0, 4),
			 KZT_SW_LAST_CHAIN_EXPECTED);
}

/* A second card session on f's card (another connection to the simulator). */
static fixture *
second_session(fixture *f)
{
	fixture *g = calloc(1, sizeof(*g));

	assert_non_null(g);
	g->on = &f->card;
	assert_int_equal(select_applet(g), KZT_SW_OK);
	return g;
}

static uint16_t
channel(fixture *f, uint8_t p1, const uint8_t *ticket, size_t len)
{
	return cmd(f, 0x80, KZT_INS_CHANNEL, p1, 0, ticket, len, 0);
}

static void
test_a_session_that_joins_a_named_one_shares_its_logins_both_ways(void **state)
{
	fixture *f = *state, *g = second_session(f);
	static const uint8_t ticket[KZT_CHANNEL_TICKET_LEN] = "0123456789abcdef";

	assert_int_equal(verify(f, KZT_PIN_USER, "12345678"), KZT_SW_OK);
	assert_int_not_equal(verify(g, KZT_PIN_USER, NULL), KZT_SW_OK); /* a session of its own */
	assert_int_equal(channel(f, KZT_P1_CHANNEL_NAME, ticket, sizeof(ticket)), KZT_SW_OK);
	assert_int_equal(channel(g, KZT_P1_CHANNEL_JOIN, ticket, sizeof(ticket)), KZT_SW_OK);
	assert_int_equal(verify(g, KZT_PIN_USER, NULL), KZT_SW_OK);
	/* a log-out through either is one for both; so is a login */
	assert_int_equal(cmd(g, 0x00, KZT_INS_VERIFY, KZT_P1_LOGOUT, KZT_PIN_USER, NULL, 0, 0), KZT_SW_OK);
	assert_int_not_equal(verify(f, KZT_PIN_USER, NULL), KZT_SW_OK);
	assert_int_equal(verify(g, KZT_PIN_USER, "12345678"), KZT_SW_OK);
	assert_int_equal(verify(f, KZT_PIN_USER, NULL), KZT_SW_OK);
	/* the first session's end leaves the group to the second; its reset logs it out */
	kzt_card_session_end(&f->card, &f->s, 0);
	assert_int_equal(verify(g, KZT_PIN_USER, NULL), KZT_SW_OK);
	assert_non_null(f->card.groups);
	kzt_card_session_end(&f->card, &g->s, 1);
	assert_null(f->card.groups); /* its last session ended: the group is gone */
	/* ...and its name with it */
	assert_int_equal(select_applet(g), KZT_SW_OK);
	assert_int_equal(channel(g, KZT_P1_CHANNEL_JOIN, ticket, sizeof(ticket)), KZT_SW_REF_NOT_FOUND);
	kzt_card_session_end(&f->card, &g->s, 0);
	free(g);
}

static void
test_a_reset_logs_out_every_session_of_the_group(void **state)
{
	fixture *f = *state, *g = second_session(f);
	static const uint8_t ticket[KZT_CHANNEL_TICKET_LEN] = "ticket-of-a-test";

	assert_int_equal(channel(f, KZT_P1_CHANNEL_NAME, ticket, sizeof(ticket)), KZT_SW_OK);
	assert_int_equal(channel(g, KZT_P1_CHANNEL_JOIN, ticket, sizeof(ticket)), KZT_SW_OK);
	assert_int_equal(verify(f, KZT_PIN_USER, "12345678"), KZT_SW_OK);
	kzt_card_session_end(&f->card, &f->s, 1);
	assert_int_not_equal(verify(g, KZT_PIN_USER, NULL), KZT_SW_OK);
	kzt_card_session_end(&f->card, &g->s, 0);
	free(g);
}

static void
test_malformed_channel_commands_get_status_words(void **state)
{
	fixture *f = *state, *g = second_session(f), *h = second_session(f);
	static const uint8_t ticket[KZT_CHANNEL_TICKET_LEN] = "the-right-ticket", wrong[KZT_CHANNEL_TICKET_LEN] = "the-wrong-ticket";

	assert_int_equal(channel(f, KZT_P1_CHANNEL_NAME, ticket, sizeof(ticket) - 1), KZT_SW_WRONG_LENGTH);
	assert_int_equal(channel(f, KZT_P1_CHANNEL_NAME, NULL, 0), KZT_SW_WRONG_LENGTH);
	assert_int_equal(channel(f, 2, ticket, sizeof(ticket)), KZT_SW_WRONG_P1P2);
	assert_int_equal(cmd(f, 0x80, KZT_INS_CHANNEL, 0, 1, ticket, sizeof(ticket), 0), KZT_SW_WRONG_P1P2);
	assert_int_equal(channel(g, KZT_P1_CHANNEL_JOIN, ticket, sizeof(ticket)), KZT_SW_REF_NOT_FOUND);
	assert_int_equal(channel(f, KZT_P1_CHANNEL_NAME, ticket, sizeof(ticket)), KZT_SW_OK);
	assert_int_equal(channel(g, KZT_P1_CHANNEL_JOIN, wrong, sizeof(wrong)), KZT_SW_REF_NOT_FOUND);
	/* a session in a group of its own joins no other */
	assert_int_equal(channel(h, KZT_P1_CHANNEL_NAME, wrong, sizeof(wrong)), KZT_SW_OK);
	assert_int_equal(channel(h, KZT_P1_CHANNEL_JOIN, ticket, sizeof(ticket)), KZT_SW_CONDITIONS);
	/* not before SELECT */
	kzt_card_session_end(&f->card, &g->s, 0);
	assert_int_equal(channel(g, KZT_P1_CHANNEL_JOIN, ticket, sizeof(ticket)), KZT_SW_CONDITIONS);
	kzt_card_session_end(&f->card, &h->s, 0);
	kzt_card_session_end(&f->card, &f->s, 0);
	free(g);
	free(h);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_a_session_that_joins_a_named_one_shares_its_logins_both_ways,
						card_setup, card_teardown),
		cmocka_unit_test_setup_teardown(test_a_reset_logs_out_every_session_of_the_group, card_setup,
						card_teardown),
		cmocka_unit_test_setup_teardown(test_malformed_channel_commands_get_status_words, card_setup,
						card_teardown),
		cmocka_unit_test_setup_teardown(test_select_returns_fci_with_serial_and_limits, card_setup, card_teardown),
		cmocka_unit_test_setup_teardown(test_select_again_keeps_the_verification, card_setup, card_teardown),
		cmocka_unit_test_setup_teardown(test_commands_before_select_are_refused, card_setup, card_teardown),
		cmocka_unit_test_setup_teardown(test_malformed_and_unknown_commands_get_status_words, card_setup, card_teardown),
		cmocka_unit_test_setup_teardown(test_pin_verifies_and_wrong_pin_counts_down, card_setup, card_teardown),
		cmocka_unit_test_setup_teardown(test_pin_locks_after_ten_wrong_tries, card_setup, card_teardown),
		cmocka_unit_test_setup_teardown(test_try_is_persisted_before_the_pin_is_compared, card_setup, card_teardown),
		cmocka_unit_test_setup_teardown(test_change_pin_needs_old_pin_and_respects_length, card_setup, card_teardown),
		cmocka_unit_test_setup_teardown(test_user_cannot_change_pin_when_policy_says_admin_only, card_setup, card_teardown),
		cmocka_unit_test_setup_teardown(test_admin_unblocks_user_pin_keeping_it, card_setup, card_teardown),
		cmocka_unit_test_setup_teardown(test_format_resets_state_and_logs_everyone_out, card_setup, card_teardown),
		cmocka_unit_test_setup_teardown(test_token_state_reports_pins_and_label, card_setup, card_teardown),
		cmocka_unit_test_setup_teardown(test_long_responses_come_in_parts_through_get_response, card_setup, card_teardown),
		cmocka_unit_test_setup_teardown(test_chained_verify_is_assembled, card_setup, card_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
