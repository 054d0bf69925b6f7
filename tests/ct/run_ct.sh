#!/usr/bin/env bash
# Run a constant-time check program under memcheck. Usage: run_ct.sh VALGRIND PROGRAM
# clean|leaky [WHERE]. "clean": memcheck must report nothing. "leaky": it must report a
# use of an undefined (secret) value in WHERE (a pattern of its stack trace, by default
# the exponentiation kzt_mont_exp), or the check proves nothing.
set -u
valgrind=$1 program=$2 want=$3 where=${4:-kzt_mont_exp}
log=$(mktemp)
trap 'rm -f "$log"' EXIT
"$valgrind" --error-exitcode=99 --track-origins=yes "$program" >/dev/null 2>"$log"
rc=$?
case $want in
clean)
	if [ $rc -ne 0 ]; then cat "$log"; echo "run_ct: memcheck reported a secret-dependent branch or index (exit $rc)"; exit 1; fi
	echo "run_ct: clean" ;;
leaky)
	if [ $rc -ne 99 ] || ! grep -q "uninitialised value" "$log" || ! grep -q -- "$where" "$log"; then
		cat "$log"; echo "run_ct: the deliberate leak was not caught (exit $rc)"; exit 1
	fi
	echo "run_ct: the deliberate leak was caught:"
	grep -m1 -A3 "uninitialised value" "$log" ;;
esac
