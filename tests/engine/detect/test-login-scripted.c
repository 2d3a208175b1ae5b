/* test-login-scripted.c — the login test against servers that are not
 * Dovecot (APOP without an APOP secret, a -PLUS bound differently, UTF8),
 * played by the scripted server
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "pf-diagnosis.h"
#include "pf-error.h"
#include "pf-map-resolver.h"
#include "pf-test-certs.h"
#include "pf-test-server.h"
#include "pf-test-util.h"

#define PASSWORD "s3cret-Pa55word"

#define AFTER_LOGIN "C: CAPA\nS: +OK\nS: USER\nS: .\nC: STAT\nS: +OK 2 900\nC: QUIT\nS: +OK\n"

static PfTestServer *
server_with (PfTestServerMode  mode,
             const char       *script)
{
  PfTestServer *server = pf_test_server_new (mode);
  g_autoptr(GTlsCertificate) certificate = pf_test_certs_server (PF_TEST_CERT_VALID, NULL);

  pf_test_server_set_certificate (server, certificate);
  pf_test_server_add_script (server, script);
  return server;
}

/* The login test for user "bob" on "localhost" (the name in the test
 * certificate), which is the scripted server on loopback. */
static PfDiagnosis *
run_login_test (PfTestServer    *server,
                PfSecurity       security,
                PfAuthMechanism  mechanism)
{
  guint16 port = security == PF_SECURITY_TLS ? 995 : 110;
  g_autoptr(PfServerSettings) settings = pf_server_settings_new ("localhost", port, security);
  g_autoptr(PfCredentials) credentials = pf_credentials_new_for_password (PASSWORD);
  g_autoptr(PfLoginTest) test = NULL;
  g_autoptr(PfMapResolver) resolver = pf_map_resolver_new (NULL);
  g_autoptr(PfPortMap) ports = pf_port_map_new ();
  g_autoptr(GTlsDatabase) database = pf_test_certs_database ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *failure = NULL;
  PfDiagnosis *diagnosis;

  pf_map_resolver_add_host (resolver, "localhost", "127.0.0.1");
  pf_port_map_set (ports, port, pf_test_server_get_port (server));
  pf_server_settings_set_resolver (settings, G_RESOLVER (resolver));
  pf_server_settings_set_port_map (settings, ports);
  pf_server_settings_set_tls_database (settings, database);
  pf_server_settings_set_allow_plaintext_auth (settings, security == PF_SECURITY_NONE);
  pf_server_settings_set_timeout (settings, 5);
  test = pf_login_test_new (settings);
  pf_login_test_set_user (test, "bob");
  pf_login_test_set_mechanism (test, mechanism);
  pf_login_test_run_async (test, credentials, NULL, pf_test_store_result, &result);
  pf_test_wait_result (&result, 30);
  diagnosis = pf_login_test_run_finish (test, result, &error);
  g_assert_no_error (error);
  g_assert_nonnull (diagnosis);

  failure = pf_test_server_dup_failure (server);
  g_assert_cmpstr (failure, ==, NULL);
  return diagnosis;
}

static void
assert_tried (PfDiagnosis           *diagnosis,
              const PfAuthMechanism *expected,
              guint                  n_expected)
{
  guint n = 0;
  const PfAuthMechanism *tried = pf_diagnosis_get_mechanisms_tried (diagnosis, &n);

  g_assert_cmpmem (tried, n * sizeof *tried, expected, n_expected * sizeof *expected);
  g_assert_cmpuint (pf_diagnosis_get_attempts (diagnosis), ==, n_expected);
}

/* GNU Mailutils and solid-pop3d put an APOP timestamp in the greeting for
 * users without an APOP secret. Without TLS (plaintext allowed), the
 * refused APOP is followed by USER/PASS on a new connection, which logs
 * in. */
