/* test-account-store.c — the accounts file: format, validation, atomicity
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <utime.h>

#include <glib/gstdio.h>

#include "pf-account-store.h"
#include "pf-error.h"
#include "pf-journal.h"
#include "pf-paths.h"
#include "pf-test-util.h"

static const char *self_path;

static PfAccount *
make_account (const char *name)
{
  PfAccount *account = pf_account_new (name);

  pf_account_set_address (account, "alice@example.org");
  pf_account_set_host (account, "pop.example.org");
  pf_account_set_port (account, 995);
  pf_account_set_security (account, PF_SECURITY_TLS);
  pf_account_set_user (account, "alice");
  return account;
}

static const char full_file[] =
  "# Popfetch accounts. Passwords are kept in the keyring, never here.\n"
  "\n"
  "[Account work]\n"
  "address=alice@example.org\n"
  "host=pop.example.org\n"
  "port=110\n"
  "security=starttls\n"
  "user=alice\n"
  "mechanism=SCRAM-SHA-256\n"
  "maildir=/home/alice/Mail/work\n"
  "policy=delete-after\n"
  "delete-after-days=14\n"
  "max-size=1048576\n"
  "pinned-sha256=00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\n"
  "ca-file=/etc/ssl/work.pem\n"
  "interval=15\n"
  "\n"
  "[Account home]\n"
  "address=bob@example.net\n"
  "host=127.0.0.1\n"
  "port=1110\n"
  "security=none\n"
  "user=bob\n"
  "mechanism=auto\n"
  "policy=keep\n"
  "allow-plaintext=true\n"
  "delete-on-server=true\n"
  "interval=0\n";

static void
test_parse_every_field (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) accounts = NULL;
  PfAccount *work;
  PfAccount *home;

  accounts = pf_account_store_parse (full_file, strlen (full_file), "accounts.ini", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (accounts->len, ==, 2);

  work = accounts->pdata[0];
  g_assert_cmpstr (pf_account_get_name (work), ==, "work");
  g_assert_cmpstr (pf_account_get_address (work), ==, "alice@example.org");
  g_assert_cmpstr (pf_account_get_host (work), ==, "pop.example.org");
  g_assert_cmpuint (pf_account_get_port (work), ==, 110);
  g_assert_cmpint (pf_account_get_security (work), ==, PF_SECURITY_STARTTLS);
  g_assert_cmpstr (pf_account_get_user (work), ==, "alice");
  g_assert_cmpint (pf_account_get_mechanism (work), ==, PF_AUTH_SCRAM_SHA_256);
  g_assert_cmpstr (pf_account_get_maildir (work), ==, "/home/alice/Mail/work");
  g_assert_cmpint (pf_account_get_policy (work), ==, PF_FETCH_DELETE_AFTER_DAYS);
  g_assert_cmpuint (pf_account_get_delete_after_days (work), ==, 14);
  g_assert_cmpuint (pf_account_get_max_size (work), ==, 1048576);
  g_assert_cmpstr (pf_account_get_pinned_fingerprint (work), ==,
                   "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff");
  g_assert_cmpstr (pf_account_get_ca_file (work), ==, "/etc/ssl/work.pem");
  g_assert_false (pf_account_get_allow_plaintext (work));
  g_assert_cmpuint (pf_account_get_interval (work), ==, 15);

  home = accounts->pdata[1];
  g_assert_cmpstr (pf_account_get_name (home), ==, "home");
  g_assert_cmpint (pf_account_get_security (home), ==, PF_SECURITY_NONE);
  g_assert_true (pf_account_get_allow_plaintext (home));
  g_assert_true (pf_account_get_delete_on_server (home));
  g_assert_false (pf_account_get_delete_on_server (work));
  g_assert_null (pf_account_get_maildir (home));
  g_assert_cmpint (pf_account_get_mechanism (home), ==, PF_AUTH_AUTO);
}

/* Serialising what was parsed gives back the same bytes. */
static void
test_round_trip_bytes (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) accounts = NULL;
  g_autoptr(GListStore) store = g_list_store_new (PF_TYPE_ACCOUNT);
  g_autofree char *data = NULL;
  gsize length;

  accounts = pf_account_store_parse (full_file, strlen (full_file), NULL, &error);
  g_assert_no_error (error);
  g_list_store_splice (store, 0, 0, accounts->pdata, accounts->len);

  data = pf_account_store_serialize (G_LIST_MODEL (store), &length);
  g_assert_cmpuint (length, ==, strlen (data));
  g_assert_cmpstr (data, ==, full_file);
}

