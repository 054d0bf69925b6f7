/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* The virtual card's RSA engine: key generation, the raw private operation, and
 * checking an imported key. One small interface so the engine can change (OpenSSL
 * today; the project's own bignum core later) without touching the applet. */
#ifndef KZT_CARD_RSA_H
#define KZT_CARD_RSA_H

#include <stddef.h>
#include <stdint.h>

#define KZT_RSA_MAX_BYTES 512 /* 4096-bit modulus */

/* A private key's components, big-endian without leading zeros. */
typedef struct kzt_rsa_key {
	uint8_t n[KZT_RSA_MAX_BYTES], e[8], d[KZT_RSA_MAX_BYTES];
	uint8_t p[KZT_RSA_MAX_BYTES / 2], q[KZT_RSA_MAX_BYTES / 2];
	uint8_t dp[KZT_RSA_MAX_BYTES / 2], dq[KZT_RSA_MAX_BYTES / 2], qinv[KZT_RSA_MAX_BYTES / 2];
	size_t n_len, e_len, d_len, p_len, q_len, dp_len, dq_len, qinv_len;
} kzt_rsa_key;

/* Generate a key of bits (2048, 3072 or 4096) with public exponent (e, e_len). */
int kzt_card_rsa_generate(unsigned bits, const uint8_t *e, size_t e_len, kzt_rsa_key *key);
/* Raw private operation out = in^d mod n; in is exactly n_len bytes and < n
 * (KZT_ERR_DATA otherwise); out receives n_len bytes. */
int kzt_card_rsa_private(const kzt_rsa_key *key, const uint8_t *in, size_t in_len, uint8_t *out);
/* KZT_OK when the components form a consistent RSA key of 2048..4096 bits. */
int kzt_card_rsa_check(const kzt_rsa_key *key);

#endif
