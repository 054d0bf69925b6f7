/*
 * Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
 */
/* Our PKCS#11 header against p11-kit's: every constant the reference defines, the
 * layout of every common structure, and every slot of the function list. Plus the
 * 3.0 additions the reference lacks, checked against the specification's values. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "kaztoken/pkcs11.h"
#include "p11_table.h"

extern const p11_named p11_ours[];
extern const p11_named p11_ref[];

static void
test_header_matches_the_reference_header(void **state)
{
	size_t i, checked = 0, wrong = 0;

	(void)state;
	for (i = 0; p11_ref[i].name != NULL; i++) {
		assert_string_equal(p11_ours[i].name, p11_ref[i].name);
		if (p11_ours[i].value != p11_ref[i].value) {
			print_error("%s: ours 0x%lx, reference 0x%lx\n", p11_ref[i].name,
				    p11_ours[i].value, p11_ref[i].value);
			wrong++;
		}
		checked++;
	}
	print_message("compared %zu constants, sizes and offsets\n", checked);
	assert_true(checked > 700);
	assert_int_equal(wrong, 0);
}

static void
test_header_has_the_3_0_interface_types(void **state)
{
	(void)state;
	/* CK_FUNCTION_LIST_3_0 extends CK_FUNCTION_LIST member for member. */
	assert_int_equal(offsetof(CK_FUNCTION_LIST_3_0, C_WaitForSlotEvent),
			 offsetof(CK_FUNCTION_LIST, C_WaitForSlotEvent));
	assert_int_equal(offsetof(CK_FUNCTION_LIST_3_0, C_GetInterfaceList),
			 sizeof(CK_FUNCTION_LIST));
	assert_int_equal(sizeof(CK_FUNCTION_LIST_3_0),
			 sizeof(CK_VERSION) + 92 * sizeof(CK_C_Initialize) +
				 (offsetof(CK_FUNCTION_LIST, C_Initialize) - sizeof(CK_VERSION)));
	assert_int_equal(offsetof(CK_FUNCTION_LIST_3_0, C_MessageVerifyFinal),
			 sizeof(CK_FUNCTION_LIST_3_0) - sizeof(CK_C_Initialize));
	assert_int_equal(offsetof(CK_INTERFACE, pFunctionList), sizeof(void *));
	assert_int_equal(offsetof(CK_INTERFACE, flags), 2 * sizeof(void *));
	assert_int_equal(CKF_INTERFACE_FORK_SAFE, 1);
	assert_int_equal(CKR_ACTION_PROHIBITED, 0x1B);
	assert_int_equal(CKR_OPERATION_CANCEL_FAILED, 0x202);
	assert_int_equal(CKM_EDDSA, 0x1057);
	assert_int_equal(CKA_UNIQUE_ID, 4);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_header_matches_the_reference_header),
		cmocka_unit_test(test_header_has_the_3_0_interface_types),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
