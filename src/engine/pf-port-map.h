/* pf-port-map.h — standard port → the port really dialled (tests, demo)
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define PF_TYPE_PORT_MAP (pf_port_map_get_type ())

typedef struct _PfPortMap PfPortMap;

GType      pf_port_map_get_type (void) G_GNUC_CONST;

PfPortMap *pf_port_map_new   (void);
PfPortMap *pf_port_map_ref   (PfPortMap *map);
void       pf_port_map_unref (PfPortMap *map);

/* @actual 0 means "closed": nothing is dialled for @standard. */
void       pf_port_map_set   (PfPortMap *map,
                              guint16    standard,
                              guint16    actual);
/* The port to dial for @standard: the mapped one, or @standard itself when
 * unmapped; 0 when mapped closed. A NULL map maps nothing. */
guint16    pf_port_map_lookup (const PfPortMap *map,
                               guint16          standard);

/* The same for one host name only (tests run several scripted servers on
 * one loopback address); host entries win over the general ones. */
void       pf_port_map_set_for_host    (PfPortMap  *map,
                                        const char *host,
                                        guint16     standard,
                                        guint16     actual);
guint16    pf_port_map_lookup_for_host (const PfPortMap *map,
                                        const char      *host,
                                        guint16          standard);

/* "995:41995;110:41110;993:0" (also ',' between pairs, spaces ignored).
 * Fails with PF_ERROR_CONFIG on anything else. */
PfPortMap *pf_port_map_parse (const char  *spec,
                              GError     **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PfPortMap, pf_port_map_unref)

G_END_DECLS
