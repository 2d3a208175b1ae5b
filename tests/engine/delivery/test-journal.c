/* test-journal.c — the delivery journal, the account lock, crash recovery
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <stdarg.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "pf-error.h"
#include "pf-journal.h"

static char *
state_dir (void)
{
  return g_build_filename (g_get_user_state_dir (), "popfetch", NULL);
}

static char *
maildir_path (void)
{
  return g_build_filename (g_get_user_data_dir (), "Mail", NULL);
}

static void
test_key (void)
{
  g_autofree char *a = pf_journal_account_key ("POP.Example.ORG", "bob");
  g_autofree char *b = pf_journal_account_key ("pop.example.org", "bob smith/../x");
  g_autofree char *c = pf_journal_account_key ("::1", "a@b.c");

  g_assert_cmpstr (a, ==, "bob@pop.example.org");
  g_assert_cmpstr (b, ==, "bob%20smith%2F..%2Fx@pop.example.org");
  g_assert_cmpstr (c, ==, "a%40b.c@%3A%3A1");
}

static void
test_format_and_parse (void)
{
  g_autofree char *line = pf_journal_format_entry ("UID-1", "123.M1P2Q3.h,S=9", 1700000000);
  g_autofree char *uid = NULL, *name = NULL;
  gint64 t;

  g_assert_cmpstr (line, ==, "UID-1 123.M1P2Q3.h,S=9 1700000000\n");
  g_assert_true (pf_journal_parse_line (line, strlen (line) - 1, &uid, &name, &t));
  g_assert_cmpstr (uid, ==, "UID-1");
  g_assert_cmpstr (name, ==, "123.M1P2Q3.h,S=9");
  g_assert_cmpint (t, ==, 1700000000);
  g_clear_pointer (&uid, g_free);
  g_clear_pointer (&name, g_free);

  g_assert_true (pf_journal_parse_line ("+ 1.M2P3Q4.h", 12, &uid, &name, &t));
  g_assert_null (uid);
  g_assert_cmpstr (name, ==, "1.M2P3Q4.h");
  g_clear_pointer (&name, g_free);

  {
    const char *bad[] = { "", "a", "a b", "a b c d", "a b -1", "a b 12x", "a  b 1",
                          "a b 1 ", " a b 1", "a\tx b 1", "+ ", "a b 99999999999999999999" };
    for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
      {
        g_assert_false (pf_journal_parse_line (bad[i], strlen (bad[i]), &uid, &name, &t));
        g_assert_null (uid);
        g_assert_null (name);
      }
  }
}

static void
test_append_reload (void)
{
  g_autofree char *dir = state_dir ();
  g_autoptr(GError) error = NULL;
  PfJournalRecord records[] = {
    { "uid-a", "1.M1P1Q1.h,S=10", 1000 },
    { "uid-b", "1.M1P1Q2.h,S=20", 2000 },
  };
  const char *name;
  gint64 first_seen;

  {
    g_autoptr(PfJournal) journal = pf_journal_open (dir, "Host", "user", &error);
    g_assert_no_error (error);
    g_assert_cmpuint (pf_journal_get_n_entries (journal), ==, 0);
    g_assert_true (pf_journal_append (journal, records, 2, &error));
    g_assert_no_error (error);
    g_assert_true (pf_journal_lookup (journal, "uid-a", &name, &first_seen));
  }
  {
    g_autoptr(PfJournal) journal = pf_journal_open (dir, "host", "user", &error);
    g_assert_no_error (error);
    g_assert_cmpuint (pf_journal_get_n_entries (journal), ==, 2);
    g_assert_true (pf_journal_lookup (journal, "uid-b", &name, &first_seen));
    g_assert_cmpstr (name, ==, "1.M1P1Q2.h,S=20");
    g_assert_cmpint (first_seen, ==, 2000);
    g_assert_false (pf_journal_lookup (journal, "uid-c", NULL, NULL));
  }
  {
    /* Other user: other journal. */
    g_autoptr(PfJournal) journal = pf_journal_open (dir, "host", "other", &error);
    g_assert_no_error (error);
    g_assert_cmpuint (pf_journal_get_n_entries (journal), ==, 0);
  }
}

static void
test_torn_last_line_cut (void)
{
  g_autofree char *dir = state_dir ();
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autofree char *contents = NULL;
  PfJournalRecord record = { "uid-c", "1.M1P1Q3.h,S=30", 3000, 31, "c0ffee" };

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  path = g_build_filename (dir, "user@host.journal", NULL);
  g_assert_true (g_file_set_contents (path, "uid-a 1.M1P1Q1.h,S=10 1000\nuid-b 1.M1P", -1, &error));

  {
    g_autoptr(PfJournal) journal = pf_journal_open (dir, "host", "user", &error);
    g_assert_no_error (error);
    g_assert_cmpuint (pf_journal_get_n_entries (journal), ==, 1);
    g_assert_true (pf_journal_append (journal, &record, 1, &error));
    g_assert_no_error (error);
  }
  g_assert_true (g_file_get_contents (path, &contents, NULL, &error));
  g_assert_cmpstr (contents, ==, "uid-a 1.M1P1Q1.h,S=10 1000\nuid-c 1.M1P1Q3.h,S=30 3000 31 c0ffee\n");
}

static void
test_lock_refuses_second (void)
{
  g_autofree char *dir = state_dir ();
  g_autoptr(GError) error = NULL;
  g_autoptr(PfJournal) first = pf_journal_open (dir, "host", "user", &error);
  g_autoptr(PfJournal) second = NULL;
  g_autoptr(PfJournal) other_port_same_account = NULL;

  g_assert_no_error (error);
  second = pf_journal_open (dir, "HOST", "user", &error);
  g_assert_null (second);
  g_assert_error (error, PF_ERROR, PF_ERROR_ACCOUNT_BUSY);
  g_clear_error (&error);

  g_clear_pointer (&first, pf_journal_free);
  other_port_same_account = pf_journal_open (dir, "host", "user", &error);
  g_assert_no_error (error);
}

static GHashTable *
listing (const char *first,
         ...)
{
  GHashTable *set = g_hash_table_new (g_str_hash, g_str_equal);
  va_list args;

  va_start (args, first);
  for (const char *uid = first; uid != NULL; uid = va_arg (args, const char *))
    g_hash_table_add (set, (char *) uid);
  va_end (args);
  return set;
}

#define DAY (24 * 60 * 60)

/* An id missing from the listing is forgotten only after
 * PF_JOURNAL_FORGET_AFTER_RUNS listings without it over
 * PF_JOURNAL_FORGET_AFTER_DAYS days; before, one listing did it. */
