/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* Transport to kaztoken-sim over its unix socket, or TCP loopback (tcp:HOST:PORT;
 * framing in apdu/simwire.h). A refused or missing socket means "no token"; a
 * closed connection means the token was removed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kzt_err.h"
#include "net.h"
#include "simwire.h"
#include "transport.h"

typedef struct sim_priv {
	kzt_net_addr addr;
	kzt_sock sock; /* KZT_SOCK_NONE while disconnected */
} sim_priv;

static void
sim_disconnect(kzt_transport *t)
{
	sim_priv *p = t->priv;

	kzt_net_close(p->sock);
	p->sock = KZT_SOCK_NONE;
}

/* One request / reply of the given type; a failure drops the connection. */
static int
sim_call(kzt_transport *t, uint8_t type, const uint8_t *in, size_t in_len, uint8_t *out,
	 size_t out_cap, size_t *out_len)
{
	sim_priv *p = t->priv;
	uint8_t rtype;
	int r;

	if (p->sock == KZT_SOCK_NONE)
		return KZT_ERR_NO_CARD;
	if ((r = kzt_simwire_send(p->sock, type, in, in_len)) == KZT_OK &&
	    (r = kzt_simwire_recv(p->sock, &rtype, out, out_cap, out_len)) == KZT_OK && rtype != type)
		r = KZT_ERR_PARSE;
	if (r != KZT_OK) {
		sim_disconnect(t);
		/* A reply too large for the caller is the caller's problem, not removal. */
		return r == KZT_ERR_PARSE ? KZT_ERR_CARD : KZT_ERR_NO_CARD;
	}
	return KZT_OK;
}

static int
sim_connect(kzt_transport *t, uint8_t *atr, size_t *atr_len)
{
	sim_priv *p = t->priv;
	int r;

	sim_disconnect(t);
	if ((r = kzt_net_connect(&p->addr, &p->sock)) != KZT_OK)
		return r == KZT_ERR_IO ? r : KZT_ERR_NO_CARD;
	t->session_ours = 1; /* (each connection is a card session of its own) */
	return sim_call(t, KZT_SIM_RESET, NULL, 0, atr, KZT_ATR_MAX, atr_len);
}

static int
sim_transmit(kzt_transport *t, const uint8_t *cmd, size_t cmd_len, uint8_t *resp,
	     size_t resp_cap, size_t *resp_len)
{
	return sim_call(t, KZT_SIM_APDU, cmd, cmd_len, resp, resp_cap, resp_len);
}

static void
sim_destroy(kzt_transport *t)
{
	free(t->priv);
	free(t);
}

static int sim_clone(kzt_transport *t, kzt_transport **out);

static const kzt_transport_ops sim_ops = {
	.name = "sim",
	.connect = sim_connect,
	.transmit = sim_transmit,
	.disconnect = sim_disconnect,
	.destroy = sim_destroy,
	.clone = sim_clone,
};

/* A transport to the same address; each connection is a card session of its own. */
static int
sim_new(const kzt_net_addr *addr, kzt_transport **out)
{
	kzt_transport *t;
	sim_priv *p;

	if ((t = kzt_transport_alloc(&sim_ops, sizeof(*p))) == NULL)
		return KZT_ERR_NOMEM;
	p = t->priv;
	p->sock = KZT_SOCK_NONE;
	p->addr = *addr;
	snprintf(t->description, sizeof(t->description), "KAZTOKEN virtual reader");
	*out = t;
	return KZT_OK;
}

static int
sim_clone(kzt_transport *t, kzt_transport **out)
{
	return sim_new(&((sim_priv *)t->priv)->addr, out);
}

int
kzt_transport_sim_new(const char *path, kzt_transport **out)
{
	kzt_net_addr addr;

	*out = NULL;
	if (kzt_simwire_address(path, &addr) != KZT_OK)
		return KZT_ERR_ARGS;
	if (!kzt_net_family_supported(addr.family))
		return KZT_ERR_NOT_SUPPORTED; /* (a unix socket path on Windows) */
	return sim_new(&addr, out);
}
