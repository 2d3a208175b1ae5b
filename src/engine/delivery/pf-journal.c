/* pf-journal.c — the delivery journal of one account on disk: its lock,
 * loading, appending, compaction and crash recovery (its records as text:
 * pf-journal-line.c)
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <glib/gi18n.h>

#include "pf-error.h"
#include "pf-journal.h"

typedef struct
{
  char    *name;
  gint64   first_seen;
  guint64  size;            /* PF_JOURNAL_SIZE_UNKNOWN: an old entry */
  char    *header_digest;   /* NULL: unknown */
  guint    misses;
  gint64   missing_since;
} Entry;

struct _PfJournal
{
  char       *state_dir;
  char       *path;
  char       *lock_path;
  char       *name;       /* of the journal file, in dir_fd */
  int         dir_fd;     /* the state directory: every file is opened in it */
  int         fd;
  int         lock_fd;
  GHashTable *entries;    /* uid → Entry */
  GHashTable *pending;    /* set of tmp/ bases */
  GHashTable *oversize;   /* uid → listed size (guint64*) */
  guint64     last_listed; /* ids in the last trusted listing, 0: unknown */
  char       *user;       /* escaped, from the "@ USER" record, or NULL */
  gboolean    dirty;      /* in-memory changes compaction must write */
  /* The fetcher notes pending files from the main thread while a worker
   * thread appends a batch; the lock is never held across an fsync. */
  GMutex      mutex;
};

static void
entry_free (gpointer data)
{
  Entry *entry = data;

  if (entry == NULL)
    return;   /* handed over */
  g_free (entry->name);
  g_free (entry->header_digest);
  g_free (entry);
}

static void
format_delivered (GString     *buffer,
                  const char  *uid,
                  const Entry *entry)
{
  g_string_append_printf (buffer, "%s %s %" G_GINT64_FORMAT, uid, entry->name, entry->first_seen);
  if (entry->size != PF_JOURNAL_SIZE_UNKNOWN)
    {
      g_string_append_printf (buffer, " %" G_GUINT64_FORMAT " %s", entry->size,
                              entry->header_digest != NULL ? entry->header_digest : "-");
      if (entry->misses > 0)
        g_string_append_printf (buffer, " %u %" G_GINT64_FORMAT, entry->misses, entry->missing_since);
    }
  g_string_append_c (buffer, '\n');
}

/* ------------------------------------------------------------------ */
/* The journal on disk                                                  */

static gboolean
write_all (int          fd,
           const char  *data,
           gsize        len,
           const char  *path,
           GError     **error)
{
  while (len > 0)
    {
      ssize_t n = write (fd, data, len);

      if (n < 0)
        {
          if (errno == EINTR)
            continue;
          pf_maildir_set_errno_error (error, errno, PF_FILE_WRITE, path);
          return FALSE;
        }
      data += n;
      len -= n;
    }
  return TRUE;
}

/* Append @len bytes in one write, not synced; on failure cut back what
 * went out, so that no later record is glued to half a line. Call with
 * the mutex held. */
static gboolean
append_unsynced (PfJournal   *journal,
                 const char  *data,
                 gsize        len,
                 GError     **error)
{
  struct stat st;

  if (fstat (journal->fd, &st) != 0)
    {
      pf_maildir_set_errno_error (error, errno, PF_FILE_READ, journal->path);
      return FALSE;
    }
  if (!write_all (journal->fd, data, len, journal->path, error))
    {
      if (ftruncate (journal->fd, st.st_size) != 0)
        g_debug ("Could not trim %s", journal->path);
      return FALSE;
    }
  return TRUE;
}

static gboolean
sync_state_dir (PfJournal  *journal,
                GError    **error)
{
  if (fsync (journal->dir_fd) != 0)
    {
      pf_maildir_set_errno_error (error, errno, PF_FILE_FLUSH, journal->state_dir);
      return FALSE;
    }
  return TRUE;
}

/* Whoever may write the state directory may plant links or replace the
 * journal (and have mail deleted from the server): it must be the user's
 * own and writable by nobody else. Links to it are fine. */
static int
open_state_dir (const char  *path,
                GError     **error)
{
  struct stat st;
  int fd = open (path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

  if (fd < 0 || fstat (fd, &st) != 0)
    {
      pf_maildir_set_errno_error (error, errno, PF_FILE_OPEN, path);
      if (fd >= 0)
        close (fd);
      return -1;
    }
  if (st.st_uid != geteuid ())
    {
      g_set_error (error, PF_ERROR, PF_ERROR_LOCAL_DISK,
                   _("The state directory %s belongs to another user. Popfetch keeps its "
                     "delivery journal only in a directory of your own."),
                   path);
      close (fd);
      return -1;
    }
  if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0)
    {
      g_set_error (error, PF_ERROR, PF_ERROR_LOCAL_DISK,
                   _("The state directory %s can be changed by other users; "
                     "make it private with “chmod 700 %s”."),
                   path, path);
      close (fd);
      return -1;
    }
  return fd;
}

/* @name in the state directory, never through a symbolic link: one planted
 * there would make Popfetch write (or truncate) the file it points to. */
