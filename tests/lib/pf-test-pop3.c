/* pf-test-pop3.c — a PfPop3Client and the scripted server it talks to
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "pf-test-pop3.h"
#include "pf-test-util.h"

PfTestServer *
pf_test_pop3_server (PfTestServerMode  mode,
                     PfTestCertKind    kind,
                     const char       *script)
{
  PfTestServer *server = pf_test_server_new (mode);
  g_autoptr(GTlsCertificate) certificate = pf_test_certs_server (kind, NULL);

  pf_test_server_set_certificate (server, certificate);
  pf_test_server_add_script (server, script);
  return server;
}

PfTestDovecot *
pf_test_pop3_dovecot (const char *user,
                      const char *password,
                      guint       count,
                      gsize       size)
{
  g_autoptr(PfTestDovecot) dovecot = pf_test_dovecot_start_or_skip ();
  g_autoptr(GError) error = NULL;

  if (dovecot == NULL)
    return NULL;
  g_assert_true (pf_test_dovecot_add_user (dovecot, user, password, &error));
  g_assert_no_error (error);
  if (count > 0)
    g_assert_true (pf_test_dovecot_add_messages (dovecot, user, count, size, &error));
  g_assert_no_error (error);
  return g_steal_pointer (&dovecot);
}

PfServerSettings *
pf_test_pop3_settings (PfTestServer *server,
                       PfSecurity    security,
                       guint         timeout_seconds)
{
  PfServerSettings *settings = pf_server_settings_new ("127.0.0.1",
                                                       pf_test_server_get_port (server),
                                                       security);
  g_autoptr(GTlsDatabase) database = pf_test_certs_database ();

  pf_server_settings_set_timeout (settings, timeout_seconds);
  pf_server_settings_set_server_identity (settings, "localhost");
  pf_server_settings_set_tls_database (settings, database);
  return settings;
}

void
pf_test_pop3_log_in (PfPop3Client    *client,
                     const char      *user,
                     const char      *secret,
                     PfAuthMechanism  mechanism,
                     guint            timeout_seconds)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (pf_test_pop3_connect (client, timeout_seconds, &error));
  g_assert_no_error (error);
  g_assert_true (pf_test_pop3_login (client, user, secret, mechanism, NULL, timeout_seconds, &error));
  g_assert_no_error (error);
}

gboolean
pf_test_pop3_retrieve (PfPop3Client  *client,
                       guint          msgno,
                       gint           top,
                       char         **data,
                       gsize         *len,
                       guint          timeout_seconds,
                       GError       **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GOutputStream) sink = g_memory_output_stream_new_resizable ();
  GMemoryOutputStream *memory = G_MEMORY_OUTPUT_STREAM (sink);
  guint64 bytes = 0;
  gsize size;
  gboolean ok;

  pf_pop3_client_retrieve_async (client, msgno, top, sink, NULL, pf_test_store_result, &result);
  pf_test_wait_result (&result, timeout_seconds);
  ok = pf_pop3_client_retrieve_finish (client, result, &bytes, error);
  size = g_memory_output_stream_get_data_size (memory);
  if (ok)
    g_assert_cmpuint (bytes, ==, size);
  if (data != NULL)
    {
      /* The terminating NUL is not part of the message. */
      g_output_stream_write (sink, "", 1, NULL, NULL);
      g_output_stream_close (sink, NULL, NULL);
      if (len != NULL)
        *len = size;
      *data = g_memory_output_stream_steal_data (memory);
    }
  else
    g_output_stream_close (sink, NULL, NULL);
  return ok;
}
