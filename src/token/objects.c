/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* Token driver: the object directory and object commands (protocol 5.9, 5.10). */
#include <stdlib.h>
#include <string.h>

#include "kzt_err.h"
#include "secmem.h"
#include "tlv.h"
#include "token_int.h"

/* Le for one paged read: as much as the card returns in one response. */
static uint32_t
page_le(const kzt_token *t)
{
	if (t->link.extended)
		return t->info.max_response < KZT_APDU_EXT_MAX_LE ? (uint32_t)t->info.max_response
								   : KZT_APDU_EXT_MAX_LE;
	return KZT_APDU_SHORT_MAX_LE;
}

/* Append (p, n) to the growing buffer (*buf, *len, *cap). */
static int
append(uint8_t **buf, size_t *len, size_t *cap, const uint8_t *p, size_t n)
{
	uint8_t *nb;

	if (n > *cap - *len) {
		size_t want = (*len + n) * 2;
		if ((nb = realloc(*buf, want)) == NULL)
			return KZT_ERR_NOMEM;
		*buf = nb;
		*cap = want;
	}
	if (n > 0)
		memcpy(*buf + *len, p, n);
	*len += n;
	return KZT_OK;
}

/* A paged read: the command a with the offset placed by place(), until 9000. */
static int
read_paged(kzt_token *t, kzt_apdu *a, void (*place)(kzt_apdu *, size_t, uint8_t *),
	   uint8_t **out, size_t *out_len)
{
	uint8_t off_buf[4];
	size_t n, cap = 0, limit = 16u * 1024 * 1024;
	uint16_t sw;
	int r;

	*out = NULL;
	*out_len = 0;
	t->counter_last = 0;
	for (;;) {
		place(a, *out_len, off_buf);
		r = kzt_apdu_transceive(&t->link, a, t->resp, KZT_APDU_MAX_RESP, &n, &sw);
		if (r == KZT_OK && sw != KZT_SW_OK && sw != KZT_SW_MORE_DATA)
			r = kzt_token_status_from_sw(sw);
		if (r != KZT_OK) /* (69 82: the card has not verified what we thought) */
			kzt_token_note_security(t, a, r);
		if (r == KZT_OK && sw == KZT_SW_MORE_DATA && n == 0)
			r = KZT_ERR_CARD; /* "more" but nothing came: it would never end */
		if (r == KZT_OK && *out_len + n > limit)
			r = KZT_ERR_CARD;
		if (r == KZT_OK)
			r = append(out, out_len, &cap, t->resp, n);
		if (r != KZT_OK || sw == KZT_SW_OK)
			break;
	}
	if (r != KZT_OK) {
		free(*out);
		*out = NULL;
		*out_len = 0;
	}
	return r;
}

/* LIST OBJECTS carries its offset in P1 P2. */
static void
place_in_p1p2(kzt_apdu *a, size_t off, uint8_t *buf)
{
	(void)buf;
	a->p1 = (uint8_t)(off >> 8);
	a->p2 = (uint8_t)off;
}

/* READ OBJECT carries it as four data bytes. */
static void
place_in_data(kzt_apdu *a, size_t off, uint8_t *buf)
{
	buf[0] = (uint8_t)(off >> 24);
	buf[1] = (uint8_t)(off >> 16);
	buf[2] = (uint8_t)(off >> 8);
	buf[3] = (uint8_t)off;
	a->data = buf;
	a->lc = 4;
}

int
kzt_token_list_objects(kzt_token *t, uint8_t **dir, size_t *len)
{
	kzt_apdu a = {.cla = KZT_CLA_PROPRIETARY, .ins = KZT_INS_LIST_OBJECTS, .le = page_le(t)};
	const uint8_t *p;
	kzt_dir_entry e;
	size_t n;
	int r;

	if ((r = read_paged(t, &a, place_in_p1p2, dir, len)) != KZT_OK)
		return r;
	/* Check the whole image now, so users of it never meet a malformed entry. */
	p = *dir;
	n = *len;
	while ((r = kzt_dir_next(&p, &n, &e)) == KZT_OK)
		;
	if (r != KZT_ERR_NOT_FOUND) {
		free(*dir);
		*dir = NULL;
		*len = 0;
		return KZT_ERR_CARD;
	}
	return KZT_OK;
}

