/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* The applet's object directory, key generation and private-key operations
 * (docs/apdu-protocol.md 5.10-5.12). Every change is one commit of the whole store;
 * when the commit fails the change is undone, so nothing is ever half-written. */
#include <stdlib.h>
#include <string.h>

#include "apdu.h"
#include "buf.h"
#include "card.h"
#include "card_ec.h"
#include "card_rsa.h"
#include "clock.h"
#include "kzt_err.h"
#include "secmem.h"
#include "thread.h"
#include "tlv.h"

static kzt_card_object *
find_object(kzt_card_state *st, uint16_t handle)
{
	size_t i;

	for (i = 0; i < st->nobjects; i++)
		if (st->objects[i].handle == handle)
			return &st->objects[i];
	return NULL;
}

/* An object the session may see: public ones always, private ones after VERIFY. */
static kzt_card_object *
visible_object(kzt_card *card, const kzt_card_session *s, uint16_t handle, uint16_t *sw)
{
	kzt_card_object *o = find_object(&card->st, handle);

	if (o == NULL) {
		*sw = KZT_SW_NOT_FOUND;
		return NULL;
	}
	if ((o->flags & KZT_OBJF_PRIVATE) && !s->user_verified) {
		*sw = KZT_SW_SECURITY_STATUS;
		return NULL;
	}
	return o;
}

/* Room for extra bytes (and one more object when new_object)? */
static int
fits(const kzt_card_state *st, size_t extra, size_t new_objects)
{
	size_t used = kzt_card_used(st) + extra + new_objects * KZT_CARD_OBJECT_COST;

	return st->nobjects + new_objects <= KZT_CARD_MAX_OBJECTS && used <= st->capacity;
}

static uint16_t
next_free_handle(kzt_card_state *st)
{
	uint16_t h = st->next_handle;

	/* 0000 and FFFF are never handles; skip any still in use after a wrap. */
	while (h == 0 || h == 0xFFFF || find_object(st, h) != NULL)
		h++;
	st->next_handle = (uint16_t)(h + 1);
	return h;
}

static uint8_t *
dup_bytes(const uint8_t *p, size_t n, int *ok)
{
	uint8_t *d;

	if (n == 0)
		return NULL;
	if ((d = malloc(n)) == NULL) {
		*ok = 0;
		return NULL;
	}
	memcpy(d, p, n);
	return d;
}

/* Append o (taking its buffers) and commit; on failure the object is dropped and
 * the state is as before. */
static uint16_t
commit_new_objects(kzt_card *card, kzt_card_object *objs, size_t n)
{
	kzt_card_state *st = &card->st;
	uint16_t saved_next = st->next_handle;
	size_t i;

	for (i = 0; i < n; i++) {
		objs[i].handle = next_free_handle(st);
		st->objects[st->nobjects + i] = objs[i];
	}
	st->nobjects += n;
	st->change_counter++;
	if (kzt_card_commit(card) == KZT_OK)
		return KZT_SW_OK;
	st->nobjects -= n;
	st->change_counter--;
	st->next_handle = saved_next;
	for (i = 0; i < n; i++)
		memset(&st->objects[st->nobjects + i], 0, sizeof(kzt_card_object));
	return KZT_SW_MEMORY_FAILURE;
}

/* ---- RSA components <-> the key material encoding (TLV 91..98) ---- */

static int
encode_key(const kzt_rsa_key *k, kzt_buf *b)
{
	kzt_tlv_put(b, KZT_TAG_RSA_N, k->n, k->n_len);
	kzt_tlv_put(b, KZT_TAG_RSA_E, k->e, k->e_len);
	kzt_tlv_put(b, KZT_TAG_RSA_D, k->d, k->d_len);
	kzt_tlv_put(b, KZT_TAG_RSA_P, k->p, k->p_len);
	kzt_tlv_put(b, KZT_TAG_RSA_Q, k->q, k->q_len);
	kzt_tlv_put(b, KZT_TAG_RSA_DP, k->dp, k->dp_len);
	kzt_tlv_put(b, KZT_TAG_RSA_DQ, k->dq, k->dq_len);
	return kzt_tlv_put(b, KZT_TAG_RSA_QINV, k->qinv, k->qinv_len);
}

/* Strip leading zero bytes, then copy into (dst, cap). */
static int
get_component(const uint8_t *p, size_t n, uint32_t tag, uint8_t *dst, size_t cap, size_t *len)
{
	kzt_tlv t;

	if (kzt_tlv_find(p, n, tag, &t) != KZT_OK)
		return KZT_ERR_PARSE;
	while (t.len > 0 && t.val[0] == 0) {
		t.val++;
		t.len--;
	}
	if (t.len == 0 || t.len > cap)
		return KZT_ERR_PARSE;
	memcpy(dst, t.val, t.len);
	*len = t.len;
	return KZT_OK;
}

