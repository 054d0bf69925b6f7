/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* The constant-time check of src/bn's RSA private operation: run under valgrind's
 * memcheck with every secret (the factors, the CRT exponents and coefficient, the
 * blinding values) marked undefined, so that memcheck reports any branch or memory
 * address that depends on one. Only what the code declares public (whether the
 * fault check held, the result) becomes defined. Built with KZT_CT_CHECK; a copy
 * of src/bn built with KZT_BN_LEAKY_FOR_TEST shows that a leak is caught. */
#include <stdio.h>
#include <string.h>

#include "ct_rng.h"
#include "kzt_err.h"
#include "rsa.h"


static void
secret_mont(kzt_mont *c)
{
	KZT_CT_SECRET(c->m, sizeof(c->m));
	KZT_CT_SECRET(c->rr, sizeof(c->rr));
	KZT_CT_SECRET(c->one, sizeof(c->one));
	KZT_CT_SECRET(&c->m0inv, sizeof(c->m0inv));
}

int
main(void)
{
	static kzt_rsa_key key;
	static kzt_rsa_private k;
	uint8_t in[256], out[256], back[256];
	int i;

	if (kzt_rsa_generate(2048, (const uint8_t *)"\x01\x00\x01", 3, rng_public, &key) != KZT_OK ||
	    kzt_rsa_private_init(&k, &key, rng_secret) != KZT_OK) {
		fprintf(stderr, "ct_rsa: no key\n");
		return 2;
	}
	/* from here on, the private parts are unknown to memcheck (the contexts' limb
	 * counts stay known: they are the key's public size) */
	secret_mont(&k.mp);
	secret_mont(&k.mq);
	KZT_CT_SECRET(k.dp, sizeof(k.dp));
	KZT_CT_SECRET(k.dq, sizeof(k.dq));
	KZT_CT_SECRET(k.q, sizeof(k.q));
	KZT_CT_SECRET(k.qinv_m, sizeof(k.qinv_m));
	/* more uses than one blinding pair lasts, so a renewal is covered too */
	for (i = 0; i < 40; i++) {
		rng_public(in, sizeof(in));
		in[0] &= 0x7F;
		if (kzt_rsa_private_op(&k, in, out) != KZT_OK ||
		    kzt_bn_rsa_public(key.n, key.n_len, key.e, key.e_len, out, back) != KZT_OK ||
		    memcmp(back, in, sizeof(in)) != 0) {
			fprintf(stderr, "ct_rsa: wrong result\n");
			return 2;
		}
	}
	printf("ct_rsa: 40 private operations under memcheck\n");
	return 0;
}
