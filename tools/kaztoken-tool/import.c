/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* import: a bank's PKCS#12 file (key, certificate, chain) onto the token, the key
 * sensitive and never extractable, sharing its CKA_ID with the certificate; or a
 * certificate issued for a key the token made. All of it or nothing: what was
 * written before a failure is deleted again. */
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/sha.h>

#include "objects.h"

#define MAX_WRITTEN 16

/* What this import wrote so far, to take back on failure. */
typedef struct written {
	CK_OBJECT_HANDLE h[MAX_WRITTEN];
	size_t n;
} written;

static int
create(kt_ctx *c, written *w, CK_ATTRIBUTE *t, CK_ULONG n, const char *what)
{
	CK_OBJECT_HANDLE h;
	int rc;

	if (w->n == MAX_WRITTEN) {
		kt_error(_("the file holds too many certificates"));
		return KT_BAD_FILE;
	}
	if ((rc = kt_fail(c->p->C_CreateObject(c->h, t, n, &h), what)) != KT_OK)
		return rc;
	w->h[w->n++] = h;
	return KT_OK;
}

/* Delete what was written: how many objects could not be. */
static size_t
take_back(kt_ctx *c, written *w)
{
	size_t left = 0;

	while (w->n > 0)
		left += c->p->C_DestroyObject(c->h, w->h[--w->n]) != CKR_OK;
	return left;
}

static unsigned char *
read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	unsigned char *b = NULL, *nb;
	size_t cap = 0, n = 0, r;

	if (f == NULL)
		return NULL;
	do {
		if (n == cap) {
			if (cap > (64u << 20) || (nb = realloc(b, cap = cap ? cap * 2 : 4096)) == NULL) {
				free(b);
				fclose(f);
				return NULL;
			}
			b = nb;
		}
		r = fread(b + n, 1, cap - n, f);
		n += r;
	} while (r > 0);
	fclose(f);
	*len = n;
	return b;
}

/* A big-endian value of a key part, malloc'd. */
static unsigned char *
part(const EVP_PKEY *k, const char *name, CK_ULONG *len)
{
	BIGNUM *bn = NULL;
	unsigned char *v = NULL;

	if (EVP_PKEY_get_bn_param(k, name, &bn) == 1 && (v = OPENSSL_secure_malloc(BN_num_bytes(bn) + 1)) != NULL)
		*len = (CK_ULONG)BN_bn2bin(bn, v);
	BN_clear_free(bn);
	return v;
}

/* The certificate object, with id (a chain certificate is an authority's). */
static int
put_cert(kt_ctx *c, written *w, X509 *x, const unsigned char *id, size_t id_len, const char *label, int authority)
{
	CK_OBJECT_CLASS cls = CKO_CERTIFICATE;
	CK_CERTIFICATE_TYPE ct = CKC_X_509;
	CK_ULONG category = authority ? 2 : 1;
	CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
	unsigned char *der = NULL, *subj = NULL, *iss = NULL, *ser = NULL;
	int dl = i2d_X509(x, &der), sl = i2d_X509_NAME(X509_get_subject_name(x), &subj),
	    il = i2d_X509_NAME(X509_get_issuer_name(x), &iss),
	    rl = i2d_ASN1_INTEGER(X509_get_serialNumber(x), &ser), rc;
	CK_ATTRIBUTE t[] = {{CKA_CLASS, &cls, sizeof(cls)},
			    {CKA_CERTIFICATE_TYPE, &ct, sizeof(ct)},
			    {CKA_TOKEN, &yes, sizeof(yes)},
			    {CKA_PRIVATE, &no, sizeof(no)},
			    {CKA_CERTIFICATE_CATEGORY, &category, sizeof(category)},
			    {CKA_LABEL, (void *)label, strlen(label)},
			    {CKA_VALUE, der, (CK_ULONG)dl},
			    {CKA_SUBJECT, subj, (CK_ULONG)sl},
			    {CKA_ISSUER, iss, (CK_ULONG)il},
			    {CKA_SERIAL_NUMBER, ser, (CK_ULONG)rl},
			    {CKA_ID, (void *)id, id_len}};

	if (dl <= 0 || sl <= 0 || il <= 0 || rl <= 0)
		rc = KT_BAD_FILE;
	else
		rc = create(c, w, t, 11, _("the certificate was not written"));
	OPENSSL_free(der);
	OPENSSL_free(subj);
	OPENSSL_free(iss);
	OPENSSL_free(ser);
	return rc;
}

