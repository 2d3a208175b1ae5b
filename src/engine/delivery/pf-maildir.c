/* pf-maildir.c — writing messages into a Maildir
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define _GNU_SOURCE   /* syncfs() */

#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <glib/gi18n.h>

#include "pf-error.h"
#include "pf-maildir.h"

#define TMP_BUFFER_SIZE (64 * 1024)
/* A large message starts going to disk while it still arrives, so the
 * batch flush after it has little left to write. */
#define WRITEBACK_STEP (8 * 1024 * 1024)

struct _PfMaildir
{
  char    *path;
  char    *host;      /* escaped */
  int      dir_fd;
  int      tmp_fd;
  int      new_fd;
  guint    pid;
};

/* The Q part of a name counts deliveries in this process, across runs. */
static guint delivery_counter;

/* ------------------------------------------------------------------ */
/* Pure helpers                                                         */

char *
pf_maildir_escape_host (const char *hostname)
{
  GString *out;

  g_return_val_if_fail (hostname != NULL, NULL);

  out = g_string_sized_new (strlen (hostname) + 8);
  for (const guchar *p = (const guchar *) hostname; *p != '\0'; p++)
    {
      if (*p == '/' || *p == ':' || *p == '\\' || *p <= 0x20 || *p >= 0x7f || *p == ',')
        g_string_append_printf (out, "\\%03o", *p);
      else
        g_string_append_c (out, *p);
    }
  if (out->len == 0)
    g_string_append (out, "localhost");
  return g_string_free (out, FALSE);
}

char *
pf_maildir_make_base (gint64      time_sec,
                      guint       usec,
                      guint       pid,
                      guint64     counter,
                      const char *host)
{
  g_return_val_if_fail (host != NULL, NULL);

  return g_strdup_printf ("%" G_GINT64_FORMAT ".M%uP%uQ%" G_GUINT64_FORMAT ".%s",
                          time_sec, usec, pid, counter, host);
}

char *
pf_maildir_make_name (const char *base,
                      guint64     size)
{
  g_return_val_if_fail (base != NULL, NULL);

  return g_strdup_printf ("%s,S=%" G_GUINT64_FORMAT, base, size);
}

char *
pf_maildir_base_of_name (const char *name)
{
  const char *comma;

  g_return_val_if_fail (name != NULL, NULL);

  comma = strrchr (name, ',');
  if (comma == NULL || comma == name || strncmp (comma, ",S=", 3) != 0 || comma[3] == '\0')
    return NULL;
  for (const char *p = comma + 3; *p != '\0'; p++)
    if (!g_ascii_isdigit (*p))
      return NULL;
  return g_strndup (name, comma - name);
}

gboolean
pf_maildir_name_is_valid (const char *name)
{
  if (name == NULL || *name == '\0' || strcmp (name, ".") == 0 || strcmp (name, "..") == 0)
    return FALSE;
  for (const guchar *p = (const guchar *) name; *p != '\0'; p++)
    if (*p == '/' || *p <= 0x20 || *p >= 0x7f)
      return FALSE;
  return TRUE;
}

gsize
pf_crlf_to_lf (gboolean     *pending_cr,
               const guint8 *in,
               gsize         len,
               guint8       *out)
{
  guint8 *o = out;
  gsize i = 0;

  if (len == 0)
    return 0;

  if (*pending_cr)
    {
      /* The CR from the last chunk belongs to a CRLF: drop it. A lone CR
       * is kept as it was. */
      *pending_cr = FALSE;
      if (in[0] != '\n')
        *o++ = '\r';
    }

  while (i < len)
    {
      const guint8 *cr = memchr (in + i, '\r', len - i);

      if (cr == NULL)
        {
          memcpy (o, in + i, len - i);
          o += len - i;
          break;
        }

      memcpy (o, in + i, cr - (in + i));
      o += cr - (in + i);
      i = cr - in + 1;

      if (i == len)
        *pending_cr = TRUE;
      else if (in[i] != '\n')
        *o++ = '\r';
    }

  return o - out;
}

gsize
pf_crlf_finish (gboolean *pending_cr,
                guint8   *out)
{
  if (!*pending_cr)
    return 0;
  *pending_cr = FALSE;
  out[0] = '\r';
  return 1;
}

