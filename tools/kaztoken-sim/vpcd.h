/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* kaztoken-sim's vpcd client: the virtual token as a card behind a real pcscd. */
#ifndef KZT_SIM_VPCD_H
#define KZT_SIM_VPCD_H

#include <stddef.h>
#include <stdint.h>

#include "card.h"

/* 1 where vsmartcard's vpcd can be reached (vpcd.c), 0 where not (vpcd_none.c:
 * Windows, where no pcscd runs) */
extern const int kzt_vpcd_built_in;
/* A TCP connection to vpcd (TCP_NODELAY set), or -1 when it is not listening. */
int kzt_vpcd_connect(const char *host, const char *port);
/* Read and answer one message from vpcd on fd with the card and its session s:
 * 0 to go on, -1 when the connection is finished (closed, failed, malformed). */
int kzt_vpcd_serve(kzt_card *card, kzt_card_session *s, int fd, uint8_t *in, size_t in_cap,
		   uint8_t *out, size_t out_cap, int verbose);

#endif
