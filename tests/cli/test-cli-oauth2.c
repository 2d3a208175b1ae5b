/* test-cli-oauth2.c — popfetch-cli add --oauth2, fetch, test, sign-in and
 * fetch --oauth2-token-file against the test authorization server, a real
 * gnome-keyring and Dovecot's oauth2 passdb
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define _GNU_SOURCE  /* memmem */

#include "config.h"

#include <string.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

#include "pf-test-cli.h"
#include "pf-test-dovecot.h"
#include "pf-test-oauth.h"
#include "pf-test-util.h"

#define USER        "oauth@popfetch.test"
#define EXIT_SIGN_IN 79

typedef struct
{
  PfTestOAuth   *oauth;
  PfTestDovecot *dovecot;
  char          *port;
  char          *authorize_url;
  char          *token_url;
  char          *device_url;
  char          *browser;
  GPtrArray     *outputs;    /* every stdout and stderr of popfetch-cli */
} Fixture;

static gboolean
fixture_start (Fixture *fixture)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *introspect = NULL;

  memset (fixture, 0, sizeof *fixture);
  fixture->outputs = g_ptr_array_new_with_free_func (g_free);
  if (!pf_test_require_keyring ())
    return FALSE;
  fixture->oauth = pf_test_oauth_start_or_skip ();
  if (fixture->oauth == NULL)
    return FALSE;
  introspect = pf_test_oauth_get_url (fixture->oauth, "/introspect");
  fixture->dovecot = pf_test_dovecot_start_oauth2_or_skip (introspect);
  if (fixture->dovecot == NULL)
    return FALSE;
  pf_test_dovecot_add_oauth2_user (fixture->dovecot, USER, &error);
  g_assert_no_error (error);
  pf_test_dovecot_add_messages (fixture->dovecot, USER, 2, 300, &error);
  g_assert_no_error (error);

  fixture->port = g_strdup_printf ("%u", pf_test_dovecot_get_tls_port (fixture->dovecot));
  fixture->authorize_url = pf_test_oauth_get_url (fixture->oauth, "/authorize");
  fixture->token_url = pf_test_oauth_get_url (fixture->oauth, "/token");
  fixture->device_url = pf_test_oauth_get_url (fixture->oauth, "/device");
  fixture->browser = g_strdup_printf ("BROWSER=python3 %s", PF_TEST_BROWSER_SCRIPT);
  return TRUE;
}

static void
fixture_stop (Fixture *fixture)
{
  g_clear_pointer (&fixture->dovecot, pf_test_dovecot_stop);
  g_clear_pointer (&fixture->oauth, pf_test_oauth_stop);
  g_free (fixture->port);
  g_free (fixture->authorize_url);
  g_free (fixture->token_url);
  g_free (fixture->device_url);
  g_free (fixture->browser);
  g_clear_pointer (&fixture->outputs, g_ptr_array_unref);
}

/* popfetch-cli with $BROWSER the stand-in; its output is kept for the
 * secrets check. */
static void
run (Fixture            *fixture,
     PfTestRun          *result,
     const char * const *argv)
{
  const char *env[] = { fixture->browser, "PF_TEST_BROWSER_MODE=follow", NULL };

  pf_test_run_cli_env (result, NULL, env, argv);
  g_test_message ("popfetch-cli %s: %d\n%s%s", argv[0], result->status, result->out, result->err);
  g_ptr_array_add (fixture->outputs, g_strdup (result->out));
  g_ptr_array_add (fixture->outputs, g_strdup (result->err));
}

static void
add_account (Fixture    *fixture,
             PfTestRun  *result,
             const char *name,
             gboolean    device_code)
{
  g_autofree char *maildir = g_build_filename (g_get_home_dir (), "Mail", name, NULL);
  const char *argv[] = {
    "add", USER, "--name", name, "--oauth2",
    "--oauth2-authorize-url", fixture->authorize_url,
    "--oauth2-token-url", fixture->token_url,
    "--oauth2-device-url", fixture->device_url,
    "--oauth2-client-id", "popfetch-test-client",
    "--oauth2-scope", "pop offline_access",
    "--host", "127.0.0.1", "--port", fixture->port, "--security", "tls",
    "--ca-file", pf_test_dovecot_get_ca_file (fixture->dovecot),
    "--maildir", maildir, "--yes",
    device_code ? "--device-code" : NULL,
    NULL
  };

  run (fixture, result, argv);
}

