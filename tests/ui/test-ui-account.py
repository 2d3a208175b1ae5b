#!/usr/bin/python3
# test-ui-account.py — an account's life after setup in the real app:
# cancelling a fetch, renaming the account, changing its password, Fetch All
#
# Copyright 2026 The Popfetch authors
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
#   python3 test-ui-account.py POPFETCH PF-UI-SERVER SCREENSHOT-DIR SCHEMA-DIR
#
# Each test starts the Dovecot fixture through pf-ui-server, writes a saved
# account (accounts.ini and its password in the session's gnome-keyring)
# into a fresh HOME, starts the real app there and works it over AT-SPI,
# then checks the Maildir and the accounts file as the user would find them.

import configparser
import os
import re
import struct
import subprocess
import sys
import time
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from pf_ui_session import (App, DemoServer, Session, Tap, TestFailure, activate_row,  # noqa: E402
                           add_account, click_at, keyring_password, require, run_in_private_bus,
                           running, use_schema_dir, wait_for)

run_in_private_bus()

POPFETCH, SERVER, SHOTS, SCHEMA_DIR = sys.argv[1:5]
use_schema_dir(SCHEMA_DIR)

ADDRESS = "demo@popfetch.test"
HOST = "pop.popfetch.test"
ACCOUNT = "Demo"
SAMPLES = 26  # the messages pf-ui-server starts with

tap = Tap()
require(tap, ("Xvfb", "gnome-keyring-daemon", "secret-tool"), dovecot=True)

import pyatspi  # noqa: E402  (after the checks: needs the session bus)

session = Session(SHOTS)
session.start()


def maildir_files(home, folder=ACCOUNT, sub="new"):
    path = os.path.join(home, "Mail", folder, sub)
    return sorted(os.listdir(path)) if os.path.isdir(path) else []


def message_ids(home, folder=ACCOUNT):
    """Message-ID of every delivered message; each must appear once."""
    ids = []
    for name in maildir_files(home, folder):
        with open(os.path.join(home, "Mail", folder, "new", name), "rb") as f:
            head = f.read(4096).split(b"\n\n", 1)[0]
        found = re.search(rb"(?im)^Message-ID:\s*(\S+)", head)
        ids.append(found.group(1).decode() if found else name)
    return ids


def assert_exactly_once(home, expected, folder=ACCOUNT):
    ids = message_ids(home, folder)
    if len(ids) != expected or len(set(ids)) != expected:
        raise TestFailure(f"{len(ids)} files, {len(set(ids))} distinct messages in "
                          f"Mail/{folder}/new, expected {expected} once each")
    if maildir_files(home, folder, "tmp"):
        raise TestFailure(f"files left in Mail/{folder}/tmp: {maildir_files(home, folder, 'tmp')[:5]}")


def labels(app, pattern):
    return [a.name for a in app.find_all(pyatspi.ROLE_LABEL) if a.name and re.match(pattern, a.name)]


def accounts_file(home):
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(os.path.join(home, "config", "popfetch", "accounts.ini"))
    return parser


def start(server, home, account=ACCOUNT):
    app = App(session, POPFETCH, home, {"POPFETCH_DEMO": server.key_file})
    app.find(pyatspi.ROLE_LABEL, account)
    return app


