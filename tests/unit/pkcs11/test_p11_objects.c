/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* Objects in-process: creating, reading, changing, copying and destroying token
 * and session objects, with the specification's attribute rules. */
#include "p11_fixture.h"

static void
test_token_data_object_lifecycle(void **state)
{
	fixture *f = *state;
	CK_OBJECT_HANDLE o, again = 0;
	CK_OBJECT_CLASS cls = 0;
	CK_BBOOL tok = CK_FALSE;
	CK_BYTE value[16], tiny[2];
	CK_ATTRIBUTE get[] = {{CKA_CLASS, &cls, sizeof(cls)},
			      {CKA_VALUE, NULL, 0},
			      {CKA_TOKEN, &tok, sizeof(tok)}};
	CK_ATTRIBUTE bad[] = {{CKA_LABEL, tiny, sizeof(tiny)},
			      {CKA_MODULUS, NULL, 0},
			      {CKA_CLASS, &cls, sizeof(cls)}};
	CK_SESSION_HANDLE h;

	h = user_session(f);
	o = create_data(f, h, "notes", "hello token", CK_TRUE, CK_FALSE, CKR_OK);
	assert_int_equal(find_by_label(f, h, "notes", &again), 1);
	assert_int_equal(again, o);
	/* size query, then the value */
	assert_int_equal(f->p->C_GetAttributeValue(h, o, get, 3), CKR_OK);
	assert_int_equal(cls, CKO_DATA);
	assert_true(tok);
	assert_int_equal(get[1].ulValueLen, 11);
	get[1].pValue = value;
	get[1].ulValueLen = sizeof(value);
	assert_int_equal(f->p->C_GetAttributeValue(h, o, get, 3), CKR_OK);
	assert_memory_equal(value, "hello token", 11);
	/* each attribute answered on its own; the last problem is returned */
	cls = 0;
	assert_int_equal(f->p->C_GetAttributeValue(h, o, bad, 3), CKR_ATTRIBUTE_TYPE_INVALID);
	assert_int_equal(bad[0].ulValueLen, CK_UNAVAILABLE_INFORMATION);
	assert_int_equal(bad[1].ulValueLen, CK_UNAVAILABLE_INFORMATION);
	assert_int_equal(cls, CKO_DATA);
	assert_int_equal(f->p->C_GetAttributeValue(h, 4242, get, 1), CKR_OBJECT_HANDLE_INVALID);

	/* it is on the token: a new module instance sees it */
	assert_int_equal(f->p->C_Finalize(NULL), CKR_OK);
	assert_int_equal(f->p->C_Initialize(NULL), CKR_OK);
	h = open_session(f, CKF_RW_SESSION);
	assert_int_equal(find_by_label(f, h, "notes", &o), 1);
	assert_int_equal(f->p->C_DestroyObject(h, o), CKR_USER_NOT_LOGGED_IN);
	assert_int_equal(f->p->C_Login(h, CKU_USER, PIN("12345678")), CKR_OK);
	assert_int_equal(f->p->C_DestroyObject(h, o), CKR_OK);
	assert_int_equal(find_by_label(f, h, "notes", NULL), 0);
	assert_int_equal(f->p->C_DestroyObject(h, o), CKR_OBJECT_HANDLE_INVALID);
}

static void
test_private_objects_need_the_user(void **state)
{
	fixture *f = *state;
	CK_OBJECT_HANDLE o, seen = 0;
	CK_ATTRIBUTE label = {CKA_LABEL, NULL, 0};
	CK_SESSION_HANDLE h;

	assert_int_equal(f->p->C_Initialize(NULL), CKR_OK);
	h = open_session(f, CKF_RW_SESSION);
	create_data(f, h, "secret", "s", CK_TRUE, CK_TRUE, CKR_USER_NOT_LOGGED_IN);
	assert_int_equal(f->p->C_Login(h, CKU_USER, PIN("12345678")), CKR_OK);
	o = create_data(f, h, "secret", "s", CK_TRUE, CK_TRUE, CKR_OK);
	assert_int_equal(f->p->C_Logout(h), CKR_OK);
	assert_int_equal(find_by_label(f, h, "secret", NULL), 0);
	assert_int_equal(f->p->C_GetAttributeValue(h, o, &label, 1), CKR_OBJECT_HANDLE_INVALID);
	assert_int_equal(f->p->C_Login(h, CKU_USER, PIN("12345678")), CKR_OK);
	assert_int_equal(find_by_label(f, h, "secret", &seen), 1);
	assert_int_equal(seen, o); /* the same handle as before */
}

