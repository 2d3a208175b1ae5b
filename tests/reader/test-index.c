/* test-index.c — the mail index follows the Maildir: add, move, flag,
 * delete, damage and rebuild, search
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include "pf-index.h"
#include "pf-index-model.h"

#include "pf-test-util.h"

typedef struct
{
  char    *root;
  char    *maildir;
  char    *index_path;
  PfIndex *index;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  f->root = g_dir_make_tmp ("pf-index-XXXXXX", NULL);
  f->maildir = g_build_filename (f->root, "Mail", NULL);
  for (guint i = 0; i < 3; i++)
    {
      const char *sub[] = { "new", "cur", "tmp" };
      g_autofree char *dir = g_build_filename (f->maildir, sub[i], NULL);

      g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
    }
  f->index_path = pf_index_path_for_maildir (f->root, f->maildir);
  f->index = pf_index_new (f->index_path, f->maildir);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_clear_object (&f->index);
  pf_test_remove_tree (f->root);
  g_free (f->root);
  g_free (f->maildir);
  g_free (f->index_path);
}

/* Writes a message into new/ (or cur/ with @flags) and returns its
 * file name. */
static char *
deliver (Fixture    *f,
         guint       n,
         const char *from,
         const char *subject,
         const char *date,
         const char *body,
         const char *flags)
{
  g_autofree char *base = g_strdup_printf ("%u.M%uP1Q1.test,S=100", 1700000000 + n, n);
  g_autofree char *name = flags ? g_strconcat (base, ":2,", flags, NULL) : g_strdup (base);
  g_autofree char *path = g_build_filename (f->maildir, flags ? "cur" : "new", name, NULL);
  g_autofree char *text = g_strdup_printf ("From: %s\nTo: Team <team@example.org>\nSubject: %s\n"
                                           "Date: %s\nMessage-ID: <m%u@example.org>\n\n%s\n",
                                           from, subject, date, n, body);

  g_assert_true (g_file_set_contents (path, text, -1, NULL));
  return g_steal_pointer (&name);
}

static PfIndexStats
update (Fixture *f)
{
  PfIndexStats stats;
  g_autoptr(GError) error = NULL;

  /* The folders' mtimes are trusted only two seconds after a change; a
   * test that changed them just now must be listed again anyway, and
   * that is what the index does. */
  g_assert_true (pf_index_update (f->index, TRUE, &stats, NULL, &error));
  g_assert_no_error (error);
  return stats;
}