def test_cancel_fetch():
    """Cancel in the middle of a large fetch: what arrived whole stays, in
    new/, nothing half-written is left, the row says so; the next fetch,
    started right away, brings the rest, each message once."""
    server = DemoServer(session, SERVER, "cancel")
    home = session.saved_account("cancel")
    extra = 400
    server.add_messages(extra, 512)  # about 200 MiB in all
    total = SAMPLES + extra
    with running(session, server) as apps:
        app = start(server, home)
        apps.append(app)
        app.click(pyatspi.ROLE_PUSH_BUTTON, f"Fetch {ACCOUNT}")
        # The Cancel button is looked up while the session starts; the
        # Maildir is watched directly (a walk of the AT-SPI tree takes
        # longer than this fetch needs for a few hundred messages).
        cancel = app.find(pyatspi.ROLE_PUSH_BUTTON, f"Cancel fetching {ACCOUNT}", timeout=20)
        wait_for("the first messages to arrive", lambda: len(maildir_files(home)) >= 3, timeout=60,
                 interval=0.005)
        cancel.queryAction().doAction(0)
        print(f"# cancelled with {len(maildir_files(home))} messages in new/")
        summary = wait_for("the cancelled summary",
                           lambda: labels(app, r"Fetch cancelled at .*; \d+ messages saved$"), timeout=20)[0]
        session.screenshot("account-fetch-cancelled")
        kept = int(re.search(r"; (\d+) messages saved", summary).group(1))
        print(f"# {summary!r}")
        if not 1 <= kept < total:
            raise TestFailure(f"{kept} messages saved of {total}")
        assert_exactly_once(home, kept)
        wait_for("the Fetch button to be back", lambda: app.find_all(pyatspi.ROLE_PUSH_BUTTON, f"Fetch {ACCOUNT}"),
                 timeout=10)

        # Fetch again at once: the cancelled session ended with QUIT, so
        # the server does not hold the mailbox for it; the rest arrives,
        # nothing twice.
        app.click(pyatspi.ROLE_PUSH_BUTTON, f"Fetch {ACCOUNT}")
        done = wait_for("the second fetch to end",
                        lambda: labels(app, rf"(Fetched {total - kept} messages at |The last fetch failed)"),
                        timeout=90)[0]
        if not done.startswith("Fetched"):
            raise TestFailure(f"the second fetch ended with {done!r}")
        assert_exactly_once(home, total)


def test_rename_keeps_mail():
    """Renaming the account in its settings keeps its mail in the folder it
    is in: the next fetch delivers there, not into a new one."""
    server = DemoServer(session, SERVER, "rename")
    home = session.saved_account("rename")
    with running(session, server) as apps:
        app = start(server, home)
        apps.append(app)
        app.click(pyatspi.ROLE_PUSH_BUTTON, f"Fetch {ACCOUNT}")
        wait_for("the first fetch", lambda: labels(app, rf"Fetched {SAMPLES} messages at "), timeout=60)
        assert_exactly_once(home, SAMPLES)

        activate_row(app, ACCOUNT)
        app.click(pyatspi.ROLE_PUSH_BUTTON, "Account Settings")
        entry = app.find(pyatspi.ROLE_TEXT, "Account Name")
        click_at(entry)
        time.sleep(0.3)
        app.key("<Control>a")
        app.type_text("Office\n")
        wait_for("the new name in the accounts file",
                 lambda: "Account Office" in accounts_file(home).sections(), timeout=20)
        section = accounts_file(home)["Account Office"]
        if section.get("maildir") != os.path.join(home, "Mail", ACCOUNT):
            raise TestFailure(f"the renamed account's Maildir is {section.get('maildir')!r}")
        wait_for("the settings window to take the new name",
                 lambda: [w for w in app.windows() if w.name == "Office"], timeout=10)
        session.screenshot("account-renamed")
        app.key("Escape")

        server.add_messages(3)
        app.click(pyatspi.ROLE_PUSH_BUTTON, "Fetch Office")
        wait_for("the fetch after the rename", lambda: labels(app, r"Fetched 3 messages at "), timeout=60)
        assert_exactly_once(home, SAMPLES + 3)
        if os.path.exists(os.path.join(home, "Mail", "Office")):
            raise TestFailure("a second folder Mail/Office was made")


