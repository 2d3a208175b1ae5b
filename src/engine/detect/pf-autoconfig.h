/* pf-autoconfig.h — Thunderbird autoconfig (config-v1.1.xml) POP3 entries, pure
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "pf-pop3-client.h"

G_BEGIN_DECLS

/* The <authentication> values of an incoming server, as a set. */
typedef enum
{
  PF_AUTOCONFIG_AUTH_PASSWORD_CLEARTEXT = 1 << 0,
  PF_AUTOCONFIG_AUTH_PASSWORD_ENCRYPTED = 1 << 1,  /* CRAM-MD5, SCRAM, APOP */
  PF_AUTOCONFIG_AUTH_OAUTH2             = 1 << 2,
  PF_AUTOCONFIG_AUTH_OTHER              = 1 << 3,  /* NTLM, GSSAPI, client cert, … */
} PfAutoconfigAuth;

typedef struct
{
  char             *hostname;     /* placeholders expanded, lower case */
  guint16           port;
  PfSecurity        security;     /* SSL → TLS, STARTTLS → STARTTLS, plain → NONE */
  char             *username;     /* placeholders expanded, or NULL */
  PfAutoconfigAuth  authentication;
} PfAutoconfigServer;

void                pf_autoconfig_server_free (PfAutoconfigServer *server);

/* The POP3 <incomingServer> entries of a config-v1.1.xml document, in
 * document order, as a GPtrArray of PfAutoconfigServer (possibly empty).
 * Entries with a missing or invalid host name, port or socket type are
 * skipped. Malformed XML or another root element fails with G_MARKUP_ERROR.
 * @address (user@domain) fills the placeholders. @display_name, when not
 * NULL, receives the provider's display name or NULL. */
GPtrArray          *pf_autoconfig_parse (const char  *xml,
                                         gssize       len,
                                         const char  *address,
                                         char       **display_name,
                                         GError     **error);

/* Replaces %EMAILADDRESS%, %EMAILLOCALPART% and %EMAILDOMAIN% in @text;
 * other text is copied unchanged. */
char               *pf_autoconfig_expand (const char *text,
                                          const char *address);

/* Splits "local@domain" at the last '@'. FALSE when either part is empty,
 * the domain is not a plausible host name, or there is whitespace or a
 * control character anywhere. The domain comes back in lower case. */
gboolean            pf_address_split (const char  *address,
                                      char       **local_part,
                                      char       **domain);

/* TRUE for a plausible DNS host name: 1 to 253 characters of letters,
 * digits, '-', '_' and '.', labels of 1 to 63, no leading/trailing dot. */
gboolean            pf_hostname_is_plausible (const char *name);

/* The URLs to ask for @domain, https only: autoconfig.DOMAIN, then
 * DOMAIN/.well-known, then @ispdb_base (e.g.
 * "https://autoconfig.thunderbird.net/v1.1/") + DOMAIN when not NULL. */
char              **pf_autoconfig_urls (const char *address,
                                        const char *ispdb_base);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PfAutoconfigServer, pf_autoconfig_server_free)

G_END_DECLS
