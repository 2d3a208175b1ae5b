/* test-uidl-list.c — the packed UIDL answer
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "pf-uidl-list.h"

static void
test_empty (void)
{
  g_autoptr(PfUidlList) list = pf_uidl_list_new ();

  pf_uidl_list_trim (list);
  g_assert_cmpuint (pf_uidl_list_get_length (list), ==, 0);
  g_assert_null (pf_uidl_list_find_duplicate (list));
}

/* Enough entries to grow both buffers many times; every id reads back
 * whole after the growth and after the trim. */
static void
test_append_grow_trim (void)
{
  g_autoptr(PfUidlList) list = pf_uidl_list_new ();
  const guint n = 100000;

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *uid = g_strdup_printf ("uid-%u%s", i, i % 7 == 0 ? "-longer-than-most" : "");

      pf_uidl_list_append (list, i + 1, uid, strlen (uid));
    }
  pf_uidl_list_trim (list);
  g_assert_cmpuint (pf_uidl_list_get_length (list), ==, n);
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *uid = g_strdup_printf ("uid-%u%s", i, i % 7 == 0 ? "-longer-than-most" : "");

      g_assert_cmpuint (pf_uidl_list_get_msgno (list, i), ==, i + 1);
      g_assert_cmpstr (pf_uidl_list_get_uid (list, i), ==, uid);
    }
  g_assert_null (pf_uidl_list_find_duplicate (list));
}

static void
test_append_takes_length (void)
{
  g_autoptr(PfUidlList) list = pf_uidl_list_new ();

  pf_uidl_list_append (list, 3, "abcdef", 3);
  pf_uidl_list_append (list, 4, "", 0);
  g_assert_cmpstr (pf_uidl_list_get_uid (list, 0), ==, "abc");
  g_assert_cmpstr (pf_uidl_list_get_uid (list, 1), ==, "");
}

static void
test_duplicate_found (void)
{
  static const char * const ids[] = { "m", "b", "zz", "a", "q", "zz", "c" };
  g_autoptr(PfUidlList) list = pf_uidl_list_new ();
  g_autoptr(PfUidlList) prefix = pf_uidl_list_new ();

  for (guint i = 0; i < G_N_ELEMENTS (ids); i++)
    pf_uidl_list_append (list, i + 1, ids[i], strlen (ids[i]));
  g_assert_cmpstr (pf_uidl_list_find_duplicate (list), ==, "zz");
  /* Order untouched by the search. */
  for (guint i = 0; i < G_N_ELEMENTS (ids); i++)
    g_assert_cmpstr (pf_uidl_list_get_uid (list, i), ==, ids[i]);

  /* One id the prefix of another is not a duplicate. */
  pf_uidl_list_append (prefix, 1, "ab", 2);
  pf_uidl_list_append (prefix, 2, "abc", 3);
  g_assert_null (pf_uidl_list_find_duplicate (prefix));
}

static void
test_ref (void)
{
  PfUidlList *list = pf_uidl_list_new ();

  pf_uidl_list_append (list, 1, "one", 3);
  g_assert_true (pf_uidl_list_ref (list) == list);
  pf_uidl_list_unref (list);
  g_assert_cmpstr (pf_uidl_list_get_uid (list, 0), ==, "one");
  pf_uidl_list_unref (list);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/engine/pop3/uidl-list/empty", test_empty);
  g_test_add_func ("/engine/pop3/uidl-list/append-grow-trim", test_append_grow_trim);
  g_test_add_func ("/engine/pop3/uidl-list/append-takes-length", test_append_takes_length);
  g_test_add_func ("/engine/pop3/uidl-list/duplicate-found", test_duplicate_found);
  g_test_add_func ("/engine/pop3/uidl-list/ref", test_ref);

  return g_test_run ();
}
