/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* Framing between the module and kaztoken-sim over a unix stream socket or TCP
 * (docs/apdu-protocol.md, "Simulator socket"), on the platform's sockets
 * (src/os/net.h). Each message, both ways:
 * type (1 byte) | payload length (4 bytes, big-endian) | payload. */
#ifndef KZT_SIMWIRE_H
#define KZT_SIMWIRE_H

#include <stddef.h>
#include <stdint.h>

#include "net.h"

#define KZT_SIM_APDU 0x01  /* payload: command APDU; reply: response APDU */
#define KZT_SIM_ATR 0x02   /* payload: empty; reply: the ATR */
#define KZT_SIM_RESET 0x03 /* payload: empty; card session reset; reply: the ATR */
#define KZT_SIM_STATS 0x04 /* payload: empty; reply: APDUs processed (4 bytes) */
#define KZT_SIM_HEADER 5
#define KZT_SIM_MAX_PAYLOAD (65544u + 16u)

/* A message's header, written and read (what send and recv below use; and a
 * server that reads and writes without blocking). Parsing: KZT_ERR_PARSE when the
 * declared length exceeds the protocol maximum. */
void kzt_simwire_header(uint8_t hdr[KZT_SIM_HEADER], uint8_t type, size_t n);
int kzt_simwire_parse_header(const uint8_t hdr[KZT_SIM_HEADER], uint8_t *type, size_t *n);
/* Write one message; KZT_ERR_IO on failure. */
int kzt_simwire_send(kzt_sock s, uint8_t type, const uint8_t *p, size_t n);
/* Read one message into (buf, cap). KZT_ERR_NO_CARD when the peer closed before a
 * header, KZT_ERR_PARSE when the declared length exceeds cap or the protocol
 * maximum, KZT_ERR_IO on a read error or a message cut short. */
int kzt_simwire_recv(kzt_sock s, uint8_t *type, uint8_t *buf, size_t cap, size_t *n);
/* Where a simulator listens, as KAZTOKEN_SIM_SOCKET and kaztoken-sim --socket name
 * it: a unix socket path, or tcp:HOST:PORT with HOST an IPv4 address or localhost
 * (TCP loopback, where unix sockets are missing). Fills *a; KZT_ERR_ARGS when
 * malformed. */
int kzt_simwire_address(const char *spec, kzt_net_addr *a);

#endif
