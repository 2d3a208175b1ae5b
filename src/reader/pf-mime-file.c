/* pf-mime-file.c
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "pf-mime-file.h"

static void
ensure_gmime (void)
{
  static gsize initialized = 0;

  if (g_once_init_enter (&initialized))
    {
      g_mime_init ();
      g_once_init_leave (&initialized, 1);
    }
}

gboolean
pf_mime_file_read (const char    *path,
                   GMimeMessage **message,
                   char         **contents,
                   gsize         *length,
                   GError       **error)
{
  g_autofree char *data = NULL;
  gsize data_length = 0;
  GMimeStream *stream;
  GMimeParser *parser;

  g_return_val_if_fail (path != NULL && message != NULL, FALSE);

  ensure_gmime ();
  if (!g_file_get_contents (path, &data, &data_length, error))
    return FALSE;

  stream = g_mime_stream_mem_new_with_buffer (data, data_length);
  parser = g_mime_parser_new_with_stream (stream);
  g_object_unref (stream);
  *message = g_mime_parser_construct_message (parser, NULL);
  g_object_unref (parser);

  if (length != NULL)
    *length = data_length;
  if (contents != NULL)
    *contents = g_steal_pointer (&data);
  return TRUE;
}
