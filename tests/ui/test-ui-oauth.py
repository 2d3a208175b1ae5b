#!/usr/bin/python3
# test-ui-oauth.py — signing in with OAuth2 in the real app: GNOME Online
# Accounts, the browser, Cancel, and Sign In Again
#
# Copyright 2026 The Popfetch authors
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
#   python3 test-ui-oauth.py POPFETCH PF-UI-SERVER SCREENSHOT-DIR SCHEMA-DIR \
#       PF-OAUTH-SERVER.PY PF-TEST-BROWSER.PY PF-GOA-SERVICE.PY
#
# Real parts: Dovecot (pf-ui-server --oauth2) checks every token at the test
# authorization server (pf-oauth-server.py) through its oauth2 passdb. The
# browser is the session's default http(s) handler, a .desktop file whose
# program (pf-test-browser.py) follows the authorize URL and the redirect
# back to the app, as a user who consents would. GNOME Online Accounts is
# pf-goa-service.py on the session bus, minting its tokens at the same
# authorization server.

import configparser
import os
import socket
import subprocess
import sys
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from pf_ui_session import (App, DemoServer, Session, Tap, TestFailure, activate_row,  # noqa: E402
                           click_at, is_showing, require, run_in_private_bus, running, wait_for)

run_in_private_bus()

POPFETCH, SERVER, SHOTS, SCHEMA_DIR, OAUTH_SERVER, BROWSER, GOA_SERVICE = sys.argv[1:8]
if os.path.exists(os.path.join(SCHEMA_DIR, "gschemas.compiled")):
    os.environ["GSETTINGS_SCHEMA_DIR"] = SCHEMA_DIR

ADDRESS = "demo@popfetch.test"
SAMPLES = 26  # the messages pf-ui-server starts with
GOA_LABEL = f"Use your GNOME Online Accounts sign-in for {ADDRESS}"

tap = Tap()
require(tap, ("Xvfb", "gnome-keyring-daemon", "secret-tool"), dovecot=True)

import pyatspi  # noqa: E402  (after the checks: needs the session bus)

session = Session(SHOTS)
session.start()
unnamed = {}


class OAuthServer:
    """pf-oauth-server.py on 127.0.0.1 and its /control handle."""

    def __init__(self):
        self.proc = subprocess.Popen([sys.executable, OAUTH_SERVER], stdout=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline().split()
        if len(line) != 2 or line[0] != "READY":
            raise TestFailure("the authorization server did not start")
        self.base = f"http://127.0.0.1:{line[1]}"

    def url(self, path):
        return self.base + path

    def control(self, body):
        with urllib.request.urlopen(urllib.request.Request(self.url("/control"), data=body.encode()),
                                    timeout=10) as answer:
            lines = answer.read().decode().splitlines()
        return dict(line.split("=", 1) for line in lines if "=" in line)

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=10)


class Goa:
    """pf-goa-service.py with one mail account for ADDRESS."""

    def __init__(self, oauth):
        import json
        self.dir = os.path.join(session.tmp, "goa")
        os.makedirs(self.dir, exist_ok=True)
        config = os.path.join(self.dir, "accounts.json")
        self.record = os.path.join(self.dir, "calls")
        with open(config, "w") as f:
            json.dump({"accounts": [{"id": "account_1700000000_0", "address": ADDRESS,
                                     "provider_type": "google", "provider_name": "Google",
                                     "mint_url": oauth.url("/control"),
                                     "mint_body": f"action=mint&user={ADDRESS}"}]}, f)
        self.proc = subprocess.Popen([sys.executable, GOA_SERVICE, config, self.record],
                                     stdout=subprocess.PIPE, text=True)
        if self.proc.stdout.readline().strip() != "READY":
            raise TestFailure("the GOA stand-in did not start")

    def calls(self):
        with open(self.record) as f:
            return [line.split() for line in f if line.strip()]

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=10)


