#!/usr/bin/python3
# test-ui-background.py — Popfetch without its window: background fetching,
# closing and reopening the window, starting at login, Fetch All at once
#
# Copyright 2026 The Popfetch authors
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
#   python3 test-ui-background.py POPFETCH PF-UI-SERVER SCREENSHOT-DIR SCHEMA-DIR
#
# Each test starts the Dovecot fixture (pf-ui-server), saves accounts into a
# fresh HOME (accounts.ini, passwords in the session's gnome-keyring), sets
# the app's settings through GLib's keyfile backend and starts the real app
# under Xvfb. What it checks is at the process boundary: the X windows
# mapped, the Maildirs, the calls on a recording notification server, the
# autostart entry, the process staying or going.

import ctypes
import os
import re
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from pf_ui_session import (App, APP_ID, DemoServer, Session, Tap, TestFailure,  # noqa: E402
                           _XWindowAttributes, add_account, bus_name_has_owner, click_at, require,
                           run_in_private_bus, running, set_settings, use_schema_dir, wait_for)

run_in_private_bus()

POPFETCH, SERVER, SHOTS, SCHEMA_DIR = sys.argv[1:5]
HERE = os.path.dirname(os.path.abspath(__file__))
use_schema_dir(SCHEMA_DIR)

ADDRESS = "demo@popfetch.test"
ACCOUNT = "Demo"
SAMPLES = 26  # the demo mailbox pf-ui-server starts with

tap = Tap()
require(tap, ("Xvfb", "gnome-keyring-daemon", "secret-tool"), dovecot=True)
# A minute of the interval lasts seconds only in builds with test hooks.
if os.environ.get("POPFETCH_TEST_HOOKS") != "1":
    tap.skip_all("needs a build with -Dtest_hooks=true")

import pyatspi  # noqa: E402  (after the checks: needs the session bus)

session = Session(SHOTS)
session.start()


# --- fixtures -----------------------------------------------------------------


def maildir_files(home, folder=ACCOUNT):
    path = os.path.join(home, "Mail", folder, "new")
    return sorted(os.listdir(path)) if os.path.isdir(path) else []


def assert_exactly_once(home, expected, folder=ACCOUNT):
    ids = []
    for name in maildir_files(home, folder):
        with open(os.path.join(home, "Mail", folder, "new", name), "rb") as f:
            head = f.read(4096).split(b"\n\n", 1)[0]
        found = re.search(rb"(?im)^Message-ID:\s*(\S+)", head)
        ids.append(found.group(1).decode() if found else name)
    if len(ids) != expected or len(set(ids)) != expected:
        raise TestFailure(f"{len(ids)} files, {len(set(ids))} distinct messages in "
                          f"Mail/{folder}/new, expected {expected} once each")


def labels(app, pattern):
    return [a.name for a in app.find_all(pyatspi.ROLE_LABEL) if a.name and re.match(pattern, a.name)]


ENV = {"GSETTINGS_BACKEND": "keyfile", "POPFETCH_TEST_SECONDS_PER_MINUTE": "2"}


def start(server, home, args=(), accessible=True):
    return App(session, POPFETCH, home, {"POPFETCH_DEMO": server.key_file, **ENV},
               args=args, accessible=accessible)


