#!/usr/bin/env bash
# Install, build, start a virtual KAZTOKEN and drive the module with pkcs11-tool:
# list the slots, show the token, log in with the default user PIN.
set -euo pipefail
cd "$(dirname "$0")/.."

tools/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc 2>/dev/null || echo 2)" --target kaztoken-pkcs11 kaztoken-sim >/dev/null

work=$(mktemp -d /tmp/kaztoken-demo-XXXXXX)
export KAZTOKEN_SIM_SOCKET=$work/sim.sock
build/kaztoken-sim --store "$work/token.kzt" --socket "$KAZTOKEN_SIM_SOCKET" &
sim=$!
trap 'kill $sim 2>/dev/null; wait $sim 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 100); do [ -S "$KAZTOKEN_SIM_SOCKET" ] && break; sleep 0.05; done

p11() { pkcs11-tool --module build/libkaztoken-pkcs11.so "$@"; }
echo; echo "== pkcs11-tool --list-slots"; p11 --list-slots
echo; echo "== pkcs11-tool --list-token-slots"; p11 --list-token-slots
echo; echo "== pkcs11-tool --login (default user PIN) --list-objects"
p11 --login --pin 12345678 --list-objects
echo "logged in as the user: ok"
