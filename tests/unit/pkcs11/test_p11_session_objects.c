/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* Session objects in-process. CKA_TOKEN defaults to false; a session key still
 * lives on the card (its private half can live nowhere else), marked as its
 * session's, and the card keeps it only while that session is open. */
#include "p11_fixture.h"

static CK_BBOOL yes = CK_TRUE, no = CK_FALSE;

/* A key pair with CKA_TOKEN as given (NULL: not given at all). */
static CK_RV
keypair(fixture *f, CK_SESSION_HANDLE h, const CK_BBOOL *token, CK_OBJECT_HANDLE *pub,
	CK_OBJECT_HANDLE *priv)
{
	CK_MECHANISM m = {CKM_RSA_PKCS_KEY_PAIR_GEN, NULL, 0};
	CK_ULONG bits = 2048;
	CK_ATTRIBUTE pt[] = {{CKA_MODULUS_BITS, &bits, sizeof(bits)}, {CKA_TOKEN, (void *)token, 1}};
	CK_ATTRIBUTE st[] = {{CKA_TOKEN, (void *)token, 1}};

	return f->p->C_GenerateKeyPair(h, &m, pt, token ? 2 : 1, st, token ? 1 : 0, pub, priv);
}

static CK_BBOOL
token_attr(fixture *f, CK_SESSION_HANDLE h, CK_OBJECT_HANDLE o)
{
	CK_BBOOL v = 0x55;
	CK_ATTRIBUTE a = {CKA_TOKEN, &v, sizeof(v)};

	assert_int_equal(f->p->C_GetAttributeValue(h, o, &a, 1), CKR_OK);
	return v;
}

static void
test_a_key_pair_is_a_session_object_unless_asked(void **state)
{
	fixture *f = *state;
	CK_SESSION_HANDLE a = user_session(f), b = open_session(f, 0);
	CK_OBJECT_HANDLE pub, priv, tpub, tpriv;

	assert_int_equal(keypair(f, a, NULL, &pub, &priv), CKR_OK);
	assert_int_equal(token_attr(f, a, pub), CK_FALSE);
	assert_int_equal(token_attr(f, a, priv), CK_FALSE);
	assert_int_equal(f->card.st.nobjects, 2); /* on the card all the same */
	assert_int_equal(sign(f, b, priv), CKR_OK); /* the application's, in every session */
	assert_int_equal(keypair(f, a, &yes, &tpub, &tpriv), CKR_OK);
	assert_int_equal(token_attr(f, a, tpriv), CK_TRUE);
	/* the session that made them closes: they go from the card, the token pair stays */
	assert_int_equal(f->p->C_CloseSession(a), CKR_OK);
	assert_int_equal(f->card.st.nobjects, 2);
	assert_int_equal(sign(f, b, priv), CKR_KEY_HANDLE_INVALID);
	assert_int_equal(sign(f, b, tpriv), CKR_OK);
	assert_int_equal(p11_count(f, b, NULL, 0), 2);
}

