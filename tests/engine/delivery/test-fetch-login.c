/* test-fetch-login.c — PfFetcher's login against servers that are not
 * Dovecot (UTF8, APOP without an APOP secret, a -PLUS bound differently),
 * played by the scripted server; and `fetch --host --mechanism`
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "pf-error.h"
#include "pf-fetcher.h"
#include "pf-test-certs.h"
#include "pf-test-fetch.h"
#include "pf-test-server.h"
#include "pf-test-util.h"

#define PASSWORD "s3cret-Pa55word"

#define AFTER_LOGIN \
  "C: CAPA\nS: -ERR\n" \
  "C: STAT\nS: +OK 1 60\nC: UIDL\nS: +OK\nS: 1 uid-1\nS: .\n" \
  "C: LIST\nS: +OK\nS: 1 80\nS: .\n" \
  "C: RETR 1\nS: +OK\nS: Subject: one\nS: Message-ID: <1@popfetch.test>\nS: \nS: body\nS: .\n" \
  "C: QUIT\nS: +OK\n"

static char *
local_maildir (void)
{
  return g_build_filename (g_get_user_data_dir (), "Mail", NULL);
}

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

/* A fetch of user "bob" with the method left to Popfetch. */
static PfFetchResult *
run_fetch (PfTestServer  *server,
           PfSecurity     security,
           GError       **error)
{
  g_autofree char *maildir = local_maildir ();
  g_autoptr(PfServerSettings) settings = pf_server_settings_new ("127.0.0.1",
                                                                 pf_test_server_get_port (server),
                                                                 security);
  g_autoptr(PfCredentials) credentials = pf_credentials_new_for_password (PASSWORD);
  g_autoptr(PfFetcher) fetcher = NULL;
  g_autoptr(GTlsDatabase) database = pf_test_certs_database ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autofree char *failure = NULL;
  PfFetchResult *fetched;

  pf_server_settings_set_server_identity (settings, "localhost");
  pf_server_settings_set_tls_database (settings, database);
  pf_server_settings_set_allow_plaintext_auth (settings, security == PF_SECURITY_NONE);
  pf_server_settings_set_timeout (settings, 5);
  fetcher = pf_fetcher_new (settings, "bob", maildir);
  pf_fetcher_set_credentials (fetcher, credentials);
  pf_fetcher_run_async (fetcher, NULL, pf_test_store_result, &result);
  pf_test_wait_result (&result, 30);
  fetched = pf_fetcher_run_finish (fetcher, result, error);

  failure = pf_test_server_dup_failure (server);
  g_assert_cmpstr (failure, ==, NULL);
  return fetched;
}

/* Courier replaces a message with raw UTF-8 in its header by a "Cannot
 * display Unicode content" notice unless the client said UTF8; the strict
 * script stands for that: without UTF8 it meets UIDL where UTF8 is due,
 * and the fetch stores nothing. */
static void
test_utf8_before_retr (void)
{
  g_autoptr(PfTestServer) server = server_with (PF_TEST_SERVER_TLS,
    "S: +OK Courier-like ready\n"
    "C: CAPA\nS: +OK\nS: USER\nS: UIDL\nS: UTF8\nS: .\n"
    "C: USER bob\nS: +OK\nC: PASS " PASSWORD "\nS: +OK logged in\n"
    "C: CAPA\nS: +OK\nS: UIDL\nS: UTF8\nS: .\n"
    "C: UTF8\nS: +OK UTF8 enabled\n"
    "C: STAT\nS: +OK 1 60\nC: UIDL\nS: +OK\nS: 1 uid-1\nS: .\n"
    "C: LIST\nS: +OK\nS: 1 80\nS: .\n"
    "C: RETR 1\nS: +OK\nS: Subject: Grüße\nS: Message-ID: <1@popfetch.test>\nS: \nS: body\nS: .\n"
    "C: QUIT\nS: +OK\n");
  g_autoptr(GError) error = NULL;
  g_autoptr(PfFetchResult) result = run_fetch (server, PF_SECURITY_TLS, &error);
  g_autofree char *maildir = local_maildir ();
  g_autofree char *new_dir = g_build_filename (maildir, "new", NULL);
  g_autoptr(GDir) dir = NULL;
  g_autofree char *path = NULL;
  g_autofree char *contents = NULL;

  g_assert_no_error (error);
  g_assert_cmpuint (result->fetched, ==, 1);
  pf_test_fetch_assert_exactly_once (maildir, 1);
  dir = g_dir_open (new_dir, 0, NULL);
  path = g_build_filename (new_dir, g_dir_read_name (dir), NULL);
  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  g_assert_nonnull (strstr (contents, "Subject: Grüße\n"));
}

