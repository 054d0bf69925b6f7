/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* USB CCID readers in a build without libusb (-DKAZTOKEN_CCID=OFF, or no
 * libusb-1.0 at configure time): there is no USB to look at. The CCID protocol
 * itself (ccid.c) stays, for other USB I/O. The sibling of ccid_usb.c. */
#include "ccid.h"
#include "kzt_err.h"

const int kzt_usb_built_in = 0;

int
kzt_usb_open(kzt_usb **out)
{
	*out = NULL;
	return KZT_ERR_NO_CARD;
}

void
kzt_usb_close(kzt_usb **u)
{
	*u = NULL;
}

int
kzt_usb_readers(kzt_usb *u, char *names, size_t cap, size_t *len)
{
	(void)u;
	if (cap > 0)
		names[0] = '\0';
	*len = 0;
	return KZT_ERR_NO_CARD;
}

int
kzt_transport_usb_new(kzt_usb *u, const char *name, kzt_transport **out)
{
	(void)u;
	(void)name;
	*out = NULL;
	return KZT_ERR_NO_CARD;
}
