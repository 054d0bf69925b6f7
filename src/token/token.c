/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* Token driver: connecting, SELECT and its FCI, the token-state DO. */
#include <stdlib.h>
#include <string.h>

#include "kzt_err.h"
#include "log.h"
#include "secmem.h"
#include "tlv.h"
#include "token_int.h"

/* Process-wide, so that a token opened anew never repeats an epoch. */
static uint64_t last_epoch;

static void
set_verified(kzt_token *t, unsigned verified)
{
	if (verified == t->verified)
		return;
	t->verified = verified;
	t->auth_epoch = __atomic_add_fetch(&last_epoch, 1, __ATOMIC_RELAXED);
}

/* What command a, answered with status r, did to the card's security state. The
 * applet's rules (docs/apdu-protocol.md): a VERIFY sets or clears its reference's
 * verification; a failed CHANGE REFERENCE DATA clears it; a new user PIN through
 * RESET RETRY COUNTER clears the user's; FORMAT clears both; 69 82 says the card
 * has not verified what we thought; a removal or reset ends it. A failed exchange
 * leaves it unknown: what was verified is kept (it is safer to log out a card
 * that was not logged in than to leave one logged in), the epoch moves. */
void
kzt_token_note_security(kzt_token *t, const kzt_apdu *a, int r)
{
	unsigned role = a->p2 == KZT_PIN_ADMIN ? KZT_VERIFIED_ADMIN : KZT_VERIFIED_USER;
	int pin_failed = r == KZT_ERR_PIN_INCORRECT || r == KZT_ERR_PIN_LOCKED;

	if (r == KZT_ERR_NOT_AUTH || r == KZT_ERR_NO_CARD || r == KZT_ERR_RESET) {
		set_verified(t, 0);
		return;
	}
	if (r == KZT_ERR_IO || r == KZT_ERR_PROTOCOL) {
		/* the card may or may not have done the command: keep what it had
		 * verified, so that a log-out is still sent (the card's next answer
		 * says if it is gone), and let nothing cached outlive the doubt */
		t->auth_epoch = __atomic_add_fetch(&last_epoch, 1, __ATOMIC_RELAXED);
		return;
	}
	if (a->cla == KZT_CLA_ISO && a->ins == KZT_INS_VERIFY) {
		if (a->p1 == KZT_P1_LOGOUT || r != KZT_OK)
			set_verified(t, t->verified & ~role);
		else
			set_verified(t, t->verified | role);
	} else if (a->cla == KZT_CLA_ISO && a->ins == KZT_INS_CHANGE_REFERENCE_DATA && pin_failed) {
		set_verified(t, t->verified & ~role);
	} else if (a->cla == KZT_CLA_ISO && a->ins == KZT_INS_RESET_RETRY_COUNTER && r == KZT_OK &&
		   a->p1 == KZT_P1_RESET_NEW_PIN) {
		set_verified(t, t->verified & ~KZT_VERIFIED_USER);
	} else if (a->cla == KZT_CLA_PROPRIETARY && a->ins == KZT_INS_FORMAT) {
		set_verified(t, 0);
	}
}

int
kzt_token_command(kzt_token *t, const kzt_apdu *a, size_t *resp_len)
{
	size_t n = 0;
	uint16_t sw = 0;
	int r;

	t->counter_last = 0;
	r = kzt_apdu_transceive(&t->link, a, t->resp, KZT_APDU_MAX_RESP, &n, &sw);
	if (kzt_proto_ins_data_is_secret(a->cla, a->ins))
		kzt_secure_zero(t->link.scratch, KZT_APDU_MAX_CMD);
	if (resp_len != NULL)
		*resp_len = n;
	if (r == KZT_OK) {
		r = kzt_token_status_from_sw(sw);
		if (r != KZT_OK)
			kzt_log(KZT_LOG_INFO, "card: INS %02X -> SW %04X (%s)", a->ins, sw,
				kzt_strerror(r));
	}
	if (r != KZT_OK || (a->cla == KZT_CLA_PROPRIETARY &&
			    (a->ins == KZT_INS_DELETE_OBJECT || a->ins == KZT_INS_FORMAT)))
		t->selected[0] = t->selected[1] = 0;
	kzt_token_note_security(t, a, r);
	return r;
}