static void
test_apop_refused_then_user (void)
{
  g_autoptr(PfTestServer) server = server_with (PF_TEST_SERVER_PLAIN,
    "S: +OK POP3 ready <4711.1700000000@mail.example.test>\n"
    "C: CAPA\nS: +OK\nS: USER\nS: .\n"
    "C: APOP bob *\nS: -ERR [AUTH] authentication failed\n"
    "NEXT CONNECTION\n"
    "S: +OK POP3 ready <4712.1700000001@mail.example.test>\n"
    "C: CAPA\nS: +OK\nS: USER\nS: .\n"
    "C: USER bob\nS: +OK\nC: PASS " PASSWORD "\nS: +OK logged in\n"
    AFTER_LOGIN);
  g_autoptr(PfDiagnosis) diagnosis = run_login_test (server, PF_SECURITY_NONE, PF_AUTH_AUTO);
  const PfAuthMechanism tried[] = { PF_AUTH_APOP, PF_AUTH_USER };

  g_assert_no_error (pf_diagnosis_get_error (diagnosis));
  g_assert_true (pf_diagnosis_get_success (diagnosis));
  g_assert_cmpint (pf_diagnosis_get_mechanism (diagnosis), ==, PF_AUTH_USER);
  g_assert_true (pf_diagnosis_get_fell_back (diagnosis));
  g_assert_cmpuint (pf_diagnosis_get_message_count (diagnosis), ==, 2);
  assert_tried (diagnosis, tried, G_N_ELEMENTS (tried));
  g_assert_cmpuint (pf_test_server_get_n_connections (server), ==, 2);
}

/* An account that asked for APOP gets APOP and nothing else; its refusal
 * says the method failed, not that the password is wrong. */
static void
test_apop_asked_no_fallback (void)
{
  g_autoptr(PfTestServer) server = server_with (PF_TEST_SERVER_PLAIN,
    "S: +OK POP3 ready <4711.1700000000@mail.example.test>\n"
    "C: CAPA\nS: +OK\nS: USER\nS: .\n"
    "C: APOP bob *\nS: -ERR [AUTH] authentication failed\n");
  g_autoptr(PfDiagnosis) diagnosis = run_login_test (server, PF_SECURITY_NONE, PF_AUTH_APOP);
  const PfAuthMechanism tried[] = { PF_AUTH_APOP };

  g_assert_error (pf_diagnosis_get_error (diagnosis), PF_ERROR, PF_ERROR_AUTH_MECHANISM_FAILED);
  g_assert_cmpint (pf_diagnosis_get_failed_step (diagnosis), ==, PF_DIAGNOSIS_STEP_AUTHENTICATION);
  g_assert_cmpstr (pf_diagnosis_get_explanation (diagnosis)->title, ==, "Sign-in method failed");
  g_assert_nonnull (strstr (pf_diagnosis_get_explanation (diagnosis)->what, "APOP"));
  g_assert_cmpint (pf_diagnosis_get_mechanism (diagnosis), ==, PF_AUTH_APOP);
  assert_tried (diagnosis, tried, G_N_ELEMENTS (tried));
}

/* A Cyrus server that binds -PLUS with tls-unique refuses our
 * tls-exporter binding; PLAIN inside TLS then logs in, on a new
 * connection, and that is the mechanism to remember. */
