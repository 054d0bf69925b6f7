/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* C_CreateObject and C_DestroyObject: data objects and X.509 certificates on the
 * token (stored on the card) or in the session, and imported RSA keys on the token
 * (the private numbers go to the card and never come back). Templates are checked
 * in the specification's order: attribute types, values, consistency, session. */
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "kzt_err.h"
#include "schema.h"
#include "x509.h"

/* The numbers of an RSA key, in the card's order: n e d p q dp dq qinv. */
static const CK_ATTRIBUTE_TYPE rsa_numbers[8] = {
	CKA_MODULUS, CKA_PUBLIC_EXPONENT, CKA_PRIVATE_EXPONENT, CKA_PRIME_1,
	CKA_PRIME_2, CKA_EXPONENT_1,      CKA_EXPONENT_2,       CKA_COEFFICIENT,
};

/* An RSA key to import: its numbers present (all 8 for a private key), the key
 * on the token and, for a private key, as secret as the card keeps it. */
static CK_RV
key_checks(kzt_attrs *l, CK_OBJECT_CLASS cls)
{
	const CK_ATTRIBUTE *kt = kzt_attrs_get(l, CKA_KEY_TYPE);
	size_t i, need = cls == CKO_PRIVATE_KEY ? 8 : 2;
	CK_RV rv;

	if (kt == NULL)
		return CKR_TEMPLATE_INCOMPLETE;
	if (kzt_ulong_of(kt->pValue) != CKK_RSA) /* (EC keys are made on the card only) */
		return CKR_ATTRIBUTE_VALUE_INVALID;
	if (kzt_attrs_get(l, CKA_EC_PARAMS) != NULL || kzt_attrs_get(l, CKA_EC_POINT) != NULL ||
	    kzt_attrs_get(l, CKA_GOSTR3410_PARAMS) != NULL || kzt_attrs_get(l, CKA_GOSTR3411_PARAMS) != NULL)
		return CKR_TEMPLATE_INCONSISTENT;
	/* 00 01 00 01 is the exponent 01 00 01: the card and the blob keep the latter */
	if ((rv = kzt_key_exponent_normalise(l)) != CKR_OK)
		return rv;
	for (i = 0; i < need; i++) {
		const CK_ATTRIBUTE *a = kzt_attrs_get(l, rsa_numbers[i]);
		if (a == NULL)
			return CKR_TEMPLATE_INCOMPLETE;
		if (a->ulValueLen == 0 || a->ulValueLen > 512)
			return CKR_ATTRIBUTE_VALUE_INVALID;
	}
	if (cls == CKO_PRIVATE_KEY && (!kzt_attrs_bool(l, CKA_SENSITIVE, CK_TRUE) ||
				       kzt_attrs_bool(l, CKA_EXTRACTABLE, CK_FALSE) ||
				       kzt_attrs_bool(l, CKA_COPYABLE, CK_FALSE)))
		return CKR_TEMPLATE_INCONSISTENT;
	return kzt_key_defaults(l, cls, CKK_RSA, CK_UNAVAILABLE_INFORMATION) == KZT_OK ? CKR_OK : CKR_HOST_MEMORY;
}

/* Derive what a certificate's DER says, unless the template said it already. */
static CK_RV
certificate_defaults(kzt_attrs *l)
{
	const CK_ATTRIBUTE *type = kzt_attrs_get(l, CKA_CERTIFICATE_TYPE);
	const CK_ATTRIBUTE *value = kzt_attrs_get(l, CKA_VALUE);
	kzt_x509_fields f;
	int r = KZT_OK;

	if (type == NULL || value == NULL)
		return CKR_TEMPLATE_INCOMPLETE;
	if (kzt_ulong_of(type->pValue) != CKC_X_509 ||
	    kzt_x509_fields_get(value->pValue, value->ulValueLen, &f) != KZT_OK)
		return CKR_ATTRIBUTE_VALUE_INVALID;
	if (kzt_attrs_get(l, CKA_SUBJECT) == NULL)
		r = kzt_attrs_set(l, CKA_SUBJECT, f.subject, f.subject_len);
	if (r == KZT_OK && kzt_attrs_get(l, CKA_ISSUER) == NULL)
		r = kzt_attrs_set(l, CKA_ISSUER, f.issuer, f.issuer_len);
	if (r == KZT_OK && kzt_attrs_get(l, CKA_SERIAL_NUMBER) == NULL)
		r = kzt_attrs_set(l, CKA_SERIAL_NUMBER, f.serial, f.serial_len);
	if (r == KZT_OK && kzt_attrs_get(l, CKA_START_DATE) == NULL)
		r = kzt_attrs_set(l, CKA_START_DATE, &f.start, sizeof(f.start));
	if (r == KZT_OK && kzt_attrs_get(l, CKA_END_DATE) == NULL)
		r = kzt_attrs_set(l, CKA_END_DATE, &f.end, sizeof(f.end));
	if (r == KZT_OK && kzt_attrs_get(l, CKA_TRUSTED) == NULL)
		r = kzt_attrs_set_bool(l, CKA_TRUSTED, CK_FALSE);
	if (r == KZT_OK && kzt_attrs_get(l, CKA_CERTIFICATE_CATEGORY) == NULL)
		r = kzt_attrs_set_ulong(l, CKA_CERTIFICATE_CATEGORY, CK_CERTIFICATE_CATEGORY_UNSPECIFIED);
	if (r == KZT_OK && kzt_attrs_get(l, CKA_ID) == NULL)
		r = kzt_attrs_set(l, CKA_ID, NULL, 0);
	return r == KZT_OK ? CKR_OK : CKR_HOST_MEMORY;
}

