/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* Slot and token management: slot list and info, token info, mechanisms,
 * C_InitToken, C_WaitForSlotEvent. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "internal.h"
#include "kzt_err.h"
#include "secmem.h"

static const char kzt_manufacturer[] = "KAZTOKEN";
static const char kzt_model[] = "KAZTOKEN";

CK_DEFINE_FUNCTION(CK_RV, C_GetSlotList)(CK_BBOOL tokenPresent, CK_SLOT_ID_PTR pSlotList,
					 CK_ULONG_PTR pulCount)
{
	kzt_slot *slots[KZT_MAX_SLOTS];
	CK_SLOT_ID ids[KZT_MAX_SLOTS];
	CK_ULONG i, n = 0, nslots = 0;
	CK_RV rv;

	if ((rv = kzt_initialized()) != CKR_OK)
		return rv;
	if (pulCount == NULL)
		return CKR_ARGUMENTS_BAD;
	/* The application asks for the size first: the moment to look for readers
	 * that came or went (PKCS#11 3.0, C_GetSlotList). */
	if (pSlotList == NULL)
		kzt_slots_refresh();
	if ((rv = kzt_enter()) != CKR_OK)
		return rv;
	for (i = 0; i < kzt_mod.nslots; i++)
		if (kzt_mod.slots[i]->attached)
			slots[nslots++] = kzt_mod.slots[i];
	kzt_leave();
	/* Slots never move or go before C_Finalize, so they may be used without the
	 * global lock; presence needs each slot's card lock. */
	for (i = 0; i < nslots; i++)
		if (!tokenPresent || kzt_slot_present(slots[i]))
			ids[n++] = slots[i]->id;
	if (pSlotList != NULL) {
		if (*pulCount < n) {
			*pulCount = n;
			return CKR_BUFFER_TOO_SMALL;
		}
		memcpy(pSlotList, ids, n * sizeof(ids[0]));
	}
	*pulCount = n;
	return CKR_OK;
}

CK_DEFINE_FUNCTION(CK_RV, C_GetSlotInfo)(CK_SLOT_ID slotID, CK_SLOT_INFO_PTR pInfo)
{
	kzt_slot *slot;
	CK_RV rv;

	if ((rv = kzt_initialized()) != CKR_OK)
		return rv;
	if (pInfo == NULL)
		return CKR_ARGUMENTS_BAD;
	if ((rv = kzt_slot_get(slotID, &slot)) != CKR_OK)
		return rv;
	memset(pInfo, 0, sizeof(*pInfo));
	kzt_pad(pInfo->slotDescription, sizeof(pInfo->slotDescription), slot->tr->description,
		strlen(slot->tr->description));
	kzt_pad(pInfo->manufacturerID, sizeof(pInfo->manufacturerID), kzt_manufacturer,
		sizeof(kzt_manufacturer) - 1);
	pInfo->flags = CKF_REMOVABLE_DEVICE;
	if (slot->hardware)
		pInfo->flags |= CKF_HW_SLOT;
	if (kzt_slot_present(slot))
		pInfo->flags |= CKF_TOKEN_PRESENT;
	return CKR_OK;
}

/* PKCS#11 token flags for one PIN, from the card's counters (section 3.2 table). */
static CK_FLAGS
pin_flags(const kzt_pin_status *ps, CK_FLAGS low, CK_FLAGS final, CK_FLAGS locked,
	  CK_FLAGS to_be_changed)
{
	CK_FLAGS f = 0;

	if (ps->tries_left == 0)
		f |= locked;
	else if (ps->tries_left == 1)
		f |= final;
	if (ps->tries_left < ps->max_tries)
		f |= low; /* a wrong PIN was entered since the last success */
	if (ps->is_default)
		f |= to_be_changed;
	return f;
}

