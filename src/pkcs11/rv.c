/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* The one table from internal statuses to CK_RV. */
#include <stddef.h>

#include "internal.h"
#include "kzt_err.h"

static const struct {
	int status;
	CK_RV rv;
} rv_table[] = {
	{KZT_OK, CKR_OK},
	{KZT_ERR_ARGS, CKR_ARGUMENTS_BAD},
	{KZT_ERR_NOMEM, CKR_HOST_MEMORY},
	{KZT_ERR_BUFFER, CKR_DEVICE_ERROR},  /* a card answer larger than the protocol allows */
	{KZT_ERR_PARSE, CKR_DEVICE_ERROR},   /* a malformed card answer */
	{KZT_ERR_IO, CKR_DEVICE_ERROR},
	{KZT_ERR_NO_CARD, CKR_DEVICE_REMOVED},
	{KZT_ERR_CARD, CKR_DEVICE_ERROR},
	{KZT_ERR_PIN_INCORRECT, CKR_PIN_INCORRECT},
	{KZT_ERR_PIN_LOCKED, CKR_PIN_LOCKED},
	{KZT_ERR_PIN_LEN, CKR_PIN_LEN_RANGE},
	{KZT_ERR_NOT_AUTH, CKR_USER_NOT_LOGGED_IN},
	{KZT_ERR_POLICY, CKR_ACTION_PROHIBITED},
	{KZT_ERR_NOT_SUPPORTED, CKR_FUNCTION_NOT_SUPPORTED},
	{KZT_ERR_NOT_FOUND, CKR_DEVICE_ERROR},
	{KZT_ERR_NO_SPACE, CKR_DEVICE_MEMORY},
	{KZT_ERR_STORE, CKR_DEVICE_ERROR},
	{KZT_ERR_DATA, CKR_DATA_INVALID},
	{KZT_ERR_RESET, CKR_USER_NOT_LOGGED_IN}, /* the reset ended the card's logins */
	{KZT_ERR_CANCELLED, CKR_CRYPTOKI_NOT_INITIALIZED},
	{KZT_ERR_TIMEOUT, CKR_NO_EVENT},
	{KZT_ERR_PROTOCOL, CKR_DEVICE_ERROR},
	{KZT_ERR_TOO_LARGE, CKR_ATTRIBUTE_VALUE_INVALID}, /* an object the card can never hold */
};

CK_RV
kzt_rv(int status)
{
	size_t i;

	for (i = 0; i < sizeof(rv_table) / sizeof(rv_table[0]); i++)
		if (rv_table[i].status == status)
			return rv_table[i].rv;
	return CKR_GENERAL_ERROR;
}
