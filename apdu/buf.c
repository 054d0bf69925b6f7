/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* Bounded appender and big-endian helpers (see buf.h). */
#include <string.h>

#include "buf.h"
#include "kzt_err.h"

void
kzt_buf_init(kzt_buf *b, uint8_t *ptr, size_t cap)
{
	b->ptr = ptr;
	b->cap = ptr != NULL ? cap : 0;
	b->len = 0;
	b->err = KZT_OK;
}

int
kzt_buf_put(kzt_buf *b, const void *p, size_t n)
{
	if (b->err != KZT_OK)
		return b->err;
	if (n > b->cap - b->len) {
		b->err = KZT_ERR_BUFFER;
		return b->err;
	}
	if (n > 0)
		memcpy(b->ptr + b->len, p, n);
	b->len += n;
	return KZT_OK;
}

int
kzt_buf_put_u8(kzt_buf *b, uint8_t v)
{
	return kzt_buf_put(b, &v, 1);
}

int
kzt_buf_put_u16(kzt_buf *b, uint16_t v)
{
	uint8_t be[2] = {(uint8_t)(v >> 8), (uint8_t)v};
	return kzt_buf_put(b, be, sizeof(be));
}

int
kzt_buf_put_u32(kzt_buf *b, uint32_t v)
{
	uint8_t be[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};
	return kzt_buf_put(b, be, sizeof(be));
}

uint16_t
kzt_get_u16(const uint8_t *p)
{
	return (uint16_t)((p[0] << 8) | p[1]);
}

uint32_t
kzt_get_u32(const uint8_t *p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}
