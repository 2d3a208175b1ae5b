/* pf-detector-hosts.c — the detector's hosts: each resolved once, then
 * probed on every port at once, with a look at IMAP on 993
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "pf-detector-private.h"

void
pf_detector_host_free (Host *host)
{
  g_free (host->name);
  g_clear_error (&host->resolve_error);
  g_free (host->address);
  g_strfreev (host->addresses);
  g_ptr_array_unref (host->probes);
  g_free (host);
}

/* DNS answers may name a host with its trailing root dot. */
char *
pf_detector_normalize_host (const char *name)
{
  gsize len = strlen (name);

  if (len > 1 && name[len - 1] == '.')
    len--;
  return g_ascii_strdown (name, len);
}

/* ---- Probes ------------------------------------------------------------- */

typedef struct
{
  PfDetector   *self;
  PfProbe      *probe;
  PfPop3Client *client;
} ProbeRun;

static void
probe_run_free (ProbeRun *run)
{
  g_clear_object (&run->client);
  g_object_unref (run->probe);
  g_object_unref (run->self);
  g_free (run);
}

static void
finish_probe (PfDetector *self,
              PfProbe    *probe)
{
  pf_detector_emit_progress (self, PF_DETECTOR_EVENT_PROBE_FINISHED, probe);
  pf_detector_update_recommended (self);
  pf_detector_release (self);
}

static void
on_probe_connected (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  ProbeRun *run = user_data;
  PfDetector *self = run->self;
  GError *error = NULL;

  pf_pop3_client_connect_finish (run->client, result, &error);
  if (error != NULL)
    error = pf_detector_translate_cancel (self, error);
  pf_probe_complete (run->probe, run->client, error,
                     (const char * const *) self->pins->pdata);
  g_clear_error (&error);
  pf_pop3_client_close (run->client);
  finish_probe (self, run->probe);
  probe_run_free (run);
}

static void
start_probe (PfDetector *self,
             Host       *host,
             PfProbe    *probe)
{
  g_autoptr(GError) error = NULL;
  ProbeRun *run;
  g_autoptr(PfServerSettings) settings = NULL;
  guint16 port;

  pf_detector_hold (self);
  pf_probe_set_running (probe);
  pf_detector_emit_progress (self, PF_DETECTOR_EVENT_PROBE_STARTED, probe);

  if (host->resolve_error != NULL)
    {
      pf_probe_fail (probe, host->resolve_error);
      finish_probe (self, probe);
      return;
    }

  port = pf_port_map_lookup_for_host (self->port_map, host->name, pf_probe_get_port (probe));
  pf_probe_set_connect (probe, host->address, port);
  pf_probe_set_addresses (probe, (const char * const *) host->addresses);
  if (port == 0)
    {
      error = g_error_new (PF_ERROR, PF_ERROR_REFUSED,
                           _("Nothing accepts connections on %s port %u."),
                           host->name, pf_probe_get_port (probe));
      pf_probe_fail (probe, error);
      finish_probe (self, probe);
      return;
    }

  run = g_new0 (ProbeRun, 1);
  run->self = g_object_ref (self);
  run->probe = g_object_ref (probe);
  settings = pf_server_settings_new (host->address, port, pf_probe_get_security (probe));
  pf_server_settings_set_server_identity (settings, host->name);
  pf_server_settings_set_timeout (settings, self->probe_timeout);
  pf_server_settings_set_tls_database (settings, self->tls_database);
  if (self->pins->len == 2)
    pf_server_settings_set_pinned_fingerprint (settings, self->pins->pdata[0]);
  run->client = pf_pop3_client_new_for_settings (settings);
  pf_pop3_client_connect_async (run->client, self->cancellable, on_probe_connected, run);
}

/* ---- IMAP on 993: noted, not used --------------------------------------- */

typedef struct
{
  PfDetector *self;
  Host       *host;
} ImapCheck;

static void
set_host_imap (Host        *host,
               PfProbeImap  imap)
{
  for (guint i = 0; i < host->probes->len; i++)
    pf_probe_set_imap (host->probes->pdata[i], imap);
}

static void
on_imap_connected (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  ImapCheck *check = user_data;
  PfDetector *self = check->self;
  g_autoptr(GSocketConnection) connection = NULL;

  connection = g_socket_client_connect_finish (G_SOCKET_CLIENT (source), result, NULL);
  set_host_imap (check->host, connection != NULL ? PF_PROBE_IMAP_OPEN : PF_PROBE_IMAP_CLOSED);
  if (connection != NULL)
    g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);
  g_free (check);
  pf_detector_release (self);
  g_object_unref (self);
}

