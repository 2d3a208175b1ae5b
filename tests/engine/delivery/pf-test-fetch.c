/* pf-test-fetch.c — checking a Maildir after fetches, running popfetch-cli
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "pf-test-fetch.h"

PfFetcher *
pf_test_fetch_new_plain (const char *host,
                         guint16     port,
                         const char *user,
                         const char *password,
                         const char *maildir,
                         guint       timeout)
{
  g_autoptr(PfServerSettings) settings = pf_server_settings_new (host, port, PF_SECURITY_NONE);
  PfFetcher *fetcher;

  pf_server_settings_set_allow_plaintext_auth (settings, TRUE);
  pf_server_settings_set_timeout (settings, timeout);
  fetcher = pf_fetcher_new (settings, user, maildir);
  if (password != NULL)
    {
      g_autoptr(PfCredentials) credentials = pf_credentials_new_for_password (password);

      pf_fetcher_set_credentials (fetcher, credentials);
    }
  return fetcher;
}

guint
pf_test_fetch_count (const char *maildir,
                     const char *sub)
{
  g_autofree char *path = g_build_filename (maildir, sub, NULL);
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;
  guint n = 0;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    if (name[0] != '.')
      n++;
  return n;
}

static char *
message_id_of (const char *path)
{
  g_autofree char *contents = NULL;
  gsize length;
  const char *p, *end;

  /* Headers are at the start; 64 KiB is plenty, but files may be huge. */
  {
    g_autoptr(GFile) file = g_file_new_for_path (path);
    g_autoptr(GFileInputStream) in = g_file_read (file, NULL, NULL);
    gsize got = 0;

    if (in == NULL)
      return NULL;
    contents = g_malloc0 (65537);
    g_input_stream_read_all (G_INPUT_STREAM (in), contents, 65536, &got, NULL, NULL);
    length = got;
    contents[length] = '\0';
  }

  p = strstr (contents, "\nMessage-ID: ");
  if (p == NULL)
    return NULL;
  p += strlen ("\nMessage-ID: ");
  end = strchr (p, '\n');
  return end != NULL ? g_strndup (p, end - p) : NULL;
}

GHashTable *
pf_test_fetch_message_ids (const char *maildir)
{
  GHashTable *ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  const char *subs[] = { "new", "cur" };

  for (guint i = 0; i < G_N_ELEMENTS (subs); i++)
    {
      g_autofree char *path = g_build_filename (maildir, subs[i], NULL);
      g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
      const char *name;

      while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *file = g_build_filename (path, name, NULL);
          char *id = message_id_of (file);
          guint n;

          if (id == NULL)
            id = g_strdup_printf ("(no Message-ID: %s)", name);
          n = GPOINTER_TO_UINT (g_hash_table_lookup (ids, id));
          g_hash_table_insert (ids, id, GUINT_TO_POINTER (n + 1));
        }
    }
  return ids;
}

void
pf_test_fetch_assert_exactly_once (const char *maildir,
                                   guint       count)
{
  g_autoptr(GHashTable) ids = pf_test_fetch_message_ids (maildir);
  GHashTableIter iter;
  gpointer key, value;

  g_hash_table_iter_init (&iter, ids);
  while (g_hash_table_iter_next (&iter, &key, &value))
    if (GPOINTER_TO_UINT (value) != 1)
      g_error ("%s delivered %u times", (const char *) key, GPOINTER_TO_UINT (value));

  g_assert_cmpuint (g_hash_table_size (ids), ==, count);
  g_assert_cmpuint (pf_test_fetch_count (maildir, "new") + pf_test_fetch_count (maildir, "cur"), ==, count);
  g_assert_cmpuint (pf_test_fetch_count (maildir, "tmp"), ==, 0);
}

int
pf_test_fetch_run_cli (const char  *fault,
                       const char  *kill_maildir,
                       guint        kill_after_ms,
                       const char  *password,
                       guint64     *max_rss_kib,
                       const char  *first_arg,
                       ...)
{
  g_autofree char *cli = g_test_build_filename (G_TEST_BUILT, "..", "src", "cli", "popfetch-cli", NULL);
  g_autofree char *password_file = g_build_filename (g_get_user_runtime_dir (), "password", NULL);
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) envp = NULL;
  struct rusage usage;
  va_list args;
  int status;
  pid_t pid;

  g_assert_cmpint (g_mkdir_with_parents (g_get_user_runtime_dir (), 0700), ==, 0);
  g_assert_true (g_file_set_contents_full (password_file, password, -1,
                                           G_FILE_SET_CONTENTS_NONE, 0600, &error));
  g_ptr_array_add (argv, g_strdup (cli));
  g_ptr_array_add (argv, g_strdup ("fetch"));
  g_ptr_array_add (argv, g_strdup ("--password-file"));
  g_ptr_array_add (argv, g_strdup (password_file));
  g_ptr_array_add (argv, g_strdup ("--quiet"));
  va_start (args, first_arg);
  for (const char *arg = first_arg; arg != NULL; arg = va_arg (args, const char *))
    g_ptr_array_add (argv, g_strdup (arg));
  va_end (args);
  g_ptr_array_add (argv, NULL);

  envp = g_get_environ ();
  /* The test's isolated directories, so the default state dir is private. */
  envp = g_environ_setenv (envp, "HOME", g_get_home_dir (), TRUE);
  envp = g_environ_setenv (envp, "XDG_STATE_HOME", g_get_user_state_dir (), TRUE);
  envp = fault != NULL ? g_environ_setenv (envp, "POPFETCH_FAULT", fault, TRUE)
                       : g_environ_unsetenv (envp, "POPFETCH_FAULT");

  /* fork and wait4 rather than GSubprocess: the test needs the child's
   * rusage (peak RSS) and a SIGKILL at a chosen moment. */
  pid = fork ();
  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    {
      execve (cli, (char **) argv->pdata, envp);
      _exit (127);
    }

  if (kill_maildir != NULL)
    {
      guint before = pf_test_fetch_count (kill_maildir, "tmp") + pf_test_fetch_count (kill_maildir, "new");
      gint64 deadline = G_MAXINT64;
      gboolean exited = FALSE;

      while (g_get_monotonic_time () < deadline)
        {
          if (wait4 (pid, &status, WNOHANG, &usage) == pid)
            {
              exited = TRUE;
              break;
            }
          if (deadline == G_MAXINT64
              && pf_test_fetch_count (kill_maildir, "tmp") + pf_test_fetch_count (kill_maildir, "new") > before)
            deadline = g_get_monotonic_time () + kill_after_ms * 1000;
          g_usleep (200);
        }
      if (!exited)
        {
          kill (pid, SIGKILL);
          g_assert_cmpint (wait4 (pid, &status, 0, &usage), ==, pid);
        }
    }
  else
    g_assert_cmpint (wait4 (pid, &status, 0, &usage), ==, pid);

  if (max_rss_kib != NULL)
    *max_rss_kib = usage.ru_maxrss;
  if (WIFSIGNALED (status))
    return -WTERMSIG (status);
  return WEXITSTATUS (status);
}
