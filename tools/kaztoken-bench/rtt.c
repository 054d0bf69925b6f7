/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* kaztoken-bench rtt: microseconds per APDU round trip through each transport the
 * module has, with the module's own share of the time.
 *
 *   sim_socket  kaztoken-sim on its unix socket
 *   pcsc_vpcd   a real pcscd, kaztoken-sim plugged into vpcd (pcscd is started
 *               here when none runs, and stopped again)
 *   ccid_emu    the emulated USB CCID reader, in-process (APDU and TPDU levels)
 *
 * Each figure is the median of ROUNDS round trips of one SELECT. The module's share
 * is the time the round trip spent in our code: for the two that cross to other
 * processes, this thread's CPU time (our code and its system calls; the rest is
 * waiting for pcscd, vpcd and the card); for the emulated reader, which runs in
 * this thread, the round trip less the time spent inside the emulator. */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"
#include "ccid.h"
#include "ccid_emu.h"
#include "kzt_err.h"
#include "kzt_proto.h"
#include "simctl.h"
#include "transport.h"

#define ROUNDS 2000

static double
now_us(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int
by_value(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double
median(double *v, size_t n)
{
	qsort(v, n, sizeof(*v), by_value);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* ---- the emulated reader, its own time taken out ---- */

static double emu_us; /* time spent inside the emulator so far */

#define TIMED(call)                                                                                  \
	do {                                                                                         \
		double t0_ = now_us(CLOCK_MONOTONIC);                                                \
		call;                                                                                \
		emu_us += now_us(CLOCK_MONOTONIC) - t0_;                                             \
	} while (0)

static int
timed_attach(kzt_usb_io *io)
{
	kzt_usb_io *inner = io->priv;
	int r = inner->ops->attach(inner);

	memcpy(io->desc, inner->desc, sizeof(io->desc));
	io->desc_len = inner->desc_len;
	return r;
}

static void
timed_detach(kzt_usb_io *io)
{
	kzt_usb_io *inner = io->priv;

	inner->ops->detach(inner);
}

static int
timed_bulk_out(kzt_usb_io *io, const uint8_t *buf, size_t len)
{
	kzt_usb_io *inner = io->priv;
	int r;

	TIMED(r = inner->ops->bulk_out(inner, buf, len));
	return r;
}

static int
timed_bulk_in(kzt_usb_io *io, uint8_t *buf, size_t cap, size_t *len)
{
	kzt_usb_io *inner = io->priv;
	int r;

	TIMED(r = inner->ops->bulk_in(inner, buf, cap, len));
	return r;
}

static void
timed_destroy(kzt_usb_io *io)
{
	(void)io;
}

static const kzt_usb_io_ops timed_ops = {
	.attach = timed_attach,
	.detach = timed_detach,
	.bulk_out = timed_bulk_out,
	.bulk_in = timed_bulk_in, /* (no intr_in: the measurement looks for no card events) */
	.destroy = timed_destroy,
};

/* ---- the measurement ---- */

/* ROUNDS SELECTs through t (connected); prints name_us, name_module_us and
 * name_module_share. own: 1 to count this thread's CPU time as the module's,
 * 0 to count the round trip less emu_us. */
static int
measure(kzt_transport *t, const char *name, int cpu_is_own)
{
	static const uint8_t aid[] = KZT_AID;
	static double wall[ROUNDS], own[ROUNDS];
	uint8_t sel[5 + KZT_AID_LEN + 1] = {0x00, KZT_INS_SELECT, 0x04, 0x00, KZT_AID_LEN};
	uint8_t resp[512];
	size_t len, i;
	double w, c, e, mw, mo;

	memcpy(sel + 5, aid, KZT_AID_LEN);
	sel[sizeof(sel) - 1] = 0x00;
	for (i = 0; i < ROUNDS + 50; i++) { /* (the first 50 warm up) */
		w = now_us(CLOCK_MONOTONIC);
		c = now_us(CLOCK_THREAD_CPUTIME_ID);
		e = emu_us;
		if (kzt_transport_transmit(t, sel, sizeof(sel), resp, sizeof(resp), &len) != KZT_OK ||
		    len < 2 || resp[len - 2] != 0x90) {
			fprintf(stderr, "kaztoken-bench: %s: SELECT failed\n", name);
			return 1;
		}
		if (i < 50)
			continue;
		wall[i - 50] = now_us(CLOCK_MONOTONIC) - w;
		own[i - 50] = cpu_is_own ? now_us(CLOCK_THREAD_CPUTIME_ID) - c : wall[i - 50] - (emu_us - e);
	}
	mw = median(wall, ROUNDS);
	mo = median(own, ROUNDS);
	printf("rtt_%s_us=%.1f\nrtt_%s_module_us=%.1f\nrtt_%s_module_share=%.2f\n", name, mw, name, mo,
	       name, mw > 0 ? mo / mw : 0);
	return 0;
}

static int
bench_sim_socket(void)
{
	kzt_transport *t;
	uint8_t atr[KZT_ATR_MAX];
	size_t n;
	simctl sim;
	int r = 1;

	simctl_init(&sim);
	simctl_start(&sim);
	if (kzt_transport_sim_new(sim.socket, &t) == KZT_OK) {
		if (kzt_transport_connect(t, atr, &n) == KZT_OK)
			r = measure(t, "sim_socket", 1);
		kzt_transport_free(&t);
	}
	simctl_cleanup(&sim);
	return r;
}

static int
bench_pcsc(void)
{
	struct timespec ts = {0, 100 * 1000 * 1000};
	pid_t pcscd = simctl_pcscd_start();
	kzt_transport *t = NULL;
	uint8_t atr[KZT_ATR_MAX];
	size_t n;
	simctl sim;
	int i, r = 1;

	if (pcscd < 0) {
		printf("rtt_pcsc_vpcd_us=unavailable # no pcscd with vpcd here\n");
		return 0;
	}
	simctl_init(&sim);
	snprintf(sim.vpcd, sizeof(sim.vpcd), "%s", VPCD_PORT);
	simctl_start(&sim);
	if (kzt_transport_pcsc_new(VPCD_READER, &t) == KZT_OK) {
		for (i = 0; i < 100 && kzt_transport_connect(t, atr, &n) != KZT_OK; i++)
			nanosleep(&ts, NULL); /* until vpcd has the card in its reader */
		if (i < 100 && kzt_proto_atr_is_kaztoken(atr, n))
			r = measure(t, "pcsc_vpcd", 1);
		else
			fprintf(stderr, "kaztoken-bench: no KAZTOKEN in \"%s\"\n", VPCD_READER);
		kzt_transport_free(&t);
	}
	simctl_cleanup(&sim);
	simctl_pcscd_stop(pcscd);
	return r;
}

static int
bench_ccid(uint32_t level, const char *name)
{
	ccid_emu emu;
	kzt_usb_io timed = {.ops = &timed_ops, .priv = &emu.io, .name = "emu:timed"};
	kzt_transport *t;
	uint8_t atr[KZT_ATR_MAX];
	size_t n;
	int r = 1;

	if (ccid_emu_init(&emu, level, 271) != KZT_OK)
		return 1;
	if (kzt_transport_ccid_new(&timed, &t) == KZT_OK) {
		if (kzt_transport_connect(t, atr, &n) == KZT_OK)
			r = measure(t, name, 0);
		kzt_transport_free(&t);
	}
	ccid_emu_free(&emu);
	return r;
}

int
kzt_bench_rtt(void)
{
	int r = 0;

	printf("# microseconds per APDU round trip (SELECT), median of %d; the module's share\n", ROUNDS);
	r |= bench_sim_socket();
	r |= bench_pcsc();
	r |= bench_ccid(KZT_CCID_LEVEL_SHORT_APDU, "ccid_emu_apdu");
	r |= bench_ccid(KZT_CCID_LEVEL_TPDU, "ccid_emu_tpdu");
	return r;
}
