/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* The attribute table of the object classes a KAZTOKEN holds (PKCS#11 3.0, 4.4 to
 * 4.9, the RSA, EC and GOST key tables), and the template checks built on it. */
#include "schema.h"

#include "kzt_err.h"

enum kind { ANY, BOOL, ULONG };

/* Pseudo-classes for rows shared by several classes. */
#define ALL ((CK_OBJECT_CLASS)-1)
#define KEY ((CK_OBJECT_CLASS)-2) /* public and private keys */

/* One-way attributes: once the value is this, it stays. */
#define ONCE_TRUE 0x10
#define ONCE_FALSE 0x20

#define C KZT_USE_CREATE
#define G KZT_USE_GENERATE
#define S KZT_USE_SET
#define K KZT_USE_COPY

static const struct row {
	CK_OBJECT_CLASS cls;
	CK_ATTRIBUTE_TYPE type;
	enum kind kind;
	unsigned use; /* KZT_USE_* and ONCE_* */
} rows[] = {
	{ALL, CKA_CLASS, ULONG, C | G},
	{ALL, CKA_TOKEN, BOOL, C | G | K},
	{ALL, CKA_PRIVATE, BOOL, C | G | K},
	{ALL, CKA_MODIFIABLE, BOOL, C | G | K},
	{ALL, CKA_COPYABLE, BOOL, C | G | K | ONCE_FALSE},
	{ALL, CKA_DESTROYABLE, BOOL, C | G | K},
	{ALL, CKA_LABEL, ANY, C | G | S},

	{CKO_DATA, CKA_APPLICATION, ANY, C},
	{CKO_DATA, CKA_OBJECT_ID, ANY, C},
	{CKO_DATA, CKA_VALUE, ANY, C},

	{CKO_CERTIFICATE, CKA_CERTIFICATE_TYPE, ULONG, C},
	{CKO_CERTIFICATE, CKA_TRUSTED, BOOL, C | S},
	{CKO_CERTIFICATE, CKA_CERTIFICATE_CATEGORY, ULONG, C},
	{CKO_CERTIFICATE, CKA_CHECK_VALUE, ANY, C},
	{CKO_CERTIFICATE, CKA_START_DATE, ANY, C | S},
	{CKO_CERTIFICATE, CKA_END_DATE, ANY, C | S},
	{CKO_CERTIFICATE, CKA_PUBLIC_KEY_INFO, ANY, C},
	{CKO_CERTIFICATE, CKA_SUBJECT, ANY, C},
	{CKO_CERTIFICATE, CKA_ID, ANY, C | S},
	{CKO_CERTIFICATE, CKA_ISSUER, ANY, C | S},
	{CKO_CERTIFICATE, CKA_SERIAL_NUMBER, ANY, C | S},
	{CKO_CERTIFICATE, CKA_VALUE, ANY, C},
	{CKO_CERTIFICATE, CKA_URL, ANY, C},
	{CKO_CERTIFICATE, CKA_HASH_OF_SUBJECT_PUBLIC_KEY, ANY, C},
	{CKO_CERTIFICATE, CKA_HASH_OF_ISSUER_PUBLIC_KEY, ANY, C},
	{CKO_CERTIFICATE, CKA_JAVA_MIDP_SECURITY_DOMAIN, ULONG, C},
	{CKO_CERTIFICATE, CKA_NAME_HASH_ALGORITHM, ULONG, C},

	{KEY, CKA_KEY_TYPE, ULONG, C | G},
	{KEY, CKA_ID, ANY, C | G | S},
	{KEY, CKA_START_DATE, ANY, C | G | S},
	{KEY, CKA_END_DATE, ANY, C | G | S},
	{KEY, CKA_DERIVE, BOOL, C | G | S},
	{KEY, CKA_LOCAL, BOOL, 0},
	{KEY, CKA_KEY_GEN_MECHANISM, ULONG, 0},
	{KEY, CKA_SUBJECT, ANY, C | G | S},
	{KEY, CKA_MODULUS, ANY, C},
	{KEY, CKA_EC_PARAMS, ANY, C | G},
	{KEY, CKA_GOSTR3410_PARAMS, ANY, C | G},
	{KEY, CKA_GOSTR3411_PARAMS, ANY, C | G},
	{CKO_PUBLIC_KEY, CKA_EC_POINT, ANY, C},

	{CKO_PUBLIC_KEY, CKA_PUBLIC_EXPONENT, ANY, C | G},
	{CKO_PUBLIC_KEY, CKA_MODULUS_BITS, ULONG, G},
	{CKO_PUBLIC_KEY, CKA_ENCRYPT, BOOL, C | G | S},
	{CKO_PUBLIC_KEY, CKA_VERIFY, BOOL, C | G | S},
	{CKO_PUBLIC_KEY, CKA_VERIFY_RECOVER, BOOL, C | G | S},
	{CKO_PUBLIC_KEY, CKA_WRAP, BOOL, C | G | S},
	{CKO_PUBLIC_KEY, CKA_TRUSTED, BOOL, C | G | S},

	{CKO_PRIVATE_KEY, CKA_PUBLIC_EXPONENT, ANY, C},
	{CKO_PRIVATE_KEY, CKA_SENSITIVE, BOOL, C | G | S | ONCE_TRUE},
	{CKO_PRIVATE_KEY, CKA_DECRYPT, BOOL, C | G | S},
	{CKO_PRIVATE_KEY, CKA_SIGN, BOOL, C | G | S},
	{CKO_PRIVATE_KEY, CKA_SIGN_RECOVER, BOOL, C | G | S},
	{CKO_PRIVATE_KEY, CKA_UNWRAP, BOOL, C | G | S},
	{CKO_PRIVATE_KEY, CKA_EXTRACTABLE, BOOL, C | G | S | ONCE_FALSE},
	{CKO_PRIVATE_KEY, CKA_ALWAYS_SENSITIVE, BOOL, 0},
	{CKO_PRIVATE_KEY, CKA_NEVER_EXTRACTABLE, BOOL, 0},
	{CKO_PRIVATE_KEY, CKA_ALWAYS_AUTHENTICATE, BOOL, C | G},
	{CKO_PRIVATE_KEY, CKA_WRAP_WITH_TRUSTED, BOOL, C | G | S | ONCE_TRUE},
	{CKO_PRIVATE_KEY, CKA_PRIVATE_EXPONENT, ANY, C},
	{CKO_PRIVATE_KEY, CKA_PRIME_1, ANY, C},
	{CKO_PRIVATE_KEY, CKA_PRIME_2, ANY, C},
	{CKO_PRIVATE_KEY, CKA_EXPONENT_1, ANY, C},
	{CKO_PRIVATE_KEY, CKA_EXPONENT_2, ANY, C},
	{CKO_PRIVATE_KEY, CKA_COEFFICIENT, ANY, C},
};

