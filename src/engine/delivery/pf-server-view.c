/* pf-server-view.c — the mail left on the server, as the last session saw it
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pf-journal.h"
#include "pf-sanitize.h"
#include "pf-server-view.h"

/* A header value longer than this is cut before decoding: the view shows
 * a line, and a hostile header must not cost more than that. */
#define HEADER_VALUE_CAP 4096
#define GROUP_SERVER "server"
#define GROUP_MESSAGE_PREFIX "message "

struct _PfServerView
{
  gatomicrefcount  ref_count;
  gint64           updated;
  guint            n_messages;
  guint64          total_size;
  guint            n_here;
  guint64          size_limit;
  gboolean         no_uidl;
  GPtrArray       *over_limit;   /* PfServerMessage* */
  guint64          quota;
  PfQuotaSource    quota_source;
  char            *quota_text;
};

G_DEFINE_ENUM_TYPE (PfQuotaSource, pf_quota_source,
  G_DEFINE_ENUM_VALUE (PF_QUOTA_SOURCE_NONE, "none"),
  G_DEFINE_ENUM_VALUE (PF_QUOTA_SOURCE_SERVER, "server"),
  G_DEFINE_ENUM_VALUE (PF_QUOTA_SOURCE_PROVIDER, "provider"))

G_DEFINE_BOXED_TYPE (PfServerView, pf_server_view, pf_server_view_ref, pf_server_view_unref)

/* ------------------------------------------------------------------ */
/* Messages and their headers                                           */

PfServerMessage *
pf_server_message_new (const char *uid,
                       guint64     size)
{
  PfServerMessage *message = g_new0 (PfServerMessage, 1);

  message->uid = g_strdup (uid);
  message->size = size;
  return message;
}

void
pf_server_message_free (PfServerMessage *message)
{
  if (message == NULL)
    return;
  g_free (message->uid);
  g_free (message->from);
  g_free (message->subject);
  g_free (message->date);
  g_free (message);
}

static PfServerMessage *
server_message_copy (const PfServerMessage *message)
{
  PfServerMessage *copy = pf_server_message_new (message->uid, message->size);

  copy->from = g_strdup (message->from);
  copy->subject = g_strdup (message->subject);
  copy->date = g_strdup (message->date);
  copy->date_unix = message->date_unix;
  return copy;
}

static int
hex_value (char c)
{
  return g_ascii_isxdigit (c) ? g_ascii_xdigit_value (c) : -1;
}

/* The bytes of one encoded-word's text, or NULL when it is not valid. */
static GBytes *
decode_word_text (char        encoding,
                  const char *text,
                  gsize       len)
{
  if (encoding == 'B' || encoding == 'b')
    {
      g_autofree char *copy = NULL;
      guchar *data;
      gsize out_len = 0;

      if (len % 4 != 0)
        return NULL;
      for (gsize i = 0; i < len; i++)
        if (!g_ascii_isalnum (text[i]) && text[i] != '+' && text[i] != '/' && text[i] != '=')
          return NULL;
      copy = g_strndup (text, len);
      data = g_base64_decode (copy, &out_len);
      return g_bytes_new_take (data, out_len);
    }
  if (encoding == 'Q' || encoding == 'q')
    {
      GByteArray *out = g_byte_array_sized_new (len);

      for (gsize i = 0; i < len; i++)
        {
          guint8 byte = (guint8) text[i];

          if (text[i] == '_')
            byte = ' ';
          else if (text[i] == '=')
            {
              int high = i + 2 < len ? hex_value (text[i + 1]) : -1;
              int low = high >= 0 ? hex_value (text[i + 2]) : -1;

              if (low < 0)
                {
                  g_byte_array_unref (out);
                  return NULL;
                }
              byte = (guint8) (high * 16 + low);
              i += 2;
            }
          g_byte_array_append (out, &byte, 1);
        }
      return g_byte_array_free_to_bytes (out);
    }
  return NULL;
}

/* One encoded-word at @p ("=?charset?X?text?="), decoded to UTF-8, with
 * *@end after it; NULL when @p starts none or it cannot be decoded. */