/* The whole template as an attribute list, checked, with the class's defaults. */
static CK_RV
build(const CK_ATTRIBUTE *t, CK_ULONG n, kzt_attrs *l, CK_OBJECT_CLASS *cls)
{
	const CK_ATTRIBUTE *c = NULL;
	CK_ULONG i;
	CK_RV rv;

	if ((rv = kzt_schema_no_repeats(t, n)) != CKR_OK)
		return rv;
	for (i = 0; i < n; i++)
		if (t[i].type == CKA_CLASS)
			c = &t[i];
	if (c == NULL)
		return CKR_TEMPLATE_INCOMPLETE;
	if (c->pValue == NULL || c->ulValueLen != sizeof(CK_OBJECT_CLASS))
		return CKR_ATTRIBUTE_VALUE_INVALID;
	*cls = kzt_ulong_of(c->pValue);
	if (kzt_card_class(*cls) == 0xFF)
		return CKR_ATTRIBUTE_VALUE_INVALID; /* no such object on a KAZTOKEN */
	for (i = 0; i < n; i++) {
		if ((rv = kzt_schema_check(*cls, &t[i], KZT_USE_CREATE)) != CKR_OK)
			return rv;
		if (kzt_attrs_set(l, t[i].type, t[i].pValue, t[i].ulValueLen) != KZT_OK)
			return CKR_HOST_MEMORY;
	}
	if (kzt_attrs_get(l, CKA_LABEL) == NULL && kzt_attrs_set(l, CKA_LABEL, NULL, 0) != KZT_OK)
		return CKR_HOST_MEMORY;
	if (*cls == CKO_DATA && kzt_attrs_get(l, CKA_VALUE) == NULL &&
	    kzt_attrs_set(l, CKA_VALUE, NULL, 0) != KZT_OK)
		return CKR_HOST_MEMORY;
	if (*cls == CKO_CERTIFICATE && (rv = certificate_defaults(l)) != CKR_OK)
		return rv;
	if ((*cls == CKO_PUBLIC_KEY || *cls == CKO_PRIVATE_KEY) && (rv = key_checks(l, *cls)) != CKR_OK)
		return rv;
	if (kzt_attrs_set_bool(l, CKA_TOKEN, kzt_attrs_bool(l, CKA_TOKEN, CK_FALSE)) != KZT_OK ||
	    kzt_attrs_set_bool(l, CKA_PRIVATE,
			       kzt_attrs_bool(l, CKA_PRIVATE, *cls == CKO_PRIVATE_KEY)) != KZT_OK ||
	    kzt_attrs_set_bool(l, CKA_MODIFIABLE, kzt_attrs_bool(l, CKA_MODIFIABLE, CK_TRUE)) != KZT_OK ||
	    kzt_attrs_set_bool(l, CKA_COPYABLE, kzt_attrs_bool(l, CKA_COPYABLE, CK_TRUE)) != KZT_OK ||
	    kzt_attrs_set_bool(l, CKA_DESTROYABLE, kzt_attrs_bool(l, CKA_DESTROYABLE, CK_TRUE)) != KZT_OK)
		return CKR_HOST_MEMORY;
	return CKR_OK;
}

/* What the card keeps in the blob: all but what it stores or enforces itself. */
static int
blob_keeps(CK_ATTRIBUTE_TYPE t)
{
	return t != CKA_CLASS && t != CKA_TOKEN && t != CKA_PRIVATE && t != CKA_MODIFIABLE &&
	       t != CKA_VALUE;
}

