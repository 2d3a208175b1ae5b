/* pf-demo.h — the POPFETCH_DEMO key file: a private demo server on loopback
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "pf-detector.h"
#include "pf-diagnosis.h"
#include "pf-port-map.h"
#include "pf-server-settings.h"

G_BEGIN_DECLS

typedef struct
{
  char      *domain;         /* this name and every name under it … */
  char      *host_address;   /* … resolve to this address */
  char      *address;        /* the account to try */
  char      *password;       /* a public sample password of a throw-away server */
  PfPortMap *port_map;
  char      *ca_file;        /* trusted in addition to the system CAs */
} PfDemo;

/* Reads the [demo] group of @path. PF_ERROR_CONFIG when a key is missing
 * or invalid. */
PfDemo       *pf_demo_load (const char  *path,
                            GError     **error);
/* From $POPFETCH_DEMO: NULL without an error when it is unset or empty. */
PfDemo       *pf_demo_load_from_environment (GError **error);
void          pf_demo_free (PfDemo *demo);
/* Whether @host is the demo domain or a name under it (case-insensitive). */
gboolean      pf_demo_covers_host (const PfDemo *demo,
                                   const char   *host);

/* Names under the demo domain → host-address; every other name goes to the
 * system resolver. (transfer full) */
GResolver    *pf_demo_create_resolver     (const PfDemo  *demo);
/* System CAs plus ca-file. (transfer full) */
GTlsDatabase *pf_demo_create_tls_database (const PfDemo  *demo,
                                           GError       **error);

/* Resolver, port map and trust for a detector; it also skips the public
 * ISP database, which cannot know the private demo domain. */
gboolean      pf_demo_apply_to_detector   (const PfDemo  *demo,
                                           PfDetector    *detector,
                                           GError       **error);

/* The demo mapping of one server's settings, for a fetch or a login test:
 * a host of the demo domain is dialled at the demo's loopback address and
 * mapped port, its certificate checked for the host's name, and the demo
 * CA trusted besides the system ones (unless the settings name a CA file
 * or a database). Other settings come back as they are. (transfer full) */
PfServerSettings *pf_demo_map_settings    (const PfDemo      *demo,
                                           PfServerSettings  *settings,
                                           GError           **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PfDemo, pf_demo_free)

G_END_DECLS
