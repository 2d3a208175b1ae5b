/* test-sasl.c — SASL mechanisms against published vectors
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>

#include "pf-error.h"
#include "pf-sasl.h"
#include "pf-sasl-private.h"

/* One step with a text challenge (NULL for the first); returns the answer
 * as a NUL-terminated string of the exact bytes. */
static char *
step_text (PfSasl     *sasl,
           const char *challenge,
           gsize      *len)
{
  g_autoptr(GBytes) response = NULL;
  g_autoptr(GError) error = NULL;
  gsize size;
  const char *data;

  g_assert_true (pf_sasl_step (sasl, (const guint8 *) challenge,
                               challenge != NULL ? strlen (challenge) : 0,
                               &response, &error));
  g_assert_no_error (error);
  g_assert_nonnull (response);
  data = g_bytes_get_data (response, &size);
  if (len != NULL)
    *len = size;
  {
    char *copy = g_malloc (size + 1);

    if (size > 0)
      memcpy (copy, data, size);
    copy[size] = '\0';
    return copy;
  }
}

static void
step_fails (PfSasl     *sasl,
            const char *challenge,
            gint        code)
{
  g_autoptr(GBytes) response = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_false (pf_sasl_step (sasl, (const guint8 *) challenge,
                                challenge != NULL ? strlen (challenge) : 0,
                                &response, &error));
  g_assert_error (error, PF_ERROR, code);
  g_assert_null (response);
  g_assert_false (pf_sasl_is_complete (sasl));
}

static void
test_names (void)
{
  PfAuthMechanism m;

  g_assert_cmpstr (pf_auth_mechanism_to_string (PF_AUTH_AUTO), ==, "auto");
  g_assert_cmpstr (pf_auth_mechanism_to_string (PF_AUTH_SCRAM_SHA_256_PLUS), ==, "SCRAM-SHA-256-PLUS");
  g_assert_cmpstr (pf_auth_mechanism_to_string (PF_AUTH_CRAM_MD5), ==, "CRAM-MD5");
  g_assert_true (pf_auth_mechanism_from_string ("scram-sha-1", &m));
  g_assert_cmpint (m, ==, PF_AUTH_SCRAM_SHA_1);
  g_assert_true (pf_auth_mechanism_from_string ("Auto", &m));
  g_assert_cmpint (m, ==, PF_AUTH_AUTO);
  g_assert_true (pf_auth_mechanism_from_string ("xoauth2", &m));
  g_assert_cmpint (m, ==, PF_AUTH_XOAUTH2);
  g_assert_false (pf_auth_mechanism_from_string ("GSSAPI", &m));
  g_assert_false (pf_auth_mechanism_from_string ("", &m));

  for (m = PF_AUTH_AUTO; m <= PF_AUTH_OAUTHBEARER; m++)
    {
      PfAuthMechanism back;

      g_assert_true (pf_auth_mechanism_from_string (pf_auth_mechanism_to_string (m), &back));
      g_assert_cmpint (back, ==, m);
    }

  g_assert_true (pf_auth_mechanism_is_plaintext (PF_AUTH_USER));
  g_assert_true (pf_auth_mechanism_is_plaintext (PF_AUTH_PLAIN));
  g_assert_true (pf_auth_mechanism_is_plaintext (PF_AUTH_LOGIN));
  g_assert_true (pf_auth_mechanism_is_plaintext (PF_AUTH_XOAUTH2));
  g_assert_true (pf_auth_mechanism_is_plaintext (PF_AUTH_OAUTHBEARER));
  g_assert_false (pf_auth_mechanism_is_plaintext (PF_AUTH_APOP));
  g_assert_false (pf_auth_mechanism_is_plaintext (PF_AUTH_CRAM_MD5));
  g_assert_false (pf_auth_mechanism_is_plaintext (PF_AUTH_SCRAM_SHA_256));
}

