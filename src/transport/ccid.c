/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* A CCID reader's card as a transport (see ccid.h), over the USB I/O interface.
 *
 * One command is outstanding at a time, so a reply must carry the command's
 * sequence number, slot and reply type; anything else means the message stream
 * can no longer be trusted, and the card is reported gone (to be powered anew)
 * rather than guessed at. Time extensions are waited out, however many come: the
 * module sets no timeout of its own. Card events come from the interrupt endpoint
 * where the reader has one, else from GetSlotStatus. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ccid.h"
#include "kzt_err.h"
#include "log.h"
#include "t1.h"

#define SHORT_APDU_MAX (5 + 255 + 1)

typedef struct ccid_priv {
	kzt_usb_io *io;
	kzt_ccid_desc desc;
	int attached; /* io attached and its descriptor read */
	int powered;  /* we powered the card, and it has not been seen to go */
	int lost;     /* the powered card went away (or the link broke): say so once */
	int present;  /* as the interrupt endpoint last told: 1, 0, or -1 unknown */
	uint8_t seq;
	kzt_t1 t1;      /* TPDU level: the T=1 link */
	uint8_t *out;   /* KZT_CCID_MSG_MAX bytes: the message being sent */
	uint8_t *in;    /* KZT_CCID_MSG_MAX bytes: the reply being read */
} ccid_priv;

static uint32_t
level(const ccid_priv *p)
{
	return p->desc.features & KZT_CCID_LEVEL_MASK;
}

/* The reader is no longer there: let it go, and its card with it. */
static void
unplugged(ccid_priv *p)
{
	if (p->attached)
		p->io->ops->detach(p->io);
	p->attached = 0;
	p->powered = 0;
	p->present = -1;
}

static int
attach(kzt_transport *t)
{
	ccid_priv *p = t->priv;
	int r;

	if (p->attached)
		return KZT_OK;
	if ((r = p->io->ops->attach(p->io)) != KZT_OK)
		return r;
	if ((r = kzt_ccid_desc_parse(p->io->desc, p->io->desc_len, &p->desc)) != KZT_OK) {
		kzt_log(KZT_LOG_ERROR, "%s: CCID descriptor %s", p->io->name,
			r == KZT_ERR_PARSE ? "malformed" : "of a reader this module cannot drive");
		p->io->ops->detach(p->io);
		return KZT_ERR_NOT_FOUND;
	}
	p->attached = 1;
	p->present = -1;
	p->seq = 0;
	return KZT_OK;
}

/* One message from bulk-in. USB ends a transfer with a short packet (or a
 * zero-length one), and our buffer holds the longest message the reader may
 * send, so a transfer is one whole message: a reply whose dwLength says more or
 * less than came is malformed, and is never waited on for the rest. */
static int
read_message(ccid_priv *p, size_t *n)
{
	size_t cap = p->desc.max_message < KZT_CCID_MSG_MAX ? p->desc.max_message : KZT_CCID_MSG_MAX;
	int r;

	do {
		if ((r = p->io->ops->bulk_in(p->io, p->in, cap, n)) != KZT_OK)
			return r;
	} while (*n == 0); /* a zero-length packet between messages */
	return KZT_OK;
}

static uint8_t
reply_type(uint8_t command)
{
	switch (command) {
	case KZT_CCID_PC_SET_PARAMETERS: return KZT_CCID_RDR_PARAMETERS;
	case KZT_CCID_PC_POWER_OFF:
	case KZT_CCID_PC_GET_SLOT_STATUS: return KZT_CCID_RDR_SLOT_STATUS;
	default: return KZT_CCID_RDR_DATA_BLOCK;
	}
}

/* Send one command and read its reply into *rep (data in p->in). A reply that
 * breaks the protocol is KZT_ERR_PROTOCOL and loses the card; a command the reader
 * failed is mapped from bError; an unplugged reader is KZT_ERR_NO_CARD. */
