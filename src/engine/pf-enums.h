/* pf-enums.h — strings for enum values, from their GType's nicks
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/* The nick of @value in the enum @type (what the accounts file, the
 * command line and JSON output spell), or NULL for a value the type does
 * not have. Every enum of Popfetch gets its spelling here, from the one
 * table G_DEFINE_ENUM_TYPE wrote, never from a second hand-written one. */
const char *pf_enum_to_nick   (GType       type,
                               int         value);
/* Case-insensitive; FALSE (and @value untouched) for an unknown nick. */
gboolean    pf_enum_from_nick (GType       type,
                               const char *nick,
                               int        *value);

G_END_DECLS
