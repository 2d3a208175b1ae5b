/* test-cli-dovecot.c — popfetch-cli add, then fetch, against the real Dovecot
 * with the password going through a real gnome-keyring
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

#include "pf-test-cli.h"
#include "pf-test-pop3.h"
#include "pf-test-util.h"

#define USER     "carol"
#define PASSWORD "dovecot secret 42"

/* @user NULL: let add try the address, then its local part. */
static char *
add_account (PfTestDovecot *dovecot,
             PfTestRun     *run,
             const char    *user,
             const char    *password_line,
             const char    *maildir)
{
  g_autofree char *port = g_strdup_printf ("%u", pf_test_dovecot_get_tls_port (dovecot));
  const char *argv[] = {
    "add", USER "@popfetch.test", "--name", "dove", "--host", "127.0.0.1",
    "--port", port, "--security", "tls",
    "--ca-file", pf_test_dovecot_get_ca_file (dovecot), "--maildir", maildir,
    "--password-stdin", "--yes", NULL, NULL, NULL
  };

  if (user != NULL)
    {
      argv[G_N_ELEMENTS (argv) - 3] = "--user";
      argv[G_N_ELEMENTS (argv) - 2] = user;
    }

  pf_test_run_cli (run, password_line, argv);
  return pf_test_accounts_file ();
}

/* A wrong password: the login test fails and nothing is saved. */
static void
test_add_wrong_password_saves_nothing (void)
{
  g_autoptr(PfTestDovecot) dovecot = NULL;
  g_autofree char *maildir = g_build_filename (g_get_home_dir (), "Mail", "dove", NULL);
  g_autofree char *file = NULL;
  g_auto(PfTestRun) add = { 0 };

  if (!pf_test_require_keyring ())
    return;
  dovecot = pf_test_pop3_dovecot (USER, PASSWORD, 0, 0);
  if (dovecot == NULL)
    return;

  file = add_account (dovecot, &add, USER, "not the password\n", maildir);
  g_assert_cmpint (add.status, ==, 77);
  g_assert_nonnull (strstr (add.err, "Nothing was saved"));
  g_assert_false (g_file_test (file, G_FILE_TEST_EXISTS));
}

/* add with the password on stdin tests the login and puts the password in
 * gnome-keyring, not in the accounts file. */
static void
test_add_stores_password_in_keyring (void)
{
  g_autoptr(PfTestDovecot) dovecot = NULL;
  g_autofree char *maildir = g_build_filename (g_get_home_dir (), "Mail", "dove", NULL);
  g_autofree char *file = NULL;
  g_autofree char *contents = NULL;
  g_auto(PfTestRun) add = { 0 };
  g_autofree char *stored = NULL;

  if (!pf_test_require_keyring ())
    return;
  dovecot = pf_test_pop3_dovecot (USER, PASSWORD, 5, 2000);
  if (dovecot == NULL)
    return;

  file = add_account (dovecot, &add, NULL, PASSWORD "\n", maildir);
  g_assert_cmpint (add.status, ==, 0);
  /* The full address is refused; the local part logs in and is saved. */
  g_assert_nonnull (strstr (add.out, "Login works as " USER " "));
  g_assert_nonnull (strstr (add.out, "The password is in the keyring"));

  g_assert_true (g_file_get_contents (file, &contents, NULL, NULL));
  g_assert_nonnull (strstr (contents, "[Account dove]"));
  g_assert_nonnull (strstr (contents, "\nuser=" USER "\n"));
  g_assert_null (strstr (contents, PASSWORD));
  g_assert_null (strstr (contents, "secret"));

  stored = pf_test_secret_tool_lookup ("127.0.0.1", USER);
  g_assert_cmpstr (stored, ==, PASSWORD);
}

/* add, then fetch NAME with nothing on stdin: the password really comes
 * from gnome-keyring. fetch without names does every account. Without the
 * keyring, fetch says so and takes the password from stdin for that run. */