static int
decode_key(const uint8_t *p, size_t n, kzt_rsa_key *k)
{
	int r;

	memset(k, 0, sizeof(*k));
	r = get_component(p, n, KZT_TAG_RSA_N, k->n, sizeof(k->n), &k->n_len) ||
	    get_component(p, n, KZT_TAG_RSA_E, k->e, sizeof(k->e), &k->e_len) ||
	    get_component(p, n, KZT_TAG_RSA_D, k->d, sizeof(k->d), &k->d_len) ||
	    get_component(p, n, KZT_TAG_RSA_P, k->p, sizeof(k->p), &k->p_len) ||
	    get_component(p, n, KZT_TAG_RSA_Q, k->q, sizeof(k->q), &k->q_len) ||
	    get_component(p, n, KZT_TAG_RSA_DP, k->dp, sizeof(k->dp), &k->dp_len) ||
	    get_component(p, n, KZT_TAG_RSA_DQ, k->dq, sizeof(k->dq), &k->dq_len) ||
	    get_component(p, n, KZT_TAG_RSA_QINV, k->qinv, sizeof(k->qinv), &k->qinv_len);
	if (r != KZT_OK) {
		kzt_secure_zero(k, sizeof(*k));
		return KZT_ERR_PARSE;
	}
	return KZT_OK;
}

/* A private key object from components: value = the public part, key = material. */
static int
make_private_object(const kzt_rsa_key *k, const kzt_tlv *blob, uint8_t flags, kzt_card_object *o)
{
	uint8_t pub[KZT_RSA_MAX_BYTES + 32], *mat;
	size_t cap = 8 * (KZT_RSA_MAX_BYTES + 4);
	kzt_buf b;
	int ok = 1;

	memset(o, 0, sizeof(*o));
	o->cls = KZT_CLASS_PRIVATE_KEY;
	o->flags = flags;
	kzt_buf_init(&b, pub, sizeof(pub));
	kzt_tlv_put(&b, KZT_TAG_PUB_MODULUS, k->n, k->n_len);
	kzt_tlv_put(&b, KZT_TAG_PUB_EXPONENT, k->e, k->e_len);
	if (b.err != KZT_OK || (mat = malloc(cap)) == NULL)
		return KZT_ERR_NOMEM;
	o->value = dup_bytes(pub, b.len, &ok);
	o->value_len = b.len;
	kzt_buf_init(&b, mat, cap);
	encode_key(k, &b);
	o->key = mat;
	o->key_len = b.len;
	o->blob = blob != NULL ? dup_bytes(blob->val, blob->len, &ok) : NULL;
	o->blob_len = blob != NULL ? blob->len : 0;
	if (!ok || b.err != KZT_OK) {
		kzt_card_object_clear(o);
		return KZT_ERR_NOMEM;
	}
	return KZT_OK;
}

/* ---- key objects' types ---- */

/* The curve of an elliptic-curve key object (its public value 99 curve 86 point,
 * for private and public keys alike), or 0 for an RSA key or no key. */
static uint8_t
ec_curve_of(const kzt_card_object *o)
{
	kzt_tlv t;

	if ((o->cls != KZT_CLASS_PRIVATE_KEY && o->cls != KZT_CLASS_PUBLIC_KEY) ||
	    kzt_tlv_find(o->value, o->value_len, KZT_TAG_EC_CURVE, &t) != KZT_OK || t.len != 1)
		return 0;
	return t.val[0];
}

/* In a key object's directory entry: 87 02 algorithm curve. */
static void
put_key_type(kzt_buf *b, const kzt_card_object *o)
{
	uint8_t type[2];

	if (o->cls != KZT_CLASS_PRIVATE_KEY && o->cls != KZT_CLASS_PUBLIC_KEY)
		return;
	type[1] = ec_curve_of(o);
	type[0] = type[1] != 0 ? KZT_ALG_EC : KZT_ALG_RSA;
	kzt_tlv_put(b, KZT_TAG_DIR_KEY_TYPE, type, 2);
}

/* ---- LIST / READ: a byte range of an image, 6310 while more remains ---- */

static uint16_t
emit_range(const uint8_t *img, size_t len, size_t off, uint32_t le, kzt_buf *out)
{
	size_t chunk = le != 0 && le < KZT_CARD_MAX_DATA ? le : KZT_CARD_MAX_DATA;

	if (off > len)
		return KZT_SW_WRONG_P1P2;
	if (len - off < chunk)
		chunk = len - off;
	kzt_buf_put(out, img + off, chunk);
	return off + chunk < len ? KZT_SW_MORE_DATA : KZT_SW_OK;
}

