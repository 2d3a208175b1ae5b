/* test-error.c — every error has words a person understands
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include <gio/gio.h>

#include "pf-error.h"

static void
assert_specific (const PfExplanation *e)
{
  g_assert_nonnull (e);
  g_assert_nonnull (e->title);
  g_assert_nonnull (e->what);
  g_assert_nonnull (e->next);
  g_assert_cmpstr (e->title, !=, "");
  g_assert_cmpstr (e->what, !=, "");
  g_assert_cmpstr (e->next, !=, "");
  g_assert_false (pf_explanation_is_fallback (e));
  g_assert_true (g_utf8_validate (e->title, -1, NULL));
}

static void
test_every_pf_code (void)
{
  g_autoptr(GHashTable) titles = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(PfExplanation) fallback = NULL;

  {
    g_autoptr(GError) unknown = g_error_new_literal (g_quark_from_static_string ("x-unknown"), 1, "");
    fallback = pf_error_explain (unknown);
    g_assert_true (pf_explanation_is_fallback (fallback));
  }

  for (gint code = 0; code < PF_ERROR_N_CODES; code++)
    {
      g_autoptr(GError) error = g_error_new_literal (PF_ERROR, code, "");
      g_autoptr(PfExplanation) e = pf_error_explain (error);

      g_test_message ("code %d: %s / %s / %s", code, e->title, e->what, e->next);
      assert_specific (e);
      g_assert_cmpstr (e->title, !=, fallback->title);
      g_assert_cmpstr (e->what, !=, fallback->what);
      g_assert_cmpstr (e->next, !=, fallback->next);
      /* Each code says something of its own. */
      g_assert_false (g_hash_table_contains (titles, e->title));
      g_hash_table_add (titles, g_strdup (e->title));
    }
}

/* A refusal that may be about the sign-in method is not "Password
 * rejected": it says the method failed, and what was tried. */
static void
test_mechanism_failed (void)
{
  g_autoptr(GError) error =
    g_error_new_literal (PF_ERROR, PF_ERROR_AUTH_MECHANISM_FAILED,
                         "The server refused SCRAM-SHA-256-PLUS: [AUTH] authenticating: bad protocol");
  g_autoptr(PfExplanation) e = pf_error_explain (error);

  assert_specific (e);
  g_assert_cmpstr (e->title, ==, "Sign-in method failed");
  g_assert_null (strstr (e->what, "rejected the user name or the password"));
  g_assert_nonnull (strstr (e->what, "SCRAM-SHA-256-PLUS"));
  g_assert_nonnull (strstr (e->what, "bad protocol"));
}

static void
test_out_of_range_code (void)
{
  g_autoptr(GError) error = g_error_new_literal (PF_ERROR, PF_ERROR_N_CODES, "odd");
  g_autoptr(PfExplanation) e = pf_error_explain (error);
  g_autoptr(PfExplanation) null_error = pf_error_explain (NULL);

  g_assert_true (pf_explanation_is_fallback (e));
  g_assert_nonnull (strstr (e->what, "odd"));
  g_assert_true (pf_explanation_is_fallback (null_error));
  g_assert_cmpstr (null_error->what, !=, "");
}

static void
test_server_text (void)
{
  g_autoptr(GError) error = g_error_new_literal (PF_ERROR, PF_ERROR_AUTH_REJECTED,
                                                 "Authentication failed. \x1b[2J\x1b]0;x\x07");
  g_autoptr(PfExplanation) e = pf_error_explain (error);

  g_assert_cmpstr (e->title, ==, "Password rejected");
  g_assert_cmpstr (e->what, ==,
                   "The server rejected the user name or the password. The server said: “Authentication failed.”");
  g_assert_null (strchr (e->what, '\x1b'));
}

static void
test_server_text_in_use (void)
{
  g_autoptr(GError) error = g_error_new_literal (PF_ERROR, PF_ERROR_IN_USE, "Mailbox is locked by another POP3 session");
  g_autoptr(PfExplanation) e = pf_error_explain (error);

  g_assert_cmpstr (e->title, ==, "Mailbox in use");
  g_assert_nonnull (strstr (e->what, "The server said: “Mailbox is locked by another POP3 session”"));
}

static void
test_details (void)
{
  g_autoptr(GError) error = g_error_new_literal (PF_ERROR, PF_ERROR_CERT_EXPIRED,
                                                 "The certificate expired on 2025-01-31");
  g_autoptr(PfExplanation) e = pf_error_explain (error);
  g_autoptr(GError) injection = g_error_new_literal (PF_ERROR, PF_ERROR_STLS_INJECTION, "12 bytes");
  g_autoptr(PfExplanation) ie = pf_error_explain (injection);

  g_assert_cmpstr (e->title, ==, "Certificate expired");
  g_assert_cmpstr (e->what, ==, "The server’s certificate has expired or is not valid yet. "
                                "Details: The certificate expired on 2025-01-31");
  g_assert_null (strstr (ie->what, "12 bytes"));
}