static void
test_add_then_fetch (void)
{
  g_autoptr(PfTestDovecot) dovecot = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *maildir = g_build_filename (g_get_home_dir (), "Mail", "dove", NULL);
  g_autofree char *new_dir = g_build_filename (maildir, "new", NULL);
  g_autofree char *file = NULL;
  g_auto(PfTestRun) add = { 0 };
  g_auto(PfTestRun) fetch = { 0 };
  g_auto(PfTestRun) all = { 0 };
  g_auto(PfTestRun) unknown = { 0 };
  g_auto(PfTestRun) test = { 0 };
  g_auto(PfTestRun) test_wrong = { 0 };

  if (!pf_test_require_keyring ())
    return;
  dovecot = pf_test_pop3_dovecot (USER, PASSWORD, 5, 2000);
  if (dovecot == NULL)
    return;

  file = add_account (dovecot, &add, USER, PASSWORD "\n", maildir);
  g_assert_cmpint (add.status, ==, 0);

  /* test NAME logs in with the saved settings and the keyring's password. */
  pf_test_run_clif (&test, NULL, "test", "dove", NULL);
  g_assert_cmpint (test.status, ==, 0);
  pf_test_run_clif (&test_wrong, "wrong\n", "test", "dove", "--password-stdin", NULL);
  g_assert_cmpint (test_wrong.status, ==, 77);

  pf_test_run_clif (&fetch, NULL, "fetch", "dove", NULL);
  g_assert_cmpint (fetch.status, ==, 0);
  g_assert_cmpuint (pf_test_count_files (new_dir), ==, 5);

  g_assert_true (pf_test_dovecot_add_messages (dovecot, USER, 2, 1000, &error));
  pf_test_run_clif (&all, NULL, "fetch", NULL);
  g_assert_cmpint (all.status, ==, 0);
  g_assert_cmpuint (pf_test_count_files (new_dir), ==, 7);

  pf_test_run_clif (&unknown, NULL, "fetch", "dove", "nope", NULL);
  g_assert_cmpint (unknown.status, ==, 78);
  g_assert_nonnull (strstr (unknown.err, "nope"));
}

/* The journal belongs to the saved account: after the host is edited to
 * another name of the same server (127.0.0.1 → localhost), and after the
 * account is renamed, nothing is downloaded twice. */
static void
test_host_edit_keeps_journal (void)
{
  g_autoptr(PfTestDovecot) dovecot = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *maildir = g_build_filename (g_get_home_dir (), "Mail", "dove", NULL);
  g_autofree char *new_dir = g_build_filename (maildir, "new", NULL);
  g_autofree char *file = NULL;
  g_auto(PfTestRun) add = { 0 };
  g_auto(PfTestRun) fetch = { 0 };
  g_auto(PfTestRun) edit_host = { 0 };
  g_auto(PfTestRun) fetch_again = { 0 };
  g_auto(PfTestRun) rename = { 0 };
  g_auto(PfTestRun) fetch_renamed = { 0 };

  if (!pf_test_require_keyring ())
    return;
  dovecot = pf_test_pop3_dovecot (USER, PASSWORD, 5, 2000);
  if (dovecot == NULL)
    return;

  file = add_account (dovecot, &add, USER, PASSWORD "\n", maildir);
  g_assert_cmpint (add.status, ==, 0);
  pf_test_run_clif (&fetch, NULL, "fetch", "dove", NULL);
  g_assert_cmpint (fetch.status, ==, 0);
  g_assert_cmpuint (pf_test_count_files (new_dir), ==, 5);

  pf_test_run_clif (&edit_host, NULL, "edit", "dove", "--host", "localhost", NULL);
  g_assert_cmpint (edit_host.status, ==, 0);
  g_assert_true (pf_test_dovecot_add_messages (dovecot, USER, 1, 1000, &error));
  pf_test_run_clif (&fetch_again, NULL, "fetch", "dove", NULL);
  g_assert_cmpint (fetch_again.status, ==, 0);
  g_assert_cmpuint (pf_test_count_files (new_dir), ==, 6);

  pf_test_run_clif (&rename, NULL, "edit", "dove", "--name", "dovecot-box", "--maildir", maildir, NULL);
  g_assert_cmpint (rename.status, ==, 0);
  g_assert_true (pf_test_dovecot_add_messages (dovecot, USER, 1, 1000, &error));
  pf_test_run_clif (&fetch_renamed, NULL, "fetch", "dovecot-box", NULL);
  g_assert_cmpint (fetch_renamed.status, ==, 0);
  g_assert_cmpuint (pf_test_count_files (new_dir), ==, 7);
}

