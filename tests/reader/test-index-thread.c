/* test-index-thread.c — conversations: messages grouped by Message-ID,
 * In-Reply-To and References, whatever the order they arrive in
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
  PfIndex *index;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autofree char *index_path = NULL;

  f->root = g_dir_make_tmp ("pf-thread-XXXXXX", NULL);
  f->maildir = g_build_filename (f->root, "Mail", NULL);
  for (guint i = 0; i < 3; i++)
    {
      const char *sub[] = { "new", "cur", "tmp" };
      g_autofree char *dir = g_build_filename (f->maildir, sub[i], NULL);

      g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
    }
  index_path = pf_index_path_for_maildir (f->root, f->maildir);
  f->index = pf_index_new (index_path, f->maildir);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_clear_object (&f->index);
  pf_test_remove_tree (f->root);
  g_free (f->root);
  g_free (f->maildir);
}

/* Message @n: Message-ID <@id@t>, dated @n minutes into the day, with
 * the parents given (NULL: no such header). Read when @flags says so. */
static void
deliver (Fixture    *f,
         guint       n,
         const char *id,
         const char *in_reply_to,
         const char *references,
         const char *subject,
         const char *flags)
{
  g_autofree char *base = g_strdup_printf ("%u.M%uP1Q1.test", 1700000000 + n, n);
  g_autofree char *name = flags ? g_strconcat (base, ":2,", flags, NULL) : g_strdup (base);
  g_autofree char *path = g_build_filename (f->maildir, flags ? "cur" : "new", name, NULL);
  GString *text = g_string_new ("From: Anna <anna@example.org>\nTo: Team <team@example.org>\n");

  g_string_append_printf (text, "Subject: %s\nDate: Tue, 07 Jan 2025 %02u:%02u:00 +0000\n",
                          subject, n / 60, n % 60);
  if (id != NULL)
    g_string_append_printf (text, "Message-ID: <%s@t>\n", id);
  if (in_reply_to != NULL)
    g_string_append_printf (text, "In-Reply-To: %s\n", in_reply_to);
  if (references != NULL)
    g_string_append_printf (text, "References: %s\n", references);
  g_string_append (text, "\nHello.\n");
  g_assert_true (g_file_set_contents (path, text->str, -1, NULL));
  g_string_free (text, TRUE);
}

static void
update (Fixture *f)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (pf_index_update (f->index, FALSE, NULL, NULL, &error));
  g_assert_no_error (error);
}

static GArray *
conversations (Fixture    *f,
               const char *search)
{
  g_autoptr(GError) error = NULL;
  GArray *list = pf_index_query_conversations (f->index, search, FALSE, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (list);
  return list;
}

/* The thread of the message with Message-ID <@id@t>. */
static gint64
thread_of (Fixture    *f,
           const char *id)
{
  g_autoptr(GArray) ids = pf_index_query (f->index, NULL, FALSE, NULL, NULL);
  g_autofree char *wanted = g_strconcat (id, "@t", NULL);

  for (guint i = 0; i < ids->len; i++)
    {
      g_autoptr(PfIndexMessage) m = pf_index_get_message (f->index, g_array_index (ids, gint64, i));

      if (g_strcmp0 (pf_index_message_get_message_id (m), wanted) == 0)
        {
          g_assert_cmpint (pf_index_message_get_thread (m), >, 0);
          return pf_index_message_get_thread (m);
        }
    }
  g_assert_not_reached ();
  return 0;
}

static void
test_in_order (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GArray) list = NULL;
  PfIndexConversation *c;

  deliver (f, 1, "a", NULL, NULL, "Lunch", "S");
  deliver (f, 2, "b", "<a@t>", "<a@t>", "Re: Lunch", NULL);
  deliver (f, 3, "c", "<b@t>", "<a@t> <b@t>", "Re: Lunch", "S");
  deliver (f, 4, "x", NULL, NULL, "Other", "S");
  update (f);

  g_assert_cmpint (thread_of (f, "a"), ==, thread_of (f, "b"));
  g_assert_cmpint (thread_of (f, "a"), ==, thread_of (f, "c"));
  g_assert_cmpint (thread_of (f, "a"), !=, thread_of (f, "x"));

  /* Newest first, by each conversation's newest message. */
  list = conversations (f, NULL);
  g_assert_cmpuint (list->len, ==, 2);
  c = &g_array_index (list, PfIndexConversation, 0);
  g_assert_cmpint (c->thread, ==, thread_of (f, "x"));
  g_assert_cmpuint (c->count, ==, 1);
  g_assert_cmpuint (c->unread, ==, 0);
  c = &g_array_index (list, PfIndexConversation, 1);
  g_assert_cmpint (c->thread, ==, thread_of (f, "a"));
  g_assert_cmpuint (c->count, ==, 3);
  g_assert_cmpuint (c->unread, ==, 1);
  {
    g_autoptr(PfIndexMessage) newest = pf_index_get_message (f->index, c->id);

    g_assert_cmpstr (pf_index_message_get_message_id (newest), ==, "c@t");
  }
}

