/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* The session table: sessions held by the calls inside them. A session leaves the
 * table when it closes (or its token went away) but is freed only when the last
 * call holding it returns. */
#include <stdlib.h>

#include "internal.h"

void
kzt_session_free(kzt_session *s)
{
	int k;

	kzt_objects_free(s->objects);
	for (k = 0; k < KZT_RUN_KINDS; k++)
		kzt_run_free((kzt_run_kind)k, s->run[k]);
	free(s);
}

/* Global lock held: the session with this handle in the table, and where it is. */
static kzt_session **
find(CK_SESSION_HANDLE h)
{
	kzt_session **pp;

	for (pp = &kzt_mod.sessions; *pp != NULL; pp = &(*pp)->next)
		if ((*pp)->handle == h)
			return pp;
	return NULL;
}

/* Global lock held: take the session out of the table; its operations that no
 * thread holds end now. 1 when no call holds it either (free it). */
static int
unlink_session(kzt_session **pp)
{
	kzt_session *s = *pp;

	*pp = s->next;
	s->next = NULL;
	s->closed = 1;
	kzt_run_end_all(s);
	return --s->refs == 0;
}

CK_RV
kzt_session_acquire(CK_SESSION_HANDLE h, kzt_session **out)
{
	kzt_session **pp, *s, *gone = NULL;
	CK_RV rv = kzt_enter();

	if (rv != CKR_OK)
		return rv;
	if ((pp = find(h)) == NULL) {
		kzt_leave();
		return CKR_SESSION_HANDLE_INVALID;
	}
	s = *pp;
	if (s->generation != s->slot->seen_generation) {
		/* its token went away: say so, once (the slot's counts were reset then) */
		if (unlink_session(pp))
			gone = s;
		rv = CKR_DEVICE_REMOVED;
	} else {
		s->refs++;
		*out = s;
	}
	kzt_leave();
	if (gone != NULL)
		kzt_session_free(gone);
	return rv;
}

void
kzt_session_release(kzt_session *s)
{
	int last;

	if (kzt_enter() != CKR_OK) /* finalised meanwhile: C_Finalize freed it */
		return;
	last = --s->refs == 0 && s->closed;
	kzt_leave();
	if (last)
		kzt_session_free(s);
}

kzt_login
kzt_session_login(const kzt_session *s)
{
	return s->slot->seen_login;
}

CK_RV
kzt_sessions_take(CK_SESSION_HANDLE h, const kzt_slot *slot, kzt_session **chain)
{
	kzt_session **pp, *s;
	CK_RV rv = kzt_enter();

	*chain = NULL;
	if (rv != CKR_OK)
		return rv;
	if (slot == NULL) {
		if ((pp = find(h)) == NULL) {
			rv = CKR_SESSION_HANDLE_INVALID;
		} else {
			*chain = *pp;
			*pp = (*chain)->next;
			(*chain)->next = NULL;
		}
	} else {
		for (pp = &kzt_mod.sessions; (s = *pp) != NULL;) {
			if (s->slot != slot) {
				pp = &s->next;
				continue;
			}
			*pp = s->next;
			s->next = *chain;
			*chain = s;
		}
	}
	for (s = *chain; s != NULL; s = s->next) {
		s->closed = 1;
		kzt_run_end_all(s);
	}
	kzt_leave();
	return rv;
}
