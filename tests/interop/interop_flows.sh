#!/usr/bin/env bash
# Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
# Applications users run, against the virtual token through the built module: NSS
# (what Firefox and Chromium use inside), GnuTLS through p11-kit, OpenSSL 3 through
# the libp11 engine and pkcs11-provider, p11-kit remoting, OpenSSH, Java SunPKCS11,
# and Firefox ESR and Chromium themselves. One test
# per function; ctest runs each by name. Needs KZT_MODULE, KZT_SIM, KZT_TOOL.
source "$(dirname "$0")/../integration/lib.sh"
: "${KZT_TOOL:?set KZT_TOOL to kaztoken-tool}"
export KAZTOKEN_MODULE=$KZT_MODULE
export PIN=Qw7rT9zx # the user's own PIN (a default one keeps some clients from logging in)

# A personalised token: a key made on it, certified by a throw-away local CA for
# client authentication, the certificate installed beside it; the PIN changed.
personalise() {
	start_sim
	UPIN=12345678 "$KZT_TOOL" change-pin --user --pin-env UPIN --new-pin-env PIN >/dev/null ||
		fail "change-pin failed"
	"$KZT_TOOL" rename Interop --pin-env PIN >/dev/null || fail "rename failed"
	"$KZT_TOOL" keygen --label client --csr "$WORK/client.csr" --subject "/CN=Aidos Client/O=Interop/C=KZ" \
		--pin-env PIN >/dev/null 2>&1 || fail "keygen failed"
	openssl req -x509 -newkey rsa:2048 -nodes -keyout "$WORK/ca.key" -out "$WORK/ca.pem" \
		-subj "/CN=Interop Test CA" -days 2 2>/dev/null
	printf 'basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=clientAuth,emailProtection\n' \
		>"$WORK/client.ext"
	openssl x509 -req -in "$WORK/client.csr" -CA "$WORK/ca.pem" -CAkey "$WORK/ca.key" -CAcreateserial \
		-days 1 -extfile "$WORK/client.ext" -out "$WORK/client.pem" 2>/dev/null
	"$KZT_TOOL" import "$WORK/client.pem" --pin-env PIN >/dev/null || fail "import failed"
	# a server certificate from the same CA (an end-entity one)
	openssl req -new -newkey rsa:2048 -nodes -keyout "$WORK/server.key" -out "$WORK/server.csr" \
		-subj "/CN=127.0.0.1" 2>/dev/null
	printf 'basicConstraints=CA:FALSE\nsubjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n' >"$WORK/server.ext"
	openssl x509 -req -in "$WORK/server.csr" -CA "$WORK/ca.pem" -CAkey "$WORK/ca.key" -CAcreateserial \
		-days 1 -extfile "$WORK/server.ext" -out "$WORK/server.pem" 2>/dev/null
	echo "$PIN" >"$WORK/pinfile"
}

# A free TCP port on 127.0.0.1.
free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# openssl s_server requiring a client certificate from the test CA, in the
# background; its output in $WORK/server.out.
SERVER_PID=
start_tls_server() {
	PORT=$(free_port)
	openssl s_server -accept "127.0.0.1:$PORT" -cert "$WORK/server.pem" -key "$WORK/server.key" \
		-CAfile "$WORK/ca.pem" -Verify 1 -verify_return_error -naccept 1 -www >"$WORK/server.out" 2>&1 &
	SERVER_PID=$!
	for _ in $(seq 100); do grep -q "^ACCEPT" "$WORK/server.out" 2>/dev/null && return 0; sleep 0.05; done
	fail "s_server did not start: $(cat "$WORK/server.out")"
}
stop_tls_server() {
	if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
	SERVER_PID=
}

nss_db() {
	mkdir -p "$WORK/nss"
	certutil -N -d "sql:$WORK/nss" --empty-password || fail "certutil -N failed"
	echo | modutil -dbdir "sql:$WORK/nss" -add KAZTOKEN -libfile "$KZT_MODULE" -force >"$WORK/out" 2>&1 ||
		fail "modutil -add: $(cat "$WORK/out")"
	modutil -dbdir "sql:$WORK/nss" -list >"$WORK/out" 2>&1
	grep -q "token: Interop" "$WORK/out" || fail "NSS does not see the token: $(cat "$WORK/out")"
	certutil -A -d "sql:$WORK/nss" -n ca -t "C,C,C" -i "$WORK/ca.pem" || fail "certutil -A failed"
}

