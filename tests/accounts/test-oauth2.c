/* test-oauth2.c — Popfetch's own OAuth2 sign-in against the test
 * authorization server, with the refresh token in a real gnome-keyring and
 * the tokens checked by Dovecot's oauth2 passdb
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include "pf-account.h"
#include "pf-oauth2-credentials.h"
#include "pf-test-dovecot.h"
#include "pf-test-certs.h"
#include "pf-test-oauth.h"
#include "pf-test-server.h"
#include "pf-test-util.h"

#define USER    "oauth@popfetch.test"
#define TIMEOUT 30

typedef struct
{
  PfTestOAuth   *oauth;
  PfTestDovecot *dovecot;
  char          *browser_log;
} Fixture;

static gboolean
have_keyring (void)
{
  return pf_test_require (g_getenv ("PF_TEST_KEYRING") != NULL, "REQUIRE_KEYRING",
                          "not under run-with-keyring.sh");
}

/* $BROWSER is the stand-in that follows the authorize URL; @mode tells it
 * how to behave (pf-test-browser.py). */
static void
set_browser (Fixture    *fixture,
             const char *mode)
{
  g_autofree char *browser = g_strdup_printf ("python3 %s", PF_TEST_BROWSER_SCRIPT);

  g_setenv ("BROWSER", browser, TRUE);
  g_setenv ("PF_TEST_BROWSER_MODE", mode, TRUE);
  g_setenv ("PF_TEST_BROWSER_LOG", fixture->browser_log, TRUE);
}

static char *
read_browser_log (Fixture *fixture)
{
  char *text = NULL;

  g_file_get_contents (fixture->browser_log, &text, NULL, NULL);
  return text != NULL ? text : g_strdup ("");
}

/* What the browser stand-in wrote, once it wrote @last_line (or 10 s
 * passed). It writes a line after it has read the whole answer, which
 * can be after Popfetch, having the code, finished the sign-in. */
static char *
browser_log (Fixture    *fixture,
             const char *last_line)
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  char *text = read_browser_log (fixture);

  while (strstr (text, last_line) == NULL && g_get_monotonic_time () < deadline)
    {
      g_free (text);
      g_usleep (50 * 1000);
      text = read_browser_log (fixture);
    }
  return text;
}

static gboolean
fixture_start (Fixture  *fixture,
               gboolean  with_dovecot)
{
  g_autoptr(GError) error = NULL;

  memset (fixture, 0, sizeof *fixture);
  g_mkdir_with_parents (g_get_user_cache_dir (), 0700);
  fixture->browser_log = g_build_filename (g_get_user_cache_dir (), "browser.log", NULL);
  g_unlink (fixture->browser_log);
  fixture->oauth = pf_test_oauth_start_or_skip ();
  if (fixture->oauth == NULL)
    return FALSE;
  if (with_dovecot)
    {
      g_autofree char *introspect = pf_test_oauth_get_url (fixture->oauth, "/introspect");

      fixture->dovecot = pf_test_dovecot_start_oauth2_or_skip (introspect);
      if (fixture->dovecot == NULL)
        return FALSE;
      pf_test_dovecot_add_oauth2_user (fixture->dovecot, USER, &error);
      g_assert_no_error (error);
      pf_test_dovecot_add_messages (fixture->dovecot, USER, 3, 400, &error);
      g_assert_no_error (error);
    }
  set_browser (fixture, "follow");
  return TRUE;
}

static void
fixture_stop (Fixture *fixture)
{
  g_clear_pointer (&fixture->dovecot, pf_test_dovecot_stop);
  g_clear_pointer (&fixture->oauth, pf_test_oauth_stop);
  g_clear_pointer (&fixture->browser_log, g_free);
  g_unsetenv ("BROWSER");
}

/* The fixture for a test that needs the keyring; FALSE when the test is
 * skipped. fixture_stop() is safe either way. */
static gboolean
fixture_start_with_keyring (Fixture  *fixture,
                            gboolean  with_dovecot)
{
  if (!have_keyring ())
    {
      memset (fixture, 0, sizeof *fixture);
      return FALSE;
    }
  return fixture_start (fixture, with_dovecot);
}

/* A config for the test server: loopback http, any client id. */
static PfOAuth2Config *
test_config (Fixture *fixture)
{
  PfOAuth2Config *config = pf_oauth2_config_new ();

  config->authorize_url = pf_test_oauth_get_url (fixture->oauth, "/authorize");
  config->token_url = pf_test_oauth_get_url (fixture->oauth, "/token");
  config->device_url = pf_test_oauth_get_url (fixture->oauth, "/device");
  config->client_id = g_strdup ("popfetch-test-client");
  config->scope = g_strdup ("pop offline_access");
  return config;
}

