/* pf-cli-server.c — popfetch-cli server, fetch --uid, delete-on-server:
 * the mail left on the server
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <stdio.h>
#include <unistd.h>

#include <glib/gi18n.h>

#include "pf-cli.h"
#include "pf-error.h"
#include "pf-journal.h"
#include "pf-keyring.h"
#include "pf-paths.h"

/* The saved account's fetcher for one run: its password from the keyring,
 * or from stdin or a file for this run; a relative CA file made absolute
 * (GLib reads only those). The error is reported here. */
static int
account_fetcher (PfAccount   *account,
                 gboolean     password_stdin,
                 const char  *password_file,
                 PfFetcher  **fetcher)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PfCredentials) credentials = NULL;
  PfServerSettings *server;
  char *password;

  if (password_stdin && password_file != NULL)
    return pf_cli_usage_error (NULL, _("Give the password with one of --password-file and --password-stdin."));
  password = pf_cli_account_password (account, password_stdin, password_file, &error);
  if (password == NULL)
    return pf_cli_report_error (error);
  credentials = pf_credentials_new_for_password (password);
  pf_wipe_string (password);

  *fetcher = pf_account_create_fetcher (account, credentials, &error);
  if (*fetcher == NULL)
    return pf_cli_report_error (error);
  server = pf_fetcher_get_settings (*fetcher);
  if (pf_server_settings_get_ca_file (server) != NULL)
    {
      g_autofree char *ca_path = pf_cli_absolute_path (pf_server_settings_get_ca_file (server));

      pf_server_settings_set_ca_file (server, ca_path);
    }
  return PF_EXIT_OK;
}

static int
run_fetcher (PfFetcher      *fetcher,
             PfFetchResult **result)
{
  g_autoptr(GError) error = NULL;
  GAsyncResult *slot = NULL;

  pf_fetcher_run_async (fetcher, NULL, pf_cli_store_result, &slot);
  *result = pf_fetcher_run_finish (fetcher, pf_cli_wait_for (&slot), &error);
  g_clear_object (&slot);
  if (*result == NULL)
    return pf_cli_report_error (error);
  return PF_EXIT_OK;
}

/* The view a saved account's fetches left (no connection). */
static PfServerView *
load_stored_view (PfAccount  *account,
                  GError    **error)
{
  g_autofree char *state_dir = pf_paths_state_dir ();
  g_autofree char *key = pf_journal_saved_account_key (pf_account_get_name (account));
  g_autofree char *path = pf_server_view_build_path (state_dir, key);

  return pf_server_view_load (path, error);
}

/* ------------------------------------------------------------------ */
/* popfetch-cli server                                                  */

static void
append_view_json (GString            *out,
                  const char         *account,
                  const PfServerView *view)
{
  GPtrArray *over = pf_server_view_get_over_limit (view);
  PfQuotaSource source = pf_server_view_get_quota_source (view);

  g_string_append (out, "{\"account\":");
  pf_cli_json_string (out, account);
  g_string_append_printf (out,
                          ",\"updated\":%" G_GINT64_FORMAT ",\"messages\":%u,\"size\":%" G_GUINT64_FORMAT
                          ",\"here\":%u,\"size_limit\":%" G_GUINT64_FORMAT ",\"no_uidl\":%s"
                          ",\"over_limit\":[",
                          pf_server_view_get_updated (view), pf_server_view_get_n_messages (view),
                          pf_server_view_get_total_size (view), pf_server_view_get_n_here (view),
                          pf_server_view_get_size_limit (view),
                          pf_server_view_get_no_uidl (view) ? "true" : "false");
  for (guint i = 0; i < over->len; i++)
    {
      const PfServerMessage *message = g_ptr_array_index (over, i);

      g_string_append (out, i > 0 ? ",{\"uid\":" : "{\"uid\":");
      pf_cli_json_string (out, message->uid);
      g_string_append_printf (out, ",\"size\":%" G_GUINT64_FORMAT ",\"from\":", message->size);
      pf_cli_json_string (out, message->from);
      g_string_append (out, ",\"subject\":");
      pf_cli_json_string (out, message->subject);
      g_string_append (out, ",\"date\":");
      pf_cli_json_string (out, message->date);
      if (message->date_unix != 0)
        g_string_append_printf (out, ",\"date_unix\":%" G_GINT64_FORMAT "}", message->date_unix);
      else
        g_string_append (out, ",\"date_unix\":null}");
    }
  g_string_append (out, "],\"quota\":");
  if (source == PF_QUOTA_SOURCE_NONE)
    g_string_append (out, "null");
  else
    {
      g_string_append (out, "{\"source\":");
      pf_cli_json_string (out, source == PF_QUOTA_SOURCE_SERVER ? "server" : "provider");
      if (pf_server_view_get_quota (view) > 0)
        g_string_append_printf (out, ",\"bytes\":%" G_GUINT64_FORMAT, pf_server_view_get_quota (view));
      else
        g_string_append (out, ",\"bytes\":null");
      g_string_append (out, ",\"text\":");
      pf_cli_json_string (out, pf_server_view_get_quota_text (view));
      g_string_append (out, "}");
    }
  g_string_append_printf (out, ",\"near_quota\":%s}",
                          pf_server_view_is_near_quota (view) ? "true" : "false");
}