void
pf_maildir_set_errno_error (GError          **error,
                            int               saved_errno,
                            PfFileOperation   operation,
                            const char       *path)
{
  const char *reason = g_strerror (saved_errno);

  /* Translators: in each of these, the first %s is a file or folder, the
   * second why it failed ("No space left on device"). */
  switch (operation)
    {
    case PF_FILE_CREATE:
      g_set_error (error, PF_ERROR, PF_ERROR_LOCAL_DISK, _("Could not create %s: %s"), path, reason);
      break;
    case PF_FILE_OPEN:
      g_set_error (error, PF_ERROR, PF_ERROR_LOCAL_DISK, _("Could not open %s: %s"), path, reason);
      break;
    case PF_FILE_READ:
      g_set_error (error, PF_ERROR, PF_ERROR_LOCAL_DISK, _("Could not read %s: %s"), path, reason);
      break;
    case PF_FILE_WRITE:
      g_set_error (error, PF_ERROR, PF_ERROR_LOCAL_DISK, _("Could not write %s: %s"), path, reason);
      break;
    case PF_FILE_FLUSH:
      g_set_error (error, PF_ERROR, PF_ERROR_LOCAL_DISK, _("Could not save %s to disk: %s"), path, reason);
      break;
    case PF_FILE_LOCK:
      g_set_error (error, PF_ERROR, PF_ERROR_LOCAL_DISK, _("Could not lock %s: %s"), path, reason);
      break;
    case PF_FILE_REMOVE:
      g_set_error (error, PF_ERROR, PF_ERROR_LOCAL_DISK, _("Could not remove %s: %s"), path, reason);
      break;
    case PF_FILE_REPLACE:
      g_set_error (error, PF_ERROR, PF_ERROR_LOCAL_DISK, _("Could not replace %s: %s"), path, reason);
      break;
    case PF_FILE_REPAIR:
      g_set_error (error, PF_ERROR, PF_ERROR_LOCAL_DISK, _("Could not repair %s: %s"), path, reason);
      break;
    case PF_FILE_MOVE_INTO:
      g_set_error (error, PF_ERROR, PF_ERROR_LOCAL_DISK, _("Could not move a message into %s: %s"), path, reason);
      break;
    default:
      g_assert_not_reached ();
    }
}

/* ------------------------------------------------------------------ */
/* The stream a message arrives in                                      */

/* Longest field name the digest looks at; longer ones are never skipped. */
#define FIELD_NAME_MAX 16

struct _PfHeaderDigest
{
  GChecksum *checksum;
  gboolean   complete;
  gboolean   at_line_start;
  gboolean   in_name;                       /* reading a field's name */
  gboolean   skipping;                      /* this field is left out */
  char       name[FIELD_NAME_MAX + 1];
  gsize      name_len;
};

PfHeaderDigest *
pf_header_digest_new (void)
{
  PfHeaderDigest *digest = g_new0 (PfHeaderDigest, 1);

  digest->checksum = g_checksum_new (G_CHECKSUM_SHA256);
  digest->at_line_start = TRUE;
  return digest;
}

void
pf_header_digest_free (PfHeaderDigest *digest)
{
  if (digest == NULL)
    return;
  g_checksum_free (digest->checksum);
  g_free (digest);
}

/* Fields an mbox-based server rewrites once a message has been read
 * (UW ipop3d, qpopper and others add "Status: RO" after a RETR): left out,
 * or a later TOP would never match what was delivered. */
static gboolean
field_is_volatile (const char *name,
                   gsize       len)
{
  static const char * const fields[] = {
    "Status", "X-Status", "X-UID", "X-Keywords", "X-IMAP", "X-IMAPbase", "Content-Length", "Lines",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (fields); i++)
    if (strlen (fields[i]) == len && g_ascii_strncasecmp (fields[i], name, len) == 0)
      return TRUE;
  return FALSE;
}

static void
digest_add (PfHeaderDigest *digest,
            const guint8   *data,
            gsize           len)
{
  if (!digest->skipping && len > 0)
    g_checksum_update (digest->checksum, data, len);
}

/* A field's name ended (at @end: ':', a line end, or too long): decide
 * whether the field counts, and account for the name held back. */
static void
name_done (PfHeaderDigest *digest,
           gboolean        at_colon)
{
  digest->in_name = FALSE;
  digest->skipping = at_colon && field_is_volatile (digest->name, digest->name_len);
  digest_add (digest, (const guint8 *) digest->name, digest->name_len);
}

