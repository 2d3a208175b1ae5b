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
#include <stddef.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <glib/gi18n.h>

#include "pf-error.h"
#include "pf-journal.h"

/* The entries are held packed, for a journal of a million messages: one
 * record each, 8-byte aligned, laid end to end in large blocks that never
 * move (the strings handed out stay where they are until compaction packs
 * the blocks), found through an open-addressing index of their places. */
typedef struct
{
  gint64  first_seen;
  guint64 size;            /* PF_JOURNAL_SIZE_UNKNOWN: an old entry */
  gint64  missing_since;
  guint32 misses;
  guint8  flags;           /* RECORD_* */
  guint8  digest_len;      /* RECORD_DIGEST_BINARY: its bytes */
  /* UID NUL NAME NUL, then the header digest: digest_len bytes, or its
   * text and NUL (RECORD_DIGEST_TEXT), or nothing. */
  char    data[];
} Record;

enum
{
  RECORD_DEAD          = 1 << 0,  /* forgotten or replaced: dropped at compaction */
  RECORD_DIGEST_BINARY = 1 << 1,  /* lowercase hex of even length, kept as bytes */
  RECORD_DIGEST_TEXT   = 1 << 2,  /* any other digest, kept as written */
  RECORD_LISTED        = 1 << 3,  /* pf_journal_note_listed(), until compaction */
};

typedef struct
{
  guint64  size;     /* as listed when found over the limit */
  gboolean listed;   /* pf_journal_note_listed(), until compaction */
} Oversize;

#define RECORD_DIGEST_MAX_BYTES 32
/* pf_journal_get_entry() spells a digest kept as bytes out in the entry. */
G_STATIC_ASSERT (sizeof ((PfJournalEntry *) NULL)->digest_text == 2 * RECORD_DIGEST_MAX_BYTES + 1);
#define BLOCK_SIZE              ((gsize) 1 << 20)
/* A record's place, in an index slot: its block, and its offset there in
 * 8-byte units. A record longer than a block has a block of its own. */
#define PLACE_OFFSET_BITS       17
#define MAX_BLOCKS              ((1u << (32 - PLACE_OFFSET_BITS)) - 1)
#define SLOT_EMPTY              0u
#define SLOT_REMOVED            G_MAXUINT32

typedef struct
{
  char  *data;
  gsize  size;
  gsize  used;
} Block;

struct _PfJournal
{
  char       *state_dir;
  char       *path;
  char       *lock_path;
  char       *name;       /* of the journal file, in dir_fd */
  int         dir_fd;     /* the state directory: every file is opened in it */
  int         fd;
  int         lock_fd;
  Block      *blocks;     /* the records, end to end */
  guint       n_blocks;
  guint       blocks_allocated;
  guint32    *slots;      /* index: place + 1, SLOT_EMPTY or SLOT_REMOVED */
  guint       n_slots;    /* a power of two, or 0 */
  guint       n_entries;  /* live records */
  guint       n_taken;    /* slots not empty: live and removed */
  guint       n_dead;     /* dead records in the blocks */
  GHashTable *pending;    /* set of tmp/ bases */
  GHashTable *oversize;   /* uid → Oversize */
  guint64     last_listed; /* ids in the last trusted listing, 0: unknown */
  char       *user;       /* escaped, from the "@ USER" record, or NULL */
  gboolean    dirty;      /* in-memory changes compaction must write */
  /* The fetcher notes pending files from the main thread while a worker
   * thread appends a batch; the lock is never held across an fsync. */
  GMutex      mutex;
};

static gsize
record_length (const Record *record)
{
  gsize uid_len = strlen (record->data);
  gsize name_len = strlen (record->data + uid_len + 1);
  gsize len = offsetof (Record, data) + uid_len + 1 + name_len + 1;

  if (record->flags & RECORD_DIGEST_BINARY)
    len += record->digest_len;
  else if (record->flags & RECORD_DIGEST_TEXT)
    len += strlen (record->data + uid_len + 1 + name_len + 1) + 1;
  return (len + 7) & ~(gsize) 7;
}

static const char *
record_uid (const Record *record)
{
  return record->data;
}

static const char *
record_name (const Record *record)
{
  return record->data + strlen (record->data) + 1;
}

static const char *
record_digest_data (const Record *record)
{
  const char *name = record_name (record);

  return name + strlen (name) + 1;
}

/* The digest as text into @buffer (or the record's own text); NULL when
 * unknown. */
