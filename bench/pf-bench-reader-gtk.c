/* pf-bench-reader-gtk.c — opening an account to its first painted rows:
 * the reader library's model in a GtkListView, as the app's list, under
 * Xvfb
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 *   xvfb-run -a pf-bench-reader-gtk STATE_DIR MAILDIR
 *
 * Times from before the query of every id to the end of the first frame
 * painted with rows in it (the index already built: run pf-bench-reader
 * build first), and prints the peak RSS of the process, GTK included, and
 * of an empty list for comparison (the "empty account").
 */

#include "config.h"

#include <stdio.h>
#include <sys/resource.h>

#include <gtk/gtk.h>

#include "pf-index.h"
#include "pf-index-model.h"

static gint64 start;
static gboolean painted;
static GMainLoop *loop;
static guint first_rows;

static long
peak_rss_kib (void)
{
  struct rusage usage;

  getrusage (RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

static void
setup (GtkSignalListItemFactory *factory,
       GtkListItem              *item)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);

  gtk_box_append (GTK_BOX (box), gtk_label_new (NULL));
  gtk_box_append (GTK_BOX (box), gtk_label_new (NULL));
  gtk_list_item_set_child (item, box);
}

static void
bind (GtkSignalListItemFactory *factory,
      GtkListItem              *item)
{
  PfIndexMessage *m = gtk_list_item_get_item (item);
  GtkWidget *box = gtk_list_item_get_child (item);

  gtk_label_set_label (GTK_LABEL (gtk_widget_get_first_child (box)), pf_index_message_get_from (m));
  gtk_label_set_label (GTK_LABEL (gtk_widget_get_last_child (box)), pf_index_message_get_subject (m));
  first_rows++;
}

static void
on_after_paint (GdkFrameClock *clock,
                gpointer       user_data)
{
  if (painted || first_rows == 0)
    return;
  painted = TRUE;
  printf ("first rows painted\t%.3f s\t%u rows bound\t%ld KiB peak RSS\n",
          (g_get_monotonic_time () - start) / 1e6, first_rows, peak_rss_kib ());
  g_main_loop_quit (loop);
}

static void
on_realize (GtkWidget *window)
{
  g_signal_connect (gtk_widget_get_frame_clock (window), "after-paint", G_CALLBACK (on_after_paint), NULL);
}

int
main (int    argc,
      char **argv)
{
  g_autofree char *index_path = NULL;
  g_autoptr(PfIndex) index = NULL;
  g_autoptr(PfIndexModel) model = NULL;
  g_autoptr(GArray) ids = NULL;
  g_autoptr(GError) error = NULL;
  GtkListItemFactory *factory;
  GtkWidget *window, *scrolled, *list;
  long empty_rss;

  if (argc < 3)
    {
      g_printerr ("usage: %s STATE_DIR MAILDIR\n", argv[0]);
      return 2;
    }
  gtk_init ();
  loop = g_main_loop_new (NULL, FALSE);

  /* The window first, empty: what an empty account costs. */
  window = gtk_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (window), 720, 800);
  scrolled = gtk_scrolled_window_new ();
  factory = gtk_signal_list_item_factory_new ();
  g_signal_connect (factory, "setup", G_CALLBACK (setup), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (bind), NULL);
  index_path = pf_index_path_for_maildir (argv[1], argv[2]);
  index = pf_index_new (index_path, argv[2]);
  model = pf_index_model_new (index);
  list = gtk_list_view_new (GTK_SELECTION_MODEL (gtk_single_selection_new (g_object_ref (G_LIST_MODEL (model)))),
                            factory);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), list);
  gtk_window_set_child (GTK_WINDOW (window), scrolled);
  gtk_window_present (GTK_WINDOW (window));
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_usleep (200000);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  empty_rss = peak_rss_kib ();
  printf ("empty list\t%ld KiB peak RSS\n", empty_rss);

  /* Then the account: every id, and the rows the view asks for. */
  g_signal_connect (window, "realize", G_CALLBACK (on_realize), NULL);
  if (gtk_widget_get_realized (window))
    on_realize (window);
  start = g_get_monotonic_time ();
  ids = pf_index_query (index, NULL, FALSE, NULL, &error);
  if (ids == NULL)
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }
  pf_index_model_set_ids (model, ids);
  gtk_widget_queue_draw (list);
  g_main_loop_run (loop);
  printf ("memory growth over the empty list\t%ld KiB\n", peak_rss_kib () - empty_rss);
  return 0;
}
