#!/usr/bin/python3
# Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
"""The module driven from Python through PyKCS11 (Debian's python3-pykcs11), against
a kaztoken-sim of its own: key generation, the three signature mechanisms, decryption
of what another implementation encrypted, encryption, key import, certificates,
data objects and random numbers, each result checked with python3-cryptography,
and every private key's secret parts answering CKR_ATTRIBUTE_SENSITIVE.

Run by ctest with KZT_MODULE and KZT_SIM set. Prints one line per flow."""

import datetime
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

import PyKCS11
from PyKCS11 import LowLevel
from PyKCS11.LowLevel import (CKA_CLASS, CKA_COEFFICIENT, CKA_DECRYPT, CKA_EXPONENT_1,
                              CKA_EXPONENT_2, CKA_ID, CKA_ISSUER, CKA_KEY_TYPE, CKA_LABEL,
                              CKA_MODULUS, CKA_MODULUS_BITS, CKA_PRIME_1, CKA_PRIME_2,
                              CKA_PRIVATE, CKA_PRIVATE_EXPONENT, CKA_PUBLIC_EXPONENT,
                              CKA_SERIAL_NUMBER, CKA_SIGN, CKA_SUBJECT, CKA_TOKEN, CKA_VALUE,
                              CKA_VERIFY, CKA_ENCRYPT, CKA_CERTIFICATE_TYPE, CKC_X_509,
                              CKG_MGF1_SHA256, CKK_RSA, CKM_RSA_PKCS, CKM_SHA256,
                              CKM_SHA256_RSA_PKCS, CKM_SHA256_RSA_PKCS_PSS, CKO_CERTIFICATE,
                              CKO_DATA, CKO_PRIVATE_KEY, CKO_PUBLIC_KEY, CKR_ATTRIBUTE_SENSITIVE,
                              CKR_OK, CKU_USER)
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID

SECRET_PARTS = [CKA_PRIVATE_EXPONENT, CKA_PRIME_1, CKA_PRIME_2, CKA_EXPONENT_1, CKA_EXPONENT_2,
                CKA_COEFFICIENT]
SHA256_DIGEST_INFO = bytes.fromhex("3031300d060960864801650304020105000420")
MESSAGE = "Электрондық құжатқа қол қою".encode()


class Sim:
    """A kaztoken-sim in a scratch directory, stopped with SIGTERM."""

    def __init__(self, binary):
        self.dir = tempfile.mkdtemp(prefix="kzt-py-")
        self.socket = os.path.join(self.dir, "sim.sock")
        self.proc = subprocess.Popen([binary, "--store", os.path.join(self.dir, "token.kzt"),
                                      "--socket", self.socket])
        for _ in range(500):
            try:
                with socket.socket(socket.AF_UNIX) as s:
                    s.connect(self.socket)
                return
            except OSError:
                time.sleep(0.01)
        raise RuntimeError("kaztoken-sim did not come up")

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=30)
        shutil.rmtree(self.dir, ignore_errors=True)


def as_int(b):
    return int.from_bytes(bytes(b), "big")


