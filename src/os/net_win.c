/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* Stream sockets on Windows, through Winsock (see net.h): TCP only. Winsock is
 * started once, on the first use, and left running: a DLL may not stop it from
 * DllMain, and Windows releases it at process exit. */
#include <winsock2.h>
#include <ws2tcpip.h>
#include <stdlib.h>
#include <string.h>

#include "kzt_err.h"
#include "net.h"
#include "thread.h"

static kzt_os_once started = KZT_OS_ONCE_INIT;
static int start_failed;

static void
start(void)
{
	WSADATA wsa;

	start_failed = WSAStartup(MAKEWORD(2, 2), &wsa) != 0;
}

int
kzt_net_family_supported(int family)
{
	return family == KZT_NET_TCP4;
}

/* A TCP socket and the address, or KZT_ERR_ARGS / KZT_ERR_IO. */
static int
open_socket(const kzt_net_addr *a, struct sockaddr_in *in, SOCKET *out)
{
	DWORD one = 1;

	*out = INVALID_SOCKET;
	if (a->family != KZT_NET_TCP4)
		return KZT_ERR_ARGS; /* (no unix sockets here) */
	kzt_os_once_run(&started, start);
	if (start_failed)
		return KZT_ERR_IO;
	memset(in, 0, sizeof(*in));
	in->sin_family = AF_INET;
	memcpy(&in->sin_addr, a->ip, 4);
	in->sin_port = htons(a->port);
	/* (not inherited by child processes) */
	*out = WSASocketW(AF_INET, SOCK_STREAM, IPPROTO_TCP, NULL, 0, WSA_FLAG_NO_HANDLE_INHERIT);
	if (*out == INVALID_SOCKET)
		return KZT_ERR_IO;
	setsockopt(*out, IPPROTO_TCP, TCP_NODELAY, (const char *)&one, sizeof(one));
	return KZT_OK;
}

int
kzt_net_connect(const kzt_net_addr *a, kzt_sock *out)
{
	struct sockaddr_in in;
	SOCKET s;
	int r;

	*out = KZT_SOCK_NONE;
	if ((r = open_socket(a, &in, &s)) != KZT_OK)
		return r;
	if (connect(s, (struct sockaddr *)&in, sizeof(in)) != 0) {
		closesocket(s);
		return KZT_ERR_NO_CARD;
	}
	*out = (kzt_sock)s;
	return KZT_OK;
}

int
kzt_net_listen(kzt_net_addr *a, int backlog, kzt_sock *out)
{
	struct sockaddr_in in;
	int r, len = sizeof(in);
	SOCKET s;

	*out = KZT_SOCK_NONE;
	if ((r = open_socket(a, &in, &s)) != KZT_OK)
		return r;
	if (bind(s, (struct sockaddr *)&in, sizeof(in)) != 0 || listen(s, backlog) != 0 ||
	    getsockname(s, (struct sockaddr *)&in, &len) != 0) {
		closesocket(s);
		return KZT_ERR_IO;
	}
	a->port = ntohs(in.sin_port);
	*out = (kzt_sock)s;
	return KZT_OK;
}

int
kzt_net_accept(kzt_sock listener, kzt_sock *out)
{
	SOCKET s = accept((SOCKET)listener, NULL, NULL);

	*out = KZT_SOCK_NONE;
	if (s == INVALID_SOCKET)
		return KZT_ERR_IO;
	*out = (kzt_sock)s;
	return KZT_OK;
}

/* Windows has no socketpair: a loopback connection, made through a listener of
 * its own that accepts only the socket this connected. */
int
kzt_net_pair(kzt_sock pair[2])
{
	kzt_net_addr a;
	struct sockaddr_in mine, peer;
	int len = sizeof(mine), plen = sizeof(peer);
	kzt_sock l, c = KZT_SOCK_NONE, s = KZT_SOCK_NONE;

	pair[0] = pair[1] = KZT_SOCK_NONE;
	memset(&a, 0, sizeof(a));
	a.family = KZT_NET_TCP4;
	a.ip[0] = 127;
	a.ip[3] = 1;
	if (kzt_net_listen(&a, 1, &l) != KZT_OK)
		return KZT_ERR_IO;
	if (kzt_net_connect(&a, &c) != KZT_OK || kzt_net_accept(l, &s) != KZT_OK ||
	    getsockname((SOCKET)c, (struct sockaddr *)&mine, &len) != 0 ||
	    getpeername((SOCKET)s, (struct sockaddr *)&peer, &plen) != 0 ||
	    mine.sin_port != peer.sin_port) {
		kzt_net_close(l);
		kzt_net_close(c);
		kzt_net_close(s);
		return KZT_ERR_IO;
	}
	kzt_net_close(l);
	pair[0] = c;
	pair[1] = s;
	return KZT_OK;
}

long
kzt_net_send_some(kzt_sock s, const uint8_t *p, size_t n)
{
	int w = send((SOCKET)s, (const char *)p, n > 0x40000000u ? 0x40000000 : (int)n, 0);

	return w == SOCKET_ERROR && WSAGetLastError() == WSAEWOULDBLOCK ? KZT_NET_AGAIN : w;
}

long
kzt_net_recv_some(kzt_sock s, uint8_t *p, size_t n)
{
	int r = recv((SOCKET)s, (char *)p, n > 0x40000000u ? 0x40000000 : (int)n, 0);

	return r == SOCKET_ERROR && WSAGetLastError() == WSAEWOULDBLOCK ? KZT_NET_AGAIN : r;
}

int
kzt_net_set_nonblocking(kzt_sock s)
{
	u_long one = 1;

	return ioctlsocket((SOCKET)s, FIONBIO, &one) == 0 ? KZT_OK : KZT_ERR_IO;
}

int
kzt_net_wait(const kzt_sock *socks, const unsigned char *want, size_t n, unsigned char *ready,
	     int timeout_ms)
{
	WSAPOLLFD *p = calloc(n > 0 ? n : 1, sizeof(*p));
	size_t i, k = 0;
	int r;

	if (p == NULL)
		return KZT_ERR_NOMEM;
	/* (WSAPoll takes no placeholder entries: only the sockets there are) */
	for (i = 0; i < n; i++) {
		if (socks[i] == KZT_SOCK_NONE)
			continue;
		p[k].fd = (SOCKET)socks[i];
		p[k++].events = (SHORT)(((want[i] & KZT_NET_READ) ? POLLRDNORM : 0) |
					((want[i] & KZT_NET_WRITE) ? POLLWRNORM : 0));
	}
	r = k > 0 ? WSAPoll(p, (ULONG)k, timeout_ms) : (Sleep(timeout_ms < 0 ? INFINITE : (DWORD)timeout_ms), 0);
	for (i = 0, k = 0; i < n; i++) {
		ready[i] = 0;
		if (socks[i] != KZT_SOCK_NONE && r > 0) {
			if ((p[k].revents & (POLLRDNORM | POLLHUP | POLLERR)) && (want[i] & KZT_NET_READ))
				ready[i] |= KZT_NET_READ;
			if ((p[k].revents & (POLLWRNORM | POLLHUP | POLLERR)) && (want[i] & KZT_NET_WRITE))
				ready[i] |= KZT_NET_WRITE;
		}
		k += socks[i] != KZT_SOCK_NONE;
	}
	free(p);
	return r == SOCKET_ERROR ? KZT_ERR_IO : r;
}

void
kzt_net_close(kzt_sock s)
{
	if (s != KZT_SOCK_NONE)
		closesocket((SOCKET)s);
}
