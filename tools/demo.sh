#!/usr/bin/env bash
# The two-minute tour of what KAZTOKEN PKCS#11 does, on a virtual token, everything
# through the module: the token's information and its default-PIN warning, a PIN
# change, a key made on the card, a certificate request, a certificate from a
# throw-away local CA, signing a document, and OpenSSL checking the signatures.
# Installs and builds first; with KAZTOKEN_BUILD=DIR it uses that build instead.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -z "${KAZTOKEN_BUILD:-}" ]; then
	tools/install-deps.sh
	cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	cmake --build build -j"$(nproc 2>/dev/null || echo 2)" \
		--target kaztoken-pkcs11 kaztoken-sim kaztoken-tool >/dev/null
	KAZTOKEN_BUILD=build
fi
B=$(cd "$KAZTOKEN_BUILD" && pwd)

work=$(mktemp -d /tmp/kaztoken-demo-XXXXXX)
export KAZTOKEN_SIM_SOCKET=$work/sim.sock
export KAZTOKEN_READERS=none    # the virtual token alone, whatever pcscd shows
export KAZTOKEN_CONF=/dev/null  # and no system configuration
export KAZTOKEN_MODULE=$B/libkaztoken-pkcs11.so
export LC_ALL=C LANGUAGE=       # the tour in English (the tool also speaks ru / kk)
"$B/kaztoken-sim" --store "$work/token.kzt" --socket "$KAZTOKEN_SIM_SOCKET" 2>"$work/sim.log" &
sim=$!
trap 'kill $sim 2>/dev/null; wait $sim 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 200); do [ -S "$KAZTOKEN_SIM_SOCKET" ] && break; sleep 0.05; done
cd "$work"

n=0
step() {
	n=$((n + 1))
	printf '\n== %d. %s\n   %s\n' "$n" "$1" "$2"
}
run() {
	printf '$ %s\n' "$*"
	"$@" 2>&1
}
kt() { run kaztoken-tool "$@"; }
kaztoken-tool() { "$B/kaztoken-tool" "$@"; }

# PINs come from the environment here so the tour runs unattended; by hand the tool
# asks for them without echo (and a new one twice).
export PIN=12345678 NEW_PIN=Tour2Demo9 ADMIN_PIN=87654321

step "A virtual KAZTOKEN, as applications see it" \
	"a fresh token: never named, so it shows as 'KAZTOKEN <no label>', factory PINs in force"
kt list
step "The token's information" \
	"label, serial, versions, memory, PIN tries and policy; and the control panel's warning"
kt info
step "Change the user PIN" \
	"the card checks the old PIN and the policy; the default-PIN warning goes away"
kt change-pin --user --pin-env PIN --new-pin-env NEW_PIN
export PIN=$NEW_PIN
kt info | grep "User PIN"
step "Name the token" "the banks' rule for names (Latin letters, digits, - _ =) is checked first"
kt rename Demo-Token --pin-env PIN
step "Make a key pair on the card, and a certificate request" \
	"the private key is made inside the token and never leaves it; the request is signed there"
kt keygen --label Signing --bits 2048 --csr request.csr --subject "/CN=Aigerim Saparova/O=Demo LLP/C=KZ" \
	--pin-env PIN
run openssl req -verify -in request.csr -noout -subject
step "A throw-away local CA issues the certificate" "as the NCA would, from the request"
openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -subj "/CN=Demo Local CA" -days 2 \
	2>/dev/null
printf 'basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,nonRepudiation\n' >ext.cnf
run openssl x509 -req -in request.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 1 -extfile ext.cnf \
	-out signing.pem
step "Install the certificate onto the token" "it lands beside its key, sharing the key's CKA_ID"
kt import signing.pem --pin-env PIN
kt certs --pin-env PIN
step "Sign a document" "a detached CMS signature and a raw one, both made by the card"
printf 'Акт выполненных работ No. 17 / Орындалған жұмыстар актісі\n' >contract.txt
kt sign contract.txt --cms --pin-env PIN
kt sign contract.txt --pin-env PIN
step "OpenSSL checks the signatures" "with nothing of ours: the CA's certificate and the document"
run openssl cms -verify -binary -inform DER -in contract.txt.p7s -content contract.txt -CAfile ca.pem -out /dev/null
openssl x509 -in signing.pem -pubkey -noout >signing.pub
run openssl dgst -sha256 -verify signing.pub -signature contract.txt.sig contract.txt
step "A changed document fails" "the tool's own check says so, with its own exit status (10)"
echo "one more line" >>contract.txt
rc=0
kt verify contract.txt contract.txt.p7s --cms || rc=$?
[ "$rc" -eq 10 ] || { echo "demo: a changed document verified (exit $rc)"; exit 1; }
step "Any PKCS#11 application sees the same token" "here OpenSC's pkcs11-tool, through the same module"
run pkcs11-tool --module "$KAZTOKEN_MODULE" --list-token-slots
printf '\nThe tour is over: every step above went through libkaztoken-pkcs11.\n'
