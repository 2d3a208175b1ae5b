/* pf-journal.h — the delivery journal of one account
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "pf-maildir.h"

G_BEGIN_DECLS

/* The journal is a text file, one record per line, appended and compacted
 * by Popfetch only:
 *
 *   UID NAME TIME     delivered: the message with unique-id UID is the
 *                     Maildir file NAME; TIME (Unix seconds) is when
 *                     Popfetch first saw it. Written only once the file is
 *                     durable in tmp/.
 *   + BASE            a file tmp/BASE is about to be written. Not synced;
 *                     it lets recovery tell our own leftovers in tmp/ from
 *                     files other programs are delivering.
 *
 * A trailing line without its newline (a crash mid-append) is ignored and
 * cut off. Files live in the state directory, keyed by host and user (not
 * port): KEY.journal, and KEY.lock for the per-account lock. */

/* Pure: a file-name-safe key for @host (compared case-insensitively) and
 * @user: "user@host" with every byte outside [A-Za-z0-9._-@] as %XX. */
char     *pf_journal_account_key   (const char *host,
                                    const char *user);
/* Pure: "UID NAME TIME\n". */
char     *pf_journal_format_entry  (const char *uid,
                                    const char *name,
                                    gint64      first_seen);
/* Pure: parse one line (without its newline). Returns FALSE for a line
 * that is neither record. For a "+ BASE" record *@uid is NULL. */
gboolean  pf_journal_parse_line    (const char  *line,
                                    gsize        len,
                                    char       **uid,
                                    char       **name,
                                    gint64      *first_seen);

typedef struct _PfJournal PfJournal;

/* Blocking file work: call from a worker thread. Creates @state_dir (0700)
 * when needed, takes the account's lock without waiting (another holder:
 * PF_ERROR_ACCOUNT_BUSY), and loads the journal. Other failures:
 * PF_ERROR_LOCAL_DISK, among them a @state_dir that another user owns or
 * that group or others may write, and a journal or lock that is a symbolic
 * link. The lock is released by pf_journal_free() or when the process
 * dies. */
PfJournal  *pf_journal_open          (const char  *state_dir,
                                      const char  *host,
                                      const char  *user,
                                      GError     **error);
void        pf_journal_free          (PfJournal   *journal);
const char *pf_journal_get_path      (PfJournal   *journal);

/* Lookups are in memory and cheap (main thread is fine). The journal
 * may be used from two threads at once (see pf_journal_note_pending). */
guint       pf_journal_get_n_entries (PfJournal   *journal);
guint       pf_journal_get_n_pending (PfJournal   *journal);
gboolean    pf_journal_lookup        (PfJournal   *journal,
                                      const char  *uid,
                                      const char **name,
                                      gint64      *first_seen);
/* Unique-ids of the delivered entries (owned by the journal). */
GPtrArray  *pf_journal_dup_uids      (PfJournal   *journal);

/* Record that tmp/@base is about to be written: one write(), no sync.
 * Counted by pf_journal_get_n_pending() only after the next open. */
gboolean    pf_journal_note_pending  (PfJournal   *journal,
                                      const char  *base,
                                      GError     **error);

typedef struct
{
  const char *uid;
  const char *name;
  gint64      first_seen;
} PfJournalRecord;

/* Append delivered records and fdatasync once (group commit). Only then
 * may the caller rename the files into new/. */
gboolean    pf_journal_append        (PfJournal             *journal,
                                      const PfJournalRecord *records,
                                      guint                  n_records,
                                      GError               **error);

/* Rewrite the journal with only the delivered entries whose unique-id is
 * in @keep (a set of strings), or all of them when @keep is NULL; pending
 * records are dropped. Atomic: write KEY.journal.new, fsync, rename,
 * fsync the directory. */
gboolean    pf_journal_compact       (PfJournal   *journal,
                                      GHashTable  *keep,
                                      GError     **error);

/* Crash recovery, at the start of a run: a delivered entry whose file is
 * still in tmp/ is renamed into new/ (and new/ synced); a file in tmp/
 * that this journal announced as pending but never delivered is removed
 * (it will be fetched again); any other file in tmp/ is left alone. */
gboolean    pf_journal_recover       (PfJournal   *journal,
                                      PfMaildir   *maildir,
                                      guint       *n_delivered,
                                      guint       *n_removed,
                                      GError     **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PfJournal, pf_journal_free)

G_END_DECLS
