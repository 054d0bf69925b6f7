/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* Objects as data: freeing them, object handles, the class mapping, template
 * matching, and finding session objects. No card I/O. */
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "kzt_err.h"
#include "proc.h"

void
kzt_object_free(kzt_object *o)
{
	if (o == NULL)
		return;
	kzt_attrs_free(&o->attrs);
	free(o);
}

void
kzt_objects_free(kzt_object *o)
{
	kzt_object *next;

	for (; o != NULL; o = next) {
		next = o->next;
		kzt_object_free(o);
	}
}

uint64_t
kzt_object_number_new(void)
{
	return kzt_object_handle_new();
}

void
kzt_object_view_free(void *view)
{
	kzt_object_free(view);
}

CK_OBJECT_HANDLE
kzt_object_handle_new(void)
{
	return __atomic_add_fetch(&kzt_mod.next_object, 1, __ATOMIC_RELAXED);
}

int
kzt_attr_needs_value(CK_ATTRIBUTE_TYPE type)
{
	switch (type) {
	case CKA_VALUE: case CKA_MODULUS: case CKA_PUBLIC_EXPONENT: case CKA_MODULUS_BITS:
	case CKA_EC_PARAMS: case CKA_EC_POINT: case CKA_GOSTR3410_PARAMS: case CKA_GOSTR3411_PARAMS:
		return 1;
	default:
		return 0;
	}
}

int
kzt_object_needs_value(const kzt_object *o, const CK_ATTRIBUTE *t, CK_ULONG n)
{
	const CK_ATTRIBUTE *cls = kzt_attrs_get(&o->attrs, CKA_CLASS);
	int key = cls != NULL && (kzt_ulong_of(cls->pValue) == CKO_PUBLIC_KEY ||
				  kzt_ulong_of(cls->pValue) == CKO_PRIVATE_KEY);
	CK_ULONG i;

	if (o->value_loaded || o->card_handle == 0)
		return 0;
	for (i = 0; i < n; i++)
		if (kzt_attr_needs_value(t[i].type) ||
		    /* a key without the module's attributes: its type is the value's */
		    (key && t[i].type == CKA_KEY_TYPE && kzt_attrs_get(&o->attrs, CKA_KEY_TYPE) == NULL))
			return 1;
	return 0;
}

/* The card's object classes are PKCS#11's first four, in the same order. */
static const CK_OBJECT_CLASS card_classes[] = {
	[KZT_CLASS_DATA] = CKO_DATA,
	[KZT_CLASS_CERTIFICATE] = CKO_CERTIFICATE,
	[KZT_CLASS_PUBLIC_KEY] = CKO_PUBLIC_KEY,
	[KZT_CLASS_PRIVATE_KEY] = CKO_PRIVATE_KEY,
};

CK_OBJECT_CLASS
kzt_ck_class(uint8_t card_class)
{
	return card_class < sizeof(card_classes) / sizeof(card_classes[0]) ? card_classes[card_class]
									    : CKO_VENDOR_DEFINED;
}

uint8_t
kzt_card_class(CK_OBJECT_CLASS cls)
{
	uint8_t c;

	for (c = 0; c < sizeof(card_classes) / sizeof(card_classes[0]); c++)
		if (card_classes[c] == cls)
			return c;
	return 0xFF;
}

int
kzt_object_matches(const kzt_object *o, const CK_ATTRIBUTE *t, CK_ULONG n)
{
	const CK_ATTRIBUTE *a;
	CK_ULONG i;

	for (i = 0; i < n; i++) {
		a = kzt_attrs_get(&o->attrs, t[i].type);
		if (a == NULL || a->ulValueLen != t[i].ulValueLen ||
		    (a->ulValueLen > 0 && memcmp(a->pValue, t[i].pValue, a->ulValueLen) != 0))
			return 0;
	}
	return 1;
}

CK_RV
kzt_object_key_numbers(kzt_object *o, const uint8_t *n, size_t n_len, const uint8_t *e, size_t e_len)
{
	if (kzt_attrs_set_ulong(&o->attrs, CKA_KEY_TYPE, CKK_RSA) != KZT_OK || /* the card's word */
	    kzt_attrs_set(&o->attrs, CKA_MODULUS, n, n_len) != KZT_OK ||
	    kzt_attrs_set(&o->attrs, CKA_PUBLIC_EXPONENT, e, e_len) != KZT_OK ||
	    kzt_attrs_set_ulong(&o->attrs, CKA_MODULUS_BITS, n_len * 8) != KZT_OK)
		return CKR_HOST_MEMORY;
	o->value_loaded = 1;
	return CKR_OK;
}

kzt_object *
kzt_session_object(kzt_slot *slot, kzt_login login, CK_OBJECT_HANDLE h, kzt_session **owner)
{
	kzt_session *s;
	kzt_object *o;

	for (s = kzt_mod.sessions; s != NULL; s = s->next) {
		/* (a session of a token gone keeps its objects until it hears so) */
		if (s->slot != slot || s->generation != slot->seen_generation)
			continue;
		for (o = s->objects; o != NULL; o = o->next) {
			if (o->handle != h)
				continue;
			if (login != KZT_LOGIN_USER && kzt_attrs_bool(&o->attrs, CKA_PRIVATE, CK_FALSE))
				return NULL; /* a private object is invisible until login */
			if (owner != NULL)
				*owner = s;
			return o;
		}
	}
	return NULL;
}
