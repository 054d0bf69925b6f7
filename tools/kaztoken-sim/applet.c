/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* The KAZTOKEN applet, card side: command dispatch, chaining, GET RESPONSE, and the
 * PIN, token-state and format commands of docs/apdu-protocol.md. */
#include <stdlib.h>
#include <string.h>

#include "apdu.h"
#include "buf.h"
#include "card.h"
#include "kzt_err.h"
#include "secmem.h"
#include "thread.h"
#include "tlv.h"

#define APPLET_VERSION_MAJOR 1
#define APPLET_VERSION_MINOR 3

/* Where a command handler writes its response data (the session's pending buffer). */
typedef struct reply {
	kzt_buf out;
} reply;

static const uint8_t kzt_aid[KZT_AID_LEN] = KZT_AID;

/* Verifications made before the last FORMAT no longer count. */
static void
session_sync(const kzt_card *card, kzt_card_session *s)
{
	if (s->epoch != card->epoch) {
		s->user_verified = 0;
		s->admin_verified = 0;
		s->epoch = card->epoch;
	}
}

static kzt_card_pin *
pin_ref(kzt_card *card, uint8_t p2)
{
	if (p2 == KZT_PIN_USER)
		return &card->st.user;
	if (p2 == KZT_PIN_ADMIN)
		return &card->st.admin;
	return NULL;
}

static int *
verified_flag(kzt_card_session *s, uint8_t p2)
{
	return p2 == KZT_PIN_USER ? &s->user_verified : &s->admin_verified;
}

static uint16_t
sw_tries(const kzt_card_pin *pin)
{
	return pin->tries_left == 0 ? KZT_SW_PIN_BLOCKED
				    : (uint16_t)(KZT_SW_VERIFY_FAILED | pin->tries_left);
}

/* Compare a candidate with the reference without a data-dependent time: both are
 * compared over the full KZT_PIN_MAX_LEN, and the lengths are folded in. */
static int
pin_matches(const kzt_card_pin *pin, const uint8_t *cand, size_t len)
{
	uint8_t padded[KZT_PIN_MAX_LEN] = {0};
	int diff;

	if (len > KZT_PIN_MAX_LEN)
		return 0;
	if (len > 0)
		memcpy(padded, cand, len);
	diff = kzt_ct_memcmp(padded, pin->value, KZT_PIN_MAX_LEN) | (len != pin->len);
	kzt_secure_zero(padded, sizeof(padded));
	return !diff;
}

static int
pin_len_ok(const kzt_card_pin *pin, size_t len)
{
	return len >= pin->min_len && len <= KZT_PIN_MAX_LEN;
}

/* The anti-tearing rule: take a try away and persist it before looking at the
 * candidate, so pulling the card mid-command never yields a free guess. On a
 * match the counter is restored (and persisted) again. */
static uint16_t
check_pin(kzt_card *card, kzt_card_pin *pin, const uint8_t *cand, size_t len)
{
	int ok;

	if (pin->tries_left == 0)
		return KZT_SW_PIN_BLOCKED;
	pin->tries_left--;
	if (kzt_card_commit(card) != KZT_OK) {
		pin->tries_left++; /* nothing was persisted, nothing compared */
		return KZT_SW_MEMORY_FAILURE;
	}
	ok = pin_matches(pin, cand, len);
	if (!ok)
		return sw_tries(pin);
	pin->tries_left = pin->max_tries;
	if (kzt_card_commit(card) != KZT_OK) {
		pin->tries_left--; /* as persisted */
		return KZT_SW_MEMORY_FAILURE;
	}
	return KZT_SW_OK;
}

