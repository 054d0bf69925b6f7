/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* The PKCS#11 layer's shared state: slots, sessions, locks, and the entry helpers
 * every C_* function goes through.
 *
 * Locking: one global lock (kzt_enter / kzt_leave) guards the session list and the
 * per-slot fields marked "global"; one lock per slot guards its card and its token
 * driver. The card is never called with the global lock held. A thread may take
 * the global lock while it holds a slot lock, never the other way round. */
#ifndef KZT_P11_INTERNAL_H
#define KZT_P11_INTERNAL_H

#include <sys/types.h>

#include "attr.h"
#include "config.h"
#include "kaztoken/pkcs11.h"
#include "token.h"
#include "transport.h"

typedef enum kzt_login {
	KZT_LOGIN_NONE = 0,
	KZT_LOGIN_USER,
	KZT_LOGIN_SO,
} kzt_login;

/* A PKCS#11 object: a token object mirrors one on the card (in its slot's cache);
 * a session object lives in its session. */
typedef struct kzt_object {
	CK_OBJECT_HANDLE handle;
	uint16_t card_handle;  /* token objects: the card's handle */
	uint32_t value_len;    /* token objects: size of the value on the card */
	int value_loaded;      /* token objects: CKA_VALUE / key numbers read already */
	uint8_t *entry;        /* token objects: the directory entry's blob as last listed */
	size_t entry_len;
	uint8_t entry_flags;   /* ...and its flags */
	kzt_attrs attrs;       /* every attribute it has (values owned) */
	struct kzt_object *next;
} kzt_object;

#define KZT_MAX_SLOTS 16

/* Where a slot's token is reached. */
typedef enum kzt_slot_kind {
	KZT_SLOT_VIRTUAL, /* kaztoken-sim's socket */
	KZT_SLOT_PCSC,    /* a PC/SC reader */
	KZT_SLOT_USB,     /* a USB CCID reader, driven directly */
} kzt_slot_kind;

typedef struct kzt_slot {
	CK_SLOT_ID id;
	kzt_slot_kind kind;
	kzt_transport *tr;   /* owned; set when the slot is made, read-only after */
	char reader[KZT_READER_NAME_MAX]; /* the reader's name (PC/SC) or USB place */
	int attached;        /* global: the reader is there now (listed in C_GetSlotList) */
	int reported;        /* global: token presence as C_WaitForSlotEvent last saw it */
	void *card_lock;     /* guards token and every exchange with the card */
	kzt_token *token;    /* card_lock: NULL while no card is connected */
	kzt_login login;     /* global, written with card_lock held too */
	CK_ULONG sessions;   /* global */
	CK_ULONG rw_sessions;
	/* card_lock: the token objects as last read, and what the read saw */
	kzt_object *objects;
	int cache_valid;
	uint32_t cache_counter;
	int cache_private; /* the listing included private objects (user logged in) */
	/* card_lock: handles once given to card objects, so an object keeps its handle
	 * while hidden (private, logged out) and after (the card never reuses one) */
	struct kzt_handle_map {
		uint16_t card;
		CK_OBJECT_HANDLE handle;
	} *handles;
	size_t nhandles;
} kzt_slot;

/* An RSA public key from the token, for the host's public operations. */
typedef struct kzt_pubkey {
	unsigned char n[512], e[8];
	size_t k, e_len; /* modulus and exponent lengths in bytes */
	size_t bits;     /* modulus length in bits */
} kzt_pubkey;

/* An RSA operation between its Init and its end: signing and decryption (the
 * private operation on the card), verification, encryption and verification with
 * recovery (the public operation on the host). */
typedef struct kzt_rsa_state {
	const struct kzt_mech *mech;
	uint16_t card_key;        /* signing, decryption: the private key on the card */
	kzt_pubkey pub;           /* the others: the public key */
	size_t k;                 /* modulus length in bytes */
	size_t bits;              /* modulus length in bits */
	/* signing and verifying */
	struct kzt_hash_ctx *hash; /* hashing mechanisms: the running digest */
	int pss_hash, pss_mgf;    /* kzt_hash values (PSS) */
	size_t salt_len;          /* PSS */
	unsigned char data[512];  /* other mechanisms: the input so far */
	size_t data_len;
	int multipart;            /* C_SignUpdate / C_VerifyUpdate was called */
	/* the single-part ones */
	int oaep_hash, oaep_mgf;  /* kzt_hash values (OAEP) */
	unsigned char label[256]; /* OAEP label */
	size_t label_len;
	unsigned char out[512];   /* the result, kept while the caller finds room */
	size_t out_len;
	int have_out;
} kzt_rsa_state;