static PfOAuth2Tokens *
sign_in (PfOAuth2Config  *config,
         guint            timeout_seconds,
         GCancellable    *cancellable,
         GError         **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  pf_oauth2_authorize_async (config, USER, NULL, NULL, timeout_seconds, cancellable,
                             pf_test_store_result, &result);
  return pf_oauth2_authorize_finish (pf_test_wait_result (&result, TIMEOUT), error);
}

/* ---- the provider table and configs (no server needed) ------------------- */

static void
test_urls_https_or_loopback (void)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (pf_oauth2_check_url ("https://login.example.com/token", "token URL", NULL));
  g_assert_true (pf_oauth2_check_url ("http://127.0.0.1:8080/token", "token URL", NULL));
  g_assert_true (pf_oauth2_check_url ("http://[::1]:8080/token", "token URL", NULL));
  g_assert_true (pf_oauth2_check_url ("http://localhost/token", "token URL", NULL));
  g_assert_false (pf_oauth2_check_url ("http://login.example.com/token", "token URL", &error));
  g_assert_error (error, PF_OAUTH2_ERROR, PF_OAUTH2_ERROR_INSECURE_URL);
  g_clear_error (&error);
  g_assert_false (pf_oauth2_check_url ("ftp://127.0.0.1/token", "token URL", &error));
  g_assert_error (error, PF_OAUTH2_ERROR, PF_OAUTH2_ERROR_INSECURE_URL);
}

static void
test_provider_table (void)
{
  const PfOAuth2Provider *microsoft = pf_oauth2_lookup_provider ("Microsoft");
  g_autoptr(PfOAuth2Config) config = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (microsoft);
  g_assert_cmpstr (microsoft->scope, ==, "https://outlook.office.com/POP.AccessAsUser.All offline_access");
  for (const PfOAuth2Provider * const *p = pf_oauth2_get_providers (); *p != NULL; p++)
    {
      g_assert_true (pf_oauth2_check_url ((*p)->authorize_url, "authorization URL", NULL));
      g_assert_true (pf_oauth2_check_url ((*p)->token_url, "token URL", NULL));
      g_assert_true (g_str_has_prefix ((*p)->authorize_url, "https://"));
    }
  g_assert_null (pf_oauth2_lookup_provider ("nosuch"));

  /* This build sets no client id: the sign-in says so. */
  config = pf_oauth2_config_new_for_provider ("microsoft", &error);
  g_assert_no_error (error);
  if (config->client_id == NULL)
    {
      g_assert_false (pf_oauth2_config_validate (config, TRUE, FALSE, &error));
      g_assert_error (error, PF_OAUTH2_ERROR, PF_OAUTH2_ERROR_NO_CLIENT_ID);
      g_assert_nonnull (strstr (error->message, "Microsoft"));
    }
}

/* Every OAuth2 failure has words: a title, what happened, what to do. */
static void
test_errors_explained (void)
{
  for (int code = PF_OAUTH2_ERROR_NO_CLIENT_ID; code <= PF_OAUTH2_ERROR_POP_REFUSED; code++)
    {
      g_autoptr(GError) error = g_error_new (PF_OAUTH2_ERROR, code, "detail %d", code);
      g_autoptr(PfExplanation) explanation = pf_oauth2_error_explain (error);

      g_assert_nonnull (explanation);
      g_assert_nonnull (explanation->title);
      g_assert_cmpstr (explanation->what, ==, error->message);
      g_assert_true (explanation->next != NULL && *explanation->next != '\0');
    }
  {
    g_autoptr(GError) other = g_error_new_literal (PF_ERROR, PF_ERROR_AUTH_REJECTED, "no");

    g_assert_null (pf_oauth2_error_explain (other));
  }
}

