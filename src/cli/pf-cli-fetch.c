/* pf-cli-fetch.c — popfetch-cli fetch
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <malloc.h>
#include <sys/resource.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <glib-unix.h>
#include <glib/gi18n.h>

#include "pf-cli-fetch.h"
#include "pf-error.h"
#include "pf-fetcher.h"
#include "pf-oauth2-credentials.h"

void
pf_cli_fetch_settings_clear (PfCliFetchSettings *settings)
{
  g_clear_pointer (&settings->label, g_free);
  g_clear_pointer (&settings->user, g_free);
  g_clear_object (&settings->fetcher);
  g_clear_object (&settings->account);
  settings->classify_error = NULL;
}

typedef struct _FetchMany FetchMany;

typedef enum
{
  JOB_WAITING,
  JOB_RUNNING,
  JOB_DONE,
} JobState;

typedef struct
{
  FetchMany          *many;
  PfCliFetchSettings *settings;
  PfFetcher          *fetcher;
  char               *mailbox;   /* host and user: two runs on one mailbox queue */
  JobState            state;
  PfFetchResult      *result;
  GError             *error;
} FetchJob;

struct _FetchMany
{
  GMainLoop        *loop;
  GCancellable     *cancellable;
  FetchJob         *jobs;
  guint             n_jobs;
  guint             max_running;
  guint             running;
  guint             done;
  gboolean          progress;
  guint             lines_drawn;
  gint64            last_draw;
};

static char *
format_bytes (guint64 bytes)
{
  return g_format_size_full (bytes, G_FORMAT_SIZE_DEFAULT);
}

static const char *
job_label (const FetchJob *job)
{
  return job->settings->label != NULL ? job->settings->label : job->settings->user;
}

static char *
job_line (const FetchJob *job)
{
  PfFetcher *fetcher = job->fetcher;

  switch (job->state)
    {
    case JOB_WAITING:
      /* Translators: progress line of an account that waits for its turn */
      return g_strdup_printf (_("%s: waiting"), job_label (job));
    case JOB_DONE:
      if (job->error != NULL)
        /* Translators: progress line of an account whose fetch failed */
        return g_strdup_printf (_("%s: failed"), job_label (job));
      return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s: done, %u new message",
                                           "%s: done, %u new messages", job->result->fetched),
                              job_label (job), job->result->fetched);
    case JOB_RUNNING:
    default:
      break;
    }

  if (pf_fetcher_get_phase (fetcher) == PF_FETCH_PHASE_FETCHING
      && pf_fetcher_get_messages_total (fetcher) > 0)
    {
      guint64 bytes_total = pf_fetcher_get_bytes_total (fetcher);
      guint64 bytes_done = MIN (pf_fetcher_get_bytes_done (fetcher), bytes_total);
      g_autofree char *done_text = format_bytes (bytes_done);
      g_autofree char *total_text = format_bytes (bytes_total);
      g_autofree char *rate_text = format_bytes ((guint64) pf_fetcher_get_rate (fetcher));
      guint filled = bytes_total > 0 ? (guint) (30 * bytes_done / bytes_total) : 0;
      char bar[31];

      memset (bar, '#', filled);
      memset (bar + filled, '-', 30 - filled);
      bar[30] = '\0';
      /* Translators: progress line: account, [bar] messages done/total, bytes, rate */
      return g_strdup_printf (_("%s: [%s] %u/%u messages, %s of %s, %s/s"), job_label (job), bar,
                              pf_fetcher_get_messages_done (fetcher),
                              pf_fetcher_get_messages_total (fetcher),
                              done_text, total_text, rate_text);
    }
  if (pf_fetcher_get_phase (fetcher) > PF_FETCH_PHASE_FETCHING)
    /* Translators: progress line of an account that deletes and logs out */
    return g_strdup_printf (_("%s: finishing"), job_label (job));
  /* Translators: progress line of an account that logs in and lists */
  return g_strdup_printf (_("%s: connecting"), job_label (job));
}

/* One line per account on the terminal, redrawn in place. */
static void
draw_progress (FetchMany *many,
               gboolean   force)
{
  gint64 now = g_get_monotonic_time ();

  if (!many->progress)
    return;
  if (!force && now - many->last_draw < 100 * 1000)
    return;
  many->last_draw = now;

  if (many->lines_drawn > 0)
    fprintf (stderr, "\033[%uA", many->lines_drawn);
  for (guint i = 0; i < many->n_jobs; i++)
    {
      g_autofree char *line = job_line (&many->jobs[i]);

      fprintf (stderr, "\r\033[K%s\n", line);
    }
  many->lines_drawn = many->n_jobs;
  fflush (stderr);
}

