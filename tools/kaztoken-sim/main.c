/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* kaztoken-sim: a virtual KAZTOKEN served on a unix socket, or plugged into a real
 * pcscd through vsmartcard's vpcd, or both. One card, persistent in its store file;
 * each unix-socket connection is its own card session (its logins end with the
 * connection), as if each had the card to itself between two resets; the vpcd
 * connection is one more, shared by every PC/SC application as a real card is.
 * Connections are served without blocking by LOOPS threads. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "card.h"
#include "file.h"
#include "kzt_err.h"
#include "net.h"
#include "proc.h"
#include "secmem.h"
#include "simwire.h"
#include "thread.h"
#include "vpcd.h"

/* Connections at once (documented in --help and docs/apdu-protocol.md); one more
 * is accepted, told nothing, closed, and logged. */
#define MAX_CLIENTS 512
/* How long a client may leave a message half sent, or a reply unread, before it
 * is dropped: no client holds up another (each is served without blocking) and
 * none keeps a connection's buffers for ever. */
#define STALL_SECONDS 5
/* Threads serving connections, each its own share of them: commands are atomic
 * with respect to each other (the card's lock), but the private-key operations of
 * separate connections compute in parallel (card.h). */
#define LOOPS 4

/* One connection: its card session, the message coming in (the header, then the
 * payload), the reply going out. While a reply waits to be taken, nothing more is
 * read from the connection. */
typedef struct client {
	kzt_sock fd;
	kzt_card *card;
	kzt_card_session *session;
	uint8_t hdr[KZT_SIM_HEADER];
	uint8_t *payload; /* the declared length, once the header is in */
	size_t in_len, want; /* bytes in so far (header included); payload length */
	uint8_t type;
	uint8_t reply[KZT_SIM_HEADER + KZT_CARD_MAX_DATA + 2];
	size_t reply_len, reply_sent;
	time_t last_progress; /* when bytes last moved on a message or reply under way */
} client;

static volatile sig_atomic_t stop_requested; /* (set from a signal handler) */

static void
on_stop(void)
{
	stop_requested = 1;
}

static void
usage(FILE *out)
{
	fprintf(out, "usage: kaztoken-sim --store FILE {--socket PATH | --listen HOST:PORT | --vpcd [HOST:]PORT}...\n"
		     "                    [--capacity BYTES] [--delay-keygen SECONDS] [--fault-at N]\n"
		     "  --store FILE      the token's persistent state (created factory-fresh if absent)\n"
		     "  --socket PATH     unix socket to serve APDUs on (or tcp:HOST:PORT)\n"
		     "  --listen HOST:PORT  serve APDUs on TCP (HOST an IPv4 address or localhost)\n"
		     "  --vpcd [HOST:]PORT  be the card in vpcd's reader at PORT (35963 and 35964 are\n"
		     "                    its two readers; HOST defaults to localhost); retried every\n"
		     "                    second until vpcd answers, and again when it goes away\n"
		     "  --delay-keygen SECONDS  take this long over each key generation, as a real\n"
		     "                    card's RSA key generation can (0 to 3600)\n"
		     "  --fault-at N      crash tests: stop dead (exit 75) just before the N-th step\n"
		     "                    of writing the store (each write of up to 4096 bytes, the\n"
		     "                    flush, the rename, the directory's flush)\n"
		     "  --capacity BYTES  the size of the token's object store (default 65536, from\n"
		     "                    %u to %u; never below what the store already holds)\n"
		     "  -v, --verbose     log each connection and command to stderr\n"
		     "At most %d connections at once; a client that leaves a message half sent, or\n"
		     "a reply unread, for %d s is disconnected (docs/apdu-protocol.md, section 6).\n",
		KZT_MIN_CAPACITY, KZT_MAX_CAPACITY, MAX_CLIENTS, STALL_SECONDS);
}

static int verbose;
static unsigned long fault_at; /* --fault-at: the store-writing step to die before (0: none) */

