/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* kaztoken-tool: the KAZTOKEN control panel on the command line. It reaches the
 * token only through the module (PKCS#11 and the "Vendor KAZTOKEN" interface),
 * as every application does. What the commands share. */
#ifndef KT_TOOL_H
#define KT_TOOL_H

#include <stddef.h>
#include <stdio.h>

#include <libintl.h>

#include "kaztoken/pkcs11.h"
#include "kaztoken/vendor.h"

#define _(s) gettext(s)
#define N_(s) (s)

/* Exit codes (kaztoken-tool(1), EXIT STATUS). */
enum {
	KT_OK = 0,
	KT_ERR = 1,        /* the module or the card failed */
	KT_USAGE = 2,      /* a wrong command line, or an answer that cannot be used */
	KT_NO_TOKEN = 3,   /* no token, or not the one asked for */
	KT_PIN_WRONG = 4,  /* a wrong PIN (a try was spent) */
	KT_PIN_LOCKED = 5, /* the PIN is blocked */
	KT_CANCEL = 6,     /* the user said no */
	KT_POLICY = 7,     /* refused by the token's or the tool's rules (weak PIN, name) */
	KT_BAD_FILE = 8,   /* a file that cannot be used: corrupt, wrong password, unsupported key */
	KT_FULL = 9,       /* the token has no room */
	KT_BAD_SIG = 10,   /* a signature that does not verify */
};

#define KT_PIN_CAP 64

/* The command line, parsed. */
typedef struct kt_opts {
	const char *module, *serial;
	long token; /* -1: not given */
	int json, pin_stdin, yes, strict, no_login;
	const char *pin_env, *new_pin_env, *new_admin_pin_env, *password_env;
	int user, admin, new_pin, new_user_pin, new_admin_pin, expired, cms;
	const char *label, *subject, *csr, *out, *key, *ca_file, *type;
	long bits, user_min_len, admin_min_len, user_tries, admin_tries;
	const char *changer; /* user | admin | both */
	int nargs;
	char **args; /* the command's operands */
} kt_opts;

/* The module, the chosen token, and a session when one is open. */
typedef struct kt_ctx {
	const kt_opts *o;
	void *dl;
	CK_FUNCTION_LIST_3_0 *p;
	CK_KAZTOKEN_FUNCTION_LIST *v;
	CK_SLOT_ID slot;
	CK_TOKEN_INFO ti;
	CK_SESSION_HANDLE h; /* CK_INVALID_HANDLE when none */
} kt_ctx;

/* ---- module.c ---- */

/* Load and initialise the module (--module, KAZTOKEN_MODULE, the module beside
 * this program, the installed one). KT_OK or an exit code, said on stderr. */
int kt_load(kt_ctx *c, const kt_opts *o);
void kt_unload(kt_ctx *c);
/* The slots with a token, in the module's order: their count (0..cap). */
CK_ULONG kt_token_slots(kt_ctx *c, CK_SLOT_ID *slots, CK_ULONG cap);
/* Choose the token (--token, --serial, or the only one) and read its info. */
int kt_select(kt_ctx *c);
/* Open a session on it; rw for a read/write one. */
int kt_open(kt_ctx *c, int rw);
/* Log in as user (CKU_USER) or admin (CKU_SO), asking the PIN (from --pin-env,
 * standard input or the terminal). A wrong PIN says how many tries are left. */
int kt_login(kt_ctx *c, CK_USER_TYPE who);
/* An exit code for a module answer, with "what: reason" on stderr (nothing for CKR_OK). */
int kt_fail(CK_RV rv, const char *what);
/* The field of a CK_*_INFO, trailing blanks cut, as a C string. */
void kt_field(char *out, const CK_UTF8CHAR *in, size_t n);
/* Re-read the chosen token's info. */
int kt_refresh(kt_ctx *c);
int kt_policy(kt_ctx *c, CK_KAZTOKEN_PIN_POLICY *pol);

/* ---- ask.c ---- */

/* A PIN or password: from the environment variable env when given, else from
 * standard input (--pin-stdin, or no terminal), else asked on the terminal
 * without echo; confirm asks twice and refuses a mismatch. KT_OK or an exit code. */
int kt_ask_secret(const kt_opts *o, const char *prompt, const char *env, int confirm, char *buf, size_t cap,
		  size_t *len);
/* "Type yes to go on": KT_OK, or KT_CANCEL. --yes answers for the user. */
int kt_confirm(const kt_opts *o, const char *question);
void kt_wipe(void *p, size_t n);

/* ---- rules.c ---- */

/* Check a new PIN against the token's minimum (refused: KT_POLICY) and the bank
 * guide's rules (warned, or refused with --strict). who names it in messages. */
int kt_check_new_pin(const kt_opts *o, const char *pin, size_t len, CK_ULONG min_len, const char *who);
/* The bank's rule for token names: Latin letters, digits, '-', '_', '=', 1..32. */
int kt_check_label(const char *label);
void kt_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void kt_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* ---- json.c ---- */

void kt_json_str(FILE *f, const char *s);
void kt_json_hex(FILE *f, const unsigned char *b, size_t n);

/* ---- the commands ---- */

int kt_cmd_list(kt_ctx *c);
int kt_cmd_info(kt_ctx *c);
int kt_cmd_change_pin(kt_ctx *c);
int kt_cmd_unblock(kt_ctx *c);
int kt_cmd_rename(kt_ctx *c);
int kt_cmd_format(kt_ctx *c);
int kt_cmd_certs(kt_ctx *c);
int kt_cmd_import(kt_ctx *c);
/* The import itself, of a file's bytes already read (name for messages), on the
 * chosen token with a read/write session open: a PKCS#12 file, else a certificate
 * in DER or PEM. */
int kt_import(kt_ctx *c, const unsigned char *data, size_t len, const char *name);
int kt_cmd_keygen(kt_ctx *c);
int kt_cmd_sign(kt_ctx *c);
int kt_cmd_verify(kt_ctx *c);

#endif
