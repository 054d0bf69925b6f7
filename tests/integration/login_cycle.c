/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* C_Initialize -> C_OpenSession -> C_Login -> C_GetTokenInfo -> C_Finalize, twice,
 * then dlclose: run under valgrind to show the module leaks nothing. */
#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

#include "simctl.h"

static int
cycle(CK_FUNCTION_LIST_3_0 *p)
{
	CK_SESSION_HANDLE h;
	CK_TOKEN_INFO ti;

	if (p->C_Initialize(NULL) != CKR_OK ||
	    p->C_OpenSession(0, CKF_SERIAL_SESSION, NULL, NULL, &h) != CKR_OK ||
	    p->C_Login(h, CKU_USER, (CK_UTF8CHAR_PTR) "12345678", 8) != CKR_OK ||
	    p->C_GetTokenInfo(0, &ti) != CKR_OK || p->C_Finalize(NULL) != CKR_OK)
		return 1;
	return 0;
}

int
main(void)
{
	CK_FUNCTION_LIST_3_0 *p;
	void *handle;
	simctl sim;
	int rc;

	simctl_init(&sim);
	simctl_start(&sim);
	p = module_load(&handle);
	rc = cycle(p) || cycle(p);
	dlclose(handle);
	simctl_cleanup(&sim);
	printf("login cycle: %s\n", rc == 0 ? "ok" : "FAILED");
	return rc;
}
