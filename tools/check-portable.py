#!/usr/bin/env python3
"""The module's portability rule (docs/architecture.md, "The platform"): outside
src/os, its files include ISO C headers and the headers of the libraries it is
built on (OpenSSL, libusb, PC/SC), never an operating system's. Also checked for
the virtual token (tools/kaztoken-sim), which the Windows build compiles too.

  check-portable.py ROOT          exit 0 when the rule holds, 1 (with each offence) when not
"""
import pathlib
import re
import sys

ISO_C = {
    "assert.h", "complex.h", "ctype.h", "errno.h", "fenv.h", "float.h", "inttypes.h", "iso646.h",
    "limits.h", "locale.h", "math.h", "setjmp.h", "signal.h", "stdarg.h", "stdbool.h", "stddef.h",
    "stdint.h", "stdio.h", "stdlib.h", "string.h", "tgmath.h", "time.h", "wchar.h", "wctype.h",
}
# the libraries' own APIs (each portable across the systems it exists on)
# (and getopt.h, which glibc, macOS and mingw-w64 all provide, for the simulator)
LIBRARIES = re.compile(r"^(openssl/.*|libusb\.h|winscard\.h|PCSC/winscard\.h|PCSC/wintypes\.h|"
                       r"immintrin\.h|valgrind/memcheck\.h|getopt\.h)$")
# what the rule covers; the simulator's vpcd client is Linux's (vpcd_none.c elsewhere)
COVERED = ["src", "apdu", "include", "tools/kaztoken-sim"]
EXEMPT_DIRS = ["src/os"]
EXEMPT_FILES = ["tools/kaztoken-sim/vpcd.c"]
INCLUDE = re.compile(r'^\s*#\s*include\s*<([^>]+)>', re.M)


def offences(root):
    found = []
    for top in COVERED:
        for path in sorted((root / top).rglob("*")):
            rel = path.relative_to(root).as_posix()
            if path.suffix not in (".c", ".h") or any(rel.startswith(d + "/") for d in EXEMPT_DIRS):
                continue
            if rel in EXEMPT_FILES:
                continue
            for m in INCLUDE.finditer(path.read_text(encoding="utf-8")):
                header = m.group(1)
                if header not in ISO_C and not LIBRARIES.match(header):
                    line = path.read_text(encoding="utf-8").count("\n", 0, m.start()) + 1
                    found.append(f"{rel}:{line}: <{header}> is an operating system's header: "
                                 f"put what it is used for behind an interface in src/os")
    return found


def main():
    if len(sys.argv) != 2:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    found = offences(pathlib.Path(sys.argv[1]))
    for f in found:
        print(f)
    if not found:
        print("ok: outside src/os the module includes only ISO C and its libraries' headers")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