/* The key pair onto the card: the private half sensitive and not extractable. */
static int
put_key(kt_ctx *c, written *w, EVP_PKEY *k, const unsigned char *id, size_t id_len, const char *label)
{
	static const char *const names[8] = {OSSL_PKEY_PARAM_RSA_N,         OSSL_PKEY_PARAM_RSA_E,
					     OSSL_PKEY_PARAM_RSA_D,         OSSL_PKEY_PARAM_RSA_FACTOR1,
					     OSSL_PKEY_PARAM_RSA_FACTOR2,   OSSL_PKEY_PARAM_RSA_EXPONENT1,
					     OSSL_PKEY_PARAM_RSA_EXPONENT2, OSSL_PKEY_PARAM_RSA_COEFFICIENT1};
	static const CK_ATTRIBUTE_TYPE types[8] = {CKA_MODULUS,  CKA_PUBLIC_EXPONENT, CKA_PRIVATE_EXPONENT,
						   CKA_PRIME_1,  CKA_PRIME_2,         CKA_EXPONENT_1,
						   CKA_EXPONENT_2, CKA_COEFFICIENT};
	CK_OBJECT_CLASS pc = CKO_PRIVATE_KEY, uc = CKO_PUBLIC_KEY;
	CK_KEY_TYPE kt = CKK_RSA;
	CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
	unsigned char *v[8] = {NULL};
	CK_ULONG len[8] = {0};
	CK_ATTRIBUTE priv[20], pub[10];
	CK_ULONG np = 0, nu = 0;
	int i, rc = KT_OK;

	for (i = 0; i < 8; i++)
		if ((v[i] = part(k, names[i], &len[i])) == NULL)
			rc = KT_BAD_FILE;
	if (rc != KT_OK) {
		kt_error(_("the key in the file lacks its CRT parts: it cannot go onto the token"));
		goto out;
	}
#define A(arr, n, t, p, l) (arr[n++] = (CK_ATTRIBUTE){(t), (void *)(p), (CK_ULONG)(l)})
	A(priv, np, CKA_CLASS, &pc, sizeof(pc));
	A(priv, np, CKA_KEY_TYPE, &kt, sizeof(kt));
	A(priv, np, CKA_TOKEN, &yes, 1);
	A(priv, np, CKA_PRIVATE, &yes, 1);
	A(priv, np, CKA_SENSITIVE, &yes, 1);
	A(priv, np, CKA_EXTRACTABLE, &no, 1);
	A(priv, np, CKA_SIGN, &yes, 1);
	A(priv, np, CKA_DECRYPT, &yes, 1);
	A(priv, np, CKA_ID, id, id_len);
	A(priv, np, CKA_LABEL, label, strlen(label));
	for (i = 0; i < 8; i++)
		A(priv, np, types[i], v[i], len[i]);
	A(pub, nu, CKA_CLASS, &uc, sizeof(uc));
	A(pub, nu, CKA_KEY_TYPE, &kt, sizeof(kt));
	A(pub, nu, CKA_TOKEN, &yes, 1);
	A(pub, nu, CKA_PRIVATE, &no, 1);
	A(pub, nu, CKA_VERIFY, &yes, 1);
	A(pub, nu, CKA_ENCRYPT, &yes, 1);
	A(pub, nu, CKA_ID, id, id_len);
	A(pub, nu, CKA_LABEL, label, strlen(label));
	A(pub, nu, CKA_MODULUS, v[0], len[0]);
	A(pub, nu, CKA_PUBLIC_EXPONENT, v[1], len[1]);
#undef A
	if ((rc = create(c, w, priv, np, _("the private key was not written"))) == KT_OK)
		rc = create(c, w, pub, nu, _("the public key was not written"));
out:
	for (i = 0; i < 8; i++)
		OPENSSL_secure_clear_free(v[i], len[i] + 1);
	return rc;
}

/* CKA_ID of a key: SHA-1 of its modulus, as most tools make it. */
static int
key_id(EVP_PKEY *k, unsigned char id[SHA_DIGEST_LENGTH])
{
	BIGNUM *n = NULL;
	unsigned char buf[1024];
	int len, ok = 0;

	if (EVP_PKEY_get_bn_param(k, OSSL_PKEY_PARAM_RSA_N, &n) == 1 && (len = BN_num_bytes(n)) <= (int)sizeof(buf)) {
		BN_bn2bin(n, buf);
		SHA1(buf, (size_t)len, id);
		ok = 1;
	}
	BN_free(n);
	return ok;
}

/* A label for objects: --label, else the certificate's common name, else "imported". */
static void
label_for(const kt_opts *o, X509 *x, char *out, size_t cap)
{
	if (o->label != NULL) {
		snprintf(out, cap, "%s", o->label);
		return;
	}
	if (x == NULL || X509_NAME_get_text_by_NID(X509_get_subject_name(x), NID_commonName, out, (int)cap) <= 0)
		snprintf(out, cap, "imported");
}

