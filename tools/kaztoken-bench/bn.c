/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* kaztoken-bench bn: src/bn against OpenSSL in one run, on the same keys. The RSA
 * private operation at 2048, 3072 and 4096 bits (each side with its key prepared
 * once, as a token or a library keeps it) and 2048-bit key generation; the runs of
 * the two sides alternate, so a busy machine slows both alike. Prints the median
 * times and the ratios ours / OpenSSL's. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>

#include "bench.h"
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

int
kzt_bench_bn(void)
{
	printf("# src/bn / OpenSSL %s, limb bits %d; times are medians (private) and means (keygen)\n",
	       OPENSSL_VERSION_STR, KZT_BN_LIMB_BITS);
	/* 1 when src/bn's exponentiations ran on its AVX-512 IFMA accelerator */
	printf("bn_ifma=%d\n", kzt_bn_ifma_active());
	bench_private(2048, 20);
	bench_private(3072, 8);
	bench_private(4096, 4);
	bench_keygen(2048, 24);
	return 0;
}
