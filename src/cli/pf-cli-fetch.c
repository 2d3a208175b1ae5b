/* pf-cli-fetch.c — popfetch-cli fetch
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <malloc.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <glib-unix.h>
#include <glib/gi18n.h>

#include "pf-cli-fetch.h"
#include "pf-error.h"
#include "pf-fetcher.h"

void
pf_cli_fetch_settings_clear (PfCliFetchSettings *settings)
{
  g_clear_pointer (&settings->label, g_free);
  g_clear_pointer (&settings->user, g_free);
  g_clear_object (&settings->fetcher);
}

typedef struct
{
  GMainLoop      *loop;
  PfFetcher      *fetcher;
  PfFetchResult  *result;
  GError         *error;
  gboolean        progress;
  gint64          last_draw;
  gboolean        drawn;
} FetchRun;

static char *
format_bytes (guint64 bytes)
{
  return g_format_size_full (bytes, G_FORMAT_SIZE_DEFAULT);
}

static void
draw_progress (FetchRun *run,
               gboolean  force)
{
  PfFetcher *fetcher = run->fetcher;
  gint64 now = g_get_monotonic_time ();
  guint total = pf_fetcher_get_messages_total (fetcher);
  guint64 bytes_total = pf_fetcher_get_bytes_total (fetcher);
  guint64 bytes_done = MIN (pf_fetcher_get_bytes_done (fetcher), bytes_total);
  g_autofree char *done_text = NULL;
  g_autofree char *total_text = NULL;
  g_autofree char *rate_text = NULL;
  char bar[31];
  guint filled;

  if (!run->progress || pf_fetcher_get_phase (fetcher) != PF_FETCH_PHASE_FETCHING || total == 0)
    return;
  if (!force && now - run->last_draw < 100 * 1000)
    return;
  run->last_draw = now;

  filled = bytes_total > 0 ? (guint) (30 * bytes_done / bytes_total) : 0;
  memset (bar, '#', filled);
  memset (bar + filled, '-', 30 - filled);
  bar[30] = '\0';
  done_text = format_bytes (bytes_done);
  total_text = format_bytes (bytes_total);
  rate_text = format_bytes ((guint64) pf_fetcher_get_rate (fetcher));
  /* Translators: progress line: [bar] messages done/total, bytes, rate */
  fprintf (stderr, _("\r[%s] %u/%u messages, %s of %s, %s/s "), bar,
           pf_fetcher_get_messages_done (fetcher), total, done_text, total_text, rate_text);
  fflush (stderr);
  run->drawn = TRUE;
}

static void
on_progress (GObject    *object,
             GParamSpec *pspec,
             gpointer    user_data)
{
  draw_progress (user_data, FALSE);
}

static void
on_fetched (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  FetchRun *run = user_data;

  run->result = pf_fetcher_run_finish (PF_FETCHER (source), result, &run->error);
  g_main_loop_quit (run->loop);
}

static gboolean
on_signal (gpointer user_data)
{
  g_cancellable_cancel (user_data);
  return G_SOURCE_CONTINUE;
}

static void
print_json (const PfCliFetchSettings *settings,
            const PfFetchResult      *result,
            const GError             *error,
            int                       exit_code)
{
  g_autoptr(GString) out = g_string_new ("{\"account\":");

  pf_cli_json_string (out, settings->label != NULL ? settings->label : settings->user);
  if (error != NULL)
    {
      g_autoptr(PfExplanation) explanation = pf_error_explain (error);

      g_string_append (out, ",\"ok\":false,\"error\":{\"domain\":");
      pf_cli_json_string (out, g_quark_to_string (error->domain));
      g_string_append_printf (out, ",\"code\":%d,\"exit\":%d,\"title\":", error->code, exit_code);
      pf_cli_json_string (out, explanation->title);
      g_string_append (out, ",\"message\":");
      pf_cli_json_string (out, error->message);
      g_string_append (out, "}}");
    }
  else
    {
      g_string_append_printf (out,
                              ",\"ok\":true,\"fetched\":%u,\"bytes\":%" G_GUINT64_FORMAT
                              ",\"already_had\":%u,\"deleted\":%u,\"recovered\":%u"
                              ",\"duplicates\":%u,\"no_uidl\":%s,\"elapsed_ms\":%" G_GINT64_FORMAT
                              ",\"mechanism\":\"%s\",\"over_limit\":[",
                              result->fetched, result->fetched_bytes, result->already_had,
                              result->deleted, result->recovered, result->duplicates,
                              result->no_uidl ? "true" : "false", result->elapsed_us / 1000,
                              pf_auth_mechanism_to_string (result->mechanism));
      for (guint i = 0; i < result->over_limit->len; i++)
        {
          const PfFetchSkipped *skipped = &g_array_index (result->over_limit, PfFetchSkipped, i);

          g_string_append (out, i > 0 ? ",{\"uid\":" : "{\"uid\":");
          pf_cli_json_string (out, skipped->uid);
          g_string_append_printf (out, ",\"msgno\":%u,\"size\":%" G_GUINT64_FORMAT "}",
                                  skipped->msgno, skipped->size);
        }
      g_string_append (out, "]}");
    }
  printf ("%s\n", out->str);
}

