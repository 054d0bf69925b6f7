/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* The virtual token as a card in vsmartcard's vpcd, the PC/SC reader driver that
 * pcscd loads: the simulator connects to vpcd over TCP and answers it. Each message,
 * either way, is a 2-byte big-endian length and that many bytes. From vpcd, one
 * byte is a control (00 power off, 01 power on, 02 reset, 04 get ATR; only 04 is
 * answered) and anything longer is a command APDU, answered with its response. The
 * connection is the card's presence: closing it removes the token. */
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "card.h"
#include "kzt_err.h"
#include "kzt_proto.h"
#include "vpcd.h"

enum { VPCD_POWER_OFF = 0x00, VPCD_POWER_ON = 0x01, VPCD_RESET = 0x02, VPCD_GET_ATR = 0x04 };

const int kzt_vpcd_built_in = 1;

int
kzt_vpcd_connect(const char *host, const char *port)
{
	struct addrinfo hints, *res, *ai;
	int fd = -1, one = 1;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	if (getaddrinfo(host, port, &hints, &res) != 0)
		return -1;
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
		if (fd < 0)
			continue;
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
			break;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	/* vpcd writes a message's length and body as two segments: without this, each
	 * APDU would wait out a delayed ACK (about 40 ms) */
	if (fd >= 0)
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return fd;
}

/* Read exactly n bytes: KZT_OK, or KZT_ERR_NO_CARD when vpcd closed or failed. */
static int
read_all(int fd, uint8_t *p, size_t n)
{
	while (n > 0) {
		ssize_t got;
		int one = 1;

		/* acknowledge at once: vpcd's next segment must not wait for our ACK */
		setsockopt(fd, IPPROTO_TCP, TCP_QUICKACK, &one, sizeof(one));
		got = recv(fd, p, n, 0);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			return KZT_ERR_NO_CARD;
		p += got;
		n -= (size_t)got;
	}
	return KZT_OK;
}

/* One message of len bytes (length prefix and body in one write). */
static int
send_msg(int fd, const uint8_t *body, size_t len)
{
	uint8_t buf[2 + KZT_CARD_MAX_DATA + 2];
	size_t off = 0;

	if (len > sizeof(buf) - 2)
		return KZT_ERR_ARGS;
	buf[0] = (uint8_t)(len >> 8);
	buf[1] = (uint8_t)len;
	memcpy(buf + 2, body, len);
	len += 2;
	while (off < len) {
		ssize_t put = send(fd, buf + off, len - off, MSG_NOSIGNAL);

		if (put < 0 && errno == EINTR)
			continue;
		if (put <= 0)
			return KZT_ERR_NO_CARD;
		off += (size_t)put;
	}
	return KZT_OK;
}

int
kzt_vpcd_serve(kzt_card *card, kzt_card_session *s, int fd, uint8_t *in, size_t in_cap,
	       uint8_t *out, size_t out_cap, int verbose)
{
	uint8_t hdr[2], atr[KZT_ATR_LEN];
	size_t n, rlen;

	if (read_all(fd, hdr, 2) != KZT_OK)
		return -1;
	n = (size_t)hdr[0] << 8 | hdr[1];
	if (n == 0 || n > in_cap) {
		fprintf(stderr, "kaztoken-sim: vpcd sent a message of %zu bytes; reconnecting\n", n);
		return -1;
	}
	if (read_all(fd, in, n) != KZT_OK)
		return -1;
	if (n == 1) {
		switch (in[0]) {
		case VPCD_POWER_OFF:
		case VPCD_POWER_ON:
		case VPCD_RESET:
			/* the card's volatile state (logins, selections) goes */
			kzt_card_session_end(card, s, 1);
			if (verbose)
				fprintf(stderr, "kaztoken-sim: vpcd control %02X\n", in[0]);
			return 0;
		case VPCD_GET_ATR:
			kzt_proto_atr(atr);
			return send_msg(fd, atr, sizeof(atr)) == KZT_OK ? 0 : -1;
		default:
			fprintf(stderr, "kaztoken-sim: vpcd control %02X unknown; ignored\n", in[0]);
			return 0;
		}
	}
	kzt_applet_process(card, s, in, n, out, out_cap, &rlen);
	if (verbose)
		fprintf(stderr, "kaztoken-sim: vpcd INS %02X -> SW %02X%02X\n", in[1], out[rlen - 2],
			out[rlen - 1]);
	return send_msg(fd, out, rlen) == KZT_OK ? 0 : -1;
}