def install_browser(home, mode="follow"):
    """pf-test-browser.py as the default http and https handler of the
    app's session: a .desktop file in its XDG data dir, the defaults in
    its mimeapps.list. Returns the environment the app needs."""
    data = os.path.join(home, "data")
    applications = os.path.join(data, "applications")
    os.makedirs(applications, exist_ok=True)
    script = os.path.join(home, "pf-test-browser.sh")
    log = os.path.join(home, "browser.log")
    with open(script, "w") as f:
        if mode == "record":
            # A browser that never comes back, but says where the app
            # listens: the authorize URL (state and PKCE challenge, no
            # secret) for the test to read its redirect_uri.
            f.write(f"#!/bin/sh\nprintf '%s\\n' \"$1\" >> '{home}/opened-urls'\n")
        else:
            f.write(f"#!/bin/sh\nPF_TEST_BROWSER_MODE={mode} PF_TEST_BROWSER_LOG='{log}' "
                    f"exec '{sys.executable}' '{BROWSER}' \"$@\"\n")
    os.chmod(script, 0o755)
    with open(os.path.join(applications, "pf-test-browser.desktop"), "w") as f:
        f.write("[Desktop Entry]\nType=Application\nName=Test Browser\n"
                f"Exec={script} %u\nMimeType=x-scheme-handler/http;x-scheme-handler/https;\n"
                "NoDisplay=true\n")
    with open(os.path.join(home, "config", "mimeapps.list"), "w") as f:
        f.write("[Default Applications]\nx-scheme-handler/http=pf-test-browser.desktop\n"
                "x-scheme-handler/https=pf-test-browser.desktop\n")
    return {"XDG_DATA_HOME": data}


def accounts_file(home):
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(os.path.join(home, "config", "popfetch", "accounts.ini"))
    return parser


def saved_section(home):
    sections = accounts_file(home).sections()
    return accounts_file(home)[sections[0]] if sections else None


def check_names(app, state):
    missing = app.unnamed_controls()
    if missing:
        unnamed[state] = missing


def showing(app, role, name):
    return bool(app.find_all(role, name))


def open_setup(server, home, extra_env=None):
    env = {"POPFETCH_DEMO": server.key_file}
    env.update(extra_env or {})
    app = App(session, POPFETCH, home, env)
    app.click(pyatspi.ROLE_PUSH_BUTTON, "Add Account")
    return app


def type_address(app, address):
    entry = app.find(pyatspi.ROLE_TEXT, "Mail Address")
    click_at(entry)
    time.sleep(0.3)
    app.type_text(address)


def fetch_and_count(app, home, expected):
    app.click(pyatspi.ROLE_PUSH_BUTTON, "Fetch")
    wait_for("the fetch to finish",
             lambda: [a for a in app.find_all(pyatspi.ROLE_LABEL)
                      if a.name.startswith(f"Fetched {expected} messages")], timeout=60)


def oauth2_tokens(token_url=None):
    """The refresh tokens in the keyring (Popfetch's own OAuth2 schema),
    those of @token_url only when given (the session's keyring serves
    every test)."""
    found = subprocess.run(["secret-tool", "search", "--all", "--unlock",
                            "xdg:schema", "io.github.popfetch.Popfetch.OAuth2"] +
                           (["token-url", token_url] if token_url else []),
                           capture_output=True, text=True)
    return [line.split(" = ", 1)[1] for line in found.stdout.splitlines()
            if line.startswith("secret = ")]


def settings_window(app, account):
    app.click(pyatspi.ROLE_PUSH_BUTTON, "Account Settings")
    return wait_for("the settings window", lambda: [w for w in app.windows() if w.name == account],
                    timeout=10)[0]


def no_password_controls(app, window):
    for role, name in ((pyatspi.ROLE_PASSWORD_TEXT, "New Password"), (pyatspi.ROLE_TEXT, "New Password"),
                       (None, "Password"), (pyatspi.ROLE_COMBO_BOX, "Authentication")):
        if app.find_all(role, name, node=window):
            raise TestFailure(f"the settings of an OAuth2 account show {name!r}")


def label_starting(app, window, start):
    return [a for a in app.find_all(None, node=window) if (a.name or "").startswith(start)]


def no_secret_in_files(home, secrets):
    for root, _, files in os.walk(home):
        for name in files:
            path = os.path.join(root, name)
            try:
                with open(path, "rb") as f:
                    data = f.read()
            except OSError:
                continue
            for secret in secrets:
                if secret and secret.encode() in data:
                    raise TestFailure(f"a token is written in {path}")


# --- 1. what setup offers -------------------------------------------------------