static void
test_choose (void)
{
  const char *all[] = { "PLAIN", "LOGIN", "CRAM-MD5", "SCRAM-SHA-1", "SCRAM-SHA-1-PLUS",
                        "SCRAM-SHA-256", "SCRAM-SHA-256-PLUS", "XOAUTH2", "OAUTHBEARER", NULL };
  const char *plus1[] = { "SCRAM-SHA-1-PLUS", "SCRAM-SHA-256", NULL };
  const char *scram1[] = { "plain", "scram-sha-1", "cram-md5", NULL };
  const char *cram[] = { "PLAIN", "CRAM-MD5", NULL };
  const char *cram_only[] = { "CRAM-MD5", NULL };
  const char *plain_login[] = { "LOGIN", "PLAIN", NULL };
  const char *login[] = { "LOGIN", NULL };
  const char *oauth[] = { "XOAUTH2", "OAUTHBEARER", NULL };
  const char *none[] = { NULL };

  /* Inside TLS: channel binding first, then SCRAM, then PLAIN, LOGIN, USER. */
  g_assert_cmpint (pf_sasl_choose (all, TRUE, TRUE, TRUE, TRUE, FALSE), ==, PF_AUTH_SCRAM_SHA_256_PLUS);
  g_assert_cmpint (pf_sasl_choose (all, TRUE, TRUE, TRUE, FALSE, FALSE), ==, PF_AUTH_SCRAM_SHA_256);
  g_assert_cmpint (pf_sasl_choose (plus1, FALSE, FALSE, TRUE, TRUE, FALSE), ==, PF_AUTH_SCRAM_SHA_1_PLUS);
  g_assert_cmpint (pf_sasl_choose (plus1, FALSE, FALSE, TRUE, FALSE, FALSE), ==, PF_AUTH_SCRAM_SHA_256);
  g_assert_cmpint (pf_sasl_choose (scram1, TRUE, TRUE, TRUE, FALSE, FALSE), ==, PF_AUTH_SCRAM_SHA_1);
  /* CRAM-MD5 and APOP add nothing inside TLS, and servers offer them
   * without being able to check them: only when the account asks. */
  g_assert_cmpint (pf_sasl_choose (cram, TRUE, TRUE, TRUE, FALSE, FALSE), ==, PF_AUTH_PLAIN);
  g_assert_cmpint (pf_sasl_choose (plain_login, TRUE, TRUE, TRUE, FALSE, FALSE), ==, PF_AUTH_PLAIN);
  g_assert_cmpint (pf_sasl_choose (none, TRUE, TRUE, TRUE, FALSE, FALSE), ==, PF_AUTH_USER);
  g_assert_cmpint (pf_sasl_choose (cram_only, TRUE, FALSE, TRUE, FALSE, FALSE), ==, PF_AUTH_AUTO);
  g_assert_cmpint (pf_sasl_choose (plain_login, FALSE, TRUE, TRUE, FALSE, FALSE), ==, PF_AUTH_PLAIN);
  g_assert_cmpint (pf_sasl_choose (login, FALSE, TRUE, TRUE, FALSE, FALSE), ==, PF_AUTH_LOGIN);
  g_assert_cmpint (pf_sasl_choose (none, FALSE, TRUE, TRUE, FALSE, FALSE), ==, PF_AUTH_USER);
  g_assert_cmpint (pf_sasl_choose (NULL, FALSE, TRUE, TRUE, FALSE, FALSE), ==, PF_AUTH_USER);

  /* Without TLS: SCRAM, CRAM-MD5, APOP, then the plaintext ones, which
   * need the explicit opt-in. */
  g_assert_cmpint (pf_sasl_choose (plain_login, FALSE, TRUE, FALSE, FALSE, FALSE), ==, PF_AUTH_AUTO);
  g_assert_cmpint (pf_sasl_choose (plain_login, FALSE, TRUE, FALSE, FALSE, TRUE), ==, PF_AUTH_PLAIN);
  g_assert_cmpint (pf_sasl_choose (plain_login, TRUE, TRUE, FALSE, FALSE, TRUE), ==, PF_AUTH_APOP);
  g_assert_cmpint (pf_sasl_choose (none, FALSE, TRUE, FALSE, FALSE, FALSE), ==, PF_AUTH_AUTO);
  g_assert_cmpint (pf_sasl_choose (cram, FALSE, TRUE, FALSE, FALSE, FALSE), ==, PF_AUTH_CRAM_MD5);
  g_assert_cmpint (pf_sasl_choose (cram, TRUE, TRUE, FALSE, FALSE, TRUE), ==, PF_AUTH_CRAM_MD5);
  g_assert_cmpint (pf_sasl_choose (scram1, TRUE, TRUE, FALSE, FALSE, TRUE), ==, PF_AUTH_SCRAM_SHA_1);
  g_assert_cmpint (pf_sasl_choose (none, TRUE, TRUE, FALSE, FALSE, FALSE), ==, PF_AUTH_APOP);

  /* OAuth is never picked automatically. */
  g_assert_cmpint (pf_sasl_choose (oauth, FALSE, FALSE, TRUE, TRUE, TRUE), ==, PF_AUTH_AUTO);
  g_assert_cmpint (pf_sasl_choose (none, FALSE, FALSE, TRUE, TRUE, TRUE), ==, PF_AUTH_AUTO);
}

/* After a refusal that may be about the mechanism rather than the
 * password, one other method: never another -PLUS (it would bind the same
 * way), never APOP or CRAM-MD5, plaintext only where choose allows it. */
