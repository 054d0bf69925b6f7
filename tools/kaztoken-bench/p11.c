/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* kaztoken-bench p11: our module with a kaztoken-sim of its own, and optionally a
 * peer module (SoftHSM2, say) with a token it initialises in a scratch directory,
 * measured the same way in the same run, through nothing but PKCS#11:
 *
 *   startup  C_Initialize, slot list, open, login, logout, C_Finalize: ms a cycle
 *   keygen   RSA-2048 key pairs on the token: ms each
 *   enum     find every object and read its class, label and id: searches a second
 *   sign     SHA256-RSA-PKCS over 2048 bits: signatures a second, from 1 thread
 *            (the best of rounds the modules take in turn), from N threads of one
 *            process, and from N processes
 *
 * Each figure is p11_<module>_<what>; with a peer, p11_ratio_<what> is how many
 * times faster ours is (above 1: ours is faster). */
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"
#include "kaztoken/pkcs11.h"
#include "simctl.h"

#define USER_PIN "12345678"
#define SO_PIN "87654321"
#define PIN(s) (CK_UTF8CHAR_PTR)(s), (CK_ULONG)strlen(s)
#define KEYS 6         /* key pairs generated (and enumerated, and one signed with) */
#define RUN_SECONDS 1.5 /* how long each rate is measured */
#define SIGN1_ROUNDS 3  /* turns each module takes at signing from 1 thread */
#define MAX_WORKERS 16

typedef struct module {
	const char *name; /* "ours" or "peer" */
	const char *path;
	void *dl;
	CK_FUNCTION_LIST *p;
	CK_SLOT_ID slot;
	double startup_ms, keygen_ms, enum_per_s, sign1_per_s, sign_threads_per_s, sign_procs_per_s;
} module;

static int workers = 2;
/* (the workers are threads: each module is told to lock with the system's locks) */
static CK_C_INITIALIZE_ARGS threaded = {NULL, NULL, NULL, NULL, CKF_OS_LOCKING_OK, NULL};

static void
die(const module *m, const char *what, CK_RV rv)
{
	fprintf(stderr, "kaztoken-bench p11: %s: %s failed: 0x%08lX\n", m->name, what, (unsigned long)rv);
	exit(1);
}

