/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* The transport front door: dispatch to a reader's ops and trace APDUs. */
#include <stdio.h>
#include <stdlib.h>

#include "kzt_err.h"
#include "kzt_proto.h"
#include "log.h"
#include "transport.h"

int
kzt_transport_connect(kzt_transport *t, uint8_t *atr, size_t *atr_len)
{
	int r = t->ops->connect(t, atr, atr_len);

	if (r == KZT_OK)
		kzt_log_hex(KZT_LOG_TRACE, "ATR", atr, *atr_len);
	return r;
}

/* Header and Lc only for commands whose data field is secret; the rest in full. */
static void
trace_command(const uint8_t *cmd, size_t n)
{
	size_t shown = n;
	char line[64];

	if (n >= 5 && kzt_proto_ins_data_is_secret(cmd[0], cmd[1])) {
		shown = cmd[4] != 0 ? 5 : n >= 7 ? 7 : n; /* through Lc, short or extended */
		snprintf(line, sizeof(line), "> (%zu data bytes redacted)", n - shown);
		kzt_log_hex(KZT_LOG_TRACE, line, cmd, shown);
		return;
	}
	kzt_log_hex(KZT_LOG_TRACE, ">", cmd, shown);
}

int
kzt_transport_transmit(void *tp, const uint8_t *cmd, size_t cmd_len, uint8_t *resp,
		       size_t resp_cap, size_t *resp_len)
{
	kzt_transport *t = tp;
	int r;

	int secret;

	/* GET RESPONSE continues whatever the previous command returned. */
	secret = kzt_proto_response_is_secret(cmd, cmd_len) ||
		 (t->secret_response && cmd_len >= 2 && cmd[1] == KZT_INS_GET_RESPONSE);
	t->secret_response = secret;
	if (kzt_log_level() >= KZT_LOG_TRACE)
		trace_command(cmd, cmd_len);
	r = t->ops->transmit(t, cmd, cmd_len, resp, resp_cap, resp_len);
	if (r != KZT_OK)
		kzt_log(KZT_LOG_TRACE, "< %s", kzt_strerror(r));
	else if (secret && *resp_len >= 2)
		kzt_log_hex(KZT_LOG_TRACE, "< (response data redacted)", resp + *resp_len - 2, 2);
	else
		kzt_log_hex(KZT_LOG_TRACE, "<", resp, *resp_len);
	return r;
}

void
kzt_transport_disconnect(kzt_transport *t)
{
	t->ops->disconnect(t);
}

int
kzt_transport_begin(kzt_transport *t)
{
	return t->ops->begin != NULL ? t->ops->begin(t) : KZT_OK;
}

void
kzt_transport_end(kzt_transport *t)
{
	if (t->ops->end != NULL)
		t->ops->end(t);
}

int
kzt_transport_present(kzt_transport *t)
{
	return t->ops->present != NULL ? t->ops->present(t) : 1;
}

kzt_transport *
kzt_transport_alloc(const kzt_transport_ops *ops, size_t priv_size)
{
	kzt_transport *t = calloc(1, sizeof(*t));

	if (t == NULL || (t->priv = calloc(1, priv_size)) == NULL) {
		free(t);
		return NULL;
	}
	t->ops = ops;
	return t;
}

void
kzt_transport_free(kzt_transport **t)
{
	if (t == NULL || *t == NULL)
		return;
	(*t)->ops->disconnect(*t);
	(*t)->ops->destroy(*t);
	*t = NULL;
}

void
kzt_transport_forget(kzt_transport **t)
{
	if (t != NULL && *t != NULL && (*t)->parent_only)
		*t = NULL;
	else
		kzt_transport_free(t);
}

int
kzt_transport_clone(kzt_transport *t, kzt_transport **out)
{
	*out = NULL;
	if (t->ops->clone == NULL)
		return KZT_ERR_NOT_SUPPORTED;
	return t->ops->clone(t, out);
}