static void
test_plus_refused_then_plain (void)
{
  g_autoptr(PfTestServer) server = server_with (PF_TEST_SERVER_TLS,
    "S: +OK Cyrus-like ready\n"
    "C: CAPA\nS: +OK\nS: SASL SCRAM-SHA-256-PLUS PLAIN\nS: .\n"
    "C: AUTH SCRAM-SHA-256-PLUS *\nS: -ERR [AUTH] authenticating: bad protocol / cancel\n"
    "NEXT CONNECTION\n"
    "S: +OK Cyrus-like ready\n"
    "C: CAPA\nS: +OK\nS: SASL SCRAM-SHA-256-PLUS PLAIN\nS: .\n"
    "C: AUTH PLAIN *\nS: +OK logged in\n"
    AFTER_LOGIN);
  g_autoptr(PfDiagnosis) diagnosis = run_login_test (server, PF_SECURITY_TLS, PF_AUTH_AUTO);
  const PfAuthMechanism tried[] = { PF_AUTH_SCRAM_SHA_256_PLUS, PF_AUTH_PLAIN };

  g_assert_no_error (pf_diagnosis_get_error (diagnosis));
  g_assert_cmpint (pf_diagnosis_get_mechanism (diagnosis), ==, PF_AUTH_PLAIN);
  g_assert_true (pf_diagnosis_get_fell_back (diagnosis));
  assert_tried (diagnosis, tried, G_N_ELEMENTS (tried));
}

/* The retry without binding is the same SCRAM, with the GS2 flag "n" (the
 * server offers -PLUS, so it must refuse "y"); refused again, it is the
 * password, and the diagnosis names both methods it sent. */
static void
test_plus_refused_then_scram_refused (void)
{
  g_autoptr(PfTestServer) server = server_with (PF_TEST_SERVER_TLS,
    "S: +OK Cyrus-like ready\n"
    "C: CAPA\nS: +OK\nS: SASL SCRAM-SHA-256 SCRAM-SHA-256-PLUS\nS: .\n"
    "C: AUTH SCRAM-SHA-256-PLUS *\nS: -ERR [AUTH] authenticating: bad protocol / cancel\n"
    "NEXT CONNECTION\n"
    "S: +OK Cyrus-like ready\n"
    "C: CAPA\nS: +OK\nS: SASL SCRAM-SHA-256 SCRAM-SHA-256-PLUS\nS: .\n"
    /* base64 ("n,,n=bob,") */
    "C: AUTH SCRAM-SHA-256 biwsbj1ib2Is*\nS: -ERR [AUTH] authentication failed\n");
  g_autoptr(PfDiagnosis) diagnosis = run_login_test (server, PF_SECURITY_TLS, PF_AUTH_AUTO);
  const PfAuthMechanism tried[] = { PF_AUTH_SCRAM_SHA_256_PLUS, PF_AUTH_SCRAM_SHA_256 };

  g_assert_error (pf_diagnosis_get_error (diagnosis), PF_ERROR, PF_ERROR_AUTH_REJECTED);
  g_assert_cmpint (pf_diagnosis_get_mechanism (diagnosis), ==, PF_AUTH_SCRAM_SHA_256);
  assert_tried (diagnosis, tried, G_N_ELEMENTS (tried));
}

/* With nothing to fall back to, the diagnosis names the -PLUS mechanism
 * that was sent (it used to say SCRAM-SHA-256) and says the method
 * failed. */
static void
test_plus_refused_named (void)
{
  g_autoptr(PfTestServer) server = server_with (PF_TEST_SERVER_TLS,
    "S: +OK Cyrus-like ready\n"
    "C: CAPA\nS: +OK\nS: SASL SCRAM-SHA-256-PLUS\nS: .\n"
    "C: AUTH SCRAM-SHA-256-PLUS *\nS: -ERR [AUTH] authenticating: bad protocol / cancel\n");
  g_autoptr(PfDiagnosis) diagnosis = run_login_test (server, PF_SECURITY_TLS, PF_AUTH_AUTO);
  const PfAuthMechanism tried[] = { PF_AUTH_SCRAM_SHA_256_PLUS };

  g_assert_error (pf_diagnosis_get_error (diagnosis), PF_ERROR, PF_ERROR_AUTH_MECHANISM_FAILED);
  g_assert_cmpint (pf_diagnosis_get_mechanism (diagnosis), ==, PF_AUTH_SCRAM_SHA_256_PLUS);
  assert_tried (diagnosis, tried, G_N_ELEMENTS (tried));
}

