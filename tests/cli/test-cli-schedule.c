/* test-cli-schedule.c — popfetch-cli schedule against a stand-in systemctl
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The test puts a `systemctl` first on PATH that writes down its arguments
 * (one call a line) and answers `show` like a user manager; with
 * SYSTEMCTL_FAIL set it fails as systemctl does with no user manager.
 */

#include "config.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

#include "pf-test-cli.h"
#include "pf-test-util.h"

#define STANDIN \
  "#!/bin/sh\n" \
  "printf '%s\\n' \"$*\" >> \"$SYSTEMCTL_RECORD\"\n" \
  "if [ -n \"$SYSTEMCTL_FAIL\" ]; then\n" \
  "  echo 'Failed to connect to bus: No medium found' >&2\n" \
  "  exit 1\n" \
  "fi\n" \
  "case \" $* \" in\n" \
  "  *' show '*) printf 'UnitFileState=enabled\\nActiveState=active\\n" \
  "NextElapseUSecRealtime=Thu 2026-12-03 11:15:00 UTC\\nLastTriggerUSec=Thu 2026-12-03 11:00:00 UTC\\n' ;;\n" \
  "esac\n"

typedef struct
{
  char *bin;
  char *record;
  char *path;
  char *units;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autofree char *script = NULL;

  f->bin = g_build_filename (g_get_user_runtime_dir (), "standin-bin", NULL);
  script = g_build_filename (f->bin, "systemctl", NULL);
  f->record = g_build_filename (g_get_user_runtime_dir (), "systemctl-calls", NULL);
  f->units = g_build_filename (g_get_user_config_dir (), "systemd", "user", NULL);
  g_assert_cmpint (g_mkdir_with_parents (f->bin, 0700), ==, 0);
  g_assert_true (g_file_set_contents (script, STANDIN, -1, NULL));
  g_assert_cmpint (g_chmod (script, 0755), ==, 0);
  f->path = g_strdup_printf ("PATH=%s:%s", f->bin, g_getenv ("PATH"));
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_free (f->bin);
  g_free (f->record);
  g_free (f->path);
  g_free (f->units);
}

static void
run_schedule (Fixture    *f,
              PfTestRun  *run,
              gboolean    manager,
              const char *action,
              const char *interval)
{
  g_autofree char *record = g_strdup_printf ("SYSTEMCTL_RECORD=%s", f->record);
  const char *env[] = { f->path, record, manager ? "SYSTEMCTL_FAIL" : "SYSTEMCTL_FAIL=1", NULL };
  const char *argv[] = { "schedule", action, interval != NULL ? "--interval" : NULL, interval, NULL };

  g_unlink (f->record);
  pf_test_run_cli_env (run, NULL, env, argv);
}

static char *
calls (Fixture *f)
{
  char *text = NULL;

  if (!g_file_get_contents (f->record, &text, NULL, NULL))
    return g_strdup ("");
  return text;
}

static char *
unit (Fixture    *f,
      const char *name)
{
  g_autofree char *path = g_build_filename (f->units, name, NULL);
  char *text = NULL;

  if (!g_file_get_contents (path, &text, NULL, NULL))
    return NULL;
  return text;
}

/* The units written pass systemd-analyze verify without a warning. */
static void
assert_units_verify (Fixture *f)
{
  g_autofree char *timer = g_build_filename (f->units, "popfetch-fetch.timer", NULL);
  g_autofree char *service = g_build_filename (f->units, "popfetch-fetch.service", NULL);
  g_autofree char *runtime = g_build_filename (g_get_user_runtime_dir (), "verify", NULL);
  g_autofree char *env_runtime = g_strdup_printf ("XDG_RUNTIME_DIR=%s", runtime);
  g_autofree char *env_home = g_strdup_printf ("HOME=%s", g_get_home_dir ());
  g_autofree char *env_path = g_strdup_printf ("PATH=%s", g_getenv ("PATH"));
  /* Only what systemd-analyze --user needs: no test's XDG directories. */
  const char *argv[] = { "env", "-i", env_path, env_home, env_runtime, "systemd-analyze", "verify", "--user", "--man=no",
                         timer, service, NULL };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int status;

  if (!pf_test_require_program ("systemd-analyze", "REQUIRE_SYSTEMD"))
    return;
  g_assert_cmpint (g_mkdir_with_parents (runtime, 0700), ==, 0);
  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                               &out, &err, &status, NULL));
  g_test_message ("systemd-analyze verify: %s%s", out, err);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  g_assert_cmpstr (out, ==, "");
  g_assert_cmpstr (err, ==, "");
}

