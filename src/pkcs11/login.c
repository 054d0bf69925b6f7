/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* Logging in and out, and the PIN functions C_InitPIN and C_SetPIN. The login
 * state is per slot (shared by the application's sessions); it changes only with
 * the slot's card lock held, so two logins on one token cannot race. */
#include "internal.h"
#include "kzt_err.h"

/* The rules of C_Login (section 5.6) that the module's own state decides. */
static CK_RV
login_allowed(const kzt_slot *slot, CK_USER_TYPE who)
{
	kzt_login want = who == CKU_SO ? KZT_LOGIN_SO : KZT_LOGIN_USER;

	if (slot->login == want)
		return CKR_USER_ALREADY_LOGGED_IN;
	if (slot->login != KZT_LOGIN_NONE)
		return CKR_USER_ANOTHER_ALREADY_LOGGED_IN;
	if (who == CKU_SO && slot->sessions > slot->rw_sessions)
		return CKR_SESSION_READ_ONLY_EXISTS;
	return CKR_OK;
}

CK_DEFINE_FUNCTION(CK_RV, C_Login)(CK_SESSION_HANDLE hSession, CK_USER_TYPE userType,
				   CK_UTF8CHAR_PTR pPin, CK_ULONG ulPinLen)
{
	kzt_op op;
	CK_RV rv;
	int r;

	if ((rv = kzt_card_begin_session(hSession, &op)) != CKR_OK)
		return rv;
	if (userType != CKU_SO && userType != CKU_USER) {
		/* No operation here ever asks for a context-specific login. */
		rv = userType == CKU_CONTEXT_SPECIFIC ? CKR_OPERATION_NOT_INITIALIZED
						      : CKR_USER_TYPE_INVALID;
		goto out;
	}
	if (pPin == NULL) { /* no protected authentication path on this token */
		rv = CKR_ARGUMENTS_BAD;
		goto out;
	}
	if ((rv = kzt_enter()) != CKR_OK)
		goto out;
	rv = login_allowed(op.slot, userType);
	kzt_leave();
	if (rv != CKR_OK)
		goto out;
	if (ulPinLen == 0 || ulPinLen > KZT_PIN_MAX_LEN) {
		rv = CKR_PIN_LEN_RANGE; /* cannot be right; spend no try on it */
		goto out;
	}
	r = kzt_token_verify(op.token, userType == CKU_SO ? KZT_ROLE_ADMIN : KZT_ROLE_USER, pPin,
			     ulPinLen);
	if ((rv = kzt_card_status(&op, r)) == CKR_OK && kzt_enter() == CKR_OK) {
		op.slot->login = userType == CKU_SO ? KZT_LOGIN_SO : KZT_LOGIN_USER;
		kzt_leave();
	}
out:
	kzt_card_end(&op);
	return rv;
}

CK_DEFINE_FUNCTION(CK_RV, C_Logout)(CK_SESSION_HANDLE hSession)
{
	kzt_login was = KZT_LOGIN_NONE;
	kzt_op op;
	CK_RV rv;

	if ((rv = kzt_card_begin_session(hSession, &op)) != CKR_OK)
		return rv;
	if ((rv = kzt_enter()) != CKR_OK)
		goto out;
	was = op.slot->login;
	op.slot->login = KZT_LOGIN_NONE;
	kzt_leave();
	if (was == KZT_LOGIN_NONE) {
		rv = CKR_USER_NOT_LOGGED_IN;
		goto out;
	}
	rv = kzt_card_status(
		&op, kzt_token_logout(op.token, was == KZT_LOGIN_SO ? KZT_ROLE_ADMIN : KZT_ROLE_USER));
out:
	kzt_card_end(&op);
	return rv;
}

/* The opening both PIN functions share: the card for this session, which must be
 * read/write, and the slot's login state. On CKR_OK the card lock is held. */
static CK_RV
pin_op_begin(CK_SESSION_HANDLE h, kzt_op *op, kzt_login *login)
{
	CK_RV rv = kzt_card_begin_session(h, op);

	if (rv != CKR_OK)
		return rv;
	if (!(op->session_flags & CKF_RW_SESSION))
		rv = CKR_SESSION_READ_ONLY;
	else if ((rv = kzt_enter()) == CKR_OK) {
		*login = op->slot->login;
		kzt_leave();
	}
	if (rv != CKR_OK)
		kzt_card_end(op);
	return rv;
}

/* C_InitPIN: the SO sets the user PIN. On a KAZTOKEN that is RESET RETRY COUNTER
 * with a new PIN: it also unblocks a locked user PIN. */
CK_DEFINE_FUNCTION(CK_RV, C_InitPIN)(CK_SESSION_HANDLE hSession, CK_UTF8CHAR_PTR pPin,
				     CK_ULONG ulPinLen)
{
	kzt_login login;
	kzt_op op;
	CK_RV rv;

	if ((rv = pin_op_begin(hSession, &op, &login)) != CKR_OK)
		return rv;
	if (login != KZT_LOGIN_SO)
		rv = CKR_USER_NOT_LOGGED_IN;
	else if (pPin == NULL)
		rv = CKR_ARGUMENTS_BAD;
	else if (ulPinLen == 0 || ulPinLen > KZT_PIN_MAX_LEN)
		rv = CKR_PIN_LEN_RANGE;
	else
		rv = kzt_card_status(&op, kzt_token_reset_user_pin(op.token, pPin, ulPinLen));
	kzt_card_end(&op);
	return rv;
}

/* C_SetPIN changes the PIN of whoever is logged in (the user's when nobody is);
 * the card checks the old PIN (spending a try when it is wrong) and the policy
 * "who may change the user PIN". */
CK_DEFINE_FUNCTION(CK_RV, C_SetPIN)(CK_SESSION_HANDLE hSession, CK_UTF8CHAR_PTR pOldPin,
				    CK_ULONG ulOldLen, CK_UTF8CHAR_PTR pNewPin, CK_ULONG ulNewLen)
{
	kzt_login login;
	kzt_op op;
	CK_RV rv;

	if ((rv = pin_op_begin(hSession, &op, &login)) != CKR_OK)
		return rv;
	if (pOldPin == NULL || pNewPin == NULL)
		rv = CKR_ARGUMENTS_BAD;
	else if (ulNewLen == 0 || ulNewLen > KZT_PIN_MAX_LEN)
		rv = CKR_PIN_LEN_RANGE;
	else if (ulOldLen == 0 || ulOldLen > KZT_PIN_MAX_LEN)
		rv = CKR_PIN_INCORRECT;
	else
		rv = kzt_card_status(&op, kzt_token_change_pin(op.token,
							       login == KZT_LOGIN_SO ? KZT_ROLE_ADMIN
										     : KZT_ROLE_USER,
							       pOldPin, ulOldLen, pNewPin, ulNewLen));
	kzt_card_end(&op);
	return rv;
}
