/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* Stream sockets on POSIX systems (see net.h). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "kzt_err.h"
#include "net.h"

#if !defined(MSG_NOSIGNAL) /* macOS: SO_NOSIGPIPE on the socket instead */
#define MSG_NOSIGNAL 0
#endif

static socklen_t
to_sockaddr(const kzt_net_addr *a, struct sockaddr_storage *ss)
{
	struct sockaddr_un *un = (struct sockaddr_un *)ss;
	struct sockaddr_in *in = (struct sockaddr_in *)ss;

	memset(ss, 0, sizeof(*ss));
	if (a->family == KZT_NET_UNIX) {
		un->sun_family = AF_UNIX;
		memcpy(un->sun_path, a->path, strnlen(a->path, sizeof(a->path) - 1));
		return (socklen_t)sizeof(*un);
	}
	in->sin_family = AF_INET;
	memcpy(&in->sin_addr, a->ip, 4);
	in->sin_port = htons(a->port);
	return (socklen_t)sizeof(*in);
}

int
kzt_net_family_supported(int family)
{
	return family == KZT_NET_UNIX || family == KZT_NET_TCP4;
}

/* A socket of the address's kind, closed on exec. */
static int
open_socket(const kzt_net_addr *a)
{
	int domain = a->family == KZT_NET_UNIX ? AF_UNIX : AF_INET, fd, one = 1;

#if defined(SOCK_CLOEXEC)
	if ((fd = socket(domain, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		return -1;
#else
	if ((fd = socket(domain, SOCK_STREAM, 0)) < 0)
		return -1;
	fcntl(fd, F_SETFD, FD_CLOEXEC);
#endif
#if defined(SO_NOSIGPIPE)
	setsockopt(fd, SOL_SOCKET, SO_NOSIGPIPE, &one, sizeof(one));
#endif
	if (a->family == KZT_NET_TCP4)
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return fd;
}

int
kzt_net_connect(const kzt_net_addr *a, kzt_sock *out)
{
	struct sockaddr_storage ss;
	socklen_t len = to_sockaddr(a, &ss);
	int fd;

	*out = KZT_SOCK_NONE;
	if ((fd = open_socket(a)) < 0)
		return KZT_ERR_IO;
	if (connect(fd, (struct sockaddr *)&ss, len) != 0) {
		close(fd);
		return KZT_ERR_NO_CARD;
	}
	*out = fd;
	return KZT_OK;
}

int
kzt_net_listen(kzt_net_addr *a, int backlog, kzt_sock *out)
{
	struct sockaddr_storage ss;
	socklen_t len = to_sockaddr(a, &ss);
	int fd, one = 1;

	*out = KZT_SOCK_NONE;
	if (a->family == KZT_NET_UNIX)
		unlink(a->path);
	if ((fd = open_socket(a)) < 0)
		return KZT_ERR_IO;
	if (a->family == KZT_NET_TCP4)
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&ss, len) != 0 || listen(fd, backlog) != 0 ||
	    getsockname(fd, (struct sockaddr *)&ss, &len) != 0) {
		close(fd);
		return KZT_ERR_IO;
	}
	if (a->family == KZT_NET_TCP4)
		a->port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
	*out = fd;
	return KZT_OK;
}

int
kzt_net_accept(kzt_sock listener, kzt_sock *out)
{
	int fd;

	*out = KZT_SOCK_NONE;
	while ((fd = accept((int)listener, NULL, NULL)) < 0 && errno == EINTR)
		;
	if (fd < 0)
		return KZT_ERR_IO;
	fcntl(fd, F_SETFD, FD_CLOEXEC);
	*out = fd;
	return KZT_OK;
}

int
kzt_net_pair(kzt_sock pair[2])
{
	int fd[2];

	pair[0] = pair[1] = KZT_SOCK_NONE;
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, fd) != 0)
		return KZT_ERR_IO;
	fcntl(fd[0], F_SETFD, FD_CLOEXEC);
	fcntl(fd[1], F_SETFD, FD_CLOEXEC);
	pair[0] = fd[0];
	pair[1] = fd[1];
	return KZT_OK;
}

long
kzt_net_send_some(kzt_sock s, const uint8_t *p, size_t n)
{
	ssize_t w;

	while ((w = send((int)s, p, n, MSG_NOSIGNAL)) < 0 && errno == EINTR)
		;
	if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return KZT_NET_AGAIN;
	return (long)w;
}

long
kzt_net_recv_some(kzt_sock s, uint8_t *p, size_t n)
{
	ssize_t r;

	while ((r = read((int)s, p, n)) < 0 && errno == EINTR)
		;
	if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return KZT_NET_AGAIN;
	return (long)r;
}

int
kzt_net_set_nonblocking(kzt_sock s)
{
	int flags = fcntl((int)s, F_GETFL);

	return flags >= 0 && fcntl((int)s, F_SETFL, flags | O_NONBLOCK) == 0 ? KZT_OK : KZT_ERR_IO;
}

int
kzt_net_wait(const kzt_sock *socks, const unsigned char *want, size_t n, unsigned char *ready,
	     int timeout_ms)
{
	struct pollfd *p = calloc(n > 0 ? n : 1, sizeof(*p));
	size_t i;
	int r;

	if (p == NULL)
		return KZT_ERR_NOMEM;
	for (i = 0; i < n; i++) {
		p[i].fd = socks[i] == KZT_SOCK_NONE ? -1 : (int)socks[i]; /* (poll skips -1) */
		p[i].events = (short)(((want[i] & KZT_NET_READ) ? POLLIN : 0) | ((want[i] & KZT_NET_WRITE) ? POLLOUT : 0));
	}
	r = poll(p, (nfds_t)n, timeout_ms);
	for (i = 0; i < n; i++) {
		ready[i] = 0;
		if (r > 0 && (p[i].revents & (POLLIN | POLLHUP | POLLERR)) && (want[i] & KZT_NET_READ))
			ready[i] |= KZT_NET_READ;
		if (r > 0 && (p[i].revents & (POLLOUT | POLLHUP | POLLERR)) && (want[i] & KZT_NET_WRITE))
			ready[i] |= KZT_NET_WRITE;
	}
	free(p);
	if (r < 0)
		return errno == EINTR ? KZT_ERR_CANCELLED : KZT_ERR_IO;
	return r;
}

void
kzt_net_close(kzt_sock s)
{
	if (s != KZT_SOCK_NONE)
		close((int)s);
}
