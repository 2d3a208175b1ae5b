/* test-cli-login.c — what popfetch-cli says and keeps when a login needed
 * a second method: the -PLUS sent is named, a method's failure is not a
 * wrong password, and a saved account remembers the method that worked,
 * from `test NAME` and from `fetch NAME` alike, as `add` saves it
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

#include "pf-test-certs.h"
#include "pf-test-cli.h"
#include "pf-test-pop3.h"
#include "pf-test-server.h"
#include "pf-test-util.h"

#define PASSWORD "s3cret-Pa55word"

/* A Cyrus server over TLS 1.3 offers -PLUS but binds with tls-unique, so
 * it refuses Popfetch's tls-exporter binding as "bad protocol". */
#define PLUS_REFUSED \
  "S: +OK Cyrus-like ready\n" \
  "C: CAPA\nS: +OK\nS: UIDL\nS: SASL SCRAM-SHA-256-PLUS PLAIN\nS: .\n" \
  "C: AUTH SCRAM-SHA-256-PLUS *\nS: -ERR [AUTH] authenticating: bad protocol / cancel\n"

#define PLAIN_WORKS \
  "S: +OK Cyrus-like ready\n" \
  "C: CAPA\nS: +OK\nS: UIDL\nS: SASL SCRAM-SHA-256-PLUS PLAIN\nS: .\n" \
  "C: AUTH PLAIN *\nS: +OK logged in\n"

#define TEST_AFTER_LOGIN \
  "C: CAPA\nS: -ERR\nC: STAT\nS: +OK 0 0\nC: QUIT\nS: +OK\n"

#define FETCH_AFTER_LOGIN \
  "C: CAPA\nS: -ERR\n" \
  "C: STAT\nS: +OK 0 0\n" \
  "C: UIDL\nS: +OK\nS: .\n" \
  "C: LIST\nS: +OK\nS: .\n" \
  "C: QUIT\nS: +OK\n"

/* No keyring: every password here comes on stdin. */
static const char * const no_keyring[] = {
  "POPFETCH_DEMO",
  "DBUS_SESSION_BUS_ADDRESS=unix:path=/nonexistent/popfetch-test-bus",
  NULL
};

/* popfetch-cli with @args and the password on stdin, in the test's own
 * directories, iterating the main context meanwhile: the scripted server
 * accepts on it. */
static void
run_cli (PfTestRun          *outcome,
         const char * const *args)
{
  pf_test_run_cli_iterating (outcome, NULL, PASSWORD "\n", no_keyring, args);
}

/* A scripted TLS server with a valid certificate. */
static PfTestServer *
tls_server (const char *script)
{
  return pf_test_pop3_server (PF_TEST_SERVER_TLS, PF_TEST_CERT_VALID, script);
}

static void
assert_server_happy (PfTestServer *server)
{
  g_autofree char *failure = pf_test_server_dup_failure (server);

  g_assert_cmpstr (failure, ==, NULL);
}

/* `popfetch-cli test --host` against @server, method left to Popfetch. */
static void
run_test_host (PfTestRun    *outcome,
               PfTestServer *server)
{
  g_autofree char *port = g_strdup_printf ("%u", pf_test_server_get_port (server));
  const char *args[] = { "test", "--host", "127.0.0.1", "--port", port, "--security", "tls",
                         "--user", "bob", "--password-stdin", "--ca-file", pf_test_certs_ca_file (),
                         NULL };

  run_cli (outcome, args);
}

/* With nothing to fall back to, the login line names the -PLUS that was
 * sent (it used to say SCRAM-SHA-256), and the refusal is the method's:
 * "Sign-in method failed", not "Password rejected". */
static void
test_plus_refused_named (void)
{
  g_autoptr(PfTestServer) server = tls_server (
    "S: +OK Cyrus-like ready\n"
    "C: CAPA\nS: +OK\nS: SASL SCRAM-SHA-256-PLUS\nS: .\n"
    "C: AUTH SCRAM-SHA-256-PLUS *\nS: -ERR [AUTH] authenticating: bad protocol / cancel\n");
  g_auto(PfTestRun) outcome = { 0 };

  run_test_host (&outcome, server);
  assert_server_happy (server);
  g_assert_cmpint (outcome.status, ==, 77);
  g_assert_nonnull (strstr (outcome.out, " as bob with SCRAM-SHA-256-PLUS (1 attempt)"));
  g_assert_nonnull (strstr (outcome.out, "Sign-in method failed"));
  g_assert_null (strstr (outcome.out, "Password rejected"));
}

