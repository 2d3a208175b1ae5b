#!/usr/bin/python3
# test-ui-network.py — periodic fetches and the network: offline, back
# online, metered
#
# Copyright 2026 The Popfetch authors
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
#   python3 test-ui-network.py POPFETCH PF-UI-SERVER SCREENSHOT-DIR SCHEMA-DIR
#
# GIO's network monitor learns about the network from NetworkManager on
# the system bus. Here that is python-dbusmock's NetworkManager on a
# private system bus (DBUS_SYSTEM_BUS_ADDRESS), and GIO is told to use its
# NetworkManager monitor (GIO_USE_NETWORK_MONITOR, GIO's own variable):
# the test switches the stand-in's Connectivity and Metered properties
# and watches the Maildir and the account row. The mail server itself is
# the Dovecot fixture on loopback, reachable whatever the stand-in says.

import os
import re
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from pf_ui_session import (App, DemoServer, Session, Tap, TestFailure, require,  # noqa: E402
                           run_in_private_bus, running, set_settings, use_schema_dir, wait_for)

run_in_private_bus()

POPFETCH, SERVER, SHOTS, SCHEMA_DIR = sys.argv[1:5]
use_schema_dir(SCHEMA_DIR)

ACCOUNT = "Demo"
SAMPLES = 26

# NetworkManager's NMState, NMConnectivityState and NMMetered. GIO's
# monitor says the network is gone when NM's State is below connected.
NM_STATE_DISCONNECTED, NM_STATE_CONNECTED_GLOBAL = 20, 70
NM_CONNECTIVITY_NONE, NM_CONNECTIVITY_FULL = 1, 4
NM_METERED_YES, NM_METERED_NO = 1, 2
NM_IFACE = "org.freedesktop.NetworkManager"

tap = Tap()
require(tap, ("Xvfb", "gnome-keyring-daemon", "secret-tool", "dbus-daemon"), dovecot=True)
if os.environ.get("POPFETCH_TEST_HOOKS") != "1":
    tap.skip_all("needs a build with -Dtest_hooks=true")
try:
    import dbus  # noqa: E402
    import dbusmock  # noqa: E402
except ImportError:
    if os.environ.get("REQUIRE_DISPLAY") == "1":
        print("Bail out! python3-dbusmock is missing")
        sys.exit(1)
    tap.skip_all("python3-dbusmock is not installed")

import pyatspi  # noqa: E402

session = Session(SHOTS)
session.start()


def delivered(home):
    path = os.path.join(home, "Mail", ACCOUNT, "new")
    return len(os.listdir(path)) if os.path.isdir(path) else 0


def labels(app, pattern):
    return [a.name for a in app.find_all(pyatspi.ROLE_LABEL) if a.name and re.match(pattern, a.name)]


class NetworkManager:
    """python-dbusmock's NetworkManager template on a private system bus."""

    def __init__(self):
        dbusmock.DBusTestCase.start_system_bus()
        self.proc, _ = dbusmock.DBusTestCase.spawn_server_template(
            "networkmanager", {}, stdout=subprocess.DEVNULL)
        self.obj = dbusmock.DBusTestCase.get_dbus(system_bus=True).get_object(
            NM_IFACE, "/org/freedesktop/NetworkManager")
        # GIO reads Metered too; the template has no such property.
        self.obj.AddProperty(NM_IFACE, "Metered", dbus.UInt32(NM_METERED_NO),
                             dbus_interface=dbusmock.MOCK_IFACE)

    def set(self, **properties):
        self.obj.UpdateProperties(NM_IFACE, {name: dbus.UInt32(value) for name, value in properties.items()},
                                  dbus_interface=dbusmock.MOCK_IFACE)

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=10)
        dbusmock.DBusTestCase.tearDownClass()


# Ten "minutes" of two seconds: a fetch that comes within a few seconds of
# the network coming back is the one the network brought, not the interval's.
SECONDS_PER_MINUTE = 2
INTERVAL = 10


def test_offline_online_metered(nm):
    server = DemoServer(session, SERVER, "network")
    home = session.saved_account("network")
    set_settings(home, fetch_interval=INTERVAL)
    nm.set(State=NM_STATE_DISCONNECTED, Connectivity=NM_CONNECTIVITY_NONE)

    with running(session, server) as apps:
        app = App(session, POPFETCH, home,
                  {"POPFETCH_DEMO": server.key_file, "GSETTINGS_BACKEND": "keyfile",
                   "GIO_USE_NETWORK_MONITOR": "networkmanager",
                   "POPFETCH_TEST_SECONDS_PER_MINUTE": str(SECONDS_PER_MINUTE)})
        apps.append(app)
        app.find(pyatspi.ROLE_LABEL, ACCOUNT)

        # Offline: the row says why, and a due fetch does not run.
        app.find(pyatspi.ROLE_LABEL, "Next fetch when the network is back", timeout=10)
        time.sleep(INTERVAL * SECONDS_PER_MINUTE + 4)
        if delivered(home) != 0:
            raise TestFailure(f"fetched while offline: {delivered(home)} messages")

        # Back online: the fetch that fell due runs soon, once.
        online_at = time.monotonic()
        nm.set(State=NM_STATE_CONNECTED_GLOBAL, Connectivity=NM_CONNECTIVITY_FULL)
        wait_for("the fetch after the network came back", lambda: delivered(home) == SAMPLES, timeout=15)
        waited = time.monotonic() - online_at
        print(f"# fetched {waited:.1f} s after the network came back")
        if waited > INTERVAL * SECONDS_PER_MINUTE - 2:
            raise TestFailure(f"the fetch came {waited:.1f} s later, with the interval, not soon")
        if waited < 1.5:
            raise TestFailure(f"the fetch came {waited:.1f} s after the network, before it could settle")
        wait_for("the next fetch on the row", lambda: labels(app, r"Next fetch at "), timeout=10)

        # Metered: periodic fetches pause, the row says so.
        server.add_messages(2)
        nm.set(Metered=NM_METERED_YES)
        app.find(pyatspi.ROLE_LABEL, "Next fetch on a network that is not metered", timeout=10)
        time.sleep(INTERVAL * SECONDS_PER_MINUTE + 4)
        if delivered(home) != SAMPLES:
            raise TestFailure(f"fetched on a metered network: {delivered(home)} messages")

        # Allowed in Preferences (Fetch on Metered Networks): the due fetch runs soon.
        allowed_at = time.monotonic()
        set_settings(home, fetch_interval=INTERVAL, fetch_on_metered="true")
        wait_for("the fetch allowed on the metered network", lambda: delivered(home) == SAMPLES + 2, timeout=15)
        waited = time.monotonic() - allowed_at
        print(f"# fetched {waited:.1f} s after metered fetches were allowed")
        if waited > INTERVAL * SECONDS_PER_MINUTE - 2:
            raise TestFailure(f"the fetch came {waited:.1f} s later, with the interval, not soon")


nm = NetworkManager()
try:
    tap.run("/ui/network/offline-waits-online-fetches-soon-metered-pauses", test_offline_online_metered, nm)
finally:
    nm.stop()
    session.stop()
tap.finish()