static void
collect_files (const char *path,
               GPtrArray  *files)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        collect_files (child, files);
      else if (g_file_test (child, G_FILE_TEST_IS_REGULAR))
        g_ptr_array_add (files, g_steal_pointer (&child));
    }
}

/* No token or code the server ever issued appears in anything popfetch-cli
 * printed or in any file under the test's home and XDG directories (the
 * keyring's own files are encrypted; the token files the test wrote are
 * skipped). */
static void
assert_no_secrets (Fixture    *fixture,
                   const char *except_file)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) secrets = g_ptr_array_new_with_free_func (g_free);
  const char * const dirs[] = {
    g_get_home_dir (), g_get_user_config_dir (), g_get_user_state_dir (),
    g_get_user_data_dir (), g_get_user_cache_dir (),
  };

  /* The control answer is key=value lines; several share a key, so read
   * them raw. */
  {
    g_autoptr(GSocketClient) client = g_socket_client_new ();
    g_autoptr(GSocketConnection) connection = NULL;
    g_autofree char *request = NULL;
    g_autoptr(GDataInputStream) in = NULL;
    char *line;
    gboolean body = FALSE;

    connection = g_socket_client_connect_to_host (client, "127.0.0.1",
                                                  pf_test_oauth_get_port (fixture->oauth),
                                                  NULL, &error);
    g_assert_no_error (error);
    request = g_strdup ("POST /control HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
                        "Content-Type: application/x-www-form-urlencoded\r\n"
                        "Content-Length: 13\r\n\r\naction=issued");
    g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (connection)),
                               request, strlen (request), NULL, NULL, &error);
    g_assert_no_error (error);
    in = g_data_input_stream_new (g_io_stream_get_input_stream (G_IO_STREAM (connection)));
    while ((line = g_data_input_stream_read_line_utf8 (in, NULL, NULL, NULL)) != NULL)
      {
        char *eq = strchr (line, '=');

        g_strchomp (line);
        if (body && eq != NULL)
          g_ptr_array_add (secrets, g_strdup (eq + 1));
        if (*line == '\0')
          body = TRUE;
        g_free (line);
      }
  }
  g_assert_cmpuint (secrets->len, >, 0);

  for (gsize i = 0; i < G_N_ELEMENTS (dirs); i++)
    collect_files (dirs[i], files);

  for (guint s = 0; s < secrets->len; s++)
    {
      const char *secret = secrets->pdata[s];

      for (guint i = 0; i < fixture->outputs->len; i++)
        g_assert_null (strstr (fixture->outputs->pdata[i], secret));
      for (guint i = 0; i < files->len; i++)
        {
          g_autofree char *contents = NULL;
          gsize len = 0;

          if (g_strcmp0 (files->pdata[i], except_file) == 0 ||
              strstr (files->pdata[i], "keyrings") != NULL)
            continue;
          if (!g_file_get_contents (files->pdata[i], &contents, &len, NULL))
            continue;
          if (memmem (contents, len, secret, strlen (secret)) != NULL)
            g_error ("a token or code is in %s", (const char *) files->pdata[i]);
        }
    }
}

