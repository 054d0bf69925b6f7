/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* C_SetAttributeValue and C_CopyObject. A change is checked whole against the
 * attribute table (schema.c) on a copy of the object's attributes before anything
 * is touched; on the token it is one UPDATE OBJECT, blob and usage flags in one
 * card commit, so an object is never half-changed. */
#include <string.h>

#include "internal.h"
#include "kzt_err.h"
#include "schema.h"

static CK_OBJECT_CLASS
class_of(const kzt_attrs *l)
{
	const CK_ATTRIBUTE *c = kzt_attrs_get(l, CKA_CLASS);

	return c != NULL ? kzt_ulong_of(c->pValue) : CKO_DATA;
}

/* o's attributes with the template applied, into out (emptied by the caller). */
static CK_RV
changed(const kzt_object *o, const CK_ATTRIBUTE *t, CK_ULONG n, kzt_login login, kzt_attrs *out)
{
	CK_RV rv;

	if (!kzt_attrs_bool(&o->attrs, CKA_MODIFIABLE, CK_TRUE))
		return CKR_ACTION_PROHIBITED;
	if (kzt_attrs_copy(out, &o->attrs) != KZT_OK)
		return CKR_HOST_MEMORY;
	if ((rv = kzt_schema_apply(class_of(out), out, t, n, KZT_USE_SET)) != CKR_OK)
		return rv;
	if (kzt_attrs_bool(out, CKA_TRUSTED, CK_FALSE) && !kzt_attrs_bool(&o->attrs, CKA_TRUSTED, CK_FALSE) &&
	    login != KZT_LOGIN_SO)
		return CKR_ATTRIBUTE_READ_ONLY; /* only the SO may mark an object trusted */
	return CKR_OK;
}

/* Token lock held: write the changed attributes of card object o (a token object,
 * or a session object the card keeps) to the card. */
static CK_RV
update_on_token(kzt_op *op, kzt_object *o, kzt_attrs *l)
{
	uint8_t blob[KZT_BLOB_MAX];
	size_t len;
	CK_RV rv;

	if (o->owner == 0 && !(op->session_flags & CKF_RW_SESSION))
		return CKR_SESSION_READ_ONLY; /* (a session object changes in any session) */
	if (o->owner != 0) { /* it stays the session object it is */
		uint8_t tag[KZT_OWNER_TAG_LEN];

		kzt_owner_tag(o->owner, tag);
		if (kzt_attrs_set(l, KZT_CKA_SESSION_OWNER, tag, sizeof(tag)) != KZT_OK)
			return CKR_HOST_MEMORY;
	}
	if (kzt_attrs_encode(l, kzt_object_blob_keeps(class_of(l)), blob, sizeof(blob), &len) != KZT_OK)
		return CKR_DEVICE_MEMORY; /* more attributes than a card object holds */
	rv = kzt_card_status(op, kzt_token_update_object(op->token, o->card_handle, kzt_key_card_flags(l),
							 blob, len));
	if (rv == CKR_OK)
		kzt_objcache_invalidate(&op->slot->cache); /* the next look re-reads the directory */
	return rv;
}

CK_DEFINE_FUNCTION(CK_RV, C_SetAttributeValue)(CK_SESSION_HANDLE hSession, CK_OBJECT_HANDLE hObject,
					       CK_ATTRIBUTE_PTR pTemplate, CK_ULONG ulCount)
{
	kzt_attrs l = {0};
	kzt_session *s;
	kzt_object *o;
	kzt_op op;
	CK_RV rv;

	if ((rv = kzt_initialized()) != CKR_OK)
		return rv;
	if ((rv = kzt_template_check(pTemplate, ulCount)) != CKR_OK)
		return rv;
	if ((rv = kzt_session_acquire(hSession, &s)) != CKR_OK)
		return rv;
	if ((rv = kzt_enter()) != CKR_OK)
		goto out;
	if ((o = kzt_session_object(s->slot, kzt_session_login(s), hObject, NULL)) != NULL &&
	    (rv = changed(o, pTemplate, ulCount, kzt_session_login(s), &l)) == CKR_OK) {
		kzt_attrs_free(&o->attrs);
		o->attrs = l;
		memset(&l, 0, sizeof(l));
	}
	kzt_leave();
	if (o != NULL || (rv = kzt_token_object_begin(s, hObject, &op, &o)) != CKR_OK)
		goto out;
	if ((rv = changed(o, pTemplate, ulCount, kzt_card_login(&op), &l)) == CKR_OK && ulCount > 0)
		rv = update_on_token(&op, o, &l);
	kzt_card_end(&op);
out:
	kzt_attrs_free(&l);
	kzt_session_release(s);
	return rv;
}

