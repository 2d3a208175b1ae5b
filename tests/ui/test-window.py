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


pfui.main()
