/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* The Administration tab: the list of tokens, a token's information, its PINs,
 * its name, and formatting it. */
#include <stdlib.h>
#include <string.h>

#include "tool.h"

/* ready / user PIN locked / default PIN in use, for list. */
static const char *
state_word(const CK_TOKEN_INFO *ti, int json)
{
	if (ti->flags & CKF_USER_PIN_LOCKED)
		return json ? "user-pin-locked" : _("user PIN locked");
	if (ti->flags & (CKF_USER_PIN_TO_BE_CHANGED | CKF_SO_PIN_TO_BE_CHANGED))
		return json ? "default-pin" : _("default PIN in use");
	return json ? "ready" : _("ready");
}

int
kt_cmd_list(kt_ctx *c)
{
	CK_SLOT_ID slots[64];
	CK_ULONG n = kt_token_slots(c, slots, 64), i;
	char label[33], serial[17], reader[65];
	CK_SLOT_INFO si;
	CK_TOKEN_INFO ti;
	unsigned long shown = 0;

	if (c->o->json)
		printf("{\"tokens\":[");
	for (i = 0; i < n; i++) {
		if (c->p->C_GetSlotInfo(slots[i], &si) != CKR_OK || c->p->C_GetTokenInfo(slots[i], &ti) != CKR_OK)
			continue; /* (pulled out meanwhile) */
		kt_field(label, ti.label, sizeof(ti.label));
		kt_field(serial, ti.serialNumber, sizeof(ti.serialNumber));
		kt_field(reader, si.slotDescription, sizeof(si.slotDescription));
		if (c->o->json) {
			printf("%s{\"index\":%lu,\"reader\":", shown++ > 0 ? "," : "", (unsigned long)i);
			kt_json_str(stdout, reader);
			printf(",\"label\":");
			kt_json_str(stdout, label[0] != '\0' ? label : NULL);
			printf(",\"serial\":");
			kt_json_str(stdout, serial);
			printf(",\"state\":\"%s\"}", state_word(&ti, 1));
		} else {
			printf("%lu  %s  KAZTOKEN %s  %s  %s\n", (unsigned long)i, reader,
			       label[0] != '\0' ? label : _("<no label>"), serial, state_word(&ti, 0));
		}
	}
	if (c->o->json)
		printf("]}\n");
	if (n == 0) {
		kt_error(_("no KAZTOKEN is connected"));
		return KT_NO_TOKEN;
	}
	return KT_OK;
}

static const char *
changer_word(CK_FLAGS f, int json)
{
	int u = (f & CKF_KZT_USER_MAY_CHANGE_USER_PIN) != 0, a = (f & CKF_KZT_SO_MAY_CHANGE_USER_PIN) != 0;

	if (u && a)
		return json ? "both" : _("the user and the admin");
	if (a)
		return json ? "admin" : _("the admin only");
	return json ? "user" : _("the user only");
}

static void
json_pin(const char *name, CK_ULONG left, CK_ULONG max, CK_ULONG min, CK_ULONG maxlen, int dflt, int locked)
{
	printf("\"%s\":{\"tries_left\":%lu,\"max_tries\":%lu,\"min_length\":%lu,\"max_length\":%lu,"
	       "\"default\":%s,\"locked\":%s}",
	       name, (unsigned long)left, (unsigned long)max, (unsigned long)min, (unsigned long)maxlen,
	       dflt ? "true" : "false", locked ? "true" : "false");
}

