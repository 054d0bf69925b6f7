/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* PC/SC in a build without it (-DKAZTOKEN_PCSC=OFF, or no pcsc-lite at configure
 * time): the service never answers, so the reader manager falls back to USB CCID
 * or to the virtual token alone. The sibling of pcsc.c, behind transport.h. */
#include "kzt_err.h"
#include "transport.h"

int
kzt_transport_pcsc_new(const char *reader, kzt_transport **out)
{
	(void)reader;
	*out = NULL;
	return KZT_ERR_NO_CARD;
}

const int kzt_pcsc_built_in = 0;

int
kzt_pcsc_open(kzt_pcsc **out)
{
	*out = NULL;
	return KZT_ERR_NO_CARD;
}

void
kzt_pcsc_close(kzt_pcsc **p)
{
	*p = NULL;
}

int
kzt_pcsc_readers(kzt_pcsc *p, char *names, size_t cap, size_t *len)
{
	(void)p;
	if (cap > 0)
		names[0] = '\0';
	*len = 0;
	return KZT_ERR_NO_CARD;
}

int
kzt_pcsc_wait(kzt_pcsc *p, const char *const *readers, size_t n, unsigned long *seen, long timeout_ms)
{
	(void)p;
	(void)readers;
	(void)n;
	(void)seen;
	(void)timeout_ms;
	return KZT_ERR_NO_CARD;
}

void
kzt_pcsc_cancel(kzt_pcsc *p)
{
	(void)p;
}
