/* pf-sanitize.c — server text made safe to show to a person, pure
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "pf-sanitize.h"

/* ---- text sanitising --------------------------------------------------- */

/* Skip an escape sequence whose introducer has been consumed; @kind is the
 * byte after ESC ('[' CSI, ']' OSC, 'P' DCS, …) or the matching C1 control.
 * Returns the index after the sequence (never past @len). */
static gsize
skip_escape_body (const guchar *s,
                  gsize         i,
                  gsize         len,
                  guchar        kind)
{
  switch (kind)
    {
    case '[':   /* CSI: parameters 0x30–0x3F, intermediates 0x20–0x2F, final 0x40–0x7E */
      while (i < len && s[i] >= 0x20 && s[i] <= 0x3F)
        i++;
      if (i < len && s[i] >= 0x40 && s[i] <= 0x7E)
        i++;
      return i;

    case ']':   /* OSC, DCS, SOS, PM, APC: a string until BEL or ST */
    case 'P':
    case 'X':
    case '^':
    case '_':
      while (i < len)
        {
          if (s[i] == 0x07)
            return i + 1;
          if (s[i] == 0x1B && i + 1 < len && s[i + 1] == '\\')
            return i + 2;
          if (s[i] == 0xC2 && i + 1 < len && s[i + 1] == 0x9C)  /* C1 ST */
            return i + 2;
          i++;
        }
      return i;

    default:    /* Fp/Fe/Fs: @kind was the final byte; nF: intermediates, then a final */
      if (kind < 0x20 || kind > 0x2F)
        return i;
      while (i < len && s[i] >= 0x20 && s[i] <= 0x2F)
        i++;
      if (i < len && s[i] >= 0x30 && s[i] <= 0x7E)
        i++;
      return i;
    }
}

static guchar
c1_as_escape_kind (gunichar c)
{
  switch (c)
    {
    case 0x9B: return '[';
    case 0x9D: return ']';
    case 0x90: return 'P';
    case 0x98: return 'X';
    case 0x9E: return '^';
    case 0x9F: return '_';
    default:   return 0;
    }
}

/* Bidirectional embeddings, overrides and isolates reorder what the user
 * reads ("Trojan Source"); server text has no business with them. */
static gboolean
is_bidi_control (gunichar c)
{
  return (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069);
}

char *
pf_pop3_sanitize_text (const char *text,
                       gssize      len)
{
  const guchar *s = (const guchar *) text;
  GString *out;
  gsize n;
  gsize i = 0;

  if (text == NULL)
    return g_strdup ("");
  n = len < 0 ? strlen (text) : (gsize) len;
  out = g_string_sized_new (n + 1);

  while (i < n)
    {
      guchar b = s[i];
      gunichar c;
      gsize char_len;

      if (b < 0x80)
        {
          i++;
          if (b == 0x1B)
            {
              /* A lone ESC before a control or non-ASCII byte is just dropped. */
              if (i < n && s[i] >= 0x20 && s[i] < 0x7F)
                {
                  guchar kind = s[i++];
                  i = skip_escape_body (s, i, n, kind);
                }
            }
          else if (b == '\t' || b == '\r' || b == '\n')
            g_string_append_c (out, ' ');
          else if (b >= 0x20 && b != 0x7F)
            g_string_append_c (out, (char) b);
          continue;
        }

      c = g_utf8_get_char_validated ((const char *) s + i, n - i);
      if (c == (gunichar) -1 || c == (gunichar) -2)
        {
          g_string_append_unichar (out, 0xFFFD);
          i++;
          continue;
        }
      char_len = g_unichar_to_utf8 (c, NULL);
      i += char_len;

      if (c >= 0x80 && c <= 0x9F)
        {
          guchar kind = c1_as_escape_kind (c);
          if (kind != 0)
            i = skip_escape_body (s, i, n, kind);
          continue;
        }
      if (is_bidi_control (c))
        continue;
      g_string_append_unichar (out, c);
    }

  g_strstrip (out->str);
  out->len = strlen (out->str);
  return g_string_free (out, FALSE);
}
