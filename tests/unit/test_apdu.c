/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* APDU encoding, parsing and the host exchange (GET RESPONSE, 6Cxx, chaining). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "apdu.h"
#include "kzt_err.h"
#include "kzt_proto.h"

static size_t
encode(const kzt_apdu *a, int ext, uint8_t *out, size_t cap, int *rc)
{
	kzt_buf b;

	kzt_buf_init(&b, out, cap);
	*rc = kzt_apdu_encode(a, ext, &b);
	return b.len;
}

static void
test_apdu_encodes_short_cases(void **state)
{
	static const uint8_t data[3] = {1, 2, 3};
	uint8_t out[32];
	kzt_apdu a = {.cla = 0x00, .ins = 0xA4, .p1 = 0x04, .p2 = 0x00};
	int rc;

	(void)state;
	assert_int_equal(encode(&a, 0, out, sizeof(out), &rc), 4); /* case 1 */
	a.le = 256;
	assert_int_equal(encode(&a, 0, out, sizeof(out), &rc), 5); /* case 2S, Le 256 = 00 */
	assert_int_equal(out[4], 0x00);
	a.le = 0;
	a.data = data;
	a.lc = 3;
	assert_int_equal(encode(&a, 0, out, sizeof(out), &rc), 8); /* case 3S */
	assert_int_equal(out[4], 3);
	a.le = 16;
	assert_int_equal(encode(&a, 0, out, sizeof(out), &rc), 9); /* case 4S */
	assert_int_equal(out[8], 16);
	assert_int_equal(rc, KZT_OK);
}

static void
test_apdu_encodes_extended_cases_only_when_allowed(void **state)
{
	static uint8_t data[300];
	uint8_t out[400];
	kzt_apdu a = {.cla = 0x00, .ins = 0x2A, .p1 = 0x9E, .p2 = 0x9A, .le = 65536};
	int rc;

	(void)state;
	assert_int_equal(encode(&a, 1, out, sizeof(out), &rc), 7); /* case 2E, Le 65536 = 0000 */
	assert_memory_equal(out + 4, "\x00\x00\x00", 3);
	encode(&a, 0, out, sizeof(out), &rc);
	assert_int_equal(rc, KZT_ERR_ARGS);
	a.data = data;
	a.lc = sizeof(data);
	a.le = 0;
	assert_int_equal(encode(&a, 1, out, sizeof(out), &rc), 4 + 3 + 300); /* case 3E */
	assert_int_equal(out[5], 0x01);
	assert_int_equal(out[6], 0x2C);
	a.le = 512;
	assert_int_equal(encode(&a, 1, out, sizeof(out), &rc), 4 + 3 + 300 + 2); /* case 4E */
	assert_int_equal(out[4 + 3 + 300], 0x02);
	/* Too small an output buffer is refused, not overrun. */
	encode(&a, 1, out, 100, &rc);
	assert_int_equal(rc, KZT_ERR_BUFFER);
	a.data = NULL; /* Lc without data */
	encode(&a, 1, out, sizeof(out), &rc);
	assert_int_equal(rc, KZT_ERR_ARGS);
}

static void
test_apdu_parse_round_trips_every_case(void **state)
{
	static uint8_t data[300];
	static const size_t lcs[] = {0, 1, 255, 256, 300};
	static const uint32_t les[] = {0, 1, 256, 257, 65536};
	uint8_t out[400];
	kzt_apdu a = {.cla = 0x80, .ins = 0xE2, .p1 = 1, .p2 = 2, .data = data}, back;
	size_t i, j, n;
	int rc;

	(void)state;
	for (i = 0; i < 300; i++)
		data[i] = (uint8_t)i;
	for (i = 0; i < 5; i++) {
		for (j = 0; j < 5; j++) {
			a.lc = lcs[i];
			a.le = les[j];
			n = encode(&a, 1, out, sizeof(out), &rc);
			assert_int_equal(rc, KZT_OK);
			assert_int_equal(kzt_apdu_parse(out, n, &back), KZT_OK);
			assert_int_equal(back.ins, 0xE2);
			assert_int_equal(back.lc, a.lc);
			assert_int_equal(back.le, a.le);
			if (a.lc > 0)
				assert_memory_equal(back.data, data, a.lc);
		}
	}
}

