/* pf-uidl-list.c — a UIDL answer, packed
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "pf-pop3-parse.h"
#include "pf-uidl-list.h"

typedef struct
{
  guint32 msgno;
  guint32 offset;   /* of the id in strings */
} Slot;

struct _PfUidlList
{
  gatomicrefcount  ref;
  Slot            *slots;
  guint            len;
  guint            slots_allocated;
  char            *strings;        /* NUL-terminated ids, one after the other */
  gsize            strings_len;
  gsize            strings_allocated;
};

PfUidlList *
pf_uidl_list_new (void)
{
  PfUidlList *list = g_new0 (PfUidlList, 1);

  g_atomic_ref_count_init (&list->ref);
  return list;
}

PfUidlList *
pf_uidl_list_ref (PfUidlList *list)
{
  g_return_val_if_fail (list != NULL, NULL);

  g_atomic_ref_count_inc (&list->ref);
  return list;
}

void
pf_uidl_list_unref (PfUidlList *list)
{
  g_return_if_fail (list != NULL);

  if (!g_atomic_ref_count_dec (&list->ref))
    return;
  g_free (list->slots);
  g_free (list->strings);
  g_free (list);
}

/* Growth by half again, not doubling: at most a third of the buffer is
 * spare while the listing arrives. */
static gsize
grown (gsize allocated,
       gsize needed)
{
  gsize size = MAX (allocated + allocated / 2, 1024);

  return MAX (size, needed);
}

void
pf_uidl_list_append (PfUidlList *list,
                     guint       msgno,
                     const char *uid,
                     gsize       len)
{
  g_return_if_fail (list != NULL);
  g_return_if_fail (uid != NULL);
  /* Offsets are 32-bit; callers bound listings far below this. */
  g_return_if_fail (list->strings_len + len + 1 <= G_MAXUINT32);

  if (list->len == list->slots_allocated)
    {
      list->slots_allocated = grown (list->slots_allocated, list->len + 1);
      list->slots = g_renew (Slot, list->slots, list->slots_allocated);
    }
  if (list->strings_len + len + 1 > list->strings_allocated)
    {
      list->strings_allocated = grown (list->strings_allocated, list->strings_len + len + 1);
      list->strings = g_realloc (list->strings, list->strings_allocated);
    }

  list->slots[list->len].msgno = msgno;
  list->slots[list->len].offset = (guint32) list->strings_len;
  list->len++;
  memcpy (list->strings + list->strings_len, uid, len);
  list->strings[list->strings_len + len] = '\0';
  list->strings_len += len + 1;
}

void
pf_uidl_list_trim (PfUidlList *list)
{
  g_return_if_fail (list != NULL);

  if (list->len == 0)
    return;
  list->slots = g_renew (Slot, list->slots, list->len);
  list->slots_allocated = list->len;
  list->strings = g_realloc (list->strings, list->strings_len);
  list->strings_allocated = list->strings_len;
}

guint
pf_uidl_list_get_length (const PfUidlList *list)
{
  g_return_val_if_fail (list != NULL, 0);

  return list->len;
}

guint
pf_uidl_list_get_msgno (const PfUidlList *list,
                        guint             index)
{
  g_return_val_if_fail (list != NULL, 0);
  g_return_val_if_fail (index < list->len, 0);

  return list->slots[index].msgno;
}

const char *
pf_uidl_list_get_uid (const PfUidlList *list,
                      guint             index)
{
  g_return_val_if_fail (list != NULL, NULL);
  g_return_val_if_fail (index < list->len, NULL);

  return list->strings + list->slots[index].offset;
}

static gint
compare_by_uid (gconstpointer a,
                gconstpointer b,
                gpointer      user_data)
{
  const PfUidlList *list = user_data;

  return strcmp (list->strings + list->slots[*(const guint32 *) a].offset,
                 list->strings + list->slots[*(const guint32 *) b].offset);
}

const char *
pf_uidl_list_find_duplicate (const PfUidlList *list)
{
  g_autofree guint32 *order = NULL;
  const char *duplicate = NULL;

  g_return_val_if_fail (list != NULL, NULL);

  if (list->len < 2)
    return NULL;
  order = g_new (guint32, list->len);
  for (guint i = 0; i < list->len; i++)
    order[i] = i;
  g_qsort_with_data (order, list->len, sizeof (guint32), compare_by_uid, (gpointer) list);
  for (guint i = 1; i < list->len && duplicate == NULL; i++)
    if (compare_by_uid (&order[i - 1], &order[i], (gpointer) list) == 0)
      duplicate = pf_uidl_list_get_uid (list, order[i]);
  return duplicate;
}

guint
pf_uidl_list_find_duplicate_msgno (const PfUidlList *list)
{
  g_return_val_if_fail (list != NULL, 0);

  /* A slot starts with its message number, as the finder expects. */
  return pf_pop3_find_duplicate_msgno (list->slots, list->len, sizeof (Slot));
}
