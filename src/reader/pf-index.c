/* pf-index.c — the index objects, a row, and changes to one message
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <errno.h>
#include <string.h>

#include <glib/gstdio.h>

#include "pf-index-private.h"
#include "pf-maildir-flags.h"

/* ---- PfIndexMessage --------------------------------------------------- */

struct _PfIndexMessage
{
  GObject  parent_instance;

  gint64   id;
  char    *path;
  char    *flags;
  char    *from;
  char    *to;
  char    *subject;
  char    *message_id;
  gint64   date;
  guint64  size;
  gboolean attachment;
  gboolean is_new;
  gint64   thread;
  guint    conversation_count;
  guint    conversation_unread;
};

G_DEFINE_FINAL_TYPE (PfIndexMessage, pf_index_message, G_TYPE_OBJECT)

static void
pf_index_message_finalize (GObject *object)
{
  PfIndexMessage *self = PF_INDEX_MESSAGE (object);

  g_free (self->path);
  g_free (self->flags);
  g_free (self->from);
  g_free (self->to);
  g_free (self->subject);
  g_free (self->message_id);

  G_OBJECT_CLASS (pf_index_message_parent_class)->finalize (object);
}

static void
pf_index_message_class_init (PfIndexMessageClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = pf_index_message_finalize;
}

static void
pf_index_message_init (PfIndexMessage *self)
{
}

gint64 pf_index_message_get_id (PfIndexMessage *self) { g_return_val_if_fail (PF_IS_INDEX_MESSAGE (self), 0); return self->id; }
const char *pf_index_message_get_path (PfIndexMessage *self) { g_return_val_if_fail (PF_IS_INDEX_MESSAGE (self), NULL); return self->path; }
const char *pf_index_message_get_flags (PfIndexMessage *self) { g_return_val_if_fail (PF_IS_INDEX_MESSAGE (self), NULL); return self->flags; }
const char *pf_index_message_get_from (PfIndexMessage *self) { g_return_val_if_fail (PF_IS_INDEX_MESSAGE (self), NULL); return self->from; }
const char *pf_index_message_get_to (PfIndexMessage *self) { g_return_val_if_fail (PF_IS_INDEX_MESSAGE (self), NULL); return self->to; }
const char *pf_index_message_get_subject (PfIndexMessage *self) { g_return_val_if_fail (PF_IS_INDEX_MESSAGE (self), NULL); return self->subject; }
const char *pf_index_message_get_message_id (PfIndexMessage *self) { g_return_val_if_fail (PF_IS_INDEX_MESSAGE (self), NULL); return self->message_id; }
gint64 pf_index_message_get_date (PfIndexMessage *self) { g_return_val_if_fail (PF_IS_INDEX_MESSAGE (self), 0); return self->date; }
guint64 pf_index_message_get_size (PfIndexMessage *self) { g_return_val_if_fail (PF_IS_INDEX_MESSAGE (self), 0); return self->size; }
gboolean pf_index_message_get_attachment (PfIndexMessage *self) { g_return_val_if_fail (PF_IS_INDEX_MESSAGE (self), FALSE); return self->attachment; }

gint64 pf_index_message_get_thread (PfIndexMessage *self) { g_return_val_if_fail (PF_IS_INDEX_MESSAGE (self), 0); return self->thread; }
guint pf_index_message_get_conversation_count (PfIndexMessage *self) { g_return_val_if_fail (PF_IS_INDEX_MESSAGE (self), 0); return self->conversation_count; }
guint pf_index_message_get_conversation_unread (PfIndexMessage *self) { g_return_val_if_fail (PF_IS_INDEX_MESSAGE (self), 0); return self->conversation_unread; }

void
pf_index_message_set_conversation (PfIndexMessage *self,
                                   guint           count,
                                   guint           unread)
{
  g_return_if_fail (PF_IS_INDEX_MESSAGE (self));
  self->conversation_count = count;
  self->conversation_unread = unread;
}

gboolean
pf_index_message_get_unread (PfIndexMessage *self)
{
  g_return_val_if_fail (PF_IS_INDEX_MESSAGE (self), FALSE);
  return self->is_new || !pf_maildir_flags_has (self->flags, 'S');
}

