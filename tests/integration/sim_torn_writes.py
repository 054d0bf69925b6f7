#!/usr/bin/env python3
# Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
"""Torn writes (issue 15): kaztoken-sim stopped dead at random steps of writing
its store, at least 300 times, in the middle of a format, a key generation, an
object write, a PIN change and a wrong-PIN attempt, each driven through the
module by pkcs11-tool.

After every crash the store must open (the simulator starts on it), hold the old
state or the new one (label, objects, PINs: as kaztoken-tool info shows them, and
the PIN that works), and the user PIN's retry counter must never have gone back
up (outside a format, which sets it anew). Needs KZT_SIM and KZT_MODULE (set by
ctest), pkcs11-tool, and kaztoken-tool beside the simulator. KZT_TORN_KILLS sets
the number of crashes (default 300)."""
import json
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time

SIM = os.environ["KZT_SIM"]
MODULE = os.environ["KZT_MODULE"]
TOOL = os.path.join(os.path.dirname(SIM), "kaztoken-tool")
KILLS = int(os.environ.get("KZT_TORN_KILLS", "300"))
FAULT_EXIT = 75  # kaztoken-sim --fault-at
USER, ADMIN, NEW_USER = "12345678", "87654321", "11223344"


def fail(msg):
    print("not ok - " + msg)
    sys.exit(1)


class Sim:
    def __init__(self, store, sock, fault_at=None):
        self.sock = sock
        args = [SIM, "--store", store, "--socket", sock]
        if fault_at is not None:
            args += ["--fault-at", str(fault_at)]
        if os.path.exists(sock):
            os.unlink(sock)
        self.p = subprocess.Popen(args, stderr=subprocess.PIPE, text=True)
        for _ in range(300):
            if self.p.poll() is not None:
                return  # it refused to start: the caller looks at why
            try:
                s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                s.connect(sock)
                s.close()
                return
            except OSError:
                time.sleep(0.01)
        fail("kaztoken-sim did not come up")

    def stop(self):
        """The exit status: FAULT_EXIT when it stopped dead, else 0."""
        if self.p.poll() is None:
            self.p.terminate()
        self.p.wait(timeout=30)
        self.err = self.p.stderr.read()
        return self.p.returncode


def env_for(sock):
    return dict(os.environ, KAZTOKEN_SIM_SOCKET=sock, KAZTOKEN_CONF=os.devnull, KAZTOKEN_READERS="none")


def p11(sock, *args, check=False):
    r = subprocess.run(["pkcs11-tool", "--module", MODULE] + list(args), env=env_for(sock),
                       capture_output=True, text=True, timeout=60)
    if check and r.returncode != 0:
        fail("pkcs11-tool %s: %s" % (" ".join(args), r.stderr.strip()))
    return r.returncode == 0


def info(sock):
    r = subprocess.run([TOOL, "info", "--json", "--module", MODULE], env=env_for(sock),
                       capture_output=True, text=True, timeout=60)
    if r.returncode != 0:
        return None
    j = json.loads(r.stdout)
    return j


def objects(sock, pin):
    """The objects the user sees: (type line, label, ID) of each, sorted."""
    r = subprocess.run(["pkcs11-tool", "--module", MODULE, "--login", "--pin", pin, "-O"], env=env_for(sock),
                       capture_output=True, text=True, timeout=60)
    found, cur = [], None
    for line in r.stdout.splitlines():
        if line and not line[0].isspace():
            cur = [line.split(";")[0].strip(), "", ""]
            found.append(cur)
        elif cur is not None and line.strip().startswith("label:"):
            cur[1] = line.split(":", 1)[1].strip()
        elif cur is not None and line.strip().startswith("ID:"):
            cur[2] = line.split(":", 1)[1].strip()
    return tuple(sorted(tuple(o) for o in found))


