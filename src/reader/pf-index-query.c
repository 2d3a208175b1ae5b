/* pf-index-query.c — searches: the words and filters of the search entry
 * as SQL over the rows and the FTS5 tables
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <stdio.h>

#include "pf-index-private.h"

/* ---- Query --------------------------------------------------------------- */

/* A search word as an FTS5 prefix query: quoted, so that no word can be
 * FTS syntax. */
static void
append_fts_term (GString    *match,
                 const char *column,
                 const char *word)
{
  if (match->len > 0)
    g_string_append_c (match, ' ');
  if (column != NULL)
    g_string_append_printf (match, "%s : ", column);
  g_string_append_c (match, '"');
  for (const char *p = word; *p; p++)
    {
      if (*p == '"')
        g_string_append_c (match, '"');
      g_string_append_c (match, *p);
    }
  g_string_append (match, "\"*");
}

static gboolean
parse_day (const char *text,
           gint64     *start)
{
  int y, m, d;
  g_autoptr(GDateTime) dt = NULL;
  char end;

  if (sscanf (text, "%4d-%2d-%2d%c", &y, &m, &d, &end) != 3)
    return FALSE;
  dt = g_date_time_new_local (y, m, d, 0, 0, 0);
  if (dt == NULL)
    return FALSE;
  *start = g_date_time_to_unix (dt);
  return TRUE;
}

/* Words with no letter or digit (punctuation alone) match nothing in the
 * FTS tokenizer's eyes: they are left out rather than making the query
 * fail. */
static gboolean
has_word_chars (const char *word)
{
  for (const char *p = word; *p; p = g_utf8_next_char (p))
    if (g_unichar_isalnum (g_utf8_get_char (p)))
      return TRUE;
  return FALSE;
}

static char *
build_query (const char  *search,
             gboolean     bodies,
             gboolean     conversations,
             guint        limit,
             char       **header_match,
             char       **body_match)
{
  g_auto(GStrv) words = g_strsplit_set (search ? search : "", " \t\n", -1);
  /* Conversations: the same rows in the same order (the same covering
   * index), grouped as they come (see collect_conversations). */
  GString *sql = g_string_new (conversations
                               ? "SELECT id, thread, folder = 0 OR instr(flags, 'S') = 0 FROM messages"
                                 " WHERE instr(flags, 'T') = 0"
                               : "SELECT id FROM messages WHERE instr(flags, 'T') = 0");
  GString *fields = g_string_new (NULL);
  GString *plain = g_string_new (NULL);

  for (guint i = 0; words[i] != NULL; i++)
    {
      const char *w = words[i];
      gint64 t;

      if (*w == '\0')
        continue;
      if (g_str_has_prefix (w, "from:") && has_word_chars (w + 5))
        append_fts_term (fields, "sender", w + 5);
      else if (g_str_has_prefix (w, "to:") && has_word_chars (w + 3))
        append_fts_term (fields, "recipients", w + 3);
      else if (g_str_has_prefix (w, "subject:") && has_word_chars (w + 8))
        append_fts_term (fields, "subject", w + 8);
      else if (g_str_has_prefix (w, "before:") && parse_day (w + 7, &t))
        g_string_append_printf (sql, " AND date < %" G_GINT64_FORMAT, t);
      else if (g_str_has_prefix (w, "after:") && parse_day (w + 6, &t))
        g_string_append_printf (sql, " AND date >= %" G_GINT64_FORMAT, t);
      else if (g_str_has_prefix (w, "date:") && parse_day (w + 5, &t))
        g_string_append_printf (sql, " AND date >= %" G_GINT64_FORMAT " AND date < %" G_GINT64_FORMAT,
                                t, t + 24 * 3600);
      else if (g_strcmp0 (w, "is:unread") == 0)
        g_string_append (sql, " AND (folder = 0 OR instr(flags, 'S') = 0)");
      else if (g_strcmp0 (w, "is:read") == 0)
        g_string_append (sql, " AND folder = 1 AND instr(flags, 'S') > 0");
      else if (g_strcmp0 (w, "is:flagged") == 0)
        g_string_append (sql, " AND instr(flags, 'F') > 0");
      else if (g_strcmp0 (w, "has:attachment") == 0)
        g_string_append (sql, " AND attachment = 1");
      else if (g_str_has_prefix (w, "thread:") && g_ascii_string_to_signed (w + 7, 10, 1, G_MAXINT64, &t, NULL))
        g_string_append_printf (sql, " AND thread = %" G_GINT64_FORMAT, t);
      else if (has_word_chars (w))
        append_fts_term (plain, NULL, w);
    }

  if (fields->len > 0)
    g_string_append (sql, " AND id IN (SELECT rowid FROM headers WHERE headers MATCH ?1)");
  if (plain->len > 0 && bodies)
    g_string_append (sql, " AND (id IN (SELECT rowid FROM headers WHERE headers MATCH ?2)"
                          " OR id IN (SELECT rowid FROM bodies WHERE bodies MATCH ?2))");
  else if (plain->len > 0)
    g_string_append (sql, " AND id IN (SELECT rowid FROM headers WHERE headers MATCH ?2)");
  g_string_append (sql, " ORDER BY date DESC, id DESC");
  if (limit > 0)
    g_string_append_printf (sql, " LIMIT %u", limit);

  *header_match = g_string_free (fields, fields->len == 0);
  *body_match = g_string_free (plain, plain->len == 0);
  return g_string_free (sql, FALSE);
}