static void
test_account_overrides (void)
{
  g_autoptr(PfAccount) account = pf_account_new ("work");
  g_autoptr(PfOAuth2Config) config = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(PfCredentials) goa = NULL;

  pf_account_set_address (account, USER);
  pf_account_set_user (account, USER);
  pf_account_set_host (account, "outlook.office365.com");
  pf_account_set_auth (account, PF_ACCOUNT_AUTH_OAUTH2);
  pf_account_set_oauth2_source (account, "microsoft");
  pf_account_set_oauth2_client_id (account, "company-app-id");
  pf_account_set_oauth2_authorize_url (account,
                                       "https://login.microsoftonline.com/contoso.example/oauth2/v2.0/authorize");
  g_assert_true (pf_account_validate (account, &error));
  g_assert_no_error (error);
  config = pf_account_dup_oauth2_config (account, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (config->client_id, ==, "company-app-id");
  g_assert_cmpstr (config->authorize_url, ==,
                   "https://login.microsoftonline.com/contoso.example/oauth2/v2.0/authorize");
  g_assert_cmpstr (config->token_url, ==, "https://login.microsoftonline.com/common/oauth2/v2.0/token");
  g_assert_cmpstr (config->scope, ==, "https://outlook.office.com/POP.AccessAsUser.All offline_access");

  /* Plain http to a remote identity provider is refused. */
  pf_account_set_oauth2_token_url (account, "http://login.example.com/token");
  g_assert_false (pf_account_validate (account, &error));
  g_assert_error (error, PF_ERROR, PF_ERROR_INVALID_INPUT);
  g_clear_error (&error);

  /* A GOA account: parseable, and this build says plainly that it cannot. */
  pf_account_set_oauth2_token_url (account, NULL);
  pf_account_set_oauth2_source (account, "goa");
  g_assert_false (pf_account_validate (account, &error));
  g_clear_error (&error);
  pf_account_set_goa_account_id (account, "account_1234");
  g_assert_true (pf_account_validate (account, &error));
  goa = pf_account_create_credentials (account, &error);
  if (goa == NULL)
    {
      g_assert_error (error, PF_ERROR, PF_ERROR_CONFIG);
      g_assert_cmpstr (error->message, ==, "GNOME Online Accounts sign-in is not available in this build.");
    }
}

/* ---- the browser flow ----------------------------------------------------- */

static void
test_authorize_pkce (void)
{
  Fixture fixture;
  g_autoptr(PfOAuth2Config) config = NULL;
  g_autoptr(PfOAuth2Tokens) tokens = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *log = NULL;

  if (!fixture_start (&fixture, FALSE))
    return fixture_stop (&fixture);

  config = test_config (&fixture);
  tokens = sign_in (config, 20, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (tokens->access_token);
  g_assert_nonnull (tokens->refresh_token);
  g_assert_cmpint (tokens->lifetime, ==, (gint64) 3600 * G_USEC_PER_SEC);
  g_assert_cmpuint (pf_test_oauth_get_count (fixture.oauth, "token-authorization_code"), ==, 1);
  log = browser_log (&fixture, "GET / 200");
  g_assert_nonnull (strstr (log, "GET / 200"));

  fixture_stop (&fixture);
}

static void
test_authorize_foreign_requests_ignored (void)
{
  Fixture fixture;
  g_autoptr(PfOAuth2Config) config = NULL;
  g_autoptr(PfOAuth2Tokens) tokens = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *log = NULL;

  if (!fixture_start (&fixture, FALSE))
    return fixture_stop (&fixture);
  set_browser (&fixture, "foreign-first");

  config = test_config (&fixture);
  tokens = sign_in (config, 20, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (tokens);
  log = browser_log (&fixture, "GET / 200");
  /* Forged state, another path, a script with an Origin header: each
   * answered and ignored; then the real redirect. */
  g_assert_nonnull (strstr (log, "GET / 400"));
  g_assert_nonnull (strstr (log, "GET /favicon.ico 404"));
  g_assert_nonnull (strstr (log, "GET /elsewhere 404"));
  g_assert_nonnull (strstr (log, "GET / 404"));
  g_assert_nonnull (strstr (log, "GET / 200"));
  /* Only the real code was exchanged. */
  g_assert_cmpuint (pf_test_oauth_get_count (fixture.oauth, "token-authorization_code"), ==, 1);

  fixture_stop (&fixture);
}

static void
test_authorize_state_mismatch (void)
{
  Fixture fixture;
  g_autoptr(PfOAuth2Config) config = NULL;
  g_autoptr(PfOAuth2Tokens) tokens = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) set_error = NULL;

  if (!fixture_start (&fixture, FALSE))
    return fixture_stop (&fixture);
  pf_test_oauth_set (fixture.oauth, "outcome", "wrong-state", &set_error);
  g_assert_no_error (set_error);

  /* The redirect with another state is not ours: nothing is exchanged and
   * the wait runs out. */
  config = test_config (&fixture);
  tokens = sign_in (config, 3, NULL, &error);
  g_assert_null (tokens);
  g_assert_error (error, PF_OAUTH2_ERROR, PF_OAUTH2_ERROR_TIMEOUT);
  g_assert_cmpuint (pf_test_oauth_get_count (fixture.oauth, "token-authorization_code"), ==, 0);

  fixture_stop (&fixture);
}

static void
test_authorize_pkce_mismatch (void)
{
  Fixture fixture;
  g_autoptr(PfOAuth2Config) config = NULL;
  g_autoptr(PfOAuth2Tokens) tokens = NULL;
  g_autoptr(GError) error = NULL;

  if (!fixture_start (&fixture, FALSE))
    return fixture_stop (&fixture);
  /* Someone swapped the challenge on the way: Popfetch's verifier does not
   * match it, so the code is worthless. */
  set_browser (&fixture, "tamper-challenge");

  config = test_config (&fixture);
  tokens = sign_in (config, 20, NULL, &error);
  g_assert_null (tokens);
  g_assert_error (error, PF_OAUTH2_ERROR, PF_OAUTH2_ERROR_PROVIDER);
  g_assert_nonnull (strstr (error->message, "PKCE"));

  fixture_stop (&fixture);
}

static void
test_authorize_refusals (void)
{
  static const struct
  {
    const char *outcome;
    int         code;
    const char *needle;
  } cases[] = {
    { "deny", PF_OAUTH2_ERROR_CONSENT_REFUSED, "declined" },
    { "admin-consent", PF_OAUTH2_ERROR_ADMIN_CONSENT, "AADSTS65001" },
    { "admin-approval", PF_OAUTH2_ERROR_ADMIN_CONSENT, "AADSTS90094" },
  };
  Fixture fixture;

  if (!fixture_start (&fixture, FALSE))
    return fixture_stop (&fixture);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(PfOAuth2Config) config = test_config (&fixture);
      g_autoptr(PfOAuth2Tokens) tokens = NULL;
      g_autoptr(GError) error = NULL;
      g_autoptr(PfExplanation) explanation = NULL;

      g_test_message ("outcome %s", cases[i].outcome);
      pf_test_oauth_set (fixture.oauth, "outcome", cases[i].outcome, &error);
      g_assert_no_error (error);
      tokens = sign_in (config, 20, NULL, &error);
      g_assert_null (tokens);
      g_assert_error (error, PF_OAUTH2_ERROR, cases[i].code);
      g_assert_nonnull (strstr (error->message, cases[i].needle));
      explanation = pf_oauth2_error_explain (error);
      g_assert_nonnull (explanation);
      g_assert_nonnull (explanation->next);
    }

  fixture_stop (&fixture);
}

static void
on_cancel_timeout (gpointer user_data)
{
  g_cancellable_cancel (user_data);
}

static void
test_authorize_browser_never_returns (void)
{
  Fixture fixture;
  g_autoptr(PfOAuth2Config) config = NULL;
  g_autoptr(PfOAuth2Tokens) tokens = NULL;
  g_autoptr(PfOAuth2Tokens) cancelled_tokens = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) cancelled = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();

  if (!fixture_start (&fixture, FALSE))
    return fixture_stop (&fixture);
  set_browser (&fixture, "never");

  config = test_config (&fixture);
  tokens = sign_in (config, 2, NULL, &error);
  g_assert_error (error, PF_OAUTH2_ERROR, PF_OAUTH2_ERROR_TIMEOUT);

  g_timeout_add_once (300, on_cancel_timeout, cancellable);
  cancelled_tokens = sign_in (config, 60, cancellable, &cancelled);
  g_assert_error (cancelled, G_IO_ERROR, G_IO_ERROR_CANCELLED);

  fixture_stop (&fixture);
}

