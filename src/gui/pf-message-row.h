/* pf-message-row.h — one downloaded message in the account page's list
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "pf-message.h"

G_BEGIN_DECLS

#define PF_TYPE_MESSAGE_ROW (pf_message_row_get_type ())

G_DECLARE_FINAL_TYPE (PfMessageRow, pf_message_row, PF, MESSAGE_ROW, AdwActionRow)

/* Subject as the title, "sender · date" as the subtitle, and a button that
 * opens the message in the user's mail reader. */
GtkWidget *pf_message_row_new         (PfMessage    *message);
PfMessage *pf_message_row_get_message (PfMessageRow *self);

G_END_DECLS
