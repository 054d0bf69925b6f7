/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* C_GetAttributeValue with the specification's per-attribute rules (5.7): each
 * attribute is answered on its own, the call returns the last problem met. */
#include <string.h>

#include "internal.h"

/* Parts of a private key that never leave the token. */
static int
is_sensitive(const kzt_object *o, CK_ATTRIBUTE_TYPE type)
{
	const CK_ATTRIBUTE *cls = kzt_attrs_get(&o->attrs, CKA_CLASS);

	if (cls == NULL || *(const CK_OBJECT_CLASS *)cls->pValue != CKO_PRIVATE_KEY)
		return 0;
	switch (type) {
	case CKA_VALUE: case CKA_PRIVATE_EXPONENT: case CKA_PRIME_1: case CKA_PRIME_2:
	case CKA_EXPONENT_1: case CKA_EXPONENT_2: case CKA_COEFFICIENT:
		return 1;
	default:
		return 0;
	}
}

static CK_RV
get_attributes(const kzt_object *o, CK_ATTRIBUTE *t, CK_ULONG n)
{
	const CK_ATTRIBUTE *a;
	CK_RV rv = CKR_OK;
	CK_ULONG i;

	for (i = 0; i < n; i++) {
		if (is_sensitive(o, t[i].type)) {
			t[i].ulValueLen = CK_UNAVAILABLE_INFORMATION;
			rv = CKR_ATTRIBUTE_SENSITIVE;
		} else if ((a = kzt_attrs_get(&o->attrs, t[i].type)) == NULL) {
			t[i].ulValueLen = CK_UNAVAILABLE_INFORMATION;
			rv = CKR_ATTRIBUTE_TYPE_INVALID;
		} else if (t[i].pValue == NULL) {
			t[i].ulValueLen = a->ulValueLen;
		} else if (t[i].ulValueLen >= a->ulValueLen) {
			if (a->ulValueLen > 0)
				memcpy(t[i].pValue, a->pValue, a->ulValueLen);
			t[i].ulValueLen = a->ulValueLen;
		} else {
			t[i].ulValueLen = CK_UNAVAILABLE_INFORMATION;
			rv = CKR_BUFFER_TOO_SMALL;
		}
	}
	return rv;
}

CK_DEFINE_FUNCTION(CK_RV, C_GetAttributeValue)(CK_SESSION_HANDLE hSession, CK_OBJECT_HANDLE hObject,
					       CK_ATTRIBUTE_PTR pTemplate, CK_ULONG ulCount)
{
	kzt_session *s;
	kzt_object *o;
	kzt_op op;
	CK_ULONG i;
	CK_RV rv;

	if ((rv = kzt_initialized()) != CKR_OK)
		return rv;
	if (pTemplate == NULL && ulCount > 0) /* (a NULL pValue asks for a length) */
		return CKR_ARGUMENTS_BAD;
	if ((rv = kzt_session_acquire(hSession, &s)) != CKR_OK)
		return rv;
	if ((rv = kzt_enter()) != CKR_OK)
		goto out;
	if ((o = kzt_session_object(s->slot, kzt_session_login(s), hObject, NULL)) != NULL)
		rv = get_attributes(o, pTemplate, ulCount);
	kzt_leave();
	if (o != NULL)
		goto out;
	/* a token object: from the cache, its value read from the card when asked */
	if ((rv = kzt_token_object_begin(s, hObject, &op, &o)) != CKR_OK)
		goto out;
	for (i = 0; i < ulCount && rv == CKR_OK; i++)
		if (kzt_attr_needs_value(pTemplate[i].type))
			rv = kzt_object_load(&op, o);
	if (rv == CKR_OK)
		rv = get_attributes(o, pTemplate, ulCount);
	kzt_card_end(&op);
out:
	kzt_session_release(s);
	return rv;
}