static void
test_authorize_no_browser (void)
{
  Fixture fixture;
  g_autoptr(PfOAuth2Config) config = NULL;
  g_autoptr(PfOAuth2Tokens) tokens = NULL;
  g_autoptr(GError) error = NULL;

  if (!fixture_start (&fixture, FALSE))
    return fixture_stop (&fixture);
  g_setenv ("BROWSER", "/nonexistent/browser", TRUE);

  config = test_config (&fixture);
  tokens = sign_in (config, 20, NULL, &error);
  g_assert_error (error, PF_OAUTH2_ERROR, PF_OAUTH2_ERROR_BROWSER);

  fixture_stop (&fixture);
}

/* ---- the device flow ---------------------------------------------------- */

static void
on_device_code (const char *verification_uri,
                const char *user_code,
                const char *complete,
                gpointer    user_data)
{
  guint *shown = user_data;

  g_assert_true (g_str_has_prefix (verification_uri, "http://127.0.0.1:"));
  g_assert_cmpuint (strlen (user_code), ==, 9);
  (*shown)++;
}

static void
test_device_flow (void)
{
  Fixture fixture;
  g_autoptr(PfOAuth2Config) config = NULL;
  g_autoptr(PfOAuth2Tokens) tokens = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  guint shown = 0;

  if (!fixture_start (&fixture, FALSE))
    return fixture_stop (&fixture);

  config = test_config (&fixture);
  pf_oauth2_device_authorize_async (config, USER, on_device_code, &shown, NULL,
                                    pf_test_store_result, &result);
  tokens = pf_oauth2_device_authorize_finish (pf_test_wait_result (&result, TIMEOUT), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (shown, ==, 1);
  g_assert_nonnull (tokens->refresh_token);
  /* It polled while the user had not approved yet. */
  g_assert_cmpuint (pf_test_oauth_get_count (fixture.oauth, "token-device_code"), >=, 2);

  fixture_stop (&fixture);
}

/* ---- refresh tokens in the keyring, access tokens in memory --------------- */

static void
keyring_store (Fixture              *fixture,
               const PfOAuth2Config *config,
               const char           *refresh_token)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  pf_oauth2_keyring_store_async ("oauth", config, USER, refresh_token, NULL,
                                 pf_test_store_result, &result);
  g_assert_true (pf_oauth2_keyring_store_finish (pf_test_wait_result (&result, TIMEOUT), &error));
  g_assert_no_error (error);
}

