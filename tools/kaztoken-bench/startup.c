/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* kaztoken-bench startup: what a browser's start costs on a token that holds 20
 * certificates and 20 key pairs. Each cold start is a new process (this program
 * again, as startup-child) that loads the module and does what a browser does:
 * C_Initialize, the slot list, the token's information, a session, every
 * certificate found and its value read, the login, the private keys found. The
 * child times that and asks the simulator how many APDUs it cost (the C_Finalize
 * after it, an application's exit, is not counted). Through the socket, then
 * through a real pcscd with the virtual token in vpcd's reader (when there is
 * one). The target: at most ceil(certificate bytes / the card's longest response)
 * + 6 APDUs; and with the cache of public objects on (`cache = public`), a
 * repeated cold start in at most 4. */
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"
#include "kaztoken/pkcs11.h"
#include "simctl.h"

#define CERTS 20
#define COLD_STARTS 3
#define USER_PIN "12345678"
#define PIN(s) (CK_UTF8CHAR_PTR)(s), (CK_ULONG)strlen(s)
#define MAX_RESPONSE 8192 /* the card's longest response data (its FCI says so) */
#define CACHED_TARGET 4   /* a repeated cold start with the cache of public objects */

static int quiet; /* a cold start's complaints are not shown (waiting for vpcd) */

static void
check(CK_RV rv, const char *what)
{
	if (rv != CKR_OK) {
		fprintf(stderr, "kaztoken-bench startup: %s failed: 0x%08lX\n", what, (unsigned long)rv);
		exit(1);
	}
}

/* A self-signed certificate numbered i, DER, of about the size a CA issues. */
static size_t
make_cert(EVP_PKEY *key, int i, unsigned char **der)
{
	X509 *x = X509_new();
	X509_NAME *name = X509_NAME_new();
	char cn[64];
	int len;

	snprintf(cn, sizeof(cn), "KAZTOKEN benchmark certificate %02d", i);
	if (x == NULL || name == NULL ||
	    !X509_NAME_add_entry_by_txt(name, "C", MBSTRING_ASC, (const unsigned char *)"KZ", -1, -1, 0) ||
	    !X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0) ||
	    !X509_set_version(x, 2) || !ASN1_INTEGER_set(X509_get_serialNumber(x), 1000 + i) ||
	    !X509_set_subject_name(x, name) || !X509_set_issuer_name(x, name) ||
	    X509_gmtime_adj(X509_getm_notBefore(x), 0) == NULL ||
	    X509_gmtime_adj(X509_getm_notAfter(x), 365L * 24 * 3600) == NULL || !X509_set_pubkey(x, key) ||
	    !X509_sign(x, key, EVP_sha256()) || (len = i2d_X509(x, der)) <= 0) {
		fprintf(stderr, "kaztoken-bench startup: could not make a certificate\n");
		exit(1);
	}
	X509_NAME_free(name);
	X509_free(x);
	return (size_t)len;
}

/* The token: CERTS certificates and CERTS key pairs, through the module. The
 * certificate bytes in all. */
static size_t
personalise(void)
{
	CK_OBJECT_CLASS cert = CKO_CERTIFICATE;
	CK_CERTIFICATE_TYPE x509 = CKC_X_509;
	CK_BBOOL yes = CK_TRUE;
	CK_ULONG bits = 2048;
	CK_BYTE e[] = {1, 0, 1}, id[1];
	CK_MECHANISM gen = {CKM_RSA_PKCS_KEY_PAIR_GEN, NULL, 0};
	CK_FUNCTION_LIST_3_0 *p;
	CK_SESSION_HANDLE h;
	CK_OBJECT_HANDLE o, pk, sk;
	EVP_PKEY *key = EVP_RSA_gen(2048);
	unsigned char *der;
	size_t len, total = 0;
	void *dl;
	int i;

	if (key == NULL) {
		fprintf(stderr, "kaztoken-bench startup: no RSA key from OpenSSL\n");
		exit(1);
	}
	p = module_load(&dl);
	check(p->C_Initialize(NULL), "C_Initialize");
	check(p->C_OpenSession(0, CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL, NULL, &h), "C_OpenSession");
	check(p->C_Login(h, CKU_USER, PIN(USER_PIN)), "C_Login");
	for (i = 0; i < CERTS; i++) {
		char label[32];

		snprintf(label, sizeof(label), "certificate %02d", i);
		id[0] = (CK_BYTE)i;
		der = NULL;
		len = make_cert(key, i, &der);
		{
			CK_ATTRIBUTE t[] = {{CKA_CLASS, &cert, sizeof(cert)},
					    {CKA_CERTIFICATE_TYPE, &x509, sizeof(x509)},
					    {CKA_TOKEN, &yes, sizeof(yes)},
					    {CKA_LABEL, label, strlen(label)},
					    {CKA_ID, id, 1},
					    {CKA_VALUE, der, len}};
			CK_ATTRIBUTE pub[] = {{CKA_TOKEN, &yes, sizeof(yes)}, {CKA_MODULUS_BITS, &bits, sizeof(bits)},
					      {CKA_PUBLIC_EXPONENT, e, sizeof(e)}, {CKA_ID, id, 1}};
			CK_ATTRIBUTE priv[] = {{CKA_TOKEN, &yes, sizeof(yes)}, {CKA_PRIVATE, &yes, sizeof(yes)},
					       {CKA_SIGN, &yes, sizeof(yes)}, {CKA_ID, id, 1}};

			check(p->C_CreateObject(h, t, 6, &o), "C_CreateObject (a certificate)");
			check(p->C_GenerateKeyPair(h, &gen, pub, 4, priv, 4, &pk, &sk), "C_GenerateKeyPair");
		}
		OPENSSL_free(der);
		total += len;
	}
	check(p->C_Finalize(NULL), "C_Finalize");
	EVP_PKEY_free(key);
	return total;
}

