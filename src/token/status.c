/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* The one table from KAZTOKEN status words to internal statuses; src/pkcs11/rv.c
 * continues it to CK_RV. */
#include <stddef.h>

#include "kzt_err.h"
#include "kzt_proto.h"
#include "token.h"

static const struct {
	uint16_t sw;
	int status;
} sw_table[] = {
	{KZT_SW_OK, KZT_OK},
	{KZT_SW_PIN_BLOCKED, KZT_ERR_PIN_LOCKED},
	{KZT_SW_SECURITY_STATUS, KZT_ERR_NOT_AUTH},
	{KZT_SW_NOT_ALLOWED, KZT_ERR_POLICY},
	{KZT_SW_CONDITIONS, KZT_ERR_POLICY}, /* e.g. a key whose flags forbid the use */
	{KZT_SW_WRONG_DATA, KZT_ERR_DATA},
	{KZT_SW_NOT_FOUND, KZT_ERR_NOT_FOUND},
	{KZT_SW_REF_NOT_FOUND, KZT_ERR_NOT_FOUND},
	{KZT_SW_NO_SPACE, KZT_ERR_NO_SPACE},
	{KZT_SW_MEMORY_FAILURE, KZT_ERR_CARD},
	{KZT_SW_FUNC_UNSUPPORTED, KZT_ERR_NOT_SUPPORTED},
	{KZT_SW_INS_UNSUPPORTED, KZT_ERR_NOT_SUPPORTED},
	{KZT_SW_CLA_UNSUPPORTED, KZT_ERR_NOT_SUPPORTED},
	{KZT_SW_CHAINING_UNSUPPORTED, KZT_ERR_NOT_SUPPORTED},
};

int
kzt_token_status_from_sw(uint16_t sw)
{
	size_t i;

	if ((sw & 0xFFF0) == KZT_SW_VERIFY_FAILED)
		return (sw & 0x0F) == 0 ? KZT_ERR_PIN_LOCKED : KZT_ERR_PIN_INCORRECT;
	for (i = 0; i < sizeof(sw_table) / sizeof(sw_table[0]); i++)
		if (sw_table[i].sw == sw)
			return sw_table[i].status;
	return KZT_ERR_CARD;
}
