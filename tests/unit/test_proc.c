/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* Process identities (src/util/proc.h): a running process is alive under its
 * identity; an ended one, or another process under a reused ID, is not; one that
 * cannot be told (another machine) counts as alive. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#if defined(_WIN32)
#include <windows.h>
#include <process.h>
#else
#include <sys/wait.h>
#include <unistd.h>
#endif

#include <cmocka.h>

#include "proc.h"

static void
test_this_process_is_alive_under_its_identity(void **state)
{
	uint8_t id[KZT_PROCESS_ID_LEN], again[KZT_PROCESS_ID_LEN];

	(void)state;
	kzt_process_identity(id);
	kzt_process_identity(again);
	assert_memory_equal(id, again, sizeof(id));
	assert_int_equal(kzt_process_alive(id), 1);
}

#if defined(_WIN32)
static void
test_an_ended_process_is_not_alive(void **state)
{
	uint8_t id[KZT_PROCESS_ID_LEN];
	intptr_t h;
	DWORD pid;

	(void)state;
	/* a child that ends at once, and its identity as it was: ours, with its ID */
	kzt_process_identity(id);
	h = _spawnlp(_P_NOWAIT, "cmd.exe", "cmd.exe", "/c", "exit", NULL);
	assert_true(h != -1);
	pid = GetProcessId((HANDLE)h);
	assert_true(pid != 0);
	assert_int_equal(WaitForSingleObject((HANDLE)h, INFINITE), WAIT_OBJECT_0);
	id[16] = (uint8_t)(pid >> 24), id[17] = (uint8_t)(pid >> 16), id[18] = (uint8_t)(pid >> 8), id[19] = (uint8_t)pid;
	/* still held by our handle: ended all the same */
	assert_int_equal(kzt_process_alive(id), 0);
	CloseHandle((HANDLE)h);
	assert_int_equal(kzt_process_alive(id), 0);
}
#else
static void
test_an_ended_process_is_not_alive(void **state)
{
	uint8_t id[KZT_PROCESS_ID_LEN];
	int fds[2], status;
	pid_t pid;

	(void)state;
	assert_int_equal(pipe(fds), 0);
	if ((pid = fork()) == 0) {
		kzt_process_identity(id);
		_exit(write(fds[1], id, sizeof(id)) == (ssize_t)sizeof(id) ? 0 : 1);
	}
	assert_int_equal(read(fds[0], id, sizeof(id)), (ssize_t)sizeof(id));
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_int_equal(kzt_process_alive(id), 0);
	close(fds[0]);
	close(fds[1]);
}
#endif

static void
test_a_reused_id_is_not_alive_and_another_machine_cannot_be_told(void **state)
{
	uint8_t id[KZT_PROCESS_ID_LEN], other[KZT_PROCESS_ID_LEN];

	(void)state;
	kzt_process_identity(id);
	memcpy(other, id, sizeof(id));
	other[KZT_PROCESS_ID_LEN - 1] ^= 1; /* this ID, but a process started at another time */
	assert_int_equal(kzt_process_alive(other), 0);
	memcpy(other, id, sizeof(id));
	memset(other + 16, 0, 4); /* process ID 0: none */
	assert_int_equal(kzt_process_alive(other), 0);
	memcpy(other, id, sizeof(id));
	other[0] ^= 1; /* another machine (a reader shared over the network): not provable */
	assert_int_equal(kzt_process_alive(other), 1);
	memcpy(other, id, sizeof(id));
	other[8] ^= 1; /* another PID namespace (a container): likewise */
	assert_int_equal(kzt_process_alive(other), 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_this_process_is_alive_under_its_identity),
		cmocka_unit_test(test_an_ended_process_is_not_alive),
		cmocka_unit_test(test_a_reused_id_is_not_alive_and_another_machine_cannot_be_told),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
