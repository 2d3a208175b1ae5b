/* pf-html-text.h — an HTML message body as plain text, safely
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Pure: the readable text of @html. Nothing is fetched or run: scripts,
 * styles, the head, comments and images (remote or not) are dropped,
 * links keep their words only, block elements become line breaks and
 * entities (named, decimal, hexadecimal) are decoded. The result is valid
 * UTF-8 without control characters other than newlines. */
char *pf_html_to_text (const char *html);

G_END_DECLS