def mapped_windows():
    """The top-level X windows on screen (without a window manager every
    window the app maps is a child of the root)."""
    x11 = ctypes.cdll.LoadLibrary("libX11.so.6")
    x11.XOpenDisplay.restype = ctypes.c_void_p
    x11.XOpenDisplay.argtypes = [ctypes.c_char_p]
    x11.XDefaultRootWindow.restype = ctypes.c_ulong
    x11.XDefaultRootWindow.argtypes = [ctypes.c_void_p]
    x11.XQueryTree.argtypes = [ctypes.c_void_p, ctypes.c_ulong, ctypes.POINTER(ctypes.c_ulong),
                               ctypes.POINTER(ctypes.c_ulong),
                               ctypes.POINTER(ctypes.POINTER(ctypes.c_ulong)),
                               ctypes.POINTER(ctypes.c_uint)]
    x11.XGetWindowAttributes.argtypes = [ctypes.c_void_p, ctypes.c_ulong,
                                         ctypes.POINTER(_XWindowAttributes)]
    x11.XCloseDisplay.argtypes = [ctypes.c_void_p]
    display = x11.XOpenDisplay(session.display.encode())
    if not display:
        raise TestFailure("cannot open the X display")
    mapped = []
    try:
        root = x11.XDefaultRootWindow(display)
        root_return, parent_return = ctypes.c_ulong(), ctypes.c_ulong()
        children, count = ctypes.POINTER(ctypes.c_ulong)(), ctypes.c_uint()
        if x11.XQueryTree(display, root, ctypes.byref(root_return), ctypes.byref(parent_return),
                          ctypes.byref(children), ctypes.byref(count)):
            for i in range(count.value):
                attributes = _XWindowAttributes()
                x11.XGetWindowAttributes(display, children[i], ctypes.byref(attributes))
                if attributes.map_state == 2:  # IsViewable
                    mapped.append(children[i])
    finally:
        x11.XCloseDisplay(display)
    return mapped


class Notifications:
    """pf-notifications.py: records every Notify call on the session bus."""

    def __init__(self, name):
        self.record = os.path.join(session.tmp, f"notifications-{name}.jsonl")
        self.proc = subprocess.Popen([sys.executable, os.path.join(HERE, "pf-notifications.py"),
                                      self.record], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     text=True)
        if self.proc.stdout.readline().strip() != "READY":
            raise TestFailure("the notification server did not start")

    def calls(self):
        import json
        with open(self.record, encoding="utf-8") as f:
            return [json.loads(line) for line in f if line.strip()]

    def summaries(self):
        return [call["summary"] for call in self.calls()]

    def click(self, notification_id, key="default"):
        self.proc.stdin.write(f"invoke {notification_id} {key}\n")
        self.proc.stdin.flush()
        if self.proc.stdout.readline().strip() != "INVOKED":
            raise TestFailure("the notification server did not click")

    def stop(self):
        self.proc.stdin.close()
        self.proc.terminate()
        self.proc.wait(timeout=10)


def quit_from_menu(app):
    app.open_from_menu("Quit")
    try:
        app.proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        raise TestFailure("Quit in the main menu did not end Popfetch")
    wait_for("the application id to be released", lambda: not bus_name_has_owner(APP_ID), timeout=10)


def close_main_window(app):
    window = wait_for("the main window", lambda: [w for w in app.windows() if w.name == "Popfetch"])[0]
    # The header bar's own close button, as a pointer user closes it.
    close = [b for b in app.find_all(pyatspi.ROLE_PUSH_BUTTON, "Close", node=window)]
    if not close:
        raise TestFailure("the main window has no Close button")
    close[0].queryAction().doAction(0)
    wait_for("the window to go", lambda: not mapped_windows(), timeout=10)


# --- 1. started windowless ----------------------------------------------------


