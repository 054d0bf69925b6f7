/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* X.509 fields for certificate attributes (RFC 5280 section 4.1):
 * Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm, signature }
 * TBSCertificate ::= SEQUENCE { [0] version OPTIONAL, serialNumber, signature,
 *                               issuer, validity, subject, ... } */
#include <string.h>

#include "kzt_err.h"
#include "tlv.h"
#include "x509.h"

#define DER_INTEGER 0x02
#define DER_SEQUENCE 0x30
#define DER_UTC_TIME 0x17
#define DER_GENERALIZED_TIME 0x18
#define DER_CONTEXT_0 0xA0

/* The next element, remembering where its encoding started. */
static int
next(const uint8_t **p, size_t *n, kzt_tlv *t, const uint8_t **start, size_t *whole)
{
	const uint8_t *s = *p;

	if (kzt_tlv_next(p, n, t) != KZT_OK)
		return KZT_ERR_PARSE;
	if (start != NULL) {
		*start = s;
		*whole = (size_t)(*p - s);
	}
	return KZT_OK;
}

/* UTCTime YYMMDDHHMMSSZ (years 1950-2049) or GeneralizedTime YYYYMMDDHHMMSSZ. */
static int
to_date(const kzt_tlv *t, CK_DATE *d)
{
	const uint8_t *v = t->val;
	size_t i, digits;

	if (t->tag == DER_UTC_TIME && t->len >= 11) {
		digits = 10;
		for (i = 0; i < digits; i++)
			if (v[i] < '0' || v[i] > '9')
				return KZT_ERR_PARSE;
		d->year[0] = v[0] >= '5' ? '1' : '2';
		d->year[1] = v[0] >= '5' ? '9' : '0';
		memcpy(d->year + 2, v, 2);
		memcpy(d->month, v + 2, 2);
		memcpy(d->day, v + 4, 2);
		return KZT_OK;
	}
	if (t->tag == DER_GENERALIZED_TIME && t->len >= 13) {
		for (i = 0; i < 12; i++)
			if (v[i] < '0' || v[i] > '9')
				return KZT_ERR_PARSE;
		memcpy(d->year, v, 4);
		memcpy(d->month, v + 4, 2);
		memcpy(d->day, v + 6, 2);
		return KZT_OK;
	}
	return KZT_ERR_PARSE;
}

int
kzt_x509_fields_get(const uint8_t *der, size_t len, kzt_x509_fields *f)
{
	const uint8_t *p = der, *tp, *vp;
	size_t n = len, tn, vn;
	kzt_tlv cert, tbs, t, nb, na;

	memset(f, 0, sizeof(*f));
	if (next(&p, &n, &cert, NULL, NULL) != KZT_OK || cert.tag != DER_SEQUENCE || n != 0)
		return KZT_ERR_PARSE; /* one certificate, nothing trailing */
	tp = cert.val;
	tn = cert.len;
	if (next(&tp, &tn, &tbs, NULL, NULL) != KZT_OK || tbs.tag != DER_SEQUENCE)
		return KZT_ERR_PARSE;
	p = tbs.val;
	n = tbs.len;
	if (next(&p, &n, &t, &f->serial, &f->serial_len) != KZT_OK)
		return KZT_ERR_PARSE;
	if (t.tag == DER_CONTEXT_0 && /* version, then the serial */
	    next(&p, &n, &t, &f->serial, &f->serial_len) != KZT_OK)
		return KZT_ERR_PARSE;
	/* serialNumber: the attribute is its DER encoding, tag and length included */
	if (t.tag != DER_INTEGER || t.len == 0)
		return KZT_ERR_PARSE;
	if (next(&p, &n, &t, NULL, NULL) != KZT_OK || t.tag != DER_SEQUENCE) /* signature */
		return KZT_ERR_PARSE;
	if (next(&p, &n, &t, &f->issuer, &f->issuer_len) != KZT_OK || t.tag != DER_SEQUENCE)
		return KZT_ERR_PARSE;
	if (next(&p, &n, &t, NULL, NULL) != KZT_OK || t.tag != DER_SEQUENCE) /* validity */
		return KZT_ERR_PARSE;
	vp = t.val;
	vn = t.len;
	if (next(&vp, &vn, &nb, NULL, NULL) != KZT_OK || next(&vp, &vn, &na, NULL, NULL) != KZT_OK ||
	    vn != 0 || to_date(&nb, &f->start) != KZT_OK || to_date(&na, &f->end) != KZT_OK)
		return KZT_ERR_PARSE;
	if (next(&p, &n, &t, &f->subject, &f->subject_len) != KZT_OK || t.tag != DER_SEQUENCE)
		return KZT_ERR_PARSE;
	return KZT_OK;
}
