/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* Simulator socket framing (see simwire.h). */
#include <errno.h>
#include <sys/socket.h>
#include <unistd.h>

#include "buf.h"
#include "kzt_err.h"
#include "simwire.h"

static int
write_all(int fd, const uint8_t *p, size_t n)
{
	ssize_t w;

	while (n > 0) {
		w = send(fd, p, n, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return KZT_ERR_IO;
		p += w;
		n -= (size_t)w;
	}
	return KZT_OK;
}

/* Read exactly n bytes; *got tells how many arrived before an end or error. */
static int
read_all(int fd, uint8_t *p, size_t n, size_t *got)
{
	ssize_t r;

	*got = 0;
	while (*got < n) {
		r = read(fd, p + *got, n - *got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return r == 0 ? KZT_ERR_NO_CARD : KZT_ERR_IO;
		*got += (size_t)r;
	}
	return KZT_OK;
}

int
kzt_simwire_send(int fd, uint8_t type, const uint8_t *p, size_t n)
{
	uint8_t hdr[KZT_SIM_HEADER] = {type, (uint8_t)(n >> 24), (uint8_t)(n >> 16),
				       (uint8_t)(n >> 8), (uint8_t)n};
	int r;

	if (n > KZT_SIM_MAX_PAYLOAD)
		return KZT_ERR_ARGS;
	if ((r = write_all(fd, hdr, sizeof(hdr))) != KZT_OK)
		return r;
	return n > 0 ? write_all(fd, p, n) : KZT_OK;
}

int
kzt_simwire_recv(int fd, uint8_t *type, uint8_t *buf, size_t cap, size_t *n)
{
	uint8_t hdr[KZT_SIM_HEADER];
	uint32_t len;
	size_t got;
	int r;

	*n = 0;
	if ((r = read_all(fd, hdr, sizeof(hdr), &got)) != KZT_OK)
		return got == 0 ? r : KZT_ERR_IO;
	len = kzt_get_u32(hdr + 1);
	if (len > cap || len > KZT_SIM_MAX_PAYLOAD)
		return KZT_ERR_PARSE;
	if (len > 0 && (r = read_all(fd, buf, len, &got)) != KZT_OK)
		return KZT_ERR_IO;
	*type = hdr[0];
	*n = len;
	return KZT_OK;
}
