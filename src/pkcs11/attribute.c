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

	if (cls == NULL || kzt_ulong_of(cls->pValue) != CKO_PRIVATE_KEY)
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

/* What a reading call does with the object it names: visit(o, ctx), under the
 * global lock for a session object, under the token lock for a token object (its
 * value loaded first when the template t, of n, needs it). */
static CK_RV
read_object(CK_SESSION_HANDLE h, CK_OBJECT_HANDLE obj, const CK_ATTRIBUTE *t, CK_ULONG n,
	    CK_RV (*visit)(const kzt_object *o, void *ctx), void *ctx)
{
	kzt_session *s;
	kzt_object *o;
	kzt_op op;
	CK_RV rv;

	if ((rv = kzt_session_acquire(h, &s)) != CKR_OK)
		return rv;
	if ((rv = kzt_enter()) != CKR_OK)
		goto out;
	if ((o = kzt_session_object(s->slot, kzt_session_login(s), obj, NULL)) != NULL)
		rv = visit(o, ctx);
	kzt_leave();
	if (o != NULL)
		goto out;
	/* a token object: from the cache, its value read from the card when asked */
	if ((rv = kzt_token_object_begin(s, obj, &op, &o)) != CKR_OK)
		goto out;
	if (!kzt_object_needs_value(o, t, n) || (rv = kzt_object_load(&op, o)) == CKR_OK)
		rv = visit(o, ctx);
	kzt_card_end(&op);
out:
	kzt_session_release(s);
	return rv;
}

typedef struct template_ref {
	CK_ATTRIBUTE *t;
	CK_ULONG n;
} template_ref;

static CK_RV
visit_attributes(const kzt_object *o, void *ctx)
{
	template_ref *ref = ctx;

	return get_attributes(o, ref->t, ref->n);
}

CK_DEFINE_FUNCTION(CK_RV, C_GetAttributeValue)(CK_SESSION_HANDLE hSession, CK_OBJECT_HANDLE hObject,
					       CK_ATTRIBUTE_PTR pTemplate, CK_ULONG ulCount)
{
	template_ref ref = {pTemplate, ulCount};
	CK_RV rv;

	if ((rv = kzt_initialized()) != CKR_OK)
		return rv;
	if (pTemplate == NULL && ulCount > 0) /* (a NULL pValue asks for a length) */
		return CKR_ARGUMENTS_BAD;
	return read_object(hSession, hObject, pTemplate, ulCount, visit_attributes, &ref);
}

/* An object's size: what a token object takes on the card (its attribute blob
 * and its value), or the bytes of a session object's attribute values. */
static CK_RV
visit_size(const kzt_object *o, void *ctx)
{
	CK_ULONG *size = ctx, i;

	if (o->card_handle != 0) {
		*size = o->card_size;
		return CKR_OK;
	}
	for (*size = 0, i = 0; i < o->attrs.n; i++)
		*size += o->attrs.a[i].ulValueLen;
	return CKR_OK;
}

CK_DEFINE_FUNCTION(CK_RV, C_GetObjectSize)(CK_SESSION_HANDLE hSession, CK_OBJECT_HANDLE hObject,
					   CK_ULONG_PTR pulSize)
{
	CK_RV rv;

	if ((rv = kzt_initialized()) != CKR_OK)
		return rv;
	if (pulSize == NULL)
		return CKR_ARGUMENTS_BAD;
	return read_object(hSession, hObject, NULL, 0, visit_size, pulSize);
}
