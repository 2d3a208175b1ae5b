/* pf-message-row-factory.h — the rows of an account's message list
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* Rows for a list of PfIndexMessage (a PfIndexModel): sender, subject,
 * date, size, a paper clip for attachments, the number of messages of a
 * conversation's row, unread in bold. */
GtkListItemFactory *pf_message_row_factory_new (void);

G_END_DECLS
