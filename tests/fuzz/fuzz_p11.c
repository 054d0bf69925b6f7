/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* Bytes as a program of PKCS#11 calls against the module over an in-process card:
 * sessions opened and closed, logins with the right and wrong PIN, objects made
 * from random templates, searches, attribute reads into buffers of random sizes,
 * changes, deletions, signatures with random handles and mechanisms, the card
 * pulled and put back, the module finalised and initialised again. Nothing may
 * crash or leak, an attribute read never says more than its buffer holds, and a
 * session that is not logged in never finds a private object. */
#include <stdlib.h>
#include <string.h>

#include "card_rsa.h"
#include "inproc.h"
#include "kaztoken/vendor.h"
#include "kzt_err.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define SESSIONS 4
#define OBJECTS 16

typedef struct prog {
	const uint8_t *p;
	size_t n;
} prog;

static uint8_t
next(prog *g)
{
	if (g->n == 0)
		return 0;
	g->n--;
	return *g->p++;
}

static CK_FUNCTION_LIST_3_0 *p11;
static kzt_rsa_key key; /* one real key, made once: random bytes make none */

static void
setup_once(void)
{
	p11 = inproc_module();
	if (kzt_card_rsa_generate(2048, (const uint8_t *)"\x01\x00\x01", 3, &key) != KZT_OK)
		abort();
}

/* A template of up to 4 attributes from the program; values point into buf. */
static CK_ULONG
template(prog *g, CK_ATTRIBUTE *t, uint8_t *buf, size_t cap)
{
	static const CK_ATTRIBUTE_TYPE types[] = {CKA_CLASS,	     CKA_TOKEN,	  CKA_PRIVATE, CKA_LABEL,
						  CKA_ID,	     CKA_VALUE,	  CKA_MODIFIABLE, CKA_SUBJECT,
						  CKA_CERTIFICATE_TYPE, CKA_KEY_TYPE, CKA_SIGN,  CKA_APPLICATION};
	CK_ULONG n = next(g) % 5, i;
	size_t used = 0, len;

	for (i = 0; i < n; i++) {
		uint8_t b = next(g);

		t[i].type = b < 240 ? types[b % (sizeof(types) / sizeof(types[0]))] : (CK_ATTRIBUTE_TYPE)next(g);
		len = next(g) % 24;
		if (b % 3 == 0) /* a CK_ULONG or a CK_BBOOL, as most such attributes are */
			len = b % 2 ? sizeof(CK_ULONG) : 1;
		if (len > cap - used)
			len = cap - used;
		memset(buf + used, 0, len);
		if (len == sizeof(CK_ULONG)) {
			CK_ULONG v = next(g) % 8;
			memcpy(buf + used, &v, sizeof(v));
		} else {
			size_t k;
			for (k = 0; k < len; k++)
				buf[used + k] = next(g);
		}
		t[i].pValue = len > 0 ? buf + used : NULL;
		t[i].ulValueLen = len;
		used += len;
	}
	return n;
}

/* The fixed key, imported as a private key object. */
static void
import_key(CK_SESSION_HANDLE h, CK_OBJECT_HANDLE *o)
{
	CK_OBJECT_CLASS cls = CKO_PRIVATE_KEY;
	CK_KEY_TYPE kt = CKK_RSA;
	CK_BBOOL yes = CK_TRUE;
	CK_ATTRIBUTE t[] = {{CKA_CLASS, &cls, sizeof(cls)},	 {CKA_KEY_TYPE, &kt, sizeof(kt)},
			    {CKA_TOKEN, &yes, sizeof(yes)},	 {CKA_SIGN, &yes, sizeof(yes)},
			    {CKA_MODULUS, key.n, key.n_len},	 {CKA_PUBLIC_EXPONENT, key.e, key.e_len},
			    {CKA_PRIVATE_EXPONENT, key.d, key.d_len}, {CKA_PRIME_1, key.p, key.p_len},
			    {CKA_PRIME_2, key.q, key.q_len},	 {CKA_EXPONENT_1, key.dp, key.dp_len},
			    {CKA_EXPONENT_2, key.dq, key.dq_len}, {CKA_COEFFICIENT, key.qinv, key.qinv_len}};

	p11->C_CreateObject(h, t, sizeof(t) / sizeof(t[0]), o);
}

/* An EC key pair made on the card: P-256 or CryptoPro A (GOST), as a token or
 * a session object. */
static void
ec_key_pair(CK_SESSION_HANDLE h, uint8_t how, CK_OBJECT_HANDLE *pub, CK_OBJECT_HANDLE *priv)
{
	static const CK_BYTE p256[] = {0x06, 0x08, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07},
			     cp_a[] = {0x06, 0x07, 0x2A, 0x85, 0x03, 0x02, 0x02, 0x23, 0x01};
	CK_BBOOL token = how & 2 ? CK_TRUE : CK_FALSE, yes = CK_TRUE;
	int gost = how & 1;
	CK_MECHANISM m = {gost ? CKM_GOSTR3410_KEY_PAIR_GEN : CKM_EC_KEY_PAIR_GEN, NULL, 0};
	CK_ATTRIBUTE pt[] = {{gost ? CKA_GOSTR3410_PARAMS : CKA_EC_PARAMS, (void *)(gost ? cp_a : p256),
			      gost ? sizeof(cp_a) : sizeof(p256)},
			     {CKA_TOKEN, &token, sizeof(token)}};
	CK_ATTRIBUTE st[] = {{CKA_TOKEN, &token, sizeof(token)}, {CKA_SIGN, &yes, sizeof(yes)}};

	p11->C_GenerateKeyPair(h, &m, pt, 2, st, 2, pub, priv);
}

