/* pf-account.h — one saved POP3 account (never its password)
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

#include "pf-credentials.h"
#include "pf-diagnosis.h"
#include "pf-fetcher.h"
#include "pf-oauth2.h"
#include "pf-pop3-client.h"
#include "pf-sasl.h"
#include "pf-server-settings.h"

G_BEGIN_DECLS

#define PF_ACCOUNT_NAME_MAX      64
#define PF_ACCOUNT_INTERVAL_MAX  (7 * 24 * 60)   /* minutes */
#define PF_ACCOUNT_DAYS_MAX      36500

/* How an account signs in. */
typedef enum
{
  PF_ACCOUNT_AUTH_PASSWORD,   /* a password in the keyring */
  PF_ACCOUNT_AUTH_OAUTH2,     /* an OAuth2 access token (XOAUTH2 or OAUTHBEARER) */
} PfAccountAuth;

#define PF_TYPE_ACCOUNT_AUTH (pf_account_auth_get_type ())
GType pf_account_auth_get_type (void) G_GNUC_CONST;

/* "oauth2-source" of a GNOME Online Accounts sign-in. */
#define PF_ACCOUNT_OAUTH2_SOURCE_GOA "goa"

#define PF_TYPE_ACCOUNT (pf_account_get_type ())

G_DECLARE_FINAL_TYPE (PfAccount, pf_account, PF, ACCOUNT, GObject)

/* Properties, one per field of the accounts file:
 *   "name"               unique name, also the display name
 *   "address"            the mail address, user@domain
 *   "host", "port", "security"  (PF_TYPE_SECURITY)
 *   "user"               login name
 *   "mechanism"          PF_TYPE_AUTH_MECHANISM; PF_AUTH_AUTO for the strongest
 *   "maildir"            absolute path; NULL means the default, see
 *                        pf_account_dup_effective_maildir()
 *   "policy"             PF_TYPE_FETCH_POLICY, the engine's one policy type
 *   "delete-after-days"  for PF_FETCH_DELETE_AFTER_DAYS
 *   "max-size"           bytes; larger messages are left on the server; 0: no limit
 *   "pinned-fingerprint" lowercase hex SHA-256 of the certificate's DER, or NULL
 *   "ca-file"            PEM file of extra trusted CAs, or NULL
 *   "allow-plaintext"    the user chose to let credentials cross an unencrypted link
 *   "interval"           minutes between automatic fetches; 0: only on request
 *   "delete-on-server"   a message the user deletes in the reader goes from the
 *                        server at the next fetch too (the fetcher reads the
 *                        reader's KEY.delete list; the policy may keep the rest)
 */
PfAccount   *pf_account_new (const char *name);
PfAccount   *pf_account_copy (PfAccount *self);

const char  *pf_account_get_name               (PfAccount       *self);
void         pf_account_set_name               (PfAccount       *self,
                                                const char      *name);
const char  *pf_account_get_address            (PfAccount       *self);
void         pf_account_set_address            (PfAccount       *self,
                                                const char      *address);
const char  *pf_account_get_host               (PfAccount       *self);
void         pf_account_set_host               (PfAccount       *self,
                                                const char      *host);
guint        pf_account_get_port               (PfAccount       *self);
void         pf_account_set_port               (PfAccount       *self,
                                                guint            port);
PfSecurity   pf_account_get_security           (PfAccount       *self);
void         pf_account_set_security           (PfAccount       *self,
                                                PfSecurity       security);
const char  *pf_account_get_user               (PfAccount       *self);
void         pf_account_set_user               (PfAccount       *self,
                                                const char      *user);
PfAuthMechanism pf_account_get_mechanism       (PfAccount       *self);
void         pf_account_set_mechanism          (PfAccount       *self,
                                                PfAuthMechanism  mechanism);
const char  *pf_account_get_maildir            (PfAccount       *self);
void         pf_account_set_maildir            (PfAccount       *self,
                                                const char      *maildir);
PfFetchPolicy pf_account_get_policy            (PfAccount       *self);
void         pf_account_set_policy             (PfAccount       *self,
                                                PfFetchPolicy    policy);
