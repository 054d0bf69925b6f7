/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* Stream sockets, for the simulator connection: a unix socket or TCP over IPv4
 * (net_posix.c), TCP alone on Windows (net_win.c, Winsock); whole reads and
 * writes on top, the same everywhere (net.c). Addresses are the
 * platform's business, so callers hold them in this portable form. */
#ifndef KZT_OS_NET_H
#define KZT_OS_NET_H

#include <stddef.h>
#include <stdint.h>

/* a connected or listening socket (a descriptor, or a Winsock SOCKET) */
typedef intptr_t kzt_sock;
#define KZT_SOCK_NONE ((kzt_sock)-1)

#define KZT_NET_UNIX 1
#define KZT_NET_TCP4 2
/* the longest unix socket path every platform holds (macOS: 104 with the NUL) */
#define KZT_NET_PATH_MAX 104

typedef struct kzt_net_addr {
	int family;                  /* KZT_NET_UNIX or KZT_NET_TCP4 */
	char path[KZT_NET_PATH_MAX]; /* KZT_NET_UNIX: NUL-terminated */
	uint8_t ip[4];               /* KZT_NET_TCP4, network order */
	uint16_t port;               /* KZT_NET_TCP4 */
} kzt_net_addr;

/* 1 when this platform has sockets of this family (KZT_NET_UNIX: not Windows). */
int kzt_net_family_supported(int family);
/* Connect (TCP without Nagle's delay: an APDU is one small request and reply).
 * KZT_OK; KZT_ERR_NO_CARD when nothing listens there; KZT_ERR_ARGS for a kind of
 * address this platform lacks; KZT_ERR_IO otherwise. */
int kzt_net_connect(const kzt_net_addr *a, kzt_sock *out);
/* Listen, replacing a stale unix socket file; a TCP port 0 is one the system
 * picks, written back to a->port. KZT_OK or KZT_ERR_IO. */
int kzt_net_listen(kzt_net_addr *a, int backlog, kzt_sock *out);
/* The next connection to a listening socket: KZT_OK or KZT_ERR_IO. */
int kzt_net_accept(kzt_sock listener, kzt_sock *out);
/* Write all n bytes (never raising SIGPIPE): KZT_OK or KZT_ERR_IO. */
int kzt_net_write(kzt_sock s, const uint8_t *p, size_t n);
/* Read exactly n bytes; *got says how many came. KZT_ERR_NO_CARD when the peer
 * closed first, KZT_ERR_IO on an error. */
int kzt_net_read(kzt_sock s, uint8_t *p, size_t n, size_t *got);
void kzt_net_close(kzt_sock s);
/* Two sockets connected to each other, for one thread to wake another that waits
 * in kzt_net_wait: KZT_OK or KZT_ERR_IO. */
int kzt_net_pair(kzt_sock pair[2]);
/* Wait up to timeout_ms (-1: no limit) until one of the n sockets is ready for
 * what want[i] asks (KZT_NET_READ: data, a close or an error to read;
 * KZT_NET_WRITE: room to write); KZT_SOCK_NONE entries are skipped. ready[i] says
 * which of the two it is. The count ready, 0 when the time ran out,
 * KZT_ERR_CANCELLED when a signal interrupted the wait, KZT_ERR_IO on an error. */
#define KZT_NET_READ 1u
#define KZT_NET_WRITE 2u
int kzt_net_wait(const kzt_sock *socks, const unsigned char *want, size_t n, unsigned char *ready,
		 int timeout_ms);
/* Make reads and writes on s return at once (KZT_NET_AGAIN below) rather than
 * wait: KZT_OK or KZT_ERR_IO. For a server serving many clients. */
int kzt_net_set_nonblocking(kzt_sock s);
/* The platform's part (net_posix.c, net_win.c): one send or receive of up to n
 * bytes, interrupted calls retried; the bytes moved, 0 when the peer closed,
 * KZT_NET_AGAIN when a non-blocking socket can move nothing now, or another value
 * below 0 on an error. */
#define KZT_NET_AGAIN (-2)
long kzt_net_send_some(kzt_sock s, const uint8_t *p, size_t n);
long kzt_net_recv_some(kzt_sock s, uint8_t *p, size_t n);

#endif
