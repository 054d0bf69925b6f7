/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* A hostile card: the token driver connects, reads the state and runs PIN
 * commands while every response comes from the fuzzer. Input: the ATR choice byte,
 * then repeated [2-byte length][response APDU]. The driver must return a status,
 * never crash or read out of bounds. */
#include <stdlib.h>
#include <string.h>

#include "kzt_err.h"
#include "kzt_proto.h"
#include "token.h"
#include "transport.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct feed {
	const uint8_t *p;
	size_t n;
	int kaztoken_atr;
} feed;

static int
f_connect(kzt_transport *t, uint8_t *atr, size_t *atr_len)
{
	feed *f = t->priv;

	kzt_proto_atr(atr);
	if (!f->kaztoken_atr)
		atr[4] ^= 0x20;
	*atr_len = KZT_ATR_LEN;
	return KZT_OK;
}

static int
f_transmit(kzt_transport *t, const uint8_t *cmd, size_t cmd_len, uint8_t *resp, size_t cap,
	   size_t *rlen)
{
	feed *f = t->priv;
	size_t len;

	(void)cmd;
	(void)cmd_len;
	if (f->n < 2)
		return KZT_ERR_NO_CARD;
	len = (size_t)(f->p[0] << 8 | f->p[1]);
	f->p += 2;
	f->n -= 2;
	if (len > f->n)
		len = f->n;
	if (len > cap)
		return KZT_ERR_BUFFER;
	memcpy(resp, f->p, len);
	*rlen = len;
	f->p += len;
	f->n -= len;
	return KZT_OK;
}

static void
f_nothing(kzt_transport *t)
{
	(void)t;
}

static const kzt_transport_ops feed_ops = {
    .name = "fuzz", .connect = f_connect, .transmit = f_transmit, .disconnect = f_nothing, .destroy = f_nothing};

/* READ VALUES' calls: a value, or a reason */
static int
fuzz_got(void *ctx, uint16_t handle, const uint8_t *value, size_t len, int status)
{
	volatile uint8_t sink = 0;
	size_t i;

	(void)ctx, (void)handle, (void)status;
	for (i = 0; i < len; i++)
		sink ^= value[i];
	(void)sink;
	return KZT_OK;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	feed f = {data + 1, size > 0 ? size - 1 : 0, size > 0 && (data[0] & 1)};
	kzt_transport t = {.ops = &feed_ops, .priv = &f, .description = "fuzz"};
	kzt_token_state st;
	kzt_format_params fp;
	kzt_keygen g = {2048, (const uint8_t *)"\x01\x00\x01", 3, NULL, NULL, 0, 0, 0, 0, KZT_CURVE_P256};
	uint8_t block[256] = {0}, out[512], *buf;
	const uint8_t *p;
	kzt_dir_entry e;
	size_t n, len;
	uint16_t h1, h2, handles[3] = {1, 2, 0x4242};
	uint32_t counter;
	kzt_token *tok;

	if (size == 0 || kzt_token_open(&t, &tok) != KZT_OK)
		return 0;
	memset(&fp, 0, sizeof(fp));
	(void)kzt_token_read_state(tok, &st);
	(void)kzt_token_verify(tok, KZT_ROLE_USER, (const uint8_t *)"12345678", 8);
	(void)kzt_token_change_pin(tok, KZT_ROLE_USER, (const uint8_t *)"12345678", 8,
				   (const uint8_t *)"24681357", 8);
	(void)kzt_token_reset_user_pin(tok, NULL, 0);
	(void)kzt_token_format(tok, &fp);
	(void)kzt_token_read_state(tok, &st);
	if (kzt_token_list_objects(tok, &buf, &len) == KZT_OK) {
		p = buf;
		n = len;
		while (kzt_dir_next(&p, &n, &e) == KZT_OK)
			;
		free(buf);
	}
	if (kzt_token_read_object(tok, 1, &buf, &len) == KZT_OK)
		free(buf);
	(void)kzt_token_generate_rsa(tok, &g, out, sizeof(out), &len, &h1, &h2);
	(void)kzt_token_rsa_private(tok, 1, 0, block, sizeof(block), out, sizeof(out), &len);
	(void)kzt_token_rsa_private(tok, 1, 1, block, sizeof(block), out, sizeof(out), &len);
	(void)kzt_token_generate_ec(tok, &g, out, sizeof(out), &len, &h1, &h2);
	(void)kzt_token_ec_sign(tok, 1, KZT_ALG_ECDSA, 64, block, 32, out, sizeof(out), &len);
	(void)kzt_token_random(tok, out, 300);
	(void)kzt_token_change_counter(tok, &counter);
	(void)kzt_token_read_values(tok, handles, 3, fuzz_got, NULL);
	if (kzt_token_list_private(tok, &buf, &len, &counter) == KZT_OK) {
		p = buf;
		n = len;
		while (kzt_dir_next(&p, &n, &e) == KZT_OK)
			if (!(e.flags & KZT_OBJF_PRIVATE))
				abort(); /* a private listing that let a public object through */
		free(buf);
	}
	(void)kzt_token_channel(tok, 1, (const uint8_t *)"0123456789abcdef");
	(void)kzt_token_counter_take(tok, &counter);
	kzt_token_free(&tok);
	return 0;
}
