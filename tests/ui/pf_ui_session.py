# pf_ui_session.py — drive the real Popfetch app under Xvfb over AT-SPI
#
# Copyright 2026 The Popfetch authors
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# A UI test script calls run_in_private_bus() first: it runs again inside
# a private D-Bus session (dbus-run-session), its TAP on standard output.
# require() skips the script (or fails it under REQUIRE_DISPLAY=1 /
# REQUIRE_DOVECOT=1) when a program it needs is missing. A Session starts
# Xvfb, an unlocked gnome-keyring and keeps every file in a temporary
# directory; App starts popfetch there and finds widgets the way a screen
# reader does; DemoServer is the Dovecot fixture behind pf-ui-server. Tests
# run through Tap.run(); a test body inside `with running(session, ...)`
# always quits its apps and stops its servers, and when it fails prints
# the app's last output and the labels on screen and saves a screenshot
# named after the test into the screenshot directory in the build tree.

import contextlib
import ctypes
import re
import os
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import time
import traceback
import zlib

INTERACTIVE_ROLES = None


APP_ID = "io.github.popfetch.Popfetch"

# The account pf-ui-server's demo mailbox belongs to, as the tests save it.
DEMO_ADDRESS = "demo@popfetch.test"
DEMO_HOST = "pop.popfetch.test"
DEMO_ACCOUNT = "Demo"


def bus_name_has_owner(name):
    result = subprocess.run(["gdbus", "call", "--session", "--dest", "org.freedesktop.DBus",
                             "--object-path", "/org/freedesktop/DBus",
                             "--method", "org.freedesktop.DBus.NameHasOwner", name],
                            capture_output=True, text=True)
    return "true" in result.stdout


class TestFailure(Exception):
    pass


def run_in_private_bus():
    """Runs the calling script again inside a private D-Bus session and
    exits with its status. Services on that bus (the AT-SPI registry among
    them) print to their standard output, so only the TAP stream goes to
    ours: the inner run writes it to descriptor 3."""
    if os.environ.get("PF_UI_INNER") != "1":
        os.dup2(1, 3)
        # The test environment's G_DEBUG (fatal warnings) is for our own
        # programs; the bus, the keyring, the AT-SPI registry and Xvfb get none.
        env = {**os.environ, "PF_UI_INNER": "1", "PF_TEST_G_DEBUG": os.environ.get("G_DEBUG", "")}
        env.pop("G_DEBUG", None)
        inner = subprocess.run(["dbus-run-session", "--", sys.executable,
                                os.path.abspath(sys.argv[0]), *sys.argv[1:]],
                               env=env, stdout=sys.stderr, pass_fds=(3,))
        sys.exit(inner.returncode)
    sys.stdout = os.fdopen(3, "w")


def require(tap, programs, dovecot=False):
    """Skips every test when one of @programs (or, with @dovecot, the
    Dovecot server) is missing; fails instead under REQUIRE_DISPLAY=1
    (REQUIRE_DOVECOT=1 for Dovecot)."""
    for program in programs:
        if shutil.which(program) is None:
            if os.environ.get("REQUIRE_DISPLAY") == "1":
                print(f"Bail out! {program} is missing")
                sys.exit(1)
            tap.skip_all(f"{program} is not installed")
    if dovecot and not os.path.exists("/usr/sbin/dovecot"):
        if os.environ.get("REQUIRE_DOVECOT") == "1":
            print("Bail out! dovecot is missing")
            sys.exit(1)
        tap.skip_all("dovecot is not installed")


