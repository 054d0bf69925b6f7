/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* The slot table: the virtual token's slot (when configured) and one slot per
 * hardware reader, PC/SC's or USB CCID's (never both). A reader keeps its slot ID
 * for the life of the module: when it goes away its slot leaves the list (and its
 * token counts as removed); when a reader of the same name comes back, it gets the
 * same slot again. A reader with no card, or with a card that is not a KAZTOKEN,
 * is a slot without a token. */
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "kzt_err.h"
#include "log.h"

/* Global lock held: a new slot with this transport (taken over), or NULL; reader
 * names a hardware reader's, NULL the virtual token's. */
static kzt_slot *
add_slot(kzt_transport *tr, const char *reader)
{
	kzt_slot *slot;

	if (kzt_mod.nslots == KZT_MAX_SLOTS || (slot = calloc(1, sizeof(*slot))) == NULL) {
		kzt_transport_free(&tr);
		return NULL;
	}
	if (kzt_mutex_new(&slot->card_lock) != CKR_OK) {
		kzt_transport_free(&tr);
		free(slot);
		return NULL;
	}
	slot->id = kzt_mod.nslots;
	kzt_objcache_init(&slot->cache, kzt_object_number_new, kzt_object_view_free);
	slot->hardware = reader != NULL;
	slot->tr = tr;
	slot->attached = 1;
	slot->reported = -1; /* C_WaitForSlotEvent: not looked at yet */
	if (reader != NULL)
		strcpy(slot->reader, reader); /* (shorter than KZT_READER_NAME_MAX: checked) */
	kzt_mod.slots[kzt_mod.nslots++] = slot;
	return slot;
}

/* Is name among the NUL-separated names (len bytes)? */
static int
listed(const char *names, size_t len, const char *name)
{
	size_t off = 0;

	while (off < len && names[off] != '\0') {
		if (strcmp(names + off, name) == 0)
			return 1;
		off += strlen(names + off) + 1;
	}
	return 0;
}

void
kzt_slots_refresh(void)
{
	static char names[4096];
	kzt_slot *gone[KZT_MAX_SLOTS];
	size_t len, off, i, ngone = 0;

	if (kzt_enter() != CKR_OK)
		return;
	if (kzt_readers_list(kzt_mod.readers, names, sizeof(names), &len)) {
		/* new readers get slots */
		for (off = 0; off < len && names[off] != '\0'; off += strlen(names + off) + 1) {
			const char *name = names + off;
			kzt_transport *tr;

			for (i = 0; i < kzt_mod.nslots; i++)
				if (kzt_mod.slots[i]->hardware && strcmp(kzt_mod.slots[i]->reader, name) == 0)
					break;
			if (i < kzt_mod.nslots) {
				kzt_mod.slots[i]->attached = 1;
				continue;
			}
			if (kzt_readers_transport(kzt_mod.readers, name, &tr) == KZT_OK &&
			    add_slot(tr, name) != NULL)
				kzt_log(KZT_LOG_INFO, "slot %lu: reader \"%s\"", kzt_mod.nslots - 1, name);
		}
		/* readers gone leave the list; their tokens count as removed */
		for (i = 0; i < kzt_mod.nslots; i++) {
			kzt_slot *slot = kzt_mod.slots[i];

			if (slot->hardware && slot->attached && !listed(names, len, slot->reader)) {
				slot->attached = 0;
				gone[ngone++] = slot;
			}
		}
	}
	kzt_leave();
	for (i = 0; i < ngone; i++) {
		kzt_log(KZT_LOG_INFO, "slot %lu: reader gone", gone[i]->id);
		kzt_token_lock(gone[i]);
		kzt_slot_removed(gone[i]);
		kzt_token_unlock(gone[i]);
	}
}

/* What the configuration lets the reader manager use. */
static unsigned
allowed_readers(kzt_readers r)
{
	switch (r) {
	case KZT_READERS_AUTO: return KZT_READERS_ALLOW_PCSC | KZT_READERS_ALLOW_CCID;
	case KZT_READERS_PCSC: return KZT_READERS_ALLOW_PCSC;
	case KZT_READERS_CCID: return KZT_READERS_ALLOW_CCID;
	default: return 0;
	}
}

static kzt_transport *(*virtual_make)(void *ctx);
static void *virtual_ctx;

void
kzt_slots_set_virtual(kzt_transport *(*make)(void *ctx), void *ctx)
{
	virtual_make = make;
	virtual_ctx = ctx;
}

CK_RV
kzt_slots_create(void)
{
	kzt_transport *tr;
	CK_ULONG i, n;
	int r;

	if (virtual_make != NULL) {
		if ((tr = virtual_make(virtual_ctx)) == NULL || add_slot(tr, NULL) == NULL)
			return CKR_HOST_MEMORY;
	} else if (kzt_mod.cfg.sim_socket[0] != '\0') {
		if ((r = kzt_transport_sim_new(kzt_mod.cfg.sim_socket, &tr)) == KZT_ERR_ARGS) {
			/* a configuration mistake, like a malformed file: said, and no start */
			kzt_log(KZT_LOG_ERROR, "configuration: sim_socket '%s' is neither a socket path nor "
				"tcp:HOST:PORT; not initialising", kzt_mod.cfg.sim_socket);
			return CKR_GENERAL_ERROR;
		}
		if (r == KZT_ERR_NOT_SUPPORTED) {
			kzt_log(KZT_LOG_ERROR, "configuration: sim_socket '%s' is a unix socket path, which "
				"this system lacks: use tcp:HOST:PORT; not initialising", kzt_mod.cfg.sim_socket);
			return CKR_GENERAL_ERROR;
		}
		if (r != KZT_OK)
			return kzt_rv(r);
		if (add_slot(tr, NULL) == NULL)
			return CKR_HOST_MEMORY;
	}
	if ((r = kzt_readers_open(allowed_readers(kzt_mod.cfg.readers), &kzt_mod.readers)) != KZT_OK)
		return kzt_rv(r);
	kzt_slots_refresh();
	/* what C_WaitForSlotEvent will compare with: the state at start */
	if (kzt_enter() != CKR_OK)
		return CKR_GENERAL_ERROR;
	n = kzt_mod.nslots;
	kzt_leave();
	for (i = 0; i < n; i++) {
		int present = kzt_slot_present(kzt_mod.slots[i]);

		if (kzt_enter() == CKR_OK) {
			kzt_mod.slots[i]->reported = present;
			kzt_leave();
		}
	}
	return CKR_OK;
}
