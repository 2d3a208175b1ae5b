#!/usr/bin/python3
# pf-goa-service.py — GNOME Online Accounts for the tests, on a private session bus
#
# Copyright 2026 The Popfetch authors
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
#   python3 pf-goa-service.py CONFIG.json RECORD-FILE
#
# The real goa-daemon needs the providers' web sign-in, which the tests
# cannot reach, so this stands in for it. It owns org.gnome.OnlineAccounts
# on the session bus and speaks the interfaces Popfetch uses, as goa-daemon
# does:
#
#   /org/gnome/OnlineAccounts                 org.freedesktop.DBus.ObjectManager
#   /org/gnome/OnlineAccounts/Accounts/ID     org.gnome.OnlineAccounts.Account
#                                             org.gnome.OnlineAccounts.Mail
#                                             org.gnome.OnlineAccounts.OAuth2Based
#
# CONFIG.json: {"accounts": [ACCOUNT, …]}, each ACCOUNT an object with
#   "id", "address", "provider_type", "provider_name"  (strings)
#   "mail_disabled", "attention_needed", "oauth2"      (booleans; "oauth2"
#        false leaves out the OAuth2Based interface, as for a password
#        account)
#   "tokens"     access tokens to hand out first, one per GetAccessToken
#   "mint_url"   then: each GetAccessToken POSTs "mint_body" (a string,
#        form-encoded, e.g. "action=mint&user=U") to this URL — the control
#        endpoint of the test authorization server, pf-oauth-server.py — and
#        hands out the access_token of its "key=value" answer, so the mail
#        server really checks the token
#   "not_authorized"  GetAccessToken and EnsureCredentials fail with
#        org.gnome.OnlineAccounts.Error.NotAuthorized
#
# Each call is appended to RECORD-FILE as one line, "METHOD ID" (the
# token itself is never written). Prints "READY" once it owns the name.

import json
import os
import sys
import urllib.request

from gi.repository import Gio, GLib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pf_dbus_standin  # noqa: E402

INTERFACES = """
<node>
  <interface name="org.freedesktop.DBus.ObjectManager">
    <method name="GetManagedObjects">
      <arg type="a{oa{sa{sv}}}" name="objects" direction="out"/>
    </method>
    <signal name="InterfacesAdded">
      <arg type="o" name="object_path"/>
      <arg type="a{sa{sv}}" name="interfaces_and_properties"/>
    </signal>
    <signal name="InterfacesRemoved">
      <arg type="o" name="object_path"/>
      <arg type="as" name="interfaces"/>
    </signal>
  </interface>
  <interface name="org.gnome.OnlineAccounts.Account">
    <method name="Remove"/>
    <method name="EnsureCredentials">
      <arg type="i" name="expires_in" direction="out"/>
    </method>
    <property name="ProviderType" type="s" access="read"/>
    <property name="ProviderName" type="s" access="read"/>
    <property name="ProviderIcon" type="s" access="read"/>
    <property name="Id" type="s" access="read"/>
    <property name="IsLocked" type="b" access="read"/>
    <property name="IsTemporary" type="b" access="readwrite"/>
    <property name="AttentionNeeded" type="b" access="read"/>
    <property name="Identity" type="s" access="read"/>
    <property name="PresentationIdentity" type="s" access="read"/>
    <property name="MailDisabled" type="b" access="readwrite"/>
  </interface>
  <interface name="org.gnome.OnlineAccounts.Mail">
    <property name="EmailAddress" type="s" access="read"/>
    <property name="Name" type="s" access="read"/>
    <property name="ImapSupported" type="b" access="read"/>
    <property name="ImapHost" type="s" access="read"/>
    <property name="ImapUserName" type="s" access="read"/>
  </interface>
  <interface name="org.gnome.OnlineAccounts.OAuth2Based">
    <method name="GetAccessToken">
      <arg type="s" name="access_token" direction="out"/>
      <arg type="i" name="expires_in" direction="out"/>
    </method>
    <property name="ClientId" type="s" access="read"/>
    <property name="ClientSecret" type="s" access="read"/>
  </interface>
</node>
"""

ROOT = "/org/gnome/OnlineAccounts"
NOT_AUTHORIZED = "org.gnome.OnlineAccounts.Error.NotAuthorized"

