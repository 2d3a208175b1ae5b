/* test-scheduler.c — the pure rules of background fetching
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <locale.h>

#include "pf-autostart.h"
#include "pf-error.h"
#include "pf-scheduler.h"

static PfAccount *
account (const char *name,
         const char *host,
         const char *user)
{
  PfAccount *account = pf_account_new (name);

  pf_account_set_host (account, host);
  pf_account_set_user (account, user);
  return account;
}

static void
test_pick_next (void)
{
  g_autoptr(PfAccount) a = account ("A", "pop.example.org", "alice");
  g_autoptr(PfAccount) a_again = account ("A again", "POP.Example.org", "alice");
  g_autoptr(PfAccount) b = account ("B", "pop.example.org", "bob");
  g_autoptr(PfAccount) c = account ("C", "pop.example.net", "alice");
  g_autoptr(PfAccount) d = account ("D", "mail.example.com", "dora");
  g_autoptr(GPtrArray) pending = g_ptr_array_new ();
  g_autoptr(GPtrArray) running = g_ptr_array_new ();

  /* Nothing to do. */
  g_assert_cmpint (pf_scheduler_pick_next (pending, running, 4), ==, -1);

  /* In the order asked. */
  g_ptr_array_add (pending, a);
  g_ptr_array_add (pending, b);
  g_assert_cmpint (pf_scheduler_pick_next (pending, running, 4), ==, 0);

  /* The same mailbox (host compared without case) waits; another
   * user on that host, or that user on another host, does not. */
  g_ptr_array_set_size (pending, 0);
  g_ptr_array_add (running, a);
  g_ptr_array_add (pending, a_again);
  g_assert_cmpint (pf_scheduler_pick_next (pending, running, 4), ==, -1);
  g_ptr_array_add (pending, c);
  g_assert_cmpint (pf_scheduler_pick_next (pending, running, 4), ==, 1);
  g_ptr_array_add (pending, b);

  /* A full house waits whatever is pending. */
  g_ptr_array_add (running, d);
  g_assert_cmpint (pf_scheduler_pick_next (pending, running, 2), ==, -1);
  g_assert_cmpint (pf_scheduler_pick_next (pending, running, 3), ==, 1);
  g_assert_cmpint (pf_scheduler_pick_next (pending, running, 1), ==, -1);
}

static void
test_failure_notifies (void)
{
  g_autoptr(GError) auth = g_error_new_literal (PF_ERROR, PF_ERROR_AUTH_REJECTED, "[AUTH] no");
  g_autoptr(GError) pin = g_error_new_literal (PF_ERROR, PF_ERROR_CERT_PIN_MISMATCH, "changed");
  g_autoptr(GError) timeout = g_error_new_literal (PF_ERROR, PF_ERROR_TIMEOUT, "slow");
  g_autoptr(GError) refused = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED, "no");
  g_autoptr(GError) cancelled = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, "stop");

  /* Only the user can fix it: at once, and once per streak. */
  g_assert_true (pf_scheduler_failure_notifies (auth, 1));
  g_assert_false (pf_scheduler_failure_notifies (auth, 2));
  g_assert_false (pf_scheduler_failure_notifies (auth, 3));
  g_assert_true (pf_scheduler_failure_notifies (pin, 1));
  g_assert_false (pf_scheduler_failure_notifies (pin, 4));

  /* It may go away by itself: only the third time in a row. */
  for (guint i = 1; i <= 5; i++)
    {
      g_assert_cmpint (pf_scheduler_failure_notifies (timeout, i), ==, i == 3);
      g_assert_cmpint (pf_scheduler_failure_notifies (refused, i), ==, i == 3);
    }

  g_assert_false (pf_scheduler_failure_notifies (cancelled, 1));
  g_assert_false (pf_scheduler_failure_notifies (cancelled, 3));
}

static void
test_next_text (void)
{
  g_autoptr(GTimeZone) utc = g_time_zone_new_utc ();
  g_autoptr(GDateTime) now = g_date_time_new (utc, 2026, 12, 3, 10, 0, 0);
  g_autoptr(GDateTime) soon = g_date_time_new (utc, 2026, 12, 3, 10, 15, 0);
  g_autoptr(GDateTime) tomorrow = g_date_time_new (utc, 2026, 12, 4, 0, 5, 0);
  g_autofree char *today_text = pf_scheduler_format_next (PF_SCHEDULE_WAITING, soon, now);
  g_autofree char *tomorrow_text = pf_scheduler_format_next (PF_SCHEDULE_WAITING, tomorrow, now);
  g_autofree char *offline = pf_scheduler_format_next (PF_SCHEDULE_OFFLINE, soon, now);
  g_autofree char *metered = pf_scheduler_format_next (PF_SCHEDULE_METERED, soon, now);

  g_assert_cmpstr (today_text, ==, "Next fetch at 10:15:00");
  g_assert_cmpstr (tomorrow_text, ==, "Next fetch at 12/04/26 00:05:00");
  g_assert_cmpstr (offline, ==, "Next fetch when the network is back");
  g_assert_cmpstr (metered, ==, "Next fetch on a network that is not metered");
  g_assert_null (pf_scheduler_format_next (PF_SCHEDULE_OFF, soon, now));
}

static void
test_autostart_entry (void)
{
  const char *programs[] = { "/usr/bin/popfetch", "/home/a b/build/popfetch", "/opt/$x/pop\"fetch" };

  for (guint i = 0; i < G_N_ELEMENTS (programs); i++)
    {
      g_autofree char *contents = pf_autostart_entry_contents (programs[i]);
      g_autoptr(GKeyFile) key_file = g_key_file_new ();
      g_autoptr(GError) error = NULL;
      g_autofree char *exec = NULL;
      g_autofree char *type = NULL;
      g_auto(GStrv) argv = NULL;

      g_assert_true (g_key_file_load_from_data (key_file, contents, -1, G_KEY_FILE_NONE, &error));
      g_assert_no_error (error);
      g_assert_cmpstr (g_key_file_get_start_group (key_file), ==, "Desktop Entry");
      exec = g_key_file_get_string (key_file, "Desktop Entry", "Exec", &error);
      g_assert_no_error (error);
      /* The Exec key's quoting is the shell's, for what it allows. */
      g_assert_true (g_shell_parse_argv (exec, NULL, &argv, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (g_strv_length (argv), ==, 2);
      g_assert_cmpstr (argv[0], ==, programs[i]);
      g_assert_cmpstr (argv[1], ==, "--background");
      g_assert_true (g_key_file_get_boolean (key_file, "Desktop Entry", "X-GNOME-Autostart-enabled", NULL));
      type = g_key_file_get_value (key_file, "Desktop Entry", "Type", NULL);
      g_assert_cmpstr (type, ==, "Application");
    }
}

int
main (int   argc,
      char *argv[])
{
  /* The time formats under test are the C locale's. */
  setlocale (LC_ALL, "C");
  g_setenv ("LANGUAGE", "C", TRUE);
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/ui/scheduler/one-per-mailbox-a-few-at-a-time", test_pick_next);
  g_test_add_func ("/ui/scheduler/failures-notify-without-nagging", test_failure_notifies);
  g_test_add_func ("/ui/scheduler/next-fetch-text", test_next_text);
  g_test_add_func ("/ui/autostart/entry-runs-this-program-in-background", test_autostart_entry);

  return g_test_run ();
}