def test_background_start_fetches_and_notifies():
    """popfetch --background maps no window, fetches on the interval and
    announces new mail; a second `popfetch` brings the window up."""
    server = DemoServer(session, SERVER, "windowless")
    notifications = Notifications("windowless")
    home = session.saved_account("windowless")
    set_settings(home, run_in_background="true", fetch_interval=2)

    with running(session, server, notifications) as apps:
        app = start(server, home, args=("--background",), accessible=False)
        apps.append(app)
        wait_for("Popfetch on the session bus", lambda: bus_name_has_owner(APP_ID), timeout=20)

        # Two minutes of two seconds each: the first fetch.
        wait_for("the first periodic fetch", lambda: len(maildir_files(home)) == SAMPLES, timeout=40)
        calls = wait_for("a new-mail notification", notifications.calls, timeout=20)
        print(f"# notified: {calls[0]['summary']!r} / {calls[0]['body']!r}")
        if calls[0]["summary"] != "New Mail" or f"{SAMPLES} new messages for {ACCOUNT}" not in calls[0]["body"]:
            raise TestFailure(f"the notification does not say the count and the account: {calls}")
        if mapped_windows():
            raise TestFailure(f"a window is mapped: {mapped_windows()}")

        # Mail that arrives later comes on the next interval, once.
        server.add_messages(3)
        wait_for("the next periodic fetch", lambda: len(maildir_files(home)) == SAMPLES + 3, timeout=40)
        wait_for("its notification", lambda: any("3 new messages" in c["body"] for c in notifications.calls()),
                 timeout=20)
        assert_exactly_once(home, SAMPLES + 3)
        if mapped_windows():
            raise TestFailure("a window was mapped by a background fetch")
        if app.proc.poll() is not None:
            raise TestFailure(f"popfetch --background ended: {app.proc.returncode}")

        # `popfetch` again: the running one shows its window.
        second = subprocess.run([POPFETCH], env=app.env, timeout=30, capture_output=True)
        if second.returncode != 0:
            raise TestFailure(f"the second popfetch failed: {second.stderr.decode()[-300:]}")
        app.attach()
        app.find(pyatspi.ROLE_LABEL, ACCOUNT)
        wait_for("the last fetch on the row", lambda: labels(app, r"Fetched 3 messages at "), timeout=10)
        wait_for("the next fetch on the row", lambda: labels(app, r"Next fetch at "), timeout=10)
        session.screenshot("background-window-next-fetch")
        quit_from_menu(app)


# --- 2. closing and reopening the window --------------------------------------------


def test_close_and_reopen_window():
    """With Fetch in the Background on, closing the window leaves Popfetch
    running and says so once; `popfetch` reopens the window; Quit ends it.
    With it off, closing the window ends Popfetch."""
    server = DemoServer(session, SERVER, "reopen")
    notifications = Notifications("reopen")
    home = session.saved_account("reopen")
    set_settings(home, run_in_background="true")

    with running(session, server, notifications) as apps:
        app = start(server, home)
        apps.append(app)
        app.find(pyatspi.ROLE_LABEL, ACCOUNT)
        close_main_window(app)
        time.sleep(1.0)
        if app.proc.poll() is not None:
            raise TestFailure("Popfetch ended with its window although it runs in the background")
        notice = wait_for("the notice", lambda: [c for c in notifications.calls()
                                                 if "Background" in c["summary"]], timeout=10)
        print(f"# notice: {notice[0]['summary']!r} / {notice[0]['body']!r}")
        if "Quit" not in notice[0]["body"]:
            raise TestFailure(f"the notice does not say how to stop: {notice[0]['body']!r}")

        # Reopen, close again: no second notice.
        subprocess.run([POPFETCH], env=app.env, timeout=30, check=True, capture_output=True)
        app.find(pyatspi.ROLE_LABEL, ACCOUNT)
        close_main_window(app)
        time.sleep(1.5)
        if app.proc.poll() is not None:
            raise TestFailure("Popfetch ended when its window closed the second time")
        if len(notifications.calls()) != 1:
            raise TestFailure(f"said more than once: {notifications.summaries()}")

        subprocess.run([POPFETCH], env=app.env, timeout=30, check=True, capture_output=True)
        app.find(pyatspi.ROLE_LABEL, ACCOUNT)
        quit_from_menu(app)

        # Off: nothing stays behind, and --background does not start.
        set_settings(home, run_in_background="false")
        app = start(server, home)
        apps.append(app)
        app.find(pyatspi.ROLE_LABEL, ACCOUNT)
        close_main_window(app)
        try:
            app.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            raise TestFailure("Popfetch stayed behind its closed window with Fetch in the Background off")
        background = subprocess.run([POPFETCH, "--background"], env=app.env, timeout=30, capture_output=True)
        if background.returncode != 0 or bus_name_has_owner(APP_ID):
            raise TestFailure("popfetch --background stayed with Fetch in the Background off")


# --- 3. starting at login -------------------------------------------------------