static uint16_t
cmd_select(kzt_card *card, kzt_card_session *s, const kzt_apdu *a, reply *rp)
{
	size_t fci, prop;

	if (a->p1 != KZT_P1_SELECT_BY_AID || a->p2 != KZT_P2_SELECT_FCI)
		return KZT_SW_WRONG_P1P2;
	if (a->lc != KZT_AID_LEN || memcmp(a->data, kzt_aid, KZT_AID_LEN) != 0)
		return KZT_SW_NOT_FOUND;
	if (!s->selected) {
		kzt_card_session_reset(s);
		s->selected = 1;
		s->epoch = card->epoch;
	}
	/* Selected again: the verifications stand (as PIV's do), since on a shared
	 * card another application's SELECT must not log this one out. */
	kzt_tlv_begin(&rp->out, KZT_TAG_FCI, &fci);
	kzt_tlv_put(&rp->out, KZT_TAG_FCI_AID, kzt_aid, KZT_AID_LEN);
	kzt_tlv_begin(&rp->out, KZT_TAG_FCI_PROP, &prop);
	kzt_tlv_put_u16(&rp->out, KZT_TAG_APPLET_VERSION,
			(APPLET_VERSION_MAJOR << 8) | APPLET_VERSION_MINOR);
	kzt_tlv_put(&rp->out, KZT_TAG_SERIAL, card->st.serial, KZT_SERIAL_LEN);
	kzt_tlv_put_u8(&rp->out, KZT_TAG_CAPABILITIES,
		       (KZT_CAP_EXTENDED_LENGTH | KZT_CAP_CHAINING | KZT_CAP_READ_VALUES | KZT_CAP_LIST_PRIVATE |
			KZT_CAP_CHANNELS | KZT_CAP_EC) &
			       ~card->caps_hidden);
	kzt_tlv_put_u16(&rp->out, KZT_TAG_MAX_COMMAND, KZT_CARD_MAX_DATA);
	kzt_tlv_put_u16(&rp->out, KZT_TAG_MAX_RESPONSE, KZT_CARD_MAX_DATA);
	kzt_tlv_end(&rp->out, prop);
	kzt_tlv_end(&rp->out, fci);
	return KZT_SW_OK;
}

static void
put_pin_status(kzt_buf *b, uint32_t tag, const kzt_card_pin *pin, const char *factory)
{
	size_t mark;
	int is_default = pin->len == strlen(factory) && memcmp(pin->value, factory, pin->len) == 0;

	kzt_tlv_begin(b, tag, &mark);
	kzt_tlv_put_u8(b, KZT_TAG_PIN_TRIES_LEFT, pin->tries_left);
	kzt_tlv_put_u8(b, KZT_TAG_PIN_MAX_TRIES, pin->max_tries);
	kzt_tlv_put_u8(b, KZT_TAG_PIN_MIN_LEN, pin->min_len);
	kzt_tlv_put_u8(b, KZT_TAG_PIN_MAX_LEN, KZT_PIN_MAX_LEN);
	kzt_tlv_put_u8(b, KZT_TAG_PIN_FLAGS, is_default ? KZT_PINF_DEFAULT : 0);
	kzt_tlv_end(b, mark);
}

static uint16_t
cmd_get_data(kzt_card *card, const kzt_apdu *a, reply *rp)
{
	uint16_t tag = (uint16_t)((a->p1 << 8) | a->p2);
	const kzt_card_state *st = &card->st;
	size_t mark;

	if (a->lc != 0)
		return KZT_SW_WRONG_LENGTH;
	if (tag == KZT_DO_CHANGE_COUNTER) {
		kzt_buf_put_u32(&rp->out, st->change_counter);
		return KZT_SW_OK;
	}
	if (tag != KZT_DO_TOKEN_STATE)
		return KZT_SW_REF_NOT_FOUND;
	kzt_tlv_begin(&rp->out, KZT_TAG_TOKEN_STATE, &mark);
	kzt_tlv_put(&rp->out, KZT_TAG_LABEL, st->label, st->label_len);
	kzt_tlv_put(&rp->out, KZT_TAG_STATE_SERIAL, st->serial, KZT_SERIAL_LEN);
	kzt_tlv_put_u32(&rp->out, KZT_TAG_CHANGE_COUNTER, st->change_counter);
	kzt_tlv_put_u32(&rp->out, KZT_TAG_MEM_TOTAL, st->capacity);
	kzt_tlv_put_u32(&rp->out, KZT_TAG_MEM_FREE,
			(uint32_t)(st->capacity - kzt_card_used(st)));
	kzt_tlv_put_u8(&rp->out, KZT_TAG_POLICY, st->policy);
	put_pin_status(&rp->out, KZT_TAG_PIN_STATUS_USER, &st->user, KZT_DEFAULT_USER_PIN);
	put_pin_status(&rp->out, KZT_TAG_PIN_STATUS_ADMIN, &st->admin, KZT_DEFAULT_ADMIN_PIN);
	kzt_tlv_end(&rp->out, mark);
	return KZT_SW_OK;
}