uint16_t
kzt_cmd_list_objects(kzt_card *card, kzt_card_session *s, const kzt_apdu *a, kzt_buf *out)
{
	kzt_card_state *st = &card->st;
	size_t i, cap = 64, mark;
	uint8_t *img;
	kzt_buf b;
	uint16_t sw;

	int private_only = 0;

	/* no data: every object this session may see; 01: its private objects only,
	 * after the change counter (capability 08) */
	if (a->lc == 1 && a->data[0] == KZT_LIST_PRIVATE)
		private_only = 1;
	else if (a->lc != 0)
		return a->lc == 1 ? KZT_SW_WRONG_DATA : KZT_SW_WRONG_LENGTH;
	if (private_only && !s->user_verified)
		return KZT_SW_SECURITY_STATUS;
	for (i = 0; i < st->nobjects; i++)
		cap += st->objects[i].blob_len + 32;
	if ((img = malloc(cap)) == NULL)
		return KZT_SW_MEMORY_FAILURE;
	kzt_buf_init(&b, img, cap);
	if (private_only)
		kzt_tlv_put_u32(&b, KZT_TAG_CHANGE_COUNTER, st->change_counter);
	for (i = 0; i < st->nobjects; i++) {
		const kzt_card_object *o = &st->objects[i];
		if ((o->flags & KZT_OBJF_PRIVATE) ? !s->user_verified : private_only)
			continue;
		kzt_tlv_begin(&b, KZT_TAG_DIR_ENTRY, &mark);
		kzt_tlv_put_u16(&b, KZT_TAG_OBJ_HANDLE, o->handle);
		kzt_tlv_put_u8(&b, KZT_TAG_OBJ_CLASS, o->cls);
		kzt_tlv_put_u8(&b, KZT_TAG_OBJ_FLAGS, o->flags);
		kzt_tlv_put_u32(&b, KZT_TAG_OBJ_SIZE, (uint32_t)o->value_len);
		kzt_tlv_put(&b, KZT_TAG_DIR_BLOB, o->blob, o->blob_len);
		put_key_type(&b, o);
		kzt_tlv_end(&b, mark);
	}
	sw = b.err == KZT_OK ? emit_range(img, b.len, (size_t)(a->p1 << 8 | a->p2), a->le, out)
			     : KZT_SW_UNKNOWN;
	free(img);
	return sw;
}

uint16_t
kzt_cmd_read_object(kzt_card *card, kzt_card_session *s, const kzt_apdu *a, kzt_buf *out)
{
	kzt_card_object *o;
	uint16_t sw;

	if (a->lc != 4)
		return KZT_SW_WRONG_LENGTH;
	if ((o = visible_object(card, s, (uint16_t)(a->p1 << 8 | a->p2), &sw)) == NULL)
		return sw;
	return emit_range(o->value, o->value_len, kzt_get_u32(a->data), a->le, out);
}

/* READ VALUES: for each handle asked for, in order, its value or the status word a
 * READ OBJECT of it would have had; the image from offset P1 P2. */
uint16_t
kzt_cmd_read_values(kzt_card *card, kzt_card_session *s, const kzt_apdu *a, kzt_buf *out)
{
	size_t i, n = a->lc / 2, cap = 16, mark;
	kzt_card_object *o;
	uint8_t *img;
	uint16_t sw, handle;
	kzt_buf b;

	if (a->lc == 0 || a->lc % 2 != 0 || n > KZT_READ_VALUES_MAX_HANDLES)
		return KZT_SW_WRONG_LENGTH;
	for (i = 0; i < n; i++) {
		handle = (uint16_t)(a->data[2 * i] << 8 | a->data[2 * i + 1]);
		o = visible_object(card, s, handle, &sw);
		cap += 16 + (o != NULL ? o->value_len : 0);
	}
	if (cap > KZT_READ_VALUES_MAX_IMAGE)
		return KZT_SW_WRONG_DATA; /* too much at once: ask for fewer */
	if ((img = malloc(cap)) == NULL)
		return KZT_SW_MEMORY_FAILURE;
	kzt_buf_init(&b, img, cap);
	for (i = 0; i < n; i++) {
		handle = (uint16_t)(a->data[2 * i] << 8 | a->data[2 * i + 1]);
		kzt_tlv_begin(&b, KZT_TAG_DIR_ENTRY, &mark);
		kzt_tlv_put_u16(&b, KZT_TAG_OBJ_HANDLE, handle);
		if ((o = visible_object(card, s, handle, &sw)) != NULL)
			kzt_tlv_put(&b, KZT_TAG_OBJ_VALUE, o->value, o->value_len);
		else
			kzt_tlv_put_u16(&b, KZT_TAG_OBJ_STATUS, sw);
		kzt_tlv_end(&b, mark);
	}
	sw = b.err == KZT_OK ? emit_range(img, b.len, (size_t)(a->p1 << 8 | a->p2), a->le, out)
			     : KZT_SW_UNKNOWN;
	free(img);
	return sw;
}

/* ---- CREATE / UPDATE / DELETE ---- */

