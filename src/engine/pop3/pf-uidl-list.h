/* pf-uidl-list.h — a UIDL answer, packed
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Message numbers and unique-ids in the server's order. The ids live one
 * after the other in a single buffer and each entry is two 32-bit numbers,
 * so a listing costs the length of its ids plus 9 bytes an entry, not an
 * allocation (and its rounding) per id. Read-only once complete. */
typedef struct _PfUidlList PfUidlList;

PfUidlList *pf_uidl_list_new            (void);
PfUidlList *pf_uidl_list_ref            (PfUidlList *list);
void        pf_uidl_list_unref          (PfUidlList *list);

/* @uid: @len bytes, no NUL among them. */
void        pf_uidl_list_append         (PfUidlList *list,
                                         guint       msgno,
                                         const char *uid,
                                         gsize       len);
/* Gives back the room kept for growth, once the listing is complete. */
void        pf_uidl_list_trim           (PfUidlList *list);

guint       pf_uidl_list_get_length     (const PfUidlList *list);
guint       pf_uidl_list_get_msgno      (const PfUidlList *list,
                                         guint             index);
/* Points into the list: valid while it lives and nothing is appended. */
const char *pf_uidl_list_get_uid        (const PfUidlList *list,
                                         guint             index);

/* A unique-id listed for two messages, or NULL. Sorts a temporary index:
 * 4 bytes an entry, for as long as the call. */
const char *pf_uidl_list_find_duplicate (const PfUidlList *list);
/* A message number listed twice, or 0 when none is. */
guint       pf_uidl_list_find_duplicate_msgno (const PfUidlList *list);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PfUidlList, pf_uidl_list_unref)

G_END_DECLS
