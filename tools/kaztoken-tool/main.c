/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* kaztoken-tool's command line: options, the help of every command, the language
 * of its messages, and which command runs. */
#include <getopt.h>
#include <limits.h>
#include <locale.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tool.h"

#ifndef KT_LOCALEDIR
#define KT_LOCALEDIR "/usr/share/locale"
#endif
#ifndef KT_VERSION
#define KT_VERSION "0"
#endif

typedef struct command {
	const char *name;
	int (*run)(kt_ctx *c);
	int needs_module;
	const char *usage, *help;
} command;

static const command commands[] = {
	{"list", kt_cmd_list, 1, "list [--json]", N_("Every connected token: index, reader, name, serial and state.")},
	{"info", kt_cmd_info, 1, "info [--json]",
	 N_("The token's name, serial, maker, versions, memory, PIN tries and policies, and warnings.")},
	{"change-pin", kt_cmd_change_pin, 1, "change-pin --user | --admin",
	 N_("Change a PIN: the current one, then the new one twice.")},
	{"unblock", kt_cmd_unblock, 1, "unblock [--new-pin]",
	 N_("With the admin PIN: restore the user PIN's tries keeping the PIN, or set a new one.")},
	{"rename", kt_cmd_rename, 1, "rename LABEL [--admin]",
	 N_("Name the token (Latin letters, digits and - _ =), logged in as the user or the admin.")},
	{"format", kt_cmd_format, 1,
	 "format [--label L] [--new-user-pin] [--new-admin-pin] [--user-min-len N] [--admin-min-len N]\n"
	 "       [--user-tries N] [--admin-tries N] [--user-pin-changer user|admin|both] [--yes]",
	 N_("Erase everything on the token and set its name, PINs and policies (needs the admin PIN).")},
	{"certs", kt_cmd_certs, 1, "certs [list] [--json] [--no-login] | certs delete ID | certs delete --expired",
	 N_("The certificates, oldest expiry first; delete one, or the expired ones, with their key pairs.")},
	{"import", kt_cmd_import, 1, "import FILE.p12|FILE.pfx|CERT.pem [--label L] [--password-env VAR]",
	 N_("A PKCS#12 file's key, certificate and chain onto the token, or a certificate for a key it holds.")},
	{"keygen", kt_cmd_keygen, 1,
	 "keygen --label L [--type rsa|ec-p256|ec-p384|gost256|gost512] [--bits 2048|3072|4096] [--csr OUT.csr --subject DN]",
	 N_("Make a key pair on the token (RSA, ECDSA or GOST), and a certificate request signed by it.")},
	{"sign", kt_cmd_sign, 1, "sign FILE [--out FILE.sig] [--key ID] [--cms]",
	 N_("A detached signature of a file: raw (RSA or ECDSA with SHA-2, GOST with Streebog), or CMS with --cms.")},
	{"verify", kt_cmd_verify, 1, "verify FILE SIGNATURE [--key ID] [--cms [--ca-file CA.pem]]",
	 N_("Check a detached signature: raw with the token's public key, or CMS.")},
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static void
usage_all(FILE *f)
{
	size_t i;

	fprintf(f, "%s\n\n", _("Usage: kaztoken-tool COMMAND [OPTIONS]   (kaztoken-tool COMMAND --help)"));
	for (i = 0; i < NCOMMANDS; i++)
		fprintf(f, "  %-11s %s\n", commands[i].name, _(commands[i].help));
	fprintf(f, "\n%s\n", _("Options for every command:"));
	fprintf(f, "  --token N | --serial S   %s\n", _("which token, when several are connected"));
	fprintf(f, "  --json                   %s\n", _("machine-readable output (read commands)"));
	fprintf(f, "  --pin-env VAR            %s\n", _("the PIN from an environment variable"));
	fprintf(f, "  --new-pin-env VAR        %s\n", _("a new PIN from an environment variable"));
	fprintf(f, "  --new-admin-pin-env VAR  %s\n", _("format: the new admin PIN from an environment variable"));
	fprintf(f, "  --pin-stdin              %s\n", _("answers (PINs, confirmations) from standard input, a line each"));
	fprintf(f, "  --strict                 %s\n", _("refuse weak new PINs instead of warning"));
	fprintf(f, "  --module PATH            %s\n", _("the PKCS#11 module to use"));
	fprintf(f, "\n%s\n", _("Exit status: 0 done, 1 failed, 2 usage, 3 no token, 4 wrong PIN, 5 PIN blocked, "
			       "6 cancelled, 7 refused by a rule, 8 unusable file, 9 token full, 10 bad signature."));
}

static void
usage_one(const command *cmd)
{
	printf("%s kaztoken-tool %s\n\n%s\n\n%s\n", _("Usage:"), cmd->usage, _(cmd->help),
	       _("See kaztoken-tool(1) for every option, the JSON schema and the exit status."));
}

static long
number(const char *s, const char *opt)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (*s == '\0' || *end != '\0' || v < 0 || v > 1000000) {
		kt_error(_("%s takes a number"), opt);
		exit(KT_USAGE);
	}
	return v;
}

