/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* The virtual KAZTOKEN: persistent card state, its crash-safe store, and the
 * applet that answers APDUs (docs/apdu-protocol.md). Linked into kaztoken-sim and
 * into the unit tests, which drive the applet in-process. */
#ifndef KZT_CARD_H
#define KZT_CARD_H

#include <stddef.h>
#include <stdint.h>

#include "apdu.h"
#include "kzt_proto.h"

/* Longest data field the applet accepts (after chaining) and returns. */
#define KZT_CARD_MAX_DATA 8192
#define KZT_CARD_MAX_OBJECTS 128
/* What --capacity accepts: the store size, in bytes. */
#define KZT_MIN_CAPACITY 1024u
#define KZT_MAX_CAPACITY (16u * 1024 * 1024)
#define KZT_CARD_OBJECT_COST 16   /* bookkeeping bytes charged per object */

typedef struct kzt_card_pin {
	uint8_t value[KZT_PIN_MAX_LEN];
	uint8_t len;
	uint8_t tries_left;
	uint8_t max_tries;
	uint8_t min_len;
} kzt_card_pin;

/* One object (docs/apdu-protocol.md 5.10). The buffers are the card's own. */
typedef struct kzt_card_object {
	uint16_t handle;
	uint8_t cls;   /* KZT_CLASS_* */
	uint8_t flags; /* KZT_OBJF_* */
	uint8_t *blob, *value, *key;
	size_t blob_len, value_len, key_len; /* key: private key material, never read out */
	struct kzt_card_rsa_keep *keep; /* the key's prepared private state (card_rsa.h) */
} kzt_card_object;

/* Everything that survives power-off; saved whole by kzt_store_save. */
typedef struct kzt_card_state {
	uint8_t serial[KZT_SERIAL_LEN];
	uint8_t label[KZT_LABEL_MAX];
	uint8_t label_len;
	kzt_card_pin user;
	kzt_card_pin admin;
	uint8_t policy;          /* KZT_POLICY_*: who may change the user PIN */
	uint32_t change_counter; /* moves on every change the module must re-read */
	uint32_t capacity;       /* object store size in bytes */
	uint16_t next_handle;    /* handles are never reused while the card lives */
	size_t nobjects;
	kzt_card_object objects[KZT_CARD_MAX_OBJECTS];
} kzt_card_state;

/* Card sessions that share one security state, as ISO 7816 logical channels do
 * (CHANNEL, the virtual token's own): named by a ticket, alive while a session
 * is in it. */
typedef struct kzt_card_group {
	uint8_t ticket[KZT_CHANNEL_TICKET_LEN];
	int user_verified, admin_verified;
	uint32_t epoch;
	unsigned members;
	struct kzt_card_group *next;
} kzt_card_group;

typedef struct kzt_card {
	kzt_card_state st;
	kzt_card_group *groups; /* under lock */
	/* Held by whoever runs a command; NULL when one thread has the card. A private
	 * key operation lets it go while it computes (the key it uses is taken first,
	 * so the command is as if it had run whole at that moment). */
	struct kzt_os_mutex *lock;
	char *store_path;  /* NULL: state lives in memory only (tests) */
	uint32_t epoch;    /* bumped by FORMAT: older logins of every session lapse */
	uint32_t apdus;    /* APDUs processed, for benchmarks */
	unsigned keygen_delay; /* seconds each key generation takes at least (tests) */
	/* Test hooks: after pass_commits more successful commits, the next fail_commits
	 * commits fail (the store then keeps its previous state). */
	int pass_commits;
	int fail_commits;
	/* Test hook: the capabilities (KZT_CAP_*) SELECT does not announce, as an
	 * older applet would not (its commands are not refused for it). */
	uint8_t caps_hidden;
} kzt_card;

/* One connection's volatile state (a card session between two resets). */
typedef struct kzt_card_session {
	int selected;
	int user_verified;
	int admin_verified;
	uint32_t epoch; /* card epoch the verifications belong to */
	uint16_t sign_key, decipher_key; /* MSE SET selections (0: none) */
	/* the group whose security state this session shares (NULL: its own): its
	 * verifications are copied in before each command and back after one that
	 * changed them */
	kzt_card_group *group;
	/* response data waiting for GET RESPONSE */
	uint8_t pending[KZT_CARD_MAX_DATA];
	size_t pending_len, pending_off;
	uint16_t pending_sw; /* the status the last part carries */
	/* command chaining in progress */
	uint8_t chain[KZT_CARD_MAX_DATA];
	size_t chain_len;
	uint8_t chain_hdr[4]; /* CLA (without the chain bit), INS, P1, P2 */
	int chaining;
} kzt_card_session;

