/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* The reader manager: the one way above this layer to list hardware readers,
 * open a transport to one, wait for reader events and cancel that wait. Behind it
 * is PC/SC (a listing context and a waiting one, so a wait never blocks a
 * listing) or USB CCID driven directly, never both: one reader must not be two
 * slots. */
#include <stdlib.h>
#include <string.h>

#include "ccid.h"
#include "kzt_err.h"
#include "log.h"
#include "transport.h"

struct kzt_reader_mgr {
	kzt_reader_kind kind;
	kzt_pcsc *list, *wait; /* PC/SC */
	kzt_usb *usb;          /* USB CCID */
};

int
kzt_readers_open(unsigned allow, kzt_reader_mgr **out)
{
	kzt_reader_mgr *m = calloc(1, sizeof(*m));

	*out = NULL;
	if (m == NULL)
		return KZT_ERR_NOMEM;
	m->kind = KZT_READER_NONE;
	/* (a kind this build leaves out is not one to wait for) */
	if (!kzt_pcsc_built_in)
		allow &= ~KZT_READERS_ALLOW_PCSC;
	if (!kzt_usb_built_in)
		allow &= ~KZT_READERS_ALLOW_CCID;
	if ((allow & KZT_READERS_ALLOW_PCSC) &&
	    (kzt_pcsc_open(&m->list) == KZT_OK || !(allow & KZT_READERS_ALLOW_CCID))) {
		/* PC/SC when its service answers, or when it is the only one allowed (the
		 * service may start later) */
		m->kind = KZT_READER_PCSC;
		kzt_pcsc_open(&m->wait);
		kzt_log(KZT_LOG_INFO, "readers: PC/SC%s",
			m->list != NULL ? " (its service runs)"
					: " (no service answers now: its readers appear when one starts)");
	} else if (allow & KZT_READERS_ALLOW_CCID) {
		m->kind = KZT_READER_USB;
		if (kzt_usb_open(&m->usb) != KZT_OK)
			kzt_log(KZT_LOG_INFO, "readers: USB CCID, but no USB to look at");
		else
			kzt_log(KZT_LOG_INFO, "readers: USB CCID (no PC/SC service)");
	}
	*out = m;
	return KZT_OK;
}

void
kzt_readers_close(kzt_reader_mgr **m, int after_fork)
{
	if (*m == NULL)
		return;
	kzt_pcsc_close(&(*m)->list);
	kzt_pcsc_close(&(*m)->wait);
	if (!after_fork) /* (after fork, libusb and its claims are the parent's) */
		kzt_usb_close(&(*m)->usb);
	free(*m);
	*m = NULL;
}

int
kzt_readers_list(kzt_reader_mgr *m, char *names, size_t cap, size_t *len)
{
	*len = 0;
	if (m == NULL || m->kind == KZT_READER_NONE)
		return 0;
	if (m->kind == KZT_READER_USB)
		return m->usb != NULL && kzt_usb_readers(m->usb, names, cap, len) == KZT_OK;
	/* (the waiting context is opened with the manager only: a wait reads it with
	 * no lock, while listings run under the caller's) */
	if (m->list == NULL && kzt_pcsc_open(&m->list) == KZT_OK)
		kzt_log(KZT_LOG_INFO, "PC/SC service found");
	if (m->list == NULL)
		return 0;
	if (kzt_pcsc_readers(m->list, names, cap, len) != KZT_OK) {
		kzt_pcsc_close(&m->list); /* the service went away: readers with it */
		*len = 0;
	}
	return 1;
}

int
kzt_readers_transport(kzt_reader_mgr *m, const char *name, kzt_transport **out)
{
	*out = NULL;
	if (strlen(name) >= KZT_READER_NAME_MAX)
		return KZT_ERR_ARGS;
	if (m->kind == KZT_READER_USB)
		return kzt_transport_usb_new(m->usb, name, out);
	if (m->kind == KZT_READER_PCSC)
		return kzt_transport_pcsc_new(name, out);
	return KZT_ERR_NOT_SUPPORTED;
}

int
kzt_readers_wait(kzt_reader_mgr *m, const char *const *readers, size_t n, unsigned long *seen,
		 long timeout_ms)
{
	if (m == NULL || m->kind != KZT_READER_PCSC || m->wait == NULL)
		return KZT_ERR_NOT_SUPPORTED; /* nothing to wait on: the caller looks again later */
	return kzt_pcsc_wait(m->wait, readers, n, seen, timeout_ms);
}

void
kzt_readers_cancel(kzt_reader_mgr *m)
{
	if (m != NULL)
		kzt_pcsc_cancel(m->wait);
}
