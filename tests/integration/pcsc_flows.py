#!/usr/bin/python3
# Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
"""The module through a real pcscd, with two virtual tokens plugged into vsmartcard's
vpcd readers (kaztoken-sim --vpcd 35963 and 35964):

- pkcs11-tool -L lists two KAZTOKEN slots; a key is generated on each and its
  signature verifies with the openssl command;
- one token pulled while sessions are open: C_WaitForSlotEvent reports it, its
  session answers CKR_DEVICE_REMOVED and then CKR_SESSION_HANDLE_INVALID, the other
  token signs on; put back: reported again, and usable in the same process;
- two processes signing on one token for KZT_SIGN_SECONDS (30): every signature
  verifies, none is lost;
- another process resets the card (SCardReconnect with SCARD_RESET_CARD): the
  module notices, the next signature answers CKR_USER_NOT_LOGGED_IN (never one made
  under a login the card lost), and after a new login signing works again;
- a key generation the token takes KZT_KEYGEN_DELAY (90) seconds over completes.

Starts pcscd itself when none runs (and stops only that one). Run by ctest with
KZT_MODULE and KZT_SIM set."""

import os
import signal
import subprocess
import sys
import tempfile
import time

import PyKCS11
from PyKCS11.LowLevel import (CKA_CLASS, CKA_ID, CKA_KEY_TYPE, CKA_LABEL, CKA_MODULUS, CKA_MODULUS_BITS,
                              CKA_PRIVATE, CKA_PUBLIC_EXPONENT, CKA_SIGN, CKA_TOKEN, CKA_VERIFY,
                              CKF_DONT_BLOCK, CKK_RSA, CKO_PRIVATE_KEY, CKO_PUBLIC_KEY,
                              CKR_DEVICE_REMOVED, CKR_SESSION_HANDLE_INVALID, CKR_USER_NOT_LOGGED_IN,
                              CKM_SHA256_RSA_PKCS, CKU_USER)
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

PIN = "12345678"
PORTS = (35963, 35964)
MESSAGE = "Электрондық құжатқа қол қою".encode()


def log(*a):
    print(*a, flush=True)


