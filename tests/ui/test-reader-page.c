/* test-reader-page.c — the account page's message list, in-process with
 * GTK under Xvfb: opening accounts one after another
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>

#include "pf-account-page.h"
#include "pf-account-status.h"
#include "pf-index.h"
#include "pf-paths.h"

#include "pf-test-util.h"

static gboolean have_display;

static char *
make_maildir (const char *root,
              const char *name,
              guint       count)
{
  char *maildir = g_build_filename (root, name, NULL);

  for (guint i = 0; i < 3; i++)
    {
      const char *sub[] = { "new", "cur", "tmp" };
      g_autofree char *dir = g_build_filename (maildir, sub[i], NULL);

      g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
    }
  for (guint i = 0; i < count; i++)
    {
      g_autofree char *file = g_strdup_printf ("%s/cur/%u.M%uP1Q1.test:2,S", maildir, 1700000000 + i, i);
      g_autofree char *text = g_strdup_printf ("From: %s <a@example.org>\nSubject: %s %u\n"
                                               "Message-ID: <%s%u@t>\n\nHello.\n", name, name, i, name, i);

      g_assert_true (g_file_set_contents (file, text, -1, NULL));
    }
  return maildir;
}

/* The index of @maildir built beforehand, as an earlier run left it. */
static void
build_index (const char *maildir)
{
  g_autofree char *state = pf_paths_state_dir ();
  g_autofree char *path = pf_index_path_for_maildir (state, maildir);
  g_autoptr(PfIndex) index = pf_index_new (path, maildir);
  g_autoptr(GError) error = NULL;

  g_assert_true (pf_index_update (index, FALSE, NULL, NULL, &error));
  g_assert_no_error (error);
}

static PfAccountStatus *
status_for (const char *name,
            const char *maildir)
{
  g_autoptr(PfAccount) account = pf_account_new (name);

  pf_account_set_maildir (account, maildir);
  return pf_account_status_new (account);
}

static GtkListView *
find_list_view (GtkWidget *widget)
{
  if (GTK_IS_LIST_VIEW (widget))
    return GTK_LIST_VIEW (widget);
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child; child = gtk_widget_get_next_sibling (child))
    {
      GtkListView *found = find_list_view (child);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static guint
listed (GtkListView *list)
{
  return g_list_model_get_n_items (G_LIST_MODEL (gtk_list_view_get_model (list)));
}

static void
wait_for_count (GtkListView *list,
                guint        count)
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  while (listed (list) != count && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, FALSE);
  g_assert_cmpuint (listed (list), ==, count);
}

static void
test_switch_while_listing (void)
{
  g_autofree char *root = NULL;
  g_autofree char *big = NULL;
  g_autofree char *small = NULL;
  g_autoptr(PfAccountStatus) big_status = NULL;
  g_autoptr(PfAccountStatus) small_status = NULL;
  GtkWidget *page;
  GtkListView *list;

  if (!have_display)
    {
      g_test_skip ("no display");
      return;
    }

  root = g_dir_make_tmp ("pf-reader-page-XXXXXX", NULL);
  big = make_maildir (root, "Big", 8000);
  small = make_maildir (root, "Small", 3);
  build_index (big);
  build_index (small);

  page = g_object_ref_sink (g_object_new (PF_TYPE_ACCOUNT_PAGE, NULL));
  list = find_list_view (page);
  g_assert_nonnull (list);

  /* The big account opens: its first rows come, and the query of its
   * whole list starts. */
  big_status = status_for ("Big", big);
  pf_account_page_set_status (PF_ACCOUNT_PAGE (page), big_status);
  while (listed (list) == 0)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (listed (list), <, 8000);

  /* Another account opened before that list came: its own list shows,
   * whichever query ends first. */
  small_status = status_for ("Small", small);
  pf_account_page_set_status (PF_ACCOUNT_PAGE (page), small_status);
  wait_for_count (list, 3);

  /* And the big one again, whole. */
  pf_account_page_set_status (PF_ACCOUNT_PAGE (page), big_status);
  wait_for_count (list, 8000);

  g_object_unref (page);
  pf_test_remove_tree (root);
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

  g_test_add_func ("/ui/reader-page/switch-while-listing", test_switch_while_listing);

  return g_test_run ();
}
