/* pf-index-db.c — the index file: schema, connections, damage and rebuilding
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <errno.h>

#include <glib/gstdio.h>

#include "pf-index-private.h"

/* Bump when the schema or what a row holds changes: an older index is
 * rebuilt. */
#define SCHEMA_VERSION "3"

/* ---- SQLite helpers ----------------------------------------------------- */

gboolean
pf_index_set_db_error (sqlite3     *db,
                       int          rc,
                       GError     **error)
{
  g_set_error (error, PF_INDEX_ERROR, rc, "Mail index: %s",
               db ? sqlite3_errmsg (db) : sqlite3_errstr (rc));
  return FALSE;
}

gboolean
pf_index_exec (sqlite3     *db,
               const char  *sql,
               GError     **error)
{
  int rc = sqlite3_exec (db, sql, NULL, NULL, NULL);

  if (rc != SQLITE_OK)
    return pf_index_set_db_error (db, rc, error);
  return TRUE;
}

gboolean
pf_index_is_damage (int rc)
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
  "  in_reply_to TEXT NOT NULL,"       /* message-ids, space-separated */
  "  refs TEXT NOT NULL,"              /* the References, the same way */
  "  thread INTEGER NOT NULL,"
  "  body_indexed INTEGER NOT NULL);"
  /* Covering the list's query (newest first, trashed left out), and the
   * conversations' (the same, grouped by thread): opening an account
   * reads this index alone, never the rows. */
  "CREATE INDEX messages_by_date ON messages (date DESC, id DESC, flags, folder, thread);"
  /* A conversation's messages; threads merging. */
  "CREATE INDEX messages_by_thread ON messages (thread);"
  /* Every message-id seen, a message's own or one it names as a parent,
   * and its conversation (pf-index-thread.c). */
  "CREATE TABLE thread_ids (message_id TEXT PRIMARY KEY, thread INTEGER NOT NULL) WITHOUT ROWID;"
  "CREATE INDEX thread_ids_by_thread ON thread_ids (thread);"
  "CREATE VIRTUAL TABLE headers USING fts5 (sender, recipients, subject,"
  "  tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3');"
  "CREATE VIRTUAL TABLE bodies USING fts5 (body, content = '', detail = none,"
  "  tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3');";

sqlite3 *
pf_index_open_connection (const char  *path,
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
      pf_index_set_db_error (db, rc, error);
      sqlite3_close (db);
      return NULL;
    }
  sqlite3_busy_timeout (db, 10000);
  sqlite3_extended_result_codes (db, 0);
  /* WAL: the app reads while a worker writes. NORMAL: the index can be
   * rebuilt from the Maildir, so it needs no fsync per transaction. */
  if (!pf_index_exec (db, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;"
                          "PRAGMA temp_store = MEMORY; PRAGMA cache_size = -16000;", error))
    {
      sqlite3_close (db);
      return NULL;
    }
  return db;
}

/* TRUE when @db holds a complete index of this version for @maildir. */
gboolean
pf_index_schema_ok (sqlite3    *db,
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
                           "SELECT 1 FROM headers LIMIT 1; SELECT 1 FROM thread_ids LIMIT 1;", NULL, NULL, NULL) == SQLITE_OK;
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

sqlite3 *
pf_index_create_index (const char  *path,
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
  db = pf_index_open_connection (path, TRUE, error);
  if (db == NULL)
    return NULL;
  /* Headers of someone's mail: for their eyes only, like the journal.
   * SQLite gives the -wal and -shm files the database's mode. */
  if (g_chmod (path, 0600) != 0)
    g_debug ("Could not make %s private: %s", path, g_strerror (errno));
  if (!pf_index_exec (db, "BEGIN", error) || !pf_index_exec (db, schema_sql, error))
    goto fail;
  if (sqlite3_prepare_v2 (db, "INSERT INTO meta VALUES ('version', " SCHEMA_VERSION "), ('maildir', ?)",
                          -1, &stmt, NULL) != SQLITE_OK)
    {
      pf_index_set_db_error (db, SQLITE_ERROR, error);
      goto fail;
    }
  sqlite3_bind_text (stmt, 1, maildir, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (stmt) != SQLITE_DONE)
    {
      pf_index_set_db_error (db, SQLITE_ERROR, error);
      sqlite3_finalize (stmt);
      goto fail;
    }
  sqlite3_finalize (stmt);
  if (!pf_index_exec (db, "COMMIT", error))
    goto fail;
  return db;

fail:
  sqlite3_close (db);
  return NULL;
}

/* A connection to a complete index, rebuilt (empty) when it was missing,
 * damaged, of another version or of another Maildir. */
sqlite3 *
pf_index_open_or_create (const char  *path,
                         const char  *maildir,
                         gboolean    *rebuilt,
                         GError     **error)
{
  sqlite3 *db;

  *rebuilt = FALSE;
  if (g_file_test (path, G_FILE_TEST_EXISTS))
    {
      db = pf_index_open_connection (path, FALSE, NULL);
      if (db != NULL && pf_index_schema_ok (db, maildir))
        return db;
      if (db != NULL)
        sqlite3_close (db);
      g_debug ("The mail index %s is damaged or older: rebuilding it", path);
    }
  *rebuilt = TRUE;
  return pf_index_create_index (path, maildir, error);
}

gboolean
pf_index_step_done (sqlite3      *db,
                    sqlite3_stmt *stmt,
                    GError      **error)
{
  int rc = sqlite3_step (stmt);

  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);
  if (rc != SQLITE_DONE)
    return pf_index_set_db_error (db, rc, error);
  return TRUE;
}
