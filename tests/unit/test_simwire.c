/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* Where a simulator listens: a unix socket path, or tcp:HOST:PORT; malformed ones refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <cmocka.h>

#include "kzt_err.h"
#include "simwire.h"

static void
test_a_path_is_a_unix_socket(void **state)
{
	struct sockaddr_storage ss;
	struct sockaddr_un *un = (struct sockaddr_un *)&ss;
	size_t len;

	(void)state;
	assert_int_equal(kzt_simwire_address("/tmp/kaztoken.sock", &ss, &len), KZT_OK);
	assert_int_equal(un->sun_family, AF_UNIX);
	assert_string_equal(un->sun_path, "/tmp/kaztoken.sock");
	assert_int_equal(len, sizeof(*un));
}

static void
test_tcp_loopback_addresses_are_tcp(void **state)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *in = (struct sockaddr_in *)&ss;
	size_t len;

	(void)state;
	assert_int_equal(kzt_simwire_address("tcp:127.0.0.1:35999", &ss, &len), KZT_OK);
	assert_int_equal(in->sin_family, AF_INET);
	assert_int_equal(ntohs(in->sin_port), 35999);
	assert_int_equal(ntohl(in->sin_addr.s_addr), 0x7f000001);
	assert_int_equal(len, sizeof(*in));
	assert_int_equal(kzt_simwire_address("tcp:localhost:1", &ss, &len), KZT_OK);
	assert_int_equal(ntohl(in->sin_addr.s_addr), 0x7f000001);
	assert_int_equal(kzt_simwire_address("tcp:10.1.2.3:65535", &ss, &len), KZT_OK);
	assert_int_equal(ntohs(in->sin_port), 65535);
}

static void
test_malformed_addresses_are_refused(void **state)
{
	static const char *const bad[] = {
		"", "tcp:", "tcp:127.0.0.1", "tcp:127.0.0.1:", "tcp::35999", "tcp:127.0.0.1:0",
		"tcp:127.0.0.1:65536", "tcp:127.0.0.1:35a", "tcp:127.0.0.1:-1", "tcp:example.org:80",
		"tcp:300.1.1.1:80", "tcp:127.0.0.1:99999999999999999999",
		"/a/path/longer/than/a/unix/socket/can/hold/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
	};
	struct sockaddr_storage ss;
	size_t len, i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(kzt_simwire_address(bad[i], &ss, &len), KZT_ERR_ARGS);
	assert_int_equal(kzt_simwire_address(NULL, &ss, &len), KZT_ERR_ARGS);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_a_path_is_a_unix_socket),
		cmocka_unit_test(test_tcp_loopback_addresses_are_tcp),
		cmocka_unit_test(test_malformed_addresses_are_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
