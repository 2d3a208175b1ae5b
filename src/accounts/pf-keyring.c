/* pf-keyring.c
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "pf-error.h"
#include "pf-keyring.h"

const SecretSchema *
pf_keyring_get_schema (void)
{
  static const SecretSchema schema = {
    PF_KEYRING_SCHEMA_NAME, SECRET_SCHEMA_NONE,
    {
      { "host", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { "service", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { "user", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { NULL, 0 },
    }
  };

  return &schema;
}

char *
pf_keyring_item_label (const char *account_name,
                       const char *host,
                       const char *user)
{
  g_return_val_if_fail (account_name != NULL, NULL);
  g_return_val_if_fail (host != NULL, NULL);
  g_return_val_if_fail (user != NULL, NULL);

  return g_strdup_printf ("Popfetch: %s (%s@%s)", account_name, user, host);
}

static GHashTable *
build_attributes (const char *host,
                  const char *user)
{
  GHashTable *attributes = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);

  g_hash_table_insert (attributes, (gpointer) "host", g_strdup (host));
  g_hash_table_insert (attributes, (gpointer) "service", g_strdup (PF_KEYRING_SERVICE));
  g_hash_table_insert (attributes, (gpointer) "user", g_strdup (user));
  return attributes;
}

static GError *locked_error (void);

/* libsecret reports a missing bus, a missing service and a locked
 * collection in several domains; the user needs only two answers. When
 * the unlock prompt is dismissed, libsecret 0.20 fails a store or clear
 * without any error at all: that is a keyring that stayed locked. */
GError *
pf_keyring_classify_error (GError *error)
{
  GError *classified;

  if (error == NULL)
    return locked_error ();
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return error;

  if (g_error_matches (error, SECRET_ERROR, SECRET_ERROR_IS_LOCKED))
    classified = g_error_new (PF_ERROR, PF_ERROR_KEYRING_LOCKED,
                              _("The keyring is locked and could not be unlocked: %s"),
                              error->message);
  else
    classified = g_error_new (PF_ERROR, PF_ERROR_KEYRING_UNAVAILABLE,
                              _("No keyring service answered: %s"),
                              error->message);
  g_error_free (error);
  return classified;
}

static GError *
locked_error (void)
{
  return g_error_new_literal (PF_ERROR, PF_ERROR_KEYRING_LOCKED,
                              _("The keyring is locked and could not be unlocked"));
}

typedef struct
{
  GHashTable *attributes;
  char       *label;
  SecretValue *value;
} KeyringOp;

static void
keyring_op_free (KeyringOp *op)
{
  g_clear_pointer (&op->attributes, g_hash_table_unref);
  g_clear_pointer (&op->label, g_free);
  g_clear_pointer (&op->value, secret_value_unref);
  g_free (op);
}

static void
start_with_service (GTask               *task,
                    GAsyncReadyCallback  on_service)
{
  secret_service_get (SECRET_SERVICE_NONE, g_task_get_cancellable (task), on_service, task);
}

/* Store ------------------------------------------------------------------- */

static void
on_stored (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (!secret_service_store_finish (SECRET_SERVICE (source), result, &error))
    g_task_return_error (task, pf_keyring_classify_error (error));
  else
    g_task_return_boolean (task, TRUE);
}

static void
store_on_service (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(SecretService) service = NULL;
  KeyringOp *op = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);
  GError *error = NULL;

  service = secret_service_get_finish (result, &error);
  if (service == NULL)
    {
      g_task_return_error (task, pf_keyring_classify_error (error));
      return;
    }

  secret_service_store (service, pf_keyring_get_schema (), op->attributes,
                        SECRET_COLLECTION_DEFAULT, op->label, op->value,
                        cancellable, on_stored,
                        g_steal_pointer (&task));
}

void
pf_keyring_store_async (const char          *account_name,
                        const char          *host,
                        const char          *user,
                        const char          *password,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  GTask *task;
  KeyringOp *op;

  g_return_if_fail (account_name != NULL);
  g_return_if_fail (host != NULL);
  g_return_if_fail (user != NULL);
  g_return_if_fail (password != NULL);
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, pf_keyring_store_async);

  op = g_new0 (KeyringOp, 1);
  op->attributes = build_attributes (host, user);
  op->label = pf_keyring_item_label (account_name, host, user);
  op->value = secret_value_new (password, -1, "text/plain");
  g_task_set_task_data (task, op, (GDestroyNotify) keyring_op_free);

  start_with_service (task, store_on_service);
}

