/* test-server-settings.c — the engine base: server settings, the one
 * fingerprint normaliser, enum nicks, given credentials
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "pf-credentials.h"
#include "pf-enums.h"
#include "pf-error.h"
#include "pf-fetcher.h"
#include "pf-sasl.h"
#include "pf-server-settings.h"
#include "pf-test-util.h"

#define HEX64 "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"

static void
test_fingerprint_normalize (void)
{
  struct {
    const char *text;
    const char *expected;   /* NULL: refused */
  } cases[] = {
    { HEX64, HEX64 },
    { "00112233445566778899AABBCCDDEEFF00112233445566778899AABBCCDDEEFF", HEX64 },
    { "00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:"
      "00:11:22:33:44:55:66:77:88:99:aa:bb:cc:dd:ee:ff", HEX64 },
    { "00 11 22 33 44 55 66 77 88 99 aa bb cc dd ee ff "
      "00 11 22 33 44 55 66 77 88 99 aa bb cc dd ee ff", HEX64 },
    /* The wrong lengths, which one of the three old normalisers let pass. */
    { "00112233445566778899aabbccddeeff00112233445566778899aabbccddeef", NULL },
    { HEX64 "0", NULL },
    { "00:11", NULL },
    { "", NULL },
    /* Not hex, or other separators. */
    { "g0112233445566778899aabbccddeeff00112233445566778899aabbccddeeff", NULL },
    { "00-11-22-33-44-55-66-77-88-99-aa-bb-cc-dd-ee-ff-"
      "00-11-22-33-44-55-66-77-88-99-aa-bb-cc-dd-ee-ff", NULL },
    { HEX64 "\n", NULL },
    { NULL, NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *normalized = pf_sha256_fingerprint_normalize (cases[i].text);

      g_test_message ("case %u: %s", i, cases[i].text != NULL ? cases[i].text : "(null)");
      g_assert_cmpstr (normalized, ==, cases[i].expected);
    }
}

static void
test_settings_values (void)
{
  g_autoptr(PfServerSettings) settings = pf_server_settings_new ("pop.example.org", 995, PF_SECURITY_TLS);
  g_autoptr(PfServerSettings) copy = NULL;
  g_autoptr(PfServerSettings) dial = NULL;
  g_autoptr(PfPortMap) map = pf_port_map_new ();

  g_assert_cmpstr (pf_server_settings_get_effective_identity (settings), ==, "pop.example.org");
  g_assert_null (pf_server_settings_get_pinned_fingerprint (settings));
  g_assert_false (pf_server_settings_get_allow_plaintext_auth (settings));
  g_assert_cmpuint (pf_server_settings_get_timeout (settings), ==, 0);

  /* A malformed pin is refused and changes nothing. */
  g_assert_true (pf_server_settings_set_pinned_fingerprint (settings, "00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:"
                                                                      "00112233445566778899aabbccddeeff"));
  g_assert_cmpstr (pf_server_settings_get_pinned_fingerprint (settings), ==, HEX64);
  g_assert_false (pf_server_settings_set_pinned_fingerprint (settings, "abc"));
  g_assert_cmpstr (pf_server_settings_get_pinned_fingerprint (settings), ==, HEX64);

  pf_server_settings_set_port_map (settings, map);
  pf_server_settings_set_ca_file (settings, "/etc/ssl/certs/ca-certificates.crt");
  copy = pf_server_settings_copy (settings);
  g_assert_cmpstr (pf_server_settings_get_pinned_fingerprint (copy), ==, HEX64);
  g_assert_true (pf_server_settings_get_port_map (copy) == map);
  g_assert_cmpstr (pf_server_settings_get_ca_file (copy), ==, "/etc/ssl/certs/ca-certificates.crt");

  /* Dialling a resolved address checks the certificate for the name. */
  dial = pf_server_settings_copy_for_address (settings, "192.0.2.1", 41995);
  g_assert_cmpstr (pf_server_settings_get_host (dial), ==, "192.0.2.1");
  g_assert_cmpuint (pf_server_settings_get_port (dial), ==, 41995);
  g_assert_cmpstr (pf_server_settings_get_effective_identity (dial), ==, "pop.example.org");
  g_assert_null (pf_server_settings_get_port_map (dial));
  g_assert_null (pf_server_settings_get_resolver (dial));
}