int
kzt_token_list_private(kzt_token *t, uint8_t **dir, size_t *len, uint32_t *counter)
{
	static const uint8_t which = KZT_LIST_PRIVATE;
	kzt_apdu a = {.cla = KZT_CLA_PROPRIETARY, .ins = KZT_INS_LIST_OBJECTS, .data = &which, .lc = 1,
		      .le = page_le(t)};
	const uint8_t *p;
	kzt_dir_entry e;
	kzt_tlv c;
	size_t n;
	int r;

	if (!(t->info.capabilities & KZT_CAP_LIST_PRIVATE))
		return KZT_ERR_NOT_SUPPORTED;
	if ((r = read_paged(t, &a, place_in_p1p2, dir, len)) != KZT_OK)
		return r;
	/* the change counter, then private objects only */
	p = *dir;
	n = *len;
	r = kzt_tlv_next(&p, &n, &c) == KZT_OK && c.tag == KZT_TAG_CHANGE_COUNTER &&
		    kzt_tlv_get_uint(&c, 4, counter) == KZT_OK
		    ? KZT_OK
		    : KZT_ERR_CARD;
	if (r == KZT_OK) {
		memmove(*dir, p, n);
		*len = n;
		p = *dir;
		while ((r = kzt_dir_next(&p, &n, &e)) == KZT_OK)
			if (!(e.flags & KZT_OBJF_PRIVATE)) {
				r = KZT_ERR_CARD; /* a public object in a private listing */
				break;
			}
	}
	if (r != KZT_ERR_NOT_FOUND) {
		free(*dir);
		*dir = NULL;
		*len = 0;
		return KZT_ERR_CARD;
	}
	t->counter_seen = *counter;
	t->counter_seen_valid = 1;
	return KZT_OK;
}

int
kzt_dir_next(const uint8_t **p, size_t *n, kzt_dir_entry *e)
{
	kzt_tlv entry, t;
	uint32_t v;

	if (*n == 0)
		return KZT_ERR_NOT_FOUND;
	if (kzt_tlv_next(p, n, &entry) != KZT_OK || entry.tag != KZT_TAG_DIR_ENTRY)
		return KZT_ERR_CARD;
	memset(e, 0, sizeof(*e));
	if (kzt_tlv_find(entry.val, entry.len, KZT_TAG_OBJ_HANDLE, &t) != KZT_OK ||
	    kzt_tlv_get_uint(&t, 2, &v) != KZT_OK || v == 0 || v == 0xFFFF)
		return KZT_ERR_CARD;
	e->handle = (uint16_t)v;
	if (kzt_tlv_find(entry.val, entry.len, KZT_TAG_OBJ_CLASS, &t) != KZT_OK ||
	    kzt_tlv_get_uint(&t, 1, &v) != KZT_OK || v > KZT_CLASS_PRIVATE_KEY)
		return KZT_ERR_CARD;
	e->cls = (uint8_t)v;
	if (kzt_tlv_find(entry.val, entry.len, KZT_TAG_OBJ_FLAGS, &t) != KZT_OK ||
	    kzt_tlv_get_uint(&t, 1, &v) != KZT_OK)
		return KZT_ERR_CARD;
	e->flags = (uint8_t)v;
	if (kzt_tlv_find(entry.val, entry.len, KZT_TAG_OBJ_SIZE, &t) != KZT_OK ||
	    kzt_tlv_get_uint(&t, 4, &e->value_len) != KZT_OK)
		return KZT_ERR_CARD;
	if (kzt_tlv_find(entry.val, entry.len, KZT_TAG_DIR_BLOB, &t) != KZT_OK)
		return KZT_ERR_CARD;
	e->blob = t.val;
	e->blob_len = t.len;
	return KZT_OK;
}

int
kzt_key_value_parse(const uint8_t *v, size_t len, const uint8_t **n, size_t *n_len,
		    const uint8_t **e, size_t *e_len)
{
	kzt_tlv tn, te;

	if (kzt_tlv_find(v, len, KZT_TAG_PUB_MODULUS, &tn) != KZT_OK || tn.len == 0 ||
	    kzt_tlv_find(v, len, KZT_TAG_PUB_EXPONENT, &te) != KZT_OK || te.len == 0)
		return KZT_ERR_CARD;
	*n = tn.val;
	*n_len = tn.len;
	*e = te.val;
	*e_len = te.len;
	return KZT_OK;
}

int
kzt_key_value_build(const uint8_t *n, size_t n_len, const uint8_t *e, size_t e_len, uint8_t *out,
		    size_t cap, size_t *len)
{
	kzt_buf b;

	kzt_buf_init(&b, out, cap);
	kzt_tlv_put(&b, KZT_TAG_PUB_MODULUS, n, n_len);
	kzt_tlv_put(&b, KZT_TAG_PUB_EXPONENT, e, e_len);
	*len = b.len;
	return b.err;
}

