/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* The cache of public objects on disk (`cache = public`): what a token's listing
 * showed of its public token objects, with the values read, kept per user and
 * per token so that the next start asks the card only whether its change counter
 * is still the one the file was written at. Never anything private: no private
 * object, no session object, no PIN. The file:
 *
 *   "KZTPUB" 01  serial(8)  counter(4)  count(4)
 *   count x { handle(2) class(1) flags(1) value size(4) blob size(2) has value(1)
 *             blob  [value: value size bytes, when has value is 1] }
 *   SHA-256 of everything before it (32)
 *
 * all numbers big-endian. A file that is malformed, fails its digest, is for
 * another serial or holds anything private is not used (and is replaced at the
 * next save). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "crypto.h"
#include "file.h"
#include "internal.h"
#include "kzt_err.h"
#include "log.h"

#define MAGIC "KZTPUB"
#define MAGIC_LEN 6
#define VERSION 1
#define HEAD_LEN (MAGIC_LEN + 1 + KZT_SERIAL_LEN + 4 + 4)
#define ENTRY_HEAD_LEN 11
#define DIGEST_LEN 32
#define MAX_ENTRIES 4096
#define MAX_VALUE (1u << 20)
#define MAX_FILE (16u << 20)

/* Is e a public token object, the only kind the file holds? */
static int
is_public_token_object(uint8_t flags, const uint8_t *blob, size_t blob_len)
{
	const uint8_t *tag;
	size_t tag_len;

	return !(flags & KZT_OBJF_PRIVATE) &&
	       kzt_attrs_blob_find(blob, blob_len, KZT_CKA_SESSION_OWNER, &tag, &tag_len) == KZT_ERR_NOT_FOUND;
}

int
kzt_diskcache_encode(const kzt_objcache *c, const uint8_t serial[KZT_SERIAL_LEN], uint8_t **out, size_t *len)
{
	const kzt_cached *e;
	size_t n = HEAD_LEN + DIGEST_LEN, count = 0;
	uint8_t *b;
	kzt_buf w;

	*out = NULL;
	*len = 0;
	if (!c->valid)
		return KZT_ERR_NOT_FOUND;
	for (e = c->list; e != NULL; e = e->next) {
		if (!is_public_token_object(e->flags, e->blob, e->blob_len))
			continue;
		n += ENTRY_HEAD_LEN + e->blob_len + (e->has_value ? e->value_len : 0);
		count++;
	}
	if (count > MAX_ENTRIES || n > MAX_FILE)
		return KZT_ERR_TOO_LARGE;
	if ((b = malloc(n)) == NULL)
		return KZT_ERR_NOMEM;
	kzt_buf_init(&w, b, n - DIGEST_LEN);
	kzt_buf_put(&w, MAGIC, MAGIC_LEN);
	kzt_buf_put_u8(&w, VERSION);
	kzt_buf_put(&w, serial, KZT_SERIAL_LEN);
	kzt_buf_put_u32(&w, c->counter);
	kzt_buf_put_u32(&w, (uint32_t)count);
	for (e = c->list; e != NULL; e = e->next) {
		if (!is_public_token_object(e->flags, e->blob, e->blob_len))
			continue;
		kzt_buf_put_u16(&w, e->card);
		kzt_buf_put_u8(&w, e->cls);
		kzt_buf_put_u8(&w, e->flags);
		kzt_buf_put_u32(&w, e->value_len);
		kzt_buf_put_u16(&w, (uint16_t)e->blob_len);
		kzt_buf_put_u8(&w, e->has_value ? 1 : 0);
		kzt_buf_put(&w, e->blob, e->blob_len);
		if (e->has_value)
			kzt_buf_put(&w, e->value, e->value_len);
	}
	if (w.err != KZT_OK || w.len != n - DIGEST_LEN || kzt_hash_once(KZT_SHA256, b, w.len, b + w.len) != KZT_OK) {
		free(b);
		return KZT_ERR_NOMEM;
	}
	*out = b;
	*len = n;
	return KZT_OK;
}

