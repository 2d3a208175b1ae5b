/* pf-line-reader.c — POP3 response framing, pure (fed bytes, no I/O)
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

#define INITIAL_SIZE (64 * 1024)

struct _PfLineReader
{
  guint8     *buf;
  gsize       size;
  gsize       start;          /* first byte not yet returned */
  gsize       end;            /* one past the last byte fed */
  PfLineMode  mode;
  gboolean    at_line_start;  /* DATA mode: the next byte begins a line */
  gboolean    end_pending;    /* DATA mode: the terminator was consumed, END is due */
};

PfLineReader *
pf_line_reader_new (void)
{
  PfLineReader *reader = g_new0 (PfLineReader, 1);

  reader->size = INITIAL_SIZE;
  reader->buf = g_malloc (reader->size);
  reader->mode = PF_LINE_MODE_STATUS;
  reader->at_line_start = TRUE;
  return reader;
}

void
pf_line_reader_free (PfLineReader *reader)
{
  if (reader == NULL)
    return;
  g_free (reader->buf);
  g_free (reader);
}

void
pf_line_reader_set_mode (PfLineReader *reader,
                         PfLineMode    mode)
{
  g_return_if_fail (reader != NULL);

  reader->mode = mode;
  reader->at_line_start = TRUE;
  reader->end_pending = FALSE;
}

PfLineMode
pf_line_reader_get_mode (PfLineReader *reader)
{
  g_return_val_if_fail (reader != NULL, PF_LINE_MODE_STATUS);

  return reader->mode;
}

guint8 *
pf_line_reader_get_space (PfLineReader *reader,
                          gsize         min_size)
{
  g_return_val_if_fail (reader != NULL, NULL);

  /* Move what is left to the front; it is at most a partial line. */
  if (reader->start > 0)
    {
      memmove (reader->buf, reader->buf + reader->start, reader->end - reader->start);
      reader->end -= reader->start;
      reader->start = 0;
    }

  if (reader->size - reader->end < min_size)
    {
      reader->size = reader->end + min_size;
      reader->buf = g_realloc (reader->buf, reader->size);
    }

  return reader->buf + reader->end;
}

void
pf_line_reader_commit (PfLineReader *reader,
                       gsize         len)
{
  g_return_if_fail (reader != NULL);
  g_return_if_fail (reader->end + len <= reader->size);

  reader->end += len;
}

void
pf_line_reader_feed (PfLineReader *reader,
                     const void   *data,
                     gsize         len)
{
  guint8 *space;

  g_return_if_fail (reader != NULL);
  g_return_if_fail (data != NULL || len == 0);

  space = pf_line_reader_get_space (reader, len);
  memcpy (space, data, len);
  pf_line_reader_commit (reader, len);
}

gsize
pf_line_reader_get_buffered (PfLineReader *reader)
{
  g_return_val_if_fail (reader != NULL, 0);

  return reader->end - reader->start;
}

const guint8 *
pf_line_reader_peek_buffered (PfLineReader *reader,
                              gsize        *len)
{
  g_return_val_if_fail (reader != NULL, NULL);
  g_return_val_if_fail (len != NULL, NULL);

  *len = reader->end - reader->start;
  return reader->buf + reader->start;
}

void
pf_line_reader_reset (PfLineReader *reader)
{
  g_return_if_fail (reader != NULL);

  reader->start = reader->end = 0;
  pf_line_reader_set_mode (reader, PF_LINE_MODE_STATUS);
}

static PfLineReaderResult
too_long (GError **error)
{
  g_set_error (error, PF_ERROR, PF_ERROR_PROTOCOL,
               "The server sent a line longer than %d bytes",
               PF_POP3_MAX_STATUS_LINE);
  return PF_LINE_READER_ERROR;
}