static GArray *
query (Fixture    *f,
       const char *search,
       gboolean    bodies)
{
  g_autoptr(GError) error = NULL;
  GArray *ids = pf_index_query (f->index, search, bodies, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (ids);
  return ids;
}

static guint
count (Fixture    *f,
       const char *search,
       gboolean    bodies)
{
  g_autoptr(GArray) ids = query (f, search, bodies);

  return ids->len;
}

static PfIndexMessage *
message_at (Fixture *f,
            guint    position)
{
  g_autoptr(GArray) ids = query (f, NULL, FALSE);

  g_assert_cmpuint (position, <, ids->len);
  return pf_index_get_message (f->index, g_array_index (ids, gint64, position));
}

static void
fill (Fixture *f)
{
  g_free (deliver (f, 1, "Anna Berg <anna@example.org>", "Budget for 2026", "Mon, 5 Jan 2026 10:00:00 +0000",
                   "The spreadsheet is attached.", NULL));
  g_free (deliver (f, 2, "=?UTF-8?Q?J=C3=BCrgen_M=C3=BCller?= <juergen@example.org>",
                   "=?UTF-8?Q?Gr=C3=BC=C3=9Fe_aus_K=C3=B6ln?=", "Tue, 16 Dec 2025 09:00:00 +0100",
                   "Viele Gruesse vom Rhein.", NULL));
  g_free (deliver (f, 3, "Bob <bob@example.net>", "Lunch?", "Wed, 7 Jan 2026 12:00:00 +0000",
                   "Pizza or pasta, zeppelin.", "S"));
}

static void
test_add (Fixture       *f,
          gconstpointer  data)
{
  PfIndexStats stats;
  g_autoptr(PfIndexMessage) newest = NULL;
  g_autoptr(PfIndexMessage) oldest = NULL;

  /* No index yet: an empty list, and no file made by asking. */
  g_assert_cmpuint (count (f, NULL, FALSE), ==, 0);
  g_assert_false (g_file_test (f->index_path, G_FILE_TEST_EXISTS));

  fill (f);
  stats = update (f);
  g_assert_true (stats.rebuilt);
  g_assert_cmpuint (stats.added, ==, 3);
  g_assert_true (g_file_test (f->index_path, G_FILE_TEST_EXISTS));
  {
    GStatBuf st;

    /* Private, as the rest of the state directory. */
    g_assert_cmpint (g_stat (f->index_path, &st), ==, 0);
    g_assert_cmpint (st.st_mode & 077, ==, 0);
  }

  /* Newest first, by the Date header. */
  newest = message_at (f, 0);
  g_assert_cmpstr (pf_index_message_get_subject (newest), ==, "Lunch?");
  g_assert_false (pf_index_message_get_unread (newest));
  oldest = message_at (f, 2);
  g_assert_cmpstr (pf_index_message_get_subject (oldest), ==, "Grüße aus Köln");
  g_assert_cmpstr (pf_index_message_get_from (oldest), ==, "Jürgen Müller <juergen@example.org>");
  g_assert_true (pf_index_message_get_unread (oldest));
  g_assert_true (g_str_has_suffix (pf_index_message_get_path (oldest), "/new/1700000002.M2P1Q1.test,S=100"));
  g_assert_cmpuint (pf_index_count_unread (f->index), ==, 2);

  /* A second update with nothing changed adds nothing; one more message
   * is one more row. */
  stats = update (f);
  g_assert_false (stats.rebuilt);
  g_assert_cmpuint (stats.added + stats.changed + stats.removed, ==, 0);
  g_free (deliver (f, 4, "Carol <carol@example.com>", "Minutes", "Thu, 8 Jan 2026 08:00:00 +0000", "Notes.", NULL));
  stats = update (f);
  g_assert_cmpuint (stats.added, ==, 1);
  g_assert_cmpuint (count (f, NULL, FALSE), ==, 4);
}

static void
test_move_and_flag (Fixture       *f,
                    gconstpointer  data)
{
  g_autofree char *name = NULL;
  g_autofree char *old_path = NULL;
  g_autofree char *cur_path = NULL;
  PfIndexStats stats;

  fill (f);
  update (f);

  /* Another reader (mutt) reads Anna's message: new/ to cur/ with S. */
  name = g_strdup ("1700000001.M1P1Q1.test,S=100");
  old_path = g_build_filename (f->maildir, "new", name, NULL);
  cur_path = g_build_filename (f->maildir, "cur", "1700000001.M1P1Q1.test,S=100:2,S", NULL);
  g_assert_cmpint (g_rename (old_path, cur_path), ==, 0);
  stats = update (f);
  g_assert_cmpuint (stats.changed, ==, 1);
  g_assert_cmpuint (stats.added, ==, 0);
  g_assert_cmpuint (stats.removed, ==, 0);
  g_assert_cmpuint (pf_index_count_unread (f->index), ==, 1);
  g_assert_cmpuint (count (f, "is:unread", FALSE), ==, 1);

  /* It replies and flags it: RS, then FRS. */
  {
    g_autofree char *replied = g_build_filename (f->maildir, "cur", "1700000001.M1P1Q1.test,S=100:2,FRS", NULL);
    g_autoptr(PfIndexMessage) m = NULL;

    g_assert_cmpint (g_rename (cur_path, replied), ==, 0);
    stats = update (f);
    g_assert_cmpuint (stats.changed, ==, 1);
    g_assert_cmpuint (count (f, "is:flagged", FALSE), ==, 1);
    m = message_at (f, 1);
    g_assert_cmpstr (pf_index_message_get_subject (m), ==, "Budget for 2026");
    g_assert_cmpstr (pf_index_message_get_flags (m), ==, "FRS");
  }
}

static gboolean
file_exists (Fixture    *f,
             const char *folder,
             const char *name)
{
  g_autofree char *path = g_build_filename (f->maildir, folder, name, NULL);

  return g_file_test (path, G_FILE_TEST_EXISTS);
}

static void
test_set_flags (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PfIndexMessage) m = NULL;
  g_autoptr(PfIndexMessage) again = NULL;
  gint64 id;

  fill (f);
  update (f);
  m = message_at (f, 2);  /* Jürgen's, in new/ */
  id = pf_index_message_get_id (m);

  /* Opened: new/ to cur/ with :2,S, as mutt names it. */
  g_assert_true (pf_index_set_flags (f->index, id, "S", NULL, &error));
  g_assert_no_error (error);
  g_assert_false (file_exists (f, "new", "1700000002.M2P1Q1.test,S=100"));
  g_assert_true (file_exists (f, "cur", "1700000002.M2P1Q1.test,S=100:2,S"));
  again = pf_index_get_message (f->index, id);
  g_assert_false (pf_index_message_get_unread (again));
  g_clear_object (&again);

  /* Replied elsewhere: RS; flagged here: FRS, sorted. */
  {
    g_autofree char *seen = g_build_filename (f->maildir, "cur", "1700000002.M2P1Q1.test,S=100:2,S", NULL);
    g_autofree char *replied = g_build_filename (f->maildir, "cur", "1700000002.M2P1Q1.test,S=100:2,RS", NULL);

    g_assert_cmpint (g_rename (seen, replied), ==, 0);
  }
  /* The row still names :2,S: the file is found by its unique part. */
  g_assert_true (pf_index_set_flags (f->index, id, "F", NULL, &error));
  g_assert_no_error (error);
  g_assert_true (file_exists (f, "cur", "1700000002.M2P1Q1.test,S=100:2,FRS"));

  /* Mark as unread: S goes, the rest stays. */
  g_assert_true (pf_index_set_flags (f->index, id, NULL, "S", &error));
  g_assert_no_error (error);
  g_assert_true (file_exists (f, "cur", "1700000002.M2P1Q1.test,S=100:2,FR"));
  again = pf_index_get_message (f->index, id);
  g_assert_true (pf_index_message_get_unread (again));
  g_assert_cmpstr (pf_index_message_get_flags (again), ==, "FR");
  g_clear_object (&again);

  /* Trashed (T): out of every list until the flag goes again. */
  g_assert_true (pf_index_set_flags (f->index, id, "T", NULL, &error));
  g_assert_cmpuint (count (f, NULL, FALSE), ==, 2);
  g_assert_true (pf_index_set_flags (f->index, id, NULL, "T", &error));
  g_assert_cmpuint (count (f, NULL, FALSE), ==, 3);

  /* The update after all this sees the files where the rows say. */
  {
    PfIndexStats stats = update (f);

    g_assert_cmpuint (stats.added + stats.changed + stats.removed, ==, 0);
  }
}