static void
test_compact_forgets_slowly (void)
{
  g_autofree char *dir = state_dir ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) with_b = listing ("a", "b", "c", "zzz", NULL);
  g_autoptr(GHashTable) without_b = listing ("a", "c", "zzz", NULL);
  g_autofree char *contents = NULL;
  PfJournalRecord records[] = {
    { "a", "1.M1P1Q1.h,S=1", 1, 10, "aaaa" },
    { "b", "1.M1P1Q2.h,S=2", 2, 20, "bbbb" },
    { "c", "1.M1P1Q3.h,S=3", 3, 30, NULL },
  };
  PfJournalRecord more = { "d", "1.M1P1Q4.h,S=4", 4, 40, "dddd" };
  gint64 now = 1700000000;

  {
    g_autoptr(PfJournal) journal = pf_journal_open (dir, "host", "user", &error);
    g_assert_true (pf_journal_append (journal, records, 3, &error));
    g_assert_true (pf_journal_note_pending (journal, "1.M1P1Q9.h", &error));
    g_assert_true (pf_journal_compact (journal, with_b, now, NULL, &error));
    g_assert_no_error (error);
    /* Three runs in a day without "b": it stays. */
    for (guint run = 0; run < 3; run++)
      g_assert_true (pf_journal_compact (journal, without_b, now + run * 600, NULL, &error));
    g_assert_cmpuint (pf_journal_get_n_entries (journal), ==, 3);
    /* Appends after compaction go to the new file. */
    g_assert_true (pf_journal_append (journal, &more, 1, &error));
  }
  {
    g_autoptr(PfJournal) journal = pf_journal_open (dir, "host", "user", &error);
    g_autofree char *path = g_build_filename (dir, "user@host.journal", NULL);
    g_autofree char *new_path = g_build_filename (dir, "user@host.journal.new", NULL);
    PfJournalEntry entry;

    g_assert_cmpuint (pf_journal_get_n_entries (journal), ==, 4);
    g_assert_true (pf_journal_get_entry (journal, "b", &entry));
    g_assert_cmpuint (entry.size, ==, 20);
    g_assert_cmpstr (entry.header_digest, ==, "bbbb");
    g_assert_true (pf_journal_get_entry (journal, "c", &entry));
    g_assert_null (entry.header_digest);
    g_assert_true (g_file_get_contents (path, &contents, NULL, &error));
    g_assert_null (strstr (contents, "+ "));
    /* The misses survive a reopen. */
    g_assert_nonnull (strstr (contents, "b 1.M1P1Q2.h,S=2 2 20 bbbb 3 1700000000\n"));
    g_assert_false (g_file_test (new_path, G_FILE_TEST_EXISTS));

    /* A week after the first miss, one more listing without it: gone. */
    g_assert_true (pf_journal_compact (journal, without_b, now + 7 * DAY, NULL, &error));
    g_assert_false (pf_journal_lookup (journal, "b", NULL, NULL));
    g_assert_true (pf_journal_lookup (journal, "d", NULL, NULL));
  }
}

/* Days alone do not forget: an id missing from two listings a week
 * apart (a fetch once a week) stays until a third listing lacks it. */
static void
test_compact_needs_runs_and_days (void)
{
  g_autofree char *dir = state_dir ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) without_b = listing ("a", "c", NULL);
  g_autoptr(PfJournal) journal = pf_journal_open (dir, "host", "user", &error);
  PfJournalRecord records[] = {
    { "a", "1.M1P1Q1.h,S=1", 1, 10, NULL }, { "b", "1.M1P1Q2.h,S=2", 2, 20, NULL },
    { "c", "1.M1P1Q3.h,S=3", 3, 30, NULL },
  };
  gint64 now = 1700000000;

  g_assert_true (pf_journal_append (journal, records, 3, &error));
  g_assert_true (pf_journal_compact (journal, without_b, now, NULL, &error));
  g_assert_true (pf_journal_compact (journal, without_b, now + 30 * DAY, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (pf_journal_lookup (journal, "b", NULL, NULL));
  g_assert_true (pf_journal_compact (journal, without_b, now + 31 * DAY, NULL, &error));
  g_assert_false (pf_journal_lookup (journal, "b", NULL, NULL));
  g_assert_cmpuint (pf_journal_get_n_entries (journal), ==, 2);
}

/* A listing that is empty, or holds fewer than half the ids of the last
 * trusted one, counts no misses; the same shrunk listing next run does. */
static void
test_compact_distrusts_shrunk_listing (void)
{
  g_autofree char *dir = state_dir ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) all = listing ("a", "b", "c", "d", "e", NULL);
  g_autoptr(GHashTable) two = listing ("a", "b", NULL);
  g_autoptr(GHashTable) none = listing (NULL);
  g_autoptr(PfJournal) journal = pf_journal_open (dir, "host", "user", &error);
  g_autofree char *path = g_build_filename (dir, "user@host.journal", NULL);
  g_autofree char *contents = NULL;
  gint64 now = 1700000000;
  gboolean trusted = TRUE;
  PfJournalRecord records[] = {
    { "a", "1.M1P1Q1.h,S=1", 1, 1, NULL }, { "b", "1.M1P1Q2.h,S=1", 1, 1, NULL },
    { "c", "1.M1P1Q3.h,S=1", 1, 1, NULL }, { "d", "1.M1P1Q4.h,S=1", 1, 1, NULL },
    { "e", "1.M1P1Q5.h,S=1", 1, 1, NULL },
  };

  g_assert_true (pf_journal_append (journal, records, 5, &error));
  g_assert_true (pf_journal_compact (journal, all, now, &trusted, &error));
  g_assert_true (trusted);

  /* Ten days of empty answers: nothing counted, nothing forgotten. */
  for (guint run = 1; run <= 10; run++)
    {
      g_assert_true (pf_journal_compact (journal, none, now + run * DAY, &trusted, &error));
      g_assert_false (trusted);
    }
  g_assert_true (pf_journal_compact (journal, two, now + 11 * DAY, &trusted, &error));
  g_assert_false (trusted);
  g_assert_true (g_file_get_contents (path, &contents, NULL, &error));
  g_assert_null (strstr (contents, "c 1.M1P1Q3.h,S=1 1 1 - 1 "));
  g_assert_cmpuint (pf_journal_get_n_entries (journal), ==, 5);

  /* The mailbox really shrank: from the next run on, misses count. */
  for (guint run = 12; run <= 14; run++)
    {
      g_assert_true (pf_journal_compact (journal, two, now + run * DAY, &trusted, &error));
      g_assert_true (trusted);
    }
  g_assert_cmpuint (pf_journal_get_n_entries (journal), ==, 5);
  g_assert_true (pf_journal_compact (journal, two, now + 19 * DAY, &trusted, &error));
  g_assert_cmpuint (pf_journal_get_n_entries (journal), ==, 2);
}

/* A fetch hands compaction only the listed ids the journal knows, with
 * the listing's length: trust goes by that length, not by the set's. */
static void
test_compact_counted (void)
{
  g_autofree char *dir = state_dir ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) known = listing ("a", "b", "z", NULL);
  g_autoptr(PfJournal) journal = pf_journal_open (dir, "host", "user", &error);
  gint64 now = 1700000000;
  gboolean trusted = FALSE;
  PfJournalRecord records[] = {
    { "a", "1.M1P1Q1.h,S=1", 1, 1, NULL }, { "b", "1.M1P1Q2.h,S=1", 1, 1, NULL },
    { "c", "1.M1P1Q3.h,S=1", 1, 1, NULL },
  };

  g_assert_true (pf_journal_append (journal, records, 3, &error));
  g_assert_true (pf_journal_record_oversize (journal, "z", 5000, &error));
  g_assert_true (pf_journal_knows (journal, "a"));
  g_assert_true (pf_journal_knows (journal, "z"));
  g_assert_false (pf_journal_knows (journal, "y"));

  /* A mailbox of 1000, of which the journal knows a, b and z. */
  g_assert_true (pf_journal_compact_counted (journal, known, 1000, now, &trusted, &error));
  g_assert_no_error (error);
  g_assert_true (trusted);
  g_assert_true (pf_journal_is_oversize (journal, "z", 5000));
  /* Three ids after 1000 is a sharply shrunk listing, whatever the set. */
  g_assert_true (pf_journal_compact_counted (journal, known, 3, now + DAY, &trusted, &error));
  g_assert_false (trusted);
  /* c missed once, in the trusted listing of 1000; nothing forgotten. */
  g_assert_cmpuint (pf_journal_get_n_entries (journal), ==, 3);
}

