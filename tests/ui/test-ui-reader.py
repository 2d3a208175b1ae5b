#!/usr/bin/python3
# test-ui-reader.py — the offline reader: an account of thousands of
# messages, search, a message with an attachment saved, read state on
# disk, delete with undo, unread counts
#
# Copyright 2026 The Popfetch authors
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
#   python3 test-ui-reader.py POPFETCH PF-UI-SERVER SCREENSHOT-DIR SCHEMA-DIR
#
# The account's Maildir is written before the app starts, as another
# program (or an earlier fetch) left it; the app builds its index, and
# every check of read state looks at the files' names on disk.

import base64
import glob
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from pf_ui_session import (App, DemoServer, Session, Tap, TestFailure, activate_row, click_at,  # noqa: E402
                           press_key, require, run_in_private_bus,
                           running as running_in, wait_for)

run_in_private_bus()

POPFETCH, SERVER, SHOTS, SCHEMA_DIR = sys.argv[1:5]
if os.path.exists(os.path.join(SCHEMA_DIR, "gschemas.compiled")):
    os.environ["GSETTINGS_SCHEMA_DIR"] = SCHEMA_DIR

ACCOUNT = "Reader"
ADDRESS = "reader@popfetch.test"
COUNT = 3000
READ = 1000                 # of them in cur/ with :2,S
TARGET_BASE = "1760000000.M99999P1Q1.test"
PDF = b"%PDF-1.4\n% popfetch test attachment\n" + bytes(range(256)) * 8

tap = Tap()
require(tap, ("Xvfb", "gnome-keyring-daemon", "secret-tool"), dovecot=True)

import pyatspi  # noqa: E402

session = Session(SHOTS)
session.start()


def reader_home(name):
    home = session.new_home(name)
    os.makedirs(os.path.join(home, "config", "popfetch"), exist_ok=True)
    with open(os.path.join(home, "config", "popfetch", "accounts.ini"), "w") as f:
        f.write(f"[Account {ACCOUNT}]\naddress={ADDRESS}\nhost=pop.popfetch.test\nport=995\n"
                f"security=tls\nuser={ADDRESS}\nmechanism=auto\n")
    maildir = os.path.join(home, "Mail", ACCOUNT)
    for sub in ("new", "cur", "tmp"):
        os.makedirs(os.path.join(maildir, sub), exist_ok=True)
    names = ["Anna Berg", "Bob Stone", "Carol White", "Dan Miller"]
    for i in range(COUNT):
        t = 1700000000 + i * 3600
        date = time.strftime("%a, %d %b %Y %H:%M:%S +0000", time.gmtime(t))
        sender = names[i % len(names)]
        text = (f"From: {sender} <{sender.split()[0].lower()}@example.org>\nTo: {ADDRESS}\n"
                f"Subject: Weekly note {i}\nDate: {date}\nMessage-ID: <n{i}@example.org>\n\n"
                f"Note number {i}.\n")
        base = f"{t}.M{i}P1Q1.test"
        if i < READ:
            path = os.path.join(maildir, "cur", base + ":2,S")
        else:
            path = os.path.join(maildir, "new", base)
        with open(path, "w") as f:
            f.write(text)
    # The newest one: from someone no other message is from, with a PDF.
    attachment = base64.encodebytes(PDF).decode()
    with open(os.path.join(maildir, "new", TARGET_BASE), "w") as f:
        f.write(f"From: Zelda Quux <zelda@example.org>\nTo: {ADDRESS}\n"
                "Subject: Quarterly figures\nDate: Thu, 09 Oct 2025 09:00:00 +0000\n"
                "Message-ID: <figures@example.org>\nMIME-Version: 1.0\n"
                'Content-Type: multipart/mixed; boundary="b"\n\n'
                "--b\nContent-Type: text/plain; charset=utf-8\n\nThe figures are attached.\n"
                '--b\nContent-Type: application/pdf; name="report.pdf"\n'
                'Content-Disposition: attachment; filename="report.pdf"\n'
                f"Content-Transfer-Encoding: base64\n\n{attachment}--b--\n")
    return home, maildir


def target_names(maildir):
    """Where the target message is now: [(folder, name)]."""
    found = []
    for sub in ("new", "cur"):
        for name in os.listdir(os.path.join(maildir, sub)):
            if name.startswith(TARGET_BASE):
                found.append((sub, name))
    return found


