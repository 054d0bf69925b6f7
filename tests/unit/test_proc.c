/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* Process identities (src/util/proc.h): a running process is alive under its
 * identity; an ended one, one of another machine, or another process under a
 * reused ID is not. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

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

static void
test_another_machine_or_a_reused_id_is_not_alive(void **state)
{
	uint8_t id[KZT_PROCESS_ID_LEN], other[KZT_PROCESS_ID_LEN];

	(void)state;
	kzt_process_identity(id);
	memcpy(other, id, sizeof(id));
	other[0] ^= 1; /* the same process ID on another machine */
	assert_int_equal(kzt_process_alive(other), 0);
	memcpy(other, id, sizeof(id));
	other[KZT_PROCESS_ID_LEN - 1] ^= 1; /* this ID, but a process started at another time */
	assert_int_equal(kzt_process_alive(other), 0);
	memset(other, 0, sizeof(other)); /* no process at all */
	assert_int_equal(kzt_process_alive(other), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_this_process_is_alive_under_its_identity),
		cmocka_unit_test(test_an_ended_process_is_not_alive),
		cmocka_unit_test(test_another_machine_or_a_reused_id_is_not_alive),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
