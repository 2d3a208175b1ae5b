/* test-detect-parts.c — certificate facts, trust, port map and resolver table
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include <gio/gio.h>

#include "pf-cert-info.h"
#include "pf-diagnosis.h"
#include "pf-probe.h"
#include "pf-map-resolver.h"
#include "pf-port-map.h"
#include "pf-test-certs.h"
#include "pf-test-util.h"
#include "pf-tls-database.h"

static const char * const test_names[] = { "pop.example.test", "127.0.0.1", NULL };

static void
test_cert_info_valid (void)
{
  g_autoptr(GTlsCertificate) cert = pf_test_certs_server (PF_TEST_CERT_VALID, test_names);
  g_autoptr(GError) error = NULL;
  g_autoptr(PfCertInfo) info = NULL;
  g_autoptr(PfCertInfo) copy = NULL;
  g_autoptr(GByteArray) der = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *expected = NULL;
  g_autofree char *formatted = NULL;

  info = pf_cert_info_new (cert, 0, &error);
  g_assert_no_error (error);

  g_object_get (cert, "certificate", &der, NULL);
  expected = g_compute_checksum_for_data (G_CHECKSUM_SHA256, der->data, der->len);
  g_assert_cmpstr (info->sha256, ==, expected);
  g_assert_cmpuint (strlen (info->sha256), ==, 64);

  g_assert_true (g_strv_contains ((const char * const *) info->names, "pop.example.test"));
  g_assert_true (g_strv_contains ((const char * const *) info->names, "127.0.0.1"));
  g_assert_cmpstr (info->subject, !=, "");
  g_assert_cmpstr (info->issuer, !=, "");
  g_assert_cmpstr (info->subject, !=, info->issuer);
  g_assert_false (info->self_signed);
  g_assert_nonnull (info->not_before);
  g_assert_nonnull (info->not_after);
  g_assert_cmpint (g_date_time_compare (info->not_before, now), <=, 0);
  g_assert_cmpint (g_date_time_compare (info->not_after, now), >, 0);

  formatted = pf_cert_info_format_fingerprint (info->sha256);
  g_assert_cmpuint (strlen (formatted), ==, 64 + 31);
  g_assert_true (g_ascii_isupper (formatted[0]) || g_ascii_isdigit (formatted[0]));
  g_assert_cmpint (formatted[2], ==, ':');

  copy = pf_cert_info_copy (info);
  g_assert_cmpstr (copy->sha256, ==, info->sha256);
  g_assert_cmpstrv (copy->names, info->names);
}

static void
test_cert_info_expired_and_self_signed (void)
{
  g_autoptr(GTlsCertificate) expired = pf_test_certs_server (PF_TEST_CERT_EXPIRED, test_names);
  g_autoptr(GTlsCertificate) self_signed = pf_test_certs_server (PF_TEST_CERT_SELF_SIGNED, test_names);
  g_autoptr(PfCertInfo) expired_info = pf_cert_info_new (expired, G_TLS_CERTIFICATE_EXPIRED, NULL);
  g_autoptr(PfCertInfo) self_info = pf_cert_info_new (self_signed, G_TLS_CERTIFICATE_UNKNOWN_CA, NULL);
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

  g_assert_cmpint (g_date_time_compare (expired_info->not_after, now), <, 0);
  g_assert_cmpint (expired_info->errors, ==, G_TLS_CERTIFICATE_EXPIRED);
  g_assert_true (self_info->self_signed);
  g_assert_cmpstr (self_info->subject, ==, self_info->issuer);
}

static void
test_cert_errors_in_words (void)
{
  g_auto(GStrv) none = pf_cert_errors_describe (0);
  g_auto(GStrv) two = pf_cert_errors_describe (G_TLS_CERTIFICATE_EXPIRED | G_TLS_CERTIFICATE_BAD_IDENTITY);

  g_assert_cmpuint (g_strv_length (none), ==, 0);
  g_assert_cmpuint (g_strv_length (two), ==, 2);
  g_assert_cmpstr (two[0], ==, "expired");
  g_assert_cmpstr (two[1], ==, "issued for another host name");

  g_assert_cmpint (pf_cert_errors_to_code (G_TLS_CERTIFICATE_UNKNOWN_CA), ==, PF_ERROR_CERT_UNTRUSTED);
  g_assert_cmpint (pf_cert_errors_to_code (G_TLS_CERTIFICATE_BAD_IDENTITY | G_TLS_CERTIFICATE_UNKNOWN_CA), ==, PF_ERROR_CERT_HOST);
  g_assert_cmpint (pf_cert_errors_to_code (G_TLS_CERTIFICATE_EXPIRED | G_TLS_CERTIFICATE_BAD_IDENTITY), ==, PF_ERROR_CERT_EXPIRED);
  g_assert_cmpint (pf_cert_errors_to_code (G_TLS_CERTIFICATE_NOT_ACTIVATED), ==, PF_ERROR_CERT_EXPIRED);
}

static GTlsCertificateFlags
verify (GTlsDatabase   *database,
        PfTestCertKind  kind,
        const char     *host)
{
  g_autoptr(GTlsCertificate) cert = pf_test_certs_server (kind, test_names);
  g_autoptr(GSocketConnectable) identity = g_network_address_new (host, 995);

  return g_tls_database_verify_chain (database, cert, G_TLS_DATABASE_PURPOSE_AUTHENTICATE_SERVER,
                                      identity, NULL, G_TLS_DATABASE_VERIFY_NONE, NULL, NULL);
}

static void
test_tls_database_adds_ca (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GTlsDatabase) system_only = pf_tls_database_new (NULL, NULL);
  g_autoptr(GTlsDatabase) with_ca = pf_tls_database_new_with_ca_file (pf_test_certs_ca_file (), &error);

  g_assert_no_error (error);

  g_assert_cmpint (verify (with_ca, PF_TEST_CERT_VALID, "pop.example.test"), ==, 0);
  g_assert_true (verify (system_only, PF_TEST_CERT_VALID, "pop.example.test") & G_TLS_CERTIFICATE_UNKNOWN_CA);
  /* The extra CA knows the issuer, so the answer is the real problem. */
  g_assert_cmpint (verify (with_ca, PF_TEST_CERT_EXPIRED, "pop.example.test"), ==, G_TLS_CERTIFICATE_EXPIRED);
  g_assert_true (verify (with_ca, PF_TEST_CERT_VALID, "other.example.test") & G_TLS_CERTIFICATE_BAD_IDENTITY);
  g_assert_true (verify (with_ca, PF_TEST_CERT_UNKNOWN_CA, "pop.example.test") & G_TLS_CERTIFICATE_UNKNOWN_CA);
  g_assert_true (verify (with_ca, PF_TEST_CERT_SELF_SIGNED, "pop.example.test") & G_TLS_CERTIFICATE_UNKNOWN_CA);

  g_assert_null (pf_tls_database_new_with_ca_file ("/nonexistent/ca.pem", &error));
  g_assert_nonnull (error);
}