enum {
	O_MODULE = 256, O_TOKEN, O_SERIAL, O_JSON, O_PIN_ENV, O_NEW_PIN_ENV, O_NEW_ADMIN_PIN_ENV, O_PASSWORD_ENV,
	O_PIN_STDIN, O_YES, O_STRICT, O_NO_LOGIN, O_USER, O_ADMIN, O_NEW_PIN, O_NEW_USER_PIN, O_NEW_ADMIN_PIN,
	O_EXPIRED, O_CMS, O_LABEL, O_SUBJECT, O_CSR, O_OUT, O_KEY, O_BITS, O_USER_MIN, O_ADMIN_MIN, O_USER_TRIES,
	O_ADMIN_TRIES, O_CHANGER, O_CA_FILE, O_TYPE, O_HELP, O_VERSION,
};

static const struct option options[] = {
	{"module", required_argument, NULL, O_MODULE},
	{"token", required_argument, NULL, O_TOKEN},
	{"serial", required_argument, NULL, O_SERIAL},
	{"json", no_argument, NULL, O_JSON},
	{"pin-env", required_argument, NULL, O_PIN_ENV},
	{"new-pin-env", required_argument, NULL, O_NEW_PIN_ENV},
	{"new-admin-pin-env", required_argument, NULL, O_NEW_ADMIN_PIN_ENV},
	{"password-env", required_argument, NULL, O_PASSWORD_ENV},
	{"pin-stdin", no_argument, NULL, O_PIN_STDIN},
	{"yes", no_argument, NULL, O_YES},
	{"strict", no_argument, NULL, O_STRICT},
	{"no-login", no_argument, NULL, O_NO_LOGIN},
	{"user", no_argument, NULL, O_USER},
	{"admin", no_argument, NULL, O_ADMIN},
	{"new-pin", no_argument, NULL, O_NEW_PIN},
	{"new-user-pin", no_argument, NULL, O_NEW_USER_PIN},
	{"new-admin-pin", no_argument, NULL, O_NEW_ADMIN_PIN},
	{"expired", no_argument, NULL, O_EXPIRED},
	{"cms", no_argument, NULL, O_CMS},
	{"label", required_argument, NULL, O_LABEL},
	{"subject", required_argument, NULL, O_SUBJECT},
	{"csr", required_argument, NULL, O_CSR},
	{"out", required_argument, NULL, O_OUT},
	{"key", required_argument, NULL, O_KEY},
	{"bits", required_argument, NULL, O_BITS},
	{"user-min-len", required_argument, NULL, O_USER_MIN},
	{"admin-min-len", required_argument, NULL, O_ADMIN_MIN},
	{"user-tries", required_argument, NULL, O_USER_TRIES},
	{"admin-tries", required_argument, NULL, O_ADMIN_TRIES},
	{"user-pin-changer", required_argument, NULL, O_CHANGER},
	{"ca-file", required_argument, NULL, O_CA_FILE},
	{"type", required_argument, NULL, O_TYPE},
	{"help", no_argument, NULL, O_HELP},
	{"version", no_argument, NULL, O_VERSION},
	{NULL, 0, NULL, 0},
};

