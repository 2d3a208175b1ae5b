/* test-cli-server.c — popfetch-cli server, fetch --uid and delete-on-server
 * against the real Dovecot; the JSON shape; the quota hint
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

#include "pf-journal.h"
#include "pf-server-view.h"
#include "pf-test-cli.h"
#include "pf-test-dovecot.h"
#include "pf-test-util.h"

#define USER     "dora"
#define PASSWORD "dovecot secret 15"
#define MAX_SIZE 10000
#define BIG_MESSAGE \
  "From: =?UTF-8?Q?J=C3=B6rg?= <joerg@popfetch.test>\n" \
  "To: dora@popfetch.test\n" \
  "Subject: =?UTF-8?Q?Gro=C3=9Fe_Datei?=\n" \
  "Date: Sun, 29 Nov 2026 12:00:00 +0000\n" \
  "Message-ID: <big-%u@popfetch.test>\n" \
  "\n"

/* A saved account written straight into the accounts file: these tests
 * give the password on stdin, so no keyring is needed. */
static char *
write_account (PfTestDovecot *dovecot)
{
  g_autofree char *file = pf_test_accounts_file ();
  g_autofree char *dir = g_path_get_dirname (file);
  g_autofree char *maildir = g_build_filename (g_get_home_dir (), "Mail", "dove", NULL);
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  text = g_strdup_printf ("[Account dove]\n"
                          "address=" USER "@popfetch.test\n"
                          "host=127.0.0.1\n"
                          "port=%u\n"
                          "security=tls\n"
                          "user=" USER "\n"
                          "maildir=%s\n"
                          "ca-file=%s\n"
                          "policy=keep\n"
                          "max-size=%u\n",
                          pf_test_dovecot_get_tls_port (dovecot), maildir,
                          pf_test_dovecot_get_ca_file (dovecot), MAX_SIZE);
  g_assert_true (g_file_set_contents (file, text, -1, &error));
  g_assert_no_error (error);
  return g_steal_pointer (&maildir);
}

static void
add_big_message (PfTestDovecot *dovecot,
                 guint          n)
{
  g_autoptr(GString) message = g_string_new (NULL);
  g_autoptr(GError) error = NULL;

  g_string_append_printf (message, BIG_MESSAGE, n);
  while (message->len < 3 * MAX_SIZE)
    g_string_append (message, "A line of a message too large for the account's size limit.\n");
  g_assert_true (pf_test_dovecot_add_message (dovecot, USER, message->str, message->len, &error));
  g_assert_no_error (error);
}

/* A field of a JSON document, read by Python's json module (which also
 * proves the document is JSON): @path is dotted keys and list indexes;
 * the value comes back as JSON. */
static char *
json_field (const char *document,
            const char *path)
{
  const char *script =
    "import json, sys\n"
    "value = json.load(sys.stdin)\n"
    "for key in sys.argv[1].split('.'):\n"
    "    value = value[int(key)] if isinstance(value, list) else value[key]\n"
    "print(json.dumps(value, ensure_ascii=False))\n";
  const char *argv[] = { "python3", "-c", script, path, NULL };
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  char *out = NULL;

  process = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_communicate_utf8 (process, document, NULL, &out, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_successful (process));
  g_strchomp (out);
  return out;
}

#define assert_json(document, path, expected) \
  G_STMT_START { \
    g_autofree char *value_ = json_field ((document), (path)); \
    g_assert_cmpstr (value_, ==, (expected)); \
  } G_STMT_END

static guint
count_local (const char *maildir)
{
  g_autofree char *new_dir = g_build_filename (maildir, "new", NULL);

  return pf_test_count_files (new_dir);
}

static char *
journal_text (void)
{
  g_autofree char *key = pf_journal_saved_account_key ("dove");
  g_autofree char *name = g_strconcat (key, ".journal", NULL);
  g_autofree char *path = g_build_filename (g_get_user_state_dir (), "popfetch", name, NULL);
  char *text = NULL;

  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  return text;
}

/* server lists the message over the limit with its decoded header; fetch
 * --uid brings it, a normal fetch after it nothing twice; delete-on-server
 * asks (and without a terminal refuses), with --yes deletes only that one,
 * and the journal records it gone. */
