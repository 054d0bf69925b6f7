/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* Any bytes as a command APDU: parsing never reads out of bounds, and what parses
 * re-encodes to an APDU that parses to the same fields. */
#include <stdlib.h>
#include <string.h>

#include "apdu.h"
#include "kzt_err.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t out[KZT_APDU_MAX_CMD];
	kzt_apdu a, b;
	kzt_buf buf;

	if (kzt_apdu_parse(data, size, &a) != KZT_OK)
		return 0;
	kzt_buf_init(&buf, out, sizeof(out));
	if (kzt_apdu_encode(&a, 1, &buf) != KZT_OK)
		abort();
	if (kzt_apdu_parse(out, buf.len, &b) != KZT_OK || b.lc != a.lc || b.le != a.le ||
	    b.ins != a.ins || (a.lc > 0 && memcmp(a.data, b.data, a.lc) != 0))
		abort();
	return 0;
}