static void
test_session_objects_vanish_with_their_session(void **state)
{
	fixture *f = *state;
	CK_SESSION_HANDLE a, b;
	CK_OBJECT_HANDLE o;

	assert_int_equal(f->p->C_Initialize(NULL), CKR_OK);
	a = open_session(f, 0);
	b = open_session(f, 0);
	o = create_data(f, a, "scratch", "temp", CK_FALSE, CK_FALSE, CKR_OK);
	assert_int_equal(find_by_label(f, b, "scratch", NULL), 1); /* the application's */
	create_data(f, a, "on-token", "x", CK_TRUE, CK_FALSE, CKR_SESSION_READ_ONLY);
	assert_int_equal(f->p->C_CloseSession(a), CKR_OK);
	assert_int_equal(find_by_label(f, b, "scratch", NULL), 0);
	assert_int_equal(f->p->C_DestroyObject(b, o), CKR_OBJECT_HANDLE_INVALID);
}

static void
test_create_object_checks_its_template(void **state)
{
	fixture *f = *state;
	CK_OBJECT_CLASS data = CKO_DATA, cert = CKO_CERTIFICATE, key = CKO_PRIVATE_KEY;
	CK_CERTIFICATE_TYPE x509 = CKC_X_509;
	CK_BBOOL yes = CK_TRUE;
	CK_ULONG wide = 1;
	CK_OBJECT_HANDLE o;
	CK_SESSION_HANDLE h;
	CK_ATTRIBUTE no_class[] = {{CKA_LABEL, "x", 1}};
	CK_ATTRIBUTE unknown[] = {{CKA_CLASS, &data, sizeof(data)}, {CKA_MODULUS, "x", 1}};
	CK_ATTRIBUTE bad_bool[] = {{CKA_CLASS, &data, sizeof(data)}, {CKA_TOKEN, &wide, sizeof(wide)}};
	CK_ATTRIBUTE twice[] = {{CKA_CLASS, &data, sizeof(data)}, {CKA_LABEL, "a", 1}, {CKA_LABEL, "b", 1}};
	CK_ATTRIBUTE cert_no_value[] = {{CKA_CLASS, &cert, sizeof(cert)},
					{CKA_CERTIFICATE_TYPE, &x509, sizeof(x509)}};
	CK_ATTRIBUTE cert_junk[] = {{CKA_CLASS, &cert, sizeof(cert)},
				    {CKA_CERTIFICATE_TYPE, &x509, sizeof(x509)},
				    {CKA_VALUE, "\x30\x03\x02\x01\x01", 5}};
	CK_ATTRIBUTE trusted[] = {{CKA_CLASS, &cert, sizeof(cert)}, {CKA_TRUSTED, &yes, sizeof(yes)}};
	CK_ATTRIBUTE a_key[] = {{CKA_CLASS, &key, sizeof(key)}};

	assert_int_equal(f->p->C_Initialize(NULL), CKR_OK);
	h = open_session(f, CKF_RW_SESSION);
	assert_int_equal(f->p->C_CreateObject(h, no_class, 1, &o), CKR_TEMPLATE_INCOMPLETE);
	assert_int_equal(f->p->C_CreateObject(h, unknown, 2, &o), CKR_ATTRIBUTE_TYPE_INVALID);
	assert_int_equal(f->p->C_CreateObject(h, bad_bool, 2, &o), CKR_ATTRIBUTE_VALUE_INVALID);
	assert_int_equal(f->p->C_CreateObject(h, twice, 3, &o), CKR_TEMPLATE_INCONSISTENT);
	assert_int_equal(f->p->C_CreateObject(h, cert_no_value, 2, &o), CKR_TEMPLATE_INCOMPLETE);
	assert_int_equal(f->p->C_CreateObject(h, cert_junk, 3, &o), CKR_ATTRIBUTE_VALUE_INVALID);
	assert_int_equal(f->p->C_CreateObject(h, trusted, 2, &o), CKR_TEMPLATE_INCOMPLETE);
	assert_int_equal(f->p->C_CreateObject(h, a_key, 1, &o), CKR_TEMPLATE_INCOMPLETE);
	assert_int_equal(f->p->C_CreateObject(h, NULL, 0, &o), CKR_ARGUMENTS_BAD);
	/* nothing of it reached the token */
	assert_int_equal(f->p->C_FindObjectsInit(h, NULL, 0), CKR_OK);
	{
		CK_OBJECT_HANDLE found[4];
		CK_ULONG n = 9;
		assert_int_equal(f->p->C_FindObjects(h, found, 4, &n), CKR_OK);
		assert_int_equal(n, 0);
	}
	assert_int_equal(f->p->C_FindObjectsFinal(h), CKR_OK);
}

