/* test-pop3-dovecot.c — PfPop3Client against a real, private Dovecot
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "pf-error.h"
#include "pf-pop3-client.h"
#include "pf-test-dovecot.h"
#include "pf-test-pop3.h"
#include "pf-test-util.h"

#define USER "alice"
#define PASSWORD "Dovecot-t3st-pw"
#define TIMEOUT 20

/* One Dovecot for the whole program: starting it costs about a second. */
static PfTestDovecot *dovecot;
static GPtrArray *transcripts;

static const char *messages[] = {
  "From: a@example.org\nSubject: plain\n\nHello.\n",
  "From: b@example.org\nSubject: dots\n\n.\n..\n.x\nend.\n",
  "From: c@example.org\nSubject: empty body\n\n",
};

static gboolean
need_dovecot (void)
{
  g_autoptr(GError) error = NULL;

  if (dovecot != NULL)
    return TRUE;
  if (!pf_test_require_program (PF_TEST_DOVECOT_PROGRAM, "REQUIRE_DOVECOT"))
    return FALSE;
  dovecot = pf_test_dovecot_start (&error);
  g_assert_no_error (error);
  pf_test_dovecot_add_user (dovecot, USER, PASSWORD, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (messages); i++)
    {
      pf_test_dovecot_add_message (dovecot, USER, messages[i], strlen (messages[i]), &error);
      g_assert_no_error (error);
    }
  return TRUE;
}

static PfPop3Client *
client_for (PfSecurity security)
{
  guint16 port = security == PF_SECURITY_TLS ? pf_test_dovecot_get_tls_port (dovecot)
                                             : pf_test_dovecot_get_port (dovecot);
  g_autoptr(PfServerSettings) settings = pf_server_settings_new ("127.0.0.1", port, security);
  PfPop3Client *client;

  pf_server_settings_set_timeout (settings, TIMEOUT);
  pf_server_settings_set_server_identity (settings, "localhost");
  pf_server_settings_set_tls_database (settings, pf_test_dovecot_get_tls_database (dovecot));
  client = pf_pop3_client_new_for_settings (settings);
  g_ptr_array_add (transcripts, g_object_ref (pf_pop3_client_get_transcript (client)));
  return client;
}

static gboolean
do_connect (PfPop3Client  *client,
            GError       **error)
{
  return pf_test_pop3_connect (client, TIMEOUT * 2, error);
}

static gboolean
do_login (PfPop3Client     *client,
          const char       *secret,
          PfAuthMechanism   mechanism,
          PfAuthMechanism  *used,
          GError          **error)
{
  return pf_test_pop3_login (client, USER, secret, mechanism, used, TIMEOUT * 2, error);
}

static void
do_quit (PfPop3Client *client)
{
  pf_test_pop3_quit (client, TIMEOUT * 2);
}

static void
drop_client (PfPop3Client *client)
{
  pf_test_pop3_drop (client, TIMEOUT);
}