static void
on_progress (GObject    *object,
             GParamSpec *pspec,
             gpointer    user_data)
{
  draw_progress (user_data, FALSE);
}

static void start_ready (FetchMany *many);

static void
on_fetched (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  FetchJob *job = user_data;
  FetchMany *many = job->many;

  job->result = pf_fetcher_run_finish (PF_FETCHER (source), result, &job->error);
  job->state = JOB_DONE;
  many->running--;
  many->done++;
  if (many->progress)
    g_signal_handlers_disconnect_by_data (job->fetcher, many);
  draw_progress (many, TRUE);
  start_ready (many);
  if (many->done == many->n_jobs)
    g_main_loop_quit (many->loop);
}

static gboolean
mailbox_running (FetchMany      *many,
                 const FetchJob *job)
{
  for (guint i = 0; i < many->n_jobs; i++)
    if (many->jobs[i].state == JOB_RUNNING && g_str_equal (many->jobs[i].mailbox, job->mailbox))
      return TRUE;
  return FALSE;
}

/* Starts the waiting accounts, in account order, while fewer than
 * max_running run; an account whose mailbox is being fetched waits. */
static void
start_ready (FetchMany *many)
{
  for (guint i = 0; i < many->n_jobs && many->running < many->max_running; i++)
    {
      FetchJob *job = &many->jobs[i];

      if (job->state != JOB_WAITING || mailbox_running (many, job))
        continue;
      if (g_cancellable_is_cancelled (many->cancellable))
        {
          /* Interrupted before its turn: it did not run. */
          g_cancellable_set_error_if_cancelled (many->cancellable, &job->error);
          job->state = JOB_DONE;
          many->done++;
          continue;
        }
      job->state = JOB_RUNNING;
      many->running++;
      if (many->progress)
        {
          g_signal_connect (job->fetcher, "notify::messages-done", G_CALLBACK (on_progress), many);
          g_signal_connect (job->fetcher, "notify::bytes-done", G_CALLBACK (on_progress), many);
          g_signal_connect (job->fetcher, "notify::phase", G_CALLBACK (on_progress), many);
        }
      pf_fetcher_run_async (job->fetcher, many->cancellable, on_fetched, job);
    }
}

static gboolean
on_signal (gpointer user_data)
{
  FetchMany *many = user_data;

  g_cancellable_cancel (many->cancellable);
  /* Waiting accounts end now; the running ones when their fetchers stop. */
  start_ready (many);
  if (many->done == many->n_jobs)
    g_main_loop_quit (many->loop);
  return G_SOURCE_CONTINUE;
}