static char *
decode_word (const char  *p,
             const char **end)
{
  const char *charset, *encoding, *text, *close;
  g_autofree char *charset_name = NULL;
  g_autoptr(GBytes) bytes = NULL;
  const char *data;
  gsize size;
  char *star;
  char *utf8;

  if (p[0] != '=' || p[1] != '?')
    return NULL;
  charset = p + 2;
  encoding = strchr (charset, '?');
  if (encoding == NULL || encoding == charset || encoding[1] == '\0' || encoding[2] != '?')
    return NULL;
  text = encoding + 3;
  close = strstr (text, "?=");
  if (close == NULL)
    return NULL;
  for (const char *q = charset; q < close + 2; q++)
    if (*q == ' ' || *q == '\t')
      return NULL;

  bytes = decode_word_text (encoding[1], text, close - text);
  if (bytes == NULL)
    return NULL;
  charset_name = g_strndup (charset, encoding - charset);
  /* RFC 2231: "charset*language". */
  star = strchr (charset_name, '*');
  if (star != NULL)
    *star = '\0';
  data = g_bytes_get_data (bytes, &size);
  if (g_ascii_strcasecmp (charset_name, "utf-8") == 0 || g_ascii_strcasecmp (charset_name, "us-ascii") == 0)
    utf8 = g_strndup (data != NULL ? data : "", size);
  else
    utf8 = g_convert (data != NULL ? data : "", size, "UTF-8", charset_name, NULL, NULL, NULL);
  if (utf8 == NULL)
    return NULL;
  *end = close + 2;
  return utf8;
}

