/* test-demo-server.c — the server behind `./run --demo` keeps the
 * POPFETCH_DEMO contract
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <signal.h>
#include <string.h>
#include <gio/gio.h>
#include <glib/gstdio.h>

#include "pf-test-dovecot.h"
#include "pf-test-util.h"

static char *
read_reply (GDataInputStream *input)
{
  g_autoptr(GError) error = NULL;
  char *line = g_data_input_stream_read_line (input, NULL, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (line);
  return line;
}

static char *
command (GIOStream        *stream,
         GDataInputStream *input,
         const char       *text)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *wire = g_strconcat (text, "\r\n", NULL);

  g_output_stream_write_all (g_io_stream_get_output_stream (stream), wire, strlen (wire),
                             NULL, NULL, &error);
  g_assert_no_error (error);
  return read_reply (input);
}

static void
assert_value (GKeyFile   *key_file,
              const char *key,
              const char *expected)
{
  g_autofree char *value = g_key_file_get_string (key_file, "demo", key, NULL);

  g_assert_cmpstr (value, ==, expected);
}

static void
test_contract (void)
{
  g_autofree char *program = g_test_build_filename (G_TEST_BUILT, "lib", "pf-demo-server", NULL);
  g_autofree char *dir = g_dir_make_tmp ("pf-demo-test-XXXXXX", NULL);
  g_autofree char *key_path = g_build_filename (dir, "demo.ini", NULL);
  g_autoptr(GSubprocess) server = NULL;
  g_autoptr(GKeyFile) key_file = g_key_file_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *port_map = NULL;
  g_autofree char *ca_file = NULL;
  g_auto(GStrv) pairs = NULL;
  g_autoptr(GTlsDatabase) database = NULL;
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GSocketConnectable) identity = NULL;
  g_autoptr(GIOStream) tls = NULL;
  g_autoptr(GDataInputStream) input = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autofree char *reply = NULL;
  guint16 tls_port = 0;
  guint16 plain_port = 0;
  gint64 deadline;

  if (!pf_test_require_program (PF_TEST_DOVECOT_PROGRAM, "REQUIRE_DOVECOT"))
    return;

  server = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE, &error,
                             program, "--key-file", key_path, NULL);
  g_assert_no_error (error);

  deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
  while (!g_file_test (key_path, G_FILE_TEST_EXISTS) && g_get_monotonic_time () < deadline)
    g_usleep (20 * 1000);
  g_key_file_load_from_file (key_file, key_path, G_KEY_FILE_NONE, &error);
  g_assert_no_error (error);

  assert_value (key_file, "domain", "popfetch.test");
  assert_value (key_file, "address", "demo@popfetch.test");
  assert_value (key_file, "password", "demo");
  assert_value (key_file, "host-address", "127.0.0.1");

  port_map = g_key_file_get_string (key_file, "demo", "port-map", &error);
  g_assert_no_error (error);
  pairs = g_strsplit (port_map, ";", -1);
  for (guint i = 0; pairs[i] != NULL; i++)
    {
      g_auto(GStrv) pair = g_strsplit (pairs[i], ":", 2);

      g_assert_cmpuint (g_strv_length (pair), ==, 2);
      if (g_str_equal (pair[0], "995"))
        tls_port = (guint16) g_ascii_strtoull (pair[1], NULL, 10);
      else if (g_str_equal (pair[0], "110"))
        plain_port = (guint16) g_ascii_strtoull (pair[1], NULL, 10);
      else
        g_assert_cmpstr (pair[1], ==, "0");
    }
  g_assert_cmpuint (tls_port, >, 0);
  g_assert_cmpuint (plain_port, >, 0);

  ca_file = g_key_file_get_string (key_file, "demo", "ca-file", &error);
  g_assert_no_error (error);
  g_assert_true (g_path_is_absolute (ca_file));
  database = g_tls_file_database_new (ca_file, &error);
  g_assert_no_error (error);

  /* Any name under the domain is valid for the certificate, as detection
   * will ask for e.g. pop.popfetch.test mapped to 127.0.0.1. */
  connection = g_socket_client_connect_to_host (client, "127.0.0.1", tls_port, NULL, &error);
  g_assert_no_error (error);
  identity = g_network_address_new ("pop.popfetch.test", 995);
  tls = g_tls_client_connection_new (G_IO_STREAM (connection), identity, &error);
  g_assert_no_error (error);
  g_tls_connection_set_database (G_TLS_CONNECTION (tls), database);
  g_tls_connection_handshake_async (G_TLS_CONNECTION (tls), G_PRIORITY_DEFAULT, NULL,
                                    pf_test_store_result, &result);
  g_tls_connection_handshake_finish (G_TLS_CONNECTION (tls), pf_test_wait_result (&result, 20), &error);
  g_assert_no_error (error);

  input = g_data_input_stream_new (g_io_stream_get_input_stream (tls));
  g_data_input_stream_set_newline_type (input, G_DATA_STREAM_NEWLINE_TYPE_CR_LF);
  reply = read_reply (input);
  g_assert_true (g_str_has_prefix (reply, "+OK"));
  g_clear_pointer (&reply, g_free);
  reply = command (tls, input, "USER demo@popfetch.test");
  g_assert_true (g_str_has_prefix (reply, "+OK"));
  g_clear_pointer (&reply, g_free);
  reply = command (tls, input, "PASS demo");
  g_assert_true (g_str_has_prefix (reply, "+OK"));
  g_clear_pointer (&reply, g_free);
  reply = command (tls, input, "STAT");
  g_assert_true (g_str_has_prefix (reply, "+OK 6 "));
  g_clear_pointer (&reply, g_free);
  reply = command (tls, input, "QUIT");
  g_assert_true (g_str_has_prefix (reply, "+OK"));
  g_io_stream_close (tls, NULL, NULL);

  /* SIGTERM ends the demo: Dovecot stops, the key file goes. */
  g_subprocess_send_signal (server, SIGTERM);
  g_subprocess_wait_check (server, NULL, &error);
  g_assert_no_error (error);
  g_assert_false (g_file_test (key_path, G_FILE_TEST_EXISTS));
  g_clear_object (&connection);
  connection = g_socket_client_connect_to_host (client, "127.0.0.1", tls_port, NULL, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED);

  g_rmdir (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/lib/demo-server/contract", test_contract);

  return g_test_run ();
}
