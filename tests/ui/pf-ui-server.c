/* pf-ui-server.c — the mail server the UI tests set up accounts against
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Starts the Dovecot fixture with a certificate for the demo domain, adds
 * the demo user and some mail, and writes a POPFETCH_DEMO key file, so the
 * app finds the server through its normal detection. Prints
 * "READY <sha256 of the certificate served on 995>" and runs until its
 * standard input closes. A line "add N [KIB]" on standard input puts N more
 * messages (of 1 KiB, or KIB KiB each) into the demo mailbox and answers
 * "ADDED N"; "user NAME PASSWORD N" adds another user with N messages of
 * its own and answers "USER NAME"; "maildir" answers "MAILDIR PATH", the
 * demo user's Maildir on the server's side.
 *
 *   pf-ui-server KEYFILE [--password=TEXT] [--expired] [--oauth2=URL]
 *
 * --password  the password the key file offers (default: the real one),
 *             for a test that logs in with a wrong one
 * --oauth2    Dovecot also takes OAuth2 tokens (XOAUTH2, OAUTHBEARER),
 *             checked at this introspection URL of pf-oauth-server.py
 * --expired   port 995 serves an expired certificate (signed by the test
 *             CA) in front of Dovecot, and port 110 is closed
 */

#include "config.h"

#include <stdio.h>
#include <string.h>
#include <gio/gio.h>
#include <gio/gunixinputstream.h>

#include "pf-test-certs.h"
#include "pf-test-dovecot.h"

#define DEMO_DOMAIN   "popfetch.test"
#define DEMO_USER     "demo@" DEMO_DOMAIN
#define DEMO_PASSWORD "demo"

static const char * const cert_names[] = {
  DEMO_DOMAIN, "pop." DEMO_DOMAIN, "pop3." DEMO_DOMAIN, "mail." DEMO_DOMAIN,
  "localhost", "127.0.0.1", NULL
};

static const char sample_umlauts[] =
  "From: =?UTF-8?Q?J=C3=BCrgen_M=C3=BCller?= <juergen@example.org>\n"
  "To: demo@popfetch.test\n"
  "Subject: =?UTF-8?B?R3LDvMOfZSBhdXMgS8O2bG4=?=\n"
  "Date: Tue, 24 Nov 2026 09:15:00 +0100\n"
  "Message-ID: <umlauts@example.org>\n"
  "MIME-Version: 1.0\n"
  "Content-Type: text/plain; charset=UTF-8\n"
  "Content-Transfer-Encoding: 8bit\n"
  "\n"
  "Hallo! Viele Grüße aus Köln.\n";

static const char sample_plain[] =
  "From: Alice Example <alice@example.org>\n"
  "To: demo@popfetch.test\n"
  "Subject: Notes from the planning meeting\n"
  "Date: Wed, 25 Nov 2026 16:40:00 +0000\n"
  "Message-ID: <notes@example.org>\n"
  "\n"
  "The notes are below.\n";

typedef struct
{
  GTlsCertificate *certificate;
  guint16          upstream_port;
} Proxy;

static void
on_spliced (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_io_stream_splice_finish (result, NULL);
}

static void
on_upstream (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GIOStream) downstream = user_data;
  g_autoptr(GSocketConnection) upstream = NULL;

  upstream = g_socket_client_connect_to_host_finish (G_SOCKET_CLIENT (source), result, NULL);
  if (upstream == NULL)
    return;

  g_io_stream_splice_async (downstream, G_IO_STREAM (upstream),
                            G_IO_STREAM_SPLICE_CLOSE_STREAM1 | G_IO_STREAM_SPLICE_CLOSE_STREAM2,
                            G_PRIORITY_DEFAULT, NULL, on_spliced, NULL);
}

static gboolean
on_incoming (GSocketService    *service,
             GSocketConnection *connection,
             GObject           *source_object,
             gpointer           user_data)
{
  Proxy *proxy = user_data;
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  GIOStream *tls;

  tls = g_tls_server_connection_new (G_IO_STREAM (connection), proxy->certificate, NULL);
  if (tls == NULL)
    return TRUE;
  g_object_set (tls, "require-close-notify", FALSE, NULL);

  /* Dovecot's POP3 port speaks plain POP3 until STLS: behind this TLS
   * front it is what port 995 looks like to the app. */
  g_socket_client_connect_to_host_async (client, "127.0.0.1", proxy->upstream_port,
                                         NULL, on_upstream, tls);
  return TRUE;
}

static char *
certificate_sha256 (GTlsCertificate *certificate)
{
  g_autoptr(GByteArray) der = NULL;

  g_object_get (certificate, "certificate", &der, NULL);
  return g_compute_checksum_for_data (G_CHECKSUM_SHA256, der->data, der->len);
}

typedef struct
{
  GMainLoop     *loop;
  PfTestDovecot *dovecot;
} Input;

