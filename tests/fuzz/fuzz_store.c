/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* Any bytes as a store file: decoding refuses or yields a state that encodes and
 * decodes back to itself. Inputs starting with '!' are taken as a payload and
 * given a correct header and checksum, so the record parser behind the CRC is
 * fuzzed as well as the header checks. */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "card.h"
#include "kzt_err.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define HEADER 20

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t wrapped[1 << 17];
	static kzt_card_state st, back;
	uint8_t *img, *img2;
	kzt_buf b;
	size_t n, n2, cap;

	if (size > 0 && data[0] == '!' && size - 1 + HEADER <= sizeof(wrapped)) {
		kzt_buf_init(&b, wrapped, sizeof(wrapped));
		kzt_buf_put(&b, "KZTSTORE", 8);
		kzt_buf_put_u16(&b, 1);
		kzt_buf_put_u16(&b, 0);
		kzt_buf_put_u32(&b, (uint32_t)(size - 1));
		kzt_buf_put_u32(&b, kzt_store_crc32(data + 1, size - 1));
		kzt_buf_put(&b, data + 1, size - 1);
		data = wrapped;
		size = b.len;
	}
	if (kzt_store_decode(data, size, &st, NULL, 0) != KZT_OK)
		return 0;
	/* The state must survive a save and load: same encoding both times. */
	cap = kzt_store_encoded_max(&st);
	img = malloc(cap);
	img2 = malloc(cap);
	if (img == NULL || img2 == NULL || kzt_store_encode(&st, img, cap, &n) != KZT_OK ||
	    kzt_store_decode(img, n, &back, NULL, 0) != KZT_OK ||
	    kzt_store_encode(&back, img2, cap, &n2) != KZT_OK || n != n2 || memcmp(img, img2, n) != 0)
		abort();
	kzt_card_objects_clear(&st);
	kzt_card_objects_clear(&back);
	free(img);
	free(img2);
	return 0;
}
