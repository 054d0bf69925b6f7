/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* Attribute lists, their on-card encoding, and the X.509 fields of certificates
 * (checked against OpenSSL's own encoding of the same certificate). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "attr.h"
#include "kzt_err.h"
#include "x509.h"

static void
test_attrs_set_replace_get_and_remove(void **state)
{
	kzt_attrs l = {0};
	const CK_ATTRIBUTE *a;

	(void)state;
	assert_int_equal(kzt_attrs_set(&l, CKA_LABEL, "one", 3), KZT_OK);
	assert_int_equal(kzt_attrs_set(&l, CKA_LABEL, "second", 6), KZT_OK);
	assert_int_equal(kzt_attrs_set_bool(&l, CKA_TOKEN, CK_TRUE), KZT_OK);
	assert_int_equal(kzt_attrs_set(&l, CKA_ID, NULL, 0), KZT_OK);
	assert_int_equal(l.n, 3);
	a = kzt_attrs_get(&l, CKA_LABEL);
	assert_non_null(a);
	assert_int_equal(a->ulValueLen, 6);
	assert_memory_equal(a->pValue, "second", 6);
	assert_int_equal(kzt_attrs_get(&l, CKA_ID)->ulValueLen, 0);
	assert_true(kzt_attrs_bool(&l, CKA_TOKEN, CK_FALSE));
	assert_false(kzt_attrs_bool(&l, CKA_PRIVATE, CK_FALSE));
	assert_int_equal(kzt_attrs_set(&l, CKA_VALUE, NULL, 5), KZT_ERR_ARGS);
	kzt_attrs_remove(&l, CKA_LABEL);
	assert_null(kzt_attrs_get(&l, CKA_LABEL));
	assert_int_equal(l.n, 2);
	kzt_attrs_free(&l);
	assert_int_equal(l.n, 0);
}

static int
no_value(CK_ATTRIBUTE_TYPE t)
{
	return t != CKA_VALUE;
}

static void
test_blob_round_trips_and_filters(void **state)
{
	kzt_attrs l = {0}, back = {0};
	uint8_t blob[256];
	size_t len;

	(void)state;
	kzt_attrs_set(&l, CKA_LABEL, "Signing key", 11);
	kzt_attrs_set(&l, CKA_ID, "\x01\x02", 2);
	kzt_attrs_set_ulong(&l, CKA_KEY_TYPE, CKK_RSA);
	kzt_attrs_set_bool(&l, CKA_SIGN, CK_TRUE);
	kzt_attrs_set(&l, CKA_VALUE, "secret-ish", 10);
	assert_int_equal(kzt_attrs_encode(&l, no_value, blob, sizeof(blob), &len), KZT_OK);
	assert_int_equal(len, (6 + 11) + (6 + 2) + (6 + 4) + (6 + 1));
	assert_int_equal(kzt_attrs_decode(blob, len, &back), KZT_OK);
	assert_int_equal(back.n, 4);
	assert_null(kzt_attrs_get(&back, CKA_VALUE));
	assert_int_equal(*(CK_ULONG *)kzt_attrs_get(&back, CKA_KEY_TYPE)->pValue, CKK_RSA);
	assert_memory_equal(kzt_attrs_get(&back, CKA_LABEL)->pValue, "Signing key", 11);
	assert_int_equal(kzt_attrs_encode(&l, NULL, blob, 10, &len), KZT_ERR_BUFFER);
	/* "unavailable" survives the 4-byte encoding on a 64-bit host */
	kzt_attrs_set_ulong(&l, CKA_KEY_GEN_MECHANISM, CK_UNAVAILABLE_INFORMATION);
	assert_int_equal(kzt_attrs_encode(&l, NULL, blob, sizeof(blob), &len), KZT_OK);
	kzt_attrs_free(&back);
	assert_int_equal(kzt_attrs_decode(blob, len, &back), KZT_OK);
	assert_int_equal(*(CK_ULONG *)kzt_attrs_get(&back, CKA_KEY_GEN_MECHANISM)->pValue,
			 CK_UNAVAILABLE_INFORMATION);
	kzt_attrs_free(&l);
	kzt_attrs_free(&back);
}

static void
test_blob_decoder_rejects_malformed_input(void **state)
{
	static const struct {
		const char *why;
		uint8_t b[16];
		size_t n;
	} bad[] = {
		{"header cut short", {0, 0, 0, 3, 0}, 5},
		{"value cut short", {0, 0, 0, 3, 0, 4, 'a', 'b'}, 8},
		{"the same attribute twice", {0, 0, 0, 3, 0, 1, 'a', 0, 0, 0, 3, 0, 1, 'b'}, 14},
		{"a CK_ULONG of two bytes", {0, 0, 0, 0, 0, 2, 0, 1}, 8},
	};
	kzt_attrs l;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&l, 0, sizeof(l));
		if (kzt_attrs_decode(bad[i].b, bad[i].n, &l) != KZT_ERR_PARSE)
			fail_msg("accepted a malformed blob: %s", bad[i].why);
		kzt_attrs_free(&l);
	}
}

