/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* The emulated CCID reader (see ccid_emu.h). Its T=1 is the card's side of the
 * protocol, written apart from the host's (src/transport/t1.c) so that the two
 * check each other; only the block framing is shared. */
#include <stdlib.h>
#include <string.h>

#include "ccid_emu.h"
#include "kzt_err.h"
#include "kzt_proto.h"
#include "t1.h"

#define EVENTS_MAX 8

struct ccid_emu_state {
	/* the reply bulk-in hands out next, and how far it got */
	uint8_t reply[KZT_CCID_MSG_MAX];
	size_t reply_len, reply_off;
	unsigned pending_extensions; /* time extensions to hand out before it */
	uint8_t ext_seq;
	uint8_t events[EVENTS_MAX][2];
	size_t nevents;
	/* APDU level: a command arriving in parts, a response leaving in parts */
	uint8_t apdu[KZT_CARD_MAX_DATA + 16];
	size_t apdu_len;
	uint8_t resp[KZT_CARD_MAX_DATA + 2];
	size_t resp_len, resp_off;
	/* T=1, the card's side */
	uint8_t expect;    /* N(S) of the host's next I-block */
	uint8_t cns;       /* N(S) of the card's next new I-block */
	uint8_t last[KZT_T1_BLOCK_MAX];
	size_t last_len;   /* the card's last block, for retransmission */
	unsigned wtx_left; /* WTX requests still to make before the response */
	int sending;       /* a response is being sent in I-blocks */
};

static void
put_event(ccid_emu *e, uint8_t state)
{
	struct ccid_emu_state *s = e->st;

	if (!e->has_interrupt || s->nevents == EVENTS_MAX)
		return;
	s->events[s->nevents][0] = KZT_CCID_RDR_NOTIFY_SLOT_CHANGE;
	s->events[s->nevents][1] = state;
	s->nevents++;
}

static uint8_t
icc_state(const ccid_emu *e)
{
	return !e->present ? KZT_CCID_ICC_ABSENT : e->powered ? KZT_CCID_ICC_ACTIVE : KZT_CCID_ICC_INACTIVE;
}

/* The reply to the command with this seq: type, status, bError, third byte, data. */
static void
reply(ccid_emu *e, uint8_t type, uint8_t seq, uint8_t cmd_status, uint8_t error, uint8_t extra,
      const uint8_t *data, size_t len)
{
	struct ccid_emu_state *s = e->st;
	const uint8_t p[3] = {(uint8_t)(icc_state(e) | cmd_status << 6), error, extra};

	kzt_ccid_msg_put(s->reply, type, 0, seq, p, data, len);
	s->reply_len = KZT_CCID_HEADER + len;
	s->reply_off = 0;
}

static void
failed(ccid_emu *e, uint8_t type, uint8_t seq, uint8_t error)
{
	reply(e, type, seq, KZT_CCID_CMD_FAILED, error, 0, NULL, 0);
}

/* ---- APDU levels ---- */

/* Hand out the next part of the response (extended level: as much as fits). */
static void
response_part(ccid_emu *e, uint8_t seq)
{
	struct ccid_emu_state *s = e->st;
	size_t room = e->max_message - KZT_CCID_HEADER, left = s->resp_len - s->resp_off;
	size_t n = left < room ? left : room;
	int first = s->resp_off == 0, last = n == left;
	uint8_t chain = first ? (last ? KZT_CCID_CHAIN_WHOLE : KZT_CCID_CHAIN_BEGIN)
			      : (last ? KZT_CCID_CHAIN_END : KZT_CCID_CHAIN_MORE);

	reply(e, KZT_CCID_RDR_DATA_BLOCK, seq, KZT_CCID_CMD_OK, 0, chain, s->resp + s->resp_off, n);
	s->resp_off += n;
}