/* The warnings the control panel gives about a token, each once: printed, or into JSON. */
static size_t
token_warnings(const CK_TOKEN_INFO *ti, const CK_KAZTOKEN_PIN_POLICY *pol, const char **w, size_t cap)
{
	size_t n = 0;

	if ((ti->flags & CKF_USER_PIN_TO_BE_CHANGED) && n < cap)
		w[n++] = _("the user PIN is the factory default, known to everyone: change it now");
	if ((ti->flags & CKF_SO_PIN_TO_BE_CHANGED) && n < cap)
		w[n++] = _("the admin PIN is the factory default, known to everyone: change it now");
	if ((ti->flags & CKF_USER_PIN_LOCKED) && n < cap)
		w[n++] = _("the user PIN is blocked: the admin can unblock it (kaztoken-tool unblock)");
	else if (pol->ulUserTriesLeft < pol->ulUserMaxTries && pol->ulUserTriesLeft <= 3 && n < cap)
		w[n++] = _("the user PIN has few tries left before it is blocked");
	if ((ti->flags & CKF_SO_PIN_LOCKED) && n < cap)
		w[n++] = _("the admin PIN is blocked: only a format by the vendor can help");
	else if (pol->ulSoTriesLeft < pol->ulSoMaxTries && pol->ulSoTriesLeft <= 3 && n < cap)
		w[n++] = _("the admin PIN has few tries left before it is blocked");
	return n;
}

/* A label padded to one column in characters, not bytes (Russian and Kazakh take two each). */
static void
label_col(const char *label)
{
	size_t chars = 0;
	const char *p;

	for (p = label; *p != '\0'; p++)
		chars += ((unsigned char)*p & 0xC0) != 0x80;
	fputs(label, stdout);
	do
		putchar(' ');
	while (++chars < 29);
}

int
kt_cmd_info(kt_ctx *c)
{
	CK_KAZTOKEN_PIN_POLICY pol;
	CK_TOKEN_INFO *ti = &c->ti;
	char label[33], serial[17], manuf[33], model[17];
	const char *w[8];
	size_t nw, i;
	int r;

	if ((r = kt_select(c)) != KT_OK || (r = kt_policy(c, &pol)) != KT_OK)
		return r;
	kt_field(label, ti->label, sizeof(ti->label));
	kt_field(serial, ti->serialNumber, sizeof(ti->serialNumber));
	kt_field(manuf, ti->manufacturerID, sizeof(ti->manufacturerID));
	kt_field(model, ti->model, sizeof(ti->model));
	nw = token_warnings(ti, &pol, w, 8);
	if (c->o->json) {
		printf("{\"label\":");
		kt_json_str(stdout, label[0] != '\0' ? label : NULL);
		printf(",\"serial\":");
		kt_json_str(stdout, serial);
		printf(",\"manufacturer\":");
		kt_json_str(stdout, manuf);
		printf(",\"model\":");
		kt_json_str(stdout, model);
		printf(",\"hardware_version\":\"%u.%u\",\"firmware_version\":\"%u.%u\"", ti->hardwareVersion.major,
		       ti->hardwareVersion.minor, ti->firmwareVersion.major, ti->firmwareVersion.minor);
		printf(",\"memory\":{\"total\":%lu,\"free\":%lu},", (unsigned long)ti->ulTotalPublicMemory,
		       (unsigned long)ti->ulFreePublicMemory);
		json_pin("user_pin", pol.ulUserTriesLeft, pol.ulUserMaxTries, pol.ulUserMinLen, pol.ulUserMaxLen,
			 (ti->flags & CKF_USER_PIN_TO_BE_CHANGED) != 0, (ti->flags & CKF_USER_PIN_LOCKED) != 0);
		putchar(',');
		json_pin("admin_pin", pol.ulSoTriesLeft, pol.ulSoMaxTries, pol.ulSoMinLen, pol.ulSoMaxLen,
			 (ti->flags & CKF_SO_PIN_TO_BE_CHANGED) != 0, (ti->flags & CKF_SO_PIN_LOCKED) != 0);
		printf(",\"user_pin_changed_by\":\"%s\",\"warnings\":[", changer_word(pol.flags, 1));
		for (i = 0; i < nw; i++) {
			if (i > 0)
				putchar(',');
			kt_json_str(stdout, w[i]);
		}
		printf("]}\n");
		return KT_OK;
	}
	label_col(_("Name:"));
	printf("%s\n", label[0] != '\0' ? label : _("<no label>"));
	label_col(_("Serial:"));
	printf("%s\n", serial);
	label_col(_("Manufacturer:"));
	printf("%s\n", manuf);
	label_col(_("Model:"));
	printf("%s\n", model);
	label_col(_("Hardware / firmware:"));
	printf("%u.%u / %u.%u\n", ti->hardwareVersion.major,
	       ti->hardwareVersion.minor, ti->firmwareVersion.major, ti->firmwareVersion.minor);
	label_col(_("Memory free / total:"));
	printf("%lu / %lu %s\n", (unsigned long)ti->ulFreePublicMemory,
	       (unsigned long)ti->ulTotalPublicMemory, _("bytes"));
	label_col(_("User PIN tries:"));
	printf("%lu / %lu, %s %lu..%lu\n", (unsigned long)pol.ulUserTriesLeft,
	       (unsigned long)pol.ulUserMaxTries, _("length"), (unsigned long)pol.ulUserMinLen,
	       (unsigned long)pol.ulUserMaxLen);
	label_col(_("Admin PIN tries:"));
	printf("%lu / %lu, %s %lu..%lu\n", (unsigned long)pol.ulSoTriesLeft,
	       (unsigned long)pol.ulSoMaxTries, _("length"), (unsigned long)pol.ulSoMinLen,
	       (unsigned long)pol.ulSoMaxLen);
	label_col(_("User PIN changed by:"));
	printf("%s\n", changer_word(pol.flags, 0));
	for (i = 0; i < nw; i++)
		kt_warn("%s", w[i]);
	return KT_OK;
}

