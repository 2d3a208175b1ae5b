/* pf-maildir-flags.h — Maildir file names and their flags, as mutt and
 * every other Maildir reader write them
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Splits a Maildir file name into its unique part (before ":") and its
 * flags (after ":2,"; "" when there is no info part, as in new/). Either
 * out argument may be NULL. */
void      pf_maildir_name_split      (const char  *name,
                                      char       **base,
                                      char       **flags);
/* @flags with @add added and @remove taken away, each letter once, in
 * ASCII order (D F P R S T), as the Maildir specification asks. */
char     *pf_maildir_flags_change    (const char  *flags,
                                      const char  *add,
                                      const char  *remove);
/* The name of a file in cur/: "BASE:2,FLAGS" with @flags sorted. */
char     *pf_maildir_name_for_cur    (const char  *base,
                                      const char  *flags);
gboolean  pf_maildir_flags_has       (const char  *flags,
                                      char         flag);

/* Blocking: the unread messages of @maildir by its directory listings
 * alone: every file in new/, and those in cur/ without S (seen) or T
 * (trashed). A missing Maildir has none. */
guint     pf_maildir_count_unread    (const char  *maildir);

G_END_DECLS
