/* pf-map-resolver.h — a GResolver answering from a table, for the demo and tests
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define PF_TYPE_MAP_RESOLVER (pf_map_resolver_get_type ())

G_DECLARE_FINAL_TYPE (PfMapResolver, pf_map_resolver, PF, MAP_RESOLVER, GResolver)

/* Names the table knows are answered from it; a name under a mapped domain
 * that has no entry of the asked type answers "not found"; every other name
 * goes to @fallback, or answers "not found" when @fallback is NULL. */
PfMapResolver *pf_map_resolver_new        (GResolver     *fallback);

/* A/AAAA: @address is an IPv4 or IPv6 literal; may be called repeatedly. */
void           pf_map_resolver_add_host   (PfMapResolver *self,
                                           const char    *name,
                                           const char    *address);
/* @domain and every name under it resolve to @address. */
void           pf_map_resolver_add_domain (PfMapResolver *self,
                                           const char    *domain,
                                           const char    *address);
/* @rrname like "_pop3s._tcp.example.com"; @target "." means "no service". */
void           pf_map_resolver_add_srv    (PfMapResolver *self,
                                           const char    *rrname,
                                           guint16        priority,
                                           guint16        weight,
                                           guint16        port,
                                           const char    *target);
void           pf_map_resolver_add_mx     (PfMapResolver *self,
                                           const char    *domain,
                                           guint16        preference,
                                           const char    *exchange);
/* Every name the resolver was asked about, in order (for tests). */
GPtrArray     *pf_map_resolver_get_queries (PfMapResolver *self);

/* The address to dial from a resolver answer: the first IPv4 one when
 * there is one (IPv6 without a route fails where IPv4 works), else the
 * first. (transfer full) as a string, or NULL for an empty list. */
char          *pf_resolver_pick_address   (GList         *addresses);

G_END_DECLS
