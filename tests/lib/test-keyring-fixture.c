/* test-keyring-fixture.c — a secret goes into the private gnome-keyring
 * and comes back through libsecret
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <libsecret/secret.h>

#include "pf-test-util.h"

static const SecretSchema test_schema = {
  "io.github.popfetch.Popfetch.Test", SECRET_SCHEMA_NONE,
  {
    { "account", SECRET_SCHEMA_ATTRIBUTE_STRING },
    { NULL, 0 },
  }
};

/* The wrapper's XDG_DATA_HOME, before g_test_init() isolates ours. */
static char *keyring_data_home;

static gboolean
require_keyring (void)
{
  return pf_test_require (g_getenv ("PF_TEST_KEYRING") != NULL, "REQUIRE_KEYRING",
                          "not running under tests/lib/run-with-keyring.sh");
}

static void
store (const char *account,
       const char *password)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  secret_password_store (&test_schema, SECRET_COLLECTION_DEFAULT, "Popfetch test secret",
                         password, NULL, pf_test_store_result, &result,
                         "account", account, NULL);
  g_assert_true (secret_password_store_finish (pf_test_wait_result (&result, 20), &error));
  g_assert_no_error (error);
}

static char *
lookup (const char *account)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  char *password;

  secret_password_lookup (&test_schema, NULL, pf_test_store_result, &result,
                          "account", account, NULL);
  password = secret_password_lookup_finish (pf_test_wait_result (&result, 20), &error);
  g_assert_no_error (error);
  return password;
}

static void
test_store_and_read (void)
{
  g_autofree char *keyring_file = NULL;
  g_autofree char *password = NULL;
  g_autofree char *other = NULL;

  if (!require_keyring ())
    return;

  store ("first@popfetch.test", "s3cret pässword");
  store ("second@popfetch.test", "another");

  password = lookup ("first@popfetch.test");
  g_assert_cmpstr (password, ==, "s3cret pässword");
  other = lookup ("second@popfetch.test");
  g_assert_cmpstr (other, ==, "another");

  /* It is gnome-keyring that keeps it: the login keyring is on disk in the
   * fixture's private data directory. */
  keyring_file = g_build_filename (keyring_data_home, "keyrings", "login.keyring", NULL);
  g_assert_true (g_file_test (keyring_file, G_FILE_TEST_IS_REGULAR));
}

static void
test_clear (void)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *password = NULL;

  if (!require_keyring ())
    return;

  store ("gone@popfetch.test", "short-lived");
  secret_password_clear (&test_schema, NULL, pf_test_store_result, &result,
                         "account", "gone@popfetch.test", NULL);
  g_assert_true (secret_password_clear_finish (pf_test_wait_result (&result, 20), &error));
  g_assert_no_error (error);

  password = lookup ("gone@popfetch.test");
  g_assert_null (password);
}

int
main (int   argc,
      char *argv[])
{
  keyring_data_home = g_strdup (g_getenv ("XDG_DATA_HOME"));
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/lib/keyring/store-and-read", test_store_and_read);
  g_test_add_func ("/lib/keyring/clear", test_clear);

  return g_test_run ();
}
