/* pf-index.c
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
#include <sqlite3.h>

#include "pf-html-text.h"
#include "pf-index.h"
#include "pf-maildir-flags.h"

/* Bump when the schema or what a row holds changes: an older index is
 * rebuilt. */
#define SCHEMA_VERSION "2"
/* Rows written per transaction while building: a build interrupted half
 * way keeps what it wrote, and other connections are never locked out
 * for long. */
#define BATCH_ROWS 2000
/* How much of a message's text the body index reads. */
#define BODY_TEXT_MAX (64 * 1024)

#define PF_INDEX_ERROR (g_quark_from_static_string ("pf-index-error"))

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

gboolean
pf_index_message_get_unread (PfIndexMessage *self)
{
  g_return_val_if_fail (PF_IS_INDEX_MESSAGE (self), FALSE);
  return self->is_new || !pf_maildir_flags_has (self->flags, 'S');
}

/* ---- PfIndex ---------------------------------------------------------- */

struct _PfIndex
{
  GObject  parent_instance;

  char    *index_path;
  char    *maildir;
  sqlite3 *db;            /* the owner thread's connection, lazily */
  sqlite3_stmt *get_stmt;
};

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

/* ---- SQLite helpers ----------------------------------------------------- */

static gboolean
set_db_error (sqlite3     *db,
              int          rc,
              GError     **error)
{
  g_set_error (error, PF_INDEX_ERROR, rc, "Mail index: %s",
               db ? sqlite3_errmsg (db) : sqlite3_errstr (rc));
  return FALSE;
}

static gboolean
exec (sqlite3     *db,
      const char  *sql,
      GError     **error)
{
  int rc = sqlite3_exec (db, sql, NULL, NULL, NULL);

  if (rc != SQLITE_OK)
    return set_db_error (db, rc, error);
  return TRUE;
}

static gboolean
is_damage (int rc)
{
  rc &= 0xff;
  return rc == SQLITE_CORRUPT || rc == SQLITE_NOTADB || rc == SQLITE_ERROR ||
         rc == SQLITE_SCHEMA || rc == SQLITE_MISMATCH || rc == SQLITE_FORMAT;
}

static const char schema_sql[] =
  "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);"
  "CREATE TABLE folders (name TEXT PRIMARY KEY, mtime INTEGER NOT NULL);"
  /* AUTOINCREMENT: an id is never reused, so rows the contentless body
   * index still has for removed messages can never match a new one. */
  "CREATE TABLE messages ("
  "  id INTEGER PRIMARY KEY AUTOINCREMENT,"
  "  base TEXT NOT NULL UNIQUE,"
  "  folder INTEGER NOT NULL,"        /* 0 new/, 1 cur/ */
  "  filename TEXT NOT NULL,"
  "  flags TEXT NOT NULL,"
  "  date INTEGER NOT NULL,"
  "  size INTEGER NOT NULL,"
  "  attachment INTEGER NOT NULL,"
  "  sender TEXT NOT NULL,"
  "  recipients TEXT NOT NULL,"
  "  subject TEXT NOT NULL,"
  "  message_id TEXT NOT NULL,"
  "  in_reply_to TEXT NOT NULL,"
  "  body_indexed INTEGER NOT NULL);"
  /* Covering the list's query (newest first, trashed left out): opening
   * an account reads this index alone, never the rows. */
  "CREATE INDEX messages_by_date ON messages (date DESC, id DESC, flags);"
  "CREATE VIRTUAL TABLE headers USING fts5 (sender, recipients, subject,"
  "  tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3');"
  "CREATE VIRTUAL TABLE bodies USING fts5 (body, content = '', detail = none,"
  "  tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3');";

static sqlite3 *
open_connection (const char  *path,
                 gboolean     create,
                 GError     **error)
{
  sqlite3 *db = NULL;
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;
  int rc;

  if (create)
    flags |= SQLITE_OPEN_CREATE;
  rc = sqlite3_open_v2 (path, &db, flags, NULL);
  if (rc != SQLITE_OK)
    {
      set_db_error (db, rc, error);
      sqlite3_close (db);
      return NULL;
    }
  sqlite3_busy_timeout (db, 10000);
  sqlite3_extended_result_codes (db, 0);
  /* WAL: the app reads while a worker writes. NORMAL: the index can be
   * rebuilt from the Maildir, so it needs no fsync per transaction. */
  if (!exec (db, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;"
                 "PRAGMA temp_store = MEMORY; PRAGMA cache_size = -16000;", error))
    {
      sqlite3_close (db);
      return NULL;
    }
  return db;
}

