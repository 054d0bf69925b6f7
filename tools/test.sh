#!/usr/bin/env bash
# Install what the tests need, build warning-free with gcc, run every test (unit,
# integration through pkcs11-tool and PyKCS11, valgrind and helgrind, the
# constant-time check), again with the builtin crypto backend (no OpenSSL in the
# module), then build with clang under AddressSanitizer +
# UndefinedBehaviorSanitizer and run the in-process suites again, then the unit
# tests with 32-bit bignum limbs, the concurrency tests under ThreadSanitizer,
# then each libFuzzer harness briefly (FUZZ_SECONDS, default 15); and last the
# Windows build under Wine (tools/test-windows.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc 2>/dev/null || echo 2)
# Each stage's heading says when it began, so a slow CI run shows where its time went.
stage() { echo "== $* (at $SECONDS s)"; }

tools/install-deps.sh

logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT
status=0

stage "gcc build (-Wall -Wextra -Werror) and the full suite"
# (options given explicitly: a cache left by another configuration must not
# silently drop the tests)
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DKAZTOKEN_TESTS=ON -DKAZTOKEN_SANITIZE=OFF \
	-DKAZTOKEN_FUZZ=OFF >/dev/null
cmake --build build -j"$jobs"
ctest --test-dir build --output-on-failure -j2 | tee "$logs/gcc.txt" || status=1

stage "gcc build with the builtin crypto backend (no OpenSSL in the module): the full suite"
cmake -S . -B build-builtin -DCMAKE_BUILD_TYPE=RelWithDebInfo -DKAZTOKEN_TESTS=ON -DKAZTOKEN_SANITIZE=OFF \
	-DKAZTOKEN_FUZZ=OFF -DKAZTOKEN_CRYPTO=builtin >/dev/null
cmake --build build-builtin -j"$jobs"
ctest --test-dir build-builtin --output-on-failure -j2 | tee "$logs/builtin.txt" || status=1

stage "benchmark (figures, not a test): APDUs per operation"
build/kaztoken-bench apdu 2>/dev/null || status=1
stage "benchmark (figures, not a test): microseconds per APDU round trip"
build/kaztoken-bench rtt || status=1
stage "benchmark (figures, not a test): src/bn against OpenSSL"
build/kaztoken-bench bn || status=1
stage "benchmark (figures, not a test): a cold start on a token of 20 certificates and 20 key pairs"
build/kaztoken-bench startup 2>/dev/null || status=1
stage "benchmark (figures, not a test): PKCS#11 through our module and the virtual token, and SoftHSM2"
build/kaztoken-bench p11 --peer /usr/lib/softhsm/libsofthsm2.so 2>/dev/null || status=1

stage "clang build with ASan + UBSan: unit tests and the dlopen suite"
# (-O1, as ASan's authors advise: at -O0 unit.test_bn alone took 262 s, 15 s at -O1)
CC=clang cmake -S . -B build-san -DKAZTOKEN_SANITIZE=ON -DKAZTOKEN_TESTS=ON -DKAZTOKEN_FUZZ=OFF \
	-DCMAKE_BUILD_TYPE=Debug -DCMAKE_C_FLAGS_DEBUG="-g -O1" >/dev/null
cmake --build build-san -j"$jobs"
ctest --test-dir build-san --output-on-failure -j2 -L unit | tee "$logs/san-unit.txt" || status=1
ctest --test-dir build-san --output-on-failure -R '^integration\.p11_api$' | tee "$logs/san-api.txt" || status=1

stage "clang build with ThreadSanitizer: the concurrency tests (threads, a second process)"
CC=clang cmake -S . -B build-tsan -DKAZTOKEN_SANITIZE=thread -DKAZTOKEN_TESTS=ON -DKAZTOKEN_FUZZ=OFF \
	-DCMAKE_BUILD_TYPE=Debug >/dev/null
cmake --build build-tsan -j"$jobs" --target kaztoken-pkcs11 kaztoken-sim test_concurrency test_p11_entry \
	test_p11_login test_p11_session_objects test_objects
# (slower under TSan: the bounded run gets more time to see the race it looks for)
KZT_CONCURRENCY_SECONDS=20 TSAN_OPTIONS="halt_on_error=1 exitcode=66" ctest --test-dir build-tsan \
	--output-on-failure -j2 \
	-R '^(integration\.concurrency|unit\.test_objects|unit\.pkcs11\.test_p11_(entry|login|session_objects))$' \
	| tee "$logs/tsan.txt" || status=1

stage "src/bn with 32-bit limbs (as without 128-bit integers): the unit tests"
cmake -S . -B build-bn32 -DCMAKE_BUILD_TYPE=RelWithDebInfo -DKAZTOKEN_TESTS=ON -DKAZTOKEN_SANITIZE=OFF \
	-DKAZTOKEN_FUZZ=OFF -DKAZTOKEN_BN_LIMB_BITS=32 >/dev/null
cmake --build build-bn32 -j"$jobs"
ctest --test-dir build-bn32 --output-on-failure -j2 -L unit | tee "$logs/bn32-unit.txt" || status=1

stage "libFuzzer harnesses (clang, ASan + UBSan), ${FUZZ_SECONDS:=15} s each from the seed corpus"
CC=clang cmake -S . -B build-fuzz -DKAZTOKEN_FUZZ=ON -DKAZTOKEN_FUZZ_SECONDS="$FUZZ_SECONDS" \
	-DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build-fuzz -j"$jobs"
ctest --test-dir build-fuzz --output-on-failure -j2 | tee "$logs/fuzz.txt" || status=1

stage "the Windows build (mingw-w64), its tests under Wine"
bash tools/test-windows.sh | tee "$logs/windows.txt" || status=1

# One closing line over every run: "N passed, M failed".
total=0 failed=0
for f in "$logs"/*.txt; do
	line=$(grep -E 'tests passed, [0-9]+ tests? failed out of [0-9]+' "$f" | tail -n 1 || true)
	if [ -z "$line" ]; then status=1; continue; fi
	n=$(sed -E 's/.*out of ([0-9]+).*/\1/' <<<"$line")
	k=$(sed -E 's/.* ([0-9]+) tests? failed.*/\1/' <<<"$line")
	total=$((total + n)) failed=$((failed + k))
done
echo "tests: $((total - failed)) passed, $failed failed ($SECONDS s in all)"
exit $status