static int
command(ccid_priv *p, uint8_t type, const uint8_t param[3], const uint8_t *data, size_t len,
	kzt_ccid_reply *rep)
{
	uint8_t seq = p->seq++;
	size_t n;
	int r;

	if (len > p->desc.max_message - KZT_CCID_HEADER)
		return KZT_ERR_ARGS;
	kzt_ccid_msg_put(p->out, type, 0, seq, param, data, len);
	if ((r = p->io->ops->bulk_out(p->io, p->out, KZT_CCID_HEADER + len)) != KZT_OK)
		goto io_failed;
	for (;;) {
		if ((r = read_message(p, &n)) != KZT_OK)
			goto io_failed;
		if (kzt_ccid_reply_parse(p->in, n, rep) != KZT_OK || rep->type != reply_type(type) ||
		    rep->slot != 0 || rep->seq != seq || KZT_CCID_CMD(rep->status) == 3 ||
		    KZT_CCID_ICC(rep->status) == 3) {
			kzt_log(KZT_LOG_ERROR,
				"%s: malformed CCID reply to command 0x%02X (type 0x%02X, seq %u for %u, %zu bytes)",
				p->io->name, type, p->in[0], n > 6 ? p->in[6] : 0, seq, n);
			r = KZT_ERR_PROTOCOL;
			goto io_failed;
		}
		if (KZT_CCID_CMD(rep->status) != KZT_CCID_CMD_TIME_EXTENSION)
			break;
		/* the card works on: the reader says so and keeps waiting, and so do we */
		kzt_log(KZT_LOG_TRACE, "%s: time extension (x%u)", p->io->name, rep->error);
	}
	if (KZT_CCID_ICC(rep->status) == KZT_CCID_ICC_ABSENT) {
		p->powered = 0;
		p->present = 0;
		return KZT_ERR_NO_CARD;
	}
	if (KZT_CCID_CMD(rep->status) == KZT_CCID_CMD_FAILED) {
		if (rep->error == KZT_CCID_ERR_ICC_MUTE) {
			p->powered = 0; /* the card does not answer: as good as gone */
			return KZT_ERR_NO_CARD;
		}
		kzt_log(KZT_LOG_ERROR, "%s: the reader failed command 0x%02X (bError 0x%02X)",
			p->io->name, type, rep->error);
		return KZT_ERR_IO;
	}
	return KZT_OK;
io_failed:
	if (r == KZT_ERR_NO_CARD) {
		unplugged(p);
	} else if (r == KZT_ERR_PROTOCOL) {
		p->lost = p->powered;
		p->powered = 0;
	}
	return r;
}

/* XfrBlock: data in, the DataBlock's data and bChainParameter out. */
static int
xfr_block(ccid_priv *p, const uint8_t *data, size_t len, uint8_t bwi, uint16_t lvl,
	  kzt_ccid_reply *rep)
{
	const uint8_t param[3] = {bwi, (uint8_t)lvl, (uint8_t)(lvl >> 8)};

	return command(p, KZT_CCID_PC_XFR_BLOCK, param, data, len, rep);
}

/* T=1 below kzt_t1: one block per XfrBlock. */
static int
t1_xfer(void *ctx, const uint8_t *block, size_t len, uint8_t bwi, uint8_t *reply, size_t cap,
	size_t *reply_len)
{
	kzt_ccid_reply rep;
	int r = xfr_block(ctx, block, len, bwi, 0, &rep);

	if (r != KZT_OK)
		return r;
	if (rep.len > cap)
		return KZT_ERR_PARSE; /* no block is that long: a bad block */
	memcpy(reply, rep.data, rep.len);
	*reply_len = rep.len;
	return KZT_OK;
}

/* APDU level: the APDU in as many XfrBlocks as the reader's message length needs,
 * the response likewise (CCID 1.1, 6.1.4 wLevelParameter, 6.2.1 bChainParameter). */