/* TRUE when @db holds a complete index of this version for @maildir. */
static gboolean
schema_ok (sqlite3    *db,
           const char *maildir)
{
  sqlite3_stmt *stmt = NULL;
  gboolean version_ok = FALSE, maildir_ok = FALSE;

  if (sqlite3_prepare_v2 (db, "SELECT key, value FROM meta", -1, &stmt, NULL) != SQLITE_OK)
    return FALSE;
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      const char *key = (const char *) sqlite3_column_text (stmt, 0);
      const char *value = (const char *) sqlite3_column_text (stmt, 1);

      if (g_strcmp0 (key, "version") == 0)
        version_ok = g_strcmp0 (value, SCHEMA_VERSION) == 0;
      else if (g_strcmp0 (key, "maildir") == 0)
        maildir_ok = g_strcmp0 (value, maildir) == 0;
    }
  if (sqlite3_finalize (stmt) != SQLITE_OK)
    return FALSE;
  if (!version_ok || !maildir_ok)
    return FALSE;
  /* The tables are there and readable. */
  return sqlite3_exec (db, "SELECT 1 FROM messages LIMIT 1; SELECT 1 FROM folders LIMIT 1;"
                           "SELECT 1 FROM headers LIMIT 1;", NULL, NULL, NULL) == SQLITE_OK;
}

static void
unlink_index_files (const char *path)
{
  const char *suffixes[] = { "", "-wal", "-shm", "-journal" };

  for (gsize i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *file = g_strconcat (path, suffixes[i], NULL);

      if (g_unlink (file) != 0 && errno != ENOENT)
        g_debug ("Could not remove %s: %s", file, g_strerror (errno));
    }
}

static sqlite3 *
create_index (const char  *path,
              const char  *maildir,
              GError     **error)
{
  g_autofree char *dir = g_path_get_dirname (path);
  sqlite3 *db;
  sqlite3_stmt *stmt = NULL;

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "Could not create %s: %s", dir, g_strerror (saved_errno));
      return NULL;
    }
  unlink_index_files (path);
  db = open_connection (path, TRUE, error);
  if (db == NULL)
    return NULL;
  /* Headers of someone's mail: for their eyes only, like the journal.
   * SQLite gives the -wal and -shm files the database's mode. */
  if (g_chmod (path, 0600) != 0)
    g_debug ("Could not make %s private: %s", path, g_strerror (errno));
  if (!exec (db, "BEGIN", error) || !exec (db, schema_sql, error))
    goto fail;
  if (sqlite3_prepare_v2 (db, "INSERT INTO meta VALUES ('version', " SCHEMA_VERSION "), ('maildir', ?)",
                          -1, &stmt, NULL) != SQLITE_OK)
    {
      set_db_error (db, SQLITE_ERROR, error);
      goto fail;
    }
  sqlite3_bind_text (stmt, 1, maildir, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (stmt) != SQLITE_DONE)
    {
      set_db_error (db, SQLITE_ERROR, error);
      sqlite3_finalize (stmt);
      goto fail;
    }
  sqlite3_finalize (stmt);
  if (!exec (db, "COMMIT", error))
    goto fail;
  return db;

fail:
  sqlite3_close (db);
  return NULL;
}

/* A connection to a complete index, rebuilt (empty) when it was missing,
 * damaged, of another version or of another Maildir. */
static sqlite3 *
open_or_create (const char  *path,
                const char  *maildir,
                gboolean    *rebuilt,
                GError     **error)
{
  sqlite3 *db;

  *rebuilt = FALSE;
  if (g_file_test (path, G_FILE_TEST_EXISTS))
    {
      db = open_connection (path, FALSE, NULL);
      if (db != NULL && schema_ok (db, maildir))
        return db;
      if (db != NULL)
        sqlite3_close (db);
      g_debug ("The mail index %s is damaged or older: rebuilding it", path);
    }
  *rebuilt = TRUE;
  return create_index (path, maildir, error);
}

/* ---- Parsing a message file --------------------------------------------- */

static void
ensure_gmime (void)
{
  static gsize initialized = 0;

  if (g_once_init_enter (&initialized))
    {
      g_mime_init ();
      g_once_init_leave (&initialized, 1);
    }
}