static void
test_delete (Fixture       *f,
             gconstpointer  data)
{
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(PfIndexMessage) m = NULL;
  PfIndexStats stats;

  fill (f);
  update (f);

  /* Deleted by another program. */
  path = g_build_filename (f->maildir, "cur", "1700000003.M3P1Q1.test,S=100:2,S", NULL);
  g_assert_cmpint (g_unlink (path), ==, 0);
  stats = update (f);
  g_assert_cmpuint (stats.removed, ==, 1);
  g_assert_cmpuint (count (f, NULL, FALSE), ==, 2);
  g_assert_cmpuint (count (f, "lunch", FALSE), ==, 0);

  /* Deleted here: file and row. */
  m = message_at (f, 0);
  g_assert_true (pf_index_remove (f->index, pf_index_message_get_id (m), &error));
  g_assert_no_error (error);
  g_assert_false (g_file_test (pf_index_message_get_path (m), G_FILE_TEST_EXISTS));
  g_assert_cmpuint (count (f, NULL, FALSE), ==, 1);
  g_assert_null (pf_index_get_message (f->index, pf_index_message_get_id (m)));

  /* Ids are never reused: a new message does not inherit the text of a
   * removed one in the body index. */
  g_free (deliver (f, 9, "Dan <dan@example.org>", "Fresh", "Fri, 9 Jan 2026 08:00:00 +0000", "Nothing else.", NULL));
  update (f);
  g_assert_cmpuint (count (f, "zeppelin", TRUE), ==, 0);
  g_assert_cmpuint (count (f, "spreadsheet", TRUE), ==, 0);
}

static void
assert_rebuilds (Fixture    *f,
                 const char *contents,
                 gssize      length)
{
  PfIndexStats stats;

  pf_index_reset_connection (f->index);
  g_assert_true (g_file_set_contents (f->index_path, contents, length, NULL));
  {
    g_autofree char *wal = g_strconcat (f->index_path, "-wal", NULL);
    g_autofree char *shm = g_strconcat (f->index_path, "-shm", NULL);

    g_unlink (wal);
    g_unlink (shm);
  }
  /* A damaged index answers with nothing rather than failing... */
  g_assert_cmpuint (count (f, NULL, FALSE), ==, 0);
  /* ...and the next update rebuilds it from the Maildir. */
  stats = update (f);
  g_assert_true (stats.rebuilt);
  g_assert_cmpuint (stats.added, ==, 3);
  g_assert_cmpuint (count (f, NULL, FALSE), ==, 3);
  g_assert_cmpuint (count (f, "from:anna", FALSE), ==, 1);
}

