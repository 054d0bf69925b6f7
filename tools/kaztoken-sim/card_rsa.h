/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* The virtual card's RSA engine: key generation, the raw private operation, and
 * checking an imported key, on the project's own bignum core (src/bn) alone, as a
 * real card has no OpenSSL either. */
#ifndef KZT_CARD_RSA_H
#define KZT_CARD_RSA_H

#include <stddef.h>
#include <stdint.h>

#include "rsa.h" /* kzt_rsa_key: a private key's components, big-endian */

/* Generate a key of bits (2048, 3072 or 4096) with public exponent (e, e_len). */
int kzt_card_rsa_generate(unsigned bits, const uint8_t *e, size_t e_len, kzt_rsa_key *key);
/* Raw private operation out = in^d mod n; in is exactly n_len bytes and < n
 * (KZT_ERR_DATA otherwise); out receives n_len bytes. */
int kzt_card_rsa_private(const kzt_rsa_key *key, const uint8_t *in, size_t in_len, uint8_t *out);
/* KZT_OK when the components form a consistent RSA key of 2048..4096 bits. */
int kzt_card_rsa_check(const kzt_rsa_key *key);

#endif
