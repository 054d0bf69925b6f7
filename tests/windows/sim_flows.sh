#!/usr/bin/env bash
# kaztoken-sim.exe, the Windows build of the virtual token, under Wine, serving
# the Linux module over TCP: OpenSC's pkcs11-tool lists it, generates a key on it
# and signs, OpenSSL checks the signature; restarted on the same store (written
# through src/os/file_win.c) it still holds the key; --vpcd is refused, saying why.
#   sim_flows.sh WINE SIM_EXE LINUX_MODULE
set -euo pipefail
wine=$1 sim=$2 module=$3
work=$(mktemp -d)
export WINEDEBUG=${WINEDEBUG:--all}
sim_pid=
stop_sim() {
	if [ -n "$sim_pid" ]; then
		kill "$sim_pid" 2>/dev/null || true
		wait "$sim_pid" 2>/dev/null || true
		sim_pid=
	fi
}
trap 'stop_sim; rm -rf "$work"' EXIT
store=$(winepath -w "$work/card.kzt" | tr -d '\r')
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')

start_sim() {
	: >"$work/sim.log"
	"$wine" "$sim" --store "$store" --listen "127.0.0.1:$port" 2>"$work/sim.log" &
	sim_pid=$!
	for _ in $(seq 200); do
		grep -q "serving token" "$work/sim.log" 2>/dev/null && return 0
		kill -0 "$sim_pid" 2>/dev/null || break
		sleep 0.1
	done
	echo "not ok - kaztoken-sim.exe did not start"
	cat "$work/sim.log"
	exit 1
}

export KAZTOKEN_SIM_SOCKET="tcp:127.0.0.1:$port" KAZTOKEN_CONF="$work/none.conf" KAZTOKEN_READERS=none
p11() { pkcs11-tool --module "$module" "$@"; }

start_sim
tr -d '\r' <"$work/sim.log"
p11 -L | tee "$work/slots.txt"
grep -q "KAZTOKEN virtual reader" "$work/slots.txt"
echo "ok - the Linux module sees the token kaztoken-sim.exe serves"
p11 --login --pin 12345678 --keypairgen --key-type rsa:2048 --id 57 --label windows-sim >/dev/null
printf 'signed by the Windows simulator' >"$work/msg"
p11 --login --pin 12345678 --sign --mechanism SHA256-RSA-PKCS --id 57 -i "$work/msg" -o "$work/sig" 2>/dev/null
p11 --read-object --type pubkey --id 57 -o "$work/pub.der" 2>/dev/null
openssl dgst -sha256 -keyform DER -verify "$work/pub.der" -signature "$work/sig" "$work/msg"
echo "ok - a key made on it signs, and OpenSSL verifies the signature"

stop_sim
start_sim
p11 --login --pin 12345678 -O --type privkey 2>/dev/null | tee "$work/objects.txt"
grep -q "label: *windows-sim" "$work/objects.txt"
echo "ok - restarted on the same store, the token still holds the key"
stop_sim

if "$wine" "$sim" --store "$store" --vpcd 35963 2>"$work/vpcd.txt"; then
	echo "not ok - --vpcd was accepted on Windows"
	exit 1
fi
grep -q "not on this system" "$work/vpcd.txt"
echo "ok - --vpcd is refused on Windows, saying why"
