/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* For harnesses that drive the module itself: the module over a fresh in-process
 * card for each input (no configuration file, no hardware readers). */
#ifndef KZT_FUZZ_INPROC_H
#define KZT_FUZZ_INPROC_H

#include "card.h"
#include "internal.h"
#include "loopback.h"

/* The module's function list (the environment set up on the first call). */
CK_FUNCTION_LIST_3_0 *inproc_module(void);
/* A factory-fresh card in memory behind lb, in slot 0, and C_Initialize. */
void inproc_begin(kzt_card *card, loopback *lb);
/* C_Finalize, and the card goes. */
void inproc_end(kzt_card *card);

#endif
