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
 *   UID NAME TIME SIZE DIGEST [MISSES SINCE]
 *                     delivered: the message with unique-id UID is the
 *                     Maildir file NAME; TIME (Unix seconds) is when
 *                     Popfetch first saw it; SIZE is the size LIST gave
 *                     for it; DIGEST is pf_maildir_header_digest() of its
 *                     header, or "-" when unknown. MISSES and SINCE, written
 *                     by compaction only: how many successful listings in a
 *                     row lacked UID, and the time of the first of them.
 *                     Written only once the file is durable in tmp/.
 *   UID NAME TIME     the same, from before sizes were journaled: it
 *                     matches a listing of UID at any size, and compaction
 *                     rewrites it with the size listed then.
 *   + BASE            a file tmp/BASE is about to be written. Not synced;
 *                     it lets recovery tell our own leftovers in tmp/ from
 *                     files other programs are delivering.
 *   - UID             the server committed the deletion of UID (QUIT +OK):
 *                     the id is forgotten, a later listing of it is new mail.
 *   ! UID SIZE        listed at SIZE, its data ran past the size limit: left
 *                     on the server without another RETR while listed so.
 *   = COUNT           the last trusted listing held COUNT ids.
 *   @ USER            the user name the mail is fetched for (escaped as in
 *                     the keys), to tell whose journal it is.
 *
 * A later record for an id overrides an earlier one. A trailing line
 * without its newline (a crash mid-append) is ignored and cut off. Files
 * live in the state directory under a key: KEY.journal, and KEY.lock for
 * the per-account lock. A saved account's key is
 * pf_journal_saved_account_key (its name); an ad-hoc fetch's is
 * pf_journal_account_key (host, user). */

/* Compaction forgets an id only when this many successful listings in a
 * row lacked it AND the first of them is this many days old; a listing
 * that is empty, or holds fewer than half the ids of the last trusted
 * one, counts for nothing (a server that answered UIDL with a partial
 * list must not make Popfetch download everything again). */
#define PF_JOURNAL_FORGET_AFTER_RUNS 3
#define PF_JOURNAL_FORGET_AFTER_DAYS 7

#define PF_JOURNAL_SIZE_UNKNOWN G_MAXUINT64

/* Pure: a file-name-safe key for @host (compared case-insensitively) and
 * @user: "user@host" with every byte outside [A-Za-z0-9._-@] as %XX. */
char     *pf_journal_account_key   (const char *host,
                                    const char *user);
/* Pure: the key of a saved account, by its name (unique among saved
 * accounts): "account-NAME" with every byte outside [A-Za-z0-9._-] as %XX.
 * It never holds a bare "@", so it never equals a host-and-user key. */
char     *pf_journal_saved_account_key (const char *account_name);
/* @text appended to @out with everything but letters, digits, ".", "_"
 * and "-" as %XX: how keys and user names are spelled in the journal. */
void      pf_journal_append_escaped (GString    *out,
                                     const char *text);
/* Pure: "UID NAME TIME\n" (the old form, without size). */
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

typedef enum
{
  PF_JOURNAL_LINE_DELIVERED,
  PF_JOURNAL_LINE_PENDING,
  PF_JOURNAL_LINE_GONE,
  PF_JOURNAL_LINE_OVERSIZE,
  PF_JOURNAL_LINE_LISTED,
  PF_JOURNAL_LINE_USER,
} PfJournalLineKind;

/* One parsed line; strings owned by it. */
typedef struct
{
  PfJournalLineKind  kind;
  char              *uid;          /* DELIVERED, GONE, OVERSIZE */
  char              *name;         /* DELIVERED; PENDING: the base; USER: the user */
  gint64             first_seen;
  guint64            size;         /* DELIVERED, OVERSIZE; or PF_JOURNAL_SIZE_UNKNOWN */
  char              *header_digest; /* DELIVERED, or NULL */
  guint              misses;
  gint64             missing_since;
  guint64            count;        /* LISTED */
} PfJournalLine;

