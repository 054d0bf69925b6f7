/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* BER-TLV (ISO 7816-4 section 5.2) reader and builder. Tags of 1 to 3 bytes are
 * kept as their big-endian bytes (7F49 is 0x7F49); lengths use the short form or
 * 81/82/83 long forms. The reader never trusts a length: every field must fit the
 * bytes that remain, and indefinite lengths or padding bytes are malformed. */
#ifndef KZT_TLV_H
#define KZT_TLV_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

typedef struct kzt_tlv {
	uint32_t tag;
	const uint8_t *val; /* points into the parsed bytes */
	size_t len;
} kzt_tlv;

/* Read one TLV at *p (n bytes left); advance *p and *n past it. KZT_ERR_PARSE on
 * malformed or truncated input (then *p and *n are unchanged). */
int kzt_tlv_next(const uint8_t **p, size_t *n, kzt_tlv *out);

/* Walk all of (p, n), which must be a well-formed TLV sequence, and return the
 * first element with this tag: KZT_OK, KZT_ERR_NOT_FOUND, or KZT_ERR_PARSE. */
int kzt_tlv_find(const uint8_t *p, size_t n, uint32_t tag, kzt_tlv *out);

/* 1 when the tag's first byte says "constructed" (bit 6 of the first byte). */
int kzt_tlv_is_constructed(uint32_t tag);

/* Append tag, length and value. */
int kzt_tlv_put(kzt_buf *b, uint32_t tag, const void *val, size_t len);
int kzt_tlv_put_u8(kzt_buf *b, uint32_t tag, uint8_t v);
int kzt_tlv_put_u16(kzt_buf *b, uint32_t tag, uint16_t v);
int kzt_tlv_put_u32(kzt_buf *b, uint32_t tag, uint32_t v);

/* Constructed elements: begin writes the tag and reserves a length; end writes
 * the length of everything appended since and closes the gap. */
int kzt_tlv_begin(kzt_buf *b, uint32_t tag, size_t *mark);
int kzt_tlv_end(kzt_buf *b, size_t mark);

/* Read a fixed-size unsigned big-endian value of exactly len 1, 2 or 4 bytes. */
int kzt_tlv_get_uint(const kzt_tlv *t, size_t len, uint32_t *out);

#endif
