/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* The module's own code driven in-process against the applet: a factory-fresh
 * virtual card in memory behind a loopback transport in slot 0, no simulator
 * process. The card's session is reachable, so a test can play another
 * application that shares the card (verifying or logging out behind the
 * module's back), take the card out, and count the APDUs a call sends. */
#ifndef KZT_TEST_P11_FIXTURE_H
#define KZT_TEST_P11_FIXTURE_H

#include "card.h"
#include "loopback.h"
#include "p11_calls.h"

typedef struct fixture {
	kzt_card card;
	loopback lb;
	CK_FUNCTION_LIST_3_0 *p;
} fixture;

/* CMocka setup / teardown: the card, and the module over it not initialised yet
 * (setup) or initialised (p11_setup). Teardown finalises it if need be. */
int setup(void **state);
int p11_setup(void **state);
int teardown(void **state);

/* APDUs the card has processed so far. */
#define card_apdus(f) ((unsigned long)(f)->lb.apdus)

#endif