static int
progress_cancel (void *user_data)
{
  return g_cancellable_is_cancelled (user_data) ? 1 : 0;
}

/* The rows come newest first: a thread's first row is its newest
 * message, where the conversation lists. */
static void
collect_conversations (sqlite3_stmt *stmt,
                       GArray       *conversations,
                       GHashTable   *positions)
{
  gint64 thread = sqlite3_column_int64 (stmt, 1);
  gboolean unread = sqlite3_column_int (stmt, 2);
  gpointer position;
  PfIndexConversation *c;

  if (g_hash_table_lookup_extended (positions, &thread, NULL, &position))
    c = &g_array_index (conversations, PfIndexConversation, GPOINTER_TO_UINT (position));
  else
    {
      PfIndexConversation fresh = { sqlite3_column_int64 (stmt, 0), thread, 0, 0 };
      gint64 *key = g_new (gint64, 1);

      *key = thread;
      g_hash_table_insert (positions, key, GUINT_TO_POINTER (conversations->len));
      g_array_append_val (conversations, fresh);
      c = &g_array_index (conversations, PfIndexConversation, conversations->len - 1);
    }
  c->count++;
  if (unread)
    c->unread++;
}

static GArray *
run_query (PfIndex       *self,
           const char    *search,
           gboolean       bodies,
           gboolean       conversations,
           guint          limit,
           GCancellable  *cancellable,
           GError       **error)
{
  g_autoptr(GArray) rows = g_array_new (FALSE, FALSE, conversations ? sizeof (PfIndexConversation)
                                                                    : sizeof (gint64));
  g_autoptr(GHashTable) positions = NULL;
  g_autofree char *sql = NULL;
  g_autofree char *header_match = NULL;
  g_autofree char *plain_match = NULL;
  sqlite3 *db;
  sqlite3_stmt *stmt = NULL;
  int rc;

  if (!g_file_test (self->index_path, G_FILE_TEST_EXISTS))
    return g_steal_pointer (&rows);
  db = pf_index_open_connection (self->index_path, FALSE, NULL);
  if (db == NULL || !pf_index_schema_ok (db, self->maildir))
    {
      /* Not built yet, or damaged: the update that follows rebuilds it. */
      sqlite3_close (db);
      return g_steal_pointer (&rows);
    }

  if (conversations)
    positions = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  if (cancellable != NULL)
    sqlite3_progress_handler (db, 10000, progress_cancel, cancellable);
  sql = build_query (search, bodies, conversations, limit, &header_match, &plain_match);
  rc = sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    {
      if (header_match != NULL)
        sqlite3_bind_text (stmt, 1, header_match, -1, SQLITE_STATIC);
      if (plain_match != NULL)
        sqlite3_bind_text (stmt, 2, plain_match, -1, SQLITE_STATIC);
      while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
        {
          gint64 id = sqlite3_column_int64 (stmt, 0);

          if (conversations)
            collect_conversations (stmt, rows, positions);
          else
            g_array_append_val (rows, id);
        }
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE && rc != SQLITE_OK)
    {
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        ;
      else
        pf_index_set_db_error (db, rc, error);
      sqlite3_close (db);
      return NULL;
    }
  sqlite3_close (db);
  return g_steal_pointer (&rows);
}

