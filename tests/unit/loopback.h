/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* A transport that hands APDUs straight to an in-process applet, so the token
 * driver is tested against the real card code without sockets. It can also be told
 * to answer with canned bytes, to feed the driver malformed card responses. */
#ifndef KZT_TEST_LOOPBACK_H
#define KZT_TEST_LOOPBACK_H

#include "card.h"
#include "transport.h"

typedef struct loopback {
	kzt_card *card;
	kzt_card_session session;
	int present;             /* 0: behaves as a removed card */
	const uint8_t *canned;   /* when set, every response is these bytes */
	size_t canned_len;
	const uint8_t *atr;      /* when set, connect returns this ATR */
	size_t atr_len;
	unsigned apdus;          /* commands seen */
	int fail_next;           /* the next exchanges fail with an I/O error (count) */
	unsigned pull_at;        /* when set: the card is pulled out just before the
				  * pull_at-th command from now (1: the next one)... */
	int pull_after_answer;   /* ...or just after the card ran it, its answer lost */
} loopback;

/* A transport over lb (not owned; it must outlive the transport). */
kzt_transport *loopback_transport(loopback *lb);

#endif