static void
test_port_map (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PfPortMap) map = pf_port_map_parse (" 995:41995; 110:41110 ;993:0,443:8443", &error);
  const char *bad[] = { "995", "995:x", "0:1", "995:70000", "a:b:c" };

  g_assert_no_error (error);
  g_assert_cmpuint (pf_port_map_lookup (map, 995), ==, 41995);
  g_assert_cmpuint (pf_port_map_lookup (map, 110), ==, 41110);
  g_assert_cmpuint (pf_port_map_lookup (map, 993), ==, 0);
  g_assert_cmpuint (pf_port_map_lookup (map, 443), ==, 8443);
  g_assert_cmpuint (pf_port_map_lookup (map, 25), ==, 25);
  g_assert_cmpuint (pf_port_map_lookup (NULL, 995), ==, 995);

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) parse_error = NULL;
      g_assert_null (pf_port_map_parse (bad[i], &parse_error));
      g_assert_error (parse_error, PF_ERROR, PF_ERROR_CONFIG);
    }
}

static void
test_map_resolver (void)
{
  g_autoptr(PfMapResolver) resolver = pf_map_resolver_new (NULL);
  g_autoptr(GError) error = NULL;
  GList *addresses;
  GList *records;
  g_autofree char *first = NULL;
  guint16 priority, weight, port;
  const char *target;

  pf_map_resolver_add_host (resolver, "pop.example.test", "127.0.0.2");
  pf_map_resolver_add_domain (resolver, "demo.test", "127.0.0.1");
  pf_map_resolver_add_srv (resolver, "_pop3s._tcp.example.test", 10, 5, 995, "pop.example.test");
  pf_map_resolver_add_mx (resolver, "example.test", 10, "mx.provider.test");

  addresses = g_resolver_lookup_by_name (G_RESOLVER (resolver), "POP.example.test.", NULL, &error);
  g_assert_no_error (error);
  first = g_inet_address_to_string (addresses->data);
  g_assert_cmpstr (first, ==, "127.0.0.2");
  g_resolver_free_addresses (addresses);

  addresses = g_resolver_lookup_by_name (G_RESOLVER (resolver), "pop3.mail.demo.test", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_length (addresses), ==, 1);
  g_resolver_free_addresses (addresses);

  addresses = g_resolver_lookup_by_name (G_RESOLVER (resolver), "unknown.test", NULL, &error);
  g_assert_null (addresses);
  g_assert_error (error, G_RESOLVER_ERROR, G_RESOLVER_ERROR_NOT_FOUND);
  g_clear_error (&error);

  records = g_resolver_lookup_records (G_RESOLVER (resolver), "_pop3s._tcp.example.test",
                                       G_RESOLVER_RECORD_SRV, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_length (records), ==, 1);
  g_variant_get (records->data, "(qqq&s)", &priority, &weight, &port, &target);
  g_assert_cmpuint (priority, ==, 10);
  g_assert_cmpuint (port, ==, 995);
  g_assert_cmpstr (target, ==, "pop.example.test");
  g_list_free_full (records, (GDestroyNotify) g_variant_unref);

  records = g_resolver_lookup_records (G_RESOLVER (resolver), "_pop3._tcp.demo.test",
                                       G_RESOLVER_RECORD_SRV, NULL, &error);
  g_assert_null (records);
  g_assert_error (error, G_RESOLVER_ERROR, G_RESOLVER_ERROR_NOT_FOUND);
  g_clear_error (&error);

  g_assert_cmpuint (pf_map_resolver_get_queries (resolver)->len, ==, 5);
}