static void
test_choose_fallback (void)
{
  const char *all[] = { "PLAIN", "LOGIN", "CRAM-MD5", "SCRAM-SHA-1", "SCRAM-SHA-1-PLUS",
                        "SCRAM-SHA-256", "SCRAM-SHA-256-PLUS", NULL };
  const char *plus_only[] = { "SCRAM-SHA-256-PLUS", "SCRAM-SHA-1-PLUS", NULL };
  const char *plus1_plain[] = { "SCRAM-SHA-1-PLUS", "PLAIN", NULL };
  const char *cram[] = { "CRAM-MD5", "PLAIN", NULL };
  const char *none[] = { NULL };

  g_assert_cmpint (pf_sasl_choose_fallback (PF_AUTH_SCRAM_SHA_256_PLUS, all, TRUE, TRUE, FALSE), ==, PF_AUTH_SCRAM_SHA_256);
  g_assert_cmpint (pf_sasl_choose_fallback (PF_AUTH_SCRAM_SHA_1_PLUS, all, TRUE, TRUE, FALSE), ==, PF_AUTH_SCRAM_SHA_256);
  g_assert_cmpint (pf_sasl_choose_fallback (PF_AUTH_SCRAM_SHA_1_PLUS, plus1_plain, FALSE, TRUE, FALSE), ==, PF_AUTH_PLAIN);
  g_assert_cmpint (pf_sasl_choose_fallback (PF_AUTH_SCRAM_SHA_256_PLUS, plus_only, FALSE, TRUE, FALSE), ==, PF_AUTH_AUTO);
  g_assert_cmpint (pf_sasl_choose_fallback (PF_AUTH_SCRAM_SHA_256_PLUS, plus_only, TRUE, TRUE, FALSE), ==, PF_AUTH_USER);

  g_assert_cmpint (pf_sasl_choose_fallback (PF_AUTH_APOP, none, TRUE, FALSE, TRUE), ==, PF_AUTH_USER);
  g_assert_cmpint (pf_sasl_choose_fallback (PF_AUTH_APOP, none, TRUE, FALSE, FALSE), ==, PF_AUTH_AUTO);
  g_assert_cmpint (pf_sasl_choose_fallback (PF_AUTH_APOP, none, TRUE, TRUE, FALSE), ==, PF_AUTH_USER);
  g_assert_cmpint (pf_sasl_choose_fallback (PF_AUTH_APOP, cram, FALSE, FALSE, TRUE), ==, PF_AUTH_PLAIN);
  g_assert_cmpint (pf_sasl_choose_fallback (PF_AUTH_APOP, none, FALSE, TRUE, FALSE), ==, PF_AUTH_AUTO);
  g_assert_cmpint (pf_sasl_choose_fallback (PF_AUTH_CRAM_MD5, cram, TRUE, FALSE, TRUE), ==, PF_AUTH_PLAIN);

  /* A refusal of these is about the password: nothing to fall back to. */
  g_assert_cmpint (pf_sasl_choose_fallback (PF_AUTH_SCRAM_SHA_256, all, TRUE, TRUE, FALSE), ==, PF_AUTH_AUTO);
  g_assert_cmpint (pf_sasl_choose_fallback (PF_AUTH_PLAIN, all, TRUE, TRUE, FALSE), ==, PF_AUTH_AUTO);
  g_assert_cmpint (pf_sasl_choose_fallback (PF_AUTH_USER, all, TRUE, TRUE, FALSE), ==, PF_AUTH_AUTO);

  g_assert_true (pf_auth_mechanism_may_be_refused_for_itself (PF_AUTH_SCRAM_SHA_1_PLUS));
  g_assert_true (pf_auth_mechanism_may_be_refused_for_itself (PF_AUTH_SCRAM_SHA_256_PLUS));
  g_assert_true (pf_auth_mechanism_may_be_refused_for_itself (PF_AUTH_APOP));
  g_assert_true (pf_auth_mechanism_may_be_refused_for_itself (PF_AUTH_CRAM_MD5));
  g_assert_false (pf_auth_mechanism_may_be_refused_for_itself (PF_AUTH_SCRAM_SHA_256));
  g_assert_false (pf_auth_mechanism_may_be_refused_for_itself (PF_AUTH_PLAIN));
  g_assert_false (pf_auth_mechanism_may_be_refused_for_itself (PF_AUTH_USER));
}

/* A challenge is base64 or a protocol error: g_base64_decode() skips what
 * it does not know and would hand a mechanism garbage to answer. */
static void
test_decode_challenge (void)
{
  static const struct { const char *text; const char *data; gsize len; } good[] = {
    { "", "", 0 },
    { "YQ==", "a", 1 },
    { "YWI=", "ab", 2 },
    { "YWJj", "abc", 3 },
    { "PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+",
      "<1896.697170952@postoffice.reston.mci.net>", 42 },
    { "AP8=", "\0\377", 2 },
  };
  static const char *bad[] = {
    "Y", "YQ", "YQ=", "Y===", "YQ==YQ==", "YQ=a", "YW J", "YWJj\t", "*", "YW\xc3\xa9j", "====",
    "YWJ-", "YWJ_",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autoptr(GError) error = NULL;
      gsize len = 99;
      g_autofree guint8 *data = pf_sasl_decode_challenge (good[i].text, &len, &error);

      g_test_message ("good: %s", good[i].text);
      g_assert_no_error (error);
      g_assert_nonnull (data);
      g_assert_cmpmem (data, len, good[i].data, good[i].len);
    }
  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      gsize len = 99;
      g_autofree guint8 *data = pf_sasl_decode_challenge (bad[i], &len, &error);

      g_test_message ("bad: %s", bad[i]);
      g_assert_null (data);
      g_assert_error (error, PF_ERROR, PF_ERROR_PROTOCOL);
    }
}

/* RFC 7677 asks for at least 4096 iterations: fewer make a captured proof
 * cheap to attack, so they are refused before any proof is sent; more than
 * SCRAM's documented bound (1,000,000) are refused before PBKDF2 starts. */
static void
test_scram_iteration_bounds (void)
{
  static const struct { const char *count; gboolean ok; } cases[] = {
    { "1", FALSE },
    { "4095", FALSE },
    { "4096", TRUE },
    { "1000000", TRUE },
    { "1000001", FALSE },
    { "4294967297", FALSE },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(PfSasl) sasl = pf_sasl_new (PF_AUTH_SCRAM_SHA_1, "user", "pencil", NULL, NULL);
      g_autofree char *first = NULL;
      g_autofree char *server_first =
        g_strdup_printf ("r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=%s",
                         cases[i].count);

      g_test_message ("i=%s", cases[i].count);
      pf_sasl_set_client_nonce (sasl, "fyko+d2lbbFgONRv9qkxdawL");
      first = step_text (sasl, NULL, NULL);
      if (cases[i].ok)
        g_free (step_text (sasl, server_first, NULL));
      else
        {
          g_autoptr(GBytes) response = NULL;
          g_autoptr(GError) error = NULL;

          g_assert_false (pf_sasl_step (sasl, (const guint8 *) server_first, strlen (server_first),
                                        &response, &error));
          g_assert_error (error, PF_ERROR, PF_ERROR_PROTOCOL);
          g_assert_nonnull (strstr (error->message, "4096"));
          g_assert_nonnull (strstr (error->message, "1000000"));
        }
    }
}

