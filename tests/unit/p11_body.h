/* Shared body of p11_ours.c and p11_ref.c: the header under test is included first. */
#include <stddef.h>

#include "p11_table.h"

#define KZT_NAME(n) {#n, (unsigned long)(n)},
#define LAYOUT_SIZE(s) {"sizeof(" #s ")", (unsigned long)sizeof(s)},
#define LAYOUT_MEMBER(s, m) {"offsetof(" #s ", " #m ")", (unsigned long)offsetof(s, m)},
#define KZT_FUNCTION_SLOT(f) {"offsetof(CK_FUNCTION_LIST, " #f ")", (unsigned long)offsetof(CK_FUNCTION_LIST, f)},

const p11_named P11_TABLE_NAME[] = {
#include "p11_names.inc"
#include "p11_layout.def"
#include "p11_functions.inc"
	{NULL, 0}};
