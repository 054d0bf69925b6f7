#!/usr/bin/python3
# Copyright (c) 2026 The KAZTOKEN PKCS#11 authors. SPDX-License-Identifier: BSD-2-Clause
"""Run a command on a pseudo-terminal and answer its prompts as a person would:
each answer is typed only once its prompt has appeared (so a program that turns
echo off first is seen doing so). Prints what the terminal showed and exits with
the command's status (128 + N for signal N); 90 when a prompt never came. The answer
^C types the terminal's interrupt character. At the end it says whether the terminal
echoes ("tool_tty: echo on" or "off"), as the command left it.

    tool_tty.py [PROMPT ANSWER]... -- COMMAND [ARG]..."""

import os
import pty
import select
import sys
import termios
import time


def main():
    args = sys.argv[1:]
    cut = args.index("--")
    pairs = list(zip(args[0:cut:2], args[1:cut:2]))
    command = args[cut + 1:]
    pid, fd = pty.fork()
    if pid == 0:
        os.execvp(command[0], command)
    shown = b""
    seen = 0  # where the next prompt is looked for
    deadline = time.time() + 120
    while time.time() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.2)
        if ready:
            try:
                data = os.read(fd, 4096)
            except OSError:
                break
            if not data:
                break
            shown += data
        if pairs:
            at = shown.find(pairs[0][0].encode(), seen)
            if at >= 0:
                seen = at + len(pairs[0][0])
                time.sleep(0.05)  # as a person would: after the prompt, not before
                answer = pairs[0][1]
                os.write(fd, b"\x03" if answer == "^C" else answer.encode() + b"\n")
                pairs.pop(0)
    echo = termios.tcgetattr(fd)[3] & termios.ECHO
    _, status = os.waitpid(pid, 0)
    sys.stdout.write(shown.decode(errors="replace"))
    sys.stdout.write("\ntool_tty: echo %s\n" % ("on" if echo else "off"))
    if pairs:
        sys.stdout.write("tool_tty: no prompt %r\n" % pairs[0][0])
        sys.exit(90)
    code = os.waitstatus_to_exitcode(status)
    sys.exit(128 - code if code < 0 else code)


main()