static void
test_gio_errors (void)
{
  static const struct { gint code; const char *title; } cases[] = {
    { G_IO_ERROR_CONNECTION_REFUSED, "Connection refused" },
    { G_IO_ERROR_TIMED_OUT, "The server did not answer" },
    { G_IO_ERROR_HOST_UNREACHABLE, "Server unreachable" },
    { G_IO_ERROR_NETWORK_UNREACHABLE, "No network" },
    { G_IO_ERROR_CONNECTION_CLOSED, "Connection lost" },
    { G_IO_ERROR_BROKEN_PIPE, "Connection lost" },
    { G_IO_ERROR_NOT_CONNECTED, "Connection lost" },
    { G_IO_ERROR_NO_SPACE, "Disk full" },
    { G_IO_ERROR_PERMISSION_DENIED, "Permission denied" },
    { G_IO_ERROR_READ_ONLY, "Permission denied" },
    { G_IO_ERROR_NOT_FOUND, "File or folder missing" },
    { G_IO_ERROR_CANCELLED, "Cancelled" },
    { G_IO_ERROR_HOST_NOT_FOUND, "Server not found" },
    { G_IO_ERROR_PROXY_FAILED, "Proxy problem" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = g_error_new_literal (G_IO_ERROR, cases[i].code, "Could not connect: x");
      g_autoptr(PfExplanation) e = pf_error_explain (error);

      assert_specific (e);
      g_assert_cmpstr (e->title, ==, cases[i].title);
    }

  {
    g_autoptr(GError) error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_WOULD_MERGE, "odd");
    g_autoptr(PfExplanation) e = pf_error_explain (error);

    g_assert_true (pf_explanation_is_fallback (e));
    g_assert_cmpstr (e->what, ==, "An unexpected error occurred. Details: odd");
  }
}

static void
test_tls_errors (void)
{
  static const struct { gint code; const char *title; } cases[] = {
    { G_TLS_ERROR_BAD_CERTIFICATE, "Certificate problem" },
    { G_TLS_ERROR_NOT_TLS, "Server did not answer with encryption" },
    { G_TLS_ERROR_HANDSHAKE, "Secure connection failed" },
    { G_TLS_ERROR_MISC, "Secure connection failed" },
    { G_TLS_ERROR_EOF, "Secure connection cut off" },
    { G_TLS_ERROR_CERTIFICATE_REQUIRED, "Client certificate required" },
    { G_TLS_ERROR_UNAVAILABLE, "Encryption support missing" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = g_error_new_literal (G_TLS_ERROR, cases[i].code, "TLS said so");
      g_autoptr(PfExplanation) e = pf_error_explain (error);

      assert_specific (e);
      g_assert_cmpstr (e->title, ==, cases[i].title);
      g_assert_nonnull (strstr (e->what, "Details: TLS said so"));
    }
}

static void
test_resolver_errors (void)
{
  g_autoptr(GError) not_found = g_error_new_literal (G_RESOLVER_ERROR, G_RESOLVER_ERROR_NOT_FOUND,
                                                     "Error resolving “pop.example.invalid”: Name or service not known");
  g_autoptr(GError) temporary = g_error_new_literal (G_RESOLVER_ERROR, G_RESOLVER_ERROR_TEMPORARY_FAILURE, "");
  g_autoptr(PfExplanation) e1 = pf_error_explain (not_found);
  g_autoptr(PfExplanation) e2 = pf_error_explain (temporary);

  assert_specific (e1);
  assert_specific (e2);
  g_assert_cmpstr (e1->title, ==, "Server not found");
  g_assert_nonnull (strstr (e1->what, "pop.example.invalid"));
  g_assert_cmpstr (e2->title, ==, "Name lookup failed");
  g_assert_cmpstr (e2->what, ==, "The server name could not be looked up right now.");
}

int
main (int   argc,
      char *argv[])
{
  /* The assertions compare English texts. */
  g_setenv ("LANGUAGE", "C", TRUE);
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/engine/error/explain/every-code", test_every_pf_code);
  g_test_add_func ("/engine/error/explain/out-of-range", test_out_of_range_code);
  g_test_add_func ("/engine/error/explain/mechanism-failed", test_mechanism_failed);
  g_test_add_func ("/engine/error/explain/server-text", test_server_text);
  g_test_add_func ("/engine/error/explain/server-text-in-use", test_server_text_in_use);
  g_test_add_func ("/engine/error/explain/details", test_details);
  g_test_add_func ("/engine/error/explain/gio", test_gio_errors);
  g_test_add_func ("/engine/error/explain/tls", test_tls_errors);
  g_test_add_func ("/engine/error/explain/resolver", test_resolver_errors);

  return g_test_run ();
}
