#!/usr/bin/python3
# test-ui-desktop.py — the app and the desktop around it: notifications,
# periodic fetch, the clipboard, the user's mail reader and file manager,
# and what the window remembers across a restart
#
# Copyright 2026 The Popfetch authors
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
#   python3 test-ui-desktop.py POPFETCH PF-UI-SERVER SCREENSHOT-DIR SCHEMA-DIR
#
# Each test starts the Dovecot fixture through pf-ui-server, writes a saved
# account (accounts.ini and its password in the session's gnome-keyring)
# into a fresh HOME and starts the real app there, then watches what the
# app does at the process boundary: D-Bus calls it makes, programs it
# launches, the X clipboard, files it writes.

import configparser
import ctypes
import json
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from pf_ui_session import (App, DemoServer, Session, Tap, TestFailure, activate_row,  # noqa: E402
                           click_at, press_key, require, row_of, run_in_private_bus,
                           running as running_in, set_settings, use_schema_dir, wait_for)

run_in_private_bus()

POPFETCH, SERVER, SHOTS, SCHEMA_DIR = sys.argv[1:5]
HERE = os.path.dirname(os.path.abspath(__file__))
use_schema_dir(SCHEMA_DIR)

ACCOUNT = "Demo"

tap = Tap()
require(tap, ("Xvfb", "gnome-keyring-daemon", "secret-tool"), dovecot=True)

import pyatspi  # noqa: E402  (after the checks: needs the session bus)

session = Session(SHOTS)
session.start()


# --- fixtures -----------------------------------------------------------------


def demo_server(name):
    return DemoServer(session, SERVER, name)


def maildir_count(home, sub="new"):
    path = os.path.join(home, "Mail", ACCOUNT, sub)
    return len(os.listdir(path)) if os.path.isdir(path) else 0


def start(server, home, env=None):
    app = App(session, POPFETCH, home, {"POPFETCH_DEMO": server.key_file, **(env or {})})
    app.find(pyatspi.ROLE_LABEL, ACCOUNT)
    return app


def labels(app, prefix):
    return [a.name for a in app.find_all(pyatspi.ROLE_LABEL) if a.name.startswith(prefix)]


def running(name, body, *servers):
    """Runs body(list of apps it starts) and always stops what it started."""
    with running_in(session, *servers) as apps:
        body(apps)


# --- X focus ------------------------------------------------------------------


def x_set_focus(pointer_root=False):
    """Takes the keyboard focus away from every window, as switching to
    another app does: the X server then sends the app a FocusOut. With
    @pointer_root, gives it back to the window under the pointer."""
    x11 = ctypes.cdll.LoadLibrary("libX11.so.6")
    x11.XOpenDisplay.restype = ctypes.c_void_p
    x11.XOpenDisplay.argtypes = [ctypes.c_char_p]
    x11.XSetInputFocus.argtypes = [ctypes.c_void_p, ctypes.c_ulong, ctypes.c_int, ctypes.c_ulong]
    x11.XSync.argtypes = [ctypes.c_void_p, ctypes.c_int]
    x11.XCloseDisplay.argtypes = [ctypes.c_void_p]
    display = x11.XOpenDisplay(session.display.encode())
    if not display:
        raise TestFailure("cannot open the X display")
    try:
        if pointer_root:
            x11.XSetInputFocus(display, 1, 1, 0)  # PointerRoot, RevertToPointerRoot
        else:
            x11.XSetInputFocus(display, 0, 0, 0)  # None, RevertToNone, CurrentTime
        x11.XSync(display, 0)
    finally:
        x11.XCloseDisplay(display)


def main_window(app):
    return wait_for("the main window", lambda: [w for w in app.windows() if w.name == "Popfetch"])[0]


def is_active(window):
    return window.getState().contains(pyatspi.STATE_ACTIVE)


def set_fetch_interval(home, minutes):
    set_settings(home, fetch_interval=minutes)


KEYFILE_SETTINGS = {"GSETTINGS_BACKEND": "keyfile"}


# --- 1. notifications ---------------------------------------------------------