#define CHECK(m, call)                                                                               \
	do {                                                                                         \
		CK_RV rv_ = (call);                                                                  \
		if (rv_ != CKR_OK)                                                                   \
			die((m), #call, rv_);                                                        \
	} while (0)

static void
load(module *m)
{
	CK_RV (*get)(CK_FUNCTION_LIST_PTR_PTR);

	if ((m->dl = dlopen(m->path, RTLD_NOW | RTLD_LOCAL)) == NULL) {
		fprintf(stderr, "kaztoken-bench p11: %s\n", dlerror());
		exit(1);
	}
	*(void **)&get = dlsym(m->dl, "C_GetFunctionList");
	if (get == NULL) {
		fprintf(stderr, "kaztoken-bench p11: %s has no C_GetFunctionList\n", m->path);
		exit(1);
	}
	CHECK(m, get(&m->p));
}

/* The first slot with a token. */
static CK_SLOT_ID
first_token(module *m)
{
	CK_SLOT_ID slots[16];
	CK_ULONG n = 16;

	CHECK(m, m->p->C_GetSlotList(CK_TRUE, slots, &n));
	if (n == 0) {
		fprintf(stderr, "kaztoken-bench p11: %s: no token\n", m->name);
		exit(1);
	}
	return slots[0];
}

static CK_SESSION_HANDLE
open_user(module *m)
{
	CK_SESSION_HANDLE h;
	CK_RV rv;

	CHECK(m, m->p->C_OpenSession(m->slot, CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL, NULL, &h));
	rv = m->p->C_Login(h, CKU_USER, PIN(USER_PIN));
	if (rv != CKR_OK && rv != CKR_USER_ALREADY_LOGGED_IN)
		die(m, "C_Login", rv);
	return h;
}

/* A peer's token: initialised in a scratch directory of its own (SoftHSM2's
 * configuration names it), with the same user PIN as ours. */
static void
peer_token(module *m, char *dir, size_t cap)
{
	char conf[160];
	CK_SLOT_ID slots[16];
	CK_ULONG n = 16;
	CK_UTF8CHAR label[32];
	CK_SESSION_HANDLE h;
	FILE *f;

	snprintf(dir, cap, "/tmp/kzt-bench-peer-XXXXXX");
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		exit(1);
	}
	snprintf(conf, sizeof(conf), "%s/tokens", dir);
	if (mkdir(conf, 0700) != 0) {
		perror(conf);
		exit(1);
	}
	snprintf(conf, sizeof(conf), "%s/softhsm2.conf", dir);
	if ((f = fopen(conf, "w")) == NULL) {
		perror(conf);
		exit(1);
	}
	fprintf(f, "directories.tokendir = %s/tokens\nobjectstore.backend = file\nlog.level = ERROR\n", dir);
	fclose(f);
	setenv("SOFTHSM2_CONF", conf, 1);
	CHECK(m, m->p->C_Initialize(&threaded));
	CHECK(m, m->p->C_GetSlotList(CK_FALSE, slots, &n));
	if (n == 0) {
		fprintf(stderr, "kaztoken-bench p11: the peer has no slot\n");
		exit(1);
	}
	memset(label, ' ', sizeof(label));
	memcpy(label, "bench", 5);
	CHECK(m, m->p->C_InitToken(slots[0], PIN(SO_PIN), label));
	m->slot = first_token(m); /* (SoftHSM2 numbers an initialised token anew) */
	CHECK(m, m->p->C_OpenSession(m->slot, CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL, NULL, &h));
	CHECK(m, m->p->C_Login(h, CKU_SO, PIN(SO_PIN)));
	CHECK(m, m->p->C_InitPIN(h, PIN(USER_PIN)));
	CHECK(m, m->p->C_Logout(h));
	CHECK(m, m->p->C_Finalize(NULL));
}

static void
measure_startup(module *m)
{
	CK_SLOT_ID slots[16];
	CK_ULONG n;
	CK_SESSION_HANDLE h;
	double t0 = simctl_now(), t;
	int cycles = 0;

	do {
		CHECK(m, m->p->C_Initialize(&threaded));
		n = 16;
		CHECK(m, m->p->C_GetSlotList(CK_TRUE, slots, &n));
		CHECK(m, m->p->C_OpenSession(slots[0], CKF_SERIAL_SESSION, NULL, NULL, &h));
		CHECK(m, m->p->C_Login(h, CKU_USER, PIN(USER_PIN)));
		CHECK(m, m->p->C_Logout(h));
		CHECK(m, m->p->C_Finalize(NULL));
		cycles++;
		t = simctl_now() - t0;
	} while (t < RUN_SECONDS || cycles < 5);
	m->startup_ms = t * 1e3 / cycles;
}

static void
measure_keygen(module *m, CK_SESSION_HANDLE h)
{
	CK_BBOOL yes = CK_TRUE;
	CK_ULONG bits = 2048;
	CK_BYTE e[] = {1, 0, 1}, id[1];
	char label[] = "kzt-bench";
	CK_ATTRIBUTE pub[] = {{CKA_TOKEN, &yes, sizeof(yes)}, {CKA_MODULUS_BITS, &bits, sizeof(bits)},
			      {CKA_PUBLIC_EXPONENT, e, sizeof(e)}, {CKA_VERIFY, &yes, sizeof(yes)},
			      {CKA_LABEL, label, sizeof(label) - 1}, {CKA_ID, id, 1}};
	CK_ATTRIBUTE priv[] = {{CKA_TOKEN, &yes, sizeof(yes)}, {CKA_PRIVATE, &yes, sizeof(yes)},
			       {CKA_SIGN, &yes, sizeof(yes)}, {CKA_LABEL, label, sizeof(label) - 1},
			       {CKA_ID, id, 1}};
	CK_MECHANISM gen = {CKM_RSA_PKCS_KEY_PAIR_GEN, NULL, 0};
	CK_OBJECT_HANDLE pk, sk;
	double t0 = simctl_now();
	int i;

	for (i = 0; i < KEYS; i++) {
		id[0] = (CK_BYTE)i;
		CHECK(m, m->p->C_GenerateKeyPair(h, &gen, pub, 6, priv, 5, &pk, &sk));
	}
	m->keygen_ms = (simctl_now() - t0) * 1e3 / KEYS;
}