void      pf_journal_line_clear    (PfJournalLine *line);
/* Pure: parse one line of any kind (without its newline). */
gboolean  pf_journal_parse_record  (const char    *line,
                                    gsize          len,
                                    PfJournalLine *out);

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
/* The same under @key (pf_journal_saved_account_key). When KEY.journal
 * does not exist yet and @legacy_key's journal does (a saved account
 * fetched before journals belonged to accounts: its host-and-user key),
 * that journal is taken over, once, under both locks: renamed to
 * KEY.journal. @label names the account in the "busy" message. */
PfJournal  *pf_journal_open_keyed    (const char  *state_dir,
                                      const char  *key,
                                      const char  *legacy_key,
                                      const char  *label,
                                      GError     **error);
void        pf_journal_free          (PfJournal   *journal);

/* Blocking. A saved account renamed: KEY.journal moves to NEW_KEY.journal
 * under the old key's lock (a fetch running: PF_ERROR_ACCOUNT_BUSY).
 * Nothing to move, or a journal under the new key already: TRUE, nothing
 * done. */
gboolean    pf_journal_rename_key    (const char  *state_dir,
                                      const char  *old_key,
                                      const char  *new_key,
                                      const char  *label,
                                      GError     **error);

const char *pf_journal_get_path      (PfJournal   *journal);

/* Blocking. Note whose mail this journal records (one append, not
 * synced, when it changed). */
gboolean    pf_journal_set_user      (PfJournal   *journal,
                                      const char  *user,
                                      GError     **error);

/* Blocking. For an ad-hoc fetch whose journal is still empty: another
 * journal in @state_dir, for the same @user (by its "@ USER" record or its
 * host-and-user key), whose delivered files are in the Maildir at
 * @maildir_path (new/ or cur/). Returns that journal's path, or NULL. Such
 * a fetch would download every message again into a Maildir that has
 * them. */
char       *pf_journal_find_other_holding (PfJournal   *journal,
                                           const char  *user,
                                           const char  *maildir_path);

/* Blocking. The file KEY@suffix beside the journal (KEY.delete, say),
 * read as pf_journal_read_state_file() does. */
gboolean    pf_journal_read_beside   (PfJournal   *journal,
                                      const char  *suffix,
                                      char       **contents,
                                      gsize       *length,
                                      GError     **error);

/* Blocking. The files of the state directory are opened relative to its
 * descriptor @dir_fd (@dir_path names it in messages), never through a
 * symbolic link: one planted there would make Popfetch read, write or
 * truncate the file it points to.
 *
 * The directory holding the state file @path, opened (a descriptor, or
 * -1 with @error in G_FILE_ERROR); *@dir_path is set either way. */
int         pf_journal_open_parent_dir    (const char  *path,
                                           char       **dir_path,
                                           GError     **error);
/* The whole regular file @name, NUL-terminated. Errors in G_FILE_ERROR:
 * missing, G_FILE_ERROR_NOENT; a link, G_FILE_ERROR_LOOP; anything but a
 * regular file, G_FILE_ERROR_INVAL. */
gboolean    pf_journal_read_state_file    (int          dir_fd,
                                           const char  *dir_path,
                                           const char  *name,
                                           char       **contents,
                                           gsize       *length,
                                           GError     **error);
/* Replace @name atomically with @data: a temporary of its own
 * (NAME.XXXXXX, created exclusively, 0600), fsync, rename over @name (a
 * link there is replaced, not followed), fsync the directory. Errors:
 * PF_ERROR_LOCAL_DISK. */
gboolean    pf_journal_replace_state_file (int          dir_fd,
                                           const char  *dir_path,
                                           const char  *name,
                                           const char  *data,
                                           gsize        len,
                                           GError     **error);

/* The journal file is read this many bytes at a time, never whole. */
#define PF_JOURNAL_READ_CHUNK (64 * 1024)

/* Lookups are in memory and cheap (main thread is fine). The journal
 * may be used from two threads at once (see pf_journal_note_pending). */
guint       pf_journal_get_n_entries (PfJournal   *journal);
guint       pf_journal_get_n_pending (PfJournal   *journal);
gboolean    pf_journal_lookup        (PfJournal   *journal,
                                      const char  *uid,
                                      const char **name,
                                      gint64      *first_seen);
