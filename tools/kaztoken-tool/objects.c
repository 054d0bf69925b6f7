/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* Finding the token's keys and certificates, and a token key as an OpenSSL key
 * whose private operation is C_Sign with CKM_RSA_PKCS on the card. */
#define OPENSSL_SUPPRESS_DEPRECATED /* RSA_METHOD: how OpenSSL 3 takes a key it cannot see */
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/rsa.h>

#include "kaztoken/vendor.h"
#include "objects.h"

int
kt_find(kt_ctx *c, CK_OBJECT_CLASS cls, const unsigned char *id, size_t id_len, kt_obj *out, size_t cap,
	size_t *count)
{
	CK_ATTRIBUTE t[] = {{CKA_CLASS, &cls, sizeof(cls)}, {CKA_ID, (void *)id, id_len}};
	CK_OBJECT_HANDLE found[256];
	CK_ULONG n = 0, i;
	size_t k = 0, len = 0;
	unsigned char *v;
	CK_RV rv;

	*count = 0;
	if ((rv = c->p->C_FindObjectsInit(c->h, t, id != NULL ? 2 : 1)) != CKR_OK)
		return kt_fail(rv, _("cannot search the token"));
	rv = c->p->C_FindObjects(c->h, found, 256, &n);
	c->p->C_FindObjectsFinal(c->h);
	if (rv != CKR_OK)
		return kt_fail(rv, _("cannot search the token"));
	for (i = 0; i < n && k < cap; i++) {
		memset(&out[k], 0, sizeof(out[k]));
		out[k].h = found[i];
		if ((v = kt_attr(c, found[i], CKA_ID, &len)) != NULL) {
			if (len > KT_ID_CAP) {
				free(v);
				continue;
			}
			memcpy(out[k].id, v, len);
			out[k].id_len = len;
		}
		free(v);
		if ((v = kt_attr(c, found[i], CKA_LABEL, &len)) != NULL) {
			if (len >= sizeof(out[k].label))
				len = sizeof(out[k].label) - 1;
			memcpy(out[k].label, v, len);
			out[k].label[len] = '\0';
		}
		free(v);
		k++;
	}
	*count = k;
	return KT_OK;
}

unsigned char *
kt_attr(kt_ctx *c, CK_OBJECT_HANDLE o, CK_ATTRIBUTE_TYPE type, size_t *len)
{
	CK_ATTRIBUTE a = {type, NULL, 0};
	unsigned char *v;

	if (c->p->C_GetAttributeValue(c->h, o, &a, 1) != CKR_OK || a.ulValueLen == CK_UNAVAILABLE_INFORMATION)
		return NULL;
	if ((v = malloc(a.ulValueLen + 1)) == NULL)
		return NULL;
	a.pValue = v;
	if (c->p->C_GetAttributeValue(c->h, o, &a, 1) != CKR_OK) {
		free(v);
		return NULL;
	}
	*len = a.ulValueLen;
	return v;
}

int
kt_parse_id(const char *hex, unsigned char *id, size_t *len)
{
	size_t n = strlen(hex), i;
	unsigned v;

	if (n == 0 || n % 2 != 0 || n / 2 > KT_ID_CAP)
		return -1;
	for (i = 0; i < n / 2; i++) {
		if (sscanf(hex + 2 * i, "%2x", &v) != 1 || strchr("0123456789abcdefABCDEF", hex[2 * i]) == NULL ||
		    strchr("0123456789abcdefABCDEF", hex[2 * i + 1]) == NULL)
			return -1;
		id[i] = (unsigned char)v;
	}
	*len = n / 2;
	return 0;
}

void
kt_print_id(FILE *f, const unsigned char *id, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		fprintf(f, "%02x", id[i]);
}

