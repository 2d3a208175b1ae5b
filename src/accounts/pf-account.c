/* pf-account.c
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "pf-account.h"
#include "pf-goa.h"
#include "pf-demo.h"
#include "pf-error.h"
#include "pf-journal.h"
#include "pf-keyring-credentials.h"
#include "pf-paths.h"
#include "pf-provider.h"
#include "pf-oauth2-credentials.h"

struct _PfAccount
{
  GObject          parent_instance;

  char            *name;
  char            *address;
  char            *host;
  char            *user;
  char            *maildir;
  char            *pinned_fingerprint;
  char            *ca_file;
  guint64          max_size;
  guint            port;
  guint            delete_after_days;
  guint            interval;
  PfSecurity       security;
  PfAuthMechanism  mechanism;
  PfFetchPolicy    policy;
  gboolean         allow_plaintext;
  gboolean         delete_on_server;
  PfAccountAuth    auth;
  char            *oauth2_source;
  char            *goa_account_id;
  char            *oauth2_authorize_url;
  char            *oauth2_token_url;
  char            *oauth2_device_url;
  char            *oauth2_client_id;
  char            *oauth2_scope;
};

G_DEFINE_FINAL_TYPE (PfAccount, pf_account, G_TYPE_OBJECT)

G_DEFINE_ENUM_TYPE (PfAccountAuth, pf_account_auth,
  G_DEFINE_ENUM_VALUE (PF_ACCOUNT_AUTH_PASSWORD, "password"),
  G_DEFINE_ENUM_VALUE (PF_ACCOUNT_AUTH_OAUTH2, "oauth2"))

enum {
  PROP_0,
  PROP_NAME,
  PROP_ADDRESS,
  PROP_HOST,
  PROP_PORT,
  PROP_SECURITY,
  PROP_USER,
  PROP_MECHANISM,
  PROP_MAILDIR,
  PROP_POLICY,
  PROP_DELETE_AFTER_DAYS,
  PROP_MAX_SIZE,
  PROP_PINNED_FINGERPRINT,
  PROP_CA_FILE,
  PROP_ALLOW_PLAINTEXT,
  PROP_INTERVAL,
  PROP_DELETE_ON_SERVER,
  PROP_AUTH,
  PROP_OAUTH2_SOURCE,
  PROP_GOA_ACCOUNT_ID,
  PROP_OAUTH2_AUTHORIZE_URL,
  PROP_OAUTH2_TOKEN_URL,
  PROP_OAUTH2_DEVICE_URL,
  PROP_OAUTH2_CLIENT_ID,
  PROP_OAUTH2_SCOPE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
pf_account_finalize (GObject *object)
{
  PfAccount *self = (PfAccount *)object;

  g_clear_pointer (&self->name, g_free);
  g_clear_pointer (&self->address, g_free);
  g_clear_pointer (&self->host, g_free);
  g_clear_pointer (&self->user, g_free);
  g_clear_pointer (&self->maildir, g_free);
  g_clear_pointer (&self->pinned_fingerprint, g_free);
  g_clear_pointer (&self->ca_file, g_free);
  g_clear_pointer (&self->oauth2_source, g_free);
  g_clear_pointer (&self->goa_account_id, g_free);
  g_clear_pointer (&self->oauth2_authorize_url, g_free);
  g_clear_pointer (&self->oauth2_token_url, g_free);
  g_clear_pointer (&self->oauth2_device_url, g_free);
  g_clear_pointer (&self->oauth2_client_id, g_free);
  g_clear_pointer (&self->oauth2_scope, g_free);

  G_OBJECT_CLASS (pf_account_parent_class)->finalize (object);
}

static void
pf_account_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  PfAccount *self = PF_ACCOUNT (object);

  switch (prop_id)
    {
    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;
    case PROP_ADDRESS:
      g_value_set_string (value, self->address);
      break;
    case PROP_HOST:
      g_value_set_string (value, self->host);
      break;
    case PROP_PORT:
      g_value_set_uint (value, self->port);
      break;
    case PROP_SECURITY:
      g_value_set_enum (value, self->security);
      break;
    case PROP_USER:
      g_value_set_string (value, self->user);
      break;
    case PROP_MECHANISM:
      g_value_set_enum (value, self->mechanism);
      break;
    case PROP_MAILDIR:
      g_value_set_string (value, self->maildir);
      break;
    case PROP_POLICY:
      g_value_set_enum (value, self->policy);
      break;
    case PROP_DELETE_AFTER_DAYS:
      g_value_set_uint (value, self->delete_after_days);
      break;
    case PROP_MAX_SIZE:
      g_value_set_uint64 (value, self->max_size);
      break;
    case PROP_PINNED_FINGERPRINT:
      g_value_set_string (value, self->pinned_fingerprint);
      break;
    case PROP_CA_FILE:
      g_value_set_string (value, self->ca_file);
      break;
    case PROP_ALLOW_PLAINTEXT:
      g_value_set_boolean (value, self->allow_plaintext);
      break;
    case PROP_DELETE_ON_SERVER:
      g_value_set_boolean (value, self->delete_on_server);
      break;
    case PROP_INTERVAL:
      g_value_set_uint (value, self->interval);
      break;
    case PROP_AUTH:
      g_value_set_enum (value, self->auth);
      break;
    case PROP_OAUTH2_SOURCE:
      g_value_set_string (value, self->oauth2_source);
      break;
    case PROP_GOA_ACCOUNT_ID:
      g_value_set_string (value, self->goa_account_id);
      break;
    case PROP_OAUTH2_AUTHORIZE_URL:
      g_value_set_string (value, self->oauth2_authorize_url);
      break;
    case PROP_OAUTH2_TOKEN_URL:
      g_value_set_string (value, self->oauth2_token_url);
      break;
    case PROP_OAUTH2_DEVICE_URL:
      g_value_set_string (value, self->oauth2_device_url);
      break;
    case PROP_OAUTH2_CLIENT_ID:
      g_value_set_string (value, self->oauth2_client_id);
      break;
    case PROP_OAUTH2_SCOPE:
      g_value_set_string (value, self->oauth2_scope);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pf_account_set_property (GObject      *object,
                         guint         prop_id,
                         const GValue *value,
                         GParamSpec   *pspec)
{
  PfAccount *self = PF_ACCOUNT (object);

  switch (prop_id)
    {
    case PROP_NAME:
      pf_account_set_name (self, g_value_get_string (value));
      break;
    case PROP_ADDRESS:
      pf_account_set_address (self, g_value_get_string (value));
      break;
    case PROP_HOST:
      pf_account_set_host (self, g_value_get_string (value));
      break;
    case PROP_PORT:
      pf_account_set_port (self, g_value_get_uint (value));
      break;
    case PROP_SECURITY:
      pf_account_set_security (self, g_value_get_enum (value));
      break;
    case PROP_USER:
      pf_account_set_user (self, g_value_get_string (value));
      break;
    case PROP_MECHANISM:
      pf_account_set_mechanism (self, g_value_get_enum (value));
      break;
    case PROP_MAILDIR:
      pf_account_set_maildir (self, g_value_get_string (value));
      break;
    case PROP_POLICY:
      pf_account_set_policy (self, g_value_get_enum (value));
      break;
    case PROP_DELETE_AFTER_DAYS:
      pf_account_set_delete_after_days (self, g_value_get_uint (value));
      break;
    case PROP_MAX_SIZE:
      pf_account_set_max_size (self, g_value_get_uint64 (value));
      break;
    case PROP_PINNED_FINGERPRINT:
      pf_account_set_pinned_fingerprint (self, g_value_get_string (value));
      break;
    case PROP_CA_FILE:
      pf_account_set_ca_file (self, g_value_get_string (value));
      break;
    case PROP_ALLOW_PLAINTEXT:
      pf_account_set_allow_plaintext (self, g_value_get_boolean (value));
      break;
    case PROP_DELETE_ON_SERVER:
      pf_account_set_delete_on_server (self, g_value_get_boolean (value));
      break;
    case PROP_INTERVAL:
      pf_account_set_interval (self, g_value_get_uint (value));
      break;
    case PROP_AUTH:
      pf_account_set_auth (self, g_value_get_enum (value));
      break;
    case PROP_OAUTH2_SOURCE:
      pf_account_set_oauth2_source (self, g_value_get_string (value));
      break;
    case PROP_GOA_ACCOUNT_ID:
      pf_account_set_goa_account_id (self, g_value_get_string (value));
      break;
    case PROP_OAUTH2_AUTHORIZE_URL:
      pf_account_set_oauth2_authorize_url (self, g_value_get_string (value));
      break;
    case PROP_OAUTH2_TOKEN_URL:
      pf_account_set_oauth2_token_url (self, g_value_get_string (value));
      break;
    case PROP_OAUTH2_DEVICE_URL:
      pf_account_set_oauth2_device_url (self, g_value_get_string (value));
      break;
    case PROP_OAUTH2_CLIENT_ID:
      pf_account_set_oauth2_client_id (self, g_value_get_string (value));
      break;
    case PROP_OAUTH2_SCOPE:
      pf_account_set_oauth2_scope (self, g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

#define PROP_FLAGS (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS)

static void
pf_account_class_init (PfAccountClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = pf_account_finalize;
  object_class->get_property = pf_account_get_property;
  object_class->set_property = pf_account_set_property;

  properties[PROP_NAME] =
    g_param_spec_string ("name", NULL, NULL, NULL, PROP_FLAGS);
  properties[PROP_ADDRESS] =
    g_param_spec_string ("address", NULL, NULL, NULL, PROP_FLAGS);
  properties[PROP_HOST] =
    g_param_spec_string ("host", NULL, NULL, NULL, PROP_FLAGS);
  properties[PROP_PORT] =
    g_param_spec_uint ("port", NULL, NULL, 0, G_MAXUINT16, 995, PROP_FLAGS);
  properties[PROP_SECURITY] =
    g_param_spec_enum ("security", NULL, NULL, PF_TYPE_SECURITY, PF_SECURITY_TLS, PROP_FLAGS);
  properties[PROP_USER] =
    g_param_spec_string ("user", NULL, NULL, NULL, PROP_FLAGS);
  properties[PROP_MECHANISM] =
    g_param_spec_enum ("mechanism", NULL, NULL, PF_TYPE_AUTH_MECHANISM, PF_AUTH_AUTO, PROP_FLAGS);
  properties[PROP_MAILDIR] =
    g_param_spec_string ("maildir", NULL, NULL, NULL, PROP_FLAGS);
  properties[PROP_POLICY] =
    g_param_spec_enum ("policy", NULL, NULL, PF_TYPE_FETCH_POLICY, PF_FETCH_KEEP, PROP_FLAGS);
  properties[PROP_DELETE_AFTER_DAYS] =
    g_param_spec_uint ("delete-after-days", NULL, NULL, 0, PF_ACCOUNT_DAYS_MAX, 0, PROP_FLAGS);
  properties[PROP_MAX_SIZE] =
    g_param_spec_uint64 ("max-size", NULL, NULL, 0, G_MAXUINT64, 0, PROP_FLAGS);
  properties[PROP_PINNED_FINGERPRINT] =
    g_param_spec_string ("pinned-fingerprint", NULL, NULL, NULL, PROP_FLAGS);
  properties[PROP_CA_FILE] =
    g_param_spec_string ("ca-file", NULL, NULL, NULL, PROP_FLAGS);
  properties[PROP_ALLOW_PLAINTEXT] =
    g_param_spec_boolean ("allow-plaintext", NULL, NULL, FALSE, PROP_FLAGS);
  properties[PROP_DELETE_ON_SERVER] =
    g_param_spec_boolean ("delete-on-server", NULL, NULL, FALSE, PROP_FLAGS);
  properties[PROP_INTERVAL] =
    g_param_spec_uint ("interval", NULL, NULL, 0, PF_ACCOUNT_INTERVAL_MAX, 0, PROP_FLAGS);
  properties[PROP_AUTH] =
    g_param_spec_enum ("auth", NULL, NULL, PF_TYPE_ACCOUNT_AUTH, PF_ACCOUNT_AUTH_PASSWORD, PROP_FLAGS);
  properties[PROP_OAUTH2_SOURCE] =
    g_param_spec_string ("oauth2-source", NULL, NULL, NULL, PROP_FLAGS);
  properties[PROP_GOA_ACCOUNT_ID] =
    g_param_spec_string ("goa-account-id", NULL, NULL, NULL, PROP_FLAGS);
  properties[PROP_OAUTH2_AUTHORIZE_URL] =
    g_param_spec_string ("oauth2-authorize-url", NULL, NULL, NULL, PROP_FLAGS);
  properties[PROP_OAUTH2_TOKEN_URL] =
    g_param_spec_string ("oauth2-token-url", NULL, NULL, NULL, PROP_FLAGS);
  properties[PROP_OAUTH2_DEVICE_URL] =
    g_param_spec_string ("oauth2-device-url", NULL, NULL, NULL, PROP_FLAGS);
  properties[PROP_OAUTH2_CLIENT_ID] =
    g_param_spec_string ("oauth2-client-id", NULL, NULL, NULL, PROP_FLAGS);
  properties[PROP_OAUTH2_SCOPE] =
    g_param_spec_string ("oauth2-scope", NULL, NULL, NULL, PROP_FLAGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
pf_account_init (PfAccount *self)
{
  self->port = 995;
  self->security = PF_SECURITY_TLS;
  self->mechanism = PF_AUTH_AUTO;
  self->policy = PF_FETCH_KEEP;
}

PfAccount *
pf_account_new (const char *name)
{
  return g_object_new (PF_TYPE_ACCOUNT, "name", name, NULL);
}

PfAccount *
pf_account_copy (PfAccount *self)
{
  PfAccount *copy;

  g_return_val_if_fail (PF_IS_ACCOUNT (self), NULL);

  copy = pf_account_new (self->name);
  copy->address = g_strdup (self->address);
  copy->host = g_strdup (self->host);
  copy->user = g_strdup (self->user);
  copy->maildir = g_strdup (self->maildir);
  copy->pinned_fingerprint = g_strdup (self->pinned_fingerprint);
  copy->ca_file = g_strdup (self->ca_file);
  copy->max_size = self->max_size;
  copy->port = self->port;
  copy->delete_after_days = self->delete_after_days;
  copy->interval = self->interval;
  copy->security = self->security;
  copy->mechanism = self->mechanism;
  copy->policy = self->policy;
  copy->allow_plaintext = self->allow_plaintext;
  copy->delete_on_server = self->delete_on_server;
  copy->auth = self->auth;
  copy->oauth2_source = g_strdup (self->oauth2_source);
  copy->goa_account_id = g_strdup (self->goa_account_id);
  copy->oauth2_authorize_url = g_strdup (self->oauth2_authorize_url);
  copy->oauth2_token_url = g_strdup (self->oauth2_token_url);
  copy->oauth2_device_url = g_strdup (self->oauth2_device_url);
  copy->oauth2_client_id = g_strdup (self->oauth2_client_id);
  copy->oauth2_scope = g_strdup (self->oauth2_scope);
  return copy;
}

/* Empty strings mean "unset" for every optional string field. */
static void
set_string (PfAccount   *self,
            char       **field,
            const char  *value,
            guint        prop)
{
  if (value != NULL && *value == '\0')
    value = NULL;
  if (g_strcmp0 (*field, value) == 0)
    return;
  g_free (*field);
  *field = g_strdup (value);
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);
}

