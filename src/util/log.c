/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* Logging to stderr or a file (see log.h). */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>

#include "log.h"

/* Guards level and out: logging may come from any application thread. */
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static int log_lvl;
static FILE *log_file; /* NULL: stderr */

void
kzt_log_configure(int level, const char *path)
{
	FILE *f = NULL;

	if (path != NULL && path[0] != '\0')
		f = fopen(path, "a");
	pthread_mutex_lock(&log_lock);
	if (log_file != NULL)
		fclose(log_file);
	log_file = f;
	log_lvl = level < 0 ? 0 : level > KZT_LOG_TRACE ? KZT_LOG_TRACE : level;
	pthread_mutex_unlock(&log_lock);
}

void
kzt_log_close(void)
{
	pthread_mutex_lock(&log_lock);
	if (log_file != NULL)
		fclose(log_file);
	log_file = NULL;
	log_lvl = 0;
	pthread_mutex_unlock(&log_lock);
}

int
kzt_log_level(void)
{
	int l;

	pthread_mutex_lock(&log_lock);
	l = log_lvl;
	pthread_mutex_unlock(&log_lock);
	return l;
}

void
kzt_log(int level, const char *fmt, ...)
{
	va_list ap;
	FILE *out;

	pthread_mutex_lock(&log_lock);
	if (level <= log_lvl) {
		out = log_file != NULL ? log_file : stderr;
		fputs("kaztoken: ", out);
		va_start(ap, fmt);
		vfprintf(out, fmt, ap);
		va_end(ap);
		fputc('\n', out);
		fflush(out);
	}
	pthread_mutex_unlock(&log_lock);
}

void
kzt_log_hex(int level, const char *prefix, const uint8_t *p, size_t n)
{
	FILE *out;
	size_t i;

	pthread_mutex_lock(&log_lock);
	if (level <= log_lvl) {
		out = log_file != NULL ? log_file : stderr;
		fprintf(out, "kaztoken: %s", prefix);
		for (i = 0; i < n; i++)
			fprintf(out, " %02X", p[i]);
		fputc('\n', out);
		fflush(out);
	}
	pthread_mutex_unlock(&log_lock);
}