static void
test_set_attribute_value_rules(void **state)
{
	fixture *f = *state;
	CK_OBJECT_HANDLE pub, priv, data, sess, ro_obj;
	CK_BBOOL no = CK_FALSE, yes = CK_TRUE;
	CK_BYTE id[] = {1, 2, 3}, got_id[8], sig[256], msg[] = "m";
	CK_OBJECT_CLASS cls = CKO_CERTIFICATE;
	CK_ULONG len = sizeof(sig);
	CK_MECHANISM sha = {CKM_SHA256_RSA_PKCS, NULL, 0};
	CK_ATTRIBUTE rename[] = {{CKA_LABEL, "Подпись", strlen("Подпись")}, {CKA_ID, id, sizeof(id)}};
	CK_ATTRIBUTE get_id[] = {{CKA_ID, got_id, sizeof(got_id)}};
	CK_ATTRIBUTE relabel[] = {{CKA_LABEL, "renamed", 7}};
	CK_ATTRIBUTE nosign[] = {{CKA_SIGN, &no, sizeof(no)}};
	CK_ATTRIBUTE resign[] = {{CKA_SIGN, &yes, sizeof(yes)}};
	CK_ATTRIBUTE unsens[] = {{CKA_SENSITIVE, &no, sizeof(no)}};
	CK_ATTRIBUTE sens[] = {{CKA_SENSITIVE, &yes, sizeof(yes)}};
	CK_ATTRIBUTE extract[] = {{CKA_EXTRACTABLE, &yes, sizeof(yes)}};
	CK_ATTRIBUTE reclass[] = {{CKA_CLASS, &cls, sizeof(cls)}};
	CK_ATTRIBUTE value[] = {{CKA_VALUE, "new", 3}};
	CK_ATTRIBUTE unknown[] = {{CKA_MODULUS_BITS, &len, sizeof(len)}};
	CK_ATTRIBUTE badbool[] = {{CKA_SIGN, &len, sizeof(len)}};
	CK_ATTRIBUTE twice[] = {{CKA_LABEL, "a", 1}, {CKA_LABEL, "b", 1}};
	CK_SESSION_HANDLE h, ro;

	h = user_session(f);
	generate(f, h, 2048, CK_TRUE, &pub, &priv, CKR_OK);
	/* label and ID, on both halves of the key, on the card at once */
	assert_int_equal(f->p->C_SetAttributeValue(h, priv, rename, 2), CKR_OK);
	assert_int_equal(f->p->C_SetAttributeValue(h, pub, rename, 2), CKR_OK);
	assert_label(f, h, priv, "Подпись");
	assert_int_equal(f->p->C_GetAttributeValue(h, pub, get_id, 1), CKR_OK);
	assert_int_equal(get_id[0].ulValueLen, 3);
	assert_memory_equal(got_id, id, 3);
	/* what the specification keeps read-only, or one-way */
	assert_int_equal(f->p->C_SetAttributeValue(h, priv, reclass, 1), CKR_ATTRIBUTE_READ_ONLY);
	assert_int_equal(f->p->C_SetAttributeValue(h, priv, unsens, 1), CKR_ATTRIBUTE_READ_ONLY);
	assert_int_equal(f->p->C_SetAttributeValue(h, priv, sens, 1), CKR_OK);
	assert_int_equal(f->p->C_SetAttributeValue(h, priv, extract, 1), CKR_ATTRIBUTE_READ_ONLY);
	assert_int_equal(f->p->C_SetAttributeValue(h, priv, unknown, 1), CKR_ATTRIBUTE_TYPE_INVALID);
	assert_int_equal(f->p->C_SetAttributeValue(h, priv, badbool, 1), CKR_ATTRIBUTE_VALUE_INVALID);
	assert_int_equal(f->p->C_SetAttributeValue(h, priv, twice, 2), CKR_TEMPLATE_INCONSISTENT);
	/* a refused template changed nothing, not even its acceptable part */
	{
		CK_ATTRIBUTE mixed[] = {{CKA_LABEL, "lost", 4}, {CKA_CLASS, &cls, sizeof(cls)}};
		assert_int_equal(f->p->C_SetAttributeValue(h, priv, mixed, 2), CKR_ATTRIBUTE_READ_ONLY);
		assert_label(f, h, priv, "Подпись");
	}
	/* usage goes to the card: a key made unable to sign cannot, until set back */
	assert_int_equal(f->p->C_SetAttributeValue(h, priv, nosign, 1), CKR_OK);
	assert_int_equal(f->p->C_SignInit(h, &sha, priv), CKR_KEY_FUNCTION_NOT_PERMITTED);
	assert_int_equal(f->p->C_SetAttributeValue(h, priv, resign, 1), CKR_OK);
	assert_int_equal(f->p->C_SignInit(h, &sha, priv), CKR_OK);
	assert_int_equal(f->p->C_Sign(h, msg, sizeof(msg), sig, &len), CKR_OK);
	/* a data object's value is the card's: read-only; its label is not */
	data = create_data(f, h, "d", "v", CK_TRUE, CK_FALSE, CKR_OK);
	assert_int_equal(f->p->C_SetAttributeValue(h, data, value, 1), CKR_ATTRIBUTE_READ_ONLY);
	assert_int_equal(f->p->C_SetAttributeValue(h, data, relabel, 1), CKR_OK);
	assert_int_equal(find_by_label(f, h, "renamed", NULL), 1);
	/* session objects change in the module */
	sess = create_data(f, h, "s", "v", CK_FALSE, CK_FALSE, CKR_OK);
	assert_int_equal(f->p->C_SetAttributeValue(h, sess, relabel, 1), CKR_OK);
	assert_label(f, h, sess, "renamed");
	/* CKA_MODIFIABLE false: nothing changes */
	{
		CK_OBJECT_CLASS dc = CKO_DATA;
		CK_ATTRIBUTE t[] = {{CKA_CLASS, &dc, sizeof(dc)}, {CKA_TOKEN, &yes, 1}, {CKA_MODIFIABLE, &no, 1}};
		assert_int_equal(f->p->C_CreateObject(h, t, 3, &ro_obj), CKR_OK);
		assert_int_equal(f->p->C_SetAttributeValue(h, ro_obj, relabel, 1), CKR_ACTION_PROHIBITED);
	}
	/* a read-only session changes no token object */
	ro = open_session(f, 0);
	assert_int_equal(f->p->C_SetAttributeValue(ro, data, relabel, 1), CKR_SESSION_READ_ONLY);
	assert_int_equal(f->p->C_SetAttributeValue(h, 0x7777, relabel, 1), CKR_OBJECT_HANDLE_INVALID);
	assert_int_equal(f->p->C_SetAttributeValue(h, data, NULL, 1), CKR_ARGUMENTS_BAD);
}

