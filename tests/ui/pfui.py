# pfui.py — drive the real Popfetch app under Xvfb over AT-SPI, as a user.
#
# Copyright 2026 The Popfetch authors
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# A UI test is a python3 script (run with /usr/bin/python3, which has
# pyatspi) that registers test functions and calls pfui.main():
#
#     import pfui
#
#     @pfui.test("/ui/window/title")
#     def window_title(ui):
#         app = ui.start_app()                     # the built popfetch
#         window = ui.find_window(app, "Popfetch")
#         button = ui.find(window, role="push button", name="Add Account")
#         ui.click(button)
#         entry = ui.find(window, role="text", name="Email Address")
#         ui.type_text(entry, "demo@popfetch.test")
#         ui.key("Return")                          # or "<Control>q", "Escape"…
#         ui.wait_for(lambda: ui.find_all(window, role="label", name="Found"),
#                     timeout=10, what="detection to finish")
#         ui.screenshot("after-detection")
#
#     pfui.main()
#
# main() re-runs the script inside a private D-Bus session
# (dbus-run-session), starts one Xvfb on a free display for all its tests
# (each test gets fresh app processes and HOME), prints TAP, saves a
# screenshot of every failing test into the build directory
# ($G_TEST_BUILDDIR/ui-screenshots), and always tears down the app and Xvfb.
# The first two command line arguments are the app and the directory with
# the compiled GSettings schema (tests/ui/meson.build passes them). When
# Xvfb, dbus-run-session or pyatspi is missing, every test skips, or fails
# when REQUIRE_DISPLAY=1.

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

_tests = []


def test(path):
    """Register a test function taking a Ui; @path names the behaviour."""
    def register(function):
        _tests.append((path, function))
        return function
    return register


class UiError(AssertionError):
    pass


def wait_for(condition, timeout=10.0, interval=0.05, what="condition"):
    """Calls @condition until it returns something true; returns that value,
    or raises UiError after @timeout seconds."""
    deadline = time.monotonic() + timeout
    last_error = None
    while True:
        try:
            value = condition()
            if value:
                return value
        except Exception as e:  # AT-SPI objects come and go while a UI changes
            last_error = e
        if time.monotonic() >= deadline:
            detail = f" (last error: {last_error})" if last_error else ""
            raise UiError(f"timed out after {timeout} s waiting for {what}{detail}")
        time.sleep(interval)


def _write_png(path, width, height, rows):
    """Writes 8-bit RGB rows (bytes of width*3) as a PNG file."""
    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)

    raw = b"".join(b"\x00" + row for row in rows)
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n")
        f.write(chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)))
        f.write(chunk(b"IDAT", zlib.compress(raw, 6)))
        f.write(chunk(b"IEND", b""))


def _xwd_to_png(xwd_path, png_path):
    """Converts Xvfb's -fbdir screen image (XWD, 24/32 bpp TrueColor) to PNG."""
    with open(xwd_path, "rb") as f:
        data = f.read()
    fields = struct.unpack(">25I", data[:100])
    (header_size, _version, _format, _depth, width, height, _xoffset, byte_order,
     _unit, _bit_order, _pad, bits_per_pixel, bytes_per_line, _visual,
     red_mask, green_mask, blue_mask, _bits_rgb, _cmap_entries, ncolors) = fields[:20]
    if bits_per_pixel != 32:
        raise UiError(f"screenshot: {bits_per_pixel} bits per pixel is not supported")
    offset = header_size + ncolors * 12
    endian = "<" if byte_order == 0 else ">"

    def shift(mask):
        return (mask & -mask).bit_length() - 1

    rs, gs, bs = shift(red_mask), shift(green_mask), shift(blue_mask)
    rows = []
    for y in range(height):
        start = offset + y * bytes_per_line
        pixels = struct.unpack_from(f"{endian}{width}I", data, start)
        row = bytearray(width * 3)
        for x, p in enumerate(pixels):
            row[3 * x] = (p >> rs) & 0xFF
            row[3 * x + 1] = (p >> gs) & 0xFF
            row[3 * x + 2] = (p >> bs) & 0xFF
        rows.append(bytes(row))
    _write_png(png_path, width, height, rows)


