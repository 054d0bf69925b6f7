#!/usr/bin/env bash
# The Windows DLL against a Linux kaztoken-sim over TCP loopback, under Wine:
# dll_against_sim.exe logs in, generates a key on the card and signs; OpenSSL on
# Linux then checks the signature with the public key the program read; and the
# module's log says why it lists no PC/SC readers when Wine has none to offer.
#   dll_flows.sh WINE EXE DLL SIM OPENSSL
set -euo pipefail
wine=$1 exe=$2 dll=$3 sim=$4 openssl=$5
work=$(mktemp -d)
sim_pid=
cleanup() {
	[ -n "$sim_pid" ] && kill "$sim_pid" 2>/dev/null && wait "$sim_pid" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT

# a port nobody uses: the simulator refuses one that is served
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$sim" --store "$work/card.kzt" --listen "127.0.0.1:$port" 2>"$work/sim.log" &
sim_pid=$!
for _ in $(seq 100); do
	(exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
	kill -0 "$sim_pid" 2>/dev/null || { cat "$work/sim.log"; exit 1; }
	sleep 0.1
done

export KAZTOKEN_SIM_SOCKET="tcp:127.0.0.1:$port" KAZTOKEN_CONF="$work/none.conf"
export KAZTOKEN_DEBUG=2 KAZTOKEN_LOG="$work/module.log"
export WINEDEBUG=${WINEDEBUG:--all}
winpath() { winepath -w "$1" 2>/dev/null | tr -d '\r'; }
"$wine" "$exe" "$(winpath "$dll")" "$(winpath "$work")" | tr -d '\r' | tee "$work/steps.txt"
grep -q '^# all steps passed$' "$work/steps.txt"

echo "# the module's log"
tr -d '\r' <"$work/module.log" | sed 's/^/#   /'
grep -q "readers: PC/SC" "$work/module.log"
if ! grep -q "its service runs" "$work/module.log"; then
	grep -q "no service answers now" "$work/module.log"
	echo "ok - no PC/SC service under Wine: only the virtual token, and the log says why"
else
	echo "ok - Wine's PC/SC answered: its readers are listed beside the virtual token"
fi

# a unix socket path, which Windows lacks: refused at C_Initialize, saying so
KAZTOKEN_SIM_SOCKET=/tmp/kaztoken.sock KAZTOKEN_LOG="$work/refused.log" \
	"$wine" "$exe" "$(winpath "$dll")" --init-refused | tr -d '\r' | tee "$work/refused.txt"
grep -q '^# all steps passed$' "$work/refused.txt"
grep -q "sim_socket '/tmp/kaztoken.sock' is a unix socket path, which this system lacks" "$work/refused.log"
echo "ok - a unix socket path is refused on Windows with the reason in the log"

# OpenSSL on Linux checks what the card signed on Windows
python3 - "$work" <<'PY'
import sys, pathlib
d = pathlib.Path(sys.argv[1])
n = int.from_bytes((d / "modulus.bin").read_bytes(), "big")
def der_len(b):
    return bytes([len(b)]) if len(b) < 128 else bytes([0x80 | ((len(b).bit_length() + 7) // 8)]) + len(b).to_bytes((len(b).bit_length() + 7) // 8, "big")
def tlv(tag, b):
    return bytes([tag]) + der_len(b) + b
def integer(v):
    b = v.to_bytes((v.bit_length() + 8) // 8, "big")
    return tlv(0x02, b)
rsa = tlv(0x30, integer(n) + integer(65537))
alg = tlv(0x30, bytes.fromhex("06092a864886f70d010101") + b"\x05\x00")
spki = tlv(0x30, alg + tlv(0x03, b"\x00" + rsa))
(d / "public.der").write_bytes(spki)
PY
"$openssl" dgst -sha256 -keyform DER -verify "$work/public.der" -signature "$work/signature.bin" "$work/message.bin"
echo "ok - OpenSSL on Linux verifies the signature made through the Windows DLL"
