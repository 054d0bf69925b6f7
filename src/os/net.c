/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* Whole writes and reads over the platform's partial ones (see net.h). */
#include "kzt_err.h"
#include "net.h"

int
kzt_net_write(kzt_sock s, const uint8_t *p, size_t n)
{
	long w;

	while (n > 0) {
		if ((w = kzt_net_send_some(s, p, n)) <= 0)
			return KZT_ERR_IO;
		p += w;
		n -= (size_t)w;
	}
	return KZT_OK;
}

int
kzt_net_read(kzt_sock s, uint8_t *p, size_t n, size_t *got)
{
	long r;

	*got = 0;
	while (*got < n) {
		if ((r = kzt_net_recv_some(s, p + *got, n - *got)) <= 0)
			return r == 0 ? KZT_ERR_NO_CARD : KZT_ERR_IO;
		*got += (size_t)r;
	}
	return KZT_OK;
}