static void
apdu_xfr(ccid_emu *e, uint8_t seq, uint16_t lvl, const uint8_t *data, size_t len)
{
	struct ccid_emu_state *s = e->st;
	uint32_t level = e->features & KZT_CCID_LEVEL_MASK;

	if (lvl == KZT_CCID_CHAIN_ASK) {
		if (s->resp_off >= s->resp_len || len != 0)
			return failed(e, KZT_CCID_RDR_DATA_BLOCK, seq, 7); /* wLevelParameter */
		return response_part(e, seq);
	}
	if (lvl == KZT_CCID_CHAIN_WHOLE || lvl == KZT_CCID_CHAIN_BEGIN)
		s->apdu_len = 0;
	if ((lvl != KZT_CCID_CHAIN_WHOLE && level != KZT_CCID_LEVEL_EXT_APDU) || lvl > 3 ||
	    len > sizeof(s->apdu) - s->apdu_len ||
	    (level == KZT_CCID_LEVEL_SHORT_APDU && len > 261))
		return failed(e, KZT_CCID_RDR_DATA_BLOCK, seq, 1); /* dwLength / wLevel */
	memcpy(s->apdu + s->apdu_len, data, len);
	s->apdu_len += len;
	if (lvl == KZT_CCID_CHAIN_BEGIN || lvl == KZT_CCID_CHAIN_MORE)
		return reply(e, KZT_CCID_RDR_DATA_BLOCK, seq, KZT_CCID_CMD_OK, 0, KZT_CCID_CHAIN_ASK, NULL, 0);
	e->apdus++;
	kzt_applet_process(&e->card, &e->session, s->apdu, s->apdu_len, s->resp, sizeof(s->resp),
			   &s->resp_len);
	s->resp_off = 0;
	if (level == KZT_CCID_LEVEL_SHORT_APDU && s->resp_len > 258)
		s->resp_len = 258; /* (the applet keeps to Le; a short reader could not carry more) */
	response_part(e, seq);
}

/* ---- TPDU level: T=1, the card's side ---- */

static void
t1_send(ccid_emu *e, uint8_t seq, uint8_t pcb, const uint8_t *inf, size_t len)
{
	struct ccid_emu_state *s = e->st;

	s->last_len = kzt_t1_block_put(s->last, pcb, inf, len);
	reply(e, KZT_CCID_RDR_DATA_BLOCK, seq, KZT_CCID_CMD_OK, 0, 0, s->last, s->last_len);
}

static void
t1_resend(ccid_emu *e, uint8_t seq)
{
	struct ccid_emu_state *s = e->st;

	reply(e, KZT_CCID_RDR_DATA_BLOCK, seq, KZT_CCID_CMD_OK, 0, 0, s->last, s->last_len);
}

/* The next I-block of the response, IFSD bytes at most. */
static void
t1_next_part(ccid_emu *e, uint8_t seq)
{
	struct ccid_emu_state *s = e->st;
	size_t left = s->resp_len - s->resp_off, n = left < e->ifsd ? left : e->ifsd;

	if (s->wtx_left > 0) {
		uint8_t mult = 2;

		s->wtx_left--;
		e->wtx_sent++;
		t1_send(e, seq, KZT_T1_S_WTX, &mult, 1);
		return;
	}
	t1_send(e, seq, KZT_T1_I(s->cns, n < left), s->resp + s->resp_off, n);
	s->resp_off += n;
	s->cns ^= 1;
	s->sending = n < left;
}

static void
t1_block(ccid_emu *e, uint8_t seq, const uint8_t *b, size_t n)
{
	struct ccid_emu_state *s = e->st;
	uint8_t pcb;

	if (!kzt_t1_block_ok(b, n))
		return t1_send(e, seq, KZT_T1_R(s->expect, KZT_T1_R_EDC), NULL, 0);
	pcb = b[1];
	if (pcb == KZT_T1_S_IFS && b[2] == 1) {
		e->ifs_requests++;
		e->ifsd = b[3];
		return t1_send(e, seq, KZT_T1_S_IFS | KZT_T1_S_RESPONSE, b + 3, 1);
	}
	if (pcb == KZT_T1_S_RESYNCH) {
		e->resynchs++;
		s->expect = s->cns = 0;
		s->sending = 0;
		s->apdu_len = 0;
		return t1_send(e, seq, KZT_T1_S_RESYNCH | KZT_T1_S_RESPONSE, NULL, 0);
	}
	if (pcb == (KZT_T1_S_WTX | KZT_T1_S_RESPONSE))
		return t1_next_part(e, seq);
	if (KZT_T1_IS_R(pcb)) {
		e->r_blocks_received++;
		if (s->sending && ((pcb >> 4) & 1) == s->cns && (pcb & 0x0F) == 0)
			return t1_next_part(e, seq);
		return t1_resend(e, seq);
	}
	if (!KZT_T1_IS_I(pcb))
		return t1_send(e, seq, KZT_T1_R(s->expect, KZT_T1_R_OTHER), NULL, 0);
	if (((pcb >> 6) & 1) != s->expect)
		return t1_resend(e, seq); /* a repeat: our answer got lost */
	s->expect ^= 1;
	if (b[2] > sizeof(s->apdu) - s->apdu_len)
		s->apdu_len = 0;
	memcpy(s->apdu + s->apdu_len, b + 3, b[2]);
	s->apdu_len += b[2];
	if (pcb & 0x20)
		return t1_send(e, seq, KZT_T1_R(s->expect, 0), NULL, 0);
	e->apdus++;
	kzt_applet_process(&e->card, &e->session, s->apdu, s->apdu_len, s->resp, sizeof(s->resp),
			   &s->resp_len);
	s->apdu_len = 0;
	s->resp_off = 0;
	s->wtx_left = e->wtx;
	t1_next_part(e, seq);
}

