#!/usr/bin/env bash
# Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
# kaztoken-tool against kaztoken-sim, through the built module: every command with
# its failure paths. One test per function; ctest runs each by name.
# Needs KZT_MODULE, KZT_SIM, KZT_TOOL (and KZT_SRC, the source tree).
source "$(dirname "$0")/lib.sh"
: "${KZT_TOOL:?set KZT_TOOL to kaztoken-tool}" "${KZT_SRC:?set KZT_SRC to the source tree}"
export KAZTOKEN_MODULE=$KZT_MODULE
export UPIN=12345678 APIN=87654321 # the factory PINs, for --pin-env
PY=/usr/bin/python3

# KZT_TOOL_WRAP: a command the tool runs under (valgrind), whose own failures
# (exit 99) fail the test whatever the tool's status.
WRAP=(${KZT_TOOL_WRAP:-})
[ ${#WRAP[@]} -eq 0 ] || echo "kaztoken-tool runs under: ${WRAP[*]}"
wrapped() {
	"${WRAP[@]}" "$KZT_TOOL" "$@"
}
check_wrap() {
	[ "$RC" -ne 99 ] || fail "the wrapper found errors: $(cat "$WORK/err")"
}
# kaztoken-tool ARGS...: stdout in $WORK/out, stderr in $WORK/err, status in $RC.
kt() {
	RC=0
	wrapped "$@" >"$WORK/out" 2>"$WORK/err" </dev/null || RC=$?
	check_wrap
}
# ...with standard input from a string (the answers to its prompts, a line each).
kt_in() {
	local input=$1
	shift
	RC=0
	printf '%s' "$input" | wrapped "$@" >"$WORK/out" 2>"$WORK/err" || RC=$?
	check_wrap
}
expect_rc() {
	[ "$RC" -eq "$1" ] || fail "expected exit $1, got $RC; out: $(cat "$WORK/out"); err: $(cat "$WORK/err")"
}
expect_out() { grep -q -- "$1" "$WORK/out" || fail "stdout lacks '$1': $(cat "$WORK/out")"; }
expect_err() { grep -q -- "$1" "$WORK/err" || fail "stderr lacks '$1': $(cat "$WORK/err")"; }
# json EXPR: evaluate a Python expression on the JSON output (as j); it must hold.
json() {
	$PY -c 'import json,sys; j=json.load(open(sys.argv[1])); sys.exit(0 if eval("(" + sys.argv[2] + ")") else 1)' \
		"$WORK/out" "$1" || fail "JSON check '$1' failed on: $(cat "$WORK/out")"
}
p12() { $PY "$(dirname "$0")/make_p12.py" "$@"; }
# How many objects of a class the token holds (pkcs11-tool, logged in).
count_objects() {
	expect_ok --login --pin "${2:-12345678}" --list-objects --type "$1"
	grep -c "^$(case $1 in cert) echo Certificate ;; privkey) echo Private ;; pubkey) echo Public ;; esac)" \
		"$WORK/out" || true
}

test_list_shows_the_token_with_no_label_and_the_default_pin() {
	start_sim
	kt list
	expect_rc 0
	expect_out "^0 .*KAZTOKEN <no label>.*default PIN in use"
	kt list --json
	expect_rc 0
	json 'len(j["tokens"]) == 1 and j["tokens"][0]["label"] is None and j["tokens"][0]["state"] == "default-pin"
	      and len(j["tokens"][0]["serial"]) == 16 and j["tokens"][0]["index"] == 0'
}

test_info_shows_policies_memory_and_the_default_pin_warning() {
	start_sim
	kt info
	expect_rc 0
	expect_out "Serial:"
	expect_out "User PIN tries: *10 / 10, length 6..32"
	expect_out "Memory free / total: *65536 / 65536"
	expect_err "warning: the user PIN is the factory default"
	kt info --json
	expect_rc 0
	json 'j["user_pin"] == {"tries_left": 10, "max_tries": 10, "min_length": 6, "max_length": 32, "default": True,
	      "locked": False} and j["admin_pin"]["default"] and j["memory"]["total"] == 65536
	      and j["user_pin_changed_by"] == "both" and j["manufacturer"] == "KAZTOKEN" and len(j["warnings"]) == 2'
	# seven wrong PINs leave few tries: warned
	for _ in 1 2 3 4 5 6 7; do p11 --login --pin 00000000 --list-objects; done
	kt info --json
	json 'j["user_pin"]["tries_left"] < 10 and any("few tries" in w for w in j["warnings"])'
}

test_no_token_gives_a_clear_message_and_exit_3() {
	kt list
	expect_rc 3
	expect_err "no KAZTOKEN is connected"
	kt info
	expect_rc 3
	kt sign /etc/hostname --pin-env UPIN
	expect_rc 3
}

test_every_command_has_help_and_bad_usage_is_exit_2() {
	local c
	for c in list info change-pin unblock rename format certs import keygen sign verify; do
		kt "$c" --help
		expect_rc 0
		expect_out "Usage: kaztoken-tool $c"
	done
	kt --help
	expect_rc 0
	expect_out "Exit status"
	kt frobnicate
	expect_rc 2
	kt --no-such-option
	expect_rc 2
	start_sim
	kt change-pin --pin-env UPIN # whose PIN?
	expect_rc 2
	kt keygen --pin-env UPIN # no label
	expect_rc 2
	kt info --pin-env UNSET_VARIABLE_X --token 5
	expect_rc 3
	expect_err "there is no token 5"
}

test_change_pin_asks_twice_refuses_mismatch_weak_and_wrong_pins() {
	start_sim
	# from standard input: the current PIN, then the new one twice
	kt_in $'12345678\nQw7rT9zx\nQw7rT9zY\n' change-pin --user
	expect_rc 2
	expect_err "the two entries differ"
	kt_in $'12345678\nab12\nab12\n' change-pin --user
	expect_rc 7
	expect_err "too short"
	kt_in $'12345678\n77777777\n77777777\n' change-pin --user
	expect_rc 7
	expect_err "one character repeated"
	kt_in $'12345678\nQw123rTz\nQw123rTz\n' change-pin --user --strict
	expect_rc 7
	expect_err "a run like 123"
	kt_in $'00000000\nQw7rT9zx\nQw7rT9zx\n' change-pin --user
	expect_rc 4
	expect_err "9 tries left"
	user_login_ok 12345678 # nothing changed
	kt_in $'12345678\nQw7rT9zx\nQw7rT9zx\n' change-pin --user
	expect_rc 0
	expect_out "The user PIN was changed"
	user_login_ok Qw7rT9zx
	expect_no_flag "user PIN to be initialized"
	kt info --json
	json 'not j["user_pin"]["default"] and j["user_pin"]["tries_left"] == 10'
	# the admin's, with the new one from the environment
	NEWA=Zx9cV8bn7m kt change-pin --admin --pin-env APIN --new-pin-env NEWA
	expect_rc 0
	expect_out "The admin PIN was changed"
	kt info --json
	json 'not j["admin_pin"]["default"]'
	# the PIN never reaches the output
	! grep -q "Qw7rT9zx\|Zx9cV8bn7m" "$WORK/out" "$WORK/err" || fail "a PIN was printed"
}

test_a_locked_pin_is_exit_5_and_unblock_keeps_the_pin() {
	start_sim
	export BAD=00000000
	for _ in $(seq 9); do kt keygen --label x --pin-env BAD; expect_rc 4; done
	kt keygen --label x --pin-env BAD
	expect_rc 5
	kt sign /etc/hostname --pin-env UPIN
	expect_rc 5
	expect_err "blocked"
	kt list
	expect_out "user PIN locked"
	kt list --json
	json 'j["tokens"][0]["state"] == "user-pin-locked"'
	kt unblock --pin-env BAD # a wrong admin PIN
	expect_rc 4
	expect_err "wrong PIN: 9 tries left"
	kt unblock --pin-env APIN
	expect_rc 0
	expect_out "PIN successfully unblocked"
	kt info --json
	json 'j["user_pin"]["tries_left"] == 10 and not j["user_pin"]["locked"]'
	user_login_ok 12345678 # the same PIN
}

test_unblock_with_a_new_pin_sets_it() {
	start_sim
	NEWU=Kd8sPq2w kt unblock --new-pin --pin-env APIN --new-pin-env NEWU
	expect_rc 0
	user_login_ok Kd8sPq2w
	kt_in $'87654321\nab1\nab1\n' unblock --new-pin
	expect_rc 7
}

test_rename_checks_the_banks_rule_and_names_the_token() {
	start_sim
	kt rename "Мой токен" --pin-env UPIN
	expect_rc 7
	expect_err "Latin letters, digits and - _ ="
	kt rename "a name" --pin-env UPIN
	expect_rc 7
	kt rename 0123456789012345678901234567890123 --pin-env UPIN
	expect_rc 7
	kt rename Bank_Token-1= --pin-env BAD_UNSET
	expect_rc 2
	kt rename Bank_Token-1= --pin-env UPIN
	expect_rc 0
	kt list
	expect_out "KAZTOKEN Bank_Token-1="
	kt rename Admins --admin --pin-env APIN
	expect_rc 0
	kt info --json
	json 'j["label"] == "Admins"'
}

test_format_sets_the_dialogs_policies_and_they_hold() {
	start_sim
	p12 "$WORK/a.p12" pw Aidos 0 365
	PW=pw kt import "$WORK/a.p12" --pin-env UPIN --password-env PW
	expect_rc 0
	# no confirmation: nothing happens
	kt_in $'no\n' format --label Firm
	expect_rc 6
	expect_err "cancelled"
	kt_in '' format --label Firm
	expect_rc 6
	# a wrong admin PIN: nothing erased, a try spent
	kt_in $'yes\n00000000\n' format --label Firm
	expect_rc 4
	[ "$(count_objects cert)" -ge 1 ] || fail "a failed format erased the certificate"
	kt format --label "Bad name" --yes --pin-env APIN
	expect_rc 7
	kt format --user-tries 16 --yes --pin-env APIN
	expect_rc 2
	kt format --user-min-len 10 --yes --pin-env APIN # the factory PIN has 8
	expect_rc 2
	expect_err "needs a new PIN"
	# the dialog: name, a new user PIN, minimum 8, 3 tries, only the admin changes it
	kt_in $'yes\n87654321\nNur8Sult\nNur8Sult\n' format --label Firm --new-user-pin --user-min-len 8 \
		--user-tries 3 --admin-tries 5 --user-pin-changer admin
	expect_rc 0
	expect_out "The token was formatted"
	[ "$(count_objects cert Nur8Sult)" -eq 0 ] || fail "the format kept a certificate"
	kt info --json
	json 'j["label"] == "Firm" and j["user_pin"]["min_length"] == 8 and j["user_pin"]["max_tries"] == 3
	      and j["admin_pin"]["max_tries"] == 5 and j["user_pin_changed_by"] == "admin"
	      and not j["user_pin"]["default"] and j["admin_pin"]["default"]'
	# ...and then violated: the user may not change the user PIN
	kt_in $'Nur8Sult\nAbc98xyz\nAbc98xyz\n' change-pin --user
	expect_rc 7
	expect_err "only the admin"
	# a user PIN shorter than the new minimum, set by the admin
	kt_in $'87654321\nQw7rT9z\nQw7rT9z\n' unblock --new-pin
	expect_rc 7
	expect_err "at least 8"
	# 3 tries, then blocked
	export BAD=00000000
	kt keygen --label x --pin-env BAD
	expect_rc 4
	expect_err "2 tries left"
	kt keygen --label x --pin-env BAD
	kt keygen --label x --pin-env BAD
	expect_rc 5
	# the admin sets one that fits
	NEWU=Qw7rT9zx kt unblock --new-pin --pin-env APIN --new-pin-env NEWU
	expect_rc 0
	user_login_ok Qw7rT9zx
	# a format back to the factory state
	kt format --yes --pin-env APIN
	expect_rc 0
	kt info --json
	json 'j["label"] is None and j["user_pin"]["default"] and j["user_pin"]["max_tries"] == 10
	      and j["user_pin_changed_by"] == "both"'
}

test_certs_lists_oldest_first_marks_expired_and_deletes_with_the_key_pair() {
	start_sim
	export PW=pw
	p12 "$WORK/new.p12" pw Newest -1 700
	p12 "$WORK/old.p12" pw Oldest -400 -30
	p12 "$WORK/mid.p12" pw Middle -10 200
	for f in new old mid; do
		kt import "$WORK/$f.p12" --pin-env UPIN --password-env PW
		expect_rc 0
	done
	kt certs --pin-env UPIN --json
	expect_rc 0
	json '[c["subject"] for c in j["certificates"] if "Test CA" not in c["subject"]] ==
	      ["C=KZ,CN=Oldest", "C=KZ,CN=Middle", "C=KZ,CN=Newest"]'
	json '[c["expired"] for c in j["certificates"] if "Test CA" not in c["subject"]] == [True, False, False]'
	json 'all(c["key_pair"] for c in j["certificates"] if "Test CA" not in c["subject"])'
	id=$($PY -c 'import json,sys; print([c["id"] for c in json.load(open(sys.argv[1]))["certificates"]
	        if "Middle" in c["subject"]][0])' "$WORK/out")
	kt certs --pin-env UPIN
	expect_out "Oldest"
	expect_out "\[EXPIRED\]"
	kt certs --no-login --json
	json 'all(c["key_pair"] is None for c in j["certificates"])'
	# delete the expired one (confirmed), then one by ID
	kt_in $'no\n' certs delete --expired --pin-env UPIN
	expect_rc 6
	kt certs delete --expired --pin-env UPIN --yes
	expect_rc 0
	kt certs --pin-env UPIN --json
	json 'not any(c["subject"] == "C=KZ,CN=Oldest" for c in j["certificates"])'
	[ "$(count_objects privkey)" -eq 2 ] || fail "the expired certificate's key stayed"
	kt certs delete "$id" --pin-env UPIN --yes
	expect_rc 0
	[ "$(count_objects privkey)" -eq 1 ] || fail "the deleted certificate's key stayed"
	[ "$(count_objects pubkey)" -eq 1 ] || fail "the deleted certificate's public key stayed"
	kt certs delete abcdef --pin-env UPIN --yes
	expect_rc 2
	kt certs delete not-hex --pin-env UPIN --yes
	expect_rc 2
}