static int
import_p12(kt_ctx *c, PKCS12 *p12)
{
	char pass[256], label[128];
	size_t pass_len;
	EVP_PKEY *key = NULL;
	X509 *cert = NULL;
	STACK_OF(X509) *ca = NULL;
	unsigned char id[SHA_DIGEST_LENGTH];
	written w = {{0}, 0};
	kt_obj have;
	sigset_t block, old;
	int rc, i, bits;

	size_t left;

	pass[0] = '\0';
	pass_len = 0;
	/* a file with no password (an empty one, or none) is not asked for one */
	if (!(PKCS12_mac_present(p12) && (PKCS12_verify_mac(p12, NULL, 0) || PKCS12_verify_mac(p12, "", 0)))) {
		if ((rc = kt_ask_secret(c->o, _("Password of the PKCS#12 file: "), c->o->password_env, 0, pass,
					sizeof(pass), &pass_len)) != KT_OK)
			return rc;
		if (PKCS12_mac_present(p12) && !PKCS12_verify_mac(p12, pass, (int)pass_len)) {
			kt_wipe(pass, sizeof(pass));
			kt_error(_("wrong password for the PKCS#12 file (or the file is damaged): nothing was written"));
			return KT_BAD_FILE;
		}
	}
	i = PKCS12_parse(p12, pass, &key, &cert, &ca);
	kt_wipe(pass, sizeof(pass));
	if (!i || key == NULL || cert == NULL) {
		kt_ossl_error(_("the PKCS#12 file cannot be read: nothing was written"));
		rc = KT_BAD_FILE;
		goto out;
	}
	bits = EVP_PKEY_get_bits(key);
	if (EVP_PKEY_get_base_id(key) != EVP_PKEY_RSA || bits < 2048 || bits > 4096 || bits % 8 != 0) {
		kt_error(_("unsupported key in the file (%s, %d bits): the token takes RSA keys of 2048 to 4096 bits"),
			 OBJ_nid2sn(EVP_PKEY_get_base_id(key)), bits);
		rc = KT_BAD_FILE;
		goto out;
	}
	if (X509_check_private_key(cert, key) != 1) {
		kt_error(_("the certificate in the file is not the key's: nothing was written"));
		rc = KT_BAD_FILE;
		goto out;
	}
	key_id(key, id);
	if ((rc = kt_login(c, CKU_USER)) != KT_OK)
		goto out;
	if ((rc = kt_find(c, CKO_PRIVATE_KEY, id, sizeof(id), &have, 1, &left)) != KT_OK)
		goto out;
	if (left == 1) {
		kt_error(_("this key is already on the token"));
		rc = KT_ERR;
		goto out;
	}
	label_for(c->o, cert, label, sizeof(label));
	/* no Ctrl-C between the first object and the last */
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGHUP);
	sigprocmask(SIG_BLOCK, &block, &old);
	rc = put_key(c, &w, key, id, sizeof(id), label);
	if (rc == KT_OK)
		rc = put_cert(c, &w, cert, id, sizeof(id), label, 0);
	for (i = 0; rc == KT_OK && ca != NULL && i < sk_X509_num(ca); i++) {
		X509 *x = sk_X509_value(ca, i);
		unsigned char cid[SHA_DIGEST_LENGTH];
		char cl[128];
		unsigned int cl_len = 0;

		X509_pubkey_digest(x, EVP_sha1(), cid, &cl_len);
		label_for(&(kt_opts){.label = NULL}, x, cl, sizeof(cl));
		rc = put_cert(c, &w, x, cid, cl_len, cl, 1);
	}
	if (rc != KT_OK) {
		if (w.n > 0)
			kt_error(_("deleting the %lu object(s) already written"), (unsigned long)w.n);
		if ((left = take_back(c, &w)) > 0) {
			kt_error(_("%lu object(s) of the file could not be deleted again: see kaztoken-tool certs"),
				 (unsigned long)left);
			rc = KT_ERR;
		} else if (rc == KT_FULL)
			kt_error(_("the token is full: %lu bytes free; nothing of the file was kept"),
				 (unsigned long)(kt_refresh(c) == KT_OK ? c->ti.ulFreePublicMemory : 0));
		else
			kt_error(_("nothing of the file was kept"));
	} else {
		printf(_("Imported: the key, its certificate and %d chain certificate(s), ID "),
		       ca != NULL ? sk_X509_num(ca) : 0);
		kt_print_id(stdout, id, sizeof(id));
		printf("\n");
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
out:
	EVP_PKEY_free(key);
	X509_free(cert);
	sk_X509_pop_free(ca, X509_free);
	return rc;
}