static int
apdu_exchange(ccid_priv *p, const uint8_t *cmd, size_t n, uint8_t *resp, size_t cap,
	      size_t *rlen)
{
	size_t room = p->desc.max_message - KZT_CCID_HEADER, off = 0, part, got = 0;
	kzt_ccid_reply rep;
	uint16_t lvl;
	uint8_t chain;
	int r, first;

	if (level(p) == KZT_CCID_LEVEL_SHORT_APDU && n > SHORT_APDU_MAX)
		return KZT_ERR_ARGS; /* the token layer keeps to short APDUs here */
	do {
		part = n - off < room ? n - off : room;
		lvl = off == 0 ? (part == n ? KZT_CCID_CHAIN_WHOLE : KZT_CCID_CHAIN_BEGIN)
			       : (off + part == n ? KZT_CCID_CHAIN_END : KZT_CCID_CHAIN_MORE);
		if ((r = xfr_block(p, cmd + off, part, 0, lvl, &rep)) != KZT_OK)
			return r;
		off += part;
		if (off < n && (rep.extra != KZT_CCID_CHAIN_ASK || rep.len != 0))
			goto bad_chain;
	} while (off < n);
	for (first = 1;; first = 0) {
		chain = rep.extra;
		if (first ? chain != KZT_CCID_CHAIN_WHOLE && chain != KZT_CCID_CHAIN_BEGIN
			  : chain != KZT_CCID_CHAIN_MORE && chain != KZT_CCID_CHAIN_END)
			goto bad_chain;
		if (rep.len > cap - got) {
			kzt_log(KZT_LOG_ERROR, "%s: response longer than %zu bytes", p->io->name, cap);
			return KZT_ERR_BUFFER;
		}
		memcpy(resp + got, rep.data, rep.len);
		got += rep.len;
		if (chain == KZT_CCID_CHAIN_WHOLE || chain == KZT_CCID_CHAIN_END)
			break;
		if (level(p) != KZT_CCID_LEVEL_EXT_APDU)
			goto bad_chain;
		if ((r = xfr_block(p, NULL, 0, 0, KZT_CCID_CHAIN_ASK, &rep)) != KZT_OK)
			return r;
	}
	if (got < 2)
		goto bad_chain;
	*rlen = got;
	return KZT_OK;
bad_chain:
	kzt_log(KZT_LOG_ERROR, "%s: CCID reply out of the APDU chaining protocol (bChainParameter 0x%02X, %zu bytes)",
		p->io->name, rep.extra, rep.len);
	p->lost = p->powered;
	p->powered = 0;
	return KZT_ERR_PROTOCOL;
}

/* Drain the interrupt endpoint: card insertions and removals (CCID 1.1, 6.3). */
static void
read_events(ccid_priv *p)
{
	uint8_t msg[64];
	size_t n;

	if (p->io->ops->intr_in == NULL || !p->attached)
		return;
	while (p->io->ops->intr_in(p->io, msg, sizeof(msg), &n) == KZT_OK) {
		if (n >= 2 && msg[0] == KZT_CCID_RDR_NOTIFY_SLOT_CHANGE) {
			int here = msg[1] & 1, changed = (msg[1] & 2) != 0;

			if (p->powered && (changed || !here)) {
				/* the card we powered went out (another may be in now) */
				p->powered = 0;
				p->lost = 1;
			}
			p->present = here;
		} else if (n >= 4 && msg[0] == KZT_CCID_RDR_HARDWARE_ERROR) {
			kzt_log(KZT_LOG_ERROR, "%s: reader hardware error 0x%02X", p->io->name, msg[3]);
		} else {
			kzt_log(KZT_LOG_INFO, "%s: interrupt message of %zu bytes ignored", p->io->name, n);
		}
	}
}

static void
ccid_disconnect(kzt_transport *t)
{
	ccid_priv *p = t->priv;
	static const uint8_t none[3] = {0, 0, 0};
	kzt_ccid_reply rep;

	if (p->powered)
		command(p, KZT_CCID_PC_POWER_OFF, none, NULL, 0, &rep);
	p->powered = 0;
	p->lost = 0;
}

static int
ccid_connect(kzt_transport *t, uint8_t *atr, size_t *atr_len)
{
	ccid_priv *p = t->priv;
	static const uint8_t automatic[3] = {0, 0, 0}; /* bPowerSelect: automatic voltage */
	const uint8_t t1_proto[3] = {1, 0, 0};
	uint8_t params[7];
	kzt_ccid_reply rep;
	int r;

	ccid_disconnect(t);
	if ((r = attach(t)) != KZT_OK)
		return r;
	if ((r = command(p, KZT_CCID_PC_POWER_ON, automatic, NULL, 0, &rep)) != KZT_OK)
		return r;
	if (rep.len == 0 || rep.len > KZT_ATR_MAX) {
		kzt_log(KZT_LOG_ERROR, "%s: ATR of %zu bytes", p->io->name, rep.len);
		return KZT_ERR_PROTOCOL;
	}
	memcpy(atr, rep.data, rep.len);
	*atr_len = rep.len;
	p->powered = 1;
	p->lost = 0;
	p->present = 1;
	/* (T=1 carries extended APDUs too; a short-APDU reader does not) */
	t->short_apdus = level(p) == KZT_CCID_LEVEL_SHORT_APDU;
	if (level(p) != KZT_CCID_LEVEL_TPDU)
		return KZT_OK;
	/* TPDU level: this module speaks T=1 to the card itself */
	if ((r = kzt_t1_atr_params(atr, *atr_len, params)) != KZT_OK) {
		kzt_log(KZT_LOG_ERROR, "%s: the card's ATR offers no T=1 this module can use", p->io->name);
		return KZT_ERR_NOT_FOUND;
	}
	if (!(p->desc.features & KZT_CCID_AUTO_NEGOTIATE) &&
	    (r = command(p, KZT_CCID_PC_SET_PARAMETERS, t1_proto, params, sizeof(params), &rep)) != KZT_OK)
		return r;
	kzt_t1_init(&p->t1, params[5], t1_xfer, p);
	if (!(p->desc.features & KZT_CCID_AUTO_IFSD))
		r = kzt_t1_set_ifsd(&p->t1, p->desc.max_ifsd != 0 && p->desc.max_ifsd < KZT_T1_INF_MAX
						    ? (uint8_t)p->desc.max_ifsd : KZT_T1_INF_MAX);
	return r;
}

