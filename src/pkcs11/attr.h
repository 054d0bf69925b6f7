/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* An object's attributes: an owned list of (type, value), and the compact encoding
 * the module stores on the card as an object's attribute blob:
 * repeated  type (4 bytes, big-endian) | length (2 bytes, big-endian) | value. */
#ifndef KZT_ATTR_H
#define KZT_ATTR_H

#include <stddef.h>
#include <stdint.h>

#include "kaztoken/pkcs11.h"

typedef struct kzt_attrs {
	CK_ATTRIBUTE *a; /* values are owned (malloc'd) */
	CK_ULONG n, cap;
} kzt_attrs;

/* Set type to a copy of (value, len), replacing any earlier value. */
int kzt_attrs_set(kzt_attrs *l, CK_ATTRIBUTE_TYPE type, const void *value, CK_ULONG len);
int kzt_attrs_set_bool(kzt_attrs *l, CK_ATTRIBUTE_TYPE type, CK_BBOOL v);
int kzt_attrs_set_ulong(kzt_attrs *l, CK_ATTRIBUTE_TYPE type, CK_ULONG v);
/* The attribute, or NULL. */
const CK_ATTRIBUTE *kzt_attrs_get(const kzt_attrs *l, CK_ATTRIBUTE_TYPE type);
/* A CK_ULONG-sized value (CK_ULONG, a class, a key or certificate type) at p,
 * wherever it lies: an application's template need not align it. */
CK_ULONG kzt_ulong_of(const void *p);
/* A CK_BBOOL attribute's value, or dflt when absent or malformed. */
CK_BBOOL kzt_attrs_bool(const kzt_attrs *l, CK_ATTRIBUTE_TYPE type, CK_BBOOL dflt);
void kzt_attrs_remove(kzt_attrs *l, CK_ATTRIBUTE_TYPE type);
/* Add (or replace) every attribute of src in dst. */
int kzt_attrs_copy(kzt_attrs *dst, const kzt_attrs *src);
/* Free every value (wiping it) and the list; *l is left empty. */
void kzt_attrs_free(kzt_attrs *l);

/* Encode the attributes of l whose type keep() accepts (NULL: all) into (out, cap). */
int kzt_attrs_encode(const kzt_attrs *l, int (*keep)(CK_ATTRIBUTE_TYPE), uint8_t *out,
		     size_t cap, size_t *len);
/* Add the attributes of a blob to l. KZT_ERR_PARSE when malformed (l may then hold
 * some of them: the caller frees it). */
int kzt_attrs_decode(const uint8_t *p, size_t n, kzt_attrs *l);
/* In the encoded list p (n bytes), the value of attribute type, without decoding
 * the rest: KZT_OK with (*val, *len) pointing into p, KZT_ERR_NOT_FOUND, or
 * KZT_ERR_PARSE when p is malformed before type is found. */
int kzt_attrs_blob_find(const uint8_t *p, size_t n, CK_ATTRIBUTE_TYPE type, const uint8_t **val,
			size_t *len);

#endif