static gboolean
on_stdin (GIOChannel   *channel,
          GIOCondition  condition,
          gpointer      user_data)
{
  Input *input = user_data;
  g_autofree char *line = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) words = NULL;
  guint64 count;
  guint64 kib = 1;

  if (!(condition & G_IO_IN) ||
      g_io_channel_read_line (channel, &line, NULL, NULL, NULL) != G_IO_STATUS_NORMAL)
    {
      g_main_loop_quit (input->loop);
      return G_SOURCE_REMOVE;
    }

  g_strstrip (line);
  words = g_strsplit (line, " ", -1);
  if (g_strv_length (words) >= 2 && g_strv_length (words) <= 3 && g_str_equal (words[0], "add") &&
      g_ascii_string_to_unsigned (words[1], 10, 1, 1000, &count, NULL) &&
      (words[2] == NULL || g_ascii_string_to_unsigned (words[2], 10, 1, 4096, &kib, NULL)))
    {
      if (!pf_test_dovecot_add_messages (input->dovecot, DEMO_USER, (guint) count, kib * 1024, &error))
        g_printerr ("dovecot: %s\n", error->message);
      g_print ("ADDED %" G_GUINT64_FORMAT "\n", error == NULL ? count : 0);
      fflush (stdout);
    }
  else if (g_strv_length (words) == 1 && g_str_equal (words[0], "maildir"))
    {
      g_autofree char *maildir = pf_test_dovecot_get_maildir (input->dovecot, DEMO_USER);

      g_print ("MAILDIR %s\n", maildir);
      fflush (stdout);
    }
  else if (g_strv_length (words) == 4 && g_str_equal (words[0], "user") &&
           g_ascii_string_to_unsigned (words[3], 10, 0, 1000, &count, NULL))
    {
      if (!pf_test_dovecot_add_user (input->dovecot, words[1], words[2], &error) ||
          (count > 0 && !pf_test_dovecot_add_messages (input->dovecot, words[1], (guint) count, 1024, &error)))
        g_printerr ("dovecot: %s\n", error->message);
      g_print ("USER %s\n", error == NULL ? words[1] : "-");
      fflush (stdout);
    }

  return G_SOURCE_CONTINUE;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(PfTestDovecot) dovecot = NULL;
  g_autoptr(GKeyFile) key_file = g_key_file_new ();
  g_autoptr(GSocketService) service = NULL;
  g_autoptr(GIOChannel) channel = NULL;
  g_autofree char *password = g_strdup (DEMO_PASSWORD);
  g_autofree char *port_map = NULL;
  g_autofree char *fingerprint = NULL;
  gboolean expired = FALSE;
  PfTestDovecotOptions options = { .cert_names = cert_names };
  const char *path;
  Proxy proxy = { 0 };
  Input input = { 0 };

  if (argc < 2)
    {
      g_printerr ("usage: %s KEYFILE [--password=TEXT] [--expired]\n", argv[0]);
      return 2;
    }
  path = argv[1];
  for (int i = 2; i < argc; i++)
    {
      if (g_str_has_prefix (argv[i], "--password="))
        {
          g_free (password);
          password = g_strdup (argv[i] + strlen ("--password="));
        }
      else if (g_str_equal (argv[i], "--expired"))
        expired = TRUE;
      else if (g_str_has_prefix (argv[i], "--oauth2="))
        options.oauth2_introspection_url = argv[i] + strlen ("--oauth2=");
    }

  dovecot = pf_test_dovecot_start_full (&options, &error);
  if (dovecot == NULL)
    {
      g_printerr ("dovecot: %s\n", error->message);
      return 1;
    }
  if (!pf_test_dovecot_add_user (dovecot, DEMO_USER, DEMO_PASSWORD, &error) ||
      !pf_test_dovecot_add_message (dovecot, DEMO_USER, sample_umlauts, sizeof sample_umlauts - 1, &error) ||
      !pf_test_dovecot_add_message (dovecot, DEMO_USER, sample_plain, sizeof sample_plain - 1, &error) ||
      !pf_test_dovecot_add_messages (dovecot, DEMO_USER, 24, 48 * 1024, &error))
    {
      g_printerr ("dovecot: %s\n", error->message);
      return 1;
    }

  if (expired)
    {
      guint16 port;

      proxy.certificate = pf_test_certs_server (PF_TEST_CERT_EXPIRED, cert_names);
      proxy.upstream_port = pf_test_dovecot_get_port (dovecot);
      service = g_socket_service_new ();
      port = g_socket_listener_add_any_inet_port (G_SOCKET_LISTENER (service), NULL, &error);
      if (port == 0)
        {
          g_printerr ("listen: %s\n", error->message);
          return 1;
        }
      g_signal_connect (service, "incoming", G_CALLBACK (on_incoming), &proxy);
      g_socket_service_start (service);
      fingerprint = certificate_sha256 (proxy.certificate);
      port_map = g_strdup_printf ("995:%u;110:0;993:0", port);
    }
  else
    {
      g_autoptr(GTlsCertificate) served = pf_test_certs_server (PF_TEST_CERT_VALID, cert_names);

      fingerprint = certificate_sha256 (served);
      port_map = g_strdup_printf ("995:%u;110:%u;993:0",
                                  pf_test_dovecot_get_tls_port (dovecot),
                                  pf_test_dovecot_get_port (dovecot));
    }

  g_key_file_set_string (key_file, "demo", "domain", DEMO_DOMAIN);
  g_key_file_set_string (key_file, "demo", "address", DEMO_USER);
  g_key_file_set_string (key_file, "demo", "password", password);
  g_key_file_set_string (key_file, "demo", "host-address", "127.0.0.1");
  g_key_file_set_string (key_file, "demo", "port-map", port_map);
  g_key_file_set_string (key_file, "demo", "ca-file", pf_test_dovecot_get_ca_file (dovecot));
  if (!g_key_file_save_to_file (key_file, path, &error))
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }

  g_print ("READY %s %s\n", fingerprint, pf_test_dovecot_get_dir (dovecot));
  fflush (stdout);

  input.loop = loop;
  input.dovecot = dovecot;
  channel = g_io_channel_unix_new (0);
  g_io_add_watch (channel, G_IO_IN | G_IO_HUP | G_IO_ERR, on_stdin, &input);
  g_main_loop_run (loop);

  g_clear_object (&proxy.certificate);
  return 0;
}