static void
test_out_of_order (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GArray) list = NULL;

  /* The replies arrive first, in two updates, the root last: one
   * conversation in the end, whichever order. */
  deliver (f, 3, "c", "<b@t>", "<a@t> <b@t>", "Re: Plan", NULL);
  update (f);
  deliver (f, 2, "b", "<a@t>", "<a@t>", "Re: Plan", NULL);
  update (f);
  deliver (f, 1, "a", NULL, NULL, "Plan", NULL);
  update (f);

  g_assert_cmpint (thread_of (f, "a"), ==, thread_of (f, "b"));
  g_assert_cmpint (thread_of (f, "b"), ==, thread_of (f, "c"));
  list = conversations (f, NULL);
  g_assert_cmpuint (list->len, ==, 1);
  g_assert_cmpuint (g_array_index (list, PfIndexConversation, 0).count, ==, 3);
}

static void
test_late_parent_merges (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(GArray) list = NULL;

  /* Two replies naming only In-Reply-To of a parent not here... */
  deliver (f, 2, "b", "<a@t>", NULL, "Re: Trip", NULL);
  deliver (f, 3, "c", "<b@t>", NULL, "Re: Trip", NULL);
  /* ...and one naming only its grandparent, a separate thread until the
   * message that links them comes. */
  deliver (f, 5, "e", "<d@t>", NULL, "Re: Trip", NULL);
  update (f);
  g_assert_cmpint (thread_of (f, "b"), ==, thread_of (f, "c"));
  g_assert_cmpint (thread_of (f, "b"), !=, thread_of (f, "e"));
  list = conversations (f, NULL);
  g_assert_cmpuint (list->len, ==, 2);
  g_clear_pointer (&list, g_array_unref);

  deliver (f, 4, "d", "<c@t>", "<a@t> <b@t> <c@t>", "Re: Trip", NULL);
  update (f);
  g_assert_cmpint (thread_of (f, "b"), ==, thread_of (f, "e"));
  g_assert_cmpint (thread_of (f, "d"), ==, thread_of (f, "e"));
  list = conversations (f, NULL);
  g_assert_cmpuint (list->len, ==, 1);
  g_assert_cmpuint (g_array_index (list, PfIndexConversation, 0).count, ==, 4);
}

static void
test_missing_parent (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GArray) list = NULL;

  /* The root was never received (deleted on the server before the first
   * fetch): its two replies are still one conversation. */
  deliver (f, 2, "b", "<root@t>", "<root@t>", "Re: Gone", NULL);
  deliver (f, 3, "c", "<root@t>", "<root@t>", "Re: Gone", NULL);
  deliver (f, 4, "d", "<elsewhere@t>", NULL, "Re: Gone", NULL);
  update (f);

  g_assert_cmpint (thread_of (f, "b"), ==, thread_of (f, "c"));
  /* The same subject, another (missing) parent: another conversation. */
  g_assert_cmpint (thread_of (f, "b"), !=, thread_of (f, "d"));
  list = conversations (f, NULL);
  g_assert_cmpuint (list->len, ==, 2);
}

static void
test_subject_not_merged (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(GArray) list = NULL;

  /* The same subject, no references: as many conversations as messages. */
  deliver (f, 1, "a", NULL, NULL, "Re: Lunch", NULL);
  deliver (f, 2, "b", NULL, NULL, "Re: Lunch", NULL);
  deliver (f, 3, NULL, NULL, NULL, "Re: Lunch", NULL);
  deliver (f, 4, NULL, NULL, NULL, "Re: Lunch", NULL);
  update (f);

  list = conversations (f, NULL);
  g_assert_cmpuint (list->len, ==, 4);
  for (guint i = 0; i < list->len; i++)
    g_assert_cmpuint (g_array_index (list, PfIndexConversation, i).count, ==, 1);
}

static void
test_cycles (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(GArray) list = NULL;
  g_autoptr(GArray) all = NULL;

  /* A message naming itself as its parent; two naming each other; three
   * in a ring. The links are taken as "same conversation" only: no
   * message becomes its own ancestor, every message is listed once, and
   * the update ends. */
  deliver (f, 1, "self", "<self@t>", "<self@t>", "Me", NULL);
  deliver (f, 2, "p", "<q@t>", "<q@t>", "Pair", NULL);
  deliver (f, 3, "q", "<p@t>", "<p@t>", "Pair", NULL);
  deliver (f, 4, "r1", "<r3@t>", "<r2@t> <r3@t>", "Ring", NULL);
  deliver (f, 5, "r2", "<r1@t>", "<r3@t> <r1@t>", "Ring", NULL);
  deliver (f, 6, "r3", "<r2@t>", "<r1@t> <r2@t>", "Ring", NULL);
  update (f);

  g_assert_cmpint (thread_of (f, "p"), ==, thread_of (f, "q"));
  g_assert_cmpint (thread_of (f, "r1"), ==, thread_of (f, "r2"));
  g_assert_cmpint (thread_of (f, "r1"), ==, thread_of (f, "r3"));
  g_assert_cmpint (thread_of (f, "self"), !=, thread_of (f, "p"));
  g_assert_cmpint (thread_of (f, "p"), !=, thread_of (f, "r1"));

  list = conversations (f, NULL);
  g_assert_cmpuint (list->len, ==, 3);
  g_assert_cmpuint (g_array_index (list, PfIndexConversation, 0).count, ==, 3);
  g_assert_cmpuint (g_array_index (list, PfIndexConversation, 1).count, ==, 2);
  g_assert_cmpuint (g_array_index (list, PfIndexConversation, 2).count, ==, 1);
  all = pf_index_query (f->index, NULL, FALSE, NULL, NULL);
  g_assert_cmpuint (all->len, ==, 6);
}

