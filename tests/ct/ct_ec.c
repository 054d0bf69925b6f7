/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* The constant-time check of src/bn's elliptic curves, as ct_rsa.c does for RSA:
 * under memcheck, with each private key and every nonce marked undefined, public
 * points are computed and ECDSA and GOST R 34.10-2012 signatures made on a curve of
 * each size and kind (P-256, P-384, TC26 256-A of cofactor 4, TC26 512-A). Only what
 * the code declares public (a key's validity, the point, the signature) becomes
 * defined. A build with KZT_BN_LEAKY_FOR_TEST (a secret table index in the scalar
 * multiplication) shows that a leak is caught. With KZT_CT_ADX=1 the 256-bit curves
 * take the BMI2/ADX assembly, which memcheck runs though it does not announce it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ct_rng.h"
#include "ec.h"
#include "kzt_err.h"


int
main(void)
{
	static const kzt_ec_id ids[] = {KZT_EC_P256, KZT_EC_P384, KZT_EC_GOST_256_A, KZT_EC_GOST_512_A};
	static kzt_ec_curve c;
	uint8_t d[KZT_EC_MAX_BYTES], xy[2 * KZT_EC_MAX_BYTES], xy2[2 * KZT_EC_MAX_BYTES];
	uint8_t hash[64], sig[2 * KZT_EC_MAX_BYTES];
	size_t i;
	int round;
	const char *adx = getenv("KZT_CT_ADX");

	if (adx != NULL && strcmp(adx, "1") == 0 && !kzt_ec_adx_active()) {
		fprintf(stderr, "ct_ec: KZT_CT_ADX asks for the BMI2/ADX assembly, which this build lacks\n");
		return 2;
	}
	for (i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		if (kzt_ec_curve_load(&c, ids[i]) != KZT_OK ||
		    kzt_ec_generate(&c, rng_public, d, xy) != KZT_OK) {
			fprintf(stderr, "ct_ec: no key on curve %d\n", (int)ids[i]);
			return 2;
		}
		KZT_CT_SECRET(d, c.bytes);
		if (kzt_ec_public(&c, d, xy2) != KZT_OK || memcmp(xy, xy2, 2 * c.bytes) != 0) {
			fprintf(stderr, "ct_ec: %s: wrong public point\n", c.name);
			return 2;
		}
		for (round = 0; round < 2; round++) {
			kzt_ec_scheme scheme = round ? KZT_EC_GOST : KZT_EC_ECDSA;

			rng_public(hash, sizeof(hash));
			if (kzt_ec_sign(&c, scheme, rng_secret, d, round ? xy : NULL, hash, c.bytes, sig) != KZT_OK ||
			    kzt_ec_verify(&c, scheme, xy, hash, c.bytes, sig) != KZT_OK) {
				fprintf(stderr, "ct_ec: %s: a bad signature\n", c.name);
				return 2;
			}
		}
	}
	printf("ct_ec: points and signatures on 4 curves under memcheck, the 256-bit fields in %s\n",
	       kzt_ec_adx_active() ? "the BMI2/ADX assembly" : "C");
	return 0;
}