def wait_on_disk(maildir, want, what):
    wait_for(f"{what}: {want} on disk", lambda: target_names(maildir) == want, timeout=10)


def labels(app, prefix):
    """Labels on screen starting with @prefix. The list's rows are made
    and dropped as it changes: a label gone since the walk is skipped."""
    found = []
    for acc in app.find_all(pyatspi.ROLE_LABEL):
        try:
            name = acc.name
        except Exception:
            continue
        if name.startswith(prefix):
            found.append(name)
    return found


def find_saved(home, name):
    for root, dirs, files in os.walk(home):
        if name in files and os.path.join("Mail", ACCOUNT) not in root and "cache" not in root:
            return os.path.join(root, name)
    return None


def test_reader():
    home, maildir = reader_home("reader")

    with running_in(session) as apps:
        app = App(session, POPFETCH, home)
        apps.append(app)

        # The main window: the unread count per account, from the Maildir.
        wait_for("the unread count", lambda: labels(app, f"{COUNT - READ + 1} unread"), timeout=20)

        # The account: every message, counted, newest first.
        activate_row(app, ACCOUNT)
        started = time.monotonic()
        wait_for("every message in the list", lambda: labels(app, f"{COUNT + 1} messages"), timeout=60)
        session.screenshot("reader-list")
        print(f"# {COUNT + 1} messages listed in {time.monotonic() - started:.1f} s (index built)")
        app.find(pyatspi.ROLE_LABEL, "Quarterly figures")

        # Search as you type, from the keyboard.
        app.key("<Control>f")
        entry = app.find(pyatspi.ROLE_ENTRY, "Search messages")
        wait_for("the search entry to take the focus", lambda: app.focused() == entry)
        app.type_text("from:zel")
        wait_for("one message found", lambda: labels(app, "1 message found"), timeout=10)
        app.type_text("da")
        wait_for("still one message", lambda: labels(app, "1 message found"), timeout=10)
        if labels(app, "Weekly note"):
            raise TestFailure("other messages are still listed")

        # Enter goes to the results; Return opens the selected message.
        press_key("Return")
        wait_for("the list to take the focus",
                 lambda: app.focused() is not None and app.focused().getRole() in
                 (pyatspi.ROLE_LIST_ITEM, pyatspi.ROLE_LIST))
        press_key("Return")
        text = wait_for("the message text", lambda: app.find_all(pyatspi.ROLE_TEXT, "Message text"), timeout=10)[0]
        wait_for("the text part", lambda: "The figures are attached." in text.queryText().getText(0, -1))
        shown = text.queryText().getText(0, -1)
        if "From: Zelda Quux <zelda@example.org>" not in shown.splitlines():
            raise TestFailure(f"no decoded From line: {shown[:300]!r}")
        # Opened is read: new/ to cur/ with :2,S, as mutt names it.
        wait_on_disk(maildir, [("cur", TARGET_BASE + ":2,S")], "opened")
        session.screenshot("reader-message")

        # The attachment: name, type and size; Save through the file chooser.
        app.find(pyatspi.ROLE_LABEL, "report.pdf")
        # g_format_size() puts a no-break space before the unit.
        app.find(pyatspi.ROLE_LABEL, "application/pdf · 2.1\u00a0kB")
        app.click(pyatspi.ROLE_PUSH_BUTTON, "Save “report.pdf”")
        # Without a portal GtkFileChooserNative is GTK's own dialog.
        wait_for("the file chooser", lambda: [w for w in app.windows() if w.name == "Save Attachment"], timeout=10)
        time.sleep(0.5)
        # The name entry has the focus, the suggested name in it: Return saves.
        app.key("Return")
        wait_for("the save to finish", lambda: labels(app, "Attachment saved"), timeout=10)
        saved = find_saved(home, "report.pdf")
        if saved is None:
            raise TestFailure("report.pdf was not saved in the home folder")
        with open(saved, "rb") as f:
            if f.read() != PDF:
                raise TestFailure(f"{saved} does not hold the attachment's bytes")

        # Mark as Unread: S goes from the name on disk.
        app.click(pyatspi.ROLE_PUSH_BUTTON, "Mark as Unread")
        wait_on_disk(maildir, [("cur", TARGET_BASE + ":2,")], "marked unread")

        # Delete from the message window: T on disk, out of the list, Undo.
        app.click(pyatspi.ROLE_PUSH_BUTTON, "Delete Message")
        wait_on_disk(maildir, [("cur", TARGET_BASE + ":2,T")], "deleted (trashed)")
        wait_for("the toast", lambda: labels(app, "Message deleted"), timeout=5)
        wait_for("the list without it", lambda: labels(app, "0 messages found"), timeout=5)
        app.click(pyatspi.ROLE_PUSH_BUTTON, "Undo")
        wait_on_disk(maildir, [("cur", TARGET_BASE + ":2,")], "undone")
        wait_for("the list with it again", lambda: labels(app, "1 message found"), timeout=5)

        # Delete by key, and let the toast go: the file goes.
        # Back to the search (a click: with no window manager the main
        # window is not made active again when the message window goes),
        # Return to the results, Delete.
        click_at(entry)
        wait_for("the search entry to take the focus", lambda: app.focused() == entry)
        press_key("Return")
        wait_for("the list to take the focus",
                 lambda: app.focused() is not None and app.focused().getRole() in
                 (pyatspi.ROLE_LIST_ITEM, pyatspi.ROLE_LIST))
        pyatspi.Registry.generateKeyboardEvent(0xffff, None, pyatspi.KEY_SYM)  # Delete
        wait_on_disk(maildir, [("cur", TARGET_BASE + ":2,T")], "deleted by key")

        # Escape leaves the search; the list is whole again, less one.
        click_at(entry)
        wait_for("the search entry to take the focus", lambda: app.focused() == entry)
        press_key("Escape")
        wait_for("the whole list again", lambda: labels(app, f"{COUNT} messages"), timeout=10)

        # The next deletion makes the one before final: its file goes.
        # (A toast's own timeout needs an active window, which Xvfb
        # without a window manager does not give reliably.)
        newest_weekly = f"{1700000000 + (COUNT - 1) * 3600}.M{COUNT - 1}P1Q1.test"
        wait_for("the list to have the focus", lambda: app.focused() is not None and
                 app.focused().getRole() in (pyatspi.ROLE_LIST_ITEM, pyatspi.ROLE_LIST))
        pyatspi.Registry.generateKeyboardEvent(0xffff, None, pyatspi.KEY_SYM)  # Delete
        wait_for("the file to go", lambda: target_names(maildir) == [], timeout=10)
        wait_for("the next one trashed",
                 lambda: os.path.exists(os.path.join(maildir, "cur", newest_weekly + ":2,T")), timeout=10)
        app.click(pyatspi.ROLE_PUSH_BUTTON, "Undo")
        wait_for("the next one back, unread",
                 lambda: os.path.exists(os.path.join(maildir, "cur", newest_weekly + ":2,")), timeout=10)
        wait_for("the list with it again", lambda: labels(app, f"{COUNT} messages"), timeout=10)

        # Other readers' changes show: mutt reads a message.
        other = f"{1700000000 + (COUNT - 2) * 3600}.M{COUNT - 2}P1Q1.test"
        os.rename(os.path.join(maildir, "new", other), os.path.join(maildir, "cur", other + ":2,S"))
        app.click(pyatspi.ROLE_PUSH_BUTTON, "Back")
        wait_for("the unread count to follow", lambda: labels(app, f"{COUNT - READ - 1} unread"), timeout=20)