static int
get_byte(const uint8_t *p, size_t n, uint32_t tag, uint8_t *v)
{
	kzt_tlv t;
	uint32_t x;

	if (kzt_tlv_find(p, n, tag, &t) != KZT_OK || kzt_tlv_get_uint(&t, 1, &x) != KZT_OK)
		return KZT_ERR_PARSE;
	*v = (uint8_t)x;
	return KZT_OK;
}

/* Optional element: KZT_OK with t->len 0 when absent, KZT_ERR_PARSE if malformed. */
static int
get_optional(const uint8_t *p, size_t n, uint32_t tag, kzt_tlv *t)
{
	int r = kzt_tlv_find(p, n, tag, t);

	if (r == KZT_ERR_NOT_FOUND) {
		t->val = NULL;
		t->len = 0;
		return KZT_OK;
	}
	return r;
}

uint16_t
kzt_cmd_create_object(kzt_card *card, kzt_card_session *s, const kzt_apdu *a, kzt_buf *out)
{
	kzt_card_object o;
	kzt_tlv blob, value, comps;
	kzt_rsa_key *key = NULL;
	uint8_t cls, flags;
	uint16_t sw;
	int ok = 1;

	if (!s->user_verified)
		return KZT_SW_SECURITY_STATUS;
	if (get_byte(a->data, a->lc, KZT_TAG_OBJ_CLASS, &cls) != KZT_OK ||
	    get_byte(a->data, a->lc, KZT_TAG_OBJ_FLAGS, &flags) != KZT_OK || cls > KZT_CLASS_PRIVATE_KEY ||
	    get_optional(a->data, a->lc, KZT_TAG_OBJ_BLOB, &blob) != KZT_OK ||
	    get_optional(a->data, a->lc, KZT_TAG_OBJ_VALUE, &value) != KZT_OK ||
	    get_optional(a->data, a->lc, KZT_TAG_RSA_COMPONENTS, &comps) != KZT_OK ||
	    blob.len > KZT_BLOB_MAX || (cls == KZT_CLASS_PRIVATE_KEY) != (comps.len > 0))
		return KZT_SW_WRONG_DATA;
	if (cls == KZT_CLASS_PRIVATE_KEY) {
		/* Imported keys must be whole and consistent; the value is derived. */
		if ((key = malloc(sizeof(*key))) == NULL)
			return KZT_SW_MEMORY_FAILURE;
		if (value.len != 0 || decode_key(comps.val, comps.len, key) != KZT_OK ||
		    kzt_card_rsa_check(key) != KZT_OK) {
			sw = KZT_SW_WRONG_DATA;
			goto out;
		}
		if (make_private_object(key, &blob, flags, &o) != KZT_OK) {
			sw = KZT_SW_MEMORY_FAILURE;
			goto out;
		}
	} else {
		memset(&o, 0, sizeof(o));
		o.cls = cls;
		o.flags = flags & (uint8_t)~(KZT_OBJF_SIGN | KZT_OBJF_DECRYPT);
		o.blob = dup_bytes(blob.val, blob.len, &ok);
		o.blob_len = blob.len;
		o.value = dup_bytes(value.val, value.len, &ok);
		o.value_len = value.len;
		if (!ok) {
			kzt_card_object_clear(&o);
			sw = KZT_SW_MEMORY_FAILURE;
			goto out;
		}
	}
	if (!fits(&card->st, o.blob_len + o.value_len + o.key_len, 1)) {
		kzt_card_object_clear(&o);
		sw = KZT_SW_NO_SPACE;
		goto out;
	}
	if ((sw = commit_new_objects(card, &o, 1)) != KZT_SW_OK)
		kzt_card_object_clear(&o);
	else
		kzt_tlv_put_u16(out, KZT_TAG_OBJ_HANDLE, card->st.objects[card->st.nobjects - 1].handle);
out:
	if (key != NULL) {
		kzt_secure_zero(key, sizeof(*key));
		free(key);
	}
	return sw;
}