/* The store's writing steps, counted: the fault_at-th is not taken. */
static void
count_step(kzt_os_file_step step)
{
	static const char *const names[] = {"a write", "the flush", "the rename", "the directory's flush"};
	static unsigned long steps;

	if (++steps == fault_at) {
		fprintf(stderr, "kaztoken-sim: --fault-at %lu: stopping dead before %s of the store\n", fault_at,
			names[step]);
		_Exit(75);
	}
}

#define LOG(...) fprintf(stderr, "kaztoken-sim: " __VA_ARGS__)

/* "[HOST:]PORT" into host (default localhost) and port: KZT_OK or KZT_ERR_ARGS. */
static int
parse_vpcd(const char *arg, char *host, size_t host_cap, char *port, size_t port_cap)
{
	const char *colon = strrchr(arg, ':');
	const char *p = colon != NULL ? colon + 1 : arg;
	size_t hlen = colon != NULL ? (size_t)(colon - arg) : 0;
	char *end;
	unsigned long v;

	if (*p == '\0' || strlen(p) >= port_cap || hlen >= host_cap)
		return KZT_ERR_ARGS;
	v = strtoul(p, &end, 10);
	if (*end != '\0' || v == 0 || v > 65535)
		return KZT_ERR_ARGS;
	if (hlen == 0)
		snprintf(host, host_cap, "localhost");
	else
		snprintf(host, host_cap, "%.*s", (int)hlen, arg);
	snprintf(port, port_cap, "%lu", v);
	return KZT_OK;
}

/* The --capacity argument: KZT_OK with the value, or KZT_ERR_ARGS. */
static int
parse_capacity(const char *arg, uint32_t *cap)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(arg, &end, 10);
	if (errno != 0 || end == arg || *end != '\0' || arg[0] == '-' || v < KZT_MIN_CAPACITY ||
	    v > KZT_MAX_CAPACITY)
		return KZT_ERR_ARGS;
	*cap = (uint32_t)v;
	return KZT_OK;
}

/* Give the card the store size asked for, unless it already holds more. */
static int
set_capacity(kzt_card *card, uint32_t cap)
{
	size_t used = kzt_card_used(&card->st);

	if (card->st.capacity == cap)
		return KZT_OK;
	if (used > cap) {
		LOG("the store holds %zu bytes, more than --capacity %u\n", used, (unsigned)cap);
		return KZT_ERR_ARGS;
	}
	card->st.capacity = cap;
	return kzt_card_commit(card);
}

/* Listen on a unix socket path or tcp:HOST:PORT (simwire.h). */
static kzt_sock
listen_on(const char *path)
{
	kzt_net_addr a;
	kzt_sock s;

	if (kzt_simwire_address(path, &a) != KZT_OK) {
		LOG("not a socket path or tcp:HOST:PORT: %s\n", path);
		return KZT_SOCK_NONE;
	}
	if (!kzt_net_family_supported(a.family)) {
		LOG("%s: no unix sockets on this system; use --listen HOST:PORT\n", path);
		return KZT_SOCK_NONE;
	}
	/* A live socket means another simulator serves it: never steal it. */
	if (kzt_net_connect(&a, &s) == KZT_OK) {
		kzt_net_close(s);
		LOG("%s is already served by another process\n", path);
		return KZT_SOCK_NONE;
	}
	if (kzt_net_listen(&a, 16, &s) != KZT_OK) {
		LOG("cannot listen on %s: %s\n", path, strerror(errno));
		return KZT_SOCK_NONE;
	}
	return s;
}

/* Queue a reply of this type for c. */
static void
reply(client *c, uint8_t type, const uint8_t *p, size_t n)
{
	kzt_simwire_header(c->reply, type, n);
	memcpy(c->reply + KZT_SIM_HEADER, p, n);
	c->reply_len = KZT_SIM_HEADER + n;
	c->reply_sent = 0;
}