def small_home(name):
    """A small account: a conversation of three (one reply arriving
    before the message it answers), two messages sharing a subject but no
    references, a message with a PDF attachment, and a viewer for PDFs
    that copies what it is given (Open with the default application)."""
    home = session.new_home(name)
    os.makedirs(os.path.join(home, "config", "popfetch"), exist_ok=True)
    with open(os.path.join(home, "config", "popfetch", "accounts.ini"), "w") as f:
        f.write(f"[Account {ACCOUNT}]\naddress={ADDRESS}\nhost=pop.popfetch.test\nport=995\n"
                f"security=tls\nuser={ADDRESS}\nmechanism=auto\n")
    maildir = os.path.join(home, "Mail", ACCOUNT)
    for sub in ("new", "cur", "tmp"):
        os.makedirs(os.path.join(maildir, sub), exist_ok=True)
    attachment = base64.encodebytes(PDF).decode()
    messages = [
        # (n, id, in-reply-to, references, subject, body)
        (1, "l1", None, None, "Lunch plan", "Shall we?\n"),
        (2, "l2", "<l1@t>", "<l1@t>", "Re: Lunch plan", "Yes.\n"),
        (4, "g", None, None, "Garden notes", "Roses.\n"),
        (5, "l3", "<l2@t>", "<l1@t> <l2@t>", "Re: Lunch plan", "Noon.\n"),
        (6, "b1", None, None, "Re: Budget", "One.\n"),
        (7, "b2", None, None, "Re: Budget", "Two.\n"),
    ]
    for n, mid, irt, refs, subject, body in messages:
        # The index writes new files in the order of their names, which
        # begin with the delivery time: the last reply's name is given the
        # earliest, so that it is indexed before the messages it answers.
        stamp = 1760000000 + (n if mid != "l3" else 0)
        lines = ["From: Anna Berg <anna@example.org>", f"To: {ADDRESS}", f"Subject: {subject}",
                 f"Date: Thu, 09 Oct 2025 0{n}:00:00 +0000", f"Message-ID: <{mid}@t>"]
        if irt:
            lines.append(f"In-Reply-To: {irt}")
        if refs:
            lines.append(f"References: {refs}")
        with open(os.path.join(maildir, "new", f"{stamp}.M{n}P1Q1.test"), "w") as f:
            f.write("\n".join(lines) + "\n\n" + body)
    with open(os.path.join(maildir, "new", f"{1760000003}.M3P1Q1.test"), "w") as f:
        f.write(f"From: Zelda Quux <zelda@example.org>\nTo: {ADDRESS}\n"
                "Subject: Quarterly figures\nDate: Thu, 09 Oct 2025 03:00:00 +0000\n"
                "Message-ID: <fig@t>\nMIME-Version: 1.0\n"
                'Content-Type: multipart/mixed; boundary="b"\n\n'
                "--b\nContent-Type: text/plain; charset=utf-8\n\nThe figures are attached.\n"
                '--b\nContent-Type: application/pdf; name="report.pdf"\n'
                'Content-Disposition: attachment; filename="report.pdf"\n'
                f"Content-Transfer-Encoding: base64\n\n{attachment}--b--\n")
    # The default application for PDFs: a script that keeps a copy.
    apps = os.path.join(home, "data", "applications")
    os.makedirs(apps, exist_ok=True)
    viewer = os.path.join(home, "viewer.sh")
    with open(viewer, "w") as f:
        f.write(f'#!/bin/sh\ncp "$1" "{home}/opened.pdf.part" && mv "{home}/opened.pdf.part" "{home}/opened.pdf"\n')
    os.chmod(viewer, 0o755)
    with open(os.path.join(apps, "pf-test-viewer.desktop"), "w") as f:
        f.write(f"[Desktop Entry]\nType=Application\nName=Test Viewer\nExec={viewer} %f\n"
                "MimeType=application/pdf;\nNoDisplay=true\n")
    with open(os.path.join(home, "config", "mimeapps.list"), "w") as f:
        f.write("[Default Applications]\napplication/pdf=pf-test-viewer.desktop\n")
    return home, maildir


