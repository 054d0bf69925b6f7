/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* No vpcd here (Windows: vsmartcard's vpcd is a driver of pcscd, which does not
 * run there); the sibling of vpcd.c. kaztoken-sim refuses --vpcd. */
#include "vpcd.h"

const int kzt_vpcd_built_in = 0;

int
kzt_vpcd_connect(const char *host, const char *port)
{
	(void)host;
	(void)port;
	return -1;
}

int
kzt_vpcd_serve(kzt_card *card, kzt_card_session *s, int fd, uint8_t *in, size_t in_cap,
	       uint8_t *out, size_t out_cap, int verbose)
{
	(void)card, (void)s, (void)fd, (void)in, (void)in_cap, (void)out, (void)out_cap, (void)verbose;
	return -1;
}
