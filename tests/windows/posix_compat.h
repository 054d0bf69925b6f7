/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* The few POSIX calls the unit suites make, in Windows terms, for their Windows
 * build (included before each file by tests/windows/CMakeLists.txt). Test code
 * only: the module has its own platform layer, src/os. */
#ifndef KZT_TEST_POSIX_COMPAT_H
#define KZT_TEST_POSIX_COMPAT_H

#include <direct.h>
#include <io.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static inline int
setenv(const char *name, const char *value, int overwrite)
{
	if (!overwrite && getenv(name) != NULL)
		return 0;
	return _putenv_s(name, value) == 0 ? 0 : -1;
}

static inline int
unsetenv(const char *name)
{
	return _putenv_s(name, "") == 0 ? 0 : -1;
}

static inline char *
mkdtemp(char *tmpl)
{
	return _mktemp_s(tmpl, strlen(tmpl) + 1) == 0 && _mkdir(tmpl) == 0 ? tmpl : NULL;
}

static inline long
pread(int fd, void *buf, size_t n, long offset)
{
	if (_lseek(fd, offset, SEEK_SET) < 0)
		return -1;
	return _read(fd, buf, (unsigned)n);
}

#endif
