/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* The CCID transport: its parsers (class descriptor, replies, T=1 blocks, ATR),
 * then the transport against the emulated reader (tools/ccid-emu) at every
 * exchange level: power-on, APDUs and TPDUs, time extensions, card events on the
 * interrupt endpoint, and replies broken on purpose. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ccid.h"
#include "ccid_emu.h"
#include "kzt_err.h"
#include "kzt_proto.h"
#include "t1.h"
#include "token.h"

#define PIN(s) (const uint8_t *)(s), strlen(s)

/* ---- the class descriptor ---- */

static void
make_desc(uint8_t d[KZT_CCID_DESC_LEN], uint32_t features, uint32_t protocols, uint32_t max_msg)
{
	memset(d, 0, KZT_CCID_DESC_LEN);
	d[0] = KZT_CCID_DESC_LEN;
	d[1] = KZT_CCID_DESC_TYPE;
	d[6] = (uint8_t)protocols;
	d[28] = 254;
	memcpy(d + 40, (uint8_t[]){(uint8_t)features, (uint8_t)(features >> 8), (uint8_t)(features >> 16), 0}, 4);
	memcpy(d + 44, (uint8_t[]){(uint8_t)max_msg, (uint8_t)(max_msg >> 8), (uint8_t)(max_msg >> 16), 0}, 4);
}

static void
test_descriptor(void **state)
{
	uint8_t d[KZT_CCID_DESC_LEN];
	kzt_ccid_desc out;

	(void)state;
	make_desc(d, KZT_CCID_LEVEL_TPDU | KZT_CCID_AUTO_IFSD, 3, 271);
	assert_int_equal(kzt_ccid_desc_parse(d, sizeof(d), &out), KZT_OK);
	assert_int_equal(out.features & KZT_CCID_LEVEL_MASK, KZT_CCID_LEVEL_TPDU);
	assert_true(out.features & KZT_CCID_AUTO_IFSD);
	assert_int_equal(out.max_message, 271);
	assert_int_equal(out.max_ifsd, 254);
	assert_int_equal(out.protocols, 3);
	/* malformed */
	assert_int_equal(kzt_ccid_desc_parse(NULL, 54, &out), KZT_ERR_PARSE);
	assert_int_equal(kzt_ccid_desc_parse(d, 53, &out), KZT_ERR_PARSE);
	d[0] = 53;
	assert_int_equal(kzt_ccid_desc_parse(d, sizeof(d), &out), KZT_ERR_PARSE);
	d[0] = KZT_CCID_DESC_LEN;
	d[1] = 0x24;
	assert_int_equal(kzt_ccid_desc_parse(d, sizeof(d), &out), KZT_ERR_PARSE);
	/* readers this module cannot drive */
	make_desc(d, KZT_CCID_LEVEL_CHAR, 3, 271);
	assert_int_equal(kzt_ccid_desc_parse(d, sizeof(d), &out), KZT_ERR_NOT_SUPPORTED);
	make_desc(d, KZT_CCID_LEVEL_TPDU, 1, 271); /* TPDU, T=0 only */
	assert_int_equal(kzt_ccid_desc_parse(d, sizeof(d), &out), KZT_ERR_NOT_SUPPORTED);
	make_desc(d, KZT_CCID_LEVEL_SHORT_APDU, 3, 64); /* messages too short */
	assert_int_equal(kzt_ccid_desc_parse(d, sizeof(d), &out), KZT_ERR_NOT_SUPPORTED);
}

/* ---- replies ---- */