void
pf_header_digest_update (PfHeaderDigest *digest,
                         const guint8   *data,
                         gsize           len)
{
  gsize run_start = 0;

  if (digest->complete)
    return;
  /* Only the header is looked at, byte by byte: it is short. Bytes are
   * added in runs; a field's name is held back until it is known. */
  for (gsize i = 0; i < len; i++)
    {
      guint8 c = data[i];

      if (digest->at_line_start)
        {
          digest->at_line_start = FALSE;
          if (c == '\n')
            {
              /* The empty line: the header ends, counted with it. */
              digest_add (digest, data + run_start, i - run_start);
              digest->skipping = FALSE;
              digest_add (digest, data + i, 1);
              digest->complete = TRUE;
              return;
            }
          if (c != ' ' && c != '\t')
            {
              /* A new field (a continuation keeps the last one's fate). */
              digest_add (digest, data + run_start, i - run_start);
              digest->in_name = TRUE;
              digest->skipping = FALSE;
              digest->name_len = 0;
              run_start = i;
            }
        }

      if (digest->in_name)
        {
          if (c == ':' || c == '\n' || digest->name_len == FIELD_NAME_MAX)
            {
              name_done (digest, c == ':');
              run_start = i;
            }
          else
            {
              digest->name[digest->name_len++] = c;
              run_start = i + 1;
              continue;
            }
        }

      if (c == '\n')
        {
          digest_add (digest, data + run_start, i + 1 - run_start);
          run_start = i + 1;
          digest->at_line_start = TRUE;
        }
    }
  if (!digest->in_name)
    digest_add (digest, data + run_start, len - run_start);
}

char *
pf_header_digest_finish (PfHeaderDigest *digest)
{
  return g_strndup (g_checksum_get_string (digest->checksum), 32);
}

char *
pf_maildir_header_digest (const char *data,
                          gsize       len)
{
  g_autoptr(PfHeaderDigest) digest = pf_header_digest_new ();
  g_autofree guint8 *lf = g_malloc (len + 1);
  gboolean pending_cr = FALSE;
  gsize n;

  n = pf_crlf_to_lf (&pending_cr, (const guint8 *) data, len, lf);
  n += pf_crlf_finish (&pending_cr, lf + n);
  pf_header_digest_update (digest, lf, n);
  return pf_header_digest_finish (digest);
}

#define PF_TYPE_MAILDIR_TMP_STREAM (pf_maildir_tmp_stream_get_type ())
G_DECLARE_FINAL_TYPE (PfMaildirTmpStream, pf_maildir_tmp_stream, PF, MAILDIR_TMP_STREAM, GOutputStream)

struct _PfMaildirTmpStream
{
  GOutputStream  parent_instance;
  int            fd;
  char          *path;      /* for messages */
  guint8        *buffer;    /* allocated on the first write */
  gsize          buffered;
  gboolean       pending_cr;
  guint64        size;
  guint64        written_back;
  GChecksum     *sha256;
  char          *sha256_hex;
  PfHeaderDigest *header;
  char          *header_hex;
};

static void pollable_iface_init (GPollableOutputStreamInterface *iface);

/* Pollable and always writable: a write reaches the page cache without
 * waiting on the disk, so an async writer (the POP3 read loop) gets its
 * chunk written at once instead of through a worker thread per chunk. */
G_DEFINE_FINAL_TYPE_WITH_CODE (PfMaildirTmpStream, pf_maildir_tmp_stream, G_TYPE_OUTPUT_STREAM,
                               G_IMPLEMENT_INTERFACE (G_TYPE_POLLABLE_OUTPUT_STREAM, pollable_iface_init))

static gboolean
tmp_stream_flush_buffer (PfMaildirTmpStream  *self,
                         GError             **error)
{
  gsize done = 0;

  while (done < self->buffered)
    {
      ssize_t n = write (self->fd, self->buffer + done, self->buffered - done);

      if (n < 0)
        {
          int saved_errno = errno;

          if (saved_errno == EINTR)
            continue;
          pf_maildir_set_errno_error (error, saved_errno, PF_FILE_WRITE, self->path);
          return FALSE;
        }
      done += n;
    }

  if (self->sha256 != NULL)
    g_checksum_update (self->sha256, self->buffer, self->buffered);
  pf_header_digest_update (self->header, self->buffer, self->buffered);
  self->size += self->buffered;
  self->buffered = 0;

  if (self->size - self->written_back >= WRITEBACK_STEP)
    {
      /* Only starts write-back of what is written so far; it does not wait
       * for the disk (durability still comes from the batch flush). */
      if (sync_file_range (self->fd, self->written_back, self->size - self->written_back,
                           SYNC_FILE_RANGE_WRITE) != 0)
        g_debug ("sync_file_range on %s: %s", self->path, g_strerror (errno));
      self->written_back = self->size;
    }
  return TRUE;
}