int
kzt_token_read_object(kzt_token *t, uint16_t handle, uint8_t **val, size_t *len)
{
	kzt_apdu a = {.cla = KZT_CLA_PROPRIETARY, .ins = KZT_INS_READ_OBJECT,
		      .p1 = (uint8_t)(handle >> 8), .p2 = (uint8_t)handle, .le = page_le(t)};

	return read_paged(t, &a, place_in_data, val, len);
}

/* The next READ VALUES entry: its handle, and its value (status KZT_OK) or the
 * status word the card gave instead. KZT_ERR_CARD when malformed. */
static int
next_value(const uint8_t **p, size_t *n, uint32_t *handle, kzt_tlv *value, uint32_t *sw)
{
	kzt_tlv entry, h;

	*sw = KZT_SW_OK;
	if (kzt_tlv_next(p, n, &entry) != KZT_OK || entry.tag != KZT_TAG_DIR_ENTRY ||
	    kzt_tlv_find(entry.val, entry.len, KZT_TAG_OBJ_HANDLE, &h) != KZT_OK ||
	    kzt_tlv_get_uint(&h, 2, handle) != KZT_OK)
		return KZT_ERR_CARD;
	if (kzt_tlv_find(entry.val, entry.len, KZT_TAG_OBJ_VALUE, value) == KZT_OK)
		return KZT_OK;
	if (kzt_tlv_find(entry.val, entry.len, KZT_TAG_OBJ_STATUS, value) != KZT_OK ||
	    kzt_tlv_get_uint(value, 2, sw) != KZT_OK || *sw == KZT_SW_OK)
		return KZT_ERR_CARD;
	return KZT_OK;
}

int
kzt_token_read_values(kzt_token *t, const uint16_t *handles, size_t n,
		      int (*got)(void *ctx, uint16_t handle, const uint8_t *value, size_t len, int status),
		      void *ctx)
{
	kzt_apdu a = {.cla = KZT_CLA_PROPRIETARY, .ins = KZT_INS_READ_VALUES, .le = page_le(t)};
	uint8_t ask[2 * KZT_READ_VALUES_MAX_HANDLES], *img;
	const uint8_t *p;
	size_t total, left, i;
	uint32_t handle, sw;
	kzt_tlv v;
	int r;

	if (!(t->info.capabilities & KZT_CAP_READ_VALUES))
		return KZT_ERR_NOT_SUPPORTED;
	if (n == 0 || n > KZT_READ_VALUES_MAX_HANDLES)
		return KZT_ERR_ARGS;
	for (i = 0; i < n; i++) {
		ask[2 * i] = (uint8_t)(handles[i] >> 8);
		ask[2 * i + 1] = (uint8_t)handles[i];
	}
	a.data = ask;
	a.lc = 2 * n;
	if ((r = read_paged(t, &a, place_in_p1p2, &img, &total)) != KZT_OK)
		return r;
	/* The whole answer is checked first: nothing is taken from a malformed one. */
	for (p = img, left = total, i = 0; i < n && r == KZT_OK; i++)
		if (next_value(&p, &left, &handle, &v, &sw) != KZT_OK || handle != handles[i])
			r = KZT_ERR_CARD;
	if (r == KZT_OK && left != 0)
		r = KZT_ERR_CARD; /* more than was asked for */
	for (p = img, left = total, i = 0; i < n && r == KZT_OK; i++) {
		next_value(&p, &left, &handle, &v, &sw);
		r = got(ctx, (uint16_t)handle, v.val, sw == KZT_SW_OK ? v.len : 0,
			sw == KZT_SW_OK ? KZT_OK : kzt_token_status_from_sw((uint16_t)sw));
	}
	free(img);
	return r;
}

static int
put_parts(kzt_buf *b, const kzt_rsa_parts *key)
{
	static const uint32_t tags[8] = {KZT_TAG_RSA_N,  KZT_TAG_RSA_E,  KZT_TAG_RSA_D,
					 KZT_TAG_RSA_P,  KZT_TAG_RSA_Q,  KZT_TAG_RSA_DP,
					 KZT_TAG_RSA_DQ, KZT_TAG_RSA_QINV};
	size_t mark, i;

	kzt_tlv_begin(b, KZT_TAG_RSA_COMPONENTS, &mark);
	for (i = 0; i < 8; i++)
		kzt_tlv_put(b, tags[i], key->part[i], key->len[i]);
	return kzt_tlv_end(b, mark);
}

