/* pf-detector.c — autoconfig, SRV, MX and guesses, then every candidate
 * probed at once; the whole run bounded and cancellable
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include <libsoup/soup.h>

#include <glib/gi18n.h>

#include "pf-autoconfig.h"
#include "pf-detector.h"
#include "pf-error.h"
#include "pf-map-resolver.h"
#include "pf-provider.h"

#define MAX_HOSTS           24
#define MAX_AUTOCONFIG_SIZE (256 * 1024)

struct _PfDetector
{
  GObject        parent_instance;

  /* Configuration */
  GResolver     *resolver;
  PfPortMap     *port_map;
  char          *ispdb_base;
  GTlsDatabase  *tls_database;
  guint          probe_timeout;
  guint          timeout;
  gboolean       allow_plaintext;
  GPtrArray     *pins;            /* NULL-terminated */

  /* One run */
  GTask         *task;
  GCancellable  *cancellable;     /* ours: cancelled by the caller or the bound */
  gulong         caller_cancel_id;
  GCancellable  *caller_cancellable;
  guint          bound_source;
  gboolean       bound_reached;
  char          *address;
  char          *domain;
  char          *mx_domain;
  GPtrArray     *probes;
  GPtrArray     *lookups;
  GHashTable    *hosts;           /* name → Host */
  guint          outstanding;
  guint          next_order;
  PfProbe       *recommended;
  PfProvider    *provider;        /* from the table, by domain or by MX */
  gboolean       provider_via_mx;
  gboolean       stopped_for_provider;
  gint64         started_us;
  guint          recommended_ms;
  guint          elapsed_ms;
};

G_DEFINE_FINAL_TYPE (PfDetector, pf_detector, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_RECOMMENDED,
  PROP_PROVIDER,
  N_PROPS
};

enum
{
  PROGRESS,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

typedef struct
{
  char          *name;
  PfProbeSource  sources;
  gboolean       resolving;
  gboolean       resolved;
  GError        *resolve_error;
  char          *address;
  char         **addresses;   /* every resolved address: one server under several names */
  GPtrArray     *probes;   /* PfProbe, not owned (self->probes owns) */
} Host;

static void
host_free (Host *host)
{
  g_free (host->name);
  g_clear_error (&host->resolve_error);
  g_free (host->address);
  g_strfreev (host->addresses);
  g_ptr_array_unref (host->probes);
  g_free (host);
}

/* DNS answers may name a host with its trailing root dot. */
static char *
normalize_host (const char *name)
{
  gsize len = strlen (name);

  if (len > 1 && name[len - 1] == '.')
    len--;
  return g_ascii_strdown (name, len);
}

static void maybe_finish        (PfDetector *self);
static void update_recommended  (PfDetector *self);
static void start_lookups       (PfDetector *self,
                                 const char *domain,
                                 gboolean    via_mx);

/* The provider table says there is no POP3 here: why nothing was found. */
static GError *
no_pop3_error (PfProvider *provider)
{
  g_autofree char *text = pf_provider_describe_pop3 (provider);

  return g_error_new_literal (PF_ERROR, PF_ERROR_NOT_FOUND, text);
}

/* Bookkeeping: the run ends when nothing is outstanding. */
static void
hold (PfDetector *self)
{
  self->outstanding++;
}

static void
release (PfDetector *self)
{
  g_assert (self->outstanding > 0);
  self->outstanding--;
  maybe_finish (self);
}

static void
emit_progress (PfDetector      *self,
               PfDetectorEvent  event,
               gpointer         object)
{
  g_signal_emit (self, signals[PROGRESS], 0, event, object);
}

/* An operation that the bound cut short fails with a timeout, not with
 * "cancelled": only the caller cancels. */
static GError *
translate_cancel (PfDetector *self,
                  GError     *error)
{
  if (self->bound_reached && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_error_free (error);
      return g_error_new (PF_ERROR, PF_ERROR_TIMEOUT,
                          _("Detection stopped after %u seconds before this answered."),
                          self->timeout);
    }
  if (self->stopped_for_provider && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_error_free (error);
      return no_pop3_error (self->provider);
    }
  return error;
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
  emit_progress (self, PF_DETECTOR_EVENT_PROBE_FINISHED, probe);
  update_recommended (self);
  release (self);
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
    error = translate_cancel (self, error);
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

  hold (self);
  pf_probe_set_running (probe);
  emit_progress (self, PF_DETECTOR_EVENT_PROBE_STARTED, probe);

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
  release (self);
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

  hold (self);
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
        host->resolve_error = translate_cancel (self, error);
    }
  g_resolver_free_addresses (addresses);

