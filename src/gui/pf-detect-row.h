/* pf-detect-row.h — one lookup or probe while detection runs
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "pf-lookup.h"
#include "pf-probe.h"

G_BEGIN_DECLS

#define PF_TYPE_DETECT_ROW (pf_detect_row_get_type ())

G_DECLARE_FINAL_TYPE (PfDetectRow, pf_detect_row, PF, DETECT_ROW, AdwActionRow)

/* A row for a lookup (what is asked as the subtitle) or a probe (its
 * server as the title), with a spinner until pf_detect_row_show_result(). */
GtkWidget  *pf_detect_row_new_for_lookup (PfLookup    *lookup);
GtkWidget  *pf_detect_row_new_for_probe  (PfProbe     *probe);
/* The PfLookup or PfProbe the row shows. */
GObject    *pf_detect_row_get_subject    (PfDetectRow *self);
/* Once the lookup or probe finished: an icon in place of the spinner, and
 * what it found, or why not, as the subtitle and the icon's name. */
void        pf_detect_row_show_result    (PfDetectRow *self);

G_END_DECLS