/* Ask a new PIN twice (or take it from env) and check it against min_len. */
static int
new_pin(const kt_opts *o, const char *prompt, const char *env, CK_ULONG min_len, const char *who, char *pin,
	size_t *len)
{
	int r = kt_ask_secret(o, prompt, env, 1, pin, KT_PIN_CAP, len);

	if (r == KT_OK && (r = kt_check_new_pin(o, pin, *len, min_len, who)) != KT_OK)
		kt_wipe(pin, KT_PIN_CAP);
	return r;
}

int
kt_cmd_change_pin(kt_ctx *c)
{
	CK_USER_TYPE who = c->o->admin ? CKU_SO : CKU_USER;
	CK_KAZTOKEN_PIN_POLICY pol;
	char old[KT_PIN_CAP], pin[KT_PIN_CAP];
	size_t old_len, len;
	CK_RV rv;
	int r;

	if (c->o->admin == c->o->user) {
		kt_error(_("say whose PIN: --user or --admin"));
		return KT_USAGE;
	}
	if ((r = kt_select(c)) != KT_OK || (r = kt_policy(c, &pol)) != KT_OK || (r = kt_open(c, 1)) != KT_OK)
		return r;
	if (who == CKU_USER && !(pol.flags & CKF_KZT_USER_MAY_CHANGE_USER_PIN)) {
		kt_error(_("the token's policy lets only the admin set the user PIN (kaztoken-tool unblock --new-pin)"));
		return KT_POLICY;
	}
	r = kt_ask_secret(c->o, who == CKU_SO ? _("Current admin PIN: ") : _("Current user PIN: "), c->o->pin_env,
			  0, old, sizeof(old), &old_len);
	if (r != KT_OK)
		return r;
	r = new_pin(c->o, who == CKU_SO ? _("New admin PIN: ") : _("New user PIN: "), c->o->new_pin_env,
		    who == CKU_SO ? pol.ulSoMinLen : pol.ulUserMinLen, who == CKU_SO ? _("admin PIN") : _("user PIN"),
		    pin, &len);
	if (r == KT_OK) {
		/* the admin's PIN is changed by the admin's login; the user's needs none */
		rv = CKR_OK;
		if (who == CKU_SO)
			rv = c->p->C_Login(c->h, CKU_SO, (CK_UTF8CHAR_PTR)old, old_len);
		if (rv == CKR_OK)
			rv = c->p->C_SetPIN(c->h, (CK_UTF8CHAR_PTR)old, old_len, (CK_UTF8CHAR_PTR)pin, len);
		if (rv == CKR_PIN_INCORRECT && kt_policy(c, &pol) == KT_OK) {
			kt_error(_("wrong current PIN: %lu tries left before it is blocked"),
				 (unsigned long)(who == CKU_SO ? pol.ulSoTriesLeft : pol.ulUserTriesLeft));
			r = KT_PIN_WRONG;
		} else if ((r = kt_fail(rv, _("the PIN was not changed"))) == KT_OK) {
			printf("%s\n", who == CKU_SO ? _("The admin PIN was changed.") : _("The user PIN was changed."));
		}
	}
	kt_wipe(old, sizeof(old));
	kt_wipe(pin, sizeof(pin));
	return r;
}

