/* pf-cli-schedule.c — popfetch-cli schedule: the systemd user timer
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Fetching with no window open, for people without the app running: two
 * user units in $XDG_CONFIG_HOME/systemd/user/, a oneshot service running
 * `popfetch-cli fetch --quiet --notify` for every saved account and a
 * timer starting it. data/popfetch-fetch.{service,timer}.in are the same
 * units as shipped for a distribution; keep the two in step.
 */

#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <gio/gio.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "pf-cli.h"

#define SERVICE_NAME "popfetch-fetch.service"
#define TIMER_NAME   "popfetch-fetch.timer"

static char *
units_dir (void)
{
  return g_build_filename (g_get_user_config_dir (), "systemd", "user", NULL);
}

/* The path as systemd reads it in ExecStart=: quoted, with its
 * specifiers (%) and variables ($) escaped. */
static char *
quote_exec_path (const char *path)
{
  GString *out = g_string_new ("\"");

  for (const char *p = path; *p != '\0'; p++)
    {
      switch (*p)
        {
        case '"': g_string_append (out, "\\\""); break;
        case '\\': g_string_append (out, "\\\\"); break;
        case '%': g_string_append (out, "%%"); break;
        case '$': g_string_append (out, "$$"); break;
        default: g_string_append_c (out, *p);
        }
    }
  g_string_append_c (out, '"');
  return g_string_free (out, FALSE);
}

/* A realtime tick at about the interval, for OnCalendar=: the monotonic
 * OnUnitActiveSec= pauses while the machine sleeps, and Persistent= only
 * acts on calendar timers, so this is what makes a fetch that fell due
 * during sleep (or power off) run once at wake. */
static char *
calendar_for (guint minutes)
{
  if (minutes < 60)
    return g_strdup_printf ("*:0/%u", minutes);
  if (minutes < 24 * 60)
    return g_strdup_printf ("0/%u:00", minutes / 60);
  return g_strdup ("daily");
}

char *
pf_cli_schedule_service_text (const char *program)
{
  g_autofree char *exec = quote_exec_path (program);

  return g_strdup_printf ("# Popfetch fetches every saved account on a timer: popfetch-cli(1), “schedule”.\n"
                          "[Unit]\n"
                          "Description=Fetch the mail of the saved Popfetch accounts\n"
                          "Documentation=man:popfetch-cli(1)\n"
                          "\n"
                          "[Service]\n"
                          "Type=oneshot\n"
                          "ExecStart=%s fetch --quiet --notify\n"
                          "# 75: a temporary failure (offline, server busy); the next tick tries again.\n"
                          "SuccessExitStatus=75\n"
                          "Nice=10\n",
                          exec);
}

char *
pf_cli_schedule_timer_text (guint minutes)
{
  g_autofree char *calendar = calendar_for (minutes);

  return g_strdup_printf ("# Popfetch fetches every saved account on a timer: popfetch-cli(1), “schedule”.\n"
                          "[Unit]\n"
                          "Description=Fetch mail with Popfetch every %u minutes\n"
                          "Documentation=man:popfetch-cli(1)\n"
                          "\n"
                          "[Timer]\n"
                          "OnStartupSec=2min\n"
                          "OnUnitActiveSec=%umin\n"
                          "# The monotonic clock pauses during sleep; this realtime tick catches up\n"
                          "# once at wake, and Persistent= once after the machine was off.\n"
                          "OnCalendar=%s\n"
                          "Persistent=true\n"
                          "AccuracySec=1min\n"
                          "\n"
                          "[Install]\n"
                          "WantedBy=timers.target\n",
                          minutes, minutes, calendar);
}

/* The interval when none is given: the shortest one an account saved, or
 * PF_CLI_SCHEDULE_DEFAULT_MINUTES. */
static guint
saved_interval (void)
{
  g_autoptr(PfAccountStore) store = pf_account_store_new (NULL);
  g_autoptr(GError) error = NULL;
  GListModel *accounts;
  guint shortest = 0;

  if (!pf_cli_load_accounts (store, &error))
    return PF_CLI_SCHEDULE_DEFAULT_MINUTES;
  accounts = pf_account_store_get_accounts (store);
  for (guint i = 0; i < g_list_model_get_n_items (accounts); i++)
    {
      g_autoptr(PfAccount) account = g_list_model_get_item (accounts, i);
      guint interval = pf_account_get_interval (account);

      if (interval > 0 && (shortest == 0 || interval < shortest))
        shortest = interval;
    }
  return shortest > 0 ? shortest : PF_CLI_SCHEDULE_DEFAULT_MINUTES;
}

