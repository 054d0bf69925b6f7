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
	free(e->value);
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
	c->unconfirmed = 0;
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

/* The entry for e: the old one when the listing shows it as before (its view
 * kept; a private object's only under the same security state), else a new one.
 * NULL: no memory. */
static kzt_cached *
entry_for(kzt_objcache *c, kzt_cached **old, const kzt_dir_entry *e, int same_auth)
{
	kzt_cached **pp, *x;

	for (pp = old; *pp != NULL && (*pp)->card != e->handle; pp = &(*pp)->next)
		;
	if ((x = *pp) != NULL) {
		*pp = x->next;
		x->next = NULL;
		if ((same_auth || !(e->flags & KZT_OBJF_PRIVATE)) && x->cls == e->cls && x->flags == e->flags && x->value_len == e->value_len &&
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

/* Walk a listing image into the entries the cache holds, appended at *tail, old
 * entries reused from *old. KZT_ERR_NOT_FOUND at the image's end, as kzt_dir_next. */
static int
take_listing(kzt_objcache *c, const uint8_t *p, size_t len, kzt_cached **old, kzt_cached ***tail,
	     int same_auth, int (*keep)(void *ctx, const kzt_dir_entry *e), void *ctx)
{
	kzt_dir_entry e;
	kzt_cached *x;
	int r, k;

	while ((r = kzt_dir_next(&p, &len, &e)) == KZT_OK) {
		if ((k = keep(ctx, &e)) < 0)
			return KZT_ERR_CARD;
		if (k == 2)
			c->relist = 1;
		if (k != 1)
			continue;
		if ((x = entry_for(c, old, &e, same_auth)) == NULL)
			return KZT_ERR_NOMEM;
		**tail = x;
		*tail = &x->next;
	}
	return r;
}

/* The private objects go (a security state without the user). */
static void
drop_private(kzt_objcache *c)
{
	kzt_cached **pp = &c->list, *x;

	while ((x = *pp) != NULL) {
		if (x->flags & KZT_OBJF_PRIVATE) {
			*pp = x->next;
			free_entry(c, x);
		} else {
			pp = &x->next;
		}
	}
}

/* The public objects as listed, with the private ones of a LIST OBJECTS of
 * private objects, in the card's order (by handle). */
static int
merge_private(kzt_objcache *c, const uint8_t *dir, size_t len, int (*keep)(void *ctx, const kzt_dir_entry *e),
	      void *ctx)
{
	kzt_cached *pub = NULL, **ptail = &pub, *priv = NULL, **tail = &priv, *old = NULL, **otail = &old;
	kzt_cached *x, *next, **mt = &c->list;
	int r;

	/* the old private entries are not to be reused under another security state */
	for (x = c->list; x != NULL; x = next) {
		next = x->next;
		x->next = NULL;
		if (x->flags & KZT_OBJF_PRIVATE) {
			*otail = x;
			otail = &x->next;
		} else {
			*ptail = x;
			ptail = &x->next;
		}
	}
	c->list = NULL;
	r = take_listing(c, dir, len, &old, &tail, 0, keep, ctx);
	free_list(c, old);
	for (x = priv; r == KZT_ERR_NOT_FOUND && x != NULL; x = x->next) {
		kzt_cached *y;

		for (y = pub; y != NULL; y = y->next)
			if (y->card == x->card)
				r = KZT_ERR_CARD; /* one handle both public and private */
	}
	while (pub != NULL || priv != NULL) {
		kzt_cached **from = priv == NULL || (pub != NULL && pub->card < priv->card) ? &pub : &priv;

		x = *from;
		*from = x->next;
		x->next = NULL;
		*mt = x;
		mt = &x->next;
	}
	return r == KZT_ERR_NOT_FOUND ? KZT_OK : r;
}

int
kzt_token_cache_sync(kzt_token *t, kzt_objcache *c, uint64_t now, unsigned max_age, int search,
		     int (*keep)(void *ctx, const kzt_dir_entry *e), void *ctx)
{
	kzt_cached *fresh = NULL, **tail = &fresh, *old;
	uint64_t auth = kzt_token_auth_epoch(t);
	int current = kzt_objcache_current(c, t), user = (kzt_token_verified(t) & KZT_VERIFIED_USER) != 0;
	uint32_t counter, told_counter;
	uint8_t *dir;
	size_t len;
	int r, told;

	if (current && max_age != 0 && now - c->checked < max_age)
		return KZT_OK;
	told = kzt_token_counter_take(t, &told_counter) && search && now - c->told_at < KZT_OBJCACHE_TOLD_MS;
	if (c->valid && !current && user && !c->relist) {
		r = kzt_token_list_private(t, &dir, &len, &counter);
		if (r == KZT_OK && counter == c->counter) {
			c->unconfirmed = 0;
			r = merge_private(c, dir, len, keep, ctx);
			free(dir);
			if (r != KZT_OK) {
				kzt_objcache_forget(c);
				return r;
			}
			c->auth = kzt_token_auth_epoch(t);
			c->checked = now;
			return KZT_OK;
		}
		if (r == KZT_OK)
			free(dir); /* the counter moved: the whole directory again */
		else if (r != KZT_ERR_NOT_SUPPORTED && r != KZT_ERR_NOT_AUTH && r != KZT_ERR_CARD &&
			 r != KZT_ERR_DATA)
			return r;
		counter = t->counter_seen;
	} else if (c->valid && (current || !user)) {
		if (told)
			counter = told_counter;
		else if ((r = kzt_token_change_counter(t, &counter)) != KZT_OK)
			return r;
		if (c->counter == counter && kzt_token_auth_epoch(t) == auth) {
			c->unconfirmed = 0;
			if (!current)
				drop_private(c);
			c->auth = auth;
			c->checked = now;
			return KZT_OK;
		}
	} else if (told) {
		counter = told_counter;
	} else if (!t->counter_seen_valid) {
		if ((r = kzt_token_change_counter(t, &counter)) != KZT_OK)
			return r;
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
	if (c->unconfirmed) /* nothing the card did not confirm is taken for its word */
		kzt_objcache_drop(c);
	old = c->list;
	c->list = NULL;
	c->relist = 0;
	r = take_listing(c, dir, len, &old, &tail, c->auth == auth, keep, ctx);
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

void
kzt_objcache_told(kzt_objcache *c, uint64_t now)
{
	c->told_at = now;
}

int
kzt_objcache_keep_value(kzt_cached *e, const uint8_t *value, size_t len)
{
	uint8_t *v = malloc(len + 1);

	if (v == NULL)
		return KZT_ERR_NOMEM;
	if (len > 0)
		memcpy(v, value, len);
	free(e->value);
	e->value = v;
	e->has_value = 1;
	return KZT_OK;
}

int
kzt_objcache_add(kzt_objcache *c, const kzt_dir_entry *e, const uint8_t *value, int has_value)
{
	kzt_cached *none = NULL, *x, **tail;

	if ((x = entry_for(c, &none, e, 0)) == NULL)
		return KZT_ERR_NOMEM;
	if (has_value && kzt_objcache_keep_value(x, value, e->value_len) != KZT_OK) {
		free_entry(c, x);
		return KZT_ERR_NOMEM;
	}
	for (tail = &c->list; *tail != NULL; tail = &(*tail)->next)
		;
	*tail = x;
	return KZT_OK;
}

void
kzt_objcache_loaded(kzt_objcache *c, const kzt_token *t, uint32_t counter)
{
	c->valid = 1;
	c->counter = counter;
	c->checked = 0;
	c->auth = kzt_token_auth_epoch(t);
	c->unconfirmed = 1;
}
