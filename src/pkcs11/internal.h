/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* The PKCS#11 layer's shared state: slots, sessions, running operations, locks,
 * and the entry frames every C_* function goes through (docs/architecture.md).
 *
 * Locking: the global lock (kzt_enter / kzt_leave) guards the slot table, the
 * session table and what each field marked "global" says; each slot's token lock
 * (card_lock) guards its card, its token driver and every field marked "token".
 * The two are never held together: an entry takes one, lets it go, and takes the
 * other, so nothing ever waits for a card (a key generation may take minutes)
 * while it holds the global lock, and no lock order can be broken. Fields read
 * without their lock are read atomically and say so. */
#ifndef KZT_P11_INTERNAL_H
#define KZT_P11_INTERNAL_H


#include "attr.h"
#include "config.h"
#include "crypto.h"
#include "proc.h"
#include "kaztoken/pkcs11.h"
#include "token.h"
#include "transport.h"

typedef enum kzt_login {
	KZT_LOGIN_NONE = 0,
	KZT_LOGIN_USER,
	KZT_LOGIN_SO,
} kzt_login;

/* A PKCS#11 object: the view of a card object (hung on its entry in the token
 * driver's object cache, freed with it), or a session object the module keeps
 * in its session. */
typedef struct kzt_object {
	CK_OBJECT_HANDLE handle;
	uint16_t card_handle;  /* card objects: the card's handle (0: a host session object) */
	size_t card_size;      /* card objects: what it takes on the card (blob and value) */
	int value_loaded;      /* card objects: CKA_VALUE / key numbers read already */
	/* card objects: 0 for a token object; for a session object kept on the card (a
	 * key: its private half must live there), the session that made it */
	CK_SESSION_HANDLE owner;
	kzt_attrs attrs;       /* every attribute it has (values owned) */
	struct kzt_object *next;
} kzt_object;

#define KZT_MAX_SLOTS 16

/* A session object kept on the card carries, in its attribute blob, this vendor
 * attribute: the module instance that made it and the session (8 bytes). The
 * module strips it when it reads the object and never shows it. */
#define KZT_CKA_SESSION_OWNER (CKA_VENDOR_DEFINED | 0x4B5A0001UL)
#define KZT_INSTANCE_LEN (KZT_PROCESS_ID_LEN + 8)
#define KZT_OWNER_TAG_LEN (KZT_INSTANCE_LEN + 8)

/* An extra card session on the virtual token (channel.c): a connection of its
 * own that shares the slot's card session's security state (CHANNEL), so that
 * private-key operations from several threads compute at once. */
#define KZT_CHANNELS_MAX 4
typedef struct kzt_channel {
	kzt_transport *tr;
	kzt_token *token; /* NULL: a free place */
	unsigned epoch;   /* the slot's channel epoch it was made in */
	int busy;         /* an operation runs on it, without the token lock */
} kzt_channel;

typedef struct kzt_channels {
	kzt_channel c[KZT_CHANNELS_MAX];
	unsigned epoch;   /* one more each time the token's channels are closed */
	int wanted;       /* two sessions' private-key operations have waited on each other */
	int off;          /* the card or the transport has none: never asked again */
	int named;        /* the token's card session is named by ticket */
	uint8_t ticket[KZT_CHANNEL_TICKET_LEN];
	CK_SESSION_HANDLE last_session; /* the last private-key operation on the token... */
	uint64_t last_end;              /* ...and when it ended (ms) */
} kzt_channels;