int
kt_cmd_unblock(kt_ctx *c)
{
	CK_KAZTOKEN_PIN_POLICY pol;
	char pin[KT_PIN_CAP];
	size_t len;
	int r;

	if ((r = kt_select(c)) != KT_OK || (r = kt_policy(c, &pol)) != KT_OK || (r = kt_open(c, 1)) != KT_OK ||
	    (r = kt_login(c, CKU_SO)) != KT_OK)
		return r;
	if (!c->o->new_pin) {
		if ((r = kt_fail(c->v->C_KZT_UnblockUserPin(c->h), _("the user PIN was not unblocked"))) == KT_OK)
			printf("%s\n", _("PIN successfully unblocked: the user PIN is the same, its tries are restored."));
		return r;
	}
	if (!(pol.flags & CKF_KZT_SO_MAY_CHANGE_USER_PIN)) {
		kt_error(_("the token's policy does not let the admin set the user PIN"));
		return KT_POLICY;
	}
	if ((r = new_pin(c->o, _("New user PIN: "), c->o->new_pin_env, pol.ulUserMinLen, _("user PIN"), pin, &len)) !=
	    KT_OK)
		return r;
	r = kt_fail(c->p->C_InitPIN(c->h, (CK_UTF8CHAR_PTR)pin, len), _("the user PIN was not set"));
	kt_wipe(pin, sizeof(pin));
	if (r == KT_OK)
		printf("%s\n", _("PIN successfully unblocked: the user PIN is the new one."));
	return r;
}

int
kt_cmd_rename(kt_ctx *c)
{
	const char *label;
	int r;

	if (c->o->nargs != 1) {
		kt_error(_("usage: kaztoken-tool rename LABEL [--admin]"));
		return KT_USAGE;
	}
	label = c->o->args[0];
	if ((r = kt_check_label(label)) != KT_OK || (r = kt_select(c)) != KT_OK || (r = kt_open(c, 1)) != KT_OK ||
	    (r = kt_login(c, c->o->admin ? CKU_SO : CKU_USER)) != KT_OK)
		return r;
	r = kt_fail(c->v->C_KZT_SetTokenLabel(c->h, (CK_UTF8CHAR_PTR)label, strlen(label)),
		    _("the token was not renamed"));
	if (r == KT_OK)
		printf(_("The token is now called %s.\n"), label);
	return r;
}

/* A number option in [lo, hi], or 0 when not given (the factory value). */
static int
limit(long v, long lo, long hi, const char *name, CK_ULONG *out)
{
	if (v == 0) {
		*out = 0;
		return KT_OK;
	}
	if (v < lo || v > hi) {
		kt_error(_("%s must lie between %ld and %ld"), name, lo, hi);
		return KT_USAGE;
	}
	*out = (CK_ULONG)v;
	return KT_OK;
}