static void
test_apop_rfc1939 (void)
{
  g_autofree char *digest = pf_apop_digest ("<1896.697170952@dbc.mtview.ca.us>", "tanstaaf");

  g_assert_cmpstr (digest, ==, "c4c9334bac560ecc979e58001b3e22fb");
}

static void
test_cram_md5_rfc2195 (void)
{
  g_autoptr(PfSasl) sasl = pf_sasl_new (PF_AUTH_CRAM_MD5, "tim", "tanstaaftanstaaf", NULL, NULL);
  g_autofree char *first = NULL;
  g_autofree char *answer = NULL;
  gsize len;

  g_assert_cmpstr (pf_sasl_get_name (sasl), ==, "CRAM-MD5");
  first = step_text (sasl, NULL, &len);
  g_assert_cmpuint (len, ==, 0);
  g_assert_false (pf_sasl_is_complete (sasl));
  answer = step_text (sasl, "<1896.697170952@postoffice.reston.mci.net>", NULL);
  g_assert_cmpstr (answer, ==, "tim b913a602c7eda7a495b4e6e7334d3890");
  g_assert_true (pf_sasl_is_complete (sasl));
  step_fails (sasl, "more", PF_ERROR_PROTOCOL);
}

static void
test_cram_md5_empty_challenge (void)
{
  g_autoptr(PfSasl) sasl = pf_sasl_new (PF_AUTH_CRAM_MD5, "tim", "x", NULL, NULL);

  g_free (step_text (sasl, NULL, NULL));
  step_fails (sasl, "", PF_ERROR_PROTOCOL);
}

static void
test_plain (void)
{
  g_autoptr(PfSasl) sasl = pf_sasl_new (PF_AUTH_PLAIN, "tim", "tanstaaf", NULL, NULL);
  g_autofree char *ir = NULL;
  gsize len;

  g_assert_false (pf_sasl_is_complete (sasl));
  ir = step_text (sasl, NULL, &len);
  g_assert_cmpuint (len, ==, 13);
  g_assert_cmpmem (ir, len, "\0tim\0tanstaaf", 13);
  g_assert_true (pf_sasl_is_complete (sasl));
  step_fails (sasl, "", PF_ERROR_PROTOCOL);
}

static void
test_login (void)
{
  g_autoptr(PfSasl) sasl = pf_sasl_new (PF_AUTH_LOGIN, "tim", "tanstaaf", NULL, NULL);
  g_autofree char *ir = NULL;
  g_autofree char *user = NULL;
  g_autofree char *pass = NULL;
  gsize len;

  ir = step_text (sasl, NULL, &len);
  g_assert_cmpuint (len, ==, 0);
  user = step_text (sasl, "Username:", NULL);
  g_assert_cmpstr (user, ==, "tim");
  g_assert_false (pf_sasl_is_complete (sasl));
  pass = step_text (sasl, "Password:", NULL);
  g_assert_cmpstr (pass, ==, "tanstaaf");
  g_assert_true (pf_sasl_is_complete (sasl));
  step_fails (sasl, "What?", PF_ERROR_PROTOCOL);
}

static void
test_xoauth2 (void)
{
  g_autoptr(PfSasl) sasl = pf_sasl_new (PF_AUTH_XOAUTH2, "someuser@example.com",
                                        "ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg", NULL, NULL);
  g_autofree char *ir = step_text (sasl, NULL, NULL);
  g_autofree char *b64 = g_base64_encode ((const guchar *) ir, strlen (ir));
  g_autofree char *after_error = NULL;
  gsize len;

  /* Google's documented example encoding. */
  g_assert_cmpstr (b64, ==,
                   "dXNlcj1zb21ldXNlckBleGFtcGxlLmNvbQFhdXRoPUJlYXJlciB5YTI5LnZGOWRmdDRxbVRjMk52"
                   "YjNSbGNrQmhkSFJoZG1semRHRXVZMjl0Q2cBAQ==");
  g_assert_true (pf_sasl_is_complete (sasl));

  /* A JSON error challenge gets the empty answer, and the exchange failed. */
  after_error = step_text (sasl, "{\"status\":\"401\"}", &len);
  g_assert_cmpuint (len, ==, 0);
  g_assert_false (pf_sasl_is_complete (sasl));
}

static void
test_oauthbearer (void)
{
  g_autoptr(PfSasl) sasl = pf_sasl_new (PF_AUTH_OAUTHBEARER, "user@example.com",
                                        "vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg==", NULL, NULL);
  g_autofree char *ir = step_text (sasl, NULL, NULL);
  g_autofree char *after_error = NULL;
  gsize len;

  /* RFC 7628 §4.1 without the optional host and port. */
  g_assert_cmpstr (ir, ==, "n,a=user@example.com,\001auth=Bearer vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg==\001\001");
  g_assert_true (pf_sasl_is_complete (sasl));
  after_error = step_text (sasl, "eyJzdGF0dXMiOiJpbnZhbGlkX3Rva2VuIn0", &len);
  g_assert_cmpmem (after_error, len, "\001", 1);
  g_assert_false (pf_sasl_is_complete (sasl));
}

