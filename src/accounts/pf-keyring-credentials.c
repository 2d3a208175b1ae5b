/* pf-keyring-credentials.c
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "pf-keyring.h"
#include "pf-keyring-credentials.h"

struct _PfKeyringCredentials
{
  GObject  parent_instance;
  char    *host;
  char    *user;
};

static void pf_keyring_credentials_iface_init (PfCredentialsInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (PfKeyringCredentials, pf_keyring_credentials, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (PF_TYPE_CREDENTIALS,
                                                      pf_keyring_credentials_iface_init))

static void
on_looked_up (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(PfWipedString) password = NULL;
  GError *error = NULL;

  password = pf_keyring_lookup_finish (result, &error);
  if (password == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, pf_secret_new (PF_SECRET_PASSWORD, password),
                           (GDestroyNotify) pf_secret_free);
}

static void
keyring_get_secret_async (PfCredentials       *credentials,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  PfKeyringCredentials *self = PF_KEYRING_CREDENTIALS (credentials);
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, keyring_get_secret_async);
  pf_keyring_lookup_async (self->host, self->user, cancellable, on_looked_up, task);
}

static void
pf_keyring_credentials_iface_init (PfCredentialsInterface *iface)
{
  iface->get_secret_async = keyring_get_secret_async;
}

static void
pf_keyring_credentials_finalize (GObject *object)
{
  PfKeyringCredentials *self = PF_KEYRING_CREDENTIALS (object);

  g_free (self->host);
  g_free (self->user);
  G_OBJECT_CLASS (pf_keyring_credentials_parent_class)->finalize (object);
}

static void
pf_keyring_credentials_class_init (PfKeyringCredentialsClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = pf_keyring_credentials_finalize;
}

static void
pf_keyring_credentials_init (PfKeyringCredentials *self)
{
}

PfCredentials *
pf_keyring_credentials_new (const char *host,
                            const char *user)
{
  PfKeyringCredentials *self;

  g_return_val_if_fail (host != NULL, NULL);
  g_return_val_if_fail (user != NULL, NULL);

  self = g_object_new (PF_TYPE_KEYRING_CREDENTIALS, NULL);
  self->host = g_strdup (host);
  self->user = g_strdup (user);
  return PF_CREDENTIALS (self);
}
