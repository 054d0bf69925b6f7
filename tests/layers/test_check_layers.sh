#!/usr/bin/env bash
# The layer check (tools/check-layers.py) against small trees with one mistake
# each: it must pass the clean tree and fail every broken one, naming the mistake.
#   test_check_layers.sh PYTHON CHECK_SCRIPT CC
set -u
py=$1 check=$2 cc=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
passed=0 failed=0

# A tree of three layers: low (with a private header), mid (may use low's
# public header a.h only), top (may use mid).
make_tree() {
	rm -rf "$work/t" && mkdir -p "$work/t/docs" "$work/t/low" "$work/t/mid" "$work/t/top"
	cat >"$work/t/docs/architecture.md" <<'DOC'
# rules
```layers
layer low low
layer mid mid
layer top top
uses low
uses mid low(a.h)
uses top mid
private low/priv.h
```
DOC
	printf 'int low_a(void);\n' >"$work/t/low/a.h"
	printf 'int low_b(void);\n' >"$work/t/low/b.h"
	printf 'int low_p(void);\n' >"$work/t/low/priv.h"
	printf '#include "a.h"\n#include "b.h"\n#include "priv.h"\nint low_a(void) { return 1; }\n' >"$work/t/low/a.c"
	printf 'int mid_f(void);\n' >"$work/t/mid/mid.h"
	printf '#include "mid.h"\n#include "a.h"\nint mid_f(void) { return low_a(); }\n' >"$work/t/mid/m.c"
	printf '#include "mid.h"\nint top_f(void);\nint top_f(void) { return mid_f(); }\n' >"$work/t/top/t.c"
}

# expect EXIT_CODE TEXT NAME: run the check on the tree, with the output holding TEXT.
expect() {
	local want=$1 text=$2 name=$3 out rc
	shift 3
	out=$("$py" "$check" --root "$work/t" "$@" 2>&1)
	rc=$?
	if [ "$rc" -eq "$want" ] && grep -qF -- "$text" <<<"$out"; then
		echo "ok: $name"
		passed=$((passed + 1))
	else
		echo "FAILED: $name (exit $rc, wanted $want and \"$text\"):"
		sed 's/^/    /' <<<"$out"
		failed=$((failed + 1))
	fi
}

make_tree
expect 0 "0 finding(s)" a_clean_tree_passes

make_tree
printf '#include "mid.h"\n' >>"$work/t/low/a.c"
expect 1 "low/a.c:5: layer low includes mid/mid.h of layer mid, which it may not use" \
	an_include_up_the_layers_fails

make_tree
printf '#include "mid.h"\n' >"$work/t/top/t2.c"
printf '#include "a.h"\n' >>"$work/t/top/t2.c"
expect 1 "top/t2.c:2: layer top includes low/a.h of layer low, which it may not use" \
	an_include_across_a_skipped_layer_fails

make_tree
printf '#include "b.h"\n' >>"$work/t/mid/m.c"
expect 1 "layer mid includes low/b.h; of layer low it may use only a.h" \
	a_header_the_rule_does_not_list_fails

make_tree
printf '#include "priv.h"\n' >>"$work/t/mid/m.c"
expect 1 "mid/m.c:4: includes low/priv.h, private to layer low" a_private_header_of_another_layer_fails

make_tree
printf '#include "gone.h"\n' >>"$work/t/top/t.c"
expect 1 "includes \"gone.h\", which is nowhere in the layers" an_include_that_resolves_nowhere_fails

make_tree
sed -i 's/^uses top mid$/uses top mid nowhere/' "$work/t/docs/architecture.md"
expect 2 "names an unknown layer nowhere" malformed_rules_are_refused

# a cycle between two files of one layer, in objects built from them
make_tree
printf 'int top_g(void);\nint top_f(void);\nint top_f(void) { return top_g(); }\n' >"$work/t/top/t.c"
printf 'int top_f(void);\nint top_g(void);\nint top_g(void) { return top_f(); }\n' >"$work/t/top/u.c"
mkdir -p "$work/b/x.dir/top" "$work/b/x.dir/mid" "$work/b/x.dir/low"
for f in top/t top/u mid/m low/a; do
	"$cc" -c -I"$work/t/low" -I"$work/t/mid" -o "$work/b/x.dir/$f.c.o" "$work/t/$f.c"
done
expect 1 "layer top: these files depend on each other in a cycle: top/t.c top/u.c" \
	a_cycle_between_two_files_of_a_layer_fails --objects "$work/b"

make_tree
rm -rf "$work/b" && mkdir -p "$work/b/x.dir/top" "$work/b/x.dir/mid" "$work/b/x.dir/low"
for f in top/t mid/m low/a; do
	"$cc" -c -I"$work/t/low" -I"$work/t/mid" -o "$work/b/x.dir/$f.c.o" "$work/t/$f.c"
done
expect 0 "3 objects read" objects_without_a_cycle_pass --objects "$work/b"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
