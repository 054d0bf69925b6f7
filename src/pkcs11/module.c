/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* The module's one instance of its state (internal.h says which lock guards what),
 * and the blank-padded field writer every information call uses. */
#include <string.h>

#include "internal.h"

kzt_module kzt_mod;

void
kzt_pad(CK_UTF8CHAR *field, size_t n, const char *s, size_t len)
{
	memset(field, ' ', n);
	memcpy(field, s, len < n ? len : n);
}
