#!/usr/bin/python3
# test-ui-server.py — the account page's view of the mail left on the
# server, and its two actions, against the Dovecot fixture
#
# Copyright 2026 The Popfetch authors
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
#   python3 test-ui-server.py POPFETCH PF-UI-SERVER SCREENSHOT-DIR SCHEMA-DIR
#
# A saved demo account with a size limit of 1 MB, and two messages of
# 1.5 MB on the server besides the 26 small ones: the first fetch leaves
# the two there, the page lists them, Download Anyway brings one into the
# Maildir once, Delete from Server removes the other, and only it, from
# the Dovecot mailbox.

import os
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from pf_ui_session import (App, DemoServer, Session, Tap, TestFailure, activate_row,  # noqa: E402
                           click_at, is_showing, require, run_in_private_bus, running,
                           use_schema_dir, wait_for)

run_in_private_bus()

POPFETCH, SERVER, SHOTS, SCHEMA_DIR = sys.argv[1:5]
use_schema_dir(SCHEMA_DIR)

ACCOUNT = "Demo"
SAMPLES = 26  # the messages pf-ui-server starts with
LIMIT = 1000000
BIG_KIB = 1500

tap = Tap()
require(tap, ("Xvfb", "gnome-keyring-daemon", "secret-tool"), dovecot=True)

import pyatspi  # noqa: E402  (after the checks: needs the session bus)

session = Session(SHOTS)
session.start()


def labels(app, pattern):
    return [a.name for a in app.find_all(pyatspi.ROLE_LABEL) if a.name and re.search(pattern, a.name)]


def files_in(path, subs=("new", "cur")):
    found = []
    for sub in subs:
        folder = os.path.join(path, sub)
        if os.path.isdir(folder):
            found += [os.path.join(folder, name) for name in os.listdir(folder)]
    return found


def big(paths):
    return [p for p in paths if os.path.getsize(p) > LIMIT]


def message_id(path):
    with open(path, "rb") as f:
        head = f.read(4096).split(b"\n\n", 1)[0]
    found = re.search(rb"(?im)^Message-ID:\s*(\S+)", head)
    return found.group(1).decode() if found else None


def row_summary(app):
    """The account's summary line in the main window's list (on the page
    under the account page: there, not showing)."""
    found = [a.name for a in app.find_all(pyatspi.ROLE_LABEL, showing=False)
             if a.name and re.match(r"^(Fetched|No new mail|Not fetched|The last fetch)", a.name)]
    return found[0] if found else None


def wait_row_summary(app, what, pattern):
    return wait_for(f"the account's summary to say {what}",
                    lambda: (lambda s: s if s and re.search(pattern, s) else None)(row_summary(app)),
                    timeout=20)


def wait_focus_kept(app, what, names):
    """The keyboard focus is on one of @names (a control of the panel on
    screen; None: any button on screen), not lost with the button that
    was there."""
    seen = []

    def kept():
        focus = app.focused()
        try:
            seen[:] = [f"{focus.getRoleName()} {focus.name!r}" if focus is not None else "nothing"]
            return focus is not None and is_showing(focus) and \
                (focus.name in names if names else focus.getRole() == pyatspi.ROLE_PUSH_BUTTON)
        except Exception:
            return False
    try:
        wait_for(f"the focus kept {what}", kept, timeout=10)
    except TestFailure:
        raise TestFailure(f"the keyboard focus {what} is on {seen[0] if seen else 'nothing'}")


def local_mail(home):
    return files_in(os.path.join(home, "Mail", ACCOUNT), ("new",))