/* ---- the reader ---- */

static void
power_on(ccid_emu *e, uint8_t seq)
{
	struct ccid_emu_state *s = e->st;
	uint8_t atr[40];
	size_t len = KZT_ATR_LEN;

	if (!e->present)
		return failed(e, KZT_CCID_RDR_DATA_BLOCK, seq, KZT_CCID_ERR_ICC_MUTE);
	e->power_ons++;
	e->powered = 1;
	e->ifsd = 32;
	kzt_card_session_reset(&e->session);
	s->expect = s->cns = 0;
	s->sending = 0;
	s->apdu_len = 0;
	kzt_proto_atr(atr);
	if (e->fault == EMU_FAULT_ATR_LONG && e->fault_count > 0) {
		e->fault_count--;
		memset(atr + KZT_ATR_LEN, 0, sizeof(atr) - KZT_ATR_LEN);
		len = sizeof(atr);
	}
	reply(e, KZT_CCID_RDR_DATA_BLOCK, seq, KZT_CCID_CMD_OK, 0, 0, atr, len);
}

static void
command(ccid_emu *e, const uint8_t *m, size_t n)
{
	struct ccid_emu_state *s = e->st;
	uint32_t len = n >= KZT_CCID_HEADER ? (uint32_t)m[1] | (uint32_t)m[2] << 8 |
						      (uint32_t)m[3] << 16 | (uint32_t)m[4] << 24
					   : 0;
	uint8_t seq = n > 6 ? m[6] : 0;

	s->pending_extensions = 0;
	if (n < KZT_CCID_HEADER || len != n - KZT_CCID_HEADER || m[5] != 0)
		return failed(e, KZT_CCID_RDR_SLOT_STATUS, seq, m[5] != 0 ? 5 : 1);
	switch (m[0]) {
	case KZT_CCID_PC_POWER_ON: return power_on(e, seq);
	case KZT_CCID_PC_POWER_OFF:
		e->powered = 0;
		return reply(e, KZT_CCID_RDR_SLOT_STATUS, seq, KZT_CCID_CMD_OK, 0, 0, NULL, 0);
	case KZT_CCID_PC_GET_SLOT_STATUS:
		return reply(e, KZT_CCID_RDR_SLOT_STATUS, seq, KZT_CCID_CMD_OK, 0, 0, NULL, 0);
	case KZT_CCID_PC_SET_PARAMETERS:
		if (m[7] != 1 || len != 7)
			return failed(e, KZT_CCID_RDR_PARAMETERS, seq, 7);
		e->set_parameters++;
		return reply(e, KZT_CCID_RDR_PARAMETERS, seq, KZT_CCID_CMD_OK, 0, 1, m + KZT_CCID_HEADER, 7);
	case KZT_CCID_PC_XFR_BLOCK:
		e->xfr_blocks++;
		if (!e->present || !e->powered)
			return failed(e, KZT_CCID_RDR_DATA_BLOCK, seq, KZT_CCID_ERR_ICC_MUTE);
		s->pending_extensions = e->time_extensions;
		s->ext_seq = seq;
		if ((e->features & KZT_CCID_LEVEL_MASK) == KZT_CCID_LEVEL_TPDU)
			return t1_block(e, seq, m + KZT_CCID_HEADER, len);
		return apdu_xfr(e, seq, (uint16_t)(m[8] | m[9] << 8), m + KZT_CCID_HEADER, len);
	default:
		return failed(e, KZT_CCID_RDR_SLOT_STATUS, seq, 0); /* command not supported */
	}
}

