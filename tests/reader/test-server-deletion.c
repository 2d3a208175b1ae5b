/* test-server-deletion.c — a file deleted in the reader becomes its
 * unique-id in the list the fetcher reads
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "pf-journal.h"
#include "pf-server-deletion.h"

static void
test_request (void)
{
  g_autofree char *dir = g_dir_make_tmp ("pf-deletion-XXXXXX", NULL);
  g_autofree char *journal = g_build_filename (dir, "account-key.journal", NULL);
  g_autofree char *list = pf_server_deletion_path (journal);
  g_autofree char *l1 = pf_journal_format_entry ("uid-1", "1700000001.M1P1Q1.host,S=10", 1700000001);
  g_autofree char *l2 = pf_journal_format_entry ("uid-2", "1700000002.M2P1Q1.host,S=10", 1700000002);
  g_autofree char *l3 = pf_journal_format_entry ("uid-3", "1700000003.M3P1Q1.host,S=10", 1700000003);
  g_autofree char *contents = NULL;
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;
  const char *first[] = { "1700000002.M2P1Q1.host,S=10", "9.not.ours", NULL };
  const char *second[] = { "1700000003.M3P1Q1.host,S=10", "1700000002.M2P1Q1.host,S=10", NULL };
  guint added = 0;

  {
    g_autofree char *want = g_build_filename (dir, "account-key.delete", NULL);

    g_assert_cmpstr (list, ==, want);
  }
  text = g_strconcat (l1, l2, l3, NULL);
  g_assert_true (g_file_set_contents (journal, text, -1, NULL));

  /* A file the journal knows becomes its id; one it does not (delivered
   * by another program) is left out. */
  g_assert_true (pf_server_deletion_request (journal, first, &added, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (added, ==, 1);
  g_assert_true (g_file_get_contents (list, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, "uid-2\n");
  g_clear_pointer (&contents, g_free);

  /* Each id once; ids kept in order. */
  g_assert_true (pf_server_deletion_request (journal, second, &added, &error));
  g_assert_cmpuint (added, ==, 2);
  g_assert_true (g_file_get_contents (list, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, "uid-2\nuid-3\n");
  g_clear_pointer (&contents, g_free);

  /* The fetcher deleted uid-2 and the journal forgot it: the list does
   * too at the next request. */
  g_clear_pointer (&text, g_free);
  text = g_strconcat (l1, l3, NULL);
  g_assert_true (g_file_set_contents (journal, text, -1, NULL));
  {
    const char *none[] = { NULL };

    g_assert_true (pf_server_deletion_request (journal, none, &added, &error));
  }
  g_assert_true (g_file_get_contents (list, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, "uid-3\n");

  g_unlink (list);
  g_unlink (journal);
  g_rmdir (dir);
}

/* The list and the journal live in the state directory, where a planted
 * symbolic link could make a request overwrite or read another file:
 * neither is ever followed. */
static void
test_links_not_followed (void)
{
  g_autofree char *dir = g_dir_make_tmp ("pf-deletion-XXXXXX", NULL);
  g_autofree char *journal = g_build_filename (dir, "account-key.journal", NULL);
  g_autofree char *list = pf_server_deletion_path (journal);
  g_autofree char *victim = g_build_filename (dir, "victim", NULL);
  g_autofree char *other = g_build_filename (dir, "other.journal", NULL);
  g_autofree char *l1 = pf_journal_format_entry ("uid-1", "1700000001.M1P1Q1.host,S=10", 1700000001);
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  const char *bases[] = { "1700000001.M1P1Q1.host,S=10", NULL };
  guint added = 0;

  g_assert_true (g_file_set_contents (victim, "precious\n", -1, NULL));
  g_assert_true (g_file_set_contents (journal, l1, -1, NULL));

  /* A link where the list goes: replaced by the list, its target kept. */
  g_assert_cmpint (symlink (victim, list), ==, 0);
  g_assert_true (pf_server_deletion_request (journal, bases, &added, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (added, ==, 1);
  g_assert_true (g_file_get_contents (victim, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, "precious\n");
  g_clear_pointer (&contents, g_free);
  g_assert_false (g_file_test (list, G_FILE_TEST_IS_SYMLINK));
  g_assert_true (g_file_get_contents (list, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, "uid-1\n");
  g_clear_pointer (&contents, g_free);

  /* A journal that is a link is not read: the request fails, says why,
   * and the list is left as it was. */
  g_assert_true (g_file_set_contents (other, l1, -1, NULL));
  g_unlink (journal);
  g_assert_cmpint (symlink (other, journal), ==, 0);
  g_assert_false (pf_server_deletion_request (journal, bases, &added, &error));
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, "account-key.journal"));
  g_clear_error (&error);
  g_assert_true (g_file_get_contents (list, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, "uid-1\n");

  g_unlink (list);
  g_unlink (journal);
  g_unlink (other);
  g_unlink (victim);
  g_rmdir (dir);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/reader/server-deletion/request", test_request);
  g_test_add_func ("/reader/server-deletion/links-not-followed", test_links_not_followed);

  return g_test_run ();
}
