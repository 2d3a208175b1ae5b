/* test-fetch-server.c — the mail left on the server: the server view, one
 * message fetched or deleted by its unique-id, a mailbox served in batches
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "pf-error.h"
#include "pf-fetcher.h"
#include "pf-journal.h"
#include "pf-server-view.h"
#include "pf-test-fetch.h"
#include "pf-test-server.h"
#include "pf-test-util.h"

#define GREETING_CAPA \
  "S: +OK POP3 ready\n" \
  "C: CAPA\nS: +OK\nS: USER\nS: UIDL\nS: TOP\nS: .\n" \
  "C: USER bob\nS: +OK\nC: PASS secret\n"
#define LOGGED_IN GREETING_CAPA "S: +OK logged in\n" "C: CAPA\nS: -ERR\n"

#define MESSAGE(n) "S: +OK\nS: Subject: " #n "\nS: Message-ID: <" #n "@popfetch.test>\nS: \nS: ..body " #n "\nS: .\n"
#define QUIT "C: QUIT\nS: +OK\n"

/* Three messages; the second is over a size limit of 1000. */
#define UIDL_3 "C: STAT\nS: +OK 3 180\nC: UIDL\nS: +OK\nS: 1 uid-1\nS: 2 uid-2\nS: 3 uid-3\nS: .\n"
#define LIST_3 "C: LIST\nS: +OK\nS: 1 60\nS: 2 5000\nS: 3 60\nS: .\n"
#define SIZE_LIMIT 1000
#define HEADER_2 \
  "S: +OK\n" \
  "S: From: =?UTF-8?Q?J=C3=B6rg?= <joerg@example.org>\n" \
  "S: Subject: =?UTF-8?B?R3LDvMOfZQ==?=\n" \
  "S:  =?ISO-8859-1?Q?_aus_K=F6ln?=\n" \
  "S: Date: Tue, 1 Dec 2026 10:00:00 +0100\n" \
  "S: \n" \
  "S: .\n"

static char *
local_maildir (void)
{
  return g_build_filename (g_get_user_data_dir (), "Mail", NULL);
}

