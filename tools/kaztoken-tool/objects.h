/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* The token's keys and certificates as the Certificates tab and the signing
 * commands see them, and a token key as an OpenSSL key (which signs on the card). */
#ifndef KT_OBJECTS_H
#define KT_OBJECTS_H

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "tool.h"

#define KT_ID_CAP 255

/* A found object's ID and label. */
typedef struct kt_obj {
	CK_OBJECT_HANDLE h;
	unsigned char id[KT_ID_CAP];
	size_t id_len;
	char label[128];
} kt_obj;

/* The objects of class cls (with id when id != NULL): up to cap of them in out, their
 * count in *n. KT_OK, or an exit code (said) when the token cannot be searched.
 * Objects with an ID over KT_ID_CAP bytes are not this tool's and are left out. */
int kt_find(kt_ctx *c, CK_OBJECT_CLASS cls, const unsigned char *id, size_t id_len, kt_obj *out, size_t cap,
	    size_t *n);
/* An attribute's whole value, malloc'd: NULL when absent. */
unsigned char *kt_attr(kt_ctx *c, CK_OBJECT_HANDLE o, CK_ATTRIBUTE_TYPE t, size_t *len);
/* A hex ID from the command line: 0, or -1 when it is not hex. */
int kt_parse_id(const char *hex, unsigned char *id, size_t *len);
void kt_print_id(FILE *f, const unsigned char *id, size_t len);
/* The key --key names, or the only one of its class: KT_OK or an exit code. */
int kt_pick_key(kt_ctx *c, CK_OBJECT_CLASS cls, kt_obj *key);
/* The certificate on the token with this ID (NULL when none). */
X509 *kt_cert_for(kt_ctx *c, const unsigned char *id, size_t id_len);
/* An OpenSSL key for the private key priv (public half from pub): its signatures
 * are made on the card through the session c->h. NULL on failure. */
EVP_PKEY *kt_token_pkey(kt_ctx *c, CK_OBJECT_HANDLE priv, CK_OBJECT_HANDLE pub);
/* The OpenSSL public key of a token public key object. */
EVP_PKEY *kt_public_pkey(kt_ctx *c, CK_OBJECT_HANDLE pub);
/* The key bits a SubjectPublicKeyInfo carries for a token public key (RFC 3279,
 * 5480, 4491): an RSA key's RSAPublicKey, an EC key's point 04 || x || y, a GOST
 * key's CKA_VALUE in an OCTET STRING. *bits is OPENSSL_malloc'd; the key's type
 * into *type. 0 when the key has none of these. */
int kt_public_key_bits(kt_ctx *c, CK_OBJECT_HANDLE pub, CK_KEY_TYPE *type, unsigned char **bits, int *len);
/* Print OpenSSL's error queue after a message. */
void kt_ossl_error(const char *what);

#endif