def test_offers_without_goa():
    """No GOA on the bus and no client id built in: the password field for
    the demo address; for an Outlook.com address a plain message that
    points to GNOME Online Accounts or an app password."""
    server = DemoServer(session, SERVER, "offers")
    home = session.new_home("offers")
    with running(session, server) as apps:
        app = open_setup(server, home)
        apps.append(app)
        type_address(app, ADDRESS)
        app.find(pyatspi.ROLE_TEXT, "Password")
        app.find(pyatspi.ROLE_PUSH_BUTTON, "Find Settings")
        if showing(app, pyatspi.ROLE_PUSH_BUTTON, GOA_LABEL):
            raise TestFailure("GNOME Online Accounts is offered without GOA")

        entry = app.find(pyatspi.ROLE_TEXT, "Mail Address")
        click_at(entry)
        app.key("<Control>a")
        app.type_text("someone@outlook.com")
        wait_for("the no-client-id message", lambda: [
            a for a in app.find_all(pyatspi.ROLE_LABEL)
            if a.name.startswith("This copy of Popfetch cannot sign in to Outlook.com")])
        app.find(pyatspi.ROLE_TEXT, "Password")
        if showing(app, pyatspi.ROLE_PUSH_BUTTON, "Sign in with Microsoft"):
            raise TestFailure("Sign in with Microsoft is offered without a client id")
        check_names(app, "setup: no client id")
        session.screenshot("oauth-no-client-id")


# --- 2. GNOME Online Accounts ----------------------------------------------------


def test_goa_setup_and_fetch():
    """GOA has an account for the address: setup offers it instead of the
    password; the account saved names the GOA account, no password goes to
    the keyring, and the fetch logs in with GOA's token."""
    oauth = OAuthServer()
    server = DemoServer(session, SERVER, "goa", f"--oauth2={oauth.url('/introspect')}")
    goa = Goa(oauth)
    home = session.new_home("goa")
    with running(session, server, goa, oauth) as apps:
        app = open_setup(server, home)
        apps.append(app)
        type_address(app, ADDRESS)
        button = app.find(pyatspi.ROLE_PUSH_BUTTON, GOA_LABEL)
        wait_for("the password field to go", lambda: not showing(app, pyatspi.ROLE_TEXT, "Password"))
        app.find(pyatspi.ROLE_PUSH_BUTTON, "Use a Password Instead")
        check_names(app, "setup: GOA offered")
        session.screenshot("oauth-goa-offered")
        button.queryAction().doAction(0)

        app.find(pyatspi.ROLE_HEADING, "Settings Found", timeout=40)
        app.click(pyatspi.ROLE_PUSH_BUTTON, "Test and Save")
        wait_for("the account to be saved", lambda: saved_section(home) is not None, timeout=40)
        account = saved_section(home)
        if account.get("auth") != "oauth2" or account.get("oauth2-source") != "goa" \
                or account.get("goa-account-id") != "account_1700000000_0":
            raise TestFailure(f"the account does not sign in through GOA: {dict(account)}")
        secret = subprocess.run(["secret-tool", "lookup", "host", account["host"], "service", "pop3",
                                 "user", account["user"]], capture_output=True, text=True)
        if secret.stdout:
            raise TestFailure("a password went to the keyring")
        if not any(call[0] == "GetAccessToken" for call in goa.calls()):
            raise TestFailure(f"GOA was not asked for a token: {goa.calls()}")

        app.find(pyatspi.ROLE_PUSH_BUTTON, "Account Settings")
        fetch_and_count(app, home, SAMPLES)

        # Its settings say where the sign-in lives, and nothing of a password.
        window = settings_window(app, accounts_file(home).sections()[0][len("Account "):])
        app.find(None, "GNOME Online Accounts sign-in", node=window)
        app.find(None, "Manage this sign-in in Settings → Online Accounts.", node=window)
        no_password_controls(app, window)
        if app.find_all(pyatspi.ROLE_PUSH_BUTTON, "Sign In Again", node=window):
            raise TestFailure("Sign In Again offered for a GNOME Online Accounts sign-in")
        check_names(app, "account settings: GOA")
        session.screenshot("oauth-goa-settings")


# --- 3. the browser ----------------------------------------------------------------


