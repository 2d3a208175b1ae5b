/* test-detector.c — detection on loopback: scripted servers, a local https
 * autoconfig server and a table resolver instead of DNS
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include <libsoup/soup.h>

#include "pf-detector.h"
#include "pf-error.h"
#include "pf-map-resolver.h"
#include "pf-test-certs.h"
#include "pf-test-server.h"
#include "pf-test-util.h"
#include "pf-tls-database.h"

#define GOOD_CAPA "S: +OK\nS: USER\nS: UIDL\nS: PIPELINING\nS: LOGIN-DELAY 900\nS: EXPIRE NEVER\nS: SASL PLAIN SCRAM-SHA-256\nS: .\n"

typedef struct
{
  PfMapResolver *resolver;
  PfPortMap     *ports;
  PfDetector    *detector;
  GPtrArray     *servers;    /* PfTestServer */
  GPtrArray     *events;     /* "kind:what" strings */
  SoupServer    *soup;
  guint16        soup_port;
  GHashTable    *documents;  /* path → XML */
  gboolean       finished;
  gboolean       recommended_before_finish;
} Fixture;

static void
on_progress (PfDetector      *detector,
             PfDetectorEvent  event,
             GObject         *object,
             Fixture         *fixture)
{
  const char *kind[] = { "lookup-started", "lookup-finished", "probe-started", "probe-finished", "recommended" };
  const char *what;

  if (PF_IS_LOOKUP (object))
    what = pf_lookup_get_query (PF_LOOKUP (object));
  else
    what = pf_probe_get_host (PF_PROBE (object));
  g_ptr_array_add (fixture->events, g_strdup_printf ("%s:%s", kind[event], what));
  if (event == PF_DETECTOR_EVENT_RECOMMENDED && !fixture->finished)
    fixture->recommended_before_finish = TRUE;
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GTlsDatabase) database = pf_test_certs_database ();

  fixture->resolver = pf_map_resolver_new (NULL);
  fixture->ports = pf_port_map_new ();
  /* Nothing listens on the standard ports of loopback in these tests. */
  pf_port_map_set (fixture->ports, 995, 0);
  pf_port_map_set (fixture->ports, 110, 0);
  pf_port_map_set (fixture->ports, 993, 0);
  pf_port_map_set (fixture->ports, 443, 0);
  fixture->detector = pf_detector_new ();
  pf_detector_set_resolver (fixture->detector, G_RESOLVER (fixture->resolver));
  pf_detector_set_port_map (fixture->detector, fixture->ports);
  pf_detector_set_tls_database (fixture->detector, database);
  pf_detector_set_ispdb_base (fixture->detector, NULL);
  pf_detector_set_probe_timeout (fixture->detector, 5);
  pf_detector_set_timeout (fixture->detector, 10);
  g_signal_connect (fixture->detector, "progress", G_CALLBACK (on_progress), fixture);
  fixture->servers = g_ptr_array_new_with_free_func ((GDestroyNotify) pf_test_server_free);
  fixture->events = g_ptr_array_new_with_free_func (g_free);
  fixture->documents = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  pf_test_assert_finalized (fixture->detector, 10);
  g_clear_pointer (&fixture->servers, g_ptr_array_unref);
  if (fixture->soup != NULL)
    {
      soup_server_disconnect (fixture->soup);
      g_assert_finalize_object (fixture->soup);
    }
  pf_test_assert_finalized (fixture->resolver, 10);
  pf_port_map_unref (fixture->ports);
  g_ptr_array_unref (fixture->events);
  g_hash_table_unref (fixture->documents);
}

/* A host on 127.0.0.1 whose @port is served by a new scripted server. */
static PfTestServer *
serve (Fixture          *fixture,
       const char       *host,
       guint16           port,
       PfTestServerMode  mode,
       PfTestCertKind    cert,
       const char       *script)
{
  const char *names[] = { host, NULL };
  g_autoptr(GTlsCertificate) certificate = pf_test_certs_server (cert, names);
  PfTestServer *server = pf_test_server_new (mode);

  pf_test_server_set_certificate (server, certificate);
  pf_test_server_add_script (server, script);
  pf_map_resolver_add_host (fixture->resolver, host, "127.0.0.1");
  pf_port_map_set_for_host (fixture->ports, host, port, pf_test_server_get_port (server));
  g_ptr_array_add (fixture->servers, server);
  return server;
}

static void
serve_tls (Fixture        *fixture,
           const char     *host,
           PfTestCertKind  cert)
{
  serve (fixture, host, 995, PF_TEST_SERVER_TLS, cert,
         "S: +OK POP3 ready\nC: CAPA\n" GOOD_CAPA "C: *\n");
}

static void
serve_stls (Fixture    *fixture,
            const char *host)
{
  serve (fixture, host, 110, PF_TEST_SERVER_PLAIN, PF_TEST_CERT_VALID,
         "S: +OK POP3 ready\nC: CAPA\nS: +OK\nS: STLS\nS: USER\nS: .\n"
         "C: STLS\nS: +OK Begin TLS\nTLS\nC: CAPA\n" GOOD_CAPA "C: *\n");
}

static void
serve_stripped (Fixture    *fixture,
                const char *host)
{
  serve (fixture, host, 110, PF_TEST_SERVER_PLAIN, PF_TEST_CERT_VALID,
         "S: +OK POP3 ready\nC: CAPA\nS: +OK\nS: USER\nS: UIDL\nS: .\nC: *\n");
}

static GPtrArray *
run (Fixture    *fixture,
     const char *address)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GPtrArray *probes;

  pf_detector_run_async (fixture->detector, address, NULL, pf_test_store_result, &result);
  pf_test_wait_result (&result, 30);
  fixture->finished = TRUE;
  probes = pf_detector_run_finish (fixture->detector, result, &error);
  g_assert_no_error (error);
  g_assert_nonnull (probes);
  return probes;
}