/* Without TLS (plaintext allowed), a refused APOP is followed by USER/PASS
 * on a new connection, which logs in and fetches; the result says USER
 * worked, for the account to remember. */
static void
test_apop_refused_then_user (void)
{
  g_autoptr(PfTestServer) server = server_with (PF_TEST_SERVER_PLAIN,
    "S: +OK POP3 ready <4711.1700000000@mail.example.test>\n"
    "C: CAPA\nS: +OK\nS: USER\nS: UIDL\nS: .\n"
    "C: APOP bob *\nS: -ERR [AUTH] authentication failed\n"
    "NEXT CONNECTION\n"
    "S: +OK POP3 ready <4712.1700000001@mail.example.test>\n"
    "C: CAPA\nS: +OK\nS: USER\nS: UIDL\nS: .\n"
    "C: USER bob\nS: +OK\nC: PASS " PASSWORD "\nS: +OK logged in\n"
    AFTER_LOGIN);
  g_autoptr(GError) error = NULL;
  g_autoptr(PfFetchResult) result = run_fetch (server, PF_SECURITY_NONE, &error);
  g_autofree char *maildir = local_maildir ();

  g_assert_no_error (error);
  g_assert_cmpuint (result->fetched, ==, 1);
  g_assert_cmpint (result->mechanism, ==, PF_AUTH_USER);
  g_assert_true (result->fell_back);
  g_assert_cmpuint (pf_test_server_get_n_connections (server), ==, 2);
  pf_test_fetch_assert_exactly_once (maildir, 1);
}

/* A -PLUS bound differently is refused; PLAIN inside TLS then works. */
static void
test_plus_refused_then_plain (void)
{
  g_autoptr(PfTestServer) server = server_with (PF_TEST_SERVER_TLS,
    "S: +OK Cyrus-like ready\n"
    "C: CAPA\nS: +OK\nS: UIDL\nS: SASL SCRAM-SHA-256-PLUS PLAIN\nS: .\n"
    "C: AUTH SCRAM-SHA-256-PLUS *\nS: -ERR [AUTH] authenticating: bad protocol / cancel\n"
    "NEXT CONNECTION\n"
    "S: +OK Cyrus-like ready\n"
    "C: CAPA\nS: +OK\nS: UIDL\nS: SASL SCRAM-SHA-256-PLUS PLAIN\nS: .\n"
    "C: AUTH PLAIN *\nS: +OK logged in\n"
    AFTER_LOGIN);
  g_autoptr(GError) error = NULL;
  g_autoptr(PfFetchResult) result = run_fetch (server, PF_SECURITY_TLS, &error);

  g_assert_no_error (error);
  g_assert_cmpuint (result->fetched, ==, 1);
  g_assert_cmpint (result->mechanism, ==, PF_AUTH_PLAIN);
  g_assert_true (result->fell_back);
}

/* With nothing to fall back to, the fetch fails with the method's
 * failure, not "Password rejected", after one connection. */
static void
test_plus_refused_no_fallback (void)
{
  g_autoptr(PfTestServer) server = server_with (PF_TEST_SERVER_TLS,
    "S: +OK Cyrus-like ready\n"
    "C: CAPA\nS: +OK\nS: UIDL\nS: SASL SCRAM-SHA-256-PLUS\nS: .\n"
    "C: AUTH SCRAM-SHA-256-PLUS *\nS: -ERR [AUTH] authenticating: bad protocol / cancel\n");
  g_autoptr(GError) error = NULL;
  g_autoptr(PfFetchResult) result = run_fetch (server, PF_SECURITY_TLS, &error);

  g_assert_null (result);
  g_assert_error (error, PF_ERROR, PF_ERROR_AUTH_MECHANISM_FAILED);
  g_assert_nonnull (strstr (error->message, "SCRAM-SHA-256-PLUS"));
  g_assert_cmpuint (pf_test_server_get_n_connections (server), ==, 1);
}