class Pcscd:
    """The running pcscd, or one started here (and stopped at the end)."""

    def __init__(self):
        self.proc = None
        if subprocess.run(["pgrep", "-x", "pcscd"], capture_output=True).returncode == 0:
            log("pcscd: using the one running")
            return
        if not os.path.exists("/etc/reader.conf.d/vpcd"):
            raise RuntimeError("vsmartcard-vpcd is not installed (no /etc/reader.conf.d/vpcd)")
        self.proc = subprocess.Popen(["pcscd", "-f"], stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
        for _ in range(100):
            if os.path.exists("/run/pcscd/pcscd.comm"):
                break
            time.sleep(0.05)
        time.sleep(0.5)
        log("pcscd: started, pid", self.proc.pid)

    def stop(self):
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(timeout=10)


class Sim:
    """A kaztoken-sim plugged into one vpcd reader."""

    def __init__(self, directory, port):
        self.store = os.path.join(directory, "token-%d.kzt" % port)
        self.port = port
        self.proc = None

    def start(self, *extra):
        self.proc = subprocess.Popen([os.environ["KZT_SIM"], "--store", self.store,
                                      "--vpcd", str(self.port), *extra],
                                     stderr=subprocess.DEVNULL)

    def stop(self):
        if self.proc is not None:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(timeout=10)
            self.proc = None


def load():
    lib = PyKCS11.PyKCS11Lib()
    lib.load(os.environ["KZT_MODULE"])
    return lib


def token_slots(lib, want, timeout=15):
    """The slots with a token, once there are want of them (refreshing the list)."""
    deadline = time.time() + timeout
    while True:
        lib.getSlotList()  # the size query: readers are looked for again
        slots = lib.getSlotList(tokenPresent=True)
        if len(slots) == want or time.time() > deadline:
            return slots
        time.sleep(0.2)


def generate(session, ident):
    pub = [(CKA_CLASS, CKO_PUBLIC_KEY), (CKA_TOKEN, True), (CKA_KEY_TYPE, CKK_RSA),
           (CKA_MODULUS_BITS, 2048), (CKA_PUBLIC_EXPONENT, (1, 0, 1)), (CKA_VERIFY, True),
           (CKA_ID, ident), (CKA_LABEL, "pcsc")]
    priv = [(CKA_CLASS, CKO_PRIVATE_KEY), (CKA_TOKEN, True), (CKA_KEY_TYPE, CKK_RSA),
            (CKA_PRIVATE, True), (CKA_SIGN, True), (CKA_ID, ident), (CKA_LABEL, "pcsc")]
    return session.generateKeyPair(pub, priv, mecha=PyKCS11.MechanismRSAGENERATEKEYPAIR)



def public_key(session, handle):
    n, e = session.getAttributeValue(handle, [CKA_MODULUS, CKA_PUBLIC_EXPONENT])
    return rsa.RSAPublicNumbers(int.from_bytes(bytes(e), "big"),
                                int.from_bytes(bytes(n), "big")).public_key()


def sign(session, key):
    return bytes(session.sign(key, MESSAGE, PyKCS11.Mechanism(CKM_SHA256_RSA_PKCS, None)))


def openssl_verifies(pub, sig, directory):
    pem = os.path.join(directory, "pub.pem")
    with open(pem, "wb") as f:
        f.write(pub.public_bytes(serialization.Encoding.PEM,
                                 serialization.PublicFormat.SubjectPublicKeyInfo))
    msg, sigf = os.path.join(directory, "msg"), os.path.join(directory, "sig")
    open(msg, "wb").write(MESSAGE)
    open(sigf, "wb").write(sig)
    r = subprocess.run(["openssl", "dgst", "-sha256", "-verify", pem, "-signature", sigf, msg],
                       capture_output=True, text=True)
    return r.returncode == 0 and "Verified OK" in r.stdout


def expect_error(code, fn):
    try:
        fn()
    except PyKCS11.PyKCS11Error as e:
        if e.value == code:
            return
        raise AssertionError("want %s, got %s" % (PyKCS11.CKR[code], e))
    raise AssertionError("want %s, got success" % PyKCS11.CKR[code])


def signer(slot, seconds, barrier):
    """One of the two processes: sign for seconds, verify each; print the count.
    The login is the card's, shared by every application using it, and ending the
    module logs the card out: so each waits for the other to finish signing
    (a file each in the barrier directory) before it ends."""
    lib = load()
    session = lib.openSession(slot)
    session.login(PIN, CKU_USER)
    key = session.findObjects([(CKA_CLASS, CKO_PRIVATE_KEY), (CKA_ID, b"\x02")])[0]
    pub = public_key(session, session.findObjects([(CKA_CLASS, CKO_PUBLIC_KEY),
                                                   (CKA_ID, b"\x02")])[0])
    done = bad = 0
    end = time.time() + seconds
    while time.time() < end:
        sig = sign(session, key)
        try:
            pub.verify(sig, MESSAGE, padding.PKCS1v15(), hashes.SHA256())
            done += 1
        except Exception:  # noqa: BLE001 - any failure counts
            bad += 1
    print("%d %d" % (done, bad), flush=True)
    open(os.path.join(barrier, str(os.getpid())), "w").close()
    while len(os.listdir(barrier)) < 2:
        time.sleep(0.05)
    return 0 if bad == 0 and done > 0 else 1


def finalize_waiter():
    """C_Finalize from one thread releases C_WaitForSlotEvent blocked in another, with
    CKR_CRYPTOKI_NOT_INITIALIZED (ctypes lets go of Python's lock during the calls)."""
    import ctypes
    import threading

    mod = ctypes.CDLL(os.environ["KZT_MODULE"])
    assert mod.C_Initialize(None) == 0
    slot = ctypes.c_ulong(0)
    result = []
    waiter = threading.Thread(target=lambda: result.append(
        mod.C_WaitForSlotEvent(ctypes.c_ulong(0), ctypes.byref(slot), None)))
    waiter.start()
    time.sleep(1.0)
    assert waiter.is_alive(), "C_WaitForSlotEvent did not block: %r" % result
    assert mod.C_Finalize(None) == 0
    waiter.join(10)
    assert not waiter.is_alive(), "the waiter is still blocked after C_Finalize"
    assert result == [0x190], "want CKR_CRYPTOKI_NOT_INITIALIZED, got %r" % result
    return 0


def reset_card(reader):
    """Reset the card in this reader as another application would: connect shared,
    SCardReconnect with SCARD_RESET_CARD, disconnect (pcsc-lite through ctypes)."""
    import ctypes
    pcsc = ctypes.CDLL("libpcsclite.so.1")
    ctx, card, proto = ctypes.c_long(0), ctypes.c_long(0), ctypes.c_ulong(0)
    SCARD_SHARE_SHARED, SCARD_PROTOCOL_ANY, SCARD_RESET_CARD, SCARD_LEAVE_CARD = 2, 3, 1, 0
    assert pcsc.SCardEstablishContext(ctypes.c_ulong(2), None, None, ctypes.byref(ctx)) == 0
    rv = pcsc.SCardConnect(ctx, reader.encode(), ctypes.c_ulong(SCARD_SHARE_SHARED),
                           ctypes.c_ulong(SCARD_PROTOCOL_ANY), ctypes.byref(card), ctypes.byref(proto))
    assert rv == 0, "SCardConnect: 0x%08X" % (rv & 0xFFFFFFFF)
    rv = pcsc.SCardReconnect(card, ctypes.c_ulong(SCARD_SHARE_SHARED), ctypes.c_ulong(SCARD_PROTOCOL_ANY),
                             ctypes.c_ulong(SCARD_RESET_CARD), ctypes.byref(proto))
    assert rv == 0, "SCardReconnect: 0x%08X" % (rv & 0xFFFFFFFF)
    pcsc.SCardDisconnect(card, ctypes.c_ulong(SCARD_LEAVE_CARD))
    pcsc.SCardReleaseContext(ctx)
    return 0


def main():
    if len(sys.argv) == 2 and sys.argv[1] == "--finalize-waiter":
        return finalize_waiter()
    if len(sys.argv) == 3 and sys.argv[1] == "--reset":
        return reset_card(sys.argv[2])
    if len(sys.argv) == 5 and sys.argv[1] == "--signer":
        return signer(int(sys.argv[2]), float(sys.argv[3]), sys.argv[4])
    os.environ["KAZTOKEN_CONF"] = "/dev/null"
    os.environ.pop("KAZTOKEN_SIM_SOCKET", None)
    os.environ["KAZTOKEN_READERS"] = "pcsc"
    directory = tempfile.mkdtemp(prefix="kzt-pcsc-")
    pcscd = Pcscd()
    sims = [Sim(directory, p) for p in PORTS]
    try:
        for s in sims:
            s.start()
        lib = load()
        slots = token_slots(lib, 2)
        assert len(slots) == 2, "want two KAZTOKEN slots, have %r" % slots
        out = subprocess.run(["pkcs11-tool", "--module", os.environ["KZT_MODULE"], "-L"],
                             capture_output=True, text=True, check=True).stdout
        assert out.count("token manufacturer : KAZTOKEN") == 2, out
        log("ok two KAZTOKEN slots through pcscd:", slots)
        # one path per reader: "auto" takes PC/SC while pcscd runs; "ccid" never
        # touches PC/SC (and this machine has no USB reader of its own)
        for readers, want in (("auto", 2), ("ccid", 0)):
            run = subprocess.run(["pkcs11-tool", "--module", os.environ["KZT_MODULE"], "-L"],
                                 capture_output=True, text=True,
                                 env=dict(os.environ, KAZTOKEN_READERS=readers))
            assert run.returncode == (0 if want else 1), run  # (1: "No slots.")
            assert run.stdout.count("token manufacturer : KAZTOKEN") == want, (readers, run.stdout)
        log("ok readers = auto chose PC/SC; readers = ccid left PC/SC alone")
        sessions, keys = [], []
        for i, slot in enumerate(slots):
            s = lib.openSession(slot, PyKCS11.CKF_SERIAL_SESSION | PyKCS11.CKF_RW_SESSION)
            s.login(PIN, CKU_USER)
            pub, priv = generate(s, bytes([i + 1]))
            sig = sign(s, priv)
            assert openssl_verifies(public_key(s, pub), sig, directory), "slot %d" % slot
            sessions.append(s)
            keys.append(priv)
        log("ok a key generated on each token; its signature verifies with openssl")

        # events so far are drained; pull the first token
        while True:
            try:
                lib.waitForSlotEvent(CKF_DONT_BLOCK)
            except PyKCS11.PyKCS11Error:
                break
        sims[0].stop()
        ev = lib.waitForSlotEvent()
        assert ev == slots[0], "event on slot %r" % ev
        expect_error(CKR_DEVICE_REMOVED, sessions[0].getSessionInfo)
        expect_error(CKR_SESSION_HANDLE_INVALID, sessions[0].getSessionInfo)
        sig = sign(sessions[1], keys[1])
        assert len(sig) == 256
        log("ok pulled: event on slot", slots[0], "; its session CKR_DEVICE_REMOVED then "
            "CKR_SESSION_HANDLE_INVALID; the other token signs on")
        sims[0].start()
        assert lib.waitForSlotEvent() == slots[0]
        s = lib.openSession(slots[0])
        s.login(PIN, CKU_USER)
        key = s.findObjects([(CKA_CLASS, CKO_PRIVATE_KEY), (CKA_ID, b"\x01")])[0]
        assert len(sign(s, key)) == 256
        s.logout()
        s.closeSession()
        log("ok put back: event on slot", slots[0], "; signs again in the same process")

        # two processes, one token
        seconds = float(os.environ.get("KZT_SIGN_SECONDS", "30"))
        barrier = os.path.join(directory, "barrier")
        os.mkdir(barrier)
        procs = [subprocess.Popen([sys.executable, __file__, "--signer", str(slots[1]),
                                   str(seconds), barrier], stdout=subprocess.PIPE, text=True)
                 for _ in range(2)]
        counts = []
        for p in procs:
            out, _ = p.communicate(timeout=seconds + 120)
            assert p.returncode == 0, "a signer failed: %r" % out
            counts.append(out.split())
        log("ok two processes signed on one token for %.0f s: %s signatures, all verified"
            % (seconds, " + ".join(c[0] for c in counts)))

        # another application resets the token under a logged-in session
        # (the signers logged the card out as they ended: the login is the card's)
        s = sessions[1]
        s.logout()
        s.login(PIN, CKU_USER)
        reader = lib.getSlotInfo(slots[1]).slotDescription.strip()
        assert len(sign(s, keys[1])) == 256
        subprocess.run([sys.executable, __file__, "--reset", reader], check=True, timeout=60)
        expect_error(CKR_USER_NOT_LOGGED_IN, lambda: sign(s, keys[1]))
        s.login(PIN, CKU_USER)
        assert len(sign(s, keys[1])) == 256
        log("ok reset by another process: CKR_USER_NOT_LOGGED_IN, then signs after a new login")
        for s in sessions[1:]:
            s.logout()
            s.closeSession()

        # a token that takes its time over a key
        delay = os.environ.get("KZT_KEYGEN_DELAY", "90")
        sims[0].stop()
        assert lib.waitForSlotEvent() == slots[0]
        sims[0].start("--delay-keygen", delay)
        assert lib.waitForSlotEvent() == slots[0]
        s = lib.openSession(slots[0], PyKCS11.CKF_SERIAL_SESSION | PyKCS11.CKF_RW_SESSION)
        s.login(PIN, CKU_USER)
        started = time.time()
        pub, priv = generate(s, b"\x09")
        took = time.time() - started
        assert took >= float(delay), took
        assert len(sign(s, priv)) == 256
        log("ok a key generation of %.0f s completed" % took)

        subprocess.run([sys.executable, __file__, "--finalize-waiter"], check=True, timeout=60)
        # (and the wait that looks every half second, when there is no PC/SC to wait on)
        subprocess.run([sys.executable, __file__, "--finalize-waiter"], check=True, timeout=60,
                       env=dict(os.environ, KAZTOKEN_READERS="none"))
        log("ok C_Finalize released a C_WaitForSlotEvent blocked in another thread")
        return 0
    finally:
        for s in sims:
            s.stop()
        pcscd.stop()


if __name__ == "__main__":
    sys.exit(main())
