/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* The Certificates tab: what is on the token, oldest first, and deleting what is
 * no longer needed together with its key pair. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/asn1.h>
#include <openssl/bn.h>

#include "objects.h"

typedef struct cert_row {
	kt_obj obj;
	char subject[256], issuer[256], serial[80];
	time_t not_before, not_after;
	int key_pair; /* 1, 0, or -1 unknown (no login) */
	int chosen;   /* to be deleted */
} cert_row;

static time_t
asn1_time(const ASN1_TIME *t)
{
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	if (t == NULL || ASN1_TIME_to_tm(t, &tm) != 1)
		return 0;
	return timegm(&tm);
}

static void
name_of(const X509_NAME *n, char *out, size_t cap)
{
	BIO *b = BIO_new(BIO_s_mem());
	int len;

	out[0] = '\0';
	if (b == NULL)
		return;
	X509_NAME_print_ex(b, n, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB);
	len = BIO_read(b, out, (int)cap - 1);
	out[len > 0 ? len : 0] = '\0';
	BIO_free(b);
}

static int
by_expiry(const void *a, const void *b)
{
	const cert_row *x = a, *y = b;

	return x->not_after < y->not_after ? -1 : x->not_after > y->not_after;
}

/* Every certificate, read and sorted oldest expiry first: rows malloc'd, their count
 * in *count. KT_OK or an exit code. */
static int
read_certs(kt_ctx *c, int logged_in, cert_row **rows, size_t *count)
{
	kt_obj objs[128], key;
	size_t n, i, k = 0, len, m;
	cert_row *r;
	const unsigned char *p;
	unsigned char *v;
	BIGNUM *bn;
	char *hex;
	X509 *x;
	int rc;

	*rows = NULL;
	*count = 0;
	if ((rc = kt_find(c, CKO_CERTIFICATE, NULL, 0, objs, 128, &n)) != KT_OK)
		return rc;
	if ((r = calloc(n + 1, sizeof(*r))) == NULL)
		return KT_ERR;

	for (i = 0; r != NULL && i < n; i++) {
		if ((v = kt_attr(c, objs[i].h, CKA_VALUE, &len)) == NULL)
			continue;
		p = v;
		x = d2i_X509(NULL, &p, (long)len);
		free(v);
		if (x == NULL)
			continue;
		r[k].obj = objs[i];
		name_of(X509_get_subject_name(x), r[k].subject, sizeof(r[k].subject));
		name_of(X509_get_issuer_name(x), r[k].issuer, sizeof(r[k].issuer));
		if ((bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(x), NULL)) != NULL &&
		    (hex = BN_bn2hex(bn)) != NULL) {
			snprintf(r[k].serial, sizeof(r[k].serial), "%s", hex);
			OPENSSL_free(hex);
		}
		BN_free(bn);
		r[k].not_before = asn1_time(X509_get0_notBefore(x));
		r[k].not_after = asn1_time(X509_get0_notAfter(x));
		r[k].key_pair = -1;
		if (logged_in && objs[i].id_len > 0 &&
		    (rc = kt_find(c, CKO_PRIVATE_KEY, objs[i].id, objs[i].id_len, &key, 1, &m)) == KT_OK)
			r[k].key_pair = m == 1;
		X509_free(x);
		if (rc != KT_OK) {
			free(r);
			return rc;
		}
		k++;
	}
	qsort(r, k, sizeof(*r), by_expiry);
	*rows = r;
	*count = k;
	return KT_OK;
}

static void
day(time_t t, char *out, size_t cap, int iso)
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, cap, iso ? "%Y-%m-%dT%H:%M:%SZ" : "%Y-%m-%d", &tm);
}

static void
print_rows(const kt_opts *o, const cert_row *r, size_t n)
{
	time_t now = time(NULL);
	char from[32], to[32];
	size_t i;

	if (o->json)
		printf("{\"certificates\":[");
	for (i = 0; i < n; i++) {
		day(r[i].not_before, from, sizeof(from), o->json);
		day(r[i].not_after, to, sizeof(to), o->json);
		if (o->json) {
			printf("%s{\"id\":", i > 0 ? "," : "");
			kt_json_hex(stdout, r[i].obj.id, r[i].obj.id_len);
			printf(",\"label\":");
			kt_json_str(stdout, r[i].obj.label);
			printf(",\"subject\":");
			kt_json_str(stdout, r[i].subject);
			printf(",\"issuer\":");
			kt_json_str(stdout, r[i].issuer);
			printf(",\"serial\":");
			kt_json_str(stdout, r[i].serial);
			printf(",\"not_before\":\"%s\",\"not_after\":\"%s\",\"expired\":%s,\"key_pair\":%s}", from, to,
			       r[i].not_after < now ? "true" : "false",
			       r[i].key_pair < 0 ? "null" : r[i].key_pair ? "true" : "false");
			continue;
		}
		printf("%s", _("ID:      "));
		kt_print_id(stdout, r[i].obj.id, r[i].obj.id_len);
		printf("  %s%s\n", r[i].obj.label, r[i].not_after < now ? _("  [EXPIRED]") : "");
		printf("%s%s\n", _("Subject: "), r[i].subject);
		printf("%s%s\n", _("Issuer:  "), r[i].issuer);
		printf("%s%s\n", _("Serial:  "), r[i].serial);
		printf("%s%s .. %s\n", _("Valid:   "), from, to);
		printf("%s%s\n\n", _("Key pair: "),
		       r[i].key_pair < 0   ? _("not checked (no login)")
		       : r[i].key_pair ? _("on the token")
				       : _("missing"));
	}
	if (o->json)
		printf("]}\n");
	else if (n == 0)
		printf("%s\n", _("The token holds no certificate."));
}

