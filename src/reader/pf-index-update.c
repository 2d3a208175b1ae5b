/* pf-index-update.c — bringing the index up to date with the Maildir:
 * listing the folders, parsing new files, writing rows
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <gmime/gmime.h>
#include <glib/gstdio.h>

#include "pf-html-text.h"
#include "pf-index-private.h"
#include "pf-maildir-flags.h"
#include "pf-mime-file.h"

/* Rows written per transaction while building: a build interrupted half
 * way keeps what it wrote, and other connections are never locked out
 * for long. */
#define BATCH_ROWS 2000
/* How much of a message's text the body index reads. */
#define BODY_TEXT_MAX (64 * 1024)

/* ---- Parsing a message file --------------------------------------------- */

typedef struct
{
  char    *from;
  char    *to;
  char    *subject;
  char    *message_id;
  char    *in_reply_to;
  char    *references;
  char    *body;
  gint64   date;
  guint64  size;
  gboolean attachment;
} Parsed;

static void
parsed_clear (Parsed *p)
{
  g_free (p->from);
  g_free (p->to);
  g_free (p->subject);
  g_free (p->message_id);
  g_free (p->in_reply_to);
  g_free (p->references);
  g_free (p->body);
  memset (p, 0, sizeof *p);
}

/* Display text: valid UTF-8 without control characters. */
static char *
clean_text (const char *text)
{
  g_autofree char *valid = g_utf8_make_valid (text ? text : "", -1);
  GString *out = g_string_sized_new (strlen (valid));

  for (const char *p = valid; *p; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (g_unichar_iscntrl (c))
        c = ' ';
      g_string_append_unichar (out, c);
    }
  return g_strstrip (g_string_free (out, FALSE));
}

static char *
address_text (InternetAddressList *list)
{
  g_autofree char *text = NULL;

  if (list == NULL || internet_address_list_length (list) == 0)
    return g_strdup ("");
  text = internet_address_list_to_string (list, NULL, FALSE);
  return clean_text (text);
}

static void
scan_parts (GMimeObject *parent,
            GMimeObject *part,
            gpointer     user_data)
{
  Parsed *p = user_data;

  if (GMIME_IS_PART (part) && !GMIME_IS_TEXT_PART (part))
    p->attachment = TRUE;
  else if (GMIME_IS_PART (part) && g_mime_part_is_attachment (GMIME_PART (part)))
    p->attachment = TRUE;
}

static GMimeTextPart *
first_text_part (GMimeMessage *message)
{
  GMimeObject *root = g_mime_message_get_mime_part (message);
  GMimePartIter *iter;
  GMimeTextPart *html = NULL, *plain = NULL;

  if (root == NULL)
    return NULL;
  if (GMIME_IS_TEXT_PART (root))
    return GMIME_TEXT_PART (root);
  if (!GMIME_IS_MULTIPART (root))
    return NULL;

  iter = g_mime_part_iter_new (root);
  do
    {
      GMimeObject *part = g_mime_part_iter_get_current (iter);

      if (part == NULL || !GMIME_IS_TEXT_PART (part) || g_mime_part_is_attachment (GMIME_PART (part)))
        continue;
      if (plain == NULL && g_mime_content_type_is_type (g_mime_object_get_content_type (part), "text", "plain"))
        plain = GMIME_TEXT_PART (part);
      else if (html == NULL && g_mime_content_type_is_type (g_mime_object_get_content_type (part), "text", "html"))
        html = GMIME_TEXT_PART (part);
    }
  while (plain == NULL && g_mime_part_iter_next (iter));
  g_mime_part_iter_free (iter);

  return plain ? plain : html;
}

static gint64
time_from_name (const char *name)
{
  return g_ascii_strtoll (name, NULL, 10);
}

