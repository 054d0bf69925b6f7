/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* Mutexes on Windows slim reader/writer locks, taken exclusively, and threads
 * (see thread.h).
 * Windows has no fork: forgetting a mutex is freeing it. */
#include <windows.h>
#include <process.h>
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

struct kzt_os_thread {
	HANDLE h;
	void (*fn)(void *);
	void *arg;
};

static unsigned __stdcall
thread_main(void *p)
{
	kzt_os_thread *t = p;

	t->fn(t->arg);
	return 0;
}

int
kzt_os_thread_start(kzt_os_thread **t, void (*fn)(void *), void *arg)
{
	kzt_os_thread *p;
	uintptr_t h;

	*t = NULL;
	if ((p = malloc(sizeof(*p))) == NULL)
		return KZT_ERR_NOMEM;
	p->fn = fn;
	p->arg = arg;
	/* (_beginthreadex, not CreateThread: the thread uses the C runtime) */
	if ((h = _beginthreadex(NULL, 0, thread_main, p, 0, NULL)) == 0) {
		free(p);
		return KZT_ERR_IO;
	}
	p->h = (HANDLE)h;
	*t = p;
	return KZT_OK;
}

void
kzt_os_thread_join(kzt_os_thread *t)
{
	WaitForSingleObject(t->h, INFINITE);
	CloseHandle(t->h);
	free(t);
}
