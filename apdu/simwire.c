/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* Simulator socket framing (see simwire.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>
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

int
kzt_simwire_address(const char *spec, struct sockaddr_storage *sa, size_t *len)
{
	struct sockaddr_un *un = (struct sockaddr_un *)sa;
	struct sockaddr_in *in = (struct sockaddr_in *)sa;
	char host[64];
	const char *colon;
	char *end;
	unsigned long port;

	memset(sa, 0, sizeof(*sa));
	if (spec == NULL || *spec == '\0')
		return KZT_ERR_ARGS;
	if (strncmp(spec, "tcp:", 4) != 0) {
		if (strlen(spec) >= sizeof(un->sun_path))
			return KZT_ERR_ARGS;
		un->sun_family = AF_UNIX;
		strcpy(un->sun_path, spec);
		*len = sizeof(*un);
		return KZT_OK;
	}
	spec += 4;
	if ((colon = strrchr(spec, ':')) == NULL || colon == spec || (size_t)(colon - spec) >= sizeof(host) ||
	    colon[1] < '0' || colon[1] > '9')
		return KZT_ERR_ARGS;
	errno = 0;
	port = strtoul(colon + 1, &end, 10);
	if (*end != '\0' || errno != 0 || port == 0 || port > 65535)
		return KZT_ERR_ARGS;
	memcpy(host, spec, (size_t)(colon - spec));
	host[colon - spec] = '\0';
	if (strcmp(host, "localhost") == 0)
		strcpy(host, "127.0.0.1");
	if (inet_pton(AF_INET, host, &in->sin_addr) != 1)
		return KZT_ERR_ARGS;
	in->sin_family = AF_INET;
	in->sin_port = htons((uint16_t)port);
	*len = sizeof(*in);
	return KZT_OK;
}
