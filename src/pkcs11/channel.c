/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* Private-key operations on the card, and the channels that let several run at
 * once on the virtual token.
 *
 * A card computes one command at a time, and the slot's card session is behind
 * the token lock: two threads signing take turns. The virtual token serves each
 * connection on its own and computes on several cores, so a second connection
 * could sign while the first does, but a connection of its own is a card session
 * of its own, logged out. CHANNEL gives it the slot's security state instead: the
 * slot's card session is named by a random ticket, and the channel joins it. From
 * then on both are one security state, as ISO 7816 logical channels are: a
 * log-out on either logs out both, the login is the slot's as before, and the
 * token driver of the slot's session stays its one owner in this module (a
 * channel only ever runs MSE SET and PSO).
 *
 * Channels are made only where they help: on a transport whose card session is
 * ours alone (the simulator's socket), on a card that has CHANNEL, and once two
 * sessions' private-key operations come within a millisecond of each other (the
 * second asked for the card at most 1 ms after the first's ended: threads taking
 * turns). A single session signing never makes one. */
#include <string.h>

#include "clock.h"
#include "crypto.h"
#include "internal.h"
#include "mech.h"
#include "kzt_err.h"
#include "log.h"

/* Token lock held: a new channel in place c, joined to the slot's card session. */
static int
channel_make(kzt_op *op, kzt_channel *c)
{
	kzt_channels *ch = &op->slot->channels;
	int r;

	if (!ch->named) {
		if ((r = kzt_random(ch->ticket, sizeof(ch->ticket))) != KZT_OK ||
		    (r = kzt_token_channel(op->token, 0, ch->ticket)) != KZT_OK)
			return r;
		ch->named = 1;
	}
	if ((r = kzt_transport_clone(op->slot->tr, &c->tr)) == KZT_OK &&
	    (r = kzt_token_open(c->tr, &c->token)) == KZT_OK)
		r = kzt_token_channel(c->token, 1, ch->ticket);
	if (r != KZT_OK) {
		kzt_channel_free(c, 0);
		return r;
	}
	c->epoch = ch->epoch;
	return KZT_OK;
}

/* Token lock held: a channel to run s's operation on (marked busy), or NULL for
 * the slot's own card session. asked: when s asked for the card. */
static kzt_channel *
channel_take(kzt_op *op, const kzt_session *s, uint64_t asked)
{
	kzt_channels *ch = &op->slot->channels;
	kzt_channel *free_place = NULL;
	size_t i;
	int r;

	if (ch->off)
		return NULL;
	if (!ch->wanted) {
		if (ch->last_session == 0 || ch->last_session == s->handle || asked > ch->last_end + 1)
			return NULL;
		if (!op->slot->tr->session_ours ||
		    !(kzt_token_card_info(op->token)->capabilities & KZT_CAP_CHANNELS)) {
			kzt_log(KZT_LOG_INFO, "slot %lu: private-key operations take turns (no channels here)",
				op->slot->id);
			ch->off = 1;
			return NULL;
		}
		ch->wanted = 1; /* another session's operation came just before: threads take turns */
	}
	for (i = 0; i < KZT_CHANNELS_MAX; i++) {
		kzt_channel *c = &ch->c[i];

		if (c->token != NULL && !c->busy) {
			c->busy = 1;
			return c;
		}
		if (c->token == NULL && !c->busy && free_place == NULL)
			free_place = c;
	}
	if (free_place == NULL)
		return NULL; /* all at work: the slot's own session then */
	if ((r = channel_make(op, free_place)) != KZT_OK) {
		kzt_log(KZT_LOG_INFO, "slot %lu: no channel (%s): private-key operations take turns",
			op->slot->id, kzt_strerror(r));
		ch->off = 1;
		return NULL;
	}
	kzt_log(KZT_LOG_INFO, "slot %lu: channel %d opened: private-key operations run at once",
		op->slot->id, (int)(free_place - ch->c) + 1);
	free_place->busy = 1;
	return free_place;
}

/* After an operation on c: it is free again; it goes when the token's channels
 * were closed meanwhile, or when its connection failed. */
static void
channel_give(kzt_slot *slot, kzt_channel *c, int status)
{
	kzt_token_lock(slot);
	c->busy = 0;
	if (c->epoch != slot->channels.epoch || status == KZT_ERR_IO || status == KZT_ERR_NO_CARD ||
	    status == KZT_ERR_PROTOCOL || status == KZT_ERR_RESET || status == KZT_ERR_CARD)
		kzt_channel_free(c, 0);
	kzt_token_unlock(slot);
}

/* The card command of st's private operation, on t. */
static int
card_private(kzt_token *t, const kzt_rsa_state *st, int decipher, const uint8_t *in, size_t in_len,
	     uint8_t *out, size_t cap, size_t *out_len)
{
	if (st->ec)
		return kzt_token_ec_sign(t, st->card_key,
					 st->mech->encoding == KZT_ENC_GOST ? KZT_ALG_GOST : KZT_ALG_ECDSA, st->k,
					 in, in_len, out, cap, out_len);
	return kzt_token_rsa_private(t, st->card_key, decipher, in, in_len, out, cap, out_len);
}

CK_RV
kzt_card_private(kzt_session *s, const kzt_rsa_state *st, int decipher, const uint8_t *in, size_t in_len,
		 uint8_t *out, size_t cap, size_t *out_len)
{
	uint64_t asked = kzt_os_now_ms();
	kzt_channel *c;
	kzt_slot *slot;
	kzt_op op;
	CK_RV rv;
	int r;

	if ((rv = kzt_card_begin_held(s, &op)) != CKR_OK)
		return rv;
	if ((c = channel_take(&op, s, asked)) != NULL) {
		slot = op.slot;
		kzt_card_end(&op);
		r = card_private(c->token, st, decipher, in, in_len, out, cap, out_len);
		channel_give(slot, c, r);
		if (r == KZT_OK)
			return CKR_OK;
		/* the slot's own card session says what is wrong, and tells its driver */
		if ((rv = kzt_card_begin_held(s, &op)) != CKR_OK)
			return rv;
	}
	rv = kzt_card_status(&op, card_private(op.token, st, decipher, in, in_len, out, cap, out_len));
	op.slot->channels.last_session = s->handle;
	op.slot->channels.last_end = kzt_os_now_ms();
	kzt_card_end(&op);
	return rv;
}
