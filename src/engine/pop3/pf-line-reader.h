/* pf-line-reader.h — POP3 response framing, pure (fed bytes, no I/O)
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* What the reader expects next. After PF_LINE_READER_END the mode goes back
 * to PF_LINE_MODE_STATUS by itself, so pipelined responses follow on. */
typedef enum
{
  PF_LINE_MODE_STATUS,  /* one status line, capped at PF_POP3_MAX_STATUS_LINE */
  PF_LINE_MODE_DATA,    /* multi-line body as dot-unstuffed chunks (RETR, TOP) */
  PF_LINE_MODE_LINES,   /* multi-line body as unstuffed, capped lines (CAPA, LIST, UIDL) */
} PfLineMode;

typedef enum
{
  PF_LINE_READER_NEED_MORE,  /* feed more bytes */
  PF_LINE_READER_LINE,       /* a line without its CRLF (NUL-terminated in place) */
  PF_LINE_READER_DATA,       /* a chunk of unstuffed data, line endings as sent */
  PF_LINE_READER_END,        /* the "." that ends a multi-line response */
  PF_LINE_READER_ERROR,      /* an over-long line: PF_ERROR_PROTOCOL */
} PfLineReaderResult;

typedef struct _PfLineReader PfLineReader;

PfLineReader       *pf_line_reader_new          (void);
void                pf_line_reader_free         (PfLineReader *reader);

void                pf_line_reader_set_mode     (PfLineReader *reader,
                                                 PfLineMode    mode);
PfLineMode          pf_line_reader_get_mode     (PfLineReader *reader);

/* Copy @len bytes in. */
void                pf_line_reader_feed         (PfLineReader *reader,
                                                 const void   *data,
                                                 gsize         len);
/* Zero-copy feeding: a writable area of at least @min_size bytes at the end
 * of the buffer (read into it), then commit how many bytes arrived. The
 * pointer is valid until the next call on the reader. */
guint8             *pf_line_reader_get_space    (PfLineReader *reader,
                                                 gsize         min_size);
void                pf_line_reader_commit       (PfLineReader *reader,
                                                 gsize         len);

/* The next item. *@data and *@len point into the reader's buffer and stay
 * valid until the next call. Never returns a status line longer than
 * PF_POP3_MAX_STATUS_LINE: an over-long one is PF_LINE_READER_ERROR as soon
 * as the cap is passed, without waiting for its end. */
PfLineReaderResult  pf_line_reader_next         (PfLineReader  *reader,
                                                 const char   **data,
                                                 gsize         *len,
                                                 GError       **error);

/* Bytes fed but not yet returned (e.g. to detect injection after STLS). */
gsize               pf_line_reader_get_buffered (PfLineReader *reader);
/* Those bytes themselves, valid until the next call on the reader. */
const guint8       *pf_line_reader_peek_buffered (PfLineReader *reader,
                                                  gsize        *len);
/* Forget every buffered byte (the stream underneath changed). */
void                pf_line_reader_reset        (PfLineReader *reader);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PfLineReader, pf_line_reader_free)

G_END_DECLS