int
kt_pick_key(kt_ctx *c, CK_OBJECT_CLASS cls, kt_obj *key)
{
	unsigned char id[KT_ID_CAP];
	kt_obj found[32];
	size_t id_len = 0, n, i;
	int rc;

	if (c->o->key != NULL && kt_parse_id(c->o->key, id, &id_len) != 0) {
		kt_error(_("--key takes a key's ID in hex, as kaztoken-tool certs shows it"));
		return KT_USAGE;
	}
	if ((rc = kt_find(c, cls, c->o->key != NULL ? id : NULL, id_len, found, 32, &n)) != KT_OK)
		return rc;
	if (n == 1) {
		*key = found[0];
		return KT_OK;
	}
	if (n == 0) {
		if (c->o->key != NULL) {
			kt_error(_("the token has no key with that ID"));
			return KT_USAGE;
		}
		kt_error(_("the token has no key"));
		return KT_ERR;
	}
	kt_error(_("the token has several keys: choose one with --key ID:"));
	for (i = 0; i < n; i++) {
		fprintf(stderr, "  ");
		kt_print_id(stderr, found[i].id, found[i].id_len);
		fprintf(stderr, "  %s\n", found[i].label);
	}
	return KT_USAGE;
}

X509 *
kt_cert_for(kt_ctx *c, const unsigned char *id, size_t id_len)
{
	kt_obj cert;
	unsigned char *v;
	const unsigned char *p;
	size_t len, n;
	X509 *x = NULL;

	if (kt_find(c, CKO_CERTIFICATE, id, id_len, &cert, 1, &n) != KT_OK || n != 1)
		return NULL;
	if ((v = kt_attr(c, cert.h, CKA_VALUE, &len)) != NULL) {
		p = v;
		x = d2i_X509(NULL, &p, (long)len);
	}
	free(v);
	return x;
}

void
kt_ossl_error(const char *what)
{
	unsigned long e = ERR_get_error();

	if (e != 0)
		kt_error("%s: %s", what, ERR_reason_error_string(e) != NULL ? ERR_reason_error_string(e) : "?");
	else
		kt_error("%s", what);
	ERR_clear_error();
}

/* The card's key behind an OpenSSL RSA key. */
typedef struct token_key {
	kt_ctx *c;
	CK_OBJECT_HANDLE priv;
} token_key;

static int token_key_index = -1;

/* OpenSSL's RSA_sign hands a DigestInfo to the private "encryption" with PKCS#1
 * padding: exactly what CKM_RSA_PKCS signs. */
static int
token_priv_enc(int flen, const unsigned char *from, unsigned char *to, RSA *rsa, int padding)
{
	token_key *k = RSA_get_ex_data(rsa, token_key_index);
	CK_MECHANISM m = {CKM_RSA_PKCS, NULL, 0};
	CK_ULONG len = (CK_ULONG)RSA_size(rsa);
	CK_RV rv;

	if (k == NULL || padding != RSA_PKCS1_PADDING)
		return -1;
	if ((rv = k->c->p->C_SignInit(k->c->h, &m, k->priv)) == CKR_OK)
		rv = k->c->p->C_Sign(k->c->h, (CK_BYTE_PTR)from, (CK_ULONG)flen, to, &len);
	if (rv != CKR_OK) {
		kt_fail(rv, _("the token did not sign"));
		return -1;
	}
	return (int)len;
}

/* Ours, then OpenSSL's own (which frees the public operation's cached Montgomery context). */
static int
token_finish(RSA *rsa)
{
	int (*base)(RSA *) = RSA_meth_get_finish(RSA_PKCS1_OpenSSL());

	free(RSA_get_ex_data(rsa, token_key_index));
	RSA_set_ex_data(rsa, token_key_index, NULL);
	return base != NULL ? base(rsa) : 1;
}

static RSA_METHOD *
token_method(void)
{
	static RSA_METHOD *m;

	if (m == NULL && (m = RSA_meth_dup(RSA_PKCS1_OpenSSL())) != NULL) {
		RSA_meth_set1_name(m, "KAZTOKEN card key");
		RSA_meth_set_priv_enc(m, token_priv_enc);
		RSA_meth_set_finish(m, token_finish);
		token_key_index = RSA_get_ex_new_index(0, NULL, NULL, NULL, NULL);
	}
	return m;
}