/* OAuth2 accounts: a provider with overrides, GNOME Online Accounts, and
 * explicit endpoints (http on loopback) survive a round trip. */
static void
test_oauth2_round_trip (void)
{
  static const char text[] =
    "# Popfetch accounts. Passwords are kept in the keyring, never here.\n"
    "\n"
    "[Account company]\n"
    "address=ann@contoso.example\n"
    "host=outlook.office365.com\n"
    "port=995\n"
    "security=tls\n"
    "user=ann@contoso.example\n"
    "mechanism=auto\n"
    "policy=keep\n"
    "interval=0\n"
    "auth=oauth2\n"
    "oauth2-source=microsoft\n"
    "oauth2-authorize-url=https://login.microsoftonline.com/contoso.example/oauth2/v2.0/authorize\n"
    "oauth2-client-id=00000000-1111-2222-3333-444444444444\n"
    "\n"
    "[Account gmail]\n"
    "address=bob@gmail.com\n"
    "host=pop.gmail.com\n"
    "port=995\n"
    "security=tls\n"
    "user=bob@gmail.com\n"
    "mechanism=XOAUTH2\n"
    "policy=keep\n"
    "interval=0\n"
    "auth=oauth2\n"
    "oauth2-source=goa\n"
    "goa-account-id=account_1700000000_0\n"
    "\n"
    "[Account local]\n"
    "address=c@example.org\n"
    "host=pop.example.org\n"
    "port=995\n"
    "security=tls\n"
    "user=c@example.org\n"
    "mechanism=auto\n"
    "policy=keep\n"
    "interval=0\n"
    "auth=oauth2\n"
    "oauth2-authorize-url=http://127.0.0.1:8080/authorize\n"
    "oauth2-token-url=http://127.0.0.1:8080/token\n"
    "oauth2-client-id=popfetch\n"
    "oauth2-scope=pop offline_access\n";
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) accounts = NULL;
  g_autoptr(GListStore) store = g_list_store_new (PF_TYPE_ACCOUNT);
  g_autofree char *data = NULL;
  PfAccount *gmail;

  accounts = pf_account_store_parse (text, strlen (text), "accounts.ini", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (accounts->len, ==, 3);
  gmail = accounts->pdata[1];
  g_assert_cmpint (pf_account_get_auth (gmail), ==, PF_ACCOUNT_AUTH_OAUTH2);
  g_assert_cmpstr (pf_account_get_oauth2_source (gmail), ==, "goa");
  g_assert_cmpstr (pf_account_get_goa_account_id (gmail), ==, "account_1700000000_0");
  g_list_store_splice (store, 0, 0, accounts->pdata, accounts->len);
  data = pf_account_store_serialize (G_LIST_MODEL (store), NULL);
  g_assert_cmpstr (data, ==, text);
}

static void
test_defaults (void)
{
  static const char minimal[] =
    "[Account mini]\n"
    "address=carol@example.com\n"
    "host=pop.example.com\n";
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) accounts = NULL;
  g_autofree char *maildir = NULL;
  g_autofree char *expected = NULL;
  PfAccount *mini;

  accounts = pf_account_store_parse (minimal, strlen (minimal), NULL, &error);
  g_assert_no_error (error);
  mini = accounts->pdata[0];
  g_assert_cmpuint (pf_account_get_port (mini), ==, 995);
  g_assert_cmpint (pf_account_get_security (mini), ==, PF_SECURITY_TLS);
  g_assert_cmpstr (pf_account_get_user (mini), ==, "carol@example.com");
  g_assert_cmpint (pf_account_get_policy (mini), ==, PF_FETCH_KEEP);

  maildir = pf_account_dup_effective_maildir (mini);
  expected = g_build_filename (g_get_home_dir (), "Mail", "mini", NULL);
  g_assert_cmpstr (maildir, ==, expected);
}

typedef struct
{
  const char *text;
  const char *message_part;
} BadFile;