static const char *
record_digest (const Record *record,
               char          buffer[2 * RECORD_DIGEST_MAX_BYTES + 1])
{
  static const char hex[] = "0123456789abcdef";
  const guchar *bytes;

  if (record->flags & RECORD_DIGEST_TEXT)
    return record_digest_data (record);
  if (!(record->flags & RECORD_DIGEST_BINARY))
    return NULL;
  bytes = (const guchar *) record_digest_data (record);
  for (guint i = 0; i < record->digest_len; i++)
    {
      buffer[2 * i] = hex[bytes[i] >> 4];
      buffer[2 * i + 1] = hex[bytes[i] & 0xf];
    }
  buffer[2 * record->digest_len] = '\0';
  return buffer;
}

/* Whether @digest is lowercase hex of an even length that fits in
 * binary, as pf_maildir_header_digest() writes them: only such a digest
 * is kept as bytes, so that any other comes back exactly as written. */
static gboolean
digest_is_packable (const char *digest,
                    gsize       len)
{
  if (len == 0 || len % 2 != 0 || len > 2 * RECORD_DIGEST_MAX_BYTES)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isdigit (digest[i]) && !(digest[i] >= 'a' && digest[i] <= 'f'))
      return FALSE;
  return TRUE;
}

/* A spread of the uid's hash over the index's bits. */
static guint32
uid_hash (const char *uid)
{
  guint32 h = g_str_hash (uid);

  h ^= h >> 16;
  h *= 0x85ebca6bu;
  h ^= h >> 13;
  h *= 0xc2b2ae35u;
  h ^= h >> 16;
  return h;
}

static void
format_delivered (GString    *buffer,
                  const char *uid,
                  const char *name,
                  gint64      first_seen,
                  guint64     size,
                  const char *digest,
                  guint       misses,
                  gint64      missing_since)
{
  g_string_append (buffer, uid);
  g_string_append_c (buffer, ' ');
  g_string_append (buffer, name);
  g_string_append_printf (buffer, " %" G_GINT64_FORMAT, first_seen);
  if (size != PF_JOURNAL_SIZE_UNKNOWN)
    {
      g_string_append_printf (buffer, " %" G_GUINT64_FORMAT " %s", size, digest != NULL ? digest : "-");
      if (misses > 0)
        g_string_append_printf (buffer, " %u %" G_GINT64_FORMAT, misses, missing_since);
    }
  g_string_append_c (buffer, '\n');
}

static void
format_record (GString      *buffer,
               const Record *record)
{
  char digest_buffer[2 * RECORD_DIGEST_MAX_BYTES + 1];

  format_delivered (buffer, record_uid (record), record_name (record), record->first_seen,
                    record->size, record_digest (record, digest_buffer), record->misses,
                    record->missing_since);
}

/* The record at @offset in @block: blocks come from g_malloc() and
 * records start at multiples of 8, so the record is aligned. */
static Record *
record_in (const Block *block,
           gsize        offset)
{
  g_assert (offset % 8 == 0);
  return (Record *) (gpointer) (block->data + offset);
}

static Record *
record_at (PfJournal *journal,
           guint32    place)
{
  return record_in (&journal->blocks[place >> PLACE_OFFSET_BITS],
                    (gsize) (place & ((1u << PLACE_OFFSET_BITS) - 1)) << 3);
}

/* Walk the records of every block, the dead ones too, in the order they
 * were added: for (r = first_record (j, &b, &o); r; r = next_record (…)). */
static Record *
record_from (PfJournal *journal,
             guint     *block,
             gsize     *offset)
{
  while (*block < journal->n_blocks && *offset >= journal->blocks[*block].used)
    {
      (*block)++;
      *offset = 0;
    }
  if (*block >= journal->n_blocks)
    return NULL;
  return record_in (&journal->blocks[*block], *offset);
}

static Record *
first_record (PfJournal *journal,
              guint     *block,
              gsize     *offset)
{
  *block = 0;
  *offset = 0;
  return record_from (journal, block, offset);
}

static Record *
next_record (PfJournal *journal,
             Record    *record,
             guint     *block,
             gsize     *offset)
{
  *offset += record_length (record);
  return record_from (journal, block, offset);
}

/* The slot holding @uid, or the free slot where it would go: G_MAXUINT
 * when the index is full (it never is once it has slots). */