static void
test_pick_address (void)
{
  g_autoptr(PfMapResolver) resolver = pf_map_resolver_new (NULL);
  GList *addresses;
  g_autofree char *picked = NULL;
  g_autofree char *only_v6 = NULL;

  pf_map_resolver_add_host (resolver, "dual.test", "::1");
  pf_map_resolver_add_host (resolver, "dual.test", "127.0.0.9");
  pf_map_resolver_add_host (resolver, "v6.test", "::2");

  addresses = g_resolver_lookup_by_name (G_RESOLVER (resolver), "dual.test", NULL, NULL);
  picked = pf_resolver_pick_address (addresses);
  g_assert_cmpstr (picked, ==, "127.0.0.9");
  g_resolver_free_addresses (addresses);

  addresses = g_resolver_lookup_by_name (G_RESOLVER (resolver), "v6.test", NULL, NULL);
  only_v6 = pf_resolver_pick_address (addresses);
  g_assert_cmpstr (only_v6, ==, "::2");
  g_resolver_free_addresses (addresses);

  g_assert_null (pf_resolver_pick_address (NULL));
}

static void
on_resolved (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  pf_test_store_result (source, result, user_data);
}

static void
test_map_resolver_async_fallback (void)
{
  g_autoptr(PfMapResolver) fallback = pf_map_resolver_new (NULL);
  g_autoptr(PfMapResolver) resolver = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GList *addresses;

  pf_map_resolver_add_host (fallback, "elsewhere.test", "::1");
  resolver = pf_map_resolver_new (G_RESOLVER (fallback));
  pf_map_resolver_add_domain (resolver, "demo.test", "127.0.0.1");

  g_resolver_lookup_by_name_async (G_RESOLVER (resolver), "elsewhere.test", NULL, on_resolved, &result);
  pf_test_wait_result (&result, 5);
  addresses = g_resolver_lookup_by_name_finish (G_RESOLVER (resolver), result, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_inet_address_get_family (addresses->data), ==, G_SOCKET_FAMILY_IPV6);
  g_resolver_free_addresses (addresses);

  /* Under the mapped domain nothing reaches the fallback. */
  g_clear_object (&result);
  g_resolver_lookup_records_async (G_RESOLVER (resolver), "_pop3s._tcp.demo.test", G_RESOLVER_RECORD_SRV,
                                   NULL, on_resolved, &result);
  pf_test_wait_result (&result, 5);
  g_assert_null (g_resolver_lookup_records_finish (G_RESOLVER (resolver), result, &error));
  g_assert_error (error, G_RESOLVER_ERROR, G_RESOLVER_ERROR_NOT_FOUND);
  g_assert_cmpuint (pf_map_resolver_get_queries (fallback)->len, ==, 1);
}


