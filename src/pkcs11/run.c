/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* The running operations sessions own. An operation a thread works on is
 * detached from its session for that time, so closing the session never frees
 * what another thread uses. And the argument conventions every entry point
 * shares. */
#include <stdlib.h>

#include "crypto.h"
#include "internal.h"
#include "secmem.h"

/* ---- running operations ---- */

void
kzt_run_free(kzt_run_kind k, void *st)
{
	if (st == NULL)
		return;
	if (k == KZT_RUN_FIND) {
		kzt_find_state *f = st;

		free(f->found);
		free(f);
	} else if (k == KZT_RUN_DIGEST) {
		kzt_digest_state *d = st;

		kzt_hash_free(&d->hash);
		free(d);
	} else {
		kzt_rsa_state *r = st;

		kzt_rsa_free(&r);
	}
}

void
kzt_run_cancel(kzt_session *s, kzt_run_kind k)
{
	if (s->busy & (1u << k)) {
		s->cancel |= 1u << k; /* its thread ends it when it puts it back */
		return;
	}
	kzt_run_free(k, s->run[k]);
	s->run[k] = NULL;
}

void
kzt_run_end_all(kzt_session *s)
{
	int k;

	for (k = 0; k < KZT_RUN_KINDS; k++)
		kzt_run_cancel(s, (kzt_run_kind)k);
}

CK_RV
kzt_run_take(kzt_session *s, kzt_run_kind k, void **st)
{
	CK_RV rv = kzt_enter();

	if (rv != CKR_OK)
		return rv;
	if (s->closed)
		rv = CKR_SESSION_HANDLE_INVALID;
	else if (s->run[k] == NULL)
		rv = CKR_OPERATION_NOT_INITIALIZED;
	else if (s->busy & (1u << k))
		rv = CKR_OPERATION_ACTIVE; /* another thread is inside it */
	else {
		s->busy |= 1u << k;
		*st = s->run[k];
	}
	kzt_leave();
	return rv;
}

void
kzt_run_put(kzt_session *s, kzt_run_kind k, void *st, int keep)
{
	if (kzt_enter() != CKR_OK) { /* finalised meanwhile: nothing left to put it in */
		kzt_run_free(k, st);
		return;
	}
	s->busy &= ~(1u << k);
	if (keep && !s->closed && !(s->cancel & (1u << k))) {
		st = NULL;
	} else {
		s->run[k] = NULL;
		s->cancel &= ~(1u << k);
	}
	kzt_leave();
	kzt_run_free(k, st);
}

CK_RV
kzt_run_install(kzt_session *s, kzt_run_kind k, void *st)
{
	CK_RV rv = kzt_enter();

	if (rv != CKR_OK)
		return rv;
	if (s->closed)
		rv = CKR_SESSION_HANDLE_INVALID;
	else if (s->run[k] != NULL)
		rv = CKR_OPERATION_ACTIVE;
	else
		s->run[k] = st;
	kzt_leave();
	return rv;
}

/* ---- argument conventions ---- */

int
kzt_output_room(CK_BYTE_PTR out, CK_ULONG_PTR len, size_t want, CK_RV *rv)
{
	if (out != NULL && *len >= want)
		return 1;
	*rv = out == NULL ? CKR_OK : CKR_BUFFER_TOO_SMALL;
	*len = want;
	return 0;
}

CK_RV
kzt_template_check(const CK_ATTRIBUTE *t, CK_ULONG n)
{
	CK_ULONG i;

	if (t == NULL && n > 0)
		return CKR_ARGUMENTS_BAD;
	for (i = 0; i < n; i++)
		if (t[i].pValue == NULL && t[i].ulValueLen > 0)
			return CKR_ARGUMENTS_BAD;
	return CKR_OK;
}

void
kzt_rsa_free(kzt_rsa_state **st)
{
	if (*st == NULL)
		return;
	kzt_hash_free(&(*st)->hash);
	kzt_secure_zero(*st, sizeof(**st));
	free(*st);
	*st = NULL;
}