/* A bare RSA public key from a token public key object. */
static RSA *
public_rsa(kt_ctx *c, CK_OBJECT_HANDLE pub)
{
	unsigned char *n, *e;
	size_t nl = 0, el = 0;
	BIGNUM *bn = NULL, *be = NULL;
	RSA *rsa = NULL;

	n = kt_attr(c, pub, CKA_MODULUS, &nl);
	e = kt_attr(c, pub, CKA_PUBLIC_EXPONENT, &el);
	if (n != NULL && e != NULL && (bn = BN_bin2bn(n, (int)nl, NULL)) != NULL &&
	    (be = BN_bin2bn(e, (int)el, NULL)) != NULL && (rsa = RSA_new()) != NULL &&
	    RSA_set0_key(rsa, bn, be, NULL) == 1)
		bn = be = NULL;
	else {
		RSA_free(rsa);
		rsa = NULL;
	}
	BN_free(bn);
	BN_free(be);
	free(n);
	free(e);
	return rsa;
}

EVP_PKEY *
kt_public_pkey(kt_ctx *c, CK_OBJECT_HANDLE pub)
{
	RSA *rsa = public_rsa(c, pub);
	EVP_PKEY *pk = rsa != NULL ? EVP_PKEY_new() : NULL;

	if (pk == NULL || EVP_PKEY_assign_RSA(pk, rsa) != 1) {
		EVP_PKEY_free(pk);
		RSA_free(rsa);
		return NULL;
	}
	return pk;
}

EVP_PKEY *
kt_token_pkey(kt_ctx *c, CK_OBJECT_HANDLE priv, CK_OBJECT_HANDLE pub)
{
	RSA_METHOD *m = token_method();
	RSA *rsa = m != NULL ? public_rsa(c, pub) : NULL;
	token_key *k = rsa != NULL ? calloc(1, sizeof(*k)) : NULL;
	EVP_PKEY *pk = NULL;

	if (k == NULL) {
		RSA_free(rsa);
		return NULL;
	}
	k->c = c;
	k->priv = priv;
	/* the method first: OpenSSL then keeps the key out of its providers */
	if (RSA_set_method(rsa, m) != 1 || RSA_set_ex_data(rsa, token_key_index, k) != 1) {
		free(k);
		RSA_free(rsa);
		return NULL;
	}
	if ((pk = EVP_PKEY_new()) == NULL || EVP_PKEY_assign_RSA(pk, rsa) != 1) {
		EVP_PKEY_free(pk);
		RSA_free(rsa);
		return NULL;
	}
	return pk;
}

int
kt_public_key_bits(kt_ctx *c, CK_OBJECT_HANDLE pub, CK_KEY_TYPE *type, unsigned char **bits, int *len)
{
	unsigned char *t, *v = NULL;
	size_t tl = 0, vl = 0;
	EVP_PKEY *pk;
	int ok = 0;

	*bits = NULL;
	if ((t = kt_attr(c, pub, CKA_KEY_TYPE, &tl)) == NULL || tl != sizeof(CK_KEY_TYPE)) {
		free(t);
		return 0;
	}
	*type = *(CK_KEY_TYPE *)t;
	free(t);
	if (*type == CKK_RSA) {
		if ((pk = kt_public_pkey(c, pub)) != NULL)
			ok = (*len = i2d_PublicKey(pk, bits)) > 0;
		EVP_PKEY_free(pk);
		return ok;
	}
	if (*type == CKK_EC) {
		/* CKA_EC_POINT: 04 len 04 || x || y, the point in a DER OCTET STRING */
		if ((v = kt_attr(c, pub, CKA_EC_POINT, &vl)) != NULL && vl > 3 && vl < 130 && v[0] == 0x04 &&
		    v[1] == vl - 2 && (*bits = OPENSSL_malloc(vl - 2)) != NULL) {
			memcpy(*bits, v + 2, vl - 2);
			*len = (int)vl - 2;
			ok = 1;
		}
	} else if (*type == CKK_GOSTR3410 || *type == CKK_GOSTR3410_512) {
		if ((v = kt_attr(c, pub, CKA_VALUE, &vl)) != NULL && (vl == 64 || vl == 128) &&
		    (*bits = OPENSSL_malloc(vl + 3)) != NULL) {
			*len = 0;
			(*bits)[(*len)++] = 0x04;
			if (vl > 127)
				(*bits)[(*len)++] = 0x81;
			(*bits)[(*len)++] = (unsigned char)vl;
			memcpy(*bits + *len, v, vl);
			*len += (int)vl;
			ok = 1;
		}
	}
	free(v);
	return ok;
}