/* Break the reply as the fault knob says. */
static void
break_reply(ccid_emu *e)
{
	struct ccid_emu_state *s = e->st;
	uint8_t *r = s->reply;

	if (e->fault == EMU_FAULT_NONE || e->fault == EMU_FAULT_ATR_LONG || e->fault_count == 0)
		return;
	e->fault_count--;
	switch (e->fault) {
	case EMU_FAULT_SHORT: s->reply_len = 7; break;
	case EMU_FAULT_TYPE: r[0] ^= 0x01; break;
	case EMU_FAULT_SEQ: r[6]++; break;
	case EMU_FAULT_SLOT: r[5] = 1; break;
	case EMU_FAULT_LENGTH_BIG: r[4] = 0x7F; break;
	case EMU_FAULT_LENGTH_LIE:
		if (s->reply_len > KZT_CCID_HEADER)
			r[1]--; /* (a reply with data) */
		break;
	case EMU_FAULT_STATUS_RFU: r[7] |= 0xC0; break;
	case EMU_FAULT_HW_ERROR:
		r[7] = (uint8_t)((r[7] & 3) | KZT_CCID_CMD_FAILED << 6);
		r[8] = 0xFB;
		s->reply_len = KZT_CCID_HEADER;
		r[1] = r[2] = r[3] = r[4] = 0;
		break;
	case EMU_FAULT_MUTE:
		r[7] = (uint8_t)((r[7] & 3) | KZT_CCID_CMD_FAILED << 6);
		r[8] = KZT_CCID_ERR_ICC_MUTE;
		s->reply_len = KZT_CCID_HEADER;
		r[1] = r[2] = r[3] = r[4] = 0;
		break;
	case EMU_FAULT_CHAIN: r[9] = 0x05; break;
	case EMU_FAULT_T1_LRC:
		if (s->reply_len > KZT_CCID_HEADER)
			r[s->reply_len - 1] ^= 0x5A;
		break;
	case EMU_FAULT_T1_GARBAGE:
		if (s->reply_len > KZT_CCID_HEADER + 2)
			r[KZT_CCID_HEADER + 2] = 0xFF; /* LEN 255: no block */
		break;
	default: break;
	}
}

static int
emu_attach(kzt_usb_io *io)
{
	ccid_emu *e = io->priv;
	uint8_t *d = io->desc;

	if (!e->plugged)
		return KZT_ERR_NO_CARD;
	memset(d, 0, KZT_CCID_DESC_LEN);
	d[0] = KZT_CCID_DESC_LEN;
	d[1] = KZT_CCID_DESC_TYPE;
	d[2] = 0x10; /* bcdCCID 1.10 */
	d[3] = 0x01;
	d[5] = 0x07;                                /* 5 V, 3 V, 1.8 V */
	d[6] = 0x03;                                /* T=0 and T=1 */
	d[28] = 254;                                /* dwMaxIFSD */
	d[40] = (uint8_t)e->features;               /* dwFeatures */
	d[41] = (uint8_t)(e->features >> 8);
	d[42] = (uint8_t)(e->features >> 16);
	d[43] = (uint8_t)(e->features >> 24);
	d[44] = (uint8_t)e->max_message;            /* dwMaxCCIDMessageLength */
	d[45] = (uint8_t)(e->max_message >> 8);
	d[46] = (uint8_t)(e->max_message >> 16);
	d[47] = (uint8_t)(e->max_message >> 24);
	d[48] = 0xFF;                               /* bClassGetResponse: echo */
	d[49] = 0xFF;
	io->desc_len = KZT_CCID_DESC_LEN;
	return KZT_OK;
}

static void
emu_detach(kzt_usb_io *io)
{
	(void)io;
}

