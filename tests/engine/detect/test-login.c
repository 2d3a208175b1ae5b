/* test-login.c — the login test and detection against the real Dovecot
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "pf-detector.h"
#include "pf-diagnosis.h"
#include "pf-error.h"
#include "pf-map-resolver.h"
#include "pf-test-dovecot.h"
#include "pf-test-util.h"

static const char * const dovecot_names[] = { "pop.dove.test", "localhost", "127.0.0.1", NULL };

typedef struct
{
  PfTestDovecot *dovecot;
  PfMapResolver *resolver;
  PfPortMap     *ports;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  if (!pf_test_require_program (PF_TEST_DOVECOT_PROGRAM, "REQUIRE_DOVECOT"))
    return;
  fixture->dovecot = pf_test_dovecot_start_with_names (dovecot_names, &error);
  g_assert_no_error (error);

  fixture->resolver = pf_map_resolver_new (NULL);
  pf_map_resolver_add_host (fixture->resolver, "pop.dove.test", "127.0.0.1");
  fixture->ports = pf_port_map_new ();
  pf_port_map_set (fixture->ports, 995, pf_test_dovecot_get_tls_port (fixture->dovecot));
  pf_port_map_set (fixture->ports, 110, pf_test_dovecot_get_port (fixture->dovecot));
  pf_port_map_set (fixture->ports, 993, 0);
  pf_port_map_set (fixture->ports, 443, 0);

  pf_test_dovecot_add_user (fixture->dovecot, "jo@dove.test", "right horse", &error);
  g_assert_no_error (error);
  pf_test_dovecot_add_user (fixture->dovecot, "kim", "battery staple", &error);
  g_assert_no_error (error);
  pf_test_dovecot_add_messages (fixture->dovecot, "jo@dove.test", 3, 500, &error);
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_clear_pointer (&fixture->dovecot, pf_test_dovecot_stop);
  g_clear_object (&fixture->resolver);
  g_clear_pointer (&fixture->ports, pf_port_map_unref);
}

static guint login_timeout = 5;

static PfDiagnosis *
login (Fixture    *fixture,
       PfSecurity  security,
       const char *address,
       const char *user,
       const char *password)
{
  g_autoptr(PfServerSettings) settings = pf_server_settings_new ("pop.dove.test",
                                                                 security == PF_SECURITY_TLS ? 995 : 110,
                                                                 security);
  g_autoptr(PfCredentials) credentials = pf_credentials_new_for_password (password);
  g_autoptr(PfLoginTest) test = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  PfDiagnosis *diagnosis;

  pf_server_settings_set_resolver (settings, G_RESOLVER (fixture->resolver));
  pf_server_settings_set_port_map (settings, fixture->ports);
  pf_server_settings_set_tls_database (settings, pf_test_dovecot_get_tls_database (fixture->dovecot));
  pf_server_settings_set_timeout (settings, login_timeout);
  test = pf_login_test_new (settings);
  pf_login_test_set_address (test, address);
  pf_login_test_set_user (test, user);
  pf_login_test_run_async (test, credentials, NULL, pf_test_store_result, &result);
  pf_test_wait_result (&result, 30);
  diagnosis = pf_login_test_run_finish (test, result, &error);
  g_assert_no_error (error);
  g_assert_nonnull (diagnosis);
  return diagnosis;
}

static void
assert_password_not_in_transcript (PfDiagnosis *diagnosis,
                                   const char  *password)
{
  g_autofree char *text = pf_diagnosis_dup_transcript_text (diagnosis);

  g_assert_cmpuint (strlen (text), >, 0);
  g_assert_null (strstr (text, password));
}

static void
test_right_password (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(PfDiagnosis) diagnosis = NULL;

  if (fixture->dovecot == NULL)
    return;
  diagnosis = login (fixture, PF_SECURITY_TLS, "jo@dove.test", NULL, "right horse");
  g_assert_true (pf_diagnosis_get_success (diagnosis));
  g_assert_cmpint (pf_diagnosis_get_failed_step (diagnosis), ==, PF_DIAGNOSIS_STEP_NONE);
  g_assert_null (pf_diagnosis_get_error (diagnosis));
  g_assert_cmpuint (pf_diagnosis_get_attempts (diagnosis), ==, 1);
  g_assert_cmpstr (pf_diagnosis_get_user (diagnosis), ==, "jo@dove.test");
  /* The strongest shared mechanism. */
  g_assert_cmpint (pf_diagnosis_get_mechanism (diagnosis), ==, PF_AUTH_SCRAM_SHA_256);
  g_assert_cmpuint (pf_diagnosis_get_message_count (diagnosis), ==, 3);
  g_assert_cmpuint (pf_diagnosis_get_mailbox_size (diagnosis), >, 1500);
  g_assert_nonnull (pf_diagnosis_get_cert_info (diagnosis));
  g_assert_nonnull (pf_diagnosis_get_greeting (diagnosis));
  assert_password_not_in_transcript (diagnosis, "right horse");
}

