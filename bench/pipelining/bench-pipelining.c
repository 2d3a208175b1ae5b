/* bench-pipelining.c — what PIPELINING saves on a link with latency
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Starts a private Dovecot (the test fixture), seeds N small messages,
 * puts delay-proxy.py in front of its implicit-TLS port and retrieves every
 * message through PfPop3Client twice: with pipelining (window W, default 256) and
 * without (window 0). Prints the times. Not a test: see bench/pipelining/run.
 *
 *   bench-pipelining PROXY_SCRIPT [MESSAGES [SIZE [DELAY_MS [WINDOW]]]]
 */

#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "pf-pop3-client.h"
#include "pf-test-dovecot.h"

#define USER "bench"
#define PASSWORD "bench-pipelining-pw"

typedef struct
{
  GAsyncResult *result;
  guint         done;
  guint         failed;
  guint64       bytes;
} Waiter;

static void
store (GObject      *source,
       GAsyncResult *result,
       gpointer      user_data)
{
  Waiter *waiter = user_data;

  waiter->result = g_object_ref (result);
}

static GAsyncResult *
wait_result (Waiter *waiter)
{
  while (waiter->result == NULL)
    g_main_context_iteration (NULL, TRUE);
  return waiter->result;
}

static void
on_retrieved (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Waiter *waiter = user_data;
  g_autoptr(GError) error = NULL;
  guint64 bytes = 0;

  if (pf_pop3_client_retrieve_finish (PF_POP3_CLIENT (source), result, &bytes, &error))
    waiter->bytes += bytes;
  else
    {
      if (waiter->failed++ == 0)
        g_printerr ("RETR failed: %s\n", error->message);
    }
  waiter->done++;
}

static void
die_on_error (const char *what,
              GError     *error)
{
  if (error == NULL)
    return;
  g_printerr ("%s: %s\n", what, error->message);
  exit (1);
}

/* Connect and log in (not timed), then LIST, RETR every message, QUIT. */
static double
run (PfTestDovecot *dovecot,
     guint16        port,
     guint          window,
     guint          expected)
{
  g_autoptr(PfServerSettings) settings = pf_server_settings_new ("127.0.0.1", port, PF_SECURITY_TLS);
  g_autoptr(PfPop3Client) client = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) list = NULL;
  Waiter waiter = { 0, };
  gint64 start;

  pf_server_settings_set_server_identity (settings, "localhost");
  pf_server_settings_set_tls_database (settings, pf_test_dovecot_get_tls_database (dovecot));
  client = pf_pop3_client_new_for_settings (settings);
  pf_pop3_client_set_pipeline_window (client, window);

  pf_pop3_client_connect_async (client, NULL, store, &waiter);
  pf_pop3_client_connect_finish (client, wait_result (&waiter), &error);
  die_on_error ("connect", error);
  g_clear_object (&waiter.result);
  pf_pop3_client_authenticate_async (client, USER, PASSWORD, PF_AUTH_AUTO, NULL, store, &waiter);
  pf_pop3_client_authenticate_finish (client, wait_result (&waiter), NULL, &error);
  die_on_error ("login", error);
  g_clear_object (&waiter.result);

  start = g_get_monotonic_time ();
  pf_pop3_client_list_async (client, NULL, store, &waiter);
  list = pf_pop3_client_list_finish (client, wait_result (&waiter), &error);
  die_on_error ("LIST", error);
  g_clear_object (&waiter.result);
  if (list->len != expected)
    {
      g_printerr ("expected %u messages, LIST has %u\n", expected, list->len);
      exit (1);
    }

  for (guint i = 0; i < list->len; i++)
    {
      g_autoptr(GOutputStream) sink = g_memory_output_stream_new_resizable ();

      pf_pop3_client_retrieve_async (client, g_array_index (list, PfListEntry, i).msgno, -1,
                                     sink, NULL, on_retrieved, &waiter);
    }
  while (waiter.done < list->len)
    g_main_context_iteration (NULL, TRUE);
  if (waiter.failed > 0)
    exit (1);

  pf_pop3_client_quit_async (client, NULL, store, &waiter);
  pf_pop3_client_quit_finish (client, wait_result (&waiter), &error);
  die_on_error ("QUIT", error);
  g_clear_object (&waiter.result);

  return (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC;
}

int
main (int   argc,
      char *argv[])
{
  const char *proxy_script;
  guint messages = 1000;
  guint size = 2048;
  guint delay_ms = 25;
  guint window = 256;
  g_autoptr(GError) error = NULL;
  g_autoptr(PfTestDovecot) dovecot = NULL;
  g_autoptr(GSubprocess) proxy = NULL;
  g_autoptr(GDataInputStream) proxy_out = NULL;
  g_autofree char *port_line = NULL;
  g_autofree char *target = NULL;
  g_autofree char *delay = NULL;
  guint16 proxy_port;
  double direct, on, off;

  if (argc < 2)
    {
      g_printerr ("usage: %s PROXY_SCRIPT [MESSAGES [SIZE [DELAY_MS [WINDOW]]]]\n", argv[0]);
      return 2;
    }
  proxy_script = argv[1];
  if (argc > 2)
    messages = atoi (argv[2]);
  if (argc > 3)
    size = atoi (argv[3]);
  if (argc > 4)
    delay_ms = atoi (argv[4]);
  if (argc > 5)
    window = atoi (argv[5]);

  dovecot = pf_test_dovecot_start (&error);
  die_on_error ("Dovecot", error);
  pf_test_dovecot_add_user (dovecot, USER, PASSWORD, &error);
  die_on_error ("add user", error);
  pf_test_dovecot_add_messages (dovecot, USER, messages, size, &error);
  die_on_error ("add messages", error);

  target = g_strdup_printf ("127.0.0.1:%u", pf_test_dovecot_get_tls_port (dovecot));
  delay = g_strdup_printf ("%u", delay_ms);
  proxy = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error,
                            "python3", proxy_script, "--target", target,
                            "--delay-ms", delay, NULL);
  die_on_error ("proxy", error);
  proxy_out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (proxy));
  port_line = g_data_input_stream_read_line (proxy_out, NULL, NULL, &error);
  die_on_error ("proxy", error);
  if (port_line == NULL || !g_str_has_prefix (port_line, "PORT "))
    {
      g_printerr ("the proxy did not start\n");
      return 1;
    }
  proxy_port = atoi (port_line + 5);

  /* Warm Dovecot's index once, directly, so both runs find the same state. */
  run (dovecot, pf_test_dovecot_get_tls_port (dovecot), window, messages);
  direct = run (dovecot, pf_test_dovecot_get_tls_port (dovecot), window, messages);

  on = run (dovecot, proxy_port, window, messages);
  off = run (dovecot, proxy_port, 0, messages);

  printf ("%u messages of %u bytes over implicit TLS, %u ms added each way\n",
          messages, size, delay_ms);
  printf ("pipelining on (window %u): %.2f s  (%.0f messages/s)\n", window, on, messages / on);
  printf ("pipelining off:            %.2f s  (%.0f messages/s)\n", off, messages / off);
  printf ("speed-up: %.1fx\n", off / on);
  printf ("for scale, direct on loopback without the proxy: %.2f s  (%.0f messages/s)\n",
          direct, messages / direct);

  g_subprocess_force_exit (proxy);
  return 0;
}
