/* pf-bench-reader.c — the reading benchmark's timings, through the same
 * library the app uses (src/reader), without GTK
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 *   pf-bench-reader STATE_DIR MAILDIR build          index from scratch
 *   pf-bench-reader STATE_DIR MAILDIR update         an update, nothing new
 *   pf-bench-reader STATE_DIR MAILDIR open           list + the first 40 rows
 *   pf-bench-reader STATE_DIR MAILDIR search QUERY   header search
 *   pf-bench-reader STATE_DIR MAILDIR body QUERY     header + body search
 *   pf-bench-reader STATE_DIR MAILDIR conversations  every conversation, grouped
 *
 * Prints one line: what, seconds, rows, peak RSS in KiB.
 */

#include "config.h"

#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

#include <glib/gstdio.h>

#include "pf-index.h"
#include "pf-index-model.h"

#define FIRST_ROWS 40

static long
peak_rss_kib (void)
{
  struct rusage usage;

  getrusage (RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

int
main (int    argc,
      char **argv)
{
  g_autofree char *index_path = NULL;
  g_autoptr(PfIndex) index = NULL;
  g_autoptr(GError) error = NULL;
  const char *mode;
  gint64 start, end;
  guint rows = 0;

  if (argc < 4)
    {
      g_printerr ("usage: %s STATE_DIR MAILDIR build|update|open|conversations|search QUERY|body QUERY\n", argv[0]);
      return 2;
    }
  mode = argv[3];
  index_path = pf_index_path_for_maildir (argv[1], argv[2]);

  if (g_str_equal (mode, "build"))
    {
      g_autofree char *wal = g_strconcat (index_path, "-wal", NULL);
      g_autofree char *shm = g_strconcat (index_path, "-shm", NULL);

      g_unlink (index_path);
      g_unlink (wal);
      g_unlink (shm);
    }

  start = g_get_monotonic_time ();
  index = pf_index_new (index_path, argv[2]);

  if (g_str_equal (mode, "build") || g_str_equal (mode, "update"))
    {
      PfIndexStats stats;

      if (!pf_index_update (index, TRUE, &stats, NULL, &error))
        {
          g_printerr ("%s\n", error->message);
          return 1;
        }
      rows = stats.added;
    }
  else if (g_str_equal (mode, "open"))
    {
      g_autoptr(PfIndexModel) model = pf_index_model_new (index);
      g_autoptr(GArray) ids = pf_index_query (index, NULL, FALSE, NULL, &error);

      if (ids == NULL)
        {
          g_printerr ("%s\n", error->message);
          return 1;
        }
      pf_index_model_set_ids (model, ids);
      /* What a list view asks for its first screen. */
      for (guint i = 0; i < FIRST_ROWS && i < ids->len; i++)
        {
          g_autoptr(PfIndexMessage) m = g_list_model_get_item (G_LIST_MODEL (model), i);

          g_assert (m != NULL && pf_index_message_get_subject (m) != NULL);
        }
      rows = ids->len;
    }
  else if (g_str_equal (mode, "conversations"))
    {
      g_autoptr(GArray) list = pf_index_query_conversations (index, NULL, FALSE, NULL, &error);

      if (list == NULL)
        {
          g_printerr ("%s\n", error->message);
          return 1;
        }
      rows = list->len;
    }
  else if ((g_str_equal (mode, "search") || g_str_equal (mode, "body")) && argc > 4)
    {
      g_autoptr(GArray) ids = pf_index_query (index, argv[4], g_str_equal (mode, "body"), NULL, &error);

      if (ids == NULL)
        {
          g_printerr ("%s\n", error->message);
          return 1;
        }
      rows = ids->len;
    }
  else
    {
      g_printerr ("unknown mode %s\n", mode);
      return 2;
    }
  end = g_get_monotonic_time ();

  printf ("%s\t%.3f s\t%u rows\t%ld KiB peak RSS\n", mode, (end - start) / 1e6, rows, peak_rss_kib ());
  return 0;
}
