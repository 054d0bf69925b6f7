/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* The card pulled out at every APDU boundary of signing, key generation, object
 * creation, an attribute change and a format (before the card runs the command,
 * and after it ran it but before its answer came back): each time the call answers
 * CKR_DEVICE_REMOVED, the sessions are gone, nothing leaks (memcheck and the
 * sanitizers run this too), the card holds the state from before the call or after
 * it, and once the card is back the same process logs in and signs. */
#include "p11_fixture.h"

typedef struct step {
	CK_SESSION_HANDLE h;
	CK_OBJECT_HANDLE pub, priv, data;
} step;

/* The operations, each run in a session with the user logged in. */
static CK_RV
op_sign(fixture *f, step *s)
{
	return p11c_sign(f->p, s->h, s->priv);
}

static CK_RV
op_keygen(fixture *f, step *s)
{
	CK_BBOOL yes = CK_TRUE;
	CK_ULONG bits = 2048;
	CK_ATTRIBUTE pt[] = {{CKA_TOKEN, &yes, sizeof(yes)}, {CKA_MODULUS_BITS, &bits, sizeof(bits)}};
	CK_ATTRIBUTE st[] = {{CKA_TOKEN, &yes, sizeof(yes)}, {CKA_SIGN, &yes, sizeof(yes)}};
	CK_MECHANISM m = {CKM_RSA_PKCS_KEY_PAIR_GEN, NULL, 0};
	CK_OBJECT_HANDLE a, b;

	return f->p->C_GenerateKeyPair(s->h, &m, pt, 2, st, 2, &a, &b);
}

static CK_RV
op_create(fixture *f, step *s)
{
	CK_OBJECT_CLASS cls = CKO_DATA;
	CK_BBOOL yes = CK_TRUE;
	CK_ATTRIBUTE t[] = {{CKA_CLASS, &cls, sizeof(cls)}, {CKA_TOKEN, &yes, sizeof(yes)},
			    {CKA_LABEL, "new", 3}, {CKA_VALUE, "v", 1}};
	CK_OBJECT_HANDLE o;

	return f->p->C_CreateObject(s->h, t, 4, &o);
}

static CK_RV
op_set_attribute(fixture *f, step *s)
{
	CK_ATTRIBUTE t[] = {{CKA_LABEL, "renamed", 7}};

	return f->p->C_SetAttributeValue(s->h, s->data, t, 1);
}

static CK_RV
op_format(fixture *f, step *s)
{
	CK_UTF8CHAR label[32];

	assert_int_equal(f->p->C_CloseAllSessions(0), CKR_OK); /* (C_InitToken wants none) */
	s->h = CK_INVALID_HANDLE;
	memset(label, ' ', sizeof(label));
	memcpy(label, "formatted", 9);
	return f->p->C_InitToken(0, PIN("87654321"), label);
}

static const struct {
	const char *name;
	CK_RV (*run)(fixture *f, step *s);
	int needs_key;
} ops[] = {{"sign", op_sign, 1},
	   {"key generation", op_keygen, 0},
	   {"object creation", op_create, 0},
	   {"attribute change", op_set_attribute, 0},
	   {"format", op_format, 0}};

/* A token with a data object (and a key pair when the operation needs one), the
 * user logged in. (Key generation is slow under memcheck: only where needed.) */
static void
prepare(fixture *f, step *s, int key)
{
	s->h = p11_user(f);
	if (key)
		p11_keypair(f, s->h, "k", &s->pub, &s->priv);
	s->data = p11_data(f, s->h, 0, "value");
}

/* What the card holds, to compare before and after: objects, label, tries. */
typedef struct card_view {
	size_t nobjects;
	uint8_t label_len, tries;
} card_view;

static card_view
view(const fixture *f)
{
	card_view v = {f->card.st.nobjects, f->card.st.label_len, f->card.st.user.tries_left};
	return v;
}