static void
test_reply_parse(void **state)
{
	uint8_t m[32];
	const uint8_t p[3] = {0x00, 0x00, 0x00};
	kzt_ccid_reply r;

	(void)state;
	kzt_ccid_msg_put(m, KZT_CCID_RDR_DATA_BLOCK, 0, 7, p, (const uint8_t *)"\x90\x00", 2);
	assert_int_equal(kzt_ccid_reply_parse(m, 12, &r), KZT_OK);
	assert_int_equal(r.type, KZT_CCID_RDR_DATA_BLOCK);
	assert_int_equal(r.seq, 7);
	assert_int_equal(r.len, 2);
	assert_memory_equal(r.data, "\x90\x00", 2);
	/* shorter than a header; dwLength not what follows; NULL */
	assert_int_equal(kzt_ccid_reply_parse(m, 9, &r), KZT_ERR_PARSE);
	assert_int_equal(kzt_ccid_reply_parse(m, 11, &r), KZT_ERR_PARSE);
	assert_int_equal(kzt_ccid_reply_parse(m, 13, &r), KZT_ERR_PARSE);
	m[4] = 0x80; /* 2 GiB declared */
	assert_int_equal(kzt_ccid_reply_parse(m, 12, &r), KZT_ERR_PARSE);
	assert_int_equal(kzt_ccid_reply_parse(NULL, 12, &r), KZT_ERR_PARSE);
}

/* ---- T=1 blocks and the ATR ---- */

static void
test_t1_blocks(void **state)
{
	uint8_t b[KZT_T1_BLOCK_MAX];
	size_t n;

	(void)state;
	n = kzt_t1_block_put(b, KZT_T1_I(1, 1), (const uint8_t *)"abc", 3);
	assert_int_equal(n, 7);
	assert_int_equal(b[1], 0x60);
	assert_true(kzt_t1_block_ok(b, n));
	assert_false(kzt_t1_block_ok(b, n - 1)); /* LEN says more */
	assert_false(kzt_t1_block_ok(b, 3));
	assert_false(kzt_t1_block_ok(NULL, 4));
	b[4] ^= 1; /* bad LRC */
	assert_false(kzt_t1_block_ok(b, n));
	b[4] ^= 1;
	b[0] = 0x12; /* a NAD we never use */
	assert_false(kzt_t1_block_ok(b, n));
	n = kzt_t1_block_put(b, KZT_T1_R(1, 0), NULL, 0);
	b[2] = 0xFF; /* LEN 255 is reserved */
	assert_false(kzt_t1_block_ok(b, n));
}

/* The ATR with its TCK recomputed. */
static size_t
atr_with_tck(uint8_t *atr, const uint8_t *body, size_t n)
{
	uint8_t tck = 0;
	size_t i;

	memcpy(atr, body, n);
	for (i = 1; i < n; i++)
		tck ^= atr[i];
	atr[n] = tck;
	return n + 1;
}

static void
test_t1_atr(void **state)
{
	uint8_t atr[KZT_ATR_MAX], p[7];
	static const uint8_t own_ifsc[] = {0x3B, 0x80, 0x81, 0x31, 0xFE, 0x45}; /* TA3 FE, TB3 45 */
	static const uint8_t crc[] = {0x3B, 0x80, 0x81, 0x41, 0x01};           /* TC3: CRC */
	static const uint8_t t0_only[] = {0x3B, 0x02, 0x14, 0x50};
	size_t n;

	(void)state;
	kzt_proto_atr(atr);
	assert_int_equal(kzt_t1_atr_params(atr, KZT_ATR_LEN, p), KZT_OK);
	assert_memory_equal(p, ((uint8_t[]){0x11, 0x10, 0x00, 0x4D, 0x00, 32, 0x00}), 7);
	n = atr_with_tck(atr, own_ifsc, sizeof(own_ifsc));
	assert_int_equal(kzt_t1_atr_params(atr, n, p), KZT_OK);
	assert_int_equal(p[5], 0xFE);
	assert_int_equal(p[3], 0x45);
	n = atr_with_tck(atr, crc, sizeof(crc));
	assert_int_equal(kzt_t1_atr_params(atr, n, p), KZT_ERR_NOT_SUPPORTED);
	assert_int_equal(kzt_t1_atr_params(t0_only, sizeof(t0_only), p), KZT_ERR_NOT_SUPPORTED);
	/* malformed: truncated, a bad TCK, no TS, historical bytes missing */
	kzt_proto_atr(atr);
	assert_int_equal(kzt_t1_atr_params(atr, KZT_ATR_LEN - 1, p), KZT_ERR_PARSE);
	assert_int_equal(kzt_t1_atr_params(atr, 3, p), KZT_ERR_PARSE);
	atr[KZT_ATR_LEN - 1] ^= 1;
	assert_int_equal(kzt_t1_atr_params(atr, KZT_ATR_LEN, p), KZT_ERR_PARSE);
	atr[0] = 0x00;
	assert_int_equal(kzt_t1_atr_params(atr, KZT_ATR_LEN, p), KZT_ERR_PARSE);
	assert_int_equal(kzt_t1_atr_params(NULL, 0, p), KZT_ERR_PARSE);
	n = atr_with_tck(atr, own_ifsc, sizeof(own_ifsc));
	atr[4] = 0xFF; /* IFSC 255 is reserved */
	n = atr_with_tck(atr, atr, n - 1);
	assert_int_equal(kzt_t1_atr_params(atr, n, p), KZT_ERR_PARSE);
}

