#!/usr/bin/python3
# test-ui-provider.py — the app knows the provider: setup says what the
# provider table says as the address is typed, one row per server, and the
# account page explains the provider's own keep-on-server setting
#
# Copyright 2026 The Popfetch authors
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
#   python3 test-ui-provider.py POPFETCH PF-UI-SERVER SCREENSHOT-DIR SCHEMA-DIR
#
# The provider table is compiled in and asked offline: the tests that type
# a provider's address need no network and no resolver; the one that
# detects runs against the Dovecot fixture behind POPFETCH_DEMO (detection
# maps popfetch.test to loopback).

import os
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from pf_ui_session import (App, DemoServer, Session, Tap, TestFailure, activate_row,  # noqa: E402
                           click_at, require, run_in_private_bus, running, use_schema_dir, wait_for)

run_in_private_bus()

POPFETCH, SERVER, SHOTS, SCHEMA_DIR = sys.argv[1:5]
use_schema_dir(SCHEMA_DIR)

tap = Tap()
require(tap, ("Xvfb", "gnome-keyring-daemon"), dovecot=True)

import pyatspi  # noqa: E402  (after the checks: needs the session bus)

session = Session(SHOTS)
session.start()


def labels(app, pattern, node=None):
    return [a.name for a in app.find_all(pyatspi.ROLE_LABEL, node=node) if a.name and re.search(pattern, a.name)]


def setup_window(app):
    return wait_for("the setup window", lambda: [w for w in app.windows() if w.name == "Add Account"])[0]


def sensitive(acc):
    return acc.getState().contains(pyatspi.STATE_SENSITIVE)


def open_setup(name):
    home = session.new_home(name)
    app = App(session, POPFETCH, home)
    app.click(pyatspi.ROLE_PUSH_BUTTON, "Add Account")
    app.find(pyatspi.ROLE_PUSH_BUTTON, "Find Settings")
    return app


def type_address(app, address):
    """Types @address into the Mail Address field; the time the last key
    went out."""
    click_at(app.find(pyatspi.ROLE_TEXT, "Mail Address"))
    time.sleep(0.3)
    app.type_text(address)
    return time.monotonic()


def test_no_pop3_said_at_once():
    """iCloud Mail has no POP3: said within a second of typing the address,
    before any password or probe, and neither Find Settings nor manual
    settings lead on into a probe that cannot work."""
    app = open_setup("icloud")
    with running(session, app):
        window = setup_window(app)
        typed = type_address(app, "someone@icloud.com")
        wait_for("the no-POP3 statement",
                 lambda: labels(app, r"^iCloud Mail does not offer POP3; use IMAP in a mail client\.$", window),
                 timeout=5, interval=0.02)
        said = time.monotonic() - typed
        if said > 1.0:
            raise TestFailure(f"the statement took {said:.1f} s")
        for button in ("Find Settings", "Enter Settings Manually"):
            if sensitive(app.find(pyatspi.ROLE_PUSH_BUTTON, button)):
                raise TestFailure(f"{button} still leads on")
        if not labels(app, r"IMAP \(imap\.mail\.me\.com\)"):
            raise TestFailure("the note on IMAP is missing")
        session.screenshot("setup-icloud")

        # Another address: the way on is open again.
        app.key("<Control>a")
        app.type_text("someone@example.org")
        wait_for("Find Settings to be sensitive again",
                 lambda: sensitive(app.find(pyatspi.ROLE_PUSH_BUTTON, "Find Settings")), timeout=5)
        if labels(app, r"does not offer POP3"):
            raise TestFailure("the iCloud statement stayed")


def test_app_password_hint():
    """Yahoo wants an app password: said with a button to the page where
    one is made; setup goes on."""
    app = open_setup("yahoo")
    with running(session, app):
        type_address(app, "someone@yahoo.com")
        app.find(pyatspi.ROLE_LABEL, "Use an App Password", timeout=5)
        if not labels(app, r"^Yahoo Mail wants an app password"):
            raise TestFailure("the app password hint does not name Yahoo Mail")
        app.find(pyatspi.ROLE_PUSH_BUTTON, "Make App Password")
        if not sensitive(app.find(pyatspi.ROLE_PUSH_BUTTON, "Find Settings")):
            raise TestFailure("Find Settings is blocked for a provider with POP3")


