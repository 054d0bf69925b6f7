/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* The object cache (token.h): the card's directory as last listed, good only
 * while the card's change counter and its security state (the auth epoch) are
 * what the listing saw, and a number for every card object ever listed. */
#include <stdlib.h>
#include <string.h>

#include "kzt_err.h"
#include "token.h"
#include "token_int.h"

void
kzt_objcache_init(kzt_objcache *c, uint64_t (*number_new)(void), void (*view_free)(void *view))
{
	memset(c, 0, sizeof(*c));
	c->number_new = number_new;
	c->view_free = view_free;
}

static void
free_entry(kzt_objcache *c, kzt_cached *e)
{
	if (e->view != NULL && c->view_free != NULL)
		c->view_free(e->view);
	free(e->blob);
	free(e);
}

static void
free_list(kzt_objcache *c, kzt_cached *e)
{
	kzt_cached *next;

	for (; e != NULL; e = next) {
		next = e->next;
		free_entry(c, e);
	}
}

void
kzt_objcache_invalidate(kzt_objcache *c)
{
	c->valid = 0;
}

void
kzt_objcache_drop(kzt_objcache *c)
{
	free_list(c, c->list);
	c->list = NULL;
	c->valid = 0;
}

void
kzt_objcache_forget(kzt_objcache *c)
{
	kzt_objcache_drop(c);
	free(c->map);
	c->map = NULL;
	c->nmap = 0;
}

int
kzt_objcache_current(const kzt_objcache *c, const kzt_token *t)
{
	return c->valid && t != NULL && c->auth == kzt_token_auth_epoch(t);
}

kzt_cached *
kzt_objcache_find(const kzt_objcache *c, uint64_t number)
{
	kzt_cached *e;

	for (e = c->list; e != NULL; e = e->next)
		if (e->number == number)
			return e;
	return NULL;
}

kzt_cached *
kzt_objcache_by_card(const kzt_objcache *c, uint16_t card)
{
	kzt_cached *e;

	for (e = c->list; e != NULL; e = e->next)
		if (e->card == card)
			return e;
	return NULL;
}

/* The number of card object card: the one it had, or a new one (0: no memory). */
static uint64_t
number_for(kzt_objcache *c, uint16_t card)
{
	struct kzt_number *grown;
	uint64_t n;
	size_t i;

	for (i = 0; i < c->nmap; i++)
		if (c->map[i].card == card)
			return c->map[i].number;
	if ((grown = realloc(c->map, (c->nmap + 1) * sizeof(*grown))) == NULL)
		return 0;
	c->map = grown;
	if ((n = c->number_new()) != 0) {
		grown[c->nmap].card = card;
		grown[c->nmap++].number = n;
	}
	return n;
}

/* The entry for e: the old one when the listing under the same security state
 * shows it as before (its view kept), else a new one. NULL: no memory. */
static kzt_cached *
entry_for(kzt_objcache *c, kzt_cached **old, const kzt_dir_entry *e, int same_auth)
{
	kzt_cached **pp, *x;

	for (pp = old; *pp != NULL && (*pp)->card != e->handle; pp = &(*pp)->next)
		;
	if ((x = *pp) != NULL) {
		*pp = x->next;
		x->next = NULL;
		if (same_auth && x->cls == e->cls && x->flags == e->flags && x->value_len == e->value_len &&
		    x->blob_len == e->blob_len && memcmp(x->blob, e->blob, e->blob_len) == 0)
			return x;
		free_entry(c, x);
	}
	if ((x = calloc(1, sizeof(*x))) == NULL || (x->blob = malloc(e->blob_len + 1)) == NULL ||
	    (x->number = number_for(c, e->handle)) == 0) {
		if (x != NULL)
			free(x->blob);
		free(x);
		return NULL;
	}
	x->card = e->handle;
	x->cls = e->cls;
	x->flags = e->flags;
	x->value_len = e->value_len;
	memcpy(x->blob, e->blob, e->blob_len);
	x->blob_len = e->blob_len;
	return x;
}

int
kzt_token_cache_sync(kzt_token *t, kzt_objcache *c, uint64_t now, unsigned max_age,
		     int (*keep)(void *ctx, const kzt_dir_entry *e), void *ctx)
{
	kzt_cached *fresh = NULL, **tail = &fresh, *old, *x;
	uint64_t auth = kzt_token_auth_epoch(t);
	uint32_t counter;
	const uint8_t *p;
	uint8_t *dir;
	size_t len;
	kzt_dir_entry e;
	int r, k;

	if (kzt_objcache_current(c, t) && max_age != 0 && now - c->checked < max_age)
		return KZT_OK;
	if (kzt_objcache_current(c, t) || !t->counter_seen_valid) {
		if ((r = kzt_token_change_counter(t, &counter)) != KZT_OK)
			return r;
		if (kzt_objcache_current(c, t) && c->counter == counter) {
			c->checked = now;
			return KZT_OK;
		}
	} else {
		/* A listing is due anyway: tagged with the counter last read, which came
		 * before it, it can only look older than it is (a change in between
		 * makes the next check list again, never hides one). */
		counter = t->counter_seen;
	}
	if ((r = kzt_token_list_objects(t, &dir, &len)) != KZT_OK)
		return r;
	/* (the listing may have changed the security state: read it after) */
	auth = kzt_token_auth_epoch(t);
	old = c->list;
	c->list = NULL;
	p = dir;
	while ((r = kzt_dir_next(&p, &len, &e)) == KZT_OK) {
		if ((k = keep(ctx, &e)) < 0) {
			r = KZT_ERR_CARD;
			break;
		}
		if (k == 0)
			continue;
		if ((x = entry_for(c, &old, &e, c->auth == auth)) == NULL) {
			r = KZT_ERR_NOMEM;
			break;
		}
		*tail = x;
		tail = &x->next;
	}
	free(dir);
	free_list(c, old); /* gone from the card, or not to be seen now */
	c->list = fresh;
	if (r != KZT_ERR_NOT_FOUND) {
		kzt_objcache_forget(c);
		return r == KZT_ERR_PARSE ? KZT_ERR_CARD : r;
	}
	c->valid = 1;
	c->counter = counter;
	c->checked = now;
	c->auth = auth;
	return KZT_OK;
}
