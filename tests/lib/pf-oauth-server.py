#!/usr/bin/env python3
# pf-oauth-server.py — a small OAuth2 authorization server for Popfetch's tests
#
# Copyright 2026 The Popfetch authors
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Listens on 127.0.0.1 (a free port unless --port is given) and prints one
# line "READY PORT" on stdout when it accepts connections. Loopback only,
# plain HTTP, every state in memory. Endpoints:
#
#   GET  /authorize   authorization-code request (RFC 6749 4.1, PKCE RFC 7636
#                     with S256 only); consent is automatic: answers 302 to
#                     redirect_uri with code and state, or with the error the
#                     "outcome" setting names. The user is login_hint, else
#                     the "user" setting.
#   POST /token       grant_type authorization_code (checks client_id,
#                     redirect_uri and the PKCE verifier), refresh_token,
#                     urn:ietf:params:oauth:grant-type:device_code (RFC 8628)
#   POST /device      device authorization request (RFC 8628 3.1)
#   POST /introspect  token introspection (RFC 7662) for Dovecot's oauth2
#                     passdb: {"active": true, "username": ...}; the token may
#                     come as a form field, a query parameter or a bearer header
#   POST /revoke      token revocation (RFC 7009)
#   POST /control     the test's handle, form-encoded, answers "key=value"
#                     lines:
#       action=mint&user=U[&expires_in=N]   issue tokens for U directly
#       action=revoke-user&user=U           revoke every token of U
#       action=expire-access[&user=U]       expire access tokens (all, or U's)
#       action=set&KEY=VALUE...             change a setting (below)
#       action=approve-device[&user_code=C]  approve pending device requests
#       action=issued                       every token and code handed out
#                                           (access=…, refresh=…, code=… lines)
#       action=stats                        counters (token-authorization_code,
#                                           token-refresh_token, token-device_code,
#                                           introspect, introspect-active,
#                                           authorize, device, revoke)
#
# Settings: user (default "user@popfetch.test"), expires_in (3600),
# outcome (consent | deny | admin-consent | admin-approval | wrong-state),
# device_outcome (approve | pending | deny), device_interval (1),
# rotate_refresh (0|1), client_id (empty: any client id is accepted).
#
# Nothing secret is logged unless PF_OAUTH_SERVER_VERBOSE=1.

import argparse
import base64
import hashlib
import json
import os
import secrets
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code'


class State:
    def __init__(self):
        self.lock = threading.Lock()
        self.settings = {
            'user': 'user@popfetch.test',
            'expires_in': '3600',
            'outcome': 'consent',
            'device_outcome': 'approve',
            'device_interval': '1',
            'rotate_refresh': '0',
            'client_id': '',
        }
        self.codes = {}        # code -> dict
        self.access = {}       # token -> {user, expires_at, scope}
        self.refresh = {}      # token -> {user, client_id, scope, revoked}
        self.devices = {}      # device_code -> dict
        self.issued_codes = [] # every authorization and device code
        self.stats = {}

    def count(self, name):
        self.stats[name] = self.stats.get(name, 0) + 1

    def issue(self, user, scope, client_id, refresh_token=None):
        access_token = 'at-' + secrets.token_urlsafe(24)
        expires_in = int(self.settings['expires_in'])
        self.access[access_token] = {
            'user': user,
            'expires_at': time.time() + expires_in,
            'scope': scope,
        }
        if refresh_token is None or self.settings['rotate_refresh'] == '1':
            if refresh_token is not None:
                self.refresh.pop(refresh_token, None)
            refresh_token = 'rt-' + secrets.token_urlsafe(24)
            self.refresh[refresh_token] = {
                'user': user, 'client_id': client_id, 'scope': scope,
            }
        return {
            'access_token': access_token,
            'token_type': 'Bearer',
            'expires_in': expires_in,
            'refresh_token': refresh_token,
            'scope': scope,
        }


STATE = State()


def s256(verifier):
    digest = hashlib.sha256(verifier.encode('ascii')).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b'=').decode('ascii')