static void
print_view (const char         *account,
            const PfServerView *view)
{
  GPtrArray *over = pf_server_view_get_over_limit (view);
  g_autofree char *total = g_format_size (pf_server_view_get_total_size (view));
  g_autoptr(GDateTime) updated = g_date_time_new_from_unix_local (pf_server_view_get_updated (view));
  g_autofree char *when = updated != NULL ? g_date_time_format (updated, "%c") : g_strdup ("-");

  /* TRANSLATORS: "On the server: 1204 messages, 1.3 GB; 1201 of them here." */
  printf (g_dngettext (GETTEXT_PACKAGE,
                       "%s: on the server: %u message, %s; %u of them here.\n",
                       "%s: on the server: %u messages, %s; %u of them here.\n",
                       pf_server_view_get_n_messages (view)),
          account, pf_server_view_get_n_messages (view), total, pf_server_view_get_n_here (view));
  printf (_("  As seen %s.\n"), when);
  if (pf_server_view_get_no_uidl (view))
    printf ("  %s\n", _("The server cannot name its messages (no UIDL): messages cannot be fetched or deleted one by one."));

  if (pf_server_view_is_near_quota (view))
    {
      guint64 quota = pf_server_view_get_quota (view);

      if (pf_server_view_get_quota_source (view) == PF_QUOTA_SOURCE_SERVER)
        printf (_("  The mailbox is near its quota; the server says: %s\n"),
                pf_server_view_get_quota_text (view));
      else
        {
          g_autofree char *limit = g_format_size (quota);

          printf (_("  The mailbox is near its quota: %s of the provider’s %s limit are used. "
                    "Delete mail on the server, or let Popfetch delete what it has fetched.\n"),
                  total, limit);
        }
    }

  if (over->len == 0)
    {
      if (pf_server_view_get_size_limit (view) > 0)
        printf ("  %s\n", _("No message is over your size limit."));
      return;
    }

  {
    g_autofree char *limit = g_format_size (pf_server_view_get_size_limit (view));

    printf (g_dngettext (GETTEXT_PACKAGE,
                         "  %u message is over your size limit (%s) and stays on the server:\n",
                         "  %u messages are over your size limit (%s) and stay on the server:\n",
                         over->len),
            over->len, limit);
  }
  for (guint i = 0; i < over->len; i++)
    {
      const PfServerMessage *message = g_ptr_array_index (over, i);
      g_autofree char *size = g_format_size (message->size);

      printf ("    %s  %s\n", message->uid != NULL ? message->uid : "-", size);
      if (message->from != NULL)
        printf (_("      From: %s\n"), message->from);
      if (message->subject != NULL)
        printf (_("      Subject: %s\n"), message->subject);
      if (message->date != NULL)
        printf (_("      Date: %s\n"), message->date);
    }
  if (over->len > 0 && !pf_server_view_get_no_uidl (view))
    {
      printf ("  %s\n", _("Fetch one anyway with “popfetch-cli fetch NAME --uid UID”, or delete it "
                          "with “popfetch-cli delete-on-server NAME --uid UID”."));
    }
}

