/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* Mutexes: the application's (CK_C_INITIALIZE_ARGS callbacks) when it supplies
 * them without CKF_OS_LOCKING_OK, else the operating system's. */
#include <stdlib.h>

#include "internal.h"
#include "kzt_err.h"
#include "thread.h"

static CK_C_INITIALIZE_ARGS app_locks; /* CreateMutex NULL: use OS mutexes */
static void *global_lock;

void
kzt_lock_setup(const CK_C_INITIALIZE_ARGS *args)
{
	app_locks = (CK_C_INITIALIZE_ARGS){0};
	/* With CKF_OS_LOCKING_OK the application accepts native locking; we prefer it. */
	if (args != NULL && args->CreateMutex != NULL && !(args->flags & CKF_OS_LOCKING_OK))
		app_locks = *args;
}

CK_RV
kzt_mutex_new(void **m)
{
	kzt_os_mutex *om;
	int r;

	if (app_locks.CreateMutex != NULL)
		return app_locks.CreateMutex(m) == CKR_OK ? CKR_OK : CKR_CANT_LOCK;
	if ((r = kzt_os_mutex_new(&om)) != KZT_OK)
		return r == KZT_ERR_NOMEM ? CKR_HOST_MEMORY : CKR_CANT_LOCK;
	*m = om;
	return CKR_OK;
}

void
kzt_mutex_free(void **m)
{
	if (*m == NULL)
		return;
	if (app_locks.DestroyMutex != NULL) {
		app_locks.DestroyMutex(*m);
	} else {
		kzt_os_mutex_free(*m);
	}
	*m = NULL;
}

void
kzt_mutex_forget(void **m)
{
	/* An OS mutex inherited through fork may be "held" by a parent thread that does
	 * not exist here: destroying it is undefined, but its memory is ours to free.
	 * An application's mutex is the application's. */
	if (*m != NULL && app_locks.CreateMutex == NULL)
		kzt_os_mutex_forget(*m);
	*m = NULL;
}

void
kzt_mutex_lock(void *m)
{
	if (app_locks.LockMutex != NULL)
		app_locks.LockMutex(m);
	else
		kzt_os_mutex_lock(m);
}

void
kzt_mutex_unlock(void *m)
{
	if (app_locks.UnlockMutex != NULL)
		app_locks.UnlockMutex(m);
	else
		kzt_os_mutex_unlock(m);
}

CK_RV
kzt_global_lock_new(void)
{
	return kzt_mutex_new(&global_lock);
}

void
kzt_global_lock_free(int after_fork)
{
	if (after_fork)
		kzt_mutex_forget(&global_lock);
	else
		kzt_mutex_free(&global_lock);
}

CK_RV
kzt_initialized(void)
{
	/* (written by C_Initialize and C_Finalize; read by every entry point first) */
	if (!__atomic_load_n(&kzt_mod.initialized, __ATOMIC_ACQUIRE) || kzt_mod.pid != kzt_process_pid())
		return CKR_CRYPTOKI_NOT_INITIALIZED;
	return CKR_OK;
}

CK_RV
kzt_enter(void)
{
	CK_RV rv = kzt_initialized();

	if (rv != CKR_OK)
		return rv;
	kzt_mutex_lock(global_lock);
	if (!kzt_mod.initialized) { /* C_Finalize began meanwhile */
		kzt_mutex_unlock(global_lock);
		return CKR_CRYPTOKI_NOT_INITIALIZED;
	}
	return CKR_OK;
}

void
kzt_leave(void)
{
	kzt_mutex_unlock(global_lock);
}
