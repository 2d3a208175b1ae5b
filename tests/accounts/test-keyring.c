/* test-keyring.c — passwords in a real gnome-keyring, and what mpop sees
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <signal.h>
#include <string.h>

#include <glib/gstdio.h>

#include "pf-account-store.h"
#include "pf-error.h"
#include "pf-keyring.h"
#include "pf-journal.h"
#include "pf-keyring-credentials.h"
#include "pf-paths.h"
#include "pf-test-util.h"

#define HOST "pop.example.org"
#define USER "kr-user@example.org"

/* mpop's own lookup: its schema name, which it tells libsecret not to
 * match, and exactly the attributes host, service and user. */
static const SecretSchema mpop_schema = {
  "de.marlam.mpop.password", SECRET_SCHEMA_DONT_MATCH_NAME,
  {
    { "host", SECRET_SCHEMA_ATTRIBUTE_STRING },
    { "service", SECRET_SCHEMA_ATTRIBUTE_STRING },
    { "user", SECRET_SCHEMA_ATTRIBUTE_STRING },
    { "NULL", 0 },
  }
};

static gboolean
have_keyring (void)
{
  return pf_test_require (g_getenv ("PF_TEST_KEYRING") != NULL,
                          "REQUIRE_KEYRING",
                          "no private D-Bus session with gnome-keyring (run under the keyring wrapper)");
}

static gboolean
store_password (const char  *password,
                GError     **error)
{
  GAsyncResult *result = NULL;
  gboolean ok;

  pf_keyring_store_async ("work", HOST, USER, password, NULL, pf_test_store_result, &result);
  ok = pf_keyring_store_finish (pf_test_wait_result (&result, 30), error);
  g_object_unref (result);
  return ok;
}

static char *
lookup_password (GError **error)
{
  GAsyncResult *result = NULL;
  char *password;

  pf_keyring_lookup_async (HOST, USER, NULL, pf_test_store_result, &result);
  password = pf_keyring_lookup_finish (pf_test_wait_result (&result, 30), error);
  g_object_unref (result);
  return password;
}

static gboolean
clear_password (GError **error)
{
  GAsyncResult *result = NULL;
  gboolean ok;

  pf_keyring_clear_async (HOST, USER, NULL, pf_test_store_result, &result);
  ok = pf_keyring_clear_finish (pf_test_wait_result (&result, 30), error);
  g_object_unref (result);
  return ok;
}

static char *
mpop_lookup (void)
{
  GAsyncResult *result = NULL;
  g_autoptr(GError) error = NULL;
  char *password;

  secret_password_lookup (&mpop_schema, NULL, pf_test_store_result, &result,
                          "host", HOST, "service", "pop3", "user", USER, NULL);
  password = secret_password_lookup_finish (pf_test_wait_result (&result, 30), &error);
  g_assert_no_error (error);
  g_object_unref (result);
  return password;
}

static char *
secret_tool_search (void)
{
  const char *argv[] = { "secret-tool", "search", "--all", "service", "pop3", "user", USER, NULL };
  g_autoptr(GError) error = NULL;
  g_autofree char *err = NULL;
  char *out = NULL;
  int status;

  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH,
                               NULL, NULL, &out, &err, &status, &error));
  g_assert_no_error (error);
  /* secret-tool prints the attributes on stderr and the secret on stdout
   * in some versions; read both. */
  {
    char *both = g_strconcat (out, err, NULL);
    g_free (out);
    return both;
  }
}

static guint
count_lines_with (const char *text,
                  const char *needle)
{
  guint n = 0;

  for (const char *p = strstr (text, needle); p != NULL; p = strstr (p + 1, needle))
    n++;
  return n;
}

static void
test_store_found_by_mpop_attributes (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *search = NULL;
  g_autofree char *mpop = NULL;

  if (!have_keyring () || !pf_test_require_program ("secret-tool", "REQUIRE_KEYRING"))
    return;

  g_assert_true (store_password ("first secret", &error));
  g_assert_no_error (error);

  search = secret_tool_search ();
  g_test_message ("%s", search);
  g_assert_nonnull (strstr (search, "label = Popfetch: work (" USER "@" HOST ")"));
  g_assert_nonnull (strstr (search, "secret = first secret"));
  g_assert_nonnull (strstr (search, "attribute.host = " HOST));
  g_assert_nonnull (strstr (search, "attribute.service = pop3"));
  g_assert_nonnull (strstr (search, "attribute.user = " USER));
  g_assert_nonnull (strstr (search, "schema = " PF_KEYRING_SCHEMA_NAME));

  /* The exact query mpop 1.4 runs finds the same password. */
  mpop = mpop_lookup ();
  g_assert_cmpstr (mpop, ==, "first secret");
}