class Display:
    """Xvfb on a free display number, shared by the tests of one run; the
    private D-Bus session learns its DISPLAY before anything is activated on
    it, so the AT-SPI registry can synthesize keyboard events there."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="popfetch-xvfb-")
        self.fbdir = self.dir
        read_fd, write_fd = os.pipe()
        self.process = subprocess.Popen(
            ["Xvfb", "-displayfd", str(write_fd), "-screen", "0", "1024x768x24",
             "-fbdir", self.fbdir, "-nolisten", "tcp", "-noreset"],
            pass_fds=(write_fd,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(write_fd)
        number = b""
        deadline = time.monotonic() + 15
        while not number.endswith(b"\n") and time.monotonic() < deadline:
            chunk = os.read(read_fd, 16)
            if not chunk:
                break
            number += chunk
        os.close(read_fd)
        if not number.strip():
            self.close()
            raise UiError("Xvfb did not report a display")
        self.name = ":" + number.decode().strip()
        os.environ["DISPLAY"] = self.name
        subprocess.run(["dbus-update-activation-environment", f"DISPLAY={self.name}"],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def close(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.dir, ignore_errors=True)


class App:
    """A started app: its process and, once found, its AT-SPI accessible."""

    def __init__(self, process, log_path):
        self.process = process
        self.log_path = log_path
        self.accessible = None

    @property
    def pid(self):
        return self.process.pid

    def log(self):
        try:
            with open(self.log_path, encoding="utf-8", errors="replace") as f:
                return f.read()
        except OSError:
            return ""


class Ui:
    """One test's UI session: Xvfb, AT-SPI, the apps it started."""

    def __init__(self, display, app_path, schema_dir, screenshot_dir):
        self.display = display
        self.app_path = app_path
        self.schema_dir = schema_dir
        self.screenshot_dir = screenshot_dir
        self.apps = []
        self.private = tempfile.mkdtemp(prefix="popfetch-ui-")
        import pyatspi
        self.pyatspi = pyatspi

    # -- teardown --------------------------------------------------------------

    def close(self):
        for app in self.apps:
            if app.process.poll() is None:
                app.process.terminate()
                try:
                    app.process.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    app.process.kill()
                    app.process.wait()
        shutil.rmtree(self.private, ignore_errors=True)

    # -- apps ----------------------------------------------------------------

    def start_app(self, args=(), env=None, find=True, timeout=20):
        """Starts the built app with a private HOME and XDG directories;
        @env adds or overrides variables (None removes one). Returns an App
        whose .accessible is set once AT-SPI sees it (unless find=False)."""
        home = tempfile.mkdtemp(prefix="home-", dir=self.private)
        full_env = dict(os.environ)
        full_env.pop("NO_AT_BRIDGE", None)  # the shared test env turns it off
        full_env.update({
            "HOME": home,
            "XDG_CONFIG_HOME": os.path.join(home, ".config"),
            "XDG_DATA_HOME": os.path.join(home, ".local", "share"),
            "XDG_CACHE_HOME": os.path.join(home, ".cache"),
            "XDG_STATE_HOME": os.path.join(home, ".local", "state"),
            "GTK_A11Y": "atspi",
            "GDK_BACKEND": "x11",
            "GSETTINGS_BACKEND": "memory",
            "GSETTINGS_SCHEMA_DIR": self.schema_dir,
        })
        for key, value in (env or {}).items():
            if value is None:
                full_env.pop(key, None)
            else:
                full_env[key] = value
        log_path = os.path.join(self.private, f"app-{len(self.apps)}.log")
        with open(log_path, "wb") as log:
            process = subprocess.Popen([self.app_path, *args], env=full_env,
                                       stdout=log, stderr=subprocess.STDOUT)
        app = App(process, log_path)
        self.apps.append(app)
        if find:
            app.accessible = self.find_app(app, timeout=timeout)
        return app

    def find_app(self, app, timeout=20):
        """The AT-SPI application object of the started @app (by pid)."""
        def lookup():
            if app.process.poll() is not None:
                raise UiError(f"the app exited with status {app.process.returncode}:\n{app.log()}")
            desktop = self.pyatspi.Registry.getDesktop(0)
            for i in range(desktop.childCount):
                candidate = desktop.getChildAtIndex(i)
                if candidate is not None and candidate.get_process_id() == app.pid:
                    return candidate
            return None
        try:
            return wait_for(lookup, timeout, what=f"the app (pid {app.pid}) on the AT-SPI bus")
        except UiError as e:
            if "exited" in str(e):
                raise
            raise UiError(f"{e}\napp output:\n{app.log()}") from None

    def find_window(self, app, title=None, timeout=10):
        """A top-level window of @app, optionally with this @title."""
        root = app.accessible if isinstance(app, App) else app

        def lookup():
            for i in range(root.childCount):
                window = root.getChildAtIndex(i)
                if window is None:
                    continue
                if window.getRoleName() in ("frame", "window", "dialog", "alert") and \
                        (title is None or window.name == title):
                    return window
            return None
        return wait_for(lookup, timeout, what=f"a window titled {title!r}" if title else "a window")

    # -- widgets ---------------------------------------------------------------

    def find_all(self, root, role=None, name=None, showing=True, max_depth=40):
        """Every descendant of @root with the AT-SPI role name @role (e.g.
        "push button", "text", "label", "check box") and accessible @name
        (a string, or a callable that gets the name). Only showing ones
        unless showing=False."""
        found = []
        stack = [(root, 0)]
        while stack:
            node, depth = stack.pop()
            if node is None:
                continue
            try:
                matches = (role is None or node.getRoleName() == role) and \
                    (name is None or (name(node.name) if callable(name) else node.name == name))
                if matches and node is not root and (not showing or
                        node.getState().contains(self.pyatspi.STATE_SHOWING)):
                    found.append(node)
                if depth < max_depth:
                    for i in reversed(range(node.childCount)):
                        stack.append((node.getChildAtIndex(i), depth + 1))
            except Exception:
                continue  # the widget went away while we looked
        return found

    def find(self, root, role=None, name=None, timeout=10, showing=True):
        """The first match of find_all(), waiting up to @timeout seconds."""
        what = f"a {role or 'widget'}" + (f" named {name!r}" if name is not None and not callable(name) else "")
        return wait_for(lambda: (self.find_all(root, role, name, showing) or [None])[0],
                        timeout, what=what)

    def click(self, widget):
        """Activates @widget through its first AT-SPI action (click,
        activate, press, toggle)."""
        action = widget.queryAction()
        if action.nActions < 1:
            raise UiError(f"{widget.getRoleName()} {widget.name!r} has no action")
        if not action.doAction(0):
            raise UiError(f"{widget.getRoleName()} {widget.name!r} refused {action.getName(0)}")

    def type_text(self, widget, text, replace=True):
        """Puts @text into an editable widget, as typing would."""
        editable = widget.queryEditableText()
        if replace:
            editable.setTextContents(text)
        else:
            position = widget.queryText().characterCount
            editable.insertText(position, text, len(text))

    _KEYSYMS = {
        "Return": 0xFF0D, "Escape": 0xFF1B, "Tab": 0xFF09, "BackSpace": 0xFF08,
        "Delete": 0xFFFF, "Home": 0xFF50, "End": 0xFF57, "Left": 0xFF51,
        "Up": 0xFF52, "Right": 0xFF53, "Down": 0xFF54, "space": 0x20,
        **{f"F{n}": 0xFFBE + n - 1 for n in range(1, 13)},
    }
    _MODIFIER_MASKS = {"Shift": 1 << 0, "Control": 1 << 2, "Alt": 1 << 3, "Super": 1 << 6}

    def key(self, combo):
        """Presses a key combination like "Return", "Escape" or
        "<Control>q" in the focused window, as the keyboard does (XTest)."""
        from gi.repository import Atspi
        mask = 0
        name = combo
        while name.startswith("<"):
            end = name.index(">")
            modifier = name[1:end]
            if modifier not in self._MODIFIER_MASKS:
                raise UiError(f"unknown modifier {modifier!r}")
            mask |= self._MODIFIER_MASKS[modifier]
            name = name[end + 1:]
        if name in self._KEYSYMS:
            keysym = self._KEYSYMS[name]
        elif len(name) == 1 and 0x20 <= ord(name) < 0x7F:
            keysym = ord(name)
        else:
            raise UiError(f"unknown key {name!r}")
        if mask:
            Atspi.generate_keyboard_event(mask, None, Atspi.KeySynthType.LOCKMODIFIERS)
        try:
            Atspi.generate_keyboard_event(keysym, None, Atspi.KeySynthType.SYM)
        finally:
            if mask:
                Atspi.generate_keyboard_event(mask, None, Atspi.KeySynthType.UNLOCKMODIFIERS)

    def text_of(self, widget):
        text = widget.queryText()
        return text.getText(0, text.characterCount)

    def wait_for(self, condition, timeout=10.0, what="condition"):
        return wait_for(condition, timeout, what=what)

    # -- evidence --------------------------------------------------------------

    def screenshot(self, name):
        """Saves the whole Xvfb screen as @name.png in the screenshot
        directory; returns the path."""
        os.makedirs(self.screenshot_dir, exist_ok=True)
        safe = "".join(c if c.isalnum() or c in "-_." else "-" for c in name.strip("/"))
        path = os.path.join(self.screenshot_dir, safe + ".png")
        _xwd_to_png(os.path.join(self.display.fbdir, "Xvfb_screen0"), path)
        return path


