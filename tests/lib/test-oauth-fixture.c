/* test-oauth-fixture.c — the test authorization server and Dovecot's oauth2
 * passdb agree: a token the server issued logs in, a revoked or expired one
 * does not
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "pf-pop3-client.h"
#include "pf-test-dovecot.h"
#include "pf-test-oauth.h"
#include "pf-test-server.h"
#include "pf-test-util.h"

#define TIMEOUT 10
#define USER "oauth@popfetch.test"

typedef struct
{
  PfTestOAuth   *oauth;
  PfTestDovecot *dovecot;
} Fixture;

static gboolean
fixture_start (Fixture *fixture)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *introspect = NULL;

  fixture->oauth = pf_test_oauth_start_or_skip ();
  if (fixture->oauth == NULL)
    return FALSE;
  introspect = pf_test_oauth_get_url (fixture->oauth, "/introspect");
  fixture->dovecot = pf_test_dovecot_start_oauth2_or_skip (introspect);
  if (fixture->dovecot == NULL)
    return FALSE;
  pf_test_dovecot_add_oauth2_user (fixture->dovecot, USER, &error);
  g_assert_no_error (error);
  pf_test_dovecot_add_messages (fixture->dovecot, USER, 2, 500, &error);
  g_assert_no_error (error);
  return TRUE;
}

static void
fixture_stop (Fixture *fixture)
{
  g_clear_pointer (&fixture->dovecot, pf_test_dovecot_stop);
  g_clear_pointer (&fixture->oauth, pf_test_oauth_stop);
}

/* One POP3S login with @token; the error, or NULL when it logged in. */
static GError *
login (Fixture         *fixture,
       const char      *token,
       PfAuthMechanism  mechanism)
{
  guint16 port = pf_test_dovecot_get_tls_port (fixture->dovecot);
  g_autoptr(PfServerSettings) settings = pf_server_settings_new ("127.0.0.1", port, PF_SECURITY_TLS);
  g_autoptr(PfPop3Client) client = NULL;
  PfAuthMechanism used = PF_AUTH_AUTO;
  GError *error = NULL;

  pf_server_settings_set_timeout (settings, TIMEOUT);
  pf_server_settings_set_server_identity (settings, "localhost");
  pf_server_settings_set_tls_database (settings, pf_test_dovecot_get_tls_database (fixture->dovecot));
  client = pf_pop3_client_new_for_settings (settings);
  pf_test_pop3_connect (client, TIMEOUT * 2, &error);
  g_assert_no_error (error);
  if (pf_test_pop3_login (client, USER, token, mechanism, &used, TIMEOUT * 2, &error))
    {
      g_assert_cmpint (used, ==, mechanism);
      pf_test_pop3_quit (client, TIMEOUT * 2);
    }
  pf_test_pop3_drop (g_steal_pointer (&client), TIMEOUT);
  return error;
}