def click_toggle(app, name):
    """GTK 4.8 gives a toggle button the push button's role."""
    acc = wait_for(f"a toggle button named {name!r}",
                   lambda: [a for a in app.find_all(None, name)
                            if a.getRole() in (pyatspi.ROLE_TOGGLE_BUTTON, pyatspi.ROLE_PUSH_BUTTON)])[0]
    acc.queryAction().doAction(0)


def list_has_focus(app):
    focused = app.focused()
    return focused is not None and focused.getRole() in (pyatspi.ROLE_LIST_ITEM, pyatspi.ROLE_LIST)


def test_keys_source_open_conversations():
    home, maildir = small_home("conversations")

    with running_in(session) as apps:
        app = App(session, POPFETCH, home, {"XDG_DATA_HOME": os.path.join(home, "data")})
        apps.append(app)
        activate_row(app, ACCOUNT)
        wait_for("the list", lambda: labels(app, "7 messages"), timeout=30)

        # Conversations: one row per conversation, newest first; the one of
        # three (its last reply indexed before the message it answers)
        # shows its count; the same subject without references is not one.
        click_toggle(app, "Group by Conversation")
        wait_for("the conversations", lambda: labels(app, "5 conversations"), timeout=10)
        wait_for("the conversation of three", lambda: labels(app, "Conversation of 3 messages"), timeout=10)
        if len(labels(app, "Re: Budget")) != 2:
            raise TestFailure("two messages sharing only a subject were put together")
        session.screenshot("reader-conversations")

        # Found by search, opened with Enter: its messages; Escape back.
        app.key("<Control>f")
        entry = app.find(pyatspi.ROLE_ENTRY, "Search messages")
        wait_for("the search entry to take the focus", lambda: app.focused() == entry)
        app.type_text("lunch")
        wait_for("one conversation found", lambda: labels(app, "1 conversation found"), timeout=10)
        press_key("Return")
        wait_for("the list to take the focus", lambda: list_has_focus(app))
        press_key("Return")
        wait_for("the conversation opened", lambda: app.find_all(pyatspi.ROLE_PUSH_BUTTON, "All Conversations"),
                 timeout=10)
        wait_for("its three messages", lambda: len(labels(app, "Re: Lunch plan")) == 2 and
                 labels(app, "Lunch plan"), timeout=10)
        press_key("Escape")
        wait_for("back to the conversations found", lambda: labels(app, "1 conversation found"), timeout=10)
        press_key("Escape")
        wait_for("every conversation again", lambda: labels(app, "5 conversations"), timeout=10)

        click_toggle(app, "Group by Conversation")
        wait_for("the messages again", lambda: labels(app, "7 messages"), timeout=10)

        # Arrows move in the list, Enter opens: Escape from the search
        # puts the focus on the list, at its first (newest) row; four
        # rows down is the message with the attachment.
        app.key("<Control>f")
        entry = app.find(pyatspi.ROLE_ENTRY, "Search messages")
        wait_for("the search entry to take the focus", lambda: app.focused() == entry)
        press_key("Escape")
        wait_for("the list to take the focus", lambda: list_has_focus(app))
        for _ in range(4):
            press_key("Down")
        press_key("Return")
        text = wait_for("the message text", lambda: app.find_all(pyatspi.ROLE_TEXT, "Message text"), timeout=10)[0]
        wait_for("the fourth message down", lambda: "The figures are attached." in text.queryText().getText(0, -1))

        # The raw source: the message as received, encoded parts and all.
        click_toggle(app, "Source")
        source = wait_for("the source", lambda: app.find_all(pyatspi.ROLE_TEXT, "Message source"), timeout=10)[0]
        raw = source.queryText().getText(0, -1)
        for line in ("Message-ID: <fig@t>", "Content-Transfer-Encoding: base64",
                     'Content-Type: multipart/mixed; boundary="b"'):
            if line not in raw.splitlines():
                raise TestFailure(f"the source lacks {line!r}: {raw[:300]!r}")
        click_toggle(app, "Source")

        # Open: the default application gets a copy of the attachment.
        app.click(pyatspi.ROLE_PUSH_BUTTON, "Open “report.pdf”")
        opened = os.path.join(home, "opened.pdf")
        wait_for("the viewer to get the attachment", lambda: os.path.exists(opened), timeout=15)
        with open(opened, "rb") as f:
            if f.read() != PDF:
                raise TestFailure("the viewer was not given the attachment's bytes")
        press_key("Escape")
        wait_for("the message window to close",
                 lambda: not app.find_all(pyatspi.ROLE_TEXT, "Message text"), timeout=10)

        # Other programs' changes show in the open list without a click:
        # a delivery by another MDA, then another reader deleting a file.
        other = os.path.join(maildir, "new", "1760000100.M100P1Q1.test")
        with open(other, "w") as f:
            f.write(f"From: Omar Field <omar@example.org>\nTo: {ADDRESS}\nSubject: Delivered elsewhere\n"
                    "Date: Thu, 09 Oct 2025 10:00:00 +0000\nMessage-ID: <other@t>\n\nHi.\n")
        wait_for("the message delivered by another program", lambda: labels(app, "8 messages") and
                 labels(app, "Delivered elsewhere"), timeout=10)
        os.unlink(other)
        wait_for("the message another program deleted to go", lambda: labels(app, "7 messages") and
                 not labels(app, "Delivered elsewhere"), timeout=10)


