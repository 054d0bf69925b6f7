/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* CCID readers on the USB buses through libusb-1.0 (see ccid.h): found by
 * interface class 0x0B, named by bus and port path (stable while plugged in), and
 * driven through the USB I/O interface that ccid.c speaks CCID over.
 *
 * Bulk transfers wait without a timeout: the reader itself says when the card
 * needs longer (time extensions), and an unplugged reader ends them at once. The
 * interrupt endpoint is read with one transfer kept in flight, polled without
 * waiting, so looking for card events costs no sleep. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libusb.h>

#include "ccid.h"
#include "kzt_err.h"
#include "log.h"

struct kzt_usb {
	libusb_context *ctx;
};

typedef struct usb_priv {
	libusb_context *ctx;
	libusb_device_handle *h;
	int iface;
	uint8_t ep_out, ep_in, ep_int; /* ep_int 0: none */
	struct libusb_transfer *intr;  /* in flight while attached */
	uint8_t intr_buf[64];
	int intr_done;  /* completed, not read yet */
	int intr_error; /* the endpoint failed: stop reading it */
} usb_priv;

static int
map(int rc)
{
	switch (rc) {
	case LIBUSB_SUCCESS: return KZT_OK;
	case LIBUSB_ERROR_NO_DEVICE:
	case LIBUSB_ERROR_NOT_FOUND:
	case LIBUSB_ERROR_ACCESS:
	case LIBUSB_ERROR_BUSY: return KZT_ERR_NO_CARD;
	case LIBUSB_ERROR_TIMEOUT: return KZT_ERR_TIMEOUT;
	case LIBUSB_ERROR_OVERFLOW: return KZT_ERR_PROTOCOL;
	case LIBUSB_ERROR_NO_MEM: return KZT_ERR_NOMEM;
	default: return KZT_ERR_IO;
	}
}

/* The CCID class descriptor of an interface: in its own extra bytes, or (a quirk
 * of some readers) after its endpoints. */
static const uint8_t *
class_descriptor(const struct libusb_interface_descriptor *alt)
{
	const uint8_t *x;
	int len, e;

	for (e = -1; e < alt->bNumEndpoints; e++) {
		x = e < 0 ? alt->extra : alt->endpoint[e].extra;
		len = e < 0 ? alt->extra_length : alt->endpoint[e].extra_length;
		while (x != NULL && len >= 2 && x[0] >= 2 && x[0] <= len) {
			if (x[1] == KZT_CCID_DESC_TYPE && x[0] == KZT_CCID_DESC_LEN)
				return x;
			len -= x[0];
			x += x[0];
		}
	}
	return NULL;
}

/* The first CCID interface of a device's active configuration. */
static const struct libusb_interface_descriptor *
ccid_interface(const struct libusb_config_descriptor *cfg)
{
	int i;

	for (i = 0; i < cfg->bNumInterfaces; i++) {
		const struct libusb_interface_descriptor *alt = &cfg->interface[i].altsetting[0];

		if (cfg->interface[i].num_altsetting > 0 && alt->bInterfaceClass == KZT_CCID_CLASS)
			return alt;
	}
	return NULL;
}

/* "usb:BUS-PORT.PORT...", the reader's place on the buses. */
static void
device_name(libusb_device *dev, char *out, size_t cap)
{
	uint8_t ports[8];
	int n = libusb_get_port_numbers(dev, ports, (int)sizeof(ports)), i;
	size_t off = (size_t)snprintf(out, cap, "usb:%u-", libusb_get_bus_number(dev));

	for (i = 0; i < n && off < cap; i++)
		off += (size_t)snprintf(out + off, cap - off, i == 0 ? "%u" : ".%u", ports[i]);
	if (n <= 0)
		snprintf(out + off, cap - off, "a%u", libusb_get_device_address(dev));
}

/* Is dev a CCID reader this module can drive? Its interface descriptor then. */
static int
usable(libusb_device *dev, struct libusb_config_descriptor **cfg,
       const struct libusb_interface_descriptor **alt)
{
	kzt_ccid_desc d;
	const uint8_t *cd;

	if (libusb_get_active_config_descriptor(dev, cfg) != LIBUSB_SUCCESS &&
	    libusb_get_config_descriptor(dev, 0, cfg) != LIBUSB_SUCCESS)
		return 0;
	if ((*alt = ccid_interface(*cfg)) != NULL && (cd = class_descriptor(*alt)) != NULL &&
	    kzt_ccid_desc_parse(cd, KZT_CCID_DESC_LEN, &d) == KZT_OK)
		return 1;
	libusb_free_config_descriptor(*cfg);
	*cfg = NULL;
	return 0;
}