static void
stat_mailbox (PfPop3Client *client)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  guint count = 0;

  pf_pop3_client_stat_async (client, NULL, pf_test_store_result, &result);
  pf_test_wait_result (&result, TIMEOUT);
  g_assert_true (pf_pop3_client_stat_finish (client, result, &count, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (count, ==, G_N_ELEMENTS (messages));
}

typedef struct
{
  PfSecurity       security;
  PfAuthMechanism  mechanism;
} MechanismCase;

static void
test_mechanism (gconstpointer data)
{
  const MechanismCase *c = data;
  PfPop3Client *client;
  g_autoptr(GError) error = NULL;
  PfAuthMechanism used = PF_AUTH_AUTO;

  if (!need_dovecot ())
    return;

  client = client_for (c->security);
  g_assert_true (do_connect (client, &error));
  g_assert_no_error (error);
  g_assert_true (pf_pop3_client_get_tls_active (client));

  if (c->mechanism == PF_AUTH_APOP && c->security == PF_SECURITY_STARTTLS)
    {
      /* The timestamp came before TLS and was forgotten with it. */
      g_assert_false (do_login (client, PASSWORD, c->mechanism, &used, &error));
      g_assert_error (error, PF_ERROR, PF_ERROR_NO_COMMON_MECHANISM);
      drop_client (client);
      return;
    }

  g_assert_true (do_login (client, PASSWORD, c->mechanism, &used, &error));
  g_assert_no_error (error);
  if (c->mechanism == PF_AUTH_AUTO)
    g_assert_cmpint (used, ==, PF_AUTH_SCRAM_SHA_256);
  else
    g_assert_cmpint (used, ==, c->mechanism);
  stat_mailbox (client);
  do_quit (client);
  drop_client (client);
}

static void
test_wrong_password (gconstpointer data)
{
  const MechanismCase *c = data;
  PfPop3Client *client;
  g_autoptr(GError) error = NULL;

  if (!need_dovecot ())
    return;

  client = client_for (c->security);
  g_assert_true (do_connect (client, &error));
  g_assert_false (do_login (client, "not-the-password", c->mechanism, NULL, &error));
  /* A refused APOP or CRAM-MD5 may be the server's inability to check
   * them for this user, so it is not called a wrong password. */
  if (c->mechanism == PF_AUTH_APOP || c->mechanism == PF_AUTH_CRAM_MD5)
    g_assert_error (error, PF_ERROR, PF_ERROR_AUTH_MECHANISM_FAILED);
  else
    g_assert_error (error, PF_ERROR, PF_ERROR_AUTH_REJECTED);
  /* Dovecot's own words, not ours. */
  g_assert_nonnull (strstr (error->message, "Authentication failed"));
  drop_client (client);
}

static PfPop3Client *
logged_in (void)
{
  PfPop3Client *client = client_for (PF_SECURITY_TLS);

  pf_test_pop3_log_in (client, USER, PASSWORD, PF_AUTH_AUTO, TIMEOUT * 2);
  return client;
}

/* What Dovecot sends for a stored message: LF becomes CRLF. */
static char *
to_crlf (const char *text,
         gsize      *len)
{
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);
  char *joined = g_strjoinv ("\r\n", lines);

  *len = strlen (joined);
  return joined;
}

/* uid → file name stem, from Dovecot's dovecot-uidlist. */
static GHashTable *
read_uidlist (const char *maildir,
              guint32    *validity)
{
  g_autofree char *path = g_build_filename (maildir, "dovecot-uidlist", NULL);
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  g_auto(GStrv) header = NULL;
  GHashTable *uids = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL, g_free);

  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  lines = g_strsplit (text, "\n", -1);
  header = g_strsplit (lines[0], " ", -1);
  for (guint i = 0; header[i] != NULL; i++)
    if (header[i][0] == 'V')
      *validity = g_ascii_strtoull (header[i] + 1, NULL, 10);
  for (guint i = 1; lines[i] != NULL && lines[i][0] != '\0'; i++)
    {
      const char *colon = strstr (lines[i], " :");
      guint uid = g_ascii_strtoull (lines[i], NULL, 10);

      g_assert_nonnull (colon);
      g_hash_table_insert (uids, GUINT_TO_POINTER (uid), g_strdup (colon + 2));
    }
  return uids;
}

static char *
read_stored (const char *maildir,
             const char *stem)
{
  const char *subdirs[] = { "cur", "new" };

  for (guint i = 0; i < G_N_ELEMENTS (subdirs); i++)
    {
      g_autofree char *dirpath = g_build_filename (maildir, subdirs[i], NULL);
      g_autoptr(GDir) dir = g_dir_open (dirpath, 0, NULL);
      const char *name;

      while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
        if (g_str_has_prefix (name, stem) && (name[strlen (stem)] == ':' || name[strlen (stem)] == '\0'))
          {
            g_autofree char *path = g_build_filename (dirpath, name, NULL);
            char *contents = NULL;

            g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
            return contents;
          }
    }
  g_error ("no stored file for %s", stem);
}

