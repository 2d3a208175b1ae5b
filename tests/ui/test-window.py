#!/usr/bin/python3
# test-window.py — the app opens its window, reachable over AT-SPI.
#
# Copyright 2026 The Popfetch authors
#
# SPDX-License-Identifier: GPL-3.0-or-later

import pfui


@pfui.test("/ui/window/title")
def window_title(ui):
    app = ui.start_app()
    window = ui.find_window(app, "Popfetch")
    ui.wait_for(lambda: window.getState().contains(ui.pyatspi.STATE_SHOWING),
                what="the window to show")
    ui.screenshot("window-title")


@pfui.test("/ui/window/ctrl-q-quits")
def ctrl_q_quits(ui):
    app = ui.start_app()
    window = ui.find_window(app, "Popfetch")
    ui.wait_for(lambda: window.getState().contains(ui.pyatspi.STATE_ACTIVE),
                what="the window to take the keyboard focus")
    ui.key("<Control>q")
    ui.wait_for(lambda: app.process.poll() is not None, what="the app to quit")
    assert app.process.returncode == 0, f"the app exited with {app.process.returncode}"


pfui.main()
