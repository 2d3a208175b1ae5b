/* test-cli-many.c — popfetch-cli fetch of several saved accounts at once
 * against the real Dovecot, with the passwords in a real gnome-keyring;
 * --notify against a recording notification service on that session bus
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>
#include <sys/stat.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

#include "pf-test-cli.h"
#include "pf-test-dovecot.h"
#include "pf-test-fetch.h"
#include "pf-test-util.h"

#define PASSWORD "many secret 7"

typedef struct
{
  gint64 first;   /* ns: the earliest and latest delivery into new/ */
  gint64 last;
} Span;

static PfTestDovecot *
start_dovecot (void)
{
  if (!pf_test_require_keyring ())
    return NULL;
  return pf_test_dovecot_start_or_skip ();
}

static char *
maildir_of (const char *name)
{
  return g_build_filename (g_get_home_dir (), "Mail", name, NULL);
}

/* Saves account @name for @user's mailbox on Dovecot, the password in the
 * keyring (add tests the login). */
static void
add_account (PfTestDovecot *dovecot,
             const char    *name,
             const char    *user)
{
  g_autofree char *port = g_strdup_printf ("%u", pf_test_dovecot_get_tls_port (dovecot));
  g_autofree char *address = g_strdup_printf ("%s@popfetch.test", user);
  g_autofree char *maildir = maildir_of (name);
  g_auto(PfTestRun) add = { 0 };

  pf_test_run_clif (&add, PASSWORD "\n", "add", address, "--name", name, "--host", "127.0.0.1",
                    "--port", port, "--security", "tls", "--user", user,
                    "--ca-file", pf_test_dovecot_get_ca_file (dovecot), "--maildir", maildir,
                    "--password-stdin", "--yes", NULL);
  g_assert_cmpint (add.status, ==, 0);
}

static void
add_mailbox (PfTestDovecot *dovecot,
             const char    *user,
             guint          count,
             gsize          size)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (pf_test_dovecot_add_user (dovecot, user, PASSWORD, &error));
  g_assert_true (pf_test_dovecot_add_messages (dovecot, user, count, size, &error));
  g_assert_no_error (error);
}

/* The Maildir holds exactly the server's messages, each once. */
static void
assert_maildir_exact (PfTestDovecot *dovecot,
                      const char    *name,
                      const char    *user,
                      guint          count)
{
  g_autofree char *maildir = maildir_of (name);
  g_autofree char *server_dir = pf_test_dovecot_get_maildir (dovecot, user);
  g_autoptr(GHashTable) ours = NULL;
  g_autoptr(GHashTable) theirs = NULL;
  GHashTableIter iter;
  gpointer key;

  pf_test_fetch_assert_exactly_once (maildir, count);
  ours = pf_test_fetch_message_ids (maildir);
  theirs = pf_test_fetch_message_ids (server_dir);
  g_assert_cmpuint (g_hash_table_size (theirs), ==, count);
  g_hash_table_iter_init (&iter, theirs);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_assert_true (g_hash_table_contains (ours, key));
}

