/* pf-oauth2-credentials.c — access tokens for the engine; refresh tokens
 * in the keyring
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "pf-keyring.h"
#include "pf-oauth2-credentials.h"

/* Without an expiry in the answer, a token is trusted for this long; the
 * server's refusal still triggers a refresh. */
#define UNSAID_LIFETIME ((gint64) 3600 * G_USEC_PER_SEC)
#define REFRESH_MARGIN  ((gint64) 60 * G_USEC_PER_SEC)

/* ---- keyring items -------------------------------------------------------- */

const SecretSchema *
pf_oauth2_keyring_get_schema (void)
{
  static const SecretSchema schema = {
    PF_OAUTH2_KEYRING_SCHEMA_NAME, SECRET_SCHEMA_NONE,
    {
      { "token-url", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { "client-id", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { "user", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { NULL, 0 },
    }
  };

  return &schema;
}

static GHashTable *
build_attributes (const PfOAuth2Config *config,
                  const char           *user)
{
  GHashTable *attributes = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);

  g_hash_table_insert (attributes, (gpointer) "token-url", g_strdup (config->token_url));
  g_hash_table_insert (attributes, (gpointer) "client-id", g_strdup (config->client_id));
  g_hash_table_insert (attributes, (gpointer) "user", g_strdup (user));
  return attributes;
}

/* libsecret's lookupv and clearv take the same arguments. */
typedef void (*KeyringCall) (const SecretSchema  *schema,
                             GHashTable          *attributes,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data);

/* Starts @call on the item of @config and @user; @done gets a task
 * tagged @source_tag that ends in @callback. */
static void
keyring_call (const PfOAuth2Config *config,
              const char           *user,
              gpointer              source_tag,
              KeyringCall           call,
              GAsyncReadyCallback   done,
              GCancellable         *cancellable,
              GAsyncReadyCallback   callback,
              gpointer              user_data)
{
  g_autoptr(GHashTable) attributes = build_attributes (config, user);
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);

  g_task_set_source_tag (task, source_tag);
  call (pf_oauth2_keyring_get_schema (), attributes, cancellable, done, task);
}

static void
on_token_stored (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (!secret_password_store_finish (result, &error))
    g_task_return_error (task, pf_keyring_classify_error (error));
  else
    g_task_return_boolean (task, TRUE);
}

void
pf_oauth2_keyring_store_async (const char           *account_name,
                               const PfOAuth2Config *config,
                               const char           *user,
                               const char           *refresh_token,
                               GCancellable         *cancellable,
                               GAsyncReadyCallback   callback,
                               gpointer              user_data)
{
  g_autoptr(GHashTable) attributes = NULL;
  g_autofree char *label = NULL;
  GTask *task;

  g_return_if_fail (account_name != NULL);
  g_return_if_fail (config != NULL && config->token_url != NULL && config->client_id != NULL);
  g_return_if_fail (user != NULL);
  g_return_if_fail (refresh_token != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, pf_oauth2_keyring_store_async);
  attributes = build_attributes (config, user);
  label = g_strdup_printf ("Popfetch: %s (OAuth2 sign-in of %s)", account_name, user);
  secret_password_storev (pf_oauth2_keyring_get_schema (), attributes, SECRET_COLLECTION_DEFAULT,
                          label, refresh_token, cancellable, on_token_stored, task);
}

gboolean
pf_oauth2_keyring_store_finish (GAsyncResult  *result,
                                GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == pf_oauth2_keyring_store_async,
                        FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
on_token_looked_up (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  char *token;

  token = secret_password_lookup_finish (result, &error);
  if (error != NULL)
    g_task_return_error (task, pf_keyring_classify_error (error));
  else if (token == NULL)
    g_task_return_new_error (task, PF_OAUTH2_ERROR, PF_OAUTH2_ERROR_SIGN_IN_AGAIN,
                             _("No OAuth2 sign-in is stored in the keyring for this account."));
  else
    {
      char *copy = g_strdup (token);

      secret_password_free (token);
      g_task_return_pointer (task, copy, (GDestroyNotify) pf_wipe_string);
    }
}

void
pf_oauth2_keyring_lookup_async (const PfOAuth2Config *config,
                                const char           *user,
                                GCancellable         *cancellable,
                                GAsyncReadyCallback   callback,
                                gpointer              user_data)
{
  g_return_if_fail (config != NULL && config->token_url != NULL && config->client_id != NULL);
  g_return_if_fail (user != NULL);

  keyring_call (config, user, pf_oauth2_keyring_lookup_async, secret_password_lookupv,
                on_token_looked_up, cancellable, callback, user_data);
}

char *
pf_oauth2_keyring_lookup_finish (GAsyncResult  *result,
                                 GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == pf_oauth2_keyring_lookup_async,
                        NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
on_token_cleared (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  secret_password_clear_finish (result, &error);
  if (error != NULL)
    g_task_return_error (task, pf_keyring_classify_error (error));
  else
    g_task_return_boolean (task, TRUE);
}

void
pf_oauth2_keyring_clear_async (const PfOAuth2Config *config,
                               const char           *user,
                               GCancellable         *cancellable,
                               GAsyncReadyCallback   callback,
                               gpointer              user_data)
{
  g_return_if_fail (config != NULL && config->token_url != NULL && config->client_id != NULL);
  g_return_if_fail (user != NULL);

  keyring_call (config, user, pf_oauth2_keyring_clear_async, secret_password_clearv,
                on_token_cleared, cancellable, callback, user_data);
}

gboolean
pf_oauth2_keyring_clear_finish (GAsyncResult  *result,
                                GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == pf_oauth2_keyring_clear_async,
                        FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---- credentials ---------------------------------------------------------- */

struct _PfOAuth2Credentials
{
  GObject         parent_instance;
  PfOAuth2Config *config;
  char           *account_name;
  char           *user;
  char           *access_token;
  gint64          expires_at;       /* real time, µs */
  gint64          lifetime;
  char           *refresh_token;    /* once read or given */
  gboolean        from_keyring;     /* a rotated token goes back there */
  GPtrArray      *waiting;          /* GTasks waiting for the refresh in flight */
  guint           refresh_count;
};

static void pf_oauth2_credentials_iface_init (PfCredentialsInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (PfOAuth2Credentials, pf_oauth2_credentials, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (PF_TYPE_CREDENTIALS,
                                                      pf_oauth2_credentials_iface_init))

static gboolean
access_token_is_fresh (PfOAuth2Credentials *self)
{
  gint64 margin;

  if (self->access_token == NULL)
    return FALSE;
  margin = MIN (REFRESH_MARGIN, self->lifetime / 4);
  return g_get_real_time () < self->expires_at - margin;
}

static void
take_tokens (PfOAuth2Credentials  *self,
             const PfOAuth2Tokens *tokens)
{
  g_clear_pointer (&self->access_token, pf_wipe_string);
  self->access_token = g_strdup (tokens->access_token);
  self->lifetime = tokens->lifetime > 0 ? tokens->lifetime : UNSAID_LIFETIME;
  self->expires_at = tokens->expires_at > 0 ? tokens->expires_at
                                            : g_get_real_time () + self->lifetime;
}

static void
finish_waiting (PfOAuth2Credentials *self,
                const GError        *error)
{
  g_autoptr(GPtrArray) waiting = g_steal_pointer (&self->waiting);

  self->waiting = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < waiting->len; i++)
    {
      GTask *task = waiting->pdata[i];

      if (error != NULL)
        g_task_return_error (task, g_error_copy (error));
      else
        g_task_return_pointer (task, pf_secret_new (PF_SECRET_ACCESS_TOKEN, self->access_token),
                               (GDestroyNotify) pf_secret_free);
    }
}

static void
on_rotated_token_stored (GObject      *source,
                         GAsyncResult *result,
                         gpointer      user_data)
{
  g_autoptr(PfOAuth2Credentials) self = user_data;
  g_autoptr(GError) error = NULL;

  /* The new token stays in memory for this run; the old one in the
   * keyring may still work, or the next run asks to sign in again. */
  if (!pf_oauth2_keyring_store_finish (result, &error))
    g_message ("Could not keep the renewed OAuth2 sign-in of %s in the keyring: %s",
               self->account_name, error->message);
  finish_waiting (self, NULL);
}

static void
on_refreshed (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(PfOAuth2Credentials) self = user_data;
  g_autoptr(PfOAuth2Tokens) tokens = NULL;
  g_autoptr(GError) error = NULL;

  tokens = pf_oauth2_refresh_finish (result, &error);
  if (tokens == NULL)
    {
      if (g_error_matches (error, PF_OAUTH2_ERROR, PF_OAUTH2_ERROR_SIGN_IN_AGAIN))
        g_clear_pointer (&self->refresh_token, pf_wipe_string);
      finish_waiting (self, error);
      return;
    }
  self->refresh_count++;
  take_tokens (self, tokens);
  if (tokens->refresh_token != NULL && g_strcmp0 (tokens->refresh_token, self->refresh_token) != 0)
    {
      g_clear_pointer (&self->refresh_token, pf_wipe_string);
      self->refresh_token = g_strdup (tokens->refresh_token);
      if (self->from_keyring)
        {
          pf_oauth2_keyring_store_async (self->account_name, self->config, self->user,
                                         self->refresh_token, NULL, on_rotated_token_stored,
                                         g_object_ref (self));
          return;
        }
    }
  finish_waiting (self, NULL);
}

static void
refresh (PfOAuth2Credentials *self)
{
  pf_oauth2_refresh_async (self->config, self->refresh_token, NULL, on_refreshed,
                           g_object_ref (self));
}

static void
on_refresh_token_found (GObject      *source,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  g_autoptr(PfOAuth2Credentials) self = user_data;
  g_autoptr(GError) error = NULL;
  char *token;

  token = pf_oauth2_keyring_lookup_finish (result, &error);
  if (token == NULL)
    {
      finish_waiting (self, error);
      return;
    }
  self->refresh_token = token;
  self->from_keyring = TRUE;
  refresh (self);
}

static void
oauth2_get_secret_async (PfCredentials       *credentials,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  PfOAuth2Credentials *self = PF_OAUTH2_CREDENTIALS (credentials);
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  GError *error = NULL;

  g_task_set_source_tag (task, oauth2_get_secret_async);
  if (access_token_is_fresh (self))
    {
      g_task_return_pointer (task, pf_secret_new (PF_SECRET_ACCESS_TOKEN, self->access_token),
                             (GDestroyNotify) pf_secret_free);
      g_object_unref (task);
      return;
    }
  if (!pf_oauth2_config_validate (self->config, FALSE, FALSE, &error))
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }

  g_ptr_array_add (self->waiting, task);
  if (self->waiting->len > 1)
    return;   /* one refresh serves everyone */
  /* The refresh itself is not cancelled with one caller: its result
   * serves the others and the next run. */
  if (self->refresh_token != NULL)
    refresh (self);
  else
    pf_oauth2_keyring_lookup_async (self->config, self->user, NULL, on_refresh_token_found,
                                    g_object_ref (self));
}

static void
oauth2_invalidate (PfCredentials  *credentials,
                   const PfSecret *rejected)
{
  PfOAuth2Credentials *self = PF_OAUTH2_CREDENTIALS (credentials);

  /* Only the token that was refused: a refresh since then stands. */
  if (self->access_token != NULL &&
      (rejected == NULL || g_strcmp0 (pf_secret_get_value (rejected), self->access_token) == 0))
    g_clear_pointer (&self->access_token, pf_wipe_string);
}

static void
pf_oauth2_credentials_iface_init (PfCredentialsInterface *iface)
{
  iface->get_secret_async = oauth2_get_secret_async;
  iface->invalidate = oauth2_invalidate;
}

static void
pf_oauth2_credentials_finalize (GObject *object)
{
  PfOAuth2Credentials *self = PF_OAUTH2_CREDENTIALS (object);

  g_assert (self->waiting->len == 0);
  g_ptr_array_unref (self->waiting);
  pf_oauth2_config_free (self->config);
  g_free (self->account_name);
  g_free (self->user);
  pf_wipe_string (self->access_token);
  pf_wipe_string (self->refresh_token);
  G_OBJECT_CLASS (pf_oauth2_credentials_parent_class)->finalize (object);
}

static void
pf_oauth2_credentials_class_init (PfOAuth2CredentialsClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = pf_oauth2_credentials_finalize;
}

static void
pf_oauth2_credentials_init (PfOAuth2Credentials *self)
{
  self->waiting = g_ptr_array_new_with_free_func (g_object_unref);
}

PfOAuth2Credentials *
pf_oauth2_credentials_new (const PfOAuth2Config *config,
                           const char           *account_name,
                           const char           *user)
{
  PfOAuth2Credentials *self;

  g_return_val_if_fail (config != NULL, NULL);
  g_return_val_if_fail (account_name != NULL, NULL);
  g_return_val_if_fail (user != NULL, NULL);

  self = g_object_new (PF_TYPE_OAUTH2_CREDENTIALS, NULL);
  self->config = pf_oauth2_config_copy (config);
  self->account_name = g_strdup (account_name);
  self->user = g_strdup (user);
  return self;
}

void
pf_oauth2_credentials_set_tokens (PfOAuth2Credentials  *self,
                                  const PfOAuth2Tokens *tokens)
{
  g_return_if_fail (PF_IS_OAUTH2_CREDENTIALS (self));
  g_return_if_fail (tokens != NULL && tokens->access_token != NULL);

  take_tokens (self, tokens);
  if (tokens->refresh_token != NULL)
    {
      g_clear_pointer (&self->refresh_token, pf_wipe_string);
      self->refresh_token = g_strdup (tokens->refresh_token);
      self->from_keyring = FALSE;
    }
}

guint
pf_oauth2_credentials_get_refresh_count (PfOAuth2Credentials *self)
{
  g_return_val_if_fail (PF_IS_OAUTH2_CREDENTIALS (self), 0);
  return self->refresh_count;
}