static void
test_enable (Fixture       *f,
             gconstpointer  data)
{
  g_auto(PfTestRun) run = { 0 };
  g_autofree char *service = NULL;
  g_autofree char *timer = NULL;
  g_autofree char *made = NULL;
  g_autofree char *real_exec = NULL;

  run_schedule (f, &run, TRUE, "enable", "20");
  g_assert_cmpint (run.status, ==, 0);
  g_assert_nonnull (strstr (run.out, "every 20 minutes"));
  g_assert_nonnull (strstr (run.out, "Ran “systemctl --user daemon-reload” and "
                                     "“systemctl --user enable --now popfetch-fetch.timer”."));

  service = unit (f, "popfetch-fetch.service");
  timer = unit (f, "popfetch-fetch.timer");
  g_assert_nonnull (service);
  g_assert_nonnull (timer);
  /* The program that wrote it, by its real path. */
  {
    char resolved[PATH_MAX];

    g_assert_nonnull (realpath (pf_test_cli_path (), resolved));
    real_exec = g_strdup_printf ("\nExecStart=\"%s\" fetch --quiet --notify\n", resolved);
  }
  g_assert_nonnull (strstr (service, real_exec));
  g_assert_nonnull (strstr (service, "\nType=oneshot\n"));
  g_assert_nonnull (strstr (timer, "\nOnUnitActiveSec=20min\n"));
  g_assert_nonnull (strstr (timer, "\nOnCalendar=*:0/20\n"));
  g_assert_nonnull (strstr (timer, "\nPersistent=true\n"));
  g_assert_nonnull (strstr (timer, "\nWantedBy=timers.target\n"));

  made = calls (f);
  g_assert_cmpstr (made, ==, "--user daemon-reload\n--user enable --now popfetch-fetch.timer\n");
  assert_units_verify (f);
}

/* Without --interval: the shortest interval an account saved; without
 * one, 15 minutes. */
static void
test_enable_saved_interval (Fixture       *f,
                            gconstpointer  data)
{
  g_autofree char *file = pf_test_accounts_file ();
  g_autofree char *dir = g_path_get_dirname (file);
  g_autofree char *timer = NULL;
  g_autofree char *timer_default = NULL;

  {
    g_auto(PfTestRun) run = { 0 };

    run_schedule (f, &run, TRUE, "enable", NULL);
    g_assert_cmpint (run.status, ==, 0);
    timer_default = unit (f, "popfetch-fetch.timer");
    g_assert_nonnull (strstr (timer_default, "\nOnUnitActiveSec=15min\n"));
    g_assert_nonnull (strstr (timer_default, "\nOnCalendar=*:0/15\n"));
  }

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_assert_true (g_file_set_contents (file,
                                      "[Account a]\naddress=a@example.org\nhost=pop.example.org\n"
                                      "port=995\nsecurity=tls\nuser=a\ninterval=30\n\n"
                                      "[Account b]\naddress=b@example.org\nhost=pop.example.org\n"
                                      "port=995\nsecurity=tls\nuser=b\ninterval=5\n\n"
                                      "[Account c]\naddress=c@example.org\nhost=pop.example.org\n"
                                      "port=995\nsecurity=tls\nuser=c\ninterval=0\n", -1, NULL));
  {
    g_auto(PfTestRun) run = { 0 };

    run_schedule (f, &run, TRUE, "enable", NULL);
    g_assert_cmpint (run.status, ==, 0);
    timer = unit (f, "popfetch-fetch.timer");
    g_assert_nonnull (strstr (timer, "\nOnUnitActiveSec=5min\n"));
  }
}