static int
open_state_file (PfJournal   *journal,
                 const char  *name,
                 int          flags,
                 GError     **error)
{
  int fd = openat (journal->dir_fd, name, flags | O_NOFOLLOW | O_CLOEXEC, 0600);

  if (fd < 0)
    {
      int saved_errno = errno;
      g_autofree char *path = g_build_filename (journal->state_dir, name, NULL);

      if (saved_errno == ELOOP)
        g_set_error (error, PF_ERROR, PF_ERROR_LOCAL_DISK,
                     _("%s is a symbolic link. Popfetch does not follow links in its state "
                       "directory; remove it."),
                     path);
      else
        pf_maildir_set_errno_error (error, saved_errno, (flags & O_CREAT) ? PF_FILE_CREATE : PF_FILE_OPEN, path);
    }
  return fd;
}

/* A new file of its own in @dir_fd for a replacement of @name (NAME.XXXXXX,
 * as mkstemp makes them: created exclusively, never through a link, under
 * a name no one can guess in advance). */
static int
create_temporary (int          dir_fd,
                  const char  *dir_path,
                  const char  *name,
                  char       **temporary,
                  GError     **error)
{
  static const char chars[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

  for (guint attempt = 0; attempt < 100; attempt++)
    {
      g_autofree char *candidate = NULL;
      char suffix[7];
      int fd;

      for (guint i = 0; i < 6; i++)
        suffix[i] = chars[g_random_int_range (0, sizeof chars - 1)];
      suffix[6] = '\0';
      candidate = g_strconcat (name, ".", suffix, NULL);
      fd = openat (dir_fd, candidate, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
      if (fd >= 0)
        {
          *temporary = g_steal_pointer (&candidate);
          return fd;
        }
      if (errno != EEXIST)
        {
          g_autofree char *path = g_build_filename (dir_path, candidate, NULL);

          pf_maildir_set_errno_error (error, errno, PF_FILE_CREATE, path);
          return -1;
        }
    }
  g_set_error (error, PF_ERROR, PF_ERROR_LOCAL_DISK,
               _("Could not find a free name for a new file in %s."), dir_path);
  return -1;
}

gboolean
pf_journal_replace_state_file (int          dir_fd,
                               const char  *dir_path,
                               const char  *name,
                               const char  *data,
                               gsize        len,
                               GError     **error)
{
  g_autofree char *temporary = NULL;
  g_autofree char *temporary_path = NULL;
  g_autofree char *path = NULL;
  int fd;

  g_return_val_if_fail (dir_fd >= 0 && dir_path != NULL && name != NULL, FALSE);

  fd = create_temporary (dir_fd, dir_path, name, &temporary, error);
  if (fd < 0)
    return FALSE;
  temporary_path = g_build_filename (dir_path, temporary, NULL);
  if (!write_all (fd, data, len, temporary_path, error))
    {
      close (fd);
      unlinkat (dir_fd, temporary, 0);
      return FALSE;
    }
  if (fsync (fd) != 0)
    {
      pf_maildir_set_errno_error (error, errno, PF_FILE_FLUSH, temporary_path);
      close (fd);
      unlinkat (dir_fd, temporary, 0);
      return FALSE;
    }
  close (fd);

  /* rename() replaces a link under @name itself, never what it points to. */
  path = g_build_filename (dir_path, name, NULL);
  if (renameat (dir_fd, temporary, dir_fd, name) != 0)
    {
      pf_maildir_set_errno_error (error, errno, PF_FILE_REPLACE, path);
      unlinkat (dir_fd, temporary, 0);
      return FALSE;
    }
  if (fsync (dir_fd) != 0)
    {
      pf_maildir_set_errno_error (error, errno, PF_FILE_FLUSH, dir_path);
      return FALSE;
    }
  return TRUE;
}

/* The whole file open at @fd, from its start. */
static gboolean
read_whole (int          fd,
            const char  *path,
            char       **contents,
            gsize       *length,
            GError     **error)
{
  g_autoptr(GByteArray) data = g_byte_array_new ();
  guint8 buffer[16 * 1024];
  off_t offset = 0;

  for (;;)
    {
      ssize_t n = pread (fd, buffer, sizeof buffer, offset);

      if (n < 0)
        {
          int saved_errno = errno;

          if (saved_errno == EINTR)
            continue;
          g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
                       _("Could not read %s: %s"), path, g_strerror (saved_errno));
          return FALSE;
        }
      if (n == 0)
        break;
      g_byte_array_append (data, buffer, n);
      offset += n;
    }
  if (length != NULL)
    *length = data->len;
  g_byte_array_append (data, (const guint8 *) "", 1);
  *contents = (char *) g_byte_array_free (g_steal_pointer (&data), FALSE);
  return TRUE;
}

int
pf_journal_open_parent_dir (const char  *path,
                            char       **dir_path,
                            GError     **error)
{
  int fd;

  g_return_val_if_fail (path != NULL && dir_path != NULL, -1);

  *dir_path = g_path_get_dirname (path);
  fd = open (*dir_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
                   _("Could not open %s: %s"), *dir_path, g_strerror (saved_errno));
    }
  return fd;
}

