/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* Attribute lists and their on-card encoding (see attr.h). */
#include <stdlib.h>
#include <string.h>

#include "attr.h"
#include "buf.h"
#include "kzt_err.h"
#include "secmem.h"

static CK_ATTRIBUTE *
find(const kzt_attrs *l, CK_ATTRIBUTE_TYPE type)
{
	CK_ULONG i;

	for (i = 0; i < l->n; i++)
		if (l->a[i].type == type)
			return &l->a[i];
	return NULL;
}

int
kzt_attrs_set(kzt_attrs *l, CK_ATTRIBUTE_TYPE type, const void *value, CK_ULONG len)
{
	CK_ATTRIBUTE *slot = find(l, type), *grown;
	void *copy = NULL;

	if (len > 0) {
		if (value == NULL || (copy = malloc(len)) == NULL)
			return value == NULL ? KZT_ERR_ARGS : KZT_ERR_NOMEM;
		memcpy(copy, value, len);
	}
	if (slot == NULL) {
		if (l->n == l->cap) {
			CK_ULONG cap = l->cap ? l->cap * 2 : 16;
			if ((grown = realloc(l->a, cap * sizeof(*grown))) == NULL) {
				free(copy);
				return KZT_ERR_NOMEM;
			}
			l->a = grown;
			l->cap = cap;
		}
		slot = &l->a[l->n++];
		slot->type = type;
	} else {
		kzt_secure_zero(slot->pValue, slot->ulValueLen);
		free(slot->pValue);
	}
	slot->pValue = copy;
	slot->ulValueLen = len;
	return KZT_OK;
}

int
kzt_attrs_set_bool(kzt_attrs *l, CK_ATTRIBUTE_TYPE type, CK_BBOOL v)
{
	return kzt_attrs_set(l, type, &v, sizeof(v));
}

int
kzt_attrs_set_ulong(kzt_attrs *l, CK_ATTRIBUTE_TYPE type, CK_ULONG v)
{
	return kzt_attrs_set(l, type, &v, sizeof(v));
}

CK_ULONG
kzt_ulong_of(const void *p)
{
	CK_ULONG v;

	memcpy(&v, p, sizeof(v));
	return v;
}

const CK_ATTRIBUTE *
kzt_attrs_get(const kzt_attrs *l, CK_ATTRIBUTE_TYPE type)
{
	return find(l, type);
}

CK_BBOOL
kzt_attrs_bool(const kzt_attrs *l, CK_ATTRIBUTE_TYPE type, CK_BBOOL dflt)
{
	const CK_ATTRIBUTE *a = find(l, type);

	if (a == NULL || a->ulValueLen != sizeof(CK_BBOOL))
		return dflt;
	return *(const CK_BBOOL *)a->pValue ? CK_TRUE : CK_FALSE;
}

void
kzt_attrs_remove(kzt_attrs *l, CK_ATTRIBUTE_TYPE type)
{
	CK_ATTRIBUTE *a = find(l, type);

	if (a == NULL)
		return;
	kzt_secure_zero(a->pValue, a->ulValueLen);
	free(a->pValue);
	*a = l->a[--l->n];
}

void
kzt_attrs_free(kzt_attrs *l)
{
	CK_ULONG i;

	for (i = 0; i < l->n; i++) {
		kzt_secure_zero(l->a[i].pValue, l->a[i].ulValueLen);
		free(l->a[i].pValue);
	}
	free(l->a);
	memset(l, 0, sizeof(*l));
}

int
kzt_attrs_copy(kzt_attrs *dst, const kzt_attrs *src)
{
	CK_ULONG i;
	int r = KZT_OK;

	for (i = 0; i < src->n && r == KZT_OK; i++)
		r = kzt_attrs_set(dst, src->a[i].type, src->a[i].pValue, src->a[i].ulValueLen);
	return r;
}

/* CK_ULONG values are stored as 4 bytes so a blob reads the same on every ABI;
 * CK_UNAVAILABLE_INFORMATION (all ones in any width) is stored as FFFFFFFF. */
#define BLOB_UNAVAILABLE 0xFFFFFFFFUL
static int
is_ulong(CK_ATTRIBUTE_TYPE t)
{
	switch (t) {
	case CKA_CLASS: case CKA_KEY_TYPE: case CKA_CERTIFICATE_TYPE: case CKA_CERTIFICATE_CATEGORY:
	case CKA_MODULUS_BITS: case CKA_KEY_GEN_MECHANISM: case CKA_JAVA_MIDP_SECURITY_DOMAIN:
	case CKA_NAME_HASH_ALGORITHM:
		return 1;
	default:
		return 0;
	}
}

int
kzt_attrs_encode(const kzt_attrs *l, int (*keep)(CK_ATTRIBUTE_TYPE), uint8_t *out, size_t cap,
		 size_t *len)
{
	kzt_buf b;
	CK_ULONG i;

	kzt_buf_init(&b, out, cap);
	for (i = 0; i < l->n; i++) {
		const CK_ATTRIBUTE *a = &l->a[i];
		if (keep != NULL && !keep(a->type))
			continue;
		if (a->type > 0xFFFFFFFFUL || a->ulValueLen > 0xFFFF)
			return KZT_ERR_ARGS;
		kzt_buf_put_u32(&b, (uint32_t)a->type);
		if (is_ulong(a->type) && a->ulValueLen == sizeof(CK_ULONG)) {
			CK_ULONG v = kzt_ulong_of(a->pValue);
			if (v == CK_UNAVAILABLE_INFORMATION)
				v = BLOB_UNAVAILABLE;
			else if (v >= BLOB_UNAVAILABLE)
				return KZT_ERR_ARGS;
			kzt_buf_put_u16(&b, 4);
			kzt_buf_put_u32(&b, (uint32_t)v);
		} else {
			kzt_buf_put_u16(&b, (uint16_t)a->ulValueLen);
			kzt_buf_put(&b, a->pValue, a->ulValueLen);
		}
	}
	*len = b.len;
	return b.err;
}

int
kzt_attrs_decode(const uint8_t *p, size_t n, kzt_attrs *l)
{
	CK_ATTRIBUTE_TYPE type;
	size_t len;
	int r;

	while (n > 0) {
		if (n < 6)
			return KZT_ERR_PARSE;
		type = kzt_get_u32(p);
		len = kzt_get_u16(p + 4);
		p += 6;
		n -= 6;
		if (len > n || kzt_attrs_get(l, type) != NULL)
			return KZT_ERR_PARSE; /* truncated, or the same attribute twice */
		if (is_ulong(type)) {
			if (len != 4)
				return KZT_ERR_PARSE;
			CK_ULONG v = kzt_get_u32(p);
			r = kzt_attrs_set_ulong(l, type, v == BLOB_UNAVAILABLE ? CK_UNAVAILABLE_INFORMATION : v);
		} else {
			r = kzt_attrs_set(l, type, p, (CK_ULONG)len);
		}
		if (r != KZT_OK)
			return r;
		p += len;
		n -= len;
	}
	return KZT_OK;
}

int
kzt_attrs_blob_find(const uint8_t *p, size_t n, CK_ATTRIBUTE_TYPE type, const uint8_t **val,
		    size_t *len)
{
	size_t l;

	while (n > 0) {
		if (n < 6 || (l = kzt_get_u16(p + 4)) > n - 6)
			return KZT_ERR_PARSE;
		if (kzt_get_u32(p) == type) {
			*val = p + 6;
			*len = l;
			return KZT_OK;
		}
		p += 6 + l;
		n -= 6 + l;
	}
	return KZT_ERR_NOT_FOUND;
}