static void
test_right_password_stls (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autoptr(PfDiagnosis) diagnosis = NULL;

  if (fixture->dovecot == NULL)
    return;
  diagnosis = login (fixture, PF_SECURITY_STARTTLS, "jo@dove.test", NULL, "right horse");
  g_assert_true (pf_diagnosis_get_success (diagnosis));
  /* Read before TLS: not shown. */
  g_assert_null (pf_diagnosis_get_greeting (diagnosis));
  g_assert_nonnull (pf_diagnosis_get_cert_info (diagnosis));
}

static void
test_wrong_password (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(PfDiagnosis) diagnosis = NULL;
  const PfExplanation *explanation;

  if (fixture->dovecot == NULL)
    return;
  diagnosis = login (fixture, PF_SECURITY_TLS, "jo@dove.test", NULL, "wrong horse");
  g_assert_false (pf_diagnosis_get_success (diagnosis));
  g_assert_cmpint (pf_diagnosis_get_failed_step (diagnosis), ==, PF_DIAGNOSIS_STEP_AUTHENTICATION);
  g_assert_error ((GError *) pf_diagnosis_get_error (diagnosis), PF_ERROR, PF_ERROR_AUTH_REJECTED);
  /* Full address, then the local part: one attempt each, no more. */
  g_assert_cmpuint (pf_diagnosis_get_attempts (diagnosis), ==, 2);
  g_assert_cmpuint (pf_diagnosis_get_transcripts (diagnosis)->len, ==, 2);
  g_assert_cmpstr (pf_diagnosis_get_user (diagnosis), ==, "jo");
  explanation = pf_diagnosis_get_explanation (diagnosis);
  g_assert_nonnull (explanation);
  g_assert_cmpstr (explanation->title, !=, "");
  g_assert_cmpint (pf_diagnosis_get_hint (diagnosis), ==, PF_PROVIDER_HINT_NONE);
  assert_password_not_in_transcript (diagnosis, "wrong horse");
}

static void
test_wrong_password_given_user (Fixture       *fixture,
                                gconstpointer  data)
{
  g_autoptr(PfDiagnosis) diagnosis = NULL;

  if (fixture->dovecot == NULL)
    return;
  /* A user name given explicitly is the only one tried. */
  diagnosis = login (fixture, PF_SECURITY_TLS, "jo@dove.test", "jo@dove.test", "wrong horse");
  g_assert_error ((GError *) pf_diagnosis_get_error (diagnosis), PF_ERROR, PF_ERROR_AUTH_REJECTED);
  g_assert_cmpuint (pf_diagnosis_get_attempts (diagnosis), ==, 1);
}

static void
test_local_part (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(PfDiagnosis) diagnosis = NULL;

  if (fixture->dovecot == NULL)
    return;
  diagnosis = login (fixture, PF_SECURITY_TLS, "kim@dove.test", NULL, "battery staple");
  g_assert_true (pf_diagnosis_get_success (diagnosis));
  g_assert_cmpuint (pf_diagnosis_get_attempts (diagnosis), ==, 2);
  g_assert_cmpstr (pf_diagnosis_get_user (diagnosis), ==, "kim");
}

static void
test_connect_step (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(PfDiagnosis) diagnosis = NULL;

  if (fixture->dovecot == NULL)
    return;
  pf_port_map_set (fixture->ports, 995, 0);
  diagnosis = login (fixture, PF_SECURITY_TLS, "jo@dove.test", NULL, "right horse");
  g_assert_cmpint (pf_diagnosis_get_failed_step (diagnosis), ==, PF_DIAGNOSIS_STEP_CONNECT);
  g_assert_error ((GError *) pf_diagnosis_get_error (diagnosis), PF_ERROR, PF_ERROR_REFUSED);
  g_assert_cmpuint (pf_diagnosis_get_attempts (diagnosis), ==, 0);
}

