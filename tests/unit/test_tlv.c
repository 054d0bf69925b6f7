/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* BER-TLV reader and builder, well-formed and malformed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "kzt_err.h"
#include "tlv.h"

static int
parse_one(const uint8_t *p, size_t n, kzt_tlv *t)
{
	return kzt_tlv_next(&p, &n, t);
}

static void
test_tlv_reads_short_and_long_lengths(void **state)
{
	static const uint8_t one[] = {0x81, 0x02, 0xAA, 0xBB};
	uint8_t longform[4 + 300];
	kzt_tlv t;

	(void)state;
	assert_int_equal(parse_one(one, sizeof(one), &t), KZT_OK);
	assert_int_equal(t.tag, 0x81);
	assert_int_equal(t.len, 2);
	assert_int_equal(t.val[1], 0xBB);

	memset(longform, 0x5A, sizeof(longform));
	longform[0] = 0x53;
	longform[1] = 0x82;
	longform[2] = 0x01;
	longform[3] = 0x2C; /* 300 */
	assert_int_equal(parse_one(longform, sizeof(longform), &t), KZT_OK);
	assert_int_equal(t.len, 300);
	assert_ptr_equal(t.val, longform + 4);
}

static void
test_tlv_reads_two_and_three_byte_tags(void **state)
{
	static const uint8_t two[] = {0x7F, 0x49, 0x01, 0x00};
	static const uint8_t three[] = {0x5F, 0x81, 0x01, 0x00};
	kzt_tlv t;

	(void)state;
	assert_int_equal(parse_one(two, sizeof(two), &t), KZT_OK);
	assert_int_equal(t.tag, 0x7F49);
	assert_true(kzt_tlv_is_constructed(t.tag));
	assert_int_equal(parse_one(three, sizeof(three), &t), KZT_OK);
	assert_int_equal(t.tag, 0x5F8101);
	assert_int_equal(t.len, 0);
}

static void
test_tlv_rejects_malformed_input(void **state)
{
	static const struct {
		const char *why;
		uint8_t bytes[8];
		size_t n;
	} bad[] = {
		{"empty", {0}, 0},
		{"padding 00", {0x00, 0x01, 0x00}, 3},
		{"padding FF", {0xFF, 0x01, 0x00}, 3},
		{"tag only", {0x81}, 1},
		{"multi-byte tag cut short", {0x7F}, 1},
		{"four-byte tag", {0x5F, 0x81, 0x81, 0x01, 0x00}, 5},
		{"indefinite length", {0x30, 0x80, 0x00, 0x00}, 4},
		{"length of length 4", {0x81, 0x84, 0, 0, 0, 1, 0xAA}, 7},
		{"long length cut short", {0x81, 0x82, 0x01}, 3},
		{"value shorter than length", {0x81, 0x03, 0xAA, 0xBB}, 4},
		{"long length beyond data", {0x81, 0x81, 0x05, 0xAA}, 4},
	};
	const uint8_t *p;
	size_t i, n;
	kzt_tlv t;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		p = bad[i].bytes;
		n = bad[i].n;
		if (kzt_tlv_next(&p, &n, &t) != KZT_ERR_PARSE)
			fail_msg("accepted malformed TLV: %s", bad[i].why);
		/* A refused element leaves the cursor where it was. */
		assert_ptr_equal(p, bad[i].bytes);
		assert_int_equal(n, bad[i].n);
	}
}

static void
test_tlv_find_validates_the_whole_sequence(void **state)
{
	/* The wanted tag comes first, but the sequence ends in a truncated element. */
	static const uint8_t seq[] = {0x81, 0x01, 0x11, 0x82, 0x05, 0x22};
	static const uint8_t ok[] = {0x81, 0x01, 0x11, 0x82, 0x01, 0x22};
	kzt_tlv t;

	(void)state;
	assert_int_equal(kzt_tlv_find(seq, sizeof(seq), 0x81, &t), KZT_ERR_PARSE);
	assert_int_equal(kzt_tlv_find(ok, sizeof(ok), 0x82, &t), KZT_OK);
	assert_int_equal(t.val[0], 0x22);
	assert_int_equal(kzt_tlv_find(ok, sizeof(ok), 0x83, &t), KZT_ERR_NOT_FOUND);
}

static void
test_tlv_builder_round_trips_nested_elements(void **state)
{
	uint8_t out[512], big[200];
	kzt_tlv outer, inner;
	size_t mark;
	kzt_buf b;

	(void)state;
	memset(big, 0x33, sizeof(big));
	kzt_buf_init(&b, out, sizeof(out));
	kzt_tlv_begin(&b, 0xE1, &mark);
	kzt_tlv_put_u8(&b, 0x80, 7);
	kzt_tlv_put(&b, 0x7F49, big, sizeof(big));
	assert_int_equal(kzt_tlv_end(&b, mark), KZT_OK);
	/* body: 80 01 07 (3) + 7F 49 81 C8 + 200 (204) = 207, so the reserved length is
	 * rewritten minimally as 81 CF. */
	assert_int_equal(b.len, 1 + 2 + 3 + 204);
	assert_int_equal(out[1], 0x81);
	assert_int_equal(out[2], 207);
	assert_int_equal(kzt_tlv_find(out, b.len, 0xE1, &outer), KZT_OK);
	assert_int_equal(kzt_tlv_find(outer.val, outer.len, 0x7F49, &inner), KZT_OK);
	assert_int_equal(inner.len, 200);
	assert_memory_equal(inner.val, big, 200);
}

static void
test_tlv_builder_refuses_overflow_and_latches(void **state)
{
	uint8_t out[4];
	kzt_buf b;

	(void)state;
	kzt_buf_init(&b, out, sizeof(out));
	assert_int_equal(kzt_tlv_put(&b, 0x81, "abcdef", 6), KZT_ERR_BUFFER);
	assert_int_equal(kzt_tlv_put_u8(&b, 0x82, 1), KZT_ERR_BUFFER); /* still failed */
	assert_int_equal(b.err, KZT_ERR_BUFFER);
	kzt_buf_init(&b, out, sizeof(out));
	assert_int_equal(kzt_tlv_put(&b, 0, "", 0), KZT_ERR_ARGS);
}

static void
test_tlv_get_uint_wants_exact_sizes(void **state)
{
	static const uint8_t v[] = {0x01, 0x02, 0x03, 0x04};
	kzt_tlv t = {0x81, v, 4};
	uint32_t out;

	(void)state;
	assert_int_equal(kzt_tlv_get_uint(&t, 4, &out), KZT_OK);
	assert_int_equal(out, 0x01020304);
	assert_int_equal(kzt_tlv_get_uint(&t, 2, &out), KZT_ERR_PARSE);
	t.len = 3;
	assert_int_equal(kzt_tlv_get_uint(&t, 3, &out), KZT_ERR_PARSE);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tlv_reads_short_and_long_lengths),
		cmocka_unit_test(test_tlv_reads_two_and_three_byte_tags),
		cmocka_unit_test(test_tlv_rejects_malformed_input),
		cmocka_unit_test(test_tlv_find_validates_the_whole_sequence),
		cmocka_unit_test(test_tlv_builder_round_trips_nested_elements),
		cmocka_unit_test(test_tlv_builder_refuses_overflow_and_latches),
		cmocka_unit_test(test_tlv_get_uint_wants_exact_sizes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