static void
test_step_for_error (void)
{
  struct { GQuark domain; int code; PfDiagnosisStep step; } cases[] = {
    { 0, 0, PF_DIAGNOSIS_STEP_NONE },
    { PF_ERROR, PF_ERROR_RESOLVE, PF_DIAGNOSIS_STEP_LOOKUP },
    { PF_ERROR, PF_ERROR_REFUSED, PF_DIAGNOSIS_STEP_CONNECT },
    { PF_ERROR, PF_ERROR_TIMEOUT, PF_DIAGNOSIS_STEP_CONNECT },
    { PF_ERROR, PF_ERROR_TLS_HANDSHAKE, PF_DIAGNOSIS_STEP_TLS },
    { PF_ERROR, PF_ERROR_CERT_EXPIRED, PF_DIAGNOSIS_STEP_TLS },
    { PF_ERROR, PF_ERROR_CERT_PIN_MISMATCH, PF_DIAGNOSIS_STEP_TLS },
    { PF_ERROR, PF_ERROR_STLS_UNAVAILABLE, PF_DIAGNOSIS_STEP_STLS },
    { PF_ERROR, PF_ERROR_STLS_INJECTION, PF_DIAGNOSIS_STEP_STLS },
    { PF_ERROR, PF_ERROR_AUTH_REJECTED, PF_DIAGNOSIS_STEP_AUTHENTICATION },
    { PF_ERROR, PF_ERROR_NO_COMMON_MECHANISM, PF_DIAGNOSIS_STEP_AUTHENTICATION },
    { PF_ERROR, PF_ERROR_PLAINTEXT_REFUSED, PF_DIAGNOSIS_STEP_AUTHENTICATION },
    { PF_ERROR, PF_ERROR_IN_USE, PF_DIAGNOSIS_STEP_MAILBOX },
    { PF_ERROR, PF_ERROR_LOGIN_DELAY, PF_DIAGNOSIS_STEP_MAILBOX },
    { PF_ERROR, PF_ERROR_SYS_TEMP, PF_DIAGNOSIS_STEP_MAILBOX },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = cases[i].domain != 0 ? g_error_new_literal (cases[i].domain, cases[i].code, "x") : NULL;

      g_assert_cmpint (pf_diagnosis_step_for_error (error), ==, cases[i].step);
      g_assert_cmpstr (pf_diagnosis_step_describe (cases[i].step), !=, "");
    }
  {
    g_autoptr(GError) tls = g_error_new_literal (G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE, "x");
    g_autoptr(GError) resolver = g_error_new_literal (G_RESOLVER_ERROR, G_RESOLVER_ERROR_NOT_FOUND, "x");

    g_assert_cmpint (pf_diagnosis_step_for_error (tls), ==, PF_DIAGNOSIS_STEP_TLS);
    g_assert_cmpint (pf_diagnosis_step_for_error (resolver), ==, PF_DIAGNOSIS_STEP_LOOKUP);
  }
}

