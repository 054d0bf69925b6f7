/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* Names of the internal status codes. */
#include "kzt_err.h"

const char *
kzt_strerror(int status)
{
	switch (status) {
	case KZT_OK: return "ok";
	case KZT_ERR_ARGS: return "bad arguments";
	case KZT_ERR_NOMEM: return "out of memory";
	case KZT_ERR_BUFFER: return "buffer too small";
	case KZT_ERR_PARSE: return "malformed data";
	case KZT_ERR_IO: return "transport error";
	case KZT_ERR_NO_CARD: return "no card";
	case KZT_ERR_CARD: return "unexpected card response";
	case KZT_ERR_PIN_INCORRECT: return "PIN incorrect";
	case KZT_ERR_PIN_LOCKED: return "PIN locked";
	case KZT_ERR_PIN_LEN: return "PIN length out of range";
	case KZT_ERR_NOT_AUTH: return "not authenticated";
	case KZT_ERR_POLICY: return "not allowed by the token's policy";
	case KZT_ERR_NOT_SUPPORTED: return "not supported";
	case KZT_ERR_NOT_FOUND: return "not found";
	case KZT_ERR_NO_SPACE: return "token memory full";
	case KZT_ERR_STORE: return "store unreadable or unwritable";
	case KZT_ERR_DATA: return "data rejected";
	case KZT_ERR_RESET: return "card reset by another application";
	case KZT_ERR_CANCELLED: return "cancelled";
	case KZT_ERR_TIMEOUT: return "timed out";
	case KZT_ERR_PROTOCOL: return "reader protocol error";
	case KZT_ERR_TOO_LARGE: return "too large for the card";
	default: return "unknown error";
	}
}