/* popfetch-cli fetch --quiet --password-file … with @args, while this
 * process's main context runs (the scripted server accepts there). */
static int
run_cli (const char * const *args)
{
  g_autofree char *cli = g_test_build_filename (G_TEST_BUILT, "..", "src", "cli", "popfetch-cli", NULL);
  g_autofree char *password_file = g_build_filename (g_get_user_runtime_dir (), "password", NULL);
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (g_mkdir_with_parents (g_get_user_runtime_dir (), 0700), ==, 0);
  g_assert_true (g_file_set_contents_full (password_file, PASSWORD "\n", -1,
                                           G_FILE_SET_CONTENTS_NONE, 0600, &error));
  g_ptr_array_add (argv, cli);
  g_ptr_array_add (argv, (gpointer) "fetch");
  g_ptr_array_add (argv, (gpointer) "--quiet");
  g_ptr_array_add (argv, (gpointer) "--password-file");
  g_ptr_array_add (argv, password_file);
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);

  /* The test's isolated directories, so the default state dir is private. */
  g_subprocess_launcher_setenv (launcher, "HOME", g_get_home_dir (), TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_STATE_HOME", g_get_user_state_dir (), TRUE);
  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  g_subprocess_wait_async (process, NULL, pf_test_store_result, &result);
  pf_test_wait_result (&result, 30);
  g_assert_true (g_subprocess_wait_finish (process, result, &error));
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (process));
  return g_subprocess_get_exit_status (process);
}

/* `popfetch-cli fetch --host` takes --mechanism like `test` does: USER
 * although the greeting offers APOP. */
static void
test_cli_mechanism (void)
{
  g_autoptr(PfTestServer) server = server_with (PF_TEST_SERVER_PLAIN,
    "S: +OK POP3 ready <4711.1700000000@mail.example.test>\n"
    "C: CAPA\nS: +OK\nS: USER\nS: UIDL\nS: .\n"
    "C: USER bob\nS: +OK\nC: PASS " PASSWORD "\nS: +OK logged in\n"
    AFTER_LOGIN);
  g_autofree char *maildir = local_maildir ();
  g_autofree char *port = g_strdup_printf ("%u", pf_test_server_get_port (server));
  g_autofree char *failure = NULL;
  const char *user_args[] = { "--host", "127.0.0.1", "--port", port, "--security", "none",
                              "--user", "bob", "--maildir", maildir, "--mechanism", "user", NULL };
  const char *unknown_args[] = { "--host", "127.0.0.1", "--port", port, "--security", "none",
                                 "--user", "bob", "--maildir", maildir, "--mechanism", "GSSAPI", NULL };

  g_assert_cmpint (run_cli (user_args), ==, 0);
  failure = pf_test_server_dup_failure (server);
  g_assert_cmpstr (failure, ==, NULL);
  g_assert_false (pf_test_server_received_contains (server, "APOP"));
  pf_test_fetch_assert_exactly_once (maildir, 1);

  g_assert_cmpint (run_cli (unknown_args), ==, 64);   /* EX_USAGE */
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/engine/delivery/fetch/login/utf8-before-retr", test_utf8_before_retr);
  g_test_add_func ("/engine/delivery/fetch/login/apop-refused-then-user", test_apop_refused_then_user);
  g_test_add_func ("/engine/delivery/fetch/login/plus-refused-then-plain", test_plus_refused_then_plain);
  g_test_add_func ("/engine/delivery/fetch/login/plus-refused-no-fallback", test_plus_refused_no_fallback);
  g_test_add_func ("/engine/delivery/fetch/login/cli-mechanism", test_cli_mechanism);

  return g_test_run ();
}