test_import_of_a_bad_file_writes_nothing() {
	"$KZT_SIM" --store "$STORE" --socket "$KAZTOKEN_SIM_SOCKET" --capacity 3000 2>>"$WORK/sim.log" &
	SIM_PID=$!
	for _ in $(seq 200); do [ -S "$KAZTOKEN_SIM_SOCKET" ] && break; sleep 0.05; done
	export PW=pw WRONG=nope
	p12 "$WORK/k.p12" pw Serik 0 365
	kt import "$WORK/k.p12" --pin-env UPIN --password-env WRONG
	expect_rc 8
	expect_err "wrong password"
	head -c 700 "$WORK/k.p12" >"$WORK/cut.p12"
	kt import "$WORK/cut.p12" --pin-env UPIN --password-env PW
	expect_rc 8
	printf 'not a key at all' >"$WORK/junk.pfx"
	kt import "$WORK/junk.pfx" --pin-env UPIN --password-env PW
	expect_rc 8
	expect_err "neither a PKCS#12 file nor a certificate"
	p12 "$WORK/ec.p12" pw Ec 0 365 ec
	kt import "$WORK/ec.p12" --pin-env UPIN --password-env PW
	expect_rc 8
	expect_err "unsupported key"
	p12 "$WORK/small.p12" pw Small 0 365 rsa1024
	kt import "$WORK/small.p12" --pin-env UPIN --password-env PW
	expect_rc 8
	kt import "$WORK/none.p12" --pin-env UPIN --password-env PW
	expect_rc 8
	p12 "$WORK/open.p12" "" Open 0 365 # no password at all: none is asked
	kt import "$WORK/open.p12" --pin-env UPIN
	[ "$RC" -ne 8 ] || fail "a PKCS#12 file without a password was refused: $(cat "$WORK/err")"
	! grep -q "Password of the PKCS#12" "$WORK/err" || fail "a password was asked for an open file"
	# a token with room for the key but not for the certificate too: nothing kept
	kt import "$WORK/k.p12" --pin-env UPIN --password-env PW
	expect_rc 9
	expect_err "the token is full"
	expect_err "deleting the [1-9] object(s) already written"
	[ "$(count_objects privkey)" -eq 0 ] || fail "a half-imported key stayed"
	[ "$(count_objects pubkey)" -eq 0 ] || fail "a half-imported public key stayed"
	[ "$(count_objects cert)" -eq 0 ] || fail "a half-imported certificate stayed"
	kt info --json
	json 'j["memory"]["free"] == j["memory"]["total"]'
}