/* As if @user had signed in before: the test server's tokens for @user,
 * the refresh token in the keyring (and in @refresh_token, if not NULL). */
static void
signed_in_before (Fixture               *fixture,
                  const PfOAuth2Config  *config,
                  const char            *user,
                  char                 **refresh_token)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *access_token = NULL;
  g_autofree char *stored = NULL;

  access_token = pf_test_oauth_mint (fixture->oauth, user, 0, &stored, &error);
  g_assert_no_error (error);
  g_assert_nonnull (access_token);
  keyring_store (fixture, config, stored);
  if (refresh_token != NULL)
    *refresh_token = g_steal_pointer (&stored);
}

static PfSecret *
get_secret (PfCredentials  *credentials,
            GError        **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  pf_credentials_get_secret_async (credentials, NULL, pf_test_store_result, &result);
  return pf_credentials_get_secret_finish (credentials, pf_test_wait_result (&result, TIMEOUT), error);
}

/* The access token @credentials give now; there must be one. */
static PfSecret *
access_token (PfOAuth2Credentials *credentials)
{
  g_autoptr(GError) error = NULL;
  PfSecret *secret;

  secret = get_secret (PF_CREDENTIALS (credentials), &error);
  g_assert_no_error (error);
  g_assert_nonnull (secret);
  g_assert_cmpint (pf_secret_get_kind (secret), ==, PF_SECRET_ACCESS_TOKEN);
  return secret;
}

static void
test_credentials_refresh (void)
{
  Fixture fixture;
  g_autoptr(PfOAuth2Config) config = NULL;
  g_autoptr(PfOAuth2Credentials) credentials = NULL;
  g_autoptr(PfSecret) first = NULL;
  g_autoptr(PfSecret) again = NULL;
  g_autoptr(PfSecret) later = NULL;
  g_autoptr(PfSecret) after_invalidate = NULL;
  g_autoptr(GError) error = NULL;

  if (!fixture_start_with_keyring (&fixture, FALSE))
    return fixture_stop (&fixture);

  config = test_config (&fixture);
  signed_in_before (&fixture, config, USER, NULL);
  /* Access tokens that live 4 s: fresh for 3 s (a quarter is the margin). */
  pf_test_oauth_set (fixture.oauth, "expires_in", "4", &error);
  g_assert_no_error (error);

  credentials = pf_oauth2_credentials_new (config, "oauth", USER);
  first = access_token (credentials);
  g_assert_cmpuint (pf_oauth2_credentials_get_refresh_count (credentials), ==, 1);

  /* Fresh: no refresh. */
  again = access_token (credentials);
  g_assert_cmpstr (pf_secret_get_value (again), ==, pf_secret_get_value (first));
  g_assert_cmpuint (pf_test_oauth_get_count (fixture.oauth, "token-refresh_token"), ==, 1);

  /* Near its expiry: refreshed before it is used. */
  g_usleep (3200 * 1000);
  later = access_token (credentials);
  g_assert_cmpstr (pf_secret_get_value (later), !=, pf_secret_get_value (first));
  g_assert_cmpuint (pf_test_oauth_get_count (fixture.oauth, "token-refresh_token"), ==, 2);

  /* Refused by a server: the next answer is a new token. */
  pf_credentials_invalidate (PF_CREDENTIALS (credentials), later);
  after_invalidate = access_token (credentials);
  g_assert_cmpstr (pf_secret_get_value (after_invalidate), !=, pf_secret_get_value (later));
  g_assert_cmpuint (pf_test_oauth_get_count (fixture.oauth, "token-refresh_token"), ==, 3);

  pf_test_assert_finalized (g_steal_pointer (&credentials), 5);
  fixture_stop (&fixture);
}

static void
test_credentials_rotated_token_kept (void)
{
  Fixture fixture;
  g_autoptr(PfOAuth2Config) config = NULL;
  g_autoptr(PfOAuth2Credentials) credentials = NULL;
  g_autoptr(PfOAuth2Credentials) next_run = NULL;
  g_autoptr(PfSecret) secret = NULL;
  g_autoptr(PfSecret) next_secret = NULL;
  g_autoptr(GError) error = NULL;

  if (!fixture_start_with_keyring (&fixture, FALSE))
    return fixture_stop (&fixture);

  config = test_config (&fixture);
  signed_in_before (&fixture, config, USER, NULL);
  /* Each refresh hands out a new refresh token and retires the old one. */
  pf_test_oauth_set (fixture.oauth, "rotate_refresh", "1", &error);
  g_assert_no_error (error);

  credentials = pf_oauth2_credentials_new (config, "oauth", USER);
  secret = access_token (credentials);
  /* A later run finds the new one in the keyring. */
  next_run = pf_oauth2_credentials_new (config, "oauth", USER);
  next_secret = access_token (next_run);
  g_assert_cmpstr (pf_secret_get_value (next_secret), !=, pf_secret_get_value (secret));

  fixture_stop (&fixture);
}