/* ---- the transport against the emulated reader ---- */

typedef struct rig {
	ccid_emu emu;
	kzt_transport *tr;
	uint8_t resp[KZT_CARD_MAX_DATA + 2];
	size_t len;
} rig;

static rig *
rig_new(uint32_t level, uint32_t max_message)
{
	rig *g = calloc(1, sizeof(*g));

	assert_non_null(g);
	assert_int_equal(ccid_emu_init(&g->emu, level, max_message), KZT_OK);
	assert_int_equal(kzt_transport_ccid_new(&g->emu.io, &g->tr), KZT_OK);
	return g;
}

static void
rig_free(rig *g)
{
	kzt_transport_free(&g->tr);
	ccid_emu_free(&g->emu);
	free(g);
}

static int
rig_connect(rig *g)
{
	uint8_t atr[KZT_ATR_MAX];
	size_t n;
	int r = kzt_transport_connect(g->tr, atr, &n);

	if (r == KZT_OK && !kzt_proto_atr_is_kaztoken(atr, n))
		return KZT_ERR_CARD;
	return r;
}

/* SELECT the applet; the status word, or the transport's error. */
static int
rig_select(rig *g)
{
	static const uint8_t aid[] = KZT_AID;
	uint8_t sel[5 + KZT_AID_LEN + 1] = {0x00, KZT_INS_SELECT, 0x04, 0x00, KZT_AID_LEN};
	int r;

	memcpy(sel + 5, aid, KZT_AID_LEN);
	sel[5 + KZT_AID_LEN] = 0x00;
	r = kzt_transport_transmit(g->tr, sel, sizeof(sel), g->resp, sizeof(g->resp), &g->len);
	if (r != KZT_OK)
		return r;
	return g->len >= 2 && g->resp[g->len - 2] == 0x90 ? KZT_OK : KZT_ERR_CARD;
}

static void
test_power_on(void **state)
{
	rig *g;

	(void)state;
	g = rig_new(KZT_CCID_LEVEL_TPDU, 271);
	assert_int_equal(rig_connect(g), KZT_OK);
	assert_int_equal(g->emu.power_ons, 1);
	assert_int_equal(g->emu.set_parameters, 1); /* T=1 chosen for the card */
	assert_int_equal(g->emu.ifs_requests, 1);   /* and IFSD 254 told */
	assert_int_equal(g->emu.ifsd, 254);
	assert_int_equal(rig_select(g), KZT_OK);
	rig_free(g);

	/* a reader that negotiates and exchanges IFSD by itself is left to it */
	g = rig_new(KZT_CCID_LEVEL_TPDU, 271);
	g->emu.features |= KZT_CCID_AUTO_NEGOTIATE | KZT_CCID_AUTO_IFSD;
	assert_int_equal(rig_connect(g), KZT_OK);
	assert_int_equal(g->emu.set_parameters, 0);
	assert_int_equal(g->emu.ifs_requests, 0);
	assert_int_equal(rig_select(g), KZT_OK);
	rig_free(g);

	/* APDU level: the reader does the protocol */
	g = rig_new(KZT_CCID_LEVEL_SHORT_APDU, 271);
	assert_int_equal(rig_connect(g), KZT_OK);
	assert_int_equal(g->emu.set_parameters, 0);
	assert_int_equal(rig_select(g), KZT_OK);
	/* no card in the reader */
	ccid_emu_remove(&g->emu);
	assert_int_equal(rig_connect(g), KZT_ERR_NO_CARD);
	rig_free(g);
}

