/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* PKCS#11 objects: the slot's cache of token objects (re-read only when the card's
 * change counter moved, or when the login changed what may be seen), lazily read
 * values, template matching, and the lifetime of session objects. */
#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "internal.h"
#include "kzt_err.h"
#include "log.h"

void
kzt_object_free(kzt_object *o)
{
	if (o == NULL)
		return;
	kzt_attrs_free(&o->attrs);
	free(o->entry);
	free(o);
}

void
kzt_objects_free(kzt_object *o)
{
	kzt_object *next;

	for (; o != NULL; o = next) {
		next = o->next;
		kzt_object_free(o);
	}
}

void
kzt_session_free(kzt_session *s)
{
	int k;

	kzt_objects_free(s->objects);
	for (k = 0; k < KZT_RUN_KINDS; k++)
		kzt_run_free((kzt_run_kind)k, s->run[k]);
	free(s);
}

void
kzt_objects_stale(kzt_slot *slot)
{
	kzt_objects_free(slot->objects);
	slot->objects = NULL;
	slot->cache_valid = 0;
}

void
kzt_objects_forget(kzt_slot *slot)
{
	kzt_objects_stale(slot);
	free(slot->handles);
	slot->handles = NULL;
	slot->nhandles = 0;
}

/* The module handle for a card object: the one it had, or a new one. */
static CK_OBJECT_HANDLE
handle_for(kzt_slot *slot, uint16_t card)
{
	struct kzt_handle_map *grown;
	CK_OBJECT_HANDLE h;
	size_t i;

	for (i = 0; i < slot->nhandles; i++)
		if (slot->handles[i].card == card)
			return slot->handles[i].handle;
	if ((grown = realloc(slot->handles, (slot->nhandles + 1) * sizeof(*grown))) == NULL)
		return CK_INVALID_HANDLE;
	slot->handles = grown;
	if ((h = kzt_object_handle_new()) != CK_INVALID_HANDLE) {
		grown[slot->nhandles].card = card;
		grown[slot->nhandles++].handle = h;
	}
	return h;
}

CK_OBJECT_HANDLE
kzt_object_handle_new(void)
{
	return __atomic_add_fetch(&kzt_mod.next_object, 1, __ATOMIC_RELAXED);
}

int
kzt_attr_needs_value(CK_ATTRIBUTE_TYPE type)
{
	return type == CKA_VALUE || type == CKA_MODULUS || type == CKA_PUBLIC_EXPONENT ||
	       type == CKA_MODULUS_BITS;
}

/* The card's object classes are PKCS#11's first four, in the same order. */
static const CK_OBJECT_CLASS card_classes[] = {
	[KZT_CLASS_DATA] = CKO_DATA,
	[KZT_CLASS_CERTIFICATE] = CKO_CERTIFICATE,
	[KZT_CLASS_PUBLIC_KEY] = CKO_PUBLIC_KEY,
	[KZT_CLASS_PRIVATE_KEY] = CKO_PRIVATE_KEY,
};

uint8_t
kzt_card_class(CK_OBJECT_CLASS cls)
{
	uint8_t c;

	for (c = 0; c < sizeof(card_classes) / sizeof(card_classes[0]); c++)
		if (card_classes[c] == cls)
			return c;
	return 0xFF;
}

/* The attributes a directory entry tells: what the card knows, then the blob. An
 * entry listed as before keeps what was read (values never change on the card). */
