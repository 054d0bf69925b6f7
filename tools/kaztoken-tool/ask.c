/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* Asking the user: PINs and passwords (never echoed, never on the command line),
 * and yes-or-no before something that cannot be undone. */
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "tool.h"

void
kt_wipe(void *p, size_t n)
{
	volatile unsigned char *v = p;

	while (n-- > 0)
		*v++ = 0;
}

/* The terminal to ask on, or -1 (then standard input gives the answers). */
static int
terminal(const kt_opts *o)
{
	if (o->pin_stdin)
		return -1;
	return open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
}

/* One line from fd, without its end; 0 on success, -1 at end of input or too long. */
static int
read_line(int fd, char *buf, size_t cap, size_t *len)
{
	size_t n = 0;
	char ch;
	ssize_t r;

	for (;;) {
		r = read(fd, &ch, 1);
		if (r <= 0)
			return n > 0 ? (*len = n, buf[n] = '\0', 0) : -1;
		if (ch == '\n')
			break;
		if (n + 1 >= cap) {
			kt_wipe(buf, cap);
			return -1;
		}
		buf[n++] = ch;
	}
	if (n > 0 && buf[n - 1] == '\r')
		n--;
	buf[n] = '\0';
	*len = n;
	return 0;
}

/* The terminal whose echo is off, and how it was: a signal puts it back first. */
static int quiet_fd = -1;
static struct termios quiet_saved;
static const int quiet_signals[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};
#define NQUIET (sizeof(quiet_signals) / sizeof(quiet_signals[0]))

static void
echo_back(int sig)
{
	if (quiet_fd >= 0)
		tcsetattr(quiet_fd, TCSAFLUSH, &quiet_saved);
	signal(sig, SIG_DFL);
	raise(sig);
}

/* While echo is off, Ctrl-C and the like give the terminal its echo back. */
static void
guard_echo(int fd, const struct termios *saved, struct sigaction *old)
{
	struct sigaction sa;
	size_t i;

	quiet_saved = *saved;
	quiet_fd = fd;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = echo_back;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < NQUIET; i++)
		sigaction(quiet_signals[i], &sa, &old[i]);
}

static void
unguard_echo(const struct sigaction *old)
{
	size_t i;

	for (i = 0; i < NQUIET; i++)
		sigaction(quiet_signals[i], &old[i], NULL);
	quiet_fd = -1;
}

/* Ask once: on the terminal with echo off, or from standard input. */
static int
ask_once(int tty, const char *prompt, int echo, char *buf, size_t cap, size_t *len)
{
	struct termios old, quiet;
	struct sigaction handlers[NQUIET];
	int r, restore = 0;

	if (tty < 0) {
		fputs(prompt, stderr);
		fputc('\n', stderr);
		return read_line(STDIN_FILENO, buf, cap, len);
	}
	if (write(tty, prompt, strlen(prompt)) < 0)
		return -1;
	if (!echo && tcgetattr(tty, &old) == 0) {
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
		quiet.c_lflag |= ICANON;
		guard_echo(tty, &old, handlers);
		if (!(restore = tcsetattr(tty, TCSAFLUSH, &quiet) == 0))
			unguard_echo(handlers);
	}
	r = read_line(tty, buf, cap, len);
	if (restore) {
		tcsetattr(tty, TCSAFLUSH, &old);
		unguard_echo(handlers);
		if (write(tty, "\n", 1) < 0)
			r = -1;
	}
	return r;
}

int
kt_ask_secret(const kt_opts *o, const char *prompt, const char *env, int confirm, char *buf, size_t cap,
	      size_t *len)
{
	char again[KT_PIN_CAP];
	size_t len2;
	int tty, r = KT_OK;
	const char *v;

	if (env != NULL) {
		if ((v = getenv(env)) == NULL || *v == '\0') {
			kt_error(_("the environment variable %s is not set"), env);
			return KT_USAGE;
		}
		if ((*len = strlen(v)) >= cap) {
			kt_error(_("the value of %s is too long"), env);
			return KT_USAGE;
		}
		memcpy(buf, v, *len + 1);
		return KT_OK;
	}
	tty = terminal(o);
	if (ask_once(tty, prompt, 0, buf, cap, len) != 0 || *len == 0) {
		kt_error(_("no answer given"));
		r = KT_USAGE;
	} else if (confirm) {
		if (ask_once(tty, _("Again, to confirm: "), 0, again, sizeof(again), &len2) != 0 || len2 != *len ||
		    memcmp(again, buf, len2) != 0) {
			kt_error(_("the two entries differ: nothing was changed"));
			r = KT_USAGE;
		}
		kt_wipe(again, sizeof(again));
	}
	if (tty >= 0)
		close(tty);
	if (r != KT_OK)
		kt_wipe(buf, cap);
	return r;
}

int
kt_confirm(const kt_opts *o, const char *question)
{
	char answer[16];
	size_t len = 0;
	int tty, r;

	fprintf(stderr, "%s\n", question);
	if (o->yes)
		return KT_OK;
	tty = terminal(o);
	r = ask_once(tty, _("Type \"yes\" to go on: "), 1, answer, sizeof(answer), &len);
	if (tty >= 0)
		close(tty);
	/* the word in the user's language, or the English one */
	if (r == 0 && (strcmp(answer, _("yes")) == 0 || strcmp(answer, "yes") == 0))
		return KT_OK;
	kt_error(_("cancelled: nothing was changed"));
	return KT_CANCEL;
}