static void
test_server_uid_delete (void)
{
  g_autoptr(PfTestDovecot) dovecot = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *maildir = NULL;
  g_autofree char *uid = NULL;
  g_autofree char *uid_json = NULL;
  g_autofree char *journal = NULL;
  g_autofree char *gone = NULL;

  dovecot = pf_test_dovecot_start_or_skip ();
  if (dovecot == NULL)
    return;
  g_assert_true (pf_test_dovecot_add_user (dovecot, USER, PASSWORD, &error));
  g_assert_no_error (error);
  g_assert_true (pf_test_dovecot_add_messages (dovecot, USER, 3, 1000, &error));
  g_assert_no_error (error);
  add_big_message (dovecot, 1);
  maildir = write_account (dovecot);

  /* Before any fetch: everything is on the server, nothing here. */
  {
    g_auto(PfTestRun) run = { 0 };

    pf_test_run_clif (&run, PASSWORD "\n", "server", "dove", "--json", "--password-stdin", NULL);
    g_test_message ("%s%s", run.out, run.err);
    g_assert_cmpint (run.status, ==, 0);
    assert_json (run.out, "account", "\"dove\"");
    assert_json (run.out, "messages", "4");
    assert_json (run.out, "here", "0");
    assert_json (run.out, "size_limit", G_STRINGIFY (MAX_SIZE));
    assert_json (run.out, "no_uidl", "false");
    assert_json (run.out, "over_limit.0.subject", "\"Große Datei\"");
    assert_json (run.out, "over_limit.0.from", "\"Jörg <joerg@popfetch.test>\"");
    assert_json (run.out, "over_limit.0.date", "\"Sun, 29 Nov 2026 12:00:00 +0000\"");
    assert_json (run.out, "over_limit.0.date_unix", "1795953600");
    assert_json (run.out, "quota", "null");
    assert_json (run.out, "near_quota", "false");
    uid_json = json_field (run.out, "over_limit.0.uid");
    uid = g_strndup (uid_json + 1, strlen (uid_json) - 2);
    g_assert_cmpuint (count_local (maildir), ==, 0);
  }

  /* A fetch leaves the big one; server (text) then says 3 of 4 are here. */
  {
    g_auto(PfTestRun) fetch = { 0 };
    g_auto(PfTestRun) run = { 0 };

    pf_test_run_clif (&fetch, PASSWORD "\n", "fetch", "dove", "--password-stdin", NULL);
    g_assert_cmpint (fetch.status, ==, 0);
    g_assert_cmpuint (count_local (maildir), ==, 3);
    pf_test_run_clif (&run, PASSWORD "\n", "server", "dove", "--password-stdin", NULL);
    g_test_message ("%s%s", run.out, run.err);
    g_assert_cmpint (run.status, ==, 0);
    g_assert_nonnull (strstr (run.out, "4 messages"));
    g_assert_nonnull (strstr (run.out, "3 of them here"));
    g_assert_nonnull (strstr (run.out, "Subject: Große Datei"));
    g_assert_nonnull (strstr (run.out, uid));
  }

  /* fetch --uid brings it whatever the limit; a normal fetch then brings
   * nothing, and --cached shows all four here without connecting. */
  {
    g_auto(PfTestRun) one = { 0 };
    g_auto(PfTestRun) again = { 0 };
    g_auto(PfTestRun) cached = { 0 };

    pf_test_run_clif (&one, PASSWORD "\n", "fetch", "dove", "--uid", uid, "--json", "--password-stdin", NULL);
    g_test_message ("%s%s", one.out, one.err);
    g_assert_cmpint (one.status, ==, 0);
    assert_json (one.out, "fetched", "1");
    g_assert_cmpuint (count_local (maildir), ==, 4);
    pf_test_run_clif (&again, PASSWORD "\n", "fetch", "dove", "--json", "--password-stdin", NULL);
    g_assert_cmpint (again.status, ==, 0);
    assert_json (again.out, "fetched", "0");
    assert_json (again.out, "already_had", "4");
    g_assert_cmpuint (count_local (maildir), ==, 4);
    pf_test_run_clif (&cached, NULL, "server", "dove", "--cached", "--json", NULL);
    g_assert_cmpint (cached.status, ==, 0);
    assert_json (cached.out, "here", "4");
    assert_json (cached.out, "over_limit", "[]");
  }

  /* A second big message, never fetched, deleted: without a terminal and
   * without --yes nothing happens; with --yes only it goes. */
  add_big_message (dovecot, 2);
  g_clear_pointer (&uid, g_free);
  g_clear_pointer (&uid_json, g_free);
  {
    g_auto(PfTestRun) run = { 0 };
    g_auto(PfTestRun) refused = { 0 };
    g_auto(PfTestRun) deleted = { 0 };
    g_auto(PfTestRun) wrong = { 0 };

    pf_test_run_clif (&run, PASSWORD "\n", "server", "dove", "--json", "--password-stdin", NULL);
    g_assert_cmpint (run.status, ==, 0);
    assert_json (run.out, "messages", "5");
    assert_json (run.out, "here", "4");
    uid_json = json_field (run.out, "over_limit.0.uid");
    uid = g_strndup (uid_json + 1, strlen (uid_json) - 2);

    pf_test_run_clif (&refused, PASSWORD "\n", "delete-on-server", "dove", "--uid", uid, "--password-stdin", NULL);
    g_assert_cmpint (refused.status, ==, 64);
    g_assert_nonnull (strstr (refused.err, "Nothing was deleted"));

    pf_test_run_clif (&wrong, PASSWORD "\n", "delete-on-server", "dove", "--uid", "no-such-uid", "--yes", "--password-stdin", NULL);
    g_assert_cmpint (wrong.status, !=, 0);

    pf_test_run_clif (&deleted, PASSWORD "\n", "delete-on-server", "dove", "--uid", uid, "--yes", "--json", "--password-stdin", NULL);
    g_test_message ("%s%s", deleted.out, deleted.err);
    g_assert_cmpint (deleted.status, ==, 0);
    assert_json (deleted.out, "deleted", "true");
    assert_json (deleted.out, "uid", uid_json);
    assert_json (deleted.out, "server.messages", "4");
    assert_json (deleted.out, "server.here", "4");
    assert_json (deleted.out, "server.over_limit", "[]");
  }
  journal = journal_text ();
  gone = g_strdup_printf ("- %s\n", uid);
  g_assert_nonnull (strstr (journal, gone));

  /* Exactly once after the deletion: the four here stay four, and a new
   * message after it comes once. */
  g_assert_true (pf_test_dovecot_add_messages (dovecot, USER, 1, 1000, &error));
  g_assert_no_error (error);
  {
    g_auto(PfTestRun) fetch = { 0 };
    g_auto(PfTestRun) again = { 0 };

    pf_test_run_clif (&fetch, PASSWORD "\n", "fetch", "dove", "--json", "--password-stdin", NULL);
    g_assert_cmpint (fetch.status, ==, 0);
    assert_json (fetch.out, "fetched", "1");
    assert_json (fetch.out, "over_limit", "[]");
    pf_test_run_clif (&again, PASSWORD "\n", "fetch", "dove", "--json", "--password-stdin", NULL);
    assert_json (again.out, "fetched", "0");
    g_assert_cmpuint (count_local (maildir), ==, 5);
  }
}

