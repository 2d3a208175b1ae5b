/* pf-credentials.c
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "pf-credentials.h"

G_DEFINE_ENUM_TYPE (PfSecretKind, pf_secret_kind,
  G_DEFINE_ENUM_VALUE (PF_SECRET_PASSWORD, "password"),
  G_DEFINE_ENUM_VALUE (PF_SECRET_ACCESS_TOKEN, "access-token"))

struct _PfSecret
{
  PfSecretKind  kind;
  char         *value;
};

void
pf_wipe_string (char *text)
{
  if (text == NULL)
    return;
  explicit_bzero (text, strlen (text));
  g_free (text);
}

PfSecret *
pf_secret_new (PfSecretKind  kind,
               const char   *value)
{
  PfSecret *secret;

  g_return_val_if_fail (value != NULL, NULL);

  secret = g_new0 (PfSecret, 1);
  secret->kind = kind;
  secret->value = g_strdup (value);
  return secret;
}

PfSecretKind
pf_secret_get_kind (const PfSecret *secret)
{
  g_return_val_if_fail (secret != NULL, PF_SECRET_PASSWORD);
  return secret->kind;
}

const char *
pf_secret_get_value (const PfSecret *secret)
{
  g_return_val_if_fail (secret != NULL, NULL);
  return secret->value;
}

void
pf_secret_free (PfSecret *secret)
{
  if (secret == NULL)
    return;
  pf_wipe_string (secret->value);
  g_free (secret);
}

/* ---- the interface ---------------------------------------------------- */

G_DEFINE_INTERFACE (PfCredentials, pf_credentials, G_TYPE_OBJECT)

static void
pf_credentials_default_init (PfCredentialsInterface *iface)
{
}

void
pf_credentials_get_secret_async (PfCredentials       *self,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_return_if_fail (PF_IS_CREDENTIALS (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  PF_CREDENTIALS_GET_IFACE (self)->get_secret_async (self, cancellable, callback, user_data);
}

PfSecret *
pf_credentials_get_secret_finish (PfCredentials  *self,
                                  GAsyncResult   *result,
                                  GError        **error)
{
  PfCredentialsInterface *iface;

  g_return_val_if_fail (PF_IS_CREDENTIALS (self), NULL);
  g_return_val_if_fail (G_IS_ASYNC_RESULT (result), NULL);

  iface = PF_CREDENTIALS_GET_IFACE (self);
  if (iface->get_secret_finish != NULL)
    return iface->get_secret_finish (self, result, error);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

void
pf_credentials_invalidate (PfCredentials  *self,
                           const PfSecret *rejected)
{
  PfCredentialsInterface *iface;

  g_return_if_fail (PF_IS_CREDENTIALS (self));

  iface = PF_CREDENTIALS_GET_IFACE (self);
  if (iface->invalidate != NULL)
    iface->invalidate (self, rejected);
}

/* ---- a given password ------------------------------------------------- */

#define PF_TYPE_PASSWORD_CREDENTIALS (pf_password_credentials_get_type ())

G_DECLARE_FINAL_TYPE (PfPasswordCredentials, pf_password_credentials,
                      PF, PASSWORD_CREDENTIALS, GObject)

struct _PfPasswordCredentials
{
  GObject  parent_instance;
  char    *password;
};

static void pf_password_credentials_iface_init (PfCredentialsInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (PfPasswordCredentials, pf_password_credentials, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (PF_TYPE_CREDENTIALS,
                                                      pf_password_credentials_iface_init))

static void
password_get_secret_async (PfCredentials       *credentials,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  PfPasswordCredentials *self = PF_PASSWORD_CREDENTIALS (credentials);
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, password_get_secret_async);
  g_task_return_pointer (task, pf_secret_new (PF_SECRET_PASSWORD, self->password),
                         (GDestroyNotify) pf_secret_free);
}

static void
pf_password_credentials_iface_init (PfCredentialsInterface *iface)
{
  iface->get_secret_async = password_get_secret_async;
}

static void
pf_password_credentials_finalize (GObject *object)
{
  PfPasswordCredentials *self = PF_PASSWORD_CREDENTIALS (object);

  pf_wipe_string (self->password);
  G_OBJECT_CLASS (pf_password_credentials_parent_class)->finalize (object);
}

static void
pf_password_credentials_class_init (PfPasswordCredentialsClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = pf_password_credentials_finalize;
}

static void
pf_password_credentials_init (PfPasswordCredentials *self)
{
}

PfCredentials *
pf_credentials_new_for_password (const char *password)
{
  PfPasswordCredentials *self;

  g_return_val_if_fail (password != NULL, NULL);

  self = g_object_new (PF_TYPE_PASSWORD_CREDENTIALS, NULL);
  self->password = g_strdup (password);
  return PF_CREDENTIALS (self);
}