static gssize
tmp_stream_write_fn (GOutputStream  *stream,
                     const void     *data,
                     gsize           count,
                     GCancellable   *cancellable,
                     GError        **error)
{
  PfMaildirTmpStream *self = PF_MAILDIR_TMP_STREAM (stream);
  const guint8 *in = data;
  gsize consumed = 0;

  if (self->buffer == NULL)
    self->buffer = g_malloc (TMP_BUFFER_SIZE);

  /* Conversion only ever shrinks, plus one byte for a held-back CR. */
  while (consumed < count)
    {
      gsize room = TMP_BUFFER_SIZE - self->buffered;
      gsize take;

      if (room < 2)
        {
          if (!tmp_stream_flush_buffer (self, error))
            return -1;
          continue;
        }
      take = MIN (count - consumed, room - 1);
      self->buffered += pf_crlf_to_lf (&self->pending_cr, in + consumed, take,
                                       self->buffer + self->buffered);
      consumed += take;
    }

  return count;
}

static gboolean
tmp_stream_can_poll (GPollableOutputStream *stream)
{
  return TRUE;
}

static gboolean
tmp_stream_is_writable (GPollableOutputStream *stream)
{
  return TRUE;
}

static GSource *
tmp_stream_create_source (GPollableOutputStream *stream,
                          GCancellable          *cancellable)
{
  g_autoptr(GSource) ready = g_idle_source_new ();

  return g_pollable_source_new_full (stream, ready, cancellable);
}

static gssize
tmp_stream_write_nonblocking (GPollableOutputStream  *stream,
                              const void             *buffer,
                              gsize                   count,
                              GError                **error)
{
  return tmp_stream_write_fn (G_OUTPUT_STREAM (stream), buffer, count, NULL, error);
}

static void
pollable_iface_init (GPollableOutputStreamInterface *iface)
{
  iface->can_poll = tmp_stream_can_poll;
  iface->is_writable = tmp_stream_is_writable;
  iface->create_source = tmp_stream_create_source;
  iface->write_nonblocking = tmp_stream_write_nonblocking;
}

static gboolean
tmp_stream_flush_fn (GOutputStream  *stream,
                     GCancellable   *cancellable,
                     GError        **error)
{
  PfMaildirTmpStream *self = PF_MAILDIR_TMP_STREAM (stream);

  if (self->buffered == 0)
    return TRUE;
  return tmp_stream_flush_buffer (self, error);
}

static gboolean
tmp_stream_close_fn (GOutputStream  *stream,
                     GCancellable   *cancellable,
                     GError        **error)
{
  PfMaildirTmpStream *self = PF_MAILDIR_TMP_STREAM (stream);
  gboolean ok = TRUE;

  if (self->buffer == NULL)
    self->buffer = g_malloc (TMP_BUFFER_SIZE);
  self->buffered += pf_crlf_finish (&self->pending_cr, self->buffer + self->buffered);
  if (self->buffered > 0)
    ok = tmp_stream_flush_buffer (self, error);

  g_clear_pointer (&self->buffer, g_free);

  if (self->fd >= 0)
    {
      /* close() only hands the file to the page cache; durability comes
       * from the batch flush (pf_maildir_sync_files). */
      if (close (self->fd) != 0 && ok)
        {
          pf_maildir_set_errno_error (error, errno, PF_FILE_WRITE, self->path);
          ok = FALSE;
        }
      self->fd = -1;
    }

  if (ok && self->sha256 != NULL)
    self->sha256_hex = g_strdup (g_checksum_get_string (self->sha256));
  if (ok)
    self->header_hex = pf_header_digest_finish (self->header);
  return ok;
}

