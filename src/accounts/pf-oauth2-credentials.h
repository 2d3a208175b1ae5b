/* pf-oauth2-credentials.h — access tokens for the engine; refresh tokens
 * in the keyring
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>
#include <libsecret/secret.h>

#include "pf-credentials.h"
#include "pf-oauth2.h"

G_BEGIN_DECLS

/* ---- refresh tokens in the keyring ------------------------------------ */

/* Items use their own schema "io.github.popfetch.Popfetch.OAuth2" with the
 * string attributes token-url, client-id and user: one item per sign-in
 * at one authorization server with one client. A refresh token is never
 * written anywhere else. Errors as for passwords (PF_ERROR_KEYRING_*). */
#define PF_OAUTH2_KEYRING_SCHEMA_NAME "io.github.popfetch.Popfetch.OAuth2"

const SecretSchema *pf_oauth2_keyring_get_schema (void);

void      pf_oauth2_keyring_store_async   (const char           *account_name,
                                           const PfOAuth2Config *config,
                                           const char           *user,
                                           const char           *refresh_token,
                                           GCancellable         *cancellable,
                                           GAsyncReadyCallback   callback,
                                           gpointer              user_data);
gboolean  pf_oauth2_keyring_store_finish  (GAsyncResult         *result,
                                           GError              **error);
/* The refresh token, or NULL with PF_OAUTH2_ERROR_SIGN_IN_AGAIN when none
 * is stored. Free with pf_wipe_string(). */
void      pf_oauth2_keyring_lookup_async  (const PfOAuth2Config *config,
                                           const char           *user,
                                           GCancellable         *cancellable,
                                           GAsyncReadyCallback   callback,
                                           gpointer              user_data);
char     *pf_oauth2_keyring_lookup_finish (GAsyncResult         *result,
                                           GError              **error);
/* TRUE also when there was none. */
void      pf_oauth2_keyring_clear_async   (const PfOAuth2Config *config,
                                           const char           *user,
                                           GCancellable         *cancellable,
                                           GAsyncReadyCallback   callback,
                                           gpointer              user_data);
gboolean  pf_oauth2_keyring_clear_finish  (GAsyncResult         *result,
                                           GError              **error);

/* ---- credentials ------------------------------------------------------ */

#define PF_TYPE_OAUTH2_CREDENTIALS (pf_oauth2_credentials_get_type ())

G_DECLARE_FINAL_TYPE (PfOAuth2Credentials, pf_oauth2_credentials,
                      PF, OAUTH2_CREDENTIALS, GObject)

/* A PfCredentials that hands out access tokens (PF_SECRET_ACCESS_TOKEN)
 * for one sign-in (@config, @user). The access token lives only in this
 * object's memory. get_secret answers with it while it has more than a
 * margin of its life left (a minute, or a quarter of its lifetime when
 * that is shorter); otherwise it reads the refresh token from the keyring
 * (once; it is kept in memory afterwards), refreshes, and stores a new
 * refresh token when the server rotated it. Concurrent requests share one
 * refresh. invalidate (the server refused the token) drops the access
 * token, so the next get_secret refreshes: the road retries once.
 *
 * A refresh refused with invalid_grant, or no refresh token in the
 * keyring, fails with PF_OAUTH2_ERROR_SIGN_IN_AGAIN. */
PfOAuth2Credentials *pf_oauth2_credentials_new        (const PfOAuth2Config *config,
                                                       const char           *account_name,
                                                       const char           *user);
/* Seeds the object with tokens just obtained by a sign-in (no refresh
 * until they age). Their refresh token is kept in memory only; the caller
 * stores it with pf_oauth2_keyring_store_async once the account is saved. */
void                 pf_oauth2_credentials_set_tokens (PfOAuth2Credentials  *self,
                                                       const PfOAuth2Tokens *tokens);
/* How many refreshes this object made (for the caller's log). */
guint                pf_oauth2_credentials_get_refresh_count (PfOAuth2Credentials *self);

/* Credentials holding one access token given by the caller
 * (--oauth2-token-file): handed out as is; nothing refreshes it. Its own
 * object file (pf-token-credentials.c): it links neither libsoup nor
 * libsecret, so the lean popfetch-cli-fetch can use it. */
PfCredentials       *pf_credentials_new_for_access_token (const char *access_token);

G_END_DECLS
