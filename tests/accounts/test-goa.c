/* test-goa.c — GNOME Online Accounts as a token source, against a stand-in
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 *   dbus-run-session --config-file=tests/lib/pf-test-session-bus.conf -- test-goa
 *
 * Each test starts tests/lib/pf-goa-service.py (org.gnome.OnlineAccounts
 * on the private session bus, with the accounts the test writes) and
 * reads back the calls it recorded. The bus starts no service on demand,
 * so with the stand-in stopped GOA is absent, as on a desktop without it.
 */

#include "config.h"

#include <glib/gstdio.h>

#include "pf-error.h"
#include "pf-account.h"
#include "pf-goa.h"
#include "pf-oauth2.h"
#include "pf-test-dovecot.h"
#include "pf-test-goa.h"
#include "pf-test-oauth.h"
#include "pf-test-util.h"

static GPtrArray *
list_accounts (void)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GPtrArray *accounts;

  pf_goa_list_mail_accounts_async (NULL, pf_test_store_result, &result);
  accounts = pf_goa_list_mail_accounts_finish (pf_test_wait_result (&result, 10), &error);
  g_assert_no_error (error);
  g_assert_nonnull (accounts);
  return accounts;
}

static PfSecret *
get_secret (PfCredentials  *credentials,
            GError        **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  pf_credentials_get_secret_async (credentials, NULL, pf_test_store_result, &result);
  return pf_credentials_get_secret_finish (credentials, pf_test_wait_result (&result, 10), error);
}

/* No token: the error that asks the user to sign in again, returned for
 * its words. */
static GError *
secret_refused (PfCredentials *credentials)
{
  g_autoptr(PfSecret) secret = NULL;
  GError *error = NULL;

  secret = get_secret (credentials, &error);
  g_assert_null (secret);
  g_assert_error (error, PF_OAUTH2_ERROR, PF_OAUTH2_ERROR_SIGN_IN_AGAIN);
  return error;
}

/* The calls the stand-in recorded so far are @expected. */
static void
assert_calls (PfTestGoa  *goa,
              const char *expected)
{
  g_autofree char *calls = pf_test_goa_dup_calls (goa);

  g_assert_cmpstr (calls, ==, expected);
}

#define ACCOUNTS \
  "{\"accounts\": [" \
  " {\"id\": \"account_1\", \"address\": \"Bob@Example.org\", \"provider_type\": \"google\"," \
  "  \"provider_name\": \"Google\", \"tokens\": [\"first-token\", \"second-token\"]}," \
  " {\"id\": \"account_2\", \"address\": \"alice@example.org\", \"provider_type\": \"ms365\"," \
  "  \"provider_name\": \"Microsoft 365\", \"tokens\": [\"alice-token\"]}," \
  " {\"id\": \"account_3\", \"address\": \"nomail@example.org\", \"mail_disabled\": true}," \
  " {\"id\": \"account_4\", \"address\": \"password@example.org\", \"oauth2\": false}," \
  " {\"id\": \"account_5\", \"address\": \"expired@example.org\", \"not_authorized\": true," \
  "  \"attention_needed\": true}" \
  "]}"

/* Only mail accounts with OAuth2 are offered, sorted by address; the
 * address is matched without regard to letter case. */
static void
test_chosen_by_address (void)
{
  PfTestGoa *goa = pf_test_goa_start (ACCOUNTS);
  g_autoptr(GPtrArray) accounts = list_accounts ();
  PfGoaAccount *account;

  g_assert_cmpuint (accounts->len, ==, 3);
  g_assert_cmpstr (((PfGoaAccount *) accounts->pdata[0])->address, ==, "alice@example.org");
  g_assert_cmpstr (((PfGoaAccount *) accounts->pdata[1])->address, ==, "Bob@Example.org");
  g_assert_cmpstr (((PfGoaAccount *) accounts->pdata[2])->address, ==, "expired@example.org");

  account = pf_goa_find_by_address (accounts, "bob@example.ORG");
  g_assert_nonnull (account);
  g_assert_cmpstr (account->id, ==, "account_1");
  g_assert_cmpstr (account->provider_type, ==, "google");
  g_assert_cmpstr (account->provider_name, ==, "Google");
  g_assert_cmpstr (account->object_path, ==, "/org/gnome/OnlineAccounts/Accounts/account_1");
  g_assert_false (account->attention_needed);

  g_assert_null (pf_goa_find_by_address (accounts, "nomail@example.org"));
  g_assert_null (pf_goa_find_by_address (accounts, "password@example.org"));
  g_assert_null (pf_goa_find_by_address (accounts, "carol@example.org"));
  g_assert_true (pf_goa_find_by_address (accounts, "expired@example.org")->attention_needed);
  g_assert_nonnull (pf_goa_find_by_id (accounts, "account_2"));
  g_assert_null (pf_goa_find_by_id (accounts, "account_3"));

  {
    g_autofree char *why = pf_goa_explain_missing (accounts, "carol@example.org");

    g_assert_nonnull (strstr (why, "no mail account for carol@example.org"));
  }

  pf_test_goa_stop (goa);
}