static PfProbe *
find_probe (GPtrArray  *probes,
            const char *host,
            guint16     port,
            PfSecurity  security)
{
  for (guint i = 0; i < probes->len; i++)
    {
      PfProbe *probe = probes->pdata[i];

      if (g_strcmp0 (pf_probe_get_host (probe), host) == 0 &&
          pf_probe_get_port (probe) == port && pf_probe_get_security (probe) == security)
        return probe;
    }
  g_error ("no probe for %s:%u", host, port);
  return NULL;
}

static void
assert_recommended (Fixture    *fixture,
                    GPtrArray  *probes,
                    const char *host,
                    guint16     port,
                    PfSecurity  security)
{
  PfProbe *recommended = pf_detector_get_recommended (fixture->detector);

  g_assert_nonnull (recommended);
  g_assert_cmpstr (pf_probe_get_host (recommended), ==, host);
  g_assert_cmpuint (pf_probe_get_port (recommended), ==, port);
  g_assert_cmpint (pf_probe_get_security (recommended), ==, security);
  g_assert_cmpint (pf_probe_get_verdict (recommended), ==, PF_PROBE_VERDICT_SECURE);
  g_assert_cmpuint (pf_probe_get_rank (recommended), ==, 1);
  g_assert_true (probes->pdata[0] == recommended);
}

static void
test_srv_only (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(GPtrArray) probes = NULL;
  PfProbe *best;
  const PfCapabilities *caps;

  serve_tls (fixture, "pop-server.srv.test", PF_TEST_CERT_VALID);
  pf_map_resolver_add_srv (fixture->resolver, "_pop3s._tcp.srv.test", 10, 0, 995, "pop-server.srv.test.");
  pf_map_resolver_add_srv (fixture->resolver, "_pop3._tcp.srv.test", 0, 0, 0, ".");

  probes = run (fixture, "jo@srv.test");
  assert_recommended (fixture, probes, "pop-server.srv.test", 995, PF_SECURITY_TLS);

  best = probes->pdata[0];
  g_assert_true (pf_probe_get_sources (best) & PF_PROBE_SOURCE_SRV);
  g_assert_cmpstr (pf_probe_get_greeting (best), ==, "POP3 ready");
  caps = pf_probe_get_capabilities (best);
  g_assert_true (caps->uidl && caps->pipelining && caps->user);
  g_assert_cmpint (caps->login_delay, ==, 900);
  g_assert_cmpint (caps->expire, ==, G_MAXINT64);
  g_assert_true (pf_capabilities_has_sasl (caps, "SCRAM-SHA-256"));
  g_assert_cmpint (pf_probe_get_best_mechanism (best), ==, PF_AUTH_SCRAM_SHA_256);
  g_assert_nonnull (pf_probe_get_cert_info (best));
  g_assert_cmpint (pf_probe_get_cert_info (best)->errors, ==, 0);
  g_assert_true (g_strv_contains ((const char * const *) pf_probe_get_cert_info (best)->names,
                                  "pop-server.srv.test"));
  g_assert_cmpint (pf_probe_get_imap (best), ==, PF_PROBE_IMAP_CLOSED);

  /* The guesses did not resolve; every one is reported, not hidden. */
  g_assert_cmpint (pf_probe_get_verdict (find_probe (probes, "pop.srv.test", 995, PF_SECURITY_TLS)), ==,
                   PF_PROBE_VERDICT_FAILED);
  g_assert_error ((GError *) pf_probe_get_error (find_probe (probes, "pop.srv.test", 995, PF_SECURITY_TLS)),
                  PF_ERROR, PF_ERROR_RESOLVE);
  /* "." as the _pop3 target: no service, no host. */
  for (guint i = 0; i < fixture->events->len; i++)
    g_assert_null (strstr (fixture->events->pdata[i], ":."));
  g_assert_true (g_ptr_array_find_with_equal_func (fixture->events, "lookup-started:_pop3s._tcp.srv.test", g_str_equal, NULL));
  g_assert_true (g_ptr_array_find_with_equal_func (fixture->events, "lookup-finished:_pop3s._tcp.srv.test", g_str_equal, NULL));
  g_assert_true (g_ptr_array_find_with_equal_func (fixture->events, "probe-finished:pop-server.srv.test", g_str_equal, NULL));
  g_assert_true (g_ptr_array_find_with_equal_func (fixture->events, "recommended:pop-server.srv.test", g_str_equal, NULL));
}

static void
test_srv_priority (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(GPtrArray) probes = NULL;

  /* Both work; the lower priority value is preferred. */
  serve_tls (fixture, "backup.prio.test", PF_TEST_CERT_VALID);
  serve_tls (fixture, "primary.prio.test", PF_TEST_CERT_VALID);
  pf_map_resolver_add_srv (fixture->resolver, "_pop3s._tcp.prio.test", 20, 0, 995, "backup.prio.test");
  pf_map_resolver_add_srv (fixture->resolver, "_pop3s._tcp.prio.test", 10, 0, 995, "primary.prio.test");

  probes = run (fixture, "jo@prio.test");
  assert_recommended (fixture, probes, "primary.prio.test", 995, PF_SECURITY_TLS);
  g_assert_cmpuint (pf_probe_get_rank (find_probe (probes, "backup.prio.test", 995, PF_SECURITY_TLS)), ==, 2);
}

