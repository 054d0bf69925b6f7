#!/usr/bin/python3
# Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
"""Test files for the kaztoken-tool tests. A bank-style PKCS#12 file: a key, its
certificate (valid from FROM to TO days from now, either may be negative) issued by
a throw-away CA, and the CA's certificate as the chain (PASSWORD "" for none):

    make_p12.py OUT.p12 PASSWORD CN FROM TO [rsa2048|rsa1024|ec]

Or a certificate for a request, from a CA's key and certificate, with such dates
(openssl x509 cannot date one in the past):

    make_p12.py --issue REQ.csr CA.key CA.pem OUT.pem FROM TO"""

import datetime
import sys

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID


def name(cn):
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn),
                      x509.NameAttribute(NameOID.COUNTRY_NAME, "KZ")])


def issue(csr_path, key_path, ca_path, out, start, end):
    now = datetime.datetime.now(datetime.timezone.utc)
    req = x509.load_pem_x509_csr(open(csr_path, "rb").read())
    ca_key = serialization.load_pem_private_key(open(key_path, "rb").read(), None)
    ca = x509.load_pem_x509_certificate(open(ca_path, "rb").read())
    cert = (x509.CertificateBuilder().subject_name(req.subject).issuer_name(ca.subject)
            .public_key(req.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now + datetime.timedelta(days=int(start)))
            .not_valid_after(now + datetime.timedelta(days=int(end)))
            .sign(ca_key, hashes.SHA256()))
    with open(out, "wb") as f:
        f.write(cert.public_bytes(serialization.Encoding.PEM))


def main():
    if sys.argv[1] == "--issue":
        issue(*sys.argv[2:8])
        return
    out, password, cn, start, end = sys.argv[1:6]
    kind = sys.argv[6] if len(sys.argv) > 6 else "rsa2048"
    now = datetime.datetime.now(datetime.timezone.utc)
    ca_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ca = (x509.CertificateBuilder().subject_name(name("Test CA " + cn)).issuer_name(name("Test CA " + cn))
          .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
          .not_valid_before(now - datetime.timedelta(days=3650)).not_valid_after(now + datetime.timedelta(days=3650))
          .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
          .sign(ca_key, hashes.SHA256()))
    if kind == "ec":
        key = ec.generate_private_key(ec.SECP256R1())
    else:
        key = rsa.generate_private_key(public_exponent=65537, key_size=1024 if kind == "rsa1024" else 2048)
    cert = (x509.CertificateBuilder().subject_name(name(cn)).issuer_name(ca.subject)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now + datetime.timedelta(days=int(start)))
            .not_valid_after(now + datetime.timedelta(days=int(end)))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .sign(ca_key, hashes.SHA256()))
    protect = (serialization.BestAvailableEncryption(password.encode()) if password
               else serialization.NoEncryption())
    data = pkcs12.serialize_key_and_certificates(cn.encode(), key, cert, [ca], protect)
    with open(out, "wb") as f:
        f.write(data)


main()
