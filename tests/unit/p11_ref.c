/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* The reference table evaluated against p11-kit's header (standard names). */
#define CRYPTOKI_COMPAT 1
#include <p11-kit/pkcs11.h>
#define P11_TABLE_NAME p11_ref
#include "p11_body.h"