test_nss_lists_the_certificates_and_makes_a_cms_signature_openssl_accepts() {
	personalise
	nss_db
	certutil -L -d "sql:$WORK/nss" -h all -f "$WORK/pinfile" >"$WORK/out" 2>&1 || fail "certutil -L: $(cat "$WORK/out")"
	grep -q "Interop:client" "$WORK/out" || fail "certutil -L lacks the token's certificate: $(cat "$WORK/out")"
	echo "a contract" >"$WORK/doc"
	cmsutil -S -N "Interop:client" -d "sql:$WORK/nss" -p "$PIN" -i "$WORK/doc" -o "$WORK/doc.p7m" >"$WORK/out" 2>&1 ||
		fail "cmsutil -S: $(cat "$WORK/out")"
	openssl cms -verify -inform DER -in "$WORK/doc.p7m" -CAfile "$WORK/ca.pem" -out "$WORK/doc.out" 2>"$WORK/out" ||
		fail "openssl refuses NSS's CMS signature: $(cat "$WORK/out")"
	cmp -s "$WORK/doc" "$WORK/doc.out" || fail "the signed content differs"
}

test_nss_generates_a_key_on_the_token_named_by_its_label() {
	personalise
	nss_db
	head -c 64 /dev/urandom >"$WORK/noise"
	certutil -G -d "sql:$WORK/nss" -h Interop -f "$WORK/pinfile" -k rsa -g 2048 -z "$WORK/noise" >"$WORK/out" 2>&1 ||
		fail "certutil -G: $(cat "$WORK/out")"
	expect_ok --login --pin "$PIN" --list-objects --type privkey
	[ "$(grep -c '^Private Key Object' "$WORK/out")" -eq 2 ] || fail "no second key on the token: $(cat "$WORK/out")"
}

# tstclnt_gets NICKNAME VERSION: a page from a fresh s_server over TLS VERSION
# (tls1.2, tls1.3), the client authenticating with the token's NICKNAME; its
# output in $WORK/out. (tstclnt does not end by itself after the reply: it is
# stopped once the reply came.)
tstclnt_gets() {
	start_tls_server
	printf 'GET / HTTP/1.0\r\n\r\n' | tstclnt -h 127.0.0.1 -p "$PORT" -d "sql:$WORK/nss" -n "$1" \
		-w "$PIN" -V "$2:$2" >"$WORK/out" 2>&1 &
	local client=$!
	for _ in $(seq 400); do grep -q "^HTTP/1.0 200 ok" "$WORK/out" && break; sleep 0.05; done
	kill "$client" 2>/dev/null || true
	wait "$client" 2>/dev/null || true
	stop_tls_server
}

test_nss_tstclnt_authenticates_with_the_token_key_over_tls12_and_tls13() {
	personalise
	nss_db
	local v
	for v in tls1.2 tls1.3; do
		tstclnt_gets Interop:client "$v"
		grep -q "^HTTP/1.0 200 ok" "$WORK/out" || fail "no reply over $v: $(cat "$WORK/out")"
		grep -q "Protocol version: ${v/tls/TLSv}\|Protocol  *: ${v/tls/TLSv}" "$WORK/out" ||
			grep -qi "${v/tls/TLS }" "$WORK/out" || fail "not $v: $(cat "$WORK/out")"
		grep -q "Aidos Client" "$WORK/out" ||
			fail "the server did not see the token's certificate over $v: $(cat "$WORK/out")"
	done
}

# TLS 1.3 client authentication with a P-256 key made on the token: its
# certificate (the CA's, for the token's public key) stored beside it, NSS's
# tstclnt signs the handshake with it.
test_nss_tstclnt_authenticates_with_a_p256_key_over_tls13() {
	local point
	personalise
	expect_ok --login --pin "$PIN" --keypairgen --key-type EC:prime256v1 --id 52 --label ecclient
	expect_ok --list-objects --type pubkey
	point=$(listed_hex EC_POINT 52)
	spki_pem 1.2.840.10045.2.1 1.2.840.10045.3.1.7 "${point:4}" "$WORK/ecpub.pem"
	# (the request's own key is a throw-away: the certificate carries the token's)
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$WORK/throw.key" \
		-subj "/CN=Aidos EC Client/O=Interop/C=KZ" -out "$WORK/ec.csr" 2>/dev/null
	openssl x509 -req -in "$WORK/ec.csr" -force_pubkey "$WORK/ecpub.pem" -CA "$WORK/ca.pem" \
		-CAkey "$WORK/ca.key" -CAcreateserial -days 1 -extfile "$WORK/client.ext" -outform DER \
		-out "$WORK/ecclient.der" 2>/dev/null || fail "the CA did not issue the EC certificate"
	expect_ok --login --pin "$PIN" --write-object "$WORK/ecclient.der" --type cert --id 52 --label ecclient
	nss_db
	tstclnt_gets Interop:ecclient tls1.3
	grep -q "^HTTP/1.0 200 ok" "$WORK/out" || fail "no reply: $(cat "$WORK/out")"
	grep -qi "TLS 1.3\|TLSv1.3" "$WORK/out" || fail "not TLS 1.3: $(cat "$WORK/out")"
	grep -q "Aidos EC Client" "$WORK/out" || fail "the server did not see the EC certificate: $(cat "$WORK/out")"
	# (the server's page says how the client signed)
	grep -q "^Peer signature type: ECDSA" "$WORK/out" ||
		fail "the client did not sign with ECDSA: $(cat "$WORK/out")"
}