class Notifications:
    def __init__(self):
        self.record = os.path.join(session.tmp, "notifications.jsonl")
        if os.path.exists(self.record):
            os.unlink(self.record)
        self.proc = subprocess.Popen([sys.executable, os.path.join(HERE, "pf-notifications.py"),
                                      self.record], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     text=True)
        if self.proc.stdout.readline().strip() != "READY":
            raise TestFailure("the notification server did not start")

    def calls(self):
        with open(self.record, encoding="utf-8") as f:
            return [json.loads(line) for line in f if line.strip()]

    def click(self, notification_id, key="default"):
        self.proc.stdin.write(f"invoke {notification_id} {key}\n")
        self.proc.stdin.flush()
        if self.proc.stdout.readline().strip() != "INVOKED":
            raise TestFailure("the notification server did not click")

    def stop(self):
        self.proc.stdin.close()
        self.proc.terminate()
        self.proc.wait(timeout=10)


def test_notification_when_unfocused():
    server = demo_server("notify")
    notifications = Notifications()
    home = session.saved_account("notify")

    set_settings(home, notify_new_mail="true")

    def body(apps):
        app = start(server, home, KEYFILE_SETTINGS)
        apps.append(app)
        window = main_window(app)
        wait_for("the main window to be focused", lambda: is_active(window), timeout=10)

        # Focused: a toast, no notification.
        app.click(pyatspi.ROLE_PUSH_BUTTON, f"Fetch {ACCOUNT}")
        wait_for("the first fetch", lambda: labels(app, "Fetched 26 messages"), timeout=40)
        wait_for("the toast", lambda: labels(app, f"26 new messages for {ACCOUNT}"), timeout=5)
        time.sleep(1.0)
        if notifications.calls():
            raise TestFailure(f"notified while the window had the focus: {notifications.calls()}")

        # Another window has the focus: the new mail is announced on the bus.
        server.add_messages(3)
        x_set_focus()
        wait_for("the main window to lose the focus", lambda: not is_active(window), timeout=10)
        app.click(pyatspi.ROLE_PUSH_BUTTON, f"Fetch {ACCOUNT}")
        calls = wait_for("a Notify call", notifications.calls, timeout=40)
        if len(calls) != 1:
            raise TestFailure(f"expected one notification, got {calls}")
        text = calls[0]["summary"] + "\n" + calls[0]["body"]
        print(f"# notified: {calls[0]['summary']!r} / {calls[0]['body']!r}")
        if ACCOUNT not in text or "3 new messages" not in text:
            raise TestFailure(f"the notification does not name the account and the count: {text!r}")
        if maildir_count(home) != 29:
            raise TestFailure(f"{maildir_count(home)} messages delivered, expected 29")

        # Clicking the notification brings up the account's page.
        notifications.click(calls[0]["id"])
        app.find(pyatspi.ROLE_PUSH_BUTTON, "Account Settings", timeout=10)
        # Its list: every message counted (the rows are made as they scroll
        # into view, so only the count says all 29 are there).
        wait_for("the account's messages", lambda: labels(app, "29 messages"), timeout=10)
        x_set_focus()
        wait_for("the main window to lose the focus again", lambda: not is_active(window), timeout=10)

        # Preferences → Notify About New Mail off: new mail, no notification.
        set_settings(home, notify_new_mail="false")
        server.add_messages(2)
        time.sleep(0.5)
        app.click(pyatspi.ROLE_PUSH_BUTTON, f"Fetch {ACCOUNT}")
        wait_for("the third fetch", lambda: labels(app, "Fetched 2 messages"), timeout=40)
        time.sleep(1.0)
        if len(notifications.calls()) != 1:
            raise TestFailure(f"notified with notify-new-mail off: {notifications.calls()[1:]}")

    try:
        running("notify", body, server)
    finally:
        x_set_focus(pointer_root=True)
        notifications.stop()


# --- 2. periodic fetch ---------------------------------------------------------


