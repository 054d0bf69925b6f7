/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* Any bytes as a BER-TLV sequence, descending into constructed elements: the
 * reader stays in bounds and always makes progress. */
#include <stdlib.h>

#include "kzt_err.h"
#include "tlv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
walk(const uint8_t *p, size_t n, int depth)
{
	kzt_tlv t;

	while (n > 0) {
		size_t before = n;
		if (kzt_tlv_next(&p, &n, &t) != KZT_OK)
			return;
		if (n >= before)
			abort(); /* no progress */
		if (depth < 8 && kzt_tlv_is_constructed(t.tag))
			walk(t.val, t.len, depth + 1);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	kzt_tlv t;

	walk(data, size, 0);
	(void)kzt_tlv_find(data, size, 0xE1, &t);
	return 0;
}