static uint16_t
cmd_verify(kzt_card *card, kzt_card_session *s, const kzt_apdu *a)
{
	kzt_card_pin *pin = pin_ref(card, a->p2);
	int *verified;
	uint16_t sw;

	if (pin == NULL)
		return KZT_SW_REF_NOT_FOUND;
	verified = verified_flag(s, a->p2);
	if (a->p1 == KZT_P1_LOGOUT) {
		if (a->lc != 0)
			return KZT_SW_WRONG_LENGTH;
		*verified = 0;
		return KZT_SW_OK;
	}
	if (a->p1 != KZT_P1_VERIFY)
		return KZT_SW_WRONG_P1P2;
	if (a->lc == 0) /* status query: costs no try */
		return pin->tries_left == 0 ? KZT_SW_PIN_BLOCKED
		       : *verified          ? KZT_SW_OK
					    : sw_tries(pin);
	sw = check_pin(card, pin, a->data, a->lc);
	*verified = sw == KZT_SW_OK;
	return sw;
}

static uint16_t
cmd_change_reference_data(kzt_card *card, kzt_card_session *s, const kzt_apdu *a)
{
	kzt_card_pin *pin = pin_ref(card, a->p2), saved;
	kzt_tlv old, neu;
	uint16_t sw;

	if (pin == NULL)
		return KZT_SW_REF_NOT_FOUND;
	if (a->p1 != KZT_P1_CHANGE_OLD_NEW)
		return KZT_SW_WRONG_P1P2;
	if (kzt_tlv_find(a->data, a->lc, KZT_TAG_OLD_PIN, &old) != KZT_OK ||
	    kzt_tlv_find(a->data, a->lc, KZT_TAG_NEW_PIN, &neu) != KZT_OK)
		return KZT_SW_WRONG_DATA;
	if (a->p2 == KZT_PIN_USER && !(card->st.policy & KZT_POLICY_USER))
		return KZT_SW_NOT_ALLOWED;
	if (pin->tries_left == 0)
		return KZT_SW_PIN_BLOCKED;
	/* Refuse a bad new PIN before any try is spent on the old one. */
	if (!pin_len_ok(pin, neu.len))
		return KZT_SW_WRONG_DATA;
	if ((sw = check_pin(card, pin, old.val, old.len)) != KZT_SW_OK) {
		*verified_flag(s, a->p2) = 0;
		return sw;
	}
	saved = *pin;
	memcpy(pin->value, neu.val, neu.len);
	memset(pin->value + neu.len, 0, KZT_PIN_MAX_LEN - neu.len);
	pin->len = (uint8_t)neu.len;
	if (kzt_card_commit(card) != KZT_OK) {
		*pin = saved;
		sw = KZT_SW_MEMORY_FAILURE;
	}
	kzt_secure_zero(&saved, sizeof(saved));
	return sw;
}

static uint16_t
cmd_reset_retry_counter(kzt_card *card, kzt_card_session *s, const kzt_apdu *a)
{
	kzt_card_pin *pin = &card->st.user, saved = *pin;
	uint16_t sw = KZT_SW_OK;

	if (a->p2 != KZT_PIN_USER) {
		sw = KZT_SW_REF_NOT_FOUND;
		goto out;
	}
	if (a->p1 != KZT_P1_RESET_ONLY && a->p1 != KZT_P1_RESET_NEW_PIN) {
		sw = KZT_SW_WRONG_P1P2;
		goto out;
	}
	if (!s->admin_verified) {
		sw = KZT_SW_SECURITY_STATUS;
		goto out;
	}
	if (a->p1 == KZT_P1_RESET_ONLY) {
		if (a->lc != 0) {
			sw = KZT_SW_WRONG_LENGTH;
			goto out;
		}
	} else {
		if (!(card->st.policy & KZT_POLICY_ADMIN)) {
			sw = KZT_SW_NOT_ALLOWED;
			goto out;
		}
		if (!pin_len_ok(pin, a->lc)) {
			sw = KZT_SW_WRONG_DATA;
			goto out;
		}
		memset(pin->value, 0, KZT_PIN_MAX_LEN);
		memcpy(pin->value, a->data, a->lc);
		pin->len = (uint8_t)a->lc;
		s->user_verified = 0;
	}
	pin->tries_left = pin->max_tries;
	if (kzt_card_commit(card) != KZT_OK) {
		*pin = saved;
		sw = KZT_SW_MEMORY_FAILURE;
	}
out:
	kzt_secure_zero(&saved, sizeof(saved));
	return sw;
}

