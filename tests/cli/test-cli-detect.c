/* test-cli-detect.c — `popfetch-cli detect` and `test` through POPFETCH_DEMO
 * against the real Dovecot
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include "pf-test-dovecot.h"
#include "pf-test-util.h"

static const char * const names[] = { "clidemo.test", "*.clidemo.test", NULL };

typedef struct
{
  PfTestDovecot *dovecot;
  char          *dir;
  char          *key_file;
} Fixture;

static void
write_key_file (Fixture    *fixture,
                const char *port_map)
{
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;

  contents = g_strdup_printf ("[demo]\ndomain=clidemo.test\naddress=demo@clidemo.test\npassword=demo\n"
                              "host-address=127.0.0.1\nport-map=%s\nca-file=%s\n",
                              port_map, pf_test_dovecot_get_ca_file (fixture->dovecot));
  g_file_set_contents (fixture->key_file, contents, -1, &error);
  g_assert_no_error (error);
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *port_map = NULL;

  if (!pf_test_require_program (PF_TEST_DOVECOT_PROGRAM, "REQUIRE_DOVECOT"))
    return;
  fixture->dovecot = pf_test_dovecot_start_with_names (names, &error);
  g_assert_no_error (error);
  pf_test_dovecot_add_user (fixture->dovecot, "demo@clidemo.test", "demo", &error);
  g_assert_no_error (error);
  pf_test_dovecot_add_messages (fixture->dovecot, "demo@clidemo.test", 2, 300, &error);
  g_assert_no_error (error);

  fixture->dir = g_dir_make_tmp ("pf-cli-detect-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->key_file = g_build_filename (fixture->dir, "demo.ini", NULL);
  port_map = g_strdup_printf ("995:%u;110:%u;993:0;443:0",
                              pf_test_dovecot_get_tls_port (fixture->dovecot),
                              pf_test_dovecot_get_port (fixture->dovecot));
  write_key_file (fixture, port_map);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  if (fixture->key_file != NULL)
    g_unlink (fixture->key_file);
  if (fixture->dir != NULL)
    g_rmdir (fixture->dir);
  g_free (fixture->key_file);
  g_free (fixture->dir);
  g_clear_pointer (&fixture->dovecot, pf_test_dovecot_stop);
}

/* Runs popfetch-cli with POPFETCH_DEMO set; returns the exit status. */
static int
run_cli (Fixture     *fixture,
         const char  *input,
         char       **out,
         const char  *first,
         ...)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *err = NULL;
  va_list ap;

  g_ptr_array_add (args, (gpointer) POPFETCH_CLI);
  va_start (ap, first);
  for (const char *arg = first; arg != NULL; arg = va_arg (ap, const char *))
    g_ptr_array_add (args, (gpointer) arg);
  va_end (ap);
  g_ptr_array_add (args, NULL);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                        G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_setenv (launcher, "POPFETCH_DEMO", fixture->key_file, TRUE);
  g_subprocess_launcher_setenv (launcher, "LC_ALL", "C.UTF-8", TRUE);
  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) args->pdata, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, input, NULL, out, &err, &error);
  g_assert_no_error (error);
  g_test_message ("stdout:\n%s\nstderr:\n%s", *out, err);
  return g_subprocess_get_exit_status (process);
}

static void
test_detect_json (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autofree char *out = NULL;

  if (fixture->dovecot == NULL)
    return;
  g_assert_cmpint (run_cli (fixture, NULL, &out, "detect", "demo@clidemo.test", "--json", NULL), ==, 0);
  g_assert_true (g_str_has_prefix (out, "{\"address\":\"demo@clidemo.test\",\"recommended\":{\"host\":\"pop.clidemo.test\","
                                        "\"port\":995,\"security\":\"tls\""));
  /* Dovecot offers STLS on 110: nothing is flagged. */
  g_assert_null (strstr (out, "\"verdict\":\"stls-missing\""));
  g_assert_nonnull (strstr (out, "\"best_mechanism\":\"SCRAM-SHA-256\""));
  g_assert_nonnull (strstr (out, "\"kind\":\"srv\""));
  /* The demo domain is private: the public ISP database is not asked. */
  g_assert_null (strstr (out, "\"kind\":\"ispdb\""));
}

