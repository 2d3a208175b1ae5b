/* pf-goa.c — sign-ins from GNOME Online Accounts, over D-Bus
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "pf-error.h"
#include "pf-goa.h"
#include "pf-oauth2.h"

#define GOA_ACCOUNT_IFACE  "org.gnome.OnlineAccounts.Account"
#define GOA_MAIL_IFACE     "org.gnome.OnlineAccounts.Mail"
#define GOA_OAUTH2_IFACE   "org.gnome.OnlineAccounts.OAuth2Based"
#define GOA_NOT_AUTHORIZED "org.gnome.OnlineAccounts.Error.NotAuthorized"

/* ---- PfGoaAccount ------------------------------------------------------ */

PfGoaAccount *
pf_goa_account_copy (const PfGoaAccount *account)
{
  PfGoaAccount *copy;

  g_return_val_if_fail (account != NULL, NULL);

  copy = g_new0 (PfGoaAccount, 1);
  copy->id = g_strdup (account->id);
  copy->object_path = g_strdup (account->object_path);
  copy->address = g_strdup (account->address);
  copy->provider_type = g_strdup (account->provider_type);
  copy->provider_name = g_strdup (account->provider_name);
  copy->identity = g_strdup (account->identity);
  copy->attention_needed = account->attention_needed;
  return copy;
}

void
pf_goa_account_free (PfGoaAccount *account)
{
  if (account == NULL)
    return;
  g_free (account->id);
  g_free (account->object_path);
  g_free (account->address);
  g_free (account->provider_type);
  g_free (account->provider_name);
  g_free (account->identity);
  g_free (account);
}

G_DEFINE_BOXED_TYPE (PfGoaAccount, pf_goa_account, pf_goa_account_copy, pf_goa_account_free)

/* ---- reading GetManagedObjects ---------------------------------------- */

/* Whether @error says that GOA is not there: no session bus, or nobody owns
 * the name and D-Bus cannot start it. Anything else is a real failure. */
static gboolean
error_means_absent (const GError *error)
{
  if (error->domain != G_DBUS_ERROR)
    return FALSE;
  switch (error->code)
    {
    case G_DBUS_ERROR_SERVICE_UNKNOWN:
    case G_DBUS_ERROR_NAME_HAS_NO_OWNER:
    case G_DBUS_ERROR_SPAWN_EXEC_FAILED:
    case G_DBUS_ERROR_SPAWN_FORK_FAILED:
    case G_DBUS_ERROR_SPAWN_CHILD_EXITED:
    case G_DBUS_ERROR_SPAWN_CHILD_SIGNALED:
    case G_DBUS_ERROR_SPAWN_FAILED:
    case G_DBUS_ERROR_SPAWN_SERVICE_INVALID:
    case G_DBUS_ERROR_SPAWN_SERVICE_NOT_FOUND:
    case G_DBUS_ERROR_SPAWN_NO_MEMORY:
    case G_DBUS_ERROR_UNKNOWN_OBJECT:
    case G_DBUS_ERROR_UNKNOWN_INTERFACE:
    case G_DBUS_ERROR_UNKNOWN_METHOD:
      return TRUE;
    default:
      return FALSE;
    }
}

static char *
lookup_string (GVariant   *properties,
               const char *name)
{
  const char *value = NULL;

  if (properties == NULL || !g_variant_lookup (properties, name, "&s", &value))
    return NULL;
  return g_strdup (value);
}

static gboolean
lookup_boolean (GVariant   *properties,
                const char *name)
{
  gboolean value = FALSE;

  if (properties == NULL)
    return FALSE;
  g_variant_lookup (properties, name, "b", &value);
  return value;
}

/* One object of GetManagedObjects (its a{sa{sv}}) as a PfGoaAccount, or
 * NULL when it is not a mail account with OAuth2 tokens. */
