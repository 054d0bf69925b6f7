/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* An emulated USB CCID reader with a KAZTOKEN in it, behind the module's USB I/O
 * interface (src/transport/ccid.h): the reader answers CCID messages as CCID 1.1
 * says, at APDU, extended-APDU or TPDU (T=1) level, and the card is the applet of
 * kaztoken-sim, in memory. Knobs make it slow (time extensions, WTX), remove and
 * insert the card (interrupt endpoint), and break its replies on purpose. For the
 * tests and the benchmark: no hardware needed. */
#ifndef KZT_CCID_EMU_H
#define KZT_CCID_EMU_H

#include <stddef.h>
#include <stdint.h>

#include "card.h"
#include "ccid.h"

/* How the next reply (or replies) is broken. */
enum ccid_emu_fault {
	EMU_FAULT_NONE,
	EMU_FAULT_SHORT,      /* fewer bytes than a header */
	EMU_FAULT_TYPE,       /* the wrong bMessageType */
	EMU_FAULT_SEQ,        /* the wrong bSeq */
	EMU_FAULT_SLOT,       /* the wrong bSlot */
	EMU_FAULT_LENGTH_BIG, /* dwLength far beyond the reader's maximum */
	EMU_FAULT_LENGTH_LIE, /* dwLength smaller than the data that comes */
	EMU_FAULT_STATUS_RFU, /* bmCommandStatus 3 */
	EMU_FAULT_HW_ERROR,   /* the command failed: hardware error */
	EMU_FAULT_MUTE,       /* the command failed: the card does not answer */
	EMU_FAULT_CHAIN,      /* APDU level: a bChainParameter out of the protocol */
	EMU_FAULT_ATR_LONG,   /* power-on: an ATR of 40 bytes */
	EMU_FAULT_T1_LRC,     /* TPDU level: the card's block has a bad LRC */
	EMU_FAULT_T1_GARBAGE, /* TPDU level: the card's block is no block */
};

typedef struct ccid_emu {
	kzt_usb_io io; /* give &io to kzt_transport_ccid_new; ccid_emu_free after */
	kzt_card card;
	kzt_card_session session;
	/* the reader */
	uint32_t features;    /* dwFeatures, exchange level included */
	uint32_t max_message; /* dwMaxCCIDMessageLength */
	int has_interrupt;    /* an interrupt endpoint for card events */
	int plugged, present, powered;
	/* knobs */
	unsigned time_extensions; /* CCID time extensions before each XfrBlock reply */
	unsigned wtx;             /* T=1: S(WTX) requests before each response */
	enum ccid_emu_fault fault;
	unsigned fault_count; /* replies broken (T=1 faults: blocks); 0 = none */
	/* counters */
	unsigned power_ons, xfr_blocks, set_parameters, ifs_requests, wtx_sent, resynchs;
	unsigned time_extensions_sent, r_blocks_received, apdus;
	uint8_t ifsd;           /* T=1: what the host said it takes */
	/* private: messages waiting for bulk-in and interrupt reads, T=1 state */
	struct ccid_emu_state *st;
} ccid_emu;

/* A reader with a factory-fresh card in it at exchange level `level`
 * (KZT_CCID_LEVEL_*), messages of up to max_message bytes. */
int ccid_emu_init(ccid_emu *e, uint32_t level, uint32_t max_message);
void ccid_emu_free(ccid_emu *e);
/* Take the card out, or put it back: an interrupt message says so. */
void ccid_emu_remove(ccid_emu *e);
void ccid_emu_insert(ccid_emu *e);
/* Make it a reader without an interrupt endpoint: the host must ask GetSlotStatus. */
void ccid_emu_no_interrupt(ccid_emu *e);

#endif
