/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* The rules the control panel and the banks give for PINs and token names, and
 * how the tool says what is wrong. */
#include <stdarg.h>
#include <string.h>

#include "tool.h"

void
kt_warn(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s", _("warning: "));
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void
kt_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "kaztoken-tool: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static int
latin_or_digit(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9');
}

/* Three characters in a row that step by one, up or down: "123", "678", "abc", "cba". */
static int
has_sequence(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i + 2 < n; i++) {
		int d1 = (unsigned char)s[i + 1] - (unsigned char)s[i];
		int d2 = (unsigned char)s[i + 2] - (unsigned char)s[i + 1];

		if (latin_or_digit(s[i]) && latin_or_digit(s[i + 1]) && latin_or_digit(s[i + 2]) && d1 == d2 &&
		    (d1 == 1 || d1 == -1))
			return 1;
	}
	return 0;
}

int
kt_check_new_pin(const kt_opts *o, const char *pin, size_t len, CK_ULONG min_len, const char *who)
{
	size_t i, same = 1, plain = 1;
	int weak = 0;

	if (len < min_len) {
		kt_error(_("the new %s is too short: the token asks for at least %lu characters"), who,
			 (unsigned long)min_len);
		return KT_POLICY;
	}
	if (len > 32) {
		kt_error(_("the new %s is too long: at most 32 characters"), who);
		return KT_POLICY;
	}
	for (i = 1; i < len; i++)
		same += pin[i] == pin[0];
	if (same == len) {
		kt_error(_("the new %s is one character repeated: anyone would guess it"), who);
		return KT_POLICY;
	}
	for (i = 0; i < len; i++)
		plain &= latin_or_digit(pin[i]);
	if (len < 8) {
		kt_warn(_("the new %s is shorter than 8 characters (the banks ask for 8 or more)"), who);
		weak = 1;
	}
	if (!plain) {
		kt_warn(_("the new %s has characters other than Latin letters and digits (the banks allow only those)"),
			who);
		weak = 1;
	}
	if (has_sequence(pin, len)) {
		kt_warn(_("the new %s has a run like 123, 678 or abc: easy to guess"), who);
		weak = 1;
	}
	if (weak && o->strict) {
		kt_error(_("refused by --strict: choose a stronger %s"), who);
		return KT_POLICY;
	}
	return KT_OK;
}

int
kt_check_label(const char *label)
{
	size_t i, n = strlen(label);

	if (n == 0 || n > 32) {
		kt_error(_("a token name has 1 to 32 characters"));
		return KT_POLICY;
	}
	for (i = 0; i < n; i++) {
		if (!latin_or_digit(label[i]) && strchr("-_=", label[i]) == NULL) {
			kt_error(_("a token name may have only Latin letters, digits and - _ = (the banks' rule): "
				   "'%c' is not allowed"),
				 label[i]);
			return KT_POLICY;
		}
	}
	return KT_OK;
}
