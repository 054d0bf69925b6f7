/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* The virtual card's persistent store: one file, written whole and atomically
 * (src/os/file.h: a temporary file, flushed, renamed over it), checked by a CRC on
 * load so a damaged file is refused instead of silently reset.
 *
 * File: "KZTSTORE" | version u16 | reserved u16 | payload length u32 | CRC-32 u32 |
 * payload (BER-TLV, tags below). All integers big-endian. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "card.h"
#include "file.h"
#include "kzt_err.h"
#include "secmem.h"
#include "tlv.h"

#define STORE_MAGIC "KZTSTORE"
#define STORE_VERSION 2
#define STORE_HEADER 20
#define STORE_MAX (16u * 1024 * 1024)

#define ST_SERIAL 0xC0
#define ST_LABEL 0xC1
#define ST_POLICY 0xC2
#define ST_COUNTER 0xC3
#define ST_CAPACITY 0xC4
#define ST_NEXT_HANDLE 0xC5
#define ST_USER_PIN 0xE0
#define ST_ADMIN_PIN 0xE1
#define ST_OBJECT 0xE2
/* inside an object record */
#define ST_OBJ_HANDLE 0x80
#define ST_OBJ_CLASS 0x81
#define ST_OBJ_FLAGS 0x82
#define ST_OBJ_BLOB 0x83
#define ST_OBJ_VALUE 0x84
#define ST_OBJ_KEY 0x85
/* inside a PIN record */
#define ST_PIN_VALUE 0x80
#define ST_PIN_TRIES 0x81
#define ST_PIN_MAX 0x82
#define ST_PIN_MIN 0x83

uint32_t
kzt_store_crc32(const uint8_t *p, size_t n)
{
	uint32_t c = 0xFFFFFFFFu;
	size_t i;
	int k;

	for (i = 0; i < n; i++) {
		c ^= p[i];
		for (k = 0; k < 8; k++)
			c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1u)));
	}
	return ~c;
}

static void
put_pin(kzt_buf *b, uint32_t tag, const kzt_card_pin *pin)
{
	size_t mark;

	kzt_tlv_begin(b, tag, &mark);
	kzt_tlv_put(b, ST_PIN_VALUE, pin->value, pin->len);
	kzt_tlv_put_u8(b, ST_PIN_TRIES, pin->tries_left);
	kzt_tlv_put_u8(b, ST_PIN_MAX, pin->max_tries);
	kzt_tlv_put_u8(b, ST_PIN_MIN, pin->min_len);
	kzt_tlv_end(b, mark);
}

static void
put_object(kzt_buf *b, const kzt_card_object *o)
{
	size_t mark;

	kzt_tlv_begin(b, ST_OBJECT, &mark);
	kzt_tlv_put_u16(b, ST_OBJ_HANDLE, o->handle);
	kzt_tlv_put_u8(b, ST_OBJ_CLASS, o->cls);
	kzt_tlv_put_u8(b, ST_OBJ_FLAGS, o->flags);
	kzt_tlv_put(b, ST_OBJ_BLOB, o->blob, o->blob_len);
	kzt_tlv_put(b, ST_OBJ_VALUE, o->value, o->value_len);
	kzt_tlv_put(b, ST_OBJ_KEY, o->key, o->key_len);
	kzt_tlv_end(b, mark);
}

size_t
kzt_store_encoded_max(const kzt_card_state *st)
{
	size_t i, n = STORE_HEADER + 512;

	for (i = 0; i < st->nobjects; i++)
		n += 64 + st->objects[i].blob_len + st->objects[i].value_len + st->objects[i].key_len;
	return n;
}

int
kzt_store_encode(const kzt_card_state *st, uint8_t *out, size_t cap, size_t *len)
{
	kzt_buf b;
	size_t payload, i;

	if (cap < STORE_HEADER)
		return KZT_ERR_BUFFER;
	kzt_buf_init(&b, out + STORE_HEADER, cap - STORE_HEADER);
	kzt_tlv_put(&b, ST_SERIAL, st->serial, KZT_SERIAL_LEN);
	kzt_tlv_put(&b, ST_LABEL, st->label, st->label_len);
	kzt_tlv_put_u8(&b, ST_POLICY, st->policy);
	kzt_tlv_put_u32(&b, ST_COUNTER, st->change_counter);
	kzt_tlv_put_u32(&b, ST_CAPACITY, st->capacity);
	kzt_tlv_put_u16(&b, ST_NEXT_HANDLE, st->next_handle);
	put_pin(&b, ST_USER_PIN, &st->user);
	put_pin(&b, ST_ADMIN_PIN, &st->admin);
	for (i = 0; i < st->nobjects; i++)
		put_object(&b, &st->objects[i]);
	if (b.err != KZT_OK)
		return b.err;
	payload = b.len;
	kzt_buf_init(&b, out, STORE_HEADER);
	kzt_buf_put(&b, STORE_MAGIC, 8);
	kzt_buf_put_u16(&b, STORE_VERSION);
	kzt_buf_put_u16(&b, 0);
	kzt_buf_put_u32(&b, (uint32_t)payload);
	kzt_buf_put_u32(&b, kzt_store_crc32(out + STORE_HEADER, payload));
	*len = STORE_HEADER + payload;
	return b.err;
}