static void
set_uint (PfAccount *self,
          guint     *field,
          guint      value,
          guint      prop)
{
  if (*field == value)
    return;
  *field = value;
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);
}

#define STRING_ACCESSORS(field, PROP)                                   \
  const char *                                                          \
  pf_account_get_##field (PfAccount *self)                              \
  {                                                                     \
    g_return_val_if_fail (PF_IS_ACCOUNT (self), NULL);                  \
    return self->field;                                                 \
  }                                                                     \
  void                                                                  \
  pf_account_set_##field (PfAccount  *self,                             \
                          const char *value)                            \
  {                                                                     \
    g_return_if_fail (PF_IS_ACCOUNT (self));                            \
    set_string (self, &self->field, value, PROP);                       \
  }

#define UINT_ACCESSORS(field, PROP)                                     \
  guint                                                                 \
  pf_account_get_##field (PfAccount *self)                              \
  {                                                                     \
    g_return_val_if_fail (PF_IS_ACCOUNT (self), 0);                     \
    return self->field;                                                 \
  }                                                                     \
  void                                                                  \
  pf_account_set_##field (PfAccount *self,                              \
                          guint      value)                             \
  {                                                                     \
    g_return_if_fail (PF_IS_ACCOUNT (self));                            \
    set_uint (self, &self->field, value, PROP);                         \
  }

