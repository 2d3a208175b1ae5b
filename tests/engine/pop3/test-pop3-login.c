/* test-pop3-login.c — PfPop3Client's login and STLS against servers that
 * are not Dovecot, played by the scripted server
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "pf-error.h"
#include "pf-pop3-client.h"
#include "pf-test-pop3.h"
#include "pf-test-util.h"

#define PASSWORD "s3cret-Pa55word"
#define TIMEOUT 10

#define CAPA_STLS "C: CAPA\nS: +OK\nS: USER\nS: STLS\nS: .\n"
#define LOGIN "C: USER bob\nS: +OK\nC: PASS " PASSWORD "\nS: +OK logged in\n"
/* base64 of the GS2 headers "n,," and "y,," that open a SCRAM client-first. */
#define GS2_N "biws"
#define GS2_Y "eSws"

static PfPop3Client *
client_for (PfTestServer *server,
            PfSecurity    security)
{
  g_autoptr(PfServerSettings) settings = pf_test_pop3_settings (server, security, TIMEOUT);

  pf_server_settings_set_allow_plaintext_auth (settings, security == PF_SECURITY_NONE);
  return pf_pop3_client_new_for_settings (settings);
}

static void
assert_script_done (PfTestServer *server)
{
  g_autofree char *failure = NULL;

  g_assert_true (pf_test_server_wait_connections (server, 1, TIMEOUT));
  failure = pf_test_server_dup_failure (server);
  g_assert_cmpstr (failure, ==, NULL);
}

/* Connect (which must work) and log in with @mechanism; returns what
 * the login returned, the mechanism it reports in @used. */
static gboolean
connect_and_login (PfPop3Client     *client,
                   PfAuthMechanism   mechanism,
                   PfAuthMechanism  *used,
                   GError          **error)
{
  g_autoptr(GError) connect_error = NULL;

  g_assert_true (pf_test_pop3_connect (client, TIMEOUT * 2, &connect_error));
  g_assert_no_error (connect_error);
  return pf_test_pop3_login (client, "bob", PASSWORD, mechanism, used, TIMEOUT * 2, error);
}

/* ---------------------------------------------------------------------- */
/* RFC 6856 UTF8                                                          */

/* A Courier-like server: it advertises UTF8 and shows a message with raw
 * UTF-8 in its header only to a client that said UTF8. The script is
 * strict, so a client that skips UTF8 meets "RETR 1" where "UTF8" is due. */