static void
append_json (GString                  *out,
             const PfCliFetchSettings *settings,
             const PfFetchResult      *result,
             const GError             *error,
             int                       exit_code)
{
  g_string_append (out, "{\"account\":");
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

/* The account's fetcher, its CA file read (before the loop starts), or
 * NULL with @error set. */
static PfFetcher *
create_fetcher (PfCliFetchSettings *settings,
                gboolean            trust_default,
                GError            **error)
{
  PfServerSettings *server;

  g_return_val_if_fail (PF_IS_FETCHER (settings->fetcher), NULL);

  server = pf_fetcher_get_settings (settings->fetcher);
  if (pf_server_settings_get_ca_file (server) != NULL
      && pf_server_settings_get_tls_database (server) == NULL)
    {
      g_autofree char *ca_path = pf_cli_absolute_path (pf_server_settings_get_ca_file (server));

      /* GLib reads only an absolute CA file (a saved account's may be
       * relative, from an older version or a hand-edited file). */
      pf_server_settings_set_ca_file (server, ca_path);
      if (!pf_server_settings_load_ca_file (server, error))
        return NULL;
      /* When it is the whole run's only trust, making it the default also
       * spares loading (and holding in memory, several MiB) the system
       * trust store, which GIO otherwise reads for every new TLS
       * connection before its database is set. */
      if (trust_default)
        g_tls_backend_set_default_database (g_tls_backend_get_default (),
                                            pf_server_settings_get_tls_database (server));
    }
  return g_object_ref (settings->fetcher);
}

static const char *
ca_file_of (const PfCliFetchSettings *settings)
{
  return pf_server_settings_get_ca_file (pf_fetcher_get_settings (settings->fetcher));
}

static char *
mailbox_key (const PfCliFetchSettings *settings)
{
  PfServerSettings *server = pf_fetcher_get_settings (settings->fetcher);
  /* The name the account gives, not the address a demo maps it to. */
  g_autofree char *host = g_ascii_strdown (pf_server_settings_get_effective_identity (server), -1);

  return g_strdup_printf ("%s\n%s", host, settings->user);
}

/* Whether every account trusts the same CA file: then it can be the
 * process's default trust. */
static gboolean
one_trust (PfCliFetchSettings **settings,
           guint                n)
{
  for (guint i = 1; i < n; i++)
    if (g_strcmp0 (ca_file_of (settings[i]), ca_file_of (settings[0])) != 0)
      return FALSE;
  return n > 0 && ca_file_of (settings[0]) != NULL;
}

/* Each fetch holds a file in tmp/ open for every message on its way (a
 * few hundred): several at once outgrow the usual soft limit of 1024
 * descriptors, not the hard one. */
static void
raise_file_limit (void)
{
  struct rlimit limit;

  if (getrlimit (RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max)
    {
      limit.rlim_cur = limit.rlim_max;
      setrlimit (RLIMIT_NOFILE, &limit);
    }
}

int
pf_cli_fetch_run_many (PfCliFetchSettings **settings,
                       guint                n,
                       guint                jobs,
                       PfCliFetchOutput     output,
                       guint               *fetched,
                       int                 *exit_codes)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(GString) json = g_string_new (NULL);
  FetchMany many = { 0 };
  gboolean trust_default = one_trust (settings, n);
  guint sigint, sigterm;
  int exit_code = PF_EXIT_OK;

  g_return_val_if_fail (settings != NULL && n > 0, PF_EXIT_SOFTWARE);

  many.loop = loop;
  many.cancellable = cancellable;
  many.n_jobs = n;
  many.max_running = MAX (jobs, 1);
  many.jobs = g_new0 (FetchJob, n);
  many.progress = output == PF_CLI_FETCH_OUTPUT_TEXT && isatty (STDERR_FILENO);
  if (n > 1 && jobs > 1)
    raise_file_limit ();

  for (guint i = 0; i < n; i++)
    {
      FetchJob *job = &many.jobs[i];

      job->many = &many;
      job->settings = settings[i];
      job->mailbox = mailbox_key (settings[i]);
      job->fetcher = create_fetcher (settings[i], trust_default, &job->error);
      if (job->fetcher == NULL)
        {
          job->state = JOB_DONE;
          many.done++;
        }
    }

  /* Ctrl-C cancels cleanly: what arrived whole is kept, nothing is lost. */
  sigint = g_unix_signal_add (SIGINT, on_signal, &many);
  sigterm = g_unix_signal_add (SIGTERM, on_signal, &many);

  draw_progress (&many, TRUE);
  start_ready (&many);
  if (many.done < many.n_jobs)
    g_main_loop_run (loop);

  g_source_remove (sigint);
  g_source_remove (sigterm);
  draw_progress (&many, TRUE);
  if (trust_default)
    g_tls_backend_set_default_database (g_tls_backend_get_default (), NULL);

  /* The outcome in account order; the exit status is the first failing
   * account's. */
  if (output == PF_CLI_FETCH_OUTPUT_JSON && n > 1)
    g_string_append_c (json, '[');
  for (guint i = 0; i < n; i++)
    {
      FetchJob *job = &many.jobs[i];
      int code = PF_EXIT_OK;

      if (job->error != NULL)
        {
          g_autoptr(GError) shown = NULL;

          if (n > 1)
            fprintf (stderr, _("popfetch-cli: Account “%s” was not fetched.\n"), job_label (job));
          if (job->settings->classify_error != NULL)
            shown = job->settings->classify_error (job->settings->account, job->error);
          code = pf_cli_report_error (shown != NULL ? shown : job->error);
        }
      if (exit_code == PF_EXIT_OK)
        exit_code = code;
      if (fetched != NULL)
        fetched[i] = job->result != NULL ? job->result->fetched : 0;
      if (exit_codes != NULL)
        exit_codes[i] = code;

      if (output == PF_CLI_FETCH_OUTPUT_JSON)
        {
          if (i > 0)
            g_string_append_c (json, ',');
          append_json (json, job->settings, job->result, job->error, code);
        }
      else if (output == PF_CLI_FETCH_OUTPUT_TEXT && job->result != NULL)
        print_summary (job->settings, job->result);
      if (job->result != NULL && job->result->fell_back)
        job->settings->fell_back_to = job->result->mechanism;

      g_clear_pointer (&job->result, pf_fetch_result_free);
      g_clear_error (&job->error);
      g_clear_object (&job->fetcher);
      g_clear_pointer (&job->mailbox, g_free);
    }
  if (output == PF_CLI_FETCH_OUTPUT_JSON)
    printf ("%s%s\n", json->str, n > 1 ? "]" : "");
  g_free (many.jobs);
  fflush (stdout);
  return exit_code;
}

int
pf_cli_fetch_run (PfCliFetchSettings *settings,
                  PfCliFetchOutput    output)
{
  return pf_cli_fetch_run_many (&settings, 1, 1, output, NULL, NULL);
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
  g_clear_pointer (&options->oauth2_token_file, g_free);
  g_clear_pointer (&options->names, g_strfreev);
  g_clear_pointer (&options->uid, g_free);
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
    { "mechanism", 0, 0, G_OPTION_ARG_STRING, &options->mechanism, N_("Login method (default: the strongest shared one; with a token XOAUTH2 or OAUTHBEARER, as the server offers)"), N_("NAME") },
    { "oauth2-token-file", 0, 0, G_OPTION_ARG_FILENAME, &options->oauth2_token_file, N_("Log in with the OAuth2 access token on the first line of FILE (not readable by group or others) instead of a password"), N_("FILE") },
    { "keep", 0, 0, G_OPTION_ARG_NONE, &options->keep, N_("Leave messages on the server (default)"), NULL },
    { "delete", 0, 0, G_OPTION_ARG_NONE, &options->delete, N_("Delete messages from the server once they are stored safely"), NULL },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &options->quiet, N_("Print nothing but errors"), NULL },
    { "json", 0, 0, G_OPTION_ARG_NONE, &options->json, N_("Print the result as JSON on standard output: one object, or an array of them for several accounts"), NULL },
    { "notify", 0, 0, G_OPTION_ARG_NONE, &options->notify, N_("Show a desktop notification when new mail arrived (when a session bus is there)"), NULL },
    { "jobs", 'j', 0, G_OPTION_ARG_INT, &options->jobs, N_("Fetch up to N accounts at once (default 4); two accounts of one mailbox never run together"), N_("N") },
    { "uid", 0, 0, G_OPTION_ARG_STRING, &options->uid, N_("Fetch only the message with this unique-id, whatever the size limit (one saved account)"), N_("UID") },
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
  if (options->jobs < 0 || options->jobs > 64)
    return pf_cli_usage_error ("fetch", _("--jobs must be between 1 and 64."));
  return PF_EXIT_OK;
}