def fill_registration(app, oauth):
    click_at(app.find(pyatspi.ROLE_LABEL, "Organization Sign-In"))
    app.find(pyatspi.ROLE_TEXT, "Authorization URL")
    for title, value in (("Authorization URL", oauth.url("/authorize")),
                         ("Token URL", oauth.url("/token")),
                         ("Client ID", "popfetch-ui-test"),
                         ("Scope", "pop offline_access")):
        entry = app.find(pyatspi.ROLE_TEXT, title)
        click_at(entry)
        time.sleep(0.2)
        app.type_text(value)


def test_browser_setup_fetch_and_sign_in_again():
    """An organization's own app registration: the browser signs in, the
    refresh token goes to the keyring (and nowhere else), the fetch works;
    once the provider revokes the sign-in, the account page says so and
    Sign In Again brings it back."""
    oauth = OAuthServer()
    server = DemoServer(session, SERVER, "browser", f"--oauth2={oauth.url('/introspect')}")
    home = session.new_home("browser")
    env = install_browser(home)
    with running(session, server, oauth) as apps:
        app = open_setup(server, home, env)
        apps.append(app)
        type_address(app, ADDRESS)
        fill_registration(app, oauth)
        check_names(app, "setup: organization sign-in")
        app.click(pyatspi.ROLE_PUSH_BUTTON, "Sign In")

        app.find(pyatspi.ROLE_HEADING, "Settings Found", timeout=60)
        app.click(pyatspi.ROLE_PUSH_BUTTON, "Test and Save")
        wait_for("the account to be saved", lambda: saved_section(home) is not None, timeout=40)
        account = saved_section(home)
        if account.get("auth") != "oauth2" or account.get("oauth2-token-url") != oauth.url("/token") \
                or account.get("oauth2-client-id") != "popfetch-ui-test":
            raise TestFailure(f"the account does not keep its sign-in settings: {dict(account)}")
        tokens = oauth2_tokens()
        if not tokens or not tokens[0].startswith("rt-"):
            raise TestFailure("no refresh token in the keyring")
        no_secret_in_files(home, tokens)

        app.find(pyatspi.ROLE_PUSH_BUTTON, "Account Settings")
        fetch_and_count(app, home, SAMPLES)

        # The provider revokes the sign-in: the next fetch cannot refresh.
        oauth.control(f"action=revoke-user&user={ADDRESS}")
        oauth.control("action=expire-access")
        app.click(pyatspi.ROLE_PUSH_BUTTON, "Fetch")
        again = app.find(pyatspi.ROLE_PUSH_BUTTON, "Sign In Again", timeout=60)
        # Said in words, at the step where it failed.
        app.find(None, "Sign in again", timeout=10)
        wait_for("the login step marked failed", lambda: [
            a for a in app.find_all(pyatspi.ROLE_LABEL) if a.name == "Log in"] and not [
            a for a in app.find_all(pyatspi.ROLE_LABEL) if a.name.startswith("An unexpected error")],
            timeout=10)
        check_names(app, "account page: sign in again")
        session.screenshot("oauth-sign-in-again")
        again.queryAction().doAction(0)
        wait_for("the fetch after signing in again",
                 lambda: [a for a in app.find_all(pyatspi.ROLE_LABEL)
                          if a.name.startswith("No new mail at")], timeout=60)
        wait_for("Sign In Again to go",
                 lambda: not showing(app, pyatspi.ROLE_PUSH_BUTTON, "Sign In Again"), timeout=20)


def test_browser_cancel():
    """A browser that never comes back: a spinner and Cancel; Cancel puts
    the sign-in offer back. Enter in the organization's fields signs in."""
    oauth = OAuthServer()
    server = DemoServer(session, SERVER, "cancel")
    home = session.new_home("cancel")
    env = install_browser(home, mode="never")
    with running(session, server, oauth) as apps:
        app = open_setup(server, home, env)
        apps.append(app)
        type_address(app, ADDRESS)
        fill_registration(app, oauth)
        # Enter in the last field (Scope, which has the focus) signs in.
        app.key("Return")
        cancel = app.find(pyatspi.ROLE_PUSH_BUTTON, "Cancel", timeout=20)
        app.find(None, "Waiting for the sign-in")
        check_names(app, "setup: waiting for the browser")
        session.screenshot("oauth-waiting")
        wait_for("Cancel to take the keyboard focus", lambda: app.focused() == cancel, timeout=10)
        cancel.queryAction().doAction(0)
        sign_in = app.find(pyatspi.ROLE_PUSH_BUTTON, "Sign In", timeout=20)
        wait_for("the focus back on Sign In", lambda: app.focused() == sign_in, timeout=10)
        if saved_section(home) is not None:
            raise TestFailure("a cancelled sign-in saved an account")