static void
pf_maildir_tmp_stream_finalize (GObject *object)
{
  PfMaildirTmpStream *self = PF_MAILDIR_TMP_STREAM (object);

  if (self->fd >= 0)
    close (self->fd);
  g_clear_pointer (&self->buffer, g_free);
  g_clear_pointer (&self->sha256, g_checksum_free);
  g_clear_pointer (&self->sha256_hex, g_free);
  g_clear_pointer (&self->header, pf_header_digest_free);
  g_clear_pointer (&self->header_hex, g_free);
  g_clear_pointer (&self->path, g_free);

  G_OBJECT_CLASS (pf_maildir_tmp_stream_parent_class)->finalize (object);
}

static void
pf_maildir_tmp_stream_class_init (PfMaildirTmpStreamClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GOutputStreamClass *stream_class = G_OUTPUT_STREAM_CLASS (klass);

  object_class->finalize = pf_maildir_tmp_stream_finalize;
  stream_class->write_fn = tmp_stream_write_fn;
  stream_class->flush = tmp_stream_flush_fn;
  stream_class->close_fn = tmp_stream_close_fn;
}

static void
pf_maildir_tmp_stream_init (PfMaildirTmpStream *self)
{
  self->fd = -1;
  self->header = pf_header_digest_new ();
}

guint64
pf_maildir_tmp_get_size (GOutputStream *stream)
{
  g_return_val_if_fail (PF_IS_MAILDIR_TMP_STREAM (stream), 0);

  return PF_MAILDIR_TMP_STREAM (stream)->size;
}

const char *
pf_maildir_tmp_get_sha256 (GOutputStream *stream)
{
  g_return_val_if_fail (PF_IS_MAILDIR_TMP_STREAM (stream), NULL);

  return PF_MAILDIR_TMP_STREAM (stream)->sha256_hex;
}

const char *
pf_maildir_tmp_get_header_digest (GOutputStream *stream)
{
  g_return_val_if_fail (PF_IS_MAILDIR_TMP_STREAM (stream), NULL);

  return PF_MAILDIR_TMP_STREAM (stream)->header_hex;
}

/* ------------------------------------------------------------------ */
/* The Maildir                                                          */

