#!/usr/bin/python3
# pf-notifications.py — a desktop notification server that writes down what it is sent
#
# Copyright 2026 The Popfetch authors
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
#   python3 pf-notifications.py RECORD-FILE
#
# Owns org.freedesktop.Notifications on the session bus and appends one
# JSON object per Notify call to RECORD-FILE: {"id", "app_name",
# "replaces_id", "app_icon", "summary", "body", "actions", "hints"}.
# Prints "READY" once it owns the name. A line "invoke ID KEY" on standard
# input clicks a notification: it emits ActionInvoked(ID, KEY), as a
# notification server does when the user clicks ("default") or presses one
# of its buttons. Outside a sandbox, and with nobody owning
# org.gtk.Notifications, this is the interface GApplication's notification
# backend talks to (GLib's freedesktop backend).

import json
import os
import sys

from gi.repository import Gio, GLib

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import pf_dbus_standin  # noqa: E402

INTERFACE = """
<node>
  <interface name="org.freedesktop.Notifications">
    <method name="Notify">
      <arg type="s" name="app_name" direction="in"/>
      <arg type="u" name="replaces_id" direction="in"/>
      <arg type="s" name="app_icon" direction="in"/>
      <arg type="s" name="summary" direction="in"/>
      <arg type="s" name="body" direction="in"/>
      <arg type="as" name="actions" direction="in"/>
      <arg type="a{sv}" name="hints" direction="in"/>
      <arg type="i" name="expire_timeout" direction="in"/>
      <arg type="u" name="id" direction="out"/>
    </method>
    <method name="CloseNotification">
      <arg type="u" name="id" direction="in"/>
    </method>
    <method name="GetCapabilities">
      <arg type="as" name="capabilities" direction="out"/>
    </method>
    <method name="GetServerInformation">
      <arg type="s" name="name" direction="out"/>
      <arg type="s" name="vendor" direction="out"/>
      <arg type="s" name="version" direction="out"/>
      <arg type="s" name="spec_version" direction="out"/>
    </method>
    <signal name="NotificationClosed">
      <arg type="u" name="id"/>
      <arg type="u" name="reason"/>
    </signal>
    <signal name="ActionInvoked">
      <arg type="u" name="id"/>
      <arg type="s" name="action_key"/>
    </signal>
  </interface>
</node>
"""

record_path = sys.argv[1]
last_id = 0


def on_call(connection, sender, path, interface, method, parameters, invocation):
    global last_id
    if method == "Notify":
        app_name, replaces_id, app_icon, summary, body, actions, hints, _timeout = parameters.unpack()
        last_id = replaces_id or last_id + 1
        with open(record_path, "a", encoding="utf-8") as f:
            f.write(json.dumps({"id": last_id, "app_name": app_name, "replaces_id": replaces_id,
                                "app_icon": app_icon, "summary": summary, "body": body,
                                "actions": actions, "hints": {k: str(v) for k, v in hints.items()}})
                    + "\n")
        invocation.return_value(GLib.Variant("(u)", (last_id,)))
    elif method == "CloseNotification":
        invocation.return_value(None)
    elif method == "GetCapabilities":
        invocation.return_value(GLib.Variant("(as)", (["body", "actions"],)))
    elif method == "GetServerInformation":
        invocation.return_value(GLib.Variant("(ssss)", ("pf-notifications", "Popfetch tests", "1", "1.2")))


bus = None


def on_bus(connection, name):
    global bus
    bus = connection
    node = Gio.DBusNodeInfo.new_for_xml(INTERFACE)
    connection.register_object("/org/freedesktop/Notifications", node.interfaces[0], on_call)


def on_stdin(channel, condition):
    line = sys.stdin.readline()
    if not line:
        pf_dbus_standin.loop.quit()
        return False
    words = line.split()
    if len(words) == 3 and words[0] == "invoke" and bus is not None:
        bus.emit_signal(None, "/org/freedesktop/Notifications", "org.freedesktop.Notifications",
                        "ActionInvoked", GLib.Variant("(us)", (int(words[1]), words[2])))
        bus.flush_sync(None)
        print("INVOKED", flush=True)
    return True


GLib.io_add_watch(GLib.IOChannel.unix_new(sys.stdin.fileno()), GLib.PRIORITY_DEFAULT,
                  GLib.IOCondition.IN | GLib.IOCondition.HUP, on_stdin)
pf_dbus_standin.run("org.freedesktop.Notifications", on_bus, record_path)
