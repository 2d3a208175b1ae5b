/* test-cli-goa.c — popfetch-cli add --goa and a fetch of that account, with
 * the GNOME Online Accounts stand-in and Dovecot's oauth2 passdb
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 *   dbus-run-session --config-file=tests/lib/pf-test-session-bus.conf -- test-cli-goa
 *
 * The stand-in (tests/lib/pf-goa-service.py) mints its tokens at the test
 * authorization server, which Dovecot asks about every token. The bus
 * starts nothing on demand: without the stand-in, GOA is absent.
 */

#include "config.h"

#include <string.h>

#include <gio/gio.h>

#include "pf-test-cli.h"
#include "pf-test-dovecot.h"
#include "pf-test-goa.h"
#include "pf-test-oauth.h"
#include "pf-test-util.h"

#define USER     "goa@popfetch.test"
#define EXIT_CONFIG 78

typedef struct
{
  PfTestOAuth   *oauth;
  PfTestDovecot *dovecot;
  PfTestGoa     *goa;
  char          *port;
} Fixture;

static gboolean
fixture_start (Fixture *fixture)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *introspect = NULL;
  g_autofree char *mint_url = NULL;
  g_autofree char *config = NULL;

  memset (fixture, 0, sizeof *fixture);
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

  mint_url = pf_test_oauth_get_url (fixture->oauth, "/control");
  config = g_strdup_printf ("{\"accounts\": [{\"id\": \"account_1700000000_1\", \"address\": \"%s\","
                            " \"provider_type\": \"google\", \"provider_name\": \"Google\","
                            " \"mint_url\": \"%s\", \"mint_body\": \"action=mint&user=%s\"}]}",
                            USER, mint_url, USER);
  fixture->goa = pf_test_goa_start (config);
  return TRUE;
}

static void
fixture_stop (Fixture *fixture)
{
  g_clear_pointer (&fixture->goa, pf_test_goa_stop);
  g_clear_pointer (&fixture->dovecot, pf_test_dovecot_stop);
  g_clear_pointer (&fixture->oauth, pf_test_oauth_stop);
  g_free (fixture->port);
}

static void
add_goa (Fixture    *fixture,
         PfTestRun  *result,
         const char *address)
{
  const char *argv[] = {
    "add", address, "--name", "GOA", "--goa",
    "--host", "127.0.0.1", "--port", fixture->port, "--security", "tls",
    "--ca-file", pf_test_dovecot_get_ca_file (fixture->dovecot), "--yes",
    NULL
  };

  pf_test_run_cli (result, NULL, argv);
  g_test_message ("popfetch-cli add: %d\n%s%s", result->status, result->out, result->err);
}

static char *
accounts_text (void)
{
  g_autofree char *path = pf_test_accounts_file ();
  char *text = NULL;

  if (!g_file_get_contents (path, &text, NULL, NULL))
    return g_strdup ("");
  return text;
}

/* add --goa finds the GOA account by address, tests the login with its
 * token and saves the account naming it; fetch then takes GOA's token. */
static void
test_add_and_fetch (void)
{
  Fixture fixture;
  g_auto(PfTestRun) added = { 0 };
  g_auto(PfTestRun) fetched = { 0 };
  g_autofree char *text = NULL;
  g_autofree char *calls = NULL;
  g_autofree char *new_dir = g_build_filename (g_get_home_dir (), "Mail", "GOA", "new", NULL);

  if (!fixture_start (&fixture))
    {
      fixture_stop (&fixture);
      return;
    }

  add_goa (&fixture, &added, USER);
  g_assert_cmpint (added.status, ==, 0);
  g_assert_nonnull (strstr (added.out, "GNOME Online Accounts signs in to " USER " (Google)"));
  g_assert_nonnull (strstr (added.out, "Login works"));
  text = accounts_text ();
  g_assert_nonnull (strstr (text, "auth=oauth2\n"));
  g_assert_nonnull (strstr (text, "oauth2-source=goa\n"));
  g_assert_nonnull (strstr (text, "goa-account-id=account_1700000000_1\n"));
  g_assert_null (strstr (text, "at-"));

  {
    const char *argv[] = { "fetch", "GOA", NULL };

    pf_test_run_cli (&fetched, NULL, argv);
    g_test_message ("popfetch-cli fetch: %d\n%s%s", fetched.status, fetched.out, fetched.err);
  }
  g_assert_cmpint (fetched.status, ==, 0);
  g_assert_cmpuint (pf_test_count_files (new_dir), ==, 2);
  /* No token in what the user sees. */
  g_assert_null (strstr (added.out, "at-"));
  g_assert_null (strstr (fetched.out, "at-"));
  g_assert_null (strstr (fetched.err, "at-"));

  calls = pf_test_goa_dup_calls (fixture.goa);
  g_assert_nonnull (strstr (calls, "GetAccessToken account_1700000000_1\n"));
  fixture_stop (&fixture);
}