def test_change_password():
    """The keyring holds an old password: the fetch fails, the row shows the
    error badge, the account's page offers Change Password, which opens the
    settings with the new password field focused; the new password replaces
    the keyring item and the next fetch works, the badge gone."""
    server = DemoServer(session, SERVER, "password")
    home = session.saved_account("password", password="an old one")
    with running(session, server) as apps:
        app = start(server, home)
        apps.append(app)
        app.click(pyatspi.ROLE_PUSH_BUTTON, f"Fetch {ACCOUNT}")
        wait_for("the failed fetch", lambda: labels(app, r"The last fetch failed$"), timeout=60)
        app.find(pyatspi.ROLE_IMAGE, "The last fetch failed")
        session.screenshot("account-error-badge")

        activate_row(app, ACCOUNT)
        app.click(pyatspi.ROLE_PUSH_BUTTON, "Change Password")
        # The field sits far down the settings window: it must be scrolled
        # into view. GTK 4.8 reports no focus state for text fields over
        # AT-SPI, so the focus is shown by typing without clicking: the
        # pointer moves onto the window (without a window manager X gives
        # the keys to the window under it) and the keys reach the field.
        editor = wait_for("the settings window", lambda: [w for w in app.windows() if w.name == ACCOUNT],
                          timeout=10)[0]
        height = editor.queryComponent().getExtents(pyatspi.WINDOW_COORDS).height

        def password_in_view():
            for field in app.find_all(pyatspi.ROLE_TEXT, "New Password", node=editor):
                box = field.queryComponent().getExtents(pyatspi.WINDOW_COORDS)
                if box.height > 0 and box.y >= 0 and box.y + box.height <= height:
                    return field
            return None
        wait_for("the new password field to be scrolled into view", password_in_view, timeout=10)
        window_box = editor.queryComponent().getExtents(pyatspi.DESKTOP_COORDS)
        pyatspi.Registry.generateMouseEvent(window_box.x + window_box.width // 2, window_box.y + 20, "abs")
        time.sleep(0.3)
        app.type_text("demo\n")
        wait_for("the new password in the keyring", lambda: keyring_password(ADDRESS) == "demo", timeout=20)
        search = subprocess.run(["secret-tool", "search", "--all", "service", "pop3", "user", ADDRESS],
                                capture_output=True, text=True, timeout=20)
        if search.stdout.count("[/") != 1:
            raise TestFailure(f"expected one keyring item for the account: {search.stdout!r}")
        app.key("Escape")

        app.click(pyatspi.ROLE_PUSH_BUTTON, "Fetch")
        wait_for("the fetch with the new password",
                 lambda: labels(app, rf"Fetched {SAMPLES} messages at "), timeout=60)
        wait_for("the error badge to go",
                 lambda: not app.find_all(pyatspi.ROLE_IMAGE, "The last fetch failed"), timeout=10)
        assert_exactly_once(home, SAMPLES)


def test_fetch_all():
    """Two accounts: Fetch All in the header bar fetches both, each into its
    own folder, each row with its own summary; Ctrl+R does it again and
    only new mail comes."""
    server = DemoServer(session, SERVER, "fetch-all")
    server.add_user("second@popfetch.test", "second-password", 7)
    home = session.saved_account("fetch-all")
    add_account(home, "Second", "second@popfetch.test", "second-password")
    with running(session, server) as apps:
        app = start(server, home)
        apps.append(app)
        app.find(pyatspi.ROLE_LABEL, "Second")
        app.click(pyatspi.ROLE_PUSH_BUTTON, "Fetch All")
        wait_for("both fetches", lambda: labels(app, rf"Fetched {SAMPLES} messages at ")
                 and labels(app, r"Fetched 7 messages at "), timeout=60)
        assert_exactly_once(home, SAMPLES)
        assert_exactly_once(home, 7, folder="Second")

        server.add_messages(2)
        app.key("<Control>r")
        wait_for("both fetches again", lambda: labels(app, r"Fetched 2 messages at ")
                 and labels(app, r"No new mail at "), timeout=60)
        assert_exactly_once(home, SAMPLES + 2)
        assert_exactly_once(home, 7, folder="Second")


def test_policy_and_size_limit():
    """In the settings window: "Delete after some days" with 14 days and a
    size limit of 1 MB, by keyboard and pointer as a user sets them, land
    in the accounts file; the next fetch leaves the two larger messages on
    the server and says so."""
    server = DemoServer(session, SERVER, "policy")
    home = session.saved_account("policy")
    server.add_messages(2, 1500)  # two messages over the limit
    with running(session, server) as apps:
        app = start(server, home)
        apps.append(app)
        activate_row(app, ACCOUNT)
        app.click(pyatspi.ROLE_PUSH_BUTTON, "Account Settings")
        editor = wait_for("the settings window", lambda: [w for w in app.windows() if w.name == ACCOUNT],
                          timeout=10)[0]

        click_at(app.find(pyatspi.ROLE_COMBO_BOX, "After Download", node=editor))
        app.find(pyatspi.ROLE_LABEL, "Delete after some days")
        time.sleep(0.3)
        app.key("Down")
        app.key("Down")
        app.key("Return")
        wait_for("the policy in the accounts file",
                 lambda: accounts_file(home)[f"Account {ACCOUNT}"].get("policy") == "delete-after", timeout=10)

        for name, value in (("Days to Keep", "14"), ("Size Limit (MB)", "1")):
            row = wait_for(f"the {name} row", lambda: [r for r in app.find_all(None, name, node=editor)
                                                       if r.getRole() != pyatspi.ROLE_LABEL], timeout=10)[0]
            spin = wait_for(f"the {name} field", lambda: app.find_all(pyatspi.ROLE_SPIN_BUTTON, node=row)
                            or app.find_all(pyatspi.ROLE_SPIN_BUTTON, name, node=editor), timeout=10)[0]
            click_at(spin, 0.3)
            time.sleep(0.2)
            app.key("<Control>a")
            app.type_text(value + "\n")
        wait_for("days and size limit in the accounts file",
                 lambda: accounts_file(home)[f"Account {ACCOUNT}"].get("delete-after-days") == "14"
                 and accounts_file(home)[f"Account {ACCOUNT}"].get("max-size") == "1000000", timeout=10)
        session.screenshot("account-policy")
        app.key("Escape")

        app.click(pyatspi.ROLE_PUSH_BUTTON, "Fetch")
        summary = wait_for("the fetch under the size limit",
                           lambda: labels(app, rf"Fetched {SAMPLES} messages at "), timeout=60)[0]
        if not summary.endswith(" · 2 messages over the size limit left on the server"):
            raise TestFailure(f"the summary does not report the messages left: {summary!r}")
        assert_exactly_once(home, SAMPLES)


def keyring_item(host, user=ADDRESS):
    found = subprocess.run(["secret-tool", "lookup", "host", host, "service", "pop3", "user", user],
                           capture_output=True, text=True, timeout=20)
    return found.stdout


def shared_mailbox(name):
    """Two saved accounts on one mailbox (same host and user, so one
    keyring item): Demo, and Archive, which a user might keep for a second
    folder."""
    home = session.saved_account(name)
    add_account(home, "Archive", ADDRESS, "demo")
    return home


def open_settings(app, account):
    activate_row(app, account)
    app.click(pyatspi.ROLE_PUSH_BUTTON, "Account Settings")
    return wait_for("the settings window", lambda: [w for w in app.windows() if w.name == account],
                    timeout=10)[0]


def test_remove_keeps_shared_password():
    """Removing one of two accounts on one mailbox leaves the password the
    other still logs in with: the keyring item stays, and the other account
    fetches."""
    server = DemoServer(session, SERVER, "remove-shared")
    home = shared_mailbox("remove-shared")
    with running(session, server) as apps:
        app = start(server, home)
        apps.append(app)
        app.find(pyatspi.ROLE_LABEL, "Archive")
        editor = open_settings(app, "Archive")
        app.click(pyatspi.ROLE_PUSH_BUTTON, "Remove Account…")
        dialog = app.find(pyatspi.ROLE_PUSH_BUTTON, "Remove")
        dialog.queryAction().doAction(0)
        wait_for("Archive to leave the accounts file",
                 lambda: "Account Archive" not in accounts_file(home).sections(), timeout=20)
        wait_for("the settings window to close", lambda: editor not in app.windows(), timeout=10)
        # The keyring work follows the save: give it its moment.
        time.sleep(1.0)
        if keyring_item(HOST) != "demo":
            raise TestFailure("removing Archive took Demo's password out of the keyring")

        app.click(pyatspi.ROLE_PUSH_BUTTON, f"Fetch {ACCOUNT}")
        done = wait_for("the fetch of the account left",
                        lambda: labels(app, rf"(Fetched {SAMPLES} messages at |The last fetch failed)"),
                        timeout=60)[0]
        if not done.startswith("Fetched"):
            raise TestFailure(f"the remaining account's fetch ended with {done!r}")


def test_move_keeps_shared_password():
    """Moving one of two accounts on one mailbox to another server name in
    its settings takes the password along and leaves the other's in place."""
    server = DemoServer(session, SERVER, "move-shared")
    home = shared_mailbox("move-shared")
    moved = "mail.popfetch.test"
    with running(session, server) as apps:
        app = start(server, home)
        apps.append(app)
        app.find(pyatspi.ROLE_LABEL, "Archive")
        open_settings(app, "Archive")
        entry = app.find(pyatspi.ROLE_TEXT, "Server")
        click_at(entry)
        time.sleep(0.3)
        app.key("<Control>a")
        app.type_text(moved + "\n")
        wait_for("the new server in the accounts file",
                 lambda: accounts_file(home)["Account Archive"].get("host") == moved, timeout=20)
        wait_for("the password under the new server", lambda: keyring_item(moved) == "demo", timeout=20)
        time.sleep(1.0)
        if keyring_item(HOST) != "demo":
            raise TestFailure("moving Archive took Demo's password out of the keyring")
        app.key("Escape")


def mean_luminance(path):
    """Mean luminance (0-255) of an 8-bit RGB PNG as the session writes
    them (no filters: each row starts with filter byte 0)."""
    with open(path, "rb") as f:
        data = f.read()
    pos, width, height, idat = 8, 0, 0, b""
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height = struct.unpack(">II", body[:8])
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    raw = zlib.decompress(idat)
    total = 0
    for y in range(height):
        row = raw[y * (width * 3 + 1) + 1:(y + 1) * (width * 3 + 1)]
        total += sum(row[0::3]) * 299 + sum(row[1::3]) * 587 + sum(row[2::3]) * 114
    return total / (1000 * width * height)


def test_dark_style():
    """The app follows the desktop's style: light when it prefers light,
    dark when it prefers dark (libadwaita reads ADW_DEBUG_COLOR_SCHEME in
    place of the settings portal, which a test session does not have)."""
    server = DemoServer(session, SERVER, "style")
    home = session.saved_account("style")
    with running(session, server) as apps:
        seen = {}
        for scheme in ("prefer-light", "prefer-dark"):
            app = App(session, POPFETCH, home, {"POPFETCH_DEMO": server.key_file,
                                                "ADW_DEBUG_COLOR_SCHEME": scheme})
            apps.append(app)
            app.find(pyatspi.ROLE_LABEL, ACCOUNT)
            time.sleep(0.5)
            seen[scheme] = mean_luminance(session.screenshot("main-" + scheme.split("-")[1]))
            app.quit()
        print(f"# mean luminance: {seen}")
        if not (seen["prefer-light"] > 180 and seen["prefer-dark"] < 90):
            raise TestFailure(f"light and dark windows not told apart by luminance: {seen}")


try:
    tap.run("/ui/account/cancel-fetch-keeps-what-arrived", test_cancel_fetch)
    tap.run("/ui/account/rename-keeps-mail-in-its-folder", test_rename_keeps_mail)
    tap.run("/ui/account/change-password-after-a-failed-fetch", test_change_password)
    tap.run("/ui/account/fetch-all-two-accounts", test_fetch_all)
    tap.run("/ui/account/policy-and-size-limit", test_policy_and_size_limit)
    tap.run("/ui/account/remove-keeps-shared-password", test_remove_keeps_shared_password)
    tap.run("/ui/account/move-keeps-shared-password", test_move_keeps_shared_password)
    tap.run("/ui/style/follows-light-and-dark", test_dark_style)
finally:
    session.stop()
tap.finish()