static int
same(card_view a, card_view b)
{
	return a.nobjects == b.nobjects && a.label_len == b.label_len && a.tries == b.tries;
}

/* Pull the card before (late 0) or after (late 1) each APDU of operation i. */
static void
pull_at_each_apdu(size_t i, int late)
{
	const char *when = late ? "after" : "before";
	card_view before, after, now;
	unsigned long n0;
	unsigned k, apdus;
	fixture *f;
	step s;
	void *st;

	/* the APDUs the operation costs with the card in, and what it leaves */
	p11_setup(&st);
	f = st;
	prepare(f, &s, ops[i].needs_key);
	before = view(f);
	n0 = card_apdus(f);
	assert_int_equal(ops[i].run(f, &s), CKR_OK);
	apdus = (unsigned)(card_apdus(f) - n0);
	after = view(f);
	teardown(&st);
	assert_true(apdus >= 1);
	for (k = 1; k <= apdus; k++) {
		CK_SLOT_ID slots[2];
		CK_ULONG nslots = 2;
		CK_SESSION_INFO si;
		CK_SESSION_HANDLE h;
		CK_OBJECT_HANDLE priv;
		CK_RV rv;

		p11_setup(&st);
		f = st;
		prepare(f, &s, ops[i].needs_key);
		f->lb.pull_at = k;
		f->lb.pull_after_answer = late;
		rv = ops[i].run(f, &s);
		if (rv != CKR_DEVICE_REMOVED)
			fail_msg("%s, card pulled %s its APDU %u of %u: 0x%lX, not CKR_DEVICE_REMOVED", ops[i].name,
				 when, k, apdus, (unsigned long)rv);
		/* its sessions went with it (a session that has not heard yet hears it
		 * once more, as test_p11_api's removal does) */
		if (s.h != CK_INVALID_HANDLE) {
			rv = f->p->C_GetSessionInfo(s.h, &si);
			assert_true(rv == CKR_DEVICE_REMOVED || rv == CKR_SESSION_HANDLE_INVALID);
			assert_int_equal(f->p->C_GetSessionInfo(s.h, &si), CKR_SESSION_HANDLE_INVALID);
		}
		assert_int_equal(f->p->C_GetSlotList(CK_TRUE, slots, &nslots), CKR_OK);
		assert_int_equal(nslots, 0);
		/* the card holds what it held, or what the call was to leave */
		now = view(f);
		if (!same(now, before) && !same(now, after))
			fail_msg("%s, card pulled %s its APDU %u: neither the old state nor the new", ops[i].name,
				 when, k);
		/* back in: the same process logs in and writes; signs with the key */
		f->lb.present = 1;
		nslots = 2;
		assert_int_equal(f->p->C_GetSlotList(CK_TRUE, slots, &nslots), CKR_OK);
		assert_int_equal(nslots, 1);
		assert_int_equal(f->p->C_OpenSession(0, CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL, NULL, &h), CKR_OK);
		assert_int_equal(f->p->C_Login(h, CKU_USER, PIN(USER_PIN)), CKR_OK);
		p11_data(f, h, 0, "written after");
		if (ops[i].needs_key) {
			CK_OBJECT_CLASS cls = CKO_PRIVATE_KEY;
			CK_ATTRIBUTE t[] = {{CKA_CLASS, &cls, sizeof(cls)}, {CKA_LABEL, "k", 1}};

			assert_int_equal(p11c_count(f->p, h, t, 2, &priv), 1);
			assert_int_equal(p11c_sign(f->p, h, priv), CKR_OK);
		}
		teardown(&st);
	}
	print_message("%s: pulled %s each of its %u APDUs\n", ops[i].name, when, apdus);
}

static void
test_a_card_pulled_at_any_apdu_of_an_operation_gives_device_removed_and_comes_back(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		pull_at_each_apdu(i, 0);
		pull_at_each_apdu(i, 1);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_a_card_pulled_at_any_apdu_of_an_operation_gives_device_removed_and_comes_back),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
