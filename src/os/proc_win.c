/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* Process identity on Windows (see proc_os.h): the computer name, no PID
 * namespace, and a process's creation time (100 ns units since 1601). */
#include <windows.h>
#include <string.h>

#include "proc.h"
#include "proc_os.h"

size_t
kzt_proc_machine(char *buf, size_t cap)
{
	DWORD n = (DWORD)cap;

	return GetComputerNameA(buf, &n) ? (size_t)n : 0;
}

uint64_t
kzt_proc_namespace(void)
{
	return 0;
}

uint64_t
kzt_proc_start_time(uint32_t pid)
{
	FILETIME created, exited, kernel, user;
	HANDLE h = OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, FALSE, pid);
	uint64_t t = 0;

	if (h == NULL)
		return 0;
	if (GetProcessTimes(h, &created, &exited, &kernel, &user))
		t = (uint64_t)created.dwHighDateTime << 32 | created.dwLowDateTime;
	CloseHandle(h);
	return t;
}

int
kzt_proc_exists(uint32_t pid)
{
	HANDLE h = OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, FALSE, pid);
	DWORD code = 0;
	int alive;

	if (h == NULL) /* no such process; or one we may not look at */
		return GetLastError() == ERROR_INVALID_PARAMETER ? 0 : 1;
	/* (an ended process another program still holds a handle to) */
	alive = !GetExitCodeProcess(h, &code) || code == STILL_ACTIVE;
	CloseHandle(h);
	return alive;
}

static void (*stop_fn)(void);

static BOOL WINAPI
on_console_event(DWORD event)
{
	(void)event; /* Ctrl-C, Ctrl-Break, the console closing, log-off, shut-down */
	stop_fn();
	return TRUE;
}

void
kzt_process_on_stop(void (*fn)(void))
{
	stop_fn = fn;
	SetConsoleCtrlHandler(on_console_event, TRUE);
}

uint32_t
kzt_process_pid(void)
{
	return (uint32_t)GetCurrentProcessId();
}
