/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* Readers behind one interface. A transport knows how to reach one card and move
 * bytes; it knows nothing of the applet above it. */
#ifndef KZT_TRANSPORT_H
#define KZT_TRANSPORT_H

#include <stddef.h>
#include <stdint.h>

#define KZT_ATR_MAX 33
#define KZT_READER_NAME_MAX 128
#define KZT_PCSC_WAIT_MAX 16 /* readers watched at once by kzt_pcsc_wait */

typedef struct kzt_transport kzt_transport;

typedef struct kzt_transport_ops {
	const char *name;
	/* Reach the card (power it if needed) and return its ATR. KZT_ERR_NO_CARD
	 * when the reader is there but no card is. */
	int (*connect)(kzt_transport *t, uint8_t *atr, size_t *atr_len);
	/* Exchange one APDU. KZT_ERR_NO_CARD when the card went away. */
	int (*transmit)(kzt_transport *t, const uint8_t *cmd, size_t cmd_len, uint8_t *resp,
			size_t resp_cap, size_t *resp_len);
	/* Drop the connection to the card (idempotent). */
	void (*disconnect)(kzt_transport *t);
	/* Free the transport's private state. */
	void (*destroy)(kzt_transport *t);
	/* Optional (NULL: nothing to do). Hold the card for one operation of several
	 * APDUs, connecting it if needed, so that no other application's commands come
	 * between ours: KZT_OK; KZT_ERR_RESET when it was reset by someone else since
	 * our last operation (reconnected, and held all the same); KZT_ERR_NO_CARD. */
	int (*begin)(kzt_transport *t);
	/* Let the card go after begin. */
	void (*end)(kzt_transport *t);
	/* Is a card in the reader now: 1, 0, or -1 when that cannot be told just now.
	 * (NULL: presence shows only in connect.) */
	int (*present)(kzt_transport *t);
	/* Optional (NULL: none). Another transport to the same card, on a card
	 * session of its own (the simulator's connections). */
	int (*clone)(kzt_transport *t, kzt_transport **out);
} kzt_transport_ops;

struct kzt_transport {
	const kzt_transport_ops *ops;
	void *priv;
	char description[64]; /* the reader's name, for the slot description */
	int secret_response;  /* the trace: the last response's data was secret */
	int short_apdus;      /* set by connect: the reader carries short APDUs only */
	/* set by connect: the card session is ours alone (a connection of its own to
	 * the simulator), so what the card keeps per session, a key selected by MSE
	 * SET, stays as we left it; never so through PC/SC, where other applications
	 * share the card session */
	int session_ours;
	/* after fork, the child must not touch it (a claimed USB interface is the
	 * parent's): kzt_transport_forget instead of kzt_transport_free */
	int parent_only;
};

/* Each of these goes through the transport's ops; transmit also writes the APDU
 * trace at log level 3 with secret data fields redacted. */
int kzt_transport_connect(kzt_transport *t, uint8_t *atr, size_t *atr_len);
int kzt_transport_transmit(void *t, const uint8_t *cmd, size_t cmd_len, uint8_t *resp,
			   size_t resp_cap, size_t *resp_len);
void kzt_transport_disconnect(kzt_transport *t);
/* begin / end / present through the ops, where the transport has them. */
int kzt_transport_begin(kzt_transport *t);
void kzt_transport_end(kzt_transport *t);
int kzt_transport_present(kzt_transport *t);
/* Another transport to t's card with a card session of its own:
 * KZT_ERR_NOT_SUPPORTED when t has no such thing (PC/SC, USB). */
int kzt_transport_clone(kzt_transport *t, kzt_transport **out);
/* A transport with these ops and priv_size zeroed bytes of private state (for the
 * transports' constructors), or NULL. */
kzt_transport *kzt_transport_alloc(const kzt_transport_ops *ops, size_t priv_size);
/* Destroy t (disconnecting first) and set *t to NULL. */
void kzt_transport_free(kzt_transport **t);
/* In a forked child: let go of the parent's t. A parent_only transport is left
 * as it is (its memory too: freeing it would release the parent's claim); any
 * other is freed as kzt_transport_free does. */