/* A mailbox near the provider's limit is pointed out, in the text and the
 * JSON (from a stored view: no provider's server here). */
static void
test_quota_hint (void)
{
  g_autoptr(PfServerView) view = pf_server_view_new ();
  g_autofree char *state_dir = g_build_filename (g_get_user_state_dir (), "popfetch", NULL);
  g_autofree char *key = pf_journal_saved_account_key ("dove");
  g_autofree char *path = pf_server_view_build_path (state_dir, key);
  g_autofree char *file = pf_test_accounts_file ();
  g_autofree char *dir = g_path_get_dirname (file);
  g_autoptr(GError) error = NULL;
  g_auto(PfTestRun) text = { 0 };
  g_auto(PfTestRun) json = { 0 };

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_assert_true (g_file_set_contents (file, "[Account dove]\naddress=dora@gmail.com\nhost=pop.gmail.com\n"
                                      "port=995\nsecurity=tls\nuser=dora@gmail.com\n", -1, &error));
  g_assert_cmpint (g_mkdir_with_parents (state_dir, 0700), ==, 0);
  pf_server_view_set_updated (view, 1796558400);
  pf_server_view_set_counts (view, 1204, G_GUINT64_CONSTANT (14200000000), 1204);
  pf_server_view_set_quota (view, G_GUINT64_CONSTANT (15000000000), PF_QUOTA_SOURCE_PROVIDER, NULL);
  g_assert_true (pf_server_view_save (view, path, &error));
  g_assert_no_error (error);

  pf_test_run_clif (&text, NULL, "server", "dove", "--cached", NULL);
  g_test_message ("%s%s", text.out, text.err);
  g_assert_cmpint (text.status, ==, 0);
  g_assert_nonnull (strstr (text.out, "near its quota"));
  g_assert_nonnull (strstr (text.out, "15.0"));
  pf_test_run_clif (&json, NULL, "server", "dove", "--cached", "--json", NULL);
  g_assert_cmpint (json.status, ==, 0);
  assert_json (json.out, "near_quota", "true");
  assert_json (json.out, "quota.source", "\"provider\"");
  assert_json (json.out, "quota.bytes", "15000000000");
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/cli/server/quota-hint", test_quota_hint);
  g_test_add_func ("/cli/server/dovecot/server-uid-delete", test_server_uid_delete);

  return g_test_run ();
}
