/* pf-oauth2.h — OAuth2 sign-in: providers, the authorization-code flow
 * with PKCE on a loopback redirect, the device flow, token refresh
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "pf-credentials.h"
#include "pf-error.h"

G_BEGIN_DECLS

/* ---- errors ----------------------------------------------------------- */

#define PF_OAUTH2_ERROR (pf_oauth2_error_quark ())

/* What went wrong in a sign-in or a refresh, as the user needs it. A
 * cancelled flow is G_IO_ERROR_CANCELLED; keyring failures stay
 * PF_ERROR_KEYRING_*. Messages never hold a code, a token or the PKCE
 * verifier; provider text is sanitised (control characters removed). */
typedef enum
{
  PF_OAUTH2_ERROR_NO_CLIENT_ID,     /* this build (or account) has no client id for the provider */
  PF_OAUTH2_ERROR_UNKNOWN_PROVIDER, /* no such provider name in the table */
  PF_OAUTH2_ERROR_INSECURE_URL,     /* an endpoint is not https (http only on loopback) */
  PF_OAUTH2_ERROR_CONSENT_REFUSED,  /* the user declined (access_denied) */
  PF_OAUTH2_ERROR_ADMIN_CONSENT,    /* the organisation's admin must consent or approve
                                     * (Microsoft AADSTS65001, AADSTS90094, …) */
  PF_OAUTH2_ERROR_SIGN_IN_AGAIN,    /* invalid_grant on refresh, or no refresh token
                                     * stored: the user must sign in again */
  PF_OAUTH2_ERROR_TIMEOUT,          /* the browser never came back to Popfetch */
  PF_OAUTH2_ERROR_BROWSER,          /* no browser could be opened */
  PF_OAUTH2_ERROR_DEVICE_EXPIRED,   /* the device code expired before the user entered it */
  PF_OAUTH2_ERROR_NO_DEVICE_FLOW,   /* the provider offers no device flow for POP */
  PF_OAUTH2_ERROR_PROVIDER,         /* any other error answer of the provider */
  PF_OAUTH2_ERROR_HTTP,             /* the endpoint did not answer as OAuth2 says */
  PF_OAUTH2_ERROR_POP_REFUSED,      /* a fresh token the provider issued, refused by the
                                     * POP server: POP is off for the mailbox, or the
                                     * token lacks the POP scope */
} PfOAuth2ErrorCode;

GQuark         pf_oauth2_error_quark   (void);

/* A title, what happened and what to try next for a PF_OAUTH2_ERROR, as
 * pf_error_explain() does for PF_ERROR; NULL for other domains. */
PfExplanation *pf_oauth2_error_explain (const GError *error);

/* ---- providers -------------------------------------------------------- */

/* One entry of the built-in table. client_id (and client_secret, which
 * some providers demand of desktop clients although it protects nothing)
 * come from the build options -Doauth2_NAME_client_id=…; "" when unset. */
typedef struct
{
  const char *name;           /* "microsoft", "google", "yahoo", "aol", "fastmail" */
  const char *display_name;   /* "Microsoft", not translated (a brand) */
  const char *authorize_url;
  const char *token_url;
  const char *device_url;     /* NULL: no device flow that grants POP access */
  const char *scope;
  const char *client_id;
  const char *client_secret;
} PfOAuth2Provider;

/* The table, NULL-terminated. */
const PfOAuth2Provider * const *pf_oauth2_get_providers (void);
/* By name (ASCII case-insensitive), or NULL. */
const PfOAuth2Provider         *pf_oauth2_lookup_provider (const char *name);

/* https, or http on a loopback address (127.0.0.0/8, ::1, "localhost")
 * for local identity providers and tests; else PF_OAUTH2_ERROR_INSECURE_URL
 * naming @what ("token URL"). */
gboolean pf_oauth2_check_url (const char  *url,
                              const char  *what,
                              GError     **error);

/* ---- one account's OAuth2 settings ------------------------------------ */

/* Endpoints, client and scope of one sign-in: a provider's entry, with any
 * field overridden per account (a company's own app registration), or all
 * given explicitly. A plain struct of owned strings; NULL fields unset. */
typedef struct
{
  char *provider;        /* the table entry it started from, or NULL */
  char *authorize_url;
  char *token_url;
  char *device_url;
  char *client_id;
  char *client_secret;
  char *scope;
} PfOAuth2Config;

/* From the table; PF_OAUTH2_ERROR_UNKNOWN_PROVIDER for an unknown name. */
PfOAuth2Config *pf_oauth2_config_new_for_provider (const char            *name,
                                                   GError               **error);
PfOAuth2Config *pf_oauth2_config_new              (void);
PfOAuth2Config *pf_oauth2_config_copy             (const PfOAuth2Config  *config);
void            pf_oauth2_config_free             (PfOAuth2Config        *config);
/* Replaces @field (a pointer into @config) with a copy of @value unless
 * @value is NULL or empty: an override. */
void            pf_oauth2_config_override         (char                 **field,
                                                   const char            *value);
