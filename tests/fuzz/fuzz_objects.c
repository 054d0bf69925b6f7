/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* Bytes from a card or a caller as an attribute blob and as a certificate: the
 * parsers stay in bounds; a blob that decodes re-encodes to the same bytes; the
 * certificate fields found lie inside the input. */
#include <stdlib.h>
#include <string.h>

#include "attr.h"
#include "kzt_err.h"
#include "x509.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t again[1 << 17];
	kzt_attrs l = {0};
	kzt_x509_fields f;
	size_t n;

	if (kzt_attrs_decode(data, size, &l) == KZT_OK) {
		if (kzt_attrs_encode(&l, NULL, again, sizeof(again), &n) != KZT_OK)
			abort();
		/* canonical except for 4-byte numbers, which decode and encode alike */
		if (n != size || memcmp(again, data, n) != 0)
			abort();
	}
	kzt_attrs_free(&l);
	if (kzt_x509_fields_get(data, size, &f) == KZT_OK) {
		if (f.subject < data || f.subject + f.subject_len > data + size || f.issuer < data ||
		    f.issuer + f.issuer_len > data + size || f.serial < data ||
		    f.serial + f.serial_len > data + size)
			abort();
	}
	return 0;
}