# p11-kit's module directory holding only a file for the built module, in a private
# mount namespace (the machine stays as it was): GnuTLS finds the module itself.
with_p11kit() {
	mkdir -p "$WORK/p11modules"
	printf 'module: %s\n' "$KZT_MODULE" >"$WORK/p11modules/kaztoken.module"
	unshare -m sh -c 'mount --bind "$1" /usr/share/p11-kit/modules && shift && exec "$@"' _ "$WORK/p11modules" "$@"
}

test_gnutls_finds_the_module_through_p11kit_and_signs_and_authenticates() {
	personalise
	export GNUTLS_PIN=$PIN
	with_p11kit p11tool --list-tokens >"$WORK/out" 2>&1 || fail "p11tool --list-tokens: $(cat "$WORK/out")"
	grep -q "Label: Interop" "$WORK/out" || fail "p11tool does not see the token: $(cat "$WORK/out")"
	url=$(sed -n 's/^[[:space:]]*URL: \(pkcs11:.*token=Interop.*\)$/\1/p' "$WORK/out" | head -1)
	[ -n "$url" ] || fail "no URL for the token: $(cat "$WORK/out")"
	with_p11kit p11tool --list-all-certs "$url" >"$WORK/out" 2>&1 || fail "p11tool --list-all-certs: $(cat "$WORK/out")"
	grep -q "Label: client" "$WORK/out" || fail "p11tool lists no certificate: $(cat "$WORK/out")"
	with_p11kit p11tool --login --list-privkeys "$url" >"$WORK/out" 2>&1 || fail "--list-privkeys: $(cat "$WORK/out")"
	grep -q "Type: Private key" "$WORK/out" || fail "p11tool lists no private key: $(cat "$WORK/out")"
	with_p11kit p11tool --login --test-sign "$url;object=client" >"$WORK/out" 2>&1 ||
		fail "p11tool --test-sign: $(cat "$WORK/out")"
	grep -q "Verifying against public key in the token... ok" "$WORK/out" ||
		fail "--test-sign did not verify: $(cat "$WORK/out")"
	start_tls_server
	echo | with_p11kit gnutls-cli --x509cafile "$WORK/ca.pem" --x509certfile "$url;object=client;type=cert" \
		--x509keyfile "$url;object=client;type=private" -p "$PORT" 127.0.0.1 >"$WORK/out" 2>&1 ||
		fail "gnutls-cli: $(cat "$WORK/out")"
	stop_tls_server
	grep -q "Handshake was completed" "$WORK/out" || fail "no handshake: $(cat "$WORK/out")"
}

# ssh_logs_in_with KEY_TYPE: ssh-keygen -D lists the token's key of KEY_TYPE (ssh-rsa,
# ecdsa-sha2-nistp256, ...); a throw-away sshd on 127.0.0.1 takes only that key for
# this user, and ssh -I logs in with it.
ssh_logs_in_with() {
	ssh-keygen -D "$KZT_MODULE" >"$WORK/keys" 2>"$WORK/err" || fail "ssh-keygen -D: $(cat "$WORK/err")"
	grep "^$1 " "$WORK/keys" >"$WORK/authorized_keys" || fail "ssh-keygen -D lists no $1 key: $(cat "$WORK/keys")"
	local port sshd_pid
	port=$(free_port)
	ssh-keygen -q -t ed25519 -N "" -f "$WORK/host_key"
	chmod 600 "$WORK/authorized_keys"
	cat >"$WORK/sshd_config" <<-CFG
		Port $port
		ListenAddress 127.0.0.1
		HostKey $WORK/host_key
		AuthorizedKeysFile $WORK/authorized_keys
		PasswordAuthentication no
		KbdInteractiveAuthentication no
		PubkeyAuthentication yes
		StrictModes no
		UsePAM no
		LogLevel VERBOSE
		PidFile $WORK/sshd.pid
	CFG
	mkdir -p /run/sshd
	"$(command -v sshd || echo /usr/sbin/sshd)" -D -e -f "$WORK/sshd_config" 2>"$WORK/sshd.log" &
	sshd_pid=$!
	for _ in $(seq 100); do grep -q "Server listening" "$WORK/sshd.log" 2>/dev/null && break; sleep 0.05; done
	printf '#!/bin/sh\necho "$PIN"\n' >"$WORK/askpass"
	chmod +x "$WORK/askpass"
	RC=0
	SSH_ASKPASS=$WORK/askpass SSH_ASKPASS_REQUIRE=force DISPLAY=:0 setsid ssh -I "$KZT_MODULE" -p "$port" \
		-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o PreferredAuthentications=publickey \
		-o BatchMode=no "$(id -un)@127.0.0.1" 'echo logged-in-with-the-token' \
		</dev/null >"$WORK/out" 2>&1 || RC=$?
	kill "$sshd_pid" 2>/dev/null || true
	wait "$sshd_pid" 2>/dev/null || true
	[ "$RC" -eq 0 ] && grep -q "logged-in-with-the-token" "$WORK/out" ||
		fail "ssh -I did not log in ($RC): $(cat "$WORK/out"); sshd: $(tail -5 "$WORK/sshd.log")"
}

