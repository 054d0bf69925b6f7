/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* The slot's cache of token objects, read from the card: re-read only when the
 * card's change counter moved or its security state changed, values read lazily,
 * private objects kept only under the user's login. */
#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "internal.h"
#include "kzt_err.h"
#include "log.h"
#include "proc.h"


/* The attributes a directory entry tells: what the card knows, then the blob. An
 * entry listed as before keeps what was read (values never change on the card). */
static int
fill_from_entry(kzt_object *o, const kzt_dir_entry *e, CK_SESSION_HANDLE owner)
{
	int r;

	o->owner = owner;
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
	return r;
}

CK_RV
kzt_objects_sync(kzt_op *op)
{
	kzt_slot *slot = op->slot;
	kzt_object *fresh = NULL, **tail = &fresh, *o, **pp;
	int user = kzt_card_login(op) == KZT_LOGIN_USER;
	uint64_t auth = kzt_token_auth_epoch(op->token);
	uint16_t gone[32];
	CK_SESSION_HANDLE owner;
	uint32_t counter;
	const uint8_t *p, *tag;
	uint8_t *dir;
	size_t len, tag_len, ngone = 0, i;
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
		/* A session object kept on the card is its application's only; one left
		 * by an application or a session that ended goes (under the login the
		 * card asks for that). */
		owner = 0;
		if ((r = kzt_attrs_blob_find(e.blob, e.blob_len, KZT_CKA_SESSION_OWNER, &tag,
					     &tag_len)) == KZT_OK) {
			int whose = kzt_owner_of(slot, tag, tag_len, &owner);

			if (whose == KZT_OWNER_GONE && user && ngone < sizeof(gone) / sizeof(gone[0]))
				gone[ngone++] = e.handle;
			if (whose != KZT_OWNER_OURS)
				continue;
		} else if (r == KZT_ERR_PARSE) {
			kzt_log(KZT_LOG_ERROR, "card: object %04X has a malformed attribute blob", e.handle);
			r = KZT_ERR_CARD;
			break;
		}
		/* keep the handle (and what was read) of an object seen before */
		for (pp = &slot->objects; *pp != NULL && (*pp)->card_handle != e.handle; pp = &(*pp)->next)
			;
		if ((o = *pp) != NULL) {
			*pp = o->next;
		} else if ((o = calloc(1, sizeof(*o))) == NULL ||
			   (o->handle = kzt_object_handle_for(slot, e.handle)) == CK_INVALID_HANDLE) {
			free(o);
			r = KZT_ERR_NOMEM;
			break;
		}
		o->card_handle = e.handle;
		o->next = NULL;
		*tail = o;
		tail = &o->next;
		if ((r = fill_from_entry(o, &e, owner)) != KZT_OK) {
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
	/* (deleting what is gone moves the counter; the cache, which never held it,
	 * stays good) */
	for (i = 0; i < ngone; i++) {
		rv = kzt_card_status(op, kzt_token_delete_object(op->token, gone[i]));
		if (op->token == NULL)
			return rv; /* removed or reset meanwhile */
	}
	if (ngone > 0 &&
	    (rv = kzt_card_status(op, kzt_token_change_counter(op->token, &counter))) != CKR_OK)
		return rv;
	slot->cache_valid = 1;
	slot->cache_counter = counter;
	slot->cache_auth = auth;
	return CKR_OK;
}

void
kzt_objects_drop_sessions(kzt_slot *slot, const CK_SESSION_HANDLE *h, size_t n)
{
	kzt_op op = {.slot = slot};
	kzt_object *o;
	size_t i;
	int dropped = 0;

	if (!slot->made_card_session_objects || slot->token == NULL ||
	    !(kzt_token_verified(slot->token) & KZT_VERIFIED_USER) || kzt_slot_hold(slot) != KZT_OK)
		return;
	if ((op.token = slot->token) != NULL && kzt_objects_sync(&op) == CKR_OK) {
		for (o = slot->objects; o != NULL; o = o->next) {
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
			slot->cache_valid = 0; /* the next look re-reads the directory */
	}
	kzt_slot_release(slot);
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
