/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* T=1 on the host's side (see t1.h): ISO/IEC 7816-3, 11.6 (blocks) and 11.6.3
 * (error handling), with the simplification that every error ends in an R-block
 * asking for the card's last block again, and three errors in a row in RESYNCH. */
#include <string.h>

#include "kzt_err.h"
#include "log.h"
#include "t1.h"

#define T1_TRIES 3

size_t
kzt_t1_block_put(uint8_t *out, uint8_t pcb, const uint8_t *inf, size_t len)
{
	uint8_t lrc = 0;
	size_t i;

	out[0] = 0; /* NAD: no addressing */
	out[1] = pcb;
	out[2] = (uint8_t)len;
	if (len > 0)
		memcpy(out + 3, inf, len);
	for (i = 0; i < 3 + len; i++)
		lrc ^= out[i];
	out[3 + len] = lrc;
	return 4 + len;
}

int
kzt_t1_block_ok(const uint8_t *b, size_t n)
{
	uint8_t lrc = 0;
	size_t i;

	if (b == NULL || n < 4 || b[0] != 0 || b[2] > KZT_T1_INF_MAX || n != 4u + b[2])
		return 0;
	for (i = 0; i < n; i++)
		lrc ^= b[i];
	return lrc == 0;
}

int
kzt_t1_atr_params(const uint8_t *atr, size_t len, uint8_t params[7])
{
	uint8_t ta1 = 0x11, tc1 = 0, tb = 0x4D, ifsc = 32, tck = 0;
	int t1_offered = 0, t1_index = 0, need_tck = 0, crc = 0; /* t1_index: that TD's group */
	size_t off = 2, i, hist;
	uint8_t y;
	int n;

	if (atr == NULL || len < 2 || (atr[0] != 0x3B && atr[0] != 0x3F))
		return KZT_ERR_PARSE;
	y = atr[1] >> 4;
	hist = atr[1] & 0x0F;
	/* interface bytes: group n (1-based) holds TAn TBn TCn TDn as y says */
	for (n = 1;; n++) {
		uint8_t ta = 0, tb_n = 0, tc = 0, td = 0;
		int has_ta = y & 1, has_tb = y & 2, has_tc = y & 4, has_td = y & 8;

		if (off + (size_t)(has_ta + !!has_tb + !!has_tc + !!has_td) > len)
			return KZT_ERR_PARSE;
		if (has_ta)
			ta = atr[off++];
		if (has_tb)
			tb_n = atr[off++];
		if (has_tc)
			tc = atr[off++];
		if (has_td)
			td = atr[off++];
		if (n == 1) {
			if (has_ta)
				ta1 = ta;
			if (has_tc)
				tc1 = tc;
		} else if (t1_index != 0 && n == t1_index + 1) {
			/* the first group after the first TD saying T=1: T=1's own bytes */
			if (has_ta) {
				if (ta == 0 || ta == 0xFF)
					return KZT_ERR_PARSE;
				ifsc = ta;
			}
			if (has_tb)
				tb = tb_n;
			if (has_tc)
				crc = tc & 1;
		}
		if (!has_td)
			break;
		if ((td & 0x0F) != 0)
			need_tck = 1;
		if ((td & 0x0F) == 1) {
			t1_offered = 1;
			/* T=1's own bytes follow the first TDi (i >= 2) saying T=1 */
			if (t1_index == 0 && n >= 2)
				t1_index = n;
		}
		y = td >> 4;
	}
	if (off + hist + (need_tck ? 1 : 0) != len)
		return KZT_ERR_PARSE;
	if (need_tck) {
		for (i = 1; i < len; i++)
			tck ^= atr[i];
		if (tck != 0)
			return KZT_ERR_PARSE;
	}
	if (!t1_offered || crc)
		return KZT_ERR_NOT_SUPPORTED;
	params[0] = ta1;
	params[1] = (uint8_t)(0x10 | (atr[0] == 0x3F ? 0x02 : 0)); /* LRC; the convention */
	params[2] = tc1;
	params[3] = tb;
	params[4] = 0; /* no clock stop */
	params[5] = ifsc;
	params[6] = 0; /* NAD */
	return KZT_OK;
}

void
kzt_t1_init(kzt_t1 *t, uint8_t ifsc, kzt_t1_xfer_fn xfer, void *ctx)
{
	memset(t, 0, sizeof(*t));
	t->ifsc = ifsc != 0 && ifsc != 0xFF ? ifsc : 32;
	t->xfer = xfer;
	t->ctx = ctx;
}

/* One block out, one well-formed block back; bad replies are asked for again
 * with the R-block the caller gives. */
static int
exchange(kzt_t1 *t, const uint8_t *blk, size_t n, uint8_t bwi, uint8_t *rb, size_t *rn)
{
	int r = t->xfer(t->ctx, blk, n, bwi, rb, KZT_T1_BLOCK_MAX, rn);

	if (r == KZT_OK && !kzt_t1_block_ok(rb, *rn))
		return KZT_ERR_PARSE;
	return r;
}

/* Three errors in a row: resynchronise (S(RESYNCH)), which puts both sides back
 * at N(S) = 0; the APDU itself is lost. */
static int
give_up(kzt_t1 *t)
{
	uint8_t blk[KZT_T1_BLOCK_MAX], rb[KZT_T1_BLOCK_MAX];
	size_t n = kzt_t1_block_put(blk, KZT_T1_S_RESYNCH, NULL, 0), rn;

	kzt_log(KZT_LOG_ERROR, "T=1: the card's blocks stayed malformed; resynchronising");
	if (exchange(t, blk, n, 0, rb, &rn) == KZT_OK &&
	    rb[1] == (KZT_T1_S_RESYNCH | KZT_T1_S_RESPONSE)) {
		t->ns = t->nr = 0;
	} else {
		kzt_log(KZT_LOG_ERROR, "T=1: resynchronisation failed");
		t->broken = 1;
	}
	return KZT_ERR_PROTOCOL;
}