const int kzt_usb_built_in = 1;

int
kzt_usb_open(kzt_usb **out)
{
	kzt_usb *u = calloc(1, sizeof(*u));

	*out = NULL;
	if (u == NULL)
		return KZT_ERR_NOMEM;
	if (libusb_init(&u->ctx) != LIBUSB_SUCCESS) {
		free(u);
		return KZT_ERR_NO_CARD; /* no USB to look at */
	}
	*out = u;
	return KZT_OK;
}

void
kzt_usb_close(kzt_usb **u)
{
	if (u == NULL || *u == NULL)
		return;
	libusb_exit((*u)->ctx);
	free(*u);
	*u = NULL;
}

int
kzt_usb_readers(kzt_usb *u, char *names, size_t cap, size_t *len)
{
	libusb_device **list;
	ssize_t n, i;
	size_t off = 0;

	if (cap < 2)
		return KZT_ERR_BUFFER;
	if ((n = libusb_get_device_list(u->ctx, &list)) < 0)
		return map((int)n);
	for (i = 0; i < n; i++) {
		struct libusb_config_descriptor *cfg;
		const struct libusb_interface_descriptor *alt;
		char name[KZT_READER_NAME_MAX];

		if (!usable(list[i], &cfg, &alt))
			continue;
		libusb_free_config_descriptor(cfg);
		device_name(list[i], name, sizeof(name));
		if (strlen(name) + 2 > cap - off)
			break;
		strcpy(names + off, name);
		off += strlen(name) + 1;
	}
	libusb_free_device_list(list, 1);
	names[off] = '\0';
	*len = off == 0 ? 0 : off + 1;
	return KZT_OK;
}

static void LIBUSB_CALL
intr_done(struct libusb_transfer *tr)
{
	usb_priv *p = tr->user_data;

	if (tr->status == LIBUSB_TRANSFER_COMPLETED)
		p->intr_done = 1;
	else if (tr->status != LIBUSB_TRANSFER_CANCELLED)
		p->intr_error = 1;
}

static void
usb_detach(kzt_usb_io *io)
{
	usb_priv *p = io->priv;
	struct timeval zero = {0, 0};

	if (p->h == NULL)
		return;
	if (p->intr != NULL) {
		if (!p->intr_done && !p->intr_error && libusb_cancel_transfer(p->intr) == LIBUSB_SUCCESS)
			while (!p->intr_done && !p->intr_error &&
			       p->intr->status != LIBUSB_TRANSFER_CANCELLED &&
			       libusb_handle_events_timeout(p->ctx, &zero) == LIBUSB_SUCCESS)
				;
		libusb_free_transfer(p->intr);
		p->intr = NULL;
	}
	libusb_release_interface(p->h, p->iface);
	libusb_close(p->h);
	p->h = NULL;
}

static int
usb_attach(kzt_usb_io *io)
{
	usb_priv *p = io->priv;
	libusb_device **list;
	struct libusb_config_descriptor *cfg = NULL;
	const struct libusb_interface_descriptor *alt = NULL;
	char name[KZT_READER_NAME_MAX];
	ssize_t n, i;
	int rc, e;

	usb_detach(io);
	if ((n = libusb_get_device_list(p->ctx, &list)) < 0)
		return map((int)n);
	for (i = 0; i < n; i++) {
		device_name(list[i], name, sizeof(name));
		if (strcmp(name, io->name) == 0 && usable(list[i], &cfg, &alt))
			break;
	}
	rc = i < n ? libusb_open(list[i], &p->h) : LIBUSB_ERROR_NO_DEVICE;
	libusb_free_device_list(list, 1);
	if (rc != LIBUSB_SUCCESS)
		goto fail;
	memcpy(io->desc, class_descriptor(alt), KZT_CCID_DESC_LEN);
	io->desc_len = KZT_CCID_DESC_LEN;
	p->iface = alt->bInterfaceNumber;
	p->ep_out = p->ep_in = p->ep_int = 0;
	for (e = 0; e < alt->bNumEndpoints; e++) {
		uint8_t a = alt->endpoint[e].bEndpointAddress, type = alt->endpoint[e].bmAttributes & 3;

		if (type == LIBUSB_TRANSFER_TYPE_BULK && (a & LIBUSB_ENDPOINT_IN))
			p->ep_in = a;
		else if (type == LIBUSB_TRANSFER_TYPE_BULK)
			p->ep_out = a;
		else if (type == LIBUSB_TRANSFER_TYPE_INTERRUPT && (a & LIBUSB_ENDPOINT_IN))
			p->ep_int = a;
	}
	libusb_free_config_descriptor(cfg);
	cfg = NULL;
	if (p->ep_in == 0 || p->ep_out == 0) {
		rc = LIBUSB_ERROR_NOT_FOUND;
		goto fail;
	}
	if ((rc = libusb_claim_interface(p->h, p->iface)) != LIBUSB_SUCCESS) {
		/* most often pcscd's own CCID driver holds it: then PC/SC is the way */
		kzt_log(KZT_LOG_INFO, "%s: cannot claim the reader (%s)", io->name, libusb_error_name(rc));
		goto fail;
	}
	p->intr_done = p->intr_error = 0;
	if (p->ep_int != 0 && (p->intr = libusb_alloc_transfer(0)) != NULL) {
		libusb_fill_interrupt_transfer(p->intr, p->h, p->ep_int, p->intr_buf, sizeof(p->intr_buf),
					       intr_done, p, 0);
		if (libusb_submit_transfer(p->intr) != LIBUSB_SUCCESS)
			p->intr_error = 1;
	}
	return KZT_OK;
fail:
	if (cfg != NULL)
		libusb_free_config_descriptor(cfg);
	if (p->h != NULL)
		libusb_close(p->h);
	p->h = NULL;
	return map(rc);
}

