/* test-fetcher.c — PfFetcher against the scripted server: drops, stalls, no UIDL
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <signal.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "pf-error.h"
#include "pf-fetcher.h"
#include "pf-test-fetch.h"
#include "pf-test-server.h"
#include "pf-test-util.h"

#define LOGGED_IN \
  "S: +OK POP3 ready\n" \
  "C: CAPA\nS: +OK\nS: USER\nS: UIDL\nS: .\n" \
  "C: USER bob\nS: +OK\nC: PASS secret\nS: +OK logged in\n" \
  "C: CAPA\nS: -ERR\n"

#define UIDL_3 "C: STAT\nS: +OK 3 180\nC: UIDL\nS: +OK\nS: 1 uid-1\nS: 2 uid-2\nS: 3 uid-3\nS: .\n"
#define LIST_3 "C: LIST\nS: +OK\nS: 1 60\nS: 2 60\nS: 3 60\nS: .\n"
#define MESSAGE(n) "S: +OK\nS: Subject: " #n "\nS: Message-ID: <" #n "@popfetch.test>\nS: \nS: ..body " #n "\nS: .\n"

static char *
local_maildir (void)
{
  return g_build_filename (g_get_user_data_dir (), "Mail", NULL);
}

static PfFetcher *
make_fetcher_with_timeout (PfTestServer *server,
                           guint         timeout)
{
  g_autofree char *maildir = local_maildir ();
  PfFetcher *fetcher = pf_test_fetch_new_plain ("127.0.0.1", pf_test_server_get_port (server),
                                                "bob", "secret", maildir, timeout);

  pf_fetcher_set_mechanism (fetcher, PF_AUTH_USER);
  return fetcher;
}

static PfFetcher *
make_fetcher (PfTestServer *server)
{
  return make_fetcher_with_timeout (server, 1);
}

static PfFetchResult *
run_fetch (PfFetcher  *fetcher,
           GError    **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  pf_fetcher_run_async (fetcher, NULL, pf_test_store_result, &result);
  pf_test_wait_result (&result, 20);
  return pf_fetcher_run_finish (fetcher, result, error);
}

/* A second session that finds uid-1 delivered and completes the rest. */
static void
rerun_completes (void)
{
  g_autoptr(PfTestServer) server = pf_test_server_new (PF_TEST_SERVER_PLAIN);
  g_autoptr(PfFetcher) fetcher = NULL;
  g_autoptr(PfFetchResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *maildir = local_maildir ();
  g_autofree char *failure = NULL;

  pf_test_server_add_script (server, LOGGED_IN UIDL_3 LIST_3
                             "C: RETR 2\n" MESSAGE (2) "C: RETR 3\n" MESSAGE (3)
                             "C: QUIT\nS: +OK\n");
  fetcher = make_fetcher (server);
  result = run_fetch (fetcher, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (result->already_had, ==, 1);
  g_assert_cmpuint (result->fetched, ==, 2);
  g_assert_true (pf_test_server_wait_connections (server, 1, 5));
  failure = pf_test_server_dup_failure (server);
  g_assert_null (failure);
  pf_test_fetch_assert_exactly_once (maildir, 3);
}

static void
test_drop_mid_retr (void)
{
  g_autoptr(PfTestServer) server = pf_test_server_new (PF_TEST_SERVER_PLAIN);
  g_autoptr(PfFetcher) fetcher = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *maildir = local_maildir ();
  PfFetchResult *result;

  pf_test_server_add_script (server, LOGGED_IN UIDL_3 LIST_3
                             "C: RETR 1\n" MESSAGE (1)
                             "C: RETR 2\nS: +OK\nS: Subject: 2\nS: Message-ID: <2@popfetch.test>\n"
                             "CLOSE\n");
  fetcher = make_fetcher (server);
  result = run_fetch (fetcher, &error);
  g_assert_null (result);
  g_assert_error (error, PF_ERROR, PF_ERROR_CLOSED);

  /* The whole first message is delivered; no part of the second. */
  pf_test_fetch_assert_exactly_once (maildir, 1);
  g_clear_object (&fetcher);
  rerun_completes ();
}

static void
test_stall_mid_retr (void)
{
  g_autoptr(PfTestServer) server = pf_test_server_new (PF_TEST_SERVER_PLAIN);
  g_autoptr(PfFetcher) fetcher = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *maildir = local_maildir ();
  PfFetchResult *result;
  gint64 start;

  pf_test_server_add_script (server, LOGGED_IN UIDL_3 LIST_3
                             "C: RETR 1\n" MESSAGE (1)
                             "C: RETR 2\nS: +OK\nS: Subject: 2\nSTALL 10000\n");
  fetcher = make_fetcher (server);
  start = g_get_monotonic_time ();
  result = run_fetch (fetcher, &error);
  g_assert_null (result);
  g_assert_error (error, PF_ERROR, PF_ERROR_TIMEOUT);
  /* Read timeout 1 s: the stall ends well before the server gives up. */
  g_assert_cmpint (g_get_monotonic_time () - start, <, 4 * G_USEC_PER_SEC);

  pf_test_fetch_assert_exactly_once (maildir, 1);
  g_clear_object (&fetcher);
  g_clear_pointer (&server, pf_test_server_free);
  rerun_completes ();
}

/* A server that trickles a message, one byte every 250 ms: never silent
 * for the 1 s read timeout, far under 1 KiB in the 2 s stall window. The
 * run gives up as stalled, keeps message 1 and nothing of message 2, and
 * the next run is complete. */
static void
test_trickle_mid_retr (void)
{
  g_autoptr(PfTestServer) server = pf_test_server_new (PF_TEST_SERVER_PLAIN);
  g_autoptr(PfFetcher) fetcher = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *maildir = local_maildir ();
  PfFetchResult *result;
  gint64 start;

  pf_test_server_add_script (server, LOGGED_IN UIDL_3 LIST_3
                             "C: RETR 1\n" MESSAGE (1)
                             "C: RETR 2\nS: +OK\nS: Subject: 2\n");
  pf_test_server_add_trickle (server, "Message-ID: <2@popfetch.test>\r\n\r\nbody 2, slowly\r\n",
                              -1, 250);
  pf_test_server_add_script (server, "S: .\n");
  fetcher = make_fetcher (server);
  pf_fetcher_set_stall_window (fetcher, 2);
  start = g_get_monotonic_time ();
  result = run_fetch (fetcher, &error);
  g_assert_null (result);
  g_assert_error (error, PF_ERROR, PF_ERROR_TIMEOUT);
  g_assert_nonnull (strstr (error->message, "stalled"));
  g_assert_cmpint (g_get_monotonic_time () - start, <, 6 * G_USEC_PER_SEC);

  pf_test_fetch_assert_exactly_once (maildir, 1);
  g_clear_object (&fetcher);
  g_clear_pointer (&server, pf_test_server_free);
  rerun_completes ();
}

static void
test_no_uidl_keep_refused (void)
{
  g_autoptr(PfTestServer) server = pf_test_server_new (PF_TEST_SERVER_PLAIN);
  g_autoptr(PfFetcher) fetcher = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *maildir = local_maildir ();
  PfFetchResult *result;

  pf_test_server_add_script (server, LOGGED_IN "C: STAT\nS: +OK 2 120\nC: UIDL\nS: -ERR unknown command\n");
  fetcher = make_fetcher (server);
  result = run_fetch (fetcher, &error);
  g_assert_null (result);
  g_assert_error (error, PF_ERROR, PF_ERROR_NO_UIDL);
  g_assert_false (pf_test_server_received_contains (server, "RETR"));
  g_assert_false (pf_test_server_received_contains (server, "DELE"));
  g_assert_cmpuint (pf_test_fetch_count (maildir, "new"), ==, 0);
}

static void
test_no_uidl_delete_never_duplicates (void)
{
  g_autofree char *maildir = local_maildir ();

  {
    /* Both delivered and deleted, but the link drops before QUIT is
     * answered: the server keeps them. */
    g_autoptr(PfTestServer) server = pf_test_server_new (PF_TEST_SERVER_PLAIN);
    g_autoptr(PfFetcher) fetcher = NULL;
    g_autoptr(GError) error = NULL;
    PfFetchResult *result;

    pf_test_server_add_script (server, LOGGED_IN "C: STAT\nS: +OK 2 120\n"
                               "C: UIDL\nS: -ERR unknown command\n"
                               "C: LIST\nS: +OK\nS: 1 60\nS: 2 60\nS: .\n"
                               "C: RETR 1\n" MESSAGE (1) "C: RETR 2\n" MESSAGE (2)
                               "C: DELE 1\nS: +OK\nC: DELE 2\nS: +OK\nC: QUIT\nCLOSE\n");
    fetcher = make_fetcher (server);
    pf_fetcher_set_policy (fetcher, PF_FETCH_DELETE, 0);
    result = run_fetch (fetcher, &error);
    g_assert_null (result);
    g_assert_nonnull (error);
    pf_test_fetch_assert_exactly_once (maildir, 2);
  }
  {
    /* Next run: the same two come again, are recognised by content, not
     * delivered twice, and deleted. */
    g_autoptr(PfTestServer) server = pf_test_server_new (PF_TEST_SERVER_PLAIN);
    g_autoptr(PfFetcher) fetcher = NULL;
    g_autoptr(GError) error = NULL;
    g_autoptr(PfFetchResult) result = NULL;
    g_autofree char *failure = NULL;

    pf_test_server_add_script (server, LOGGED_IN "C: STAT\nS: +OK 3 180\n"
                               "C: UIDL\nS: -ERR unknown command\n"
                               "C: LIST\nS: +OK\nS: 1 60\nS: 2 60\nS: 3 60\nS: .\n"
                               "C: RETR 1\n" MESSAGE (1) "C: RETR 2\n" MESSAGE (2)
                               "C: RETR 3\n" MESSAGE (3)
                               "C: DELE 1\nS: +OK\nC: DELE 2\nS: +OK\nC: DELE 3\nS: +OK\n"
                               "C: QUIT\nS: +OK\n");
    fetcher = make_fetcher (server);
    pf_fetcher_set_policy (fetcher, PF_FETCH_DELETE, 0);
    result = run_fetch (fetcher, &error);
    g_assert_no_error (error);
    g_assert_true (result->no_uidl);
    g_assert_cmpuint (result->fetched, ==, 1);
    g_assert_cmpuint (result->duplicates, ==, 2);
    g_assert_cmpuint (result->deleted, ==, 3);
    g_assert_true (pf_test_server_wait_connections (server, 1, 5));
    failure = pf_test_server_dup_failure (server);
    g_assert_null (failure);
    pf_test_fetch_assert_exactly_once (maildir, 3);
  }
}

/* Starts @fetcher and cancels it once message 1 is delivered and RETR 2
 * is on the wire (RETR 3 queued behind it: the server has no PIPELINING);
 * the run's result lands in @result. Returns when the cancel was made. */
static gint64
run_and_cancel_during_retr_2 (PfTestServer  *server,
                              PfFetcher     *fetcher,
                              GAsyncResult **result)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();

  pf_fetcher_run_async (fetcher, cancellable, pf_test_store_result, result);
  while (pf_fetcher_get_messages_done (fetcher) < 1
         || !pf_test_server_received_contains (server, "RETR 2"))
    g_main_context_iteration (NULL, TRUE);
  g_cancellable_cancel (cancellable);
  return g_get_monotonic_time ();
}

static void
test_cancel_keeps_what_arrived (void)
{
  g_autoptr(PfTestServer) server = pf_test_server_new (PF_TEST_SERVER_PLAIN);
  g_autoptr(PfFetcher) fetcher = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *maildir = local_maildir ();
  gint64 start;

  pf_test_server_add_script (server, LOGGED_IN UIDL_3 LIST_3
                             "C: RETR 1\n" MESSAGE (1)
                             "C: RETR 2\nS: +OK\nS: Subject: 2\nSTALL 10000\n");
  fetcher = make_fetcher_with_timeout (server, 30);
  /* RETR 3 is never sent; RETR 2's reply stalls, so after the wind-up
   * time (3 s) the link is cut, not at the read timeout (30 s). */
  start = run_and_cancel_during_retr_2 (server, fetcher, &result);
  pf_test_wait_result (&result, 15);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 8 * G_USEC_PER_SEC);
  g_assert_null (pf_fetcher_run_finish (fetcher, result, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_false (pf_test_server_received_contains (server, "RETR 3"));
  pf_test_fetch_assert_exactly_once (maildir, 1);
  g_clear_object (&fetcher);
  g_clear_pointer (&server, pf_test_server_free);
  rerun_completes ();
}

/* Cancelled while RETR 2's reply is on its way: the reply arrives whole
 * and is kept, RETR 3 is never sent, and QUIT ends the session (a server
 * may hold the mailbox of a session cut off mid-reply). */
static void
test_cancel_winds_up_with_quit (void)
{
  g_autoptr(PfTestServer) server = pf_test_server_new (PF_TEST_SERVER_PLAIN);
  g_autoptr(PfFetcher) fetcher = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *maildir = local_maildir ();
  g_autofree char *failure = NULL;

  pf_test_server_add_script (server, LOGGED_IN UIDL_3 LIST_3
                             "C: RETR 1\n" MESSAGE (1)
                             "C: RETR 2\nSTALL 300\n" MESSAGE (2)
                             "C: QUIT\nS: +OK bye\n");
  fetcher = make_fetcher_with_timeout (server, 30);
  run_and_cancel_during_retr_2 (server, fetcher, &result);
  pf_test_wait_result (&result, 10);
  g_assert_null (pf_fetcher_run_finish (fetcher, result, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_true (pf_test_server_wait_connections (server, 1, 5));
  failure = pf_test_server_dup_failure (server);
  g_assert_null (failure);
  g_assert_false (pf_test_server_received_contains (server, "RETR 3"));
  pf_test_fetch_assert_exactly_once (maildir, 2);
}

/* `popfetch-cli fetch --host …` runs in popfetch-cli-fetch, which maps
 * neither libsoup nor libsecret, and without a configured proxy it does not
 * load GIO's proxy resolver (libproxy and, through it, libstdc++): the
 * process is looked at while the server holds the session after CAPA. */
static void
test_cli_lean_process (void)
{
  static const char * const proxy_settings[] = {
    "http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "ftp_proxy", "FTP_PROXY",
    "all_proxy", "ALL_PROXY", "socks_proxy", "SOCKS_PROXY", "GIO_USE_PROXY_RESOLVER",
    "XDG_CURRENT_DESKTOP", "DESKTOP_SESSION", "GNOME_DESKTOP_SESSION_ID", "KDE_FULL_SESSION",
    "FLATPAK_ID",
  };
  static const char * const not_mapped[] = {
    "libsoup-3.0", "libsecret-1", "libproxy", "libstdc++", "libgiolibproxy",
  };
  g_autoptr(PfTestServer) server = pf_test_server_new (PF_TEST_SERVER_PLAIN);
  g_autofree char *cli = g_test_build_filename (G_TEST_BUILT, "..", "src", "cli", "popfetch-cli", NULL);
  g_autofree char *maildir = local_maildir ();
  g_autofree char *state = g_build_filename (g_get_user_state_dir (), "popfetch", NULL);
  g_autofree char *port = NULL;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *exe_link = NULL;
  g_autofree char *exe = NULL;
  g_autofree char *maps_path = NULL;
  g_autofree char *maps = NULL;
  g_auto(GStrv) envp = g_get_environ ();
  gint64 deadline;

  /* popfetch-cli-fetch is not dumpable: only root may read its maps. */
  if (geteuid () != 0)
    {
      g_test_skip ("popfetch-cli-fetch's /proc/PID/maps is readable by root only");
      return;
    }

  pf_test_server_add_script (server, "S: +OK POP3 ready\nC: CAPA\nSTALL 20000\n");
  port = g_strdup_printf ("%u", pf_test_server_get_port (server));
  for (gsize i = 0; i < G_N_ELEMENTS (proxy_settings); i++)
    envp = g_environ_unsetenv (envp, proxy_settings[i]);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE);
  g_subprocess_launcher_set_environ (launcher, envp);
  process = g_subprocess_launcher_spawn (launcher, &error, cli, "fetch",
                                         "--host", "127.0.0.1", "--port", port,
                                         "--security", "none", "--user", "bob",
                                         "--password-stdin", "--maildir", maildir,
                                         "--state-dir", state, "--quiet", NULL);
  g_assert_no_error (error);
  g_assert_true (g_output_stream_write_all (g_subprocess_get_stdin_pipe (process), "secret\n", 7,
                                            NULL, NULL, &error));
  g_assert_no_error (error);

  deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  while (!pf_test_server_received_contains (server, "CAPA"))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      /* The server accepts on this thread's main context. */
      if (!g_main_context_iteration (NULL, FALSE))
        g_usleep (10 * 1000);
    }

  exe_link = g_strdup_printf ("/proc/%s/exe", g_subprocess_get_identifier (process));
  exe = g_file_read_link (exe_link, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_suffix (exe, "/popfetch-cli-fetch"));

  maps_path = g_strdup_printf ("/proc/%s/maps", g_subprocess_get_identifier (process));
  g_assert_true (g_file_get_contents (maps_path, &maps, NULL, &error));
  g_assert_no_error (error);
  g_assert_nonnull (strstr (maps, "libgio-2.0"));
  for (gsize i = 0; i < G_N_ELEMENTS (not_mapped); i++)
    {
      g_test_message ("%s", not_mapped[i]);
      g_assert_null (strstr (maps, not_mapped[i]));
    }

  /* SIGTERM cancels the fetch cleanly. */
  g_subprocess_send_signal (process, SIGTERM);
  g_assert_true (g_subprocess_wait (process, NULL, &error));
  g_assert_no_error (error);
}

/* One session with @script; the run must succeed and the script end
 * without a wrong line. */
static PfFetchResult *
run_session (const char    *script,
             const char    *host,
             const char    *account,
             PfFetchPolicy  policy,
             guint          days,
             gint64         now)
{
  g_autoptr(PfTestServer) server = pf_test_server_new (PF_TEST_SERVER_PLAIN);
  g_autoptr(PfFetcher) fetcher = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *failure = NULL;
  g_autofree char *maildir = local_maildir ();
  PfFetchResult *result;

  pf_test_server_add_script (server, script);
  fetcher = pf_test_fetch_new_plain (host, pf_test_server_get_port (server), "bob", "secret",
                                     maildir, 5);
  pf_fetcher_set_mechanism (fetcher, PF_AUTH_USER);
  pf_fetcher_set_account (fetcher, account);
  pf_fetcher_set_policy (fetcher, policy, days);
  pf_fetcher_set_now (fetcher, now);
  result = run_fetch (fetcher, &error);
  failure = pf_test_server_dup_failure (server);
  if (failure != NULL)
    g_test_message ("The server's script failed: %s", failure);
  g_assert_no_error (error);
  g_assert_true (pf_test_server_wait_connections (server, 1, 5));
  g_clear_pointer (&failure, g_free);
  failure = pf_test_server_dup_failure (server);
  g_assert_null (failure);
  return result;
}

#define UIDL_1 "C: STAT\nS: +OK 1 60\nC: UIDL\nS: +OK\nS: 1 uid-1\nS: .\n"
/* MESSAGE (n) for a one-digit n is 54 bytes as the server counts. */
#define LIST_1(size) "C: LIST\nS: +OK\nS: 1 " #size "\nS: .\n"
#define HEADER(n) "S: +OK\nS: Subject: " #n "\nS: Message-ID: <" #n "@popfetch.test>\nS: \nS: .\n"
#define T0 1800000000
#define DAY (24 * 60 * 60)

/* The server hands out uid-1 again for another message of another size:
 * it is new mail, not one already here. */
static void
test_reused_uid_other_size (void)
{
  g_autofree char *maildir = local_maildir ();
  PfFetchResult *result;

  result = run_session (LOGGED_IN UIDL_1 LIST_1 (54) "C: RETR 1\n" MESSAGE (1) "C: QUIT\nS: +OK\n",
                        "127.0.0.1", NULL, PF_FETCH_KEEP, 0, T0);
  g_assert_cmpuint (result->fetched, ==, 1);
  pf_fetch_result_free (result);

  result = run_session (LOGGED_IN UIDL_1 LIST_1 (57) "C: RETR 1\n" MESSAGE (22) "C: QUIT\nS: +OK\n",
                        "127.0.0.1", NULL, PF_FETCH_KEEP, 0, T0 + 60);
  g_assert_cmpuint (result->fetched, ==, 1);
  g_assert_cmpuint (result->already_had, ==, 0);
  pf_fetch_result_free (result);
  pf_test_fetch_assert_exactly_once (maildir, 2);
}

/* Same id, same size, another message: before a DELE of a message from an
 * earlier run, TOP shows another header, and it is fetched, not deleted.
 * The one that is the same is deleted; once QUIT committed that, the id
 * is free, and a message listed under it later is new. */
static void
test_reused_uid_same_size_never_deleted_unread (void)
{
  g_autofree char *maildir = local_maildir ();
  PfFetchResult *result;

  /* Day 0: message 1 arrives, too young to delete. */
  result = run_session (LOGGED_IN UIDL_1 LIST_1 (54) "C: RETR 1\n" MESSAGE (1) "C: QUIT\nS: +OK\n",
                        "127.0.0.1", NULL, PF_FETCH_DELETE_AFTER_DAYS, 1, T0);
  g_assert_cmpuint (result->fetched, ==, 1);
  pf_fetch_result_free (result);

  /* Day 2: uid-1 names message 7 now (same size): fetched, kept. */
  result = run_session (LOGGED_IN UIDL_1 LIST_1 (54) "C: TOP 1 0\n" HEADER (7)
                        "C: RETR 1\n" MESSAGE (7) "C: QUIT\nS: +OK\n",
                        "127.0.0.1", NULL, PF_FETCH_DELETE_AFTER_DAYS, 1, T0 + 2 * DAY);
  g_assert_cmpuint (result->fetched, ==, 1);
  g_assert_cmpuint (result->deleted, ==, 0);
  pf_fetch_result_free (result);
  pf_test_fetch_assert_exactly_once (maildir, 2);

  /* Day 4: message 7 is old enough, and TOP shows it is the one here. */
  result = run_session (LOGGED_IN UIDL_1 LIST_1 (54) "C: TOP 1 0\n" HEADER (7)
                        "C: DELE 1\nS: +OK\nC: QUIT\nS: +OK\n",
                        "127.0.0.1", NULL, PF_FETCH_DELETE_AFTER_DAYS, 1, T0 + 4 * DAY);
  g_assert_cmpuint (result->fetched, ==, 0);
  g_assert_cmpuint (result->deleted, ==, 1);
  pf_fetch_result_free (result);

  /* Day 5: uid-1 again, for message 8: new mail. */
  result = run_session (LOGGED_IN UIDL_1 LIST_1 (54) "C: RETR 1\n" MESSAGE (8) "C: QUIT\nS: +OK\n",
                        "127.0.0.1", NULL, PF_FETCH_DELETE_AFTER_DAYS, 1, T0 + 5 * DAY);
  g_assert_cmpuint (result->fetched, ==, 1);
  pf_fetch_result_free (result);
  pf_test_fetch_assert_exactly_once (maildir, 3);
}

/* The ad-hoc journal of the fetches above, rewritten in the form journals
 * had before sizes and header digests ("UID NAME TIME"). */
static void
journal_to_old_form (void)
{
  g_autofree char *path = g_build_filename (g_get_user_state_dir (), "popfetch",
                                            "bob@127.0.0.1.journal", NULL);
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GString) old = g_string_new (NULL);

  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_auto(GStrv) fields = g_strsplit (lines[i], " ", -1);

      if (g_strv_length (fields) >= 5)
        g_string_append_printf (old, "%s %s %s\n", fields[0], fields[1], fields[2]);
    }
  g_assert_cmpuint (old->len, >, 0);
  g_assert_true (g_file_set_contents (path, old->str, -1, NULL));
}

