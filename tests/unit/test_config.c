/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* The configuration file parser and the environment overrides. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "config.h"
#include "kzt_err.h"

static int
parse(const char *text, kzt_config *cfg, int *bad)
{
	memset(cfg, 0, sizeof(*cfg));
	return kzt_config_parse(text, strlen(text), cfg, bad);
}

static void
test_config_reads_keys_comments_and_blanks(void **state)
{
	kzt_config cfg;
	int bad;

	(void)state;
	assert_int_equal(parse("# KAZTOKEN\n\n  sim_socket = /run/kzt.sock  \r\ndebug=2\n"
			       "log_file=/tmp/k.log\nfuture_key = 1\n",
			       &cfg, &bad),
			 KZT_OK);
	assert_string_equal(cfg.sim_socket, "/run/kzt.sock");
	assert_string_equal(cfg.log_file, "/tmp/k.log");
	assert_int_equal(cfg.debug, 2);
	assert_int_equal(cfg.readers, KZT_READERS_AUTO); /* the default */
	/* the unknown key is kept to be logged, with its line */
	assert_string_equal(cfg.notes, "unknown key 'future_key' on line 6 ignored");
	assert_int_equal(parse("readers = ccid\n", &cfg, &bad), KZT_OK);
	assert_int_equal(cfg.readers, KZT_READERS_CCID);
	assert_int_equal(parse("readers=none\n", &cfg, &bad), KZT_OK);
	assert_int_equal(cfg.readers, KZT_READERS_NONE);
	assert_int_equal(parse("readers = pcsc\n", &cfg, &bad), KZT_OK);
	assert_int_equal(cfg.readers, KZT_READERS_PCSC);
	assert_int_equal(cfg.cache_public, 0); /* the default: no cache on disk */
	assert_int_equal(parse("cache = public\n", &cfg, &bad), KZT_OK);
	assert_int_equal(cfg.cache_public, 1);
	assert_int_equal(parse("cache=off\n", &cfg, &bad), KZT_OK);
	assert_int_equal(cfg.cache_public, 0);
}

static void
test_config_rejects_malformed_lines_with_their_number(void **state)
{
	static const struct {
		const char *text;
		int line;
	} bad[] = {
		{"sim_socket /x\n", 1},
		{"debug = 1\ndebug = 9\n", 2},
		{"debug = one\n", 1},
		{"= value\n", 1},
		{"\n\n\ndebug = 12\n", 4},
		{"debug = 1\nreaders = usb\n", 2},
		{"readers = \n", 1},
		{"readers = autox\n", 1},
		{"cache = all\n", 1},
		{"debug = 1\ncache = \n", 2},
		{"cache = publicx\n", 1},
		{"cache = Public\n", 1},
	};
	char longline[700];
	kzt_config cfg;
	size_t i;
	int line;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(parse(bad[i].text, &cfg, &line), KZT_ERR_PARSE);
		assert_int_equal(line, bad[i].line);
	}
	snprintf(longline, sizeof(longline), "sim_socket = /%0600d\n", 0);
	assert_int_equal(parse(longline, &cfg, &line), KZT_ERR_PARSE);
	assert_int_equal(kzt_config_parse("debug = 1\0x", 11, &cfg, &line), KZT_ERR_PARSE);
}

static void
test_environment_overrides_the_file(void **state)
{
	char path[] = "/tmp/kzt-conf-XXXXXX";
	kzt_config cfg;
	char why[600];
	int fd;
	FILE *f;

	(void)state;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	fputs("sim_socket = /from/file\ndebug = 1\n", f);
	fclose(f);
	setenv("KAZTOKEN_CONF", path, 1);
	unsetenv("KAZTOKEN_SIM_SOCKET");
	unsetenv("KAZTOKEN_DEBUG");
	unsetenv("KAZTOKEN_LOG");
	unsetenv("KAZTOKEN_READERS");
	unsetenv("KAZTOKEN_CACHE");
	assert_int_equal(kzt_config_load(&cfg, why, sizeof(why)), KZT_OK);
	assert_string_equal(cfg.sim_socket, "/from/file");
	setenv("KAZTOKEN_SIM_SOCKET", "/from/env", 1);
	setenv("KAZTOKEN_DEBUG", "3", 1);
	assert_int_equal(kzt_config_load(&cfg, why, sizeof(why)), KZT_OK);
	assert_string_equal(cfg.sim_socket, "/from/env");
	assert_int_equal(cfg.debug, 3);
	setenv("KAZTOKEN_DEBUG", "7", 1);
	assert_int_equal(kzt_config_load(&cfg, why, sizeof(why)), KZT_ERR_PARSE);
	unsetenv("KAZTOKEN_DEBUG");
	setenv("KAZTOKEN_READERS", "ccid", 1);
	assert_int_equal(kzt_config_load(&cfg, why, sizeof(why)), KZT_OK);
	assert_int_equal(cfg.readers, KZT_READERS_CCID);
	setenv("KAZTOKEN_READERS", "both", 1);
	assert_int_equal(kzt_config_load(&cfg, why, sizeof(why)), KZT_ERR_PARSE);
	unsetenv("KAZTOKEN_READERS");
	setenv("KAZTOKEN_CACHE", "public", 1);
	assert_int_equal(kzt_config_load(&cfg, why, sizeof(why)), KZT_OK);
	assert_int_equal(cfg.cache_public, 1);
	setenv("KAZTOKEN_CACHE", "private", 1);
	assert_int_equal(kzt_config_load(&cfg, why, sizeof(why)), KZT_ERR_PARSE);
	unsetenv("KAZTOKEN_CACHE");
	/* A missing file is no error; a malformed one is. */
	setenv("KAZTOKEN_CONF", "/nonexistent/kaztoken.conf", 1);
	assert_int_equal(kzt_config_load(&cfg, why, sizeof(why)), KZT_OK);
	f = fopen(path, "w");
	fputs("garbage\n", f);
	fclose(f);
	setenv("KAZTOKEN_CONF", path, 1);
	assert_int_equal(kzt_config_load(&cfg, why, sizeof(why)), KZT_ERR_PARSE);
	assert_non_null(strstr(why, path));
	assert_non_null(strstr(why, "line 1 is malformed"));
	/* a value the environment gives wrong is named */
	unlink(path);
	setenv("KAZTOKEN_DEBUG", "x", 1);
	assert_int_equal(kzt_config_load(&cfg, why, sizeof(why)), KZT_ERR_PARSE);
	assert_string_equal(why, "KAZTOKEN_DEBUG has a value the module does not take");
	unsetenv("KAZTOKEN_DEBUG");
	unsetenv("KAZTOKEN_CONF");
	unsetenv("KAZTOKEN_SIM_SOCKET");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_config_reads_keys_comments_and_blanks),
		cmocka_unit_test(test_config_rejects_malformed_lines_with_their_number),
		cmocka_unit_test(test_environment_overrides_the_file),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
