/* test-pop3-tls-version.c — a server that speaks only TLS 1.0 or 1.1
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "pf-error.h"
#include "pf-pop3-client.h"
#include "pf-test-certs.h"
#include "pf-test-server.h"
#include "pf-test-util.h"

#define PASSWORD "s3cret-Pa55word"
#define TIMEOUT 10

#define GREETING "S: +OK POP3 ready"
#define CAPA_PLAIN "C: CAPA\nS: +OK\nS: USER\nS: UIDL\nS: .\n"
#define CAPA_STLS "C: CAPA\nS: +OK\nS: USER\nS: STLS\nS: .\n"
#define LOGIN "C: USER bob\nS: +OK\nC: PASS " PASSWORD "\nS: +OK logged in\n"

/* glib-networking reads G_TLS_GNUTLS_PRIORITY once per process, when the
 * first TLS connection is made, and uses it for its servers and clients
 * alike. Each case therefore runs in a child process of its own whose
 * whole TLS stack offers only the old version, so the handshake succeeds
 * with it: what is under test is what the client does after that. A real
 * client offers 1.2 and 1.3 too; a server that picks 1.0 anyway ends in
 * the same place. */
typedef struct
{
  const char *priority;
  const char *version;
  PfSecurity  security;
} Case;

static const Case cases[] = {
  { "NORMAL:-VERS-ALL:+VERS-TLS1.0", "1.0", PF_SECURITY_TLS },
  { "NORMAL:-VERS-ALL:+VERS-TLS1.1", "1.1", PF_SECURITY_TLS },
  { "NORMAL:-VERS-ALL:+VERS-TLS1.0", "1.0", PF_SECURITY_STARTTLS },
  { "NORMAL:-VERS-ALL:+VERS-TLS1.1", "1.1", PF_SECURITY_STARTTLS },
};

static void
run_case (const Case *c)
{
  gboolean implicit = c->security == PF_SECURITY_TLS;
  g_autoptr(PfTestServer) server = pf_test_server_new (implicit ? PF_TEST_SERVER_TLS
                                                                : PF_TEST_SERVER_PLAIN);
  g_autoptr(GTlsCertificate) certificate = pf_test_certs_server (PF_TEST_CERT_VALID, NULL);
  g_autoptr(GTlsDatabase) database = pf_test_certs_database ();
  g_autoptr(GError) error = NULL;
  g_autofree char *expected = g_strdup_printf ("TLS version %s", c->version);
  g_autoptr(PfServerSettings) settings = NULL;
  PfPop3Client *client;
  gboolean connected;

  g_assert_true (g_setenv ("G_TLS_GNUTLS_PRIORITY", c->priority, TRUE));

  pf_test_server_set_certificate (server, certificate);
  /* What a server behind the old TLS would do: go on to the login. */
  pf_test_server_add_script (server, implicit
                               ? GREETING "\n" CAPA_PLAIN LOGIN
                               : GREETING "\n" CAPA_STLS "C: STLS\nS: +OK\nTLS\n" CAPA_PLAIN LOGIN);

  settings = pf_server_settings_new ("127.0.0.1", pf_test_server_get_port (server), c->security);
  pf_server_settings_set_timeout (settings, TIMEOUT);
  pf_server_settings_set_server_identity (settings, "localhost");
  pf_server_settings_set_tls_database (settings, database);
  client = pf_pop3_client_new_for_settings (settings);

  connected = pf_test_pop3_connect (client, TIMEOUT * 2, &error);
  if (connected)
    {
      /* Before the fix: the session went on and the password went out. */
      pf_test_pop3_login (client, "bob", PASSWORD, PF_AUTH_USER, NULL, TIMEOUT * 2, NULL);
    }
  g_assert_false (connected);
  g_assert_error (error, PF_ERROR, PF_ERROR_TLS_OUTDATED);
  g_assert_nonnull (strstr (error->message, expected));
  g_assert_false (pf_pop3_client_get_tls_active (client));
  pf_test_pop3_drop (client, TIMEOUT);

  g_assert_true (pf_test_server_wait_connections (server, 1, TIMEOUT));
  g_assert_false (pf_test_server_received_contains (server, PASSWORD));
  g_assert_false (pf_test_server_received_contains (server, "USER "));
  g_assert_false (pf_test_server_received_contains (server, "PASS "));
}

static void
test_old_version (gconstpointer data)
{
  const Case *c = data;

  if (g_test_subprocess ())
    {
      run_case (c);
      return;
    }
  g_test_trap_subprocess (NULL, 60 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
}

/* Without the override, the same stack negotiates 1.2 or newer and the
 * session is accepted: the refusal above is about the version alone. */
static void
test_current_version_accepted (void)
{
  g_autoptr(PfTestServer) server = pf_test_server_new (PF_TEST_SERVER_TLS);
  g_autoptr(GTlsCertificate) certificate = pf_test_certs_server (PF_TEST_CERT_VALID, NULL);
  g_autoptr(GTlsDatabase) database = pf_test_certs_database ();
  g_autoptr(GError) error = NULL;
  PfPop3Client *client;

  if (g_test_subprocess ())
    {
      g_autoptr(PfServerSettings) settings = pf_server_settings_new ("127.0.0.1",
                                                                     pf_test_server_get_port (server),
                                                                     PF_SECURITY_TLS);

      g_unsetenv ("G_TLS_GNUTLS_PRIORITY");
      pf_test_server_set_certificate (server, certificate);
      pf_test_server_add_script (server, GREETING "\n" CAPA_PLAIN);
      pf_server_settings_set_server_identity (settings, "localhost");
      pf_server_settings_set_tls_database (settings, database);
      client = pf_pop3_client_new_for_settings (settings);
      g_assert_true (pf_test_pop3_connect (client, TIMEOUT * 2, &error));
      g_assert_no_error (error);
      g_assert_true (pf_pop3_client_get_tls_active (client));
      pf_test_pop3_drop (client, TIMEOUT);
      return;
    }
  g_test_trap_subprocess (NULL, 60 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path =
        g_strdup_printf ("/engine/pop3/tls/refuses-tls-%s-%s", cases[i].version,
                         cases[i].security == PF_SECURITY_TLS ? "implicit" : "stls");

      g_test_add_data_func (path, &cases[i], test_old_version);
    }
  g_test_add_func ("/engine/pop3/tls/accepts-current-version", test_current_version_accepted);

  return g_test_run ();
}