/* popfetch-cli fetch --host with the password on stdin, into @maildir. */
static void
fetch_ad_hoc (PfTestDovecot *dovecot,
              PfTestRun     *run,
              const char    *host,
              const char    *maildir)
{
  g_autofree char *port = g_strdup_printf ("%u", pf_test_dovecot_get_tls_port (dovecot));
  const char *argv[] = {
    "fetch", "--host", host, "--port", port, "--security", "tls", "--user", USER,
    "--ca-file", pf_test_dovecot_get_ca_file (dovecot), "--maildir", maildir,
    "--password-stdin", NULL
  };

  pf_test_run_cli (run, PASSWORD "\n", argv);
  g_test_message ("fetch --host %s: exit %d\n%s%s", host, run->status, run->out, run->err);
}

/* An ad-hoc fetch (no saved account) under another name of the same
 * server finds the Maildir holding the mail of the journal kept under
 * the first name: it says so, names both records, and downloads nothing;
 * following its advice carries the record over. Without the check the
 * mailbox came down a second time. */
static void
test_ad_hoc_other_name_says_so (void)
{
  g_autoptr(PfTestDovecot) dovecot = NULL;
  g_autofree char *maildir = g_build_filename (g_get_home_dir (), "Mail", "adhoc", NULL);
  g_autofree char *new_dir = g_build_filename (maildir, "new", NULL);
  g_autofree char *state = g_build_filename (g_get_user_state_dir (), "popfetch", NULL);
  g_autofree char *first_journal = g_build_filename (state, USER "@127.0.0.1.journal", NULL);
  g_autofree char *other_journal = g_build_filename (state, USER "@localhost.journal", NULL);
  g_auto(PfTestRun) first = { 0 };
  g_auto(PfTestRun) renamed = { 0 };
  g_auto(PfTestRun) carried_over = { 0 };

  dovecot = pf_test_pop3_dovecot (USER, PASSWORD, 3, 1500);
  if (dovecot == NULL)
    return;

  fetch_ad_hoc (dovecot, &first, "127.0.0.1", maildir);
  g_assert_cmpint (first.status, ==, 0);
  g_assert_cmpuint (pf_test_count_files (new_dir), ==, 3);

  fetch_ad_hoc (dovecot, &renamed, "localhost", maildir);
  g_assert_cmpint (renamed.status, ==, 64);
  g_assert_nonnull (strstr (renamed.err, "already holds mail fetched for " USER));
  g_assert_nonnull (strstr (renamed.err, first_journal));
  g_assert_nonnull (strstr (renamed.err, other_journal));
  g_assert_cmpuint (pf_test_count_files (new_dir), ==, 3);

  g_assert_cmpint (g_rename (first_journal, other_journal), ==, 0);
  fetch_ad_hoc (dovecot, &carried_over, "localhost", maildir);
  g_assert_cmpint (carried_over.status, ==, 0);
  g_assert_cmpuint (pf_test_count_files (new_dir), ==, 3);
}

static gboolean
run_mpop (const char *rc_path)
{
  const char *argv[] = { "mpop", "-C", rc_path, "--quiet", NULL };
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int status;

  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL,
                               G_SPAWN_SEARCH_PATH | G_SPAWN_STDIN_FROM_DEV_NULL,
                               NULL, NULL, &out, &err, &status, &error));
  g_assert_no_error (error);
  g_test_message ("mpop: exit %d: %s%s", status, out, err);
  return g_spawn_check_wait_status (status, NULL);
}

/* The interoperability the README promises, with mpop itself: an account
 * added through Popfetch, an mpoprc without a password, and mpop logs in
 * with what it finds in gnome-keyring (host, service, user). */