/* A journal from before sizes and header digests: an id it holds that
 * the server gave to another message (same size) is fetched, never
 * deleted unread; the check compares TOP's header with the file
 * delivered. The one that is the same is deleted. Before, an old entry
 * matched any size and its message was deleted without a check. */
static void
test_old_journal_reused_uid_never_deleted_unread (void)
{
  g_autofree char *maildir = local_maildir ();
  PfFetchResult *result;

  result = run_session (LOGGED_IN "C: STAT\nS: +OK 2 120\nC: UIDL\nS: +OK\nS: 1 uid-1\nS: 2 uid-2\nS: .\n"
                        "C: LIST\nS: +OK\nS: 1 54\nS: 2 54\nS: .\n"
                        "C: RETR 1\n" MESSAGE (1) "C: RETR 2\n" MESSAGE (2) "C: QUIT\nS: +OK\n",
                        "127.0.0.1", NULL, PF_FETCH_KEEP, 0, T0);
  g_assert_cmpuint (result->fetched, ==, 2);
  pf_fetch_result_free (result);
  journal_to_old_form ();

  /* Both old enough to go. uid-1 now names message 7: fetched (and
   * kept, too young); uid-2 is still message 2: deleted. */
  result = run_session (LOGGED_IN "C: STAT\nS: +OK 2 120\nC: UIDL\nS: +OK\nS: 1 uid-1\nS: 2 uid-2\nS: .\n"
                        "C: LIST\nS: +OK\nS: 1 54\nS: 2 54\nS: .\n"
                        "C: TOP 1 0\n" HEADER (7) "C: TOP 2 0\n" HEADER (2)
                        "C: DELE 2\nS: +OK\nC: RETR 1\n" MESSAGE (7) "C: QUIT\nS: +OK\n",
                        "127.0.0.1", NULL, PF_FETCH_DELETE_AFTER_DAYS, 1, T0 + 2 * DAY);
  g_assert_cmpuint (result->fetched, ==, 1);
  g_assert_cmpuint (result->deleted, ==, 1);
  pf_fetch_result_free (result);
  pf_test_fetch_assert_exactly_once (maildir, 3);
}