def _require(available, why):
    """TAP plan for a missing piece: skip, or fail under REQUIRE_DISPLAY=1."""
    if available:
        return
    if os.environ.get("REQUIRE_DISPLAY") == "1":
        print(f"Bail out! {why}, and REQUIRE_DISPLAY=1 demands it")
        sys.exit(1)
    print(f"1..0 # SKIP {why}")
    sys.exit(0)


def _on_signal(signum, frame):
    raise SystemExit(128 + signum)


def main():
    if len(sys.argv) < 3:
        print("usage: TEST.py APP SCHEMA_DIR [TEST_PATH...]", file=sys.stderr)
        sys.exit(2)
    app_path, schema_dir = sys.argv[1], sys.argv[2]
    selected = sys.argv[3:]

    if os.environ.get("PF_UI_SESSION") != "1":
        for program in ("Xvfb", "dbus-run-session"):
            _require(shutil.which(program) is not None, f"{program} is not installed")
        try:
            import pyatspi  # noqa: F401
        except ImportError:
            _require(False, "python3-pyatspi is not installed")
        os.environ["PF_UI_SESSION"] = "1"
        sys.stdout.flush()
        # TAP goes to a copy of stdout; the session's stdout becomes stderr,
        # because D-Bus-activated services (the AT-SPI registry) print there.
        tap_fd = os.dup(1)
        os.set_inheritable(tap_fd, True)
        os.environ["PF_UI_TAP_FD"] = str(tap_fd)
        os.dup2(2, 1)
        os.execvp("dbus-run-session",
                  ["dbus-run-session", "--", sys.executable, *sys.argv])

    tap_fd = int(os.environ.pop("PF_UI_TAP_FD", "1"))
    if tap_fd != 1:
        sys.stdout = os.fdopen(tap_fd, "w", buffering=1)

    signal.signal(signal.SIGTERM, _on_signal)
    signal.signal(signal.SIGHUP, _on_signal)
    screenshot_dir = os.path.join(
        os.environ.get("G_TEST_BUILDDIR", os.getcwd()), "ui-screenshots")

    tests = [(p, f) for p, f in _tests if not selected or p in selected]
    print(f"1..{len(tests)}", flush=True)
    try:
        display = Display()
    except Exception as e:
        for number, (path, _) in enumerate(tests, 1):
            print(f"not ok {number} {path} # no display: {e}")
        sys.exit(1)
    try:
        failed = _run_tests(tests, display, app_path, schema_dir, screenshot_dir)
    finally:
        display.close()
    sys.exit(1 if failed else 0)


def _run_tests(tests, display, app_path, schema_dir, screenshot_dir):
    failed = 0
    for number, (path, function) in enumerate(tests, 1):
        ui = None
        try:
            ui = Ui(display, app_path, schema_dir, screenshot_dir)
            function(ui)
            print(f"ok {number} {path}", flush=True)
        except BaseException as e:
            failed += 1
            for line in traceback.format_exc().splitlines():
                print(f"# {line}")
            if ui is not None:
                try:
                    shot = ui.screenshot("failed" + path)
                    print(f"# screenshot: {shot}")
                except Exception as shot_error:
                    print(f"# no screenshot: {shot_error}")
                for app in ui.apps:
                    for line in app.log().splitlines()[-20:]:
                        print(f"# app: {line}")
            print(f"not ok {number} {path}", flush=True)
            if isinstance(e, (SystemExit, KeyboardInterrupt)):
                raise
        finally:
            if ui is not None:
                ui.close()
    return failed
