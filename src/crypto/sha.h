/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* SHA-1 and the SHA-2 family (FIPS 180-4), for the builtin crypto backend. */
#ifndef KZT_SHA_H
#define KZT_SHA_H

#include <stddef.h>
#include <stdint.h>

/* One running hash: SHA-1 and SHA-224/256 use the 32-bit state and 64-byte blocks,
 * SHA-384/512 the 64-bit state and 128-byte blocks. */
typedef struct kzt_sha {
	int alg; /* kzt_hash */
	union {
		uint32_t s32[8];
		uint64_t s64[8];
	} h;
	uint8_t block[128];
	size_t used;      /* bytes waiting in block */
	uint64_t total;   /* bytes hashed so far (below 2^61: enough for a token) */
} kzt_sha;

/* alg is a kzt_hash; 0 on success, -1 for an unknown one. */
int kzt_sha_init(kzt_sha *s, int alg);
void kzt_sha_update(kzt_sha *s, const uint8_t *p, size_t n);
/* Write the digest (20, 28, 32, 48 or 64 bytes) and wipe the state. */
void kzt_sha_final(kzt_sha *s, uint8_t *out);

#endif