/* A journal written before sizes were journaled loads, matches any size,
 * and learns the listed sizes at the next compaction. */
static void
test_old_format_loads (void)
{
  g_autofree char *dir = state_dir ();
  g_autofree char *path = g_build_filename (dir, "user@host.journal", NULL);
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) listed = listing ("uid-a", "uid-b", NULL);
  PfJournalEntry entry;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_assert_true (g_file_set_contents (path,
                                      "uid-a 1.M1P1Q1.h,S=10 1000\n"
                                      "+ 1.M1P1Q2.h\n"
                                      "uid-b 1.M1P1Q2.h,S=20 2000\n", -1, &error));
  {
    g_autoptr(PfJournal) journal = pf_journal_open (dir, "host", "user", &error);

    g_assert_no_error (error);
    g_assert_cmpuint (pf_journal_get_n_entries (journal), ==, 2);
    g_assert_true (pf_journal_get_entry (journal, "uid-a", &entry));
    g_assert_cmpstr (entry.name, ==, "1.M1P1Q1.h,S=10");
    g_assert_cmpint (entry.first_seen, ==, 1000);
    g_assert_cmpuint (entry.size, ==, PF_JOURNAL_SIZE_UNKNOWN);
    g_assert_null (entry.header_digest);
    g_assert_true (pf_journal_entry_matches_size (&entry, 12345));
    pf_journal_learn_size (journal, "uid-a", 11);
    pf_journal_learn_size (journal, "uid-b", 22);
    g_assert_true (pf_journal_compact (journal, listed, 5000, NULL, &error));
    g_assert_no_error (error);
  }
  g_assert_true (g_file_get_contents (path, &contents, NULL, &error));
  g_assert_nonnull (strstr (contents, "uid-a 1.M1P1Q1.h,S=10 1000 11 -\n"));
  g_assert_nonnull (strstr (contents, "uid-b 1.M1P1Q2.h,S=20 2000 22 -\n"));
  {
    g_autoptr(PfJournal) journal = pf_journal_open (dir, "host", "user", &error);

    g_assert_true (pf_journal_get_entry (journal, "uid-a", &entry));
    g_assert_cmpuint (entry.size, ==, 11);
    g_assert_false (pf_journal_entry_matches_size (&entry, 12));
  }
}

/* "- UID": a deletion QUIT committed; a later line for the id wins. */
static void
test_gone_and_oversize_records (void)
{
  g_autofree char *dir = state_dir ();
  g_autoptr(GError) error = NULL;
  PfJournalRecord first = { "1", "1.M1P1Q1.h,S=5", 10, 5, "1111" };
  PfJournalRecord again = { "1", "1.M1P1Q2.h,S=7", 20, 7, "2222" };
  const char *gone[] = { "1" };

  {
    g_autoptr(PfJournal) journal = pf_journal_open (dir, "host", "user", &error);

    g_assert_true (pf_journal_append (journal, &first, 1, &error));
    g_assert_true (pf_journal_record_gone (journal, gone, 1, &error));
    g_assert_false (pf_journal_lookup (journal, "1", NULL, NULL));
    g_assert_true (pf_journal_record_oversize (journal, "big", 100, &error));
    g_assert_true (pf_journal_is_oversize (journal, "big", 100));
    g_assert_false (pf_journal_is_oversize (journal, "big", 101));
  }
  {
    g_autoptr(PfJournal) journal = pf_journal_open (dir, "host", "user", &error);
    PfJournalEntry entry;

    g_assert_cmpuint (pf_journal_get_n_entries (journal), ==, 0);
    g_assert_true (pf_journal_is_oversize (journal, "big", 100));
    g_assert_true (pf_journal_append (journal, &again, 1, &error));
    g_assert_true (pf_journal_get_entry (journal, "1", &entry));
    g_assert_cmpstr (entry.name, ==, "1.M1P1Q2.h,S=7");
  }
  {
    g_autoptr(PfJournal) journal = pf_journal_open (dir, "host", "user", &error);
    PfJournalEntry entry;

    g_assert_true (pf_journal_get_entry (journal, "1", &entry));
    g_assert_cmpuint (entry.size, ==, 7);
    g_assert_cmpstr (entry.header_digest, ==, "2222");
  }
}

static void
test_parse_records (void)
{
  PfJournalLine line;
  const char *bad[] = { "a b 1 2", "a b 1 x -", "a b 1 2 - 3", "- ", "- a b", "! a", "! a x",
                        "= x", "a b 1 2 - 3 x", "a b 1 2 - 3 4 5" };

  g_assert_true (pf_journal_parse_record ("u n 5 42 abcd 2 99", 18, &line));
  g_assert_cmpint (line.kind, ==, PF_JOURNAL_LINE_DELIVERED);
  g_assert_cmpstr (line.uid, ==, "u");
  g_assert_cmpuint (line.size, ==, 42);
  g_assert_cmpstr (line.header_digest, ==, "abcd");
  g_assert_cmpuint (line.misses, ==, 2);
  g_assert_cmpint (line.missing_since, ==, 99);
  pf_journal_line_clear (&line);
  g_assert_true (pf_journal_parse_record ("- u", 3, &line));
  g_assert_cmpint (line.kind, ==, PF_JOURNAL_LINE_GONE);
  pf_journal_line_clear (&line);
  g_assert_true (pf_journal_parse_record ("= 12", 4, &line));
  g_assert_cmpint (line.kind, ==, PF_JOURNAL_LINE_LISTED);
  g_assert_cmpuint (line.count, ==, 12);
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_assert_false (pf_journal_parse_record (bad[i], strlen (bad[i]), &line));
      g_assert_null (line.uid);
      g_assert_null (line.header_digest);
    }
}

/* A saved account's journal is its own; the host-and-user journal it had
 * before is taken over once. */
static void
test_saved_account_takes_over_legacy (void)
{
  g_autofree char *dir = state_dir ();
  g_autoptr(GError) error = NULL;
  g_autofree char *key = pf_journal_saved_account_key ("Work mail");
  g_autofree char *legacy = pf_journal_account_key ("pop.example.org", "bob");
  g_autofree char *legacy_path = g_build_filename (dir, "bob@pop.example.org.journal", NULL);
  PfJournalRecord record = { "uid-1", "1.M1P1Q1.h,S=5", 10, 5, NULL };

  g_assert_cmpstr (key, ==, "account-Work%20mail");
  {
    g_autoptr(PfJournal) journal = pf_journal_open (dir, "pop.example.org", "bob", &error);
    g_assert_true (pf_journal_append (journal, &record, 1, &error));
  }
  {
    g_autoptr(PfJournal) journal = pf_journal_open_keyed (dir, key, legacy, "Work mail", &error);
    g_autoptr(PfJournal) second = NULL;

    g_assert_no_error (error);
    g_assert_true (pf_journal_lookup (journal, "uid-1", NULL, NULL));
    g_assert_false (g_file_test (legacy_path, G_FILE_TEST_EXISTS));
    second = pf_journal_open_keyed (dir, key, legacy, "Work mail", &error);
    g_assert_null (second);
    g_assert_error (error, PF_ERROR, PF_ERROR_ACCOUNT_BUSY);
    g_assert_nonnull (strstr (error->message, "Work mail"));
    g_clear_error (&error);
  }
  {
    /* Once: a host-and-user journal made later is not merged in. */
    g_autoptr(PfJournal) ad_hoc = pf_journal_open (dir, "pop.example.org", "bob", &error);
    PfJournalRecord other = { "uid-2", "1.M1P1Q2.h,S=5", 10, 5, NULL };

    g_assert_true (pf_journal_append (ad_hoc, &other, 1, &error));
  }
  {
    g_autoptr(PfJournal) journal = pf_journal_open_keyed (dir, key, legacy, "Work mail", &error);

    g_assert_true (pf_journal_lookup (journal, "uid-1", NULL, NULL));
    g_assert_false (pf_journal_lookup (journal, "uid-2", NULL, NULL));
  }
}

