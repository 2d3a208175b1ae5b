/* test-fetch-crash.c — kill popfetch-cli fetch anywhere; nothing lost, nothing twice
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <signal.h>

#include "pf-test-dovecot.h"
#include "pf-test-fetch.h"
#include "pf-test-util.h"

#define USER "bob"
#define PASSWORD "s3cret pass"

typedef struct
{
  PfTestDovecot *dovecot;
  char          *maildir;
  char          *port;
} Fixture;

static gboolean
fixture_start (Fixture *fixture,
               guint    count,
               gsize    size)
{
  g_autoptr(GError) error = NULL;

  fixture->dovecot = pf_test_dovecot_start_or_skip ();
  if (fixture->dovecot == NULL)
    return FALSE;
  g_assert_true (pf_test_dovecot_add_user (fixture->dovecot, USER, PASSWORD, &error));
  g_assert_true (pf_test_dovecot_add_messages (fixture->dovecot, USER, count, size, &error));
  g_assert_no_error (error);
  fixture->maildir = g_build_filename (g_get_user_data_dir (), "Mail", NULL);
  fixture->port = g_strdup_printf ("%u", pf_test_dovecot_get_tls_port (fixture->dovecot));
  return TRUE;
}

static void
fixture_stop (Fixture *fixture)
{
  g_clear_pointer (&fixture->dovecot, pf_test_dovecot_stop);
  g_clear_pointer (&fixture->maildir, g_free);
  g_clear_pointer (&fixture->port, g_free);
}

#define EXIT_TEMPFAIL 75

static int
fetch (Fixture    *fixture,
       const char *fault,
       guint       kill_after_ms,
       const char *policy)
{
  int status;

  /* The test's Dovecot locks the mailbox for a session
   * (pop3_lock_session): for a moment after a fetch was killed or stopped
   * dead, its server process may still hold that lock, and the next login
   * is answered [IN-USE], which Popfetch reports as a temporary failure
   * (exit 75) without touching anything. A user's next run goes through;
   * so does the test's, a little later. */
  for (guint tries = 0;; tries++)
    {
      status = pf_test_fetch_run_cli (fault, kill_after_ms > 0 ? fixture->maildir : NULL,
                                      kill_after_ms, PASSWORD, NULL,
                                      "--host", "127.0.0.1", "--port", fixture->port,
                                      "--security", "tls", "--user", USER,
                                      "--maildir", fixture->maildir,
                                      "--ca-file", pf_test_dovecot_get_ca_file (fixture->dovecot),
                                      policy, NULL);
      if (status != EXIT_TEMPFAIL || tries == 50)
        return status;
      g_test_message ("the mailbox is still locked by the stopped session: again in 100 ms");
      g_usleep (100 * 1000);
    }
}

static guint
server_count (Fixture *fixture)
{
  g_autofree char *maildir = pf_test_dovecot_get_maildir (fixture->dovecot, USER);

  return pf_test_fetch_count (maildir, "new") + pf_test_fetch_count (maildir, "cur");
}

/* SIGKILL at random moments of a few hundred messages, then a clean run. */
static void
test_sigkill_random (gconstpointer data)
{
  const char *policy = data;
  Fixture fixture = { 0 };
  guint killed = 0;

  if (!fixture_start (&fixture, 400, 8000))
    return;

  /* Counted from the first file in the Maildir: the whole mailbox takes
   * about 100 ms, so the kills land all over the transfer and the group
   * commits. */
  for (guint round = 0; round < 8; round++)
    {
      guint after = g_test_rand_int_range (1, 50);
      int status = fetch (&fixture, NULL, after, policy);

      g_test_message ("round %u: SIGKILL %u ms into the transfer -> %d, %u delivered so far", round, after,
                      status, pf_test_fetch_count (fixture.maildir, "new"));
      if (status == -SIGKILL)
        killed++;
      else
        g_assert_cmpint (status, ==, 0);
    }
  g_assert_cmpint (fetch (&fixture, NULL, 0, policy), ==, 0);
  g_test_message ("%u of 8 runs were killed", killed);
  g_assert_cmpuint (killed, >, 0);

  pf_test_fetch_assert_exactly_once (fixture.maildir, 400);
  if (g_str_equal (policy, "--delete"))
    g_assert_cmpuint (server_count (&fixture), ==, 0);
  else
    g_assert_cmpuint (server_count (&fixture), ==, 400);
  fixture_stop (&fixture);
}

/* Stop dead between each step of the durability sequence. */
static void
test_fault (gconstpointer data)
{
  const char *step = data;
  Fixture fixture = { 0 };

  if (!fixture_start (&fixture, 120, 3000))
    return;

  g_assert_cmpint (fetch (&fixture, step, 0, "--delete"), ==, 86);
  /* Nothing the server lost is missing here. */
  {
    g_autoptr(GHashTable) ids = pf_test_fetch_message_ids (fixture.maildir);
    g_assert_cmpuint (server_count (&fixture) + g_hash_table_size (ids), >=, 120);
  }
  g_assert_cmpint (fetch (&fixture, NULL, 0, "--delete"), ==, 0);
  pf_test_fetch_assert_exactly_once (fixture.maildir, 120);
  g_assert_cmpuint (server_count (&fixture), ==, 0);
  fixture_stop (&fixture);
}

int
main (int    argc,
      char **argv)
{
  const char *steps[] = { "before-sync", "after-sync", "after-journal", "after-rename",
                          "after-commit", "before-quit" };

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_data_func ("/engine/delivery/crash/sigkill-random/keep", "--keep", test_sigkill_random);
  g_test_add_data_func ("/engine/delivery/crash/sigkill-random/delete", "--delete", test_sigkill_random);
  /* The fault points exist only in builds with test hooks (./check's). */
  for (guint i = 0; PF_TEST_HOOKS && i < G_N_ELEMENTS (steps); i++)
    {
      g_autofree char *path = g_strdup_printf ("/engine/delivery/crash/fault/%s", steps[i]);
      g_test_add_data_func (path, steps[i], test_fault);
    }

  return g_test_run ();
}
