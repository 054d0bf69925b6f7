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

/* The GOST key type and mechanisms of the TC 26 PKCS#11 extensions (vendor-defined values,
 * as OpenSC's and Rutoken's modules define them). */
#define CK_VENDOR_PKCS11_RU_TEAM_TC26 0xD4321000UL
#define CKK_GOSTR3410_512 (CK_VENDOR_PKCS11_RU_TEAM_TC26 | 0x003UL)
#define CKM_GOSTR3410_512_KEY_PAIR_GEN (CK_VENDOR_PKCS11_RU_TEAM_TC26 | 0x005UL)
#define CKM_GOSTR3410_512 (CK_VENDOR_PKCS11_RU_TEAM_TC26 | 0x006UL)
#define CKM_GOSTR3410_WITH_GOSTR3411_12_256 (CK_VENDOR_PKCS11_RU_TEAM_TC26 | 0x008UL)
#define CKM_GOSTR3410_WITH_GOSTR3411_12_512 (CK_VENDOR_PKCS11_RU_TEAM_TC26 | 0x009UL)
#define CKM_GOSTR3411_12_256 (CK_VENDOR_PKCS11_RU_TEAM_TC26 | 0x012UL)
#define CKM_GOSTR3411_12_512 (CK_VENDOR_PKCS11_RU_TEAM_TC26 | 0x013UL)

/* Who may change the user PIN (the format policy). */
#define CKF_KZT_USER_MAY_CHANGE_USER_PIN 0x00000001UL
#define CKF_KZT_SO_MAY_CHANGE_USER_PIN 0x00000002UL

typedef struct CK_KAZTOKEN_PIN_POLICY {
	CK_ULONG ulUserMinLen, ulUserMaxLen, ulUserMaxTries, ulUserTriesLeft;
	CK_ULONG ulSoMinLen, ulSoMaxLen, ulSoMaxTries, ulSoTriesLeft;
	CK_FLAGS flags; /* CKF_KZT_* */
} CK_KAZTOKEN_PIN_POLICY;

/* The format dialog's choices (C_KZT_FormatToken). A NULL PIN or a 0 keeps the
 * factory value: PINs 12345678 / 87654321, minimum length 6, 10 tries, and the
 * user PIN changeable by both. */
typedef struct CK_KAZTOKEN_FORMAT {
	CK_UTF8CHAR_PTR pLabel;   /* UTF-8, not padded; NULL or ulLabelLen 0: no label */
	CK_ULONG ulLabelLen;      /* 0..32 */
	CK_UTF8CHAR_PTR pUserPin; /* the new user PIN, or NULL for the default */
	CK_ULONG ulUserPinLen;
	CK_UTF8CHAR_PTR pSoPin;   /* the new admin (SO) PIN, or NULL for the default */
	CK_ULONG ulSoPinLen;
	CK_ULONG ulUserMinLen, ulSoMinLen;     /* 4..32, or 0 */
	CK_ULONG ulUserMaxTries, ulSoMaxTries; /* 1..15, or 0 */
	CK_FLAGS flags; /* who may change the user PIN: CKF_KZT_*_MAY_CHANGE_USER_PIN, or 0 */
} CK_KAZTOKEN_FORMAT;

typedef struct CK_KAZTOKEN_FUNCTION_LIST {
	CK_VERSION version; /* 0.3 */
	/* The token's PIN limits, counters and change policy, read from the card. */
	CK_RV (*C_KZT_GetPinPolicy)(CK_SLOT_ID slotID, CK_KAZTOKEN_PIN_POLICY *pPolicy);
	/* Name the token: pLabel is UTF-8 (ulLabelLen 0..32, not padded). The session's
	 * application must be logged in, as user or SO; C_GetTokenInfo shows the new
	 * label at once. CKR_USER_NOT_LOGGED_IN, CKR_ARGUMENTS_BAD when too long. */
	CK_RV (*C_KZT_SetTokenLabel)(CK_SESSION_HANDLE hSession, CK_UTF8CHAR_PTR pLabel,
				     CK_ULONG ulLabelLen);
	/* (0.3) Format the token as the vendor dialog does: every object erased; label,
	 * PINs, limits and policy set from pFormat (factory values where it says so);
	 * every login of every application ends. pSoPin is the current admin PIN,
	 * checked first (a wrong one spends a try and changes nothing). No session may be
	 * open on the slot in this application. CKR_SESSION_EXISTS,
	 * CKR_PIN_INCORRECT, CKR_PIN_LOCKED, CKR_PIN_LEN_RANGE (a PIN left in force, new or
	 * the factory one, shorter than its new minimum; a new one over 32), CKR_ARGUMENTS_BAD (a limit or flag out of
	 * range, a label over 32 bytes), CKR_TOKEN_NOT_PRESENT. */
	CK_RV (*C_KZT_FormatToken)(CK_SLOT_ID slotID, CK_UTF8CHAR_PTR pSoPin, CK_ULONG ulSoPinLen,
				   const CK_KAZTOKEN_FORMAT *pFormat);
	/* (0.3) Unblock the user PIN keeping it: its tries back to the maximum, the
	 * PIN unchanged (C_InitPIN sets a new one instead). The session must be read/write
	 * with the SO logged in. CKR_USER_NOT_LOGGED_IN, CKR_SESSION_READ_ONLY,
	 * CKR_SESSION_HANDLE_INVALID. */
	CK_RV (*C_KZT_UnblockUserPin)(CK_SESSION_HANDLE hSession);
} CK_KAZTOKEN_FUNCTION_LIST;

#ifdef __cplusplus
}
#endif
#endif
