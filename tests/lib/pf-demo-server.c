/* pf-demo-server.c — the private demo POP3 server behind `./run --demo`
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Starts the real Dovecot on loopback (see pf-test-dovecot.h) with a
 * certificate for popfetch.test and every name under it, adds the user
 * demo@popfetch.test (password "demo") with a handful of sample messages,
 * writes the POPFETCH_DEMO key file (docs: /work/briefs/demo-contract.md,
 * README "run") and serves until SIGTERM, SIGINT or the death of its parent.
 */

#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <glib-unix.h>
#include <glib/gstdio.h>
#include <gio/gio.h>

#include "pf-test-dovecot.h"

#define DEMO_DOMAIN   "popfetch.test"
#define DEMO_ADDRESS  "demo@" DEMO_DOMAIN
#define DEMO_PASSWORD "demo"

static const char *sample_messages[] = {
  "From: Ada Lovelace <ada@popfetch.test>\n"
  "To: Demo <demo@popfetch.test>\n"
  "Subject: Welcome to Popfetch\n"
  "Date: Mon, 23 Nov 2026 09:15:00 +0000\n"
  "Message-ID: <welcome-1@popfetch.test>\n"
  "MIME-Version: 1.0\n"
  "Content-Type: text/plain; charset=UTF-8\n"
  "Content-Transfer-Encoding: 8bit\n"
  "\n"
  "Hello!\n"
  "\n"
  "This message waits on a private POP3 server that `./run --demo` started on\n"
  "your own computer. Nothing here leaves the machine.\n"
  "\n"
  "Try adding the account demo@popfetch.test with the password \"demo\":\n"
  "Popfetch finds the server, tests the login and fetches this mail into a\n"
  "Maildir that any mail reader can open.\n"
  "\n"
  "Ada\n",

  "From: Grace Hopper <grace@popfetch.test>\n"
  "To: Demo <demo@popfetch.test>\n"
  "Subject: Minutes of Tuesday's meeting\n"
  "Date: Tue, 24 Nov 2026 14:02:11 +0100\n"
  "Message-ID: <minutes-2@popfetch.test>\n"
  "MIME-Version: 1.0\n"
  "Content-Type: text/plain; charset=UTF-8\n"
  "\n"
  "Present: Ada, Grace, Linus, Margaret.\n"
  "\n"
  "1. The release moves to Friday.\n"
  "2. Margaret reviews the certificate dialog.\n"
  ".3. A line that starts with a dot, to show dot-stuffing works.\n"
  "\n"
  "-- \n"
  "Grace\n",

  "From: =?UTF-8?Q?Bj=C3=B6rk_Gu=C3=B0mundsd=C3=B3ttir?= <bjork@popfetch.test>\n"
  "To: Demo <demo@popfetch.test>\n"
  "Subject: =?UTF-8?Q?Caf=C3=A9_on_Thursday=3F_=E2=98=95?=\n"
  "Date: Wed, 25 Nov 2026 08:30:45 +0000\n"
  "Message-ID: <cafe-3@popfetch.test>\n"
  "MIME-Version: 1.0\n"
  "Content-Type: text/plain; charset=UTF-8\n"
  "Content-Transfer-Encoding: quoted-printable\n"
  "\n"
  "Shall we meet at the caf=C3=A9 at ten? I will bring the cr=C3=AApes.\n",

  "From: Linus <linus@popfetch.test>\n"
  "To: Demo <demo@popfetch.test>\n"
  "Subject: Photos from the trip\n"
  "Date: Thu, 26 Nov 2026 19:44:02 +0000\n"
  "Message-ID: <photos-4@popfetch.test>\n"
  "MIME-Version: 1.0\n"
  "Content-Type: multipart/mixed; boundary=\"popfetch-demo-boundary\"\n"
  "\n"
  "--popfetch-demo-boundary\n"
  "Content-Type: text/plain; charset=UTF-8\n"
  "\n"
  "One picture is attached; the rest follow tomorrow.\n"
  "\n"
  "--popfetch-demo-boundary\n"
  "Content-Type: image/png; name=\"dot.png\"\n"
  "Content-Disposition: attachment; filename=\"dot.png\"\n"
  "Content-Transfer-Encoding: base64\n"
  "\n"
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9\n"
  "awAAAABJRU5ErkJggg==\n"
  "--popfetch-demo-boundary--\n",

  "From: Margaret Hamilton <margaret@popfetch.test>\n"
  "To: Demo <demo@popfetch.test>\n"
  "Subject: Re: Minutes of Tuesday's meeting\n"
  "Date: Fri, 27 Nov 2026 10:05:30 -0500\n"
  "Message-ID: <re-minutes-5@popfetch.test>\n"
  "In-Reply-To: <minutes-2@popfetch.test>\n"
  "References: <minutes-2@popfetch.test>\n"
  "MIME-Version: 1.0\n"
  "Content-Type: text/plain; charset=UTF-8\n"
  "\n"
  "> 2. Margaret reviews the certificate dialog.\n"
  "\n"
  "Done. It now says which check failed, and pinning is only offered\n"
  "while setting up an account.\n"
  "\n"
  "Margaret\n",

  "From: Popfetch Newsletter <news@popfetch.test>\n"
  "To: Demo <demo@popfetch.test>\n"
  "Subject: Five ways to read mail offline\n"
  "Date: Sat, 28 Nov 2026 07:00:00 +0000\n"
  "Message-ID: <news-6@popfetch.test>\n"
  "List-Id: <news.popfetch.test>\n"
  "MIME-Version: 1.0\n"
  "Content-Type: text/plain; charset=UTF-8\n"
  "\n"
  "A Maildir is just folders of files. Open it with mutt, neomutt, aerc,\n"
  "notmuch, Evolution, or Thunderbird with maildir support:\n"
  "\n"
  "  mutt -f ~/Mail/demo\n"
  "  notmuch new\n",
};

