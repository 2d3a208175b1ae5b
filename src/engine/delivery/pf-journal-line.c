/* pf-journal-line.c — the journal's records as text, and its file keys;
 * pure, tested byte by byte
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "pf-error.h"
#include "pf-journal.h"

void
pf_journal_append_escaped (GString    *key,
                          const char *text)
{
  for (const guchar *p = (const guchar *) text; *p != '\0'; p++)
    {
      if (g_ascii_isalnum (*p) || *p == '.' || *p == '_' || *p == '-')
        g_string_append_c (key, *p);
      else
        g_string_append_printf (key, "%%%02X", *p);
    }
}

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
pf_journal_saved_account_key (const char *account_name)
{
  GString *key;

  g_return_val_if_fail (account_name != NULL, NULL);

  key = g_string_new ("account-");
  pf_journal_append_escaped (key, account_name);
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

static gboolean
parse_number (const char *field,
              gsize       len,
              guint64     max,
              guint64    *value)
{
  g_autofree char *number = g_strndup (field, len);
  char *end = NULL;
  guint64 parsed;

  if (!g_ascii_isdigit (number[0]))
    return FALSE;
  errno = 0;
  parsed = g_ascii_strtoull (number, &end, 10);
  if (errno != 0 || *end != '\0' || parsed > max)
    return FALSE;
  *value = parsed;
  return TRUE;
}

void
pf_journal_line_clear (PfJournalLine *line)
{
  g_clear_pointer (&line->uid, g_free);
  g_clear_pointer (&line->name, g_free);
  g_clear_pointer (&line->header_digest, g_free);
}

gboolean
pf_journal_parse_record (const char    *line,
                         gsize          len,
                         PfJournalLine *out)
{
  const char *fields[7];
  gsize lens[7];
  guint n = 0;
  gsize i = 0;
  guint64 value;

  memset (out, 0, sizeof *out);
  out->size = PF_JOURNAL_SIZE_UNKNOWN;

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
  if (n == 0)
    return FALSE;
  for (guint f = 0; f < n; f++)
    if (!field_is_valid (fields[f], lens[f]))
      return FALSE;

  if (lens[0] == 1 && (fields[0][0] == '+' || fields[0][0] == '-'
                       || fields[0][0] == '!' || fields[0][0] == '=' || fields[0][0] == '@'))
    {
      switch (fields[0][0])
        {
        case '@':
          if (n != 2)
            return FALSE;
          out->kind = PF_JOURNAL_LINE_USER;
          out->name = g_strndup (fields[1], lens[1]);
          return TRUE;
        case '+':
          if (n != 2)
            return FALSE;
          out->kind = PF_JOURNAL_LINE_PENDING;
          out->name = g_strndup (fields[1], lens[1]);
          return TRUE;
        case '-':
          if (n != 2)
            return FALSE;
          out->kind = PF_JOURNAL_LINE_GONE;
          out->uid = g_strndup (fields[1], lens[1]);
          return TRUE;
        case '!':
          if (n != 3 || !parse_number (fields[2], lens[2], G_MAXUINT64 - 1, &out->size))
            return FALSE;
          out->kind = PF_JOURNAL_LINE_OVERSIZE;
          out->uid = g_strndup (fields[1], lens[1]);
          return TRUE;
        case '=':
        default:
          if (n != 2 || !parse_number (fields[1], lens[1], G_MAXUINT, &out->count))
            return FALSE;
          out->kind = PF_JOURNAL_LINE_LISTED;
          return TRUE;
        }
    }

  /* Delivered: 3 fields (before sizes), 5, or 7 (with the misses). */
  if (n != 3 && n != 5 && n != 7)
    return FALSE;
  if (!parse_number (fields[2], lens[2], G_MAXINT64, &value))
    return FALSE;
  out->first_seen = (gint64) value;
  if (n >= 5)
    {
      if (!parse_number (fields[3], lens[3], G_MAXUINT64 - 1, &out->size))
        return FALSE;
      if (!(lens[4] == 1 && fields[4][0] == '-'))
        out->header_digest = g_strndup (fields[4], lens[4]);
    }
  if (n == 7)
    {
      if (!parse_number (fields[5], lens[5], G_MAXUINT, &value))
        {
          g_clear_pointer (&out->header_digest, g_free);
          return FALSE;
        }
      out->misses = (guint) value;
      if (!parse_number (fields[6], lens[6], G_MAXINT64, &value))
        {
          g_clear_pointer (&out->header_digest, g_free);
          return FALSE;
        }
      out->missing_since = (gint64) value;
    }
  out->kind = PF_JOURNAL_LINE_DELIVERED;
  out->uid = g_strndup (fields[0], lens[0]);
  out->name = g_strndup (fields[1], lens[1]);
  return TRUE;
}

gboolean
pf_journal_parse_line (const char  *line,
                       gsize        len,
                       char       **uid,
                       char       **name,
                       gint64      *first_seen)
{
  PfJournalLine parsed;

  *uid = NULL;
  *name = NULL;
  *first_seen = 0;
  if (!pf_journal_parse_record (line, len, &parsed))
    return FALSE;
  if (parsed.kind != PF_JOURNAL_LINE_DELIVERED && parsed.kind != PF_JOURNAL_LINE_PENDING)
    {
      pf_journal_line_clear (&parsed);
      return FALSE;
    }
  *uid = g_steal_pointer (&parsed.uid);
  *name = g_steal_pointer (&parsed.name);
  *first_seen = parsed.first_seen;
  pf_journal_line_clear (&parsed);
  return TRUE;
}