static void
print_summary (const PfCliFetchSettings *settings,
               const PfFetchResult      *result)
{
  g_autofree char *size = format_bytes (result->fetched_bytes);
  double seconds = result->elapsed_us / (double) G_USEC_PER_SEC;

  printf (g_dngettext (GETTEXT_PACKAGE, "%s: fetched %u message (%s) in %.1f s",
                       "%s: fetched %u messages (%s) in %.1f s", result->fetched),
          settings->label != NULL ? settings->label : settings->user,
          result->fetched, size, seconds);
  if (result->already_had > 0)
    printf (_(", %u already here"), result->already_had);
  if (result->deleted > 0)
    printf (_(", %u deleted from the server"), result->deleted);
  printf ("\n");
  if (result->recovered > 0)
    printf (_("  %u messages from an interrupted run were completed.\n"), result->recovered);
  if (result->duplicates > 0)
    printf (_("  %u messages were already delivered and were not delivered again.\n"),
            result->duplicates);
  if (result->over_limit->len > 0)
    {
      printf (g_dngettext (GETTEXT_PACKAGE,
                           "  %u message is over the size limit and stays on the server:\n",
                           "  %u messages are over the size limit and stay on the server:\n",
                           result->over_limit->len),
              result->over_limit->len);
      for (guint i = 0; i < result->over_limit->len; i++)
        {
          const PfFetchSkipped *skipped = &g_array_index (result->over_limit, PfFetchSkipped, i);
          g_autofree char *text = format_bytes (skipped->size);

          printf (_("    message %u (%s), %s\n"), skipped->msgno,
                  skipped->uid != NULL ? skipped->uid : "-", text);
        }
    }
}

int
pf_cli_fetch_run (PfCliFetchSettings *settings,
                  PfCliFetchOutput    output)
{
  g_autoptr(PfFetcher) fetcher = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  FetchRun run = { 0 };
  PfServerSettings *server;
  guint sigint, sigterm;
  int exit_code = PF_EXIT_OK;

  g_return_val_if_fail (settings != NULL, PF_EXIT_SOFTWARE);
  g_return_val_if_fail (PF_IS_FETCHER (settings->fetcher), PF_EXIT_SOFTWARE);

  fetcher = g_object_ref (settings->fetcher);
  server = pf_fetcher_get_settings (fetcher);
  if (pf_server_settings_get_ca_file (server) != NULL
      && pf_server_settings_get_tls_database (server) == NULL)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *ca_path = pf_cli_absolute_path (pf_server_settings_get_ca_file (server));

      /* GLib reads only an absolute CA file (a saved account's may be
       * relative, from an older version or a hand-edited file). */
      pf_server_settings_set_ca_file (server, ca_path);

      /* Read before the loop starts. The CA file is this process's whole
       * trust: making it the default also spares loading (and holding in
       * memory, several MiB) the system trust store, which GIO otherwise
       * reads for every new TLS connection before its database is set. */
      if (!pf_server_settings_load_ca_file (server, &error))
        {
          int code = pf_cli_report_error (error);

          if (output == PF_CLI_FETCH_OUTPUT_JSON)
            print_json (settings, NULL, error, code);
          return code;
        }
      g_tls_backend_set_default_database (g_tls_backend_get_default (),
                                          pf_server_settings_get_tls_database (server));
    }

  run.loop = loop;
  run.fetcher = fetcher;
  run.progress = output == PF_CLI_FETCH_OUTPUT_TEXT && isatty (STDERR_FILENO);
  if (run.progress)
    {
      g_signal_connect (fetcher, "notify::messages-done", G_CALLBACK (on_progress), &run);
      g_signal_connect (fetcher, "notify::bytes-done", G_CALLBACK (on_progress), &run);
    }

  /* Ctrl-C cancels cleanly: what arrived whole is kept, nothing is lost. */
  sigint = g_unix_signal_add (SIGINT, on_signal, cancellable);
  sigterm = g_unix_signal_add (SIGTERM, on_signal, cancellable);

  pf_fetcher_run_async (fetcher, cancellable, on_fetched, &run);
  g_main_loop_run (loop);

  g_source_remove (sigint);
  g_source_remove (sigterm);
  if (run.progress)
    {
      draw_progress (&run, TRUE);
      g_signal_handlers_disconnect_by_data (fetcher, &run);
      if (run.drawn)
        fprintf (stderr, "\n");
    }

  if (run.error != NULL)
    {
      exit_code = pf_cli_report_error (run.error);
      if (output == PF_CLI_FETCH_OUTPUT_JSON)
        print_json (settings, NULL, run.error, exit_code);
      g_clear_error (&run.error);
    }
  else
    {
      if (output == PF_CLI_FETCH_OUTPUT_JSON)
        print_json (settings, run.result, NULL, exit_code);
      else if (output == PF_CLI_FETCH_OUTPUT_TEXT)
        print_summary (settings, run.result);
      if (run.result->fell_back)
        settings->fell_back_to = run.result->mechanism;
      pf_fetch_result_free (run.result);
    }
  fflush (stdout);
  return exit_code;
}

