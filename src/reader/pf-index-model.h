/* pf-index-model.h — a GListModel of PfIndexMessage over a list of ids (or
 * of conversations, by their newest messages): rows are read from the
 * index only when a view asks for them
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "pf-index.h"

G_BEGIN_DECLS

#define PF_TYPE_INDEX_MODEL (pf_index_model_get_type ())
G_DECLARE_FINAL_TYPE (PfIndexModel, pf_index_model, PF, INDEX_MODEL, GObject)

PfIndexModel *pf_index_model_new          (PfIndex      *index);
PfIndex      *pf_index_model_get_index    (PfIndexModel *self);
/* Replaces the list with @ids (gint64, in order); one items-changed. */
void          pf_index_model_set_ids      (PfIndexModel *self,
                                           GArray       *ids);
/* As pf_index_model_set_ids(), but when @ids begins with the list as it
 * is, only the rows after it are announced: the rows shown already are
 * not made again. For a list's first rows followed by the whole of it;
 * rows that changed meanwhile need pf_index_model_set_ids(). */
void          pf_index_model_extend_ids   (PfIndexModel *self,
                                           GArray       *ids);
/* Replaces the list with @conversations (PfIndexConversation, in
 * order): its items are their newest messages, with
 * pf_index_message_get_conversation_count() set. */
void          pf_index_model_set_conversations (PfIndexModel *self,
                                                GArray       *conversations);
/* TRUE when the list is one of conversations. */
gboolean      pf_index_model_get_conversations (PfIndexModel *self);
/* The position of message @id, or G_MAXUINT. */
guint         pf_index_model_find         (PfIndexModel *self,
                                           gint64        id);
/* Row @id changed (its flags): views read it again. */
void          pf_index_model_refresh      (PfIndexModel *self,
                                           gint64        id);
/* Takes @id out of the list (deleted), or puts it back at @position. */
void          pf_index_model_remove_id    (PfIndexModel *self,
                                           gint64        id);
void          pf_index_model_insert_id    (PfIndexModel *self,
                                           guint         position,
                                           gint64        id);

G_END_DECLS
