/* test-maildir-flags.c — Maildir names and flags as mutt writes them
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>

#include "pf-maildir-flags.h"

static void
test_split (void)
{
  const struct { const char *name, *base, *flags; } cases[] = {
    /* A file in new/ has no info part. */
    { "1700000000.M1P2Q3.host,S=120", "1700000000.M1P2Q3.host,S=120", "" },
    /* mutt's names in cur/: seen, replied+seen, flagged+seen. */
    { "1700000000.M1P2Q3.host,S=120:2,S", "1700000000.M1P2Q3.host,S=120", "S" },
    { "1700000000.M1P2Q3.host,S=120:2,RS", "1700000000.M1P2Q3.host,S=120", "RS" },
    { "1700000000.M1P2Q3.host,S=120:2,FS", "1700000000.M1P2Q3.host,S=120", "FS" },
    /* cur/ without flags yet. */
    { "1700000000.x.host:2,", "1700000000.x.host", "" },
    /* An experimental info part (":1,") carries no flags. */
    { "1700000000.x.host:1,foo", "1700000000.x.host", "" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *base = NULL;
      g_autofree char *flags = NULL;

      pf_maildir_name_split (cases[i].name, &base, &flags);
      g_assert_cmpstr (base, ==, cases[i].base);
      g_assert_cmpstr (flags, ==, cases[i].flags);
    }
}

static void
test_change_sorted (void)
{
  const struct { const char *flags, *add, *remove, *want; } cases[] = {
    { "", "S", NULL, "S" },
    { "S", "R", NULL, "RS" },       /* mutt: replied after reading */
    { "S", "F", NULL, "FS" },       /* mutt: flagged */
    { "RS", NULL, "S", "R" },       /* mark as unread keeps the rest */
    { "FS", "S", NULL, "FS" },      /* no letter twice */
    { "TS", "D", "T", "DS" },
    { "a", "S", NULL, "Sa" },       /* lower-case experimental flags sort after */
    { "S:/,", NULL, NULL, "S" },    /* separators never come back */
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *got = pf_maildir_flags_change (cases[i].flags, cases[i].add, cases[i].remove);

      g_assert_cmpstr (got, ==, cases[i].want);
    }
}

static void
test_round_trip (void)
{
  /* Names mutt writes come back out unchanged through split and join. */
  const char *names[] = {
    "1700000000.M1P2Q3.host,S=120:2,S",
    "1700000000.M1P2Q3.host,S=120:2,RS",
    "1700000000.M1P2Q3.host,S=120:2,FS",
    "1700000000.M1P2Q3.host,S=120:2,DFPRST",
    "1700000000.M1P2Q3.host,S=120:2,",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *base = NULL;
      g_autofree char *flags = NULL;
      g_autofree char *joined = NULL;

      pf_maildir_name_split (names[i], &base, &flags);
      joined = pf_maildir_name_for_cur (base, flags);
      g_assert_cmpstr (joined, ==, names[i]);
    }

  {
    /* And unsorted input is written sorted. */
    g_autofree char *joined = pf_maildir_name_for_cur ("b", "SR");

    g_assert_cmpstr (joined, ==, "b:2,RS");
  }
}

static void
write_empty (const char *dir,
             const char *name)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);

  g_assert_true (g_file_set_contents (path, "", 0, NULL));
}

static void
test_count_unread (void)
{
  g_autofree char *root = g_dir_make_tmp ("pf-flags-XXXXXX", NULL);
  g_autofree char *new_dir = g_build_filename (root, "new", NULL);
  g_autofree char *cur_dir = g_build_filename (root, "cur", NULL);
  g_autofree char *missing = g_build_filename (root, "missing", NULL);

  g_assert_cmpuint (pf_maildir_count_unread (missing), ==, 0);
  g_assert_cmpint (g_mkdir (new_dir, 0700), ==, 0);
  g_assert_cmpint (g_mkdir (cur_dir, 0700), ==, 0);
  write_empty (new_dir, "1.a.host");
  write_empty (new_dir, "2.b.host");
  write_empty (cur_dir, "3.c.host:2,S");
  write_empty (cur_dir, "4.d.host:2,RS");
  write_empty (cur_dir, "5.e.host:2,F");    /* flagged, not seen: unread */
  write_empty (cur_dir, "6.f.host:2,");     /* in cur/, not seen: unread */
  write_empty (cur_dir, "7.g.host:2,T");    /* trashed: not counted */
  write_empty (cur_dir, ".hidden");
  g_assert_cmpuint (pf_maildir_count_unread (root), ==, 4);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/reader/maildir-flags/split", test_split);
  g_test_add_func ("/reader/maildir-flags/change-sorted", test_change_sorted);
  g_test_add_func ("/reader/maildir-flags/round-trip", test_round_trip);
  g_test_add_func ("/reader/maildir-flags/count-unread", test_count_unread);

  return g_test_run ();
}
