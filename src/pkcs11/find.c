/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* Object search. C_FindObjectsInit takes the snapshot: the token objects (from the
 * slot's cache, re-read only if the card changed) and the session objects that
 * match the template and may be seen now; C_FindObjects hands it out. */
#include <stdlib.h>

#include "internal.h"

/* Append h to the search's matches, growing them. */
static CK_RV
add(kzt_find_state *f, CK_OBJECT_HANDLE h)
{
	CK_OBJECT_HANDLE *grown = realloc(f->found, (f->count + 1) * sizeof(*grown));

	if (grown == NULL)
		return CKR_HOST_MEMORY;
	grown[f->count++] = h;
	f->found = grown;
	return CKR_OK;
}

/* Token lock held: the token objects visible now that match. */
static CK_RV
match_token_objects(kzt_op *op, const CK_ATTRIBUTE *t, CK_ULONG n, kzt_find_state *f)
{
	kzt_cached *e;
	kzt_object *o;
	CK_RV rv;

	if ((rv = kzt_objects_search(op)) != CKR_OK)
		return rv;
	for (e = op->slot->cache.list; e != NULL && rv == CKR_OK; e = e->next) {
		o = e->view;
		/* (a failed read may have dropped the cache: stop at once) */
		if (kzt_object_needs_value(o, t, n) && (rv = kzt_object_load(op, o)) != CKR_OK)
			break;
		if (kzt_object_matches(o, t, n))
			rv = add(f, o->handle);
	}
	return rv;
}

/* The session objects of the session's slot visible under login that match. */
static CK_RV
match_session_objects(kzt_session *s, kzt_login login, const CK_ATTRIBUTE *t, CK_ULONG n,
		      kzt_find_state *f)
{
	kzt_session *owner;
	kzt_object *o;
	CK_RV rv;

	if ((rv = kzt_enter()) != CKR_OK)
		return rv;
	for (owner = kzt_mod.sessions; owner != NULL && rv == CKR_OK; owner = owner->next)
		for (o = owner->objects; owner->slot == s->slot && o != NULL && rv == CKR_OK; o = o->next)
			if (kzt_session_object(s->slot, login, o->handle, NULL) == o &&
			    kzt_object_matches(o, t, n))
				rv = add(f, o->handle);
	kzt_leave();
	return rv;
}

CK_DEFINE_FUNCTION(CK_RV, C_FindObjectsInit)(CK_SESSION_HANDLE hSession, CK_ATTRIBUTE_PTR pTemplate,
					     CK_ULONG ulCount)
{
	kzt_find_state *f;
	kzt_session *s;
	kzt_login login;
	kzt_op op;
	CK_RV rv;

	if ((rv = kzt_initialized()) != CKR_OK)
		return rv;
	if ((rv = kzt_template_check(pTemplate, ulCount)) != CKR_OK)
		return rv;
	if ((f = calloc(1, sizeof(*f))) == NULL)
		return CKR_HOST_MEMORY;
	if ((rv = kzt_session_acquire(hSession, &s)) != CKR_OK) {
		free(f);
		return rv;
	}
	if ((rv = kzt_card_begin_held(s, &op)) != CKR_OK)
		goto out;
	/* one login for both halves: the one the token lock sees */
	login = kzt_card_login(&op);
	rv = match_token_objects(&op, pTemplate, ulCount, f);
	kzt_card_end(&op);
	/* (the session objects under the global lock, the token lock let go) */
	if (rv == CKR_OK)
		rv = match_session_objects(s, login, pTemplate, ulCount, f);
	if (rv == CKR_OK && (rv = kzt_run_install(s, KZT_RUN_FIND, f)) == CKR_OK)
		f = NULL;
out:
	kzt_run_free(KZT_RUN_FIND, f);
	kzt_session_release(s);
	return rv;
}

CK_DEFINE_FUNCTION(CK_RV, C_FindObjects)(CK_SESSION_HANDLE hSession, CK_OBJECT_HANDLE_PTR phObject,
					 CK_ULONG ulMaxObjectCount, CK_ULONG_PTR pulObjectCount)
{
	kzt_find_state *f;
	kzt_session *s;
	CK_ULONG n = 0;
	CK_RV rv;

	if ((rv = kzt_initialized()) != CKR_OK)
		return rv;
	if (phObject == NULL || pulObjectCount == NULL)
		return CKR_ARGUMENTS_BAD;
	if ((rv = kzt_session_acquire(hSession, &s)) != CKR_OK)
		return rv;
	if ((rv = kzt_run_take(s, KZT_RUN_FIND, (void **)&f)) == CKR_OK) {
		while (n < ulMaxObjectCount && f->next < f->count)
			phObject[n++] = f->found[f->next++];
		*pulObjectCount = n;
		kzt_run_put(s, KZT_RUN_FIND, f, 1);
	}
	kzt_session_release(s);
	return rv;
}

CK_DEFINE_FUNCTION(CK_RV, C_FindObjectsFinal)(CK_SESSION_HANDLE hSession)
{
	kzt_find_state *f;
	kzt_session *s;
	CK_RV rv;

	if ((rv = kzt_session_acquire(hSession, &s)) != CKR_OK)
		return rv;
	if ((rv = kzt_run_take(s, KZT_RUN_FIND, (void **)&f)) == CKR_OK)
		kzt_run_put(s, KZT_RUN_FIND, f, 0);
	kzt_session_release(s);
	return rv;
}
