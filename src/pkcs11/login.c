/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* Logging in and out, and the PIN functions C_InitPIN and C_SetPIN. The login is
 * per slot, shared by the application's sessions, and has one owner: the token
 * driver, which notes what every card answer does to the card's verification.
 * These functions only send the commands, under the slot's token lock, and read
 * the login back from the driver: a wrong old PIN in C_SetPIN, a log-out by the
 * card itself or a reset leave the module logged out exactly when the card is. */
#include "internal.h"
#include "kzt_err.h"

/* The rules of C_Login (section 5.6) that the module's own state decides. */
static CK_RV
login_allowed(const kzt_op *op, CK_USER_TYPE who)
{
	kzt_login want = who == CKU_SO ? KZT_LOGIN_SO : KZT_LOGIN_USER, now = kzt_card_login(op);
	CK_ULONG rw, all = kzt_slot_sessions(op->slot, &rw);

	if (now == want)
		return CKR_USER_ALREADY_LOGGED_IN;
	if (now != KZT_LOGIN_NONE)
		return CKR_USER_ANOTHER_ALREADY_LOGGED_IN;
	if (who == CKU_SO && all > rw)
		return CKR_SESSION_READ_ONLY_EXISTS;
	return CKR_OK;
}

static kzt_role
role_of(kzt_login l)
{
	return l == KZT_LOGIN_SO ? KZT_ROLE_ADMIN : KZT_ROLE_USER;
}

CK_DEFINE_FUNCTION(CK_RV, C_Login)(CK_SESSION_HANDLE hSession, CK_USER_TYPE userType,
				   CK_UTF8CHAR_PTR pPin, CK_ULONG ulPinLen)
{
	kzt_op op;
	CK_RV rv;

	if ((rv = kzt_initialized()) != CKR_OK)
		return rv;
	if (userType != CKU_SO && userType != CKU_USER)
		/* No operation here ever asks for a context-specific login. */
		return userType == CKU_CONTEXT_SPECIFIC ? CKR_OPERATION_NOT_INITIALIZED
							: CKR_USER_TYPE_INVALID;
	if (pPin == NULL) /* no protected authentication path on this token */
		return CKR_ARGUMENTS_BAD;
	if ((rv = kzt_card_begin_session(hSession, &op)) != CKR_OK)
		return rv;
	if ((rv = login_allowed(&op, userType)) == CKR_OK) {
		if (ulPinLen == 0 || ulPinLen > KZT_PIN_MAX_LEN)
			rv = CKR_PIN_LEN_RANGE; /* cannot be right; spend no try on it */
		else
			rv = kzt_card_status(&op, kzt_token_verify(op.token,
								   userType == CKU_SO ? KZT_ROLE_ADMIN
										      : KZT_ROLE_USER,
								   pPin, ulPinLen));
	}
	kzt_card_end(&op);
	return rv;
}

CK_DEFINE_FUNCTION(CK_RV, C_Logout)(CK_SESSION_HANDLE hSession)
{
	kzt_login was;
	kzt_op op;
	CK_RV rv;

	if ((rv = kzt_card_begin_session(hSession, &op)) != CKR_OK)
		return rv;
	if ((was = kzt_card_login(&op)) == KZT_LOGIN_NONE)
		rv = CKR_USER_NOT_LOGGED_IN;
	else /* the driver forgets the login whatever the card answers */
		rv = kzt_card_status(&op, kzt_token_logout(op.token, role_of(was)));
	kzt_card_end(&op);
	return rv;
}

/* The opening both PIN functions share: the card for this session, which must be
 * read/write. On CKR_OK the token lock is held. */
static CK_RV
pin_op_begin(CK_SESSION_HANDLE h, kzt_op *op)
{
	CK_RV rv = kzt_card_begin_session(h, op);

	if (rv == CKR_OK && !(op->session_flags & CKF_RW_SESSION)) {
		kzt_card_end(op);
		rv = CKR_SESSION_READ_ONLY;
	}
	return rv;
}

/* RESET RETRY COUNTER for a read/write session with the SO logged in: a new user
 * PIN (C_InitPIN), or with pin NULL the same one unblocked (the vendor's unblock). */
CK_RV
kzt_session_reset_user_pin(CK_SESSION_HANDLE hSession, CK_UTF8CHAR_PTR pin, CK_ULONG len)
{
	kzt_op op;
	CK_RV rv;

	if ((rv = pin_op_begin(hSession, &op)) != CKR_OK)
		return rv;
	if (kzt_card_login(&op) != KZT_LOGIN_SO)
		rv = CKR_USER_NOT_LOGGED_IN;
	else if (pin != NULL && (len == 0 || len > KZT_PIN_MAX_LEN))
		rv = CKR_PIN_LEN_RANGE;
	else
		rv = kzt_card_status(&op, kzt_token_reset_user_pin(op.token, pin, len));
	kzt_card_end(&op);
	return rv;
}

/* C_InitPIN: the SO sets the user PIN. On a KAZTOKEN that is RESET RETRY COUNTER
 * with a new PIN: it also unblocks a locked user PIN. */
CK_DEFINE_FUNCTION(CK_RV, C_InitPIN)(CK_SESSION_HANDLE hSession, CK_UTF8CHAR_PTR pPin,
				     CK_ULONG ulPinLen)
{
	CK_RV rv;

	if ((rv = kzt_initialized()) != CKR_OK)
		return rv;
	if (pPin == NULL)
		return CKR_ARGUMENTS_BAD;
	return kzt_session_reset_user_pin(hSession, pPin, ulPinLen);
}

/* C_SetPIN changes the PIN of whoever is logged in (the user's when nobody is);
 * the card checks the old PIN (spending a try when it is wrong, and then ending
 * that role's verification) and the policy "who may change the user PIN". */
CK_DEFINE_FUNCTION(CK_RV, C_SetPIN)(CK_SESSION_HANDLE hSession, CK_UTF8CHAR_PTR pOldPin,
				    CK_ULONG ulOldLen, CK_UTF8CHAR_PTR pNewPin, CK_ULONG ulNewLen)
{
	kzt_op op;
	CK_RV rv;

	if ((rv = kzt_initialized()) != CKR_OK)
		return rv;
	if (pOldPin == NULL || pNewPin == NULL)
		return CKR_ARGUMENTS_BAD;
	if ((rv = pin_op_begin(hSession, &op)) != CKR_OK)
		return rv;
	if (ulNewLen == 0 || ulNewLen > KZT_PIN_MAX_LEN)
		rv = CKR_PIN_LEN_RANGE;
	else if (ulOldLen == 0 || ulOldLen > KZT_PIN_MAX_LEN)
		rv = CKR_PIN_INCORRECT;
	else
		rv = kzt_card_status(&op, kzt_token_change_pin(op.token, role_of(kzt_card_login(&op)),
							       pOldPin, ulOldLen, pNewPin, ulNewLen));
	kzt_card_end(&op);
	return rv;
}