STRING_ACCESSORS (name, PROP_NAME)
STRING_ACCESSORS (address, PROP_ADDRESS)
STRING_ACCESSORS (host, PROP_HOST)
STRING_ACCESSORS (user, PROP_USER)
STRING_ACCESSORS (maildir, PROP_MAILDIR)
STRING_ACCESSORS (pinned_fingerprint, PROP_PINNED_FINGERPRINT)
STRING_ACCESSORS (ca_file, PROP_CA_FILE)
STRING_ACCESSORS (oauth2_source, PROP_OAUTH2_SOURCE)
STRING_ACCESSORS (goa_account_id, PROP_GOA_ACCOUNT_ID)
STRING_ACCESSORS (oauth2_authorize_url, PROP_OAUTH2_AUTHORIZE_URL)
STRING_ACCESSORS (oauth2_token_url, PROP_OAUTH2_TOKEN_URL)
STRING_ACCESSORS (oauth2_device_url, PROP_OAUTH2_DEVICE_URL)
STRING_ACCESSORS (oauth2_client_id, PROP_OAUTH2_CLIENT_ID)
STRING_ACCESSORS (oauth2_scope, PROP_OAUTH2_SCOPE)
UINT_ACCESSORS (port, PROP_PORT)
UINT_ACCESSORS (delete_after_days, PROP_DELETE_AFTER_DAYS)
UINT_ACCESSORS (interval, PROP_INTERVAL)