/* In a session that is not logged in, nothing found may be private. */
static void
check_public(CK_SESSION_HANDLE h, const CK_OBJECT_HANDLE *found, CK_ULONG n)
{
	CK_SESSION_INFO si;
	CK_BBOOL priv;
	CK_ULONG i;

	if (p11->C_GetSessionInfo(h, &si) != CKR_OK ||
	    (si.state != CKS_RO_PUBLIC_SESSION && si.state != CKS_RW_PUBLIC_SESSION))
		return;
	for (i = 0; i < n; i++) {
		CK_ATTRIBUTE a = {CKA_PRIVATE, &priv, sizeof(priv)};

		if (p11->C_GetAttributeValue(h, found[i], &a, 1) == CKR_OK && priv)
			abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready;
	CK_SESSION_HANDLE s[SESSIONS] = {0};
	CK_OBJECT_HANDLE o[OBJECTS] = {0}, found[OBJECTS];
	CK_ATTRIBUTE t[4];
	CK_MECHANISM mech;
	CK_ULONG n, len;
	uint8_t buf[128], out[600];
	prog g = {data, size};
	kzt_card card;
	loopback lb;
	int steps = 0;

	if (!ready) {
		setup_once();
		ready = 1;
	}
	inproc_begin(&card, &lb);
	while (g.n > 0 && steps++ < 64) {
		uint8_t op = next(&g), a = next(&g);
		CK_SESSION_HANDLE h = s[a % SESSIONS];
		CK_OBJECT_HANDLE x = a >= 240 ? (CK_OBJECT_HANDLE)next(&g) : o[a % OBJECTS];

		switch (op % 16) {
		case 0:
			p11->C_OpenSession(0, CKF_SERIAL_SESSION | (a & 1 ? CKF_RW_SESSION : 0), NULL, NULL,
					   &s[a % SESSIONS]);
			break;
		case 1: p11->C_CloseSession(h); break;
		case 2:
			if (a & 1)
				p11->C_Login(h, CKU_USER, (CK_UTF8CHAR_PTR) "12345678", 8);
			else
				p11->C_Login(h, a & 2 ? CKU_SO : CKU_USER, (CK_UTF8CHAR_PTR) "00000000", 8);
			break;
		case 3: p11->C_Logout(h); break;
		case 4:
			n = template(&g, t, buf, sizeof(buf));
			p11->C_CreateObject(h, t, n, &o[next(&g) % OBJECTS]);
			break;
		case 5:
			n = template(&g, t, buf, sizeof(buf));
			if (p11->C_FindObjectsInit(h, t, n) == CKR_OK) {
				if (p11->C_FindObjects(h, found, OBJECTS, &len) == CKR_OK) {
					if (len > OBJECTS)
						abort();
					memcpy(o, found, len * sizeof(found[0]));
					check_public(h, found, len);
				}
				p11->C_FindObjectsFinal(h);
			}
			break;
		case 6: {
			CK_ULONG cap = next(&g) % sizeof(out);

			n = template(&g, t, buf, sizeof(buf));
			if (n > 0) {
				t[0].pValue = next(&g) & 1 ? out : NULL;
				t[0].ulValueLen = cap;
			}
			if (p11->C_GetAttributeValue(h, x, t, n) == CKR_OK && n > 0 && t[0].pValue != NULL &&
			    t[0].ulValueLen != CK_UNAVAILABLE_INFORMATION && t[0].ulValueLen > cap)
				abort();
			break;
		}
		case 7:
			n = template(&g, t, buf, sizeof(buf));
			p11->C_SetAttributeValue(h, x, t, n);
			break;
		case 8: p11->C_DestroyObject(h, x); break;
		case 9: {
			static const CK_MECHANISM_TYPE mechs[] = {
				CKM_RSA_PKCS, CKM_SHA256_RSA_PKCS, CKM_SHA1_RSA_PKCS, CKM_RSA_X_509, CKM_SHA256_RSA_PKCS_PSS,
				CKM_ECDSA, CKM_ECDSA_SHA384, CKM_GOSTR3410, CKM_GOSTR3410_WITH_GOSTR3411_12_256, 0x4242};
			mech.mechanism = mechs[next(&g) % (sizeof(mechs) / sizeof(mechs[0]))];
			mech.pParameter = NULL;
			mech.ulParameterLen = 0;
			len = sizeof(out);
			if (p11->C_SignInit(h, &mech, x) == CKR_OK)
				p11->C_Sign(h, buf, next(&g) % 64, next(&g) & 1 ? out : NULL, &len);
			break;
		}
		case 10: lb.present = !lb.present; break;
		case 11:
			p11->C_Finalize(NULL);
			p11->C_Initialize(NULL);
			break;
		case 12: p11->C_GenerateRandom(h, out, next(&g) % 300); break;
		case 13: {
			CK_TOKEN_INFO ti;
			p11->C_GetTokenInfo(0, &ti);
			break;
		}
		case 14:
			if (a & 1)
				import_key(h, &o[a % OBJECTS]);
			else
				ec_key_pair(h, next(&g), &o[a % OBJECTS], &o[(a + 1) % OBJECTS]);
			break;
		default: {
			CK_SESSION_INFO si;
			p11->C_GetSessionInfo(h, &si);
			break;
		}
		}
	}
	inproc_end(&card);
	return 0;
}
