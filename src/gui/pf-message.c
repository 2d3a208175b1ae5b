/* pf-message.c
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <gmime/gmime.h>
#include <glib/gstdio.h>
#include <glib/gi18n.h>

#include "pf-html-text.h"
#include "pf-message.h"

struct _PfMessage
{
  GObject    parent_instance;

  char      *path;
  char      *from;
  char      *subject;
  GDateTime *date;
};

G_DEFINE_FINAL_TYPE (PfMessage, pf_message, G_TYPE_OBJECT)

static void
pf_message_finalize (GObject *object)
{
  PfMessage *self = PF_MESSAGE (object);

  g_free (self->path);
  g_free (self->from);
  g_free (self->subject);
  g_clear_pointer (&self->date, g_date_time_unref);

  G_OBJECT_CLASS (pf_message_parent_class)->finalize (object);
}

static void
pf_message_class_init (PfMessageClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = pf_message_finalize;
}

static void
pf_message_init (PfMessage *self)
{
}

static void
ensure_gmime (void)
{
  static gsize initialized = 0;

  if (g_once_init_enter (&initialized))
    {
      g_mime_init ();
      g_once_init_leave (&initialized, 1);
    }
}

static GMimeMessage *
parse_message_file (const char  *path,
                    GError     **error)
{
  GMimeStream *stream;
  GMimeParser *parser;
  GMimeMessage *message;
  int fd;

  ensure_gmime ();
  fd = g_open (path, O_RDONLY | O_CLOEXEC, 0);
  if (fd < 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   _("Could not open “%s”: %s"), path, g_strerror (saved_errno));
      return NULL;
    }

  stream = g_mime_stream_fs_new (fd);
  parser = g_mime_parser_new_with_stream (stream);
  /* Persisting keeps bodies on disk (offsets into the file), not in memory. */
  g_mime_parser_set_persist_stream (parser, TRUE);
  message = g_mime_parser_construct_message (parser, NULL);
  g_object_unref (parser);
  g_object_unref (stream);
  if (message == NULL)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                 _("“%s” is not a mail message"), path);

  return message;
}

static char *
strip_controls (const char *text)
{
  GString *out;

  if (text == NULL)
    return g_strdup ("");

  /* Header text is the sender's: never let it carry control characters
   * into the UI. */
  out = g_string_sized_new (strlen (text));
  for (const char *p = text; *p; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char_validated (p, -1);

      if (c == (gunichar) -1 || c == (gunichar) -2)
        break;
      if (c == '\t' || c == '\n' || c == '\r')
        g_string_append_c (out, ' ');
      else if (!g_unichar_iscntrl (c))
        g_string_append_unichar (out, c);
    }

  return g_strstrip (g_string_free (out, FALSE));
}

PfMessage *
pf_message_new_from_file (const char  *path,
                          GError     **error)
{
  GMimeMessage *message;
  InternetAddressList *from;
  PfMessage *self;
  GDateTime *date;

  g_return_val_if_fail (path != NULL, NULL);

  message = parse_message_file (path, error);
  if (message == NULL)
    return NULL;

  self = g_object_new (PF_TYPE_MESSAGE, NULL);
  self->path = g_strdup (path);
  self->subject = strip_controls (g_mime_message_get_subject (message));

  from = g_mime_message_get_from (message);
  if (from != NULL && internet_address_list_length (from) > 0)
    {
      g_autofree char *text = internet_address_list_to_string (from, NULL, FALSE);

      self->from = strip_controls (text);
    }
  else
    self->from = g_strdup ("");

  date = g_mime_message_get_date (message);
  if (date != NULL)
    self->date = g_date_time_ref (date);
  else
    {
      GStatBuf st;

      if (g_stat (path, &st) == 0)
        self->date = g_date_time_new_from_unix_local (st.st_mtime);
      else
        self->date = g_date_time_new_now_local ();
    }

  g_object_unref (message);
  return self;
}

const char *
pf_message_get_path (PfMessage *self)
{
  g_return_val_if_fail (PF_IS_MESSAGE (self), NULL);
  return self->path;
}

const char *
pf_message_get_from (PfMessage *self)
{
  g_return_val_if_fail (PF_IS_MESSAGE (self), NULL);
  return self->from;
}