/* Answer c's complete message; 0, or -1 (logged) to drop a malformed one. */
static int
answer(kzt_card *card, client *c, uint8_t *out)
{
	uint8_t atr[KZT_ATR_LEN], count[4];
	size_t n = c->want, rlen;
	uint32_t apdus;

	switch (c->type) {
	case KZT_SIM_APDU:
		kzt_applet_process(card, c->session, c->payload, n, out, KZT_CARD_MAX_DATA + 2, &rlen);
		if (verbose)
			LOG("client %ld: INS %02X -> SW %02X%02X\n", (long)c->fd, n > 1 ? c->payload[1] : 0,
			    out[rlen - 2], out[rlen - 1]);
		reply(c, KZT_SIM_APDU, out, rlen);
		return 0;
	case KZT_SIM_RESET:
	case KZT_SIM_ATR:
		if (n != 0)
			break;
		if (c->type == KZT_SIM_RESET)
			kzt_card_session_end(card, c->session, 1);
		kzt_proto_atr(atr);
		reply(c, c->type, atr, sizeof(atr));
		return 0;
	case KZT_SIM_STATS:
		if (n != 0)
			break;
		kzt_os_mutex_lock(card->lock);
		apdus = card->apdus;
		kzt_os_mutex_unlock(card->lock);
		count[0] = (uint8_t)(apdus >> 24);
		count[1] = (uint8_t)(apdus >> 16);
		count[2] = (uint8_t)(apdus >> 8);
		count[3] = (uint8_t)apdus;
		reply(c, c->type, count, sizeof(count));
		return 0;
	default:
		break;
	}
	LOG("client %ld: malformed message (type %02X, %zu bytes), disconnecting\n", (long)c->fd, c->type, n);
	return -1;
}

/* Send what the socket takes of c's reply; 0, or -1 when the client is gone. */
static int
flush(client *c, time_t now)
{
	long w;

	while (c->reply_sent < c->reply_len) {
		w = kzt_net_send_some(c->fd, c->reply + c->reply_sent, c->reply_len - c->reply_sent);
		if (w == KZT_NET_AGAIN)
			return 0;
		if (w <= 0)
			return -1;
		c->reply_sent += (size_t)w;
		c->last_progress = now;
	}
	c->reply_len = c->reply_sent = 0;
	return 0;
}

/* Read what has come of c's message and answer it once whole (without waiting
 * for more); 0, or -1 to drop the client (closed, malformed). */
static int
take(kzt_card *card, client *c, uint8_t *out, time_t now)
{
	long r;

	while (c->reply_len == 0) {
		if (c->in_len < KZT_SIM_HEADER)
			r = kzt_net_recv_some(c->fd, c->hdr + c->in_len, KZT_SIM_HEADER - c->in_len);
		else
			r = kzt_net_recv_some(c->fd, c->payload + (c->in_len - KZT_SIM_HEADER),
					      KZT_SIM_HEADER + c->want - c->in_len);
		if (r == KZT_NET_AGAIN)
			return 0;
		if (r <= 0) {
			if (c->in_len > 0)
				LOG("client %ld: closed in the middle of a message\n", (long)c->fd);
			return -1;
		}
		c->in_len += (size_t)r;
		c->last_progress = now;
		if (c->in_len == KZT_SIM_HEADER) {
			if (kzt_simwire_parse_header(c->hdr, &c->type, &c->want) != KZT_OK) {
				LOG("client %ld: a message longer than the protocol allows, disconnecting\n",
				    (long)c->fd);
				return -1;
			}
			/* (one byte more than nothing: a zero-length payload still has a buffer) */
			if ((c->payload = malloc(c->want + 1)) == NULL)
				return -1;
		}
		if (c->in_len == KZT_SIM_HEADER + c->want) {
			r = answer(card, c, out);
			kzt_secure_zero(c->payload, c->want); /* (a VERIFY carries a PIN) */
			free(c->payload);
			c->payload = NULL;
			c->in_len = c->want = 0;
			if (r != 0 || flush(c, now) != 0)
				return -1;
		}
	}
	return 0;
}