/* The access token comes from OAuth2Based.GetAccessToken of the account
 * with that Id, each time the engine asks. */
static void
test_token (void)
{
  PfTestGoa *goa = pf_test_goa_start (ACCOUNTS);
  g_autoptr(PfCredentials) credentials = pf_goa_credentials_new ("account_2");
  g_autoptr(PfSecret) secret = NULL;
  g_autoptr(GError) error = NULL;

  secret = get_secret (credentials, &error);
  g_assert_no_error (error);
  g_assert_cmpint (pf_secret_get_kind (secret), ==, PF_SECRET_ACCESS_TOKEN);
  g_assert_cmpstr (pf_secret_get_value (secret), ==, "alice-token");

  assert_calls (goa, "GetManagedObjects -\nGetAccessToken account_2\n");

  pf_test_goa_stop (goa);
  pf_test_assert_finalized (g_steal_pointer (&credentials), 5);
}

/* A token the server refused: the next one is asked for after GOA checked
 * the sign-in, and only once. */
static void
test_invalidate_asks_again (void)
{
  PfTestGoa *goa = pf_test_goa_start (ACCOUNTS);
  g_autoptr(PfCredentials) credentials = pf_goa_credentials_new ("account_1");
  g_autoptr(GError) error = NULL;

  {
    g_autoptr(PfSecret) first = get_secret (credentials, &error);

    g_assert_no_error (error);
    g_assert_cmpstr (pf_secret_get_value (first), ==, "first-token");
    pf_credentials_invalidate (credentials, first);
  }
  {
    g_autoptr(PfSecret) second = get_secret (credentials, &error);

    g_assert_no_error (error);
    g_assert_cmpstr (pf_secret_get_value (second), ==, "second-token");
  }

  assert_calls (goa,
                "GetManagedObjects -\nGetAccessToken account_1\n"
                "GetManagedObjects -\nEnsureCredentials account_1\nGetAccessToken account_1\n");
  pf_test_goa_stop (goa);
}

/* GOA says the user must sign in again: a rejection in words, never a
 * token, and nothing else is tried. */
static void
test_not_authorized (void)
{
  PfTestGoa *goa = pf_test_goa_start (ACCOUNTS);
  g_autoptr(PfCredentials) credentials = pf_goa_credentials_new ("account_5");
  g_autoptr(GError) error = NULL;

  error = secret_refused (credentials);
  g_assert_nonnull (strstr (error->message, "expired@example.org"));
  g_assert_nonnull (strstr (error->message, "Online Accounts"));

  pf_test_goa_stop (goa);
}

/* An account removed from GOA since setup. */
static void
test_account_gone (void)
{
  PfTestGoa *goa = pf_test_goa_start (ACCOUNTS);
  g_autoptr(PfCredentials) credentials = pf_goa_credentials_new ("account_9");
  g_autoptr(GError) error = NULL;

  error = secret_refused (credentials);
  g_assert_nonnull (strstr (error->message, "no longer has"));

  pf_test_goa_stop (goa);
}

/* Nobody owns org.gnome.OnlineAccounts and the bus cannot start it: an
 * empty list, and credentials that say so plainly. */
static void
test_absent (void)
{
  g_autoptr(GPtrArray) accounts = list_accounts ();
  g_autoptr(PfCredentials) credentials = pf_goa_credentials_new ("account_1");
  g_autoptr(GError) error = NULL;
  g_autofree char *why = NULL;

  g_assert_cmpuint (accounts->len, ==, 0);
  g_assert_null (pf_goa_find_by_address (accounts, "bob@example.org"));
  why = pf_goa_explain_missing (accounts, "bob@example.org");
  g_assert_nonnull (strstr (why, "not available"));

  error = secret_refused (credentials);
  g_assert_nonnull (strstr (error->message, "not available"));
}

/* ---- the road, against Dovecot's oauth2 passdb ---------------------------- */

#define MAIL_USER "goa@popfetch.test"

static const char message[] =
  "From: a@example.org\nTo: " MAIL_USER "\nSubject: through GOA\n\nhello\n";

typedef struct
{
  PfTestOAuth   *oauth;
  PfTestDovecot *dovecot;
  char          *dir;
  PfTestGoa     *goa;
} Road;

/* Dovecot checks every token at the test authorization server; GOA (the
 * stand-in) hands out @first_token once, then tokens minted there. */
