/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* Simulator socket framing (see simwire.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "kzt_err.h"
#include "simwire.h"

void
kzt_simwire_header(uint8_t hdr[KZT_SIM_HEADER], uint8_t type, size_t n)
{
	kzt_buf b;

	kzt_buf_init(&b, hdr, KZT_SIM_HEADER);
	kzt_buf_put_u8(&b, type);
	kzt_buf_put_u32(&b, (uint32_t)n);
}

int
kzt_simwire_parse_header(const uint8_t hdr[KZT_SIM_HEADER], uint8_t *type, size_t *n)
{
	uint32_t len = kzt_get_u32(hdr + 1);

	if (len > KZT_SIM_MAX_PAYLOAD)
		return KZT_ERR_PARSE;
	*type = hdr[0];
	*n = len;
	return KZT_OK;
}

int
kzt_simwire_send(kzt_sock s, uint8_t type, const uint8_t *p, size_t n)
{
	uint8_t hdr[KZT_SIM_HEADER];
	int r;

	if (n > KZT_SIM_MAX_PAYLOAD)
		return KZT_ERR_ARGS;
	kzt_simwire_header(hdr, type, n);
	if ((r = kzt_net_write(s, hdr, sizeof(hdr))) != KZT_OK)
		return r;
	return n > 0 ? kzt_net_write(s, p, n) : KZT_OK;
}

int
kzt_simwire_recv(kzt_sock s, uint8_t *type, uint8_t *buf, size_t cap, size_t *n)
{
	uint8_t hdr[KZT_SIM_HEADER], t;
	size_t got, len;
	int r;

	*n = 0;
	if ((r = kzt_net_read(s, hdr, sizeof(hdr), &got)) != KZT_OK)
		return got == 0 ? r : KZT_ERR_IO;
	if (kzt_simwire_parse_header(hdr, &t, &len) != KZT_OK || len > cap)
		return KZT_ERR_PARSE;
	if (len > 0 && (r = kzt_net_read(s, buf, len, &got)) != KZT_OK)
		return KZT_ERR_IO;
	*type = t;
	*n = len;
	return KZT_OK;
}

/* A dotted IPv4 address, four decimal parts of 0..255 (no leading zeros to be
 * read as octal, nothing else): 0 when well-formed. */
static int
parse_ipv4(const char *s, uint8_t ip[4])
{
	unsigned v;
	int i, digits;

	for (i = 0; i < 4; i++) {
		for (v = 0, digits = 0; *s >= '0' && *s <= '9' && digits < 4; s++, digits++)
			v = v * 10 + (unsigned)(*s - '0');
		if (digits == 0 || digits > 3 || v > 255 || (digits > 1 && s[-digits] == '0'))
			return -1;
		ip[i] = (uint8_t)v;
		if (i < 3 && *s++ != '.')
			return -1;
	}
	return *s == '\0' ? 0 : -1;
}

int
kzt_simwire_address(const char *spec, kzt_net_addr *a)
{
	char host[64];
	const char *colon;
	char *end;
	unsigned long port;

	memset(a, 0, sizeof(*a));
	if (spec == NULL || *spec == '\0')
		return KZT_ERR_ARGS;
	if (strncmp(spec, "tcp:", 4) != 0) {
		if (strlen(spec) >= sizeof(a->path))
			return KZT_ERR_ARGS;
		a->family = KZT_NET_UNIX;
		strcpy(a->path, spec);
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
	if (parse_ipv4(host, a->ip) != 0)
		return KZT_ERR_ARGS;
	a->family = KZT_NET_TCP4;
	a->port = (uint16_t)port;
	return KZT_OK;
}
