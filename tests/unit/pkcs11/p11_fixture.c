/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* The in-process module fixture (see p11_fixture.h). */
#include <stdlib.h>

#include "internal.h"
#include "kzt_err.h"
#include "p11_fixture.h"

static kzt_transport *
make_transport(void *ctx)
{
	return loopback_transport(ctx);
}

int
p11_setup(void **state)
{
	p11 *t = calloc(1, sizeof(*t));
	CK_INTERFACE_PTR iface;

	assert_non_null(t);
	assert_int_equal(kzt_card_open(&t->card, NULL, NULL, 0), KZT_OK);
	t->lb.card = &t->card;
	t->lb.present = 1;
	/* no configuration file, no hardware readers: slot 0 is the card above */
	setenv("KAZTOKEN_CONF", "/dev/null", 1);
	setenv("KAZTOKEN_READERS", "none", 1);
	unsetenv("KAZTOKEN_SIM_SOCKET");
	kzt_slots_set_virtual(make_transport, &t->lb);
	assert_int_equal(C_GetInterface(NULL, NULL, &iface, 0), CKR_OK);
	t->f = iface->pFunctionList;
	assert_int_equal(t->f->C_Initialize(NULL), CKR_OK);
	*state = t;
	return 0;
}

int
p11_teardown(void **state)
{
	p11 *t = *state;

	t->f->C_Finalize(NULL);
	kzt_slots_set_virtual(NULL, NULL);
	kzt_card_close(&t->card);
	free(t);
	return 0;
}

CK_SESSION_HANDLE
p11_open(p11 *t, CK_FLAGS flags)
{
	CK_SESSION_HANDLE h = CK_INVALID_HANDLE;

	assert_int_equal(t->f->C_OpenSession(0, CKF_SERIAL_SESSION | flags, NULL, NULL, &h), CKR_OK);
	return h;
}

CK_SESSION_HANDLE
p11_user(p11 *t)
{
	CK_SESSION_HANDLE h = p11_open(t, CKF_RW_SESSION);

	assert_int_equal(t->f->C_Login(h, CKU_USER, PIN(USER_PIN)), CKR_OK);
	return h;
}

void
p11_keypair(p11 *t, CK_SESSION_HANDLE h, const char *label, CK_OBJECT_HANDLE *pub,
	    CK_OBJECT_HANDLE *priv)
{
	CK_MECHANISM gen = {CKM_RSA_PKCS_KEY_PAIR_GEN, NULL, 0};
	CK_ULONG bits = 2048;
	CK_BBOOL yes = CK_TRUE;
	CK_ATTRIBUTE pt[] = {{CKA_MODULUS_BITS, &bits, sizeof(bits)},
			     {CKA_TOKEN, &yes, sizeof(yes)},
			     {CKA_LABEL, (void *)label, strlen(label)}};
	CK_ATTRIBUTE st[] = {{CKA_TOKEN, &yes, sizeof(yes)}, {CKA_LABEL, (void *)label, strlen(label)}};

	assert_int_equal(t->f->C_GenerateKeyPair(h, &gen, pt, 3, st, 2, pub, priv), CKR_OK);
}

CK_OBJECT_HANDLE
p11_data(p11 *t, CK_SESSION_HANDLE h, int private_, const char *value)
{
	CK_OBJECT_CLASS cls = CKO_DATA;
	CK_BBOOL yes = CK_TRUE, priv = private_ ? CK_TRUE : CK_FALSE;
	CK_ATTRIBUTE tmpl[] = {{CKA_CLASS, &cls, sizeof(cls)},
			       {CKA_TOKEN, &yes, sizeof(yes)},
			       {CKA_PRIVATE, &priv, sizeof(priv)},
			       {CKA_VALUE, (void *)value, strlen(value)}};
	CK_OBJECT_HANDLE o = CK_INVALID_HANDLE;

	assert_int_equal(t->f->C_CreateObject(h, tmpl, 4, &o), CKR_OK);
	return o;
}

CK_ULONG
p11_count(p11 *t, CK_SESSION_HANDLE h, CK_ATTRIBUTE *tmpl, CK_ULONG n)
{
	CK_OBJECT_HANDLE found[64];
	CK_ULONG count = 0;

	assert_int_equal(t->f->C_FindObjectsInit(h, tmpl, n), CKR_OK);
	assert_int_equal(t->f->C_FindObjects(h, found, 64, &count), CKR_OK);
	assert_int_equal(t->f->C_FindObjectsFinal(h), CKR_OK);
	return count;
}

CK_STATE
p11_state(p11 *t, CK_SESSION_HANDLE h)
{
	CK_SESSION_INFO si;

	assert_int_equal(t->f->C_GetSessionInfo(h, &si), CKR_OK);
	return si.state;
}
