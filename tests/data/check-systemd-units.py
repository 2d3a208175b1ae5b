#!/usr/bin/env python3
# check-systemd-units.py — the shipped systemd user units pass
# `systemd-analyze verify --user` without a single warning, with ExecStart
# pointing at this build's popfetch-cli and man:popfetch-cli(1) found (TAP).
#
# Copyright 2026 The Popfetch authors
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Usage: check-systemd-units.py SERVICE.in TIMER POPFETCH-CLI MANPAGE...

import os
import re
import shutil
import subprocess
import sys
import tempfile

service_in, timer_path, program = sys.argv[1:4]
manpages = sys.argv[4:]
results = []


def check(ok, name, note=""):
    results.append((ok, name, note))


with open(service_in, encoding="utf-8") as f:
    service = f.read()
with open(timer_path, encoding="utf-8") as f:
    timer = f.read()

check(re.search(r'^ExecStart="@bindir@/popfetch-cli" fetch --quiet --notify$', service, re.M) is not None,
      "the service runs popfetch-cli fetch --quiet --notify for all saved accounts")
check(re.search(r"^Type=oneshot$", service, re.M) is not None, "the service is a oneshot")
check(re.search(r"^OnUnitActiveSec=15min$", timer, re.M) is not None,
      "the timer fetches every 15 minutes by default")
check(re.search(r"^OnCalendar=\S+$", timer, re.M) is not None
      and re.search(r"^Persistent=true$", timer, re.M) is not None,
      "a fetch missed during sleep or power off runs once at wake (calendar tick, Persistent)")
check(re.search(r"^WantedBy=timers.target$", timer, re.M) is not None, "the timer installs into timers.target")

analyze = shutil.which("systemd-analyze")
if analyze is None:
    check(False, "systemd-analyze verify --user", "systemd-analyze is not installed")
else:
    with tempfile.TemporaryDirectory() as tmp:
        units = os.path.join(tmp, "units")
        runtime = os.path.join(tmp, "runtime")
        man1 = os.path.join(tmp, "man", "man1")
        os.makedirs(units)
        os.makedirs(man1)
        os.mkdir(runtime, 0o700)
        for page in manpages:
            shutil.copy(page, man1)
        bindir = os.path.dirname(os.path.abspath(program))
        with open(os.path.join(units, "popfetch-fetch.service"), "w", encoding="utf-8") as f:
            f.write(service.replace("@bindir@", bindir))
        shutil.copy(timer_path, os.path.join(units, "popfetch-fetch.timer"))
        # --user needs a runtime directory; MANPATH makes the Documentation=
        # check find this tree's manual page.
        env = dict(os.environ, XDG_RUNTIME_DIR=runtime, MANPATH=os.path.join(tmp, "man"),
                   SYSTEMD_LOG_COLOR="0", LC_ALL="C")
        # Without man(1) the Documentation= check cannot run: say so, skip it.
        man_check = [] if shutil.which("man") else ["--man=no"]
        if man_check:
            print("# man is not installed: Documentation=man:popfetch-cli(1) is not looked up")
        proc = subprocess.run([analyze, "verify", "--user"] + man_check + [
                               os.path.join(units, "popfetch-fetch.timer"),
                               os.path.join(units, "popfetch-fetch.service")],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
        for line in proc.stdout.splitlines():
            print(f"# {line}")
        check(proc.returncode == 0 and proc.stdout.strip() == "",
              "systemd-analyze verify --user passes without a warning",
              f"exit {proc.returncode}, {len(proc.stdout.splitlines())} lines")

print(f"1..{len(results)}")
failed = 0
for i, (ok, name, note) in enumerate(results, 1):
    if ok:
        print(f"ok {i} - {name}")
    else:
        failed += 1
        print(f"not ok {i} - {name}" + (f" # {note}" if note else ""))
sys.exit(1 if failed else 0)
