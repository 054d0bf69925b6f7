/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* The one status enum every internal function returns: KZT_OK or a negative error.
 * Only src/pkcs11/rv.c turns these into CK_RV; only src/token/status.c makes them
 * from card status words. */
#ifndef KZT_ERR_H
#define KZT_ERR_H

enum kzt_status {
	KZT_OK = 0,
	KZT_ERR_ARGS = -1,           /* a caller passed something out of contract */
	KZT_ERR_NOMEM = -2,          /* allocation failed */
	KZT_ERR_BUFFER = -3,         /* output does not fit the space given */
	KZT_ERR_PARSE = -4,          /* malformed bytes (APDU, TLV, store, config) */
	KZT_ERR_IO = -5,             /* the transport failed */
	KZT_ERR_NO_CARD = -6,        /* no card, or it went away */
	KZT_ERR_CARD = -7,           /* the card answered something unexpected */
	KZT_ERR_PIN_INCORRECT = -8,  /* wrong PIN, tries remain */
	KZT_ERR_PIN_LOCKED = -9,     /* PIN blocked: no tries left */
	KZT_ERR_PIN_LEN = -10,       /* PIN length outside the policy */
	KZT_ERR_NOT_AUTH = -11,      /* security status not satisfied (log in first) */
	KZT_ERR_POLICY = -12,        /* the token's policy forbids the operation */
	KZT_ERR_NOT_SUPPORTED = -13, /* command or feature not supported */
	KZT_ERR_NOT_FOUND = -14,     /* object, file or reference not found */
	KZT_ERR_NO_SPACE = -15,      /* the card's store is full */
	KZT_ERR_STORE = -16,         /* persistent store unreadable or unwritable */
	KZT_ERR_DATA = -17,          /* data field rejected by the card */
	KZT_ERR_RESET = -18,         /* the card was reset by someone else: its logins are gone */
	KZT_ERR_CANCELLED = -19,     /* a wait was cancelled (the module is finalising) */
	KZT_ERR_TIMEOUT = -20,       /* a wait ended with nothing to report */
	KZT_ERR_PROTOCOL = -21,      /* the reader broke its protocol (CCID, T=1) */
	KZT_ERR_TOO_LARGE = -22,     /* more than the card takes in one object (a hard limit) */
};

/* A short English name for a status, for logs and tool messages. */
const char *kzt_strerror(int status);

#endif
