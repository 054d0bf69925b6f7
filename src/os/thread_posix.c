/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* Mutexes and threads on POSIX threads (see thread.h). */
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>

#include "kzt_err.h"
#include "thread.h"

struct kzt_os_mutex {
	pthread_mutex_t m;
};

int
kzt_os_mutex_new(kzt_os_mutex **m)
{
	kzt_os_mutex *p;

	*m = NULL;
	if ((p = malloc(sizeof(*p))) == NULL)
		return KZT_ERR_NOMEM;
	if (pthread_mutex_init(&p->m, NULL) != 0) {
		free(p);
		return KZT_ERR_IO;
	}
	*m = p;
	return KZT_OK;
}

void
kzt_os_mutex_free(kzt_os_mutex *m)
{
	if (m != NULL) {
		pthread_mutex_destroy(&m->m);
		free(m);
	}
}

void
kzt_os_mutex_forget(kzt_os_mutex *m)
{
	free(m);
}

void
kzt_os_mutex_lock(kzt_os_mutex *m)
{
	pthread_mutex_lock(&m->m);
}

void
kzt_os_mutex_unlock(kzt_os_mutex *m)
{
	pthread_mutex_unlock(&m->m);
}

static pthread_mutex_t static_lock = PTHREAD_MUTEX_INITIALIZER;

void
kzt_os_static_lock(void)
{
	pthread_mutex_lock(&static_lock);
}

void
kzt_os_static_unlock(void)
{
	pthread_mutex_unlock(&static_lock);
}

void
kzt_os_yield(void)
{
	sched_yield();
}

struct kzt_os_thread {
	pthread_t id;
	void (*fn)(void *);
	void *arg;
};

static void *
thread_main(void *p)
{
	kzt_os_thread *t = p;

	t->fn(t->arg);
	return NULL;
}

int
kzt_os_thread_start(kzt_os_thread **t, void (*fn)(void *), void *arg)
{
	kzt_os_thread *p;

	*t = NULL;
	if ((p = malloc(sizeof(*p))) == NULL)
		return KZT_ERR_NOMEM;
	p->fn = fn;
	p->arg = arg;
	if (pthread_create(&p->id, NULL, thread_main, p) != 0) {
		free(p);
		return KZT_ERR_IO;
	}
	*t = p;
	return KZT_OK;
}

void
kzt_os_thread_join(kzt_os_thread *t)
{
	pthread_join(t->id, NULL);
	free(t);
}
