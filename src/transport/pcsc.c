/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* Readers through PC/SC: pcsc-lite here, written against the WinSCard API so that
 * Windows' winscard.dll and macOS's PCSC.framework build it too.
 *
 * Each reader's transport has its own context (pcsc-lite serialises the calls on
 * one context, and a blocked wait must not hold up a signature). The card is opened
 * shared and left as it is on release: other processes may be using it. A card
 * reset by someone else is reported once, as KZT_ERR_RESET, after the connection
 * was re-established; removal is KZT_ERR_NO_CARD. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(__APPLE__)
#include <PCSC/winscard.h>
#include <PCSC/wintypes.h>
#else
#include <winscard.h>
#endif

#include "kzt_err.h"
#include "log.h"
#include "transport.h"

#ifndef SCARD_E_NO_READERS_AVAILABLE
#define SCARD_E_NO_READERS_AVAILABLE ((LONG)0x8010002E)
#endif

struct kzt_pcsc {
	SCARDCONTEXT ctx;
};

typedef struct pcsc_priv {
	SCARDCONTEXT ctx;
	int have_ctx;
	SCARDHANDLE card;
	int connected;
	DWORD protocol;
	char reader[KZT_READER_NAME_MAX];
} pcsc_priv;

/* What a PC/SC result means to the layers above. */
static int
map(LONG rv)
{
	switch (rv) {
	case SCARD_S_SUCCESS: return KZT_OK;
	case SCARD_W_RESET_CARD: return KZT_ERR_RESET;
	case SCARD_E_NO_SMARTCARD:
	case SCARD_W_REMOVED_CARD:
	case SCARD_E_READER_UNAVAILABLE:
	case SCARD_E_UNKNOWN_READER:
	case SCARD_W_UNPOWERED_CARD:
	case SCARD_W_UNRESPONSIVE_CARD:
	case SCARD_E_NO_SERVICE:
	case SCARD_E_SERVICE_STOPPED:
	case SCARD_E_INVALID_HANDLE: return KZT_ERR_NO_CARD;
	case SCARD_E_INSUFFICIENT_BUFFER: return KZT_ERR_BUFFER;
	case SCARD_E_NO_MEMORY: return KZT_ERR_NOMEM;
	default: return KZT_ERR_IO;
	}
}

static int
ensure_context(pcsc_priv *p)
{
	LONG rv;

	if (p->have_ctx && SCardIsValidContext(p->ctx) == SCARD_S_SUCCESS)
		return KZT_OK;
	if (p->have_ctx)
		SCardReleaseContext(p->ctx);
	p->have_ctx = 0;
	p->connected = 0;
	rv = SCardEstablishContext(SCARD_SCOPE_USER, NULL, NULL, &p->ctx);
	if (rv != SCARD_S_SUCCESS)
		return KZT_ERR_NO_CARD; /* no PC/SC service: no reader, no card */
	p->have_ctx = 1;
	return KZT_OK;
}

static void
pcsc_disconnect(kzt_transport *t)
{
	pcsc_priv *p = t->priv;

	if (p->connected)
		SCardDisconnect(p->card, SCARD_LEAVE_CARD); /* others may be using it */
	p->connected = 0;
}

/* Open the card if it is not; KZT_ERR_RESET when it was reset meanwhile (now
 * reconnected). */
static int
open_card(pcsc_priv *p)
{
	LONG rv;
	int r;

	if (p->connected)
		return KZT_OK;
	if ((r = ensure_context(p)) != KZT_OK)
		return r;
	rv = SCardConnect(p->ctx, p->reader, SCARD_SHARE_SHARED, SCARD_PROTOCOL_T0 | SCARD_PROTOCOL_T1,
			  &p->card, &p->protocol);
	if (rv != SCARD_S_SUCCESS)
		return map(rv);
	p->connected = 1;
	return KZT_OK;
}

/* Reconnect after a reset by another process (the card stays as it is now). */
static int
reconnect(pcsc_priv *p)
{
	LONG rv = SCardReconnect(p->card, SCARD_SHARE_SHARED, SCARD_PROTOCOL_T0 | SCARD_PROTOCOL_T1,
				 SCARD_LEAVE_CARD, &p->protocol);

	if (rv != SCARD_S_SUCCESS) {
		SCardDisconnect(p->card, SCARD_LEAVE_CARD);
		p->connected = 0;
		return map(rv);
	}
	return KZT_OK;
}