static guint
index_find (PfJournal  *journal,
            const char *uid,
            gboolean   *found)
{
  guint mask = journal->n_slots - 1;
  guint free_slot = G_MAXUINT;

  *found = FALSE;
  if (journal->n_slots == 0)
    return G_MAXUINT;
  for (guint i = uid_hash (uid) & mask, step = 0; step < journal->n_slots; i = (i + 1) & mask, step++)
    {
      guint32 slot = journal->slots[i];

      if (slot == SLOT_EMPTY)
        return free_slot != G_MAXUINT ? free_slot : i;
      if (slot == SLOT_REMOVED)
        {
          if (free_slot == G_MAXUINT)
            free_slot = i;
          continue;
        }
      if (strcmp (record_uid (record_at (journal, slot - 1)), uid) == 0)
        {
          *found = TRUE;
          return i;
        }
    }
  return free_slot;
}

static Record *
lookup_record (PfJournal  *journal,
               const char *uid)
{
  gboolean found;
  guint i = index_find (journal, uid, &found);

  return found ? record_at (journal, journal->slots[i] - 1) : NULL;
}

/* An index of @n_slots slots (a power of two) for the live records. */
static void
index_rebuild (PfJournal *journal,
               guint      n_slots)
{
  guint block;
  gsize offset;

  g_free (journal->slots);
  journal->slots = g_new0 (guint32, n_slots);
  journal->n_slots = n_slots;
  journal->n_taken = 0;
  for (Record *record = first_record (journal, &block, &offset); record != NULL;
       record = next_record (journal, record, &block, &offset))
    {
      gboolean found;
      guint i;

      if (record->flags & RECORD_DEAD)
        continue;
      i = index_find (journal, record_uid (record), &found);
      g_assert (!found && i != G_MAXUINT);
      journal->slots[i] = (guint32) ((block << PLACE_OFFSET_BITS) | (offset >> 3)) + 1;
      journal->n_taken++;
    }
}

/* Room for one more slot taken, at most three quarters of them. */
static void
index_reserve (PfJournal *journal)
{
  guint n_slots = journal->n_slots > 0 ? journal->n_slots : 64;

  if (journal->n_slots > 0 && (guint64) (journal->n_taken + 1) * 4 <= (guint64) journal->n_slots * 3)
    return;
  /* Removed slots go with a rebuild; the size doubles only for the
   * live ones. */
  while ((guint64) (journal->n_entries + 1) * 2 > n_slots)
    n_slots *= 2;
  index_rebuild (journal, n_slots);
}

static void
kill_record (PfJournal *journal,
             Record    *record)
{
  record->flags |= RECORD_DEAD;
  journal->n_dead++;
}

/* Forget @uid's entry (marked dead, dropped at compaction). */
static void
remove_entry (PfJournal  *journal,
              const char *uid)
{
  gboolean found;
  guint i = index_find (journal, uid, &found);

  if (!found)
    return;
  kill_record (journal, record_at (journal, journal->slots[i] - 1));
  journal->slots[i] = SLOT_REMOVED;
  journal->n_entries--;
}

/* A new record for @uid, replacing its entry if any. FALSE only for a
 * journal beyond MAX_BLOCKS blocks (tens of gigabytes). */
