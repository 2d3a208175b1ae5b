/* pf-index-thread.c — conversations: every message joins a thread as it
 * is written, found by its Message-ID, In-Reply-To and References
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A thread is a set, not a tree: the table thread_ids maps every
 * message-id the index has seen — a message's own, and every id its
 * In-Reply-To and References name — to a thread number. A message joins
 * the thread of any id it shares; when its ids belong to several threads
 * (a parent arriving after its replies, which had only named it), those
 * merge into the oldest. So the order of arrival does not matter, a
 * missing parent still holds its replies together (its id is there,
 * without a message), and a loop of references (a message naming
 * itself, or two naming each other) can only put messages in the same
 * set: there is no parent chain to follow round. The subject is never
 * used: two messages "Re: Lunch" without references stay apart.
 */

#include "config.h"

#include <string.h>

#include <gmime/gmime.h>

#include "pf-index-private.h"

/* Deep threads carry long References; the nearest ancestors are enough
 * to join them, and the work per message stays bounded. */
#define MAX_REFERENCES 50

char *
pf_index_thread_ids_from_header (const char *value)
{
  GMimeReferences *refs;
  GString *out;
  int n, first;

  if (value == NULL || *value == '\0')
    return g_strdup ("");
  refs = g_mime_references_parse (NULL, value);
  if (refs == NULL)
    return g_strdup ("");
  out = g_string_new (NULL);
  n = g_mime_references_length (refs);
  first = MAX (0, n - MAX_REFERENCES);
  for (int i = first; i < n; i++)
    {
      const char *id = g_mime_references_get_message_id (refs, i);

      /* Stored space-separated: an id with a space or control character
       * in it is not one a reader would write, and is left out. */
      if (id == NULL || *id == '\0' || strpbrk (id, " \t\r\n") != NULL)
        continue;
      if (out->len > 0)
        g_string_append_c (out, ' ');
      g_string_append (out, id);
    }
  g_mime_references_free (refs);
  return g_string_free (out, FALSE);
}

gboolean
pf_index_threader_init (PfIndexThreader  *t,
                        sqlite3          *db,
                        GError          **error)
{
  const struct { sqlite3_stmt **stmt; const char *sql; } statements[] = {
    { &t->lookup, "SELECT thread FROM thread_ids WHERE message_id = ?" },
    { &t->add, "INSERT INTO thread_ids (message_id, thread) VALUES (?, ?)" },
    { &t->merge_messages, "UPDATE messages SET thread = ?1 WHERE thread = ?2" },
    { &t->merge_ids, "UPDATE thread_ids SET thread = ?1 WHERE thread = ?2" },
  };
  sqlite3_stmt *last = NULL;
  int rc;

  memset (t, 0, sizeof *t);
  t->db = db;
  for (gsize i = 0; i < G_N_ELEMENTS (statements); i++)
    {
      rc = sqlite3_prepare_v2 (db, statements[i].sql, -1, statements[i].stmt, NULL);
      if (rc != SQLITE_OK)
        return pf_index_set_db_error (db, rc, error);
    }
  rc = sqlite3_prepare_v2 (db, "SELECT max(thread) FROM thread_ids", -1, &last, NULL);
  if (rc != SQLITE_OK)
    return pf_index_set_db_error (db, rc, error);
  if (sqlite3_step (last) == SQLITE_ROW)
    t->last_thread = sqlite3_column_int64 (last, 0);
  sqlite3_finalize (last);
  return TRUE;
}

void
pf_index_threader_clear (PfIndexThreader *t)
{
  g_clear_pointer (&t->lookup, sqlite3_finalize);
  g_clear_pointer (&t->add, sqlite3_finalize);
  g_clear_pointer (&t->merge_messages, sqlite3_finalize);
  g_clear_pointer (&t->merge_ids, sqlite3_finalize);
}

static void
add_ids (GPtrArray  *ids,
         const char *list)
{
  g_auto(GStrv) parts = g_strsplit (list ? list : "", " ", -1);

  for (guint i = 0; parts[i] != NULL; i++)
    {
      gboolean seen = FALSE;

      if (*parts[i] == '\0')
        continue;
      /* A message naming itself among its parents: the same id once. */
      for (guint j = 0; j < ids->len && !seen; j++)
        seen = strcmp (g_ptr_array_index (ids, j), parts[i]) == 0;
      if (!seen)
        g_ptr_array_add (ids, g_strdup (parts[i]));
    }
}

gboolean
pf_index_threader_assign (PfIndexThreader  *t,
                          const char       *message_id,
                          const char       *in_reply_to,
                          const char       *references,
                          gint64           *thread,
                          GError          **error)
{
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GArray) found = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autofree gint64 *known_of = NULL;
  gint64 chosen = 0;

  add_ids (ids, message_id);
  add_ids (ids, in_reply_to);
  add_ids (ids, references);
  known_of = g_new0 (gint64, ids->len + 1);

  /* The threads these ids already belong to. */
  for (guint i = 0; i < ids->len; i++)
    {
      gint64 known = 0;
      int rc;

      sqlite3_bind_text (t->lookup, 1, g_ptr_array_index (ids, i), -1, SQLITE_STATIC);
      rc = sqlite3_step (t->lookup);
      if (rc == SQLITE_ROW)
        known = sqlite3_column_int64 (t->lookup, 0);
      sqlite3_reset (t->lookup);
      sqlite3_clear_bindings (t->lookup);
      if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return pf_index_set_db_error (t->db, rc, error);
      known_of[i] = known;
      if (known > 0)
        {
          g_array_append_val (found, known);
          if (chosen == 0 || known < chosen)
            chosen = known;
        }
    }
  if (chosen == 0)
    chosen = ++t->last_thread;

  /* The message joins them: they become one, the oldest. */
  for (guint i = 0; i < found->len; i++)
    {
      gint64 other = g_array_index (found, gint64, i);
      gboolean done = other == chosen;

      for (guint j = 0; j < i && !done; j++)
        done = g_array_index (found, gint64, j) == other;
      if (done)
        continue;
      sqlite3_bind_int64 (t->merge_messages, 1, chosen);
      sqlite3_bind_int64 (t->merge_messages, 2, other);
      sqlite3_bind_int64 (t->merge_ids, 1, chosen);
      sqlite3_bind_int64 (t->merge_ids, 2, other);
      if (!pf_index_step_done (t->db, t->merge_messages, error) ||
          !pf_index_step_done (t->db, t->merge_ids, error))
        return FALSE;
    }

  /* The ids new to the index name this thread now, those of parents not
   * (yet) in the index too: a later reply or the parent itself finds it.
   * The known ones were merged into it above. */
  for (guint i = 0; i < ids->len; i++)
    {
      if (known_of[i] > 0)
        continue;
      sqlite3_bind_text (t->add, 1, g_ptr_array_index (ids, i), -1, SQLITE_STATIC);
      sqlite3_bind_int64 (t->add, 2, chosen);
      if (!pf_index_step_done (t->db, t->add, error))
        return FALSE;
    }

  *thread = chosen;
  return TRUE;
}