static void
test_oauthbearer_escapes_user (void)
{
  g_autoptr(PfSasl) sasl = pf_sasl_new (PF_AUTH_OAUTHBEARER, "a,b=c", "tok", NULL, NULL);
  g_autofree char *ir = step_text (sasl, NULL, NULL);

  g_assert_true (g_str_has_prefix (ir, "n,a=a=2Cb=3Dc,\001"));
}

static void
test_scram_sha1_rfc5802 (void)
{
  g_autoptr(PfSasl) sasl = pf_sasl_new (PF_AUTH_SCRAM_SHA_1, "user", "pencil", NULL, NULL);
  g_autofree char *first = NULL;
  g_autofree char *final = NULL;
  g_autofree char *last = NULL;
  gsize len;

  pf_sasl_set_client_nonce (sasl, "fyko+d2lbbFgONRv9qkxdawL");
  first = step_text (sasl, NULL, NULL);
  g_assert_cmpstr (first, ==, "n,,n=user,r=fyko+d2lbbFgONRv9qkxdawL");
  final = step_text (sasl, "r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096", NULL);
  g_assert_cmpstr (final, ==, "c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts=");
  g_assert_false (pf_sasl_is_complete (sasl));
  last = step_text (sasl, "v=rmF9pqV8S7suAoZWja4dJRkFsKQ=", &len);
  g_assert_cmpuint (len, ==, 0);
  g_assert_true (pf_sasl_is_complete (sasl));
  step_fails (sasl, "v=rmF9pqV8S7suAoZWja4dJRkFsKQ=", PF_ERROR_PROTOCOL);
}

static void
test_scram_sha256_rfc7677 (void)
{
  g_autoptr(PfSasl) sasl = pf_sasl_new (PF_AUTH_SCRAM_SHA_256, "user", "pencil", NULL, NULL);
  g_autofree char *first = NULL;
  g_autofree char *final = NULL;
  g_autofree char *last = NULL;

  g_assert_cmpstr (pf_sasl_get_name (sasl), ==, "SCRAM-SHA-256");
  pf_sasl_set_client_nonce (sasl, "rOprNGfwEbeRWgbNEkqO");
  first = step_text (sasl, NULL, NULL);
  g_assert_cmpstr (first, ==, "n,,n=user,r=rOprNGfwEbeRWgbNEkqO");
  final = step_text (sasl, "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096", NULL);
  g_assert_cmpstr (final, ==, "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=");
  last = step_text (sasl, "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=", NULL);
  g_assert_true (pf_sasl_is_complete (sasl));
}

static PfSasl *
scram_at_final (const char *user)
{
  PfSasl *sasl = pf_sasl_new (PF_AUTH_SCRAM_SHA_256, user, "pencil", NULL, NULL);
  g_autofree char *first = NULL;
  g_autofree char *final = NULL;

  pf_sasl_set_client_nonce (sasl, "rOprNGfwEbeRWgbNEkqO");
  first = step_text (sasl, NULL, NULL);
  final = step_text (sasl, "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096", NULL);
  return sasl;
}

static void
test_scram_bad_server_signature (void)
{
  g_autoptr(PfSasl) wrong = scram_at_final ("user");
  g_autoptr(PfSasl) short_sig = scram_at_final ("user");
  g_autoptr(PfSasl) garbage = scram_at_final ("user");
  g_autoptr(PfSasl) refused = scram_at_final ("user");

  /* The RFC 5802 (SHA-1) verifier is a real signature, just not this one. */
  step_fails (wrong, "v=7rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=", PF_ERROR_PROTOCOL);
  step_fails (short_sig, "v=rmF9pqV8S7suAoZWja4dJRkFsKQ=", PF_ERROR_PROTOCOL);
  step_fails (garbage, "x=whatever", PF_ERROR_PROTOCOL);
  step_fails (refused, "e=invalid-proof", PF_ERROR_AUTH_REJECTED);
}

/* RFC 5802 §7 server-error values: only a wrong proof or an unknown user
 * is about the credentials; the others (channel binding, encoding,
 * extensions, resources) are the method's failure, not a wrong
 * password. */
static void
test_scram_server_error_kinds (void)
{
  static const struct { const char *value; int code; } cases[] = {
    { "invalid-proof", PF_ERROR_AUTH_REJECTED },
    { "unknown-user", PF_ERROR_AUTH_REJECTED },
    { "channel-bindings-dont-match", PF_ERROR_AUTH_MECHANISM_FAILED },
    { "server-does-support-channel-binding", PF_ERROR_AUTH_MECHANISM_FAILED },
    { "channel-binding-not-supported", PF_ERROR_AUTH_MECHANISM_FAILED },
    { "unsupported-channel-binding-type", PF_ERROR_AUTH_MECHANISM_FAILED },
    { "invalid-encoding", PF_ERROR_AUTH_MECHANISM_FAILED },
    { "extensions-not-supported", PF_ERROR_AUTH_MECHANISM_FAILED },
    { "other-error", PF_ERROR_AUTH_MECHANISM_FAILED },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(PfSasl) sasl = scram_at_final ("user");
      g_autofree char *final = g_strdup_printf ("e=%s", cases[i].value);

      g_test_message ("%s", final);
      step_fails (sasl, final, cases[i].code);
    }
}