/* A victim file elsewhere that a planted link points at. */
static char *
make_victim (void)
{
  g_autofree char *dir = g_build_filename (g_get_user_data_dir (), "elsewhere", NULL);
  char *victim = g_build_filename (dir, "victim", NULL);

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_assert_true (g_file_set_contents (victim, "precious\n", -1, NULL));
  return victim;
}

static void
assert_victim_untouched (const char *victim)
{
  g_autofree char *contents = NULL;

  g_assert_true (g_file_get_contents (victim, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, "precious\n");
}

/* A link planted where compaction used to write its temporary file
 * (".journal.new", opened with O_TRUNC) redirected the write to any file
 * the user may write, and the rename then made the journal that link. */
static void
test_planted_temporary_harmless (void)
{
  g_autofree char *dir = state_dir ();
  g_autofree char *victim = make_victim ();
  g_autofree char *planted = g_build_filename (dir, "user@host.journal.new", NULL);
  g_autofree char *path = g_build_filename (dir, "user@host.journal", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(PfJournal) journal = pf_journal_open (dir, "host", "user", &error);
  PfJournalRecord record = { "a", "1.M1P1Q1.h,S=1", 1 };
  g_autoptr(GHashTable) listed = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  GStatBuf st;
  ino_t before;

  g_assert_no_error (error);
  g_assert_true (pf_journal_append (journal, &record, 1, &error));
  g_assert_cmpint (symlink (victim, planted), ==, 0);
  g_assert_cmpint (g_lstat (path, &st), ==, 0);
  before = st.st_ino;

  /* A listing without "a" counts a miss, which makes compaction rewrite. */
  g_hash_table_add (listed, g_strdup ("b"));
  g_assert_true (pf_journal_compact (journal, listed, 1000, NULL, &error));
  g_assert_no_error (error);
  assert_victim_untouched (victim);
  g_assert_cmpint (g_lstat (path, &st), ==, 0);
  g_assert_true (S_ISREG (st.st_mode));
  /* The journal was rewritten, through a temporary of its own. */
  g_assert_cmpuint (st.st_ino, !=, before);
  g_assert_true (pf_journal_lookup (journal, "a", NULL, NULL));

  /* The next open clears the stale name away: the link, not its target. */
  g_clear_pointer (&journal, pf_journal_free);
  journal = pf_journal_open (dir, "host", "user", &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_lstat (planted, &st), !=, 0);
  assert_victim_untouched (victim);
}

/* A journal or lock that is a link is refused, and nothing is written
 * through it. */
static void
test_planted_links_refused (void)
{
  const char *names[] = { "user@host.journal", "user@host.lock" };
  g_autofree char *dir = state_dir ();

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *victim = make_victim ();
      g_autofree char *planted = g_build_filename (dir, names[i], NULL);
      g_autoptr(GError) error = NULL;
      g_autoptr(PfJournal) journal = NULL;

      g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
      /* The lock file the first round made. */
      g_unlink (planted);
      g_assert_cmpint (symlink (victim, planted), ==, 0);
      journal = pf_journal_open (dir, "host", "user", &error);
      g_assert_null (journal);
      g_assert_error (error, PF_ERROR, PF_ERROR_LOCAL_DISK);
      g_test_message ("%s", error->message);
      g_assert_nonnull (strstr (error->message, planted));
      g_assert_nonnull (strstr (error->message, "symbolic link"));
      assert_victim_untouched (victim);
      g_assert_cmpint (g_unlink (planted), ==, 0);
    }
}

/* Another journal that is a link is not read when an ad-hoc fetch looks
 * for the Maildir's owner: only files of the state directory count. */
static void
test_other_journal_link_not_read (void)
{
  g_autofree char *dir = state_dir ();
  g_autofree char *mpath = maildir_path ();
  g_autofree char *new_dir = g_build_filename (mpath, "new", NULL);
  g_autofree char *delivered = g_build_filename (new_dir, "1.M1P1Q1.h,S=5", NULL);
  g_autofree char *elsewhere = g_build_filename (g_get_user_data_dir (), "elsewhere", NULL);
  g_autofree char *outside = g_build_filename (elsewhere, "bob@old.example.journal", NULL);
  g_autofree char *planted = g_build_filename (dir, "bob@old.example.journal", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(PfJournal) journal = NULL;
  g_autofree char *other = NULL;

  g_assert_cmpint (g_mkdir_with_parents (new_dir, 0700), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (elsewhere, 0700), ==, 0);
  g_assert_true (g_file_set_contents (delivered, "x\n", -1, NULL));
  g_assert_true (g_file_set_contents (outside, "@ bob\nuid-1 1.M1P1Q1.h,S=5 10 5 -\n", -1, NULL));
  journal = pf_journal_open (dir, "new.example", "bob", &error);
  g_assert_no_error (error);

  /* As a file of the state directory it counts. */
  g_assert_cmpint (g_rename (outside, planted), ==, 0);
  other = pf_journal_find_other_holding (journal, "bob", mpath);
  g_assert_cmpstr (other, ==, planted);
  g_clear_pointer (&other, g_free);

  g_assert_cmpint (g_rename (planted, outside), ==, 0);
  g_assert_cmpint (symlink (outside, planted), ==, 0);
  other = pf_journal_find_other_holding (journal, "bob", mpath);
  g_assert_null (other);
}

/* Whoever may write the state directory may plant or replace journals:
 * a directory that others may write, or that another user owns, is
 * refused. */
static void
test_loose_state_dir_refused (void)
{
  static const int loose[] = { 0777, 0770, 0730, 0703, 01777 };
  g_autofree char *dir = state_dir ();

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  for (guint i = 0; i < G_N_ELEMENTS (loose); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(PfJournal) journal = NULL;
      g_autofree char *hint = g_strdup_printf ("chmod 700 %s", dir);

      g_assert_cmpint (g_chmod (dir, loose[i]), ==, 0);
      journal = pf_journal_open (dir, "host", "user", &error);
      g_assert_null (journal);
      g_assert_error (error, PF_ERROR, PF_ERROR_LOCAL_DISK);
      g_test_message ("%o: %s", loose[i], error->message);
      g_assert_nonnull (strstr (error->message, hint));
    }

  /* Readable by others is no danger (0755 is common). */
  g_assert_cmpint (g_chmod (dir, 0755), ==, 0);
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(PfJournal) journal = pf_journal_open (dir, "host", "user", &error);

    g_assert_no_error (error);
    g_assert_nonnull (journal);
  }

  if (geteuid () != 0)
    {
      g_test_message ("not root: cannot give the directory to another user");
      return;
    }
  g_assert_cmpint (chown (dir, 65534, 65534), ==, 0);
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(PfJournal) journal = pf_journal_open (dir, "host", "user", &error);

    g_assert_null (journal);
    g_assert_error (error, PF_ERROR, PF_ERROR_LOCAL_DISK);
    g_test_message ("%s", error->message);
    g_assert_nonnull (strstr (error->message, "another user"));
  }
  g_assert_cmpint (chown (dir, 0, 0), ==, 0);
}