PfSecurity
pf_account_get_security (PfAccount *self)
{
  g_return_val_if_fail (PF_IS_ACCOUNT (self), PF_SECURITY_TLS);
  return self->security;
}

void
pf_account_set_security (PfAccount  *self,
                         PfSecurity  security)
{
  g_return_if_fail (PF_IS_ACCOUNT (self));
  set_uint (self, (guint *) &self->security, security, PROP_SECURITY);
}

PfAuthMechanism
pf_account_get_mechanism (PfAccount *self)
{
  g_return_val_if_fail (PF_IS_ACCOUNT (self), PF_AUTH_AUTO);
  return self->mechanism;
}

void
pf_account_set_mechanism (PfAccount       *self,
                          PfAuthMechanism  mechanism)
{
  g_return_if_fail (PF_IS_ACCOUNT (self));
  set_uint (self, (guint *) &self->mechanism, mechanism, PROP_MECHANISM);
}

PfAccountAuth
pf_account_get_auth (PfAccount *self)
{
  g_return_val_if_fail (PF_IS_ACCOUNT (self), PF_ACCOUNT_AUTH_PASSWORD);
  return self->auth;
}

void
pf_account_set_auth (PfAccount     *self,
                     PfAccountAuth  auth)
{
  g_return_if_fail (PF_IS_ACCOUNT (self));
  set_uint (self, (guint *) &self->auth, auth, PROP_AUTH);
}

PfFetchPolicy
pf_account_get_policy (PfAccount *self)
{
  g_return_val_if_fail (PF_IS_ACCOUNT (self), PF_FETCH_KEEP);
  return self->policy;
}

void
pf_account_set_policy (PfAccount     *self,
                       PfFetchPolicy  policy)
{
  g_return_if_fail (PF_IS_ACCOUNT (self));
  set_uint (self, (guint *) &self->policy, policy, PROP_POLICY);
}

guint64
pf_account_get_max_size (PfAccount *self)
{
  g_return_val_if_fail (PF_IS_ACCOUNT (self), 0);
  return self->max_size;
}

void
pf_account_set_max_size (PfAccount *self,
                         guint64    bytes)
{
  g_return_if_fail (PF_IS_ACCOUNT (self));
  if (self->max_size == bytes)
    return;
  self->max_size = bytes;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MAX_SIZE]);
}

gboolean
pf_account_get_allow_plaintext (PfAccount *self)
{
  g_return_val_if_fail (PF_IS_ACCOUNT (self), FALSE);
  return self->allow_plaintext;
}

void
pf_account_set_allow_plaintext (PfAccount *self,
                                gboolean   allow)
{
  g_return_if_fail (PF_IS_ACCOUNT (self));
  set_uint (self, (guint *) &self->allow_plaintext, !!allow, PROP_ALLOW_PLAINTEXT);
}

gboolean
pf_account_get_delete_on_server (PfAccount *self)
{
  g_return_val_if_fail (PF_IS_ACCOUNT (self), FALSE);
  return self->delete_on_server;
}

void
pf_account_set_delete_on_server (PfAccount *self,
                                 gboolean   delete_on_server)
{
  g_return_if_fail (PF_IS_ACCOUNT (self));
  set_uint (self, (guint *) &self->delete_on_server, !!delete_on_server, PROP_DELETE_ON_SERVER);
}

