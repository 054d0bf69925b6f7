/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* Logging to stderr or a file (see log.h). */
#include <stdarg.h>
#include <stdio.h>

#include "log.h"
#include "thread.h"

/* Guards level and out (kzt_os_static_lock): logging may come from any
 * application thread, before C_Initialize and after C_Finalize too. */
static int log_lvl;
static FILE *log_file; /* NULL: stderr */

void
kzt_log_configure(int level, const char *path)
{
	FILE *f = NULL;

	if (path != NULL && path[0] != '\0')
		f = fopen(path, "a");
	kzt_os_static_lock();
	if (log_file != NULL)
		fclose(log_file);
	log_file = f;
	log_lvl = level < 0 ? 0 : level > KZT_LOG_TRACE ? KZT_LOG_TRACE : level;
	kzt_os_static_unlock();
}

void
kzt_log_close(void)
{
	kzt_os_static_lock();
	if (log_file != NULL)
		fclose(log_file);
	log_file = NULL;
	log_lvl = 0;
	kzt_os_static_unlock();
}

int
kzt_log_level(void)
{
	int l;

	kzt_os_static_lock();
	l = log_lvl;
	kzt_os_static_unlock();
	return l;
}

void
kzt_log(int level, const char *fmt, ...)
{
	va_list ap;
	FILE *out;

	kzt_os_static_lock();
	if (level <= log_lvl) {
		out = log_file != NULL ? log_file : stderr;
		fputs("kaztoken: ", out);
		va_start(ap, fmt);
		vfprintf(out, fmt, ap);
		va_end(ap);
		fputc('\n', out);
		fflush(out);
	}
	kzt_os_static_unlock();
}

void
kzt_log_hex(int level, const char *prefix, const uint8_t *p, size_t n)
{
	FILE *out;
	size_t i;

	kzt_os_static_lock();
	if (level <= log_lvl) {
		out = log_file != NULL ? log_file : stderr;
		fprintf(out, "kaztoken: %s", prefix);
		for (i = 0; i < n; i++)
			fprintf(out, " %02X", p[i]);
		fputc('\n', out);
		fflush(out);
	}
	kzt_os_static_unlock();
}
