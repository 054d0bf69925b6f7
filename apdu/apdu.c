/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* APDU encoding, parsing and the host-side exchange (see apdu.h). */
#include <string.h>

#include "apdu.h"
#include "kzt_err.h"
#include "kzt_proto.h"

int
kzt_apdu_encode(const kzt_apdu *a, int extended_ok, kzt_buf *out)
{
	int extended;

	if (a->lc > KZT_APDU_EXT_MAX_LC || a->le > KZT_APDU_EXT_MAX_LE ||
	    (a->lc > 0 && a->data == NULL))
		return KZT_ERR_ARGS;
	extended = a->lc > KZT_APDU_SHORT_MAX_LC || a->le > KZT_APDU_SHORT_MAX_LE;
	if (extended && !extended_ok)
		return KZT_ERR_ARGS;

	kzt_buf_put_u8(out, a->cla);
	kzt_buf_put_u8(out, a->ins);
	kzt_buf_put_u8(out, a->p1);
	kzt_buf_put_u8(out, a->p2);
	if (extended) {
		kzt_buf_put_u8(out, 0x00);
		if (a->lc > 0) {
			kzt_buf_put_u16(out, (uint16_t)a->lc);
			kzt_buf_put(out, a->data, a->lc);
		}
		if (a->le > 0) /* 65536 is encoded as 00 00 */
			kzt_buf_put_u16(out, (uint16_t)(a->le & 0xFFFF));
	} else {
		if (a->lc > 0) {
			kzt_buf_put_u8(out, (uint8_t)a->lc);
			kzt_buf_put(out, a->data, a->lc);
		}
		if (a->le > 0) /* 256 is encoded as 00 */
			kzt_buf_put_u8(out, (uint8_t)(a->le & 0xFF));
	}
	return out->err;
}

int
kzt_apdu_parse(const uint8_t *p, size_t n, kzt_apdu *a)
{
	size_t body;

	memset(a, 0, sizeof(*a));
	if (p == NULL || n < 4)
		return KZT_ERR_PARSE;
	a->cla = p[0];
	a->ins = p[1];
	a->p1 = p[2];
	a->p2 = p[3];
	body = n - 4;
	p += 4;
	if (body == 0) /* case 1 */
		return KZT_OK;
	if (body == 1) { /* case 2S */
		a->le = p[0] != 0 ? p[0] : KZT_APDU_SHORT_MAX_LE;
		return KZT_OK;
	}
	if (p[0] != 0) { /* case 3S or 4S */
		a->lc = p[0];
		a->data = p + 1;
		if (body == 1 + a->lc)
			return KZT_OK;
		if (body == 2 + a->lc) {
			a->le = p[1 + a->lc] != 0 ? p[1 + a->lc] : KZT_APDU_SHORT_MAX_LE;
			return KZT_OK;
		}
		goto fail;
	}
	/* extended: 00 then two length bytes */
	a->extended = 1;
	if (body < 3)
		goto fail;
	if (body == 3) { /* case 2E */
		a->le = kzt_get_u16(p + 1);
		if (a->le == 0)
			a->le = KZT_APDU_EXT_MAX_LE;
		return KZT_OK;
	}
	a->lc = kzt_get_u16(p + 1);
	if (a->lc == 0)
		goto fail;
	a->data = p + 3;
	if (body == 3 + a->lc) /* case 3E */
		return KZT_OK;
	if (body == 5 + a->lc) { /* case 4E */
		a->le = kzt_get_u16(p + 3 + a->lc);
		if (a->le == 0)
			a->le = KZT_APDU_EXT_MAX_LE;
		return KZT_OK;
	}
fail:
	memset(a, 0, sizeof(*a));
	return KZT_ERR_PARSE;
}

int
kzt_apdu_split_response(const uint8_t *p, size_t n, uint16_t *sw, size_t *data_len)
{
	if (p == NULL || n < 2)
		return KZT_ERR_PARSE;
	*sw = kzt_get_u16(p + n - 2);
	*data_len = n - 2;
	return KZT_OK;
}

/* Send one encoded APDU; its response data is appended at resp + *have. */
static int
send_one(const kzt_apdu_link *link, const kzt_apdu *a, uint8_t *resp, size_t resp_cap,
	 size_t *have, uint16_t *sw)
{
	kzt_buf out;
	size_t rlen = 0, dlen;
	int r;

	kzt_buf_init(&out, link->scratch, KZT_APDU_MAX_CMD);
	if ((r = kzt_apdu_encode(a, link->extended, &out)) != KZT_OK)
		return r;
	if (resp_cap - *have < 2)
		return KZT_ERR_BUFFER;
	r = link->xmit(link->ctx, out.ptr, out.len, resp + *have, resp_cap - *have, &rlen);
	if (r != KZT_OK)
		return r;
	if ((r = kzt_apdu_split_response(resp + *have, rlen, sw, &dlen)) != KZT_OK)
		return r;
	*have += dlen;
	return KZT_OK;
}

int
kzt_apdu_transceive(const kzt_apdu_link *link, const kzt_apdu *cmd, uint8_t *resp,
		    size_t resp_cap, size_t *resp_len, uint16_t *sw)
{
	size_t chunk, off = 0, have = 0;
	kzt_apdu part = *cmd;
	int r, reissued = 0;

	*resp_len = 0;
	if (link == NULL || link->scratch == NULL || resp == NULL || resp_cap < 2)
		return KZT_ERR_ARGS;
	chunk = link->extended ? KZT_APDU_EXT_MAX_LC : KZT_APDU_SHORT_MAX_LC;
	if (link->max_cmd_data > 0 && link->max_cmd_data < chunk)
		chunk = link->max_cmd_data;
	if (cmd->lc > chunk && !link->chaining)
		return KZT_ERR_ARGS;

	/* Every part but the last: CLA with the chaining bit, no Le, expect 9000. */
	while (cmd->lc - off > chunk) {
		part.cla = cmd->cla | KZT_CLA_CHAIN;
		part.data = cmd->data + off;
		part.lc = chunk;
		part.le = 0;
		have = 0;
		if ((r = send_one(link, &part, resp, resp_cap, &have, sw)) != KZT_OK)
			return r;
		if (*sw != KZT_SW_OK)
			return KZT_OK; /* the card refused a part: report its status */
		off += chunk;
	}
	part = *cmd;
	part.data = cmd->lc > 0 ? cmd->data + off : NULL;
	part.lc = cmd->lc - off;
	have = 0;
	for (;;) {
		if ((r = send_one(link, &part, resp, resp_cap, &have, sw)) != KZT_OK)
			return r;
		if ((*sw & 0xFF00) == KZT_SW_WRONG_LE && !reissued) {
			/* 6Cxx: the card wants this very command again with Le = xx. */
			reissued = 1;
			have = 0;
			part.le = (*sw & 0xFF) != 0 ? (*sw & 0xFF) : KZT_APDU_SHORT_MAX_LE;
			continue;
		}
		if ((*sw & 0xFF00) != KZT_SW_BYTES_REMAINING)
			break;
		/* 61xx: more data waits; GET RESPONSE appends it after what we have. */
		memset(&part, 0, sizeof(part));
		part.cla = cmd->cla & (uint8_t)~KZT_CLA_CHAIN;
		part.ins = KZT_INS_GET_RESPONSE;
		part.le = (*sw & 0xFF) != 0 ? (*sw & 0xFF) : KZT_APDU_SHORT_MAX_LE;
		if (resp_cap - have < part.le + 2)
			return KZT_ERR_BUFFER;
	}
	*resp_len = have;
	return KZT_OK;
}
