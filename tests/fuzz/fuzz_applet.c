/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* Any sequence of APDUs into the applet (a memory-only card, applet selected):
 * every command gets a status word, nothing reads or writes out of bounds, and
 * the card's invariants hold afterwards. Input: repeated [length byte][APDU]. */
#include <stdlib.h>
#include <string.h>

#include "card.h"
#include "kzt_err.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint8_t select_cmd[] = {0x00, 0xA4, 0x04, 0x00, 0x0A, 0xF0, 'K', 'A', 'Z',
				     'T', 'O', 'K', 'E', 'N', 0x01, 0x00};

static void
check(const kzt_card_state *st, const uint8_t *resp, size_t rlen)
{
	if (rlen < 2 || rlen > KZT_CARD_MAX_DATA + 2)
		abort();
	/* every answer ends in a status word of class 9x or 6x */
	if (resp[rlen - 2] != 0x90 && (resp[rlen - 2] & 0xF0) != 0x60)
		abort();
	if (st->user.tries_left > st->user.max_tries || st->admin.tries_left > st->admin.max_tries ||
	    st->user.len == 0 || st->user.len > KZT_PIN_MAX_LEN || st->label_len > KZT_LABEL_MAX)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t resp[KZT_CARD_MAX_DATA + 2];
	static kzt_card_session s;
	kzt_card card;
	size_t rlen, n;

	if (kzt_card_open(&card, NULL, NULL, 0) != KZT_OK)
		abort();
	kzt_card_session_reset(&s);
	kzt_applet_process(&card, &s, select_cmd, sizeof(select_cmd), resp, sizeof(resp), &rlen);
	while (size > 0) {
		n = data[0];
		data++;
		size--;
		if (n > size)
			n = size;
		kzt_applet_process(&card, &s, data, n, resp, sizeof(resp), &rlen);
		check(&card.st, resp, rlen);
		data += n;
		size -= n;
	}
	kzt_card_close(&card);
	return 0;
}
