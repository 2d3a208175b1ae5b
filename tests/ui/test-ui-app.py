#!/usr/bin/python3
# test-ui-app.py — the real app under Xvfb, driven over AT-SPI as a user would
#
# Copyright 2026 The Popfetch authors
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
#   python3 test-ui-app.py POPFETCH PF-UI-SERVER SCREENSHOT-DIR [MO-FILE [SCHEMA-DIR]]
#
# Each test starts the Dovecot fixture through pf-ui-server (which writes a
# POPFETCH_DEMO key file: detection maps popfetch.test to loopback) and a
# fresh app with its own HOME. Screenshots of each main state go to
# SCREENSHOT-DIR.

import configparser
import os
import re
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from pf_ui_session import (App, DemoServer, Session, Tap, TestFailure, activate_row,  # noqa: E402
                           click_at, press_key, require, run_in_private_bus, running, wait_for)

run_in_private_bus()

POPFETCH, SERVER, SHOTS = sys.argv[1:4]
MO_FILE = sys.argv[4] if len(sys.argv) > 4 else None
if len(sys.argv) > 5 and os.path.exists(os.path.join(sys.argv[5], "gschemas.compiled")):
    os.environ["GSETTINGS_SCHEMA_DIR"] = sys.argv[5]

tap = Tap()
require(tap, ("Xvfb", "gnome-keyring-daemon", "secret-tool"), dovecot=True)

import pyatspi  # noqa: E402  (after the checks: needs the session bus)

session = Session(SHOTS)
session.start()
unnamed = {}


def check_names(app, state):
    missing = app.unnamed_controls()
    if missing:
        unnamed[state] = missing


def start_setup(name, *server_args):
    server = DemoServer(session, SERVER, name, *server_args)
    home = session.new_home(name)
    app = App(session, POPFETCH, home, {"POPFETCH_DEMO": server.key_file})
    app.find(pyatspi.ROLE_PUSH_BUTTON, "Add Account")
    check_names(app, "empty window")
    if name == "setup":
        session.screenshot("empty")
    app.click(pyatspi.ROLE_PUSH_BUTTON, "Try the Demo Server")
    app.find(pyatspi.ROLE_PUSH_BUTTON, "Find Settings")
    check_names(app, "setup: address and password")
    app.click(pyatspi.ROLE_PUSH_BUTTON, "Find Settings")
    return server, app


def accounts_file(app):
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(os.path.join(app.home, "config", "popfetch", "accounts.ini"))
    return parser


