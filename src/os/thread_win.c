/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* Mutexes on Windows slim reader/writer locks, taken exclusively (see thread.h).
 * Windows has no fork: forgetting a mutex is freeing it. */
#include <windows.h>
#include <stdlib.h>

#include "kzt_err.h"
#include "thread.h"

struct kzt_os_mutex {
	SRWLOCK lock;
};

int
kzt_os_mutex_new(kzt_os_mutex **m)
{
	if ((*m = malloc(sizeof(**m))) == NULL)
		return KZT_ERR_NOMEM;
	InitializeSRWLock(&(*m)->lock);
	return KZT_OK;
}

void
kzt_os_mutex_free(kzt_os_mutex *m)
{
	free(m); /* (an SRW lock needs no destroying) */
}

void
kzt_os_mutex_forget(kzt_os_mutex *m)
{
	free(m);
}

void
kzt_os_mutex_lock(kzt_os_mutex *m)
{
	AcquireSRWLockExclusive(&m->lock);
}

void
kzt_os_mutex_unlock(kzt_os_mutex *m)
{
	ReleaseSRWLockExclusive(&m->lock);
}

static SRWLOCK static_lock = SRWLOCK_INIT;

void
kzt_os_static_lock(void)
{
	AcquireSRWLockExclusive(&static_lock);
}

void
kzt_os_static_unlock(void)
{
	ReleaseSRWLockExclusive(&static_lock);
}

void
kzt_os_yield(void)
{
	SwitchToThread();
}