static void
test_utf8_sent_after_login (void)
{
  g_autoptr(PfTestServer) server = pf_test_pop3_server (PF_TEST_SERVER_TLS, PF_TEST_CERT_VALID,
    "S: +OK Courier-like POP3 ready\n"
    "C: CAPA\nS: +OK\nS: USER\nS: UTF8\nS: UIDL\nS: .\n" LOGIN
    "C: CAPA\nS: +OK\nS: UTF8\nS: UIDL\nS: .\n"
    "C: UTF8\nS: +OK UTF8 enabled\n"
    "C: RETR 1\nS: +OK\nS: Subject: Grüße\nS: \nS: body\nS: .\n"
    "C: QUIT\nS: +OK\n");
  PfPop3Client *client = client_for (server, PF_SECURITY_TLS);
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;

  g_assert_true (connect_and_login (client, PF_AUTH_USER, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (pf_test_pop3_retrieve (client, 1, -1, &message, NULL, TIMEOUT * 2, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (message, ==, "Subject: Grüße\r\n\r\nbody\r\n");
  pf_test_pop3_quit (client, TIMEOUT);
  assert_script_done (server);
  pf_test_pop3_drop (client, TIMEOUT);
}

/* A server that advertises UTF8 but refuses the command still serves the
 * session: the login stands. */
static void
test_utf8_refusal_ignored (void)
{
  g_autoptr(PfTestServer) server = pf_test_pop3_server (PF_TEST_SERVER_TLS, PF_TEST_CERT_VALID,
    "S: +OK ready\n"
    "C: CAPA\nS: +OK\nS: USER\nS: UTF8\nS: .\n" LOGIN
    "C: CAPA\nS: +OK\nS: UTF8\nS: .\n"
    "C: UTF8\nS: -ERR not now\n"
    "C: QUIT\nS: +OK\n");
  PfPop3Client *client = client_for (server, PF_SECURITY_TLS);
  g_autoptr(GError) error = NULL;

  g_assert_true (connect_and_login (client, PF_AUTH_USER, NULL, &error));
  g_assert_no_error (error);
  pf_test_pop3_quit (client, TIMEOUT);
  assert_script_done (server);
  pf_test_pop3_drop (client, TIMEOUT);
}

/* ---------------------------------------------------------------------- */
/* Which method, and what a refusal means                                 */

/* GNU Mailutils and solid-pop3d put an APOP timestamp in every greeting;
 * inside TLS, PLAIN is taken, not APOP or CRAM-MD5. */
static void
test_auto_tls_skips_apop_and_cram (void)
{
  g_autoptr(PfTestServer) server = pf_test_pop3_server (PF_TEST_SERVER_TLS, PF_TEST_CERT_VALID,
    "S: +OK POP3 ready <1896.697170952@mail.example>\n"
    "C: CAPA\nS: +OK\nS: USER\nS: SASL CRAM-MD5 PLAIN\nS: .\n"
    "C: AUTH PLAIN *\nS: +OK logged in\n"
    "C: CAPA\nS: +OK\nS: .\n"
    "C: QUIT\nS: +OK\n");
  PfPop3Client *client = client_for (server, PF_SECURITY_TLS);
  g_autoptr(GError) error = NULL;
  PfAuthMechanism used = PF_AUTH_AUTO;

  g_assert_true (connect_and_login (client, PF_AUTH_AUTO, &used, &error));
  g_assert_no_error (error);
  g_assert_cmpint (used, ==, PF_AUTH_PLAIN);
  pf_test_pop3_quit (client, TIMEOUT);
  assert_script_done (server);
  g_assert_false (pf_test_server_received_contains (server, "APOP"));
  pf_test_pop3_drop (client, TIMEOUT);
}

/* Without TLS APOP is still the automatic pick; its refusal may be the
 * server's (no APOP secret for this user), so it is a mechanism failure,
 * and the login says it tried APOP. */
static void
test_apop_refusal_is_mechanism_failure (void)
{
  g_autoptr(PfTestServer) server = pf_test_pop3_server (PF_TEST_SERVER_PLAIN, PF_TEST_CERT_VALID,
    "S: +OK POP3 ready <1896.697170952@mail.example>\n"
    "C: CAPA\nS: +OK\nS: USER\nS: .\n"
    "C: APOP bob *\nS: -ERR [AUTH] authentication failed\n");
  PfPop3Client *client = client_for (server, PF_SECURITY_NONE);
  g_autoptr(GError) error = NULL;
  PfAuthMechanism used = PF_AUTH_AUTO;

  g_assert_false (connect_and_login (client, PF_AUTH_AUTO, &used, &error));
  g_assert_error (error, PF_ERROR, PF_ERROR_AUTH_MECHANISM_FAILED);
  g_assert_nonnull (strstr (error->message, "APOP"));
  g_assert_nonnull (strstr (error->message, "authentication failed"));
  g_assert_cmpint (used, ==, PF_AUTH_APOP);
  pf_test_pop3_drop (client, TIMEOUT);
  assert_script_done (server);
}

/* A Cyrus server over TLS 1.3 binds with tls-unique and refuses our
 * tls-exporter binding: a mechanism failure, reported as the -PLUS that
 * was sent (not as SCRAM-SHA-256). */
static void
test_plus_refusal_is_mechanism_failure (void)
{
  g_autoptr(PfTestServer) server = pf_test_pop3_server (PF_TEST_SERVER_TLS, PF_TEST_CERT_VALID,
    "S: +OK Cyrus-like ready\n"
    "C: CAPA\nS: +OK\nS: USER\nS: SASL SCRAM-SHA-256 SCRAM-SHA-256-PLUS PLAIN\nS: .\n"
    "C: AUTH SCRAM-SHA-256-PLUS cD10bHMtZXhwb3J0ZXIsLG49Ym9i*\n"
    "S: -ERR [AUTH] authenticating: bad protocol / cancel\n");
  PfPop3Client *client = client_for (server, PF_SECURITY_TLS);
  g_autoptr(GError) error = NULL;
  PfAuthMechanism used = PF_AUTH_AUTO;

  g_assert_false (connect_and_login (client, PF_AUTH_AUTO, &used, &error));
  g_assert_error (error, PF_ERROR, PF_ERROR_AUTH_MECHANISM_FAILED);
  g_assert_nonnull (strstr (error->message, "SCRAM-SHA-256-PLUS"));
  g_assert_cmpint (used, ==, PF_AUTH_SCRAM_SHA_256_PLUS);
  pf_test_pop3_drop (client, TIMEOUT);
  assert_script_done (server);
}

/* A refused PLAIN is about the password. */
static void
test_plain_refusal_is_password (void)
{
  g_autoptr(PfTestServer) server = pf_test_pop3_server (PF_TEST_SERVER_TLS, PF_TEST_CERT_VALID,
    "S: +OK ready\n"
    "C: CAPA\nS: +OK\nS: SASL PLAIN\nS: .\n"
    "C: AUTH PLAIN *\nS: -ERR [AUTH] authentication failed\n");
  PfPop3Client *client = client_for (server, PF_SECURITY_TLS);
  g_autoptr(GError) error = NULL;
  PfAuthMechanism used = PF_AUTH_AUTO;

  g_assert_false (connect_and_login (client, PF_AUTH_AUTO, &used, &error));
  g_assert_error (error, PF_ERROR, PF_ERROR_AUTH_REJECTED);
  g_assert_cmpint (used, ==, PF_AUTH_PLAIN);
  pf_test_pop3_drop (client, TIMEOUT);
  assert_script_done (server);
}

/* ---------------------------------------------------------------------- */
/* The SCRAM GS2 flag (RFC 5802 §6)                                       */

static void
check_gs2 (PfTestServerMode  mode,
           const char       *sasl,
           const char       *gs2)
{
  g_autofree char *script =
    g_strdup_printf ("S: +OK ready\n"
                     "C: CAPA\nS: +OK\nS: SASL %s\nS: .\n"
                     "C: AUTH SCRAM-SHA-256 %s*\nS: -ERR stop here\n", sasl, gs2);
  g_autoptr(PfTestServer) server = pf_test_pop3_server (mode, PF_TEST_CERT_VALID, script);
  PfPop3Client *client = client_for (server, mode == PF_TEST_SERVER_TLS ? PF_SECURITY_TLS
                                                                        : PF_SECURITY_NONE);
  g_autoptr(GError) error = NULL;

  g_assert_false (connect_and_login (client, PF_AUTH_SCRAM_SHA_256, NULL, &error));
  g_assert_error (error, PF_ERROR, PF_ERROR_AUTH_REJECTED);
  pf_test_pop3_drop (client, TIMEOUT);
  assert_script_done (server);
}

/* SCRAM without binding while the server offers -PLUS (asked for by the
 * account, or the retry after a refused -PLUS): "n", because such a
 * server must refuse "y". */
static void
test_gs2_n_when_server_offers_plus (void)
{
  check_gs2 (PF_TEST_SERVER_TLS, "SCRAM-SHA-256 SCRAM-SHA-256-PLUS", GS2_N);
  check_gs2 (PF_TEST_SERVER_TLS, "SCRAM-SHA-256 SCRAM-SHA-1-PLUS", GS2_N);
}

/* We could bind but the server offers no -PLUS: "y", so a server that
 * does support binding sees that its -PLUS was stripped on the way. */
static void
test_gs2_y_when_server_lacks_plus (void)
{
  check_gs2 (PF_TEST_SERVER_TLS, "SCRAM-SHA-256", GS2_Y);
}

/* No TLS, nothing to bind: "n". */
static void
test_gs2_n_without_tls (void)
{
  check_gs2 (PF_TEST_SERVER_PLAIN, "SCRAM-SHA-256 SCRAM-SHA-256-PLUS", GS2_N);
}

/* ---------------------------------------------------------------------- */
/* Malformed challenges are protocol errors, not a wrong password         */

static void
check_bad_challenge (PfAuthMechanism  mechanism,
                     const char      *script)
{
  g_autoptr(PfTestServer) server = pf_test_pop3_server (PF_TEST_SERVER_TLS, PF_TEST_CERT_VALID, script);
  PfPop3Client *client = client_for (server, PF_SECURITY_TLS);
  g_autoptr(GError) error = NULL;

  g_assert_false (connect_and_login (client, mechanism, NULL, &error));
  g_assert_error (error, PF_ERROR, PF_ERROR_PROTOCOL);
  pf_test_pop3_drop (client, TIMEOUT);
  assert_script_done (server);
  /* The exchange was cancelled, not answered with guesses. */
  g_assert_true (pf_test_server_received_contains (server, "\r\n*\r\n"));
}

static void
test_challenge_not_base64 (void)
{
  check_bad_challenge (PF_AUTH_CRAM_MD5,
    "S: +OK ready\n"
    "C: CAPA\nS: +OK\nS: SASL CRAM-MD5\nS: .\n"
    "C: AUTH CRAM-MD5\nS: + <1896.697170952@mail.example>\nC: *\nS: -ERR cancelled\n");
}

static void
test_scram_server_first_unparsable (void)
{
  /* "garbage" */
  check_bad_challenge (PF_AUTH_SCRAM_SHA_256,
    "S: +OK ready\n"
    "C: CAPA\nS: +OK\nS: SASL SCRAM-SHA-256\nS: .\n"
    "C: AUTH SCRAM-SHA-256 *\nS: + Z2FyYmFnZQ==\nC: *\nS: -ERR cancelled\n");
}

/* ---------------------------------------------------------------------- */
/* STLS: the server's own -ERR after its +OK                              */

/* Courier answers "+OK Begin SSL/TLS negotiation now." and then, when its
 * TLS helper cannot start, a -ERR line of its own: that is the server
 * saying STLS failed, in its words, not an attack. */
static void
check_stls_err_after_ok (gboolean same_segment)
{
  g_autoptr(PfTestServer) server = pf_test_pop3_server (PF_TEST_SERVER_PLAIN, PF_TEST_CERT_VALID,
                                                        "S: +OK ready\n" CAPA_STLS "C: STLS\n");
  PfPop3Client *client = client_for (server, PF_SECURITY_STARTTLS);
  g_autoptr(GError) error = NULL;

  if (same_segment)
    pf_test_server_add_send (server, "+OK Begin SSL/TLS negotiation now.\r\n"
                                     "-ERR Couldn't start TLS \x1b[2J helper\r\n", -1);
  else
    {
      pf_test_server_add_send (server, "+OK Begin SSL/TLS negotiation now.\r\n", -1);
      pf_test_server_add_script (server, "STALL 10\n");
      pf_test_server_add_send (server, "-ERR Couldn't start TLS \x1b[2J helper\r\n", -1);
    }
  pf_test_server_add_script (server, "CLOSE\n");

  g_assert_false (pf_test_pop3_connect (client, TIMEOUT * 2, &error));
  g_assert_error (error, PF_ERROR, PF_ERROR_STLS_UNAVAILABLE);
  g_assert_nonnull (strstr (error->message, "Couldn't start TLS"));
  g_assert_null (strchr (error->message, '\x1b'));
  g_assert_false (pf_pop3_client_get_tls_active (client));
  g_assert_true (pf_test_server_wait_connections (server, 1, TIMEOUT));
  g_assert_false (pf_test_server_received_contains (server, "USER"));
  pf_test_pop3_drop (client, TIMEOUT);
}

static void
test_stls_err_same_segment (void)
{
  check_stls_err_after_ok (TRUE);
}

static void
test_stls_err_separate_segment (void)
{
  check_stls_err_after_ok (FALSE);
}

/* A -ERR line with anything after it, or a +OK, is no helper's failure
 * report: still an injection. */
static void
test_stls_err_then_more_is_injection (void)
{
  static const char * const after_ok[] = {
    "-ERR helper failed\r\n+OK\r\n",
    "-ERR helper failed\r\nUSER x\r\n",
    "-ERR helper failed",
    "+OK logged in\r\n",
    "-ERRfoo\r\n",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (after_ok); i++)
    {
      g_autoptr(PfTestServer) server = pf_test_pop3_server (PF_TEST_SERVER_PLAIN, PF_TEST_CERT_VALID,
                                                            "S: +OK ready\n" CAPA_STLS "C: STLS\n");
      PfPop3Client *client = client_for (server, PF_SECURITY_STARTTLS);
      g_autoptr(GError) error = NULL;
      g_autofree char *both = g_strconcat ("+OK begin TLS\r\n", after_ok[i], NULL);

      g_test_message ("after +OK: %s", after_ok[i]);
      pf_test_server_add_send (server, both, -1);
      pf_test_server_add_script (server, "STALL 200\nCLOSE\n");
      g_assert_false (pf_test_pop3_connect (client, TIMEOUT * 2, &error));
      g_assert_error (error, PF_ERROR, PF_ERROR_STLS_INJECTION);
      pf_test_pop3_drop (client, TIMEOUT);
    }
}

/* A slow TLS helper (or a far server): the -ERR comes after the grace
 * period, so our ClientHello is out and the TLS layer meets the line.
 * The user still reads the server's words, not a TLS failure. */
static void
test_stls_err_after_handshake_started (void)
{
  g_autoptr(PfTestServer) server = pf_test_pop3_server (PF_TEST_SERVER_PLAIN, PF_TEST_CERT_VALID,
                                                        "S: +OK ready\n" CAPA_STLS "C: STLS\n");
  PfPop3Client *client = client_for (server, PF_SECURITY_STARTTLS);
  g_autoptr(GError) error = NULL;

  pf_test_server_add_send (server, "+OK Begin SSL/TLS negotiation now.\r\n", -1);
  pf_test_server_add_script (server, "STALL 300\n");
  pf_test_server_add_send (server, "-ERR [SYS/TEMP] TLS helper failed\r\n", -1);
  pf_test_server_add_script (server, "CLOSE\n");

  g_assert_false (pf_test_pop3_connect (client, TIMEOUT * 2, &error));
  g_assert_error (error, PF_ERROR, PF_ERROR_STLS_UNAVAILABLE);
  g_assert_nonnull (strstr (error->message, "TLS helper failed"));
  g_assert_false (pf_pop3_client_get_tls_active (client));
  g_assert_true (pf_test_server_wait_connections (server, 1, TIMEOUT));
  pf_test_pop3_drop (client, TIMEOUT);
}

/* Late bytes that are more than one -ERR line are no helper's report:
 * the handshake's own error stands, and nothing of theirs is shown. */
static void
test_stls_late_err_then_more_is_tls_error (void)
{
  static const char * const late[] = {
    "-ERR x\r\n+OK y\r\n",
    "-ERR unfinished",
    "+OK y\r\n",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (late); i++)
    {
      g_autoptr(PfTestServer) server = pf_test_pop3_server (PF_TEST_SERVER_PLAIN, PF_TEST_CERT_VALID,
                                                            "S: +OK ready\n" CAPA_STLS "C: STLS\n");
      PfPop3Client *client = client_for (server, PF_SECURITY_STARTTLS);
      g_autoptr(GError) error = NULL;

      g_test_message ("late after +OK: %s", late[i]);
      pf_test_server_add_send (server, "+OK begin TLS\r\n", -1);
      pf_test_server_add_script (server, "STALL 300\n");
      pf_test_server_add_send (server, late[i], -1);
      pf_test_server_add_script (server, "CLOSE\n");
      g_assert_false (pf_test_pop3_connect (client, TIMEOUT * 2, &error));
      g_assert_error (error, PF_ERROR, PF_ERROR_TLS_HANDSHAKE);
      g_assert_null (strstr (error->message, "agreed to STLS"));
      g_assert_false (pf_pop3_client_get_tls_active (client));
      pf_test_pop3_drop (client, TIMEOUT);
    }
}

/* The TLS layer after STLS reads through a recording stream: channel
 * binding still comes from that TLS session, as over implicit TLS. */
static void
test_stls_scram_plus_binds (void)
{
  g_autoptr(PfTestServer) server = pf_test_pop3_server (PF_TEST_SERVER_PLAIN, PF_TEST_CERT_VALID,
    "S: +OK ready\n" CAPA_STLS "C: STLS\nS: +OK begin TLS\nTLS\n"
    "C: CAPA\nS: +OK\nS: SASL SCRAM-SHA-256 SCRAM-SHA-256-PLUS\nS: .\n"
    /* base64 ("p=tls-exporter,,n=bob") */
    "C: AUTH SCRAM-SHA-256-PLUS cD10bHMtZXhwb3J0ZXIsLG49Ym9i*\n"
    "S: -ERR [AUTH] no\n");
  PfPop3Client *client = client_for (server, PF_SECURITY_STARTTLS);
  g_autoptr(GError) error = NULL;
  PfAuthMechanism used = PF_AUTH_AUTO;

  g_assert_false (connect_and_login (client, PF_AUTH_AUTO, &used, &error));
  g_assert_true (pf_pop3_client_get_tls_active (client));
  g_assert_error (error, PF_ERROR, PF_ERROR_AUTH_MECHANISM_FAILED);
  g_assert_cmpint (used, ==, PF_AUTH_SCRAM_SHA_256_PLUS);
  pf_test_pop3_drop (client, TIMEOUT);
  assert_script_done (server);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/engine/pop3/login/utf8/sent-after-login", test_utf8_sent_after_login);
  g_test_add_func ("/engine/pop3/login/utf8/refusal-ignored", test_utf8_refusal_ignored);
  g_test_add_func ("/engine/pop3/login/auto/tls-skips-apop-and-cram-md5", test_auto_tls_skips_apop_and_cram);
  g_test_add_func ("/engine/pop3/login/refusal/apop-is-mechanism-failure", test_apop_refusal_is_mechanism_failure);
  g_test_add_func ("/engine/pop3/login/refusal/plus-is-mechanism-failure", test_plus_refusal_is_mechanism_failure);
  g_test_add_func ("/engine/pop3/login/refusal/plain-is-password", test_plain_refusal_is_password);
  g_test_add_func ("/engine/pop3/login/gs2/n-when-server-offers-plus", test_gs2_n_when_server_offers_plus);
  g_test_add_func ("/engine/pop3/login/gs2/y-when-server-lacks-plus", test_gs2_y_when_server_lacks_plus);
  g_test_add_func ("/engine/pop3/login/gs2/n-without-tls", test_gs2_n_without_tls);
  g_test_add_func ("/engine/pop3/login/challenge/not-base64", test_challenge_not_base64);
  g_test_add_func ("/engine/pop3/login/challenge/scram-server-first-unparsable", test_scram_server_first_unparsable);
  g_test_add_func ("/engine/pop3/stls/err-after-ok-same-segment", test_stls_err_same_segment);
  g_test_add_func ("/engine/pop3/stls/err-after-ok-separate-segment", test_stls_err_separate_segment);
  g_test_add_func ("/engine/pop3/stls/err-then-more-is-injection", test_stls_err_then_more_is_injection);
  g_test_add_func ("/engine/pop3/stls/err-after-handshake-started", test_stls_err_after_handshake_started);
  g_test_add_func ("/engine/pop3/stls/late-err-then-more-is-tls-error", test_stls_late_err_then_more_is_tls_error);
  g_test_add_func ("/engine/pop3/stls/scram-plus-binds", test_stls_scram_plus_binds);

  return g_test_run ();
}
