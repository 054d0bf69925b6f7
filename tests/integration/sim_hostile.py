#!/usr/bin/env python3
# Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
"""kaztoken-sim against hostile local clients (issue 15): none of them holds up
another client.

- a client that sends two bytes of a header and stalls;
- a client that floods requests and never reads the replies;
- hundreds of idle connections;
- one connection over the limit.

Through all of it, a well-behaved client gets its answers at once, and the module
(pkcs11-tool) still opens a session. The stalled and the flooding clients are
dropped after the bounded wait, and the sim logs why; so is the one over the
limit. Needs KZT_SIM and KZT_MODULE (set by ctest)."""
import os
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import time

SIM = os.environ["KZT_SIM"]
MODULE = os.environ["KZT_MODULE"]
STALL_SECONDS = 5  # tools/kaztoken-sim/main.c
MAX_CLIENTS = 512
ATR, APDU = 0x02, 0x01
SELECT = bytes.fromhex("00A4040009A0000006474B5A0101")  # any APDU: the answer does not matter


def frame(kind, payload=b""):
    return struct.pack(">BI", kind, len(payload)) + payload


def connect(path):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(path)
    return s


def ask_atr(path, within=1.0):
    """A polite client: one ATR request, its answer within `within` seconds."""
    s = connect(path)
    s.settimeout(within)
    start = time.monotonic()
    s.sendall(frame(ATR))
    got = b""
    while len(got) < 5:
        chunk = s.recv(64)
        if not chunk:
            raise AssertionError("the sim closed a polite client")
        got += chunk
    s.close()
    return time.monotonic() - start


def closed_by_peer(s, within):
    """True when the peer closes s within `within` seconds (data before is skipped)."""
    s.settimeout(within)
    deadline = time.monotonic() + within
    try:
        while time.monotonic() < deadline:
            if not s.recv(65536):
                return True
    except (socket.timeout, BlockingIOError):
        return False
    except (ConnectionResetError, BrokenPipeError):
        return True
    return False


def check(what, ok):
    print(("ok - " if ok else "not ok - ") + what, flush=True)
    if not ok:
        raise SystemExit(1)


def main():
    work = tempfile.mkdtemp(prefix="kzt-hostile-")
    path = os.path.join(work, "sim.sock")
    log = open(os.path.join(work, "sim.log"), "w+")
    sim = subprocess.Popen([SIM, "--store", os.path.join(work, "token.kzt"), "--socket", path],
                           stderr=log)
    try:
        for _ in range(200):
            if os.path.exists(path):
                break
            time.sleep(0.05)
        ask_atr(path)

        # 1. two bytes of a header, then nothing
        stall = connect(path)
        stall.sendall(frame(ATR)[:2])
        took = ask_atr(path)
        check(f"a client stalled inside a header does not hold up another ({took * 1000:.1f} ms)",
              took < 1.0)

        # 2. requests sent and sent, replies never read, until the socket takes no more
        # (again and again, so the replies fill what the sockets hold whatever their sizes)
        flood = connect(path)
        flood.setblocking(False)
        sent = 0
        for _ in range(10):
            try:
                for _ in range(100000):
                    flood.send(frame(APDU, SELECT))
                    sent += 1
            except BlockingIOError:
                time.sleep(0.1)
        took = ask_atr(path)
        check(f"a client that sent {sent} requests and reads no reply does not hold up another "
              f"({took * 1000:.1f} ms)", sent > 100 and took < 1.0)

        # 3. hundreds of idle connections, and the module still works
        idle = [connect(path) for _ in range(300)]
        took = ask_atr(path)
        check(f"300 idle connections do not hold up another ({took * 1000:.1f} ms)", took < 1.0)
        env = dict(os.environ, KAZTOKEN_SIM_SOCKET=path, KAZTOKEN_CONF=os.devnull, KAZTOKEN_READERS="none")
        out = subprocess.run(["pkcs11-tool", "--module", MODULE, "--login", "--pin", "12345678", "-O"],
                             env=env, capture_output=True, text=True, timeout=60)
        check("with them open, the module logs in and lists objects", out.returncode == 0)

        # 4. one connection over the limit: accepted, closed, logged
        # (the stalled and the flooding clients count; the module's connection is gone)
        more = [connect(path) for _ in range(MAX_CLIENTS - 300 - 2)]
        extra = connect(path)
        check(f"connection {MAX_CLIENTS + 1} is closed at once", closed_by_peer(extra, 2.0))
        for s in idle + more + [extra]:
            s.close()
        time.sleep(0.3)
        took = ask_atr(path)
        check(f"once they are gone, new clients are served again ({took * 1000:.1f} ms)", took < 1.0)

        # 5. the stalled and the flooding clients are dropped after the bounded wait
        # (waited out without reading: reading the replies would unstall the flood)
        time.sleep(STALL_SECONDS + 2)
        check("the client stalled inside a header is dropped after the bounded wait",
              closed_by_peer(stall, 2.0))
        check("the client that reads no reply is dropped after the bounded wait",
              closed_by_peer(flood, 2.0))
        stall.close()
        flood.close()

        sim.terminate()
        sim.wait(timeout=10)
        log.seek(0)
        text = log.read()
        print("# the simulator's log:\n" + "".join("#   " + line + "\n" for line in text.splitlines()[-8:]))
        check("the log says why each was dropped",
              "a message cut short for 5 s" in text and "not reading its reply for 5 s" in text and
              f"{MAX_CLIENTS} clients already connected" in text)
        check("the sim ended cleanly", sim.returncode == 0)
    finally:
        if sim.poll() is None:
            sim.kill()
            sim.wait()
        log.close()
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