/* Cyrus says "bad protocol" when the SASL exchange itself failed (the
 * GS2 header, a binding): that is the method's failure whatever the
 * method, not "Password rejected". */
static void
test_bad_protocol_is_method (void)
{
  g_autoptr(PfTestServer) server = server_with (PF_TEST_SERVER_TLS,
    "S: +OK Cyrus-like ready\n"
    "C: CAPA\nS: +OK\nS: SASL SCRAM-SHA-256\nS: .\n"
    "C: AUTH SCRAM-SHA-256 *\nS: -ERR [AUTH] authenticating: bad protocol / cancel\n");
  g_autoptr(PfDiagnosis) diagnosis = run_login_test (server, PF_SECURITY_TLS, PF_AUTH_SCRAM_SHA_256);
  const PfAuthMechanism tried[] = { PF_AUTH_SCRAM_SHA_256 };

  g_assert_error (pf_diagnosis_get_error (diagnosis), PF_ERROR, PF_ERROR_AUTH_MECHANISM_FAILED);
  g_assert_cmpstr (pf_diagnosis_get_explanation (diagnosis)->title, ==, "Sign-in method failed");
  g_assert_nonnull (strstr (pf_diagnosis_get_explanation (diagnosis)->what, "SCRAM-SHA-256"));
  assert_tried (diagnosis, tried, G_N_ELEMENTS (tried));
}

/* A challenge that is not base64 is the server's protocol error: the
 * login test says so (and the transcript why), not "Password rejected",
 * and tries no other user name with it. */
static void
test_challenge_not_base64 (void)
{
  g_autoptr(PfTestServer) server = server_with (PF_TEST_SERVER_TLS,
    "S: +OK ready\n"
    "C: CAPA\nS: +OK\nS: SASL CRAM-MD5\nS: .\n"
    "C: AUTH CRAM-MD5\nS: + <1896.697170952@mail.example>\nC: *\nS: -ERR cancelled\n");
  g_autoptr(PfDiagnosis) diagnosis = run_login_test (server, PF_SECURITY_TLS, PF_AUTH_CRAM_MD5);
  g_autofree char *transcript = pf_diagnosis_dup_transcript_text (diagnosis);

  g_assert_error (pf_diagnosis_get_error (diagnosis), PF_ERROR, PF_ERROR_PROTOCOL);
  g_assert_cmpint (pf_diagnosis_get_failed_step (diagnosis), ==, PF_DIAGNOSIS_STEP_AUTHENTICATION);
  g_assert_cmpstr (pf_diagnosis_get_explanation (diagnosis)->title, !=, "Password rejected");
  g_assert_nonnull (strstr (transcript, "not valid base64"));
  g_assert_cmpuint (pf_test_server_get_n_connections (server), ==, 1);
}

/* ---- SCRAM iteration counts -------------------------------------------- */

/* A SCRAM-SHA-256 server on plain loopback that continues the client's
 * nonce (which a fixed script cannot), asks for @iterations, and keeps
 * what the client answered its server-first with. It refuses every login:
 * only the client's answer matters here. */
typedef struct
{
  GSocket *listener;
  guint    iterations;
  char    *answer;        /* the client's line after the server-first */
} ScramServer;

static char *
scram_read_line (GDataInputStream *in)
{
  g_autoptr(GError) error = NULL;
  char *line = g_data_input_stream_read_line (in, NULL, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (line);
  g_strchomp (line);
  return line;
}

static void
scram_write (GOutputStream *out,
             const char    *text)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (g_output_stream_write_all (out, text, strlen (text), NULL, NULL, &error));
  g_assert_no_error (error);
}