char *
pf_account_dup_effective_maildir (PfAccount *self)
{
  g_return_val_if_fail (PF_IS_ACCOUNT (self), NULL);

  if (self->maildir != NULL)
    return g_strdup (self->maildir);
  return g_build_filename (g_get_home_dir (), "Mail", self->name, NULL);
}

static gboolean
has_control_chars (const char *text)
{
  for (const char *p = text; *p != '\0'; p++)
    if (g_ascii_iscntrl (*p))
      return TRUE;
  return FALSE;
}

gboolean
pf_account_name_is_valid (const char *name)
{
  gsize len;

  if (name == NULL)
    return FALSE;
  len = strlen (name);
  if (len == 0 || len > PF_ACCOUNT_NAME_MAX)
    return FALSE;
  if (!g_utf8_validate (name, len, NULL) || has_control_chars (name))
    return FALSE;
  /* GKeyFile group names cannot hold brackets; a slash would make the
   * default Maildir ~/Mail/<name> escape ~/Mail. */
  if (strpbrk (name, "[]/\\") != NULL)
    return FALSE;
  if (g_ascii_isspace (name[0]) || g_ascii_isspace (name[len - 1]))
    return FALSE;
  if (strcmp (name, ".") == 0 || strcmp (name, "..") == 0)
    return FALSE;
  return TRUE;
}

static gboolean
host_is_valid (const char *host)
{
  gsize len;

  if (host == NULL)
    return FALSE;
  len = strlen (host);
  if (len == 0 || len > 253)
    return FALSE;
  for (const char *p = host; *p != '\0'; p++)
    if (!(g_ascii_isalnum (*p) || *p == '.' || *p == '-' || *p == ':' || *p == '_'))
      return FALSE;
  return TRUE;
}

static gboolean
address_is_valid (const char *address)
{
  const char *at;

  if (address == NULL || !g_utf8_validate (address, -1, NULL) || has_control_chars (address))
    return FALSE;
  if (strpbrk (address, " \t") != NULL)
    return FALSE;
  at = strrchr (address, '@');
  return at != NULL && at != address && at[1] != '\0' && host_is_valid (at + 1);
}

static gboolean
invalid (GError     **error,
         const char  *name,
         const char  *format,
         ...) G_GNUC_PRINTF (3, 4);

static gboolean
invalid (GError     **error,
         const char  *name,
         const char  *format,
         ...)
{
  g_autofree char *detail = NULL;
  va_list args;

  va_start (args, format);
  detail = g_strdup_vprintf (format, args);
  va_end (args);

  g_set_error (error, PF_ERROR, PF_ERROR_INVALID_INPUT,
               /* Translators: "Account “work”: the port must be …" */
               _("Account “%s”: %s"), name != NULL ? name : "", detail);
  return FALSE;
}

static gboolean
oauth2_is_valid (PfAccount  *self,
                 GError    **error)
{
  const struct { const char *url; const char *what; } urls[] = {
    { self->oauth2_authorize_url, "oauth2-authorize-url" },
    { self->oauth2_token_url, "oauth2-token-url" },
    { self->oauth2_device_url, "oauth2-device-url" },
  };
  const char * const texts[] = { self->oauth2_client_id, self->oauth2_scope, self->goa_account_id };

  if (self->mechanism != PF_AUTH_AUTO && self->mechanism != PF_AUTH_XOAUTH2 &&
      self->mechanism != PF_AUTH_OAUTHBEARER)
    return invalid (error, self->name,
                    _("an OAuth2 sign-in logs in with XOAUTH2 or OAUTHBEARER, not %s"),
                    pf_auth_mechanism_to_string (self->mechanism));
  for (guint i = 0; i < G_N_ELEMENTS (texts); i++)
    if (texts[i] != NULL && (has_control_chars (texts[i]) || !g_utf8_validate (texts[i], -1, NULL)))
      return invalid (error, self->name, _("the OAuth2 settings must not contain control characters"));

  if (g_strcmp0 (self->oauth2_source, PF_ACCOUNT_OAUTH2_SOURCE_GOA) == 0)
    {
      if (self->goa_account_id == NULL)
        return invalid (error, self->name,
                        _("a GNOME Online Accounts sign-in needs goa-account-id"));
      return TRUE;
    }
  if (self->oauth2_source != NULL && pf_oauth2_lookup_provider (self->oauth2_source) == NULL)
    return invalid (error, self->name, _("unknown OAuth2 source “%s”"), self->oauth2_source);
  if (self->oauth2_source == NULL &&
      (self->oauth2_token_url == NULL || self->oauth2_client_id == NULL || self->oauth2_scope == NULL ||
       (self->oauth2_authorize_url == NULL && self->oauth2_device_url == NULL)))
    return invalid (error, self->name,
                    _("an OAuth2 sign-in needs oauth2-source, or oauth2-authorize-url (or "
                      "oauth2-device-url), oauth2-token-url, oauth2-client-id and oauth2-scope"));
  for (guint i = 0; i < G_N_ELEMENTS (urls); i++)
    {
      g_autoptr(GError) url_error = NULL;

      if (urls[i].url != NULL && !pf_oauth2_check_url (urls[i].url, urls[i].what, &url_error))
        return invalid (error, self->name, "%s", url_error->message);
    }
  return TRUE;
}