static void
write_tmp (PfMaildir  *maildir,
           const char *base,
           const char *text)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GOutputStream) stream = pf_maildir_create_tmp (maildir, base, FALSE, &error);

  g_assert_no_error (error);
  g_assert_true (g_output_stream_write_all (stream, text, strlen (text), NULL, NULL, &error));
  g_assert_true (g_output_stream_close (stream, NULL, &error));
  g_assert_no_error (error);
}

static guint
count_dir (const char *maildir,
           const char *sub)
{
  g_autofree char *path = g_build_filename (maildir, sub, NULL);
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  guint n = 0;

  while (dir != NULL && g_dir_read_name (dir) != NULL)
    n++;
  return n;
}

static void
test_recover (void)
{
  g_autofree char *dir = state_dir ();
  g_autofree char *mpath = maildir_path ();
  g_autoptr(GError) error = NULL;
  g_autoptr(PfMaildir) maildir = pf_maildir_open (mpath, &error);
  g_autofree char *foreign = g_build_filename (mpath, "tmp", "123.other-mda.host", NULL);
  g_autofree char *delivered_path = NULL;
  guint delivered = 99, removed = 99;

  g_assert_no_error (error);

  {
    /* A run that died: "durable" was journaled but not renamed, another
     * file was being written, a third belongs to another program. */
    g_autoptr(PfJournal) journal = pf_journal_open (dir, "host", "user", &error);
    PfJournalRecord record = { "uid-1", "1.M1P1Q1.h,S=6", 10 };

    g_assert_true (pf_journal_note_pending (journal, "1.M1P1Q1.h", &error));
    write_tmp (maildir, "1.M1P1Q1.h", "hello\n");
    g_assert_true (pf_journal_note_pending (journal, "1.M1P1Q2.h", &error));
    write_tmp (maildir, "1.M1P1Q2.h", "partial");
    g_assert_true (pf_journal_append (journal, &record, 1, &error));
    g_assert_true (g_file_set_contents (foreign, "x", -1, &error));
    g_assert_no_error (error);
  }

  {
    g_autoptr(PfJournal) journal = pf_journal_open (dir, "host", "user", &error);

    g_assert_true (pf_journal_recover (journal, maildir, &delivered, &removed, &error));
    g_assert_no_error (error);
    g_assert_cmpuint (delivered, ==, 1);
    g_assert_cmpuint (removed, ==, 1);
    delivered_path = g_build_filename (mpath, "new", "1.M1P1Q1.h,S=6", NULL);
    g_assert_true (g_file_test (delivered_path, G_FILE_TEST_IS_REGULAR));
    g_assert_true (g_file_test (foreign, G_FILE_TEST_IS_REGULAR));
    g_assert_cmpuint (count_dir (mpath, "tmp"), ==, 1);
    g_assert_cmpuint (count_dir (mpath, "new"), ==, 1);

    /* Idempotent. */
    g_assert_true (pf_journal_recover (journal, maildir, &delivered, &removed, &error));
    g_assert_cmpuint (delivered, ==, 0);
    g_assert_cmpuint (removed, ==, 0);
  }
}

/* ------------------------------------------------------------------ */
/* The journal held packed, read in chunks                              */

/* The journal file at @dir, written as @contents. */
static char *
write_journal_file (const char *dir,
                    const char *contents,
                    gsize       len)
{
  g_autoptr(GError) error = NULL;
  char *path = g_build_filename (dir, "user@host.journal", NULL);

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_assert_true (g_file_set_contents (path, contents, len, &error));
  g_assert_no_error (error);
  return path;
}

/* A delivered line for @uid, padded with its name to @len bytes with
 * its newline (0: unpadded). */
static void
append_line (GString    *out,
             const char *uid,
             gsize       len)
{
  gsize start = out->len;

  g_string_append_printf (out, "%s %s.n 1000 77 ab12\n", uid, uid);
  if (len > 0)
    {
      g_assert_cmpuint (out->len - start, <=, len);
      g_string_truncate (out, start);
      g_string_append_printf (out, "%s %s.", uid, uid);
      while (out->len - start < len - strlen (" 1000 77 ab12\n"))
        g_string_append_c (out, 'x');
      g_string_append (out, " 1000 77 ab12\n");
      g_assert_cmpuint (out->len - start, ==, len);
    }
}

static void
assert_line_entry (PfJournal  *journal,
                   const char *uid)
{
  PfJournalEntry entry;
  g_autofree char *prefix = g_strconcat (uid, ".", NULL);

  g_assert_true (pf_journal_get_entry (journal, uid, &entry));
  g_assert_true (g_str_has_prefix (entry.name, prefix));
  g_assert_cmpint (entry.first_seen, ==, 1000);
  g_assert_cmpuint (entry.size, ==, 77);
  g_assert_cmpstr (entry.header_digest, ==, "ab12");
}

/* Lines ending just before, at and just after a read's end, one longer
 * than a read, and many of every length: each loads whole. */
