/* pf-cli-saved.c — fetch NAME… and test NAME: runs of saved accounts
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <stdio.h>

#include <gio/gio.h>
#include <glib/gi18n.h>

#include "pf-cli.h"
#include "pf-cli-accounts-private.h"
#include "pf-cli-oauth2.h"
#include "pf-error.h"
#include "pf-keyring.h"

/* fetch NAME… ------------------------------------------------------------------ */

void
pf_cli_remember_mechanism (PfAccountStore  *store,
                           PfAccount       *account,
                           PfAuthMechanism  mechanism)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  pf_account_store_remember_mechanism_async (store, pf_account_get_name (account), mechanism,
                                             NULL, pf_cli_store_result, &result);
  if (!pf_account_store_remember_mechanism_finish (store, pf_cli_wait_for (&result), &error))
    fprintf (stderr, _("popfetch-cli: could not remember the sign-in method for “%s”: %s\n"),
             pf_account_get_name (account), error->message);
  else if (pf_account_get_mechanism (pf_account_store_lookup (store, pf_account_get_name (account)))
           == mechanism)
    fprintf (stderr, _("Account “%s” signs in with %s from now on: the server refused the first method.\n"),
             pf_account_get_name (account), pf_auth_mechanism_to_string (mechanism));
}

int
pf_cli_fetch_saved_accounts (const char * const *names,
                             gboolean            password_stdin,
                             const char         *password_file,
                             int                 policy_override,
                             guint               jobs,
                             gboolean            notify,
                             PfCliFetchOutput    output)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PfAccountStore) store = NULL;
  g_autoptr(GPtrArray) accounts = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) runs = g_ptr_array_new ();
  g_autoptr(GArray) run_index = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autofree PfCliFetchSettings *settings = NULL;
  g_autofree int *codes = NULL;
  int exit_code = PF_EXIT_OK;

  store = pf_cli_open_store (&error);
  if (store == NULL)
    return pf_cli_report_error (error);

  if (names != NULL && names[0] != NULL)
    {
      for (guint i = 0; names[i] != NULL; i++)
        {
          PfAccount *account = pf_cli_find_account (store, names[i], &error);

          if (account == NULL)
            return pf_cli_report_missing (error);
          g_ptr_array_add (accounts, g_object_ref (account));
        }
    }
  else
    {
      GListModel *all = pf_account_store_get_accounts (store);

      for (guint i = 0; i < g_list_model_get_n_items (all); i++)
        g_ptr_array_add (accounts, g_list_model_get_item (all, i));
      if (accounts->len == 0)
        {
          fprintf (stderr, "popfetch-cli: %s\n",
                   _("No accounts yet. Add one with “popfetch-cli add ADDRESS”, "
                     "or fetch ad hoc with --host."));
          return PF_EXIT_CONFIG;
        }
    }

  if ((password_stdin || password_file != NULL) && accounts->len != 1)
    return pf_cli_usage_error ("fetch", _("--password-stdin and --password-file need exactly one account name"));

  /* Every password first, on this thread through the keyring's async API,
   * so that a missing one is said before any connection and the runs
   * below share the main loop with nothing else. */
  settings = g_new0 (PfCliFetchSettings, accounts->len);
  codes = g_new0 (int, accounts->len);
  for (guint i = 0; i < accounts->len; i++)
    {
      PfAccount *account = g_ptr_array_index (accounts, i);
      g_autoptr(GError) local_error = NULL;
      g_autoptr(PfCredentials) credentials = NULL;

      /* OAuth2: the road's credentials refresh the token when the session
       * asks; a refused sign-in says "sign in again". */
      if (pf_account_get_auth (account) == PF_ACCOUNT_AUTH_OAUTH2)
        {
          if (password_stdin || password_file != NULL)
            {
              fprintf (stderr, _("popfetch-cli: Account “%s” signs in with OAuth2 and takes no "
                                 "password.\n"), pf_account_get_name (account));
              codes[i] = PF_EXIT_USAGE;
              continue;
            }
        }
      else
        {
          char *password = pf_cli_account_password (account, password_stdin, password_file,
                                                    &local_error);

          if (password == NULL)
            {
              codes[i] = pf_cli_report_error (local_error);
              if (g_error_matches (local_error, PF_ERROR, PF_ERROR_KEYRING_UNAVAILABLE)
                  || g_error_matches (local_error, PF_ERROR, PF_ERROR_KEYRING_LOCKED)
                  || g_error_matches (local_error, PF_ERROR, PF_ERROR_NO_PASSWORD))
                fprintf (stderr, _("  Account “%s”: give the password for this run with "
                                   "“popfetch-cli fetch %s --password-stdin”.\n"),
                         pf_account_get_name (account), pf_account_get_name (account));
              continue;
            }
          credentials = pf_credentials_new_for_password (password);
          pf_wipe_string (password);
        }

      /* NULL credentials: the account's own (OAuth2). */
      settings[i].fetcher = pf_account_create_fetcher (account, credentials, &local_error);
      if (settings[i].fetcher == NULL)
        {
          codes[i] = pf_cli_report_error (local_error);
          continue;
        }
      if (pf_account_get_auth (account) == PF_ACCOUNT_AUTH_OAUTH2)
        {
          settings[i].account = G_OBJECT (g_object_ref (account));
          settings[i].classify_error = pf_cli_oauth2_classify_error;
        }
      settings[i].label = g_strdup (pf_account_get_name (account));
      settings[i].user = g_strdup (pf_account_get_user (account));
      if (policy_override >= 0)
        pf_fetcher_set_policy (settings[i].fetcher, (PfFetchPolicy) policy_override,
                               pf_account_get_delete_after_days (account));
      g_ptr_array_add (runs, &settings[i]);
      g_array_append_val (run_index, i);
    }

  if (runs->len > 0)
    {
      g_autofree guint *fetched = g_new0 (guint, runs->len);
      g_autofree int *run_codes = g_new0 (int, runs->len);

      pf_cli_fetch_run_many ((PfCliFetchSettings **) runs->pdata, runs->len, jobs,
                             output, fetched, run_codes);
      for (guint i = 0; i < runs->len; i++)
        {
          guint index = g_array_index (run_index, guint, i);

          codes[index] = run_codes[i];
          if (codes[index] == PF_EXIT_SIGN_IN)
            fprintf (stderr, _("  Sign in again with “popfetch-cli sign-in %s”.\n"),
                     pf_account_get_name (g_ptr_array_index (accounts, index)));
          /* Once every run is done: saving the accounts file waits on
           * this thread's loop, which the runs must have to themselves. */
          if (settings[index].fell_back_to != PF_AUTH_AUTO)
            pf_cli_remember_mechanism (store, g_ptr_array_index (accounts, index),
                                       settings[index].fell_back_to);
        }
      if (notify)
        {
          g_autofree const char **labels = g_new0 (const char *, runs->len);

          for (guint i = 0; i < runs->len; i++)
            labels[i] = ((PfCliFetchSettings *) runs->pdata[i])->label;
          pf_cli_notify_new_mail (labels, fetched, runs->len);
        }
    }

  /* The first failing account's status, in account order. */
  for (guint i = 0; i < accounts->len && exit_code == PF_EXIT_OK; i++)
    exit_code = codes[i];

  for (guint i = 0; i < accounts->len; i++)
    pf_cli_fetch_settings_clear (&settings[i]);
  return exit_code;
}