def test_server_view_and_actions():
    server = DemoServer(session, SERVER, "server")
    server.add_messages(2, BIG_KIB)
    home = session.saved_account("server", max_size=LIMIT)
    server_mail = server.maildir()
    with running(session, server) as apps:
        app = App(session, POPFETCH, home, {"POPFETCH_DEMO": server.key_file})
        apps.append(app)
        app.find(pyatspi.ROLE_LABEL, ACCOUNT)
        activate_row(app, ACCOUNT)
        app.click(pyatspi.ROLE_PUSH_BUTTON, "Fetch")
        wait_for("the fetch under the size limit", lambda: labels(app, rf"^Fetched {SAMPLES} messages at "),
                 timeout=90)

        # What is on the server, in words, and the two messages left there.
        summary = wait_for("the server summary",
                           lambda: labels(app, r"^On the server: \S+ messages, "), timeout=20)[0]
        if not re.fullmatch(rf"On the server: {SAMPLES + 2} messages, [\d.]+\sMB; 2 over your size limit",
                            summary):
            raise TestFailure(f"the summary says {summary!r}")
        app.find(pyatspi.ROLE_LABEL, f"{SAMPLES} of them are here already.")
        rows = wait_for("the rows of the messages over the limit",
                        lambda: labels(app, r"^Sender <sender@popfetch\.test>, Sat, 28 Nov 2026 10:00:00 \+0000, 1\.\d\sMB$"))
        if len(rows) != 2:
            raise TestFailure(f"{len(rows)} rows over the limit: {rows}")
        wait_row_summary(app, "two left over the limit",
                         r" · 2 messages over the size limit left on the server$")
        session.screenshot("account-server-view")

        # Download Anyway, clicked (so the button has the keyboard focus):
        # that message, into the Maildir, once; the focus stays on the
        # page while a spinner takes the button's place and after.
        before_local = local_mail(home)
        download = app.find(pyatspi.ROLE_PUSH_BUTTON, "Download “Message 1” anyway")
        click_at(download)
        wait_for("the message in the Maildir", lambda: len(big(local_mail(home))) == 1, timeout=60)
        wait_for("the list to drop it", lambda: not app.find_all(pyatspi.ROLE_PUSH_BUTTON,
                                                                 "Download “Message 1” anyway"), timeout=20)
        wait_focus_kept(app, "after Download Anyway", ("Download “Message 2” anyway", "Message 2"))
        # The main window's summary follows at once, not at the next fetch.
        wait_row_summary(app, "one left over the limit",
                         r" · 1 message over the size limit left on the server$")
        downloaded = big(local_mail(home))
        if len(local_mail(home)) != len(before_local) + 1:
            raise TestFailure(f"{len(local_mail(home)) - len(before_local)} new files after Download Anyway")
        app.find(pyatspi.ROLE_LABEL, f"{SAMPLES + 1} of them are here already.", timeout=10)

        # A fetch afterwards brings nothing twice.
        app.click(pyatspi.ROLE_PUSH_BUTTON, "Fetch")
        wait_for("the second fetch", lambda: labels(app, r"^No new mail at "),
                 timeout=60)
        ids = [message_id(p) for p in local_mail(home)]
        if len(ids) != SAMPLES + 1 or len(set(ids)) != len(ids):
            raise TestFailure(f"{len(ids)} files, {len(set(ids))} distinct after fetching again")
        if big(local_mail(home)) != downloaded:
            raise TestFailure("the downloaded message changed or doubled")

        # Delete from Server: confirmed, then that message is gone from
        # Dovecot's mailbox, and nothing else.
        on_server = files_in(server_mail)
        if len(on_server) != SAMPLES + 2:
            raise TestFailure(f"{len(on_server)} messages on the server before deleting")
        keep_ids = {message_id(p) for p in on_server}
        target = [p for p in big(on_server) if message_id(p) != message_id(downloaded[0])]
        if len(target) != 1:
            raise TestFailure("cannot tell which message is left over the limit")
        target_id = message_id(target[0])
        click_at(app.find(pyatspi.ROLE_PUSH_BUTTON, "Delete “Message 2” from the server"))
        app.find(pyatspi.ROLE_LABEL, "Delete This Message from the Server?", timeout=10)
        session.screenshot("account-server-delete")
        # The dialog's response buttons (GTK 4.8 gives them no extents over
        # AT-SPI: looked up whether showing or not).
        confirm = wait_for("the dialog's Delete from Server", lambda: app.find_all(
            pyatspi.ROLE_PUSH_BUTTON, "Delete from Server", showing=False), timeout=10)[0]
        confirm.queryAction().doAction(0)
        # The last button of the list goes with its row: the focus moves
        # on to a control still on the page.
        wait_for("the list to empty", lambda: not app.find_all(pyatspi.ROLE_PUSH_BUTTON,
                                                               "Delete “Message 2” from the server"),
                 timeout=60)
        wait_focus_kept(app, "after Delete from Server", None)
        wait_for("the message gone from the server",
                 lambda: target_id not in {message_id(p) for p in files_in(server_mail)}, timeout=60)
        left = {message_id(p) for p in files_in(server_mail)}
        if left != keep_ids - {target_id}:
            raise TestFailure(f"deleting one message changed {len(keep_ids ^ left)} on the server")
        # Message 1 is here now, Message 2 gone: nothing left over the limit.
        wait_for("the summary without it",
                 lambda: labels(app, rf"^On the server: {SAMPLES + 1} messages, [\d.]+\sMB$"),
                 timeout=20)
        if len(local_mail(home)) != SAMPLES + 1:
            raise TestFailure("Delete from Server changed the Maildir")
        wait_row_summary(app, "nothing left over the limit", r"^No new mail at [^·]*$")


def test_action_error_in_words():
    """The server gone when Download Anyway runs: the error is said in
    words on the page, and the message stays listed."""
    server = DemoServer(session, SERVER, "server-gone")
    server.add_messages(1, BIG_KIB)
    home = session.saved_account("server-gone", max_size=LIMIT)
    with running(session, server) as apps:
        app = App(session, POPFETCH, home, {"POPFETCH_DEMO": server.key_file})
        apps.append(app)
        app.find(pyatspi.ROLE_LABEL, ACCOUNT)
        activate_row(app, ACCOUNT)
        app.click(pyatspi.ROLE_PUSH_BUTTON, "Fetch")
        wait_for("the fetch under the size limit", lambda: labels(app, rf"^Fetched {SAMPLES} messages at "),
                 timeout=90)
        app.find(pyatspi.ROLE_PUSH_BUTTON, "Download “Message 1” anyway", timeout=20)
        server.stop()
        app.click(pyatspi.ROLE_PUSH_BUTTON, "Download “Message 1” anyway")
        # The explanation: a title, then what happened and what to try.
        said = wait_for("the error in words", lambda: labels(app, r"(?s)^[^\n]+\n\S.{20,}"), timeout=60)
        print(f"# said: {said[0]!r}")
        app.find(pyatspi.ROLE_PUSH_BUTTON, "Download “Message 1” anyway")
        if big(local_mail(home)):
            raise TestFailure("a message arrived from a stopped server")


try:
    tap.run("/ui/account/server-view/download-anyway-and-delete", test_server_view_and_actions)
    tap.run("/ui/account/server-view/error-in-words", test_action_error_in_words)
finally:
    session.stop()
tap.finish()