static void
start_imap_check (PfDetector *self,
                  Host       *host)
{
  g_autoptr(GSocketClient) client = NULL;
  g_autoptr(GInetAddress) inet = NULL;
  g_autoptr(GSocketAddress) address = NULL;
  ImapCheck *check;
  guint16 port = pf_port_map_lookup_for_host (self->port_map, host->name, 993);

  if (port == 0 || host->address == NULL)
    {
      set_host_imap (host, PF_PROBE_IMAP_CLOSED);
      return;
    }

  inet = g_inet_address_new_from_string (host->address);
  address = g_inet_socket_address_new (inet, port);
  client = g_socket_client_new ();
  g_socket_client_set_timeout (client, self->probe_timeout);

  pf_detector_hold (self);
  check = g_new0 (ImapCheck, 1);
  check->self = g_object_ref (self);
  check->host = host;
  g_socket_client_connect_async (client, G_SOCKET_CONNECTABLE (address), self->cancellable,
                                 on_imap_connected, check);
}

/* ---- Hosts and candidates ----------------------------------------------- */

typedef struct
{
  PfDetector *self;
  Host       *host;
} Resolve;

static void
on_host_resolved (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  Resolve *resolve = user_data;
  PfDetector *self = resolve->self;
  Host *host = resolve->host;
  GError *error = NULL;
  GList *addresses;

  addresses = g_resolver_lookup_by_name_finish (G_RESOLVER (source), result, &error);
  host->resolving = FALSE;
  host->resolved = TRUE;
  if (addresses != NULL)
    {
      GPtrArray *all = g_ptr_array_new ();

      host->address = pf_resolver_pick_address (addresses);
      for (GList *l = addresses; l != NULL; l = l->next)
        g_ptr_array_add (all, g_inet_address_to_string (l->data));
      g_ptr_array_add (all, NULL);
      host->addresses = (char **) g_ptr_array_free (all, FALSE);
    }
  else
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          host->resolve_error = g_error_new (PF_ERROR, PF_ERROR_RESOLVE,
                                             _("The name “%s” does not resolve."), host->name);
          g_clear_error (&error);
        }
      else
        host->resolve_error = pf_detector_translate_cancel (self, error);
    }
  g_resolver_free_addresses (addresses);

  for (guint i = 0; i < host->probes->len; i++)
    start_probe (self, host, host->probes->pdata[i]);
  if (host->resolve_error == NULL)
    start_imap_check (self, host);
  else
    set_host_imap (host, PF_PROBE_IMAP_UNKNOWN);

  g_free (resolve);
  pf_detector_release (self);
  g_object_unref (self);
}

static Host *
ensure_host (PfDetector    *self,
             const char    *name,
             PfProbeSource  sources)
{
  g_autofree char *key = pf_detector_normalize_host (name);
  Host *host = g_hash_table_lookup (self->hosts, key);
  Resolve *resolve;

  if (host != NULL)
    {
      host->sources |= sources;
      return host;
    }
  if (g_hash_table_size (self->hosts) >= MAX_HOSTS || !pf_hostname_is_plausible (key))
    return NULL;

  host = g_new0 (Host, 1);
  host->name = g_strdup (key);
  host->sources = sources;
  host->probes = g_ptr_array_new ();
  g_hash_table_insert (self->hosts, g_steal_pointer (&key), host);

  pf_detector_hold (self);
  host->resolving = TRUE;
  resolve = g_new0 (Resolve, 1);
  resolve->self = g_object_ref (self);
  resolve->host = host;
  g_resolver_lookup_by_name_async (self->resolver, host->name, self->cancellable,
                                   on_host_resolved, resolve);
  return host;
}

void
pf_detector_add_candidate (PfDetector    *self,
                           const char    *hostname,
                           guint16        port,
                           PfSecurity     security,
                           PfProbeSource  sources,
                           const char    *username_hint)
{
  Host *host = ensure_host (self, hostname, sources);
  PfProbe *probe;

  if (host == NULL)
    return;

  for (guint i = 0; i < host->probes->len; i++)
    {
      PfProbe *existing = host->probes->pdata[i];

      if (pf_probe_get_port (existing) == port && pf_probe_get_security (existing) == security)
        {
          pf_probe_add_sources (existing, sources);
          pf_probe_set_username_hint (existing, username_hint);
          return;
        }
    }

  probe = pf_probe_new (host->name, port, security, sources, self->next_order++);
  pf_probe_set_username_hint (probe, username_hint);
  g_ptr_array_add (self->probes, probe);
  g_ptr_array_add (host->probes, probe);
  if (host->resolved)
    start_probe (self, host, probe);
}

/* Every host is probed on 995 (TLS), 110 with STLS and 110 plain. */
void
pf_detector_add_host (PfDetector    *self,
                      const char    *hostname,
                      PfProbeSource  sources,
                      const char    *username_hint)
{
  pf_detector_add_candidate (self, hostname, 995, PF_SECURITY_TLS, sources, username_hint);
  pf_detector_add_candidate (self, hostname, 110, PF_SECURITY_STARTTLS, sources, username_hint);
  pf_detector_add_candidate (self, hostname, 110, PF_SECURITY_NONE, sources, username_hint);
}
