/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* In-process transport for the unit tests (see loopback.h). */
#include <stdlib.h>
#include <string.h>

#include "kzt_err.h"
#include "loopback.h"

static int
lb_connect(kzt_transport *t, uint8_t *atr, size_t *atr_len)
{
	loopback *lb = t->priv;

	if (!lb->present)
		return KZT_ERR_NO_CARD;
	kzt_card_session_reset(&lb->session);
	if (lb->atr != NULL) {
		memcpy(atr, lb->atr, lb->atr_len);
		*atr_len = lb->atr_len;
	} else {
		kzt_proto_atr(atr);
		*atr_len = KZT_ATR_LEN;
	}
	return KZT_OK;
}

static int
lb_transmit(kzt_transport *t, const uint8_t *cmd, size_t n, uint8_t *resp, size_t cap,
	    size_t *rlen)
{
	static uint8_t out[KZT_CARD_MAX_DATA + 2];
	loopback *lb = t->priv;

	lb->apdus++;
	if (lb->pull_at > 0 && --lb->pull_at == 0) {
		if (lb->pull_after_answer && lb->present && lb->canned == NULL)
			kzt_applet_process(lb->card, &lb->session, cmd, n, out, sizeof(out), rlen);
		lb->present = 0;
	}
	if (!lb->present)
		return KZT_ERR_NO_CARD;
	if (lb->fail_next > 0) {
		lb->fail_next--;
		return KZT_ERR_IO;
	}
	if (lb->canned != NULL) {
		if (lb->canned_len > cap)
			return KZT_ERR_BUFFER;
		memcpy(resp, lb->canned, lb->canned_len);
		*rlen = lb->canned_len;
		return KZT_OK;
	}
	kzt_applet_process(lb->card, &lb->session, cmd, n, out, sizeof(out), rlen);
	if (*rlen > cap)
		return KZT_ERR_BUFFER;
	memcpy(resp, out, *rlen);
	return KZT_OK;
}

static void
lb_disconnect(kzt_transport *t)
{
	(void)t;
}

static void
lb_destroy(kzt_transport *t)
{
	free(t);
}

static const kzt_transport_ops lb_ops = {.name = "loopback",
					 .connect = lb_connect,
					 .transmit = lb_transmit,
					 .disconnect = lb_disconnect,
					 .destroy = lb_destroy};

kzt_transport *
loopback_transport(loopback *lb)
{
	kzt_transport *t = calloc(1, sizeof(*t));

	if (t != NULL) {
		t->ops = &lb_ops;
		t->priv = lb;
	}
	return t;
}