guint        pf_account_get_delete_after_days  (PfAccount       *self);
void         pf_account_set_delete_after_days  (PfAccount       *self,
                                                guint            days);
guint64      pf_account_get_max_size           (PfAccount       *self);
void         pf_account_set_max_size           (PfAccount       *self,
                                                guint64          bytes);
const char  *pf_account_get_pinned_fingerprint (PfAccount       *self);
void         pf_account_set_pinned_fingerprint (PfAccount       *self,
                                                const char      *sha256_hex);
const char  *pf_account_get_ca_file            (PfAccount       *self);
void         pf_account_set_ca_file            (PfAccount       *self,
                                                const char      *path);
gboolean     pf_account_get_allow_plaintext    (PfAccount       *self);
void         pf_account_set_allow_plaintext    (PfAccount       *self,
                                                gboolean         allow);
gboolean     pf_account_get_delete_on_server   (PfAccount       *self);
void         pf_account_set_delete_on_server   (PfAccount       *self,
                                                gboolean         delete_on_server);
guint        pf_account_get_interval           (PfAccount       *self);
void         pf_account_set_interval           (PfAccount       *self,
                                                guint            minutes);
PfAccountAuth pf_account_get_auth              (PfAccount       *self);
void         pf_account_set_auth               (PfAccount       *self,
                                                PfAccountAuth    auth);
const char  *pf_account_get_oauth2_source         (PfAccount       *self);
void         pf_account_set_oauth2_source         (PfAccount       *self,
                                                const char      *value);
const char  *pf_account_get_goa_account_id        (PfAccount       *self);
void         pf_account_set_goa_account_id        (PfAccount       *self,
                                                const char      *value);
const char  *pf_account_get_oauth2_authorize_url  (PfAccount       *self);
void         pf_account_set_oauth2_authorize_url  (PfAccount       *self,
                                                const char      *value);
const char  *pf_account_get_oauth2_token_url      (PfAccount       *self);
void         pf_account_set_oauth2_token_url      (PfAccount       *self,
                                                const char      *value);
const char  *pf_account_get_oauth2_device_url     (PfAccount       *self);
void         pf_account_set_oauth2_device_url     (PfAccount       *self,
                                                const char      *value);
const char  *pf_account_get_oauth2_client_id      (PfAccount       *self);
void         pf_account_set_oauth2_client_id      (PfAccount       *self,
                                                const char      *value);
const char  *pf_account_get_oauth2_scope          (PfAccount       *self);
void         pf_account_set_oauth2_scope          (PfAccount       *self,
                                                const char      *value);

/* The Maildir to deliver into: the "maildir" property, or
 * ~/Mail/<name> when it is unset. */
char        *pf_account_dup_effective_maildir  (PfAccount       *self);

/* The road from a saved account to the engine. The CLI, the app and
 * anything that fetches later (a timer, a background service) take this
 * road; nothing outside src/accounts maps account fields onto engine
 * settings.
 *
 * The server settings: host, port, security, pinned certificate, CA file
 * and the plaintext choice, with the POPFETCH_DEMO mapping applied (here
 * and nowhere else: pf_demo_map_settings). Fails with PF_ERROR_CONFIG when
 * the demo file is unusable. */
PfServerSettings *pf_account_dup_server_settings (PfAccount     *self,
                                                  GError       **error);
/* The account's credentials: with auth=password its password in the
 * keyring, looked up when the engine asks (PfKeyringCredentials); with
 * auth=oauth2 access tokens (PfOAuth2Credentials: the refresh token in
 * the keyring, or GNOME Online Accounts for oauth2-source=goa). Fails with
 * PF_ERROR_CONFIG when the OAuth2 source cannot serve. */
PfCredentials *pf_account_create_credentials   (PfAccount       *self,
                                                GError         **error);
/* Popfetch's own OAuth2 sign-in of an auth=oauth2 account that is not
 * GOA's: the provider's entry with the account's overrides, or the
 * account's explicit fields. PF_ERROR_CONFIG otherwise. */
PfOAuth2Config *pf_account_dup_oauth2_config   (PfAccount       *self,
                                                GError         **error);
