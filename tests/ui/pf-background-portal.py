#!/usr/bin/python3
# pf-background-portal.py — a Background portal that writes down what it is asked
#
# Copyright 2026 The Popfetch authors
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
#   python3 pf-background-portal.py RECORD-FILE [deny]
#
# Owns org.freedesktop.portal.Desktop on the session bus and serves
# org.freedesktop.portal.Background at /org/freedesktop/portal/desktop, as
# xdg-desktop-portal does inside a Flatpak session. Each RequestBackground
# call is appended to RECORD-FILE as one line, a GVariant of type
# (ssa{sv}) in GVariant text format: the caller's unique name, then the
# call's parent_window and options. Each call is answered the portal's way: the call
# returns the path of a Request object
# (/org/freedesktop/portal/desktop/request/SENDER/TOKEN, from the caller's
# unique name and its handle_token), then a Response signal on that path
# carries the outcome: 0 with {"background": true, "autostart": what was
# asked}, or, with "deny", 1 (the user said no). Prints "READY" once it
# owns the name.

import os
import sys

from gi.repository import Gio, GLib

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import pf_dbus_standin  # noqa: E402

INTERFACE = """
<node>
  <interface name="org.freedesktop.portal.Background">
    <method name="RequestBackground">
      <arg type="s" name="parent_window" direction="in"/>
      <arg type="a{sv}" name="options" direction="in"/>
      <arg type="o" name="handle" direction="out"/>
    </method>
    <property name="version" type="u" access="read"/>
  </interface>
</node>
"""

record_path = sys.argv[1]
deny = len(sys.argv) > 2 and sys.argv[2] == "deny"
counter = 0


def on_call(connection, sender, path, interface, method, parameters, invocation):
    global counter
    if method != "RequestBackground":
        invocation.return_dbus_error("org.freedesktop.DBus.Error.UnknownMethod", method)
        return
    parent_window, options = parameters.unpack()
    record = GLib.Variant.new_tuple(GLib.Variant("s", sender), parameters.get_child_value(0),
                                    parameters.get_child_value(1))
    with open(record_path, "a", encoding="utf-8") as f:
        f.write(record.print_(True) + "\n")
    counter += 1
    token = options.get("handle_token", f"t{counter}")
    handle = f"/org/freedesktop/portal/desktop/request/{sender[1:].replace('.', '_')}/{token}"
    invocation.return_value(GLib.Variant("(o)", (handle,)))

    def respond():
        results = {"background": GLib.Variant("b", not deny),
                   "autostart": GLib.Variant("b", bool(options.get("autostart")) and not deny)}
        connection.emit_signal(sender, handle, "org.freedesktop.portal.Request", "Response",
                               GLib.Variant("(ua{sv})", (1 if deny else 0, results)))
        return False
    GLib.idle_add(respond)


def on_get_property(connection, sender, path, interface, name):
    return GLib.Variant("u", 1) if name == "version" else None


def on_bus(connection, name):
    node = Gio.DBusNodeInfo.new_for_xml(INTERFACE)
    connection.register_object("/org/freedesktop/portal/desktop", node.interfaces[0],
                               on_call, on_get_property, None)


pf_dbus_standin.run("org.freedesktop.portal.Desktop", on_bus, record_path)