void
pf_cli_fetch_options_clear (PfCliFetchOptions *options)
{
  g_clear_pointer (&options->host, g_free);
  g_clear_pointer (&options->security, g_free);
  g_clear_pointer (&options->user, g_free);
  g_clear_pointer (&options->password_file, g_free);
  g_clear_pointer (&options->maildir, g_free);
  g_clear_pointer (&options->state_dir, g_free);
  g_clear_pointer (&options->ca_file, g_free);
  g_clear_pointer (&options->mechanism, g_free);
  g_clear_pointer (&options->names, g_strfreev);
}

int
pf_cli_fetch_parse (int                argc,
                    char             **argv,
                    PfCliFetchOptions *options)
{
  GOptionEntry entries[] = {
    { "host", 0, 0, G_OPTION_ARG_STRING, &options->host, N_("POP3 server name"), N_("HOST") },
    { "port", 0, 0, G_OPTION_ARG_INT, &options->port, N_("Port (default 995 for tls, else 110)"), N_("PORT") },
    { "security", 0, 0, G_OPTION_ARG_STRING, &options->security, N_("tls, starttls or none (none sends the password unencrypted)"), N_("MODE") },
    { "user", 0, 0, G_OPTION_ARG_STRING, &options->user, N_("User name"), N_("USER") },
    { "password-file", 0, 0, G_OPTION_ARG_FILENAME, &options->password_file, N_("Read the password from the first line of FILE"), N_("FILE") },
    { "password-stdin", 0, 0, G_OPTION_ARG_NONE, &options->password_stdin, N_("Read the password from the first line of standard input"), NULL },
    { "maildir", 0, 0, G_OPTION_ARG_FILENAME, &options->maildir, N_("Deliver into this Maildir (created when missing)"), N_("DIR") },
    { "state-dir", 0, 0, G_OPTION_ARG_FILENAME, &options->state_dir, N_("Keep the delivery journal here (default $XDG_STATE_HOME/popfetch)"), N_("DIR") },
    { "ca-file", 0, 0, G_OPTION_ARG_FILENAME, &options->ca_file, N_("Trust the certificate authorities in this PEM file instead of the system ones"), N_("PEM") },
    { "mechanism", 0, 0, G_OPTION_ARG_STRING, &options->mechanism, N_("Login method (default: the strongest shared one)"), N_("NAME") },
    { "keep", 0, 0, G_OPTION_ARG_NONE, &options->keep, N_("Leave messages on the server (default)"), NULL },
    { "delete", 0, 0, G_OPTION_ARG_NONE, &options->delete, N_("Delete messages from the server once they are stored safely"), NULL },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &options->quiet, N_("Print nothing but errors"), NULL },
    { "json", 0, 0, G_OPTION_ARG_NONE, &options->json, N_("Print the result as one JSON object on standard output"), NULL },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_STRING_ARRAY, &options->names, NULL, NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (_("[NAME…]"));
  g_autoptr(GError) error = NULL;

  g_return_val_if_fail (options != NULL, PF_EXIT_SOFTWARE);

  g_option_context_set_summary (context, _("Fetch mail from a POP3 server into a Maildir, each message exactly once."));
  g_option_context_set_description (context,
                                    _("The password never goes on the command line: give it with "
                                      "--password-file or --password-stdin."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return pf_cli_usage_error ("fetch", error->message);

  if (options->keep && options->delete)
    return pf_cli_usage_error ("fetch", _("--keep and --delete exclude each other."));
  if (options->quiet && options->json)
    return pf_cli_usage_error ("fetch", _("--quiet and --json exclude each other."));
  return PF_EXIT_OK;
}

gboolean
pf_cli_fetch_options_ad_hoc (const PfCliFetchOptions *options)
{
  g_return_val_if_fail (options != NULL, FALSE);

  return options->host != NULL || options->user != NULL || options->maildir != NULL
         || options->security != NULL || options->port != 0 || options->state_dir != NULL
         || options->ca_file != NULL || options->mechanism != NULL;
}

PfCliFetchOutput
pf_cli_fetch_options_output (const PfCliFetchOptions *options)
{
  return options->json ? PF_CLI_FETCH_OUTPUT_JSON
         : options->quiet ? PF_CLI_FETCH_OUTPUT_QUIET : PF_CLI_FETCH_OUTPUT_TEXT;
}

int
pf_cli_fetch_ad_hoc (PfCliFetchOptions *options)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PfServerSettings) server = NULL;
  g_autoptr(PfCredentials) credentials = NULL;
  PfCliFetchSettings settings = { 0 };
  PfSecurity security;
  PfAuthMechanism mechanism = PF_AUTH_AUTO;
  int exit_code;

  g_return_val_if_fail (options != NULL, PF_EXIT_SOFTWARE);

  if (options->names != NULL && options->names[0] != NULL)
    return pf_cli_usage_error ("fetch", _("Account names and --host exclude each other: fetch saved accounts by name, or one server ad hoc."));
  if (options->host == NULL || options->user == NULL || options->maildir == NULL || options->security == NULL)
    return pf_cli_usage_error ("fetch", _("--host, --security, --user and --maildir are required."));
  if ((options->password_file != NULL) == options->password_stdin)
    return pf_cli_usage_error ("fetch", _("Give the password with exactly one of --password-file and --password-stdin."));
  if (!pf_security_from_string (options->security, &security))
    return pf_cli_usage_error ("fetch", _("--security must be tls, starttls or none."));
  if (options->port < 0 || options->port > 65535)
    return pf_cli_usage_error ("fetch", _("--port must be between 1 and 65535."));
  if (options->mechanism != NULL && !pf_auth_mechanism_from_string (options->mechanism, &mechanism))
    return pf_cli_usage_error ("fetch", _("Unknown --mechanism."));

  server = pf_server_settings_new (options->host,
                                   options->port > 0 ? options->port : (security == PF_SECURITY_TLS ? 995 : 110),
                                   security);
  /* GLib reads only an absolute CA file: a relative one is made absolute
   * here, against the directory the command was started in. */
  if (options->ca_file != NULL)
    {
      g_autofree char *ca_path = pf_cli_absolute_path (options->ca_file);

      pf_server_settings_set_ca_file (server, ca_path);
    }
  /* Choosing "none" on the command line is the explicit, unsafe choice. */
  pf_server_settings_set_allow_plaintext_auth (server, security == PF_SECURITY_NONE);

  {
    char *password = pf_cli_read_password (options->password_stdin, options->password_file,
                                           NULL, &error);

    if (password == NULL)
      return pf_cli_usage_error ("fetch", error->message);
    credentials = pf_credentials_new_for_password (password);
    pf_cli_password_free (password);
  }
  if (security == PF_SECURITY_NONE && !options->quiet && !options->json)
    fprintf (stderr, "%s\n", _("popfetch-cli: warning: --security none sends the password unencrypted."));

  settings.user = g_strdup (options->user);
  settings.fetcher = pf_fetcher_new (server, options->user, options->maildir);
  pf_fetcher_set_mechanism (settings.fetcher, mechanism);
  pf_fetcher_set_credentials (settings.fetcher, credentials);
  if (options->state_dir != NULL)
    pf_fetcher_set_state_dir (settings.fetcher, options->state_dir);
  pf_fetcher_set_policy (settings.fetcher, options->delete ? PF_FETCH_DELETE : PF_FETCH_KEEP, 0);

  exit_code = pf_cli_fetch_run (&settings, pf_cli_fetch_options_output (options));
  pf_cli_fetch_settings_clear (&settings);
  return exit_code;
}

