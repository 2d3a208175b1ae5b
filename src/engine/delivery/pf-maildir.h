/* pf-maildir.h — writing messages into a Maildir
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Pure helpers, tested byte by byte. */

/* The host part of a Maildir name: "/" becomes "\057", ":" becomes "\072"
 * (the Maildir convention), and anything outside printable ASCII or a
 * space becomes "\ooo" too, so a name never needs quoting. */
char    *pf_maildir_escape_host   (const char *hostname);

/* "TIME.MusecPpidQn.HOST": the name a message has in tmp/ while it arrives.
 * @host is already escaped. */
char    *pf_maildir_make_base     (gint64      time_sec,
                                   guint       usec,
                                   guint       pid,
                                   guint64     counter,
                                   const char *host);
/* "BASE,S=size": the name the delivered message has in new/ (and in the
 * journal); @size is the size of the file as written (LF line endings). */
char    *pf_maildir_make_name     (const char *base,
                                   guint64     size);
/* The BASE of a name made by pf_maildir_make_name(), or NULL when @name is
 * not of that form. */
char    *pf_maildir_base_of_name  (const char *name);
/* TRUE when @name could be a Maildir file name we made: no "/", no
 * whitespace or control characters, not "." or "..", not empty. */
gboolean pf_maildir_name_is_valid (const char *name);

/* Streaming CRLF → LF. Writes at most @len bytes to @out and returns how
 * many. *@pending_cr carries a CR seen at the end of the previous chunk; a
 * lone CR (not followed by LF) is kept. Call pf_crlf_finish() at the end. */
gsize    pf_crlf_to_lf            (gboolean     *pending_cr,
                                   const guint8 *in,
                                   gsize         len,
                                   guint8       *out);
/* The bytes still owed at the end of input (0 or 1: a trailing lone CR). */
gsize    pf_crlf_finish           (gboolean     *pending_cr,
                                   guint8       *out);

/* The identity of a message's header, to tell whether a message the
 * server lists under a journaled unique-id is still the one delivered:
 * SHA-256 over the header with LF line endings, up to and including the
 * empty line that ends it (the whole message when it has none), as 32
 * lowercase hex digits (the first 128 bits). Incremental, fed LF data. */
typedef struct _PfHeaderDigest PfHeaderDigest;

PfHeaderDigest *pf_header_digest_new    (void);
void            pf_header_digest_free   (PfHeaderDigest *digest);
void            pf_header_digest_update (PfHeaderDigest *digest,
                                         const guint8   *data,
                                         gsize           len);
/* Newly allocated; call once, at the end. */
char           *pf_header_digest_finish (PfHeaderDigest *digest);
/* One shot over data as a server sends it (CRLF, e.g. TOP n 0). */
char           *pf_maildir_header_digest (const char *data,
                                          gsize       len);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PfHeaderDigest, pf_header_digest_free)

/* A Maildir on disk. Opening and every call below do blocking file work:
 * call them from a worker thread (g_task_run_in_thread), except where the
 * comment says otherwise. Not thread-safe: one thread at a time. */
typedef struct _PfMaildir PfMaildir;

/* Create DIR, DIR/tmp, DIR/new and DIR/cur as needed (mode 0700) and open
 * them. Fails with PF_ERROR_LOCAL_DISK. */
PfMaildir  *pf_maildir_open        (const char  *path,
                                    GError     **error);
void        pf_maildir_free        (PfMaildir   *maildir);
const char *pf_maildir_get_path    (PfMaildir   *maildir);

/* A fresh, unique base name (see pf_maildir_make_base); cheap, no I/O. */
char       *pf_maildir_next_base   (PfMaildir   *maildir);

/* Open tmp/@base for writing (O_EXCL). The stream converts CRLF to LF,
 * buffers 64 KiB and writes to the page cache only: that is why the POP3
 * read loop may write to it from the main thread; it never syncs. */
GOutputStream *pf_maildir_create_tmp (PfMaildir   *maildir,
                                      const char  *base,
                                      gboolean     with_sha256,
                                      GError     **error);
/* After a successful close: bytes in the file, (when asked for) the
 * lowercase hex SHA-256 of its content, and its header digest
 * (pf_header_digest_finish), computed on the way in. */
guint64     pf_maildir_tmp_get_size   (GOutputStream *stream);
const char *pf_maildir_tmp_get_sha256 (GOutputStream *stream);
const char *pf_maildir_tmp_get_header_digest (GOutputStream *stream);

gboolean    pf_maildir_tmp_exists  (PfMaildir   *maildir,
                                    const char  *base);
/* Remove tmp/@base; a missing file is not an error. */
gboolean    pf_maildir_remove_tmp  (PfMaildir   *maildir,
                                    const char  *base,
                                    GError     **error);
/* rename tmp/@base to new/@name. Not durable until pf_maildir_sync_new(). */
gboolean    pf_maildir_deliver     (PfMaildir   *maildir,
                                    const char  *base,
                                    const char  *name,
                                    GError     **error);
/* Names of the regular files in tmp/, or NULL on error. */
GPtrArray  *pf_maildir_list_tmp    (PfMaildir   *maildir,
                                    GError     **error);

/* Durability: make every file written so far durable with one flush of
 * the Maildir's file system (syncfs), data and the tmp/ entries alike. */
gboolean    pf_maildir_sync_files  (PfMaildir   *maildir,
                                    GError     **error);
/* fsync new/ so the renames into it survive a power loss. */
gboolean    pf_maildir_sync_new    (PfMaildir   *maildir,
                                    GError     **error);

/* What the file work that failed was doing: each has a whole sentence
 * of its own, so that translators can order the words as their language
 * needs. */
typedef enum
{
  PF_FILE_CREATE,
  PF_FILE_OPEN,
  PF_FILE_READ,
  PF_FILE_WRITE,
  PF_FILE_FLUSH,
  PF_FILE_LOCK,
  PF_FILE_REMOVE,
  PF_FILE_REPLACE,
  PF_FILE_REPAIR,
  PF_FILE_MOVE_INTO,
} PfFileOperation;

/* Map an errno from file work to PF_ERROR_LOCAL_DISK with a message that
 * says what failed on @path and why. */
void        pf_maildir_set_errno_error (GError          **error,
                                        int               saved_errno,
                                        PfFileOperation   operation,
                                        const char       *path);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PfMaildir, pf_maildir_free)

G_END_DECLS
