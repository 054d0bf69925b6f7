/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* Session management: open, close, close all, session info. */
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
	if ((rv = kzt_card_begin_slot(slotID, &op)) != CKR_OK)
		return rv;
	if (phSession == NULL) {
		rv = CKR_ARGUMENTS_BAD;
		goto out;
	}
	if (!(flags & CKF_SERIAL_SESSION)) {
		rv = CKR_SESSION_PARALLEL_NOT_SUPPORTED;
		goto out;
	}
	if ((s = calloc(1, sizeof(*s))) == NULL) {
		rv = CKR_HOST_MEMORY;
		goto out;
	}
	if ((rv = kzt_enter()) != CKR_OK) {
		free(s);
		goto out;
	}
	if (op.slot->login == KZT_LOGIN_SO && !(flags & CKF_RW_SESSION)) {
		kzt_leave();
		free(s);
		rv = CKR_SESSION_READ_WRITE_SO_EXISTS;
		goto out;
	}
	s->handle = kzt_mod.next_handle++;
	s->slot = op.slot;
	s->flags = flags & (CKF_SERIAL_SESSION | CKF_RW_SESSION);
	s->next = kzt_mod.sessions;
	kzt_mod.sessions = s;
	op.slot->sessions++;
	if (flags & CKF_RW_SESSION)
		op.slot->rw_sessions++;
	*phSession = s->handle;
	kzt_leave();
out:
	kzt_card_end(&op);
	return rv;
}

/* After the last session of a slot closed: end the card-side login too. */
static void
logout_card(kzt_slot *slot, kzt_login was)
{
	if (was == KZT_LOGIN_NONE)
		return;
	kzt_mutex_lock(slot->card_lock);
	if (slot->token != NULL)
		kzt_token_logout(slot->token, was == KZT_LOGIN_SO ? KZT_ROLE_ADMIN : KZT_ROLE_USER);
	kzt_mutex_unlock(slot->card_lock);
}

CK_DEFINE_FUNCTION(CK_RV, C_CloseSession)(CK_SESSION_HANDLE hSession)
{
	kzt_session **pp, *s;
	kzt_login was = KZT_LOGIN_NONE;
	kzt_slot *slot;
	CK_RV rv;

	if ((rv = kzt_enter()) != CKR_OK)
		return rv;
	for (pp = &kzt_mod.sessions; (s = *pp) != NULL; pp = &s->next)
		if (s->handle == hSession)
			break;
	if (s == NULL) {
		kzt_leave();
		return CKR_SESSION_HANDLE_INVALID;
	}
	*pp = s->next;
	if (s->removed) { /* its token went away; the slot's counts were reset then */
		kzt_session_free(s);
		kzt_leave();
		return CKR_OK;
	}
	slot = s->slot;
	slot->sessions--;
	if (s->flags & CKF_RW_SESSION)
		slot->rw_sessions--;
	if (slot->sessions == 0) { /* the login belongs to the application's sessions */
		was = slot->login;
		slot->login = KZT_LOGIN_NONE;
	}
	kzt_session_free(s);
	kzt_leave();
	logout_card(slot, was);
	return CKR_OK;
}

CK_DEFINE_FUNCTION(CK_RV, C_CloseAllSessions)(CK_SLOT_ID slotID)
{
	kzt_login was;
	kzt_slot *slot;
	CK_RV rv;

	if ((rv = kzt_enter()) != CKR_OK)
		return rv;
	if ((slot = kzt_slot_find(slotID)) == NULL) {
		kzt_leave();
		return CKR_SLOT_ID_INVALID;
	}
	was = kzt_sessions_close_slot(slot);
	kzt_leave();
	logout_card(slot, was);
	return CKR_OK;
}

CK_DEFINE_FUNCTION(CK_RV, C_GetSessionInfo)(CK_SESSION_HANDLE hSession, CK_SESSION_INFO_PTR pInfo)
{
	kzt_session *s;
	int rw;
	CK_RV rv;

	if ((rv = kzt_enter_session(hSession, &s)) != CKR_OK)
		return rv;
	if (pInfo == NULL) {
		rv = CKR_ARGUMENTS_BAD;
	} else {
		rw = (s->flags & CKF_RW_SESSION) != 0;
		pInfo->slotID = s->slot->id;
		pInfo->flags = s->flags;
		pInfo->ulDeviceError = 0;
		switch (s->slot->login) {
		case KZT_LOGIN_SO: pInfo->state = CKS_RW_SO_FUNCTIONS; break;
		case KZT_LOGIN_USER:
			pInfo->state = rw ? CKS_RW_USER_FUNCTIONS : CKS_RO_USER_FUNCTIONS;
			break;
		default: pInfo->state = rw ? CKS_RW_PUBLIC_SESSION : CKS_RO_PUBLIC_SESSION;
		}
	}
	kzt_leave();
	return rv;
}