static int
pcsc_connect(kzt_transport *t, uint8_t *atr, size_t *atr_len)
{
	pcsc_priv *p = t->priv;
	char name[KZT_READER_NAME_MAX];
	DWORD name_len = sizeof(name), state = 0, proto = 0, alen = KZT_ATR_MAX;
	LONG rv;
	int r;

	if ((r = open_card(p)) != KZT_OK)
		return r;
	rv = SCardStatus(p->card, name, &name_len, &state, &proto, atr, &alen);
	if (rv == SCARD_W_RESET_CARD && (r = reconnect(p)) == KZT_OK) {
		alen = KZT_ATR_MAX;
		name_len = sizeof(name);
		rv = SCardStatus(p->card, name, &name_len, &state, &proto, atr, &alen);
	}
	if (rv != SCARD_S_SUCCESS) {
		pcsc_disconnect(t);
		return map(rv) == KZT_ERR_RESET ? KZT_ERR_IO : map(rv);
	}
	*atr_len = alen;
	return KZT_OK;
}

static int
pcsc_transmit(kzt_transport *t, const uint8_t *cmd, size_t cmd_len, uint8_t *resp,
	      size_t resp_cap, size_t *resp_len)
{
	pcsc_priv *p = t->priv;
	const SCARD_IO_REQUEST *pci = p->protocol == SCARD_PROTOCOL_T0 ? SCARD_PCI_T0 : SCARD_PCI_T1;
	DWORD rlen = (DWORD)resp_cap;
	LONG rv;

	if (!p->connected)
		return KZT_ERR_NO_CARD;
	/* no timeout of ours: a card generating a key may take minutes to answer */
	rv = SCardTransmit(p->card, pci, cmd, (DWORD)cmd_len, NULL, resp, &rlen);
	if (rv == SCARD_W_RESET_CARD) {
		/* reset by another process between our commands: what the card had
		 * selected and verified is gone, so this operation cannot go on */
		int r = reconnect(p);
		return r == KZT_OK ? KZT_ERR_RESET : r;
	}
	if (rv != SCARD_S_SUCCESS) {
		int r = map(rv);
		if (r == KZT_ERR_NO_CARD)
			pcsc_disconnect(t);
		return r;
	}
	*resp_len = rlen;
	return KZT_OK;
}

static int
pcsc_begin(kzt_transport *t)
{
	pcsc_priv *p = t->priv;
	int r = open_card(p), reset = 0;
	LONG rv;

	if (r != KZT_OK)
		return r;
	rv = SCardBeginTransaction(p->card);
	if (rv == SCARD_W_RESET_CARD) {
		if ((r = reconnect(p)) != KZT_OK)
			return r;
		reset = 1;
		rv = SCardBeginTransaction(p->card);
	}
	if (rv != SCARD_S_SUCCESS) {
		r = map(rv);
		if (r == KZT_ERR_NO_CARD)
			pcsc_disconnect(t);
		return r == KZT_ERR_RESET ? KZT_ERR_IO : r;
	}
	return reset ? KZT_ERR_RESET : KZT_OK;
}

static void
pcsc_end(kzt_transport *t)
{
	pcsc_priv *p = t->priv;

	if (p->connected)
		SCardEndTransaction(p->card, SCARD_LEAVE_CARD);
}

static int
pcsc_present(kzt_transport *t)
{
	pcsc_priv *p = t->priv;
	SCARD_READERSTATE st;

	if (ensure_context(p) != KZT_OK)
		return 0; /* no PC/SC service: no card */
	memset(&st, 0, sizeof(st));
	st.szReader = p->reader;
	st.dwCurrentState = SCARD_STATE_UNAWARE;
	if (SCardGetStatusChange(p->ctx, 0, &st, 1) != SCARD_S_SUCCESS)
		return -1; /* not known just now */
	return (st.dwEventState & SCARD_STATE_PRESENT) != 0 && (st.dwEventState & SCARD_STATE_MUTE) == 0;
}

static void
pcsc_destroy(kzt_transport *t)
{
	pcsc_priv *p = t->priv;

	if (p->have_ctx)
		SCardReleaseContext(p->ctx);
	free(p);
	free(t);
}