static void
test_invalid_fields_named (void)
{
  static const BadFile cases[] = {
    { "[Account a]\naddress=a@b.c\nhost=h\nport=70000\n", "port" },
    { "[Account a]\naddress=a@b.c\nhost=h\nport=-1\n", "port" },
    { "[Account a]\naddress=a@b.c\nhost=h\nport=0\n", "port" },
    { "[Account a]\naddress=a@b.c\nhost=h\nsecurity=ssl\n", "ssl" },
    { "[Account a]\naddress=a@b.c\nhost=h\nsecurity=none\n", "allow-plaintext" },
    { "[Account a]\naddress=a@b.c\nhost=h\nmechanism=KERBEROS4\n", "KERBEROS4" },
    { "[Account a]\naddress=a@b.c\nhost=h\npolicy=delete-after\n", "days" },
    { "[Account a]\naddress=a@b.c\nhost=h\npolicy=shred\n", "shred" },
    { "[Account a]\naddress=nobody\nhost=h\n", "nobody" },
    { "[Account a]\naddress=a@b.c\nhost=bad host\n", "bad host" },
    { "[Account a]\naddress=a@b.c\nhost=h\nmaildir=Mail/a\n", "absolute" },
    { "[Account a]\naddress=a@b.c\nhost=h\npinned-sha256=abcd\n", "fingerprint" },
    { "[Account a]\naddress=a@b.c\nhost=h\ninterval=99999999\n", "interval" },
    { "[Account a]\naddress=a@b.c\nhost=h\ndelete-on-server=yes\n", "delete-on-server" },
    { "[Account a]\naddress=a@b.c\nhost=h\nprot=110\n", "prot" },
    { "[Account a]\naddress=a@b.c\nhost=h\npassword=hunter2\n", "password" },
    { "[Account a]\naddress=a@b.c\nhost=h\nallow-plaintext=yes\n", "allow-plaintext" },
    { "[Settings]\nfoo=bar\n", "Settings" },
    { "[Account  a]\naddress=a@b.c\nhost=h\n", "name" },
    { "[Account a]\naddress=a@b.c\nhost=h\nauth=kerberos\n", "kerberos" },
    { "[Account a]\naddress=a@b.c\nhost=h\nauth=oauth2\n", "oauth2-source" },
    { "[Account a]\naddress=a@b.c\nhost=h\nauth=oauth2\noauth2-source=myspace\n", "myspace" },
    { "[Account a]\naddress=a@b.c\nhost=h\nauth=oauth2\noauth2-source=goa\n", "goa-account-id" },
    { "[Account a]\naddress=a@b.c\nhost=h\nauth=oauth2\noauth2-source=microsoft\nmechanism=PLAIN\n", "XOAUTH2" },
    { "[Account a]\naddress=a@b.c\nhost=h\nauth=oauth2\noauth2-authorize-url=https://id.example/a\n"
      "oauth2-token-url=http://id.example/t\noauth2-client-id=c\noauth2-scope=s\n", "https" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) accounts = NULL;

      accounts = pf_account_store_parse (cases[i].text, strlen (cases[i].text), "accounts.ini", &error);
      g_assert_null (accounts);
      g_assert_error (error, PF_ERROR, PF_ERROR_CONFIG);
      g_test_message ("case %u: %s", i, error->message);
      g_assert_nonnull (strstr (error->message, "accounts.ini"));
      g_assert_nonnull (strstr (error->message, cases[i].message_part));
    }
}

/* GKeyFile merges a repeated section, and keeps the last of a repeated
 * key, without a word: the second [Account work] would silently change
 * the first one's server. Both are refused with the line. */
static void
test_repeated_section_refused (void)
{
  static const struct {
    const char *text;
    const char *parts[3];
  } cases[] = {
    { "[Account work]\naddress=a@b.c\nhost=h\n\n# again\n[Account work]\nhost=evil.example\n",
      { "line 6", "[Account work]", "line 1" } },
    { "[Account a]\naddress=a@b.c\nhost=h\n[Account b]\naddress=b@b.c\nhost=h\n  [Account a]  \n",
      { "line 7", "[Account a]", "line 1" } },
    { "[Account a]\naddress=a@b.c\nhost=h\nhost = evil.example\n",
      { "line 4", "host", "line 3" } },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) accounts = NULL;

      accounts = pf_account_store_parse (cases[i].text, strlen (cases[i].text), "accounts.ini", &error);
      g_assert_null (accounts);
      g_assert_error (error, PF_ERROR, PF_ERROR_CONFIG);
      g_test_message ("case %u: %s", i, error->message);
      g_assert_nonnull (strstr (error->message, "accounts.ini"));
      for (guint j = 0; j < G_N_ELEMENTS (cases[i].parts); j++)
        g_assert_nonnull (strstr (error->message, cases[i].parts[j]));
    }
}

