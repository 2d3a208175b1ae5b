#!/usr/bin/env python3
# check-flatpak.py — the Flatpak manifest parses and agrees with the app.
#
# Copyright 2026 The Popfetch authors
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Usage: check-flatpak.py MANIFEST APP_ID   (prints TAP)

import json
import sys

manifest_path, app_id = sys.argv[1], sys.argv[2]
results = []


def check(name, ok, detail=""):
    results.append((name, bool(ok), detail))


try:
    with open(manifest_path, encoding="utf-8") as f:
        manifest = json.load(f)
    check("manifest parses as JSON", True)
except (OSError, ValueError) as e:
    print("1..1")
    print(f"not ok 1 - manifest parses as JSON # {e}")
    sys.exit(1)

check("app-id is the application id", manifest.get("app-id") == app_id,
      f"app-id is {manifest.get('app-id')!r}")
check("runs on the GNOME runtime",
      manifest.get("runtime") == "org.gnome.Platform"
      and manifest.get("sdk") == "org.gnome.Sdk"
      and isinstance(manifest.get("runtime-version"), str))
check("command is popfetch", manifest.get("command") == "popfetch")

args = manifest.get("finish-args", [])
for needed in ("--share=network", "--share=ipc", "--socket=wayland",
               "--socket=fallback-x11", "--device=dri"):
    check(f"finish-args has {needed}", needed in args)
# libsecret talks to the Secret portal inside the sandbox.
check("no org.freedesktop.secrets talk-name",
      not any("org.freedesktop.secrets" in a for a in args))
check("no blanket filesystem access",
      not any(a in ("--filesystem=host", "--filesystem=home") for a in args))

modules = manifest.get("modules", [])
last = modules[-1] if modules else {}
check("last module builds this tree with meson",
      last.get("buildsystem") == "meson"
      and {"type": "dir", "path": ".."} in last.get("sources", []))

print(f"1..{len(results)}")
failed = 0
for i, (name, ok, detail) in enumerate(results, 1):
    if ok:
        print(f"ok {i} - {name}")
    else:
        failed += 1
        print(f"not ok {i} - {name}" + (f" # {detail}" if detail else ""))
sys.exit(1 if failed else 0)
