#!/usr/bin/env bash
# Install the Debian / Ubuntu packages the build, the demo and the tests need.
# Used by tools/demo.sh and tools/test.sh; safe to run again.
set -euo pipefail

packages=(
	cmake gcc make pkg-config    # build
	clang                        # second compiler; sanitizer build
	libssl-dev                   # OpenSSL: the virtual card's RSA engine
	libcmocka-dev                # unit tests
	libp11-kit-dev               # reference PKCS#11 header for the header test
	opensc                       # pkcs11-tool
	openssl                      # test certificates and signature checks
	valgrind                     # leak checks
	python3-pykcs11              # the module driven from Python
	python3-cryptography         # ...with its results checked there
	libpcsclite-dev              # PC/SC readers
	libusb-1.0-0-dev             # USB CCID readers without pcscd
	pcscd vsmartcard-vpcd        # a real pcscd with virtual tokens in it (tests)
	gettext                      # kaztoken-tool's message catalogues (msgfmt)
	locales                      # the Russian and Kazakh locales its test makes (localedef)
	dpkg-dev lintian p11-kit     # the .deb: its dependencies, its check, p11-kit finding the module
	libnss3-tools gnutls-bin     # interop: NSS (modutil, certutil, tstclnt, cmsutil), GnuTLS
	openssh-client openssh-server # interop: ssh -I against a throw-away sshd
	openjdk-17-jdk-headless      # interop: keytool and jarsigner with SunPKCS11
	libengine-pkcs11-openssl     # interop: OpenSSL 3 through the libp11 engine
	p11-kit-modules              # interop: p11-kit-client.so, remoting a token
	firefox-esr chromium         # interop: the browsers, for real
	xvfb xauth xdotool imagemagick # ...under Xvfb, the PIN typed into their prompt, a screenshot
	softhsm2                     # the peer kaztoken-bench p11 measures the virtual token against
	libengine-gost-openssl       # OpenSSL's gost engine: Streebog and GOST R 34.10-2012 checked against it
)

as_root() {
	if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

export DEBIAN_FRONTEND=noninteractive
as_root apt-get update -qq
# clang's sanitizer runtimes are packaged apart on Debian 12 (libclang-rt-14-dev);
# elsewhere they come with clang. Add the package where it exists.
for rt in libclang-rt-14-dev libclang-rt-dev; do
	if apt-cache show "$rt" >/dev/null 2>&1; then
		packages+=("$rt")
		break
	fi
done
as_root apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
# OpenSSL 3's PKCS#11 provider (interop tests): Debian 12 has it in bookworm-backports
# only, taken from a source list of our own so the machine's sources stay as they are
if ! apt-cache show pkcs11-provider >/dev/null 2>&1 && grep -q '^VERSION_CODENAME=bookworm' /etc/os-release; then
	backports=$(mktemp /tmp/kaztoken-backports-XXXXXX.list)
	echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian bookworm-backports main" \
		>"$backports"
	chmod 644 "$backports"
	as_root apt-get update -qq -o Dir::Etc::SourceList="$backports"
	as_root apt-get install -y -qq --no-install-recommends -o Dir::Etc::SourceList="$backports" \
		-t bookworm-backports pkcs11-provider >/dev/null
	rm -f "$backports"
else
	as_root apt-get install -y -qq --no-install-recommends pkcs11-provider >/dev/null
fi
echo "install-deps: ${#packages[@]} packages present"
