/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* The card's RSA engine on src/bn, and each key's kept private state (see
 * card_rsa.h). */
#include <stdlib.h>

#include "card_rsa.h"
#include "kzt_err.h"
#include "random.h"

/* Idle states kept per key: as many as operations usually run on it at once. */
#define KEEP_IDLE 8

struct kzt_card_rsa_keep {
	kzt_rsa_private *idle[KEEP_IDLE];
	size_t nidle;
	unsigned busy; /* states out, in an operation */
	int forgotten; /* the key is gone: states given back are wiped */
};

int
kzt_card_rsa_generate(unsigned bits, const uint8_t *e, size_t e_len, kzt_rsa_key *key)
{
	return kzt_rsa_generate(bits, e, e_len, kzt_os_random, key);
}

int
kzt_card_rsa_check(const kzt_rsa_key *key)
{
	return kzt_rsa_check(key, kzt_os_random);
}

static void
wipe_state(kzt_rsa_private *state)
{
	if (state != NULL) {
		kzt_rsa_private_wipe(state);
		free(state);
	}
}

int
kzt_card_rsa_take(kzt_card_rsa_keep **keep, kzt_rsa_private **state)
{
	kzt_card_rsa_keep *k = *keep;

	*state = NULL;
	if (k == NULL) {
		if ((k = calloc(1, sizeof(*k))) == NULL)
			return KZT_ERR_NOMEM;
		*keep = k;
	}
	if (k->nidle > 0)
		*state = k->idle[--k->nidle];
	k->busy++;
	return KZT_OK;
}

int
kzt_card_rsa_prepare(const kzt_rsa_key *key, kzt_rsa_private **state)
{
	kzt_rsa_private *s;
	int r;

	*state = NULL;
	if ((s = malloc(sizeof(*s))) == NULL)
		return KZT_ERR_NOMEM;
	if ((r = kzt_rsa_private_init(s, key, kzt_os_random)) != KZT_OK) {
		wipe_state(s);
		return r;
	}
	*state = s;
	return KZT_OK;
}

void
kzt_card_rsa_give(kzt_card_rsa_keep *keep, kzt_rsa_private *state)
{
	keep->busy--;
	if (keep->forgotten) {
		wipe_state(state);
		if (keep->busy == 0)
			free(keep);
		return;
	}
	if (state == NULL)
		return;
	if (keep->nidle < KEEP_IDLE)
		keep->idle[keep->nidle++] = state;
	else
		wipe_state(state);
}

void
kzt_card_rsa_forget(kzt_card_rsa_keep *keep)
{
	if (keep == NULL)
		return;
	while (keep->nidle > 0)
		wipe_state(keep->idle[--keep->nidle]);
	if (keep->busy == 0)
		free(keep);
	else
		keep->forgotten = 1;
}
