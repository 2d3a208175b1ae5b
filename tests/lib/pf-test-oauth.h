/* pf-test-oauth.h — the test OAuth2 authorization server, from GTest programs
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* tests/lib/pf-oauth-server.py under python3, as a child of the test, on
 * 127.0.0.1 and a free port; it dies with the test (PR_SET_PDEATHSIG). Its
 * endpoints: /authorize (automatic consent), /token (authorization code
 * with PKCE S256, refresh token, device code), /device, /introspect (for
 * Dovecot's oauth2 passdb), /revoke, and /control for the test itself; the
 * script's header says what each does and which settings exist. */
typedef struct _PfTestOAuth PfTestOAuth;

PfTestOAuth *pf_test_oauth_start         (GError      **error);
/* Skips the test (or fails it when REQUIRE_DOVECOT=1, as ./check sets it)
 * when python3 is missing, and returns NULL; the caller then returns. */
PfTestOAuth *pf_test_oauth_start_or_skip (void);
void         pf_test_oauth_stop          (PfTestOAuth  *self);

guint16      pf_test_oauth_get_port      (PfTestOAuth  *self);
/* "http://127.0.0.1:PORT" + @path ("/token"). */
char        *pf_test_oauth_get_url       (PfTestOAuth  *self,
                                          const char   *path);
/* The script's path, for Python helpers that the tests run. */
const char  *pf_test_oauth_get_script    (void);

/* POST /control with @action and NULL-terminated KEY, VALUE pairs; returns
 * the answer's "key=value" lines as a table (string to string). */
GHashTable  *pf_test_oauth_control       (PfTestOAuth  *self,
                                          GError      **error,
                                          const char   *action,
                                          ...) G_GNUC_NULL_TERMINATED;

/* Tokens for @user straight from the server, as a token source other than
 * the browser flow would get them; @expires_in seconds, 0 for the
 * server's setting. @refresh_token may be NULL. */
char        *pf_test_oauth_mint          (PfTestOAuth  *self,
                                          const char   *user,
                                          guint         expires_in,
                                          char        **refresh_token,
                                          GError      **error);
/* Every refresh and access token of @user stops working. */
gboolean     pf_test_oauth_revoke_user   (PfTestOAuth  *self,
                                          const char   *user,
                                          GError      **error);
/* Access tokens of @user (every user when NULL) expire now. */
gboolean     pf_test_oauth_expire_access (PfTestOAuth  *self,
                                          const char   *user,
                                          GError      **error);
/* A setting of the server ("outcome", "expires_in", …). */
gboolean     pf_test_oauth_set           (PfTestOAuth  *self,
                                          const char   *key,
                                          const char   *value,
                                          GError      **error);
/* A counter from action=stats ("token-refresh_token", "introspect", …);
 * 0 when it never counted. */
guint        pf_test_oauth_get_count     (PfTestOAuth  *self,
                                          const char   *counter);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PfTestOAuth, pf_test_oauth_stop)

G_END_DECLS
