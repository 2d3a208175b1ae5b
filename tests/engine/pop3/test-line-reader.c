/* test-line-reader.c — framing of POP3 responses, byte by byte
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "pf-error.h"
#include "pf-line-reader.h"
#include "pf-pop3-parse.h"

/* Feed @input in pieces of @step bytes (0: all at once) and describe what
 * came out: "L:<line>|" per line, "D:<data>|" per data run (runs between
 * other items are joined), "E|" per end marker, "X|" on error. Every END
 * switches the reader back to status mode, as the client would; the first
 * status line that starts with '+' and contains "DATA"/"LINES" switches to
 * that mode, so pipelined responses can be scripted. */
static char *
run (const char *input,
     gsize       input_len,
     gsize       step,
     PfLineMode  mode)
{
  g_autoptr(PfLineReader) reader = pf_line_reader_new ();
  GString *out = g_string_new (NULL);
  gboolean in_data = FALSE;
  gsize fed = 0;

  pf_line_reader_set_mode (reader, mode);
  if (step == 0)
    step = input_len;

  for (;;)
    {
      g_autoptr(GError) error = NULL;
      const char *data;
      gsize len;
      PfLineReaderResult r = pf_line_reader_next (reader, &data, &len, &error);

      if (in_data && (r != PF_LINE_READER_DATA &&
                      (r != PF_LINE_READER_NEED_MORE || fed == input_len)))
        {
          g_string_append_c (out, '|');
          in_data = FALSE;
        }

      switch (r)
        {
        case PF_LINE_READER_NEED_MORE:
          if (fed == input_len)
            return g_string_free (out, FALSE);
          pf_line_reader_feed (reader, input + fed, MIN (step, input_len - fed));
          fed += MIN (step, input_len - fed);
          break;
        case PF_LINE_READER_LINE:
          g_assert_cmpuint (strlen (data), ==, len);
          g_string_append_printf (out, "L:%s|", data);
          if (pf_line_reader_get_mode (reader) == PF_LINE_MODE_STATUS && data[0] == '+')
            {
              if (strstr (data, "DATA") != NULL)
                pf_line_reader_set_mode (reader, PF_LINE_MODE_DATA);
              else if (strstr (data, "LINES") != NULL)
                pf_line_reader_set_mode (reader, PF_LINE_MODE_LINES);
            }
          break;
        case PF_LINE_READER_DATA:
          g_assert_cmpuint (len, >, 0);
          if (!in_data)
            g_string_append (out, "D:");
          g_string_append_len (out, data, len);
          in_data = TRUE;
          break;
        case PF_LINE_READER_END:
          g_assert_cmpint (pf_line_reader_get_mode (reader), ==, PF_LINE_MODE_STATUS);
          g_string_append (out, "E|");
          break;
        case PF_LINE_READER_ERROR:
          g_assert_error (error, PF_ERROR, PF_ERROR_PROTOCOL);
          g_string_append (out, "X|");
          return g_string_free (out, FALSE);
        default:
          g_assert_not_reached ();
        }
    }
}

/* Same result whether fed at once, byte by byte or in odd pieces. */
static void
check (const char *input,
       PfLineMode  mode,
       const char *expected)
{
  static const gsize steps[] = { 0, 1, 2, 3, 7 };

  for (guint i = 0; i < G_N_ELEMENTS (steps); i++)
    {
      g_autofree char *got = run (input, strlen (input), steps[i], mode);

      if (g_strcmp0 (got, expected) != 0)
        g_error ("step %zu: input %s\n  got      %s\n  expected %s",
                 steps[i], input, got, expected);
    }
}

static void
test_status_crlf (void)
{
  check ("+OK hello\r\n", PF_LINE_MODE_STATUS, "L:+OK hello|");
  check ("+OK a\r\n-ERR b\r\n", PF_LINE_MODE_STATUS, "L:+OK a|L:-ERR b|");
}

static void
test_status_bare_lf (void)
{
  check ("+OK a\n+OK b\r\n", PF_LINE_MODE_STATUS, "L:+OK a|L:+OK b|");
}

static void
test_status_incomplete (void)
{
  /* A last line without CRLF is never returned: the caller sees EOF. */
  check ("+OK a\r\n+OK partial", PF_LINE_MODE_STATUS, "L:+OK a|");
  check ("+OK partial\r", PF_LINE_MODE_STATUS, "");
}