  for (guint i = 0; i < host->probes->len; i++)
    start_probe (self, host, host->probes->pdata[i]);
  if (host->resolve_error == NULL)
    start_imap_check (self, host);
  else
    set_host_imap (host, PF_PROBE_IMAP_UNKNOWN);

  g_free (resolve);
  release (self);
  g_object_unref (self);
}

static Host *
ensure_host (PfDetector    *self,
             const char    *name,
             PfProbeSource  sources)
{
  g_autofree char *key = normalize_host (name);
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

  hold (self);
  host->resolving = TRUE;
  resolve = g_new0 (Resolve, 1);
  resolve->self = g_object_ref (self);
  resolve->host = host;
  g_resolver_lookup_by_name_async (self->resolver, host->name, self->cancellable,
                                   on_host_resolved, resolve);
  return host;
}

static void
add_candidate (PfDetector    *self,
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
static void
add_host (PfDetector    *self,
          const char    *hostname,
          PfProbeSource  sources,
          const char    *username_hint)
{
  add_candidate (self, hostname, 995, PF_SECURITY_TLS, sources, username_hint);
  add_candidate (self, hostname, 110, PF_SECURITY_STARTTLS, sources, username_hint);
  add_candidate (self, hostname, 110, PF_SECURITY_NONE, sources, username_hint);
}

/* The provider table's word: its own servers, probed first and ranked
 * first. */
static void
set_provider (PfDetector *self,
              PfProvider *provider,
              gboolean    via_mx)
{
  GPtrArray *servers = pf_provider_get_servers (provider);
  PfProbeSource sources = PF_PROBE_SOURCE_PROVIDER | (via_mx ? PF_PROBE_SOURCE_VIA_MX : 0);

  g_assert (self->provider == NULL);
  self->provider = pf_provider_ref (provider);
  self->provider_via_mx = via_mx;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PROVIDER]);

  if (pf_provider_get_pop3 (provider) == PF_PROVIDER_POP3_NO)
    return;
  for (guint i = 0; i < servers->len; i++)
    {
      PfProviderServer *server = servers->pdata[i];

      add_candidate (self, server->host, server->port, server->security, sources, NULL);
    }
}

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
  hold (self);
  emit_progress (self, PF_DETECTOR_EVENT_LOOKUP_STARTED, run->lookup);
  return run;
}

static void
lookup_run_finish (LookupRun *run,
                   GError    *error)
{
  PfDetector *self = run->self;

  if (error != NULL)
    error = translate_cancel (self, error);
  pf_lookup_finish (run->lookup, error);
  g_clear_error (&error);
  emit_progress (self, PF_DETECTOR_EVENT_LOOKUP_FINISHED, run->lookup);

  g_clear_object (&run->message);
  g_clear_object (&run->session);
  g_clear_pointer (&run->uri, g_uri_unref);
  g_object_unref (run->lookup);
  g_free (run);

  update_recommended (self);
  release (self);
  g_object_unref (self);
}

static PfProbeSource
lookup_sources (PfLookup *lookup)
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
      g_autofree char *target = normalize_host (g_srv_target_get_hostname (l->data));
      guint16 port = g_srv_target_get_port (l->data);
      PfProbeSource sources = lookup_sources (run->lookup);

      if (!pf_hostname_is_plausible (target))
        continue;
      pf_lookup_add_host (run->lookup, target);
      add_host (self, target, sources, NULL);
      add_candidate (self, target, port, run->security, sources, NULL);
      if (run->security == PF_SECURITY_STARTTLS)
        add_candidate (self, target, port, PF_SECURITY_NONE, sources, NULL);
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
      g_autofree char *lower = normalize_host (best);
      g_autofree char *mx_domain = parent_domain (lower);

      pf_lookup_add_host (run->lookup, lower);

      /* A company domain hosted at a known provider (Google Workspace,
       * Microsoft 365): its servers, or the end of the search when it
       * offers no POP3. */
      if (self->provider == NULL && pf_provider_lookup_mx (lower) != NULL)
        {
          set_provider (self, pf_provider_lookup_mx (lower), TRUE);
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
          start_lookups (self, self->mx_domain, TRUE);
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
      PfProbeSource sources = lookup_sources (run->lookup);

      pf_lookup_add_host (run->lookup, server->hostname);
      add_host (self, server->hostname, sources, server->username);
      add_candidate (self, server->hostname, server->port, server->security, sources, server->username);
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

static void
start_lookups (PfDetector *self,
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
      add_host (self, host, guess, NULL);
    }
  add_host (self, domain, guess, NULL);
}

