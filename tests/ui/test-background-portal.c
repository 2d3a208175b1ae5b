/* test-background-portal.c — the Background portal request Popfetch makes inside Flatpak
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 *   dbus-run-session -- test-background-portal PYTHON PF-BACKGROUND-PORTAL.PY
 *
 * The app asks the portal only when it runs inside Flatpak, which it knows
 * from /.flatpak-info (GLib's own check), a file a test cannot put there.
 * So this test calls the request the app makes, with the app's arguments,
 * against a stand-in portal on the private session bus that writes down
 * every call (pf-background-portal.py), and checks what reached the bus.
 */

#include "config.h"

#include <glib/gstdio.h>

#include "pf-autostart.h"

static const char *python;
static const char *portal_script;

typedef struct
{
  GSubprocess *portal;
  char        *dir;
  char        *record;
  GDBusConnection *bus;
} Fixture;

static void
start_portal (Fixture    *fixture,
              const char *mode)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autofree char *line = NULL;

  fixture->dir = g_dir_make_tmp ("pf-portal-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->record = g_build_filename (fixture->dir, "calls.jsonl", NULL);
  fixture->portal = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error,
                                      python, portal_script, fixture->record, mode, NULL);
  g_assert_no_error (error);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (fixture->portal));
  line = g_data_input_stream_read_line_utf8 (out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (line, ==, "READY");

  fixture->bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, &error);
  g_assert_no_error (error);
}

static void
stop_portal (Fixture *fixture)
{
  g_subprocess_force_exit (fixture->portal);
  g_subprocess_wait (fixture->portal, NULL, NULL);
  g_clear_object (&fixture->portal);
  g_clear_object (&fixture->bus);
  g_unlink (fixture->record);
  g_rmdir (fixture->dir);
  g_free (fixture->record);
  g_free (fixture->dir);
}

typedef struct
{
  gboolean done;
  gboolean ok;
  gboolean background;
  gboolean autostart;
  GError  *error;
} Outcome;

static void
on_done (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  Outcome *outcome = user_data;

  outcome->ok = pf_background_portal_request_finish (result, &outcome->background,
                                                     &outcome->autostart, &outcome->error);
  outcome->done = TRUE;
}

static void
request (Fixture  *fixture,
         gboolean  autostart,
         Outcome  *outcome)
{
  /* What the app sends: see on_session_bus() in pf-autostart.c. */
  static const char * const commandline[] = { "popfetch", "--background", NULL };

  pf_background_portal_request_async (fixture->bus, "Popfetch fetches mail in the background and when you log in.",
                                      autostart, commandline, NULL, on_done, outcome);
  while (!outcome->done)
    g_main_context_iteration (NULL, TRUE);
}

/* The @index-th call the stand-in recorded: (sender, parent_window, options). */
static GVariant *
recorded_call (Fixture *fixture,
               guint    index)
{
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GError) error = NULL;
  GVariant *call;

  g_assert_true (g_file_get_contents (fixture->record, &contents, NULL, &error));
  g_assert_no_error (error);
  lines = g_strsplit (g_strstrip (contents), "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), >, index);
  call = g_variant_parse (G_VARIANT_TYPE ("(ssa{sv})"), lines[index], NULL, NULL, &error);
  g_assert_no_error (error);

  return call;
}

static void
check_call (Fixture  *fixture,
            guint     index,
            gboolean  autostart)
{
  g_autoptr(GVariant) call = recorded_call (fixture, index);
  g_autoptr(GVariant) options = g_variant_get_child_value (call, 2);
  g_autofree const char **commandline = NULL;
  const char *sender, *parent_window, *reason = NULL, *token = NULL;
  gboolean asked_autostart = !autostart, activatable = TRUE;

  g_variant_get (call, "(&s&s@a{sv})", &sender, &parent_window, NULL);
  g_assert_cmpstr (sender, ==, g_dbus_connection_get_unique_name (fixture->bus));
  g_assert_cmpstr (parent_window, ==, "");

  g_assert_true (g_variant_lookup (options, "autostart", "b", &asked_autostart));
  g_assert_cmpint (asked_autostart, ==, autostart);
  g_assert_true (g_variant_lookup (options, "commandline", "^a&s", &commandline));
  g_assert_cmpuint (g_strv_length ((char **) commandline), ==, 2);
  g_assert_cmpstr (commandline[0], ==, "popfetch");
  g_assert_cmpstr (commandline[1], ==, "--background");
  g_assert_true (g_variant_lookup (options, "dbus-activatable", "b", &activatable));
  g_assert_false (activatable);
  g_assert_true (g_variant_lookup (options, "reason", "&s", &reason));
  g_assert_cmpstr (reason, !=, "");
  g_assert_true (g_variant_lookup (options, "handle_token", "&s", &token));
  g_assert_true (g_str_has_prefix (token, "popfetch"));
}

static void
test_on_and_off (void)
{
  Fixture fixture = { 0 };
  Outcome on = { 0 }, off = { 0 };

  start_portal (&fixture, "allow");

  /* The switch on: autostart with popfetch --background. */
  request (&fixture, TRUE, &on);
  g_assert_no_error (on.error);
  g_assert_true (on.ok);
  g_assert_true (on.background);
  g_assert_true (on.autostart);
  check_call (&fixture, 0, TRUE);

  /* The switch off: the same request without autostart undoes it. */
  request (&fixture, FALSE, &off);
  g_assert_no_error (off.error);
  g_assert_true (off.ok);
  g_assert_false (off.autostart);
  check_call (&fixture, 1, FALSE);

  stop_portal (&fixture);
}

static void
test_denied (void)
{
  Fixture fixture = { 0 };
  Outcome outcome = { 0 };

  start_portal (&fixture, "deny");
  request (&fixture, TRUE, &outcome);
  g_assert_false (outcome.ok);
  g_assert_error (outcome.error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED);
  g_clear_error (&outcome.error);
  check_call (&fixture, 0, TRUE);
  stop_portal (&fixture);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  if (argc < 3)
    g_error ("usage: test-background-portal PYTHON PF-BACKGROUND-PORTAL.PY");
  python = argv[1];
  portal_script = argv[2];

  g_test_add_func ("/ui/autostart/portal-request-on-and-off", test_on_and_off);
  g_test_add_func ("/ui/autostart/portal-request-denied", test_denied);

  return g_test_run ();
}