/* GOA has no account for the address: a plain message, nothing saved. */
static void
test_no_account_for_address (void)
{
  Fixture fixture;
  g_auto(PfTestRun) added = { 0 };
  g_autofree char *text = NULL;

  if (!fixture_start (&fixture))
    {
      fixture_stop (&fixture);
      return;
    }

  add_goa (&fixture, &added, "other@popfetch.test");
  g_assert_cmpint (added.status, ==, EXIT_CONFIG);
  g_assert_nonnull (strstr (added.err, "GNOME Online Accounts has no mail account for other@popfetch.test"));
  text = accounts_text ();
  g_assert_null (strstr (text, "[Account GOA]"));
  fixture_stop (&fixture);
}

/* Nobody owns org.gnome.OnlineAccounts: the same, saying GOA may be
 * missing. */
static void
test_goa_absent (void)
{
  g_auto(PfTestRun) added = { 0 };
  g_autofree char *text = NULL;
  const char *argv[] = {
    "add", USER, "--name", "GOA", "--goa", "--host", "127.0.0.1", "--port", "995", "--yes", NULL
  };

  pf_test_run_cli (&added, NULL, argv);
  g_test_message ("popfetch-cli add: %d\n%s%s", added.status, added.out, added.err);
  g_assert_cmpint (added.status, ==, EXIT_CONFIG);
  g_assert_nonnull (strstr (added.err, "not available on this computer"));
  text = accounts_text ();
  g_assert_null (strstr (text, "[Account GOA]"));
}

/* --goa with a password or another sign-in is a usage error. */
static void
test_goa_takes_no_password (void)
{
  g_auto(PfTestRun) added = { 0 };
  const char *argv[] = { "add", USER, "--goa", "--password-stdin", "--host", "127.0.0.1", NULL };

  pf_test_run_cli (&added, "secret\n", argv);
  g_assert_cmpint (added.status, ==, 64);
  g_assert_nonnull (strstr (added.err, "--goa takes no password"));
}
/* GNOME Online Accounts keeps its own OAuth2 settings: `edit` refuses to
 * set Popfetch's on such an account, and the accounts file stays as it
 * was. */
static void
test_goa_edit_refuses_oauth2_options (void)
{
  g_autofree char *file = pf_test_accounts_file ();
  g_autofree char *dir = g_path_get_dirname (file);
  g_autofree char *after = NULL;
  g_auto(PfTestRun) edited = { 0 };
  const char *contents =
    "[Account goa]\n"
    "address=" USER "\n"
    "host=127.0.0.1\n"
    "port=995\n"
    "security=tls\n"
    "user=" USER "\n"
    "auth=oauth2\n"
    "oauth2-source=goa\n"
    "goa-account-id=account_1\n";
  const char *argv[] = { "edit", "goa", "--oauth2-client-id", "someone-elses-app", NULL };

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_assert_true (g_file_set_contents (file, contents, -1, NULL));
  pf_test_run_cli (&edited, NULL, argv);
  g_assert_cmpint (edited.status, ==, 64);
  g_assert_nonnull (strstr (edited.err, "GNOME Online Accounts, which keeps its own OAuth2 settings"));
  g_assert_true (g_file_get_contents (file, &after, NULL, NULL));
  g_assert_cmpstr (after, ==, contents);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/cli/goa/add-and-fetch", test_add_and_fetch);
  g_test_add_func ("/cli/goa/no-account-for-address", test_no_account_for_address);
  g_test_add_func ("/cli/goa/absent", test_goa_absent);
  g_test_add_func ("/cli/goa/takes-no-password", test_goa_takes_no_password);
  g_test_add_func ("/cli/goa/edit-refuses-oauth2-options", test_goa_edit_refuses_oauth2_options);

  return g_test_run ();
}