static void
test_session_keys_are_made_in_a_read_only_session_and_token_keys_are_not(void **state)
{
	fixture *f = *state;
	CK_SESSION_HANDLE ro;
	CK_OBJECT_HANDLE pub, priv, copy, made;
	CK_OBJECT_CLASS pubc = CKO_PUBLIC_KEY;
	CK_KEY_TYPE rsa = CKK_RSA;
	CK_BYTE n[256], e[8];
	CK_ATTRIBUTE get[] = {{CKA_MODULUS, n, sizeof(n)}, {CKA_PUBLIC_EXPONENT, e, sizeof(e)}};
	CK_ATTRIBUTE to_session[] = {{CKA_TOKEN, &no, 1}};

	assert_int_equal(f->p->C_Initialize(NULL), CKR_OK);
	ro = open_session(f, 0);
	assert_int_equal(keypair(f, ro, NULL, &pub, &priv), CKR_USER_NOT_LOGGED_IN);
	assert_int_equal(f->p->C_Login(ro, CKU_USER, PIN(USER_PIN)), CKR_OK);
	assert_int_equal(keypair(f, ro, &yes, &pub, &priv), CKR_SESSION_READ_ONLY);
	assert_int_equal(f->card.st.nobjects, 0);
	assert_int_equal(keypair(f, ro, &no, &pub, &priv), CKR_OK);
	assert_int_equal(sign(f, ro, priv), CKR_OK);
	/* a session public key made and copied in the read-only session */
	assert_int_equal(f->p->C_GetAttributeValue(ro, pub, get, 2), CKR_OK);
	{
		CK_ATTRIBUTE t[] = {{CKA_CLASS, &pubc, sizeof(pubc)}, {CKA_KEY_TYPE, &rsa, sizeof(rsa)},
				    {CKA_MODULUS, n, get[0].ulValueLen},
				    {CKA_PUBLIC_EXPONENT, e, get[1].ulValueLen}};
		assert_int_equal(f->p->C_CreateObject(ro, t, 4, &made), CKR_OK);
	}
	assert_int_equal(token_attr(f, ro, made), CK_FALSE);
	assert_int_equal(f->p->C_CopyObject(ro, pub, to_session, 1, &copy), CKR_OK);
	assert_int_equal(f->card.st.nobjects, 4);
	/* and changed and destroyed there */
	{
		CK_ATTRIBUTE label[] = {{CKA_LABEL, "temp", 4}};
		assert_int_equal(f->p->C_SetAttributeValue(ro, copy, label, 1), CKR_OK);
		assert_label(f, ro, copy, "temp");
		assert_int_equal(token_attr(f, ro, copy), CK_FALSE); /* still a session object */
	}
	assert_int_equal(f->p->C_DestroyObject(ro, made), CKR_OK);
	assert_int_equal(f->card.st.nobjects, 3);
}

static void
test_c_finalize_removes_the_session_keys_it_made(void **state)
{
	fixture *f = *state;
	CK_SESSION_HANDLE h = user_session(f);
	CK_OBJECT_HANDLE pub, priv;

	assert_int_equal(keypair(f, h, NULL, &pub, &priv), CKR_OK);
	assert_int_equal(keypair(f, h, NULL, &pub, &priv), CKR_OK);
	assert_int_equal(f->card.st.nobjects, 4);
	assert_int_equal(f->p->C_Finalize(NULL), CKR_OK);
	assert_int_equal(f->card.st.nobjects, 0);
}

/* The card deletes only under the user's login: a session closed while logged
 * out leaves its keys, hidden from everyone, until a login finds them. */
static void
test_keys_of_a_session_closed_while_logged_out_go_at_the_next_login(void **state)
{
	fixture *f = *state;
	CK_SESSION_HANDLE a = user_session(f), b = open_session(f, 0);
	CK_OBJECT_HANDLE pub, priv;

	assert_int_equal(keypair(f, a, NULL, &pub, &priv), CKR_OK);
	assert_int_equal(f->p->C_Logout(b), CKR_OK);
	assert_int_equal(p11_count(f, b, NULL, 0), 1); /* the public half, the application's */
	assert_int_equal(f->p->C_CloseSession(a), CKR_OK);
	assert_int_equal(f->card.st.nobjects, 2); /* left: the card would not */
	assert_int_equal(p11_count(f, b, NULL, 0), 0);
	assert_int_equal(f->p->C_Login(b, CKU_USER, PIN(USER_PIN)), CKR_OK);
	assert_int_equal(p11_count(f, b, NULL, 0), 0);
	assert_int_equal(f->card.st.nobjects, 0); /* the login's first look removed them */
}

/* The session objects of sessions that went with a pulled token are seen by no
 * session on the token put back. */
static void
test_session_objects_of_a_pulled_token_are_gone_when_it_comes_back(void **state)
{
	fixture *f = *state;
	CK_SESSION_HANDLE a, b;
	CK_TOKEN_INFO ti;

	assert_int_equal(f->p->C_Initialize(NULL), CKR_OK);
	a = open_session(f, 0);
	create_data(f, a, "ghost", "boo", CK_FALSE, CK_FALSE, CKR_OK);
	f->lb.present = 0;
	assert_int_equal(f->p->C_GetTokenInfo(0, &ti), CKR_DEVICE_REMOVED);
	f->lb.present = 1;
	b = open_session(f, 0);
	assert_int_equal(find_by_label(f, b, "ghost", NULL), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_a_key_pair_is_a_session_object_unless_asked, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_session_keys_are_made_in_a_read_only_session_and_token_keys_are_not,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_c_finalize_removes_the_session_keys_it_made, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_keys_of_a_session_closed_while_logged_out_go_at_the_next_login,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_session_objects_of_a_pulled_token_are_gone_when_it_comes_back, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
