/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* Sessions held by the calls inside them, and the running operations they own.
 * A session leaves the table when it closes but is freed only when the last call
 * holding it returns; an operation a thread works on is detached from its session
 * for that time, so closing the session never frees what another thread uses. */
#include <stdlib.h>

#include "crypto.h"
#include "internal.h"

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

/* ---- closing ---- */

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

void
kzt_sessions_close(kzt_session *chain)
{
	CK_ULONG count = 0, rw = 0;
	kzt_session *s, *next;
	kzt_slot *slot;

	if (chain == NULL)
		return;
	slot = chain->slot;
	kzt_token_lock(slot);
	for (s = chain; s != NULL; s = s->next) {
		/* a session of a token gone was counted off when it went */
		if (s->generation != slot->generation)
			continue;
		count++;
		if (s->flags & CKF_RW_SESSION)
			rw++;
	}
	if (count > 0)
		kzt_slot_sessions_closed(slot, count, rw);
	kzt_token_unlock(slot);
	for (s = chain; s != NULL; s = next) {
		next = s->next;
		kzt_session_release(s); /* the table's hold */
	}
}

/* ---- running operations ---- */

void
kzt_run_free(kzt_run_kind k, void *st)
{
	if (st == NULL)
		return;
	if (k == KZT_RUN_FIND) {
		kzt_find_state *f = st;

		free(f->found);
		free(f);
	} else if (k == KZT_RUN_DIGEST) {
		kzt_digest_state *d = st;

		kzt_hash_free(&d->hash);
		free(d);
	} else {
		kzt_rsa_state *r = st;

		kzt_rsa_free(&r);
	}
}

void
kzt_run_cancel(kzt_session *s, kzt_run_kind k)
{
	if (s->busy & (1u << k)) {
		s->cancel |= 1u << k; /* its thread ends it when it puts it back */
		return;
	}
	kzt_run_free(k, s->run[k]);
	s->run[k] = NULL;
}

void
kzt_run_end_all(kzt_session *s)
{
	int k;

	for (k = 0; k < KZT_RUN_KINDS; k++)
		kzt_run_cancel(s, (kzt_run_kind)k);
}

CK_RV
kzt_run_take(kzt_session *s, kzt_run_kind k, void **st)
{
	CK_RV rv = kzt_enter();

	if (rv != CKR_OK)
		return rv;
	if (s->closed)
		rv = CKR_SESSION_HANDLE_INVALID;
	else if (s->run[k] == NULL)
		rv = CKR_OPERATION_NOT_INITIALIZED;
	else if (s->busy & (1u << k))
		rv = CKR_OPERATION_ACTIVE; /* another thread is inside it */
	else {
		s->busy |= 1u << k;
		*st = s->run[k];
	}
	kzt_leave();
	return rv;
}

void
kzt_run_put(kzt_session *s, kzt_run_kind k, void *st, int keep)
{
	if (kzt_enter() != CKR_OK) { /* finalised meanwhile: nothing left to put it in */
		kzt_run_free(k, st);
		return;
	}
	s->busy &= ~(1u << k);
	if (keep && !s->closed && !(s->cancel & (1u << k))) {
		st = NULL;
	} else {
		s->run[k] = NULL;
		s->cancel &= ~(1u << k);
	}
	kzt_leave();
	kzt_run_free(k, st);
}

CK_RV
kzt_run_install(kzt_session *s, kzt_run_kind k, void *st)
{
	CK_RV rv = kzt_enter();

	if (rv != CKR_OK)
		return rv;
	if (s->closed)
		rv = CKR_SESSION_HANDLE_INVALID;
	else if (s->run[k] != NULL)
		rv = CKR_OPERATION_ACTIVE;
	else
		s->run[k] = st;
	kzt_leave();
	return rv;
}

/* ---- argument conventions ---- */

int
kzt_output_room(CK_BYTE_PTR out, CK_ULONG_PTR len, size_t want, CK_RV *rv)
{
	if (out != NULL && *len >= want)
		return 1;
	*rv = out == NULL ? CKR_OK : CKR_BUFFER_TOO_SMALL;
	*len = want;
	return 0;
}

CK_RV
kzt_template_check(const CK_ATTRIBUTE *t, CK_ULONG n)
{
	CK_ULONG i;

	if (t == NULL && n > 0)
		return CKR_ARGUMENTS_BAD;
	for (i = 0; i < n; i++)
		if (t[i].pValue == NULL && t[i].ulValueLen > 0)
			return CKR_ARGUMENTS_BAD;
	return CKR_OK;
}