static void
fill_token_info(const kzt_token_state *st, const kzt_card_info *ci, CK_TOKEN_INFO *ti)
{
	char serial[2 * KZT_SERIAL_LEN + 1];
	size_t i;

	memset(ti, 0, sizeof(*ti));
	/* A token never named has a blank label: applications show "KAZTOKEN <no label>". */
	kzt_pad(ti->label, sizeof(ti->label), (const char *)st->label, st->label_len);
	kzt_pad(ti->manufacturerID, sizeof(ti->manufacturerID), kzt_manufacturer,
		sizeof(kzt_manufacturer) - 1);
	kzt_pad(ti->model, sizeof(ti->model), kzt_model, sizeof(kzt_model) - 1);
	for (i = 0; i < KZT_SERIAL_LEN; i++)
		snprintf(serial + 2 * i, 3, "%02X", st->serial[i]);
	kzt_pad(ti->serialNumber, sizeof(ti->serialNumber), serial, 2 * KZT_SERIAL_LEN);
	ti->flags = CKF_RNG | CKF_LOGIN_REQUIRED | CKF_USER_PIN_INITIALIZED | CKF_TOKEN_INITIALIZED;
	ti->flags |= pin_flags(&st->user, CKF_USER_PIN_COUNT_LOW, CKF_USER_PIN_FINAL_TRY,
			       CKF_USER_PIN_LOCKED, CKF_USER_PIN_TO_BE_CHANGED);
	ti->flags |= pin_flags(&st->admin, CKF_SO_PIN_COUNT_LOW, CKF_SO_PIN_FINAL_TRY,
			       CKF_SO_PIN_LOCKED, CKF_SO_PIN_TO_BE_CHANGED);
	ti->ulMaxSessionCount = CK_EFFECTIVELY_INFINITE;
	ti->ulMaxRwSessionCount = CK_EFFECTIVELY_INFINITE;
	ti->ulMaxPinLen = st->user.max_len;
	ti->ulMinPinLen = st->user.min_len;
	ti->ulTotalPublicMemory = st->mem_total;
	ti->ulFreePublicMemory = st->mem_free;
	ti->ulTotalPrivateMemory = CK_UNAVAILABLE_INFORMATION;
	ti->ulFreePrivateMemory = CK_UNAVAILABLE_INFORMATION;
	ti->hardwareVersion.major = ci->version_major;
	ti->hardwareVersion.minor = ci->version_minor;
	ti->firmwareVersion = ti->hardwareVersion;
	memset(ti->utcTime, ' ', sizeof(ti->utcTime)); /* no clock on the token */
}

CK_DEFINE_FUNCTION(CK_RV, C_GetTokenInfo)(CK_SLOT_ID slotID, CK_TOKEN_INFO_PTR pInfo)
{
	kzt_token_state st;
	kzt_op op;
	CK_RV rv;

	if ((rv = kzt_initialized()) != CKR_OK)
		return rv;
	if (pInfo == NULL)
		return CKR_ARGUMENTS_BAD;
	if ((rv = kzt_card_read_state(slotID, &op, &st)) != CKR_OK)
		return rv;
	fill_token_info(&st, kzt_token_card_info(op.token), pInfo);
	pInfo->ulSessionCount = kzt_slot_sessions(op.slot, &pInfo->ulRwSessionCount);
	kzt_card_end(&op);
	return CKR_OK;
}

/* Length of a blank-padded 32-byte CK label without its padding (a NUL ends it too). */
static size_t
label_length(const CK_UTF8CHAR *label)
{
	size_t n = 0;

	while (n < 32 && label[n] != '\0')
		n++;
	while (n > 0 && label[n - 1] == ' ')
		n--;
	return n;
}

/* The card's FORMAT for C_InitToken and the vendor's format: the slot's token,
 * with no session of this application open on it, the admin PIN verified first. */
CK_RV
kzt_slot_format(CK_SLOT_ID slotID, CK_UTF8CHAR_PTR pPin, CK_ULONG ulPinLen, const kzt_format_params *fp)
{
	kzt_op op;
	CK_RV rv;
	int r;

	if ((rv = kzt_card_begin_slot(slotID, &op)) != CKR_OK)
		return rv;
	if (kzt_slot_sessions(op.slot, NULL) > 0) {
		rv = CKR_SESSION_EXISTS;
		goto out;
	}
	r = kzt_token_verify(op.token, KZT_ROLE_ADMIN, pPin, ulPinLen);
	if (r == KZT_OK) {
		r = kzt_token_format(op.token, fp);
		if (r != KZT_OK) /* FORMAT ends the admin login; a failed one must too */
			kzt_token_logout(op.token, KZT_ROLE_ADMIN);
	}
	rv = kzt_card_status(&op, r);
out:
	kzt_card_end(&op);
	return rv;
}

/* C_InitToken formats the token (the card's FORMAT): objects erased, the label set,
 * the user PIN, limits and policy back to the factory defaults. The SO PIN stays
 * the one given (it is the current admin PIN, checked first): the specification
 * has pPin be the SO PIN after initialisation, and a format must not hand the
 * token back with an admin PIN everyone knows. */
CK_DEFINE_FUNCTION(CK_RV, C_InitToken)(CK_SLOT_ID slotID, CK_UTF8CHAR_PTR pPin, CK_ULONG ulPinLen,
				       CK_UTF8CHAR_PTR pLabel)
{
	kzt_format_params fp;
	CK_RV rv;

	if ((rv = kzt_initialized()) != CKR_OK)
		return rv;
	if (pPin == NULL || pLabel == NULL)
		return CKR_ARGUMENTS_BAD;
	if (ulPinLen == 0 || ulPinLen > KZT_PIN_MAX_LEN)
		return CKR_PIN_LEN_RANGE;
	memset(&fp, 0, sizeof(fp));
	fp.label = pLabel;
	fp.label_len = label_length(pLabel);
	fp.admin_pin = pPin;
	fp.admin_pin_len = ulPinLen;
	rv = kzt_slot_format(slotID, pPin, ulPinLen, &fp);
	kzt_secure_zero(&fp, sizeof(fp));
	return rv;
}