/* An old entry whose file is no longer in the Maildir (the user deleted
 * it, or a mail reader moved it) cannot be compared: the message stays on
 * the server, unread or not. */
static void
test_old_journal_without_file_kept (void)
{
  g_autofree char *maildir = local_maildir ();
  g_autofree char *new_dir = g_build_filename (maildir, "new", NULL);
  g_autoptr(GDir) dir = NULL;
  const char *name;
  PfFetchResult *result;

  result = run_session (LOGGED_IN UIDL_1 LIST_1 (54) "C: RETR 1\n" MESSAGE (1) "C: QUIT\nS: +OK\n",
                        "127.0.0.1", NULL, PF_FETCH_KEEP, 0, T0);
  g_assert_cmpuint (result->fetched, ==, 1);
  pf_fetch_result_free (result);
  journal_to_old_form ();
  dir = g_dir_open (new_dir, 0, NULL);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (new_dir, name, NULL);

      g_assert_cmpint (g_unlink (path), ==, 0);
    }

  result = run_session (LOGGED_IN UIDL_1 LIST_1 (54) "C: QUIT\nS: +OK\n",
                        "127.0.0.1", NULL, PF_FETCH_DELETE, 0, T0 + DAY);
  g_assert_cmpuint (result->fetched, ==, 0);
  g_assert_cmpuint (result->deleted, ==, 0);
  g_assert_cmpuint (result->already_had, ==, 1);
  pf_fetch_result_free (result);
}

/* A server that answers UIDL with an empty list one day and a partial one
 * the next (a broken or overloaded server) makes Popfetch forget nothing:
 * when the whole mailbox is listed again, nothing comes twice. Before,
 * compaction dropped every id one listing lacked, and they were
 * delivered again when they reappeared. */