/* Runs `systemctl --user ARGS…`; on failure @error carries what it said. */
static gboolean
systemctl (char    **out,
           GError  **error,
           ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autofree char *stdout_text = NULL;
  g_autofree char *stderr_text = NULL;
  const char *arg;
  va_list args;
  int status;

  g_ptr_array_add (argv, (gpointer) "systemctl");
  g_ptr_array_add (argv, (gpointer) "--user");
  va_start (args, error);
  while ((arg = va_arg (args, const char *)) != NULL)
    g_ptr_array_add (argv, (gpointer) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);

  if (!g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                     &stdout_text, &stderr_text, &status, error))
    return FALSE;
  if (!g_spawn_check_wait_status (status, NULL))
    {
      g_strstrip (stderr_text);
      g_set_error_literal (error, G_SPAWN_ERROR, G_SPAWN_ERROR_FAILED,
                           *stderr_text != '\0' ? stderr_text : _("systemctl failed."));
      return FALSE;
    }
  if (out != NULL)
    *out = g_steal_pointer (&stdout_text);
  return TRUE;
}

static int
no_manager (const GError *error,
            const char   *line)
{
  fprintf (stderr, "popfetch-cli: %s\n", _("No systemd user manager answered."));
  fprintf (stderr, "  %s\n", error->message);
  fprintf (stderr, "  %s\n", _("Run this in your desktop session, or after logging in:"));
  printf ("%s\n", line);
  return PF_EXIT_UNAVAILABLE;
}

static gboolean
write_unit (const char  *dir,
            const char  *name,
            const char  *text,
            GError     **error)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);

  return g_file_set_contents_full (path, text, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0644, error);
}

static char *
self_path (void)
{
  char *self = g_file_read_link ("/proc/self/exe", NULL);

  return self != NULL ? self : g_build_filename (PF_BINDIR, "popfetch-cli", NULL);
}

static int
schedule_enable (guint minutes)
{
  g_autofree char *dir = units_dir ();
  g_autofree char *program = self_path ();
  g_autofree char *service = pf_cli_schedule_service_text (program);
  g_autofree char *timer = pf_cli_schedule_timer_text (minutes);
  g_autoptr(GError) error = NULL;

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved = errno;

      fprintf (stderr, _("popfetch-cli: Cannot create the folder %s: %s\n"), dir, g_strerror (saved));
      return PF_EXIT_CANTCREAT;
    }
  if (!write_unit (dir, SERVICE_NAME, service, &error) || !write_unit (dir, TIMER_NAME, timer, &error))
    {
      fprintf (stderr, _("popfetch-cli: Cannot write the timer: %s\n"), error->message);
      return PF_EXIT_CANTCREAT;
    }
  printf (_("Wrote %s and %s in %s.\n"), SERVICE_NAME, TIMER_NAME, dir);

  if (!systemctl (NULL, &error, "daemon-reload", NULL)
      || !systemctl (NULL, &error, "enable", "--now", TIMER_NAME, NULL))
    return no_manager (error, "systemctl --user enable --now " TIMER_NAME);
  printf ("%s\n", _("Ran “systemctl --user daemon-reload” and “systemctl --user enable --now popfetch-fetch.timer”."));

  printf (g_dngettext (GETTEXT_PACKAGE,
                       "The timer is on: every saved account is fetched every %u minute, "
                       "and once soon after a wake-up if a fetch fell due meanwhile.\n",
                       "The timer is on: every saved account is fetched every %u minutes, "
                       "and once soon after a wake-up if a fetch fell due meanwhile.\n",
                       minutes),
          minutes);
  return PF_EXIT_OK;
}