static void
test_mpop_reads_popfetch_password (void)
{
  g_autoptr(PfTestDovecot) dovecot = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *maildir = g_build_filename (g_get_home_dir (), "Mail", "dove", NULL);
  g_autofree char *mpop_dir = g_build_filename (g_get_home_dir (), "mpop-mail", NULL);
  g_autofree char *mpop_new = g_build_filename (mpop_dir, "new", NULL);
  g_autofree char *rc_path = g_build_filename (g_get_home_dir (), "mpoprc", NULL);
  g_autofree char *uidls = g_build_filename (g_get_home_dir (), "mpop-uidls", NULL);
  g_autofree char *rc = NULL;
  g_autofree char *file = NULL;
  g_auto(PfTestRun) add = { 0 };

  if (!pf_test_require_keyring ()
      || !pf_test_require_program ("mpop", "REQUIRE_KEYRING"))
    return;
  dovecot = pf_test_pop3_dovecot (USER, PASSWORD, 4, 1000);
  if (dovecot == NULL)
    return;

  for (guint i = 0; i < 3; i++)
    {
      static const char * const subdirs[] = { "cur", "new", "tmp" };
      g_autofree char *d = g_build_filename (mpop_dir, subdirs[i], NULL);

      g_assert_cmpint (g_mkdir_with_parents (d, 0700), ==, 0);
    }
  rc = g_strdup_printf ("defaults\n"
                        "account default\n"
                        "host 127.0.0.1\n"
                        "port %u\n"
                        "tls on\n"
                        "tls_starttls off\n"
                        "tls_trust_file %s\n"
                        "user " USER "\n"
                        "auth plain\n"
                        "keep on\n"
                        "uidls_file %s\n"
                        "delivery maildir %s\n",
                        pf_test_dovecot_get_tls_port (dovecot),
                        pf_test_dovecot_get_ca_file (dovecot), uidls, mpop_dir);
  g_assert_true (g_file_set_contents (rc_path, rc, -1, NULL));
  g_assert_cmpint (g_chmod (rc_path, 0600), ==, 0);

  /* Before Popfetch stored the password (earlier tests here share this
   * keyring: forget theirs), mpop has none and no terminal to ask on. */
  {
    const char *argv[] = { "secret-tool", "clear", "host", "127.0.0.1", "service", "pop3", "user", USER, NULL };

    g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH,
                                 NULL, NULL, NULL, NULL, NULL, &error));
    g_assert_no_error (error);
  }
  g_assert_false (run_mpop (rc_path));
  g_assert_cmpuint (pf_test_count_files (mpop_new), ==, 0);

  file = add_account (dovecot, &add, USER, PASSWORD "\n", maildir);
  g_assert_cmpint (add.status, ==, 0);

  g_assert_true (run_mpop (rc_path));
  g_assert_cmpuint (pf_test_count_files (mpop_new), ==, 4);
}

/* Without --host, add detects the server; under POPFETCH_DEMO the demo
 * domain maps onto this Dovecot. fetch NAME then reaches the same server
 * through the same mapping. */