int (*kzt_object_blob_keeps(CK_OBJECT_CLASS cls))(CK_ATTRIBUTE_TYPE)
{
	return cls == CKO_PUBLIC_KEY || cls == CKO_PRIVATE_KEY ? kzt_key_blob_keeps : blob_keeps;
}

/* Token lock held: l as a new card object (a token object, or a session object the
 * card keeps, marked already). */
static CK_RV
create_on_card(kzt_op *op, CK_OBJECT_CLASS cls, kzt_attrs *l, CK_OBJECT_HANDLE *ph)
{
	const CK_ATTRIBUTE *v = kzt_attrs_get(l, CKA_VALUE);
	uint8_t blob[KZT_BLOB_MAX], value[1100], flags;
	const uint8_t *val = v != NULL ? v->pValue : NULL;
	size_t len, val_len = v != NULL ? v->ulValueLen : 0, i;
	kzt_rsa_parts parts, *import = NULL;
	kzt_object *o;
	uint16_t card_handle;
	CK_RV rv;

	if (kzt_attrs_encode(l, kzt_object_blob_keeps(cls), blob, sizeof(blob), &len) != KZT_OK)
		return CKR_DEVICE_MEMORY; /* more attributes than a card object holds */
	flags = kzt_key_card_flags(l);
	if (cls == CKO_PRIVATE_KEY) { /* the numbers go to the card, which checks them */
		for (i = 0; i < 8; i++) {
			const CK_ATTRIBUTE *a = kzt_attrs_get(l, rsa_numbers[i]);
			parts.part[i] = a->pValue;
			parts.len[i] = a->ulValueLen;
		}
		import = &parts;
	} else if (cls == CKO_PUBLIC_KEY) {
		const CK_ATTRIBUTE *n = kzt_attrs_get(l, CKA_MODULUS), *e = kzt_attrs_get(l, CKA_PUBLIC_EXPONENT);
		const CK_ATTRIBUTE *kt = kzt_attrs_get(l, CKA_KEY_TYPE);

		if (kt != NULL && kzt_eckey_is_ec_type(kzt_ulong_of(kt->pValue))) {
			/* (a copy of an EC public key: C_CreateObject admits RSA keys only) */
			if ((rv = kzt_eckey_card_value(l, value, sizeof(value), &val_len)) != CKR_OK)
				return rv;
		} else if (n == NULL || e == NULL) {
			return CKR_TEMPLATE_INCOMPLETE;
		} else if (kzt_key_value_build(n->pValue, n->ulValueLen, e->pValue, e->ulValueLen, value,
					       sizeof(value), &val_len) != KZT_OK) {
			return CKR_ATTRIBUTE_VALUE_INVALID;
		}
		val = value;
	}
	rv = kzt_card_status(op, kzt_token_create_object(op->token, kzt_card_class(cls), flags, blob, len,
							val, val_len, import, &card_handle));
	if (rv == CKR_DATA_INVALID)
		rv = CKR_ATTRIBUTE_VALUE_INVALID; /* the card found the key inconsistent */
	if (rv != CKR_OK || (rv = kzt_objects_sync(op)) != CKR_OK)
		return rv;
	if ((o = kzt_token_object_by_card(op, card_handle)) == NULL)
		return CKR_DEVICE_ERROR; /* created, yet not listed */
	*ph = o->handle;
	return CKR_OK;
}

CK_RV
kzt_object_add(kzt_op *op, CK_OBJECT_CLASS cls, kzt_attrs *l, CK_OBJECT_HANDLE *ph, int *host)
{
	kzt_login login = kzt_card_login(op);
	CK_RV rv;

	*host = 0;
	if (kzt_attrs_bool(l, CKA_TRUSTED, CK_FALSE) && login != KZT_LOGIN_SO)
		return CKR_ATTRIBUTE_READ_ONLY; /* only the SO may mark a certificate trusted */
	if (kzt_attrs_bool(l, CKA_PRIVATE, CK_FALSE) && login != KZT_LOGIN_USER)
		return CKR_USER_NOT_LOGGED_IN;
	if (kzt_attrs_bool(l, CKA_TOKEN, CK_FALSE))
		return op->session_flags & CKF_RW_SESSION ? create_on_card(op, cls, l, ph)
							  : CKR_SESSION_READ_ONLY;
	if (cls == CKO_PUBLIC_KEY || cls == CKO_PRIVATE_KEY) {
		/* a session key: the card keeps it (a private key lives nowhere else), and
		 * keeps nothing for anyone but the user; a read-only session may make it */
		if (login != KZT_LOGIN_USER)
			return CKR_USER_NOT_LOGGED_IN;
		if ((rv = kzt_card_session_mark(op, l)) != CKR_OK)
			return rv;
		return create_on_card(op, cls, l, ph);
	}
	*host = 1; /* the module keeps it: kzt_session_object_add, once the frame ended */
	return CKR_OK;
}