gboolean
pf_cli_fetch_options_ad_hoc (const PfCliFetchOptions *options)
{
  g_return_val_if_fail (options != NULL, FALSE);

  return options->host != NULL || options->user != NULL || options->maildir != NULL
         || options->security != NULL || options->port != 0 || options->state_dir != NULL
         || options->ca_file != NULL || options->mechanism != NULL
         || options->oauth2_token_file != NULL;
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
  if (options->oauth2_token_file != NULL && (options->password_file != NULL || options->password_stdin))
    return pf_cli_usage_error ("fetch", _("--oauth2-token-file replaces the password: give no --password-file or --password-stdin with it."));
  if (options->oauth2_token_file == NULL && (options->password_file != NULL) == options->password_stdin)
    return pf_cli_usage_error ("fetch", _("Give the password with exactly one of --password-file and --password-stdin."));
  if (!pf_security_from_string (options->security, &security))
    return pf_cli_usage_error ("fetch", _("--security must be tls, starttls or none."));
  if (options->port < 0 || options->port > 65535)
    return pf_cli_usage_error ("fetch", _("--port must be between 1 and 65535."));
  if (options->mechanism != NULL && !pf_auth_mechanism_from_string (options->mechanism, &mechanism))
    return pf_cli_usage_error ("fetch", _("Unknown --mechanism."));
  if (options->oauth2_token_file != NULL && mechanism != PF_AUTH_AUTO &&
      mechanism != PF_AUTH_XOAUTH2 && mechanism != PF_AUTH_OAUTHBEARER)
    return pf_cli_usage_error ("fetch", _("An OAuth2 token logs in with --mechanism XOAUTH2 or OAUTHBEARER."));

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

  /* A token file is read like a password file: first line, and refused
   * when group or others may read it. */
  {
    char *secret = pf_cli_read_password (options->password_stdin,
                                         options->oauth2_token_file != NULL
                                         ? options->oauth2_token_file : options->password_file,
                                         NULL, &error);

    if (secret == NULL)
      return pf_cli_usage_error ("fetch", error->message);
    credentials = options->oauth2_token_file != NULL ? pf_credentials_new_for_access_token (secret)
                                                     : pf_credentials_new_for_password (secret);
    pf_wipe_string (secret);
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

  {
    PfCliFetchSettings *one = &settings;
    const char *label = settings.user;
    guint fetched = 0;

    exit_code = pf_cli_fetch_run_many (&one, 1, 1, pf_cli_fetch_options_output (options),
                                       &fetched, NULL);
    if (options->notify)
      pf_cli_notify_new_mail (&label, &fetched, 1);
  }
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
