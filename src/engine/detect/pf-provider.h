/* pf-provider.h — what Popfetch knows about a mail provider, from the
 * provider table compiled into the engine (providers.ini)
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "pf-pop3-client.h"

G_BEGIN_DECLS

/* Whether the provider offers POP3; nicks "yes", "no", "plan". */
typedef enum
{
  PF_PROVIDER_POP3_YES,
  PF_PROVIDER_POP3_NO,
  PF_PROVIDER_POP3_PLAN,     /* only on some plans */
} PfProviderPop3;

#define PF_TYPE_PROVIDER_POP3 (pf_provider_pop3_get_type ())
GType pf_provider_pop3_get_type (void) G_GNUC_CONST;

/* Sign-in methods the provider accepts for POP3; nicks "password",
 * "app-password", "oauth2". */
typedef enum
{
  PF_PROVIDER_AUTH_PASSWORD     = 1 << 0,
  PF_PROVIDER_AUTH_APP_PASSWORD = 1 << 1,
  PF_PROVIDER_AUTH_OAUTH2       = 1 << 2,
} PfProviderAuth;

#define PF_TYPE_PROVIDER_AUTH (pf_provider_auth_get_type ())
GType pf_provider_auth_get_type (void) G_GNUC_CONST;

/* What a server reply means at this provider; nicks "none",
 * "app-password", "web-login", "pop3-off". */
typedef enum
{
  PF_PROVIDER_REPLY_NONE,
  PF_PROVIDER_REPLY_APP_PASSWORD,  /* the normal password is refused: use an app password */
  PF_PROVIDER_REPLY_WEB_LOGIN,     /* sign in once on the website first */
  PF_PROVIDER_REPLY_POP3_OFF,      /* POP3 is switched off for this account */
} PfProviderReply;

#define PF_TYPE_PROVIDER_REPLY (pf_provider_reply_get_type ())
GType pf_provider_reply_get_type (void) G_GNUC_CONST;

typedef struct
{
  char       *host;
  guint16     port;
  PfSecurity  security;
} PfProviderServer;

typedef struct _PfProvider PfProvider;

#define PF_TYPE_PROVIDER (pf_provider_get_type ())
GType                   pf_provider_get_type (void) G_GNUC_CONST;

PfProvider             *pf_provider_ref   (PfProvider *provider);
void                    pf_provider_unref (PfProvider *provider);

const char             *pf_provider_get_id     (const PfProvider *provider);
const char             *pf_provider_get_name   (const PfProvider *provider);
const char * const     *pf_provider_get_domains (const PfProvider *provider);
const char * const     *pf_provider_get_aliases (const PfProvider *provider);
const char * const     *pf_provider_get_mx_patterns (const PfProvider *provider);
PfProviderPop3          pf_provider_get_pop3   (const PfProvider *provider);
gboolean                pf_provider_get_pop3_off_by_default (const PfProvider *provider);
gboolean                pf_provider_get_pop3_may_switch_off (const PfProvider *provider);
/* The provider's own POP3 servers, in its order. (transfer none) of
 * PfProviderServer */
GPtrArray              *pf_provider_get_servers (const PfProvider *provider);
PfProviderAuth          pf_provider_get_auth   (const PfProvider *provider);
/* The OAuth2 provider entry ("google", "microsoft"), or NULL. */
const char             *pf_provider_get_oauth2 (const PfProvider *provider);
/* Where POP3 is switched on (or the page saying how), or NULL. */
const char             *pf_provider_get_enable_url (const PfProvider *provider);
/* Where an app password is made, or NULL. */
const char             *pf_provider_get_app_password_url (const PfProvider *provider);
/* About how many messages (or conversations) one POP3 session shows when
 * the provider hands out a mailbox in batches (Gmail: 250), or 0. */
guint                   pf_provider_get_pop3_batch (const PfProvider *provider);
/* The mailbox limit the provider documents (bytes; on the plan that
 * everyone has), or 0 when the table does not know it. */
guint64                 pf_provider_get_quota  (const PfProvider *provider);
/* Known quirks, one sentence each, in the current language when the table
 * has a translation. */
const char * const     *pf_provider_get_notes  (const PfProvider *provider);
/* The note of key "note-@word" ("keep" for note-keep), translated as
 * above; NULL when there is none. */
const char             *pf_provider_get_note   (const PfProvider *provider,
                                                const char       *word);
/* Where the provider's own setting decides what happens on the server to
 * mail a client fetched, whatever the client asks (Gmail's "When messages
 * are accessed with POP"); NULL when the client decides. */
const char             *pf_provider_get_keep_setting_url (const PfProvider *provider);

/* Whether @host is one of the provider's own servers (case-insensitive). */
gboolean                pf_provider_has_server (const PfProvider *provider,
                                                const char       *host);
/* What the server's reply text @text means at this provider. Pure. */
PfProviderReply         pf_provider_match_reply (const PfProvider *provider,
                                                 const char       *text);
/* A translated sentence when the provider offers no POP3 ("iCloud Mail
 * does not offer POP3; use IMAP in a mail client.") or only on some plans;
 * NULL when it offers POP3. */
char                   *pf_provider_describe_pop3 (const PfProvider *provider);

/* The table, loaded once from the compiled-in resource. The providers
 * live as long as the process. (transfer none) of PfProvider */
GPtrArray              *pf_provider_table_get (void);
/* The table file as compiled in, for tests that read its comments. */
GBytes                 *pf_provider_table_dup_data (void);
/* Parses a table; fails with G_KEY_FILE_ERROR or PF_ERROR_CONFIG naming
 * the group and key. (transfer full) of PfProvider */
GPtrArray              *pf_provider_table_parse (GKeyFile  *file,
                                                 GError   **error);

/* Lookups in the compiled-in table; NULL when nothing matches. (transfer none) */
PfProvider             *pf_provider_lookup_id     (const char *id);
/* @domain_or_address: "gmx.de" or "jo@gmx.de"; domains and aliases match
 * exactly, case-insensitive, a trailing dot ignored. */
PfProvider             *pf_provider_lookup_domain (const char *domain_or_address);
/* @mx_host: an MX host name, matched against the MX patterns. */
PfProvider             *pf_provider_lookup_mx     (const char *mx_host);
/* @host: a POP3 server name; one of the provider's servers, or a name
 * under one of its domains. */
PfProvider             *pf_provider_lookup_server (const char *host);

/* The same lookups in another table (for tests of the matching rules). */
PfProvider             *pf_provider_table_lookup_domain (GPtrArray  *table,
                                                         const char *domain_or_address);
PfProvider             *pf_provider_table_lookup_mx     (GPtrArray  *table,
                                                         const char *mx_host);
PfProvider             *pf_provider_table_lookup_server (GPtrArray  *table,
                                                         const char *host);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PfProvider, pf_provider_unref)

G_END_DECLS
