/* pf-journal.c — the delivery journal of one account
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
  char   *name;
  gint64  first_seen;
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
  /* The fetcher notes pending files from the main thread while a worker
   * thread appends a batch; the lock is never held across an fsync. */
  GMutex      mutex;
};

static void
entry_free (gpointer data)
{
  Entry *entry = data;

  g_free (entry->name);
  g_free (entry);
}

/* ------------------------------------------------------------------ */
/* Pure helpers                                                         */

char *
pf_journal_account_key (const char *host,
                        const char *user)
{
  g_autofree char *lower_host = NULL;
  GString *key;

  g_return_val_if_fail (host != NULL, NULL);
  g_return_val_if_fail (user != NULL, NULL);

  lower_host = g_ascii_strdown (host, -1);
  key = g_string_new (NULL);
  for (int part = 0; part < 2; part++)
    {
      const guchar *p = (const guchar *) (part == 0 ? user : lower_host);

      if (part == 1)
        g_string_append_c (key, '@');
      for (; *p != '\0'; p++)
        {
          if (g_ascii_isalnum (*p) || *p == '.' || *p == '_' || *p == '-')
            g_string_append_c (key, *p);
          else
            g_string_append_printf (key, "%%%02X", *p);
        }
    }
  /* "." and ".." cannot come out: the "@" is always there. */
  return g_string_free (key, FALSE);
}

char *
pf_journal_format_entry (const char *uid,
                         const char *name,
                         gint64      first_seen)
{
  return g_strdup_printf ("%s %s %" G_GINT64_FORMAT "\n", uid, name, first_seen);
}

static gboolean
field_is_valid (const char *field,
                gsize       len)
{
  if (len == 0)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    if ((guchar) field[i] <= 0x20 || (guchar) field[i] >= 0x7f)
      return FALSE;
  return TRUE;
}

gboolean
pf_journal_parse_line (const char  *line,
                       gsize        len,
                       char       **uid,
                       char       **name,
                       gint64      *first_seen)
{
  const char *fields[4];
  gsize lens[4];
  guint n = 0;
  gsize i = 0;
  guint64 value;
  char *end = NULL;
  g_autofree char *number = NULL;

  *uid = NULL;
  *name = NULL;
  *first_seen = 0;

  while (i < len)
    {
      gsize start = i;

      while (i < len && line[i] != ' ')
        i++;
      if (n == G_N_ELEMENTS (fields) || i == start)
        return FALSE;
      fields[n] = line + start;
      lens[n] = i - start;
      n++;
      if (i < len)
        i++;   /* the single space */
      if (i == len && line[len - 1] == ' ')
        return FALSE;
    }

  if (n == 2 && lens[0] == 1 && fields[0][0] == '+')
    {
      if (!field_is_valid (fields[1], lens[1]))
        return FALSE;
      *name = g_strndup (fields[1], lens[1]);
      return TRUE;
    }

  if (n != 3 || !field_is_valid (fields[0], lens[0]) || !field_is_valid (fields[1], lens[1]))
    return FALSE;

  number = g_strndup (fields[2], lens[2]);
  if (!g_ascii_isdigit (number[0]))
    return FALSE;
  errno = 0;
  value = g_ascii_strtoull (number, &end, 10);
  if (errno != 0 || *end != '\0' || value > G_MAXINT64)
    return FALSE;

  *uid = g_strndup (fields[0], lens[0]);
  *name = g_strndup (fields[1], lens[1]);
  *first_seen = (gint64) value;
  return TRUE;
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
          pf_maildir_set_errno_error (error, errno, _("write"), path);
          return FALSE;
        }
      data += n;
      len -= n;
    }
  return TRUE;
}

static gboolean
sync_state_dir (PfJournal  *journal,
                GError    **error)
{
  if (fsync (journal->dir_fd) != 0)
    {
      pf_maildir_set_errno_error (error, errno, _("flush"), journal->state_dir);
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
      pf_maildir_set_errno_error (error, errno, _("open"), path);
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
        pf_maildir_set_errno_error (error, saved_errno, (flags & O_CREAT) ? _("create") : _("open"), path);
    }
  return fd;
}

/* A new file of its own for a replacement of the journal, under a name no
 * one can guess in advance (mkstemp in the state directory). */
static int
create_temporary (PfJournal  *journal,
                  char      **name,
                  GError    **error)
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
      candidate = g_strconcat (journal->name, ".", suffix, NULL);
      fd = openat (journal->dir_fd, candidate, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
      if (fd >= 0)
        {
          *name = g_steal_pointer (&candidate);
          return fd;
        }
      if (errno != EEXIST)
        {
          g_autofree char *path = g_build_filename (journal->state_dir, candidate, NULL);

          pf_maildir_set_errno_error (error, errno, _("create"), path);
          return -1;
        }
    }
  g_set_error (error, PF_ERROR, PF_ERROR_LOCAL_DISK,
               _("Could not find a free name for a new journal in %s."), journal->state_dir);
  return -1;
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
  g_autofree char *uid = NULL;
  g_autofree char *name = NULL;
  gint64 first_seen;

  if (!pf_journal_parse_line (line, len, &uid, &name, &first_seen))
    {
      g_warning ("Ignoring a malformed line in %s", journal->path);
      return;
    }

  if (uid == NULL)
    {
      g_hash_table_add (journal->pending, g_steal_pointer (&name));
    }
  else
    {
      Entry *entry = g_new0 (Entry, 1);

      entry->name = g_steal_pointer (&name);
      entry->first_seen = first_seen;
      /* A later line for the same id wins; it cannot normally happen. */
      g_hash_table_replace (journal->entries, g_steal_pointer (&uid), entry);
    }
}