static PfGoaAccount *
account_from_interfaces (const char *object_path,
                         GVariant   *interfaces)
{
  g_autoptr(GVariant) account = g_variant_lookup_value (interfaces, GOA_ACCOUNT_IFACE,
                                                        G_VARIANT_TYPE_VARDICT);
  g_autoptr(GVariant) mail = g_variant_lookup_value (interfaces, GOA_MAIL_IFACE,
                                                     G_VARIANT_TYPE_VARDICT);
  g_autoptr(GVariant) oauth2 = g_variant_lookup_value (interfaces, GOA_OAUTH2_IFACE,
                                                       G_VARIANT_TYPE_VARDICT);
  g_autoptr(PfGoaAccount) result = NULL;

  /* The user may switch mail off for an account in Settings; GOA then
   * drops its Mail interface, and Popfetch respects that too when the
   * property says so. */
  if (account == NULL || mail == NULL || oauth2 == NULL
      || lookup_boolean (account, "MailDisabled"))
    return NULL;

  result = g_new0 (PfGoaAccount, 1);
  result->object_path = g_strdup (object_path);
  result->id = lookup_string (account, "Id");
  result->address = lookup_string (mail, "EmailAddress");
  result->provider_type = lookup_string (account, "ProviderType");
  result->provider_name = lookup_string (account, "ProviderName");
  result->identity = lookup_string (account, "PresentationIdentity");
  result->attention_needed = lookup_boolean (account, "AttentionNeeded");
  if (result->id == NULL || *result->id == '\0'
      || result->address == NULL || *result->address == '\0')
    return NULL;
  return g_steal_pointer (&result);
}

static int
compare_by_address (gconstpointer a,
                    gconstpointer b)
{
  const PfGoaAccount *x = *(PfGoaAccount * const *) a;
  const PfGoaAccount *y = *(PfGoaAccount * const *) b;
  int by_address = g_ascii_strcasecmp (x->address, y->address);

  return by_address != 0 ? by_address : g_strcmp0 (x->id, y->id);
}

static GPtrArray *
accounts_from_managed_objects (GVariant *reply)
{
  g_autoptr(GPtrArray) accounts = g_ptr_array_new_with_free_func ((GDestroyNotify) pf_goa_account_free);
  g_autoptr(GVariant) objects = g_variant_get_child_value (reply, 0);
  GVariantIter iter;
  const char *path;
  GVariant *interfaces;

  g_variant_iter_init (&iter, objects);
  while (g_variant_iter_next (&iter, "{&o@a{sa{sv}}}", &path, &interfaces))
    {
      PfGoaAccount *account = account_from_interfaces (path, interfaces);

      if (account != NULL)
        g_ptr_array_add (accounts, account);
      g_variant_unref (interfaces);
    }
  g_ptr_array_sort (accounts, compare_by_address);
  return g_steal_pointer (&accounts);
}

/* ---- listing ----------------------------------------------------------- */

static void
on_managed_objects (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;

  reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &error);
  if (reply == NULL)
    {
      if (error_means_absent (error))
        {
          g_debug ("GNOME Online Accounts is not available: %s", error->message);
          g_task_return_pointer (task, g_ptr_array_new_with_free_func ((GDestroyNotify) pf_goa_account_free),
                                 (GDestroyNotify) g_ptr_array_unref);
        }
      else
        g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_task_return_pointer (task, accounts_from_managed_objects (reply),
                         (GDestroyNotify) g_ptr_array_unref);
}

static void
on_bus (GObject      *source,
        GAsyncResult *result,
        gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GDBusConnection) bus = NULL;
  g_autoptr(GError) error = NULL;

  bus = g_bus_get_finish (result, &error);
  if (bus == NULL)
    {
      g_debug ("No session bus, so no GNOME Online Accounts: %s", error->message);
      g_task_return_pointer (task, g_ptr_array_new_with_free_func ((GDestroyNotify) pf_goa_account_free),
                             (GDestroyNotify) g_ptr_array_unref);
      return;
    }
  /* GOA is started on demand by the bus, like any GNOME service. */
  g_dbus_connection_call (bus, PF_GOA_BUS_NAME, PF_GOA_MANAGER_PATH,
                          "org.freedesktop.DBus.ObjectManager", "GetManagedObjects",
                          NULL, G_VARIANT_TYPE ("(a{oa{sa{sv}}})"),
                          G_DBUS_CALL_FLAGS_NONE, -1, g_task_get_cancellable (task),
                          on_managed_objects, g_object_ref (task));
}

void
pf_goa_list_mail_accounts_async (GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);

  g_task_set_source_tag (task, pf_goa_list_mail_accounts_async);
  g_bus_get (G_BUS_TYPE_SESSION, cancellable, on_bus, g_object_ref (task));
}

