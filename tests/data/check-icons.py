#!/usr/bin/env python3
# check-icons.py — the app icons exist under the app id, parse as SVG and
# have the sizes GNOME expects; the desktop file names the icon.
#
# Copyright 2026 The Popfetch authors
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Usage: check-icons.py SOURCE_ROOT APP_ID DESKTOP_FILE   (prints TAP)

import os
import sys
import xml.etree.ElementTree as ET

root, app_id, desktop_file = sys.argv[1], sys.argv[2], sys.argv[3]
icons = os.path.join(root, "data", "icons", "hicolor")
results = []


def check_svg(label, path, size):
    try:
        svg = ET.parse(path).getroot()
    except (OSError, ET.ParseError) as e:
        results.append((f"{label} parses as SVG", False, str(e)))
        return
    results.append((f"{label} parses as SVG", svg.tag == "{http://www.w3.org/2000/svg}svg", svg.tag))
    results.append((f"{label} is {size}x{size}",
                    svg.get("width") == str(size) and svg.get("height") == str(size)
                    and svg.get("viewBox") == f"0 0 {size} {size}",
                    f"width={svg.get('width')} height={svg.get('height')} viewBox={svg.get('viewBox')}"))
    drawn = [e for e in svg.iter() if e.tag.split("}")[-1] in ("path", "rect", "circle", "ellipse", "polygon")]
    results.append((f"{label} draws something", len(drawn) > 0, ""))


check_svg("scalable app icon", os.path.join(icons, "scalable", "apps", app_id + ".svg"), 128)
check_svg("symbolic icon", os.path.join(icons, "symbolic", "apps", app_id + "-symbolic.svg"), 16)

with open(desktop_file, encoding="utf-8") as f:
    icon_lines = [l.strip() for l in f if l.startswith("Icon=")]
results.append(("desktop file names the app icon", icon_lines == [f"Icon={app_id}"], " ".join(icon_lines)))

print(f"1..{len(results)}")
failed = 0
for i, (name, ok, detail) in enumerate(results, 1):
    if ok:
        print(f"ok {i} - {name}")
    else:
        failed += 1
        print(f"not ok {i} - {name}" + (f" # {detail}" if detail else ""))
sys.exit(1 if failed else 0)