static int
usb_bulk_out(kzt_usb_io *io, const uint8_t *buf, size_t len)
{
	usb_priv *p = io->priv;
	int done = 0, rc;

	if (p->h == NULL)
		return KZT_ERR_NO_CARD;
	rc = libusb_bulk_transfer(p->h, p->ep_out, (uint8_t *)buf, (int)len, &done, 0);
	if (rc == LIBUSB_SUCCESS && (size_t)done != len)
		return KZT_ERR_IO;
	return map(rc);
}

static int
usb_bulk_in(kzt_usb_io *io, uint8_t *buf, size_t cap, size_t *len)
{
	usb_priv *p = io->priv;
	int done = 0, rc;

	if (p->h == NULL)
		return KZT_ERR_NO_CARD;
	rc = libusb_bulk_transfer(p->h, p->ep_in, buf, (int)cap, &done, 0);
	*len = (size_t)done;
	return map(rc);
}

static int
usb_intr_in(kzt_usb_io *io, uint8_t *buf, size_t cap, size_t *len)
{
	usb_priv *p = io->priv;
	struct timeval zero = {0, 0};
	size_t n;

	if (p->h == NULL)
		return KZT_ERR_NO_CARD;
	if (p->intr == NULL || p->intr_error)
		return KZT_ERR_TIMEOUT;
	libusb_handle_events_timeout(p->ctx, &zero);
	if (!p->intr_done)
		return KZT_ERR_TIMEOUT;
	n = (size_t)p->intr->actual_length < cap ? (size_t)p->intr->actual_length : cap;
	memcpy(buf, p->intr_buf, n);
	*len = n;
	p->intr_done = 0;
	if (libusb_submit_transfer(p->intr) != LIBUSB_SUCCESS)
		p->intr_error = 1;
	return KZT_OK;
}

static void
usb_destroy(kzt_usb_io *io)
{
	usb_detach(io);
	free(io->priv);
	free(io);
}

static const kzt_usb_io_ops usb_ops = {
	.attach = usb_attach,
	.detach = usb_detach,
	.bulk_out = usb_bulk_out,
	.bulk_in = usb_bulk_in,
	.intr_in = usb_intr_in,
	.destroy = usb_destroy,
};

int
kzt_transport_usb_new(kzt_usb *u, const char *name, kzt_transport **out)
{
	kzt_usb_io *io;
	usb_priv *p;
	int r;

	*out = NULL;
	if (u == NULL || name == NULL || strlen(name) >= sizeof(io->name))
		return KZT_ERR_ARGS;
	if ((io = calloc(1, sizeof(*io))) == NULL || (p = calloc(1, sizeof(*p))) == NULL) {
		free(io);
		return KZT_ERR_NOMEM;
	}
	p->ctx = u->ctx;
	io->ops = &usb_ops;
	io->priv = p;
	strcpy(io->name, name);
	snprintf(io->description, sizeof(io->description), "CCID reader %.40s", name);
	if ((r = kzt_transport_ccid_new(io, out)) == KZT_OK)
		(*out)->parent_only = 1; /* its claimed interface is the process's that opened it */
	return r;
}