uint16_t
kzt_cmd_update_object(kzt_card *card, kzt_card_session *s, const kzt_apdu *a)
{
	const uint8_t usage = KZT_OBJF_SIGN | KZT_OBJF_DECRYPT;
	kzt_card_object *o;
	uint8_t *old_blob, *neu = NULL, old_flags, flags;
	size_t old_len;
	kzt_tlv blob, f;
	uint16_t sw;
	int ok = 1;

	if (!s->user_verified)
		return KZT_SW_SECURITY_STATUS;
	if ((o = visible_object(card, s, (uint16_t)(a->p1 << 8 | a->p2), &sw)) == NULL)
		return sw;
	if (!(o->flags & KZT_OBJF_MODIFIABLE))
		return KZT_SW_CONDITIONS;
	if (kzt_tlv_find(a->data, a->lc, KZT_TAG_OBJ_BLOB, &blob) != KZT_OK ||
	    blob.len > KZT_BLOB_MAX || get_optional(a->data, a->lc, KZT_TAG_OBJ_FLAGS, &f) != KZT_OK)
		return KZT_SW_WRONG_DATA;
	flags = o->flags;
	if (f.val != NULL) { /* only the usage flags may change, and only a private key has them */
		if (f.len != 1 || ((f.val[0] ^ o->flags) & (uint8_t)~usage) != 0)
			return KZT_SW_WRONG_DATA;
		if (o->cls == KZT_CLASS_PRIVATE_KEY)
			flags = (uint8_t)((o->flags & ~usage) | (f.val[0] & usage));
	}
	if (blob.len > o->blob_len && !fits(&card->st, blob.len - o->blob_len, 0))
		return KZT_SW_NO_SPACE;
	if ((neu = dup_bytes(blob.val, blob.len, &ok)) == NULL && !ok)
		return KZT_SW_MEMORY_FAILURE;
	old_blob = o->blob;
	old_len = o->blob_len;
	old_flags = o->flags;
	o->blob = neu;
	o->blob_len = blob.len;
	o->flags = flags;
	card->st.change_counter++;
	if (kzt_card_commit(card) != KZT_OK) {
		o->blob = old_blob;
		o->blob_len = old_len;
		o->flags = old_flags;
		card->st.change_counter--;
		free(neu);
		return KZT_SW_MEMORY_FAILURE;
	}
	free(old_blob);
	return KZT_SW_OK;
}

uint16_t
kzt_cmd_delete_object(kzt_card *card, kzt_card_session *s, const kzt_apdu *a)
{
	kzt_card_state *st = &card->st;
	kzt_card_object *o, gone;
	size_t i;
	uint16_t sw;

	if (!s->user_verified)
		return KZT_SW_SECURITY_STATUS;
	if (a->lc != 0)
		return KZT_SW_WRONG_LENGTH;
	if ((o = visible_object(card, s, (uint16_t)(a->p1 << 8 | a->p2), &sw)) == NULL)
		return sw;
	i = (size_t)(o - st->objects);
	gone = *o;
	memmove(&st->objects[i], &st->objects[i + 1], (st->nobjects - i - 1) * sizeof(*o));
	st->nobjects--;
	st->change_counter++;
	if (kzt_card_commit(card) != KZT_OK) {
		memmove(&st->objects[i + 1], &st->objects[i], (st->nobjects - i) * sizeof(*o));
		st->objects[i] = gone;
		st->nobjects++;
		st->change_counter--;
		return KZT_SW_MEMORY_FAILURE;
	}
	if (s->sign_key == gone.handle)
		s->sign_key = 0;
	if (s->decipher_key == gone.handle)
		s->decipher_key = 0;
	kzt_card_object_clear(&gone);
	return KZT_SW_OK;
}

/* ---- GENERATE ASYMMETRIC KEY PAIR ---- */

/* The pair's two objects once made (each with its value, blob and flags; the
 * private one with its material), stored in one commit: then the answer's
 * handles. Clears both when it fails. */
static uint16_t
store_pair(kzt_card *card, kzt_card_object objs[2], kzt_buf *out)
{
	uint16_t sw;

	if (!fits(&card->st,
		  objs[0].blob_len + objs[0].value_len + objs[0].key_len + objs[1].blob_len + objs[1].value_len, 2))
		sw = KZT_SW_NO_SPACE;
	else
		sw = commit_new_objects(card, objs, 2);
	if (sw != KZT_SW_OK) {
		kzt_card_object_clear(&objs[0]);
		kzt_card_object_clear(&objs[1]);
		return sw;
	}
	kzt_tlv_put_u16(out, KZT_TAG_GEN_PRIV_HANDLE, card->st.objects[card->st.nobjects - 2].handle);
	kzt_tlv_put_u16(out, KZT_TAG_GEN_PUB_HANDLE, card->st.objects[card->st.nobjects - 1].handle);
	return KZT_SW_OK;
}

/* The public key object of a pair: the private one's value, the flags without
 * any usage (a public key neither signs nor decrypts on the card). */
static int
public_half(const kzt_card_object *priv, const kzt_tlv *blob, uint8_t flags, kzt_card_object *pub)
{
	int ok = 1;

	memset(pub, 0, sizeof(*pub));
	pub->cls = KZT_CLASS_PUBLIC_KEY;
	pub->flags = flags & (uint8_t)~(KZT_OBJF_SIGN | KZT_OBJF_DECRYPT);
	pub->value = dup_bytes(priv->value, priv->value_len, &ok);
	pub->value_len = priv->value_len;
	pub->blob = dup_bytes(blob->val, blob->len, &ok);
	pub->blob_len = blob->len;
	return ok ? KZT_OK : KZT_ERR_NOMEM;
}

