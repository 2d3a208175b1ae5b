/* pf-pop3-parse.c — POP3 response, CAPA and listing parsers, pure
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <glib/gi18n.h>

#include "pf-error.h"
#include "pf-pop3-parse.h"

/* How much of a bad line an error message quotes. */
#define QUOTE_MAX 80
/* RFC 4422: a SASL mechanism name is 1 to 20 characters. */
#define SASL_NAME_MAX 20
/* More mechanisms than this in CAPA is not a real server. */
#define SASL_LIST_MAX 64
/* A timestamp longer than this is not an RFC 822 msg-id anyone sends. */
#define APOP_TIMESTAMP_MAX 512

static char *
quote_for_error (const char *text,
                 gsize       len)
{
  g_autofree char *clean = pf_pop3_sanitize_text (text, MIN (len, QUOTE_MAX));

  if (len > QUOTE_MAX)
    return g_strconcat (clean, "…", NULL);
  return g_steal_pointer (&clean);
}

static gboolean
protocol_error (GError     **error,
                const char  *what,
                const char  *line,
                gsize        len)
{
  g_autofree char *quoted = quote_for_error (line, len);

  /* Translators: the first %s says what was wrong, the second quotes the server. */
  g_set_error (error, PF_ERROR, PF_ERROR_PROTOCOL, _("%s: “%s”"), what, quoted);
  return FALSE;
}

void
pf_pop3_reply_clear (PfPop3Reply *reply)
{
  if (reply == NULL)
    return;
  g_clear_pointer (&reply->code_text, g_free);
  g_clear_pointer (&reply->text, g_free);
  reply->status = PF_POP3_STATUS_OK;
  reply->code = PF_POP3_CODE_NONE;
}


/* ---- status lines ------------------------------------------------------ */

static PfPop3Code
code_from_text (const char *code)
{
  static const struct { const char *name; PfPop3Code code; } table[] = {
    { "IN-USE",      PF_POP3_CODE_IN_USE },
    { "LOGIN-DELAY", PF_POP3_CODE_LOGIN_DELAY },
    { "SYS/TEMP",    PF_POP3_CODE_SYS_TEMP },
    { "SYS/PERM",    PF_POP3_CODE_SYS_PERM },
    { "AUTH",        PF_POP3_CODE_AUTH },
    { "UTF8",        PF_POP3_CODE_UTF8 },
  };

  /* RFC 2449 §8: codes are hierarchical, so "SYS/TEMP/QUOTA" is a
   * SYS/TEMP; match whole levels only ("AUTHX" is not AUTH). */
  for (guint i = 0; i < G_N_ELEMENTS (table); i++)
    {
      gsize l = strlen (table[i].name);

      if (g_ascii_strncasecmp (code, table[i].name, l) == 0 &&
          (code[l] == '\0' || code[l] == '/'))
        return table[i].code;
    }
  return PF_POP3_CODE_OTHER;
}

/* RFC 2449: resp-level = 1*<any CHAR except "/", "]", SP and CTL>. */
static gboolean
code_is_well_formed (const char *code,
                     gsize       len)
{
  gboolean level_empty = TRUE;

  if (len == 0)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    {
      guchar c = (guchar) code[i];

      if (c == '/')
        {
          if (level_empty)
            return FALSE;
          level_empty = TRUE;
        }
      else if (c <= 0x20 || c >= 0x7F || c == ']')
        return FALSE;
      else
        level_empty = FALSE;
    }
  return !level_empty;
}

