/* pf-credentials.h — what the engine asks when it needs a secret
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
  PF_SECRET_PASSWORD,       /* for USER/PASS, SASL PLAIN, SCRAM, APOP, … */
  PF_SECRET_ACCESS_TOKEN,   /* an OAuth2 bearer token, for XOAUTH2 and OAUTHBEARER */
} PfSecretKind;

#define PF_TYPE_SECRET_KIND (pf_secret_kind_get_type ())
GType pf_secret_kind_get_type (void) G_GNUC_CONST;

/* A secret as the engine gets it: its text, wiped from memory when freed,
 * and what kind of secret it is. */
typedef struct _PfSecret PfSecret;

PfSecret     *pf_secret_new       (PfSecretKind    kind,
                                   const char     *value);
PfSecretKind  pf_secret_get_kind  (const PfSecret *secret);
const char   *pf_secret_get_value (const PfSecret *secret);
void          pf_secret_free      (PfSecret       *secret);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PfSecret, pf_secret_free)

/* Wipes @text (NUL-terminated) and frees it; NULL is fine. Every copy of
 * a password or token Popfetch makes goes back to the allocator this way:
 * g_autoptr(PfWipedString) for one that lives in a scope. */
void          pf_wipe_string      (char           *text);

typedef char PfWipedString;
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PfWipedString, pf_wipe_string)

#define PF_TYPE_CREDENTIALS (pf_credentials_get_type ())

G_DECLARE_INTERFACE (PfCredentials, pf_credentials, PF, CREDENTIALS, GObject)

/* A source of the secret for one login. The engine asks it only when a
 * session reaches authentication, and forgets the answer right after, so
 * a slow source (the keyring, an unlock prompt, a token refresh over HTTP)
 * costs nothing until it is needed.
 *
 * get_secret: the secret for the next login, on the caller's thread-default
 *   main context; fails with PF_ERROR_NO_PASSWORD, PF_ERROR_KEYRING_* or
 *   whatever the source says. A source whose get_secret_async answers
 *   through a GTask of its own (source object: the credentials; pointer: a
 *   PfSecret) leaves get_secret_finish NULL: the interface takes the
 *   answer from that task.
 * invalidate: the server rejected @rejected. A source that can get a fresh
 *   one (an OAuth2 token source: refresh once) drops it, so the next
 *   get_secret answers anew; a given or stored password has nothing to do. */
struct _PfCredentialsInterface
{
  GTypeInterface parent_iface;

  void      (*get_secret_async)  (PfCredentials        *self,
                                  GCancellable         *cancellable,
                                  GAsyncReadyCallback   callback,
                                  gpointer              user_data);
  PfSecret *(*get_secret_finish) (PfCredentials        *self,
                                  GAsyncResult         *result,
                                  GError              **error);
  void      (*invalidate)        (PfCredentials        *self,
                                  const PfSecret       *rejected);
};

void      pf_credentials_get_secret_async  (PfCredentials        *self,
                                            GCancellable         *cancellable,
                                            GAsyncReadyCallback   callback,
                                            gpointer              user_data);
PfSecret *pf_credentials_get_secret_finish (PfCredentials        *self,
                                            GAsyncResult         *result,
                                            GError              **error);
void      pf_credentials_invalidate        (PfCredentials        *self,
                                            const PfSecret       *rejected);

/* Credentials holding a password given by the user (typed, from stdin):
 * a copy, wiped when the object is finalized. */
PfCredentials *pf_credentials_new_for_password (const char *password);

G_END_DECLS