/* The fields a flow or a refresh needs are set and acceptable:
 * token_url, client_id, scope, and authorize_url when @need_authorize
 * (device_url when @need_device). PF_OAUTH2_ERROR_NO_CLIENT_ID (the
 * message names the provider), PF_OAUTH2_ERROR_INSECURE_URL, or
 * PF_ERROR_INVALID_INPUT naming a missing field. */
gboolean        pf_oauth2_config_validate         (const PfOAuth2Config  *config,
                                                   gboolean               need_authorize,
                                                   gboolean               need_device,
                                                   GError               **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PfOAuth2Config, pf_oauth2_config_free)

/* ---- tokens ----------------------------------------------------------- */

/* What a token endpoint answered. Strings are wiped when freed. */
typedef struct
{
  char   *access_token;
  char   *refresh_token;   /* NULL when the answer carried none */
  gint64  expires_at;      /* g_get_real_time() microseconds; 0: not said */
  gint64  lifetime;        /* microseconds the answer said it lives; 0: not said */
  char   *scope;           /* granted scope, or NULL */
} PfOAuth2Tokens;

void            pf_oauth2_tokens_free (PfOAuth2Tokens *tokens);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PfOAuth2Tokens, pf_oauth2_tokens_free)

/* ---- the flows -------------------------------------------------------- */

/* Opens @uri in the user's browser; returns FALSE with an error when it
 * could not. */
typedef gboolean (*PfOAuth2OpenUriFunc) (const char  *uri,
                                         gpointer     user_data,
                                         GError     **error);

/* The default opener: $BROWSER when set (a colon-separated list of
 * commands; "%s" stands for the URI, else it is appended; run without a
 * shell), else g_app_info_launch_default_for_uri(). */
gboolean pf_oauth2_open_uri (const char  *uri,
                             gpointer     user_data,
                             GError     **error);

#define PF_OAUTH2_DEFAULT_TIMEOUT_SECONDS 300

/* Authorization-code flow with PKCE (RFC 7636, S256) and a loopback
 * redirect (RFC 8252 §7.3): listens on 127.0.0.1 on a free port, builds
 * the authorize URL (response_type=code, client_id, redirect_uri
 * http://127.0.0.1:PORT/, scope, state, code_challenge, login_hint when
 * @login_hint is set), hands it to @open_uri, and waits for the browser.
 * A request that does not carry the right path and state, or that comes
 * with an Origin header (a script of some web page, not the browser's
 * navigation), is answered 400 and otherwise ignored: the flow goes on
 * waiting. The right one ends the wait: its error (access_denied →
 * CONSENT_REFUSED, AADSTS65001/90094/… → ADMIN_CONSENT) or its code,
 * which is exchanged at the token endpoint with the verifier. No answer
 * within @timeout_seconds (0: the default) → PF_OAUTH2_ERROR_TIMEOUT.
 * Cancellable at any point. */
void            pf_oauth2_authorize_async  (const PfOAuth2Config  *config,
                                            const char            *login_hint,
                                            PfOAuth2OpenUriFunc    open_uri,
                                            gpointer               open_uri_data,
                                            guint                  timeout_seconds,
                                            GCancellable          *cancellable,
                                            GAsyncReadyCallback    callback,
                                            gpointer               user_data);
PfOAuth2Tokens *pf_oauth2_authorize_finish (GAsyncResult          *result,
                                            GError               **error);

/* Tells the user where to go and which code to enter (RFC 8628 §3.2);
 * @verification_uri_complete may be NULL. Called once. */
typedef void (*PfOAuth2DeviceCodeFunc) (const char *verification_uri,
                                        const char *user_code,
                                        const char *verification_uri_complete,
                                        gpointer    user_data);

/* Device authorization grant (RFC 8628): asks the device endpoint for a
 * code, shows it through @show_code, polls the token endpoint at the
 * interval the server asks (slow_down adds 5 s) until the user approved
 * (tokens), declined (CONSENT_REFUSED) or the code expired
 * (DEVICE_EXPIRED). PF_OAUTH2_ERROR_NO_DEVICE_FLOW when the config has no
 * device URL. */
void            pf_oauth2_device_authorize_async  (const PfOAuth2Config    *config,
                                                   const char              *login_hint,
                                                   PfOAuth2DeviceCodeFunc   show_code,
                                                   gpointer                 show_code_data,
                                                   GCancellable            *cancellable,
                                                   GAsyncReadyCallback      callback,
                                                   gpointer                 user_data);
PfOAuth2Tokens *pf_oauth2_device_authorize_finish (GAsyncResult            *result,
                                                   GError                 **error);

/* A new access token for @refresh_token. invalid_grant →
 * PF_OAUTH2_ERROR_SIGN_IN_AGAIN. When the answer carries no new refresh
 * token, the result's refresh_token is NULL: keep the old one. */
void            pf_oauth2_refresh_async  (const PfOAuth2Config  *config,
                                          const char            *refresh_token,
                                          GCancellable          *cancellable,
                                          GAsyncReadyCallback    callback,
                                          gpointer               user_data);
PfOAuth2Tokens *pf_oauth2_refresh_finish (GAsyncResult          *result,
                                          GError               **error);

G_END_DECLS