class Handler(BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'
    server_version = 'PopfetchTestOAuth/1'

    def log_message(self, format, *args):
        if os.environ.get('PF_OAUTH_SERVER_VERBOSE') == '1':
            sys.stderr.write('oauth-server: ' + (format % args) + '\n')

    # ---- plumbing ----------------------------------------------------------

    def send(self, status, body, content_type='application/json', headers=None):
        data = body.encode('utf-8')
        self.send_response(status)
        self.send_header('Content-Type', content_type)
        self.send_header('Content-Length', str(len(data)))
        self.send_header('Cache-Control', 'no-store')
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(data)

    def send_json(self, status, obj):
        self.send(status, json.dumps(obj))

    def oauth_error(self, error, description, status=400):
        self.send_json(status, {'error': error, 'error_description': description})

    def form(self):
        length = int(self.headers.get('Content-Length') or 0)
        body = self.rfile.read(length).decode('utf-8') if length else ''
        fields = dict(urllib.parse.parse_qsl(body, keep_blank_values=True))
        return fields

    def query(self):
        return dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(self.path).query,
                                           keep_blank_values=True))

    def route(self):
        return urllib.parse.urlsplit(self.path).path

    def client_ok(self, client_id):
        wanted = STATE.settings['client_id']
        return wanted == '' or client_id == wanted

    # ---- GET ---------------------------------------------------------------

    def do_GET(self):
        path = self.route()
        if path == '/authorize':
            self.authorize(self.query())
        elif path == '/introspect':
            self.introspect(self.query())
        else:
            self.send(404, 'not found\n', 'text/plain')

    def authorize(self, q):
        with STATE.lock:
            STATE.count('authorize')
            settings = dict(STATE.settings)
        redirect_uri = q.get('redirect_uri', '')
        state = q.get('state')
        if not redirect_uri or not self.client_ok(q.get('client_id', '')):
            # No redirect to an unverified client (RFC 6749 4.1.2.1).
            self.send(400, 'unknown client or redirect_uri\n', 'text/plain')
            return

        def redirect(params):
            if state is not None and 'state' not in params:
                params['state'] = state
            sep = '&' if '?' in redirect_uri else '?'
            self.send(302, '', 'text/plain',
                      {'Location': redirect_uri + sep + urllib.parse.urlencode(params)})

        if q.get('response_type') != 'code':
            redirect({'error': 'unsupported_response_type'})
            return
        if q.get('code_challenge_method') != 'S256' or not q.get('code_challenge'):
            redirect({'error': 'invalid_request',
                      'error_description': 'PKCE with S256 is required.'})
            return
        outcome = settings['outcome']
        if outcome == 'deny':
            redirect({'error': 'access_denied',
                      'error_description': 'The user declined to consent.'})
            return
        if outcome == 'admin-consent':
            redirect({'error': 'consent_required',
                      'error_description':
                      "AADSTS65001: The user or administrator has not consented to use "
                      "the application with ID '%s'." % q.get('client_id', '')})
            return
        if outcome == 'admin-approval':
            redirect({'error': 'access_denied',
                      'error_description':
                      'AADSTS90094: The grant requires admin permission.'})
            return
        user = q.get('login_hint') or settings['user']
        code = 'code-' + secrets.token_urlsafe(18)
        with STATE.lock:
            STATE.issued_codes.append(code)
            STATE.codes[code] = {
                'client_id': q.get('client_id', ''),
                'redirect_uri': redirect_uri,
                'challenge': q['code_challenge'],
                'user': user,
                'scope': q.get('scope', ''),
                'expires_at': time.time() + 120,
            }
        params = {'code': code}
        if outcome == 'wrong-state':
            params['state'] = 'not-' + (state or '')
        redirect(params)

    # ---- POST --------------------------------------------------------------

    def do_POST(self):
        path = self.route()
        fields = self.form()
        if path == '/token':
            self.token(fields)
        elif path == '/device':
            self.device(fields)
        elif path == '/introspect':
            self.introspect(fields)
        elif path == '/revoke':
            self.revoke(fields)
        elif path == '/control':
            self.control(fields)
        else:
            self.send(404, 'not found\n', 'text/plain')

    def token(self, f):
        grant = f.get('grant_type', '')
        client_id = f.get('client_id', '')
        with STATE.lock:
            STATE.count('token-' + grant.rsplit(':', 1)[-1])
            if not self.client_ok(client_id):
                self.oauth_error('invalid_client', 'Unknown client.', 401)
                return
            if grant == 'authorization_code':
                entry = STATE.codes.pop(f.get('code', ''), None)
                if entry is None or entry['expires_at'] < time.time():
                    self.oauth_error('invalid_grant', 'The authorization code is unknown or used.')
                    return
                if entry['client_id'] != client_id or entry['redirect_uri'] != f.get('redirect_uri'):
                    self.oauth_error('invalid_grant', 'client_id or redirect_uri differ from the request.')
                    return
                if s256(f.get('code_verifier', '')) != entry['challenge']:
                    self.oauth_error('invalid_grant', 'PKCE verification failed.')
                    return
                self.send_json(200, STATE.issue(entry['user'], entry['scope'], client_id))
            elif grant == 'refresh_token':
                token = f.get('refresh_token', '')
                entry = STATE.refresh.get(token)
                if entry is None or entry.get('revoked'):
                    self.oauth_error('invalid_grant',
                                     'AADSTS70000: The refresh token has been revoked or has expired.')
                    return
                self.send_json(200, STATE.issue(entry['user'], entry['scope'], client_id, token))
            elif grant == DEVICE_GRANT:
                entry = STATE.devices.get(f.get('device_code', ''))
                if entry is None:
                    self.oauth_error('invalid_grant', 'Unknown device code.')
                    return
                if entry['expires_at'] < time.time():
                    self.oauth_error('expired_token', 'The device code expired.')
                    return
                outcome = STATE.settings['device_outcome']
                if outcome == 'deny':
                    self.oauth_error('access_denied', 'The user declined.')
                    return
                if not entry['approved'] and outcome == 'approve':
                    # Approve after the first poll, as a user would.
                    if entry['polls'] >= 1:
                        entry['approved'] = True
                entry['polls'] += 1
                if not entry['approved']:
                    self.oauth_error('authorization_pending', 'Waiting for the user.')
                    return
                del STATE.devices[f['device_code']]
                self.send_json(200, STATE.issue(entry['user'], entry['scope'], client_id))
            else:
                self.oauth_error('unsupported_grant_type', 'Unknown grant type.')

    def device(self, f):
        with STATE.lock:
            STATE.count('device')
            if not self.client_ok(f.get('client_id', '')):
                self.oauth_error('invalid_client', 'Unknown client.', 401)
                return
            device_code = 'dc-' + secrets.token_urlsafe(18)
            user_code = '%04d-%04d' % (secrets.randbelow(10000), secrets.randbelow(10000))
            STATE.issued_codes.append(device_code)
            STATE.devices[device_code] = {
                'user_code': user_code,
                'user': f.get('login_hint') or STATE.settings['user'],
                'scope': f.get('scope', ''),
                'approved': False,
                'polls': 0,
                'expires_at': time.time() + 600,
            }
            port = self.server.server_address[1]
            self.send_json(200, {
                'device_code': device_code,
                'user_code': user_code,
                'verification_uri': 'http://127.0.0.1:%d/device-login' % port,
                'expires_in': 600,
                'interval': int(STATE.settings['device_interval']),
            })

    def introspect(self, f):
        token = f.get('token')
        auth = self.headers.get('Authorization', '')
        if not token and auth.lower().startswith('bearer '):
            token = auth[7:].strip()
        with STATE.lock:
            STATE.count('introspect')
            entry = STATE.access.get(token or '')
            if entry is None or entry['expires_at'] < time.time():
                self.send_json(200, {'active': False})
                return
            STATE.count('introspect-active')
            self.send_json(200, {
                'active': True,
                'username': entry['user'],
                'scope': entry['scope'],
                'exp': int(entry['expires_at']),
                'token_type': 'Bearer',
            })

    def revoke(self, f):
        token = f.get('token', '')
        with STATE.lock:
            STATE.count('revoke')
            if token in STATE.refresh:
                STATE.refresh[token]['revoked'] = True
            STATE.access.pop(token, None)
        self.send(200, '', 'text/plain')

    def control(self, f):
        action = f.pop('action', '')
        lines = []
        with STATE.lock:
            if action == 'mint':
                old = STATE.settings['expires_in']
                if 'expires_in' in f:
                    STATE.settings['expires_in'] = f['expires_in']
                reply = STATE.issue(f.get('user') or STATE.settings['user'],
                                    f.get('scope', ''), f.get('client_id', ''))
                STATE.settings['expires_in'] = old
                for key in ('access_token', 'refresh_token', 'expires_in'):
                    lines.append('%s=%s' % (key, reply[key]))
            elif action == 'revoke-user':
                user = f.get('user', '')
                for entry in STATE.refresh.values():
                    if entry['user'] == user:
                        entry['revoked'] = True
                for token in [t for t, e in STATE.access.items() if e['user'] == user]:
                    del STATE.access[token]
            elif action == 'expire-access':
                user = f.get('user')
                for entry in STATE.access.values():
                    if user is None or entry['user'] == user:
                        entry['expires_at'] = 0
            elif action == 'set':
                for key, value in f.items():
                    if key not in STATE.settings:
                        self.send(400, 'unknown setting %s\n' % key, 'text/plain')
                        return
                    STATE.settings[key] = value
            elif action == 'approve-device':
                for entry in STATE.devices.values():
                    if 'user_code' not in f or entry['user_code'] == f['user_code']:
                        entry['approved'] = True
            elif action == 'issued':
                # Every token and code handed out, for tests that look for
                # them where they must not be.
                for token in STATE.access:
                    lines.append('access=%s' % token)
                for token in STATE.refresh:
                    lines.append('refresh=%s' % token)
                for token in STATE.issued_codes:
                    lines.append('code=%s' % token)
            elif action == 'stats':
                for key in sorted(STATE.stats):
                    lines.append('%s=%d' % (key, STATE.stats[key]))
            else:
                self.send(400, 'unknown action\n', 'text/plain')
                return
        self.send(200, ''.join(line + '\n' for line in lines), 'text/plain')


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('--port', type=int, default=0)
    args = parser.parse_args()
    server = ThreadingHTTPServer(('127.0.0.1', args.port), Handler)
    server.daemon_threads = True
    print('READY %d' % server.server_address[1], flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == '__main__':
    main()