static void
on_autoconfig_request (SoupServer        *server,
                       SoupServerMessage *message,
                       const char        *path,
                       GHashTable        *query,
                       gpointer           user_data)
{
  Fixture *fixture = user_data;
  const char *document = g_hash_table_lookup (fixture->documents, path);

  if (document == NULL)
    {
      soup_server_message_set_status (message, SOUP_STATUS_NOT_FOUND, NULL);
      return;
    }
  soup_server_message_set_status (message, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (message, "text/xml", SOUP_MEMORY_COPY, document, strlen (document));
}

/* An https server with a test-CA certificate for @cert_names, standing in
 * for port 443 of each of @names. */
static void
start_https_with_cert (Fixture            *fixture,
                       const char * const *names,
                       const char * const *cert_names)
{
  g_autoptr(GTlsCertificate) certificate = pf_test_certs_server (PF_TEST_CERT_VALID, cert_names);
  g_autoptr(GError) error = NULL;
  g_autoptr(GSList) uris = NULL;

  fixture->soup = soup_server_new ("tls-certificate", certificate, NULL);
  soup_server_add_handler (fixture->soup, NULL, on_autoconfig_request, fixture, NULL);
  soup_server_listen_local (fixture->soup, 0, SOUP_SERVER_LISTEN_HTTPS | SOUP_SERVER_LISTEN_IPV4_ONLY, &error);
  g_assert_no_error (error);
  uris = soup_server_get_uris (fixture->soup);
  fixture->soup_port = g_uri_get_port (uris->data);
  g_slist_free_full (g_steal_pointer (&uris), (GDestroyNotify) g_uri_unref);

  for (guint i = 0; names[i] != NULL; i++)
    {
      pf_map_resolver_add_host (fixture->resolver, names[i], "127.0.0.1");
      pf_port_map_set_for_host (fixture->ports, names[i], 443, fixture->soup_port);
    }
}

static void
start_https (Fixture            *fixture,
             const char * const *names)
{
  start_https_with_cert (fixture, names, names);
}

#define AUTOCONFIG_XML(host) \
  "<?xml version=\"1.0\"?>\n<clientConfig version=\"1.1\"><emailProvider id=\"x\">" \
  "<incomingServer type=\"pop3\"><hostname>" host "</hostname><port>995</port>" \
  "<socketType>SSL</socketType><username>%EMAILLOCALPART%</username>" \
  "<authentication>password-cleartext</authentication></incomingServer>" \
  "</emailProvider></clientConfig>\n"

static void
test_autoconfig (Fixture       *fixture,
                 gconstpointer  data)
{
  const char *names[] = { "autoconfig.ac.test", NULL };
  g_autoptr(GPtrArray) probes = NULL;
  PfProbe *best;

  start_https (fixture, names);
  g_hash_table_insert (fixture->documents, g_strdup ("/mail/config-v1.1.xml"),
                       g_strdup (AUTOCONFIG_XML ("incoming.%EMAILDOMAIN%")));
  serve_tls (fixture, "incoming.ac.test", PF_TEST_CERT_VALID);

  probes = run (fixture, "jo.doe@ac.test");
  assert_recommended (fixture, probes, "incoming.ac.test", 995, PF_SECURITY_TLS);
  best = probes->pdata[0];
  g_assert_true (pf_probe_get_sources (best) & PF_PROBE_SOURCE_AUTOCONFIG);
  g_assert_cmpstr (pf_probe_get_username_hint (best), ==, "jo.doe");
}

static void
test_autoconfig_untrusted_ignored (Fixture       *fixture,
                                   gconstpointer  data)
{
  const char *names[] = { "autoconfig.evil.test", NULL };
  g_autoptr(GTlsDatabase) system_only = pf_tls_database_new (NULL, NULL);
  g_autoptr(GPtrArray) probes = NULL;

  /* The same server, but the detector does not trust the test CA: the
   * document must not be used. */
  start_https (fixture, names);
  g_hash_table_insert (fixture->documents, g_strdup ("/mail/config-v1.1.xml"),
                       g_strdup (AUTOCONFIG_XML ("trap.evil.test")));
  pf_detector_set_tls_database (fixture->detector, system_only);

  probes = run (fixture, "jo@evil.test");
  for (guint i = 0; i < probes->len; i++)
    g_assert_cmpstr (pf_probe_get_host (probes->pdata[i]), !=, "trap.evil.test");
  g_assert_null (pf_detector_get_recommended (fixture->detector));
}

/* The detector dials the address it resolved itself, and libsoup checked
 * the certificate against that address: a certificate that names only
 * 127.0.0.1, valid for no host name, was taken for autoconfig.ip.test. */
static void
test_autoconfig_ip_certificate_ignored (Fixture       *fixture,
                                        gconstpointer  data)
{
  const char *names[] = { "autoconfig.ip.test", "ip.test", NULL };
  const char *cert_names[] = { "127.0.0.1", NULL };
  g_autoptr(GPtrArray) probes = NULL;

  start_https_with_cert (fixture, names, cert_names);
  g_hash_table_insert (fixture->documents, g_strdup ("/mail/config-v1.1.xml"),
                       g_strdup (AUTOCONFIG_XML ("trap.ip.test")));
  g_hash_table_insert (fixture->documents, g_strdup ("/.well-known/autoconfig/mail/config-v1.1.xml"),
                       g_strdup (AUTOCONFIG_XML ("trap.ip.test")));

  probes = run (fixture, "jo@ip.test");
  for (guint i = 0; i < probes->len; i++)
    g_assert_cmpstr (pf_probe_get_host (probes->pdata[i]), !=, "trap.ip.test");
  g_assert_null (pf_detector_get_recommended (fixture->detector));
}

static void
test_ispdb (Fixture       *fixture,
            gconstpointer  data)
{
  const char *names[] = { "ispdb.test", NULL };
  g_autoptr(GPtrArray) probes = NULL;
  PfProbe *best;

  start_https (fixture, names);
  g_hash_table_insert (fixture->documents, g_strdup ("/v1.1/isp.test"),
                       g_strdup (AUTOCONFIG_XML ("pop.mailhost.test")));
  serve_tls (fixture, "pop.mailhost.test", PF_TEST_CERT_VALID);
  pf_detector_set_ispdb_base (fixture->detector, "https://ispdb.test/v1.1/");

  probes = run (fixture, "jo@isp.test");
  assert_recommended (fixture, probes, "pop.mailhost.test", 995, PF_SECURITY_TLS);
  best = probes->pdata[0];
  g_assert_true (pf_probe_get_sources (best) & PF_PROBE_SOURCE_ISPDB);
}

static void
test_mx_indirection (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(GPtrArray) probes = NULL;
  PfProbe *best;

  pf_map_resolver_add_mx (fixture->resolver, "customer.test", 20, "mx2.provider.test");
  pf_map_resolver_add_mx (fixture->resolver, "customer.test", 10, "MX1.provider.test.");
  serve_tls (fixture, "pop.provider.test", PF_TEST_CERT_VALID);

  probes = run (fixture, "jo@customer.test");
  assert_recommended (fixture, probes, "pop.provider.test", 995, PF_SECURITY_TLS);
  best = probes->pdata[0];
  g_assert_true (pf_probe_get_sources (best) & PF_PROBE_SOURCE_VIA_MX);
  g_assert_true (pf_probe_get_sources (best) & PF_PROBE_SOURCE_GUESS);
  g_assert_true (g_ptr_array_find_with_equal_func (fixture->events, "lookup-started:_pop3s._tcp.provider.test",
                                                   g_str_equal, NULL));
}

static void
test_guess_only (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(GPtrArray) probes = NULL;
  PfProbe *best;

  serve_tls (fixture, "pop3.guess.test", PF_TEST_CERT_VALID);

  probes = run (fixture, "jo@guess.test");
  assert_recommended (fixture, probes, "pop3.guess.test", 995, PF_SECURITY_TLS);
  best = probes->pdata[0];
  g_assert_cmpint (pf_probe_get_sources (best), ==, PF_PROBE_SOURCE_GUESS);
  /* 4 guessed hosts × 3 probes, every one reported. */
  g_assert_cmpuint (probes->len, ==, 12);
  for (guint i = 0; i < probes->len; i++)
    g_assert_cmpint (pf_probe_get_state (probes->pdata[i]), ==, PF_PROBE_STATE_DONE);
  g_assert_error ((GError *) pf_probe_get_error (find_probe (probes, "pop3.guess.test", 110, PF_SECURITY_STARTTLS)),
                  PF_ERROR, PF_ERROR_REFUSED);
}

static void
test_stls_when_995_closed (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autoptr(GPtrArray) probes = NULL;
  PfProbe *best;

  serve_stls (fixture, "pop.stls.test");

  probes = run (fixture, "jo@stls.test");
  assert_recommended (fixture, probes, "pop.stls.test", 110, PF_SECURITY_STARTTLS);
  best = probes->pdata[0];
  /* Text from before TLS is not shown; CAPA is the one after TLS. */
  g_assert_null (pf_probe_get_greeting (best));
  g_assert_true (pf_capabilities_has_sasl (pf_probe_get_capabilities (best), "SCRAM-SHA-256"));
  g_assert_false (pf_probe_get_capabilities (best)->stls);
  g_assert_nonnull (pf_probe_get_cert_info (best));
  g_assert_cmpint (pf_probe_get_verdict (find_probe (probes, "pop.stls.test", 995, PF_SECURITY_TLS)), ==,
                   PF_PROBE_VERDICT_FAILED);
  /* The plain probe found POP3 too, but it is never recommended. */
  g_assert_cmpint (pf_probe_get_verdict (find_probe (probes, "pop.stls.test", 110, PF_SECURITY_NONE)), ==,
                   PF_PROBE_VERDICT_PLAINTEXT);
  g_assert_cmpuint (pf_probe_get_rank (find_probe (probes, "pop.stls.test", 110, PF_SECURITY_NONE)), ==, 0);
}

static void
test_stls_stripped_flagged (Fixture       *fixture,
                            gconstpointer  data)
{
  g_autoptr(GPtrArray) probes = NULL;
  PfProbe *stripped;

  /* pop. ranks before mail. among guesses, so only the verdict can put the
   * proper host first. */
  serve_stripped (fixture, "pop.mix.test");
  serve_stls (fixture, "mail.mix.test");

  probes = run (fixture, "jo@mix.test");
  assert_recommended (fixture, probes, "mail.mix.test", 110, PF_SECURITY_STARTTLS);
  stripped = find_probe (probes, "pop.mix.test", 110, PF_SECURITY_STARTTLS);
  g_assert_cmpint (pf_probe_get_verdict (stripped), ==, PF_PROBE_VERDICT_STLS_MISSING);
  g_assert_error ((GError *) pf_probe_get_error (stripped), PF_ERROR, PF_ERROR_STLS_UNAVAILABLE);
  g_assert_cmpuint (pf_probe_get_rank (stripped), ==, 0);
  /* Its plaintext POP3 is there, but never used without opt-in. */
  g_assert_cmpint (pf_probe_get_verdict (find_probe (probes, "pop.mix.test", 110, PF_SECURITY_NONE)), ==,
                   PF_PROBE_VERDICT_PLAINTEXT);
  g_assert_cmpstr (pf_probe_get_greeting (find_probe (probes, "pop.mix.test", 110, PF_SECURITY_NONE)), ==,
                   "POP3 ready");
}

static void
test_plaintext_opt_in (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(GPtrArray) probes = NULL;
  PfProbe *recommended;

  serve_stripped (fixture, "pop.plain.test");
  pf_detector_set_allow_plaintext (fixture->detector, TRUE);

  probes = run (fixture, "jo@plain.test");
  recommended = pf_detector_get_recommended (fixture->detector);
  g_assert_nonnull (recommended);
  g_assert_cmpint (pf_probe_get_security (recommended), ==, PF_SECURITY_NONE);
  g_assert_cmpint (pf_probe_get_verdict (recommended), ==, PF_PROBE_VERDICT_PLAINTEXT);
}

static void
test_expired_certificate (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autoptr(GPtrArray) probes = NULL;
  PfProbe *expired;
  const PfCertInfo *info;

  serve_tls (fixture, "pop.expired.test", PF_TEST_CERT_EXPIRED);

  probes = run (fixture, "jo@expired.test");
  g_assert_null (pf_detector_get_recommended (fixture->detector));
  expired = find_probe (probes, "pop.expired.test", 995, PF_SECURITY_TLS);
  g_assert_cmpint (pf_probe_get_verdict (expired), ==, PF_PROBE_VERDICT_CERT_INVALID);
  g_assert_error ((GError *) pf_probe_get_error (expired), PF_ERROR, PF_ERROR_CERT_EXPIRED);
  info = pf_probe_get_cert_info (expired);
  g_assert_nonnull (info);
  g_assert_true (info->errors & G_TLS_CERTIFICATE_EXPIRED);
  g_assert_cmpuint (strlen (info->sha256), ==, 64);
  g_assert_cmpuint (pf_probe_get_rank (expired), ==, 0);
}

static void
test_pinned_certificate (Fixture       *fixture,
                         gconstpointer  data)
{
  const char *names[] = { "pop.pinned.test", NULL };
  g_autoptr(GTlsCertificate) cert = pf_test_certs_server (PF_TEST_CERT_SELF_SIGNED, names);
  g_autoptr(PfCertInfo) info = pf_cert_info_new (cert, 0, NULL);
  g_autoptr(GPtrArray) probes = NULL;
  PfProbe *recommended;

  serve_tls (fixture, "pop.pinned.test", PF_TEST_CERT_SELF_SIGNED);
  pf_detector_add_pinned_fingerprint (fixture->detector, info->sha256);

  probes = run (fixture, "jo@pinned.test");
  recommended = pf_detector_get_recommended (fixture->detector);
  g_assert_nonnull (recommended);
  g_assert_cmpint (pf_probe_get_verdict (recommended), ==, PF_PROBE_VERDICT_PINNED);
  g_assert_cmpstr (pf_probe_get_cert_info (recommended)->sha256, ==, info->sha256);
}

static void
test_stalled_host (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(GPtrArray) probes = NULL;
  PfProbe *stalled;
  gint64 start = g_get_monotonic_time ();
  guint elapsed_ms;

  /* A guessed host accepts and never greets; the published one works. */
  serve (fixture, "pop.slow.test", 995, PF_TEST_SERVER_PLAIN, PF_TEST_CERT_VALID, "STALL 30000\n");
  serve_tls (fixture, "good.slow.test", PF_TEST_CERT_VALID);
  pf_map_resolver_add_srv (fixture->resolver, "_pop3s._tcp.slow.test", 0, 0, 995, "good.slow.test");
  pf_detector_set_probe_timeout (fixture->detector, 20);
  pf_detector_set_timeout (fixture->detector, 5);

  probes = run (fixture, "jo@slow.test");
  elapsed_ms = (guint) ((g_get_monotonic_time () - start) / 1000);

  assert_recommended (fixture, probes, "good.slow.test", 995, PF_SECURITY_TLS);
  g_assert_true (fixture->recommended_before_finish);
  g_test_message ("recommended after %u ms, run ended after %u ms",
                  pf_detector_get_recommended_ms (fixture->detector), elapsed_ms);
  g_assert_cmpuint (pf_detector_get_recommended_ms (fixture->detector), <, 4000);
  /* The bound ends the run, not the stalled host (nor its 20 s timeout). */
  g_assert_cmpuint (elapsed_ms, >=, 4900);
  g_assert_cmpuint (elapsed_ms, <, 12000);
  stalled = find_probe (probes, "pop.slow.test", 995, PF_SECURITY_TLS);
  g_assert_cmpint (pf_probe_get_verdict (stalled), ==, PF_PROBE_VERDICT_FAILED);
  g_assert_error ((GError *) pf_probe_get_error (stalled), PF_ERROR, PF_ERROR_TIMEOUT);
}

static void
test_ties_by_source_then_auth (Fixture       *fixture,
                               gconstpointer  data)
{
  g_autoptr(GPtrArray) probes = NULL;

  /* Three valid TLS hosts: pop. is guessed first but only offers USER;
   * mail. is guessed later with SCRAM; published.tie.test comes from SRV
   * with USER only. Published beats guessed; then the stronger login. */
  serve (fixture, "pop.tie.test", 995, PF_TEST_SERVER_TLS, PF_TEST_CERT_VALID,
         "S: +OK ready\nC: CAPA\nS: +OK\nS: USER\nS: .\nC: *\n");
  serve_tls (fixture, "mail.tie.test", PF_TEST_CERT_VALID);
  serve (fixture, "published.tie.test", 995, PF_TEST_SERVER_TLS, PF_TEST_CERT_VALID,
         "S: +OK ready\nC: CAPA\nS: +OK\nS: USER\nS: .\nC: *\n");
  pf_map_resolver_add_srv (fixture->resolver, "_pop3s._tcp.tie.test", 0, 0, 995, "published.tie.test");

  probes = run (fixture, "jo@tie.test");
  assert_recommended (fixture, probes, "published.tie.test", 995, PF_SECURITY_TLS);
  g_assert_cmpint (pf_probe_get_best_mechanism (probes->pdata[0]), ==, PF_AUTH_USER);
  g_assert_cmpstr (pf_probe_get_host (probes->pdata[1]), ==, "mail.tie.test");
  g_assert_cmpint (pf_probe_get_best_mechanism (probes->pdata[1]), ==, PF_AUTH_SCRAM_SHA_256);
  g_assert_cmpstr (pf_probe_get_host (probes->pdata[2]), ==, "pop.tie.test");
}

static void
test_cancel (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) probes = NULL;

  serve (fixture, "pop.cancel.test", 995, PF_TEST_SERVER_PLAIN, PF_TEST_CERT_VALID, "STALL 20000\n");
  pf_detector_run_async (fixture->detector, "jo@cancel.test", cancellable, pf_test_store_result, &result);
  g_timeout_add_once (200, (GSourceOnceFunc) g_cancellable_cancel, cancellable);
  pf_test_wait_result (&result, 5);
  probes = pf_detector_run_finish (fixture->detector, result, &error);
  g_assert_null (probes);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

static void
test_bad_address (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  pf_detector_run_async (fixture->detector, "not an address", NULL, pf_test_store_result, &result);
  pf_test_wait_result (&result, 5);
  g_assert_null (pf_detector_run_finish (fixture->detector, result, &error));
  g_assert_error (error, PF_ERROR, PF_ERROR_INVALID_INPUT);
}

static void
test_loopback_probe_set (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autoptr(GPtrArray) probes = NULL;

  /* One host with all three: TLS, STLS and plain, answered at once; it
   * also has something on 993 (IMAP), noted but not used. */
  serve_tls (fixture, "pop.all.test", PF_TEST_CERT_VALID);
  serve_stls (fixture, "pop.all.test");
  serve (fixture, "pop.all.test", 993, PF_TEST_SERVER_PLAIN, PF_TEST_CERT_VALID, "S: * OK IMAP4rev1\nC: *\n");

  probes = run (fixture, "jo@all.test");
  assert_recommended (fixture, probes, "pop.all.test", 995, PF_SECURITY_TLS);
  g_assert_cmpuint (pf_probe_get_rank (find_probe (probes, "pop.all.test", 110, PF_SECURITY_STARTTLS)), ==, 2);
  g_assert_cmpint (pf_probe_get_verdict (find_probe (probes, "pop.all.test", 110, PF_SECURITY_NONE)), ==,
                   PF_PROBE_VERDICT_PLAINTEXT);
  for (guint i = 0; i < probes->len; i++)
    if (g_strcmp0 (pf_probe_get_host (probes->pdata[i]), "pop.all.test") == 0)
      g_assert_cmpint (pf_probe_get_imap (probes->pdata[i]), ==, PF_PROBE_IMAP_OPEN);
  g_assert_cmpint (pf_probe_get_imap (find_probe (probes, "mail.all.test", 995, PF_SECURITY_TLS)), ==,
                   PF_PROBE_IMAP_UNKNOWN);
  g_test_message ("loopback probe set finished in %u ms", pf_detector_get_elapsed_ms (fixture->detector));
}

/* A company domain at Google Workspace, known only by its MX: Google's
 * server is probed and ranked first, on the provider table's word, before
 * a guessed host of the domain that also answers. */
static void
test_provider_google_workspace_mx (Fixture       *fixture,
                                   gconstpointer  data)
{
  g_autoptr(GPtrArray) probes = NULL;
  PfProvider *provider;
  PfProbe *best;

  pf_map_resolver_add_mx (fixture->resolver, "company.test", 1, "ASPMX.L.GOOGLE.COM.");
  pf_map_resolver_add_mx (fixture->resolver, "company.test", 5, "alt1.aspmx.l.google.com");
  serve_tls (fixture, "pop.gmail.com", PF_TEST_CERT_VALID);
  serve_tls (fixture, "pop.company.test", PF_TEST_CERT_VALID);

  probes = run (fixture, "jo@company.test");
  provider = pf_detector_get_provider (fixture->detector);
  g_assert_nonnull (provider);
  g_assert_cmpstr (pf_provider_get_id (provider), ==, "google-workspace");
  g_assert_true (pf_detector_get_provider_via_mx (fixture->detector));
  g_assert_null (pf_detector_dup_no_pop3_error (fixture->detector));

  assert_recommended (fixture, probes, "pop.gmail.com", 995, PF_SECURITY_TLS);
  best = probes->pdata[0];
  g_assert_cmpint (pf_probe_get_sources (best), ==, PF_PROBE_SOURCE_PROVIDER | PF_PROBE_SOURCE_VIA_MX);
  g_assert_cmpuint (pf_probe_get_rank (find_probe (probes, "pop.company.test", 995, PF_SECURITY_TLS)), ==, 2);
  /* The table lists only 995 with TLS for Google: no other probe of it. */
  g_assert_cmpuint (pf_probe_get_sources (find_probe (probes, "pop.company.test", 995, PF_SECURITY_TLS)) &
                    PF_PROBE_SOURCE_PROVIDER, ==, 0);
}

static void
test_provider_microsoft365_mx (Fixture       *fixture,
                               gconstpointer  data)
{
  g_autoptr(GPtrArray) probes = NULL;
  PfProvider *provider;

  pf_map_resolver_add_mx (fixture->resolver, "contoso.test", 0, "contoso-test.mail.protection.outlook.com");
  serve_tls (fixture, "outlook.office365.com", PF_TEST_CERT_VALID);

  probes = run (fixture, "jo@contoso.test");
  provider = pf_detector_get_provider (fixture->detector);
  g_assert_nonnull (provider);
  g_assert_cmpstr (pf_provider_get_id (provider), ==, "microsoft365");
  g_assert_cmpint (pf_provider_get_auth (provider), ==, PF_PROVIDER_AUTH_OAUTH2);
  g_assert_cmpstr (pf_provider_get_oauth2 (provider), ==, "microsoft");
  assert_recommended (fixture, probes, "outlook.office365.com", 995, PF_SECURITY_TLS);
  g_assert_true (pf_probe_get_sources (probes->pdata[0]) & PF_PROBE_SOURCE_PROVIDER);
}

/* Known by its domain: the provider's server outranks a guessed host with
 * stronger authentication. */
static void
test_provider_by_domain_ranked_first (Fixture       *fixture,
                                      gconstpointer  data)
{
  g_autoptr(GPtrArray) probes = NULL;

  serve (fixture, "pop.gmx.net", 995, PF_TEST_SERVER_TLS, PF_TEST_CERT_VALID,
         "S: +OK ready\nC: CAPA\nS: +OK\nS: USER\nS: .\nC: *\n");
  serve_tls (fixture, "mail.gmx.net", PF_TEST_CERT_VALID);

  probes = run (fixture, "jo@gmx.net");
  g_assert_cmpstr (pf_provider_get_id (pf_detector_get_provider (fixture->detector)), ==, "gmx");
  g_assert_false (pf_detector_get_provider_via_mx (fixture->detector));
  assert_recommended (fixture, probes, "pop.gmx.net", 995, PF_SECURITY_TLS);
  g_assert_true (pf_probe_get_sources (probes->pdata[0]) & PF_PROBE_SOURCE_PROVIDER);
  g_assert_cmpint (pf_probe_get_best_mechanism (probes->pdata[0]), ==, PF_AUTH_USER);
  g_assert_cmpstr (pf_probe_get_host (probes->pdata[1]), ==, "mail.gmx.net");
}

/* iCloud has no POP3: said at once, offline, without a lookup or a probe. */
static void
test_provider_without_pop3 (Fixture       *fixture,
                            gconstpointer  data)
{
  g_autoptr(GPtrArray) probes = NULL;
  g_autoptr(GError) no_pop3 = NULL;

  probes = run (fixture, "jo@icloud.com");
  g_assert_cmpuint (probes->len, ==, 0);
  g_assert_null (pf_detector_get_recommended (fixture->detector));
  g_assert_cmpuint (pf_detector_get_lookups (fixture->detector)->len, ==, 0);
  g_assert_cmpuint (pf_map_resolver_get_queries (fixture->resolver)->len, ==, 0);
  g_assert_cmpstr (pf_provider_get_id (pf_detector_get_provider (fixture->detector)), ==, "icloud");
  no_pop3 = pf_detector_dup_no_pop3_error (fixture->detector);
  g_assert_error (no_pop3, PF_ERROR, PF_ERROR_NOT_FOUND);
  g_assert_cmpstr (no_pop3->message, ==, "iCloud Mail does not offer POP3; use IMAP in a mail client.");
  g_assert_cmpuint (pf_detector_get_elapsed_ms (fixture->detector), <, 1000);
}

/* A company domain whose MX is at Proton: the search stops there, and
 * what was still running says why. */
static void
test_provider_without_pop3_by_mx (Fixture       *fixture,
                                  gconstpointer  data)
{
  g_autoptr(GPtrArray) probes = NULL;
  g_autoptr(GError) no_pop3 = NULL;
  PfProbe *stalled;

  pf_map_resolver_add_mx (fixture->resolver, "private.test", 10, "mail.protonmail.ch");
  serve (fixture, "pop.private.test", 995, PF_TEST_SERVER_PLAIN, PF_TEST_CERT_VALID, "STALL 20000\n");

  probes = run (fixture, "jo@private.test");
  g_assert_cmpstr (pf_provider_get_id (pf_detector_get_provider (fixture->detector)), ==, "proton");
  g_assert_true (pf_detector_get_provider_via_mx (fixture->detector));
  g_assert_null (pf_detector_get_recommended (fixture->detector));
  no_pop3 = pf_detector_dup_no_pop3_error (fixture->detector);
  g_assert_nonnull (no_pop3);
  g_assert_cmpuint (pf_detector_get_elapsed_ms (fixture->detector), <, 4000);
  stalled = find_probe (probes, "pop.private.test", 995, PF_SECURITY_TLS);
  g_assert_error ((GError *) pf_probe_get_error (stalled), PF_ERROR, PF_ERROR_NOT_FOUND);
}

/* pop. and mail. are one server (same address, port and certificate):
 * one option, the other name an alias; every probe stays in the result. */
static void
test_same_server_grouped (Fixture       *fixture,
                          gconstpointer  data)
{
  const char *names[] = { "pop.same.test", "mail.same.test", NULL };
  g_autoptr(GTlsCertificate) certificate = pf_test_certs_server (PF_TEST_CERT_VALID, names);
  PfTestServer *server = pf_test_server_new (PF_TEST_SERVER_TLS);
  g_autoptr(GPtrArray) probes = NULL;
  g_autoptr(GPtrArray) groups = NULL;
  PfProbeGroup *first;
  g_autofree char *aliases = NULL;
  guint n_in_groups = 0;

  pf_test_server_set_certificate (server, certificate);
  pf_test_server_add_script (server, "S: +OK POP3 ready\nC: CAPA\n" GOOD_CAPA "C: *\n");
  g_ptr_array_add (fixture->servers, server);
  for (guint i = 0; names[i] != NULL; i++)
    {
      pf_map_resolver_add_host (fixture->resolver, names[i], "127.0.0.1");
      pf_port_map_set_for_host (fixture->ports, names[i], 995, pf_test_server_get_port (server));
    }
  /* Another server on the same address, with its own certificate. */
  serve_tls (fixture, "pop3.same.test", PF_TEST_CERT_VALID);

  probes = run (fixture, "jo@same.test");
  assert_recommended (fixture, probes, "pop.same.test", 995, PF_SECURITY_TLS);
  g_assert_true (pf_probe_same_server (find_probe (probes, "pop.same.test", 995, PF_SECURITY_TLS),
                                       find_probe (probes, "mail.same.test", 995, PF_SECURITY_TLS)));
  g_assert_false (pf_probe_same_server (find_probe (probes, "pop.same.test", 995, PF_SECURITY_TLS),
                                        find_probe (probes, "pop3.same.test", 995, PF_SECURITY_TLS)));

  groups = pf_probe_groups_new (probes);
  first = groups->pdata[0];
  g_assert_true (first->probe == probes->pdata[0]);
  aliases = pf_probe_group_dup_alias_names (first);
  g_assert_cmpstr (aliases, ==, "mail.same.test");
  g_assert_cmpstr (pf_probe_get_host (((PfProbeGroup *) groups->pdata[1])->probe), ==, "pop3.same.test");
  g_assert_null (pf_probe_group_dup_alias_names (groups->pdata[1]));
  for (guint i = 0; i < groups->len; i++)
    n_in_groups += 1 + ((PfProbeGroup *) groups->pdata[i])->aliases->len;
  g_assert_cmpuint (n_in_groups, ==, probes->len);
  g_assert_cmpuint (groups->len, ==, probes->len - 1);
}

/* A server whose TLS is older than 1.2 works, but is unsafe: flagged, and
 * never recommended, over implicit TLS or STLS. glib-networking reads
 * G_TLS_GNUTLS_PRIORITY once per process, for servers and clients alike,
 * so the run happens in a child process whose TLS stack speaks only
 * TLS 1.1, set before the fixture makes its first TLS object. */
static void
test_outdated_tls_unsafe (void)
{
  Fixture fixture = { 0, };
  g_autoptr(GPtrArray) probes = NULL;
  static const PfSecurity securities[] = { PF_SECURITY_TLS, PF_SECURITY_STARTTLS };

  if (!g_test_subprocess ())
    {
      g_test_trap_subprocess (NULL, 60 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_INHERIT_STDERR);
      g_test_trap_assert_passed ();
      return;
    }

  g_assert_true (g_setenv ("G_TLS_GNUTLS_PRIORITY", "NORMAL:-VERS-ALL:+VERS-TLS1.1", TRUE));
  fixture_set_up (&fixture, NULL);
  serve_tls (&fixture, "pop.old.test", PF_TEST_CERT_VALID);
  serve_stls (&fixture, "pop.old.test");

  probes = run (&fixture, "jo@old.test");
  for (guint i = 0; i < G_N_ELEMENTS (securities); i++)
    {
      PfProbe *probe = find_probe (probes, "pop.old.test", securities[i] == PF_SECURITY_TLS ? 995 : 110,
                                   securities[i]);

      g_assert_cmpint (pf_probe_get_verdict (probe), ==, PF_PROBE_VERDICT_TLS_OUTDATED);
      g_assert_cmpstr (pf_probe_verdict_to_string (pf_probe_get_verdict (probe)), ==, "tls-outdated");
      g_assert_error ((GError *) pf_probe_get_error (probe), PF_ERROR, PF_ERROR_TLS_OUTDATED);
      g_assert_false (pf_probe_is_usable (probe, TRUE));
      g_assert_cmpuint (pf_probe_get_rank (probe), ==, 0);
    }
  g_assert_null (pf_detector_get_recommended (fixture.detector));
  g_clear_pointer (&probes, g_ptr_array_unref);
  fixture_tear_down (&fixture, NULL);
}

#define ADD(path, func) \
  g_test_add ("/engine/detect/detector/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  ADD ("srv-only", test_srv_only);
  ADD ("srv-priority", test_srv_priority);
  ADD ("autoconfig-https", test_autoconfig);
  ADD ("autoconfig-untrusted-ignored", test_autoconfig_untrusted_ignored);
  ADD ("autoconfig-ip-only-certificate-ignored", test_autoconfig_ip_certificate_ignored);
  ADD ("ispdb", test_ispdb);
  ADD ("mx-indirection", test_mx_indirection);
  ADD ("guessed-host-only", test_guess_only);
  ADD ("stls-when-995-closed", test_stls_when_995_closed);
  ADD ("stls-stripped-flagged", test_stls_stripped_flagged);
  ADD ("plaintext-only-on-opt-in", test_plaintext_opt_in);
  ADD ("expired-certificate", test_expired_certificate);
  ADD ("pinned-certificate", test_pinned_certificate);
  ADD ("stalled-host-bounded", test_stalled_host);
  ADD ("ties-by-source-then-auth", test_ties_by_source_then_auth);
  ADD ("cancel", test_cancel);
  ADD ("bad-address", test_bad_address);
  ADD ("loopback-probe-set", test_loopback_probe_set);
  ADD ("provider/google-workspace-by-mx", test_provider_google_workspace_mx);
  ADD ("provider/microsoft365-by-mx", test_provider_microsoft365_mx);
  ADD ("provider/by-domain-ranked-first", test_provider_by_domain_ranked_first);
  ADD ("provider/no-pop3-said-at-once", test_provider_without_pop3);
  ADD ("provider/no-pop3-by-mx-stops", test_provider_without_pop3_by_mx);
  ADD ("same-server-grouped", test_same_server_grouped);
  g_test_add_func ("/engine/detect/detector/outdated-tls-unsafe", test_outdated_tls_unsafe);

  return g_test_run ();
}