static void
test_minted_token_logs_in (void)
{
  Fixture fixture = { NULL, NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) xoauth2 = NULL;
  g_autoptr(GError) oauthbearer = NULL;
  g_autofree char *token = NULL;

  if (!fixture_start (&fixture))
    return fixture_stop (&fixture);

  token = pf_test_oauth_mint (fixture.oauth, USER, 0, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (token);

  xoauth2 = login (&fixture, token, PF_AUTH_XOAUTH2);
  g_assert_no_error (xoauth2);
  oauthbearer = login (&fixture, token, PF_AUTH_OAUTHBEARER);
  g_assert_no_error (oauthbearer);
  /* Dovecot really asked the server. */
  g_assert_cmpuint (pf_test_oauth_get_count (fixture.oauth, "introspect-active"), >=, 2);

  fixture_stop (&fixture);
}

static void
test_other_users_token_refused (void)
{
  Fixture fixture = { NULL, NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) refused = NULL;
  g_autofree char *token = NULL;

  if (!fixture_start (&fixture))
    return fixture_stop (&fixture);

  token = pf_test_oauth_mint (fixture.oauth, "someone-else@popfetch.test", 0, NULL, &error);
  g_assert_no_error (error);
  refused = login (&fixture, token, PF_AUTH_XOAUTH2);
  g_assert_error (refused, PF_ERROR, PF_ERROR_AUTH_REJECTED);

  fixture_stop (&fixture);
}

static void
test_revoked_token_refused (void)
{
  Fixture fixture = { NULL, NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) refused = NULL;
  g_autoptr(GError) bearer_refused = NULL;
  g_autofree char *token = NULL;

  if (!fixture_start (&fixture))
    return fixture_stop (&fixture);

  token = pf_test_oauth_mint (fixture.oauth, USER, 0, NULL, &error);
  g_assert_no_error (error);
  pf_test_oauth_revoke_user (fixture.oauth, USER, &error);
  g_assert_no_error (error);
  refused = login (&fixture, token, PF_AUTH_XOAUTH2);
  g_assert_error (refused, PF_ERROR, PF_ERROR_AUTH_REJECTED);
  bearer_refused = login (&fixture, token, PF_AUTH_OAUTHBEARER);
  g_assert_error (bearer_refused, PF_ERROR, PF_ERROR_AUTH_REJECTED);

  fixture_stop (&fixture);
}

static void
test_expired_token_refused (void)
{
  Fixture fixture = { NULL, NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) accepted = NULL;
  g_autoptr(GError) refused = NULL;
  g_autofree char *token = NULL;

  if (!fixture_start (&fixture))
    return fixture_stop (&fixture);

  token = pf_test_oauth_mint (fixture.oauth, USER, 0, NULL, &error);
  g_assert_no_error (error);
  accepted = login (&fixture, token, PF_AUTH_XOAUTH2);
  g_assert_no_error (accepted);
  pf_test_oauth_expire_access (fixture.oauth, USER, &error);
  g_assert_no_error (error);
  refused = login (&fixture, token, PF_AUTH_XOAUTH2);
  g_assert_error (refused, PF_ERROR, PF_ERROR_AUTH_REJECTED);

  fixture_stop (&fixture);
}

static void
test_password_users_unchanged (void)
{
  Fixture fixture = { NULL, NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) password = NULL;

  if (!fixture_start (&fixture))
    return fixture_stop (&fixture);

  /* The passwd-file passdb still answers next to the oauth2 one. */
  pf_test_dovecot_add_user (fixture.dovecot, "pw@popfetch.test", "secret-pw", &error);
  g_assert_no_error (error);
  {
    guint16 port = pf_test_dovecot_get_tls_port (fixture.dovecot);
    g_autoptr(PfServerSettings) settings = pf_server_settings_new ("127.0.0.1", port, PF_SECURITY_TLS);
    g_autoptr(PfPop3Client) client = NULL;

    pf_server_settings_set_timeout (settings, TIMEOUT);
    pf_server_settings_set_server_identity (settings, "localhost");
    pf_server_settings_set_tls_database (settings, pf_test_dovecot_get_tls_database (fixture.dovecot));
    client = pf_pop3_client_new_for_settings (settings);
    pf_test_pop3_connect (client, TIMEOUT * 2, &error);
    g_assert_no_error (error);
    pf_test_pop3_login (client, "pw@popfetch.test", "secret-pw", PF_AUTH_PLAIN, NULL, TIMEOUT * 2, &password);
    g_assert_no_error (password);
    pf_test_pop3_quit (client, TIMEOUT * 2);
    pf_test_pop3_drop (g_steal_pointer (&client), TIMEOUT);
  }

  fixture_stop (&fixture);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/lib/oauth/minted-token-logs-in", test_minted_token_logs_in);
  g_test_add_func ("/lib/oauth/other-users-token-refused", test_other_users_token_refused);
  g_test_add_func ("/lib/oauth/revoked-token-refused", test_revoked_token_refused);
  g_test_add_func ("/lib/oauth/expired-token-refused", test_expired_token_refused);
  g_test_add_func ("/lib/oauth/password-users-unchanged", test_password_users_unchanged);

  return g_test_run ();
}
