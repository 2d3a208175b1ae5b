/* test-certs-fixture.c — the test PKI does what the TLS tests rely on
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>

#include "pf-test-certs.h"
#include "pf-test-util.h"

typedef struct
{
  GTlsCertificate     *server_certificate;
  GTlsConnection      *server_tls;
  GTlsCertificateFlags seen_flags;
  gboolean             signal_seen;
  gboolean             server_done;
} Handshake;

static void
on_server_handshake (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  Handshake *hs = user_data;

  /* The server side fails when the client rejects; only the client matters. */
  g_tls_connection_handshake_finish (G_TLS_CONNECTION (source), result, NULL);
  hs->server_done = TRUE;
}

static void
on_accepted (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  Handshake *hs = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocketConnection) connection = NULL;

  connection = g_socket_listener_accept_finish (G_SOCKET_LISTENER (source), result, NULL, &error);
  g_assert_no_error (error);
  hs->server_tls = G_TLS_CONNECTION (g_tls_server_connection_new (G_IO_STREAM (connection),
                                                                   hs->server_certificate,
                                                                   &error));
  g_assert_no_error (error);
  g_tls_connection_handshake_async (hs->server_tls, G_PRIORITY_DEFAULT, NULL,
                                    on_server_handshake, hs);
}

static gboolean
on_accept_certificate (GTlsConnection       *connection,
                       GTlsCertificate      *peer_cert,
                       GTlsCertificateFlags  errors,
                       gpointer              user_data)
{
  Handshake *hs = user_data;

  hs->signal_seen = TRUE;
  hs->seen_flags = errors;
  return FALSE;
}

/* Handshakes a GIO client that trusts only the test CA with a server using
 * @certificate; returns the client's verdict (0 = accepted). */
static GTlsCertificateFlags
handshake_with (GTlsCertificate *certificate,
                const char      *identity)
{
  Handshake hs = { certificate, NULL, 0, FALSE, FALSE };
  g_autoptr(GSocketListener) listener = g_socket_listener_new ();
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) bind_address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GIOStream) tls = NULL;
  g_autoptr(GSocketConnectable) server_identity = NULL;
  g_autoptr(GTlsDatabase) database = pf_test_certs_database ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  guint16 port;
  gboolean ok;

  g_socket_listener_add_address (listener, bind_address, G_SOCKET_TYPE_STREAM,
                                 G_SOCKET_PROTOCOL_TCP, NULL, &bound, &error);
  g_assert_no_error (error);
  port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  g_socket_listener_accept_async (listener, NULL, on_accepted, &hs);

  g_socket_client_connect_async (client, G_SOCKET_CONNECTABLE (bound), NULL,
                                 pf_test_store_result, &result);
  connection = g_socket_client_connect_finish (client, pf_test_wait_result (&result, 10), &error);
  g_assert_no_error (error);
  g_clear_object (&result);

  server_identity = g_network_address_new (identity, port);
  tls = g_tls_client_connection_new (G_IO_STREAM (connection), server_identity, &error);
  g_assert_no_error (error);
  g_tls_connection_set_database (G_TLS_CONNECTION (tls), database);
  g_signal_connect (tls, "accept-certificate", G_CALLBACK (on_accept_certificate), &hs);

  g_tls_connection_handshake_async (G_TLS_CONNECTION (tls), G_PRIORITY_DEFAULT, NULL,
                                    pf_test_store_result, &result);
  ok = g_tls_connection_handshake_finish (G_TLS_CONNECTION (tls),
                                          pf_test_wait_result (&result, 10), &error);
  if (ok)
    {
      g_assert_no_error (error);
      g_assert_false (hs.signal_seen);
      g_assert_cmpint (g_tls_connection_get_peer_certificate_errors (G_TLS_CONNECTION (tls)), ==, 0);
    }
  else
    {
      g_assert_error (error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE);
      g_assert_true (hs.signal_seen);
      g_assert_cmpint (hs.seen_flags, !=, 0);
    }

  g_io_stream_close (tls, NULL, NULL);
  pf_test_wait_until (&hs.server_done, 10);
  g_clear_object (&hs.server_tls);
  return ok ? 0 : hs.seen_flags;
}

static void
test_valid_accepted (void)
{
  g_autoptr(GTlsCertificate) certificate = pf_test_certs_server (PF_TEST_CERT_VALID, NULL);

  g_assert_cmpint (handshake_with (certificate, "localhost"), ==, 0);
  g_assert_cmpint (handshake_with (certificate, "127.0.0.1"), ==, 0);
}

