/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* Calls every PKCS#11 test makes, on a function list: the in-process tests
 * (p11_fixture.h) and those that load the built module (tests/integration)
 * share them. Each asserts its own answer. The short names take a fixture f
 * with the function list in f->p. */
#ifndef KZT_TEST_P11_CALLS_H
#define KZT_TEST_P11_CALLS_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "kaztoken/pkcs11.h"

#define PIN(s) (CK_UTF8CHAR_PTR)(s), (CK_ULONG)strlen(s)
#define NAME(s) (CK_UTF8CHAR_PTR)(s)
#define USER_PIN "12345678"

/* A session on slot 0 (flags besides CKF_SERIAL_SESSION). */
CK_SESSION_HANDLE p11c_open(CK_FUNCTION_LIST_3_0 *p, CK_FLAGS flags);
/* A R/W session with the user logged in; with init, C_Initialize first. */
CK_SESSION_HANDLE p11c_user(CK_FUNCTION_LIST_3_0 *p, int init);
/* An RSA key pair made on the card (bits; sign: the private key's CKA_SIGN;
 * label; both CKA_ID 42), the generation answering want. */
void p11c_generate(CK_FUNCTION_LIST_3_0 *p, CK_SESSION_HANDLE h, CK_ULONG bits, CK_BBOOL sign,
		   const char *label, CK_OBJECT_HANDLE *pub, CK_OBJECT_HANDLE *priv, CK_RV want);
/* A data object (on the token or not, private or not), the creation answering want. */
CK_OBJECT_HANDLE p11c_create_data(CK_FUNCTION_LIST_3_0 *p, CK_SESSION_HANDLE h, const char *label,
				  const char *value, CK_BBOOL token, CK_BBOOL priv, CK_RV want);
/* How many objects a search with this template finds (the first into *first). */
CK_ULONG p11c_count(CK_FUNCTION_LIST_3_0 *p, CK_SESSION_HANDLE h, CK_ATTRIBUTE *tmpl, CK_ULONG n,
		    CK_OBJECT_HANDLE *first);
/* The object's label is want. */
void p11c_assert_label(CK_FUNCTION_LIST_3_0 *p, CK_SESSION_HANDLE h, CK_OBJECT_HANDLE o,
		       const char *want);
/* The session's state (CKS_*). */
CK_STATE p11c_state(CK_FUNCTION_LIST_3_0 *p, CK_SESSION_HANDLE h);
/* A SHA-256 PKCS#1 v1.5 signature with priv: the first answer other than CKR_OK
 * of C_SignInit and C_Sign. */
CK_RV p11c_sign(CK_FUNCTION_LIST_3_0 *p, CK_SESSION_HANDLE h, CK_OBJECT_HANDLE priv);

#define open_session(f, flags) p11c_open((f)->p, flags)
#define user_session(f) p11c_user((f)->p, 1)
#define p11_user(f) p11c_user((f)->p, 0)
#define generate(f, h, bits, sign, pub, priv, want) p11c_generate((f)->p, h, bits, sign, "", pub, priv, want)
#define p11_keypair(f, h, label, pub, priv) p11c_generate((f)->p, h, 2048, CK_TRUE, label, pub, priv, CKR_OK)
#define create_data(f, h, label, value, token, priv, want) \
	p11c_create_data((f)->p, h, label, value, token, priv, want)
#define p11_data(f, h, priv, value) p11c_create_data((f)->p, h, "", value, CK_TRUE, (CK_BBOOL)(priv), CKR_OK)
#define p11_count(f, h, tmpl, n) p11c_count((f)->p, h, tmpl, n, NULL)
#define find_by_label(f, h, label, first) \
	p11c_count((f)->p, h, (CK_ATTRIBUTE[]){{CKA_LABEL, (void *)(label), strlen(label)}}, 1, first)
#define assert_label(f, h, o, want) p11c_assert_label((f)->p, h, o, want)
#define p11_state(f, h) p11c_state((f)->p, h)
#define sign(f, h, priv) p11c_sign((f)->p, h, priv)

#endif
