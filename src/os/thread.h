/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* Mutexes, threads and once-initialisation: pthreads (thread_posix.c) or Windows SRW locks
 * (thread_win.c); the once-gate itself is portable (thread.c) on the platform's
 * yield. */
#ifndef KZT_OS_THREAD_H
#define KZT_OS_THREAD_H

typedef struct kzt_os_mutex kzt_os_mutex;

/* A new unlocked mutex: KZT_OK, KZT_ERR_NOMEM or KZT_ERR_IO. */
int kzt_os_mutex_new(kzt_os_mutex **m);
/* Destroy and free (NULL: nothing). */
void kzt_os_mutex_free(kzt_os_mutex *m);
/* Free without destroying: in a forked child, a mutex a parent thread held (POSIX
 * leaves destroying it undefined). */
void kzt_os_mutex_forget(kzt_os_mutex *m);
void kzt_os_mutex_lock(kzt_os_mutex *m);
void kzt_os_mutex_unlock(kzt_os_mutex *m);
/* The one lock that needs no creating (a static mutex): for what lives before
 * C_Initialize and after C_Finalize, the log. Not recursive. */
void kzt_os_static_lock(void);
void kzt_os_static_unlock(void);
/* Let another thread run. */
void kzt_os_yield(void);

/* A thread running fn(arg): KZT_OK, or KZT_ERR_NOMEM / KZT_ERR_IO (not started). */
typedef struct kzt_os_thread kzt_os_thread;
int kzt_os_thread_start(kzt_os_thread **t, void (*fn)(void *), void *arg);
/* Wait for it to return, and free it. */
void kzt_os_thread_join(kzt_os_thread *t);

/* Runs a function exactly once, whichever threads arrive together. */
typedef struct kzt_os_once {
	int state; /* 0 not run, 1 running, 2 done */
} kzt_os_once;
#define KZT_OS_ONCE_INIT {0}
void kzt_os_once_run(kzt_os_once *once, void (*fn)(void));

#endif