/* Apply one FORMAT element to the new state; 0 when its value is unacceptable. */
static int
format_element(kzt_card_state *st, const kzt_tlv *t)
{
	uint32_t v;

	switch (t->tag) {
	case KZT_TAG_FMT_LABEL:
		if (t->len > KZT_LABEL_MAX)
			return 0;
		memcpy(st->label, t->val, t->len);
		st->label_len = (uint8_t)t->len;
		return 1;
	case KZT_TAG_FMT_USER_PIN:
	case KZT_TAG_FMT_ADMIN_PIN: {
		kzt_card_pin *pin = t->tag == KZT_TAG_FMT_USER_PIN ? &st->user : &st->admin;
		if (t->len == 0 || t->len > KZT_PIN_MAX_LEN)
			return 0;
		memset(pin->value, 0, KZT_PIN_MAX_LEN);
		memcpy(pin->value, t->val, t->len);
		pin->len = (uint8_t)t->len;
		return 1;
	}
	case KZT_TAG_FMT_USER_MIN_LEN:
	case KZT_TAG_FMT_ADMIN_MIN_LEN:
		if (kzt_tlv_get_uint(t, 1, &v) != KZT_OK || v < KZT_PIN_MIN_LEN_FLOOR ||
		    v > KZT_PIN_MAX_LEN)
			return 0;
		(t->tag == KZT_TAG_FMT_USER_MIN_LEN ? &st->user : &st->admin)->min_len = (uint8_t)v;
		return 1;
	case KZT_TAG_FMT_USER_TRIES:
	case KZT_TAG_FMT_ADMIN_TRIES:
		if (kzt_tlv_get_uint(t, 1, &v) != KZT_OK || v == 0 || v > KZT_TRIES_MAX)
			return 0;
		(t->tag == KZT_TAG_FMT_USER_TRIES ? &st->user : &st->admin)->max_tries = (uint8_t)v;
		return 1;
	case KZT_TAG_FMT_POLICY:
		if (kzt_tlv_get_uint(t, 1, &v) != KZT_OK || v == 0 || (v & ~KZT_POLICY_BOTH) != 0)
			return 0;
		st->policy = (uint8_t)v;
		return 1;
	default:
		return 0;
	}
}

static uint16_t
cmd_format(kzt_card *card, kzt_card_session *s, const kzt_apdu *a)
{
	kzt_card_state *neu, old;
	const uint8_t *p = a->data;
	size_t n = a->lc;
	uint16_t sw = KZT_SW_OK;
	kzt_tlv t;

	if (a->p1 != 0 || a->p2 != 0)
		return KZT_SW_WRONG_P1P2;
	if (!s->admin_verified)
		return KZT_SW_SECURITY_STATUS;
	if ((neu = malloc(sizeof(*neu))) == NULL)
		return KZT_SW_MEMORY_FAILURE;
	kzt_card_factory(neu, card->st.serial);
	neu->capacity = card->st.capacity;
	neu->next_handle = card->st.next_handle; /* old handles are never reissued */
	neu->change_counter = card->st.change_counter + 1;
	while (n > 0) {
		if (kzt_tlv_next(&p, &n, &t) != KZT_OK || !format_element(neu, &t)) {
			sw = KZT_SW_WRONG_DATA;
			goto out;
		}
	}
	if (neu->user.len < neu->user.min_len || neu->admin.len < neu->admin.min_len) {
		sw = KZT_SW_WRONG_DATA;
		goto out;
	}
	neu->user.tries_left = neu->user.max_tries;
	neu->admin.tries_left = neu->admin.max_tries;
	old = card->st; /* takes the objects along: erased only once the commit holds */
	card->st = *neu;
	if (kzt_card_commit(card) != KZT_OK) {
		card->st = old;
		sw = KZT_SW_MEMORY_FAILURE;
	} else {
		kzt_card_objects_clear(&old);
		card->epoch++; /* every session, this one included, is logged out */
		session_sync(card, s);
		s->sign_key = s->decipher_key = 0;
	}
	kzt_secure_zero(&old, sizeof(old));
out:
	kzt_secure_zero(neu, sizeof(*neu));
	free(neu);
	return sw;
}

