/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* The card frame around every operation that talks to a token: find the slot or
 * session, take the token lock, hold the card, and at the end publish the login
 * and let everything go, so no path forgets a lock or the removal bookkeeping.
 * The login itself is never stored here: it is what the token driver says the
 * card has verified. */
#include <stdlib.h>

#include "clock.h"
#include "internal.h"
#include "kzt_err.h"
#include "log.h"
#include "secmem.h"

kzt_slot *
kzt_slot_find(CK_SLOT_ID id)
{
	return id < kzt_mod.nslots ? kzt_mod.slots[id] : NULL;
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

static kzt_login
login_of(const kzt_token *t)
{
	unsigned v = t != NULL ? kzt_token_verified(t) : 0;

	/* the module logs in one role at a time; should the card have both, the SO's
	 * session state is the one PKCS#11 describes */
	return (v & KZT_VERIFIED_ADMIN) ? KZT_LOGIN_SO : (v & KZT_VERIFIED_USER) ? KZT_LOGIN_USER
										 : KZT_LOGIN_NONE;
}

kzt_login
kzt_card_login(const kzt_op *op)
{
	return login_of(op->slot->token);
}

int
kzt_slot_connect(kzt_slot *slot)
{
	int r;

	if (slot->token != NULL)
		return KZT_OK;
	if ((r = kzt_token_open(slot->tr, &slot->token)) == KZT_OK)
		kzt_diskcache_load(slot);
	return r;
}

void
kzt_token_lock(kzt_slot *slot)
{
	kzt_mutex_lock(slot->card_lock);
}

void
kzt_token_unlock(kzt_slot *slot)
{
	kzt_login login = login_of(slot->token);
	unsigned generation = slot->generation;
	unsigned long seq = ++slot->view_seq;

	kzt_mutex_unlock(slot->card_lock);
	if (kzt_enter() != CKR_OK)
		return;
	/* (two threads may publish in either order: the later view wins) */
	if (seq > slot->seen_seq) {
		slot->seen_seq = seq;
		slot->seen_login = login;
		slot->seen_generation = generation;
	}
	kzt_leave();
}

void
kzt_channel_free(kzt_channel *c, int after_fork)
{
	kzt_token_free(&c->token);
	if (after_fork)
		kzt_transport_forget(&c->tr);
	else
		kzt_transport_free(&c->tr);
	c->busy = 0;
}

void
kzt_channels_close(kzt_slot *slot, int after_fork)
{
	kzt_channels *ch = &slot->channels;
	size_t i;

	/* (a busy one is freed by its operation, seeing the epoch move; in a forked
	 * child no operation of the parent's threads ever ends) */
	for (i = 0; i < KZT_CHANNELS_MAX; i++)
		if (!ch->c[i].busy || after_fork)
			kzt_channel_free(&ch->c[i], after_fork);
	ch->epoch++;
	ch->named = 0;
	ch->off = 0; /* (the next token may have them) */
	ch->wanted = 0;
	kzt_secure_zero(ch->ticket, sizeof(ch->ticket));
}

/* Token lock held: the token is gone (removed, or reset and to be opened anew). */
static void
token_drop(kzt_slot *slot)
{
	kzt_channels_close(slot, 0); /* (they share its security state: they go first) */
	kzt_token_free(&slot->token);
}

void
kzt_slot_removed(kzt_slot *slot)
{
	if (slot->token != NULL)
		kzt_log(KZT_LOG_INFO, "slot %lu: token removed", slot->id);
	token_drop(slot);
	kzt_objcache_forget(&slot->cache);
	kzt_transport_disconnect(slot->tr);
	/* its card-side logins died with it, so ours do, and its sessions with them
	 * (PKCS#11: sessions end with the token) */
	slot->nopen = 0;
	slot->generation++;
}

/* Token lock held: another application reset the card, so the applet is no longer
 * selected and nobody is logged in. The token starts afresh and logged out, so
 * nothing runs under a login the card no longer has. */
static void
slot_reset(kzt_slot *slot)
{
	kzt_log(KZT_LOG_INFO, "slot %lu: card reset by another application; logged out", slot->id);
	token_drop(slot);
	kzt_objcache_drop(&slot->cache); /* (the same card: its objects keep their handles) */
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

int
kzt_slot_session_opened(kzt_slot *slot, CK_SESSION_HANDLE h, int rw)
{
	struct kzt_open_session *grown;

	if (slot->nopen == slot->open_cap) {
		size_t cap = slot->open_cap ? 2 * slot->open_cap : 8;

		if ((grown = realloc(slot->open, cap * sizeof(*grown))) == NULL)
			return KZT_ERR_NOMEM;
		slot->open = grown;
		slot->open_cap = cap;
	}
	slot->open[slot->nopen].handle = h;
	slot->open[slot->nopen++].rw = rw;
	return KZT_OK;
}

CK_ULONG
kzt_slot_sessions(const kzt_slot *slot, CK_ULONG *rw)
{
	size_t i;

	if (rw != NULL)
		for (*rw = 0, i = 0; i < slot->nopen; i++)
			*rw += slot->open[i].rw != 0;
	return slot->nopen;
}

int
kzt_slot_session_open(const kzt_slot *slot, CK_SESSION_HANDLE h)
{
	size_t i;

	for (i = 0; i < slot->nopen; i++)
		if (slot->open[i].handle == h)
			return 1;
	return 0;
}

void
kzt_slot_sessions_closed(kzt_slot *slot, const CK_SESSION_HANDLE *h, size_t n)
{
	unsigned verified;
	size_t i, j;

	for (i = 0; i < n; i++)
		for (j = 0; j < slot->nopen; j++)
			if (slot->open[j].handle == h[i]) {
				slot->open[j] = slot->open[--slot->nopen];
				break;
			}
	if (h == NULL)
		slot->nopen = 0;
	if (slot->nopen > 0 || slot->token == NULL)
		return;
	/* the login belongs to the application's sessions: with the last one it ends,
	 * on the card and in the module at once (the token driver notes the log-out) */
	if ((verified = kzt_token_verified(slot->token)) == 0 || kzt_slot_hold(slot) != KZT_OK)
		return;
	if ((verified & KZT_VERIFIED_USER) && slot->token != NULL)
		kzt_token_logout(slot->token, KZT_ROLE_USER);
	if ((verified & KZT_VERIFIED_ADMIN) && slot->token != NULL)
		kzt_token_logout(slot->token, KZT_ROLE_ADMIN);
	kzt_slot_release(slot);
}

/* Token lock held, token connected or not: connect it, hold the card, report
 * presence. On failure the lock is released (and the session too). */
static CK_RV
card_ready(kzt_op *op)
{
	int r;

	/* a session of a token that went away while this call waited for the lock */
	if (op->session != NULL && op->session->generation != op->slot->generation) {
		kzt_token_unlock(op->slot);
		return CKR_DEVICE_REMOVED;
	}
	/* ...or that another thread closed while this call waited */
	if (op->session != NULL && !kzt_slot_session_open(op->slot, op->session->handle)) {
		kzt_token_unlock(op->slot);
		return CKR_SESSION_HANDLE_INVALID;
	}
	if ((r = kzt_slot_hold(op->slot)) == KZT_OK) {
		op->token = op->slot->token;
		return CKR_OK;
	}
	kzt_token_unlock(op->slot);
	if (r == KZT_ERR_NO_CARD)
		return op->session != NULL ? CKR_DEVICE_REMOVED : CKR_TOKEN_NOT_PRESENT;
	if (r == KZT_ERR_NOT_FOUND)
		return CKR_TOKEN_NOT_RECOGNIZED;
	return kzt_rv(r);
}

CK_RV
kzt_card_begin_slot(CK_SLOT_ID id, kzt_op *op)
{
	CK_RV rv;

	op->token = NULL;
	op->owns_session = 0;
	op->session = NULL;
	op->session_flags = 0;
	if ((rv = kzt_slot_get(id, &op->slot)) != CKR_OK)
		return rv;
	kzt_token_lock(op->slot);
	return card_ready(op);
}

CK_RV
kzt_card_begin_held(kzt_session *s, kzt_op *op)
{
	op->token = NULL;
	op->owns_session = 0;
	op->session = s;
	op->slot = s->slot;
	op->session_flags = s->flags;
	kzt_token_lock(op->slot);
	return card_ready(op);
}

CK_RV
kzt_card_begin_session(CK_SESSION_HANDLE h, kzt_op *op)
{
	kzt_session *s;
	CK_RV rv;

	if ((rv = kzt_session_acquire(h, &s)) != CKR_OK)
		return rv;
	if ((rv = kzt_card_begin_held(s, op)) != CKR_OK) {
		kzt_session_release(s);
		return rv;
	}
	op->owns_session = 1;
	return CKR_OK;
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
	kzt_session *owned = op->owns_session ? op->session : NULL;

	kzt_slot_release(op->slot);
	kzt_token_unlock(op->slot);
	if (owned != NULL)
		kzt_session_release(owned);
}

CK_RV
kzt_card_read_state(CK_SLOT_ID id, kzt_op *op, kzt_token_state *st)
{
	CK_RV rv = kzt_card_begin_slot(id, op);

	if (rv != CKR_OK)
		return rv;
	if ((rv = kzt_card_status(op, kzt_token_read_state(op->token, st))) != CKR_OK)
		kzt_card_end(op);
	else /* (a search next may take its change counter for the card's word) */
		kzt_objcache_told(&op->slot->cache, kzt_os_now_ms());
	return rv;
}

int
kzt_slot_present(kzt_slot *slot)
{
	int present;

	kzt_token_lock(slot);
	switch (kzt_transport_present(slot->tr)) {
	case 0: /* the reader has no card */
		if (slot->token != NULL)
			kzt_slot_removed(slot);
		present = 0;
		break;
	case 1: /* a card: ours already, or one to connect */
		present = 1;
		if (slot->token == NULL) {
			present = kzt_slot_hold(slot) == KZT_OK;
			if (present)
				kzt_slot_release(slot);
		}
		break;
	default: /* the reader cannot tell just now: keep what we know */
		present = slot->token != NULL;
	}
	kzt_token_unlock(slot);
	return present;
}