static void
test_lines_across_reads (void)
{
  g_autofree char *dir = state_dir ();
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(GString) long_uid = g_string_new ("long-");
  g_autoptr(GError) error = NULL;
  g_autoptr(PfJournal) journal = NULL;
  g_autofree char *path = NULL;
  g_autofree char *contents = NULL;
  gsize length = 0;
  guint n = 0;

  /* Its newline the last byte of the first read. */
  append_line (text, "first", PF_JOURNAL_READ_CHUNK);
  n++;
  /* Its newline the first byte of the third read. */
  append_line (text, "second", PF_JOURNAL_READ_CHUNK + 1);
  n++;
  /* A newline the second byte of the next one. */
  append_line (text, "third", PF_JOURNAL_READ_CHUNK + 1);
  n++;
  /* Over three reads. */
  while (long_uid->len < 2 * PF_JOURNAL_READ_CHUNK + 100)
    g_string_append (long_uid, "0123456789");
  append_line (text, long_uid->str, 0);
  n++;
  for (guint i = 0; text->len < 6 * PF_JOURNAL_READ_CHUNK; i++)
    {
      g_autofree char *uid = g_strdup_printf ("u%u", i);

      append_line (text, uid, 20 + i % 301);
      n++;
    }
  g_assert_cmpuint (text->str[PF_JOURNAL_READ_CHUNK - 1], ==, '\n');
  g_assert_cmpuint (text->str[2 * PF_JOURNAL_READ_CHUNK], ==, '\n');
  g_assert_cmpuint (text->str[3 * PF_JOURNAL_READ_CHUNK + 1], ==, '\n');

  path = write_journal_file (dir, text->str, text->len);
  journal = pf_journal_open (dir, "host", "user", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (pf_journal_get_n_entries (journal), ==, n);
  assert_line_entry (journal, "first");
  assert_line_entry (journal, "second");
  assert_line_entry (journal, "third");
  assert_line_entry (journal, long_uid->str);
  for (guint i = 0; i < n - 4; i++)
    {
      g_autofree char *uid = g_strdup_printf ("u%u", i);

      assert_line_entry (journal, uid);
    }
  /* Nothing taken for a torn line. */
  g_assert_true (g_file_get_contents (path, &contents, &length, &error));
  g_assert_cmpuint (length, ==, text->len);
}

/* A torn last line across a read's end is cut at its start. */
static void
test_torn_line_across_reads (void)
{
  g_autofree char *dir = state_dir ();
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autofree char *contents = NULL;
  gsize whole;
  gsize length = 0;

  append_line (text, "a", PF_JOURNAL_READ_CHUNK - 10);
  whole = text->len;
  g_string_append (text, "b 1.M1P1Q2.h,S=1 1000 1 ");
  while (text->len < PF_JOURNAL_READ_CHUNK + 10)
    g_string_append_c (text, 'f');
  path = write_journal_file (dir, text->str, text->len);
  {
    g_autoptr(PfJournal) journal = pf_journal_open (dir, "host", "user", &error);

    g_assert_no_error (error);
    g_assert_cmpuint (pf_journal_get_n_entries (journal), ==, 1);
    assert_line_entry (journal, "a");
    g_assert_false (pf_journal_lookup (journal, "b", NULL, NULL));
  }
  g_assert_true (g_file_get_contents (path, &contents, &length, &error));
  g_assert_cmpuint (length, ==, whole);
  g_assert_true (memcmp (contents, text->str, whole) == 0);
}

/* Enough entries to grow the index many times and fill several blocks;
 * names handed out stay where they are while more come; ids gone and
 * delivered again, before and after the compaction that drops the dead
 * records. */
static void
test_many_entries (void)
{
  g_autofree char *dir = state_dir ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) listed = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GPtrArray) gone = g_ptr_array_new_with_free_func (g_free);
  const guint n = 40000;
  const char *first_name = NULL;
  g_autofree char *long_name = g_strnfill (300, 'n');

  {
    g_autoptr(PfJournal) journal = pf_journal_open (dir, "host", "user", &error);
    PfJournalEntry entry;

    g_assert_no_error (error);
    for (guint i = 0; i < n; i += 1000)
      {
        PfJournalRecord records[1000];
        g_autoptr(GPtrArray) strings = g_ptr_array_new_with_free_func (g_free);

        for (guint j = 0; j < 1000; j++)
          {
            char *uid = g_strdup_printf ("%08X%08X", 0x5f3a0000u + i + j, 0x1234u);
            char *name = g_strdup_printf ("1700000000.M%uP1Q1.%s,S=%u", i + j,
                                          (i + j) % 97 == 1 ? long_name : "h", i + j);

            g_ptr_array_add (strings, uid);
            g_ptr_array_add (strings, name);
            records[j] = (PfJournalRecord) { uid, name, 1700000000 + i + j, i + j,
                                             "0123456789abcdef0123456789abcdef" };
            g_hash_table_add (listed, g_strdup (uid));
          }
        g_assert_true (pf_journal_append (journal, records, 1000, &error));
        g_assert_no_error (error);
        if (i == 0)
          g_assert_true (pf_journal_lookup (journal, "5F3A000000001234", &first_name, NULL));
      }
    g_assert_cmpuint (pf_journal_get_n_entries (journal), ==, n);
    /* Still readable, and the same, after all those appends. */
    g_assert_cmpstr (first_name, ==, "1700000000.M0P1Q1.h,S=0");
    g_assert_true (pf_journal_get_entry (journal, "5F3A9C3F00001234", &entry));
    g_assert_cmpint (entry.first_seen, ==, 1700000000 + 0x9c3f);
    g_assert_false (pf_journal_lookup (journal, "5F3A9C4000001234", NULL, NULL));

    /* Every third one gone, then every ninth delivered again. */
    for (guint i = 0; i < n; i += 3)
      g_ptr_array_add (gone, g_strdup_printf ("%08X%08X", 0x5f3a0000u + i, 0x1234u));
    g_assert_true (pf_journal_record_gone (journal, (const char * const *) gone->pdata, gone->len, &error));
    g_assert_cmpuint (pf_journal_get_n_entries (journal), ==, n - gone->len);
    {
      g_autoptr(GPtrArray) strings = g_ptr_array_new_with_free_func (g_free);
      g_autoptr(GArray) again = g_array_new (FALSE, FALSE, sizeof (PfJournalRecord));

      for (guint i = 0; i < n; i += 9)
        {
          char *uid = g_strdup_printf ("%08X%08X", 0x5f3a0000u + i, 0x1234u);
          char *name = g_strdup_printf ("again.%u", i);
          PfJournalRecord record = { uid, name, 5, 6, NULL };

          g_ptr_array_add (strings, uid);
          g_ptr_array_add (strings, name);
          g_assert_false (pf_journal_lookup (journal, uid, NULL, NULL));
          g_array_append_val (again, record);
        }
      g_assert_true (pf_journal_append (journal, &g_array_index (again, PfJournalRecord, 0), again->len, &error));
    }
    g_assert_true (pf_journal_compact (journal, listed, 1700000000, NULL, &error));
    g_assert_no_error (error);
    /* After the blocks are packed, more still go in. */
    {
      PfJournalRecord record = { "late", "late.1", 7, 8, "ff" };

      g_assert_true (pf_journal_append (journal, &record, 1, &error));
    }
  }
  {
    g_autoptr(PfJournal) journal = pf_journal_open (dir, "host", "user", &error);

    g_assert_no_error (error);
    g_assert_cmpuint (pf_journal_get_n_entries (journal), ==, n - gone->len + (n + 8) / 9 + 1);
    for (guint i = 0; i < n; i++)
      {
        g_autofree char *uid = g_strdup_printf ("%08X%08X", 0x5f3a0000u + i, 0x1234u);
        PfJournalEntry entry;
        gboolean found = pf_journal_get_entry (journal, uid, &entry);

        if (i % 9 == 0)
          {
            g_autofree char *name = g_strdup_printf ("again.%u", i);

            g_assert_true (found);
            g_assert_cmpstr (entry.name, ==, name);
            g_assert_null (entry.header_digest);
          }
        else if (i % 3 == 0)
          g_assert_false (found);
        else
          {
            g_assert_true (found);
            g_assert_cmpuint (entry.size, ==, i);
            g_assert_cmpstr (entry.header_digest, ==, "0123456789abcdef0123456789abcdef");
          }
      }
    g_assert_true (pf_journal_lookup (journal, "late", NULL, NULL));
  }
}

/* Records longer than the journal's blocks of memory, one gone and one
 * kept, among many short ones: after compaction packs the memory, every
 * entry is found as it was. */