static int
open_subdir (int          dir_fd,
             const char  *parent,
             const char  *name,
             GError     **error)
{
  int fd;

  if (mkdirat (dir_fd, name, 0700) != 0 && errno != EEXIST)
    {
      g_autofree char *path = g_build_filename (parent, name, NULL);
      pf_maildir_set_errno_error (error, errno, PF_FILE_CREATE, path);
      return -1;
    }

  fd = openat (dir_fd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    {
      g_autofree char *path = g_build_filename (parent, name, NULL);
      pf_maildir_set_errno_error (error, errno, PF_FILE_OPEN, path);
    }
  return fd;
}

PfMaildir *
pf_maildir_open (const char  *path,
                 GError     **error)
{
  g_autoptr(PfMaildir) maildir = NULL;
  int cur_fd;

  g_return_val_if_fail (path != NULL, NULL);

  maildir = g_new0 (PfMaildir, 1);
  maildir->path = g_strdup (path);
  maildir->dir_fd = maildir->tmp_fd = maildir->new_fd = -1;
  maildir->pid = (guint) getpid ();
  maildir->host = pf_maildir_escape_host (g_get_host_name ());

  if (g_mkdir_with_parents (path, 0700) != 0)
    {
      pf_maildir_set_errno_error (error, errno, PF_FILE_CREATE, path);
      return NULL;
    }
  maildir->dir_fd = open (path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (maildir->dir_fd < 0)
    {
      pf_maildir_set_errno_error (error, errno, PF_FILE_OPEN, path);
      return NULL;
    }

  maildir->tmp_fd = open_subdir (maildir->dir_fd, path, "tmp", error);
  if (maildir->tmp_fd < 0)
    return NULL;
  maildir->new_fd = open_subdir (maildir->dir_fd, path, "new", error);
  if (maildir->new_fd < 0)
    return NULL;
  cur_fd = open_subdir (maildir->dir_fd, path, "cur", error);
  if (cur_fd < 0)
    return NULL;
  close (cur_fd);

  return g_steal_pointer (&maildir);
}

void
pf_maildir_free (PfMaildir *maildir)
{
  if (maildir == NULL)
    return;
  if (maildir->dir_fd >= 0)
    close (maildir->dir_fd);
  if (maildir->tmp_fd >= 0)
    close (maildir->tmp_fd);
  if (maildir->new_fd >= 0)
    close (maildir->new_fd);
  g_free (maildir->path);
  g_free (maildir->host);
  g_free (maildir);
}

const char *
pf_maildir_get_path (PfMaildir *maildir)
{
  return maildir->path;
}

char *
pf_maildir_next_base (PfMaildir *maildir)
{
  gint64 now = g_get_real_time ();

  return pf_maildir_make_base (now / G_USEC_PER_SEC, (guint) (now % G_USEC_PER_SEC),
                               maildir->pid, (guint) g_atomic_int_add (&delivery_counter, 1) + 1,
                               maildir->host);
}

GOutputStream *
pf_maildir_create_tmp (PfMaildir   *maildir,
                       const char  *base,
                       gboolean     with_sha256,
                       GError     **error)
{
  g_autoptr(PfMaildirTmpStream) stream = NULL;

  g_return_val_if_fail (maildir != NULL, NULL);
  g_return_val_if_fail (pf_maildir_name_is_valid (base), NULL);

  stream = g_object_new (PF_TYPE_MAILDIR_TMP_STREAM, NULL);
  stream->path = g_build_filename (maildir->path, "tmp", base, NULL);
  stream->fd = openat (maildir->tmp_fd, base, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (stream->fd < 0)
    {
      pf_maildir_set_errno_error (error, errno, PF_FILE_CREATE, stream->path);
      return NULL;
    }
  if (with_sha256)
    stream->sha256 = g_checksum_new (G_CHECKSUM_SHA256);
  return G_OUTPUT_STREAM (g_steal_pointer (&stream));
}

gboolean
pf_maildir_tmp_exists (PfMaildir  *maildir,
                       const char *base)
{
  struct stat st;

  return fstatat (maildir->tmp_fd, base, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG (st.st_mode);
}

gboolean
pf_maildir_remove_tmp (PfMaildir   *maildir,
                       const char  *base,
                       GError     **error)
{
  if (unlinkat (maildir->tmp_fd, base, 0) != 0 && errno != ENOENT)
    {
      g_autofree char *path = g_build_filename (maildir->path, "tmp", base, NULL);
      pf_maildir_set_errno_error (error, errno, PF_FILE_REMOVE, path);
      return FALSE;
    }
  return TRUE;
}

gboolean
pf_maildir_deliver (PfMaildir   *maildir,
                    const char  *base,
                    const char  *name,
                    GError     **error)
{
  if (renameat (maildir->tmp_fd, base, maildir->new_fd, name) != 0)
    {
      g_autofree char *path = g_build_filename (maildir->path, "new", name, NULL);
      pf_maildir_set_errno_error (error, errno, PF_FILE_MOVE_INTO, path);
      return FALSE;
    }
  return TRUE;
}

GPtrArray *
pf_maildir_list_tmp (PfMaildir  *maildir,
                     GError    **error)
{
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  int fd;
  DIR *dir;
  struct dirent *entry;

  fd = openat (maildir->tmp_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0 || (dir = fdopendir (fd)) == NULL)
    {
      g_autofree char *path = g_build_filename (maildir->path, "tmp", NULL);
      pf_maildir_set_errno_error (error, errno, PF_FILE_READ, path);
      if (fd >= 0)
        close (fd);
      return NULL;
    }

  while ((entry = readdir (dir)) != NULL)
    {
      if (entry->d_name[0] == '.')
        continue;
      if (entry->d_type != DT_REG && entry->d_type != DT_UNKNOWN)
        continue;
      g_ptr_array_add (names, g_strdup (entry->d_name));
    }
  closedir (dir);
  return g_steal_pointer (&names);
}

gboolean
pf_maildir_sync_files (PfMaildir  *maildir,
                       GError    **error)
{
  /* One flush for the whole batch instead of an fsync per message: syncfs
   * writes back every dirty page and inode of the file system the Maildir
   * lives on, and reports write-back errors (Linux ≥ 5.8). */
  if (syncfs (maildir->tmp_fd) != 0)
    {
      pf_maildir_set_errno_error (error, errno, PF_FILE_FLUSH, maildir->path);
      return FALSE;
    }
  return TRUE;
}

gboolean
pf_maildir_sync_new (PfMaildir  *maildir,
                     GError    **error)
{
  if (fsync (maildir->new_fd) != 0)
    {
      g_autofree char *path = g_build_filename (maildir->path, "new", NULL);
      pf_maildir_set_errno_error (error, errno, PF_FILE_FLUSH, path);
      return FALSE;
    }
  return TRUE;
}
