/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* Streebog-256 and Streebog-512 (GOST R 34.11-2012, RFC 6986): ours in both crypto
 * backends, since OpenSSL has no GOST hash of its own. */
#ifndef KZT_STREEBOG_H
#define KZT_STREEBOG_H

#include <stddef.h>
#include <stdint.h>

typedef struct kzt_streebog {
	uint64_t h[8], n[8], sigma[8]; /* the chaining value, bits hashed, sum of blocks */
	uint8_t buf[64];
	size_t used; /* bytes waiting in buf */
	unsigned bits;
} kzt_streebog;

/* bits is 256 or 512; 0, or -1 for any other. */
int kzt_streebog_init(kzt_streebog *s, unsigned bits);
void kzt_streebog_update(kzt_streebog *s, const uint8_t *p, size_t n);
/* Write the digest (32 or 64 bytes) and wipe the state. */
void kzt_streebog_final(kzt_streebog *s, uint8_t *out);

#endif