gboolean
pf_keyring_store_finish (GAsyncResult  *result,
                         GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == pf_keyring_store_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Lookup ------------------------------------------------------------------ */

static void
on_searched (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GList *items;
  SecretItem *item;
  SecretValue *value;
  GError *error = NULL;

  items = secret_service_search_finish (SECRET_SERVICE (source), result, &error);
  if (error != NULL)
    {
      g_task_return_error (task, pf_keyring_classify_error (error));
      return;
    }
  if (items == NULL)
    {
      g_task_return_new_error (task, PF_ERROR, PF_ERROR_NO_PASSWORD,
                               _("No password is stored in the keyring for this account"));
      return;
    }

  /* Unlocked items come first; a locked one here means the unlock failed. */
  item = items->data;
  value = secret_item_get_locked (item) ? NULL : secret_item_get_secret (item);
  if (secret_item_get_locked (item))
    g_task_return_error (task, locked_error ());
  else if (value == NULL)
    g_task_return_new_error (task, PF_ERROR, PF_ERROR_KEYRING_UNAVAILABLE,
                             _("The keyring did not hand out the password"));
  else
    g_task_return_pointer (task, g_strdup (secret_value_get_text (value)),
                           (GDestroyNotify) pf_wipe_string);

  g_clear_pointer (&value, secret_value_unref);
  g_list_free_full (items, g_object_unref);
}

static void
lookup_on_service (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(SecretService) service = NULL;
  KeyringOp *op = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);
  GError *error = NULL;

  service = secret_service_get_finish (result, &error);
  if (service == NULL)
    {
      g_task_return_error (task, pf_keyring_classify_error (error));
      return;
    }

  secret_service_search (service, pf_keyring_get_schema (), op->attributes,
                         SECRET_SEARCH_UNLOCK | SECRET_SEARCH_LOAD_SECRETS,
                         cancellable, on_searched,
                         g_steal_pointer (&task));
}

void
pf_keyring_lookup_async (const char          *host,
                         const char          *user,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  GTask *task;
  KeyringOp *op;

  g_return_if_fail (host != NULL);
  g_return_if_fail (user != NULL);
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, pf_keyring_lookup_async);

  op = g_new0 (KeyringOp, 1);
  op->attributes = build_attributes (host, user);
  g_task_set_task_data (task, op, (GDestroyNotify) keyring_op_free);

  start_with_service (task, lookup_on_service);
}

char *
pf_keyring_lookup_finish (GAsyncResult  *result,
                          GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == pf_keyring_lookup_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Clear ------------------------------------------------------------------- */

static void
on_cleared (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  secret_service_clear_finish (SECRET_SERVICE (source), result, &error);
  if (error != NULL)
    g_task_return_error (task, pf_keyring_classify_error (error));
  else
    g_task_return_boolean (task, TRUE);
}

static void
clear_on_service (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(SecretService) service = NULL;
  KeyringOp *op = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);
  GError *error = NULL;

  service = secret_service_get_finish (result, &error);
  if (service == NULL)
    {
      g_task_return_error (task, pf_keyring_classify_error (error));
      return;
    }

  secret_service_clear (service, pf_keyring_get_schema (), op->attributes,
                        cancellable, on_cleared,
                        g_steal_pointer (&task));
}

void
pf_keyring_clear_async (const char          *host,
                        const char          *user,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  GTask *task;
  KeyringOp *op;

  g_return_if_fail (host != NULL);
  g_return_if_fail (user != NULL);
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, pf_keyring_clear_async);

  op = g_new0 (KeyringOp, 1);
  op->attributes = build_attributes (host, user);
  g_task_set_task_data (task, op, (GDestroyNotify) keyring_op_free);

  start_with_service (task, clear_on_service);
}

gboolean
pf_keyring_clear_finish (GAsyncResult  *result,
                         GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == pf_keyring_clear_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