/* After the refused -PLUS, PLAIN inside TLS logs in on a new connection;
 * the output names the method that worked and every method sent. */
static void
test_plus_refused_then_plain (void)
{
  g_autoptr(PfTestServer) server = tls_server (PLUS_REFUSED "NEXT CONNECTION\n"
                                               PLAIN_WORKS TEST_AFTER_LOGIN);
  g_auto(PfTestRun) outcome = { 0 };

  run_test_host (&outcome, server);
  assert_server_happy (server);
  g_assert_cmpint (outcome.status, ==, 0);
  g_assert_nonnull (strstr (outcome.out, " as bob with PLAIN (2 attempts)"));
  g_assert_nonnull (strstr (outcome.out, "Methods tried: SCRAM-SHA-256-PLUS, PLAIN"));
  g_assert_nonnull (strstr (outcome.out, "The login works."));
}

/* Every method refused as a method: the diagnosis says the method failed
 * and lists what was tried, in the JSON too. */
static void
test_method_failure_json (void)
{
  g_autoptr(PfTestServer) server = tls_server (
    "S: +OK Cyrus-like ready\n"
    "C: CAPA\nS: +OK\nS: SASL SCRAM-SHA-256-PLUS\nS: .\n"
    "C: AUTH SCRAM-SHA-256-PLUS *\nS: -ERR [AUTH] authenticating: bad protocol / cancel\n");
  g_autofree char *port = g_strdup_printf ("%u", pf_test_server_get_port (server));
  const char *args[] = { "test", "--host", "127.0.0.1", "--port", port, "--security", "tls",
                         "--user", "bob", "--password-stdin", "--ca-file", pf_test_certs_ca_file (),
                         "--json", NULL };
  g_auto(PfTestRun) outcome = { 0 };

  run_cli (&outcome, args);
  assert_server_happy (server);
  g_assert_cmpint (outcome.status, ==, 77);
  g_assert_nonnull (strstr (outcome.out, "\"mechanism\":\"SCRAM-SHA-256-PLUS\""));
  g_assert_nonnull (strstr (outcome.out, "\"mechanisms_tried\":[\"SCRAM-SHA-256-PLUS\"]"));
  g_assert_nonnull (strstr (outcome.out, "\"title\":\"Sign-in method failed\""));
}

/* ---- Saved accounts remember what worked -------------------------------- */

/* A saved account "work" on @server, method on auto, trusting the test CA. */
static void
write_account (PfTestServer *server)
{
  g_autofree char *file = pf_test_accounts_file ();
  g_autofree char *dir = g_path_get_dirname (file);
  g_autofree char *maildir = g_build_filename (g_get_user_data_dir (), "Mail", "work", NULL);
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;

  contents = g_strdup_printf ("[Account work]\n"
                              "address=bob@popfetch.test\n"
                              "host=127.0.0.1\n"
                              "port=%u\n"
                              "security=tls\n"
                              "user=bob\n"
                              "mechanism=auto\n"
                              "maildir=%s\n"
                              "ca-file=%s\n",
                              pf_test_server_get_port (server), maildir, pf_test_certs_ca_file ());
  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_assert_true (g_file_set_contents_full (file, contents, -1, G_FILE_SET_CONTENTS_NONE, 0600, &error));
  g_assert_no_error (error);
}

static char *
saved_mechanism (void)
{
  g_autofree char *file = pf_test_accounts_file ();
  g_autoptr(GKeyFile) key_file = g_key_file_new ();
  g_autoptr(GError) error = NULL;
  char *mechanism;

  g_assert_true (g_key_file_load_from_file (key_file, file, G_KEY_FILE_NONE, &error));
  mechanism = g_key_file_get_string (key_file, "Account work", "mechanism", &error);
  g_assert_no_error (error);
  return mechanism;
}

/* `test NAME` after a refused -PLUS: PLAIN worked, so the account signs in
 * with PLAIN from now on (it used to forget it, and every later login sent
 * the -PLUS the server refuses first). */