gboolean
pf_pop3_parse_reply (const char   *line,
                     gsize         len,
                     PfPop3Reply  *reply,
                     GError      **error)
{
  const char *rest;
  gsize rest_len;

  g_return_val_if_fail (line != NULL || len == 0, FALSE);
  g_return_val_if_fail (reply != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  reply->status = PF_POP3_STATUS_OK;
  reply->code = PF_POP3_CODE_NONE;
  reply->code_text = NULL;
  reply->text = NULL;

  if (len > PF_POP3_MAX_STATUS_LINE)
    {
      g_set_error (error, PF_ERROR, PF_ERROR_PROTOCOL,
                   _("The server sent a status line of %lu bytes; at most %d are allowed"),
                   (gulong) len, PF_POP3_MAX_STATUS_LINE);
      return FALSE;
    }

  if (len >= 3 && memcmp (line, "+OK", 3) == 0 && (len == 3 || line[3] == ' '))
    {
      reply->status = PF_POP3_STATUS_OK;
      rest = line + 3;
    }
  else if (len >= 4 && memcmp (line, "-ERR", 4) == 0 && (len == 4 || line[4] == ' '))
    {
      reply->status = PF_POP3_STATUS_ERR;
      rest = line + 4;
    }
  else if (len >= 1 && line[0] == '+' && (len == 1 || line[1] == ' '))
    {
      /* RFC 5034 says "+ " then base64; a bare "+" for an empty challenge
       * is common enough to accept. The base64 is checked when decoded. */
      reply->status = PF_POP3_STATUS_CONTINUE;
      rest = len > 1 ? line + 2 : line + 1;
      reply->text = g_strndup (rest, len - (gsize) (rest - line));
      return TRUE;
    }
  else
    return protocol_error (error, _("The server’s answer is neither +OK nor -ERR"), line, len);

  rest_len = len - (gsize) (rest - line);
  if (rest_len > 0)
    {
      rest++;      /* the space */
      rest_len--;
    }

  if (rest_len > 0 && rest[0] == '[')
    {
      const char *close = memchr (rest, ']', rest_len);

      if (close != NULL && code_is_well_formed (rest + 1, (gsize) (close - rest - 1)))
        {
          reply->code_text = g_strndup (rest + 1, (gsize) (close - rest - 1));
          reply->code = code_from_text (reply->code_text);
          rest_len -= (gsize) (close + 1 - rest);
          rest = close + 1;
        }
    }

  reply->text = pf_pop3_sanitize_text (rest, (gssize) rest_len);
  return TRUE;
}

PfErrorCode
pf_pop3_code_to_error (PfPop3Code  code,
                       PfErrorCode fallback)
{
  switch (code)
    {
    case PF_POP3_CODE_IN_USE:      return PF_ERROR_IN_USE;
    case PF_POP3_CODE_LOGIN_DELAY: return PF_ERROR_LOGIN_DELAY;
    case PF_POP3_CODE_SYS_TEMP:    return PF_ERROR_SYS_TEMP;
    case PF_POP3_CODE_SYS_PERM:    return PF_ERROR_SYS_PERM;
    case PF_POP3_CODE_AUTH:        return PF_ERROR_AUTH_REJECTED;
    case PF_POP3_CODE_NONE:
    case PF_POP3_CODE_UTF8:
    case PF_POP3_CODE_OTHER:
    default:
      return fallback;
    }
}

void
pf_pop3_reply_set_error (const PfPop3Reply  *reply,
                         PfErrorCode         fallback,
                         GError            **error)
{
  g_return_if_fail (reply != NULL);

  if (reply->text != NULL && reply->text[0] != '\0')
    g_set_error_literal (error, PF_ERROR, pf_pop3_code_to_error (reply->code, fallback),
                         reply->text);
  else
    g_set_error_literal (error, PF_ERROR, pf_pop3_code_to_error (reply->code, fallback),
                         _("The server answered -ERR without an explanation"));
}

/* ---- APOP -------------------------------------------------------------- */

char *
pf_pop3_parse_apop_timestamp (const char *greeting)
{
  const char *open;
  const char *close;
  gboolean has_at = FALSE;

  if (greeting == NULL)
    return NULL;
  open = strchr (greeting, '<');
  if (open == NULL)
    return NULL;
  close = strchr (open, '>');
  if (close == NULL || close == open + 1 || close - open + 1 > APOP_TIMESTAMP_MAX)
    return NULL;

  /* The digest is computed over these bytes, so they must be exactly what a
   * msg-id may hold: printable ASCII, no nested brackets. */
  for (const char *p = open + 1; p < close; p++)
    {
      guchar c = (guchar) *p;

      if (c < 0x21 || c > 0x7E || c == '<')
        return NULL;
      if (c == '@')
        has_at = TRUE;
    }
  if (!has_at)
    return NULL;

  return g_strndup (open, (gsize) (close - open + 1));
}

/* ---- listings ---------------------------------------------------------- */

gboolean
pf_pop3_uid_is_valid (const char *uid,
                      gsize       len)
{
  if (uid == NULL || len == 0 || len > PF_POP3_MAX_UID_LEN)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    if ((guchar) uid[i] < 0x21 || (guchar) uid[i] > 0x7E)
      return FALSE;
  return TRUE;
}

/* Decimal digits only, no sign, no space; fails on overflow of @max.
 * Leaves *@end after the last digit. */
static gboolean
parse_decimal (const char  *s,
               guint64      max,
               guint64     *value,
               const char **end)
{
  guint64 v = 0;
  const char *p = s;

  if (!g_ascii_isdigit (*p))
    return FALSE;
  for (; g_ascii_isdigit (*p); p++)
    {
      guint d = (guint) (*p - '0');

      if (v > (max - d) / 10)
        return FALSE;
      v = v * 10 + d;
    }
  *value = v;
  *end = p;
  return TRUE;
}

static gboolean
parse_msgno_space (const char  *line,
                   guint       *msgno,
                   const char **rest)
{
  guint64 n;
  const char *end;

  if (!parse_decimal (line, G_MAXUINT, &n, &end) || n == 0 || *end != ' ')
    return FALSE;
  *msgno = (guint) n;
  *rest = end + 1;
  return TRUE;
}

gboolean
pf_pop3_parse_list_line (const char  *line,
                         guint       *msgno,
                         guint64     *size,
                         GError     **error)
{
  const char *rest;
  const char *end;
  guint n;
  guint64 s;

  g_return_val_if_fail (line != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!parse_msgno_space (line, &n, &rest) ||
      !parse_decimal (rest, G_MAXUINT64, &s, &end) || *end != '\0')
    return protocol_error (error, _("The server sent a malformed LIST line"), line, strlen (line));

  if (msgno != NULL)
    *msgno = n;
  if (size != NULL)
    *size = s;
  return TRUE;
}

gboolean
pf_pop3_data_fits_listed_size (guint64 listed_size,
                               guint64 bytes,
                               guint64 lines)
{
  guint64 slack = MAX (1024, listed_size / 50);

  if (listed_size > G_MAXUINT64 / 2 || lines > G_MAXUINT64 / 4)
    return TRUE;   /* nothing real is that large; no overflow below */
  return bytes <= listed_size + lines + slack;
}

/* Far enough before the listed size to see the "." and line end that
 * precede a line starting just past it. */
#define GLUED_LOOKBACK 8

gboolean
pf_pop3_glued_reply_scan (PfGluedReplyScan *scan,
                          guint64           listed_size,
                          const char       *data,
                          gsize             len)
{
  guint64 from = listed_size > GLUED_LOOKBACK ? listed_size - GLUED_LOOKBACK : 0;
  gsize i = 0;

  g_return_val_if_fail (scan != NULL, FALSE);
  g_return_val_if_fail (data != NULL || len == 0, FALSE);

  if (scan->found || len == 0)
    return scan->found;
  if (scan->offset + len <= from)
    {
      /* The usual case: nothing near the end yet. */
      scan->offset += len;
      return FALSE;
    }
  if (scan->offset < from)
    {
      i = from - scan->offset;
      scan->dot = FALSE;
      scan->at_start = FALSE;
      scan->first = 0;
    }

  for (; i < len; i++)
    {
      char c = data[i];
      guint64 at = scan->offset + i;

      if (scan->first != 0)
        {
          const char *want = scan->first == '+' ? "+OK" : "-ERR";

          if (c == want[scan->matched])
            {
              scan->matched++;
              if (want[scan->matched] == '\0')
                {
                  scan->found = TRUE;
                  break;
                }
              continue;
            }
          scan->first = 0;   /* an ordinary line after all */
        }
      else if (scan->at_start)
        {
          scan->at_start = FALSE;
          if (c == '+' || c == '-')
            {
              scan->first = c;
              scan->matched = 1;
              scan->dot = FALSE;
              continue;
            }
        }

      if (c == '\n')
        {
          /* The next line starts at at + 1: it counts only past the
           * listed bytes, and only after a line that ended in a dot. */
          scan->at_start = scan->dot && at + 1 >= listed_size;
          scan->dot = FALSE;
        }
      else if (c != '\r')
        scan->dot = c == '.';
    }
  scan->offset += len;
  return scan->found;
}

static int
compare_msgnos (gconstpointer a,
                gconstpointer b)
{
  guint first = *(const guint *) a;
  guint second = *(const guint *) b;

  return first < second ? -1 : first > second;
}

guint
pf_pop3_find_duplicate_msgno (const void *entries,
                              guint       n_entries,
                              gsize       element_size)
{
  const guint8 *base = entries;
  g_autofree guint *sorted = NULL;
  gboolean ascending = TRUE;

  /* Each entry starts with its message number; read it with memcpy, as
   * the entries' alignment is the caller's business. */
  for (guint i = 1; i < n_entries && ascending; i++)
    {
      guint here, before;

      memcpy (&here, base + i * element_size, sizeof here);
      memcpy (&before, base + (i - 1) * element_size, sizeof before);
      ascending = here > before;
    }
  if (ascending)
    return 0;

  sorted = g_new (guint, n_entries);
  for (guint i = 0; i < n_entries; i++)
    memcpy (&sorted[i], base + i * element_size, sizeof sorted[i]);
  qsort (sorted, n_entries, sizeof (guint), compare_msgnos);
  for (guint i = 1; i < n_entries; i++)
    if (sorted[i] == sorted[i - 1])
      return sorted[i];
  return 0;
}

gboolean
pf_pop3_parse_uidl_line (const char  *line,
                         guint       *msgno,
                         char       **uid,
                         GError     **error)
{
  const char *rest;
  guint n;

  g_return_val_if_fail (line != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!parse_msgno_space (line, &n, &rest))
    return protocol_error (error, _("The server sent a malformed UIDL line"), line, strlen (line));
  if (!pf_pop3_uid_is_valid (rest, strlen (rest)))
    return protocol_error (error, _("The server sent an invalid unique-id"), line, strlen (line));

  if (msgno != NULL)
    *msgno = n;
  if (uid != NULL)
    *uid = g_strdup (rest);
  return TRUE;
}

gboolean
pf_pop3_parse_stat (const char  *text,
                    guint       *count,
                    guint64     *size,
                    GError     **error)
{
  const char *end;
  guint64 c;
  guint64 s;

  g_return_val_if_fail (text != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  /* RFC 1939 discourages but allows more text after the two numbers. */
  if (!parse_decimal (text, G_MAXUINT, &c, &end) || *end != ' ' ||
      !parse_decimal (end + 1, G_MAXUINT64, &s, &end) ||
      (*end != '\0' && *end != ' '))
    return protocol_error (error, _("The server sent a malformed STAT answer"), text, strlen (text));

  if (count != NULL)
    *count = (guint) c;
  if (size != NULL)
    *size = s;
  return TRUE;
}

/* ---- CAPA -------------------------------------------------------------- */

PfCapabilities *
pf_capabilities_new (void)
{
  PfCapabilities *caps = g_new0 (PfCapabilities, 1);

  caps->login_delay = -1;
  caps->expire = -1;
  caps->sasl = g_new0 (char *, 1);
  return caps;
}

void
pf_capabilities_free (PfCapabilities *caps)
{
  if (caps == NULL)
    return;
  g_strfreev (caps->sasl);
  g_free (caps->implementation);
  g_free (caps);
}

PfCapabilities *
pf_capabilities_copy (const PfCapabilities *caps)
{
  PfCapabilities *copy;

  g_return_val_if_fail (caps != NULL, NULL);

  copy = g_memdup2 (caps, sizeof *caps);
  copy->sasl = g_strdupv (caps->sasl);
  copy->implementation = g_strdup (caps->implementation);
  return copy;
}

gboolean
pf_capabilities_has_sasl (const PfCapabilities *caps,
                          const char           *mechanism)
{
  g_return_val_if_fail (caps != NULL, FALSE);
  g_return_val_if_fail (mechanism != NULL, FALSE);

  for (guint i = 0; caps->sasl[i] != NULL; i++)
    if (g_ascii_strcasecmp (caps->sasl[i], mechanism) == 0)
      return TRUE;
  return FALSE;
}

/* RFC 4422 §3.1: 1 to 20 of A–Z, 0–9, '-' and '_' (accepted in any case). */
static gboolean
sasl_name_is_valid (const char *name)
{
  gsize len = strlen (name);

  if (len == 0 || len > SASL_NAME_MAX)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isalnum (name[i]) && name[i] != '-' && name[i] != '_')
      return FALSE;
  return TRUE;
}

static gboolean
add_sasl_names (PfCapabilities  *caps,
                char           **names,
                const char      *line,
                GError         **error)
{
  g_autoptr(GPtrArray) all = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; caps->sasl[i] != NULL; i++)
    g_ptr_array_add (all, g_strdup (caps->sasl[i]));

  for (guint i = 0; names[i] != NULL; i++)
    {
      gboolean seen = FALSE;

      if (!sasl_name_is_valid (names[i]))
        return protocol_error (error, _("The server announced an invalid SASL mechanism"),
                               line, strlen (line));
      for (guint j = 0; j < all->len && !seen; j++)
        seen = g_ascii_strcasecmp (g_ptr_array_index (all, j), names[i]) == 0;
      if (seen)
        continue;
      if (all->len >= SASL_LIST_MAX)
        return protocol_error (error, _("The server announced too many SASL mechanisms"),
                               line, strlen (line));
      g_ptr_array_add (all, g_ascii_strup (names[i], -1));
    }

  g_ptr_array_add (all, NULL);
  g_strfreev (caps->sasl);
  caps->sasl = (char **) g_ptr_array_steal (all, NULL);
  return TRUE;
}