static void
test_apdu_parse_rejects_inconsistent_lengths(void **state)
{
	static const struct {
		const char *why;
		uint8_t b[10];
		size_t n;
	} bad[] = {
		{"shorter than a header", {0x00, 0xA4, 0x04}, 3},
		{"Lc longer than the data", {0x00, 0x20, 0x00, 0x81, 0x04, 1, 2}, 7},
		{"two bytes after Lc data", {0x00, 0x20, 0x00, 0x81, 0x01, 1, 2, 3}, 8},
		{"extended marker alone", {0x00, 0xCA, 0x00, 0xC1, 0x00, 0x01}, 6},
		{"extended Lc of zero", {0x00, 0xCA, 0x00, 0xC1, 0x00, 0x00, 0x00, 0x01}, 8},
		{"extended Lc beyond data", {0x00, 0xDA, 0x00, 0x01, 0x00, 0x00, 0x05, 1, 2}, 9},
		{"extended with one Le byte", {0x00, 0xDA, 0, 1, 0x00, 0x00, 0x01, 0xAA, 0x01}, 9},
	};
	kzt_apdu a;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (kzt_apdu_parse(bad[i].b, bad[i].n, &a) != KZT_ERR_PARSE)
			fail_msg("accepted malformed APDU: %s", bad[i].why);
	assert_int_equal(kzt_apdu_parse(NULL, 4, &a), KZT_ERR_PARSE);
}

/* ---- a scripted card for the exchange ---- */
#define MAX_STEPS 8
typedef struct script {
	struct {
		uint8_t resp[300];
		size_t len;
	} step[MAX_STEPS];
	size_t steps, next;
	uint8_t sent[MAX_STEPS][300];
	size_t sent_len[MAX_STEPS];
	int fail_at; /* step whose transmit fails with KZT_ERR_NO_CARD; -1 never */
} script;

static int
scripted_xmit(void *ctx, const uint8_t *cmd, size_t n, uint8_t *resp, size_t cap, size_t *rlen)
{
	script *s = ctx;
	size_t i = s->next++;

	assert_true(i < s->steps);
	memcpy(s->sent[i], cmd, n);
	s->sent_len[i] = n;
	if ((int)i == s->fail_at)
		return KZT_ERR_NO_CARD;
	if (s->step[i].len > cap)
		return KZT_ERR_BUFFER;
	memcpy(resp, s->step[i].resp, s->step[i].len);
	*rlen = s->step[i].len;
	return KZT_OK;
}

static void
add_step(script *s, const uint8_t *data, size_t n, uint16_t sw)
{
	if (n > 0)
		memcpy(s->step[s->steps].resp, data, n);
	s->step[s->steps].resp[n] = (uint8_t)(sw >> 8);
	s->step[s->steps].resp[n + 1] = (uint8_t)sw;
	s->step[s->steps].len = n + 2;
	s->steps++;
}

static uint8_t scratch[KZT_APDU_MAX_CMD];

static kzt_apdu_link
link_for(script *s, int extended, size_t max_cmd)
{
	kzt_apdu_link l = {scripted_xmit, s, extended, 1, max_cmd, scratch};
	return l;
}

static void
test_exchange_follows_61xx_with_get_response(void **state)
{
	script s = {.fail_at = -1};
	uint8_t part1[10], part2[5], resp[64];
	kzt_apdu a = {.ins = KZT_INS_GET_DATA, .p1 = 0x00, .p2 = 0xC1, .le = 10};
	kzt_apdu_link l = link_for(&s, 0, 255);
	size_t n;
	uint16_t sw;

	(void)state;
	memset(part1, 0x11, sizeof(part1));
	memset(part2, 0x22, sizeof(part2));
	add_step(&s, part1, 10, 0x6105);
	add_step(&s, part2, 5, 0x9000);
	assert_int_equal(kzt_apdu_transceive(&l, &a, resp, sizeof(resp), &n, &sw), KZT_OK);
	assert_int_equal(sw, 0x9000);
	assert_int_equal(n, 15);
	assert_memory_equal(resp, part1, 10);
	assert_memory_equal(resp + 10, part2, 5);
	assert_memory_equal(s.sent[1], "\x00\xC0\x00\x00\x05", 5);
	/* Not enough room for what 61xx announces: refused, not overrun. */
	s.next = 0;
	assert_int_equal(kzt_apdu_transceive(&l, &a, resp, 14, &n, &sw), KZT_ERR_BUFFER);
}

static void
test_exchange_reissues_once_on_6cxx(void **state)
{
	script s = {.fail_at = -1};
	uint8_t data[8], resp[64];
	kzt_apdu a = {.ins = KZT_INS_GET_CHALLENGE, .le = 4};
	kzt_apdu_link l = link_for(&s, 0, 255);
	size_t n;
	uint16_t sw;

	(void)state;
	memset(data, 0x42, sizeof(data));
	add_step(&s, NULL, 0, 0x6C08);
	add_step(&s, data, 8, 0x9000);
	assert_int_equal(kzt_apdu_transceive(&l, &a, resp, sizeof(resp), &n, &sw), KZT_OK);
	assert_int_equal(n, 8);
	assert_int_equal(s.sent[1][4], 0x08);
	/* A second 6Cxx is reported, not chased forever. */
	s.steps = s.next = 0;
	add_step(&s, NULL, 0, 0x6C08);
	add_step(&s, NULL, 0, 0x6C10);
	assert_int_equal(kzt_apdu_transceive(&l, &a, resp, sizeof(resp), &n, &sw), KZT_OK);
	assert_int_equal(sw, 0x6C10);
	assert_int_equal(s.next, 2);
}