void kzt_transport_forget(kzt_transport **t);

/* The virtual token on kaztoken-sim's socket: a unix socket path or tcp:HOST:PORT.
 * KZT_ERR_ARGS when malformed; KZT_ERR_NOT_SUPPORTED for a unix path on a system
 * without unix sockets (Windows). */
int kzt_transport_sim_new(const char *path, kzt_transport **out);

/* ---- PC/SC (pcsc.c) ---- */
/* The card in the PC/SC reader of this name. */
int kzt_transport_pcsc_new(const char *reader, kzt_transport **out);
/* A PC/SC context for listing readers and waiting on them; KZT_ERR_NO_CARD when no
 * PC/SC service runs. */
typedef struct kzt_pcsc kzt_pcsc;
/* 1 when this build speaks PC/SC (pcsc.c), 0 in one without (pcsc_none.c) */
extern const int kzt_pcsc_built_in;
int kzt_pcsc_open(kzt_pcsc **out);
void kzt_pcsc_close(kzt_pcsc **p);
/* The reader names as a list of NUL-terminated strings ending with an empty one
 * (len bytes in all; 0 when there is no reader). */
int kzt_pcsc_readers(kzt_pcsc *p, char *names, size_t cap, size_t *len);
/* Wait until the state of one of the n readers, or the reader list, differs from
 * seen (n + 1 values, the last for the list; 0 = not known yet), then update seen:
 * KZT_OK; KZT_ERR_TIMEOUT after timeout_ms (-1: no limit); KZT_ERR_CANCELLED when
 * kzt_pcsc_cancel was called from another thread. */
int kzt_pcsc_wait(kzt_pcsc *p, const char *const *readers, size_t n, unsigned long *seen,
		  long timeout_ms);
void kzt_pcsc_cancel(kzt_pcsc *p);

/* ---- the reader manager (readers.c): the one way above this layer to reach
 * hardware readers ---- */
typedef enum kzt_reader_kind {
	KZT_READER_NONE,
	KZT_READER_PCSC, /* through the PC/SC service */
	KZT_READER_USB,  /* USB CCID readers, driven directly */
} kzt_reader_kind;
#define KZT_READERS_ALLOW_PCSC 1u
#define KZT_READERS_ALLOW_CCID 2u
typedef struct kzt_reader_mgr kzt_reader_mgr;
/* A manager for the kinds allow lets through (both: PC/SC when its service
 * answers now, else USB CCID; neither: no readers). The choice holds for the
 * manager's life. */
int kzt_readers_open(unsigned allow, kzt_reader_mgr **out);
/* after_fork: in a forked child (the parent's USB context is left alone). */
void kzt_readers_close(kzt_reader_mgr **m, int after_fork);
/* The names of the readers there now, NUL-separated, ending with an empty one (len
 * bytes; 0 without readers): 1 when they could be listed, 0 when there is nothing
 * to compare with. Not for two threads at once (list and transport). */
int kzt_readers_list(kzt_reader_mgr *m, char *names, size_t cap, size_t *len);
/* A transport to the card in the reader of this name. */
int kzt_readers_transport(kzt_reader_mgr *m, const char *name, kzt_transport **out);
/* Wait until one of the n readers, or the reader list, differs from seen (n + 1
 * values), as kzt_pcsc_wait: KZT_OK, KZT_ERR_TIMEOUT, KZT_ERR_CANCELLED; or
 * KZT_ERR_NOT_SUPPORTED when these readers cannot be waited on (look again
 * later). May run while another thread lists. */
int kzt_readers_wait(kzt_reader_mgr *m, const char *const *readers, size_t n, unsigned long *seen,
		     long timeout_ms);
/* From another thread: end a kzt_readers_wait with KZT_ERR_CANCELLED. */
void kzt_readers_cancel(kzt_reader_mgr *m);

#endif