gboolean
pf_journal_read_state_file (int          dir_fd,
                            const char  *dir_path,
                            const char  *name,
                            char       **contents,
                            gsize       *length,
                            GError     **error)
{
  g_autofree char *path = NULL;
  struct stat st;
  gboolean ok;
  int fd;

  g_return_val_if_fail (dir_fd >= 0 && dir_path != NULL && name != NULL && contents != NULL, FALSE);

  path = g_build_filename (dir_path, name, NULL);
  /* O_NONBLOCK: a FIFO planted there must not hang the read. */
  fd = openat (dir_fd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0)
    {
      int saved_errno = errno;

      if (saved_errno == ELOOP)
        g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_LOOP,
                     _("%s is a symbolic link. Popfetch does not follow links in its state "
                       "directory; remove it."),
                     path);
      else
        g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
                     _("Could not open %s: %s"), path, g_strerror (saved_errno));
      return FALSE;
    }
  if (fstat (fd, &st) != 0 || !S_ISREG (st.st_mode))
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                   _("%s is not a regular file. Popfetch keeps only plain files in its state "
                     "directory; remove it."),
                   path);
      close (fd);
      return FALSE;
    }
  ok = read_whole (fd, path, contents, length, error);
  close (fd);
  return ok;
}

/* A compaction cut short leaves its temporary file (NAME.XXXXXX, or
 * NAME.new from older versions); under the account's lock none is being
 * written. unlinkat removes a link itself, never what it points to. */
static void
remove_stale_temporaries (PfJournal *journal)
{
  g_autofree char *prefix = g_strconcat (journal->name, ".", NULL);
  g_autofree char *old_name = g_strconcat (journal->name, ".new", NULL);
  struct dirent *entry;
  DIR *dir;
  int fd = dup (journal->dir_fd);

  if (fd < 0 || (dir = fdopendir (fd)) == NULL)
    {
      if (fd >= 0)
        close (fd);
      return;
    }
  while ((entry = readdir (dir)) != NULL)
    {
      gboolean stale = g_str_equal (entry->d_name, old_name) ||
                       (g_str_has_prefix (entry->d_name, prefix) &&
                        strlen (entry->d_name) == strlen (prefix) + 6 &&
                        strchr (entry->d_name + strlen (prefix), '.') == NULL);

      if (stale && unlinkat (journal->dir_fd, entry->d_name, 0) != 0)
        g_debug ("Could not remove %s: %s", entry->d_name, g_strerror (errno));
    }
  closedir (dir);
}

static void
load_line (PfJournal  *journal,
           const char *line,
           gsize       len)
{
  PfJournalLine parsed;

  if (!pf_journal_parse_record (line, len, &parsed))
    {
      g_warning ("Ignoring a malformed line in %s", journal->path);
      return;
    }

  switch (parsed.kind)
    {
    case PF_JOURNAL_LINE_PENDING:
      g_hash_table_add (journal->pending, g_steal_pointer (&parsed.name));
      break;
    case PF_JOURNAL_LINE_GONE:
      g_hash_table_remove (journal->entries, parsed.uid);
      g_hash_table_remove (journal->oversize, parsed.uid);
      break;
    case PF_JOURNAL_LINE_OVERSIZE:
      g_hash_table_replace (journal->oversize, g_steal_pointer (&parsed.uid),
                            g_memdup2 (&parsed.size, sizeof parsed.size));
      break;
    case PF_JOURNAL_LINE_LISTED:
      journal->last_listed = parsed.count;
      break;
    case PF_JOURNAL_LINE_USER:
      g_free (journal->user);
      journal->user = g_steal_pointer (&parsed.name);
      break;
    case PF_JOURNAL_LINE_DELIVERED:
    default:
      {
        Entry *entry = g_new0 (Entry, 1);

        entry->name = g_steal_pointer (&parsed.name);
        entry->first_seen = parsed.first_seen;
        entry->size = parsed.size;
        entry->header_digest = g_steal_pointer (&parsed.header_digest);
        entry->misses = parsed.misses;
        entry->missing_since = parsed.missing_since;
        /* A later line for the same id wins: a reused id delivered again. */
        g_hash_table_replace (journal->entries, g_steal_pointer (&parsed.uid), entry);
      }
      break;
    }
  pf_journal_line_clear (&parsed);
}

static gboolean
load (PfJournal  *journal,
      GError    **error)
{
  g_autofree char *contents = NULL;
  gsize length = 0;
  gsize start = 0;
  g_autoptr(GError) local_error = NULL;

  /* From the descriptor opened without following a link, not by its
   * path again. */
  if (!read_whole (journal->fd, journal->path, &contents, &length, &local_error))
    {
      g_set_error (error, PF_ERROR, PF_ERROR_LOCAL_DISK, "%s", local_error->message);
      return FALSE;
    }

  for (gsize i = 0; i < length; i++)
    {
      if (contents[i] != '\n')
        continue;
      if (i > start)
        load_line (journal, contents + start, i - start);
      start = i + 1;
    }

  if (start < length)
    {
      /* A crash cut the last append short: that record never counted
       * (its batch was not acknowledged). Cut it off so the next append
       * starts on a line of its own. */
      if (ftruncate (journal->fd, start) != 0 || fdatasync (journal->fd) != 0)
        {
          pf_maildir_set_errno_error (error, errno, PF_FILE_REPAIR, journal->path);
          return FALSE;
        }
    }
  return TRUE;
}

/* Take the lock file @lock_name in the state directory without waiting
 * (never through a link); -1 with @error set. */