GPtrArray *
pf_goa_list_mail_accounts_finish (GAsyncResult  *result,
                                  GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == pf_goa_list_mail_accounts_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

PfGoaAccount *
pf_goa_find_by_address (GPtrArray  *accounts,
                        const char *address)
{
  g_return_val_if_fail (accounts != NULL, NULL);

  if (address == NULL)
    return NULL;
  for (guint i = 0; i < accounts->len; i++)
    {
      PfGoaAccount *account = g_ptr_array_index (accounts, i);

      if (g_ascii_strcasecmp (account->address, address) == 0)
        return account;
    }
  return NULL;
}

PfGoaAccount *
pf_goa_find_by_id (GPtrArray  *accounts,
                   const char *id)
{
  g_return_val_if_fail (accounts != NULL, NULL);

  if (id == NULL)
    return NULL;
  for (guint i = 0; i < accounts->len; i++)
    {
      PfGoaAccount *account = g_ptr_array_index (accounts, i);

      if (g_strcmp0 (account->id, id) == 0)
        return account;
    }
  return NULL;
}

char *
pf_goa_explain_missing (GPtrArray  *accounts,
                        const char *address)
{
  g_return_val_if_fail (accounts != NULL, NULL);
  g_return_val_if_fail (address != NULL, NULL);

  if (accounts->len == 0)
    return g_strdup_printf (_("GNOME Online Accounts has no mail account that Popfetch can use, "
                              "or it is not available on this computer. Add the account for %s "
                              "in Settings → Online Accounts, or sign in another way."),
                            address);
  return g_strdup_printf (_("GNOME Online Accounts has no mail account for %s. Add it in "
                            "Settings → Online Accounts, or sign in another way."),
                          address);
}

/* ---- credentials --------------------------------------------------------- */

#define PF_TYPE_GOA_CREDENTIALS (pf_goa_credentials_get_type ())

G_DECLARE_FINAL_TYPE (PfGoaCredentials, pf_goa_credentials, PF, GOA_CREDENTIALS, GObject)

struct _PfGoaCredentials
{
  GObject   parent_instance;
  char     *account_id;
  /* The server refused the last token: ask GOA to check the sign-in
   * before the next one. */
  gboolean  invalidated;
};

static void pf_goa_credentials_iface_init (PfCredentialsInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (PfGoaCredentials, pf_goa_credentials, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (PF_TYPE_CREDENTIALS,
                                                      pf_goa_credentials_iface_init))

typedef struct
{
  GDBusConnection *bus;
  char            *object_path;
  char            *address;
} TokenRequest;

static void
token_request_free (TokenRequest *request)
{
  g_clear_object (&request->bus);
  g_free (request->object_path);
  g_free (request->address);
  g_free (request);
}

/* The sign-in is kept in GOA, which is not there: no D-Bus session, or
 * nobody answers for org.gnome.OnlineAccounts. */
static GError *
goa_absent_error (void)
{
  return g_error_new_literal (PF_OAUTH2_ERROR, PF_OAUTH2_ERROR_SIGN_IN_AGAIN,
                              _("GNOME Online Accounts is not available, so the sign-in "
                                "kept there cannot be used."));
}

/* A GOA failure in Popfetch's words; GOA's own text only as a detail, and
 * it never carries the token. */
static GError *
error_from_goa (const GError *error,
                const char   *address)
{
  g_autofree char *remote = g_dbus_error_get_remote_error (error);

  if (g_strcmp0 (remote, GOA_NOT_AUTHORIZED) == 0)
    return g_error_new (PF_OAUTH2_ERROR, PF_OAUTH2_ERROR_SIGN_IN_AGAIN,
                        _("GNOME Online Accounts needs you to sign in to %s again: "
                          "open Settings → Online Accounts."), address);
  if (error_means_absent (error))
    return goa_absent_error ();
  return g_error_copy (error);
}

static void
on_access_token (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  TokenRequest *request = g_task_get_task_data (task);
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;
  const char *token = NULL;
  gint32 expires_in = 0;

  reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &error);
  if (reply == NULL)
    {
      g_task_return_error (task, error_from_goa (error, request->address));
      return;
    }
  g_variant_get (reply, "(&si)", &token, &expires_in);
  if (*token == '\0')
    {
      g_task_return_new_error (task, PF_OAUTH2_ERROR, PF_OAUTH2_ERROR_SIGN_IN_AGAIN,
                               _("GNOME Online Accounts gave no sign-in for %s: "
                                 "open Settings → Online Accounts and sign in again."),
                               request->address);
      return;
    }
  g_task_return_pointer (task, pf_secret_new (PF_SECRET_ACCESS_TOKEN, token),
                         (GDestroyNotify) pf_secret_free);
}

static void
request_access_token (GTask *task)
{
  TokenRequest *request = g_task_get_task_data (task);

  g_dbus_connection_call (request->bus, PF_GOA_BUS_NAME, request->object_path,
                          GOA_OAUTH2_IFACE, "GetAccessToken",
                          NULL, G_VARIANT_TYPE ("(si)"),
                          G_DBUS_CALL_FLAGS_NONE, -1, g_task_get_cancellable (task),
                          on_access_token, g_object_ref (task));
}

static void
on_credentials_ensured (GObject      *source,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  TokenRequest *request = g_task_get_task_data (task);
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;

  reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &error);
  if (reply == NULL)
    {
      g_autofree char *remote = g_dbus_error_get_remote_error (error);

      /* Only a definite "not authorized" ends the attempt; the token is
       * asked for again anyway, which is the retry that matters. */
      if (g_strcmp0 (remote, GOA_NOT_AUTHORIZED) == 0)
        {
          g_task_return_error (task, error_from_goa (error, request->address));
          return;
        }
      g_debug ("EnsureCredentials failed: %s", error->message);
    }
  request_access_token (task);
}