int
pf_cli_server (int    argc,
               char **argv)
{
  gboolean json = FALSE, cached = FALSE, password_stdin = FALSE;
  g_autofree char *password_file = NULL;
  GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print JSON"), NULL },
    { "cached", 0, 0, G_OPTION_ARG_NONE, &cached, N_("Show what the last fetch saw, without connecting"), NULL },
    { "password-file", 0, 0, G_OPTION_ARG_FILENAME, &password_file, N_("Read the password from the first line of FILE"), N_("FILE") },
    { "password-stdin", 0, 0, G_OPTION_ARG_NONE, &password_stdin, N_("Read the password from the first line of standard input"), NULL },
    { NULL }
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(PfAccountStore) store = NULL;
  g_autoptr(PfServerView) view = NULL;
  PfAccount *account;
  int exit_code;

  if (!pf_cli_parse_options (_("NAME"),
                             _("Show what is on the server: how many messages, how many are here, "
                               "and the messages over the size limit."),
                             entries, &argc, &argv, &error))
    return pf_cli_usage_error ("server", error->message);
  if (argc != 2)
    return pf_cli_usage_error ("server", _("server takes one account name"));

  exit_code = pf_cli_open_account (argv[1], &store, &account);
  if (exit_code != PF_EXIT_OK)
    return exit_code;

  if (cached)
    {
      view = load_stored_view (account, &error);
      if (view == NULL && g_error_matches (error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        {
          fprintf (stderr, _("popfetch-cli server: nothing is known about the server of “%s” yet; "
                             "run it without --cached.\n"), pf_account_get_name (account));
          return PF_EXIT_UNAVAILABLE;
        }
      if (view == NULL)
        return pf_cli_report_error (error);
    }
  else
    {
      g_autoptr(PfFetcher) fetcher = NULL;
      g_autoptr(PfFetchResult) result = NULL;

      exit_code = account_fetcher (account, password_stdin, password_file, &fetcher);
      if (exit_code != PF_EXIT_OK)
        return exit_code;
      pf_fetcher_set_target (fetcher, PF_FETCH_TARGET_SURVEY, NULL);
      exit_code = run_fetcher (fetcher, &result);
      if (exit_code != PF_EXIT_OK)
        return exit_code;
      view = pf_server_view_ref (result->server_view);
    }

  if (json)
    {
      g_autoptr(GString) out = g_string_new (NULL);

      append_view_json (out, pf_account_get_name (account), view);
      g_string_append_c (out, '\n');
      fputs (out->str, stdout);
    }
  else
    print_view (pf_account_get_name (account), view);
  return PF_EXIT_OK;
}

/* ------------------------------------------------------------------ */
/* popfetch-cli fetch NAME --uid UID                                    */

int
pf_cli_fetch_one (PfCliFetchOptions *options)
{
  g_autoptr(PfAccountStore) store = NULL;
  PfCliFetchSettings settings = { 0 };
  PfAccount *account;
  int exit_code;

  if (pf_cli_fetch_options_ad_hoc (options) || options->names == NULL
      || options->names[0] == NULL || options->names[1] != NULL)
    return pf_cli_usage_error ("fetch", _("--uid needs exactly one saved account name."));
  if (options->keep || options->delete)
    return pf_cli_usage_error ("fetch", _("--uid fetches by the account’s own policy; leave out --keep and --delete."));

  exit_code = pf_cli_open_account (options->names[0], &store, &account);
  if (exit_code != PF_EXIT_OK)
    return exit_code;
  exit_code = account_fetcher (account, options->password_stdin, options->password_file,
                               &settings.fetcher);
  if (exit_code != PF_EXIT_OK)
    return exit_code;
  pf_fetcher_set_target (settings.fetcher, PF_FETCH_TARGET_ONE, options->uid);
  settings.label = g_strdup (pf_account_get_name (account));
  settings.user = g_strdup (pf_account_get_user (account));
  exit_code = pf_cli_fetch_run (&settings, pf_cli_fetch_options_output (options));
  pf_cli_fetch_settings_clear (&settings);
  return exit_code;
}

/* ------------------------------------------------------------------ */
/* popfetch-cli delete-on-server NAME --uid UID                         */

int
pf_cli_delete_on_server (int    argc,
                         char **argv)
{
  gboolean json = FALSE, yes = FALSE, password_stdin = FALSE;
  g_autofree char *password_file = NULL;
  g_autofree char *uid = NULL;
  GOptionEntry entries[] = {
    { "uid", 0, 0, G_OPTION_ARG_STRING, &uid, N_("The unique-id of the message to delete (as “popfetch-cli server” lists it)"), N_("UID") },
    { "yes", 'y', 0, G_OPTION_ARG_NONE, &yes, N_("Do not ask for confirmation"), NULL },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print JSON"), NULL },
    { "password-file", 0, 0, G_OPTION_ARG_FILENAME, &password_file, N_("Read the password from the first line of FILE"), N_("FILE") },
    { "password-stdin", 0, 0, G_OPTION_ARG_NONE, &password_stdin, N_("Read the password from the first line of standard input"), NULL },
    { NULL }
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(PfAccountStore) store = NULL;
  g_autoptr(PfFetcher) fetcher = NULL;
  g_autoptr(PfFetchResult) result = NULL;
  PfAccount *account;
  int exit_code;

  if (!pf_cli_parse_options (_("NAME --uid UID"),
                             _("Delete one message from the server, and only that one."),
                             entries, &argc, &argv, &error))
    return pf_cli_usage_error ("delete-on-server", error->message);
  if (argc != 2)
    return pf_cli_usage_error ("delete-on-server", _("delete-on-server takes one account name"));
  if (uid == NULL || *uid == '\0')
    return pf_cli_usage_error ("delete-on-server", _("Name the message with --uid UID."));

  exit_code = pf_cli_open_account (argv[1], &store, &account);
  if (exit_code != PF_EXIT_OK)
    return exit_code;

  if (!yes)
    {
      g_autoptr(PfServerView) view = load_stored_view (account, NULL);
      const PfServerMessage *known = view != NULL ? pf_server_view_find (view, uid) : NULL;
      g_autofree char *question = NULL;

      if (known != NULL && known->subject != NULL)
        question = g_strdup_printf (_("Delete the message “%s” (%s) from the server of “%s”? "
                                      "It cannot be undone."),
                                    known->subject, uid, pf_account_get_name (account));
      else
        question = g_strdup_printf (_("Delete the message %s from the server of “%s”? "
                                      "It cannot be undone."),
                                    uid, pf_account_get_name (account));
      if (!isatty (STDIN_FILENO) || !pf_cli_confirm (question))
        {
          fprintf (stderr, "%s\n", _("Nothing was deleted (use --yes to delete without asking)."));
          return PF_EXIT_USAGE;
        }
    }

  exit_code = account_fetcher (account, password_stdin, password_file, &fetcher);
  if (exit_code != PF_EXIT_OK)
    return exit_code;
  pf_fetcher_set_target (fetcher, PF_FETCH_TARGET_DELETE_ONE, uid);
  exit_code = run_fetcher (fetcher, &result);
  if (exit_code != PF_EXIT_OK)
    return exit_code;

  if (json)
    {
      g_autoptr(GString) out = g_string_new ("{\"account\":");

      pf_cli_json_string (out, pf_account_get_name (account));
      g_string_append (out, ",\"uid\":");
      pf_cli_json_string (out, uid);
      g_string_append_printf (out, ",\"deleted\":%s,\"server\":", result->deleted > 0 ? "true" : "false");
      append_view_json (out, pf_account_get_name (account), result->server_view);
      g_string_append (out, "}\n");
      fputs (out->str, stdout);
    }
  else
    printf (_("%s: the message %s was deleted from the server.\n"), pf_account_get_name (account), uid);
  return PF_EXIT_OK;
}