/* PUT DATA 00C3: the token label, by the user or the admin. */
static uint16_t
cmd_put_data(kzt_card *card, kzt_card_session *s, const kzt_apdu *a)
{
	kzt_card_state *st = &card->st;
	uint8_t old[KZT_LABEL_MAX];
	uint8_t old_len = st->label_len;

	if ((uint16_t)(a->p1 << 8 | a->p2) != KZT_DO_LABEL)
		return KZT_SW_REF_NOT_FOUND;
	if (!s->user_verified && !s->admin_verified)
		return KZT_SW_SECURITY_STATUS;
	if (a->lc > KZT_LABEL_MAX)
		return KZT_SW_WRONG_DATA;
	memcpy(old, st->label, KZT_LABEL_MAX);
	memset(st->label, 0, KZT_LABEL_MAX);
	if (a->lc > 0)
		memcpy(st->label, a->data, a->lc);
	st->label_len = (uint8_t)a->lc;
	st->change_counter++;
	if (kzt_card_commit(card) != KZT_OK) {
		memcpy(st->label, old, KZT_LABEL_MAX);
		st->label_len = old_len;
		st->change_counter--;
		return KZT_SW_MEMORY_FAILURE;
	}
	return KZT_SW_OK;
}

static uint16_t
cmd_get_challenge(const kzt_apdu *a, reply *rp)
{
	uint8_t rnd[256];

	if (a->p1 != 0 || a->p2 != 0)
		return KZT_SW_WRONG_P1P2;
	if (a->lc != 0 || a->le == 0 || a->le > sizeof(rnd))
		return KZT_SW_WRONG_LENGTH;
	if (kzt_card_random(rnd, a->le) != KZT_OK)
		return KZT_SW_UNKNOWN;
	kzt_buf_put(&rp->out, rnd, a->le);
	kzt_secure_zero(rnd, sizeof(rnd));
	return KZT_SW_OK;
}

/* CHANNEL: P1 00 names this session's security state with the ticket in the
 * data (it becomes a group of one, alive while a session is in it; named again,
 * the same group takes the new name); P1 01 makes this session share the state
 * of the group of that name, its own verifications gone. */
static uint16_t
cmd_channel(kzt_card *card, kzt_card_session *s, const kzt_apdu *a)
{
	kzt_card_group *g;

	if (a->p2 != 0 || (a->p1 != KZT_P1_CHANNEL_NAME && a->p1 != KZT_P1_CHANNEL_JOIN))
		return KZT_SW_WRONG_P1P2;
	if (a->lc != KZT_CHANNEL_TICKET_LEN)
		return KZT_SW_WRONG_LENGTH;
	if (a->p1 == KZT_P1_CHANNEL_NAME) {
		if ((g = s->group) == NULL) {
			if ((g = calloc(1, sizeof(*g))) == NULL)
				return KZT_SW_MEMORY_FAILURE;
			g->members = 1;
			g->next = card->groups;
			card->groups = g;
			s->group = g;
		}
		memcpy(g->ticket, a->data, KZT_CHANNEL_TICKET_LEN);
		return KZT_SW_OK;
	}
	for (g = card->groups; g != NULL; g = g->next)
		if (kzt_ct_memcmp(g->ticket, a->data, KZT_CHANNEL_TICKET_LEN) == 0)
			break;
	if (g == NULL || g == s->group)
		return g == NULL ? KZT_SW_REF_NOT_FOUND : KZT_SW_OK;
	if (s->group != NULL)
		return KZT_SW_CONDITIONS; /* in a group already: one at a time */
	g->members++;
	s->group = g;
	/* (process copies the group's state in before the next command) */
	s->user_verified = g->user_verified;
	s->admin_verified = g->admin_verified;
	s->epoch = g->epoch;
	return KZT_SW_OK;
}