static gpointer
scram_server_thread (gpointer user_data)
{
  ScramServer *server = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocket) socket = g_socket_accept (server->listener, NULL, &error);
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GDataInputStream) in = NULL;
  GOutputStream *out;
  g_autofree char *capa = NULL;
  g_autofree char *auth = NULL;
  g_autofree guchar *client_first = NULL;
  g_autofree char *server_first = NULL;
  g_autofree char *encoded = NULL;
  g_autofree char *reply = NULL;
  const char *nonce;
  gsize len;

  g_assert_no_error (error);
  connection = g_socket_connection_factory_create_connection (socket);
  in = g_data_input_stream_new (g_io_stream_get_input_stream (G_IO_STREAM (connection)));
  g_data_input_stream_set_newline_type (in, G_DATA_STREAM_NEWLINE_TYPE_CR_LF);
  out = g_io_stream_get_output_stream (G_IO_STREAM (connection));

  scram_write (out, "+OK ready\r\n");
  capa = scram_read_line (in);
  g_assert_cmpstr (capa, ==, "CAPA");
  scram_write (out, "+OK\r\nUSER\r\nSASL SCRAM-SHA-256\r\n.\r\n");
  auth = scram_read_line (in);
  g_assert_true (g_str_has_prefix (auth, "AUTH SCRAM-SHA-256 "));
  client_first = g_base64_decode (auth + strlen ("AUTH SCRAM-SHA-256 "), &len);
  nonce = g_strstr_len ((const char *) client_first, len, ",r=");
  g_assert_nonnull (nonce);
  server_first = g_strdup_printf ("r=%.*sServerNonce,s=cG9wZmV0Y2gtc2FsdC0xNg==,i=%u",
                                  (int) (len - (gsize) (nonce + 3 - (const char *) client_first)),
                                  nonce + 3, server->iterations);
  encoded = g_base64_encode ((const guchar *) server_first, strlen (server_first));
  reply = g_strdup_printf ("+ %s\r\n", encoded);
  scram_write (out, reply);
  server->answer = scram_read_line (in);
  scram_write (out, "-ERR [AUTH] Authentication failed.\r\n");
  g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);
  return NULL;
}

/* The login test with SCRAM-SHA-256 against a server that asks for
 * @iterations; what the client answered the server-first with. */
static PfDiagnosis *
login_scram (guint   iterations,
             char  **answer)
{
  ScramServer server = { .iterations = iterations };
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(PfServerSettings) settings = NULL;
  g_autoptr(PfCredentials) credentials = pf_credentials_new_for_password (PASSWORD);
  g_autoptr(PfLoginTest) test = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  GThread *thread;
  PfDiagnosis *diagnosis;

  server.listener = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, 0, &error);
  g_assert_no_error (error);
  g_assert_true (g_socket_bind (server.listener, any, TRUE, &error));
  g_assert_true (g_socket_listen (server.listener, &error));
  bound = g_socket_get_local_address (server.listener, &error);
  g_assert_no_error (error);
  thread = g_thread_new ("scram-server", scram_server_thread, &server);

  settings = pf_server_settings_new ("127.0.0.1",
                                     g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)),
                                     PF_SECURITY_NONE);
  pf_server_settings_set_allow_plaintext_auth (settings, TRUE);
  pf_server_settings_set_timeout (settings, 5);
  test = pf_login_test_new (settings);
  pf_login_test_set_user (test, "bob");
  pf_login_test_set_mechanism (test, PF_AUTH_SCRAM_SHA_256);
  pf_login_test_run_async (test, credentials, NULL, pf_test_store_result, &result);
  pf_test_wait_result (&result, 30);
  diagnosis = pf_login_test_run_finish (test, result, &error);
  g_assert_no_error (error);
  g_thread_join (thread);
  g_object_unref (server.listener);
  *answer = server.answer;
  return diagnosis;
}

/* RFC 7677 asks for at least 4096 iterations; fewer make a captured
 * proof cheap to attack (a forged server-first could ask for 1 on
 * purpose). The login test cancels the exchange before any proof, says
 * why in its error and the transcript, and not as a wrong password. */
