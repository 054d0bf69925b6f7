/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* The token driver: the KAZTOKEN applet as C functions, one per command. The only
 * layer that knows applet commands and status words. Not thread-safe: the caller
 * holds the slot's card lock around every call. */
#ifndef KZT_TOKEN_H
#define KZT_TOKEN_H

#include <stddef.h>
#include <stdint.h>

#include "kzt_proto.h"
#include "transport.h"

typedef enum kzt_role {
	KZT_ROLE_USER = KZT_PIN_USER,
	KZT_ROLE_ADMIN = KZT_PIN_ADMIN,
} kzt_role;

/* From SELECT's FCI: what the applet is and can do. */
typedef struct kzt_card_info {
	uint8_t version_major, version_minor;
	uint8_t serial[KZT_SERIAL_LEN];
	uint8_t capabilities; /* KZT_CAP_* */
	size_t max_command, max_response;
} kzt_card_info;

typedef struct kzt_pin_status {
	uint8_t tries_left, max_tries, min_len, max_len;
	int is_default; /* the factory PIN, known to everyone, is in force */
} kzt_pin_status;

/* GET DATA "token state": everything C_GetTokenInfo shows, in one APDU. */
typedef struct kzt_token_state {
	uint8_t label[KZT_LABEL_MAX];
	size_t label_len; /* 0: never named */
	uint8_t serial[KZT_SERIAL_LEN];
	uint32_t change_counter, mem_total, mem_free;
	uint8_t policy; /* KZT_POLICY_* */
	kzt_pin_status user, admin;
} kzt_token_state;

/* FORMAT parameters; a NULL pointer or 0 means "factory default". */
typedef struct kzt_format_params {
	const uint8_t *label;
	size_t label_len;
	const uint8_t *user_pin, *admin_pin;
	size_t user_pin_len, admin_pin_len;
	uint8_t user_min_len, admin_min_len, user_tries, admin_tries, policy;
} kzt_format_params;

typedef struct kzt_token kzt_token;

/* Who the card has verified (kzt_token_verified): bits. */
#define KZT_VERIFIED_USER 1u
#define KZT_VERIFIED_ADMIN 2u

/* Connect through tr (not owned; it must outlive the token), check the ATR and
 * SELECT the applet. KZT_ERR_NO_CARD: no card; KZT_ERR_NOT_FOUND: a card that is
 * not a KAZTOKEN. */
int kzt_token_open(kzt_transport *tr, kzt_token **out);
/* Free the token (the transport stays) and set *t to NULL. */
void kzt_token_free(kzt_token **t);
const kzt_card_info *kzt_token_card_info(const kzt_token *t);

/* The card's security state as the driver knows it: KZT_VERIFIED_* bits. The driver
 * is its only owner: every command that changes it (VERIFY and its log-out form,
 * a failed CHANGE REFERENCE DATA, RESET RETRY COUNTER with a new PIN, FORMAT) and
 * every answer that shows it gone (69 82, a transport failure) updates it in the
 * one place that sends commands, so it never disagrees with the card's answers. */
unsigned kzt_token_verified(const kzt_token *t);
/* A value that changes whenever kzt_token_verified may have, never repeated in
 * this process (a token opened anew gets a fresh one): what a cache of things read
 * under one security state is tagged with. */
uint64_t kzt_token_auth_epoch(const kzt_token *t);

int kzt_token_read_state(kzt_token *t, kzt_token_state *st);

/* VERIFY: KZT_OK, KZT_ERR_PIN_INCORRECT (a try was spent), KZT_ERR_PIN_LOCKED. */
int kzt_token_verify(kzt_token *t, kzt_role role, const uint8_t *pin, size_t len);
/* VERIFY P1=FF: forget the role's verification. */
int kzt_token_logout(kzt_token *t, kzt_role role);
/* CHANGE REFERENCE DATA with the old PIN. KZT_ERR_POLICY when the token's policy
 * does not let this role change it; KZT_ERR_PIN_LEN for a new PIN out of range. */
int kzt_token_change_pin(kzt_token *t, kzt_role role, const uint8_t *old_pin, size_t old_len,
			 const uint8_t *new_pin, size_t new_len);
/* RESET RETRY COUNTER (admin verified first): new_pin NULL unblocks and keeps the
 * user PIN; otherwise it is replaced (needs the policy to allow the admin). */
