/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* The module as the tool uses it: loading, choosing a token, sessions, logins, and
 * what a module answer means for the user (a message and an exit code). */
#include <dlfcn.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tool.h"

#ifndef KT_MODULE_PATH
#define KT_MODULE_PATH "libkaztoken-pkcs11.so"
#endif

/* The module beside this program (a build tree), if there is one. */
static int
module_beside(char *out, size_t cap)
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	char *slash;

	if (n <= 0)
		return 0;
	self[n] = '\0';
	if ((slash = strrchr(self, '/')) == NULL)
		return 0;
	*slash = '\0';
	if ((size_t)snprintf(out, cap, "%s/libkaztoken-pkcs11.so", self) >= cap)
		return 0;
	return access(out, R_OK) == 0;
}

int
kt_load(kt_ctx *c, const kt_opts *o)
{
	CK_RV (*get_interface)(CK_UTF8CHAR_PTR, CK_VERSION_PTR, CK_INTERFACE_PTR_PTR, CK_FLAGS);
	CK_C_INITIALIZE_ARGS args = {.flags = CKF_OS_LOCKING_OK};
	CK_VERSION v30 = {3, 0};
	CK_INTERFACE *iface;
	char beside[PATH_MAX];
	const char *path = o->module;
	CK_RV rv;

	memset(c, 0, sizeof(*c));
	c->o = o;
	c->h = CK_INVALID_HANDLE;
	if (path == NULL)
		path = getenv("KAZTOKEN_MODULE");
	if (path == NULL)
		path = module_beside(beside, sizeof(beside)) ? beside : KT_MODULE_PATH;
	if ((c->dl = dlopen(path, RTLD_NOW | RTLD_LOCAL)) == NULL) {
		kt_error(_("cannot load the module %s: %s"), path, dlerror());
		return KT_ERR;
	}
	*(void **)&get_interface = dlsym(c->dl, "C_GetInterface");
	if (get_interface == NULL || get_interface((CK_UTF8CHAR_PTR) "PKCS 11", &v30, &iface, 0) != CKR_OK) {
		kt_error(_("%s is not a PKCS#11 3.0 module"), path);
		return KT_ERR;
	}
	c->p = iface->pFunctionList;
	if (get_interface((CK_UTF8CHAR_PTR)KZT_VENDOR_INTERFACE_NAME, NULL, &iface, 0) != CKR_OK) {
		kt_error(_("%s is not the KAZTOKEN module (no vendor interface)"), path);
		return KT_ERR;
	}
	c->v = iface->pFunctionList;
	if (c->v->version.major != 0 || c->v->version.minor < 3) {
		kt_error(_("the module at %s is too old for this tool"), path);
		return KT_ERR;
	}
	if ((rv = c->p->C_Initialize(&args)) != CKR_OK) {
		c->p = NULL;
		return kt_fail(rv, _("the module did not start"));
	}
	return KT_OK;
}

void
kt_unload(kt_ctx *c)
{
	if (c->p != NULL) {
		if (c->h != CK_INVALID_HANDLE)
			c->p->C_CloseSession(c->h);
		c->p->C_Finalize(NULL);
	}
	if (c->dl != NULL)
		dlclose(c->dl);
	memset(c, 0, sizeof(*c));
}

void
kt_field(char *out, const CK_UTF8CHAR *in, size_t n)
{
	memcpy(out, in, n);
	while (n > 0 && out[n - 1] == ' ')
		n--;
	out[n] = '\0';
}

CK_ULONG
kt_token_slots(kt_ctx *c, CK_SLOT_ID *slots, CK_ULONG cap)
{
	CK_ULONG n = 0;

	if (c->p->C_GetSlotList(CK_TRUE, NULL, &n) != CKR_OK)
		return 0;
	if (n > cap)
		n = cap;
	if (c->p->C_GetSlotList(CK_TRUE, slots, &n) != CKR_OK)
		return 0;
	return n;
}

int
kt_refresh(kt_ctx *c)
{
	return kt_fail(c->p->C_GetTokenInfo(c->slot, &c->ti), _("cannot read the token"));
}

int
kt_select(kt_ctx *c)
{
	CK_SLOT_ID slots[64];
	CK_ULONG n = kt_token_slots(c, slots, 64), i;
	char serial[17];

	if (n == 0) {
		kt_error(_("no KAZTOKEN is connected"));
		return KT_NO_TOKEN;
	}
	if (c->o->serial != NULL) {
		for (i = 0; i < n; i++) {
			if (c->p->C_GetTokenInfo(slots[i], &c->ti) != CKR_OK)
				continue;
			kt_field(serial, c->ti.serialNumber, sizeof(c->ti.serialNumber));
			if (strcasecmp(serial, c->o->serial) == 0) {
				c->slot = slots[i];
				return KT_OK;
			}
		}
		kt_error(_("no connected token has the serial %s"), c->o->serial);
		return KT_NO_TOKEN;
	}
	if (c->o->token >= 0) {
		if ((CK_ULONG)c->o->token >= n) {
			kt_error(_("there is no token %ld: %lu connected (see kaztoken-tool list)"), c->o->token,
				 (unsigned long)n);
			return KT_NO_TOKEN;
		}
		c->slot = slots[c->o->token];
	} else if (n > 1) {
		kt_error(_("%lu tokens are connected: choose one with --token N or --serial S (see kaztoken-tool list)"),
			 (unsigned long)n);
		return KT_USAGE;
	} else {
		c->slot = slots[0];
	}
	return kt_refresh(c);
}