/* The first slot whose token presence differs from what was last reported, which
 * becomes the reported one: 1 with its ID in *id, or 0. */
static int
changed_slot(CK_SLOT_ID *id)
{
	kzt_slot *slots[KZT_MAX_SLOTS];
	int attached[KZT_MAX_SLOTS];
	CK_ULONG i, n = 0;

	if (kzt_enter() != CKR_OK)
		return 0;
	for (i = 0; i < kzt_mod.nslots; i++) {
		attached[n] = kzt_mod.slots[i]->attached; /* (global: read here) */
		slots[n++] = kzt_mod.slots[i];
	}
	kzt_leave();
	for (i = 0; i < n; i++) {
		int present = attached[i] && kzt_slot_present(slots[i]), changed = 0;

		if (kzt_enter() != CKR_OK)
			return 0;
		if (present != slots[i]->reported) {
			slots[i]->reported = present;
			changed = 1;
		}
		kzt_leave();
		if (changed) {
			*id = slots[i]->id;
			return 1;
		}
	}
	return 0;
}

/* Half a second between looks when the readers cannot be waited on, in steps
 * short enough for C_Finalize not to wait long: CKR_CRYPTOKI_NOT_INITIALIZED once
 * it began. */
static CK_RV
poll_pause(void)
{
	CK_RV rv;
	int i;

	for (i = 0; i < 10; i++) {
		if ((rv = kzt_initialized()) != CKR_OK)
			return rv;
		kzt_os_sleep_ms(50);
	}
	return CKR_OK;
}

/* Events are tokens inserted into or removed from a slot, found by comparing each
 * slot's presence with what was last reported; between looks, the reader manager
 * waits (PC/SC: SCardGetStatusChange on every reader and on the reader list), or,
 * where it cannot, the module looks again twice a second. C_Finalize cancels the
 * wait: the waiter then gets CKR_CRYPTOKI_NOT_INITIALIZED. */
CK_DEFINE_FUNCTION(CK_RV, C_WaitForSlotEvent)(CK_FLAGS flags, CK_SLOT_ID_PTR pSlot,
					      CK_VOID_PTR pReserved)
{
	char names[KZT_PCSC_WAIT_MAX][KZT_READER_NAME_MAX];
	const char *readers[KZT_PCSC_WAIT_MAX];
	unsigned long seen[KZT_PCSC_WAIT_MAX + 1];
	kzt_reader_mgr *mgr;
	CK_SLOT_ID id;
	size_t n, i;
	CK_RV rv;
	int r;

	if ((rv = kzt_initialized()) != CKR_OK)
		return rv;
	if (pSlot == NULL || pReserved != NULL)
		return CKR_ARGUMENTS_BAD;
	if ((rv = kzt_enter()) != CKR_OK)
		return rv;
	mgr = kzt_mod.readers;
	__atomic_add_fetch(&kzt_mod.waiters, 1, __ATOMIC_SEQ_CST); /* C_Finalize waits for 0 */
	kzt_leave();
	memset(seen, 0, sizeof(seen));
	for (;;) {
		kzt_slots_refresh();
		if (changed_slot(&id)) {
			*pSlot = id;
			rv = CKR_OK;
			break;
		}
		if (flags & CKF_DONT_BLOCK) {
			rv = CKR_NO_EVENT;
			break;
		}
		/* wait for a change in the readers we know of */
		if ((rv = kzt_enter()) != CKR_OK)
			break;
		for (i = n = 0; i < kzt_mod.nslots && n < KZT_PCSC_WAIT_MAX; i++)
			if (kzt_mod.slots[i]->hardware && kzt_mod.slots[i]->attached)
				memcpy(names[n++], kzt_mod.slots[i]->reader, KZT_READER_NAME_MAX);
		kzt_leave();
		for (i = 0; i < n; i++)
			readers[i] = names[i];
		r = kzt_readers_wait(mgr, readers, n, seen, 2000);
		if (r == KZT_ERR_NOT_SUPPORTED && (rv = poll_pause()) == CKR_OK)
			continue;
		if (r == KZT_ERR_CANCELLED || r == KZT_ERR_NOT_SUPPORTED) {
			rv = CKR_CRYPTOKI_NOT_INITIALIZED;
			break;
		}
		if (r != KZT_OK && r != KZT_ERR_TIMEOUT) {
			rv = kzt_rv(r);
			break;
		}
	}
	if (kzt_initialized() != CKR_OK)
		rv = CKR_CRYPTOKI_NOT_INITIALIZED; /* finalised meanwhile */
	__atomic_sub_fetch(&kzt_mod.waiters, 1, __ATOMIC_SEQ_CST);
	return rv;
}
