/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* Session management: open, close, close all, session info. A slot's session
 * count and its login change together under its token lock, so the last session's
 * close and the card's log-out are one step no other call can come between. */
#include <stdlib.h>

#include "internal.h"
#include "kzt_err.h"

CK_DEFINE_FUNCTION(CK_RV, C_OpenSession)(CK_SLOT_ID slotID, CK_FLAGS flags,
					 CK_VOID_PTR pApplication, CK_NOTIFY Notify,
					 CK_SESSION_HANDLE_PTR phSession)
{
	kzt_session *s;
	kzt_op op;
	CK_RV rv;

	(void)pApplication;
	(void)Notify; /* no callbacks are ever made (CKN_SURRENDER is optional) */
	if ((rv = kzt_initialized()) != CKR_OK)
		return rv;
	if (phSession == NULL)
		return CKR_ARGUMENTS_BAD;
	if (!(flags & CKF_SERIAL_SESSION))
		return CKR_SESSION_PARALLEL_NOT_SUPPORTED;
	if ((s = calloc(1, sizeof(*s))) == NULL)
		return CKR_HOST_MEMORY;
	if ((rv = kzt_card_begin_slot(slotID, &op)) != CKR_OK) {
		free(s);
		return rv;
	}
	if (kzt_card_login(&op) == KZT_LOGIN_SO && !(flags & CKF_RW_SESSION)) {
		kzt_card_end(&op);
		free(s);
		return CKR_SESSION_READ_WRITE_SO_EXISTS;
	}
	s->handle = __atomic_add_fetch(&kzt_mod.next_handle, 1, __ATOMIC_RELAXED);
	s->slot = op.slot;
	s->flags = flags & (CKF_SERIAL_SESSION | CKF_RW_SESSION);
	s->generation = op.slot->generation;
	s->refs = 1; /* the table's */
	if (kzt_slot_session_opened(op.slot, s->handle, (flags & CKF_RW_SESSION) != 0) != KZT_OK) {
		kzt_card_end(&op);
		free(s);
		return CKR_HOST_MEMORY;
	}
	kzt_card_end(&op);
	/* Counted first, listed second: a C_CloseAllSessions in between leaves it
	 * counted and open, as it is. */
	if ((rv = kzt_enter()) != CKR_OK) {
		free(s);
		return rv;
	}
	s->next = kzt_mod.sessions;
	kzt_mod.sessions = s;
	*phSession = s->handle;
	kzt_leave();
	return CKR_OK;
}

void
kzt_sessions_close(kzt_session *chain)
{
	kzt_session *s, *next;
	kzt_slot *slot;

	if (chain == NULL)
		return;
	slot = chain->slot;
	kzt_token_lock(slot);
	/* one by one: each one's objects go while the login (which the last one's
	 * close ends) is still there */
	for (s = chain; s != NULL; s = s->next) {
		/* a session of a token gone was counted off when it went */
		if (s->generation != slot->generation)
			continue;
		kzt_objects_drop_sessions(slot, &s->handle, 1);
		kzt_slot_sessions_closed(slot, &s->handle, 1);
	}
	kzt_token_unlock(slot);
	for (s = chain; s != NULL; s = next) {
		next = s->next;
		kzt_session_release(s); /* the table's hold */
	}
}

CK_DEFINE_FUNCTION(CK_RV, C_CloseSession)(CK_SESSION_HANDLE hSession)
{
	kzt_session *s;
	CK_RV rv;

	if ((rv = kzt_sessions_take(hSession, NULL, &s)) != CKR_OK)
		return rv;
	kzt_sessions_close(s);
	return CKR_OK;
}

CK_DEFINE_FUNCTION(CK_RV, C_CloseAllSessions)(CK_SLOT_ID slotID)
{
	kzt_session *s;
	kzt_slot *slot;
	CK_RV rv;

	if ((rv = kzt_slot_get(slotID, &slot)) != CKR_OK ||
	    (rv = kzt_sessions_take(0, slot, &s)) != CKR_OK)
		return rv;
	kzt_sessions_close(s);
	return CKR_OK;
}

CK_DEFINE_FUNCTION(CK_RV, C_GetSessionInfo)(CK_SESSION_HANDLE hSession, CK_SESSION_INFO_PTR pInfo)
{
	kzt_session *s;
	int rw;
	CK_RV rv;

	if ((rv = kzt_initialized()) != CKR_OK)
		return rv;
	if (pInfo == NULL)
		return CKR_ARGUMENTS_BAD;
	if ((rv = kzt_session_acquire(hSession, &s)) != CKR_OK)
		return rv;
	rw = (s->flags & CKF_RW_SESSION) != 0;
	pInfo->slotID = s->slot->id;
	pInfo->flags = s->flags;
	pInfo->ulDeviceError = 0;
	if ((rv = kzt_enter()) == CKR_OK) {
		switch (kzt_session_login(s)) {
		case KZT_LOGIN_SO: pInfo->state = CKS_RW_SO_FUNCTIONS; break;
		case KZT_LOGIN_USER:
			pInfo->state = rw ? CKS_RW_USER_FUNCTIONS : CKS_RO_USER_FUNCTIONS;
			break;
		default: pInfo->state = rw ? CKS_RW_PUBLIC_SESSION : CKS_RO_PUBLIC_SESSION;
		}
		kzt_leave();
	}
	kzt_session_release(s);
	return rv;
}

/* Functions do not run in parallel with the application in this module (the
 * legacy PKCS#11 2.01 model). */
static CK_RV
not_parallel(CK_SESSION_HANDLE h)
{
	kzt_session *s;
	CK_RV rv = kzt_session_acquire(h, &s);

	if (rv != CKR_OK)
		return rv;
	kzt_session_release(s);
	return CKR_FUNCTION_NOT_PARALLEL;
}

CK_DEFINE_FUNCTION(CK_RV, C_GetFunctionStatus)(CK_SESSION_HANDLE hSession)
{
	return not_parallel(hSession);
}

CK_DEFINE_FUNCTION(CK_RV, C_CancelFunction)(CK_SESSION_HANDLE hSession)
{
	return not_parallel(hSession);
}

/* The operations C_SessionCancel's flags name (PKCS#11 3.0, 5.6). */
static const struct {
	CK_FLAGS flag;
	kzt_run_kind kind;
} cancellable[] = {
	{CKF_FIND_OBJECTS, KZT_RUN_FIND}, {CKF_DIGEST, KZT_RUN_DIGEST},   {CKF_SIGN, KZT_RUN_SIGN},
	{CKF_VERIFY, KZT_RUN_VERIFY},     {CKF_ENCRYPT, KZT_RUN_ENCRYPT}, {CKF_DECRYPT, KZT_RUN_DECRYPT},
	{CKF_VERIFY_RECOVER, KZT_RUN_RECOVER},
};

/* Ends the session's running operations that flags name. One a thread is inside
 * (a signature on the card, say) finishes that call and ends then; the card is
 * never interrupted mid-command. */
CK_DEFINE_FUNCTION(CK_RV, C_SessionCancel)(CK_SESSION_HANDLE hSession, CK_FLAGS flags)
{
	kzt_session *s;
	size_t i;
	CK_RV rv;

	if ((rv = kzt_session_acquire(hSession, &s)) != CKR_OK)
		return rv;
	if ((rv = kzt_enter()) == CKR_OK) {
		for (i = 0; i < sizeof(cancellable) / sizeof(cancellable[0]); i++)
			if (flags & cancellable[i].flag)
				kzt_run_cancel(s, cancellable[i].kind);
		kzt_leave();
	}
	kzt_session_release(s);
	return rv;
}
