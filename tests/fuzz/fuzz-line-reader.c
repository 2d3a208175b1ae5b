/* fuzz-line-reader.c — libFuzzer target for the POP3 line reader
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "fuzz-common.h"
#include "pf-line-reader.h"
#include "pf-pop3-parse.h"

int LLVMFuzzerTestOneInput (const guint8 *data,
                            size_t        size);

/* Run the reader over @input fed in pieces of @step bytes, the way the
 * client drives it (a status line starting "+OK" opens a multi-line block
 * of mode @multi), and describe what it returned: lines and markers in
 * @out, all data bytes joined in @bytes (how data is cut into chunks
 * depends on the reads, only the bytes are defined). */
static void
run (const guint8 *input,
     gsize         len,
     gsize         step,
     PfLineMode    multi,
     GString      *out,
     GString      *bytes)
{
  PfLineReader *reader = pf_line_reader_new ();
  gsize fed = 0;

  for (;;)
    {
      const char *item;
      gsize item_len;
      PfLineReaderResult r = pf_line_reader_next (reader, &item, &item_len, NULL);

      if (r == PF_LINE_READER_NEED_MORE)
        {
          gsize n = MIN (step, len - fed);

          if (n == 0)
            break;
          pf_line_reader_feed (reader, input + fed, n);
          fed += n;
          /* Memory stays bounded whatever the input. */
          FUZZ_CHECK (pf_line_reader_get_buffered (reader) <= PF_POP3_MAX_STATUS_LINE + 2 + step);
          continue;
        }
      if (r == PF_LINE_READER_ERROR)
        {
          g_string_append (out, "X");
          break;
        }
      if (r == PF_LINE_READER_END)
        {
          g_string_append (out, "E");
          continue;
        }
      if (r == PF_LINE_READER_LINE)
        {
          FUZZ_CHECK (item_len <= PF_POP3_MAX_STATUS_LINE);
          FUZZ_CHECK (item[item_len] == '\0');
          g_string_append_printf (out, "L%zu:", item_len);
          g_string_append_len (out, item, item_len);
          if (multi != PF_LINE_MODE_STATUS &&
              pf_line_reader_get_mode (reader) == PF_LINE_MODE_STATUS &&
              item_len >= 3 && memcmp (item, "+OK", 3) == 0)
            pf_line_reader_set_mode (reader, multi);
          continue;
        }
      FUZZ_CHECK (r == PF_LINE_READER_DATA);
      FUZZ_CHECK (item_len > 0);
      g_string_append_len (bytes, item, item_len);
    }

  pf_line_reader_free (reader);
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  static const PfLineMode modes[] = { PF_LINE_MODE_STATUS, PF_LINE_MODE_DATA, PF_LINE_MODE_LINES };
  PfLineMode multi;
  gsize step;
  GString *whole = g_string_new (NULL);
  GString *whole_bytes = g_string_new (NULL);
  GString *pieces = g_string_new (NULL);
  GString *pieces_bytes = g_string_new (NULL);

  if (size < 2)
    goto out;
  multi = modes[data[0] % G_N_ELEMENTS (modes)];
  step = 1 + data[1] % 16;
  data += 2;
  size -= 2;

  run (data, size, MAX (size, 1), multi, whole, whole_bytes);
  run (data, size, step, multi, pieces, pieces_bytes);
  /* Feeding in pieces never changes the result. */
  FUZZ_CHECK (g_string_equal (whole, pieces));
  FUZZ_CHECK (g_string_equal (whole_bytes, pieces_bytes));

out:
  g_string_free (whole, TRUE);
  g_string_free (whole_bytes, TRUE);
  g_string_free (pieces, TRUE);
  g_string_free (pieces_bytes, TRUE);
  return 0;
}