static void
test_copy_object_rules(void **state)
{
	fixture *f = *state;
	CK_OBJECT_HANDLE pub, priv, data, copy, copy2, nocopy;
	CK_BBOOL no = CK_FALSE, yes = CK_TRUE, tok = CK_TRUE;
	CK_OBJECT_CLASS cls = CKO_DATA;
	CK_BYTE n1[256], n2[256], value[8];
	CK_ATTRIBUTE to_session[] = {{CKA_TOKEN, &no, sizeof(no)}, {CKA_LABEL, "copy", 4}};
	CK_ATTRIBUTE to_token[] = {{CKA_TOKEN, &yes, sizeof(yes)}, {CKA_LABEL, "copy2", 5}};
	CK_ATTRIBUTE reclass[] = {{CKA_CLASS, &cls, sizeof(cls)}};
	CK_ATTRIBUTE get_tok[] = {{CKA_TOKEN, &tok, sizeof(tok)}, {CKA_VALUE, value, sizeof(value)}};
	CK_ATTRIBUTE mod1[] = {{CKA_MODULUS, n1, sizeof(n1)}}, mod2[] = {{CKA_MODULUS, n2, sizeof(n2)}};
	CK_SESSION_HANDLE h;

	h = user_session(f);
	data = create_data(f, h, "orig", "value", CK_TRUE, CK_FALSE, CKR_OK);
	/* a token object copied into the session, value and all, under a new label */
	assert_int_equal(f->p->C_CopyObject(h, data, to_session, 2, &copy), CKR_OK);
	assert_int_equal(f->p->C_GetAttributeValue(h, copy, get_tok, 2), CKR_OK);
	assert_false(tok);
	assert_int_equal(get_tok[1].ulValueLen, 5);
	assert_memory_equal(value, "value", 5);
	assert_label(f, h, copy, "copy");
	/* ...and that session object copied back onto the token */
	assert_int_equal(f->p->C_CopyObject(h, copy, to_token, 2, &copy2), CKR_OK);
	assert_int_equal(find_by_label(f, h, "copy2", NULL), 1);
	assert_int_equal(f->p->C_CopyObject(h, data, reclass, 1, &copy2), CKR_ATTRIBUTE_READ_ONLY);
	/* a public key copies on the token, and into the session (the card keeps a
	 * session key too); a private key never leaves the card */
	generate(f, h, 2048, CK_TRUE, &pub, &priv, CKR_OK);
	assert_int_equal(f->p->C_CopyObject(h, pub, to_token, 2, &copy), CKR_OK);
	assert_int_equal(f->p->C_GetAttributeValue(h, pub, mod1, 1), CKR_OK);
	assert_int_equal(f->p->C_GetAttributeValue(h, copy, mod2, 1), CKR_OK);
	assert_int_equal(mod1[0].ulValueLen, mod2[0].ulValueLen);
	assert_memory_equal(n1, n2, mod1[0].ulValueLen);
	assert_int_equal(f->p->C_CopyObject(h, pub, to_session, 2, &copy), CKR_OK);
	tok = CK_TRUE;
	get_tok[1].ulValueLen = 0;
	assert_int_equal(f->p->C_GetAttributeValue(h, copy, get_tok, 1), CKR_OK);
	assert_false(tok);
	assert_int_equal(f->p->C_CopyObject(h, priv, to_token, 2, &copy), CKR_ACTION_PROHIBITED);
	/* CKA_COPYABLE false: no copy, and only a copy may make it false */
	{
		CK_ATTRIBUTE t[] = {{CKA_CLASS, &cls, sizeof(cls)}, {CKA_COPYABLE, &no, 1}};
		CK_ATTRIBUTE again[] = {{CKA_COPYABLE, &yes, 1}};
		assert_int_equal(f->p->C_CreateObject(h, t, 2, &nocopy), CKR_OK);
		assert_int_equal(f->p->C_CopyObject(h, nocopy, NULL, 0, &copy), CKR_ACTION_PROHIBITED);
		assert_int_equal(f->p->C_SetAttributeValue(h, nocopy, again, 1), CKR_ATTRIBUTE_READ_ONLY);
	}
	assert_int_equal(f->p->C_CopyObject(h, 0x7777, NULL, 0, &copy), CKR_OBJECT_HANDLE_INVALID);
	assert_int_equal(f->p->C_CopyObject(h, data, NULL, 0, NULL), CKR_ARGUMENTS_BAD);
}