static void
test_validate_rejects (void)
{
  g_autoptr(PfAccount) account = make_account ("ok");
  g_autoptr(GError) error = NULL;

  g_assert_true (pf_account_validate (account, &error));
  g_assert_no_error (error);

  pf_account_set_user (account, "alice\r\nPASS x");
  g_assert_false (pf_account_validate (account, &error));
  g_assert_error (error, PF_ERROR, PF_ERROR_INVALID_INPUT);
  g_clear_error (&error);
  pf_account_set_user (account, "alice");

  pf_account_set_name (account, "a/b");
  g_assert_false (pf_account_validate (account, &error));
  g_assert_error (error, PF_ERROR, PF_ERROR_INVALID_INPUT);
  g_clear_error (&error);

  g_assert_false (pf_account_name_is_valid (""));
  g_assert_false (pf_account_name_is_valid (".."));
  g_assert_false (pf_account_name_is_valid ("x]"));
  g_assert_false (pf_account_name_is_valid (" lead"));
  g_assert_false (pf_account_name_is_valid ("tab\there"));
  g_assert_true (pf_account_name_is_valid ("Work mail"));
  g_assert_true (pf_account_name_is_valid ("alice@example.org"));

  g_assert_finalize_object (g_steal_pointer (&account));
}

static void
test_fingerprint_normalised (void)
{
  g_autofree char *a = pf_sha256_fingerprint_normalize ("00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:"
                                                        "00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF");
  g_autofree char *b = pf_sha256_fingerprint_normalize ("zz");
  g_autofree char *c = pf_sha256_fingerprint_normalize ("00112233");

  g_assert_cmpstr (a, ==, "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff");
  g_assert_null (b);
  g_assert_null (c);
}

static void
test_names_unique (void)
{
  g_autoptr(PfAccountStore) store = pf_account_store_new ("/nonexistent/accounts.ini");
  g_autoptr(PfAccount) first = make_account ("work");
  g_autoptr(PfAccount) second = make_account ("work");
  g_autoptr(PfAccount) third = make_account ("home");
  g_autoptr(PfAccount) renamed = make_account ("home");
  g_autoptr(GError) error = NULL;

  g_assert_true (pf_account_store_add (store, first, &error));
  g_assert_false (pf_account_store_add (store, second, &error));
  g_assert_error (error, PF_ERROR, PF_ERROR_INVALID_INPUT);
  g_clear_error (&error);
  g_assert_true (pf_account_store_add (store, third, &error));

  /* Renaming "work" to the taken "home" is refused too. */
  g_assert_false (pf_account_store_replace (store, "work", renamed, &error));
  g_assert_error (error, PF_ERROR, PF_ERROR_INVALID_INPUT);
  g_clear_error (&error);

  g_assert_true (pf_account_store_lookup (store, "work") == first);
  g_assert_true (pf_account_store_remove (store, "work"));
  g_assert_null (pf_account_store_lookup (store, "work"));
  g_assert_false (pf_account_store_remove (store, "work"));
}

/* Renaming keeps an account's mail in the folder it is in: the default
 * Maildir (~/Mail/NAME) is pinned when it exists; an account with no mail
 * yet, or with a Maildir of its own, is left as it is. */
