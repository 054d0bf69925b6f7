/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* The "Vendor KAZTOKEN" interface (include/kaztoken/vendor.h). */
#include <string.h>

#include "internal.h"
#include "kaztoken/vendor.h"
#include "secmem.h"

static CK_RV
kzt_get_pin_policy(CK_SLOT_ID slotID, CK_KAZTOKEN_PIN_POLICY *pPolicy)
{
	kzt_token_state st;
	kzt_op op;
	CK_RV rv;

	if ((rv = kzt_initialized()) != CKR_OK)
		return rv;
	if (pPolicy == NULL)
		return CKR_ARGUMENTS_BAD;
	if ((rv = kzt_card_read_state(slotID, &op, &st)) != CKR_OK)
		return rv;
	memset(pPolicy, 0, sizeof(*pPolicy));
	pPolicy->ulUserMinLen = st.user.min_len;
	pPolicy->ulUserMaxLen = st.user.max_len;
	pPolicy->ulUserMaxTries = st.user.max_tries;
	pPolicy->ulUserTriesLeft = st.user.tries_left;
	pPolicy->ulSoMinLen = st.admin.min_len;
	pPolicy->ulSoMaxLen = st.admin.max_len;
	pPolicy->ulSoMaxTries = st.admin.max_tries;
	pPolicy->ulSoTriesLeft = st.admin.tries_left;
	if (st.policy & KZT_POLICY_USER)
		pPolicy->flags |= CKF_KZT_USER_MAY_CHANGE_USER_PIN;
	if (st.policy & KZT_POLICY_ADMIN)
		pPolicy->flags |= CKF_KZT_SO_MAY_CHANGE_USER_PIN;
	kzt_card_end(&op);
	return rv;
}

static CK_RV
kzt_set_token_label(CK_SESSION_HANDLE hSession, CK_UTF8CHAR_PTR pLabel, CK_ULONG ulLabelLen)
{
	kzt_op op;
	CK_RV rv;

	if ((rv = kzt_initialized()) != CKR_OK)
		return rv;
	if ((pLabel == NULL && ulLabelLen > 0) || ulLabelLen > 32)
		return CKR_ARGUMENTS_BAD;
	if ((rv = kzt_card_begin_session(hSession, &op)) != CKR_OK)
		return rv;
	if (kzt_card_login(&op) == KZT_LOGIN_NONE)
		rv = CKR_USER_NOT_LOGGED_IN;
	else
		rv = kzt_card_status(&op, kzt_token_set_label(op.token, pLabel, ulLabelLen));
	kzt_card_end(&op);
	return rv;
}

/* A PIN the format leaves in force, within [its new minimum, 32]: the new one, or
 * (pin NULL) the factory one of factory_len characters. */
static int
format_pin_ok(CK_UTF8CHAR_PTR pin, CK_ULONG len, CK_ULONG min_len, CK_ULONG factory_len)
{
	if (pin == NULL)
		len = factory_len;
	return len > 0 && len <= KZT_PIN_MAX_LEN && len >= (min_len != 0 ? min_len : KZT_DEFAULT_MIN_PIN_LEN);
}

static int
limit_ok(CK_ULONG v, CK_ULONG lo, CK_ULONG hi)
{
	return v == 0 || (v >= lo && v <= hi);
}

static CK_RV
kzt_format_token(CK_SLOT_ID slotID, CK_UTF8CHAR_PTR pSoPin, CK_ULONG ulSoPinLen,
		 const CK_KAZTOKEN_FORMAT *pFormat)
{
	const CK_FLAGS who = CKF_KZT_USER_MAY_CHANGE_USER_PIN | CKF_KZT_SO_MAY_CHANGE_USER_PIN;
	const CK_KAZTOKEN_FORMAT *f = pFormat;
	kzt_format_params fp;
	CK_RV rv;

	if ((rv = kzt_initialized()) != CKR_OK)
		return rv;
	if (pSoPin == NULL || f == NULL || (f->pLabel == NULL && f->ulLabelLen > 0))
		return CKR_ARGUMENTS_BAD;
	if (f->ulLabelLen > KZT_LABEL_MAX || (f->flags & ~who) != 0 ||
	    !limit_ok(f->ulUserMinLen, KZT_PIN_MIN_LEN_FLOOR, KZT_PIN_MAX_LEN) ||
	    !limit_ok(f->ulSoMinLen, KZT_PIN_MIN_LEN_FLOOR, KZT_PIN_MAX_LEN) ||
	    !limit_ok(f->ulUserMaxTries, 1, KZT_TRIES_MAX) || !limit_ok(f->ulSoMaxTries, 1, KZT_TRIES_MAX))
		return CKR_ARGUMENTS_BAD;
	if (ulSoPinLen == 0 || ulSoPinLen > KZT_PIN_MAX_LEN ||
	    !format_pin_ok(f->pUserPin, f->ulUserPinLen, f->ulUserMinLen, sizeof(KZT_DEFAULT_USER_PIN) - 1) ||
	    !format_pin_ok(f->pSoPin, f->ulSoPinLen, f->ulSoMinLen, sizeof(KZT_DEFAULT_ADMIN_PIN) - 1))
		return CKR_PIN_LEN_RANGE;
	memset(&fp, 0, sizeof(fp));
	fp.label = f->ulLabelLen > 0 ? f->pLabel : (const uint8_t *)"";
	fp.label_len = f->ulLabelLen;
	fp.user_pin = f->pUserPin;
	fp.user_pin_len = f->pUserPin != NULL ? f->ulUserPinLen : 0;
	fp.admin_pin = f->pSoPin;
	fp.admin_pin_len = f->pSoPin != NULL ? f->ulSoPinLen : 0;
	fp.user_min_len = (uint8_t)f->ulUserMinLen;
	fp.admin_min_len = (uint8_t)f->ulSoMinLen;
	fp.user_tries = (uint8_t)f->ulUserMaxTries;
	fp.admin_tries = (uint8_t)f->ulSoMaxTries;
	if (f->flags & CKF_KZT_USER_MAY_CHANGE_USER_PIN)
		fp.policy |= KZT_POLICY_USER;
	if (f->flags & CKF_KZT_SO_MAY_CHANGE_USER_PIN)
		fp.policy |= KZT_POLICY_ADMIN;
	rv = kzt_slot_format(slotID, pSoPin, ulSoPinLen, &fp);
	kzt_secure_zero(&fp, sizeof(fp));
	return rv;
}

static CK_RV
kzt_unblock_user_pin(CK_SESSION_HANDLE hSession)
{
	CK_RV rv;

	if ((rv = kzt_initialized()) != CKR_OK)
		return rv;
	return kzt_session_reset_user_pin(hSession, NULL, 0);
}

CK_KAZTOKEN_FUNCTION_LIST kzt_vendor_function_list = {
	{0, 3},
	kzt_get_pin_policy,
	kzt_set_token_label,
	kzt_format_token,
	kzt_unblock_user_pin,
};