config_path, record_path = sys.argv[1], sys.argv[2]
with open(config_path, encoding="utf-8") as f:
    accounts = json.load(f)["accounts"]
node = Gio.DBusNodeInfo.new_for_xml(INTERFACES)
ifaces = {i.name: i for i in node.interfaces}


def path_of(account):
    return f"{ROOT}/Accounts/{account['id']}"


def properties(account):
    """The interfaces of an account object and their properties, as GVariants."""
    result = {
        "org.gnome.OnlineAccounts.Account": {
            "ProviderType": GLib.Variant("s", account.get("provider_type", "google")),
            "ProviderName": GLib.Variant("s", account.get("provider_name", "Google")),
            "ProviderIcon": GLib.Variant("s", ""),
            "Id": GLib.Variant("s", account["id"]),
            "IsLocked": GLib.Variant("b", False),
            "IsTemporary": GLib.Variant("b", False),
            "AttentionNeeded": GLib.Variant("b", account.get("attention_needed", False)),
            "Identity": GLib.Variant("s", account["address"]),
            "PresentationIdentity": GLib.Variant("s", account["address"]),
            "MailDisabled": GLib.Variant("b", account.get("mail_disabled", False)),
        },
        "org.gnome.OnlineAccounts.Mail": {
            "EmailAddress": GLib.Variant("s", account["address"]),
            "Name": GLib.Variant("s", ""),
            "ImapSupported": GLib.Variant("b", True),
            "ImapHost": GLib.Variant("s", ""),
            "ImapUserName": GLib.Variant("s", account["address"]),
        },
    }
    if account.get("oauth2", True):
        result["org.gnome.OnlineAccounts.OAuth2Based"] = {
            "ClientId": GLib.Variant("s", "popfetch-test-goa"),
            "ClientSecret": GLib.Variant("s", ""),
        }
    return result


def record(method, account_id):
    with open(record_path, "a", encoding="utf-8") as f:
        f.write(f"{method} {account_id}\n")


def next_token(account):
    tokens = account.setdefault("tokens", [])
    if tokens:
        return tokens.pop(0)
    url = account.get("mint_url")
    if url is None:
        return "goa-test-token"
    body = account.get("mint_body", "").encode("ascii")
    with urllib.request.urlopen(urllib.request.Request(url, data=body), timeout=10) as answer:
        lines = answer.read().decode("utf-8").splitlines()
    return dict(line.split("=", 1) for line in lines if "=" in line)["access_token"]


def on_root_call(connection, sender, path, interface, method, parameters, invocation):
    record(method, "-")
    objects = {path_of(a): properties(a) for a in accounts}
    invocation.return_value(GLib.Variant("(a{oa{sa{sv}}})", (objects,)))


def on_account_call(account):
    def on_call(connection, sender, path, interface, method, parameters, invocation):
        record(method, account["id"])
        if method in ("GetAccessToken", "EnsureCredentials") and account.get("not_authorized"):
            invocation.return_dbus_error(NOT_AUTHORIZED, "Credentials have expired; sign in again")
        elif method == "GetAccessToken":
            try:
                token = next_token(account)
            except Exception as error:  # the test sees the failure in the reply
                invocation.return_dbus_error("org.gnome.OnlineAccounts.Error.Failed", str(error))
                return
            invocation.return_value(GLib.Variant("(si)", (token, 3600)))
        elif method == "EnsureCredentials":
            invocation.return_value(GLib.Variant("(i)", (3600,)))
        else:
            invocation.return_dbus_error("org.gnome.OnlineAccounts.Error.NotSupported", method)
    return on_call


def on_account_property(account):
    def get_property(connection, sender, path, interface, name):
        return properties(account)[interface][name]
    return get_property


def on_bus(connection, name):
    connection.register_object(ROOT, ifaces["org.freedesktop.DBus.ObjectManager"],
                               on_root_call, None, None)
    for account in accounts:
        for interface in properties(account):
            connection.register_object(path_of(account), ifaces[interface],
                                       on_account_call(account), on_account_property(account),
                                       None)


pf_dbus_standin.run("org.gnome.OnlineAccounts", on_bus, record_path)