static const kzt_transport_ops pcsc_ops = {
	.name = "pcsc",
	.connect = pcsc_connect,
	.transmit = pcsc_transmit,
	.disconnect = pcsc_disconnect,
	.destroy = pcsc_destroy,
	.begin = pcsc_begin,
	.end = pcsc_end,
	.present = pcsc_present,
};

int
kzt_transport_pcsc_new(const char *reader, kzt_transport **out)
{
	kzt_transport *t;
	pcsc_priv *p;

	*out = NULL;
	if (reader == NULL || strlen(reader) >= sizeof(p->reader))
		return KZT_ERR_ARGS;
	if ((t = kzt_transport_alloc(&pcsc_ops, sizeof(*p))) == NULL)
		return KZT_ERR_NOMEM;
	p = t->priv;
	strcpy(p->reader, reader);
	/* (CK_SLOT_INFO has 64 characters for it) */
	snprintf(t->description, sizeof(t->description), "%.63s", reader);
	*out = t;
	return KZT_OK;
}

/* ---- the readers themselves ---- */

const int kzt_pcsc_built_in = 1;

int
kzt_pcsc_open(kzt_pcsc **out)
{
	kzt_pcsc *p = calloc(1, sizeof(*p));
	LONG rv;

	*out = NULL;
	if (p == NULL)
		return KZT_ERR_NOMEM;
	if ((rv = SCardEstablishContext(SCARD_SCOPE_USER, NULL, NULL, &p->ctx)) != SCARD_S_SUCCESS) {
		/* (no service: pcscd not started, or on Windows the Smart Card service
		 * stopped, or Wine without pcsc-lite) */
		kzt_log(KZT_LOG_TRACE, "PC/SC: SCardEstablishContext: 0x%08lX", (unsigned long)rv);
		free(p);
		return KZT_ERR_NO_CARD;
	}
	*out = p;
	return KZT_OK;
}

void
kzt_pcsc_close(kzt_pcsc **p)
{
	if (p == NULL || *p == NULL)
		return;
	SCardReleaseContext((*p)->ctx);
	free(*p);
	*p = NULL;
}

int
kzt_pcsc_readers(kzt_pcsc *p, char *names, size_t cap, size_t *len)
{
	DWORD n = (DWORD)cap;
	LONG rv = SCardListReaders(p->ctx, NULL, names, &n);

	if (rv == SCARD_E_NO_READERS_AVAILABLE) {
		if (cap >= 2)
			names[0] = names[1] = '\0';
		*len = 0;
		return KZT_OK;
	}
	if (rv != SCARD_S_SUCCESS)
		return map(rv);
	*len = n;
	return KZT_OK;
}

int
kzt_pcsc_wait(kzt_pcsc *p, const char *const *readers, size_t n, unsigned long *seen, long timeout_ms)
{
	SCARD_READERSTATE st[KZT_PCSC_WAIT_MAX + 1];
	size_t i;
	LONG rv;

	if (n > KZT_PCSC_WAIT_MAX)
		n = KZT_PCSC_WAIT_MAX;
	memset(st, 0, sizeof(st));
	for (i = 0; i < n; i++) {
		st[i].szReader = readers[i];
		st[i].dwCurrentState = (DWORD)seen[i];
	}
	/* the pseudo-reader whose state changes when a reader comes or goes */
	st[n].szReader = "\\\\?PnP?\\Notification";
	st[n].dwCurrentState = (DWORD)seen[n];
	rv = SCardGetStatusChange(p->ctx, timeout_ms < 0 ? INFINITE : (DWORD)timeout_ms, st,
				  (DWORD)n + 1);
	if (rv == SCARD_E_TIMEOUT)
		return KZT_ERR_TIMEOUT;
	if (rv == SCARD_E_CANCELLED)
		return KZT_ERR_CANCELLED;
	if (rv != SCARD_S_SUCCESS)
		return map(rv);
	for (i = 0; i <= n; i++)
		seen[i] = st[i].dwEventState & ~(unsigned long)SCARD_STATE_CHANGED;
	return KZT_OK;
}

void
kzt_pcsc_cancel(kzt_pcsc *p)
{
	if (p != NULL)
		SCardCancel(p->ctx);
}