static Span
delivery_span (const char *name)
{
  g_autofree char *maildir = maildir_of (name);
  g_autofree char *new_dir = g_build_filename (maildir, "new", NULL);
  g_autoptr(GDir) dir = g_dir_open (new_dir, 0, NULL);
  Span span = { G_MAXINT64, 0 };
  const char *entry;

  g_assert_nonnull (dir);
  while ((entry = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (new_dir, entry, NULL);
      struct stat st;
      gint64 ns;

      g_assert_cmpint (stat (path, &st), ==, 0);
      ns = (gint64) st.st_mtim.tv_sec * G_GINT64_CONSTANT (1000000000) + st.st_mtim.tv_nsec;
      span.first = MIN (span.first, ns);
      span.last = MAX (span.last, ns);
    }
  return span;
}

/* The sum of the "elapsed_ms" of a JSON array of fetch results. */
static gint64
sum_elapsed_ms (const char *json)
{
  gint64 sum = 0;
  guint found = 0;

  for (const char *at = strstr (json, "\"elapsed_ms\":"); at != NULL;
       at = strstr (at + 1, "\"elapsed_ms\":"))
    {
      sum += g_ascii_strtoll (at + strlen ("\"elapsed_ms\":"), NULL, 10);
      found++;
    }
  g_assert_cmpuint (found, >, 0);
  return sum;
}

/* Four accounts at once: each Maildir exact, the JSON array and the
 * summaries in account order, and the four fetches overlapping: the whole
 * command took less time than the four fetches added up. */
static void
test_four_at_once (void)
{
  g_autoptr(PfTestDovecot) dovecot = start_dovecot ();
  const char *names[] = { "one", "two", "three", "four" };
  const char *users[] = { "ann", "ben", "cid", "dot" };
  g_auto(PfTestRun) fetch = { 0 };
  g_auto(PfTestRun) again = { 0 };
  gint64 started, wall_ms;
  const char *at;

  if (dovecot == NULL)
    return;
  for (guint i = 0; i < 4; i++)
    {
      add_mailbox (dovecot, users[i], 60, 40 * 1024);
      add_account (dovecot, names[i], users[i]);
    }

  started = g_get_monotonic_time ();
  pf_test_run_clif (&fetch, NULL, "fetch", "--json", NULL);
  wall_ms = (g_get_monotonic_time () - started) / 1000;
  g_assert_cmpint (fetch.status, ==, 0);
  g_assert_cmpstr (fetch.err, ==, "");

  /* An array in account order, whatever order the fetches ended in. */
  g_assert_true (g_str_has_prefix (fetch.out, "[{\"account\":\"one\",\"ok\":true,\"fetched\":60,"));
  at = fetch.out;
  for (guint i = 0; i < 4; i++)
    {
      g_autofree char *entry = g_strdup_printf ("{\"account\":\"%s\",\"ok\":true,\"fetched\":60,",
                                                names[i]);

      at = strstr (at, entry);
      g_assert_nonnull (at);
    }
  g_assert_true (g_str_has_suffix (fetch.out, "}]\n"));
  g_test_message ("four fetches: %" G_GINT64_FORMAT " ms in all, %" G_GINT64_FORMAT " ms added up",
                  wall_ms, sum_elapsed_ms (fetch.out));
  g_assert_cmpint (wall_ms, <, sum_elapsed_ms (fetch.out));

  for (guint i = 0; i < 4; i++)
    assert_maildir_exact (dovecot, names[i], users[i], 60);

  /* Text: the summaries in the order named; nothing new the second time. */
  pf_test_run_clif (&again, NULL, "fetch", "four", "two", NULL);
  g_assert_cmpint (again.status, ==, 0);
  at = strstr (again.out, "four: fetched 0 messages");
  g_assert_nonnull (at);
  g_assert_nonnull (strstr (at, "two: fetched 0 messages"));
}

/* Two accounts on one mailbox (same host and user, their own Maildirs)
 * never run together: the second waits, and the journal's lock never
 * reports the account busy. With --jobs 1 nothing overlaps at all. */
static void
test_same_mailbox_queues (void)
{
  g_autoptr(PfTestDovecot) dovecot = start_dovecot ();
  g_auto(PfTestRun) fetch = { 0 };
  g_auto(PfTestRun) one_job = { 0 };
  Span first, second;

  if (dovecot == NULL)
    return;
  add_mailbox (dovecot, "eve", 80, 40 * 1024);
  add_mailbox (dovecot, "fay", 80, 40 * 1024);
  add_account (dovecot, "eve-a", "eve");
  add_account (dovecot, "eve-b", "eve");
  add_account (dovecot, "fay", "fay");

  pf_test_run_clif (&fetch, NULL, "fetch", "eve-a", "eve-b", "fay", "--jobs", "4", NULL);
  g_assert_cmpint (fetch.status, ==, 0);
  g_assert_null (strstr (fetch.err, "busy"));
  assert_maildir_exact (dovecot, "eve-a", "eve", 80);
  assert_maildir_exact (dovecot, "eve-b", "eve", 80);
  assert_maildir_exact (dovecot, "fay", "fay", 80);

  first = delivery_span ("eve-a");
  second = delivery_span ("eve-b");
  /* eve-b delivered only after eve-a was done (fay, another mailbox, was
   * free to run beside them). */
  g_assert_cmpint (first.last, <, second.first);

  /* --jobs 1: one after the other, in account order. */
  add_mailbox (dovecot, "gus", 30, 40 * 1024);
  add_mailbox (dovecot, "hal", 30, 40 * 1024);
  add_account (dovecot, "gus", "gus");
  add_account (dovecot, "hal", "hal");
  pf_test_run_clif (&one_job, NULL, "fetch", "gus", "hal", "--jobs", "1", NULL);
  g_assert_cmpint (one_job.status, ==, 0);
  g_assert_cmpint (delivery_span ("gus").last, <, delivery_span ("hal").first);
}

/* The exit status of several accounts: the first failing one's, in
 * account order; the others are still fetched. */
static void
test_first_failure_status (void)
{
  g_autoptr(PfTestDovecot) dovecot = start_dovecot ();
  g_autoptr(GError) error = NULL;
  g_auto(PfTestRun) fetch = { 0 };

  if (dovecot == NULL)
    return;
  add_mailbox (dovecot, "ivy", 5, 2000);
  add_mailbox (dovecot, "jon", 5, 2000);
  add_account (dovecot, "ivy", "ivy");
  add_account (dovecot, "jon", "jon");
  /* jon's password changes on the server: the keyring's is refused. */
  g_assert_true (pf_test_dovecot_add_user (dovecot, "jon", "changed", &error));
  g_assert_no_error (error);

  pf_test_run_clif (&fetch, NULL, "fetch", "jon", "ivy", NULL);
  g_assert_cmpint (fetch.status, ==, 77);
  g_assert_nonnull (strstr (fetch.err, "Account “jon” was not fetched."));
  g_assert_nonnull (strstr (fetch.out, "ivy: fetched 5 messages"));
  assert_maildir_exact (dovecot, "ivy", "ivy", 5);
}

/* A recording org.freedesktop.Notifications on this session bus (the
 * script's own interpreter: the system one, which has PyGObject). */
static GSubprocess *
start_notifications (const char *record)
{
  g_autofree char *script = g_test_build_filename (G_TEST_DIST, "ui", "pf-notifications.py", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GDataInputStream) lines = NULL;
  g_autofree char *line = NULL;
  GSubprocess *proc;

  proc = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error,
                           PF_SYSTEM_PYTHON, script, record, NULL);
  g_assert_no_error (error);
  lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (proc));
  line = g_data_input_stream_read_line (lines, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (line, ==, "READY");
  return proc;
}

