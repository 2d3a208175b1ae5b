/* pf-detector-lookups.c — the detector's lookups: autoconfig and ISPDB
 * over https, SRV (RFC 6186) and MX, each adding candidates as it answers
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "pf-detector-private.h"

/* ---- Lookups ------------------------------------------------------------ */

typedef struct
{
  PfDetector   *self;
  PfLookup     *lookup;
  PfSecurity    security;     /* SRV: what the service offers */
  SoupSession  *session;      /* autoconfig */
  SoupMessage  *message;
  GUri         *uri;
} LookupRun;

static LookupRun *
lookup_run_new (PfDetector   *self,
                PfLookupKind  kind,
                const char   *query,
                gboolean      via_mx)
{
  LookupRun *run = g_new0 (LookupRun, 1);

  run->self = g_object_ref (self);
  run->lookup = pf_lookup_new (kind, query, via_mx);
  g_ptr_array_add (self->lookups, g_object_ref (run->lookup));
  pf_detector_hold (self);
  pf_detector_emit_progress (self, PF_DETECTOR_EVENT_LOOKUP_STARTED, run->lookup);
  return run;
}

static void
lookup_run_finish (LookupRun *run,
                   GError    *error)
{
  PfDetector *self = run->self;

  if (error != NULL)
    error = pf_detector_translate_cancel (self, error);
  pf_lookup_finish (run->lookup, error);
  g_clear_error (&error);
  pf_detector_emit_progress (self, PF_DETECTOR_EVENT_LOOKUP_FINISHED, run->lookup);

  g_clear_object (&run->message);
  g_clear_object (&run->session);
  g_clear_pointer (&run->uri, g_uri_unref);
  g_object_unref (run->lookup);
  g_free (run);

  pf_detector_update_recommended (self);
  pf_detector_release (self);
  g_object_unref (self);
}

PfProbeSource
pf_detector_lookup_sources (PfLookup *lookup)
{
  PfProbeSource sources = 0;

  switch (pf_lookup_get_kind (lookup))
    {
    case PF_LOOKUP_AUTOCONFIG:
      sources = PF_PROBE_SOURCE_AUTOCONFIG;
      break;
    case PF_LOOKUP_ISPDB:
      sources = PF_PROBE_SOURCE_ISPDB;
      break;
    case PF_LOOKUP_SRV:
    case PF_LOOKUP_MX:
    default:
      sources = PF_PROBE_SOURCE_SRV;
      break;
    }
  if (pf_lookup_get_via_mx (lookup) || pf_lookup_get_kind (lookup) == PF_LOOKUP_MX)
    sources |= PF_PROBE_SOURCE_VIA_MX;
  return sources;
}

/* SRV (RFC 6186) */

static void
on_srv_records (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  LookupRun *run = user_data;
  PfDetector *self = run->self;
  GError *error = NULL;
  GList *records;
  GList *targets = NULL;

  records = g_resolver_lookup_records_finish (G_RESOLVER (source), result, &error);
  for (GList *l = records; l != NULL; l = l->next)
    {
      guint16 priority, weight, port;
      const char *target;

      g_variant_get (l->data, "(qqq&s)", &priority, &weight, &port, &target);
      targets = g_list_prepend (targets, g_srv_target_new (target, port, priority, weight));
    }
  g_list_free_full (records, (GDestroyNotify) g_variant_unref);

  /* Sorts by priority and weight; a lone "." target leaves nothing. */
  targets = g_srv_target_list_sort (targets);
  for (GList *l = targets; l != NULL; l = l->next)
    {
      g_autofree char *target = pf_detector_normalize_host (g_srv_target_get_hostname (l->data));
      guint16 port = g_srv_target_get_port (l->data);
      PfProbeSource sources = pf_detector_lookup_sources (run->lookup);

      if (!pf_hostname_is_plausible (target))
        continue;
      pf_lookup_add_host (run->lookup, target);
      pf_detector_add_host (self, target, sources, NULL);
      pf_detector_add_candidate (self, target, port, run->security, sources, NULL);
      if (run->security == PF_SECURITY_STARTTLS)
        pf_detector_add_candidate (self, target, port, PF_SECURITY_NONE, sources, NULL);
    }
  g_list_free_full (targets, (GDestroyNotify) g_srv_target_free);

  if (error == NULL && pf_lookup_get_hosts (run->lookup)[0] == NULL)
    error = g_error_new (PF_ERROR, PF_ERROR_NOT_FOUND, _("The domain publishes no POP3 service record."));
  lookup_run_finish (run, error);
}

