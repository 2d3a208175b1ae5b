/* pf-detector.h — find the POP3 settings for an address
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "pf-lookup.h"
#include "pf-port-map.h"
#include "pf-probe.h"
#include "pf-probe-group.h"
#include "pf-provider.h"

G_BEGIN_DECLS

#define PF_DETECTOR_DEFAULT_ISPDB "https://autoconfig.thunderbird.net/v1.1/"

typedef enum
{
  PF_DETECTOR_EVENT_LOOKUP_STARTED,    /* object: PfLookup */
  PF_DETECTOR_EVENT_LOOKUP_FINISHED,   /* object: PfLookup */
  PF_DETECTOR_EVENT_PROBE_STARTED,     /* object: PfProbe */
  PF_DETECTOR_EVENT_PROBE_FINISHED,    /* object: PfProbe */
  PF_DETECTOR_EVENT_RECOMMENDED,       /* object: PfProbe, as soon as ranking allows */
} PfDetectorEvent;

#define PF_TYPE_DETECTOR (pf_detector_get_type ())

G_DECLARE_FINAL_TYPE (PfDetector, pf_detector, PF, DETECTOR, GObject)

/* Signals:
 *   "progress" (PfDetector *, PfDetectorEvent event, GObject *object)
 *     on the thread-default main context of run_async.
 * Properties:
 *   "recommended" (PfProbe, read-only, notified once when ranking allows,
 *     possibly long before the run finishes).
 *   "provider" (PfProvider, read-only, notified once when the provider
 *     table recognises the domain or its MX). */
PfDetector   *pf_detector_new (void);

/* Configuration; set before run_async. */
void          pf_detector_set_resolver      (PfDetector   *self,
                                             GResolver    *resolver);      /* NULL: system */
void          pf_detector_set_port_map      (PfDetector   *self,
                                             PfPortMap    *map);           /* NULL: none */
void          pf_detector_set_ispdb_base    (PfDetector   *self,
                                             const char   *https_base);    /* NULL: skip ISPDB */
/* Trust for probes and autoconfig; NULL: the system CAs. Use
 * pf_tls_database_new() to add a private CA to the system ones. */
void          pf_detector_set_tls_database  (PfDetector   *self,
                                             GTlsDatabase *database);
void          pf_detector_set_probe_timeout (PfDetector   *self,
                                             guint         seconds);       /* default 8 */
void          pf_detector_set_timeout       (PfDetector   *self,
                                             guint         seconds);       /* whole run, default 20 */
void          pf_detector_set_allow_plaintext (PfDetector *self,
                                             gboolean      allow);
void          pf_detector_add_pinned_fingerprint (PfDetector *self,
                                             const char   *sha256_hex);

/* One run per detector. Fails only with PF_ERROR_INVALID_INPUT (not an
 * address) or G_IO_ERROR_CANCELLED; finding nothing is not an error: the
 * result then has no recommended probe. */
void          pf_detector_run_async  (PfDetector          *self,
                                      const char          *address,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data);
/* Every probe (PfProbe), usable ones first by rank, then the others in
 * discovery order. (transfer container) */
GPtrArray    *pf_detector_run_finish (PfDetector          *self,
                                      GAsyncResult        *result,
                                      GError             **error);

/* Valid during and after a run. */
PfProbe      *pf_detector_get_recommended (PfDetector *self);
GPtrArray    *pf_detector_get_probes      (PfDetector *self);   /* (transfer none) of PfProbe */
GPtrArray    *pf_detector_get_lookups     (PfDetector *self);   /* (transfer none) of PfLookup */
const char   *pf_detector_get_address     (PfDetector *self);
/* The provider the table knows for the address's domain, or, once the MX
 * lookup answered, for the MX host; NULL when none. Notified as "provider"
 * (boxed PfProvider) when it becomes known. (transfer none) */
PfProvider   *pf_detector_get_provider    (PfDetector *self);
/* TRUE when the provider was recognised by the MX, not by the domain. */
gboolean      pf_detector_get_provider_via_mx (PfDetector *self);
/* When the provider offers no POP3, PF_ERROR_NOT_FOUND with the sentence
 * to show ("iCloud Mail does not offer POP3; use IMAP in a mail client.");
 * else NULL. A run for such a provider ends at once without probing (by
 * domain), or stops when the MX names it. (transfer full) */
GError       *pf_detector_dup_no_pop3_error (PfDetector *self);
/* Milliseconds from run_async to the recommendation (0 = none yet), and
 * to the end of the run. */
guint         pf_detector_get_recommended_ms (PfDetector *self);
guint         pf_detector_get_elapsed_ms  (PfDetector *self);

G_END_DECLS
