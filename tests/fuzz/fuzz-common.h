/* fuzz-common.h — invariants the fuzz targets check on parser output
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <stdlib.h>
#include <string.h>

#include <glib.h>

G_BEGIN_DECLS

/* abort() rather than g_assert(): the check must hold in every build. */
#define FUZZ_CHECK(cond) \
  G_STMT_START { if (!(cond)) { g_printerr ("invariant failed: %s (%s:%d)\n", #cond, __FILE__, __LINE__); abort (); } } G_STMT_END

/* What pf_pop3_sanitize_text() promises: valid UTF-8 with no C0, DEL, C1,
 * no bidi overrides, and no leading or trailing space. */
static inline void
fuzz_check_sanitised (const char *text)
{
  gsize len;

  FUZZ_CHECK (text != NULL);
  FUZZ_CHECK (g_utf8_validate (text, -1, NULL));
  len = strlen (text);
  if (len > 0)
    FUZZ_CHECK (text[0] != ' ' && text[len - 1] != ' ');
  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      FUZZ_CHECK (c >= 0x20 && c != 0x7F);
      FUZZ_CHECK (c < 0x80 || c > 0x9F);
      FUZZ_CHECK (!(c >= 0x202A && c <= 0x202E) && !(c >= 0x2066 && c <= 0x2069));
    }
}

/* A copy of the input as a NUL-terminated string. */
static inline char *
fuzz_strdup (const guint8 *data,
             gsize         size)
{
  char *s = g_malloc (size + 1);

  if (size > 0)
    memcpy (s, data, size);
  s[size] = '\0';
  return s;
}

G_END_DECLS