/* Is c holding a message half sent, or a reply unread, for too long? */
static int
stalled(const client *c, time_t now)
{
	if ((c->in_len == 0 && c->reply_len == 0) || now - c->last_progress < STALL_SECONDS)
		return 0;
	LOG("client %ld: %s for %d s, disconnecting\n", (long)c->fd,
	    c->reply_len != 0 ? "not reading its reply" : "a message cut short", STALL_SECONDS);
	return 1;
}

/* The vpcd side: a connection when vpcd is there, retried once a second. */
typedef struct vpcd_link {
	char host[256], port[8];
	int fd; /* (vpcd.c's: a descriptor) */
	time_t last_try;
	kzt_card *card;
	kzt_card_session *session;
} vpcd_link;

static void
vpcd_try(vpcd_link *v)
{
	time_t now = time(NULL);

	if (v->fd >= 0 || now == v->last_try)
		return;
	v->last_try = now;
	if ((v->fd = kzt_vpcd_connect(v->host, v->port)) >= 0) {
		kzt_card_session_end(v->card, v->session, 1); /* a card just inserted */
		LOG("inserted into vpcd at %s:%s\n", v->host, v->port);
	}
}

static void
vpcd_drop(vpcd_link *v)
{
	if (v->fd < 0)
		return;
	kzt_net_close(v->fd);
	v->fd = -1;
	kzt_card_session_end(v->card, v->session, 1);
	LOG("vpcd at %s:%s went away; retrying every second\n", v->host, v->port);
}

typedef struct server server;

/* A thread serving its share of the connections. Loop 0, the main thread's, also
 * accepts them, handing each to the loop that has the fewest, and serves vpcd. */
typedef struct loop {
	server *srv;
	int id;
	kzt_sock wake[2]; /* a byte sent on [1] wakes the loop, waiting on [0] */
	client *clients[MAX_CLIENTS];
	int nclients;
	client *handed[MAX_CLIENTS]; /* (the server's lock) accepted for this loop */
	int nhanded;
	kzt_sock wait_on[MAX_CLIENTS + 3];
	unsigned char want[MAX_CLIENTS + 3], ready[MAX_CLIENTS + 3];
	uint8_t out[KZT_CARD_MAX_DATA + 2];
	kzt_os_thread *thread;
	int failed;
} loop;

struct server {
	kzt_card card;      /* its own lock is card.lock */
	kzt_os_mutex *lock; /* the loops' shared bookkeeping: */
	int load[LOOPS];    /*   the connections each loop has or is handed */
	int stopping;       /*   every loop is to end */
	loop *loops[LOOPS];
	kzt_sock lfd;
	const char *vpcd; /* (loop 0's) */
	vpcd_link link;
	uint8_t *in;
};

static void
wake(loop *l)
{
	static const uint8_t byte = 1;

	/* (KZT_NET_AGAIN: a wake-up is already on its way) */
	kzt_net_send_some(l->wake[1], &byte, 1);
}

static void
stop_all(server *srv)
{
	int i;

	kzt_os_mutex_lock(srv->lock);
	srv->stopping = 1;
	kzt_os_mutex_unlock(srv->lock);
	for (i = 0; i < LOOPS; i++)
		wake(srv->loops[i]);
}

static void
free_client(client *c)
{
	kzt_net_close(c->fd);
	if (c->session != NULL)
		kzt_card_session_end(c->card, c->session, 0); /* wipes its logins and buffers */
	free(c->session);
	if (c->payload != NULL) {
		kzt_secure_zero(c->payload, c->want);
		free(c->payload);
	}
	kzt_secure_zero(c, sizeof(*c));
	free(c);
}

static void
drop(loop *l, int i)
{
	free_client(l->clients[i]);
	l->clients[i] = l->clients[--l->nclients];
	kzt_os_mutex_lock(l->srv->lock);
	l->srv->load[l->id]--;
	kzt_os_mutex_unlock(l->srv->lock);
}