static void
test_scram_bad_server_first (void)
{
  const char *bad[] = {
    "",
    "garbage",
    "r=rOprNGfwEbeRWgbNEkqO,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",          /* nonce not extended */
    "r=OTHERnonce123,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",                 /* nonce not ours */
    "r=rOprNGfwEbeRWgbNEkqOxx,s=,i=4096",                                 /* no salt */
    "r=rOprNGfwEbeRWgbNEkqOxx,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=0",
    "r=rOprNGfwEbeRWgbNEkqOxx,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=-1",
    "r=rOprNGfwEbeRWgbNEkqOxx,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096x",
    "r=rOprNGfwEbeRWgbNEkqOxx,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=99999999999999999999999",
    "r=rOprNGfwEbeRWgbNEkqOxx,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=1000001",
    "r=rOprNGfwEbeRWgbNEkqOxx,s=W22ZaJ0SNY7soEsUEjb6gQ==",
    "m=ext,r=rOprNGfwEbeRWgbNEkqOxx,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",
    "s=W22ZaJ0SNY7soEsUEjb6gQ==,r=rOprNGfwEbeRWgbNEkqOxx,i=4096",
    "r=rOprNGfwEbeRWgbNEkqOx x,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",
    "r=rOprNGfwEbeRWgbNEkqOxx,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096,",
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(PfSasl) sasl = pf_sasl_new (PF_AUTH_SCRAM_SHA_256, "user", "pencil", NULL, NULL);
      g_autofree char *first = NULL;

      g_test_message ("server-first: %s", bad[i]);
      pf_sasl_set_client_nonce (sasl, "rOprNGfwEbeRWgbNEkqO");
      first = step_text (sasl, NULL, NULL);
      step_fails (sasl, bad[i], PF_ERROR_PROTOCOL);
    }

  /* Embedded NUL */
  {
    g_autoptr(PfSasl) sasl = pf_sasl_new (PF_AUTH_SCRAM_SHA_256, "user", "pencil", NULL, NULL);
    g_autoptr(GBytes) response = NULL;
    g_autoptr(GError) error = NULL;

    g_free (step_text (sasl, NULL, NULL));
    g_assert_false (pf_sasl_step (sasl, (const guint8 *) "r=a\0b", 5, &response, &error));
    g_assert_error (error, PF_ERROR, PF_ERROR_PROTOCOL);
  }
}

static void
test_scram_random_nonce (void)
{
  g_autoptr(PfSasl) a = pf_sasl_new (PF_AUTH_SCRAM_SHA_1, "user", "pencil", NULL, NULL);
  g_autoptr(PfSasl) b = pf_sasl_new (PF_AUTH_SCRAM_SHA_1, "user", "pencil", NULL, NULL);
  g_autofree char *first_a = step_text (a, NULL, NULL);
  g_autofree char *first_b = step_text (b, NULL, NULL);

  g_assert_true (g_str_has_prefix (first_a, "n,,n=user,r="));
  g_assert_cmpuint (strlen (first_a), >=, strlen ("n,,n=user,r=") + 32);
  g_assert_cmpstr (first_a, !=, first_b);
  g_assert_null (strchr (first_a + strlen ("n,,n=user,r="), ','));
}

static void
test_scram_escapes_user (void)
{
  g_autoptr(PfSasl) sasl = pf_sasl_new (PF_AUTH_SCRAM_SHA_256, "a,b=c@example.com", "pencil", NULL, NULL);
  g_autofree char *first = NULL;

  pf_sasl_set_client_nonce (sasl, "abc");
  first = step_text (sasl, NULL, NULL);
  g_assert_cmpstr (first, ==, "n,,n=a=2Cb=3Dc@example.com,r=abc");
}

/* The server side of SCRAM-SHA-256, written from RFC 5802 §3, to check that
 * a -PLUS client proof covers the channel binding data. */
static void
server_check_proof (const char *password,
                    const char *salt_b64,
                    guint       iterations,
                    const char *auth_message,
                    const char *proof_b64,
                    char      **server_signature_b64)
{
  guint8 salted[32], client_key[32], stored_key[32], signature[32], recovered[32], check[32];
  guint8 server_key[32], server_signature[32];
  gsize salt_len, proof_len;
  g_autofree guchar *salt = g_base64_decode (salt_b64, &salt_len);
  g_autofree guchar *proof = g_base64_decode (proof_b64, &proof_len);
  gnutls_datum_t key = { (unsigned char *) password, (unsigned) strlen (password) };
  gnutls_datum_t salt_datum = { salt, (unsigned) salt_len };

  g_assert_cmpuint (proof_len, ==, 32);
  g_assert_cmpint (gnutls_pbkdf2 (GNUTLS_MAC_SHA256, &key, &salt_datum, iterations, salted, 32), ==, 0);
  g_assert_cmpint (gnutls_hmac_fast (GNUTLS_MAC_SHA256, salted, 32, "Client Key", 10, client_key), ==, 0);
  g_assert_cmpint (gnutls_hash_fast (GNUTLS_DIG_SHA256, client_key, 32, stored_key), ==, 0);
  g_assert_cmpint (gnutls_hmac_fast (GNUTLS_MAC_SHA256, stored_key, 32, auth_message,
                                     strlen (auth_message), signature), ==, 0);
  for (guint i = 0; i < 32; i++)
    recovered[i] = proof[i] ^ signature[i];
  g_assert_cmpint (gnutls_hash_fast (GNUTLS_DIG_SHA256, recovered, 32, check), ==, 0);
  g_assert_cmpmem (check, 32, stored_key, 32);

  g_assert_cmpint (gnutls_hmac_fast (GNUTLS_MAC_SHA256, salted, 32, "Server Key", 10, server_key), ==, 0);
  g_assert_cmpint (gnutls_hmac_fast (GNUTLS_MAC_SHA256, server_key, 32, auth_message,
                                     strlen (auth_message), server_signature), ==, 0);
  *server_signature_b64 = g_base64_encode (server_signature, 32);
}