gboolean
pf_account_validate (PfAccount  *self,
                     GError    **error)
{
  g_autofree char *pin = NULL;

  g_return_val_if_fail (PF_IS_ACCOUNT (self), FALSE);

  if (!pf_account_name_is_valid (self->name))
    return invalid (error, self->name,
                    _("the name must be 1 to %d characters, without brackets, slashes, "
                      "control characters or surrounding spaces"),
                    PF_ACCOUNT_NAME_MAX);
  if (!address_is_valid (self->address))
    return invalid (error, self->name,
                    _("“%s” is not a mail address of the form user@domain"),
                    self->address != NULL ? self->address : "");
  if (!host_is_valid (self->host))
    return invalid (error, self->name,
                    _("“%s” is not a valid server name"),
                    self->host != NULL ? self->host : "");
  if (self->port < 1 || self->port > 65535)
    return invalid (error, self->name, _("the port must be between 1 and 65535"));
  if (self->security > PF_SECURITY_NONE)
    return invalid (error, self->name, _("unknown security setting"));
  if (self->user == NULL || !g_utf8_validate (self->user, -1, NULL) || has_control_chars (self->user))
    return invalid (error, self->name,
                    _("the user name must be set and must not contain control characters"));
  if (self->mechanism > PF_AUTH_OAUTHBEARER)
    return invalid (error, self->name, _("unknown authentication mechanism"));
  if (self->maildir != NULL && (!g_path_is_absolute (self->maildir) || has_control_chars (self->maildir)))
    return invalid (error, self->name,
                    _("the Maildir must be an absolute path, not “%s”"), self->maildir);
  if (self->policy > PF_FETCH_DELETE_AFTER_DAYS)
    return invalid (error, self->name, _("unknown policy"));
  if (self->policy == PF_FETCH_DELETE_AFTER_DAYS
      && (self->delete_after_days < 1 || self->delete_after_days > PF_ACCOUNT_DAYS_MAX))
    return invalid (error, self->name,
                    _("“delete after” needs a number of days between 1 and %d"),
                    PF_ACCOUNT_DAYS_MAX);
  if (self->pinned_fingerprint != NULL)
    {
      pin = pf_sha256_fingerprint_normalize (self->pinned_fingerprint);
      if (pin == NULL || strcmp (pin, self->pinned_fingerprint) != 0)
        return invalid (error, self->name,
                        _("the pinned fingerprint must be 64 lowercase hexadecimal digits (SHA-256)"));
    }
  if (self->ca_file != NULL && (!g_path_is_absolute (self->ca_file) || has_control_chars (self->ca_file)))
    return invalid (error, self->name,
                    _("the CA file must be an absolute path, not “%s”"), self->ca_file);
  if (self->interval > PF_ACCOUNT_INTERVAL_MAX)
    return invalid (error, self->name,
                    _("the fetch interval must be at most %d minutes"), PF_ACCOUNT_INTERVAL_MAX);
  if (self->auth > PF_ACCOUNT_AUTH_OAUTH2)
    return invalid (error, self->name, _("unknown sign-in method"));
  if (self->auth == PF_ACCOUNT_AUTH_OAUTH2 && !oauth2_is_valid (self, error))
    return FALSE;
  if (self->security == PF_SECURITY_NONE && !self->allow_plaintext)
    return invalid (error, self->name,
                    _("“no encryption” sends the password in the clear and must be "
                      "chosen explicitly (allow-plaintext)"));
  return TRUE;
}

/* ---- The road to the engine ------------------------------------------ */

PfServerSettings *
pf_account_dup_server_settings (PfAccount  *self,
                                GError    **error)
{
  g_autoptr(PfServerSettings) settings = NULL;
  g_autoptr(PfDemo) demo = NULL;
  GError *local_error = NULL;

  g_return_val_if_fail (PF_IS_ACCOUNT (self), NULL);
  g_return_val_if_fail (self->host != NULL, NULL);

  settings = pf_server_settings_new (self->host, (guint16) self->port, self->security);
  /* Validated when the account was loaded or saved. */
  pf_server_settings_set_pinned_fingerprint (settings, self->pinned_fingerprint);
  pf_server_settings_set_ca_file (settings, self->ca_file);
  pf_server_settings_set_allow_plaintext_auth (settings, self->allow_plaintext);

  demo = pf_demo_load_from_environment (&local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return NULL;
    }
  if (demo == NULL)
    return g_steal_pointer (&settings);
  return pf_demo_map_settings (demo, settings, error);
}

PfOAuth2Config *
pf_account_dup_oauth2_config (PfAccount  *self,
                              GError    **error)
{
  g_autoptr(PfOAuth2Config) config = NULL;
  GError *local_error = NULL;

  g_return_val_if_fail (PF_IS_ACCOUNT (self), NULL);

  if (self->auth != PF_ACCOUNT_AUTH_OAUTH2 ||
      g_strcmp0 (self->oauth2_source, PF_ACCOUNT_OAUTH2_SOURCE_GOA) == 0)
    {
      g_set_error (error, PF_ERROR, PF_ERROR_CONFIG,
                   _("Account “%s” does not sign in with Popfetch’s own OAuth2 sign-in."),
                   self->name);
      return NULL;
    }
  if (self->oauth2_source != NULL)
    {
      config = pf_oauth2_config_new_for_provider (self->oauth2_source, &local_error);
      if (config == NULL)
        {
          g_set_error (error, PF_ERROR, PF_ERROR_CONFIG, _("Account “%s”: %s"),
                       self->name, local_error->message);
          g_error_free (local_error);
          return NULL;
        }
    }
  else
    config = pf_oauth2_config_new ();
  pf_oauth2_config_override (&config->authorize_url, self->oauth2_authorize_url);
  pf_oauth2_config_override (&config->token_url, self->oauth2_token_url);
  pf_oauth2_config_override (&config->device_url, self->oauth2_device_url);
  pf_oauth2_config_override (&config->client_id, self->oauth2_client_id);
  pf_oauth2_config_override (&config->scope, self->oauth2_scope);
  /* A provider's client secret belongs to the provider's client id. */
  if (self->oauth2_client_id != NULL)
    g_clear_pointer (&config->client_secret, g_free);
  return g_steal_pointer (&config);
}