static int
fill_from_entry(kzt_object *o, const kzt_dir_entry *e)
{
	int r;

	if (o->entry != NULL && o->entry_len == e->blob_len && o->entry_flags == e->flags &&
	    o->value_len == e->value_len && memcmp(o->entry, e->blob, e->blob_len) == 0)
		return KZT_OK;
	kzt_attrs_free(&o->attrs);
	free(o->entry);
	o->value_loaded = 0;
	o->value_len = e->value_len;
	o->entry_len = 0;
	if ((o->entry = malloc(e->blob_len + 1)) == NULL)
		return KZT_ERR_NOMEM;
	memcpy(o->entry, e->blob, e->blob_len);
	o->entry_len = e->blob_len;
	o->entry_flags = e->flags;
	if ((r = kzt_attrs_decode(e->blob, e->blob_len, &o->attrs)) != KZT_OK)
		return r;
	/* what the card enforces wins over anything a blob might claim */
	r = kzt_attrs_set_ulong(&o->attrs, CKA_CLASS, card_classes[e->cls]);
	if (r == KZT_OK)
		r = kzt_attrs_set_bool(&o->attrs, CKA_TOKEN, CK_TRUE);
	if (r == KZT_OK)
		r = kzt_attrs_set_bool(&o->attrs, CKA_PRIVATE,
				       (e->flags & KZT_OBJF_PRIVATE) ? CK_TRUE : CK_FALSE);
	if (r == KZT_OK)
		r = kzt_attrs_set_bool(&o->attrs, CKA_MODIFIABLE,
				       (e->flags & KZT_OBJF_MODIFIABLE) ? CK_TRUE : CK_FALSE);
	return r;
}

CK_RV
kzt_objects_sync(kzt_op *op)
{
	kzt_slot *slot = op->slot;
	kzt_object *fresh = NULL, **tail = &fresh, *o, **pp;
	int user = kzt_card_login(op) == KZT_LOGIN_USER;
	uint64_t auth = kzt_token_auth_epoch(op->token);
	uint32_t counter;
	const uint8_t *p;
	uint8_t *dir;
	size_t len;
	kzt_dir_entry e;
	CK_RV rv;
	int r;

	if ((rv = kzt_card_status(op, kzt_token_change_counter(op->token, &counter))) != CKR_OK)
		return rv;
	if (slot->cache_valid && slot->cache_counter == counter && slot->cache_auth == auth)
		return CKR_OK;
	if ((rv = kzt_card_status(op, kzt_token_list_objects(op->token, &dir, &len))) != CKR_OK)
		return rv;
	p = dir;
	while ((r = kzt_dir_next(&p, &len, &e)) == KZT_OK) {
		/* The card lists what its own verification allows, and that may be
		 * another application's (a card shared through PC/SC): a private object
		 * is ours to see only while this module has the user logged in. */
		if ((e.flags & KZT_OBJF_PRIVATE) && !user)
			continue;
		/* keep the handle (and what was read) of an object seen before */
		for (pp = &slot->objects; *pp != NULL && (*pp)->card_handle != e.handle; pp = &(*pp)->next)
			;
		if ((o = *pp) != NULL) {
			*pp = o->next;
		} else if ((o = calloc(1, sizeof(*o))) == NULL ||
			   (o->handle = handle_for(slot, e.handle)) == CK_INVALID_HANDLE) {
			free(o);
			r = KZT_ERR_NOMEM;
			break;
		}
		o->card_handle = e.handle;
		o->next = NULL;
		*tail = o;
		tail = &o->next;
		if ((r = fill_from_entry(o, &e)) != KZT_OK) {
			if (r != KZT_ERR_NOMEM) {
				kzt_log(KZT_LOG_ERROR, "card: object %04X has a malformed attribute blob",
					e.handle);
				r = KZT_ERR_CARD;
			}
			break;
		}
	}
	free(dir);
	kzt_objects_free(slot->objects); /* objects gone from the card */
	slot->objects = fresh;
	if (r != KZT_ERR_NOT_FOUND) {
		kzt_objects_forget(slot);
		return kzt_card_status(op, r);
	}
	slot->cache_valid = 1;
	slot->cache_counter = counter;
	slot->cache_auth = auth;
	return CKR_OK;
}

kzt_object *
kzt_token_object(kzt_op *op, CK_OBJECT_HANDLE h)
{
	kzt_object *o;

	for (o = op->slot->objects; o != NULL; o = o->next)
		if (o->handle == h)
			return o;
	return NULL;
}

kzt_object *
kzt_token_object_cached(kzt_op *op, CK_OBJECT_HANDLE h)
{
	kzt_slot *slot = op->slot;

	if (!slot->cache_valid || slot->cache_auth != kzt_token_auth_epoch(op->token))
		return NULL;
	return kzt_token_object(op, h);
}

