/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* Keys at work: a key pair made on the card (RSA, ECDSA or GOST R 34.10-2012, with
 * progress, and a PKCS#10 request signed by it), and detached signatures of
 * documents, raw or CMS, and their check. */
#include <pthread.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/cms.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "kaztoken/vendor.h"

#include "objects.h"

/* The kinds of key the tool makes: how, on which curve, and what signs with them
 * (a document's raw signature and a request's), with the OIDs a request names:
 * RSA, ECDSA (RFC 5480, 5758) and GOST R 34.10-2012 (RFC 9215; the TC 26 OIDs,
 * which OpenSSL's gost engine reads). gost256 and gost512 are on TC26 256-A and
 * 512-A: Kazakhstan's ST RK GOST R 34.10-2015 sets A (docs/gost.md). */
typedef struct key_kind {
	const char *name;       /* --type */
	CK_MECHANISM_TYPE gen;
	CK_KEY_TYPE type;
	const char *curve;      /* its OID (NULL: RSA) */
	CK_MECHANISM_TYPE sign;
	const char *key_alg;    /* SubjectPublicKeyInfo's algorithm */
	const char *sig_alg;    /* the request's signature algorithm */
	const char *what;       /* for the progress line */
} key_kind;

static const key_kind kinds[] = {
	{"rsa", CKM_RSA_PKCS_KEY_PAIR_GEN, CKK_RSA, NULL, CKM_SHA256_RSA_PKCS, "1.2.840.113549.1.1.1",
	 "1.2.840.113549.1.1.11", "RSA"},
	{"ec-p256", CKM_EC_KEY_PAIR_GEN, CKK_EC, "1.2.840.10045.3.1.7", CKM_ECDSA_SHA256, "1.2.840.10045.2.1",
	 "1.2.840.10045.4.3.2", "ECDSA P-256"},
	{"ec-p384", CKM_EC_KEY_PAIR_GEN, CKK_EC, "1.3.132.0.34", CKM_ECDSA_SHA384, "1.2.840.10045.2.1",
	 "1.2.840.10045.4.3.3", "ECDSA P-384"},
	{"gost256", CKM_GOSTR3410_KEY_PAIR_GEN, CKK_GOSTR3410, "1.2.643.7.1.2.1.1.1",
	 CKM_GOSTR3410_WITH_GOSTR3411_12_256, "1.2.643.7.1.1.1.1", "1.2.643.7.1.1.3.2", "GOST R 34.10-2012 256"},
	{"gost512", CKM_GOSTR3410_512_KEY_PAIR_GEN, CKK_GOSTR3410_512, "1.2.643.7.1.2.1.2.1",
	 CKM_GOSTR3410_WITH_GOSTR3411_12_512, "1.2.643.7.1.1.1.2", "1.2.643.7.1.1.3.3", "GOST R 34.10-2012 512"},
};
#define N_KINDS (sizeof(kinds) / sizeof(kinds[0]))

static const key_kind *
kind_named(const char *name)
{
	size_t i;

	for (i = 0; i < N_KINDS; i++)
		if (strcmp(kinds[i].name, name) == 0)
			return &kinds[i];
	return NULL;
}

/* The DER of a dotted OID (*der freed by the caller); 0 when it fails. */
static int
oid_der(const char *dotted, unsigned char **der, int *len)
{
	ASN1_OBJECT *o = OBJ_txt2obj(dotted, 1);

	*der = NULL;
	*len = o != NULL ? i2d_ASN1_OBJECT(o, der) : -1;
	ASN1_OBJECT_free(o);
	return *len > 0;
}

/* The kind of a key on the token: by its type and, for ECDSA, its curve. */
static const key_kind *
kind_of(kt_ctx *c, CK_OBJECT_HANDLE key)
{
	unsigned char *type = NULL, *params = NULL, *want = NULL;
	size_t tl = 0, pl = 0, i;
	const key_kind *k = NULL;
	int wl;

	if ((type = kt_attr(c, key, CKA_KEY_TYPE, &tl)) == NULL || tl != sizeof(CK_KEY_TYPE))
		goto out;
	for (i = 0; i < N_KINDS && k == NULL; i++) {
		if (kinds[i].type != *(CK_KEY_TYPE *)type)
			continue;
		if (kinds[i].type != CKK_EC) {
			k = &kinds[i]; /* (GOST: any curve of that size signs the same way) */
			continue;
		}
		if (params == NULL && (params = kt_attr(c, key, CKA_EC_PARAMS, &pl)) == NULL)
			break;
		if (oid_der(kinds[i].curve, &want, &wl) && (size_t)wl == pl && memcmp(want, params, pl) == 0)
			k = &kinds[i];
		OPENSSL_free(want);
		want = NULL;
	}
out:
	free(type);
	free(params);
	return k;
}

typedef struct keygen_job {
	kt_ctx *c;
	const key_kind *kind;
	CK_ATTRIBUTE *pub, *priv;
	CK_ULONG npub, npriv;
	CK_OBJECT_HANDLE hpub, hpriv;
	CK_RV rv;
	int done;
	pthread_mutex_t lock;
} keygen_job;

static void *
keygen_run(void *arg)
{
	keygen_job *j = arg;
	CK_MECHANISM m = {j->kind->gen, NULL, 0};
	CK_RV rv = j->c->p->C_GenerateKeyPair(j->c->h, &m, j->pub, j->npub, j->priv, j->npriv, &j->hpub, &j->hpriv);

	pthread_mutex_lock(&j->lock);
	j->rv = rv;
	j->done = 1;
	pthread_mutex_unlock(&j->lock);
	return NULL;
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Run the generation in a thread while telling the user it goes on: a spinner and
 * the time on a terminal, a line every ten seconds otherwise. No time limit: a
 * real token can take minutes. */
static CK_RV
generate_with_progress(keygen_job *j, unsigned bits)
{
	static const char spin[] = "|/-\\";
	int tty = isatty(STDERR_FILENO), done = 0;
	double start = now(), last = start;
	unsigned tick = 0;
	pthread_t t;

	pthread_mutex_init(&j->lock, NULL);
	if (pthread_create(&t, NULL, keygen_run, j) != 0) {
		pthread_mutex_destroy(&j->lock);
		return CKR_HOST_MEMORY;
	}
	if (j->kind->type == CKK_RSA)
		fprintf(stderr, _("Generating a %u-bit RSA key on the token (this can take minutes)...\n"), bits);
	else
		fprintf(stderr, _("Generating a %s key on the token...\n"), j->kind->what);
	while (!done) {
		usleep(100 * 1000);
		pthread_mutex_lock(&j->lock);
		done = j->done;
		pthread_mutex_unlock(&j->lock);
		if (tty)
			fprintf(stderr, "\r%c %.0f s ", spin[tick++ % 4], now() - start);
		else if (now() - last >= 10) {
			fprintf(stderr, _("... still generating, %.0f s\n"), now() - start);
			last = now();
		}
	}
	pthread_join(t, NULL);
	pthread_mutex_destroy(&j->lock);
	if (tty)
		fputc('\r', stderr);
	fprintf(stderr, _("Done in %.1f s.\n"), now() - start);
	return j->rv;
}

/* "/CN=Ivanov/O=Company/C=KZ" or "CN=Ivanov,O=Company,C=KZ" as an X509_NAME. */
static X509_NAME *
parse_subject(const char *dn)
{
	X509_NAME *name = X509_NAME_new();
	char *copy = strdup(dn), *part, *save = NULL, *eq;
	const char *sep = dn[0] == '/' ? "/" : ",";
	int ok = name != NULL && copy != NULL;

	for (part = ok ? strtok_r(copy, sep, &save) : NULL; ok && part != NULL; part = strtok_r(NULL, sep, &save)) {
		while (*part == ' ')
			part++;
		if ((eq = strchr(part, '=')) == NULL || eq == part || eq[1] == '\0') {
			ok = 0;
			break;
		}
		*eq = '\0';
		ok = X509_NAME_add_entry_by_txt(name, part, MBSTRING_UTF8, (unsigned char *)eq + 1, -1, -1, 0) == 1;
	}
	if (ok && X509_NAME_entry_count(name) == 0)
		ok = 0;
	free(copy);
	if (!ok) {
		X509_NAME_free(name);
		return NULL;
	}
	return name;
}

/* The key's SubjectPublicKeyInfo into the request: RSA's through OpenSSL; an EC
 * key's point with the curve's OID, a GOST key's with the curve in a SEQUENCE
 * (RFC 9215: no digest for 256-A or 512). */
static int
set_public_key(kt_ctx *c, X509_REQ *req, const key_kind *k, CK_OBJECT_HANDLE pub)
{
	unsigned char *bits = NULL, *curve = NULL, params[2 + 16];
	ASN1_OBJECT *alg = NULL, *named = NULL;
	ASN1_STRING *seq = NULL;
	CK_KEY_TYPE type;
	int bl = 0, cl = 0, ok = 0;
	EVP_PKEY *pk;

	if (k->type == CKK_RSA) {
		ok = (pk = kt_public_pkey(c, pub)) != NULL && X509_REQ_set_pubkey(req, pk) == 1;
		EVP_PKEY_free(pk);
		return ok;
	}
	if (!kt_public_key_bits(c, pub, &type, &bits, &bl) || type != k->type ||
	    (alg = OBJ_txt2obj(k->key_alg, 1)) == NULL || !oid_der(k->curve, &curve, &cl) || cl > 16)
		goto out;
	if (k->type == CKK_EC) {
		if ((named = OBJ_txt2obj(k->curve, 1)) == NULL ||
		    X509_PUBKEY_set0_param(X509_REQ_get_X509_PUBKEY(req), alg, V_ASN1_OBJECT, named, bits, bl) != 1)
			goto out;
		alg = NULL, named = NULL, bits = NULL;
		ok = 1;
		goto out;
	}
	params[0] = 0x30;
	params[1] = (unsigned char)cl;
	memcpy(params + 2, curve, (size_t)cl);
	if ((seq = ASN1_STRING_new()) == NULL || ASN1_STRING_set(seq, params, cl + 2) != 1 ||
	    X509_PUBKEY_set0_param(X509_REQ_get_X509_PUBKEY(req), alg, V_ASN1_SEQUENCE, seq, bits, bl) != 1)
		goto out;
	alg = NULL, seq = NULL, bits = NULL;
	ok = 1;
out:
	ASN1_OBJECT_free(alg);
	ASN1_OBJECT_free(named);
	ASN1_STRING_free(seq);
	OPENSSL_free(bits);
	OPENSSL_free(curve);
	return ok;
}

/* The signature value a request carries: RSA's and GOST's (s || r) as the card
 * gives them, ECDSA's r || s as a DER Ecdsa-Sig-Value (into *out, freed by the
 * caller). */
static int
signature_value(const key_kind *k, const unsigned char *sig, CK_ULONG len, unsigned char **out, int *out_len)
{
	ECDSA_SIG *es;
	BIGNUM *r, *s;

	*out = NULL;
	if (k->type != CKK_EC) {
		if ((*out = OPENSSL_malloc(len)) == NULL)
			return 0;
		memcpy(*out, sig, len);
		*out_len = (int)len;
		return 1;
	}
	if ((es = ECDSA_SIG_new()) == NULL)
		return 0;
	r = BN_bin2bn(sig, (int)len / 2, NULL);
	s = BN_bin2bn(sig + len / 2, (int)len / 2, NULL);
	if (r == NULL || s == NULL || ECDSA_SIG_set0(es, r, s) != 1) {
		BN_free(r);
		BN_free(s);
		ECDSA_SIG_free(es);
		return 0;
	}
	*out_len = i2d_ECDSA_SIG(es, out);
	ECDSA_SIG_free(es);
	return *out_len > 0;
}

/* A PKCS#10 request for the key: its body signed on the card with the kind's
 * mechanism, the signature checked through the module, then written. */
static int
write_csr(kt_ctx *c, const key_kind *k, CK_OBJECT_HANDLE priv, CK_OBJECT_HANDLE pub, X509_NAME *name,
	  const char *path)
{
	X509_REQ *req = X509_REQ_new();
	X509_ALGOR *alg = X509_ALGOR_new();
	ASN1_BIT_STRING *bits = ASN1_BIT_STRING_new();
	CK_MECHANISM m = {k->sign, NULL, 0};
	unsigned char *tbs = NULL, sig[512], *value = NULL;
	CK_ULONG sig_len = sizeof(sig);
	int tbs_len, value_len = 0, rc = KT_ERR;
	FILE *f = NULL;
	CK_RV rv;

	if (req == NULL || alg == NULL || bits == NULL || X509_REQ_set_version(req, 0) != 1 ||
	    X509_REQ_set_subject_name(req, name) != 1 || !set_public_key(c, req, k, pub) ||
	    X509_ALGOR_set0(alg, OBJ_txt2obj(k->sig_alg, 1), k->type == CKK_RSA ? V_ASN1_NULL : V_ASN1_UNDEF,
			    NULL) != 1 ||
	    X509_REQ_set1_signature_algo(req, alg) != 1 || (tbs_len = i2d_re_X509_REQ_tbs(req, &tbs)) <= 0) {
		kt_ossl_error(_("cannot build the certificate request"));
		goto out;
	}
	if ((rv = c->p->C_SignInit(c->h, &m, priv)) == CKR_OK)
		rv = c->p->C_Sign(c->h, tbs, (CK_ULONG)tbs_len, sig, &sig_len);
	if (rv == CKR_OK && (rv = c->p->C_VerifyInit(c->h, &m, pub)) == CKR_OK)
		rv = c->p->C_Verify(c->h, tbs, (CK_ULONG)tbs_len, sig, sig_len);
	if (kt_fail(rv, _("the certificate request was not signed")) != KT_OK)
		goto out;
	if (!signature_value(k, sig, sig_len, &value, &value_len) ||
	    ASN1_BIT_STRING_set(bits, value, value_len) != 1) {
		kt_ossl_error(_("the certificate request was not signed"));
		goto out;
	}
	bits->flags = (bits->flags & ~0x07L) | ASN1_STRING_FLAG_BITS_LEFT; /* no unused bits */
	X509_REQ_set0_signature(req, bits);
	bits = NULL;
	if ((f = fopen(path, "w")) == NULL) {
		kt_error(_("cannot write %s"), path);
		goto out;
	}
	if (PEM_write_X509_REQ(f, req) != 1 || fclose(f) != 0) {
		kt_error(_("cannot write %s"), path);
		remove(path);
		goto out;
	}
	printf(_("Certificate request written to %s\n"), path);
	rc = KT_OK;
out:
	OPENSSL_free(tbs);
	OPENSSL_free(value);
	ASN1_BIT_STRING_free(bits);
	X509_ALGOR_free(alg);
	X509_REQ_free(req);
	return rc;
}

int
kt_cmd_keygen(kt_ctx *c)
{
	const kt_opts *o = c->o;
	const key_kind *k = kind_named(o->type != NULL ? o->type : "rsa");
	CK_ULONG bits = o->bits != 0 ? (CK_ULONG)o->bits : 2048;
	CK_BYTE exponent[] = {1, 0, 1}, id[20];
	CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
	X509_NAME *name = NULL;
	unsigned char *curve = NULL;
	int rc, curve_len = 0;
	keygen_job j;

	if (o->label == NULL || k == NULL || (k->type != CKK_RSA && o->bits != 0) ||
	    (bits != 2048 && bits != 3072 && bits != 4096)) {
		kt_error(_("usage: kaztoken-tool keygen --label L [--type rsa|ec-p256|ec-p384|gost256|gost512] "
			   "[--bits 2048|3072|4096] [--csr OUT.csr --subject DN]"));
		return KT_USAGE;
	}
	if ((o->csr == NULL) != (o->subject == NULL)) {
		kt_error(_("--csr and --subject go together"));
		return KT_USAGE;
	}
	if (o->subject != NULL && (name = parse_subject(o->subject)) == NULL) {
		kt_error(_("cannot read the subject '%s': write it as /CN=Name/O=Company/C=KZ"), o->subject);
		return KT_USAGE;
	}
	if (k->curve != NULL && !oid_der(k->curve, &curve, &curve_len)) {
		X509_NAME_free(name);
		return KT_ERR;
	}
	if ((rc = kt_select(c)) != KT_OK || (rc = kt_open(c, 1)) != KT_OK || (rc = kt_login(c, CKU_USER)) != KT_OK)
		goto out;
	if ((rc = kt_fail(c->p->C_GenerateRandom(c->h, id, sizeof(id)), _("no random ID from the token"))) != KT_OK)
		goto out;
	{
		CK_BBOOL rsa = k->type == CKK_RSA ? CK_TRUE : CK_FALSE;
		CK_ATTRIBUTE_TYPE params = k->type == CKK_EC ? CKA_EC_PARAMS : CKA_GOSTR3410_PARAMS;
		CK_ATTRIBUTE pub[] = {{CKA_TOKEN, &yes, 1},
				      {CKA_VERIFY, &yes, 1},
				      {CKA_ENCRYPT, &rsa, 1},
				      {CKA_ID, id, sizeof(id)},
				      {CKA_LABEL, (void *)o->label, strlen(o->label)},
				      {CKA_MODULUS_BITS, &bits, sizeof(bits)}, /* RSA: these two; EC: the curve */
				      {CKA_PUBLIC_EXPONENT, exponent, 3}};
		CK_ATTRIBUTE priv[] = {{CKA_TOKEN, &yes, 1},   {CKA_PRIVATE, &yes, 1},     {CKA_SENSITIVE, &yes, 1},
				       {CKA_EXTRACTABLE, &no, 1}, {CKA_SIGN, &yes, 1},      {CKA_DECRYPT, &rsa, 1},
				       {CKA_ID, id, sizeof(id)}, {CKA_LABEL, (void *)o->label, strlen(o->label)}};

		if (!rsa)
			pub[5] = (CK_ATTRIBUTE){params, curve, (CK_ULONG)curve_len};
		memset(&j, 0, sizeof(j));
		j.c = c;
		j.kind = k;
		j.pub = pub;
		j.npub = rsa ? 7 : 6;
		j.priv = priv;
		j.npriv = 8;
		if ((rc = kt_fail(generate_with_progress(&j, (unsigned)bits), _("no key was made"))) != KT_OK)
			goto out;
	}
	printf("%s", _("Key pair made on the token, ID "));
	kt_print_id(stdout, id, sizeof(id));
	printf("\n");
	if (o->csr != NULL)
		rc = write_csr(c, k, j.hpriv, j.hpub, name, o->csr);
out:
	OPENSSL_free(curve);
	X509_NAME_free(name);
	return rc;
}

/* The private key and its public half for --key (or the only one). */
static int
signing_key(kt_ctx *c, kt_obj *priv, kt_obj *pub)
{
	size_t n;
	int rc;

	if ((rc = kt_pick_key(c, CKO_PRIVATE_KEY, priv)) != KT_OK ||
	    (rc = kt_find(c, CKO_PUBLIC_KEY, priv->id, priv->id_len, pub, 1, &n)) != KT_OK)
		return rc;
	if (n != 1) {
		kt_error(_("the key's public half is not on the token"));
		return KT_ERR;
	}
	return KT_OK;
}

/* A regular file to read (a directory or a device is refused before it is read). */
static BIO *
open_in(const char *path)
{
	struct stat st;
	BIO *b = NULL;

	if (stat(path, &st) != 0 || !S_ISREG(st.st_mode) || (b = BIO_new_file(path, "rb")) == NULL)
		kt_error(_("cannot read %s"), path);
	return b;
}

/* The file through C_SignUpdate / C_VerifyUpdate, in pieces; a read error fails
 * (a part of the document is never signed as the whole). */
static CK_RV
feed(kt_ctx *c, BIO *in, int verify)
{
	unsigned char buf[16384];
	int n;
	CK_RV rv = CKR_OK;

	while (rv == CKR_OK && (n = BIO_read(in, buf, sizeof(buf))) > 0)
		rv = verify ? c->p->C_VerifyUpdate(c->h, buf, (CK_ULONG)n) : c->p->C_SignUpdate(c->h, buf, (CK_ULONG)n);
	if (rv == CKR_OK && n < 0) {
		kt_error(_("the document could not be read to its end"));
		rv = CKR_FUNCTION_FAILED;
	}
	return rv;
}

/* Would writing out overwrite in (the same file by another name)? */
static int
same_file(const char *in, const char *out)
{
	struct stat a, b;

	return stat(in, &a) == 0 && stat(out, &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

/* The mechanism a raw signature with the key is made and checked with. */
static int
raw_mechanism(kt_ctx *c, CK_OBJECT_HANDLE key, CK_MECHANISM *m)
{
	const key_kind *k = kind_of(c, key);

	if (k == NULL) {
		kt_error(_("the token's key is of a kind the tool does not sign with"));
		return KT_ERR;
	}
	m->mechanism = k->sign;
	m->pParameter = NULL;
	m->ulParameterLen = 0;
	return KT_OK;
}

static int
sign_raw(kt_ctx *c, const kt_obj *priv, BIO *in, BIO *out)
{
	CK_MECHANISM m;
	unsigned char sig[512];
	CK_ULONG len = sizeof(sig);
	CK_RV rv;

	if (raw_mechanism(c, priv->h, &m) != KT_OK)
		return KT_ERR;
	if ((rv = c->p->C_SignInit(c->h, &m, priv->h)) == CKR_OK && (rv = feed(c, in, 0)) == CKR_OK)
		rv = c->p->C_SignFinal(c->h, sig, &len);
	if (rv == CKR_OK && BIO_write(out, sig, (int)len) != (int)len)
		rv = CKR_FUNCTION_FAILED;
	return kt_fail(rv, _("the document was not signed"));
}

static int
sign_cms(kt_ctx *c, const kt_obj *priv, const kt_obj *pub, BIO *in, BIO *out)
{
	const key_kind *k = kind_of(c, priv->h);
	X509 *cert;
	EVP_PKEY *pk = NULL;
	CMS_ContentInfo *cms = NULL;
	int rc = KT_ERR;

	if (k == NULL || k->type != CKK_RSA) {
		kt_error(_("a CMS signature needs an RSA key for now: sign without --cms"));
		return KT_USAGE;
	}
	if ((cert = kt_cert_for(c, priv->id, priv->id_len)) == NULL) {
		kt_error(_("a CMS signature needs the key's certificate on the token (kaztoken-tool import)"));
		return KT_ERR;
	}
	if ((pk = kt_token_pkey(c, priv->h, pub->h)) == NULL ||
	    (cms = CMS_sign(cert, pk, NULL, in, CMS_DETACHED | CMS_BINARY)) == NULL) {
		kt_ossl_error(_("the document was not signed"));
		goto out;
	}
	if (i2d_CMS_bio(out, cms) != 1) {
		kt_ossl_error(_("cannot write the signature"));
		goto out;
	}
	rc = KT_OK;
out:
	CMS_ContentInfo_free(cms);
	EVP_PKEY_free(pk);
	X509_free(cert);
	return rc;
}

int
kt_cmd_sign(kt_ctx *c)
{
	char path[4096];
	const char *out_path = c->o->out;
	kt_obj priv, pub;
	BIO *in = NULL, *out = NULL;
	int rc;

	if (c->o->nargs != 1) {
		kt_error(_("usage: kaztoken-tool sign FILE [--out FILE.sig] [--key ID] [--cms]"));
		return KT_USAGE;
	}
	if (out_path == NULL) {
		snprintf(path, sizeof(path), "%s.%s", c->o->args[0], c->o->cms ? "p7s" : "sig");
		out_path = path;
	}
	if (same_file(c->o->args[0], out_path)) {
		kt_error(_("the signature would overwrite the document: choose another --out"));
		return KT_USAGE;
	}
	if ((in = open_in(c->o->args[0])) == NULL)
		return KT_BAD_FILE;
	if ((rc = kt_select(c)) != KT_OK || (rc = kt_open(c, 0)) != KT_OK || (rc = kt_login(c, CKU_USER)) != KT_OK ||
	    (rc = signing_key(c, &priv, &pub)) != KT_OK)
		goto out;
	if ((out = BIO_new_file(out_path, "wb")) == NULL) {
		kt_error(_("cannot write %s"), out_path);
		rc = KT_ERR;
		goto out;
	}
	rc = c->o->cms ? sign_cms(c, &priv, &pub, in, out) : sign_raw(c, &priv, in, out);
	if (rc == KT_OK && BIO_flush(out) != 1) {
		kt_error(_("cannot write %s"), out_path);
		rc = KT_ERR;
	}
	BIO_free(out);
	out = NULL;
	if (rc != KT_OK)
		remove(out_path);
	else
		printf(_("Signature written to %s\n"), out_path);
out:
	BIO_free(in);
	return rc;
}

static int
verify_raw(kt_ctx *c, BIO *in, BIO *sigb)
{
	CK_MECHANISM m;
	unsigned char sig[1024];
	int sl = BIO_read(sigb, sig, sizeof(sig));
	kt_obj pub;
	CK_RV rv;
	int rc;

	if ((rc = kt_pick_key(c, CKO_PUBLIC_KEY, &pub)) != KT_OK || (rc = raw_mechanism(c, pub.h, &m)) != KT_OK)
		return rc;
	if (sl <= 0) {
		kt_error(_("the signature file is empty"));
		return KT_BAD_FILE;
	}
	if ((rv = c->p->C_VerifyInit(c->h, &m, pub.h)) == CKR_OK && (rv = feed(c, in, 1)) == CKR_OK)
		rv = c->p->C_VerifyFinal(c->h, sig, (CK_ULONG)sl);
	if (rv == CKR_SIGNATURE_LEN_RANGE)
		rv = CKR_SIGNATURE_INVALID;
	if ((rc = kt_fail(rv, _("verification failed"))) == KT_OK) {
		printf("%s", _("Signature valid: made by key "));
		kt_print_id(stdout, pub.id, pub.id_len);
		printf(" (%s)\n", pub.label);
	}
	return rc;
}

/* A CMS signature: the document against it, and with --ca-file the signer's
 * certificate against that CA (without it, who signed is only what the signature
 * claims, and the tool says so). */
static int
verify_cms(const kt_opts *o, BIO *in, BIO *sigb)
{
	CMS_ContentInfo *cms = d2i_CMS_bio(sigb, NULL);
	X509_STORE *store = NULL;
	STACK_OF(X509) *signers;
	char subject[256] = "";
	int rc = KT_OK;

	if (cms == NULL) {
		kt_error(_("the signature file is not a CMS signature"));
		return KT_BAD_FILE;
	}
	if (o->ca_file != NULL && ((store = X509_STORE_new()) == NULL || X509_STORE_load_file(store, o->ca_file) != 1)) {
		kt_error(_("cannot read the CA certificates in %s"), o->ca_file);
		rc = KT_BAD_FILE;
	} else if (CMS_verify(cms, NULL, store, in, NULL,
			      CMS_BINARY | (store == NULL ? CMS_NO_SIGNER_CERT_VERIFY : 0)) != 1) {
		kt_ossl_error(store != NULL ? _("verification failed (the document, or the signer's certificate)")
					    : _("verification failed: the signature does not match the document"));
		rc = KT_BAD_SIG;
	}
	if (rc == KT_OK) {
		if ((signers = CMS_get0_signers(cms)) != NULL && sk_X509_num(signers) > 0)
			X509_NAME_oneline(X509_get_subject_name(sk_X509_value(signers, 0)), subject, sizeof(subject));
		sk_X509_free(signers);
		printf(_("Signature valid: signed by %s\n"), subject);
		if (store == NULL)
			kt_warn(_("the signer's certificate was not checked: give --ca-file CA.pem to check who signed"));
	}
	X509_STORE_free(store);
	CMS_ContentInfo_free(cms);
	ERR_clear_error();
	return rc;
}

int
kt_cmd_verify(kt_ctx *c)
{
	BIO *in, *sigb;
	int rc;

	if (c->o->nargs != 2) {
		kt_error(_("usage: kaztoken-tool verify FILE SIGNATURE [--key ID] [--cms [--ca-file CA.pem]]"));
		return KT_USAGE;
	}
	if ((in = open_in(c->o->args[0])) == NULL)
		return KT_BAD_FILE;
	if ((sigb = open_in(c->o->args[1])) == NULL) {
		BIO_free(in);
		return KT_BAD_FILE;
	}
	if (c->o->cms)
		rc = verify_cms(c->o, in, sigb);
	else if ((rc = kt_select(c)) == KT_OK && (rc = kt_open(c, 0)) == KT_OK)
		rc = verify_raw(c, in, sigb);
	BIO_free(in);
	BIO_free(sigb);
	return rc;
}