static void
test_open_and_search (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GArray) list = NULL;
  g_autoptr(GArray) messages = NULL;
  g_autoptr(PfIndexModel) model = NULL;
  g_autoptr(PfIndexMessage) row = NULL;
  g_autofree char *search = NULL;
  gint64 thread;

  deliver (f, 1, "a", NULL, NULL, "Budget", "S");
  deliver (f, 2, "b", "<a@t>", "<a@t>", "Re: Budget", NULL);
  deliver (f, 3, "c", "<b@t>", "<a@t> <b@t>", "Re: Budget", NULL);
  deliver (f, 4, "x", NULL, NULL, "Garden", NULL);
  update (f);
  thread = thread_of (f, "a");

  /* Opening a conversation: its messages, newest first. */
  search = g_strdup_printf ("thread:%" G_GINT64_FORMAT, thread);
  messages = pf_index_query (f->index, search, FALSE, NULL, NULL);
  g_assert_cmpuint (messages->len, ==, 3);

  /* A search lists the conversations with a message that matches. */
  list = conversations (f, "garden");
  g_assert_cmpuint (list->len, ==, 1);
  g_assert_cmpuint (g_array_index (list, PfIndexConversation, 0).count, ==, 1);
  g_clear_pointer (&list, g_array_unref);

  /* The list model: one row per conversation, the newest message with
   * its conversation's count and unread count. */
  list = conversations (f, NULL);
  model = pf_index_model_new (f->index);
  pf_index_model_set_conversations (model, list);
  g_assert_true (pf_index_model_get_conversations (model));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 2);
  row = g_list_model_get_item (G_LIST_MODEL (model), 1);
  g_assert_cmpstr (pf_index_message_get_message_id (row), ==, "c@t");
  g_assert_cmpuint (pf_index_message_get_conversation_count (row), ==, 3);
  g_assert_cmpuint (pf_index_message_get_conversation_unread (row), ==, 2);
  g_assert_cmpint (pf_index_message_get_thread (row), ==, thread);
  g_clear_object (&row);

  /* Taken out (deleted) and put back (undone): as it was. */
  pf_index_model_remove_id (model, g_array_index (list, PfIndexConversation, 1).id);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 1);
  pf_index_model_insert_id (model, 1, g_array_index (list, PfIndexConversation, 1).id);
  row = g_list_model_get_item (G_LIST_MODEL (model), 1);
  g_assert_cmpuint (pf_index_message_get_conversation_count (row), ==, 3);
  g_clear_object (&row);

  /* Back to messages: no conversation counts. */
  pf_index_model_set_ids (model, messages);
  g_assert_false (pf_index_model_get_conversations (model));
  row = g_list_model_get_item (G_LIST_MODEL (model), 0);
  g_assert_cmpuint (pf_index_message_get_conversation_count (row), ==, 0);
}

static void
test_long_references (Fixture       *f,
                      gconstpointer  data)
{
  GString *refs = g_string_new (NULL);

  /* A deep thread's References: the nearest ancestors are enough. */
  for (guint i = 0; i < 500; i++)
    g_string_append_printf (refs, "<r%u@t> ", i);
  deliver (f, 1, "r499", NULL, NULL, "Deep", NULL);
  deliver (f, 2, "deep", "<r499@t>", refs->str, "Re: Deep", NULL);
  deliver (f, 3, "r0", NULL, NULL, "Deep", NULL);
  update (f);
  g_string_free (refs, TRUE);

  g_assert_cmpint (thread_of (f, "r499"), ==, thread_of (f, "deep"));
  /* Beyond the kept ancestors: not joined. */
  g_assert_cmpint (thread_of (f, "r0"), !=, thread_of (f, "deep"));
}

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  ADD ("/reader/thread/in-order", test_in_order);
  ADD ("/reader/thread/out-of-order", test_out_of_order);
  ADD ("/reader/thread/late-parent-merges", test_late_parent_merges);
  ADD ("/reader/thread/missing-parent", test_missing_parent);
  ADD ("/reader/thread/subject-not-merged", test_subject_not_merged);
  ADD ("/reader/thread/cycles", test_cycles);
  ADD ("/reader/thread/open-and-search", test_open_and_search);
  ADD ("/reader/thread/long-references", test_long_references);

  return g_test_run ();
}