/* ---- Ranking ------------------------------------------------------------ */

static int
compare_probes (gconstpointer a,
                gconstpointer b,
                gpointer      user_data)
{
  PfDetector *self = user_data;

  return pf_probe_compare_rank (*(PfProbe **) a, *(PfProbe **) b, self->allow_plaintext);
}

static PfProbe *
best_done_probe (PfDetector *self)
{
  PfProbe *best = NULL;

  for (guint i = 0; i < self->probes->len; i++)
    {
      PfProbe *probe = self->probes->pdata[i];

      if (pf_probe_get_state (probe) != PF_PROBE_STATE_DONE ||
          !pf_probe_is_usable (probe, self->allow_plaintext))
        continue;
      if (best == NULL || pf_probe_compare_rank (probe, best, self->allow_plaintext) < 0)
        best = probe;
    }
  return best;
}

/* A lookup still running could add a host that outranks @best. */
static gboolean
lookup_could_outrank (PfDetector *self,
                      PfLookup   *lookup,
                      PfProbe    *best)
{
  g_autoptr(PfProbe) hypothetical = NULL;

  if (pf_lookup_get_finished (lookup))
    return FALSE;
  hypothetical = pf_probe_new ("hypothetical.invalid", 995, PF_SECURITY_TLS,
                               lookup_sources (lookup), G_MAXUINT);
  return pf_probe_could_outrank (hypothetical, best, self->allow_plaintext);
}

static void
set_recommended (PfDetector *self,
                 PfProbe    *probe)
{
  if (self->recommended != NULL || probe == NULL)
    return;
  self->recommended = g_object_ref (probe);
  self->recommended_ms = MAX (1, (guint) ((g_get_monotonic_time () - self->started_us) / 1000));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RECOMMENDED]);
  emit_progress (self, PF_DETECTOR_EVENT_RECOMMENDED, probe);
}

static void
update_recommended (PfDetector *self)
{
  PfProbe *best;

  if (self->recommended != NULL)
    return;
  best = best_done_probe (self);
  if (best == NULL)
    return;

  for (guint i = 0; i < self->probes->len; i++)
    if (pf_probe_could_outrank (self->probes->pdata[i], best, self->allow_plaintext))
      return;
  for (guint i = 0; i < self->lookups->len; i++)
    if (lookup_could_outrank (self, self->lookups->pdata[i], best))
      return;

  set_recommended (self, best);
}

/* ---- The run ------------------------------------------------------------ */

static void
clear_run (PfDetector *self)
{
  g_clear_handle_id (&self->bound_source, g_source_remove);
  if (self->caller_cancellable != NULL && self->caller_cancel_id != 0)
    g_cancellable_disconnect (self->caller_cancellable, self->caller_cancel_id);
  self->caller_cancel_id = 0;
  g_clear_object (&self->caller_cancellable);
}

static void
maybe_finish (PfDetector *self)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GPtrArray) ranked = NULL;
  guint rank = 1;

  if (self->outstanding > 0 || self->task == NULL)
    return;

  task = g_steal_pointer (&self->task);
  clear_run (self);
  self->elapsed_ms = (guint) ((g_get_monotonic_time () - self->started_us) / 1000);

  if (g_task_return_error_if_cancelled (task))
    return;

  ranked = g_ptr_array_new_full (self->probes->len, g_object_unref);
  for (guint i = 0; i < self->probes->len; i++)
    g_ptr_array_add (ranked, g_object_ref (self->probes->pdata[i]));
  g_ptr_array_sort_with_data (ranked, compare_probes, self);
  for (guint i = 0; i < ranked->len; i++)
    pf_probe_set_rank (ranked->pdata[i],
                       pf_probe_is_usable (ranked->pdata[i], self->allow_plaintext) ? rank++ : 0);

  set_recommended (self, ranked->len > 0 && pf_probe_get_rank (ranked->pdata[0]) == 1 ? ranked->pdata[0] : NULL);
  g_task_return_pointer (task, g_steal_pointer (&ranked), (GDestroyNotify) g_ptr_array_unref);
}