static int
fail(char *why, size_t why_len, const char *reason)
{
	if (why != NULL && why_len > 0)
		snprintf(why, why_len, "%s", reason);
	return KZT_ERR_STORE;
}

static int
get_u8(const kzt_tlv *t, uint8_t *out)
{
	uint32_t v;

	if (kzt_tlv_get_uint(t, 1, &v) != KZT_OK)
		return KZT_ERR_PARSE;
	*out = (uint8_t)v;
	return KZT_OK;
}

static int
decode_pin(const kzt_tlv *rec, kzt_card_pin *pin)
{
	const uint8_t *p = rec->val;
	size_t n = rec->len;
	unsigned seen = 0;
	kzt_tlv t;

	memset(pin, 0, sizeof(*pin));
	while (n > 0) {
		unsigned bit;
		if (kzt_tlv_next(&p, &n, &t) != KZT_OK)
			return KZT_ERR_PARSE;
		switch (t.tag) {
		case ST_PIN_VALUE:
			bit = 1;
			if (t.len == 0 || t.len > KZT_PIN_MAX_LEN)
				return KZT_ERR_PARSE;
			memcpy(pin->value, t.val, t.len);
			pin->len = (uint8_t)t.len;
			break;
		case ST_PIN_TRIES:
			bit = 2;
			if (get_u8(&t, &pin->tries_left) != KZT_OK)
				return KZT_ERR_PARSE;
			break;
		case ST_PIN_MAX:
			bit = 4;
			if (get_u8(&t, &pin->max_tries) != KZT_OK)
				return KZT_ERR_PARSE;
			break;
		case ST_PIN_MIN:
			bit = 8;
			if (get_u8(&t, &pin->min_len) != KZT_OK)
				return KZT_ERR_PARSE;
			break;
		default:
			return KZT_ERR_PARSE;
		}
		if (seen & bit) /* a repeated record: which one would be meant? */
			return KZT_ERR_PARSE;
		seen |= bit;
	}
	if (seen != 15 || pin->max_tries == 0 || pin->max_tries > KZT_TRIES_MAX ||
	    pin->tries_left > pin->max_tries || pin->min_len < KZT_PIN_MIN_LEN_FLOOR ||
	    pin->min_len > KZT_PIN_MAX_LEN)
		return KZT_ERR_PARSE;
	return KZT_OK;
}

static uint8_t *
copy_field(const kzt_tlv *t, size_t *len)
{
	uint8_t *d;

	*len = 0;
	if (t->len == 0)
		return NULL;
	if ((d = malloc(t->len)) != NULL) {
		memcpy(d, t->val, t->len);
		*len = t->len;
	}
	return d;
}

/* One object record; every field present exactly once and within the limits. */
static int
decode_object(const kzt_tlv *rec, kzt_card_state *st)
{
	kzt_card_object *o = &st->objects[st->nobjects];
	kzt_tlv f[6];
	static const uint32_t tags[6] = {ST_OBJ_HANDLE, ST_OBJ_CLASS, ST_OBJ_FLAGS,
					 ST_OBJ_BLOB,   ST_OBJ_VALUE, ST_OBJ_KEY};
	const uint8_t *p = rec->val;
	size_t n = rec->len, i, count = 0;
	uint32_t v;
	kzt_tlv t;

	if (st->nobjects == KZT_CARD_MAX_OBJECTS)
		return KZT_ERR_PARSE;
	while (n > 0) {
		if (kzt_tlv_next(&p, &n, &t) != KZT_OK)
			return KZT_ERR_PARSE;
		for (i = 0; i < 6 && tags[i] != t.tag; i++)
			;
		if (i == 6 || (count & (1u << i)))
			return KZT_ERR_PARSE; /* unknown or repeated field */
		count |= 1u << i;
		f[i] = t;
	}
	if (count != 0x3F)
		return KZT_ERR_PARSE;
	memset(o, 0, sizeof(*o));
	if (kzt_tlv_get_uint(&f[0], 2, &v) != KZT_OK || v == 0 || v == 0xFFFF)
		return KZT_ERR_PARSE;
	o->handle = (uint16_t)v;
	for (i = 0; i < st->nobjects; i++)
		if (st->objects[i].handle == o->handle)
			return KZT_ERR_PARSE;
	if (kzt_tlv_get_uint(&f[1], 1, &v) != KZT_OK || v > KZT_CLASS_PRIVATE_KEY)
		return KZT_ERR_PARSE;
	o->cls = (uint8_t)v;
	if (kzt_tlv_get_uint(&f[2], 1, &v) != KZT_OK)
		return KZT_ERR_PARSE;
	o->flags = (uint8_t)v;
	if (f[3].len > KZT_BLOB_MAX || (o->cls == KZT_CLASS_PRIVATE_KEY) != (f[5].len > 0))
		return KZT_ERR_PARSE;
	o->blob = copy_field(&f[3], &o->blob_len);
	o->value = copy_field(&f[4], &o->value_len);
	o->key = copy_field(&f[5], &o->key_len);
	st->nobjects++; /* owned by st from here: freed with it on any later error */
	if (o->blob_len != f[3].len || o->value_len != f[4].len || o->key_len != f[5].len)
		return KZT_ERR_NOMEM;
	return KZT_OK;
}