static void
test_partial_listings_forget_nothing (void)
{
  g_autofree char *maildir = local_maildir ();
  const char *uidl_4 = "C: STAT\nS: +OK 4 240\nC: UIDL\nS: +OK\nS: 1 uid-1\nS: 2 uid-2\nS: 3 uid-3\nS: 4 uid-4\nS: .\n";
  const char *list_4 = "C: LIST\nS: +OK\nS: 1 54\nS: 2 54\nS: 3 54\nS: 4 54\nS: .\n";
  g_autofree char *first = g_strconcat (LOGGED_IN, uidl_4, list_4,
                                        "C: RETR 1\n" MESSAGE (1) "C: RETR 2\n" MESSAGE (2)
                                        "C: RETR 3\n" MESSAGE (3) "C: RETR 4\n" MESSAGE (4)
                                        "C: QUIT\nS: +OK\n", NULL);
  g_autofree char *again = g_strconcat (LOGGED_IN, uidl_4, list_4, "C: QUIT\nS: +OK\n", NULL);
  PfFetchResult *result;

  result = run_session (first, "127.0.0.1", NULL, PF_FETCH_KEEP, 0, T0);
  g_assert_cmpuint (result->fetched, ==, 4);
  pf_fetch_result_free (result);

  result = run_session (LOGGED_IN "C: STAT\nS: +OK 0 0\nC: UIDL\nS: +OK\nS: .\nC: LIST\nS: +OK\nS: .\nC: QUIT\nS: +OK\n",
                        "127.0.0.1", NULL, PF_FETCH_KEEP, 0, T0 + DAY);
  g_assert_cmpuint (result->fetched, ==, 0);
  pf_fetch_result_free (result);
  result = run_session (LOGGED_IN UIDL_1 LIST_1 (54) "C: QUIT\nS: +OK\n",
                        "127.0.0.1", NULL, PF_FETCH_KEEP, 0, T0 + 2 * DAY);
  g_assert_cmpuint (result->fetched, ==, 0);
  g_assert_cmpuint (result->already_had, ==, 1);
  pf_fetch_result_free (result);

  result = run_session (again, "127.0.0.1", NULL, PF_FETCH_KEEP, 0, T0 + 10 * DAY);
  g_assert_cmpuint (result->fetched, ==, 0);
  g_assert_cmpuint (result->already_had, ==, 4);
  pf_fetch_result_free (result);
  pf_test_fetch_assert_exactly_once (maildir, 4);
}

/* Writes @uids (one per line) into the account's "to delete" list, the
 * file beside its journal (KEY.delete) that the reader writes when the
 * user deleted a message and asked for it to go from the server too. */
static void
request_deletion (const char *uids)
{
  g_autofree char *state = g_build_filename (g_get_user_state_dir (), "popfetch", NULL);
  g_autoptr(GDir) dir = g_dir_open (state, 0, NULL);
  const char *name;
  guint written = 0;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    if (g_str_has_suffix (name, ".journal"))
      {
        g_autofree char *key = g_strndup (name, strlen (name) - strlen (".journal"));
        g_autofree char *file = g_strconcat (key, ".delete", NULL);
        g_autofree char *path = g_build_filename (state, file, NULL);

        g_assert_true (g_file_set_contents (path, uids, -1, NULL));
        written++;
      }
  g_assert_cmpuint (written, ==, 1);
}

/* Kept on the server by policy, deleted by the user in the reader: the
 * next fetch deletes it there too, after the same header check as any
 * deletion; a message not asked for stays. */
static void
test_requested_deletion (void)
{
  g_autofree char *maildir = local_maildir ();
  PfFetchResult *result;

  result = run_session (LOGGED_IN UIDL_1 LIST_1 (54) "C: RETR 1\n" MESSAGE (1) "C: QUIT\nS: +OK\n",
                        "127.0.0.1", NULL, PF_FETCH_KEEP, 0, T0);
  g_assert_cmpuint (result->fetched, ==, 1);
  pf_fetch_result_free (result);

  /* Asked for another id only: nothing is deleted. */
  request_deletion ("uid-9\n");
  result = run_session (LOGGED_IN UIDL_1 LIST_1 (54) "C: QUIT\nS: +OK\n",
                        "127.0.0.1", NULL, PF_FETCH_KEEP, 0, T0 + DAY);
  g_assert_cmpuint (result->deleted, ==, 0);
  pf_fetch_result_free (result);

  /* Asked for uid-1: TOP confirms it is the message delivered, DELE. */
  request_deletion ("uid-9\nuid-1\n");
  result = run_session (LOGGED_IN UIDL_1 LIST_1 (54) "C: TOP 1 0\n" HEADER (1)
                        "C: DELE 1\nS: +OK\nC: QUIT\nS: +OK\n",
                        "127.0.0.1", NULL, PF_FETCH_KEEP, 0, T0 + 2 * DAY);
  g_assert_cmpuint (result->fetched, ==, 0);
  g_assert_cmpuint (result->deleted, ==, 1);
  pf_fetch_result_free (result);
  pf_test_fetch_assert_exactly_once (maildir, 1);
}

/* KEY.delete is a state file: a link planted under its name is not
 * followed, and asks for no deletion. */
static void
test_requested_deletion_link_not_followed (void)
{
  g_autofree char *state = g_build_filename (g_get_user_state_dir (), "popfetch", NULL);
  g_autofree char *planted = g_build_filename (state, "bob@127.0.0.1.delete", NULL);
  g_autofree char *elsewhere = g_build_filename (g_get_user_data_dir (), "elsewhere", NULL);
  g_autofree char *victim = g_build_filename (elsewhere, "ids", NULL);
  PfFetchResult *result;

  result = run_session (LOGGED_IN UIDL_1 LIST_1 (54) "C: RETR 1\n" MESSAGE (1) "C: QUIT\nS: +OK\n",
                        "127.0.0.1", NULL, PF_FETCH_KEEP, 0, T0);
  g_assert_cmpuint (result->fetched, ==, 1);
  pf_fetch_result_free (result);

  g_assert_cmpint (g_mkdir_with_parents (elsewhere, 0700), ==, 0);
  g_assert_true (g_file_set_contents (victim, "uid-1\n", -1, NULL));
  g_assert_cmpint (symlink (victim, planted), ==, 0);
  g_test_expect_message ("Popfetch-Delivery", G_LOG_LEVEL_WARNING, "*is a symbolic link*");
  result = run_session (LOGGED_IN UIDL_1 LIST_1 (54) "C: QUIT\nS: +OK\n",
                        "127.0.0.1", NULL, PF_FETCH_KEEP, 0, T0 + DAY);
  g_test_assert_expected_messages ();
  g_assert_cmpuint (result->deleted, ==, 0);
  g_assert_cmpuint (result->already_had, ==, 1);
  pf_fetch_result_free (result);
}

/* An mbox-based server adds "Status: RO" to a message once it was read,
 * and shows it in TOP (not counted in LIST's size): it is still the
 * message delivered, deleted in time. */
static void
test_status_header_still_same (void)
{
  g_autofree char *maildir = local_maildir ();
  PfFetchResult *result;

  result = run_session (LOGGED_IN UIDL_1 LIST_1 (54) "C: RETR 1\n" MESSAGE (1) "C: QUIT\nS: +OK\n",
                        "127.0.0.1", NULL, PF_FETCH_DELETE_AFTER_DAYS, 1, T0);
  g_assert_cmpuint (result->fetched, ==, 1);
  pf_fetch_result_free (result);

  result = run_session (LOGGED_IN UIDL_1 LIST_1 (54) "C: TOP 1 0\n"
                        "S: +OK\nS: Subject: 1\nS: Status: RO\nS: Message-ID: <1@popfetch.test>\nS: \nS: .\n"
                        "C: DELE 1\nS: +OK\nC: QUIT\nS: +OK\n",
                        "127.0.0.1", NULL, PF_FETCH_DELETE_AFTER_DAYS, 1, T0 + 2 * DAY);
  g_assert_cmpuint (result->fetched, ==, 0);
  g_assert_cmpuint (result->deleted, ==, 1);
  pf_fetch_result_free (result);
  pf_test_fetch_assert_exactly_once (maildir, 1);
}

#define LOGGED_IN_PIPELINING \
  "S: +OK POP3 ready\n" \
  "C: CAPA\nS: +OK\nS: USER\nS: UIDL\nS: PIPELINING\nS: .\n" \
  "C: USER bob\nS: +OK\nC: PASS secret\nS: +OK logged in\n" \
  "C: CAPA\nS: +OK\nS: UIDL\nS: PIPELINING\nS: .\n"

static char *
big_message (guint       n,
             const char *last_line)
{
  g_autofree char *body = g_strnfill (4000, 'x');

  return g_strdup_printf ("S: +OK\nS: Subject: %u\nS: Message-ID: <%u@popfetch.test>\nS: \n"
                          "S: %s\n%s", n, n, body, last_line);
}

/* A server whose message 2 lacks the CRLF before its terminating dot
 * ("last line.\r\n"), pipelined RETRs, policy delete. The data runs into
 * message 3's reply: that is a framing error, nothing of message 2 is
 * delivered, the session ends without QUIT; the next run is exact. Before,
 * message 2 was stored holding message 3, message 4's content was
 * journaled under uid-3, and the next run deleted message 3 unread. */