static void
test_valid_for_given_names (void)
{
  const char * const names[] = { "pop.popfetch.test", "127.0.0.1", NULL };
  g_autoptr(GTlsCertificate) certificate = pf_test_certs_server (PF_TEST_CERT_VALID, names);

  g_assert_cmpint (handshake_with (certificate, "pop.popfetch.test"), ==, 0);
  g_assert_cmpint (handshake_with (certificate, "localhost"), ==, G_TLS_CERTIFICATE_BAD_IDENTITY);
}

static void
test_flags (gconstpointer data)
{
  PfTestCertKind kind = GPOINTER_TO_INT (data);
  g_autoptr(GTlsCertificate) certificate = pf_test_certs_server (kind, NULL);
  GTlsCertificateFlags expected = 0;

  switch (kind)
    {
    case PF_TEST_CERT_EXPIRED: expected = G_TLS_CERTIFICATE_EXPIRED; break;
    case PF_TEST_CERT_NOT_YET_VALID: expected = G_TLS_CERTIFICATE_NOT_ACTIVATED; break;
    case PF_TEST_CERT_WRONG_HOST: expected = G_TLS_CERTIFICATE_BAD_IDENTITY; break;
    case PF_TEST_CERT_SELF_SIGNED: expected = G_TLS_CERTIFICATE_UNKNOWN_CA; break;
    case PF_TEST_CERT_UNKNOWN_CA: expected = G_TLS_CERTIFICATE_UNKNOWN_CA; break;
    case PF_TEST_CERT_VALID:
    default: g_assert_not_reached ();
    }

  g_assert_cmpint (handshake_with (certificate, "localhost"), ==, expected);
}

static void
test_cached (void)
{
  g_autoptr(GTlsCertificate) first = pf_test_certs_server (PF_TEST_CERT_VALID, NULL);
  g_autoptr(GTlsCertificate) second = pf_test_certs_server (PF_TEST_CERT_VALID, NULL);

  g_assert_true (g_tls_certificate_is_same (first, second));
  g_assert_true (g_str_has_suffix (pf_test_certs_ca_file (), "ca.pem"));
  g_assert_true (g_file_test (pf_test_certs_ca_file (), G_FILE_TEST_IS_REGULAR));
}

static void
test_written_files_load (void)
{
  g_autofree char *dir = g_dir_make_tmp ("pf-certs-XXXXXX", NULL);
  g_autofree char *key_file = NULL;
  g_autofree char *cert_file = pf_test_certs_write_server (PF_TEST_CERT_VALID, NULL, dir, &key_file);
  g_autofree char *key_text = NULL;
  g_autoptr(GTlsCertificate) from_files = NULL;
  g_autoptr(GTlsCertificate) from_memory = pf_test_certs_server (PF_TEST_CERT_VALID, NULL);
  g_autoptr(GError) error = NULL;

  g_assert_true (g_file_get_contents (key_file, &key_text, NULL, &error));
  g_assert_true (g_str_has_prefix (key_text, "-----BEGIN PRIVATE KEY-----"));
  from_files = g_tls_certificate_new_from_files (cert_file, key_file, &error);
  g_assert_no_error (error);
  g_assert_true (g_tls_certificate_is_same (from_files, from_memory));
  g_assert_cmpint (handshake_with (from_files, "localhost"), ==, 0);

  g_remove (cert_file);
  g_remove (key_file);
  g_rmdir (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/lib/certs/valid/accepted", test_valid_accepted);
  g_test_add_func ("/lib/certs/valid/given-names", test_valid_for_given_names);
  g_test_add_data_func ("/lib/certs/expired/flagged", GINT_TO_POINTER (PF_TEST_CERT_EXPIRED), test_flags);
  g_test_add_data_func ("/lib/certs/not-yet-valid/flagged", GINT_TO_POINTER (PF_TEST_CERT_NOT_YET_VALID), test_flags);
  g_test_add_data_func ("/lib/certs/wrong-host/flagged", GINT_TO_POINTER (PF_TEST_CERT_WRONG_HOST), test_flags);
  g_test_add_data_func ("/lib/certs/self-signed/flagged", GINT_TO_POINTER (PF_TEST_CERT_SELF_SIGNED), test_flags);
  g_test_add_data_func ("/lib/certs/unknown-ca/flagged", GINT_TO_POINTER (PF_TEST_CERT_UNKNOWN_CA), test_flags);
  g_test_add_func ("/lib/certs/cached", test_cached);
  g_test_add_func ("/lib/certs/written-files/load", test_written_files_load);

  return g_test_run ();
}
