/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* The virtual card's store file: round trip, factory creation, and refusal of
 * every kind of damaged file without touching it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "card.h"
#include "buf.h"
#include "kzt_err.h"
#include "tlv.h"

static char dir[64];
static char path[128];

static int
setup(void **state)
{
	(void)state;
	strcpy(dir, "/tmp/kzt-store-XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/token.kzt", dir);
	return 0;
}

static int
teardown(void **state)
{
	char tmp[160];

	(void)state;
	unlink(path);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	unlink(tmp);
	rmdir(dir);
	return 0;
}

static size_t
read_file(uint8_t *buf, size_t cap)
{
	FILE *f = fopen(path, "rb");
	size_t n;

	assert_non_null(f);
	n = fread(buf, 1, cap, f);
	fclose(f);
	return n;
}

static void
write_file(const uint8_t *buf, size_t n)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(buf, 1, n, f), n);
	fclose(f);
}

static void
test_absent_store_is_created_factory_fresh(void **state)
{
	kzt_card card, again;
	struct stat sb;

	(void)state;
	assert_int_equal(kzt_card_open(&card, path, NULL, 0), KZT_OK);
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	assert_int_equal(card.st.label_len, 0);
	assert_int_equal(card.st.user.len, 8);
	assert_memory_equal(card.st.user.value, "12345678", 8);
	assert_memory_equal(card.st.admin.value, "87654321", 8);
	assert_int_equal(card.st.user.tries_left, 10);
	assert_int_equal(card.st.user.min_len, 6);
	assert_int_equal(card.st.policy, KZT_POLICY_BOTH);
	/* The serial is made once and kept. */
	assert_int_equal(kzt_card_open(&again, path, NULL, 0), KZT_OK);
	assert_memory_equal(again.st.serial, card.st.serial, KZT_SERIAL_LEN);
	kzt_card_close(&card);
	kzt_card_close(&again);
}

static void
test_store_round_trips_every_field(void **state)
{
	kzt_card_state st, back;
	static const uint8_t serial[KZT_SERIAL_LEN] = {1, 2, 3, 4, 5, 6, 7, 8};
	char why[128];

	(void)state;
	kzt_card_factory(&st, serial);
	memcpy(st.label, "Treasury", 8);
	st.label_len = 8;
	st.user.tries_left = 3;
	st.admin.max_tries = 15;
	st.admin.min_len = 8;
	st.policy = KZT_POLICY_ADMIN;
	st.change_counter = 77;
	assert_int_equal(kzt_store_save(path, &st), KZT_OK);
	assert_int_equal(kzt_store_load(path, &back, why, sizeof(why)), KZT_OK);
	assert_memory_equal(&back, &st, sizeof(st));
}

/* Damage the file in one way and check it is refused and left byte-identical. */
static void
expect_refused(const uint8_t *img, size_t n, const char *why_part)
{
	uint8_t after[4096];
	char why[128] = "";
	kzt_card card;

	write_file(img, n);
	assert_int_equal(kzt_card_open(&card, path, why, sizeof(why)), KZT_ERR_STORE);
	if (strstr(why, why_part) == NULL)
		fail_msg("reason '%s' does not mention '%s'", why, why_part);
	assert_int_equal(read_file(after, sizeof(after)), n);
	assert_memory_equal(after, img, n);
}

static void
test_damaged_store_is_refused_and_left_alone(void **state)
{
	uint8_t img[4096], bad[4096];
	kzt_card_state st;
	static const uint8_t serial[KZT_SERIAL_LEN] = {9};
	size_t n;

	(void)state;
	kzt_card_factory(&st, serial);
	assert_int_equal(kzt_store_encode(&st, img, sizeof(img), &n), KZT_OK);

	memcpy(bad, img, n);
	bad[n - 3] ^= 0x01;
	expect_refused(bad, n, "checksum");
	expect_refused(img, n - 1, "length");
	expect_refused(img, 10, "magic");
	memcpy(bad, img, n);
	bad[0] = 'X';
	expect_refused(bad, n, "magic");
	memcpy(bad, img, n);
	bad[9] = 0x7F; /* a version no card has written */
	expect_refused(bad, n, "version");
	expect_refused((const uint8_t *)"", 0, "magic");
}