typedef struct
{
  char    *from;
  char    *to;
  char    *subject;
  char    *message_id;
  char    *in_reply_to;
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
  g_autofree char *contents = NULL;
  gsize length = 0;
  GMimeStream *stream;
  GMimeParser *parser;
  GMimeMessage *message;
  GDateTime *date;

  ensure_gmime ();
  if (!g_file_get_contents (path, &contents, &length, error))
    return FALSE;

  stream = g_mime_stream_mem_new_with_buffer (contents, length);
  parser = g_mime_parser_new_with_stream (stream);
  g_object_unref (stream);
  message = g_mime_parser_construct_message (parser, NULL);
  g_object_unref (parser);

  out->size = length;
  if (message == NULL)
    {
      /* Not a message GMime can read: still listed, by its file. */
      out->from = g_strdup ("");
      out->to = g_strdup ("");
      out->subject = g_strdup ("");
      out->message_id = g_strdup ("");
      out->in_reply_to = g_strdup ("");
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
  out->in_reply_to = clean_text (g_mime_object_get_header (GMIME_OBJECT (message), "In-Reply-To"));
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
}

static gboolean
writer_prepare (Writer  *w,
                GError **error)
{
  const struct { sqlite3_stmt **stmt; const char *sql; } statements[] = {
    { &w->insert, "INSERT INTO messages (base, folder, filename, flags, date, size, attachment,"
                  " sender, recipients, subject, message_id, in_reply_to, body_indexed)"
                  " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)" },
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
        return set_db_error (w->db, rc, error);
    }
  return TRUE;
}

static gboolean
step_done (sqlite3      *db,
           sqlite3_stmt *stmt,
           GError      **error)
{
  int rc = sqlite3_step (stmt);

  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);
  if (rc != SQLITE_DONE)
    return set_db_error (db, rc, error);
  return TRUE;
}

static gboolean
writer_tick (Writer  *w,
             GError **error)
{
  if (w->in_batch == 0 && !exec (w->db, "BEGIN IMMEDIATE", error))
    return FALSE;
  if (++w->in_batch >= BATCH_ROWS)
    {
      w->in_batch = 0;
      return exec (w->db, "COMMIT", error);
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
  return exec (w->db, "COMMIT", error);
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
  gboolean ok;

  if (!parse_file (path, l->filename, with_bodies, &p, &local_error))
    {
      /* Gone since the listing (another reader moved or removed it): the
       * next update sees where it went. */
      g_debug ("Skipping %s: %s", path, local_error->message);
      return TRUE;
    }
  if (!writer_tick (w, error))
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
  sqlite3_bind_int (w->insert, 13, with_bodies);
  ok = step_done (w->db, w->insert, error);
  id = sqlite3_last_insert_rowid (w->db);

  if (ok)
    {
      sqlite3_bind_int64 (w->insert_headers, 1, id);
      sqlite3_bind_text (w->insert_headers, 2, p.from, -1, SQLITE_STATIC);
      sqlite3_bind_text (w->insert_headers, 3, p.to, -1, SQLITE_STATIC);
      sqlite3_bind_text (w->insert_headers, 4, p.subject, -1, SQLITE_STATIC);
      ok = step_done (w->db, w->insert_headers, error);
    }
  if (ok && p.body != NULL && *p.body)
    {
      sqlite3_bind_int64 (w->insert_body, 1, id);
      sqlite3_bind_text (w->insert_body, 2, p.body, -1, SQLITE_STATIC);
      ok = step_done (w->db, w->insert_body, error);
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
    return set_db_error (db, SQLITE_ERROR, error);
  sqlite3_bind_text (stmt, 1, folder, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, mtime);
  return step_done (db, stmt, error) && (sqlite3_finalize (stmt), TRUE);
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
      set_db_error (db, rc, error);
      goto out;
    }
  if (!exec (db, "BEGIN IMMEDIATE", error))
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
              if (!step_done (db, w.move, error))
                {
                  exec (db, "ROLLBACK", NULL);
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
      set_db_error (db, rc, error);
      exec (db, "ROLLBACK", NULL);
      goto out;
    }
  for (guint i = 0; i < gone->len; i++)
    {
      gint64 id = g_array_index (gone, gint64, i);

      sqlite3_bind_int64 (w.remove, 1, id);
      sqlite3_bind_int64 (w.remove_headers, 1, id);
      if (!step_done (db, w.remove, error) || !step_done (db, w.remove_headers, error))
        {
          exec (db, "ROLLBACK", NULL);
          goto out;
        }
    }
  stats->removed = gone->len;
  if (!exec (db, "COMMIT", error))
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
            exec (db, "ROLLBACK", NULL);
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

  db = open_or_create (self->index_path, self->maildir, &rebuilt, error);
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
  if (local_error->domain == PF_INDEX_ERROR && is_damage (local_error->code) && !rebuilt)
    {
      g_debug ("The mail index %s is damaged (%s): rebuilding it", self->index_path, local_error->message);
      g_clear_error (&local_error);
      memset (stats, 0, sizeof *stats);
      stats->rebuilt = TRUE;
      db = create_index (self->index_path, self->maildir, error);
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
             char       **header_match,
             char       **body_match)
{
  g_auto(GStrv) words = g_strsplit_set (search ? search : "", " \t\n", -1);
  GString *sql = g_string_new ("SELECT id FROM messages WHERE instr(flags, 'T') = 0");
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

  *header_match = g_string_free (fields, fields->len == 0);
  *body_match = g_string_free (plain, plain->len == 0);
  return g_string_free (sql, FALSE);
}

static int
progress_cancel (void *user_data)
{
  return g_cancellable_is_cancelled (user_data) ? 1 : 0;
}

GArray *
pf_index_query (PfIndex       *self,
                const char    *search,
                gboolean       bodies,
                GCancellable  *cancellable,
                GError       **error)
{
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autofree char *sql = NULL;
  g_autofree char *header_match = NULL;
  g_autofree char *plain_match = NULL;
  sqlite3 *db;
  sqlite3_stmt *stmt = NULL;
  int rc;

  g_return_val_if_fail (PF_IS_INDEX (self), NULL);

  if (!g_file_test (self->index_path, G_FILE_TEST_EXISTS))
    return g_steal_pointer (&ids);
  db = open_connection (self->index_path, FALSE, NULL);
  if (db == NULL || !schema_ok (db, self->maildir))
    {
      /* Not built yet, or damaged: the update that follows rebuilds it. */
      sqlite3_close (db);
      return g_steal_pointer (&ids);
    }

  if (cancellable != NULL)
    sqlite3_progress_handler (db, 10000, progress_cancel, cancellable);
  sql = build_query (search, bodies, &header_match, &plain_match);
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

          g_array_append_val (ids, id);
        }
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE && rc != SQLITE_OK)
    {
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        ;
      else
        set_db_error (db, rc, error);
      sqlite3_close (db);
      return NULL;
    }
  sqlite3_close (db);
  return g_steal_pointer (&ids);
}

