/* pf-token-credentials.c — one access token given by the caller
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "pf-oauth2-credentials.h"

#define PF_TYPE_TOKEN_CREDENTIALS (pf_token_credentials_get_type ())

G_DECLARE_FINAL_TYPE (PfTokenCredentials, pf_token_credentials, PF, TOKEN_CREDENTIALS, GObject)

struct _PfTokenCredentials
{
  GObject  parent_instance;
  char    *token;
};

static void pf_token_credentials_iface_init (PfCredentialsInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (PfTokenCredentials, pf_token_credentials, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (PF_TYPE_CREDENTIALS,
                                                      pf_token_credentials_iface_init))

static void
token_get_secret_async (PfCredentials       *credentials,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  PfTokenCredentials *self = PF_TOKEN_CREDENTIALS (credentials);
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, token_get_secret_async);
  g_task_return_pointer (task, pf_secret_new (PF_SECRET_ACCESS_TOKEN, self->token),
                         (GDestroyNotify) pf_secret_free);
}

static void
pf_token_credentials_iface_init (PfCredentialsInterface *iface)
{
  iface->get_secret_async = token_get_secret_async;
}

static void
pf_token_credentials_finalize (GObject *object)
{
  PfTokenCredentials *self = PF_TOKEN_CREDENTIALS (object);

  pf_wipe_string (self->token);
  G_OBJECT_CLASS (pf_token_credentials_parent_class)->finalize (object);
}

static void
pf_token_credentials_class_init (PfTokenCredentialsClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = pf_token_credentials_finalize;
}

static void
pf_token_credentials_init (PfTokenCredentials *self)
{
}

PfCredentials *
pf_credentials_new_for_access_token (const char *access_token)
{
  PfTokenCredentials *self;

  g_return_val_if_fail (access_token != NULL, NULL);

  self = g_object_new (PF_TYPE_TOKEN_CREDENTIALS, NULL);
  self->token = g_strdup (access_token);
  return PF_CREDENTIALS (self);
}
