/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* USB CCID readers (USB CCID specification 1.1) without pcscd: the class
 * descriptor and messages (ccid_msg.c), the reader as a transport over a USB I/O
 * interface (ccid.c), and that interface over libusb-1.0 (ccid_usb.c). Tests and
 * the benchmark put an emulated reader behind the same interface. */
#ifndef KZT_CCID_H
#define KZT_CCID_H

#include <stddef.h>
#include <stdint.h>

#include "transport.h"

/* ---- the class descriptor (CCID 1.1, 5.1) ---- */
#define KZT_CCID_CLASS 0x0B
#define KZT_CCID_DESC_TYPE 0x21
#define KZT_CCID_DESC_LEN 54

/* dwFeatures: what the reader does by itself, and the exchange level */
#define KZT_CCID_AUTO_PARAMS 0x00000002u   /* parameters set from the ATR */
#define KZT_CCID_AUTO_NEGOTIATE 0x00000040u /* parameter negotiation by the reader */
#define KZT_CCID_AUTO_PPS 0x00000080u      /* PPS by the reader */
#define KZT_CCID_AUTO_IFSD 0x00000400u     /* T=1: IFSD exchange as first exchange */
#define KZT_CCID_LEVEL_MASK 0x00070000u
#define KZT_CCID_LEVEL_CHAR 0x00000000u
#define KZT_CCID_LEVEL_TPDU 0x00010000u
#define KZT_CCID_LEVEL_SHORT_APDU 0x00020000u
#define KZT_CCID_LEVEL_EXT_APDU 0x00040000u

typedef struct kzt_ccid_desc {
	uint32_t protocols;   /* dwProtocols: bit 0 T=0, bit 1 T=1 */
	uint32_t features;    /* dwFeatures */
	uint32_t max_message; /* dwMaxCCIDMessageLength: header included */
	uint32_t max_ifsd;    /* dwMaxIFSD */
	uint8_t max_slot;     /* bMaxSlotIndex */
	uint8_t voltages;     /* bVoltageSupport */
} kzt_ccid_desc;

/* Parse the 54-byte class descriptor (len bytes at d). KZT_ERR_PARSE when it is
 * not one; KZT_ERR_NOT_SUPPORTED when the reader is one this module cannot drive:
 * character level, TPDU level without T=1, or messages too short for a header and
 * a short APDU. */
int kzt_ccid_desc_parse(const uint8_t *d, size_t len, kzt_ccid_desc *out);

/* ---- messages (CCID 1.1, 6) ---- */
#define KZT_CCID_HEADER 10
/* the longest message this module sends or takes: header and an extended APDU */
#define KZT_CCID_MSG_MAX (KZT_CCID_HEADER + 65544)

#define KZT_CCID_PC_SET_PARAMETERS 0x61
#define KZT_CCID_PC_POWER_ON 0x62
#define KZT_CCID_PC_POWER_OFF 0x63
#define KZT_CCID_PC_GET_SLOT_STATUS 0x65
#define KZT_CCID_PC_XFR_BLOCK 0x6F
#define KZT_CCID_RDR_DATA_BLOCK 0x80
#define KZT_CCID_RDR_SLOT_STATUS 0x81
#define KZT_CCID_RDR_PARAMETERS 0x82
#define KZT_CCID_RDR_NOTIFY_SLOT_CHANGE 0x50
#define KZT_CCID_RDR_HARDWARE_ERROR 0x51

/* bStatus: bmICCStatus (bits 0-1) and bmCommandStatus (bits 6-7) */
#define KZT_CCID_ICC_ACTIVE 0
#define KZT_CCID_ICC_INACTIVE 1
#define KZT_CCID_ICC_ABSENT 2
#define KZT_CCID_CMD_OK 0
#define KZT_CCID_CMD_FAILED 1
#define KZT_CCID_CMD_TIME_EXTENSION 2
/* bError values the module acts on */
#define KZT_CCID_ERR_ICC_MUTE 0xFE
#define KZT_CCID_ERR_CMD_SLOT_BUSY 0xE0