static void
test_damaged (Fixture       *f,
              gconstpointer  data)
{
  g_autofree char *good = NULL;
  gsize length;

  fill (f);
  update (f);
  pf_index_reset_connection (f->index);
  g_assert_true (g_file_get_contents (f->index_path, &good, &length, NULL));

  /* Garbage. */
  assert_rebuilds (f, "this is not a database at all, just some bytes\n", -1);
  /* Cut short: a header and half a page. */
  assert_rebuilds (f, good, MIN (length, 600));
  /* Empty. */
  assert_rebuilds (f, "", 0);
}

static void
test_rebuild_missing (Fixture       *f,
                      gconstpointer  data)
{
  PfIndexStats stats;

  fill (f);
  update (f);
  pf_index_reset_connection (f->index);
  g_assert_cmpint (g_unlink (f->index_path), ==, 0);
  stats = update (f);
  g_assert_true (stats.rebuilt);
  g_assert_cmpuint (stats.added, ==, 3);

  /* An index of another Maildir at the same path (a moved folder) is
   * not trusted either. */
  {
    g_autoptr(PfIndex) other = pf_index_new (f->index_path, "/elsewhere");
    g_autoptr(GArray) ids = pf_index_query (other, NULL, FALSE, NULL, NULL);

    g_assert_cmpuint (ids->len, ==, 0);
  }
}

static void
test_search (Fixture       *f,
             gconstpointer  data)
{
  fill (f);
  update (f);

  g_assert_cmpuint (count (f, "from:anna", FALSE), ==, 1);
  g_assert_cmpuint (count (f, "from:ann", FALSE), ==, 1);          /* as you type */
  g_assert_cmpuint (count (f, "from:budget", FALSE), ==, 0);       /* not the sender */
  g_assert_cmpuint (count (f, "budget", FALSE), ==, 1);
  g_assert_cmpuint (count (f, "koln", FALSE), ==, 1);              /* diacritics folded */
  g_assert_cmpuint (count (f, "jürgen", FALSE), ==, 1);
  g_assert_cmpuint (count (f, "to:team", FALSE), ==, 3);
  g_assert_cmpuint (count (f, "subject:lunch", FALSE), ==, 1);
  g_assert_cmpuint (count (f, "before:2026-01-01", FALSE), ==, 1);
  g_assert_cmpuint (count (f, "after:2026-01-01", FALSE), ==, 2);
  g_assert_cmpuint (count (f, "after:2026-01-01 from:bob", FALSE), ==, 1);
  g_assert_cmpuint (count (f, "date:2026-01-07", FALSE), ==, 1);
  /* Body words only when asked. */
  g_assert_cmpuint (count (f, "zeppelin", FALSE), ==, 0);
  g_assert_cmpuint (count (f, "zeppelin", TRUE), ==, 1);
  g_assert_cmpuint (count (f, "lunch", TRUE), ==, 1);
  /* FTS syntax typed by the user is a word, not a query error. */
  g_assert_cmpuint (count (f, "\"lunch OR NEAR(", FALSE), ==, 0);
  g_assert_cmpuint (count (f, "* - ( )", FALSE), ==, 3);
  g_assert_cmpuint (count (f, "before:garbage", FALSE), ==, 0);
}

static void
test_same_date_delivery_order (Fixture       *f,
                               gconstpointer  data)
{
  /* A server's messages often share one Date: the later delivery (the
   * larger name) lists first, whatever order the listing had. */
  for (guint n = 10; n < 40; n++)
    g_free (deliver (f, n, "S <s@example.org>", "Same", "Fri, 28 Nov 2026 10:00:00 +0000", "x", NULL));
  update (f);
  for (guint i = 0; i < 30; i++)
    {
      g_autoptr(PfIndexMessage) m = message_at (f, i);
      g_autofree char *want = g_strdup_printf ("/new/%u.M%uP1Q1.test,S=100", 1700000000 + 39 - i, 39 - i);

      g_assert_true (g_str_has_suffix (pf_index_message_get_path (m), want));
    }
}

