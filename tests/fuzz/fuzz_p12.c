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

#include "inproc.h"
#include "kzt_err.h"
#include "tool.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static CK_FUNCTION_LIST_3_0 *p11;

static void
setup_once(void)
{
	p11 = inproc_module();
	/* the seed files' password ("fuzz") and the factory user PIN */
	setenv("KZT_FUZZ_PASSWORD", "fuzz", 1);
	setenv("KZT_FUZZ_PIN", "12345678", 1);
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
	inproc_begin(&card, &lb);
	memset(&o, 0, sizeof(o));
	o.token = -1;
	o.pin_env = "KZT_FUZZ_PIN";
	o.password_env = "KZT_FUZZ_PASSWORD";
	memset(&c, 0, sizeof(c));
	c.o = &o;
	c.p = p11;
	c.h = CK_INVALID_HANDLE;
	if (kt_select(&c) != KT_OK || kt_open(&c, 1) != KT_OK)
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
	inproc_end(&card);
	return 0;
}
