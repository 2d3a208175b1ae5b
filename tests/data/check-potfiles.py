#!/usr/bin/env python3
# check-potfiles.py — po/POTFILES.in lists every file with translatable
# strings, and the translation template builds from it.
#
# Copyright 2026 The Popfetch authors
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Usage: check-potfiles.py SOURCE_ROOT   (prints TAP)

import os
import re
import shutil
import subprocess
import sys
import tempfile

root = sys.argv[1]
results = []

with open(os.path.join(root, "po", "POTFILES.in"), encoding="utf-8") as f:
    listed = [l.strip() for l in f if l.strip() and not l.startswith("#")]

missing = [p for p in listed if not os.path.isfile(os.path.join(root, p))]
results.append(("every listed file exists", not missing, " ".join(missing)))

marker = re.compile(r'\b(?:_|N_|C_|NC_|g_dngettext|ngettext)\s*\(\s*"|translatable="yes"')
unlisted = []
for folder, _, names in os.walk(os.path.join(root, "src")):
    for name in names:
        if not name.endswith((".c", ".ui")):
            continue
        path = os.path.relpath(os.path.join(folder, name), root)
        with open(os.path.join(root, path), encoding="utf-8", errors="replace") as f:
            if marker.search(f.read()) and path not in listed:
                unlisted.append(path)
results.append(("every source file with translatable strings is listed",
                not unlisted, " ".join(sorted(unlisted))))

# The same extraction the popfetch-pot target runs (glib preset).
if shutil.which("xgettext") is None:
    results.append(("the template builds", False, "xgettext is not installed"))
else:
    with tempfile.TemporaryDirectory() as tmp:
        pot = os.path.join(tmp, "popfetch.pot")
        proc = subprocess.run(
            ["xgettext", "--package-name=popfetch", "--from-code=UTF-8",
             "--add-comments", "--keyword=_", "--keyword=N_",
             "--keyword=C_:1c,2", "--keyword=NC_:1c,2",
             "--keyword=g_dcgettext:2", "--keyword=g_dngettext:2,3",
             "--keyword=g_dpgettext2:2c,3",
             "--flag=N_:1:pass-c-format", "--flag=C_:2:pass-c-format",
             "--flag=NC_:2:pass-c-format", "--flag=g_dngettext:2:pass-c-format",
             "--flag=g_strdup_printf:1:c-format",
             "--flag=g_string_printf:2:c-format",
             "--flag=g_string_append_printf:2:c-format",
             "--flag=g_error_new:3:c-format", "--flag=g_set_error:4:c-format",
             "--flag=g_markup_printf_escaped:1:c-format",
             "--directory", root, "--files-from",
             os.path.join(root, "po", "POTFILES.in"), "-o", pot],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        ok = proc.returncode == 0 and os.path.isfile(pot)
        results.append(("the template builds", ok, proc.stdout.strip().replace("\n", " | ")))

print(f"1..{len(results)}")
failed = 0
for i, (name, ok, detail) in enumerate(results, 1):
    if ok:
        print(f"ok {i} - {name}")
    else:
        failed += 1
        print(f"not ok {i} - {name}" + (f" # {detail}" if detail else ""))
sys.exit(1 if failed else 0)
