/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* The virtual card's RSA engine: key generation, the raw private operation, and
 * checking an imported key, on the project's own bignum core (src/bn) alone, as a
 * real card has no OpenSSL either.
 *
 * A key's private state (its Montgomery contexts and blinding pair) is prepared on
 * its first use and kept with the object, in as many copies as operations have run
 * on it at once, until the object is cleared (delete, format, the card closing):
 * then each copy is wiped, at once or as its operation ends. */
#ifndef KZT_CARD_RSA_H
#define KZT_CARD_RSA_H

#include <stddef.h>
#include <stdint.h>

#include "rsa.h" /* kzt_rsa_key: a private key's components, big-endian */

/* The kept private state of one key object (card.h's kzt_card_object.keep). Its
 * fields are the card lock's (kzt_card.lock). */
typedef struct kzt_card_rsa_keep kzt_card_rsa_keep;

/* Generate a key of bits (2048, 3072 or 4096) with public exponent (e, e_len). */
int kzt_card_rsa_generate(unsigned bits, const uint8_t *e, size_t e_len, kzt_rsa_key *key);
/* KZT_OK when the components form a consistent RSA key of 2048..4096 bits. */
int kzt_card_rsa_check(const kzt_rsa_key *key);

/* A kept state of *keep (created when NULL) to compute with, or NULL with KZT_OK
 * when none is idle: then the caller prepares one with kzt_card_rsa_prepare. The
 * state is the caller's until kzt_card_rsa_give; the card lock is held. */
int kzt_card_rsa_take(kzt_card_rsa_keep **keep, kzt_rsa_private **state);
/* Prepare a state for key (no lock needed): KZT_ERR_DATA for a malformed key. */
int kzt_card_rsa_prepare(const kzt_rsa_key *key, kzt_rsa_private **state);
/* Return a state (or NULL) taken from keep: kept for the next operation, or wiped
 * when the key has gone meanwhile. The card lock is held. */
void kzt_card_rsa_give(kzt_card_rsa_keep *keep, kzt_rsa_private *state);
/* The key object is being cleared: wipe every idle state now and every busy one
 * when it is given back (NULL: nothing). The card lock is held. */
void kzt_card_rsa_forget(kzt_card_rsa_keep *keep);

#endif
