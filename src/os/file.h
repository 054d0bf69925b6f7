/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* Whole files, read at once and replaced atomically and durably: the virtual
 * card's store, the module's cache of public objects (file_posix.c, file_win.c;
 * the step hook in file.c). */
#ifndef KZT_OS_FILE_H
#define KZT_OS_FILE_H

#include <stddef.h>
#include <stdint.h>

/* Read the regular file at path, of at most max bytes, into a new buffer of its
 * size + 1 (*data; the caller wipes and frees it, also after an error) and its length
 * (*len; after an error, what was read). KZT_OK;
 * KZT_ERR_NOT_FOUND when there is none; KZT_ERR_NOMEM; KZT_ERR_IO with the reason
 * in why (not a regular file, too large, a read error). */
int kzt_os_file_read(const char *path, size_t max, uint8_t **data, size_t *len, char *why, size_t why_len);
/* Replace the file at path with (data, len) so that a crash at any moment leaves
 * the old or the new file whole: a temporary file beside it, flushed to disk, then
 * renamed over it (and, where the platform needs it, its directory flushed too).
 * KZT_OK; KZT_ERR_ARGS when path is too long; KZT_ERR_IO. */
int kzt_os_file_replace(const char *path, const uint8_t *data, size_t len);

/* Make the directory at path (its parent must exist), to be read only by this
 * user where the platform says so (POSIX: mode 0700). KZT_OK also when it is
 * there already; KZT_ERR_IO otherwise. */
int kzt_os_dir_make(const char *path);

/* The steps of kzt_os_file_replace, for a test that stops a process dead at one
 * of them (kaztoken-sim --fault-at): each write of at most KZT_OS_FILE_CHUNK bytes
 * of the temporary file, its flush, the rename, the directory's flush. */
typedef enum kzt_os_file_step {
	KZT_OS_FILE_WRITE,
	KZT_OS_FILE_FLUSH,
	KZT_OS_FILE_RENAME,
	KZT_OS_FILE_FLUSH_DIR,
} kzt_os_file_step;
#define KZT_OS_FILE_CHUNK 4096
/* fn is called before every step from now on (NULL: none). Set it before any
 * other thread writes a file. */
void kzt_os_file_on_step(void (*fn)(kzt_os_file_step step));
/* (the platform files' part: tell the hook a step is next) */
void kzt_os_file_step_next(kzt_os_file_step step);

#endif