/* No lock held: a copy of the attributes of s's session object obj, if it is one
 * that may be seen (1; *rv says how the copy went), else 0. */
static int
session_source(kzt_session *s, CK_OBJECT_HANDLE obj, kzt_attrs *l, CK_RV *rv)
{
	kzt_object *o;
	int found = 0;

	if ((*rv = kzt_enter()) != CKR_OK)
		return 1;
	if ((o = kzt_session_object(s->slot, kzt_session_login(s), obj, NULL)) != NULL) {
		found = 1;
		*rv = kzt_attrs_copy(l, &o->attrs) == KZT_OK ? CKR_OK : CKR_HOST_MEMORY;
	}
	kzt_leave();
	return found;
}

/* Token lock held: the attributes of the token object obj, values included. */
static CK_RV
token_source(kzt_op *op, CK_OBJECT_HANDLE obj, kzt_attrs *l)
{
	kzt_object *o;
	CK_RV rv;

	if ((rv = kzt_objects_sync(op)) != CKR_OK)
		return rv;
	if ((o = kzt_token_object(op, obj)) == NULL)
		return CKR_OBJECT_HANDLE_INVALID;
	if ((rv = kzt_object_load(op, o)) != CKR_OK)
		return rv;
	return kzt_attrs_copy(l, &o->attrs) == KZT_OK ? CKR_OK : CKR_HOST_MEMORY;
}

CK_DEFINE_FUNCTION(CK_RV, C_CopyObject)(CK_SESSION_HANDLE hSession, CK_OBJECT_HANDLE hObject,
					CK_ATTRIBUTE_PTR pTemplate, CK_ULONG ulCount,
					CK_OBJECT_HANDLE_PTR phNewObject)
{
	kzt_attrs l = {0};
	CK_OBJECT_CLASS cls;
	kzt_session *s;
	kzt_op op;
	CK_RV rv;
	int host = 0, from_session;

	if ((rv = kzt_initialized()) != CKR_OK)
		return rv;
	if (phNewObject == NULL)
		return CKR_ARGUMENTS_BAD;
	if ((rv = kzt_template_check(pTemplate, ulCount)) != CKR_OK)
		return rv;
	if ((rv = kzt_session_acquire(hSession, &s)) != CKR_OK)
		return rv;
	/* a session object's attributes are copied before the card frame: the two
	 * locks are never held together */
	from_session = session_source(s, hObject, &l, &rv);
	if (rv != CKR_OK || (rv = kzt_card_begin_held(s, &op)) != CKR_OK)
		goto out;
	if (!from_session && (rv = token_source(&op, hObject, &l)) != CKR_OK)
		goto end;
	cls = class_of(&l);
	if (cls == CKO_PRIVATE_KEY || !kzt_attrs_bool(&l, CKA_COPYABLE, CK_TRUE))
		rv = CKR_ACTION_PROHIBITED; /* a private key's numbers stay on the card, whatever it says */
	else if ((rv = kzt_schema_apply(cls, &l, pTemplate, ulCount, KZT_USE_SET | KZT_USE_COPY)) == CKR_OK)
		rv = kzt_object_add(&op, cls, &l, phNewObject, &host);
end:
	kzt_card_end(&op);
	if (rv == CKR_OK && host)
		rv = kzt_session_object_add(s, &l, phNewObject);
out:
	kzt_attrs_free(&l);
	kzt_session_release(s);
	return rv;
}