static void
test_lookup_step (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(PfServerSettings) settings = pf_server_settings_new ("nowhere.dove.test", 995, PF_SECURITY_TLS);
  g_autoptr(PfCredentials) credentials = pf_credentials_new_for_password ("x");
  g_autoptr(PfLoginTest) test = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(PfDiagnosis) diagnosis = NULL;

  if (fixture->dovecot == NULL)
    return;
  pf_server_settings_set_resolver (settings, G_RESOLVER (fixture->resolver));
  test = pf_login_test_new (settings);
  pf_login_test_set_address (test, "jo@dove.test");
  pf_login_test_run_async (test, credentials, NULL, pf_test_store_result, &result);
  pf_test_wait_result (&result, 10);
  diagnosis = pf_login_test_run_finish (test, result, NULL);
  g_assert_cmpint (pf_diagnosis_get_failed_step (diagnosis), ==, PF_DIAGNOSIS_STEP_LOOKUP);
  g_assert_error ((GError *) pf_diagnosis_get_error (diagnosis), PF_ERROR, PF_ERROR_RESOLVE);
}

static void
test_tls_step (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(PfServerSettings) settings = pf_server_settings_new ("pop.dove.test", 995, PF_SECURITY_TLS);
  g_autoptr(PfCredentials) credentials = pf_credentials_new_for_password ("right horse");
  g_autoptr(PfLoginTest) test = NULL;
  g_autoptr(GTlsDatabase) system_only = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(PfDiagnosis) diagnosis = NULL;

  if (fixture->dovecot == NULL)
    return;
  /* Without the test CA the certificate is untrusted: no password leaves. */
  system_only = g_tls_backend_get_default_database (g_tls_backend_get_default ());
  pf_server_settings_set_resolver (settings, G_RESOLVER (fixture->resolver));
  pf_server_settings_set_port_map (settings, fixture->ports);
  pf_server_settings_set_tls_database (settings, system_only);
  test = pf_login_test_new (settings);
  pf_login_test_set_address (test, "jo@dove.test");
  pf_login_test_run_async (test, credentials, NULL, pf_test_store_result, &result);
  pf_test_wait_result (&result, 10);
  diagnosis = pf_login_test_run_finish (test, result, NULL);
  g_assert_cmpint (pf_diagnosis_get_failed_step (diagnosis), ==, PF_DIAGNOSIS_STEP_TLS);
  g_assert_error ((GError *) pf_diagnosis_get_error (diagnosis), PF_ERROR, PF_ERROR_CERT_UNTRUSTED);
  g_assert_nonnull (pf_diagnosis_get_cert_info (diagnosis));
  g_assert_true (pf_diagnosis_get_cert_info (diagnosis)->errors & G_TLS_CERTIFICATE_UNKNOWN_CA);
  g_assert_cmpuint (pf_diagnosis_get_attempts (diagnosis), ==, 0);
  assert_password_not_in_transcript (diagnosis, "right horse");
}

static void
test_mailbox_in_use (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(PfServerSettings) holder_settings = NULL;
  g_autoptr(PfPop3Client) holder = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(PfDiagnosis) diagnosis = NULL;

  if (fixture->dovecot == NULL)
    return;
  /* Another session holds the mailbox (pop3_lock_session = yes). */
  holder_settings = pf_server_settings_new ("127.0.0.1", pf_test_dovecot_get_tls_port (fixture->dovecot),
                                            PF_SECURITY_TLS);
  pf_server_settings_set_server_identity (holder_settings, "localhost");
  pf_server_settings_set_tls_database (holder_settings, pf_test_dovecot_get_tls_database (fixture->dovecot));
  holder = pf_pop3_client_new_for_settings (holder_settings);
  pf_pop3_client_connect_async (holder, NULL, pf_test_store_result, &result);
  pf_test_wait_result (&result, 10);
  g_assert_true (pf_pop3_client_connect_finish (holder, result, &error));
  g_clear_object (&result);
  pf_pop3_client_authenticate_async (holder, "jo@dove.test", "right horse", PF_AUTH_AUTO, NULL,
                                     pf_test_store_result, &result);
  pf_test_wait_result (&result, 10);
  g_assert_true (pf_pop3_client_authenticate_finish (holder, result, NULL, &error));
  g_assert_no_error (error);

  /* Dovecot waits for the lock a while before it answers [IN-USE]. */
  login_timeout = 30;
  diagnosis = login (fixture, PF_SECURITY_TLS, "jo@dove.test", NULL, "right horse");
  login_timeout = 5;
  g_assert_false (pf_diagnosis_get_success (diagnosis));
  g_assert_error ((GError *) pf_diagnosis_get_error (diagnosis), PF_ERROR, PF_ERROR_IN_USE);
  g_assert_cmpint (pf_diagnosis_get_failed_step (diagnosis), ==, PF_DIAGNOSIS_STEP_MAILBOX);
  /* Locked is not "rejected": no second user-name form is tried. */
  g_assert_cmpuint (pf_diagnosis_get_attempts (diagnosis), ==, 1);
  pf_pop3_client_close (holder);
}