char *
pf_server_view_decode_header (const char *value)
{
  g_autoptr(GString) out = NULL;
  g_autofree char *capped = NULL;
  const char *p;
  gboolean after_word = FALSE;

  g_return_val_if_fail (value != NULL, NULL);

  capped = g_strndup (value, HEADER_VALUE_CAP);
  out = g_string_new (NULL);
  p = capped;
  while (*p != '\0')
    {
      const char *end = NULL;
      g_autofree char *word = decode_word (p, &end);

      if (word != NULL)
        {
          g_string_append (out, word);
          p = end;
          after_word = TRUE;
          continue;
        }
      if (after_word && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
        {
          /* White space between two encoded-words is not text. */
          const char *q = p;

          while (*q == ' ' || *q == '\t' || *q == '\r' || *q == '\n')
            q++;
          if (q[0] == '=' && q[1] == '?')
            {
              const char *next_end = NULL;
              g_autofree char *next = decode_word (q, &next_end);

              if (next != NULL)
                {
                  p = q;
                  continue;
                }
            }
        }
      after_word = FALSE;
      if (*p == '\r' || *p == '\n')
        g_string_append_c (out, ' ');
      else
        g_string_append_c (out, *p);
      p++;
    }
  return pf_pop3_sanitize_text (out->str, out->len);
}

static const char * const months[] = {
  "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
};

/* Pure: an RFC 5322 date ("Tue, 1 Dec 2026 10:00:00 +0100", the day
 * name and the seconds optional), as Unix seconds, or 0. */
static gint64
parse_date (const char *text)
{
  g_auto(GStrv) parts = NULL;
  g_autoptr(GDateTime) when = NULL;
  g_autoptr(GTimeZone) zone = NULL;
  guint n, i = 0;
  int day, month = -1, year, hour = 0, minute = 0;
  double second = 0;
  char *end;

  parts = g_strsplit_set (text, " \t", -1);
  n = g_strv_length (parts);
  /* Drop empty fields from repeated blanks. */
  {
    guint kept = 0;

    for (guint k = 0; k < n; k++)
      if (*parts[k] != '\0')
        parts[kept++] = parts[k];
      else
        g_free (parts[k]);
    parts[kept] = NULL;
    n = kept;
  }
  if (n > 0 && g_str_has_suffix (parts[0], ","))
    i++;
  if (n < i + 4)
    return 0;
  day = (int) strtol (parts[i], &end, 10);
  if (*end != '\0')
    return 0;
  for (guint m = 0; m < G_N_ELEMENTS (months); m++)
    if (g_ascii_strncasecmp (parts[i + 1], months[m], 3) == 0)
      month = (int) m + 1;
  year = (int) strtol (parts[i + 2], &end, 10);
  if (month < 0 || *end != '\0')
    return 0;
  if (year < 50)
    year += 2000;
  else if (year < 1000)
    year += 1900;
  if (sscanf (parts[i + 3], "%d:%d", &hour, &minute) != 2)
    return 0;
  {
    const char *colon = strrchr (parts[i + 3], ':');

    if (colon != NULL && colon != strchr (parts[i + 3], ':'))
      second = g_ascii_strtod (colon + 1, NULL);
  }
  zone = n > i + 4 && (parts[i + 4][0] == '+' || parts[i + 4][0] == '-')
         ? g_time_zone_new_identifier (parts[i + 4]) : NULL;
  if (zone == NULL)
    zone = g_time_zone_new_utc ();
  when = g_date_time_new (zone, year, month, day, hour, minute, second);
  return when != NULL ? g_date_time_to_unix (when) : 0;
}

void
pf_server_message_set_header (PfServerMessage *message,
                              const char      *header,
                              gsize            len)
{
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GPtrArray) fields = g_ptr_array_new_with_free_func (g_free);

  g_return_if_fail (message != NULL);
  g_return_if_fail (header != NULL || len == 0);

  text = g_strndup (header != NULL ? header : "", len);
  lines = g_strsplit (text, "\n", -1);
  /* Unfold: a line that starts with white space continues the field. */
  for (guint i = 0; lines[i] != NULL; i++)
    {
      char *line = lines[i];
      gsize line_len = strlen (line);

      if (line_len > 0 && line[line_len - 1] == '\r')
        line[--line_len] = '\0';
      if (line_len == 0)
        break;   /* the end of the header */
      if ((line[0] == ' ' || line[0] == '\t') && fields->len > 0)
        {
          char **last = (char **) &fields->pdata[fields->len - 1];
          char *joined;

          if (strlen (*last) > HEADER_VALUE_CAP)
            continue;
          joined = g_strconcat (*last, line, NULL);
          g_free (*last);
          *last = joined;
        }
      else
        g_ptr_array_add (fields, g_strdup (line));
    }

  for (guint i = 0; i < fields->len; i++)
    {
      const char *field = g_ptr_array_index (fields, i);
      const char *colon = strchr (field, ':');
      char **slot = NULL;
      g_autofree char *name = NULL;

      if (colon == NULL)
        continue;
      name = g_strndup (field, colon - field);
      g_strstrip (name);
      if (g_ascii_strcasecmp (name, "From") == 0)
        slot = &message->from;
      else if (g_ascii_strcasecmp (name, "Subject") == 0)
        slot = &message->subject;
      else if (g_ascii_strcasecmp (name, "Date") == 0)
        slot = &message->date;
      if (slot == NULL || *slot != NULL)
        continue;   /* the first of each counts */
      *slot = pf_server_view_decode_header (colon + 1);
      if (slot == &message->date)
        message->date_unix = parse_date (*slot);
    }
}

/* ------------------------------------------------------------------ */
/* The view                                                             */

PfServerView *
pf_server_view_new (void)
{
  PfServerView *view = g_new0 (PfServerView, 1);

  g_atomic_ref_count_init (&view->ref_count);
  view->over_limit = g_ptr_array_new_with_free_func ((GDestroyNotify) pf_server_message_free);
  return view;
}

PfServerView *
pf_server_view_ref (PfServerView *view)
{
  g_return_val_if_fail (view != NULL, NULL);
  g_atomic_ref_count_inc (&view->ref_count);
  return view;
}

void
pf_server_view_unref (PfServerView *view)
{
  g_return_if_fail (view != NULL);
  if (!g_atomic_ref_count_dec (&view->ref_count))
    return;
  g_ptr_array_unref (view->over_limit);
  g_free (view->quota_text);
  g_free (view);
}

gint64
pf_server_view_get_updated (const PfServerView *view)
{
  g_return_val_if_fail (view != NULL, 0);
  return view->updated;
}

guint
pf_server_view_get_n_messages (const PfServerView *view)
{
  g_return_val_if_fail (view != NULL, 0);
  return view->n_messages;
}

guint64
pf_server_view_get_total_size (const PfServerView *view)
{
  g_return_val_if_fail (view != NULL, 0);
  return view->total_size;
}