int
kzt_diskcache_decode(const uint8_t *data, size_t len, const uint8_t serial[KZT_SERIAL_LEN], const kzt_token *t,
		     kzt_objcache *c)
{
	uint8_t digest[DIGEST_LEN];
	const uint8_t *p, *end;
	uint32_t count, i;
	kzt_dir_entry e;
	kzt_attrs attrs;
	int has, r;

	kzt_objcache_drop(c);
	if (len < HEAD_LEN + DIGEST_LEN || len > MAX_FILE || memcmp(data, MAGIC, MAGIC_LEN) != 0 ||
	    data[MAGIC_LEN] != VERSION)
		return KZT_ERR_PARSE;
	end = data + len - DIGEST_LEN;
	if (kzt_hash_once(KZT_SHA256, data, (size_t)(end - data), digest) != KZT_OK)
		return KZT_ERR_NOMEM;
	if (memcmp(digest, end, DIGEST_LEN) != 0 || memcmp(data + MAGIC_LEN + 1, serial, KZT_SERIAL_LEN) != 0)
		return KZT_ERR_PARSE;
	count = kzt_get_u32(data + MAGIC_LEN + 1 + KZT_SERIAL_LEN + 4);
	if (count > MAX_ENTRIES)
		return KZT_ERR_PARSE;
	p = data + HEAD_LEN;
	for (i = 0, r = KZT_OK; i < count && r == KZT_OK; i++) {
		if ((size_t)(end - p) < ENTRY_HEAD_LEN) {
			r = KZT_ERR_PARSE;
			break;
		}
		memset(&e, 0, sizeof(e));
		e.handle = kzt_get_u16(p);
		e.cls = p[2];
		e.flags = p[3];
		e.value_len = kzt_get_u32(p + 4);
		e.blob_len = kzt_get_u16(p + 8);
		has = p[10];
		p += ENTRY_HEAD_LEN;
		/* what a card listing would have to be, and nothing private */
		if (e.handle == 0 || e.handle == 0xFFFF || e.cls > KZT_CLASS_PRIVATE_KEY || has > 1 ||
		    e.blob_len > KZT_BLOB_MAX || (size_t)(end - p) < e.blob_len ||
		    (has && (e.value_len > MAX_VALUE || (size_t)(end - p) - e.blob_len < e.value_len)) ||
		    e.cls == KZT_CLASS_PRIVATE_KEY) {
			r = KZT_ERR_PARSE;
			break;
		}
		e.blob = p;
		p += e.blob_len;
		memset(&attrs, 0, sizeof(attrs));
		r = is_public_token_object(e.flags, e.blob, e.blob_len) &&
			    kzt_attrs_decode(e.blob, e.blob_len, &attrs) == KZT_OK
			    ? KZT_OK
			    : KZT_ERR_PARSE;
		kzt_attrs_free(&attrs);
		if (r != KZT_OK)
			break;
		if (has && e.cls == KZT_CLASS_PUBLIC_KEY) {
			const uint8_t *n, *x;
			size_t n_len, x_len;
			uint8_t curve;
			int ec = kzt_ec_value_parse(p, e.value_len, &curve, &n, &n_len);

			if (ec == KZT_ERR_CARD ||
			    (ec == KZT_ERR_NOT_FOUND &&
			     kzt_key_value_parse(p, e.value_len, &n, &n_len, &x, &x_len) != KZT_OK)) {
				r = KZT_ERR_PARSE;
				break;
			}
		}
		if (kzt_objcache_by_card(c, e.handle) != NULL) {
			r = KZT_ERR_PARSE; /* one object twice */
			break;
		}
		r = kzt_objcache_add(c, &e, p, has);
		if (has)
			p += e.value_len;
	}
	if (r == KZT_OK && p != end)
		r = KZT_ERR_PARSE;
	if (r != KZT_OK) {
		kzt_objcache_drop(c);
		return r;
	}
	kzt_objcache_loaded(c, t, kzt_get_u32(data + MAGIC_LEN + 1 + KZT_SERIAL_LEN));
	return KZT_OK;
}

/* The file for the token of serial: <cache>/kaztoken/<SERIAL>.objects, where
 * <cache> is $XDG_CACHE_HOME (an absolute path), else ~/.cache; on Windows
 * %LOCALAPPDATA%. make: the directories are made when missing. */