def test_consent_refused():
    """The user declines at the provider: said in words, nothing saved."""
    oauth = OAuthServer()
    oauth.control("action=set&outcome=deny")
    server = DemoServer(session, SERVER, "refused")
    home = session.new_home("refused")
    env = install_browser(home)
    with running(session, server, oauth) as apps:
        app = open_setup(server, home, env)
        apps.append(app)
        type_address(app, ADDRESS)
        fill_registration(app, oauth)
        app.click(pyatspi.ROLE_PUSH_BUTTON, "Sign In")
        app.find(None, "Access was not granted", timeout=30)
        # The spinner and its Cancel, which had the keyboard focus, made
        # way for the explanation: the focus is on a control on screen.
        seen = []

        def focus_on_screen():
            focus = app.focused()
            seen[:] = [focus.name if focus is not None else None]
            return focus is not None and is_showing(focus)
        try:
            wait_for("the focus on screen", focus_on_screen, timeout=10)
        except TestFailure:
            raise TestFailure(f"the keyboard focus is lost after the refusal (on {seen})")
        check_names(app, "setup: consent refused")
        if saved_section(home) is not None:
            raise TestFailure("a refused sign-in saved an account")


def test_account_window():
    """The settings of an account signed in through an organization's app
    registration: how it signs in (its endpoints) instead of the password
    controls, and Sign In Again, which replaces the refresh token in the
    keyring; Remove takes the refresh token out of the keyring."""
    oauth = OAuthServer()
    server = DemoServer(session, SERVER, "settings", f"--oauth2={oauth.url('/introspect')}")
    home = session.new_home("settings")
    env = install_browser(home)
    with running(session, server, oauth) as apps:
        app = open_setup(server, home, env)
        apps.append(app)
        type_address(app, ADDRESS)
        fill_registration(app, oauth)
        app.click(pyatspi.ROLE_PUSH_BUTTON, "Sign In")
        app.find(pyatspi.ROLE_HEADING, "Settings Found", timeout=60)
        app.click(pyatspi.ROLE_PUSH_BUTTON, "Test and Save")
        wait_for("the account to be saved", lambda: saved_section(home) is not None, timeout=40)
        name = accounts_file(home).sections()[0][len("Account "):]
        token_url = oauth.url("/token")
        before = wait_for("the refresh token in the keyring", lambda: oauth2_tokens(token_url), timeout=20)

        window = settings_window(app, name)
        app.find(None, "Signed in through your organization’s app registration", node=window)
        if not label_starting(app, window, f"Sign-in page: {oauth.url('/authorize')}"):
            raise TestFailure("the settings do not name the organization's sign-in page")
        no_password_controls(app, window)
        again = app.find(pyatspi.ROLE_PUSH_BUTTON, "Sign In Again", node=window)
        check_names(app, "account settings: organization sign-in")
        session.screenshot("oauth-account-settings")

        again.queryAction().doAction(0)
        app.find(None, "Signed in again", timeout=60)
        after = wait_for("a new refresh token", lambda: (lambda t: t if t and t != before else None)(
            oauth2_tokens(token_url)), timeout=20)
        if len(after) != 1:
            raise TestFailure(f"{len(after)} refresh tokens in the keyring after signing in again")
        no_secret_in_files(home, before + after)

        app.click(pyatspi.ROLE_PUSH_BUTTON, "Remove Account…")
        app.find(None, "The account’s settings and its sign-in in the keyring are removed. "
                 "Messages already downloaded stay in the mail folder.", timeout=10)
        confirm = wait_for("the dialog's Remove", lambda: app.find_all(
            pyatspi.ROLE_PUSH_BUTTON, "Remove", showing=False), timeout=10)[0]
        confirm.queryAction().doAction(0)
        wait_for("the account to leave the accounts file", lambda: not accounts_file(home).sections(),
                 timeout=20)
        wait_for("its refresh token to leave the keyring", lambda: not oauth2_tokens(token_url), timeout=20)


