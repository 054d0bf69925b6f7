/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* Process identities (see proc.h): a process ID alone is reused; with the
 * process's start time it names one process for the life of the machine. */
#include "proc.h"
#include "proc_os.h"

/* FNV-1a, 64 bits: a machine's name folded into 8 bytes. */
static uint64_t
machine(void)
{
	char buf[256];
	uint64_t h = 0xcbf29ce484222325ull;
	size_t i, n = kzt_proc_machine(buf, sizeof(buf));

	for (i = 0; i < n; i++) {
		h ^= (uint8_t)buf[i];
		h *= 0x100000001b3ull;
	}
	return h;
}

static void
put(uint8_t *p, uint64_t v, int n)
{
	while (n-- > 0) {
		p[n] = (uint8_t)v;
		v >>= 8;
	}
}

static uint64_t
get(const uint8_t *p, int n)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < n; i++)
		v = v << 8 | p[i];
	return v;
}

void
kzt_process_identity(uint8_t id[KZT_PROCESS_ID_LEN])
{
	uint32_t pid = kzt_process_pid();

	put(id, machine(), 8);
	put(id + 8, kzt_proc_namespace(), 8);
	put(id + 16, pid, 4);
	put(id + 20, kzt_proc_start_time(pid), 8);
}

int
kzt_process_alive(const uint8_t id[KZT_PROCESS_ID_LEN])
{
	uint32_t pid = (uint32_t)get(id + 16, 4);
	uint64_t started = get(id + 20, 8), now;

	if (get(id, 8) != machine() || get(id + 8, 8) != kzt_proc_namespace())
		return 1; /* its processes are not ours to see */
	if (pid == 0)
		return 0;
	if (!kzt_proc_exists(pid))
		return 0;
	/* the ID is taken: by another process only if it started at another time */
	now = kzt_proc_start_time(pid);
	return started == 0 || now == 0 || now == started;
}
