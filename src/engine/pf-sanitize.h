/* pf-sanitize.h — server text made safe to show to a person, pure
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Server text for a person: control characters (C0, DEL, C1, ESC sequences)
 * removed, invalid UTF-8 replaced with U+FFFD, surrounding space trimmed.
 * Used for every reply, greeting and error text that reaches the user,
 * so that a server cannot spoof the terminal or the window with escapes. */
char    *pf_pop3_sanitize_text (const char *text,
                                gssize      len);

G_END_DECLS
