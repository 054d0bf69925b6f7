/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* Wiping secrets and comparing them without a secret-dependent time. */
#ifndef KZT_SECMEM_H
#define KZT_SECMEM_H

#include <stddef.h>
#include <stdint.h>

/* Overwrite n bytes at p with zeros in a way the compiler may not elide. */
void kzt_secure_zero(void *p, size_t n);
/* 0 when a and b (n bytes each) are equal; time depends on n only. */
int kzt_ct_memcmp(const void *a, const void *b, size_t n);

#endif
