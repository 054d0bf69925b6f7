/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* kaztoken-bench: figures, not verdicts. Each mode prints name=value lines.
 *
 *   apdu  the APDUs each PKCS#11 operation costs, counted by a kaztoken-sim of its
 *         own (its STATS message), through the module as an application loads it.
 *   bn    src/bn's RSA against OpenSSL's in the same run (bn.c).
 *   rtt   microseconds per APDU round trip through the socket, pcscd + vpcd and
 *         the emulated CCID reader, with the module's own share (rtt.c).
 *   startup  a browser's cold start on a token of 20 certificates (startup.c).
 *   p11   start-up, key generation, enumeration and signing through the module,
 *         against a peer module such as SoftHSM2 in the same run (p11.c).
 *
 * The module and the simulator are taken from KZT_MODULE and KZT_SIM, or else from
 * beside this program (the build directory). */
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"
#include "kaztoken/pkcs11.h"
#include "simctl.h"

#define PIN(s) (CK_UTF8CHAR_PTR)(s), (CK_ULONG)strlen(s)

static void
usage(FILE *out)
{
	fprintf(out, "usage: kaztoken-bench apdu|bn|rtt|startup|p11 [--peer MODULE] [--workers N]\n"
		     "  apdu  APDUs per PKCS#11 operation, counted by the simulator\n"
		     "  bn    src/bn's RSA private operation and key generation against OpenSSL's\n"
		     "  rtt   microseconds per APDU round trip through each transport\n"
		     "  startup  APDUs and time of a cold start on a token of 20 certificates and\n"
		     "        20 key pairs, through the socket and through pcscd + vpcd\n"
		     "  p11   start-up, key generation, enumeration and signing through the module,\n"
		     "        and through a peer MODULE (e.g. /usr/lib/softhsm/libsofthsm2.so) in the\n"
		     "        same run, with N signing threads and processes (default 2)\n"
		     "The module and simulator come from KZT_MODULE and KZT_SIM, or from beside "
		     "this program.\n");
}

/* Default KZT_MODULE / KZT_SIM to the files beside this program. */
static void
default_paths(void)
{
	char self[PATH_MAX], path[PATH_MAX + 32], *dir;
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (n <= 0)
		return;
	self[n] = '\0';
	setenv("KZT_BENCH_SELF", self, 1); /* (dirname writes into self) */
	dir = dirname(self);
	snprintf(path, sizeof(path), "%s/libkaztoken-pkcs11.so", dir);
	setenv("KZT_MODULE", path, 0);
	snprintf(path, sizeof(path), "%s/kaztoken-sim", dir);
	setenv("KZT_SIM", path, 0);
}

static void
check(CK_RV rv, const char *what)
{
	if (rv != CKR_OK) {
		fprintf(stderr, "kaztoken-bench: %s failed: 0x%08lX\n", what, (unsigned long)rv);
		exit(1);
	}
}

/* The APDUs one step cost. */
#define COUNT(name, step)                                                                            \
	do {                                                                                         \
		unsigned long before_ = simctl_apdus(&sim);                                          \
		step;                                                                                \
		printf("%s=%lu\n", name, simctl_apdus(&sim) - before_);                              \
	} while (0)

static CK_ULONG
find_all(CK_FUNCTION_LIST_3_0 *p, CK_SESSION_HANDLE h)
{
	CK_OBJECT_HANDLE found[64];
	CK_ULONG n = 0;

	check(p->C_FindObjectsInit(h, NULL, 0), "C_FindObjectsInit");
	check(p->C_FindObjects(h, found, 64, &n), "C_FindObjects");
	check(p->C_FindObjectsFinal(h), "C_FindObjectsFinal");
	return n;
}

