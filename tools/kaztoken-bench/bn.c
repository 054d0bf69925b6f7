/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* kaztoken-bench bn: src/bn against OpenSSL in one run, on the same keys. The RSA
 * private operation at 2048, 3072 and 4096 bits (each side with its key prepared
 * once, as a token or a library keeps it) and 2048-bit key generation; then
 * signatures of a 32 or 64-byte hash: ECDSA on P-256 against OpenSSL, GOST R
 * 34.10-2012 on TC26 256-A and 512-A against OpenSSL's gost engine. The runs of
 * the two sides alternate, so a busy machine slows both alike. Prints the median
 * times and the ratios ours / OpenSSL's. */
#define OPENSSL_SUPPRESS_DEPRECATED /* (the ENGINE interface is how gost-engine loads) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/bn.h>
#include <openssl/engine.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>

#include "bench.h"
#include "ec.h"
#include "ifma.h"
#include "kzt_err.h"
#include "osslkey.h"
#include "rsa.h"

static int
rng(uint8_t *out, size_t n)
{
	return RAND_bytes(out, (int)n) == 1 ? KZT_OK : KZT_ERR_IO;
}

static double
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double
median(double *v, size_t n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static void
die(const char *what)
{
	fprintf(stderr, "kaztoken-bench: %s\n", what);
	exit(1);
}

/* The private operation: ROUNDS rounds, each timing a batch on both sides. */
static void
bench_private(unsigned bits, int batch)
{
	enum { ROUNDS = 15 };
	static kzt_rsa_key key;
	static kzt_rsa_private ours;
	double t_ours[ROUNDS], t_ssl[ROUNDS], t0;
	uint8_t in[512], out[512];
	EVP_PKEY *pk = EVP_RSA_gen(bits);
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, pk, NULL);
	size_t k = bits / 8, out_len;
	int r, i;

	if (pk == NULL || ctx == NULL || EVP_PKEY_decrypt_init(ctx) != 1 ||
	    EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_NO_PADDING) != 1)
		die("OpenSSL key setup failed");
	if (kzt_osslkey_to_parts(pk, &key) != 0)
		die("cannot read an OpenSSL key");
	if (kzt_rsa_private_init(&ours, &key, rng) != KZT_OK)
		die("src/bn refused the key");
	rng(in, k);
	in[0] &= 0x7F;
	for (r = 0; r < ROUNDS; r++) {
		t0 = now_us();
		for (i = 0; i < batch; i++)
			if (kzt_rsa_private_op(&ours, in, out) != KZT_OK)
				die("src/bn private operation failed");
		t_ours[r] = (now_us() - t0) / batch;
		t0 = now_us();
		for (i = 0; i < batch; i++) {
			out_len = k;
			if (EVP_PKEY_decrypt(ctx, out, &out_len, in, k) != 1)
				die("OpenSSL private operation failed");
		}
		t_ssl[r] = (now_us() - t0) / batch;
	}
	printf("rsa%u_private_us_bn=%.1f\n", bits, median(t_ours, ROUNDS));
	printf("rsa%u_private_us_openssl=%.1f\n", bits, median(t_ssl, ROUNDS));
	printf("rsa%u_private_ratio=%.2f\n", bits, median(t_ours, ROUNDS) / median(t_ssl, ROUNDS));
	kzt_rsa_private_wipe(&ours);
	memset(&key, 0, sizeof(key));
	EVP_PKEY_CTX_free(ctx);
	EVP_PKEY_free(pk);
}

/* Key generation: its time varies with the primes found, so many keys each, the
 * two sides alternating, compared by their means. */
static void
bench_keygen(unsigned bits, int keys)
{
	static kzt_rsa_key key;
	double sum_ours = 0, sum_ssl = 0, t0;
	EVP_PKEY *pk;
	int i;

	for (i = 0; i < keys; i++) {
		t0 = now_us();
		if (kzt_rsa_generate(bits, (const uint8_t *)"\x01\x00\x01", 3, rng, &key) != KZT_OK)
			die("src/bn key generation failed");
		sum_ours += now_us() - t0;
		t0 = now_us();
		if ((pk = EVP_RSA_gen(bits)) == NULL)
			die("OpenSSL key generation failed");
		sum_ssl += now_us() - t0;
		EVP_PKEY_free(pk);
	}
	memset(&key, 0, sizeof(key));
	printf("rsa%u_keygen_ms_bn=%.1f\n", bits, sum_ours / keys / 1e3);
	printf("rsa%u_keygen_ms_openssl=%.1f\n", bits, sum_ssl / keys / 1e3);
	printf("rsa%u_keygen_keys=%d\n", bits, keys);
	printf("rsa%u_keygen_ratio=%.2f\n", bits, sum_ours / sum_ssl);
}

/* OpenSSL's key for the curve: P-256 its own, the GOST sets the gost engine's
 * (NULL when the engine is not there). */