static void
test_ca_file_unreadable (void)
{
  g_autoptr(PfServerSettings) settings = pf_server_settings_new ("pop.example.org", 995, PF_SECURITY_TLS);
  g_autoptr(GError) error = NULL;

  pf_server_settings_set_ca_file (settings, "/nonexistent/ca.pem");
  g_assert_false (pf_server_settings_load_ca_file (settings, &error));
  g_assert_error (error, PF_ERROR, PF_ERROR_CONFIG);
  g_assert_null (pf_server_settings_get_tls_database (settings));
}

/* The nicks are the spellings of the accounts file and the command line. */
static void
test_enum_nicks (void)
{
  int value = -1;
  PfSecurity security;
  PfAuthMechanism mechanism;
  GParamSpec *phase;
  g_autoptr(GTypeClass) fetcher_class = NULL;

  g_assert_cmpstr (pf_security_to_string (PF_SECURITY_STARTTLS), ==, "starttls");
  g_assert_true (pf_security_from_string ("TLS", &security));
  g_assert_cmpint (security, ==, PF_SECURITY_TLS);
  g_assert_false (pf_security_from_string ("carrier-pigeon", &security));

  g_assert_cmpstr (pf_auth_mechanism_to_string (PF_AUTH_SCRAM_SHA_256_PLUS), ==, "SCRAM-SHA-256-PLUS");
  g_assert_cmpstr (pf_auth_mechanism_to_string (PF_AUTH_AUTO), ==, "auto");
  g_assert_true (pf_auth_mechanism_from_string ("cram-md5", &mechanism));
  g_assert_cmpint (mechanism, ==, PF_AUTH_CRAM_MD5);

  g_assert_cmpstr (pf_enum_to_nick (PF_TYPE_FETCH_POLICY, PF_FETCH_DELETE_AFTER_DAYS), ==, "delete-after");
  g_assert_true (pf_enum_from_nick (PF_TYPE_FETCH_POLICY, "keep", &value));
  g_assert_cmpint (value, ==, PF_FETCH_KEEP);
  g_assert_false (pf_enum_from_nick (PF_TYPE_FETCH_POLICY, "delete-after-days", &value));
  g_assert_null (pf_enum_to_nick (PF_TYPE_FETCH_POLICY, 42));

  g_assert_cmpstr (pf_enum_to_nick (PF_TYPE_FETCH_PHASE, PF_FETCH_PHASE_FETCHING), ==, "fetching");
  fetcher_class = g_type_class_ref (PF_TYPE_FETCHER);
  phase = g_object_class_find_property (G_OBJECT_CLASS (fetcher_class), "phase");
  g_assert_true (G_IS_PARAM_SPEC_ENUM (phase));
  g_assert_true (G_PARAM_SPEC_VALUE_TYPE (phase) == PF_TYPE_FETCH_PHASE);
}

static void
test_password_credentials (void)
{
  g_autoptr(PfCredentials) credentials = pf_credentials_new_for_password ("s3cret");
  g_autoptr(PfSecret) first = NULL;
  g_autoptr(PfSecret) second = NULL;
  GAsyncResult *result = NULL;
  g_autoptr(GError) error = NULL;

  pf_credentials_get_secret_async (credentials, NULL, pf_test_store_result, &result);
  first = pf_credentials_get_secret_finish (credentials, pf_test_wait_result (&result, 5), &error);
  g_clear_object (&result);
  g_assert_no_error (error);
  g_assert_cmpstr (pf_secret_get_value (first), ==, "s3cret");
  g_assert_cmpint (pf_secret_get_kind (first), ==, PF_SECRET_PASSWORD);

  /* A given password has nothing to refresh: asked again, the same. */
  pf_credentials_invalidate (credentials, first);
  pf_credentials_get_secret_async (credentials, NULL, pf_test_store_result, &result);
  second = pf_credentials_get_secret_finish (credentials, pf_test_wait_result (&result, 5), &error);
  g_clear_object (&result);
  g_assert_cmpstr (pf_secret_get_value (second), ==, "s3cret");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/engine/server-settings/fingerprint-normalize", test_fingerprint_normalize);
  g_test_add_func ("/engine/server-settings/values", test_settings_values);
  g_test_add_func ("/engine/server-settings/ca-file-unreadable", test_ca_file_unreadable);
  g_test_add_func ("/engine/enums/nicks", test_enum_nicks);
  g_test_add_func ("/engine/credentials/password", test_password_credentials);

  return g_test_run ();
}
