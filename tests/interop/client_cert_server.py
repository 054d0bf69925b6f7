#!/usr/bin/python3
# Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
"""An HTTPS server on 127.0.0.1 that requires a client certificate from the test CA,
as a bank's or the NCA's site does: the page it returns names the certificate's
subject, and each request's subject is appended to LOG.

    client_cert_server.py PORTFILE CERT KEY CA LOG"""

import http.server
import ssl
import sys

port_file, cert, key, ca, log = sys.argv[1:6]


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        peer = self.connection.getpeercert()
        subject = ", ".join("%s=%s" % item for rdn in peer.get("subject", ()) for item in rdn)
        with open(log, "a") as f:
            f.write("%s %s\n" % (self.path, subject))
        body = ("<html><head><title>Signed in</title></head><body style='font-size:28px'>"
                "<h1>Signed in with the token</h1><p id='subject'>%s</p></body></html>" % subject).encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
context.load_cert_chain(cert, key)
context.load_verify_locations(ca)
context.verify_mode = ssl.CERT_REQUIRED
server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
server.socket = context.wrap_socket(server.socket, server_side=True)
with open(port_file, "w") as f:
    f.write(str(server.server_address[1]))
server.serve_forever()
