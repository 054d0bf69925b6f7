/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* Readers behind one interface. A transport knows how to reach one card and move
 * bytes; it knows nothing of the applet above it. */
#ifndef KZT_TRANSPORT_H
#define KZT_TRANSPORT_H

#include <stddef.h>
#include <stdint.h>

#define KZT_ATR_MAX 33

typedef struct kzt_transport kzt_transport;

typedef struct kzt_transport_ops {
	const char *name;
	/* Reach the card (power it if needed) and return its ATR. KZT_ERR_NO_CARD
	 * when the reader is there but no card is. */
	int (*connect)(kzt_transport *t, uint8_t *atr, size_t *atr_len);
	/* Exchange one APDU. KZT_ERR_NO_CARD when the card went away. */
	int (*transmit)(kzt_transport *t, const uint8_t *cmd, size_t cmd_len, uint8_t *resp,
			size_t resp_cap, size_t *resp_len);
	/* Drop the connection to the card (idempotent). */
	void (*disconnect)(kzt_transport *t);
	/* Free the transport's private state. */
	void (*destroy)(kzt_transport *t);
} kzt_transport_ops;

struct kzt_transport {
	const kzt_transport_ops *ops;
	void *priv;
	char description[64]; /* the reader's name, for the slot description */
	int secret_response;  /* the trace: the last response's data was secret */
};

/* Each of these goes through the transport's ops; transmit also writes the APDU
 * trace at log level 3 with secret data fields redacted. */
int kzt_transport_connect(kzt_transport *t, uint8_t *atr, size_t *atr_len);
int kzt_transport_transmit(void *t, const uint8_t *cmd, size_t cmd_len, uint8_t *resp,
			   size_t resp_cap, size_t *resp_len);
void kzt_transport_disconnect(kzt_transport *t);
/* Destroy t (disconnecting first) and set *t to NULL. */
void kzt_transport_free(kzt_transport **t);

/* The virtual token on kaztoken-sim's unix socket at path. */
int kzt_transport_sim_new(const char *path, kzt_transport **out);

#endif
