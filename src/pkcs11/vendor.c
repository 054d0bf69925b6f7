/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* The "Vendor KAZTOKEN" interface (include/kaztoken/vendor.h). */
#include <string.h>

#include "internal.h"
#include "kaztoken/vendor.h"

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

CK_KAZTOKEN_FUNCTION_LIST kzt_vendor_function_list = {
	{0, 2},
	kzt_get_pin_policy,
	kzt_set_token_label,
};