static void
test_credentials_revoked (void)
{
  Fixture fixture;
  g_autoptr(PfOAuth2Config) config = NULL;
  g_autoptr(PfOAuth2Credentials) credentials = NULL;
  g_autoptr(PfSecret) secret = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(PfExplanation) explanation = NULL;
  g_autofree char *refresh_token = NULL;

  if (!fixture_start_with_keyring (&fixture, FALSE))
    return fixture_stop (&fixture);

  config = test_config (&fixture);
  signed_in_before (&fixture, config, USER, &refresh_token);
  pf_test_oauth_revoke_user (fixture.oauth, USER, &error);
  g_assert_no_error (error);

  credentials = pf_oauth2_credentials_new (config, "oauth", USER);
  secret = get_secret (PF_CREDENTIALS (credentials), &error);
  g_assert_null (secret);
  g_assert_error (error, PF_OAUTH2_ERROR, PF_OAUTH2_ERROR_SIGN_IN_AGAIN);
  explanation = pf_oauth2_error_explain (error);
  g_assert_cmpstr (explanation->title, ==, "Sign in again");
  /* No secret in the words. */
  g_assert_null (strstr (error->message, refresh_token));

  fixture_stop (&fixture);
}

static void
test_credentials_nothing_stored (void)
{
  Fixture fixture;
  g_autoptr(PfOAuth2Config) config = NULL;
  g_autoptr(PfOAuth2Credentials) credentials = NULL;
  g_autoptr(PfSecret) secret = NULL;
  g_autoptr(GError) error = NULL;

  if (!fixture_start_with_keyring (&fixture, FALSE))
    return fixture_stop (&fixture);

  config = test_config (&fixture);
  g_free (config->client_id);
  config->client_id = g_strdup ("never-signed-in");
  credentials = pf_oauth2_credentials_new (config, "oauth", USER);
  secret = get_secret (PF_CREDENTIALS (credentials), &error);
  g_assert_error (error, PF_OAUTH2_ERROR, PF_OAUTH2_ERROR_SIGN_IN_AGAIN);

  fixture_stop (&fixture);
}

/* ---- the road: a saved OAuth2 account fetches from Dovecot --------------- */

/* A saved OAuth2 account for Dovecot's mailbox, its mail going to
 * @maildir_name in the data directory; @config gets its OAuth2 config. */
static PfAccount *
oauth2_account (Fixture         *fixture,
                const char      *maildir_name,
                PfOAuth2Config **config)
{
  PfAccount *account = pf_account_new ("oauth");
  g_autofree char *authorize = pf_test_oauth_get_url (fixture->oauth, "/authorize");
  g_autofree char *token = pf_test_oauth_get_url (fixture->oauth, "/token");
  g_autofree char *maildir = g_build_filename (g_get_user_data_dir (), maildir_name, NULL);
  g_autoptr(GError) error = NULL;

  pf_account_set_address (account, USER);
  pf_account_set_user (account, USER);
  pf_account_set_host (account, "127.0.0.1");
  pf_account_set_port (account, pf_test_dovecot_get_tls_port (fixture->dovecot));
  pf_account_set_security (account, PF_SECURITY_TLS);
  pf_account_set_ca_file (account, pf_test_dovecot_get_ca_file (fixture->dovecot));
  pf_account_set_maildir (account, maildir);
  pf_account_set_auth (account, PF_ACCOUNT_AUTH_OAUTH2);
  pf_account_set_oauth2_authorize_url (account, authorize);
  pf_account_set_oauth2_token_url (account, token);
  pf_account_set_oauth2_client_id (account, "popfetch-test-client");
  pf_account_set_oauth2_scope (account, "pop offline_access");
  g_assert_true (pf_account_validate (account, &error));
  g_assert_no_error (error);
  *config = pf_account_dup_oauth2_config (account, &error);
  g_assert_no_error (error);
  g_assert_nonnull (*config);
  return account;
}

static PfFetchResult *
fetch (PfFetcher  *fetcher,
       GError    **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  pf_fetcher_run_async (fetcher, NULL, pf_test_store_result, &result);
  return pf_fetcher_run_finish (fetcher, pf_test_wait_result (&result, TIMEOUT), error);
}

/* A fetch by a new fetcher for @account with @credentials (NULL: those
 * the account makes itself). */
static PfFetchResult *
fetch_account (PfAccount      *account,
               PfCredentials  *credentials,
               GError        **error)
{
  g_autoptr(PfFetcher) fetcher = NULL;
  g_autoptr(GError) create_error = NULL;

  fetcher = pf_account_create_fetcher (account, credentials, &create_error);
  g_assert_no_error (create_error);
  return fetch (fetcher, error);
}

