/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* CCID bytes: the class descriptor and the bulk messages (see ccid.h). Nothing
 * here trusts a length the reader gave. */
#include <string.h>

#include "ccid.h"
#include "kzt_err.h"

static uint32_t
get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

int
kzt_ccid_desc_parse(const uint8_t *d, size_t len, kzt_ccid_desc *out)
{
	uint32_t level;

	memset(out, 0, sizeof(*out));
	if (d == NULL || len < KZT_CCID_DESC_LEN || d[0] != KZT_CCID_DESC_LEN ||
	    d[1] != KZT_CCID_DESC_TYPE)
		return KZT_ERR_PARSE;
	out->max_slot = d[4];
	out->voltages = d[5];
	out->protocols = get32(d + 6);
	out->max_ifsd = get32(d + 28);
	out->features = get32(d + 40);
	out->max_message = get32(d + 44);
	level = out->features & KZT_CCID_LEVEL_MASK;
	if (level == KZT_CCID_LEVEL_CHAR)
		return KZT_ERR_NOT_SUPPORTED; /* character level: not driven by this module */
	if (level == KZT_CCID_LEVEL_TPDU && !(out->protocols & 2))
		return KZT_ERR_NOT_SUPPORTED; /* TPDU level only with T=1 */
	/* room for the header and a short APDU with 255 data bytes (or, for TPDU, a
	 * whole T=1 block) */
	if (out->max_message < KZT_CCID_HEADER + 261)
		return KZT_ERR_NOT_SUPPORTED;
	return KZT_OK;
}

void
kzt_ccid_msg_put(uint8_t *out, uint8_t type, uint8_t slot, uint8_t seq, const uint8_t p[3],
		 const uint8_t *data, size_t len)
{
	out[0] = type;
	out[1] = (uint8_t)len;
	out[2] = (uint8_t)(len >> 8);
	out[3] = (uint8_t)(len >> 16);
	out[4] = (uint8_t)(len >> 24);
	out[5] = slot;
	out[6] = seq;
	memcpy(out + 7, p, 3);
	if (len > 0)
		memmove(out + KZT_CCID_HEADER, data, len);
}

int
kzt_ccid_reply_parse(const uint8_t *msg, size_t n, kzt_ccid_reply *out)
{
	uint32_t len;

	memset(out, 0, sizeof(*out));
	if (msg == NULL || n < KZT_CCID_HEADER)
		return KZT_ERR_PARSE;
	len = get32(msg + 1);
	if (len != n - KZT_CCID_HEADER)
		return KZT_ERR_PARSE;
	out->type = msg[0];
	out->slot = msg[5];
	out->seq = msg[6];
	out->status = msg[7];
	out->error = msg[8];
	out->extra = msg[9];
	out->data = msg + KZT_CCID_HEADER;
	out->len = len;
	return KZT_OK;
}