/* test NAME ---------------------------------------------------------------- */

int
pf_cli_saved_login_test (const char     *name,
                         gboolean        password_stdin,
                         const char     *password_file,
                         PfLoginTest   **test,
                         PfCredentials **credentials,
                         PfAccount     **saved,
                         char          **host,
                         gint           *port,
                         PfSecurity     *security,
                         GError        **error)
{
  g_autoptr(PfAccountStore) store = NULL;
  g_autoptr(PfLoginTest) login_test = NULL;
  PfAccount *account;
  char *secret;

  g_return_val_if_fail (name != NULL, PF_EXIT_SOFTWARE);

  store = pf_cli_open_store (error);
  if (store == NULL)
    return pf_cli_report_error (*error);
  account = pf_cli_find_account (store, name, error);
  if (account == NULL)
    return pf_cli_report_missing (*error);

  login_test = pf_account_create_login_test (account, error);
  if (login_test == NULL)
    return pf_cli_report_error (*error);

  if (pf_account_get_auth (account) == PF_ACCOUNT_AUTH_OAUTH2)
    {
      if (password_stdin || password_file != NULL)
        return pf_cli_usage_error ("test", _("This account signs in with OAuth2 and takes no password."));
      *credentials = pf_account_create_credentials (account, error);
      if (*credentials == NULL)
        return pf_cli_report_error (*error);
    }
  else
    {
      secret = pf_cli_account_password (account, password_stdin, password_file, error);
      if (secret == NULL)
        {
          int status = pf_cli_report_error (*error);

          fprintf (stderr, _("  Give the password for this run with “popfetch-cli test %s --password-stdin”.\n"),
                   name);
          return status;
        }
      *credentials = pf_credentials_new_for_password (secret);
      pf_wipe_string (secret);
    }

  *test = g_steal_pointer (&login_test);
  *saved = g_object_ref (account);
  *host = g_strdup (pf_account_get_host (account));
  *port = (gint) pf_account_get_port (account);
  *security = pf_account_get_security (account);
  return PF_EXIT_OK;
}
