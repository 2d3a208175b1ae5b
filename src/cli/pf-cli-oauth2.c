/* pf-cli-oauth2.c — OAuth2 sign-in from popfetch-cli: add --oauth2, add --goa, sign-in
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <stdio.h>
#include <string.h>

#include <gio/gio.h>
#include <glib/gi18n.h>

#include "pf-cli.h"
#include "pf-cli-accounts-private.h"
#include "pf-cli-oauth2.h"
#include "pf-error.h"
#include "pf-goa.h"
#include "pf-oauth2-credentials.h"

void
pf_cli_oauth2_options_clear (PfCliOAuth2Options *o)
{
  g_clear_pointer (&o->provider, g_free);
  g_clear_pointer (&o->authorize_url, g_free);
  g_clear_pointer (&o->token_url, g_free);
  g_clear_pointer (&o->device_url, g_free);
  g_clear_pointer (&o->client_id, g_free);
  g_clear_pointer (&o->scope, g_free);
}

gboolean
pf_cli_oauth2_options_given (const PfCliOAuth2Options *o)
{
  return o->provider != NULL || o->authorize_url != NULL || o->token_url != NULL ||
         o->device_url != NULL || o->client_id != NULL || o->scope != NULL || o->device_code;
}

gboolean
pf_cli_oauth2_apply (PfAccount                *account,
                     const PfCliOAuth2Options *o,
                     GError                  **error)
{
  if (o->timeout < 0 || o->timeout > 3600)
    {
      g_set_error_literal (error, PF_ERROR, PF_ERROR_INVALID_INPUT,
                           _("--sign-in-timeout must be between 1 and 3600 seconds"));
      return FALSE;
    }
  pf_account_set_auth (account, PF_ACCOUNT_AUTH_OAUTH2);
  if (o->provider != NULL)
    {
      if (pf_oauth2_lookup_provider (o->provider) == NULL)
        {
          g_set_error (error, PF_OAUTH2_ERROR, PF_OAUTH2_ERROR_UNKNOWN_PROVIDER,
                       _("Popfetch knows no OAuth2 provider named “%s”; known are microsoft, "
                         "google, yahoo, aol and fastmail."), o->provider);
          return FALSE;
        }
      pf_account_set_oauth2_source (account, o->provider);
    }
  pf_account_set_oauth2_authorize_url (account, o->authorize_url);
  pf_account_set_oauth2_token_url (account, o->token_url);
  pf_account_set_oauth2_device_url (account, o->device_url);
  pf_account_set_oauth2_client_id (account, o->client_id);
  pf_account_set_oauth2_scope (account, o->scope);

  /* Neither a provider nor endpoints: the provider table knows the
   * domain's or the server's OAuth2 provider (Outlook.com → microsoft). */
  if (pf_account_get_oauth2_source (account) == NULL && o->token_url == NULL)
    {
      g_autoptr(PfProvider) known = pf_provider_for_login (pf_account_get_host (account),
                                                           pf_account_get_address (account));
      const char *name = known != NULL ? pf_provider_get_oauth2 (known) : NULL;

      if (name == NULL || pf_oauth2_lookup_provider (name) == NULL)
        {
          g_set_error (error, PF_ERROR, PF_ERROR_INVALID_INPUT,
                       _("Popfetch does not know the OAuth2 provider of %s: name it with "
                         "--oauth2-provider, or give --oauth2-authorize-url, --oauth2-token-url, "
                         "--oauth2-client-id and --oauth2-scope."),
                       pf_account_get_address (account));
          return FALSE;
        }
      pf_account_set_oauth2_source (account, name);
    }
  return TRUE;
}

/* An empty value unsets the field: back to the provider's, or none. */
static const char *
given_or_unset (const char *value)
{
  return value != NULL && *value == '\0' ? NULL : value;
}

gboolean
pf_cli_oauth2_edit (PfAccount                *account,
                    const PfCliOAuth2Options *o,
                    GError                  **error)
{
  if (o->provider != NULL)
    {
      const char *provider = given_or_unset (o->provider);

      if (provider != NULL && pf_oauth2_lookup_provider (provider) == NULL)
        {
          g_set_error (error, PF_OAUTH2_ERROR, PF_OAUTH2_ERROR_UNKNOWN_PROVIDER,
                       _("Popfetch knows no OAuth2 provider named “%s”; known are microsoft, "
                         "google, yahoo, aol and fastmail."), provider);
          return FALSE;
        }
      pf_account_set_oauth2_source (account, provider);
    }
  if (o->authorize_url != NULL)
    pf_account_set_oauth2_authorize_url (account, given_or_unset (o->authorize_url));
  if (o->token_url != NULL)
    pf_account_set_oauth2_token_url (account, given_or_unset (o->token_url));
  if (o->device_url != NULL)
    pf_account_set_oauth2_device_url (account, given_or_unset (o->device_url));
  if (o->client_id != NULL)
    pf_account_set_oauth2_client_id (account, given_or_unset (o->client_id));
  if (o->scope != NULL)
    pf_account_set_oauth2_scope (account, given_or_unset (o->scope));
  return TRUE;
}