static gboolean
add_entry (PfJournal  *journal,
           const char *uid,
           const char *name,
           gint64      first_seen,
           guint64     size,
           const char *digest,
           guint       misses,
           gint64      missing_since)
{
  gsize uid_len = strlen (uid);
  gsize name_len = strlen (name);
  gsize digest_len = digest != NULL ? strlen (digest) : 0;
  gboolean packed = digest != NULL && digest_is_packable (digest, digest_len);
  gsize len = offsetof (Record, data) + uid_len + 1 + name_len + 1
              + (digest == NULL ? 0 : packed ? digest_len / 2 : digest_len + 1);
  Block *block = journal->n_blocks > 0 ? &journal->blocks[journal->n_blocks - 1] : NULL;
  Record *record;
  gboolean found;
  guint32 place;
  guint i;
  char *p;

  len = (len + 7) & ~(gsize) 7;
  /* The index first: a rebuild walks the records, and this one is not
   * in it yet. */
  i = index_find (journal, uid, &found);
  if (!found)
    {
      index_reserve (journal);
      i = index_find (journal, uid, &found);
    }
  if (block == NULL || block->size - block->used < len)
    {
      if (journal->n_blocks == MAX_BLOCKS)
        return FALSE;
      if (journal->n_blocks == journal->blocks_allocated)
        {
          journal->blocks_allocated = MAX (16, journal->blocks_allocated * 2);
          journal->blocks = g_renew (Block, journal->blocks, journal->blocks_allocated);
        }
      block = &journal->blocks[journal->n_blocks++];
      block->size = MAX (BLOCK_SIZE, len);
      block->data = g_malloc (block->size);
      block->used = 0;
    }

  record = record_in (block, block->used);
  record->first_seen = first_seen;
  record->size = size;
  record->missing_since = missing_since;
  record->misses = misses;
  record->flags = digest == NULL ? 0 : packed ? RECORD_DIGEST_BINARY : RECORD_DIGEST_TEXT;
  record->digest_len = packed ? digest_len / 2 : 0;
  p = record->data;
  memcpy (p, uid, uid_len + 1);
  p += uid_len + 1;
  memcpy (p, name, name_len + 1);
  p += name_len + 1;
  if (packed)
    for (gsize j = 0; j < digest_len / 2; j++)
      p[j] = (char) ((g_ascii_xdigit_value (digest[2 * j]) << 4) | g_ascii_xdigit_value (digest[2 * j + 1]));
  else if (digest != NULL)
    memcpy (p, digest, digest_len + 1);
  place = (guint32) (((journal->n_blocks - 1) << PLACE_OFFSET_BITS) | (block->used >> 3));
  block->used += len;

  if (found)
    {
      Record *old = record_at (journal, journal->slots[i] - 1);

      /* Still the id listed, whatever was delivered under it since. */
      record->flags |= old->flags & RECORD_LISTED;
      kill_record (journal, old);
    }
  else
    {
      index_reserve (journal);
      i = index_find (journal, uid, &found);
      if (journal->slots[i] == SLOT_EMPTY)
        journal->n_taken++;
      journal->n_entries++;
    }
  journal->slots[i] = place + 1;
  return TRUE;
}

/* Drop the dead records. A block of BLOCK_SIZE holds many records, a
 * larger one a single long record: those stay as they are, or go whole.
 * The live records of the others move down, each to a place no later
 * than its own (the blocks of BLOCK_SIZE filled in their order again),
 * so one pass in the blocks themselves does it. */
static void
pack_records (PfJournal *journal)
{
  guint n_kept = 0;
  guint to_block = G_MAXUINT;   /* none yet */
  gsize to_offset = 0;

  if (journal->n_dead == 0)
    return;
  for (guint b = 0; b < journal->n_blocks; b++)
    {
      Block *block = &journal->blocks[b];

      if (block->size > BLOCK_SIZE)
        continue;
      for (gsize offset = 0; offset < block->used;)
        {
          Record *record = record_in (block, offset);
          gsize len = record_length (record);

          if (!(record->flags & RECORD_DEAD))
            {
              if (to_block == G_MAXUINT || journal->blocks[to_block].size - to_offset < len)
                {
                  if (to_block != G_MAXUINT)
                    journal->blocks[to_block].used = to_offset;
                  /* The next block of BLOCK_SIZE: at most this one. */
                  do
                    to_block = to_block == G_MAXUINT ? 0 : to_block + 1;
                  while (journal->blocks[to_block].size > BLOCK_SIZE);
                  to_offset = 0;
                }
              if (to_block != b || to_offset != offset)
                memmove (journal->blocks[to_block].data + to_offset, record, len);
              to_offset += len;
            }
          offset += len;
        }
    }
  if (to_block != G_MAXUINT)
    journal->blocks[to_block].used = to_offset;

  for (guint b = 0; b < journal->n_blocks; b++)
    {
      Block *block = &journal->blocks[b];
      gboolean keep = block->size > BLOCK_SIZE
                      ? !(record_in (block, 0)->flags & RECORD_DEAD)
                      : to_block != G_MAXUINT && b <= to_block;

      if (keep)
        journal->blocks[n_kept++] = *block;
      else
        g_free (block->data);
    }
  journal->n_blocks = n_kept;
  journal->n_dead = 0;
  {
    guint n_slots = 64;

    while ((guint64) journal->n_entries * 2 > n_slots)
      n_slots *= 2;
    index_rebuild (journal, n_slots);
  }
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

/* The temporary @fd (@temporary) written: synced and renamed over @name,
 * the directory synced. Closes @fd; the temporary goes on failure. */
static gboolean
finish_replacement (int          dir_fd,
                    const char  *dir_path,
                    const char  *name,
                    int          fd,
                    const char  *temporary,
                    GError     **error)
{
  g_autofree char *temporary_path = g_build_filename (dir_path, temporary, NULL);
  g_autofree char *path = NULL;

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
  return finish_replacement (dir_fd, dir_path, name, fd, temporary, error);
}

/* pread(), again after a signal; -1 with @error in G_FILE_ERROR. */
static gssize
read_at (int         fd,
         const char *path,
         void       *buffer,
         gsize       len,
         off_t       offset,
         GError    **error)
{
  for (;;)
    {
      ssize_t n = pread (fd, buffer, len, offset);
      int saved_errno = errno;

      if (n >= 0)
        return n;
      if (saved_errno == EINTR)
        continue;
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
                   _("Could not read %s: %s"), path, g_strerror (saved_errno));
      return -1;
    }
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
      gssize n = read_at (fd, path, buffer, sizeof buffer, offset, error);

      if (n < 0)
        return FALSE;
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

/* @name in @dir_fd opened for reading as pf_journal_read_state_file()
 * reads it (no link followed, a regular file only), or -1. */
static int
open_state_file_to_read (int          dir_fd,
                         const char  *dir_path,
                         const char  *name,
                         GError     **error)
{
  g_autofree char *path = g_build_filename (dir_path, name, NULL);
  struct stat st;
  /* O_NONBLOCK: a FIFO planted there must not hang the read. */
  int fd = openat (dir_fd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);

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
      return -1;
    }
  if (fstat (fd, &st) != 0 || !S_ISREG (st.st_mode))
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                   _("%s is not a regular file. Popfetch keeps only plain files in its state "
                     "directory; remove it."),
                   path);
      close (fd);
      return -1;
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
  gboolean ok;
  int fd;

  g_return_val_if_fail (dir_fd >= 0 && dir_path != NULL && name != NULL && contents != NULL, FALSE);

  fd = open_state_file_to_read (dir_fd, dir_path, name, error);
  if (fd < 0)
    return FALSE;
  path = g_build_filename (dir_path, name, NULL);
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