static void
test_object_size_is_what_the_object_takes(void **state)
{
	fixture *f = *state;
	CK_SESSION_HANDLE h = user_session(f);
	CK_OBJECT_HANDLE tok = create_data(f, h, "label", "hello", CK_TRUE, CK_FALSE, CKR_OK);
	CK_OBJECT_HANDLE big = create_data(f, h, "label", "hello, a longer value", CK_TRUE, CK_FALSE, CKR_OK);
	CK_OBJECT_HANDLE ses = create_data(f, h, "label", "hello", CK_FALSE, CK_FALSE, CKR_OK);
	CK_ULONG a = 0, b = 0, c = 0;

	assert_int_equal(f->p->C_GetObjectSize(h, tok, &a), CKR_OK);
	assert_int_equal(f->p->C_GetObjectSize(h, big, &b), CKR_OK);
	assert_int_equal(f->p->C_GetObjectSize(h, ses, &c), CKR_OK);
	assert_true(a > 5);
	assert_int_equal(b - a, strlen(", a longer value")); /* the value counts, byte for byte */
	assert_true(c >= 5 + 5);                             /* label and value at least */
	assert_int_equal(f->p->C_GetObjectSize(h, tok, NULL), CKR_ARGUMENTS_BAD);
	assert_int_equal(f->p->C_GetObjectSize(h, 0x7777, &a), CKR_OBJECT_HANDLE_INVALID);
}