/* One CRLF- (or LF-) terminated line, NUL-terminated in place. */
static PfLineReaderResult
next_line (PfLineReader  *reader,
           const char   **data,
           gsize         *len,
           GError       **error)
{
  guint8 *line = reader->buf + reader->start;
  gsize avail = reader->end - reader->start;
  guint8 *lf = memchr (line, '\n', avail);
  gsize line_len;

  if (lf == NULL)
    {
      /* Room for the cap plus CRLF: anything beyond can never become valid. */
      if (avail > PF_POP3_MAX_STATUS_LINE + 1)
        return too_long (error);
      return PF_LINE_READER_NEED_MORE;
    }

  line_len = lf - line;
  reader->start += line_len + 1;
  if (line_len > 0 && line[line_len - 1] == '\r')
    line_len--;
  if (line_len > PF_POP3_MAX_STATUS_LINE)
    return too_long (error);
  line[line_len] = '\0';

  if (reader->mode == PF_LINE_MODE_LINES && line[0] == '.')
    {
      if (line_len == 1)
        {
          reader->mode = PF_LINE_MODE_STATUS;
          return PF_LINE_READER_END;
        }
      line++;
      line_len--;
    }

  *data = (const char *) line;
  *len = line_len;
  return PF_LINE_READER_LINE;
}

/* As much unstuffed data as the buffer holds, compacted in place so that a
 * whole read usually comes out as one chunk. */
static PfLineReaderResult
next_data (PfLineReader  *reader,
           const char   **data,
           gsize         *len)
{
  guint8 *buf = reader->buf;
  gsize out = reader->start;
  gsize p = reader->start;
  gsize end = reader->end;
  gboolean at_end = FALSE;

  if (reader->end_pending)
    {
      reader->end_pending = FALSE;
      reader->mode = PF_LINE_MODE_STATUS;
      return PF_LINE_READER_END;
    }

  while (p < end)
    {
      guint8 *lf;
      gsize n;

      if (reader->at_line_start)
        {
          if (buf[p] == '.')
            {
              if (p + 1 >= end)
                break;
              if (buf[p + 1] == '\n')
                {
                  p += 2;
                  at_end = TRUE;
                  break;
                }
              if (buf[p + 1] == '\r')
                {
                  if (p + 2 >= end)
                    break;
                  if (buf[p + 2] == '\n')
                    {
                      p += 3;
                      at_end = TRUE;
                      break;
                    }
                }
              /* A stuffed line ("..", ".x"): RFC 1939 drops the first dot. */
              p++;
            }
          reader->at_line_start = FALSE;
        }

      lf = memchr (buf + p, '\n', end - p);
      n = (lf != NULL ? (gsize) (lf - (buf + p)) + 1 : end - p);
      if (out != p)
        memmove (buf + out, buf + p, n);
      out += n;
      p += n;
      if (lf != NULL)
        reader->at_line_start = TRUE;
    }

  *data = (const char *) buf + reader->start;
  *len = out - reader->start;
  reader->start = p;

  if (at_end)
    {
      reader->at_line_start = TRUE;
      if (*len > 0)
        {
          reader->end_pending = TRUE;
          return PF_LINE_READER_DATA;
        }
      reader->mode = PF_LINE_MODE_STATUS;
      return PF_LINE_READER_END;
    }

  return *len > 0 ? PF_LINE_READER_DATA : PF_LINE_READER_NEED_MORE;
}

PfLineReaderResult
pf_line_reader_next (PfLineReader  *reader,
                     const char   **data,
                     gsize         *len,
                     GError       **error)
{
  g_return_val_if_fail (reader != NULL, PF_LINE_READER_ERROR);
  g_return_val_if_fail (data != NULL, PF_LINE_READER_ERROR);
  g_return_val_if_fail (len != NULL, PF_LINE_READER_ERROR);

  *data = NULL;
  *len = 0;

  if (reader->mode == PF_LINE_MODE_DATA)
    return next_data (reader, data, len);

  return next_line (reader, data, len, error);
}
