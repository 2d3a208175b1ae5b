/* pf-html-text.c
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "pf-html-text.h"

/* Elements whose content is never text for a reader. */
static const char *const skipped_elements[] = {
  "script", "style", "head", "title", "template", "noscript", "iframe",
  "object", "embed", "svg", "math", "select", "textarea",
};

/* Elements that start a new line. */
static const char *const block_elements[] = {
  "p", "div", "br", "tr", "li", "h1", "h2", "h3", "h4", "h5", "h6",
  "table", "blockquote", "pre", "ul", "ol", "dl", "dt", "dd", "hr",
  "section", "article", "header", "footer", "address", "center",
};

static const struct { const char *name; gunichar c; } entities[] = {
  { "amp", '&' }, { "lt", '<' }, { "gt", '>' }, { "quot", '"' },
  { "apos", '\'' }, { "nbsp", 0x00A0 }, { "copy", 0x00A9 },
  { "reg", 0x00AE }, { "trade", 0x2122 }, { "hellip", 0x2026 },
  { "mdash", 0x2014 }, { "ndash", 0x2013 }, { "lsquo", 0x2018 },
  { "rsquo", 0x2019 }, { "ldquo", 0x201C }, { "rdquo", 0x201D },
  { "laquo", 0x00AB }, { "raquo", 0x00BB }, { "bull", 0x2022 },
  { "middot", 0x00B7 }, { "euro", 0x20AC }, { "pound", 0x00A3 },
  { "deg", 0x00B0 }, { "times", 0x00D7 }, { "shy", 0x00AD },
  { "auml", 0x00E4 }, { "ouml", 0x00F6 }, { "uuml", 0x00FC },
  { "Auml", 0x00C4 }, { "Ouml", 0x00D6 }, { "Uuml", 0x00DC },
  { "szlig", 0x00DF }, { "eacute", 0x00E9 }, { "egrave", 0x00E8 },
  { "agrave", 0x00E0 }, { "aacute", 0x00E1 }, { "ccedil", 0x00E7 },
  { "oacute", 0x00F3 }, { "iacute", 0x00ED }, { "uacute", 0x00FA },
  { "ntilde", 0x00F1 },
};

static gboolean
in_list (const char         *name,
         const char *const  *list,
         gsize               n)
{
  for (gsize i = 0; i < n; i++)
    if (g_ascii_strcasecmp (name, list[i]) == 0)
      return TRUE;
  return FALSE;
}

/* Decodes the entity at @p (just after '&'); returns the character, or
 * 0 when it is not one, and the length consumed after '&'. */
static gunichar
decode_entity (const char *p,
               gsize      *consumed)
{
  const char *semi;
  gsize len;

  semi = strchr (p, ';');
  if (semi == NULL || semi - p > 32 || semi == p)
    return 0;
  len = semi - p;

  if (p[0] == '#')
    {
      guint64 value;
      char *end = NULL;

      if (p[1] == 'x' || p[1] == 'X')
        value = g_ascii_strtoull (p + 2, &end, 16);
      else
        value = g_ascii_strtoull (p + 1, &end, 10);
      if (end != semi || value == 0 || value > 0x10FFFF || !g_unichar_validate ((gunichar) value))
        return 0;
      *consumed = len + 1;
      return (gunichar) value;
    }

  for (gsize i = 0; i < G_N_ELEMENTS (entities); i++)
    if (strlen (entities[i].name) == len && strncmp (p, entities[i].name, len) == 0)
      {
        *consumed = len + 1;
        return entities[i].c;
      }
  return 0;
}

static void
append_char (GString  *out,
             gunichar  c,
             gboolean  pre)
{
  /* Whitespace collapses outside <pre>; control characters never pass
   * (a message must not drive the terminal or the text view). */
  if (c == 0x00A0)
    c = ' ';
  if (c == 0x00AD)
    return;
  if (!pre && (c == ' ' || c == '\t' || c == '\n' || c == '\r'))
    {
      if (out->len > 0 && out->str[out->len - 1] != ' ' && out->str[out->len - 1] != '\n')
        g_string_append_c (out, ' ');
      return;
    }
  if (c == '\r')
    return;
  if (c != '\n' && c != '\t' && (g_unichar_iscntrl (c) || (c >= 0x80 && c < 0xA0)))
    return;
  g_string_append_unichar (out, c);
}