typedef struct kzt_session {
	CK_SESSION_HANDLE handle;
	kzt_slot *slot;
	CK_FLAGS flags;
	int find_active;       /* between C_FindObjectsInit and C_FindObjectsFinal */
	CK_OBJECT_HANDLE *found; /* the search's matches, handed out from found_next */
	CK_ULONG found_count, found_next;
	kzt_object *objects;   /* this session's session objects */
	/* the RSA operations going on (NULL: none) */
	kzt_rsa_state *sign, *verify, *decrypt, *encrypt, *recover;
	struct kzt_hash_ctx *digest; /* NULL: no digest operation */
	int digest_alg;              /* its kzt_hash */
	int digest_multipart;        /* C_DigestUpdate was called */
	int removed;           /* its token went away: the next call says so and ends it */
	struct kzt_session *next;
} kzt_session;

typedef struct kzt_module {
	int initialized;
	pid_t pid; /* of the process that initialised: a forked child must start anew */
	kzt_config cfg;
	/* slots are only ever added, never moved or freed before C_Finalize, so a
	 * slot pointer stays good; nslots is read under the global lock */
	kzt_slot *slots[KZT_MAX_SLOTS];
	CK_ULONG nslots;
	kzt_session *sessions; /* global */
	/* PC/SC: the context that lists the readers (global), and the one that waits on
	 * them (C_WaitForSlotEvent, cancelled by C_Finalize); waiters counts those inside */
	struct kzt_pcsc *pcsc, *pcsc_wait;
	int waiters;
	/* which hardware readers are slots, fixed at C_Initialize (never both PC/SC and
	 * USB: one reader must not be two slots); USB's libusb context */
	kzt_readers readers;
	struct kzt_usb *usb;
	CK_SESSION_HANDLE next_handle;
	CK_OBJECT_HANDLE next_object; /* global */
} kzt_module;

extern kzt_module kzt_mod;

/* ---- locks (lock.c) ---- */
/* Choose the locking scheme from C_Initialize's arguments (already validated). */
void kzt_lock_setup(const CK_C_INITIALIZE_ARGS *args);
CK_RV kzt_mutex_new(void **m);
void kzt_mutex_free(void **m);
/* After fork: drop a mutex without destroying it (see lock.c). */
void kzt_mutex_forget(void **m);
void kzt_mutex_lock(void *m);
void kzt_mutex_unlock(void *m);
/* The global lock itself (created by C_Initialize). */
CK_RV kzt_global_lock_new(void);
void kzt_global_lock_free(int after_fork);

/* ---- entry helpers (lock.c, op.c) ---- */
/* CKR_CRYPTOKI_NOT_INITIALIZED unless initialised in this process; else takes the
 * global lock (release with kzt_leave). */
CK_RV kzt_enter(void);
void kzt_leave(void);
/* Under the global lock: the slot with this ID, or NULL. */
kzt_slot *kzt_slot_find(CK_SLOT_ID id);
/* Under the global lock: the session with this handle, or NULL. */
kzt_session *kzt_session_find(CK_SESSION_HANDLE h);
/* Check initialisation and the slot ID (no lock is held on return). */
CK_RV kzt_slot_get(CK_SLOT_ID id, kzt_slot **slot);
/* Enter and find the session; on CKR_OK the global lock is held (kzt_leave). */
CK_RV kzt_enter_session(CK_SESSION_HANDLE h, kzt_session **s);

/* An operation on a card: what kzt_card_begin found, held until kzt_card_end. */
typedef struct kzt_op {
	kzt_slot *slot;
	kzt_token *token;
	CK_FLAGS session_flags; /* when begun from a session */
} kzt_op;

/* Enter, find the slot, leave, take its card lock and make sure the token is
 * connected. On CKR_OK the card lock is held: call kzt_card_end. */