int kzt_token_reset_user_pin(kzt_token *t, const uint8_t *new_pin, size_t new_len);
/* FORMAT (admin verified first): objects erased, state from p, all logins end. */
int kzt_token_format(kzt_token *t, const kzt_format_params *p);

/* ---- objects (objects.c) ---- */

/* One directory entry; blob points into the directory image it came from. */
typedef struct kzt_dir_entry {
	uint16_t handle;
	uint8_t cls, flags; /* KZT_CLASS_*, KZT_OBJF_* */
	uint32_t value_len;
	const uint8_t *blob;
	size_t blob_len;
} kzt_dir_entry;

/* The whole directory (the entries this login may see), in as few APDUs as the
 * card's response size allows. *dir is malloc'd: the caller frees it. */
int kzt_token_list_objects(kzt_token *t, uint8_t **dir, size_t *len);
/* Walk a directory image: KZT_OK with the next entry, KZT_ERR_NOT_FOUND at the
 * end, KZT_ERR_CARD when the image is malformed. */
int kzt_dir_next(const uint8_t **p, size_t *n, kzt_dir_entry *e);
/* A key object's value as the card writes it: its modulus and public exponent
 * (pointers into v). KZT_ERR_CARD when malformed. */
int kzt_key_value_parse(const uint8_t *v, size_t len, const uint8_t **n, size_t *n_len,
			const uint8_t **e, size_t *e_len);
/* An elliptic-curve key object's value as the card writes it: its curve
 * (KZT_CURVE_*) and public point 04 || x || y (a pointer into v).
 * KZT_ERR_NOT_FOUND when v is not an EC key's (an RSA key's); KZT_ERR_CARD when
 * malformed or on a curve the driver does not know. */
int kzt_ec_value_parse(const uint8_t *v, size_t len, uint8_t *curve, const uint8_t **point,
		       size_t *point_len);
/* ...and the reverse, for a public key the module copies (KZT_ERR_ARGS for a
 * point not of the curve's size). */
int kzt_ec_value_build(uint8_t curve, const uint8_t *point, size_t point_len, uint8_t *out, size_t cap,
		       size_t *len);
/* The size in bytes of a coordinate on a card curve (KZT_CURVE_*); 0 when unknown. */
size_t kzt_curve_bytes(uint8_t curve);
/* ...and the reverse, for a public key created by the module. */
int kzt_key_value_build(const uint8_t *n, size_t n_len, const uint8_t *e, size_t e_len,
			uint8_t *out, size_t cap, size_t *len);
/* LIST OBJECTS of the private objects alone (the card has KZT_CAP_LIST_PRIVATE;
 * KZT_ERR_NOT_SUPPORTED otherwise; the user verified), with the change counter
 * the card had when it made the listing. *dir as kzt_token_list_objects's;
 * KZT_ERR_CARD when the image is malformed or lists a public object. */
int kzt_token_list_private(kzt_token *t, uint8_t **dir, size_t *len, uint32_t *counter);
/* Was the card's last answer the token state (kzt_token_read_state)? Then 1 with
 * the change counter it gave; 0 otherwise. Either way, asked once: the next call
 * says 0 until the state is read again. */
int kzt_token_counter_take(kzt_token *t, uint32_t *counter);
/* An object's whole value; *val is malloc'd (NULL for an empty value). */
int kzt_token_read_object(kzt_token *t, uint16_t handle, uint8_t **val, size_t *len);
/* Several objects' values in one READ VALUES (the card has KZT_CAP_READ_VALUES;
 * KZT_ERR_NOT_SUPPORTED otherwise): n handles, at most
 * KZT_READ_VALUES_MAX_HANDLES, whose values and framing fit
 * KZT_READ_VALUES_MAX_IMAGE. got(ctx, handle, value, len, status) is called for
 * each, in order, once the whole answer is in and checked: status KZT_OK with the
 * value (pointing into a buffer freed after the call), or what a READ OBJECT of it
 * would have returned (not found, not allowed). KZT_ERR_CARD when the answer is not
 * one entry per handle asked for, in order; got's own error, when it returns one,
 * stops the calls and is returned. */
int kzt_token_read_values(kzt_token *t, const uint16_t *handles, size_t n,
			  int (*got)(void *ctx, uint16_t handle, const uint8_t *value, size_t len, int status),
			  void *ctx);

/* RSA private key components for import, big-endian. */
typedef struct kzt_rsa_parts {
	const uint8_t *part[8]; /* n, e, d, p, q, dp, dq, qinv */
	size_t len[8];
} kzt_rsa_parts;