/* A block boundary is one line break (@max 1); <br> may make an empty
 * line (@max 2), never more. */
static void
append_newline (GString *out,
                guint    max)
{
  guint run = 0;

  while (out->len > 0 && out->str[out->len - 1] == ' ')
    g_string_truncate (out, out->len - 1);
  if (out->len == 0)
    return;
  while (run < out->len && out->str[out->len - 1 - run] == '\n')
    run++;
  if (run >= max)
    return;
  g_string_append_c (out, '\n');
}

char *
pf_html_to_text (const char *html)
{
  g_autofree char *valid = NULL;
  GString *out;
  const char *p;
  char *skip_until = NULL;  /* the element whose end tag ends skipping */
  gboolean pre = FALSE;

  g_return_val_if_fail (html != NULL, NULL);

  valid = g_utf8_make_valid (html, -1);
  out = g_string_sized_new (strlen (valid) / 2);
  p = valid;

  while (*p)
    {
      if (g_str_has_prefix (p, "<!--"))
        {
          const char *end = strstr (p + 4, "-->");

          p = end ? end + 3 : p + strlen (p);
          continue;
        }

      if (*p == '<' && (g_ascii_isalpha (p[1]) || p[1] == '/' || p[1] == '!' || p[1] == '?'))
        {
          const char *name_start = p + 1;
          const char *end;
          gboolean closing = FALSE;
          g_autofree char *name = NULL;
          char quote = 0;

          if (*name_start == '/')
            {
              closing = TRUE;
              name_start++;
            }
          /* The tag's end, quotes respected: a '>' inside an attribute
           * value does not end it. */
          for (end = name_start; *end; end++)
            {
              if (quote != 0)
                {
                  if (*end == quote)
                    quote = 0;
                }
              else if (*end == '"' || *end == '\'')
                quote = *end;
              else if (*end == '>')
                break;
            }
          {
            const char *q = name_start;

            while (g_ascii_isalnum (*q))
              q++;
            name = g_ascii_strdown (name_start, q - name_start);
          }
          p = *end ? end + 1 : end;

          if (skip_until != NULL)
            {
              if (closing && g_strcmp0 (name, skip_until) == 0)
                g_clear_pointer (&skip_until, g_free);
              continue;
            }
          if (!closing && in_list (name, skipped_elements, G_N_ELEMENTS (skipped_elements)))
            {
              /* A self-closed one (<script/>) has no content to skip. */
              if (end > name_start && end[-1] != '/')
                skip_until = g_steal_pointer (&name);
              continue;
            }
          if (g_strcmp0 (name, "pre") == 0)
            pre = !closing;
          if (in_list (name, block_elements, G_N_ELEMENTS (block_elements)))
            {
              append_newline (out, g_strcmp0 (name, "br") == 0 ? 2 : 1);
              if (!closing && g_strcmp0 (name, "li") == 0)
                g_string_append (out, "• ");
            }
          else if (g_strcmp0 (name, "td") == 0 || g_strcmp0 (name, "th") == 0)
            append_char (out, ' ', FALSE);
          /* Everything else, <img> and <a> included, leaves no trace:
           * no address is shown or followed. */
          continue;
        }

      if (skip_until != NULL)
        {
          p = g_utf8_next_char (p);
          continue;
        }

      if (*p == '&')
        {
          gsize consumed = 0;
          gunichar c = decode_entity (p + 1, &consumed);

          if (c != 0)
            {
              append_char (out, c, pre);
              p += 1 + consumed;
              continue;
            }
        }

      append_char (out, g_utf8_get_char (p), pre);
      p = g_utf8_next_char (p);
    }

  g_free (skip_until);
  while (out->len > 0 && (out->str[out->len - 1] == ' ' || out->str[out->len - 1] == '\n'))
    g_string_truncate (out, out->len - 1);
  return g_string_free (out, FALSE);
}
