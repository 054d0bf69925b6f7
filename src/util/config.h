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
	int cache_public;                     /* cache = off | public: tokens' public objects on disk */
	char path[KZT_CONFIG_PATH_MAX];       /* the file looked at */
	int file_found;                       /* ...and whether it was there */
	/* What the file said that was not understood (unknown keys), for the log once
	 * logging is set up from this very configuration; empty: nothing. */
	char notes[256];
} kzt_config;

/* The file read when KAZTOKEN_CONF is not set (compiled in). */
extern const char kzt_config_default_path[];

/* Parse "key = value" lines from text (len bytes) into cfg. '#' starts a comment;
 * unknown keys are ignored and named in cfg->notes; a malformed line or value is
 * KZT_ERR_PARSE with *bad_line set to its 1-based number. */
int kzt_config_parse(const char *text, size_t len, kzt_config *cfg, int *bad_line);

/* Defaults, then the file (a missing file is fine, an unreadable or malformed one
 * is an error), then the environment: KAZTOKEN_SIM_SOCKET, KAZTOKEN_DEBUG,
 * KAZTOKEN_LOG, KAZTOKEN_READERS, KAZTOKEN_CACHE. On an error, why (why_len bytes) says what is
 * wrong and where, for the caller to log: nothing is logged here, since logging
 * is set up from what this reads. */
int kzt_config_load(kzt_config *cfg, char *why, size_t why_len);

#endif
