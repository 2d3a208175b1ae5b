/* test-pop3-client.c — PfPop3Client against the scripted server
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Over 1,200 lines on purpose: one case per behaviour of the client (79 of
 * them), each a short script; every case's transcript goes into one list
 * that the last case checks for the password, which needs them in one
 * program. The set-up they share is in tests/lib/pf-test-pop3.c.
 */

#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include "pf-error.h"
#include "pf-pop3-client.h"
#include "pf-test-pop3.h"
#include "pf-test-util.h"

#define PASSWORD "s3cret-Pa55word"
#define TIMEOUT 10

#define GREETING "S: +OK POP3 ready"
#define CAPA_PLAIN "C: CAPA\nS: +OK\nS: USER\nS: UIDL\nS: TOP\nS: .\n"
#define CAPA_PIPE "C: CAPA\nS: +OK\nS: USER\nS: UIDL\nS: TOP\nS: PIPELINING\nS: .\n"
#define CAPA_STLS "C: CAPA\nS: +OK\nS: USER\nS: STLS\nS: .\n"
#define LOGIN "C: USER bob\nS: +OK\nC: PASS " PASSWORD "\nS: +OK logged in\n"

/* Every transcript of every session, checked for the password at the end. */
static GPtrArray *transcripts;

/* @timeout 0: TIMEOUT. */
static PfPop3Client *
client_with (PfTestServer *server,
             PfSecurity    security,
             gboolean      allow_plaintext,
             guint         timeout,
             const char   *pin)
{
  g_autoptr(PfServerSettings) settings = pf_test_pop3_settings (server, security,
                                                                timeout > 0 ? timeout : TIMEOUT);
  PfPop3Client *client;

  pf_server_settings_set_allow_plaintext_auth (settings, allow_plaintext);
  g_assert_true (pf_server_settings_set_pinned_fingerprint (settings, pin));
  client = pf_pop3_client_new_for_settings (settings);
  g_ptr_array_add (transcripts, g_object_ref (pf_pop3_client_get_transcript (client)));
  return client;
}

static PfPop3Client *
client_for (PfTestServer *server,
            PfSecurity    security)
{
  return client_with (server, security, security == PF_SECURITY_NONE, 0, NULL);
}

static gboolean
do_connect (PfPop3Client  *client,
            GError       **error)
{
  return pf_test_pop3_connect (client, TIMEOUT * 2, error);
}

static gboolean
do_login (PfPop3Client     *client,
          const char       *user,
          const char       *secret,
          PfAuthMechanism   mechanism,
          PfAuthMechanism  *used,
          GError          **error)
{
  return pf_test_pop3_login (client, user, secret, mechanism, used, TIMEOUT * 2, error);
}

static gboolean
do_retrieve (PfPop3Client   *client,
             guint           msgno,
             gint            top,
             char          **data,
             gsize          *len,
             GError        **error)
{
  return pf_test_pop3_retrieve (client, msgno, top, data, len, TIMEOUT * 2, error);
}

static void
do_quit (PfPop3Client *client)
{
  pf_test_pop3_quit (client, TIMEOUT * 2);
}

/* The script ran to its end without a wrong line. */
static void
assert_script_done (PfTestServer *server)
{
  g_autofree char *failure = NULL;

  g_assert_true (pf_test_server_wait_connections (server, 1, TIMEOUT));
  failure = pf_test_server_dup_failure (server);
  g_assert_cmpstr (failure, ==, NULL);
}

static void
assert_no_credential_sent (PfTestServer *server)
{
  g_assert_true (pf_test_server_wait_connections (server, 1, TIMEOUT));
  g_assert_false (pf_test_server_received_contains (server, PASSWORD));
  g_assert_false (pf_test_server_received_contains (server, "USER "));
  g_assert_false (pf_test_server_received_contains (server, "PASS "));
  g_assert_false (pf_test_server_received_contains (server, "APOP "));
  g_assert_false (pf_test_server_received_contains (server, "AUTH "));
}

static void
finish_client (PfPop3Client *client)
{
  pf_test_pop3_drop (client, TIMEOUT);
}

/* Connect and log in over an unencrypted link the user explicitly allowed,
 * with @timeout in the settings (0: TIMEOUT). */
static PfPop3Client *
logged_in_plain_with_timeout (PfTestServer *server,
                              guint         timeout)
{
  PfPop3Client *client = client_with (server, PF_SECURITY_NONE, TRUE, timeout, NULL);

  pf_test_pop3_log_in (client, "bob", PASSWORD, PF_AUTH_USER, TIMEOUT * 2);
  return client;
}

static PfPop3Client *
logged_in_plain (PfTestServer *server)
{
  return logged_in_plain_with_timeout (server, 0);
}

/* ---------------------------------------------------------------------- */