/* The messages' catalogue: the build tree's (beside this program) or the installed one. */
static void
language(void)
{
	char self[PATH_MAX], dir[PATH_MAX + 16];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	const char *where = KT_LOCALEDIR;
	char *slash;

	setlocale(LC_ALL, "");
	if (n > 0) {
		self[n] = '\0';
		if ((slash = strrchr(self, '/')) != NULL) {
			*slash = '\0';
			snprintf(dir, sizeof(dir), "%s/locale", self);
			if (access(dir, R_OK) == 0)
				where = dir;
		}
	}
	bindtextdomain("kaztoken-tool", where);
	bind_textdomain_codeset("kaztoken-tool", "UTF-8");
	textdomain("kaztoken-tool");
}

int
main(int argc, char **argv)
{
	kt_opts o;
	kt_ctx c;
	const command *cmd = NULL;
	int ch, help = 0, rc;
	size_t i;

	language();
	memset(&o, 0, sizeof(o));
	o.token = -1;
	while ((ch = getopt_long(argc, argv, "h", options, NULL)) != -1) {
		switch (ch) {
		case O_MODULE: o.module = optarg; break;
		case O_TOKEN: o.token = number(optarg, "--token"); break;
		case O_SERIAL: o.serial = optarg; break;
		case O_JSON: o.json = 1; break;
		case O_PIN_ENV: o.pin_env = optarg; break;
		case O_NEW_PIN_ENV: o.new_pin_env = optarg; break;
		case O_NEW_ADMIN_PIN_ENV: o.new_admin_pin_env = optarg; break;
		case O_PASSWORD_ENV: o.password_env = optarg; break;
		case O_PIN_STDIN: o.pin_stdin = 1; break;
		case O_YES: o.yes = 1; break;
		case O_STRICT: o.strict = 1; break;
		case O_NO_LOGIN: o.no_login = 1; break;
		case O_USER: o.user = 1; break;
		case O_ADMIN: o.admin = 1; break;
		case O_NEW_PIN: o.new_pin = 1; break;
		case O_NEW_USER_PIN: o.new_user_pin = 1; break;
		case O_NEW_ADMIN_PIN: o.new_admin_pin = 1; break;
		case O_EXPIRED: o.expired = 1; break;
		case O_CMS: o.cms = 1; break;
		case O_LABEL: o.label = optarg; break;
		case O_SUBJECT: o.subject = optarg; break;
		case O_CSR: o.csr = optarg; break;
		case O_OUT: o.out = optarg; break;
		case O_KEY: o.key = optarg; break;
		case O_BITS: o.bits = number(optarg, "--bits"); break;
		case O_USER_MIN: o.user_min_len = number(optarg, "--user-min-len"); break;
		case O_ADMIN_MIN: o.admin_min_len = number(optarg, "--admin-min-len"); break;
		case O_USER_TRIES: o.user_tries = number(optarg, "--user-tries"); break;
		case O_ADMIN_TRIES: o.admin_tries = number(optarg, "--admin-tries"); break;
		case O_CHANGER: o.changer = optarg; break;
		case O_CA_FILE: o.ca_file = optarg; break;
		case O_TYPE: o.type = optarg; break;
		case O_HELP:
		case 'h': help = 1; break;
		case O_VERSION: printf("kaztoken-tool %s\n", KT_VERSION); return KT_OK;
		default: usage_all(stderr); return KT_USAGE;
		}
	}
	if (optind < argc) {
		for (i = 0; i < NCOMMANDS; i++)
			if (strcmp(argv[optind], commands[i].name) == 0)
				cmd = &commands[i];
		if (cmd == NULL) {
			kt_error(_("unknown command '%s'"), argv[optind]);
			usage_all(stderr);
			return KT_USAGE;
		}
		o.args = argv + optind + 1;
		o.nargs = argc - optind - 1;
	}
	if (cmd == NULL) {
		usage_all(help ? stdout : stderr);
		return help ? KT_OK : KT_USAGE;
	}
	if (help) {
		usage_one(cmd);
		return KT_OK;
	}
	if ((rc = kt_load(&c, &o)) != KT_OK) {
		kt_unload(&c);
		return rc;
	}
	rc = cmd->run(&c);
	kt_unload(&c);
	return rc;
}