static uint16_t
dispatch(kzt_card *card, kzt_card_session *s, const kzt_apdu *a, reply *rp)
{
	int proprietary = a->cla == KZT_CLA_PROPRIETARY;

	if (a->cla != KZT_CLA_ISO && !proprietary)
		return KZT_SW_CLA_UNSUPPORTED;
	if (!proprietary && a->ins == KZT_INS_SELECT)
		return cmd_select(card, s, a, rp);
	if (!s->selected)
		return KZT_SW_CONDITIONS;
	session_sync(card, s);
	if (proprietary) {
		switch (a->ins) {
		case KZT_INS_FORMAT: return cmd_format(card, s, a);
		case KZT_INS_LIST_OBJECTS: return kzt_cmd_list_objects(card, s, a, &rp->out);
		case KZT_INS_READ_OBJECT: return kzt_cmd_read_object(card, s, a, &rp->out);
		case KZT_INS_READ_VALUES: return kzt_cmd_read_values(card, s, a, &rp->out);
		case KZT_INS_CREATE_OBJECT: return kzt_cmd_create_object(card, s, a, &rp->out);
		case KZT_INS_UPDATE_OBJECT: return kzt_cmd_update_object(card, s, a);
		case KZT_INS_DELETE_OBJECT: return kzt_cmd_delete_object(card, s, a);
		case KZT_INS_CHANNEL: return cmd_channel(card, s, a);
		default: return KZT_SW_INS_UNSUPPORTED;
		}
	}
	switch (a->ins) {
	case KZT_INS_GET_DATA: return cmd_get_data(card, a, rp);
	case KZT_INS_PUT_DATA: return cmd_put_data(card, s, a);
	case KZT_INS_GENERATE_KEY_PAIR: return kzt_cmd_generate_key_pair(card, s, a, &rp->out);
	case KZT_INS_MSE: return kzt_cmd_mse(card, s, a);
	case KZT_INS_PSO: return kzt_cmd_pso(card, s, a, &rp->out);
	case KZT_INS_VERIFY: return cmd_verify(card, s, a);
	case KZT_INS_CHANGE_REFERENCE_DATA: return cmd_change_reference_data(card, s, a);
	case KZT_INS_RESET_RETRY_COUNTER: return cmd_reset_retry_counter(card, s, a);
	case KZT_INS_GET_CHALLENGE: return cmd_get_challenge(a, rp);
	default: return KZT_SW_INS_UNSUPPORTED;
	}
}

/* Hand out up to le bytes of the pending response, 61xx while more remain; the
 * last part carries the command's own status (9000, or 6310 for "more data"). */
static void
emit_pending(kzt_card_session *s, uint32_t le, uint8_t *resp, size_t *resp_len, uint16_t *sw)
{
	size_t left = s->pending_len - s->pending_off, n = left < le ? left : le;

	memcpy(resp, s->pending + s->pending_off, n);
	s->pending_off += n;
	*resp_len = n;
	left -= n;
	if (left == 0) {
		s->pending_len = s->pending_off = 0;
		*sw = s->pending_sw;
	} else {
		*sw = (uint16_t)(KZT_SW_BYTES_REMAINING | (left > 255 ? 0 : left));
	}
}