def int_bytes(n):
    return n.to_bytes((n.bit_length() + 7) // 8, "big")


def public_key_of(session, pub):
    n, e = session.getAttributeValue(pub, [CKA_MODULUS, CKA_PUBLIC_EXPONENT], True)
    return rsa.RSAPublicNumbers(as_int(e), as_int(n)).public_key()


def generate(session, bits, label):
    pub_t = [(CKA_TOKEN, True), (CKA_MODULUS_BITS, bits), (CKA_PUBLIC_EXPONENT, (1, 0, 1)),
             (CKA_VERIFY, True), (CKA_ENCRYPT, True), (CKA_LABEL, label), (CKA_ID, (bits >> 8,))]
    priv_t = [(CKA_TOKEN, True), (CKA_PRIVATE, True), (CKA_SIGN, True), (CKA_DECRYPT, True),
              (CKA_LABEL, label), (CKA_ID, (bits >> 8,))]
    return session.generateKeyPair(pub_t, priv_t, mecha=PyKCS11.MechanismRSAGENERATEKEYPAIR)


def flow_keygen_and_signatures(session):
    for bits in (2048, 3072):
        pub, priv = generate(session, bits, "py-%d" % bits)
        key = public_key_of(session, pub)
        assert key.key_size == bits, key.key_size
        digest = hashes.Hash(hashes.SHA256())
        digest.update(MESSAGE)
        info = SHA256_DIGEST_INFO + digest.finalize()
        # RSA-PKCS over a caller-built DigestInfo, SHA256-RSA-PKCS, SHA256-RSA-PKCS-PSS
        sig = bytes(session.sign(priv, info, PyKCS11.Mechanism(CKM_RSA_PKCS, None)))
        key.verify(sig, MESSAGE, padding.PKCS1v15(), hashes.SHA256())
        sig = bytes(session.sign(priv, MESSAGE, PyKCS11.Mechanism(CKM_SHA256_RSA_PKCS, None)))
        key.verify(sig, MESSAGE, padding.PKCS1v15(), hashes.SHA256())
        pss = PyKCS11.RSA_PSS_Mechanism(CKM_SHA256_RSA_PKCS_PSS, CKM_SHA256, CKG_MGF1_SHA256, 32)
        sig = bytes(session.sign(priv, MESSAGE, pss))
        key.verify(sig, MESSAGE, padding.PSS(padding.MGF1(hashes.SHA256()), 32), hashes.SHA256())
        # and the module verifies its own
        assert session.verify(pub, MESSAGE, sig, pss)


def flow_decrypt_and_encrypt(session):
    pub, priv = generate(session, 2048, "py-crypt")
    key = public_key_of(session, pub)
    secret = b"session key 0123456789abcdef"
    ct = key.encrypt(secret, padding.PKCS1v15())
    assert bytes(session.decrypt(priv, ct, PyKCS11.Mechanism(CKM_RSA_PKCS, None))) == secret
    oaep = PyKCS11.RSAOAEPMechanism(CKM_SHA256, CKG_MGF1_SHA256)
    ct = key.encrypt(secret, padding.OAEP(padding.MGF1(hashes.SHA256()), hashes.SHA256(), None))
    assert bytes(session.decrypt(priv, ct, oaep)) == secret
    # the module's own encryption, undone on the token
    ct = bytes(session.encrypt(pub, secret, oaep))
    assert len(ct) == 256
    assert bytes(session.decrypt(priv, ct, oaep)) == secret


def flow_import_key_and_certificate(session):
    mine = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    numbers = mine.private_numbers()
    template = [(CKA_CLASS, CKO_PRIVATE_KEY), (CKA_KEY_TYPE, CKK_RSA), (CKA_TOKEN, True),
                (CKA_PRIVATE, True), (CKA_SIGN, True), (CKA_LABEL, "py-imported"), (CKA_ID, (7,)),
                (CKA_MODULUS, int_bytes(numbers.public_numbers.n)),
                (CKA_PUBLIC_EXPONENT, int_bytes(numbers.public_numbers.e)),
                (CKA_PRIVATE_EXPONENT, int_bytes(numbers.d)), (CKA_PRIME_1, int_bytes(numbers.p)),
                (CKA_PRIME_2, int_bytes(numbers.q)), (CKA_EXPONENT_1, int_bytes(numbers.dmp1)),
                (CKA_EXPONENT_2, int_bytes(numbers.dmq1)), (CKA_COEFFICIENT, int_bytes(numbers.iqmp))]
    priv = session.createObject(template)
    assert session.getAttributeValue(priv, [PyKCS11.LowLevel.CKA_LOCAL])[0] is False
    sig = bytes(session.sign(priv, MESSAGE, PyKCS11.Mechanism(CKM_SHA256_RSA_PKCS, None)))
    mine.public_key().verify(sig, MESSAGE, padding.PKCS1v15(), hashes.SHA256())

    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "ТЕСТОВ ТЕСТ"),
                      x509.NameAttribute(NameOID.SERIAL_NUMBER, "IIN123456789012")])
    now = datetime.datetime(2026, 1, 1)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(mine.public_key()).serial_number(0x0123456789ABCDEF)
            .not_valid_before(now).not_valid_after(now + datetime.timedelta(days=365))
            .sign(mine, hashes.SHA256()))
    der = cert.public_bytes(serialization.Encoding.DER)
    handle = session.createObject([(CKA_CLASS, CKO_CERTIFICATE), (CKA_CERTIFICATE_TYPE, CKC_X_509),
                                   (CKA_TOKEN, True), (CKA_LABEL, "py-cert"), (CKA_ID, (7,)),
                                   (CKA_VALUE, der)])
    value, subject, issuer, serial = session.getAttributeValue(
        handle, [CKA_VALUE, CKA_SUBJECT, CKA_ISSUER, CKA_SERIAL_NUMBER], True)
    assert bytes(value) == der
    assert bytes(subject) == name.public_bytes() and bytes(issuer) == name.public_bytes()
    assert bytes(serial) == bytes.fromhex("02080123456789abcdef")
    session.destroyObject(handle)
    assert session.findObjects([(CKA_LABEL, "py-cert")]) == []


