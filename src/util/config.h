/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* The module's configuration: a "key = value" file (KAZTOKEN_CONF, else the
 * system default path) with environment overrides. docs/configuration.md lists
 * the keys. */
#ifndef KZT_CONFIG_H
#define KZT_CONFIG_H

#include <stddef.h>

#define KZT_CONFIG_PATH_MAX 512

/* Which hardware readers become slots (the virtual token is sim_socket's own). */
typedef enum kzt_readers {
	KZT_READERS_AUTO = 0, /* PC/SC when a PC/SC service runs, else USB CCID directly */
	KZT_READERS_PCSC,     /* PC/SC only */
	KZT_READERS_CCID,     /* USB CCID readers directly, PC/SC never */
	KZT_READERS_NONE,     /* no hardware readers */
} kzt_readers;

typedef struct kzt_config {
	char sim_socket[KZT_CONFIG_PATH_MAX]; /* empty: no virtual token */
	char log_file[KZT_CONFIG_PATH_MAX];   /* empty: stderr */
	int debug;                            /* 0..3 */
	kzt_readers readers;                  /* readers = auto | pcsc | ccid | none */
} kzt_config;

/* Parse "key = value" lines from text (len bytes) into cfg. '#' starts a comment;
 * unknown keys are ignored with a log line; a malformed line or value is
 * KZT_ERR_PARSE with *bad_line set to its 1-based number. */
int kzt_config_parse(const char *text, size_t len, kzt_config *cfg, int *bad_line);

/* Defaults, then the file (a missing file is fine, an unreadable or malformed one
 * is an error), then the environment: KAZTOKEN_SIM_SOCKET, KAZTOKEN_DEBUG,
 * KAZTOKEN_LOG, KAZTOKEN_READERS. */
int kzt_config_load(kzt_config *cfg);

#endif