static void
test_provider_hints (void)
{
  g_autoptr(GError) rejected = g_error_new_literal (PF_ERROR, PF_ERROR_AUTH_REJECTED, "x");
  g_autoptr(GError) delay = g_error_new_literal (PF_ERROR, PF_ERROR_LOGIN_DELAY, "x");
  g_autoptr(GError) refused = g_error_new_literal (PF_ERROR, PF_ERROR_REFUSED, "x");
  g_autofree char *minutes = NULL;

  g_assert_cmpint (pf_provider_hint_for ("pop.gmail.com", "a@gmail.com", rejected, -1), ==, PF_PROVIDER_HINT_APP_PASSWORD);
  g_assert_cmpint (pf_provider_hint_for (NULL, "a@googlemail.com", rejected, -1), ==, PF_PROVIDER_HINT_APP_PASSWORD);
  g_assert_cmpint (pf_provider_hint_for ("pop.gmail.com", "me@company.example", rejected, -1), ==, PF_PROVIDER_HINT_APP_PASSWORD);
  g_assert_cmpint (pf_provider_hint_for ("pop.mail.yahoo.com", "a@yahoo.co.uk", rejected, -1), ==, PF_PROVIDER_HINT_APP_PASSWORD);
  g_assert_cmpint (pf_provider_hint_for ("pop.aol.com", "a@aol.com", rejected, -1), ==, PF_PROVIDER_HINT_APP_PASSWORD);
  /* iCloud has no POP3 at all: an app password would not help (the hint
   * said so before the provider table). */
  g_assert_cmpint (pf_provider_hint_for ("pop.mail.me.com", "a@icloud.com", rejected, -1), ==, PF_PROVIDER_HINT_NO_POP3);
  g_assert_cmpint (pf_provider_hint_for ("pop.icloud.com", "a@me.com", refused, -1), ==, PF_PROVIDER_HINT_NO_POP3);
  g_assert_cmpint (pf_provider_hint_for ("outlook.office365.com", "a@hotmail.co.uk", rejected, -1), ==, PF_PROVIDER_HINT_OAUTH2);
  g_assert_cmpint (pf_provider_hint_for (NULL, "a@outlook.com", rejected, -1), ==, PF_PROVIDER_HINT_OAUTH2);
  g_assert_cmpint (pf_provider_hint_for (NULL, "a@live.fr", rejected, -1), ==, PF_PROVIDER_HINT_OAUTH2);
  g_assert_cmpint (pf_provider_hint_for ("outlook.office365.com", "me@company.example", rejected, -1), ==, PF_PROVIDER_HINT_OAUTH2);
  /* GMX and WEB.DE refuse the login while POP3 is switched off. */
  g_assert_cmpint (pf_provider_hint_for ("pop.gmx.net", "a@gmx.de", rejected, -1), ==, PF_PROVIDER_HINT_POP3_OFF);
  g_assert_cmpint (pf_provider_hint_for ("pop3.web.de", "a@web.de", rejected, -1), ==, PF_PROVIDER_HINT_POP3_OFF);
  /* Only a refused login calls for a password hint. */
  g_assert_cmpint (pf_provider_hint_for ("pop.gmail.com", "a@gmail.com", refused, -1), ==, PF_PROVIDER_HINT_NONE);
  g_assert_cmpint (pf_provider_hint_for ("pop.gmail.com", "a@gmail.com", NULL, -1), ==, PF_PROVIDER_HINT_NONE);
  g_assert_cmpint (pf_provider_hint_for ("pop.gmx.net", "a@gmx.de", refused, -1), ==, PF_PROVIDER_HINT_NONE);
  g_assert_cmpint (pf_provider_hint_for ("pop.example.org", "a@notgmail.com", rejected, -1), ==, PF_PROVIDER_HINT_NONE);
  g_assert_cmpint (pf_provider_hint_for ("pop.example.org", "a@example.org", delay, -1), ==, PF_PROVIDER_HINT_LOGIN_DELAY);
  g_assert_cmpint (pf_provider_hint_for ("pop.example.org", "a@example.org", NULL, 900), ==, PF_PROVIDER_HINT_LOGIN_DELAY);

  g_assert_null (pf_provider_hint_describe (PF_PROVIDER_HINT_NONE, NULL, -1));
  minutes = pf_provider_hint_describe (PF_PROVIDER_HINT_LOGIN_DELAY, NULL, 900);
  g_assert_nonnull (strstr (minutes, "15 minutes"));
}