static gboolean
load_line (PfJournal  *journal,
           const char *line,
           gsize       len,
           GError    **error)
{
  PfJournalLine parsed;
  gboolean ok = TRUE;

  if (!pf_journal_parse_record (line, len, &parsed))
    {
      g_warning ("Ignoring a malformed line in %s", journal->path);
      return TRUE;
    }

  switch (parsed.kind)
    {
    case PF_JOURNAL_LINE_PENDING:
      g_hash_table_add (journal->pending, g_steal_pointer (&parsed.name));
      break;
    case PF_JOURNAL_LINE_GONE:
      remove_entry (journal, parsed.uid);
      g_hash_table_remove (journal->oversize, parsed.uid);
      break;
    case PF_JOURNAL_LINE_OVERSIZE:
      {
        Oversize oversize = { parsed.size, FALSE };

        g_hash_table_replace (journal->oversize, g_steal_pointer (&parsed.uid),
                              g_memdup2 (&oversize, sizeof oversize));
      }
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
      /* A later line for the same id wins: a reused id delivered again. */
      ok = add_entry (journal, parsed.uid, parsed.name, parsed.first_seen, parsed.size,
                      parsed.header_digest, parsed.misses, parsed.missing_since);
      if (!ok)
        g_set_error (error, PF_ERROR, PF_ERROR_LOCAL_DISK,
                     _("The delivery journal %s is too large to load."), journal->path);
      break;
    }
  pf_journal_line_clear (&parsed);
  return ok;
}

typedef gboolean (*LineFunc) (gpointer     data,
                              const char  *line,
                              gsize        len,
                              GError     **error);

/* The lines of the file open at @fd, from its start, PF_JOURNAL_READ_CHUNK
 * bytes at a time (a journal of a million messages is not held whole):
 * @func gets each line without its newline, empty ones skipped. A last
 * line without its newline is not passed: *@torn says whether there is
 * one, and *@end is where it starts (else the file's length). */
