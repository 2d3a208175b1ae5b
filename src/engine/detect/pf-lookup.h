/* pf-lookup.h — one lookup of a detection run (autoconfig, SRV, MX)
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef enum
{
  PF_LOOKUP_AUTOCONFIG,   /* autoconfig.DOMAIN or DOMAIN/.well-known */
  PF_LOOKUP_ISPDB,        /* the ISP database */
  PF_LOOKUP_SRV,          /* RFC 6186 _pop3s._tcp / _pop3._tcp */
  PF_LOOKUP_MX,
} PfLookupKind;

const char *pf_lookup_kind_to_string (PfLookupKind kind);  /* "autoconfig", "ispdb", "srv", "mx" */

#define PF_TYPE_LOOKUP (pf_lookup_get_type ())

G_DECLARE_FINAL_TYPE (PfLookup, pf_lookup, PF, LOOKUP, GObject)

PfLookup     *pf_lookup_new          (PfLookupKind  kind,
                                      const char   *query,
                                      gboolean      via_mx);

PfLookupKind  pf_lookup_get_kind     (PfLookup     *self);
/* The URL or the DNS name asked. */
const char   *pf_lookup_get_query    (PfLookup     *self);
/* TRUE when the query is about the domain of the MX host, not the address. */
gboolean      pf_lookup_get_via_mx   (PfLookup     *self);
gboolean      pf_lookup_get_finished (PfLookup     *self);
/* Why it found nothing, or NULL (also NULL while running). */
const GError *pf_lookup_get_error    (PfLookup     *self);
/* Host names it contributed (may repeat hosts other lookups found). */
const char * const *pf_lookup_get_hosts (PfLookup  *self);

/* For the detector. */
void          pf_lookup_add_host     (PfLookup     *self,
                                      const char   *host);
void          pf_lookup_finish       (PfLookup     *self,
                                      const GError *error);

G_END_DECLS
