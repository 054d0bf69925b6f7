/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* ISO/IEC 7816-3 T=1, the host's side: APDUs as chained I-blocks, the card's
 * waiting-time extensions and IFS changes answered, bad blocks asked for again.
 * For readers that exchange TPDUs (CCID's TPDU level); below it, one function
 * that carries one block to the card and brings its reply back. */
#ifndef KZT_T1_H
#define KZT_T1_H

#include <stddef.h>
#include <stdint.h>

#define KZT_T1_INF_MAX 254
#define KZT_T1_BLOCK_MAX (3 + KZT_T1_INF_MAX + 1) /* prologue, INF, LRC */

/* PCB values */
#define KZT_T1_I(ns, more) ((uint8_t)(((ns) << 6) | ((more) ? 0x20 : 0)))
#define KZT_T1_R(nr, err) ((uint8_t)(0x80 | ((nr) << 4) | (err)))
#define KZT_T1_R_EDC 0x01   /* R-block: EDC or parity error */
#define KZT_T1_R_OTHER 0x02 /* R-block: other error */
#define KZT_T1_S_RESYNCH 0xC0
#define KZT_T1_S_IFS 0xC1
#define KZT_T1_S_ABORT 0xC2
#define KZT_T1_S_WTX 0xC3
#define KZT_T1_S_RESPONSE 0x20 /* added to a request's PCB */
#define KZT_T1_IS_I(pcb) (((pcb) & 0x80) == 0)
#define KZT_T1_IS_R(pcb) (((pcb) & 0xC0) == 0x80)
#define KZT_T1_IS_S(pcb) (((pcb) & 0xC0) == 0xC0)

/* Carry block (len bytes) to the card and its reply back; bwi > 0 asks the reader
 * to wait bwi times the block waiting time (after a WTX). */
typedef int (*kzt_t1_xfer_fn)(void *ctx, const uint8_t *block, size_t len, uint8_t bwi,
			      uint8_t *reply, size_t cap, size_t *reply_len);

typedef struct kzt_t1 {
	kzt_t1_xfer_fn xfer;
	void *ctx;
	uint8_t ifsc; /* longest INF the card takes */
	uint8_t ns;   /* N(S) of our next I-block */
	uint8_t nr;   /* N(S) expected of the card's next I-block */
	int broken;   /* the link could not be resynchronised: power the card anew */
} kzt_t1;

/* One block: NAD 0, pcb, inf (len <= KZT_T1_INF_MAX), LRC. Returns its length. */
size_t kzt_t1_block_put(uint8_t *out, uint8_t pcb, const uint8_t *inf, size_t len);
/* Is this (n bytes) one well-formed block with NAD 0 and a good LRC? */
int kzt_t1_block_ok(const uint8_t *b, size_t n);

/* The card's T=1 parameters from its ATR (len bytes), as the 7 bytes of CCID's
 * abProtocolDataStructure for T=1 (bmFindexDindex, bmTCCKST1, bGuardTimeT1,
 * bmWaitingIntegersT1, bClockStop, bIFSC, bNadValue). KZT_ERR_PARSE for a
 * malformed ATR; KZT_ERR_NOT_SUPPORTED when the card offers no T=1 or asks for
 * CRC. */
int kzt_t1_atr_params(const uint8_t *atr, size_t len, uint8_t params[7]);

/* A fresh link (after power-on) to a card with this IFSC. */
void kzt_t1_init(kzt_t1 *t, uint8_t ifsc, kzt_t1_xfer_fn xfer, void *ctx);
/* S(IFS request): tell the card we take INF fields of up to ifsd bytes. */
int kzt_t1_set_ifsd(kzt_t1 *t, uint8_t ifsd);
/* One APDU and its response. KZT_ERR_PROTOCOL when the card's blocks stayed bad
 * after three tries (the link is then resynchronised, or marked broken). */
int kzt_t1_transceive(kzt_t1 *t, const uint8_t *apdu, size_t n, uint8_t *resp, size_t cap,
		      size_t *rlen);

#endif