def test_switch_on_hint():
    """GMX keeps POP3 off until it is switched on: said, with where."""
    app = open_setup("gmx")
    with running(session, app):
        type_address(app, "someone@gmx.net")
        app.find(pyatspi.ROLE_LABEL, "Switch POP3 On First", timeout=5)
        if not labels(app, r"^GMX keeps POP3 off until you switch it on"):
            raise TestFailure("the switch-on hint does not name GMX")
        app.find(pyatspi.ROLE_PUSH_BUTTON, "Open Settings")
        session.screenshot("setup-gmx")


def test_one_row_per_server():
    """The demo server answers as pop., pop3., mail. and the bare domain
    (one address, one certificate): one choice, also reachable as the
    others."""
    server = DemoServer(session, SERVER, "groups")
    home = session.new_home("groups")
    app = App(session, POPFETCH, home, {"POPFETCH_DEMO": server.key_file})
    with running(session, app, server):
        app.click(pyatspi.ROLE_PUSH_BUTTON, "Try the Demo Server")
        app.click(pyatspi.ROLE_PUSH_BUTTON, "Find Settings")
        app.find(pyatspi.ROLE_HEADING, "Settings Found", timeout=40)
        aliases = wait_for("a row naming the server's other names",
                           lambda: labels(app, r"Also reachable as "), timeout=10)
        session.screenshot("setup-one-row-per-server")
        # The choices: the rows of the two lists on the page.
        names = [a for group in ("Recommended", "Other Options Found")
                 for a in app.find_all(pyatspi.ROLE_LABEL, node=app.find(pyatspi.ROLE_LIST, group))
                 if a.name and re.fullmatch(r"[\w.]*popfetch\.test, port 995, TLS", a.name)]
        if len(names) != 1:
            raise TestFailure(f"port 995 is offered {len(names)} times: {[a.name for a in names]}")
        for host in ("pop3.popfetch.test", "mail.popfetch.test"):
            if not any(host in text for text in aliases):
                raise TestFailure(f"{host} is not among the other names: {aliases}")


def test_gmail_keep_setting_explained():
    """A Gmail account: its page says that Gmail's own POP setting decides
    what happens to fetched mail there, with a button to that setting."""
    home = session.new_home("gmail")
    os.makedirs(os.path.join(home, "config", "popfetch"), exist_ok=True)
    with open(os.path.join(home, "config", "popfetch", "accounts.ini"), "w") as f:
        f.write("[Account Gmail]\naddress=someone@gmail.com\nhost=pop.gmail.com\nport=995\n"
                "security=tls\nuser=someone@gmail.com\nmechanism=auto\n")
    app = App(session, POPFETCH, home)
    with running(session, app):
        app.find(pyatspi.ROLE_LABEL, "Gmail")
        activate_row(app, "Gmail")
        app.find(pyatspi.ROLE_HEADING, "Gmail Decides What Stays on the Server", timeout=10)
        if not labels(app, r"“When messages are accessed with POP”, under Forwarding and POP/IMAP"):
            raise TestFailure("the page does not name Gmail's setting")
        app.find(pyatspi.ROLE_PUSH_BUTTON, "Open Gmail Settings")
        session.screenshot("account-gmail")


def test_no_keep_note_elsewhere():
    """An account at a provider whose server does what the client asks
    shows no such text."""
    home = session.new_home("gmx-account")
    os.makedirs(os.path.join(home, "config", "popfetch"), exist_ok=True)
    with open(os.path.join(home, "config", "popfetch", "accounts.ini"), "w") as f:
        f.write("[Account GMX]\naddress=someone@gmx.net\nhost=pop.gmx.net\nport=995\n"
                "security=tls\nuser=someone@gmx.net\nmechanism=auto\n")
    app = App(session, POPFETCH, home)
    with running(session, app):
        app.find(pyatspi.ROLE_LABEL, "GMX")
        activate_row(app, "GMX")
        app.find(pyatspi.ROLE_PUSH_BUTTON, "Fetch", timeout=10)
        time.sleep(0.5)
        if labels(app, r"Decides What Stays on the Server"):
            raise TestFailure("a keep-on-server note shows for GMX")


try:
    tap.run("/ui/setup/provider/no-pop3-said-at-once", test_no_pop3_said_at_once)
    tap.run("/ui/setup/provider/app-password-hint", test_app_password_hint)
    tap.run("/ui/setup/provider/switch-on-hint", test_switch_on_hint)
    tap.run("/ui/setup/one-row-per-server", test_one_row_per_server)
    tap.run("/ui/account/gmail-keep-setting-explained", test_gmail_keep_setting_explained)
    tap.run("/ui/account/no-keep-note-elsewhere", test_no_keep_note_elsewhere)
finally:
    session.stop()
tap.finish()