static void
test_lookup_replace_clear (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PfWipedString) first = NULL;
  g_autoptr(PfWipedString) second = NULL;
  g_autoptr(PfWipedString) gone = NULL;
  g_autofree char *search = NULL;
  g_autofree char *after = NULL;

  if (!have_keyring () || !pf_test_require_program ("secret-tool", "REQUIRE_KEYRING"))
    return;

  g_assert_true (store_password ("first secret", &error));
  first = lookup_password (&error);
  g_assert_no_error (error);
  g_assert_cmpstr (first, ==, "first secret");

  /* Storing again replaces: one item, the new secret. */
  g_assert_true (store_password ("second secret", &error));
  g_assert_no_error (error);
  second = lookup_password (&error);
  g_assert_no_error (error);
  g_assert_cmpstr (second, ==, "second secret");
  search = secret_tool_search ();
  g_assert_cmpuint (count_lines_with (search, "attribute.user = " USER), ==, 1);

  g_assert_true (clear_password (&error));
  g_assert_no_error (error);
  gone = lookup_password (&error);
  g_assert_null (gone);
  g_assert_error (error, PF_ERROR, PF_ERROR_NO_PASSWORD);
  g_clear_error (&error);
  after = secret_tool_search ();
  g_assert_null (strstr (after, "attribute.user = " USER));

  /* Clearing what is not there is not an error. */
  g_assert_true (clear_password (&error));
  g_assert_no_error (error);
}

/* An item another program stored under the same attributes is neither read
 * nor cleared by Popfetch. */
static void
test_other_schema_left_alone (void)
{
  const char *argv[] = { "secret-tool", "store", "--label=mpop", "xdg:schema", "de.marlam.mpop.password",
                         "host", HOST, "service", "pop3", "user", USER, NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(PfWipedString) password = NULL;
  g_autofree char *search = NULL;
  GSubprocess *proc;

  if (!have_keyring () || !pf_test_require_program ("secret-tool", "REQUIRE_KEYRING"))
    return;

  proc = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDIN_PIPE, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_communicate_utf8 (proc, "mpop's own", NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_successful (proc));
  g_object_unref (proc);

  password = lookup_password (&error);
  g_assert_error (error, PF_ERROR, PF_ERROR_NO_PASSWORD);
  g_clear_error (&error);

  g_assert_true (clear_password (&error));
  search = secret_tool_search ();
  g_assert_nonnull (strstr (search, "secret = mpop's own"));
}

/* Locking the login collection leaves no way to unlock it headless: the
 * prompt cannot be shown, so every call says the keyring is locked. Runs
 * in its own keyring session (it cannot be undone without a prompt). */
static void
test_locked_documented_error (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SecretService) service = NULL;
  g_autoptr(PfWipedString) password = NULL;
  g_autoptr(SecretCollection) collection = NULL;
  GAsyncResult *result = NULL;
  GList *objects;

  if (!have_keyring ())
    return;

  g_assert_true (store_password ("before lock", &error));
  g_assert_no_error (error);

  secret_service_get (SECRET_SERVICE_LOAD_COLLECTIONS, NULL, pf_test_store_result, &result);
  service = secret_service_get_finish (pf_test_wait_result (&result, 30), &error);
  g_assert_no_error (error);
  g_clear_object (&result);

  secret_collection_for_alias (service, SECRET_COLLECTION_DEFAULT, SECRET_COLLECTION_NONE,
                               NULL, pf_test_store_result, &result);
  collection = secret_collection_for_alias_finish (pf_test_wait_result (&result, 30), &error);
  g_assert_no_error (error);
  g_assert_nonnull (collection);
  g_clear_object (&result);

  objects = g_list_prepend (NULL, collection);
  secret_service_lock (service, objects, NULL, pf_test_store_result, &result);
  g_list_free (objects);
  g_assert_cmpint (secret_service_lock_finish (service, pf_test_wait_result (&result, 30), NULL, &error), ==, 1);
  g_assert_no_error (error);
  g_clear_object (&result);

  password = lookup_password (&error);
  g_assert_null (password);
  g_assert_error (error, PF_ERROR, PF_ERROR_KEYRING_LOCKED);
  g_clear_error (&error);

  g_assert_false (store_password ("after lock", &error));
  g_assert_error (error, PF_ERROR, PF_ERROR_KEYRING_LOCKED);
}