def test_setup_and_fetch():
    server, app = start_setup("setup")
    with running(session, app, server):
        app.find(pyatspi.ROLE_HEADING, "Settings Found", timeout=40)
        app.find(pyatspi.ROLE_LABEL, "Encrypted, certificate valid")
        check_names(app, "setup: settings found")
        session.screenshot("setup-settings")

        app.click(pyatspi.ROLE_PUSH_BUTTON, "Test and Save")
        wait_for("the account to be saved", lambda: accounts_file(app).sections(), timeout=40)
        account = accounts_file(app)[accounts_file(app).sections()[0]]
        if account.get("host") != "pop.popfetch.test" and not account.get("host", "").endswith("popfetch.test"):
            raise TestFailure(f"unexpected host {account.get('host')!r}")

        secret = subprocess.run(["secret-tool", "lookup", "host", account["host"], "service", "pop3",
                                 "user", account["user"]], capture_output=True, text=True)
        if secret.stdout != "demo":
            raise TestFailure("the password is not in the keyring")
        with open(os.path.join(app.home, "config", "popfetch", "accounts.ini")) as f:
            if "demo\n" in f.read().replace("user=demo@", ""):
                raise TestFailure("the password appears in the accounts file")

        app.find(pyatspi.ROLE_PUSH_BUTTON, "Account Settings")
        session.screenshot("account-added")

        app.click(pyatspi.ROLE_PUSH_BUTTON, "Fetch")
        wait_for("the fetch to finish",
                 lambda: [a for a in app.find_all(pyatspi.ROLE_LABEL) if a.name.startswith("Fetched 26 messages")],
                 timeout=60)
        app.find(pyatspi.ROLE_LABEL, "26 messages", timeout=20)
        # The list makes rows only as they scroll into view: search brings
        # the older ones up (diacritics folded: "koln" finds "Köln").
        app.key("<Control>f")
        entry = app.find(pyatspi.ROLE_ENTRY, "Search messages")
        wait_for("the search entry to take the focus", lambda: app.focused() == entry)
        app.type_text("koln")
        app.find(pyatspi.ROLE_LABEL, "1 message found", timeout=10)
        app.find(pyatspi.ROLE_LABEL, "Grüße aus Köln", timeout=10)
        # (labels of a toast may vanish while we look: wait_for retries)
        wait_for("the decoded sender", lambda: [a for a in app.find_all(pyatspi.ROLE_LABEL)
                                                if a.name.startswith("Jürgen Müller")])
        for _ in "koln":
            app.key("BackSpace")
        app.type_text("subject:planning")
        app.find(pyatspi.ROLE_LABEL, "Notes from the planning meeting", timeout=10)
        check_names(app, "account page with messages")
        session.screenshot("account-fetched")

        name = account.name[len("Account "):] if account.name.startswith("Account ") else account.name
        maildir = os.path.join(app.home, "Mail", name, "new")
        delivered = len(os.listdir(maildir))
        if delivered != 26:
            raise TestFailure(f"{delivered} messages in {maildir}, expected 26")

        app.click(pyatspi.ROLE_PUSH_BUTTON, "Account Settings")
        app.find(pyatspi.ROLE_PUSH_BUTTON, "Remove Account…")
        check_names(app, "account settings")
        session.screenshot("account-settings")

        # Removing asks first, then takes the password out of the keyring too.
        app.click(pyatspi.ROLE_PUSH_BUTTON, "Remove Account…")
        # libadwaita 1.2 keeps two sets of a dialog's buttons, one per
        # layout, only one of them shown; each is named once.
        wait_for("the confirmation", lambda: app.find_all(None, "Remove demo@popfetch.test?"))
        check_names(app, "remove confirmation")
        names = {}
        for button in app.find_all(pyatspi.ROLE_PUSH_BUTTON, showing=False):
            try:
                names.setdefault(button.name, button)
            except Exception:
                continue  # a widget that went away while we looked
        doubled = [name for name in names if name in ("Remove Remove", "Cancel Cancel")]
        if doubled:
            raise TestFailure(f"dialog buttons named twice: {doubled}")
        if "Remove" not in names:
            raise TestFailure(f"no button named 'Remove' among {sorted(names)}")
        names["Remove"].queryAction().doAction(0)
        wait_for("the account to be removed", lambda: not accounts_file(app).sections(), timeout=20)
        secret = subprocess.run(["secret-tool", "lookup", "host", account["host"], "service", "pop3",
                                 "user", account["user"]], capture_output=True, text=True)
        if secret.stdout:
            raise TestFailure("the password stayed in the keyring")
        app.find(None, "No Accounts Yet")


def test_wrong_password():
    server, app = start_setup("auth", "--password=not-the-password")
    with running(session, app, server):
        app.find(pyatspi.ROLE_HEADING, "Settings Found", timeout=40)
        app.click(pyatspi.ROLE_PUSH_BUTTON, "Test and Save")
        app.find(pyatspi.ROLE_LABEL, "Failed here", timeout=40)
        app.find(pyatspi.ROLE_LABEL, "Log in")

        check_names(app, "diagnosis")
        session.screenshot("diagnosis-auth")

        # The field to fix sits right under the advice. (GTK 4.8 reports no
        # focus state for text fields over AT-SPI; the screenshot shows it.)
        app.find(pyatspi.ROLE_TEXT, "Password")

        app.click(None, "Show Details")
        transcript = app.find(pyatspi.ROLE_TEXT, "Protocol transcript")
        text = transcript.queryText().getText(0, -1)
        if "not-the-password" in text:
            raise TestFailure("the password appears in the transcript")
        if "S: " not in text and "C: " not in text:
            raise TestFailure(f"no transcript shown: {text[:200]!r}")

        if accounts_file(app).sections():
            raise TestFailure("an account was saved although the login failed")