static void
measure_enum(module *m, CK_SESSION_HANDLE h)
{
	CK_OBJECT_HANDLE found[64];
	CK_OBJECT_CLASS cls;
	CK_BYTE label[64], id[64];
	CK_ULONG n, i;
	double t0 = simctl_now(), t;
	int rounds = 0;

	do {
		CHECK(m, m->p->C_FindObjectsInit(h, NULL, 0));
		CHECK(m, m->p->C_FindObjects(h, found, 64, &n));
		CHECK(m, m->p->C_FindObjectsFinal(h));
		if (n < 2 * KEYS)
			die(m, "finding every object", CKR_GENERAL_ERROR);
		for (i = 0; i < n; i++) {
			CK_ATTRIBUTE a[] = {{CKA_CLASS, &cls, sizeof(cls)}, {CKA_LABEL, label, sizeof(label)},
					    {CKA_ID, id, sizeof(id)}};

			CHECK(m, m->p->C_GetAttributeValue(h, found[i], a, 3));
		}
		rounds++;
		t = simctl_now() - t0;
	} while (t < RUN_SECONDS);
	m->enum_per_s = rounds / t;
}

/* The first private key the generation made. */
static CK_OBJECT_HANDLE
signing_key(module *m, CK_SESSION_HANDLE h)
{
	CK_OBJECT_CLASS cls = CKO_PRIVATE_KEY;
	CK_BYTE id = 0;
	CK_ATTRIBUTE t[] = {{CKA_CLASS, &cls, sizeof(cls)}, {CKA_ID, &id, 1}};
	CK_OBJECT_HANDLE k;
	CK_ULONG n;

	CHECK(m, m->p->C_FindObjectsInit(h, t, 2));
	CHECK(m, m->p->C_FindObjects(h, &k, 1, &n));
	CHECK(m, m->p->C_FindObjectsFinal(h));
	if (n != 1)
		die(m, "finding the signing key", CKR_GENERAL_ERROR);
	return k;
}

/* Sign for RUN_SECONDS from a session of one's own: the signatures made. */
static long
sign_for_a_while(module *m, CK_SESSION_HANDLE h)
{
	CK_MECHANISM mech = {CKM_SHA256_RSA_PKCS, NULL, 0};
	CK_BYTE msg[32] = "kaztoken-bench p11 signs this", sig[512];
	CK_OBJECT_HANDLE k = signing_key(m, h);
	CK_ULONG len;
	double t0 = simctl_now();
	long n = 0;

	do {
		len = sizeof(sig);
		CHECK(m, m->p->C_SignInit(h, &mech, k));
		CHECK(m, m->p->C_Sign(h, msg, sizeof(msg), sig, &len));
		msg[n % sizeof(msg)]++;
		n++;
	} while (simctl_now() - t0 < RUN_SECONDS);
	return n;
}

typedef struct worker {
	module *m;
	pthread_barrier_t *start;
	long signatures;
} worker;

static void *
sign_thread(void *arg)
{
	worker *w = arg;
	CK_SESSION_HANDLE h = open_user(w->m);

	pthread_barrier_wait(w->start);
	w->signatures = sign_for_a_while(w->m, h);
	CHECK(w->m, w->m->p->C_CloseSession(h));
	return NULL;
}