test_import_puts_a_sensitive_key_beside_its_certificate() {
	start_sim
	export PW=pw
	p12 "$WORK/k.p12" pw Dana 0 365
	kt import "$WORK/k.p12" --pin-env UPIN --password-env PW
	expect_rc 0
	expect_out "1 chain certificate"
	kt import "$WORK/k.p12" --pin-env UPIN --password-env PW
	expect_rc 1
	expect_err "already on the token"
	$PY - "$KZT_MODULE" <<'PYEOF' || fail "the imported key's attributes are wrong"
import sys, PyKCS11
from PyKCS11.LowLevel import *
lib = PyKCS11.PyKCS11Lib(); lib.load(sys.argv[1])
s = lib.openSession(lib.getSlotList(tokenPresent=True)[0]); s.login("12345678")
k = s.findObjects([(CKA_CLASS, CKO_PRIVATE_KEY)]); c = s.findObjects([(CKA_CLASS, CKO_CERTIFICATE), (CKA_LABEL, "Dana")])
assert len(k) == 1 and len(c) == 1
sens, extr, kid = s.getAttributeValue(k[0], [CKA_SENSITIVE, CKA_EXTRACTABLE, CKA_ID])
(cid,) = s.getAttributeValue(c[0], [CKA_ID])
assert sens and not extr and bytes(kid) == bytes(cid) and len(kid) == 20, (sens, extr, kid, cid)
PYEOF
}