/* Accept one connection for the loop that has the fewest (loop 0 is the caller). */
static void
accept_client(server *srv, time_t now)
{
	kzt_sock fd;
	client *c;
	loop *to = NULL;
	int i, total = 0, best = 0;

	if (kzt_net_accept(srv->lfd, &fd) != KZT_OK)
		return;
	if (kzt_net_set_nonblocking(fd) != KZT_OK || (c = calloc(1, sizeof(*c))) == NULL) {
		kzt_net_close(fd);
		return;
	}
	c->fd = fd;
	c->card = &srv->card;
	c->last_progress = now;
	if ((c->session = calloc(1, sizeof(kzt_card_session))) == NULL) {
		free_client(c);
		return;
	}
	kzt_os_mutex_lock(srv->lock);
	for (i = 0; i < LOOPS; i++) {
		total += srv->load[i];
		if (srv->load[i] < srv->load[best])
			best = i;
	}
	if (total < MAX_CLIENTS) {
		srv->load[best]++;
		to = srv->loops[best];
		if (best == 0)
			to->clients[to->nclients++] = c;
		else
			to->handed[to->nhanded++] = c;
	}
	kzt_os_mutex_unlock(srv->lock);
	if (total == MAX_CLIENTS) {
		LOG("%d clients already connected, the most served at once: refusing one more\n", MAX_CLIENTS);
		free_client(c);
		return;
	}
	if (best != 0)
		wake(to);
	if (verbose)
		LOG("client %ld connected\n", (long)fd);
}

/* A loop's life: wait for its connections (loop 0: and the listener and vpcd),
 * move what can move on each without blocking, until the server stops. */
static void
serve(void *arg)
{
	loop *l = arg;
	server *srv = l->srv;
	kzt_sock lfd = l->id == 0 ? srv->lfd : KZT_SOCK_NONE;
	uint8_t drain[64];
	time_t now;
	int i, n, stop;

	for (;;) {
		kzt_os_mutex_lock(srv->lock);
		stop = srv->stopping;
		while (l->nhanded > 0)
			l->clients[l->nclients++] = l->handed[--l->nhanded];
		kzt_os_mutex_unlock(srv->lock);
		if (!stop && l->id == 0 && stop_requested) {
			stop_all(srv);
			stop = 1;
		}
		if (stop)
			break;
		if (l->id == 0 && srv->vpcd != NULL)
			vpcd_try(&srv->link);
		l->wait_on[0] = l->wake[0];
		l->wait_on[1] = lfd;
		l->wait_on[2] = l->id == 0 && srv->link.fd >= 0 ? (kzt_sock)srv->link.fd : KZT_SOCK_NONE;
		l->want[0] = l->want[1] = l->want[2] = KZT_NET_READ;
		for (i = 0; i < l->nclients; i++) {
			l->wait_on[i + 3] = l->clients[i]->fd;
			l->want[i + 3] = l->clients[i]->reply_len != 0 ? KZT_NET_WRITE : KZT_NET_READ;
		}
		/* (at most a second: vpcd is retried, stalled clients are dropped, and a
		 * stop request that does not interrupt the wait, as on Windows, is seen) */
		n = kzt_net_wait(l->wait_on, l->want, (size_t)l->nclients + 3, l->ready, 1000);
		if (n == KZT_ERR_CANCELLED)
			continue;
		if (n < 0) {
			LOG("waiting for clients: %s\n", kzt_strerror(n));
			l->failed = 1;
			stop_all(srv);
			break;
		}
		now = time(NULL);
		if (l->ready[0])
			while (kzt_net_recv_some(l->wake[0], drain, sizeof(drain)) > 0)
				;
		/* Clients first, from the end, so dropping one never skips another. */
		for (i = l->nclients - 1; i >= 0; i--) {
			client *c = l->clients[i];

			if (((l->ready[i + 3] & KZT_NET_WRITE) && flush(c, now) != 0) ||
			    ((l->ready[i + 3] & KZT_NET_READ) && take(&srv->card, c, l->out, now) != 0) ||
			    stalled(c, now))
				drop(l, i);
		}
		if (l->ready[2] && kzt_vpcd_serve(&srv->card, srv->link.session, srv->link.fd, srv->in,
						  KZT_SIM_MAX_PAYLOAD, l->out, sizeof(l->out), verbose) != 0)
			vpcd_drop(&srv->link);
		if (l->ready[1])
			accept_client(srv, now);
	}
	kzt_os_mutex_lock(srv->lock);
	while (l->nhanded > 0)
		l->clients[l->nclients++] = l->handed[--l->nhanded];
	kzt_os_mutex_unlock(srv->lock);
	while (l->nclients > 0)
		drop(l, l->nclients - 1);
}