static void
check_plus (const char *cb_type,
            const char *expected_header)
{
  static const guint8 cb_bytes[] = { 0x00, 0x01, 0xfe, 0xff, 'c', 'b', ',', '=' };
  g_autoptr(GBytes) cb = g_bytes_new_static (cb_bytes, sizeof cb_bytes);
  g_autoptr(PfSasl) sasl = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *first = NULL;
  g_autofree char *final = NULL;
  g_autofree char *last = NULL;
  g_autofree char *expected_c = NULL;
  g_autofree char *without_proof = NULL;
  g_autofree char *auth_message = NULL;
  g_autofree char *server_signature = NULL;
  g_autofree char *server_final = NULL;
  const char *server_first = "r=clientnonceSERVERNONCE,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096";
  const char *p;

  if (cb_type != NULL)
    sasl = pf_sasl_new_full (PF_AUTH_SCRAM_SHA_256_PLUS, "user", "pencil", cb_type, cb, &error);
  else
    sasl = pf_sasl_new (PF_AUTH_SCRAM_SHA_256_PLUS, "user", "pencil", cb, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (pf_sasl_get_name (sasl), ==, "SCRAM-SHA-256-PLUS");
  pf_sasl_set_client_nonce (sasl, "clientnonce");

  first = step_text (sasl, NULL, NULL);
  g_assert_true (g_str_has_prefix (first, expected_header));
  g_assert_cmpstr (first + strlen (expected_header), ==, "n=user,r=clientnonce");

  final = step_text (sasl, server_first, NULL);
  {
    GByteArray *input = g_byte_array_new ();
    g_byte_array_append (input, (const guint8 *) expected_header, strlen (expected_header));
    g_byte_array_append (input, cb_bytes, sizeof cb_bytes);
    expected_c = g_base64_encode (input->data, input->len);
    g_byte_array_unref (input);
  }
  without_proof = g_strdup_printf ("c=%s,r=clientnonceSERVERNONCE", expected_c);
  g_assert_true (g_str_has_prefix (final, without_proof));
  p = final + strlen (without_proof);
  g_assert_true (g_str_has_prefix (p, ",p="));

  auth_message = g_strdup_printf ("n=user,r=clientnonce,%s,%s", server_first, without_proof);
  server_check_proof ("pencil", "W22ZaJ0SNY7soEsUEjb6gQ==", 4096, auth_message, p + 3, &server_signature);

  server_final = g_strconcat ("v=", server_signature, NULL);
  last = step_text (sasl, server_final, NULL);
  g_assert_true (pf_sasl_is_complete (sasl));
}

static void
test_scram_plus_exporter (void)
{
  check_plus (NULL, "p=tls-exporter,,");
  check_plus ("tls-exporter", "p=tls-exporter,,");
}

static void
test_scram_plus_end_point (void)
{
  check_plus ("tls-server-end-point", "p=tls-server-end-point,,");
}

static void
test_scram_gs2_flags (void)
{
  g_autoptr(GBytes) cb = g_bytes_new_static ("x", 1);
  g_autoptr(PfSasl) could_bind = pf_sasl_new (PF_AUTH_SCRAM_SHA_1, "user", "pencil", cb, NULL);
  g_autoptr(PfSasl) plus_without = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *first = NULL;

  pf_sasl_set_client_nonce (could_bind, "abc");
  first = step_text (could_bind, NULL, NULL);
  g_assert_cmpstr (first, ==, "y,,n=user,r=abc");

  plus_without = pf_sasl_new (PF_AUTH_SCRAM_SHA_1_PLUS, "user", "pencil", NULL, &error);
  g_assert_null (plus_without);
  g_assert_error (error, PF_ERROR, PF_ERROR_INVALID_INPUT);
}

static void
test_saslprep_rfc4013 (void)
{
  static const struct { const char *in; const char *out; } ok[] = {
    { "I\xc2\xad" "X", "IX" },        /* SOFT HYPHEN mapped to nothing */
    { "user", "user" },
    { "USER", "USER" },
    { "\xc2\xaa", "a" },              /* FEMININE ORDINAL INDICATOR */
    { "\xe2\x85\xa8", "IX" },         /* ROMAN NUMERAL NINE */
    { "a\xc2\xa0" "b", "a b" },       /* NO-BREAK SPACE to SPACE */
    { "caf\x65\xcc\x81", "caf\xc3\xa9" },  /* composed */
    { "pencil", "pencil" },
    { "", "" },
  };
  static const char *bad[] = {
    "\x07",                           /* prohibited control */
    "\xd8\xa7\x31",                   /* bidi: RandALCat then digit */
    "tab\there",
    "a\xee\x80\x80",                  /* private use */
    "a\xef\xbf\xbe",                  /* non-character */
    "a\xe2\x80\x8e",                  /* LRM, display property */
    "\xff",                           /* not UTF-8 */
  };

  for (guint i = 0; i < G_N_ELEMENTS (ok); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *out = pf_saslprep (ok[i].in, &error);

      g_assert_no_error (error);
      g_assert_cmpstr (out, ==, ok[i].out);
    }
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *out = pf_saslprep (bad[i], &error);

      g_assert_null (out);
      g_assert_error (error, PF_ERROR, PF_ERROR_INVALID_INPUT);
    }
}

