/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* The "Vendor KAZTOKEN" interface: what PKCS#11 cannot say about a KAZTOKEN. Get it
 * with C_GetInterface((CK_UTF8CHAR_PTR)"Vendor KAZTOKEN", NULL, &iface, 0); its
 * pFunctionList points to a CK_KAZTOKEN_FUNCTION_LIST. Later versions only append. */
#ifndef KAZTOKEN_VENDOR_H
#define KAZTOKEN_VENDOR_H

#include "kaztoken/pkcs11.h"

#ifdef __cplusplus
extern "C" {
#endif

#define KZT_VENDOR_INTERFACE_NAME "Vendor KAZTOKEN"

/* Who may change the user PIN (the format policy). */
#define CKF_KZT_USER_MAY_CHANGE_USER_PIN 0x00000001UL
#define CKF_KZT_SO_MAY_CHANGE_USER_PIN 0x00000002UL

typedef struct CK_KAZTOKEN_PIN_POLICY {
	CK_ULONG ulUserMinLen, ulUserMaxLen, ulUserMaxTries, ulUserTriesLeft;
	CK_ULONG ulSoMinLen, ulSoMaxLen, ulSoMaxTries, ulSoTriesLeft;
	CK_FLAGS flags; /* CKF_KZT_* */
} CK_KAZTOKEN_PIN_POLICY;

typedef struct CK_KAZTOKEN_FUNCTION_LIST {
	CK_VERSION version; /* 0.2 */
	/* The token's PIN limits, counters and change policy, read from the card. */
	CK_RV (*C_KZT_GetPinPolicy)(CK_SLOT_ID slotID, CK_KAZTOKEN_PIN_POLICY *pPolicy);
	/* Name the token: pLabel is UTF-8 (ulLabelLen 0..32, not padded). The session's
	 * application must be logged in, as user or SO; C_GetTokenInfo shows the new
	 * label at once. CKR_USER_NOT_LOGGED_IN, CKR_ARGUMENTS_BAD when too long. */
	CK_RV (*C_KZT_SetTokenLabel)(CK_SESSION_HANDLE hSession, CK_UTF8CHAR_PTR pLabel,
				     CK_ULONG ulLabelLen);
} CK_KAZTOKEN_FUNCTION_LIST;

#ifdef __cplusplus
}
#endif
#endif