/* OAuth2 through GNOME Online Accounts: tokens from the session's
 * org.gnome.OnlineAccounts service. */
static PfCredentials *
create_goa_credentials (PfAccount  *self,
                        GError    **error)
{
  if (self->goa_account_id == NULL || *self->goa_account_id == '\0')
    {
      g_set_error_literal (error, PF_ERROR, PF_ERROR_CONFIG,
                           _("The account signs in through GNOME Online Accounts but names no "
                             "account of it (goa-account-id)."));
      return NULL;
    }
  return pf_goa_credentials_new (self->goa_account_id);
}

PfCredentials *
pf_account_create_credentials (PfAccount  *self,
                               GError    **error)
{
  g_autoptr(PfOAuth2Config) config = NULL;

  g_return_val_if_fail (PF_IS_ACCOUNT (self), NULL);
  g_return_val_if_fail (self->host != NULL && self->user != NULL, NULL);

  if (self->auth == PF_ACCOUNT_AUTH_PASSWORD)
    /* Keyed by the saved host, never by a demo mapping's address. */
    return pf_keyring_credentials_new (self->host, self->user);

  if (g_strcmp0 (self->oauth2_source, PF_ACCOUNT_OAUTH2_SOURCE_GOA) == 0)
    return create_goa_credentials (self, error);

  config = pf_account_dup_oauth2_config (self, error);
  if (config == NULL)
    return NULL;
  return PF_CREDENTIALS (pf_oauth2_credentials_new (config, self->name, self->user));
}

GError *
pf_account_classify_error (PfAccount    *self,
                           const GError *error)
{
  g_return_val_if_fail (PF_IS_ACCOUNT (self), NULL);
  g_return_val_if_fail (error != NULL, NULL);

  /* The road renewed the token once before giving up (the fetcher and the
   * login test do): the provider vouches for the sign-in, the POP server
   * does not take it. */
  if (self->auth == PF_ACCOUNT_AUTH_OAUTH2 && g_error_matches (error, PF_ERROR, PF_ERROR_AUTH_REJECTED))
    return g_error_new (PF_OAUTH2_ERROR, PF_OAUTH2_ERROR_POP_REFUSED,
                        _("The provider issued a valid token, but the mail server refused it "
                          "(“%s”). POP may be switched off for this mailbox, or the token was "
                          "issued for another user than %s."),
                        error->message, self->user);
  return g_error_copy (error);
}

PfExplanation *
pf_account_explain_error (PfAccount    *self,
                          const GError *error)
{
  g_autoptr(GError) classified = NULL;
  PfExplanation *explanation;

  g_return_val_if_fail (PF_IS_ACCOUNT (self), NULL);
  g_return_val_if_fail (error != NULL, NULL);

  classified = pf_account_classify_error (self, error);
  explanation = pf_oauth2_error_explain (classified);
  return explanation != NULL ? explanation : pf_error_explain (classified);
}

/* What the provider table knows that shapes a fetch: a provider that
 * hands out the mailbox in batches gets up to ACCOUNT_BATCH_SESSIONS
 * sessions per fetch (20 × Gmail's 250 is 5,000 conversations; a larger
 * backlog continues at the next fetch), and its documented mailbox limit
 * goes into the server view. The address's domain names the provider
 * first (gmail.com: Gmail, whose limit the table knows), the server's
 * host second (a company domain at Google Workspace). */
#define ACCOUNT_BATCH_SESSIONS 20

static void
account_apply_provider (PfAccount *self,
                        PfFetcher *fetcher)
{
  PfProvider *provider = self->address != NULL ? pf_provider_lookup_domain (self->address) : NULL;

  if (provider == NULL && self->host != NULL)
    provider = pf_provider_lookup_server (self->host);
  if (provider == NULL)
    return;
  if (pf_provider_get_pop3_batch (provider) > 0)
    pf_fetcher_set_max_sessions (fetcher, ACCOUNT_BATCH_SESSIONS);
  pf_fetcher_set_quota (fetcher, pf_provider_get_quota (provider));
}

PfFetcher *
pf_account_create_fetcher (PfAccount      *self,
                           PfCredentials  *credentials,
                           GError        **error)
{
  g_autoptr(PfServerSettings) settings = NULL;
  g_autoptr(PfCredentials) keyring = NULL;
  g_autofree char *maildir = NULL;
  PfFetcher *fetcher;

  g_return_val_if_fail (PF_IS_ACCOUNT (self), NULL);
  g_return_val_if_fail (credentials == NULL || PF_IS_CREDENTIALS (credentials), NULL);

  settings = pf_account_dup_server_settings (self, error);
  if (settings == NULL)
    return NULL;
  if (credentials == NULL)
    credentials = keyring = pf_account_create_credentials (self, error);
  if (credentials == NULL)
    return NULL;

  maildir = pf_account_dup_effective_maildir (self);
  fetcher = pf_fetcher_new (settings, self->user, maildir);
  /* A saved account's journal and lock are its own, keyed by its name:
   * they survive an edit of the host (pf_account_store_update_async moves
   * them along when the name changes). */
  pf_fetcher_set_account (fetcher, self->name);
  pf_fetcher_set_mechanism (fetcher, self->mechanism);
  pf_fetcher_set_credentials (fetcher, credentials);
  pf_fetcher_set_policy (fetcher, self->policy, self->delete_after_days);
  pf_fetcher_set_size_limit (fetcher, self->max_size);
  account_apply_provider (self, fetcher);
  return fetcher;
}