static void
test_detect_table (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autofree char *out = NULL;

  if (fixture->dovecot == NULL)
    return;
  g_assert_cmpint (run_cli (fixture, NULL, &out, "detect", "demo@clidemo.test", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "Recommended settings:"));
  g_assert_nonnull (strstr (out, "pop.clidemo.test"));
  g_assert_nonnull (strstr (out, "SHA-256:"));
}

static void
test_detect_nothing (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autofree char *out = NULL;

  if (fixture->dovecot == NULL)
    return;
  write_key_file (fixture, "995:0;110:0;993:0;443:0");
  /* EX_UNAVAILABLE when nothing usable answers. */
  g_assert_cmpint (run_cli (fixture, NULL, &out, "detect", "demo@clidemo.test", NULL), ==, 69);
}

static void
test_login_works (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autofree char *out = NULL;

  if (fixture->dovecot == NULL)
    return;
  g_assert_cmpint (run_cli (fixture, NULL, &out, "test", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "The login works."));
  g_assert_nonnull (strstr (out, "2 messages"));
}

static void
test_login_json (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autofree char *out = NULL;

  if (fixture->dovecot == NULL)
    return;
  g_assert_cmpint (run_cli (fixture, "nope\n", &out, "test", "--address", "demo@clidemo.test",
                            "--password-stdin", "--json", "--transcript", NULL), ==, 77);
  g_assert_true (g_str_has_prefix (out, "{\"host\":\"pop.clidemo.test\",\"port\":995,\"security\":\"tls\","
                                        "\"success\":false,\"failed_step\":\"authentication\""));
  g_assert_nonnull (strstr (out, "\"attempts\":2"));
  g_assert_nonnull (strstr (out, "\"transcript\":\""));
  g_assert_null (strstr (out, "nope"));
}

static void
test_wrong_password (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autofree char *out = NULL;

  if (fixture->dovecot == NULL)
    return;
  g_assert_cmpint (run_cli (fixture, "not-the-password\n", &out, "test", "--host", "pop.clidemo.test",
                            "--security", "starttls", "--address", "demo@clidemo.test",
                            "--password-stdin", "--transcript", NULL), ==, 77);
  g_assert_nonnull (strstr (out, "[FAIL] Logging in"));
  g_assert_nonnull (strstr (out, "Transcript (secrets redacted):"));
  g_assert_null (strstr (out, "not-the-password"));
}

static void
test_usage (Fixture       *fixture,
            gconstpointer  data)
{
  g_autofree char *out = NULL;
  g_autofree char *out2 = NULL;

  if (fixture->dovecot == NULL)
    return;
  g_assert_cmpint (run_cli (fixture, NULL, &out, "detect", NULL), ==, 64);
  g_assert_cmpint (run_cli (fixture, NULL, &out2, "test", "--security", "carrier-pigeon", NULL), ==, 64);
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run_cli (fixture, NULL, &out, "detect", "a@clidemo.test", "--ispdb", "http://plain.example/", NULL), ==, 64);
}

/* One strict fingerprint rule everywhere: `test --pin` refuses a value that
 * is not 64 hex digits (it used to keep any run of hex digits, so a pin
 * cut short in copying failed only later, as a certificate mismatch, or
 * not at all). */
static void
test_pin_malformed (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autofree char *short_pin = NULL;
  g_autofree char *long_pin = NULL;
  g_autofree char *letters = NULL;
  const char *hex63 = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeef";

  if (fixture->dovecot == NULL)
    return;
  g_assert_cmpint (run_cli (fixture, NULL, &short_pin, "test", "--pin", hex63, NULL), ==, 64);
  g_assert_cmpint (run_cli (fixture, NULL, &long_pin, "test", "--pin",
                            "00:11:22:33:44:55:66:77:88:99:aa:bb:cc:dd:ee:ff:"
                            "00:11:22:33:44:55:66:77:88:99:aa:bb:cc:dd:ee:ff:00", NULL), ==, 64);
  g_assert_cmpint (run_cli (fixture, NULL, &letters, "test", "--pin", "not a fingerprint", NULL), ==, 64);
}

#define ADD(path, func) \
  g_test_add ("/cli/detect/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  ADD ("detect-json", test_detect_json);
  ADD ("detect-table", test_detect_table);
  ADD ("detect-nothing-usable", test_detect_nothing);
  ADD ("test-login-works", test_login_works);
  ADD ("test-wrong-password", test_wrong_password);
  ADD ("test-json", test_login_json);
  ADD ("usage", test_usage);
  ADD ("test-pin-malformed", test_pin_malformed);

  return g_test_run ();
}