guint
pf_server_view_get_n_here (const PfServerView *view)
{
  g_return_val_if_fail (view != NULL, 0);
  return view->n_here;
}

guint64
pf_server_view_get_size_limit (const PfServerView *view)
{
  g_return_val_if_fail (view != NULL, 0);
  return view->size_limit;
}

GPtrArray *
pf_server_view_get_over_limit (const PfServerView *view)
{
  g_return_val_if_fail (view != NULL, NULL);
  return view->over_limit;
}

const PfServerMessage *
pf_server_view_find (const PfServerView *view,
                     const char         *uid)
{
  g_return_val_if_fail (view != NULL, NULL);

  if (uid == NULL)
    return NULL;
  for (guint i = 0; i < view->over_limit->len; i++)
    {
      const PfServerMessage *message = g_ptr_array_index (view->over_limit, i);

      if (g_strcmp0 (message->uid, uid) == 0)
        return message;
    }
  return NULL;
}

gboolean
pf_server_view_get_no_uidl (const PfServerView *view)
{
  g_return_val_if_fail (view != NULL, FALSE);
  return view->no_uidl;
}

guint64
pf_server_view_get_quota (const PfServerView *view)
{
  g_return_val_if_fail (view != NULL, 0);
  return view->quota;
}

PfQuotaSource
pf_server_view_get_quota_source (const PfServerView *view)
{
  g_return_val_if_fail (view != NULL, PF_QUOTA_SOURCE_NONE);
  return view->quota_source;
}

const char *
pf_server_view_get_quota_text (const PfServerView *view)
{
  g_return_val_if_fail (view != NULL, NULL);
  return view->quota_text;
}

gboolean
pf_server_view_is_near_quota (const PfServerView *view)
{
  g_return_val_if_fail (view != NULL, FALSE);

  if (view->quota_source == PF_QUOTA_SOURCE_SERVER && view->quota == 0)
    return TRUE;   /* the server's words, without a number */
  if (view->quota == 0)
    return FALSE;
  /* total / quota ≥ percent / 100, without overflow for any size. */
  return view->total_size / PF_SERVER_VIEW_NEAR_QUOTA_PERCENT >= view->quota / 100;
}

void
pf_server_view_set_updated (PfServerView *view,
                            gint64        unix_time)
{
  g_return_if_fail (view != NULL);
  view->updated = unix_time;
}

void
pf_server_view_set_counts (PfServerView *view,
                           guint         n_messages,
                           guint64       total_size,
                           guint         n_here)
{
  g_return_if_fail (view != NULL);
  view->n_messages = n_messages;
  view->total_size = total_size;
  view->n_here = n_here;
}

void
pf_server_view_set_size_limit (PfServerView *view,
                               guint64       bytes)
{
  g_return_if_fail (view != NULL);
  view->size_limit = bytes;
}

void
pf_server_view_take_over_limit (PfServerView *view,
                                GPtrArray    *messages)
{
  g_return_if_fail (view != NULL);
  g_return_if_fail (messages != NULL);

  g_ptr_array_set_size (view->over_limit, 0);
  for (guint i = 0; i < messages->len; i++)
    g_ptr_array_add (view->over_limit, g_steal_pointer (&messages->pdata[i]));
  g_ptr_array_unref (messages);
}

void
pf_server_view_set_no_uidl (PfServerView *view,
                            gboolean      no_uidl)
{
  g_return_if_fail (view != NULL);
  view->no_uidl = no_uidl;
}

void
pf_server_view_set_quota (PfServerView  *view,
                          guint64        bytes,
                          PfQuotaSource  source,
                          const char    *text)
{
  g_return_if_fail (view != NULL);
  view->quota = bytes;
  view->quota_source = source;
  g_free (view->quota_text);
  view->quota_text = text != NULL ? pf_pop3_sanitize_text (text, -1) : NULL;
}

gboolean
pf_server_view_remove (PfServerView *view,
                       const char   *uid)
{
  g_return_val_if_fail (view != NULL, FALSE);

  for (guint i = 0; uid != NULL && i < view->over_limit->len; i++)
    {
      PfServerMessage *message = g_ptr_array_index (view->over_limit, i);

      if (g_strcmp0 (message->uid, uid) != 0)
        continue;
      if (view->n_messages > 0)
        view->n_messages--;
      view->total_size -= MIN (view->total_size, message->size);
      g_ptr_array_remove_index (view->over_limit, i);
      return TRUE;
    }
  return FALSE;
}