static int
take_lock (PfJournal   *journal,
           const char  *lock_name,
           const char  *busy_message,
           GError     **error)
{
  int fd = open_state_file (journal, lock_name, O_RDWR | O_CREAT, error);

  if (fd < 0)
    return -1;
  if (flock (fd, LOCK_EX | LOCK_NB) != 0)
    {
      if (errno == EWOULDBLOCK)
        g_set_error_literal (error, PF_ERROR, PF_ERROR_ACCOUNT_BUSY, busy_message);
      else
        {
          g_autofree char *path = g_build_filename (journal->state_dir, lock_name, NULL);

          pf_maildir_set_errno_error (error, errno, PF_FILE_LOCK, path);
        }
      close (fd);
      return -1;
    }
  return fd;
}

/* A saved account fetched before journals belonged to accounts kept its
 * journal under host and user: take it over, under its lock too, so a
 * run of an older Popfetch cannot be appending to it meanwhile. */
static gboolean
adopt_legacy (PfJournal   *journal,
              const char  *legacy_key,
              const char  *busy_message,
              GError     **error)
{
  g_autofree char *file_name = g_strconcat (legacy_key, ".journal", NULL);
  g_autofree char *lock_name = g_strconcat (legacy_key, ".lock", NULL);
  struct stat st;
  gboolean ok = TRUE;
  int fd;

  /* Looked at and moved inside the state directory, links not followed:
   * a link planted under the legacy name is not adopted. */
  if (fstatat (journal->dir_fd, journal->name, &st, AT_SYMLINK_NOFOLLOW) == 0
      || fstatat (journal->dir_fd, file_name, &st, AT_SYMLINK_NOFOLLOW) != 0
      || !S_ISREG (st.st_mode))
    return TRUE;

  fd = take_lock (journal, lock_name, busy_message, error);
  if (fd < 0)
    return FALSE;
  if (renameat (journal->dir_fd, file_name, journal->dir_fd, journal->name) != 0)
    {
      pf_maildir_set_errno_error (error, errno, PF_FILE_REPLACE, journal->path);
      ok = FALSE;
    }
  else
    {
      g_debug ("Took over %s as %s", file_name, journal->name);
      ok = sync_state_dir (journal, error);
    }
  close (fd);
  return ok;
}

static PfJournal *
open_with_key (const char  *state_dir,
               const char  *key,
               const char  *legacy_key,
               const char  *busy_message,
               GError     **error)
{
  g_autoptr(PfJournal) journal = NULL;
  g_autofree char *file_name = NULL;
  g_autofree char *lock_name = NULL;
  gboolean created;

  journal = g_new0 (PfJournal, 1);
  g_mutex_init (&journal->mutex);
  journal->fd = journal->lock_fd = journal->dir_fd = -1;
  journal->entries = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, entry_free);
  journal->pending = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  journal->oversize = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  journal->state_dir = g_strdup (state_dir);

  file_name = g_strconcat (key, ".journal", NULL);
  lock_name = g_strconcat (key, ".lock", NULL);
  journal->path = g_build_filename (state_dir, file_name, NULL);
  journal->lock_path = g_build_filename (state_dir, lock_name, NULL);
  journal->name = g_strdup (file_name);

  if (g_mkdir_with_parents (state_dir, 0700) != 0)
    {
      pf_maildir_set_errno_error (error, errno, PF_FILE_CREATE, state_dir);
      return NULL;
    }
  journal->dir_fd = open_state_dir (state_dir, error);
  if (journal->dir_fd < 0)
    return NULL;

  /* The lock is a file of its own: compaction replaces the journal file,
   * and a lock on a replaced inode would no longer exclude anyone. */
  journal->lock_fd = take_lock (journal, lock_name, busy_message, error);
  if (journal->lock_fd < 0)
    return NULL;

  if (legacy_key != NULL && strcmp (legacy_key, key) != 0
      && !adopt_legacy (journal, legacy_key, busy_message, error))
    return NULL;

  remove_stale_temporaries (journal);

  {
    struct stat st;

    created = fstatat (journal->dir_fd, file_name, &st, AT_SYMLINK_NOFOLLOW) != 0;
  }
  journal->fd = open_state_file (journal, file_name, O_RDWR | O_CREAT | O_APPEND, error);
  if (journal->fd < 0)
    return NULL;
  if (created && !sync_state_dir (journal, error))
    return NULL;

  if (!load (journal, error))
    return NULL;

  return g_steal_pointer (&journal);
}

PfJournal *
pf_journal_open (const char  *state_dir,
                 const char  *host,
                 const char  *user,
                 GError     **error)
{
  g_autofree char *key = NULL;
  g_autofree char *busy = NULL;

  g_return_val_if_fail (state_dir != NULL, NULL);
  g_return_val_if_fail (host != NULL, NULL);
  g_return_val_if_fail (user != NULL, NULL);

  key = pf_journal_account_key (host, user);
  busy = g_strdup_printf (_("Another fetch of %s on %s is running."), user, host);
  return open_with_key (state_dir, key, NULL, busy, error);
}

PfJournal *
pf_journal_open_keyed (const char  *state_dir,
                       const char  *key,
                       const char  *legacy_key,
                       const char  *label,
                       GError     **error)
{
  g_autofree char *busy = NULL;

  g_return_val_if_fail (state_dir != NULL, NULL);
  g_return_val_if_fail (key != NULL && *key != '\0' && strchr (key, '/') == NULL, NULL);
  g_return_val_if_fail (label != NULL, NULL);

  busy = g_strdup_printf (_("Another fetch of the account “%s” is running."), label);
  return open_with_key (state_dir, key, legacy_key, busy, error);
}

