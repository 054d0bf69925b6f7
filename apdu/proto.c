/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* The few protocol facts that are code rather than constants: the ATR and which
 * commands carry secrets (see kzt_proto.h). */
#include <string.h>

#include "kzt_proto.h"

void
kzt_proto_atr(uint8_t atr[KZT_ATR_LEN])
{
	uint8_t tck = 0;
	size_t i;

	atr[0] = 0x3B; /* TS: direct convention */
	atr[1] = 0x88; /* T0: TD1 present, 8 historical bytes */
	atr[2] = 0x80; /* TD1: TD2 present, T=0 */
	atr[3] = 0x01; /* TD2: T=1 */
	memcpy(atr + 4, KZT_ATR_HISTORICAL, 8);
	for (i = 1; i < KZT_ATR_LEN - 1; i++)
		tck ^= atr[i];
	atr[KZT_ATR_LEN - 1] = tck; /* TCK: XOR of T0..last historical byte */
}

int
kzt_proto_atr_is_kaztoken(const uint8_t *atr, size_t len)
{
	uint8_t want[KZT_ATR_LEN];

	if (atr == NULL || len != KZT_ATR_LEN)
		return 0;
	kzt_proto_atr(want);
	return memcmp(atr, want, KZT_ATR_LEN) == 0;
}

int
kzt_proto_response_is_secret(const uint8_t *cmd, size_t n)
{
	if (n < 4 || (cmd[0] & 0x80) != 0)
		return 0;
	return cmd[1] == KZT_INS_GET_CHALLENGE ||
	       (cmd[1] == KZT_INS_PSO && ((cmd[2] << 8) | cmd[3]) == KZT_P1P2_PSO_DECIPHER);
}

int
kzt_proto_ins_data_is_secret(uint8_t cla, uint8_t ins)
{
	int proprietary = (cla & 0x80) != 0;

	switch (ins) {
	case KZT_INS_VERIFY:
	case KZT_INS_CHANGE_REFERENCE_DATA:
	case KZT_INS_RESET_RETRY_COUNTER:
		return !proprietary;
	case KZT_INS_FORMAT:        /* carries the new PINs */
	case KZT_INS_CREATE_OBJECT: /* may carry imported private key components */
	case KZT_INS_CHANNEL:       /* a ticket to a security state */
		return proprietary;
	default:
		return 0;
	}
}
