/* pf-probe-group.h — probes that reach one server under several names
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "pf-probe.h"

G_BEGIN_DECLS

/* One option to show: the first probe of the group in the order given,
 * and the same server reached under other host names (pop., pop3., mail.
 * of one host). */
typedef struct
{
  PfProbe   *probe;     /* (owned) */
  GPtrArray *aliases;   /* (owned) of PfProbe, in the order given; maybe empty */
} PfProbeGroup;

void        pf_probe_group_free (PfProbeGroup *group);
/* The aliases' host names joined with ", ", or NULL when there are none. */
char       *pf_probe_group_dup_alias_names (const PfProbeGroup *group);

/* TRUE when @a and @b are the same server under two names: both done,
 * the same port dialled with the same security, the same set of resolved
 * addresses, and the same certificate (SHA-256). A probe without a
 * certificate (plaintext, or one that failed before TLS) is never the
 * same as another: nothing proves it. Pure. */
gboolean    pf_probe_same_server (PfProbe *a,
                                  PfProbe *b);

/* Groups @probes (of PfProbe, e.g. ranked as run_finish returns them)
 * into options, keeping their order: each group sits where its first
 * probe was. Pure. (transfer full) of PfProbeGroup */
GPtrArray  *pf_probe_groups_new (GPtrArray *probes);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PfProbeGroup, pf_probe_group_free)

G_END_DECLS