def test_switch_writes_and_removes_autostart():
    """Preferences → Fetch in the Background writes the XDG autostart entry
    that starts this popfetch with --background; off removes it."""
    server = DemoServer(session, SERVER, "autostart")
    home = session.saved_account("autostart")
    entry = os.path.join(home, "config", "autostart", f"{APP_ID}.desktop")

    with running(session, server) as apps:
        app = start(server, home)
        apps.append(app)
        app.open_from_menu("Preferences")
        prefs = wait_for("the Preferences window", lambda: [w for w in app.windows() if w.name == "Preferences"])[0]
        # A click on the row's title flips its switch, as on any switch row.
        title = app.find(pyatspi.ROLE_LABEL, "Fetch in the Background", node=prefs)
        click_at(title)
        wait_for("the autostart entry", lambda: os.path.exists(entry), timeout=10)
        with open(entry) as f:
            text = f.read()
        print("# " + " | ".join(text.splitlines()))
        exec_line = [line for line in text.splitlines() if line.startswith("Exec=")]
        if exec_line != [f"Exec={os.path.realpath(POPFETCH)} --background"]:
            raise TestFailure(f"the entry runs {exec_line}, not this popfetch with --background")
        result = subprocess.run(["desktop-file-validate", entry], capture_output=True, text=True)
        if result.returncode != 0:
            raise TestFailure(f"the entry is not a valid desktop file: {result.stdout}{result.stderr}")
        session.screenshot("preferences-background")

        click_at(title)
        wait_for("the autostart entry to go", lambda: not os.path.exists(entry), timeout=10)
        # The window is open: turning the switch off does not end Popfetch.
        time.sleep(0.5)
        if app.proc.poll() is not None:
            raise TestFailure("Popfetch ended when the switch went off with its window open")


# --- 4. Fetch All, a few at a time ------------------------------------------------


def delivery_span(home, folder):
    """First and last delivery time of the messages in @folder, from the
    Maildir names (time.MusecP…): when that account's fetch ran."""
    times = []
    for name in maildir_files(home, folder):
        found = re.match(r"(\d+)\.M(\d+)P", name)
        if found:
            times.append(int(found.group(1)) + int(found.group(2)) / 1e6)
    return (min(times), max(times))


def test_fetch_all_concurrent():
    """Fetch All over four accounts on four mailboxes runs them at once,
    each Maildir exact; two more accounts reading one mailbox never run
    together, and never more than four run at once."""
    count = 400
    server = DemoServer(session, SERVER, "concurrent")
    home = session.new_home("concurrent")
    names = ["One", "Two", "Twin A", "Twin B", "Three", "Four"]
    users = {"One": "one", "Two": "two", "Twin A": "twin", "Twin B": "twin", "Three": "three", "Four": "four"}
    for user in sorted(set(users.values())):
        server.add_user(f"{user}@popfetch.test", f"{user}-secret", count)
    for name in names:
        add_account(home, name, f"{users[name]}@popfetch.test", f"{users[name]}-secret")

    with running(session, server) as apps:
        app = start(server, home)
        apps.append(app)
        app.find(pyatspi.ROLE_LABEL, "Four")
        app.click(pyatspi.ROLE_PUSH_BUTTON, "Fetch All")
        wait_for("every fetch", lambda: len(labels(app, rf"Fetched {count} messages at ")) == len(names),
                 timeout=120)
        for name in names:
            assert_exactly_once(home, count, folder=name)

        spans = {name: delivery_span(home, name) for name in names}
        for name, (first, last) in spans.items():
            print(f"# {name}: {first:.3f} … {last:.3f}")
        twin_a, twin_b = spans["Twin A"], spans["Twin B"]
        if twin_a[0] <= twin_b[1] and twin_b[0] <= twin_a[1]:
            raise TestFailure("the two accounts of one mailbox fetched at the same time")
        # The most fetches running at one instant.
        events = sorted([(first, 1) for first, _ in spans.values()] +
                        [(last, -1) for _, last in spans.values()])
        most = now = 0
        for _, step in events:
            now += step
            most = max(most, now)
        print(f"# at most {most} at once")
        if most < 3:
            raise TestFailure(f"Fetch All ran at most {most} accounts at once")
        if most > 4:
            raise TestFailure(f"{most} accounts ran at once, more than the 4 allowed")


# --- 5. a fetch that fell due while Popfetch was not running ---------------------


