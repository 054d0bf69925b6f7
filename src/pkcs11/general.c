/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* General-purpose functions: C_Initialize, C_Finalize, C_GetInfo. */
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "internal.h"
#include "kzt_err.h"
#include "log.h"
#include "random.h"

#define KZT_LIBRARY_VERSION_MAJOR 0
#define KZT_LIBRARY_VERSION_MINOR 1

/* Check the C_Initialize argument rules of the specification (5.4): the four
 * mutex callbacks are all set or all NULL, pReserved is NULL. */
static CK_RV
check_init_args(const CK_C_INITIALIZE_ARGS *a)
{
	int set;

	if (a == NULL)
		return CKR_OK;
	if (a->pReserved != NULL)
		return CKR_ARGUMENTS_BAD;
	set = (a->CreateMutex != NULL) + (a->DestroyMutex != NULL) + (a->LockMutex != NULL) +
	      (a->UnlockMutex != NULL);
	if (set != 0 && set != 4)
		return CKR_ARGUMENTS_BAD;
	return CKR_OK;
}

/* Free everything; when after_fork, the parent's card connections are closed
 * without a word to the card and its locks dropped without being destroyed
 * (another thread of the parent may have held them at fork time). */
static void
teardown(int after_fork)
{
	kzt_session *s, *next;
	CK_ULONG i;

	for (s = kzt_mod.sessions; s != NULL; s = next) {
		next = s->next;
		kzt_session_free(s);
	}
	for (i = 0; i < kzt_mod.nslots; i++) {
		kzt_slot *slot = kzt_mod.slots[i];

		if (!after_fork) {
			/* the session objects the card keeps for us go, then the login */
			kzt_objects_drop_sessions(slot, NULL, 0);
			kzt_slot_sessions_closed(slot, NULL, 0);
			kzt_diskcache_save(slot);
		}
		free(slot->open);
		kzt_channels_close(slot, after_fork);
		kzt_token_free(&slot->token);
		kzt_objcache_forget(&slot->cache);
		if (after_fork) {
			/* (a USB reader's claimed interface stays the parent's) */
			kzt_transport_forget(&slot->tr);
			kzt_mutex_forget(&slot->card_lock);
		} else {
			kzt_transport_free(&slot->tr);
			kzt_mutex_free(&slot->card_lock);
		}
		free(slot);
	}
	kzt_readers_close(&kzt_mod.readers, after_fork);
	kzt_global_lock_free(after_fork);
	memset(&kzt_mod, 0, sizeof(kzt_mod));
	kzt_log_close();
}

CK_DEFINE_FUNCTION(CK_RV, C_Initialize)(CK_VOID_PTR pInitArgs)
{
	const CK_C_INITIALIZE_ARGS *args = pInitArgs;
	char why[KZT_CONFIG_PATH_MAX + 64];
	CK_RV rv;

	if ((rv = check_init_args(args)) != CKR_OK)
		return rv;
	if (kzt_mod.initialized) {
		if (kzt_mod.pid == kzt_process_pid())
			return CKR_CRYPTOKI_ALREADY_INITIALIZED;
		teardown(1); /* a forked child starts with a fresh module */
	}
	kzt_lock_setup(args);
	if (kzt_config_load(&kzt_mod.cfg, why, sizeof(why)) != KZT_OK) {
		/* A broken configuration is the administrator's to fix; say so (to stderr:
		 * where the log should go is part of what could not be read) and stop. */
		kzt_log_configure(KZT_LOG_ERROR, NULL);
		kzt_log(KZT_LOG_ERROR, "configuration: %s; not initialising", why);
		kzt_log_close();
		return CKR_GENERAL_ERROR;
	}
	kzt_log_configure(kzt_mod.cfg.debug, kzt_mod.cfg.log_file);
	kzt_log(KZT_LOG_INFO, "configuration: %s%s", kzt_mod.cfg.path,
		kzt_mod.cfg.file_found ? "" : " (absent: defaults and the environment)");
	if (kzt_mod.cfg.notes[0] != '\0')
		kzt_log(KZT_LOG_INFO, "configuration: %s", kzt_mod.cfg.notes);
	if ((rv = kzt_global_lock_new()) != CKR_OK)
		goto fail;
	kzt_mod.next_handle = 1;
	kzt_mod.pid = kzt_process_pid();
	kzt_process_identity(kzt_mod.instance);
	if (kzt_os_random(kzt_mod.instance + KZT_PROCESS_ID_LEN, KZT_INSTANCE_LEN - KZT_PROCESS_ID_LEN) !=
	    KZT_OK) {
		rv = CKR_FUNCTION_FAILED;
		goto fail;
	}
	__atomic_store_n(&kzt_mod.initialized, 1, __ATOMIC_RELEASE);
	if ((rv = kzt_slots_create()) != CKR_OK) {
		__atomic_store_n(&kzt_mod.initialized, 0, __ATOMIC_RELEASE);
		goto fail;
	}
	kzt_log(KZT_LOG_INFO, "initialised: %lu slot(s)", kzt_mod.nslots);
	return CKR_OK;
fail:
	teardown(0);
	return rv;
}

CK_DEFINE_FUNCTION(CK_RV, C_Finalize)(CK_VOID_PTR pReserved)
{
	CK_RV rv;

	if (pReserved != NULL)
		return CKR_ARGUMENTS_BAD;
	if ((rv = kzt_enter()) != CKR_OK)
		return rv;
	/* new callers are turned away from here on */
	__atomic_store_n(&kzt_mod.initialized, 0, __ATOMIC_RELEASE);
	kzt_readers_cancel(kzt_mod.readers); /* and a blocked C_WaitForSlotEvent returns */
	kzt_leave();
	while (__atomic_load_n(&kzt_mod.waiters, __ATOMIC_SEQ_CST) != 0) {
		kzt_readers_cancel(kzt_mod.readers);
		kzt_os_sleep_ms(1);
	}
	teardown(0);
	return CKR_OK;
}

CK_DEFINE_FUNCTION(CK_RV, C_GetInfo)(CK_INFO_PTR pInfo)
{
	static const char manufacturer[] = "KAZTOKEN project";
	static const char description[] = "KAZTOKEN PKCS#11 module";
	CK_RV rv;

	if ((rv = kzt_initialized()) != CKR_OK)
		return rv;
	if (pInfo == NULL)
		return CKR_ARGUMENTS_BAD;
	memset(pInfo, 0, sizeof(*pInfo));
	pInfo->cryptokiVersion.major = CRYPTOKI_VERSION_MAJOR;
	pInfo->cryptokiVersion.minor = CRYPTOKI_VERSION_MINOR;
	kzt_pad(pInfo->manufacturerID, sizeof(pInfo->manufacturerID), manufacturer,
		sizeof(manufacturer) - 1);
	kzt_pad(pInfo->libraryDescription, sizeof(pInfo->libraryDescription), description,
		sizeof(description) - 1);
	pInfo->libraryVersion.major = KZT_LIBRARY_VERSION_MAJOR;
	pInfo->libraryVersion.minor = KZT_LIBRARY_VERSION_MINOR;
	return CKR_OK;
}
