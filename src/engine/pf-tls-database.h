/* pf-tls-database.h — the system CAs plus an extra trust anchor file
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define PF_TYPE_TLS_DATABASE (pf_tls_database_get_type ())

G_DECLARE_FINAL_TYPE (PfTlsDatabase, pf_tls_database, PF, TLS_DATABASE, GTlsDatabase)

/* A chain is valid when @primary (NULL: the system database) or @extra
 * accepts it. When both refuse, the answer of the one that knows the issuer
 * is returned (so an expired certificate from the extra CA reads "expired",
 * not "unknown authority"). */
GTlsDatabase *pf_tls_database_new (GTlsDatabase *primary,
                                   GTlsDatabase *extra);

/* The system database plus the CAs of a PEM file. */
GTlsDatabase *pf_tls_database_new_with_ca_file (const char  *ca_file,
                                                GError     **error);

G_END_DECLS