static gboolean
on_bound_reached (gpointer user_data)
{
  PfDetector *self = user_data;

  self->bound_source = 0;
  self->bound_reached = TRUE;
  g_cancellable_cancel (self->cancellable);
  return G_SOURCE_REMOVE;
}

static void
on_caller_cancelled (GCancellable *cancellable,
                     gpointer      user_data)
{
  PfDetector *self = user_data;

  g_cancellable_cancel (self->cancellable);
}

void
pf_detector_run_async (PfDetector          *self,
                       const char          *address,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *domain = NULL;
  PfProvider *provider;

  g_return_if_fail (PF_IS_DETECTOR (self));
  g_return_if_fail (address != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));
  g_return_if_fail (self->task == NULL && self->address == NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, pf_detector_run_async);
  g_task_set_check_cancellable (task, FALSE);

  if (!pf_address_split (address, NULL, &domain))
    {
      g_task_return_new_error (task, PF_ERROR, PF_ERROR_INVALID_INPUT,
                               _("“%s” is not an e-mail address."), address);
      return;
    }

  self->address = g_strdup (address);
  self->domain = g_steal_pointer (&domain);
  self->started_us = g_get_monotonic_time ();
  self->task = g_steal_pointer (&task);
  self->cancellable = g_cancellable_new ();
  if (self->resolver == NULL)
    self->resolver = g_resolver_get_default ();
  if (cancellable != NULL)
    {
      self->caller_cancellable = g_object_ref (cancellable);
      self->caller_cancel_id = g_cancellable_connect (cancellable, G_CALLBACK (on_caller_cancelled),
                                                      self, NULL);
    }
  self->bound_source = g_timeout_add (self->timeout * 1000, on_bound_reached, self);

  /* Hold the run open while the first lookups start, so nothing finishes
   * it half way. */
  hold (self);
  provider = pf_provider_lookup_domain (self->domain);
  if (provider != NULL)
    set_provider (self, provider, FALSE);
  /* Known offline: nothing to probe, and the answer comes at once. */
  if (provider == NULL || pf_provider_get_pop3 (provider) != PF_PROVIDER_POP3_NO)
    start_lookups (self, self->domain, FALSE);
  release (self);
}