static void
test_exchange_chains_long_commands(void **state)
{
	script s = {.fail_at = -1};
	uint8_t data[250], resp[64];
	kzt_apdu a = {.cla = 0x80, .ins = KZT_INS_CREATE_OBJECT, .data = data, .lc = 250, .le = 2};
	kzt_apdu_link l = link_for(&s, 0, 100);
	size_t n, i;
	uint16_t sw;

	(void)state;
	for (i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)i;
	add_step(&s, NULL, 0, 0x9000);
	add_step(&s, NULL, 0, 0x9000);
	add_step(&s, (const uint8_t *)"\x00\x07", 2, 0x9000);
	assert_int_equal(kzt_apdu_transceive(&l, &a, resp, sizeof(resp), &n, &sw), KZT_OK);
	assert_int_equal(s.next, 3);
	assert_int_equal(s.sent[0][0], 0x90); /* chaining bit on the first two parts */
	assert_int_equal(s.sent[1][0], 0x90);
	assert_int_equal(s.sent[2][0], 0x80);
	assert_int_equal(s.sent[0][4], 100);
	assert_int_equal(s.sent[2][4], 50);
	assert_int_equal(s.sent_len[0], 5 + 100); /* no Le on intermediate parts */
	assert_int_equal(s.sent_len[2], 5 + 50 + 1);
	assert_memory_equal(s.sent[2] + 5, data + 200, 50);
	assert_int_equal(n, 2);
}

static void
test_exchange_stops_when_a_chained_part_is_refused(void **state)
{
	script s = {.fail_at = -1};
	uint8_t data[250], resp[64];
	kzt_apdu a = {.cla = 0x80, .ins = KZT_INS_CREATE_OBJECT, .data = data, .lc = 250};
	kzt_apdu_link l = link_for(&s, 0, 100);
	size_t n;
	uint16_t sw;

	(void)state;
	memset(data, 0, sizeof(data));
	add_step(&s, NULL, 0, 0x9000);
	add_step(&s, NULL, 0, 0x6A84);
	assert_int_equal(kzt_apdu_transceive(&l, &a, resp, sizeof(resp), &n, &sw), KZT_OK);
	assert_int_equal(sw, 0x6A84);
	assert_int_equal(s.next, 2);
	/* Without chaining support, a command too long is refused before sending. */
	l.chaining = 0;
	s.next = 0;
	assert_int_equal(kzt_apdu_transceive(&l, &a, resp, sizeof(resp), &n, &sw), KZT_ERR_ARGS);
	assert_int_equal(s.next, 0);
}

static void
test_exchange_reports_short_responses_and_removal(void **state)
{
	script s = {.fail_at = -1};
	uint8_t resp[64];
	kzt_apdu a = {.ins = KZT_INS_VERIFY, .p2 = KZT_PIN_USER};
	kzt_apdu_link l = link_for(&s, 0, 255);
	size_t n;
	uint16_t sw;

	(void)state;
	s.step[0].resp[0] = 0x90; /* one byte: no status word */
	s.step[0].len = 1;
	s.steps = 1;
	assert_int_equal(kzt_apdu_transceive(&l, &a, resp, sizeof(resp), &n, &sw), KZT_ERR_PARSE);
	s.next = 0;
	s.fail_at = 0;
	assert_int_equal(kzt_apdu_transceive(&l, &a, resp, sizeof(resp), &n, &sw), KZT_ERR_NO_CARD);
}

static void
test_atr_is_recognised_by_its_historical_bytes(void **state)
{
	uint8_t atr[KZT_ATR_LEN];

	(void)state;
	kzt_proto_atr(atr);
	assert_int_equal(atr[0], 0x3B);
	assert_memory_equal(atr + 4, "KAZTOKEN", 8);
	assert_true(kzt_proto_atr_is_kaztoken(atr, sizeof(atr)));
	atr[KZT_ATR_LEN - 1] ^= 1; /* wrong TCK */
	assert_false(kzt_proto_atr_is_kaztoken(atr, sizeof(atr)));
	assert_false(kzt_proto_atr_is_kaztoken(atr, 4));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_apdu_encodes_short_cases),
		cmocka_unit_test(test_apdu_encodes_extended_cases_only_when_allowed),
		cmocka_unit_test(test_apdu_parse_round_trips_every_case),
		cmocka_unit_test(test_apdu_parse_rejects_inconsistent_lengths),
		cmocka_unit_test(test_exchange_follows_61xx_with_get_response),
		cmocka_unit_test(test_exchange_reissues_once_on_6cxx),
		cmocka_unit_test(test_exchange_chains_long_commands),
		cmocka_unit_test(test_exchange_stops_when_a_chained_part_is_refused),
		cmocka_unit_test(test_exchange_reports_short_responses_and_removal),
		cmocka_unit_test(test_atr_is_recognised_by_its_historical_bytes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
