/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* The module over an in-process card, for the harnesses (inproc.h). */
#define _POSIX_C_SOURCE 200809L /* setenv */
#include <stdlib.h>
#include <string.h>

#include "inproc.h"
#include "kzt_err.h"

static kzt_transport *
make_transport(void *ctx)
{
	return loopback_transport(ctx);
}

CK_FUNCTION_LIST_3_0 *
inproc_module(void)
{
	static CK_FUNCTION_LIST_3_0 *p11;
	CK_INTERFACE_PTR iface;

	if (p11 == NULL) {
		setenv("KAZTOKEN_CONF", "/dev/null", 1);
		setenv("KAZTOKEN_READERS", "none", 1);
		unsetenv("KAZTOKEN_SIM_SOCKET");
		if (C_GetInterface(NULL, NULL, &iface, 0) != CKR_OK)
			abort();
		p11 = iface->pFunctionList;
	}
	return p11;
}

void
inproc_begin(kzt_card *card, loopback *lb)
{
	CK_FUNCTION_LIST_3_0 *p11 = inproc_module();

	if (kzt_card_open(card, NULL, NULL, 0) != KZT_OK)
		abort();
	memset(lb, 0, sizeof(*lb));
	lb->card = card;
	lb->present = 1;
	kzt_slots_set_virtual(make_transport, lb);
	p11->C_Initialize(NULL);
}

void
inproc_end(kzt_card *card)
{
	inproc_module()->C_Finalize(NULL);
	kzt_slots_set_virtual(NULL, NULL);
	kzt_card_close(card);
}