test_openssh_lists_the_token_key_and_logs_in_with_it() {
	personalise
	ssh_logs_in_with ssh-rsa
}

test_openssh_logs_in_with_an_ecdsa_key_made_on_the_token() {
	personalise
	expect_ok --login --pin "$PIN" --keypairgen --key-type EC:prime256v1 --id 51 --label "SSH P-256"
	ssh_logs_in_with ecdsa-sha2-nistp256
	grep -q "Accepted publickey .*ECDSA" "$WORK/sshd.log" ||
		fail "sshd did not take the ECDSA key: $(tail -5 "$WORK/sshd.log")"
}

# OpenSSL 3 through the libp11 engine, with RFC 7512 pkcs11: URIs: a CSR, a raw
# signature and a CMS signature by the token key, and TLS client authentication.
test_openssl_engine_signs_and_authenticates_with_pkcs11_uris() {
	personalise
	local engine
	engine=$(openssl version -e | sed -n 's/^ENGINESDIR: "\(.*\)"$/\1/p')/pkcs11.so
	[ -f "$engine" ] || fail "no libp11 engine at $engine (libengine-pkcs11-openssl)"
	cat >"$WORK/openssl.cnf" <<-CNF
		openssl_conf = openssl_init
		[openssl_init]
		engines = engine_section
		[engine_section]
		pkcs11 = pkcs11_section
		[pkcs11_section]
		engine_id = pkcs11
		dynamic_path = $engine
		MODULE_PATH = $KZT_MODULE
		init = 0
		[req]
		distinguished_name = dn
		[dn]
	CNF
	export OPENSSL_CONF=$WORK/openssl.cnf
	local key="pkcs11:token=Interop;object=client;type=private;pin-value=$PIN"
	local e=(-engine pkcs11 -keyform engine)
	openssl req -new "${e[@]}" -key "$key" -subj "/CN=Engine Request/C=KZ" -out "$WORK/e.csr" >"$WORK/out" 2>&1 ||
		fail "openssl req with the engine: $(cat "$WORK/out")"
	openssl req -verify -in "$WORK/e.csr" -noout >"$WORK/out" 2>&1 && grep -q "verify OK" "$WORK/out" ||
		fail "the engine's CSR does not verify: $(cat "$WORK/out")"
	openssl x509 -in "$WORK/client.pem" -pubkey -noout >"$WORK/client.pub"
	echo "a document" >"$WORK/doc"
	openssl dgst -sha256 -binary -out "$WORK/doc.sha256" "$WORK/doc"
	openssl pkeyutl -sign "${e[@]}" -inkey "$key" -pkeyopt digest:sha256 -in "$WORK/doc.sha256" \
		-out "$WORK/doc.sig" >"$WORK/out" 2>&1 || fail "pkeyutl -sign: $(cat "$WORK/out")"
	openssl pkeyutl -verify -pubin -inkey "$WORK/client.pub" -pkeyopt digest:sha256 -in "$WORK/doc.sha256" \
		-sigfile "$WORK/doc.sig" >"$WORK/out" 2>&1 && grep -q "Signature Verified Successfully" "$WORK/out" ||
		fail "the engine's signature does not verify: $(cat "$WORK/out")"
	openssl cms -sign "${e[@]}" -inkey "$key" -signer "$WORK/client.pem" -binary -in "$WORK/doc" -outform DER \
		-out "$WORK/doc.p7s" >"$WORK/out" 2>&1 || fail "cms -sign: $(cat "$WORK/out")"
	openssl cms -verify -binary -inform DER -in "$WORK/doc.p7s" -content "$WORK/doc" -CAfile "$WORK/ca.pem" \
		-out /dev/null >"$WORK/out" 2>&1 ||
		fail "the engine's CMS signature does not verify: $(cat "$WORK/out")"
	start_tls_server
	printf 'GET / HTTP/1.0\r\n\r\n' | openssl s_client "${e[@]}" -key "$key" -cert "$WORK/client.pem" \
		-CAfile "$WORK/ca.pem" -connect "127.0.0.1:$PORT" -quiet >"$WORK/out" 2>&1 || true
	stop_tls_server
	grep -q "Aidos Client" "$WORK/out" || fail "s_client did not authenticate with the token key: $(cat "$WORK/out")"
}