def flow_data_object_and_random(session):
    handle = session.createObject([(CKA_CLASS, CKO_DATA), (CKA_TOKEN, True), (CKA_LABEL, "py-data"),
                                   (CKA_VALUE, b"\x00\x01 data \xff")])
    assert bytes(session.getAttributeValue(handle, [CKA_VALUE], True)[0]) == b"\x00\x01 data \xff"
    session.setAttributeValue(handle, [(CKA_LABEL, "py-data-renamed")])
    found = session.findObjects([(CKA_LABEL, "py-data-renamed")])
    assert [o.value() for o in found] == [handle.value()]
    session.destroyObject(handle)
    assert session.findObjects([(CKA_CLASS, CKO_DATA)]) == []
    random = session.generateRandom(64)
    assert len(random) == 64 and len(set(random)) > 16


def flow_secret_parts_are_sensitive(session):
    keys = session.findObjects([(CKA_CLASS, CKO_PRIVATE_KEY)])
    assert len(keys) >= 4, keys  # generated at 2048, 3072, the decryption key, the import
    for key in keys:
        for part in SECRET_PARTS:
            template = LowLevel.ckattrlist(1)
            template[0].SetType(part)
            rv = session.lib.C_GetAttributeValue(session.session, key, template)
            assert rv == CKR_ATTRIBUTE_SENSITIVE, (key, part, PyKCS11.CKR[rv])
        # what is public is still given
        template = LowLevel.ckattrlist(2)
        template[0].SetType(CKA_MODULUS)
        template[1].SetType(CKA_PRIVATE_EXPONENT)
        rv = session.lib.C_GetAttributeValue(session.session, key, template)
        assert rv == CKR_ATTRIBUTE_SENSITIVE and template[0].GetLen() >= 256


def main():
    sim = Sim(os.environ["KZT_SIM"])
    conf = os.path.join(sim.dir, "empty.conf")
    open(conf, "w").close()
    os.environ["KAZTOKEN_CONF"] = conf
    os.environ["KAZTOKEN_SIM_SOCKET"] = sim.socket
    os.environ["KAZTOKEN_READERS"] = "none"  # the virtual token's slot alone
    failed = 0
    try:
        lib = PyKCS11.PyKCS11Lib()
        lib.load(os.environ["KZT_MODULE"])
        slot = lib.getSlotList(tokenPresent=True)[0]
        session = lib.openSession(slot, PyKCS11.CKF_SERIAL_SESSION | PyKCS11.CKF_RW_SESSION)
        session.login("12345678", CKU_USER)
        for flow in (flow_keygen_and_signatures, flow_decrypt_and_encrypt,
                     flow_import_key_and_certificate, flow_data_object_and_random,
                     flow_secret_parts_are_sensitive):
            try:
                flow(session)
                print("ok:", flow.__name__)
            except Exception as e:  # report every flow, then fail
                failed += 1
                print("FAILED:", flow.__name__, repr(e))
        session.logout()
        # logged out, no private key is even listed
        assert session.findObjects([(CKA_CLASS, CKO_PRIVATE_KEY)]) == []
        assert len(session.findObjects([(CKA_CLASS, CKO_PUBLIC_KEY)])) >= 3
        session.closeSession()
    finally:
        sim.stop()
    return 1 if failed else 0


if __name__ == "__main__":
    assert CKR_OK == 0
    sys.exit(main())