static gboolean
load (PfJournal  *journal,
      GError    **error)
{
  g_autofree char *contents = NULL;
  gsize length = 0;
  gsize start = 0;
  g_autoptr(GError) local_error = NULL;

  if (!g_file_get_contents (journal->path, &contents, &length, &local_error))
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
          pf_maildir_set_errno_error (error, errno, _("repair"), journal->path);
          return FALSE;
        }
    }
  return TRUE;
}

PfJournal *
pf_journal_open (const char  *state_dir,
                 const char  *host,
                 const char  *user,
                 GError     **error)
{
  g_autoptr(PfJournal) journal = NULL;
  g_autofree char *key = NULL;
  g_autofree char *file_name = NULL;
  g_autofree char *lock_name = NULL;
  gboolean created;

  g_return_val_if_fail (state_dir != NULL, NULL);
  g_return_val_if_fail (host != NULL, NULL);
  g_return_val_if_fail (user != NULL, NULL);

  journal = g_new0 (PfJournal, 1);
  g_mutex_init (&journal->mutex);
  journal->fd = journal->lock_fd = journal->dir_fd = -1;
  journal->entries = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, entry_free);
  journal->pending = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  journal->state_dir = g_strdup (state_dir);

  key = pf_journal_account_key (host, user);
  file_name = g_strconcat (key, ".journal", NULL);
  lock_name = g_strconcat (key, ".lock", NULL);
  journal->path = g_build_filename (state_dir, file_name, NULL);
  journal->lock_path = g_build_filename (state_dir, lock_name, NULL);
  journal->name = g_strdup (file_name);

  if (g_mkdir_with_parents (state_dir, 0700) != 0)
    {
      pf_maildir_set_errno_error (error, errno, _("create"), state_dir);
      return NULL;
    }
  journal->dir_fd = open_state_dir (state_dir, error);
  if (journal->dir_fd < 0)
    return NULL;

  /* The lock is a file of its own: compaction replaces the journal file,
   * and a lock on a replaced inode would no longer exclude anyone. */
  journal->lock_fd = open_state_file (journal, lock_name, O_RDWR | O_CREAT, error);
  if (journal->lock_fd < 0)
    return NULL;
  if (flock (journal->lock_fd, LOCK_EX | LOCK_NB) != 0)
    {
      if (errno == EWOULDBLOCK)
        g_set_error (error, PF_ERROR, PF_ERROR_ACCOUNT_BUSY,
                     _("Another fetch of %s on %s is running."), user, host);
      else
        pf_maildir_set_errno_error (error, errno, _("lock"), journal->lock_path);
      return NULL;
    }

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

gboolean
pf_journal_append (PfJournal              *journal,
                   const PfJournalRecord  *records,
                   guint                   n_records,
                   GError                **error)
{
  g_autoptr(GString) buffer = g_string_sized_new (128 * n_records);
  struct stat st;

  if (n_records == 0)
    return TRUE;

  for (guint i = 0; i < n_records; i++)
    g_string_append_printf (buffer, "%s %s %" G_GINT64_FORMAT "\n",
                            records[i].uid, records[i].name, records[i].first_seen);

  g_mutex_lock (&journal->mutex);
  if (fstat (journal->fd, &st) != 0)
    {
      pf_maildir_set_errno_error (error, errno, _("read"), journal->path);
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
      pf_maildir_set_errno_error (error, errno, _("flush"), journal->path);
      return FALSE;
    }

  g_mutex_lock (&journal->mutex);
  for (guint i = 0; i < n_records; i++)
    {
      Entry *entry = g_new0 (Entry, 1);

      entry->name = g_strdup (records[i].name);
      entry->first_seen = records[i].first_seen;
      g_hash_table_replace (journal->entries, g_strdup (records[i].uid), entry);
    }
  g_mutex_unlock (&journal->mutex);
  return TRUE;
}

gboolean
pf_journal_compact (PfJournal   *journal,
                    GHashTable  *keep,
                    GError     **error)
{
  g_autofree char *new_name = NULL;
  g_autofree char *new_path = NULL;
  g_autoptr(GString) buffer = g_string_new (NULL);
  GHashTableIter iter;
  gpointer key, value;
  int fd;

  g_hash_table_iter_init (&iter, journal->entries);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      Entry *entry = value;

      if (keep != NULL && !g_hash_table_contains (keep, key))
        {
          g_hash_table_iter_remove (&iter);
          continue;
        }
      g_string_append_printf (buffer, "%s %s %" G_GINT64_FORMAT "\n",
                              (const char *) key, entry->name, entry->first_seen);
    }

  fd = create_temporary (journal, &new_name, error);
  if (fd < 0)
    return FALSE;
  new_path = g_build_filename (journal->state_dir, new_name, NULL);
  if (!write_all (fd, buffer->str, buffer->len, new_path, error))
    {
      close (fd);
      unlinkat (journal->dir_fd, new_name, 0);
      return FALSE;
    }
  if (fsync (fd) != 0)
    {
      pf_maildir_set_errno_error (error, errno, _("flush"), new_path);
      close (fd);
      unlinkat (journal->dir_fd, new_name, 0);
      return FALSE;
    }
  close (fd);

  if (renameat (journal->dir_fd, new_name, journal->dir_fd, journal->name) != 0)
    {
      pf_maildir_set_errno_error (error, errno, _("replace"), journal->path);
      unlinkat (journal->dir_fd, new_name, 0);
      return FALSE;
    }
  if (!sync_state_dir (journal, error))
    return FALSE;

  fd = open_state_file (journal, journal->name, O_RDWR | O_APPEND, error);
  if (fd < 0)
    return FALSE;
  close (journal->fd);
  journal->fd = fd;
  g_hash_table_remove_all (journal->pending);
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