# OpenSSL 3 through its provider pkcs11-provider (Debian's bookworm-backports). It
# refuses to log in while the token says the PIN is to be changed (the factory one
# is in force); after a PIN change: a CSR, raw and CMS signatures, TLS client
# authentication, all with pkcs11: URIs.
test_openssl_provider_refuses_the_factory_pin_then_signs_and_authenticates() {
	local provider
	provider=$(openssl version -m | sed -n 's/^MODULESDIR: "\(.*\)"$/\1/p')/pkcs11.so
	[ -f "$provider" ] || fail "no pkcs11-provider at $provider"
	start_sim
	UPIN=12345678 "$KZT_TOOL" keygen --label client --csr "$WORK/client.csr" --subject "/CN=Aidos Client/C=KZ" \
		--pin-env UPIN >/dev/null 2>&1 || fail "keygen failed"
	UPIN=12345678 "$KZT_TOOL" rename Interop --pin-env UPIN >/dev/null 2>&1 || fail "rename failed"
	cat >"$WORK/openssl.cnf" <<-CNF
		openssl_conf = openssl_init
		[openssl_init]
		providers = provider_sect
		[provider_sect]
		default = default_sect
		pkcs11 = pkcs11_sect
		[default_sect]
		activate = 1
		[pkcs11_sect]
		module = $provider
		pkcs11-module-path = $KZT_MODULE
		activate = 1
		[req]
		distinguished_name = dn
		[dn]
	CNF
	export OPENSSL_CONF=$WORK/openssl.cnf
	echo "a document" >"$WORK/doc"
	openssl dgst -sha256 -binary -out "$WORK/doc.sha256" "$WORK/doc"
	# the factory PIN: refused, with the provider's own words
	local key="pkcs11:token=Interop;object=client;type=private?pin-value=12345678"
	! openssl pkeyutl -sign -inkey "$key" -pkeyopt digest:sha256 -in "$WORK/doc.sha256" -out "$WORK/doc.sig" \
		>"$WORK/out" 2>&1 || fail "the provider signed with the factory PIN in force"
	PKCS11_PROVIDER_DEBUG=file:$WORK/provider.log,level:1 openssl pkeyutl -sign -inkey "$key" \
		-pkeyopt digest:sha256 -in "$WORK/doc.sha256" -out "$WORK/doc.sig" >/dev/null 2>&1 || true
	grep -qi "PIN marked as expired" "$WORK/provider.log" ||
		fail "the provider's refusal is not the expired-PIN one: $(tail -20 "$WORK/provider.log")"
	# the fix the user guide gives: change the PIN
	UPIN=12345678 "$KZT_TOOL" change-pin --user --pin-env UPIN --new-pin-env PIN >/dev/null || fail "change-pin failed"
	key="pkcs11:token=Interop;object=client;type=private?pin-value=$PIN"
	openssl pkeyutl -sign -inkey "$key" -pkeyopt digest:sha256 -in "$WORK/doc.sha256" -out "$WORK/doc.sig" \
		>"$WORK/out" 2>&1 || fail "pkeyutl -sign after the PIN change: $(cat "$WORK/out")"
	openssl req -x509 -newkey rsa:2048 -nodes -keyout "$WORK/ca.key" -out "$WORK/ca.pem" -subj "/CN=Interop Test CA" \
		-days 2 2>/dev/null
	printf 'basicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=clientAuth,emailProtection\n' \
		>"$WORK/client.ext"
	openssl x509 -req -in "$WORK/client.csr" -CA "$WORK/ca.pem" -CAkey "$WORK/ca.key" -CAcreateserial -days 1 \
		-extfile "$WORK/client.ext" -out "$WORK/client.pem" 2>/dev/null
	openssl x509 -in "$WORK/client.pem" -pubkey -noout >"$WORK/client.pub"
	openssl pkeyutl -verify -pubin -inkey "$WORK/client.pub" -pkeyopt digest:sha256 -in "$WORK/doc.sha256" \
		-sigfile "$WORK/doc.sig" >"$WORK/out" 2>&1 || fail "the provider's signature does not verify: $(cat "$WORK/out")"
	openssl req -new -key "$key" -subj "/CN=Provider Request/C=KZ" -out "$WORK/p.csr" >"$WORK/out" 2>&1 ||
		fail "openssl req with the provider: $(cat "$WORK/out")"
	openssl req -verify -in "$WORK/p.csr" -noout >"$WORK/out" 2>&1 && grep -q "verify OK" "$WORK/out" ||
		fail "the provider's CSR does not verify: $(cat "$WORK/out")"
	openssl cms -sign -inkey "$key" -signer "$WORK/client.pem" -binary -in "$WORK/doc" -outform DER \
		-out "$WORK/doc.p7s" >"$WORK/out" 2>&1 || fail "cms -sign with the provider: $(cat "$WORK/out")"
	openssl cms -verify -binary -inform DER -in "$WORK/doc.p7s" -content "$WORK/doc" -CAfile "$WORK/ca.pem" \
		-out /dev/null >"$WORK/out" 2>&1 || fail "the provider's CMS signature does not verify: $(cat "$WORK/out")"
	# a server certificate, then s_client with the token key
	openssl req -new -newkey rsa:2048 -nodes -keyout "$WORK/server.key" -out "$WORK/server.csr" -subj "/CN=127.0.0.1" \
		2>/dev/null
	printf 'basicConstraints=CA:FALSE\nsubjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n' >"$WORK/server.ext"
	openssl x509 -req -in "$WORK/server.csr" -CA "$WORK/ca.pem" -CAkey "$WORK/ca.key" -CAcreateserial -days 1 \
		-extfile "$WORK/server.ext" -out "$WORK/server.pem" 2>/dev/null
	start_tls_server
	printf 'GET / HTTP/1.0\r\n\r\n' | openssl s_client -key "$key" -cert "$WORK/client.pem" -CAfile "$WORK/ca.pem" \
		-connect "127.0.0.1:$PORT" -quiet >"$WORK/out" 2>&1 || true
	stop_tls_server
	grep -q "Aidos Client" "$WORK/out" || fail "s_client did not authenticate with the token key: $(cat "$WORK/out")"
}

