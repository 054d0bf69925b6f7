/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* An in-memory virtual card with the applet selected, and helpers to send it
 * APDUs, for the applet's unit tests. */
#ifndef KZT_TEST_CARD_FIXTURE_H
#define KZT_TEST_CARD_FIXTURE_H

#include <stddef.h>
#include <stdint.h>

#include "card.h"

typedef struct fixture {
	kzt_card card;
	kzt_card *on; /* the card commands go to: another fixture's, or NULL for card */
	kzt_card_session s;
	uint8_t resp[KZT_CARD_MAX_DATA + 2];
	size_t len; /* response data length (without SW) */
} fixture;

/* CMocka setup / teardown: a factory card in memory, applet selected. */
int card_setup(void **state);
int card_teardown(void **state);

/* Send raw bytes; returns the SW, response data in f->resp[0..f->len). */
uint16_t xfer(fixture *f, const uint8_t *cmd, size_t n);
/* Encode (short or extended as needed) and send. */
uint16_t cmd(fixture *f, uint8_t cla, uint8_t ins, uint8_t p1, uint8_t p2, const void *data,
	     size_t lc, uint32_t le);
uint16_t select_applet(fixture *f);
/* VERIFY ref with pin (NULL: status query). */
uint16_t verify(fixture *f, uint8_t ref, const char *pin);

#endif