static void
test_glued_terminator_pipelined (void)
{
  g_autofree char *maildir = local_maildir ();
  g_autoptr(GString) script = g_string_new (LOGGED_IN_PIPELINING);
  const char *list_5 = "C: LIST\nS: +OK\nS: 1 4047\nS: 2 4058\nS: 3 4047\nS: 4 4047\nS: 5 4047\nS: .\n";
  const char *uidl_5 = "C: STAT\nS: +OK 5 300\nC: UIDL\nS: +OK\nS: 1 uid-1\nS: 2 uid-2\nS: 3 uid-3\nS: 4 uid-4\nS: 5 uid-5\nS: .\n";

  g_string_append (script, uidl_5);
  g_string_append (script, list_5);
  g_string_append (script, "C: RETR 1\nC: RETR 2\nC: RETR 3\nC: RETR 4\nC: RETR 5\n");
  for (guint n = 1; n <= 5; n++)
    {
      g_autofree char *message = big_message (n, n == 2 ? "S: last line.\n" : "S: .\n");
      g_string_append (script, message);
    }
  g_string_append (script, "STALL 2000\n");

  {
    g_autoptr(PfTestServer) server = pf_test_server_new (PF_TEST_SERVER_PLAIN);
    g_autoptr(PfFetcher) fetcher = NULL;
    g_autoptr(GError) error = NULL;
    PfFetchResult *result;

    pf_test_server_add_script (server, script->str);
    fetcher = make_fetcher (server);
    pf_fetcher_set_policy (fetcher, PF_FETCH_DELETE, 0);
    result = run_fetch (fetcher, &error);
    g_assert_null (result);
    g_assert_error (error, PF_ERROR, PF_ERROR_PROTOCOL);
    g_assert_false (pf_test_server_received_contains (server, "QUIT"));
    /* Message 1, whole; nothing of 2 or after. */
    pf_test_fetch_assert_exactly_once (maildir, 1);
  }

  /* The next run, the server sending message 2 right: each message once,
   * each deleted once it is here. */
  g_string_assign (script, LOGGED_IN);
  g_string_append (script, uidl_5);
  g_string_append (script, list_5);
  g_string_append (script, "C: TOP 1 0\n" HEADER (1) "C: DELE 1\nS: +OK\n");
  for (guint n = 2; n <= 5; n++)
    {
      g_autofree char *message = big_message (n, n == 2 ? "S: last line\nS: .\n" : "S: .\n");
      g_string_append_printf (script, "C: RETR %u\n%s", n, message);
    }
  g_string_append (script, "C: DELE 2\nS: +OK\nC: DELE 3\nS: +OK\nC: DELE 4\nS: +OK\nC: DELE 5\nS: +OK\n"
                           "C: QUIT\nS: +OK\n");
  {
    PfFetchResult *result = run_session (script->str, "127.0.0.1", NULL, PF_FETCH_DELETE, 0, T0);

    g_assert_cmpuint (result->fetched, ==, 4);
    g_assert_cmpuint (result->deleted, ==, 5);
    pf_fetch_result_free (result);
  }
  pf_test_fetch_assert_exactly_once (maildir, 5);
}

/* Listed as 100 bytes, 5 MB arrive: the size limit holds on the data.
 * The RETR stops, the session ends without QUIT, the message is reported
 * over the limit, and the next run does not try it again. */