static void
test_add_fetch_revoke_sign_in (void)
{
  Fixture fixture;
  g_auto(PfTestRun) added = { 0 };
  g_auto(PfTestRun) fetched = { 0 };
  g_auto(PfTestRun) tested = { 0 };
  g_auto(PfTestRun) revoked = { 0 };
  g_auto(PfTestRun) signed_in = { 0 };
  g_auto(PfTestRun) again = { 0 };
  g_autoptr(GError) error = NULL;
  g_autofree char *accounts = NULL;
  g_autofree char *accounts_text = NULL;
  g_autofree char *new_dir = NULL;

  if (!fixture_start (&fixture))
    return fixture_stop (&fixture);

  /* First sign-in in the browser, login test, saved. */
  add_account (&fixture, &added, "work", FALSE);
  g_assert_cmpint (added.status, ==, 0);
  g_assert_nonnull (strstr (added.out, "Signed in."));
  g_assert_nonnull (strstr (added.out, "Login works as " USER " (XOAUTH2)"));
  accounts = pf_test_accounts_file ();
  g_assert_true (g_file_get_contents (accounts, &accounts_text, NULL, NULL));
  g_assert_nonnull (strstr (accounts_text, "auth=oauth2"));
  g_assert_nonnull (strstr (accounts_text, "oauth2-client-id=popfetch-test-client"));

  {
    g_auto(PfTestRun) shown = { 0 };

    run (&fixture, &shown, (const char *[]) { "show", "work", "--json", NULL });
    g_assert_cmpint (shown.status, ==, 0);
    g_assert_nonnull (strstr (shown.out, "\"auth\":\"oauth2\""));
  }

  /* fetch NAME refreshes and fetches. */
  run (&fixture, &fetched, (const char *[]) { "fetch", "work", NULL });
  g_assert_cmpint (fetched.status, ==, 0);
  new_dir = g_build_filename (g_get_home_dir (), "Mail", "work", "new", NULL);
  g_assert_cmpuint (pf_test_count_files (new_dir), ==, 2);
  g_assert_cmpuint (pf_test_oauth_get_count (fixture.oauth, "token-refresh_token"), >=, 1);

  /* test NAME, with the transcript. */
  run (&fixture, &tested, (const char *[]) { "test", "work", "--transcript", NULL });
  g_assert_cmpint (tested.status, ==, 0);
  g_assert_nonnull (strstr (tested.out, "AUTH XOAUTH2"));

  /* Revoked at the provider: a clear "sign in again" and its own status. */
  pf_test_oauth_revoke_user (fixture.oauth, USER, &error);
  g_assert_no_error (error);
  run (&fixture, &revoked, (const char *[]) { "fetch", "work", NULL });
  g_assert_cmpint (revoked.status, ==, EXIT_SIGN_IN);
  g_assert_nonnull (strstr (revoked.err, "Sign in again"));
  g_assert_nonnull (strstr (revoked.err, "popfetch-cli sign-in work"));

  /* sign-in NAME mends it. */
  run (&fixture, &signed_in, (const char *[]) { "sign-in", "work", NULL });
  g_assert_cmpint (signed_in.status, ==, 0);
  pf_test_dovecot_add_messages (fixture.dovecot, USER, 1, 300, &error);
  g_assert_no_error (error);
  run (&fixture, &again, (const char *[]) { "fetch", "work", NULL });
  g_assert_cmpint (again.status, ==, 0);
  g_assert_cmpuint (pf_test_count_files (new_dir), ==, 3);

  assert_no_secrets (&fixture, NULL);
  fixture_stop (&fixture);
}

/* edit changes the sign-in settings; a new client id makes the saved
 * refresh token useless: the edit says so, the old keyring item goes, the
 * next fetch asks for a sign-in, and sign-in mends it. */
