#!/usr/bin/env bash
# Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
# The Debian packages, made as a distribution would (a /usr build, cpack), checked
# by lintian, installed with dpkg into a scratch root, used from there, and removed
# leaving nothing behind. Needs KZT_SRC (the source tree), and lib.sh's KZT_MODULE
# and KZT_SIM (the tests use the installed ones instead).
source "$(dirname "$0")/lib.sh"
: "${KZT_SRC:?set KZT_SRC to the source tree}"
ARCH=$(dpkg --print-architecture)
MULTIARCH=$(dpkg-architecture -qDEB_HOST_MULTIARCH)

# the packages, from a build with the distribution's prefix
cmake -S "$KZT_SRC" -B "$WORK/build" -DCMAKE_INSTALL_PREFIX=/usr -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	-DKAZTOKEN_TESTS=OFF >/dev/null
cmake --build "$WORK/build" -j2 --target kaztoken-pkcs11 kaztoken-sim kaztoken-tool >/dev/null
(cd "$WORK/build" && cpack -G DEB >"$WORK/cpack.log" 2>&1) || fail "cpack failed: $(cat "$WORK/cpack.log")"
debs=("$WORK"/build/*.deb)
[ "${#debs[@]}" -eq 3 ] || fail "expected 3 packages, got: ${debs[*]}"
for p in libkaztoken-pkcs11 libkaztoken-pkcs11-dev kaztoken-tools; do
	ls "$WORK"/build/${p}_*.deb >/dev/null 2>&1 || fail "no package $p"
done
echo "packages: $(cd "$WORK/build" && ls ./*.deb | tr '\n' ' ')"

test_lintian_finds_nothing_unjustified() {
	# every tag left is overridden in the packaging with its reason
	lintian --fail-on error,warning --tag-display-limit 0 "${debs[@]}" >"$WORK/lintian" 2>&1 ||
		fail "lintian: $(cat "$WORK/lintian")"
	cat "$WORK/lintian"
}

test_the_packages_install_load_and_remove_cleanly() {
	local root=$WORK/root module
	mkdir -p "$root/var/lib/dpkg/info" "$root/var/lib/dpkg/updates" "$root/var/log"
	touch "$root/var/lib/dpkg/status"
	# (the scratch root has no libc of its own: its dependencies are the host's)
	dpkg --root="$root" --force-depends --force-script-chrootless -i "${debs[@]}" >"$WORK/dpkg" 2>&1 ||
		fail "dpkg -i: $(cat "$WORK/dpkg")"
	module=$root/usr/lib/$MULTIARCH/pkcs11/libkaztoken-pkcs11.so
	[ -f "$module" ] || fail "the module is not at /usr/lib/$MULTIARCH/pkcs11"
	# a /usr build reads /etc/kaztoken/kaztoken.conf (the path compiled in), and says so
	env -u KAZTOKEN_CONF KAZTOKEN_DEBUG=2 KAZTOKEN_READERS=none pkcs11-tool --module "$module" --show-info >"$WORK/out" 2>&1 || true
	grep -q "/etc/kaztoken/kaztoken.conf" "$WORK/out" ||
		fail "the module does not name /etc/kaztoken/kaztoken.conf at log level 2: $(cat "$WORK/out")"
	for f in usr/share/p11-kit/modules/kaztoken.module etc/kaztoken/kaztoken.conf usr/bin/kaztoken-tool \
		usr/bin/kaztoken-sim usr/share/man/man1/kaztoken-tool.1.gz usr/share/man/man1/kaztoken-sim.1.gz \
		usr/include/kaztoken/pkcs11.h "usr/lib/$MULTIARCH/pkgconfig/kaztoken-pkcs11.pc" \
		usr/share/locale/kk/LC_MESSAGES/kaztoken-tool.mo usr/share/bash-completion/completions/kaztoken-tool
	do
		[ -e "$root/$f" ] || fail "not installed: /$f"
	done
	grep -qx "module: /usr/lib/$MULTIARCH/pkcs11/libkaztoken-pkcs11.so" "$root/usr/share/p11-kit/modules/kaztoken.module" ||
		fail "the p11-kit file names another module: $(cat "$root/usr/share/p11-kit/modules/kaztoken.module")"
	grep -q "^/etc/kaztoken/kaztoken.conf$" "$root/var/lib/dpkg/info/libkaztoken-pkcs11.conffiles" ||
		fail "the configuration is not a conffile"
	! grep -v '^#' "$root/etc/kaztoken/kaztoken.conf" | grep -q '[^[:space:]]' ||
		fail "the sample configuration sets something"
	grep -q "^Depends:.*libc6" <(dpkg-deb -f "$WORK"/build/libkaztoken-pkcs11_*.deb) ||
		fail "the module's package does not depend on libc6"
	# used from there: the installed simulator, module (with its sample configuration) and tool
	export KAZTOKEN_CONF=$root/etc/kaztoken/kaztoken.conf
	KZT_SIM=$root/usr/bin/kaztoken-sim KZT_MODULE=$module
	start_sim
	expect_ok --list-token-slots
	grep -q "token manufacturer : KAZTOKEN" "$WORK/out" || fail "no token through the installed module"
	KAZTOKEN_MODULE=$module "$root/usr/bin/kaztoken-tool" list >"$WORK/out" 2>&1 || fail "kaztoken-tool: $(cat "$WORK/out")"
	grep -q "KAZTOKEN <no label>" "$WORK/out" || fail "kaztoken-tool list: $(cat "$WORK/out")"
	# p11-kit finds it through its module file, with no other configuration: in a private
	# mount namespace (the machine is left as it was), the package's file, naming the
	# scratch copy, is all p11-kit's module directory holds (p11-kit skips a user's
	# configuration when it runs as root)
	mkdir -p "$WORK/p11modules"
	sed "s|^module: |module: $root|" "$root/usr/share/p11-kit/modules/kaztoken.module" \
		>"$WORK/p11modules/kaztoken.module"
	unshare -m sh -c 'mount --bind "$1" /usr/share/p11-kit/modules && exec p11-kit list-modules' _ \
		"$WORK/p11modules" >"$WORK/out" 2>&1 || fail "p11-kit in a private namespace: $(cat "$WORK/out")"
	grep -q "^kaztoken:" "$WORK/out" && grep -q "manufacturer: KAZTOKEN" "$WORK/out" ||
		fail "p11-kit does not list the module: $(cat "$WORK/out")"
	stop_sim
	# and gone again, configuration included
	dpkg --root="$root" --force-depends --force-script-chrootless -P kaztoken-tools libkaztoken-pkcs11-dev \
		libkaztoken-pkcs11 >"$WORK/dpkg" 2>&1 || fail "dpkg -P: $(cat "$WORK/dpkg")"
	left=$(cd "$root" && find . -mindepth 1 ! -path ./var ! -path ./var/lib ! -path './var/lib/dpkg*' \
		! -path './var/log*')
	[ -z "$left" ] || fail "left behind after removal: $left"
}

"test_$1"