/* The server's own text at Gmail, as PfPop3Client reports it (the reply
 * text without its response code). */
static void
test_provider_hints_gmail_replies (void)
{
  g_autoptr(GError) app_password = g_error_new_literal (PF_ERROR, PF_ERROR_AUTH_REJECTED,
    "Application-specific password required: https://support.google.com/accounts/answer/185833");
  g_autoptr(GError) web_login = g_error_new_literal (PF_ERROR, PF_ERROR_AUTH_REJECTED,
    "Web login required: https://support.google.com/mail/answer/78754");
  g_autoptr(GError) not_enabled = g_error_new_literal (PF_ERROR, PF_ERROR_SYS_PERM,
    "Your account is not enabled for POP access. Please visit your Gmail settings page and enable your account for POP access.");
  g_autoptr(GError) sys_perm = g_error_new_literal (PF_ERROR, PF_ERROR_SYS_PERM, "Something else");

  g_assert_cmpint (pf_provider_hint_for ("pop.gmail.com", "a@gmail.com", app_password, -1), ==,
                   PF_PROVIDER_HINT_APP_PASSWORD);
  g_assert_cmpint (pf_provider_hint_for ("pop.gmail.com", "a@gmail.com", web_login, -1), ==,
                   PF_PROVIDER_HINT_WEB_LOGIN);
  g_assert_cmpint (pf_provider_hint_for ("pop.gmail.com", "a@gmail.com", not_enabled, -1), ==,
                   PF_PROVIDER_HINT_POP3_OFF);
  /* Any [SYS/PERM] where POP3 has to be switched on first. */
  g_assert_cmpint (pf_provider_hint_for ("pop.gmail.com", "me@company.example", sys_perm, -1), ==,
                   PF_PROVIDER_HINT_POP3_OFF);
  /* Elsewhere the same text means nothing special. */
  g_assert_cmpint (pf_provider_hint_for ("pop.example.org", "a@example.org", web_login, -1), ==,
                   PF_PROVIDER_HINT_NONE);
  g_assert_cmpint (pf_provider_hint_for ("pop.example.org", "a@example.org", sys_perm, -1), ==,
                   PF_PROVIDER_HINT_NONE);
}

static char *
describe_for (PfProviderHint  hint,
              const char     *provider_id)
{
  return pf_provider_hint_describe (hint, pf_provider_lookup_id (provider_id), -1);
}