/* CREATE OBJECT. key is NULL except for a private key, which then has no value. */
int kzt_token_create_object(kzt_token *t, uint8_t cls, uint8_t flags, const uint8_t *blob,
			    size_t blob_len, const uint8_t *value, size_t value_len,
			    const kzt_rsa_parts *key, uint16_t *handle);
/* UPDATE OBJECT: a new attribute blob, and the flags (only a private key's sign
 * and decrypt flags may change; the others must be the object's own). */
int kzt_token_update_object(kzt_token *t, uint16_t handle, uint8_t flags, const uint8_t *blob,
			    size_t blob_len);
int kzt_token_delete_object(kzt_token *t, uint16_t handle);
int kzt_token_set_label(kzt_token *t, const uint8_t *label, size_t len);
int kzt_token_change_counter(kzt_token *t, uint32_t *counter);

/* ---- the object cache (cache.c) ----
 * The card's object directory as the token driver last listed it, and a number
 * (the layer above's object handle) for every card object ever listed, so an
 * object keeps its number while hidden and after. The listing is tagged with the
 * card's change counter and with the security state it was read under (the auth
 * epoch): it is good only while both hold, so nothing read under one login is
 * served under another. The caller keeps one per card slot (it outlives a token:
 * a reset keeps the numbers; a card taken out forgets them) and guards it with the
 * token's lock. Each entry may carry the caller's view of it (its decoded form),
 * freed through view_free whenever the entry goes. */
typedef struct kzt_cached {
	uint16_t card;     /* the card's handle */
	uint64_t number;   /* the caller's handle for it */
	uint8_t cls, flags; /* KZT_CLASS_*, KZT_OBJF_* */
	uint32_t value_len;
	uint8_t *blob;     /* the attribute blob as listed */
	size_t blob_len;
	void *view;        /* the caller's, or NULL */
	/* the value as the card gave it (kzt_objcache_keep_value), when kept: a
	 * public object's only, for a cache on disk */
	uint8_t *value;
	int has_value;
	struct kzt_cached *next;
} kzt_cached;

typedef struct kzt_objcache {
	kzt_cached *list;  /* the listing, in the card's order */
	int valid;
	uint32_t counter;  /* the change counter it saw */
	uint64_t checked;  /* when the card last confirmed it (the caller's clock) */
	uint64_t auth;     /* the auth epoch its private objects were read under */
	uint64_t told_at;  /* when the card last gave its state (kzt_objcache_told) */
	int relist;        /* keep said 2 of an object left out: list all at the next login */
	int unconfirmed;   /* the listing came from elsewhere and the card has not confirmed
			    * its counter yet: a listing that differs reuses none of it */
	struct kzt_number {
		uint16_t card;
		uint64_t number;
	} *map;
	size_t nmap;
	uint64_t (*number_new)(void); /* a fresh number, never 0 */
	void (*view_free)(void *view);
} kzt_objcache;

void kzt_objcache_init(kzt_objcache *c, uint64_t (*number_new)(void), void (*view_free)(void *view));
/* Bring c up to date for t: nothing while the listing is good and the card
 * confirmed it less than max_age ms before now (the caller's clock, in ms; max_age
 * 0: always ask). Asking costs one command while the change counter did not move:
 *  - for a search (search set: nothing is written from what it finds), the
 *    card's answer just before was its state (kzt_objcache_told, less than
 *    KZT_OBJCACHE_TOLD_MS before): no command at all, its counter is the answer;
 *  - the security state changed and the user is verified now: LIST OBJECTS of
 *    the private objects alone (the card has it), the public ones kept;
 *  - otherwise GET DATA (the change counter); a security state without the user
 *    keeps the public objects and drops the private ones.
 * When the counter moved, or nothing is listed: LIST OBJECTS (tagged with the
 * counter the card gave last when it came before, so it can only look older
 * than it is). keep(ctx, e) says which listed objects the cache holds: 1 yes, 0
 * no, 2 no but the caller wants it listed again under the user's login (the next
 * login lists the whole directory, not the private objects alone), -1 a
 * malformed entry (KZT_ERR_CARD). An object listed as before keeps its
 * entry and view: a private one only under the same security state. */
int kzt_token_cache_sync(kzt_token *t, kzt_objcache *c, uint64_t now, unsigned max_age, int search,
			 int (*keep)(void *ctx, const kzt_dir_entry *e), void *ctx);
