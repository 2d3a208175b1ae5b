# pf_dbus_standin.py — what the tests' D-Bus stand-ins share
#
# Copyright 2026 The Popfetch authors
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# A stand-in owns one well-known name on the session bus and serves a
# desktop service's real interface there. run() creates its record file,
# owns the name, prints "READY" once it does (the test waits for that
# line) and "LOST" if it loses it, and runs the main loop until loop.quit().

from gi.repository import Gio, GLib

loop = GLib.MainLoop()


def run(bus_name, on_bus, record_path):
    """Own BUS_NAME; ON_BUS(connection, name) registers the objects."""
    def on_name(connection, name):
        print("READY", flush=True)

    def on_lost(connection, name):
        print("LOST", flush=True)
        loop.quit()

    open(record_path, "a").close()
    Gio.bus_own_name(Gio.BusType.SESSION, bus_name, Gio.BusNameOwnerFlags.NONE,
                     on_bus, on_name, on_lost)
    loop.run()