static void
on_server_view_loaded (GObject      *source,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  PfServerView *view = pf_server_view_load_finish (result, &error);

  if (view == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, view, (GDestroyNotify) pf_server_view_unref);
}

void
pf_account_load_server_view_async (PfAccount           *self,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_autofree char *state_dir = NULL;
  g_autofree char *key = NULL;
  g_autofree char *path = NULL;
  GTask *task;

  g_return_if_fail (PF_IS_ACCOUNT (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, pf_account_load_server_view_async);
  /* Where pf_account_create_fetcher()'s fetcher writes it. */
  state_dir = pf_paths_state_dir ();
  key = pf_journal_saved_account_key (self->name);
  path = pf_server_view_build_path (state_dir, key);
  pf_server_view_load_async (path, cancellable, on_server_view_loaded, task);
}

PfServerView *
pf_account_load_server_view_finish (PfAccount     *self,
                                    GAsyncResult  *result,
                                    GError       **error)
{
  g_return_val_if_fail (PF_IS_ACCOUNT (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == pf_account_load_server_view_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

PfLoginTest *
pf_account_create_login_test (PfAccount  *self,
                              GError    **error)
{
  g_autoptr(PfServerSettings) settings = NULL;
  g_autoptr(GError) local_error = NULL;
  PfLoginTest *test;

  g_return_val_if_fail (PF_IS_ACCOUNT (self), NULL);
  g_return_val_if_fail (self->host != NULL, NULL);

  settings = pf_account_dup_server_settings (self, error);
  if (settings == NULL)
    return NULL;
  if (!pf_server_settings_load_ca_file (settings, &local_error))
    {
      g_set_error (error, PF_ERROR, PF_ERROR_CONFIG,
                   _("Account “%s”: cannot read the CA file: %s"),
                   self->name, local_error->message);
      return NULL;
    }

  test = pf_login_test_new (settings);
  pf_login_test_set_address (test, self->address);
  if (self->user != NULL)
    pf_login_test_set_user (test, self->user);
  pf_login_test_set_mechanism (test, self->mechanism);
  return test;
}

void
pf_account_learn_from_login_test (PfAccount   *self,
                                  PfDiagnosis *diagnosis)
{
  g_return_if_fail (PF_IS_ACCOUNT (self));
  g_return_if_fail (PF_IS_DIAGNOSIS (diagnosis));

  if (!pf_diagnosis_get_success (diagnosis))
    return;
  if (pf_diagnosis_get_user (diagnosis) != NULL)
    pf_account_set_user (self, pf_diagnosis_get_user (diagnosis));
  /* The user's own choice stands, as for a saved account. */
  if (self->mechanism == PF_AUTH_AUTO && pf_diagnosis_get_fell_back (diagnosis))
    pf_account_set_mechanism (self, pf_diagnosis_get_mechanism (diagnosis));
}

/* ---- Rules about editing --------------------------------------------- */

gboolean
pf_account_host_equal (const char *a,
                       const char *b)
{
  gsize len_a, len_b;

  if (a == NULL || b == NULL)
    return a == b;

  len_a = strlen (a);
  len_b = strlen (b);
  if (len_a > 0 && a[len_a - 1] == '.')
    len_a--;
  if (len_b > 0 && b[len_b - 1] == '.')
    len_b--;
  return len_a == len_b && g_ascii_strncasecmp (a, b, len_a) == 0;
}

gboolean
pf_account_same_server (PfAccount *a,
                        PfAccount *b)
{
  g_return_val_if_fail (PF_IS_ACCOUNT (a), FALSE);
  g_return_val_if_fail (PF_IS_ACCOUNT (b), FALSE);

  return pf_account_host_equal (a->host, b->host) && a->port == b->port;
}

gboolean
pf_account_same_keyring_item (PfAccount *a,
                              PfAccount *b)
{
  g_return_val_if_fail (PF_IS_ACCOUNT (a), FALSE);
  g_return_val_if_fail (PF_IS_ACCOUNT (b), FALSE);

  return g_strcmp0 (a->host, b->host) == 0 && g_strcmp0 (a->user, b->user) == 0;
}

gboolean
pf_account_same_oauth2_sign_in (PfAccount *a,
                                PfAccount *b)
{
  g_autoptr(PfOAuth2Config) config_a = NULL;
  g_autoptr(PfOAuth2Config) config_b = NULL;

  g_return_val_if_fail (PF_IS_ACCOUNT (a), FALSE);
  g_return_val_if_fail (PF_IS_ACCOUNT (b), FALSE);

  config_a = pf_account_dup_oauth2_config (a, NULL);
  config_b = pf_account_dup_oauth2_config (b, NULL);
  return config_a != NULL && config_b != NULL &&
         g_strcmp0 (config_a->token_url, config_b->token_url) == 0 &&
         g_strcmp0 (config_a->client_id, config_b->client_id) == 0 &&
         g_strcmp0 (a->user, b->user) == 0;
}