# p11-kit remoting, as a container or a VM uses a token plugged into its host: p11-kit
# server exports the token on a unix socket, and a process that loads only
# p11-kit-client.so signs with it.
test_p11kit_server_exports_the_token_to_a_client_that_signs() {
	personalise
	local client=/usr/lib/$(dpkg-architecture -qDEB_HOST_MULTIARCH)/pkcs11/p11-kit-client.so server_pid
	[ -f "$client" ] || fail "no $client (p11-kit-modules)"
	p11-kit server -f --provider "$KZT_MODULE" -n "$WORK/p11kit.sock" "pkcs11:token=Interop" \
		>"$WORK/server.env" 2>"$WORK/server.err" &
	server_pid=$!
	for _ in $(seq 100); do [ -S "$WORK/p11kit.sock" ] && break; sleep 0.05; done
	[ -S "$WORK/p11kit.sock" ] || fail "p11-kit server did not start: $(cat "$WORK/server.err")"
	export P11_KIT_SERVER_ADDRESS=unix:path=$WORK/p11kit.sock
	echo "a document" >"$WORK/doc"
	RC=0
	pkcs11-tool --module "$client" --list-token-slots >"$WORK/out" 2>&1 || RC=$?
	grep -q "token label *: Interop" "$WORK/out" || fail "the client does not see the token ($RC): $(cat "$WORK/out")"
	pkcs11-tool --module "$client" --login --pin "$PIN" --sign --label client -m SHA256-RSA-PKCS \
		-i "$WORK/doc" -o "$WORK/doc.sig" >"$WORK/out" 2>&1 || fail "signing through the client: $(cat "$WORK/out")"
	kill "$server_pid" 2>/dev/null || true
	wait "$server_pid" 2>/dev/null || true
	unset P11_KIT_SERVER_ADDRESS
	openssl x509 -in "$WORK/client.pem" -pubkey -noout >"$WORK/client.pub"
	openssl dgst -sha256 -verify "$WORK/client.pub" -signature "$WORK/doc.sig" "$WORK/doc" | grep -q "Verified OK" ||
		fail "the remote signature does not verify"
}

