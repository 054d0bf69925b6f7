/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* Whole files on Windows (see file.h): MoveFileEx with write-through replaces
 * the file and is durable once it returns. */
#include <windows.h>
#include <stdio.h>
#include <stdlib.h>

#include "file.h"
#include "kzt_err.h"

static int
why_io(char *why, size_t why_len, const char *text)
{
	if (why != NULL && why_len > 0)
		snprintf(why, why_len, "%s (Windows error %lu)", text, (unsigned long)GetLastError());
	return KZT_ERR_IO;
}

int
kzt_os_file_read(const char *path, size_t max, uint8_t **data, size_t *len, char *why, size_t why_len)
{
	HANDLE h = CreateFileA(path, GENERIC_READ, FILE_SHARE_READ, NULL, OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL, NULL);
	LARGE_INTEGER size;
	uint8_t *img;
	size_t got = 0, cap;
	DWORD r = 0;
	BOOL ok = TRUE;

	*data = NULL;
	*len = 0;
	if (h == INVALID_HANDLE_VALUE) {
		DWORD e = GetLastError();

		if (e == ERROR_FILE_NOT_FOUND || e == ERROR_PATH_NOT_FOUND)
			return KZT_ERR_NOT_FOUND;
		return why_io(why, why_len, "cannot open");
	}
	if (GetFileType(h) != FILE_TYPE_DISK || !GetFileSizeEx(h, &size) || size.QuadPart < 0 ||
	    (uint64_t)size.QuadPart > max) {
		CloseHandle(h);
		return why_io(why, why_len, "not a regular file of plausible size");
	}
	cap = (size_t)size.QuadPart + 1;
	if ((img = malloc(cap)) == NULL) {
		CloseHandle(h);
		return KZT_ERR_NOMEM;
	}
	while (got < cap && (ok = ReadFile(h, img + got, (DWORD)(cap - got), &r, NULL)) && r > 0)
		got += r;
	CloseHandle(h);
	*data = img;
	*len = got; /* (also on an error: what the caller must wipe) */
	return ok ? KZT_OK : why_io(why, why_len, "read error");
}

int
kzt_os_file_replace(const char *path, const uint8_t *data, size_t len)
{
	char tmp[MAX_PATH];
	HANDLE h;
	DWORD w;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= sizeof(tmp))
		return KZT_ERR_ARGS;
	h = CreateFileA(tmp, GENERIC_WRITE, 0, NULL, CREATE_ALWAYS, FILE_ATTRIBUTE_NORMAL, NULL);
	if (h == INVALID_HANDLE_VALUE)
		return KZT_ERR_IO;
	for (; len > 0; data += w, len -= w) {
		kzt_os_file_step_next(KZT_OS_FILE_WRITE);
		if (!WriteFile(h, data, len > KZT_OS_FILE_CHUNK ? KZT_OS_FILE_CHUNK : (DWORD)len, &w, NULL) || w == 0)
			break;
	}
	if (len > 0 || (kzt_os_file_step_next(KZT_OS_FILE_FLUSH), !FlushFileBuffers(h))) {
		CloseHandle(h);
		DeleteFileA(tmp);
		return KZT_ERR_IO;
	}
	CloseHandle(h);
	kzt_os_file_step_next(KZT_OS_FILE_RENAME); /* (MOVEFILE_WRITE_THROUGH flushes the directory) */
	if (!MoveFileExA(tmp, path, MOVEFILE_REPLACE_EXISTING | MOVEFILE_WRITE_THROUGH)) {
		DeleteFileA(tmp);
		return KZT_ERR_IO;
	}
	return KZT_OK;
}

int
kzt_os_dir_make(const char *path)
{
	DWORD a;

	/* (under the user's profile, the directory inherits its owner-only ACL) */
	if (CreateDirectoryA(path, NULL))
		return KZT_OK;
	a = GetFileAttributesA(path);
	return a != INVALID_FILE_ATTRIBUTES && (a & FILE_ATTRIBUTE_DIRECTORY) ? KZT_OK : KZT_ERR_IO;
}