# A renewed certificate for the same key: both stay listed, deleting the expired one
# keeps the key pair the new one needs.
test_a_renewed_certificate_keeps_its_key_when_the_old_one_is_deleted() {
	start_sim
	kt keygen --label Renew --csr "$WORK/r.csr" --subject "/CN=Renewed/C=KZ" --pin-env UPIN
	expect_rc 0
	openssl req -x509 -newkey rsa:2048 -nodes -keyout "$WORK/ca.key" -out "$WORK/ca.pem" -subj /CN=CA \
		-days 2 2>/dev/null
	p12 --issue "$WORK/r.csr" "$WORK/ca.key" "$WORK/ca.pem" "$WORK/old.pem" -400 -1
	p12 --issue "$WORK/r.csr" "$WORK/ca.key" "$WORK/ca.pem" "$WORK/new.pem" -1 365
	kt import "$WORK/old.pem" --pin-env UPIN
	expect_rc 0
	kt import "$WORK/new.pem" --pin-env UPIN
	expect_rc 0
	kt import "$WORK/new.pem" --pin-env UPIN
	expect_rc 1
	expect_err "already on the token"
	kt certs --pin-env UPIN --json
	json 'len(j["certificates"]) == 2 and j["certificates"][0]["expired"] and not j["certificates"][1]["expired"]
	      and j["certificates"][0]["id"] == j["certificates"][1]["id"]'
	kt certs delete --expired --pin-env UPIN --yes
	expect_rc 0
	expect_err "stays: another certificate"
	[ "$(count_objects privkey)" -eq 1 ] || fail "the renewed certificate lost its key"
	[ "$(count_objects cert)" -eq 1 ] || fail "the expired certificate stayed"
	echo doc >"$WORK/d"
	kt sign "$WORK/d" --cms --pin-env UPIN
	expect_rc 0
	kt verify "$WORK/d" "$WORK/d.p7s" --cms --ca-file "$WORK/ca.pem"
	expect_rc 0
}

test_keygen_makes_a_key_on_the_card_and_a_csr_openssl_accepts() {
	start_sim
	kt keygen --label Work --bits 2048 --csr "$WORK/r.csr" --subject "/CN=Айгерім Сапарова/O=TOO Test/C=KZ" \
		--pin-env UPIN
	expect_rc 0
	expect_err "Generating a 2048-bit RSA key on the token"
	expect_err "Done in"
	openssl req -verify -in "$WORK/r.csr" -noout 2>&1 | grep -q "verify OK" || fail "openssl rejects the CSR"
	openssl req -in "$WORK/r.csr" -noout -subject -nameopt utf8 | grep -q "Айгерім Сапарова" ||
		fail "the CSR's subject is wrong"
	kt keygen --label Work --csr "$WORK/r.csr" --subject "no equals sign" --pin-env UPIN
	expect_rc 2
	kt keygen --label Work --bits 1024 --pin-env UPIN
	expect_rc 2
	# the key stays on the card
	$PY - "$KZT_MODULE" <<'PYEOF' || fail "the generated key is not a card key"
import sys, PyKCS11
from PyKCS11.LowLevel import *
lib = PyKCS11.PyKCS11Lib(); lib.load(sys.argv[1])
s = lib.openSession(lib.getSlotList(tokenPresent=True)[0]); s.login("12345678")
(k,) = s.findObjects([(CKA_CLASS, CKO_PRIVATE_KEY), (CKA_LABEL, "Work")])
assert s.getAttributeValue(k, [CKA_LOCAL, CKA_SENSITIVE, CKA_EXTRACTABLE]) == [True, True, False]
PYEOF
}