# Java's SunPKCS11 (the NCA's and the banks' signing applications are Java).
test_java_lists_the_key_and_signs_a_jar_that_verifies() {
	personalise
	printf 'name = kaztoken\nlibrary = %s\n' "$KZT_MODULE" >"$WORK/pkcs11.cfg"
	local ks=(-keystore NONE -storetype PKCS11 -providerclass sun.security.pkcs11.SunPKCS11
		-providerarg "$WORK/pkcs11.cfg" -storepass "$PIN")
	keytool -list "${ks[@]}" >"$WORK/out" 2>&1 || fail "keytool -list: $(cat "$WORK/out")"
	grep -q "^client, PrivateKeyEntry" "$WORK/out" || fail "keytool shows no key entry: $(cat "$WORK/out")"
	mkdir -p "$WORK/jar"
	echo "class payload" >"$WORK/jar/payload.txt"
	(cd "$WORK/jar" && jar cf "$WORK/app.jar" payload.txt) || fail "jar failed"
	jarsigner "${ks[@]}" -signedjar "$WORK/signed.jar" "$WORK/app.jar" client >"$WORK/out" 2>&1 ||
		fail "jarsigner: $(cat "$WORK/out")"
	jarsigner -verify -strict -keystore NONE "$WORK/signed.jar" >"$WORK/out" 2>&1 || true
	grep -q "jar verified" "$WORK/out" || fail "jarsigner -verify refuses the JAR: $(cat "$WORK/out")"
	# a changed entry: refused
	mkdir -p "$WORK/tamper" && (cd "$WORK/tamper" && jar xf "$WORK/signed.jar" && echo changed >payload.txt &&
		jar cfm "$WORK/tampered.jar" META-INF/MANIFEST.MF payload.txt META-INF/*.SF META-INF/*.RSA) ||
		fail "could not build the tampered JAR"
	jarsigner -verify "$WORK/tampered.jar" >"$WORK/out" 2>&1 || true
	! grep -q "^jar verified" "$WORK/out" && grep -qi "digest" "$WORK/out" ||
		fail "a tampered JAR was not refused for its digest: $(cat "$WORK/out")"
}

# ---- the browsers, for real: Firefox ESR and Chromium under Xvfb, a site that needs
# the token's certificate, the PIN typed into the browser's own prompt ----

HTTPS_PID=
start_https_server() {
	rm -f "$WORK/https.port"
	/usr/bin/python3 "$(dirname "$0")/client_cert_server.py" "$WORK/https.port" "$WORK/server.pem" \
		"$WORK/server.key" "$WORK/ca.pem" "$WORK/https.log" 2>"$WORK/https.err" &
	HTTPS_PID=$!
	# (up to 30 s: Python and its TLS set-up can take more than 5 s on a loaded
	# machine, where a browser test runs beside another; no wait once it died)
	for _ in $(seq 600); do
		[ -s "$WORK/https.port" ] && break
		kill -0 "$HTTPS_PID" 2>/dev/null || break
		sleep 0.05
	done
	[ -s "$WORK/https.port" ] || fail "the HTTPS server did not start: $(cat "$WORK/https.err")"
	URL=https://127.0.0.1:$(cat "$WORK/https.port")/
}
stop_https_server() {
	if [ -n "$HTTPS_PID" ]; then kill "$HTTPS_PID" 2>/dev/null || true; wait "$HTTPS_PID" 2>/dev/null || true; fi
	HTTPS_PID=
}

# browse NAME WINDOW-NAMES -- COMMAND...: run the browser in a fresh Xvfb; whenever a
# window whose name matches WINDOW-NAMES (the PIN prompt) shows, type the PIN into it;
# done once the server saw the token's certificate (or after 90 s). A screenshot of
# the end goes to KZT_SHOTS/NAME.png.
browse() {
	local name=$1 prompt=$2
	shift 3
	cat >"$WORK/$name.drive" <<-'DRIVE'
		"$@" >"$WORK/$NAME.log" 2>&1 &
		browser=$!
		typed=0
		for _ in $(seq 450); do
			grep -q "Aidos Client" "$WORK/https.log" 2>/dev/null && { sleep 2; break; }
			if w=$(xdotool search --onlyvisible --name "$PROMPT" 2>/dev/null | head -1) && [ -n "$w" ]; then
				sleep 0.5
				xdotool windowfocus --sync "$w" 2>/dev/null || true
				xdotool type --delay 50 "$PIN"
				xdotool key Return
				typed=$((typed + 1))
				sleep 2
			fi
			sleep 0.2
		done
		echo "PIN typed into the prompt: $typed time(s)" >"$WORK/$NAME.notes"
		xdotool search --name . getwindowname %@ >>"$WORK/$NAME.notes" 2>/dev/null || true
		import -window root "$SHOT" 2>/dev/null || true
		kill "$browser" 2>/dev/null
		wait "$browser" 2>/dev/null
		true
	DRIVE
	NAME=$name PROMPT=$prompt SHOT=${KZT_SHOTS:-$WORK}/$name.png WORK=$WORK PIN=$PIN \
		xvfb-run -a -s "-screen 0 1280x900x24" bash "$WORK/$name.drive" "$@" >"$WORK/$name.xvfb" 2>&1 ||
		fail "$name could not run under Xvfb: $(tail -20 "$WORK/$name.xvfb")"
	[ -z "${KZT_SHOTS:-}" ] || cp "$WORK/$name.log" "$WORK/$name.notes" "$KZT_SHOTS/" 2>/dev/null || true
	echo "screenshot: ${KZT_SHOTS:-$WORK}/$name.png"
}

# Firefox ESR with a fresh profile: the module registered in the profile's own NSS
# database (how a user adds it), or only through the enterprise policy
# SecurityDevices (how an administrator deploys it).
firefox_signs_in() {
	local how=$1 profile=$WORK/firefox
	command -v firefox-esr >/dev/null || fail "firefox-esr is not installed"
	personalise
	start_https_server
	mkdir -p "$profile" "$WORK/distribution"
	certutil -N -d "sql:$profile" --empty-password || fail "certutil -N failed"
	certutil -A -d "sql:$profile" -n "Interop Test CA" -t "CT,C,C" -i "$WORK/ca.pem" || fail "certutil -A failed"
	cat >"$profile/user.js" <<-PREFS
		user_pref("security.default_personal_cert", "Select Automatically");
		user_pref("browser.shell.checkDefaultBrowser", false);
		user_pref("browser.aboutwelcome.enabled", false);
		user_pref("datareporting.policy.dataSubmissionEnabled", false);
		user_pref("toolkit.telemetry.reportingpolicy.firstRun", false);
		user_pref("app.update.enabled", false);
	PREFS
	cp -r /usr/share/firefox-esr/distribution/. "$WORK/distribution/" 2>/dev/null || true
	if [ "$how" = policy ]; then
		printf '{"policies": {"SecurityDevices": {"Add": {"KAZTOKEN": "%s"}}, "DisableAppUpdate": true}}\n' \
			"$KZT_MODULE" >"$WORK/distribution/policies.json"
	else
		echo | modutil -dbdir "sql:$profile" -add KAZTOKEN -libfile "$KZT_MODULE" -force >/dev/null 2>&1 ||
			fail "modutil -add failed"
		printf '{"policies": {"DisableAppUpdate": true}}\n' >"$WORK/distribution/policies.json"
	fi
	export -f browse fail
	export WORK PIN
	unshare -m bash -c 'mount --bind "$1" /usr/share/firefox-esr/distribution && shift && "$@"' _ \
		"$WORK/distribution" browse "firefox-$how" "Password Required|Authentication Required|security device" -- \
		firefox-esr --no-remote --profile "$profile" "$URL"
	stop_https_server
	grep -q "Aidos Client" "$WORK/https.log" ||
		fail "Firefox did not sign in with the token: $(cat "$WORK/firefox-$how.notes"); $(tail -20 "$WORK/firefox-$how.log")"
	grep -q "PIN typed into the prompt: [1-9]" "$WORK/firefox-$how.notes" ||
		fail "Firefox never asked for the PIN: $(cat "$WORK/firefox-$how.notes")"
}

test_firefox_signs_in_with_the_token_certificate_through_the_policy() { firefox_signs_in policy; }
test_firefox_signs_in_with_the_token_certificate_through_the_profile() { firefox_signs_in profile; }

test_chromium_signs_in_with_the_token_certificate_picked_by_policy() {
	command -v chromium >/dev/null || fail "chromium is not installed"
	personalise
	start_https_server
	local home=$WORK/chromium-home
	mkdir -p "$home/.pki/nssdb" "$WORK/etc-chromium/policies/managed"
	certutil -N -d "sql:$home/.pki/nssdb" --empty-password || fail "certutil -N failed"
	echo | modutil -dbdir "sql:$home/.pki/nssdb" -add KAZTOKEN -libfile "$KZT_MODULE" -force >/dev/null 2>&1 ||
		fail "modutil -add failed"
	certutil -A -d "sql:$home/.pki/nssdb" -n "Interop Test CA" -t "CT,C,C" -i "$WORK/ca.pem" || fail "certutil -A failed"
	# the policy that picks the certificate, in /etc/chromium seen only by this test
	cp -r /etc/chromium/. "$WORK/etc-chromium/" 2>/dev/null || true
	printf '{"AutoSelectCertificateForUrls": ["{\\"pattern\\":\\"https://127.0.0.1:%s\\",\\"filter\\":{\\"ISSUER\\":{\\"CN\\":\\"Interop Test CA\\"}}}"]}\n' \
		"$(cat "$WORK/https.port")" >"$WORK/etc-chromium/policies/managed/kaztoken-test.json"
	export -f browse fail
	export WORK PIN
	HOME=$home unshare -m bash -c 'mount --bind "$1" /etc/chromium && shift && "$@"' _ "$WORK/etc-chromium" \
		browse chromium "Unlock|Sign in to Security Device|security device" -- \
		chromium --no-sandbox --no-first-run --disable-gpu --user-data-dir="$WORK/chromium-data" "$URL"
	stop_https_server
	grep -q "Aidos Client" "$WORK/https.log" ||
		fail "Chromium did not sign in with the token: $(cat "$WORK/chromium.notes"); $(tail -20 "$WORK/chromium.log")"
	grep -q "PIN typed into the prompt: [1-9]" "$WORK/chromium.notes" ||
		fail "Chromium never asked for the PIN: $(cat "$WORK/chromium.notes")"
}

# The user guide's Python example (docs/user-guide.md, 3.7), run as written.
test_the_user_guides_python_example_signs() {
	: "${KZT_SRC:?set KZT_SRC to the source tree}"
	personalise
	awk '/^```python$/ {on = 1; next} /^```$/ {on = 0} on' "$KZT_SRC/docs/user-guide.md" |
		sed "s|\"MODULE\"|\"$KZT_MODULE\"|; s|\"your PIN\"|\"$PIN\"|" >"$WORK/example.py"
	grep -q "session.sign" "$WORK/example.py" || fail "no Python example in the user guide"
	echo 'print(len(signature))' >>"$WORK/example.py"
	/usr/bin/python3 "$WORK/example.py" >"$WORK/out" 2>&1 || fail "the guide's example fails: $(cat "$WORK/out")"
	[ "$(tail -1 "$WORK/out")" = 256 ] || fail "the guide's example made no signature: $(cat "$WORK/out")"
}

trap 'stop_tls_server; stop_https_server; cleanup' EXIT
"test_$1"
