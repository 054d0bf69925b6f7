/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* OpenSSL keys to and from src/bn's kzt_rsa_key, for the programs that compare the
 * two (the bignum tests and the benchmark). Never part of the module or the card. */
#ifndef KZT_OSSLKEY_H
#define KZT_OSSLKEY_H

#include <openssl/evp.h>

#include "rsa.h"

/* An OpenSSL key pair from the eight parts: NULL when OpenSSL refuses them. */
EVP_PKEY *kzt_osslkey_from_parts(const kzt_rsa_key *k);
/* The eight parts of an OpenSSL RSA key pair: 0 on success. */
int kzt_osslkey_to_parts(EVP_PKEY *pk, kzt_rsa_key *k);

#endif