typedef struct kzt_slot {
	CK_SLOT_ID id;
	int hardware;        /* a reader of the reader manager's (else the virtual token) */
	kzt_transport *tr;   /* owned; set when the slot is made, read-only after */
	char reader[KZT_READER_NAME_MAX]; /* a hardware reader's name, as the manager lists it */
	int attached;        /* global: the reader is there now (listed in C_GetSlotList) */
	int reported;        /* global: token presence as C_WaitForSlotEvent last saw it */
	void *card_lock;     /* the token lock: guards token and every exchange with the card */
	kzt_token *token;    /* token: NULL while no card is connected */
	/* token: this application's open sessions on the token (the login belongs to
	 * them: when the last one closes the card is logged out, in the same critical
	 * section; their session objects on the card go with each) */
	struct kzt_open_session {
		CK_SESSION_HANDLE handle;
		int rw;
	} *open;
	size_t nopen, open_cap;
	int made_card_session_objects; /* token: this instance put session objects on the card */
	/* token: the token's generation, one more each time a token goes away
	 * (sessions of an older one are gone too); and how often the token lock
	 * was let go (orders the views published below) */
	unsigned generation;
	unsigned long view_seq;
	/* global: the login and the generation as the token lock last left them, for
	 * calls that take no token lock (C_GetSessionInfo, session objects, finding a
	 * session); published by kzt_token_unlock after the token lock is let go */
	kzt_login seen_login;
	unsigned seen_generation;
	unsigned long seen_seq;
	/* token: the card's objects, as the token driver's object cache keeps them
	 * (good only under the security state it listed them in; the handles once
	 * given, kept), each with its kzt_object view */
	kzt_objcache cache;
	/* token: the channels (channel.c) */
	kzt_channels channels;
	/* token: the digest of the cache file as last read or written (diskcache.c) */
	uint8_t disk_saved[32];
	int disk_saved_valid;
} kzt_slot;

/* An RSA public key from the token, for the host's public operations. */
typedef struct kzt_pubkey {
	unsigned char n[512], e[8];
	size_t k, e_len; /* modulus and exponent lengths in bytes */
	size_t bits;     /* modulus length in bits */
} kzt_pubkey;

/* A key operation between its Init and its end: signing and decryption (the
 * private operation on the card), verification, encryption and verification with
 * recovery (the public operation on the host). RSA, or for signing and verifying
 * an elliptic-curve key (ec set). */