/* ---- PfIndex ---------------------------------------------------------- */

G_DEFINE_FINAL_TYPE (PfIndex, pf_index, G_TYPE_OBJECT)

static void
pf_index_finalize (GObject *object)
{
  PfIndex *self = PF_INDEX (object);

  pf_index_reset_connection (self);
  g_free (self->index_path);
  g_free (self->maildir);

  G_OBJECT_CLASS (pf_index_parent_class)->finalize (object);
}

static void
pf_index_class_init (PfIndexClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = pf_index_finalize;
}

static void
pf_index_init (PfIndex *self)
{
}

char *
pf_index_path_for_maildir (const char *state_dir,
                           const char *maildir)
{
  g_autofree char *hash = NULL;
  g_autofree char *name = NULL;

  g_return_val_if_fail (state_dir != NULL && maildir != NULL, NULL);

  hash = g_compute_checksum_for_string (G_CHECKSUM_SHA256, maildir, -1);
  hash[24] = '\0';
  name = g_strconcat (hash, ".sqlite", NULL);
  return g_build_filename (state_dir, "reader", name, NULL);
}

PfIndex *
pf_index_new (const char *index_path,
              const char *maildir)
{
  PfIndex *self;

  g_return_val_if_fail (index_path != NULL && maildir != NULL, NULL);

  self = g_object_new (PF_TYPE_INDEX, NULL);
  self->index_path = g_strdup (index_path);
  self->maildir = g_strdup (maildir);
  return self;
}

const char *
pf_index_get_maildir (PfIndex *self)
{
  g_return_val_if_fail (PF_IS_INDEX (self), NULL);
  return self->maildir;
}

const char *
pf_index_get_index_path (PfIndex *self)
{
  g_return_val_if_fail (PF_IS_INDEX (self), NULL);
  return self->index_path;
}

void
pf_index_reset_connection (PfIndex *self)
{
  g_return_if_fail (PF_IS_INDEX (self));

  g_clear_pointer (&self->get_stmt, sqlite3_finalize);
  g_clear_pointer (&self->db, sqlite3_close);
}

/* ---- Rows ---------------------------------------------------------------- */

static gboolean
ensure_connection (PfIndex *self)
{
  if (self->db != NULL)
    return TRUE;
  if (!g_file_test (self->index_path, G_FILE_TEST_EXISTS))
    return FALSE;
  self->db = pf_index_open_connection (self->index_path, FALSE, NULL);
  if (self->db == NULL)
    return FALSE;
  if (sqlite3_prepare_v2 (self->db,
                          "SELECT folder, filename, flags, date, size, attachment, sender,"
                          " recipients, subject, message_id, thread FROM messages WHERE id = ?",
                          -1, &self->get_stmt, NULL) != SQLITE_OK)
    {
      pf_index_reset_connection (self);
      return FALSE;
    }
  return TRUE;
}

char *
pf_index_column_dup (sqlite3_stmt *stmt,
                     int           column)
{
  const char *text = (const char *) sqlite3_column_text (stmt, column);

  return g_strdup (text ? text : "");
}

PfIndexMessage *
pf_index_get_message (PfIndex *self,
                      gint64   id)
{
  PfIndexMessage *message = NULL;
  sqlite3_stmt *stmt;

  g_return_val_if_fail (PF_IS_INDEX (self), NULL);

  if (!ensure_connection (self))
    return NULL;
  stmt = self->get_stmt;
  sqlite3_bind_int64 (stmt, 1, id);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    {
      int folder = sqlite3_column_int (stmt, 0);

      message = g_object_new (PF_TYPE_INDEX_MESSAGE, NULL);
      message->id = id;
      message->is_new = folder == 0;
      message->path = g_build_filename (self->maildir, folder ? "cur" : "new",
                                        (const char *) sqlite3_column_text (stmt, 1), NULL);
      message->flags = pf_index_column_dup (stmt, 2);
      message->date = sqlite3_column_int64 (stmt, 3);
      message->size = sqlite3_column_int64 (stmt, 4);
      message->attachment = sqlite3_column_int (stmt, 5);
      message->from = pf_index_column_dup (stmt, 6);
      message->to = pf_index_column_dup (stmt, 7);
      message->subject = pf_index_column_dup (stmt, 8);
      message->message_id = pf_index_column_dup (stmt, 9);
      message->thread = sqlite3_column_int64 (stmt, 10);
    }
  sqlite3_reset (stmt);
  return message;
}

