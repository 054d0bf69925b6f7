/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* Bytes as the module's configuration file: the parser stays in bounds, and what
 * it accepts leaves every string NUL-terminated within its field and every value
 * in its range. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "kzt_err.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	kzt_config cfg;
	int bad = -1;

	memset(&cfg, 0, sizeof(cfg));
	if (kzt_config_parse((const char *)data, size, &cfg, &bad) == KZT_OK) {
		if (bad != 0 || memchr(cfg.sim_socket, '\0', sizeof(cfg.sim_socket)) == NULL ||
		    memchr(cfg.log_file, '\0', sizeof(cfg.log_file)) == NULL ||
		    memchr(cfg.notes, '\0', sizeof(cfg.notes)) == NULL || cfg.debug < 0 || cfg.debug > 3 ||
		    (int)cfg.readers < KZT_READERS_AUTO || (int)cfg.readers > KZT_READERS_NONE)
			abort();
	} else if (bad < 1) {
		abort(); /* a refusal names its line */
	}
	return 0;
}