/* A file whose checksum is right but whose records are wrong is refused too. */
static void
test_store_with_valid_checksum_but_bad_records_is_refused(void **state)
{
	uint8_t img[4096];
	kzt_card_state st;
	static const uint8_t serial[KZT_SERIAL_LEN] = {9};
	char why[128];
	size_t n;

	(void)state;
	kzt_card_factory(&st, serial);
	st.user.tries_left = 11; /* more than max_tries */
	assert_int_equal(kzt_store_encode(&st, img, sizeof(img), &n), KZT_OK);
	assert_int_equal(kzt_store_decode(img, n, &st, why, sizeof(why)), KZT_ERR_STORE);
	kzt_card_factory(&st, serial);
	st.policy = 0x10;
	assert_int_equal(kzt_store_encode(&st, img, sizeof(img), &n), KZT_OK);
	assert_int_equal(kzt_store_decode(img, n, &st, why, sizeof(why)), KZT_ERR_STORE);
	kzt_card_factory(&st, serial);
	st.user.len = 0; /* an empty PIN */
	assert_int_equal(kzt_store_encode(&st, img, sizeof(img), &n), KZT_OK);
	assert_int_equal(kzt_store_decode(img, n, &st, why, sizeof(why)), KZT_ERR_STORE);
}

/* A record given twice is ambiguous: refused, whichever record it is. */
static void
test_store_with_a_repeated_record_is_refused(void **state)
{
	uint8_t img[4096];
	kzt_card_state st;
	static const uint8_t serial[KZT_SERIAL_LEN] = {9};
	static const uint8_t extra_label[] = {0xC1, 0x01, 'x'};
	char why[128];
	kzt_buf b;
	size_t n;

	(void)state;
	kzt_card_factory(&st, serial);
	assert_int_equal(kzt_store_encode(&st, img, sizeof(img) - 8, &n), KZT_OK);
	/* append a second label record and fix up the length and checksum */
	memcpy(img + n, extra_label, sizeof(extra_label));
	n += sizeof(extra_label);
	kzt_buf_init(&b, img + 12, 8); /* header: payload length, then CRC-32 */
	kzt_buf_put_u32(&b, (uint32_t)(n - 20));
	kzt_buf_put_u32(&b, kzt_store_crc32(img + 20, n - 20));
	assert_int_equal(kzt_store_decode(img, n, &st, why, sizeof(why)), KZT_ERR_STORE);
	assert_non_null(strstr(why, "malformed"));
}

static void
test_leftover_temporary_file_does_not_matter(void **state)
{
	char tmp[160];
	kzt_card card;
	FILE *f;

	(void)state;
	assert_int_equal(kzt_card_open(&card, path, NULL, 0), KZT_OK);
	kzt_card_close(&card);
	/* A crash between writing the temporary file and renaming it. */
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "wb");
	fputs("half-written", f);
	fclose(f);
	assert_int_equal(kzt_card_open(&card, path, NULL, 0), KZT_OK);
	assert_int_equal(kzt_card_commit(&card), KZT_OK);
	kzt_card_close(&card);
	assert_int_equal(access(tmp, F_OK), -1); /* replaced by the rename */
}

static void
test_failed_save_keeps_the_previous_file(void **state)
{
	kzt_card_state st, back;
	static const uint8_t serial[KZT_SERIAL_LEN] = {3};
	char longpath[5000];

	(void)state;
	kzt_card_factory(&st, serial);
	assert_int_equal(kzt_store_save(path, &st), KZT_OK);
	memset(longpath, 'a', sizeof(longpath) - 1);
	longpath[sizeof(longpath) - 1] = '\0';
	assert_int_not_equal(kzt_store_save(longpath, &st), KZT_OK);
	assert_int_equal(kzt_store_save("/nonexistent-dir/x.kzt", &st), KZT_ERR_STORE);
	assert_int_equal(kzt_store_load(path, &back, NULL, 0), KZT_OK);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_absent_store_is_created_factory_fresh, setup, teardown),
		cmocka_unit_test_setup_teardown(test_store_round_trips_every_field, setup, teardown),
		cmocka_unit_test_setup_teardown(test_damaged_store_is_refused_and_left_alone, setup, teardown),
		cmocka_unit_test_setup_teardown(test_store_with_valid_checksum_but_bad_records_is_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_store_with_a_repeated_record_is_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_leftover_temporary_file_does_not_matter, setup, teardown),
		cmocka_unit_test_setup_teardown(test_failed_save_keeps_the_previous_file, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
