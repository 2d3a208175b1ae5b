/* pf-account.h — one saved POP3 account (never its password)
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

#include "pf-diagnosis.h"
#include "pf-pop3-client.h"
#include "pf-sasl.h"

G_BEGIN_DECLS

/* What happens to a message on the server once it is safely delivered. */
typedef enum
{
  PF_POLICY_KEEP,          /* leave every message on the server */
  PF_POLICY_DELETE,        /* delete once delivered */
  PF_POLICY_DELETE_AFTER,  /* delete once delivered and older than delete-after-days */
} PfPolicy;

#define PF_TYPE_POLICY (pf_policy_get_type ())
GType        pf_policy_get_type    (void) G_GNUC_CONST;

const char  *pf_policy_to_string   (PfPolicy    policy);  /* "keep", "delete", "delete-after" */
gboolean     pf_policy_from_string (const char *name,
                                    PfPolicy   *policy);

#define PF_ACCOUNT_NAME_MAX      64
#define PF_ACCOUNT_INTERVAL_MAX  (7 * 24 * 60)   /* minutes */
#define PF_ACCOUNT_DAYS_MAX      36500

#define PF_TYPE_ACCOUNT (pf_account_get_type ())

G_DECLARE_FINAL_TYPE (PfAccount, pf_account, PF, ACCOUNT, GObject)

/* Properties, one per field of the accounts file:
 *   "name"               unique name, also the display name
 *   "address"            the mail address, user@domain
 *   "host", "port", "security"  (PfSecurity as int)
 *   "user"               login name
 *   "mechanism"          PfAuthMechanism as int; PF_AUTH_AUTO for the strongest
 *   "maildir"            absolute path; NULL means the default, see
 *                        pf_account_dup_effective_maildir()
 *   "policy"             PfPolicy
 *   "delete-after-days"  for PF_POLICY_DELETE_AFTER
 *   "max-size"           bytes; larger messages are left on the server; 0: no limit
 *   "pinned-fingerprint" lowercase hex SHA-256 of the certificate's DER, or NULL
 *   "ca-file"            PEM file of extra trusted CAs, or NULL
 *   "allow-plaintext"    the user chose to let credentials cross an unencrypted link
 *   "interval"           minutes between automatic fetches; 0: only on request
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
PfPolicy     pf_account_get_policy             (PfAccount       *self);
void         pf_account_set_policy             (PfAccount       *self,
                                                PfPolicy         policy);
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
guint        pf_account_get_interval           (PfAccount       *self);
void         pf_account_set_interval           (PfAccount       *self,
                                                guint            minutes);

/* The Maildir to deliver into: the "maildir" property, or
 * ~/Mail/<name> when it is unset. */
char        *pf_account_dup_effective_maildir  (PfAccount       *self);

/* A login test set up for this account: server, security, user (only
 * that name is tried), mechanism, pinned certificate, CA file (then the
 * only trusted CAs, as for the fetch) and the plaintext choice. Fails with
 * PF_ERROR_CONFIG when the CA file cannot be read. */
PfLoginTest *pf_account_create_login_test      (PfAccount       *self,
                                                GError         **error);

/* Check every field; fails with PF_ERROR_INVALID_INPUT naming the field. */
gboolean     pf_account_validate               (PfAccount       *self,
                                                GError         **error);

/* Pure checks, shared with the accounts file and the command line. */
gboolean     pf_account_name_is_valid          (const char      *name);
/* "AB:cd:…" or "abcd…" to 64 lowercase hex digits; NULL when malformed. */
char        *pf_normalize_fingerprint          (const char      *text);

G_END_DECLS
