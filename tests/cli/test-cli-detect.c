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

/* The demo domain; a test may name another one as its data (a provider's
 * domain, whose names the demo then maps to loopback). */
#define DEMO_DOMAIN "clidemo.test"

typedef struct
{
  PfTestDovecot *dovecot;
  char          *dir;
  char          *key_file;
  const char    *domain;
} Fixture;

static void
write_key_file (Fixture    *fixture,
                const char *port_map)
{
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;

  contents = g_strdup_printf ("[demo]\ndomain=%s\naddress=demo@%s\npassword=demo\n"
                              "host-address=127.0.0.1\nport-map=%s\nca-file=%s\n",
                              fixture->domain, fixture->domain,
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
  g_autofree char *wildcard = NULL;
  g_autofree char *user = NULL;
  const char *names[3];

  fixture->domain = data != NULL ? data : DEMO_DOMAIN;
  if (!pf_test_require_program (PF_TEST_DOVECOT_PROGRAM, "REQUIRE_DOVECOT"))
    return;
  wildcard = g_strconcat ("*.", fixture->domain, NULL);
  names[0] = fixture->domain;
  names[1] = wildcard;
  names[2] = NULL;
  user = g_strconcat ("demo@", fixture->domain, NULL);
  fixture->dovecot = pf_test_dovecot_start_with_names (names, &error);
  g_assert_no_error (error);
  pf_test_dovecot_add_user (fixture->dovecot, user, "demo", &error);
  g_assert_no_error (error);
  pf_test_dovecot_add_messages (fixture->dovecot, user, 2, 300, &error);
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
  if (fixture->key_file != NULL)
    g_subprocess_launcher_setenv (launcher, "POPFETCH_DEMO", fixture->key_file, TRUE);
  else
    g_subprocess_launcher_unsetenv (launcher, "POPFETCH_DEMO");
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

static guint
count_lines_starting (const char *text,
                      const char *prefix)
{
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);
  guint n = 0;

  for (guint i = 0; lines[i] != NULL; i++)
    if (g_str_has_prefix (lines[i], prefix))
      n++;
  return n;
}

static guint
count_occurrences (const char *text,
                   const char *needle)
{
  guint n = 0;

  for (const char *p = strstr (text, needle); p != NULL; p = strstr (p + 1, needle))
    n++;
  return n;
}

/* The demo's names all lead to one Dovecot (same address, port and
 * certificate): the table shows one option per port and security, with
 * the other names said once; the JSON keeps every probe. */
static void
test_detect_same_server_once (Fixture       *fixture,
                              gconstpointer  data)
{
  g_autofree char *out = NULL;
  g_autofree char *json = NULL;

  if (fixture->dovecot == NULL)
    return;
  g_assert_cmpint (run_cli (fixture, NULL, &out, "detect", "demo@clidemo.test", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "also reachable as"));
  g_assert_nonnull (strstr (out, "Also as:"));
  /* Rank 1 is 995 with TLS; its other names are not ranked rows of their own. */
  g_assert_cmpuint (count_lines_starting (out, "1    pop.clidemo.test"), ==, 1);
  g_assert_cmpuint (count_lines_starting (out, "2    "), ==, 1);
  g_assert_cmpuint (count_lines_starting (out, "3    "), ==, 0);

  g_assert_cmpint (run_cli (fixture, NULL, &json, "detect", "demo@clidemo.test", "--json", NULL), ==, 0);
  g_assert_cmpuint (count_occurrences (json, "{\"host\":\"mail.clidemo.test\",\"port\":995"), ==, 1);
  g_assert_cmpuint (count_occurrences (json, "{\"host\":\"pop3.clidemo.test\",\"port\":995"), ==, 1);
  g_assert_nonnull (strstr (json, ",\"provider\":null}"));
}

/* A Gmail address, its names mapped to a Dovecot on loopback by the demo:
 * the table's server is probed and ranked first, and the provider object
 * says what Gmail is. Nothing leaves loopback: every name under gmail.com
 * is the demo's. */
static void
test_detect_provider_json (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autofree char *out = NULL;
  g_autofree char *text = NULL;

  if (fixture->dovecot == NULL)
    return;
  g_assert_cmpint (run_cli (fixture, NULL, &out, "detect", "demo@gmail.com", "--json", NULL), ==, 0);
  g_assert_true (g_str_has_prefix (out, "{\"address\":\"demo@gmail.com\",\"recommended\":{\"host\":\"pop.gmail.com\","
                                        "\"port\":995,\"security\":\"tls\",\"sources\":\"provider,guess\","));
  g_assert_nonnull (strstr (out, ",\"provider\":{\"id\":\"gmail\",\"name\":\"Gmail\",\"pop3\":true,\"via_mx\":false,"
                                 "\"auth\":[\"app-password\",\"oauth2\"],\"oauth2\":\"google\","
                                 "\"enable_url\":\"https://mail.google.com/mail/u/0/#settings/fwdandpop\",\"notes\":[\"Gmail"));

  g_assert_cmpint (run_cli (fixture, NULL, &text, "detect", "demo@gmail.com", NULL), ==, 0);
  g_assert_nonnull (strstr (text, "Provider: Gmail (known by the address’s domain)"));
  g_assert_nonnull (strstr (text, "Sign-in:        app password, OAuth2"));
  g_assert_nonnull (strstr (text, "Note: Gmail’s own setting “When messages are accessed with POP”"));
}

/* iCloud offers no POP3: said at once, without probing anything (no demo,
 * no network), exit 69 (EX_UNAVAILABLE). */
static void
test_detect_no_pop3 (Fixture       *fixture,
                     gconstpointer  data)
{
  Fixture bare = { NULL, };
  g_autofree char *out = NULL;
  g_autofree char *json = NULL;

  g_assert_cmpint (run_cli (&bare, NULL, &out, "detect", "jo@icloud.com", NULL), ==, 69);
  g_assert_nonnull (strstr (out, "Provider: iCloud Mail"));
  g_assert_nonnull (strstr (out, "iCloud Mail does not offer POP3; use IMAP in a mail client."));
  /* The notes are printed. */
  g_assert_nonnull (strstr (out, "Note: iCloud Mail can be read over IMAP"));
  g_assert_null (strstr (out, "RANK"));

  g_assert_cmpint (run_cli (&bare, NULL, &json, "detect", "jo@me.com", "--json", NULL), ==, 69);
  g_assert_nonnull (strstr (json, "\"probes\":[],\"lookups\":[]"));
  g_assert_nonnull (strstr (json, "\"provider\":{\"id\":\"icloud\",\"name\":\"iCloud Mail\",\"pop3\":false,"));
  g_assert_nonnull (strstr (json, "\"auth\":[],"));
  g_assert_nonnull (strstr (json, "\"enable_url\":null,\"notes\":[\"iCloud Mail can be read over IMAP"));
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
  /* The demo domain is no provider the table knows. */
  g_assert_nonnull (strstr (out, "\"hint_kind\":\"none\",\"provider\":null,"));
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
  ADD ("detect-same-server-once", test_detect_same_server_once);
  ADD ("detect-no-pop3", test_detect_no_pop3);
  g_test_add ("/cli/detect/detect-provider-json", Fixture, "gmail.com", fixture_set_up,
              test_detect_provider_json, fixture_tear_down);
  ADD ("test-login-works", test_login_works);
  ADD ("test-wrong-password", test_wrong_password);
  ADD ("test-json", test_login_json);
  ADD ("usage", test_usage);
  ADD ("test-pin-malformed", test_pin_malformed);

  return g_test_run ();
}