/* A whole token session over the rig: PIN, a 3000-byte object written and read
 * back (chaining both ways), random bytes, and a key made and used. */
static void
token_session(rig *g)
{
	static uint8_t value[3000], block[256], sig[256], n[512];
	uint8_t *back = NULL;
	kzt_keygen kg = {.bits = 2048, .exponent = (const uint8_t *)"\x01\x00\x01", .exponent_len = 3,
			 .priv_blob = (const uint8_t *)"k", .priv_blob_len = 1,
			 .pub_blob = (const uint8_t *)"p", .pub_blob_len = 1,
			 .priv_flags = KZT_OBJF_PRIVATE | KZT_OBJF_SIGN};
	kzt_token *tok;
	uint16_t h, priv, pub;
	size_t len, i;

	for (i = 0; i < sizeof(value); i++)
		value[i] = (uint8_t)(i * 7);
	assert_int_equal(kzt_token_open(g->tr, &tok), KZT_OK);
	assert_int_equal(kzt_token_verify(tok, KZT_ROLE_USER, PIN("12345678")), KZT_OK);
	assert_int_equal(kzt_token_create_object(tok, KZT_CLASS_DATA, 0, (const uint8_t *)"attrs", 5, value,
						 sizeof(value), NULL, &h),
			 KZT_OK);
	assert_int_equal(kzt_token_read_object(tok, h, &back, &len), KZT_OK);
	assert_int_equal(len, sizeof(value));
	assert_memory_equal(back, value, sizeof(value));
	free(back);
	assert_int_equal(kzt_token_random(tok, value, 1000), KZT_OK);
	assert_int_equal(kzt_token_generate_rsa(tok, &kg, n, sizeof(n), &len, &priv, &pub), KZT_OK);
	assert_int_equal(len, 256);
	memset(block, 0, sizeof(block));
	block[255] = 1;
	assert_int_equal(kzt_token_rsa_private(tok, priv, 0, block, sizeof(block), sig, sizeof(sig), &len),
			 KZT_OK);
	assert_int_equal(len, 256);
	kzt_token_free(&tok);
}

static void
test_exchange_levels(void **state)
{
	static const struct {
		uint32_t level, max_message;
	} readers[] = {
		{KZT_CCID_LEVEL_SHORT_APDU, 271},  /* short APDUs: the token chains */
		{KZT_CCID_LEVEL_EXT_APDU, 271},    /* extended APDUs in CCID chains */
		{KZT_CCID_LEVEL_EXT_APDU, 65546},  /* extended APDUs whole */
		{KZT_CCID_LEVEL_TPDU, 271},        /* T=1, IFSC 32: many blocks */
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(readers) / sizeof(readers[0]); i++) {
		rig *g = rig_new(readers[i].level, readers[i].max_message);

		token_session(g);
		assert_true(g->emu.apdus > 5);
		if (readers[i].level == KZT_CCID_LEVEL_EXT_APDU && readers[i].max_message == 271)
			assert_true(g->emu.xfr_blocks > g->emu.apdus); /* it did chain */
		if (readers[i].level == KZT_CCID_LEVEL_TPDU)
			assert_true(g->emu.xfr_blocks > 3 * g->emu.apdus);
		rig_free(g);
	}
}

