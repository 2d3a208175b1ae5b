/* pf-message-view.h — one message in a window of its own: decoded
 * headers, the text, attachments to save or open, the raw source
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "pf-index.h"

G_BEGIN_DECLS

#define PF_TYPE_MESSAGE_VIEW (pf_message_view_get_type ())

G_DECLARE_FINAL_TYPE (PfMessageView, pf_message_view, PF, MESSAGE_VIEW, AdwWindow)

/* Signals: "mark-unread" (the user asked to see it as new again),
 * "delete" (the user deleted it; the window closes itself). */
PfMessageView  *pf_message_view_new         (GtkWindow      *parent,
                                             PfIndex        *index,
                                             PfIndexMessage *message);
PfIndexMessage *pf_message_view_get_message (PfMessageView  *self);

/* Blocking, for the worker thread and tests: the readable text (headers,
 * then the first text part, HTML made text safely) and the attachments
 * (a GPtrArray of PfAttachment) of the message file at @path. */
typedef struct
{
  char   *name;       /* safe as a file name, never empty */
  char   *type;       /* "application/pdf" */
  GBytes *data;       /* decoded */
} PfAttachment;

void      pf_attachment_free           (PfAttachment  *attachment);
gboolean  pf_message_view_read         (const char    *path,
                                        char         **text,
                                        GPtrArray    **attachments,
                                        char         **source,
                                        GError       **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PfAttachment, pf_attachment_free)

G_END_DECLS
