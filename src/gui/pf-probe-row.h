/* pf-probe-row.h — one server found by detection, offered as a choice
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "pf-probe.h"
#include "pf-provider.h"

G_BEGIN_DECLS

#define PF_TYPE_PROBE_ROW (pf_probe_row_get_type ())

G_DECLARE_FINAL_TYPE (PfProbeRow, pf_probe_row, PF, PROBE_ROW, AdwActionRow)

/* A row with a check button to choose @probe, its server as the title,
 * the login it would use as the subtitle, and a badge saying how safe it is.
 * Property "active" (notified on every change) is the check's state. */
GtkWidget  *pf_probe_row_new        (PfProbe    *probe);
PfProbe    *pf_probe_row_get_probe  (PfProbeRow *self);
gboolean    pf_probe_row_get_active (PfProbeRow *self);
void        pf_probe_row_set_active (PfProbeRow *self,
                                     gboolean    active);
/* Puts the row's check into the radio group of @group's check. */
void        pf_probe_row_set_group  (PfProbeRow *self,
                                     PfProbeRow *group);
/* The provider detection found: a server the provider table names for
 * it says so on the row ("The POP3 server Gmail names for its mail"). */
void        pf_probe_row_set_provider (PfProbeRow *self,
                                       PfProvider *provider);
/* The same server under other names (pf_probe_group_dup_alias_names()),
 * said on the row as "Also reachable as …"; NULL says nothing. */
void        pf_probe_row_set_aliases (PfProbeRow *self,
                                      const char *names);
/* The badge's text, as shown. */
const char *pf_probe_row_get_verdict_text (PfProbeRow *self);

/* How a probe reads wherever it is shown (also by the detection rows):
 * "pop.example.com, port 995, TLS", and a word on how safe its result is
 * with the style class to show it in. */
char       *pf_probe_row_format_title     (PfProbe     *probe);
const char *pf_probe_row_describe_verdict (PfProbe     *probe,
                                           const char **css_class);

G_END_DECLS