# keygen --type: each kind of key made on the card with a request OpenSSL verifies
# (the GOST ones with its gost engine), naming the key's curve and the signature
# algorithm that goes with it; a tampered request fails; the raw signatures of a
# document verify, the GOST-512 one in gost-engine too.
test_keygen_makes_ec_and_gost_keys_with_requests_openssl_verifies() {
	local t engine sig_alg key_alg id
	start_sim
	printf 'Салық декларациясы 2026' >"$WORK/doc.txt"
	for t in ec-p256 ec-p384 gost256 gost512; do
		engine=()
		case $t in
		ec-p256) key_alg="ASN1 OID: prime256v1"; sig_alg="ecdsa-with-SHA256" ;;
		ec-p384) key_alg="ASN1 OID: secp384r1"; sig_alg="ecdsa-with-SHA384" ;;
		gost256) key_alg="GOST R 34.10-2012 with 256 bit modulus"
			 sig_alg="GOST R 34.10-2012 with GOST R 34.11-2012 (256 bit)"; engine=(-engine gost) ;;
		gost512) key_alg="GOST R 34.10-2012 with 512 bit modulus"
			 sig_alg="GOST R 34.10-2012 with GOST R 34.11-2012 (512 bit)"; engine=(-engine gost) ;;
		esac
		kt keygen --type "$t" --label "$t" --csr "$WORK/$t.csr" --subject "/CN=Бекзат $t/O=ЖШС Тест/C=KZ" \
			--pin-env UPIN
		expect_rc 0
		expect_err "Generating a .* key on the token"
		openssl req "${engine[@]}" -verify -in "$WORK/$t.csr" -noout >"$WORK/v" 2>&1 ||
			fail "OpenSSL rejects the $t request: $(cat "$WORK/v")"
		grep -q "verify OK" "$WORK/v" || fail "OpenSSL did not verify the $t request: $(cat "$WORK/v")"
		openssl req "${engine[@]}" -in "$WORK/$t.csr" -noout -text >"$WORK/text" 2>/dev/null
		grep -q "Signature Algorithm: $sig_alg" "$WORK/text" || fail "$t: not signed with $sig_alg: $(cat "$WORK/text")"
		grep -q "$key_alg" "$WORK/text" || fail "$t: the key is not '$key_alg': $(cat "$WORK/text")"
		# the same request with one bit of its signature changed
		openssl req "${engine[@]}" -in "$WORK/$t.csr" -outform DER -out "$WORK/$t.der" 2>/dev/null
		$PY -c 'import sys; b = bytearray(open(sys.argv[1], "rb").read()); b[-1] ^= 1; open(sys.argv[1], "wb").write(b)' \
			"$WORK/$t.der"
		! openssl req "${engine[@]}" -inform DER -verify -in "$WORK/$t.der" -noout 2>/dev/null | grep -q "verify OK" ||
			fail "OpenSSL accepts a tampered $t request"
		# a raw signature of a document, checked through the module
		id=$(sed -n 's/^Key pair made on the token, ID //p' "$WORK/out")
		kt sign "$WORK/doc.txt" --key "$id" --out "$WORK/$t.sig" --pin-env UPIN
		expect_rc 0
		kt verify "$WORK/doc.txt" "$WORK/$t.sig" --key "$id"
		expect_rc 0
		kt verify "$KZT_SRC/README.md" "$WORK/$t.sig" --key "$id"
		expect_rc 10
		kt sign "$WORK/doc.txt" --key "$id" --cms --out "$WORK/$t.p7s" --pin-env UPIN
		expect_rc 2
		expect_err "a CMS signature needs an RSA key"
		[ ! -e "$WORK/$t.p7s" ] || fail "a refused CMS signature left $t.p7s behind"
	done
	# certificates issued for the EC and GOST requests go beside their keys, and the
	# module reads their fields (subject, issuer, serial, validity) as for RSA
	openssl req -x509 -newkey rsa:2048 -nodes -keyout "$WORK/ca.key" -out "$WORK/ca.pem" -subj /CN=LocalCA \
		-days 2 2>/dev/null
	for t in ec-p384 gost512; do
		openssl x509 -engine gost -req -in "$WORK/$t.csr" -CA "$WORK/ca.pem" -CAkey "$WORK/ca.key" \
			-CAcreateserial -days 1 -outform DER -out "$WORK/$t.cer" 2>/dev/null || fail "no $t certificate"
		kt import "$WORK/$t.cer" --pin-env UPIN
		expect_rc 0
		expect_out "Imported the certificate for key"
	done
	$PY - "$KZT_MODULE" "$WORK/ec-p384.cer" "$WORK/gost512.cer" <<'PYEOF' || fail "the module's certificate fields are wrong"