def test_periodic_fetch():
    server = demo_server("periodic")
    home = session.saved_account("periodic")
    set_fetch_interval(home, 0)

    def body(apps):
        # One "minute" of fetch-interval lasts a second here.
        app = start(server, home, {**KEYFILE_SETTINGS, "POPFETCH_TEST_SECONDS_PER_MINUTE": "1"})
        apps.append(app)

        # 0: no fetch by itself.
        time.sleep(4)
        if maildir_count(home) != 0 or not labels(app, "Not fetched yet"):
            raise TestFailure("the app fetched by itself with fetch-interval 0")

        # 2 minutes (seconds here): a fetch starts by itself.
        set_fetch_interval(home, 2)
        wait_for("a fetch to start by itself", lambda: labels(app, "Fetched 26 messages"), timeout=30)
        if maildir_count(home) != 26:
            raise TestFailure(f"{maildir_count(home)} messages delivered, expected 26")

        # Back to 0: new mail on the server stays there.
        set_fetch_interval(home, 0)
        wait_for("the timer to stop", lambda: not app.find_all(pyatspi.ROLE_PUSH_BUTTON,
                                                               f"Cancel fetching {ACCOUNT}"))
        time.sleep(1)
        server.add_messages(2)
        time.sleep(5)
        if maildir_count(home) != 26:
            raise TestFailure(f"fetched with fetch-interval 0: {maildir_count(home)} messages")

        set_fetch_interval(home, 1)
        wait_for("the next periodic fetch", lambda: maildir_count(home) == 28, timeout=30)

    running("periodic", body, server)


def test_preferences_interval():
    server = demo_server("preferences")
    home = session.saved_account("preferences")
    keyfile = os.path.join(home, "config", "glib-2.0", "settings", "keyfile")

    def body(apps):
        app = start(server, home, {**KEYFILE_SETTINGS, "POPFETCH_TEST_SECONDS_PER_MINUTE": "1"})
        apps.append(app)
        app.open_from_menu("Preferences")
        prefs = wait_for("the Preferences window", lambda: [w for w in app.windows() if w.name == "Preferences"])[0]
        click_at(app.find(pyatspi.ROLE_COMBO_BOX, "Fetch Automatically", node=prefs))
        # The list pops up on the current choice, Never: one down.
        app.find(pyatspi.ROLE_LABEL, "Every 5 minutes")
        time.sleep(0.3)
        press_key("Down")
        press_key("Return")

        def stored():
            if not os.path.exists(keyfile):
                return None
            parser = configparser.ConfigParser()
            parser.read(keyfile)
            return parser.get("io/github/popfetch/Popfetch", "fetch-interval", fallback=None)
        wait_for("the choice to be stored", lambda: stored() in ("5", "uint32 5"), timeout=10)
        session.screenshot("preferences-interval")
        # Five "minutes" of a second each: the fetch starts by itself.
        wait_for("a fetch to start by itself", lambda: maildir_count(home) == 26, timeout=30)

    running("preferences", body, server)


# --- 3. Copy Report --------------------------------------------------------------


def clipboard_text():
    result = subprocess.run([sys.executable, os.path.join(HERE, "pf-clipboard.py")],
                            capture_output=True, timeout=30)
    if result.returncode != 0:
        raise TestFailure(f"could not read the clipboard: {result.stderr.decode().strip()}")
    return result.stdout.decode("utf-8")


def open_account_page(app):
    """Opens the account page the way the failure toast offers."""
    details = app.find(pyatspi.ROLE_PUSH_BUTTON, "Details", timeout=10)
    # The toast's button is named once, not "Details Details".
    missing = app.unnamed_controls()
    if missing:
        raise TestFailure(f"controls without a proper name: {missing}")
    details.queryAction().doAction(0)
    app.find(pyatspi.ROLE_PUSH_BUTTON, "Account Settings")


