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
echo "install-deps: ${#packages[@]} packages present"