def fingerprint(sock):
    """What the token holds, and which user PIN works. The free memory counts
    every byte written; a key pair's own size varies by a byte or two with its
    numbers (a component with a leading zero is a byte shorter), so a new key's
    state is known by its objects (fingerprint's [1:]), not by the bytes free."""
    j = info(sock)
    if j is None:
        return None, None
    pin = next((p for p in (USER, NEW_USER) if p11(sock, "--login", "--pin", p, "-O")), None)
    state = (j["memory"]["free"], j["label"], j["user_pin"]["default"], j["user_pin"]["max_tries"], pin,
             objects(sock, pin) if pin is not None else None)
    return state, j["user_pin"]["tries_left"]


def same(name, a, b):
    """Whether two fingerprints are the same state, for what operation name made."""
    if name == "keygen" and a is not None and b is not None:
        return a[1:] == b[1:]
    return a == b


OPS = {
    "format": ["--init-token", "--label", "formatted", "--so-pin", ADMIN],
    "keygen": ["--login", "--pin", USER, "--keypairgen", "--key-type", "rsa:2048", "--id", "77"],
    "write object": ["--login", "--pin", USER, "--write-object", "@DATA@", "--type", "data",
                     "--label", "written", "--private"],
    "PIN change": ["--login", "--pin", USER, "--change-pin", "--new-pin", NEW_USER],
    "wrong PIN": ["--login", "--pin", "00000000", "-O"],
}


def main():
    work = tempfile.mkdtemp(prefix="kzt-torn-")
    try:
        base, store, sock = (os.path.join(work, n) for n in ("base", "store", "sock"))
        data = os.path.join(work, "data.bin")
        with open(data, "wb") as f:
            f.write(os.urandom(3000))
        # The base: a label, a 5 KB object (a store of two write chunks), a key pair.
        sim = Sim(base, sock)
        with open(os.path.join(work, "big"), "wb") as f:
            f.write(os.urandom(5000))
        p11(sock, "--login", "--pin", USER, "--write-object", os.path.join(work, "big"), "--type", "data",
            "--label", "base", check=True)
        p11(sock, "--login", "--pin", USER, "--keypairgen", "--key-type", "rsa:2048", "--id", "01", check=True)
        old, old_tries = fingerprint(sock)
        sim.stop()
        if old is None:
            fail("the base token answers")
        # Each operation's new state, run whole once.
        new = {}
        for name, args in OPS.items():
            shutil.copy(base, store)
            sim = Sim(store, sock)
            p11(sock, *[data if a == "@DATA@" else a for a in args])
            new[name], _ = fingerprint(sock)
            sim.stop()
            if new[name] is None or new[name] == old and name != "wrong PIN":
                fail("%s changes the token when nothing stops it" % name)
        rng = random.Random(int(os.environ.get("KZT_TORN_SEED", "1517")))
        kills = runs = 0
        by_step = {}
        while kills < KILLS:
            runs += 1
            if runs > 4 * KILLS:
                fail("only %d of %d runs stopped the simulator" % (kills, runs))
            name = rng.choice(sorted(OPS))
            fault = rng.randint(1, 16)
            shutil.copy(base, store)
            sim = Sim(store, sock, fault)
            p11(sock, *[data if a == "@DATA@" else a for a in OPS[name]])
            if sim.stop() == FAULT_EXIT:
                kills += 1
                step = sim.err.strip().rsplit("before ", 1)[-1]
                by_step[step] = by_step.get(step, 0) + 1
            # The store opens, and holds the old state or the new.
            sim = Sim(store, sock)
            if sim.p.poll() is not None:
                sim.stop()
                fail("%s stopped at step %d: the store does not open: %s" % (name, fault, sim.err.strip()))
            now, tries = fingerprint(sock)
            sim.stop()
            if not same(name, now, old) and not same(name, now, new[name]):
                fail("%s stopped at step %d: the token holds %r, neither %r nor %r" %
                     (name, fault, now, old, new[name]))
            if name != "format" and tries > old_tries:
                fail("%s stopped at step %d: the retry counter went back up, %d to %d" %
                     (name, fault, old_tries, tries))
        print("ok - %d crashes in %d runs (%s): every store opened, old or new, no retry counter went up" %
              (kills, runs, ", ".join("%d before %s" % (n, s) for s, n in sorted(by_step.items()))))
    finally:
        shutil.rmtree(work, ignore_errors=True)


main()
