/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* Configuration file and environment (see config.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "kzt_err.h"

#ifndef KAZTOKEN_SYSCONF_FILE
#define KAZTOKEN_SYSCONF_FILE "/etc/kaztoken/kaztoken.conf"
#endif
#define CONFIG_FILE_MAX 65536

const char kzt_config_default_path[] = KAZTOKEN_SYSCONF_FILE;

/* The setters take their field as void *, so the file and the environment share
 * them: a char[KZT_CONFIG_PATH_MAX], an int, a kzt_readers. */
static int
set_string(void *dst, const char *v, size_t vlen)
{
	if (vlen >= KZT_CONFIG_PATH_MAX)
		return KZT_ERR_PARSE;
	memcpy(dst, v, vlen);
	((char *)dst)[vlen] = '\0';
	return KZT_OK;
}

static int
set_debug(void *dst, const char *v, size_t vlen)
{
	if (vlen != 1 || v[0] < '0' || v[0] > '3')
		return KZT_ERR_PARSE;
	*(int *)dst = v[0] - '0';
	return KZT_OK;
}

static int
set_readers(void *dst, const char *v, size_t vlen)
{
	static const char *const names[] = {"auto", "pcsc", "ccid", "none"};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (vlen == strlen(names[i]) && memcmp(v, names[i], vlen) == 0) {
			*(kzt_readers *)dst = (kzt_readers)i;
			return KZT_OK;
		}
	return KZT_ERR_PARSE;
}

static int
set_cache(void *dst, const char *v, size_t vlen)
{
	if (vlen == 3 && memcmp(v, "off", 3) == 0)
		*(int *)dst = 0;
	else if (vlen == 6 && memcmp(v, "public", 6) == 0)
		*(int *)dst = 1;
	else
		return KZT_ERR_PARSE;
	return KZT_OK;
}

static int
set_key(kzt_config *cfg, const char *k, size_t klen, const char *v, size_t vlen, int lineno)
{
	size_t used;

#define KEY_IS(s) (klen == sizeof(s) - 1 && memcmp(k, s, klen) == 0)
	if (KEY_IS("sim_socket"))
		return set_string(cfg->sim_socket, v, vlen);
	if (KEY_IS("log_file"))
		return set_string(cfg->log_file, v, vlen);
	if (KEY_IS("debug"))
		return set_debug(&cfg->debug, v, vlen);
	if (KEY_IS("readers"))
		return set_readers(&cfg->readers, v, vlen);
	if (KEY_IS("cache"))
		return set_cache(&cfg->cache_public, v, vlen);
#undef KEY_IS
	used = strlen(cfg->notes);
	snprintf(cfg->notes + used, sizeof(cfg->notes) - used, "%sunknown key '%.*s' on line %d ignored",
		 used > 0 ? "; " : "", (int)(klen < 64 ? klen : 64), k, lineno);
	return KZT_OK;
}

static void
trim(const char **s, size_t *n)
{
	while (*n > 0 && (**s == ' ' || **s == '\t')) {
		(*s)++;
		(*n)--;
	}
	while (*n > 0 && ((*s)[*n - 1] == ' ' || (*s)[*n - 1] == '\t' || (*s)[*n - 1] == '\r'))
		(*n)--;
}

int
kzt_config_parse(const char *text, size_t len, kzt_config *cfg, int *bad_line)
{
	const char *line = text, *end = text + len, *nl, *eq, *k, *v;
	size_t n, klen, vlen;
	int lineno = 0;

	*bad_line = 0;
	while (line < end) {
		lineno++;
		nl = memchr(line, '\n', (size_t)(end - line));
		n = (size_t)((nl != NULL ? nl : end) - line);
		if (memchr(line, '\0', n) != NULL)
			goto bad;
		k = line;
		klen = n;
		trim(&k, &klen);
		if (klen > 0 && k[0] != '#') {
			eq = memchr(k, '=', klen);
			if (eq == NULL)
				goto bad;
			v = eq + 1;
			vlen = klen - (size_t)(v - k);
			klen = (size_t)(eq - k);
			trim(&k, &klen);
			trim(&v, &vlen);
			if (klen == 0 || set_key(cfg, k, klen, v, vlen, lineno) != KZT_OK)
				goto bad;
		}
		line = nl != NULL ? nl + 1 : end;
	}
	return KZT_OK;
bad:
	*bad_line = lineno;
	return KZT_ERR_PARSE;
}

static int
load_file(const char *path, kzt_config *cfg, char *why, size_t why_len)
{
	char *text;
	size_t n;
	FILE *f;
	int r, bad_line = 0;

	snprintf(cfg->path, sizeof(cfg->path), "%s", path);
	if ((f = fopen(path, "r")) == NULL) {
		if (errno == ENOENT)
			return KZT_OK;
		snprintf(why, why_len, "%s cannot be read", path);
		return KZT_ERR_IO;
	}
	if ((text = malloc(CONFIG_FILE_MAX)) == NULL) {
		fclose(f);
		return KZT_ERR_NOMEM;
	}
	cfg->file_found = 1;
	n = fread(text, 1, CONFIG_FILE_MAX, f);
	r = ferror(f) ? KZT_ERR_IO : n == CONFIG_FILE_MAX ? KZT_ERR_PARSE : KZT_OK;
	fclose(f);
	if (r != KZT_OK)
		snprintf(why, why_len, "%s %s", path, r == KZT_ERR_IO ? "cannot be read" : "is too long");
	else if ((r = kzt_config_parse(text, n, cfg, &bad_line)) != KZT_OK)
		snprintf(why, why_len, "%s line %d is malformed", path, bad_line);
	free(text);
	return r;
}

/* An environment override, if set: KZT_OK, or KZT_ERR_PARSE (why says which). */
static int
from_env(const char *name, int (*set)(void *dst, const char *v, size_t vlen), void *dst, char *why,
	 size_t why_len)
{
	const char *v = getenv(name);

	if (v == NULL || set(dst, v, strlen(v)) == KZT_OK)
		return KZT_OK;
	snprintf(why, why_len, "%s has a value the module does not take", name);
	return KZT_ERR_PARSE;
}


int
kzt_config_load(kzt_config *cfg, char *why, size_t why_len)
{
	const char *path = getenv("KAZTOKEN_CONF");
	int r;

	memset(cfg, 0, sizeof(*cfg));
	if (why_len > 0)
		why[0] = '\0';
	if ((r = load_file(path != NULL ? path : kzt_config_default_path, cfg, why, why_len)) != KZT_OK)
		return r;
	if ((r = from_env("KAZTOKEN_SIM_SOCKET", set_string, cfg->sim_socket, why, why_len)) != KZT_OK ||
	    (r = from_env("KAZTOKEN_LOG", set_string, cfg->log_file, why, why_len)) != KZT_OK ||
	    (r = from_env("KAZTOKEN_DEBUG", set_debug, &cfg->debug, why, why_len)) != KZT_OK ||
	    (r = from_env("KAZTOKEN_READERS", set_readers, &cfg->readers, why, why_len)) != KZT_OK ||
	    (r = from_env("KAZTOKEN_CACHE", set_cache, &cfg->cache_public, why, why_len)) != KZT_OK)
		return r;
	return KZT_OK;
}