def test_copy_report():
    server = demo_server("report")
    password = "wrong-secret-7f3a"
    # USER/PASS: the password itself crosses the wire, so the transcript
    # has a line to redact.
    home = session.saved_account("report", password, "USER")

    def body(apps):
        app = start(server, home)
        apps.append(app)
        app.click(pyatspi.ROLE_PUSH_BUTTON, f"Fetch {ACCOUNT}")
        wait_for("the fetch to fail", lambda: labels(app, "The last fetch failed"), timeout=40)
        open_account_page(app)
        app.click(None, "Show Details")
        transcript = app.find(pyatspi.ROLE_TEXT, "Protocol transcript")
        shown = transcript.queryText().getText(0, -1)
        app.click(pyatspi.ROLE_PUSH_BUTTON, "Copy Report")
        wait_for("the confirmation", lambda: labels(app, "Report copied to the clipboard"), timeout=10)
        session.screenshot("diagnosis-report-copied")

        report = clipboard_text()
        if password in report:
            raise TestFailure("the password is in the copied report")
        if "C: PASS" not in report:
            raise TestFailure(f"the report has no login step: {report[:300]!r}")
        if "[AUTH]" not in report and "-ERR" not in report:
            raise TestFailure(f"the report lacks the server's answer: {report[:300]!r}")
        # Title, what happened and what to try, as the diagnosis shows them
        paragraphs = report.split("\n\n")
        if not paragraphs[0].startswith("Popfetch "):
            raise TestFailure(f"the report starts with {paragraphs[0]!r}")
        on_screen = {a.name for a in app.find_all(pyatspi.ROLE_LABEL)} | \
            {a.name for a in app.find_all(pyatspi.ROLE_HEADING)}
        for paragraph in paragraphs[1:4]:
            if paragraph.strip() not in on_screen:
                raise TestFailure(f"the report says {paragraph!r}, the diagnosis does not")
        heading = "Transcript (passwords removed):\n"
        if heading not in report:
            raise TestFailure("the report has no transcript")
        copied = report.split(heading, 1)[1]
        if copied.rstrip("\n") != shown.rstrip("\n"):
            raise TestFailure(f"the copied transcript differs from the one shown:\n{copied!r}\n{shown!r}")

    running("report", body, server)


# --- 4. the mail reader, the file manager, the message text --------------------


def install_handlers(home):
    """Two .desktop handlers in the app's XDG data and config dirs, set as
    the defaults for message/rfc822 and inode/directory; each writes the
    argument it was launched with to a file. Returns the env and the
    record file of each. Outside a sandbox (no GTK_USE_PORTAL, no flatpak)
    neither GLib nor gtk_show_uri() goes through the OpenURI portal, and
    this private bus has none: the launch is GIO's own default-handler
    lookup, the path a plain desktop session takes."""
    data = os.path.join(home, "data")
    applications = os.path.join(data, "applications")
    os.makedirs(applications, exist_ok=True)
    records = {}
    for name, mime in (("reader", "message/rfc822"), ("files", "inode/directory")):
        record = os.path.join(home, f"launched-{name}")
        script = os.path.join(home, f"pf-test-{name}.sh")
        with open(script, "w") as f:
            f.write(f"#!/bin/sh\nprintf '%s\\n' \"$@\" >> '{record}'\n")
        os.chmod(script, 0o755)
        with open(os.path.join(applications, f"pf-test-{name}.desktop"), "w") as f:
            f.write(f"[Desktop Entry]\nType=Application\nName=Test {name}\n"
                    f"Exec={script} %u\nMimeType={mime};\nNoDisplay=true\n")
        records[mime] = record
    with open(os.path.join(home, "config", "mimeapps.list"), "w") as f:
        f.write("[Default Applications]\nmessage/rfc822=pf-test-reader.desktop\n"
                "inode/directory=pf-test-files.desktop\n")
    return {"XDG_DATA_HOME": data}, records


def launched(record):
    try:
        with open(record) as f:
            return [line.strip() for line in f if line.strip()]
    except FileNotFoundError:
        return []


def message_file(home, message_id):
    for sub in ("new", "cur"):
        directory = os.path.join(home, "Mail", ACCOUNT, sub)
        for name in os.listdir(directory) if os.path.isdir(directory) else []:
            with open(os.path.join(directory, name), "rb") as f:
                if message_id.encode() in f.read():
                    return os.path.join(directory, name)
    raise TestFailure(f"no message {message_id} in the Maildir")


def as_path(argument):
    """A handler with %u in its Exec line gets a local file as its path
    (GLib's choice) or as a file:// URI; either names the same file."""
    from gi.repository import Gio
    if argument.startswith("file:"):
        return Gio.File.new_for_uri(argument).get_path()
    return os.path.normpath(argument)