#undef C
#undef G
#undef S
#undef K

static const struct row *
find(CK_OBJECT_CLASS cls, CK_ATTRIBUTE_TYPE type)
{
	int key = cls == CKO_PUBLIC_KEY || cls == CKO_PRIVATE_KEY;
	size_t i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		if (rows[i].type == type &&
		    (rows[i].cls == cls || rows[i].cls == ALL || (key && rows[i].cls == KEY)))
			return &rows[i];
	return NULL;
}

CK_RV
kzt_schema_check(CK_OBJECT_CLASS cls, const CK_ATTRIBUTE *a, unsigned use)
{
	const struct row *r = find(cls, a->type);

	if (r == NULL)
		return CKR_ATTRIBUTE_TYPE_INVALID;
	if (!(r->use & use))
		return CKR_ATTRIBUTE_READ_ONLY;
	if (a->pValue == NULL && a->ulValueLen > 0)
		return CKR_ATTRIBUTE_VALUE_INVALID;
	if (r->kind == BOOL &&
	    (a->ulValueLen != sizeof(CK_BBOOL) || *(const CK_BBOOL *)a->pValue > CK_TRUE))
		return CKR_ATTRIBUTE_VALUE_INVALID;
	if (r->kind == ULONG && a->ulValueLen != sizeof(CK_ULONG))
		return CKR_ATTRIBUTE_VALUE_INVALID;
	return CKR_OK;
}

CK_RV
kzt_schema_no_repeats(const CK_ATTRIBUTE *t, CK_ULONG n)
{
	CK_ULONG i, j;

	for (i = 0; i < n; i++)
		for (j = 0; j < i; j++)
			if (t[j].type == t[i].type)
				return CKR_TEMPLATE_INCONSISTENT;
	return CKR_OK;
}

CK_RV
kzt_schema_apply(CK_OBJECT_CLASS cls, kzt_attrs *l, const CK_ATTRIBUTE *t, CK_ULONG n, unsigned use)
{
	const struct row *r;
	CK_BBOOL now, locked;
	CK_ULONG i;
	CK_RV rv;

	if ((rv = kzt_schema_no_repeats(t, n)) != CKR_OK)
		return rv;
	for (i = 0; i < n; i++)
		if ((rv = kzt_schema_check(cls, &t[i], use)) != CKR_OK)
			return rv;
	for (i = 0; i < n; i++) {
		r = find(cls, t[i].type);
		if (r->use & (ONCE_TRUE | ONCE_FALSE)) {
			locked = (r->use & ONCE_TRUE) ? CK_TRUE : CK_FALSE;
			now = kzt_attrs_bool(l, t[i].type, !locked); /* absent: not yet locked */
			if (*(const CK_BBOOL *)t[i].pValue != now && now == locked)
				return CKR_ATTRIBUTE_READ_ONLY;
		}
		if (kzt_attrs_set(l, t[i].type, t[i].pValue, t[i].ulValueLen) != KZT_OK)
			return CKR_HOST_MEMORY;
	}
	return CKR_OK;
}