def test_account_window_provider():
    """An account that signs in with a provider of the built-in table says
    so by the provider's name, with Sign In Again and no password."""
    home = session.new_home("settings-microsoft")
    os.makedirs(os.path.join(home, "config", "popfetch"), exist_ok=True)
    with open(os.path.join(home, "config", "popfetch", "accounts.ini"), "w") as f:
        f.write("[Account Work]\naddress=jo@outlook.com\nhost=outlook.office365.com\nport=995\n"
                "security=tls\nuser=jo@outlook.com\nmechanism=auto\nauth=oauth2\n"
                "oauth2-source=microsoft\n")
    with running(session) as apps:
        app = App(session, POPFETCH, home)
        apps.append(app)
        app.find(pyatspi.ROLE_LABEL, "Work")
        activate_row(app, "Work")
        window = settings_window(app, "Work")
        app.find(None, "Signed in with Microsoft", node=window)
        app.find(pyatspi.ROLE_PUSH_BUTTON, "Sign In Again", node=window)
        no_password_controls(app, window)
        check_names(app, "account settings: Microsoft")


def listening(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=2):
            return True
    except OSError:
        return False


def loopback_port(home, nth):
    import urllib.parse
    path = os.path.join(home, "opened-urls")

    def opened():
        if not os.path.exists(path):
            return None
        with open(path) as f:
            urls = [line.strip() for line in f if line.strip()]
        return urls[nth] if len(urls) > nth else None
    url = wait_for("the browser to be opened", opened, timeout=20)
    redirect = urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)["redirect_uri"][0]
    return urllib.parse.urlsplit(redirect).port


def test_close_ends_listener():
    """While the browser sign-in waits, Cancel, and Escape (which closes
    the setup window), end the loopback listener at once: its port takes
    no more connections."""
    oauth = OAuthServer()
    server = DemoServer(session, SERVER, "listener")
    home = session.new_home("listener")
    env = install_browser(home, mode="record")
    with running(session, server, oauth) as apps:
        app = open_setup(server, home, env)
        apps.append(app)
        type_address(app, ADDRESS)
        fill_registration(app, oauth)

        # Cancel.
        app.click(pyatspi.ROLE_PUSH_BUTTON, "Sign In")
        app.find(pyatspi.ROLE_PUSH_BUTTON, "Cancel", timeout=20)
        port = loopback_port(home, 0)
        if not listening(port):
            raise TestFailure("nothing listens for the redirect while the sign-in waits")
        app.click(pyatspi.ROLE_PUSH_BUTTON, "Cancel")
        wait_for("the listener to end after Cancel", lambda: not listening(port), timeout=2)

        # Escape closes the setup window.
        app.click(pyatspi.ROLE_PUSH_BUTTON, "Sign In")
        cancel = app.find(pyatspi.ROLE_PUSH_BUTTON, "Cancel", timeout=20)
        port = loopback_port(home, 1)
        if not listening(port):
            raise TestFailure("nothing listens for the redirect while the sign-in waits")
        wait_for("Cancel to take the keyboard focus", lambda: app.focused() == cancel, timeout=10)
        app.key("Escape")
        wait_for("the setup window to close",
                 lambda: not app.find_all(pyatspi.ROLE_PUSH_BUTTON, "Cancel"), timeout=10)
        wait_for("the listener to end with the window", lambda: not listening(port), timeout=2)
        if saved_section(home) is not None:
            raise TestFailure("a cancelled sign-in saved an account")


def test_accessible_names():
    if unnamed:
        raise TestFailure("controls without a proper accessible name: " +
                          "; ".join(f"{state}: {', '.join(names)}" for state, names in unnamed.items()))


try:
    tap.run("/ui/oauth/offers-without-goa", test_offers_without_goa)
    tap.run("/ui/oauth/goa-setup-and-fetch", test_goa_setup_and_fetch)
    tap.run("/ui/oauth/browser-setup-fetch-sign-in-again", test_browser_setup_fetch_and_sign_in_again)
    tap.run("/ui/oauth/browser-cancel", test_browser_cancel)
    tap.run("/ui/oauth/consent-refused", test_consent_refused)
    tap.run("/ui/oauth/account-window-sign-in-again-and-remove", test_account_window)
    tap.run("/ui/oauth/account-window-provider", test_account_window_provider)
    tap.run("/ui/oauth/close-ends-listener", test_close_ends_listener)
    tap.run("/ui/oauth/accessible-names", test_accessible_names)
finally:
    session.stop()
tap.finish()