typedef struct
{
  char    *search;
  gboolean bodies;
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
  GArray *ids = pf_index_query (source, data->search, data->bodies, cancellable, &error);

  if (ids != NULL)
    g_task_return_pointer (task, ids, (GDestroyNotify) g_array_unref);
  else
    g_task_return_error (task, error);
}

void
pf_index_query_async (PfIndex             *self,
                      const char          *search,
                      gboolean             bodies,
                      GCancellable        *cancellable,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  QueryData *data;

  g_return_if_fail (PF_IS_INDEX (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, pf_index_query_async);
  data = g_new0 (QueryData, 1);
  data->search = g_strdup (search);
  data->bodies = bodies;
  g_task_set_task_data (task, data, (GDestroyNotify) query_data_free);
  g_task_run_in_thread (task, query_thread);
}

GArray *
pf_index_query_finish (PfIndex       *self,
                       GAsyncResult  *result,
                       GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- Rows ---------------------------------------------------------------- */

static gboolean
ensure_connection (PfIndex *self)
{
  if (self->db != NULL)
    return TRUE;
  if (!g_file_test (self->index_path, G_FILE_TEST_EXISTS))
    return FALSE;
  self->db = open_connection (self->index_path, FALSE, NULL);
  if (self->db == NULL)
    return FALSE;
  if (sqlite3_prepare_v2 (self->db,
                          "SELECT folder, filename, flags, date, size, attachment, sender,"
                          " recipients, subject, message_id FROM messages WHERE id = ?",
                          -1, &self->get_stmt, NULL) != SQLITE_OK)
    {
      pf_index_reset_connection (self);
      return FALSE;
    }
  return TRUE;
}

static char *
column_dup (sqlite3_stmt *stmt,
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
      message->flags = column_dup (stmt, 2);
      message->date = sqlite3_column_int64 (stmt, 3);
      message->size = sqlite3_column_int64 (stmt, 4);
      message->attachment = sqlite3_column_int (stmt, 5);
      message->from = column_dup (stmt, 6);
      message->to = column_dup (stmt, 7);
      message->subject = column_dup (stmt, 8);
      message->message_id = column_dup (stmt, 9);
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
    return set_db_error (db, rc, error);
  sqlite3_bind_int64 (stmt, 1, id);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    {
      sqlite3_finalize (stmt);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "The message is no longer in the mail folder.");
      return FALSE;
    }
  *base = column_dup (stmt, 0);
  *folder = sqlite3_column_int (stmt, 1);
  *filename = column_dup (stmt, 2);
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

  db = open_connection (self->index_path, FALSE, error);
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
      ok = step_done (db, stmt, error);
      sqlite3_finalize (stmt);
    }
  else
    set_db_error (db, SQLITE_ERROR, error);
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

  db = open_connection (self->index_path, FALSE, error);
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
      ok = step_done (db, stmt, error);
      sqlite3_finalize (stmt);
    }
  if (ok && sqlite3_prepare_v2 (db, "DELETE FROM headers WHERE rowid = ?1", -1, &stmt, NULL) == SQLITE_OK)
    {
      sqlite3_bind_int64 (stmt, 1, id);
      ok = step_done (db, stmt, error);
      sqlite3_finalize (stmt);
    }
  sqlite3_close (db);
  return ok;
}
