/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* A hostile USB CCID reader: the CCID transport powers the card and exchanges
 * APDUs while every bulk-in transfer and interrupt message comes from the fuzzer.
 * Input: the descriptor's exchange level (one byte), then repeated [2-byte
 * length][transfer]; a length with the top bit set is an interrupt message. The
 * transport must return a status, never crash, read out of bounds or wait on
 * bytes that never come. */
#include <string.h>

#include "ccid.h"
#include "kzt_err.h"
#include "kzt_proto.h"
#include "transport.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct feed {
	const uint8_t *p;
	size_t n;
	uint32_t level;
} feed;

/* The next transfer of the given kind (0 bulk, 1 interrupt), or 0 at the end. */
static int
next(feed *f, int interrupt, uint8_t *buf, size_t cap, size_t *len)
{
	size_t l;

	if (f->n < 2 || ((f->p[0] & 0x80) != 0) != interrupt)
		return 0;
	l = (size_t)(f->p[0] & 0x7F) << 8 | f->p[1];
	if (l > f->n - 2)
		l = f->n - 2;
	if (l > cap)
		return 0;
	memcpy(buf, f->p + 2, l);
	*len = l;
	f->p += 2 + l;
	f->n -= 2 + l;
	return 1;
}

static int
f_attach(kzt_usb_io *io)
{
	feed *f = io->priv;
	uint8_t *d = io->desc;

	memset(d, 0, KZT_CCID_DESC_LEN);
	d[0] = KZT_CCID_DESC_LEN;
	d[1] = KZT_CCID_DESC_TYPE;
	d[6] = 3;
	d[28] = 254;
	d[42] = (uint8_t)(f->level >> 16);
	d[44] = 0x0F; /* 271 */
	d[45] = 0x01;
	io->desc_len = KZT_CCID_DESC_LEN;
	return KZT_OK;
}

static void
f_detach(kzt_usb_io *io)
{
	(void)io;
}

static int
f_bulk_out(kzt_usb_io *io, const uint8_t *buf, size_t len)
{
	(void)io;
	(void)buf;
	(void)len;
	return KZT_OK;
}

static int
f_bulk_in(kzt_usb_io *io, uint8_t *buf, size_t cap, size_t *len)
{
	return next(io->priv, 0, buf, cap, len) ? KZT_OK : KZT_ERR_NO_CARD; /* (unplugged) */
}

static int
f_intr_in(kzt_usb_io *io, uint8_t *buf, size_t cap, size_t *len)
{
	return next(io->priv, 1, buf, cap, len) ? KZT_OK : KZT_ERR_TIMEOUT;
}

static void
f_destroy(kzt_usb_io *io)
{
	(void)io;
}

static const kzt_usb_io_ops ops = {f_attach, f_detach, f_bulk_out, f_bulk_in, f_intr_in, f_destroy};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint32_t levels[] = {KZT_CCID_LEVEL_SHORT_APDU, KZT_CCID_LEVEL_EXT_APDU,
					  KZT_CCID_LEVEL_TPDU};
	static const uint8_t select[] = {0x00, 0xA4, 0x04, 0x00, 0x02, 0x3F, 0x00, 0x00};
	static uint8_t big[600], resp[4096];
	feed f;
	kzt_usb_io io = {.ops = &ops, .priv = &f, .name = "fuzz"};
	kzt_transport *t;
	uint8_t atr[KZT_ATR_MAX];
	size_t n, i;

	if (size < 1)
		return 0;
	f.level = levels[data[0] % 3];
	f.p = data + 1;
	f.n = size - 1;
	if (kzt_transport_ccid_new(&io, &t) != KZT_OK)
		return 0;
	if (kzt_transport_connect(t, atr, &n) == KZT_OK) {
		memcpy(big, select, 4);
		big[4] = 0;
		big[5] = 0x02;
		big[6] = 0x50; /* an extended APDU: 592 data bytes */
		for (i = 0; i < 4 && f.n > 0; i++) {
			kzt_transport_begin(t);
			kzt_transport_present(t);
			if (i % 2 == 0)
				kzt_transport_transmit(t, select, sizeof(select), resp, sizeof(resp), &n);
			else
				kzt_transport_transmit(t, big, sizeof(big), resp, sizeof(resp), &n);
		}
	}
	kzt_transport_free(&t);
	return 0;
}