GPtrArray *
pf_detector_run_finish (PfDetector    *self,
                        GAsyncResult  *result,
                        GError       **error)
{
  g_return_val_if_fail (PF_IS_DETECTOR (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == pf_detector_run_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- Object ------------------------------------------------------------- */

static void
pf_detector_dispose (GObject *object)
{
  PfDetector *self = PF_DETECTOR (object);

  clear_run (self);
  G_OBJECT_CLASS (pf_detector_parent_class)->dispose (object);
}

static void
pf_detector_finalize (GObject *object)
{
  PfDetector *self = PF_DETECTOR (object);

  g_clear_object (&self->resolver);
  g_clear_pointer (&self->port_map, pf_port_map_unref);
  g_free (self->ispdb_base);
  g_clear_object (&self->tls_database);
  g_ptr_array_unref (self->pins);
  g_clear_object (&self->cancellable);
  g_free (self->address);
  g_free (self->domain);
  g_free (self->mx_domain);
  g_ptr_array_unref (self->probes);
  g_ptr_array_unref (self->lookups);
  g_hash_table_unref (self->hosts);
  g_clear_object (&self->recommended);
  g_clear_pointer (&self->provider, pf_provider_unref);
  G_OBJECT_CLASS (pf_detector_parent_class)->finalize (object);
}

static void
pf_detector_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  PfDetector *self = PF_DETECTOR (object);

  switch (prop_id)
    {
    case PROP_RECOMMENDED:
      g_value_set_object (value, self->recommended);
      break;
    case PROP_PROVIDER:
      g_value_set_boxed (value, self->provider);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pf_detector_class_init (PfDetectorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = pf_detector_dispose;
  object_class->finalize = pf_detector_finalize;
  object_class->get_property = pf_detector_get_property;

  properties[PROP_RECOMMENDED] =
    g_param_spec_object ("recommended", NULL, NULL, PF_TYPE_PROBE,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PROVIDER] =
    g_param_spec_boxed ("provider", NULL, NULL, PF_TYPE_PROVIDER,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[PROGRESS] =
    g_signal_new ("progress", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_INT, G_TYPE_OBJECT);
}

static void
pf_detector_init (PfDetector *self)
{
  self->ispdb_base = g_strdup (PF_DETECTOR_DEFAULT_ISPDB);
  self->probe_timeout = 8;
  self->timeout = 20;
  self->pins = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (self->pins, NULL);
  self->probes = g_ptr_array_new_with_free_func (g_object_unref);
  self->lookups = g_ptr_array_new_with_free_func (g_object_unref);
  self->hosts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) host_free);
}

PfDetector *
pf_detector_new (void)
{
  return g_object_new (PF_TYPE_DETECTOR, NULL);
}

void
pf_detector_set_resolver (PfDetector *self,
                          GResolver  *resolver)
{
  g_return_if_fail (PF_IS_DETECTOR (self));
  g_return_if_fail (resolver == NULL || G_IS_RESOLVER (resolver));

  g_set_object (&self->resolver, resolver);
}

void
pf_detector_set_port_map (PfDetector *self,
                          PfPortMap  *map)
{
  g_return_if_fail (PF_IS_DETECTOR (self));

  if (map != NULL)
    pf_port_map_ref (map);
  g_clear_pointer (&self->port_map, pf_port_map_unref);
  self->port_map = map;
}

void
pf_detector_set_ispdb_base (PfDetector *self,
                            const char *https_base)
{
  g_return_if_fail (PF_IS_DETECTOR (self));

  g_free (self->ispdb_base);
  self->ispdb_base = g_strdup (https_base);
}

void
pf_detector_set_tls_database (PfDetector   *self,
                              GTlsDatabase *database)
{
  g_return_if_fail (PF_IS_DETECTOR (self));
  g_return_if_fail (database == NULL || G_IS_TLS_DATABASE (database));

  g_set_object (&self->tls_database, database);
}

void
pf_detector_set_probe_timeout (PfDetector *self,
                               guint       seconds)
{
  g_return_if_fail (PF_IS_DETECTOR (self));
  g_return_if_fail (seconds > 0);

  self->probe_timeout = seconds;
}

void
pf_detector_set_timeout (PfDetector *self,
                         guint       seconds)
{
  g_return_if_fail (PF_IS_DETECTOR (self));
  g_return_if_fail (seconds > 0);

  self->timeout = seconds;
}

void
pf_detector_set_allow_plaintext (PfDetector *self,
                                 gboolean    allow)
{
  g_return_if_fail (PF_IS_DETECTOR (self));

  self->allow_plaintext = !!allow;
}

void
pf_detector_add_pinned_fingerprint (PfDetector *self,
                                    const char *sha256_hex)
{
  g_autofree char *pin = pf_sha256_fingerprint_normalize (sha256_hex);

  g_return_if_fail (PF_IS_DETECTOR (self));
  g_return_if_fail (pin != NULL);

  g_ptr_array_insert (self->pins, self->pins->len - 1, g_steal_pointer (&pin));
}

PfProbe *
pf_detector_get_recommended (PfDetector *self)
{
  g_return_val_if_fail (PF_IS_DETECTOR (self), NULL);
  return self->recommended;
}

GPtrArray *
pf_detector_get_probes (PfDetector *self)
{
  g_return_val_if_fail (PF_IS_DETECTOR (self), NULL);
  return self->probes;
}

GPtrArray *
pf_detector_get_lookups (PfDetector *self)
{
  g_return_val_if_fail (PF_IS_DETECTOR (self), NULL);
  return self->lookups;
}

const char *
pf_detector_get_address (PfDetector *self)
{
  g_return_val_if_fail (PF_IS_DETECTOR (self), NULL);
  return self->address;
}

guint
pf_detector_get_recommended_ms (PfDetector *self)
{
  g_return_val_if_fail (PF_IS_DETECTOR (self), 0);
  return self->recommended_ms;
}

guint
pf_detector_get_elapsed_ms (PfDetector *self)
{
  g_return_val_if_fail (PF_IS_DETECTOR (self), 0);
  return self->elapsed_ms;
}

PfProvider *
pf_detector_get_provider (PfDetector *self)
{
  g_return_val_if_fail (PF_IS_DETECTOR (self), NULL);
  return self->provider;
}

gboolean
pf_detector_get_provider_via_mx (PfDetector *self)
{
  g_return_val_if_fail (PF_IS_DETECTOR (self), FALSE);
  return self->provider_via_mx;
}

GError *
pf_detector_dup_no_pop3_error (PfDetector *self)
{
  g_return_val_if_fail (PF_IS_DETECTOR (self), NULL);

  if (self->provider == NULL || pf_provider_get_pop3 (self->provider) != PF_PROVIDER_POP3_NO)
    return NULL;
  return no_pop3_error (self->provider);
}