/* An elliptic-curve pair: 80 01 02, 87 01 curve, and the blobs and flags as for
 * RSA; the answer 7F49 { 86 point } and the handles. */
static uint16_t
generate_ec(kzt_card *card, const kzt_apdu *a, kzt_buf *out)
{
	const uint8_t *p = a->data;
	size_t n = a->lc, mark, mat_len, point_len, start;
	uint8_t curve, priv_flags, pub_flags, mat[4 * KZT_CARD_EC_POINT_MAX], point[KZT_CARD_EC_POINT_MAX];
	kzt_tlv priv_blob, pub_blob;
	kzt_card_object objs[2];
	uint16_t sw;
	int ok = 1;

	if (get_byte(p, n, KZT_TAG_GEN_CURVE, &curve) != KZT_OK ||
	    get_byte(p, n, KZT_TAG_GEN_PRIV_FLAGS, &priv_flags) != KZT_OK ||
	    get_byte(p, n, KZT_TAG_GEN_PUB_FLAGS, &pub_flags) != KZT_OK ||
	    get_optional(p, n, KZT_TAG_GEN_PRIV_BLOB, &priv_blob) != KZT_OK ||
	    get_optional(p, n, KZT_TAG_GEN_PUB_BLOB, &pub_blob) != KZT_OK || priv_blob.len > KZT_BLOB_MAX ||
	    pub_blob.len > KZT_BLOB_MAX || (priv_flags & KZT_OBJF_DECRYPT))
		return KZT_SW_WRONG_DATA; /* (an EC key here signs; it deciphers nothing) */
	if (!kzt_card_ec_known(curve))
		return KZT_SW_WRONG_DATA; /* (before the key generation's delay) */
	if (card->keygen_delay != 0)
		kzt_os_sleep_ms(card->keygen_delay * 1000u);
	if (kzt_card_ec_generate(curve, mat, sizeof(mat), &mat_len, point, &point_len) != KZT_OK) {
		kzt_secure_zero(mat, sizeof(mat));
		return KZT_SW_UNKNOWN;
	}
	memset(&objs[0], 0, sizeof(objs[0]));
	objs[0].cls = KZT_CLASS_PRIVATE_KEY;
	objs[0].flags = priv_flags;
	objs[0].key = dup_bytes(mat, mat_len, &ok);
	objs[0].key_len = mat_len;
	kzt_secure_zero(mat, sizeof(mat));
	objs[0].blob = dup_bytes(priv_blob.val, priv_blob.len, &ok);
	objs[0].blob_len = priv_blob.len;
	if (ok && objs[0].key != NULL) {
		uint8_t value[KZT_CARD_EC_POINT_MAX + 8], c2;
		size_t value_len;

		if (kzt_card_ec_public_value(objs[0].key, objs[0].key_len, &c2, value, sizeof(value), &value_len) !=
		    KZT_OK) {
			ok = 0;
		} else {
			objs[0].value = dup_bytes(value, value_len, &ok);
			objs[0].value_len = value_len;
		}
	}
	memset(&objs[1], 0, sizeof(objs[1]));
	if (!ok || public_half(&objs[0], &pub_blob, pub_flags, &objs[1]) != KZT_OK) {
		kzt_card_object_clear(&objs[0]);
		kzt_card_object_clear(&objs[1]);
		return KZT_SW_MEMORY_FAILURE;
	}
	start = out->len;
	kzt_tlv_begin(out, KZT_TAG_PUBLIC_KEY, &mark);
	kzt_tlv_put(out, KZT_TAG_EC_POINT, point, point_len);
	kzt_tlv_end(out, mark);
	if ((sw = store_pair(card, objs, out)) != KZT_SW_OK)
		out->len = start; /* (nothing of the answer when nothing was stored) */
	return sw;
}

