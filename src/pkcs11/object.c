/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* The module's view of the card's objects, over the token driver's object cache:
 * what may be seen (private objects only under the user's login, session objects
 * only their application's), values read lazily, and the session objects the
 * card keeps (their owner tags, their end). */
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "crypto.h"
#include "internal.h"
#include "kzt_err.h"
#include "log.h"
#include "proc.h"

/* The view of cached card object e: its attributes as the card knows them, then
 * its blob (values are read later, when asked for). */
static int
make_view(const kzt_cached *e, CK_SESSION_HANDLE owner, kzt_object **out)
{
	kzt_object *o = calloc(1, sizeof(*o));
	int r;

	if (o == NULL)
		return KZT_ERR_NOMEM;
	o->handle = (CK_OBJECT_HANDLE)e->number;
	o->card_handle = e->card;
	o->card_size = e->blob_len + e->value_len;
	o->owner = owner;
	if ((r = kzt_attrs_decode(e->blob, e->blob_len, &o->attrs)) != KZT_OK)
		goto fail;
	kzt_attrs_remove(&o->attrs, KZT_CKA_SESSION_OWNER); /* the module's own, never shown */
	/* what the card enforces wins over anything a blob might claim */
	r = kzt_attrs_set_ulong(&o->attrs, CKA_CLASS, kzt_ck_class(e->cls));
	if (r == KZT_OK)
		r = kzt_attrs_set_bool(&o->attrs, CKA_TOKEN, owner == 0 ? CK_TRUE : CK_FALSE);
	if (r == KZT_OK)
		r = kzt_attrs_set_bool(&o->attrs, CKA_PRIVATE,
				       (e->flags & KZT_OBJF_PRIVATE) ? CK_TRUE : CK_FALSE);
	if (r == KZT_OK)
		r = kzt_attrs_set_bool(&o->attrs, CKA_MODIFIABLE,
				       (e->flags & KZT_OBJF_MODIFIABLE) ? CK_TRUE : CK_FALSE);
	if (r != KZT_OK)
		goto fail;
	*out = o;
	return KZT_OK;
fail:
	kzt_object_free(o);
	return r;
}

static CK_RV take_value(kzt_object *o, const uint8_t *v, size_t len);

/* What a listing keeps, and what it finds gone. */
typedef struct sift {
	const kzt_slot *slot;
	int user;          /* the user is verified */
	uint16_t gone[32]; /* session objects whose application or session ended */
	size_t ngone;
} sift;

/* The object cache's keep (token.h), which is where the module decides what may
 * be seen. The card lists what its own verification allows, and that may be
 * another application's (a card shared through PC/SC): a private object is ours
 * to see only while this module has the user logged in. A session object kept on
 * the card is its application's only; one left by an application or a session
 * that ended is to go (under the login the card asks for that). */
static int
keep_entry(void *ctx, const kzt_dir_entry *e)
{
	sift *f = ctx;
	CK_SESSION_HANDLE owner;
	const uint8_t *tag;
	size_t tag_len;
	int r;

	if ((e->flags & KZT_OBJF_PRIVATE) && !f->user)
		return 0;
	r = kzt_attrs_blob_find(e->blob, e->blob_len, KZT_CKA_SESSION_OWNER, &tag, &tag_len);
	if (r == KZT_ERR_NOT_FOUND)
		return 1;
	if (r != KZT_OK) { /* not to be read: left out, the rest is served */
		kzt_log(KZT_LOG_ERROR, "card: object %04X has a malformed attribute blob; left out",
			e->handle);
		return 0;
	}
	switch (kzt_owner_of(f->slot, tag, tag_len, &owner)) {
	case KZT_OWNER_OURS: return 1;
	case KZT_OWNER_GONE:
		if (f->user && f->ngone < sizeof(f->gone) / sizeof(f->gone[0])) {
			f->gone[f->ngone++] = e->handle;
			return 0;
		}
		return 2; /* to delete under a login, when the card lists it then */
	default: return 2; /* another's: a later login looks again whether it ended */
	}
}

/* The owner session of a cached card object (0: a token object). */
static CK_SESSION_HANDLE
owner_of(const kzt_slot *slot, const kzt_cached *e)
{
	CK_SESSION_HANDLE owner = 0;
	const uint8_t *tag;
	size_t tag_len;

	if (kzt_attrs_blob_find(e->blob, e->blob_len, KZT_CKA_SESSION_OWNER, &tag, &tag_len) == KZT_OK)
		kzt_owner_of(slot, tag, tag_len, &owner);
	return owner;
}

static CK_RV
objects_sync(kzt_op *op, unsigned max_age, int search)
{
	kzt_slot *slot = op->slot;
	sift f = {.slot = slot, .user = kzt_card_login(op) == KZT_LOGIN_USER};
	kzt_cached *e;
	kzt_object *o;
	CK_RV rv;
	size_t i;
	int r;

	if ((rv = kzt_card_status(op, kzt_token_cache_sync(op->token, &slot->cache, kzt_os_now_ms(), max_age, search, keep_entry, &f))) !=
	    CKR_OK)
		return rv;
	for (e = slot->cache.list; e != NULL; e = e->next) {
		if (e->view != NULL)
			continue;
		if ((r = make_view(e, owner_of(slot, e), &o)) != KZT_OK) {
			if (r != KZT_ERR_NOMEM)
				kzt_log(KZT_LOG_ERROR, "card: object %04X has a malformed attribute blob", e->card);
			kzt_objcache_forget(&slot->cache);
			return r == KZT_ERR_NOMEM ? CKR_HOST_MEMORY : CKR_DEVICE_ERROR;
		}
		/* a value the cache on disk kept is the card's (else it is read when asked) */
		if (e->has_value && take_value(o, e->value, e->value_len) != CKR_OK)
			o->value_loaded = 0;
		e->view = o;
	}
	if (f.ngone == 0)
		return CKR_OK;
	for (i = 0; i < f.ngone && op->token != NULL; i++)
		rv = kzt_card_status(op, kzt_token_delete_object(op->token, f.gone[i]));
	if (op->token == NULL)
		return rv; /* removed or reset meanwhile */
	/* (the deletions moved the change counter; what the cache holds is unchanged) */
	kzt_objcache_invalidate(&slot->cache);
	return CKR_OK;
}

CK_RV
kzt_objects_sync(kzt_op *op)
{
	return objects_sync(op, 0, 0);
}

CK_RV
kzt_objects_search(kzt_op *op)
{
	return objects_sync(op, 0, 1);
}

CK_RV
kzt_objects_recent(kzt_op *op)
{
	return objects_sync(op, KZT_OBJECTS_BURST_MS, 0);
}

void
kzt_objects_drop_sessions(kzt_slot *slot, const CK_SESSION_HANDLE *h, size_t n)
{
	kzt_op op = {.slot = slot};
	kzt_cached *e;
	kzt_object *o;
	size_t i;
	int dropped = 0;

	if (!slot->made_card_session_objects)
		return;
	/* whatever happens below, the next look sorts the session's objects anew:
	 * closed, they are gone from view even if the card could not delete them */
	kzt_objcache_invalidate(&slot->cache);
	if (slot->token == NULL || !(kzt_token_verified(slot->token) & KZT_VERIFIED_USER) ||
	    kzt_slot_hold(slot) != KZT_OK)
		return;
	if ((op.token = slot->token) != NULL && kzt_objects_sync(&op) == CKR_OK) {
		for (e = slot->cache.list; e != NULL; e = e->next) {
			o = e->view;
			for (i = 0; h != NULL && i < n && o->owner != h[i]; i++)
				;
			if (o->owner == 0 || (h != NULL && i == n))
				continue;
			kzt_card_status(&op, kzt_token_delete_object(op.token, o->card_handle));
			dropped = 1;
			if (op.token == NULL)
				break; /* removed or reset: the cache went with it */
		}
		if (dropped)
			kzt_objcache_invalidate(&slot->cache); /* the next look re-reads the directory */
	}
	kzt_slot_release(slot);
}

kzt_object *
kzt_token_object(kzt_op *op, CK_OBJECT_HANDLE h)
{
	kzt_cached *e = kzt_objcache_find(&op->slot->cache, h);

	return e != NULL ? e->view : NULL;
}

kzt_object *
kzt_token_object_by_card(kzt_op *op, uint16_t card)
{
	kzt_cached *e = kzt_objcache_by_card(&op->slot->cache, card);

	return e != NULL ? e->view : NULL;
}

kzt_object *
kzt_token_object_cached(kzt_op *op, CK_OBJECT_HANDLE h)
{
	if (!kzt_objcache_current(&op->slot->cache, op->token))
		return NULL;
	return kzt_token_object(op, h);
}

/* A key's public part, from its value as the token driver reads it: an EC key's
 * curve and point, or an RSA key's numbers. */
static CK_RV
load_key_numbers(kzt_object *o, const uint8_t *v, size_t len)
{
	const uint8_t *n, *e;
	size_t n_len, e_len;
	uint8_t curve;
	int r = kzt_ec_value_parse(v, len, &curve, &n, &n_len);

	if (r == KZT_OK)
		return kzt_object_ec_key(o, curve, n, n_len);
	if (r != KZT_ERR_NOT_FOUND || kzt_key_value_parse(v, len, &n, &n_len, &e, &e_len) != KZT_OK)
		return CKR_DEVICE_ERROR;
	return kzt_object_key_numbers(o, n, n_len, e, e_len);
}

/* The value read from the card becomes o's: CKA_VALUE, or a key's numbers. */
static CK_RV
take_value(kzt_object *o, const uint8_t *v, size_t len)
{
	const CK_ATTRIBUTE *cls = kzt_attrs_get(&o->attrs, CKA_CLASS);
	CK_OBJECT_CLASS c = cls != NULL ? kzt_ulong_of(cls->pValue) : CKO_DATA;
	CK_RV rv;

	if (c == CKO_PUBLIC_KEY || c == CKO_PRIVATE_KEY)
		rv = load_key_numbers(o, v, len);
	else
		rv = kzt_attrs_set(&o->attrs, CKA_VALUE, v, len) == KZT_OK ? CKR_OK : CKR_HOST_MEMORY;
	if (rv == CKR_OK)
		o->value_loaded = 1;
	return rv;
}

/* The cache on disk (`cache = public`) keeps the values of public objects as the
 * card gave them. */
static void
keep_for_disk(kzt_op *op, uint16_t card, const uint8_t *v, size_t len)
{
	kzt_cached *e;

	if (kzt_mod.cfg.cache_public && (e = kzt_objcache_by_card(&op->slot->cache, card)) != NULL &&
	    !(e->flags & KZT_OBJF_PRIVATE) && e->value_len == len)
		kzt_objcache_keep_value(e, v, len); /* (no memory: just not kept) */
}

/* One READ VALUES: o's value and those of the objects of its class the cache
 * holds unread, as many as one answer carries (an application that reads one
 * certificate reads them all: a browser starting, say). */
typedef struct together {
	kzt_op *op;
	kzt_object *o;
	int o_status;
	CK_RV rv;
} together;

static int
took_value(void *ctx, uint16_t handle, const uint8_t *v, size_t len, int status)
{
	together *t = ctx;
	kzt_object *x = kzt_token_object_by_card(t->op, handle);

	if (x == t->o)
		t->o_status = status;
	if (x == NULL || status != KZT_OK || x->value_loaded)
		return KZT_OK; /* (another's refusal is not this call's business) */
	if ((t->rv = take_value(x, v, len)) != CKR_OK)
		return KZT_ERR_NOMEM; /* (stops the walk; t->rv says what) */
	keep_for_disk(t->op, handle, v, len);
	return KZT_OK;
}

static CK_RV
load_together(kzt_op *op, kzt_object *o, uint8_t cls)
{
	uint16_t handles[KZT_READ_VALUES_MAX_HANDLES];
	together t = {op, o, KZT_ERR_CARD, CKR_OK};
	size_t n = 0, bytes;
	kzt_cached *e, *self = kzt_objcache_by_card(&op->slot->cache, o->card_handle);
	int r;

	if (self == NULL)
		return CKR_FUNCTION_NOT_SUPPORTED;
	handles[n++] = o->card_handle;
	bytes = 16 + self->value_len;
	for (e = op->slot->cache.list; e != NULL && n < KZT_READ_VALUES_MAX_HANDLES; e = e->next) {
		kzt_object *x = e->view;

		if (x == NULL || x == o || x->value_loaded || e->cls != cls ||
		    e->value_len > KZT_LOAD_TOGETHER_MAX_VALUE ||
		    bytes + 16 + e->value_len > KZT_READ_VALUES_MAX_IMAGE)
			continue;
		handles[n++] = e->card;
		bytes += 16 + e->value_len;
	}
	if (bytes > KZT_READ_VALUES_MAX_IMAGE)
		return CKR_FUNCTION_NOT_SUPPORTED; /* o alone is too big: READ OBJECT pages it */
	r = kzt_token_read_values(op->token, handles, n, took_value, &t);
	if (r == KZT_ERR_NOT_SUPPORTED)
		return CKR_FUNCTION_NOT_SUPPORTED;
	if (t.rv != CKR_OK)
		return t.rv;
	if (r == KZT_OK)
		r = t.o_status;
	return kzt_card_status(op, r);
}

CK_RV
kzt_object_load(kzt_op *op, kzt_object *o)
{
	kzt_cached *e;
	uint8_t *v = NULL;
	size_t len = 0;
	CK_RV rv;

	if (o->value_loaded || o->card_handle == 0)
		return CKR_OK;
	if ((e = kzt_objcache_by_card(&op->slot->cache, o->card_handle)) != NULL &&
	    (rv = load_together(op, o, e->cls)) != CKR_FUNCTION_NOT_SUPPORTED)
		return rv;
	if ((rv = kzt_card_status(op, kzt_token_read_object(op->token, o->card_handle, &v, &len))) !=
	    CKR_OK)
		return rv;
	if ((rv = take_value(o, v, len)) == CKR_OK)
		keep_for_disk(op, o->card_handle, v, len);
	free(v);
	return rv;
}

CK_RV
kzt_token_object_begin(kzt_session *s, CK_OBJECT_HANDLE obj, kzt_op *op, kzt_object **o)
{
	CK_RV rv;

	if ((rv = kzt_card_begin_held(s, op)) != CKR_OK)
		return rv;
	if ((rv = kzt_objects_recent(op)) == CKR_OK && (*o = kzt_token_object(op, obj)) == NULL)
		rv = CKR_OBJECT_HANDLE_INVALID;
	if (rv != CKR_OK)
		kzt_card_end(op);
	return rv;
}

void
kzt_owner_tag(CK_SESSION_HANDLE h, uint8_t tag[KZT_OWNER_TAG_LEN])
{
	int i;

	memcpy(tag, kzt_mod.instance, KZT_INSTANCE_LEN);
	for (i = 7; i >= 0; i--, h >>= 8)
		tag[KZT_INSTANCE_LEN + i] = (uint8_t)h;
}

int
kzt_owner_of(const kzt_slot *slot, const uint8_t *tag, size_t len, CK_SESSION_HANDLE *h)
{
	int i;

	if (len != KZT_OWNER_TAG_LEN)
		return KZT_OWNER_OTHER; /* not a tag this module writes: leave it alone */
	if (memcmp(tag, kzt_mod.instance, KZT_INSTANCE_LEN) == 0) {
		for (*h = 0, i = 0; i < 8; i++)
			*h = *h << 8 | tag[KZT_INSTANCE_LEN + i];
		return kzt_slot_session_open(slot, *h) ? KZT_OWNER_OURS : KZT_OWNER_GONE;
	}
	/* this process, an earlier C_Initialize: gone with its C_Finalize */
	if (memcmp(tag, kzt_mod.instance, KZT_PROCESS_ID_LEN) == 0)
		return KZT_OWNER_GONE;
	return kzt_process_alive(tag) ? KZT_OWNER_OTHER : KZT_OWNER_GONE;
}

CK_RV
kzt_card_session_mark(kzt_op *op, kzt_attrs *l)
{
	uint8_t tag[KZT_OWNER_TAG_LEN];

	kzt_owner_tag(op->session->handle, tag);
	if (kzt_attrs_set(l, KZT_CKA_SESSION_OWNER, tag, sizeof(tag)) != KZT_OK)
		return CKR_HOST_MEMORY;
	op->slot->made_card_session_objects = 1;
	return CKR_OK;
}
