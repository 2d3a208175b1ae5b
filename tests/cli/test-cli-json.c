/* test-cli-json.c — the JSON popfetch-cli prints stays JSON, whatever a
 * server or a user puts in a string
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <gio/gio.h>

#include "pf-cli.h"

static char *
json (const char *text)
{
  GString *out = g_string_new (NULL);

  pf_cli_json_string (out, text);
  return g_string_free (out, FALSE);
}

static void
test_plain_and_null (void)
{
  g_autofree char *plain = json ("pop.example.org");
  g_autofree char *null = json (NULL);
  g_autofree char *empty = json ("");
  g_autofree char *utf8 = json ("Grüße — ✓");

  g_assert_cmpstr (plain, ==, "\"pop.example.org\"");
  g_assert_cmpstr (null, ==, "null");
  g_assert_cmpstr (empty, ==, "\"\"");
  g_assert_cmpstr (utf8, ==, "\"Grüße — ✓\"");
}

static void
test_escapes (void)
{
  g_autofree char *quoted = json ("say \"hi\" \\ bye");
  g_autofree char *controls = json ("a\nb\rc\td\001e\x7f" "f");

  g_assert_cmpstr (quoted, ==, "\"say \\\"hi\\\" \\\\ bye\"");
  g_assert_cmpstr (controls, ==, "\"a\\nb\\rc\\td\\u0001e\\u007ff\"");
}

static void
test_invalid_utf8_replaced (void)
{
  /* A hostile server's implementation string: Latin-1 and a stray byte. */
  g_autofree char *out = json ("Caf\xe9 \xff" "end");

  g_assert_true (g_utf8_validate (out, -1, NULL));
  g_assert_cmpstr (out, ==, "\"Caf\xef\xbf\xbd \xef\xbf\xbd" "end\"");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/cli/json/plain-and-null", test_plain_and_null);
  g_test_add_func ("/cli/json/escapes", test_escapes);
  g_test_add_func ("/cli/json/invalid-utf8-replaced", test_invalid_utf8_replaced);

  return g_test_run ();
}
