#!/usr/bin/python3
# test-ui-window.py — the app opens its window, reachable over AT-SPI, and
# Ctrl+Q quits it
#
# Copyright 2026 The Popfetch authors
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
#   python3 test-ui-window.py POPFETCH SCREENSHOT-DIR SCHEMA-DIR
#
# No mail server: a fresh HOME without accounts.

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from pf_ui_session import (App, Session, Tap, TestFailure, is_showing, require,  # noqa: E402
                           run_in_private_bus, running, use_schema_dir, wait_for)

run_in_private_bus()

POPFETCH, SHOTS, SCHEMA_DIR = sys.argv[1:4]
use_schema_dir(SCHEMA_DIR)

tap = Tap()
require(tap, ("Xvfb", "gnome-keyring-daemon"))

import pyatspi  # noqa: E402  (after the checks: needs the session bus)

session = Session(SHOTS)
session.start()


def main_window(app):
    return wait_for("a window titled 'Popfetch'",
                    lambda: [w for w in app.windows() if w.name == "Popfetch"], timeout=10)[0]


def test_title():
    app = App(session, POPFETCH, session.new_home("title"))
    with running(session, app):
        window = main_window(app)
        wait_for("the window to show", lambda: is_showing(window), timeout=10)
        session.screenshot("window-title")


def test_ctrl_q_quits():
    app = App(session, POPFETCH, session.new_home("ctrl-q"))
    with running(session, app):
        window = main_window(app)
        wait_for("the window to take the keyboard focus",
                 lambda: window.getState().contains(pyatspi.STATE_ACTIVE), timeout=10)
        app.key("<Control>q")
        wait_for("the app to quit", lambda: app.proc.poll() is not None, timeout=10)
        if app.proc.returncode != 0:
            raise TestFailure(f"the app exited with {app.proc.returncode}")
        app.quit()


try:
    tap.run("/ui/window/title", test_title)
    tap.run("/ui/window/ctrl-q-quits", test_ctrl_q_quits)
finally:
    session.stop()
tap.finish()
