/* pf-demo.c
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "pf-demo.h"
#include "pf-error.h"
#include "pf-map-resolver.h"
#include "pf-tls-database.h"

void
pf_demo_free (PfDemo *demo)
{
  if (demo == NULL)
    return;
  g_free (demo->domain);
  g_free (demo->host_address);
  g_free (demo->address);
  g_free (demo->password);
  g_clear_pointer (&demo->port_map, pf_port_map_unref);
  g_free (demo->ca_file);
  g_free (demo);
}

static char *
require_key (GKeyFile    *file,
             const char  *path,
             const char  *key,
             GError     **error)
{
  g_autofree char *value = g_key_file_get_string (file, "demo", key, NULL);

  if (value == NULL || *g_strstrip (value) == '\0')
    {
      g_set_error (error, PF_ERROR, PF_ERROR_CONFIG,
                   _("The demo file %s has no “%s” in its [demo] group."), path, key);
      return NULL;
    }
  return g_steal_pointer (&value);
}

PfDemo *
pf_demo_load (const char  *path,
              GError     **error)
{
  g_autoptr(GKeyFile) file = g_key_file_new ();
  g_autoptr(PfDemo) demo = g_new0 (PfDemo, 1);
  g_autoptr(GInetAddress) inet = NULL;
  g_autofree char *port_map = NULL;
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (path != NULL, NULL);

  if (!g_key_file_load_from_file (file, path, G_KEY_FILE_NONE, &local_error))
    {
      g_set_error (error, PF_ERROR, PF_ERROR_CONFIG,
                   _("The demo file %s cannot be read: %s"), path, local_error->message);
      return NULL;
    }

  if ((demo->domain = require_key (file, path, "domain", error)) == NULL ||
      (demo->host_address = require_key (file, path, "host-address", error)) == NULL ||
      (demo->address = require_key (file, path, "address", error)) == NULL ||
      (demo->password = require_key (file, path, "password", error)) == NULL ||
      (port_map = require_key (file, path, "port-map", error)) == NULL ||
      (demo->ca_file = require_key (file, path, "ca-file", error)) == NULL)
    return NULL;

  inet = g_inet_address_new_from_string (demo->host_address);
  if (inet == NULL)
    {
      g_set_error (error, PF_ERROR, PF_ERROR_CONFIG,
                   _("The demo host address “%s” is not an IP address."), demo->host_address);
      return NULL;
    }

  demo->port_map = pf_port_map_parse (port_map, error);
  if (demo->port_map == NULL)
    return NULL;

  return g_steal_pointer (&demo);
}

PfDemo *
pf_demo_load_from_environment (GError **error)
{
  const char *path = g_getenv ("POPFETCH_DEMO");

  if (path == NULL || *path == '\0')
    return NULL;
  return pf_demo_load (path, error);
}

gboolean
pf_demo_covers_host (const PfDemo *demo,
                     const char   *host)
{
  gsize host_len, domain_len;

  g_return_val_if_fail (demo != NULL, FALSE);

  if (host == NULL)
    return FALSE;
  host_len = strlen (host);
  domain_len = strlen (demo->domain);
  if (g_ascii_strcasecmp (host, demo->domain) == 0)
    return TRUE;
  return host_len > domain_len + 1 &&
         host[host_len - domain_len - 1] == '.' &&
         g_ascii_strcasecmp (host + host_len - domain_len, demo->domain) == 0;
}

GResolver *
pf_demo_create_resolver (const PfDemo *demo)
{
  g_autoptr(GResolver) system = g_resolver_get_default ();
  PfMapResolver *resolver;

  g_return_val_if_fail (demo != NULL, NULL);

  resolver = pf_map_resolver_new (system);
  pf_map_resolver_add_domain (resolver, demo->domain, demo->host_address);
  return G_RESOLVER (resolver);
}

GTlsDatabase *
pf_demo_create_tls_database (const PfDemo  *demo,
                             GError       **error)
{
  g_return_val_if_fail (demo != NULL, NULL);

  return pf_tls_database_new_with_ca_file (demo->ca_file, error);
}

gboolean
pf_demo_apply_to_detector (const PfDemo  *demo,
                           PfDetector    *detector,
                           GError       **error)
{
  g_autoptr(GResolver) resolver = NULL;
  g_autoptr(GTlsDatabase) database = NULL;

  g_return_val_if_fail (demo != NULL, FALSE);
  g_return_val_if_fail (PF_IS_DETECTOR (detector), FALSE);

  database = pf_demo_create_tls_database (demo, error);
  if (database == NULL)
    return FALSE;
  resolver = pf_demo_create_resolver (demo);
  pf_detector_set_resolver (detector, resolver);
  pf_detector_set_port_map (detector, demo->port_map);
  pf_detector_set_tls_database (detector, database);
  /* The demo domain is private: the public ISP database cannot know it. */
  pf_detector_set_ispdb_base (detector, NULL);
  return TRUE;
}

PfServerSettings *
pf_demo_map_settings (const PfDemo      *demo,
                      PfServerSettings  *settings,
                      GError           **error)
{
  g_autoptr(PfServerSettings) mapped = NULL;
  const char *host;
  guint16 port;

  g_return_val_if_fail (demo != NULL, NULL);
  g_return_val_if_fail (settings != NULL, NULL);

  host = pf_server_settings_get_host (settings);
  if (!pf_demo_covers_host (demo, host))
    return pf_server_settings_ref (settings);

  port = pf_port_map_lookup (demo->port_map, pf_server_settings_get_port (settings));
  mapped = pf_server_settings_copy_for_address (settings, demo->host_address,
                                                port != 0 ? port : pf_server_settings_get_port (settings));
  /* A CA file of the account's own stays its whole trust. */
  if (pf_server_settings_get_tls_database (mapped) == NULL
      && pf_server_settings_get_ca_file (mapped) == NULL)
    {
      g_autoptr(GTlsDatabase) database = pf_demo_create_tls_database (demo, error);

      if (database == NULL)
        return NULL;
      pf_server_settings_set_tls_database (mapped, database);
    }
  return g_steal_pointer (&mapped);
}