gboolean
pf_journal_set_user (PfJournal   *journal,
                     const char  *user,
                     GError     **error)
{
  g_autoptr(GString) escaped = g_string_new (NULL);
  g_autoptr(GString) line = NULL;
  gboolean ok;

  pf_journal_append_escaped (escaped, user);
  if (g_strcmp0 (journal->user, escaped->str) == 0)
    return TRUE;
  line = g_string_new (NULL);
  g_string_printf (line, "@ %s\n", escaped->str);
  g_mutex_lock (&journal->mutex);
  ok = append_unsynced (journal, line->str, line->len, error);
  g_mutex_unlock (&journal->mutex);
  if (ok)
    {
      g_free (journal->user);
      journal->user = g_string_free (g_steal_pointer (&escaped), FALSE);
    }
  return ok;
}

/* Names of the messages in DIR/new and DIR/cur, without the ":2,…" flags
 * a mail reader adds in cur/. */
static GHashTable *
maildir_names (const char *maildir_path)
{
  GHashTable *names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  const char *subs[] = { "new", "cur" };

  for (guint i = 0; i < G_N_ELEMENTS (subs); i++)
    {
      g_autofree char *path = g_build_filename (maildir_path, subs[i], NULL);
      g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
      const char *name;

      while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
        {
          const char *colon = strchr (name, ':');

          g_hash_table_add (names, colon != NULL ? g_strndup (name, colon - name) : g_strdup (name));
        }
    }
  return names;
}

/* Whether the journal file at @path is @escaped_user's (by its "@ USER"
 * record, else by a host-and-user key) and names a file in @names. */
static gboolean
journal_holds (PfJournal  *journal,
               const char *file_name,
               const char *key,
               const char *escaped_user,
               GHashTable *names)
{
  g_autofree char *contents = NULL;
  g_autofree char *user = NULL;
  const char *at = strchr (key, '@');
  gboolean holds = FALSE;
  gsize length = 0, start = 0;

  /* A link there is no journal of this directory: not followed. */
  if (!pf_journal_read_state_file (journal->dir_fd, journal->state_dir, file_name, &contents,
                                   &length, NULL))
    return FALSE;
  if (at != NULL)
    user = g_strndup (key, at - key);
  for (gsize i = 0; i < length; i++)
    {
      PfJournalLine line;

      if (contents[i] != '\n')
        continue;
      if (i > start && pf_journal_parse_record (contents + start, i - start, &line))
        {
          if (line.kind == PF_JOURNAL_LINE_USER)
            {
              g_free (user);
              user = g_steal_pointer (&line.name);
            }
          else if (line.kind == PF_JOURNAL_LINE_DELIVERED && g_hash_table_contains (names, line.name))
            holds = TRUE;
          pf_journal_line_clear (&line);
        }
      start = i + 1;
    }
  return holds && g_strcmp0 (user, escaped_user) == 0;
}

char *
pf_journal_find_other_holding (PfJournal   *journal,
                               const char  *user,
                               const char  *maildir_path)
{
  g_autoptr(GHashTable) names = NULL;
  g_autoptr(GString) escaped = g_string_new (NULL);
  g_autoptr(GDir) dir = NULL;
  const char *name;

  g_return_val_if_fail (journal != NULL && user != NULL && maildir_path != NULL, NULL);

  names = maildir_names (maildir_path);
  if (g_hash_table_size (names) == 0)
    return NULL;
  pf_journal_append_escaped (escaped, user);
  dir = g_dir_open (journal->state_dir, 0, NULL);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = NULL;
      g_autofree char *key = NULL;

      if (!g_str_has_suffix (name, ".journal"))
        continue;
      path = g_build_filename (journal->state_dir, name, NULL);
      if (strcmp (path, journal->path) == 0)
        continue;
      key = g_strndup (name, strlen (name) - strlen (".journal"));
      if (journal_holds (journal, name, key, escaped->str, names))
        return g_steal_pointer (&path);
    }
  return NULL;
}

gboolean
pf_journal_read_beside (PfJournal   *journal,
                        const char  *suffix,
                        char       **contents,
                        gsize       *length,
                        GError     **error)
{
  g_autofree char *key = NULL;
  g_autofree char *name = NULL;

  g_return_val_if_fail (journal != NULL && suffix != NULL && contents != NULL, FALSE);

  key = g_str_has_suffix (journal->name, ".journal")
        ? g_strndup (journal->name, strlen (journal->name) - strlen (".journal"))
        : g_strdup (journal->name);
  name = g_strconcat (key, suffix, NULL);
  return pf_journal_read_state_file (journal->dir_fd, journal->state_dir, name, contents, length, error);
}