CK_RV kzt_card_begin_slot(CK_SLOT_ID id, kzt_op *op);
/* The same from a session handle (copies the session's flags into op). */
CK_RV kzt_card_begin_session(CK_SESSION_HANDLE h, kzt_op *op);
/* Map a card status to CK_RV, treating a vanished card as removal: the token is
 * dropped, the slot logged out and its sessions closed. Card lock held. */
CK_RV kzt_card_status(kzt_op *op, int status);
void kzt_card_end(kzt_op *op);
/* Begin on the slot and read the token state (GET DATA) into st; on CKR_OK the
 * card lock is still held (kzt_card_end), on failure it is released. */
CK_RV kzt_card_read_state(CK_SLOT_ID id, kzt_op *op, kzt_token_state *st);

/* Under the slot's card lock: connect the token if it is not (KZT_ERR_NO_CARD). */
int kzt_slot_connect(kzt_slot *slot);

/* Under the global lock: close every session of slot; returns the login state the
 * slot had (now KZT_LOGIN_NONE). */
kzt_login kzt_sessions_close_slot(kzt_slot *slot);
/* Card lock held: the slot's token went away. Its connection, cache and logins are
 * dropped; its sessions are marked removed (each answers CKR_DEVICE_REMOVED once,
 * then is gone). */
void kzt_slot_removed(kzt_slot *slot);
/* Card lock held: connect the token if needed and hold the card for one operation
 * (PC/SC transaction); a reset by another application is handled here (the slot is
 * logged out and the applet selected again). KZT_OK with the card held, or an error
 * without. Release with kzt_slot_release. */
int kzt_slot_hold(kzt_slot *slot);
void kzt_slot_release(kzt_slot *slot);

/* ---- readers (readers.c) ---- */
/* Bring the slot list up to date with the PC/SC readers (no lock held). */
void kzt_slots_refresh(void);
/* Make the slots at C_Initialize: the virtual token's, then one per PC/SC reader. */
CK_RV kzt_slots_create(void);

/* ---- objects (object.c) ---- */
/* Free one object and its attributes. */
void kzt_object_free(kzt_object *o);
/* Free a session (its search and its session objects). Global lock held. */
void kzt_session_free(kzt_session *s);
/* Drop the slot's token object cache (the card went away, or the module ends). */
void kzt_objects_forget(kzt_slot *slot);
/* Drop the cache but keep the handles given out: the same card, whose state may
 * have changed behind our back (a reset by another application). */
void kzt_objects_stale(kzt_slot *slot);
/* Card lock held: bring the slot's token object cache up to date for the current
 * login (one GET DATA when nothing changed). */
CK_RV kzt_objects_sync(kzt_op *op);
/* Card lock held: the token object with this handle visible now, or NULL. */
kzt_object *kzt_token_object(kzt_op *op, CK_OBJECT_HANDLE h);
/* Card lock held: the same from the cache as it stands, without asking the card
 * whether anything changed (NULL when the cache does not hold it for this login). */
kzt_object *kzt_token_object_cached(kzt_op *op, CK_OBJECT_HANDLE h);
/* A key object's value, known without reading it: its modulus and exponent. */
CK_RV kzt_object_key_numbers(kzt_object *o, const uint8_t *n, size_t n_len, const uint8_t *e,
			     size_t e_len);
/* Card lock held: read the object's value from the card if not read yet. */
CK_RV kzt_object_load(kzt_op *op, kzt_object *o);
/* Global lock held: the session object of this slot with handle h that may be
 * seen now (private ones only after the user's login), and its session. */
kzt_object *kzt_session_object(kzt_slot *slot, CK_OBJECT_HANDLE h, kzt_session **owner);
/* Enter the session, check the template pointer, and look for a session object
 * obj: on CKR_OK the global lock is held (kzt_leave) and *o is that session
 * object, or NULL when obj may be a token object. */
CK_RV kzt_enter_object(CK_SESSION_HANDLE h, CK_OBJECT_HANDLE obj, const CK_ATTRIBUTE *t, CK_ULONG n,
		       kzt_session **s, kzt_object **o);