/* Collect a chained command; returns 1 when a (whole) command is ready in *a. */
static int
chain_collect(kzt_card_session *s, kzt_apdu *a, uint16_t *sw)
{
	int more = (a->cla & KZT_CLA_CHAIN) != 0;
	uint8_t hdr[4] = {(uint8_t)(a->cla & ~KZT_CLA_CHAIN), a->ins, a->p1, a->p2};

	if (!s->chaining && !more)
		return 1;
	if (s->chaining && memcmp(hdr, s->chain_hdr, 4) != 0) {
		s->chaining = 0;
		s->chain_len = 0;
		*sw = KZT_SW_LAST_CHAIN_EXPECTED;
		return 0;
	}
	if (a->lc > sizeof(s->chain) - s->chain_len) {
		s->chaining = 0;
		s->chain_len = 0;
		*sw = KZT_SW_WRONG_LENGTH;
		return 0;
	}
	if (!s->chaining) {
		memcpy(s->chain_hdr, hdr, 4);
		s->chaining = 1;
		s->chain_len = 0;
	}
	if (a->lc > 0)
		memcpy(s->chain + s->chain_len, a->data, a->lc);
	s->chain_len += a->lc;
	if (more) {
		*sw = KZT_SW_OK;
		return 0;
	}
	s->chaining = 0;
	a->cla = hdr[0];
	a->data = s->chain;
	a->lc = s->chain_len;
	return 1;
}

/* One command, the card lock held (kzt_applet_process). */
static void
process(kzt_card *card, kzt_card_session *s, const uint8_t *cmd, size_t cmd_len, uint8_t *resp,
	size_t resp_cap, size_t *resp_len)
{
	kzt_apdu a;
	reply rp;
	uint16_t sw;
	uint32_t le, was_epoch;
	int was_user, was_admin;

	card->apdus++;
	*resp_len = 0;
	if (resp_cap < KZT_CARD_MAX_DATA + 2)
		return; /* contract violation: nothing sensible to answer */
	if (kzt_apdu_parse(cmd, cmd_len, &a) != KZT_OK) {
		sw = KZT_SW_WRONG_LENGTH;
		goto done;
	}
	if (a.ins == KZT_INS_GET_RESPONSE && (a.cla & ~KZT_CLA_PROPRIETARY) == 0) {
		if (s->pending_len == 0) {
			sw = KZT_SW_CONDITIONS;
			goto done;
		}
		emit_pending(s, a.le, resp, resp_len, &sw);
		goto done;
	}
	s->pending_len = s->pending_off = 0; /* any other command drops the remainder */
	if (!chain_collect(s, &a, &sw))
		goto done;
	le = a.le;
	kzt_buf_init(&rp.out, s->pending, sizeof(s->pending));
	if (s->group != NULL) {
		/* the group's security state is this session's for the command... */
		s->user_verified = s->group->user_verified;
		s->admin_verified = s->group->admin_verified;
		s->epoch = s->group->epoch;
	}
	was_user = s->user_verified;
	was_admin = s->admin_verified;
	was_epoch = s->epoch;
	sw = dispatch(card, s, &a, &rp);
	if (s->group != NULL && (s->user_verified != was_user || s->admin_verified != was_admin ||
				 s->epoch != was_epoch || a.ins == KZT_INS_CHANNEL)) {
		/* ...and what it changed is the group's (a private key operation, which
		 * lets the lock go while it computes, changes none of it) */
		s->group->user_verified = s->user_verified;
		s->group->admin_verified = s->admin_verified;
		s->group->epoch = s->epoch;
	}
	if (s->chain_len > 0) {
		kzt_secure_zero(s->chain, s->chain_len);
		s->chain_len = 0;
	}
	if (rp.out.err != KZT_OK) {
		kzt_secure_zero(s->pending, sizeof(s->pending));
		sw = KZT_SW_UNKNOWN;
		goto done;
	}
	if ((sw == KZT_SW_OK || sw == KZT_SW_MORE_DATA) && rp.out.len > 0) {
		s->pending_len = rp.out.len;
		s->pending_off = 0;
		s->pending_sw = sw;
		emit_pending(s, le, resp, resp_len, &sw);
	}
done:
	resp[*resp_len] = (uint8_t)(sw >> 8);
	resp[*resp_len + 1] = (uint8_t)sw;
	*resp_len += 2;
}

void
kzt_applet_process(kzt_card *card, kzt_card_session *s, const uint8_t *cmd, size_t cmd_len,
		   uint8_t *resp, size_t resp_cap, size_t *resp_len)
{
	if (card->lock != NULL)
		kzt_os_mutex_lock(card->lock);
	process(card, s, cmd, cmd_len, resp, resp_cap, resp_len);
	if (card->lock != NULL)
		kzt_os_mutex_unlock(card->lock);
}
