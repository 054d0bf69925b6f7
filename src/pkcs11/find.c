/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* Object search. C_FindObjectsInit takes the snapshot: the token objects (from the
 * slot's cache, re-read only if the card changed) and the session objects that
 * match the template and may be seen now; C_FindObjects hands it out. */
#include <stdlib.h>

#include "internal.h"

static int
template_needs_value(const CK_ATTRIBUTE *t, CK_ULONG n)
{
	CK_ULONG i;

	for (i = 0; i < n; i++)
		if (kzt_attr_needs_value(t[i].type))
			return 1;
	return 0;
}

/* Append h to (*list, *count), growing it. */
static CK_RV
add(CK_OBJECT_HANDLE **list, CK_ULONG *count, CK_OBJECT_HANDLE h)
{
	CK_OBJECT_HANDLE *grown = realloc(*list, (*count + 1) * sizeof(**list));

	if (grown == NULL)
		return CKR_HOST_MEMORY;
	grown[(*count)++] = h;
	*list = grown;
	return CKR_OK;
}

CK_DEFINE_FUNCTION(CK_RV, C_FindObjectsInit)(CK_SESSION_HANDLE hSession, CK_ATTRIBUTE_PTR pTemplate,
					     CK_ULONG ulCount)
{
	CK_OBJECT_HANDLE *found = NULL;
	CK_ULONG count = 0;
	kzt_session *s, *owner;
	kzt_object *o;
	kzt_op op;
	CK_RV rv;

	if ((rv = kzt_card_begin_session(hSession, &op)) != CKR_OK)
		return rv;
	if (pTemplate == NULL && ulCount > 0) {
		rv = CKR_ARGUMENTS_BAD;
		goto out;
	}
	if ((rv = kzt_objects_sync(&op)) != CKR_OK)
		goto out;
	for (o = op.slot->objects; o != NULL && rv == CKR_OK; o = o->next) {
		if (template_needs_value(pTemplate, ulCount) && (rv = kzt_object_load(&op, o)) != CKR_OK)
			break;
		if (kzt_object_matches(o, pTemplate, ulCount))
			rv = add(&found, &count, o->handle);
	}
	if (rv != CKR_OK || (rv = kzt_enter_session(hSession, &s)) != CKR_OK)
		goto out;
	if (s->find_active) {
		rv = CKR_OPERATION_ACTIVE;
	} else {
		for (owner = kzt_mod.sessions; owner != NULL && rv == CKR_OK; owner = owner->next)
			for (o = owner->objects; o != NULL && rv == CKR_OK; o = o->next)
				if (owner->slot == s->slot &&
				    kzt_session_object(s->slot, o->handle, NULL) == o &&
				    kzt_object_matches(o, pTemplate, ulCount))
					rv = add(&found, &count, o->handle);
	}
	if (rv == CKR_OK) {
		s->find_active = 1;
		s->found = found;
		s->found_count = count;
		s->found_next = 0;
		found = NULL;
	}
	kzt_leave();
out:
	free(found);
	kzt_card_end(&op);
	return rv;
}

CK_DEFINE_FUNCTION(CK_RV, C_FindObjects)(CK_SESSION_HANDLE hSession, CK_OBJECT_HANDLE_PTR phObject,
					 CK_ULONG ulMaxObjectCount, CK_ULONG_PTR pulObjectCount)
{
	kzt_session *s;
	CK_ULONG n = 0;
	CK_RV rv;

	if ((rv = kzt_enter_session(hSession, &s)) != CKR_OK)
		return rv;
	if (phObject == NULL || pulObjectCount == NULL) {
		rv = CKR_ARGUMENTS_BAD;
	} else if (!s->find_active) {
		rv = CKR_OPERATION_NOT_INITIALIZED;
	} else {
		while (n < ulMaxObjectCount && s->found_next < s->found_count)
			phObject[n++] = s->found[s->found_next++];
		*pulObjectCount = n;
	}
	kzt_leave();
	return rv;
}

CK_DEFINE_FUNCTION(CK_RV, C_FindObjectsFinal)(CK_SESSION_HANDLE hSession)
{
	kzt_session *s;
	CK_RV rv;

	if ((rv = kzt_enter_session(hSession, &s)) != CKR_OK)
		return rv;
	if (!s->find_active) {
		rv = CKR_OPERATION_NOT_INITIALIZED;
	} else {
		s->find_active = 0;
		free(s->found);
		s->found = NULL;
		s->found_count = s->found_next = 0;
	}
	kzt_leave();
	return rv;
}