class Tap:
    """A minimal TAP producer: one test per behaviour, plan at the end."""

    current = None  # the path of the test running now

    def __init__(self):
        self.n = 0
        self.failed = 0

    def run(self, name, func, *args):
        self.n += 1
        # PF_UI_ONLY=/ui/account/remove runs just the tests under that path
        # (while working on them); the others are reported skipped.
        only = os.environ.get("PF_UI_ONLY")
        if only and not name.startswith(only):
            print(f"ok {self.n} {name} # SKIP not under PF_UI_ONLY={only}")
            return True
        Tap.current = name
        try:
            func(*args)
        except Exception as e:  # report and go on with the next test
            self.failed += 1
            print(f"not ok {self.n} {name}")
            # Where in the test it failed, then why.
            for line in traceback.format_tb(e.__traceback__)[1:]:
                for part in line.rstrip().splitlines():
                    print(f"# {part}")
            for line in f"{type(e).__name__}: {e}".splitlines():
                print(f"# {line}")
            sys.stdout.flush()
            return False
        print(f"ok {self.n} {name}")
        sys.stdout.flush()
        return True

    def skip_all(self, why):
        print(f"1..0 # SKIP {why}")
        sys.exit(77)

    def finish(self):
        print(f"1..{self.n}")
        sys.exit(1 if self.failed else 0)


def wait_for(what, func, timeout=20.0, interval=0.1):
    deadline = time.monotonic() + timeout
    last_error = None
    while time.monotonic() < deadline:
        try:
            value = func()
            if value:
                return value
        except Exception as e:  # the tree changes under us; try again
            last_error = e
        time.sleep(interval)
    raise TestFailure(f"timed out waiting for {what}" + (f" ({last_error})" if last_error else ""))