static void
test_saved_test_remembers (void)
{
  g_autoptr(PfTestServer) server = tls_server (PLUS_REFUSED "NEXT CONNECTION\n"
                                               PLAIN_WORKS TEST_AFTER_LOGIN);
  const char *args[] = { "test", "work", "--password-stdin", NULL };
  g_auto(PfTestRun) outcome = { 0 };
  g_autofree char *mechanism = NULL;

  write_account (server);
  run_cli (&outcome, args);
  assert_server_happy (server);
  g_assert_cmpint (outcome.status, ==, 0);
  g_assert_nonnull (strstr (outcome.out, "Methods tried: SCRAM-SHA-256-PLUS, PLAIN"));
  mechanism = saved_mechanism ();
  g_assert_cmpstr (mechanism, ==, "PLAIN");
  g_assert_nonnull (strstr (outcome.err, "signs in with PLAIN from now on"));
}

/* `add` tests the login before saving: an account left on auto is saved
 * with the method that worked after the refused -PLUS (it used to be saved
 * on auto, and its first fetch sent the refused -PLUS again). Without a
 * keyring the settings are saved and the password is not (78). */
static void
test_add_saves_what_worked (void)
{
  g_autoptr(PfTestServer) server = tls_server (PLUS_REFUSED "NEXT CONNECTION\n"
                                               PLAIN_WORKS TEST_AFTER_LOGIN);
  g_autofree char *port = g_strdup_printf ("%u", pf_test_server_get_port (server));
  const char *args[] = { "add", "bob@popfetch.test", "--name", "work", "--host", "127.0.0.1",
                         "--port", port, "--security", "tls", "--user", "bob",
                         "--ca-file", pf_test_certs_ca_file (), "--password-stdin", "--yes", NULL };
  g_auto(PfTestRun) outcome = { 0 };
  g_autofree char *mechanism = NULL;

  run_cli (&outcome, args);
  assert_server_happy (server);
  g_assert_nonnull (strstr (outcome.out, "Login works as bob (PLAIN)."));
  g_assert_cmpint (outcome.status, ==, 78);
  mechanism = saved_mechanism ();
  g_assert_cmpstr (mechanism, ==, "PLAIN");
}

/* `fetch NAME` the same; the next fetch goes straight to PLAIN, on one
 * connection. */
static void
test_saved_fetch_remembers (void)
{
  g_autoptr(PfTestServer) server = tls_server (PLUS_REFUSED "NEXT CONNECTION\n"
                                               PLAIN_WORKS FETCH_AFTER_LOGIN);
  g_autoptr(PfTestServer) again = NULL;
  const char *args[] = { "fetch", "work", "--password-stdin", "--quiet", NULL };
  g_auto(PfTestRun) first = { 0 };
  g_auto(PfTestRun) second = { 0 };
  g_autofree char *mechanism = NULL;
  g_autofree char *file = pf_test_accounts_file ();
  g_autofree char *contents = NULL;

  write_account (server);
  run_cli (&first, args);
  assert_server_happy (server);
  g_assert_cmpint (first.status, ==, 0);
  mechanism = saved_mechanism ();
  g_assert_cmpstr (mechanism, ==, "PLAIN");
  g_assert_nonnull (strstr (first.err, "signs in with PLAIN from now on"));

  /* The same account on a new server (port), method kept. */
  again = tls_server (PLAIN_WORKS FETCH_AFTER_LOGIN);
  g_assert_true (g_file_get_contents (file, &contents, NULL, NULL));
  {
    g_autofree char *old_port = g_strdup_printf ("port=%u\n", pf_test_server_get_port (server));
    g_autofree char *new_port = g_strdup_printf ("port=%u\n", pf_test_server_get_port (again));
    g_autoptr(GString) edited = g_string_new (contents);

    g_assert_cmpuint (g_string_replace (edited, old_port, new_port, 1), ==, 1);
    g_assert_true (g_file_set_contents_full (file, edited->str, -1, G_FILE_SET_CONTENTS_NONE, 0600, NULL));
  }
  run_cli (&second, args);
  assert_server_happy (again);
  g_assert_cmpint (second.status, ==, 0);
  g_assert_cmpuint (pf_test_server_get_n_connections (again), ==, 1);
  g_assert_false (pf_test_server_received_contains (again, "SCRAM"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/cli/login/test/plus-refused-named", test_plus_refused_named);
  g_test_add_func ("/cli/login/test/plus-refused-then-plain", test_plus_refused_then_plain);
  g_test_add_func ("/cli/login/test/method-failure-json", test_method_failure_json);
  g_test_add_func ("/cli/login/saved/test-remembers", test_saved_test_remembers);
  g_test_add_func ("/cli/login/saved/fetch-remembers", test_saved_fetch_remembers);
  g_test_add_func ("/cli/login/add/saves-what-worked", test_add_saves_what_worked);
  return g_test_run ();
}
