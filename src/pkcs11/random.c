/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* Random numbers from the token (GET CHALLENGE), and C_SeedRandom's refusal. */
#include "internal.h"

CK_DEFINE_FUNCTION(CK_RV, C_GenerateRandom)(CK_SESSION_HANDLE hSession, CK_BYTE_PTR RandomData,
					    CK_ULONG ulRandomLen)
{
	kzt_op op;
	CK_RV rv;

	if ((rv = kzt_initialized()) != CKR_OK)
		return rv;
	if (RandomData == NULL && ulRandomLen > 0)
		return CKR_ARGUMENTS_BAD;
	if ((rv = kzt_card_begin_session(hSession, &op)) != CKR_OK)
		return rv;
	if (ulRandomLen > 0)
		rv = kzt_card_status(&op, kzt_token_random(op.token, RandomData, ulRandomLen));
	kzt_card_end(&op);
	return rv;
}

/* The token's generator takes no seed from outside (specification 5.15). */
CK_DEFINE_FUNCTION(CK_RV, C_SeedRandom)(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pSeed,
					CK_ULONG ulSeedLen)
{
	kzt_session *s;
	CK_RV rv;

	if ((rv = kzt_initialized()) != CKR_OK)
		return rv;
	if (pSeed == NULL && ulSeedLen > 0)
		return CKR_ARGUMENTS_BAD;
	if ((rv = kzt_session_acquire(hSession, &s)) != CKR_OK)
		return rv;
	kzt_session_release(s);
	return CKR_RANDOM_SEED_NOT_SUPPORTED;
}