uint16_t
kzt_cmd_generate_key_pair(kzt_card *card, kzt_card_session *s, const kzt_apdu *a, kzt_buf *out)
{
	const uint8_t *p = a->data;
	size_t n = a->lc, mark, start;
	kzt_tlv bits_t, exp, priv_blob, pub_blob;
	kzt_card_object objs[2];
	kzt_rsa_key *key;
	uint8_t alg, priv_flags, pub_flags;
	uint32_t bits;
	uint16_t sw;

	if (!s->user_verified)
		return KZT_SW_SECURITY_STATUS;
	if (a->p1 != 0x80 || a->p2 != 0x00)
		return KZT_SW_WRONG_P1P2;
	if (get_byte(p, n, KZT_TAG_GEN_ALGORITHM, &alg) == KZT_OK && alg == KZT_ALG_EC)
		return generate_ec(card, a, out);
	if (get_byte(p, n, KZT_TAG_GEN_ALGORITHM, &alg) != KZT_OK || alg != KZT_ALG_RSA ||
	    kzt_tlv_find(p, n, KZT_TAG_GEN_BITS, &bits_t) != KZT_OK ||
	    kzt_tlv_get_uint(&bits_t, 2, &bits) != KZT_OK ||
	    (bits != 2048 && bits != 3072 && bits != 4096) ||
	    kzt_tlv_find(p, n, KZT_TAG_GEN_EXPONENT, &exp) != KZT_OK || exp.len == 0 || exp.len > 8 ||
	    get_byte(p, n, KZT_TAG_GEN_PRIV_FLAGS, &priv_flags) != KZT_OK ||
	    get_byte(p, n, KZT_TAG_GEN_PUB_FLAGS, &pub_flags) != KZT_OK ||
	    get_optional(p, n, KZT_TAG_GEN_PRIV_BLOB, &priv_blob) != KZT_OK ||
	    get_optional(p, n, KZT_TAG_GEN_PUB_BLOB, &pub_blob) != KZT_OK ||
	    priv_blob.len > KZT_BLOB_MAX || pub_blob.len > KZT_BLOB_MAX)
		return KZT_SW_WRONG_DATA;
	if ((key = malloc(sizeof(*key))) == NULL)
		return KZT_SW_MEMORY_FAILURE;
	if (card->keygen_delay != 0) /* a real card's keygen can take minutes */
		kzt_os_sleep_ms(card->keygen_delay * 1000u);
	if (kzt_card_rsa_generate(bits, exp.val, exp.len, key) != KZT_OK) {
		sw = KZT_SW_WRONG_DATA; /* e.g. an exponent the engine refuses */
		goto out;
	}
	if (make_private_object(key, &priv_blob, priv_flags, &objs[0]) != KZT_OK) {
		sw = KZT_SW_MEMORY_FAILURE;
		goto out;
	}
	memset(&objs[1], 0, sizeof(objs[1]));
	if (public_half(&objs[0], &pub_blob, pub_flags, &objs[1]) != KZT_OK) {
		kzt_card_object_clear(&objs[0]);
		kzt_card_object_clear(&objs[1]);
		sw = KZT_SW_MEMORY_FAILURE;
		goto out;
	}
	start = out->len;
	kzt_tlv_begin(out, KZT_TAG_PUBLIC_KEY, &mark);
	kzt_tlv_put(out, KZT_TAG_PUB_MODULUS, key->n, key->n_len);
	kzt_tlv_put(out, KZT_TAG_PUB_EXPONENT, key->e, key->e_len);
	kzt_tlv_end(out, mark);
	if ((sw = store_pair(card, objs, out)) != KZT_SW_OK)
		out->len = start;
out:
	kzt_secure_zero(key, sizeof(*key));
	free(key);
	return sw;
}

/* ---- MSE SET and PSO ---- */

/* The MSE algorithm a private key computes: raw RSA, ECDSA or GOST by its curve. */
static uint8_t
algorithm_of(const kzt_card_object *o)
{
	uint8_t curve = ec_curve_of(o);

	return curve == 0 ? KZT_ALG_RSA_RAW : kzt_card_ec_is_gost(curve) ? KZT_ALG_GOST : KZT_ALG_ECDSA;
}

uint16_t
kzt_cmd_mse(kzt_card *card, kzt_card_session *s, const kzt_apdu *a)
{
	kzt_card_object *o;
	kzt_tlv t;
	uint8_t alg;
	uint32_t handle;

	if (a->p1 != KZT_P1_MSE_SET_COMPUTE || (a->p2 != KZT_P2_MSE_DST && a->p2 != KZT_P2_MSE_CT))
		return KZT_SW_WRONG_P1P2;
	if (kzt_tlv_find(a->data, a->lc, KZT_TAG_MSE_KEY, &t) != KZT_OK ||
	    kzt_tlv_get_uint(&t, 2, &handle) != KZT_OK ||
	    get_byte(a->data, a->lc, KZT_TAG_MSE_ALGORITHM, &alg) != KZT_OK)
		return KZT_SW_WRONG_DATA;
	if (alg != KZT_ALG_RSA_RAW && alg != KZT_ALG_ECDSA && alg != KZT_ALG_GOST)
		return KZT_SW_FUNC_UNSUPPORTED;
	o = find_object(&card->st, (uint16_t)handle);
	if (o == NULL || o->cls != KZT_CLASS_PRIVATE_KEY)
		return KZT_SW_REF_NOT_FOUND;
	if (!(o->flags & (a->p2 == KZT_P2_MSE_DST ? KZT_OBJF_SIGN : KZT_OBJF_DECRYPT)))
		return KZT_SW_CONDITIONS;
	if (alg != algorithm_of(o) || (alg != KZT_ALG_RSA_RAW && a->p2 != KZT_P2_MSE_DST))
		return KZT_SW_CONDITIONS; /* not this key's algorithm, or an EC key to decipher with */
	if (a->p2 == KZT_P2_MSE_DST)
		s->sign_key = (uint16_t)handle;
	else
		s->decipher_key = (uint16_t)handle;
	return KZT_SW_OK;
}