def test_expired_certificate():
    server, app = start_setup("cert", "--expired")
    with running(session, app, server):
        app.find(pyatspi.ROLE_LABEL, "No secure server found", timeout=40)
        choices = wait_for("an option with the untrusted certificate",
                           lambda: app.find_all(pyatspi.ROLE_RADIO_BUTTON) or app.find_all(pyatspi.ROLE_CHECK_BOX))
        app.mouse_click(choices[0])
        app.click(pyatspi.ROLE_PUSH_BUTTON, "Test and Save")
        app.find(pyatspi.ROLE_HEADING, "This Server’s Certificate Is Not Trusted", timeout=40)
        app.find(pyatspi.ROLE_LABEL, "It has expired.")

        def cancel_focused():
            acc = app.focused()
            return acc is not None and acc.name == "Cancel"
        wait_for("Cancel to be the focused default", cancel_focused, timeout=10)
        check_names(app, "certificate")
        session.screenshot("certificate")

        app.click(pyatspi.ROLE_PUSH_BUTTON, "Trust This Certificate for This Account")
        wait_for("the account to be saved", lambda: accounts_file(app).sections(), timeout=40)
        parser = accounts_file(app)
        pins = [parser[s].get("pinned-sha256") for s in parser.sections()]
        if pins != [server.fingerprint]:
            raise TestFailure(f"pinned {pins}, expected only {server.fingerprint}")


def test_german():
    if MO_FILE is None or not os.path.exists(MO_FILE):
        raise TestFailure("the German catalogue was not built")
    locale_dir = os.path.join(session.tmp, "locale")
    os.makedirs(os.path.join(locale_dir, "de", "LC_MESSAGES"), exist_ok=True)
    shutil.copy(MO_FILE, os.path.join(locale_dir, "de", "LC_MESSAGES", "popfetch.mo"))
    home = session.new_home("german")
    app = App(session, POPFETCH, home, {"LANGUAGE": "de", "LANG": "C.UTF-8", "LC_ALL": "",
                                         "POPFETCH_LOCALEDIR": locale_dir})
    with running(session, app):
        app.find(pyatspi.ROLE_PUSH_BUTTON, "Konto hinzufügen")
        app.find(pyatspi.ROLE_LABEL, "Noch keine Konten")
        check_names(app, "German window")
        session.screenshot("german")


def test_preferences_about_shortcuts():
    home = session.new_home("windows")
    with running(session) as apps:
        app = App(session, POPFETCH, home)
        apps.append(app)
        app.find(pyatspi.ROLE_PUSH_BUTTON, "Add Account")
        app.open_from_menu("Preferences")
        app.find(None, "Fetch Automatically")
        app.find(None, "Notify About New Mail")
        check_names(app, "preferences")
        session.screenshot("preferences")
        app.quit()

        app = App(session, POPFETCH, home)
        apps.append(app)
        app.open_from_menu("About Popfetch")
        wait_for("the About window", lambda: [w for w in app.windows() if w.name == "About Popfetch"]
                 or app.find_all(None, "The Popfetch authors"))
        check_names(app, "about")
        app.quit()

        app = App(session, POPFETCH, home)
        apps.append(app)
        app.open_from_menu("Keyboard Shortcuts")
        app.find(None, "Fetch All Accounts")
        # Not checked for names: GtkShortcutsWindow's own section menu
        # button (an arrow inside GTK 4.8's header) has none we can set.
        session.screenshot("shortcuts")


def unreachable_by_tab(app, start, names, state, limit=60):
    """Tabs on from @start (a control clicked first) round the active
    window; returns the controls named in @names that never took the
    keyboard focus, and notes them for the names test."""
    click_at(start)
    time.sleep(0.3)
    reached = []
    for _ in range(limit):
        press_key("Tab")
        focus = app.focused()
        try:
            reached.append(focus.name if focus is not None else None)
        except Exception:
            reached.append(None)
        if all(name in reached for name in names):
            break
    missing = [name for name in names if name not in reached]
    if missing:
        order = " → ".join(repr(name) for name in reached[:30])
        unnamed[f"{state} (not reachable by Tab)"] = missing + [f"Tab went {order}"]
    return missing