static gboolean
read_lines (int          fd,
            const char  *path,
            LineFunc     func,
            gpointer     data,
            off_t       *end,
            gboolean    *torn,
            GError     **error)
{
  g_autofree char *buffer = g_malloc (PF_JOURNAL_READ_CHUNK);
  g_autoptr(GByteArray) partial = g_byte_array_new ();   /* a line across reads */
  off_t offset = 0;
  off_t line_start = 0;

  for (;;)
    {
      gssize n = read_at (fd, path, buffer, PF_JOURNAL_READ_CHUNK, offset, error);
      const char *p = buffer;
      const char *stop;

      if (n < 0)
        return FALSE;
      if (n == 0)
        break;
      stop = buffer + n;
      for (const char *newline; (newline = memchr (p, '\n', stop - p)) != NULL; p = newline + 1)
        {
          gboolean ok = TRUE;

          if (partial->len > 0)
            {
              g_byte_array_append (partial, (const guint8 *) p, newline - p);
              ok = func (data, (const char *) partial->data, partial->len, error);
              g_byte_array_set_size (partial, 0);
            }
          else if (newline > p)
            ok = func (data, p, newline - p, error);
          if (!ok)
            return FALSE;
          line_start = offset + (newline + 1 - buffer);
        }
      if (p < stop)
        g_byte_array_append (partial, (const guint8 *) p, stop - p);
      offset += n;
    }
  *end = line_start;
  *torn = line_start < offset;
  return TRUE;
}

static gboolean
load_journal_line (gpointer     data,
                   const char  *line,
                   gsize        len,
                   GError     **error)
{
  return load_line (data, line, len, error);
}