static int
bench_apdu(void)
{
	CK_BBOOL yes = CK_TRUE;
	CK_ULONG bits = 2048, len;
	CK_ATTRIBUTE pt[] = {{CKA_TOKEN, &yes, sizeof(yes)}, {CKA_MODULUS_BITS, &bits, sizeof(bits)}};
	CK_ATTRIBUTE st[] = {{CKA_TOKEN, &yes, sizeof(yes)}};
	CK_MECHANISM gen = {CKM_RSA_PKCS_KEY_PAIR_GEN, NULL, 0}, sha = {CKM_SHA256_RSA_PKCS, NULL, 0};
	CK_MECHANISM pkcs = {CKM_RSA_PKCS, NULL, 0};
	CK_OBJECT_HANDLE pub, priv;
	CK_BYTE msg[] = "benchmark", sig[512], ct[512], out[512], rnd[64], label[64];
	CK_ATTRIBUTE get_label[] = {{CKA_LABEL, label, sizeof(label)}};
	CK_FUNCTION_LIST_3_0 *p;
	CK_SESSION_HANDLE h;
	CK_TOKEN_INFO ti;
	unsigned long login, sign_init, sign, find_again;
	simctl sim;
	void *handle;

	simctl_init(&sim);
	simctl_start(&sim);
	p = module_load(&handle);
	printf("# APDUs per operation, counted by the simulator\n");
	COUNT("initialize_apdus", check(p->C_Initialize(NULL), "C_Initialize"));
	COUNT("open_session_apdus",
	      check(p->C_OpenSession(0, CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL, NULL, &h), "C_OpenSession"));
	COUNT("token_info_apdus", check(p->C_GetTokenInfo(0, &ti), "C_GetTokenInfo"));
	login = simctl_apdus(&sim);
	check(p->C_Login(h, CKU_USER, PIN("12345678")), "C_Login");
	login = simctl_apdus(&sim) - login;
	printf("login_apdus=%lu\n", login);
	COUNT("keygen_2048_apdus", check(p->C_GenerateKeyPair(h, &gen, pt, 2, st, 1, &pub, &priv), "C_GenerateKeyPair"));
	COUNT("find_first_apdus", find_all(p, h));
	find_again = simctl_apdus(&sim);
	find_all(p, h);
	find_again = simctl_apdus(&sim) - find_again;
	printf("find_repeat_apdus=%lu\n", find_again);
	COUNT("get_attribute_apdus", check(p->C_GetAttributeValue(h, priv, get_label, 1), "C_GetAttributeValue"));
	sign_init = simctl_apdus(&sim);
	check(p->C_SignInit(h, &sha, priv), "C_SignInit");
	sign_init = simctl_apdus(&sim) - sign_init;
	len = sizeof(sig);
	sign = simctl_apdus(&sim);
	check(p->C_Sign(h, msg, sizeof(msg), sig, &len), "C_Sign");
	sign = simctl_apdus(&sim) - sign;
	printf("sign_init_apdus=%lu\nsign_apdus=%lu\n", sign_init, sign);
	/* the same key again: on the socket's own card session, no MSE SET */
	COUNT("sign_again_apdus", check(p->C_SignInit(h, &sha, priv), "C_SignInit"); len = sizeof(sig);
	      check(p->C_Sign(h, msg, sizeof(msg), sig, &len), "C_Sign"));
	COUNT("verify_apdus", check(p->C_VerifyInit(h, &sha, pub), "C_VerifyInit");
	      check(p->C_Verify(h, msg, sizeof(msg), sig, len), "C_Verify"));
	len = sizeof(ct);
	check(p->C_EncryptInit(h, &pkcs, pub), "C_EncryptInit");
	check(p->C_Encrypt(h, msg, sizeof(msg), ct, &len), "C_Encrypt");
	COUNT("decrypt_apdus", check(p->C_DecryptInit(h, &pkcs, priv), "C_DecryptInit"); len = sizeof(out);
	      check(p->C_Decrypt(h, ct, 256, out, &len), "C_Decrypt"));
	COUNT("random_64_apdus", check(p->C_GenerateRandom(h, rnd, sizeof(rnd)), "C_GenerateRandom"));
	COUNT("logout_apdus", check(p->C_Logout(h), "C_Logout"));
	/* the budget: login 1, a signature at most 2, a repeated search at most 1 */
	printf("targets_met=%s\n", login <= 1 && sign_init + sign <= 2 && find_again <= 1 ? "yes" : "no");
	p->C_Finalize(NULL);
	simctl_cleanup(&sim);
	return 0;
}

int
main(int argc, char **argv)
{
	const char *peer = NULL;
	int i, n = 2;

	if (argc >= 2 && strcmp(argv[1], "p11") == 0) {
		for (i = 2; i < argc; i++) {
			if (strcmp(argv[i], "--peer") == 0 && i + 1 < argc)
				peer = argv[++i];
			else if (strcmp(argv[i], "--workers") == 0 && i + 1 < argc &&
				 (n = atoi(argv[++i])) >= 1 && n <= 16)
				;
			else {
				usage(stderr);
				return 2;
			}
		}
		default_paths();
		return kzt_bench_p11(peer, n);
	}
	if (argc != 2) {
		usage(stderr);
		return 2;
	}
	default_paths();
	if (strcmp(argv[1], "startup") == 0)
		return kzt_bench_startup(getenv("KZT_BENCH_SELF"));
	if (strcmp(argv[1], "startup-child") == 0)
		return kzt_bench_startup_child();
	if (strcmp(argv[1], "apdu") == 0)
		return bench_apdu();
	if (strcmp(argv[1], "bn") == 0)
		return kzt_bench_bn();
	if (strcmp(argv[1], "rtt") == 0)
		return kzt_bench_rtt();
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
		usage(stdout);
		return 0;
	}
	usage(stderr);
	return 2;
}