/* An error of the road as the user needs it for this account: for an
 * OAuth2 account, a login the server refused even after the token was
 * renewed becomes PF_OAUTH2_ERROR_POP_REFUSED. A new error. */
GError        *pf_account_classify_error       (PfAccount       *self,
                                                const GError    *error);
/* pf_oauth2_error_explain() or pf_error_explain() of the classified error. */
PfExplanation *pf_account_explain_error        (PfAccount       *self,
                                                const GError    *error);
/* A fetcher for this account: its server settings, user, Maildir,
 * mechanism, policy and size limit, and the account itself
 * (pf_fetcher_set_account: its journal and lock are keyed by its name).
 * @credentials: a password given for
 * this run, or NULL for the keyring's. Errors as for the settings. */
PfFetcher   *pf_account_create_fetcher         (PfAccount       *self,
                                                PfCredentials   *credentials,
                                                GError         **error);
/* What this account's last fetch (or survey) saw on the server: its
 * server view (KEY.server beside its journal in pf_paths_state_dir()),
 * read in a worker thread. Never fetched: NULL with G_FILE_ERROR_NOENT.
 * To refresh it, run pf_account_create_fetcher()'s fetcher with
 * PF_FETCH_TARGET_SURVEY; Download Anyway is PF_FETCH_TARGET_ONE and
 * Delete from Server PF_FETCH_TARGET_DELETE_ONE with the message's uid. */
void          pf_account_load_server_view_async  (PfAccount           *self,
                                                  GCancellable        *cancellable,
                                                  GAsyncReadyCallback  callback,
                                                  gpointer             user_data);
PfServerView *pf_account_load_server_view_finish (PfAccount           *self,
                                                  GAsyncResult        *result,
                                                  GError             **error);
/* A login test for this account: server settings, user (only that name is
 * tried), mechanism and address. A CA file is read now (then the only
 * trusted CAs, as for the fetch): PF_ERROR_CONFIG when it cannot be. */
PfLoginTest *pf_account_create_login_test      (PfAccount       *self,
                                                GError         **error);
/* What an account not yet saved (a draft being set up) keeps from its
 * successful login test: the user-name form that logged in, and the
 * method when the first one was refused as a method and the account left
 * the choice to Popfetch (pf_diagnosis_get_fell_back()), so it is saved
 * with what worked. A saved account keeps the method through
 * pf_account_store_remember_mechanism_async(). Nothing for a failed test. */
void         pf_account_learn_from_login_test  (PfAccount       *self,
                                                PfDiagnosis     *diagnosis);

/* Rules about editing accounts; pf_account_store_update_async() and
 * pf_account_store_remove_async() apply them.
 *
 * Whether two host names name the same server: ASCII case-insensitive (DNS
 * names are), a trailing dot (the root) ignored. */
gboolean     pf_account_host_equal             (const char      *a,
                                                const char      *b);
/* Whether @a and @b name the same server: equal hosts and the same port.
 * A pinned certificate belongs to one server; see update_async. */
gboolean     pf_account_same_server            (PfAccount       *a,
                                                PfAccount       *b);
/* Whether @a and @b use the same keyring item: the item's attributes are
 * the host and the user exactly as stored. */
gboolean     pf_account_same_keyring_item      (PfAccount       *a,
                                                PfAccount       *b);
/* Whether @b can sign in with the refresh token @a keeps: both use
 * Popfetch's own OAuth2 sign-in, and the token is filed under the token
 * endpoint, the client id and the user, which are the same. FALSE when
 * either does not (a password, GNOME Online Accounts): an edit that makes
 * this FALSE for an own sign-in leaves its refresh token to no one. */
gboolean     pf_account_same_oauth2_sign_in    (PfAccount       *a,
                                                PfAccount       *b);

/* Check every field; fails with PF_ERROR_INVALID_INPUT naming the field. */
gboolean     pf_account_validate               (PfAccount       *self,
                                                GError         **error);

/* Pure checks, shared with the accounts file and the command line. */
gboolean     pf_account_name_is_valid          (const char      *name);

G_END_DECLS
