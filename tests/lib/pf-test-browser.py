#!/usr/bin/env python3
# pf-test-browser.py — a stand-in for the user's browser, as $BROWSER
#
# Copyright 2026 The Popfetch authors
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Usage: pf-test-browser.py URL
#
# Opens the authorization URL as a browser would (one GET, no cookies),
# and follows the redirect that the authorization server answers with:
# for Popfetch that is the loopback listener on 127.0.0.1. Python stdlib
# only. PF_TEST_BROWSER_MODE says how to behave:
#
#   follow            (default) follow the redirect, as a user who consents
#   foreign-first     before following it, hit the loopback listener as a
#                     foreign web page could: a forged state and code, the
#                     wrong path, a cross-origin request with an Origin header;
#                     then follow the real redirect
#   tamper-challenge  replace code_challenge in the URL before opening it (the
#                     token exchange must then fail its PKCE check)
#   never             do nothing: the browser never comes back
#
# PF_TEST_BROWSER_LOG, when set, names a file that gets one line per
# request: "GET <path without query> <status>"; no query strings (they
# hold the code) are written.

import http.client
import os
import sys
import urllib.parse


def log(line):
    path = os.environ.get('PF_TEST_BROWSER_LOG')
    if path:
        with open(path, 'a') as f:
            f.write(line + '\n')


def get(url, headers=None):
    parts = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port or 80, timeout=30)
    target = parts.path or '/'
    if parts.query:
        target += '?' + parts.query
    conn.request('GET', target, headers=headers or {})
    response = conn.getresponse()
    response.read()
    location = response.getheader('Location')
    conn.close()
    log('GET %s %d' % (parts.path or '/', response.status))
    return response.status, location


def with_query(url, **changes):
    parts = urllib.parse.urlsplit(url)
    query = dict(urllib.parse.parse_qsl(parts.query, keep_blank_values=True))
    query.update(changes)
    return urllib.parse.urlunsplit(parts._replace(query=urllib.parse.urlencode(query)))


def main():
    if len(sys.argv) != 2:
        sys.stderr.write('usage: pf-test-browser.py URL\n')
        return 2
    url = sys.argv[1]
    mode = os.environ.get('PF_TEST_BROWSER_MODE', 'follow')
    log('MODE %s' % mode)
    if mode == 'never':
        return 0
    if mode == 'tamper-challenge':
        url = with_query(url, code_challenge='A' * 43)

    status, location = get(url)
    if status not in (301, 302, 303, 307) or not location:
        log('NO-REDIRECT %d' % status)
        return 1

    if mode == 'foreign-first':
        parts = urllib.parse.urlsplit(location)
        base = '%s://%s' % (parts.scheme, parts.netloc)
        get(with_query(location, state='forged-state', code='forged-code'))
        get(base + '/favicon.ico')
        get(base + '/elsewhere?' + parts.query)
        get(location, {'Origin': 'https://attacker.example'})

    get(location)
    return 0


if __name__ == '__main__':
    sys.exit(main())