gboolean
pf_journal_rename_key (const char  *state_dir,
                       const char  *old_key,
                       const char  *new_key,
                       const char  *label,
                       GError     **error)
{
  g_autoptr(PfJournal) dir = NULL;
  g_autofree char *old_name = g_strconcat (old_key, ".journal", NULL);
  g_autofree char *new_name = g_strconcat (new_key, ".journal", NULL);
  g_autofree char *lock_name = g_strconcat (old_key, ".lock", NULL);
  g_autofree char *busy = NULL;
  struct stat st;
  gboolean ok = TRUE;
  int fd;

  g_return_val_if_fail (state_dir != NULL && old_key != NULL && new_key != NULL, FALSE);

  if (strcmp (old_key, new_key) == 0 || !g_file_test (state_dir, G_FILE_TEST_IS_DIR))
    return TRUE;

  /* Only the state directory's descriptor is needed: a journal that holds
   * nothing else, so the same no-link rules apply as for a fetch. */
  dir = g_new0 (PfJournal, 1);
  g_mutex_init (&dir->mutex);
  dir->fd = dir->lock_fd = -1;
  dir->state_dir = g_strdup (state_dir);
  dir->path = g_build_filename (state_dir, new_name, NULL);
  dir->dir_fd = open_state_dir (state_dir, error);
  if (dir->dir_fd < 0)
    return FALSE;

  if (fstatat (dir->dir_fd, old_name, &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG (st.st_mode)
      || fstatat (dir->dir_fd, new_name, &st, AT_SYMLINK_NOFOLLOW) == 0)
    return TRUE;

  busy = g_strdup_printf (_("Another fetch of the account “%s” is running."), label);
  fd = take_lock (dir, lock_name, busy, error);
  if (fd < 0)
    return FALSE;
  if (renameat (dir->dir_fd, old_name, dir->dir_fd, new_name) != 0)
    {
      pf_maildir_set_errno_error (error, errno, PF_FILE_REPLACE, dir->path);
      ok = FALSE;
    }
  else
    ok = sync_state_dir (dir, error);
  unlinkat (dir->dir_fd, lock_name, 0);
  close (fd);
  return ok;
}

void
pf_journal_free (PfJournal *journal)
{
  if (journal == NULL)
    return;
  if (journal->fd >= 0)
    close (journal->fd);
  if (journal->lock_fd >= 0)
    close (journal->lock_fd);   /* releases the flock */
  if (journal->dir_fd >= 0)
    close (journal->dir_fd);
  g_free (journal->name);
  g_clear_pointer (&journal->entries, g_hash_table_unref);
  g_clear_pointer (&journal->pending, g_hash_table_unref);
  g_clear_pointer (&journal->oversize, g_hash_table_unref);
  g_free (journal->user);
  g_free (journal->state_dir);
  g_free (journal->path);
  g_free (journal->lock_path);
  g_mutex_clear (&journal->mutex);
  g_free (journal);
}

const char *
pf_journal_get_path (PfJournal *journal)
{
  return journal->path;
}

guint
pf_journal_get_n_entries (PfJournal *journal)
{
  guint n;

  g_mutex_lock (&journal->mutex);
  n = g_hash_table_size (journal->entries);
  g_mutex_unlock (&journal->mutex);
  return n;
}

guint
pf_journal_get_n_pending (PfJournal *journal)
{
  guint n;

  g_mutex_lock (&journal->mutex);
  n = g_hash_table_size (journal->pending);
  g_mutex_unlock (&journal->mutex);
  return n;
}

gboolean
pf_journal_lookup (PfJournal   *journal,
                   const char  *uid,
                   const char **name,
                   gint64      *first_seen)
{
  Entry *entry;

  g_mutex_lock (&journal->mutex);
  entry = g_hash_table_lookup (journal->entries, uid);
  g_mutex_unlock (&journal->mutex);
  if (entry == NULL)
    return FALSE;
  /* Entries are never freed while the journal is open, except by
   * compaction, which runs alone. */
  if (name != NULL)
    *name = entry->name;
  if (first_seen != NULL)
    *first_seen = entry->first_seen;
  return TRUE;
}

gboolean
pf_journal_get_entry (PfJournal      *journal,
                      const char     *uid,
                      PfJournalEntry *out)
{
  Entry *entry;

  g_mutex_lock (&journal->mutex);
  entry = g_hash_table_lookup (journal->entries, uid);
  g_mutex_unlock (&journal->mutex);
  if (entry == NULL)
    return FALSE;
  out->name = entry->name;
  out->first_seen = entry->first_seen;
  out->size = entry->size;
  out->header_digest = entry->header_digest;
  return TRUE;
}

gboolean
pf_journal_entry_matches_size (const PfJournalEntry *entry,
                               guint64               listed_size)
{
  return entry->size == PF_JOURNAL_SIZE_UNKNOWN || entry->size == listed_size;
}

void
pf_journal_learn_size (PfJournal   *journal,
                       const char  *uid,
                       guint64      size)
{
  Entry *entry;

  g_mutex_lock (&journal->mutex);
  entry = g_hash_table_lookup (journal->entries, uid);
  if (entry != NULL && entry->size == PF_JOURNAL_SIZE_UNKNOWN && size != PF_JOURNAL_SIZE_UNKNOWN)
    {
      entry->size = size;
      journal->dirty = TRUE;
    }
  g_mutex_unlock (&journal->mutex);
}

gboolean
pf_journal_is_oversize (PfJournal   *journal,
                        const char  *uid,
                        guint64      size)
{
  const guint64 *listed;

  g_mutex_lock (&journal->mutex);
  listed = g_hash_table_lookup (journal->oversize, uid);
  g_mutex_unlock (&journal->mutex);
  return listed != NULL && *listed == size;
}

GPtrArray *
pf_journal_dup_uids (PfJournal *journal)
{
  GPtrArray *uids = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer key;

  g_hash_table_iter_init (&iter, journal->entries);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_ptr_array_add (uids, key);
  return uids;
}

gboolean
pf_journal_note_pending (PfJournal   *journal,
                         const char  *base,
                         GError     **error)
{
  g_autofree char *line = g_strconcat ("+ ", base, "\n", NULL);
  gboolean ok;

  /* Only the file needs it: recovery reads it back at the next open. Not
   * keeping it in memory keeps a long run's memory flat. */
  g_mutex_lock (&journal->mutex);
  ok = write_all (journal->fd, line, strlen (line), journal->path, error);
  g_mutex_unlock (&journal->mutex);
  return ok;
}

/* Append @buffer in one write and fdatasync: all of it or none. */
static gboolean
append_durably (PfJournal  *journal,
                GString    *buffer,
                GError    **error)
{
  struct stat st;

  g_mutex_lock (&journal->mutex);
  if (fstat (journal->fd, &st) != 0)
    {
      pf_maildir_set_errno_error (error, errno, PF_FILE_READ, journal->path);
      g_mutex_unlock (&journal->mutex);
      return FALSE;
    }
  if (!write_all (journal->fd, buffer->str, buffer->len, journal->path, error))
    {
      /* Leave no partial record behind for a later append to follow. */
      if (ftruncate (journal->fd, st.st_size) != 0)
        g_debug ("Could not trim %s", journal->path);
      g_mutex_unlock (&journal->mutex);
      return FALSE;
    }
  g_mutex_unlock (&journal->mutex);

  if (fdatasync (journal->fd) != 0)
    {
      pf_maildir_set_errno_error (error, errno, PF_FILE_FLUSH, journal->path);
      return FALSE;
    }
  return TRUE;
}

gboolean
pf_journal_append (PfJournal              *journal,
                   const PfJournalRecord  *records,
                   guint                   n_records,
                   GError                **error)
{
  g_autoptr(GString) buffer = g_string_sized_new (128 * n_records);
  g_autoptr(GPtrArray) entries = g_ptr_array_new_with_free_func (entry_free);

  if (n_records == 0)
    return TRUE;

  for (guint i = 0; i < n_records; i++)
    {
      Entry *entry = g_new0 (Entry, 1);

      entry->name = g_strdup (records[i].name);
      entry->first_seen = records[i].first_seen;
      entry->size = records[i].size;
      entry->header_digest = g_strdup (records[i].header_digest);
      format_delivered (buffer, records[i].uid, entry);
      g_ptr_array_add (entries, entry);
    }

  if (!append_durably (journal, buffer, error))
    return FALSE;

  g_mutex_lock (&journal->mutex);
  for (guint i = 0; i < n_records; i++)
    {
      g_hash_table_replace (journal->entries, g_strdup (records[i].uid),
                            g_steal_pointer (&entries->pdata[i]));
      g_hash_table_remove (journal->oversize, records[i].uid);
    }
  g_mutex_unlock (&journal->mutex);
  return TRUE;
}

gboolean
pf_journal_record_gone (PfJournal          *journal,
                        const char * const *uids,
                        guint               n_uids,
                        GError            **error)
{
  g_autoptr(GString) buffer = g_string_new (NULL);

  if (n_uids == 0)
    return TRUE;
  for (guint i = 0; i < n_uids; i++)
    g_string_append_printf (buffer, "- %s\n", uids[i]);
  if (!append_durably (journal, buffer, error))
    return FALSE;

  g_mutex_lock (&journal->mutex);
  for (guint i = 0; i < n_uids; i++)
    g_hash_table_remove (journal->entries, uids[i]);
  g_mutex_unlock (&journal->mutex);
  return TRUE;
}

gboolean
pf_journal_record_oversize (PfJournal   *journal,
                            const char  *uid,
                            guint64      size,
                            GError     **error)
{
  g_autoptr(GString) buffer = g_string_new (NULL);
  gboolean ok;

  g_string_append_printf (buffer, "! %s %" G_GUINT64_FORMAT "\n", uid, size);
  /* One write(), no sync (it may come from the main thread): losing it
   * costs one more stopped RETR of that message. */
  g_mutex_lock (&journal->mutex);
  ok = append_unsynced (journal, buffer->str, buffer->len, error);
  if (ok)
    g_hash_table_replace (journal->oversize, g_strdup (uid), g_memdup2 (&size, sizeof size));
  g_mutex_unlock (&journal->mutex);
  return ok;
}

/* Write every record anew, atomically. */
static gboolean
rewrite (PfJournal  *journal,
         GError    **error)
{
  g_autoptr(GString) buffer = g_string_new (NULL);
  GHashTableIter iter;
  gpointer key, value;
  int fd;

  if (journal->user != NULL)
    g_string_append_printf (buffer, "@ %s\n", journal->user);
  if (journal->last_listed > 0)
    g_string_append_printf (buffer, "= %" G_GUINT64_FORMAT "\n", journal->last_listed);
  g_hash_table_iter_init (&iter, journal->entries);
  while (g_hash_table_iter_next (&iter, &key, &value))
    format_delivered (buffer, key, value);
  g_hash_table_iter_init (&iter, journal->oversize);
  while (g_hash_table_iter_next (&iter, &key, &value))
    g_string_append_printf (buffer, "! %s %" G_GUINT64_FORMAT "\n",
                            (const char *) key, *(const guint64 *) value);

  if (!pf_journal_replace_state_file (journal->dir_fd, journal->state_dir, journal->name,
                                      buffer->str, buffer->len, error))
    return FALSE;

  fd = open_state_file (journal, journal->name, O_RDWR | O_APPEND, error);
  if (fd < 0)
    return FALSE;
  close (journal->fd);
  journal->fd = fd;
  g_hash_table_remove_all (journal->pending);
  journal->dirty = FALSE;
  return TRUE;
}

gboolean
pf_journal_knows (PfJournal  *journal,
                  const char *uid)
{
  gboolean known;

  g_mutex_lock (&journal->mutex);
  known = g_hash_table_contains (journal->entries, uid) || g_hash_table_contains (journal->oversize, uid);
  g_mutex_unlock (&journal->mutex);
  return known;
}

gboolean
pf_journal_compact (PfJournal   *journal,
                    GHashTable  *listed,
                    gint64       now,
                    gboolean    *trusted,
                    GError     **error)
{
  return pf_journal_compact_counted (journal, listed, listed != NULL ? g_hash_table_size (listed) : 0,
                                     now, trusted, error);
}

gboolean
pf_journal_compact_counted (PfJournal   *journal,
                            GHashTable  *listed,
                            guint        n_listed,
                            gint64       now,
                            gboolean    *trusted,
                            GError     **error)
{
  gboolean changed = journal->dirty || g_hash_table_size (journal->pending) > 0;
  gboolean count_changed = FALSE;
  gboolean trust = FALSE;
  GHashTableIter iter;
  gpointer key, value;

  if (listed != NULL)
    {
      /* An empty or sharply shrunk listing says more likely that the
       * server answered badly than that the mail went: it counts no
       * misses. A shrunk one is remembered, so that a mailbox that really
       * shrank is trusted from the next run that lists it the same. */
      trust = n_listed > 0 && (guint64) n_listed * 2 >= journal->last_listed;
      if (n_listed > 0 && n_listed != journal->last_listed)
        {
          journal->last_listed = n_listed;
          count_changed = TRUE;
        }
    }

  g_hash_table_iter_init (&iter, journal->entries);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      Entry *entry = value;

      if (listed == NULL)
        continue;
      if (g_hash_table_contains (listed, key))
        {
          if (entry->misses > 0)
            {
              entry->misses = 0;
              entry->missing_since = 0;
              changed = TRUE;
            }
          continue;
        }
      if (!trust)
        continue;
      if (entry->misses == 0)
        entry->missing_since = now;
      if (entry->misses < G_MAXUINT)
        entry->misses++;
      changed = TRUE;
      if (entry->misses >= PF_JOURNAL_FORGET_AFTER_RUNS
          && now - entry->missing_since >= (gint64) PF_JOURNAL_FORGET_AFTER_DAYS * 24 * 60 * 60)
        g_hash_table_iter_remove (&iter);
    }

  if (listed != NULL && trust)
    {
      g_hash_table_iter_init (&iter, journal->oversize);
      while (g_hash_table_iter_next (&iter, &key, NULL))
        if (!g_hash_table_contains (listed, key))
          {
            g_hash_table_iter_remove (&iter);
            changed = TRUE;
          }
    }

  if (trusted != NULL)
    *trusted = trust;
  if (changed)
    return rewrite (journal, error);
  if (count_changed)
    {
      g_autofree char *line = g_strdup_printf ("= %" G_GUINT64_FORMAT "\n", journal->last_listed);
      gboolean ok;

      /* Not worth a rewrite, nor a sync: a lost count only makes the
       * next shrunk listing compare with an older one. */
      g_mutex_lock (&journal->mutex);
      ok = append_unsynced (journal, line, strlen (line), error);
      g_mutex_unlock (&journal->mutex);
      return ok;
    }
  return TRUE;
}