static gboolean
on_quit_signal (gpointer user_data)
{
  g_main_loop_quit (user_data);
  return G_SOURCE_CONTINUE;
}

static gboolean
write_key_file (PfTestDovecot  *dovecot,
                const char     *path,
                GError        **error)
{
  g_autoptr(GKeyFile) key_file = g_key_file_new ();
  g_autofree char *port_map = NULL;

  port_map = g_strdup_printf ("995:%u;110:%u;993:0",
                              pf_test_dovecot_get_tls_port (dovecot),
                              pf_test_dovecot_get_port (dovecot));
  g_key_file_set_string (key_file, "demo", "domain", DEMO_DOMAIN);
  g_key_file_set_string (key_file, "demo", "address", DEMO_ADDRESS);
  g_key_file_set_string (key_file, "demo", "password", DEMO_PASSWORD);
  g_key_file_set_string (key_file, "demo", "host-address", "127.0.0.1");
  g_key_file_set_string (key_file, "demo", "port-map", port_map);
  g_key_file_set_string (key_file, "demo", "ca-file", pf_test_dovecot_get_ca_file (dovecot));
  return g_key_file_save_to_file (key_file, path, error);
}

int
main (int   argc,
      char *argv[])
{
  static const char * const cert_names[] = {
    DEMO_DOMAIN, "*." DEMO_DOMAIN, "localhost", "127.0.0.1", "::1", NULL
  };
  g_autofree char *key_file_path = NULL;
  gboolean foreground = FALSE;
  GOptionEntry entries[] = {
    { "key-file", 'k', 0, G_OPTION_ARG_FILENAME, &key_file_path,
      "Where to write the POPFETCH_DEMO key file", "PATH" },
    { "foreground", 'f', 0, G_OPTION_ARG_NONE, &foreground,
      "Keep running when the parent process exits", NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("— the Popfetch demo POP3 server");
  g_autoptr(PfTestDovecot) dovecot = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autoptr(GError) error = NULL;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("pf-demo-server: %s\n", error->message);
      return 64;
    }
  if (key_file_path == NULL)
    {
      g_printerr ("pf-demo-server: --key-file is required\n");
      return 64;
    }

  /* The demo ends with whoever started it (./run), even if that dies. */
  if (!foreground)
    prctl (PR_SET_PDEATHSIG, SIGTERM);

  dovecot = pf_test_dovecot_start_with_names (cert_names, &error);
  if (dovecot == NULL)
    {
      g_printerr ("pf-demo-server: cannot start Dovecot: %s\n", error->message);
      return 69;
    }

  if (!pf_test_dovecot_add_user (dovecot, DEMO_ADDRESS, DEMO_PASSWORD, &error))
    {
      g_printerr ("pf-demo-server: %s\n", error->message);
      return 70;
    }
  for (guint i = 0; i < G_N_ELEMENTS (sample_messages); i++)
    if (!pf_test_dovecot_add_message (dovecot, DEMO_ADDRESS, sample_messages[i],
                                      strlen (sample_messages[i]), &error))
      {
        g_printerr ("pf-demo-server: %s\n", error->message);
        return 70;
      }

  if (!write_key_file (dovecot, key_file_path, &error))
    {
      g_printerr ("pf-demo-server: %s\n", error->message);
      return 73;
    }

  g_print ("Demo POP3 server (Dovecot) on 127.0.0.1: POP3S port %u, POP3+STLS port %u\n"
           "  account %s, password %s, %u sample messages\n"
           "  POPFETCH_DEMO=%s\n",
           pf_test_dovecot_get_tls_port (dovecot), pf_test_dovecot_get_port (dovecot),
           DEMO_ADDRESS, DEMO_PASSWORD, (guint) G_N_ELEMENTS (sample_messages),
           key_file_path);

  loop = g_main_loop_new (NULL, FALSE);
  g_unix_signal_add (SIGTERM, on_quit_signal, loop);
  g_unix_signal_add (SIGINT, on_quit_signal, loop);
  g_unix_signal_add (SIGHUP, on_quit_signal, loop);
  g_main_loop_run (loop);

  g_unlink (key_file_path);
  return 0;
}