static void
start_srv (PfDetector *self,
           const char *service,
           PfSecurity  security,
           const char *domain,
           gboolean    via_mx)
{
  g_autofree char *rrname = g_strdup_printf ("_%s._tcp.%s", service, domain);
  LookupRun *run = lookup_run_new (self, PF_LOOKUP_SRV, rrname, via_mx);

  run->security = security;
  g_resolver_lookup_records_async (self->resolver, rrname, G_RESOLVER_RECORD_SRV,
                                   self->cancellable, on_srv_records, run);
}

/* MX: then the same lookups for the MX host's domain. */

static char *
parent_domain (const char *host)
{
  const char *dot = strchr (host, '.');

  if (dot == NULL || strchr (dot + 1, '.') == NULL)
    return g_strdup (host);
  return g_strdup (dot + 1);
}

static void
on_mx_records (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  LookupRun *run = user_data;
  PfDetector *self = run->self;
  GError *error = NULL;
  GList *records;
  const char *best = NULL;
  guint16 best_preference = G_MAXUINT16;

  records = g_resolver_lookup_records_finish (G_RESOLVER (source), result, &error);
  for (GList *l = records; l != NULL; l = l->next)
    {
      guint16 preference;
      const char *exchange;

      g_variant_get (l->data, "(q&s)", &preference, &exchange);
      if (best == NULL || preference < best_preference)
        {
          best = exchange;
          best_preference = preference;
        }
    }

  if (best != NULL)
    {
      g_autofree char *lower = pf_detector_normalize_host (best);
      g_autofree char *mx_domain = parent_domain (lower);

      pf_lookup_add_host (run->lookup, lower);

      /* A company domain hosted at a known provider (Google Workspace,
       * Microsoft 365): its servers, or the end of the search when it
       * offers no POP3. */
      if (self->provider == NULL && pf_provider_lookup_mx (lower) != NULL)
        {
          pf_detector_apply_provider (self, pf_provider_lookup_mx (lower), TRUE);
          if (pf_provider_get_pop3 (self->provider) == PF_PROVIDER_POP3_NO)
            {
              self->stopped_for_provider = TRUE;
              g_cancellable_cancel (self->cancellable);
            }
        }

      if (!self->stopped_for_provider && pf_hostname_is_plausible (mx_domain) &&
          g_strcmp0 (mx_domain, self->domain) != 0 && self->mx_domain == NULL)
        {
          self->mx_domain = g_steal_pointer (&mx_domain);
          pf_detector_start_lookups (self, self->mx_domain, TRUE);
        }
    }
  else if (error == NULL)
    error = g_error_new (PF_ERROR, PF_ERROR_NOT_FOUND, _("The domain has no mail exchanger."));

  g_list_free_full (records, (GDestroyNotify) g_variant_unref);
  lookup_run_finish (run, error);
}

/* Autoconfig over https */

/* We dial an address we resolved ourselves (the resolver is injectable),
 * so the identity libsoup checks is that address: a certificate that names
 * only the IP address would pass. The name in the URL is what the
 * certificate must name. */
static GTlsCertificateFlags
verify_for_url_host (LookupRun       *run,
                     GTlsCertificate *certificate)
{
  GTlsDatabase *database = run->self->tls_database;
  g_autoptr(GSocketConnectable) identity = NULL;
  g_autoptr(GTlsDatabase) system_database = NULL;

  if (certificate == NULL)
    return G_TLS_CERTIFICATE_GENERIC_ERROR;
  if (database == NULL)
    database = system_database = g_tls_backend_get_default_database (g_tls_backend_get_default ());
  if (database == NULL)
    return G_TLS_CERTIFICATE_UNKNOWN_CA;
  identity = g_network_address_new (g_uri_get_host (run->uri), 443);
  return g_tls_database_verify_chain (database, certificate, G_TLS_DATABASE_PURPOSE_AUTHENTICATE_SERVER,
                                      identity, NULL, G_TLS_DATABASE_VERIFY_NONE, NULL, NULL);
}

