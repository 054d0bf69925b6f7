/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* The function lists and the PKCS#11 3.0 interfaces: "PKCS 11" 3.0 and 2.40, and
 * "Vendor KAZTOKEN". Callable before C_Initialize, as the specification requires. */
#include <string.h>

#include "internal.h"
#include "kaztoken/vendor.h"

#define KZT_P11_ENTRY_(name, args) name,
static CK_FUNCTION_LIST function_list_2_40 = {
	{2, 40},
	KZT_P11_FUNCTIONS_2_40(KZT_P11_ENTRY_)
};
static CK_FUNCTION_LIST_3_0 function_list_3_0 = {
	{3, 0},
	KZT_P11_FUNCTIONS_2_40(KZT_P11_ENTRY_)
	KZT_P11_FUNCTIONS_3_0(KZT_P11_ENTRY_)
};
#undef KZT_P11_ENTRY_

/* The vendor interface's function list lives in vendor.c. */
extern CK_KAZTOKEN_FUNCTION_LIST kzt_vendor_function_list;

static CK_INTERFACE interfaces[] = {
	{(CK_CHAR *)"PKCS 11", &function_list_3_0, 0},
	{(CK_CHAR *)"PKCS 11", &function_list_2_40, 0},
	{(CK_CHAR *)KZT_VENDOR_INTERFACE_NAME, &kzt_vendor_function_list, 0},
};
#define N_INTERFACES (sizeof(interfaces) / sizeof(interfaces[0]))

/* Callable before C_Initialize, as the specification requires. */
CK_DEFINE_FUNCTION(CK_RV, C_GetFunctionList)(CK_FUNCTION_LIST_PTR_PTR ppFunctionList)
{
	if (ppFunctionList == NULL)
		return CKR_ARGUMENTS_BAD;
	*ppFunctionList = &function_list_2_40;
	return CKR_OK;
}

CK_DEFINE_FUNCTION(CK_RV, C_GetInterfaceList)(CK_INTERFACE_PTR pInterfacesList,
					      CK_ULONG_PTR pulCount)
{
	CK_ULONG have;

	if (pulCount == NULL)
		return CKR_ARGUMENTS_BAD;
	have = *pulCount;
	*pulCount = N_INTERFACES;
	if (pInterfacesList == NULL)
		return CKR_OK;
	if (have < N_INTERFACES)
		return CKR_BUFFER_TOO_SMALL;
	memcpy(pInterfacesList, interfaces, sizeof(interfaces));
	return CKR_OK;
}

CK_DEFINE_FUNCTION(CK_RV, C_GetInterface)(CK_UTF8CHAR_PTR pInterfaceName, CK_VERSION_PTR pVersion,
					  CK_INTERFACE_PTR_PTR ppInterface, CK_FLAGS flags)
{
	const char *want = pInterfaceName != NULL ? (const char *)pInterfaceName : "PKCS 11";
	size_t i;

	if (ppInterface == NULL)
		return CKR_ARGUMENTS_BAD;
	*ppInterface = NULL;
	/* The first match wins, so with no version asked the newest list is returned. */
	for (i = 0; i < N_INTERFACES; i++) {
		const CK_VERSION *v = interfaces[i].pFunctionList;
		if (strcmp((const char *)interfaces[i].pInterfaceName, want) != 0)
			continue;
		if (pVersion != NULL &&
		    (v->major != pVersion->major || v->minor != pVersion->minor))
			continue;
		if ((interfaces[i].flags & flags) != flags)
			continue;
		*ppInterface = &interfaces[i];
		return CKR_OK;
	}
	return CKR_ARGUMENTS_BAD;
}
