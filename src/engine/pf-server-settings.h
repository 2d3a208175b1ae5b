/* pf-server-settings.h — where and how to reach one POP3 server, as one value
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "pf-enums.h"
#include "pf-port-map.h"

G_BEGIN_DECLS

typedef enum
{
  PF_SECURITY_TLS,        /* implicit TLS, usually port 995 */
  PF_SECURITY_STARTTLS,   /* port 110, STLS required */
  PF_SECURITY_NONE,       /* no encryption: an explicit, unsafe user choice */
} PfSecurity;

#define PF_TYPE_SECURITY (pf_security_get_type ())
GType pf_security_get_type (void) G_GNUC_CONST;

/* "tls", "starttls", "none": the nicks of PF_TYPE_SECURITY. */
const char *pf_security_to_string   (PfSecurity  security);
/* Case-insensitive; FALSE for unknown names. */
gboolean    pf_security_from_string (const char *name,
                                     PfSecurity *security);

/* The one normaliser of a SHA-256 certificate fingerprint: exactly 64 hex
 * digits, in either case, optionally separated by colons or spaces
 * ("AB:CD:…", "ab cd …", "abcd…"). Returns 64 lowercase hex digits, or NULL
 * for anything else (another length, another character). */
char *pf_sha256_fingerprint_normalize (const char *text);

#define PF_TYPE_SERVER_SETTINGS (pf_server_settings_get_type ())

/* One server's connection settings. PfPop3Client, PfFetcher and
 * PfLoginTest each take one of these instead of a setter per field; the
 * accounts layer makes them from a saved account (pf_account_dup_server_settings).
 *
 * Reference counted. Set it up, then hand it over: a consumer keeps a
 * reference and reads it when it starts (a fetch copies it at the start
 * of each run, a client when it is made), so the one who made the
 * consumer may still adjust it before that; for a variant to hand to
 * someone else, pf_server_settings_copy(). */
typedef struct _PfServerSettings PfServerSettings;

GType             pf_server_settings_get_type (void) G_GNUC_CONST;

/* @host: a name or an address literal, the one dialled. */
PfServerSettings *pf_server_settings_new   (const char       *host,
                                            guint16           port,
                                            PfSecurity        security);
PfServerSettings *pf_server_settings_copy  (const PfServerSettings *self);
/* A copy that dials @address (an address literal the host resolved to)
 * and @port (after the port map), checks the certificate for the
 * original's effective identity, and resolves and maps nothing more. */
PfServerSettings *pf_server_settings_copy_for_address (const PfServerSettings *self,
                                                       const char             *address,
                                                       guint16                 port);
PfServerSettings *pf_server_settings_ref   (PfServerSettings *self);
void              pf_server_settings_unref (PfServerSettings *self);

const char       *pf_server_settings_get_host     (const PfServerSettings *self);
guint16           pf_server_settings_get_port     (const PfServerSettings *self);
PfSecurity        pf_server_settings_get_security (const PfServerSettings *self);

/* The name the certificate must match; NULL: the host. */
void              pf_server_settings_set_server_identity (PfServerSettings *self,
                                                          const char       *name);
const char       *pf_server_settings_get_server_identity (const PfServerSettings *self);
/* Server identity when set, else the host. */
const char       *pf_server_settings_get_effective_identity (const PfServerSettings *self);

/* A certificate that fails validation is accepted only when its SHA-256
 * matches; with a pin set, only that certificate is accepted. Any spelling
 * pf_sha256_fingerprint_normalize() accepts; FALSE (and the pin
 * unchanged) for a malformed one. NULL or "" clears it. */
gboolean          pf_server_settings_set_pinned_fingerprint (PfServerSettings *self,
                                                             const char       *sha256_hex);
const char       *pf_server_settings_get_pinned_fingerprint (const PfServerSettings *self);

/* Trust: a database (NULL: the system one), or a PEM file of CAs that then
 * is the whole trust, read by the consumer when it starts (a fetch reads it
 * in a worker thread; pf_server_settings_load_ca_file()). A database wins
 * over a file. */
void              pf_server_settings_set_tls_database (PfServerSettings *self,
                                                       GTlsDatabase     *database);
GTlsDatabase     *pf_server_settings_get_tls_database (const PfServerSettings *self);
void              pf_server_settings_set_ca_file      (PfServerSettings *self,
                                                       const char       *path);
const char       *pf_server_settings_get_ca_file      (const PfServerSettings *self);
/* Blocking: when a CA file is set and no database, read it and set the
 * database. Fails with PF_ERROR_CONFIG when the file cannot be used. */
gboolean          pf_server_settings_load_ca_file     (PfServerSettings *self,
                                                       GError          **error);

/* Must be TRUE for credentials to cross a link without TLS: the user's
 * explicit, unsafe choice. Default FALSE. */
void              pf_server_settings_set_allow_plaintext_auth (PfServerSettings *self,
                                                               gboolean          allow);
gboolean          pf_server_settings_get_allow_plaintext_auth (const PfServerSettings *self);

/* Seconds for connect, greeting and each read; 0: the consumer's default. */
void              pf_server_settings_set_timeout (PfServerSettings *self,
                                                  guint             seconds);
guint             pf_server_settings_get_timeout (const PfServerSettings *self);

/* For those that resolve the host themselves before dialling (the login
 * test): the resolver (NULL: the system one) and the port map (NULL: none). */
void              pf_server_settings_set_resolver (PfServerSettings *self,
                                                   GResolver        *resolver);
GResolver        *pf_server_settings_get_resolver (const PfServerSettings *self);
void              pf_server_settings_set_port_map (PfServerSettings *self,
                                                   PfPortMap        *map);
PfPortMap        *pf_server_settings_get_port_map (const PfServerSettings *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PfServerSettings, pf_server_settings_unref)

G_END_DECLS
