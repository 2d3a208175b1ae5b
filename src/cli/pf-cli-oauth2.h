/* pf-cli-oauth2.h — OAuth2 sign-in from popfetch-cli
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "pf-account-store.h"
#include "pf-goa.h"
#include "pf-oauth2.h"

G_BEGIN_DECLS

/* The OAuth2 options of `add` (and `sign-in`). */
typedef struct
{
  gboolean  oauth2;        /* --oauth2 */
  char     *provider;
  char     *authorize_url;
  char     *token_url;
  char     *device_url;
  char     *client_id;
  char     *scope;
  gboolean  device_code;
  int       timeout;       /* seconds for the browser; 0: the default */
} PfCliOAuth2Options;

void            pf_cli_oauth2_options_clear (PfCliOAuth2Options *o);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (PfCliOAuth2Options, pf_cli_oauth2_options_clear)

/* The settings of a sign-in, which `edit` changes too. */
#define PF_CLI_OAUTH2_SETTING_ENTRIES(o) \
  { "oauth2-provider", 0, 0, G_OPTION_ARG_STRING, &(o).provider, N_("OAuth2 provider: microsoft, google, yahoo, aol or fastmail (default: known from the address)"), N_("NAME") }, \
  { "oauth2-authorize-url", 0, 0, G_OPTION_ARG_STRING, &(o).authorize_url, N_("Authorization endpoint of your own app registration"), N_("URL") }, \
  { "oauth2-token-url", 0, 0, G_OPTION_ARG_STRING, &(o).token_url, N_("Token endpoint of your own app registration"), N_("URL") }, \
  { "oauth2-device-url", 0, 0, G_OPTION_ARG_STRING, &(o).device_url, N_("Device authorization endpoint of your own app registration"), N_("URL") }, \
  { "oauth2-client-id", 0, 0, G_OPTION_ARG_STRING, &(o).client_id, N_("Client id of your own app registration"), N_("ID") }, \
  { "oauth2-scope", 0, 0, G_OPTION_ARG_STRING, &(o).scope, N_("Scope to ask for (default: the provider's POP scope)"), N_("SCOPE") }

#define PF_CLI_OAUTH2_ENTRIES(o) \
  { "oauth2", 0, 0, G_OPTION_ARG_NONE, &(o).oauth2, N_("Sign in with OAuth2 in a browser instead of a password"), NULL }, \
  PF_CLI_OAUTH2_SETTING_ENTRIES (o), \
  { "device-code", 0, 0, G_OPTION_ARG_NONE, &(o).device_code, N_("Sign in on another device with a code, without a browser here"), NULL }, \
  { "sign-in-timeout", 0, 0, G_OPTION_ARG_INT, &(o).timeout, N_("Seconds to wait for the browser (default 300)"), N_("SECONDS") }

/* Any OAuth2 option besides --oauth2 given. */
gboolean        pf_cli_oauth2_options_given (const PfCliOAuth2Options *o);
/* auth=oauth2 and the source or endpoints from @o; with neither, the
 * provider table's entry for the address or server. */
gboolean        pf_cli_oauth2_apply         (PfAccount                *account,
                                             const PfCliOAuth2Options *o,
                                             GError                  **error);
/* The browser flow (or the device flow with --device-code) for @account;
 * fails when no refresh token comes back. */
PfOAuth2Tokens *pf_cli_oauth2_sign_in       (PfAccount                *account,
                                             const PfCliOAuth2Options *o,
                                             GError                  **error);
/* Credentials seeded with @tokens, for the login test before saving. */
PfCredentials  *pf_cli_oauth2_credentials   (PfAccount                *account,
                                             const PfOAuth2Tokens     *tokens,
                                             GError                  **error);
/* The OAuth2 settings given in @o onto an auth=oauth2 account being
 * edited (an empty value unsets one); pf_account_validate() checks the
 * result. */
gboolean        pf_cli_oauth2_edit          (PfAccount                *account,
                                             const PfCliOAuth2Options *o,
                                             GError                  **error);
/* The refresh token into the keyring. */
gboolean        pf_cli_oauth2_store         (PfAccount                *account,
                                             const PfOAuth2Tokens     *tokens,
                                             GError                  **error);
/* For PfCliFetchSettings.classify_error. */
GError         *pf_cli_oauth2_classify_error (GObject                 *account,
                                              const GError            *error);

/* The rest of `add --oauth2` (pf-cli-oauth2.c): sign in, test the login
 * with the new token unless @skip_test, save the account, keep the
 * refresh token in the keyring. Returns the exit code, errors reported. */
int             pf_cli_oauth2_add           (PfAccountStore           *store,
                                             PfAccount                *account,
                                             const PfCliOAuth2Options *o,
                                             gboolean                  skip_test);
/* The GNOME Online Accounts account of @address, or NULL with a message
 * that says why not. */
PfGoaAccount   *pf_cli_goa_find_account     (const char               *address,
                                             GError                  **error);
/* The rest of `add --goa`: GNOME Online Accounts keeps the sign-in;
 * nothing goes to the keyring. */
int             pf_cli_goa_add              (PfAccountStore           *store,
                                             PfAccount                *account,
                                             gboolean                  skip_test);

/* popfetch-cli sign-in NAME */
int             pf_cli_run_sign_in          (int                       argc,
                                             char                    **argv);

G_END_DECLS
