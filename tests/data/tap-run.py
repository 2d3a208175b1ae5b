#!/usr/bin/env python3
# tap-run.py — run a validator and report it as one TAP test.
#
# Copyright 2026 The Popfetch authors
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Usage: tap-run.py NAME PROGRAM [ARGS...]

import shutil
import subprocess
import sys

name, program, args = sys.argv[1], sys.argv[2], sys.argv[3:]
print("1..1")
if shutil.which(program) is None:
    print(f"not ok 1 - {name} # {program} is not installed")
    sys.exit(1)

proc = subprocess.run([program] + args, stdout=subprocess.PIPE,
                      stderr=subprocess.STDOUT, text=True)
for line in proc.stdout.splitlines():
    print(f"# {line}")
if proc.returncode == 0:
    print(f"ok 1 - {name}")
else:
    print(f"not ok 1 - {name} # {program} exited with {proc.returncode}")
sys.exit(proc.returncode)