static void
on_account_found (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PfGoaCredentials *self = g_task_get_source_object (task);
  TokenRequest *request = g_task_get_task_data (task);
  g_autoptr(GPtrArray) accounts = NULL;
  g_autoptr(GError) error = NULL;
  PfGoaAccount *account;

  accounts = pf_goa_list_mail_accounts_finish (result, &error);
  if (accounts == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  account = pf_goa_find_by_id (accounts, self->account_id);
  if (account == NULL)
    {
      if (accounts->len == 0)
        g_task_return_error (task, goa_absent_error ());
      else
        g_task_return_new_error (task, PF_OAUTH2_ERROR, PF_OAUTH2_ERROR_SIGN_IN_AGAIN,
                                 _("GNOME Online Accounts no longer has the mail account this "
                                   "account signs in with. Add it again in Settings → Online "
                                   "Accounts, or set the account up again."));
      return;
    }

  request->object_path = g_strdup (account->object_path);
  request->address = g_strdup (account->address);
  if (self->invalidated)
    {
      self->invalidated = FALSE;
      g_dbus_connection_call (request->bus, PF_GOA_BUS_NAME, request->object_path,
                              GOA_ACCOUNT_IFACE, "EnsureCredentials",
                              NULL, G_VARIANT_TYPE ("(i)"),
                              G_DBUS_CALL_FLAGS_NONE, -1, g_task_get_cancellable (task),
                              on_credentials_ensured, g_object_ref (task));
      return;
    }
  request_access_token (task);
}

static void
on_credentials_bus (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  TokenRequest *request = g_task_get_task_data (task);
  GError *error = NULL;

  request->bus = g_bus_get_finish (result, &error);
  if (request->bus == NULL)
    {
      g_debug ("No session bus: %s", error->message);
      g_clear_error (&error);
      g_task_return_error (task, goa_absent_error ());
      return;
    }
  /* The object path of an account may change between sessions; its Id
   * does not. Look it up each time. */
  pf_goa_list_mail_accounts_async (g_task_get_cancellable (task), on_account_found,
                                   g_object_ref (task));
}

static void
goa_get_secret_async (PfCredentials       *credentials,
                      GCancellable        *cancellable,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  PfGoaCredentials *self = PF_GOA_CREDENTIALS (credentials);
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, goa_get_secret_async);
  g_task_set_task_data (task, g_new0 (TokenRequest, 1), (GDestroyNotify) token_request_free);
  g_bus_get (G_BUS_TYPE_SESSION, cancellable, on_credentials_bus, g_object_ref (task));
}

static void
goa_invalidate (PfCredentials  *credentials,
                const PfSecret *rejected)
{
  PF_GOA_CREDENTIALS (credentials)->invalidated = TRUE;
}

static void
pf_goa_credentials_iface_init (PfCredentialsInterface *iface)
{
  iface->get_secret_async = goa_get_secret_async;
  iface->invalidate = goa_invalidate;
}

static void
pf_goa_credentials_finalize (GObject *object)
{
  PfGoaCredentials *self = PF_GOA_CREDENTIALS (object);

  g_free (self->account_id);
  G_OBJECT_CLASS (pf_goa_credentials_parent_class)->finalize (object);
}

static void
pf_goa_credentials_class_init (PfGoaCredentialsClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = pf_goa_credentials_finalize;
}

static void
pf_goa_credentials_init (PfGoaCredentials *self)
{
}

PfCredentials *
pf_goa_credentials_new (const char *account_id)
{
  PfGoaCredentials *self;

  g_return_val_if_fail (account_id != NULL, NULL);

  self = g_object_new (PF_TYPE_GOA_CREDENTIALS, NULL);
  self->account_id = g_strdup (account_id);
  return PF_CREDENTIALS (self);
}