CK_RV
kzt_session_object_add(kzt_session *s, kzt_attrs *l, CK_OBJECT_HANDLE *ph)
{
	kzt_object *o;
	CK_RV rv;

	if ((o = calloc(1, sizeof(*o))) == NULL)
		return CKR_HOST_MEMORY;
	o->handle = kzt_object_handle_new();
	if ((rv = kzt_enter()) != CKR_OK) {
		free(o);
		return rv;
	}
	if (s->closed) {
		kzt_leave();
		free(o);
		return CKR_SESSION_HANDLE_INVALID;
	}
	o->attrs = *l; /* the session object takes the list */
	memset(l, 0, sizeof(*l));
	o->next = s->objects;
	s->objects = o;
	*ph = o->handle;
	kzt_leave();
	return CKR_OK;
}

CK_DEFINE_FUNCTION(CK_RV, C_CreateObject)(CK_SESSION_HANDLE hSession, CK_ATTRIBUTE_PTR pTemplate,
					  CK_ULONG ulCount, CK_OBJECT_HANDLE_PTR phObject)
{
	kzt_attrs l = {0};
	CK_OBJECT_CLASS cls = CKO_DATA;
	kzt_session *s;
	kzt_op op;
	CK_RV rv;
	int host = 0;

	if ((rv = kzt_initialized()) != CKR_OK)
		return rv;
	if (pTemplate == NULL || ulCount == 0 || phObject == NULL)
		return CKR_ARGUMENTS_BAD;
	if ((rv = kzt_template_check(pTemplate, ulCount)) != CKR_OK)
		return rv;
	if ((rv = kzt_session_acquire(hSession, &s)) != CKR_OK)
		return rv;
	if ((rv = kzt_card_begin_held(s, &op)) == CKR_OK) {
		if ((rv = build(pTemplate, ulCount, &l, &cls)) == CKR_OK)
			rv = kzt_object_add(&op, cls, &l, phObject, &host);
		kzt_card_end(&op);
	}
	if (rv == CKR_OK && host)
		rv = kzt_session_object_add(s, &l, phObject);
	kzt_attrs_free(&l);
	kzt_session_release(s);
	return rv;
}

/* Global lock held: destroy the session object h visible under login. 1 when
 * there was one (*rv says how it went), 0 when h may be a token object. */
static int
destroy_session_object(kzt_session *s, CK_OBJECT_HANDLE h, CK_RV *rv)
{
	kzt_session *owner = NULL;
	kzt_object *o, **pp;

	if ((o = kzt_session_object(s->slot, kzt_session_login(s), h, &owner)) == NULL)
		return 0;
	if (!kzt_attrs_bool(&o->attrs, CKA_DESTROYABLE, CK_TRUE)) {
		*rv = CKR_ACTION_PROHIBITED;
		return 1;
	}
	for (pp = &owner->objects; *pp != o; pp = &(*pp)->next)
		;
	*pp = o->next;
	kzt_object_free(o);
	*rv = CKR_OK;
	return 1;
}

CK_DEFINE_FUNCTION(CK_RV, C_DestroyObject)(CK_SESSION_HANDLE hSession, CK_OBJECT_HANDLE hObject)
{
	kzt_session *s;
	kzt_object *o;
	kzt_op op;
	CK_RV rv;
	int done;

	if ((rv = kzt_session_acquire(hSession, &s)) != CKR_OK)
		return rv;
	if ((rv = kzt_enter()) != CKR_OK)
		goto out;
	done = destroy_session_object(s, hObject, &rv);
	kzt_leave();
	if (done || (rv = kzt_token_object_begin(s, hObject, &op, &o)) != CKR_OK)
		goto out;
	if (o->owner == 0 && !(op.session_flags & CKF_RW_SESSION))
		rv = CKR_SESSION_READ_ONLY; /* (a session object goes in any session) */
	else if (!kzt_attrs_bool(&o->attrs, CKA_DESTROYABLE, CK_TRUE))
		rv = CKR_ACTION_PROHIBITED;
	else if ((rv = kzt_card_status(&op, kzt_token_delete_object(op.token, o->card_handle))) == CKR_OK)
		kzt_objcache_invalidate(&op.slot->cache); /* the next look re-reads the directory */
	kzt_card_end(&op);
out:
	kzt_session_release(s);
	return rv;
}