static void
measure_sign_threads(module *m)
{
	pthread_t t[MAX_WORKERS];
	worker w[MAX_WORKERS];
	pthread_barrier_t start;
	double t0;
	long total = 0;
	int i;

	pthread_barrier_init(&start, NULL, (unsigned)workers + 1);
	for (i = 0; i < workers; i++) {
		w[i].m = m;
		w[i].start = &start;
		w[i].signatures = 0;
		if (pthread_create(&t[i], NULL, sign_thread, &w[i]) != 0) {
			perror("pthread_create");
			exit(1);
		}
	}
	pthread_barrier_wait(&start);
	t0 = simctl_now();
	for (i = 0; i < workers; i++) {
		pthread_join(t[i], NULL);
		total += w[i].signatures;
	}
	m->sign_threads_per_s = total / (simctl_now() - t0);
	pthread_barrier_destroy(&start);
}

/* N processes, each its own C_Initialize, session and login (the module is
 * finalised in this one meanwhile), made ready one after the other (SoftHSM2
 * misreads a token another process is opening at the same moment: 0xE1), then
 * let go together; each reports its count through a pipe. */
static void
measure_sign_procs(module *m)
{
	int up[MAX_WORKERS][2], go[2], i, status;
	pid_t pid[MAX_WORKERS];
	long n, total = 0;
	char byte = 1;

	fflush(stdout);
	if (pipe(go) != 0) {
		perror("pipe");
		exit(1);
	}
	for (i = 0; i < workers; i++) {
		if (pipe(up[i]) != 0 || (pid[i] = fork()) < 0) {
			perror("fork");
			exit(1);
		}
		if (pid[i] == 0) {
			CK_SESSION_HANDLE h;

			close(up[i][0]);
			close(go[1]);
			CHECK(m, m->p->C_Initialize(&threaded));
			m->slot = first_token(m);
			h = open_user(m);
			/* ready: a byte up; then wait for the word (the pipe closing) */
			if (write(up[i][1], &byte, 1) != 1 || read(go[0], &byte, 1) != 0)
				_exit(1);
			n = sign_for_a_while(m, h);
			m->p->C_Finalize(NULL);
			if (write(up[i][1], &n, sizeof(n)) != (ssize_t)sizeof(n))
				_exit(1);
			_exit(0);
		}
		close(up[i][1]);
		if (read(up[i][0], &byte, 1) != 1) {
			fprintf(stderr, "kaztoken-bench p11: %s: a signing process did not start\n", m->name);
			exit(1);
		}
	}
	close(go[0]);
	close(go[1]); /* all of them sign from now on, at once */
	for (i = 0; i < workers; i++) {
		if (read(up[i][0], &n, sizeof(n)) != (ssize_t)sizeof(n) || waitpid(pid[i], &status, 0) < 0 ||
		    !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
			fprintf(stderr, "kaztoken-bench p11: %s: a signing process failed\n", m->name);
			exit(1);
		}
		close(up[i][0]);
		total += n;
	}
	m->sign_procs_per_s = total / RUN_SECONDS;
}

static void
measure(module *m)
{
	CK_SESSION_HANDLE h;

	measure_startup(m);
	CHECK(m, m->p->C_Initialize(&threaded));
	m->slot = first_token(m);
	h = open_user(m);
	measure_keygen(m, h);
	measure_enum(m, h);
	measure_sign_threads(m);
	CHECK(m, m->p->C_Finalize(NULL));
	measure_sign_procs(m);
	printf("p11_%s_startup_ms=%.2f\n", m->name, m->startup_ms);
	printf("p11_%s_keygen_ms=%.1f\n", m->name, m->keygen_ms);
	printf("p11_%s_enum_per_s=%.0f\n", m->name, m->enum_per_s);
	printf("p11_%s_sign_%d_threads_per_s=%.0f\n", m->name, workers, m->sign_threads_per_s);
	printf("p11_%s_sign_%d_processes_per_s=%.0f\n", m->name, workers, m->sign_procs_per_s);
	fflush(stdout);
}