int
kzt_token_create_object(kzt_token *t, uint8_t cls, uint8_t flags, const uint8_t *blob,
			size_t blob_len, const uint8_t *value, size_t value_len,
			const kzt_rsa_parts *key, uint16_t *handle)
{
	kzt_apdu a = {.cla = KZT_CLA_PROPRIETARY, .ins = KZT_INS_CREATE_OBJECT,
		      .le = KZT_APDU_SHORT_MAX_LE};
	size_t cap = blob_len + value_len + 64 + (key != NULL ? 8 * (512 + 4) : 0), n;
	uint8_t *data = malloc(cap);
	kzt_tlv h;
	kzt_buf b;
	uint32_t v;
	int r;

	if (data == NULL)
		return KZT_ERR_NOMEM;
	kzt_buf_init(&b, data, cap);
	kzt_tlv_put_u8(&b, KZT_TAG_OBJ_CLASS, cls);
	kzt_tlv_put_u8(&b, KZT_TAG_OBJ_FLAGS, flags);
	kzt_tlv_put(&b, KZT_TAG_OBJ_BLOB, blob, blob_len);
	if (value != NULL)
		kzt_tlv_put(&b, KZT_TAG_OBJ_VALUE, value, value_len);
	if (key != NULL)
		put_parts(&b, key);
	if ((r = b.err) != KZT_OK)
		goto out;
	/* the whole object comes in one command: the card's longest is the limit */
	if (b.len > t->info.max_command) {
		r = KZT_ERR_TOO_LARGE;
		goto out;
	}
	a.data = data;
	a.lc = b.len;
	if ((r = kzt_token_command(t, &a, &n)) != KZT_OK)
		goto out;
	if (kzt_tlv_find(t->resp, n, KZT_TAG_OBJ_HANDLE, &h) != KZT_OK ||
	    kzt_tlv_get_uint(&h, 2, &v) != KZT_OK || v == 0 || v == 0xFFFF) {
		r = KZT_ERR_CARD;
		goto out;
	}
	*handle = (uint16_t)v;
out:
	kzt_secure_zero(data, cap); /* may hold an imported private key */
	free(data);
	return r;
}

int
kzt_token_update_object(kzt_token *t, uint16_t handle, uint8_t flags, const uint8_t *blob,
			size_t blob_len)
{
	kzt_apdu a = {.cla = KZT_CLA_PROPRIETARY, .ins = KZT_INS_UPDATE_OBJECT,
		      .p1 = (uint8_t)(handle >> 8), .p2 = (uint8_t)handle};
	uint8_t *data = malloc(blob_len + 12);
	kzt_buf b;
	int r;

	if (data == NULL)
		return KZT_ERR_NOMEM;
	kzt_buf_init(&b, data, blob_len + 12);
	kzt_tlv_put_u8(&b, KZT_TAG_OBJ_FLAGS, flags);
	if ((r = kzt_tlv_put(&b, KZT_TAG_OBJ_BLOB, blob, blob_len)) == KZT_OK) {
		a.data = data;
		a.lc = b.len;
		r = kzt_token_command(t, &a, NULL);
	}
	free(data);
	return r;
}

int
kzt_token_delete_object(kzt_token *t, uint16_t handle)
{
	kzt_apdu a = {.cla = KZT_CLA_PROPRIETARY, .ins = KZT_INS_DELETE_OBJECT,
		      .p1 = (uint8_t)(handle >> 8), .p2 = (uint8_t)handle};

	return kzt_token_command(t, &a, NULL);
}

int
kzt_token_set_label(kzt_token *t, const uint8_t *label, size_t len)
{
	kzt_apdu a = {.cla = KZT_CLA_ISO, .ins = KZT_INS_PUT_DATA,
		      .p1 = (uint8_t)(KZT_DO_LABEL >> 8), .p2 = (uint8_t)KZT_DO_LABEL,
		      .data = len > 0 ? label : NULL, .lc = len};

	if (len > KZT_LABEL_MAX)
		return KZT_ERR_ARGS;
	return kzt_token_command(t, &a, NULL);
}

int
kzt_token_change_counter(kzt_token *t, uint32_t *counter)
{
	kzt_apdu a = {.cla = KZT_CLA_ISO, .ins = KZT_INS_GET_DATA,
		      .p1 = (uint8_t)(KZT_DO_CHANGE_COUNTER >> 8), .p2 = (uint8_t)KZT_DO_CHANGE_COUNTER,
		      .le = 4};
	size_t n;
	int r;

	if ((r = kzt_token_command(t, &a, &n)) != KZT_OK)
		return r;
	if (n != 4)
		return KZT_ERR_CARD;
	*counter = kzt_get_u32(t->resp);
	t->counter_seen = *counter;
	t->counter_seen_valid = 1;
	return KZT_OK;
}
