/* test-demo.c — the demo file that `./run --demo` writes, and which names
 * it takes over
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include <gio/gio.h>

#include "pf-demo.h"
#include "pf-error.h"
#include "pf-port-map.h"

static char *
write_demo (const char *contents)
{
  g_autoptr(GError) error = NULL;
  char *path = g_build_filename (g_get_tmp_dir (), "demo.ini", NULL);

  g_assert_true (g_file_set_contents (path, contents, -1, &error));
  g_assert_no_error (error);
  return path;
}

static void
test_load_and_cover (void)
{
  g_autofree char *path = write_demo ("[demo]\n"
                                      "domain=demo.popfetch.test\n"
                                      "host-address=127.0.0.1\n"
                                      "address=alice@demo.popfetch.test\n"
                                      "password=sample\n"
                                      "port-map=995:41995,110:41110\n"
                                      "ca-file=/nonexistent/ca.pem\n");
  g_autoptr(GError) error = NULL;
  g_autoptr(PfDemo) demo = pf_demo_load (path, &error);

  g_assert_no_error (error);
  g_assert_nonnull (demo);
  g_assert_cmpstr (demo->domain, ==, "demo.popfetch.test");
  g_assert_cmpuint (pf_port_map_lookup (demo->port_map, 995), ==, 41995);

  g_assert_true (pf_demo_covers_host (demo, "demo.popfetch.test"));
  g_assert_true (pf_demo_covers_host (demo, "pop.demo.popfetch.test"));
  g_assert_true (pf_demo_covers_host (demo, "POP.Demo.Popfetch.Test"));
  g_assert_false (pf_demo_covers_host (demo, "popfetch.test"));
  g_assert_false (pf_demo_covers_host (demo, "xdemo.popfetch.test"));
  g_assert_false (pf_demo_covers_host (demo, "demo.popfetch.test.evil.example"));
  g_assert_false (pf_demo_covers_host (demo, NULL));
}

static void
test_missing_key (void)
{
  g_autofree char *path = write_demo ("[demo]\ndomain=demo.popfetch.test\n");
  g_autoptr(GError) error = NULL;
  g_autoptr(PfDemo) demo = pf_demo_load (path, &error);

  g_assert_null (demo);
  g_assert_error (error, PF_ERROR, PF_ERROR_CONFIG);
  g_assert_nonnull (strstr (error->message, "host-address"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/engine/detect/demo/load-and-cover", test_load_and_cover);
  g_test_add_func ("/engine/detect/demo/missing-key", test_missing_key);

  return g_test_run ();
}