/* The sentences per provider and failure, byte by byte. */
static void
test_provider_hint_texts (void)
{
  g_autofree char *gmx = describe_for (PF_PROVIDER_HINT_POP3_OFF, "gmx");
  g_autofree char *webde = describe_for (PF_PROVIDER_HINT_POP3_OFF, "webde");
  g_autofree char *outlook = describe_for (PF_PROVIDER_HINT_OAUTH2, "outlook");
  g_autofree char *m365 = describe_for (PF_PROVIDER_HINT_OAUTH2, "microsoft365");
  g_autofree char *gmail_app = describe_for (PF_PROVIDER_HINT_APP_PASSWORD, "gmail");
  g_autofree char *gmail_web = describe_for (PF_PROVIDER_HINT_WEB_LOGIN, "gmail");
  g_autofree char *gmail_off = describe_for (PF_PROVIDER_HINT_POP3_OFF, "gmail");
  g_autofree char *yahoo = describe_for (PF_PROVIDER_HINT_APP_PASSWORD, "yahoo");
  g_autofree char *aol = describe_for (PF_PROVIDER_HINT_APP_PASSWORD, "aol");
  g_autofree char *fastmail = describe_for (PF_PROVIDER_HINT_APP_PASSWORD, "fastmail");
  g_autofree char *icloud = describe_for (PF_PROVIDER_HINT_NO_POP3, "icloud");
  g_autofree char *generic = pf_provider_hint_describe (PF_PROVIDER_HINT_APP_PASSWORD, NULL, -1);

  g_assert_cmpstr (gmx, ==,
                   "GMX may have switched POP3 off for this account: it is off until you switch it on, "
                   "and GMX may switch it off again when it goes unused for months. "
                   "Switch it on in the account’s settings (see https://hilfe.gmx.net/pop-imap/einschalten.html), "
                   "then try again.");
  g_assert_cmpstr (webde, ==,
                   "POP3 may be switched off for this account at WEB.DE. "
                   "Switch it on in the account’s settings (see https://hilfe.web.de/pop-imap/einschalten.html), "
                   "then try again.");
  g_assert_cmpstr (outlook, ==,
                   "Outlook.com no longer accepts a password for POP3: "
                   "only an OAuth2 sign-in works, in a browser window of the provider.");
  g_assert_cmpstr (m365, ==,
                   "Microsoft 365 no longer accepts a password for POP3: "
                   "only an OAuth2 sign-in works, in a browser window of the provider.");
  g_assert_cmpstr (gmail_app, ==,
                   "Gmail does not accept your normal password for POP3. "
                   "Create an app password at https://myaccount.google.com/apppasswords and use it here.");
  g_assert_cmpstr (gmail_web, ==,
                   "Gmail wants you to sign in once on its website before a mail program may log in. "
                   "Sign in with a web browser, confirm any security check it shows, then try again.");
  g_assert_cmpstr (gmail_off, ==,
                   "POP3 may be switched off for this account at Gmail. "
                   "Switch it on in the account’s settings (see https://mail.google.com/mail/u/0/#settings/fwdandpop), "
                   "then try again.");
  g_assert_cmpstr (yahoo, ==,
                   "Yahoo Mail does not accept your normal password for POP3. "
                   "Create an app password at https://login.yahoo.com/account/security and use it here.");
  g_assert_cmpstr (aol, ==,
                   "AOL Mail does not accept your normal password for POP3. "
                   "Create an app password at https://login.aol.com/account/security and use it here.");
  g_assert_cmpstr (fastmail, ==,
                   "Fastmail does not accept your normal password for POP3. "
                   "Create an app password in the security settings of your account and use it here.");
  g_assert_cmpstr (icloud, ==, "iCloud Mail does not offer POP3; use IMAP in a mail client.");
  g_assert_nonnull (strstr (generic, "This provider does not accept your normal password"));
  g_assert_cmpstr (pf_provider_get_id (pf_provider_for_login ("pop.gmail.com", "a@gmx.de")), ==, "gmx");
  g_assert_cmpstr (pf_provider_get_id (pf_provider_for_login ("pop.gmail.com", "a@example.org")), ==, "google-workspace");
  g_assert_null (pf_provider_for_login ("pop.example.org", "a@example.org"));
}

/* LOGIN-DELAY counts seconds (RFC 2449 §6.5): ten of them are not "one
 * minute", and a whole minute is said without a plural. */