typedef struct
{
  const char *name;
  gint64      first_seen;
  guint64     size;           /* PF_JOURNAL_SIZE_UNKNOWN for an old entry */
  const char *header_digest;  /* NULL when unknown */
  /*< private >*/
  char        digest_text[65]; /* where header_digest is often spelled out */
} PfJournalEntry;

/* Like pf_journal_lookup(), with everything the entry holds. The journal
 * keeps its entries packed: @entry->header_digest may point into @entry
 * itself (copy the struct and it no longer does), and @entry->name, like
 * pf_journal_lookup()'s name and pf_journal_dup_uids()'s ids, into the
 * journal, valid until the next compaction or pf_journal_free(). */
gboolean    pf_journal_get_entry     (PfJournal      *journal,
                                      const char     *uid,
                                      PfJournalEntry *entry);
/* Pure: whether a message listed with @listed_size is the one @entry
 * recorded (an entry without a size matches any). */
gboolean    pf_journal_entry_matches_size (const PfJournalEntry *entry,
                                           guint64               listed_size);
/* In memory, for the next compaction: an old entry learns the size its
 * id was listed with. */
void        pf_journal_learn_size    (PfJournal   *journal,
                                      const char  *uid,
                                      guint64      size);
/* Whether @uid listed at @size was found over the size limit before. */
gboolean    pf_journal_is_oversize   (PfJournal   *journal,
                                      const char  *uid,
                                      guint64      size);
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
  guint64     size;           /* as LIST gave it */
  const char *header_digest;  /* or NULL */
} PfJournalRecord;

/* Append delivered records and fdatasync once (group commit). Only then
 * may the caller rename the files into new/. */
gboolean    pf_journal_append        (PfJournal             *journal,
                                      const PfJournalRecord *records,
                                      guint                  n_records,
                                      GError               **error);

/* The server committed the deletion of @uids (QUIT +OK): append "- UID"
 * records, fdatasync once, and forget the entries. */
gboolean    pf_journal_record_gone   (PfJournal          *journal,
                                      const char * const *uids,
                                      guint               n_uids,
                                      GError            **error);
/* @uid, listed at @size, ran past the size limit: append "! UID SIZE"
 * (one write, not synced: cheap enough for the main thread). */
gboolean    pf_journal_record_oversize (PfJournal   *journal,
                                        const char  *uid,
                                        guint64      size,
                                        GError     **error);

/* After a successful listing: @listed is the set of unique-ids the server
 * listed (keys are strings), or NULL to keep every entry as it is (no
 * UIDL). A listed entry is present again; an entry missing from a trusted
 * listing counts one more miss, and is forgotten past
 * PF_JOURNAL_FORGET_AFTER_RUNS misses over PF_JOURNAL_FORGET_AFTER_DAYS
 * days. A listing is trusted unless it is empty or holds fewer than half
 * the ids of the last trusted one. Oversize records of ids not listed go,
 * pending records go. The file is rewritten only when something changed:
 * atomic (write KEY.journal.new, fsync, rename, fsync the directory).
 * *@trusted (may be NULL) says whether the listing was trusted. */
gboolean    pf_journal_compact       (PfJournal   *journal,
                                      GHashTable  *listed,
                                      gint64       now,
                                      gboolean    *trusted,
                                      GError     **error);
/* The same for a listing of @n_listed ids of which @listed, with the ids
 * noted by pf_journal_note_listed() since the last compaction, holds at
 * least those the journal knows (pf_journal_knows()): a caller that
 * looks each listed id up anyway notes those it knows, and need not keep
 * a set of a whole large mailbox. @listed NULL: as for
 * pf_journal_compact() (the notes are dropped). */
gboolean    pf_journal_compact_counted (PfJournal   *journal,
                                        GHashTable  *listed,
                                        guint        n_listed,
                                        gint64       now,
                                        gboolean    *trusted,
                                        GError     **error);
/* In memory, for the next compaction only: the listing being planned
 * holds @uid (a mark on its entry or oversize record, if it has one; a
 * later delivery under @uid keeps it). */
void        pf_journal_note_listed   (PfJournal   *journal,
                                      const char  *uid);
/* Whether @uid has an entry or an oversize record (at any size). */
gboolean    pf_journal_knows         (PfJournal   *journal,
                                      const char  *uid);

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