static int
emu_bulk_out(kzt_usb_io *io, const uint8_t *buf, size_t len)
{
	ccid_emu *e = io->priv;

	if (!e->plugged)
		return KZT_ERR_NO_CARD;
	command(e, buf, len);
	break_reply(e);
	return KZT_OK;
}

static int
emu_bulk_in(kzt_usb_io *io, uint8_t *buf, size_t cap, size_t *len)
{
	ccid_emu *e = io->priv;
	struct ccid_emu_state *s = e->st;
	size_t n;

	if (!e->plugged)
		return KZT_ERR_NO_CARD;
	if (s->pending_extensions > 0) {
		const uint8_t p[3] = {(uint8_t)(icc_state(e) | KZT_CCID_CMD_TIME_EXTENSION << 6), 1, 0};

		if (cap < KZT_CCID_HEADER)
			return KZT_ERR_BUFFER;
		s->pending_extensions--;
		e->time_extensions_sent++;
		kzt_ccid_msg_put(buf, KZT_CCID_RDR_DATA_BLOCK, 0, s->ext_seq, p, NULL, 0);
		*len = KZT_CCID_HEADER;
		return KZT_OK;
	}
	if (s->reply_off >= s->reply_len)
		return KZT_ERR_IO; /* nothing to read: a real host would wait forever */
	n = s->reply_len - s->reply_off;
	if (n > cap)
		return KZT_ERR_BUFFER;
	memcpy(buf, s->reply + s->reply_off, n);
	s->reply_off += n;
	*len = n;
	return KZT_OK;
}

static int
emu_intr_in(kzt_usb_io *io, uint8_t *buf, size_t cap, size_t *len)
{
	ccid_emu *e = io->priv;
	struct ccid_emu_state *s = e->st;

	if (!e->plugged)
		return KZT_ERR_NO_CARD;
	if (s->nevents == 0)
		return KZT_ERR_TIMEOUT;
	if (cap < 2)
		return KZT_ERR_BUFFER;
	memcpy(buf, s->events[0], 2);
	memmove(s->events[0], s->events[1], (s->nevents - 1) * 2);
	s->nevents--;
	*len = 2;
	return KZT_OK;
}

static void
emu_destroy(kzt_usb_io *io)
{
	(void)io; /* the emulator belongs to whoever made it: ccid_emu_free */
}

static const kzt_usb_io_ops emu_ops = {
	.attach = emu_attach,
	.detach = emu_detach,
	.bulk_out = emu_bulk_out,
	.bulk_in = emu_bulk_in,
	.intr_in = emu_intr_in,
	.destroy = emu_destroy,
};

static const kzt_usb_io_ops emu_ops_no_interrupt = {
	.attach = emu_attach,
	.detach = emu_detach,
	.bulk_out = emu_bulk_out,
	.bulk_in = emu_bulk_in,
	.destroy = emu_destroy,
};

int
ccid_emu_init(ccid_emu *e, uint32_t level, uint32_t max_message)
{
	int r;

	memset(e, 0, sizeof(*e));
	if ((e->st = calloc(1, sizeof(*e->st))) == NULL)
		return KZT_ERR_NOMEM;
	if ((r = kzt_card_open(&e->card, NULL, NULL, 0)) != KZT_OK) {
		free(e->st);
		return r;
	}
	e->features = level | KZT_CCID_AUTO_PARAMS;
	e->max_message = max_message;
	e->has_interrupt = 1;
	e->plugged = e->present = 1;
	e->ifsd = 32;
	e->io.ops = &emu_ops;
	e->io.priv = e;
	strcpy(e->io.name, "emu:ccid");
	strcpy(e->io.description, "Emulated CCID reader");
	return KZT_OK;
}

void
ccid_emu_free(ccid_emu *e)
{
	kzt_card_close(&e->card);
	free(e->st);
	e->st = NULL;
}

void
ccid_emu_remove(ccid_emu *e)
{
	e->present = e->powered = 0;
	put_event(e, 0x02); /* changed, absent */
}

void
ccid_emu_insert(ccid_emu *e)
{
	e->present = 1;
	put_event(e, 0x03); /* changed, present */
}

void
ccid_emu_no_interrupt(ccid_emu *e)
{
	e->has_interrupt = 0;
	e->io.ops = &emu_ops_no_interrupt;
}
