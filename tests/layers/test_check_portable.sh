#!/usr/bin/env bash
# tools/check-portable.py passes a small tree that keeps the rule (ISO C and a
# library's header in src/token, an OS header in src/os) and fails the same tree
# once src/token includes an OS header.
#   test_check_portable.sh PYTHON CHECK
set -euo pipefail
python=$1 check=$2
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
mkdir -p "$t/src/token" "$t/src/os"
printf '#include <stdio.h>\n#include <openssl/evp.h>\n' >"$t/src/token/a.c"
printf '#include <unistd.h>\n' >"$t/src/os/a_posix.c"
"$python" "$check" "$t"
printf '#include <sys/socket.h>\n' >>"$t/src/token/a.c"
if out=$("$python" "$check" "$t"); then
	echo "not ok - an OS header in src/token passed the check"
	exit 1
fi
grep -q 'src/token/a.c:3: <sys/socket.h>' <<<"$out"
echo "ok - the check names the file, line and header"