static gboolean
open_in_browser (const char  *uri,
                 gpointer     user_data,
                 GError     **error)
{
  printf ("%s\n  %s\n", _("Sign in with your browser. If it does not open, visit:"), uri);
  fflush (stdout);
  return pf_oauth2_open_uri (uri, NULL, error);
}

static void
show_device_code (const char *verification_uri,
                  const char *user_code,
                  const char *verification_uri_complete,
                  gpointer    user_data)
{
  printf (_("To sign in, visit %s and enter the code %s\n"), verification_uri, user_code);
  printf ("%s\n", _("Waiting for the sign-in…"));
  fflush (stdout);
}

PfOAuth2Tokens *
pf_cli_oauth2_sign_in (PfAccount                *account,
                       const PfCliOAuth2Options *o,
                       GError                  **error)
{
  g_autoptr(PfOAuth2Config) config = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  PfOAuth2Tokens *tokens;

  config = pf_account_dup_oauth2_config (account, error);
  if (config == NULL)
    return NULL;

  if (o->device_code)
    {
      pf_oauth2_device_authorize_async (config, pf_account_get_user (account), show_device_code,
                                        NULL, NULL, pf_cli_store_result, &result);
      tokens = pf_oauth2_device_authorize_finish (pf_cli_wait_for (&result), error);
    }
  else
    {
      pf_oauth2_authorize_async (config, pf_account_get_user (account), open_in_browser, NULL,
                                 o->timeout > 0 ? (guint) o->timeout : 0, NULL,
                                 pf_cli_store_result, &result);
      tokens = pf_oauth2_authorize_finish (pf_cli_wait_for (&result), error);
    }
  if (tokens == NULL)
    return NULL;
  if (tokens->refresh_token == NULL)
    {
      pf_oauth2_tokens_free (tokens);
      g_set_error_literal (error, PF_OAUTH2_ERROR, PF_OAUTH2_ERROR_PROVIDER,
                           _("The provider signed you in but gave no refresh token, so Popfetch "
                             "could not fetch again later; the scope must ask for offline access "
                             "(Microsoft: offline_access)."));
      return NULL;
    }
  printf ("%s\n", _("Signed in."));
  return tokens;
}

PfCredentials *
pf_cli_oauth2_credentials (PfAccount            *account,
                           const PfOAuth2Tokens *tokens,
                           GError              **error)
{
  g_autoptr(PfOAuth2Config) config = pf_account_dup_oauth2_config (account, error);
  PfOAuth2Credentials *credentials;

  if (config == NULL)
    return NULL;
  credentials = pf_oauth2_credentials_new (config, pf_account_get_name (account),
                                           pf_account_get_user (account));
  pf_oauth2_credentials_set_tokens (credentials, tokens);
  return PF_CREDENTIALS (credentials);
}

gboolean
pf_cli_oauth2_store (PfAccount             *account,
                     const PfOAuth2Tokens  *tokens,
                     GError               **error)
{
  g_autoptr(PfOAuth2Config) config = pf_account_dup_oauth2_config (account, error);
  g_autoptr(GAsyncResult) result = NULL;

  if (config == NULL)
    return FALSE;
  pf_oauth2_keyring_store_async (pf_account_get_name (account), config,
                                 pf_account_get_user (account), tokens->refresh_token, NULL,
                                 pf_cli_store_result, &result);
  return pf_oauth2_keyring_store_finish (pf_cli_wait_for (&result), error);
}

GError *
pf_cli_oauth2_classify_error (GObject      *account,
                              const GError *error)
{
  return pf_account_classify_error (PF_ACCOUNT (account), error);
}

/* add --oauth2, add --goa ------------------------------------------------ */