/* Before the handshake: the URL's host name is the identity to check (and
 * the name sent in SNI), not the address we connect to. */
static void
on_network_event (SoupMessage        *message,
                  GSocketClientEvent  event,
                  GIOStream          *connection,
                  gpointer            user_data)
{
  LookupRun *run = user_data;

  if (event == G_SOCKET_CLIENT_TLS_HANDSHAKING && G_IS_TLS_CLIENT_CONNECTION (connection))
    {
      g_autoptr(GSocketConnectable) identity = g_network_address_new (g_uri_get_host (run->uri), 443);

      g_tls_client_connection_set_server_identity (G_TLS_CLIENT_CONNECTION (connection), identity);
    }
}

static gboolean
on_accept_certificate (SoupMessage          *message,
                       GTlsCertificate      *certificate,
                       GTlsCertificateFlags  errors,
                       gpointer              user_data)
{
  return verify_for_url_host (user_data, certificate) == 0;
}

static void
on_autoconfig_body (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  LookupRun *run = user_data;
  PfDetector *self = run->self;
  GError *error = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GPtrArray) servers = NULL;
  guint status;

  body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);
  if (body == NULL)
    {
      lookup_run_finish (run, error);
      return;
    }

  /* Whatever libsoup and the handshake decided: the document counts only
   * from a server whose certificate is valid for the URL's host name. */
  if (verify_for_url_host (run, soup_message_get_tls_peer_certificate (run->message)) != 0)
    {
      lookup_run_finish (run, g_error_new (PF_ERROR, PF_ERROR_CERT_HOST,
                                           _("The certificate of %s is not valid for that name."),
                                           g_uri_get_host (run->uri)));
      return;
    }

  status = soup_message_get_status (run->message);
  if (status != SOUP_STATUS_OK)
    {
      lookup_run_finish (run, g_error_new (PF_ERROR, PF_ERROR_NOT_FOUND,
                                           _("The server answered HTTP %u."), status));
      return;
    }
  if (g_bytes_get_size (body) > MAX_AUTOCONFIG_SIZE)
    {
      lookup_run_finish (run, g_error_new_literal (PF_ERROR, PF_ERROR_PROTOCOL,
                                                   _("The configuration file is too large.")));
      return;
    }

  servers = pf_autoconfig_parse (g_bytes_get_data (body, NULL), g_bytes_get_size (body),
                                 self->address, NULL, &error);
  if (servers == NULL)
    {
      lookup_run_finish (run, error);
      return;
    }

  for (guint i = 0; i < servers->len; i++)
    {
      PfAutoconfigServer *server = servers->pdata[i];
      PfProbeSource sources = pf_detector_lookup_sources (run->lookup);

      pf_lookup_add_host (run->lookup, server->hostname);
      pf_detector_add_host (self, server->hostname, sources, server->username);
      pf_detector_add_candidate (self, server->hostname, server->port, server->security, sources, server->username);
    }
  if (servers->len == 0)
    error = g_error_new (PF_ERROR, PF_ERROR_NOT_FOUND, _("The configuration lists no POP3 server."));
  lookup_run_finish (run, error);
}

