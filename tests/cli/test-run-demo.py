#!/usr/bin/env python3
# test-run-demo.py — `./run --demo` without a display: the README's first
# command starts the demo server and shows detection and a fetch through
# popfetch-cli, against the build under test.
#
# Copyright 2026 The Popfetch authors
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Usage: test-run-demo.py SOURCE_ROOT BUILD_ROOT   (prints TAP)

import os
import re
import shutil
import subprocess
import sys

source_root, build_root = sys.argv[1], sys.argv[2]
results = []


def check(ok, name, detail=""):
    results.append((bool(ok), name, detail))


def finish():
    print(f"1..{len(results)}")
    for n, (ok, name, detail) in enumerate(results, 1):
        print(f"{'ok' if ok else 'not ok'} {n} - {name}")
        if not ok and detail:
            for line in detail.splitlines():
                print(f"# {line}")
    sys.exit(0)


if shutil.which("dovecot") is None:
    if os.environ.get("REQUIRE_DOVECOT") == "1":
        print("1..1\nnot ok 1 - dovecot is required (REQUIRE_DOVECOT=1) but not installed")
    else:
        print("1..0 # SKIP dovecot is not installed")
    sys.exit(0)

env = dict(os.environ)
env.pop("DISPLAY", None)
env.pop("WAYLAND_DISPLAY", None)
env["POPFETCH_RUN_BUILD_DIR"] = build_root

proc = subprocess.run([os.path.join(source_root, "run"), "--demo"],
                      env=env, stdin=subprocess.DEVNULL, capture_output=True,
                      text=True, timeout=240)
out = proc.stdout + proc.stderr
check(proc.returncode == 0, "./run --demo exits 0 without a display",
      f"status {proc.returncode}\n{out}")
check("No display found" in proc.stdout, "says there is no display", out)
check("$ popfetch-cli detect demo@" in proc.stdout, "runs detection of the demo address", out)
check(re.search(r"popfetch\.test", proc.stdout) is not None
      and "(detect exited" not in proc.stdout,
      "detection finds the demo server", out)

m = re.search(r"The demo mail went to (\S+) \((\d+) messages\)", proc.stdout)
check(m is not None and int(m.group(2)) > 0, "fetch stores the sample mail and says where", out)
if m is not None:
    maildir = m.group(1)
    new = os.listdir(os.path.join(maildir, "new"))
    check(len(new) == int(m.group(2)), "the Maildir holds what the summary counts",
          f"{len(new)} files in new/")
    check(os.listdir(os.path.join(maildir, "tmp")) == [], "nothing is left in tmp/")
    check(source_root not in maildir or build_root in maildir,
          "the demo mail lives in the build directory, not the source tree", maildir)
    shutil.rmtree(os.path.dirname(maildir), ignore_errors=True)

# The demo server ends with ./run: nothing of this demo is left running,
# and its state directory is gone.
k = re.search(r"POPFETCH_DEMO=(\S+)", out)
check(k is not None, "the demo server says where its key file is", out)
if k is not None:
    key_file = k.group(1)
    ps = subprocess.run(["ps", "-eo", "args"], capture_output=True, text=True).stdout
    left = [l for l in ps.splitlines() if os.path.dirname(key_file) in l]
    check(not left, "the demo server stopped with ./run", "\n".join(left))
    check(not os.path.exists(os.path.dirname(key_file)), "the demo state directory is removed")
finish()