int
pf_cli_oauth2_add (PfAccountStore           *store,
                   PfAccount                *account,
                   const PfCliOAuth2Options *o,
                   gboolean                  skip_test)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PfOAuth2Tokens) tokens = NULL;
  g_autoptr(PfCredentials) credentials = NULL;
  int status;

  tokens = pf_cli_oauth2_sign_in (account, o, &error);
  if (tokens == NULL)
    {
      status = pf_cli_report_error (error);

      fprintf (stderr, "%s\n", _("Nothing was saved."));
      return status;
    }
  credentials = pf_cli_oauth2_credentials (account, tokens, &error);
  if (credentials == NULL)
    return pf_cli_report_error (error);

  /* The user name is the one the token is for: no other form. */
  status = pf_cli_test_and_save (store, account, TRUE, skip_test ? NULL : credentials);
  if (status != PF_EXIT_OK)
    return status;

  if (!pf_cli_oauth2_store (account, tokens, &error))
    {
      status = pf_cli_report_error (error);

      fprintf (stderr, _("The account is saved, but its sign-in is not. Run “popfetch-cli "
                         "sign-in %s” once the keyring works.\n"), pf_account_get_name (account));
      return status;
    }
  printf ("%s\n", _("The sign-in is in the keyring."));
  return PF_EXIT_OK;
}

PfGoaAccount *
pf_cli_goa_find_account (const char  *address,
                         GError     **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GPtrArray) accounts = NULL;
  PfGoaAccount *found;

  pf_goa_list_mail_accounts_async (NULL, pf_cli_store_result, &result);
  accounts = pf_goa_list_mail_accounts_finish (pf_cli_wait_for (&result), error);
  if (accounts == NULL)
    return NULL;
  found = pf_goa_find_by_address (accounts, address);
  if (found == NULL)
    {
      g_autofree char *why = pf_goa_explain_missing (accounts, address);

      g_set_error_literal (error, PF_ERROR, PF_ERROR_CONFIG, why);
      return NULL;
    }
  return pf_goa_account_copy (found);
}

int
pf_cli_goa_add (PfAccountStore *store,
                PfAccount      *account,
                gboolean        skip_test)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PfCredentials) credentials = NULL;
  int status;

  if (!skip_test)
    {
      credentials = pf_account_create_credentials (account, &error);
      if (credentials == NULL)
        return pf_cli_report_error (error);
    }
  /* The user name is the one GOA's token is for: no other form. */
  status = pf_cli_test_and_save (store, account, TRUE, credentials);
  if (status != PF_EXIT_OK)
    return status;
  printf ("%s\n", _("It signs in through GNOME Online Accounts, which keeps the sign-in."));
  return PF_EXIT_OK;
}

/* sign-in NAME ------------------------------------------------------------ */

int
pf_cli_run_sign_in (int    argc,
                    char **argv)
{
  g_auto(PfCliOAuth2Options) o = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(PfAccountStore) store = NULL;
  g_autoptr(PfOAuth2Tokens) tokens = NULL;
  PfAccount *account;
  int status;

  {
    GOptionEntry entries[] = {
      { "device-code", 0, 0, G_OPTION_ARG_NONE, &o.device_code, N_("Sign in on another device with a code, without a browser here"), NULL },
      { "sign-in-timeout", 0, 0, G_OPTION_ARG_INT, &o.timeout, N_("Seconds to wait for the browser (default 300)"), N_("SECONDS") },
      { NULL }
    };

    if (!pf_cli_parse_options (_("NAME"), _("Sign in again to an account that signs in with OAuth2, "
                                            "and keep the new sign-in in the keyring."),
                               entries, &argc, &argv, &error))
      return pf_cli_usage_error ("sign-in", error->message);
  }
  if (argc != 2)
    return pf_cli_usage_error ("sign-in", _("sign-in takes one saved account name."));

  status = pf_cli_open_account (argv[1], &store, &account);
  if (status != PF_EXIT_OK)
    return status;
  if (pf_account_get_auth (account) != PF_ACCOUNT_AUTH_OAUTH2)
    {
      fprintf (stderr, _("popfetch-cli: Account “%s” signs in with a password; use "
                         "“popfetch-cli set-password %s”.\n"),
               pf_account_get_name (account), pf_account_get_name (account));
      return PF_EXIT_USAGE;
    }

  tokens = pf_cli_oauth2_sign_in (account, &o, &error);
  if (tokens == NULL || !pf_cli_oauth2_store (account, tokens, &error))
    return pf_cli_report_error (error);
  printf ("%s\n", _("The new sign-in is in the keyring."));
  return PF_EXIT_OK;
}
