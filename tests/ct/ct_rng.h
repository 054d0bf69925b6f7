/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* The two random generators of the constant-time checks: one for what may be
 * known (keys made before the check, inputs), one for the values the code must
 * keep secret (blinding values, nonces), which memcheck is told it cannot know. */
#ifndef KZT_CT_RNG_H
#define KZT_CT_RNG_H

#include "bn.h"
#include "random.h"

static int
rng_public(uint8_t *out, size_t n)
{
	return kzt_os_random(out, n);
}

static int
rng_secret(uint8_t *out, size_t n)
{
	int r = rng_public(out, n);

	KZT_CT_SECRET(out, n);
	return r;
}

#endif