static CK_ULONG
find(CK_FUNCTION_LIST_3_0 *p, CK_SESSION_HANDLE h, CK_OBJECT_CLASS cls, CK_OBJECT_HANDLE *found,
     CK_ULONG cap)
{
	CK_ATTRIBUTE t[] = {{CKA_CLASS, &cls, sizeof(cls)}};
	CK_ULONG n = 0;

	check(p->C_FindObjectsInit(h, t, 1), "C_FindObjectsInit");
	check(p->C_FindObjects(h, found, cap, &n), "C_FindObjects");
	check(p->C_FindObjectsFinal(h), "C_FindObjectsFinal");
	return n;
}

int
kzt_bench_startup_child(void)
{
	CK_OBJECT_HANDLE found[64];
	CK_SLOT_ID slots[8];
	CK_ULONG nslots = 8, n, i;
	CK_TOKEN_INFO ti;
	CK_SESSION_HANDLE h;
	CK_FUNCTION_LIST_3_0 *p;
	unsigned char value[4096];
	struct timespec t0, t1;
	unsigned long before, apdus;
	simctl sim;
	void *dl;

	memset(&sim, 0, sizeof(sim));
	snprintf(sim.socket, sizeof(sim.socket), "%s", getenv("KZT_BENCH_STATS"));
	before = simctl_apdus(&sim);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	p = module_load(&dl);
	check(p->C_Initialize(NULL), "C_Initialize");
	check(p->C_GetSlotList(CK_TRUE, slots, &nslots), "C_GetSlotList");
	if (nslots == 0) {
		fprintf(stderr, "kaztoken-bench startup: no token\n");
		return 1;
	}
	check(p->C_GetTokenInfo(slots[0], &ti), "C_GetTokenInfo");
	check(p->C_OpenSession(slots[0], CKF_SERIAL_SESSION, NULL, NULL, &h), "C_OpenSession");
	n = find(p, h, CKO_CERTIFICATE, found, 64);
	for (i = 0; i < n; i++) {
		CK_ATTRIBUTE t[] = {{CKA_VALUE, value, sizeof(value)}};

		check(p->C_GetAttributeValue(h, found[i], t, 1), "C_GetAttributeValue (CKA_VALUE)");
	}
	if (n != CERTS) {
		fprintf(stderr, "kaztoken-bench startup: %lu certificates found\n", (unsigned long)n);
		return 1;
	}
	check(p->C_Login(h, CKU_USER, PIN(USER_PIN)), "C_Login");
	if ((n = find(p, h, CKO_PRIVATE_KEY, found, 64)) != CERTS) {
		fprintf(stderr, "kaztoken-bench startup: %lu private keys found\n", (unsigned long)n);
		return 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	apdus = simctl_apdus(&sim) - before;
	check(p->C_Finalize(NULL), "C_Finalize");
	printf("%.2f %lu\n", (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6,
	       apdus);
	return 0;
}

/* One cold start in a new process: 0 with its APDUs and ms, or -1 when it failed. */
static int
cold_start(const char *self, simctl *sim, unsigned long *apdus, double *ms)
{
	char line[64] = "";
	FILE *f;
	char cmd[4200];
	int ok;

	setenv("KZT_BENCH_STATS", sim->socket, 1);
	snprintf(cmd, sizeof(cmd), "'%s' startup-child%s", self, quiet ? " 2>/dev/null" : "");
	fflush(stdout);
	if ((f = popen(cmd, "r")) == NULL)
		return -1;
	ok = fgets(line, sizeof(line), f) != NULL;
	if (pclose(f) != 0 || !ok || sscanf(line, "%lf %lu", ms, apdus) != 2)
		return -1;
	return 0;
}

/* COLD_STARTS cold starts, printed: the most APDUs one cost. */
static unsigned long
measure(const char *self, simctl *sim, const char *name)
{
	unsigned long apdus[COLD_STARTS], most = 0;
	double ms[COLD_STARTS], best;
	int i;

	for (i = 0; i < COLD_STARTS; i++) {
		if (cold_start(self, sim, &apdus[i], &ms[i]) != 0) {
			fprintf(stderr, "kaztoken-bench startup: a cold start failed\n");
			exit(1);
		}
		if (apdus[i] > most)
			most = apdus[i];
	}
	for (best = ms[0], i = 1; i < COLD_STARTS; i++)
		if (ms[i] < best)
			best = ms[i];
	printf("startup_%s_apdus=%lu\n", name, most);
	printf("startup_%s_ms=%.1f\n", name, best);
	return most;
}

/* The same with the cache of public objects on (`cache = public`), in a scratch
 * $XDG_CACHE_HOME: one cold start writes the cache, the ones measured read it.
 * The most APDUs one of those cost. */
static unsigned long
measure_cached(const char *self, simctl *sim, const char *name)
{
	char dir[] = "/tmp/kzt-bench-cache-XXXXXX", what[64], cmd[128];
	unsigned long apdus, most;
	double ms;

	if (mkdtemp(dir) == NULL) {
		perror("kaztoken-bench startup: mkdtemp");
		exit(1);
	}
	setenv("XDG_CACHE_HOME", dir, 1);
	setenv("KAZTOKEN_CACHE", "public", 1);
	if (cold_start(self, sim, &apdus, &ms) != 0) {
		fprintf(stderr, "kaztoken-bench startup: a cold start failed\n");
		exit(1);
	}
	printf("startup_%s_cache_first_apdus=%lu\n", name, apdus);
	snprintf(what, sizeof(what), "%s_cached", name);
	most = measure(self, sim, what);
	unsetenv("KAZTOKEN_CACHE");
	unsetenv("XDG_CACHE_HOME");
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "kaztoken-bench startup: %s is left behind\n", dir);
	return most;
}

int
kzt_bench_startup(const char *self)
{
	struct timespec ts = {0, 100 * 1000 * 1000};
	unsigned long apdus, cached, ignored, target;
	size_t bytes;
	double ms;
	simctl sim;
	pid_t pcscd;
	int i;

	simctl_init(&sim);
	simctl_start(&sim);
	bytes = personalise();
	target = (unsigned long)((bytes + MAX_RESPONSE - 1) / MAX_RESPONSE) + 6;
	printf("# a cold start (a new process) on a token of %d certificates (%zu bytes) and %d key pairs\n",
	       CERTS, bytes, CERTS);
	printf("startup_certificate_bytes=%zu\nstartup_target_apdus=%lu\n", bytes, target);
	printf("startup_cached_target_apdus=%d\n", CACHED_TARGET);
	apdus = measure(self, &sim, "socket");
	cached = measure_cached(self, &sim, "socket");
	simctl_stop(&sim);
	/* the same token behind pcscd, in vpcd's reader */
	if ((pcscd = simctl_pcscd_start()) < 0) {
		printf("startup_pcsc_vpcd_apdus=unavailable # no pcscd with vpcd here\n");
	} else {
		snprintf(sim.vpcd, sizeof(sim.vpcd), "%s", VPCD_PORT);
		simctl_start(&sim);
		unsetenv("KAZTOKEN_SIM_SOCKET");
		setenv("KAZTOKEN_READERS", "pcsc", 1);
		quiet = 1; /* until vpcd has the card in its reader */
		for (i = 0; i < 50 && cold_start(self, &sim, &ignored, &ms) != 0; i++)
			nanosleep(&ts, NULL);
		quiet = 0;
		measure(self, &sim, "pcsc_vpcd");
		measure_cached(self, &sim, "pcsc_vpcd");
		simctl_stop(&sim);
		simctl_pcscd_stop(pcscd);
	}
	simctl_cleanup(&sim);
	printf("startup_targets_met=%s\n", apdus <= target && cached <= CACHED_TARGET ? "yes" : "no");
	return 0;
}