static void
test_plain_session (void)
{
  g_autoptr(PfTestServer) server = pf_test_pop3_server (PF_TEST_SERVER_PLAIN, PF_TEST_CERT_VALID,
    "S: +OK POP3 ready <1896.697170952@dbc.mtview.ca.us>\n"
    CAPA_PLAIN LOGIN
    "C: CAPA\nS: +OK\nS: UIDL\nS: TOP\nS: .\n"
    "C: STAT\nS: +OK 2 320\n"
    "C: LIST\nS: +OK 2 messages\nS: 1 120\nS: 2 200\nS: .\n"
    "C: UIDL\nS: +OK\nS: 1 whqtswO00WBw418f9t5JxYwZ\nS: 2 QhdPYR:00WBw1Ph7x7\nS: .\n"
    "C: RETR 1\nS: +OK 120 octets\nS: Subject: one\nS: \nS: ..dot\nS: .\n"
    "C: TOP 2 0\nS: +OK\nS: Subject: two\nS: .\n"
    "C: DELE 1\nS: +OK deleted\n"
    "C: RSET\nS: +OK\n"
    "C: NOOP\nS: +OK\n"
    "C: QUIT\nS: +OK bye\n");
  PfPop3Client *client = client_for (server, PF_SECURITY_NONE);
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GArray) list = NULL;
  g_autoptr(PfUidlList) uidl = NULL;
  g_autofree char *message = NULL;
  g_autofree char *top = NULL;
  PfAuthMechanism used = PF_AUTH_AUTO;
  guint count = 0;
  guint64 size = 0;
  gsize len;

  g_assert_true (do_connect (client, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (pf_pop3_client_get_greeting (client), ==,
                   "POP3 ready <1896.697170952@dbc.mtview.ca.us>");
  g_assert_cmpstr (pf_pop3_client_get_apop_timestamp (client), ==,
                   "<1896.697170952@dbc.mtview.ca.us>");
  g_assert_true (pf_pop3_client_get_capabilities (client)->user);
  g_assert_false (pf_pop3_client_get_tls_active (client));
  g_assert_false (pf_pop3_client_get_pipelining (client));

  g_assert_true (do_login (client, "bob", PASSWORD, PF_AUTH_USER, &used, &error));
  g_assert_no_error (error);
  g_assert_cmpint (used, ==, PF_AUTH_USER);

  pf_pop3_client_stat_async (client, NULL, pf_test_store_result, &result);
  pf_test_wait_result (&result, TIMEOUT);
  g_assert_true (pf_pop3_client_stat_finish (client, result, &count, &size, &error));
  g_assert_cmpuint (count, ==, 2);
  g_assert_cmpuint (size, ==, 320);
  g_clear_object (&result);

  pf_pop3_client_list_async (client, NULL, pf_test_store_result, &result);
  pf_test_wait_result (&result, TIMEOUT);
  list = pf_pop3_client_list_finish (client, result, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, 2);
  g_assert_cmpuint (g_array_index (list, PfListEntry, 1).msgno, ==, 2);
  g_assert_cmpuint (g_array_index (list, PfListEntry, 1).size, ==, 200);
  g_clear_object (&result);

  pf_pop3_client_uidl_async (client, NULL, pf_test_store_result, &result);
  pf_test_wait_result (&result, TIMEOUT);
  uidl = pf_pop3_client_uidl_finish (client, result, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (pf_uidl_list_get_length (uidl), ==, 2);
  g_assert_cmpuint (pf_uidl_list_get_msgno (uidl, 1), ==, 2);
  g_assert_cmpstr (pf_uidl_list_get_uid (uidl, 0), ==, "whqtswO00WBw418f9t5JxYwZ");
  g_assert_cmpstr (pf_uidl_list_get_uid (uidl, 1), ==, "QhdPYR:00WBw1Ph7x7");
  g_clear_object (&result);

  g_assert_true (do_retrieve (client, 1, -1, &message, &len, &error));
  g_assert_cmpmem (message, len, "Subject: one\r\n\r\n.dot\r\n", 22);
  g_assert_true (do_retrieve (client, 2, 0, &top, &len, &error));
  g_assert_cmpmem (top, len, "Subject: two\r\n", 14);

  pf_pop3_client_delete_async (client, 1, NULL, pf_test_store_result, &result);
  pf_test_wait_result (&result, TIMEOUT);
  g_assert_true (pf_pop3_client_delete_finish (client, result, &error));
  g_clear_object (&result);
  pf_pop3_client_reset_async (client, NULL, pf_test_store_result, &result);
  pf_test_wait_result (&result, TIMEOUT);
  g_assert_true (pf_pop3_client_reset_finish (client, result, &error));
  g_clear_object (&result);
  pf_pop3_client_noop_async (client, NULL, pf_test_store_result, &result);
  pf_test_wait_result (&result, TIMEOUT);
  g_assert_true (pf_pop3_client_noop_finish (client, result, &error));
  g_clear_object (&result);

  do_quit (client);
  assert_script_done (server);
  finish_client (client);
}

static void
test_plaintext_refused (void)
{
  g_autoptr(PfTestServer) server = pf_test_pop3_server (PF_TEST_SERVER_PLAIN, PF_TEST_CERT_VALID,
                                                        GREETING "\n" CAPA_PLAIN);
  PfPop3Client *client = client_with (server, PF_SECURITY_NONE, FALSE, 0, NULL);
  g_autoptr(GError) error = NULL;

  g_assert_true (do_connect (client, &error));
  for (PfAuthMechanism m = PF_AUTH_AUTO; m <= PF_AUTH_OAUTHBEARER; m++)
    {
      g_assert_false (do_login (client, "bob", PASSWORD, m, NULL, &error));
      g_assert_error (error, PF_ERROR, PF_ERROR_PLAINTEXT_REFUSED);
      g_clear_error (&error);
    }
  finish_client (client);
  assert_no_credential_sent (server);
}

static void
test_line_break_rejected (void)
{
  g_autoptr(PfTestServer) server = pf_test_pop3_server (PF_TEST_SERVER_PLAIN, PF_TEST_CERT_VALID,
                                                        GREETING "\n" CAPA_PLAIN);
  PfPop3Client *client = client_for (server, PF_SECURITY_NONE);
  g_autoptr(GError) error = NULL;

  g_assert_true (do_connect (client, &error));
  g_assert_false (do_login (client, "bob\r\nDELE 1", PASSWORD, PF_AUTH_USER, NULL, &error));
  g_assert_error (error, PF_ERROR, PF_ERROR_INVALID_INPUT);
  g_clear_error (&error);
  g_assert_false (do_login (client, "bob", PASSWORD "\nQUIT", PF_AUTH_AUTO, NULL, &error));
  g_assert_error (error, PF_ERROR, PF_ERROR_INVALID_INPUT);
  finish_client (client);
  assert_no_credential_sent (server);
}

/* ---------------------------------------------------------------------- */
/* STLS                                                                   */

static void
check_connect_fails (PfTestServerMode  mode,
                     PfTestCertKind    kind,
                     PfSecurity        security,
                     const char       *script,
                     gint              code)
{
  g_autoptr(PfTestServer) server = pf_test_pop3_server (mode, kind, script);
  PfPop3Client *client = client_for (server, security);
  g_autoptr(GError) error = NULL;

  g_assert_false (do_connect (client, &error));
  g_assert_error (error, PF_ERROR, code);
  /* Nothing more can be sent on a failed session. */
  g_clear_error (&error);
  g_assert_false (do_login (client, "bob", PASSWORD, PF_AUTH_USER, NULL, &error));
  g_assert_nonnull (error);
  finish_client (client);
  assert_no_credential_sent (server);
}

static void
test_stls_missing (void)
{
  check_connect_fails (PF_TEST_SERVER_PLAIN, PF_TEST_CERT_VALID, PF_SECURITY_STARTTLS,
                       GREETING "\n" CAPA_PLAIN, PF_ERROR_STLS_UNAVAILABLE);
}

static void
test_stls_refused (void)
{
  check_connect_fails (PF_TEST_SERVER_PLAIN, PF_TEST_CERT_VALID, PF_SECURITY_STARTTLS,
                       GREETING "\n" CAPA_STLS "C: STLS\nS: -ERR not now\n",
                       PF_ERROR_STLS_UNAVAILABLE);
}

static void
test_capa_refused_starttls (void)
{
  check_connect_fails (PF_TEST_SERVER_PLAIN, PF_TEST_CERT_VALID, PF_SECURITY_STARTTLS,
                       GREETING "\nC: CAPA\nS: -ERR what?\n", PF_ERROR_STLS_UNAVAILABLE);
}

static void
test_capa_refused_plain (void)
{
  g_autoptr(PfTestServer) server = pf_test_pop3_server (PF_TEST_SERVER_PLAIN, PF_TEST_CERT_VALID,
                                                        GREETING "\nC: CAPA\nS: -ERR what?\n" LOGIN
                                                        "C: QUIT\nS: +OK\n");
  PfPop3Client *client = client_for (server, PF_SECURITY_NONE);
  g_autoptr(GError) error = NULL;
  const PfCapabilities *caps;

  g_assert_true (do_connect (client, &error));
  caps = pf_pop3_client_get_capabilities (client);
  g_assert_nonnull (caps);
  g_assert_false (caps->stls);
  g_assert_false (caps->pipelining);
  g_assert_cmpstr (caps->sasl[0], ==, NULL);
  /* AUTO falls back to USER/PASS, which every RFC 1939 server has. */
  g_assert_true (do_login (client, "bob", PASSWORD, PF_AUTH_AUTO, NULL, &error));
  g_assert_no_error (error);
  do_quit (client);
  assert_script_done (server);
  finish_client (client);
}

static void
test_apop_beside_stls_refused (void)
{
  check_connect_fails (PF_TEST_SERVER_PLAIN, PF_TEST_CERT_VALID, PF_SECURITY_STARTTLS,
                       "S: +OK ready <1.2@example.org>\n" CAPA_STLS "C: STLS\nS: -ERR no\n",
                       PF_ERROR_STLS_UNAVAILABLE);
}

/* After STLS the pre-TLS APOP timestamp is forgotten: APOP is never used
 * with data an attacker could have written. */
static void
test_apop_beside_stls_after_tls (void)
{
  g_autoptr(PfTestServer) server = pf_test_pop3_server (PF_TEST_SERVER_PLAIN, PF_TEST_CERT_VALID,
    "S: +OK ready <1.2@example.org>\n" CAPA_STLS "C: STLS\nS: +OK go ahead\nTLS\n"
    "C: CAPA\nS: +OK\nS: USER\nS: .\n" LOGIN "C: CAPA\nS: +OK\nS: .\nC: QUIT\nS: +OK\n");
  PfPop3Client *client = client_for (server, PF_SECURITY_STARTTLS);
  g_autoptr(GError) error = NULL;
  PfAuthMechanism used = PF_AUTH_AUTO;

  g_assert_true (do_connect (client, &error));
  g_assert_no_error (error);
  g_assert_true (pf_pop3_client_get_tls_active (client));
  g_assert_null (pf_pop3_client_get_apop_timestamp (client));
  g_assert_false (pf_pop3_client_get_capabilities (client)->stls);

  g_assert_false (do_login (client, "bob", PASSWORD, PF_AUTH_APOP, NULL, &error));
  g_assert_error (error, PF_ERROR, PF_ERROR_NO_COMMON_MECHANISM);
  g_clear_error (&error);
  g_assert_true (do_login (client, "bob", PASSWORD, PF_AUTH_AUTO, &used, &error));
  g_assert_no_error (error);
  g_assert_cmpint (used, ==, PF_AUTH_USER);
  do_quit (client);
  assert_script_done (server);
  g_assert_false (pf_test_server_received_contains (server, "APOP"));
  finish_client (client);
}

/* The server answers STLS with @first, in one write, then @second in a
 * write of its own after @pause_ms (NULL: none), then starts TLS. */
static void
check_injection (const char *first,
                 const char *second,
                 guint       pause_ms)
{
  g_autoptr(PfTestServer) server = pf_test_pop3_server (PF_TEST_SERVER_PLAIN, PF_TEST_CERT_VALID,
                                                        GREETING "\n" CAPA_STLS "C: STLS\n");
  PfPop3Client *client = client_for (server, PF_SECURITY_STARTTLS);
  g_autoptr(GError) error = NULL;
  g_autofree char *pause = g_strdup_printf ("STALL %u\n", pause_ms);

  pf_test_server_add_send (server, first, -1);
  if (pause_ms > 0)
    pf_test_server_add_script (server, pause);
  if (second != NULL)
    pf_test_server_add_send (server, second, -1);
  pf_test_server_add_script (server, "TLS\n");
  g_assert_false (do_connect (client, &error));
  g_assert_error (error, PF_ERROR, PF_ERROR_STLS_INJECTION);
  g_assert_false (pf_pop3_client_get_tls_active (client));
  finish_client (client);
  assert_no_credential_sent (server);
}

static void
test_stls_injection_same_segment (void)
{
  check_injection ("+OK begin TLS\r\n+OK logged in\r\n", NULL, 0);
}

static void
test_stls_injection_separate_segment (void)
{
  check_injection ("+OK begin TLS\r\n", "+OK logged in\r\n", 0);
}

/* The injected segment comes a moment later, after the client has read
 * the +OK: it is still caught before the handshake. */
static void
test_stls_injection_late_segment (void)
{
  check_injection ("+OK begin TLS\r\n", "+OK logged in\r\n", 10);
}

static void
test_stls_session (void)
{
  g_autoptr(PfTestServer) server = pf_test_pop3_server (PF_TEST_SERVER_PLAIN, PF_TEST_CERT_VALID,
    "S: +OK plaintext greeting\n" CAPA_STLS "C: STLS\nS: +OK\nTLS\n"
    "C: CAPA\nS: +OK\nS: USER\nS: PIPELINING\nS: .\n" LOGIN
    "C: CAPA\nS: +OK\nS: PIPELINING\nS: .\nC: QUIT\nS: +OK\n");
  PfPop3Client *client = client_for (server, PF_SECURITY_STARTTLS);
  g_autoptr(GError) error = NULL;
  g_autofree char *description = NULL;

  g_assert_true (do_connect (client, &error));
  g_assert_no_error (error);
  g_assert_true (pf_pop3_client_get_tls_active (client));
  /* Text received before TLS on a TLS account is not shown. */
  g_assert_null (pf_pop3_client_get_greeting (client));
  g_assert_true (pf_pop3_client_get_pipelining (client));
  g_assert_nonnull (pf_pop3_client_get_peer_certificate (client));
  g_assert_cmpint (pf_pop3_client_get_peer_certificate_errors (client), ==, 0);
  description = pf_pop3_client_dup_tls_description (client);
  g_assert_true (g_str_has_prefix (description, "TLS 1."));
  g_assert_true (do_login (client, "bob", PASSWORD, PF_AUTH_USER, NULL, &error));
  do_quit (client);
  assert_script_done (server);
  finish_client (client);
}

/* ---------------------------------------------------------------------- */
/* Certificates                                                           */

static void
check_bad_certificate (PfTestCertKind kind,
                       gint           code,
                       GTlsCertificateFlags flag)
{
  static const PfSecurity securities[] = { PF_SECURITY_TLS, PF_SECURITY_STARTTLS };

  for (guint i = 0; i < G_N_ELEMENTS (securities); i++)
    {
      gboolean implicit = securities[i] == PF_SECURITY_TLS;
      g_autoptr(PfTestServer) server =
        pf_test_pop3_server (implicit ? PF_TEST_SERVER_TLS : PF_TEST_SERVER_PLAIN, kind,
                             implicit ? GREETING "\n" CAPA_PLAIN
                              : GREETING "\n" CAPA_STLS "C: STLS\nS: +OK\nTLS\n" CAPA_PLAIN);
      PfPop3Client *client = client_for (server, securities[i]);
      g_autoptr(GError) error = NULL;
      GTlsCertificate *peer;

      g_assert_false (do_connect (client, &error));
      g_assert_error (error, PF_ERROR, code);
      peer = pf_pop3_client_get_peer_certificate (client);
      g_assert_nonnull (peer);
      g_assert_true (pf_pop3_client_get_peer_certificate_errors (client) & flag);
      finish_client (client);
      assert_no_credential_sent (server);
    }
}

static void
test_cert_self_signed (void)
{
  check_bad_certificate (PF_TEST_CERT_SELF_SIGNED, PF_ERROR_CERT_UNTRUSTED,
                         G_TLS_CERTIFICATE_UNKNOWN_CA);
}

static void
test_cert_unknown_ca (void)
{
  check_bad_certificate (PF_TEST_CERT_UNKNOWN_CA, PF_ERROR_CERT_UNTRUSTED,
                         G_TLS_CERTIFICATE_UNKNOWN_CA);
}

static void
test_cert_wrong_host (void)
{
  check_bad_certificate (PF_TEST_CERT_WRONG_HOST, PF_ERROR_CERT_HOST,
                         G_TLS_CERTIFICATE_BAD_IDENTITY);
}

static void
test_cert_expired (void)
{
  check_bad_certificate (PF_TEST_CERT_EXPIRED, PF_ERROR_CERT_EXPIRED,
                         G_TLS_CERTIFICATE_EXPIRED);
}

static void
test_cert_not_yet_valid (void)
{
  check_bad_certificate (PF_TEST_CERT_NOT_YET_VALID, PF_ERROR_CERT_EXPIRED,
                         G_TLS_CERTIFICATE_NOT_ACTIVATED);
}

static char *
fingerprint_of (PfTestCertKind kind)
{
  g_autoptr(GTlsCertificate) certificate = pf_test_certs_server (kind, NULL);

  return pf_certificate_sha256 (certificate);
}

static void
test_cert_pin_matches (void)
{
  g_autoptr(PfTestServer) server = pf_test_pop3_server (PF_TEST_SERVER_TLS, PF_TEST_CERT_SELF_SIGNED,
                                                        GREETING "\n" CAPA_PLAIN LOGIN
                                                        "C: CAPA\nS: +OK\nS: .\nC: QUIT\nS: +OK\n");
  g_autofree char *pin = fingerprint_of (PF_TEST_CERT_SELF_SIGNED);
  g_autofree char *upper = g_ascii_strup (pin, -1);
  PfPop3Client *client = client_with (server, PF_SECURITY_TLS, FALSE, 0, upper);
  g_autoptr(GError) error = NULL;

  g_assert_cmpuint (strlen (pin), ==, 64);
  g_assert_true (do_connect (client, &error));
  g_assert_no_error (error);
  g_assert_true (pf_pop3_client_get_tls_active (client));
  g_assert_true (pf_pop3_client_get_peer_certificate_errors (client) & G_TLS_CERTIFICATE_UNKNOWN_CA);
  g_assert_true (do_login (client, "bob", PASSWORD, PF_AUTH_USER, NULL, &error));
  do_quit (client);
  assert_script_done (server);
  finish_client (client);
}

static void
test_cert_pin_mismatch (void)
{
  g_autoptr(PfTestServer) server = pf_test_pop3_server (PF_TEST_SERVER_TLS, PF_TEST_CERT_SELF_SIGNED,
                                                        GREETING "\n" CAPA_PLAIN);
  g_autofree char *other = fingerprint_of (PF_TEST_CERT_UNKNOWN_CA);
  PfPop3Client *client = client_with (server, PF_SECURITY_TLS, FALSE, 0, other);
  g_autoptr(GError) error = NULL;

  g_assert_false (do_connect (client, &error));
  g_assert_error (error, PF_ERROR, PF_ERROR_CERT_PIN_MISMATCH);
  g_assert_nonnull (pf_pop3_client_get_peer_certificate (client));
  finish_client (client);
  assert_no_credential_sent (server);
}

/* A pin means that one certificate: another one that the trusted CA
 * signed for the same name passes GIO's checks, and must still be refused,
 * over implicit TLS and STLS alike. */
static void
test_cert_pin_restricts_valid (void)
{
  static const PfSecurity securities[] = { PF_SECURITY_TLS, PF_SECURITY_STARTTLS };
  const char * const other_names[] = { "localhost", NULL };

  for (guint i = 0; i < G_N_ELEMENTS (securities); i++)
    {
      gboolean implicit = securities[i] == PF_SECURITY_TLS;
      g_autoptr(PfTestServer) server = pf_test_server_new (implicit ? PF_TEST_SERVER_TLS
                                                                    : PF_TEST_SERVER_PLAIN);
      g_autoptr(GTlsCertificate) presented = pf_test_certs_server (PF_TEST_CERT_VALID, other_names);
      g_autofree char *pin = fingerprint_of (PF_TEST_CERT_VALID);
      g_autofree char *presented_pin = pf_certificate_sha256 (presented);
      PfPop3Client *client;
      g_autoptr(GError) error = NULL;

      g_assert_cmpstr (pin, !=, presented_pin);
      pf_test_server_set_certificate (server, presented);
      pf_test_server_add_script (server, implicit
                                   ? GREETING "\n" CAPA_PLAIN LOGIN
                                   : GREETING "\n" CAPA_STLS "C: STLS\nS: +OK\nTLS\n" CAPA_PLAIN LOGIN);
      client = client_with (server, securities[i], FALSE, 0, pin);
      if (do_connect (client, &error))
        do_login (client, "bob", PASSWORD, PF_AUTH_USER, NULL, NULL);
      g_assert_error (error, PF_ERROR, PF_ERROR_CERT_PIN_MISMATCH);
      g_assert_false (pf_pop3_client_get_tls_active (client));
      g_assert_true (pf_pop3_client_get_peer_certificate (client) != NULL);
      g_assert_cmpint (pf_pop3_client_get_peer_certificate_errors (client), ==, 0);
      finish_client (client);
      assert_no_credential_sent (server);
    }
}

static void
test_tls_port_answers_plaintext (void)
{
  check_connect_fails (PF_TEST_SERVER_PLAIN, PF_TEST_CERT_VALID, PF_SECURITY_TLS,
                       GREETING "\n" CAPA_PLAIN, PF_ERROR_TLS_HANDSHAKE);
}

/* ---------------------------------------------------------------------- */
/* Server text                                                            */

static void
test_greeting_escape_sequences (void)
{
  g_autoptr(PfTestServer) server = pf_test_pop3_server (PF_TEST_SERVER_PLAIN, PF_TEST_CERT_VALID,
                                                        "S: +OK \x1b[2J\x1b]0;pwned\x07Hello\x9b" "31m there\x01\n"
                                                        CAPA_PLAIN);
  PfPop3Client *client = client_for (server, PF_SECURITY_NONE);
  g_autoptr(GError) error = NULL;
  const char *greeting;

  g_assert_true (do_connect (client, &error));
  greeting = pf_pop3_client_get_greeting (client);
  g_assert_true (g_utf8_validate (greeting, -1, NULL));
  for (const char *p = greeting; *p != '\0'; p++)
    g_assert_false (g_ascii_iscntrl (*p));
  g_assert_nonnull (strstr (greeting, "Hello"));
  g_assert_null (strchr (greeting, '\x1b'));
  finish_client (client);
}

static void
test_err_escape_sequences (void)
{
  g_autoptr(PfTestServer) server = pf_test_pop3_server (PF_TEST_SERVER_PLAIN, PF_TEST_CERT_VALID,
                                                        GREETING "\n" CAPA_PLAIN
                                                        "C: USER bob\nS: +OK\nC: PASS " PASSWORD "\n"
                                                        "S: -ERR [AUTH] \x1b[1mWrong\x1b[0m password\r\x7f\n");
  PfPop3Client *client = client_for (server, PF_SECURITY_NONE);
  g_autoptr(GError) error = NULL;

  g_assert_true (do_connect (client, &error));
  g_assert_false (do_login (client, "bob", PASSWORD, PF_AUTH_USER, NULL, &error));
  g_assert_error (error, PF_ERROR, PF_ERROR_AUTH_REJECTED);
  g_assert_null (strchr (error->message, '\x1b'));
  g_assert_null (strchr (error->message, '\r'));
  g_assert_null (strchr (error->message, '\x7f'));
  g_assert_nonnull (strstr (error->message, "password"));
  finish_client (client);
}

static void
test_unsolicited_multiline_greeting (void)
{
  check_connect_fails (PF_TEST_SERVER_PLAIN, PF_TEST_CERT_VALID, PF_SECURITY_NONE,
                       "S: +OK hello\nS: second line\nS: .\n" CAPA_PLAIN,
                       PF_ERROR_PROTOCOL);
}

static void
test_greeting_err (void)
{
  check_connect_fails (PF_TEST_SERVER_PLAIN, PF_TEST_CERT_VALID, PF_SECURITY_NONE,
                       "S: -ERR [SYS/TEMP] too busy\n", PF_ERROR_SYS_TEMP);
}

static void
test_response_codes (void)
{
  static const struct {
    const char  *reply;
    gint         code;
  } cases[] = {
    { "-ERR [IN-USE] mailbox locked", PF_ERROR_IN_USE },
    { "-ERR [LOGIN-DELAY] wait 5 minutes", PF_ERROR_LOGIN_DELAY },
    { "-ERR [SYS/TEMP] try later", PF_ERROR_SYS_TEMP },
    { "-ERR [SYS/PERM] account disabled", PF_ERROR_SYS_PERM },
    { "-ERR [AUTH] bad password", PF_ERROR_AUTH_REJECTED },
    { "-ERR [UTF8] whatever", PF_ERROR_AUTH_REJECTED },
    { "-ERR no such user or password", PF_ERROR_AUTH_REJECTED },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *script = g_strdup_printf (GREETING "\n" CAPA_PLAIN
                                                 "C: USER bob\nS: +OK\nC: PASS " PASSWORD "\n"
                                                 "S: %s\n", cases[i].reply);
      g_autoptr(PfTestServer) server = pf_test_pop3_server (PF_TEST_SERVER_PLAIN, PF_TEST_CERT_VALID, script);
      PfPop3Client *client = client_for (server, PF_SECURITY_NONE);
      g_autoptr(GError) error = NULL;

      g_assert_true (do_connect (client, &error));
      g_assert_false (do_login (client, "bob", PASSWORD, PF_AUTH_USER, NULL, &error));
      g_assert_error (error, PF_ERROR, cases[i].code);
      /* The server's text is kept, without the code. */
      g_assert_cmpstr (error->message, ==, strchr (cases[i].reply, ']') != NULL
                                             ? strchr (cases[i].reply, ']') + 2
                                             : cases[i].reply + 5);
      finish_client (client);
      assert_script_done (server);
    }
}

static void
test_err_to_command (void)
{
  g_autoptr(PfTestServer) server = pf_test_pop3_server (PF_TEST_SERVER_PLAIN, PF_TEST_CERT_VALID,
                                                        GREETING "\n" CAPA_PLAIN LOGIN
                                                        "C: CAPA\nS: -ERR\n"
                                                        "C: DELE 9\nS: -ERR no such message\n"
                                                        "C: NOOP\nS: +OK\nC: QUIT\nS: +OK\n");
  PfPop3Client *client = logged_in_plain (server);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  pf_pop3_client_delete_async (client, 9, NULL, pf_test_store_result, &result);
  pf_test_wait_result (&result, TIMEOUT);
  g_assert_false (pf_pop3_client_delete_finish (client, result, &error));
  g_assert_error (error, PF_ERROR, PF_ERROR_SERVER);
  g_assert_cmpstr (error->message, ==, "no such message");
  g_clear_error (&error);
  g_clear_object (&result);
  /* The session goes on. */
  pf_pop3_client_noop_async (client, NULL, pf_test_store_result, &result);
  pf_test_wait_result (&result, TIMEOUT);
  g_assert_true (pf_pop3_client_noop_finish (client, result, &error));
  g_clear_object (&result);
  do_quit (client);
  assert_script_done (server);
  finish_client (client);
}

/* ---------------------------------------------------------------------- */
/* Faults in the middle of data                                           */

#define LOGGED_IN GREETING "\n" CAPA_PLAIN LOGIN "C: CAPA\nS: -ERR\n"

static void
test_retr_close_mid_response (void)
{
  g_autoptr(PfTestServer) server = pf_test_pop3_server (PF_TEST_SERVER_PLAIN, PF_TEST_CERT_VALID,
                                                        LOGGED_IN "C: RETR 1\nS: +OK\nS: Subject: half\nCLOSE\n");
  PfPop3Client *client = logged_in_plain (server);
  g_autoptr(GError) error = NULL;
  g_autofree char *data = NULL;
  gsize len;

  g_assert_false (do_retrieve (client, 1, -1, &data, &len, &error));
  g_assert_error (error, PF_ERROR, PF_ERROR_CLOSED);
  g_clear_error (&error);
  g_assert_false (do_retrieve (client, 2, -1, NULL, NULL, &error));
  g_assert_error (error, PF_ERROR, PF_ERROR_CLOSED);
  finish_client (client);
}

static void
check_stall (PfTestServerMode mode,
             PfSecurity       security)
{
  g_autoptr(PfTestServer) server = pf_test_pop3_server (mode, PF_TEST_CERT_VALID,
                                                        LOGGED_IN "C: RETR 1\nS: +OK\nS: Subject: half\nSTALL 20000\n");
  /* Each read waits at most this long; the login's replies come at once. */
  PfPop3Client *client = client_with (server, security, TRUE, 2, NULL);
  g_autoptr(GError) error = NULL;
  gint64 start;

  g_assert_true (do_connect (client, &error));
  g_assert_true (do_login (client, "bob", PASSWORD, PF_AUTH_USER, NULL, &error));
  start = g_get_monotonic_time ();
  g_assert_false (do_retrieve (client, 1, -1, NULL, NULL, &error));
  g_assert_error (error, PF_ERROR, PF_ERROR_TIMEOUT);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 5 * G_USEC_PER_SEC);
  finish_client (client);
}

static void
test_retr_stall_mid_response (void)
{
  check_stall (PF_TEST_SERVER_PLAIN, PF_SECURITY_NONE);
}

static void
test_retr_stall_mid_response_tls (void)
{
  check_stall (PF_TEST_SERVER_TLS, PF_SECURITY_TLS);
}

/* Over TLS each server write is a record of its own, and the client takes
 * every record that is ready in one turn: a message cut into small records
 * at every awkward place ("\r\n." and ".\r\n" split, a stuffed dot
 * alone), then an answer followed at once by the server hanging up — the
 * answer must come out whole before the hang-up is reported. */
static void
test_retr_tls_records_then_close (void)
{
  static const char *const pieces[] = {
    "+OK\r\nSubject: records\r", "\n", ".", ".stuffed\r\n", "\r\n", ".",
    ".", "\r\n", "last\r\n", ".", "\r", "\n",
  };
  g_autoptr(PfTestServer) server = pf_test_pop3_server (PF_TEST_SERVER_TLS, PF_TEST_CERT_VALID,
                                                        LOGGED_IN "C: RETR 1\n");
  PfPop3Client *client = client_with (server, PF_SECURITY_TLS, TRUE, 0, NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *one = NULL;
  g_autofree char *two = NULL;
  gsize len;

  for (gsize i = 0; i < G_N_ELEMENTS (pieces); i++)
    pf_test_server_add_send (server, pieces[i], -1);
  pf_test_server_add_script (server, "C: RETR 2\n");
  pf_test_server_add_send (server, "+OK\r\nshort\r\n.\r\n", -1);
  pf_test_server_add_script (server, "CLOSE\n");

  g_assert_true (do_connect (client, &error));
  g_assert_true (do_login (client, "bob", PASSWORD, PF_AUTH_USER, NULL, &error));
  g_assert_true (do_retrieve (client, 1, -1, &one, &len, &error));
  g_assert_no_error (error);
  g_assert_cmpmem (one, len, "Subject: records\r\n.stuffed\r\n\r\n.\r\nlast\r\n", 39);
  g_assert_true (do_retrieve (client, 2, -1, &two, &len, &error));
  g_assert_no_error (error);
  g_assert_cmpmem (two, len, "short\r\n", 7);
  g_assert_false (do_retrieve (client, 3, -1, NULL, NULL, &error));
  g_assert_error (error, PF_ERROR, PF_ERROR_CLOSED);
  finish_client (client);
}

static void
test_greeting_stall (void)
{
  g_autoptr(PfTestServer) server = pf_test_pop3_server (PF_TEST_SERVER_PLAIN, PF_TEST_CERT_VALID,
                                                        "STALL 20000\n");
  PfPop3Client *client = client_with (server, PF_SECURITY_NONE, TRUE, 1, NULL);
  g_autoptr(GError) error = NULL;

  g_assert_false (do_connect (client, &error));
  g_assert_error (error, PF_ERROR, PF_ERROR_TIMEOUT);
  finish_client (client);
}

/* Servers that never finish. A status line must be complete within the
 * timeout however steadily its bytes come: "+OK " and then one byte every
 * 300 ms (each read well within the 2 s timeout) for about 7 s. */
static void
test_greeting_trickle (void)
{
  g_autoptr(PfTestServer) server = pf_test_server_new (PF_TEST_SERVER_PLAIN);
  PfPop3Client *client = client_with (server, PF_SECURITY_NONE, TRUE, 2, NULL);
  g_autoptr(GError) error = NULL;
  gint64 start;

  pf_test_server_add_send (server, "+OK ", -1);
  pf_test_server_add_script (server, "TRICKLE 300 a greeting that never ends\n"
                                     "S: \n" CAPA_PLAIN);
  start = g_get_monotonic_time ();
  g_assert_false (do_connect (client, &error));
  g_assert_error (error, PF_ERROR, PF_ERROR_TIMEOUT);
  g_assert_nonnull (strstr (error->message, "line"));
  g_assert_cmpint (g_get_monotonic_time () - start, <, 4 * G_USEC_PER_SEC);
  finish_client (client);
}

/* The same for the answer to a command. */
static void
test_reply_trickle (void)
{
  g_autoptr(PfTestServer) server = pf_test_pop3_server (PF_TEST_SERVER_PLAIN, PF_TEST_CERT_VALID,
                                                        LOGGED_IN "C: STAT\n"
                                                        "TRICKLE 300 +OK 2 320 and more and more\n"
                                                        "S: \n");
  /* The timeout is part of the server settings, given when the client is
   * made: 2 s from the start, ample for a login on loopback. */
  PfPop3Client *client = logged_in_plain_with_timeout (server, 2);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  gint64 start;

  start = g_get_monotonic_time ();
  pf_pop3_client_stat_async (client, NULL, pf_test_store_result, &result);
  pf_test_wait_result (&result, TIMEOUT * 2);
  g_assert_false (pf_pop3_client_stat_finish (client, result, NULL, NULL, &error));
  g_assert_error (error, PF_ERROR, PF_ERROR_TIMEOUT);
  g_assert_nonnull (strstr (error->message, "line"));
  g_assert_cmpint (g_get_monotonic_time () - start, <, 4 * G_USEC_PER_SEC);
  g_clear_object (&result);
  finish_client (client);
}

/* A message that comes one byte every 250 ms: each read succeeds within
 * the timeout, but less than 1 KiB arrives in the 2 s stall window. */
static void
test_retr_trickle_stalls (void)
{
  g_autoptr(PfTestServer) server = pf_test_pop3_server (PF_TEST_SERVER_PLAIN, PF_TEST_CERT_VALID,
                                                        LOGGED_IN "C: RETR 1\nS: +OK\n"
                                                        "TRICKLE 250 Subject: one byte at a time, forty\n"
                                                        "S: \nS: .\n");
  PfPop3Client *client = logged_in_plain_with_timeout (server, 2);
  g_autoptr(GError) error = NULL;
  gint64 start;

  pf_pop3_client_set_stall_window (client, 2);
  start = g_get_monotonic_time ();
  g_assert_false (do_retrieve (client, 1, -1, NULL, NULL, &error));
  g_assert_error (error, PF_ERROR, PF_ERROR_TIMEOUT);
  g_assert_nonnull (strstr (error->message, "stalled"));
  g_assert_cmpint (g_get_monotonic_time () - start, <, 5 * G_USEC_PER_SEC);
  finish_client (client);
}

/* Slow but moving: 2 KiB every 400 ms for about 4 s, twice the 2 s stall
 * window, is never taken for a stall. */
static void
test_retr_slow_transfer_goes_on (void)
{
  g_autoptr(PfTestServer) server = pf_test_pop3_server (PF_TEST_SERVER_PLAIN, PF_TEST_CERT_VALID,
                                                        LOGGED_IN "C: RETR 1\nS: +OK\n");
  PfPop3Client *client;
  g_autoptr(GError) error = NULL;
  g_autofree char *data = NULL;
  gsize len = 0;

  for (guint i = 0; i < 10; i++)
    {
      pf_test_server_add_send_repeated (server, 'C', 2046);
      pf_test_server_add_script (server, "S: \nSTALL 400\n");
    }
  pf_test_server_add_script (server, "S: .\nC: QUIT\nS: +OK\n");
  client = logged_in_plain_with_timeout (server, 2);
  pf_pop3_client_set_stall_window (client, 2);
  g_assert_true (do_retrieve (client, 1, -1, &data, &len, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (len, ==, 10 * 2048);
  do_quit (client);
  assert_script_done (server);
  finish_client (client);
}

/* A TLS port that accepts and then says nothing: the handshake times out. */
static void
test_handshake_stall (void)
{
  g_autoptr(PfTestServer) server = pf_test_pop3_server (PF_TEST_SERVER_PLAIN, PF_TEST_CERT_VALID,
                                                        "STALL 20000\n");
  PfPop3Client *client = client_with (server, PF_SECURITY_TLS, FALSE, 1, NULL);
  g_autoptr(GError) error = NULL;
  gint64 start = g_get_monotonic_time ();

  g_assert_false (do_connect (client, &error));
  g_assert_error (error, PF_ERROR, PF_ERROR_TIMEOUT);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 5 * G_USEC_PER_SEC);
  finish_client (client);
}

static void
test_connect_refused (void)
{
  g_autoptr(PfTestServer) server = pf_test_server_new (PF_TEST_SERVER_PLAIN);
  guint16 port = pf_test_server_get_port (server);
  PfPop3Client *client;
  g_autoptr(GError) error = NULL;

  g_clear_pointer (&server, pf_test_server_free);
  client = pf_pop3_client_new ("127.0.0.1", port, PF_SECURITY_TLS);
  g_ptr_array_add (transcripts, g_object_ref (pf_pop3_client_get_transcript (client)));
  g_assert_false (do_connect (client, &error));
  g_assert_error (error, PF_ERROR, PF_ERROR_REFUSED);
  finish_client (client);
}

static void
test_connect_by_name (void)
{
  g_autoptr(PfTestServer) server = pf_test_pop3_server (PF_TEST_SERVER_PLAIN, PF_TEST_CERT_VALID,
                                                        GREETING "\n" CAPA_PLAIN);
  PfPop3Client *client = pf_pop3_client_new ("localhost", pf_test_server_get_port (server),
                                             PF_SECURITY_NONE);
  g_autoptr(GError) error = NULL;

  g_ptr_array_add (transcripts, g_object_ref (pf_pop3_client_get_transcript (client)));
  g_assert_true (do_connect (client, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (pf_pop3_client_get_greeting (client), ==, "POP3 ready");
  finish_client (client);
}

static void
test_close_while_connecting (void)
{
  g_autoptr(PfTestServer) server = pf_test_pop3_server (PF_TEST_SERVER_PLAIN, PF_TEST_CERT_VALID,
                                                        "STALL 20000\n");
  PfPop3Client *client = client_for (server, PF_SECURITY_NONE);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  pf_pop3_client_connect_async (client, NULL, pf_test_store_result, &result);
  pf_pop3_client_close (client);
  pf_test_wait_result (&result, TIMEOUT);
  g_assert_false (pf_pop3_client_connect_finish (client, result, &error));
  g_assert_error (error, PF_ERROR, PF_ERROR_CLOSED);
  g_clear_object (&result);
  finish_client (client);
}

static void
test_greeting_10mb_line (void)
{
  g_autoptr(PfTestServer) server = pf_test_server_new (PF_TEST_SERVER_PLAIN);
  PfPop3Client *client = client_for (server, PF_SECURITY_NONE);
  g_autoptr(GError) error = NULL;

  pf_test_server_add_send (server, "+OK ", -1);
  pf_test_server_add_send_repeated (server, 'A', 10 * 1024 * 1024);
  g_assert_false (do_connect (client, &error));
  g_assert_error (error, PF_ERROR, PF_ERROR_PROTOCOL);
  finish_client (client);
}

/* Inside a message a 10 MB line is just data: streamed, never held whole. */
static void
test_retr_10mb_line (void)
{
  g_autoptr(PfTestServer) server = pf_test_pop3_server (PF_TEST_SERVER_PLAIN, PF_TEST_CERT_VALID,
                                                        LOGGED_IN "C: RETR 1\nS: +OK\n");
  PfPop3Client *client;
  g_autoptr(GError) error = NULL;
  g_autofree char *data = NULL;
  gsize len = 0;

  pf_test_server_add_send_repeated (server, 'B', 10 * 1024 * 1024);
  pf_test_server_add_script (server, "S: \nS: .\nC: QUIT\nS: +OK\n");
  client = logged_in_plain (server);
  g_assert_true (do_retrieve (client, 1, -1, &data, &len, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (len, ==, 10 * 1024 * 1024 + 2);
  g_assert_cmpint (data[0], ==, 'B');
  g_assert_cmpmem (data + len - 3, 3, "B\r\n", 3);
  do_quit (client);
  assert_script_done (server);
  finish_client (client);
}

static void
test_retr_dot_lines (void)
{
  g_autoptr(PfTestServer) server = pf_test_pop3_server (PF_TEST_SERVER_PLAIN, PF_TEST_CERT_VALID,
    LOGGED_IN
    "C: RETR 1\nS: +OK\nS: ..\nS: ...\nS: .x\nS: ..y\nS: a.\nS: .\n"
    "C: RETR 2\nS: +OK\nS: Subject: empty\nS: .\n"
    "C: RETR 3\nS: +OK\nS: .\n"
    "C: RETR 4\nS: +OK\nS: line\n");
  PfPop3Client *client;
  g_autoptr(GError) error = NULL;
  g_autofree char *one = NULL;
  g_autofree char *two = NULL;
  g_autofree char *three = NULL;
  g_autofree char *four = NULL;
  gsize len;

  /* A last line without CRLF nor terminator: the server hangs up mid-message. */
  pf_test_server_add_send (server, "last line without CRLF", -1);
  pf_test_server_add_script (server, "CLOSE\n");
  client = logged_in_plain (server);
  g_assert_true (do_retrieve (client, 1, -1, &one, &len, &error));
  g_assert_cmpmem (one, len, ".\r\n..\r\nx\r\n.y\r\na.\r\n", 18);
  g_assert_true (do_retrieve (client, 2, -1, &two, &len, &error));
  g_assert_cmpmem (two, len, "Subject: empty\r\n", 16);
  g_assert_true (do_retrieve (client, 3, -1, &three, &len, &error));
  g_assert_cmpuint (len, ==, 0);
  g_assert_false (do_retrieve (client, 4, -1, &four, &len, &error));
  g_assert_error (error, PF_ERROR, PF_ERROR_CLOSED);
  g_assert_cmpmem (four, len, "line\r\nlast line without CRLF", 28);
  finish_client (client);
}

static void
check_bad_uidl (const char *line)
{
  g_autofree char *script = g_strdup_printf (LOGGED_IN "C: UIDL\nS: +OK\nS: 1 good-uid\nS: %s\nS: .\n"
                                             "C: NOOP\nS: +OK\n", line);
  g_autoptr(PfTestServer) server = pf_test_pop3_server (PF_TEST_SERVER_PLAIN, PF_TEST_CERT_VALID, script);
  PfPop3Client *client = logged_in_plain (server);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(PfUidlList) entries = NULL;

  pf_pop3_client_uidl_async (client, NULL, pf_test_store_result, &result);
  pf_test_wait_result (&result, TIMEOUT);
  entries = pf_pop3_client_uidl_finish (client, result, &error);
  g_assert_null (entries);
  g_assert_error (error, PF_ERROR, PF_ERROR_PROTOCOL);
  g_clear_error (&error);
  g_clear_object (&result);
  /* The whole answer was consumed: the session is still in step. */
  pf_pop3_client_noop_async (client, NULL, pf_test_store_result, &result);
  pf_test_wait_result (&result, TIMEOUT);
  g_assert_true (pf_pop3_client_noop_finish (client, result, &error));
  g_clear_object (&result);
  finish_client (client);
}

/* Listings are held whole, so their length is bounded. */
static void
check_listing_refused (const char *command,
                       const char *stat,
                       guint       bound,
                       const char *expected)
{
  g_autoptr(PfTestServer) server = NULL;
  g_autoptr(GString) script = g_string_new (LOGGED_IN);
  PfPop3Client *client;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  gboolean uidl = strcmp (command, "UIDL") == 0;
  gpointer answer;

  if (stat != NULL)
    g_string_append_printf (script, "C: STAT\nS: +OK %s\n", stat);
  g_string_append_printf (script, "C: %s\nS: +OK\n", command);
  for (guint i = 1; i <= 5; i++)
    g_string_append_printf (script, uidl ? "S: %u uid-%u\n" : "S: %u 1%u0\n", i, i);
  g_string_append (script, "S: .\n");
  server = pf_test_pop3_server (PF_TEST_SERVER_PLAIN, PF_TEST_CERT_VALID, script->str);
  client = logged_in_plain (server);
  if (bound > 0)
    pf_pop3_client_set_max_listing (client, bound);
  if (stat != NULL)
    {
      pf_pop3_client_stat_async (client, NULL, pf_test_store_result, &result);
      pf_test_wait_result (&result, TIMEOUT);
      g_assert_true (pf_pop3_client_stat_finish (client, result, NULL, NULL, &error));
      g_clear_object (&result);
    }

  if (uidl)
    pf_pop3_client_uidl_async (client, NULL, pf_test_store_result, &result);
  else
    pf_pop3_client_list_async (client, NULL, pf_test_store_result, &result);
  pf_test_wait_result (&result, TIMEOUT);
  answer = uidl ? (gpointer) pf_pop3_client_uidl_finish (client, result, &error)
                : (gpointer) pf_pop3_client_list_finish (client, result, &error);
  g_assert_null (answer);
  g_assert_error (error, PF_ERROR, PF_ERROR_PROTOCOL);
  g_assert_nonnull (strstr (error->message, expected));
  g_clear_object (&result);
  finish_client (client);
}

static void
test_listing_over_bound (void)
{
  PfPop3Client *client = pf_pop3_client_new ("127.0.0.1", 1, PF_SECURITY_TLS);
  guint bound = 0;

  g_object_get (client, "max-listing", &bound, NULL);
  g_assert_cmpuint (bound, ==, 2000000);
  g_assert_cmpuint (bound, ==, PF_POP3_MAX_LISTING);
  g_object_unref (client);

  check_listing_refused ("UIDL", NULL, 4, "more than 4 messages");
  check_listing_refused ("LIST", NULL, 4, "more than 4 messages");
}

/* Nothing can arrive in a mailbox during a session: a listing longer than
 * the STAT count of the same session is not the mailbox's. */
static void
test_listing_longer_than_stat (void)
{
  check_listing_refused ("UIDL", "3 320", 0, "STAT counted 3");
  check_listing_refused ("LIST", "3 320", 0, "STAT counted 3");
}

/* A bad line is reported at the end of the answer, but the lines after it
 * still count against the bound. */
static void
test_listing_bound_after_bad_line (void)
{
  g_autoptr(PfTestServer) server = pf_test_pop3_server (PF_TEST_SERVER_PLAIN, PF_TEST_CERT_VALID,
                                                        LOGGED_IN "C: UIDL\nS: +OK\nS: 1 uid-1\nS: bad\n"
                                                        "S: 3 uid-3\nS: 4 uid-4\nS: 5 uid-5\nS: .\n");
  PfPop3Client *client = logged_in_plain (server);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(PfUidlList) uidl = NULL;

  pf_pop3_client_set_max_listing (client, 4);
  pf_pop3_client_uidl_async (client, NULL, pf_test_store_result, &result);
  pf_test_wait_result (&result, TIMEOUT);
  uidl = pf_pop3_client_uidl_finish (client, result, &error);
  g_assert_null (uidl);
  g_assert_error (error, PF_ERROR, PF_ERROR_PROTOCOL);
  g_assert_nonnull (strstr (error->message, "more than 4 messages"));
  g_clear_object (&result);
  finish_client (client);
}

/* DELE takes a message out of STAT's count and RSET brings it back: after
 * RSET a listing may again be as long as the mailbox. */
static void
test_listing_after_rset (void)
{
  g_autoptr(PfTestServer) server = pf_test_pop3_server (PF_TEST_SERVER_PLAIN, PF_TEST_CERT_VALID,
                                                        LOGGED_IN "C: DELE 1\nS: +OK\nC: STAT\nS: +OK 2 200\n"
                                                        "C: RSET\nS: +OK\n"
                                                        "C: UIDL\nS: +OK\nS: 1 uid-1\nS: 2 uid-2\nS: 3 uid-3\nS: .\n"
                                                        "C: QUIT\nS: +OK\n");
  PfPop3Client *client = logged_in_plain (server);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(PfUidlList) uidl = NULL;

  pf_pop3_client_delete_async (client, 1, NULL, pf_test_store_result, &result);
  pf_test_wait_result (&result, TIMEOUT);
  g_assert_true (pf_pop3_client_delete_finish (client, result, &error));
  g_clear_object (&result);
  pf_pop3_client_stat_async (client, NULL, pf_test_store_result, &result);
  pf_test_wait_result (&result, TIMEOUT);
  g_assert_true (pf_pop3_client_stat_finish (client, result, NULL, NULL, &error));
  g_clear_object (&result);
  pf_pop3_client_reset_async (client, NULL, pf_test_store_result, &result);
  pf_test_wait_result (&result, TIMEOUT);
  g_assert_true (pf_pop3_client_reset_finish (client, result, &error));
  g_clear_object (&result);
  pf_pop3_client_uidl_async (client, NULL, pf_test_store_result, &result);
  pf_test_wait_result (&result, TIMEOUT);
  uidl = pf_pop3_client_uidl_finish (client, result, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (pf_uidl_list_get_length (uidl), ==, 3);
  g_clear_object (&result);
  do_quit (client);
  assert_script_done (server);
  finish_client (client);
}

static void
test_uidl_non_numeric (void)
{
  check_bad_uidl ("one uid-1");
}

static void
test_uidl_duplicate (void)
{
  check_bad_uidl ("2 good-uid");
}

static void
test_uidl_over_long (void)
{
  g_autofree char *uid = g_strnfill (71, 'u');
  g_autofree char *line = g_strdup_printf ("2 %s", uid);

  check_bad_uidl (line);
}

static void
test_uidl_space (void)
{
  check_bad_uidl ("2 has space");
}

/* A message number given twice ("1 a", "1 b") would have one message
 * delivered under two ids: the whole answer is refused. */
static void
test_uidl_duplicate_msgno (void)
{
  check_bad_uidl ("1 other-uid");
}

static void
test_list_duplicate_msgno (void)
{
  g_autoptr(PfTestServer) server = pf_test_pop3_server (PF_TEST_SERVER_PLAIN, PF_TEST_CERT_VALID,
    LOGGED_IN "C: LIST\nS: +OK\nS: 1 100\nS: 2 200\nS: 1 300\nS: .\nC: NOOP\nS: +OK\n");
  PfPop3Client *client = logged_in_plain (server);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) entries = NULL;

  pf_pop3_client_list_async (client, NULL, pf_test_store_result, &result);
  pf_test_wait_result (&result, TIMEOUT);
  entries = pf_pop3_client_list_finish (client, result, &error);
  g_assert_null (entries);
  g_assert_error (error, PF_ERROR, PF_ERROR_PROTOCOL);
  g_clear_error (&error);
  g_clear_object (&result);
  pf_pop3_client_noop_async (client, NULL, pf_test_store_result, &result);
  pf_test_wait_result (&result, TIMEOUT);
  g_assert_true (pf_pop3_client_noop_finish (client, result, &error));
  g_clear_object (&result);
  finish_client (client);
}

/* Out of order is fine, as long as no number repeats. */
static void
test_list_out_of_order (void)
{
  g_autoptr(PfTestServer) server = pf_test_pop3_server (PF_TEST_SERVER_PLAIN, PF_TEST_CERT_VALID,
    LOGGED_IN "C: LIST\nS: +OK\nS: 2 200\nS: 1 100\nS: 3 300\nS: .\n");
  PfPop3Client *client = logged_in_plain (server);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) entries = NULL;

  pf_pop3_client_list_async (client, NULL, pf_test_store_result, &result);
  pf_test_wait_result (&result, TIMEOUT);
  entries = pf_pop3_client_list_finish (client, result, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (entries->len, ==, 3);
  g_assert_cmpuint (g_array_index (entries, PfListEntry, 0).msgno, ==, 2);
  g_clear_object (&result);
  finish_client (client);
}

static gboolean
do_retrieve_checked (PfPop3Client  *client,
                     guint          msgno,
                     gint64         listed_size,
                     guint64        byte_cap,
                     gsize         *len,
                     GError       **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GOutputStream) sink = g_memory_output_stream_new_resizable ();
  gboolean ok;

  pf_pop3_client_retrieve_checked_async (client, msgno, -1, listed_size, byte_cap, sink, NULL,
                                         pf_test_store_result, &result);
  pf_test_wait_result (&result, TIMEOUT * 2);
  ok = pf_pop3_client_retrieve_finish (client, result, NULL, error);
  *len = g_memory_output_stream_get_data_size (G_MEMORY_OUTPUT_STREAM (sink));
  return ok;
}

/* A server that counts line ends as one byte (LF) lists less than it
 * sends: one byte per line is allowed on top of the tolerance. */
static void
test_retr_listed_size_lf_counted (void)
{
  g_autoptr(PfTestServer) server = pf_test_pop3_server (PF_TEST_SERVER_PLAIN, PF_TEST_CERT_VALID,
    LOGGED_IN "C: RETR 1\nS: +OK\n");
  PfPop3Client *client = NULL;
  g_autoptr(GError) error = NULL;
  gsize len = 0;

  g_autoptr(GString) lines = g_string_new (NULL);

  /* 3000 short lines: 6000 bytes as sent, 3000 as the server counts. */
  for (guint i = 0; i < 3000; i++)
    g_string_append (lines, "x\r\n");
  pf_test_server_add_send (server, lines->str, lines->len);
  pf_test_server_add_script (server, "S: .\n");
  client = logged_in_plain (server);
  g_assert_true (do_retrieve_checked (client, 1, 6000, 0, &len, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (len, ==, 9000);
  finish_client (client);
}

/* The terminating dot glued to the last line ("last line.\r\n"): the
 * data runs on into the next reply. Past the listed size and its
 * tolerance it is a framing error that ends the session. */
static void
test_retr_runs_past_listed_size (void)
{
  g_autofree char *body = g_strnfill (4000, 'x');
  g_autofree char *script = g_strdup_printf (GREETING "\n" CAPA_PIPE LOGIN
                                             "C: CAPA\nS: +OK\nS: PIPELINING\nS: .\n"
                                             "C: RETR 1\nC: RETR 2\n"
                                             "S: +OK\nS: %s\nS: last line.\n"
                                             "S: +OK\nS: %s\nS: %s\nS: .\n", body, body, body);
  g_autoptr(PfTestServer) server = pf_test_pop3_server (PF_TEST_SERVER_PLAIN, PF_TEST_CERT_VALID, script);
  PfPop3Client *client = logged_in_plain (server);
  g_autoptr(GAsyncResult) first = NULL;
  g_autoptr(GAsyncResult) second = NULL;
  g_autoptr(GOutputStream) sink1 = g_memory_output_stream_new_resizable ();
  g_autoptr(GOutputStream) sink2 = g_memory_output_stream_new_resizable ();
  g_autoptr(GError) error = NULL;

  pf_pop3_client_retrieve_checked_async (client, 1, -1, 4014, 0, sink1, NULL,
                                         pf_test_store_result, &first);
  pf_pop3_client_retrieve_checked_async (client, 2, -1, 8006, 0, sink2, NULL,
                                         pf_test_store_result, &second);
  pf_test_wait_result (&first, TIMEOUT);
  pf_test_wait_result (&second, TIMEOUT);
  g_assert_false (pf_pop3_client_retrieve_finish (client, first, NULL, &error));
  g_assert_error (error, PF_ERROR, PF_ERROR_PROTOCOL);
  g_clear_error (&error);
  g_assert_false (pf_pop3_client_retrieve_finish (client, second, NULL, &error));
  g_assert_nonnull (error);
  g_clear_object (&first);
  g_clear_object (&second);
  finish_client (client);
}

/* Past the listed size but short of the byte cap: read on to its end
 * without storing it, then a framing error that ends the session. */
static void
test_retr_past_listed_size_under_cap (void)
{
  g_autoptr(PfTestServer) server = pf_test_pop3_server (PF_TEST_SERVER_PLAIN, PF_TEST_CERT_VALID,
    LOGGED_IN "C: RETR 1\nS: +OK\n");
  PfPop3Client *client = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  gsize len = 0;

  pf_test_server_add_send_repeated (server, 'x', 10000);
  pf_test_server_add_script (server, "S: \nS: .\n");
  client = logged_in_plain (server);
  g_assert_false (do_retrieve_checked (client, 1, 100, 1024 * 1024, &len, &error));
  g_assert_error (error, PF_ERROR, PF_ERROR_PROTOCOL);
  g_assert_cmpuint (len, <=, 100 + 1024 + 1);
  g_clear_error (&error);
  pf_pop3_client_noop_async (client, NULL, pf_test_store_result, &result);
  pf_test_wait_result (&result, TIMEOUT);
  g_assert_false (pf_pop3_client_noop_finish (client, result, &error));
  g_clear_object (&result);
  finish_client (client);
}

/* Listed as 100 bytes, 5 MB arrive: over the byte cap the RETR stops
 * at once, and the session with it. */
static void
test_retr_over_byte_cap (void)
{
  g_autoptr(PfTestServer) server = pf_test_pop3_server (PF_TEST_SERVER_PLAIN, PF_TEST_CERT_VALID,
    LOGGED_IN "C: RETR 1\nS: +OK\n");
  PfPop3Client *client = NULL;
  g_autoptr(GError) error = NULL;
  gsize len = 0;

  pf_test_server_add_send_repeated (server, 'x', 5 * 1024 * 1024);
  pf_test_server_add_script (server, "S: \nS: .\n");
  client = logged_in_plain (server);
  g_assert_false (do_retrieve_checked (client, 1, 100, 100 * 1024, &len, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE);
  g_assert_cmpuint (len, <=, 100 * 1024);
  finish_client (client);
}

/* ---------------------------------------------------------------------- */
/* Pipelining and the in-flight FIFO                                      */

static void
on_retrieved (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  GPtrArray *errors = user_data;
  GError *error = NULL;

  pf_pop3_client_retrieve_finish (PF_POP3_CLIENT (source), result, NULL, &error);
  g_ptr_array_add (errors, error);
}

static void
error_free0 (gpointer error)
{
  if (error != NULL)
    g_error_free (error);
}

static GPtrArray *
retrieve_many (PfPop3Client *client,
               guint         n)
{
  GPtrArray *errors = g_ptr_array_new_with_free_func (error_free0);
  g_autoptr(GOutputStream) sink = g_memory_output_stream_new_resizable ();

  for (guint i = 1; i <= n; i++)
    pf_pop3_client_retrieve_async (client, i, -1, sink, NULL, on_retrieved, errors);
  while (errors->len < n)
    g_main_context_iteration (NULL, TRUE);
  return errors;
}

static void
test_pipelining_window (void)
{
  g_autoptr(PfTestServer) server = pf_test_pop3_server (PF_TEST_SERVER_PLAIN, PF_TEST_CERT_VALID,
    GREETING "\n" CAPA_PIPE LOGIN "C: CAPA\nS: +OK\nS: PIPELINING\nS: .\n"
    "C: RETR 1\nC: RETR 2\nC: RETR 3\nSILENCE 300\n"
    "S: +OK\nS: one\nS: .\nS: +OK\nS: two\nS: .\n"
    "C: RETR 4\nC: RETR 5\nSILENCE 300\n"
    "S: +OK\nS: three\nS: .\nS: +OK\nS: four\nS: .\nS: +OK\nS: five\nS: .\n"
    "C: QUIT\nS: +OK\n");
  PfPop3Client *client = logged_in_plain (server);
  g_autoptr(GPtrArray) errors = NULL;

  g_assert_true (pf_pop3_client_get_pipelining (client));
  pf_pop3_client_set_pipeline_window (client, 3);
  errors = retrieve_many (client, 5);
  for (guint i = 0; i < errors->len; i++)
    g_assert_no_error ((GError *) g_ptr_array_index (errors, i));
  do_quit (client);
  assert_script_done (server);
  /* The first three went out in one write, before any answer. */
  g_assert_true (pf_test_server_received_contains (server, "RETR 1\r\nRETR 2\r\nRETR 3\r\n"));
  finish_client (client);
}

static void
check_one_at_a_time (const char *capa,
                     guint       window)
{
  g_autofree char *script = g_strdup_printf (GREETING "\n%s" LOGIN "%s"
                                             "C: RETR 1\nSILENCE 300\nS: +OK\nS: one\nS: .\n"
                                             "C: RETR 2\nSILENCE 300\nS: +OK\nS: two\nS: .\n"
                                             "C: RETR 3\nS: +OK\nS: three\nS: .\n"
                                             "C: QUIT\nS: +OK\n", capa, capa);
  g_autoptr(PfTestServer) server = pf_test_pop3_server (PF_TEST_SERVER_PLAIN, PF_TEST_CERT_VALID, script);
  PfPop3Client *client = client_for (server, PF_SECURITY_NONE);
  g_autoptr(GPtrArray) errors = NULL;
  g_autoptr(GError) error = NULL;

  pf_pop3_client_set_pipeline_window (client, window);
  g_assert_true (do_connect (client, &error));
  g_assert_true (do_login (client, "bob", PASSWORD, PF_AUTH_USER, NULL, &error));
  g_assert_false (pf_pop3_client_get_pipelining (client));
  errors = retrieve_many (client, 3);
  for (guint i = 0; i < errors->len; i++)
    g_assert_no_error ((GError *) g_ptr_array_index (errors, i));
  do_quit (client);
  assert_script_done (server);
  finish_client (client);
}

static void
test_pipelining_off_without_capa (void)
{
  check_one_at_a_time (CAPA_PLAIN, 8);
}

static void
test_pipelining_window_zero (void)
{
  check_one_at_a_time (CAPA_PIPE, 0);
}

static void
test_error_fails_every_waiting_command (void)
{
  g_autoptr(PfTestServer) server = pf_test_pop3_server (PF_TEST_SERVER_PLAIN, PF_TEST_CERT_VALID,
    GREETING "\n" CAPA_PIPE LOGIN "C: CAPA\nS: +OK\nS: PIPELINING\nS: .\n"
    "C: RETR 1\nC: RETR 2\nC: RETR 3\nC: RETR 4\n"
    "S: +OK\nS: one\nS: .\nS: +OK\nS: half of two\nCLOSE\n");
  PfPop3Client *client = logged_in_plain (server);
  g_autoptr(GPtrArray) errors = NULL;

  pf_pop3_client_set_pipeline_window (client, 4);
  errors = retrieve_many (client, 6);
  g_assert_no_error ((GError *) g_ptr_array_index (errors, 0));
  for (guint i = 1; i < errors->len; i++)
    g_assert_error ((GError *) g_ptr_array_index (errors, i), PF_ERROR, PF_ERROR_CLOSED);
  finish_client (client);
}

/* ---------------------------------------------------------------------- */
/* SASL over TLS                                                          */

#define TLS_CAPA "C: CAPA\nS: +OK\nS: USER\nS: SASL PLAIN LOGIN XOAUTH2 OAUTHBEARER SCRAM-SHA-256\nS: .\n"
#define AFTER_LOGIN "C: CAPA\nS: +OK\nS: .\nC: QUIT\nS: +OK\n"

static void
check_sasl (const char      *exchange,
            PfAuthMechanism  mechanism,
            const char      *secret,
            gint             code)
{
  g_autofree char *script = g_strconcat (GREETING "\n" TLS_CAPA, exchange,
                                         code == -1 ? AFTER_LOGIN : "", NULL);
  g_autoptr(PfTestServer) server = pf_test_pop3_server (PF_TEST_SERVER_TLS, PF_TEST_CERT_VALID, script);
  PfPop3Client *client = client_for (server, PF_SECURITY_TLS);
  g_autoptr(GError) error = NULL;
  PfAuthMechanism used = PF_AUTH_AUTO;

  g_assert_true (do_connect (client, &error));
  if (code == -1)
    {
      g_assert_true (do_login (client, "bob", secret, mechanism, &used, &error));
      g_assert_no_error (error);
      g_assert_cmpint (used, ==, mechanism);
      do_quit (client);
      assert_script_done (server);
    }
  else
    {
      g_assert_false (do_login (client, "bob", secret, mechanism, &used, &error));
      g_assert_error (error, PF_ERROR, code);
    }
  finish_client (client);
}

static void
test_sasl_plain (void)
{
  /* base64 ("\0bob\0" PASSWORD) */
  g_autofree char *ir = g_base64_encode ((const guchar *) "\0bob\0" PASSWORD,
                                         5 + strlen (PASSWORD));
  g_autofree char *exchange = g_strdup_printf ("C: AUTH PLAIN %s\nS: +OK\n", ir);

  check_sasl (exchange, PF_AUTH_PLAIN, PASSWORD, -1);
  /* The payload carries the password: the transcript shows none of it. */
  for (guint i = 0; i < transcripts->len; i++)
    {
      g_autofree char *text = pf_transcript_to_string (g_ptr_array_index (transcripts, i));

      g_assert_null (strstr (text, ir));
    }
}

static void
test_sasl_login (void)
{
  check_sasl ("C: AUTH LOGIN\nS: + VXNlcm5hbWU6\nC: Ym9i\nS: + UGFzc3dvcmQ6\nC: *\nS: +OK\n",
              PF_AUTH_LOGIN, PASSWORD, -1);
}

/* RFC 5034: a command longer than 255 octets would be cut; the initial
 * response then waits for the server's empty challenge. */
static void
test_sasl_long_initial_response (void)
{
  g_autofree char *token = g_strnfill (400, 't');

  check_sasl ("C: AUTH XOAUTH2\nS: + \nC: *\nS: +OK\n", PF_AUTH_XOAUTH2, token, -1);
}

static void
test_sasl_oauth_error (void)
{
  /* The server's JSON error as a challenge, then -ERR. */
  check_sasl ("C: AUTH OAUTHBEARER *\nS: + eyJzdGF0dXMiOiI0MDEifQ==\nC: AQ==\n"
              "S: -ERR [AUTH] invalid token\n",
              PF_AUTH_OAUTHBEARER, "short-token", PF_ERROR_AUTH_REJECTED);
}

/* A server that says +OK without proving it knows the password is not
 * believed. */
static void
test_sasl_scram_without_server_proof (void)
{
  check_sasl ("C: AUTH SCRAM-SHA-256 *\nS: +OK\n", PF_AUTH_SCRAM_SHA_256, PASSWORD,
              PF_ERROR_AUTH_REJECTED);
}

static void
test_sasl_auto_prefers_scram (void)
{
  check_sasl ("C: AUTH SCRAM-SHA-256 *\nS: -ERR [AUTH] nope\n", PF_AUTH_AUTO, PASSWORD,
              PF_ERROR_AUTH_REJECTED);
}

/* Over TLS 1.3 the -PLUS variant is preferred and binds to the TLS
 * session with tls-exporter: the GS2 header is "p=tls-exporter,,". */
static void
test_sasl_scram_plus_channel_binding (void)
{
  g_autoptr(PfTestServer) server = pf_test_pop3_server (PF_TEST_SERVER_TLS, PF_TEST_CERT_VALID,
                                                        GREETING "\n"
                                                        "C: CAPA\nS: +OK\nS: SASL SCRAM-SHA-256 SCRAM-SHA-256-PLUS\nS: .\n"
                                                        /* base64 ("p=tls-exporter,") */
                                                        "C: AUTH SCRAM-SHA-256-PLUS cD10bHMtZXhwb3J0ZXIs*\n"
                                                        "S: -ERR [AUTH] no\n");
  PfPop3Client *client = client_for (server, PF_SECURITY_TLS);
  g_autoptr(GError) error = NULL;

  g_assert_true (do_connect (client, &error));
  g_assert_false (do_login (client, "bob", PASSWORD, PF_AUTH_AUTO, NULL, &error));
  /* A refused -PLUS may be the binding, not the password. */
  g_assert_error (error, PF_ERROR, PF_ERROR_AUTH_MECHANISM_FAILED);
  finish_client (client);
  assert_script_done (server);
}

static void
test_sasl_not_offered (void)
{
  check_sasl ("", PF_AUTH_CRAM_MD5, PASSWORD, PF_ERROR_NO_COMMON_MECHANISM);
}

static void
test_continuation_outside_auth (void)
{
  g_autoptr(PfTestServer) server = pf_test_pop3_server (PF_TEST_SERVER_PLAIN, PF_TEST_CERT_VALID,
                                                        LOGGED_IN "C: NOOP\nS: + c3VycHJpc2U=\n");
  PfPop3Client *client = logged_in_plain (server);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  pf_pop3_client_noop_async (client, NULL, pf_test_store_result, &result);
  pf_test_wait_result (&result, TIMEOUT);
  g_assert_false (pf_pop3_client_noop_finish (client, result, &error));
  g_assert_error (error, PF_ERROR, PF_ERROR_PROTOCOL);
  g_clear_object (&result);
  finish_client (client);
}

/* ---------------------------------------------------------------------- */
/* Sinks and cancellation                                                 */

/* A file sink takes the async path; a message larger than one read comes
 * in several chunks and arrives whole and in order. */
static void
test_retr_into_file (void)
{
  g_autoptr(PfTestServer) server = pf_test_pop3_server (PF_TEST_SERVER_PLAIN, PF_TEST_CERT_VALID,
                                                        LOGGED_IN "C: RETR 1\nS: +OK\n");
  g_autofree char *dir = g_dir_make_tmp ("pf-retr-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "message", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFileOutputStream) sink = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  PfPop3Client *client;
  gsize len = 0;
  guint64 bytes = 0;

  pf_test_server_add_send_repeated (server, 'C', 300 * 1024);
  pf_test_server_add_script (server, "S: \nS: ..tail\nS: .\nC: QUIT\nS: +OK\n");
  client = logged_in_plain (server);
  sink = g_file_replace (file, NULL, FALSE, G_FILE_CREATE_NONE, NULL, &error);
  g_assert_no_error (error);
  pf_pop3_client_retrieve_async (client, 1, -1, G_OUTPUT_STREAM (sink), NULL,
                                 pf_test_store_result, &result);
  pf_test_wait_result (&result, TIMEOUT);
  g_assert_true (pf_pop3_client_retrieve_finish (client, result, &bytes, &error));
  g_assert_no_error (error);
  g_clear_object (&result);
  g_assert_true (g_output_stream_close (G_OUTPUT_STREAM (sink), NULL, &error));
  g_assert_true (g_file_get_contents (path, &contents, &len, &error));
  g_assert_cmpuint (len, ==, 300 * 1024 + 2 + 7);
  g_assert_cmpuint (bytes, ==, len);
  g_assert_cmpmem (contents + len - 10, 10, "C\r\n.tail\r\n", 10);
  do_quit (client);
  assert_script_done (server);
  finish_client (client);
  g_unlink (path);
  g_rmdir (dir);
}

/* A sink that fails loses that message only; the answer is read to its end
 * so the session stays in step. */
static void
test_retr_sink_fails (void)
{
  g_autoptr(PfTestServer) server = pf_test_pop3_server (PF_TEST_SERVER_PLAIN, PF_TEST_CERT_VALID,
                                                        LOGGED_IN
                                                        "C: RETR 1\nS: +OK\nS: too long for the sink\nS: .\n"
                                                        "C: RETR 2\nS: +OK\nS: fits\nS: .\n"
                                                        "C: QUIT\nS: +OK\n");
  PfPop3Client *client = logged_in_plain (server);
  char small[4];
  g_autoptr(GOutputStream) full = g_memory_output_stream_new (small, sizeof small, NULL, NULL);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *data = NULL;
  gsize len;

  pf_pop3_client_retrieve_async (client, 1, -1, full, NULL, pf_test_store_result, &result);
  pf_test_wait_result (&result, TIMEOUT);
  g_assert_false (pf_pop3_client_retrieve_finish (client, result, NULL, &error));
  g_assert_error (error, PF_ERROR, PF_ERROR_LOCAL_DISK);
  g_clear_object (&result);
  g_clear_error (&error);
  g_assert_true (do_retrieve (client, 2, -1, &data, &len, &error));
  g_assert_cmpmem (data, len, "fits\r\n", 6);
  do_quit (client);
  assert_script_done (server);
  finish_client (client);
}

static void
test_cancel_pending_command (void)
{
  g_autoptr(PfTestServer) server = pf_test_pop3_server (PF_TEST_SERVER_PLAIN, PF_TEST_CERT_VALID,
                                                        LOGGED_IN "C: RETR 1\nSILENCE 200\nS: +OK\nS: one\nS: .\n"
                                                        "C: NOOP\nS: +OK\nC: QUIT\nS: +OK\n");
  PfPop3Client *client = logged_in_plain (server);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GOutputStream) sink = g_memory_output_stream_new_resizable ();
  g_autoptr(GAsyncResult) first = NULL;
  g_autoptr(GAsyncResult) second = NULL;
  g_autoptr(GAsyncResult) noop = NULL;
  g_autoptr(GError) error = NULL;

  pf_pop3_client_retrieve_async (client, 1, -1, sink, NULL, pf_test_store_result, &first);
  pf_pop3_client_retrieve_async (client, 2, -1, sink, cancellable, pf_test_store_result, &second);
  g_cancellable_cancel (cancellable);
  pf_test_wait_result (&second, TIMEOUT);
  g_assert_false (pf_pop3_client_retrieve_finish (client, second, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  pf_test_wait_result (&first, TIMEOUT);
  g_assert_true (pf_pop3_client_retrieve_finish (client, first, NULL, &error));
  pf_pop3_client_noop_async (client, NULL, pf_test_store_result, &noop);
  pf_test_wait_result (&noop, TIMEOUT);
  g_assert_true (pf_pop3_client_noop_finish (client, noop, &error));
  g_clear_object (&first);
  g_clear_object (&second);
  g_clear_object (&noop);
  do_quit (client);
  assert_script_done (server);
  g_assert_false (pf_test_server_received_contains (server, "RETR 2"));
  finish_client (client);
}

static gboolean
cancel_later (gpointer user_data)
{
  g_cancellable_cancel (user_data);
  return G_SOURCE_REMOVE;
}

static void
assert_retrieve_cancelled (PfPop3Client *client,
                           GAsyncResult *result)
{
  g_autoptr(GError) error = NULL;

  g_assert_false (pf_pop3_client_retrieve_finish (client, result, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

static void
test_cancel_command_in_flight (void)
{
  g_autoptr(PfTestServer) server = pf_test_pop3_server (PF_TEST_SERVER_PLAIN, PF_TEST_CERT_VALID,
                                                        LOGGED_IN "C: RETR 1\nS: +OK\nS: partial\nSTALL 20000\n");
  PfPop3Client *client = logged_in_plain (server);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GOutputStream) sink = g_memory_output_stream_new_resizable ();
  g_autoptr(GAsyncResult) first = NULL;
  g_autoptr(GAsyncResult) second = NULL;

  pf_pop3_client_retrieve_async (client, 1, -1, sink, cancellable, pf_test_store_result, &first);
  pf_pop3_client_retrieve_async (client, 2, -1, sink, NULL, pf_test_store_result, &second);
  g_timeout_add (200, cancel_later, cancellable);
  pf_test_wait_result (&first, TIMEOUT);
  pf_test_wait_result (&second, TIMEOUT);
  assert_retrieve_cancelled (client, first);
  assert_retrieve_cancelled (client, second);
  g_clear_object (&first);
  g_clear_object (&second);
  finish_client (client);
}

/* One cancellable for a command on the wire and one still queued behind it
 * (a fetch passes its own to every RETR): cancelling ends both at once,
 * not at the read timeout. */
static void
test_cancel_shared_cancellable (void)
{
  g_autoptr(PfTestServer) server = pf_test_pop3_server (PF_TEST_SERVER_PLAIN, PF_TEST_CERT_VALID,
                                                        LOGGED_IN "C: RETR 1\nS: +OK\nS: partial\nSTALL 20000\n");
  PfPop3Client *client = logged_in_plain (server);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GOutputStream) sink = g_memory_output_stream_new_resizable ();
  g_autoptr(GAsyncResult) first = NULL;
  g_autoptr(GAsyncResult) second = NULL;
  gint64 start;

  pf_pop3_client_retrieve_async (client, 1, -1, sink, cancellable, pf_test_store_result, &first);
  pf_pop3_client_retrieve_async (client, 2, -1, sink, cancellable, pf_test_store_result, &second);
  while (!pf_test_server_received_contains (server, "RETR 1"))
    g_main_context_iteration (NULL, TRUE);
  start = g_get_monotonic_time ();
  g_timeout_add (100, cancel_later, cancellable);
  pf_test_wait_result (&first, TIMEOUT);
  pf_test_wait_result (&second, TIMEOUT);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 3 * G_USEC_PER_SEC);
  assert_retrieve_cancelled (client, first);
  assert_retrieve_cancelled (client, second);
  g_assert_false (pf_test_server_received_contains (server, "RETR 2"));
  g_clear_object (&first);
  g_clear_object (&second);
  finish_client (client);
}

/* ---------------------------------------------------------------------- */

static void
test_transcripts_never_hold_password (void)
{
  if (transcripts->len == 0)
    {
      g_test_skip ("run together with the session tests");
      return;
    }
  for (guint i = 0; i < transcripts->len; i++)
    {
      g_autofree char *text = pf_transcript_to_string (g_ptr_array_index (transcripts, i));

      g_assert_null (strstr (text, PASSWORD));
    }
}

/* Only a setting that can name a proxy makes the client load GIO's proxy
 * resolver; a headless run with none of them connects directly. */
static void
test_proxy_only_when_configured (void)
{
  const char * const headless[] = { "PATH=/usr/bin", "HOME=/root", "LANG=C.UTF-8",
                                    "no_proxy=localhost", "http_proxy=", NULL };
  const char * const configured[] = {
    "http_proxy=http://proxy:3128", "HTTPS_PROXY=http://proxy:3128",
    "all_proxy=socks5://proxy:1080", "GIO_USE_PROXY_RESOLVER=dummy",
    "XDG_CURRENT_DESKTOP=GNOME", "DESKTOP_SESSION=plasma",
    "GNOME_DESKTOP_SESSION_ID=this-is-deprecated", "KDE_FULL_SESSION=true",
    "FLATPAK_ID=io.github.popfetch.Popfetch", NULL,
  };
  const char * const empty[] = { NULL };

  g_assert_false (pf_pop3_proxy_may_be_configured (empty));
  g_assert_false (pf_pop3_proxy_may_be_configured (headless));
  for (guint i = 0; configured[i] != NULL; i++)
    {
      const char * const one[] = { "PATH=/usr/bin", configured[i], NULL };

      g_test_message ("%s", configured[i]);
      g_assert_true (pf_pop3_proxy_may_be_configured (one));
    }
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  transcripts = g_ptr_array_new_with_free_func (g_object_unref);

  g_test_add_func ("/engine/pop3/proxy/only-when-configured", test_proxy_only_when_configured);
  g_test_add_func ("/engine/pop3/plain/session", test_plain_session);
  g_test_add_func ("/engine/pop3/auth/plaintext-refused", test_plaintext_refused);
  g_test_add_func ("/engine/pop3/auth/line-break-rejected", test_line_break_rejected);
  g_test_add_func ("/engine/pop3/stls/missing-from-capa", test_stls_missing);
  g_test_add_func ("/engine/pop3/stls/refused", test_stls_refused);
  g_test_add_func ("/engine/pop3/stls/capa-refused", test_capa_refused_starttls);
  g_test_add_func ("/engine/pop3/capa/refused-plain", test_capa_refused_plain);
  g_test_add_func ("/engine/pop3/stls/apop-beside-stls-not-sent", test_apop_beside_stls_refused);
  g_test_add_func ("/engine/pop3/stls/apop-timestamp-forgotten", test_apop_beside_stls_after_tls);
  g_test_add_func ("/engine/pop3/stls/injection-same-segment", test_stls_injection_same_segment);
  g_test_add_func ("/engine/pop3/stls/injection-separate-segment", test_stls_injection_separate_segment);
  g_test_add_func ("/engine/pop3/stls/injection-late-segment", test_stls_injection_late_segment);
  g_test_add_func ("/engine/pop3/stls/session", test_stls_session);
  g_test_add_func ("/engine/pop3/tls/self-signed", test_cert_self_signed);
  g_test_add_func ("/engine/pop3/tls/unknown-ca", test_cert_unknown_ca);
  g_test_add_func ("/engine/pop3/tls/wrong-host", test_cert_wrong_host);
  g_test_add_func ("/engine/pop3/tls/expired", test_cert_expired);
  g_test_add_func ("/engine/pop3/tls/not-yet-valid", test_cert_not_yet_valid);
  g_test_add_func ("/engine/pop3/tls/pin-matches", test_cert_pin_matches);
  g_test_add_func ("/engine/pop3/tls/pin-mismatch", test_cert_pin_mismatch);
  g_test_add_func ("/engine/pop3/tls/pin-restricts-ca-valid", test_cert_pin_restricts_valid);
  g_test_add_func ("/engine/pop3/tls/port-answers-plaintext", test_tls_port_answers_plaintext);
  g_test_add_func ("/engine/pop3/text/greeting-escape-sequences", test_greeting_escape_sequences);
  g_test_add_func ("/engine/pop3/text/err-escape-sequences", test_err_escape_sequences);
  g_test_add_func ("/engine/pop3/greeting/unsolicited-multiline", test_unsolicited_multiline_greeting);
  g_test_add_func ("/engine/pop3/greeting/err", test_greeting_err);
  g_test_add_func ("/engine/pop3/greeting/stall", test_greeting_stall);
  g_test_add_func ("/engine/pop3/greeting/10mb-line", test_greeting_10mb_line);
  g_test_add_func ("/engine/pop3/connect/refused", test_connect_refused);
  g_test_add_func ("/engine/pop3/tls/handshake-stall", test_handshake_stall);
  g_test_add_func ("/engine/pop3/greeting/trickle", test_greeting_trickle);
  g_test_add_func ("/engine/pop3/reply/trickle", test_reply_trickle);
  g_test_add_func ("/engine/pop3/retr/trickle-stalls", test_retr_trickle_stalls);
  g_test_add_func ("/engine/pop3/retr/slow-transfer-goes-on", test_retr_slow_transfer_goes_on);
  g_test_add_func ("/engine/pop3/connect/by-name", test_connect_by_name);
  g_test_add_func ("/engine/pop3/connect/close-while-connecting", test_close_while_connecting);
  g_test_add_func ("/engine/pop3/codes/every-response-code", test_response_codes);
  g_test_add_func ("/engine/pop3/codes/err-to-command", test_err_to_command);
  g_test_add_func ("/engine/pop3/retr/close-mid-response", test_retr_close_mid_response);
  g_test_add_func ("/engine/pop3/retr/stall-mid-response", test_retr_stall_mid_response);
  g_test_add_func ("/engine/pop3/retr/stall-mid-response-tls", test_retr_stall_mid_response_tls);
  g_test_add_func ("/engine/pop3/retr/tls-records-then-close", test_retr_tls_records_then_close);
  g_test_add_func ("/engine/pop3/retr/10mb-line", test_retr_10mb_line);
  g_test_add_func ("/engine/pop3/retr/dot-lines", test_retr_dot_lines);
  g_test_add_func ("/engine/pop3/uidl/non-numeric", test_uidl_non_numeric);
  g_test_add_func ("/engine/pop3/uidl/duplicate", test_uidl_duplicate);
  g_test_add_func ("/engine/pop3/uidl/over-long", test_uidl_over_long);
  g_test_add_func ("/engine/pop3/uidl/space", test_uidl_space);
  g_test_add_func ("/engine/pop3/listing/over-bound", test_listing_over_bound);
  g_test_add_func ("/engine/pop3/listing/longer-than-stat", test_listing_longer_than_stat);
  g_test_add_func ("/engine/pop3/listing/bound-after-bad-line", test_listing_bound_after_bad_line);
  g_test_add_func ("/engine/pop3/listing/after-rset", test_listing_after_rset);
  g_test_add_func ("/engine/pop3/uidl/duplicate-msgno", test_uidl_duplicate_msgno);
  g_test_add_func ("/engine/pop3/list/duplicate-msgno", test_list_duplicate_msgno);
  g_test_add_func ("/engine/pop3/list/out-of-order", test_list_out_of_order);
  g_test_add_func ("/engine/pop3/retr/listed-size-lf-counted", test_retr_listed_size_lf_counted);
  g_test_add_func ("/engine/pop3/retr/runs-past-listed-size", test_retr_runs_past_listed_size);
  g_test_add_func ("/engine/pop3/retr/over-byte-cap", test_retr_over_byte_cap);
  g_test_add_func ("/engine/pop3/retr/past-listed-size-under-cap", test_retr_past_listed_size_under_cap);
  g_test_add_func ("/engine/pop3/pipelining/window-honoured", test_pipelining_window);
  g_test_add_func ("/engine/pop3/pipelining/off-without-capa", test_pipelining_off_without_capa);
  g_test_add_func ("/engine/pop3/pipelining/window-zero", test_pipelining_window_zero);
  g_test_add_func ("/engine/pop3/error/every-waiting-command-fails", test_error_fails_every_waiting_command);
  g_test_add_func ("/engine/pop3/sasl/plain", test_sasl_plain);
  g_test_add_func ("/engine/pop3/sasl/login", test_sasl_login);
  g_test_add_func ("/engine/pop3/sasl/long-initial-response", test_sasl_long_initial_response);
  g_test_add_func ("/engine/pop3/sasl/oauth-error", test_sasl_oauth_error);
  g_test_add_func ("/engine/pop3/sasl/scram-without-server-proof", test_sasl_scram_without_server_proof);
  g_test_add_func ("/engine/pop3/sasl/auto-prefers-scram", test_sasl_auto_prefers_scram);
  g_test_add_func ("/engine/pop3/sasl/scram-plus-channel-binding", test_sasl_scram_plus_channel_binding);
  g_test_add_func ("/engine/pop3/sasl/not-offered", test_sasl_not_offered);
  g_test_add_func ("/engine/pop3/sasl/continuation-outside-auth", test_continuation_outside_auth);
  g_test_add_func ("/engine/pop3/retr/into-file", test_retr_into_file);
  g_test_add_func ("/engine/pop3/retr/sink-fails", test_retr_sink_fails);
  g_test_add_func ("/engine/pop3/cancel/pending-command", test_cancel_pending_command);
  g_test_add_func ("/engine/pop3/cancel/command-in-flight", test_cancel_command_in_flight);
  g_test_add_func ("/engine/pop3/cancel/shared-cancellable", test_cancel_shared_cancellable);
  g_test_add_func ("/engine/pop3/transcript/never-holds-password", test_transcripts_never_hold_password);

  ret = g_test_run ();
  g_ptr_array_unref (transcripts);
  return ret;
}