static void
test_listing_byte_exact (void)
{
  PfPop3Client *client;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) list = NULL;
  g_autoptr(PfUidlList) uidl = NULL;
  g_autoptr(GHashTable) uids = NULL;
  g_autofree char *maildir = NULL;
  guint32 validity = 0;

  if (!need_dovecot ())
    return;

  client = logged_in ();
  pf_pop3_client_list_async (client, NULL, pf_test_store_result, &result);
  pf_test_wait_result (&result, TIMEOUT);
  list = pf_pop3_client_list_finish (client, result, &error);
  g_assert_no_error (error);
  g_clear_object (&result);
  pf_pop3_client_uidl_async (client, NULL, pf_test_store_result, &result);
  pf_test_wait_result (&result, TIMEOUT);
  uidl = pf_pop3_client_uidl_finish (client, result, &error);
  g_assert_no_error (error);
  g_clear_object (&result);

  maildir = pf_test_dovecot_get_maildir (dovecot, USER);
  uids = read_uidlist (maildir, &validity);
  g_assert_cmpuint (list->len, ==, G_N_ELEMENTS (messages));
  g_assert_cmpuint (pf_uidl_list_get_length (uidl), ==, G_N_ELEMENTS (messages));

  for (guint i = 0; i < list->len; i++)
    {
      PfListEntry *entry = &g_array_index (list, PfListEntry, i);
      g_autoptr(GOutputStream) sink = g_memory_output_stream_new_resizable ();
      g_autofree char *stored = NULL;
      g_autofree char *expected = NULL;
      g_autofree char *expected_uid = NULL;
      gsize expected_len;
      guint64 bytes = 0;

      g_assert_cmpuint (entry->msgno, ==, i + 1);
      g_assert_cmpuint (pf_uidl_list_get_msgno (uidl, i), ==, i + 1);
      /* pop3_uidl_format = %08Xu%08Xv (Dovecot writes the hex in lower case) */
      expected_uid = g_strdup_printf ("%08x%08x", i + 1, validity);
      g_assert_cmpstr (pf_uidl_list_get_uid (uidl, i), ==, expected_uid);

      stored = read_stored (maildir, g_hash_table_lookup (uids, GUINT_TO_POINTER (i + 1)));
      expected = to_crlf (stored, &expected_len);

      pf_pop3_client_retrieve_async (client, entry->msgno, -1, sink, NULL,
                                     pf_test_store_result, &result);
      pf_test_wait_result (&result, TIMEOUT);
      g_assert_true (pf_pop3_client_retrieve_finish (client, result, &bytes, &error));
      g_assert_no_error (error);
      g_clear_object (&result);
      g_output_stream_close (sink, NULL, NULL);

      g_assert_cmpmem (g_memory_output_stream_get_data (G_MEMORY_OUTPUT_STREAM (sink)),
                       g_memory_output_stream_get_data_size (G_MEMORY_OUTPUT_STREAM (sink)),
                       expected, expected_len);
      g_assert_cmpuint (entry->size, ==, expected_len);
      g_assert_cmpuint (bytes, ==, expected_len);
    }

  do_quit (client);
  drop_client (client);
}

static void
on_retrieved (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  guint *done = user_data;
  g_autoptr(GError) error = NULL;

  g_assert_true (pf_pop3_client_retrieve_finish (PF_POP3_CLIENT (source), result, NULL, &error));
  g_assert_no_error (error);
  (*done)++;
}