static void
test_disable (Fixture       *f,
              gconstpointer  data)
{
  g_auto(PfTestRun) enable = { 0 };
  g_auto(PfTestRun) disable = { 0 };
  g_autofree char *made = NULL;
  g_autofree char *service = NULL;
  g_autofree char *timer = NULL;

  run_schedule (f, &enable, TRUE, "enable", NULL);
  g_assert_cmpint (enable.status, ==, 0);
  run_schedule (f, &disable, TRUE, "disable", NULL);
  g_assert_cmpint (disable.status, ==, 0);
  g_assert_nonnull (strstr (disable.out, "Ran “systemctl --user disable --now popfetch-fetch.timer”"));
  made = calls (f);
  g_assert_cmpstr (made, ==, "--user disable --now popfetch-fetch.timer\n--user daemon-reload\n");
  service = unit (f, "popfetch-fetch.service");
  timer = unit (f, "popfetch-fetch.timer");
  g_assert_null (service);
  g_assert_null (timer);
}

static void
test_status (Fixture       *f,
             gconstpointer  data)
{
  g_auto(PfTestRun) before = { 0 };
  g_auto(PfTestRun) enable = { 0 };
  g_auto(PfTestRun) status = { 0 };
  g_autofree char *made = NULL;

  run_schedule (f, &before, TRUE, "status", NULL);
  g_assert_cmpint (before.status, ==, 0);
  g_assert_nonnull (strstr (before.out, "not set up"));

  run_schedule (f, &enable, TRUE, "enable", "10");
  run_schedule (f, &status, TRUE, "status", NULL);
  g_assert_cmpint (status.status, ==, 0);
  g_assert_nonnull (strstr (status.out, "every 10 minutes"));
  g_assert_nonnull (strstr (status.out, "Enabled: enabled\n"));
  g_assert_nonnull (strstr (status.out, "Active: active\n"));
  g_assert_nonnull (strstr (status.out, "Next fetch: Thu 2026-12-03 11:15:00 UTC\n"));
  g_assert_nonnull (strstr (status.out, "Last fetch: Thu 2026-12-03 11:00:00 UTC\n"));
  made = calls (f);
  g_assert_true (g_str_has_prefix (made, "--user show popfetch-fetch.timer "));
}

/* No user manager: the units are written, the one line to run is printed
 * on stdout, and the exit status says the service is unavailable. */
static void
test_no_manager (Fixture       *f,
                 gconstpointer  data)
{
  g_auto(PfTestRun) enable = { 0 };
  g_auto(PfTestRun) disable = { 0 };
  g_autofree char *timer = NULL;

  run_schedule (f, &enable, FALSE, "enable", NULL);
  g_assert_cmpint (enable.status, ==, 69);
  g_assert_nonnull (strstr (enable.err, "No systemd user manager answered"));
  g_assert_nonnull (strstr (enable.err, "Failed to connect to bus"));
  g_assert_true (g_str_has_suffix (enable.out, "\nsystemctl --user enable --now popfetch-fetch.timer\n"));
  timer = unit (f, "popfetch-fetch.timer");
  g_assert_nonnull (timer);

  run_schedule (f, &disable, FALSE, "disable", NULL);
  g_assert_cmpint (disable.status, ==, 69);
  g_assert_cmpstr (disable.out, ==, "systemctl --user disable --now popfetch-fetch.timer\n");
}

static void
test_usage (Fixture       *f,
            gconstpointer  data)
{
  g_auto(PfTestRun) none = { 0 };
  g_auto(PfTestRun) bad = { 0 };
  g_auto(PfTestRun) interval = { 0 };

  run_schedule (f, &none, TRUE, NULL, NULL);
  g_assert_cmpint (none.status, ==, 64);
  run_schedule (f, &bad, TRUE, "sometimes", NULL);
  g_assert_cmpint (bad.status, ==, 64);
  run_schedule (f, &interval, TRUE, "enable", "-3");
  g_assert_cmpint (interval.status, ==, 64);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add ("/cli/schedule/enable", Fixture, NULL, fixture_set_up, test_enable, fixture_tear_down);
  g_test_add ("/cli/schedule/enable/saved-interval", Fixture, NULL, fixture_set_up,
              test_enable_saved_interval, fixture_tear_down);
  g_test_add ("/cli/schedule/disable", Fixture, NULL, fixture_set_up, test_disable, fixture_tear_down);
  g_test_add ("/cli/schedule/status", Fixture, NULL, fixture_set_up, test_status, fixture_tear_down);
  g_test_add ("/cli/schedule/no-manager", Fixture, NULL, fixture_set_up, test_no_manager,
              fixture_tear_down);
  g_test_add ("/cli/schedule/usage", Fixture, NULL, fixture_set_up, test_usage, fixture_tear_down);
  return g_test_run ();
}