def hint_and_offer_states(app):
    """The setup page for addresses at known providers: the provider's
    hint (switch POP3 on, an app password) and the sign-in offers."""
    entry = app.find(pyatspi.ROLE_TEXT, "Mail Address")
    for address, hint, button, state in (
            ("someone@gmx.net", "Switch POP3 On First", "Open Settings", "setup: GMX hint"),
            ("someone@yahoo.com", "Use an App Password", "Make App Password", "setup: Yahoo hint"),
            ("someone@outlook.com", None, None, "setup: Outlook.com, no client id")):
        click_at(entry)
        app.key("<Control>a")
        app.type_text(address)
        if hint is not None:
            app.find(None, hint, timeout=10)
        else:
            wait_for("the no-client-id message", lambda: [
                a for a in app.find_all(pyatspi.ROLE_LABEL) if a.name.startswith("This copy of Popfetch")])
        app.find(None, "Organization Sign-In")
        check_names(app, state)
        unreachable_by_tab(app, entry, [n for n in (button, "Organization Sign-In", "Find Settings") if n],
                           state)
    session.screenshot("setup-provider-hint")
    # The organization's sign-in, unfolded.
    click_at(app.find(pyatspi.ROLE_LABEL, "Organization Sign-In"))
    app.find(pyatspi.ROLE_TEXT, "Authorization URL")
    check_names(app, "setup: organization sign-in")
    unreachable_by_tab(app, entry, ["Sign In", "Find Settings"], "setup: organization sign-in")


def test_provider_hint_and_sign_in_offer():
    home = session.new_home("hints")
    with running(session) as apps:
        app = App(session, POPFETCH, home)
        apps.append(app)
        app.click(pyatspi.ROLE_PUSH_BUTTON, "Add Account")
        hint_and_offer_states(app)


def test_server_panel():
    """The account page with the server panel: what is on the server and
    a message over the size limit with its two actions."""
    server = DemoServer(session, SERVER, "panel")
    server.add_messages(1, 1500)
    home = session.new_home("panel")
    os.makedirs(os.path.join(home, "config", "popfetch"), exist_ok=True)
    with open(os.path.join(home, "config", "popfetch", "accounts.ini"), "w") as f:
        f.write("[Account Demo]\naddress=demo@popfetch.test\nhost=pop.popfetch.test\nport=995\n"
                "security=tls\nuser=demo@popfetch.test\nmechanism=auto\nmax-size=1000000\n")
    subprocess.run(["secret-tool", "store", "--label", "Popfetch: Demo",
                    "xdg:schema", "io.github.popfetch.Popfetch.Password",
                    "host", "pop.popfetch.test", "service", "pop3", "user", "demo@popfetch.test"],
                   input="demo", text=True, check=True, timeout=20)
    with running(session, server) as apps:
        app = App(session, POPFETCH, home, {"POPFETCH_DEMO": server.key_file})
        apps.append(app)
        app.find(pyatspi.ROLE_LABEL, "Demo")
        activate_row(app, "Demo")
        app.click(pyatspi.ROLE_PUSH_BUTTON, "Fetch")
        app.find(pyatspi.ROLE_PUSH_BUTTON, "Download “Message 1” anyway", timeout=90)
        app.find(pyatspi.ROLE_PUSH_BUTTON, "Delete “Message 1” from the server")
        wait_for("the server summary", lambda: [a for a in app.find_all(pyatspi.ROLE_LABEL)
                                                if re.match(r"^On the server: ", a.name or "")])
        check_names(app, "account page: server panel")
        session.screenshot("account-server-panel")
        wait_for("Download Anyway to be offered", lambda: [
            b for b in app.find_all(pyatspi.ROLE_PUSH_BUTTON, "Download “Message 1” anyway")
            if b.getState().contains(pyatspi.STATE_SENSITIVE)], timeout=30)
        unreachable_by_tab(app, app.find(pyatspi.ROLE_PUSH_BUTTON, "Fetch"),
                           ["Download “Message 1” anyway", "Delete “Message 1” from the server"],
                           "account page: server panel")


def test_every_control_named():
    if unnamed:
        raise TestFailure("; ".join(f"{state}: {', '.join(items)}" for state, items in unnamed.items()))


try:
    tap.run("/ui/setup/detects-dovecot-and-fetches", test_setup_and_fetch)
    tap.run("/ui/setup/wrong-password-diagnosis", test_wrong_password)
    tap.run("/ui/setup/expired-certificate-pin", test_expired_certificate)
    if MO_FILE is not None and os.path.exists(MO_FILE):
        tap.run("/ui/i18n/german", test_german)
    tap.run("/ui/windows/preferences-about-shortcuts", test_preferences_about_shortcuts)
    tap.run("/ui/a11y/provider-hint-and-sign-in-offer", test_provider_hint_and_sign_in_offer)
    tap.run("/ui/a11y/server-panel", test_server_panel)
    tap.run("/ui/a11y/every-control-named", test_every_control_named)
finally:
    session.stop()
tap.finish()
