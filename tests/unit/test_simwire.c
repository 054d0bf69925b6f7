/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* Where a simulator listens: a unix socket path, or tcp:HOST:PORT; malformed ones refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "kzt_err.h"
#include "simwire.h"

static void
test_a_path_is_a_unix_socket(void **state)
{
	kzt_net_addr a;

	(void)state;
	assert_int_equal(kzt_simwire_address("/tmp/kaztoken.sock", &a), KZT_OK);
	assert_int_equal(a.family, KZT_NET_UNIX);
	assert_string_equal(a.path, "/tmp/kaztoken.sock");
}

static void
test_tcp_loopback_addresses_are_tcp(void **state)
{
	static const uint8_t loopback[4] = {127, 0, 0, 1}, other[4] = {10, 1, 2, 255};
	kzt_net_addr a;

	(void)state;
	assert_int_equal(kzt_simwire_address("tcp:127.0.0.1:35999", &a), KZT_OK);
	assert_int_equal(a.family, KZT_NET_TCP4);
	assert_int_equal(a.port, 35999);
	assert_memory_equal(a.ip, loopback, 4);
	assert_int_equal(kzt_simwire_address("tcp:localhost:1", &a), KZT_OK);
	assert_memory_equal(a.ip, loopback, 4);
	assert_int_equal(a.port, 1);
	assert_int_equal(kzt_simwire_address("tcp:10.1.2.255:65535", &a), KZT_OK);
	assert_memory_equal(a.ip, other, 4);
	assert_int_equal(a.port, 65535);
}

static void
test_malformed_addresses_are_refused(void **state)
{
	static const char *const bad[] = {
		"", "tcp:", "tcp:127.0.0.1", "tcp:127.0.0.1:", "tcp::35999", "tcp:127.0.0.1:0",
		"tcp:127.0.0.1:65536", "tcp:127.0.0.1:35a", "tcp:127.0.0.1:-1", "tcp:example.org:80",
		"tcp:300.1.1.1:80", "tcp:127.0.0.1:99999999999999999999", "tcp:127.0.0:80",
		"tcp:127.0.0.1.5:80", "tcp:127..0.1:80", "tcp:127.0.0.01:80", "tcp:1270.0.0.1:80",
		"tcp:127.0.0.1 :80", "tcp:.127.0.0.1:80", "tcp:127.0.0.256:80", "tcp:-1.0.0.1:80",
		"/a/path/longer/than/a/unix/socket/can/hold/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
	};
	kzt_net_addr a;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(kzt_simwire_address(bad[i], &a), KZT_ERR_ARGS);
	assert_int_equal(kzt_simwire_address(NULL, &a), KZT_ERR_ARGS);
}

/* A connected pair over TCP loopback, on a port the system picks. */
static void
connected_pair(kzt_sock *client, kzt_sock *server)
{
	kzt_net_addr a;
	kzt_sock l;

	assert_int_equal(kzt_simwire_address("tcp:127.0.0.1:1", &a), KZT_OK);
	a.port = 0;
	assert_int_equal(kzt_net_listen(&a, 1, &l), KZT_OK);
	assert_true(a.port != 0);
	assert_int_equal(kzt_net_connect(&a, client), KZT_OK);
	assert_int_equal(kzt_net_accept(l, server), KZT_OK);
	kzt_net_close(l);
}

static void
test_messages_cross_a_tcp_connection_whole(void **state)
{
	uint8_t type, buf[16];
	kzt_sock c, s;
	size_t n;

	(void)state;
	connected_pair(&c, &s);
	assert_int_equal(kzt_simwire_send(c, KZT_SIM_APDU, (const uint8_t *)"\x00\xa4\x04\x00", 4), KZT_OK);
	assert_int_equal(kzt_simwire_recv(s, &type, buf, sizeof(buf), &n), KZT_OK);
	assert_int_equal(type, KZT_SIM_APDU);
	assert_int_equal(n, 4);
	assert_memory_equal(buf, "\x00\xa4\x04\x00", 4);
	assert_int_equal(kzt_simwire_send(s, KZT_SIM_ATR, NULL, 0), KZT_OK);
	assert_int_equal(kzt_simwire_recv(c, &type, buf, sizeof(buf), &n), KZT_OK);
	assert_int_equal(type, KZT_SIM_ATR);
	assert_int_equal(n, 0);
	kzt_net_close(c);
	kzt_net_close(s);
}

static void
test_a_cut_or_oversized_message_is_an_error(void **state)
{
	static const uint8_t too_long[KZT_SIM_HEADER] = {KZT_SIM_APDU, 0, 0, 1, 0};
	static const uint8_t cut[KZT_SIM_HEADER + 2] = {KZT_SIM_APDU, 0, 0, 0, 9, 1, 2};
	uint8_t type, buf[64];
	kzt_sock c, s;
	size_t n;

	(void)state;
	connected_pair(&c, &s);
	/* a declared length beyond the reader's buffer */
	assert_int_equal(kzt_net_write(c, too_long, sizeof(too_long)), KZT_OK);
	assert_int_equal(kzt_simwire_recv(s, &type, buf, sizeof(buf), &n), KZT_ERR_PARSE);
	kzt_net_close(s);
	kzt_net_close(c);
	connected_pair(&c, &s);
	/* nine bytes declared, two sent, then the peer goes */
	assert_int_equal(kzt_net_write(c, cut, sizeof(cut)), KZT_OK);
	kzt_net_close(c);
	assert_int_equal(kzt_simwire_recv(s, &type, buf, sizeof(buf), &n), KZT_ERR_IO);
	kzt_net_close(s);
	connected_pair(&c, &s);
	/* the peer closes between messages: the token is gone */
	kzt_net_close(c);
	assert_int_equal(kzt_simwire_recv(s, &type, buf, sizeof(buf), &n), KZT_ERR_NO_CARD);
	kzt_net_close(s);
	/* too long to send at all */
	assert_int_equal(kzt_simwire_send(s, KZT_SIM_APDU, buf, KZT_SIM_MAX_PAYLOAD + 1), KZT_ERR_ARGS);
}

static void
test_nothing_listening_is_no_token(void **state)
{
	kzt_net_addr a;
	kzt_sock l, c;

	(void)state;
	assert_int_equal(kzt_simwire_address("tcp:127.0.0.1:1", &a), KZT_OK);
	a.port = 0;
	assert_int_equal(kzt_net_listen(&a, 1, &l), KZT_OK);
	kzt_net_close(l); /* a port just freed: nobody listens there */
	assert_int_equal(kzt_net_connect(&a, &c), KZT_ERR_NO_CARD);
	assert_true(c == KZT_SOCK_NONE);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_a_path_is_a_unix_socket),
		cmocka_unit_test(test_tcp_loopback_addresses_are_tcp),
		cmocka_unit_test(test_malformed_addresses_are_refused),
		cmocka_unit_test(test_messages_cross_a_tcp_connection_whole),
		cmocka_unit_test(test_a_cut_or_oversized_message_is_an_error),
		cmocka_unit_test(test_nothing_listening_is_no_token),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
