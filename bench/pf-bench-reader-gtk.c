/* pf-bench-reader-gtk.c — opening an account to its first painted rows
 * in the app's own account page (PfAccountPage: its list, its rows, its
 * query and index update), under Xvfb
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 *   xvfb-run -a pf-bench-reader-gtk STATE_DIR MAILDIR
 *
 * STATE_DIR holds the index already built (pf-bench-reader STATE_DIR
 * MAILDIR build). The page first shows an empty account (its peak RSS is
 * the baseline), then the account of MAILDIR: the time from giving the
 * page the account to the end of the first frame painted with rows in its
 * list, and the peak RSS then, are printed; then when the whole list was
 * in the view (the page shows its first rows before).
 */

#include "config.h"

#include <stdio.h>
#include <sys/resource.h>
#include <unistd.h>

#include <adwaita.h>
#include <glib/gstdio.h>

#include "pf-account-page.h"
#include "pf-account-status.h"
#include "pf-index.h"

static gint64 start;
static gboolean painted;
static GMainLoop *loop;
static GtkWidget *list;
static gint64 last_change;

static long
peak_rss_kib (void)
{
  struct rusage usage;

  getrusage (RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

static GtkWidget *
find_list_view (GtkWidget *widget)
{
  if (GTK_IS_LIST_VIEW (widget))
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_list_view (child);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static void
on_after_paint (GdkFrameClock *clock,
                gpointer       user_data)
{
  GListModel *model;

  if (painted || start == 0 || list == NULL || !gtk_widget_get_mapped (list))
    return;
  model = G_LIST_MODEL (gtk_list_view_get_model (GTK_LIST_VIEW (list)));
  if (model == NULL || g_list_model_get_n_items (model) == 0 || gtk_widget_get_first_child (list) == NULL)
    return;
  painted = TRUE;
  printf ("first rows painted\t%.3f s\t%u rows listed\t%ld KiB peak RSS\n",
          (g_get_monotonic_time () - start) / 1e6, g_list_model_get_n_items (model), peak_rss_kib ());
  g_main_loop_quit (loop);
}

static void
on_items_changed (GListModel *model,
                  guint       position,
                  guint       removed,
                  guint       added)
{
  if (start != 0)
    last_change = g_get_monotonic_time ();
}

static void
settle (void)
{
  for (guint i = 0; i < 5; i++)
    {
      while (g_main_context_iteration (NULL, FALSE))
        ;
      g_usleep (100000);
    }
}

static PfAccountStatus *
account (const char *name,
         const char *maildir)
{
  g_autoptr(PfAccount) account = pf_account_new (name);

  pf_account_set_maildir (account, maildir);
  return pf_account_status_new (account);
}

int
main (int    argc,
      char **argv)
{
  g_autofree char *tmp = NULL;
  g_autofree char *link = NULL;
  g_autofree char *state = NULL;
  g_autofree char *empty = NULL;
  g_autoptr(PfAccountStatus) empty_status = NULL;
  g_autoptr(PfAccountStatus) full_status = NULL;
  GtkWidget *window, *overlay, *page;
  long empty_rss;

  if (argc < 3)
    {
      g_printerr ("usage: %s STATE_DIR MAILDIR\n", argv[0]);
      return 2;
    }

  /* The page finds the index in $XDG_STATE_HOME/popfetch/reader: point
   * that at STATE_DIR, before GLib reads the variable. */
  tmp = g_dir_make_tmp ("pf-bench-gtk-XXXXXX", NULL);
  state = g_canonicalize_filename (argv[1], NULL);
  link = g_build_filename (tmp, "popfetch", NULL);
  if (tmp == NULL || symlink (state, link) != 0)
    {
      g_printerr ("could not prepare %s\n", tmp ? tmp : "a temporary directory");
      return 1;
    }
  g_setenv ("XDG_STATE_HOME", tmp, TRUE);
  empty = g_build_filename (tmp, "empty", NULL);
  for (guint i = 0; i < 3; i++)
    {
      const char *sub[] = { "new", "cur", "tmp" };
      g_autofree char *dir = g_build_filename (empty, sub[i], NULL);

      g_mkdir_with_parents (dir, 0700);
    }

  adw_init ();
  loop = g_main_loop_new (NULL, FALSE);

  /* The page with an empty account first: what an empty account costs. */
  window = gtk_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (window), 720, 800);
  overlay = adw_toast_overlay_new ();
  page = g_object_new (PF_TYPE_ACCOUNT_PAGE, NULL);
  adw_toast_overlay_set_child (ADW_TOAST_OVERLAY (overlay), page);
  gtk_window_set_child (GTK_WINDOW (window), overlay);
  empty_status = account ("Empty", empty);
  pf_account_page_set_status (PF_ACCOUNT_PAGE (page), empty_status);
  gtk_window_present (GTK_WINDOW (window));
  settle ();
  empty_rss = peak_rss_kib ();
  printf ("empty account\t%ld KiB peak RSS\n", empty_rss);

  /* Then the account: from the page being given it to its rows painted. */
  list = find_list_view (page);
  g_signal_connect (gtk_list_view_get_model (GTK_LIST_VIEW (list)), "items-changed",
                    G_CALLBACK (on_items_changed), NULL);
  g_signal_connect (gtk_widget_get_frame_clock (window), "after-paint", G_CALLBACK (on_after_paint), NULL);
  full_status = account ("Bench", argv[2]);
  start = g_get_monotonic_time ();
  pf_account_page_set_status (PF_ACCOUNT_PAGE (page), full_status);
  g_main_loop_run (loop);
  /* Whatever the page does next (the update that follows opening) counts
   * too. */
  settle ();
  printf ("whole list in the view\t%.3f s\t%u rows listed\n", (last_change - start) / 1e6,
          g_list_model_get_n_items (G_LIST_MODEL (gtk_list_view_get_model (GTK_LIST_VIEW (list)))));
  printf ("memory growth over the empty account\t%ld KiB\n", peak_rss_kib () - empty_rss);

  gtk_window_destroy (GTK_WINDOW (window));
  /* The empty account's index goes with it. */
  {
    g_autofree char *index_path = pf_index_path_for_maildir (state, empty);
    const char *suffixes[] = { "", "-wal", "-shm" };

    for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
      {
        g_autofree char *file = g_strconcat (index_path, suffixes[i], NULL);

        g_unlink (file);
      }
  }
  g_unlink (link);
  for (guint i = 0; i < 3; i++)
    {
      const char *sub[] = { "new", "cur", "tmp" };
      g_autofree char *dir = g_build_filename (empty, sub[i], NULL);

      g_rmdir (dir);
    }
  g_rmdir (empty);
  g_rmdir (tmp);
  return 0;
}