static void
test_status_cap (void)
{
  g_autofree char *at_cap = g_strnfill (PF_POP3_MAX_STATUS_LINE, 'a');
  g_autofree char *over_cap = g_strnfill (PF_POP3_MAX_STATUS_LINE + 1, 'a');
  g_autofree char *ok_input = g_strconcat (at_cap, "\r\n", NULL);
  g_autofree char *bad_input = g_strconcat (over_cap, "\r\n", NULL);
  g_autofree char *ok_expected = g_strconcat ("L:", at_cap, "|", NULL);
  g_autofree char *got_ok = run (ok_input, strlen (ok_input), 1000, PF_LINE_MODE_STATUS);
  g_autofree char *got_bad = run (bad_input, strlen (bad_input), 1000, PF_LINE_MODE_STATUS);

  g_assert_cmpstr (got_ok, ==, ok_expected);
  g_assert_cmpstr (got_bad, ==, "X|");
}

/* 10 MB with no line end: the error comes once the cap is passed, and the
 * reader never holds more than the cap plus one read. */
static void
test_status_huge_line (void)
{
  g_autoptr(PfLineReader) reader = pf_line_reader_new ();
  g_autoptr(GError) error = NULL;
  guint8 block[4096];
  gsize fed = 0;
  PfLineReaderResult r = PF_LINE_READER_NEED_MORE;

  memset (block, 'x', sizeof block);
  while (fed < 10 * 1024 * 1024)
    {
      const char *data;
      gsize len;

      pf_line_reader_feed (reader, block, sizeof block);
      fed += sizeof block;
      r = pf_line_reader_next (reader, &data, &len, &error);
      if (r != PF_LINE_READER_NEED_MORE)
        break;
      g_assert_cmpuint (pf_line_reader_get_buffered (reader), <=, PF_POP3_MAX_STATUS_LINE + 1);
    }

  g_assert_cmpint (r, ==, PF_LINE_READER_ERROR);
  g_assert_error (error, PF_ERROR, PF_ERROR_PROTOCOL);
  g_assert_cmpuint (fed, <=, PF_POP3_MAX_STATUS_LINE + sizeof block);
}

static void
test_data_unstuffing (void)
{
  check ("a\r\n..b\r\n.c\r\n.\r\n", PF_LINE_MODE_DATA, "D:a\r\n.b\r\nc\r\n|E|");
  check ("..\r\n...\r\n.\r\n", PF_LINE_MODE_DATA, "D:.\r\n..\r\n|E|");
  check (".\r\n", PF_LINE_MODE_DATA, "E|");
  /* Dots inside a line are data. */
  check ("a.\r\nb..c\r\n.\r\n", PF_LINE_MODE_DATA, "D:a.\r\nb..c\r\n|E|");
}

static void
test_data_terminator_lf (void)
{
  check ("a\n.\n", PF_LINE_MODE_DATA, "D:a\n|E|");
}

static void
test_data_dot_cr_not_terminator (void)
{
  /* ".\rx" is a stuffed line whose content is "\rx". */
  check (".\rx\r\n.\r\n", PF_LINE_MODE_DATA, "D:\rx\r\n|E|");
}

static void
test_data_last_line_without_crlf (void)
{
  /* The stream ends inside a line: the data so far is returned, no END. */
  check ("a\r\nlast", PF_LINE_MODE_DATA, "D:a\r\nlast|");
  /* A message whose last line had no CRLF: the server adds one before ".". */
  check ("a\r\nlast\r\n.\r\n", PF_LINE_MODE_DATA, "D:a\r\nlast\r\n|E|");
  /* "last." is a data line, not the end. */
  check ("last.\r\n", PF_LINE_MODE_DATA, "D:last.\r\n|");
}

static void
test_data_pipelined (void)
{
  check ("+OK DATA\r\nx\r\n.\r\n+OK DATA\r\n..y\r\n.\r\n-ERR no\r\n",
         PF_LINE_MODE_STATUS,
         "L:+OK DATA|D:x\r\n|E|L:+OK DATA|D:.y\r\n|E|L:-ERR no|");
}

static void
test_data_long_line_streams (void)
{
  g_autoptr(PfLineReader) reader = pf_line_reader_new ();
  guint8 block[65536];
  guint64 got = 0;

  memset (block, 'y', sizeof block);
  pf_line_reader_set_mode (reader, PF_LINE_MODE_DATA);
  for (guint i = 0; i < 160; i++)
    {
      const char *data;
      gsize len;

      pf_line_reader_feed (reader, block, sizeof block);
      while (pf_line_reader_next (reader, &data, &len, NULL) == PF_LINE_READER_DATA)
        got += len;
      g_assert_cmpuint (pf_line_reader_get_buffered (reader), ==, 0);
    }
  g_assert_cmpuint (got, ==, 160 * sizeof block);
}