unsigned
kzt_token_verified(const kzt_token *t)
{
	return t->verified;
}

uint64_t
kzt_token_auth_epoch(const kzt_token *t)
{
	return t->auth_epoch;
}

const kzt_card_info *
kzt_token_card_info(const kzt_token *t)
{
	return &t->info;
}

/* FCI: 6F { 84 AID, A5 { 80 version, 81 serial, 82 caps, 83 max cmd, 84 max resp } } */
static int
parse_fci(const uint8_t *p, size_t n, kzt_card_info *ci)
{
	static const uint8_t aid[KZT_AID_LEN] = KZT_AID;
	kzt_tlv fci, t, prop;
	uint32_t v;

	if (kzt_tlv_find(p, n, KZT_TAG_FCI, &fci) != KZT_OK ||
	    kzt_tlv_find(fci.val, fci.len, KZT_TAG_FCI_AID, &t) != KZT_OK || t.len != KZT_AID_LEN ||
	    memcmp(t.val, aid, KZT_AID_LEN) != 0 ||
	    kzt_tlv_find(fci.val, fci.len, KZT_TAG_FCI_PROP, &prop) != KZT_OK)
		return KZT_ERR_PARSE;
	if (kzt_tlv_find(prop.val, prop.len, KZT_TAG_APPLET_VERSION, &t) != KZT_OK ||
	    kzt_tlv_get_uint(&t, 2, &v) != KZT_OK)
		return KZT_ERR_PARSE;
	ci->version_major = (uint8_t)(v >> 8);
	ci->version_minor = (uint8_t)v;
	if (kzt_tlv_find(prop.val, prop.len, KZT_TAG_SERIAL, &t) != KZT_OK ||
	    t.len != KZT_SERIAL_LEN)
		return KZT_ERR_PARSE;
	memcpy(ci->serial, t.val, KZT_SERIAL_LEN);
	if (kzt_tlv_find(prop.val, prop.len, KZT_TAG_CAPABILITIES, &t) != KZT_OK ||
	    kzt_tlv_get_uint(&t, 1, &v) != KZT_OK)
		return KZT_ERR_PARSE;
	ci->capabilities = (uint8_t)v;
	if (kzt_tlv_find(prop.val, prop.len, KZT_TAG_MAX_COMMAND, &t) != KZT_OK ||
	    kzt_tlv_get_uint(&t, 2, &v) != KZT_OK || v == 0)
		return KZT_ERR_PARSE;
	ci->max_command = v;
	if (kzt_tlv_find(prop.val, prop.len, KZT_TAG_MAX_RESPONSE, &t) != KZT_OK ||
	    kzt_tlv_get_uint(&t, 2, &v) != KZT_OK || v == 0)
		return KZT_ERR_PARSE;
	ci->max_response = v;
	return KZT_OK;
}

static int
select_applet(kzt_token *t)
{
	static const uint8_t aid[KZT_AID_LEN] = KZT_AID;
	kzt_apdu a = {.cla = KZT_CLA_ISO, .ins = KZT_INS_SELECT, .p1 = KZT_P1_SELECT_BY_AID,
		      .p2 = KZT_P2_SELECT_FCI, .data = aid, .lc = KZT_AID_LEN,
		      .le = KZT_APDU_SHORT_MAX_LE};
	size_t n;
	int r;

	if ((r = kzt_token_command(t, &a, &n)) != KZT_OK)
		return r == KZT_ERR_NO_CARD || r == KZT_ERR_IO ? r : KZT_ERR_NOT_FOUND;
	if ((r = parse_fci(t->resp, n, &t->info)) != KZT_OK) {
		kzt_log(KZT_LOG_ERROR, "card: malformed FCI after SELECT");
		return KZT_ERR_CARD;
	}
	t->link.extended = (t->info.capabilities & KZT_CAP_EXTENDED_LENGTH) != 0 && !t->tr->short_apdus;
	t->link.chaining = (t->info.capabilities & KZT_CAP_CHAINING) != 0;
	t->link.max_cmd_data = t->info.max_command;
	return KZT_OK;
}