static void
test_long_records_packed (void)
{
  g_autofree char *dir = state_dir ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) listed = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GPtrArray) strings = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GArray) records = g_array_new (FALSE, FALSE, sizeof (PfJournalRecord));
  g_autoptr(GPtrArray) gone = g_ptr_array_new ();
  g_autofree char *padding = g_strnfill (200, 'p');
  g_autofree char *long_b = g_strnfill (3 << 19, 'b');   /* 1.5 MiB */
  g_autofree char *long_c = g_strnfill (5 << 18, 'c');   /* 1.25 MiB */
  const guint n = 12000;
  gint64 now = 1700000000;

  for (guint i = 0; i < n; i++)
    {
      char *uid = g_strdup_printf ("s%u", i);
      char *name = g_strdup_printf ("%u.%s", i, padding);
      PfJournalRecord record = { uid, name, i, i, "abcd" };

      g_ptr_array_add (strings, uid);
      g_ptr_array_add (strings, name);
      g_array_append_val (records, record);
      if (i == n / 4)
        {
          PfJournalRecord b = { "B", long_b, 1, 1, NULL };

          g_array_append_val (records, b);
        }
      if (i == n / 2)
        {
          PfJournalRecord c = { long_c, "c.name", 2, 2, "beef" };

          g_array_append_val (records, c);
        }
      if (i % 2 == 0 && i < n / 2)
        g_ptr_array_add (gone, uid);
      g_hash_table_add (listed, g_strdup (uid));
    }
  g_ptr_array_add (gone, (char *) "B");
  g_hash_table_add (listed, g_strdup (long_c));

  {
    g_autoptr(PfJournal) journal = pf_journal_open (dir, "host", "user", &error);
    PfJournalRecord late = { "late", "late.name", 3, 3, NULL };

    g_assert_true (pf_journal_append (journal, &g_array_index (records, PfJournalRecord, 0),
                                      records->len, &error));
    g_assert_true (pf_journal_record_gone (journal, (const char * const *) gone->pdata, gone->len, &error));
    g_assert_true (pf_journal_compact (journal, listed, now, NULL, &error));
    g_assert_no_error (error);
    for (guint i = 0; i < n; i++)
      {
        g_autofree char *uid = g_strdup_printf ("s%u", i);
        g_autofree char *name = g_strdup_printf ("%u.%s", i, padding);
        PfJournalEntry entry;

        if (i % 2 == 0 && i < n / 2)
          g_assert_false (pf_journal_lookup (journal, uid, NULL, NULL));
        else
          {
            g_assert_true (pf_journal_get_entry (journal, uid, &entry));
            g_assert_cmpstr (entry.name, ==, name);
            g_assert_cmpuint (entry.size, ==, i);
            g_assert_cmpstr (entry.header_digest, ==, "abcd");
          }
      }
    g_assert_false (pf_journal_lookup (journal, "B", NULL, NULL));
    {
      PfJournalEntry entry;

      g_assert_true (pf_journal_get_entry (journal, long_c, &entry));
      g_assert_cmpstr (entry.name, ==, "c.name");
      g_assert_cmpstr (entry.header_digest, ==, "beef");
    }
    g_assert_true (pf_journal_append (journal, &late, 1, &error));
    g_assert_cmpuint (pf_journal_get_n_entries (journal), ==, n - n / 4 + 2);
  }
  {
    g_autoptr(PfJournal) journal = pf_journal_open (dir, "host", "user", &error);

    g_assert_no_error (error);
    g_assert_cmpuint (pf_journal_get_n_entries (journal), ==, n - n / 4 + 2);
    g_assert_true (pf_journal_lookup (journal, long_c, NULL, NULL));
    g_assert_true (pf_journal_lookup (journal, "s1", NULL, NULL));
    g_assert_true (pf_journal_lookup (journal, "late", NULL, NULL));
  }
}

/* Every digest comes back as it was written, through memory, compaction
 * and a reload: those kept as bytes and those kept as text. */
static void
test_digests_round_trip (void)
{
  g_autofree char *dir = state_dir ();
  g_autofree char *path = g_build_filename (dir, "user@host.journal", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) listed = listing ("0", "1", "2", "3", "4", "5", "6", "7", "8", "9", NULL);
  g_autofree char *contents = NULL;
  const char *digests[] = {
    "0123456789abcdef0123456789abcdef",                                   /* header digest */
    "00",
    "ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00",   /* 32 bytes */
    "ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff0001", /* 33: text */
    "ABCDEF01",
    "abc",
    "sha256:0b2f9e5c6a1d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f",
    "0g",
    NULL,
    "-x",
  };
  g_autoptr(GString) expected = g_string_new ("@ user\n= 10\n");
  PfJournalRecord records[G_N_ELEMENTS (digests)];
  char uids[G_N_ELEMENTS (digests)][2];

  for (guint i = 0; i < G_N_ELEMENTS (digests); i++)
    {
      uids[i][0] = '0' + i;
      uids[i][1] = '\0';
      records[i] = (PfJournalRecord) { uids[i], "1.M1P1Q1.h", 100 + i, 1000 + i, digests[i] };
      g_string_append_printf (expected, "%s 1.M1P1Q1.h %u %u %s\n", uids[i], 100 + i, 1000 + i,
                              digests[i] != NULL ? digests[i] : "-");
    }
  {
    g_autoptr(PfJournal) journal = pf_journal_open (dir, "host", "user", &error);

    g_assert_true (pf_journal_set_user (journal, "user", &error));
    g_assert_true (pf_journal_append (journal, records, G_N_ELEMENTS (records), &error));
    g_assert_no_error (error);
    for (guint i = 0; i < G_N_ELEMENTS (digests); i++)
      {
        PfJournalEntry entry;

        g_assert_true (pf_journal_get_entry (journal, uids[i], &entry));
        g_assert_cmpstr (entry.header_digest, ==, digests[i]);
      }
    /* A pending record makes the next run's compaction rewrite the file. */
    g_assert_true (pf_journal_note_pending (journal, "1.M1P1Q9.h", &error));
  }
  {
    g_autoptr(PfJournal) journal = pf_journal_open (dir, "host", "user", &error);

    g_assert_true (pf_journal_compact (journal, listed, 1700000000, NULL, &error));
    g_assert_no_error (error);
  }
  g_assert_true (g_file_get_contents (path, &contents, NULL, &error));
  g_assert_cmpstr (contents, ==, expected->str);
  {
    g_autoptr(PfJournal) journal = pf_journal_open (dir, "host", "user", &error);

    for (guint i = 0; i < G_N_ELEMENTS (digests); i++)
      {
        PfJournalEntry entry;

        g_assert_true (pf_journal_get_entry (journal, uids[i], &entry));
        g_assert_cmpstr (entry.header_digest, ==, digests[i]);
        g_assert_cmpuint (entry.size, ==, 1000 + i);
      }
  }
}

/* An id forgotten (gone from the server, or by compaction) and listed
 * again is a new message: delivered again, its new entry is the one. */
