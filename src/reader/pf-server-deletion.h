/* pf-server-deletion.h — messages the user deleted in the reader and
 * wants gone from the server too
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The reader knows a message by its Maildir file; the server by its
 * unique-id. The account's delivery journal maps one to the other. The
 * ids go into KEY.delete beside KEY.journal, which the fetcher reads at
 * its next run (src/engine/delivery/pf-fetcher.c): it deletes them after
 * the same checks as any deletion, so a reused id never costs a message.
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Pure: KEY.delete for KEY.journal. */
char     *pf_server_deletion_path    (const char  *journal_path);

/* Blocking. Adds the unique-ids that the journal at @journal_path gives
 * the Maildir base names @bases (file names without ":2,FLAGS") to the
 * list, and drops ids the journal no longer knows (the fetcher deleted
 * them, or the server lost them). Written atomically. A base the journal
 * does not know (not fetched by Popfetch) is left out; @n_added says how
 * many were found. Both files are read and written inside the state
 * directory's descriptor, never through a symbolic link (a linked journal
 * is an error in G_FILE_ERROR, a link where the list goes is replaced). */
gboolean  pf_server_deletion_request (const char         *journal_path,
                                      const char * const *bases,
                                      guint              *n_added,
                                      GError            **error);

G_END_DECLS
