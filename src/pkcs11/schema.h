/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* The attributes each object class has, in one table: their kind, and where an
 * application may give them (the specification's footnotes to the attribute
 * tables). C_CreateObject, C_GenerateKeyPair, C_SetAttributeValue and
 * C_CopyObject all check templates here. */
#ifndef KZT_SCHEMA_H
#define KZT_SCHEMA_H

#include "attr.h"
#include "kaztoken/pkcs11.h"

/* Where an attribute may appear in a template. */
#define KZT_USE_CREATE 0x01   /* C_CreateObject */
#define KZT_USE_GENERATE 0x02 /* C_GenerateKeyPair */
#define KZT_USE_SET 0x04      /* footnote 8: C_SetAttributeValue and C_CopyObject */
#define KZT_USE_COPY 0x08     /* C_CopyObject only (CKA_TOKEN, CKA_PRIVATE, ...) */

/* One attribute of a template for an object of class cls, used as use says:
 * CKR_ATTRIBUTE_TYPE_INVALID when the class has no such attribute,
 * CKR_ATTRIBUTE_READ_ONLY when it may not be given there,
 * CKR_ATTRIBUTE_VALUE_INVALID when the value is malformed for its kind. */
CK_RV kzt_schema_check(CK_OBJECT_CLASS cls, const CK_ATTRIBUTE *a, unsigned use);

/* A change to an existing object's attributes (C_SetAttributeValue, or the
 * template of C_CopyObject with use KZT_USE_SET | KZT_USE_COPY): every attribute
 * checked, the one-way attributes (footnotes 11 and 12: CKA_SENSITIVE stays true,
 * CKA_EXTRACTABLE and CKA_COPYABLE stay false) kept one-way, then applied to l. On
 * failure l may hold part of the change: apply to a copy. */
CK_RV kzt_schema_apply(CK_OBJECT_CLASS cls, kzt_attrs *l, const CK_ATTRIBUTE *t, CK_ULONG n,
		       unsigned use);

/* A template said an attribute twice: CKR_TEMPLATE_INCONSISTENT, else CKR_OK. */
CK_RV kzt_schema_no_repeats(const CK_ATTRIBUTE *t, CK_ULONG n);

#endif
