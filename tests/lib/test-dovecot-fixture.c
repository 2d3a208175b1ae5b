/* test-dovecot-fixture.c — the private Dovecot answers as the tests expect
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>
#include <gio/gio.h>

#include "pf-test-dovecot.h"
#include "pf-test-util.h"

/* A bare POP3 conversation with plain GIO, so the fixture is tested without
 * the code under test. */
typedef struct
{
  GIOStream        *stream;
  GDataInputStream *input;
} Session;

static void
session_set_stream (Session   *session,
                    GIOStream *stream)
{
  g_clear_object (&session->input);
  g_set_object (&session->stream, stream);
  session->input = g_data_input_stream_new (g_io_stream_get_input_stream (stream));
  g_data_input_stream_set_newline_type (session->input, G_DATA_STREAM_NEWLINE_TYPE_CR_LF);
  /* The TLS upgrade swaps the reader; the connection stays open. */
  g_filter_input_stream_set_close_base_stream (G_FILTER_INPUT_STREAM (session->input), FALSE);
}

static void
session_clear (Session *session)
{
  if (session->stream != NULL)
    g_io_stream_close (session->stream, NULL, NULL);
  g_clear_object (&session->input);
  g_clear_object (&session->stream);
}

static char *
session_read_line (Session *session)
{
  g_autoptr(GError) error = NULL;
  char *line = g_data_input_stream_read_line (session->input, NULL, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (line);
  return line;
}

static char *
session_command (Session    *session,
                 const char *command)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *wire = g_strconcat (command, "\r\n", NULL);

  g_output_stream_write_all (g_io_stream_get_output_stream (session->stream),
                             wire, strlen (wire), NULL, NULL, &error);
  g_assert_no_error (error);
  return session_read_line (session);
}

static GSocketConnection *
connect_loopback (guint16 port)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GError) error = NULL;
  GSocketConnection *connection;

  g_socket_client_set_timeout (client, 10);
  connection = g_socket_client_connect_to_host (client, "127.0.0.1", port, NULL, &error);
  g_assert_no_error (error);
  return connection;
}

static GIOStream *
tls_wrap (PfTestDovecot *dovecot,
          GIOStream     *base,
          guint16        port)
{
  g_autoptr(GSocketConnectable) identity = g_network_address_new ("localhost", port);
  g_autoptr(GError) error = NULL;
  g_autoptr(GIOStream) tls = NULL;

  tls = g_tls_client_connection_new (base, identity, &error);
  g_assert_no_error (error);
  g_tls_connection_set_database (G_TLS_CONNECTION (tls), pf_test_dovecot_get_tls_database (dovecot));
  g_tls_connection_set_require_close_notify (G_TLS_CONNECTION (tls), FALSE);
  g_tls_connection_handshake (G_TLS_CONNECTION (tls), NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_tls_connection_get_peer_certificate_errors (G_TLS_CONNECTION (tls)), ==, 0);
  return g_steal_pointer (&tls);
}

static void
open_pop3s (PfTestDovecot *dovecot,
            Session       *session)
{
  g_autoptr(GSocketConnection) connection = connect_loopback (pf_test_dovecot_get_tls_port (dovecot));
  g_autoptr(GIOStream) tls = tls_wrap (dovecot, G_IO_STREAM (connection),
                                       pf_test_dovecot_get_tls_port (dovecot));
  g_autofree char *greeting = NULL;

  session_set_stream (session, tls);
  greeting = session_read_line (session);
  g_assert_true (g_str_has_prefix (greeting, "+OK"));
}

static void
test_pop3s_greeting (void)
{
  g_autoptr(PfTestDovecot) dovecot = pf_test_dovecot_start_or_skip ();
  Session session = { NULL, NULL };
  g_autofree char *reply = NULL;

  if (dovecot == NULL)
    return;

  open_pop3s (dovecot, &session);
  reply = session_command (&session, "QUIT");
  g_assert_true (g_str_has_prefix (reply, "+OK"));
  session_clear (&session);
}

static void
test_stls_upgrade (void)
{
  g_autoptr(PfTestDovecot) dovecot = pf_test_dovecot_start_or_skip ();
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GIOStream) tls = NULL;
  Session session = { NULL, NULL };
  g_autofree char *greeting = NULL;
  g_autofree char *reply = NULL;
  gboolean stls_offered = FALSE;

  if (dovecot == NULL)
    return;

  connection = connect_loopback (pf_test_dovecot_get_port (dovecot));
  session_set_stream (&session, G_IO_STREAM (connection));
  greeting = session_read_line (&session);
  g_assert_true (g_str_has_prefix (greeting, "+OK"));

  reply = session_command (&session, "CAPA");
  g_assert_cmpstr (reply, ==, "+OK");
  for (;;)
    {
      g_autofree char *line = session_read_line (&session);

      if (g_str_equal (line, "."))
        break;
      if (g_str_equal (line, "STLS"))
        stls_offered = TRUE;
    }
  g_assert_true (stls_offered);

  g_clear_pointer (&reply, g_free);
  reply = session_command (&session, "STLS");
  g_assert_true (g_str_has_prefix (reply, "+OK"));
  /* Nothing may wait in the buffer between +OK and the handshake. */
  g_assert_cmpuint (g_buffered_input_stream_get_available (G_BUFFERED_INPUT_STREAM (session.input)), ==, 0);

  tls = tls_wrap (dovecot, G_IO_STREAM (connection), pf_test_dovecot_get_port (dovecot));
  session_set_stream (&session, tls);
  g_clear_pointer (&reply, g_free);
  reply = session_command (&session, "CAPA");
  g_assert_cmpstr (reply, ==, "+OK");
  /* Inside TLS the server no longer offers STLS. */
  for (;;)
    {
      g_autofree char *line = session_read_line (&session);

      if (g_str_equal (line, "."))
        break;
      g_assert_cmpstr (line, !=, "STLS");
    }
  session_clear (&session);
}