/* One round of signing from 1 thread: the rate, kept when it is the best so far. */
static void
sign1_round(module *m)
{
	CK_SESSION_HANDLE h;
	double rate;

	CHECK(m, m->p->C_Initialize(&threaded));
	h = open_user(m);
	rate = (double)sign_for_a_while(m, h) / RUN_SECONDS;
	CHECK(m, m->p->C_CloseSession(h));
	CHECK(m, m->p->C_Finalize(NULL));
	if (rate > m->sign1_per_s)
		m->sign1_per_s = rate;
}

/* Signing from 1 thread, the figure most open to a busy machine: the two modules
 * take turns, SIGN1_ROUNDS rounds each, and each keeps its best, so a moment the
 * machine was busy elsewhere counts against neither. */
static void
measure_sign1(module *ours, module *peer)
{
	int r;

	for (r = 0; r < SIGN1_ROUNDS; r++) {
		sign1_round(ours);
		if (peer != NULL)
			sign1_round(peer);
	}
	printf("# signing from 1 thread: the best of %d rounds of %.1f s, the modules taking turns\n",
	       SIGN1_ROUNDS, RUN_SECONDS);
	printf("p11_%s_sign_1_thread_per_s=%.0f\n", ours->name, ours->sign1_per_s);
	if (peer != NULL)
		printf("p11_%s_sign_1_thread_per_s=%.0f\n", peer->name, peer->sign1_per_s);
}

int
kzt_bench_p11(const char *peer_path, int n)
{
	module ours = {"ours", NULL, NULL, NULL, 0, 0, 0, 0, 0, 0, 0};
	module peer = {"peer", NULL, NULL, NULL, 0, 0, 0, 0, 0, 0, 0};
	char dir[64] = "", cmd[128];
	simctl sim;
	int ok;

	workers = n < 1 ? 1 : n > MAX_WORKERS ? MAX_WORKERS : n;
	printf("# PKCS#11 through each module, RSA-2048, SHA256-RSA-PKCS; %d workers\n", workers);
	ours.path = getenv("KZT_MODULE");
	simctl_init(&sim);
	simctl_start(&sim);
	load(&ours);
	measure(&ours);
	if (peer_path == NULL) {
		measure_sign1(&ours, NULL);
		simctl_cleanup(&sim);
		return 0;
	}
	peer.path = peer_path;
	printf("# peer: %s\n", peer_path);
	load(&peer);
	peer_token(&peer, dir, sizeof(dir));
	measure(&peer);
	measure_sign1(&ours, &peer);
	simctl_cleanup(&sim);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "kaztoken-bench p11: could not remove %s\n", dir);
	printf("p11_ratio_startup=%.2f\n", peer.startup_ms / ours.startup_ms);
	printf("p11_ratio_keygen=%.2f\n", peer.keygen_ms / ours.keygen_ms);
	printf("p11_ratio_enum=%.2f\n", ours.enum_per_s / peer.enum_per_s);
	printf("p11_ratio_sign_1_thread=%.2f\n", ours.sign1_per_s / peer.sign1_per_s);
	printf("p11_ratio_sign_%d_threads=%.2f\n", workers, ours.sign_threads_per_s / peer.sign_threads_per_s);
	printf("p11_ratio_sign_%d_processes=%.2f\n", workers, ours.sign_procs_per_s / peer.sign_procs_per_s);
	/* the targets: signing 1.2 times the peer's from 1 and from N workers,
	 * key generation faster */
	ok = ours.sign1_per_s >= 1.2 * peer.sign1_per_s &&
	     ours.sign_threads_per_s >= 1.2 * peer.sign_threads_per_s && ours.keygen_ms < peer.keygen_ms;
	printf("p11_targets_met=%s\n", ok ? "yes" : "no");
	return 0;
}