import sys, PyKCS11
from PyKCS11.LowLevel import *
from cryptography import x509
lib = PyKCS11.PyKCS11Lib(); lib.load(sys.argv[1])
s = lib.openSession(lib.getSlotList(tokenPresent=True)[0]); s.login("12345678")
for path, label in ((sys.argv[2], "ec-p384"), (sys.argv[3], "gost512")):
    der = open(path, "rb").read()
    c = x509.load_der_x509_certificate(der)
    (o,) = s.findObjects([(CKA_CLASS, CKO_CERTIFICATE), (CKA_VALUE, der)])
    subj, iss, serial, cid, start, end = s.getAttributeValue(
        o, [CKA_SUBJECT, CKA_ISSUER, CKA_SERIAL_NUMBER, CKA_ID, CKA_START_DATE, CKA_END_DATE])
    assert bytes(subj) == c.subject.public_bytes(), label
    assert bytes(iss) == c.issuer.public_bytes(), label
    assert int.from_bytes(bytes(serial)[2:], "big") == c.serial_number, label
    assert "".join(map(chr, start)) == c.not_valid_before.strftime("%Y%m%d"), label
    assert "".join(map(chr, end)) == c.not_valid_after.strftime("%Y%m%d"), label
    (k,) = s.findObjects([(CKA_CLASS, CKO_PRIVATE_KEY), (CKA_LABEL, label)])
    assert bytes(s.getAttributeValue(k, [CKA_ID])[0]) == bytes(cid), label
PYEOF
	# the GOST-512 signature is gost-engine's to check too (s || r, Streebog-512)
	openssl req -engine gost -in "$WORK/gost512.csr" -pubkey -noout -out "$WORK/gost512.pub" 2>/dev/null ||
		fail "gost-engine does not read the request's key"
	openssl dgst -engine gost -md_gost12_512 -verify "$WORK/gost512.pub" -signature "$WORK/gost512.sig" \
		"$WORK/doc.txt" >"$WORK/v" 2>&1 || fail "gost-engine rejects the document's signature: $(cat "$WORK/v")"
	kt keygen --type ec-p521 --label x --pin-env UPIN
	expect_rc 2
	kt keygen --type ec-p256 --bits 2048 --label x --pin-env UPIN
	expect_rc 2
}

# Sign with a key the tool made, certified by a local CA: openssl checks both forms.
test_sign_and_verify_raw_and_cms_signatures_that_openssl_accepts() {
	start_sim
	kt keygen --label Doc --csr "$WORK/r.csr" --subject "/CN=Signer/C=KZ" --pin-env UPIN
	expect_rc 0
	openssl req -x509 -newkey rsa:2048 -nodes -keyout "$WORK/ca.key" -out "$WORK/ca.pem" -subj /CN=LocalCA \
		-days 2 2>/dev/null
	openssl x509 -req -in "$WORK/r.csr" -CA "$WORK/ca.pem" -CAkey "$WORK/ca.key" -CAcreateserial \
		-out "$WORK/me.pem" -days 1 2>/dev/null
	kt sign "$KZT_SRC/README.md" --out "$WORK/doc.p7s" --cms --pin-env UPIN
	expect_rc 1
	expect_err "needs the key's certificate"
	kt import "$WORK/me.pem" --pin-env UPIN
	expect_rc 0
	cp "$KZT_SRC/README.md" "$WORK/doc.txt"
	kt sign "$WORK/doc.txt" --pin-env UPIN
	expect_rc 0
	[ -s "$WORK/doc.txt.sig" ] || fail "no signature written"
	openssl x509 -in "$WORK/me.pem" -pubkey -noout >"$WORK/pub.pem"
	openssl dgst -sha256 -verify "$WORK/pub.pem" -signature "$WORK/doc.txt.sig" "$WORK/doc.txt" | grep -q OK ||
		fail "openssl dgst rejects the signature"
	kt verify "$WORK/doc.txt" "$WORK/doc.txt.sig"
	expect_rc 0
	expect_out "Signature valid"
	kt sign "$WORK/doc.txt" --cms --pin-env UPIN
	expect_rc 0
	openssl cms -verify -binary -inform DER -in "$WORK/doc.txt.p7s" -content "$WORK/doc.txt" \
		-CAfile "$WORK/ca.pem" -out /dev/null 2>&1 | grep -q "Verification successful" ||
		fail "openssl cms rejects the signature"
	kt verify "$WORK/doc.txt" "$WORK/doc.txt.p7s" --cms
	expect_rc 0
	expect_out "CN=Signer"
	expect_err "was not checked: give --ca-file"
	kt verify "$WORK/doc.txt" "$WORK/doc.txt.p7s" --cms --ca-file "$WORK/ca.pem"
	expect_rc 0
	! grep -q "was not checked" "$WORK/err" || fail "a checked signer was called unchecked"
	openssl req -x509 -newkey rsa:2048 -nodes -keyout "$WORK/other.key" -out "$WORK/other.pem" \
		-subj /CN=OtherCA -days 2 2>/dev/null
	kt verify "$WORK/doc.txt" "$WORK/doc.txt.p7s" --cms --ca-file "$WORK/other.pem"
	expect_rc 10
	# the output never replaces the input; a directory is no document
	kt sign "$WORK/doc.txt" --out "$WORK/./doc.txt" --pin-env UPIN
	expect_rc 2
	cmp -s "$WORK/doc.txt" "$KZT_SRC/README.md" || fail "the document was overwritten"
	kt sign "$WORK" --pin-env UPIN
	expect_rc 8
	# a changed document: both forms say so
	echo "one more line" >>"$WORK/doc.txt"
	kt verify "$WORK/doc.txt" "$WORK/doc.txt.sig"
	expect_rc 10
	kt verify "$WORK/doc.txt" "$WORK/doc.txt.p7s" --cms
	expect_rc 10
	kt verify "$WORK/doc.txt" "$WORK/doc.txt" --cms
	expect_rc 8
	# two keys: the tool asks which
	kt keygen --label Second --pin-env UPIN
	kt sign "$WORK/doc.txt" --pin-env UPIN
	expect_rc 2
	expect_err "choose one with --key"
	id=$("$KZT_TOOL" certs --json --no-login | $PY -c 'import json,sys; print(json.load(sys.stdin)["certificates"][0]["id"])')
	kt sign "$WORK/doc.txt" --key "$id" --pin-env UPIN
	expect_rc 0
	kt verify "$WORK/doc.txt" "$WORK/doc.txt.sig" --key "$id"
	expect_rc 0
}