static void
test_lines_mode (void)
{
  check ("+OK LINES\r\n1 100\r\n..odd\r\n.\r\n+OK\r\n", PF_LINE_MODE_STATUS,
         "L:+OK LINES|L:1 100|L:.odd|E|L:+OK|");
  check ("TOP\r\n.\r\n", PF_LINE_MODE_LINES, "L:TOP|E|");
}

static void
test_reset (void)
{
  g_autoptr(PfLineReader) reader = pf_line_reader_new ();

  pf_line_reader_feed (reader, "+OK\r\ninjected", 13);
  g_assert_cmpuint (pf_line_reader_get_buffered (reader), ==, 13);
  pf_line_reader_reset (reader);
  g_assert_cmpuint (pf_line_reader_get_buffered (reader), ==, 0);
}

/* Random messages, stuffed as a server would, split at random points. */
static void
test_data_random_roundtrip (void)
{
  GRand *rand = g_rand_new_with_seed (1939);

  for (guint round = 0; round < 300; round++)
    {
      GString *message = g_string_new (NULL);
      GString *wire = g_string_new (NULL);
      GString *got = g_string_new (NULL);
      g_autoptr(PfLineReader) reader = pf_line_reader_new ();
      guint n_lines = g_rand_int_range (rand, 0, 20);
      gsize fed = 0;
      gboolean ended = FALSE;

      for (guint i = 0; i < n_lines; i++)
        {
          guint n = g_rand_int_range (rand, 0, 12);

          for (guint j = 0; j < n; j++)
            g_string_append_c (message, ".ab"[g_rand_int_range (rand, 0, 3)]);
          g_string_append (message, "\r\n");
        }
      for (const char *line = message->str; *line != '\0';)
        {
          const char *eol = strstr (line, "\r\n");

          if (*line == '.')
            g_string_append_c (wire, '.');
          g_string_append_len (wire, line, eol + 2 - line);
          line = eol + 2;
        }
      g_string_append (wire, ".\r\n+OK\r\n");

      pf_line_reader_set_mode (reader, PF_LINE_MODE_DATA);
      while (!ended)
        {
          const char *data;
          gsize len;

          switch (pf_line_reader_next (reader, &data, &len, NULL))
            {
            case PF_LINE_READER_NEED_MORE:
              {
                gsize want = g_rand_int_range (rand, 1, 9);
                gsize n = MIN (want, wire->len - fed);

                g_assert_cmpuint (n, >, 0);
                pf_line_reader_feed (reader, wire->str + fed, n);
                fed += n;
              }
              break;
            case PF_LINE_READER_DATA:
              g_string_append_len (got, data, len);
              break;
            case PF_LINE_READER_END:
              ended = TRUE;
              break;
            default:
              g_assert_not_reached ();
            }
        }

      g_assert_cmpmem (got->str, got->len, message->str, message->len);
      g_string_free (message, TRUE);
      g_string_free (wire, TRUE);
      g_string_free (got, TRUE);
    }
  g_rand_free (rand);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/engine/pop3/line-reader/status/crlf", test_status_crlf);
  g_test_add_func ("/engine/pop3/line-reader/status/bare-lf", test_status_bare_lf);
  g_test_add_func ("/engine/pop3/line-reader/status/incomplete-not-returned", test_status_incomplete);
  g_test_add_func ("/engine/pop3/line-reader/status/cap", test_status_cap);
  g_test_add_func ("/engine/pop3/line-reader/status/10mb-line-rejected-early", test_status_huge_line);
  g_test_add_func ("/engine/pop3/line-reader/data/unstuffing", test_data_unstuffing);
  g_test_add_func ("/engine/pop3/line-reader/data/terminator-bare-lf", test_data_terminator_lf);
  g_test_add_func ("/engine/pop3/line-reader/data/dot-cr-is-data", test_data_dot_cr_not_terminator);
  g_test_add_func ("/engine/pop3/line-reader/data/last-line-without-crlf", test_data_last_line_without_crlf);
  g_test_add_func ("/engine/pop3/line-reader/data/pipelined-responses", test_data_pipelined);
  g_test_add_func ("/engine/pop3/line-reader/data/long-line-streams-flat", test_data_long_line_streams);
  g_test_add_func ("/engine/pop3/line-reader/data/random-roundtrip", test_data_random_roundtrip);
  g_test_add_func ("/engine/pop3/line-reader/lines/unstuffing", test_lines_mode);
  g_test_add_func ("/engine/pop3/line-reader/reset", test_reset);

  return g_test_run ();
}
