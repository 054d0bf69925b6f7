# Shared by the integration scripts: a scratch directory, a kaztoken-sim per test,
# pkcs11-tool on our module, and assertions. Needs KZT_MODULE and KZT_SIM.
set -euo pipefail
: "${KZT_MODULE:?set KZT_MODULE to the built module}" "${KZT_SIM:?set KZT_SIM to kaztoken-sim}"

WORK=$(mktemp -d /tmp/kzt-it-XXXXXX)
STORE=$WORK/token.kzt
export KAZTOKEN_SIM_SOCKET=$WORK/sim.sock
export KAZTOKEN_CONF=/dev/null # no system configuration leaks into a test
export KAZTOKEN_READERS=none  # the virtual token's slot alone, whatever readers there are
SIM_PID=

cleanup() {
	if [ -n "$SIM_PID" ]; then kill "$SIM_PID" 2>/dev/null || true; wait "$SIM_PID" 2>/dev/null || true; fi
	rm -rf "$WORK"
}
trap cleanup EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }

start_sim() {
	"$KZT_SIM" --store "$STORE" --socket "$KAZTOKEN_SIM_SOCKET" 2>>"$WORK/sim.log" &
	SIM_PID=$!
	for _ in $(seq 200); do
		[ -S "$KAZTOKEN_SIM_SOCKET" ] && return 0
		kill -0 "$SIM_PID" 2>/dev/null || fail "kaztoken-sim exited: $(cat "$WORK/sim.log")"
		sleep 0.05
	done
	fail "kaztoken-sim did not start"
}

stop_sim() {
	kill -TERM "$SIM_PID"
	local rc=0
	wait "$SIM_PID" || rc=$?
	SIM_PID=
	return $rc
}

# pkcs11-tool on our module; output (stdout and stderr) in $WORK/out, status in $RC.
p11() {
	RC=0
	pkcs11-tool --module "$KZT_MODULE" "$@" >"$WORK/out" 2>&1 || RC=$?
}

expect_ok() {
	p11 "$@"
	[ "$RC" -eq 0 ] || fail "pkcs11-tool $1 ... exited $RC: $(cat "$WORK/out")"
}

# expect_rv CKR_NAME args...: the call fails and names that return value.
expect_rv() {
	local rv=$1
	shift
	p11 "$@"
	[ "$RC" -ne 0 ] || fail "pkcs11-tool $1 ... succeeded, expected $rv"
	grep -q "rv = $rv " "$WORK/out" || fail "expected $rv, got: $(cat "$WORK/out")"
}

token_flags() {
	expect_ok --list-token-slots
	sed -n 's/^ *token flags *: //p' "$WORK/out"
}

expect_flag() {
	local flags
	flags=$(token_flags)
	case ", $flags," in *", $1,"*) ;; *) fail "token flags lack '$1': $flags" ;; esac
}

expect_no_flag() {
	local flags
	flags=$(token_flags)
	case ", $flags," in *", $1,"*) fail "token flags still show '$1': $flags" ;; esac
}

user_login_ok() { expect_ok --login --pin "$1" --list-objects; }

# listed_hex ATTRIBUTE ID: the hex value of ATTRIBUTE of the object with CKA_ID ID
# in pkcs11-tool's listing in $WORK/out (one object a block; a value may wrap).
listed_hex() {
	awk -v a="$1:" -v id="$2" '
		/Object;/ {if (this == id && v != "") {print v; exit}; v = ""; this = ""; f = 0; next}
		$1 == a {f = 1; v = $2; next}
		f && /^ +[0-9a-f]+$/ {gsub(/ /, ""); v = v $0; next}
		{f = 0}
		$1 == "ID:" {this = $2}
		END {if (this == id && v != "") print v}' "$WORK/out"
}

# spki_pem ALGORITHM CURVE KEYHEX OUT: a SubjectPublicKeyInfo (ALGORITHM with the
# CURVE as its parameter, the key bits KEYHEX) as PEM, through OpenSSL (ARGS after
# OUT: e.g. -engine gost).
spki_pem() {
	local alg=$1 curve=$2 key=$3 out=$4 params=OID:$2
	shift 4
	case $alg in 1.2.643.*) params=SEQUENCE:params ;; esac
	cat >"$WORK/spki.cnf" <<-EOF
	asn1=SEQUENCE:spki
	[spki]
	alg=SEQUENCE:alg
	key=FORMAT:HEX,BITSTRING:$key
	[alg]
	oid=OID:$alg
	params=$params
	[params]
	curve=OID:$curve
	EOF
	openssl asn1parse -genconf "$WORK/spki.cnf" -out "$WORK/spki.der" >/dev/null ||
		fail "could not build the SubjectPublicKeyInfo"
	openssl pkey "$@" -pubin -inform DER -in "$WORK/spki.der" -out "$out" >"$WORK/pkey" 2>&1 ||
		fail "OpenSSL does not read the public key: $(cat "$WORK/pkey")"
}