/* "LOGIN-DELAY 900", "EXPIRE 30 USER", "EXPIRE NEVER": a number of
 * seconds/days, optionally followed by "USER" (RFC 2449 §6.5, §6.7). */
static gboolean
parse_capa_number (char      **args,
                   gboolean    never_allowed,
                   gint64     *value)
{
  guint64 v;
  const char *end;

  if (args[0] == NULL)
    return FALSE;
  if (args[1] != NULL && (g_ascii_strcasecmp (args[1], "USER") != 0 || args[2] != NULL))
    return FALSE;
  if (never_allowed && g_ascii_strcasecmp (args[0], "NEVER") == 0)
    {
      *value = G_MAXINT64;
      return TRUE;
    }
  if (!parse_decimal (args[0], G_MAXINT64 - 1, &v, &end) || *end != '\0')
    return FALSE;
  *value = (gint64) v;
  return TRUE;
}

gboolean
pf_capabilities_add_line (PfCapabilities *caps,
                          const char     *line,
                          GError        **error)
{
  g_auto(GStrv) words = NULL;
  const char *keyword;
  char **args;
  gsize len;

  g_return_val_if_fail (caps != NULL, FALSE);
  g_return_val_if_fail (line != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  len = strlen (line);
  if (len > PF_POP3_MAX_STATUS_LINE)
    return protocol_error (error, _("The server sent an over-long capability"), line, len);

  /* Split on single spaces and drop the empty words runs of spaces make. */
  {
    g_auto(GStrv) raw = g_strsplit (line, " ", -1);
    g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

    for (guint i = 0; raw[i] != NULL; i++)
      if (raw[i][0] != '\0')
        g_strv_builder_add (builder, raw[i]);
    words = g_strv_builder_end (builder);
  }
  if (words[0] == NULL)
    return TRUE;
  keyword = words[0];
  args = words + 1;

  if (g_ascii_strcasecmp (keyword, "TOP") == 0)
    caps->top = TRUE;
  else if (g_ascii_strcasecmp (keyword, "USER") == 0)
    caps->user = TRUE;
  else if (g_ascii_strcasecmp (keyword, "UIDL") == 0)
    caps->uidl = TRUE;
  else if (g_ascii_strcasecmp (keyword, "PIPELINING") == 0)
    caps->pipelining = TRUE;
  else if (g_ascii_strcasecmp (keyword, "STLS") == 0)
    caps->stls = TRUE;
  else if (g_ascii_strcasecmp (keyword, "RESP-CODES") == 0)
    caps->resp_codes = TRUE;
  else if (g_ascii_strcasecmp (keyword, "AUTH-RESP-CODE") == 0)
    caps->auth_resp_code = TRUE;
  else if (g_ascii_strcasecmp (keyword, "UTF8") == 0)
    caps->utf8 = TRUE;
  else if (g_ascii_strcasecmp (keyword, "SASL") == 0)
    return add_sasl_names (caps, args, line, error);
  else if (g_ascii_strcasecmp (keyword, "LOGIN-DELAY") == 0)
    {
      if (!parse_capa_number (args, FALSE, &caps->login_delay))
        return protocol_error (error, _("The server sent a malformed LOGIN-DELAY capability"),
                               line, len);
    }
  else if (g_ascii_strcasecmp (keyword, "EXPIRE") == 0)
    {
      if (!parse_capa_number (args, TRUE, &caps->expire))
        return protocol_error (error, _("The server sent a malformed EXPIRE capability"),
                               line, len);
    }
  else if (g_ascii_strcasecmp (keyword, "IMPLEMENTATION") == 0)
    {
      const char *text = line + strspn (line, " ") + strlen ("IMPLEMENTATION");
      g_autofree char *clean = pf_pop3_sanitize_text (text, -1);

      g_clear_pointer (&caps->implementation, g_free);
      if (clean[0] != '\0')
        caps->implementation = g_steal_pointer (&clean);
    }

  return TRUE;
}