/* The card's class for a PKCS#11 object class (0xFF: none). */
uint8_t kzt_card_class(CK_OBJECT_CLASS cls);
/* Does o carry every attribute of the template with the same value? */
int kzt_object_matches(const kzt_object *o, const CK_ATTRIBUTE *t, CK_ULONG n);
/* Attributes needing the object's value (read lazily from the card)? */
int kzt_attr_needs_value(CK_ATTRIBUTE_TYPE type);
/* A fresh object handle (global lock taken here). */
CK_OBJECT_HANDLE kzt_object_handle_new(void);
/* The slot's login, read under the global lock. */
kzt_login kzt_slot_login(kzt_slot *slot);

/* Free an RSA operation's state (wiping it) and set *st to NULL (rsaop.c). */
void kzt_rsa_free(kzt_rsa_state **st);
/* C_SignInit, C_VerifyInit, C_DecryptInit, C_EncryptInit, C_VerifyRecoverInit:
 * the operation that flag (CKF_SIGN, ...) names, with its key and the mechanism's
 * parameters, installed in the session (rsaop.c). */
CK_RV kzt_rsa_init(CK_SESSION_HANDLE h, const CK_MECHANISM *m, CK_OBJECT_HANDLE key, CK_FLAGS flag);
/* Hand the kept result st->out to the caller with the length-query convention
 * (*rv set): 1 when handed over (the operation ends), 0 when it goes on. */
int kzt_rsa_give(const kzt_rsa_state *st, CK_BYTE_PTR out, CK_ULONG_PTR len, CK_RV *rv);
/* The session's state for the operation flag names. Global lock held. */
kzt_rsa_state **kzt_rsa_slot(kzt_session *s, CK_FLAGS flag);
/* The parts of a signature operation shared by signing and verifying (sign.c):
 * mechanism parameters and the running hash; feeding data; the final block (or,
 * for PSS, the message hash the block encodes). */
CK_RV kzt_sig_setup(const CK_MECHANISM *m, kzt_rsa_state *st);
CK_RV kzt_sig_absorb(kzt_rsa_state *st, const CK_BYTE *p, CK_ULONG n);
CK_RV kzt_sig_encode(kzt_rsa_state *st, unsigned char *em);
CK_RV kzt_sig_message_hash(kzt_rsa_state *st, unsigned char *out, size_t *len);
/* RSA key attributes (keygen.c): the defaults and facts of a key on the token
 * (generated there, or imported); which attributes go into its card blob (never
 * a secret part); the card flags its attributes ask for. */
int kzt_key_defaults(kzt_attrs *l, CK_OBJECT_CLASS cls, int generated);
int kzt_key_blob_keeps(CK_ATTRIBUTE_TYPE t);
uint8_t kzt_key_card_flags(const kzt_attrs *l);
/* raw = in ^ e mod n (in and raw: pk->k bytes); KZT_ERR_DATA when in >= n (rsaop.c). */
int kzt_pubkey_raise(const kzt_pubkey *pk, const uint8_t *in, uint8_t *raw);
/* Begin on the session's card, bring the cache up to date and find the token
 * object: on CKR_OK the card lock is held (kzt_card_end) and *o is set. */
CK_RV kzt_token_object_begin(CK_SESSION_HANDLE h, CK_OBJECT_HANDLE obj, kzt_op *op, kzt_object **o);
/* C_SignUpdate / C_VerifyUpdate: feed the session's operation (sign.c). */
CK_RV kzt_sig_update(CK_SESSION_HANDLE h, int verify, const CK_BYTE *p, CK_ULONG n);

/* Card lock held: store a new object described by l (complete and checked), on
 * the token or in session h, after the login and session checks every new object
 * passes (create.c). On success l is taken (emptied) or copied to the card. */
CK_RV kzt_object_add(kzt_op *op, CK_SESSION_HANDLE h, CK_OBJECT_CLASS cls, kzt_attrs *l,
		     CK_OBJECT_HANDLE *ph);
/* Which attributes of an object of class cls go into its card blob (create.c). */
int (*kzt_object_blob_keeps(CK_OBJECT_CLASS cls))(CK_ATTRIBUTE_TYPE);

/* ---- status mapping (rv.c) ---- */
CK_RV kzt_rv(int status);

/* ---- helpers ---- */
/* Copy s into a blank-padded fixed field of n bytes (truncating). */
void kzt_pad(CK_UTF8CHAR *field, size_t n, const char *s, size_t len);

#endif