/* The certificate goes, and the keys with its ID unless keep_keys (another
 * certificate that stays is for the same key: a renewed one). */
static int
delete_with_keys(kt_ctx *c, const cert_row *r, int keep_keys)
{
	static const CK_OBJECT_CLASS classes[] = {CKO_PRIVATE_KEY, CKO_PUBLIC_KEY};
	kt_obj keys[8];
	size_t i, n, k;
	int rc;

	if ((rc = kt_fail(c->p->C_DestroyObject(c->h, r->obj.h), _("the certificate was not deleted"))) != KT_OK)
		return rc;
	if (keep_keys) {
		fprintf(stderr, _("The key pair of %s stays: another certificate on the token is for it.\n"),
			r->subject);
		return KT_OK;
	}
	for (k = 0; k < 2 && r->obj.id_len > 0; k++) {
		if ((rc = kt_find(c, classes[k], r->obj.id, r->obj.id_len, keys, 8, &n)) != KT_OK)
			return rc;
		for (i = 0; i < n; i++)
			if ((rc = kt_fail(c->p->C_DestroyObject(c->h, keys[i].h), _("a key was not deleted"))) != KT_OK)
				return rc;
	}
	return KT_OK;
}

/* Does a certificate that stays (not chosen) have row i's ID? */
static int
shared_with_a_kept_one(const cert_row *r, size_t n, size_t i)
{
	size_t j;

	for (j = 0; j < n; j++)
		if (!r[j].chosen && r[j].obj.id_len == r[i].obj.id_len && r[i].obj.id_len > 0 &&
		    memcmp(r[j].obj.id, r[i].obj.id, r[i].obj.id_len) == 0)
			return 1;
	return 0;
}

static int
delete_certs(kt_ctx *c, cert_row *r, size_t n)
{
	unsigned char id[KT_ID_CAP];
	size_t id_len = 0, i, chosen = 0;
	time_t now = time(NULL);
	int rc;

	if (!c->o->expired && (c->o->nargs != 2 || kt_parse_id(c->o->args[1], id, &id_len) != 0)) {
		kt_error(_("usage: kaztoken-tool certs delete ID | --expired"));
		return KT_USAGE;
	}
	for (i = 0; i < n; i++) {
		r[i].chosen = c->o->expired ? r[i].not_after < now
					    : r[i].obj.id_len == id_len && memcmp(r[i].obj.id, id, id_len) == 0;
		chosen += (size_t)r[i].chosen;
	}
	if (chosen == 0) {
		kt_error(c->o->expired ? _("no certificate on the token has expired")
				       : _("the token has no certificate with that ID"));
		return c->o->expired ? KT_OK : KT_USAGE;
	}
	fprintf(stderr, "%s\n", _("These certificates and their key pairs will be deleted:"));
	for (i = 0; i < n; i++)
		if (r[i].chosen)
			fprintf(stderr, "  %s (%s)\n", r[i].subject, r[i].obj.label);
	if ((rc = kt_confirm(c->o, _("A deleted key cannot be brought back."))) != KT_OK)
		return rc;
	for (i = 0; i < n; i++) {
		if (r[i].chosen && (rc = delete_with_keys(c, &r[i], shared_with_a_kept_one(r, n, i))) != KT_OK)
			return rc;
	}
	printf(_("Deleted: %lu certificate(s) with their key pairs.\n"), (unsigned long)chosen);
	return KT_OK;
}

int
kt_cmd_certs(kt_ctx *c)
{
	const char *sub = c->o->nargs > 0 ? c->o->args[0] : "list";
	int deleting = strcmp(sub, "delete") == 0, logged_in = 0, rc;
	cert_row *rows = NULL;
	size_t n;

	if (!deleting && strcmp(sub, "list") != 0) {
		kt_error(_("usage: kaztoken-tool certs [list] | delete ID | delete --expired"));
		return KT_USAGE;
	}
	if ((rc = kt_select(c)) != KT_OK || (rc = kt_open(c, deleting)) != KT_OK)
		return rc;
	if (deleting || !c->o->no_login) {
		if ((rc = kt_login(c, CKU_USER)) != KT_OK)
			return rc;
		logged_in = 1;
	}
	if ((rc = read_certs(c, logged_in, &rows, &n)) != KT_OK)
		return rc;
	if (deleting)
		rc = delete_certs(c, rows, n);
	else
		print_rows(c->o, rows, n);
	free(rows);
	return rc;
}