int
kzt_t1_set_ifsd(kzt_t1 *t, uint8_t ifsd)
{
	uint8_t blk[KZT_T1_BLOCK_MAX], rb[KZT_T1_BLOCK_MAX];
	size_t n = kzt_t1_block_put(blk, KZT_T1_S_IFS, &ifsd, 1), rn;
	int tries, r;

	for (tries = 0; tries < T1_TRIES; tries++) {
		r = exchange(t, blk, n, 0, rb, &rn);
		if (r == KZT_OK && rb[1] == (KZT_T1_S_IFS | KZT_T1_S_RESPONSE) && rb[2] == 1 &&
		    rb[3] == ifsd)
			return KZT_OK;
		if (r != KZT_OK && r != KZT_ERR_PARSE)
			return r;
	}
	return give_up(t);
}

int
kzt_t1_transceive(kzt_t1 *t, const uint8_t *apdu, size_t n, uint8_t *resp, size_t cap,
		  size_t *rlen)
{
	uint8_t sent_i[KZT_T1_BLOCK_MAX], ctl[KZT_T1_BLOCK_MAX], rb[KZT_T1_BLOCK_MAX];
	const uint8_t *next;
	size_t off = 0, chunk, sent_len, next_len, rn, got = 0;
	int errors = 0, receiving = 0, r;
	uint8_t bwi = 0, pcb;

	if (t->broken)
		return KZT_ERR_PROTOCOL;
	*rlen = 0;
	chunk = n < t->ifsc ? n : t->ifsc;
	sent_len = kzt_t1_block_put(sent_i, KZT_T1_I(t->ns, chunk < n), apdu, chunk);
	next = sent_i;
	next_len = sent_len;
	for (;;) {
		r = exchange(t, next, next_len, bwi, rb, &rn);
		bwi = 0;
		if (r != KZT_OK && r != KZT_ERR_PARSE)
			return r;
		if (r == KZT_ERR_PARSE) { /* a bad block: ask for it again */
			if (++errors >= T1_TRIES)
				return give_up(t);
			next_len = kzt_t1_block_put(ctl, KZT_T1_R(t->nr, KZT_T1_R_EDC), NULL, 0);
			next = ctl;
			continue;
		}
		pcb = rb[1];
		if (KZT_T1_IS_S(pcb)) {
			if ((pcb == KZT_T1_S_WTX || pcb == KZT_T1_S_IFS) && rb[2] == 1 && rb[3] != 0 &&
			    !(pcb == KZT_T1_S_IFS && rb[3] == 0xFF)) {
				/* the card needs more time, or changes its IFSC: agree */
				if (pcb == KZT_T1_S_WTX)
					bwi = rb[3];
				else
					t->ifsc = rb[3];
				next_len = kzt_t1_block_put(ctl, pcb | KZT_T1_S_RESPONSE, rb + 3, 1);
				next = ctl;
				continue;
			}
			if (pcb == KZT_T1_S_ABORT) {
				kzt_log(KZT_LOG_ERROR, "T=1: the card aborted the exchange");
				return give_up(t);
			}
			next_len = kzt_t1_block_put(ctl, KZT_T1_R(t->nr, KZT_T1_R_OTHER), NULL, 0);
			next = ctl;
		} else if (KZT_T1_IS_R(pcb) && !receiving) {
			if (((pcb >> 4) & 1) != t->ns && off + chunk < n) {
				/* our chained block acknowledged: the next one */
				t->ns ^= 1;
				off += chunk;
				chunk = n - off < t->ifsc ? n - off : t->ifsc;
				sent_len = kzt_t1_block_put(sent_i, KZT_T1_I(t->ns, off + chunk < n),
							    apdu + off, chunk);
				next = sent_i;
				next_len = sent_len;
				errors = 0;
				continue;
			}
			/* asked for our I-block again */
			next = sent_i;
			next_len = sent_len;
		} else if (KZT_T1_IS_I(pcb) && (receiving || off + chunk == n) &&
			   ((pcb >> 6) & 1) == t->nr) {
			if (!receiving) { /* the answer acknowledges our last block */
				t->ns ^= 1;
				receiving = 1;
			}
			if (got + rb[2] > cap) {
				give_up(t);
				return KZT_ERR_BUFFER;
			}
			memcpy(resp + got, rb + 3, rb[2]);
			got += rb[2];
			t->nr ^= 1;
			errors = 0;
			if (!(pcb & 0x20)) {
				*rlen = got;
				return KZT_OK;
			}
			next_len = kzt_t1_block_put(ctl, KZT_T1_R(t->nr, 0), NULL, 0);
			next = ctl;
			continue;
		} else if (receiving && KZT_T1_IS_R(pcb)) {
			/* the card did not get our acknowledgement: send it again */
			next_len = kzt_t1_block_put(ctl, KZT_T1_R(t->nr, 0), NULL, 0);
			next = ctl;
		} else {
			next_len = kzt_t1_block_put(ctl, KZT_T1_R(t->nr, KZT_T1_R_OTHER), NULL, 0);
			next = ctl;
		}
		/* anything that was not progress */
		if (++errors >= T1_TRIES)
			return give_up(t);
	}
}