def test_overdue_fetch_runs_soon_once():
    """The last fetch was long ago (Popfetch closed, the machine asleep):
    started at login, Popfetch fetches soon, once, not once per interval
    missed, and then waits a whole interval."""
    server = DemoServer(session, SERVER, "overdue")
    home = session.saved_account("overdue")
    # Sixty "minutes" of two seconds: two minutes between fetches.
    set_settings(home, run_in_background="true", fetch_interval=60)
    os.makedirs(os.path.join(home, "state", "popfetch"), exist_ok=True)
    long_ago = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - 6 * 3600))
    with open(os.path.join(home, "state", "popfetch", "last-fetch.ini"), "w") as f:
        f.write(f"[{ACCOUNT}]\ntime={long_ago}\ncount=0\n")

    with running(session, server) as apps:
        started = time.monotonic()
        app = start(server, home, args=("--background",), accessible=False)
        apps.append(app)
        wait_for("the overdue fetch", lambda: len(maildir_files(home)) == SAMPLES, timeout=30)
        print(f"# fetched {time.monotonic() - started:.1f} s after the start")
        server.add_messages(2)
        time.sleep(10)
        if len(maildir_files(home)) != SAMPLES:
            raise TestFailure("fetched again before a whole interval had passed")


# --- 6. failures without nagging ------------------------------------------------


def test_failures_notify_without_nagging():
    """Periodic fetches in the background that keep failing: a rejected
    password is said at once and once; a server that does not answer only
    the third time in a row, once. The notification names the account and
    the problem; a click opens the account with its diagnosis."""
    server = DemoServer(session, SERVER, "failing")
    notifications = Notifications("failing")
    home = session.new_home("failing")
    add_account(home, "Wrong", ADDRESS, "not-the-password")
    # Nothing listens on port 9 of the loopback address (the demo mapping
    # leaves ports it does not know as they are).
    add_account(home, "Down", "down@popfetch.test", "secret", port=9)
    set_settings(home, run_in_background="true", fetch_interval=1)

    def about(name):
        return [c for c in notifications.calls() if name in c["summary"]]

    with running(session, server, notifications) as apps:
        app = start(server, home, args=("--background",), accessible=False)
        apps.append(app)
        wrong = wait_for("the rejected password said", lambda: about("Wrong"), timeout=30)
        if about("Down"):
            raise TestFailure(f"a refused connection was said the first time: {about('Down')}")
        print(f"# {wrong[0]['summary']!r} / {wrong[0]['body']!r}")
        if "password" not in wrong[0]["body"].lower():
            raise TestFailure(f"the notification does not say the password was refused: {wrong[0]['body']!r}")

        down = wait_for("the third refused connection said", lambda: about("Down"), timeout=40)
        print(f"# {down[0]['summary']!r} / {down[0]['body']!r}")
        # Several more intervals: nothing more.
        time.sleep(8)
        if len(about("Wrong")) != 1 or len(about("Down")) != 1:
            raise TestFailure(f"said more than once: {notifications.summaries()}")

        # A click opens the account's diagnosis.
        notifications.click(wrong[0]["id"])
        app.attach()
        app.find(pyatspi.ROLE_PUSH_BUTTON, "Account Settings", timeout=15)
        wait_for("the diagnosis", lambda: labels(app, r".*[Pp]assword"), timeout=10)
        session.screenshot("background-failure-diagnosis")
        app.key("<Control>q")
        app.proc.wait(timeout=15)


try:
    tap.run("/ui/background/failures-notify-once-user-fixable-at-once-others-third-time",
            test_failures_notify_without_nagging)
    tap.run("/ui/background/overdue-fetch-runs-soon-once", test_overdue_fetch_runs_soon_once)
    tap.run("/ui/background/windowless-fetches-on-interval-and-notifies", test_background_start_fetches_and_notifies)
    tap.run("/ui/background/close-reopen-quit-and-off", test_close_and_reopen_window)
    tap.run("/ui/background/switch-writes-and-removes-autostart", test_switch_writes_and_removes_autostart)
    tap.run("/ui/fetch-all/four-at-once-one-per-mailbox", test_fetch_all_concurrent)
finally:
    session.stop()
tap.finish()