static int
schedule_disable (void)
{
  g_autofree char *dir = units_dir ();
  g_autoptr(GError) error = NULL;
  const char *names[] = { TIMER_NAME, SERVICE_NAME };

  /* Disabled first, while systemd still knows the unit; the files stay
   * when that fails, so the line printed for the user still works. */
  if (!systemctl (NULL, &error, "disable", "--now", TIMER_NAME, NULL))
    return no_manager (error, "systemctl --user disable --now " TIMER_NAME);

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *path = g_build_filename (dir, names[i], NULL);

      if (g_unlink (path) != 0 && errno != ENOENT)
        {
          int saved = errno;

          fprintf (stderr, _("popfetch-cli: Cannot remove %s: %s\n"), path, g_strerror (saved));
          return PF_EXIT_CANTCREAT;
        }
    }
  if (!systemctl (NULL, &error, "daemon-reload", NULL))
    return no_manager (error, "systemctl --user daemon-reload");

  printf ("%s\n", _("Ran “systemctl --user disable --now popfetch-fetch.timer” and “systemctl --user daemon-reload”."));
  printf ("%s\n", _("The timer is off and its units are removed."));
  return PF_EXIT_OK;
}

/* The interval the written timer has, 0 when there is none. */
static guint
written_interval (const char *dir)
{
  g_autofree char *path = g_build_filename (dir, TIMER_NAME, NULL);
  g_autofree char *text = NULL;
  const char *key;

  if (!g_file_get_contents (path, &text, NULL, NULL))
    return 0;
  key = strstr (text, "\nOnUnitActiveSec=");
  if (key == NULL)
    return 0;
  return (guint) g_ascii_strtoull (key + strlen ("\nOnUnitActiveSec="), NULL, 10);
}

static int
schedule_status (void)
{
  g_autofree char *dir = units_dir ();
  g_autofree char *out = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) lines = NULL;
  guint minutes = written_interval (dir);

  if (minutes == 0)
    {
      printf ("%s\n", _("The timer is not set up. Turn it on with “popfetch-cli schedule enable”."));
      return PF_EXIT_OK;
    }
  printf (g_dngettext (GETTEXT_PACKAGE, "Timer: %s in %s, every %u minute\n",
                       "Timer: %s in %s, every %u minutes\n", minutes),
          TIMER_NAME, dir, minutes);

  if (!systemctl (&out, &error, "show", TIMER_NAME,
                  "--property=UnitFileState,ActiveState,NextElapseUSecRealtime,LastTriggerUSec", NULL))
    return no_manager (error, "systemctl --user enable --now " TIMER_NAME);

  lines = g_strsplit (out, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *value = strchr (lines[i], '=');

      if (value == NULL)
        continue;
      value++;
      if (g_str_has_prefix (lines[i], "UnitFileState="))
        printf (_("Enabled: %s\n"), *value != '\0' ? value : "-");
      else if (g_str_has_prefix (lines[i], "ActiveState="))
        printf (_("Active: %s\n"), value);
      else if (g_str_has_prefix (lines[i], "NextElapseUSecRealtime="))
        printf (_("Next fetch: %s\n"), *value != '\0' ? value : "-");
      else if (g_str_has_prefix (lines[i], "LastTriggerUSec="))
        printf (_("Last fetch: %s\n"), *value != '\0' ? value : "-");
    }
  return PF_EXIT_OK;
}

int
pf_cli_schedule (int    argc,
                 char **argv)
{
  int interval = 0;
  GOptionEntry entries[] = {
    { "interval", 0, 0, G_OPTION_ARG_INT, &interval,
      N_("Minutes between fetches (default: the shortest interval an account saved, else 15)"), N_("MINUTES") },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (_("enable|disable|status"));
  g_autoptr(GError) error = NULL;

  g_option_context_set_summary (context,
                                _("Fetch every saved account on a timer, as a systemd user service, "
                                  "with no window open; a notification tells of new mail."));
  g_option_context_set_description (context,
                                    _("enable writes popfetch-fetch.service and popfetch-fetch.timer "
                                      "into $XDG_CONFIG_HOME/systemd/user and starts the timer; "
                                      "disable stops it and removes them; status shows when it fetches next."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return pf_cli_usage_error ("schedule", error->message);

  if (argc != 2)
    return pf_cli_usage_error ("schedule", _("Say enable, disable or status."));
  if (interval < 0 || interval > 7 * 24 * 60)
    return pf_cli_usage_error ("schedule", _("--interval must be between 1 and 10080 minutes."));

  if (strcmp (argv[1], "enable") == 0)
    return schedule_enable (interval > 0 ? (guint) interval : saved_interval ());
  if (interval > 0)
    return pf_cli_usage_error ("schedule", _("--interval goes with enable."));
  if (strcmp (argv[1], "disable") == 0)
    return schedule_disable ();
  if (strcmp (argv[1], "status") == 0)
    return schedule_status ();
  return pf_cli_usage_error ("schedule", _("Say enable, disable or status."));
}