int
kt_cmd_format(kt_ctx *c)
{
	const kt_opts *o = c->o;
	CK_KAZTOKEN_FORMAT f;
	char admin[KT_PIN_CAP], upin[KT_PIN_CAP], apin[KT_PIN_CAP];
	size_t admin_len = 0, ulen = 0, alen = 0;
	int r;

	memset(&f, 0, sizeof(f));
	if ((r = limit(o->user_min_len, 4, 32, "--user-min-len", &f.ulUserMinLen)) != KT_OK ||
	    (r = limit(o->admin_min_len, 4, 32, "--admin-min-len", &f.ulSoMinLen)) != KT_OK ||
	    (r = limit(o->user_tries, 1, 15, "--user-tries", &f.ulUserMaxTries)) != KT_OK ||
	    (r = limit(o->admin_tries, 1, 15, "--admin-tries", &f.ulSoMaxTries)) != KT_OK)
		return r;
	if (o->changer != NULL) {
		if (strcmp(o->changer, "user") == 0)
			f.flags = CKF_KZT_USER_MAY_CHANGE_USER_PIN;
		else if (strcmp(o->changer, "admin") == 0)
			f.flags = CKF_KZT_SO_MAY_CHANGE_USER_PIN;
		else if (strcmp(o->changer, "both") == 0)
			f.flags = CKF_KZT_USER_MAY_CHANGE_USER_PIN | CKF_KZT_SO_MAY_CHANGE_USER_PIN;
		else {
			kt_error(_("--user-pin-changer is user, admin or both"));
			return KT_USAGE;
		}
	}
	if (o->label != NULL && (r = kt_check_label(o->label)) != KT_OK)
		return r;
	/* the factory PINs have 8 characters: a longer minimum needs a PIN of one's own */
	if ((f.ulUserMinLen > 8 && !o->new_user_pin) || (f.ulSoMinLen > 8 && !o->new_admin_pin)) {
		kt_error(_("a minimum PIN length over 8 needs a new PIN (--new-user-pin, --new-admin-pin): "
			   "the factory ones have 8 characters"));
		return KT_USAGE;
	}
	if ((r = kt_select(c)) != KT_OK)
		return r;
	if ((r = kt_confirm(o, _("Formatting erases ALL data on the token: keys, certificates and objects. "
				 "PINs and policies become the ones chosen now, or the factory ones."))) != KT_OK)
		return r;
	if ((r = kt_ask_secret(o, _("Admin PIN: "), o->pin_env, 0, admin, sizeof(admin), &admin_len)) != KT_OK)
		goto out;
	if (o->new_user_pin &&
	    (r = new_pin(o, _("New user PIN: "), o->new_pin_env, f.ulUserMinLen ? f.ulUserMinLen : 6, _("user PIN"),
			 upin, &ulen)) != KT_OK)
		goto out;
	if (o->new_admin_pin && (r = new_pin(o, _("New admin PIN: "), o->new_admin_pin_env,
					     f.ulSoMinLen ? f.ulSoMinLen : 6, _("admin PIN"), apin, &alen)) != KT_OK)
		goto out;
	if (o->label != NULL) {
		f.pLabel = (CK_UTF8CHAR_PTR)o->label;
		f.ulLabelLen = strlen(o->label);
	}
	if (o->new_user_pin) {
		f.pUserPin = (CK_UTF8CHAR_PTR)upin;
		f.ulUserPinLen = ulen;
	}
	if (o->new_admin_pin) {
		f.pSoPin = (CK_UTF8CHAR_PTR)apin;
		f.ulSoPinLen = alen;
	}
	r = kt_fail(c->v->C_KZT_FormatToken(c->slot, (CK_UTF8CHAR_PTR)admin, admin_len, &f),
		    _("the token was not formatted"));
	if (r == KT_OK) {
		printf("%s\n", _("The token was formatted."));
		if (!o->new_user_pin)
			printf("%s\n", _("The user PIN is the factory one, 12345678: change it before use."));
		if (!o->new_admin_pin)
			printf("%s\n", _("The admin PIN is the factory one, 87654321: change it before use."));
	}
out:
	kt_wipe(admin, sizeof(admin));
	kt_wipe(upin, sizeof(upin));
	kt_wipe(apin, sizeof(apin));
	kt_wipe(&f, sizeof(f));
	return r;
}