test_messages_come_in_russian_and_kazakh() {
	local loc=$WORK/locales lang
	# every message of the sources has both translations
	xgettext --keyword=_ --keyword=N_ --from-code=UTF-8 -o "$WORK/kt.pot" "$KZT_SRC"/tools/kaztoken-tool/*.c ||
		fail "xgettext failed"
	for lang in ru kk; do
		msgcmp "$KZT_SRC/tools/kaztoken-tool/po/$lang.po" "$WORK/kt.pot" 2>"$WORK/msgcmp" ||
			fail "po/$lang.po lacks messages: $(head -20 "$WORK/msgcmp")"
	done
	mkdir -p "$loc"
	localedef -i ru_RU -f UTF-8 "$loc/ru_RU.UTF-8" 2>/dev/null || fail "localedef cannot make ru_RU.UTF-8"
	localedef -i kk_KZ -f UTF-8 "$loc/kk_KZ.UTF-8" 2>/dev/null || fail "localedef cannot make kk_KZ.UTF-8"
	export LOCPATH=$loc
	LANGUAGE= LC_ALL= LANG=ru_RU.UTF-8 kt list
	expect_rc 3
	expect_err "не подключён ни один KAZTOKEN"
	LANGUAGE= LC_ALL=kk_KZ.UTF-8 kt list
	expect_rc 3
	expect_err "бірде-бір KAZTOKEN қосылмаған"
	start_sim
	LANGUAGE= LC_ALL= LC_MESSAGES=ru_RU.UTF-8 LANG=C kt info
	expect_out "Серийный номер:"
	expect_err "ПИН-код пользователя — заводской"
	LANGUAGE=kk LC_ALL=kk_KZ.UTF-8 kt info
	expect_out "Сериялық нөмір:"
	LC_ALL=kk_KZ.UTF-8 kt list
	expect_out "KAZTOKEN <белгісі жоқ>"
	LC_ALL=C kt info
	expect_out "Serial:"
}

test_two_tokens_need_choosing_with_token_or_serial() {
	# pcscd: the running one, or one started here and stopped at the end (by PID)
	PCSCD_PID=
	if ! pgrep -x pcscd >/dev/null; then
		[ -e /etc/reader.conf.d/vpcd ] || fail "vsmartcard-vpcd is not installed"
		pcscd -f >/dev/null 2>&1 &
		PCSCD_PID=$!
		for _ in $(seq 100); do [ -S /run/pcscd/pcscd.comm ] && break; sleep 0.05; done
		sleep 0.5
	fi
	"$KZT_SIM" --store "$WORK/a.kzt" --vpcd 35963 2>/dev/null &
	SIM_A=$!
	"$KZT_SIM" --store "$WORK/b.kzt" --vpcd 35964 2>/dev/null &
	SIM_B=$!
	stop_two() {
		kill "$SIM_A" "$SIM_B" 2>/dev/null || true
		wait "$SIM_A" "$SIM_B" 2>/dev/null || true
		if [ -n "$PCSCD_PID" ]; then kill "$PCSCD_PID"; wait "$PCSCD_PID" 2>/dev/null || true; fi
	}
	trap 'stop_two; cleanup' EXIT
	export KAZTOKEN_READERS=pcsc
	unset KAZTOKEN_SIM_SOCKET
	for _ in $(seq 100); do
		kt list --json
		[ "$RC" -eq 0 ] && $PY -c 'import json,sys; sys.exit(len(json.load(open(sys.argv[1]))["tokens"]) != 2)' \
			"$WORK/out" && break
		sleep 0.2
	done
	json 'len(j["tokens"]) == 2 and [t["index"] for t in j["tokens"]] == [0, 1]'
	serial1=$($PY -c 'import json,sys; print(json.load(open(sys.argv[1]))["tokens"][1]["serial"])' "$WORK/out")
	kt info
	expect_rc 2
	expect_err "2 tokens are connected: choose one with --token N or --serial S"
	kt rename First --token 0 --pin-env UPIN
	expect_rc 0
	kt rename Second --serial "$serial1" --pin-env UPIN
	expect_rc 0
	kt list
	expect_out "^0 .*KAZTOKEN First"
	expect_out "^1 .*KAZTOKEN Second"
	kt info --serial "$serial1" --json
	json 'j["label"] == "Second"'
	kt info --token 2
	expect_rc 3
	kt info --serial 0000000000000000
	expect_rc 3
	expect_err "no connected token has the serial"
}

# On a terminal: PINs asked without echo, a new one twice; the confirmation word.
test_on_a_terminal_pins_are_not_echoed_and_a_new_one_is_asked_twice() {
	start_sim
	RC=0
	$PY "$(dirname "$0")/tool_tty.py" "Current user PIN:" 12345678 "New user PIN:" Tty7Pin9x \
		"Again, to confirm:" Tty7Pin9x -- "$KZT_TOOL" change-pin --user >"$WORK/tty" 2>&1 || RC=$?
	[ "$RC" -eq 0 ] || fail "change-pin on a terminal exited $RC: $(cat "$WORK/tty")"
	grep -q "The user PIN was changed" "$WORK/tty" || fail "no success: $(cat "$WORK/tty")"
	! grep -q "12345678\|Tty7Pin9x" "$WORK/tty" || fail "a PIN was echoed: $(cat "$WORK/tty")"
	user_login_ok Tty7Pin9x
	RC=0
	$PY "$(dirname "$0")/tool_tty.py" "Type \"yes\" to go on:" yes "Admin PIN:" 87654321 -- \
		"$KZT_TOOL" format --label Tty >"$WORK/tty" 2>&1 || RC=$?
	[ "$RC" -eq 0 ] || fail "format on a terminal exited $RC: $(cat "$WORK/tty")"
	grep -q "yes" "$WORK/tty" || fail "the confirmation was not echoed"
	! grep -q "Admin PIN: .*87654321" "$WORK/tty" || fail "the admin PIN was echoed"
	# Ctrl-C at a PIN prompt: the tool dies of it, and the terminal echoes again
	RC=0
	$PY "$(dirname "$0")/tool_tty.py" "User PIN:" "^C" -- "$KZT_TOOL" keygen --label x >"$WORK/tty" 2>&1 || RC=$?
	grep -q "^tool_tty: echo on" "$WORK/tty" || fail "Ctrl-C left the terminal silent: $(cat "$WORK/tty")"
	[ "$RC" -eq 130 ] || fail "Ctrl-C did not end the tool as SIGINT does ($RC)"
}

# A slow token (the simulator takes 3 s): a spinner with the elapsed time, no time limit.
test_a_slow_key_generation_shows_a_spinner_and_the_time() {
	"$KZT_SIM" --store "$STORE" --socket "$KAZTOKEN_SIM_SOCKET" --delay-keygen 3 2>>"$WORK/sim.log" &
	SIM_PID=$!
	for _ in $(seq 200); do [ -S "$KAZTOKEN_SIM_SOCKET" ] && break; sleep 0.05; done
	RC=0
	$PY "$(dirname "$0")/tool_tty.py" "User PIN:" 12345678 -- "$KZT_TOOL" keygen --label Slow \
		>"$WORK/tty" 2>&1 || RC=$?
	[ "$RC" -eq 0 ] || fail "keygen exited $RC: $(cat "$WORK/tty")"
	grep -q "this can take minutes" "$WORK/tty" || fail "no notice: $(cat "$WORK/tty")"
	grep -qa $'\r[-|/\\] 2 s' "$WORK/tty" || fail "no spinner with the time: $(cat -v "$WORK/tty")"
	grep -q "Done in [3-9]\.[0-9] s" "$WORK/tty" || fail "no closing time: $(cat "$WORK/tty")"
	# without a terminal: no spinner, the same result
	kt keygen --label Slow2 --pin-env UPIN
	expect_rc 0
	! grep -qa $'\r' "$WORK/err" || fail "a spinner without a terminal"
}

test_bash_completion_offers_commands_and_options() {
	bash -c '
		source "$1"
		COMP_WORDS=(kaztoken-tool ch); COMP_CWORD=1; _kaztoken_tool
		[ "${COMPREPLY[*]}" = change-pin ] || { echo "commands: ${COMPREPLY[*]}"; exit 1; }
		COMP_WORDS=(kaztoken-tool format --user-pin-changer a); COMP_CWORD=3; _kaztoken_tool
		[ "${COMPREPLY[*]}" = admin ] || { echo "values: ${COMPREPLY[*]}"; exit 1; }
		COMP_WORDS=(kaztoken-tool change-pin --ad); COMP_CWORD=2; _kaztoken_tool
		[ "${COMPREPLY[*]}" = --admin ] || { echo "options: ${COMPREPLY[*]}"; exit 1; }
	' _ "$KZT_SRC/tools/kaztoken-tool/kaztoken-tool.bash-completion" || fail "completion is wrong"
	# every command of the tool is in the completion and in the man page
	for c in list info change-pin unblock rename format certs import keygen sign verify; do
		grep -q "$c" "$KZT_SRC/tools/kaztoken-tool/kaztoken-tool.bash-completion" || fail "completion lacks $c"
		grep -q "^\.SS $c" "$KZT_SRC/tools/kaztoken-tool/kaztoken-tool.1" || fail "the man page lacks $c"
	done
}

"test_$1"