static void
test_road_fetch_and_stale_token (void)
{
  Fixture fixture;
  g_autoptr(PfAccount) account = NULL;
  g_autoptr(PfOAuth2Config) config = NULL;
  g_autoptr(PfCredentials) credentials = NULL;
  g_autoptr(PfFetchResult) result = NULL;
  g_autoptr(PfFetchResult) second_result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(PfOAuth2Tokens) tokens = NULL;

  if (!fixture_start_with_keyring (&fixture, TRUE))
    return fixture_stop (&fixture);

  account = oauth2_account (&fixture, "oauth-maildir", &config);

  /* First sign-in in the browser; the refresh token goes to the keyring. */
  tokens = sign_in (config, 20, NULL, &error);
  g_assert_no_error (error);
  keyring_store (&fixture, config, tokens->refresh_token);

  credentials = pf_account_create_credentials (account, &error);
  g_assert_no_error (error);
  g_assert_true (PF_IS_OAUTH2_CREDENTIALS (credentials));
  result = fetch_account (account, credentials, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (result->fetched, ==, 3);
  g_assert_cmpint (result->mechanism, ==, PF_AUTH_XOAUTH2);
  g_assert_cmpuint (pf_test_oauth_get_count (fixture.oauth, "token-refresh_token"), ==, 1);

  /* The server stops taking the access token while Popfetch still deems
   * it fresh: one refusal, one refresh, one retry. */
  pf_test_oauth_expire_access (fixture.oauth, USER, &error);
  g_assert_no_error (error);
  pf_test_dovecot_add_messages (fixture.dovecot, USER, 1, 300, &error);
  g_assert_no_error (error);
  second_result = fetch_account (account, credentials, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (second_result->fetched, ==, 1);
  g_assert_cmpuint (pf_test_oauth_get_count (fixture.oauth, "token-refresh_token"), ==, 2);

  fixture_stop (&fixture);
}

static void
test_road_refused_twice_is_pop_refused (void)
{
  Fixture fixture;
  g_autoptr(PfAccount) account = NULL;
  g_autoptr(PfOAuth2Config) config = NULL;
  g_autoptr(PfFetchResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) classified = NULL;

  if (!fixture_start_with_keyring (&fixture, TRUE))
    return fixture_stop (&fixture);

  account = oauth2_account (&fixture, "refused-maildir", &config);
  /* The provider signs in someone else than the mailbox's user: valid
   * tokens that Dovecot refuses, every time. */
  signed_in_before (&fixture, config, "other@popfetch.test", NULL);

  result = fetch_account (account, NULL, &error);
  g_assert_null (result);
  g_assert_error (error, PF_ERROR, PF_ERROR_AUTH_REJECTED);
  /* Renewed once, then given up. */
  g_assert_cmpuint (pf_test_oauth_get_count (fixture.oauth, "token-refresh_token"), ==, 2);
  classified = pf_account_classify_error (account, error);
  g_assert_error (classified, PF_OAUTH2_ERROR, PF_OAUTH2_ERROR_POP_REFUSED);

  fixture_stop (&fixture);
}

/* ---- the engine with a token, against scripted servers ------------------ */

#define STATIC_TOKEN "static-access-token-for-test"

static PfFetchResult *
scripted_fetch (const char  *script,
                guint       *connections,
                GError     **error)
{
  g_autoptr(PfTestServer) server = pf_test_server_new (PF_TEST_SERVER_TLS);
  g_autoptr(GTlsCertificate) certificate = pf_test_certs_server (PF_TEST_CERT_VALID, NULL);
  g_autoptr(PfServerSettings) settings = NULL;
  g_autoptr(PfCredentials) credentials = pf_credentials_new_for_access_token (STATIC_TOKEN);
  g_autoptr(GTlsDatabase) database = pf_test_certs_database ();
  g_autoptr(PfFetcher) fetcher = NULL;
  g_autofree char *maildir = g_build_filename (g_get_user_data_dir (), "scripted", NULL);
  g_autofree char *failure = NULL;
  PfFetchResult *result;

  pf_test_server_set_certificate (server, certificate);
  pf_test_server_add_script (server, script);
  settings = pf_server_settings_new ("127.0.0.1", pf_test_server_get_port (server), PF_SECURITY_TLS);
  pf_server_settings_set_server_identity (settings, "localhost");
  pf_server_settings_set_tls_database (settings, database);
  pf_server_settings_set_timeout (settings, 5);
  fetcher = pf_fetcher_new (settings, USER, maildir);
  pf_fetcher_set_credentials (fetcher, credentials);
  result = fetch (fetcher, error);
  failure = pf_test_server_dup_failure (server);
  g_assert_cmpstr (failure, ==, NULL);
  /* A token goes only to an OAuth2 mechanism. */
  g_assert_false (pf_test_server_received_contains (server, "AUTH PLAIN"));
  g_assert_false (pf_test_server_received_contains (server, "PASS "));
  *connections = pf_test_server_get_n_connections (server);
  return result;
}

static void
test_engine_token_never_a_password (void)
{
  g_autoptr(PfFetchResult) result = NULL;
  g_autoptr(GError) error = NULL;
  guint connections = 0;

  result = scripted_fetch ("S: +OK ready\n"
                           "C: CAPA\nS: +OK\nS: USER\nS: UIDL\nS: SASL PLAIN LOGIN\nS: .\n",
                           &connections, &error);
  g_assert_null (result);
  g_assert_error (error, PF_ERROR, PF_ERROR_NO_COMMON_MECHANISM);
  g_assert_nonnull (strstr (error->message, "XOAUTH2"));
}

static void
test_engine_oauthbearer_when_offered (void)
{
  g_autoptr(PfFetchResult) result = NULL;
  g_autoptr(GError) error = NULL;
  guint connections = 0;

  result = scripted_fetch ("S: +OK ready\n"
                           "C: CAPA\nS: +OK\nS: UIDL\nS: SASL PLAIN OAUTHBEARER\nS: .\n"
                           "C: AUTH OAUTHBEARER *\nS: +OK logged in\n"
                           "C: CAPA\nS: -ERR\n"
                           "C: STAT\nS: +OK 0 0\nC: UIDL\nS: +OK\nS: .\n"
                           "C: LIST\nS: +OK\nS: .\n"
                           "C: QUIT\nS: +OK\n",
                           &connections, &error);
  g_assert_no_error (error);
  g_assert_cmpint (result->mechanism, ==, PF_AUTH_OAUTHBEARER);
}

/* A refused token is asked for once more, on a new connection; a second
 * refusal is final. */
static void
test_engine_refused_token_retried_once (void)
{
  g_autoptr(PfFetchResult) result = NULL;
  g_autoptr(GError) error = NULL;
  guint connections = 0;

  result = scripted_fetch ("S: +OK ready\n"
                           "C: CAPA\nS: +OK\nS: UIDL\nS: SASL XOAUTH2\nS: .\n"
                           "C: AUTH XOAUTH2 *\nS: -ERR [AUTH] token refused\n"
                           "NEXT CONNECTION\n"
                           "S: +OK ready\n"
                           "C: CAPA\nS: +OK\nS: UIDL\nS: SASL XOAUTH2\nS: .\n"
                           "C: AUTH XOAUTH2 *\nS: -ERR [AUTH] token refused\n",
                           &connections, &error);
  g_assert_null (result);
  g_assert_error (error, PF_ERROR, PF_ERROR_AUTH_REJECTED);
  g_assert_cmpuint (connections, ==, 2);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/accounts/oauth2/urls-https-or-loopback", test_urls_https_or_loopback);
  g_test_add_func ("/accounts/oauth2/provider-table", test_provider_table);
  g_test_add_func ("/accounts/oauth2/account-overrides", test_account_overrides);
  g_test_add_func ("/accounts/oauth2/errors-explained", test_errors_explained);
  g_test_add_func ("/accounts/oauth2/authorize/pkce", test_authorize_pkce);
  g_test_add_func ("/accounts/oauth2/authorize/foreign-requests-ignored",
                   test_authorize_foreign_requests_ignored);
  g_test_add_func ("/accounts/oauth2/authorize/state-mismatch", test_authorize_state_mismatch);
  g_test_add_func ("/accounts/oauth2/authorize/pkce-mismatch", test_authorize_pkce_mismatch);
  g_test_add_func ("/accounts/oauth2/authorize/refusals", test_authorize_refusals);
  g_test_add_func ("/accounts/oauth2/authorize/browser-never-returns",
                   test_authorize_browser_never_returns);
  g_test_add_func ("/accounts/oauth2/authorize/no-browser", test_authorize_no_browser);
  g_test_add_func ("/accounts/oauth2/device-flow", test_device_flow);
  g_test_add_func ("/accounts/oauth2/credentials/refresh", test_credentials_refresh);
  g_test_add_func ("/accounts/oauth2/credentials/rotated-token-kept",
                   test_credentials_rotated_token_kept);
  g_test_add_func ("/accounts/oauth2/credentials/revoked", test_credentials_revoked);
  g_test_add_func ("/accounts/oauth2/credentials/nothing-stored", test_credentials_nothing_stored);
  g_test_add_func ("/accounts/oauth2/road/fetch-and-stale-token", test_road_fetch_and_stale_token);
  g_test_add_func ("/accounts/oauth2/road/refused-twice-is-pop-refused",
                   test_road_refused_twice_is_pop_refused);

  g_test_add_func ("/accounts/oauth2/engine/token-never-a-password", test_engine_token_never_a_password);
  g_test_add_func ("/accounts/oauth2/engine/oauthbearer-when-offered",
                   test_engine_oauthbearer_when_offered);
  g_test_add_func ("/accounts/oauth2/engine/refused-token-retried-once",
                   test_engine_refused_token_retried_once);

  return g_test_run ();
}
