/* pf-index-model.c
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "pf-index-model.h"
#include "pf-index-private.h"

struct _PfIndexModel
{
  GObject  parent_instance;

  PfIndex *index;
  GArray  *ids;
  /* A list of conversations: PfIndexConversation, in the order of ids
   * (their newest messages); NULL for a list of messages. */
  GArray  *conversations;
  /* The conversation taken out last, for putting it back. */
  PfIndexConversation removed;
};

static void pf_index_model_list_model_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (PfIndexModel, pf_index_model, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, pf_index_model_list_model_init))

static GType
get_item_type (GListModel *model)
{
  return PF_TYPE_INDEX_MESSAGE;
}

static guint
get_n_items (GListModel *model)
{
  return PF_INDEX_MODEL (model)->ids->len;
}

static gpointer
get_item (GListModel *model,
          guint       position)
{
  PfIndexModel *self = PF_INDEX_MODEL (model);
  PfIndexMessage *message;

  if (position >= self->ids->len)
    return NULL;
  message = pf_index_get_message (self->index, g_array_index (self->ids, gint64, position));
  if (message == NULL)
    {
      /* Removed since the list was made: an empty row until the update
       * that follows every removal replaces the list. */
      message = g_object_new (PF_TYPE_INDEX_MESSAGE, NULL);
    }
  if (self->conversations != NULL)
    {
      PfIndexConversation *c = &g_array_index (self->conversations, PfIndexConversation, position);

      pf_index_message_set_conversation (message, c->count, c->unread);
    }
  return message;
}

static void
pf_index_model_list_model_init (GListModelInterface *iface)
{
  iface->get_item_type = get_item_type;
  iface->get_n_items = get_n_items;
  iface->get_item = get_item;
}

static void
pf_index_model_finalize (GObject *object)
{
  PfIndexModel *self = PF_INDEX_MODEL (object);

  g_clear_object (&self->index);
  g_clear_pointer (&self->ids, g_array_unref);
  g_clear_pointer (&self->conversations, g_array_unref);

  G_OBJECT_CLASS (pf_index_model_parent_class)->finalize (object);
}

static void
pf_index_model_class_init (PfIndexModelClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = pf_index_model_finalize;
}

static void
pf_index_model_init (PfIndexModel *self)
{
  self->ids = g_array_new (FALSE, FALSE, sizeof (gint64));
}

PfIndexModel *
pf_index_model_new (PfIndex *index)
{
  PfIndexModel *self;

  g_return_val_if_fail (PF_IS_INDEX (index), NULL);

  self = g_object_new (PF_TYPE_INDEX_MODEL, NULL);
  self->index = g_object_ref (index);
  return self;
}

PfIndex *
pf_index_model_get_index (PfIndexModel *self)
{
  g_return_val_if_fail (PF_IS_INDEX_MODEL (self), NULL);
  return self->index;
}

void
pf_index_model_set_ids (PfIndexModel *self,
                        GArray       *ids)
{
  guint removed;

  g_return_if_fail (PF_IS_INDEX_MODEL (self));
  g_return_if_fail (ids != NULL);

  removed = self->ids->len;
  g_array_unref (self->ids);
  self->ids = g_array_ref (ids);
  g_clear_pointer (&self->conversations, g_array_unref);
  g_list_model_items_changed (G_LIST_MODEL (self), 0, removed, ids->len);
}

void
pf_index_model_extend_ids (PfIndexModel *self,
                           GArray       *ids)
{
  guint old_len;

  g_return_if_fail (PF_IS_INDEX_MODEL (self));
  g_return_if_fail (ids != NULL);

  old_len = self->ids->len;
  if (self->conversations != NULL || ids->len < old_len ||
      (old_len > 0 && memcmp (self->ids->data, ids->data, old_len * sizeof (gint64)) != 0))
    {
      pf_index_model_set_ids (self, ids);
      return;
    }
  g_array_unref (self->ids);
  self->ids = g_array_ref (ids);
  if (ids->len > old_len)
    g_list_model_items_changed (G_LIST_MODEL (self), old_len, 0, ids->len - old_len);
}

void
pf_index_model_set_conversations (PfIndexModel *self,
                                  GArray       *conversations)
{
  guint removed;

  g_return_if_fail (PF_IS_INDEX_MODEL (self));
  g_return_if_fail (conversations != NULL);

  removed = self->ids->len;
  g_array_unref (self->ids);
  self->ids = g_array_sized_new (FALSE, FALSE, sizeof (gint64), conversations->len);
  for (guint i = 0; i < conversations->len; i++)
    g_array_append_val (self->ids, g_array_index (conversations, PfIndexConversation, i).id);
  g_clear_pointer (&self->conversations, g_array_unref);
  /* A copy: removing and putting back rows must not change the
   * caller's array. */
  self->conversations = g_array_copy (conversations);
  g_list_model_items_changed (G_LIST_MODEL (self), 0, removed, self->ids->len);
}

gboolean
pf_index_model_get_conversations (PfIndexModel *self)
{
  g_return_val_if_fail (PF_IS_INDEX_MODEL (self), FALSE);
  return self->conversations != NULL;
}

guint
pf_index_model_find (PfIndexModel *self,
                     gint64        id)
{
  g_return_val_if_fail (PF_IS_INDEX_MODEL (self), G_MAXUINT);

  for (guint i = 0; i < self->ids->len; i++)
    if (g_array_index (self->ids, gint64, i) == id)
      return i;
  return G_MAXUINT;
}

void
pf_index_model_refresh (PfIndexModel *self,
                        gint64        id)
{
  guint position = pf_index_model_find (self, id);

  if (position != G_MAXUINT)
    g_list_model_items_changed (G_LIST_MODEL (self), position, 1, 1);
}

void
pf_index_model_remove_id (PfIndexModel *self,
                          gint64        id)
{
  guint position = pf_index_model_find (self, id);

  if (position == G_MAXUINT)
    return;
  g_array_remove_index (self->ids, position);
  if (self->conversations != NULL)
    {
      self->removed = g_array_index (self->conversations, PfIndexConversation, position);
      g_array_remove_index (self->conversations, position);
    }
  g_list_model_items_changed (G_LIST_MODEL (self), position, 1, 0);
}

void
pf_index_model_insert_id (PfIndexModel *self,
                          guint         position,
                          gint64        id)
{
  g_return_if_fail (PF_IS_INDEX_MODEL (self));

  position = MIN (position, self->ids->len);
  g_array_insert_val (self->ids, position, id);
  if (self->conversations != NULL)
    {
      /* Back as it was when taken out; or a conversation of its own. */
      PfIndexConversation c = { id, 0, 1, 0 };

      if (self->removed.id == id)
        c = self->removed;
      g_array_insert_val (self->conversations, position, c);
    }
  g_list_model_items_changed (G_LIST_MODEL (self), position, 0, 1);
}
