/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* The signing check against injected faults: src/bn built with
 * KZT_BN_FAULT_FOR_TEST (ec.h) changes, in every signature while a fault is set,
 * a bit of the key or the nonce's top limb after the two multiplications of the
 * generator, or zeroes the message's integer, or skips a step of the comb's loop.
 * Each would give the key away if its signature left (the key from one GOST
 * signature with e = 0, a key bit from a flipped one, a short nonce to a lattice);
 * none may leave: KZT_ERR_CARD and the signature zero. A skipped step whose digits
 * were 0 in both lanes changes nothing, and its signature is right. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ec.h"
#include "kzt_err.h"

static uint64_t seed = 0x2545F4914F6CDD1Du;

static int
rng(uint8_t *out, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		seed ^= seed << 13;
		seed ^= seed >> 7;
		seed ^= seed << 17;
		out[i] = (uint8_t)seed;
	}
	return KZT_OK;
}

static void
test_a_fault_after_the_multiplications_or_in_their_loop_never_signs(void **state)
{
	static const kzt_ec_id ids[] = {KZT_EC_P256, KZT_EC_P384, KZT_EC_GOST_256_A, KZT_EC_GOST_512_A};
	static const kzt_ec_fault_kind faults[] = {KZT_EC_FAULT_KEY_BIT, KZT_EC_FAULT_NONCE_LIMB,
						   KZT_EC_FAULT_MESSAGE, KZT_EC_FAULT_SKIP_STEP};
	static const uint8_t zero[2 * KZT_EC_MAX_BYTES];
	static kzt_ec_curve c;
	uint8_t d[KZT_EC_MAX_BYTES], xy[2 * KZT_EC_MAX_BYTES], hash[64], sig[2 * KZT_EC_MAX_BYTES];
	size_t i, f, round;
	int scheme;

	(void)state;
	for (i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		assert_int_equal(kzt_ec_curve_load(&c, ids[i]), KZT_OK);
		assert_int_equal(kzt_ec_generate(&c, rng, d, xy), KZT_OK);
		for (scheme = KZT_EC_ECDSA; scheme <= KZT_EC_GOST; scheme++) {
			rng(hash, c.bytes);
			kzt_ec_fault = KZT_EC_FAULT_NONE; /* the control: it signs */
			assert_int_equal(kzt_ec_sign(&c, (kzt_ec_scheme)scheme, rng, d, xy, hash, c.bytes, sig), KZT_OK);
			assert_int_equal(kzt_ec_verify(&c, (kzt_ec_scheme)scheme, xy, hash, c.bytes, sig), KZT_OK);
			for (f = 0; f < sizeof(faults) / sizeof(faults[0]); f++) {
				int refused = 0;

				kzt_ec_fault = faults[f];
				for (round = 0; round < 8; round++) {
					int rc;

					memset(sig, 0xEE, sizeof(sig));
					rc = kzt_ec_sign(&c, (kzt_ec_scheme)scheme, rng, d, xy, hash, c.bytes, sig);
					if (rc == KZT_ERR_CARD) {
						assert_memory_equal(sig, zero, 2 * c.bytes);
						refused++;
					} else { /* only a skipped step that changed nothing */
						assert_int_equal(faults[f], KZT_EC_FAULT_SKIP_STEP);
						assert_int_equal(rc, KZT_OK);
						assert_int_equal(kzt_ec_verify(&c, (kzt_ec_scheme)scheme, xy, hash,
										c.bytes, sig),
								 KZT_OK);
					}
				}
				assert_true(refused >= 6);
			}
			kzt_ec_fault = KZT_EC_FAULT_NONE;
		}
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_a_fault_after_the_multiplications_or_in_their_loop_never_signs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
