/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* Token driver: PIN commands and FORMAT. Every buffer that held a PIN is wiped
 * before it goes out of scope. */
#include <string.h>

#include "kzt_err.h"
#include "secmem.h"
#include "tlv.h"
#include "token_int.h"

/* Room for FORMAT's or CHANGE REFERENCE DATA's data field: two PINs, a label and
 * a few one-byte policies, each with its tag and length. */
#define PIN_DATA_MAX 160

int
kzt_token_verify(kzt_token *t, kzt_role role, const uint8_t *pin, size_t len)
{
	kzt_apdu a = {.cla = KZT_CLA_ISO, .ins = KZT_INS_VERIFY, .p1 = KZT_P1_VERIFY,
		      .p2 = (uint8_t)role, .data = pin, .lc = len};

	/* An empty VERIFY is a status query on the card; never send one as a login. */
	if (pin == NULL || len == 0 || len > KZT_APDU_SHORT_MAX_LC)
		return KZT_ERR_PIN_INCORRECT;
	return kzt_token_command(t, &a, NULL);
}

int
kzt_token_logout(kzt_token *t, kzt_role role)
{
	kzt_apdu a = {.cla = KZT_CLA_ISO, .ins = KZT_INS_VERIFY, .p1 = KZT_P1_LOGOUT,
		      .p2 = (uint8_t)role};

	return kzt_token_command(t, &a, NULL);
}

/* In PIN commands the card's "wrong data" means the new PIN's length. */
static int
pin_status(int r)
{
	return r == KZT_ERR_DATA ? KZT_ERR_PIN_LEN : r;
}

int
kzt_token_change_pin(kzt_token *t, kzt_role role, const uint8_t *old_pin, size_t old_len,
		     const uint8_t *new_pin, size_t new_len)
{
	uint8_t data[PIN_DATA_MAX];
	kzt_apdu a = {.cla = KZT_CLA_ISO, .ins = KZT_INS_CHANGE_REFERENCE_DATA,
		      .p1 = KZT_P1_CHANGE_OLD_NEW, .p2 = (uint8_t)role, .data = data};
	kzt_buf b;
	int r;

	if (old_len > KZT_PIN_MAX_LEN)
		return KZT_ERR_PIN_INCORRECT;
	if (new_len > KZT_PIN_MAX_LEN)
		return KZT_ERR_PIN_LEN;
	kzt_buf_init(&b, data, sizeof(data));
	kzt_tlv_put(&b, KZT_TAG_OLD_PIN, old_pin, old_len);
	kzt_tlv_put(&b, KZT_TAG_NEW_PIN, new_pin, new_len);
	if ((r = b.err) == KZT_OK) {
		a.lc = b.len;
		r = pin_status(kzt_token_command(t, &a, NULL));
	}
	kzt_secure_zero(data, sizeof(data));
	return r;
}

int
kzt_token_reset_user_pin(kzt_token *t, const uint8_t *new_pin, size_t new_len)
{
	kzt_apdu a = {.cla = KZT_CLA_ISO, .ins = KZT_INS_RESET_RETRY_COUNTER,
		      .p1 = new_pin != NULL ? KZT_P1_RESET_NEW_PIN : KZT_P1_RESET_ONLY,
		      .p2 = KZT_PIN_USER, .data = new_pin, .lc = new_pin != NULL ? new_len : 0};

	if (new_pin != NULL && (new_len == 0 || new_len > KZT_PIN_MAX_LEN))
		return KZT_ERR_PIN_LEN;
	return pin_status(kzt_token_command(t, &a, NULL));
}

int
kzt_token_format(kzt_token *t, const kzt_format_params *p)
{
	uint8_t data[PIN_DATA_MAX];
	kzt_apdu a = {.cla = KZT_CLA_PROPRIETARY, .ins = KZT_INS_FORMAT, .data = data};
	kzt_buf b;
	int r;

	if (p->label_len > KZT_LABEL_MAX || p->user_pin_len > KZT_PIN_MAX_LEN ||
	    p->admin_pin_len > KZT_PIN_MAX_LEN)
		return KZT_ERR_ARGS;
	kzt_buf_init(&b, data, sizeof(data));
	if (p->label != NULL)
		kzt_tlv_put(&b, KZT_TAG_FMT_LABEL, p->label, p->label_len);
	if (p->user_pin != NULL)
		kzt_tlv_put(&b, KZT_TAG_FMT_USER_PIN, p->user_pin, p->user_pin_len);
	if (p->admin_pin != NULL)
		kzt_tlv_put(&b, KZT_TAG_FMT_ADMIN_PIN, p->admin_pin, p->admin_pin_len);
	if (p->user_min_len != 0)
		kzt_tlv_put_u8(&b, KZT_TAG_FMT_USER_MIN_LEN, p->user_min_len);
	if (p->admin_min_len != 0)
		kzt_tlv_put_u8(&b, KZT_TAG_FMT_ADMIN_MIN_LEN, p->admin_min_len);
	if (p->user_tries != 0)
		kzt_tlv_put_u8(&b, KZT_TAG_FMT_USER_TRIES, p->user_tries);
	if (p->admin_tries != 0)
		kzt_tlv_put_u8(&b, KZT_TAG_FMT_ADMIN_TRIES, p->admin_tries);
	if (p->policy != 0)
		kzt_tlv_put_u8(&b, KZT_TAG_FMT_POLICY, p->policy);
	if ((r = b.err) == KZT_OK) {
		a.lc = b.len;
		a.data = b.len > 0 ? data : NULL;
		r = pin_status(kzt_token_command(t, &a, NULL));
	}
	kzt_secure_zero(data, sizeof(data));
	return r;
}