static void
test_time_extension(void **state)
{
	rig *g;

	(void)state;
	/* the reader asks for more time before every reply: waited out */
	g = rig_new(KZT_CCID_LEVEL_SHORT_APDU, 271);
	assert_int_equal(rig_connect(g), KZT_OK);
	g->emu.time_extensions = 5;
	assert_int_equal(rig_select(g), KZT_OK);
	assert_int_equal(g->emu.time_extensions_sent, 5);
	rig_free(g);

	/* T=1: the card's S(WTX) requests are answered, on top of the reader's */
	g = rig_new(KZT_CCID_LEVEL_TPDU, 271);
	assert_int_equal(rig_connect(g), KZT_OK);
	g->emu.wtx = 3;
	g->emu.time_extensions = 2;
	assert_int_equal(rig_select(g), KZT_OK);
	assert_int_equal(g->emu.wtx_sent, 3);
	/* (two before each XfrBlock reply since power-on, whose IFS exchange had none) */
	assert_int_equal(g->emu.time_extensions_sent, 2 * (g->emu.xfr_blocks - 1));
	rig_free(g);
}

static void
test_card_events(void **state)
{
	rig *g;

	(void)state;
	g = rig_new(KZT_CCID_LEVEL_TPDU, 271);
	assert_int_equal(rig_connect(g), KZT_OK);
	assert_int_equal(kzt_transport_present(g->tr), 1);
	/* removal, told on the interrupt endpoint */
	ccid_emu_remove(&g->emu);
	assert_int_equal(kzt_transport_present(g->tr), 0);
	assert_int_equal(kzt_transport_begin(g->tr), KZT_ERR_NO_CARD);
	assert_int_equal(rig_select(g), KZT_ERR_NO_CARD);
	ccid_emu_insert(&g->emu);
	assert_int_equal(kzt_transport_present(g->tr), 1);
	assert_int_equal(rig_connect(g), KZT_OK);
	assert_int_equal(rig_select(g), KZT_OK);
	/* out and back in between two looks: still a new card, never the old session */
	ccid_emu_remove(&g->emu);
	ccid_emu_insert(&g->emu);
	assert_int_equal(kzt_transport_begin(g->tr), KZT_ERR_NO_CARD);
	assert_int_equal(rig_connect(g), KZT_OK);
	assert_int_equal(g->emu.power_ons, 3);
	/* taken out while nobody looked: the next command finds out */
	g->emu.has_interrupt = 0; /* (so no event is queued) */
	ccid_emu_remove(&g->emu);
	assert_int_equal(rig_select(g), KZT_ERR_NO_CARD);
	rig_free(g);

	/* a reader without an interrupt endpoint: GetSlotStatus tells */
	g = rig_new(KZT_CCID_LEVEL_SHORT_APDU, 271);
	ccid_emu_no_interrupt(&g->emu);
	assert_int_equal(rig_connect(g), KZT_OK);
	assert_int_equal(kzt_transport_present(g->tr), 1);
	ccid_emu_remove(&g->emu);
	assert_int_equal(kzt_transport_present(g->tr), 0);
	ccid_emu_insert(&g->emu);
	assert_int_equal(kzt_transport_present(g->tr), 1);
	assert_int_equal(rig_connect(g), KZT_OK);
	assert_int_equal(rig_select(g), KZT_OK);
	rig_free(g);

	/* the reader unplugged, then plugged in again */
	g = rig_new(KZT_CCID_LEVEL_SHORT_APDU, 271);
	assert_int_equal(rig_connect(g), KZT_OK);
	g->emu.plugged = 0;
	assert_int_equal(rig_select(g), KZT_ERR_NO_CARD);
	assert_int_equal(kzt_transport_present(g->tr), 0);
	assert_int_equal(rig_connect(g), KZT_ERR_NO_CARD);
	g->emu.plugged = 1;
	assert_int_equal(rig_connect(g), KZT_OK);
	assert_int_equal(rig_select(g), KZT_OK);
	rig_free(g);
}

/* Each broken reply: a precise error, no crash, and the card usable again after
 * a new power-on. */
