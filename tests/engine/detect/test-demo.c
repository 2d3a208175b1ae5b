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
#include <glib/gstdio.h>

#include "pf-demo.h"
#include "pf-error.h"
#include "pf-port-map.h"
#include "pf-server-settings.h"
#include "pf-test-util.h"

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

/* The demo mapping of a server: a host of the demo domain is dialled at
 * the demo address and mapped port and checked for its own name; any
 * other host stays as it is. */
static void
test_demo_map_settings (void)
{
  g_autofree char *dir = g_dir_make_tmp ("pf-demo-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "demo.ini", NULL);
  const char *ca = "/etc/ssl/certs/ca-certificates.crt";
  g_autofree char *contents = NULL;
  g_autoptr(PfDemo) demo = NULL;
  g_autoptr(PfServerSettings) account = pf_server_settings_new ("POP.demo.popfetch.test", 995, PF_SECURITY_TLS);
  g_autoptr(PfServerSettings) other = pf_server_settings_new ("pop.example.org", 995, PF_SECURITY_TLS);
  g_autoptr(PfServerSettings) mapped = NULL;
  g_autoptr(PfServerSettings) unmapped = NULL;
  g_autoptr(GError) error = NULL;

  if (!pf_test_require (g_file_test (ca, G_FILE_TEST_EXISTS), "REQUIRE_SYSTEM_CA",
                        "no system CA bundle to stand in for the demo CA"))
    return;
  contents = g_strdup_printf ("[demo]\ndomain=demo.popfetch.test\nhost-address=127.0.0.1\n"
                              "address=alice@demo.popfetch.test\npassword=x\n"
                              "port-map=995:41995;110:41110\nca-file=%s\n", ca);
  g_assert_true (g_file_set_contents (path, contents, -1, NULL));
  demo = pf_demo_load (path, &error);
  g_assert_no_error (error);

  mapped = pf_demo_map_settings (demo, account, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (pf_server_settings_get_host (mapped), ==, "127.0.0.1");
  g_assert_cmpuint (pf_server_settings_get_port (mapped), ==, 41995);
  g_assert_cmpstr (pf_server_settings_get_effective_identity (mapped), ==, "POP.demo.popfetch.test");
  g_assert_nonnull (pf_server_settings_get_tls_database (mapped));

  unmapped = pf_demo_map_settings (demo, other, &error);
  g_assert_true (unmapped == other);

  g_unlink (path);
  g_rmdir (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/engine/detect/demo/load-and-cover", test_load_and_cover);
  g_test_add_func ("/engine/detect/demo/missing-key", test_missing_key);
  g_test_add_func ("/engine/detect/demo/map-settings", test_demo_map_settings);

  return g_test_run ();
}
