/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* The card's state as data: the factory state, what the objects use of the store,
 * freeing objects and sessions. Below everything else of the card (the store file,
 * the lifecycle, the commands), and needing none of it. */
#include <stdlib.h>
#include <string.h>

#include "card.h"
#include "card_rsa.h"
#include "secmem.h"
#include "thread.h"

static void
pin_factory(kzt_card_pin *pin, const char *value)
{
	memset(pin, 0, sizeof(*pin));
	pin->len = (uint8_t)strlen(value);
	memcpy(pin->value, value, pin->len);
	pin->max_tries = KZT_DEFAULT_TRIES;
	pin->tries_left = KZT_DEFAULT_TRIES;
	pin->min_len = KZT_DEFAULT_MIN_PIN_LEN;
}

void
kzt_card_factory(kzt_card_state *st, const uint8_t serial[KZT_SERIAL_LEN])
{
	kzt_secure_zero(st, sizeof(*st));
	memcpy(st->serial, serial, KZT_SERIAL_LEN);
	pin_factory(&st->user, KZT_DEFAULT_USER_PIN);
	pin_factory(&st->admin, KZT_DEFAULT_ADMIN_PIN);
	st->policy = KZT_POLICY_BOTH;
	st->capacity = KZT_DEFAULT_CAPACITY;
	st->next_handle = 1;
}

size_t
kzt_card_used(const kzt_card_state *st)
{
	size_t i, used = 0;

	for (i = 0; i < st->nobjects; i++) {
		const kzt_card_object *o = &st->objects[i];
		used += o->blob_len + o->value_len + o->key_len + KZT_CARD_OBJECT_COST;
	}
	return used;
}

void
kzt_card_object_clear(kzt_card_object *o)
{
	if (o->key != NULL)
		kzt_secure_zero(o->key, o->key_len);
	kzt_card_rsa_forget(o->keep);
	free(o->blob);
	free(o->value);
	free(o->key);
	memset(o, 0, sizeof(*o));
}

void
kzt_card_objects_clear(kzt_card_state *st)
{
	size_t i;

	for (i = 0; i < st->nobjects; i++)
		kzt_card_object_clear(&st->objects[i]);
	st->nobjects = 0;
}

void
kzt_card_session_reset(kzt_card_session *s)
{
	kzt_secure_zero(s, sizeof(*s));
}

void
kzt_card_session_end(kzt_card *card, kzt_card_session *s, int reset)
{
	kzt_card_group **pp, *g = s->group;

	if (g != NULL) {
		if (card->lock != NULL)
			kzt_os_mutex_lock(card->lock);
		if (reset)
			g->user_verified = g->admin_verified = 0;
		if (--g->members == 0) {
			for (pp = &card->groups; *pp != NULL && *pp != g; pp = &(*pp)->next)
				;
			if (*pp == g)
				*pp = g->next;
			kzt_secure_zero(g, sizeof(*g));
			free(g);
		}
		if (card->lock != NULL)
			kzt_os_mutex_unlock(card->lock);
	}
	kzt_card_session_reset(s);
}
