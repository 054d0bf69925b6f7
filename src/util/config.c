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
#include "log.h"

#ifndef KAZTOKEN_SYSCONF_FILE
#define KAZTOKEN_SYSCONF_FILE "/etc/kaztoken/kaztoken.conf"
#endif
#define CONFIG_FILE_MAX 65536

static int
set_string(char *dst, const char *v, size_t vlen)
{
	if (vlen >= KZT_CONFIG_PATH_MAX)
		return KZT_ERR_PARSE;
	memcpy(dst, v, vlen);
	dst[vlen] = '\0';
	return KZT_OK;
}

static int
set_debug(int *dst, const char *v, size_t vlen)
{
	if (vlen != 1 || v[0] < '0' || v[0] > '3')
		return KZT_ERR_PARSE;
	*dst = v[0] - '0';
	return KZT_OK;
}

static int
set_readers(kzt_readers *dst, const char *v, size_t vlen)
{
	static const char *const names[] = {"auto", "pcsc", "ccid", "none"};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (vlen == strlen(names[i]) && memcmp(v, names[i], vlen) == 0) {
			*dst = (kzt_readers)i;
			return KZT_OK;
		}
	return KZT_ERR_PARSE;
}

static int
set_key(kzt_config *cfg, const char *k, size_t klen, const char *v, size_t vlen)
{
#define KEY_IS(s) (klen == sizeof(s) - 1 && memcmp(k, s, klen) == 0)
	if (KEY_IS("sim_socket"))
		return set_string(cfg->sim_socket, v, vlen);
	if (KEY_IS("log_file"))
		return set_string(cfg->log_file, v, vlen);
	if (KEY_IS("debug"))
		return set_debug(&cfg->debug, v, vlen);
	if (KEY_IS("readers"))
		return set_readers(&cfg->readers, v, vlen);
#undef KEY_IS
	kzt_log(KZT_LOG_INFO, "config: unknown key '%.*s' ignored", (int)klen, k);
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
			if (klen == 0 || set_key(cfg, k, klen, v, vlen) != KZT_OK)
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
load_file(const char *path, kzt_config *cfg)
{
	char *text;
	size_t n;
	FILE *f;
	int r, bad_line;

	if ((f = fopen(path, "r")) == NULL)
		return errno == ENOENT ? KZT_OK : KZT_ERR_IO;
	if ((text = malloc(CONFIG_FILE_MAX)) == NULL) {
		fclose(f);
		return KZT_ERR_NOMEM;
	}
	n = fread(text, 1, CONFIG_FILE_MAX, f);
	r = ferror(f) ? KZT_ERR_IO : n == CONFIG_FILE_MAX ? KZT_ERR_PARSE : KZT_OK;
	fclose(f);
	if (r == KZT_OK && (r = kzt_config_parse(text, n, cfg, &bad_line)) != KZT_OK)
		kzt_log(KZT_LOG_ERROR, "config: %s line %d is malformed", path, bad_line);
	free(text);
	return r;
}

int
kzt_config_load(kzt_config *cfg)
{
	const char *path, *v;
	int r;

	memset(cfg, 0, sizeof(*cfg));
	path = getenv("KAZTOKEN_CONF");
	if ((r = load_file(path != NULL ? path : KAZTOKEN_SYSCONF_FILE, cfg)) != KZT_OK)
		return r;
	if ((v = getenv("KAZTOKEN_SIM_SOCKET")) != NULL &&
	    set_string(cfg->sim_socket, v, strlen(v)) != KZT_OK)
		return KZT_ERR_PARSE;
	if ((v = getenv("KAZTOKEN_LOG")) != NULL && set_string(cfg->log_file, v, strlen(v)) != KZT_OK)
		return KZT_ERR_PARSE;
	if ((v = getenv("KAZTOKEN_DEBUG")) != NULL && set_debug(&cfg->debug, v, strlen(v)) != KZT_OK)
		return KZT_ERR_PARSE;
	if ((v = getenv("KAZTOKEN_READERS")) != NULL && set_readers(&cfg->readers, v, strlen(v)) != KZT_OK)
		return KZT_ERR_PARSE;
	return KZT_OK;
}
