/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* The secret exponentiations, on the accelerator where the processor has one
 * (ifma.c), else with bn.c's portable code. Above both, so neither needs the
 * other's entry points. */
#include "bn.h"
#include "ifma.h"

void
kzt_mont_exp(const kzt_mont *c, kzt_limb *r, const kzt_limb *a, const kzt_limb *e, size_t e_bits)
{
	if (!kzt_bn_ifma_exp(NULL, &c, &r, &a, &e, e_bits, 1))
		kzt_mont_exp_portable(c, r, a, e, e_bits);
}

void
kzt_mont_exp2(const kzt_ifma_mod *const prep[], const kzt_mont *c1, kzt_limb *r1, const kzt_limb *a1,
	      const kzt_limb *e1, const kzt_mont *c2, kzt_limb *r2, const kzt_limb *a2, const kzt_limb *e2,
	      size_t e_bits)
{
	const kzt_mont *c[2] = {c1, c2};
	kzt_limb *r[2] = {r1, r2};
	const kzt_limb *a[2] = {a1, a2}, *e[2] = {e1, e2};

	if (kzt_bn_ifma_exp(prep, c, r, a, e, e_bits, 2))
		return;
	kzt_mont_exp_portable(c1, r1, a1, e1, e_bits);
	kzt_mont_exp_portable(c2, r2, a2, e2, e_bits);
}