static PfFetcher *
make_fetcher (PfTestServer *server)
{
  g_autofree char *maildir = local_maildir ();

  return pf_test_fetch_new_plain ("127.0.0.1", pf_test_server_get_port (server), "bob", "secret",
                                  maildir, 2);
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

/* Runs @script once with @fetcher's settings; asserts that the server saw
 * what it expected and returns the result. */
static PfFetchResult *
run_script (const char    *script,
            PfFetchTarget  target,
            const char    *uid,
            guint64        size_limit,
            GError       **error)
{
  g_autoptr(PfTestServer) server = pf_test_server_new (PF_TEST_SERVER_PLAIN);
  g_autoptr(PfFetcher) fetcher = NULL;
  g_autofree char *failure = NULL;
  PfFetchResult *result;

  pf_test_server_add_script (server, script);
  fetcher = make_fetcher (server);
  pf_fetcher_set_target (fetcher, target, uid);
  pf_fetcher_set_size_limit (fetcher, size_limit);
  result = run_fetch (fetcher, error);
  g_assert_true (pf_test_server_wait_connections (server, 1, 5));
  failure = pf_test_server_dup_failure (server);
  g_assert_null (failure);
  return result;
}

static char *
view_path (void)
{
  g_autofree char *state_dir = g_build_filename (g_get_user_state_dir (), "popfetch", NULL);
  g_autofree char *key = pf_journal_account_key ("127.0.0.1", "bob");

  return pf_server_view_build_path (state_dir, key);
}

static PfServerView *
load_view (void)
{
  g_autofree char *path = view_path ();
  g_autoptr(GError) error = NULL;
  PfServerView *view = pf_server_view_load (path, &error);

  g_assert_no_error (error);
  g_assert_nonnull (view);
  return view;
}

static void
assert_message_2_headers (const PfServerMessage *message)
{
  g_assert_nonnull (message);
  g_assert_cmpstr (message->uid, ==, "uid-2");
  g_assert_cmpuint (message->size, ==, 5000);
  g_assert_cmpstr (message->from, ==, "Jörg <joerg@example.org>");
  g_assert_cmpstr (message->subject, ==, "Grüße aus Köln");
  g_assert_cmpstr (message->date, ==, "Tue, 1 Dec 2026 10:00:00 +0100");
  g_assert_cmpint (message->date_unix, ==, 1796115600);
}

/* A survey lists and reads the header of the message over the limit,
 * fetches and deletes nothing; the fetch after it keeps those headers
 * without another TOP, and counts what is here. */
static void
test_survey_then_fetch (void)
{
  g_autofree char *maildir = local_maildir ();
  g_autoptr(PfFetchResult) survey = NULL;
  g_autoptr(PfFetchResult) fetch = NULL;
  g_autoptr(PfServerView) view = NULL;
  g_autoptr(GError) error = NULL;
  PfServerView *seen;

  survey = run_script (LOGGED_IN UIDL_3 LIST_3 "C: TOP 2 0\n" HEADER_2 QUIT,
                       PF_FETCH_TARGET_SURVEY, NULL, SIZE_LIMIT, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (survey->fetched, ==, 0);
  g_assert_cmpuint (survey->deleted, ==, 0);
  seen = survey->server_view;
  g_assert_nonnull (seen);
  g_assert_cmpuint (pf_server_view_get_n_messages (seen), ==, 3);
  g_assert_cmpuint (pf_server_view_get_total_size (seen), ==, 5120);
  g_assert_cmpuint (pf_server_view_get_n_here (seen), ==, 0);
  g_assert_cmpuint (pf_server_view_get_size_limit (seen), ==, SIZE_LIMIT);
  g_assert_cmpuint (pf_server_view_get_over_limit (seen)->len, ==, 1);
  assert_message_2_headers (g_ptr_array_index (pf_server_view_get_over_limit (seen), 0));
  g_assert_cmpuint (pf_test_fetch_count (maildir, "new"), ==, 0);

  /* What the file says is what the run returned. */
  view = load_view ();
  g_assert_cmpuint (pf_server_view_get_n_messages (view), ==, 3);
  assert_message_2_headers (pf_server_view_find (view, "uid-2"));
  g_clear_pointer (&view, pf_server_view_unref);

  fetch = run_script (LOGGED_IN UIDL_3 LIST_3 "C: RETR 1\n" MESSAGE (1) "C: RETR 3\n" MESSAGE (3) QUIT,
                      PF_FETCH_TARGET_ALL, NULL, SIZE_LIMIT, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (fetch->fetched, ==, 2);
  view = load_view ();
  g_assert_cmpuint (pf_server_view_get_n_messages (view), ==, 3);
  g_assert_cmpuint (pf_server_view_get_n_here (view), ==, 2);
  assert_message_2_headers (pf_server_view_find (view, "uid-2"));
  pf_test_fetch_assert_exactly_once (maildir, 2);
}

/* A server without TOP still gives the sizes. */
static void
test_survey_without_top (void)
{
  g_autoptr(PfFetchResult) survey = NULL;
  g_autoptr(GError) error = NULL;
  const PfServerMessage *message;

  survey = run_script (LOGGED_IN UIDL_3 LIST_3 "C: TOP 2 0\nS: -ERR no TOP here\n" QUIT,
                       PF_FETCH_TARGET_SURVEY, NULL, SIZE_LIMIT, &error);
  g_assert_no_error (error);
  message = pf_server_view_find (survey->server_view, "uid-2");
  g_assert_nonnull (message);
  g_assert_cmpuint (message->size, ==, 5000);
  g_assert_null (message->from);
  g_assert_null (message->subject);
  g_assert_null (message->date);
}

/* The message over the limit fetched on purpose, journaled: the normal
 * fetch after it brings the other two and not that one again. */
static void
test_fetch_one_then_all (void)
{
  g_autofree char *maildir = local_maildir ();
  g_autoptr(PfFetchResult) one = NULL;
  g_autoptr(PfFetchResult) all = NULL;
  g_autoptr(GError) error = NULL;

  one = run_script (LOGGED_IN UIDL_3 LIST_3 "C: RETR 2\n" MESSAGE (2) QUIT,
                    PF_FETCH_TARGET_ONE, "uid-2", SIZE_LIMIT, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (one->fetched, ==, 1);
  g_assert_cmpuint (one->over_limit->len, ==, 0);
  pf_test_fetch_assert_exactly_once (maildir, 1);

  all = run_script (LOGGED_IN UIDL_3 LIST_3 "C: RETR 1\n" MESSAGE (1) "C: RETR 3\n" MESSAGE (3) QUIT,
                    PF_FETCH_TARGET_ALL, NULL, SIZE_LIMIT, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (all->fetched, ==, 2);
  g_assert_cmpuint (all->already_had, ==, 1);
  g_assert_cmpuint (pf_server_view_get_n_here (all->server_view), ==, 3);
  g_assert_cmpuint (pf_server_view_get_over_limit (all->server_view)->len, ==, 0);
  pf_test_fetch_assert_exactly_once (maildir, 3);
}

/* An id the server does not list fails the run, fetching nothing. */
static void
test_fetch_one_unknown (void)
{
  g_autoptr(PfFetchResult) one = NULL;
  g_autoptr(GError) error = NULL;

  one = run_script (LOGGED_IN UIDL_3 LIST_3, PF_FETCH_TARGET_ONE, "uid-9", SIZE_LIMIT, &error);
  g_assert_error (error, PF_ERROR, PF_ERROR_INVALID_INPUT);
  g_assert_null (one);
}

/* Deleting one message: only that DELE, committed by QUIT, the journal
 * records it gone, the view loses it; the next fetch brings the rest
 * exactly once. */
static void
test_delete_one (void)
{
  g_autofree char *maildir = local_maildir ();
  g_autoptr(PfTestServer) server = pf_test_server_new (PF_TEST_SERVER_PLAIN);
  g_autoptr(PfFetcher) fetcher = NULL;
  g_autoptr(PfFetchResult) deleted = NULL;
  g_autoptr(PfFetchResult) all = NULL;
  g_autoptr(PfServerView) view = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *received = NULL;
  g_autofree char *journal_text = NULL;
  g_autofree char *state_dir = g_build_filename (g_get_user_state_dir (), "popfetch", NULL);
  g_autofree char *key = pf_journal_account_key ("127.0.0.1", "bob");
  g_autofree char *journal_name = g_strconcat (key, ".journal", NULL);
  g_autofree char *journal_path = g_build_filename (state_dir, journal_name, NULL);

  pf_test_server_add_script (server, LOGGED_IN UIDL_3 LIST_3 "C: DELE 2\nS: +OK\n" QUIT);
  fetcher = make_fetcher (server);
  pf_fetcher_set_size_limit (fetcher, SIZE_LIMIT);
  pf_fetcher_set_target (fetcher, PF_FETCH_TARGET_DELETE_ONE, "uid-2");
  deleted = run_fetch (fetcher, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (deleted->deleted, ==, 1);
  g_assert_cmpuint (deleted->fetched, ==, 0);
  received = pf_test_server_dup_received (server);
  g_assert_nonnull (strstr (received, "DELE 2"));
  g_assert_null (strstr (received, "DELE 1"));
  g_assert_null (strstr (received, "DELE 3"));
  g_assert_cmpuint (pf_server_view_get_n_messages (deleted->server_view), ==, 2);
  g_assert_cmpuint (pf_server_view_get_total_size (deleted->server_view), ==, 120);
  g_assert_null (pf_server_view_find (deleted->server_view, "uid-2"));
  g_assert_true (g_file_get_contents (journal_path, &journal_text, NULL, NULL));
  g_assert_nonnull (strstr (journal_text, "- uid-2\n"));

  all = run_script (LOGGED_IN "C: STAT\nS: +OK 2 120\nC: UIDL\nS: +OK\nS: 1 uid-1\nS: 2 uid-3\nS: .\n"
                    "C: LIST\nS: +OK\nS: 1 60\nS: 2 60\nS: .\n"
                    "C: RETR 1\n" MESSAGE (1) "C: RETR 2\n" MESSAGE (3) QUIT,
                    PF_FETCH_TARGET_ALL, NULL, SIZE_LIMIT, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (all->fetched, ==, 2);
  view = load_view ();
  g_assert_cmpuint (pf_server_view_get_n_messages (view), ==, 2);
  g_assert_cmpuint (pf_server_view_get_over_limit (view)->len, ==, 0);
  pf_test_fetch_assert_exactly_once (maildir, 2);
}

/* A server that says the mailbox is near its quota in a response code,
 * and a provider limit the mailbox is near: both pointed out. */
static void
test_quota (void)
{
  g_autoptr(GError) error = NULL;

  {
    g_autoptr(PfFetchResult) survey = NULL;

    survey = run_script (GREETING_CAPA "S: +OK [QUOTA/WARN] Mailbox is 95% full\n" "C: CAPA\nS: -ERR\n"
                         UIDL_3 LIST_3 "C: TOP 2 0\n" HEADER_2 QUIT,
                         PF_FETCH_TARGET_SURVEY, NULL, SIZE_LIMIT, &error);
    g_assert_no_error (error);
    g_assert_cmpint (pf_server_view_get_quota_source (survey->server_view), ==, PF_QUOTA_SOURCE_SERVER);
    g_assert_cmpstr (pf_server_view_get_quota_text (survey->server_view), ==,
                     "+OK [QUOTA/WARN] Mailbox is 95% full");
    g_assert_true (pf_server_view_is_near_quota (survey->server_view));
  }
  {
    g_autoptr(PfTestServer) server = pf_test_server_new (PF_TEST_SERVER_PLAIN);
    g_autoptr(PfFetcher) fetcher = NULL;
    g_autoptr(PfFetchResult) survey = NULL;
    g_autoptr(PfServerView) view = NULL;

    pf_test_server_add_script (server, LOGGED_IN UIDL_3 LIST_3 QUIT);
    fetcher = make_fetcher (server);
    pf_fetcher_set_target (fetcher, PF_FETCH_TARGET_SURVEY, NULL);
    pf_fetcher_set_quota (fetcher, 5500);
    survey = run_fetch (fetcher, &error);
    g_assert_no_error (error);
    g_assert_nonnull (survey);
    view = load_view ();
    g_assert_cmpuint (pf_server_view_get_quota (view), ==, 5500);
    g_assert_cmpint (pf_server_view_get_quota_source (view), ==, PF_QUOTA_SOURCE_PROVIDER);
    g_assert_null (pf_server_view_get_quota_text (view));
    /* 5,120 of 5,500 bytes: over 90 %. */
    g_assert_true (pf_server_view_is_near_quota (view));
    pf_server_view_set_quota (view, 6000, PF_QUOTA_SOURCE_PROVIDER, NULL);
    g_assert_false (pf_server_view_is_near_quota (view));
  }
}

/* A Gmail-like server shows at most two messages a session, those not
 * yet downloaded: one run logs in again while a session brought mail and
 * gets the whole mailbox, each message once. */
#define BATCH_SESSIONS \
  LOGGED_IN "C: STAT\nS: +OK 2 120\nC: UIDL\nS: +OK\nS: 1 a\nS: 2 b\nS: .\n" "C: LIST\nS: +OK\nS: 1 60\nS: 2 60\nS: .\n" \
  "C: RETR 1\n" MESSAGE (1) "C: RETR 2\n" MESSAGE (2) QUIT \
  "NEXT CONNECTION\n" \
  LOGGED_IN "C: STAT\nS: +OK 2 120\nC: UIDL\nS: +OK\nS: 1 c\nS: 2 d\nS: .\n" "C: LIST\nS: +OK\nS: 1 60\nS: 2 60\nS: .\n" \
  "C: RETR 1\n" MESSAGE (3) "C: RETR 2\n" MESSAGE (4) QUIT \
  "NEXT CONNECTION\n" \
  LOGGED_IN "C: STAT\nS: +OK 1 60\nC: UIDL\nS: +OK\nS: 1 e\nS: .\n" "C: LIST\nS: +OK\nS: 1 60\nS: .\n" \
  "C: RETR 1\n" MESSAGE (5) QUIT \
  "NEXT CONNECTION\n" \
  LOGGED_IN "C: STAT\nS: +OK 0 0\nC: UIDL\nS: +OK\nS: .\n" "C: LIST\nS: +OK\nS: .\n" QUIT

static void
test_batches_whole_mailbox (void)
{
  g_autofree char *maildir = local_maildir ();
  g_autoptr(PfTestServer) server = pf_test_server_new (PF_TEST_SERVER_PLAIN);
  g_autoptr(PfFetcher) fetcher = NULL;
  g_autoptr(PfFetchResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *failure = NULL;

  pf_test_server_add_script (server, BATCH_SESSIONS);
  fetcher = make_fetcher (server);
  pf_fetcher_set_max_sessions (fetcher, 20);
  result = run_fetch (fetcher, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (result->sessions, ==, 4);
  g_assert_cmpuint (result->fetched, ==, 5);
  g_assert_cmpuint (pf_fetcher_get_messages_done (fetcher), ==, 5);
  g_assert_true (pf_test_server_wait_connections (server, 4, 5));
  failure = pf_test_server_dup_failure (server);
  g_assert_null (failure);
  pf_test_fetch_assert_exactly_once (maildir, 5);
}

/* The number of sessions is bounded; without the provider's word a run
 * is one session, as before. */
static void
test_batches_bounded (void)
{
  g_autofree char *maildir = local_maildir ();

  {
    g_autoptr(PfTestServer) server = pf_test_server_new (PF_TEST_SERVER_PLAIN);
    g_autoptr(PfFetcher) fetcher = NULL;
    g_autoptr(PfFetchResult) result = NULL;
    g_autoptr(GError) error = NULL;

    pf_test_server_add_script (server, BATCH_SESSIONS);
    fetcher = make_fetcher (server);
    result = run_fetch (fetcher, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (result->sessions, ==, 1);
    g_assert_cmpuint (result->fetched, ==, 2);
  }
  {
    g_autoptr(PfTestServer) server = pf_test_server_new (PF_TEST_SERVER_PLAIN);
    g_autoptr(PfFetcher) fetcher = NULL;
    g_autoptr(PfFetchResult) result = NULL;
    g_autoptr(GError) error = NULL;

    /* The same server from its second session on. */
    pf_test_server_add_script (server, strstr (BATCH_SESSIONS, "NEXT CONNECTION\n") + strlen ("NEXT CONNECTION\n"));
    fetcher = make_fetcher (server);
    pf_fetcher_set_max_sessions (fetcher, 2);
    result = run_fetch (fetcher, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (result->sessions, ==, 2);
    g_assert_cmpuint (result->fetched, ==, 3);
  }
  pf_test_fetch_assert_exactly_once (maildir, 5);
}

/* Pure: encoded-words decoded, the white space between two of them
 * dropped, an unknown charset or a bad encoding kept as it was, control
 * characters never reaching the screen. */
static void
test_decode_header (void)
{
  static const struct { const char *in; const char *out; } cases[] = {
    { " plain text", "plain text" },
    { "=?UTF-8?B?R3LDvMOfZQ==?=", "Grüße" },
    { "=?iso-8859-1?q?K=F6ln?= =?UTF-8?Q?_und_Bonn?=", "Köln und Bonn" },
    { "a =?UTF-8?Q?b?= c", "a b c" },
    { "=?UTF-8*de?Q?Gr=C3=BC=C3=9Fe?=", "Grüße" },
    { "=?x-unknown?Q?abc?=", "=?x-unknown?Q?abc?=" },
    { "=?UTF-8?B?!!!!?=", "=?UTF-8?B?!!!!?=" },
    /* An escape sequence goes whole, encoded or not. */
    { "=?UTF-8?Q?=1B]0;pwned=07?=ok", "ok" },
    { "bell\a and \x1b[31mred", "bell and red" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *out = pf_server_view_decode_header (cases[i].in);

      g_assert_cmpstr (out, ==, cases[i].out);
    }
}

/* Saved and loaded: every field, and the file is replaced whole. */
static void
test_view_round_trip (void)
{
  g_autofree char *path = g_build_filename (g_get_tmp_dir (), "round-trip.server", NULL);
  g_autoptr(PfServerView) view = pf_server_view_new ();
  g_autoptr(PfServerView) loaded = NULL;
  g_autoptr(GPtrArray) messages = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  PfServerMessage *message = pf_server_message_new ("uid-7", 123456);
  GStatBuf st;

  message->subject = g_strdup ("Große Datei");
  message->date_unix = 42;
  g_ptr_array_add (messages, message);
  g_ptr_array_add (messages, pf_server_message_new (NULL, 99));
  pf_server_view_set_updated (view, 1700000000);
  pf_server_view_set_counts (view, 10, 1 << 20, 7);
  pf_server_view_set_size_limit (view, 100000);
  pf_server_view_take_over_limit (view, g_ptr_array_ref (messages));
  pf_server_view_set_quota (view, 2 << 20, PF_QUOTA_SOURCE_SERVER, "+OK [QUOTA] nearly full");

  g_assert_true (pf_server_view_save (view, path, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  loaded = pf_server_view_load (path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (pf_server_view_get_updated (loaded), ==, 1700000000);
  g_assert_cmpuint (pf_server_view_get_n_messages (loaded), ==, 10);
  g_assert_cmpuint (pf_server_view_get_total_size (loaded), ==, 1 << 20);
  g_assert_cmpuint (pf_server_view_get_n_here (loaded), ==, 7);
  g_assert_cmpuint (pf_server_view_get_size_limit (loaded), ==, 100000);
  g_assert_cmpuint (pf_server_view_get_quota (loaded), ==, 2 << 20);
  g_assert_cmpint (pf_server_view_get_quota_source (loaded), ==, PF_QUOTA_SOURCE_SERVER);
  g_assert_cmpstr (pf_server_view_get_quota_text (loaded), ==, "+OK [QUOTA] nearly full");
  g_assert_cmpuint (pf_server_view_get_over_limit (loaded)->len, ==, 2);
  message = g_ptr_array_index (pf_server_view_get_over_limit (loaded), 0);
  g_assert_cmpstr (message->uid, ==, "uid-7");
  g_assert_cmpuint (message->size, ==, 123456);
  g_assert_cmpstr (message->subject, ==, "Große Datei");
  g_assert_null (message->from);
  g_assert_cmpint (message->date_unix, ==, 42);
  message = g_ptr_array_index (pf_server_view_get_over_limit (loaded), 1);
  g_assert_null (message->uid);
  g_assert_cmpuint (message->size, ==, 99);

  g_assert_true (pf_server_view_remove (loaded, "uid-7"));
  g_assert_false (pf_server_view_remove (loaded, "uid-7"));
  g_assert_cmpuint (pf_server_view_get_n_messages (loaded), ==, 9);
  g_assert_cmpuint (pf_server_view_get_total_size (loaded), ==, (1 << 20) - 123456);

  g_remove (path);
  g_assert_null (pf_server_view_load (path, &error));
  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT);
}

/* KEY.server is a state file: a link planted under its name is neither
 * read (it would show another file's contents as the server's) nor
 * written through; saving replaces the link itself. */
static void
test_view_link_not_followed (void)
{
  g_autofree char *dir = g_build_filename (g_get_user_state_dir (), "popfetch", NULL);
  g_autofree char *elsewhere = g_build_filename (g_get_user_data_dir (), "elsewhere", NULL);
  g_autofree char *victim = g_build_filename (elsewhere, "victim", NULL);
  g_autofree char *path = pf_server_view_build_path (dir, "account-dove");
  const char *precious = "[server]\nupdated=1\nmessages=42\n";
  g_autofree char *contents = NULL;
  g_autoptr(PfServerView) view = pf_server_view_new ();
  g_autoptr(PfServerView) loaded = NULL;
  g_autoptr(GError) error = NULL;
  GStatBuf st;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (elsewhere, 0700), ==, 0);
  g_assert_true (g_file_set_contents (victim, precious, -1, NULL));
  g_assert_cmpint (symlink (victim, path), ==, 0);

  loaded = pf_server_view_load (path, &error);
  g_assert_null (loaded);
  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_LOOP);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "symbolic link"));
  g_clear_error (&error);

  pf_server_view_set_counts (view, 3, 300, 1);
  g_assert_true (pf_server_view_save (view, path, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (victim, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, precious);
  g_assert_cmpint (g_lstat (path, &st), ==, 0);
  g_assert_true (S_ISREG (st.st_mode));
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  loaded = pf_server_view_load (path, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (pf_server_view_get_n_messages (loaded), ==, 3);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/engine/delivery/server-view/decode-header", test_decode_header);
  g_test_add_func ("/engine/delivery/server-view/round-trip", test_view_round_trip);
  g_test_add_func ("/engine/delivery/server-view/link-not-followed", test_view_link_not_followed);
  g_test_add_func ("/engine/delivery/server-view/survey-then-fetch", test_survey_then_fetch);
  g_test_add_func ("/engine/delivery/server-view/survey-without-top", test_survey_without_top);
  g_test_add_func ("/engine/delivery/server-view/quota", test_quota);
  g_test_add_func ("/engine/delivery/fetch/one/then-all-exactly-once", test_fetch_one_then_all);
  g_test_add_func ("/engine/delivery/fetch/one/unknown-uid", test_fetch_one_unknown);
  g_test_add_func ("/engine/delivery/fetch/delete-one", test_delete_one);
  g_test_add_func ("/engine/delivery/fetch/batches/whole-mailbox", test_batches_whole_mailbox);
  g_test_add_func ("/engine/delivery/fetch/batches/bounded", test_batches_bounded);

  return g_test_run ();
}