/* wLevelParameter / bChainParameter of APDU-level chaining (CCID 1.1, 6.1.4) */
#define KZT_CCID_CHAIN_WHOLE 0x00 /* begins and ends here */
#define KZT_CCID_CHAIN_BEGIN 0x01 /* begins; more follows */
#define KZT_CCID_CHAIN_END 0x02   /* continues and ends */
#define KZT_CCID_CHAIN_MORE 0x03  /* continues; more follows */
#define KZT_CCID_CHAIN_ASK 0x10   /* (command) empty: send the next part */

/* One PC_to_RDR message: the header (type, length, slot, seq, three
 * type-specific bytes p[0..2]) then data. Writes KZT_CCID_HEADER + len bytes. */
void kzt_ccid_msg_put(uint8_t *out, uint8_t type, uint8_t slot, uint8_t seq,
		      const uint8_t p[3], const uint8_t *data, size_t len);

/* A reply as read: the header fields, and its data in place. */
typedef struct kzt_ccid_reply {
	uint8_t type, slot, seq;
	uint8_t status, error, extra; /* bStatus, bError, the third byte */
	const uint8_t *data;
	size_t len;
} kzt_ccid_reply;

/* Check one whole RDR_to_PC message (n bytes): at least a header, and dwLength
 * equal to what follows it. KZT_ERR_PARSE otherwise. */
int kzt_ccid_reply_parse(const uint8_t *msg, size_t n, kzt_ccid_reply *out);

/* bmICCStatus and bmCommandStatus of a reply's bStatus. */
#define KZT_CCID_ICC(status) ((status) & 0x03)
#define KZT_CCID_CMD(status) (((status) >> 6) & 0x03)

/* ---- the USB I/O interface ---- */
typedef struct kzt_usb_io kzt_usb_io;

typedef struct kzt_usb_io_ops {
	/* Claim the device and read its CCID class descriptor into io->desc: KZT_OK;
	 * KZT_ERR_NO_CARD when it is no longer plugged in (or cannot be claimed). */
	int (*attach)(kzt_usb_io *io);
	/* Let the device go (idempotent); attach may follow. */
	void (*detach)(kzt_usb_io *io);
	/* Write one message on the bulk-out endpoint. */
	int (*bulk_out)(kzt_usb_io *io, const uint8_t *buf, size_t len);
	/* Read one transfer from the bulk-in endpoint, waiting as long as it takes
	 * (the reader sends time extensions while the card works). */
	int (*bulk_in)(kzt_usb_io *io, uint8_t *buf, size_t cap, size_t *len);
	/* A message from the interrupt endpoint if one is waiting: KZT_OK, or
	 * KZT_ERR_TIMEOUT when none is. NULL: the reader has no interrupt endpoint. */
	int (*intr_in)(kzt_usb_io *io, uint8_t *buf, size_t cap, size_t *len);
	/* Detach and free io. */
	void (*destroy)(kzt_usb_io *io);
} kzt_usb_io_ops;

struct kzt_usb_io {
	const kzt_usb_io_ops *ops;
	void *priv;
	uint8_t desc[KZT_CCID_DESC_LEN]; /* its CCID class descriptor (attach) */
	size_t desc_len;
	char name[KZT_READER_NAME_MAX];  /* stable while plugged in: the slot's key */
	char description[64];            /* for the slot description */
};

/* The card in a CCID reader behind io (taken over: destroyed with the transport,
 * or here on failure). Only slot 0 of a multi-slot reader is used. */
int kzt_transport_ccid_new(kzt_usb_io *io, kzt_transport **out);

/* ---- CCID readers on the USB buses (ccid_usb.c) ---- */
typedef struct kzt_usb kzt_usb;
/* 1 when this build drives USB readers (ccid_usb.c), 0 in one without */
extern const int kzt_usb_built_in;
/* libusb's context; KZT_ERR_NO_CARD when there is no USB to look at. */
int kzt_usb_open(kzt_usb **out);
void kzt_usb_close(kzt_usb **u);
/* The names of the CCID readers plugged in now (interface class 0x0B), as
 * kzt_pcsc_readers lists them: NUL-terminated, ending with an empty string. */
int kzt_usb_readers(kzt_usb *u, char *names, size_t cap, size_t *len);
/* Open the CCID reader of that name (claiming its interface) as a transport. */
int kzt_transport_usb_new(kzt_usb *u, const char *name, kzt_transport **out);

#endif