static void
test_detect_dovecot (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(PfDetector) detector = pf_detector_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) probes = NULL;
  PfProbe *best;

  if (fixture->dovecot == NULL)
    return;
  pf_detector_set_resolver (detector, G_RESOLVER (fixture->resolver));
  pf_detector_set_port_map (detector, fixture->ports);
  pf_detector_set_tls_database (detector, pf_test_dovecot_get_tls_database (fixture->dovecot));
  pf_detector_set_ispdb_base (detector, NULL);
  pf_detector_run_async (detector, "jo@dove.test", NULL, pf_test_store_result, &result);
  pf_test_wait_result (&result, 30);
  probes = pf_detector_run_finish (detector, result, &error);
  g_assert_no_error (error);

  best = pf_detector_get_recommended (detector);
  g_assert_nonnull (best);
  g_assert_cmpstr (pf_probe_get_host (best), ==, "pop.dove.test");
  g_assert_cmpint (pf_probe_get_security (best), ==, PF_SECURITY_TLS);
  g_assert_cmpint (pf_probe_get_best_mechanism (best), ==, PF_AUTH_SCRAM_SHA_256);
  g_assert_true (pf_probe_get_capabilities (best)->uidl);
  g_assert_cmpuint (pf_probe_get_rank (probes->pdata[1]), ==, 2);
  g_assert_cmpint (pf_probe_get_security (probes->pdata[1]), ==, PF_SECURITY_STARTTLS);
}

/* An iteration count that would take minutes of PBKDF2 (Dovecot serves
 * the 2,000,000,000 of its passwd-file as stored) is refused before the
 * work starts: the login test ends at once, and not as a wrong
 * password. */
static void
test_scram_huge_iterations (Fixture       *fixture,
                            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PfDiagnosis) diagnosis = NULL;
  g_autofree char *path = NULL;
  g_autofree char *transcript = NULL;
  gint64 start;

  if (fixture->dovecot == NULL)
    return;
  g_assert_true (pf_test_dovecot_add_user (fixture->dovecot, "hi", "huge count", &error));
  g_assert_no_error (error);
  /* The fixture's passwd-file of the user, rewritten before its first
   * login (Dovecot reads it then) with stored SCRAM credentials. */
  path = g_build_filename (pf_test_dovecot_get_dir (fixture->dovecot), "passwd", "hi", NULL);
  g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));
  g_assert_true (g_file_set_contents_full (path,
                                           "hi:{SCRAM-SHA-256}2000000000,cG9wZmV0Y2gtc2FsdC0xNg==,"
                                           "AfXAvup+aXTiLLJB2MeNtcCixT+luHMUDy1snlJwlPY=,"
                                           "3R7ugSFxeE6l8+y2CVXDu0+LQRw6b6m7Mtb7/p9v0YA=::::::\n",
                                           -1, G_FILE_SET_CONTENTS_NONE, 0644, &error));
  g_assert_no_error (error);

  start = g_get_monotonic_time ();
  diagnosis = login (fixture, PF_SECURITY_TLS, NULL, "hi", "huge count");
  g_assert_cmpint (g_get_monotonic_time () - start, <, 3 * G_USEC_PER_SEC);
  g_assert_error ((GError *) pf_diagnosis_get_error (diagnosis), PF_ERROR, PF_ERROR_PROTOCOL);
  g_assert_nonnull (strstr (pf_diagnosis_get_error (diagnosis)->message, "1000000"));
  g_assert_cmpint (pf_diagnosis_get_mechanism (diagnosis), ==, PF_AUTH_SCRAM_SHA_256);
  transcript = pf_diagnosis_dup_transcript_text (diagnosis);
  g_assert_nonnull (strstr (transcript, "Login failed: The server’s SCRAM iteration count"));
}

#define ADD(path, func) \
  g_test_add ("/engine/detect/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  ADD ("login/right-password", test_right_password);
  ADD ("login/right-password-stls", test_right_password_stls);
  ADD ("login/wrong-password", test_wrong_password);
  ADD ("login/wrong-password-given-user", test_wrong_password_given_user);
  ADD ("login/local-part-user-name", test_local_part);
  ADD ("login/connect-step", test_connect_step);
  ADD ("login/lookup-step", test_lookup_step);
  ADD ("login/tls-step", test_tls_step);
  ADD ("login/mailbox-in-use", test_mailbox_in_use);
  ADD ("login/scram/huge-iterations", test_scram_huge_iterations);
  ADD ("dovecot/detected", test_detect_dovecot);

  return g_test_run ();
}