static loop *
loop_new(server *srv, int id)
{
	loop *l = calloc(1, sizeof(*l));

	if (l == NULL)
		return NULL;
	l->srv = srv;
	l->id = id;
	if (kzt_net_pair(l->wake) != KZT_OK) {
		free(l);
		return NULL;
	}
	kzt_net_set_nonblocking(l->wake[0]);
	kzt_net_set_nonblocking(l->wake[1]);
	return l;
}

static void
loop_free(loop *l)
{
	if (l == NULL)
		return;
	kzt_net_close(l->wake[0]);
	kzt_net_close(l->wake[1]);
	free(l);
}

/* Serve until a stop request: loops 1.. on threads of their own, loop 0 here.
 * 0, or 1 when serving failed. */
static int
run(server *srv)
{
	int i, started = 1, rc = 0;

	for (i = 0; i < LOOPS; i++)
		if ((srv->loops[i] = loop_new(srv, i)) == NULL) {
			LOG("cannot start serving: %s\n", kzt_strerror(KZT_ERR_NOMEM));
			rc = 1;
			goto out;
		}
	for (; started < LOOPS; started++)
		if (kzt_os_thread_start(&srv->loops[started]->thread, serve, srv->loops[started]) !=
		    KZT_OK) {
			LOG("cannot start a serving thread\n");
			stop_all(srv);
			rc = 1;
			break;
		}
	if (rc == 0)
		serve(srv->loops[0]);
	for (i = 1; i < started; i++) {
		kzt_os_thread_join(srv->loops[i]->thread);
		if (srv->loops[i]->failed)
			rc = 1;
	}
	if (srv->loops[0]->failed)
		rc = 1;
out:
	for (i = 0; i < LOOPS; i++)
		loop_free(srv->loops[i]);
	return rc;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {{"store", required_argument, NULL, 's'},
					     {"socket", required_argument, NULL, 'S'},
					     {"listen", required_argument, NULL, 'L'},
					     {"vpcd", required_argument, NULL, 'P'},
					     {"capacity", required_argument, NULL, 'c'},
					     {"delay-keygen", required_argument, NULL, 'd'},
					     {"fault-at", required_argument, NULL, 'F'},
					     {"verbose", no_argument, NULL, 'v'},
					     {"help", no_argument, NULL, 'h'},
					     {NULL, 0, NULL, 0}};
	static server srv;
	const char *store = NULL, *sock = NULL;
	char listen_spec[300];
	char why[256] = "";
	kzt_card *card = &srv.card;
	vpcd_link *link = &srv.link;
	uint32_t capacity = 0;
	unsigned long delay = 0;
	char *end;
	int c, rc = 1;

	link->fd = -1;
	srv.lfd = KZT_SOCK_NONE;
	while ((c = getopt_long(argc, argv, "vh", opts, NULL)) != -1) {
		switch (c) {
		case 's': store = optarg; break;
		case 'S': sock = optarg; break;
		case 'L': /* --listen HOST:PORT is --socket tcp:HOST:PORT */
			snprintf(listen_spec, sizeof(listen_spec), "tcp:%s", optarg);
			sock = listen_spec;
			break;
		case 'P':
			srv.vpcd = optarg;
			if (!kzt_vpcd_built_in) {
				LOG("--vpcd: not on this system (vpcd is a driver of Linux's pcscd)\n");
				return 2;
			}
			if (parse_vpcd(srv.vpcd, link->host, sizeof(link->host), link->port,
				       sizeof(link->port)) != KZT_OK) {
				LOG("--vpcd: want [HOST:]PORT, PORT from 1 to 65535\n");
				return 2;
			}
			break;
		case 'c':
			if (parse_capacity(optarg, &capacity) != KZT_OK) {
				LOG("--capacity: want a number of bytes from %u to %u\n", KZT_MIN_CAPACITY,
				    KZT_MAX_CAPACITY);
				return 2;
			}
			break;
		case 'd':
			delay = strtoul(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || delay > 3600) {
				LOG("--delay-keygen: want a number of seconds from 0 to 3600\n");
				return 2;
			}
			break;
		case 'F':
			errno = 0;
			fault_at = strtoul(optarg, &end, 10);
			if (*optarg == '\0' || *optarg == '-' || *end != '\0' || errno != 0 || fault_at == 0) {
				LOG("--fault-at: want a step number from 1\n");
				return 2;
			}
			kzt_os_file_on_step(count_step);
			break;
		case 'v': verbose = 1; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (store == NULL || (sock == NULL && srv.vpcd == NULL) || optind != argc) {
		usage(stderr);
		return 2;
	}
	if ((c = kzt_card_open(card, store, why, sizeof(why))) != KZT_OK) {
		if (c == KZT_ERR_STORE)
			LOG("%s: %s; refusing to start (the file is left as it is: move it "
			    "aside to start a factory-fresh token)\n", store, why);
		else
			LOG("%s: %s\n", store, kzt_strerror(c));
		return 1;
	}
	card->keygen_delay = (unsigned)delay;
	if (capacity != 0 && set_capacity(card, capacity) != KZT_OK)
		goto out;
	if (kzt_os_mutex_new(&card->lock) != KZT_OK || kzt_os_mutex_new(&srv.lock) != KZT_OK) {
		LOG("%s\n", kzt_strerror(KZT_ERR_NOMEM));
		goto out;
	}
	kzt_process_on_stop(on_stop);
	if (sock != NULL && (srv.lfd = listen_on(sock)) == KZT_SOCK_NONE)
		goto out;
	if (srv.lfd != KZT_SOCK_NONE)
		kzt_net_set_nonblocking(srv.lfd); /* (a client gone before accept: no wait) */
	srv.in = malloc(KZT_SIM_MAX_PAYLOAD);
	link->session = calloc(1, sizeof(*link->session));
	link->card = card;
	if (srv.in == NULL || link->session == NULL)
		goto out_sock;
	LOG("serving token %02X%02X%02X%02X%02X%02X%02X%02X on %s%s%s\n", card->st.serial[0],
	    card->st.serial[1], card->st.serial[2], card->st.serial[3], card->st.serial[4],
	    card->st.serial[5], card->st.serial[6], card->st.serial[7], sock != NULL ? sock : "",
	    sock != NULL && srv.vpcd != NULL ? " and " : "", srv.vpcd != NULL ? "vpcd" : "");
	if (run(&srv) == 0) {
		LOG("stopping\n");
		rc = 0;
	}
out_sock:
	if (link->fd >= 0)
		kzt_net_close(link->fd);
	if (link->session != NULL) {
		kzt_card_session_end(card, link->session, 0);
		free(link->session);
	}
	if (srv.lfd != KZT_SOCK_NONE) {
		kzt_net_close(srv.lfd);
		if (strncmp(sock, "tcp:", 4) != 0)
			remove(sock);
	}
out:
	free(srv.in);
	kzt_os_mutex_free(srv.lock);
	kzt_os_mutex_free(card->lock);
	card->lock = NULL;
	kzt_card_close(card);
	return rc;
}
