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
setup(void **state)
{
	fixture *t = calloc(1, sizeof(*t));
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
	t->p = iface->pFunctionList;
	*state = t;
	return 0;
}

int
p11_setup(void **state)
{
	setup(state);
	assert_int_equal(((fixture *)*state)->p->C_Initialize(NULL), CKR_OK);
	return 0;
}

int
teardown(void **state)
{
	fixture *t = *state;

	t->p->C_Finalize(NULL); /* may say "not initialised": that is fine here */
	kzt_slots_set_virtual(NULL, NULL);
	kzt_card_close(&t->card);
	free(t);
	return 0;
}
