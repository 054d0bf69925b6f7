/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* Whole files on POSIX systems (see file.h). */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "file.h"
#include "kzt_err.h"

static int
why_io(char *why, size_t why_len, const char *text)
{
	if (why != NULL && why_len > 0)
		snprintf(why, why_len, "%s", text);
	return KZT_ERR_IO;
}

int
kzt_os_file_read(const char *path, size_t max, uint8_t **data, size_t *len, char *why, size_t why_len)
{
	struct stat sb;
	uint8_t *img;
	size_t got = 0, cap;
	ssize_t r;
	int fd, err;

	*data = NULL;
	*len = 0;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return errno == ENOENT ? KZT_ERR_NOT_FOUND : why_io(why, why_len, strerror(errno));
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode) || (uint64_t)sb.st_size > max) {
		close(fd);
		return why_io(why, why_len, "not a regular file of plausible size");
	}
	cap = (size_t)sb.st_size + 1; /* (one more: a file that grew shows it) */
	if ((img = malloc(cap)) == NULL) {
		close(fd);
		return KZT_ERR_NOMEM;
	}
	while ((r = read(fd, img + got, cap - got)) > 0 || (r < 0 && errno == EINTR))
		if (r > 0)
			got += (size_t)r;
	err = errno;
	close(fd);
	*data = img;
	*len = got; /* (also on an error: what the caller must wipe) */
	return r < 0 ? why_io(why, why_len, strerror(err)) : KZT_OK;
}

static int
write_all(int fd, const uint8_t *p, size_t n)
{
	ssize_t w;

	while (n > 0) {
		kzt_os_file_step_next(KZT_OS_FILE_WRITE);
		if ((w = write(fd, p, n < KZT_OS_FILE_CHUNK ? n : KZT_OS_FILE_CHUNK)) < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* fsync the directory holding path, so the rename itself is durable. */
static int
sync_dir(const char *path)
{
	char *copy = strdup(path);
	int fd, r = -1;

	if (copy == NULL)
		return -1;
	if ((fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
		kzt_os_file_step_next(KZT_OS_FILE_FLUSH_DIR);
		r = fsync(fd);
		close(fd);
	}
	free(copy);
	return r;
}

int
kzt_os_file_replace(const char *path, const uint8_t *data, size_t len)
{
	char tmp[4096];
	int fd;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= sizeof(tmp))
		return KZT_ERR_ARGS;
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)) < 0)
		return KZT_ERR_IO;
	if (write_all(fd, data, len) != 0 || (kzt_os_file_step_next(KZT_OS_FILE_FLUSH), fsync(fd)) != 0) {
		close(fd);
		unlink(tmp);
		return KZT_ERR_IO;
	}
	if (close(fd) != 0 || (kzt_os_file_step_next(KZT_OS_FILE_RENAME), rename(tmp, path)) != 0) {
		unlink(tmp);
		return KZT_ERR_IO;
	}
	return sync_dir(path) == 0 ? KZT_OK : KZT_ERR_IO;
}

int
kzt_os_dir_make(const char *path)
{
	struct stat st;

	if (mkdir(path, 0700) == 0)
		return KZT_OK;
	return errno == EEXIST && stat(path, &st) == 0 && S_ISDIR(st.st_mode) ? KZT_OK : KZT_ERR_IO;
}