/* ------------------------------------------------------------------ */
/* The file                                                             */

char *
pf_server_view_build_path (const char *state_dir,
                           const char *key)
{
  g_autofree char *name = NULL;

  g_return_val_if_fail (state_dir != NULL, NULL);
  g_return_val_if_fail (key != NULL, NULL);

  name = g_strconcat (key, ".server", NULL);
  return g_build_filename (state_dir, name, NULL);
}

static const char *
quota_source_nick (PfQuotaSource source)
{
  g_autoptr(GEnumClass) klass = g_type_class_ref (PF_TYPE_QUOTA_SOURCE);
  GEnumValue *value = g_enum_get_value (klass, source);

  return value != NULL ? value->value_nick : "none";
}

static PfQuotaSource
quota_source_from_nick (const char *nick)
{
  g_autoptr(GEnumClass) klass = g_type_class_ref (PF_TYPE_QUOTA_SOURCE);
  GEnumValue *value = nick != NULL ? g_enum_get_value_by_nick (klass, nick) : NULL;

  return value != NULL ? (PfQuotaSource) value->value : PF_QUOTA_SOURCE_NONE;
}

static void
set_optional_string (GKeyFile   *file,
                     const char *group,
                     const char *key,
                     const char *value)
{
  if (value != NULL)
    g_key_file_set_string (file, group, key, value);
}