static void
test_rename_keeps_maildir (void)
{
  g_autoptr(PfAccountStore) store = pf_account_store_new ("/nonexistent/accounts.ini");
  g_autoptr(PfAccount) work = make_account ("work");
  g_autoptr(PfAccount) home = make_account ("home");
  g_autoptr(PfAccount) own = make_account ("own");
  g_autoptr(PfAccount) edited = NULL;
  g_autofree char *work_folder = g_build_filename (g_get_home_dir (), "Mail", "work", "new", NULL);
  g_autofree char *old_folder = g_build_filename (g_get_home_dir (), "Mail", "work", NULL);
  g_autofree char *fresh_folder = g_build_filename (g_get_home_dir (), "Mail", "House", NULL);
  g_autofree char *effective = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (g_mkdir_with_parents (work_folder, 0700), ==, 0);
  pf_account_set_maildir (own, "/srv/mail/own");
  g_assert_true (pf_account_store_add (store, work, &error));
  g_assert_true (pf_account_store_add (store, home, &error));
  g_assert_true (pf_account_store_add (store, own, &error));

  /* Mail already in ~/Mail/work: the renamed account goes on using it. */
  edited = pf_account_copy (work);
  pf_account_set_name (edited, "Office");
  g_assert_true (pf_account_store_replace (store, "work", edited, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (pf_account_get_maildir (pf_account_store_lookup (store, "Office")), ==, old_folder);
  g_clear_object (&edited);

  /* Renamed again: the pinned folder simply stays. */
  edited = pf_account_copy (pf_account_store_lookup (store, "Office"));
  pf_account_set_name (edited, "Office 2");
  g_assert_true (pf_account_store_replace (store, "Office", edited, &error));
  g_assert_cmpstr (pf_account_get_maildir (pf_account_store_lookup (store, "Office 2")), ==, old_folder);
  g_clear_object (&edited);

  /* No mail fetched yet: the default follows the new name. */
  edited = pf_account_copy (home);
  pf_account_set_name (edited, "House");
  g_assert_true (pf_account_store_replace (store, "home", edited, &error));
  g_assert_null (pf_account_get_maildir (pf_account_store_lookup (store, "House")));
  effective = pf_account_dup_effective_maildir (pf_account_store_lookup (store, "House"));
  g_assert_cmpstr (effective, ==, fresh_folder);
  g_clear_object (&edited);

  /* A Maildir of its own is never touched. */
  edited = pf_account_copy (own);
  pf_account_set_name (edited, "Own");
  g_assert_true (pf_account_store_replace (store, "own", edited, &error));
  g_assert_cmpstr (pf_account_get_maildir (pf_account_store_lookup (store, "Own")), ==, "/srv/mail/own");
  g_clear_object (&edited);

  /* Any other change keeps the default as it was. */
  edited = pf_account_copy (pf_account_store_lookup (store, "House"));
  pf_account_set_port (edited, 110);
  pf_account_set_security (edited, PF_SECURITY_STARTTLS);
  g_assert_true (pf_account_store_replace (store, "House", edited, &error));
  g_assert_null (pf_account_get_maildir (pf_account_store_lookup (store, "House")));
}

static gboolean
load_store (PfAccountStore  *store,
            GError         **error)
{
  GAsyncResult *result = NULL;
  gboolean ok;

  pf_account_store_load_async (store, NULL, pf_test_store_result, &result);
  ok = pf_account_store_load_finish (store, pf_test_wait_result (&result, 10), error);
  g_object_unref (result);
  return ok;
}

static gboolean
save_store (PfAccountStore  *store,
            GError         **error)
{
  GAsyncResult *result = NULL;
  gboolean ok;

  pf_account_store_save_async (store, NULL, pf_test_store_result, &result);
  ok = pf_account_store_save_finish (store, pf_test_wait_result (&result, 10), error);
  g_object_unref (result);
  return ok;
}

/* A worker thread may hold the GTask, and through it the store, a moment
 * after the result arrived: wait for it, then require finalization. */
static void
assert_finalize_after_tasks (gpointer object)
{
  gpointer weak = object;
  gint64 deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;

  g_object_add_weak_pointer (G_OBJECT (object), &weak);
  g_object_unref (object);
  while (weak != NULL && g_get_monotonic_time () < deadline)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
  g_assert_null (weak);
}

static void
test_save_load_file (void)
{
  g_autofree char *path = pf_account_store_default_path ();
  g_autoptr(PfAccountStore) store = pf_account_store_new (NULL);
  g_autoptr(PfAccountStore) again = pf_account_store_new (NULL);
  g_autoptr(PfAccount) account = make_account ("work");
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  GStatBuf st;

  g_assert_cmpstr (pf_account_store_get_path (store), ==, path);
  g_assert_true (g_str_has_suffix (path, "/popfetch/accounts.ini"));

  /* Saving needs a successful load first; a missing file is an empty store. */
  g_assert_true (load_store (store, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (pf_account_store_get_accounts (store)), ==, 0);

  g_assert_true (pf_account_store_add (store, account, &error));
  g_assert_true (save_store (store, &error));
  g_assert_no_error (error);

  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  dir = g_path_get_dirname (path);
  g_assert_cmpint (g_stat (dir, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0700);

  g_assert_true (load_store (again, &error));
  g_assert_no_error (error);
  g_assert_nonnull (pf_account_store_lookup (again, "work"));
  g_assert_cmpstr (pf_account_get_host (pf_account_store_lookup (again, "work")), ==, "pop.example.org");

  assert_finalize_after_tasks (g_steal_pointer (&store));
  assert_finalize_after_tasks (g_steal_pointer (&again));
}

static gboolean
remember_mechanism (PfAccountStore   *store,
                    const char       *name,
                    PfAuthMechanism   mechanism,
                    GError          **error)
{
  GAsyncResult *result = NULL;
  gboolean ok;

  pf_account_store_remember_mechanism_async (store, name, mechanism, NULL, pf_test_store_result, &result);
  ok = pf_account_store_remember_mechanism_finish (store, pf_test_wait_result (&result, 10), error);
  g_object_unref (result);
  return ok;
}

/* A login that needed a second method (-PLUS or APOP refused as a method)
 * is remembered for an account left on "auto", and saved; an account
 * whose method the user chose keeps it. */
static void
test_remember_mechanism (void)
{
  g_autoptr(PfAccountStore) store = pf_account_store_new (NULL);
  g_autoptr(PfAccountStore) again = pf_account_store_new (NULL);
  g_autoptr(PfAccount) automatic = make_account ("auto");
  g_autoptr(PfAccount) chosen = make_account ("chosen");
  g_autoptr(GError) error = NULL;

  pf_account_set_mechanism (automatic, PF_AUTH_AUTO);
  pf_account_set_user (chosen, "someone-else");
  pf_account_set_mechanism (chosen, PF_AUTH_USER);
  g_assert_true (load_store (store, &error));
  g_assert_true (pf_account_store_add (store, automatic, &error));
  g_assert_true (pf_account_store_add (store, chosen, &error));
  g_assert_true (save_store (store, &error));
  g_assert_no_error (error);

  g_assert_true (remember_mechanism (store, "auto", PF_AUTH_SCRAM_SHA_256, &error));
  g_assert_no_error (error);
  g_assert_true (remember_mechanism (store, "chosen", PF_AUTH_PLAIN, &error));
  g_assert_no_error (error);
  g_assert_false (remember_mechanism (store, "missing", PF_AUTH_PLAIN, &error));
  g_assert_error (error, PF_ERROR, PF_ERROR_CONFIG);

  g_assert_true (load_store (again, NULL));
  g_assert_cmpint (pf_account_get_mechanism (pf_account_store_lookup (again, "auto")), ==, PF_AUTH_SCRAM_SHA_256);
  g_assert_cmpint (pf_account_get_mechanism (pf_account_store_lookup (again, "chosen")), ==, PF_AUTH_USER);

  assert_finalize_after_tasks (g_steal_pointer (&store));
  assert_finalize_after_tasks (g_steal_pointer (&again));
}

/* Two stores (two programs) read the file; the second to save would drop
 * the first one's change, so it saves nothing and says why. */
static void
test_concurrent_change_not_overwritten (void)
{
  g_autoptr(PfAccountStore) first = pf_account_store_new (NULL);
  g_autoptr(PfAccountStore) second = pf_account_store_new (NULL);
  g_autoptr(PfAccount) a = make_account ("from-first");
  g_autoptr(PfAccount) b = make_account ("from-second");
  g_autoptr(PfAccount) c = make_account ("from-second");
  g_autoptr(PfAccount) d = make_account ("again");
  g_autoptr(GError) error = NULL;
  g_autofree char *data = NULL;

  g_assert_true (load_store (first, &error));
  g_assert_true (load_store (second, &error));

  g_assert_true (pf_account_store_add (first, a, &error));
  g_assert_true (save_store (first, &error));
  g_assert_no_error (error);

  g_assert_true (pf_account_store_add (second, b, &error));
  g_assert_false (save_store (second, &error));
  g_assert_error (error, PF_ERROR, PF_ERROR_CONFIG);
  g_assert_nonnull (strstr (error->message, "changed by another program"));
  g_clear_error (&error);

  g_assert_true (g_file_get_contents (pf_account_store_get_path (first), &data, NULL, NULL));
  g_assert_nonnull (strstr (data, "[Account from-first]"));
  g_assert_null (strstr (data, "from-second"));

  /* After reading again, both changes live together. */
  g_assert_true (load_store (second, &error));
  g_assert_true (pf_account_store_add (second, c, &error));
  g_assert_true (save_store (second, &error));
  g_assert_no_error (error);
  g_clear_pointer (&data, g_free);
  g_assert_true (g_file_get_contents (pf_account_store_get_path (first), &data, NULL, NULL));
  g_assert_nonnull (strstr (data, "[Account from-first]"));
  g_assert_nonnull (strstr (data, "[Account from-second]"));

  /* A store's own saves follow each other without complaint. */
  g_assert_true (pf_account_store_add (second, d, &error));
  g_assert_true (save_store (second, &error));
  g_assert_true (pf_account_store_remove (second, "again"));
  g_assert_true (save_store (second, &error));
  g_assert_no_error (error);
}

/* A file the user broke by hand is reported with its line and left alone. */
static void
test_corrupt_reported_not_clobbered (void)
{
  static const char corrupt[] =
    "# mine\n"
    "[Account work]\n"
    "address=alice@example.org\n"
    "host=pop.example.org\n"
    "this line is broken\n"
    "port=995\n";
  g_autofree char *path = pf_account_store_default_path ();
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *after = NULL;
  g_autoptr(PfAccountStore) store = pf_account_store_new (NULL);
  g_autoptr(PfAccount) account = make_account ("new");
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_assert_true (g_file_set_contents (path, corrupt, -1, NULL));

  g_assert_false (load_store (store, &error));
  g_assert_error (error, PF_ERROR, PF_ERROR_CONFIG);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "line 5"));
  g_assert_nonnull (strstr (error->message, "this line is broken"));
  g_clear_error (&error);

  g_assert_true (pf_account_store_add (store, account, &error));
  g_assert_false (save_store (store, &error));
  g_assert_error (error, PF_ERROR, PF_ERROR_CONFIG);

  g_assert_true (g_file_get_contents (path, &after, NULL, NULL));
  g_assert_cmpstr (after, ==, corrupt);
}

/* The store has no place for a password: whatever the user does, the file
 * holds none. */
static void
test_file_never_holds_password (void)
{
  g_autoptr(PfAccountStore) store = pf_account_store_new (NULL);
  g_autoptr(PfAccount) account = make_account ("work");
  g_autoptr(GError) error = NULL;
  g_autofree char *data = NULL;

  g_assert_true (load_store (store, &error));
  g_assert_true (pf_account_store_add (store, account, &error));
  g_assert_true (save_store (store, &error));
  g_assert_true (g_file_get_contents (pf_account_store_get_path (store), &data, NULL, NULL));
  g_assert_null (strstr (data, "pass="));
  g_assert_null (strstr (data, "password="));
  g_assert_null (strstr (data, "secret"));
}

/* Child mode: save two different account sets in turns, forever. */
static int
save_loop (const char *path)
{
  g_autoptr(PfAccountStore) store = pf_account_store_new (path);
  g_autoptr(GError) error = NULL;
  guint round = 0;

  if (!load_store (store, &error))
    g_error ("%s", error->message);

  for (;;)
    {
      guint n = (round++ % 2) ? 40 : 3;

      g_list_store_remove_all (G_LIST_STORE (pf_account_store_get_accounts (store)));
      for (guint i = 0; i < n; i++)
        {
          g_autofree char *name = g_strdup_printf ("account-%u", i);
          g_autoptr(PfAccount) account = make_account (name);

          if (!pf_account_store_add (store, account, &error))
            g_error ("%s", error->message);
        }
      if (!save_store (store, &error))
        g_error ("%s", error->message);
    }
  return 0;
}

/* kill -9 at random points while saving: the file is always one complete
 * version, old or new, never half of one. */
static void
test_survives_kill_during_write (void)
{
  g_autofree char *path = pf_account_store_default_path ();
  GRand *rand = g_rand_new ();
  guint checked = 0;

  for (guint i = 0; i < 30; i++)
    {
      const char *argv[] = { self_path, "--save-loop", path, NULL };
      g_autoptr(GError) error = NULL;
      g_autofree char *data = NULL;
      g_autoptr(GPtrArray) accounts = NULL;
      GPid pid;
      int status;
      gsize length;

      g_assert_true (g_spawn_async (NULL, (char **) argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD,
                                    NULL, NULL, &pid, &error));
      g_assert_no_error (error);
      g_usleep (g_rand_int_range (rand, 20000, 120000));
      g_assert_cmpint (kill (pid, SIGKILL), ==, 0);
      g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
      g_assert_true (WIFSIGNALED (status));
      g_spawn_close_pid (pid);

      if (!g_file_get_contents (path, &data, &length, NULL))
        continue;   /* killed before its first save */

      accounts = pf_account_store_parse (data, length, path, &error);
      g_assert_no_error (error);
      g_assert_true (accounts->len == 3 || accounts->len == 40);
      checked++;
    }

  {
    g_autofree char *dir = g_path_get_dirname (path);
    g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
    const char *name;
    guint mid_write = 0;

    while ((name = g_dir_read_name (d)) != NULL)
      if (g_str_has_prefix (name, ".accounts.ini.") && !g_str_has_suffix (name, ".lock"))
        mid_write++;
    /* Each leftover temporary is a kill that landed inside a save. */
    g_test_message ("%u kills left a complete file; %u of them hit a save before its rename",
                    checked, mid_write);
  }
  g_assert_cmpuint (checked, >, 0);
  g_rand_free (rand);

  /* Temporaries of killed saves are cleared by a later load once they are
   * old; fresh ones (a save may be running) stay. */
  {
    g_autofree char *dir = g_path_get_dirname (path);
    g_autofree char *old_tmp = g_build_filename (dir, ".accounts.ini.AbC123", NULL);
    g_autofree char *new_tmp = g_build_filename (dir, ".accounts.ini.XyZ789", NULL);
    g_autoptr(PfAccountStore) store = pf_account_store_new (NULL);
    g_autoptr(GError) error = NULL;
    struct utimbuf old_time = { .actime = time (NULL) - 3600, .modtime = time (NULL) - 3600 };

    g_assert_true (g_file_set_contents (old_tmp, "half", -1, NULL));
    g_assert_true (g_file_set_contents (new_tmp, "half", -1, NULL));
    g_assert_cmpint (g_utime (old_tmp, &old_time), ==, 0);
    g_assert_true (load_store (store, &error));
    g_assert_no_error (error);
    g_assert_false (g_file_test (old_tmp, G_FILE_TEST_EXISTS));
    g_assert_true (g_file_test (new_tmp, G_FILE_TEST_EXISTS));
  }
}

/* The paths Popfetch shows for a mailbox's journal and lock are the ones
 * the fetcher really uses: keyed by host (any case) and user, inside the
 * state directory whatever the user name holds. */
static void
test_state_paths_match_journal (void)
{
  g_autofree char *state = pf_paths_state_dir ();
  g_autofree char *journal_path = pf_paths_account_journal ("POP.Example.org", "alice@example.org");
  g_autofree char *lower = pf_paths_account_journal ("pop.example.org", "alice@example.org");
  g_autofree char *lock_path = pf_paths_account_lock ("pop.example.org", "alice@example.org");
  g_autofree char *evil = pf_paths_account_journal ("h", "../../x/y");
  g_autofree char *evil_dir = g_path_get_dirname (evil);
  g_autoptr(GError) error = NULL;
  PfJournal *journal;

  g_assert_true (g_str_has_prefix (state, g_get_user_state_dir ()));
  g_assert_true (g_str_has_suffix (state, "/popfetch"));
  g_assert_cmpstr (journal_path, ==, lower);
  g_assert_true (g_str_has_suffix (journal_path, "/alice%40example.org@pop.example.org.journal"));
  g_assert_true (g_str_has_suffix (lock_path, "/alice%40example.org@pop.example.org.lock"));
  g_assert_cmpstr (evil_dir, ==, state);

  journal = pf_journal_open (state, "pop.example.org", "alice@example.org", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (pf_journal_get_path (journal), ==, journal_path);
  g_assert_true (g_file_test (lock_path, G_FILE_TEST_EXISTS));
  pf_journal_free (journal);
}

int
main (int   argc,
      char *argv[])
{
  if (argc == 3 && strcmp (argv[1], "--save-loop") == 0)
    return save_loop (argv[2]);

  self_path = argv[0];
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/accounts/store/parse/every-field", test_parse_every_field);
  g_test_add_func ("/accounts/store/remember-mechanism", test_remember_mechanism);
  g_test_add_func ("/accounts/store/serialize/round-trip-bytes", test_round_trip_bytes);
  g_test_add_func ("/accounts/store/parse/defaults", test_defaults);
  g_test_add_func ("/accounts/store/parse/oauth2-round-trip", test_oauth2_round_trip);
  g_test_add_func ("/accounts/store/parse/invalid-fields-named", test_invalid_fields_named);
  g_test_add_func ("/accounts/store/parse/repeated-section-refused", test_repeated_section_refused);
  g_test_add_func ("/accounts/account/validate/rejects", test_validate_rejects);
  g_test_add_func ("/accounts/account/fingerprint-normalised", test_fingerprint_normalised);
  g_test_add_func ("/accounts/store/names-unique", test_names_unique);
  g_test_add_func ("/accounts/store/rename-keeps-maildir", test_rename_keeps_maildir);
  g_test_add_func ("/accounts/store/save-load-file", test_save_load_file);
  g_test_add_func ("/accounts/store/concurrent-change-not-overwritten", test_concurrent_change_not_overwritten);
  g_test_add_func ("/accounts/store/corrupt-reported-not-clobbered", test_corrupt_reported_not_clobbered);
  g_test_add_func ("/accounts/store/file-never-holds-password", test_file_never_holds_password);
  g_test_add_func ("/accounts/store/survives-kill-during-write", test_survives_kill_during_write);
  g_test_add_func ("/accounts/paths/state-paths-match-journal", test_state_paths_match_journal);

  return g_test_run ();
}
