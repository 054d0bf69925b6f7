/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* BER-TLV reading and building (see tlv.h). */
#include <string.h>

#include "kzt_err.h"
#include "tlv.h"

#define TLV_LEN_RESERVE 4 /* 83 xx xx xx: the longest length we write */

int
kzt_tlv_next(const uint8_t **pp, size_t *np, kzt_tlv *out)
{
	const uint8_t *p = *pp;
	size_t n = *np, i, len, lenlen;
	uint32_t tag;

	if (p == NULL || n == 0)
		return KZT_ERR_PARSE;
	/* 00 and FF are padding in ISO 7816-4; we never emit them, so refuse them. */
	if (p[0] == 0x00 || p[0] == 0xFF)
		return KZT_ERR_PARSE;
	tag = p[0];
	i = 1;
	if ((p[0] & 0x1F) == 0x1F) {
		/* Subsequent tag bytes: b8 set means one more follows; at most 2 here. */
		do {
			if (i >= n || i >= 3)
				return KZT_ERR_PARSE;
			tag = (tag << 8) | p[i];
		} while (p[i++] & 0x80);
	}
	if (i >= n)
		return KZT_ERR_PARSE;
	if (p[i] < 0x80) {
		len = p[i++];
	} else {
		lenlen = p[i++] & 0x7F;
		if (lenlen == 0 || lenlen > 3 || lenlen > n - i) /* indefinite or too long */
			return KZT_ERR_PARSE;
		for (len = 0; lenlen > 0; lenlen--)
			len = (len << 8) | p[i++];
	}
	if (len > n - i)
		return KZT_ERR_PARSE;
	out->tag = tag;
	out->val = p + i;
	out->len = len;
	*pp = p + i + len;
	*np = n - i - len;
	return KZT_OK;
}

int
kzt_tlv_find(const uint8_t *p, size_t n, uint32_t tag, kzt_tlv *out)
{
	kzt_tlv t;
	int found = 0, r;

	while (n > 0) {
		if ((r = kzt_tlv_next(&p, &n, &t)) != KZT_OK)
			return r;
		if (!found && t.tag == tag) {
			*out = t;
			found = 1;
		}
	}
	return found ? KZT_OK : KZT_ERR_NOT_FOUND;
}

int
kzt_tlv_is_constructed(uint32_t tag)
{
	while (tag > 0xFF)
		tag >>= 8;
	return (tag & 0x20) != 0;
}

static int
put_tag(kzt_buf *b, uint32_t tag)
{
	if (tag > 0xFFFF)
		kzt_buf_put_u8(b, (uint8_t)(tag >> 16));
	if (tag > 0xFF)
		kzt_buf_put_u8(b, (uint8_t)(tag >> 8));
	return kzt_buf_put_u8(b, (uint8_t)tag);
}

/* Encode len into enc; returns the number of bytes used (1..4). */
static size_t
encode_len(size_t len, uint8_t enc[TLV_LEN_RESERVE])
{
	if (len < 0x80) {
		enc[0] = (uint8_t)len;
		return 1;
	}
	if (len <= 0xFF) {
		enc[0] = 0x81;
		enc[1] = (uint8_t)len;
		return 2;
	}
	if (len <= 0xFFFF) {
		enc[0] = 0x82;
		enc[1] = (uint8_t)(len >> 8);
		enc[2] = (uint8_t)len;
		return 3;
	}
	enc[0] = 0x83;
	enc[1] = (uint8_t)(len >> 16);
	enc[2] = (uint8_t)(len >> 8);
	enc[3] = (uint8_t)len;
	return 4;
}

int
kzt_tlv_put(kzt_buf *b, uint32_t tag, const void *val, size_t len)
{
	uint8_t enc[TLV_LEN_RESERVE];

	if (tag == 0 || tag > 0xFFFFFF || len > 0xFFFFFF) {
		b->err = b->err != KZT_OK ? b->err : KZT_ERR_ARGS;
		return b->err;
	}
	put_tag(b, tag);
	kzt_buf_put(b, enc, encode_len(len, enc));
	return kzt_buf_put(b, val, len);
}

int
kzt_tlv_put_u8(kzt_buf *b, uint32_t tag, uint8_t v)
{
	return kzt_tlv_put(b, tag, &v, 1);
}

int
kzt_tlv_put_u16(kzt_buf *b, uint32_t tag, uint16_t v)
{
	uint8_t be[2] = {(uint8_t)(v >> 8), (uint8_t)v};
	return kzt_tlv_put(b, tag, be, sizeof(be));
}

int
kzt_tlv_put_u32(kzt_buf *b, uint32_t tag, uint32_t v)
{
	uint8_t be[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};
	return kzt_tlv_put(b, tag, be, sizeof(be));
}

int
kzt_tlv_begin(kzt_buf *b, uint32_t tag, size_t *mark)
{
	static const uint8_t reserve[TLV_LEN_RESERVE];

	if (tag == 0 || tag > 0xFFFFFF) {
		b->err = b->err != KZT_OK ? b->err : KZT_ERR_ARGS;
		return b->err;
	}
	put_tag(b, tag);
	*mark = b->len;
	return kzt_buf_put(b, reserve, sizeof(reserve));
}

int
kzt_tlv_end(kzt_buf *b, size_t mark)
{
	uint8_t enc[TLV_LEN_RESERVE];
	size_t body, used;

	if (b->err != KZT_OK)
		return b->err;
	if (mark + TLV_LEN_RESERVE > b->len)
		return b->err = KZT_ERR_ARGS;
	body = b->len - mark - TLV_LEN_RESERVE;
	if (body > 0xFFFFFF)
		return b->err = KZT_ERR_ARGS;
	used = encode_len(body, enc);
	memcpy(b->ptr + mark, enc, used);
	memmove(b->ptr + mark + used, b->ptr + mark + TLV_LEN_RESERVE, body);
	b->len -= TLV_LEN_RESERVE - used;
	return KZT_OK;
}

int
kzt_tlv_get_uint(const kzt_tlv *t, size_t len, uint32_t *out)
{
	size_t i;
	uint32_t v = 0;

	if (t->len != len || (len != 1 && len != 2 && len != 4))
		return KZT_ERR_PARSE;
	for (i = 0; i < len; i++)
		v = (v << 8) | t->val[i];
	*out = v;
	return KZT_OK;
}
