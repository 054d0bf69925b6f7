/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* The module's own code driven in-process against the applet: a factory-fresh
 * virtual card in memory behind a loopback transport in slot 0, no simulator
 * process. The card's session is reachable, so a test can play another
 * application that shares the card (verifying or logging out behind the
 * module's back) and count the APDUs a call sends. */
#ifndef KZT_TEST_P11_FIXTURE_H
#define KZT_TEST_P11_FIXTURE_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "card.h"
#include "kaztoken/pkcs11.h"
#include "loopback.h"

#define PIN(s) (CK_UTF8CHAR_PTR)(s), (CK_ULONG)strlen(s)
#define USER_PIN "12345678"

typedef struct p11 {
	kzt_card card;
	loopback lb;
	CK_FUNCTION_LIST_3_0 *f;
} p11;

/* CMocka setup / teardown: the card, the module initialised over it. */
int p11_setup(void **state);
int p11_teardown(void **state);

/* A session on slot 0 (flags besides CKF_SERIAL_SESSION). */
CK_SESSION_HANDLE p11_open(p11 *t, CK_FLAGS flags);
/* A R/W session with the user logged in. */
CK_SESSION_HANDLE p11_user(p11 *t);
/* An RSA-2048 key pair made on the card, labelled label. */
void p11_keypair(p11 *t, CK_SESSION_HANDLE h, const char *label, CK_OBJECT_HANDLE *pub,
		 CK_OBJECT_HANDLE *priv);
/* A token data object (private or not) with this value. */
CK_OBJECT_HANDLE p11_data(p11 *t, CK_SESSION_HANDLE h, int private_, const char *value);
/* How many objects a search with this template finds. */
CK_ULONG p11_count(p11 *t, CK_SESSION_HANDLE h, CK_ATTRIBUTE *tmpl, CK_ULONG n);
/* The session's state (CKS_*). */
CK_STATE p11_state(p11 *t, CK_SESSION_HANDLE h);

#endif