static void
on_autoconfig_host_resolved (GObject      *source,
                             GAsyncResult *result,
                             gpointer      user_data)
{
  LookupRun *run = user_data;
  PfDetector *self = run->self;
  GError *error = NULL;
  GList *addresses;
  g_autoptr(GSocketAddress) remote = NULL;
  guint16 port;
  int uri_port = g_uri_get_port (run->uri);

  addresses = g_resolver_lookup_by_name_finish (G_RESOLVER (source), result, &error);
  if (addresses == NULL)
    {
      lookup_run_finish (run, error);
      return;
    }

  port = pf_port_map_lookup_for_host (self->port_map, g_uri_get_host (run->uri), uri_port > 0 ? uri_port : 443);
  if (port == 0)
    {
      g_resolver_free_addresses (addresses);
      lookup_run_finish (run, g_error_new_literal (PF_ERROR, PF_ERROR_REFUSED,
                                                   _("Nothing accepts connections on port 443.")));
      return;
    }
  {
    g_autofree char *picked = pf_resolver_pick_address (addresses);
    g_autoptr(GInetAddress) inet = g_inet_address_new_from_string (picked);

    remote = g_inet_socket_address_new (inet, port);
  }
  g_resolver_free_addresses (addresses);

  run->session = g_object_new (SOUP_TYPE_SESSION,
                               "remote-connectable", remote,
                               "timeout", self->probe_timeout,
                               "idle-timeout", 1,
                               "max-conns", 1,
                               "user-agent", "Popfetch/" PACKAGE_VERSION,
                               NULL);
  if (self->tls_database != NULL)
    soup_session_set_tls_database (run->session, self->tls_database);
  run->message = soup_message_new_from_uri (SOUP_METHOD_GET, run->uri);
  soup_message_add_flags (run->message, SOUP_MESSAGE_NO_REDIRECT);
  g_signal_connect (run->message, "network-event", G_CALLBACK (on_network_event), run);
  g_signal_connect (run->message, "accept-certificate", G_CALLBACK (on_accept_certificate), run);
  soup_session_send_and_read_async (run->session, run->message, G_PRIORITY_DEFAULT,
                                    self->cancellable, on_autoconfig_body, run);
}

static void
start_autoconfig (PfDetector   *self,
                  PfLookupKind  kind,
                  const char   *url,
                  gboolean      via_mx)
{
  LookupRun *run = lookup_run_new (self, kind, url, via_mx);

  run->uri = g_uri_parse (url, G_URI_FLAGS_ENCODED, NULL);
  if (run->uri == NULL || g_strcmp0 (g_uri_get_scheme (run->uri), "https") != 0)
    {
      lookup_run_finish (run, g_error_new (PF_ERROR, PF_ERROR_CONFIG,
                                           _("“%s” is not an https address."), url));
      return;
    }
  g_resolver_lookup_by_name_async (self->resolver, g_uri_get_host (run->uri), self->cancellable,
                                   on_autoconfig_host_resolved, run);
}

void
pf_detector_start_lookups (PfDetector *self,
                           const char *domain,
                           gboolean    via_mx)
{
  g_autofree char *fake_address = g_strdup_printf ("%s@%s", "user", domain);
  g_auto(GStrv) urls = NULL;
  const char *guesses[] = { "pop", "pop3", "mail" };
  PfProbeSource guess = PF_PROBE_SOURCE_GUESS | (via_mx ? PF_PROBE_SOURCE_VIA_MX : 0);

  /* Autoconfig URLs carry the real address only for the address's own
   * domain; the MX's provider learns nothing about the user. */
  urls = pf_autoconfig_urls (via_mx ? fake_address : self->address, self->ispdb_base);
  for (guint i = 0; urls[i] != NULL; i++)
    start_autoconfig (self, i < 2 ? PF_LOOKUP_AUTOCONFIG : PF_LOOKUP_ISPDB, urls[i], via_mx);

  start_srv (self, "pop3s", PF_SECURITY_TLS, domain, via_mx);
  start_srv (self, "pop3", PF_SECURITY_STARTTLS, domain, via_mx);

  if (!via_mx)
    {
      LookupRun *run = lookup_run_new (self, PF_LOOKUP_MX, domain, FALSE);

      g_resolver_lookup_records_async (self->resolver, domain, G_RESOLVER_RECORD_MX,
                                       self->cancellable, on_mx_records, run);
    }

  for (guint i = 0; i < G_N_ELEMENTS (guesses); i++)
    {
      g_autofree char *host = g_strdup_printf ("%s.%s", guesses[i], domain);
      pf_detector_add_host (self, host, guess, NULL);
    }
  pf_detector_add_host (self, domain, guess, NULL);
}