GArray *
pf_index_query (PfIndex       *self,
                const char    *search,
                gboolean       bodies,
                GCancellable  *cancellable,
                GError       **error)
{
  g_return_val_if_fail (PF_IS_INDEX (self), NULL);
  return run_query (self, search, bodies, FALSE, 0, cancellable, error);
}

GArray *
pf_index_query_conversations (PfIndex       *self,
                              const char    *search,
                              gboolean       bodies,
                              GCancellable  *cancellable,
                              GError       **error)
{
  g_return_val_if_fail (PF_IS_INDEX (self), NULL);
  return run_query (self, search, bodies, TRUE, 0, cancellable, error);
}

typedef struct
{
  char    *search;
  gboolean bodies;
  gboolean conversations;
  guint    limit;
} QueryData;

static void
query_data_free (QueryData *data)
{
  g_free (data->search);
  g_free (data);
}

static void
query_thread (GTask        *task,
              gpointer      source,
              gpointer      task_data,
              GCancellable *cancellable)
{
  QueryData *data = task_data;
  GError *error = NULL;
  GArray *ids = run_query (source, data->search, data->bodies, data->conversations, data->limit,
                           cancellable, &error);

  if (ids != NULL)
    g_task_return_pointer (task, ids, (GDestroyNotify) g_array_unref);
  else
    g_task_return_error (task, error);
}

static void
start_query (PfIndex             *self,
             const char          *search,
             gboolean             bodies,
             gboolean             conversations,
             guint                limit,
             gpointer             source_tag,
             GCancellable        *cancellable,
             GAsyncReadyCallback  callback,
             gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  QueryData *data;

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, source_tag);
  data = g_new0 (QueryData, 1);
  data->search = g_strdup (search);
  data->bodies = bodies;
  data->conversations = conversations;
  data->limit = limit;
  g_task_set_task_data (task, data, (GDestroyNotify) query_data_free);
  g_task_run_in_thread (task, query_thread);
}

void
pf_index_query_async (PfIndex             *self,
                      const char          *search,
                      gboolean             bodies,
                      GCancellable        *cancellable,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  g_return_if_fail (PF_IS_INDEX (self));
  start_query (self, search, bodies, FALSE, 0, pf_index_query_async, cancellable, callback, user_data);
}

void
pf_index_query_head_async (PfIndex             *self,
                           const char          *search,
                           gboolean             bodies,
                           guint                limit,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_return_if_fail (PF_IS_INDEX (self));
  g_return_if_fail (limit > 0);
  start_query (self, search, bodies, FALSE, limit, pf_index_query_async, cancellable, callback, user_data);
}

GArray *
pf_index_query_finish (PfIndex       *self,
                       GAsyncResult  *result,
                       GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == pf_index_query_async, NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

void
pf_index_query_conversations_async (PfIndex             *self,
                                    const char          *search,
                                    gboolean             bodies,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_return_if_fail (PF_IS_INDEX (self));
  start_query (self, search, bodies, TRUE, 0, pf_index_query_conversations_async,
               cancellable, callback, user_data);
}

GArray *
pf_index_query_conversations_finish (PfIndex       *self,
                                     GAsyncResult  *result,
                                     GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == pf_index_query_conversations_async, NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
