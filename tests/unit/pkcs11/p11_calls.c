/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* The shared PKCS#11 test calls (see p11_calls.h). */
#include "p11_calls.h"

CK_SESSION_HANDLE
p11c_open(CK_FUNCTION_LIST_3_0 *p, CK_FLAGS flags)
{
	CK_SESSION_HANDLE h = CK_INVALID_HANDLE;

	assert_int_equal(p->C_OpenSession(0, CKF_SERIAL_SESSION | flags, NULL, NULL, &h), CKR_OK);
	return h;
}

CK_SESSION_HANDLE
p11c_user(CK_FUNCTION_LIST_3_0 *p, int init)
{
	CK_SESSION_HANDLE h;

	if (init)
		assert_int_equal(p->C_Initialize(NULL), CKR_OK);
	h = p11c_open(p, CKF_RW_SESSION);
	assert_int_equal(p->C_Login(h, CKU_USER, PIN(USER_PIN)), CKR_OK);
	return h;
}

void
p11c_generate(CK_FUNCTION_LIST_3_0 *p, CK_SESSION_HANDLE h, CK_ULONG bits, CK_BBOOL sign,
	      const char *label, CK_OBJECT_HANDLE *pub, CK_OBJECT_HANDLE *priv, CK_RV want)
{
	CK_BBOOL yes = CK_TRUE;
	CK_BYTE id[] = {0x42};
	CK_ATTRIBUTE pt[] = {{CKA_TOKEN, &yes, sizeof(yes)},
			     {CKA_MODULUS_BITS, &bits, sizeof(bits)},
			     {CKA_ID, id, sizeof(id)},
			     {CKA_LABEL, (void *)label, strlen(label)}};
	CK_ATTRIBUTE st[] = {{CKA_TOKEN, &yes, sizeof(yes)},
			     {CKA_SIGN, &sign, sizeof(sign)},
			     {CKA_ID, id, sizeof(id)},
			     {CKA_LABEL, (void *)label, strlen(label)}};
	CK_MECHANISM m = {CKM_RSA_PKCS_KEY_PAIR_GEN, NULL, 0};

	assert_int_equal(p->C_GenerateKeyPair(h, &m, pt, 4, st, 4, pub, priv), want);
}

CK_OBJECT_HANDLE
p11c_create_data(CK_FUNCTION_LIST_3_0 *p, CK_SESSION_HANDLE h, const char *label, const char *value,
		 CK_BBOOL token, CK_BBOOL priv, CK_RV want)
{
	CK_OBJECT_CLASS cls = CKO_DATA;
	CK_ATTRIBUTE t[] = {{CKA_CLASS, &cls, sizeof(cls)},
			    {CKA_TOKEN, &token, sizeof(token)},
			    {CKA_PRIVATE, &priv, sizeof(priv)},
			    {CKA_LABEL, (void *)label, strlen(label)},
			    {CKA_VALUE, (void *)value, strlen(value)}};
	CK_OBJECT_HANDLE o = CK_INVALID_HANDLE;

	assert_int_equal(p->C_CreateObject(h, t, 5, &o), want);
	return o;
}

CK_ULONG
p11c_count(CK_FUNCTION_LIST_3_0 *p, CK_SESSION_HANDLE h, CK_ATTRIBUTE *tmpl, CK_ULONG n,
	   CK_OBJECT_HANDLE *first)
{
	CK_OBJECT_HANDLE found[64];
	CK_ULONG count = 0;

	assert_int_equal(p->C_FindObjectsInit(h, tmpl, n), CKR_OK);
	assert_int_equal(p->C_FindObjects(h, found, 64, &count), CKR_OK);
	assert_int_equal(p->C_FindObjectsFinal(h), CKR_OK);
	if (count > 0 && first != NULL)
		*first = found[0];
	return count;
}

void
p11c_assert_label(CK_FUNCTION_LIST_3_0 *p, CK_SESSION_HANDLE h, CK_OBJECT_HANDLE o, const char *want)
{
	char label[64];
	CK_ATTRIBUTE t[] = {{CKA_LABEL, label, sizeof(label)}};

	assert_int_equal(p->C_GetAttributeValue(h, o, t, 1), CKR_OK);
	assert_int_equal(t[0].ulValueLen, strlen(want));
	assert_memory_equal(label, want, strlen(want));
}

CK_STATE
p11c_state(CK_FUNCTION_LIST_3_0 *p, CK_SESSION_HANDLE h)
{
	CK_SESSION_INFO si;

	assert_int_equal(p->C_GetSessionInfo(h, &si), CKR_OK);
	return si.state;
}

CK_RV
p11c_sign(CK_FUNCTION_LIST_3_0 *p, CK_SESSION_HANDLE h, CK_OBJECT_HANDLE priv)
{
	CK_MECHANISM m = {CKM_SHA256_RSA_PKCS, NULL, 0};
	CK_BYTE sig[512];
	CK_ULONG len = sizeof(sig);
	CK_RV rv = p->C_SignInit(h, &m, priv);

	return rv != CKR_OK ? rv : p->C_Sign(h, (CK_BYTE_PTR)"a document", 10, sig, &len);
}
