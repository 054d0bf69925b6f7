#!/usr/bin/env bash
# The DLL exports exactly what the Linux module exports: every function of the
# PKCS#11 3.0 list (our header's), which holds the 2.40 list of a reference header
# (p11-kit's), and nothing else.
#   check_exports.sh OBJDUMP DLL LINUX_MODULE OUR_HEADER REFERENCE_HEADER
set -euo pipefail
objdump=$1 dll=$2 so=$3 ours=$4 header=$5
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# objdump -p: the export name table, "[ordinal] name" lines after its heading
"$objdump" -p "$dll" | awk '/\[Ordinal\/Name Pointer\] Table/ {t = 1; next} t && /^\t\[/ {print $NF; next} t && !/^\t/ {t = 0}' \
	| sort >"$work/dll"
nm -D --defined-only "$so" | awk '$2 ~ /^[TW]$/ {print $3}' | sort >"$work/so"
grep -oE 'X\(C_[A-Za-z]+,' "$ours" | sed -E 's/X\((C_[A-Za-z]+),/\1/' | sort -u >"$work/ours"
grep -oE 'CK_C_[A-Za-z]+ C_[A-Za-z]+' "$header" | awk '{print $2}' | sort -u >"$work/ref"
echo "# $(wc -l <"$work/dll") exported by the DLL, $(wc -l <"$work/so") by the Linux module;" \
	"$(wc -l <"$work/ours") in the 3.0 list, $(wc -l <"$work/ref") in the reference 2.40 list"
for f in C_GetFunctionList C_GetInterface C_GetInterfaceList; do
	grep -qx "$f" "$work/dll" || { echo "not ok - $f is not exported"; exit 1; }
done
diff -u "$work/so" "$work/dll" || { echo "not ok - the DLL's exports differ from the Linux module's"; exit 1; }
diff -u "$work/ours" "$work/dll" || { echo "not ok - the DLL's exports differ from the PKCS#11 3.0 function list"; exit 1; }
[ "$(wc -l <"$work/ref")" -ge 68 ] || { echo "not ok - the reference list was not read"; exit 1; }
missing=$(comm -23 "$work/ref" "$work/dll")
[ -z "$missing" ] || { echo "not ok - not exported: $missing"; exit 1; }
echo "ok - the DLL exports the Linux module's $(wc -l <"$work/dll") functions and nothing else"
