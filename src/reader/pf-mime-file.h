/* pf-mime-file.h — a message file of the Maildir, read and parsed once
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gmime/gmime.h>

G_BEGIN_DECLS

/* Blocking. Reads the file at @path whole and parses it with GMime
 * (initialised on first use, from any thread). *@message is the parsed
 * message (unref it), or NULL when GMime cannot read the file as one;
 * *@contents (may be NULL) gets the file's bytes, NUL-terminated, and
 * *@length their count. FALSE, with @error in G_FILE_ERROR, only when the
 * file cannot be read. */
gboolean pf_mime_file_read (const char    *path,
                            GMimeMessage **message,
                            char         **contents,
                            gsize         *length,
                            GError       **error);

G_END_DECLS