static void
count_changes (GListModel *model,
               guint       position,
               guint       removed,
               guint       added,
               guint      *changes)
{
  (*changes)++;
}

static void
test_model (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(PfIndexModel) model = pf_index_model_new (f->index);
  g_autoptr(GArray) ids = NULL;
  g_autoptr(PfIndexMessage) first = NULL;
  guint changes = 0;

  fill (f);
  update (f);
  ids = query (f, NULL, FALSE);
  g_signal_connect (model, "items-changed", G_CALLBACK (count_changes), &changes);
  pf_index_model_set_ids (model, ids);
  g_assert_cmpuint (changes, ==, 1);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 3);
  first = g_list_model_get_item (G_LIST_MODEL (model), 0);
  g_assert_cmpstr (pf_index_message_get_subject (first), ==, "Lunch?");
  g_assert_null (g_list_model_get_item (G_LIST_MODEL (model), 3));

  pf_index_model_remove_id (model, pf_index_message_get_id (first));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 2);
  g_assert_cmpuint (pf_index_model_find (model, pf_index_message_get_id (first)), ==, G_MAXUINT);
  pf_index_model_insert_id (model, 0, pf_index_message_get_id (first));
  g_assert_cmpuint (pf_index_model_find (model, pf_index_message_get_id (first)), ==, 0);
  g_assert_cmpuint (changes, ==, 3);
}

typedef struct
{
  guint position, removed, added, calls;
} LastChange;

static void
record_change (GListModel *model,
               guint       position,
               guint       removed,
               guint       added,
               LastChange *last)
{
  last->position = position;
  last->removed = removed;
  last->added = added;
  last->calls++;
}

static void
on_head (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  GArray **out = user_data;
  g_autoptr(GError) error = NULL;

  *out = pf_index_query_finish (PF_INDEX (source), result, &error);
  g_assert_no_error (error);
}

static void
test_model_first_page (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(PfIndexModel) model = pf_index_model_new (f->index);
  g_autoptr(GArray) all = NULL;
  g_autoptr(GArray) head = NULL;
  g_autoptr(GArray) other = NULL;
  LastChange last = { 0, };

  fill (f);
  update (f);
  all = query (f, NULL, FALSE);
  g_assert_cmpuint (all->len, ==, 3);
  g_signal_connect (model, "items-changed", G_CALLBACK (record_change), &last);

  /* The first rows (the newest, as the whole list begins), then the
   * whole list: only the rows after them are announced, the ones shown
   * are not made again. */
  pf_index_query_head_async (f->index, NULL, FALSE, 2, NULL, on_head, &head);
  while (head == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (head->len, ==, 2);
  g_assert_cmpmem (head->data, 2 * sizeof (gint64), all->data, 2 * sizeof (gint64));
  pf_index_model_set_ids (model, head);
  g_assert_cmpuint (last.calls, ==, 1);
  pf_index_model_extend_ids (model, all);
  g_assert_cmpuint (last.calls, ==, 2);
  g_assert_cmpuint (last.position, ==, 2);
  g_assert_cmpuint (last.removed, ==, 0);
  g_assert_cmpuint (last.added, ==, 1);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 3);

  /* The same list again: nothing to announce. */
  pf_index_model_extend_ids (model, all);
  g_assert_cmpuint (last.calls, ==, 2);

  /* A list that does not begin with the one shown replaces it. */
  other = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_array_append_vals (other, &g_array_index (all, gint64, 1), 2);
  pf_index_model_extend_ids (model, other);
  g_assert_cmpuint (last.calls, ==, 3);
  g_assert_cmpuint (last.position, ==, 0);
  g_assert_cmpuint (last.removed, ==, 3);
  g_assert_cmpuint (last.added, ==, 2);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/reader/index/add", test_add);
  ADD ("/reader/index/model-first-page", test_model_first_page);
  ADD ("/reader/index/move-and-flag", test_move_and_flag);
  ADD ("/reader/index/set-flags", test_set_flags);
  ADD ("/reader/index/delete", test_delete);
  ADD ("/reader/index/damaged", test_damaged);
  ADD ("/reader/index/rebuild-missing", test_rebuild_missing);
  ADD ("/reader/index/search", test_search);
  ADD ("/reader/index/model", test_model);
  ADD ("/reader/index/same-date-delivery-order", test_same_date_delivery_order);
#undef ADD

  return g_test_run ();
}