static void
test_scram_low_iterations (void)
{
  g_autofree char *answer = NULL;
  g_autoptr(PfDiagnosis) diagnosis = login_scram (1000, &answer);
  g_autofree char *transcript = pf_diagnosis_dup_transcript_text (diagnosis);
  const GError *error = pf_diagnosis_get_error (diagnosis);

  g_assert_cmpstr (answer, ==, "*");
  g_assert_error ((GError *) error, PF_ERROR, PF_ERROR_PROTOCOL);
  g_assert_nonnull (strstr (error->message, "4096"));
  g_assert_cmpstr (pf_diagnosis_get_explanation (diagnosis)->title, !=, "Password rejected");
  g_assert_nonnull (strstr (transcript, "Login failed: The server’s SCRAM iteration count"));
}

/* The same server asking for 4096 gets a proof (so the server above would
 * have seen one), and its refusal is then the password's. */
static void
test_scram_enough_iterations (void)
{
  g_autofree char *answer = NULL;
  g_autoptr(PfDiagnosis) diagnosis = login_scram (4096, &answer);
  g_autofree guchar *final = NULL;
  gsize len;

  final = g_base64_decode (answer, &len);
  g_assert_true (len > 5 && memcmp (final, "c=biws,r=", 9) == 0);
  g_assert_nonnull (g_strstr_len ((const char *) final, len, ",p="));
  g_assert_error ((GError *) pf_diagnosis_get_error (diagnosis), PF_ERROR, PF_ERROR_AUTH_REJECTED);
}

/* RFC 6856: the login test's session says UTF8 too, before STAT. */
static void
test_utf8 (void)
{
  g_autoptr(PfTestServer) server = server_with (PF_TEST_SERVER_TLS,
    "S: +OK Courier-like ready\n"
    "C: CAPA\nS: +OK\nS: USER\nS: UTF8\nS: .\n"
    "C: USER bob\nS: +OK\nC: PASS " PASSWORD "\nS: +OK logged in\n"
    "C: CAPA\nS: +OK\nS: UTF8\nS: .\n"
    "C: UTF8\nS: +OK UTF8 enabled\n"
    "C: STAT\nS: +OK 1 300\nC: QUIT\nS: +OK\n");
  g_autoptr(PfDiagnosis) diagnosis = run_login_test (server, PF_SECURITY_TLS, PF_AUTH_AUTO);

  g_assert_no_error (pf_diagnosis_get_error (diagnosis));
  g_assert_false (pf_diagnosis_get_fell_back (diagnosis));
  g_assert_cmpuint (pf_diagnosis_get_message_count (diagnosis), ==, 1);
}

/* Gmail's server text, served by a scripted server standing in for
 * pop.gmail.com: the diagnosis names the provider and says what it means. */
static PfDiagnosis *
login_scripted (const char *host,
                const char *address,
                const char *reply)
{
  const char *names[] = { host, NULL };
  g_autoptr(GTlsCertificate) certificate = pf_test_certs_server (PF_TEST_CERT_VALID, names);
  g_autoptr(GTlsDatabase) database = pf_test_certs_database ();
  g_autoptr(PfMapResolver) resolver = pf_map_resolver_new (NULL);
  g_autoptr(PfPortMap) ports = pf_port_map_new ();
  g_autoptr(PfServerSettings) settings = pf_server_settings_new (host, 995, PF_SECURITY_TLS);
  g_autoptr(PfCredentials) credentials = pf_credentials_new_for_password ("not the app password");
  g_autoptr(PfLoginTest) test = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *script = g_strdup_printf ("S: +OK ready\nC: CAPA\nS: +OK\nS: USER\nS: .\n"
                                             "C: USER *\nS: +OK\nC: PASS *\nS: %s\nC: *\n", reply);
  PfTestServer *server = pf_test_server_new (PF_TEST_SERVER_TLS);
  PfDiagnosis *diagnosis;

  pf_test_server_set_certificate (server, certificate);
  pf_test_server_add_script (server, script);
  pf_map_resolver_add_host (resolver, host, "127.0.0.1");
  pf_port_map_set_for_host (ports, host, 995, pf_test_server_get_port (server));

  pf_server_settings_set_resolver (settings, G_RESOLVER (resolver));
  pf_server_settings_set_port_map (settings, ports);
  pf_server_settings_set_tls_database (settings, database);
  pf_server_settings_set_timeout (settings, 5);
  test = pf_login_test_new (settings);
  pf_login_test_set_address (test, address);
  pf_login_test_run_async (test, credentials, NULL, pf_test_store_result, &result);
  pf_test_wait_result (&result, 30);
  diagnosis = pf_login_test_run_finish (test, result, &error);
  g_assert_no_error (error);
  pf_test_server_free (server);
  return diagnosis;
}