static void
test_forgotten_then_listed_again (void)
{
  g_autofree char *dir = state_dir ();
  g_autofree char *path = write_journal_file (dir,
                                              "a 1.M1P1Q1.h,S=1 10 1 aaaa\n"
                                              "- a\n"
                                              "a 1.M1P1Q2.h,S=2 20 2 bbbb\n"
                                              "b 1.M1P1Q3.h,S=3 30 3 cccc\n"
                                              "- b\n", -1);
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) without_a = listing ("b", "c", NULL);
  g_autoptr(GHashTable) with_a = listing ("a", "b", "c", NULL);
  g_autofree char *contents = NULL;
  PfJournalRecord b_again = { "b", "1.M1P1Q4.h,S=4", 40, 4, "dddd" };
  PfJournalRecord a_again = { "a", "1.M1P1Q5.h,S=5", 50, 5, "eeee" };
  PfJournalRecord c = { "c", "1.M1P1Q6.h,S=6", 60, 6, NULL };
  const char *a[] = { "a" };
  gint64 now = 1700000000;
  PfJournalEntry entry;
  g_autoptr(PfJournal) journal = pf_journal_open (dir, "host", "user", &error);

  g_assert_no_error (error);
  g_assert_cmpuint (pf_journal_get_n_entries (journal), ==, 1);
  g_assert_true (pf_journal_get_entry (journal, "a", &entry));
  g_assert_cmpstr (entry.name, ==, "1.M1P1Q2.h,S=2");
  g_assert_false (pf_journal_knows (journal, "b"));
  g_assert_true (pf_journal_append (journal, &b_again, 1, &error));
  g_assert_true (pf_journal_append (journal, &c, 1, &error));
  g_assert_true (pf_journal_get_entry (journal, "b", &entry));
  g_assert_cmpstr (entry.name, ==, "1.M1P1Q4.h,S=4");

  /* Forgotten by compaction: three listings over a week without it. */
  for (guint run = 0; run < 3; run++)
    g_assert_true (pf_journal_compact (journal, without_a, now + run * 4 * DAY, NULL, &error));
  g_assert_false (pf_journal_lookup (journal, "a", NULL, NULL));
  g_assert_cmpuint (pf_journal_get_n_entries (journal), ==, 2);
  /* Listed again, delivered again, then gone and delivered once more. */
  g_assert_true (pf_journal_append (journal, &a_again, 1, &error));
  g_assert_true (pf_journal_compact (journal, with_a, now + 9 * DAY, NULL, &error));
  g_assert_true (pf_journal_record_gone (journal, a, 1, &error));
  g_assert_false (pf_journal_knows (journal, "a"));
  g_assert_true (pf_journal_append (journal, &a_again, 1, &error));
  g_assert_true (pf_journal_get_entry (journal, "a", &entry));
  g_assert_cmpstr (entry.name, ==, "1.M1P1Q5.h,S=5");
  g_assert_cmpstr (entry.header_digest, ==, "eeee");
  g_assert_cmpuint (pf_journal_get_n_entries (journal), ==, 3);
  /* The next run rewrites it (for its pending record): each id once. */
  g_assert_true (pf_journal_note_pending (journal, "1.M1P1Q9.h", &error));
  g_clear_pointer (&journal, pf_journal_free);
  journal = pf_journal_open (dir, "host", "user", &error);
  g_assert_no_error (error);
  g_assert_true (pf_journal_get_entry (journal, "a", &entry));
  g_assert_cmpstr (entry.name, ==, "1.M1P1Q5.h,S=5");
  g_assert_true (pf_journal_compact (journal, with_a, now + 10 * DAY, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (path, &contents, NULL, &error));
  g_assert_cmpstr (contents, ==, "= 3\n"
                                 "b 1.M1P1Q4.h,S=4 40 4 dddd\n"
                                 "c 1.M1P1Q6.h,S=6 60 6 -\n"
                                 "a 1.M1P1Q5.h,S=5 50 5 eeee\n");
}

/* Ids noted as listed count as listed at the next compaction, which
 * drops the notes: a listing's set need not hold them. */
static void
test_compact_noted_listed (void)
{
  g_autofree char *dir = state_dir ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) empty = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(PfJournal) journal = pf_journal_open (dir, "host", "user", &error);
  g_autofree char *path = g_build_filename (dir, "user@host.journal", NULL);
  g_autofree char *contents = NULL;
  PfJournalRecord records[] = {
    { "a", "1.M1P1Q1.h,S=1", 1, 1, NULL }, { "b", "1.M1P1Q2.h,S=1", 1, 1, NULL },
    { "c", "1.M1P1Q3.h,S=1", 1, 1, NULL },
  };
  PfJournalRecord a_again = { "a", "1.M1P1Q4.h,S=2", 1, 2, NULL };
  gint64 now = 1700000000;
  gboolean trusted = FALSE;

  g_assert_true (pf_journal_append (journal, records, 3, &error));
  g_assert_true (pf_journal_record_oversize (journal, "y", 5000, &error));
  g_assert_true (pf_journal_record_oversize (journal, "z", 5000, &error));
  pf_journal_note_listed (journal, "a");
  pf_journal_note_listed (journal, "b");
  pf_journal_note_listed (journal, "z");
  pf_journal_note_listed (journal, "unknown");
  /* Delivered again under a noted id: still listed. */
  g_assert_true (pf_journal_append (journal, &a_again, 1, &error));
  g_assert_true (pf_journal_compact_counted (journal, empty, 4, now, &trusted, &error));
  g_assert_no_error (error);
  g_assert_true (trusted);
  g_assert_true (pf_journal_is_oversize (journal, "z", 5000));
  g_assert_false (pf_journal_knows (journal, "y"));
  g_assert_true (g_file_get_contents (path, &contents, NULL, &error));
  g_assert_nonnull (strstr (contents, "\na 1.M1P1Q4.h,S=2 1 2 -\n"));
  g_assert_nonnull (strstr (contents, "\nb 1.M1P1Q2.h,S=1 1 1 -\n"));
  g_assert_nonnull (strstr (contents, "\nc 1.M1P1Q3.h,S=1 1 1 - 1 1700000000\n"));
  g_clear_pointer (&contents, g_free);

  /* The notes went with that compaction: now a and b miss too. */
  g_assert_true (pf_journal_compact_counted (journal, empty, 4, now + DAY, &trusted, &error));
  g_assert_true (g_file_get_contents (path, &contents, NULL, &error));
  g_assert_nonnull (strstr (contents, "\na 1.M1P1Q4.h,S=2 1 2 - 1 1700086400\n"));
  g_assert_nonnull (strstr (contents, "\nc 1.M1P1Q3.h,S=1 1 1 - 2 1700000000\n"));
  g_assert_false (pf_journal_knows (journal, "z"));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/engine/delivery/journal/key/host-and-user", test_key);
  g_test_add_func ("/engine/delivery/journal/line/format-and-parse", test_format_and_parse);
  g_test_add_func ("/engine/delivery/journal/append-and-reload", test_append_reload);
  g_test_add_func ("/engine/delivery/journal/torn-last-line-cut", test_torn_last_line_cut);
  g_test_add_func ("/engine/delivery/journal/load/lines-across-reads", test_lines_across_reads);
  g_test_add_func ("/engine/delivery/journal/load/torn-line-across-reads", test_torn_line_across_reads);
  g_test_add_func ("/engine/delivery/journal/entries/many", test_many_entries);
  g_test_add_func ("/engine/delivery/journal/entries/long-records-packed", test_long_records_packed);
  g_test_add_func ("/engine/delivery/journal/entries/digests-round-trip", test_digests_round_trip);
  g_test_add_func ("/engine/delivery/journal/entries/forgotten-then-listed-again", test_forgotten_then_listed_again);
  g_test_add_func ("/engine/delivery/journal/compact/noted-listed", test_compact_noted_listed);
  g_test_add_func ("/engine/delivery/journal/lock/second-refused", test_lock_refuses_second);
  g_test_add_func ("/engine/delivery/journal/recover/tmp-files", test_recover);
  g_test_add_func ("/engine/delivery/journal/links/planted-temporary-harmless", test_planted_temporary_harmless);
  g_test_add_func ("/engine/delivery/journal/links/planted-journal-and-lock-refused", test_planted_links_refused);
  g_test_add_func ("/engine/delivery/journal/state-dir/loose-refused", test_loose_state_dir_refused);
  g_test_add_func ("/engine/delivery/journal/links/other-journal-not-read", test_other_journal_link_not_read);
  g_test_add_func ("/engine/delivery/journal/compact/forgets-slowly", test_compact_forgets_slowly);
  g_test_add_func ("/engine/delivery/journal/compact/needs-runs-and-days", test_compact_needs_runs_and_days);
  g_test_add_func ("/engine/delivery/journal/compact/distrusts-shrunk-listing", test_compact_distrusts_shrunk_listing);
  g_test_add_func ("/engine/delivery/journal/compact/counted", test_compact_counted);
  g_test_add_func ("/engine/delivery/journal/old-format-loads", test_old_format_loads);
  g_test_add_func ("/engine/delivery/journal/gone-and-oversize-records", test_gone_and_oversize_records);
  g_test_add_func ("/engine/delivery/journal/line/records", test_parse_records);
  g_test_add_func ("/engine/delivery/journal/key/saved-account-takes-over-legacy", test_saved_account_takes_over_legacy);

  return g_test_run ();
}
