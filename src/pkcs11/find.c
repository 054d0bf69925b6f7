/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* Object search: C_FindObjectsInit / C_FindObjects / C_FindObjectsFinal with the
 * specification's operation-state rules. The token holds no objects yet (the
 * object directory arrives with the key and certificate commands), so every
 * search completes with no match. */
#include "internal.h"

CK_DEFINE_FUNCTION(CK_RV, C_FindObjectsInit)(CK_SESSION_HANDLE hSession, CK_ATTRIBUTE_PTR pTemplate,
					     CK_ULONG ulCount)
{
	kzt_session *s;
	CK_RV rv;

	if ((rv = kzt_enter_session(hSession, &s)) != CKR_OK)
		return rv;
	if (pTemplate == NULL && ulCount > 0)
		rv = CKR_ARGUMENTS_BAD;
	else if (s->find_active)
		rv = CKR_OPERATION_ACTIVE;
	else
		s->find_active = 1;
	kzt_leave();
	return rv;
}

CK_DEFINE_FUNCTION(CK_RV, C_FindObjects)(CK_SESSION_HANDLE hSession, CK_OBJECT_HANDLE_PTR phObject,
					 CK_ULONG ulMaxObjectCount, CK_ULONG_PTR pulObjectCount)
{
	kzt_session *s;
	CK_RV rv;

	(void)ulMaxObjectCount; /* nothing to return yet, so no count to honour */
	if ((rv = kzt_enter_session(hSession, &s)) != CKR_OK)
		return rv;
	if (phObject == NULL || pulObjectCount == NULL)
		rv = CKR_ARGUMENTS_BAD;
	else if (!s->find_active)
		rv = CKR_OPERATION_NOT_INITIALIZED;
	else
		*pulObjectCount = 0;
	kzt_leave();
	return rv;
}

CK_DEFINE_FUNCTION(CK_RV, C_FindObjectsFinal)(CK_SESSION_HANDLE hSession)
{
	kzt_session *s;
	CK_RV rv;

	if ((rv = kzt_enter_session(hSession, &s)) != CKR_OK)
		return rv;
	if (!s->find_active)
		rv = CKR_OPERATION_NOT_INITIALIZED;
	else
		s->find_active = 0;
	kzt_leave();
	return rv;
}
