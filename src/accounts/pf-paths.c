/* pf-paths.c
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "pf-journal.h"
#include "pf-paths.h"

char *
pf_paths_config_dir (void)
{
  return g_build_filename (g_get_user_config_dir (), "popfetch", NULL);
}

char *
pf_paths_state_dir (void)
{
  return g_build_filename (g_get_user_state_dir (), "popfetch", NULL);
}

gboolean
pf_paths_rename_account_state (const char  *old_name,
                               const char  *new_name,
                               GError     **error)
{
  g_autofree char *state = pf_paths_state_dir ();
  g_autofree char *old_key = NULL;
  g_autofree char *new_key = NULL;

  g_return_val_if_fail (old_name != NULL && new_name != NULL, FALSE);

  old_key = pf_journal_saved_account_key (old_name);
  new_key = pf_journal_saved_account_key (new_name);
  return pf_journal_rename_key (state, old_key, new_key, old_name, error);
}

static void
rename_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  const char * const *names = task_data;
  GError *error = NULL;

  if (pf_paths_rename_account_state (names[0], names[1], &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

void
pf_paths_rename_account_state_async (const char          *old_name,
                                     const char          *new_name,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  char **names = g_new0 (char *, 3);

  names[0] = g_strdup (old_name);
  names[1] = g_strdup (new_name);
  g_task_set_source_tag (task, pf_paths_rename_account_state_async);
  g_task_set_task_data (task, names, (GDestroyNotify) g_strfreev);
  g_task_run_in_thread (task, rename_thread);
}

gboolean
pf_paths_rename_account_state_finish (GAsyncResult  *result,
                                      GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static char *
account_file (const char *host,
              const char *user,
              const char *suffix)
{
  g_autofree char *state = pf_paths_state_dir ();
  g_autofree char *key = pf_journal_account_key (host, user);
  g_autofree char *name = g_strconcat (key, suffix, NULL);

  return g_build_filename (state, name, NULL);
}

char *
pf_paths_account_journal (const char *host,
                          const char *user)
{
  g_return_val_if_fail (host != NULL && user != NULL, NULL);

  return account_file (host, user, ".journal");
}

char *
pf_paths_account_lock (const char *host,
                       const char *user)
{
  g_return_val_if_fail (host != NULL && user != NULL, NULL);

  return account_file (host, user, ".lock");
}