gboolean
pf_server_view_save (PfServerView  *view,
                     const char    *path,
                     GError       **error)
{
  g_autoptr(GKeyFile) file = g_key_file_new ();
  g_autofree char *data = NULL;
  g_autofree char *dir_path = NULL;
  g_autofree char *base = NULL;
  gsize len = 0;
  gboolean ok;
  int dir_fd;

  g_return_val_if_fail (view != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  g_key_file_set_int64 (file, GROUP_SERVER, "updated", view->updated);
  g_key_file_set_uint64 (file, GROUP_SERVER, "messages", view->n_messages);
  g_key_file_set_uint64 (file, GROUP_SERVER, "size", view->total_size);
  g_key_file_set_uint64 (file, GROUP_SERVER, "here", view->n_here);
  g_key_file_set_uint64 (file, GROUP_SERVER, "size-limit", view->size_limit);
  g_key_file_set_boolean (file, GROUP_SERVER, "no-uidl", view->no_uidl);
  g_key_file_set_uint64 (file, GROUP_SERVER, "quota", view->quota);
  g_key_file_set_string (file, GROUP_SERVER, "quota-source", quota_source_nick (view->quota_source));
  set_optional_string (file, GROUP_SERVER, "quota-text", view->quota_text);
  for (guint i = 0; i < view->over_limit->len; i++)
    {
      const PfServerMessage *message = g_ptr_array_index (view->over_limit, i);
      g_autofree char *group = g_strdup_printf (GROUP_MESSAGE_PREFIX "%u", i);

      set_optional_string (file, group, "uid", message->uid);
      g_key_file_set_uint64 (file, group, "size", message->size);
      set_optional_string (file, group, "from", message->from);
      set_optional_string (file, group, "subject", message->subject);
      set_optional_string (file, group, "date", message->date);
      if (message->date_unix != 0)
        g_key_file_set_int64 (file, group, "date-unix", message->date_unix);
    }

  data = g_key_file_to_data (file, &len, NULL);
  dir_fd = pf_journal_open_parent_dir (path, &dir_path, error);
  if (dir_fd < 0)
    return FALSE;
  base = g_path_get_basename (path);
  ok = pf_journal_replace_state_file (dir_fd, dir_path, base, data, len, error);
  close (dir_fd);
  return ok;
}

static char *
get_optional_string (GKeyFile   *file,
                     const char *group,
                     const char *key)
{
  g_autofree char *value = g_key_file_get_string (file, group, key, NULL);

  /* Written sanitized; a hand-edited file is no more trusted. */
  return value != NULL ? pf_pop3_sanitize_text (value, -1) : NULL;
}

PfServerView *
pf_server_view_load (const char  *path,
                     GError     **error)
{
  g_autoptr(GKeyFile) file = g_key_file_new ();
  g_autoptr(PfServerView) view = NULL;
  g_autofree char *source = NULL;
  g_auto(GStrv) groups = NULL;
  g_autofree char *dir_path = NULL;
  g_autofree char *base = NULL;
  g_autofree char *contents = NULL;
  GError *local_error = NULL;
  gsize length = 0;
  gboolean ok;
  int dir_fd;

  g_return_val_if_fail (path != NULL, NULL);

  dir_fd = pf_journal_open_parent_dir (path, &dir_path, error);
  if (dir_fd < 0)
    return NULL;
  base = g_path_get_basename (path);
  ok = pf_journal_read_state_file (dir_fd, dir_path, base, &contents, &length, error);
  close (dir_fd);
  if (!ok || !g_key_file_load_from_data (file, contents, length, G_KEY_FILE_NONE, error))
    return NULL;
  if (!g_key_file_has_group (file, GROUP_SERVER))
    {
      g_set_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_GROUP_NOT_FOUND,
                   "%s: no [%s] group", path, GROUP_SERVER);
      return NULL;
    }

  view = pf_server_view_new ();
  view->updated = g_key_file_get_int64 (file, GROUP_SERVER, "updated", NULL);
  view->n_messages = (guint) MIN (g_key_file_get_uint64 (file, GROUP_SERVER, "messages", NULL), G_MAXUINT);
  view->total_size = g_key_file_get_uint64 (file, GROUP_SERVER, "size", NULL);
  view->n_here = (guint) MIN (g_key_file_get_uint64 (file, GROUP_SERVER, "here", NULL), G_MAXUINT);
  view->size_limit = g_key_file_get_uint64 (file, GROUP_SERVER, "size-limit", NULL);
  view->no_uidl = g_key_file_get_boolean (file, GROUP_SERVER, "no-uidl", NULL);
  view->quota = g_key_file_get_uint64 (file, GROUP_SERVER, "quota", NULL);
  source = g_key_file_get_string (file, GROUP_SERVER, "quota-source", NULL);
  view->quota_source = quota_source_from_nick (source);
  view->quota_text = get_optional_string (file, GROUP_SERVER, "quota-text");

  groups = g_key_file_get_groups (file, NULL);
  for (guint i = 0; groups[i] != NULL; i++)
    {
      PfServerMessage *message;
      g_autofree char *uid = NULL;
      guint64 size;

      if (!g_str_has_prefix (groups[i], GROUP_MESSAGE_PREFIX))
        continue;
      size = g_key_file_get_uint64 (file, groups[i], "size", &local_error);
      if (local_error != NULL)
        {
          g_propagate_error (error, local_error);
          return NULL;
        }
      uid = get_optional_string (file, groups[i], "uid");
      message = pf_server_message_new (uid, size);
      message->from = get_optional_string (file, groups[i], "from");
      message->subject = get_optional_string (file, groups[i], "subject");
      message->date = get_optional_string (file, groups[i], "date");
      message->date_unix = g_key_file_get_int64 (file, groups[i], "date-unix", NULL);
      g_ptr_array_add (view->over_limit, message);
    }
  return g_steal_pointer (&view);
}

static void
load_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  GError *error = NULL;
  PfServerView *view = pf_server_view_load (task_data, &error);

  if (view == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, view, (GDestroyNotify) pf_server_view_unref);
}

void
pf_server_view_load_async (const char          *path,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (path != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, pf_server_view_load_async);
  g_task_set_task_data (task, g_strdup (path), g_free);
  g_task_run_in_thread (task, load_thread);
}

PfServerView *
pf_server_view_load_finish (GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == pf_server_view_load_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

PfServerMessage *
pf_server_view_dup_known (const PfServerView *view,
                          const char         *uid,
                          guint64             size)
{
  const PfServerMessage *known = view != NULL ? pf_server_view_find (view, uid) : NULL;

  if (known == NULL || known->size != size || (known->from == NULL && known->subject == NULL && known->date == NULL))
    return NULL;
  return server_message_copy (known);
}
