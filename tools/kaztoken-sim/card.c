/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* The card's lifecycle: open it from its store (or factory-fresh), commit every
 * change crash-safely, close it; and its random generator. */
#include <stdlib.h>
#include <string.h>

#include "card.h"
#include "kzt_err.h"
#include "random.h"
#include "secmem.h"

int
kzt_card_random(uint8_t *p, size_t n)
{
	return kzt_os_random(p, n);
}

int
kzt_card_open(kzt_card *card, const char *store_path, char *why, size_t why_len)
{
	uint8_t serial[KZT_SERIAL_LEN];
	int r;

	memset(card, 0, sizeof(*card));
	if (store_path != NULL) {
		if ((card->store_path = malloc(strlen(store_path) + 1)) == NULL)
			return KZT_ERR_NOMEM;
		strcpy(card->store_path, store_path);
		r = kzt_store_load(store_path, &card->st, why, why_len);
		if (r != KZT_ERR_NOT_FOUND) {
			if (r != KZT_OK)
				kzt_card_close(card);
			return r;
		}
	}
	if ((r = kzt_card_random(serial, sizeof(serial))) != KZT_OK) {
		kzt_card_close(card);
		return r;
	}
	kzt_card_factory(&card->st, serial);
	if ((r = kzt_card_commit(card)) != KZT_OK)
		kzt_card_close(card);
	return r;
}

void
kzt_card_close(kzt_card *card)
{
	kzt_card_group *g, *next;

	for (g = card->groups; g != NULL; g = next) { /* (groups of sessions never ended) */
		next = g->next;
		kzt_secure_zero(g, sizeof(*g));
		free(g);
	}
	kzt_card_objects_clear(&card->st);
	free(card->store_path);
	kzt_secure_zero(card, sizeof(*card));
}

int
kzt_card_commit(kzt_card *card)
{
	if (card->pass_commits > 0)
		card->pass_commits--;
	else if (card->fail_commits > 0) {
		card->fail_commits--;
		return KZT_ERR_STORE;
	}
	if (card->store_path == NULL)
		return KZT_OK;
	return kzt_store_save(card->store_path, &card->st);
}
