/* pf-account-store-edit.c — editing and removing saved accounts, with
 * every rule that goes with it (the pinned certificate, the keyring item)
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "pf-account-store.h"
#include "pf-error.h"
#include "pf-keyring.h"
#include "pf-oauth2-credentials.h"
#include "pf-paths.h"

/* Only public API of the store is used here: these operations are the
 * rules on top of it, which both front ends used to write themselves. */

typedef struct
{
  PfAccount *before;    /* a copy of the account as it was */
  PfAccount *after;     /* the account as stored now; NULL when removed */
  char      *password;  /* being moved to the new keyring item */
} EditData;

static void
edit_data_free (EditData *data)
{
  g_clear_object (&data->before);
  g_clear_object (&data->after);
  g_clear_pointer (&data->password, pf_wipe_string);
  g_free (data);
}

/* Whether a saved account uses @account's keyring item. */
static gboolean
keyring_item_in_use (PfAccountStore *store,
                     PfAccount      *account)
{
  GListModel *accounts = pf_account_store_get_accounts (store);
  guint n = g_list_model_get_n_items (accounts);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(PfAccount) other = g_list_model_get_item (accounts, i);

      if (pf_account_same_keyring_item (other, account))
        return TRUE;
    }
  return FALSE;
}

static void
on_old_item_cleared (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (!pf_keyring_clear_finish (result, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

/* Clear the keyring item of the account as it was, unless a saved account
 * (another one sharing the mailbox, or this one still) uses it. Two
 * accounts may log in to one mailbox (one keeps the mail, one deletes it
 * after some days, say): removing or moving one must not take the other's
 * password away. */
static void
on_old_sign_in_cleared (GObject      *source,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (!pf_oauth2_keyring_clear_finish (result, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

/* Whether a saved account signs in with @config for @user. */
static gboolean
sign_in_in_use (PfAccountStore       *store,
                const PfOAuth2Config *config,
                const char           *user)
{
  GListModel *accounts = pf_account_store_get_accounts (store);
  guint n = g_list_model_get_n_items (accounts);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(PfAccount) other = g_list_model_get_item (accounts, i);
      g_autoptr(PfOAuth2Config) other_config = NULL;

      if (pf_account_get_auth (other) != PF_ACCOUNT_AUTH_OAUTH2 ||
          g_strcmp0 (pf_account_get_user (other), user) != 0)
        continue;
      other_config = pf_account_dup_oauth2_config (other, NULL);
      if (other_config != NULL && g_strcmp0 (other_config->token_url, config->token_url) == 0 &&
          g_strcmp0 (other_config->client_id, config->client_id) == 0)
        return TRUE;
    }
  return FALSE;
}

static void
clear_old_item (GTask *task)
{
  PfAccountStore *store = g_task_get_source_object (task);
  EditData *data = g_task_get_task_data (task);

  /* An OAuth2 account's keyring item is its refresh token (GNOME Online
   * Accounts keeps its own). */
  if (pf_account_get_auth (data->before) == PF_ACCOUNT_AUTH_OAUTH2)
    {
      g_autoptr(PfOAuth2Config) config = pf_account_dup_oauth2_config (data->before, NULL);

      if (config == NULL || config->token_url == NULL || config->client_id == NULL ||
          sign_in_in_use (store, config, pf_account_get_user (data->before)))
        {
          g_task_return_boolean (task, TRUE);
          g_object_unref (task);
          return;
        }
      pf_oauth2_keyring_clear_async (config, pf_account_get_user (data->before),
                                     g_task_get_cancellable (task), on_old_sign_in_cleared, task);
      return;
    }

  if (keyring_item_in_use (store, data->before))
    {
      g_task_return_boolean (task, TRUE);
      g_object_unref (task);
      return;
    }
  pf_keyring_clear_async (pf_account_get_host (data->before), pf_account_get_user (data->before),
                          g_task_get_cancellable (task), on_old_item_cleared, task);
}

/* ---- update ----------------------------------------------------------- */

static void
on_new_item_stored (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  GTask *task = user_data;
  GError *error = NULL;

  if (!pf_keyring_store_finish (result, &error))
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  clear_old_item (task);
}

static void
on_old_password (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  GTask *task = user_data;
  EditData *data = g_task_get_task_data (task);
  GError *error = NULL;

  data->password = pf_keyring_lookup_finish (result, &error);
  if (data->password == NULL)
    {
      /* Nothing stored: nothing to move. */
      if (g_error_matches (error, PF_ERROR, PF_ERROR_NO_PASSWORD))
        {
          g_error_free (error);
          g_task_return_boolean (task, TRUE);
        }
      else
        g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  pf_keyring_store_async (pf_account_get_name (data->after), pf_account_get_host (data->after),
                          pf_account_get_user (data->after), data->password,
                          g_task_get_cancellable (task), on_new_item_stored, task);
}

static void move_keyring_item (GTask *task);

static void
on_state_renamed (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  GTask *task = user_data;
  g_autoptr(GError) error = NULL;

  if (!pf_paths_rename_account_state_finish (result, &error))
    {
      /* The code stays (a running fetch: PF_ERROR_ACCOUNT_BUSY); the
       * message says what it means for the user, as one sentence. */
      g_task_return_new_error (task, error->domain, error->code,
                               _("The settings are saved, but the record of the mail already "
                                 "fetched stayed under the old name, so the next fetch would "
                                 "download it again (%s). Rename the account back, wait for the "
                                 "running fetch to end, and rename it again."),
                               error->message);
      g_object_unref (task);
      return;
    }
  move_keyring_item (task);
}

static void
on_updated_saved (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  GTask *task = user_data;
  EditData *data = g_task_get_task_data (task);
  GError *error = NULL;

  if (!pf_account_store_save_finish (PF_ACCOUNT_STORE (source), result, &error))
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }

  /* The delivery journal and lock belong to the account, keyed by its
   * name: they follow a rename (and stay put for a host edit), or the
   * next fetch would download the whole mailbox again. */
  if (g_strcmp0 (pf_account_get_name (data->before), pf_account_get_name (data->after)) != 0)
    {
      pf_paths_rename_account_state_async (pf_account_get_name (data->before),
                                           pf_account_get_name (data->after),
                                           g_task_get_cancellable (task), on_state_renamed, task);
      return;
    }
  move_keyring_item (task);
}

static void
move_keyring_item (GTask *task)
{
  EditData *data = g_task_get_task_data (task);

  /* An OAuth2 sign-in is filed under its token endpoint, client id and
   * user, not the server: it stays while they do. When they change, the
   * refresh token no longer serves the account (the provider gave it to
   * the old client): it is cleared as for a removal, unless another
   * account still signs in with it, and the account needs a new sign-in. */
  if (pf_account_get_auth (data->before) == PF_ACCOUNT_AUTH_OAUTH2 &&
      g_strcmp0 (pf_account_get_oauth2_source (data->before), PF_ACCOUNT_OAUTH2_SOURCE_GOA) != 0 &&
      !pf_account_same_oauth2_sign_in (data->before, data->after))
    {
      clear_old_item (task);
      return;
    }

  /* The item is filed under host and user, and labelled with the name:
   * it follows the account when any of them changes. */
  if (pf_account_get_auth (data->before) == PF_ACCOUNT_AUTH_OAUTH2 ||
      pf_account_get_auth (data->after) == PF_ACCOUNT_AUTH_OAUTH2 ||
      (pf_account_same_keyring_item (data->before, data->after)
      && g_strcmp0 (pf_account_get_name (data->before), pf_account_get_name (data->after)) == 0))
    {
      g_task_return_boolean (task, TRUE);
      g_object_unref (task);
      return;
    }
  pf_keyring_lookup_async (pf_account_get_host (data->before), pf_account_get_user (data->before),
                           g_task_get_cancellable (task), on_old_password, task);
}

void
pf_account_store_update_async (PfAccountStore      *self,
                               const char          *name,
                               PfAccount           *account,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  GError *error = NULL;
  PfAccount *current;
  EditData *data;

  g_return_if_fail (PF_IS_ACCOUNT_STORE (self));
  g_return_if_fail (name != NULL);
  g_return_if_fail (PF_IS_ACCOUNT (account));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, pf_account_store_update_async);

  current = pf_account_store_lookup (self, name);
  if (current == NULL)
    {
      g_task_return_new_error (task, PF_ERROR, PF_ERROR_CONFIG,
                               _("There is no account called “%s”"), name);
      return;
    }

  data = g_new0 (EditData, 1);
  data->before = pf_account_copy (current);
  data->after = g_object_ref (account);
  g_task_set_task_data (task, data, (GDestroyNotify) edit_data_free);

  /* The pin rule, the same for the app and the CLI: a pinned certificate
   * is dropped when the server changes (another host, compared as DNS
   * compares names, or another port), unless this very edit pins a new
   * one. A pin vouches for one certificate the user looked at, for that
   * account, host and port (DESIGN.md): kept across a move it would either
   * make the new server's valid certificate fail (only the pinned one is
   * accepted), or let the old certificate through at a place the user
   * never checked it. Keeping it is never what the user asked for; the
   * new server is checked normally, and can be pinned again in setup. */
  if (!pf_account_same_server (data->before, account)
      && g_strcmp0 (pf_account_get_pinned_fingerprint (account),
                    pf_account_get_pinned_fingerprint (data->before)) == 0)
    pf_account_set_pinned_fingerprint (account, NULL);

  /* In memory at once, so the model and lookups show the change while it
   * is written; nothing changes when it is refused. */
  if (!pf_account_store_replace (self, name, account, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  pf_account_store_save_async (self, cancellable, on_updated_saved, g_steal_pointer (&task));
}

gboolean
pf_account_store_update_finish (PfAccountStore  *self,
                                GAsyncResult    *result,
                                GError         **error)
{
  g_return_val_if_fail (PF_IS_ACCOUNT_STORE (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == pf_account_store_update_async,
                        FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---- remember the method that worked --------------------------------- */

static void
on_mechanism_saved (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (!pf_account_store_update_finish (PF_ACCOUNT_STORE (source), result, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

void
pf_account_store_remember_mechanism_async (PfAccountStore      *self,
                                           const char          *name,
                                           PfAuthMechanism      mechanism,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(PfAccount) edited = NULL;
  PfAccount *current;

  g_return_if_fail (PF_IS_ACCOUNT_STORE (self));
  g_return_if_fail (name != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, pf_account_store_remember_mechanism_async);

  current = pf_account_store_lookup (self, name);
  if (current == NULL)
    {
      g_task_return_new_error (task, PF_ERROR, PF_ERROR_CONFIG,
                               _("There is no account called “%s”"), name);
      return;
    }
  /* The user's own choice stands; AUTO cannot be "remembered". */
  if (pf_account_get_mechanism (current) != PF_AUTH_AUTO || mechanism == PF_AUTH_AUTO)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }

  edited = pf_account_copy (current);
  pf_account_set_mechanism (edited, mechanism);
  pf_account_store_update_async (self, name, edited, cancellable, on_mechanism_saved,
                                 g_steal_pointer (&task));
}

gboolean
pf_account_store_remember_mechanism_finish (PfAccountStore  *self,
                                            GAsyncResult    *result,
                                            GError         **error)
{
  g_return_val_if_fail (PF_IS_ACCOUNT_STORE (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---- remove ----------------------------------------------------------- */

static void
on_removed_saved (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  GTask *task = user_data;
  GError *error = NULL;

  if (!pf_account_store_save_finish (PF_ACCOUNT_STORE (source), result, &error))
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  clear_old_item (task);
}

void
pf_account_store_remove_async (PfAccountStore      *self,
                               const char          *name,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  PfAccount *current;
  EditData *data;

  g_return_if_fail (PF_IS_ACCOUNT_STORE (self));
  g_return_if_fail (name != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, pf_account_store_remove_async);

  current = pf_account_store_lookup (self, name);
  if (current == NULL)
    {
      g_task_return_new_error (task, PF_ERROR, PF_ERROR_CONFIG,
                               _("There is no account called “%s”"), name);
      return;
    }

  data = g_new0 (EditData, 1);
  data->before = g_object_ref (current);
  g_task_set_task_data (task, data, (GDestroyNotify) edit_data_free);

  pf_account_store_remove (self, name);
  pf_account_store_save_async (self, cancellable, on_removed_saved, g_steal_pointer (&task));
}

gboolean
pf_account_store_remove_finish (PfAccountStore  *self,
                                GAsyncResult    *result,
                                GError         **error)
{
  g_return_val_if_fail (PF_IS_ACCOUNT_STORE (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == pf_account_store_remove_async,
                        FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

gboolean
pf_account_store_error_is_keyring (const GError *error)
{
  return g_error_matches (error, PF_ERROR, PF_ERROR_KEYRING_UNAVAILABLE)
         || g_error_matches (error, PF_ERROR, PF_ERROR_KEYRING_LOCKED);
}

gboolean
pf_account_store_error_is_after_save (const GError *error)
{
  /* Saving the file fails with a file or configuration error, never
   * with these: a keyring error comes from moving the password, a busy
   * account from moving the journal while a fetch of it runs. */
  return pf_account_store_error_is_keyring (error)
         || g_error_matches (error, PF_ERROR, PF_ERROR_ACCOUNT_BUSY);
}