const char *
pf_message_get_subject (PfMessage *self)
{
  g_return_val_if_fail (PF_IS_MESSAGE (self), NULL);
  return self->subject;
}

GDateTime *
pf_message_get_date (PfMessage *self)
{
  g_return_val_if_fail (PF_IS_MESSAGE (self), NULL);
  return self->date;
}

typedef struct
{
  char   *path;
  gint64  mtime;
} MaildirFile;

static void
maildir_file_clear (gpointer data)
{
  g_free (((MaildirFile *) data)->path);
}

static int
compare_newest_first (gconstpointer a,
                      gconstpointer b)
{
  const MaildirFile *fa = a, *fb = b;

  if (fa->mtime != fb->mtime)
    return fa->mtime < fb->mtime ? 1 : -1;
  return g_strcmp0 (fb->path, fa->path);
}

static int
compare_date_newest_first (gconstpointer a,
                           gconstpointer b)
{
  PfMessage *ma = *(PfMessage **) a;
  PfMessage *mb = *(PfMessage **) b;

  return g_date_time_compare (mb->date, ma->date);
}

static gboolean
collect_folder (GArray      *files,
                const char  *folder,
                GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GDir) dir = g_dir_open (folder, 0, &local_error);
  const char *name;

  if (dir == NULL)
    {
      if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        return TRUE;
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  while ((name = g_dir_read_name (dir)) != NULL)
    {
      MaildirFile file;
      GStatBuf st;

      if (name[0] == '.')
        continue;
      file.path = g_build_filename (folder, name, NULL);
      if (g_stat (file.path, &st) != 0 || !S_ISREG (st.st_mode))
        {
          g_free (file.path);
          continue;
        }
      file.mtime = st.st_mtime;
      g_array_append_val (files, file);
    }

  return TRUE;
}

GPtrArray *
pf_message_list_newest (const char  *maildir,
                        guint        limit,
                        GError     **error)
{
  g_autoptr(GArray) files = g_array_new (FALSE, FALSE, sizeof (MaildirFile));
  g_autoptr(GPtrArray) messages = g_ptr_array_new_with_free_func (g_object_unref);
  static const char *folders[] = { "new", "cur" };

  g_return_val_if_fail (maildir != NULL, NULL);

  g_array_set_clear_func (files, maildir_file_clear);

  for (guint i = 0; i < G_N_ELEMENTS (folders); i++)
    {
      g_autofree char *folder = g_build_filename (maildir, folders[i], NULL);

      if (!collect_folder (files, folder, error))
        return NULL;
    }

  g_array_sort (files, compare_newest_first);

  for (guint i = 0; i < files->len && messages->len < limit; i++)
    {
      MaildirFile *file = &g_array_index (files, MaildirFile, i);
      PfMessage *message = pf_message_new_from_file (file->path, NULL);

      /* A file that is not a message is skipped, not fatal to the list. */
      if (message != NULL)
        g_ptr_array_add (messages, message);
    }

  g_ptr_array_sort (messages, compare_date_newest_first);
  return g_steal_pointer (&messages);
}

static void
append_header (GString    *out,
               const char *name,
               const char *value)
{
  g_autofree char *clean = NULL;

  if (value == NULL || *value == '\0')
    return;
  clean = strip_controls (value);
  g_string_append_printf (out, "%s: %s\n", name, clean);
}

static void
find_text_part (GMimeObject  *parent,
                GMimeObject  *part,
                gpointer      user_data)
{
  GMimeTextPart **found = user_data;
  GMimeContentType *type;

  if (!GMIME_IS_TEXT_PART (part))
    return;
  if (GMIME_IS_PART (part) && g_mime_part_is_attachment (GMIME_PART (part)))
    return;

  type = g_mime_object_get_content_type (part);
  if (*found == NULL ||
      (g_mime_content_type_is_type (type, "text", "plain") &&
       !g_mime_content_type_is_type (g_mime_object_get_content_type (GMIME_OBJECT (*found)), "text", "plain")))
    *found = GMIME_TEXT_PART (part);
}

