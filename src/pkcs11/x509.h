/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* The fields of an X.509 certificate that PKCS#11 exposes as attributes, found
 * with the project's own DER reader (no crypto library needed). */
#ifndef KZT_X509_H
#define KZT_X509_H

#include <stddef.h>
#include <stdint.h>

#include "kaztoken/pkcs11.h"

typedef struct kzt_x509_fields {
	const uint8_t *subject, *issuer, *serial; /* DER, each with its tag and length */
	size_t subject_len, issuer_len, serial_len;
	CK_DATE start, end; /* from the validity, YYYYMMDD */
} kzt_x509_fields;

/* Parse der (the whole certificate, nothing after it). The pointers point into
 * der. KZT_ERR_PARSE when it is not a well-formed certificate. */
int kzt_x509_fields_get(const uint8_t *der, size_t len, kzt_x509_fields *f);

#endif
