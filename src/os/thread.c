/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* The once-gate (see thread.h): the first thread to arrive runs the function, the
 * others yield until it is done. */
#include "thread.h"

void
kzt_os_once_run(kzt_os_once *once, void (*fn)(void))
{
	int expected = 0;

	if (__atomic_load_n(&once->state, __ATOMIC_ACQUIRE) == 2)
		return;
	if (__atomic_compare_exchange_n(&once->state, &expected, 1, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
		fn();
		__atomic_store_n(&once->state, 2, __ATOMIC_RELEASE);
		return;
	}
	while (__atomic_load_n(&once->state, __ATOMIC_ACQUIRE) != 2)
		kzt_os_yield();
}
