/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* The benchmark modes of kaztoken-bench, each printing name=value lines. */
#ifndef KZT_BENCH_H
#define KZT_BENCH_H


/* src/bn against OpenSSL: RSA private operation and key generation (bn.c). */
int kzt_bench_bn(void);
/* Microseconds per APDU round trip through each transport, with the module's own
 * share (rtt.c). */
int kzt_bench_rtt(void);
/* PKCS#11 start-up, key generation, enumeration and signing through our module,
 * and through peer (a module path, or NULL) in the same run, with n workers (p11.c). */
int kzt_bench_p11(const char *peer, int n);
/* APDUs and time of an application's cold start on a token with 20 certificates
 * and 20 key pairs, through the socket and through pcscd + vpcd (startup.c). The
 * child is what each new process runs (kaztoken-bench startup-child). */
int kzt_bench_startup(const char *self);
int kzt_bench_startup_child(void);

#endif
