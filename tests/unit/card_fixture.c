/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* In-memory card fixture for the applet tests (see card_fixture.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "apdu.h"
#include "card_fixture.h"
#include "kzt_err.h"

uint16_t
xfer(fixture *f, const uint8_t *cmd_bytes, size_t n)
{
	size_t rlen;

	kzt_applet_process(f->on != NULL ? f->on : &f->card, &f->s, cmd_bytes, n, f->resp, sizeof(f->resp), &rlen);
	assert_true(rlen >= 2);
	f->len = rlen - 2;
	return (uint16_t)((f->resp[rlen - 2] << 8) | f->resp[rlen - 1]);
}

uint16_t
cmd(fixture *f, uint8_t cla, uint8_t ins, uint8_t p1, uint8_t p2, const void *data, size_t lc,
    uint32_t le)
{
	uint8_t buf[KZT_APDU_MAX_CMD];
	kzt_apdu a = {cla, ins, p1, p2, data, lc, le, 0};
	kzt_buf b;

	kzt_buf_init(&b, buf, sizeof(buf));
	assert_int_equal(kzt_apdu_encode(&a, 1, &b), KZT_OK);
	return xfer(f, buf, b.len);
}

uint16_t
select_applet(fixture *f)
{
	static const uint8_t aid[] = KZT_AID;
	return cmd(f, 0x00, KZT_INS_SELECT, 0x04, 0x00, aid, sizeof(aid), 256);
}

uint16_t
verify(fixture *f, uint8_t ref, const char *pin)
{
	return cmd(f, 0x00, KZT_INS_VERIFY, 0x00, ref, pin, pin != NULL ? strlen(pin) : 0, 0);
}

int
card_setup(void **state)
{
	fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	assert_int_equal(kzt_card_open(&f->card, NULL, NULL, 0), KZT_OK);
	assert_int_equal(select_applet(f), KZT_SW_OK);
	*state = f;
	return 0;
}

int
card_teardown(void **state)
{
	fixture *f = *state;

	kzt_card_close(&f->card);
	free(f);
	return 0;
}
