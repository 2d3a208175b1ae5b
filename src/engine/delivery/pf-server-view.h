/* pf-server-view.h — the mail left on the server, as the last session saw it
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* After each fetch (and each `popfetch-cli server`), the fetcher writes
 * what the server holds into KEY.server beside the account's KEY.journal
 * in the state directory: how many messages and bytes (LIST), how many of
 * them are already delivered here, and the messages left there because
 * they are over the size limit, with their From, Subject and Date (read
 * with TOP n 0 by a survey, PF_FETCH_TARGET_SURVEY, when the server has
 * TOP; a fetch keeps what an earlier survey read, and lists a message new
 * over the limit by its size alone until the next survey). The file is replaced atomically
 * (written beside, fsynced, renamed); a reader never sees half of it.
 *
 * The app and the CLI read it without connecting
 * (pf_server_view_load_async, or pf_account_load_server_view_async for a
 * saved account); a run with PF_FETCH_TARGET_SURVEY refreshes it. */

/* Where a known mailbox limit comes from; nicks "none", "server",
 * "provider". */
typedef enum
{
  PF_QUOTA_SOURCE_NONE,
  PF_QUOTA_SOURCE_SERVER,     /* the server said so in a response code */
  PF_QUOTA_SOURCE_PROVIDER,   /* the provider table knows the mailbox limit */
} PfQuotaSource;

#define PF_TYPE_QUOTA_SOURCE (pf_quota_source_get_type ())
GType pf_quota_source_get_type (void) G_GNUC_CONST;

/* The share of the quota in use from which a mailbox counts as near it. */
#define PF_SERVER_VIEW_NEAR_QUOTA_PERCENT 90

/* A message over the size limit, left on the server. Strings are UTF-8,
 * decoded (RFC 2047) and safe to show (pf_pop3_sanitize_text); the header
 * fields are NULL when the server has no TOP or the header lacks them. */
typedef struct
{
  char    *uid;        /* NULL when the server has no UIDL */
  guint64  size;       /* as LIST gave it */
  char    *from;
  char    *subject;
  char    *date;       /* the Date header as sent */
  gint64   date_unix;  /* that date parsed, or 0 */
} PfServerMessage;

PfServerMessage *pf_server_message_new  (const char      *uid,
                                         guint64          size);
void             pf_server_message_free (PfServerMessage *message);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PfServerMessage, pf_server_message_free)

/* Fills @message's header fields from a raw message header (as TOP n 0
 * gives it, CRLF or LF lines, folded or not). Pure. */
void             pf_server_message_set_header (PfServerMessage *message,
                                               const char      *header,
                                               gsize            len);

/* Pure: an RFC 5322 header value (unfolded) with RFC 2047 encoded-words
 * ("=?charset?B|Q?…?=") decoded, unknown charsets and bad encodings kept
 * as they were, then made safe to show. */
char            *pf_server_view_decode_header (const char *value);

typedef struct _PfServerView PfServerView;

#define PF_TYPE_SERVER_VIEW (pf_server_view_get_type ())
GType            pf_server_view_get_type (void) G_GNUC_CONST;

PfServerView    *pf_server_view_new   (void);
PfServerView    *pf_server_view_ref   (PfServerView *view);
void             pf_server_view_unref (PfServerView *view);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PfServerView, pf_server_view_unref)

/* When the server was looked at (Unix seconds). */
gint64           pf_server_view_get_updated       (const PfServerView *view);
/* Messages on the server and their total size (LIST, after the session's
 * deletions). */
guint            pf_server_view_get_n_messages    (const PfServerView *view);
guint64          pf_server_view_get_total_size    (const PfServerView *view);
/* Of those, how many are delivered here already. */
guint            pf_server_view_get_n_here        (const PfServerView *view);
/* The account's size limit then (0: none). */
guint64          pf_server_view_get_size_limit    (const PfServerView *view);
/* The messages over the size limit, in server order. (transfer none) of
 * PfServerMessage */
GPtrArray       *pf_server_view_get_over_limit    (const PfServerView *view);
/* The one with unique-id @uid, or NULL. */
const PfServerMessage *pf_server_view_find        (const PfServerView *view,
                                                   const char         *uid);
/* Whether the server could not name its messages (no UIDL): the
 * oversized ones cannot be fetched or deleted one by one. */
gboolean         pf_server_view_get_no_uidl       (const PfServerView *view);

/* The mailbox limit in bytes (0: unknown), where it comes from, and the
 * server's own words about it (a response code line; NULL unless the
 * source is PF_QUOTA_SOURCE_SERVER). */
guint64          pf_server_view_get_quota         (const PfServerView *view);
PfQuotaSource    pf_server_view_get_quota_source  (const PfServerView *view);
const char      *pf_server_view_get_quota_text    (const PfServerView *view);
/* Whether the mailbox is near its quota: the server said so, or the total
 * size is at least PF_SERVER_VIEW_NEAR_QUOTA_PERCENT of a known limit. */
gboolean         pf_server_view_is_near_quota     (const PfServerView *view);

/* Setters, for the fetcher (and tests). @messages: PfServerMessage*,
 * taken over. */
void             pf_server_view_set_updated       (PfServerView *view,
                                                   gint64        unix_time);
void             pf_server_view_set_counts        (PfServerView *view,
                                                   guint         n_messages,
                                                   guint64       total_size,
                                                   guint         n_here);
void             pf_server_view_set_size_limit    (PfServerView *view,
                                                   guint64       bytes);
void             pf_server_view_take_over_limit   (PfServerView *view,
                                                   GPtrArray    *messages);
void             pf_server_view_set_no_uidl       (PfServerView *view,
                                                   gboolean      no_uidl);
void             pf_server_view_set_quota         (PfServerView  *view,
                                                   guint64        bytes,
                                                   PfQuotaSource  source,
                                                   const char    *text);
/* The message @uid was deleted from the server: out of the list and the
 * counts. Returns whether it was there. */
gboolean         pf_server_view_remove            (PfServerView *view,
                                                   const char   *uid);

/* A copy of the message @uid of @view (which may be NULL) when it has
 * @size and header fields: an earlier view's headers spare a message over
 * the limit a TOP at every fetch. Else NULL. */
PfServerMessage *pf_server_view_dup_known         (const PfServerView *view,
                                                   const char         *uid,
                                                   guint64             size);

/* Pure: KEY.server in @state_dir (KEY as for the journal:
 * pf_journal_saved_account_key or pf_journal_account_key). */
char            *pf_server_view_build_path        (const char   *state_dir,
                                                   const char   *key);
/* Blocking; opened in its directory without following a link (a link:
 * NULL with G_FILE_ERROR_LOOP). Never written: NULL with
 * G_FILE_ERROR_NOENT. A damaged file: NULL with G_KEY_FILE_ERROR. */
PfServerView    *pf_server_view_load              (const char   *path,
                                                   GError      **error);
/* Blocking: atomic replace (0600) through a temporary of its own; a link
 * under @path is replaced, never written through. */
gboolean         pf_server_view_save              (PfServerView *view,
                                                   const char   *path,
                                                   GError      **error);
/* pf_server_view_load() in a worker thread. */
void             pf_server_view_load_async        (const char          *path,
                                                   GCancellable        *cancellable,
                                                   GAsyncReadyCallback  callback,
                                                   gpointer             user_data);
PfServerView    *pf_server_view_load_finish       (GAsyncResult        *result,
                                                   GError             **error);

G_END_DECLS