/* Is this very certificate (the same DER) already stored with this ID? */
static int
already_stored(kt_ctx *c, X509 *x, const unsigned char *id, size_t id_len, int *rc)
{
	kt_obj certs[16];
	unsigned char *der = NULL, *v;
	int dl = i2d_X509(x, &der), same = 0;
	size_t n = 0, i, len;

	if ((*rc = kt_find(c, CKO_CERTIFICATE, id, id_len, certs, 16, &n)) != KT_OK || dl <= 0)
		n = 0;
	for (i = 0; i < n && !same; i++) {
		if ((v = kt_attr(c, certs[i].h, CKA_VALUE, &len)) != NULL)
			same = len == (size_t)dl && memcmp(v, der, len) == 0;
		free(v);
	}
	OPENSSL_free(der);
	return same;
}

/* A certificate for a key pair the token already holds: it takes the key's ID. A
 * renewed certificate for the same key goes beside the old one. */
static int
import_cert(kt_ctx *c, X509 *x)
{
	kt_obj pubs[64];
	/* (the key bits as they stand: a GOST key too, which OpenSSL alone cannot read) */
	ASN1_BIT_STRING *want = X509_get0_pubkey_bitstr(x);
	unsigned char *bits;
	written w = {{0}, 0};
	char label[128];
	CK_KEY_TYPE type;
	size_t n, i;
	int rc, bl;

	if (want == NULL || ASN1_STRING_length(want) <= 0) {
		kt_error(_("the certificate's key cannot be read"));
		return KT_BAD_FILE;
	}
	if ((rc = kt_login(c, CKU_USER)) != KT_OK ||
	    (rc = kt_find(c, CKO_PUBLIC_KEY, NULL, 0, pubs, 64, &n)) != KT_OK)
		return rc;
	for (i = 0; i < n; i++) {
		rc = kt_public_key_bits(c, pubs[i].h, &type, &bits, &bl) && bl == ASN1_STRING_length(want) &&
		     memcmp(bits, ASN1_STRING_get0_data(want), (size_t)bl) == 0;
		OPENSSL_free(bits);
		if (rc)
			break;
	}
	if (i == n) {
		kt_error(_("the token holds no key pair for this certificate: nothing was written"));
		return KT_BAD_FILE;
	}
	if (already_stored(c, x, pubs[i].id, pubs[i].id_len, &rc) || rc != KT_OK) {
		if (rc == KT_OK)
			kt_error(_("this certificate is already on the token"));
		return rc != KT_OK ? rc : KT_ERR;
	}
	snprintf(label, sizeof(label), "%s", c->o->label != NULL ? c->o->label : pubs[i].label);
	if ((rc = put_cert(c, &w, x, pubs[i].id, pubs[i].id_len, label, 0)) != KT_OK)
		return rc;
	printf("%s", _("Imported the certificate for key "));
	kt_print_id(stdout, pubs[i].id, pubs[i].id_len);
	printf("\n");
	return KT_OK;
}

int
kt_import(kt_ctx *c, const unsigned char *data, size_t len, const char *name)
{
	const unsigned char *p = data;
	PKCS12 *p12;
	X509 *x = NULL;
	BIO *b;
	int rc;

	if (len > (size_t)INT_MAX)
		p12 = NULL; /* no file that large is either */
	else if ((p12 = d2i_PKCS12(NULL, &p, (long)len)) != NULL) {
		rc = import_p12(c, p12);
		PKCS12_free(p12);
		ERR_clear_error();
		return rc;
	}
	p = data;
	if (len <= (size_t)INT_MAX)
		x = d2i_X509(NULL, &p, (long)len);
	if (x == NULL && len <= (size_t)INT_MAX && (b = BIO_new_mem_buf(data, (int)len)) != NULL) {
		x = PEM_read_bio_X509(b, NULL, NULL, NULL);
		BIO_free(b);
	}
	ERR_clear_error();
	if (x == NULL) {
		kt_error(_("%s is neither a PKCS#12 file nor a certificate (damaged?): nothing was written"), name);
		return KT_BAD_FILE;
	}
	rc = import_cert(c, x);
	X509_free(x);
	ERR_clear_error();
	return rc;
}

int
kt_cmd_import(kt_ctx *c)
{
	unsigned char *data;
	size_t len;
	int rc;

	if (c->o->nargs != 1) {
		kt_error(_("usage: kaztoken-tool import FILE.p12 | FILE.pfx | CERT.pem | CERT.der"));
		return KT_USAGE;
	}
	if ((data = read_file(c->o->args[0], &len)) == NULL) {
		kt_error(_("cannot read %s"), c->o->args[0]);
		return KT_BAD_FILE;
	}
	if ((rc = kt_select(c)) == KT_OK && (rc = kt_open(c, 1)) == KT_OK)
		rc = kt_import(c, data, len, c->o->args[0]);
	free(data);
	return rc;
}
