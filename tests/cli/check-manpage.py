#!/usr/bin/env python3
# check-manpage.py — every command and option of popfetch-cli's --help is in
# its manual page, each option in its command's section (TAP).
#
# Copyright 2026 The Popfetch authors
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Usage: check-manpage.py POPFETCH-CLI MANPAGE

import os
import re
import shutil
import subprocess
import sys

program, manpage = sys.argv[1], sys.argv[2]
env = dict(os.environ, LC_ALL="C")
results = []


def check(ok, name, note=""):
    results.append((ok, name, note))


def help_text(*args):
    proc = subprocess.run([program, *args, "--help"], stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, env=env)
    return proc.stdout


def plain(text):
    """Roff source as words: font escapes gone, \\- a hyphen."""
    text = re.sub(r"\\f[BIRP]", "", text)
    text = text.replace("\\-", "-").replace("\\(em", "-")
    return text


with open(manpage, encoding="utf-8") as f:
    source = plain(f.read())

# The sections of the commands: ".SS name ..." up to the next .SS or .SH.
sections = {}
for match in re.finditer(r"^\.SS (\S+)(.*?)(?=^\.S[SH] )", source, re.M | re.S):
    sections[match.group(1)] = match.group(0)

top = help_text()
commands = re.findall(r"^  ([a-z][a-z-]*)  +\S", top.split("Commands:")[1].split("\n\n")[0], re.M)
check(len(commands) >= 10, "popfetch-cli --help lists the commands", f"found {commands}")
for option in ("--help", "--version"):
    check(option in source, f"the manual page names popfetch-cli {option}")

for command in commands:
    section = sections.get(command)
    check(section is not None, f"the manual page has a section for the command {command}")
    if section is None:
        continue
    text = help_text(command)
    options = text.split("Application Options:")[1] if "Application Options:" in text else ""
    for line in options.splitlines():
        match = re.match(r"^\s+(?:(-[a-zA-Z]), )?(--[a-z][a-z0-9-]*)", line)
        if match is None:
            continue
        short, long = match.group(1), match.group(2)
        check(re.search(re.escape(long) + r"(?![a-z0-9-])", section) is not None,
              f"{command} {long} is in the manual page's section {command}")
        if short is not None:
            check(re.search(re.escape(short) + r"(?![a-z0-9-])", section) is not None,
                  f"{command} {short} is in the manual page's section {command}")

if shutil.which("groff"):
    proc = subprocess.run(["groff", "-man", "-ww", "-z", manpage], stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, env=env)
    check(proc.returncode == 0 and proc.stdout.strip() == "", "groff reads the page without a warning",
          proc.stdout.strip().replace("\n", " | "))

print(f"1..{len(results)}")
failed = 0
for i, (ok, name, note) in enumerate(results, 1):
    if ok:
        print(f"ok {i} - {name}")
    else:
        failed += 1
        print(f"not ok {i} - {name}" + (f" # {note}" if note else ""))
sys.exit(1 if failed else 0)