static Road *
road_start (const char *first_token)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *introspect = NULL;
  g_autofree char *mint_url = NULL;
  g_autofree char *config = NULL;
  Road *road = g_new0 (Road, 1);

  road->oauth = pf_test_oauth_start_or_skip ();
  if (road->oauth == NULL)
    {
      g_free (road);
      return NULL;
    }
  introspect = pf_test_oauth_get_url (road->oauth, "/introspect");
  road->dovecot = pf_test_dovecot_start_oauth2_or_skip (introspect);
  if (road->dovecot == NULL)
    {
      pf_test_oauth_stop (road->oauth);
      g_free (road);
      return NULL;
    }
  g_assert_true (pf_test_dovecot_add_oauth2_user (road->dovecot, MAIL_USER, &error));
  g_assert_no_error (error);
  g_assert_true (pf_test_dovecot_add_message (road->dovecot, MAIL_USER, message,
                                              sizeof message - 1, &error));
  g_assert_no_error (error);

  mint_url = pf_test_oauth_get_url (road->oauth, "/control");
  config = g_strdup_printf ("{\"accounts\": [{\"id\": \"account_7\", \"address\": \"%s\","
                            " \"tokens\": [%s%s%s], \"mint_url\": \"%s\","
                            " \"mint_body\": \"action=mint&user=%s\"}]}",
                            MAIL_USER, first_token ? "\"" : "", first_token ? first_token : "",
                            first_token ? "\"" : "", mint_url, MAIL_USER);
  road->goa = pf_test_goa_start (config);
  road->dir = g_dir_make_tmp ("pf-goa-road-XXXXXX", &error);
  g_assert_no_error (error);
  return road;
}

static void
road_stop (Road *road)
{
  g_autofree char *rm = g_strdup_printf ("rm -rf '%s'", road->dir);

  pf_test_goa_stop (road->goa);
  pf_test_dovecot_stop (road->dovecot);
  pf_test_oauth_stop (road->oauth);
  g_assert_true (g_spawn_command_line_sync (rm, NULL, NULL, NULL, NULL));
  g_free (road->dir);
  g_free (road);
}

static PfAccount *
goa_account (Road *road)
{
  PfAccount *account = pf_account_new ("GOA");
  g_autofree char *maildir = g_build_filename (road->dir, "Mail", NULL);

  pf_account_set_address (account, MAIL_USER);
  pf_account_set_host (account, "localhost");
  pf_account_set_port (account, pf_test_dovecot_get_tls_port (road->dovecot));
  pf_account_set_security (account, PF_SECURITY_TLS);
  pf_account_set_user (account, MAIL_USER);
  pf_account_set_ca_file (account, pf_test_dovecot_get_ca_file (road->dovecot));
  pf_account_set_maildir (account, maildir);
  pf_account_set_auth (account, PF_ACCOUNT_AUTH_OAUTH2);
  pf_account_set_oauth2_source (account, PF_ACCOUNT_OAUTH2_SOURCE_GOA);
  pf_account_set_goa_account_id (account, "account_7");
  return account;
}

/* The saved GOA account fetches the one message of the road; returns the
 * mechanism it signed in with. */
static PfAuthMechanism
fetch_the_message (Road *road)
{
  g_autoptr(PfAccount) account = goa_account (road);
  g_autoptr(PfFetcher) fetcher = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *state = g_build_filename (road->dir, "state", NULL);
  g_autoptr(PfFetchResult) fetched = NULL;

  fetcher = pf_account_create_fetcher (account, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (fetcher);
  pf_fetcher_set_state_dir (fetcher, state);
  pf_fetcher_run_async (fetcher, NULL, pf_test_store_result, &result);
  fetched = pf_fetcher_run_finish (fetcher, pf_test_wait_result (&result, 60), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (fetched->fetched, ==, 1);
  return fetched->mechanism;
}

/* A saved account with oauth2-source=goa fetches with GOA's token, which
 * Dovecot checks at the authorization server. */
static void
test_fetch_dovecot (void)
{
  Road *road = road_start (NULL);
  PfAuthMechanism mechanism;

  if (road == NULL)
    return;
  mechanism = fetch_the_message (road);
  g_assert_true (mechanism == PF_AUTH_XOAUTH2 || mechanism == PF_AUTH_OAUTHBEARER);

  assert_calls (road->goa, "GetManagedObjects -\nGetAccessToken account_7\n");
  road_stop (road);
}

/* Dovecot refuses GOA's first token: the road asks GOA once more (after
 * EnsureCredentials) and the fetch goes through with the new one. */
static void
test_rejected_token_retried (void)
{
  Road *road = road_start ("at-stale-token-the-server-never-issued");

  if (road == NULL)
    return;
  fetch_the_message (road);

  assert_calls (road->goa,
                "GetManagedObjects -\nGetAccessToken account_7\n"
                "GetManagedObjects -\nEnsureCredentials account_7\nGetAccessToken account_7\n");
  road_stop (road);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/accounts/goa/absent", test_absent);
  g_test_add_func ("/accounts/goa/chosen-by-address", test_chosen_by_address);
  g_test_add_func ("/accounts/goa/token", test_token);
  g_test_add_func ("/accounts/goa/rejected-token-asks-again", test_invalidate_asks_again);
  g_test_add_func ("/accounts/goa/not-authorized", test_not_authorized);
  g_test_add_func ("/accounts/goa/account-gone", test_account_gone);
  g_test_add_func ("/accounts/goa/fetch-dovecot", test_fetch_dovecot);
  g_test_add_func ("/accounts/goa/rejected-token-retried", test_rejected_token_retried);

  return g_test_run ();
}