/* CREATE OBJECT carries the whole object; one longer than the card's longest
 * command can never be stored, whatever space it has left. */
static void
test_an_object_larger_than_the_card_takes_is_refused_with_nothing_written(void **state)
{
	fixture *f = *state;
	CK_SESSION_HANDLE h = user_session(f);
	CK_OBJECT_CLASS cls = CKO_DATA;
	CK_BBOOL yes = CK_TRUE;
	static CK_BYTE value[9000];
	CK_ATTRIBUTE t[] = {{CKA_CLASS, &cls, sizeof(cls)}, {CKA_TOKEN, &yes, 1}, {CKA_VALUE, value, 0}};
	CK_TOKEN_INFO before, after;
	CK_OBJECT_HANDLE o;
	CK_ULONG len;

	memset(value, 0x5A, sizeof(value));
	assert_int_equal(f->p->C_GetTokenInfo(0, &before), CKR_OK);
	for (len = 8192; len <= sizeof(value); len += 404) {
		t[2].ulValueLen = len;
		assert_int_equal(f->p->C_CreateObject(h, t, 3, &o), CKR_ATTRIBUTE_VALUE_INVALID);
	}
	assert_int_equal(p11_count(f, h, NULL, 0), 0);
	assert_int_equal(f->p->C_GetTokenInfo(0, &after), CKR_OK);
	assert_int_equal(after.ulFreePublicMemory, before.ulFreePublicMemory);
	/* one that fits is stored whole */
	t[2].ulValueLen = 7000;
	assert_int_equal(f->p->C_CreateObject(h, t, 3, &o), CKR_OK);
	{
		static CK_BYTE back[7000];
		CK_ATTRIBUTE get = {CKA_VALUE, back, sizeof(back)};

		assert_int_equal(f->p->C_GetAttributeValue(h, o, &get, 1), CKR_OK);
		assert_int_equal(get.ulValueLen, 7000);
		assert_memory_equal(back, value, 7000);
	}
}

/* An application's template need not align its numbers (a packed buffer, a
 * language binding): a class and a certificate type at odd addresses are read as
 * well as any (UBSan, in the sanitizer build, says if they are not). */
static void
test_numbers_in_a_template_need_no_alignment(void **state)
{
	fixture *f = *state;
	CK_SESSION_HANDLE h;
	CK_OBJECT_HANDLE o;
	CK_OBJECT_CLASS cls = CKO_DATA, back = 0;
	CK_BBOOL yes = CK_TRUE;
	unsigned char packed[1 + sizeof(CK_OBJECT_CLASS)];
	CK_ATTRIBUTE t[] = {{CKA_CLASS, packed + 1, sizeof(CK_OBJECT_CLASS)},
			    {CKA_TOKEN, &yes, sizeof(yes)},
			    {CKA_VALUE, "v", 1}};
	CK_ATTRIBUTE get = {CKA_CLASS, &back, sizeof(back)};

	assert_int_equal(f->p->C_Initialize(NULL), CKR_OK);
	h = p11_user(f);
	memcpy(packed + 1, &cls, sizeof(cls));
	assert_int_equal(f->p->C_CreateObject(h, t, 3, &o), CKR_OK);
	assert_int_equal(f->p->C_GetAttributeValue(h, o, &get, 1), CKR_OK);
	assert_int_equal(back, CKO_DATA);
	/* and in a search */
	assert_int_equal(p11_count(f, h, t, 1), 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_token_data_object_lifecycle, setup, teardown),
		cmocka_unit_test_setup_teardown(test_numbers_in_a_template_need_no_alignment, setup, teardown),
		cmocka_unit_test_setup_teardown(test_private_objects_need_the_user, setup, teardown),
		cmocka_unit_test_setup_teardown(test_session_objects_vanish_with_their_session, setup, teardown),
		cmocka_unit_test_setup_teardown(test_create_object_checks_its_template, setup, teardown),
		cmocka_unit_test_setup_teardown(test_set_attribute_value_rules, setup, teardown),
		cmocka_unit_test_setup_teardown(test_copy_object_rules, setup, teardown),
		cmocka_unit_test_setup_teardown(test_object_size_is_what_the_object_takes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_an_object_larger_than_the_card_takes_is_refused_with_nothing_written, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