typedef struct kzt_rsa_state {
	const struct kzt_mech *mech;
	uint16_t card_key;        /* signing, decryption: the private key on the card */
	kzt_pubkey pub;           /* the others: the public key */
	size_t k;                 /* RSA: modulus length in bytes; EC: signature length */
	size_t bits;              /* modulus (EC: order) length in bits */
	int ec;                   /* an elliptic-curve key: */
	kzt_ecurve curve;         /* its curve */
	unsigned char ec_pub[2 * 64]; /* verifying: its public point x || y */
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

/* The operations a session may have running, one of each kind. */
typedef enum kzt_run_kind {
	KZT_RUN_FIND,
	KZT_RUN_DIGEST,
	KZT_RUN_SIGN,
	KZT_RUN_VERIFY,
	KZT_RUN_ENCRYPT,
	KZT_RUN_DECRYPT,
	KZT_RUN_RECOVER, /* verification with recovery */
	KZT_RUN_KINDS
} kzt_run_kind;

/* A running object search: the snapshot C_FindObjectsInit took. */
typedef struct kzt_find_state {
	CK_OBJECT_HANDLE *found;
	CK_ULONG count, next;
} kzt_find_state;

/* A running digest. */
typedef struct kzt_digest_state {
	struct kzt_hash_ctx *hash;
	int alg;       /* its kzt_hash */
	int multipart; /* C_DigestUpdate was called */
} kzt_digest_state;

/* A session. It is freed when it has left the session table (closed, or gone with
 * its token) and no thread inside a call holds it any more (refs). */
typedef struct kzt_session {
	CK_SESSION_HANDLE handle;
	kzt_slot *slot;
	CK_FLAGS flags;
	unsigned generation;   /* the slot's token generation when it was opened */
	unsigned refs;         /* global: the table's, plus one per call inside */
	int closed;            /* global: no longer in the table */
	/* global: the running operations (NULL: none of that kind). One a thread is
	 * working on is detached: its bit in busy is set, and only that thread touches
	 * it until it puts it back or ends it (kzt_run_take / kzt_run_put). */
	void *run[KZT_RUN_KINDS];
	unsigned busy;
	unsigned cancel;       /* global: busy ones C_SessionCancel ended (freed when put back) */
	kzt_object *objects;   /* global: this session's session objects */
	struct kzt_session *next;
} kzt_session;

typedef struct kzt_module {
	int initialized;
	uint32_t pid; /* of the process that initialised: a forked child must start anew */
	kzt_config cfg;
	/* slots are only ever added, never moved or freed before C_Finalize, so a
	 * slot pointer stays good; nslots is read under the global lock */
	kzt_slot *slots[KZT_MAX_SLOTS];
	CK_ULONG nslots;
	kzt_session *sessions; /* global */
	/* the hardware readers (src/transport's manager), chosen at C_Initialize; it is
	 * listed under the global lock, waited on without (C_WaitForSlotEvent, cancelled
	 * by C_Finalize); waiters counts the threads inside such a wait */
	kzt_reader_mgr *readers;
	int waiters;
	CK_SESSION_HANDLE next_handle; /* atomic */
	CK_OBJECT_HANDLE next_object;  /* atomic */
	/* who this module instance is, for the session objects it keeps on cards: the
	 * process's identity and a nonce of this C_Initialize (set there, read-only) */
	uint8_t instance[KZT_INSTANCE_LEN];
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

/* ---- entry helpers (lock.c, op.c, run.c) ---- */
/* CKR_CRYPTOKI_NOT_INITIALIZED unless initialised in this process; takes no lock
 * (the first step of every entry point, before its argument checks). */
CK_RV kzt_initialized(void);
/* kzt_initialized, then the global lock (release with kzt_leave). */
CK_RV kzt_enter(void);
void kzt_leave(void);
/* Under the global lock: the slot with this ID, or NULL. */
kzt_slot *kzt_slot_find(CK_SLOT_ID id);
/* Check initialisation and the slot ID (no lock is held on return). */
CK_RV kzt_slot_get(CK_SLOT_ID id, kzt_slot **slot);
/* The session with this handle, held for this call (no lock held on return):
 * CKR_SESSION_HANDLE_INVALID, or CKR_DEVICE_REMOVED once for a session whose
 * token went away (it is then gone). Release with kzt_session_release. */
CK_RV kzt_session_acquire(CK_SESSION_HANDLE h, kzt_session **s);
void kzt_session_release(kzt_session *s);
/* Global lock held: the session's login as last published. */
kzt_login kzt_session_login(const kzt_session *s);
/* Take out of the table the session h (slot NULL) or every session of slot, into
 * *chain (linked by next): closed from now on for every other call, their
 * operations ended (those another thread holds end when it lets them go). */
CK_RV kzt_sessions_take(CK_SESSION_HANDLE h, const kzt_slot *slot, kzt_session **chain);
/* Count the taken sessions (all of one slot) off their slot under its token lock,
 * logging the card out after the last, then drop the table's hold on each. */
void kzt_sessions_close(kzt_session *chain);

/* Running operations (run.c). take detaches the session's operation of kind k
 * for this thread: CKR_OPERATION_NOT_INITIALIZED when there is none,
 * CKR_OPERATION_ACTIVE when another thread holds it. put gives it back: kept
 * (keep, and the session still open) or ended (freed). install makes st the
 * session's running operation of kind k: CKR_OPERATION_ACTIVE when one runs
 * (st is then the caller's still), CKR_SESSION_HANDLE_INVALID when the session
 * closed meanwhile. end_all ends every operation no thread holds (global held). */
CK_RV kzt_run_take(kzt_session *s, kzt_run_kind k, void **st);
void kzt_run_put(kzt_session *s, kzt_run_kind k, void *st, int keep);
CK_RV kzt_run_install(kzt_session *s, kzt_run_kind k, void *st);
void kzt_run_free(kzt_run_kind k, void *st);
void kzt_run_end_all(kzt_session *s);
/* Global lock held: end the session's running operation of kind k, if any (one a
 * thread holds ends when it puts it back). */
void kzt_run_cancel(kzt_session *s, kzt_run_kind k);
/* The length-query convention of every function that returns output (PKCS#11
 * 3.0, 5.2): with room for want bytes, 1; else 0 with *len = want and *rv =
 * CKR_OK (out NULL: a size query) or CKR_BUFFER_TOO_SMALL. Either way the
 * operation goes on. */
int kzt_output_room(CK_BYTE_PTR out, CK_ULONG_PTR len, size_t want, CK_RV *rv);
/* An input template: CKR_ARGUMENTS_BAD when t is NULL with n > 0, or an entry's
 * pValue is NULL with a non-zero ulValueLen. */
CK_RV kzt_template_check(const CK_ATTRIBUTE *t, CK_ULONG n);

/* An operation on a card: what kzt_card_begin found, held until kzt_card_end. */
typedef struct kzt_op {
	kzt_slot *slot;
	kzt_token *token;
	kzt_session *session;   /* when begun from a session (held until the end) */
	CK_FLAGS session_flags; /* ...and its flags */
	int owns_session;       /* kzt_card_end releases the session */
} kzt_op;

/* Enter, find the slot, leave, take its token lock and make sure the token is
 * connected. On CKR_OK the token lock is held: call kzt_card_end. */
CK_RV kzt_card_begin_slot(CK_SLOT_ID id, kzt_op *op);
/* The same from a session handle: the session held, its token lock taken. */
CK_RV kzt_card_begin_session(CK_SESSION_HANDLE h, kzt_op *op);
/* The same for a session already held (kzt_session_acquire); it stays held. */
CK_RV kzt_card_begin_held(kzt_session *s, kzt_op *op);
/* Map a card status to CK_RV, treating a vanished card as removal. Token lock held. */
CK_RV kzt_card_status(kzt_op *op, int status);
/* FORMAT on the slot's token after verifying the admin PIN (slot.c): no session
 * of this application may be open on it. */
CK_RV kzt_slot_format(CK_SLOT_ID slotID, CK_UTF8CHAR_PTR pPin, CK_ULONG ulPinLen, const kzt_format_params *fp);
/* RESET RETRY COUNTER from an SO read/write session (login.c): pin NULL keeps the
 * user PIN and only unblocks it. */
CK_RV kzt_session_reset_user_pin(CK_SESSION_HANDLE hSession, CK_UTF8CHAR_PTR pin, CK_ULONG len);
/* Publish the login, let the card go, release the token lock (and the session
 * when kzt_card_begin_session took it). */
void kzt_card_end(kzt_op *op);
/* Begin on the slot and read the token state (GET DATA) into st; on CKR_OK the
 * token lock is still held (kzt_card_end), on failure it is released. */
CK_RV kzt_card_read_state(CK_SLOT_ID id, kzt_op *op, kzt_token_state *st);
/* Token lock held: this application's login on the slot, from the token driver's
 * own view of what the card has verified (KZT_LOGIN_NONE without a token). */
kzt_login kzt_card_login(const kzt_op *op);
/* The slot's token lock: take it; let it go, then publish what it guarded that
 * calls without it read (the login and the generation), under the global lock. */
void kzt_token_lock(kzt_slot *slot);
void kzt_token_unlock(kzt_slot *slot);
/* Token lock held: a session opened on the slot (KZT_ERR_NOMEM). */
int kzt_slot_session_opened(kzt_slot *slot, CK_SESSION_HANDLE h, int rw);
/* Token lock held: how many sessions are open on the slot, and read/write ones. */
CK_ULONG kzt_slot_sessions(const kzt_slot *slot, CK_ULONG *rw);
/* Token lock held: the n sessions h closed. Their session objects on the card are
 * deleted (the user's login permitting: else later, see objcache.c); when no
 * session is left, the card is logged out. n = 0 with h NULL: the module ends,
 * every session object it keeps on the card goes. */
void kzt_slot_sessions_closed(kzt_slot *slot, const CK_SESSION_HANDLE *h, size_t n);
/* Token lock held: is session h open on the slot? */
int kzt_slot_session_open(const kzt_slot *slot, CK_SESSION_HANDLE h);

/* Token lock held: connect the token if it is not (KZT_ERR_NO_CARD). */
int kzt_slot_connect(kzt_slot *slot);
/* Is a token in this slot now? Asks the reader, connects a token just inserted,
 * and notices one that went away (the token lock is taken here). */
int kzt_slot_present(kzt_slot *slot);
/* Token lock held: the slot's token went away. Its connection, cache and logins
 * are dropped; its sessions, of an older generation now, answer
 * CKR_DEVICE_REMOVED once, then are gone. */
void kzt_slot_removed(kzt_slot *slot);
/* Token lock held: connect the token if needed and hold the card for one operation
 * (PC/SC transaction); a reset by another application is handled here (the token
 * starts afresh, logged out). KZT_OK with the card held, or an error without.
 * Release with kzt_slot_release. */
int kzt_slot_hold(kzt_slot *slot);
void kzt_slot_release(kzt_slot *slot);

/* ---- readers (readers.c) ---- */
/* Bring the slot list up to date with the PC/SC readers (no lock held). */
void kzt_slots_refresh(void);
/* Make the slots at C_Initialize: the virtual token's, then one per PC/SC reader. */
CK_RV kzt_slots_create(void);
/* In-process tests: the virtual token's slot takes its transport from make(ctx)
 * instead of the simulator's socket (set before C_Initialize; NULL undoes it).
 * Not exported from the shared module. */
void kzt_slots_set_virtual(kzt_transport *(*make)(void *ctx), void *ctx);

/* ---- objects (object.c) ---- */
/* Free one object and its attributes. */
void kzt_object_free(kzt_object *o);
/* Free a session (its running operations and its session objects). */
void kzt_session_free(kzt_session *s);
/* Free a list of objects. */
void kzt_objects_free(kzt_object *o);
/* The object cache's callbacks: a fresh object handle; a view's end. */
uint64_t kzt_object_number_new(void);
void kzt_object_view_free(void *view);
/* The owner tag for a session object of session h kept on the card. */
void kzt_owner_tag(CK_SESSION_HANDLE h, uint8_t tag[KZT_OWNER_TAG_LEN]);
/* Whose a card object with this owner tag is (token lock held, for the slot's
 * open sessions): KZT_OWNER_OURS (of an open session of this instance, *h set),
 * KZT_OWNER_OTHER (of another application that still runs: not ours to see), or
 * KZT_OWNER_GONE (left by an application or session that ended: to delete). */
enum { KZT_OWNER_OURS, KZT_OWNER_OTHER, KZT_OWNER_GONE };
int kzt_owner_of(const kzt_slot *slot, const uint8_t *tag, size_t len, CK_SESSION_HANDLE *h);
/* Token lock held (op begun from a session): mark l as a session object of op's
 * session that the card keeps (object.c). */
CK_RV kzt_card_session_mark(kzt_op *op, kzt_attrs *l);
/* Token lock held: delete the session objects this module instance keeps on the
 * slot's card for the n sessions h (h NULL: all of them). The card needs the
 * user's login for it; without one they stay, hidden, and go at a later look
 * under the login (kzt_objects_sync), by this application or, once it ended,
 * another. */
void kzt_objects_drop_sessions(kzt_slot *slot, const CK_SESSION_HANDLE *h, size_t n);
/* Token lock held: bring the slot's object cache up to date for the card's
 * current security state (one GET DATA when nothing changed), with a view for
 * every object that may be seen: private ones only while the user is verified,
 * whatever the card listed; session objects only this application's. A search
 * asks the card every time. */
CK_RV kzt_objects_sync(kzt_op *op);
/* The same for a search, which writes nothing from what it finds: right after
 * C_GetTokenInfo (its token state the card's last answer, less than
 * KZT_OBJCACHE_TOLD_MS before), that state's change counter is the card's word. */
CK_RV kzt_objects_search(kzt_op *op);
/* The same, for a call on one object (reading or changing its attributes, using
 * a key): the card's word that nothing changed holds for KZT_OBJECTS_BURST_MS, so
 * the burst of calls that follows a search (an application reading every
 * certificate it found) asks it once, not once a call. Another application's
 * change is seen by the next search, or by any call once that time has passed. */
#define KZT_OBJECTS_BURST_MS 1000
CK_RV kzt_objects_recent(kzt_op *op);
/* ---- private-key operations (channel.c) ---- */
/* The private operation of st's key on the card, for session s (held): RSA's raw
 * operation on in (in_len bytes, the modulus length), PSO COMPUTE DIGITAL
 * SIGNATURE or, when decipher is set, PSO DECIPHER; or an EC key's signature of
 * the hash in (st->k bytes out: ECDSA r || s, GOST s || r). On the slot's card session under the token lock; on the
 * virtual token, once two sessions' operations have had to wait on each other, on
 * a channel, the token lock let go while the card computes (a failure there is
 * tried again on the slot's own card session, which says what is wrong). */
CK_RV kzt_card_private(kzt_session *s, const kzt_rsa_state *st, int decipher, const uint8_t *in,
		       size_t in_len, uint8_t *out, size_t cap, size_t *out_len);
/* Token lock held: the token's channels go (one in use goes when its operation
 * ends), and the ticket with them. after_fork: a forked child's, let go. (op.c:
 * the channels end with the token.) */
void kzt_channels_close(kzt_slot *slot, int after_fork);
/* One channel's connection and driver go; its place is free. */
void kzt_channel_free(kzt_channel *c, int after_fork);

/* ---- the cache of public objects on disk (diskcache.c; `cache = public`) ---- */
/* The file image of c's public token objects (no private object, no session
 * object) and the values read of them, for the token of serial; *out malloc'd.
 * KZT_ERR_NOT_FOUND when c holds no listing. */
int kzt_diskcache_encode(const kzt_objcache *c, const uint8_t serial[KZT_SERIAL_LEN], uint8_t **out, size_t *len);
/* The reverse, into c (dropped first) as the listing for t, good until the
 * card's change counter says otherwise. KZT_ERR_PARSE, c left empty, when the
 * file is malformed, fails its digest, is another serial's or holds anything
 * private. */
int kzt_diskcache_decode(const uint8_t *data, size_t len, const uint8_t serial[KZT_SERIAL_LEN], const kzt_token *t,
			 kzt_objcache *c);
/* Token lock held, the token connected: the slot's cache from its file, when the
 * configuration asks for it and nothing is listed yet; and written back when it
 * changed (at C_Finalize). Failures are logged, never the caller's. */
void kzt_diskcache_load(kzt_slot *slot);
void kzt_diskcache_save(kzt_slot *slot);

/* Reading one card object's value reads, in the same READ VALUES, those of the
 * other objects of its class not read yet, of at most this many bytes each. */
#define KZT_LOAD_TOGETHER_MAX_VALUE 4096
/* Token lock held: the card object with this handle visible now (after a sync),
 * or NULL; and the one with this card handle. */
kzt_object *kzt_token_object(kzt_op *op, CK_OBJECT_HANDLE h);
kzt_object *kzt_token_object_by_card(kzt_op *op, uint16_t card);
/* Token lock held: the same from the cache as it stands, without asking the card
 * whether anything changed (NULL when the cache does not hold it for this login). */
kzt_object *kzt_token_object_cached(kzt_op *op, CK_OBJECT_HANDLE h);
/* A key object's value, known without reading it: its modulus and exponent. */
CK_RV kzt_object_key_numbers(kzt_object *o, const uint8_t *n, size_t n_len, const uint8_t *e,
			     size_t e_len);
/* Token lock held: read the object's value from the card if not read yet. */
CK_RV kzt_object_load(kzt_op *op, kzt_object *o);
/* Global lock held: the session object of this slot with handle h that may be
 * seen under login (private ones only by the user), and its session. */
kzt_object *kzt_session_object(kzt_slot *slot, kzt_login login, CK_OBJECT_HANDLE h,
			       kzt_session **owner);
/* The card's class for a PKCS#11 object class (0xFF: none), and back
 * (CKO_VENDOR_DEFINED for a class the card does not have). */
uint8_t kzt_card_class(CK_OBJECT_CLASS cls);
CK_OBJECT_CLASS kzt_ck_class(uint8_t card_class);

/* Does o carry every attribute of the template with the same value? */
int kzt_object_matches(const kzt_object *o, const CK_ATTRIBUTE *t, CK_ULONG n);
/* Attributes needing the object's value (read lazily from the card)? */
int kzt_attr_needs_value(CK_ATTRIBUTE_TYPE type);
/* Does reading or matching the template's attributes on the card object o need
 * its value read first (not read yet; a value attribute, or the type of a key
 * whose blob does not say it)? */
int kzt_object_needs_value(const kzt_object *o, const CK_ATTRIBUTE *t, CK_ULONG n);
/* A fresh object handle (no lock needed). */
CK_OBJECT_HANDLE kzt_object_handle_new(void);

/* Elliptic-curve keys (eckey.c): the card's curve ids as named curves (and
 * back: 0 for none), the key type of a curve, the attribute naming a key type's
 * curve, the hash a GOST key's size goes with. */
int kzt_eckey_from_card(uint8_t card, kzt_ecurve *c);
uint8_t kzt_eckey_card_curve(kzt_ecurve c);
CK_KEY_TYPE kzt_eckey_type(kzt_ecurve c);
int kzt_eckey_is_ec_type(CK_KEY_TYPE t);
CK_ATTRIBUTE_TYPE kzt_eckey_params_attr(CK_KEY_TYPE t);
kzt_hash kzt_eckey_gost_hash(kzt_ecurve c);
/* An EC key object's attributes from the card's curve and point (04 || x || y):
 * its key type, curve and, for a public key, its point; the value then loaded. */
CK_RV kzt_object_ec_key(kzt_object *o, uint8_t card_curve, const uint8_t *point, size_t point_len);
/* The curve of an EC key object (CKR_KEY_TYPE_INCONSISTENT: not an EC key), and a
 * public one's point x || y (its value loaded). */
CK_RV kzt_object_ec_curve(const kzt_object *o, kzt_ecurve *c);
CK_RV kzt_object_ec_public(const kzt_object *o, kzt_ecurve *c, uint8_t *xy);
/* The card value (curve and point) of an EC public key described by l (a copy of
 * one: its type, curve and point, checked on the curve). */
CK_RV kzt_eckey_card_value(const kzt_attrs *l, uint8_t *out, size_t cap, size_t *len);

/* Free an RSA operation's state (wiping it) and set *st to NULL (rsaop.c). */
void kzt_rsa_free(kzt_rsa_state **st);
/* C_SignInit, C_VerifyInit, C_DecryptInit, C_EncryptInit, C_VerifyRecoverInit:
 * the operation that flag (CKF_SIGN, ...) names, with its key and the mechanism's
 * parameters, installed in the session (rsaop.c). */
CK_RV kzt_rsa_init(CK_SESSION_HANDLE h, const CK_MECHANISM *m, CK_OBJECT_HANDLE key, CK_FLAGS flag);
/* The running-operation kind of the RSA operation flag (CKF_SIGN, ...) names. */
kzt_run_kind kzt_rsa_kind(CK_FLAGS flag);
/* The parts of a signature operation shared by signing and verifying (sign.c):
 * mechanism parameters and the running hash; feeding data; the final block (or,
 * for PSS, the message hash the block encodes). */
CK_RV kzt_sig_setup(const CK_MECHANISM *m, kzt_rsa_state *st);
CK_RV kzt_sig_absorb(kzt_rsa_state *st, const CK_BYTE *p, CK_ULONG n);
CK_RV kzt_sig_encode(kzt_rsa_state *st, unsigned char *em);
CK_RV kzt_sig_message_hash(kzt_rsa_state *st, unsigned char *out, size_t *len);
/* An EC operation's hash to sign: ECDSA's, its leftmost bytes of the order's size
 * (CKR_DATA_LEN_RANGE: empty); GOST's, exactly the key's size. */
CK_RV kzt_sig_ec_hash(kzt_rsa_state *st, unsigned char *out, size_t *len);
/* Key attributes (keygen.c): the defaults and facts of a key of type on the token
 * (generated there by made_by, or imported: CK_UNAVAILABLE_INFORMATION); which attributes go into its card blob (never
 * a secret part); the card flags its attributes ask for. */
int kzt_key_defaults(kzt_attrs *l, CK_OBJECT_CLASS cls, CK_KEY_TYPE type, CK_MECHANISM_TYPE made_by);
/* CKA_PUBLIC_EXPONENT, if l has it, without leading zero bytes (the same number):
 * CKR_ATTRIBUTE_VALUE_INVALID for zero or one over 64 bits. */
CK_RV kzt_key_exponent_normalise(kzt_attrs *l);
int kzt_key_blob_keeps(CK_ATTRIBUTE_TYPE t);
uint8_t kzt_key_card_flags(const kzt_attrs *l);
/* raw = in ^ e mod n (in and raw: pk->k bytes); KZT_ERR_DATA when in >= n (rsaop.c). */
int kzt_pubkey_raise(const kzt_pubkey *pk, const uint8_t *in, uint8_t *raw);
/* Begin on the held session's card, bring the cache up to date and find the token
 * object: on CKR_OK the token lock is held (kzt_card_end) and *o is set. */
CK_RV kzt_token_object_begin(kzt_session *s, CK_OBJECT_HANDLE obj, kzt_op *op, kzt_object **o);
/* The arguments of C_Sign / C_Verify and their Final forms (out: the output
 * length pointer, or the signature to check): CKR_ARGUMENTS_BAD or CKR_OK. */
CK_RV kzt_sig_args(const CK_BYTE *data, CK_ULONG data_len, int single, const void *out);
/* C_SignUpdate / C_VerifyUpdate: feed the session's operation; an error ends it
 * (sign.c). */
CK_RV kzt_sig_update(CK_SESSION_HANDLE h, int verify, const CK_BYTE *p, CK_ULONG n);

/* Token lock held (op begun from a session): store a new object described by l
 * (complete and checked) after the login and session checks every new object
 * passes (create.c): on the card (a token object, or a session key), or, with
 * *host set, not yet: it is a session object the module keeps, which the caller
 * stores with kzt_session_object_add once the card frame ended. */
CK_RV kzt_object_add(kzt_op *op, CK_OBJECT_CLASS cls, kzt_attrs *l, CK_OBJECT_HANDLE *ph, int *host);
/* No lock held: l as a session object of s, kept by the module (l taken). */
CK_RV kzt_session_object_add(kzt_session *s, kzt_attrs *l, CK_OBJECT_HANDLE *ph);

/* Which attributes of an object of class cls go into its card blob (create.c). */
int (*kzt_object_blob_keeps(CK_OBJECT_CLASS cls))(CK_ATTRIBUTE_TYPE);

/* ---- status mapping (rv.c) ---- */
CK_RV kzt_rv(int status);

/* ---- helpers ---- */
/* Copy s into a blank-padded fixed field of n bytes (truncating). */
void kzt_pad(CK_UTF8CHAR *field, size_t n, const char *s, size_t len);

#endif