char *
pf_message_read_text (const char  *path,
                      GError     **error)
{
  GMimeMessage *message;
  GMimeTextPart *text_part = NULL;
  GString *out;
  GDateTime *date;

  g_return_val_if_fail (path != NULL, NULL);

  message = parse_message_file (path, error);
  if (message == NULL)
    return NULL;

  out = g_string_new (NULL);
  {
    InternetAddressList *from = g_mime_message_get_from (message);
    InternetAddressList *to = g_mime_message_get_to (message);
    g_autofree char *from_text = from ? internet_address_list_to_string (from, NULL, FALSE) : NULL;
    g_autofree char *to_text = to ? internet_address_list_to_string (to, NULL, FALSE) : NULL;

    append_header (out, _("From"), from_text);
    append_header (out, _("To"), to_text);
  }
  append_header (out, _("Subject"), g_mime_message_get_subject (message));
  date = g_mime_message_get_date (message);
  if (date != NULL)
    {
      g_autofree char *date_text = g_date_time_format (date, "%c");

      append_header (out, _("Date"), date_text);
    }
  g_string_append_c (out, '\n');

  if (GMIME_IS_TEXT_PART (g_mime_message_get_mime_part (message)))
    text_part = GMIME_TEXT_PART (g_mime_message_get_mime_part (message));
  else
    g_mime_message_foreach (message, find_text_part, &text_part);

  if (text_part != NULL)
    {
      g_autofree char *text = g_mime_text_part_get_text (text_part);
      GMimeContentType *type = g_mime_object_get_content_type (GMIME_OBJECT (text_part));

      if (text != NULL && g_mime_content_type_is_type (type, "text", "html"))
        {
          g_autofree char *plain = pf_html_to_text (text);

          g_string_append (out, plain);
        }
      else if (text != NULL)
        g_string_append (out, text);
    }
  else
    g_string_append (out, _("This message has no text part."));

  g_object_unref (message);

  if (!g_utf8_validate (out->str, out->len, NULL))
    {
      g_autofree char *valid = g_utf8_make_valid (out->str, out->len);

      g_string_free (out, TRUE);
      return g_steal_pointer (&valid);
    }

  return g_string_free (out, FALSE);
}

/* What the worker thread of pf_message_load_newest_async() reads. */
typedef struct
{
  char  *maildir;
  guint  limit;
} LoadNewestData;

static void
load_newest_data_free (LoadNewestData *data)
{
  g_free (data->maildir);
  g_free (data);
}

static void
load_newest_thread (GTask        *task,
                    gpointer      source_object,
                    gpointer      task_data,
                    GCancellable *cancellable)
{
  LoadNewestData *data = task_data;
  g_autoptr(GPtrArray) messages = NULL;
  GError *error = NULL;
  GListStore *store;

  messages = pf_message_list_newest (data->maildir, data->limit, &error);
  if (messages == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  store = g_list_store_new (PF_TYPE_MESSAGE);
  g_list_store_splice (store, 0, 0, messages->pdata, messages->len);
  g_task_return_pointer (task, store, g_object_unref);
}

void
pf_message_load_newest_async (const char          *maildir,
                              guint                limit,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  LoadNewestData *data;

  g_return_if_fail (maildir != NULL);

  data = g_new0 (LoadNewestData, 1);
  data->maildir = g_strdup (maildir);
  data->limit = limit;

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, pf_message_load_newest_async);
  g_task_set_task_data (task, data, (GDestroyNotify) load_newest_data_free);
  g_task_run_in_thread (task, load_newest_thread);
}

GListModel *
pf_message_load_newest_finish (GAsyncResult  *result,
                               GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == pf_message_load_newest_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
load_text_thread (GTask        *task,
                  gpointer      source_object,
                  gpointer      task_data,
                  GCancellable *cancellable)
{
  PfMessage *self = source_object;
  GError *error = NULL;
  char *text;

  text = pf_message_read_text (self->path, &error);
  if (text == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, text, g_free);
}

void
pf_message_load_text_async (PfMessage           *self,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (PF_IS_MESSAGE (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, pf_message_load_text_async);
  g_task_run_in_thread (task, load_text_thread);
}

char *
pf_message_load_text_finish (PfMessage     *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == pf_message_load_text_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
