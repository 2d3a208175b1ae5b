#!/bin/sh
# run-with-keyring.sh — run a test program against a private, real
# gnome-keyring: its own D-Bus session (dbus-run-session), its own HOME and
# XDG directories, and gnome-keyring-daemon --unlock --components=secrets fed
# a test password on stdin, so the "login" keyring exists and is unlocked.
#
# Copyright 2026 The Popfetch authors
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Usage: run-with-keyring.sh [--with-password] PROGRAM [ARGS...]
#
# The program sees PF_TEST_KEYRING=1. With --with-password it also sees
# PF_TEST_KEYRING_PASSWORD, the password that unlocks the keyring (only for
# tests that lock and unlock it). When dbus-run-session or
# gnome-keyring-daemon is missing, prints a TAP skip, or fails when
# REQUIRE_KEYRING=1.

set -eu

export_password=no
if [ "${1:-}" = "--with-password" ]; then
  export_password=yes
  shift
fi

if [ -z "${PF_TEST_KEYRING_INSIDE:-}" ]; then
  for program in dbus-run-session gnome-keyring-daemon; do
    if ! command -v "$program" >/dev/null 2>&1; then
      if [ "${REQUIRE_KEYRING:-}" = "1" ]; then
        echo "Bail out! $program is not installed, and REQUIRE_KEYRING=1 demands it"
        exit 1
      fi
      echo "1..0 # SKIP $program is not installed"
      exit 0
    fi
  done

  private=$(mktemp -d "${TMPDIR:-/tmp}/popfetch-keyring-XXXXXX")
  trap 'rm -rf "$private"' EXIT INT TERM
  mkdir -p "$private/home" "$private/data" "$private/config" "$private/cache" "$private/runtime"
  chmod 700 "$private/runtime"

  # Everything the daemon and the test touch stays inside $private.
  status=0
  HOME="$private/home" \
  XDG_DATA_HOME="$private/data" \
  XDG_CONFIG_HOME="$private/config" \
  XDG_CACHE_HOME="$private/cache" \
  XDG_RUNTIME_DIR="$private/runtime" \
  PF_TEST_KEYRING_INSIDE=1 \
  PF_TEST_KEYRING_EXPORT="$export_password" \
  PF_TEST_G_DEBUG="${G_DEBUG:-}" \
    env -u G_DEBUG dbus-run-session -- "$0" "$@" || status=$?
  exit $status
fi

# Inside the private D-Bus session.
password="popfetch-test-keyring-$$"
# --unlock reads the password on stdin, creates the "login" keyring with it
# when there is none, and unlocks it; the daemon forks and prints its
# environment (GNOME_KEYRING_CONTROL) for us.
keyring_env=$(printf '%s' "$password" | gnome-keyring-daemon --unlock --components=secrets)
for assignment in $keyring_env; do
  export "$assignment"
done

# Wait until the Secret Service answers on the bus.
tries=0
until dbus-send --session --print-reply --dest=org.freedesktop.DBus / \
        org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null |
      grep -q 'boolean true'; do
  tries=$((tries + 1))
  if [ "$tries" -gt 100 ]; then
    echo "Bail out! gnome-keyring-daemon did not take org.freedesktop.secrets"
    exit 1
  fi
  sleep 0.05
done

export PF_TEST_KEYRING=1
if [ "$PF_TEST_KEYRING_EXPORT" = "yes" ]; then
  export PF_TEST_KEYRING_PASSWORD="$password"
fi
unset PF_TEST_KEYRING_INSIDE PF_TEST_KEYRING_EXPORT

# The test environment's G_DEBUG (fatal warnings) is for the test program;
# the bus and the keyring daemon above ran without it.
status=0
if [ -n "${PF_TEST_G_DEBUG:-}" ]; then
  G_DEBUG="$PF_TEST_G_DEBUG" "$@" || status=$?
else
  "$@" || status=$?
fi

# dbus-run-session ends the bus when we return; the daemon goes with it.
# Stop it explicitly so no daemon outlives the test.
keyring_pid=$(dbus-send --session --print-reply --dest=org.freedesktop.DBus / \
  org.freedesktop.DBus.GetConnectionUnixProcessID string:org.freedesktop.secrets 2>/dev/null |
  awk '/uint32/ { print $2 }')
if [ -n "$keyring_pid" ]; then
  kill "$keyring_pid" 2>/dev/null || true
fi
exit $status