static EVP_PKEY *
openssl_ec_key(kzt_ec_id id, ENGINE **eng)
{
	EVP_PKEY_CTX *ctx;
	EVP_PKEY *pk = NULL;

	if (id == KZT_EC_P256)
		return EVP_EC_gen("P-256");
	if (*eng == NULL) {
		if ((*eng = ENGINE_by_id("gost")) == NULL || ENGINE_init(*eng) != 1 ||
		    ENGINE_register_pkey_asn1_meths(*eng) != 1 || ENGINE_register_pkey_meths(*eng) != 1)
			return NULL;
	}
	ctx = EVP_PKEY_CTX_new_id(id == KZT_EC_GOST_256_A ? NID_id_GostR3410_2012_256 : NID_id_GostR3410_2012_512, *eng);
	if (ctx == NULL || EVP_PKEY_keygen_init(ctx) != 1 || EVP_PKEY_CTX_ctrl_str(ctx, "paramset", id == KZT_EC_GOST_256_A ? "TCA" : "A") <= 0 ||
	    EVP_PKEY_keygen(ctx, &pk) != 1)
		pk = NULL;
	EVP_PKEY_CTX_free(ctx);
	return pk;
}

/* Signing a hash: ROUNDS rounds, each timing a batch on both sides. */
static double
bench_ec_sign(kzt_ec_id id, const char *label, int batch, ENGINE **eng)
{
	enum { ROUNDS = 9 };
	static kzt_ec_curve c;
	double t_ours[ROUNDS], t_ssl[ROUNDS], t0;
	uint8_t d[KZT_EC_MAX_BYTES], xy[2 * KZT_EC_MAX_BYTES], hash[64], sig[256];
	kzt_ec_scheme scheme = id == KZT_EC_P256 ? KZT_EC_ECDSA : KZT_EC_GOST;
	EVP_PKEY *pk = openssl_ec_key(id, eng);
	EVP_PKEY_CTX *ctx;
	size_t sig_len;
	int r, i;

	if (pk == NULL) {
		fprintf(stderr, "kaztoken-bench: no OpenSSL key for %s (is libengine-gost-openssl installed?)\n",
			label);
		exit(1);
	}
	if ((ctx = EVP_PKEY_CTX_new(pk, *eng)) == NULL || EVP_PKEY_sign_init(ctx) != 1)
		die("OpenSSL signing setup failed");
	if (kzt_ec_curve_load(&c, id) != KZT_OK || kzt_ec_generate(&c, rng, d, xy) != KZT_OK)
		die("src/bn made no key");
	rng(hash, c.bytes);
	for (r = 0; r < ROUNDS; r++) {
		t0 = now_us();
		for (i = 0; i < batch; i++)
			if (kzt_ec_sign(&c, scheme, rng, d, xy, hash, c.bytes, sig) != KZT_OK)
				die("src/bn signing failed");
		t_ours[r] = (now_us() - t0) / batch;
		t0 = now_us();
		for (i = 0; i < batch; i++) {
			sig_len = sizeof(sig);
			if (EVP_PKEY_sign(ctx, sig, &sig_len, hash, c.bytes) != 1)
				die("OpenSSL signing failed");
		}
		t_ssl[r] = (now_us() - t0) / batch;
	}
	printf("%s_sign_us_bn=%.1f\n", label, median(t_ours, ROUNDS));
	printf("%s_sign_us_openssl=%.1f\n", label, median(t_ssl, ROUNDS));
	printf("%s_sign_ratio=%.2f\n", label, median(t_ours, ROUNDS) / median(t_ssl, ROUNDS));
	memset(d, 0, sizeof(d));
	EVP_PKEY_CTX_free(ctx);
	EVP_PKEY_free(pk);
	return median(t_ours, ROUNDS) / median(t_ssl, ROUNDS);
}

int
kzt_bench_bn(void)
{
	printf("# src/bn / OpenSSL %s, limb bits %d; times are medians (private) and means (keygen)\n",
	       OPENSSL_VERSION_STR, KZT_BN_LIMB_BITS);
	/* 1 when src/bn's exponentiations ran on its AVX-512 IFMA accelerator */
	printf("bn_ifma=%d\n", kzt_bn_ifma_active());
	/* 1 when the 256-bit curves' field arithmetic ran as BMI2/ADX assembly */
	printf("ec_adx=%d\n", kzt_ec_adx_active());
	bench_private(2048, 20);
	bench_private(3072, 8);
	bench_private(4096, 4);
	bench_keygen(2048, 24);
	{
		ENGINE *eng = NULL;

		double p256 = bench_ec_sign(KZT_EC_P256, "ecdsa_p256", 20, &eng);

		bench_ec_sign(KZT_EC_GOST_256_A, "gost256", 20, &eng);
		bench_ec_sign(KZT_EC_GOST_512_A, "gost512", 5, &eng);
		/* the target: P-256 signing within 2 times OpenSSL's time */
		printf("ecdsa_p256_target_ratio=2\n");
		printf("ecdsa_p256_target_met=%s\n", p256 <= 2 ? "yes" : "no");
		if (eng != NULL) {
			ENGINE_finish(eng);
			ENGINE_free(eng);
		}
	}
	return 0;
}