class Session:
    def __init__(self, screenshot_dir):
        self.tmp = tempfile.mkdtemp(prefix="popfetch-ui-")
        self.screenshot_dir = screenshot_dir
        os.makedirs(screenshot_dir, exist_ok=True)
        self.procs = []
        self.display = None

    def start(self):
        os.environ["XDG_DATA_HOME"] = os.path.join(self.tmp, "session-data")
        os.environ["XDG_RUNTIME_DIR"] = os.path.join(self.tmp, "runtime")
        os.makedirs(os.environ["XDG_RUNTIME_DIR"], mode=0o700)
        self._start_xvfb()
        self._start_keyring()
        global pyatspi, INTERACTIVE_ROLES
        import pyatspi
        from gi.repository import Atspi
        # An app that was just killed may linger in the registry for a
        # moment: do not let one call on it block for D-Bus's 25 s.
        Atspi.set_timeout(3000, 15000)
        INTERACTIVE_ROLES = {
            pyatspi.ROLE_PUSH_BUTTON, pyatspi.ROLE_TOGGLE_BUTTON, pyatspi.ROLE_ENTRY,
            pyatspi.ROLE_PASSWORD_TEXT, pyatspi.ROLE_CHECK_BOX, pyatspi.ROLE_RADIO_BUTTON,
            pyatspi.ROLE_COMBO_BOX, pyatspi.ROLE_SPIN_BUTTON, pyatspi.ROLE_MENU_ITEM,
            pyatspi.ROLE_CHECK_MENU_ITEM, pyatspi.ROLE_RADIO_MENU_ITEM,
        }
        if hasattr(pyatspi, "ROLE_SWITCH"):
            INTERACTIVE_ROLES.add(pyatspi.ROLE_SWITCH)

    def _start_xvfb(self):
        read_fd, write_fd = os.pipe()
        proc = subprocess.Popen(["Xvfb", "-displayfd", str(write_fd), "-screen", "0", "1280x900x24",
                                 "-nolisten", "tcp", "-noreset"],
                                pass_fds=(write_fd,), stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        os.close(write_fd)
        self.procs.append(proc)
        with os.fdopen(read_fd) as f:
            number = f.readline().strip()
        if not number:
            raise TestFailure("Xvfb did not start")
        self.display = ":" + number
        os.environ["DISPLAY"] = self.display
        # The AT-SPI registry, activated later on this bus, synthesizes the
        # test's pointer and key events: it needs the display too.
        subprocess.run(["dbus-update-activation-environment", f"DISPLAY={self.display}"],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def _start_keyring(self):
        proc = subprocess.run(["gnome-keyring-daemon", "--unlock", "--components=secrets"],
                              input=b"ui-test-keyring\n", capture_output=True, timeout=30)
        for line in proc.stdout.decode().splitlines():
            if "=" in line:
                key, value = line.split("=", 1)
                os.environ[key] = value

    def new_home(self, name):
        home = os.path.join(self.tmp, name)
        for sub in ("config", "state", "data", "cache"):
            os.makedirs(os.path.join(home, sub), exist_ok=True)
        return home

    def saved_account(self, name, password="demo", mechanism="auto", **fields):
        """A fresh HOME called @name with the demo account saved in it
        (@fields: more of its keys, max_size=… for max-size=…)."""
        home = self.new_home(name)
        add_account(home, DEMO_ACCOUNT, DEMO_ADDRESS, password, mechanism=mechanism, **fields)
        return home

    def screenshot(self, name):
        path = os.path.join(self.screenshot_dir, name + ".png")
        save_root_png(self.display, path)
        return path

    def stop(self):
        for proc in reversed(self.procs):
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    proc.kill()
        shutil.rmtree(self.tmp, ignore_errors=True)


def use_schema_dir(schema_dir):
    """The build's compiled GSettings schemas for the app, when it has them."""
    if os.path.exists(os.path.join(schema_dir, "gschemas.compiled")):
        os.environ["GSETTINGS_SCHEMA_DIR"] = schema_dir


def store_password(name, user, password, host=DEMO_HOST):
    """@password in the session's keyring, where the app keeps the password
    of the account @name (host, service and user, as mpop looks it up)."""
    subprocess.run(["secret-tool", "store", "--label", f"Popfetch: {name}",
                    "xdg:schema", "io.github.popfetch.Popfetch.Password",
                    "host", host, "service", "pop3", "user", user],
                   input=password, text=True, check=True, timeout=20)


def keyring_password(user, host=DEMO_HOST):
    """The password the keyring holds for @user at @host ("" for none)."""
    found = subprocess.run(["secret-tool", "lookup", "host", host, "service", "pop3", "user", user],
                           capture_output=True, text=True, timeout=20)
    return found.stdout


def add_account(home, name, address, password, mechanism="auto", port=995, **fields):
    """A saved account on the demo server, as setup leaves it: its section
    in accounts.ini (@fields: more keys, max_size=… for max-size=…) and its
    password in the keyring."""
    more = "".join(f"{key.replace('_', '-')}={value}\n" for key, value in fields.items())
    os.makedirs(os.path.join(home, "config", "popfetch"), exist_ok=True)
    with open(os.path.join(home, "config", "popfetch", "accounts.ini"), "a") as f:
        f.write(f"\n[Account {name}]\naddress={address}\nhost={DEMO_HOST}\nport={port}\n"
                f"security=tls\nuser={address}\nmechanism={mechanism}\n{more}")
    store_password(name, address, password)


def set_settings(home, **values):
    """The app's settings in GLib's keyfile backend, as the app keeps them."""
    directory = os.path.join(home, "config", "glib-2.0", "settings")
    os.makedirs(directory, exist_ok=True)
    path = os.path.join(directory, "keyfile")
    lines = "".join(f"{key.replace('_', '-')}={value}\n" for key, value in values.items())
    with open(path + ".tmp", "w") as f:
        f.write(f"[io/github/popfetch/Popfetch]\n{lines}")
    os.rename(path + ".tmp", path)


def is_showing(acc):
    """GTK 4.8 marks every visible widget VISIBLE, even on a hidden stack
    page, and never SHOWING: on screen means VISIBLE with a real size."""
    if not acc.getState().contains(pyatspi.STATE_VISIBLE):
        return False
    try:
        extents = acc.queryComponent().getExtents(pyatspi.WINDOW_COORDS)
    except NotImplementedError:
        return True
    return extents.width > 0 and extents.height > 0


class App:
    def __init__(self, session, binary, home, extra_env=None, name="popfetch", args=(),
                 accessible=True):
        """Starts @binary with @args. With @accessible false (an app with
        no window is not on the accessibility bus), attach() later."""
        self.session = session
        self.home = home
        env = dict(os.environ)
        env.pop("NO_AT_BRIDGE", None)
        env["GTK_A11Y"] = "atspi"
        env["HOME"] = home
        env["XDG_CONFIG_HOME"] = os.path.join(home, "config")
        env["XDG_STATE_HOME"] = os.path.join(home, "state")
        env["XDG_CACHE_HOME"] = os.path.join(home, "cache")
        env["GDK_BACKEND"] = "x11"
        env["ADW_DISABLE_PORTAL"] = "1"
        env["GSK_RENDERER"] = "cairo"
        # A critical in the app is a bug and ends it. Warnings stay warnings:
        # GLib warns when no notification server runs, and GTK when Xvfb
        # lacks what a desktop has; neither is the app's fault.
        if env.get("PF_TEST_G_DEBUG"):
            env["G_DEBUG"] = "gc-friendly,fatal-criticals"
        if extra_env:
            env.update(extra_env)
        self.log = open(os.path.join(home, "app.log"), "w")
        self.env = env
        self.proc = subprocess.Popen([binary, *args], env=env, stdout=self.log, stderr=subprocess.STDOUT)
        self.name = name
        self.root = None
        if accessible:
            self.attach()

    def attach(self):
        """Waits for the app (its first window) on the accessibility bus."""
        try:
            self.root = wait_for("the app on the accessibility bus", self._find_app, timeout=30)
        except TestFailure as e:
            self.log.flush()
            tail = [line for line in self.log_text().splitlines() if line.strip()][-5:]
            raise TestFailure(f"{e}; app log: {' / '.join(tail)}")

    def _find_app(self):
        desktop = pyatspi.Registry.getDesktop(0)
        for i in range(desktop.childCount):
            child = desktop.getChildAtIndex(i)
            try:
                if child is not None and child.name == self.name and child.get_process_id() == self.proc.pid:
                    return child
            except Exception:
                continue
        if self.proc.poll() is not None:
            raise TestFailure(f"popfetch exited with {self.proc.returncode}")
        return None

    def windows(self):
        return [self.root.getChildAtIndex(i) for i in range(self.root.childCount)]

    def walk(self, node=None):
        """Every accessible under node (default: all windows), depth first."""
        stack = [node] if node is not None else list(reversed(self.windows()))
        while stack:
            acc = stack.pop()
            if acc is None:
                continue
            yield acc
            try:
                count = acc.childCount
            except Exception:
                continue
            for i in reversed(range(count)):
                try:
                    stack.append(acc.getChildAtIndex(i))
                except Exception:
                    pass

    def find_all(self, role=None, name=None, showing=True, node=None):
        found = []
        for acc in self.walk(node):
            try:
                if role is not None and acc.getRole() != role:
                    continue
                if name is not None and acc.name != name:
                    continue
                if showing and not is_showing(acc):
                    continue
            except Exception:
                continue
            found.append(acc)
        return found

    def find(self, role=None, name=None, timeout=20.0, node=None):
        what = f"{pyatspi.Role(role) if role is not None else 'anything'} named {name!r}"
        return wait_for(what, lambda: (self.find_all(role, name, node=node) or [None])[0], timeout=timeout)

    def click(self, role, name, timeout=20.0):
        acc = self.find(role, name, timeout=timeout)
        wait_for(f"{name!r} to be sensitive",
                 lambda: acc.getState().contains(pyatspi.STATE_SENSITIVE), timeout=timeout)
        action = acc.queryAction()
        action.doAction(0)
        return acc

    def mouse_click(self, acc):
        """A real pointer click in the middle of @acc (no window manager:
        windows sit at the screen's origin, window coordinates are screen
        coordinates)."""
        extents = acc.queryComponent().getExtents(pyatspi.WINDOW_COORDS)
        pyatspi.Registry.generateMouseEvent(extents.x + extents.width // 2,
                                            extents.y + extents.height // 2, "b1c")

    def type_text(self, text):
        """Key presses into whatever has the keyboard focus of the active
        window. Without a window manager X sends keys to the window under
        the pointer, so the pointer moves onto that window first."""
        active = [w for w in self.windows() if w.getState().contains(pyatspi.STATE_ACTIVE)]
        if active:
            extents = active[0].queryComponent().getExtents(pyatspi.DESKTOP_COORDS)
            pyatspi.Registry.generateMouseEvent(extents.x + 20, extents.y + extents.height // 2, "abs")
            time.sleep(0.2)
        for char in text:
            if char == "\n":
                pyatspi.Registry.generateKeyboardEvent(0xff0d, None, pyatspi.KEY_SYM)
            else:
                # Latin-1 keysyms equal their code points
                pyatspi.Registry.generateKeyboardEvent(ord(char), None, pyatspi.KEY_SYM)
            time.sleep(0.05)

    def key(self, combo):
        """Presses a key combination (\"Return\", \"<Control>q\") in the
        active window, the pointer moved onto it first as for type_text()."""
        active = [w for w in self.windows() if w.getState().contains(pyatspi.STATE_ACTIVE)]
        if active:
            extents = active[0].queryComponent().getExtents(pyatspi.DESKTOP_COORDS)
            pyatspi.Registry.generateMouseEvent(extents.x + 20, extents.y + extents.height // 2, "abs")
            time.sleep(0.2)
        press_key(combo)

    def open_from_menu(self, item):
        """Picks @item from the main window's main menu."""
        # GtkMenuButton shows as two "Main Menu" buttons; the inner one acts.
        buttons = wait_for("the main menu button", lambda: [
            b for b in self.find_all(pyatspi.ROLE_PUSH_BUTTON, "Main Menu") if b.queryAction().nActions > 0])
        buttons[0].queryAction().doAction(0)
        self.find(pyatspi.ROLE_MENU_ITEM, item).queryAction().doAction(0)

    def focused(self):
        """The focused control of the active window (each window keeps
        its own focus widget)."""
        active = [w for w in self.windows() if w.getState().contains(pyatspi.STATE_ACTIVE)]
        for acc in self.walk(active[0] if active else None):
            try:
                if acc.getState().contains(pyatspi.STATE_FOCUSED):
                    return acc
            except Exception:
                continue
        return None

    def repeated_row_names(self, list_acc):
        """Names that controls in more than one row of @list_acc share: a
        screen reader user moving from row to row hears the same button
        ("Open in Mail Reader", "Open in Mail Reader", ...) and cannot
        tell which message or account each one is for."""
        rows_with = {}
        for i in range(list_acc.childCount):
            row = list_acc.getChildAtIndex(i)
            if row is None or row.getRole() != pyatspi.ROLE_LIST_ITEM:
                continue
            names = set()
            for acc in self.walk(row):
                try:
                    if acc is not row and acc.getRole() in INTERACTIVE_ROLES and \
                            is_showing(acc) and (acc.name or "").strip():
                        names.add(acc.name)
                except Exception:
                    continue
            for name in names:
                rows_with[name] = rows_with.get(name, 0) + 1
        return sorted(name for name, rows in rows_with.items() if rows > 1)

    def unnamed_controls(self):
        """Interactive controls without an accessible name, with one name
        said twice, or with the same name as a control in a sibling row of
        their list, as descriptions."""
        missing = []
        for acc in self.walk():
            try:
                role = acc.getRole()
                if role in (pyatspi.ROLE_LIST, pyatspi.ROLE_LIST_BOX) and is_showing(acc):
                    for name in self.repeated_row_names(acc):
                        missing.append(f"{name!r} on more than one row of a list named {acc.name!r}")
                    continue
                if role not in INTERACTIVE_ROLES or not is_showing(acc):
                    continue
                # GTK 4.8 falls back to the widget's type name: no name either
                if not (acc.name or "").strip() or re.fullmatch(r"(Gtk|Adw)[A-Z]\w*", acc.name):
                    parent = acc.parent
                    missing.append(f"{acc.getRoleName()} in {parent.getRoleName() if parent else '?'} "
                                   f"named {parent.name if parent else ''!r}")
                # A name given twice ("Remove Remove") reads out twice
                elif re.fullmatch(r"(.+) \1", acc.name):
                    missing.append(f"{acc.getRoleName()} named twice: {acc.name!r}")
            except Exception:
                continue
        return missing

    def quit(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
        # The next app must not find this one still owning the
        # application id (it would hand over to it and exit).
        wait_for("the application id to be released", lambda: not bus_name_has_owner(APP_ID), timeout=10)

    def log_text(self):
        with open(os.path.join(self.home, "app.log")) as f:
            return f.read()


_KEYSYMS = {"Return": 0xff0d, "Escape": 0xff1b, "Tab": 0xff09, "BackSpace": 0xff08,
            "Home": 0xff50, "End": 0xff57, "Left": 0xff51, "Up": 0xff52, "Right": 0xff53,
            "Down": 0xff54, "space": 0x20}
_MODIFIERS = {"Shift": 1 << 0, "Control": 1 << 2, "Alt": 1 << 3, "Super": 1 << 6}


def press_key(combo):
    """Presses a key combination like "Down", "Escape" or "<Control>q"
    as the keyboard does (XTest), in the window X gives the keys to."""
    mask = 0
    name = combo
    while name.startswith("<"):
        end = name.index(">")
        mask |= _MODIFIERS[name[1:end]]
        name = name[end + 1:]
    keysym = _KEYSYMS[name] if name in _KEYSYMS else ord(name)  # Latin-1 keysyms are code points
    if mask:
        pyatspi.Registry.generateKeyboardEvent(mask, None, pyatspi.KEY_LOCKMODIFIERS)
    try:
        pyatspi.Registry.generateKeyboardEvent(keysym, None, pyatspi.KEY_SYM)
    finally:
        if mask:
            pyatspi.Registry.generateKeyboardEvent(mask, None, pyatspi.KEY_UNLOCKMODIFIERS)
    time.sleep(0.1)


def click_at(acc, across=0.5):
    """A pointer click on @acc (@across its width from the left), the
    pointer moved there first: GTK takes a click only after the pointer
    has entered its window."""
    extents = acc.queryComponent().getExtents(pyatspi.WINDOW_COORDS)
    x, y = extents.x + int(extents.width * across), extents.y + extents.height // 2
    pyatspi.Registry.generateMouseEvent(x, y, "abs")
    time.sleep(0.3)
    pyatspi.Registry.generateMouseEvent(x, y, "b1c")


def row_of(app, title):
    label = app.find(pyatspi.ROLE_LABEL, title)
    node = label
    while node is not None and node.getRole() != pyatspi.ROLE_LIST_ITEM:
        node = node.parent
    if node is None:
        raise TestFailure(f"no list row holds {title!r}")
    return node


def activate_row(app, title):
    """Clicks the list row holding @title, left of its buttons."""
    click_at(row_of(app, title), 0.25)


class DemoServer:
    """pf-ui-server: Dovecot with the demo user and 26 messages, behind a
    POPFETCH_DEMO key file (detection maps popfetch.test to loopback)."""

    def __init__(self, session, binary, name, *args):
        self.key_file = os.path.join(session.tmp, name + ".demo")
        self.proc = subprocess.Popen([binary, self.key_file, *args], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline().split()
        if not line or line[0] != "READY":
            raise TestFailure("the test server did not start")
        self.fingerprint = line[1]

    def add_messages(self, count, kib=1):
        self.proc.stdin.write(f"add {count} {kib}\n")
        self.proc.stdin.flush()
        answer = self.proc.stdout.readline().split()
        if answer != ["ADDED", str(count)]:
            raise TestFailure(f"the test server did not add mail: {answer}")

    def maildir(self):
        """The demo user's Maildir on the server's side."""
        self.proc.stdin.write("maildir\n")
        self.proc.stdin.flush()
        answer = self.proc.stdout.readline().split(" ", 1)
        if answer[0] != "MAILDIR":
            raise TestFailure(f"the test server did not say its Maildir: {answer}")
        return answer[1].strip()

    def add_user(self, name, password, count):
        self.proc.stdin.write(f"user {name} {password} {count}\n")
        self.proc.stdin.flush()
        answer = self.proc.stdout.readline().split()
        if answer != ["USER", name]:
            raise TestFailure(f"the test server did not add the user: {answer}")

    def stop(self):
        self.proc.stdin.close()
        self.proc.wait(timeout=20)


def report_failure(session, app):
    """What the user saw when a test failed, for the log: the app's last
    output, the labels on screen, and a screenshot named after the test."""
    for line in app.log_text().splitlines()[-25:]:
        if line.strip() and "Screen coordinates" not in line:
            print(f"# app: {line}")
    try:
        test = re.sub(r"[^\w.-]+", "-", (Tap.current or os.path.basename(app.home)).strip("/"))
        path = session.screenshot("failed-" + test)
        print(f"# screenshot: {path}")
        labels = [a.name for a in app.find_all(pyatspi.ROLE_LABEL) if a.name]
        print("# labels on screen: " + " | ".join(labels)[:2000])
    except Exception as e:
        print(f"# (no failure report: {e})")


@contextlib.contextmanager
def running(session, *parts):
    """Runs the with-block with the Apps and servers in @parts; yields the
    list of apps, to which the block adds the ones it starts. On failure
    reports the last app (report_failure()); always quits every app still
    running and stops the servers."""
    apps = [part for part in parts if isinstance(part, App)]
    servers = [part for part in parts if not isinstance(part, App)]
    try:
        yield apps
    except Exception:
        if apps:
            report_failure(session, apps[-1])
        raise
    finally:
        for app in reversed(apps):
            if app.proc.poll() is None:
                app.quit()
        for server in servers:
            server.stop()


# --- screenshots: the X root window as PNG, with nothing but ctypes and zlib


class _XImage(ctypes.Structure):
    _fields_ = [("width", ctypes.c_int), ("height", ctypes.c_int), ("xoffset", ctypes.c_int),
                ("format", ctypes.c_int), ("data", ctypes.POINTER(ctypes.c_ubyte)),
                ("byte_order", ctypes.c_int), ("bitmap_unit", ctypes.c_int),
                ("bitmap_bit_order", ctypes.c_int), ("bitmap_pad", ctypes.c_int),
                ("depth", ctypes.c_int), ("bytes_per_line", ctypes.c_int),
                ("bits_per_pixel", ctypes.c_int), ("red_mask", ctypes.c_ulong),
                ("green_mask", ctypes.c_ulong), ("blue_mask", ctypes.c_ulong)]


class _XWindowAttributes(ctypes.Structure):
    _fields_ = [("x", ctypes.c_int), ("y", ctypes.c_int), ("width", ctypes.c_int),
                ("height", ctypes.c_int), ("border_width", ctypes.c_int), ("depth", ctypes.c_int),
                ("visual", ctypes.c_void_p), ("root", ctypes.c_ulong), ("class_", ctypes.c_int),
                ("bit_gravity", ctypes.c_int), ("win_gravity", ctypes.c_int),
                ("backing_store", ctypes.c_int), ("backing_planes", ctypes.c_ulong),
                ("backing_pixel", ctypes.c_ulong), ("save_under", ctypes.c_int),
                ("colormap", ctypes.c_ulong), ("map_installed", ctypes.c_int),
                ("map_state", ctypes.c_int), ("all_event_masks", ctypes.c_long),
                ("your_event_mask", ctypes.c_long), ("do_not_propagate_mask", ctypes.c_long),
                ("override_redirect", ctypes.c_int), ("screen", ctypes.c_void_p)]


def save_root_png(display_name, path):
    x11 = ctypes.cdll.LoadLibrary("libX11.so.6")
    x11.XOpenDisplay.restype = ctypes.c_void_p
    x11.XOpenDisplay.argtypes = [ctypes.c_char_p]
    x11.XDefaultRootWindow.restype = ctypes.c_ulong
    x11.XDefaultRootWindow.argtypes = [ctypes.c_void_p]
    x11.XGetImage.restype = ctypes.POINTER(_XImage)
    x11.XGetImage.argtypes = [ctypes.c_void_p, ctypes.c_ulong, ctypes.c_int, ctypes.c_int,
                              ctypes.c_uint, ctypes.c_uint, ctypes.c_ulong, ctypes.c_int]
    x11.XDisplayWidth.argtypes = [ctypes.c_void_p, ctypes.c_int]
    x11.XDisplayHeight.argtypes = [ctypes.c_void_p, ctypes.c_int]
    x11.XCloseDisplay.argtypes = [ctypes.c_void_p]
    x11.XQueryTree.argtypes = [ctypes.c_void_p, ctypes.c_ulong, ctypes.POINTER(ctypes.c_ulong),
                               ctypes.POINTER(ctypes.c_ulong), ctypes.POINTER(ctypes.POINTER(ctypes.c_ulong)),
                               ctypes.POINTER(ctypes.c_uint)]
    x11.XGetWindowAttributes.argtypes = [ctypes.c_void_p, ctypes.c_ulong, ctypes.POINTER(_XWindowAttributes)]

    display = x11.XOpenDisplay(display_name.encode())
    if not display:
        raise TestFailure("cannot open the X display for a screenshot")
    try:
        root = x11.XDefaultRootWindow(display)
        window, width, height = root, x11.XDisplayWidth(display, 0), x11.XDisplayHeight(display, 0)
        # Without a window manager the last mapped child of the root is the
        # window on top: the one the test just brought up.
        root_return, parent_return = ctypes.c_ulong(), ctypes.c_ulong()
        children, count = ctypes.POINTER(ctypes.c_ulong)(), ctypes.c_uint()
        if x11.XQueryTree(display, root, ctypes.byref(root_return), ctypes.byref(parent_return),
                          ctypes.byref(children), ctypes.byref(count)):
            for i in reversed(range(count.value)):
                attributes = _XWindowAttributes()
                x11.XGetWindowAttributes(display, children[i], ctypes.byref(attributes))
                if attributes.map_state == 2 and attributes.width > 32 and attributes.height > 32:
                    window, width, height = children[i], attributes.width, attributes.height
                    break
        image = x11.XGetImage(display, window, 0, 0, width, height, 0xFFFFFFFF, 2).contents
        stride = image.bytes_per_line
        raw = ctypes.string_at(image.data, stride * height)
    finally:
        x11.XCloseDisplay(display)

    rows = bytearray()
    for y in range(height):
        line = raw[y * stride:y * stride + width * 4]
        rows.append(0)
        # BGRX → RGB
        rgb = bytearray(width * 3)
        rgb[0::3] = line[2::4]
        rgb[1::3] = line[1::4]
        rgb[2::3] = line[0::4]
        rows += rgb

    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data +
                struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    png = b"\x89PNG\r\n\x1a\n"
    png += chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
    png += chunk(b"IDAT", zlib.compress(bytes(rows), 6))
    png += chunk(b"IEND", b"")
    with open(path, "wb") as f:
        f.write(png)