CK_RV
kzt_object_key_numbers(kzt_object *o, const uint8_t *n, size_t n_len, const uint8_t *e, size_t e_len)
{
	if (kzt_attrs_set(&o->attrs, CKA_MODULUS, n, n_len) != KZT_OK ||
	    kzt_attrs_set(&o->attrs, CKA_PUBLIC_EXPONENT, e, e_len) != KZT_OK ||
	    kzt_attrs_set_ulong(&o->attrs, CKA_MODULUS_BITS, n_len * 8) != KZT_OK)
		return CKR_HOST_MEMORY;
	o->value_loaded = 1;
	return CKR_OK;
}

/* A key's numbers, from its value as the token driver reads it. */
static CK_RV
load_key_numbers(kzt_object *o, const uint8_t *v, size_t len)
{
	const uint8_t *n, *e;
	size_t n_len, e_len;

	if (kzt_key_value_parse(v, len, &n, &n_len, &e, &e_len) != KZT_OK)
		return CKR_DEVICE_ERROR;
	return kzt_object_key_numbers(o, n, n_len, e, e_len);
}

CK_RV
kzt_object_load(kzt_op *op, kzt_object *o)
{
	const CK_ATTRIBUTE *cls = kzt_attrs_get(&o->attrs, CKA_CLASS);
	CK_OBJECT_CLASS c = cls != NULL ? *(const CK_OBJECT_CLASS *)cls->pValue : CKO_DATA;
	uint8_t *v = NULL;
	size_t len = 0;
	CK_RV rv;

	if (o->value_loaded || o->card_handle == 0)
		return CKR_OK;
	if ((rv = kzt_card_status(op, kzt_token_read_object(op->token, o->card_handle, &v, &len))) !=
	    CKR_OK)
		return rv;
	if (c == CKO_PUBLIC_KEY || c == CKO_PRIVATE_KEY)
		rv = load_key_numbers(o, v, len);
	else
		rv = kzt_attrs_set(&o->attrs, CKA_VALUE, v, len) == KZT_OK ? CKR_OK : CKR_HOST_MEMORY;
	free(v);
	if (rv == CKR_OK)
		o->value_loaded = 1;
	return rv;
}

CK_RV
kzt_token_object_begin(kzt_session *s, CK_OBJECT_HANDLE obj, kzt_op *op, kzt_object **o)
{
	CK_RV rv;

	if ((rv = kzt_card_begin_held(s, op)) != CKR_OK)
		return rv;
	if ((rv = kzt_objects_sync(op)) == CKR_OK && (*o = kzt_token_object(op, obj)) == NULL)
		rv = CKR_OBJECT_HANDLE_INVALID;
	if (rv != CKR_OK)
		kzt_card_end(op);
	return rv;
}

int
kzt_object_matches(const kzt_object *o, const CK_ATTRIBUTE *t, CK_ULONG n)
{
	const CK_ATTRIBUTE *a;
	CK_ULONG i;

	for (i = 0; i < n; i++) {
		a = kzt_attrs_get(&o->attrs, t[i].type);
		if (a == NULL || a->ulValueLen != t[i].ulValueLen ||
		    (a->ulValueLen > 0 && memcmp(a->pValue, t[i].pValue, a->ulValueLen) != 0))
			return 0;
	}
	return 1;
}

kzt_object *
kzt_session_object(kzt_slot *slot, kzt_login login, CK_OBJECT_HANDLE h, kzt_session **owner)
{
	kzt_session *s;
	kzt_object *o;

	for (s = kzt_mod.sessions; s != NULL; s = s->next) {
		if (s->slot != slot)
			continue;
		for (o = s->objects; o != NULL; o = o->next) {
			if (o->handle != h)
				continue;
			if (login != KZT_LOGIN_USER && kzt_attrs_bool(&o->attrs, CKA_PRIVATE, CK_FALSE))
				return NULL; /* a private object is invisible until login */
			if (owner != NULL)
				*owner = s;
			return o;
		}
	}
	return NULL;
}