static void
test_add_detects_then_fetch_demo (void)
{
  static const char * const names[] = { "acctdemo.test", "*.acctdemo.test", NULL };
  g_autoptr(PfTestDovecot) dovecot = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *key_file = NULL;
  g_autofree char *key = NULL;
  g_autofree char *maildir = g_build_filename (g_get_home_dir (), "Mail", "detected", NULL);
  g_autofree char *new_dir = g_build_filename (maildir, "new", NULL);
  g_autofree char *contents = NULL;
  g_auto(PfTestRun) add = { 0 };
  g_auto(PfTestRun) fetch = { 0 };

  if (!pf_test_require_keyring ()
      || !pf_test_require_program (PF_TEST_DOVECOT_PROGRAM, "REQUIRE_DOVECOT"))
    return;
  dovecot = pf_test_dovecot_start_with_names (names, &error);
  g_assert_no_error (error);
  g_assert_true (pf_test_dovecot_add_user (dovecot, "eve@acctdemo.test", PASSWORD, &error));
  g_assert_true (pf_test_dovecot_add_messages (dovecot, "eve@acctdemo.test", 3, 500, &error));
  g_assert_no_error (error);

  dir = g_dir_make_tmp ("pf-accounts-demo-XXXXXX", &error);
  g_assert_no_error (error);
  key_file = g_build_filename (dir, "demo.ini", NULL);
  key = g_strdup_printf ("[demo]\ndomain=acctdemo.test\naddress=eve@acctdemo.test\npassword=unused\n"
                         "host-address=127.0.0.1\nport-map=995:%u;110:%u;993:0;443:0\nca-file=%s\n",
                         pf_test_dovecot_get_tls_port (dovecot), pf_test_dovecot_get_port (dovecot),
                         pf_test_dovecot_get_ca_file (dovecot));
  g_assert_true (g_file_set_contents (key_file, key, -1, NULL));
  g_setenv ("POPFETCH_DEMO", key_file, TRUE);

  pf_test_run_clif (&add, PASSWORD "\n", "add", "eve@acctdemo.test", "--name", "detected",
                    "--password-stdin", "--yes", NULL);
  g_assert_cmpint (add.status, ==, 0);
  g_assert_nonnull (strstr (add.out, "Looking for the POP3 server"));
  g_assert_nonnull (strstr (add.out, "acctdemo.test:995"));

  {
    g_autofree char *file = pf_test_accounts_file ();

    g_assert_true (g_file_get_contents (file, &contents, NULL, NULL));
    g_assert_nonnull (strstr (contents, ".acctdemo.test\nport=995\nsecurity=tls\n"));
  }

  pf_test_run_clif (&fetch, NULL, "fetch", "detected", NULL);
  g_assert_cmpint (fetch.status, ==, 0);
  g_assert_cmpuint (pf_test_count_files (new_dir), ==, 3);

  g_unsetenv ("POPFETCH_DEMO");
  g_unlink (key_file);
  g_rmdir (dir);
}

static void
test_fetch_without_keyring (void)
{
  g_autoptr(PfTestDovecot) dovecot = NULL;
  g_autofree char *maildir = NULL;
  g_autofree char *new_dir = NULL;
  g_autofree char *file = NULL;
  g_auto(PfTestRun) add = { 0 };
  g_auto(PfTestRun) fetch = { 0 };
  g_auto(PfTestRun) with_stdin = { 0 };

  if (g_test_subprocess ())
    {
      maildir = g_build_filename (g_get_home_dir (), "Mail", "dove", NULL);
      new_dir = g_build_filename (maildir, "new", NULL);
      dovecot = pf_test_pop3_dovecot (USER, PASSWORD, 3, 1000);
      if (dovecot == NULL)
        return;

      g_setenv ("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/popfetch-test-bus", TRUE);
      file = add_account (dovecot, &add, USER, PASSWORD "\n", maildir);
      /* Saved, but the password could not be. */
      g_assert_cmpint (add.status, ==, 78);

      pf_test_run_clif (&fetch, NULL, "fetch", "dove", NULL);
      g_assert_cmpint (fetch.status, ==, 78);
      g_assert_nonnull (strstr (fetch.err, "--password-stdin"));
      g_assert_cmpuint (pf_test_count_files (new_dir), ==, 0);

      pf_test_run_clif (&with_stdin, PASSWORD "\n", "fetch", "dove", "--password-stdin", NULL);
      g_assert_cmpint (with_stdin.status, ==, 0);
      g_assert_cmpuint (pf_test_count_files (new_dir), ==, 3);
      return;
    }

  g_test_trap_subprocess (NULL, 120 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/cli/accounts/dovecot/add-wrong-password-saves-nothing", test_add_wrong_password_saves_nothing);
  g_test_add_func ("/cli/accounts/dovecot/add-stores-password-in-keyring", test_add_stores_password_in_keyring);

  g_test_add_func ("/cli/accounts/dovecot/add-then-fetch", test_add_then_fetch);
  g_test_add_func ("/cli/accounts/dovecot/mpop-reads-popfetch-password", test_mpop_reads_popfetch_password);
  g_test_add_func ("/cli/accounts/dovecot/add-detects-then-fetch-demo", test_add_detects_then_fetch_demo);
  g_test_add_func ("/cli/accounts/dovecot/fetch-without-keyring", test_fetch_without_keyring);
  g_test_add_func ("/cli/accounts/dovecot/host-edit-keeps-journal", test_host_edit_keeps_journal);
  g_test_add_func ("/cli/dovecot/ad-hoc-other-name-says-so", test_ad_hoc_other_name_says_so);

  return g_test_run ();
}