static gboolean
parse_file (const char  *path,
            const char  *name,
            gboolean     with_body,
            Parsed      *out,
            GError     **error)
{
  gsize length = 0;
  GMimeMessage *message;
  GDateTime *date;

  if (!pf_mime_file_read (path, &message, NULL, &length, error))
    return FALSE;

  out->size = length;
  if (message == NULL)
    {
      /* Not a message GMime can read: still listed, by its file. */
      out->from = g_strdup ("");
      out->to = g_strdup ("");
      out->subject = g_strdup ("");
      out->message_id = g_strdup ("");
      out->in_reply_to = g_strdup ("");
      out->references = g_strdup ("");
      out->date = time_from_name (name);
      return TRUE;
    }

  out->from = address_text (g_mime_message_get_from (message));
  {
    g_autofree char *to = address_text (g_mime_message_get_to (message));
    g_autofree char *cc = address_text (g_mime_message_get_cc (message));

    out->to = *cc ? g_strconcat (to, *to ? ", " : "", cc, NULL) : g_steal_pointer (&to);
  }
  out->subject = clean_text (g_mime_message_get_subject (message));
  out->message_id = clean_text (g_mime_message_get_message_id (message));
  if (strpbrk (out->message_id, " \t") != NULL)
    g_clear_pointer (&out->message_id, g_free);
  if (out->message_id == NULL)
    out->message_id = g_strdup ("");
  out->in_reply_to = pf_index_thread_ids_from_header (g_mime_object_get_header (GMIME_OBJECT (message), "In-Reply-To"));
  out->references = pf_index_thread_ids_from_header (g_mime_object_get_header (GMIME_OBJECT (message), "References"));
  date = g_mime_message_get_date (message);
  out->date = date ? g_date_time_to_unix (date) : time_from_name (name);
  g_mime_message_foreach (message, scan_parts, out);

  if (with_body)
    {
      GMimeTextPart *part = first_text_part (message);
      g_autofree char *text = part ? g_mime_text_part_get_text (part) : NULL;

      if (text != NULL && strlen (text) > BODY_TEXT_MAX)
        text[BODY_TEXT_MAX] = '\0';
      if (text != NULL && g_mime_content_type_is_type (g_mime_object_get_content_type (GMIME_OBJECT (part)), "text", "html"))
        out->body = pf_html_to_text (text);
      else if (text != NULL)
        out->body = g_utf8_make_valid (text, -1);
    }

  g_object_unref (message);
  return TRUE;
}

/* ---- Update -------------------------------------------------------------- */

typedef struct
{
  int   folder;
  char *filename;
} Listed;

static void
listed_free (gpointer data)
{
  Listed *l = data;

  g_free (l->filename);
  g_free (l);
}

static gint64
folder_mtime (const char *maildir,
              const char *folder)
{
  g_autofree char *path = g_build_filename (maildir, folder, NULL);
  struct stat st;

  if (g_stat (path, &st) != 0)
    return -1;
  return (gint64) st.st_mtim.tv_sec * G_GINT64_CONSTANT (1000000000) + st.st_mtim.tv_nsec;
}

static gint64
stored_mtime (sqlite3    *db,
              const char *folder)
{
  sqlite3_stmt *stmt = NULL;
  gint64 mtime = -2;

  if (sqlite3_prepare_v2 (db, "SELECT mtime FROM folders WHERE name = ?", -1, &stmt, NULL) != SQLITE_OK)
    return -2;
  sqlite3_bind_text (stmt, 1, folder, -1, SQLITE_STATIC);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    mtime = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return mtime;
}

static gboolean
list_folder (const char  *maildir,
             int          folder,
             GHashTable  *listing,
             GError     **error)
{
  g_autofree char *path = g_build_filename (maildir, folder ? "cur" : "new", NULL);
  g_autoptr(GDir) dir = NULL;
  g_autoptr(GError) local_error = NULL;
  const char *name;

  dir = g_dir_open (path, 0, &local_error);
  if (dir == NULL)
    {
      if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        return TRUE;
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      char *base = NULL;
      Listed *l;

      if (name[0] == '.')
        continue;
      pf_maildir_name_split (name, &base, NULL);
      /* The same unique part in both folders (a reader crashed half way
       * through a move): cur/ wins, it is the later state. */
      if (folder == 0 && g_hash_table_contains (listing, base))
        {
          g_free (base);
          continue;
        }
      l = g_new0 (Listed, 1);
      l->folder = folder;
      l->filename = g_strdup (name);
      g_hash_table_replace (listing, base, l);
    }
  return TRUE;
}

typedef struct
{
  sqlite3      *db;
  sqlite3_stmt *insert;
  sqlite3_stmt *insert_headers;
  sqlite3_stmt *insert_body;
  sqlite3_stmt *move;
  sqlite3_stmt *remove;
  sqlite3_stmt *remove_headers;
  guint         in_batch;
  PfIndexThreader threader;
} Writer;

static void
writer_clear (Writer *w)
{
  g_clear_pointer (&w->insert, sqlite3_finalize);
  g_clear_pointer (&w->insert_headers, sqlite3_finalize);
  g_clear_pointer (&w->insert_body, sqlite3_finalize);
  g_clear_pointer (&w->move, sqlite3_finalize);
  g_clear_pointer (&w->remove, sqlite3_finalize);
  g_clear_pointer (&w->remove_headers, sqlite3_finalize);
  pf_index_threader_clear (&w->threader);
}