guint
pf_index_count_unread (PfIndex *self)
{
  sqlite3_stmt *stmt = NULL;
  guint count = 0;

  g_return_val_if_fail (PF_IS_INDEX (self), 0);

  if (!ensure_connection (self))
    return 0;
  if (sqlite3_prepare_v2 (self->db, "SELECT count(*) FROM messages WHERE instr(flags, 'T') = 0"
                                    " AND (folder = 0 OR instr(flags, 'S') = 0)", -1, &stmt, NULL) != SQLITE_OK)
    return 0;
  if (sqlite3_step (stmt) == SQLITE_ROW)
    count = sqlite3_column_int (stmt, 0);
  sqlite3_finalize (stmt);
  return count;
}

/* ---- Flags --------------------------------------------------------------- */

static gboolean
find_current_file (const char  *maildir,
                   const char  *base,
                   int         *folder,
                   char       **filename)
{
  /* Where another reader may have put it: the recorded name is tried
   * first by the caller; this lists cur/ and new/ for the unique part. */
  for (int f = 1; f >= 0; f--)
    {
      g_autofree char *path = g_build_filename (maildir, f ? "cur" : "new", NULL);
      g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
      const char *name;
      gsize base_len = strlen (base);

      if (dir == NULL)
        continue;
      while ((name = g_dir_read_name (dir)) != NULL)
        if (strncmp (name, base, base_len) == 0 && (name[base_len] == '\0' || name[base_len] == ':'))
          {
            *folder = f;
            *filename = g_strdup (name);
            return TRUE;
          }
    }
  return FALSE;
}

static gboolean
lookup_row (sqlite3  *db,
            gint64    id,
            char    **base,
            int      *folder,
            char    **filename,
            GError  **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc;

  rc = sqlite3_prepare_v2 (db, "SELECT base, folder, filename FROM messages WHERE id = ?", -1, &stmt, NULL);
  if (rc != SQLITE_OK)
    return pf_index_set_db_error (db, rc, error);
  sqlite3_bind_int64 (stmt, 1, id);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    {
      sqlite3_finalize (stmt);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "The message is no longer in the mail folder.");
      return FALSE;
    }
  *base = pf_index_column_dup (stmt, 0);
  *folder = sqlite3_column_int (stmt, 1);
  *filename = pf_index_column_dup (stmt, 2);
  sqlite3_finalize (stmt);
  return TRUE;
}

gboolean
pf_index_set_flags (PfIndex     *self,
                    gint64       id,
                    const char  *add,
                    const char  *remove,
                    GError     **error)
{
  g_autofree char *base = NULL;
  g_autofree char *filename = NULL;
  g_autofree char *old_path = NULL;
  g_autofree char *old_flags = NULL;
  g_autofree char *new_flags = NULL;
  g_autofree char *new_name = NULL;
  g_autofree char *new_path = NULL;
  sqlite3_stmt *stmt = NULL;
  sqlite3 *db;
  int folder;
  gboolean ok;

  g_return_val_if_fail (PF_IS_INDEX (self), FALSE);

  db = pf_index_open_connection (self->index_path, FALSE, error);
  if (db == NULL)
    return FALSE;
  if (!lookup_row (db, id, &base, &folder, &filename, error))
    {
      sqlite3_close (db);
      return FALSE;
    }

  old_path = g_build_filename (self->maildir, folder ? "cur" : "new", filename, NULL);
  if (!g_file_test (old_path, G_FILE_TEST_EXISTS))
    {
      g_clear_pointer (&filename, g_free);
      g_clear_pointer (&old_path, g_free);
      if (!find_current_file (self->maildir, base, &folder, &filename))
        {
          sqlite3_close (db);
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "The message is no longer in the mail folder.");
          return FALSE;
        }
      old_path = g_build_filename (self->maildir, folder ? "cur" : "new", filename, NULL);
    }

  pf_maildir_name_split (filename, NULL, &old_flags);
  new_flags = pf_maildir_flags_change (old_flags, add, remove);
  new_name = pf_maildir_name_for_cur (base, new_flags);
  new_path = g_build_filename (self->maildir, "cur", new_name, NULL);
  if (g_strcmp0 (old_path, new_path) != 0 && g_rename (old_path, new_path) != 0)
    {
      int saved_errno = errno;

      sqlite3_close (db);
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "Could not rename %s: %s", old_path, g_strerror (saved_errno));
      return FALSE;
    }

  ok = sqlite3_prepare_v2 (db, "UPDATE messages SET folder = 1, filename = ?2, flags = ?3 WHERE id = ?1",
                           -1, &stmt, NULL) == SQLITE_OK;
  if (ok)
    {
      sqlite3_bind_int64 (stmt, 1, id);
      sqlite3_bind_text (stmt, 2, new_name, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 3, new_flags, -1, SQLITE_STATIC);
      ok = pf_index_step_done (db, stmt, error);
      sqlite3_finalize (stmt);
    }
  else
    pf_index_set_db_error (db, SQLITE_ERROR, error);
  sqlite3_close (db);
  return ok;
}

