/* pf-index-private.h — what the files of the mail index share: the
 * object's fields and the SQLite helpers
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * pf-index.c       the objects, a row, and changes to one message
 * pf-index-db.c    the file: schema, connections, damage and rebuilding
 * pf-index-update.c  listing the Maildir, parsing new files, writing rows
 * pf-index-query.c   searches
 * pf-index-thread.c  conversations: the thread of each message
 */

#pragma once

#include <sqlite3.h>

#include "pf-index.h"

G_BEGIN_DECLS

#define PF_INDEX_ERROR (g_quark_from_static_string ("pf-index-error"))

struct _PfIndex
{
  GObject  parent_instance;

  char    *index_path;
  char    *maildir;
  sqlite3 *db;            /* the owner thread's connection, lazily */
  sqlite3_stmt *get_stmt;
};

/* Sets @error from @rc (SQLite's message when @db has one); FALSE. */
gboolean  pf_index_set_db_error   (sqlite3       *db,
                                   int            rc,
                                   GError       **error);
gboolean  pf_index_exec           (sqlite3       *db,
                                   const char    *sql,
                                   GError       **error);
/* Steps @stmt, which returns no rows, and resets it for the next use. */
gboolean  pf_index_step_done      (sqlite3       *db,
                                   sqlite3_stmt  *stmt,
                                   GError       **error);
/* TRUE for the result codes a damaged or foreign file gives. */
gboolean  pf_index_is_damage      (int            rc);
/* A text column as a new string, "" for NULL. */
char     *pf_index_column_dup     (sqlite3_stmt  *stmt,
                                   int            column);

sqlite3  *pf_index_open_connection (const char   *path,
                                    gboolean      create,
                                    GError      **error);
/* TRUE when @db holds a complete index of this version for @maildir. */
gboolean  pf_index_schema_ok      (sqlite3       *db,
                                   const char    *maildir);
/* A new, empty index at @path (whatever was there is removed). */
sqlite3  *pf_index_create_index   (const char    *path,
                                   const char    *maildir,
                                   GError       **error);
/* A connection to a complete index, rebuilt (empty) when it was
 * missing, damaged, of another version or of another Maildir. */
sqlite3  *pf_index_open_or_create (const char    *path,
                                   const char    *maildir,
                                   gboolean      *rebuilt,
                                   GError       **error);

/* Conversations (pf-index-thread.c). */
typedef struct
{
  sqlite3      *db;
  sqlite3_stmt *lookup;
  sqlite3_stmt *add;
  sqlite3_stmt *merge_messages;
  sqlite3_stmt *merge_ids;
  gint64        last_thread;
} PfIndexThreader;

/* The message-ids of an In-Reply-To or References header, without
 * brackets, space-separated, the last ones (nearest ancestors) kept. */
char     *pf_index_thread_ids_from_header (const char *value);
gboolean  pf_index_threader_init   (PfIndexThreader  *t,
                                    sqlite3          *db,
                                    GError          **error);
void      pf_index_threader_clear  (PfIndexThreader  *t);
/* The thread of a message with these ids (space-separated lists), in
 * the writer's transaction: the one its ids already belong to (threads
 * they join merged), or a new one. */
gboolean  pf_index_threader_assign (PfIndexThreader  *t,
                                    const char       *message_id,
                                    const char       *in_reply_to,
                                    const char       *references,
                                    gint64           *thread,
                                    GError          **error);

/* The row of a conversation in the list: its newest message. */
void      pf_index_message_set_conversation (PfIndexMessage *message,
                                             guint           count,
                                             guint           unread);

G_END_DECLS
