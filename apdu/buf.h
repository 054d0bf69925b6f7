/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* A bounded byte appender over caller-owned memory: writes that would overflow
 * are refused (KZT_ERR_BUFFER) and latch the buffer into an error state, so a
 * builder can append many fields and check once at the end. */
#ifndef KZT_BUF_H
#define KZT_BUF_H

#include <stddef.h>
#include <stdint.h>

typedef struct kzt_buf {
	uint8_t *ptr; /* caller-owned storage */
	size_t cap;   /* its size */
	size_t len;   /* bytes written so far */
	int err;      /* KZT_OK, or the first error; once set, appends do nothing */
} kzt_buf;

/* Point b at (ptr, cap), empty. */
void kzt_buf_init(kzt_buf *b, uint8_t *ptr, size_t cap);
/* Append n bytes from p (p may be NULL when n is 0). Returns b->err. */
int kzt_buf_put(kzt_buf *b, const void *p, size_t n);
int kzt_buf_put_u8(kzt_buf *b, uint8_t v);
int kzt_buf_put_u16(kzt_buf *b, uint16_t v); /* big-endian */
int kzt_buf_put_u32(kzt_buf *b, uint32_t v); /* big-endian */

/* Big-endian readers over bytes the caller has already bounds-checked. */
uint16_t kzt_get_u16(const uint8_t *p);
uint32_t kzt_get_u32(const uint8_t *p);

#endif