typedef struct
{
  gint64  id;
  char   *add;
  char   *remove;
} FlagsData;

static void
flags_data_free (FlagsData *data)
{
  g_free (data->add);
  g_free (data->remove);
  g_free (data);
}

static void
flags_thread (GTask        *task,
              gpointer      source,
              gpointer      task_data,
              GCancellable *cancellable)
{
  FlagsData *data = task_data;
  GError *error = NULL;

  if (pf_index_set_flags (source, data->id, data->add, data->remove, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

void
pf_index_set_flags_async (PfIndex             *self,
                          gint64               id,
                          const char          *add,
                          const char          *remove,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  FlagsData *data;

  g_return_if_fail (PF_IS_INDEX (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, pf_index_set_flags_async);
  data = g_new0 (FlagsData, 1);
  data->id = id;
  data->add = g_strdup (add);
  data->remove = g_strdup (remove);
  g_task_set_task_data (task, data, (GDestroyNotify) flags_data_free);
  g_task_run_in_thread (task, flags_thread);
}

gboolean
pf_index_set_flags_finish (PfIndex       *self,
                           GAsyncResult  *result,
                           GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

gboolean
pf_index_remove (PfIndex     *self,
                 gint64       id,
                 GError     **error)
{
  g_autofree char *base = NULL;
  g_autofree char *filename = NULL;
  g_autofree char *path = NULL;
  sqlite3_stmt *stmt = NULL;
  sqlite3 *db;
  int folder;
  gboolean ok = TRUE;

  g_return_val_if_fail (PF_IS_INDEX (self), FALSE);

  db = pf_index_open_connection (self->index_path, FALSE, error);
  if (db == NULL)
    return FALSE;
  if (!lookup_row (db, id, &base, &folder, &filename, error))
    {
      sqlite3_close (db);
      return FALSE;
    }
  path = g_build_filename (self->maildir, folder ? "cur" : "new", filename, NULL);
  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_clear_pointer (&filename, g_free);
      g_clear_pointer (&path, g_free);
      if (find_current_file (self->maildir, base, &folder, &filename))
        path = g_build_filename (self->maildir, folder ? "cur" : "new", filename, NULL);
    }
  if (path != NULL && g_unlink (path) != 0 && errno != ENOENT)
    {
      int saved_errno = errno;

      sqlite3_close (db);
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "Could not remove %s: %s", path, g_strerror (saved_errno));
      return FALSE;
    }

  if (sqlite3_prepare_v2 (db, "DELETE FROM messages WHERE id = ?1; ", -1, &stmt, NULL) == SQLITE_OK)
    {
      sqlite3_bind_int64 (stmt, 1, id);
      ok = pf_index_step_done (db, stmt, error);
      sqlite3_finalize (stmt);
    }
  if (ok && sqlite3_prepare_v2 (db, "DELETE FROM headers WHERE rowid = ?1", -1, &stmt, NULL) == SQLITE_OK)
    {
      sqlite3_bind_int64 (stmt, 1, id);
      ok = pf_index_step_done (db, stmt, error);
      sqlite3_finalize (stmt);
    }
  sqlite3_close (db);
  return ok;
}