/* The session ends (its connection closed, or a reset): out of its group (the
 * group ends with its last member; a reset logs the group out), then wiped. Takes
 * the card's lock. */
void kzt_card_session_end(kzt_card *card, kzt_card_session *s, int reset);

/* Factory state: blank label, default PINs, 10 tries, minimum length 6, policy
 * "user and admin", the given serial. */
void kzt_card_factory(kzt_card_state *st, const uint8_t serial[KZT_SERIAL_LEN]);

/* Load the card from store_path, creating a factory-fresh store with a new random
 * serial when the file does not exist. KZT_ERR_STORE (with a reason in why) when
 * the file exists but is unreadable or corrupt: it is then left untouched.
 * store_path NULL: a factory card in memory. */
int kzt_card_open(kzt_card *card, const char *store_path, char *why, size_t why_len);
/* The card's random generator (the operating system's, src/os/random.h). */
int kzt_card_random(uint8_t *p, size_t n);
void kzt_card_close(kzt_card *card);

/* Persist the card state (crash-safe). KZT_ERR_STORE on failure, the file then
 * still holds the previous state. */
int kzt_card_commit(kzt_card *card);

/* Bytes of the store the objects use (what GET DATA reports as not free). */
size_t kzt_card_used(const kzt_card_state *st);
/* Free an object's buffers (wiping them) and zero it. */
void kzt_card_object_clear(kzt_card_object *o);
/* Free every object of st. */
void kzt_card_objects_clear(kzt_card_state *st);

/* Start a session (power-on / reset): nothing selected or verified. */
void kzt_card_session_reset(kzt_card_session *s);

/* Process one command APDU, write the response APDU (data + SW) into resp.
 * resp_cap must be at least KZT_CARD_MAX_DATA + 2. Never fails: every problem
 * becomes a status word. Takes card->lock, when the card has one, for the command;
 * s is the caller's alone. */
void kzt_applet_process(kzt_card *card, kzt_card_session *s, const uint8_t *cmd,
			size_t cmd_len, uint8_t *resp, size_t resp_cap, size_t *resp_len);

/* Object, key and PSO commands (objects.c); each returns a status word and may
 * write response data to out. */
uint16_t kzt_cmd_list_objects(kzt_card *card, kzt_card_session *s, const kzt_apdu *a, kzt_buf *out);
uint16_t kzt_cmd_read_object(kzt_card *card, kzt_card_session *s, const kzt_apdu *a, kzt_buf *out);
uint16_t kzt_cmd_read_values(kzt_card *card, kzt_card_session *s, const kzt_apdu *a, kzt_buf *out);
uint16_t kzt_cmd_create_object(kzt_card *card, kzt_card_session *s, const kzt_apdu *a, kzt_buf *out);
uint16_t kzt_cmd_update_object(kzt_card *card, kzt_card_session *s, const kzt_apdu *a);
uint16_t kzt_cmd_delete_object(kzt_card *card, kzt_card_session *s, const kzt_apdu *a);
uint16_t kzt_cmd_generate_key_pair(kzt_card *card, kzt_card_session *s, const kzt_apdu *a, kzt_buf *out);
uint16_t kzt_cmd_mse(kzt_card *card, kzt_card_session *s, const kzt_apdu *a);
uint16_t kzt_cmd_pso(kzt_card *card, kzt_card_session *s, const kzt_apdu *a, kzt_buf *out);

/* Store file: serialise, parse, and the atomic write (store.c). */
int kzt_store_load(const char *path, kzt_card_state *st, char *why, size_t why_len);
int kzt_store_save(const char *path, const kzt_card_state *st);
/* The file's checksum (CRC-32, the ISO-HDLC polynomial as in zlib). */
uint32_t kzt_store_crc32(const uint8_t *p, size_t n);
/* Encode / decode the file image (exposed for the unit tests' malformed inputs). */
int kzt_store_encode(const kzt_card_state *st, uint8_t *out, size_t cap, size_t *len);
/* An upper bound on the encoded size of st. */
size_t kzt_store_encoded_max(const kzt_card_state *st);
int kzt_store_decode(const uint8_t *p, size_t n, kzt_card_state *st, char *why, size_t why_len);

#endif