gboolean
pf_journal_recover (PfJournal   *journal,
                    PfMaildir   *maildir,
                    guint       *n_delivered,
                    guint       *n_removed,
                    GError     **error)
{
  g_autoptr(GPtrArray) tmp_files = NULL;
  g_autoptr(GHashTable) by_base = NULL;
  GHashTableIter iter;
  gpointer value;
  guint delivered = 0, removed = 0;

  tmp_files = pf_maildir_list_tmp (maildir, error);
  if (tmp_files == NULL)
    return FALSE;

  if (tmp_files->len > 0)
    {
      by_base = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
      g_hash_table_iter_init (&iter, journal->entries);
      while (g_hash_table_iter_next (&iter, NULL, &value))
        {
          Entry *entry = value;
          char *base = pf_maildir_base_of_name (entry->name);

          if (base != NULL)
            g_hash_table_insert (by_base, base, entry->name);
        }
    }

  for (guint i = 0; i < tmp_files->len; i++)
    {
      const char *base = g_ptr_array_index (tmp_files, i);
      const char *name = g_hash_table_lookup (by_base, base);

      if (name != NULL)
        {
          if (!pf_maildir_deliver (maildir, base, name, error))
            return FALSE;
          delivered++;
        }
      else if (g_hash_table_contains (journal->pending, base))
        {
          if (!pf_maildir_remove_tmp (maildir, base, error))
            return FALSE;
          removed++;
        }
    }

  if (delivered > 0 && !pf_maildir_sync_new (maildir, error))
    return FALSE;

  if (n_delivered != NULL)
    *n_delivered = delivered;
  if (n_removed != NULL)
    *n_removed = removed;
  return TRUE;
}