/* The unavailable cases run in a subprocess whose session bus address is
 * set before anything touches D-Bus. */
static void
unavailable_child (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PfWipedString) password = NULL;

  g_setenv ("DBUS_SESSION_BUS_ADDRESS", g_getenv ("PF_TEST_BUS_ADDRESS"), TRUE);

  password = lookup_password (&error);
  g_assert_null (password);
  g_assert_error (error, PF_ERROR, PF_ERROR_KEYRING_UNAVAILABLE);
  g_clear_error (&error);

  g_assert_false (store_password ("nowhere", &error));
  g_assert_error (error, PF_ERROR, PF_ERROR_KEYRING_UNAVAILABLE);
  g_clear_error (&error);

  g_assert_false (clear_password (&error));
  g_assert_error (error, PF_ERROR, PF_ERROR_KEYRING_UNAVAILABLE);
}

static void
test_no_session_bus (void)
{
  if (g_test_subprocess ())
    {
      unavailable_child ();
      return;
    }

  g_setenv ("PF_TEST_BUS_ADDRESS", "unix:path=/nonexistent/popfetch-test-bus", TRUE);
  g_test_trap_subprocess (NULL, 60 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
}

/* A session bus with nothing that provides org.freedesktop.secrets. */
static void
test_no_keyring_daemon (void)
{
  g_autofree char *dir = NULL;
  g_autofree char *config = NULL;
  g_autofree char *config_path = NULL;
  g_autofree char *address = NULL;
  g_autoptr(GSubprocess) daemon = NULL;
  g_autoptr(GDataInputStream) lines = NULL;
  g_autoptr(GError) error = NULL;

  if (g_test_subprocess ())
    {
      unavailable_child ();
      return;
    }

  if (!pf_test_require_program ("dbus-daemon", "REQUIRE_KEYRING"))
    return;

  dir = g_dir_make_tmp ("pf-bus-XXXXXX", &error);
  g_assert_no_error (error);
  config = g_strdup_printf ("<!DOCTYPE busconfig PUBLIC \"-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN\"\n"
                            " \"http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd\">\n"
                            "<busconfig>\n"
                            "  <type>session</type>\n"
                            "  <listen>unix:dir=%s</listen>\n"
                            "  <policy context=\"default\">\n"
                            "    <allow send_destination=\"*\" eavesdrop=\"true\"/>\n"
                            "    <allow eavesdrop=\"true\"/>\n"
                            "    <allow own=\"*\"/>\n"
                            "  </policy>\n"
                            "</busconfig>\n", dir);
  config_path = g_build_filename (dir, "bus.conf", NULL);
  g_assert_true (g_file_set_contents (config_path, config, -1, NULL));

  daemon = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error,
                             "dbus-daemon", "--nofork", "--print-address=1",
                             "--config-file", config_path, NULL);
  g_assert_no_error (error);
  lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (daemon));
  address = g_data_input_stream_read_line (lines, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (address);

  g_setenv ("PF_TEST_BUS_ADDRESS", address, TRUE);
  g_test_trap_subprocess (NULL, 60 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_subprocess_send_signal (daemon, SIGTERM);
  g_subprocess_wait (daemon, NULL, NULL);
  g_test_trap_assert_passed ();
}

/* ---- The accounts layer's edit and remove, against the real keyring ---- */

#define PIN "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"

static char *
lookup_for (const char  *host,
            const char  *user,
            GError     **error)
{
  GAsyncResult *result = NULL;
  char *password;

  pf_keyring_lookup_async (host, user, NULL, pf_test_store_result, &result);
  password = pf_keyring_lookup_finish (pf_test_wait_result (&result, 30), error);
  g_object_unref (result);
  return password;
}

static void
store_for (const char *name,
           const char *host,
           const char *user,
           const char *password)
{
  GAsyncResult *result = NULL;
  g_autoptr(GError) error = NULL;

  pf_keyring_store_async (name, host, user, password, NULL, pf_test_store_result, &result);
  g_assert_true (pf_keyring_store_finish (pf_test_wait_result (&result, 30), &error));
  g_assert_no_error (error);
  g_object_unref (result);
}

/* The password of (host, user), or NULL when none is stored. */
static char *
password_of (const char *host,
             const char *user)
{
  g_autoptr(GError) error = NULL;
  char *password = lookup_for (host, user, &error);

  if (password == NULL)
    g_assert_error (error, PF_ERROR, PF_ERROR_NO_PASSWORD);
  return password;
}

static PfAccount *
account_for (const char *name,
             const char *host,
             const char *user)
{
  PfAccount *account = pf_account_new (name);

  pf_account_set_address (account, "shared@example.org");
  pf_account_set_host (account, host);
  pf_account_set_port (account, 995);
  pf_account_set_user (account, user);
  return account;
}

/* A loaded store (in the test's own config dir) with @first and @second. */
static PfAccountStore *
store_with (PfAccount *first,
            PfAccount *second)
{
  g_autofree char *path = g_build_filename (g_get_user_config_dir (), "edit-accounts.ini", NULL);
  PfAccountStore *store;
  GAsyncResult *result = NULL;
  g_autoptr(GError) error = NULL;

  g_unlink (path);
  store = pf_account_store_new (path);
  pf_account_store_load_async (store, NULL, pf_test_store_result, &result);
  g_assert_true (pf_account_store_load_finish (store, pf_test_wait_result (&result, 30), &error));
  g_assert_no_error (error);
  g_clear_object (&result);
  g_assert_true (pf_account_store_add (store, first, &error));
  if (second != NULL)
    g_assert_true (pf_account_store_add (store, second, &error));
  g_assert_no_error (error);
  return store;
}

static gboolean
update (PfAccountStore  *store,
        const char      *name,
        PfAccount       *account,
        GError         **error)
{
  GAsyncResult *result = NULL;
  gboolean ok;

  pf_account_store_update_async (store, name, account, NULL, pf_test_store_result, &result);
  ok = pf_account_store_update_finish (store, pf_test_wait_result (&result, 30), error);
  g_object_unref (result);
  return ok;
}

static gboolean
remove_account (PfAccountStore  *store,
                const char      *name,
                GError         **error)
{
  GAsyncResult *result = NULL;
  gboolean ok;

  pf_account_store_remove_async (store, name, NULL, pf_test_store_result, &result);
  ok = pf_account_store_remove_finish (store, pf_test_wait_result (&result, 30), error);
  g_object_unref (result);
  return ok;
}

/* Two accounts log in to one mailbox: removing one keeps the password the
 * other still uses; removing the last clears it. */
static void
test_remove_keeps_shared_password (void)
{
  g_autoptr(PfAccount) keep = account_for ("keeper", "pop.shared.test", "shared");
  g_autoptr(PfAccount) drop = account_for ("dropper", "pop.shared.test", "shared");
  g_autoptr(PfAccountStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *still = NULL;
  g_autofree char *gone = NULL;

  if (!have_keyring ())
    return;

  store = store_with (keep, drop);
  store_for ("keeper", "pop.shared.test", "shared", "one mailbox");

  g_assert_true (remove_account (store, "dropper", &error));
  g_assert_no_error (error);
  g_assert_null (pf_account_store_lookup (store, "dropper"));
  still = password_of ("pop.shared.test", "shared");
  g_assert_cmpstr (still, ==, "one mailbox");

  g_assert_true (remove_account (store, "keeper", &error));
  g_assert_no_error (error);
  gone = password_of ("pop.shared.test", "shared");
  g_assert_null (gone);
}

/* Moving one of two accounts that share a mailbox to another host takes
 * the password along and leaves the other's in place. */
static void
test_update_moves_password_keeps_shared (void)
{
  g_autoptr(PfAccount) keep = account_for ("keeper", "pop.shared.test", "shared");
  g_autoptr(PfAccount) move = account_for ("mover", "pop.shared.test", "shared");
  g_autoptr(PfAccount) edited = NULL;
  g_autoptr(PfAccountStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *old_item = NULL;
  g_autofree char *new_item = NULL;

  if (!have_keyring ())
    return;

  store = store_with (keep, move);
  store_for ("keeper", "pop.shared.test", "shared", "one mailbox");

  edited = pf_account_copy (move);
  pf_account_set_host (edited, "pop.moved.test");
  g_assert_true (update (store, "mover", edited, &error));
  g_assert_no_error (error);
  g_assert_true (pf_account_store_lookup (store, "mover") == edited);

  old_item = password_of ("pop.shared.test", "shared");
  new_item = password_of ("pop.moved.test", "shared");
  g_assert_cmpstr (old_item, ==, "one mailbox");
  g_assert_cmpstr (new_item, ==, "one mailbox");
}

/* Alone on its mailbox, an account that changes user moves its password
 * and clears the old item. */
static void
test_update_moves_password_alone (void)
{
  g_autoptr(PfAccount) alone = account_for ("alone", "pop.alone.test", "before");
  g_autoptr(PfAccount) edited = NULL;
  g_autoptr(PfAccountStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *old_item = NULL;
  g_autofree char *new_item = NULL;

  if (!have_keyring ())
    return;

  store = store_with (alone, NULL);
  store_for ("alone", "pop.alone.test", "before", "mine");

  edited = pf_account_copy (alone);
  pf_account_set_user (edited, "after");
  g_assert_true (update (store, "alone", edited, &error));
  g_assert_no_error (error);

  old_item = password_of ("pop.alone.test", "before");
  new_item = password_of ("pop.alone.test", "after");
  g_assert_null (old_item);
  g_assert_cmpstr (new_item, ==, "mine");
}

/* The journal of account @name in the state directory, created; its path. */
static char *
journal_of (const char *name)
{
  g_autofree char *state = pf_paths_state_dir ();
  g_autofree char *key = pf_journal_saved_account_key (name);
  g_autoptr(GError) error = NULL;
  g_autoptr(PfJournal) journal = pf_journal_open_keyed (state, key, NULL, name, &error);
  char *path;

  g_assert_no_error (error);
  path = g_strdup (pf_journal_get_path (journal));
  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    g_assert_true (g_file_set_contents (path, "", 0, NULL));
  return path;
}

/* A saved account's journal is keyed by its name: a rename through the
 * accounts layer takes it along (for the CLI and the app alike), so the
 * next fetch does not download the mailbox again. While a fetch of the
 * account holds its lock, the settings are saved and the error says the
 * journal stayed. */
static void
test_update_rename_moves_journal (void)
{
  g_autoptr(PfAccount) account = account_for ("before", "pop.journal.test", "jo");
  g_autoptr(PfAccount) edited = NULL;
  g_autoptr(PfAccount) again = NULL;
  g_autoptr(PfAccountStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *old_path = NULL;
  g_autofree char *new_path = NULL;
  g_autofree char *state = pf_paths_state_dir ();
  g_autofree char *after_key = pf_journal_saved_account_key ("after");

  if (!have_keyring ())
    return;

  store = store_with (account, NULL);
  old_path = journal_of ("before");

  edited = pf_account_copy (account);
  pf_account_set_name (edited, "after");
  g_assert_true (update (store, "before", edited, &error));
  g_assert_no_error (error);
  new_path = journal_of ("after");
  g_assert_false (g_file_test (old_path, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (new_path, G_FILE_TEST_EXISTS));

  /* A fetch of it running: its lock held. */
  {
    g_autoptr(PfJournal) running = pf_journal_open_keyed (state, after_key, NULL, "after", &error);

    g_assert_no_error (error);
    g_assert_nonnull (running);
    again = pf_account_copy (edited);
    pf_account_set_name (again, "later");
    g_assert_false (update (store, "after", again, &error));
    g_assert_error (error, PF_ERROR, PF_ERROR_ACCOUNT_BUSY);
    g_assert_true (pf_account_store_error_is_after_save (error));
    g_assert_true (pf_account_store_lookup (store, "later") == again);
    g_assert_true (g_file_test (new_path, G_FILE_TEST_EXISTS));
  }
}

/* One pin rule for every front end: the pin goes with another server
 * (another host or port), stays when the host only changes its case or
 * a trailing dot, and a pin set by the same edit stays. */
static void
test_update_pin_rule (void)
{
  g_autoptr(PfAccount) account = account_for ("pinned", "Pop.Pinned.Test", "pin-user");
  g_autoptr(PfAccountStore) store = NULL;
  g_autoptr(GError) error = NULL;
  const char *other_pin = "ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100";
  struct {
    const char *host;
    guint       port;
    const char *pin;        /* set by the edit; NULL: as before */
    const char *expected;
  } steps[] = {
    { "pop.pinned.test",  995, NULL, PIN },        /* case only: same server */
    { "pop.pinned.test.", 995, NULL, PIN },        /* trailing dot: same server */
    { "pop.pinned.test",  996, NULL, NULL },       /* another port: dropped */
    { "pop.pinned.test",  996, PIN, PIN },         /* pinned again */
    { "pop.elsewhere.test", 996, NULL, NULL },     /* another host: dropped */
    { "pop.pinned.test",  995, other_pin, other_pin }, /* moved and pinned at once */
  };

  if (!have_keyring ())
    return;

  pf_account_set_pinned_fingerprint (account, PIN);
  store = store_with (account, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (steps); i++)
    {
      g_autoptr(PfAccount) edited = pf_account_copy (pf_account_store_lookup (store, "pinned"));

      pf_account_set_host (edited, steps[i].host);
      pf_account_set_port (edited, steps[i].port);
      if (steps[i].pin != NULL)
        pf_account_set_pinned_fingerprint (edited, steps[i].pin);
      g_assert_true (update (store, "pinned", edited, &error));
      g_assert_no_error (error);
      g_assert_cmpstr (pf_account_get_pinned_fingerprint (pf_account_store_lookup (store, "pinned")),
                       ==, steps[i].expected);
    }
}

/* The keyring credentials answer what the keyring holds, as a password. */
static void
test_keyring_credentials (void)
{
  g_autoptr(PfCredentials) credentials = pf_keyring_credentials_new ("pop.creds.test", "creds");
  g_autoptr(PfSecret) secret = NULL;
  GAsyncResult *result = NULL;
  g_autoptr(GError) error = NULL;

  if (!have_keyring ())
    return;

  pf_credentials_get_secret_async (credentials, NULL, pf_test_store_result, &result);
  secret = pf_credentials_get_secret_finish (credentials, pf_test_wait_result (&result, 30), &error);
  g_clear_object (&result);
  g_assert_error (error, PF_ERROR, PF_ERROR_NO_PASSWORD);
  g_assert_null (secret);
  g_clear_error (&error);

  store_for ("creds", "pop.creds.test", "creds", "from the keyring");
  pf_credentials_get_secret_async (credentials, NULL, pf_test_store_result, &result);
  secret = pf_credentials_get_secret_finish (credentials, pf_test_wait_result (&result, 30), &error);
  g_clear_object (&result);
  g_assert_no_error (error);
  g_assert_cmpstr (pf_secret_get_value (secret), ==, "from the keyring");
  g_assert_cmpint (pf_secret_get_kind (secret), ==, PF_SECRET_PASSWORD);
}

int
main (int   argc,
      char *argv[])
{
  gboolean locked_only = argc > 1 && strcmp (argv[1], "--locked") == 0;

  if (locked_only)
    {
      argv[1] = argv[0];
      argc--;
      argv++;
    }

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  if (locked_only)
    {
      g_test_add_func ("/accounts/keyring/locked/documented-error", test_locked_documented_error);
    }
  else
    {
      g_test_add_func ("/accounts/keyring/store/found-by-mpop-attributes", test_store_found_by_mpop_attributes);
      g_test_add_func ("/accounts/keyring/store/lookup-replace-clear", test_lookup_replace_clear);
      g_test_add_func ("/accounts/keyring/store/other-schema-left-alone", test_other_schema_left_alone);
      g_test_add_func ("/accounts/keyring/unavailable/no-session-bus", test_no_session_bus);
      g_test_add_func ("/accounts/keyring/unavailable/no-keyring-daemon", test_no_keyring_daemon);
      g_test_add_func ("/accounts/keyring/remove/keeps-shared-password", test_remove_keeps_shared_password);
      g_test_add_func ("/accounts/keyring/update/moves-password-keeps-shared", test_update_moves_password_keeps_shared);
      g_test_add_func ("/accounts/keyring/update/moves-password-alone", test_update_moves_password_alone);
      g_test_add_func ("/accounts/keyring/update/pin-rule", test_update_pin_rule);
      g_test_add_func ("/accounts/keyring/update/rename-moves-journal", test_update_rename_moves_journal);
      g_test_add_func ("/accounts/keyring/credentials/keyring", test_keyring_credentials);
    }

  return g_test_run ();
}