/* The card gave its state just now (its counter is in t: kzt_token_counter_take),
 * at now: a search that comes next, with no other command between, counts it as
 * the card's word on the listing. */
void kzt_objcache_told(kzt_objcache *c, uint64_t now);
#define KZT_OBJCACHE_TOLD_MS 1000
/* Keep e's value as the card gave it (a public object's; copied). */
int kzt_objcache_keep_value(kzt_cached *e, const uint8_t *value, size_t len);
/* A listing from elsewhere (a cache on disk): entries added one by one, in the
 * card's order, each with its value when known, then made the listing as the
 * card gave it at counter, good for t's security state when t has no user
 * verified (checked only at the next sync). */
int kzt_objcache_add(kzt_objcache *c, const kzt_dir_entry *e, const uint8_t *value, int has_value);
void kzt_objcache_loaded(kzt_objcache *c, const kzt_token *t, uint32_t counter);
/* Is the listing good for t's security state now (a lookup needs no sync)? */
int kzt_objcache_current(const kzt_objcache *c, const kzt_token *t);
/* The entry with this number, or for this card handle; NULL when not listed. */
kzt_cached *kzt_objcache_find(const kzt_objcache *c, uint64_t number);
kzt_cached *kzt_objcache_by_card(const kzt_objcache *c, uint16_t card);
/* The card changed (a write of ours): list again at the next sync. */
void kzt_objcache_invalidate(kzt_objcache *c);
/* The listing goes, entries and views; the numbers stay (the same card). */
void kzt_objcache_drop(kzt_objcache *c);
/* ...and the numbers too (the card went away). */
void kzt_objcache_forget(kzt_objcache *c);

/* ---- keys (keys.c) ---- */

typedef struct kzt_keygen {
	unsigned bits; /* RSA */
	const uint8_t *exponent;
	size_t exponent_len;
	const uint8_t *priv_blob, *pub_blob;
	size_t priv_blob_len, pub_blob_len;
	uint8_t priv_flags, pub_flags;
	uint8_t curve; /* EC: KZT_CURVE_* */
} kzt_keygen;

/* GENERATE ASYMMETRIC KEY PAIR: the card makes and keeps the key; out come the
 * modulus (n_cap >= bits / 8) and the two objects' handles. Takes as long as the
 * card takes: no time limit. */
int kzt_token_generate_rsa(kzt_token *t, const kzt_keygen *g, uint8_t *n, size_t n_cap,
			   size_t *n_len, uint16_t *priv, uint16_t *pub);
/* The same for an elliptic-curve key on g->curve (the card has KZT_CAP_EC;
 * KZT_ERR_NOT_SUPPORTED otherwise): out comes its public point, 04 || x || y. */
int kzt_token_generate_ec(kzt_token *t, const kzt_keygen *g, uint8_t *point, size_t cap,
			  size_t *point_len, uint16_t *priv, uint16_t *pub);
/* MSE SET + PSO: the raw private operation with key handle on block (the modulus
 * length). decipher selects PSO DECIPHER, else COMPUTE DIGITAL SIGNATURE. */
int kzt_token_rsa_private(kzt_token *t, uint16_t handle, int decipher, const uint8_t *in,
			  size_t in_len, uint8_t *out, size_t out_cap, size_t *out_len);
/* MSE SET + PSO COMPUTE DIGITAL SIGNATURE with an elliptic-curve key: the
 * signature (alg KZT_ALG_ECDSA: r || s, KZT_ALG_GOST: s || r; sig_len bytes, twice
 * the curve's size) of a hash of 1 to 64 bytes. */
int kzt_token_ec_sign(kzt_token *t, uint16_t handle, uint8_t alg, size_t sig_len, const uint8_t *hash,
		      size_t hash_len, uint8_t *sig, size_t sig_cap, size_t *out_len);
/* GET CHALLENGE, in as many commands as n needs. */
int kzt_token_random(kzt_token *t, uint8_t *out, size_t n);

/* CHANNEL (the card has KZT_CAP_CHANNELS; KZT_ERR_NOT_SUPPORTED otherwise): join 0
 * names this card session's security state with ticket, join 1 makes this one
 * share the state of that name (KZT_ERR_NOT_FOUND: no such name). The ticket is
 * a secret: whoever has it shares the login. */
int kzt_token_channel(kzt_token *t, int join, const uint8_t ticket[KZT_CHANNEL_TICKET_LEN]);

/* Card status word to internal status (status.c). */
int kzt_token_status_from_sw(uint16_t sw);

#endif