static gboolean
load (PfJournal  *journal,
      GError    **error)
{
  g_autoptr(GError) local_error = NULL;
  gboolean torn = FALSE;
  off_t end = 0;

  /* From the descriptor opened without following a link, not by its
   * path again. */
  if (!read_lines (journal->fd, journal->path, load_journal_line, journal, &end, &torn, &local_error))
    {
      if (local_error->domain == G_FILE_ERROR)
        g_set_error (error, PF_ERROR, PF_ERROR_LOCAL_DISK, "%s", local_error->message);
      else
        g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  if (torn)
    {
      /* A crash cut the last append short: that record never counted
       * (its batch was not acknowledged). Cut it off so the next append
       * starts on a line of its own. */
      if (ftruncate (journal->fd, end) != 0 || fdatasync (journal->fd) != 0)
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

typedef struct
{
  GHashTable *names;
  char       *user;
  gboolean    holds;
} Holding;

static gboolean
holding_line (gpointer     data,
              const char  *text,
              gsize        len,
              GError     **error)
{
  Holding *holding = data;
  PfJournalLine line;

  if (!pf_journal_parse_record (text, len, &line))
    return TRUE;
  if (line.kind == PF_JOURNAL_LINE_USER)
    {
      g_free (holding->user);
      holding->user = g_steal_pointer (&line.name);
    }
  else if (line.kind == PF_JOURNAL_LINE_DELIVERED && g_hash_table_contains (holding->names, line.name))
    holding->holds = TRUE;
  pf_journal_line_clear (&line);
  return TRUE;
}

/* Whether the journal file at @path is @escaped_user's (by its "@ USER"
 * record, else by a host-and-user key) and names a file in @names. Read
 * in chunks, as the journal itself is. */
static gboolean
journal_holds (PfJournal  *journal,
               const char *file_name,
               const char *key,
               const char *escaped_user,
               GHashTable *names)
{
  g_autofree char *path = g_build_filename (journal->state_dir, file_name, NULL);
  const char *at = strchr (key, '@');
  Holding holding = { names, NULL, FALSE };
  gboolean torn = FALSE;
  gboolean ok;
  off_t end = 0;
  int fd;

  /* A link there is no journal of this directory: not followed. */
  fd = open_state_file_to_read (journal->dir_fd, journal->state_dir, file_name, NULL);
  if (fd < 0)
    return FALSE;
  if (at != NULL)
    holding.user = g_strndup (key, at - key);
  ok = read_lines (fd, path, holding_line, &holding, &end, &torn, NULL);
  close (fd);
  ok = ok && holding.holds && g_strcmp0 (holding.user, escaped_user) == 0;
  g_free (holding.user);
  return ok;
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
  for (guint b = 0; b < journal->n_blocks; b++)
    g_free (journal->blocks[b].data);
  g_free (journal->blocks);
  g_free (journal->slots);
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
  n = journal->n_entries;
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
  Record *record;

  g_mutex_lock (&journal->mutex);
  record = lookup_record (journal, uid);
  /* Records stay in place until compaction, which runs alone: the name
   * may be read after the lock is let go. */
  if (record != NULL && name != NULL)
    *name = record_name (record);
  if (record != NULL && first_seen != NULL)
    *first_seen = record->first_seen;
  g_mutex_unlock (&journal->mutex);
  return record != NULL;
}

gboolean
pf_journal_get_entry (PfJournal      *journal,
                      const char     *uid,
                      PfJournalEntry *out)
{
  Record *record;

  g_mutex_lock (&journal->mutex);
  record = lookup_record (journal, uid);
  if (record != NULL)
    {
      out->name = record_name (record);
      out->first_seen = record->first_seen;
      out->size = record->size;
      out->header_digest = record_digest (record, out->digest_text);
    }
  g_mutex_unlock (&journal->mutex);
  return record != NULL;
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
  Record *record;

  g_mutex_lock (&journal->mutex);
  record = lookup_record (journal, uid);
  if (record != NULL && record->size == PF_JOURNAL_SIZE_UNKNOWN && size != PF_JOURNAL_SIZE_UNKNOWN)
    {
      record->size = size;
      journal->dirty = TRUE;
    }
  g_mutex_unlock (&journal->mutex);
}

gboolean
pf_journal_is_oversize (PfJournal   *journal,
                        const char  *uid,
                        guint64      size)
{
  const Oversize *oversize;
  gboolean is;

  g_mutex_lock (&journal->mutex);
  oversize = g_hash_table_lookup (journal->oversize, uid);
  is = oversize != NULL && oversize->size == size;
  g_mutex_unlock (&journal->mutex);
  return is;
}

GPtrArray *
pf_journal_dup_uids (PfJournal *journal)
{
  GPtrArray *uids = g_ptr_array_sized_new (journal->n_entries);
  guint block;
  gsize offset;

  g_mutex_lock (&journal->mutex);
  for (Record *record = first_record (journal, &block, &offset); record != NULL;
       record = next_record (journal, record, &block, &offset))
    if (!(record->flags & RECORD_DEAD))
      g_ptr_array_add (uids, (gpointer) record_uid (record));
  g_mutex_unlock (&journal->mutex);
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
  gboolean ok = TRUE;

  if (n_records == 0)
    return TRUE;

  for (guint i = 0; i < n_records; i++)
    format_delivered (buffer, records[i].uid, records[i].name, records[i].first_seen,
                      records[i].size, records[i].header_digest, 0, 0);

  if (!append_durably (journal, buffer, error))
    return FALSE;

  g_mutex_lock (&journal->mutex);
  for (guint i = 0; i < n_records && ok; i++)
    {
      ok = add_entry (journal, records[i].uid, records[i].name, records[i].first_seen,
                      records[i].size, records[i].header_digest, 0, 0);
      g_hash_table_remove (journal->oversize, records[i].uid);
    }
  g_mutex_unlock (&journal->mutex);
  if (!ok)
    g_set_error (error, PF_ERROR, PF_ERROR_LOCAL_DISK,
                 _("The delivery journal %s is too large to load."), journal->path);
  return ok;
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
    remove_entry (journal, uids[i]);
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
    {
      const Oversize *old = g_hash_table_lookup (journal->oversize, uid);
      Oversize oversize = { size, old != NULL && old->listed };

      g_hash_table_replace (journal->oversize, g_strdup (uid), g_memdup2 (&oversize, sizeof oversize));
    }
  g_mutex_unlock (&journal->mutex);
  return ok;
}

/* Write every record anew, atomically; written out as it is formatted,
 * never held whole. */
static gboolean
rewrite (PfJournal  *journal,
         GError    **error)
{
  g_autoptr(GString) buffer = g_string_sized_new (PF_JOURNAL_READ_CHUNK + 1024);
  g_autofree char *temporary = NULL;
  g_autofree char *temporary_path = NULL;
  GHashTableIter iter;
  gpointer key, value;
  guint block;
  gsize offset;
  gboolean ok = TRUE;
  int fd;

  fd = create_temporary (journal->dir_fd, journal->state_dir, journal->name, &temporary, error);
  if (fd < 0)
    return FALSE;
  temporary_path = g_build_filename (journal->state_dir, temporary, NULL);

  if (journal->user != NULL)
    g_string_append_printf (buffer, "@ %s\n", journal->user);
  if (journal->last_listed > 0)
    g_string_append_printf (buffer, "= %" G_GUINT64_FORMAT "\n", journal->last_listed);
  for (Record *record = first_record (journal, &block, &offset); record != NULL && ok;
       record = next_record (journal, record, &block, &offset))
    {
      if (record->flags & RECORD_DEAD)
        continue;
      format_record (buffer, record);
      if (buffer->len >= PF_JOURNAL_READ_CHUNK)
        {
          ok = write_all (fd, buffer->str, buffer->len, temporary_path, error);
          g_string_truncate (buffer, 0);
        }
    }
  g_hash_table_iter_init (&iter, journal->oversize);
  while (g_hash_table_iter_next (&iter, &key, &value))
    g_string_append_printf (buffer, "! %s %" G_GUINT64_FORMAT "\n",
                            (const char *) key, ((const Oversize *) value)->size);
  if (!ok || !write_all (fd, buffer->str, buffer->len, temporary_path, error))
    {
      close (fd);
      unlinkat (journal->dir_fd, temporary, 0);
      return FALSE;
    }
  if (!finish_replacement (journal->dir_fd, journal->state_dir, journal->name, fd, temporary, error))
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

void
pf_journal_note_listed (PfJournal  *journal,
                        const char *uid)
{
  Record *record;
  Oversize *oversize;

  g_mutex_lock (&journal->mutex);
  record = lookup_record (journal, uid);
  if (record != NULL)
    record->flags |= RECORD_LISTED;
  oversize = g_hash_table_lookup (journal->oversize, uid);
  if (oversize != NULL)
    oversize->listed = TRUE;
  g_mutex_unlock (&journal->mutex);
}

gboolean
pf_journal_knows (PfJournal  *journal,
                  const char *uid)
{
  gboolean known;

  g_mutex_lock (&journal->mutex);
  known = lookup_record (journal, uid) != NULL || g_hash_table_contains (journal->oversize, uid);
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
  guint block;
  gsize offset;

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

  /* Compaction runs alone, but the lock costs nothing here (no I/O). */
  g_mutex_lock (&journal->mutex);
  for (Record *record = first_record (journal, &block, &offset); record != NULL;
       record = next_record (journal, record, &block, &offset))
    {
      gboolean noted = (record->flags & RECORD_LISTED) != 0;

      /* The marks count for this compaction only. */
      record->flags &= ~RECORD_LISTED;
      if (listed == NULL || (record->flags & RECORD_DEAD))
        continue;
      if (noted || g_hash_table_contains (listed, record_uid (record)))
        {
          if (record->misses > 0)
            {
              record->misses = 0;
              record->missing_since = 0;
              changed = TRUE;
            }
          continue;
        }
      if (!trust)
        continue;
      if (record->misses == 0)
        record->missing_since = now;
      if (record->misses < G_MAXUINT)
        record->misses++;
      changed = TRUE;
      if (record->misses >= PF_JOURNAL_FORGET_AFTER_RUNS
          && now - record->missing_since >= (gint64) PF_JOURNAL_FORGET_AFTER_DAYS * 24 * 60 * 60)
        remove_entry (journal, record_uid (record));
    }

  g_hash_table_iter_init (&iter, journal->oversize);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      Oversize *oversize = value;
      gboolean noted = oversize->listed;

      oversize->listed = FALSE;
      if (listed != NULL && trust && !noted && !g_hash_table_contains (listed, key))
        {
          g_hash_table_iter_remove (&iter);
          changed = TRUE;
        }
    }
  g_mutex_unlock (&journal->mutex);

  if (trusted != NULL)
    *trusted = trust;
  if (changed && !rewrite (journal, error))
    return FALSE;
  /* The forgotten and replaced records go now: compaction runs alone
   * (the places of the others change, names handed out move). */
  g_mutex_lock (&journal->mutex);
  pack_records (journal);
  g_mutex_unlock (&journal->mutex);
  if (changed)
    return TRUE;
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
  guint delivered = 0, removed = 0;

  tmp_files = pf_maildir_list_tmp (maildir, error);
  if (tmp_files == NULL)
    return FALSE;

  if (tmp_files->len > 0)
    {
      guint block;
      gsize offset;

      by_base = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

      for (Record *record = first_record (journal, &block, &offset); record != NULL;
           record = next_record (journal, record, &block, &offset))
        {
          char *base;

          if (record->flags & RECORD_DEAD)
            continue;
          base = pf_maildir_base_of_name (record_name (record));
          if (base != NULL)
            g_hash_table_insert (by_base, base, (gpointer) record_name (record));
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