static void
test_edit_client_id (void)
{
  Fixture fixture;
  g_auto(PfTestRun) added = { 0 };
  g_auto(PfTestRun) edited = { 0 };
  g_auto(PfTestRun) fetched = { 0 };
  g_auto(PfTestRun) signed_in = { 0 };
  g_auto(PfTestRun) again = { 0 };
  g_auto(PfTestRun) scoped = { 0 };
  g_auto(PfTestRun) back = { 0 };
  g_auto(PfTestRun) stale = { 0 };
  g_autofree char *accounts = NULL;
  g_autofree char *accounts_text = NULL;
  g_autofree char *new_dir = NULL;

  if (!fixture_start (&fixture))
    return fixture_stop (&fixture);

  add_account (&fixture, &added, "work", FALSE);
  g_assert_cmpint (added.status, ==, 0);

  run (&fixture, &edited, (const char *[]) { "edit", "work", "--oauth2-client-id",
                                             "popfetch-other-client", NULL });
  g_assert_cmpint (edited.status, ==, 0);
  g_assert_nonnull (strstr (edited.out, "popfetch-cli sign-in work"));
  accounts = pf_test_accounts_file ();
  g_assert_true (g_file_get_contents (accounts, &accounts_text, NULL, NULL));
  g_assert_nonnull (strstr (accounts_text, "oauth2-client-id=popfetch-other-client"));

  run (&fixture, &fetched, (const char *[]) { "fetch", "work", NULL });
  g_assert_cmpint (fetched.status, ==, EXIT_SIGN_IN);
  g_assert_nonnull (strstr (fetched.err, "popfetch-cli sign-in work"));

  run (&fixture, &signed_in, (const char *[]) { "sign-in", "work", NULL });
  g_assert_cmpint (signed_in.status, ==, 0);
  run (&fixture, &again, (const char *[]) { "fetch", "work", NULL });
  g_assert_cmpint (again.status, ==, 0);
  new_dir = g_build_filename (g_get_home_dir (), "Mail", "work", "new", NULL);
  g_assert_cmpuint (pf_test_count_files (new_dir), ==, 2);

  /* The scope is no part of where the token is kept: no new sign-in. */
  run (&fixture, &scoped, (const char *[]) { "edit", "work", "--oauth2-scope",
                                             "pop offline_access", NULL });
  g_assert_cmpint (scoped.status, ==, 0);
  g_assert_null (strstr (scoped.out, "sign-in"));

  /* Back to the first client id: its refresh token was cleared by the
   * first edit (kept, it would still work here). */
  run (&fixture, &back, (const char *[]) { "edit", "work", "--oauth2-client-id",
                                           "popfetch-test-client", NULL });
  g_assert_cmpint (back.status, ==, 0);
  g_assert_nonnull (strstr (back.out, "popfetch-cli sign-in work"));
  run (&fixture, &stale, (const char *[]) { "fetch", "work", NULL });
  g_assert_cmpint (stale.status, ==, EXIT_SIGN_IN);

  assert_no_secrets (&fixture, NULL);
  fixture_stop (&fixture);
}

/* edit checks the OAuth2 settings as add does, and refuses them where they
 * do not belong; nothing changes. */
static void
test_edit_refused (void)
{
  Fixture fixture;
  g_auto(PfTestRun) added = { 0 };
  g_auto(PfTestRun) plain_http = { 0 };
  g_auto(PfTestRun) password_added = { 0 };
  g_auto(PfTestRun) on_password = { 0 };
  g_autofree char *accounts = NULL;
  g_autofree char *accounts_text = NULL;

  if (!fixture_start (&fixture))
    return fixture_stop (&fixture);

  add_account (&fixture, &added, "work", FALSE);
  g_assert_cmpint (added.status, ==, 0);
  run (&fixture, &plain_http, (const char *[]) { "edit", "work", "--oauth2-token-url",
                                                 "http://login.example.com/token", NULL });
  g_assert_cmpint (plain_http.status, ==, 64);
  g_assert_nonnull (strstr (plain_http.err, "https"));

  pf_test_run_clif (&password_added, "not-a-secret\n", "add", "plain@example.com", "--name",
                    "plain", "--host", "127.0.0.1", "--port", fixture.port, "--security", "tls",
                    "--skip-test", "--yes", "--password-stdin", NULL);
  g_assert_cmpint (password_added.status, ==, 0);
  run (&fixture, &on_password, (const char *[]) { "edit", "plain", "--oauth2-client-id",
                                                  "popfetch-test-client", NULL });
  g_assert_cmpint (on_password.status, ==, 64);
  g_assert_nonnull (strstr (on_password.err, "password"));

  accounts = pf_test_accounts_file ();
  g_assert_true (g_file_get_contents (accounts, &accounts_text, NULL, NULL));
  g_assert_null (strstr (accounts_text, "http://login.example.com"));
  g_assert_nonnull (strstr (accounts_text, "oauth2-client-id=popfetch-test-client"));
  fixture_stop (&fixture);
}

