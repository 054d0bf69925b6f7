/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* src/bn/ec.c's written-out field code against its plain loops, from inside:
 * this file includes ec.c, so that its static functions are in reach (and the
 * library's own ec.o is not linked). Every kind of 256-bit product and square
 * (the 4-limb C, P-256's reduction, and the mulx/adcx/adox assembly where this
 * processor has BMI2 and ADX), sum and difference must equal the loop's
 * (kzt_mont_product's algorithm, in mul_n) on random values and on the edges
 * (0, 1, m - 1, words of all ones); and the Jacobian mixed addition of mul_g must
 * give the complete formulas' point, from infinity too. */
#include "ec.c"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

#include <cmocka.h>

static uint64_t seed = 0x9E3779B97F4A7C15u;

static uint64_t
next(void)
{
	seed ^= seed << 13;
	seed ^= seed >> 7;
	seed ^= seed << 17;
	return seed;
}

static int
rng(uint8_t *out, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		out[i] = (uint8_t)next();
	return KZT_OK;
}

#if KZT_BN_LIMB_BITS == 64
/* a value below m (n limbs): random, or one of the edges */
static void
value(kzt_limb *r, const kzt_limb *m, size_t n)
{
	size_t j;

	for (;;) {
		unsigned kind = (unsigned)(next() % 8);

		memset(r, 0, L * sizeof(kzt_limb));
		for (j = 0; j < n; j++)
			r[j] = kind == 1 ? ~(kzt_limb)0 : kind == 2 ? 0 : kind == 3 ? m[j] : (kzt_limb)next();
		if (kind == 3)
			r[0] -= 1 + next() % 3; /* m - 1, m - 2, m - 3 */
		if (kind == 4)
			r[0] = next() % 2;
		if (kzt_bn_cmp(r, m, n) < 0)
			return;
	}
}

static void
compare_kind(const kzt_mont *mc, int kind)
{
	kzt_limb a[L], b[L], want[L], got[L];
	long i;

	for (i = 0; i < 200000; i++) {
		value(a, mc->m, 4);
		value(b, mc->m, 4);
		memset(want, 0, sizeof(want)), memset(got, 0, sizeof(got));
		mul_n(4, mc, want, a, b);
		mont_mul(kind, mc, got, a, b);
		assert_memory_equal(got, want, 4 * sizeof(kzt_limb));
		mul_n(4, mc, want, a, a);
		mont_sqr(kind, mc, got, a);
		assert_memory_equal(got, want, 4 * sizeof(kzt_limb));
		add_n(4, mc->m, want, a, b);
		add4(mc->m, got, a, b);
		assert_memory_equal(got, want, 4 * sizeof(kzt_limb));
		sub_n(4, mc->m, want, a, b);
		sub4(mc->m, got, a, b);
		assert_memory_equal(got, want, 4 * sizeof(kzt_limb));
	}
}
#endif

static void
test_the_written_out_field_code_agrees_with_the_montgomery_loop(void **state)
{
#if KZT_BN_LIMB_BITS == 64
	static kzt_ec_curve p256, gost;
	int adx;

	(void)state;
	assert_int_equal(kzt_ec_curve_load(&p256, KZT_EC_P256), KZT_OK);
	assert_int_equal(kzt_ec_curve_load(&gost, KZT_EC_GOST_CP_A), KZT_OK);
	adx = p256.field == FIELD_P256X;
	printf("# with BMI2 and ADX: %s\n", adx ? "yes, the assembly checked too" : "no");
	compare_kind(&p256.p, FIELD_P256);
	compare_kind(&p256.q, FIELD_4);
	compare_kind(&gost.p, FIELD_4);
	compare_kind(&gost.q, FIELD_4);
	if (adx) {
		compare_kind(&p256.p, FIELD_P256X);
		compare_kind(&p256.q, FIELD_4X);
		compare_kind(&gost.p, FIELD_4X);
	}
#else
	(void)state;
	printf("# 32-bit limbs: the loops are the only field code\n");
#endif
}

/* 1 when the Jacobian (X, Y, Z) and the projective p are the same point */
static int
same_point(const kzt_ec_curve *c, const point *jac, const point *p)
{
	point h;
	kzt_limb t[L];

	memset(&h, 0, sizeof(h));
	f_mul(c, h.x, jac->x, jac->z); /* (X Z : Y : Z^3) */
	memcpy(h.y, jac->y, sizeof(h.y));
	f_mul(c, t, jac->z, jac->z);
	f_mul(c, h.z, jac->z, t);
	return points_differ(c, &h, p) == 0;
}

static void
test_the_jacobian_mixed_sum_is_the_complete_formulas_sum(void **state)
{
	static const kzt_ec_id ids[] = {KZT_EC_P256, KZT_EC_P384, KZT_EC_GOST_CP_A, KZT_EC_GOST_256_A,
					KZT_EC_GOST_512_A, KZT_EC_GOST_512_C};
	static kzt_ec_curve c;
	size_t i, round;

	(void)state;
	for (i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		assert_int_equal(kzt_ec_curve_load(&c, ids[i]), KZT_OK);
		for (round = 0; round < 20; round++) {
			kzt_limb k1[L] = {0}, k2[L] = {0}, x[L], y[L];
			struct lane ln[2];
			point p1, p2, want;
			size_t l;

			/* (random in [1, q - 1]: equal or opposite points, for which the
			 * formula is not made, have no chance) */
			assert_int_equal(random_scalar(&c, rng, k1), KZT_OK);
			assert_int_equal(random_scalar(&c, rng, k2), KZT_OK);
			mul_g(&c, &p1, k1);
			mul_g(&c, &p2, k2);
			to_affine_mont(&c, x, y, &p2);
			memset(ln, 0, sizeof(ln));
			/* lane 0 from p1, affine (Z = 1: the same point either way) */
			to_affine_mont(&c, ln[0].acc.x, ln[0].acc.y, &p1);
			memcpy(ln[0].acc.z, c.p.one, sizeof(ln[0].acc.z));
			set_infinity(&c, &ln[1].acc); /* lane 1 from infinity */
			for (l = 0; l < 2; l++) {
				memcpy(ln[l].x, x, sizeof(x));
				memcpy(ln[l].y, y, sizeof(y));
			}
			add_jacobian_affine(&c, 2, ln);
			add(&c, &want, &p1, &p2);
			assert_true(same_point(&c, &ln[0].sum, &want));
			assert_true(same_point(&c, &ln[1].sum, &p2));
			add_jacobian_affine(&c, 1, ln); /* one lane alone: the same */
			assert_true(same_point(&c, &ln[0].sum, &want));
		}
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_the_written_out_field_code_agrees_with_the_montgomery_loop),
		cmocka_unit_test(test_the_jacobian_mixed_sum_is_the_complete_formulas_sum),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