/* popfetch-cli-fetch: `popfetch-cli fetch` execs this for an ad hoc fetch.
 * It links only what a fetch needs (GIO and GnuTLS; no libsoup, no
 * libsecret), which keeps its memory small; see README, section fetch. */
int
pf_cli_fetch_main (int    argc,
                   char **argv)
{
  PfCliFetchOptions options = { 0 };
  int exit_code;

  pf_cli_init ();
  /* One malloc arena for every thread: the worker threads' own arenas
   * would each hold a few hundred KiB for a handful of small blocks. */
  mallopt (M_ARENA_MAX, 1);

  if (argc < 2 || strcmp (argv[1], "fetch") != 0)
    {
      fprintf (stderr, "%s\n", _("popfetch-cli-fetch is run by “popfetch-cli fetch”."));
      return PF_EXIT_USAGE;
    }
  exit_code = pf_cli_fetch_parse (argc - 1, argv + 1, &options);
  if (exit_code == PF_EXIT_OK)
    {
      if (pf_cli_fetch_options_ad_hoc (&options))
        exit_code = pf_cli_fetch_ad_hoc (&options);
      else
        exit_code = pf_cli_usage_error ("fetch", _("Saved accounts are fetched by popfetch-cli."));
    }
  pf_cli_fetch_options_clear (&options);
  return exit_code;
}