static void
test_malformed_replies(void **state)
{
	static const struct {
		enum ccid_emu_fault fault;
		int expect;
	} faults[] = {
		{EMU_FAULT_SHORT, KZT_ERR_PROTOCOL},      {EMU_FAULT_TYPE, KZT_ERR_PROTOCOL},
		{EMU_FAULT_SEQ, KZT_ERR_PROTOCOL},        {EMU_FAULT_SLOT, KZT_ERR_PROTOCOL},
		{EMU_FAULT_LENGTH_BIG, KZT_ERR_PROTOCOL}, {EMU_FAULT_LENGTH_LIE, KZT_ERR_PROTOCOL},
		{EMU_FAULT_STATUS_RFU, KZT_ERR_PROTOCOL}, {EMU_FAULT_CHAIN, KZT_ERR_PROTOCOL},
		{EMU_FAULT_HW_ERROR, KZT_ERR_IO},         {EMU_FAULT_MUTE, KZT_ERR_NO_CARD},
	};
	size_t i;
	rig *g;

	(void)state;
	for (i = 0; i < sizeof(faults) / sizeof(faults[0]); i++) {
		g = rig_new(KZT_CCID_LEVEL_EXT_APDU, 271);
		assert_int_equal(rig_connect(g), KZT_OK);
		g->emu.fault = faults[i].fault;
		g->emu.fault_count = 1;
		assert_int_equal(rig_select(g), faults[i].expect);
		if (faults[i].expect != KZT_ERR_IO) /* the stream or the card is gone */
			assert_int_equal(rig_select(g), KZT_ERR_NO_CARD);
		assert_int_equal(rig_connect(g), KZT_OK);
		assert_int_equal(rig_select(g), KZT_OK);
		rig_free(g);
	}
	/* an ATR longer than ISO 7816-3 allows */
	g = rig_new(KZT_CCID_LEVEL_SHORT_APDU, 271);
	g->emu.fault = EMU_FAULT_ATR_LONG;
	g->emu.fault_count = 1;
	assert_int_equal(rig_connect(g), KZT_ERR_PROTOCOL);
	assert_int_equal(rig_connect(g), KZT_OK);
	rig_free(g);
}

static void
test_t1_recovery(void **state)
{
	rig *g;

	(void)state;
	/* one bad block from the card: asked for again, the APDU goes through */
	g = rig_new(KZT_CCID_LEVEL_TPDU, 271);
	assert_int_equal(rig_connect(g), KZT_OK);
	g->emu.fault = EMU_FAULT_T1_LRC;
	g->emu.fault_count = 1;
	assert_int_equal(rig_select(g), KZT_OK);
	assert_int_equal(g->emu.fault_count, 0);
	assert_true(g->emu.r_blocks_received >= 1);
	g->emu.fault = EMU_FAULT_T1_GARBAGE;
	g->emu.fault_count = 2;
	assert_int_equal(rig_select(g), KZT_OK);
	/* bad every time: RESYNCH, a clear error, and the link works after */
	g->emu.fault = EMU_FAULT_T1_LRC;
	g->emu.fault_count = 3;
	assert_int_equal(rig_select(g), KZT_ERR_PROTOCOL);
	assert_int_equal(g->emu.resynchs, 1);
	assert_int_equal(rig_select(g), KZT_OK);
	/* even the RESYNCH answered badly: the card is powered anew */
	g->emu.fault_count = 4;
	assert_int_equal(rig_select(g), KZT_ERR_PROTOCOL);
	assert_int_equal(kzt_transport_begin(g->tr), KZT_ERR_NO_CARD);
	assert_int_equal(rig_connect(g), KZT_OK);
	assert_int_equal(rig_select(g), KZT_OK);
	rig_free(g);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_descriptor),      cmocka_unit_test(test_reply_parse),
		cmocka_unit_test(test_t1_blocks),       cmocka_unit_test(test_t1_atr),
		cmocka_unit_test(test_power_on),        cmocka_unit_test(test_exchange_levels),
		cmocka_unit_test(test_time_extension),  cmocka_unit_test(test_card_events),
		cmocka_unit_test(test_malformed_replies), cmocka_unit_test(test_t1_recovery),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
