/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* The reference table evaluated against our header. */
#include "kaztoken/pkcs11.h"
#define P11_TABLE_NAME p11_ours
#include "p11_body.h"
