/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* Random bytes from the operating system's generator: getrandom (Linux),
 * getentropy (macOS and other POSIX systems), BCryptGenRandom (Windows). */
#ifndef KZT_OS_RANDOM_H
#define KZT_OS_RANDOM_H

#include <stddef.h>
#include <stdint.h>

/* n random bytes: KZT_OK or KZT_ERR_IO. */
int kzt_os_random(uint8_t *out, size_t n);

#endif