def test_open_and_show_messages():
    server = demo_server("open")
    home = session.saved_account("open")
    env, records = install_handlers(home)

    def body(apps):
        app = start(server, home, env)
        apps.append(app)
        app.click(pyatspi.ROLE_PUSH_BUTTON, f"Fetch {ACCOUNT}")
        wait_for("the fetch", lambda: labels(app, "Fetched 26 messages"), timeout=40)
        activate_row(app, ACCOUNT)
        app.find(pyatspi.ROLE_PUSH_BUTTON, "Account Settings")

        # Open Mail Folder: the file manager gets the account's Maildir.
        app.click(pyatspi.ROLE_PUSH_BUTTON, "Open Mail Folder")
        expected = os.path.join(home, "Mail", ACCOUNT)
        got = wait_for("the file manager to start", lambda: launched(records["inode/directory"]), timeout=15)
        if [as_path(arg) for arg in got] != [expected]:
            raise TestFailure(f"the file manager got {got}, expected [{expected!r}]")

        # Show the text, by keyboard: Tab into the list, End to its last
        # (oldest) row, Return opens it in the app.
        for _ in range(40):
            focused = app.focused()
            if focused is not None and focused.getRole() == pyatspi.ROLE_LIST_ITEM and \
                    focused.parent is not None and focused.parent.name == "Messages":
                break
            press_key("Tab")
        else:
            raise TestFailure("Tab never reached the message list")
        press_key("End")
        wait_for("the last row to take the focus", lambda: app.focused() == row_of(app, "Grüße aus Köln"))
        press_key("Return")
        text = wait_for("the message text", lambda: app.find_all(pyatspi.ROLE_TEXT, "Message text"), timeout=10)[0]
        wait_for("the text", lambda: "Hallo!" in text.queryText().getText(0, -1))
        shown = text.queryText().getText(0, -1)
        session.screenshot("message-text")
        for line in ("From: Jürgen Müller <juergen@example.org>", "Subject: Grüße aus Köln",
                     "Hallo! Viele Grüße aus Köln."):
            if line not in shown.splitlines():
                raise TestFailure(f"{line!r} is not in the message text: {shown[:400]!r}")

        # Open in Mail Reader, from the message's window: the default
        # handler of message/rfc822 gets the message's own file, where it
        # is now (opened, it moved to cur/ as read).
        wait_for("the message marked read",
                 lambda: message_file(home, "<umlauts@example.org>").endswith(":2,S"))
        expected = message_file(home, "<umlauts@example.org>")
        app.click(pyatspi.ROLE_PUSH_BUTTON, "Open in Mail Reader")
        got = wait_for("the mail reader to start", lambda: launched(records["message/rfc822"]), timeout=15)
        if [as_path(arg) for arg in got] != [expected]:
            raise TestFailure(f"the mail reader got {got}, expected [{expected!r}]")

    running("open", body, server)


# --- 5. the last fetch after a restart -------------------------------------------


def test_last_fetch_survives_restart():
    server = demo_server("restart")
    home = session.saved_account("restart")

    def body(apps):
        app = start(server, home)
        apps.append(app)
        app.click(pyatspi.ROLE_PUSH_BUTTON, f"Fetch {ACCOUNT}")
        summary = wait_for("the fetch", lambda: labels(app, "Fetched 26 messages at "), timeout=40)[0]
        wait_for("the last fetch to be written",
                 lambda: os.path.exists(os.path.join(home, "state", "popfetch", "last-fetch.ini")))
        app.quit()

        app = start(server, home)
        apps.append(app)
        wait_for(f"{summary!r} after the restart", lambda: summary in labels(app, "Fetched"), timeout=10)
        if labels(app, "Not fetched yet"):
            raise TestFailure("the restarted app says the account was not fetched yet")

    running("restart", body, server)


try:
    tap.run("/ui/notification/new-mail-only-unfocused-and-enabled-click-opens-account", test_notification_when_unfocused)
    # A minute of the interval lasts a second only in builds with test hooks.
    if os.environ.get("POPFETCH_TEST_HOOKS") == "1":
        tap.run("/ui/fetch/periodic-interval-and-off", test_periodic_fetch)
        tap.run("/ui/preferences/interval-starts-fetching", test_preferences_interval)
    tap.run("/ui/diagnosis/copy-report-redacted", test_copy_report)
    tap.run("/ui/messages/open-reader-folder-and-text", test_open_and_show_messages)
    tap.run("/ui/window/last-fetch-survives-restart", test_last_fetch_survives_restart)
finally:
    session.stop()
tap.finish()