static gboolean
writer_prepare (Writer  *w,
                GError **error)
{
  const struct { sqlite3_stmt **stmt; const char *sql; } statements[] = {
    { &w->insert, "INSERT INTO messages (base, folder, filename, flags, date, size, attachment,"
                  " sender, recipients, subject, message_id, in_reply_to, refs, thread, body_indexed)"
                  " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)" },
    { &w->insert_headers, "INSERT INTO headers (rowid, sender, recipients, subject) VALUES (?, ?, ?, ?)" },
    { &w->insert_body, "INSERT INTO bodies (rowid, body) VALUES (?, ?)" },
    { &w->move, "UPDATE messages SET folder = ?2, filename = ?3, flags = ?4 WHERE id = ?1" },
    { &w->remove, "DELETE FROM messages WHERE id = ?" },
    { &w->remove_headers, "DELETE FROM headers WHERE rowid = ?" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (statements); i++)
    {
      int rc = sqlite3_prepare_v2 (w->db, statements[i].sql, -1, statements[i].stmt, NULL);

      if (rc != SQLITE_OK)
        return pf_index_set_db_error (w->db, rc, error);
    }
  return pf_index_threader_init (&w->threader, w->db, error);
}

static gboolean
writer_tick (Writer  *w,
             GError **error)
{
  if (w->in_batch == 0 && !pf_index_exec (w->db, "BEGIN IMMEDIATE", error))
    return FALSE;
  if (++w->in_batch >= BATCH_ROWS)
    {
      w->in_batch = 0;
      return pf_index_exec (w->db, "COMMIT", error);
    }
  return TRUE;
}

static gboolean
writer_finish (Writer  *w,
               GError **error)
{
  if (w->in_batch == 0)
    return TRUE;
  w->in_batch = 0;
  return pf_index_exec (w->db, "COMMIT", error);
}

static gboolean
write_message (Writer      *w,
               const char  *maildir,
               const char  *base,
               Listed      *l,
               gboolean     with_bodies,
               GError     **error)
{
  g_autofree char *path = g_build_filename (maildir, l->folder ? "cur" : "new", l->filename, NULL);
  g_autofree char *flags = NULL;
  g_autoptr(GError) local_error = NULL;
  Parsed p = { 0, };
  sqlite3_int64 id;
  gint64 thread = 0;
  gboolean ok;

  if (!parse_file (path, l->filename, with_bodies, &p, &local_error))
    {
      /* Gone since the listing (another reader moved or removed it): the
       * next update sees where it went. */
      g_debug ("Skipping %s: %s", path, local_error->message);
      return TRUE;
    }
  if (!writer_tick (w, error) ||
      !pf_index_threader_assign (&w->threader, p.message_id, p.in_reply_to, p.references, &thread, error))
    {
      parsed_clear (&p);
      return FALSE;
    }
  pf_maildir_name_split (l->filename, NULL, &flags);

  sqlite3_bind_text (w->insert, 1, base, -1, SQLITE_STATIC);
  sqlite3_bind_int (w->insert, 2, l->folder);
  sqlite3_bind_text (w->insert, 3, l->filename, -1, SQLITE_STATIC);
  sqlite3_bind_text (w->insert, 4, flags, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (w->insert, 5, p.date);
  sqlite3_bind_int64 (w->insert, 6, (sqlite3_int64) p.size);
  sqlite3_bind_int (w->insert, 7, p.attachment);
  sqlite3_bind_text (w->insert, 8, p.from, -1, SQLITE_STATIC);
  sqlite3_bind_text (w->insert, 9, p.to, -1, SQLITE_STATIC);
  sqlite3_bind_text (w->insert, 10, p.subject, -1, SQLITE_STATIC);
  sqlite3_bind_text (w->insert, 11, p.message_id, -1, SQLITE_STATIC);
  sqlite3_bind_text (w->insert, 12, p.in_reply_to, -1, SQLITE_STATIC);
  sqlite3_bind_text (w->insert, 13, p.references, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (w->insert, 14, thread);
  sqlite3_bind_int (w->insert, 15, with_bodies);
  ok = pf_index_step_done (w->db, w->insert, error);
  id = sqlite3_last_insert_rowid (w->db);

  if (ok)
    {
      sqlite3_bind_int64 (w->insert_headers, 1, id);
      sqlite3_bind_text (w->insert_headers, 2, p.from, -1, SQLITE_STATIC);
      sqlite3_bind_text (w->insert_headers, 3, p.to, -1, SQLITE_STATIC);
      sqlite3_bind_text (w->insert_headers, 4, p.subject, -1, SQLITE_STATIC);
      ok = pf_index_step_done (w->db, w->insert_headers, error);
    }
  if (ok && p.body != NULL && *p.body)
    {
      sqlite3_bind_int64 (w->insert_body, 1, id);
      sqlite3_bind_text (w->insert_body, 2, p.body, -1, SQLITE_STATIC);
      ok = pf_index_step_done (w->db, w->insert_body, error);
    }
  parsed_clear (&p);
  return ok;
}

static gboolean
store_mtime (sqlite3     *db,
             const char  *folder,
             gint64       mtime,
             GError     **error)
{
  sqlite3_stmt *stmt = NULL;
  gint64 now = g_get_real_time () * 1000;

  /* A folder changed within the last two seconds may change again within
   * the same timestamp tick after the listing: trust it only next time. */
  if (mtime < 0 || now - mtime < G_GINT64_CONSTANT (2000000000))
    mtime = -1;
  if (sqlite3_prepare_v2 (db, "INSERT OR REPLACE INTO folders VALUES (?, ?)", -1, &stmt, NULL) != SQLITE_OK)
    return pf_index_set_db_error (db, SQLITE_ERROR, error);
  sqlite3_bind_text (stmt, 1, folder, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, mtime);
  return pf_index_step_done (db, stmt, error) && (sqlite3_finalize (stmt), TRUE);
}

static int
compare_names (const void *a,
               const void *b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

static gboolean
update_db (sqlite3       *db,
           const char    *maildir,
           gboolean       with_bodies,
           PfIndexStats  *stats,
           GCancellable  *cancellable,
           GError       **error)
{
  g_autoptr(GHashTable) listing = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, listed_free);
  g_autoptr(GArray) gone = g_array_new (FALSE, FALSE, sizeof (gint64));
  Writer w = { db, };
  sqlite3_stmt *rows = NULL;
  g_autofree gpointer *new_names = NULL;
  guint n_new = 0;
  gint64 mtime_new, mtime_cur;
  gpointer key, value;
  gboolean ok = FALSE;
  int rc;

  mtime_new = folder_mtime (maildir, "new");
  mtime_cur = folder_mtime (maildir, "cur");
  if (mtime_new >= 0 && mtime_cur >= 0 &&
      mtime_new == stored_mtime (db, "new") && mtime_cur == stored_mtime (db, "cur"))
    return TRUE;
  stats->scanned = TRUE;

  /* The listings: cur/ first, so that it wins over new/. */
  if (!list_folder (maildir, 1, listing, error) || !list_folder (maildir, 0, listing, error))
    return FALSE;
  if (!writer_prepare (&w, error))
    goto out;

  /* Every row against the listing: gone, moved, or unchanged. */
  rc = sqlite3_prepare_v2 (db, "SELECT id, base, folder, filename FROM messages", -1, &rows, NULL);
  if (rc != SQLITE_OK)
    {
      pf_index_set_db_error (db, rc, error);
      goto out;
    }
  if (!pf_index_exec (db, "BEGIN IMMEDIATE", error))
    goto out;
  while ((rc = sqlite3_step (rows)) == SQLITE_ROW)
    {
      gint64 id = sqlite3_column_int64 (rows, 0);
      const char *base = (const char *) sqlite3_column_text (rows, 1);
      int folder = sqlite3_column_int (rows, 2);
      const char *filename = (const char *) sqlite3_column_text (rows, 3);
      Listed *l = g_hash_table_lookup (listing, base);

      if (l == NULL)
        g_array_append_val (gone, id);
      else
        {
          if (l->folder != folder || g_strcmp0 (l->filename, filename) != 0)
            {
              g_autofree char *flags = NULL;

              pf_maildir_name_split (l->filename, NULL, &flags);
              sqlite3_bind_int64 (w.move, 1, id);
              sqlite3_bind_int (w.move, 2, l->folder);
              sqlite3_bind_text (w.move, 3, l->filename, -1, SQLITE_STATIC);
              sqlite3_bind_text (w.move, 4, flags, -1, SQLITE_STATIC);
              if (!pf_index_step_done (db, w.move, error))
                {
                  pf_index_exec (db, "ROLLBACK", NULL);
                  goto out;
                }
              stats->changed++;
            }
          g_hash_table_remove (listing, base);
        }
    }
  g_clear_pointer (&rows, sqlite3_finalize);
  if (rc != SQLITE_DONE)
    {
      pf_index_set_db_error (db, rc, error);
      pf_index_exec (db, "ROLLBACK", NULL);
      goto out;
    }
  for (guint i = 0; i < gone->len; i++)
    {
      gint64 id = g_array_index (gone, gint64, i);

      sqlite3_bind_int64 (w.remove, 1, id);
      sqlite3_bind_int64 (w.remove_headers, 1, id);
      if (!pf_index_step_done (db, w.remove, error) || !pf_index_step_done (db, w.remove_headers, error))
        {
          pf_index_exec (db, "ROLLBACK", NULL);
          goto out;
        }
    }
  stats->removed = gone->len;
  if (!pf_index_exec (db, "COMMIT", error))
    goto out;

  /* What is left of the listing is new to the index, written in the
   * order of the names (delivery time first, as Maildir names begin): of
   * messages with the same date, the one delivered later gets the larger
   * id and so lists first. */
  new_names = g_hash_table_get_keys_as_array (listing, &n_new);
  qsort (new_names, n_new, sizeof (gpointer), compare_names);
  for (guint i = 0; i < n_new; i++)
    {
      key = new_names[i];
      value = g_hash_table_lookup (listing, key);
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        {
          writer_finish (&w, NULL);
          goto out;
        }
      if (!write_message (&w, maildir, key, value, with_bodies, error))
        {
          if (w.in_batch > 0)
            pf_index_exec (db, "ROLLBACK", NULL);
          goto out;
        }
      stats->added++;
    }
  if (!writer_finish (&w, error))
    goto out;

  /* Only now is the index as new as the folders were when listed. */
  ok = store_mtime (db, "new", mtime_new, error) && store_mtime (db, "cur", mtime_cur, error);

out:
  g_clear_pointer (&rows, sqlite3_finalize);
  writer_clear (&w);
  return ok;
}

gboolean
pf_index_update (PfIndex       *self,
                 gboolean       with_bodies,
                 PfIndexStats  *stats,
                 GCancellable  *cancellable,
                 GError       **error)
{
  PfIndexStats local_stats = { 0, };
  g_autoptr(GError) local_error = NULL;
  sqlite3 *db;
  gboolean rebuilt;

  g_return_val_if_fail (PF_IS_INDEX (self), FALSE);

  if (stats == NULL)
    stats = &local_stats;
  memset (stats, 0, sizeof *stats);

  db = pf_index_open_or_create (self->index_path, self->maildir, &rebuilt, error);
  if (db == NULL)
    return FALSE;
  stats->rebuilt = rebuilt;

  if (update_db (db, self->maildir, with_bodies, stats, cancellable, &local_error))
    {
      sqlite3_close (db);
      return TRUE;
    }
  sqlite3_close (db);

  /* Damage found while reading: start again from the Maildir, once. */
  if (local_error->domain == PF_INDEX_ERROR && pf_index_is_damage (local_error->code) && !rebuilt)
    {
      g_debug ("The mail index %s is damaged (%s): rebuilding it", self->index_path, local_error->message);
      g_clear_error (&local_error);
      memset (stats, 0, sizeof *stats);
      stats->rebuilt = TRUE;
      db = pf_index_create_index (self->index_path, self->maildir, error);
      if (db == NULL)
        return FALSE;
      if (update_db (db, self->maildir, with_bodies, stats, cancellable, &local_error))
        {
          sqlite3_close (db);
          return TRUE;
        }
      sqlite3_close (db);
    }
  g_propagate_error (error, g_steal_pointer (&local_error));
  return FALSE;
}

typedef struct
{
  gboolean     with_bodies;
  PfIndexStats stats;
} UpdateData;

static void
update_thread (GTask        *task,
               gpointer      source,
               gpointer      task_data,
               GCancellable *cancellable)
{
  UpdateData *data = task_data;
  GError *error = NULL;

  if (pf_index_update (source, data->with_bodies, &data->stats, cancellable, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

void
pf_index_update_async (PfIndex             *self,
                       gboolean             with_bodies,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  UpdateData *data;

  g_return_if_fail (PF_IS_INDEX (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, pf_index_update_async);
  data = g_new0 (UpdateData, 1);
  data->with_bodies = with_bodies;
  g_task_set_task_data (task, data, g_free);
  g_task_run_in_thread (task, update_thread);
}

gboolean
pf_index_update_finish (PfIndex       *self,
                        GAsyncResult  *result,
                        PfIndexStats  *stats,
                        GError       **error)
{
  UpdateData *data;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  data = g_task_get_task_data (G_TASK (result));
  if (stats != NULL)
    *stats = data->stats;
  if (data->stats.rebuilt)
    pf_index_reset_connection (self);
  return g_task_propagate_boolean (G_TASK (result), error);
}