static int
ccid_transmit(kzt_transport *t, const uint8_t *cmd, size_t cmd_len, uint8_t *resp,
	      size_t resp_cap, size_t *resp_len)
{
	ccid_priv *p = t->priv;
	int r;

	if (!p->powered || p->lost)
		return KZT_ERR_NO_CARD;
	if (level(p) != KZT_CCID_LEVEL_TPDU)
		return apdu_exchange(p, cmd, cmd_len, resp, resp_cap, resp_len);
	r = kzt_t1_transceive(&p->t1, cmd, cmd_len, resp, resp_cap, resp_len);
	if (p->t1.broken) { /* power it anew */
		p->lost = p->powered;
		p->powered = 0;
	}
	return r;
}

static int
ccid_begin(kzt_transport *t)
{
	ccid_priv *p = t->priv;

	read_events(p);
	if (p->lost) {
		p->lost = 0;
		return KZT_ERR_NO_CARD;
	}
	return KZT_OK;
}

static int
ccid_present(kzt_transport *t)
{
	ccid_priv *p = t->priv;
	static const uint8_t none[3] = {0, 0, 0};
	kzt_ccid_reply rep;
	int r;

	if (attach(t) != KZT_OK)
		return 0;
	read_events(p);
	if (p->present >= 0 && p->io->ops->intr_in != NULL)
		return p->lost ? 0 : p->present;
	r = command(p, KZT_CCID_PC_GET_SLOT_STATUS, none, NULL, 0, &rep);
	if (r == KZT_ERR_NO_CARD)
		return 0;
	if (r != KZT_OK)
		return -1;
	if (p->powered && KZT_CCID_ICC(rep.status) != KZT_CCID_ICC_ACTIVE) {
		p->powered = 0; /* powered down or swapped behind our back */
		p->lost = 1;
	}
	p->present = KZT_CCID_ICC(rep.status) != KZT_CCID_ICC_ABSENT;
	return p->lost ? 0 : p->present;
}

static void
ccid_destroy(kzt_transport *t)
{
	ccid_priv *p = t->priv;

	unplugged(p);
	p->io->ops->destroy(p->io);
	free(p->out);
	free(p->in);
	free(p);
	free(t);
}

static const kzt_transport_ops ccid_ops = {
	.name = "ccid",
	.connect = ccid_connect,
	.transmit = ccid_transmit,
	.disconnect = ccid_disconnect,
	.destroy = ccid_destroy,
	.begin = ccid_begin,
	.present = ccid_present,
};

int
kzt_transport_ccid_new(kzt_usb_io *io, kzt_transport **out)
{
	kzt_transport *t;
	ccid_priv *p;

	*out = NULL;
	if ((t = kzt_transport_alloc(&ccid_ops, sizeof(*p))) == NULL) {
		io->ops->destroy(io);
		return KZT_ERR_NOMEM;
	}
	p = t->priv;
	p->io = io;
	p->present = -1;
	if ((p->out = malloc(KZT_CCID_MSG_MAX)) == NULL || (p->in = malloc(KZT_CCID_MSG_MAX)) == NULL) {
		ccid_destroy(t);
		return KZT_ERR_NOMEM;
	}
	snprintf(t->description, sizeof(t->description), "%s", io->description);
	*out = t;
	return KZT_OK;
}