static void
test_gmail_web_login (void)
{
  g_autoptr(PfDiagnosis) diagnosis = NULL;

  diagnosis = login_scripted ("pop.gmail.com", "jo@gmail.com",
                              "-ERR [AUTH] Web login required: https://support.google.com/mail/answer/78754");
  g_assert_error ((GError *) pf_diagnosis_get_error (diagnosis), PF_ERROR, PF_ERROR_AUTH_REJECTED);
  g_assert_cmpstr (pf_provider_get_id (pf_diagnosis_get_provider (diagnosis)), ==, "gmail");
  g_assert_cmpint (pf_diagnosis_get_hint (diagnosis), ==, PF_PROVIDER_HINT_WEB_LOGIN);
  g_assert_true (g_str_has_prefix (pf_diagnosis_get_hint_text (diagnosis),
                                   "Gmail wants you to sign in once on its website"));
}

static void
test_gmail_pop_disabled (void)
{
  g_autoptr(PfDiagnosis) diagnosis = NULL;

  /* A company address at Google Workspace, known by the server's name. */
  diagnosis = login_scripted ("pop.gmail.com", "jo@company.test",
                              "-ERR [SYS/PERM] Your account is not enabled for POP access.");
  g_assert_error ((GError *) pf_diagnosis_get_error (diagnosis), PF_ERROR, PF_ERROR_SYS_PERM);
  g_assert_cmpstr (pf_provider_get_id (pf_diagnosis_get_provider (diagnosis)), ==, "google-workspace");
  g_assert_cmpint (pf_diagnosis_get_hint (diagnosis), ==, PF_PROVIDER_HINT_POP3_OFF);
  g_assert_nonnull (strstr (pf_diagnosis_get_hint_text (diagnosis), "#settings/fwdandpop"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/engine/detect/login/fallback/apop-refused-then-user", test_apop_refused_then_user);
  g_test_add_func ("/engine/detect/login/fallback/apop-asked-no-fallback", test_apop_asked_no_fallback);
  g_test_add_func ("/engine/detect/login/fallback/plus-refused-then-plain", test_plus_refused_then_plain);
  g_test_add_func ("/engine/detect/login/fallback/plus-refused-then-scram-refused", test_plus_refused_then_scram_refused);
  g_test_add_func ("/engine/detect/login/fallback/plus-refused-named", test_plus_refused_named);
  g_test_add_func ("/engine/detect/login/refusal/bad-protocol-is-method", test_bad_protocol_is_method);
  g_test_add_func ("/engine/detect/login/challenge/not-base64", test_challenge_not_base64);
  g_test_add_func ("/engine/detect/login/scram/low-iterations", test_scram_low_iterations);
  g_test_add_func ("/engine/detect/login/scram/enough-iterations", test_scram_enough_iterations);
  g_test_add_func ("/engine/detect/login/utf8", test_utf8);
  g_test_add_func ("/engine/detect/login/provider/gmail-web-login", test_gmail_web_login);
  g_test_add_func ("/engine/detect/login/provider/gmail-pop-disabled", test_gmail_pop_disabled);

  return g_test_run ();
}