int
kzt_token_open(kzt_transport *tr, kzt_token **out)
{
	uint8_t atr[KZT_ATR_MAX];
	size_t atr_len = 0;
	kzt_token *t;
	int r;

	*out = NULL;
	if ((t = calloc(1, sizeof(*t))) == NULL)
		return KZT_ERR_NOMEM;
	t->tr = tr;
	t->auth_epoch = __atomic_add_fetch(&last_epoch, 1, __ATOMIC_RELAXED);
	t->resp = malloc(KZT_APDU_MAX_RESP);
	t->link.scratch = malloc(KZT_APDU_MAX_CMD);
	if (t->resp == NULL || t->link.scratch == NULL) {
		r = KZT_ERR_NOMEM;
		goto fail;
	}
	t->link.xmit = kzt_transport_transmit;
	t->link.ctx = tr;
	t->link.max_cmd_data = KZT_APDU_SHORT_MAX_LC; /* until the FCI says more */
	if ((r = kzt_transport_connect(tr, atr, &atr_len)) != KZT_OK)
		goto fail;
	if (!kzt_proto_atr_is_kaztoken(atr, atr_len)) {
		kzt_log(KZT_LOG_INFO, "card: ATR is not a KAZTOKEN's");
		r = KZT_ERR_NOT_FOUND;
		goto fail;
	}
	if ((r = select_applet(t)) != KZT_OK)
		goto fail;
	*out = t;
	return KZT_OK;
fail:
	kzt_token_free(&t);
	return r;
}

void
kzt_token_free(kzt_token **t)
{
	if (t == NULL || *t == NULL)
		return;
	if ((*t)->link.scratch != NULL)
		kzt_secure_zero((*t)->link.scratch, KZT_APDU_MAX_CMD);
	free((*t)->link.scratch);
	free((*t)->resp);
	free(*t);
	*t = NULL;
}

static int
parse_pin_status(const kzt_tlv *rec, kzt_pin_status *ps)
{
	static const uint32_t tags[] = {KZT_TAG_PIN_TRIES_LEFT, KZT_TAG_PIN_MAX_TRIES,
					KZT_TAG_PIN_MIN_LEN, KZT_TAG_PIN_MAX_LEN, KZT_TAG_PIN_FLAGS};
	uint32_t v[5];
	kzt_tlv t;
	size_t i;

	for (i = 0; i < 5; i++)
		if (kzt_tlv_find(rec->val, rec->len, tags[i], &t) != KZT_OK ||
		    kzt_tlv_get_uint(&t, 1, &v[i]) != KZT_OK)
			return KZT_ERR_PARSE;
	if (v[1] == 0 || v[0] > v[1] || v[2] == 0 || v[2] > v[3])
		return KZT_ERR_PARSE;
	ps->tries_left = (uint8_t)v[0];
	ps->max_tries = (uint8_t)v[1];
	ps->min_len = (uint8_t)v[2];
	ps->max_len = (uint8_t)v[3];
	ps->is_default = (v[4] & KZT_PINF_DEFAULT) != 0;
	return KZT_OK;
}