int
kt_open(kt_ctx *c, int rw)
{
	CK_FLAGS fl = CKF_SERIAL_SESSION | (rw ? CKF_RW_SESSION : 0);

	return kt_fail(c->p->C_OpenSession(c->slot, fl, NULL, NULL, &c->h), _("cannot open a session"));
}

int
kt_policy(kt_ctx *c, CK_KAZTOKEN_PIN_POLICY *pol)
{
	return kt_fail(c->v->C_KZT_GetPinPolicy(c->slot, pol), _("cannot read the PIN policy"));
}

int
kt_login(kt_ctx *c, CK_USER_TYPE who)
{
	CK_KAZTOKEN_PIN_POLICY pol;
	char pin[KT_PIN_CAP];
	size_t len;
	CK_RV rv;
	int r;

	r = kt_ask_secret(c->o, who == CKU_SO ? _("Admin PIN: ") : _("User PIN: "), c->o->pin_env, 0, pin,
			  sizeof(pin), &len);
	if (r != KT_OK)
		return r;
	rv = c->p->C_Login(c->h, who, (CK_UTF8CHAR_PTR)pin, len);
	kt_wipe(pin, sizeof(pin));
	if (rv == CKR_OK || rv == CKR_USER_ALREADY_LOGGED_IN) {
		kt_refresh(c);
		if (who == CKU_USER && (c->ti.flags & CKF_USER_PIN_TO_BE_CHANGED))
			kt_warn(_("the user PIN is still the factory default, known to everyone: change it now "
				  "(kaztoken-tool change-pin --user)"));
		if (who == CKU_SO && (c->ti.flags & CKF_SO_PIN_TO_BE_CHANGED))
			kt_warn(_("the admin PIN is still the factory default, known to everyone: change it now "
				  "(kaztoken-tool change-pin --admin)"));
		return KT_OK;
	}
	if (rv == CKR_PIN_INCORRECT && kt_policy(c, &pol) == KT_OK) {
		kt_error(_("wrong PIN: %lu tries left before it is blocked"),
			 (unsigned long)(who == CKU_SO ? pol.ulSoTriesLeft : pol.ulUserTriesLeft));
		return KT_PIN_WRONG;
	}
	return kt_fail(rv, who == CKU_SO ? _("admin login failed") : _("login failed"));
}

/* What a module answer means, for the user and for scripts. */
static const struct {
	CK_RV rv;
	int code;
	const char *name, *text;
} kt_answers[] = {
	{CKR_PIN_INCORRECT, KT_PIN_WRONG, "CKR_PIN_INCORRECT", N_("wrong PIN")},
	{CKR_PIN_LOCKED, KT_PIN_LOCKED, "CKR_PIN_LOCKED",
	 N_("the PIN is blocked (the admin can unblock the user PIN: kaztoken-tool unblock)")},
	{CKR_PIN_LEN_RANGE, KT_POLICY, "CKR_PIN_LEN_RANGE", N_("the PIN's length is outside the token's limits")},
	{CKR_ACTION_PROHIBITED, KT_POLICY, "CKR_ACTION_PROHIBITED", N_("the token's policy does not allow it")},
	{CKR_TOKEN_NOT_PRESENT, KT_NO_TOKEN, "CKR_TOKEN_NOT_PRESENT", N_("the token was taken out")},
	{CKR_DEVICE_REMOVED, KT_NO_TOKEN, "CKR_DEVICE_REMOVED", N_("the token was taken out")},
	{CKR_SLOT_ID_INVALID, KT_NO_TOKEN, "CKR_SLOT_ID_INVALID", N_("the token is gone")},
	{CKR_DEVICE_MEMORY, KT_FULL, "CKR_DEVICE_MEMORY", N_("the token is full")},
	{CKR_SIGNATURE_INVALID, KT_BAD_SIG, "CKR_SIGNATURE_INVALID", N_("the signature does not match")},
	{CKR_USER_NOT_LOGGED_IN, KT_ERR, "CKR_USER_NOT_LOGGED_IN", N_("a login is needed")},
	{CKR_SESSION_EXISTS, KT_ERR, "CKR_SESSION_EXISTS", N_("another part of this program has the token open")},
	{CKR_ARGUMENTS_BAD, KT_USAGE, "CKR_ARGUMENTS_BAD", N_("a value out of range")},
	{CKR_ATTRIBUTE_VALUE_INVALID, KT_ERR, "CKR_ATTRIBUTE_VALUE_INVALID", N_("the token refused a value")},
	{CKR_DEVICE_ERROR, KT_ERR, "CKR_DEVICE_ERROR", N_("the token did not answer properly")},
	{CKR_FUNCTION_FAILED, KT_ERR, "CKR_FUNCTION_FAILED", N_("the operation failed")},
};

int
kt_fail(CK_RV rv, const char *what)
{
	size_t i;

	if (rv == CKR_OK)
		return KT_OK;
	for (i = 0; i < sizeof(kt_answers) / sizeof(kt_answers[0]); i++) {
		if (kt_answers[i].rv == rv) {
			kt_error("%s: %s (%s)", what, _(kt_answers[i].text), kt_answers[i].name);
			return kt_answers[i].code;
		}
	}
	kt_error("%s: CKR 0x%08lx", what, (unsigned long)rv);
	return KT_ERR;
}
