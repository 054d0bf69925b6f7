#!/usr/bin/env bash
# Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
# Builds of the tree as a machine with less would make them. Needs KZT_SRC (and
# lib.sh's KZT_MODULE, KZT_SIM).
source "$(dirname "$0")/lib.sh"
: "${KZT_SRC:?set KZT_SRC to the source tree}"

# No libssl-dev (CMake is kept from finding OpenSSL, as on a machine without it), no
# PC/SC, no libusb: configure says what is left out, the module needs libc alone and
# still works against the virtual token.
test_a_module_without_openssl_pcsc_or_libusb_builds_and_works() {
	cmake -S "$KZT_SRC" -B "$WORK/b" -DCMAKE_DISABLE_FIND_PACKAGE_OpenSSL=ON -DKAZTOKEN_CRYPTO=builtin \
		-DKAZTOKEN_PCSC=OFF -DKAZTOKEN_CCID=OFF >"$WORK/configure" 2>&1 ||
		fail "configure failed: $(cat "$WORK/configure")"
	for said in "OpenSSL 3 not found" "PC/SC: not built in" "USB CCID: not built in" "tests are not built"; do
		grep -q "$said" "$WORK/configure" || fail "configure did not say '$said'"
	done
	cmake --build "$WORK/b" -j2 >"$WORK/build" 2>&1 || fail "build failed: $(tail -30 "$WORK/build")"
	local module=$WORK/b/libkaztoken-pkcs11.so needed
	needed=$(readelf -d "$module" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | tr '\n' ' ')
	[ "$needed" = "libc.so.6 " ] || fail "the module needs more than libc: $needed"
	# this build's simulator and module, with every reader kind it has (none)
	KZT_SIM=$WORK/b/kaztoken-sim KZT_MODULE=$module
	export KAZTOKEN_READERS=auto
	start_sim
	expect_ok --list-token-slots
	grep -q "token manufacturer : KAZTOKEN" "$WORK/out" || fail "no token: $(cat "$WORK/out")"
	expect_ok --login --pin 12345678 --keypairgen --key-type rsa:2048 --id 01 --label k
	echo "a document" >"$WORK/doc"
	expect_ok --login --pin 12345678 --sign --id 01 -m SHA256-RSA-PKCS -i "$WORK/doc" -o "$WORK/sig"
	expect_ok --verify --id 01 -m SHA256-RSA-PKCS -i "$WORK/doc" --signature-file "$WORK/sig"
	grep -q "Signature is valid" "$WORK/out" || fail "the signature does not verify: $(cat "$WORK/out")"
}

"test_$1"
