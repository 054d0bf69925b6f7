/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* The entry helpers: finding slots and sessions, and the begin / status / end
 * frame around every card operation, so no path forgets a lock or the removal
 * bookkeeping. */
#include <stdlib.h>

#include "internal.h"
#include "kzt_err.h"
#include "log.h"

kzt_slot *
kzt_slot_find(CK_SLOT_ID id)
{
	return id < kzt_mod.nslots ? kzt_mod.slots[id] : NULL;
}

kzt_session *
kzt_session_find(CK_SESSION_HANDLE h)
{
	kzt_session *s;

	for (s = kzt_mod.sessions; s != NULL; s = s->next)
		if (s->handle == h)
			return s;
	return NULL;
}

CK_RV
kzt_slot_get(CK_SLOT_ID id, kzt_slot **slot)
{
	CK_RV rv = kzt_enter();

	if (rv != CKR_OK)
		return rv;
	*slot = kzt_slot_find(id);
	kzt_leave();
	return *slot != NULL ? CKR_OK : CKR_SLOT_ID_INVALID;
}

CK_RV
kzt_enter_session(CK_SESSION_HANDLE h, kzt_session **s)
{
	CK_RV rv = kzt_enter();

	if (rv != CKR_OK)
		return rv;
	if ((*s = kzt_session_find(h)) == NULL) {
		kzt_leave();
		return CKR_SESSION_HANDLE_INVALID;
	}
	if ((*s)->removed) { /* its token went away: say so, once */
		kzt_session **pp = &kzt_mod.sessions;

		while (*pp != *s)
			pp = &(*pp)->next;
		*pp = (*s)->next;
		kzt_session_free(*s);
		*s = NULL;
		kzt_leave();
		return CKR_DEVICE_REMOVED;
	}
	return CKR_OK;
}

kzt_login
kzt_sessions_close_slot(kzt_slot *slot)
{
	kzt_session **pp = &kzt_mod.sessions, *s;
	kzt_login was = slot->login;

	while ((s = *pp) != NULL) {
		if (s->slot == slot) {
			*pp = s->next;
			kzt_session_free(s);
		} else {
			pp = &s->next;
		}
	}
	slot->sessions = 0;
	slot->rw_sessions = 0;
	slot->login = KZT_LOGIN_NONE;
	return was;
}

int
kzt_slot_connect(kzt_slot *slot)
{
	if (slot->token != NULL)
		return KZT_OK;
	return kzt_token_open(slot->tr, &slot->token);
}

void
kzt_slot_removed(kzt_slot *slot)
{
	kzt_session *s;

	if (slot->token != NULL)
		kzt_log(KZT_LOG_INFO, "slot %lu: token removed", slot->id);
	kzt_token_free(&slot->token);
	kzt_objects_forget(slot);
	kzt_transport_disconnect(slot->tr);
	if (kzt_enter() != CKR_OK)
		return;
	/* its card-side logins died with it, so ours do, and its sessions with them
	 * (PKCS#11: sessions end with the token) */
	for (s = kzt_mod.sessions; s != NULL; s = s->next)
		if (s->slot == slot)
			s->removed = 1;
	slot->sessions = 0;
	slot->rw_sessions = 0;
	slot->login = KZT_LOGIN_NONE;
	kzt_leave();
}

/* Card lock held: another application reset the card, so the applet is no longer
 * selected and nobody is logged in. The token starts afresh and the slot is logged
 * out, so nothing runs under a login the card no longer has. */
static void
slot_reset(kzt_slot *slot)
{
	kzt_log(KZT_LOG_INFO, "slot %lu: card reset by another application; logged out", slot->id);
	kzt_token_free(&slot->token);
	kzt_objects_stale(slot); /* (the same card: its objects keep their handles) */
	if (kzt_enter() == CKR_OK) {
		slot->login = KZT_LOGIN_NONE;
		kzt_leave();
	}
}

int
kzt_slot_hold(kzt_slot *slot)
{
	int r = kzt_transport_begin(slot->tr);

	if (r == KZT_ERR_RESET) { /* reset since our last operation: held all the same */
		slot_reset(slot);
		r = KZT_OK;
	}
	if (r == KZT_OK && (r = kzt_slot_connect(slot)) != KZT_OK)
		kzt_transport_end(slot->tr);
	if (r == KZT_ERR_NO_CARD && slot->token != NULL)
		kzt_slot_removed(slot);
	return r;
}

void
kzt_slot_release(kzt_slot *slot)
{
	kzt_transport_end(slot->tr);
}

/* Card lock held, token connected or not: connect it, hold the card, report
 * presence. */
static CK_RV
card_ready(kzt_op *op)
{
	int r = kzt_slot_hold(op->slot);

	if (r == KZT_OK) {
		op->token = op->slot->token;
		return CKR_OK;
	}
	kzt_mutex_unlock(op->slot->card_lock);
	if (r == KZT_ERR_NO_CARD)
		return CKR_TOKEN_NOT_PRESENT;
	if (r == KZT_ERR_NOT_FOUND)
		return CKR_TOKEN_NOT_RECOGNIZED;
	return kzt_rv(r);
}

CK_RV
kzt_card_begin_slot(CK_SLOT_ID id, kzt_op *op)
{
	CK_RV rv;

	op->token = NULL;
	op->session_flags = 0;
	if ((rv = kzt_slot_get(id, &op->slot)) != CKR_OK)
		return rv;
	kzt_mutex_lock(op->slot->card_lock);
	return card_ready(op);
}

CK_RV
kzt_card_begin_session(CK_SESSION_HANDLE h, kzt_op *op)
{
	kzt_session *s;
	CK_RV rv;

	op->token = NULL;
	if ((rv = kzt_enter_session(h, &s)) != CKR_OK)
		return rv;
	op->slot = s->slot;
	op->session_flags = s->flags;
	kzt_leave();
	kzt_mutex_lock(op->slot->card_lock);
	return card_ready(op);
}

CK_RV
kzt_card_status(kzt_op *op, int status)
{
	if (status == KZT_ERR_NO_CARD) {
		kzt_slot_removed(op->slot);
		op->token = NULL;
		return CKR_DEVICE_REMOVED;
	}
	if (status == KZT_ERR_RESET) { /* reset during this operation: it cannot go on */
		slot_reset(op->slot);
		op->token = NULL;
	}
	return kzt_rv(status);
}

void
kzt_card_end(kzt_op *op)
{
	kzt_slot_release(op->slot);
	kzt_mutex_unlock(op->slot->card_lock);
}

CK_RV
kzt_card_read_state(CK_SLOT_ID id, kzt_op *op, kzt_token_state *st)
{
	CK_RV rv = kzt_card_begin_slot(id, op);

	if (rv != CKR_OK)
		return rv;
	if ((rv = kzt_card_status(op, kzt_token_read_state(op->token, st))) != CKR_OK)
		kzt_card_end(op);
	return rv;
}
