/* pf-server-settings.c
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "pf-error.h"
#include "pf-server-settings.h"

G_DEFINE_ENUM_TYPE (PfSecurity, pf_security,
  G_DEFINE_ENUM_VALUE (PF_SECURITY_TLS, "tls"),
  G_DEFINE_ENUM_VALUE (PF_SECURITY_STARTTLS, "starttls"),
  G_DEFINE_ENUM_VALUE (PF_SECURITY_NONE, "none"))

struct _PfServerSettings
{
  gatomicrefcount  ref_count;
  char            *host;
  guint16          port;
  PfSecurity       security;
  char            *server_identity;
  char            *pinned_fingerprint;
  GTlsDatabase    *tls_database;
  char            *ca_file;
  gboolean         allow_plaintext_auth;
  guint            timeout;
  GResolver       *resolver;
  PfPortMap       *port_map;
};

G_DEFINE_BOXED_TYPE (PfServerSettings, pf_server_settings,
                     pf_server_settings_ref, pf_server_settings_unref)

char *
pf_sha256_fingerprint_normalize (const char *text)
{
  g_autoptr(GString) hex = NULL;

  if (text == NULL)
    return NULL;

  hex = g_string_sized_new (64);
  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == ':' || *p == ' ')
        continue;
      if (!g_ascii_isxdigit (*p) || hex->len == 64)
        return NULL;
      g_string_append_c (hex, g_ascii_tolower (*p));
    }
  if (hex->len != 64)
    return NULL;
  return g_string_free (g_steal_pointer (&hex), FALSE);
}

PfServerSettings *
pf_server_settings_new (const char *host,
                        guint16     port,
                        PfSecurity  security)
{
  PfServerSettings *self;

  g_return_val_if_fail (host != NULL, NULL);

  self = g_new0 (PfServerSettings, 1);
  g_atomic_ref_count_init (&self->ref_count);
  self->host = g_strdup (host);
  self->port = port;
  self->security = security;
  return self;
}

PfServerSettings *
pf_server_settings_copy (const PfServerSettings *self)
{
  PfServerSettings *copy;

  g_return_val_if_fail (self != NULL, NULL);

  copy = pf_server_settings_new (self->host, self->port, self->security);
  copy->server_identity = g_strdup (self->server_identity);
  copy->pinned_fingerprint = g_strdup (self->pinned_fingerprint);
  g_set_object (&copy->tls_database, self->tls_database);
  copy->ca_file = g_strdup (self->ca_file);
  copy->allow_plaintext_auth = self->allow_plaintext_auth;
  copy->timeout = self->timeout;
  g_set_object (&copy->resolver, self->resolver);
  if (self->port_map != NULL)
    copy->port_map = pf_port_map_ref (self->port_map);
  return copy;
}

PfServerSettings *
pf_server_settings_copy_for_address (const PfServerSettings *self,
                                     const char             *address,
                                     guint16                 port)
{
  PfServerSettings *copy;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (address != NULL, NULL);

  copy = pf_server_settings_copy (self);
  g_free (copy->server_identity);
  copy->server_identity = g_strdup (pf_server_settings_get_effective_identity (self));
  g_free (copy->host);
  copy->host = g_strdup (address);
  copy->port = port;
  g_clear_object (&copy->resolver);
  g_clear_pointer (&copy->port_map, pf_port_map_unref);
  return copy;
}

PfServerSettings *
pf_server_settings_ref (PfServerSettings *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

void
pf_server_settings_unref (PfServerSettings *self)
{
  g_return_if_fail (self != NULL);

  if (!g_atomic_ref_count_dec (&self->ref_count))
    return;
  g_free (self->host);
  g_free (self->server_identity);
  g_free (self->pinned_fingerprint);
  g_clear_object (&self->tls_database);
  g_free (self->ca_file);
  g_clear_object (&self->resolver);
  g_clear_pointer (&self->port_map, pf_port_map_unref);
  g_free (self);
}

const char *
pf_server_settings_get_host (const PfServerSettings *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->host;
}

guint16
pf_server_settings_get_port (const PfServerSettings *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->port;
}

PfSecurity
pf_server_settings_get_security (const PfServerSettings *self)
{
  g_return_val_if_fail (self != NULL, PF_SECURITY_TLS);
  return self->security;
}

void
pf_server_settings_set_server_identity (PfServerSettings *self,
                                        const char       *name)
{
  g_return_if_fail (self != NULL);

  if (name != NULL && *name == '\0')
    name = NULL;
  g_free (self->server_identity);
  self->server_identity = g_strdup (name);
}

const char *
pf_server_settings_get_server_identity (const PfServerSettings *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->server_identity;
}

const char *
pf_server_settings_get_effective_identity (const PfServerSettings *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->server_identity != NULL ? self->server_identity : self->host;
}

gboolean
pf_server_settings_set_pinned_fingerprint (PfServerSettings *self,
                                           const char       *sha256_hex)
{
  g_autofree char *normalized = NULL;

  g_return_val_if_fail (self != NULL, FALSE);

  if (sha256_hex != NULL && *sha256_hex != '\0')
    {
      normalized = pf_sha256_fingerprint_normalize (sha256_hex);
      if (normalized == NULL)
        return FALSE;
    }
  g_free (self->pinned_fingerprint);
  self->pinned_fingerprint = g_steal_pointer (&normalized);
  return TRUE;
}

const char *
pf_server_settings_get_pinned_fingerprint (const PfServerSettings *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->pinned_fingerprint;
}

void
pf_server_settings_set_tls_database (PfServerSettings *self,
                                     GTlsDatabase     *database)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (database == NULL || G_IS_TLS_DATABASE (database));

  g_set_object (&self->tls_database, database);
}

GTlsDatabase *
pf_server_settings_get_tls_database (const PfServerSettings *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->tls_database;
}

void
pf_server_settings_set_ca_file (PfServerSettings *self,
                                const char       *path)
{
  g_return_if_fail (self != NULL);

  if (path != NULL && *path == '\0')
    path = NULL;
  g_free (self->ca_file);
  self->ca_file = g_strdup (path);
}

const char *
pf_server_settings_get_ca_file (const PfServerSettings *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->ca_file;
}

gboolean
pf_server_settings_load_ca_file (PfServerSettings  *self,
                                 GError           **error)
{
  g_autoptr(GError) local_error = NULL;
  GTlsDatabase *database;

  g_return_val_if_fail (self != NULL, FALSE);

  if (self->tls_database != NULL || self->ca_file == NULL)
    return TRUE;

  database = g_tls_file_database_new (self->ca_file, &local_error);
  if (database == NULL)
    {
      g_set_error (error, PF_ERROR, PF_ERROR_CONFIG, _("Cannot use the CA file %s: %s"),
                   self->ca_file, local_error->message);
      return FALSE;
    }
  self->tls_database = database;
  return TRUE;
}

void
pf_server_settings_set_allow_plaintext_auth (PfServerSettings *self,
                                             gboolean          allow)
{
  g_return_if_fail (self != NULL);
  self->allow_plaintext_auth = !!allow;
}

gboolean
pf_server_settings_get_allow_plaintext_auth (const PfServerSettings *self)
{
  g_return_val_if_fail (self != NULL, FALSE);
  return self->allow_plaintext_auth;
}

void
pf_server_settings_set_timeout (PfServerSettings *self,
                                guint             seconds)
{
  g_return_if_fail (self != NULL);
  self->timeout = seconds;
}

guint
pf_server_settings_get_timeout (const PfServerSettings *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->timeout;
}

void
pf_server_settings_set_resolver (PfServerSettings *self,
                                 GResolver        *resolver)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (resolver == NULL || G_IS_RESOLVER (resolver));

  g_set_object (&self->resolver, resolver);
}

GResolver *
pf_server_settings_get_resolver (const PfServerSettings *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->resolver;
}

void
pf_server_settings_set_port_map (PfServerSettings *self,
                                 PfPortMap        *map)
{
  g_return_if_fail (self != NULL);

  if (map != NULL)
    pf_port_map_ref (map);
  g_clear_pointer (&self->port_map, pf_port_map_unref);
  self->port_map = map;
}

PfPortMap *
pf_server_settings_get_port_map (const PfServerSettings *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->port_map;
}

const char *
pf_security_to_string (PfSecurity security)
{
  return pf_enum_to_nick (PF_TYPE_SECURITY, security);
}

gboolean
pf_security_from_string (const char *name,
                         PfSecurity *security)
{
  int value;

  if (!pf_enum_from_nick (PF_TYPE_SECURITY, name, &value))
    return FALSE;
  if (security != NULL)
    *security = (PfSecurity) value;
  return TRUE;
}
