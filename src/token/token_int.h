/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* What the token driver's files share: the token structure and the one function
 * that sends a command and maps its status word. */
#ifndef KZT_TOKEN_INT_H
#define KZT_TOKEN_INT_H

#include "apdu.h"
#include "token.h"

struct kzt_token {
	kzt_transport *tr; /* not owned */
	kzt_apdu_link link;
	kzt_card_info info;
	uint8_t *resp; /* KZT_APDU_MAX_RESP bytes */
	unsigned verified; /* KZT_VERIFIED_*: what the card has verified, as its answers say */
	uint64_t auth_epoch; /* a new value at every change of verified (kzt_token_auth_epoch) */
	/* the change counter as the card last gave it (GET DATA: the counter, or the
	 * token state), when it has: a safe tag for any listing made after it */
	uint32_t counter_seen;
	int counter_seen_valid;
	/* the card's last answer was the token state, and counter_seen is its counter
	 * (kzt_token_counter_take: once) */
	int counter_last;
	/* the keys MSE SET selected on the card session, for signing [0] and
	 * deciphering [1] (0: none or not known), kept only while the transport's
	 * session is ours; forgotten at any failure, DELETE OBJECT and FORMAT; each
	 * with the algorithm it was selected for */
	uint16_t selected[2];
	uint8_t selected_alg[2];
};

/* Send a, put the response data in t->resp (*resp_len bytes; may be NULL when no
 * data is wanted) and return the status word's meaning. The encoded command is
 * wiped afterwards when its data field is secret. */
int kzt_token_command(kzt_token *t, const kzt_apdu *a, size_t *resp_len);
/* What command a, answered with status r, did to the card's security state
 * (kzt_token_command does it for every command it sends; a paged read, for each
 * part that fails). */
void kzt_token_note_security(kzt_token *t, const kzt_apdu *a, int r);

#endif