static int
parse_state(const uint8_t *p, size_t n, kzt_token_state *st)
{
	kzt_tlv outer, t;

	if (kzt_tlv_find(p, n, KZT_TAG_TOKEN_STATE, &outer) != KZT_OK)
		return KZT_ERR_PARSE;
	p = outer.val;
	n = outer.len;
	if (kzt_tlv_find(p, n, KZT_TAG_LABEL, &t) != KZT_OK || t.len > KZT_LABEL_MAX)
		return KZT_ERR_PARSE;
	memcpy(st->label, t.val, t.len);
	st->label_len = t.len;
	if (kzt_tlv_find(p, n, KZT_TAG_STATE_SERIAL, &t) != KZT_OK || t.len != KZT_SERIAL_LEN)
		return KZT_ERR_PARSE;
	memcpy(st->serial, t.val, KZT_SERIAL_LEN);
	if (kzt_tlv_find(p, n, KZT_TAG_CHANGE_COUNTER, &t) != KZT_OK ||
	    kzt_tlv_get_uint(&t, 4, &st->change_counter) != KZT_OK ||
	    kzt_tlv_find(p, n, KZT_TAG_MEM_TOTAL, &t) != KZT_OK ||
	    kzt_tlv_get_uint(&t, 4, &st->mem_total) != KZT_OK ||
	    kzt_tlv_find(p, n, KZT_TAG_MEM_FREE, &t) != KZT_OK ||
	    kzt_tlv_get_uint(&t, 4, &st->mem_free) != KZT_OK || st->mem_free > st->mem_total)
		return KZT_ERR_PARSE;
	if (kzt_tlv_find(p, n, KZT_TAG_POLICY, &t) != KZT_OK || t.len != 1 ||
	    (t.val[0] & ~KZT_POLICY_BOTH) != 0)
		return KZT_ERR_PARSE;
	st->policy = t.val[0];
	if (kzt_tlv_find(p, n, KZT_TAG_PIN_STATUS_USER, &t) != KZT_OK ||
	    parse_pin_status(&t, &st->user) != KZT_OK ||
	    kzt_tlv_find(p, n, KZT_TAG_PIN_STATUS_ADMIN, &t) != KZT_OK ||
	    parse_pin_status(&t, &st->admin) != KZT_OK)
		return KZT_ERR_PARSE;
	return KZT_OK;
}

int
kzt_token_read_state(kzt_token *t, kzt_token_state *st)
{
	kzt_apdu a = {.cla = KZT_CLA_ISO, .ins = KZT_INS_GET_DATA,
		      .p1 = (uint8_t)(KZT_DO_TOKEN_STATE >> 8), .p2 = (uint8_t)KZT_DO_TOKEN_STATE,
		      .le = KZT_APDU_SHORT_MAX_LE};
	size_t n;
	int r;

	memset(st, 0, sizeof(*st));
	if ((r = kzt_token_command(t, &a, &n)) != KZT_OK)
		return r;
	if ((r = parse_state(t->resp, n, st)) != KZT_OK) {
		kzt_log(KZT_LOG_ERROR, "card: malformed token state");
		memset(st, 0, sizeof(*st));
		return KZT_ERR_CARD;
	}
	t->counter_seen = st->change_counter;
	t->counter_seen_valid = 1;
	t->counter_last = 1;
	return KZT_OK;
}

int
kzt_token_counter_take(kzt_token *t, uint32_t *counter)
{
	int told = t->counter_last;

	t->counter_last = 0;
	*counter = t->counter_seen;
	return told;
}

int
kzt_token_channel(kzt_token *t, int join, const uint8_t ticket[KZT_CHANNEL_TICKET_LEN])
{
	kzt_apdu a = {.cla = KZT_CLA_PROPRIETARY, .ins = KZT_INS_CHANNEL,
		      .p1 = join ? KZT_P1_CHANNEL_JOIN : KZT_P1_CHANNEL_NAME, .data = ticket,
		      .lc = KZT_CHANNEL_TICKET_LEN};

	if (!(t->info.capabilities & KZT_CAP_CHANNELS))
		return KZT_ERR_NOT_SUPPORTED;
	return kzt_token_command(t, &a, NULL);
}
