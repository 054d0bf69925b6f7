/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* Diagnostics: level 0 (off) to 3 (APDU trace), to stderr or a file. Callers never
 * pass PINs or key bytes here; the APDU trace redacts them (src/transport). */
#ifndef KZT_LOG_H
#define KZT_LOG_H

#include <stddef.h>
#include <stdint.h>

#define KZT_LOG_ERROR 1
#define KZT_LOG_INFO 2
#define KZT_LOG_TRACE 3

/* Set the level and, when path is non-NULL and non-empty, append to that file
 * instead of stderr. Safe to call again (e.g. after C_Finalize). */
void kzt_log_configure(int level, const char *path);
/* Close a log file opened by kzt_log_configure. */
void kzt_log_close(void);
int kzt_log_level(void);

#if defined(__MINGW32__) /* (C99 formats, from mingw's own stdio: see the toolchain file) */
__attribute__((format(gnu_printf, 2, 3)))
#elif defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
void kzt_log(int level, const char *fmt, ...);
/* One line: prefix then n bytes in hex. */
void kzt_log_hex(int level, const char *prefix, const uint8_t *p, size_t n);

#endif