/* Dovecot offers PIPELINING: every RETR at once, answers in order. */
static void
test_pipelined_retrieve (void)
{
  PfPop3Client *client;
  g_autoptr(GOutputStream) sink = g_memory_output_stream_new_resizable ();
  guint done = 0;
  const guint rounds = 20;

  if (!need_dovecot ())
    return;

  client = logged_in ();
  g_assert_true (pf_pop3_client_get_pipelining (client));
  for (guint r = 0; r < rounds; r++)
    for (guint i = 1; i <= G_N_ELEMENTS (messages); i++)
      pf_pop3_client_retrieve_async (client, i, -1, sink, NULL, on_retrieved, &done);
  while (done < rounds * G_N_ELEMENTS (messages))
    g_main_context_iteration (NULL, TRUE);
  do_quit (client);
  drop_client (client);
}

static void
test_in_use (void)
{
  PfPop3Client *first;
  PfPop3Client *second;
  g_autoptr(GError) error = NULL;

  if (!need_dovecot ())
    return;

  first = logged_in ();
  second = client_for (PF_SECURITY_TLS);
  g_assert_true (do_connect (second, &error));
  g_assert_false (do_login (second, PASSWORD, PF_AUTH_AUTO, NULL, &error));
  g_assert_error (error, PF_ERROR, PF_ERROR_IN_USE);
  drop_client (second);
  do_quit (first);
  drop_client (first);
}

static void
test_transcripts_never_hold_password (void)
{
  if (transcripts->len == 0)
    {
      g_test_skip ("run together with the session tests");
      return;
    }
  for (guint i = 0; i < transcripts->len; i++)
    {
      g_autofree char *text = pf_transcript_to_string (g_ptr_array_index (transcripts, i));

      g_assert_null (strstr (text, PASSWORD));
    }
}

int
main (int   argc,
      char *argv[])
{
  static const PfAuthMechanism mechanisms[] = {
    PF_AUTH_AUTO, PF_AUTH_USER, PF_AUTH_PLAIN, PF_AUTH_LOGIN, PF_AUTH_APOP,
    PF_AUTH_CRAM_MD5, PF_AUTH_SCRAM_SHA_1, PF_AUTH_SCRAM_SHA_256,
  };
  static const PfSecurity securities[] = { PF_SECURITY_TLS, PF_SECURITY_STARTTLS };
  static MechanismCase cases[G_N_ELEMENTS (mechanisms) * G_N_ELEMENTS (securities)];
  int ret;

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  transcripts = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint s = 0; s < G_N_ELEMENTS (securities); s++)
    for (guint m = 0; m < G_N_ELEMENTS (mechanisms); m++)
      {
        MechanismCase *c = &cases[s * G_N_ELEMENTS (mechanisms) + m];
        g_autofree char *name = g_ascii_strdown (pf_auth_mechanism_to_string (mechanisms[m]), -1);
        g_autofree char *path = g_strdup_printf ("/engine/pop3/dovecot/%s/login-%s",
                                                 pf_security_to_string (securities[s]), name);
        g_autofree char *wrong = g_strdup_printf ("/engine/pop3/dovecot/%s/wrong-password-%s",
                                                  pf_security_to_string (securities[s]), name);

        c->security = securities[s];
        c->mechanism = mechanisms[m];
        g_test_add_data_func (path, c, test_mechanism);
        if (!(c->mechanism == PF_AUTH_APOP && c->security == PF_SECURITY_STARTTLS))
          g_test_add_data_func (wrong, c, test_wrong_password);
      }
  g_test_add_func ("/engine/pop3/dovecot/list-uidl-retr-byte-exact", test_listing_byte_exact);
  g_test_add_func ("/engine/pop3/dovecot/pipelined-retrieve", test_pipelined_retrieve);
  g_test_add_func ("/engine/pop3/dovecot/second-session-in-use", test_in_use);
  g_test_add_func ("/engine/pop3/dovecot/transcript/never-holds-password",
                   test_transcripts_never_hold_password);

  ret = g_test_run ();
  g_clear_pointer (&dovecot, pf_test_dovecot_stop);
  g_ptr_array_unref (transcripts);
  return ret;
}