static int
file_path(const uint8_t serial[KZT_SERIAL_LEN], int make, char *out, size_t cap)
{
	char base[KZT_CONFIG_PATH_MAX], dir[KZT_CONFIG_PATH_MAX + 16];
	const char *v;
	int i, n;

#ifdef _WIN32
	if ((v = getenv("LOCALAPPDATA")) == NULL || v[0] == '\0')
		return KZT_ERR_NOT_FOUND;
	n = snprintf(base, sizeof(base), "%s", v);
#else
	if ((v = getenv("XDG_CACHE_HOME")) != NULL && v[0] == '/')
		n = snprintf(base, sizeof(base), "%s", v);
	else if ((v = getenv("HOME")) != NULL && v[0] == '/')
		n = snprintf(base, sizeof(base), "%s/.cache", v);
	else
		return KZT_ERR_NOT_FOUND;
#endif
	if (n < 0 || (size_t)n >= sizeof(base))
		return KZT_ERR_ARGS;
	snprintf(dir, sizeof(dir), "%s/kaztoken", base);
	if (make && (kzt_os_dir_make(base) != KZT_OK || kzt_os_dir_make(dir) != KZT_OK))
		return KZT_ERR_IO;
	n = snprintf(out, cap, "%s/", dir);
	for (i = 0; i < KZT_SERIAL_LEN && n >= 0 && (size_t)n < cap; i++)
		n += snprintf(out + n, cap - (size_t)n, "%02X", serial[i]);
	if (n >= 0 && (size_t)n < cap)
		n += snprintf(out + n, cap - (size_t)n, ".objects");
	return n >= 0 && (size_t)n < cap ? KZT_OK : KZT_ERR_ARGS;
}

void
kzt_diskcache_load(kzt_slot *slot)
{
	const kzt_card_info *ci;
	char path[KZT_CONFIG_PATH_MAX + 64], why[128];
	uint8_t *data = NULL;
	size_t len = 0;
	int r;

	if (!kzt_mod.cfg.cache_public || slot->token == NULL || slot->cache.valid || slot->cache.list != NULL)
		return;
	ci = kzt_token_card_info(slot->token);
	if (file_path(ci->serial, 0, path, sizeof(path)) != KZT_OK)
		return;
	r = kzt_os_file_read(path, MAX_FILE, &data, &len, why, sizeof(why));
	if (r == KZT_OK) {
		r = kzt_diskcache_decode(data, len, ci->serial, slot->token, &slot->cache);
		if (r == KZT_OK) {
			kzt_hash_once(KZT_SHA256, data, len, slot->disk_saved);
			slot->disk_saved_valid = 1;
			kzt_log(KZT_LOG_INFO, "slot %lu: public objects from the cache %s", slot->id, path);
		} else {
			kzt_log(KZT_LOG_ERROR, "slot %lu: the cache %s is damaged or not this token's: not used",
				slot->id, path);
		}
	} else if (r != KZT_ERR_NOT_FOUND) {
		kzt_log(KZT_LOG_ERROR, "slot %lu: the cache %s cannot be read (%s): not used", slot->id, path, why);
	}
	free(data);
}

void
kzt_diskcache_save(kzt_slot *slot)
{
	char path[KZT_CONFIG_PATH_MAX + 64];
	uint8_t *data, digest[DIGEST_LEN];
	size_t len;

	/* (a listing that left out session objects to look at again under a login
	 * is not one to start from: the next start lists everything) */
	if (!kzt_mod.cfg.cache_public || slot->token == NULL || slot->cache.relist ||
	    kzt_diskcache_encode(&slot->cache, kzt_token_card_info(slot->token)->serial, &data, &len) != KZT_OK)
		return;
	if (kzt_hash_once(KZT_SHA256, data, len, digest) == KZT_OK &&
	    !(slot->disk_saved_valid && memcmp(digest, slot->disk_saved, DIGEST_LEN) == 0)) {
		if (file_path(kzt_token_card_info(slot->token)->serial, 1, path, sizeof(path)) == KZT_OK &&
		    kzt_os_file_replace(path, data, len) == KZT_OK) {
			memcpy(slot->disk_saved, digest, DIGEST_LEN);
			slot->disk_saved_valid = 1;
		} else {
			kzt_log(KZT_LOG_ERROR, "slot %lu: the cache of public objects cannot be written", slot->id);
		}
	}
	free(data);
}