static void
test_add_device_code (void)
{
  Fixture fixture;
  g_auto(PfTestRun) added = { 0 };
  g_auto(PfTestRun) fetched = { 0 };

  if (!fixture_start (&fixture))
    return fixture_stop (&fixture);

  add_account (&fixture, &added, "device", TRUE);
  g_assert_cmpint (added.status, ==, 0);
  g_assert_nonnull (strstr (added.out, "enter the code"));
  /* No browser was involved. */
  g_assert_cmpuint (pf_test_oauth_get_count (fixture.oauth, "authorize"), ==, 0);
  run (&fixture, &fetched, (const char *[]) { "fetch", "device", NULL });
  g_assert_cmpint (fetched.status, ==, 0);

  assert_no_secrets (&fixture, NULL);
  fixture_stop (&fixture);
}

static void
test_add_refused (void)
{
  Fixture fixture;
  g_auto(PfTestRun) denied = { 0 };
  g_auto(PfTestRun) admin = { 0 };
  g_autoptr(GError) error = NULL;
  g_autofree char *accounts = NULL;
  g_autofree char *accounts_text = NULL;

  if (!fixture_start (&fixture))
    return fixture_stop (&fixture);

  pf_test_oauth_set (fixture.oauth, "outcome", "deny", &error);
  g_assert_no_error (error);
  add_account (&fixture, &denied, "denied", FALSE);
  g_assert_cmpint (denied.status, ==, 77);
  g_assert_nonnull (strstr (denied.err, "Access was not granted"));
  g_assert_nonnull (strstr (denied.err, "Nothing was saved."));

  pf_test_oauth_set (fixture.oauth, "outcome", "admin-consent", &error);
  g_assert_no_error (error);
  add_account (&fixture, &admin, "admin", FALSE);
  g_assert_cmpint (admin.status, ==, 77);
  g_assert_nonnull (strstr (admin.err, "administrator must approve"));
  g_assert_nonnull (strstr (admin.err, "AADSTS65001"));

  accounts = pf_test_accounts_file ();
  g_file_get_contents (accounts, &accounts_text, NULL, NULL);
  g_assert_true (accounts_text == NULL || strstr (accounts_text, "[account denied]") == NULL);
  fixture_stop (&fixture);
}

static void
test_add_no_client_id (void)
{
  Fixture fixture;
  g_auto(PfTestRun) result = { 0 };

  if (strlen (PF_OAUTH2_MICROSOFT_CLIENT_ID) > 0)
    {
      g_test_skip ("this build has a Microsoft client id");
      return;
    }
  if (!fixture_start (&fixture))
    return fixture_stop (&fixture);

  run (&fixture, &result, (const char *[]) {
    "add", "someone@outlook.com", "--oauth2", "--oauth2-provider", "microsoft",
    "--host", "127.0.0.1", "--port", fixture.port, "--security", "tls", "--yes", NULL });
  g_assert_cmpint (result.status, ==, 78);
  g_assert_nonnull (strstr (result.err, "no OAuth2 client id for Microsoft"));
  g_assert_nonnull (strstr (result.err, "GNOME Online Accounts"));
  g_assert_nonnull (strstr (result.err, "app password"));
  fixture_stop (&fixture);
}