/* A self-signed certificate from OpenSSL, as DER. */
static int
make_cert(long not_after_days, uint8_t **der)
{
	EVP_PKEY *pk = EVP_RSA_gen(2048);
	X509 *x = X509_new();
	X509_NAME *name = X509_NAME_new();
	int len;

	assert_non_null(pk);
	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), 0x1234567);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, (const unsigned char *)"Иванов Иван", -1, -1, 0);
	X509_NAME_add_entry_by_txt(name, "C", MBSTRING_ASC, (const unsigned char *)"KZ", -1, -1, 0);
	X509_set_subject_name(x, name);
	X509_set_issuer_name(x, name);
	X509_gmtime_adj(X509_getm_notBefore(x), 0);
	X509_time_adj_ex(X509_getm_notAfter(x), (int)not_after_days, 0, NULL);
	X509_set_pubkey(x, pk);
	assert_true(X509_sign(x, pk, EVP_sha256()) > 0);
	*der = NULL;
	len = i2d_X509(x, der);
	X509_NAME_free(name);
	X509_free(x);
	EVP_PKEY_free(pk);
	return len;
}

static void
test_x509_fields_match_openssl(void **state)
{
	uint8_t *der, *subj = NULL, *serial = NULL;
	const unsigned char *p;
	kzt_x509_fields f;
	int len, slen, serlen;
	X509 *x;

	(void)state;
	len = make_cert(365, &der);
	assert_true(len > 0);
	assert_int_equal(kzt_x509_fields_get(der, (size_t)len, &f), KZT_OK);
	p = der;
	x = d2i_X509(NULL, &p, len);
	slen = i2d_X509_NAME(X509_get_subject_name(x), &subj);
	assert_int_equal(f.subject_len, slen);
	assert_memory_equal(f.subject, subj, slen);
	assert_int_equal(f.issuer_len, slen);
	serlen = i2d_ASN1_INTEGER(X509_get_serialNumber(x), &serial);
	assert_int_equal(f.serial_len, serlen);
	assert_memory_equal(f.serial, serial, serlen);
	assert_memory_equal(f.start.year, "20", 2);
	OPENSSL_free(subj);
	OPENSSL_free(serial);
	X509_free(x);
	OPENSSL_free(der);

	/* after 2049, X.509 dates are GeneralizedTime */
	len = make_cert(365L * 40, &der);
	assert_int_equal(kzt_x509_fields_get(der, (size_t)len, &f), KZT_OK);
	assert_int_equal(f.end.year[0], '2');
	assert_true(memcmp(f.end.year, "2060", 4) > 0);
	OPENSSL_free(der);
}

static void
test_x509_rejects_malformed_certificates(void **state)
{
	uint8_t *der, copy[2048];
	kzt_x509_fields f;
	int len;

	(void)state;
	len = make_cert(30, &der);
	assert_true(len > 0 && len < (int)sizeof(copy) - 1);
	memcpy(copy, der, (size_t)len);
	assert_int_equal(kzt_x509_fields_get(copy, (size_t)len - 1, &f), KZT_ERR_PARSE);
	copy[len] = 0x00; /* one byte too many */
	assert_int_equal(kzt_x509_fields_get(copy, (size_t)len + 1, &f), KZT_ERR_PARSE);
	copy[0] = 0x31; /* a SET, not a SEQUENCE */
	assert_int_equal(kzt_x509_fields_get(copy, (size_t)len, &f), KZT_ERR_PARSE);
	assert_int_equal(kzt_x509_fields_get((const uint8_t *)"\x30\x00", 2, &f), KZT_ERR_PARSE);
	assert_int_equal(kzt_x509_fields_get(copy, 0, &f), KZT_ERR_PARSE);
	OPENSSL_free(der);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_attrs_set_replace_get_and_remove),
		cmocka_unit_test(test_blob_round_trips_and_filters),
		cmocka_unit_test(test_blob_decoder_rejects_malformed_input),
		cmocka_unit_test(test_x509_fields_match_openssl),
		cmocka_unit_test(test_x509_rejects_malformed_certificates),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