static void
test_login_delay_words (void)
{
  static const struct { gint64 seconds; const char *words; } cases[] = {
    { 1, "one login every 1 second:" },
    { 10, "one login every 10 seconds:" },
    { 59, "one login every 59 seconds:" },
    { 60, "one login every 1 minute:" },
    { 90, "one login every 2 minutes:" },
    { 900, "one login every 15 minutes:" },
    { 7200, "one login every 120 minutes:" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = pf_provider_hint_describe (PF_PROVIDER_HINT_LOGIN_DELAY, NULL, cases[i].seconds);

      g_test_message ("%" G_GINT64_FORMAT " s: %s", cases[i].seconds, text);
      g_assert_nonnull (strstr (text, cases[i].words));
    }
}

static void
test_user_candidates (void)
{
  g_auto(GStrv) from_address = pf_diagnosis_user_candidates (NULL, "jo@example.org");
  g_auto(GStrv) given = pf_diagnosis_user_candidates ("jo-pop", "jo@example.org");
  g_auto(GStrv) empty_given = pf_diagnosis_user_candidates ("", "jo@example.org");
  g_auto(GStrv) bare = pf_diagnosis_user_candidates (NULL, "jo");
  g_auto(GStrv) nothing = pf_diagnosis_user_candidates (NULL, NULL);
  const char *expect_address[] = { "jo@example.org", "jo", NULL };
  const char *expect_given[] = { "jo-pop", NULL };
  const char *expect_bare[] = { "jo", NULL };

  g_assert_cmpstrv (from_address, expect_address);
  g_assert_cmpstrv (given, expect_given);
  g_assert_cmpstrv (empty_given, expect_address);
  g_assert_cmpstrv (bare, expect_bare);
  g_assert_cmpuint (g_strv_length (nothing), ==, 0);
}

static void
test_ranking_unusable (void)
{
  g_autoptr(PfProbe) a = pf_probe_new ("pop.example.org", 995, PF_SECURITY_TLS, PF_PROBE_SOURCE_GUESS, 0);
  g_autoptr(PfProbe) b = pf_probe_new ("pop.example.org", 110, PF_SECURITY_NONE, PF_PROBE_SOURCE_SRV, 1);
  g_autoptr(GError) refused = g_error_new_literal (PF_ERROR, PF_ERROR_REFUSED, "x");
  g_autofree char *sources = NULL;

  /* Pending: a TLS probe could still outrank anything; plaintext only on opt-in. */
  g_assert_false (pf_probe_is_usable (a, FALSE));
  pf_probe_fail (a, refused);
  g_assert_cmpint (pf_probe_get_verdict (a), ==, PF_PROBE_VERDICT_FAILED);
  g_assert_cmpint (pf_probe_get_state (a), ==, PF_PROBE_STATE_DONE);
  g_assert_false (pf_probe_is_usable (a, TRUE));
  /* Two unusable ones keep their discovery order. */
  g_assert_cmpint (pf_probe_compare_rank (a, b, FALSE), <, 0);
  g_assert_cmpint (pf_probe_compare_rank (b, a, FALSE), >, 0);

  pf_probe_add_sources (a, PF_PROBE_SOURCE_SRV);
  sources = pf_probe_source_to_string (pf_probe_get_sources (a));
  g_assert_cmpstr (sources, ==, "srv,guess");
  g_assert_cmpstr (pf_probe_verdict_to_string (PF_PROBE_VERDICT_STLS_MISSING), ==, "stls-missing");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/engine/detect/cert-info/valid", test_cert_info_valid);
  g_test_add_func ("/engine/detect/cert-info/expired-and-self-signed", test_cert_info_expired_and_self_signed);
  g_test_add_func ("/engine/detect/cert-info/failed-checks-in-words", test_cert_errors_in_words);
  g_test_add_func ("/engine/detect/tls-database/extra-ca", test_tls_database_adds_ca);
  g_test_add_func ("/engine/detect/port-map/parse", test_port_map);
  g_test_add_func ("/engine/detect/resolver/table", test_map_resolver);
  g_test_add_func ("/engine/detect/resolver/async-and-fallback", test_map_resolver_async_fallback);
  g_test_add_func ("/engine/detect/resolver/prefers-ipv4", test_pick_address);

  g_test_add_func ("/engine/detect/diagnosis/step-for-error", test_step_for_error);
  g_test_add_func ("/engine/detect/diagnosis/provider-hints", test_provider_hints);
  g_test_add_func ("/engine/detect/diagnosis/provider-hints-gmail-replies", test_provider_hints_gmail_replies);
  g_test_add_func ("/engine/detect/diagnosis/provider-hint-texts", test_provider_hint_texts);
  g_test_add_func ("/engine/detect/diagnosis/login-delay-words", test_login_delay_words);
  g_test_add_func ("/engine/detect/diagnosis/user-candidates", test_user_candidates);
  g_test_add_func ("/engine/detect/probe/ranking-unusable", test_ranking_unusable);

  return g_test_run ();
}
