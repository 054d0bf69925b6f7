/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* ISO 7816-4 command APDUs: encoding (short or extended Lc/Le), strict parsing
 * (card side), and the host-side exchange that chains long commands, follows
 * 61xx with GET RESPONSE and re-issues on 6Cxx. */
#ifndef KZT_APDU_H
#define KZT_APDU_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

#define KZT_APDU_SHORT_MAX_LC 255
#define KZT_APDU_SHORT_MAX_LE 256
#define KZT_APDU_EXT_MAX_LC 65535
#define KZT_APDU_EXT_MAX_LE 65536
/* Longest encoded command: header, 00, Lc(2), data, Le(2). */
#define KZT_APDU_MAX_CMD (4 + 3 + KZT_APDU_EXT_MAX_LC + 2)
/* Longest response: data plus SW1 SW2. */
#define KZT_APDU_MAX_RESP (KZT_APDU_EXT_MAX_LE + 2)

typedef struct kzt_apdu {
	uint8_t cla, ins, p1, p2;
	const uint8_t *data; /* lc bytes, or NULL when lc is 0 */
	size_t lc;
	uint32_t le;      /* 0: no response data expected; else 1..65536 */
	int extended;     /* set by kzt_apdu_parse: the command used extended lengths */
} kzt_apdu;

/* Encode a into out, short form when Lc and Le allow it, else extended form
 * (KZT_ERR_ARGS if extended is needed and !extended_ok, or lc/le out of range). */
int kzt_apdu_encode(const kzt_apdu *a, int extended_ok, kzt_buf *out);

/* Parse an encoded command (all ISO cases 1, 2S/E, 3S/E, 4S/E) into a; a->data
 * points into p. Any length inconsistency is KZT_ERR_PARSE. */
int kzt_apdu_parse(const uint8_t *p, size_t n, kzt_apdu *a);

/* Split a response: n >= 2; *sw = last two bytes, *data_len = n - 2. */
int kzt_apdu_split_response(const uint8_t *p, size_t n, uint16_t *sw, size_t *data_len);

/* Sends cmd (cmd_len bytes) and writes the response (data + SW) into resp. */
typedef int (*kzt_xmit_fn)(void *ctx, const uint8_t *cmd, size_t cmd_len, uint8_t *resp,
			   size_t resp_cap, size_t *resp_len);

typedef struct kzt_apdu_link {
	kzt_xmit_fn xmit;
	void *ctx;
	int extended;        /* the card accepts extended lengths */
	int chaining;        /* the card accepts command chaining */
	size_t max_cmd_data; /* longest data field the card takes in one command */
	uint8_t *scratch;    /* KZT_APDU_MAX_CMD bytes for encoding */
} kzt_apdu_link;

/* Run one logical command: chain it if longer than the card takes at once, fetch
 * 61xx remainders with GET RESPONSE, re-issue once on 6Cxx. The response data of
 * every part lands contiguously in resp[0..*resp_len); *sw is the final status.
 * resp_cap must leave 2 bytes beyond the data expected. KZT_ERR_BUFFER when the
 * data would not fit; KZT_ERR_PARSE on a response shorter than 2 bytes. */
int kzt_apdu_transceive(const kzt_apdu_link *link, const kzt_apdu *cmd, uint8_t *resp,
			size_t resp_cap, size_t *resp_len, uint16_t *sw);

#endif