def demo_home(name):
    """The demo account saved with "Delete from the Server Too" on."""
    home = session.new_home(name)
    os.makedirs(os.path.join(home, "config", "popfetch"), exist_ok=True)
    with open(os.path.join(home, "config", "popfetch", "accounts.ini"), "w") as f:
        f.write("[Account Demo]\naddress=demo@popfetch.test\nhost=pop.popfetch.test\nport=995\n"
                "security=tls\nuser=demo@popfetch.test\nmechanism=auto\ndelete-on-server=true\n")
    subprocess.run(["secret-tool", "store", "--label", "Popfetch: Demo",
                    "xdg:schema", "io.github.popfetch.Popfetch.Password",
                    "host", "pop.popfetch.test", "service", "pop3", "user", "demo@popfetch.test"],
                   input="demo", text=True, check=True, timeout=20)
    return home


def server_holds(maildir, message_id):
    for path in glob.glob(os.path.join(maildir, "*", "*")):
        with open(path, "rb") as f:
            if message_id.encode() in f.read():
                return True
    return False


def test_delete_on_server():
    server = DemoServer(session, SERVER, "delete")
    server_maildir = server.maildir()
    home = demo_home("delete")

    with running_in(session, server) as apps:
        app = App(session, POPFETCH, home, {"POPFETCH_DEMO": server.key_file})
        apps.append(app)
        app.click(pyatspi.ROLE_PUSH_BUTTON, "Fetch Demo")
        wait_for("the fetch", lambda: labels(app, "Fetched 26 messages"), timeout=60)
        if not server_holds(server_maildir, "<notes@example.org>"):
            raise TestFailure("the server does not hold the message to delete")
        activate_row(app, "Demo")
        wait_for("the list", lambda: labels(app, "26 messages"), timeout=20)

        # Delete the planning notes, found by search.
        app.key("<Control>f")
        entry = app.find(pyatspi.ROLE_ENTRY, "Search messages")
        wait_for("the search entry to take the focus", lambda: app.focused() == entry)
        app.type_text("subject:planning")
        wait_for("one message found", lambda: labels(app, "1 message found"), timeout=10)
        press_key("Return")
        wait_for("the list to take the focus", lambda: app.focused() is not None and
                 app.focused().getRole() in (pyatspi.ROLE_LIST_ITEM, pyatspi.ROLE_LIST))
        pyatspi.Registry.generateKeyboardEvent(0xffff, None, pyatspi.KEY_SYM)  # Delete
        wait_for("the toast", lambda: labels(app, "Message deleted"), timeout=5)

        # The next deletion makes it final; that one is undone.
        click_at(entry)
        wait_for("the search entry to take the focus", lambda: app.focused() == entry)
        press_key("Escape")
        wait_for("the whole list", lambda: labels(app, "25 messages"), timeout=10)
        wait_for("the list to take the focus", lambda: app.focused() is not None and
                 app.focused().getRole() in (pyatspi.ROLE_LIST_ITEM, pyatspi.ROLE_LIST))
        pyatspi.Registry.generateKeyboardEvent(0xffff, None, pyatspi.KEY_SYM)  # Delete
        lists = wait_for("the list of deletions for the server",
                         lambda: glob.glob(os.path.join(home, "state", "popfetch", "*.delete")), timeout=10)
        with open(lists[0]) as f:
            if len(f.read().split()) != 1:
                raise TestFailure(f"{lists[0]} should name one unique-id")
        app.click(pyatspi.ROLE_PUSH_BUTTON, "Undo")
        wait_for("the list with the undone one", lambda: labels(app, "25 messages"), timeout=10)

        # The next fetch deletes it on the server, and only it.
        app.click(pyatspi.ROLE_PUSH_BUTTON, "Fetch")
        wait_for("the fetch", lambda: labels(app, "No new mail at "),
                 timeout=60)
        wait_for("the server's copy to go", lambda: not server_holds(server_maildir, "<notes@example.org>"),
                 timeout=10)
        if not server_holds(server_maildir, "<umlauts@example.org>"):
            raise TestFailure("another message went from the server too")


try:
    tap.run("/ui/reader/list-search-open-save-read-unread-delete", test_reader)
    tap.run("/ui/reader/keys-source-open-conversations", test_keys_source_open_conversations)
    tap.run("/ui/reader/delete-on-server-at-next-fetch", test_delete_on_server)
finally:
    session.stop()
tap.finish()
