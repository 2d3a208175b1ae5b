/* pf-detector-private.h — what the detector's files share: the object's
 * struct, a host's record, and the steps one file calls in another
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <libsoup/soup.h>

#include "pf-autoconfig.h"
#include "pf-detector.h"
#include "pf-error.h"
#include "pf-map-resolver.h"
#include "pf-provider.h"

G_BEGIN_DECLS

#define MAX_HOSTS           24
#define MAX_AUTOCONFIG_SIZE (256 * 1024)

struct _PfDetector
{
  GObject        parent_instance;

  /* Configuration */
  GResolver     *resolver;
  PfPortMap     *port_map;
  char          *ispdb_base;
  GTlsDatabase  *tls_database;
  guint          probe_timeout;
  guint          timeout;
  gboolean       allow_plaintext;
  GPtrArray     *pins;            /* NULL-terminated */

  /* One run */
  GTask         *task;
  GCancellable  *cancellable;     /* ours: cancelled by the caller or the bound */
  gulong         caller_cancel_id;
  GCancellable  *caller_cancellable;
  guint          bound_source;
  gboolean       bound_reached;
  char          *address;
  char          *domain;
  char          *mx_domain;
  GPtrArray     *probes;
  GPtrArray     *lookups;
  GHashTable    *hosts;           /* name → Host */
  guint          outstanding;
  guint          next_order;
  PfProbe       *recommended;
  PfProvider    *provider;        /* from the table, by domain or by MX */
  gboolean       provider_via_mx;
  gboolean       stopped_for_provider;
  gint64         started_us;
  guint          recommended_ms;
  guint          elapsed_ms;
};

typedef struct
{
  char          *name;
  PfProbeSource  sources;
  gboolean       resolving;
  gboolean       resolved;
  GError        *resolve_error;
  char          *address;
  char         **addresses;   /* every resolved address: one server under several names */
  GPtrArray     *probes;   /* PfProbe, not owned (self->probes owns) */
} Host;

/* pf-detector.c: the run's bookkeeping (it ends when nothing is
 * outstanding), progress, ranking and the provider table's word. */
void     pf_detector_hold               (PfDetector      *self);
void     pf_detector_release            (PfDetector      *self);
void     pf_detector_emit_progress      (PfDetector      *self,
                                         PfDetectorEvent  event,
                                         gpointer         object);
GError  *pf_detector_translate_cancel   (PfDetector      *self,
                                         GError          *error);
void     pf_detector_update_recommended (PfDetector      *self);
void     pf_detector_apply_provider     (PfDetector      *self,
                                         PfProvider      *provider,
                                         gboolean         via_mx);

/* pf-detector-hosts.c: hosts, their probes and the IMAP check. */
void     pf_detector_host_free          (Host            *host);
char    *pf_detector_normalize_host     (const char      *name);
void     pf_detector_add_candidate      (PfDetector      *self,
                                         const char      *hostname,
                                         guint16          port,
                                         PfSecurity       security,
                                         PfProbeSource    sources,
                                         const char      *username_hint);
void     pf_detector_add_host           (PfDetector      *self,
                                         const char      *hostname,
                                         PfProbeSource    sources,
                                         const char      *username_hint);

/* pf-detector-lookups.c: autoconfig, ISPDB, SRV and MX. */
void     pf_detector_start_lookups      (PfDetector      *self,
                                         const char      *domain,
                                         gboolean         via_mx);
PfProbeSource pf_detector_lookup_sources (PfLookup       *lookup);

G_END_DECLS