static void
test_fetch_token_file (void)
{
  Fixture fixture;
  g_auto(PfTestRun) fetched = { 0 };
  g_auto(PfTestRun) bearer = { 0 };
  g_auto(PfTestRun) readable = { 0 };
  g_autoptr(GError) error = NULL;
  g_autofree char *token = NULL;
  g_autofree char *token_file = NULL;
  g_autofree char *line = NULL;
  g_autofree char *maildir = NULL;
  g_autofree char *new_dir = NULL;

  if (!fixture_start (&fixture))
    return fixture_stop (&fixture);

  token = pf_test_oauth_mint (fixture.oauth, USER, 0, NULL, &error);
  g_assert_no_error (error);
  /* In the test's own directories (made private), so no earlier run's
   * file with other permissions is in the way. */
  g_mkdir_with_parents (g_get_user_cache_dir (), 0700);
  token_file = g_build_filename (g_get_user_cache_dir (), "token", NULL);
  g_unlink (token_file);
  line = g_strconcat (token, "\n", NULL);
  g_assert_true (g_file_set_contents_full (token_file, line, -1, G_FILE_SET_CONTENTS_NONE, 0600, &error));
  maildir = g_build_filename (g_get_user_data_dir (), "adhoc", NULL);

  run (&fixture, &fetched, (const char *[]) {
    "fetch", "--host", "127.0.0.1", "--port", fixture.port, "--security", "tls",
    "--ca-file", pf_test_dovecot_get_ca_file (fixture.dovecot), "--user", USER,
    "--oauth2-token-file", token_file, "--maildir", maildir, NULL });
  g_assert_cmpint (fetched.status, ==, 0);
  new_dir = g_build_filename (maildir, "new", NULL);
  g_assert_cmpuint (pf_test_count_files (new_dir), ==, 2);

  pf_test_dovecot_add_messages (fixture.dovecot, USER, 1, 300, &error);
  g_assert_no_error (error);
  run (&fixture, &bearer, (const char *[]) {
    "fetch", "--host", "127.0.0.1", "--port", fixture.port, "--security", "tls",
    "--ca-file", pf_test_dovecot_get_ca_file (fixture.dovecot), "--user", USER,
    "--oauth2-token-file", token_file, "--mechanism", "OAUTHBEARER", "--maildir", maildir, NULL });
  g_assert_cmpint (bearer.status, ==, 0);
  g_assert_cmpuint (pf_test_count_files (new_dir), ==, 3);

  /* Checked like a password file: not for group or others. */
  g_chmod (token_file, 0644);
  run (&fixture, &readable, (const char *[]) {
    "fetch", "--host", "127.0.0.1", "--port", fixture.port, "--security", "tls",
    "--user", USER, "--oauth2-token-file", token_file, "--maildir", maildir, NULL });
  g_assert_cmpint (readable.status, ==, 64);
  g_assert_nonnull (strstr (readable.err, "other users"));
  /* It names the file, not a password it does not hold. */
  g_assert_null (strstr (readable.err, "password file"));

  assert_no_secrets (&fixture, token_file);
  fixture_stop (&fixture);
}

/* An ad hoc fetch, token file included, runs in popfetch-cli-fetch, which
 * links neither libsoup nor libsecret nor json-glib: the OAuth2 sign-in
 * lives in popfetch-cli only. */
static void
test_lean_fetch_links_no_http (void)
{
  g_autofree char *dir = g_path_get_dirname (pf_test_cli_path ());
  g_autofree char *lean = g_build_filename (dir, "popfetch-cli-fetch", NULL);
  g_autofree char *out = NULL;
  g_autofree char *readelf = g_find_program_in_path ("readelf");
  const char *argv[] = { "readelf", "-d", lean, NULL };
  int status = 0;

  if (readelf == NULL)
    {
      g_test_skip ("readelf is not installed");
      return;
    }
  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                               &out, NULL, &status, NULL));
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  g_assert_nonnull (strstr (out, "libgio-2.0"));
  g_assert_null (strstr (out, "libsoup"));
  g_assert_null (strstr (out, "libsecret"));
  g_assert_null (strstr (out, "libjson-glib"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/cli/oauth2/add-fetch-revoke-sign-in", test_add_fetch_revoke_sign_in);
  g_test_add_func ("/cli/oauth2/edit-client-id", test_edit_client_id);
  g_test_add_func ("/cli/oauth2/edit-refused", test_edit_refused);
  g_test_add_func ("/cli/oauth2/add-device-code", test_add_device_code);
  g_test_add_func ("/cli/oauth2/add-refused", test_add_refused);
  g_test_add_func ("/cli/oauth2/add-no-client-id", test_add_no_client_id);
  g_test_add_func ("/cli/oauth2/fetch-token-file", test_fetch_token_file);
  g_test_add_func ("/cli/oauth2/lean-fetch-links-no-http", test_lean_fetch_links_no_http);

  return g_test_run ();
}