int
kzt_store_decode(const uint8_t *p, size_t n, kzt_card_state *st, char *why, size_t why_len)
{
	uint32_t payload, v;
	unsigned seen = 0;
	kzt_tlv t;
	int r = KZT_OK;

	memset(st, 0, sizeof(*st));
	if (n < STORE_HEADER || memcmp(p, STORE_MAGIC, 8) != 0)
		return fail(why, why_len, "not a KAZTOKEN store (bad magic)");
	if (kzt_get_u16(p + 8) != STORE_VERSION)
		return fail(why, why_len, "unsupported store version");
	payload = kzt_get_u32(p + 12);
	if (payload != n - STORE_HEADER)
		return fail(why, why_len, "store length does not match the file (truncated?)");
	if (kzt_store_crc32(p + STORE_HEADER, payload) != kzt_get_u32(p + 16))
		return fail(why, why_len, "store checksum mismatch (damaged file)");
	p += STORE_HEADER;
	n = payload;
	while (n > 0 && r == KZT_OK) {
		unsigned before = seen;
		int repeatable = 0;
		if ((r = kzt_tlv_next(&p, &n, &t)) != KZT_OK)
			break;
		switch (t.tag) {
		case ST_SERIAL:
			r = t.len == KZT_SERIAL_LEN ? KZT_OK : KZT_ERR_PARSE;
			if (r == KZT_OK)
				memcpy(st->serial, t.val, KZT_SERIAL_LEN);
			seen |= 1;
			break;
		case ST_LABEL:
			r = t.len <= KZT_LABEL_MAX ? KZT_OK : KZT_ERR_PARSE;
			if (r == KZT_OK && t.len > 0)
				memcpy(st->label, t.val, t.len);
			st->label_len = (uint8_t)t.len;
			seen |= 2;
			break;
		case ST_POLICY:
			r = get_u8(&t, &st->policy);
			if (r == KZT_OK && (st->policy & ~KZT_POLICY_BOTH) != 0)
				r = KZT_ERR_PARSE;
			seen |= 4;
			break;
		case ST_COUNTER:
			r = kzt_tlv_get_uint(&t, 4, &st->change_counter);
			seen |= 8;
			break;
		case ST_CAPACITY:
			r = kzt_tlv_get_uint(&t, 4, &v);
			st->capacity = v;
			seen |= 16;
			break;
		case ST_USER_PIN:
			r = decode_pin(&t, &st->user);
			seen |= 32;
			break;
		case ST_ADMIN_PIN:
			r = decode_pin(&t, &st->admin);
			seen |= 64;
			break;
		case ST_NEXT_HANDLE:
			r = kzt_tlv_get_uint(&t, 2, &v);
			st->next_handle = (uint16_t)v;
			seen |= 128;
			break;
		case ST_OBJECT:
			r = decode_object(&t, st);
			repeatable = 1; /* one record per object */
			break;
		default:
			r = KZT_ERR_PARSE;
		}
		if (r == KZT_OK && !repeatable && seen == before) /* the record was there already */
			r = KZT_ERR_PARSE;
	}
	if (r == KZT_OK && seen == 255 && kzt_card_used(st) > st->capacity)
		r = KZT_ERR_PARSE; /* more stored than the card can hold */
	if (r != KZT_OK || seen != 255) {
		kzt_card_objects_clear(st);
		kzt_secure_zero(st, sizeof(*st));
		return fail(why, why_len, r != KZT_OK ? "malformed store record" : "store record missing");
	}
	return KZT_OK;
}

int
kzt_store_load(const char *path, kzt_card_state *st, char *why, size_t why_len)
{
	uint8_t *img;
	size_t len;
	int rc;

	rc = kzt_os_file_read(path, STORE_MAX, &img, &len, why, why_len);
	if (rc == KZT_OK)
		rc = kzt_store_decode(img, len, st, why, why_len);
	else if (rc == KZT_ERR_IO)
		rc = KZT_ERR_STORE; /* (why says what) */
	if (img != NULL) {
		kzt_secure_zero(img, len + 1);
		free(img);
	}
	return rc;
}

int
kzt_store_save(const char *path, const kzt_card_state *st)
{
	size_t cap = kzt_store_encoded_max(st), len = 0;
	uint8_t *img = malloc(cap);
	int r;

	if (img == NULL)
		return KZT_ERR_NOMEM;
	if ((r = kzt_store_encode(st, img, cap, &len)) == KZT_OK &&
	    (r = kzt_os_file_replace(path, img, len)) == KZT_ERR_IO)
		r = KZT_ERR_STORE;
	kzt_secure_zero(img, cap);
	free(img);
	return r;
}
