/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* Bytes as a file given to `kaztoken-tool import`: a PKCS#12 file (with or without
 * a password and a MAC), else a certificate in DER or PEM. The tool's own import
 * code runs, through the module, on a fresh in-process card for each input. Nothing
 * may crash or leak, and whatever the outcome the card holds the whole import or
 * nothing of it: a key pair always with its certificate, never a half. */
#define _POSIX_C_SOURCE 200809L /* setenv */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "card.h"
#include "internal.h"
#include "kzt_err.h"
#include "loopback.h"
#include "tool.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static CK_FUNCTION_LIST_3_0 *p11;

static kzt_transport *
make_transport(void *ctx)
{
	return loopback_transport(ctx);
}

static void
setup_once(void)
{
	CK_INTERFACE_PTR iface;

	setenv("KAZTOKEN_CONF", "/dev/null", 1);
	setenv("KAZTOKEN_READERS", "none", 1);
	unsetenv("KAZTOKEN_SIM_SOCKET");
	/* the seed files' password ("fuzz") and the factory user PIN */
	setenv("KZT_FUZZ_PASSWORD", "fuzz", 1);
	setenv("KZT_FUZZ_PIN", "12345678", 1);
	if (C_GetInterface(NULL, NULL, &iface, 0) != CKR_OK)
		abort();
	p11 = iface->pFunctionList;
	/* the tool's messages are not the fuzzer's */
	if (freopen("/dev/null", "w", stdout) == NULL)
		abort();
}

/* How many objects of a class the card holds (as the logged-in user sees them). */
static CK_ULONG
count(CK_SESSION_HANDLE h, CK_OBJECT_CLASS cls)
{
	CK_ATTRIBUTE t = {CKA_CLASS, &cls, sizeof(cls)};
	CK_OBJECT_HANDLE found[32];
	CK_ULONG n = 0;

	if (p11->C_FindObjectsInit(h, &t, 1) != CKR_OK)
		abort();
	if (p11->C_FindObjects(h, found, 32, &n) != CKR_OK)
		abort();
	p11->C_FindObjectsFinal(h);
	return n;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready;
	kt_opts o;
	kt_ctx c;
	kzt_card card;
	loopback lb;
	CK_ULONG keys, pubs, certs;
	int rc;

	if (!ready) {
		setup_once();
		ready = 1;
	}
	if (kzt_card_open(&card, NULL, NULL, 0) != KZT_OK)
		abort();
	memset(&lb, 0, sizeof(lb));
	lb.card = &card;
	lb.present = 1;
	kzt_slots_set_virtual(make_transport, &lb);
	memset(&o, 0, sizeof(o));
	o.token = -1;
	o.pin_env = "KZT_FUZZ_PIN";
	o.password_env = "KZT_FUZZ_PASSWORD";
	memset(&c, 0, sizeof(c));
	c.o = &o;
	c.p = p11;
	c.h = CK_INVALID_HANDLE;
	if (p11->C_Initialize(NULL) != CKR_OK || kt_select(&c) != KT_OK || kt_open(&c, 1) != KT_OK)
		abort();
	rc = kt_import(&c, data, size, "input");
	/* all of it or nothing */
	if (p11->C_Login(c.h, CKU_USER, (CK_UTF8CHAR_PTR) "12345678", 8) != CKR_OK &&
	    p11->C_Login(c.h, CKU_USER, (CK_UTF8CHAR_PTR) "12345678", 8) != CKR_USER_ALREADY_LOGGED_IN)
		abort();
	keys = count(c.h, CKO_PRIVATE_KEY);
	pubs = count(c.h, CKO_PUBLIC_KEY);
	certs = count(c.h, CKO_CERTIFICATE);
	if (rc == KT_OK ? !(keys == 1 && pubs == 1 && certs >= 1) : keys + pubs + certs != 0)
		abort();
	p11->C_Finalize(NULL);
	kzt_slots_set_virtual(NULL, NULL);
	kzt_card_close(&card);
	return 0;
}
