#!/usr/bin/env bash
# The Windows build, tested under Wine: installs what it needs (mingw-w64, Wine,
# NSIS, and CMocka's Debian source), cross-builds libkaztoken-pkcs11.dll and the
# Windows test programs into build-win/ (the builtin crypto backend: no OpenSSL),
# builds a Linux simulator beside them (build-win/linux), and runs under Wine:
# the unit suites that need no process, the PKCS#11 behaviour suites of the core,
# the DLL against the Linux simulator over TCP, the export check and the
# installer. Prints the ctest and cmocka totals.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
out=build-win
jobs=$(nproc 2>/dev/null || echo 2)

as_root() {
	if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}
export DEBIAN_FRONTEND=noninteractive
packages=(gcc-mingw-w64-x86-64 wine wine64 nsis   # the cross-compiler, Wine, the installer
	gcc cmake make pkg-config                     # the Linux simulator and module
	openssl opensc python3 libp11-kit-dev)        # the checks: OpenSSL, pkcs11-tool, a reference header
missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	as_root apt-get update -qq
	as_root apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

mkdir -p "$out"
# CMocka for Windows: Debian ships no mingw build, so its source package is
# compiled into the tests (tests/windows/CMakeLists.txt), taken through a source
# list of our own so the machine's stay as they are.
cmocka_src=$(ls -d "$out"/cmocka/cmocka-*/ 2>/dev/null | head -n 1 || true)
if [ -z "$cmocka_src" ] || [ ! -f "$cmocka_src/src/cmocka.c" ]; then
	rm -rf "$out/cmocka"
	mkdir -p "$out/cmocka"
	srclist=$(mktemp /tmp/kaztoken-src-XXXXXX.list)
	codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-bookworm}")
	if [ "$(. /etc/os-release && echo "$ID")" = ubuntu ]; then
		echo "deb-src http://archive.ubuntu.com/ubuntu $codename universe" >"$srclist"
	else
		echo "deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian $codename main" \
			>"$srclist"
	fi
	chmod 644 "$srclist"
	apt_src=(-o Dir::Etc::SourceList="$srclist" -o Dir::Etc::SourceParts=/dev/null)
	as_root apt-get update -qq "${apt_src[@]}"
	(cd "$out/cmocka" && apt-get source -qq --download-only "${apt_src[@]}" cmocka >/dev/null 2>&1)
	rm -f "$srclist"
	tar -C "$out/cmocka" -xf "$(ls "$out"/cmocka/cmocka_*.orig.tar.* | head -n 1)"
	cmocka_src=$(ls -d "$out"/cmocka/cmocka-*/ | head -n 1)
fi
cmocka_src=$(cd "$cmocka_src" && pwd)

echo "== Linux simulator and module, for the Windows programs to talk to and compare with"
# (the builtin backend: nothing more to install than the compiler)
cmake -S . -B "$out/linux" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DKAZTOKEN_TESTS=OFF -DKAZTOKEN_SANITIZE=OFF \
	-DKAZTOKEN_FUZZ=OFF -DKAZTOKEN_CRYPTO=builtin >/dev/null
cmake --build "$out/linux" -j"$jobs" --target kaztoken-sim kaztoken-pkcs11 >/dev/null

# Wine's own prefix, made once (no Mono or Gecko: console programs only)
export WINEPREFIX="$root/$out/wine" WINEARCH=win64 WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml="
if [ ! -f "$WINEPREFIX/system.reg" ]; then
	wineboot --init >/dev/null 2>&1 || true
	wineserver -w || true
fi

echo "== mingw-w64 build: libkaztoken-pkcs11.dll, the Windows tests, the installer"
cmake -S . -B "$out" -DCMAKE_TOOLCHAIN_FILE="$root/tools/windows/toolchain-mingw64.cmake" \
	-DCMAKE_BUILD_TYPE=RelWithDebInfo -DKAZTOKEN_CRYPTO=builtin -DKAZTOKEN_TESTS=ON \
	-DKAZTOKEN_CMOCKA_SOURCE="$cmocka_src" -DKAZTOKEN_LINUX_BUILD="$root/$out/linux" \
	-DCMAKE_CROSSCOMPILING_EMULATOR=wine >/dev/null
build_log=$(mktemp)
if ! cmake --build "$out" -j"$jobs" >"$build_log" 2>&1; then
	grep -E 'error|Error' "$build_log" | head -n 50
	rm -f "$build_log"
	exit 1
fi
rm -f "$build_log"

echo "== under Wine"
log=$(mktemp)
trap 'rm -f "$log"; wineserver -k 2>/dev/null || true' EXIT
status=0
ctest --test-dir "$out" -j2 -V -L windows >"$log" 2>&1 || status=1
grep -E '^[0-9]+/[0-9]+ Test +#' "$log" || true
if [ $status -ne 0 ]; then
	echo "== what the failed tests printed"
	grep -E '^[0-9]+: ' "$log" | grep -vE '^[0-9]+: (\[ +(RUN|OK) +\]|ok - )' | tail -n 200
fi
summary=$(grep -E 'tests passed, [0-9]+ tests? failed out of [0-9]+' "$log" | tail -n 1 || true)
[ -n "$summary" ] || status=1
# (each suite's closing cmocka lines: "[  PASSED  ] N test(s)." and "[  FAILED  ] N ...")
cm_pass=$(awk '/^[0-9]+: \[  PASSED  \] [0-9]+ test/ {s += $5} END {print s + 0}' "$log")
cm_fail=$(awk '/^[0-9]+: \[  FAILED  \] [0-9]+ test/ {s += $5} END {print s + 0}' "$log")
echo "$summary"
echo "windows: cmocka cases under Wine: $cm_pass passed, $cm_fail failed"
exit $status
