/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* The card's RSA engine on src/bn (see card_rsa.h). */
#include <stdlib.h>

#include "card.h"
#include "card_rsa.h"
#include "kzt_err.h"

int
kzt_card_rsa_generate(unsigned bits, const uint8_t *e, size_t e_len, kzt_rsa_key *key)
{
	return kzt_rsa_generate(bits, e, e_len, kzt_card_random, key);
}

int
kzt_card_rsa_private(const kzt_rsa_key *key, const uint8_t *in, size_t in_len, uint8_t *out)
{
	kzt_rsa_private *k;
	int r;

	if (in_len != key->n_len)
		return KZT_ERR_DATA;
	if ((k = malloc(sizeof(*k))) == NULL)
		return KZT_ERR_NOMEM;
	if ((r = kzt_rsa_private_init(k, key, kzt_card_random)) == KZT_OK)
		r = kzt_rsa_private_op(k, in, out);
	kzt_rsa_private_wipe(k);
	free(k);
	return r;
}

int
kzt_card_rsa_check(const kzt_rsa_key *key)
{
	return kzt_rsa_check(key, kzt_card_random);
}