/* An elliptic-curve signature of the hash in with o's key, computed with the card
 * lock let go (on a copy of the material: o may go meanwhile). */
static int
ec_sign(kzt_card *card, const kzt_card_object *o, const uint8_t *in, size_t in_len, uint8_t *out,
	size_t *out_len)
{
	uint8_t mat[4 * KZT_CARD_EC_POINT_MAX], alg = algorithm_of(o);
	size_t len = o->key_len;
	int r;

	if (len > sizeof(mat))
		return KZT_ERR_CARD;
	memcpy(mat, o->key, len);
	if (card->lock != NULL)
		kzt_os_mutex_unlock(card->lock);
	r = kzt_card_ec_sign(mat, len, alg, in, in_len, out, out_len);
	kzt_secure_zero(mat, sizeof(mat));
	if (card->lock != NULL)
		kzt_os_mutex_lock(card->lock);
	return r;
}

/* The raw private operation with o's key: its kept state (prepared now on first
 * use), computed with the card lock let go; an EC key's signature, as ec_sign. */
static int
private_op(kzt_card *card, kzt_card_object *o, const uint8_t *in, size_t in_len, uint8_t *out,
	   size_t *out_len)
{
	kzt_card_rsa_keep *keep;
	kzt_rsa_private *state;
	kzt_rsa_key *key = NULL;
	int r;

	if (ec_curve_of(o) != 0)
		return ec_sign(card, o, in, in_len, out, out_len);
	if ((r = kzt_card_rsa_take(&o->keep, &state)) != KZT_OK)
		return r;
	keep = o->keep; /* (o itself may move or go while the lock is let go) */
	if (state == NULL) {
		if ((key = malloc(sizeof(*key))) == NULL)
			r = KZT_ERR_NOMEM;
		else if (decode_key(o->key, o->key_len, key) != KZT_OK)
			r = KZT_ERR_CARD;
	}
	if (card->lock != NULL)
		kzt_os_mutex_unlock(card->lock);
	if (r == KZT_OK && state == NULL)
		r = kzt_card_rsa_prepare(key, &state);
	if (r == KZT_OK) {
		*out_len = state->k;
		if (in_len != state->k)
			r = KZT_ERR_DATA;
		else
			r = kzt_rsa_private_op(state, in, out);
	}
	if (key != NULL) {
		kzt_secure_zero(key, sizeof(*key));
		free(key);
	}
	if (card->lock != NULL)
		kzt_os_mutex_lock(card->lock);
	kzt_card_rsa_give(keep, state);
	return r;
}

uint16_t
kzt_cmd_pso(kzt_card *card, kzt_card_session *s, const kzt_apdu *a, kzt_buf *out)
{
	uint16_t p1p2 = (uint16_t)(a->p1 << 8 | a->p2), handle, sw;
	const uint8_t *in = a->data;
	size_t in_len = a->lc, len = 0;
	uint8_t result[KZT_RSA_MAX_BYTES];
	kzt_card_object *o;
	int r;

	if (p1p2 != KZT_P1P2_PSO_CDS && p1p2 != KZT_P1P2_PSO_DECIPHER)
		return KZT_SW_WRONG_P1P2;
	if (!s->user_verified)
		return KZT_SW_SECURITY_STATUS;
	handle = p1p2 == KZT_P1P2_PSO_CDS ? s->sign_key : s->decipher_key;
	if (handle == 0 || (o = find_object(&card->st, handle)) == NULL)
		return KZT_SW_CONDITIONS; /* no key selected by MSE SET */
	/* (checked again here, not only at MSE SET: its usage may have changed since) */
	if (o->cls != KZT_CLASS_PRIVATE_KEY ||
	    !(o->flags & (p1p2 == KZT_P1P2_PSO_CDS ? KZT_OBJF_SIGN : KZT_OBJF_DECRYPT)))
		return KZT_SW_CONDITIONS;
	if (p1p2 == KZT_P1P2_PSO_DECIPHER) {
		if (algorithm_of(o) != KZT_ALG_RSA_RAW)
			return KZT_SW_CONDITIONS;
		if (in_len < 1 || in[0] != 0x00) /* padding indicator: none */
			return KZT_SW_WRONG_DATA;
		in++;
		in_len--;
	}
	r = private_op(card, o, in, in_len, result, &len);
	if (r == KZT_OK)
		sw = kzt_buf_put(out, result, len) == KZT_OK ? KZT_SW_OK : KZT_SW_UNKNOWN;
	else
		sw = r == KZT_ERR_DATA ? KZT_SW_WRONG_DATA : KZT_SW_UNKNOWN;
	kzt_secure_zero(result, sizeof(result));
	return sw;
}