static void
test_data_past_size_limit (void)
{
  g_autofree char *maildir = local_maildir ();
  const char *uidl_2 = "C: STAT\nS: +OK 2 120\nC: UIDL\nS: +OK\nS: 1 uid-1\nS: 2 uid-2\nS: .\n";
  const char *list_2 = "C: LIST\nS: +OK\nS: 1 100\nS: 2 54\nS: .\n";

  {
    g_autoptr(PfTestServer) server = pf_test_server_new (PF_TEST_SERVER_PLAIN);
    g_autoptr(PfFetcher) fetcher = NULL;
    g_autoptr(GError) error = NULL;
    g_autoptr(GString) script = g_string_new (LOGGED_IN);
    g_autoptr(PfFetchResult) result = NULL;

    g_string_append (script, uidl_2);
    g_string_append (script, list_2);
    g_string_append (script, "C: RETR 1\nS: +OK\n");
    pf_test_server_add_script (server, script->str);
    pf_test_server_add_send_repeated (server, 'x', 5 * 1024 * 1024);
    pf_test_server_add_script (server, "S: \nS: .\n");
    fetcher = make_fetcher (server);
    pf_fetcher_set_size_limit (fetcher, 100 * 1024);
    result = run_fetch (fetcher, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (result->fetched, ==, 0);
    g_assert_cmpuint (result->over_limit->len, ==, 1);
    g_assert_cmpstr (g_array_index (result->over_limit, PfFetchSkipped, 0).uid, ==, "uid-1");
    g_assert_cmpuint (g_array_index (result->over_limit, PfFetchSkipped, 0).size, >, 100 * 1024);
    g_assert_false (pf_test_server_received_contains (server, "QUIT"));
    g_assert_cmpuint (pf_test_fetch_count (maildir, "new"), ==, 0);
    g_assert_cmpuint (pf_test_fetch_count (maildir, "tmp"), ==, 0);
  }
  {
    g_autoptr(GString) script = g_string_new (LOGGED_IN);
    g_autoptr(PfTestServer) server = pf_test_server_new (PF_TEST_SERVER_PLAIN);
    g_autoptr(PfFetcher) fetcher = NULL;
    g_autoptr(GError) error = NULL;
    g_autoptr(PfFetchResult) result = NULL;
    g_autofree char *failure = NULL;

    g_string_append (script, uidl_2);
    g_string_append (script, list_2);
    g_string_append (script, "C: RETR 2\n" MESSAGE (2) "C: QUIT\nS: +OK\n");
    pf_test_server_add_script (server, script->str);
    fetcher = make_fetcher (server);
    pf_fetcher_set_size_limit (fetcher, 100 * 1024);
    result = run_fetch (fetcher, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (result->fetched, ==, 1);
    g_assert_cmpuint (result->over_limit->len, ==, 1);
    g_assert_true (pf_test_server_wait_connections (server, 1, 5));
    failure = pf_test_server_dup_failure (server);
    g_assert_null (failure);
    pf_test_fetch_assert_exactly_once (maildir, 1);
  }
}

/* A saved account's journal belongs to the account: fetched as
 * 127.0.0.1, then with the host edited to "localhost" (the same server),
 * nothing comes twice. The first run used the journal an older Popfetch
 * kept under host and user, which the account takes over. */
static void
test_saved_account_survives_host_edit (void)
{
  g_autofree char *maildir = local_maildir ();
  PfFetchResult *result;

  result = run_session (LOGGED_IN "C: STAT\nS: +OK 2 120\nC: UIDL\nS: +OK\nS: 1 uid-1\nS: 2 uid-2\nS: .\n"
                        "C: LIST\nS: +OK\nS: 1 60\nS: 2 60\nS: .\n"
                        "C: RETR 1\n" MESSAGE (1) "C: RETR 2\n" MESSAGE (2)
                        "C: QUIT\nS: +OK\n", "127.0.0.1", NULL, PF_FETCH_KEEP, 0, T0);
  g_assert_cmpuint (result->fetched, ==, 2);
  pf_fetch_result_free (result);

  result = run_session (LOGGED_IN UIDL_3 LIST_3 "C: RETR 3\n" MESSAGE (3) "C: QUIT\nS: +OK\n",
                        "127.0.0.1", "Work", PF_FETCH_KEEP, 0, T0 + 60);
  g_assert_cmpuint (result->fetched, ==, 1);
  g_assert_cmpuint (result->already_had, ==, 2);
  pf_fetch_result_free (result);

  result = run_session (LOGGED_IN UIDL_3 LIST_3 "C: QUIT\nS: +OK\n",
                        "localhost", "Work", PF_FETCH_KEEP, 0, T0 + 120);
  g_assert_cmpuint (result->fetched, ==, 0);
  g_assert_cmpuint (result->already_had, ==, 3);
  pf_fetch_result_free (result);
  pf_test_fetch_assert_exactly_once (maildir, 3);
}

/* An ad-hoc fetch under a new server name finds the Maildir holding the
 * mail another journal of the same user recorded: it says so and fetches
 * nothing, rather than download everything again; following its hint
 * (renaming the journal) carries the record over. */
static void
test_ad_hoc_other_name_refused (void)
{
  g_autofree char *maildir = local_maildir ();
  g_autofree char *state = g_build_filename (g_get_user_state_dir (), "popfetch", NULL);
  g_autofree char *old_journal = g_build_filename (state, "bob@127.0.0.1.journal", NULL);
  g_autofree char *new_journal = g_build_filename (state, "bob@localhost.journal", NULL);
  const char *uidl_2 = "C: STAT\nS: +OK 2 120\nC: UIDL\nS: +OK\nS: 1 uid-1\nS: 2 uid-2\nS: .\n";
  const char *list_2 = "C: LIST\nS: +OK\nS: 1 60\nS: 2 60\nS: .\n";
  g_autofree char *first = g_strconcat (LOGGED_IN, uidl_2, list_2, "C: RETR 1\n" MESSAGE (1)
                                        "C: RETR 2\n" MESSAGE (2) "C: QUIT\nS: +OK\n", NULL);
  g_autofree char *again = g_strconcat (LOGGED_IN, uidl_2, list_2, "C: QUIT\nS: +OK\n", NULL);
  PfFetchResult *result;

  result = run_session (first, "127.0.0.1", NULL, PF_FETCH_KEEP, 0, T0);
  g_assert_cmpuint (result->fetched, ==, 2);
  pf_fetch_result_free (result);

  {
    g_autoptr(PfTestServer) server = pf_test_server_new (PF_TEST_SERVER_PLAIN);
    g_autoptr(PfFetcher) fetcher = NULL;
    g_autoptr(GError) error = NULL;

    pf_test_server_add_script (server, again);
    fetcher = pf_test_fetch_new_plain ("localhost", pf_test_server_get_port (server), "bob",
                                       "secret", maildir, 0);
    g_assert_null (run_fetch (fetcher, &error));
    g_assert_error (error, PF_ERROR, PF_ERROR_INVALID_INPUT);
    g_assert_nonnull (strstr (error->message, old_journal));
    g_assert_nonnull (strstr (error->message, new_journal));
    g_assert_cmpuint (pf_test_server_get_n_connections (server), ==, 0);
  }
  pf_test_fetch_assert_exactly_once (maildir, 2);

  /* Another user's first fetch into the same Maildir is not refused. */
  {
    g_autoptr(PfTestServer) server = pf_test_server_new (PF_TEST_SERVER_PLAIN);
    g_autoptr(PfFetcher) fetcher = NULL;
    g_autoptr(GError) error = NULL;
    g_autoptr(PfFetchResult) other = NULL;

    pf_test_server_add_script (server, "S: +OK POP3 ready\nC: CAPA\nS: +OK\nS: USER\nS: UIDL\nS: .\n"
                               "C: USER carol\nS: +OK\nC: PASS secret\nS: +OK\nC: CAPA\nS: -ERR\n"
                               "C: STAT\nS: +OK 0 0\nC: UIDL\nS: +OK\nS: .\nC: LIST\nS: +OK\nS: .\nC: QUIT\nS: +OK\n");
    fetcher = pf_test_fetch_new_plain ("localhost", pf_test_server_get_port (server), "carol",
                                       "secret", maildir, 0);
    pf_fetcher_set_mechanism (fetcher, PF_AUTH_USER);
    other = run_fetch (fetcher, &error);
    g_assert_no_error (error);
  }

  g_assert_cmpint (g_rename (old_journal, new_journal), ==, 0);
  result = run_session (again, "localhost", NULL, PF_FETCH_KEEP, 0, T0 + 60);
  g_assert_cmpuint (result->fetched, ==, 0);
  g_assert_cmpuint (result->already_had, ==, 2);
  pf_fetch_result_free (result);
  pf_test_fetch_assert_exactly_once (maildir, 2);
}

/* STAT, UIDL and LIST go out together: the server reads all three before
 * it answers any. Before, LIST waited for UIDL's answer (one round trip
 * more for every fetch): this server never answered and the fetch timed
 * out. */
static void
test_listing_one_round_trip (void)
{
  g_autofree char *maildir = local_maildir ();
  g_autoptr(GString) script = g_string_new (LOGGED_IN_PIPELINING);
  g_autoptr(PfTestServer) server = pf_test_server_new (PF_TEST_SERVER_PLAIN);
  g_autoptr(PfFetcher) fetcher = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(PfFetchResult) result = NULL;

  g_string_append (script, "C: STAT\nC: UIDL\nC: LIST\n"
                           "S: +OK 2 8094\n"
                           "S: +OK\nS: 1 uid-1\nS: 2 uid-2\nS: .\n"
                           "S: +OK\nS: 1 4047\nS: 2 4047\nS: .\n"
                           "C: RETR 1\nC: RETR 2\n");
  for (guint n = 1; n <= 2; n++)
    {
      g_autofree char *message = big_message (n, "S: .\n");

      g_string_append (script, message);
    }
  g_string_append (script, "C: QUIT\nS: +OK\n");
  pf_test_server_add_script (server, script->str);
  fetcher = make_fetcher (server);
  result = run_fetch (fetcher, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (result->fetched, ==, 2);
  pf_test_fetch_assert_exactly_once (maildir, 2);
}

/* The header checks before deleting go out together (TOP n 0, pipelined):
 * the server reads all three before it answers any. */
static void
test_header_checks_one_round_trip (void)
{
  g_autofree char *maildir = local_maildir ();
  const char *uidl_3 = "C: STAT\nS: +OK 3 180\nC: UIDL\nS: +OK\nS: 1 uid-1\nS: 2 uid-2\nS: 3 uid-3\nS: .\n";
  const char *list_3 = "C: LIST\nS: +OK\nS: 1 54\nS: 2 54\nS: 3 54\nS: .\n";
  g_autofree char *first = g_strconcat (LOGGED_IN, uidl_3, list_3,
                                        "C: RETR 1\n" MESSAGE (1) "C: RETR 2\n" MESSAGE (2)
                                        "C: RETR 3\n" MESSAGE (3) "C: QUIT\nS: +OK\n", NULL);
  g_autofree char *checks = g_strconcat (LOGGED_IN_PIPELINING,
                                         "C: STAT\nC: UIDL\nC: LIST\n"
                                         "S: +OK 3 162\n"
                                         "S: +OK\nS: 1 uid-1\nS: 2 uid-2\nS: 3 uid-3\nS: .\n"
                                         "S: +OK\nS: 1 54\nS: 2 54\nS: 3 54\nS: .\n"
                                         "C: TOP 1 0\nC: TOP 2 0\nC: TOP 3 0\n"
                                         HEADER (1) HEADER (2) HEADER (3)
                                         "C: DELE 1\nS: +OK\nC: DELE 2\nS: +OK\nC: DELE 3\nS: +OK\n"
                                         "C: QUIT\nS: +OK\n", NULL);
  PfFetchResult *result;

  result = run_session (first, "127.0.0.1", NULL, PF_FETCH_KEEP, 0, T0);
  g_assert_cmpuint (result->fetched, ==, 3);
  pf_fetch_result_free (result);

  result = run_session (checks, "127.0.0.1", NULL, PF_FETCH_DELETE_AFTER_DAYS, 1, T0 + 2 * DAY);
  g_assert_cmpuint (result->fetched, ==, 0);
  g_assert_cmpuint (result->deleted, ==, 3);
  pf_fetch_result_free (result);
  pf_test_fetch_assert_exactly_once (maildir, 3);
}

/* Small messages: every RETR of 200 goes out before the first answer,
 * the window being one of bytes in flight. Before, it held 64 RETRs:
 * this server, answering once it has read all 200, never answered and the
 * fetch timed out. */
static void
test_retrieve_window_by_bytes (void)
{
  const guint count = 200;
  g_autofree char *maildir = local_maildir ();
  g_autoptr(GString) script = g_string_new (LOGGED_IN_PIPELINING);
  g_autoptr(PfTestServer) server = pf_test_server_new (PF_TEST_SERVER_PLAIN);
  g_autoptr(PfFetcher) fetcher = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(PfFetchResult) result = NULL;

  g_string_append_printf (script, "C: STAT\nS: +OK %u %u\n", count, count * 43);
  g_string_append (script, "C: UIDL\nS: +OK\n");
  for (guint n = 1; n <= count; n++)
    g_string_append_printf (script, "S: %u uid-%u\n", n, n);
  g_string_append (script, "S: .\nC: LIST\nS: +OK\n");
  for (guint n = 1; n <= count; n++)
    g_string_append_printf (script, "S: %u %u\n", n, 41 + (n >= 10) + (n >= 100));
  g_string_append (script, "S: .\n");
  for (guint n = 1; n <= count; n++)
    g_string_append_printf (script, "C: RETR %u\n", n);
  for (guint n = 1; n <= count; n++)
    g_string_append_printf (script, "S: +OK\nS: Message-ID: <%u@popfetch.test>\nS: \nS: hi\nS: .\n", n);
  g_string_append (script, "C: QUIT\nS: +OK\n");
  pf_test_server_add_script (server, script->str);
  fetcher = make_fetcher (server);
  result = run_fetch (fetcher, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (result->fetched, ==, count);
  pf_test_fetch_assert_exactly_once (maildir, count);
}

/* A credentials source that counts how often it is asked: a stand-in for
 * what a keyring or an OAuth2 token source does in that slot. */
#define TEST_TYPE_COUNTING_CREDENTIALS (test_counting_credentials_get_type ())
G_DECLARE_FINAL_TYPE (TestCountingCredentials, test_counting_credentials,
                      TEST, COUNTING_CREDENTIALS, GObject)

struct _TestCountingCredentials
{
  GObject parent_instance;
  guint   asked;
};

static void test_counting_credentials_iface_init (PfCredentialsInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (TestCountingCredentials, test_counting_credentials, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (PF_TYPE_CREDENTIALS,
                                                      test_counting_credentials_iface_init))

static void
counting_get_secret_async (PfCredentials       *credentials,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  TestCountingCredentials *self = TEST_COUNTING_CREDENTIALS (credentials);
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);

  self->asked++;
  g_task_return_pointer (task, pf_secret_new (PF_SECRET_PASSWORD, "secret"),
                         (GDestroyNotify) pf_secret_free);
}

static void
test_counting_credentials_iface_init (PfCredentialsInterface *iface)
{
  iface->get_secret_async = counting_get_secret_async;
}

static void
test_counting_credentials_class_init (TestCountingCredentialsClass *klass)
{
}

static void
test_counting_credentials_init (TestCountingCredentials *self)
{
}

/* The fetcher asks its credentials once a session is up, once per run:
 * a server that cannot be reached costs no keyring prompt (nor, later, a
 * token refresh). */
static void
test_credentials_asked_when_logging_in (void)
{
  g_autoptr(PfTestServer) refusing = pf_test_server_new (PF_TEST_SERVER_PLAIN);
  g_autoptr(PfTestServer) server = pf_test_server_new (PF_TEST_SERVER_PLAIN);
  g_autoptr(TestCountingCredentials) credentials = g_object_new (TEST_TYPE_COUNTING_CREDENTIALS, NULL);
  g_autoptr(PfFetcher) fetcher = NULL;
  g_autoptr(GError) error = NULL;
  PfFetchResult *result;

  pf_test_server_add_script (refusing, "S: -ERR [SYS/TEMP] not now\n");
  fetcher = make_fetcher (refusing);
  pf_fetcher_set_credentials (fetcher, PF_CREDENTIALS (credentials));
  result = run_fetch (fetcher, &error);
  g_assert_null (result);
  g_assert_nonnull (error);
  g_assert_cmpuint (credentials->asked, ==, 0);
  g_clear_error (&error);
  g_clear_object (&fetcher);

  pf_test_server_add_script (server, LOGGED_IN UIDL_3 LIST_3
                             "C: RETR 1\n" MESSAGE (1) "C: RETR 2\n" MESSAGE (2)
                             "C: RETR 3\n" MESSAGE (3) "C: QUIT\nS: +OK bye\n");
  fetcher = make_fetcher (server);
  pf_fetcher_set_credentials (fetcher, PF_CREDENTIALS (credentials));
  result = run_fetch (fetcher, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (result->fetched, ==, 3);
  g_assert_cmpuint (credentials->asked, ==, 1);
  pf_fetch_result_free (result);
}

/* A refused APOP (a method the server cannot check for this user) is
 * retried with USER/PASS on a new connection: with the secret the run was
 * given, not a second question to the credentials (a second keyring
 * prompt, a second token refresh). */
static void
test_credentials_asked_once_across_retry (void)
{
  g_autoptr(PfTestServer) server = pf_test_server_new (PF_TEST_SERVER_PLAIN);
  g_autoptr(TestCountingCredentials) credentials = g_object_new (TEST_TYPE_COUNTING_CREDENTIALS, NULL);
  g_autoptr(PfFetcher) fetcher = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *failure = NULL;
  PfFetchResult *result;

  pf_test_server_add_script (server,
                             "S: +OK POP3 ready <4711.1700000000@mail.example.test>\n"
                             "C: CAPA\nS: +OK\nS: USER\nS: UIDL\nS: .\n"
                             "C: APOP bob *\nS: -ERR [AUTH] authentication failed\n"
                             "NEXT CONNECTION\n"
                             LOGGED_IN UIDL_3 LIST_3
                             "C: RETR 1\n" MESSAGE (1) "C: RETR 2\n" MESSAGE (2)
                             "C: RETR 3\n" MESSAGE (3) "C: QUIT\nS: +OK bye\n");
  fetcher = make_fetcher_with_timeout (server, 5);
  pf_fetcher_set_mechanism (fetcher, PF_AUTH_AUTO);
  pf_fetcher_set_credentials (fetcher, PF_CREDENTIALS (credentials));
  result = run_fetch (fetcher, &error);
  failure = pf_test_server_dup_failure (server);
  g_assert_null (failure);
  g_assert_no_error (error);
  g_assert_cmpuint (result->fetched, ==, 3);
  g_assert_cmpint (result->mechanism, ==, PF_AUTH_USER);
  g_assert_cmpuint (pf_test_server_get_n_connections (server), ==, 2);
  g_assert_cmpuint (credentials->asked, ==, 1);
  pf_fetch_result_free (result);
}

/* The delete scenario with messages of a few dozen bytes, where
 * the swallowed reply stays well inside the size tolerance: message 2
 * ends "body 2." with the dot glued to it, RETRs pipelined. A line that
 * starts past the listed size and reads like a reply ("+OK", "-ERR")
 * after a line ending in "." is the next reply, not data: a framing
 * error, nothing of message 2 delivered, no QUIT. Before, message 2 was
 * stored holding message 3, and messages 3 and 4 were journaled with the
 * content of 4 and 5. The next run is exact. */
#define SMALL_UIDL_5 "C: STAT\nS: +OK 5 300\nC: UIDL\nS: +OK\nS: 1 uid-1\nS: 2 uid-2\nS: 3 uid-3\nS: 4 uid-4\nS: 5 uid-5\nS: .\n"
/* "body 2" without its line end: 51 bytes as the server counts. */
#define SMALL_LIST_5 "C: LIST\nS: +OK\nS: 1 54\nS: 2 51\nS: 3 54\nS: 4 54\nS: 5 54\nS: .\n"
#define GLUED_2 "S: +OK\nS: Subject: 2\nS: Message-ID: <2@popfetch.test>\nS: \nS: body 2.\n"
#define WHOLE_2 "S: +OK\nS: Subject: 2\nS: Message-ID: <2@popfetch.test>\nS: \nS: body 2\nS: .\n"

static void
test_glued_terminator_small_messages (void)
{
  g_autofree char *maildir = local_maildir ();

  {
    g_autoptr(PfTestServer) server = pf_test_server_new (PF_TEST_SERVER_PLAIN);
    g_autoptr(PfFetcher) fetcher = NULL;
    g_autoptr(GError) error = NULL;
    PfFetchResult *result;

    pf_test_server_add_script (server, LOGGED_IN_PIPELINING SMALL_UIDL_5 SMALL_LIST_5
                               "C: RETR 1\nC: RETR 2\nC: RETR 3\nC: RETR 4\nC: RETR 5\n"
                               MESSAGE (1) GLUED_2 MESSAGE (3) MESSAGE (4) MESSAGE (5)
                               "STALL 2000\n");
    fetcher = make_fetcher (server);
    pf_fetcher_set_policy (fetcher, PF_FETCH_DELETE, 0);
    result = run_fetch (fetcher, &error);
    g_assert_null (result);
    g_assert_error (error, PF_ERROR, PF_ERROR_PROTOCOL);
    g_assert_false (pf_test_server_received_contains (server, "QUIT"));
    pf_test_fetch_assert_exactly_once (maildir, 1);
  }
  {
    PfFetchResult *result;

    result = run_session (LOGGED_IN SMALL_UIDL_5 SMALL_LIST_5
                          "C: TOP 1 0\n" HEADER (1) "C: DELE 1\nS: +OK\n"
                          "C: RETR 2\n" WHOLE_2 "C: RETR 3\n" MESSAGE (3)
                          "C: RETR 4\n" MESSAGE (4) "C: RETR 5\n" MESSAGE (5)
                          "C: DELE 2\nS: +OK\nC: DELE 3\nS: +OK\nC: DELE 4\nS: +OK\n"
                          "C: DELE 5\nS: +OK\nC: QUIT\nS: +OK\n",
                          "127.0.0.1", NULL, PF_FETCH_DELETE, 0, T0);
    g_assert_cmpuint (result->fetched, ==, 4);
    g_assert_cmpuint (result->deleted, ==, 5);
    pf_fetch_result_free (result);
  }
  pf_test_fetch_assert_exactly_once (maildir, 5);
}

/* A message number given twice in UIDL ("1 a", "1 b") or in LIST would
 * have message 1 delivered under two ids: the fetch refuses the answer as
 * a protocol error before any RETR, nothing is stored, no QUIT. */
static void
check_duplicate_msgno_refused (const char *listing)
{
  g_autofree char *maildir = local_maildir ();
  g_autoptr(PfTestServer) server = pf_test_server_new (PF_TEST_SERVER_PLAIN);
  g_autoptr(PfFetcher) fetcher = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *script = g_strconcat (LOGGED_IN, listing, "STALL 2000\n", NULL);
  PfFetchResult *result;

  pf_test_server_add_script (server, script);
  fetcher = make_fetcher (server);
  pf_fetcher_set_policy (fetcher, PF_FETCH_DELETE, 0);
  result = run_fetch (fetcher, &error);
  g_assert_null (result);
  g_assert_error (error, PF_ERROR, PF_ERROR_PROTOCOL);
  g_assert_false (pf_test_server_received_contains (server, "RETR"));
  g_assert_false (pf_test_server_received_contains (server, "QUIT"));
  g_assert_cmpuint (pf_test_fetch_count (maildir, "new"), ==, 0);
}

static void
test_duplicate_msgno_uidl (void)
{
  check_duplicate_msgno_refused ("C: STAT\nS: +OK 2 120\nC: UIDL\nS: +OK\nS: 1 a\nS: 1 b\nS: .\n"
                                 "C: LIST\nS: +OK\nS: 1 54\nS: .\n");
}

static void
test_duplicate_msgno_list (void)
{
  check_duplicate_msgno_refused ("C: STAT\nS: +OK 2 120\nC: UIDL\nS: +OK\nS: 1 a\nS: 2 b\nS: .\n"
                                 "C: LIST\nS: +OK\nS: 1 54\nS: 2 54\nS: 1 54\nS: .\n");
}

/* A listing refused as a whole: the fetch fails with a protocol error
 * saying @expected, nothing is retrieved or delivered, and no QUIT
 * commits anything. */
static void
check_listing_refused (const char *listing,
                       const char *expected)
{
  g_autofree char *maildir = local_maildir ();
  g_autoptr(PfTestServer) server = pf_test_server_new (PF_TEST_SERVER_PLAIN);
  g_autoptr(PfFetcher) fetcher = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *script = g_strconcat (LOGGED_IN, listing, "STALL 2000\n", NULL);
  PfFetchResult *result;

  pf_test_server_add_script (server, script);
  fetcher = make_fetcher (server);
  pf_fetcher_set_policy (fetcher, PF_FETCH_DELETE, 0);
  result = run_fetch (fetcher, &error);
  g_assert_null (result);
  g_test_message ("%s", error->message);
  g_assert_error (error, PF_ERROR, PF_ERROR_PROTOCOL);
  g_assert_nonnull (strstr (error->message, expected));
  g_assert_false (pf_test_server_received_contains (server, "RETR"));
  g_assert_false (pf_test_server_received_contains (server, "DELE"));
  g_assert_false (pf_test_server_received_contains (server, "QUIT"));
  g_assert_cmpuint (pf_test_fetch_count (maildir, "new"), ==, 0);
  g_assert_cmpuint (pf_test_fetch_count (maildir, "tmp"), ==, 0);
}

/* Nothing arrives in a mailbox during a session: a UIDL or LIST answer
 * naming more messages than STAT counted is not this mailbox's listing.
 * Before, a fetch sent no STAT and delivered all three. */
static void
test_listing_longer_than_stat (void)
{
  check_listing_refused ("C: STAT\nS: +OK 2 108\n"
                         "C: UIDL\nS: +OK\nS: 1 uid-1\nS: 2 uid-2\nS: 3 uid-3\nS: .\n"
                         "C: LIST\nS: +OK\nS: 1 54\nS: 2 54\nS: 3 54\nS: .\n"
                         "C: RETR 1\n" MESSAGE (1) "C: RETR 2\n" MESSAGE (2) "C: RETR 3\n" MESSAGE (3)
                         "C: DELE 1\nS: +OK\nC: DELE 2\nS: +OK\nC: DELE 3\nS: +OK\nC: QUIT\nS: +OK\n",
                         "STAT counted 2");
  check_listing_refused ("C: STAT\nS: +OK 2 108\n"
                         "C: UIDL\nS: +OK\nS: 1 uid-1\nS: 2 uid-2\nS: .\n"
                         "C: LIST\nS: +OK\nS: 1 54\nS: 2 54\nS: 3 54\nS: .\n",
                         "STAT counted 2");
}

/* UIDL and LIST must name the same messages: a message with a unique-id
 * and no size, or a size and no unique-id, is not one the fetch can check
 * (size limit, journal) or pick out. Before, both were fetched. */
static void
test_listing_uidl_list_disagree (void)
{
  check_listing_refused ("C: STAT\nS: +OK 3 162\n"
                         "C: UIDL\nS: +OK\nS: 1 uid-1\nS: 2 uid-2\nS: 3 uid-3\nS: .\n"
                         "C: LIST\nS: +OK\nS: 1 54\nS: 2 54\nS: 4 54\nS: .\n"
                         "C: RETR 1\n" MESSAGE (1) "C: RETR 2\n" MESSAGE (2) "C: RETR 3\n" MESSAGE (3)
                         "C: DELE 1\nS: +OK\nC: DELE 2\nS: +OK\nC: DELE 3\nS: +OK\nC: QUIT\nS: +OK\n",
                         "UIDL and LIST");
  check_listing_refused ("C: STAT\nS: +OK 3 162\n"
                         "C: UIDL\nS: +OK\nS: 1 uid-1\nS: 2 uid-2\nS: .\n"
                         "C: LIST\nS: +OK\nS: 1 54\nS: 2 54\nS: 3 54\nS: .\n"
                         "C: RETR 1\n" MESSAGE (1) "C: RETR 2\n" MESSAGE (2) "C: RETR 3\n" MESSAGE (3)
                         "C: DELE 1\nS: +OK\nC: DELE 2\nS: +OK\nC: DELE 3\nS: +OK\nC: QUIT\nS: +OK\n",
                         "UIDL and LIST");
}

/* RFC 6856 end to end: a Courier-like server that offers UTF8 shows a
 * message with raw UTF-8 in its header only to a client that said UTF8
 * (others get a "Cannot display Unicode content" notice). The fetch says
 * UTF8 after login and before any RETR (the script is strict), stores the
 * message itself, and only then deletes it. */
static void
test_utf8_before_retr (void)
{
  g_autofree char *maildir = local_maildir ();
  g_autofree char *new_dir = g_build_filename (maildir, "new", NULL);
  g_autoptr(GDir) dir = NULL;
  g_autofree char *path = NULL;
  g_autofree char *contents = NULL;
  PfFetchResult *result;

  result = run_session ("S: +OK Courier-like POP3 ready\n"
                        "C: CAPA\nS: +OK\nS: USER\nS: UIDL\nS: UTF8\nS: .\n"
                        "C: USER bob\nS: +OK\nC: PASS secret\nS: +OK logged in\n"
                        "C: CAPA\nS: +OK\nS: UIDL\nS: UTF8\nS: .\n"
                        "C: UTF8\nS: +OK UTF8 enabled\n"
                        UIDL_1 LIST_1 (57)
                        "C: RETR 1\nS: +OK\nS: Subject: Grüße\nS: Message-ID: <1@popfetch.test>\n"
                        "S: \nS: body\nS: .\n"
                        "C: DELE 1\nS: +OK\nC: QUIT\nS: +OK\n",
                        "127.0.0.1", NULL, PF_FETCH_DELETE, 0, T0);
  g_assert_cmpuint (result->fetched, ==, 1);
  g_assert_cmpuint (result->deleted, ==, 1);
  pf_fetch_result_free (result);

  pf_test_fetch_assert_exactly_once (maildir, 1);
  dir = g_dir_open (new_dir, 0, NULL);
  g_assert_nonnull (dir);
  path = g_build_filename (new_dir, g_dir_read_name (dir), NULL);
  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  g_assert_nonnull (strstr (contents, "Subject: Grüße\n"));
}

/* The greeting: "+OK " and then one byte per second, never a line
 * end. Each read comes well within the 3 s read timeout, but the status
 * line must be whole within it: the fetch ends there, before any
 * credential, with nothing stored. */
static void
test_greeting_trickle_one_byte_per_second (void)
{
  g_autoptr(PfTestServer) server = pf_test_server_new (PF_TEST_SERVER_PLAIN);
  g_autoptr(PfFetcher) fetcher = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *maildir = local_maildir ();
  PfFetchResult *result;
  gint64 start;

  pf_test_server_add_send (server, "+OK ", -1);
  pf_test_server_add_trickle (server, "POP3 server ready, eventually", -1, 1000);
  fetcher = make_fetcher_with_timeout (server, 3);
  start = g_get_monotonic_time ();
  result = run_fetch (fetcher, &error);
  g_assert_null (result);
  g_assert_error (error, PF_ERROR, PF_ERROR_TIMEOUT);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 6 * G_USEC_PER_SEC);
  g_assert_false (pf_test_server_received_contains (server, "USER"));
  g_assert_cmpuint (pf_test_fetch_count (maildir, "new"), ==, 0);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/engine/delivery/fetch/cli/lean-process", test_cli_lean_process);
  g_test_add_func ("/engine/delivery/fetch/drop-mid-retr", test_drop_mid_retr);
  g_test_add_func ("/engine/delivery/fetch/credentials/asked-when-logging-in", test_credentials_asked_when_logging_in);
  g_test_add_func ("/engine/delivery/fetch/credentials/asked-once-across-retry", test_credentials_asked_once_across_retry);
  g_test_add_func ("/engine/delivery/fetch/stall-mid-retr", test_stall_mid_retr);
  g_test_add_func ("/engine/delivery/fetch/trickle-mid-retr", test_trickle_mid_retr);
  g_test_add_func ("/engine/delivery/fetch/cancel-keeps-what-arrived", test_cancel_keeps_what_arrived);
  g_test_add_func ("/engine/delivery/fetch/cancel-winds-up-with-quit", test_cancel_winds_up_with_quit);
  g_test_add_func ("/engine/delivery/fetch/no-uidl/keep-refused", test_no_uidl_keep_refused);
  g_test_add_func ("/engine/delivery/fetch/no-uidl/delete-never-duplicates", test_no_uidl_delete_never_duplicates);
  g_test_add_func ("/engine/delivery/fetch/reused-uid/other-size-is-new", test_reused_uid_other_size);
  g_test_add_func ("/engine/delivery/fetch/reused-uid/same-size-never-deleted-unread", test_reused_uid_same_size_never_deleted_unread);
  g_test_add_func ("/engine/delivery/fetch/reused-uid/status-header-still-same", test_status_header_still_same);
  g_test_add_func ("/engine/delivery/fetch/reused-uid/old-journal-never-deleted-unread", test_old_journal_reused_uid_never_deleted_unread);
  g_test_add_func ("/engine/delivery/fetch/reused-uid/old-journal-without-file-kept", test_old_journal_without_file_kept);
  g_test_add_func ("/engine/delivery/fetch/compaction/partial-listings-forget-nothing", test_partial_listings_forget_nothing);
  g_test_add_func ("/engine/delivery/fetch/requested-deletion", test_requested_deletion);
  g_test_add_func ("/engine/delivery/fetch/requested-deletion/link-not-followed", test_requested_deletion_link_not_followed);
  g_test_add_func ("/engine/delivery/fetch/framing/glued-terminator-pipelined", test_glued_terminator_pipelined);
  g_test_add_func ("/engine/delivery/fetch/size-limit/data-past-limit", test_data_past_size_limit);
  g_test_add_func ("/engine/delivery/fetch/round-trips/listing-in-one", test_listing_one_round_trip);
  g_test_add_func ("/engine/delivery/fetch/round-trips/header-checks-in-one", test_header_checks_one_round_trip);
  g_test_add_func ("/engine/delivery/fetch/round-trips/retrieve-window-by-bytes", test_retrieve_window_by_bytes);
  g_test_add_func ("/engine/delivery/fetch/state/saved-account-survives-host-edit", test_saved_account_survives_host_edit);
  g_test_add_func ("/engine/delivery/fetch/state/ad-hoc-other-name-refused", test_ad_hoc_other_name_refused);
  g_test_add_func ("/engine/delivery/fetch/framing/glued-terminator-small-messages", test_glued_terminator_small_messages);
  g_test_add_func ("/engine/delivery/fetch/listing/duplicate-msgno-uidl", test_duplicate_msgno_uidl);
  g_test_add_func ("/engine/delivery/fetch/listing/duplicate-msgno-list", test_duplicate_msgno_list);
  g_test_add_func ("/engine/delivery/fetch/listing/longer-than-stat", test_listing_longer_than_stat);
  g_test_add_func ("/engine/delivery/fetch/listing/uidl-list-disagree", test_listing_uidl_list_disagree);
  g_test_add_func ("/engine/delivery/fetch/utf8/said-before-retr", test_utf8_before_retr);
  g_test_add_func ("/engine/delivery/fetch/trickle/greeting-one-byte-per-second", test_greeting_trickle_one_byte_per_second);

  return g_test_run ();
}
