#!/usr/bin/python3
# pf-clipboard.py — print the text on the X clipboard of $DISPLAY
#
# Copyright 2026 The Popfetch authors
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Reads the clipboard the way a paste in another app does (GTK 4, so the
# owner converts it through the X selection), prints it to standard
# output unchanged, and exits 1 if there is no text on it.

import sys

import gi

gi.require_version("Gdk", "4.0")
gi.require_version("Gtk", "4.0")
from gi.repository import Gdk, GLib, Gtk  # noqa: E402

Gtk.init()
loop = GLib.MainLoop()
result = {}


def on_text(clipboard, task):
    try:
        result["text"] = clipboard.read_text_finish(task)
    except GLib.Error as e:
        result["error"] = e.message
    loop.quit()


Gdk.Display.get_default().get_clipboard().read_text_async(None, on_text)
GLib.timeout_add_seconds(10, loop.quit)
loop.run()
if result.get("text") is None:
    print(result.get("error", "no text on the clipboard"), file=sys.stderr)
    sys.exit(1)
sys.stdout.write(result["text"])
