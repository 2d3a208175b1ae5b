/* pf-test-util.c
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>

#include "pf-test-util.h"

gboolean
pf_test_require (gboolean    available,
                 const char *require_env,
                 const char *why_missing)
{
  if (available)
    return TRUE;

  if (require_env != NULL && g_strcmp0 (g_getenv (require_env), "1") == 0)
    {
      g_test_message ("%s, and %s=1 demands it", why_missing, require_env);
      g_test_fail ();
    }
  else
    g_test_skip (why_missing);
  return FALSE;
}

gboolean
pf_test_require_keyring (void)
{
  return pf_test_require (g_getenv ("PF_TEST_KEYRING") != NULL,
                          "REQUIRE_KEYRING",
                          "no private D-Bus session with gnome-keyring (run under the keyring wrapper)");
}

/* Through secret-tool, not libsecret: the item must be findable by the
 * attributes a user (or another program) would look it up with. */
char *
pf_test_secret_tool_lookup (const char *host,
                            const char *user)
{
  const char *argv[] = { "secret-tool", "lookup", "host", host, "service", "pop3", "user", user, NULL };
  char *out = NULL;
  int status;

  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL,
                               G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL,
                               NULL, NULL, &out, NULL, &status, NULL));
  if (!g_spawn_check_wait_status (status, NULL))
    g_clear_pointer (&out, g_free);
  return out;
}

guint
pf_test_count_files (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  guint n = 0;

  while (d != NULL && g_dir_read_name (d) != NULL)
    n++;
  return n;
}

gboolean
pf_test_require_program (const char *program,
                         const char *require_env)
{
  g_autofree char *path = NULL;
  g_autofree char *why = NULL;

  if (g_path_is_absolute (program))
    path = g_file_test (program, G_FILE_TEST_IS_EXECUTABLE) ? g_strdup (program) : NULL;
  else
    path = g_find_program_in_path (program);

  why = g_strdup_printf ("%s is not installed", program);
  return pf_test_require (path != NULL, require_env, why);
}

static gboolean
on_timeout (gpointer user_data)
{
  gboolean *timed_out = user_data;

  *timed_out = TRUE;
  return G_SOURCE_REMOVE;
}

void
pf_test_wait_until (gboolean *done,
                    guint     timeout_seconds)
{
  gboolean timed_out = FALSE;
  guint id = g_timeout_add_seconds (timeout_seconds, on_timeout, &timed_out);

  while (!*done && !timed_out)
    g_main_context_iteration (NULL, TRUE);

  if (!timed_out)
    g_source_remove (id);
  if (!*done)
    g_error ("timed out after %u s waiting for an async operation", timeout_seconds);
}

void
pf_test_store_result (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  GAsyncResult **store = user_data;

  g_assert_null (*store);
  *store = g_object_ref (result);
}

GAsyncResult *
pf_test_wait_result (GAsyncResult **result,
                     guint          timeout_seconds)
{
  gboolean timed_out = FALSE;
  guint id = g_timeout_add_seconds (timeout_seconds, on_timeout, &timed_out);

  while (*result == NULL && !timed_out)
    g_main_context_iteration (NULL, TRUE);

  if (!timed_out)
    g_source_remove (id);
  if (*result == NULL)
    g_error ("timed out after %u s waiting for an async result", timeout_seconds);
  return *result;
}

void
pf_test_assert_finalized (gpointer object,
                          guint    timeout_seconds)
{
  gpointer weak = object;
  gint64 deadline = g_get_monotonic_time () + timeout_seconds * G_USEC_PER_SEC;

  g_assert_true (G_IS_OBJECT (object));
  g_object_add_weak_pointer (G_OBJECT (object), &weak);
  g_object_unref (object);
  while (weak != NULL && g_get_monotonic_time () < deadline)
    {
      if (!g_main_context_iteration (NULL, FALSE))
        g_usleep (1000);
    }
  if (weak != NULL)
    g_error ("%s still referenced %u s after its last reference was dropped",
             G_OBJECT_TYPE_NAME (weak), timeout_seconds);
}

/* Removes PATH and everything below it; a link is removed, never followed. */
void
pf_test_remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        pf_test_remove_tree (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

