/* pf-index.h — headers and flags of every message of a Maildir, kept in
 * the state directory so that a large account opens and searches fast
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The Maildir is the truth; the index is a cache of it (SQLite with FTS5)
 * that pf_index_update() brings up to date from the directory listings:
 * only files whose names are new to it are parsed; a name that moved
 * between new/ and cur/ or changed its ":2," flags is a row update; a name
 * that went is a row removed. A missing, damaged or older index is
 * rebuilt from the Maildir.
 *
 * Threads: pf_index_update(), pf_index_query() and pf_index_set_flags()
 * open a connection of their own and may run in any thread (their _async
 * halves do). pf_index_get_message() uses the object's own connection and
 * belongs to the thread that made the object (the app's main thread).
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define PF_TYPE_INDEX_MESSAGE (pf_index_message_get_type ())
G_DECLARE_FINAL_TYPE (PfIndexMessage, pf_index_message, PF, INDEX_MESSAGE, GObject)

gint64       pf_index_message_get_id         (PfIndexMessage *self);
/* The file as the index last saw it. */
const char  *pf_index_message_get_path       (PfIndexMessage *self);
const char  *pf_index_message_get_flags      (PfIndexMessage *self);
gboolean     pf_index_message_get_unread     (PfIndexMessage *self);
/* Decoded display forms, never NULL. */
const char  *pf_index_message_get_from       (PfIndexMessage *self);
const char  *pf_index_message_get_to         (PfIndexMessage *self);
const char  *pf_index_message_get_subject    (PfIndexMessage *self);
const char  *pf_index_message_get_message_id (PfIndexMessage *self);
/* Seconds since 1970 (the Date header, or the delivery time). */
gint64       pf_index_message_get_date       (PfIndexMessage *self);
guint64      pf_index_message_get_size       (PfIndexMessage *self);
gboolean     pf_index_message_get_attachment (PfIndexMessage *self);
/* The conversation the message belongs to (messages linked by
 * Message-ID, In-Reply-To and References). */
gint64       pf_index_message_get_thread     (PfIndexMessage *self);
/* A row of a list of conversations (pf_index_query_conversations()) is
 * the newest message of its conversation: how many messages it has, how
 * many of them unread. 0 on a row of a list of messages. */
guint        pf_index_message_get_conversation_count  (PfIndexMessage *self);
guint        pf_index_message_get_conversation_unread (PfIndexMessage *self);

#define PF_TYPE_INDEX (pf_index_get_type ())
G_DECLARE_FINAL_TYPE (PfIndex, pf_index, PF, INDEX, GObject)

/* A conversation in a list of them. */
typedef struct
{
  gint64 id;        /* its newest message */
  gint64 thread;
  guint  count;     /* its messages (those matching the search) */
  guint  unread;
} PfIndexConversation;

typedef struct
{
  guint    added;
  guint    changed;   /* moved between new/ and cur/, or flags changed */
  guint    removed;
  gboolean rebuilt;   /* the index was missing, damaged or older */
  gboolean scanned;   /* FALSE: the folders' mtimes said nothing changed */
} PfIndexStats;

/* The index file of @maildir in @state_dir: STATE/reader/HASH.sqlite,
 * keyed by the Maildir's path (a renamed account keeps its folder and so
 * its index). */
char        *pf_index_path_for_maildir (const char  *state_dir,
                                        const char  *maildir);

/* No I/O: the index at @index_path of the Maildir at @maildir. */
PfIndex     *pf_index_new              (const char  *index_path,
                                        const char  *maildir);
const char  *pf_index_get_maildir      (PfIndex     *self);
const char  *pf_index_get_index_path   (PfIndex     *self);

/* Blocking. Brings the index up to date with the Maildir (creating or
 * rebuilding it as needed). With @with_bodies, the text of new messages is
 * indexed too, for pf_index_query() with @bodies. */
gboolean     pf_index_update           (PfIndex       *self,
                                        gboolean       with_bodies,
                                        PfIndexStats  *stats,
                                        GCancellable  *cancellable,
                                        GError       **error);
void         pf_index_update_async     (PfIndex             *self,
                                        gboolean             with_bodies,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data);
gboolean     pf_index_update_finish    (PfIndex       *self,
                                        GAsyncResult  *result,
                                        PfIndexStats  *stats,
                                        GError       **error);

/* Blocking. The ids of the messages matching @search, newest first;
 * trashed (T) messages are left out. @search: words, each a prefix of a
 * word in the sender, recipients or subject (with @bodies: or the text);
 * "from:", "to:", "subject:" for one field; "before:YYYY-MM-DD",
 * "after:YYYY-MM-DD", "date:YYYY-MM-DD" (local days), "is:unread",
 * "is:flagged", "has:attachment", "thread:N" (the messages of a
 * conversation). NULL or "" is every message. An index
 * not built yet is an empty list. A GArray of gint64. */
GArray      *pf_index_query            (PfIndex       *self,
                                        const char    *search,
                                        gboolean       bodies,
                                        GCancellable  *cancellable,
                                        GError       **error);
void         pf_index_query_async      (PfIndex             *self,
                                        const char          *search,
                                        gboolean             bodies,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data);
GArray      *pf_index_query_finish     (PfIndex       *self,
                                        GAsyncResult  *result,
                                        GError       **error);
/* As pf_index_query_async(), the first @limit messages only: what a list
 * shows at once while the whole of it is read. pf_index_query_finish()
 * gives them. */
void         pf_index_query_head_async (PfIndex             *self,
                                        const char          *search,
                                        gboolean             bodies,
                                        guint                limit,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data);

/* Blocking. The conversations with messages matching @search, newest
 * first (by their newest matching message). A GArray of
 * PfIndexConversation. */
GArray      *pf_index_query_conversations        (PfIndex       *self,
                                                  const char    *search,
                                                  gboolean       bodies,
                                                  GCancellable  *cancellable,
                                                  GError       **error);
void         pf_index_query_conversations_async  (PfIndex             *self,
                                                  const char          *search,
                                                  gboolean             bodies,
                                                  GCancellable        *cancellable,
                                                  GAsyncReadyCallback  callback,
                                                  gpointer             user_data);
GArray      *pf_index_query_conversations_finish (PfIndex       *self,
                                                  GAsyncResult  *result,
                                                  GError       **error);

/* One row, from the index (a page-cached point lookup). NULL when the id
 * is gone. */
PfIndexMessage *pf_index_get_message   (PfIndex       *self,
                                        gint64         id);
guint        pf_index_count_unread     (PfIndex       *self);

/* Blocking. Changes the flags of message @id the Maildir way: the file is
 * renamed (from new/ into cur/ as BASE:2,FLAGS, letters sorted), then the
 * row follows. A file another program moved meanwhile is found by its
 * unique part. */
gboolean     pf_index_set_flags        (PfIndex       *self,
                                        gint64         id,
                                        const char    *add,
                                        const char    *remove,
                                        GError       **error);
void         pf_index_set_flags_async  (PfIndex             *self,
                                        gint64               id,
                                        const char          *add,
                                        const char          *remove,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data);
gboolean     pf_index_set_flags_finish (PfIndex       *self,
                                        GAsyncResult  *result,
                                        GError       **error);
/* Blocking. Removes the file of message @id and its row. */
gboolean     pf_index_remove           (PfIndex       *self,
                                        gint64         id,
                                        GError       **error);

/* Forget the object's own connection (after a rebuild replaced the file). */
void         pf_index_reset_connection (PfIndex       *self);

G_END_DECLS
