/* pf-message.h — one downloaded message as the offline list shows it
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define PF_TYPE_MESSAGE (pf_message_get_type ())

G_DECLARE_FINAL_TYPE (PfMessage, pf_message, PF, MESSAGE, GObject)

/* Blocking: parses the headers of the message file at @path with GMime
 * (RFC 2047 words, folded lines and dates decoded by GMime). */
PfMessage   *pf_message_new_from_file (const char   *path,
                                       GError      **error);

const char  *pf_message_get_path      (PfMessage    *self);
/* Display name and address as one decoded line, never NULL. */
const char  *pf_message_get_from      (PfMessage    *self);
/* Decoded, never NULL (empty when the message has no subject). */
const char  *pf_message_get_subject   (PfMessage    *self);
/* The Date header, or the file's modification time without one. */
GDateTime   *pf_message_get_date      (PfMessage    *self);

/* The newest @limit messages of the Maildir at @maildir (new/ and cur/),
 * newest first, as a GListModel of PfMessage. Parsed in a thread. A
 * missing Maildir is an empty list. */
void         pf_message_load_newest_async  (const char           *maildir,
                                            guint                 limit,
                                            GCancellable         *cancellable,
                                            GAsyncReadyCallback   callback,
                                            gpointer              user_data);
GListModel  *pf_message_load_newest_finish (GAsyncResult         *result,
                                            GError              **error);

/* The readable text of the message: its headers, then the first text part
 * (text/plain preferred, HTML reduced to its text). Parsed in a thread. */
void         pf_message_load_text_async    (PfMessage            *self,
                                            GCancellable         *cancellable,
                                            GAsyncReadyCallback   callback,
                                            gpointer              user_data);
char        *pf_message_load_text_finish   (PfMessage            *self,
                                            GAsyncResult         *result,
                                            GError              **error);

/* Blocking halves, for the threads and for tests. */
GPtrArray   *pf_message_list_newest   (const char   *maildir,
                                       guint         limit,
                                       GError      **error);
char        *pf_message_read_text     (const char   *path,
                                       GError      **error);

G_END_DECLS
