/* test-cli-accounts.c — popfetch-cli add/list/show/edit/remove/set-password
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
#include "pf-test-util.h"

#define PASSWORD "correct horse battery staple"

static char *
read_accounts_file (void)
{
  g_autofree char *path = pf_test_accounts_file ();
  char *data = NULL;

  g_assert_true (g_file_get_contents (path, &data, NULL, NULL));
  return data;
}

/* add without the login test: saved, listed, shown; only the keyring holds
 * the password. */
static void
add_work_account (void)
{
  g_auto(PfTestRun) run = { 0 };

  pf_test_run_clif (&run, PASSWORD "\n", "add", "alice@example.org", "--name", "work",
           "--host", "pop.example.org", "--port", "110", "--delete-after", "14",
           "--max-size", "10M", "--interval", "30", "--skip-test", "--password-stdin", NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_nonnull (strstr (run.out, "Saved account “work”"));
}

static void
test_add_list_show (void)
{
  g_autofree char *file = NULL;
  g_autofree char *stored = NULL;
  g_auto(PfTestRun) list = { 0 };
  g_auto(PfTestRun) json = { 0 };
  g_auto(PfTestRun) show = { 0 };

  if (!pf_test_require_keyring () || !pf_test_require_program ("secret-tool", "REQUIRE_KEYRING"))
    return;

  add_work_account ();

  file = read_accounts_file ();
  g_assert_nonnull (strstr (file, "[Account work]\n"));
  g_assert_nonnull (strstr (file, "security=starttls\n"));
  g_assert_nonnull (strstr (file, "max-size=10485760\n"));
  g_assert_null (strstr (file, PASSWORD));
  g_assert_null (strstr (file, "correct"));

  stored = pf_test_secret_tool_lookup ("pop.example.org", "alice@example.org");
  g_assert_cmpstr (stored, ==, PASSWORD);

  pf_test_run_clif (&list, NULL, "list", NULL);
  g_assert_cmpint (list.status, ==, 0);
  g_assert_nonnull (strstr (list.out, "work"));
  g_assert_nonnull (strstr (list.out, "pop.example.org:110 (starttls)"));

  pf_test_run_clif (&json, NULL, "list", "--json", NULL);
  g_assert_cmpint (json.status, ==, 0);
  g_assert_true (g_str_has_prefix (json.out, "[{\"name\":\"work\",\"address\":\"alice@example.org\","
                                             "\"host\":\"pop.example.org\",\"port\":110,"
                                             "\"security\":\"starttls\""));
  g_assert_nonnull (strstr (json.out, "\"policy\":\"delete-after\",\"delete_after_days\":14"));
  g_assert_null (strstr (json.out, PASSWORD));

  pf_test_run_clif (&show, NULL, "show", "work", NULL);
  g_assert_cmpint (show.status, ==, 0);
  g_assert_nonnull (strstr (show.out, "delete from the server 14 days after delivery"));
  g_assert_nonnull (strstr (show.out, "30 minutes"));
}

static void
test_duplicate_name_refused (void)
{
  g_auto(PfTestRun) again = { 0 };
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;

  if (!pf_test_require_keyring ())
    return;

  add_work_account ();
  before = read_accounts_file ();
  pf_test_run_clif (&again, PASSWORD "\n", "add", "bob@example.org", "--name", "work",
           "--host", "pop.example.org", "--skip-test", "--password-stdin", NULL);
  g_assert_cmpint (again.status, ==, 64);
  g_assert_nonnull (strstr (again.err, "already exists"));
  after = read_accounts_file ();
  g_assert_cmpstr (before, ==, after);
}

/* edit changes the file; moving the account to another user moves its
 * keyring item with it. */
static void
test_edit_moves_password (void)
{
  g_auto(PfTestRun) edit = { 0 };
  g_auto(PfTestRun) bad = { 0 };
  g_autofree char *file = NULL;
  g_autofree char *old_item = NULL;
  g_autofree char *new_item = NULL;

  if (!pf_test_require_keyring () || !pf_test_require_program ("secret-tool", "REQUIRE_KEYRING"))
    return;

  add_work_account ();

  pf_test_run_clif (&edit, NULL, "edit", "work", "--user", "alice", "--security", "tls", "--keep", NULL);
  g_assert_cmpint (edit.status, ==, 0);
  file = read_accounts_file ();
  g_assert_nonnull (strstr (file, "user=alice\n"));
  g_assert_nonnull (strstr (file, "security=tls\n"));
  g_assert_nonnull (strstr (file, "port=995\n"));
  g_assert_nonnull (strstr (file, "policy=keep\n"));

  old_item = pf_test_secret_tool_lookup ("pop.example.org", "alice@example.org");
  new_item = pf_test_secret_tool_lookup ("pop.example.org", "alice");
  g_assert_null (old_item);
  g_assert_cmpstr (new_item, ==, PASSWORD);

  /* An invalid value changes nothing. */
  pf_test_run_clif (&bad, NULL, "edit", "work", "--security", "none", NULL);
  g_assert_cmpint (bad.status, ==, 64);
  g_assert_nonnull (strstr (bad.err, "allow-plaintext"));
}

/* The edit rules are the accounts layer's, the same as in the app: a pin
 * belongs to one server, so another host or port drops it, while the same
 * host in other letter case keeps it; the keyring item follows the host as
 * written (its attributes are compared exactly), so the password is found
 * after either edit. */
static void
test_edit_pin_and_host_rules (void)
{
  g_auto(PfTestRun) pin = { 0 };
  g_auto(PfTestRun) same = { 0 };
  g_auto(PfTestRun) moved = { 0 };
  g_autofree char *file = NULL;
  g_autofree char *after_case = NULL;
  g_autofree char *after_move = NULL;
  const char *fingerprint = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

  if (!pf_test_require_keyring () || !pf_test_require_program ("secret-tool", "REQUIRE_KEYRING"))
    return;

  add_work_account ();
  pf_test_run_clif (&pin, NULL, "edit", "work", "--pin", fingerprint, NULL);
  g_assert_cmpint (pin.status, ==, 0);

  /* The same server, written another way: the pin stays. */
  pf_test_run_clif (&same, NULL, "edit", "work", "--host", "POP.Example.ORG", NULL);
  g_assert_cmpint (same.status, ==, 0);
  file = read_accounts_file ();
  g_assert_nonnull (strstr (file, "host=POP.Example.ORG\n"));
  g_assert_nonnull (strstr (file, fingerprint));
  after_case = pf_test_secret_tool_lookup ("POP.Example.ORG", "alice@example.org");
  g_assert_cmpstr (after_case, ==, PASSWORD);

  /* Another server: the pin goes. */
  pf_test_run_clif (&moved, NULL, "edit", "work", "--host", "pop.elsewhere.org", NULL);
  g_assert_cmpint (moved.status, ==, 0);
  g_clear_pointer (&file, g_free);
  file = read_accounts_file ();
  g_assert_nonnull (strstr (file, "host=pop.elsewhere.org\n"));
  g_assert_null (strstr (file, fingerprint));
  after_move = pf_test_secret_tool_lookup ("pop.elsewhere.org", "alice@example.org");
  g_assert_cmpstr (after_move, ==, PASSWORD);
}

/* Renaming an account that already has mail in ~/Mail/NAME keeps that
 * folder: the file names it and `show` says so. */
static void
test_edit_rename_keeps_maildir (void)
{
  g_auto(PfTestRun) edit = { 0 };
  g_autofree char *file = NULL;
  g_autofree char *folder = g_build_filename (g_get_home_dir (), "Mail", "work", NULL);
  g_autofree char *new_dir = g_build_filename (folder, "new", NULL);
  g_autofree char *line = NULL;

  if (!pf_test_require_keyring () || !pf_test_require_program ("secret-tool", "REQUIRE_KEYRING"))
    return;

  add_work_account ();
  g_assert_cmpint (g_mkdir_with_parents (new_dir, 0700), ==, 0);

  pf_test_run_clif (&edit, NULL, "edit", "work", "--name", "Office", NULL);
  g_assert_cmpint (edit.status, ==, 0);
  g_assert_nonnull (strstr (edit.out, folder));
  file = read_accounts_file ();
  line = g_strdup_printf ("maildir=%s\n", folder);
  g_assert_nonnull (strstr (file, "[Account Office]"));
  g_assert_nonnull (strstr (file, line));
}

static void
test_set_password_replaces (void)
{
  g_auto(PfTestRun) set = { 0 };
  g_autofree char *stored = NULL;
  g_autofree char *file = NULL;

  if (!pf_test_require_keyring () || !pf_test_require_program ("secret-tool", "REQUIRE_KEYRING"))
    return;

  add_work_account ();
  pf_test_run_clif (&set, "a new one\n", "set-password", "work", "--password-stdin", NULL);
  g_assert_cmpint (set.status, ==, 0);
  stored = pf_test_secret_tool_lookup ("pop.example.org", "alice@example.org");
  g_assert_cmpstr (stored, ==, "a new one");
  file = read_accounts_file ();
  g_assert_null (strstr (file, "a new one"));

  /* The first line of a file, without its line ending. */
  {
    g_autofree char *path = g_build_filename (g_get_home_dir (), "pw.txt", NULL);
    g_autofree char *again = NULL;
    g_auto(PfTestRun) from_file = { 0 };

    g_assert_cmpint (g_mkdir_with_parents (g_get_home_dir (), 0700), ==, 0);
    /* Private, as a password file must be. */
    g_assert_true (g_file_set_contents_full (path, "from a file\r\nsecond line\n", -1,
                                             G_FILE_SET_CONTENTS_NONE, 0600, NULL));
    pf_test_run_clif (&from_file, NULL, "set-password", "work", "--password-file", path, NULL);
    g_assert_cmpint (from_file.status, ==, 0);
    again = pf_test_secret_tool_lookup ("pop.example.org", "alice@example.org");
    g_assert_cmpstr (again, ==, "from a file");
  }
}

static void
test_remove_clears_keyring (void)
{
  g_auto(PfTestRun) refuse = { 0 };
  g_auto(PfTestRun) remove = { 0 };
  g_auto(PfTestRun) list = { 0 };
  g_autofree char *stored = NULL;

  if (!pf_test_require_keyring () || !pf_test_require_program ("secret-tool", "REQUIRE_KEYRING"))
    return;

  add_work_account ();

  /* Without a terminal and without --yes nothing happens. */
  pf_test_run_clif (&refuse, NULL, "remove", "work", NULL);
  g_assert_cmpint (refuse.status, ==, 64);
  stored = pf_test_secret_tool_lookup ("pop.example.org", "alice@example.org");
  g_assert_cmpstr (stored, ==, PASSWORD);
  g_clear_pointer (&stored, g_free);

  pf_test_run_clif (&remove, NULL, "remove", "work", "--yes", NULL);
  g_assert_cmpint (remove.status, ==, 0);
  stored = pf_test_secret_tool_lookup ("pop.example.org", "alice@example.org");
  g_assert_null (stored);

  pf_test_run_clif (&list, NULL, "list", "--json", NULL);
  g_assert_cmpstr (list.out, ==, "[]\n");
}

/* The CLI reports a hand-broken file with its line, exits 65, and leaves
 * the file as it was. */
static void
test_corrupt_file_reported (void)
{
  static const char broken[] = "[Account work]\naddress=a@example.org\nhost=h\n<<<garbage\n";
  g_autofree char *path = pf_test_accounts_file ();
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *after = NULL;
  g_auto(PfTestRun) list = { 0 };
  g_auto(PfTestRun) add = { 0 };

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_assert_true (g_file_set_contents (path, broken, -1, NULL));

  pf_test_run_clif (&list, NULL, "list", NULL);
  g_assert_cmpint (list.status, ==, 65);
  g_assert_nonnull (strstr (list.err, "line 4"));

  pf_test_run_clif (&add, PASSWORD "\n", "add", "b@example.org", "--host", "h", "--skip-test",
           "--password-stdin", NULL);
  g_assert_cmpint (add.status, ==, 65);

  after = read_accounts_file ();
  g_assert_cmpstr (after, ==, broken);
}

static void
test_missing_account (void)
{
  g_auto(PfTestRun) show = { 0 };

  pf_test_run_clif (&show, NULL, "show", "nope", NULL);
  g_assert_cmpint (show.status, ==, 78);
  g_assert_nonnull (strstr (show.err, "nope"));
}

static void
test_bad_options (void)
{
  g_auto(PfTestRun) both = { 0 };
  g_auto(PfTestRun) pin = { 0 };
  g_auto(PfTestRun) empty = { 0 };

  pf_test_run_clif (&both, NULL, "add", "a@example.org", "--host", "h", "--keep", "--delete", "--skip-test", NULL);
  g_assert_cmpint (both.status, ==, 64);
  pf_test_run_clif (&pin, NULL, "add", "a@example.org", "--host", "h", "--pin", "xyz", "--skip-test", NULL);
  g_assert_cmpint (pin.status, ==, 64);
  g_assert_nonnull (strstr (pin.err, "SHA-256"));
  pf_test_run_clif (&empty, "\n", "add", "a@example.org", "--host", "h", "--skip-test", "--password-stdin", NULL);
  g_assert_cmpint (empty.status, ==, 64);
  g_assert_nonnull (strstr (empty.err, "empty"));
}

/* No keyring: the account is saved, the password is not, and it is not
 * written anywhere else either. */
static void
test_no_keyring_saves_no_password (void)
{
  g_auto(PfTestRun) add = { 0 };
  g_autofree char *file = NULL;

  if (g_test_subprocess ())
    {
      g_setenv ("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/popfetch-test-bus", TRUE);
      pf_test_run_clif (&add, PASSWORD "\n", "add", "alice@example.org", "--host", "pop.example.org",
               "--skip-test", "--password-stdin", NULL);
      g_assert_cmpint (add.status, ==, 78);
      g_assert_nonnull (strstr (add.err, "set-password"));
      file = read_accounts_file ();
      g_assert_nonnull (strstr (file, "[Account alice@example.org]"));
      g_assert_null (strstr (file, PASSWORD));
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

  g_test_add_func ("/cli/accounts/add-list-show", test_add_list_show);
  g_test_add_func ("/cli/accounts/duplicate-name-refused", test_duplicate_name_refused);
  g_test_add_func ("/cli/accounts/edit-moves-password", test_edit_moves_password);
  g_test_add_func ("/cli/accounts/edit-rename-keeps-maildir", test_edit_rename_keeps_maildir);
  g_test_add_func ("/cli/accounts/edit-pin-and-host-rules", test_edit_pin_and_host_rules);
  g_test_add_func ("/cli/accounts/set-password-replaces", test_set_password_replaces);
  g_test_add_func ("/cli/accounts/remove-clears-keyring", test_remove_clears_keyring);
  g_test_add_func ("/cli/accounts/corrupt-file-reported", test_corrupt_file_reported);
  g_test_add_func ("/cli/accounts/missing-account", test_missing_account);
  g_test_add_func ("/cli/accounts/bad-options", test_bad_options);
  g_test_add_func ("/cli/accounts/no-keyring-saves-no-password", test_no_keyring_saves_no_password);

  return g_test_run ();
}