static void
stop_notifications (GSubprocess *proc)
{
  g_output_stream_close (g_subprocess_get_stdin_pipe (proc), NULL, NULL);
  g_assert_true (g_subprocess_wait (proc, NULL, NULL));
  g_object_unref (proc);
}

static char *
read_record (const char *record)
{
  char *text = NULL;

  if (!g_file_get_contents (record, &text, NULL, NULL))
    return g_strdup ("");
  return text;
}

/* --notify: one notification naming the accounts with new mail; none when
 * nothing is new; none, and no complaint, without a session bus. */
static void
test_notify (void)
{
  g_autoptr(PfTestDovecot) dovecot = start_dovecot ();
  g_autofree char *record = g_build_filename (g_get_user_runtime_dir (), "notifications", NULL);
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;
  g_autofree char *third = NULL;
  GSubprocess *notifications;

  if (dovecot == NULL)
    return;
  g_assert_cmpint (g_mkdir_with_parents (g_get_user_runtime_dir (), 0700), ==, 0);
  add_mailbox (dovecot, "kim", 3, 1000);
  add_mailbox (dovecot, "lee", 0, 1000);
  add_account (dovecot, "kim", "kim");
  add_account (dovecot, "lee", "lee");

  notifications = start_notifications (record);
  {
    g_auto(PfTestRun) fetch = { 0 };

    pf_test_run_clif (&fetch, NULL, "fetch", "--quiet", "--notify", NULL);
    g_assert_cmpint (fetch.status, ==, 0);
    g_assert_cmpstr (fetch.out, ==, "");
    g_assert_cmpstr (fetch.err, ==, "");
  }
  first = read_record (record);
  g_test_message ("notifications: %s", first);
  g_assert_nonnull (strstr (first, "\"app_name\": \"Popfetch\""));
  g_assert_nonnull (strstr (first, "\"summary\": \"3 new messages\""));
  g_assert_nonnull (strstr (first, "\"body\": \"kim: 3 new messages\""));
  g_assert_nonnull (strstr (first, "\"desktop-entry\": \"" APP_ID "\""));
  g_assert_null (strchr (strchr (first, '\n') + 1, '\n'));

  /* Nothing new: no notification. */
  {
    g_auto(PfTestRun) fetch = { 0 };

    pf_test_run_clif (&fetch, NULL, "fetch", "--quiet", "--notify", NULL);
    g_assert_cmpint (fetch.status, ==, 0);
  }
  second = read_record (record);
  g_assert_cmpstr (second, ==, first);

  /* No session bus: new mail, no notification, no complaint. */
  {
    g_autoptr(GError) error = NULL;
    g_autofree char *port = g_strdup_printf ("%u", pf_test_dovecot_get_tls_port (dovecot));
    g_autofree char *maildir = maildir_of ("ad-hoc");
    g_autofree char *empty = g_build_filename (g_get_user_runtime_dir (), "no-bus", NULL);
    g_autofree char *runtime = g_strdup_printf ("XDG_RUNTIME_DIR=%s", empty);
    const char *env[] = { "DBUS_SESSION_BUS_ADDRESS", runtime, NULL };
    const char *argv[] = { "fetch", "--host", "127.0.0.1", "--port", port, "--security", "tls",
                           "--ca-file", pf_test_dovecot_get_ca_file (dovecot), "--user", "lee",
                           "--maildir", maildir, "--password-stdin", "--notify", NULL };
    g_auto(PfTestRun) fetch = { 0 };

    g_assert_true (pf_test_dovecot_add_messages (dovecot, "lee", 2, 1000, &error));
    g_assert_no_error (error);
    g_assert_cmpint (g_mkdir_with_parents (empty, 0700), ==, 0);
    pf_test_run_cli_env (&fetch, PASSWORD "\n", env, argv);
    g_assert_cmpint (fetch.status, ==, 0);
    g_assert_cmpstr (fetch.err, ==, "");
    g_assert_nonnull (strstr (fetch.out, "lee: fetched 2 messages"));
  }
  third = read_record (record);
  g_assert_cmpstr (third, ==, first);

  stop_notifications (notifications);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/cli/fetch/many/four-at-once", test_four_at_once);
  g_test_add_func ("/cli/fetch/many/same-mailbox-queues", test_same_mailbox_queues);
  g_test_add_func ("/cli/fetch/many/first-failure-status", test_first_failure_status);
  g_test_add_func ("/cli/fetch/notify", test_notify);
  return g_test_run ();
}
