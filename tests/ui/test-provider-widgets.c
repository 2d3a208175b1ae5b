/* test-provider-widgets.c — the provider's word in the app's widgets, in
 * process under Xvfb: the setup hints, a probe row naming the provider's
 * server and its other names, the server panel's summary line
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <locale.h>
#include <string.h>

#include "pf-probe-row.h"
#include "pf-provider-hints.h"
#include "pf-server-panel.h"
#include "pf-test-util.h"

static gboolean have_display;

/* Whether a visible label under @root reads @text. */
static gboolean
shows_label (GtkWidget  *root,
             const char *text)
{
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      if (!gtk_widget_get_visible (child))
        continue;
      if (GTK_IS_LABEL (child) && g_strcmp0 (gtk_label_get_label (GTK_LABEL (child)), text) == 0)
        return TRUE;
      if (shows_label (child, text))
        return TRUE;
    }
  return FALSE;
}

static void
count_notify (int *count)
{
  (*count)++;
}

static void
test_hints (void)
{
  GtkWidget *hints;
  int blocked = 0;

  if (!pf_test_require (have_display, "REQUIRE_DISPLAY", "no display"))
    return;

  hints = g_object_ref_sink (pf_provider_hints_new ());
  g_signal_connect_swapped (hints, "notify::blocks-setup", G_CALLBACK (count_notify), &blocked);
  g_assert_false (gtk_widget_get_visible (hints));

  /* No POP3: said, blocking, and none of the how-to rows. */
  pf_provider_hints_set_provider (PF_PROVIDER_HINTS (hints), pf_provider_lookup_id ("icloud"));
  g_assert_true (gtk_widget_get_visible (hints));
  g_assert_true (pf_provider_hints_get_blocks_setup (PF_PROVIDER_HINTS (hints)));
  g_assert_cmpint (blocked, ==, 1);
  g_assert_true (shows_label (hints, "iCloud Mail does not offer POP3; use IMAP in a mail client."));
  g_assert_false (shows_label (hints, "Use an App Password"));

  /* Yahoo: the app password, setup goes on. */
  pf_provider_hints_set_provider (PF_PROVIDER_HINTS (hints), pf_provider_lookup_id ("yahoo"));
  g_assert_false (pf_provider_hints_get_blocks_setup (PF_PROVIDER_HINTS (hints)));
  g_assert_cmpint (blocked, ==, 2);
  g_assert_true (shows_label (hints, "Use an App Password"));
  g_assert_false (shows_label (hints, "Switch POP3 On First"));

  /* Outlook.com: POP3 off until switched on, and only its own sign-in. */
  pf_provider_hints_set_provider (PF_PROVIDER_HINTS (hints), pf_provider_lookup_id ("outlook"));
  g_assert_true (shows_label (hints, "Switch POP3 On First"));
  g_assert_true (shows_label (hints, "Sign In with the Provider"));
  g_assert_true (shows_label (hints, "Outlook.com accepts only its own sign-in for POP3; the account password is refused."));
  g_assert_false (shows_label (hints, "Use an App Password"));

  pf_provider_hints_set_provider (PF_PROVIDER_HINTS (hints), NULL);
  g_assert_false (gtk_widget_get_visible (hints));
  g_assert_cmpint (blocked, ==, 2);
  g_object_unref (hints);
}

static void
test_probe_row_provider_and_aliases (void)
{
  g_autoptr(PfProbe) named = pf_probe_new ("pop.gmail.com", 995, PF_SECURITY_TLS, PF_PROBE_SOURCE_PROVIDER, 0);
  g_autoptr(PfProbe) guessed = pf_probe_new ("pop.example.org", 995, PF_SECURITY_TLS, PF_PROBE_SOURCE_GUESS, 1);
  GtkWidget *row, *other;

  if (!pf_test_require (have_display, "REQUIRE_DISPLAY", "no display"))
    return;

  /* The provider detection found, not the first one that lists the host
   * (Google Workspace lists pop.gmail.com before Gmail does). */
  row = g_object_ref_sink (pf_probe_row_new (named));
  pf_probe_row_set_provider (PF_PROBE_ROW (row), pf_provider_lookup_id ("gmail"));
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), ==,
                   "The POP3 server Gmail names for its mail");
  pf_probe_row_set_aliases (PF_PROBE_ROW (row), "pop3.gmail.com");
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), ==,
                   "The POP3 server Gmail names for its mail\nAlso reachable as pop3.gmail.com");

  /* A guessed server is not the provider's word. */
  other = g_object_ref_sink (pf_probe_row_new (guessed));
  pf_probe_row_set_provider (PF_PROBE_ROW (other), pf_provider_lookup_id ("gmail"));
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (other)), ==, "");

  g_object_unref (row);
  g_object_unref (other);
}

static void
test_server_summary (void)
{
  g_autoptr(PfServerView) view = pf_server_view_new ();
  g_autoptr(GPtrArray) over = g_ptr_array_new_with_free_func ((GDestroyNotify) pf_server_message_free);
  g_autofree char *none = NULL;
  g_autofree char *three = NULL;
  g_autofree char *one = NULL;

  pf_server_view_set_counts (view, 1204, 1300000000, 1201);
  none = pf_server_panel_format_summary (view);
  g_assert_cmpstr (none, ==, "On the server: 1204 messages, 1.3\u00a0GB");

  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *uid = g_strdup_printf ("uid-%u", i);

      g_ptr_array_add (over, pf_server_message_new (uid, 20000000));
    }
  pf_server_view_take_over_limit (view, g_steal_pointer (&over));
  three = pf_server_panel_format_summary (view);
  g_assert_cmpstr (three, ==, "On the server: 1204 messages, 1.3\u00a0GB; 3 over your size limit");

  pf_server_view_set_counts (view, 1, 2048, 0);
  one = pf_server_panel_format_summary (view);
  g_assert_cmpstr (one, ==, "On the server: 1 message, 2.0\u00a0kB; 3 over your size limit");
}

int
main (int   argc,
      char *argv[])
{
  /* GTK reads its settings schemas from the system data directories,
   * which G_TEST_OPTION_ISOLATE_DIRS hides: start it first. */
  have_display = gtk_init_check ();
  if (have_display)
    adw_init ();

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  /* Messages in English, numbers without grouping: the strings compared. */
  setlocale (LC_ALL, "C.UTF-8");

  g_test_add_func ("/ui/setup/provider-hints", test_hints);
  g_test_add_func ("/ui/setup/probe-row/provider-word-and-aliases", test_probe_row_provider_and_aliases);
  g_test_add_func ("/ui/pure/server-summary", test_server_summary);

  return g_test_run ();
}