static void
test_scram_saslprep_applied (void)
{
  /* "pencil" written with a soft hyphen and a fullwidth letter must give the
   * same proof as the RFC 7677 vector. */
  g_autoptr(PfSasl) sasl = pf_sasl_new (PF_AUTH_SCRAM_SHA_256, "user", "pen\xc2\xad" "ci\xef\xbd\x8c", NULL, NULL);
  g_autoptr(PfSasl) refused = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *first = NULL;
  g_autofree char *final = NULL;

  pf_sasl_set_client_nonce (sasl, "rOprNGfwEbeRWgbNEkqO");
  first = step_text (sasl, NULL, NULL);
  final = step_text (sasl, "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096", NULL);
  g_assert_cmpstr (final, ==, "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=");

  refused = pf_sasl_new (PF_AUTH_SCRAM_SHA_256, "user", "pass\x01word", NULL, &error);
  g_assert_null (refused);
  g_assert_error (error, PF_ERROR, PF_ERROR_INVALID_INPUT);
  g_assert_nonnull (strstr (error->message, "password"));
}

static void
test_invalid_input (void)
{
  static const struct { PfAuthMechanism m; const char *user; const char *secret; } bad[] = {
    { PF_AUTH_PLAIN, "bob\r\n", "x" },
    { PF_AUTH_PLAIN, "bob", "x\ny" },
    { PF_AUTH_LOGIN, "bob", "x\r" },
    { PF_AUTH_CRAM_MD5, "bo\nb", "x" },
    { PF_AUTH_SCRAM_SHA_256, "bob", "line\nbreak" },
    { PF_AUTH_XOAUTH2, "bob\x01", "token" },
    { PF_AUTH_OAUTHBEARER, "bob", "tok\x01" "en" },
    { PF_AUTH_PLAIN, NULL, "x" },
    { PF_AUTH_PLAIN, "bob", NULL },
    { PF_AUTH_USER, "bob", "x" },
    { PF_AUTH_APOP, "bob", "x" },
    { PF_AUTH_AUTO, "bob", "x" },
    { PF_AUTH_PLAIN, "b\xffo", "x" },
    { PF_AUTH_SCRAM_SHA_256, "bob", "" },
    { PF_AUTH_SCRAM_SHA_1, "bob", "\xc2\xad" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(PfSasl) sasl = pf_sasl_new (bad[i].m, bad[i].user, bad[i].secret, NULL, &error);

      g_test_message ("case %u", i);
      g_assert_null (sasl);
      g_assert_error (error, PF_ERROR, PF_ERROR_INVALID_INPUT);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/engine/pop3/sasl/names", test_names);
  g_test_add_func ("/engine/pop3/sasl/choose/order-and-plaintext-rules", test_choose);
  g_test_add_func ("/engine/pop3/sasl/choose/fallback", test_choose_fallback);
  g_test_add_func ("/engine/pop3/sasl/decode-challenge/strict-base64", test_decode_challenge);
  g_test_add_func ("/engine/pop3/sasl/scram/iteration-bounds", test_scram_iteration_bounds);
  g_test_add_func ("/engine/pop3/sasl/apop/rfc1939", test_apop_rfc1939);
  g_test_add_func ("/engine/pop3/sasl/cram-md5/rfc2195", test_cram_md5_rfc2195);
  g_test_add_func ("/engine/pop3/sasl/cram-md5/empty-challenge", test_cram_md5_empty_challenge);
  g_test_add_func ("/engine/pop3/sasl/plain/encoding", test_plain);
  g_test_add_func ("/engine/pop3/sasl/login/encoding", test_login);
  g_test_add_func ("/engine/pop3/sasl/xoauth2/encoding", test_xoauth2);
  g_test_add_func ("/engine/pop3/sasl/oauthbearer/encoding", test_oauthbearer);
  g_test_add_func ("/engine/pop3/sasl/oauthbearer/user-escaped", test_oauthbearer_escapes_user);
  g_test_add_func ("/engine/pop3/sasl/scram/sha1-rfc5802", test_scram_sha1_rfc5802);
  g_test_add_func ("/engine/pop3/sasl/scram/sha256-rfc7677", test_scram_sha256_rfc7677);
  g_test_add_func ("/engine/pop3/sasl/scram/bad-server-signature", test_scram_bad_server_signature);
  g_test_add_func ("/engine/pop3/sasl/scram/bad-server-first", test_scram_bad_server_first);
  g_test_add_func ("/engine/pop3/sasl/scram/server-error-kinds", test_scram_server_error_kinds);
  g_test_add_func ("/engine/pop3/sasl/scram/random-nonce", test_scram_random_nonce);
  g_test_add_func ("/engine/pop3/sasl/scram/user-escaped", test_scram_escapes_user);
  g_test_add_func ("/engine/pop3/sasl/scram/plus-tls-exporter", test_scram_plus_exporter);
  g_test_add_func ("/engine/pop3/sasl/scram/plus-tls-server-end-point", test_scram_plus_end_point);
  g_test_add_func ("/engine/pop3/sasl/scram/gs2-flags", test_scram_gs2_flags);
  g_test_add_func ("/engine/pop3/sasl/saslprep/rfc4013", test_saslprep_rfc4013);
  g_test_add_func ("/engine/pop3/sasl/scram/saslprep-applied", test_scram_saslprep_applied);
  g_test_add_func ("/engine/pop3/sasl/invalid-input", test_invalid_input);

  return g_test_run ();
}