static void
test_user_added_after_start (void)
{
  g_autoptr(PfTestDovecot) dovecot = pf_test_dovecot_start_or_skip ();
  g_autoptr(GError) error = NULL;
  Session session = { NULL, NULL };
  g_autofree char *reply = NULL;
  const char *message = "From: a@popfetch.test\nSubject: hello\n\nbody\n";

  if (dovecot == NULL)
    return;

  pf_test_dovecot_add_user (dovecot, "first@popfetch.test", "one", &error);
  g_assert_no_error (error);
  /* Log in once so Dovecot has read the passwd-file, then change it. */
  open_pop3s (dovecot, &session);
  reply = session_command (&session, "USER first@popfetch.test");
  g_assert_true (g_str_has_prefix (reply, "+OK"));
  g_clear_pointer (&reply, g_free);
  reply = session_command (&session, "PASS one");
  g_assert_true (g_str_has_prefix (reply, "+OK"));
  session_clear (&session);

  pf_test_dovecot_add_user (dovecot, "late@popfetch.test", "s3cret", &error);
  g_assert_no_error (error);
  pf_test_dovecot_add_message (dovecot, "late@popfetch.test", message, strlen (message), &error);
  g_assert_no_error (error);
  pf_test_dovecot_add_messages (dovecot, "late@popfetch.test", 3, 2000, &error);
  g_assert_no_error (error);

  open_pop3s (dovecot, &session);
  g_clear_pointer (&reply, g_free);
  reply = session_command (&session, "USER late@popfetch.test");
  g_assert_true (g_str_has_prefix (reply, "+OK"));
  g_clear_pointer (&reply, g_free);
  reply = session_command (&session, "PASS wrong");
  g_assert_true (g_str_has_prefix (reply, "-ERR"));
  session_clear (&session);

  open_pop3s (dovecot, &session);
  g_clear_pointer (&reply, g_free);
  reply = session_command (&session, "USER late@popfetch.test");
  g_clear_pointer (&reply, g_free);
  reply = session_command (&session, "PASS s3cret");
  g_assert_true (g_str_has_prefix (reply, "+OK"));
  g_clear_pointer (&reply, g_free);
  reply = session_command (&session, "STAT");
  g_assert_true (g_str_has_prefix (reply, "+OK 4 "));
  g_clear_pointer (&reply, g_free);
  /* pop3_uidl_format %08Xu%08Xv: 16 hex digits, the UID first. */
  reply = session_command (&session, "UIDL 1");
  g_assert_true (g_str_has_prefix (reply, "+OK 1 00000001"));
  g_assert_cmpuint (strlen (reply), ==, strlen ("+OK 1 ") + 16);
  g_clear_pointer (&reply, g_free);
  reply = session_command (&session, "QUIT");
  g_assert_true (g_str_has_prefix (reply, "+OK"));
  session_clear (&session);
}

static void
test_apop_offered (void)
{
  g_autoptr(PfTestDovecot) dovecot = pf_test_dovecot_start_or_skip ();
  g_autoptr(GSocketConnection) connection = NULL;
  Session session = { NULL, NULL };
  g_autofree char *greeting = NULL;

  if (dovecot == NULL)
    return;

  connection = connect_loopback (pf_test_dovecot_get_port (dovecot));
  session_set_stream (&session, G_IO_STREAM (connection));
  greeting = session_read_line (&session);
  /* APOP is on: the greeting carries a <timestamp>. */
  g_assert_nonnull (strchr (greeting, '<'));
  g_assert_nonnull (strchr (greeting, '>'));
  session_clear (&session);
}

static void
test_stop_ends_dovecot (void)
{
  PfTestDovecot *dovecot = pf_test_dovecot_start_or_skip ();
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  guint16 port;

  if (dovecot == NULL)
    return;

  port = pf_test_dovecot_get_port (dovecot);
  dir = g_strdup (pf_test_dovecot_get_dir (dovecot));
  pf_test_dovecot_stop (dovecot);

  connection = g_socket_client_connect_to_host (client, "127.0.0.1", port, NULL, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED);
  if (g_strcmp0 (g_getenv ("PF_TEST_KEEP_DOVECOT"), "1") != 0)
    g_assert_false (g_file_test (dir, G_FILE_TEST_EXISTS));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/lib/dovecot/pop3s/greeting", test_pop3s_greeting);
  g_test_add_func ("/lib/dovecot/stls/upgrade", test_stls_upgrade);
  g_test_add_func ("/lib/dovecot/users/added-after-start", test_user_added_after_start);
  g_test_add_func ("/lib/dovecot/apop/offered", test_apop_offered);
  g_test_add_func ("/lib/dovecot/stop/ends-server", test_stop_ends_dovecot);

  return g_test_run ();
}
